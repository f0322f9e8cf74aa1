"""What the app shows, as HTML, Markdown and table rows: pure functions of the package's typed objects."""

from __future__ import annotations

import html
import re

import json
from typing import Any

from assistant.config import Settings
from assistant.contracts import CaseFile, Checklist, Citation, EvidenceTier, ItemRationale, RetrievedPassage, VerificationReport
from assistant.storage import BaseDraftStore
from assistant.text_safety import inert_markdown

CSS = """
.source-card { border: 1px solid #c9ced6; border-radius: 6px; padding: 4px 10px; margin: 6px 0; background: #fafbfc; }
.source-head { margin-bottom: 2px; }
.strength { background: #e8eef8; border-radius: 4px; padding: 0 4px; font-size: 0.85em; }
#chat .message-wrap { padding-top: 8px; }
.source-card blockquote { margin: 6px 0; border-left: 3px solid #8aa4c8; padding-left: 8px; }
.source-page > summary { cursor: pointer; color: #35598f; }
.page-text { white-space: pre-wrap; font-size: 0.85em; max-height: 24em; overflow-y: auto; }
.badge-ok { color: #17632a; font-weight: 600; }
.badge-bad { color: #a0001c; font-weight: 600; }
.badge-warn { color: #8a5300; font-weight: 600; }
.status-remote { color: #a0001c; font-weight: 600; }
"""



def error_html(exc: Exception) -> str:
    return f'<div class="badge-bad">{html.escape(str(exc))}</div>'


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


def passage_cards(passages: list[RetrievedPassage], library=None) -> str:
    """Each passage once, best first, its text visible: guideline, printed page, section, strength if known."""
    cards = []
    for number, passage in enumerate(passages, start=1):
        c = passage.citation
        name = html.escape(c.short_form or c.title)
        section = f" — {html.escape(c.section)}" if c.section else ""
        strength = c.strength
        strength_html = f' <span class="strength">{html.escape(str(strength))}</span>' if strength else ""
        cards.append(
            f'<div class="source-card"><div class="source-head"><b>[{number}] {name}, {html.escape(c.pages)}</b>'
            f"{section}{strength_html} <i>({html.escape(passage.tier.label)})</i></div>"
            f"<blockquote>{html.escape(c.quote)}</blockquote></div>"
        )
    return "\n".join(cards)


def citation_choices(citations: list[Citation]) -> list[tuple[str, int]]:
    """The page viewer's list: one entry per citation, labelled like its marker."""
    return [(f"[{n}] {c.short_form or c.title}, {c.pages}", n - 1) for n, c in enumerate(citations, start=1)]


def page_note_html(note: str, boxes: list[tuple[float, float, float, float]], label: str = "") -> str:
    """The viewer's caption; the highlight boxes ride along as data for tests and assistive tools."""
    data = html.escape(json.dumps([[round(v, 1) for v in box] for box in boxes]))
    css = "badge-ok" if boxes else "badge-bad"
    head = f"<b>{html.escape(label)}</b> — " if label else ""
    return f'<div id="page-highlight" class="{css}" data-boxes="{data}">{head}{html.escape(note)}</div>'


def export_status(case_id: str, items: int, problems: int, verified: int, drafting_notes: int = 0) -> str:
    """What the export holds, in words that cannot claim more than was verified: a drafting note left in the text
    is flagged in the letter, and said here too."""
    head = f"Exported {items} item(s) of case {case_id}."
    notes = (f" ⚠ {drafting_notes} drafting note(s) to the reviewer are still in the text, flagged in the letter: act "
             "on them and delete them before signing." if drafting_notes else "")
    if problems:
        return f"{head} ⚠ {problems} verification problem(s) are flagged UNVERIFIED in the letter.{notes}"
    if verified == 0:
        return f"{head} ⚠ No citation was verified: the letter cites no guideline page.{notes}"
    if notes:
        return f"{head} All {verified} citation(s) were found on their cited pages.{notes}"
    return f"{head} All {verified} citation(s) were found on their cited pages; no other problem was found."


