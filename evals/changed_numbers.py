"""Does the guideline check notice a sentence that changes a figure the cited page gives?

A rationale turns on the guideline's figures: 50 or 90 MME/day, three days for acute pain, six sessions before a
re-evaluation, a trial of four weeks. Generated from the indexed guidelines, no labels needed: every page sentence
that gives a figure with a unit ("≥50 MME/day", "three days", "6 weeks", "30%") is cited to its own printed page as
a reviewer writes it ("Per <guideline>, p. N, …") twice — as the guideline words it, which must verify, and with
that figure changed to one the page gives nowhere, which must not. Every other word is the page's own. The eval
finds figures with its own pattern, not with the check's. Sentences are split by text (CRC-32 parity); the check was
written on the CDC p. 32 (MME/day) and p. 38 (days) sentences before this eval was run.
"""

from __future__ import annotations

import re

from evals.guideline_alterations import (
    AlterationFigures, format_alterations, page_sentence_pairs, print_run, run_alterations,
)

WORD_VALUES = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
               "ten": 10, "twelve": 12, "fourteen": 14, "thirty": 30, "ninety": 90}
FIGURE = re.compile(
    r"(?<![\w.,/-])(\d{1,4}(?:\.\d+)?|" + "|".join(WORD_VALUES) + r")(\s*%|[\s-]+(?:MME|mg|days?|weeks?|months?|"
    r"hours?|minutes?|sessions?|visits?|treatments?|tablets?|percent)\b)", re.IGNORECASE)
MARKER = "Restate the guideline's figure"
"""Only the figure check writes it."""


def _numbers_on(text: str) -> set[float]:
    values = {float(n) for n in re.findall(r"\d+(?:\.\d+)?", text)}
    return values | {float(v) for w, v in WORD_VALUES.items() if re.search(rf"\b{w}\b", text, re.IGNORECASE)}


def changed_sentence(sentence: str, page_text: str) -> str | None:
    """The sentence with its first figure replaced by a value the page gives nowhere (None: no figure)."""
    found = FIGURE.search(sentence)
    if found is None:
        return None
    word = found.group(1).lower()
    value = float(WORD_VALUES.get(word, 0) or word)
    taken = _numbers_on(page_text)
    for candidate in (value * 2, value + 1, value * 3, value + 7, value * 5 + 1):
        if candidate not in taken:
            return sentence[: found.start(1)] + f"{candidate:g}" + sentence[found.end(1):]
    return None


def run_changes(search) -> dict[str, AlterationFigures]:
    return run_alterations(search, page_sentence_pairs(search.library, changed_sentence), MARKER)


def format_changes(result: dict[str, AlterationFigures]) -> str:
    return format_alterations(result, "figure changed", "a figure")


if __name__ == "__main__":
    import sys

    print_run(run_changes, format_changes, sys.argv)
