"""The app's handlers through `Workspace`, without a browser, on the real CDC index and real case fixtures."""

from __future__ import annotations

import html
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


def read_case(ws: Workspace, reviewer: str, number: str = "CM16-0000016"):
    view = ws.on_read_case(CASE_TEXT, None, number, signed_in(reviewer))
    case_id = view[0]["value"]
    return case_id, view


def opened_of(view) -> dict:
    """The open-case state a view hands back (the last output before the cleared file widget)."""
    return view[-2]


def test_read_case_saves_it_for_that_reviewer_only(workspace):
    case_id, view = read_case(workspace, "ws-alice")
    assert case_id in [value for _label, value in view[0]["choices"]]
    assert view[1].startswith(f"**Case {case_id}**")
    assert view[2] and view[2][0][0], "the disputed items table lists the items"
    assert [e.action for e in workspace.store.audit_entries("ws-alice", case_id)] == ["imported"]
    bob_view = workspace.on_load(signed_in("ws-bob"))
    assert case_id not in [value for _label, value in bob_view[3]["choices"]]
    assert "ws-bob" in bob_view[0]
    assert bob_view[-1] == gr.update(interactive=True), "the load enables Read case (disabled until then)"


def test_read_case_is_disabled_until_the_page_load_returns(cdc_settings):
    """Issue 16: a case read before the load event returned was overwritten by the load's (empty) view."""
    from assistant.ui.app import build_app

    app = build_app(cdc_settings)
    button = next(b for b in app.blocks.values() if getattr(b, "elem_id", None) == "case-submit")
    assert button.interactive is False


def test_reading_nothing_is_refused(workspace):
    with pytest.raises(gr.Error):
        workspace.on_read_case("   ", None, "", signed_in("ws-carol"))


def test_draft_then_edit_saves_a_revision_only_when_something_changed(workspace):
    case_id, view = read_case(workspace, "ws-dana")
    decision, ca_line, reviewer_line, text, rows, badge, opened = workspace.on_draft(opened_of(view), "Upheld",
                                                                                     signed_in("ws-dana"))
    assert decision == "Upheld" and opened["revision"] == 1
    assert text.startswith("As noted on page") and rows, "a cited draft with its citation rows"
    assert "✔" in badge and "Saved revision 1." in badge

    unchanged, same = workspace.on_edit(opened, decision, ca_line, reviewer_line, text, rows, signed_in("ws-dana"))
    assert len(workspace.store.item_history("ws-dana", case_id, 0)) == 1

    edited, opened = workspace.on_edit(opened, decision, ca_line, reviewer_line, text + " The reviewer agrees.", rows,
                                       signed_in("ws-dana"))
    assert "Saved revision 2." in edited
    # Typing on is the same revision, rewritten: no revision per pause (issue 16 #7).
    typed, opened = workspace.on_edit(opened, decision, ca_line, reviewer_line, text + " The reviewer agrees fully.",
                                      rows, signed_in("ws-dana"))
    assert "Saved revision 2." in typed
    assert workspace.store.load_item("ws-dana", case_id, 0).rationale.rationale.endswith("agrees fully.")
    accepted, opened = workspace.on_accept(opened, decision, ca_line, reviewer_line, text, rows, signed_in("ws-dana"))
    assert "Accepted as revision 3." in accepted
    actions = [e.action for e in workspace.store.audit_entries("ws-dana", case_id)]
    assert actions == ["imported", "generated", "edited", "accepted"]


def test_an_autosave_never_overwrites_a_newer_revision(workspace):
    """Issue 16 #3: an editor showing revision 1 cannot save over a revision 2 saved since."""
    case_id, view = read_case(workspace, "ws-ivy")
    *fields, opened = workspace.on_draft(opened_of(view), "Upheld", signed_in("ws-ivy"))
    decision, ca_line, reviewer_line, text, rows, _ = fields
    newer = workspace.store.load_item("ws-ivy", case_id, 0).rationale.model_copy(update={"rationale": "Newer text."})
    workspace.store.save_item("ws-ivy", case_id, 0, newer, None, action="edited")
    badge, state = workspace.on_edit(opened, decision, ca_line, reviewer_line, text + " stale", rows, signed_in("ws-ivy"))
    assert "Not saved" in badge and "revision 2" in badge
    assert workspace.store.load_item("ws-ivy", case_id, 0).rationale.rationale == "Newer text."


def test_selecting_the_open_case_again_does_not_reload_the_editor(workspace):
    case_id, view = read_case(workspace, "ws-jon")
    again = workspace.on_select_case(case_id, opened_of(view), signed_in("ws-jon"))
    assert all(update == {"__type__": "update"} for update in again)


