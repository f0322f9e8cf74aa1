"""`serve`, the one place that launches the app: loopback only unless --auth users.toml is given,
analytics off, no share link, no server-side rendering (it would need Node and the network)."""

from __future__ import annotations

from typing import Any, Callable

from assistant.auth import gradio_auth, load_users, require_safe_bind
from assistant.config import Settings


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
