"""Sub-commands of later stages, each registered by a small function taking the sub-parser group."""

from __future__ import annotations

REGISTRARS: list = []
