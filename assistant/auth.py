"""Reviewer sign-in: a users.toml of argon2id hashes, and the rule that only loopback runs without it.

    [users.alice]
    password_hash = "$argon2id$v=19$m=65536,t=3,p=4$…"
    role = "admin"          # optional; admins may add guidelines every reviewer drafts from

`assistant users add NAME --auth users.toml` adds or replaces a user (password prompted, or read from stdin).
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from assistant.errors import AccessDenied, ConfigurationError
from assistant.files import write_atomically

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MIN_PASSWORD_LENGTH = 8

_hasher = PasswordHasher()
# Verified against when the user name is unknown, so a wrong name costs the same time as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password-for-timing-only")


def hash_password(password: str) -> str:
    if not password:
        raise ConfigurationError("An empty password cannot be hashed.")
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def load_users(path: Path | str) -> dict[str, str]:
    """User name → argon2 hash from a users.toml. Raises ConfigurationError with what to fix."""
    path = Path(path)
    if not path.is_file():
        raise ConfigurationError(
            f"{path} does not exist. Create it with `assistant users add NAME --auth {path}`."
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"{path} is not valid TOML: {exc}") from exc
    users = data.get("users", {})
    if not isinstance(users, dict):
        raise ConfigurationError(f"{path}: [users] must be a table of [users.NAME] entries.")
    result: dict[str, str] = {}
    for name, entry in users.items():
        value = entry.get("password_hash") if isinstance(entry, dict) else None
        if not isinstance(value, str) or not value.startswith("$argon2"):
            raise ConfigurationError(
                f"{path}: [users.{name}] needs password_hash = \"$argon2id$…\" "
                f"(set it with `assistant users add {name} --auth {path}`)."
            )
        result[name] = value
    if not result:
        raise ConfigurationError(f"{path} holds no users. Add one with `assistant users add NAME --auth {path}`.")
    return result


def authenticate(users: dict[str, str], name: str, password: str) -> bool:
    stored = users.get(name or "")
    if stored is None:
        verify_password(_DUMMY_HASH, password or "")
        return False
    return verify_password(stored, password or "")


def gradio_auth(users: dict[str, str]):
    """The callable Gradio's launch(auth=…) takes."""

    def check(name: str, password: str) -> bool:
        return authenticate(users, name, password)

    return check


ROLES = ("reviewer", "admin")


def load_roles(path: Path | str) -> dict[str, str]:
    """User name → role ("reviewer" unless `role = "admin"` is set) from a users.toml."""
    load_users(path)  # the same checks and messages for a missing or broken file
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    roles: dict[str, str] = {}
    for name, entry in data.get("users", {}).items():
        role = entry.get("role", "reviewer")
        if role not in ROLES:
            raise ConfigurationError(f"{path}: [users.{name}] role must be one of {', '.join(ROLES)}, not {role!r}.")
        roles[name] = role
    return roles


def require_admin(auth_file: Path | str | None, user: str | None, action: str = "add guidelines") -> None:
    """Refuse a shared-corpus change by anyone but an admin of the users.toml.

    Without a users.toml the app serves loopback only and one person owns the process and its data, so they may.
    The UI calls this (with the signed-in name) before adding a guideline; the CLI calls it with --as/$USER."""
    if auth_file is None:
        return
    if load_roles(auth_file).get(user or "") != "admin":
        raise AccessDenied(
            f"Only an admin may {action}: every reviewer drafts from the shared corpus. {user or 'This user'} is "
            f"not an admin in {auth_file}; an admin can grant it with `assistant users add {user or 'NAME'} "
            f"--admin --auth {auth_file}`."
        )


def add_user(path: Path | str, name: str, password: str, admin: bool | None = None) -> None:
    """Add or replace one user; the file is rewritten atomically with mode 0600.

    admin=None keeps an existing user's role; True/False sets it."""
    path = Path(path)
    if not USERNAME.fullmatch(name or ""):
        raise ConfigurationError(f"User name {name!r} must be 1–64 letters, digits, '.', '_' or '-'.")
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ConfigurationError(f"Choose a password of at least {MIN_PASSWORD_LENGTH} characters.")
    existing = path.exists() and path.stat().st_size
    users = load_users(path) if existing else {}
    roles = load_roles(path) if existing else {}
    users[name] = hash_password(password)
    if admin is not None:
        roles[name] = "admin" if admin else "reviewer"
    lines = ["# Reviewer accounts for `assistant ui --auth`; hashes are argon2id. Edit with `assistant users add`.", ""]
    for user in sorted(users):
        lines += [f"[users.{json.dumps(user) if not re.fullmatch(r'[A-Za-z0-9_-]+', user) else user}]",
                  f"password_hash = {json.dumps(users[user])}"]
        if roles.get(user, "reviewer") == "admin":
            lines.append('role = "admin"')
        lines.append("")

    def write_private(tmp: Path) -> None:
        os.chmod(tmp, 0o600)  # before any hash is written
        tmp.write_text("\n".join(lines), encoding="utf-8")

    write_atomically(path, write_private)


def is_loopback(host: str) -> bool:
    host = (host or "").strip().lower()
    return host in LOOPBACK_HOSTS or host.startswith("127.")


def require_safe_bind(host: str, auth_file: Path | str | None) -> None:
    """Only a loopback address may be served without sign-in."""
    if not is_loopback(host) and not auth_file:
        raise AccessDenied(
            f"refusing to listen on {host} without --auth users.toml; case text is medical information, and any "
            f"machine that can reach {host} could read it. Create accounts with `assistant users add NAME --auth "
            "users.toml` and start with `--auth users.toml`, or keep the default --host 127.0.0.1."
        )
