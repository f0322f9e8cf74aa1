"""Parse IMR Final Determination letters (PDF or text) into `ImportedLetter` records, and strip their decisions.

Real letters are the ground truth for evals: a parsed letter says what the reviewer decided and cited, and
`strip_decisions` turns the same letter back into an undecided case that the drafting pipeline can replay.
Two eras are handled: 2016–17 letters ("Decision based on MTUS Chronic Pain Medical Treatment 2016,
Section(s): …") and 2013–14 letters ("… MTUS Chronic Pain Treatment Guidelines Behavioral Interventions
Page(s): 23."). All regexes are anchored or bounded, so arbitrary text is handled in linear time.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from assistant.corpus.pdf_text import read_pdf_text
from assistant.errors import CaseInputError
from assistant.letters.records import GuidelineReference, ImportedLetter, LetterItem, MtusPart, PageReference
from assistant.verification.recognise import expand_pages, recognise_citations
from assistant.vocabulary.fuzzy import vocabulary_terms
from assistant.vocabulary.lexicon import english_lexicon

__all__ = [
    "completeness_figures",
    "parse_guideline_line",
    "parse_letter_file",
    "parse_letter_text",
    "strip_decisions",
]

_ISSUES_HEADING = re.compile(r"IMR ISSUES,?[ \t]+DECISIONS,?[ \t]+AND[ \t]+RATIONALES", re.IGNORECASE)
_INTRO = re.compile(r"^\s*The Final Determination was based on decisions for the disputed items", re.IGNORECASE)
_DECISION_LINE = re.compile(r":[ \t]*(Upheld|Overturned|UPHELD|OVERTURNED)[ \t]*(?:\.[ \t]*)?$")
_BARE_DECISION = re.compile(r"^[ \t]*(Upheld|Overturned|UPHELD|OVERTURNED)[ \t]*(?:\.[ \t]*)?$")
_MARKER = re.compile(
    r"(Claims[ \t]+Administrator[ \t]+guideline|MAXIMUS[ \t]+guideline|Decision[ \t]+rationale)[ \t]*:", re.IGNORECASE
)
_MARKER_LINE = re.compile(r"^\s*(Claims Administrator guideline|MAXIMUS guideline|Decision rationale)\s*:", re.IGNORECASE)
_QTY = re.compile(r"\bQTY[ \t]*:?[ \t]*(\d{1,6}(?:[.,]\d{1,3})?)", re.IGNORECASE)
_REMAINING = "the remaining imr eligible portion of the original request"
_HEADER_FIELDS = {
    "case_number": re.compile(r"Case Number:[ \t]*([A-Z]{2}\d{2}-\d{4,8}|\S{1,40})"),
    "date_assigned": re.compile(r"Date Assigned:\s{0,20}(\d{1,2}/\d{1,2}/\d{2,4})"),
    "date_of_injury": re.compile(r"Date of Injury:\s{0,20}(\d{1,2}/\d{1,2}/\d{2,4})"),
    "decision_date": re.compile(r"Decision Date:\s{0,20}(\d{1,2}/\d{1,2}/\d{2,4})"),
    "ur_denial_date": re.compile(r"UR Denial Date:\s{0,20}(\d{1,2}/\d{1,2}/\d{2,4})"),
    "received": re.compile(r"Received:\s{0,20}(\d{1,2}/\d{1,2}/\d{2,4})"),
}
_SPECIALTY = re.compile(r"Certification\(s\)/Specialty:[ \t]*([^\n]{1,200})")
_SPECIALTY_2014 = re.compile(r"Board[ \t]+Certified[ \t]+in[ \t]+([A-Z][^\n.]{1,80}?)[ \t]+and[ \t]+is[ \t]+licensed")
_LICENSURE = re.compile(r"State\(s\) of Licensure:[ \t]*([^\n]{1,200})")
_LICENSURE_2014 = re.compile(r"licensed[ \t]+to[ \t]+practice[ \t]+in[ \t]+([A-Z][A-Za-z ,]{1,80}?)\.")
_SUMMARY_HEADING = re.compile(r"CLINICAL CASE SUMMARY", re.IGNORECASE)
_SUMMARY_BOILERPLATE = re.compile(
    r"^\s*The expert reviewer developed the following clinical case summary based on a review of the\s+"
    r"case file, including all medical records:\s*",
    re.IGNORECASE,
)
_FURNITURE = re.compile(
    r"^\s*(?:Page[ \t]+\d{1,3}(?:[ \t]+of[ \t]+\d{1,3})?|\d{1,3}(?:[ \t]+of[ \t]+\d{1,3})?|-[ \t]*\d{1,3}[ \t]*-"
    r"|Case Number:[ \t]*\S{1,30}|CM\d{2}-\d{4,8})\s*$",
    re.IGNORECASE,
)

_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_NON_MTUS = re.compile(r"(?:Decision[ \t]+based[ \t]+on[ \t]+)?Non-MTUS[ \t]+Citation[ \t]*:?", re.IGNORECASE)
_MTUS_START = re.compile(r"Decision[ \t]+based[ \t]+on[ \t]+(?:the[ \t]+)?(?:CA[ \t]+)?MTUS\b[ \t:]*", re.IGNORECASE)
_NOT_CITED = re.compile(r"did[ \t]+not[ \t]+cite[ \t]+any[ \t]+medical[ \t]+evidence", re.IGNORECASE)
_SECTIONS = re.compile(r",?[ \t]*Section\(s\)[ \t]*:?[ \t]*", re.IGNORECASE)
_PAGES_2014 = re.compile(r"Page\(s\)[ \t]*:?[ \t]*(?P<pages>[0-9ivx][0-9ivx ,;&–-]{0,60})", re.IGNORECASE)
_PART_ALIASES = {
    "chronic pain treatment": "Chronic Pain Medical Treatment",
    "chronic pain medical treatment": "Chronic Pain Medical Treatment",
    "chronic pain": "Chronic Pain Medical Treatment",
}
_FOREARM = re.compile(r"Forearm,[ \t]*Wrist,?[ \t]*(?:&|and)[ \t]*Hand")
_ODG = re.compile(r"Official[ \t]+Disability[ \t]+Guidelines|\bODG\b", re.IGNORECASE)


# ---------------------------------------------------------------------------------------------- text clean-up


def _undouble(lines: list[str]) -> list[str]:
    """Undo double spacing (a text copy with an empty line after every line, as in the 2014 seed letter)."""
    nonblank = sum(1 for line in lines if line.strip())
    empty = sum(1 for line in lines if line == "")
    if nonblank < 3 or empty < 0.6 * nonblank:
        return lines
    out: list[str] = []
    run = 0
    for line in lines + ["\0"]:
        if line == "":
            run += 1
            continue
        if run >= 2:
            out.append("")
        run = 0
        if line != "\0":
            out.append(line)
    return out


def _strip_furniture(page: list[str], first_page: bool) -> list[str]:
    """Drop page numbers and running headers/footers at the top and bottom of one PDF page."""
    lines = list(page)
    for edge in (0, -1):
        checked = 0
        while lines and checked < 3:
            line = lines[edge]
            if not line.strip():
                lines.pop(edge)
                continue
            if _FURNITURE.match(line) and not (first_page and edge == 0 and line.strip().startswith("Case Number")):
                lines.pop(edge)
                checked += 1
                continue
            break
    return lines


def normalise_letter_text(text: str) -> str:
    """Plain lines with page furniture removed; page breaks become line breaks so wrapped sentences rejoin."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    pages = text.split("\f")
    kept: list[str] = []
    for number, page in enumerate(pages):
        lines = _undouble(page.split("\n"))
        if len(pages) > 1:
            lines = _strip_furniture(lines, first_page=number == 0)
        kept.append("\n".join(line.rstrip() for line in lines))
    return "\n".join(kept)


