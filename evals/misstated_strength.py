"""Does the guideline check notice a sentence that gives a recommendation another strength than its page does?

Generated from the indexed guidelines, no labels needed: every recommendation statement is cited to its own
printed page with the strength the page gives it, which must verify, and with the other strength, which must not.
VA/DoD statements say their strength in their verb ("We recommend" strong, "We suggest" weak — the guidelines'
own GRADE wording); the eval writes "in a strong recommendation, we recommend …". CDC statements are followed by
"(recommendation category: A; evidence type: 4)"; the eval writes "in a category A recommendation, …". Statements
are split by text (CRC-32 parity), as in evals/reversed_recommendations.py; the check was written on the LBP p. 29
and CDC p. 11 statements before this eval was run.
"""

from __future__ import annotations

import re

from evals.guideline_alterations import AlteredPair, AlterationFigures, format_alterations, print_run, run_alterations
from evals.reversed_recommendations import statements

CDC_LABEL = re.compile(r"\(recommendation category: ([AB]);")
OTHER = {"strong": "weak", "weak": "strong", "A": "B", "B": "A"}
MARKER = "Restate the guideline's strength"
"""Only the strength check writes it."""


def page_strength(sentence: str, page_text: str) -> str | None:
    """'strong' / 'weak' from a VA/DoD statement's verb; 'A' / 'B' from the CDC label closing the statement."""
    verbs = {"strong"} if re.search(r"\bwe recommend\b", sentence, re.I) else set()
    verbs |= {"weak"} if re.search(r"\bwe suggest\b", sentence, re.I) else set()
    if len(verbs) == 1:
        return verbs.pop()
    flat = " ".join(page_text.split())
    start = flat.find(sentence)
    label = CDC_LABEL.search(flat, start, start + len(sentence) + 3) if start >= 0 else None
    return label.group(1) if label else None


def worded(strength: str) -> str:
    return f"a category {strength}" if strength in {"A", "B"} else f"a {strength}"


def strength_pairs(library) -> list[AlteredPair]:
    """Each statement whose strength its page gives, cited with that strength and with the other."""
    by_page = {(library.entries[g].short_form, p.printed_page): p.text for g, pages in library.pages.items() for p in pages}
    pairs = []
    for short_form, printed, sentence in statements(library):
        strength = page_strength(sentence, by_page[short_form, printed])
        if strength is not None:
            lead = f"Per the {short_form}, p. {printed}, in {{}} recommendation, "
            pairs.append(AlteredPair(short_form, printed, sentence, lead.format(worded(strength)) + sentence,
                                     lead.format(worded(OTHER[strength])) + sentence))
    return pairs


def run_strengths(search) -> dict[str, AlterationFigures]:
    return run_alterations(search, strength_pairs(search.library), MARKER)


def format_strengths(result: dict[str, AlterationFigures]) -> str:
    return format_alterations(result, "other strength", "a strength")


if __name__ == "__main__":
    import sys

    print_run(run_strengths, format_strengths, sys.argv)
