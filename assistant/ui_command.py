"""`assistant ui` (the Gradio app in ui.py at the project root) and `assistant users add`.

Also `serve`, the one place that launches the app: loopback only unless --auth users.toml is given,
analytics off, no share link, no server-side rendering (it would need Node and the network).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from typing import Any, Callable

from assistant.auth import gradio_auth, load_users, register_users_command, require_safe_bind
from assistant.config import PROJECT_ROOT, Settings
from assistant.errors import ConfigurationError

UI_FILE = PROJECT_ROOT / "ui.py"


def load_ui_module(path: Path = UI_FILE):
    """ui.py lives at the project root (next to the package), so load it by path."""
    if not path.is_file():
        raise ConfigurationError(f"{path} is missing; `assistant ui` runs the app defined there.")
    spec = importlib.util.spec_from_file_location("rationale_assistant_ui", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def serve(settings: Settings, build_app: Callable[[Settings], Any], prevent_thread_lock: bool = False, **launch: Any):
    """Check the bind address, load users, build the app and launch it."""
    require_safe_bind(settings.host, settings.auth_file)
    users = load_users(settings.auth_file) if settings.auth_file else None
    app = build_app(settings)
    app.queue(default_concurrency_limit=8)
    options: dict[str, Any] = dict(
        server_name=settings.host,
        server_port=settings.port,
        share=False,
        auth=gradio_auth(users) if users else None,
        auth_message="Sign in with your reviewer account (users.toml)." if users else None,
        show_error=True,
        ssr_mode=False,
        pwa=False,
        mcp_server=False,
        enable_monitoring=False,
        footer_links=[],
        prevent_thread_lock=prevent_thread_lock,
        quiet=False,
    )
    options.update(launch)
    app.launch(**options)
    return app


def cmd_ui(args: argparse.Namespace) -> int:
    from assistant.cli import _settings

    settings = _settings(args)
    if getattr(args, "reviewer", None):
        settings = settings.with_overrides(reviewer=args.reviewer)
    require_safe_bind(settings.host, settings.auth_file)  # before the slow imports
    module = load_ui_module()
    module.launch(settings)
    return 0


def register_ui_command(commands) -> None:
    ui = commands.add_parser("ui", help="the reviewer's web app (Gradio), on 127.0.0.1 unless --auth is given")
    ui.add_argument("--host", help="address to bind (ASSISTANT_HOST, default 127.0.0.1)")
    ui.add_argument("--port", type=int, help="port (ASSISTANT_PORT, default 7860)")
    ui.add_argument("--auth", type=Path, help="users.toml with argon2 hashes; required for any non-loopback --host")
    ui.add_argument("--reviewer", help="reviewer name when running without --auth (default: $USER)")
    ui.set_defaults(func=cmd_ui)


def _register_once() -> None:
    from assistant.cli_commands import REGISTRARS

    for registrar in (register_ui_command, register_users_command):
        if registrar not in REGISTRARS:
            REGISTRARS.append(registrar)


_register_once()