def _reflow(text: str) -> str:
    """Join wrapped PDF lines into paragraphs (blank lines separate paragraphs)."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in text.split("\n"):
        if not line.strip():
            if current:
                paragraphs.append(_join_lines(current))
                current = []
            continue
        current.append(line.strip())
    if current:
        paragraphs.append(_join_lines(current))
    return "\n\n".join(paragraphs)


def _join_lines(lines: list[str]) -> str:
    out = ""
    for line in lines:
        if not out:
            out = line
        elif out.endswith("-") and len(out) > 1 and out[-2].isalpha():
            out = (out[:-1] if _hyphenated_at_line_end(out, line) else out) + line
        else:
            out += " " + line
    return " ".join(out.split())


LINE_END_WORD = re.compile(r"([A-Za-z]+)-$")
LINE_START_WORD = re.compile(r"^([a-z]+)\b")


def _hyphenated_at_line_end(before: str, after: str) -> bool:
    """Whether a line's closing hyphen only breaks a word ("radicul-" / "opathy", "documen-" / "tation"): the joined
    word is an English or clinical word. A compound keeps its hyphen ("non-" / "certified", "self-" / "directed"):
    "noncertified" is no word. Without this, a quote of the record's "radiculopathy" was not found in it."""
    head, tail = LINE_END_WORD.search(before), LINE_START_WORD.match(after)
    if head is None or tail is None:
        return False
    joined = f"{head.group(1)}{tail.group(1)}".lower()
    return joined in english_lexicon() or joined in vocabulary_terms()


