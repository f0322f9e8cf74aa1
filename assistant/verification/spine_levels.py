"""Which spinal levels a text names, and whether a record sentence names the claim's.

Why: a level is written as letters and digits ("L4-5", "L5-S1"), and the record verifier compares numbers one by
one, so "Tenderness was noted especially over L4-5." was verified by "… especially over the vertebral spine L3-4
and L5-S1" — every digit is there (QA reading of CM17-0005344). A level is the fact; it is compared whole, and a
record range ("L3-S1") covers the levels inside it.
"""

from __future__ import annotations

import re

_REGIONS = {"C": (0, 7), "T": (7, 12), "L": (19, 5), "S": (24, 1)}
"""Each region's first index in one numbering of the spine (C1 = 0 … S1 = 24) and how many vertebrae it has."""
LEVEL = re.compile(r"(?<![A-Za-z0-9])([CTLS])(\d{1,2})(?:\s*[-/–]\s*([CTLS])?(\d{1,2}))?(?![0-9])")


def _index(region: str, number: str) -> int | None:
    first, count = _REGIONS[region.upper()]
    value = int(number)
    return first + value - 1 if 1 <= value <= count else None


def spinal_levels(text: str) -> list[tuple[str, int, int]]:
    """Each level the text names: (as written, its first vertebra, its last), "L4-5" and "L4-L5" alike."""
    found = []
    for match in LEVEL.finditer(text):
        region, number, end_region, end_number = match.groups()
        start = _index(region, number)
        end = _index(end_region or region, end_number) if end_number else start
        if start is not None and end is not None and start <= end:
            found.append((match.group(0), start, end))
    return found


def levels_not_named(claim: str, record_text: str) -> list[str]:
    """The claim's levels the record text neither names nor covers with a range (as the claim writes them)."""
    record = spinal_levels(record_text)
    return [written for written, start, end in spinal_levels(claim)
            if not any(first <= start and end <= last for _, first, last in record)]
