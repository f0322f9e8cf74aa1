"""Print the offline drafter's record facts for the hand-checked sample of dev items (evals/datasets/
item_facts_sample.jsonl), so a person can judge whether each fact is about the item; report the judged share.

    python -m evals.item_facts_sample [LETTERS_DIR]          # the facts, for reading
    python -m evals.item_facts_sample --figures               # the recorded judgements, by split
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

DATASET = Path(__file__).parent / "datasets" / "item_facts_sample.jsonl"


def figures(rows: list[dict]) -> dict[str, tuple[int, int]]:
    """(facts about the item, facts judged) per split and overall."""
    out: dict[str, tuple[int, int]] = {}
    for split in ("tune", "heldout", "all"):
        facts = [f for r in rows if split in ("all", r["split"]) for f in r["facts"]]
        out[split] = (sum(f["about_item"] for f in facts), len(facts))
    return out


def current_facts(letters: Path, letter: str, item_index: int) -> tuple[str, list[str]]:
    from assistant.drafting.intake import case_from_file
    from assistant.drafting.item_facts import item_facts

    case = case_from_file(letters / letter)
    item = case.items[item_index]
    return item.text, [c.quote for c in item_facts(case, item)]


if __name__ == "__main__":
    rows = [json.loads(line) for line in DATASET.read_text().splitlines() if line.strip()] if DATASET.exists() else []
    if "--figures" in sys.argv:
        for split, (about, total) in figures(rows).items():
            print(f"{split}: {about}/{total} facts about the item = {about / max(total, 1):.3f}")
    else:
        letters = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/imr-letters/dev")
        for row in rows:
            text, facts = current_facts(letters, row["letter"], row["item_index"])
            print(f"## {row['id']} {row['split']} {row['letter']} item {row['item_index'] + 1}: {text}")
            for fact in facts:
                print("   -", fact)
