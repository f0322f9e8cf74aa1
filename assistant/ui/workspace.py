"""The app's handlers as methods of one `Workspace`: each takes the widgets' values and returns what the
widgets show. They hold no Gradio layout, so tests call them directly, without a browser (request=None means
the reviewer of `settings`)."""

from __future__ import annotations

import html
import tempfile
import threading
from functools import partial
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.config import Settings
from assistant.contracts import CaseFile, Citation, DisputedItem, EvidenceTier, ItemRationale
from assistant.conversation.engine import ConversationEngine
from assistant.conversation.state import ChatReply, ChatState
from assistant.errors import AssistantError
from assistant.corpus.fetch import document_path
from assistant.export import export_case
from assistant.files import check_upload_size, private_dir
from assistant.services import Services
from assistant.storage import StaleDraftError, open_draft_store
from assistant.text_safety import escape_markdown_export
from assistant.ui.guard import CACHED_FILES
from assistant.ui.page_view import render_cited_page
from assistant.ui.render import (
    badge_html,
    case_choices,
    case_summary_md,
    citation_choices,
    citation_rows,
    corpus_note,
    export_status,
    guideline_rows,
    item_choices,
    item_rows,
    page_note_html,
    passage_cards,
    rationale_notes_html,
    rows_to_citations,
    status_markdown,
    table_rows,
)

DECISIONS = ["Upheld", "Overturned"]


class Backend:
    """The Services (index, models) and the draft store, shared by every session of this process."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.store = open_draft_store(settings)
        self._services = None
        self._engine = None
        self._error: str | None = None
        self._lock = threading.Lock()
        self._item_locks: dict[tuple[str, str, int], threading.Lock] = {}
        self._item_locks_guard = threading.Lock()  # not _lock: that one is held while the index opens

    def services(self):
        with self._lock:
            if self._services is None:
                self._services = Services.open(self.settings)
            return self._services

    def engine(self):
        services = self.services()
        with self._lock:
            if self._engine is None:
                self._engine = ConversationEngine(services)
            return self._engine

    def item_lock(self, reviewer: str, case_id: str, item: int) -> threading.Lock:
        """One item's saves one at a time (an autosave and an export's save of the same text); other items and
        other reviewers never wait for it."""
        with self._item_locks_guard:
            return self._item_locks.setdefault((reviewer, case_id, item), threading.Lock())

    def reopen(self) -> None:
        with self._lock:
            self._services = None
            self._engine = None

    def library(self):
        try:
            return self.services().search.library
        except Exception:  # noqa: BLE001 - the status line reports it
            return None


def reviewer_of(request: gr.Request | None, settings: Settings) -> str:
    name = getattr(request, "username", None) if request is not None else None
    return name or settings.reviewer


def closed() -> dict[str, Any]:
    """The open case, item and the revision the editor shows: the one state every handler reads and writes.

    `revision` is the stored revision the editor's text is based on (0: no draft yet); `typing` is True while
    the latest revision is this editor's own autosave, which further typing rewrites instead of adding to."""
    return {"case_id": None, "item": None, "revision": 0, "typing": False}


def opened_state(case_id: str | None, item: int | None, revision: int = 0, typing: bool = False) -> dict[str, Any]:
    return {"case_id": case_id, "item": item, "revision": revision, "typing": typing}


NO_CHANGE_EDITOR = 6
EXPORT_CLEARED = (gr.update(value=None, visible=False), gr.update(value=None, visible=False), "")


