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

from evals.guideline_alterations import (
    AlterationFigures, format_alterations, page_sentence_pairs, print_run, run_alterations,
)

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
MARKER = "names “"
"""Only the region, test and drug check writes it ("… and names “neck” nowhere", "never names “pregabalin”")."""


def swapped_sentence(sentence: str, page_text: str) -> str | None:
    """The sentence with its first swappable word replaced by a neighbour the page never names (None: no swap)."""
    for old, new in SWAPS:
        found = re.search(rf"(?<![\w-]){re.escape(old)}(?![\w-])", sentence,
                          0 if old.isupper() else re.IGNORECASE)
        if found and not re.search(rf"(?<![\w-]){re.escape(new)}", page_text, re.IGNORECASE):
            return sentence[: found.start()] + new + sentence[found.end():]
    return None


def run_swaps(search) -> dict[str, AlterationFigures]:
    return run_alterations(search, page_sentence_pairs(search.library, swapped_sentence), MARKER)


def format_swaps(result: dict[str, AlterationFigures]) -> str:
    return format_alterations(result, "term swapped", "a term")


if __name__ == "__main__":
    import sys

    print_run(run_swaps, format_swaps, sys.argv)
