"""How the fusion constants were chosen: MRR per tune set over a grid of vector weights and restating factors.

    python -m evals.fusion_sweep [--split tune]

Reads only the TUNE split by default (held-out figures come from `python -m evals retrieval`). Each query's
candidates are scored once by both components, then every grid point re-fuses them in numpy, so a sweep costs
one search per query and scope.
"""

from __future__ import annotations

import argparse

import numpy as np

from assistant.config import load_settings
from assistant.retrieval import GuidelineSearch
from assistant.retrieval import search as search_module
from evals.retrieval import dataset_paths, load_dataset, split_of

WEIGHTS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
RESTATING = (0.9, 1.0)
EXPANSIONS = (0.5,)
PLAIN_WEIGHT = 0.7


def first_rank(search: GuidelineSearch, scored, fused: np.ndarray, guideline: str, gold: set[str], k: int) -> int | None:
    seen: list[tuple[str, str]] = []
    for i in np.lexsort((scored.positions, -fused)):
        chunk = search.chunks[int(scored.positions[i])]
        page = (chunk.guideline_id, chunk.printed_page)
        if page in seen:
            continue
        seen.append(page)
        if chunk.guideline_id == guideline and chunk.printed_page in gold:
            return len(seen)
        if len(seen) == k:
            return None
    return None


def sweep(search: GuidelineSearch, split: str, k: int = 5) -> dict[str, dict[tuple, float]]:
    """MRR per set for each (expansion, weight, restating factor), plus each component with each expansion."""
    out: dict[str, dict[tuple, float]] = {}
    for expansion in EXPANSIONS:
        search_module.EXPANSION_WEIGHT = expansion
        for name, table in _sweep_once(search, split, k).items():
            out.setdefault(name, {}).update({(expansion, *key): v for key, v in table.items()})
    return out


def _sweep_once(search: GuidelineSearch, split: str, k: int) -> dict[str, dict[tuple, float]]:
    indexed = {g.id for g in search.manifest.guidelines}
    out: dict[str, dict[tuple, float]] = {}
    for path in dataset_paths():
        queries = [q for q in load_dataset(path) if split_of(q) == split and q.guideline_id in indexed]
        if not queries:
            continue
        prepared = []
        for q in queries:
            scored = search.scored_candidates(q.query, set(search._all_guidelines), "hybrid")
            prepared.append((q, scored, search._restating[scored.positions]))
        table: dict[tuple, float] = {}
        for mode in ("vector", "bm25"):
            ranks = [first_rank(search, s, search_module.fuse(s, mode), q.guideline_id, set(q.primary_pages), k)
                     for q, s, _ in prepared]
            table[(mode,)] = float(np.mean([1 / r if r else 0 for r in ranks]))
        for w in WEIGHTS:
            for factor in RESTATING:
                ranks = [first_rank(search, s, search_module.fuse(s, "hybrid", w if s.expanded else PLAIN_WEIGHT)
                                    * np.where(r, factor, 1.0),
                                    q.guideline_id, set(q.primary_pages), k) for q, s, r in prepared]
                table[(w, factor)] = float(np.mean([1 / r if r else 0 for r in ranks]))
        out[f"{path.stem} ({len(queries)})"] = table
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.fusion_sweep")
    parser.add_argument("--split", default="tune")
    args = parser.parse_args(argv)
    result = sweep(GuidelineSearch(load_settings()), args.split)
    print(f"All-guidelines MRR on the {args.split} split, per BM25 weight of the vocabulary's added words")
    for name, table in result.items():
        print(f"\n{name}")
        for e in EXPANSIONS:
            print(f"  expansion x{e:<5} vector {table[(e, 'vector')]:.3f}  bm25 {table[(e, 'bm25')]:.3f}")
            for factor in RESTATING:
                print(f"    restating x{factor}: " + " ".join(f"w{w}={table[(e, w, factor)]:.3f}" for w in WEIGHTS))
    grid = [key for key in next(iter(result.values())) if len(key) == 3]
    def margin(t: dict, key: tuple) -> float:
        return t[key] - max(v for kk, v in t.items() if len(kk) == 2)
    ranked = sorted(grid, key=lambda key: -min(margin(t, key) for t in result.values()))
    for key in ranked[:5]:
        print(f"worst-case margin over the best component {min(margin(t, key) for t in result.values()):+.3f}: "
              f"expansion x{key[0]}, weight {key[1]}, restating x{key[2]}; mean MRR "
              f"{np.mean([t[key] for t in result.values()]):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