def badge_html(report: VerificationReport | None, note: str = "") -> str:
    if report is None:
        return f'<div id="verify-state" class="badge-bad">{html.escape(note or "Not verified yet.")}</div>'
    css, mark = ("badge-ok", "✔") if report.ready_to_sign else ("badge-warn", "⚠") if report.ok else ("badge-bad", "✖")
    problems = "".join(f"<li>{html.escape(p.status)}: {html.escape(p.message)}</li>" for p in report.problems)
    problems += "".join(f"<li>drafting note: {html.escape(n)} Act on it, then delete it from the text.</li>"
                        for n in report.notes_to_resolve)
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
            + " Add that guideline's PDF in the Corpus tab to draft a cited rationale (this note stays out of the letter).</div>")
    if rationale.supporting_citations:
        items = "".join(f"<li>{html.escape(c.label())}</li>" for c in rationale.supporting_citations)
        parts.append(f"<div><b>Supporting evidence only (lower tier, not governing):</b><ul>{items}</ul></div>")
    if rationale.precedent_note:
        parts.append(f'<div id="precedent-note"><i>{html.escape(rationale.precedent_note)}</i></div>')
    if rationale.checklist is not None:
        parts.append(checklist_html(rationale.checklist, rationale.decision))
    return "".join(parts)


def checklist_html(checklist: Checklist, decision: str | None) -> str:
    """The criteria checklist beside the rationale: criterion, status, guideline quote (page), record quote (date);
    then the suggestion, labelled as one, and a plain warning when the decision runs against the checklist."""
    from assistant.criteria.checklist import decision_warning

    rows = []
    for row in checklist.applicable:
        record = "<br>".join(f"“{html.escape(c.quote)}”" + (f" ({html.escape(c.shown_date)})" if c.date else "")
                             for c in row.record_citations) or "—"
        rows.append(f"<tr><td>{html.escape(row.question)} <small>({row.requirement})</small></td>"
                    f"<td><b>{row.status.replace('_', ' ')}</b><br><small>{html.escape(row.reason)}</small></td>"
                    f"<td>“{html.escape(row.guideline.quote)}” (p. {html.escape(row.guideline.printed_page)})</td>"
                    f"<td>{record}</td></tr>")
    parts = ['<div id="checklist-panel"><b>Criteria checklist</b><table><tr><th>criterion</th><th>status</th>'
             "<th>guideline (page)</th><th>record (date)</th></tr>" + "".join(rows) + "</table>"]
    if checklist.mme_per_day is not None:
        parts.append(f"<div>MME/day: {html.escape(checklist.mme_arithmetic)} (CDC 2022 conversion factors, p. 31)</div>")
    if checklist.suggested_decision:
        parts.append(f"<div><i>Suggestion only — you decide:</i> {checklist.suggested_decision}</div>")
    warning = decision_warning(checklist, decision if decision in ("Upheld", "Overturned") else None)
    if warning:
        parts.append(f'<div id="checklist-warning"><b>Warning:</b> {html.escape(warning)}</div>')
    return "".join(parts) + "</div>"


def citation_rows(citations: list[Citation]) -> list[list[Any]]:
    return [[i, c.guideline_id, (f"{c.printed_page}–{c.printed_page_end}" if c.printed_page_end else c.printed_page),
             c.section, c.quote] for i, c in enumerate(citations, start=1)]


def rows_to_citations(rows: Any, previous: list[Citation], library) -> list[Citation]:
    citations = []
    for index, row in enumerate(table_rows(rows)):
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


def table_rows(value: Any) -> list[list[Any]]:
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


def case_choices(store: BaseDraftStore, reviewer: str) -> list[tuple[str, str]]:
    return [(s.title, s.case_id) for s in store.list_cases(reviewer)]


def _plain_or_inert(value: str) -> str:
    """Ids and dates made only of letters, digits, spaces and . , / _ - are shown as they are; anything else inert."""
    return value if re.fullmatch(r"[A-Za-z0-9 .,/_-]+", value) else inert_markdown(value)


def case_summary_md(case: CaseFile | None) -> str:
    if case is None:
        return "_No case open. Paste a case or upload a file, then press **Read case**._"
    # Case text is data: inert_markdown shows it literally (no images, links, forms or inputs from a case).
    parts = [f"**Case {_plain_or_inert(case.case_id)}**"]
    if case.injury_date:
        parts.append(f"injury {_plain_or_inert(case.injury_date)}")
    if case.ur_denial_date:
        parts.append(f"UR denial {_plain_or_inert(case.ur_denial_date)}")
    head = " · ".join(parts)
    summary = case.summary[:600] + ("…" if len(case.summary) > 600 else "")
    return f"{head}\n\n{inert_markdown(summary)}"


def guideline_rows(settings: Settings) -> list[list[Any]]:
    from assistant.corpus.active import is_active, read_choices
    from assistant.index.store import catalog_status

    choices = read_choices(settings)  # with catalog_status's one catalog read: the page reads the catalog once
    return [[entry.id, entry.title, entry.tier.label, "yes" if is_active(settings, entry, choices) else "disabled",
             summary.pages if summary else "not indexed", summary.chunks if summary else "", entry.source]
            for entry, summary in catalog_status(settings)]
