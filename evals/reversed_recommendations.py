"""Does the guideline check notice a sentence that reverses what the cited page recommends?

Generated from the indexed guidelines, no labels needed: every recommendation statement on a page ("we recommend
against …", "we suggest …", "clinicians should avoid …") is cited to its own printed page as a reviewer writes it
("Per <guideline>, p. N, …") twice — as the guideline words it, which must verify, and with its direction
reversed ("we recommend against" ↔ "we recommend", "should avoid" ↔ "should use"), which must not. Every other word
is the page's own, the hardest case for a check that compares words. Statements are split by text (CRC-32
parity); the direction rules were written before this eval was run, on the CDC p. 44 and LBP p. 29 statements.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field

from assistant.verification.textmatch import split_sentences
from assistant.verification.verify import check_free_text

STATEMENT = re.compile(r"\bwe (?:recommend|suggest)\b|\bclinicians should (?:avoid|not)\b", re.IGNORECASE)
REVERSALS: tuple[tuple[str, str], ...] = (
    (r"\bwe (recommend|suggest) against\b", r"we \1"), (r"\bwe (recommend|suggest)\b(?! against)", r"we \1 against"),
    (r"\bclinicians should avoid\b", "clinicians should use"), (r"\bclinicians should not\b", "clinicians should"))


@dataclass
class ReversalFigures:
    statements: int = 0
    reversed_flagged: int = 0
    as_written_verified: int = 0
    missed: list[str] = field(default_factory=list)

    @property
    def flagged_share(self) -> float:
        return self.reversed_flagged / self.statements if self.statements else 0.0

    @property
    def verified_share(self) -> float:
        return self.as_written_verified / self.statements if self.statements else 0.0


def reversed_statement(sentence: str) -> str | None:
    for pattern, replacement in REVERSALS:
        if re.search(pattern, sentence, re.IGNORECASE):
            return re.sub(pattern, replacement, sentence, count=1, flags=re.IGNORECASE)
    return None


def statements(library) -> list[tuple[str, str, str]]:
    """(guideline short form, printed page, statement) for every recommendation statement, once each."""
    found, seen = [], set()
    for guideline_id, pages in sorted(library.pages.items()):
        entry = library.entries[guideline_id]
        for page in pages:
            for sentence in split_sentences(" ".join(page.text.split())):
                if STATEMENT.search(sentence) and 60 <= len(sentence) <= 320 and sentence not in seen:
                    seen.add(sentence)
                    found.append((entry.short_form, page.printed_page, sentence))
    return found


def run_reversals(search) -> dict[str, ReversalFigures]:
    result = {"tune": ReversalFigures(), "heldout": ReversalFigures()}
    for short_form, printed, sentence in statements(search.library):
        flipped = reversed_statement(sentence)
        if flipped is None:
            continue
        figures = result["heldout" if zlib.crc32(sentence.encode()) % 2 else "tune"]
        figures.statements += 1
        cited = f"Per the {short_form}, p. {printed}, "
        as_written = check_free_text(cited + sentence, search.library, ranker=search.page_ranking)
        figures.as_written_verified += bool(as_written.citation_checks) and as_written.ok
        reversed_report = check_free_text(cited + flipped, search.library, ranker=search.page_ranking)
        if reversed_report.ok:
            figures.missed.append(f"{short_form} p. {printed}: {flipped}")
        else:
            figures.reversed_flagged += 1
    return result


def format_reversals(result: dict[str, ReversalFigures]) -> str:
    lines = ["| split | statements | reversed, flagged | as written, verified |", "|---|---|---|---|"]
    for split, f in result.items():
        lines.append(f"| {split} | {f.statements} | {f.flagged_share:.3f} ({f.reversed_flagged}) | "
                     f"{f.verified_share:.3f} ({f.as_written_verified}) |")
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    from assistant.config import load_settings
    from assistant.retrieval import GuidelineSearch

    figures = run_reversals(GuidelineSearch(load_settings()))
    print(format_reversals(figures))
    for split, f in figures.items():
        for line in f.missed[: int(sys.argv[1]) if len(sys.argv) > 1 else 0]:
            print(f"  {split} not flagged: {line}")
