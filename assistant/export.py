"""The determination in the IMR letter layout, as Markdown or a Word document.

Per disputed item: "<item>: <Decision>", "Claims Administrator guideline: …", "Reviewer guideline: …",
"Decision rationale: …", then the citations (label and quote). When verification reports are given,
citations that did not verify are flagged "UNVERIFIED: …" so they cannot slip into a signed letter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant.contracts import Citation, CitationCheck, Determination, ItemRationale, VerificationReport
from assistant.errors import CaseInputError
from assistant.files import make_private, private_dir, write_atomically, write_text_atomically
from assistant.text_safety import escape_markdown_export, export_file_stem, strip_control_characters
from assistant.verification.record import drafting_notes

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
    record: list[_CitationLine] = field(default_factory=list)


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
    record = []
    for n, quote in enumerate(item.record_citations, start=1):
        problem = next((p for p in problems if p.record_citation is not None and p.marker == f"[R{n}]"), None)
        if problem is not None:
            used.add(id(problem))
        record.append(_CitationLine(quote.label(), " ".join(quote.quote.split()),
                                    problem.message if problem else None))
    other: list[str] = []
    for problem in problems:
        if id(problem) in used:
            continue
        if problem.citation is not None:
            other.append(f"UNVERIFIED: {problem.citation.label()} — {problem.message}")
        elif problem.sentence and problem.sentence not in problem.message:
            other.append(f"UNVERIFIED: “{problem.sentence}” — {problem.message}")
        else:
            other.append(f"UNVERIFIED: {problem.message}")
    other += [f"UNVERIFIED: the rationale still holds a note to the reviewer (“{note}”); act on it and remove it before "
              "signing." for note in drafting_notes(item.rationale)]
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
        record=record,
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


# ---------------------------------------------------------------- the letter layout, once, as blocks of runs


@dataclass
class Run:
    """A piece of text and how it is set: "" plain, "strong", "em", "label" (bold in Word only), "flag"
    (bold red in Word), "literal" (reviewer text kept literal in Markdown)."""

    text: str
    style: str = ""


@dataclass
class Block:
    """One paragraph of the letter: "title", "section", "field", "item", "para" or "bullet"."""

    kind: str
    runs: list[Run]


def _citation_runs(c: _CitationLine, with_problem: bool = True) -> list[Run]:
    runs = [Run("UNVERIFIED: ", "flag")] if c.problem else []
    runs += [Run(f"{c.label}: ", "label"), Run(f"“{c.quote}”")]
    if c.problem and with_problem:
        runs.append(Run(f" — {c.problem}", "flag"))
    return runs


def item_blocks(view: _ItemView) -> list[Block]:
    """One item in the IMR letter's layout."""
    blocks = [Block("item", [Run(f"{view.number}. {view.heading}")])]
    for label, value, style in (("Claims Administrator guideline", view.claims_administrator, ""),
                                ("Reviewer guideline", view.reviewer_guideline, ""),
                                ("Decision rationale", view.rationale, "literal")):
        blocks.append(Block("para", [Run(f"{label}:", "strong"), Run(" "), Run(value, style)]))
    # The abstention's advice (add a PDF to the corpus) is for the workspace, never for the letter.
    blocks.append(Block("para", [Run("Citations", "strong")]))
    blocks += [Block("para", [Run(f"[{n}]", "strong"), Run(" "), *_citation_runs(c)]) for n, c in enumerate(view.citations, 1)] \
        or [Block("para", [Run("No guideline citation.")])]
    if view.record:
        blocks.append(Block("para", [Run("Record citations", "strong")]))
        blocks += [Block("para", [Run(f"[R{n}]", "strong"), Run(" "), *_citation_runs(c)]) for n, c in enumerate(view.record, 1)]
    if view.supporting:
        blocks.append(Block("para", [Run("Supporting (lower-tier) sources", "strong")]))
        blocks += [Block("bullet", _citation_runs(c, with_problem=False)) for c in view.supporting]
    if view.other_problems:
        blocks.append(Block("para", [Run("Verification problems", "strong")]))
        blocks += [Block("bullet", [Run(p, "flag")]) for p in view.other_problems]
    return blocks


def letter_blocks(determination: Determination, reports: Reports = None) -> list[Block]:
    """The whole letter: title, header fields, the introduction, then every item."""
    blocks = [Block("title", [Run(TITLE)])]
    blocks += [Block("field", [Run(f"{name}:", "strong"), Run(f" {value}")]) for name, value in _header_fields(determination)]
    summary = determination.case.summary.strip()
    blocks.append(Block("section", [Run("Clinical Case Summary")]))
    blocks += [Block("para", [Run(p.strip(), "literal")]) for p in summary.split("\n\n") if p.strip()] or \
        [Block("para", [Run("No case summary was provided.", "em")])]
    blocks += [Block("section", [Run("IMR Issues, Decisions and Rationales")]), Block("para", [Run(INTRO)])]
    views = _views(determination, reports)
    if not views:
        blocks.append(Block("para", [Run("No disputed item has a drafted rationale yet.", "em")]))
    for view in views:
        blocks += item_blocks(view)
    return blocks


