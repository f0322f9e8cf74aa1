"""The reviewer's web app: the Gradio layout, wired to the handlers of a `Workspace`.

    python ui.py [--host 127.0.0.1] [--port 7860] [--auth users.toml] [--reviewer NAME]
    assistant ui  (the same)

Drafting, verification and search are in `assistant.services`; drafts, chat and the audit log in
`assistant.storage`; the letter layout in `assistant.export`; sign-in and the bind rule in `assistant.auth`;
what each event does in `assistant.ui.workspace`; HTML in `assistant.ui.render`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from assistant.config import Settings, load_settings  # first: sets GRADIO_ANALYTICS_ENABLED=False before gradio loads

import gradio as gr  # noqa: E402

from assistant.contracts import EvidenceTier  # noqa: E402
from assistant.errors import AssistantError  # noqa: E402
from assistant.ui.render import CSS, badge_html, case_summary_md, status_markdown  # noqa: E402
from assistant.ui.serve import serve  # noqa: E402
from assistant.ui.workspace import DECISIONS, Workspace, closed  # noqa: E402

ITEM_HEADERS = ["Disputed item", "Quantity", "Request date"]
CITATION_HEADERS = ["#", "Guideline id", "Page", "Section", "Quote"]
GUIDELINE_HEADERS = ["Id", "Title", "Tier", "Active", "Pages", "Passages", "Source"]


# ---------------------------------------------------------------- layout: one function per tab


def case_tab(ui: SimpleNamespace) -> None:
    with gr.Tab("Case", id="tab-case"):
        with gr.Row():
            ui.case_text = gr.Textbox(label="Paste the case (clinical summary and disputed items)", lines=10,
                                      elem_id="case-text", scale=3)
            ui.case_file = gr.File(label="…or upload .txt / .pdf / .json", file_types=[".txt", ".pdf", ".json"],
                                   type="filepath", elem_id="case-file", scale=1)
        with gr.Row():
            ui.case_number = gr.Textbox(label="Case number (if the text states none, e.g. CM16-0213037)",
                                        elem_id="case-number", scale=2)
            # Enabled by the page's load event: a case read before it returned was overwritten by its view.
            ui.read_button = gr.Button("Read case", variant="primary", elem_id="case-submit", scale=1,
                                       interactive=False)
        ui.case_summary = gr.Markdown(case_summary_md(None), elem_id="case-summary")
        ui.items_table = gr.Dataframe(headers=ITEM_HEADERS, value=[], type="array", interactive=True,
                                      label="Disputed items (editable)", elem_id="case-items",
                                      datatype=["str", "str", "str"], column_count=3)


def chat_tab(ui: SimpleNamespace) -> None:
    with gr.Tab("Chat", id="tab-chat"):
        # The label is a heading above the chat, not an overlay that scrolls over the messages.
        gr.Markdown("**Ask about the case or the guidelines**", elem_id="chat-label")
        ui.chatbot = gr.Chatbot(show_label=False, elem_id="chat", height=480, feedback_options=None,
                                buttons=["copy"])
        with gr.Row():
            ui.chat_input = gr.Textbox(show_label=False, placeholder="e.g. what does the guideline say about "
                                       "urine drug testing? · was physical therapy tried? · draft item 1 as upheld",
                                       elem_id="chat-input", scale=5)
            ui.chat_send = gr.Button("Send", elem_id="chat-send", scale=1, variant="primary")
        ui.chat_pick = gr.Dropdown(label="Show the cited page of this answer", choices=[], value=None,
                                   elem_id="chat-cite-pick", interactive=True)
        ui.chat_cited = gr.State([])
        ui.chat_state = gr.State(None)


def rationale_tab(ui: SimpleNamespace) -> None:
    with gr.Tab("Rationale", id="tab-rationale"):
        with gr.Row():
            ui.item_select = gr.Dropdown(label="Disputed item", choices=[], value=None, elem_id="item-select",
                                         scale=3)
            ui.decision = gr.Dropdown(label="Decision", choices=DECISIONS, value=None, elem_id="decision",
                                      scale=1)
            ui.draft_button = gr.Button("Draft with assistant", variant="primary", elem_id="draft-button",
                                        scale=1)
        ui.ca_line = gr.Textbox(label="Claims Administrator guideline", elem_id="ca-guideline", lines=3, max_lines=12)
        ui.reviewer_line = gr.Textbox(label="Reviewer guideline", elem_id="reviewer-guideline")
        ui.rationale_text = gr.Textbox(label="Decision rationale ([n] marks citation n)", lines=12,
                                       elem_id="rationale-text")
        ui.citations_table = gr.Dataframe(headers=CITATION_HEADERS, value=[], type="array", interactive=True,
                                          label="Citations (editable; every edit is re-verified; click a row to see its page)",
                                          elem_id="citation-list", wrap=True,
                                          column_widths=["4%", "16%", "8%", "22%", "50%"],
                                          datatype=["number", "str", "str", "str", "str"], column_count=5)
        ui.badge = gr.HTML(badge_html(None, "Not verified yet."), elem_id="verify-badge")
        with gr.Row():
            ui.accept_button = gr.Button("Accept this draft", elem_id="accept-button")
            ui.check_button = gr.Button("Check as my own text", elem_id="check-button")
        ui.checklist_slot = gr.Column(elem_id="checklist-slot")  # the criteria checklist (issue 14) goes here


def export_tab(ui: SimpleNamespace) -> None:
    with gr.Tab("Export", id="tab-export"):
        gr.Markdown("The letter lists each item with its decision, guideline lines, rationale and citations; "
                    "anything that failed verification is marked UNVERIFIED.")
        ui.export_button = gr.Button("Prepare the letter", variant="primary", elem_id="export-button")
        ui.export_status = gr.Markdown("", elem_id="export-status")
        with gr.Row():
            ui.export_md = gr.DownloadButton("Download Markdown", visible=False, elem_id="export-md")
            ui.export_docx = gr.DownloadButton("Download Word (.docx)", visible=False, elem_id="export-docx")


def page_panel(ui: SimpleNamespace) -> None:
    """The cited page beside every tab: the PDF page, the quoted words highlighted, and the page's text."""
    gr.Markdown("### Cited page")
    ui.page_note = gr.HTML('<div id="page-highlight" data-boxes="[]">Click a citation to see its page.</div>',
                           elem_id="page-note")
    ui.page_image = gr.Image(type="pil", interactive=False, show_label=False, elem_id="page-image", height=700)
    with gr.Accordion("The page's text", open=False):
        ui.page_text = gr.Textbox(show_label=False, lines=12, max_lines=30, interactive=False, elem_id="page-text")


