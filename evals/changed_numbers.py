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
import zlib
from dataclasses import dataclass, field

from assistant.verification.direction import page_sentences
from assistant.verification.verify import check_free_text

WORD_VALUES = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
               "ten": 10, "twelve": 12, "fourteen": 14, "thirty": 30, "ninety": 90}
FIGURE = re.compile(
    r"(?<![\w.,/-])(\d{1,4}(?:\.\d+)?|" + "|".join(WORD_VALUES) + r")(\s*%|[\s-]+(?:MME|mg|days?|weeks?|months?|"
    r"hours?|minutes?|sessions?|visits?|treatments?|tablets?|percent)\b)", re.IGNORECASE)
LONGEST = 320


@dataclass
class ChangeFigures:
    sentences: int = 0
    changed_flagged: int = 0
    as_written_verified: int = 0
    as_written_flagged_for_figure: int = 0
    missed: list[str] = field(default_factory=list)

    def share(self, count: int) -> float:
        return count / self.sentences if self.sentences else 0.0


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
            new = f"{candidate:g}"
            return sentence[: found.start(1)] + new + sentence[found.end(1):]
    return None


def figure_sentences(library) -> list[tuple[str, str, str, str]]:
    """(guideline short form, printed page, sentence, changed sentence) for each sentence giving a figure, once."""
    found, seen = [], set()
    for guideline_id, pages in sorted(library.pages.items()):
        entry = library.entries[guideline_id]
        for page in pages:
            for sentence in page_sentences(page.text):
                if not 60 <= len(sentence) <= LONGEST or sentence in seen or not sentence[0].isupper():
                    continue
                changed = changed_sentence(sentence, page.text)
                if changed is not None:
                    seen.add(sentence)
                    found.append((entry.short_form, page.printed_page, sentence, changed))
    return found


def run_changes(search) -> dict[str, ChangeFigures]:
    result = {"tune": ChangeFigures(), "heldout": ChangeFigures()}
    for short_form, printed, sentence, changed in figure_sentences(search.library):
        figures = result["heldout" if zlib.crc32(sentence.encode()) % 2 else "tune"]
        figures.sentences += 1
        cited = f"Per the {short_form}, p. {printed}, "
        as_written = check_free_text(cited + sentence, search.library, ranker=search.page_ranking)
        figures.as_written_verified += bool(as_written.citation_checks) and as_written.ok
        figures.as_written_flagged_for_figure += any("gives" in c.message and "where this sentence says" in c.message
                                                     for c in as_written.checks)
        changed_report = check_free_text(cited + changed, search.library, ranker=search.page_ranking)
        if changed_report.ok:
            figures.missed.append(f"{short_form} p. {printed}: {changed}")
        else:
            figures.changed_flagged += 1
    return result


def format_changes(result: dict[str, ChangeFigures]) -> str:
    lines = ["| split | sentences | figure changed, flagged | as written, verified | as written, flagged for a figure |",
             "|---|---|---|---|---|"]
    for split, f in result.items():
        lines.append(f"| {split} | {f.sentences} | {f.share(f.changed_flagged):.3f} ({f.changed_flagged}) | "
                     f"{f.share(f.as_written_verified):.3f} ({f.as_written_verified}) | "
                     f"{f.share(f.as_written_flagged_for_figure):.3f} ({f.as_written_flagged_for_figure}) |")
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    from assistant.config import load_settings
    from assistant.retrieval import GuidelineSearch

    figures = run_changes(GuidelineSearch(load_settings()))
    print(format_changes(figures))
    for split, f in figures.items():
        for line in f.missed[: int(sys.argv[1]) if len(sys.argv) > 1 else 0]:
            print(f"  {split} not flagged: {line}")
