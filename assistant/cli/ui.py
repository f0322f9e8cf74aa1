"""`assistant ui`: the reviewer's web app (assistant.ui), the same as `python ui.py`."""

from __future__ import annotations

import argparse
from pathlib import Path

from assistant.auth import require_safe_bind
from assistant.config import settings_from_args


def cmd_ui(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    require_safe_bind(settings.host, settings.auth_file)  # before the slow imports
    from assistant.ui.app import launch

    launch(settings)
    return 0


def add_ui_commands(commands) -> None:
    ui = commands.add_parser("ui", help="the reviewer's web app (Gradio), on 127.0.0.1 unless --auth is given")
    ui.add_argument("--host", help="address to bind (ASSISTANT_HOST, default 127.0.0.1)")
    ui.add_argument("--port", type=int, help="port (ASSISTANT_PORT, default 7860)")
    ui.add_argument("--auth", type=Path, help="users.toml with argon2 hashes; required for any non-loopback --host")
    ui.add_argument("--reviewer", help="reviewer name when running without --auth (default: $USER)")
    ui.set_defaults(func=cmd_ui)

