"""The determination in the IMR letter layout, as Markdown or a Word document.

Per disputed item: "<item>: <Decision>", "Claims Administrator guideline: …", "Reviewer guideline: …",
"Decision rationale: …", then the citations (label and quote). When verification reports are given,
citations that did not verify are flagged "UNVERIFIED: …" so they cannot slip into a signed letter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.contracts import Citation, CitationCheck, Determination, ItemRationale, VerificationReport
from assistant.files import make_private, private_dir, write_atomically, write_text_atomically
from assistant.text_safety import escape_markdown_export, export_file_stem, strip_control_characters

Reports = Mapping[int, VerificationReport | None] | Sequence[VerificationReport | None] | None

TITLE = "Independent Medical Review — Final Determination (draft)"
INTRO = "The Final Determination was based on decisions for the disputed items/services set forth below:"


@dataclass
class _CitationLine:
    label: str
    quote: str
    problem: str | None  # the verifier's message when this citation did not verify


@dataclass
class _ItemView:
    number: int
    heading: str
    claims_administrator: str
    reviewer_guideline: str
    rationale: str
    citations: list[_CitationLine]
    supporting: list[_CitationLine]
    other_problems: list[str]
    abstention: str | None


def _report_for(reports: Reports, index: int) -> VerificationReport | None:
    if reports is None:
        return None
    if isinstance(reports, Mapping):
        return reports.get(index)
    return reports[index] if index < len(reports) else None


def _same(a: Citation, b: Citation) -> bool:
    return (a.guideline_id, a.printed_page, " ".join(a.quote.split())) == (
        b.guideline_id,
        b.printed_page,
        " ".join(b.quote.split()),
    )


def _problem_for(citation: Citation, problems: list[CitationCheck]) -> CitationCheck | None:
    return next((p for p in problems if p.citation is not None and _same(p.citation, citation)), None)


def _view(number: int, item: ItemRationale, report: VerificationReport | None) -> _ItemView:
    problems = report.problems if report is not None else []
    used: set[int] = set()

    def line(citation: Citation) -> _CitationLine:
        problem = _problem_for(citation, problems)
        if problem is not None:
            used.add(id(problem))
        return _CitationLine(citation.label(), " ".join(citation.quote.split()), problem.message if problem else None)

    citations = [line(c) for c in item.citations]
    supporting = [line(c) for c in item.supporting_citations]
    other: list[str] = []
    for problem in problems:
        if id(problem) in used:
            continue
        if problem.citation is not None:
            other.append(f"UNVERIFIED: {problem.citation.label()} — {problem.message}")
        else:
            other.append(f"UNVERIFIED: {problem.message}")
    quantity = f" (quantity {item.item.quantity})" if item.item.quantity and item.item.quantity not in item.item.text else ""
    return _ItemView(
        number=number,
        heading=f"{item.item.text}{quantity}: {item.decision}",
        claims_administrator=item.claims_administrator_guideline.strip() or "Not stated.",
        reviewer_guideline=item.reviewer_guideline_line.strip() or "Not stated.",
        rationale=item.rationale.strip(),
        citations=citations,
        supporting=supporting,
        other_problems=other,
        abstention=item.abstention.message if item.abstention else None,
    )


def _views(determination: Determination, reports: Reports) -> list[_ItemView]:
    return [_view(i + 1, item, _report_for(reports, i)) for i, item in enumerate(determination.items)]


def _header_fields(determination: Determination) -> list[tuple[str, str]]:
    case = determination.case
    fields = [("Case Number", case.case_id)]
    if case.injury_date:
        fields.append(("Date of Injury", case.injury_date))
    if case.ur_denial_date:
        fields.append(("UR Denial Date", case.ur_denial_date))
    return fields


def _without_control_characters(determination: Determination, reports: Reports):
    """The same letter with C0 control characters removed from every string (python-docx refuses NUL and
    friends, and they have no place in a letter)."""

    def clean(value):
        if isinstance(value, str):
            return strip_control_characters(value)
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        return value

    determination = Determination.model_validate(clean(determination.model_dump(mode="json")))
    if isinstance(reports, dict):
        reports = {k: VerificationReport.model_validate(clean(r.model_dump(mode="json"))) for k, r in reports.items()}
    elif reports is not None:
        reports = [VerificationReport.model_validate(clean(r.model_dump(mode="json"))) if r is not None else None
                   for r in reports]
    return determination, reports


def _md_escape_line(text: str) -> str:
    """Keep reviewer text literal where Markdown would reinterpret a line start."""
    return "\n".join(("\\" + ln) if ln.lstrip().startswith(("#", ">", "- ", "* ", "+ ")) else ln for ln in text.splitlines())


def determination_markdown(determination: Determination, reports: Reports = None) -> str:
    """The letter as Markdown. `reports`: one VerificationReport per item (list or {index: report}), optional."""
    determination, reports = _without_control_characters(determination, reports)
    e = escape_markdown_export
    out: list[str] = [f"# {TITLE}", ""]
    for name, value in _header_fields(determination):
        out.append(f"**{name}:** {e(value)}  ")
    out += ["", "## IMR Issues, Decisions and Rationales", "", INTRO, ""]
    views = _views(determination, reports)
    if not views:
        out += ["_No disputed item has a drafted rationale yet._", ""]
    for view in views:
        out += [f"### {view.number}. {e(view.heading)}", ""]
        out += [f"**Claims Administrator guideline:** {e(view.claims_administrator)}", ""]
        out += [f"**Reviewer guideline:** {e(view.reviewer_guideline)}", ""]
        out += [f"**Decision rationale:** {_md_escape_line(e(view.rationale))}", ""]
        if view.abstention:
            out += [f"_Note: {e(view.abstention)}_", ""]
        out += ["**Citations**", ""]
        if not view.citations:
            out.append("- None.")
        for c in view.citations:
            prefix = "UNVERIFIED: " if c.problem else ""
            suffix = f" — {e(c.problem)}" if c.problem else ""
            out.append(f"- {prefix}{e(c.label)}: “{e(c.quote)}”{suffix}")
        out.append("")
        if view.supporting:
            out += ["**Supporting (lower-tier) sources**", ""]
            for c in view.supporting:
                prefix = "UNVERIFIED: " if c.problem else ""
                out.append(f"- {prefix}{e(c.label)}: “{e(c.quote)}”")
            out.append("")
        if view.other_problems:
            out += ["**Verification problems**", ""]
            out += [f"- {e(p)}" for p in view.other_problems]
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def determination_docx(determination: Determination, path: Path | str, reports: Reports = None) -> Path:
    """Write the letter as a .docx (written to a temporary file, then moved into place)."""
    from docx import Document
    from docx.shared import Pt, RGBColor

    determination, reports = _without_control_characters(determination, reports)
    red = RGBColor(0xB0, 0x00, 0x20)
    doc = Document()
    doc.add_heading(TITLE, level=1)
    for name, value in _header_fields(determination):
        para = doc.add_paragraph()
        para.add_run(f"{name}: ").bold = True
        para.add_run(value)
    doc.add_heading("IMR Issues, Decisions and Rationales", level=2)
    doc.add_paragraph(INTRO)
    views = _views(determination, reports)
    if not views:
        doc.add_paragraph("No disputed item has a drafted rationale yet.")

    def labelled(label: str, value: str) -> None:
        para = doc.add_paragraph()
        para.add_run(f"{label}: ").bold = True
        para.add_run(value)

    def flagged(para, text: str) -> None:
        run = para.add_run(text)
        run.bold = True
        run.font.color.rgb = red

    for view in views:
        heading = doc.add_paragraph()
        run = heading.add_run(f"{view.number}. {view.heading}")
        run.bold = True
        run.font.size = Pt(12)
        labelled("Claims Administrator guideline", view.claims_administrator)
        labelled("Reviewer guideline", view.reviewer_guideline)
        labelled("Decision rationale", view.rationale)
        if view.abstention:
            doc.add_paragraph().add_run(f"Note: {view.abstention}").italic = True
        doc.add_paragraph().add_run("Citations").bold = True
        if not view.citations:
            doc.add_paragraph("None.", style="List Bullet")
        for c in view.citations:
            para = doc.add_paragraph(style="List Bullet")
            if c.problem:
                flagged(para, "UNVERIFIED: ")
            para.add_run(f"{c.label}: ").bold = True
            para.add_run(f"“{c.quote}”")
            if c.problem:
                flagged(para, f" — {c.problem}")
        if view.supporting:
            doc.add_paragraph().add_run("Supporting (lower-tier) sources").bold = True
            for c in view.supporting:
                para = doc.add_paragraph(style="List Bullet")
                if c.problem:
                    flagged(para, "UNVERIFIED: ")
                para.add_run(f"{c.label}: ").bold = True
                para.add_run(f"“{c.quote}”")
        if view.other_problems:
            doc.add_paragraph().add_run("Verification problems").bold = True
            for problem in view.other_problems:
                flagged(doc.add_paragraph(style="List Bullet"), problem)

    return write_atomically(path, lambda tmp: doc.save(str(tmp)))


@dataclass
class ExportedDetermination:
    markdown: Path
    docx: Path
    items: list[int]
    problems: int


def export_case(store, verify, reviewer: str, case, out_dir: Path) -> ExportedDetermination:
    """Export every drafted item of a reviewer's case, re-verified now, in the letter layout; audited.

    `store` is the reviewer's DraftStore; `verify` re-checks an ItemRationale (Services.verify)."""
    from assistant.errors import CaseInputError

    drafts = store.load_items(reviewer, case.case_id)
    indexes = [i for i in range(len(case.items)) if i in drafts]
    if not indexes:
        raise CaseInputError("No item has a draft yet; draft or write one in the Rationale tab.")
    reports = [verify(drafts[i].rationale) for i in indexes]
    determination = Determination(case=case, items=[drafts[i].rationale for i in indexes])
    private_dir(out_dir)
    stem = export_file_stem(case.case_id)
    markdown = out_dir / f"{stem}-determination.md"
    text = determination_markdown(determination, reports)
    docx = make_private(determination_docx(determination, out_dir / f"{stem}-determination.docx", reports))
    write_text_atomically(markdown, text)  # after the DOCX, so a failed export leaves no half of it
    make_private(markdown)
    problems = sum(len(r.problems) for r in reports)
    store.audit(reviewer, case.case_id, "exported", detail={
        "items": indexes, "formats": ["md", "docx"], "problems": problems,
        "revisions": {str(i): drafts[i].revision for i in indexes},
    })
    return ExportedDetermination(markdown=markdown, docx=docx, items=indexes, problems=problems)