def test_a_case_needs_a_number_and_is_never_read_twice(workspace):
    """Issue 16 #6 and #2: no "case" id; the same text again opens the case already read."""
    with pytest.raises(gr.Error, match="case number"):
        workspace.on_read_case(CASE_TEXT, None, "", signed_in("ws-kim"))
    stated = workspace.on_read_case("Case Number: CM16-0213037\n" + CASE_TEXT, None, "", signed_in("ws-kim"))
    assert stated[0]["value"] == "CM16-0213037" and "injury 11-02-2011" in stated[1]
    again = workspace.on_read_case("Case Number: CM16-0213037\n" + CASE_TEXT, None, "", signed_in("ws-kim"))
    assert again[0]["value"] == "CM16-0213037"
    assert [c.case_id for c in workspace.store.list_cases("ws-kim")] == ["CM16-0213037"]


def test_a_pasted_case_never_reads_a_still_attached_file(workspace, tmp_path):
    attached = tmp_path / "old.txt"
    attached.write_text(CASE_TEXT)
    with pytest.raises(gr.Error, match="Both a file and pasted text"):
        workspace.on_read_case(CASE_TEXT, str(attached), "CM16-1", signed_in("ws-lee"))
    assert workspace.store.list_cases("ws-lee") == []


def test_edit_without_a_decision_asks_for_one_and_saves_nothing(workspace):
    case_id, view = read_case(workspace, "ws-erin")
    badge, _ = workspace.on_edit(opened_of(view), None, "", "", "My own text.", [], signed_in("ws-erin"))
    assert "Choose Upheld or Overturned" in badge
    assert workspace.store.load_item("ws-erin", case_id, 0) is None


def test_chat_drafts_an_item_and_shows_it_in_the_editor(workspace):
    case_id, view = read_case(workspace, "ws-finn")
    out = workspace.on_chat("draft item 1 as overturned", [], None, opened_of(view), signed_in("ws-finn"))
    history, cleared, state, picker, cited, item_select, decision, *_rest, opened = out
    assert cleared == "" and [m["role"] for m in history] == ["user", "assistant"]
    assert "**Overturned**" in history[1]["content"]
    assert decision == "Overturned" and item_select["value"] == 0, "issue 16 #1: the editor shows the chat's draft"
    assert opened["revision"] == 1 and cited and picker["choices"]
    draft = workspace.store.load_item("ws-finn", case_id, 0)
    assert draft is not None and draft.rationale.decision == "Overturned"
    assert [m.role for m in workspace.store.chat_history("ws-finn", case_id)] == ["user", "assistant"]
    assert state is not None and 0 in state.drafts


def test_chat_without_a_case_answers_with_each_passage_once(workspace):
    history, _, state, picker, cited, *_ = workspace.on_chat("urine drug testing", [], None, None, signed_in("ws-gail"))
    content = history[1]["content"]
    assert "closest guideline passages" in content and "source-card" in content and state is None
    assert "<details" not in content, "issue 16 #9: the text is visible, not behind a card"
    for citation in cited:
        assert content.count(html.escape(citation["quote"])) == 1
    image, note, text = workspace.on_pick_citation(0, cited)
    assert image is not None and "highlighted" in note and text


def test_export_saves_the_text_on_screen_first(workspace):
    """An export clicked right after typing (its autosave still queued) exports what the editor shows."""
    from pathlib import Path

    case_id, view = read_case(workspace, "ws-ivan")
    decision, ca_line, reviewer_line, text, rows, _, opened = workspace.on_draft(opened_of(view), "Upheld",
                                                                                 signed_in("ws-ivan"))
    typed = text + " The reviewer typed this sentence just before exporting."
    markdown, _, status, state, _ = workspace.on_export(opened, decision, ca_line, reviewer_line, typed, rows,
                                                        signed_in("ws-ivan"))
    assert "typed this sentence just before exporting" in Path(markdown["value"]).read_text()
    assert state["revision"] == workspace.store.load_item("ws-ivan", case_id, 0).revision
    again = workspace.on_edit(state, decision, ca_line, reviewer_line, typed, rows, signed_in("ws-ivan"))
    assert "Not saved" not in str(again[0]), "the queued autosave of the same text is not a conflict"


