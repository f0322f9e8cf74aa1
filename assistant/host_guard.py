"""Answer only requests addressed to this app's own host names (DNS-rebinding defence).

A page on attacker.example can make the browser resolve attacker.example to 127.0.0.1 and read the loopback
app's responses, because the browser sees the same origin. The Host header still says attacker.example, so an
allow-list of host names (loopback names unless configured) refuses it."""

from __future__ import annotations

from collections.abc import Iterable

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def allowed_hosts_for(configured: Iterable[str] = (), bind_host: str | None = None) -> frozenset[str]:
    """Loopback names, the configured names (Settings.allowed_hosts) and the bind address when it is specific."""
    names = {*LOOPBACK_NAMES, *(h.strip().lower() for h in configured if h.strip())}
    if bind_host and bind_host not in ("0.0.0.0", "::", ""):
        names.add(bind_host.strip("[]").lower())
    return frozenset(names)


def host_name(host_header: str) -> str:
    """'Example.org:7860' → 'example.org'; '[::1]:7860' → '::1'."""
    host = (host_header or "").strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    if host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host.rstrip(".")


def host_allowed(host_header: str, allowed: frozenset[str]) -> bool:
    name = host_name(host_header)
    return bool(name) and (name in allowed or ("localhost" in allowed and name.startswith("127.")))


class HostAllowListMiddleware:
    """ASGI middleware: HTTP requests with another Host get 421, websockets are closed before accepting.

    Install on the Gradio/FastAPI app: `app.add_middleware(HostAllowListMiddleware, allowed=allowed_hosts_for(...))`."""

    def __init__(self, app, allowed: frozenset[str]) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        host = headers.get(b"host", b"").decode("latin-1")
        if host_allowed(host, self.allowed):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        body = b"Misdirected request: this app answers only to its own host names (see ASSISTANT_ALLOWED_HOSTS).\n"
        await send({"type": "http.response.start", "status": 421,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
