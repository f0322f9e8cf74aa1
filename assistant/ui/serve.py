"""`serve`, the one place that launches the app: loopback only unless --auth users.toml is given,
analytics off, no share link, no server-side rendering (it would need Node and the network).

Before Gradio builds anything: umask 077 and Gradio's cache moved into the data folder (0700), stale cached
files of earlier runs removed. Around Gradio's FastAPI app: the Host allow-list (DNS rebinding), security
headers (Content-Security-Policy), cached files only for their owner, and the client address for the sign-in
throttle. Uploads are limited in size by Gradio (max_file_size) and again by each handler."""

from __future__ import annotations

from functools import partial
from typing import Any, Callable

from starlette.middleware import Middleware

from assistant.auth import load_users, require_safe_bind
from assistant.config import Settings
from assistant.files import private_temp_dir, remove_stale_files, restrict_new_files
from assistant.host_guard import HostAllowListMiddleware, allowed_hosts_for
from assistant.login_throttle import LoginThrottle, jsonl_audit, throttled_gradio_auth
from assistant.ui.guard import (
    CACHED_FILES,
    CLIENT_ADDRESS,
    CachedFileOwnerMiddleware,
    ClientAddressMiddleware,
    SecurityHeadersMiddleware,
)

CACHED_FILE_MAX_AGE_S = 3600.0
"""Cached uploads and exports older than this are deleted (on start and after each download)."""


def sign_in_audit_file(settings: Settings):
    return settings.home / "sign-in-audit.jsonl"


def prepare_process(settings: Settings) -> None:
    """Owner-only files from here on; Gradio's cache (GRADIO_TEMP_DIR) in the data folder, emptied of old files."""
    restrict_new_files()
    private_temp_dir(settings.gradio_temp_dir)
    remove_stale_files(settings.gradio_temp_dir, older_than_s=CACHED_FILE_MAX_AGE_S)


def middleware(settings: Settings, auth_enabled: bool) -> list[Middleware]:
    """Outermost first: refuse foreign Host names before anything else sees the request."""
    after_download = partial(remove_stale_files, settings.gradio_temp_dir, CACHED_FILE_MAX_AGE_S)
    return [
        Middleware(HostAllowListMiddleware, allowed=allowed_hosts_for(settings.allowed_hosts, settings.host)),
        Middleware(SecurityHeadersMiddleware),
        Middleware(ClientAddressMiddleware),
        Middleware(CachedFileOwnerMiddleware, temp_dir=settings.gradio_temp_dir, files=CACHED_FILES,
                   auth_enabled=auth_enabled, after_download=after_download),
    ]


def sign_in(settings: Settings, users: dict[str, str] | None):
    """Gradio's auth callable, throttled per user and per client, every attempt audited."""
    if not users:
        return None
    throttle = LoginThrottle(audit=jsonl_audit(sign_in_audit_file(settings)),
                             state_file=settings.home / "sign-in-throttle.json")
    return throttled_gradio_auth(users, throttle, client=CLIENT_ADDRESS.get)


def serve(settings: Settings, build_app: Callable[[Settings], Any], prevent_thread_lock: bool = False, **launch: Any):
    """Check the bind address, load users, prepare the process, build the app and launch it."""
    require_safe_bind(settings.host, settings.auth_file)
    users = load_users(settings.auth_file) if settings.auth_file else None
    prepare_process(settings)  # before gradio builds Blocks: it reads GRADIO_TEMP_DIR then
    app = build_app(settings)
    app.queue(default_concurrency_limit=8)
    options: dict[str, Any] = dict(
        server_name=settings.host,
        server_port=settings.port,
        share=False,
        auth=sign_in(settings, users),
        auth_message="Sign in with your reviewer account (users.toml)." if users else None,
        show_error=True,
        ssr_mode=False,
        pwa=False,
        mcp_server=False,
        enable_monitoring=False,
        footer_links=[],
        prevent_thread_lock=prevent_thread_lock,
        quiet=False,
        max_file_size=settings.max_upload_bytes,
        app_kwargs={"middleware": middleware(settings, auth_enabled=bool(users))},
    )
    options.update(launch)
    app.launch(**options)
    return app
