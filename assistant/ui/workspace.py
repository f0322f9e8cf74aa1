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
from assistant.contracts import CaseFile, DisputedItem, EvidenceTier, ItemRationale
from assistant.conversation.engine import ConversationEngine
from assistant.conversation.state import ChatReply
from assistant.errors import AssistantError
from assistant.export import export_case
from assistant.files import check_upload_size, private_dir
from assistant.services import Services
from assistant.storage import open_draft_store
from assistant.text_safety import escape_markdown_export
from assistant.ui.guard import CACHED_FILES
from assistant.ui.render import (
    badge_html,
    case_choices,
    case_summary_md,
    citation_rows,
    corpus_note,
    guideline_rows,
    item_choices,
    item_rows,
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
        """decision, CA guideline, reviewer guideline, rationale, citations, badge."""
        if case is None or item_index is None or not 0 <= item_index < len(case.items):
            return None, "", "", "", [], badge_html(None, "Choose a case and an item.")
        draft = self.store.load_item(reviewer, case.case_id, item_index)
        if draft is None:
            typed = self.store.load_undecided(reviewer, case.case_id, item_index)
            if typed is not None:  # text typed before a decision was chosen, kept by on_edit
                return (None, typed["claims_administrator_guideline"], typed["reviewer_guideline_line"],
                        typed["rationale"], typed["citation_rows"],
                        badge_html(None, "Saved without a decision. Choose Upheld or Overturned to verify it."))
            ca_line = case.items[item_index].claims_administrator_guideline or case.ur_guideline or ""
            return (None, ca_line, "", "", [],
                    badge_html(None, "Not drafted yet: press “Draft with assistant” or write your own."))
        r = draft.rationale
        return (r.decision, r.claims_administrator_guideline, r.reviewer_guideline_line, r.rationale,
                citation_rows(r.citations),
                badge_html(draft.report, f"Saved revision {draft.revision}.") + rationale_notes_html(r))

    def chat_messages(self, reviewer: str, case: CaseFile | None) -> list[dict[str, str]]:
        if case is None:
            return []
        return [{"role": m.role, "content": escape_markdown_export(m.content) if m.role == "user" else m.content}
                for m in self.store.chat_history(reviewer, case.case_id)]

    def case_view(self, reviewer: str, case_id: str | None, item_index: int | None = 0):
        case = self.load_case(reviewer, case_id)
        choices = item_choices(case)
        if case is not None and (item_index is None or not 0 <= item_index < len(case.items)):
            item_index = 0 if case.items else None
        return (
            gr.update(choices=case_choices(self.store, reviewer), value=case_id),
            case_summary_md(case),
            item_rows(case),
            self.chat_messages(reviewer, case),
            gr.update(choices=choices, value=item_index if case and case.items else None),
            *self.editor_values(reviewer, case, item_index),
        )

    # ------------------------------------------------------------------ handlers (one per widget event)

    def on_load(self, request: gr.Request):
        reviewer = reviewer_of(request, self.settings)
        cases = self.store.list_cases(reviewer)
        library = self.backend.library()
        header = f"{status_markdown(self.settings)}  \n**Signed in as:** {html.escape(reviewer)}"
        return (header, corpus_note(library), guideline_rows(self.settings),
                *self.case_view(reviewer, cases[0].case_id if cases else None))

    def on_read_case(self, text: str, upload: str | None, request: gr.Request):
        reviewer = reviewer_of(request, self.settings)
        try:
            if upload:
                check_upload_size(upload, self.settings.max_upload_bytes)  # before anything is read or stored
                self.cached_files.grant(reviewer, upload)
            services = self.backend.services()
            if upload:
                case = services.intake_file(Path(upload))
            elif text and text.strip():
                case = services.intake_text(text)
            else:
                raise AssistantError("Paste the case text or upload a .txt, .pdf or .json file first.")
        except AssistantError as exc:
            gr.Warning(str(exc))
            raise gr.Error(str(exc)) from exc
        case = self.store.create_case(reviewer, case)
        self.store.audit(reviewer, case.case_id, "imported",
                    detail={"source_name": case.source_name, "items": [i.text for i in case.items]})
        return self.case_view(reviewer, case.case_id)

    def on_select_case(self, case_id: str | None, request: gr.Request):
        return self.case_view(reviewer_of(request, self.settings), case_id)

    def on_edit_items(self, case_id: str | None, rows: Any, request: gr.Request):
        reviewer = reviewer_of(request, self.settings)
        case = self.load_case(reviewer, case_id)
        if case is None:
            return gr.update(), gr.update()
        items = []
        for row in table_rows(rows):
            row = (list(row) + ["", "", ""])[:3]
            text, quantity, date = (str(v if v is not None else "").strip() for v in row)
            if text:
                items.append(DisputedItem(text=text, quantity=quantity or None, request_date=date or None))
        case = case.model_copy(update={"items": items})
        self.store.save_case(reviewer, case)
        return gr.update(choices=item_choices(case)), gr.update(choices=case_choices(self.store, reviewer), value=case_id)

    def on_select_item(self, case_id: str | None, item_index: int | None, request: gr.Request):
        reviewer = reviewer_of(request, self.settings)
        return self.editor_values(reviewer, self.load_case(reviewer, case_id), item_index)

    def on_draft(self, case_id: str | None, item_index: int | None, decision: str | None, request: gr.Request):
        reviewer = reviewer_of(request, self.settings)
        case = self.load_case(reviewer, case_id)
        if case is None or item_index is None:
            raise gr.Error("Open a case and choose an item to draft.")
        try:
            result = self.backend.services().draft(case, int(item_index), decision or None)
        except AssistantError as exc:
            raise gr.Error(str(exc)) from exc
        self.store.save_item(reviewer, case.case_id, int(item_index), result.rationale, result.report, action="generated")
        return self.editor_values(reviewer, case, int(item_index))

    def current_rationale(self, reviewer, case, item_index, decision, ca_line, reviewer_line, text, rows):
        previous = self.store.load_item(reviewer, case.case_id, item_index)
        base = previous.rationale if previous else None
        citations = rows_to_citations(rows, base.citations if base else [], self.backend.library())
        fields = dict(decision=decision, claims_administrator_guideline=ca_line or "",
                      reviewer_guideline_line=reviewer_line or "", rationale=text or "", citations=citations)
        if base is not None:
            return previous, base.model_copy(update=fields)
        return previous, ItemRationale(item=case.items[item_index], **fields)

    def on_edit(self, case_id, item_index, decision, ca_line, reviewer_line, text, rows, request: gr.Request):
        reviewer = reviewer_of(request, self.settings)
        case = self.load_case(reviewer, case_id)
        if case is None or item_index is None or not 0 <= int(item_index) < len(case.items):
            return gr.update()  # nothing open: nothing to save
        item_index = int(item_index)
        if decision not in DECISIONS:
            typed = (any((v or "").strip() for v in (reviewer_line, text))
                     or (ca_line or "").strip() != (case.ur_guideline or "").strip())
            if not typed and self.store.load_undecided(reviewer, case.case_id, item_index) is None:
                return gr.update()  # only the prefilled line: nothing typed yet
            self.store.save_undecided(reviewer, case.case_id, item_index, {
                "claims_administrator_guideline": ca_line or "", "reviewer_guideline_line": reviewer_line or "",
                "rationale": text or "", "citation_rows": table_rows(rows)})
            return badge_html(None, "Saved without a decision. Choose Upheld or Overturned to verify it and keep "
                                    "revisions.")
        previous, rationale = self.current_rationale(reviewer, case, item_index, decision, ca_line, reviewer_line, text, rows)
        try:
            report = self.backend.services().verify(rationale, case)
        except AssistantError as exc:
            report, note = None, f"Not verified: {exc}"
        else:
            note = ""
        if previous is not None and previous.rationale == rationale and previous.report == report:
            return badge_html(report, note or f"Saved revision {previous.revision}.")
        draft = self.store.save_item(reviewer, case.case_id, item_index, rationale, report, action="edited")
        return badge_html(report, note or f"Saved revision {draft.revision}.")

    def on_accept(self, case_id, item_index, decision, ca_line, reviewer_line, text, rows, request: gr.Request):
        reviewer = reviewer_of(request, self.settings)
        case = self.load_case(reviewer, case_id)
        if case is None or item_index is None or decision not in DECISIONS:
            raise gr.Error("Open a case, choose an item and a decision first.")
        _, rationale = self.current_rationale(reviewer, case, int(item_index), decision, ca_line, reviewer_line, text, rows)
        report = self.backend.services().verify(rationale, case)
        draft = self.store.save_item(reviewer, case.case_id, int(item_index), rationale, report, action="accepted")
        return badge_html(report, f"Accepted as revision {draft.revision}.")

    def on_check_text(self, case_id, item_index, decision, text, request: gr.Request):
        reviewer = reviewer_of(request, self.settings)
        if not (text or "").strip():
            raise gr.Error("Write the rationale first.")
        case = self.load_case(reviewer, case_id)
        report = self.backend.services().check_text(text, decision if decision in DECISIONS else None, case)
        if case_id:
            self.store.audit(reviewer, case_id, "checked", item_index=None if item_index is None else int(item_index),
                        detail={"badge": report.badge(), "problems": len(report.problems), "chars": len(text)})
        return badge_html(report, "Checked as your own text (citations recognised in the prose"
                                  + ("; statements about the case checked against its record)." if case else ")."))

    def on_chat(self, message: str, case_id: str | None, history: list | None, state: Any, request: gr.Request):
        reviewer = reviewer_of(request, self.settings)
        message = (message or "").strip()
        history = list(history or [])
        if not message:
            return history, "", gr.update(), state
        library = self.backend.library()
        case = self.load_case(reviewer, case_id)
        try:
            reply = self.chat_reply(case, message, state)
        except AssistantError as exc:
            reply = ChatReply(text=f"**Error:** {exc}", intent="error")
        else:
            state = reply.state if reply.state is not None else state
        cards = passage_cards(reply.passages, library)
        # The reply quotes case items and record text: Markdown formatting stays, HTML, images and links do not.
        content = escape_markdown_export(reply.text) + ("\n\n" + cards if cards else "")
        history += [{"role": "user", "content": escape_markdown_export(message)},
                    {"role": "assistant", "content": content}]
        if case is not None:
            self.save_chat_turn(reviewer, case, message, content, reply)
        return history, "", cards or "<p>No sources for this answer.</p>", state

    def chat_reply(self, case: CaseFile | None, message: str, state: Any) -> ChatReply:
        """With a case open, the conversation engine; without one, the closest passages."""
        if case is None:
            passages = self.backend.services().lookup(message)
            text = ("The closest guideline passages (open the cards for the text and the whole page)."
                    if passages else "No indexed passage addresses that.")
            return ChatReply(text=text, intent="lookup", passages=passages)
        return self.backend.engine().reply(case.case_id, message, state, case=case)

    def save_chat_turn(self, reviewer: str, case: CaseFile, message: str, content: str, reply: ChatReply) -> None:
        """Both messages into the chat history, and a drafted or revised item into its revisions."""
        self.store.append_chat(reviewer, case.case_id, "user", message)
        self.store.append_chat(reviewer, case.case_id, "assistant", content)
        if reply.rationale is None:
            return
        index = reply.item_index
        if index is None:
            index = next((i for i, item in enumerate(case.items) if item.text == reply.rationale.item.text), None)
        if index is not None:
            self.store.save_item(reviewer, case.case_id, index, reply.rationale, reply.report, action="generated")

    def on_export(self, case_id: str | None, request: gr.Request):
        reviewer = reviewer_of(request, self.settings)
        case = self.load_case(reviewer, case_id)
        if case is None:
            raise gr.Error("Open a case first.")
        folder = Path(tempfile.mkdtemp(prefix="imr-export-", dir=private_dir(self.settings.gradio_temp_dir / "exports")))
        try:
            exported = export_case(self.store, self.backend.services().verify, reviewer, case, folder)
        except AssistantError as exc:
            raise gr.Error(str(exc)) from exc
        problems, md_path, docx_path, indexes = exported.problems, exported.markdown, exported.docx, exported.items
        for path in (md_path, docx_path):  # downloadable by this reviewer only (ui.guard)
            self.cached_files.grant(reviewer, path)
        note = (f"⚠ {problems} verification problem(s) are flagged UNVERIFIED in the letter." if problems
                else "All citations verified.")
        return (gr.update(value=str(md_path), visible=True), gr.update(value=str(docx_path), visible=True),
                f"Exported {len(indexes)} item(s). {note}")

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
