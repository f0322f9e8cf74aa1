"""Governing-guideline eval: does voting by similar prior determinations name the part (and section) the
reviewer of each held-out item actually cited?

For every item of the letters under `letters_dir`, precedents are the items of the letters under `against_dir`
or, without it, every *other case* in `letters_dir` (leave-one-out by case: an item never sees its own
letter). Items whose MAXIMUS line cites no evidence, or could not be parsed, are counted and left out.
Everything is embedded once; the leave-one-out runs in numpy through the same `suggest_governing` used live.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from assistant.config import Settings, load_settings
from assistant.precedents.governing import DEFAULT_NEIGHBOURS, normalise_part, normalise_section, suggest_governing
from assistant.index.embeddings import embed
from assistant.precedents.importer import parse_folder
from assistant.precedents.index import InMemoryPrecedents
from assistant.precedents.records import CitedPart, PrecedentRecord, records_from_letter
from evals.metrics import first_hit_rank, hit_at

Key = tuple[str, str]

# ---------------------------------------------------------------------------------------------- metric functions


def part_targets(cited: Iterable[CitedPart]) -> set[str]:
    """The parts a reviewer cited, normalised for comparison."""
    return {normalise_part(c.part) for c in cited}


def pair_targets(cited: Iterable[CitedPart]) -> set[Key]:
    """The (part, section) pairs a reviewer cited; a part cited without sections gives (part, '')."""
    return {(normalise_part(c.part), normalise_section(s)) for c in cited for s in (c.sections or [None])}


def majority_ranking(pool: Iterable[Iterable]) -> list:
    """Labels ordered by how many pool members cite them (each member counts a label once), ties by label."""
    counts: Counter = Counter()
    for labels in pool:
        counts.update(set(labels))
    return sorted(counts, key=lambda label: (-counts[label], label))


def accuracy_at(ranked_lists: Sequence[Sequence], golds: Sequence[set], k: int) -> float:
    """Share of queries whose gold set is hit within the first k of its ranked list."""
    if len(ranked_lists) != len(golds):
        raise ValueError("one ranked list per gold set")
    return hit_at([first_hit_rank(list(r), g) for r, g in zip(ranked_lists, golds)], k)


# ---------------------------------------------------------------------------------------------- the eval


def _records(folder: Path) -> tuple[list[PrecedentRecord], dict[str, str], list[str], int]:
    letters, failed = parse_folder(folder)
    records = [r for letter in letters for r in records_from_letter(letter)]
    summaries = {}
    for letter in letters:
        for r in records_from_letter(letter)[:1]:
            summaries[r.case_number] = letter.case_summary
    return records, summaries, failed, len(letters)


def run_precedent_eval(
    letters_dir: str | Path,
    against_dir: str | Path | None = None,
    settings: Settings | None = None,
    neighbours: int = DEFAULT_NEIGHBOURS,
) -> dict:
    started = time.perf_counter()
    settings = settings or load_settings()
    letters_dir = Path(letters_dir)
    queries, summaries, failed, n_letters = _records(letters_dir)
    query_vectors = embed(settings.embedding_model, [r.document for r in queries], settings.embedding_batch_size)
    if against_dir is None or Path(against_dir).resolve() == letters_dir.resolve():
        pool, pool_vectors, pool_failed = queries, query_vectors, []
        mode = "leave-one-case-out"
    else:
        pool, _, pool_failed, _ = _records(Path(against_dir))
        pool_vectors = embed(settings.embedding_model, [r.document for r in pool], settings.embedding_batch_size)
        mode = f"against {against_dir}"
    memory = InMemoryPrecedents(pool, pool_vectors)
    citing_pool = [r for r in pool if r.cited]

    excluded: Counter[str] = Counter()
    rows: dict[str, dict[str, list]] = {
        name: {"part": [], "pair": []} for name in ("precedents", "majority", "majority (whole pool)", "category hint")
    }
    # A stronger reference: the majority over the whole pool, the item's own case included (it sees its own label).
    pool_part_ranking = majority_ranking(part_targets(r.cited) for r in citing_pool)[:3]
    pool_pair_ranking = majority_ranking(pair_targets(r.cited) for r in citing_pool)[:3]
    gold_parts: list[set[str]] = []
    gold_pairs: list[set[Key]] = []
    details: list[dict] = []
    for record, vector in zip(queries, query_vectors):
        if not record.cited:
            excluded["no evidence cited" if record.kind == "none" else f"reviewer line {record.kind}"] += 1
            continue
        parts, pairs = part_targets(record.cited), pair_targets(record.cited)
        gold_parts.append(parts)
        gold_pairs.append(pairs)
        summary = summaries.get(record.case_number, "")
        neighbours_found = memory.similar_to_vector(vector, k=neighbours * 3, exclude_case=record.case_number)
        assert all(p.case_number != record.case_number for p in neighbours_found)
        by_part = suggest_governing(record.item, summary, neighbours_found, k=3, level="part", neighbours=neighbours)
        by_pair = suggest_governing(record.item, summary, neighbours_found, k=3, level="section", neighbours=neighbours)
        rows["precedents"]["part"].append([normalise_part(s.part) for s in by_part])
        rows["precedents"]["pair"].append([(normalise_part(s.part), normalise_section(s.section)) for s in by_pair])

        others = [r for r in citing_pool if r.case_number != record.case_number]
        rows["majority"]["part"].append(majority_ranking(part_targets(r.cited) for r in others)[:3])
        rows["majority"]["pair"].append(majority_ranking(pair_targets(r.cited) for r in others)[:3])
        rows["majority (whole pool)"]["part"].append(pool_part_ranking)
        rows["majority (whole pool)"]["pair"].append(pool_pair_ranking)

        hint_part = suggest_governing(record.item, summary, [], k=3, level="part")
        hint_pair = suggest_governing(record.item, summary, [], k=3, level="section")
        rows["category hint"]["part"].append([normalise_part(s.part) for s in hint_part])
        rows["category hint"]["pair"].append([(normalise_part(s.part), normalise_section(s.section)) for s in hint_pair])
        details.append({
            "case": record.case_number,
            "item": record.item,
            "reviewer_cited": [c.label + (f", {'; '.join(c.sections)}" if c.sections else "") for c in record.cited],
            "suggested": [s.label for s in by_pair],
            "suggested_parts": [s.label for s in by_part],
            "nearest": [f"{p.case_number}: {p.item} ({p.similarity:.2f})" for p in neighbours_found[:3]],
        })

    methods = {}
    for name, ranked in rows.items():
        methods[name] = {
            "part@1": accuracy_at(ranked["part"], gold_parts, 1),
            "part@3": accuracy_at(ranked["part"], gold_parts, 3),
            "part+section@1": accuracy_at(ranked["pair"], gold_pairs, 1),
            "part+section@3": accuracy_at(ranked["pair"], gold_pairs, 3),
        }
    return {
        "letters_dir": str(letters_dir),
        "mode": mode,
        "letters": n_letters,
        "items": len(queries),
        "evaluated": len(gold_parts),
        "excluded": dict(excluded),
        "precedent_pool": len(pool),
        "precedent_pool_citing": len(citing_pool),
        "failed_letters": failed + pool_failed,
        "neighbours": neighbours,
        "embedding_model": settings.embedding_model,
        "methods": methods,
        "seconds": round(time.perf_counter() - started, 2),
        "details": details,
    }


def format_precedent_eval(result: dict) -> str:
    excluded = ", ".join(f"{n} {why}" for why, n in result["excluded"].items()) or "none"
    lines = [
        f"Governing-guideline eval on {result['letters_dir']} ({result['mode']}): {result['letters']} letters, "
        f"{result['items']} items, {result['evaluated']} evaluated (excluded: {excluded}); "
        f"precedent pool {result['precedent_pool']} items ({result['precedent_pool_citing']} citing a guideline), "
        f"{result['neighbours']} neighbours, {result['seconds']} s",
        "",
        "| method | part top-1 | part top-3 | part+section top-1 | part+section top-3 |",
        "|---|---|---|---|---|",
    ]
    for name, m in result["methods"].items():
        label = {
            "precedents": "similar precedents (vote)",
            "majority": "majority-class baseline (each item's precedents)",
            "majority (whole pool)": "majority-class, whole pool incl. own case (optimistic)",
            "category hint": "category hint only",
        }.get(name, name)
        lines.append(
            f"| {label} | {m['part@1']:.3f} | {m['part@3']:.3f} | {m['part+section@1']:.3f} | {m['part+section@3']:.3f} |"
        )
    if result["failed_letters"]:
        lines += ["", "Letters not read:"] + [f"- {f}" for f in result["failed_letters"]]
    return "\n".join(lines)


def write_json(result: dict, path: Path | None) -> None:
    if path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result, indent=2, default=_json_default), encoding="utf-8")


def _json_default(value):
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value)}")