# ---------------------------------------------------------------- the renderers: Markdown, plain text, Word

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


_MD_PREFIX = {"title": "# ", "section": "## ", "item": "### ", "bullet": "- ", "field": "", "para": ""}


def _md_run(run: Run) -> str:
    text = escape_markdown_export(run.text)  # case and reviewer text stay inert in any Markdown viewer
    if run.style == "strong":
        return f"**{text}**"
    if run.style == "em":
        return f"_{text}_"
    if run.style == "literal":
        return _md_escape_line(text)
    return text


def _join(blocks: list[Block], render_block) -> str:
    """Blocks joined by blank lines, except inside a run of bullets or of header fields."""
    out: list[str] = []
    for n, block in enumerate(blocks):
        out.append(render_block(block))
        following = blocks[n + 1].kind if n + 1 < len(blocks) else None
        if not (block.kind in ("bullet", "field") and following == block.kind):
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def blocks_markdown(blocks: list[Block]) -> str:
    def render(block: Block) -> str:
        line = _MD_PREFIX[block.kind] + "".join(_md_run(r) for r in block.runs)
        return line + "  " if block.kind == "field" else line

    return _join(blocks, render)


def blocks_text(blocks: list[Block]) -> str:
    """Plain text for a terminal (the `assistant draft` command)."""
    return _join(blocks, lambda b: ("  - " if b.kind == "bullet" else "") + "".join(r.text for r in b.runs))


def determination_markdown(determination: Determination, reports: Reports = None) -> str:
    """The letter as Markdown. `reports`: one VerificationReport per item (list or {index: report}), optional."""
    determination, reports = _without_control_characters(determination, reports)
    return blocks_markdown(letter_blocks(determination, reports))


def item_text(rationale: ItemRationale, report: VerificationReport | None = None, number: int = 1) -> str:
    """One item as plain text, in the letter's layout."""
    return blocks_text(item_blocks(_view(number, rationale, report)))


def _docx_paragraph(doc, block: Block):
    from docx.shared import Pt, RGBColor

    if block.kind in ("title", "section"):
        return doc.add_heading(block.runs[0].text, level=1 if block.kind == "title" else 2)
    para = doc.add_paragraph(style="List Bullet") if block.kind == "bullet" else doc.add_paragraph()
    for run in block.runs:
        styled = para.add_run(run.text)
        styled.bold = run.style in ("strong", "label", "flag") or block.kind == "item" or None
        styled.italic = run.style == "em" or None
        if run.style == "flag":
            styled.font.color.rgb = RGBColor(0xB0, 0x00, 0x20)
        if block.kind == "item":
            styled.font.size = Pt(12)
    return para


def determination_docx(determination: Determination, path: Path | str, reports: Reports = None) -> Path:
    """Write the letter as a .docx (written to a temporary file, then moved into place)."""
    from docx import Document

    determination, reports = _without_control_characters(determination, reports)
    doc = Document()
    for block in letter_blocks(determination, reports):
        _docx_paragraph(doc, block)
    return write_atomically(path, lambda tmp: doc.save(str(tmp)))


@dataclass
class ExportedDetermination:
    markdown: Path
    docx: Path
    items: list[int]
    problems: int
    verified: int = 0
    drafting_notes: int = 0


def export_case(store, verify, reviewer: str, case, out_dir: Path) -> ExportedDetermination:
    """Export every drafted item of a reviewer's case, re-verified now, in the letter layout; audited.

    `store` is the reviewer's DraftStore; `verify` re-checks an ItemRationale against the case (Services.verify):
    without the case, every record quote was exported as UNVERIFIED ("no case was given to check the quotes
    against")."""
    drafts = store.load_items(reviewer, case.case_id)
    indexes = [i for i in range(len(case.items)) if i in drafts]
    if not indexes:
        raise CaseInputError("No item has a draft yet; draft or write one in the Rationale tab.")
    reports = [verify(drafts[i].rationale, case) for i in indexes]
    determination = Determination(case=case, items=[drafts[i].rationale for i in indexes])
    private_dir(out_dir)
    stem = export_file_stem(case.case_id)
    markdown = out_dir / f"{stem}-determination.md"
    text = determination_markdown(determination, reports)
    docx = make_private(determination_docx(determination, out_dir / f"{stem}-determination.docx", reports))
    write_text_atomically(markdown, text)  # after the DOCX, so a failed export leaves no half of it
    make_private(markdown)
    problems = sum(len(r.problems) for r in reports)
    notes = sum(len(r.notes_to_resolve) for r in reports)
    store.audit(reviewer, case.case_id, "exported", detail={
        "items": indexes, "formats": ["md", "docx"], "problems": problems, "drafting_notes": notes,
        "revisions": {str(i): drafts[i].revision for i in indexes},
    })
    verified = sum(r.verified for r in reports)
    return ExportedDetermination(markdown=markdown, docx=docx, items=indexes, problems=problems, verified=verified,
                                 drafting_notes=notes)