# ---------------------------------------------------------------------------------------------- guideline lines


def _split_sections(text: str) -> list[str]:
    """Split "TENS, chronic pain (…), Ultrasound, therapeutic" into section names, rejoining comma-bearing names."""
    text = text.strip().rstrip(".").strip()
    if not text:
        return []
    text = _FOREARM.sub("Forearm\x00 Wrist\x00 & Hand", text)
    sections: list[str] = []
    for fragment in text.split(","):
        fragment = fragment.replace("\x00", ",")
        fragment = fragment.strip()
        if not fragment:
            continue
        previous = sections[-1] if sections else ""
        glued = not fragment[0].isalnum() or fragment[0].islower()
        acronym = " " not in previous and sum(c.isupper() for c in previous) >= 2
        if sections and (glued or acronym or fragment.lower().startswith("and ")):
            sections[-1] = f"{previous}, {fragment}"
        else:
            sections.append(fragment)
    return sections


def _canonical_part(name: str) -> str:
    name = " ".join(name.strip(" ,.;:").split())
    name = re.sub(r"^(?:MTUS[ :]+)", "", name)
    name = re.sub(r"[ \t]+Guidelines?$", "", name)
    return _PART_ALIASES.get(name.lower(), name)


def _parse_mtus(text: str) -> list[MtusPart]:
    """The MTUS parts after "Decision based on MTUS": "Low Back Complaints 2004, Section(s): X, and Chronic Pain …"."""
    text = text.strip().rstrip(".").strip()
    if not text:
        return []
    years = list(_YEAR.finditer(text))
    if not years:
        return [_parse_mtus_2014(text)]
    parts: list[MtusPart] = []
    name_text = text[: years[0].start()]
    for index, year in enumerate(years):
        tail_end = years[index + 1].start() if index + 1 < len(years) else len(text)
        tail = text[year.end() : tail_end]
        next_name = ""
        sections_text = ""
        found = _SECTIONS.search(tail)
        if index + 1 < len(years):
            if found:
                after = tail[found.end() :]
                cut = after.find(", and ")
                if cut < 0:
                    cut = after.rfind(" and ")
                if cut < 0:
                    sections_text, next_name = after, ""
                else:
                    sections_text, next_name = after[:cut], after[cut:]
            else:
                next_name = tail
        elif found:
            sections_text = tail[found.end() :]
        pages: list[str] = []
        page_match = _PAGES_2014.search(sections_text)
        if page_match:
            pages = expand_pages(page_match.group("pages"))
            sections_text = sections_text[: page_match.start()].rstrip(" ,")
        part = _canonical_part(name_text)
        if part:
            parts.append(MtusPart(part=part, year=year.group(), sections=_split_sections(sections_text), pages=pages))
        name_text = re.sub(r"^[ \t,]*(?:and[ \t]+)?", "", next_name)
    return parts


def _parse_mtus_2014(text: str) -> MtusPart:
    """'Chronic Pain Treatment Guidelines Behavioral Interventions Page(s): 23' (no year in the older letters)."""
    pages: list[str] = []
    page_match = _PAGES_2014.search(text)
    if page_match:
        pages = expand_pages(page_match.group("pages"))
        text = text[: page_match.start()].rstrip(" ,")
    words = text.split()
    cut = next((i for i, w in enumerate(words) if w.lower().strip(",.:;") in {"guidelines", "guideline"}), None)
    if cut is None:
        return MtusPart(part=_canonical_part(text), sections=[], pages=pages)
    part = " ".join(words[: cut + 1])
    section = " ".join(words[cut + 1 :]).strip(" ,.;:")
    return MtusPart(part=_canonical_part(part), sections=_split_sections(section) if section else [], pages=pages)


