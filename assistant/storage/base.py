"""Drafts that never get lost: cases, item drafts (every revision kept), chat history and an audit log.

SQLite under `settings.drafts_db` in WAL mode with `synchronous=FULL`: every save is one transaction that is
on disk before the call returns, so a crash or a SIGKILL loses nothing that was reported as saved.

Every query filters by reviewer, and case ids are per reviewer: two reviewers may each hold a case
CM16-0001, a new case's id suffix ("-2") counts only the reviewer's own cases, and an id the reviewer does not
hold raises the same `CaseNotFound` (an `AccessDenied`) whether or not someone else holds it.

All SQL lives in `SQL` and uses only plain statements (no SQLite-only functions in the queries); the SQLite
store (`storage.sqlite`) and the PostgreSQL store (`storage.postgres`) subclass `BaseDraftStore` here and give
only the connection, the transaction openers and `backup`/`restore`.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Literal

from contextlib import contextmanager

from assistant.contracts import CaseFile, ItemRationale, VerificationReport
from assistant.errors import AccessDenied, StorageError
from assistant.verification.textmatch import split_sentences

AuditAction = Literal["generated", "accepted", "edited", "exported", "imported", "checked"]
AUDIT_ACTIONS: tuple[str, ...] = ("generated", "accepted", "edited", "exported", "imported", "checked")
SCHEMA_VERSION = 2
DATA_TABLES = ("cases", "item_drafts", "chat_messages", "audit_log", "undecided_drafts")
REQUIRED_BACKUP_TABLES = ("cases", "item_drafts", "chat_messages", "audit_log")
"""A backup must hold these; undecided_drafts (schema 2) may be missing from an older one."""


class CaseNotFound(StorageError, AccessDenied, LookupError):
    """This reviewer holds no case with this id. Raised alike whether the id is unused or another reviewer's
    (each reviewer has their own case ids), so the error never tells the two apart."""


# Version 2: case ids are per reviewer (the key is (reviewer, case_id)), so the id a new case gets, and every
# "not found", say nothing about other reviewers' cases.
CASES_TABLE = """CREATE TABLE IF NOT EXISTS {name} (
            case_id TEXT NOT NULL,
            reviewer TEXT NOT NULL,
            title TEXT NOT NULL,
            case_json TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (reviewer, case_id)
        )"""
ITEM_DRAFTS_TABLE = """CREATE TABLE IF NOT EXISTS {name} (
            case_id TEXT NOT NULL,
            item_index INTEGER NOT NULL,
            revision INTEGER NOT NULL,
            reviewer TEXT NOT NULL,
            rationale_json TEXT NOT NULL,
            report_json TEXT,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (reviewer, case_id, item_index, revision)
        )"""


def _rekey(table: str, definition: str, columns: str) -> tuple[str, ...]:
    """Copy `table` into a table of the new definition and swap it in (portable SQL: SQLite and PostgreSQL)."""
    return (
        definition.format(name=f"{table}_v2"),
        f"INSERT INTO {table}_v2 ({columns}) SELECT {columns} FROM {table}",  # noqa: S608 - fixed names
        f"DROP TABLE {table}",
        f"ALTER TABLE {table}_v2 RENAME TO {table}",
    )


class SQL:
    """Every statement the store runs. `?` placeholders; a PostgreSQL subclass would swap them for `%s`."""

    schema = (
        """CREATE TABLE IF NOT EXISTS schema_info (
            version INTEGER NOT NULL
        )""",
        CASES_TABLE.format(name="cases"),
        "CREATE INDEX IF NOT EXISTS cases_by_reviewer ON cases (reviewer, updated_at)",
        ITEM_DRAFTS_TABLE.format(name="item_drafts"),
        """CREATE TABLE IF NOT EXISTS chat_messages (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            case_id TEXT NOT NULL,
            reviewer TEXT NOT NULL,
            role TEXT NOT NULL,
            content TEXT NOT NULL,
            created_at TEXT NOT NULL
        )""",
        "CREATE INDEX IF NOT EXISTS chat_by_case ON chat_messages (case_id, reviewer, id)",
        """CREATE TABLE IF NOT EXISTS audit_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            who TEXT NOT NULL,
            at TEXT NOT NULL,
            case_id TEXT NOT NULL,
            item_index INTEGER,
            action TEXT NOT NULL CHECK (action IN ('generated','accepted','edited','exported','imported','checked')),
            detail_json TEXT NOT NULL
        )""",
        "CREATE INDEX IF NOT EXISTS audit_by_case ON audit_log (case_id, id)",
        # Text typed before a decision is chosen: one row per item, replaced on every edit, removed when the
        # first decided revision is saved (a revision needs a decision; this keeps the typing meanwhile).
        """CREATE TABLE IF NOT EXISTS undecided_drafts (
            reviewer TEXT NOT NULL,
            case_id TEXT NOT NULL,
            item_index INTEGER NOT NULL,
            fields_json TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (reviewer, case_id, item_index)
        )""",
    )
    migrate_1_to_2 = (
        *_rekey("cases", CASES_TABLE, "case_id, reviewer, title, case_json, updated_at"),
        "CREATE INDEX IF NOT EXISTS cases_by_reviewer ON cases (reviewer, updated_at)",
        *_rekey("item_drafts", ITEM_DRAFTS_TABLE,
                "case_id, item_index, revision, reviewer, rationale_json, report_json, updated_at"),
        "UPDATE schema_info SET version = 2",
    )
    schema_version = "SELECT version FROM schema_info"
    set_schema_version = "INSERT INTO schema_info (version) VALUES (?)"

    case_held = "SELECT 1 FROM cases WHERE reviewer = ? AND case_id = ?"
    insert_case = "INSERT INTO cases (case_id, reviewer, title, case_json, updated_at) VALUES (?, ?, ?, ?, ?)"
    update_case = "UPDATE cases SET title = ?, case_json = ?, updated_at = ? WHERE case_id = ? AND reviewer = ?"
    list_cases = (
        "SELECT case_id, title, updated_at FROM cases WHERE reviewer = ? ORDER BY updated_at DESC, case_id"
    )
    load_case = "SELECT case_json, title, updated_at FROM cases WHERE case_id = ? AND reviewer = ?"

    next_revision = (
        "SELECT MAX(revision) FROM item_drafts WHERE case_id = ? AND item_index = ? AND reviewer = ?"
    )
    replace_item = (
        "UPDATE item_drafts SET rationale_json = ?, report_json = ?, updated_at = ? "
        "WHERE case_id = ? AND item_index = ? AND revision = ? AND reviewer = ?"
    )
    insert_item = (
        "INSERT INTO item_drafts (case_id, item_index, revision, reviewer, rationale_json, report_json, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)"
    )
    latest_items = (
        "SELECT d.item_index, d.revision, d.rationale_json, d.report_json, d.updated_at FROM item_drafts d "
        "WHERE d.case_id = ? AND d.reviewer = ? AND d.revision = ("
        "SELECT MAX(e.revision) FROM item_drafts e WHERE e.case_id = d.case_id AND e.item_index = d.item_index "
        "AND e.reviewer = d.reviewer) ORDER BY d.item_index"
    )
    item_history = (
        "SELECT item_index, revision, rationale_json, report_json, updated_at FROM item_drafts "
        "WHERE case_id = ? AND reviewer = ? AND item_index = ? ORDER BY revision"
    )
    latest_item = (
        "SELECT item_index, revision, rationale_json, report_json, updated_at FROM item_drafts "
        "WHERE case_id = ? AND reviewer = ? AND item_index = ? ORDER BY revision DESC LIMIT 1"
    )

    delete_undecided = "DELETE FROM undecided_drafts WHERE reviewer = ? AND case_id = ? AND item_index = ?"
    insert_undecided = (
        "INSERT INTO undecided_drafts (reviewer, case_id, item_index, fields_json, updated_at) VALUES (?, ?, ?, ?, ?)"
    )
    load_undecided = (
        "SELECT fields_json, updated_at FROM undecided_drafts WHERE reviewer = ? AND case_id = ? AND item_index = ?"
    )

    insert_chat = "INSERT INTO chat_messages (case_id, reviewer, role, content, created_at) VALUES (?, ?, ?, ?, ?)"
    chat_history = (
        "SELECT role, content, created_at FROM chat_messages WHERE case_id = ? AND reviewer = ? ORDER BY id"
    )

    insert_audit = (
        "INSERT INTO audit_log (who, at, case_id, item_index, action, detail_json) VALUES (?, ?, ?, ?, ?, ?)"
    )
    audit_entries = (
        "SELECT id, who, at, case_id, item_index, action, detail_json FROM audit_log "
        "WHERE case_id = ? AND who = ? ORDER BY id"
    )
    last_generated = (
        "SELECT detail_json FROM audit_log WHERE case_id = ? AND who = ? AND item_index = ? "
        "AND action = 'generated' ORDER BY id DESC LIMIT 1"
    )


@dataclass(frozen=True)
class CaseSummary:
    case_id: str
    title: str
    updated_at: str


@dataclass(frozen=True)
class ItemDraft:
    case_id: str
    item_index: int
    revision: int
    rationale: ItemRationale
    report: VerificationReport | None
    updated_at: str


@dataclass(frozen=True)
class ChatMessage:
    role: str
    content: str
    created_at: str


@dataclass(frozen=True)
class AuditEntry:
    id: int
    who: str
    at: str
    case_id: str
    item_index: int | None
    action: str
    detail: dict[str, Any]


class StaleDraftError(StorageError):
    """A save based on a revision older than the stored one: saving would overwrite a newer edit."""


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def _require_reviewer(reviewer: str) -> str:
    if not isinstance(reviewer, str) or not reviewer.strip():
        raise AccessDenied("No reviewer name: every draft belongs to a signed-in reviewer.")
    return reviewer.strip()


def backup_file(src_dir: Path | str, filename: str) -> Path:
    """The backup file `backup` wrote: `src_dir/filename`, or `src_dir` itself when it names the file."""
    src = Path(src_dir)
    if src.is_dir():
        src = src / filename
    if not src.is_file():
        raise StorageError(f"No backup at {src}; expected the {filename} written by `backup`.")
    return src


def ai_text_retention(ai_text: str, final_text: str) -> dict[str, Any]:
    """How much of the AI-generated text survives in the reviewer's text: sentences kept verbatim."""
    ai_sentences = split_sentences(" ".join((ai_text or "").split()))
    final_flat = " ".join((final_text or "").split())
    kept = [i for i, sentence in enumerate(ai_sentences) if sentence in final_flat]
    total = len(ai_sentences)
    return {
        "ai_sentences": total,
        "kept_sentences": len(kept),
        "kept_fraction": round(len(kept) / total, 4) if total else 0.0,
        "kept_sentence_indexes": kept,
        "final_chars": len(final_flat),
    }


