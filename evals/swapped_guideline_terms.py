"""Does the guideline check notice a sentence that names another body region, test or drug than its cited page?

Generated from the indexed guidelines, no labels needed: every page sentence naming one of the regions, tests or
drugs below is cited to its own printed page as a reviewer writes it ("Per <guideline>, p. N, …") twice — as the
page words it, which must verify, and with that word swapped for its neighbour ("lumbar" → "cervical", "MRI" → "CT",
"gabapentin" → "pregabalin"), which must not; a swap is made only when the page never names the new word. The swap
table is the eval's own, not the check's vocabulary. Sentences are split by text (CRC-32 parity); the check was
written on the LBP p. 29 imaging statement before this eval was run.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field

from assistant.verification.direction import page_sentences
from assistant.verification.verify import check_free_text

SWAPS: tuple[tuple[str, str], ...] = (
    ("lumbar", "cervical"), ("low back", "neck"), ("cervical", "lumbar"), ("neck", "low back"), ("knee", "hip"),
    ("hip", "knee"), ("shoulder", "knee"), ("MRI", "CT"), ("CT", "MRI"), ("radiographs", "MRI"), ("x-rays", "MRI"),
    ("gabapentin", "pregabalin"), ("pregabalin", "gabapentin"), ("duloxetine", "venlafaxine"),
    ("venlafaxine", "duloxetine"), ("ibuprofen", "naproxen"), ("naproxen", "ibuprofen"),
    ("oxycodone", "hydrocodone"), ("hydrocodone", "oxycodone"), ("tramadol", "tapentadol"),
    ("zolpidem", "eszopiclone"), ("trazodone", "mirtazapine"), ("sertraline", "fluoxetine"),
    ("prazosin", "clonidine"), ("buprenorphine", "methadone"), ("methadone", "buprenorphine"),
    ("naltrexone", "acamprosate"), ("topiramate", "valproate"), ("sumatriptan", "rizatriptan"),
    ("amitriptyline", "nortriptyline"), ("cyclobenzaprine", "tizanidine"), ("diclofenac", "celecoxib"),
)
LONGEST = 320


@dataclass
class SwapFigures:
    sentences: int = 0
    swapped_flagged: int = 0
    as_written_verified: int = 0
    as_written_flagged_for_term: int = 0
    missed: list[str] = field(default_factory=list)

    def share(self, count: int) -> float:
        return count / self.sentences if self.sentences else 0.0


def swapped_sentence(sentence: str, page_text: str) -> str | None:
    """The sentence with its first swappable word replaced by a neighbour the page never names (None: no swap)."""
    for old, new in SWAPS:
        found = re.search(rf"(?<![\w-]){re.escape(old)}(?![\w-])", sentence,
                          0 if old.isupper() else re.IGNORECASE)
        if found and not re.search(rf"(?<![\w-]){re.escape(new)}", page_text, re.IGNORECASE):
            return sentence[: found.start()] + new + sentence[found.end():]
    return None


def swappable_sentences(library) -> list[tuple[str, str, str, str]]:
    """(guideline short form, printed page, sentence, swapped sentence) for each sentence with a swappable word."""
    found, seen = [], set()
    for guideline_id, pages in sorted(library.pages.items()):
        entry = library.entries[guideline_id]
        for page in pages:
            for sentence in page_sentences(page.text):
                if not 60 <= len(sentence) <= LONGEST or sentence in seen or not sentence[0].isupper():
                    continue
                swapped = swapped_sentence(sentence, page.text)
                if swapped is not None:
                    seen.add(sentence)
                    found.append((entry.short_form, page.printed_page, sentence, swapped))
    return found


def run_swaps(search) -> dict[str, SwapFigures]:
    result = {"tune": SwapFigures(), "heldout": SwapFigures()}
    for short_form, printed, sentence, swapped in swappable_sentences(search.library):
        figures = result["heldout" if zlib.crc32(sentence.encode()) % 2 else "tune"]
        figures.sentences += 1
        cited = f"Per the {short_form}, p. {printed}, "
        as_written = check_free_text(cited + sentence, search.library, ranker=search.page_ranking)
        figures.as_written_verified += bool(as_written.citation_checks) and as_written.ok
        figures.as_written_flagged_for_term += any("names “" in c.message for c in as_written.checks)
        if check_free_text(cited + swapped, search.library, ranker=search.page_ranking).ok:
            figures.missed.append(f"{short_form} p. {printed}: {swapped}")
        else:
            figures.swapped_flagged += 1
    return result


def format_swaps(result: dict[str, SwapFigures]) -> str:
    lines = ["| split | sentences | term swapped, flagged | as written, verified | as written, flagged for a term |",
             "|---|---|---|---|---|"]
    for split, f in result.items():
        lines.append(f"| {split} | {f.sentences} | {f.share(f.swapped_flagged):.3f} ({f.swapped_flagged}) | "
                     f"{f.share(f.as_written_verified):.3f} ({f.as_written_verified}) | "
                     f"{f.share(f.as_written_flagged_for_term):.3f} ({f.as_written_flagged_for_term}) |")
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    from assistant.config import load_settings
    from assistant.retrieval import GuidelineSearch

    figures = run_swaps(GuidelineSearch(load_settings()))
    print(format_swaps(figures))
    for split, f in figures.items():
        for line in f.missed[: int(sys.argv[1]) if len(sys.argv) > 1 else 0]:
            print(f"  {split} not flagged: {line}")