def test_a_drafting_note_left_in_the_text_is_not_exported_as_problem_free(workspace):
    """The badge and the export's status line said "no other problem was found" while the letter flagged a
    "Drafting note: …" to the reviewer: the badge is amber and the status line names the note."""
    case_id, view = read_case(workspace, "ws-ned")
    decision, ca_line, reviewer_line, text, rows, _, opened = workspace.on_draft(opened_of(view), "Upheld",
                                                                                 signed_in("ws-ned"))
    noted = text.replace(" Therefore,", " Drafting note: check the records for the refill history. Therefore,", 1)
    assert "Drafting note:" in noted
    badge, state = workspace.on_edit(opened, decision, ca_line, reviewer_line, noted, rows, signed_in("ws-ned"))
    assert "badge-warn" in badge and "not ready to sign" in badge and "✔" not in badge, badge
    _, _, status, *_ = workspace.on_export(state, decision, ca_line, reviewer_line, noted, rows, signed_in("ws-ned"))
    assert "1 drafting note(s) to the reviewer are still in the text" in status and "no other problem" not in status
    _, _, clean, *_ = workspace.on_export(state, decision, ca_line, reviewer_line, text, rows, signed_in("ws-ned"))
    assert "drafting note" not in clean


def test_the_export_checks_the_record_quotes_against_the_case(workspace):
    """The export re-verified each draft without its case, so every record quote of a verified offline draft went
    into the letter as "UNVERIFIED: This draft quotes the case record, but no case was given …"."""
    from pathlib import Path

    case_id, view = read_case(workspace, "ws-olga")
    decision, ca_line, reviewer_line, text, rows, badge, opened = workspace.on_draft(opened_of(view), "Upheld",
                                                                                     signed_in("ws-olga"))
    assert "record fact(s) found in the record" in badge and "badge-ok" in badge, badge
    markdown, _, status, *_ = workspace.on_export(opened, decision, ca_line, reviewer_line, text, rows,
                                                  signed_in("ws-olga"))
    assert "UNVERIFIED" not in Path(markdown["value"]).read_text() and "no other problem was found" in status, status


def test_export_writes_both_files_and_switching_cases_clears_it(workspace):
    case_id, view = read_case(workspace, "ws-hank")
    *editor, _, opened = workspace.on_draft(opened_of(view), "Upheld", signed_in("ws-hank"))
    markdown, docx, status, *_ = workspace.on_export(opened, *editor, signed_in("ws-hank"))
    assert markdown["value"].endswith(".md") and docx["value"].endswith(".docx")
    assert status.startswith(f"Exported 1 item(s) of case {case_id}.")
    other, _ = read_case(workspace, "ws-hank", "CM16-0000099")
    view = workspace.on_select_case(case_id, {"case_id": other, "item": 0, "revision": 0, "typing": False},
                                    signed_in("ws-hank"))
    md_button, docx_button, export_note = view[11:14]
    assert md_button["visible"] is False and docx_button["visible"] is False and export_note == ""


MRI_CASE_TEXT = (FIXTURES / "cases" / "lumbar-mri.txt").read_text(encoding="utf-8")


def test_chat_works_on_the_draft_in_the_editor_of_the_case_that_is_open(workspace):
    """The chat's memory of drafts belongs to one case and follows the editor: a draft made in case A must not be
    revised into case B's item, and "explain"/"check" speak of the revision the reviewer sees, however it was made."""
    reviewer = "ws-mona"
    case_a, view_a = read_case(workspace, reviewer, "CM16-0000031")
    out = workspace.on_chat("draft item 1 as upheld", [], None, opened_of(view_a), signed_in(reviewer))
    state = out[2]
    a_text = workspace.store.load_item(reviewer, case_a, 0).rationale.rationale
    view_b = workspace.on_read_case(MRI_CASE_TEXT, None, "CM16-0000032", signed_in(reviewer))
    case_b = view_b[0]["value"]
    assert case_b != case_a
    out = workspace.on_chat("make it shorter", out[0], state, opened_of(view_b), signed_in(reviewer))
    saved_b = workspace.store.load_item(reviewer, case_b, 0)
    assert saved_b is None or saved_b.rationale.rationale != a_text, "case A's draft was saved into case B"
    assert saved_b is None or "MRI" in saved_b.rationale.item.text
    assert "no draft of item 1" in out[0][-1]["content"].lower()

    *_editor, opened_b = workspace.on_draft(opened_of(view_b), "Upheld", signed_in(reviewer))
    out = workspace.on_chat("explain item 1", out[0], out[2], opened_b, signed_in(reviewer))
    explained = out[0][-1]["content"]
    assert "Draft item 1" not in explained, "the item drafted in the Rationale tab counts as drafted"
    assert "MRI" in explained and "Queries used" in explained
    decision, ca_line, reviewer_line, text, rows, *_ = workspace.editor_values(reviewer, workspace.load_case(
        reviewer, case_b), 0)
    workspace.on_edit(opened_b, decision, ca_line, reviewer_line, text + " The patient was diagnosed with diabetes on 09-01-2016.", rows,
                      signed_in(reviewer))
    out = workspace.on_chat("check item 1", out[0], out[2], opened_b, signed_in(reviewer))
    assert "record does not show" in out[0][-1]["content"] and "diabetes" in out[0][-1]["content"], \
        "the check reads the reviewer's edited revision"
