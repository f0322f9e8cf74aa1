"""The reviewer's web app. Thin: it wires Gradio widgets to the package and renders what comes back.

    python ui.py [--host 127.0.0.1] [--port 7860] [--auth users.toml] [--reviewer NAME]
    assistant ui  (the same)

Drafting, verification and search are in `assistant.services`; drafts, chat and the audit log in
`assistant.storage`; the letter layout in `assistant.export`; sign-in and the bind rule in `assistant.auth`.
"""

from __future__ import annotations

import argparse
import html
import tempfile
import threading
from pathlib import Path
from typing import Any

from assistant.config import Settings, load_settings  # first: sets GRADIO_ANALYTICS_ENABLED=False before gradio loads

import gradio as gr  # noqa: E402

from assistant.contracts import (  # noqa: E402
    CaseFile,
    Citation,
    DisputedItem,
    EvidenceTier,
    ItemRationale,
    RetrievedPassage,
    VerificationReport,
)
from assistant.errors import AssistantError  # noqa: E402
from assistant.export import export_case  # noqa: E402
from assistant.storage import DraftStore, open_draft_store  # noqa: E402

ITEM_HEADERS = ["Disputed item", "Quantity", "Request date"]
CITATION_HEADERS = ["#", "Guideline id", "Page", "Section", "Quote"]
GUIDELINE_HEADERS = ["Id", "Title", "Tier", "Pages", "Passages", "Source"]
DECISIONS = ["Upheld", "Overturned"]

CSS = """
.source-card { border: 1px solid #c9ced6; border-radius: 6px; padding: 4px 10px; margin: 6px 0; background: #fafbfc; }
.source-card > summary { cursor: pointer; }
.source-card blockquote { margin: 6px 0; border-left: 3px solid #8aa4c8; padding-left: 8px; }
.source-page > summary { cursor: pointer; color: #35598f; }
.page-text { white-space: pre-wrap; font-size: 0.85em; max-height: 24em; overflow-y: auto; }
.badge-ok { color: #17632a; font-weight: 600; }
.badge-bad { color: #a0001c; font-weight: 600; }
.status-remote { color: #a0001c; font-weight: 600; }
"""


# ---------------------------------------------------------------- shared back end (opened once, lazily)


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
                try:
                    from assistant.services import Services
                except ImportError as exc:
                    raise AssistantError(f"The drafting services are not installed ({exc}).") from exc
                self._services = Services.open(self.settings)
            return self._services

    def engine(self):
        services = self.services()
        with self._lock:
            if self._engine is None:
                from assistant.conversation.engine import ConversationEngine

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


def error_html(exc: Exception) -> str:
    return f'<div class="badge-bad">{html.escape(str(exc))}</div>'


# ---------------------------------------------------------------- rendering


def status_markdown(settings: Settings) -> str:
    model = settings.model + (f" ({settings.model_name})" if settings.model_name else "")
    if settings.model == "offline":
        where = "runs offline on this machine (no language model; extractive drafts only). Nothing leaves this computer."
    elif settings.model_is_remote:
        target = settings.model_base_url or f"the {settings.model} API"
        where = (f'<span class="status-remote">remote: case text you paste or upload is sent to {html.escape(target)}.'
                 " Do not use it for cases you may not share with that provider.</span>")
    else:
        where = "runs on this machine; case text does not leave it."
    return f"**Model backend:** {html.escape(model)} — {where}"


def corpus_note(library) -> str:
    if library is None:
        return ("No guideline index is loaded yet. Build it with `assistant index`, or add your own PDFs in the "
                "Corpus tab.")
    entries = [e for e in library.entries.values() if library.page_count(e.id)]
    titles = "; ".join(e.title for e in entries) or "nothing"
    note = f"Indexed: {titles}."
    if not any(e.tier == EvidenceTier.mtus for e in entries):
        note += " MTUS and other guidelines are not included; add your own PDFs in the Corpus tab."
    return note


