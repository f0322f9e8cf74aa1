"""Sub-commands of later stages, each registered by a small function taking the sub-parser group."""

from __future__ import annotations

REGISTRARS: list = []

from assistant import ui_command  # noqa: E402,F401  registers `assistant ui` and `assistant users`
from assistant.draft_command import register_drafting  # noqa: E402

REGISTRARS.append(register_drafting)
from assistant import precedents_command  # noqa: E402,F401  registers `assistant letters import` and `assistant precedents`
from assistant import backup_command  # noqa: E402,F401  registers `assistant backup` and `assistant restore`
