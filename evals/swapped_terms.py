"""Does the record check notice a statement about the wrong side, region, test, drug or direction?

Generated from the dev letters, no labels needed: each record sentence (30–220 characters) that holds one of the
words below is restated as a reviewer would ("The records show that …") twice — as written, which must verify, and
with that one word swapped (right → left, lumbar → cervical, gabapentin → pregabalin, improved → worsened,
requested → completed, non-certified → certified …), which
must be flagged. Every other word of the swapped statement is the record's own, the hardest case for a check that
counts shared words. A swap can still be true (the record says "right and left", or says the swapped fact in
another sentence), so the flagged share has a ceiling below 1. Letters are split by name (CRC-32 parity).
The word list was applied to all 63 letters while the check was being built: there is no untouched held-out part;
the split is reported to show the figure holds across letters, not as a held-out estimate.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from assistant.contracts import CaseFile
from assistant.verification.record import check_fact_sentence, record_sentences, sex_of_record

SWAPS: tuple[tuple[str, str], ...] = (
    (r"\bright\b", "left"), (r"\bleft\b", "right"), (r"\bimproved\b", "worsened"), (r"\bincreased\b", "decreased"),
    (r"\bdecreased\b", "increased"), (r"\bgabapentin\b", "pregabalin"), (r"\bhydrocodone\b", "oxycodone"),
    (r"\blumbar\b", "cervical"), (r"\bcervical\b", "lumbar"), (r"\bknee\b", "shoulder"), (r"\bshoulder\b", "knee"),
    (r"\bpositive\b", "negative"), (r"\bnegative\b", "positive"), (r"\bconsistent\b", "inconsistent"),
    (r"\bMRI\b", "CT scan"), (r"\bworse\b", "better"), (r"\bbetter\b", "worse"), (r"\brequested\b", "completed"),
    (r"\brecommended\b", "completed"), (r"\bnon-?certified\b", "certified"), (r"\bdenied\b", "approved"))
LEAD = "The records show that "


@dataclass
class SwapFigures:
    swaps: int = 0
    flagged: int = 0
    originals_verified: int = 0
    missed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def flagged_share(self) -> float:
        return self.flagged / self.swaps if self.swaps else 0.0

    @property
    def originals_verified_share(self) -> float:
        return self.originals_verified / self.swaps if self.swaps else 0.0


def split_of(letter_name: str) -> str:
    return "heldout" if zlib.crc32(letter_name.encode()) % 2 else "tune"


def swapped(sentence: str) -> str | None:
    """The sentence with its first swappable word swapped, or None."""
    for pattern, replacement in SWAPS:
        if re.search(pattern, sentence, re.IGNORECASE):
            return re.sub(pattern, replacement, sentence, count=1, flags=re.IGNORECASE)
    return None


def evaluate_case(case: CaseFile, figures: SwapFigures, name: str = "") -> None:
    sentences = record_sentences(case)
    sex = sex_of_record(sentences)
    for sentence in sentences:
        changed = swapped(sentence.text) if 30 <= len(sentence.text) <= 220 else None
        if changed is None:
            continue
        figures.swaps += 1
        figures.originals_verified += check_fact_sentence(LEAD + sentence.text, sentences, sex).status == "verified"
        if check_fact_sentence(LEAD + changed, sentences, sex).status == "verified":
            figures.missed.append((name, changed))
        else:
            figures.flagged += 1


def run_swapped_terms(letters_dir: Path) -> dict[str, SwapFigures]:
    from assistant.drafting.intake import case_from_file

    result = {"tune": SwapFigures(), "heldout": SwapFigures()}
    for path in sorted(letters_dir.glob("*.pdf")):
        evaluate_case(case_from_file(path), result[split_of(path.name)], path.stem)
    return result


def format_swapped_terms(result: dict[str, SwapFigures]) -> str:
    lines = ["| split | swapped statements | flagged | the same statements unswapped, verified |", "|---|---|---|---|"]
    for split, f in result.items():
        lines.append(f"| {split} | {f.swaps} | {f.flagged_share:.3f} ({f.flagged}) | "
                     f"{f.originals_verified_share:.3f} ({f.originals_verified}) |")
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    figures = run_swapped_terms(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/imr-letters/dev"))
    print(format_swapped_terms(figures))
    for split, f in figures.items():
        for name, sentence in f.missed[: int(sys.argv[2]) if len(sys.argv) > 2 else 0]:
            print(f"  {split} not flagged: {name}: {sentence}")
