"""Issue 10, finding 5: case ids are per reviewer; neither a new case's id suffix nor an error message tells a
reviewer whether someone else holds a case number."""

from __future__ import annotations

import sqlite3

import pytest

from assistant.contracts import CaseFile, DisputedItem
from assistant.errors import AccessDenied
from assistant.storage import CaseNotFound, DraftStore


def make_case(case_id: str, item: str = "Item 1") -> CaseFile:
    return CaseFile(case_id=case_id, summary="Case summary.", items=[DisputedItem(text=item)])


@pytest.fixture
def store(tmp_path):
    with DraftStore(tmp_path / "drafts.sqlite3") as store:
        yield store


def test_a_new_case_id_ignores_other_reviewers_cases(store):
    assert store.create_case("alice", make_case("CM16-0001")).case_id == "CM16-0001"
    # bob reads the same case number: he gets it plainly, no "-2" telling him alice holds it
    assert store.create_case("bob", make_case("CM16-0001", "Bob's item")).case_id == "CM16-0001"
    assert store.create_case("bob", make_case("CM16-0001")).case_id == "CM16-0001-2"  # his own second copy
    assert store.unique_case_id("carol", "CM16-0001") == "CM16-0001"
    assert store.load_case("alice", "CM16-0001").items[0].text == "Item 1"
    assert store.load_case("bob", "CM16-0001").items[0].text == "Bob's item"
    assert [c.case_id for c in store.list_cases("alice")] == ["CM16-0001"]


def _error(call) -> tuple[type, str]:
    with pytest.raises(AccessDenied) as caught:
        call()
    return type(caught.value), str(caught.value)


@pytest.mark.parametrize("operation", ["load_case", "load_items", "chat_history", "audit_entries", "save_item",
                                       "append_chat", "audit"])
def test_not_found_is_the_same_whether_or_not_another_reviewer_holds_the_id(store, operation):
    from assistant.contracts import ItemRationale

    store.save_case("alice", make_case("CM-HELD"))
    rationale = ItemRationale(item=DisputedItem(text="Item 1"), decision="Upheld", rationale="text")
    calls = {
        "load_case": lambda cid: store.load_case("bob", cid),
        "load_items": lambda cid: store.load_items("bob", cid),
        "chat_history": lambda cid: store.chat_history("bob", cid),
        "audit_entries": lambda cid: store.audit_entries("bob", cid),
        "save_item": lambda cid: store.save_item("bob", cid, 0, rationale),
        "append_chat": lambda cid: store.append_chat("bob", cid, "user", "hello"),
        "audit": lambda cid: store.audit("bob", cid, "checked"),
    }
    held_type, held_message = _error(lambda: calls[operation]("CM-HELD"))
    free_type, free_message = _error(lambda: calls[operation]("CM-FREE"))
    assert held_type is free_type is CaseNotFound
    assert held_message.replace("CM-HELD", "ID") == free_message.replace("CM-FREE", "ID")
    assert "another reviewer" not in held_message and "belongs" not in held_message


def test_a_version_1_database_is_migrated_with_its_data(tmp_path):
    path = tmp_path / "drafts.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript("""
        CREATE TABLE schema_info (version INTEGER NOT NULL);
        INSERT INTO schema_info VALUES (1);
        CREATE TABLE cases (case_id TEXT PRIMARY KEY, reviewer TEXT NOT NULL, title TEXT NOT NULL,
                            case_json TEXT NOT NULL, updated_at TEXT NOT NULL);
        CREATE TABLE item_drafts (case_id TEXT NOT NULL, item_index INTEGER NOT NULL, revision INTEGER NOT NULL,
                                  reviewer TEXT NOT NULL, rationale_json TEXT NOT NULL, report_json TEXT,
                                  updated_at TEXT NOT NULL, PRIMARY KEY (case_id, item_index, revision));
    """)
    conn.execute("INSERT INTO cases VALUES (?, ?, ?, ?, ?)",
                 ("CM-OLD", "alice", "old", make_case("CM-OLD").model_dump_json(), "2025-01-01T00:00:00"))
    conn.commit()
    conn.close()
    with DraftStore(path) as store:
        assert store.load_case("alice", "CM-OLD").case_id == "CM-OLD"
        assert store.create_case("bob", make_case("CM-OLD")).case_id == "CM-OLD"  # the new key allows it
        assert store._conn().execute("SELECT version FROM schema_info").fetchone()[0] == 2
    with DraftStore(path) as store:  # reopening runs nothing twice
        assert [c.case_id for c in store.list_cases("bob")] == ["CM-OLD"]


def test_text_typed_before_a_decision_is_autosaved_until_a_decided_revision(tmp_path):
    """Finding 6: text typed before choosing Upheld/Overturned survived nowhere; now it is saved on every edit,
    shown again when the item is reopened (also after a restart) and replaced by the first decided revision."""
    from types import SimpleNamespace

    from assistant.config import Settings
    from assistant.contracts import ItemRationale
    from assistant.ui.workspace import Workspace, opened_state

    settings = Settings(home=tmp_path / "home")
    alice = SimpleNamespace(username="alice")
    ws = Workspace(settings)
    case = ws.store.create_case("alice", CaseFile(case_id="CM-T", summary="s", ur_guideline="MTUS Chronic Pain",
                                                  items=[DisputedItem(text="Item 1")]))
    try:
        opened = opened_state(case.case_id, 0)
        assert ws.on_edit(opened, None, "MTUS Chronic Pain", "", "", [], alice)[0] == gr_update()
        assert ws.store.load_undecided("alice", case.case_id, 0) is None, "only the prefilled line: nothing saved"
        badge, _ = ws.on_edit(opened, None, "MTUS Chronic Pain", "ODG", "My reasons so far.", [[1, "g", "3", "", "q"]], alice)
        assert "Saved without a decision" in badge
    finally:
        ws.store.close()
    ws = Workspace(settings)  # a restart
    try:
        decision, ca_line, reviewer_line, text, rows, badge, _ = ws.on_select_item(0, opened_state(case.case_id, None), alice)
        assert (decision, reviewer_line, text, rows) == (None, "ODG", "My reasons so far.", [[1, "g", "3", "", "q"]])
        assert "Choose Upheld or Overturned" in badge
        ws.store.save_item("alice", case.case_id, 0, ItemRationale(item=case.items[0], decision="Upheld",
                                                                   rationale="My reasons so far."))
        assert ws.store.load_undecided("alice", case.case_id, 0) is None
        assert ws.on_select_item(0, opened_state(case.case_id, None), alice)[0] == "Upheld"
        with pytest.raises(CaseNotFound):
            ws.store.load_undecided("bob", case.case_id, 0)
    finally:
        ws.store.close()


def gr_update():
    import gradio as gr

    return gr.update()