def passage_cards(passages: list[RetrievedPassage], library) -> str:
    cards = []
    for number, passage in enumerate(passages, start=1):
        c = passage.citation
        name = c.short_form or c.title
        page = library.page(c.guideline_id, c.printed_page) if library is not None else None
        page_html = (
            f'<details class="source-page"><summary>show page {html.escape(c.pages)}</summary>'
            f'<div class="page-text">{html.escape(page.text)}</div></details>'
            if page is not None else ""
        )
        section = f" — {html.escape(c.section)}" if c.section else ""
        cards.append(
            f'<details class="source-card"><summary><b>[{number}] {html.escape(name)}, {html.escape(c.pages)}</b>'
            f"{section} <i>({html.escape(passage.tier.label)})</i></summary>"
            f"<blockquote>{html.escape(c.quote)}</blockquote>{page_html}</details>"
        )
    return "\n".join(cards)


def badge_html(report: VerificationReport | None, note: str = "") -> str:
    if report is None:
        return f'<div id="verify-state" class="badge-bad">{html.escape(note or "Not verified yet.")}</div>'
    css = "badge-ok" if report.ok else "badge-bad"
    mark = "✔" if report.ok else "✖"
    problems = "".join(f"<li>{html.escape(p.status)}: {html.escape(p.message)}</li>" for p in report.problems)
    extra = f"<div>{html.escape(note)}</div>" if note else ""
    return (f'<div id="verify-state" class="{css}">{mark} {html.escape(report.badge())}</div>'
            f'<ul id="verify-problems">{problems}</ul>{extra}')


def rationale_notes_html(rationale: ItemRationale) -> str:
    """Abstention with the suggested governing guideline, lower-tier support and precedent, each labelled."""
    parts = []
    if rationale.abstention is not None:
        suggestion = rationale.abstention.suggested_guideline
        parts.append(
            f'<div id="abstention-note"><b>No citation:</b> {html.escape(rationale.abstention.message)}'
            + (f" Most likely governing: <b>{html.escape(suggestion)}</b>." if suggestion else "")
            + " Add that guideline's PDF in the Corpus tab to draft a cited rationale.</div>")
    if rationale.supporting_citations:
        items = "".join(f"<li>{html.escape(c.label())}</li>" for c in rationale.supporting_citations)
        parts.append(f"<div><b>Supporting evidence only (lower tier, not governing):</b><ul>{items}</ul></div>")
    if rationale.precedent_note:
        parts.append(f'<div id="precedent-note"><i>{html.escape(rationale.precedent_note)}</i></div>')
    return "".join(parts)


def citation_rows(citations: list[Citation]) -> list[list[Any]]:
    return [[i, c.guideline_id, (f"{c.printed_page}–{c.printed_page_end}" if c.printed_page_end else c.printed_page),
             c.section, c.quote] for i, c in enumerate(citations, start=1)]


def rows_to_citations(rows: Any, previous: list[Citation], library) -> list[Citation]:
    citations = []
    for index, row in enumerate(_rows(rows)):
        row = (list(row) + [""] * 5)[:5]
        guideline_id, page, section, quote = (str(v if v is not None else "").strip() for v in row[1:5])
        if not guideline_id and not quote:
            continue
        start, _, end = page.replace("—", "–").partition("–")
        if not end and "-" in start:
            start, _, end = start.partition("-")
        old = previous[index] if index < len(previous) else None
        entry = library.entries.get(guideline_id) if library is not None else None
        title = entry.title if entry else (old.title if old and old.guideline_id == guideline_id else guideline_id)
        short = entry.short_form if entry else (old.short_form if old and old.guideline_id == guideline_id else "")
        citations.append(Citation(guideline_id=guideline_id, title=title, short_form=short,
                                  printed_page=start.strip(), printed_page_end=end.strip() or None,
                                  section=section, quote=quote))
    return citations


def _rows(value: Any) -> list[list[Any]]:
    if value is None:
        return []
    if hasattr(value, "values") and hasattr(value, "columns"):  # a pandas DataFrame
        return value.values.tolist()
    if isinstance(value, dict) and "data" in value:
        return value["data"]
    return list(value)


