"""The abbreviation lists the guidelines print (VA/DoD: an "Abbreviation Definition" appendix, and
"Abbreviations: X: …; Y: …" lines under tables), read from the indexed page text.

They say what each guideline itself means by "rTMS" or "HSAT", so query understanding can add the guideline's
own words for an abbreviation our clinical vocabulary does not list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.contracts import GuidelinePage

TABLE_HEADER = re.compile(r"^\s*Abbreviation\s+Definition\s*$", re.M)
TABLE_ROW = re.compile(r"^\s*(?P<abbr>[A-Za-z0-9][A-Za-z0-9&/*+\-]*[A-Za-z0-9*])\s+(?P<definition>[A-Za-z][^\n]{2,150}?)\s*$")
INLINE_LIST = re.compile(r"^\s*Abbreviations?:\s*(?P<items>.+)$", re.M)
INLINE_ITEM = re.compile(r"(?P<abbr>[A-Za-z0-9][A-Za-z0-9&/*+\-]*[A-Za-z0-9*]):\s*(?P<definition>[^;:]{3,150}?)\s*(?:;|$)")


def is_abbreviation(token: str) -> bool:
    """ "rTMS", "PGx", "HSAT": an upper-case letter, and not an ordinary capitalised word ("Table")."""
    uppers = sum(ch.isupper() for ch in token)
    return len(token) >= 2 and uppers >= 1 and (uppers >= 2 or not token[1:].islower())


def abbreviation_lists(pages: Iterable[GuidelinePage]) -> dict[str, list[str]]:
    """Each abbreviation the guidelines define, with every distinct definition they give it (first seen first)."""
    found: dict[str, list[str]] = {}

    def add(abbr: str, definition: str) -> None:
        definition = definition.strip().rstrip(".,")
        if is_abbreviation(abbr) and definition and definition.lower() != abbr.lower():
            known = found.setdefault(abbr, [])
            if definition.lower() not in {d.lower() for d in known}:
                known.append(definition)

    for page in pages:
        if header := TABLE_HEADER.search(page.text):
            for line in page.text[header.end():].splitlines():
                if row := TABLE_ROW.match(line):
                    add(row["abbr"], row["definition"])
        for inline in INLINE_LIST.finditer(page.text):
            for item in INLINE_ITEM.finditer(inline["items"]):
                add(item["abbr"], item["definition"])
    return {abbr: _without_truncations(definitions) for abbr, definitions in found.items()}


def _without_truncations(definitions: list[str]) -> list[str]:
    """A definition cut where a table row wrapped ("repetitive transcranial magnetic") is a prefix of another."""
    folded = [d.lower() for d in definitions]
    return [d for d, f in zip(definitions, folded) if not any(o != f and o.startswith(f) for o in folded)]
