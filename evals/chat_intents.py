"""How the chat reads a reviewer's message with a case open: record question, guideline lookup, checklist, draft,
revise, check, explain or governing guideline (evals/datasets/chat_intents.jsonl).

The messages were written in reviewers' words after the intent rules existed, labelled by what a reviewer means,
and split before they were first run (id number mod 5 in {1, 3} → tune, as the CDC query set); the held-out part
is reported, never tuned on. `python -m evals.chat_intents` prints accuracy per split and the misses."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.conversation.intents import detect_intent

DATASET = Path(__file__).parent / "datasets" / "chat_intents.jsonl"


def load_messages(split: str | None = None) -> list[dict]:
    rows = [json.loads(line) for line in DATASET.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if split is None or r["split"] == split]


def intent_accuracy(split: str) -> tuple[float, list[tuple[dict, str]]]:
    """Share of the split's messages read as labelled, and the misses with what they were read as."""
    rows = load_messages(split)
    misses = [(row, got) for row in rows if (got := detect_intent(row["message"])) != row["intent"]]
    return 1 - len(misses) / len(rows), misses


if __name__ == "__main__":
    for split in ("tune", "heldout"):
        accuracy, misses = intent_accuracy(split)
        print(f"{split}: {accuracy:.3f} ({len(load_messages(split)) - len(misses)}/{len(load_messages(split))})")
        for row, got in misses:
            print(f"   {row['id']} {row['message']!r}: labelled {row['intent']}, read as {got}")