def item_rows(case: CaseFile | None) -> list[list[str]]:
    if case is None:
        return []
    return [[i.text, i.quantity or "", i.request_date or ""] for i in case.items]


def item_choices(case: CaseFile | None) -> list[tuple[str, int]]:
    if case is None:
        return []
    return [(f"{n}. {item.text}", n - 1) for n, item in enumerate(case.items, start=1)]


def case_choices(store: DraftStore, reviewer: str) -> list[tuple[str, str]]:
    return [(s.title, s.case_id) for s in store.list_cases(reviewer)]


def case_summary_md(case: CaseFile | None) -> str:
    if case is None:
        return "_No case open. Paste a case or upload a file, then press **Read case**._"
    parts = [f"**Case {case.case_id}**"]
    if case.injury_date:
        parts.append(f"injury {case.injury_date}")
    if case.ur_denial_date:
        parts.append(f"UR denial {case.ur_denial_date}")
    head = " · ".join(parts)
    summary = case.summary[:600] + ("…" if len(case.summary) > 600 else "")
    return f"{head}\n\n{summary}"


def guideline_rows(settings: Settings) -> list[list[Any]]:
    from assistant.corpus.catalog import load_catalog
    from assistant.index.store import read_current_manifest

    manifest = read_current_manifest(settings)
    indexed = {g.id: g for g in manifest.guidelines} if manifest else {}
    rows = []
    for entry in load_catalog(settings):
        summary = indexed.get(entry.id)
        rows.append([entry.id, entry.title, entry.tier.label, summary.pages if summary else "not indexed",
                     summary.chunks if summary else "", entry.source])
    return rows


# ---------------------------------------------------------------- the app


