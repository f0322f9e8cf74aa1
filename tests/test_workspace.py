"""The app's handlers through `Workspace`, without a browser, on the real CDC index and real case fixtures."""

from __future__ import annotations

from types import SimpleNamespace

import gradio as gr
import pytest

from assistant.ui.workspace import Workspace
from conftest import FIXTURES

CASE_TEXT = (FIXTURES / "cases" / "opioid-taper.txt").read_text(encoding="utf-8")


def signed_in(name: str) -> SimpleNamespace:
    """What Gradio passes as `request` once a reviewer has signed in."""
    return SimpleNamespace(username=name)


@pytest.fixture(scope="module")
def workspace(cdc_settings):
    ws = Workspace(cdc_settings)
    yield ws
    ws.store.close()


def read_case(ws: Workspace, reviewer: str):
    view = ws.on_read_case(CASE_TEXT, None, signed_in(reviewer))
    case_id = view[0]["value"]
    return case_id, view


def test_read_case_saves_it_for_that_reviewer_only(workspace):
    case_id, view = read_case(workspace, "ws-alice")
    assert case_id in [value for _label, value in view[0]["choices"]]
    assert view[1].startswith(f"**Case {case_id}**")
    assert view[2] and view[2][0][0], "the disputed items table lists the items"
    assert [e.action for e in workspace.store.audit_entries("ws-alice", case_id)] == ["imported"]
    bob_view = workspace.on_load(signed_in("ws-bob"))
    assert case_id not in [value for _label, value in bob_view[3]["choices"]]
    assert "ws-bob" in bob_view[0]


def test_reading_nothing_is_refused(workspace):
    with pytest.raises(gr.Error):
        workspace.on_read_case("   ", None, signed_in("ws-carol"))


def test_draft_then_edit_saves_a_revision_only_when_something_changed(workspace):
    case_id, _ = read_case(workspace, "ws-dana")
    decision, ca_line, reviewer_line, text, rows, badge = workspace.on_draft(case_id, 0, "Upheld", signed_in("ws-dana"))
    assert decision == "Upheld"
    assert text.startswith("As noted on page") and rows, "a cited draft with its citation rows"
    assert "✔" in badge and "Saved revision 1." in badge

    unchanged = workspace.on_edit(case_id, 0, decision, ca_line, reviewer_line, text, rows, signed_in("ws-dana"))
    assert "Saved revision 1." in unchanged
    assert len(workspace.store.item_history("ws-dana", case_id, 0)) == 1

    edited = workspace.on_edit(case_id, 0, decision, ca_line, reviewer_line, text + " The reviewer agrees.", rows,
                               signed_in("ws-dana"))
    assert "Saved revision 2." in edited
    accepted = workspace.on_accept(case_id, 0, decision, ca_line, reviewer_line, text, rows, signed_in("ws-dana"))
    assert "Accepted as revision 3." in accepted
    actions = [e.action for e in workspace.store.audit_entries("ws-dana", case_id)]
    assert actions == ["imported", "generated", "edited", "accepted"]


def test_edit_without_a_decision_asks_for_one_and_saves_nothing(workspace):
    case_id, _ = read_case(workspace, "ws-erin")
    badge = workspace.on_edit(case_id, 0, None, "", "", "My own text.", [], signed_in("ws-erin"))
    assert "Choose Upheld or Overturned" in badge
    assert workspace.store.load_item("ws-erin", case_id, 0) is None


def test_chat_drafts_an_item_and_keeps_the_turn(workspace):
    case_id, _ = read_case(workspace, "ws-finn")
    history, cleared, sources, state = workspace.on_chat("draft item 1 as overturned", case_id, [], None,
                                                         signed_in("ws-finn"))
    assert cleared == "" and [m["role"] for m in history] == ["user", "assistant"]
    assert "**Overturned**" in history[1]["content"]
    assert "source-card" in sources
    draft = workspace.store.load_item("ws-finn", case_id, 0)
    assert draft is not None and draft.rationale.decision == "Overturned"
    assert [m.role for m in workspace.store.chat_history("ws-finn", case_id)] == ["user", "assistant"]
    assert state is not None and 0 in state.drafts


def test_chat_without_a_case_answers_with_passages(workspace):
    history, _, sources, state = workspace.on_chat("urine drug testing", None, [], None, signed_in("ws-gail"))
    assert "closest guideline passages" in history[1]["content"]
    assert "source-card" in sources and state is None


def test_export_writes_both_files(workspace):
    case_id, _ = read_case(workspace, "ws-hank")
    workspace.on_draft(case_id, 0, "Upheld", signed_in("ws-hank"))
    markdown, docx, status = workspace.on_export(case_id, signed_in("ws-hank"))
    assert markdown["value"].endswith(".md") and docx["value"].endswith(".docx")
    assert status.startswith("Exported 1 item(s).")
