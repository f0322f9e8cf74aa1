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
RESTATING = (search_module.RESTATING_FACTOR,)
RESTATING_FACTOR = search_module.RESTATING_FACTOR
EXPANSIONS = (0.5,)
NORMALISATION = 'minmax'
PLAIN_WEIGHTS = (0.5, 0.6, 0.7, 0.8)


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
        search_module.NORMALISATION = NORMALISATION
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
            prepared.append((q, scored, search.section_factor(scored.positions)))
        table: dict[tuple, float] = {}
        for mode in ("vector", "bm25"):
            ranks = [first_rank(search, s, search_module.fuse(s, mode) * r,
                                q.guideline_id, set(q.primary_pages), k) for q, s, r in prepared]
            table[(mode,)] = float(np.mean([1 / r if r else 0 for r in ranks]))
        for plain in PLAIN_WEIGHTS:
            for w in WEIGHTS:
                for factor in RESTATING:
                    ranks = [first_rank(search, s, search_module.fuse(s, "hybrid", w if s.expanded else plain)
                                        * r,
                                        q.guideline_id, set(q.primary_pages), k) for q, s, r in prepared]
                    table[(plain, w, factor)] = float(np.mean([1 / r if r else 0 for r in ranks]))
        out[f"{path.stem} ({len(queries)})"] = table
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.fusion_sweep")
    parser.add_argument("--split", default="tune")
    args = parser.parse_args(argv)
    result = sweep(GuidelineSearch(load_settings()), args.split)
    print(f"All-guidelines MRR on the {args.split} split. Components (restating x{RESTATING_FACTOR}):")
    for name, table in result.items():
        comps = {kk[1]: v for kk, v in table.items() if len(kk) == 2}
        print(f"  {name}: vector {comps['vector']:.3f}, bm25 {comps['bm25']:.3f}")
    grid = [key for key in next(iter(result.values())) if len(key) == 4]

    def margin(t: dict, key: tuple) -> float:
        return t[key] - max(v for kk, v in t.items() if len(kk) == 2 and kk[0] == key[0])

    print("expansion, plain weight, expanded weight, restating: worst margin over the best component; mean MRR")
    for key in sorted(grid, key=lambda key: -min(margin(t, key) for t in result.values()))[:12]:
        print(f"  x{key[0]} plain {key[1]} expanded {key[2]} restating x{key[3]}: "
              f"{min(margin(t, key) for t in result.values()):+.3f}; mean {np.mean([t[key] for t in result.values()]):.3f}; "
              + " ".join(f"{margin(t, key):+.2f}" for t in result.values()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
