"""Precision and recall of the record-fact check on planted facts (evals/datasets/record_facts.jsonl).

Each planted sentence is checked, on its own, against the real dev letter's case (decisions stripped) with
`check_free_text(..., case=...)`. A sentence counts as flagged when any record check on it is a problem.
Positive class = flagged; a false fact flagged is a true positive."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from assistant.contracts import CaseFile
from assistant.verification.record import check_record_facts
from assistant.verification.textmatch import split_sentences

DATASET = Path(__file__).parent / "datasets" / "record_facts.jsonl"


@dataclass
class Confusion:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0


def load_rows(split: str | None = None) -> list[dict]:
    rows = [json.loads(line) for line in DATASET.read_text().splitlines() if line.strip()]
    return [r for r in rows if split is None or r["split"] == split]


def flagged(sentence: str, case: CaseFile) -> tuple[bool, list[str]]:
    checks = check_record_facts(sentence, case, split_sentences(sentence))
    problems = [c for c in checks if c.status != "verified"]
    return bool(problems), [f"{c.status}: {c.message}" for c in problems] or [c.status for c in checks]


def evaluate(rows: list[dict], cases: dict[str, CaseFile]) -> tuple[Confusion, list[tuple[dict, list[str]]]]:
    confusion, mistakes = Confusion(), []
    for row in rows:
        is_flagged, why = flagged(row["sentence"], cases[row["letter"]])
        false_fact = row["label"] == "false"
        if false_fact and is_flagged:
            confusion.tp += 1
        elif false_fact:
            confusion.fn += 1
            mistakes.append((row, why))
        elif is_flagged:
            confusion.fp += 1
            mistakes.append((row, why))
        else:
            confusion.tn += 1
    return confusion, mistakes


def letter_cases(letters_dir: Path, names: set[str]) -> dict[str, CaseFile]:
    from assistant.drafting.intake import case_from_file

    return {name: case_from_file(letters_dir / name) for name in sorted(names)}


if __name__ == "__main__":
    import sys

    letters = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/imr-letters/dev")
    rows = load_rows()
    cases = letter_cases(letters, {r["letter"] for r in rows})
    for split in ("tune", "heldout"):
        confusion, mistakes = evaluate([r for r in rows if r["split"] == split], cases)
        print(f"{split}: precision {confusion.precision:.3f} recall {confusion.recall:.3f} {confusion}")
        for row, why in mistakes:
            print("   MISS", row["id"], row["label"], row["sentence"], "->", why[:2])
