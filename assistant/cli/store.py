"""`assistant backup DIR` and `assistant restore DIR`: the drafts database (cases, item drafts with every
revision, chat history and the audit log, which all live in the one store) copied out and back.

SQLite (the default) writes DIR/drafts.sqlite3 with SQLite's online backup, so the app may keep running;
PostgreSQL (ASSISTANT_DATABASE_URL) writes DIR/drafts.postgres.json from one consistent snapshot.
`restore` checks the backup before anything is overwritten; with --yes it does not ask.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.config import settings_from_args


def _open_store(args: argparse.Namespace):
    from assistant.storage import open_draft_store

    return open_draft_store(settings_from_args(args))


def _summary(store) -> str:
    counts = store.table_counts()
    labels = (("cases", "cases"), ("item_drafts", "draft revisions"), ("chat_messages", "chat messages"),
              ("audit_log", "audit entries"))
    return ", ".join(f"{counts[table]} {label}" for table, label in labels)


def cmd_backup(args: argparse.Namespace) -> int:
    store = _open_store(args)
    try:
        path = store.backup(Path(args.dir))
        print(f"Backed up {_summary(store)} to {path}")
    finally:
        store.close()
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    store = _open_store(args)
    try:
        if not args.yes and sys.stdin.isatty():
            answer = input(f"Replace every draft in the store ({_summary(store)}) with the backup in {args.dir}? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                print("Nothing restored.")
                return 1
        store.restore(Path(args.dir))
        print(f"Restored {_summary(store)} from {args.dir}")
    finally:
        store.close()
    return 0


def add_store_commands(commands) -> None:
    backup = commands.add_parser("backup", help="copy the drafts database (drafts, chat, audit log) into DIR")
    backup.add_argument("dir", type=Path, help="folder to write the backup into (created if missing)")
    backup.add_argument("--database-url", help="postgresql://… (ASSISTANT_DATABASE_URL); SQLite under --home when unset")
    backup.set_defaults(func=cmd_backup)

    restore = commands.add_parser("restore", help="replace the drafts database with a backup made by `assistant backup`")
    restore.add_argument("dir", type=Path, help="folder holding the backup")
    restore.add_argument("--database-url", help="postgresql://… (ASSISTANT_DATABASE_URL); SQLite under --home when unset")
    restore.add_argument("--yes", action="store_true", help="do not ask before replacing the current drafts")
    restore.set_defaults(func=cmd_restore)