def _non_mtus_name(source: str) -> str:
    if _ODG.search(source):
        return "Official Disability Guidelines (ODG)"
    if re.search(r"\bACOEM\b", source):
        return "ACOEM Practice Guidelines"
    head = re.split(r"[,:;(]| - ", source, maxsplit=1)[0]
    return " ".join(head.split()[:12]).strip(" .")


def parse_guideline_line(raw: str) -> GuidelineReference:
    """Split one guideline line into kind, MTUS part/year/sections/pages and any non-MTUS citation."""
    line = _reflow(raw).replace("\n\n", " ")
    non_mtus_text: str | None = None
    mtus_text = line
    split = _NON_MTUS.search(line)
    if split:
        non_mtus_text = line[split.end() :].strip().rstrip(".").strip() or None
        mtus_text = line[: split.start()]
    parts: list[MtusPart] = []
    start = _MTUS_START.search(mtus_text)
    if start:
        parts = _parse_mtus(mtus_text[start.end() :])
    if parts:
        first = parts[0]
        return GuidelineReference(
            raw=line,
            kind="mtus",
            part=first.part,
            year=first.year,
            sections=first.sections,
            pages=first.pages,
            source_text=non_mtus_text,
            mtus_parts=parts,
        )
    if non_mtus_text:
        pages = [p for c in recognise_citations(non_mtus_text) for p in c.pages]
        return GuidelineReference(
            raw=line, kind="non-mtus", part=_non_mtus_name(non_mtus_text), pages=pages, source_text=non_mtus_text
        )
    if _NOT_CITED.search(line):
        return GuidelineReference(raw=line, kind="none")
    return GuidelineReference(raw=line, kind="unparsed")


# ---------------------------------------------------------------------------------------------- items


def _decision_lines(lines: list[str]) -> list[int]:
    """Lines that end an item header: "…: Upheld", or a bare "Upheld" after a line ending in a colon."""
    found: list[int] = []
    for i, line in enumerate(lines):
        if _MARKER_LINE.match(line):
            continue
        if _DECISION_LINE.search(line):
            found.append(i)
        elif _BARE_DECISION.match(line) and i > 0 and lines[i - 1].rstrip().endswith(":"):
            found.append(i)
    return found


def _header_start(lines: list[str], decision_index: int, floor: int) -> int:
    """First line of an item header that may wrap over several lines above its decision line."""
    start = decision_index
    while start - 1 > floor and decision_index - start < 5:
        previous = lines[start - 1]
        if not previous.strip() or _MARKER_LINE.match(previous) or _INTRO.match(previous):
            break
        if re.search(r"(?:necessary|appropriate|indicated|warranted|supported|records provided)\.?\s*$", previous):
            break
        start -= 1
    return start


def _parse_header(header: str) -> tuple[str, str | None, str, str | None]:
    """(item text, quantity, decision, original request) from a joined header line."""
    decision_match = _DECISION_LINE.search(header)
    decision = decision_match.group(1).capitalize() if decision_match else ""
    body = header[: decision_match.start()] if decision_match else header
    body = " ".join(body.split())
    original: str | None = None
    cut = body.lower().find(_REMAINING)
    if cut > 0 and "was the original request" in body[:cut].lower():
        # "X was the original request. Y was authorized … The remaining IMR eligible portion …, Z is: Upheld"
        original = body[:cut].strip()
        body = body[cut + len(_REMAINING) :].lstrip(" ,")
        if body.endswith(" is"):
            body = body[:-3]
    quantity: str | None = None
    qty = _QTY.search(body)
    if qty:
        quantity = qty.group(1)
        body = (body[: qty.start()] + body[qty.end() :]).strip()
    body = " ".join(body.split()).strip(" :;,")
    return body, quantity, decision, original


def _split_markers(block: str) -> dict[str, str]:
    """The text after each of the three markers in one item's block."""
    found = list(_MARKER.finditer(block))
    out: dict[str, str] = {}
    for index, match in enumerate(found):
        key = match.group(1).split()[0].lower()  # "claims" | "maximus" | "decision"
        end = found[index + 1].start() if index + 1 < len(found) else len(block)
        if key not in out:
            out[key] = block[match.end() : end]
    return out


