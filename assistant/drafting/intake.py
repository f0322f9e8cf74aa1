"""Build a CaseFile from pasted text, a .txt/.pdf/.json file, or an IMR letter (optionally stripped)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from pydantic import ValidationError

from assistant.contracts import CaseFile, DisputedItem
from assistant.errors import CaseInputError

MAX_CASE_BYTES = 5_000_000
ISSUES_HEADING = re.compile(
    r"^\s*(?:IMR ISSUES(?:, DECISIONS AND RATIONALES)?|DISPUTED (?:ITEMS|SERVICES)(?:/SERVICES)?|"
    r"REQUEST(?:S)? FOR AUTHORI[SZ]ATION|REQUESTED (?:TREATMENT|SERVICES)|ITEMS? (?:REQUESTED|IN DISPUTE))\s*:?\s*$",
    re.IGNORECASE | re.MULTILINE,
)
LIST_LINE = re.compile(r"^\s*(?:[-•*]|\d{1,2}[.)])\s+(.+?)\s*$")
QUANTITY = re.compile(r"(?:QTY:?\s*([\d.]+)|#\s?(\d+)|\bx\s?(\d+)\b|\b(\d+)\s+sessions\b)", re.IGNORECASE)
DATE = r"(\d{1,2}[-/]\d{1,2}[-/]\d{2,4})"
INJURY = re.compile(r"(?:industrial injury|Date of Injury|injured)\D{0,20}?(?:on\s+)?" + DATE, re.IGNORECASE)
UR_DENIAL = re.compile(r"(?:UR Denial Date:?\s*|utilization review\D{0,40}?on\s+|On\s+)" + DATE + r"(?:,\s*utilization review)?", re.IGNORECASE)
UR_SENTENCE = re.compile(r"[^.]*utilization review[^.]*\.", re.IGNORECASE)


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


def case_from_text(text: str, source_name: str | None = None, strip_letter_decisions: bool = True) -> CaseFile:
    """A case from pasted text. An IMR letter is recognised and, by default, its decisions stripped."""
    if not text or not text.strip():
        raise CaseInputError("The case text is empty. Paste the clinical summary and the disputed items.")
    if len(text.encode("utf-8", "ignore")) > MAX_CASE_BYTES:
        raise CaseInputError(f"The case text is over {MAX_CASE_BYTES / 1e6:.0f} MB; paste the summary and items only.")
    letter = _as_letter(text, source_name)
    if letter is not None:
        return _case_from_letter(letter, text, source_name, strip_letter_decisions)
    summary = ISSUES_HEADING.split(text, maxsplit=1)[0].strip() if ISSUES_HEADING.search(text) else text.strip()
    return CaseFile(
        case_id=_case_id(text, source_name),
        summary=summary,
        injury_date=_first(INJURY, text),
        ur_denial_date=_ur_date(text),
        ur_decision=_first_sentence(UR_SENTENCE, text),
        items=find_disputed_items(text),
        source_name=source_name,
    )


def _as_letter(text: str, source_name: str | None):
    if "IMR ISSUES, DECISIONS AND RATIONALES" not in text.upper() and "CLINICAL CASE SUMMARY" not in text.upper():
        return None
    from assistant.letters.parse import parse_letter_text

    try:
        return parse_letter_text(text, source_name)
    except CaseInputError:
        return None


def _case_from_letter(letter, text: str, source_name: str | None, strip: bool) -> CaseFile:
    items = [DisputedItem(text=i.text, quantity=i.quantity) for i in letter.items]
    ur_lines = [i.claims_administrator_line.raw for i in letter.items if i.claims_administrator_line]
    return CaseFile(
        case_id=letter.case_number or _case_id(text, source_name),
        summary=letter.case_summary,
        injury_date=letter.date_of_injury,
        ur_denial_date=letter.ur_denial_date,
        ur_decision=_first_sentence(UR_SENTENCE, letter.case_summary),
        ur_guideline=ur_lines[0] if ur_lines else None,
        items=items,
        source_name=source_name,
    )


def _first(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    return match.group(1) if match else None


def _ur_date(text: str) -> str | None:
    sentence = _first_sentence(UR_SENTENCE, text)
    if sentence:
        date = re.search(DATE, sentence)
        if date:
            return date.group(1)
    return _first(re.compile(r"UR Denial Date:?\s*" + DATE, re.IGNORECASE), text)


def _first_sentence(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    return re.sub(r"\s+", " ", match.group(0)).strip() if match else None


def _case_id(text: str, source_name: str | None) -> str:
    match = re.search(r"Case Number:?\s*([A-Z]{2}\d{2}-\d{5,8})", text)
    if match:
        return match.group(1)
    if source_name:
        return re.sub(r"[^A-Za-z0-9._-]+", "-", Path(source_name).stem)[:64] or "case"
    return "case"


def case_from_json(data: str | bytes, source_name: str | None = None) -> CaseFile:
    try:
        raw = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CaseInputError(f"{source_name or 'The JSON case'} is not valid JSON: {exc}") from exc
    if not isinstance(raw, dict):
        raise CaseInputError("A JSON case must be an object with 'summary' and 'items'.")
    if "case_text" in raw and "summary" not in raw:
        case = case_from_text(raw["case_text"], source_name)
        if raw.get("items"):
            case.items = [DisputedItem.model_validate(i) for i in raw["items"]]
        return case
    try:
        return CaseFile.model_validate(raw)
    except ValidationError as exc:
        raise CaseInputError(f"The JSON case does not fit the CaseFile format:\n{exc}") from exc


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
