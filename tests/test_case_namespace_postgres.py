"""The per-reviewer case ids, the uniform not-found, the autosave of undecided text and the version-1 migration
on a real PostgreSQL server (the same SQL as SQLite; PostgreSQL's constraint and index names differ)."""

from __future__ import annotations

import pytest

from assistant.contracts import CaseFile, DisputedItem, ItemRationale
from assistant.storage import CaseNotFound, PostgresDraftStore
from test_team_deployment import postgres_url  # noqa: F401 - the fixture: a throwaway server on 127.0.0.1

pytestmark = [pytest.mark.server]

V1_SCHEMA = (
    "CREATE TABLE schema_info (version INTEGER NOT NULL)",
    "INSERT INTO schema_info VALUES (1)",
    "CREATE TABLE cases (case_id TEXT PRIMARY KEY, reviewer TEXT NOT NULL, title TEXT NOT NULL, "
    "case_json TEXT NOT NULL, updated_at TEXT NOT NULL)",
    "CREATE INDEX cases_by_reviewer ON cases (reviewer, updated_at)",
    "CREATE TABLE item_drafts (case_id TEXT NOT NULL, item_index INTEGER NOT NULL, revision INTEGER NOT NULL, "
    "reviewer TEXT NOT NULL, rationale_json TEXT NOT NULL, report_json TEXT, updated_at TEXT NOT NULL, "
    "PRIMARY KEY (case_id, item_index, revision))",
)


def make_case(case_id: str) -> CaseFile:
    return CaseFile(case_id=case_id, summary="s", items=[DisputedItem(text="Item 1")])


def test_postgres_migrates_version_1_and_keeps_ids_per_reviewer(postgres_url):  # noqa: F811
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as conn:
        for statement in V1_SCHEMA:
            conn.execute(statement)
        conn.execute("INSERT INTO cases VALUES (%s, %s, %s, %s, %s)",
                     ("CM-OLD", "alice", "old", make_case("CM-OLD").model_dump_json(), "2025-01-01"))
    store = PostgresDraftStore(postgres_url)
    try:
        assert store.load_case("alice", "CM-OLD").case_id == "CM-OLD"
        assert store.create_case("bob", make_case("CM-OLD")).case_id == "CM-OLD"
        assert store.create_case("bob", make_case("CM-OLD")).case_id == "CM-OLD-2"
        messages = []
        for case_id in ("CM-OLD", "CM-NONE"):
            with pytest.raises(CaseNotFound) as caught:
                store.load_case("carol", case_id)
            messages.append(str(caught.value).replace(case_id, "ID"))
        assert messages[0] == messages[1]
        store.save_undecided("alice", "CM-OLD", 0, {"rationale": "typed"})
        assert store.load_undecided("alice", "CM-OLD", 0) == {"rationale": "typed"}
        store.save_item("alice", "CM-OLD", 0, ItemRationale(item=DisputedItem(text="Item 1"), decision="Upheld",
                                                            rationale="typed"))
        assert store.load_undecided("alice", "CM-OLD", 0) is None
    finally:
        store.close()
    reopened = PostgresDraftStore(postgres_url)  # nothing runs twice
    try:
        assert sorted(c.case_id for c in reopened.list_cases("bob")) == ["CM-OLD", "CM-OLD-2"]
    finally:
        reopened.close()