def corpus_tab(ui: SimpleNamespace) -> None:
    with gr.Tab("Corpus", id="tab-corpus"):
        ui.guidelines = gr.Dataframe(headers=GUIDELINE_HEADERS, value=[], interactive=False,
                                     label="Guidelines", elem_id="guideline-list")
        gr.Markdown("**Add your own guideline PDF** (it must have a text layer; it stays on this machine).")
        with gr.Row():
            ui.new_pdf = gr.File(label="PDF", file_types=[".pdf"], type="filepath", elem_id="corpus-pdf")
            with gr.Column():
                ui.new_id = gr.Textbox(label="Id (e.g. mtus-chronic-pain-2016)", elem_id="corpus-id")
                ui.new_title = gr.Textbox(label="Title", elem_id="corpus-title")
                ui.new_short = gr.Textbox(label="Short form (optional)", elem_id="corpus-short")
                ui.new_tier = gr.Dropdown(label="Tier", choices=[(t.label, t.value) for t in EvidenceTier],
                                          value=EvidenceTier.mtus.value, elem_id="corpus-tier")
                ui.new_pattern = gr.Textbox(label="Section heading regex (optional)", elem_id="corpus-pattern")
        ui.add_button = gr.Button("Add and re-index", elem_id="corpus-add")
        ui.add_status = gr.Markdown("", elem_id="corpus-status")
        gr.Markdown("**Enable or disable a catalogued guideline** (admins when sign-in is on; the PDF is fetched and "
                    "SHA-256 checked, then the index is rebuilt — minutes for a large guideline; drafting goes on "
                    "from the current index meanwhile).")
        with gr.Row():
            ui.choose_id = gr.Dropdown(label="Guideline", choices=ui.catalog_choices, value=None,
                                       elem_id="corpus-choose", scale=3)
            ui.enable_button = gr.Button("Enable and re-index", elem_id="corpus-enable", scale=1)
            ui.disable_button = gr.Button("Disable and re-index", elem_id="corpus-disable", scale=1)


# ---------------------------------------------------------------- wiring


