"""The web app's guards around Gradio's FastAPI app: client address for sign-in throttling, security headers
(Content-Security-Policy), and cached files (exports, uploads) served only to the reviewer they belong to.

Pure ASGI middleware, installed through `launch(app_kwargs={"middleware": [...]})` (serve.py), so every request,
including Gradio's own routes, passes through them before any handler runs."""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Callable
from contextvars import ContextVar
from pathlib import Path

CLIENT_ADDRESS: ContextVar[str | None] = ContextVar("client_address", default=None)
"""The peer address of the request being handled (read by the sign-in throttle)."""

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    # Gradio's page boots from inline scripts and styles; case text is made inert before it is shown, so
    # the policy's job here is to stop anything from leaving the machine or being submitted elsewhere.
    "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "frame-src 'none'",
    "object-src 'none'",
    "base-uri 'self'",
    "worker-src 'self' blob:",
])
SECURITY_HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)

FILE_ROUTE = re.compile(r"/gradio_api/file(?:=|/)(?P<path>.*)$")
NOT_FOUND = b"Not found.\n"


class ClientAddressMiddleware:
    """Puts the peer address of each request into CLIENT_ADDRESS (Gradio's auth callable gets only the name and
    password; the throttle reads the address from here)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        client = scope.get("client") if scope["type"] in ("http", "websocket") else None
        token = CLIENT_ADDRESS.set(client[0] if client else None)
        try:
            await self.app(scope, receive, send)
        finally:
            CLIENT_ADDRESS.reset(token)


class SecurityHeadersMiddleware:
    """Adds the Content-Security-Policy and friends to every HTTP response (replacing any the app set)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        names = {name for name, _ in SECURITY_HEADERS}

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message = {**message, "headers": [*headers, *SECURITY_HEADERS]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def file_digest(path: Path | str) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


class CachedFiles:
    """Which reviewer may fetch which cached file. Gradio copies a returned file into its cache under a new
    path, so a grant is recorded by content digest: the copy has the same bytes as the file granted."""

    def __init__(self) -> None:
        self._owners: dict[str, set[str]] = {}
        self._lock = threading.Lock()

    def grant(self, reviewer: str, path: Path | str) -> None:
        digest = file_digest(path)
        with self._lock:
            self._owners.setdefault(digest, set()).add(reviewer)

    def may_fetch(self, reviewer: str | None, path: Path | str) -> bool:
        if not reviewer:
            return False
        try:
            digest = file_digest(path)
        except OSError:
            return False
        with self._lock:
            return reviewer in self._owners.get(digest, ())


CACHED_FILES = CachedFiles()
"""One per process, like Gradio's cache folder: the Workspace grants, the middleware checks."""


def signed_in_user(scope) -> str | None:
    """The user name behind Gradio's session cookie (the same lookup as Gradio's own get_current_user)."""
    app = scope.get("app")
    tokens, cookie_id = getattr(app, "tokens", None), getattr(app, "cookie_id", None)
    if tokens is None or cookie_id is None:
        return None
    cookies: dict[str, str] = {}
    for name, value in scope.get("headers") or []:
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _, val = part.strip().partition("=")
                cookies.setdefault(key, val)
    token = cookies.get(f"access-token-{cookie_id}") or cookies.get(f"access-token-unsecure-{cookie_id}")
    return tokens.get(token) if token else None


def requested_file(path: str) -> str | None:
    """The file path in a `/gradio_api/file=…` request path (the ASGI path, already percent-decoded once, exactly
    as Gradio's route receives it), or None for any other route."""
    match = FILE_ROUTE.search(path)
    return match.group("path") if match else None


class CachedFileOwnerMiddleware:
    """`/gradio_api/file=…` for a file under the private temp folder is served only to a signed-in reviewer it
    was granted to (everyone else gets the same 404 as for a missing file); remote URLs are never proxied.

    With no sign-in (loopback, one reviewer) every cached file is that reviewer's. After a file is served,
    `after_download()` runs (stale cached files are removed)."""

    def __init__(self, app, temp_dir: Path | str, files: CachedFiles = CACHED_FILES, auth_enabled: bool = True,
                 after_download: Callable[[], object] = lambda: None) -> None:
        self.app = app
        self.temp_dir = os.path.realpath(temp_dir)
        self.files = files
        self.auth_enabled = auth_enabled
        self.after_download = after_download

    def allowed(self, scope, target: str) -> bool:
        if re.match(r"(?i)^[a-z][a-z0-9+.-]*://", target):
            return False  # Gradio would fetch and relay a remote URL: never from this app
        real = os.path.realpath(target)
        if real != self.temp_dir and not real.startswith(self.temp_dir + os.sep):
            return True  # not a cached file: Gradio's own allow-list decides
        if not self.auth_enabled:
            return True
        return self.files.may_fetch(signed_in_user(scope), real)

    async def __call__(self, scope, receive, send) -> None:
        target = requested_file(scope.get("path", "")) if scope["type"] == "http" else None
        if target is None:
            await self.app(scope, receive, send)
            return
        if not self.allowed(scope, target):
            await send({"type": "http.response.start", "status": 404,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                    (b"content-length", str(len(NOT_FOUND)).encode())]})
            await send({"type": "http.response.body", "body": NOT_FOUND})
            return
        await self.app(scope, receive, send)
        self.after_download()
