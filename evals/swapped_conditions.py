"""Does the guideline check notice a sentence that gives its cited statement another condition or duration of pain?

"The CDC guideline recommends … for chronic pain" where the page's sentence says acute pain is the commonest way
to turn a guideline's statement into another one: the other word is usually on the same page, so a check that asks
whether the sentence's words are on the page accepts it. Generated from the indexed guidelines, no labels needed:
every page sentence naming a duration (acute, subacute, chronic) or a condition from the eval's own table is cited to
its own page as written, which must verify, and with that word swapped for one the sentence does not name, which
must not. Sentences are split by text (CRC-32 parity); the check was written on the CDC p. 38 acute-pain statement
before this eval was run.
"""

from __future__ import annotations

import re

from evals.guideline_alterations import (
    AlterationFigures, format_alterations, page_sentence_pairs, print_run, run_alterations,
)

SWAPS: tuple[tuple[str, str], ...] = (
    ("subacute", "chronic"), ("acute", "chronic"), ("chronic", "acute"),
    ("rheumatoid arthritis", "osteoarthritis"), ("osteoarthritis", "rheumatoid arthritis"),
    ("tension-type headache", "migraine"), ("migraine", "tension-type headache"), ("insomnia", "sleep apnea"),
    ("sleep apnea", "insomnia"), ("PTSD", "depression"), ("depression", "PTSD"), ("fibromyalgia", "osteoarthritis"),
    ("opioid use disorder", "alcohol use disorder"), ("alcohol use disorder", "opioid use disorder"),
    ("neuropathic pain", "musculoskeletal pain"), ("cancer", "sickle cell disease"),
)
MARKER = "Restate the guideline's condition"
"""Only the condition check writes it."""


def swapped_sentence(sentence: str, page_text: str) -> str | None:
    """The sentence with its first condition or duration replaced by one it does not name (None: none to swap)."""
    for old, new in SWAPS:
        found = re.search(rf"(?<![\w-]){re.escape(old)}(?![\w-])", sentence, 0 if old.isupper() else re.IGNORECASE)
        if found and not re.search(rf"(?<![\w-]){re.escape(new)}", sentence, re.IGNORECASE):
            return sentence[: found.start()] + new + sentence[found.end():]
    return None


def run_condition_swaps(search) -> dict[str, AlterationFigures]:
    return run_alterations(search, page_sentence_pairs(search.library, swapped_sentence), MARKER)


def format_condition_swaps(result: dict[str, AlterationFigures]) -> str:
    return format_alterations(result, "condition swapped", "a condition")


if __name__ == "__main__":
    import sys

    print_run(run_condition_swaps, format_condition_swaps, sys.argv)