def wire(app: gr.Blocks, ui: SimpleNamespace, ws: Workspace) -> None:
    """Each widget event to its Workspace handler."""
    editor_outputs = [ui.decision, ui.ca_line, ui.reviewer_line, ui.rationale_text, ui.citations_table, ui.badge,
                      ui.opened]
    view_outputs = [ui.case_select, ui.case_summary, ui.items_table, ui.chatbot, ui.item_select, *editor_outputs[:6],
                    ui.export_md, ui.export_docx, ui.export_status, ui.opened]
    edit_inputs = [ui.opened, ui.decision, ui.ca_line, ui.reviewer_line, ui.rationale_text, ui.citations_table]
    page_outputs = [ui.page_image, ui.page_note, ui.page_text]

    app.load(ws.on_load, None, [ui.status, ui.note, ui.guidelines, *view_outputs, ui.read_button])
    ui.read_button.click(ws.on_read_case, [ui.case_text, ui.case_file, ui.case_number], [*view_outputs, ui.case_file])
    ui.case_select.input(ws.on_select_case, [ui.case_select, ui.opened], view_outputs)
    ui.items_table.input(ws.on_edit_items, [ui.opened, ui.items_table], [ui.item_select, ui.case_select])
    ui.item_select.input(ws.on_select_item, [ui.item_select, ui.opened], editor_outputs)
    ui.draft_button.click(ws.on_draft, [ui.opened, ui.decision], editor_outputs)
    # `change`, not `input`: Gradio's `input` misses pasted text. Loading a draft also fires `change`;
    # on_edit then finds nothing new and saves nothing; a newer stored revision is never overwritten.
    for widget in (ui.decision, ui.ca_line, ui.reviewer_line, ui.rationale_text, ui.citations_table):
        widget.change(ws.on_edit, edit_inputs, [ui.badge, ui.opened], trigger_mode="always_last",
                      show_progress="hidden")
    ui.accept_button.click(ws.on_accept, edit_inputs, [ui.badge, ui.opened])
    ui.check_button.click(ws.on_check_text, [ui.opened, ui.decision, ui.rationale_text], [ui.badge, ui.opened])
    ui.citations_table.select(ws.on_citation_row, [ui.citations_table, ui.opened], page_outputs)
    ui.chat_pick.input(ws.on_pick_citation, [ui.chat_pick, ui.chat_cited], page_outputs)
    chat_args = dict(fn=ws.on_chat, inputs=[ui.chat_input, ui.chatbot, ui.chat_state, ui.opened],
                     outputs=[ui.chatbot, ui.chat_input, ui.chat_state, ui.chat_pick, ui.chat_cited, ui.item_select,
                              *editor_outputs])
    ui.chat_input.submit(**chat_args)
    ui.chat_send.click(**chat_args)
    ui.export_button.click(ws.on_export, edit_inputs, [ui.export_md, ui.export_docx, ui.export_status, ui.opened, ui.badge])
    ui.add_button.click(ws.on_add_guideline, [ui.new_pdf, ui.new_id, ui.new_title, ui.new_tier, ui.new_short,
                                              ui.new_pattern], [ui.guidelines, ui.note, ui.add_status])
    ui.enable_button.click(ws.on_enable_guideline, [ui.choose_id], [ui.guidelines, ui.note, ui.add_status])
    ui.disable_button.click(ws.on_disable_guideline, [ui.choose_id], [ui.guidelines, ui.note, ui.add_status])


def catalog_choices(settings: Settings) -> list[tuple[str, str]]:
    from assistant.corpus.catalog import load_catalog

    return [(f"{entry.id} — {entry.title}", entry.id) for entry in load_catalog(settings)]


def build_app(settings: Settings) -> gr.Blocks:
    ws = Workspace(settings)
    ui = SimpleNamespace(catalog_choices=catalog_choices(settings))
    with gr.Blocks(title="IMR rationale assistant", analytics_enabled=False) as app:
        gr.Markdown("## IMR rationale assistant")
        ui.status = gr.Markdown(status_markdown(settings), elem_id="status-line")
        ui.note = gr.Markdown("", elem_id="corpus-note")
        ui.case_select = gr.Dropdown(label="Your cases", choices=[], value=None, interactive=True,
                                     elem_id="case-select")
        ui.opened = gr.State(closed())  # the open case, item and revision: read and written by every handler
        with gr.Row():
            with gr.Column(scale=3):
                with gr.Tabs():
                    for tab in (case_tab, chat_tab, rationale_tab, export_tab, corpus_tab):
                        tab(ui)
            with gr.Column(scale=2, elem_id="page-panel"):
                page_panel(ui)
        wire(app, ui, ws)
    return app


def theme():
    """System fonts only: the app makes no request outside this machine (no web fonts)."""
    return gr.themes.Default(font=["system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"])


def launch(settings: Settings, **options: Any):
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
