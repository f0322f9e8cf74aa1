"""The default draft store: SQLite under `settings.drafts_db` in WAL mode with `synchronous=FULL`, so every
save is on disk before the call returns."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from assistant.errors import StorageError
from assistant.files import make_private, private_dir, write_atomically
from assistant.storage.base import REQUIRED_BACKUP_TABLES, SQL, BaseDraftStore, backup_file

BACKUP_FILENAME = "drafts.sqlite3"


class DraftStore(BaseDraftStore):
    """The reviewer's drafts in one SQLite file (the default; a single reviewer or a small office)."""

    close_errors = (sqlite3.Error,)

    def __init__(self, path: Path | str):
        self.path = Path(path)
        private_dir(self.path.parent)
        super().__init__(SQL.schema)
        for suffix in ("", "-wal", "-shm"):  # PHI: owner-only, whatever the umask was when they were created
            make_private(Path(f"{self.path}{suffix}"))

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=60.0, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 60000")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    def backup(self, dest_dir: Path | str) -> Path:
        """A consistent copy of the whole store at `dest_dir/drafts.sqlite3` (SQLite online backup; writers may continue)."""
        return write_atomically(private_dir(Path(dest_dir)) / BACKUP_FILENAME, self._backup_into)

    def _backup_into(self, path: Path) -> None:
        target = sqlite3.connect(path)
        try:
            self._conn().backup(target)
            target.execute("PRAGMA journal_mode = DELETE")
            target.commit()
        finally:
            target.close()

    def restore(self, src_dir: Path | str) -> None:
        """Replace the store's content with a backup made by `backup` (checked before anything is overwritten)."""
        src = backup_file(src_dir, BACKUP_FILENAME)
        source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
        try:
            try:
                check = source.execute("PRAGMA integrity_check").fetchone()[0]
                tables = {r[0] for r in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            except sqlite3.DatabaseError as exc:
                raise StorageError(f"{src} is not a readable SQLite backup: {exc}") from exc
            if check != "ok":
                raise StorageError(f"{src} fails SQLite's integrity check ({check}); nothing was restored.")
            missing = set(REQUIRED_BACKUP_TABLES) - tables
            if missing:
                raise StorageError(f"{src} is not a draft-store backup (missing {', '.join(sorted(missing))}).")
            with self._write_lock:
                source.backup(self._conn())
        finally:
            source.close()
        self._ensure_schema()  # a backup from schema 1 is brought to schema 2
