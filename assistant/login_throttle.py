"""Sign-in throttling: after a few wrong passwords, a user name or a client address must wait, doubling each time.

A pure class with an injectable clock, so the policy is tested without sleeping. Keys are ("user", name) and
("client", address): guessing one account from many addresses, or many accounts from one address, both slow down.
With a state file the failure counts and lockouts survive a restart (restarting the app must not reset a lockout);
the clock is then the wall clock, since lockouts are compared across processes.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

AuditHook = Callable[[str, dict], None]
"""(event, details) for "login_failed", "login_locked", "login_ok"; the UI passes the storage audit writer."""


@dataclass
class _Record:
    failures: int = 0
    locked_until: float = 0.0


class LoginThrottle:
    """free_failures wrong passwords cost nothing; each later one locks the key for base_s * 2**k (≤ max_s)."""

    def __init__(self, free_failures: int = 5, base_s: float = 2.0, max_s: float = 900.0,
                 clock: Callable[[], float] = time.time, audit: AuditHook | None = None,
                 state_file: Path | str | None = None) -> None:
        self.free_failures = free_failures
        self.base_s = base_s
        self.max_s = max_s
        self.clock = clock
        self.audit = audit or (lambda _event, _details: None)
        self.state_file = Path(state_file) if state_file else None
        self._records: dict[tuple[str, str], _Record] = self._load()
        self._lock = threading.Lock()  # Gradio checks sign-ins on worker threads

    def _load(self) -> dict[tuple[str, str], _Record]:
        """The saved records; an unreadable file starts empty (and is rewritten at the next failure)."""
        if self.state_file is None or not self.state_file.exists():
            return {}
        try:
            rows = json.loads(self.state_file.read_text(encoding="utf-8"))
            return {(str(r["kind"]), str(r["key"])): _Record(int(r["failures"]), float(r["locked_until"]))
                    for r in rows}
        except (OSError, ValueError, KeyError, TypeError):
            return {}

    def _save(self) -> None:
        if self.state_file is None:
            return
        from assistant.files import make_private, write_text_atomically

        rows = [{"kind": kind, "key": key, "failures": r.failures, "locked_until": r.locked_until}
                for (kind, key), r in self._records.items()]
        self.state_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        make_private(write_text_atomically(self.state_file, json.dumps(rows)))

    def _keys(self, user: str | None, client: str | None) -> list[tuple[str, str]]:
        return [("user", (user or "").lower()), ("client", client or "unknown")]

    def retry_after(self, user: str | None, client: str | None) -> float:
        """Seconds until this user name from this client may try again (0 when it may now)."""
        now = self.clock()
        waits = [r.locked_until - now for k in self._keys(user, client) if (r := self._records.get(k))]
        return max([0.0, *waits])

    def attempt(self, user: str | None, client: str | None, check_password: Callable[[], bool]) -> bool:
        """Run check_password unless locked out; record the outcome. A locked attempt is refused unchecked.

        The records are read and written under a lock (Gradio checks sign-ins on worker threads); the password
        check itself runs outside it, so one slow hash never holds up other reviewers' sign-ins.
        """
        with self._lock:
            wait = self.retry_after(user, client)
        if wait > 0:
            self.audit("login_locked", {"user": user, "client": client, "retry_after_s": round(wait, 1)})
            return False
        if check_password():
            with self._lock:
                forgotten = [self._records.pop(key, None) for key in self._keys(user, client)]
                if any(forgotten):
                    self._save()
            self.audit("login_ok", {"user": user, "client": client})
            return True
        with self._lock:
            self._fail(user, client)
        self.audit("login_failed", {"user": user, "client": client,
                                    "retry_after_s": round(self.retry_after(user, client), 1)})
        return False

    MAX_TRACKED = 10_000
    """Keys kept at most; beyond it, keys whose lockout has passed are forgotten (a flood of made-up user
    names cannot grow memory without bound)."""

    def _fail(self, user: str | None, client: str | None) -> None:
        now = self.clock()
        if len(self._records) >= self.MAX_TRACKED:
            self._records = {k: r for k, r in self._records.items() if r.locked_until > now}
        for key in self._keys(user, client):
            record = self._records.setdefault(key, _Record())
            record.failures += 1
            over = record.failures - self.free_failures
            if over >= 0:
                record.locked_until = now + min(self.max_s, self.base_s * 2 ** over)
        self._save()


def throttled_gradio_auth(users: dict[str, str], throttle: LoginThrottle, client: Callable[[], str | None] = lambda: None):
    """The callable Gradio's launch(auth=…) takes, throttled. Gradio passes only (name, password), so the client
    address comes from `client` (the UI can pass a context-var reader); without one only per-user limits apply."""
    from assistant.auth import authenticate

    def check(name: str, password: str) -> bool:
        return throttle.attempt(name, client(), lambda: authenticate(users, name, password))

    return check


def jsonl_audit(path) -> AuditHook:
    """An audit hook that appends each sign-in event as one JSON line to an owner-only (0600) file, never
    rewritten (the sign-in record of a team deployment: who, from where, when, with what outcome)."""
    path = Path(path)

    def write(event: str, details: dict) -> None:
        record = {"at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "event": event, **details}
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
        finally:
            os.close(fd)

    return write
