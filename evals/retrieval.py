"""Retrieval eval: hit@1/3/5 and MRR against gold printed pages, vector vs BM25 vs hybrid."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, Field

from assistant.retrieval import GuidelineSearch
from evals.metrics import first_hit_rank, hit_at, mean_reciprocal_rank

DEFAULT_DATASET = Path(__file__).parent / "datasets" / "cdc_retrieval.jsonl"
MODES = ("vector", "bm25", "hybrid")


class RetrievalQuery(BaseModel):
    id: str
    query: str
    guideline_id: str
    primary_pages: list[str] = Field(min_length=1)
    acceptable_pages: list[str] = Field(default_factory=list)


def load_dataset(path: Path) -> list[RetrievalQuery]:
    return [
        RetrievalQuery.model_validate_json(line)
        for line in Path(path).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def evaluate_mode(search: GuidelineSearch, queries: list[RetrievalQuery], mode: str, k: int) -> dict:
    primary_ranks, any_ranks, misses = [], [], []
    for q in queries:
        passages = search.search(q.query, k=max(k, 5), guideline_ids=[q.guideline_id], mode=mode)  # type: ignore[arg-type]
        pages = [p.citation.printed_page for p in passages]
        primary = first_hit_rank(pages, set(q.primary_pages))
        either = first_hit_rank(pages, set(q.primary_pages) | set(q.acceptable_pages))
        primary_ranks.append(primary)
        any_ranks.append(either)
        if primary is None or primary > k:
            misses.append({"id": q.id, "query": q.query, "gold": q.primary_pages, "got": pages[:k]})
    return {
        "mode": mode,
        "queries": len(queries),
        "hit@1": hit_at(primary_ranks, 1),
        "hit@3": hit_at(primary_ranks, 3),
        f"hit@{k}": hit_at(primary_ranks, k),
        "mrr": mean_reciprocal_rank(primary_ranks),
        f"hit@{k}_acceptable": hit_at(any_ranks, k),
        "misses": misses,
    }


def run_retrieval_eval(search: GuidelineSearch, dataset: Path = DEFAULT_DATASET, k: int = 5) -> dict:
    queries = load_dataset(dataset)
    return {"dataset": str(dataset), "k": k, "modes": {m: evaluate_mode(search, queries, m, k) for m in MODES}}


def format_retrieval(result: dict) -> str:
    k = result["k"]
    lines = [
        f"Retrieval eval on {result['dataset']} ({result['modes']['hybrid']['queries']} queries), printed pages",
        "",
        f"| mode | hit@1 | hit@3 | hit@{k} | MRR | hit@{k} (primary ∪ acceptable) |",
        "|---|---|---|---|---|---|",
    ]
    for mode, r in result["modes"].items():
        lines.append(
            f"| {mode} | {r['hit@1']:.3f} | {r['hit@3']:.3f} | {r[f'hit@{k}']:.3f} | {r['mrr']:.3f} | {r[f'hit@{k}_acceptable']:.3f} |"
        )
    misses = result["modes"]["hybrid"]["misses"]
    lines += ["", f"Hybrid misses at k={k}: {len(misses)}"]
    lines += [f"- {m['id']}: {m['query']!r} gold {m['gold']} got {m['got']}" for m in misses]
    return "\n".join(lines)


def write_json(result: dict, path: Path | None) -> None:
    if path:
        Path(path).write_text(json.dumps(result, indent=2), encoding="utf-8")