def build_app(settings: Settings) -> gr.Blocks:
    backend = Backend(settings)
    store = backend.store

    # ---- helpers bound to this app's back end

    def load_case(reviewer: str, case_id: str | None) -> CaseFile | None:
        return store.load_case(reviewer, case_id) if case_id else None

    def editor_values(reviewer: str, case: CaseFile | None, item_index: int | None):
        """decision, CA guideline, reviewer guideline, rationale, citations, badge."""
        if case is None or item_index is None or not 0 <= item_index < len(case.items):
            return None, "", "", "", [], badge_html(None, "Choose a case and an item.")
        draft = store.load_item(reviewer, case.case_id, item_index)
        if draft is None:
            return (None, case.ur_guideline or "", "", "", [],
                    badge_html(None, "Not drafted yet: press “Draft with assistant” or write your own."))
        r = draft.rationale
        return (r.decision, r.claims_administrator_guideline, r.reviewer_guideline_line, r.rationale,
                citation_rows(r.citations),
                badge_html(draft.report, f"Saved revision {draft.revision}.") + rationale_notes_html(r))

    def chat_messages(reviewer: str, case: CaseFile | None) -> list[dict[str, str]]:
        if case is None:
            return []
        return [{"role": m.role, "content": m.content} for m in store.chat_history(reviewer, case.case_id)]

    def case_view(reviewer: str, case_id: str | None, item_index: int | None = 0):
        case = load_case(reviewer, case_id)
        choices = item_choices(case)
        if case is not None and (item_index is None or not 0 <= item_index < len(case.items)):
            item_index = 0 if case.items else None
        return (
            gr.update(choices=case_choices(store, reviewer), value=case_id),
            case_summary_md(case),
            item_rows(case),
            chat_messages(reviewer, case),
            gr.update(choices=choices, value=item_index if case and case.items else None),
            *editor_values(reviewer, case, item_index),
        )

    # ---- event handlers

    def on_load(request: gr.Request):
        reviewer = reviewer_of(request, settings)
        cases = store.list_cases(reviewer)
        library = backend.library()
        header = f"{status_markdown(settings)}  \n**Signed in as:** {html.escape(reviewer)}"
        return (header, corpus_note(library), guideline_rows(settings),
                *case_view(reviewer, cases[0].case_id if cases else None))

    def on_read_case(text: str, upload: str | None, request: gr.Request):
        reviewer = reviewer_of(request, settings)
        try:
            services = backend.services()
            if upload:
                case = services.intake_file(Path(upload))
            elif text and text.strip():
                case = services.intake_text(text)
            else:
                raise AssistantError("Paste the case text or upload a .txt, .pdf or .json file first.")
        except AssistantError as exc:
            gr.Warning(str(exc))
            raise gr.Error(str(exc)) from exc
        case = store.create_case(reviewer, case)
        store.audit(reviewer, case.case_id, "imported",
                    detail={"source_name": case.source_name, "items": [i.text for i in case.items]})
        return case_view(reviewer, case.case_id)

    def on_select_case(case_id: str | None, request: gr.Request):
        return case_view(reviewer_of(request, settings), case_id)

    def on_edit_items(case_id: str | None, rows: Any, request: gr.Request):
        reviewer = reviewer_of(request, settings)
        case = load_case(reviewer, case_id)
        if case is None:
            return gr.update(), gr.update()
        items = []
        for row in _rows(rows):
            row = (list(row) + ["", "", ""])[:3]
            text, quantity, date = (str(v if v is not None else "").strip() for v in row)
            if text:
                items.append(DisputedItem(text=text, quantity=quantity or None, request_date=date or None))
        case = case.model_copy(update={"items": items})
        store.save_case(reviewer, case)
        return gr.update(choices=item_choices(case)), gr.update(choices=case_choices(store, reviewer), value=case_id)

    def on_select_item(case_id: str | None, item_index: int | None, request: gr.Request):
        reviewer = reviewer_of(request, settings)
        return editor_values(reviewer, load_case(reviewer, case_id), item_index)

    def on_draft(case_id: str | None, item_index: int | None, decision: str | None, request: gr.Request):
        reviewer = reviewer_of(request, settings)
        case = load_case(reviewer, case_id)
        if case is None or item_index is None:
            raise gr.Error("Open a case and choose an item to draft.")
        try:
            result = backend.services().draft(case, int(item_index), decision or None)
        except AssistantError as exc:
            raise gr.Error(str(exc)) from exc
        store.save_item(reviewer, case.case_id, int(item_index), result.rationale, result.report, action="generated")
        return editor_values(reviewer, case, int(item_index))

    def current_rationale(reviewer, case, item_index, decision, ca_line, reviewer_line, text, rows):
        previous = store.load_item(reviewer, case.case_id, item_index)
        base = previous.rationale if previous else None
        citations = rows_to_citations(rows, base.citations if base else [], backend.library())
        fields = dict(decision=decision, claims_administrator_guideline=ca_line or "",
                      reviewer_guideline_line=reviewer_line or "", rationale=text or "", citations=citations)
        if base is not None:
            return previous, base.model_copy(update=fields)
        return previous, ItemRationale(item=case.items[item_index], **fields)

    def on_edit(case_id, item_index, decision, ca_line, reviewer_line, text, rows, request: gr.Request):
        reviewer = reviewer_of(request, settings)
        case = load_case(reviewer, case_id)
        if case is None or item_index is None or not 0 <= int(item_index) < len(case.items):
            return gr.update()  # nothing open: nothing to save
        item_index = int(item_index)
        if decision not in DECISIONS:
            if not (text or "").strip():
                return gr.update()
            return badge_html(None, "Choose Upheld or Overturned: the draft is saved from then on, with every edit.")
        previous, rationale = current_rationale(reviewer, case, item_index, decision, ca_line, reviewer_line, text, rows)
        try:
            report = backend.services().verify(rationale)
        except AssistantError as exc:
            report, note = None, f"Not verified: {exc}"
        else:
            note = ""
        if previous is not None and previous.rationale == rationale and previous.report == report:
            return badge_html(report, note or f"Saved revision {previous.revision}.")
        draft = store.save_item(reviewer, case.case_id, item_index, rationale, report, action="edited")
        return badge_html(report, note or f"Saved revision {draft.revision}.")

    def on_accept(case_id, item_index, decision, ca_line, reviewer_line, text, rows, request: gr.Request):
        reviewer = reviewer_of(request, settings)
        case = load_case(reviewer, case_id)
        if case is None or item_index is None or decision not in DECISIONS:
            raise gr.Error("Open a case, choose an item and a decision first.")
        _, rationale = current_rationale(reviewer, case, int(item_index), decision, ca_line, reviewer_line, text, rows)
        report = backend.services().verify(rationale)
        draft = store.save_item(reviewer, case.case_id, int(item_index), rationale, report, action="accepted")
        return badge_html(report, f"Accepted as revision {draft.revision}.")

    def on_check_text(case_id, item_index, decision, text, request: gr.Request):
        reviewer = reviewer_of(request, settings)
        if not (text or "").strip():
            raise gr.Error("Write the rationale first.")
        report = backend.services().check_text(text, decision if decision in DECISIONS else None)
        if case_id:
            store.audit(reviewer, case_id, "checked", item_index=None if item_index is None else int(item_index),
                        detail={"badge": report.badge(), "problems": len(report.problems), "chars": len(text)})
        return badge_html(report, "Checked as your own text (citations recognised in the prose).")

    def on_chat(message: str, case_id: str | None, history: list | None, state: Any, request: gr.Request):
        reviewer = reviewer_of(request, settings)
        message = (message or "").strip()
        history = list(history or [])
        if not message:
            return history, "", gr.update(), state
        library = backend.library()
        case = load_case(reviewer, case_id)
        try:
            engine = None
            if case is not None:
                try:
                    engine = backend.engine()
                except ImportError:
                    engine = None  # no conversation engine installed: answer with the closest passages
            if engine is None:
                passages = backend.services().lookup(message)
                text = ("The closest guideline passages (open the cards for the text and the whole page)."
                        if passages else "No indexed passage addresses that.")
                rationale = None
            else:
                reply = engine.reply(case.case_id, message, state, case=case)
                state = getattr(reply, "state", state)
                passages, text, rationale = reply.passages, reply.text, reply.rationale
        except AssistantError as exc:
            passages, text, rationale = [], f"**Error:** {exc}", None
        cards = passage_cards(passages, library)
        content = text + ("\n\n" + cards if cards else "")
        history += [{"role": "user", "content": message}, {"role": "assistant", "content": content}]
        if case is not None:
            store.append_chat(reviewer, case.case_id, "user", message)
            store.append_chat(reviewer, case.case_id, "assistant", content)
            if rationale is not None:
                index = getattr(reply, "item_index", None)
                if index is None:
                    index = next((i for i, item in enumerate(case.items) if item.text == rationale.item.text), None)
                if index is not None:
                    store.save_item(reviewer, case.case_id, index, rationale, getattr(reply, "report", None),
                                    action="generated")
        return history, "", cards or "<p>No sources for this answer.</p>", state

    def on_export(case_id: str | None, request: gr.Request):
        reviewer = reviewer_of(request, settings)
        case = load_case(reviewer, case_id)
        if case is None:
            raise gr.Error("Open a case first.")
        try:
            exported = export_case(store, backend.services().verify, reviewer, case,
                                   Path(tempfile.mkdtemp(prefix="imr-export-")))
        except AssistantError as exc:
            raise gr.Error(str(exc)) from exc
        problems, md_path, docx_path, indexes = exported.problems, exported.markdown, exported.docx, exported.items
        note = (f"⚠ {problems} verification problem(s) are flagged UNVERIFIED in the letter." if problems
                else "All citations verified.")
        return (gr.update(value=str(md_path), visible=True), gr.update(value=str(docx_path), visible=True),
                f"Exported {len(indexes)} item(s). {note}")

    def on_add_guideline(pdf: str | None, guideline_id: str, title: str, tier: str, short_form: str, pattern: str):
        from assistant.corpus.add import add_guideline
        from assistant.index.store import build_index

        if not pdf:
            raise gr.Error("Choose a PDF first.")
        try:
            entry = add_guideline(settings, Path(pdf), (guideline_id or "").strip(), (title or "").strip(),
                                  EvidenceTier(tier), short_form=(short_form or "").strip() or None,
                                  section_pattern=(pattern or "").strip() or None)
            result = build_index(settings)
        except AssistantError as exc:
            raise gr.Error(str(exc)) from exc
        backend.reopen()
        message = f"Added {entry.title} ({entry.tier.label}); the index now holds {result.manifest.chunk_count} passages."
        return guideline_rows(settings), corpus_note(backend.library()), message

    # ---- layout

    with gr.Blocks(title="IMR rationale assistant", analytics_enabled=False) as app:
        gr.Markdown("## IMR rationale assistant")
        status = gr.Markdown(status_markdown(settings), elem_id="status-line")
        note = gr.Markdown("", elem_id="corpus-note")
        case_select = gr.Dropdown(label="Your cases", choices=[], value=None, interactive=True, elem_id="case-select")

        with gr.Tabs():
            with gr.Tab("Case", id="tab-case"):
                with gr.Row():
                    case_text = gr.Textbox(label="Paste the case (clinical summary and disputed items)", lines=10,
                                           elem_id="case-text", scale=3)
                    case_file = gr.File(label="…or upload .txt / .pdf / .json", file_types=[".txt", ".pdf", ".json"],
                                        type="filepath", elem_id="case-file", scale=1)
                read_button = gr.Button("Read case", variant="primary", elem_id="case-submit")
                case_summary = gr.Markdown(case_summary_md(None), elem_id="case-summary")
                items_table = gr.Dataframe(headers=ITEM_HEADERS, value=[], type="array", interactive=True,
                                           label="Disputed items (editable)", elem_id="case-items",
                                           datatype=["str", "str", "str"], column_count=3)

            with gr.Tab("Chat", id="tab-chat"):
                chatbot = gr.Chatbot(label="Ask about the case or the guidelines", elem_id="chat", height=480,
                                     feedback_options=None, buttons=["copy"])
                with gr.Row():
                    chat_input = gr.Textbox(show_label=False, placeholder="e.g. what does the guideline say about "
                                            "urine drug testing?", elem_id="chat-input", scale=5)
                    chat_send = gr.Button("Send", elem_id="chat-send", scale=1, variant="primary")
                chat_sources = gr.HTML("", elem_id="chat-sources")
                chat_state = gr.State(None)

            with gr.Tab("Rationale", id="tab-rationale"):
                with gr.Row():
                    item_select = gr.Dropdown(label="Disputed item", choices=[], value=None, elem_id="item-select",
                                              scale=3)
                    decision = gr.Dropdown(label="Decision", choices=DECISIONS, value=None, elem_id="decision",
                                           scale=1)
                    draft_button = gr.Button("Draft with assistant", variant="primary", elem_id="draft-button",
                                             scale=1)
                ca_line = gr.Textbox(label="Claims Administrator guideline", elem_id="ca-guideline")
                reviewer_line = gr.Textbox(label="Reviewer guideline", elem_id="reviewer-guideline")
                rationale_text = gr.Textbox(label="Decision rationale ([n] marks citation n)", lines=12,
                                            elem_id="rationale-text")
                citations_table = gr.Dataframe(headers=CITATION_HEADERS, value=[], type="array", interactive=True,
                                               label="Citations (editable; every edit is re-verified)",
                                               elem_id="citation-list", wrap=True,
                                               column_widths=["4%", "16%", "8%", "22%", "50%"],
                                               datatype=["number", "str", "str", "str", "str"], column_count=5)
                badge = gr.HTML(badge_html(None, "Not verified yet."), elem_id="verify-badge")
                with gr.Row():
                    accept_button = gr.Button("Accept this draft", elem_id="accept-button")
                    check_button = gr.Button("Check as my own text", elem_id="check-button")

            with gr.Tab("Export", id="tab-export"):
                gr.Markdown("The letter lists each item with its decision, guideline lines, rationale and citations; "
                            "anything that failed verification is marked UNVERIFIED.")
                export_button = gr.Button("Prepare the letter", variant="primary", elem_id="export-button")
                export_status = gr.Markdown("", elem_id="export-status")
                with gr.Row():
                    export_md = gr.DownloadButton("Download Markdown", visible=False, elem_id="export-md")
                    export_docx = gr.DownloadButton("Download Word (.docx)", visible=False, elem_id="export-docx")

            with gr.Tab("Corpus", id="tab-corpus"):
                guidelines = gr.Dataframe(headers=GUIDELINE_HEADERS, value=[], interactive=False,
                                          label="Guidelines", elem_id="guideline-list")
                gr.Markdown("**Add your own guideline PDF** (it must have a text layer; it stays on this machine).")
                with gr.Row():
                    new_pdf = gr.File(label="PDF", file_types=[".pdf"], type="filepath", elem_id="corpus-pdf")
                    with gr.Column():
                        new_id = gr.Textbox(label="Id (e.g. mtus-chronic-pain-2016)", elem_id="corpus-id")
                        new_title = gr.Textbox(label="Title", elem_id="corpus-title")
                        new_short = gr.Textbox(label="Short form (optional)", elem_id="corpus-short")
                        new_tier = gr.Dropdown(label="Tier", choices=[(t.label, t.value) for t in EvidenceTier],
                                               value=EvidenceTier.mtus.value, elem_id="corpus-tier")
                        new_pattern = gr.Textbox(label="Section heading regex (optional)", elem_id="corpus-pattern")
                add_button = gr.Button("Add and re-index", elem_id="corpus-add")
                add_status = gr.Markdown("", elem_id="corpus-status")

        # ---- wiring

        view_outputs = [case_select, case_summary, items_table, chatbot, item_select,
                        decision, ca_line, reviewer_line, rationale_text, citations_table, badge]
        editor_outputs = [decision, ca_line, reviewer_line, rationale_text, citations_table, badge]
        edit_inputs = [case_select, item_select, decision, ca_line, reviewer_line, rationale_text, citations_table]

        app.load(on_load, None, [status, note, guidelines, *view_outputs])
        read_button.click(on_read_case, [case_text, case_file], view_outputs)
        case_select.input(on_select_case, [case_select], view_outputs)
        items_table.input(on_edit_items, [case_select, items_table], [item_select, case_select])
        item_select.input(on_select_item, [case_select, item_select], editor_outputs)
        draft_button.click(on_draft, [case_select, item_select, decision], editor_outputs)
        # `change`, not `input`: Gradio's `input` misses pasted text. Loading a draft also fires `change`;
        # on_edit then finds nothing new and saves nothing.
        for widget in (decision, ca_line, reviewer_line, rationale_text, citations_table):
            widget.change(on_edit, edit_inputs, [badge], trigger_mode="always_last", show_progress="hidden")
        accept_button.click(on_accept, edit_inputs, [badge])
        check_button.click(on_check_text, [case_select, item_select, decision, rationale_text], [badge])
        chat_args = dict(fn=on_chat, inputs=[chat_input, case_select, chatbot, chat_state],
                         outputs=[chatbot, chat_input, chat_sources, chat_state])
        chat_input.submit(**chat_args)
        chat_send.click(**chat_args)
        export_button.click(on_export, [case_select], [export_md, export_docx, export_status])
        add_button.click(on_add_guideline, [new_pdf, new_id, new_title, new_tier, new_short, new_pattern],
                         [guidelines, note, add_status])
    return app


def theme():
    """System fonts only: the app makes no request outside this machine (no web fonts)."""
    return gr.themes.Default(font=["system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"])


def launch(settings: Settings, **options: Any):
    from assistant.ui.serve import serve

    return serve(settings, build_app, css=CSS, theme=theme(), **options)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The IMR rationale assistant's web app.")
    parser.add_argument("--home", type=Path, help="data folder (ASSISTANT_HOME)")
    parser.add_argument("--host", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default 7860)")
    parser.add_argument("--auth", type=Path, help="users.toml; required for any non-loopback --host")
    parser.add_argument("--reviewer", help="reviewer name when running without --auth")
    args = parser.parse_args(argv)
    settings = load_settings(home=args.home, host=args.host, port=args.port, auth_file=args.auth,
                             reviewer=args.reviewer)
    try:
        launch(settings)
    except AssistantError as exc:
        print(f"error: {exc}")
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
