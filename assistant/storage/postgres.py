"""PostgreSQL: the same draft store for a review team (several app instances, one database),
`ASSISTANT_DATABASE_URL=postgresql://…`."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from assistant.errors import ConfigurationError, StorageError
from assistant.files import private_dir, write_text_atomically
from assistant.storage.base import DATA_TABLES, REQUIRED_BACKUP_TABLES, SCHEMA_VERSION, SQL, BaseDraftStore, backup_file, utc_now

PG_BACKUP_FILENAME = "drafts.postgres.json"
PG_BACKUP_FORMAT = "rationale-assistant-postgres-backup"
_PG_SCHEMA = tuple(s.replace("INTEGER PRIMARY KEY AUTOINCREMENT", "BIGSERIAL PRIMARY KEY") for s in SQL.schema)
_PG_SERIAL_TABLES = ("chat_messages", "audit_log")
# Every write transaction takes this transaction-scoped advisory lock first: writers from every app instance
# queue exactly as SQLite's BEGIN IMMEDIATE makes them queue (revision numbers never race).
_PG_WRITE_LOCK_KEY = 0x52415744


class _PgConnection:
    """A psycopg connection that accepts the store's `?` placeholders."""

    def __init__(self, raw):
        self.raw = raw

    def execute(self, sql: str, params: tuple | list | None = None):
        return self.raw.execute(sql.replace("?", "%s"), tuple(params) if params else None)

    def close(self) -> None:
        self.raw.close()


class PostgresDraftStore(BaseDraftStore):
    """`DraftStore` on PostgreSQL (`ASSISTANT_DATABASE_URL=postgresql://…`); same public API and guarantees."""

    placeholder = "%s"
    begin_write = (("BEGIN", ()), ("SELECT pg_advisory_xact_lock(?)", (_PG_WRITE_LOCK_KEY,)))
    begin_read = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
    close_errors = (Exception,)  # closing a broken connection

    def __init__(self, url: str):
        try:
            import psycopg  # noqa: F401
        except ImportError as exc:
            raise ConfigurationError(
                "ASSISTANT_DATABASE_URL points at PostgreSQL but psycopg is not installed. "
                "Install it with `pip install 'rationale-assistant[postgres]'`."
            ) from exc
        self.url = _libpq_url(url)
        self.path = None
        super().__init__(_PG_SCHEMA)

    def __repr__(self) -> str:
        return f"PostgresDraftStore({_redacted(self.url)!r})"

    def _connect(self) -> _PgConnection:  # type: ignore[override]
        import psycopg

        try:
            raw = psycopg.connect(self.url, autocommit=True, connect_timeout=30)
        except psycopg.Error as exc:
            raise StorageError(f"Cannot connect to the drafts database {_redacted(self.url)}: {exc}") from exc
        return _PgConnection(raw)

    # ------------------------------------------------------------------ backup and restore

    def backup(self, dest_dir: Path | str) -> Path:
        """A consistent snapshot of every table as JSON at `dest_dir/drafts.postgres.json` (writers may continue)."""
        dest_dir = private_dir(Path(dest_dir))
        tables: dict[str, dict[str, Any]] = {}
        with self._read() as conn:
            for table in DATA_TABLES:
                cursor = conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2")  # noqa: S608 - fixed names
                columns = [d.name for d in cursor.description]
                tables[table] = {"columns": columns, "rows": [list(r) for r in cursor.fetchall()]}
        payload = {"format": PG_BACKUP_FORMAT, "schema_version": SCHEMA_VERSION, "created_at": utc_now(), "tables": tables}
        return write_text_atomically(dest_dir / PG_BACKUP_FILENAME, json.dumps(payload))

    def restore(self, src_dir: Path | str) -> None:
        """Replace every table's rows with a backup made by `backup`, in one transaction (checked first)."""
        src = backup_file(src_dir, PG_BACKUP_FILENAME)
        try:
            payload = json.loads(src.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise StorageError(f"{src} is not a readable draft-store backup: {exc}") from exc
        if not isinstance(payload, dict) or payload.get("format") != PG_BACKUP_FORMAT:
            raise StorageError(f"{src} is not a PostgreSQL draft-store backup; nothing was restored.")
        tables = payload.get("tables") or {}
        missing = set(REQUIRED_BACKUP_TABLES) - set(tables)
        if missing:
            raise StorageError(f"{src} is not a draft-store backup (missing {', '.join(sorted(missing))}).")
        with self._write() as conn:
            conn.execute("TRUNCATE " + ", ".join(DATA_TABLES))
            for table in DATA_TABLES:
                if table not in tables:  # undecided_drafts, absent from a schema-1 backup
                    continue
                columns, rows = tables[table]["columns"], tables[table]["rows"]
                if not rows:
                    continue
                sql = (f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 - names from our own schema
                       f"VALUES ({', '.join(['%s'] * len(columns))})")
                with conn.raw.cursor() as cursor:
                    cursor.executemany(sql, [tuple(r) for r in rows])
            for table in _PG_SERIAL_TABLES:
                conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                )


def _libpq_url(url: str) -> str:
    """postgresql://… as libpq takes it (also accepts SQLAlchemy's postgresql+psycopg://…)."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.split("+")[0] not in ("postgresql", "postgres"):
        raise ConfigurationError(
            f"ASSISTANT_DATABASE_URL must look like postgresql://user:password@host:5432/dbname, not {_redacted(url)!r}."
        )
    return f"postgresql://{rest}"


def _redacted(url: str) -> str:
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)

