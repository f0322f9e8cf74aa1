"""Build a CaseFile from pasted text, a .txt/.pdf/.json file, or an IMR letter (optionally stripped)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError

from assistant.contracts import CaseFile, DisputedItem
from assistant.errors import CaseFormatError, CaseInputError, IntakeTooSlowError
from assistant.text_safety import check_case_id, strip_control_characters

MAX_CASE_BYTES = 5_000_000
ISSUES_HEADING = re.compile(
    r"^[ \t]*(?:IMR ISSUES(?:, DECISIONS AND RATIONALES)?|DISPUTED (?:ITEMS|SERVICES)(?:/SERVICES)?|"
    r"REQUEST(?:S)? FOR AUTHORI[SZ]ATION|REQUESTED (?:TREATMENT|SERVICES)|ITEMS? (?:REQUESTED|IN DISPUTE))[ \t]*:?[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
LIST_LINE = re.compile(r"^\s*(?:[-•*]|\d{1,2}[.)])\s+(\S.*)$")
QUANTITY = re.compile(r"(?:QTY:?\s*([\d.]+)|#\s?(\d+)|\bx\s?(\d+)\b|\b(\d+)\s+sessions\b)", re.IGNORECASE)
DATE = r"(\d{1,2}[-/]\d{1,2}[-/]\d{2,4})"
INJURY = re.compile(r"(?:industrial injury|Date of Injury|DOI\b|injured)\D{0,20}?(?:on\s+)?" + DATE, re.IGNORECASE)
UR_DENIAL = re.compile(r"(?:UR Denial Date:?\s*|utilization review\D{0,40}?on\s+|On\s+)" + DATE + r"(?:,\s*utilization review)?", re.IGNORECASE)
UR_PHRASE = re.compile(r"utilization review", re.IGNORECASE)
UR_DENIAL_DATE = re.compile(r"UR Denial Date:?\s{0,20}" + DATE, re.IGNORECASE)
INTAKE_BUDGET_S = 20.0
"""Seconds one case may take to read. Every step is linear, so only a machine in trouble reaches this."""


def _decode(data: bytes, name: str) -> str:
    if not data.strip():
        raise CaseInputError(f"{name} is empty. Paste the case summary or upload a file with text in it.")
    if len(data) > MAX_CASE_BYTES:
        raise CaseInputError(
            f"{name} is {len(data) / 1e6:.1f} MB; case text over {MAX_CASE_BYTES / 1e6:.0f} MB is not accepted. "
            "Paste the clinical summary and the disputed items only."
        )
    if b"\x00" in data[:4096]:
        raise CaseInputError(f"{name} looks like a binary file, not text. Upload a .txt, .pdf or .json case.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise CaseInputError(f"{name} is not UTF-8 text. Save it as UTF-8 and try again.") from exc
        return text


def find_disputed_items(text: str) -> list[DisputedItem]:
    """Items listed under an 'IMR ISSUES' / 'Request for authorization' heading, one per list line."""
    heading = ISSUES_HEADING.search(text)
    if not heading:
        return []
    items: list[DisputedItem] = []
    for line in text[heading.end():].splitlines():
        if not line.strip():
            if items:
                break
            continue
        match = LIST_LINE.match(line)
        if not match:
            if items:
                break
            continue
        items.append(_item(match.group(1)))
    return items


def _item(text: str) -> DisputedItem:
    text = re.sub(r"\s+", " ", text).strip()
    quantity = QUANTITY.search(text)
    value = next((g for g in quantity.groups() if g), None) if quantity else None
    return DisputedItem(text=text, quantity=value)


class IntakeBudget:
    """A per-request deadline for reading one case; raises IntakeTooSlowError naming the step that ran over."""

    def __init__(self, seconds: float = INTAKE_BUDGET_S, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock
        self.started = clock()

    def check(self, step: str, size: int) -> None:
        elapsed = self.clock() - self.started
        if elapsed > self.seconds:
            raise IntakeTooSlowError(
                f"Reading this case stopped at {step}: {elapsed:.1f} s for {size:,} characters, over the "
                f"{self.seconds:.0f} s allowed per case. Paste the clinical summary and the disputed items only, "
                "or split the case; if a short case hits this, report it with the case text."
            )


def case_from_text(
    text: str, source_name: str | None = None, strip_letter_decisions: bool = True, budget: IntakeBudget | None = None
) -> CaseFile:
    """A case from pasted text. An IMR letter is recognised and, by default, its decisions stripped."""
    if not text or not text.strip():
        raise CaseInputError("The case text is empty. Paste the clinical summary and the disputed items.")
    if len(text.encode("utf-8", "ignore")) > MAX_CASE_BYTES:
        raise CaseInputError(f"The case text is over {MAX_CASE_BYTES / 1e6:.0f} MB; paste the summary and items only.")
    budget = budget or IntakeBudget()
    text = strip_control_characters(text)
    letter = _as_letter(text, source_name)
    budget.check("reading it as an IMR letter", len(text))
    if letter is not None:
        return _case_from_letter(letter, text, source_name, strip_letter_decisions)
    heading = ISSUES_HEADING.search(text)
    summary = text[: heading.start()].strip() if heading else text.strip()
    fields = dict(
        case_id=_case_id(text, source_name),
        summary=summary,
        injury_date=_first(INJURY, text),
        ur_denial_date=_ur_date(text),
        ur_decision=_ur_sentence(text),
        record_text=text[heading.start():].strip() if heading else "",  # the items list, a UR note: quotable
    )
    budget.check("finding dates and the utilization review decision", len(text))
    items = find_disputed_items(text)
    budget.check("finding the disputed items", len(text))
    return CaseFile(**fields, items=items, source_name=source_name)


def _as_letter(text: str, source_name: str | None):
    if "IMR ISSUES, DECISIONS AND RATIONALES" not in text.upper() and "CLINICAL CASE SUMMARY" not in text.upper():
        return None
    from assistant.letters.parse import parse_letter_text

    try:
        return parse_letter_text(text, source_name)
    except CaseInputError:
        return None


def _case_from_letter(letter, text: str, source_name: str | None, strip: bool) -> CaseFile:
    items = [DisputedItem(text=i.text, quantity=i.quantity,
                          claims_administrator_guideline=i.claims_administrator_line.raw if i.claims_administrator_line else None)
             for i in letter.items]
    ur_lines = [i.claims_administrator_line.raw for i in letter.items if i.claims_administrator_line]
    return CaseFile(
        case_id=letter.case_number or _case_id(text, source_name),
        summary=letter.case_summary,
        injury_date=letter.date_of_injury,
        ur_denial_date=letter.ur_denial_date,
        ur_decision=_ur_sentence(letter.case_summary),
        ur_guideline=ur_lines[0] if ur_lines else None,
        items=items,
        source_name=source_name,
    )


def _first(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    return match.group(1) if match else None


def _ur_date(text: str) -> str | None:
    sentence = _ur_sentence(text)
    if sentence:
        date = re.search(DATE, sentence)
        if date:
            return date.group(1)
    return _first(UR_DENIAL_DATE, text)


def _ur_sentence(text: str) -> str | None:
    """The first full-stop-ended sentence that mentions utilization review, whitespace collapsed.

    Found by a literal search and two character scans, so a case with no full stop costs linear time."""
    phrase = UR_PHRASE.search(text)
    if phrase is None:
        return None
    end = text.find(".", phrase.end())
    if end < 0:
        return None
    start = text.rfind(".", 0, phrase.start()) + 1
    return " ".join(text[start : end + 1].split())


CASE_NUMBER = re.compile(r"Case (?:Number|No\.?|#)\s{0,5}:?\s{0,5}([A-Z]{1,4}\d{2}-\d{4,8}(?:-\d{1,3})?)", re.IGNORECASE)
CASE_NUMBER_BARE = re.compile(r"\b(C[MB]\d{2}-\d{5,8})\b")


def case_number_in(text: str) -> str | None:
    """The IMR case number a text states ("Case Number: CM16-0213037", or a bare CM16-…), if any."""
    match = CASE_NUMBER.search(text) or CASE_NUMBER_BARE.search(text)
    return match.group(1).upper() if match else None


def _case_id(text: str, source_name: str | None) -> str:
    number = case_number_in(text)
    if number:
        return number
    if source_name:
        return re.sub(r"[^A-Za-z0-9._-]+", "-", Path(source_name).stem)[:64] or ""
    return ""


MAX_JSON_DEPTH = 20
"""A case is an object of items; anything nested deeper is not a case (and deep nesting exhausts the parser)."""


def case_from_json(data: str | bytes, source_name: str | None = None) -> CaseFile:
    """A case from JSON: {"summary", "items", …} in the CaseFile format, or {"case_text", "items"?}.

    Every malformed shape (deep nesting, wrong types, a bad case id) is a CaseFormatError naming the field."""
    name = source_name or "The JSON case"
    if _json_depth_exceeds(data, MAX_JSON_DEPTH):
        raise CaseFormatError(f"{name} is nested more than {MAX_JSON_DEPTH} levels deep; a case is an object with "
                              "'summary' and a list of 'items'.")
    try:
        raw = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise CaseFormatError(f"{name} is not valid JSON: {exc}") from exc
    if not isinstance(raw, dict):
        raise CaseFormatError(f"{name} must be an object with 'summary' and 'items', not a JSON {type(raw).__name__}.")
    if raw.get("case_id") is not None:
        check_case_id(raw["case_id"])
    if "case_text" in raw and "summary" not in raw:
        if not isinstance(raw["case_text"], str):
            raise CaseFormatError(f"{name}: 'case_text' must be a string of case text.")
        case = case_from_text(raw["case_text"], source_name)
        if raw.get("items"):
            case.items = _validated(lambda: [DisputedItem.model_validate(i) for i in _list(raw["items"], name)], name)
        return case
    cleaned = {k: strip_control_characters(v) if isinstance(v, str) else v for k, v in raw.items()}
    return _validated(lambda: CaseFile.model_validate(cleaned), name)


def _list(value: object, name: str) -> list:
    if not isinstance(value, list):
        raise CaseFormatError(f"{name}: 'items' must be a list of disputed items.")
    return value


def _validated(build: Callable[[], object], name: str):
    try:
        return build()
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'case'}: {e['msg']}" for e in exc.errors()[:5])
        raise CaseFormatError(f"{name} does not fit the CaseFile format ({problems}). Expected an object with "
                              "'summary' (text) and 'items' (a list of {\"text\": …}).") from exc


def _json_depth_exceeds(data: str | bytes, limit: int) -> bool:
    """Bracket depth outside strings, counted in one pass before parsing."""
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    depth, in_string, escaped = 0, False, False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return True
        elif ch in "]}":
            depth -= 1
    return False


def case_from_file(path: Path, strip_letter_decisions: bool = True) -> CaseFile:
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise CaseInputError(f"{path} does not exist.")
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        from assistant.corpus.pdf_text import read_pdf_text
        from assistant.errors import DocumentUnreadable

        try:
            text = read_pdf_text(path)
        except DocumentUnreadable as exc:
            raise CaseInputError(str(exc)) from exc
        return case_from_text(text, name, strip_letter_decisions)
    data = path.read_bytes()
    if suffix == ".json":
        return case_from_json(_decode(data, name), name)
    if suffix in (".txt", ".text", ".md", ""):
        return case_from_text(_decode(data, name), name, strip_letter_decisions)
    raise CaseInputError(f"{name}: unsupported file type {suffix!r}. Upload a .txt, .pdf or .json case file.")


def decode_case_text(data: bytes, name: str) -> str:
    """Case text from a file's bytes: UTF-8 (or Windows-1252), refusing empty, oversized or binary input."""
    return _decode(data, name)
