"""The shared harness of the generated guideline-check evals: a page's own sentence cited to its page as written,
which must verify, and altered in one way (a figure, a strength, a region or drug), which must not.

Each eval supplies the pairs; this module cites, checks, counts and prints them the same way. A pair's split is
fixed by its sentence's text (CRC-32 parity), so an eval's split does not move when the check changes.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from assistant.verification.direction import page_sentences
from assistant.verification.verify import check_free_text

LONGEST = 320


@dataclass(frozen=True)
class AlteredPair:
    short_form: str
    printed_page: str
    sentence: str
    as_written: str
    altered: str


@dataclass
class AlterationFigures:
    sentences: int = 0
    altered_flagged: int = 0
    as_written_verified: int = 0
    as_written_flagged_for_it: int = 0
    """As-written sentences flagged by the check under test (its message carries the eval's marker): false flags."""
    missed: list[str] = field(default_factory=list)

    def share(self, count: int) -> float:
        return count / self.sentences if self.sentences else 0.0


def page_sentence_pairs(library, alter: Callable[[str, str], str | None]) -> list[AlteredPair]:
    """Each page sentence (60–320 characters, opening with a capital, once) that `alter(sentence, page_text)` can
    alter, cited as a reviewer writes it: "Per <guideline>, p. N, <sentence>"."""
    pairs, seen = [], set()
    for guideline_id, pages in sorted(library.pages.items()):
        short_form = library.entries[guideline_id].short_form
        for page in pages:
            for sentence in page_sentences(page.text):
                if not 60 <= len(sentence) <= LONGEST or sentence in seen or not sentence[0].isupper():
                    continue
                altered = alter(sentence, page.text)
                if altered is not None:
                    seen.add(sentence)
                    cited = f"Per the {short_form}, p. {page.printed_page}, "
                    pairs.append(AlteredPair(short_form, page.printed_page, sentence, cited + sentence, cited + altered))
    return pairs


def run_alterations(search, pairs: Iterable[AlteredPair], marker: str) -> dict[str, AlterationFigures]:
    """Check every pair as written and altered; `marker` is a phrase only the check under test writes."""
    result = {"tune": AlterationFigures(), "heldout": AlterationFigures()}
    for pair in pairs:
        figures = result["heldout" if zlib.crc32(pair.sentence.encode()) % 2 else "tune"]
        figures.sentences += 1
        as_written = check_free_text(pair.as_written, search.library, ranker=search.page_ranking)
        figures.as_written_verified += bool(as_written.citation_checks) and as_written.ok
        figures.as_written_flagged_for_it += any(marker in c.message for c in as_written.checks)
        if check_free_text(pair.altered, search.library, ranker=search.page_ranking).ok:
            figures.missed.append(f"{pair.short_form} p. {pair.printed_page}: {pair.altered}")
        else:
            figures.altered_flagged += 1
    return result


def format_alterations(result: dict[str, AlterationFigures], altered: str, flagged_for: str) -> str:
    lines = [f"| split | sentences | {altered}, flagged | as written, verified | as written, flagged for {flagged_for} |",
             "|---|---|---|---|---|"]
    for split, f in result.items():
        lines.append(f"| {split} | {f.sentences} | {f.share(f.altered_flagged):.3f} ({f.altered_flagged}) | "
                     f"{f.share(f.as_written_verified):.3f} ({f.as_written_verified}) | "
                     f"{f.share(f.as_written_flagged_for_it):.3f} ({f.as_written_flagged_for_it}) |")
    return "\n".join(lines)


def print_run(run: Callable, format_result: Callable, argv: list[str]) -> None:
    """`python -m evals.<name> [N]`: the table, then N missed alterations of each split."""
    from assistant.config import load_settings
    from assistant.retrieval import GuidelineSearch

    result = run(GuidelineSearch(load_settings()))
    print(format_result(result))
    for split, f in result.items():
        for line in f.missed[: int(argv[1]) if len(argv) > 1 else 0]:
            print(f"  {split} not flagged: {line}")