class Workspace:
    """One app's handlers over one back end. Every method that takes `request` is a Gradio event handler."""

    def __init__(self, settings: Settings, backend: Backend | None = None):
        self.settings = settings
        self.backend = backend or Backend(settings)
        self.store = self.backend.store
        self.cached_files = CACHED_FILES  # which reviewer may download which cached upload or export

    # ------------------------------------------------------------------ views

    def load_case(self, reviewer: str, case_id: str | None) -> CaseFile | None:
        return self.store.load_case(reviewer, case_id) if case_id else None

    def editor_values(self, reviewer: str, case: CaseFile | None, item_index: int | None):
        """decision, CA guideline, reviewer guideline, rationale, citations, badge, and the state they show."""
        if case is None or item_index is None or not 0 <= item_index < len(case.items):
            return (None, "", "", "", [], badge_html(None, "Choose a case and an item."),
                    opened_state(case.case_id if case else None, None))
        draft = self.store.load_item(reviewer, case.case_id, item_index)
        if draft is None:
            typed = self.store.load_undecided(reviewer, case.case_id, item_index)
            if typed is not None:  # text typed before a decision was chosen, kept by on_edit
                return (None, typed["claims_administrator_guideline"], typed["reviewer_guideline_line"],
                        typed["rationale"], typed["citation_rows"],
                        badge_html(None, "Saved without a decision. Choose Upheld or Overturned to verify it."),
                        opened_state(case.case_id, item_index))
            ca_line = case.claims_administrator_line(case.items[item_index])
            return (None, ca_line, "", "", [],
                    badge_html(None, "Not drafted yet: press “Draft with assistant” or write your own."),
                    opened_state(case.case_id, item_index))
        r = draft.rationale
        return (r.decision, r.claims_administrator_guideline, r.reviewer_guideline_line, r.rationale,
                citation_rows(r.citations),
                badge_html(draft.report, f"Saved revision {draft.revision}.") + rationale_notes_html(r),
                opened_state(case.case_id, item_index, draft.revision))

    def chat_messages(self, reviewer: str, case: CaseFile | None) -> list[dict[str, str]]:
        if case is None:
            return []
        return [{"role": m.role, "content": escape_markdown_export(m.content) if m.role == "user" else m.content}
                for m in self.store.chat_history(reviewer, case.case_id)]

    def case_view(self, reviewer: str, case_id: str | None, item_index: int | None = 0):
        """Everything that shows one case: its summary, items, chat, editor; the export of any other case cleared."""
        case = self.load_case(reviewer, case_id)
        choices = item_choices(case)
        if case is not None and (item_index is None or not 0 <= item_index < len(case.items)):
            item_index = 0 if case.items else None
        *editor, opened = self.editor_values(reviewer, case, item_index)
        return (
            gr.update(choices=case_choices(self.store, reviewer), value=case_id),
            case_summary_md(case),
            item_rows(case),
            self.chat_messages(reviewer, case),
            gr.update(choices=choices, value=item_index if case and case.items else None),
            *editor,
            *EXPORT_CLEARED,
            opened,
        )

    @staticmethod
    def unchanged_view():
        return tuple(gr.update() for _ in range(5 + NO_CHANGE_EDITOR + 3 + 1))

    # ------------------------------------------------------------------ handlers (one per widget event)

    def on_load(self, request: gr.Request):
        reviewer = reviewer_of(request, self.settings)
        cases = self.store.list_cases(reviewer)
        library = self.backend.library()
        header = f"{status_markdown(self.settings)}  \n**Signed in as:** {html.escape(reviewer)}"
        return (header, corpus_note(library), guideline_rows(self.settings),
                *self.case_view(reviewer, cases[0].case_id if cases else None), gr.update(interactive=True))

    def read_case(self, text: str, upload: str | None, case_number: str | None) -> CaseFile:
        """One source per read: a file, or the pasted text, never a still-attached file behind the text."""
        services = self.backend.services()
        pasted = bool(text and text.strip())
        if upload and pasted:
            raise AssistantError("Both a file and pasted text are there: remove the file (×) to read the text, "
                                 "or clear the text to read the file.")
        if upload:
            case = services.intake_file(Path(upload))
        elif pasted:
            case = services.intake_text(text)
        else:
            raise AssistantError("Paste the case text or upload a .txt, .pdf or .json file first.")
        number = (case_number or "").strip()
        if number:
            case = case.model_copy(update={"case_id": number})
        elif not case.case_id or case.case_id == "case":
            raise AssistantError("The text states no case number (e.g. “Case Number: CM16-0213037”). "
                                 "Type one in the Case number box and press Read case again.")
        return case

    def same_case(self, reviewer: str, case: CaseFile) -> str | None:
        """The id of a case this reviewer already read under the same number, summary and items, if any."""
        for summary in self.store.list_cases(reviewer):
            if not (summary.case_id == case.case_id or summary.case_id.startswith(case.case_id + "-")):
                continue
            stored = self.store.load_case(reviewer, summary.case_id)
            if stored.summary == case.summary and stored.items == case.items:
                return stored.case_id
        return None

    def on_read_case(self, text: str, upload: str | None, case_number: str | None, request: gr.Request):
        reviewer = reviewer_of(request, self.settings)
        try:
            if upload:
                check_upload_size(upload, self.settings.max_upload_bytes)  # before anything is read or stored
                self.cached_files.grant(reviewer, upload)
            case = self.read_case(text, upload, case_number)
        except AssistantError as exc:
            gr.Warning(str(exc))
            raise gr.Error(str(exc)) from exc
        existing = self.same_case(reviewer, case)
        if existing is not None:
            gr.Info(f"This case is already open as {existing}; no duplicate was made.")
            return (*self.case_view(reviewer, existing), gr.update(value=None))
        case = self.store.create_case(reviewer, case)
        self.store.audit(reviewer, case.case_id, "imported",
                    detail={"source_name": case.source_name, "items": [i.text for i in case.items]})
        return (*self.case_view(reviewer, case.case_id), gr.update(value=None))

    def on_select_case(self, case_id: str | None, opened: dict | None, request: gr.Request):
        if opened and case_id == opened.get("case_id"):
            return self.unchanged_view()  # the list closed on the open case: never reload over the editor
        return self.case_view(reviewer_of(request, self.settings), case_id)

    def on_edit_items(self, opened: dict | None, rows: Any, request: gr.Request):
        reviewer = reviewer_of(request, self.settings)
        case_id = (opened or {}).get("case_id")
        case = self.load_case(reviewer, case_id)
        if case is None:
            return gr.update(), gr.update()
        items = []
        for row in table_rows(rows):
            row = (list(row) + ["", "", ""])[:3]
            text, quantity, date = (str(v if v is not None else "").strip() for v in row)
            if text:
                items.append(DisputedItem(text=text, quantity=quantity or None, request_date=date or None))
        if items == case.items:
            return gr.update(), gr.update()
        case = case.model_copy(update={"items": items})
        self.store.save_case(reviewer, case)
        return gr.update(choices=item_choices(case)), gr.update(choices=case_choices(self.store, reviewer), value=case_id)

    def on_select_item(self, item_index: int | None, opened: dict | None, request: gr.Request):
        reviewer = reviewer_of(request, self.settings)
        opened = opened or closed()
        if item_index == opened.get("item"):
            return tuple(gr.update() for _ in range(NO_CHANGE_EDITOR + 1))
        return self.editor_values(reviewer, self.load_case(reviewer, opened.get("case_id")), item_index)

    def open_item(self, reviewer: str, opened: dict | None) -> tuple[CaseFile, int]:
        opened = opened or closed()
        case = self.load_case(reviewer, opened.get("case_id"))
        item = opened.get("item")
        if case is None or item is None or not 0 <= int(item) < len(case.items):
            raise gr.Error("Open a case and choose an item first.")
        return case, int(item)

    def on_draft(self, opened: dict | None, decision: str | None, request: gr.Request):
        """An explicit save point: a new revision, never merged into the typing before it."""
        reviewer = reviewer_of(request, self.settings)
        case, item = self.open_item(reviewer, opened)
        try:
            result = self.backend.services().draft(case, item, decision or None)
        except AssistantError as exc:
            raise gr.Error(str(exc)) from exc
        self.store.save_item(reviewer, case.case_id, item, result.rationale, result.report, action="generated")
        return self.editor_values(reviewer, case, item)

    def current_rationale(self, reviewer, case, item_index, decision, ca_line, reviewer_line, text, rows):
        previous = self.store.load_item(reviewer, case.case_id, item_index)
        base = previous.rationale if previous else None
        citations = rows_to_citations(rows, base.citations if base else [], self.backend.library())
        fields = dict(decision=decision, claims_administrator_guideline=ca_line or "",
                      reviewer_guideline_line=reviewer_line or "", rationale=text or "", citations=citations)
        if base is not None:
            return previous, base.model_copy(update=fields)
        return previous, ItemRationale(item=case.items[item_index], **fields)

    def verified(self, rationale: ItemRationale, case: CaseFile | None = None):
        try:
            return self.backend.services().verify(rationale, case), ""
        except AssistantError as exc:
            return None, f"Not verified: {exc}"

    def on_edit(self, opened, decision, ca_line, reviewer_line, text, rows, request: gr.Request):
        """Autosave: only over the revision the editor shows (else nothing is written), typing coalesced."""
        return self.save_editor(reviewer_of(request, self.settings), opened, decision, ca_line, reviewer_line, text, rows)

    def save_editor(self, reviewer: str, opened, decision, ca_line, reviewer_line, text, rows):
        """The editor's contents saved as the open item's revision (or as an undecided draft); (badge, opened)."""
        opened = opened or closed()
        case = self.load_case(reviewer, opened.get("case_id"))
        item = opened.get("item")
        if case is None or item is None or not 0 <= int(item) < len(case.items):
            return gr.update(), gr.update()  # nothing open: nothing to save
        with self.backend.item_lock(reviewer, case.case_id, int(item)):
            return self._save_item(reviewer, case, int(item), opened, decision, ca_line, reviewer_line, text, rows)

    def _save_item(self, reviewer: str, case: CaseFile, item: int, opened: dict, decision, ca_line, reviewer_line,
                   text, rows):
        if decision not in DECISIONS:
            typed = (any((v or "").strip() for v in (reviewer_line, text))
                     or (ca_line or "").strip() != case.claims_administrator_line(case.items[item]).strip())
            if not typed and self.store.load_undecided(reviewer, case.case_id, item) is None:
                return gr.update(), gr.update()  # only the prefilled line: nothing typed yet
            self.store.save_undecided(reviewer, case.case_id, item, {
                "claims_administrator_guideline": ca_line or "", "reviewer_guideline_line": reviewer_line or "",
                "rationale": text or "", "citation_rows": table_rows(rows)})
            return badge_html(None, "Saved without a decision. Choose Upheld or Overturned to verify it and keep "
                                    "revisions."), gr.update()
        previous, rationale = self.current_rationale(reviewer, case, item, decision, ca_line, reviewer_line, text, rows)
        stored = previous.revision if previous else 0
        if previous is not None and previous.rationale == rationale:
            return gr.update(), gr.update()  # already saved (by the export's save or an earlier event): not a conflict
        if stored != opened.get("revision", 0):
            return badge_html(None, f"Not saved: revision {stored} of this item was saved elsewhere after the "
                                    f"revision {opened.get('revision', 0)} shown here. Copy your text, then reopen "
                                    "the item."), gr.update()
        report, note = self.verified(rationale, case)
        try:
            draft = self.store.save_item(reviewer, case.case_id, item, rationale, report, action="edited",
                                         expected_revision=stored, coalesce=bool(opened.get("typing")))
        except StaleDraftError as exc:
            return badge_html(None, f"Not saved: {exc}"), gr.update()
        return (badge_html(report, note or f"Saved revision {draft.revision}."),
                opened_state(case.case_id, item, draft.revision, typing=True))

    def on_accept(self, opened, decision, ca_line, reviewer_line, text, rows, request: gr.Request):
        reviewer = reviewer_of(request, self.settings)
        case, item = self.open_item(reviewer, opened)
        if decision not in DECISIONS:
            raise gr.Error("Choose Upheld or Overturned first.")
        _, rationale = self.current_rationale(reviewer, case, item, decision, ca_line, reviewer_line, text, rows)
        report = self.backend.services().verify(rationale, case)
        try:
            draft = self.store.save_item(reviewer, case.case_id, item, rationale, report, action="accepted",
                                         expected_revision=(opened or {}).get("revision", 0))
        except StaleDraftError as exc:
            raise gr.Error(str(exc)) from exc
        return badge_html(report, f"Accepted as revision {draft.revision}."), opened_state(case.case_id, item, draft.revision)

    def on_check_text(self, opened, decision, text, request: gr.Request):
        """A save point: the check is audited and the next keystroke starts a new revision."""
        reviewer = reviewer_of(request, self.settings)
        opened = dict(opened or closed())
        if not (text or "").strip():
            raise gr.Error("Write the rationale first.")
        case = self.load_case(reviewer, opened.get("case_id"))
        report = self.backend.services().check_text(text, decision if decision in DECISIONS else None, case)
        if opened.get("case_id"):
            self.store.audit(reviewer, opened["case_id"], "checked", item_index=opened.get("item"),
                             detail={"badge": report.badge(), "problems": len(report.problems), "chars": len(text)})
        opened["typing"] = False
        return badge_html(report, "Checked as your own text (citations recognised in the prose"
                                  + ("; statements about the case checked against its record)." if case else ").")), opened

    def on_chat(self, message: str, history: list | None, state: Any, opened: dict | None, request: gr.Request):
        """A reply in the chat; a draft it makes is saved and shown in the editor at once."""
        reviewer = reviewer_of(request, self.settings)
        message = (message or "").strip()
        history = list(history or [])
        keep_editor = tuple(gr.update() for _ in range(NO_CHANGE_EDITOR + 2))
        if not message:
            return (history, "", state, gr.update(), gr.update(), *keep_editor)
        case = self.load_case(reviewer, (opened or {}).get("case_id"))
        try:
            reply = self.chat_reply(case, message, state, reviewer)
        except AssistantError as exc:
            reply = ChatReply(text=f"**Error:** {exc}", intent="error")
        else:
            state = reply.state if reply.state is not None else state
        cards = passage_cards(reply.passages, self.backend.library())
        # The reply quotes case items and record text: Markdown formatting stays, HTML, images and links do not.
        content = escape_markdown_export(reply.text) + ("\n\n" + cards if cards else "")
        history += [{"role": "user", "content": escape_markdown_export(message)},
                    {"role": "assistant", "content": content}]
        cited = [p.citation for p in reply.passages] or (reply.rationale.citations if reply.rationale else [])
        picker = (gr.update(choices=citation_choices(cited), value=None), [c.model_dump() for c in cited])
        if case is None:
            return (history, "", state, *picker, *keep_editor)
        index = self.save_chat_turn(reviewer, case, message, content, reply)
        if index is None:
            return (history, "", state, *picker, *keep_editor)
        return (history, "", state, *picker, gr.update(value=index), *self.editor_values(reviewer, case, index))

    def chat_reply(self, case: CaseFile | None, message: str, state: Any, reviewer: str) -> ChatReply:
        """With a case open, the conversation engine on that case's saved drafts; without one, the closest
        passages."""
        if case is None:
            passages = self.backend.services().lookup(message, distinct_pages=True)
            text = "The closest guideline passages, best first:" if passages else "No indexed passage addresses that."
            return ChatReply(text=text, intent="lookup", passages=passages)
        saved = {index: (draft.rationale, draft.report)
                 for index, draft in self.store.load_items(reviewer, case.case_id).items()}
        state = (state if isinstance(state, ChatState) else ChatState()).follow_editor(case, saved)
        return self.backend.engine().reply(case.case_id, message, state, case=case)

    def save_chat_turn(self, reviewer: str, case: CaseFile, message: str, content: str, reply: ChatReply) -> int | None:
        """Both messages into the chat history, and a drafted or revised item into its revisions (its index)."""
        self.store.append_chat(reviewer, case.case_id, "user", message)
        self.store.append_chat(reviewer, case.case_id, "assistant", content)
        if reply.rationale is None:
            return None
        index = reply.item_index
        if index is None:
            index = next((i for i, item in enumerate(case.items) if item.text == reply.rationale.item.text), None)
        if index is not None:
            self.store.save_item(reviewer, case.case_id, index, reply.rationale, reply.report, action="generated")
        return index

    def on_export(self, opened: dict | None, decision, ca_line, reviewer_line, text, rows, request: gr.Request):
        """A save point too: the editor's text is saved first, so a click right after typing exports what is on the
        screen, not the revision before it (the autosave may still be queued); the exported revisions are sealed
        and the next keystroke starts a new one. Returns the two files, the status, the state and the badge."""
        reviewer = reviewer_of(request, self.settings)
        badge, saved = self.save_editor(reviewer, opened, decision, ca_line, reviewer_line, text, rows)
        opened = dict(saved if "case_id" in saved else (opened or closed()))  # a new state, or gr.update(): none
        case = self.load_case(reviewer, opened.get("case_id"))
        if case is None:
            raise gr.Error("Open a case first.")
        folder = Path(tempfile.mkdtemp(prefix="imr-export-", dir=private_dir(self.settings.gradio_temp_dir / "exports")))
        try:
            exported = export_case(self.store, self.backend.services().verify, reviewer, case, folder)
        except AssistantError as exc:
            raise gr.Error(str(exc)) from exc
        for path in (exported.markdown, exported.docx):  # downloadable by this reviewer only (ui.guard)
            self.cached_files.grant(reviewer, path)
        opened["typing"] = False
        return (gr.update(value=str(exported.markdown), visible=True),
                gr.update(value=str(exported.docx), visible=True),
                export_status(case.case_id, len(exported.items), exported.problems, exported.verified,
                              exported.drafting_notes), opened, badge)

    # ------------------------------------------------------------------ the cited page

    def show_citation(self, citation: Citation | None):
        """The cited printed page as an image with the quote highlighted, a caption, and the page's text."""
        if citation is None:
            return None, page_note_html("Click a citation to see its page.", []), ""
        library = self.backend.library()
        entry = library.entries.get(citation.guideline_id) if library is not None else None
        page = library.page(citation.guideline_id, citation.printed_page) if entry is not None else None
        label = f"{citation.short_form or citation.title}, {citation.pages}"
        if page is None:
            return None, page_note_html(f"{label} is not an indexed page, so it cannot be shown.", [], label), ""
        pdf = document_path(self.settings, entry)
        if not pdf.exists() and self.settings.corpus_mirror:
            pdf = Path(self.settings.corpus_mirror) / entry.filename
        try:
            view = render_cited_page(pdf, page.physical_page, citation.quote,
                                     continues_on_next=bool(citation.printed_page_end))
        except AssistantError as exc:
            return None, page_note_html(str(exc), [], label), page.text
        return view.image, page_note_html(view.note(), view.boxes, label), view.text

    def on_pick_citation(self, index: int | None, cited: list | None):
        cited = cited or []
        if index is None or not 0 <= int(index) < len(cited):
            return self.show_citation(None)
        return self.show_citation(Citation.model_validate(cited[int(index)]))

    def on_citation_row(self, rows: Any, opened: dict | None, evt: gr.SelectData, request: gr.Request):
        """A click on a row of the citations table shows that citation's page."""
        reviewer = reviewer_of(request, self.settings)
        opened = opened or closed()
        draft = None
        if opened.get("case_id") and opened.get("item") is not None:
            draft = self.store.load_item(reviewer, opened["case_id"], int(opened["item"]))
        previous = draft.rationale.citations if draft else []
        citations = rows_to_citations(rows, previous, self.backend.library())
        row = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        return self.show_citation(citations[row] if row is not None and 0 <= row < len(citations) else None)

    def on_enable_guideline(self, guideline_id: str | None, request: gr.Request):
        return self.choose_guideline(guideline_id, True, request)

    def on_disable_guideline(self, guideline_id: str | None, request: gr.Request):
        return self.choose_guideline(guideline_id, False, request)

    def choose_guideline(self, guideline_id: str | None, enable: bool, request: gr.Request):
        """Admins only (every reviewer drafts from the index); fetched, re-indexed and audited, or rolled back."""
        from assistant.auth import require_admin
        from assistant.index.store import choose_guideline_and_index

        reviewer = reviewer_of(request, self.settings)
        if not guideline_id:
            raise gr.Error("Choose a guideline from the list first.")
        verb = "enable" if enable else "disable"
        try:
            require_admin(self.settings.auth_file, reviewer, f"{verb} guidelines")
            entry, result = choose_guideline_and_index(self.settings, guideline_id, enable, reviewer)
        except AssistantError as exc:
            raise gr.Error(str(exc)) from exc
        self.backend.reopen()
        message = f"{entry.title} {verb}d; the index now holds {result.manifest.chunk_count} passages."
        return guideline_rows(self.settings), corpus_note(self.backend.library()), message

    def on_add_guideline(self, pdf: str | None, guideline_id: str, title: str, tier: str, short_form: str, pattern: str,
                         request: gr.Request):
        from assistant.auth import require_admin
        from assistant.corpus.add import add_guideline
        from assistant.index.store import add_guideline_and_index

        reviewer = reviewer_of(request, self.settings)
        if not pdf:
            raise gr.Error("Choose a PDF first.")
        try:
            require_admin(self.settings.auth_file, reviewer)  # every reviewer drafts from the shared corpus
            check_upload_size(pdf, self.settings.max_upload_bytes)
            add = partial(add_guideline, self.settings, Path(pdf), (guideline_id or "").strip(), (title or "").strip(),
                          EvidenceTier(tier), short_form=(short_form or "").strip() or None,
                          section_pattern=(pattern or "").strip() or None, actor=reviewer)
            entry, result = add_guideline_and_index(self.settings, add, reviewer)  # audited; rolled back on failure
        except AssistantError as exc:
            raise gr.Error(str(exc)) from exc
        self.backend.reopen()
        message = f"Added {entry.title} ({entry.tier.label}); the index now holds {result.manifest.chunk_count} passages."
        return guideline_rows(self.settings), corpus_note(self.backend.library()), message
