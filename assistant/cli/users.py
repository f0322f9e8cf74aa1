"""`assistant users add NAME --auth users.toml`: reviewer accounts for `assistant ui --auth`."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

from assistant.auth import add_user
from assistant.errors import ConfigurationError


def read_new_password(stream=None) -> str:
    """Prompt twice on a terminal; otherwise read one line from stdin (for scripts: `echo pw | assistant users add`)."""
    stream = stream or sys.stdin
    if stream.isatty():
        first = getpass.getpass("Password: ")
        second = getpass.getpass("Repeat password: ")
        if first != second:
            raise ConfigurationError("The two passwords differ; nothing was changed.")
        return first
    return stream.readline().rstrip("\r\n")


def cmd_users_add(args) -> int:
    password = read_new_password()
    add_user(Path(args.auth), args.name, password, admin=True if args.admin else None)
    print(f"Saved user {args.name} in {args.auth}.")
    return 0


def add_users_commands(commands) -> None:
    users = commands.add_parser("users", help="reviewer accounts for `assistant ui --auth`").add_subparsers(
        dest="users_command", required=True
    )
    add = users.add_parser("add", help="add a reviewer or change their password (prompted, or one line on stdin)")
    add.add_argument("name")
    add.add_argument("--auth", required=True, type=Path, help="the users.toml to create or update")
    add.add_argument("--admin", action="store_true", help="may add guidelines every reviewer drafts from")
    add.set_defaults(func=cmd_users_add)
