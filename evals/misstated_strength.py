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
import zlib
from dataclasses import dataclass, field

from assistant.verification.verify import check_free_text
from evals.reversed_recommendations import statements

CDC_LABEL = re.compile(r"\(recommendation category: ([AB]);")
OTHER = {"strong": "weak", "weak": "strong", "A": "B", "B": "A"}


@dataclass
class StrengthFigures:
    statements: int = 0
    misstated_flagged: int = 0
    as_stated_verified: int = 0
    missed: list[str] = field(default_factory=list)

    def share(self, count: int) -> float:
        return count / self.statements if self.statements else 0.0


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


def run_strengths(search) -> dict[str, StrengthFigures]:
    result = {"tune": StrengthFigures(), "heldout": StrengthFigures()}
    by_page = {(search.library.entries[g].short_form, p.printed_page): p.text
               for g, pages in search.library.pages.items() for p in pages}
    for short_form, printed, sentence in statements(search.library):
        strength = page_strength(sentence, by_page[short_form, printed])
        if strength is None:
            continue
        figures = result["heldout" if zlib.crc32(sentence.encode()) % 2 else "tune"]
        figures.statements += 1
        lead = f"Per the {short_form}, p. {printed}, in {{}} recommendation, "
        stated = check_free_text(lead.format(worded(strength)) + sentence, search.library, ranker=search.page_ranking)
        figures.as_stated_verified += bool(stated.citation_checks) and stated.ok
        misstated = lead.format(worded(OTHER[strength])) + sentence
        if check_free_text(misstated, search.library, ranker=search.page_ranking).ok:
            figures.missed.append(f"{short_form} p. {printed}: {misstated}")
        else:
            figures.misstated_flagged += 1
    return result


def format_strengths(result: dict[str, StrengthFigures]) -> str:
    lines = ["| split | statements | other strength, flagged | page's strength, verified |", "|---|---|---|---|"]
    for split, f in result.items():
        lines.append(f"| {split} | {f.statements} | {f.share(f.misstated_flagged):.3f} ({f.misstated_flagged}) | "
                     f"{f.share(f.as_stated_verified):.3f} ({f.as_stated_verified}) |")
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    from assistant.config import load_settings
    from assistant.retrieval import GuidelineSearch

    figures = run_strengths(GuidelineSearch(load_settings()))
    print(format_strengths(figures))
    for split, f in figures.items():
        for line in f.missed[: int(sys.argv[1]) if len(sys.argv) > 1 else 0]:
            print(f"  {split} not flagged: {line}")