def _page_references(rationale: str) -> list[PageReference]:
    return [
        PageReference(
            raw=" ".join(c.raw.split()),
            guideline_name=c.guideline_name,
            guideline_inferred=c.guideline_inferred,
            pages=c.pages,
            table=c.table,
        )
        for c in recognise_citations(rationale)
    ]


def _items(section: str) -> list[LetterItem]:
    lines = section.split("\n")
    decisions = _decision_lines(lines)
    starts: list[int] = []
    floor = -1
    for index in decisions:
        starts.append(_header_start(lines, index, floor))
        floor = index
    items: list[LetterItem] = []
    for n, (start, decision_index) in enumerate(zip(starts, decisions, strict=True)):
        header = " ".join(lines[start : decision_index + 1])
        block_end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        block = "\n".join(lines[decision_index + 1 : block_end])
        text, quantity, decision, original = _parse_header(header)
        parts = _split_markers(block)
        rationale = _reflow(parts.get("decision", ""))
        items.append(
            LetterItem(
                text=text,
                quantity=quantity,
                decision=decision or None,  # type: ignore[arg-type]
                original_request=original,
                claims_administrator_line=parse_guideline_line(parts["claims"]) if "claims" in parts else None,
                reviewer_line=parse_guideline_line(parts["maximus"]) if "maximus" in parts else None,
                rationale=rationale,
                page_references=_page_references(rationale),
            )
        )
    return items


# ---------------------------------------------------------------------------------------------- letters


def _issues_section(text: str) -> tuple[int, str]:
    """(offset, text) of the issues section: after its heading and the one-line introduction."""
    heading = _ISSUES_HEADING.search(text)
    if heading is None:
        return -1, ""
    lines = text[heading.end() :].split("\n")
    # Drop the rest of the heading line and the "The Final Determination was based on …" introduction.
    body = lines[1:]
    if body and _INTRO.match(body[0]) is None and not body[0].strip() and len(body) > 1 and _INTRO.match(body[1]):
        body = body[1:]
    if body and _INTRO.match(body[0]):
        body = body[1:]
    return heading.start(), "\n".join(body)


def _header_fields(text: str) -> dict[str, str | None]:
    head = text[:3000]
    fields: dict[str, str | None] = {}
    for name, pattern in _HEADER_FIELDS.items():
        match = pattern.search(head)
        fields[name] = match.group(1).strip() if match else None
    specialty = _SPECIALTY.search(text) or _SPECIALTY_2014.search(text)
    licensure = _LICENSURE.search(text) or _LICENSURE_2014.search(text)
    fields["reviewer_specialty"] = " ".join(specialty.group(1).split()) if specialty else None
    fields["licensure"] = " ".join(licensure.group(1).split()) if licensure else None
    return fields


def _case_summary(text: str, issues_at: int) -> str:
    heading = _SUMMARY_HEADING.search(text)
    if heading is None:
        return ""
    end = issues_at if issues_at > heading.end() else len(text)
    body = text[heading.end() : end]
    body = _SUMMARY_BOILERPLATE.sub("", body, count=1)
    return _reflow(body)


def _looks_like_letter(text: str) -> bool:
    return bool(_ISSUES_HEADING.search(text) or _MARKER.search(text))


def parse_letter_text(text: str, source_name: str | None = None) -> ImportedLetter:
    """Parse the text of one IMR determination letter; raises CaseInputError when it is not one."""
    if not isinstance(text, str):
        raise CaseInputError("Letter text must be a string; read the file first (or use parse_letter_file).")
    clean = normalise_letter_text(text)
    if not _looks_like_letter(clean):
        where = f" ({source_name})" if source_name else ""
        raise CaseInputError(
            f"This text{where} is not an IMR determination letter: it has no 'IMR ISSUES, DECISIONS AND "
            "RATIONALES' section and no 'MAXIMUS guideline:' or 'Decision rationale:' lines. Import the Final "
            "Determination Letter itself (PDF or its text), not a medical report or a UR letter."
        )
    issues_at, section = _issues_section(clean)
    if issues_at < 0:
        # No heading: take everything after the case summary (or the whole text) as the issues section.
        summary = _SUMMARY_HEADING.search(clean)
        section = clean[summary.end() :] if summary else clean
    fields = _header_fields(clean[: issues_at] if issues_at > 0 else clean)
    return ImportedLetter(
        **fields,
        case_summary=_case_summary(clean, issues_at),
        items=_items(section),
        source_name=source_name,
    )