class BaseDraftStore:
    """The reviewer's drafts, whatever the database. Open once per process; safe to share between threads
    (one connection each). Subclasses give `_connect`, the transaction openers and `backup`/`restore`."""

    placeholder = "?"
    begin_write: tuple[tuple[str, tuple], ...] = (("BEGIN IMMEDIATE", ()),)
    begin_read = "BEGIN"
    close_errors: tuple[type[BaseException], ...] = (Exception,)

    def __init__(self, schema: tuple[str, ...]):
        self._local = threading.local()
        self._connections: list[Any] = []
        self._connections_lock = threading.Lock()
        self._write_lock = threading.RLock()
        self._closed = False
        self._schema = schema
        self._ensure_schema()

    def _ensure_schema(self) -> None:
        """Create missing tables and bring a version-1 database to version 2 (also after restoring an old backup)."""
        with self._write() as conn:
            for statement in self._schema:
                conn.execute(statement)
            row = conn.execute(SQL.schema_version).fetchone()
            if row is None:
                conn.execute(SQL.set_schema_version, (SCHEMA_VERSION,))
            elif row[0] == 1:
                for statement in SQL.migrate_1_to_2:
                    conn.execute(statement)

    # ------------------------------------------------------------------ connections and transactions

    def _connect(self) -> Any:
        raise NotImplementedError

    def _conn(self) -> Any:
        if self._closed:
            raise StorageError("The draft store is closed.")
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
            with self._connections_lock:
                self._connections.append(conn)
        return conn

    @contextmanager
    def _write(self) -> Iterator[Any]:
        """One write transaction; `begin_write` takes the write lock up front, so writers queue, never deadlock."""
        with self._write_lock:
            conn = self._conn()
            (first, params), *rest = self.begin_write
            conn.execute(first, params)
            try:
                for statement, params in rest:
                    conn.execute(statement, params)
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            else:
                conn.execute("COMMIT")

    @contextmanager
    def _read(self) -> Iterator[Any]:
        """A consistent snapshot for multi-statement reads."""
        conn = self._conn()
        conn.execute(self.begin_read)
        try:
            yield conn
        finally:
            conn.execute("COMMIT")  # after an SQL error PostgreSQL turns this into a rollback

    def close(self) -> None:
        with self._connections_lock:
            for conn in self._connections:
                try:
                    conn.close()
                except self.close_errors:
                    pass
            self._connections.clear()
        self._local = threading.local()
        self._closed = True

    def __enter__(self) -> "BaseDraftStore":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ ownership

    def _check_owner(self, conn: Any, reviewer: str, case_id: str, *, must_exist: bool = True) -> bool:
        """Whether `reviewer` holds `case_id`; with must_exist, the same CaseNotFound whether the id is unused or
        another reviewer's (nothing here looks at other reviewers' cases)."""
        if conn.execute(SQL.case_held, (reviewer, case_id)).fetchone() is not None:
            return True
        if must_exist:
            raise CaseNotFound(f"No case {case_id!r} among your saved cases. Read the case in first.")
        return False

    def case_exists(self, reviewer: str, case_id: str) -> bool:
        """Whether this reviewer already holds this case id."""
        return self._conn().execute(SQL.case_held, (_require_reviewer(reviewer), case_id)).fetchone() is not None

    def unique_case_id(self, reviewer: str, base: str) -> str:
        """`base`, or `base-2`, `base-3` … the first id this reviewer does not hold yet (other reviewers' ids
        play no part, so the suffix reveals nothing about them)."""
        base = re.sub(r"[^A-Za-z0-9._-]+", "-", (base or "case").strip()).strip("-") or "case"
        candidate, n = base, 1
        while self.case_exists(reviewer, candidate):
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    def create_case(self, reviewer: str, case: CaseFile, title: str | None = None) -> CaseFile:
        """Store a newly read case under a fresh id, chosen and inserted in one write transaction so two
        reviewers reading cases at the same moment never collide on an id."""
        reviewer = _require_reviewer(reviewer)
        base = re.sub(r"[^A-Za-z0-9._-]+", "-", (case.case_id or "case").strip()).strip("-.") or "case"
        base = re.sub(r"\.{2,}", ".", base)
        with self._write() as conn:
            candidate, n = base, 1
            while conn.execute(SQL.case_held, (reviewer, candidate)).fetchone() is not None:
                n += 1
                candidate = f"{base}-{n}"
            stored = case.model_copy(update={"case_id": candidate})
            conn.execute(SQL.insert_case, (candidate, reviewer, (title or _default_title(stored)).strip() or candidate,
                                            stored.model_dump_json(), utc_now()))
        return stored

    # ------------------------------------------------------------------ cases

    def save_case(self, reviewer: str, case: CaseFile, title: str | None = None) -> str:
        reviewer = _require_reviewer(reviewer)
        title = (title or _default_title(case)).strip() or case.case_id
        payload = case.model_dump_json()
        with self._write() as conn:
            if self._check_owner(conn, reviewer, case.case_id, must_exist=False):
                conn.execute(SQL.update_case, (title, payload, utc_now(), case.case_id, reviewer))
            else:
                conn.execute(SQL.insert_case, (case.case_id, reviewer, title, payload, utc_now()))
        return case.case_id

    def list_cases(self, reviewer: str) -> list[CaseSummary]:
        reviewer = _require_reviewer(reviewer)
        rows = self._conn().execute(SQL.list_cases, (reviewer,)).fetchall()
        return [CaseSummary(case_id=r[0], title=r[1], updated_at=r[2]) for r in rows]

    def load_case(self, reviewer: str, case_id: str) -> CaseFile:
        reviewer = _require_reviewer(reviewer)
        with self._read() as conn:
            self._check_owner(conn, reviewer, case_id)
            row = conn.execute(SQL.load_case, (case_id, reviewer)).fetchone()
        return CaseFile.model_validate_json(row[0])

    # ------------------------------------------------------------------ item drafts

    def save_item(
        self,
        reviewer: str,
        case_id: str,
        item_index: int,
        rationale: ItemRationale,
        report: VerificationReport | None = None,
        action: AuditAction | None = "edited",
        detail: dict[str, Any] | None = None,
        expected_revision: int | None = None,
        coalesce: bool = False,
    ) -> ItemDraft:
        """Save a new revision of one item's draft (and its audit entry) in one transaction.

        `expected_revision`: the revision the editor was showing; if a newer one is stored, nothing is written
        and `StaleDraftError` says so (an autosave never overwrites a newer edit). `coalesce=True` (with
        `expected_revision`) rewrites that revision in place instead of adding one: typing is one revision, and
        only the first write of it is audited.

        `action="generated"` records the AI text so later edits can say how much of it was kept;
        `action="edited"`/`"accepted"` add that retention to the audit detail.
        """
        reviewer = _require_reviewer(reviewer)
        if action is not None and action not in AUDIT_ACTIONS:
            raise StorageError(f"Unknown audit action {action!r}; expected one of {', '.join(AUDIT_ACTIONS)}.")
        rationale_json = rationale.model_dump_json()
        report_json = report.model_dump_json() if report is not None else None
        at = utc_now()
        with self._write() as conn:
            self._check_owner(conn, reviewer, case_id)
            current = conn.execute(SQL.next_revision, (case_id, item_index, reviewer)).fetchone()[0] or 0
            if expected_revision is not None and current != expected_revision:
                raise StaleDraftError(
                    f"Revision {current} of this item was saved after the revision {expected_revision} you are editing; "
                    "your text was not saved over it. Copy your text, reopen the item and merge.")
            if coalesce and expected_revision:
                conn.execute(SQL.replace_item, (rationale_json, report_json, at, case_id, item_index, current, reviewer))
                return ItemDraft(case_id, item_index, current, rationale, report, at)
            revision = current + 1
            conn.execute(SQL.insert_item, (case_id, item_index, revision, reviewer, rationale_json, report_json, at))
            conn.execute(SQL.delete_undecided, (reviewer, case_id, item_index))
            if action is not None:
                full_detail = dict(detail or {})
                full_detail["revision"] = revision
                full_detail["decision"] = rationale.decision
                full_detail["citations"] = len(rationale.citations)
                if report is not None:
                    full_detail["badge"] = report.badge()
                    full_detail["problems"] = len(report.problems)
                if action == "generated":
                    full_detail.setdefault("ai_rationale", rationale.rationale)
                elif action in ("edited", "accepted"):
                    row = conn.execute(SQL.last_generated, (case_id, reviewer, item_index)).fetchone()
                    if row is not None:
                        ai_text = json.loads(row[0]).get("ai_rationale", "")
                        full_detail["ai_text_kept"] = ai_text_retention(ai_text, rationale.rationale)
                    else:
                        full_detail["ai_text_kept"] = None  # written by the reviewer without an AI draft
                conn.execute(
                    SQL.insert_audit, (reviewer, at, case_id, item_index, action, json.dumps(full_detail, sort_keys=True))
                )
        return ItemDraft(case_id, item_index, revision, rationale, report, at)

    def save_undecided(self, reviewer: str, case_id: str, item_index: int, fields: dict[str, Any]) -> str:
        """Keep what the reviewer typed for an item before choosing a decision (guideline lines, rationale,
        citation rows); replaced on each call, dropped when a decided revision is saved. Returns the time saved."""
        reviewer = _require_reviewer(reviewer)
        at = utc_now()
        with self._write() as conn:
            self._check_owner(conn, reviewer, case_id)
            conn.execute(SQL.delete_undecided, (reviewer, case_id, item_index))
            conn.execute(SQL.insert_undecided, (reviewer, case_id, item_index, json.dumps(fields), at))
        return at

    def load_undecided(self, reviewer: str, case_id: str, item_index: int) -> dict[str, Any] | None:
        reviewer = _require_reviewer(reviewer)
        with self._read() as conn:
            self._check_owner(conn, reviewer, case_id)
            row = conn.execute(SQL.load_undecided, (reviewer, case_id, item_index)).fetchone()
        return json.loads(row[0]) if row else None

    def load_items(self, reviewer: str, case_id: str) -> dict[int, ItemDraft]:
        """The latest revision of every drafted item, by item index."""
        reviewer = _require_reviewer(reviewer)
        with self._read() as conn:
            self._check_owner(conn, reviewer, case_id)
            rows = conn.execute(SQL.latest_items, (case_id, reviewer)).fetchall()
        return {r[0]: _item(case_id, r) for r in rows}

    def load_item(self, reviewer: str, case_id: str, item_index: int) -> ItemDraft | None:
        reviewer = _require_reviewer(reviewer)
        with self._read() as conn:
            self._check_owner(conn, reviewer, case_id)
            row = conn.execute(SQL.latest_item, (case_id, reviewer, item_index)).fetchone()
        return _item(case_id, row) if row else None

    def item_history(self, reviewer: str, case_id: str, item_index: int) -> list[ItemDraft]:
        """Every saved revision of one item, oldest first."""
        reviewer = _require_reviewer(reviewer)
        with self._read() as conn:
            self._check_owner(conn, reviewer, case_id)
            rows = conn.execute(SQL.item_history, (case_id, reviewer, item_index)).fetchall()
        return [_item(case_id, r) for r in rows]

    # ------------------------------------------------------------------ chat

    def append_chat(self, reviewer: str, case_id: str, role: str, content: str) -> None:
        reviewer = _require_reviewer(reviewer)
        if role not in ("user", "assistant"):
            raise StorageError(f"Chat role must be 'user' or 'assistant', not {role!r}.")
        with self._write() as conn:
            self._check_owner(conn, reviewer, case_id)
            conn.execute(SQL.insert_chat, (case_id, reviewer, role, content, utc_now()))

    def chat_history(self, reviewer: str, case_id: str) -> list[ChatMessage]:
        reviewer = _require_reviewer(reviewer)
        with self._read() as conn:
            self._check_owner(conn, reviewer, case_id)
            rows = conn.execute(SQL.chat_history, (case_id, reviewer)).fetchall()
        return [ChatMessage(role=r[0], content=r[1], created_at=r[2]) for r in rows]

    # ------------------------------------------------------------------ audit

    def audit(
        self,
        reviewer: str,
        case_id: str,
        action: AuditAction,
        item_index: int | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        reviewer = _require_reviewer(reviewer)
        if action not in AUDIT_ACTIONS:
            raise StorageError(f"Unknown audit action {action!r}; expected one of {', '.join(AUDIT_ACTIONS)}.")
        with self._write() as conn:
            self._check_owner(conn, reviewer, case_id)
            conn.execute(
                SQL.insert_audit,
                (reviewer, utc_now(), case_id, item_index, action, json.dumps(detail or {}, sort_keys=True)),
            )

    def audit_entries(self, reviewer: str, case_id: str) -> list[AuditEntry]:
        reviewer = _require_reviewer(reviewer)
        with self._read() as conn:
            self._check_owner(conn, reviewer, case_id)
            rows = conn.execute(SQL.audit_entries, (case_id, reviewer)).fetchall()
        return [
            AuditEntry(id=r[0], who=r[1], at=r[2], case_id=r[3], item_index=r[4], action=r[5], detail=json.loads(r[6]))
            for r in rows
        ]

    def last_generated_text(self, reviewer: str, case_id: str, item_index: int) -> str | None:
        reviewer = _require_reviewer(reviewer)
        with self._read() as conn:
            self._check_owner(conn, reviewer, case_id)
            row = conn.execute(SQL.last_generated, (case_id, reviewer, item_index)).fetchone()
        return json.loads(row[0]).get("ai_rationale") if row else None

    def table_counts(self) -> dict[str, int]:
        """Rows per table (cases, draft revisions, chat messages, audit entries) from one snapshot."""
        with self._read() as conn:
            return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in DATA_TABLES}  # noqa: S608

    # ------------------------------------------------------------------ backup and restore

    def backup(self, dest_dir: Path | str) -> Path:
        raise NotImplementedError

    def restore(self, src_dir: Path | str) -> None:
        raise NotImplementedError


def _item(case_id: str, row: tuple) -> ItemDraft:
    return ItemDraft(
        case_id=case_id,
        item_index=row[0],
        revision=row[1],
        rationale=ItemRationale.model_validate_json(row[2]),
        report=VerificationReport.model_validate_json(row[3]) if row[3] else None,
        updated_at=row[4],
    )


def _default_title(case: CaseFile) -> str:
    first = case.items[0].text if case.items else ""
    more = f" (+{len(case.items) - 1} more)" if len(case.items) > 1 else ""
    return f"{case.case_id}: {first}{more}" if first else case.case_id