def parse_letter_file(path: str | Path) -> ImportedLetter:
    """Parse a letter saved as PDF (text layer) or UTF-8 .txt; other files get an actionable CaseInputError."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        text = read_pdf_text(path)
    elif suffix in {".txt", ".text"}:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise CaseInputError(
                f"{path.name} is not UTF-8 text. Re-save it as UTF-8 (or import the original PDF)."
            ) from exc
        except OSError as exc:
            raise CaseInputError(f"{path.name} could not be read ({exc.strerror or exc}). Check the path.") from exc
    else:
        raise CaseInputError(
            f"{path.name}: letters are imported from .pdf or .txt files, not '{suffix or 'no extension'}'. "
            "Export the letter as PDF or plain UTF-8 text."
        )
    return parse_letter_text(text, source_name=path.name)


def strip_decisions(text: str) -> str:
    """The letter with decisions, guideline lines and rationales removed but the disputed items listed.

    Evals replay a real letter as an undecided case: header, reviewer credentials and case summary stay;
    the issues section becomes "IMR ISSUES:" followed by "- <item>" lines.
    """
    letter = parse_letter_text(text)
    clean = normalise_letter_text(text)
    issues_at, _ = _issues_section(clean)
    if issues_at < 0:
        summary = _SUMMARY_HEADING.search(clean)
        first_marker = _MARKER.search(clean)
        issues_at = first_marker.start() if first_marker else len(clean)
        if summary and summary.end() < issues_at:
            issues_at = _first_item_start(clean, summary.end(), issues_at)
    head = clean[:issues_at].rstrip()
    lines = ["IMR ISSUES:"]
    for item in letter.items:
        quantity = f" (QTY: {item.quantity})" if item.quantity else ""
        lines.append(f"- {item.text}{quantity}")
    return f"{head}\n\n" + "\n".join(lines) + "\n"


def _first_item_start(text: str, low: int, high: int) -> int:
    lines_before = text[:high].split("\n")
    offset = 0
    starts: list[int] = []
    for line in lines_before:
        starts.append(offset)
        offset += len(line) + 1
    decisions = [i for i in _decision_lines(lines_before) if starts[i] >= low]
    if not decisions:
        return high
    first = _header_start(lines_before, decisions[0], -1)
    return starts[first]


def completeness_figures(letters: Iterable[ImportedLetter]) -> dict[str, object]:
    """How well parsing went over a set of letters: items, complete items, decisions and what was missing."""
    letters = list(letters)
    items = [(letter, item) for letter in letters for item in letter.items]
    complete = sum(1 for _, item in items if item.is_complete)
    decisions = Counter(item.decision for _, item in items)
    kinds = Counter(item.reviewer_line.kind if item.reviewer_line else "missing" for _, item in items)
    incomplete = []
    for letter, item in items:
        if item.is_complete:
            continue
        missing = [
            name
            for name, ok in (
                ("text", bool(item.text.strip())),
                ("decision", item.decision is not None),
                ("claims_administrator_line", item.claims_administrator_line is not None
                 and item.claims_administrator_line.kind != "unparsed"),
                ("reviewer_line", item.reviewer_line is not None and item.reviewer_line.kind != "unparsed"),
                ("rationale", bool(item.rationale.strip())),
            )
            if not ok
        ]
        incomplete.append({"letter": letter.source_name, "item": item.text, "missing": missing})
    total = len(items)
    return {
        "letters": len(letters),
        "letters_without_items": [letter.source_name for letter in letters if not letter.items],
        "items": total,
        "complete": complete,
        "complete_rate": complete / total if total else 0.0,
        "upheld": decisions.get("Upheld", 0),
        "overturned": decisions.get("Overturned", 0),
        "reviewer_line_kinds": dict(kinds),
        "page_references": sum(len(item.page_references) for _, item in items),
        "incomplete": incomplete,
    }
