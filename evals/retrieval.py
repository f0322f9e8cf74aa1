"""Retrieval eval: hit@k and MRR against gold printed pages, per query set, guideline, split and search mode.

Two scopes: "all guidelines" (no filter; a hit must be the gold guideline's gold page, the way a reviewer's question
searches the whole corpus: the headline figure) and "filtered" (each query restricted to its gold guideline).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import AliasChoices, BaseModel, Field

from assistant.retrieval import GuidelineSearch
from evals.metrics import first_hit_rank, hit_at, mean_reciprocal_rank

DATASETS = Path(__file__).parent / "datasets"
DEFAULT_DATASET = DATASETS / "cdc_retrieval.jsonl"
EXTRACTIVE_DATASET = DATASETS / "extractive_questions.jsonl"
COMPONENT_MODES = ("vector", "bm25")
MODES = ("vector", "bm25", "hybrid")
SCOPES = ("all", "filtered")
TUNE_REMAINDERS = {1, 3}


class RetrievalQuery(BaseModel):
    id: str
    query: str = Field(validation_alias=AliasChoices("query", "question"))
    guideline_id: str
    primary_pages: list[str] = Field(min_length=1)
    acceptable_pages: list[str] = Field(default_factory=list)
    split: str | None = None
    style: str | None = None


def split_of(query: RetrievalQuery) -> str:
    """The query's split; sets without a split field use the same fixed rule as the newer sets.

    Rule (fixed before any ranking change and documented in docs/retrieval.md): the last number in the id, modulo 5,
    is 1 or 3 -> "tune", otherwise "heldout". cdc-001 -> tune, cdc-002 -> heldout, cdc-003 -> tune.
    """
    if query.split:
        return query.split
    numbers = re.findall(r"\d+", query.id)
    return "tune" if numbers and int(numbers[-1]) % 5 in TUNE_REMAINDERS else "heldout"


def load_dataset(path: Path) -> list[RetrievalQuery]:
    return [
        RetrievalQuery.model_validate_json(line)
        for line in Path(path).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def dataset_paths() -> list[Path]:
    """Every retrieval query set: *_retrieval.jsonl plus the extractive questions when present."""
    paths = sorted(DATASETS.glob("*_retrieval.jsonl"))
    return paths + ([EXTRACTIVE_DATASET] if EXTRACTIVE_DATASET.exists() else [])


@dataclass
class Ranked:
    """One query's ranking under one mode and scope: the first rank of a primary (and of any gold) page."""

    query: RetrievalQuery
    primary: int | None
    either: int | None
    got: list[str]


def rank_query(search: GuidelineSearch, q: RetrievalQuery, mode: str, scope: str, k: int) -> Ranked:
    guideline_ids = [q.guideline_id] if scope == "filtered" else None
    passages = search.search(q.query, k=max(k, 5), guideline_ids=guideline_ids, mode=mode,  # type: ignore[arg-type]
                             distinct_pages=True)
    pages = [p.citation.printed_page if p.citation.guideline_id == q.guideline_id else f"{p.citation.guideline_id}:"
             f"{p.citation.printed_page}" for p in passages]
    primary = first_hit_rank(pages, set(q.primary_pages))
    either = first_hit_rank(pages, set(q.primary_pages) | set(q.acceptable_pages))
    return Ranked(q, primary, either, pages[:k])


def summarise(rows: list[Ranked], k: int) -> dict:
    primary = [r.primary for r in rows]
    return {
        "queries": len(rows),
        "hit@1": hit_at(primary, 1),
        "hit@3": hit_at(primary, 3),
        f"hit@{k}": hit_at(primary, k),
        "mrr": mean_reciprocal_rank(primary),
        f"hit@{k}_acceptable": hit_at([r.either for r in rows], k),
        "misses": [{"id": r.query.id, "query": r.query.query, "gold": r.query.primary_pages, "got": r.got}
                   for r in rows if r.primary is None or r.primary > k],
    }


def evaluate_mode(search: GuidelineSearch, queries: list[RetrievalQuery], mode: str, k: int,
                  scope: str = "filtered") -> dict:
    return {"mode": mode, "scope": scope, **summarise([rank_query(search, q, mode, scope, k) for q in queries], k)}


def run_retrieval_eval(search: GuidelineSearch, dataset: Path = DEFAULT_DATASET, k: int = 5,
                       scope: str = "filtered") -> dict:
    """One set, every mode, one scope (kept for the CI floor test and older callers)."""
    queries = load_dataset(dataset)
    return {"dataset": str(dataset), "k": k, "scope": scope,
            "modes": {m: evaluate_mode(search, queries, m, k, scope) for m in modes_of(search)}}


def modes_of(search: GuidelineSearch) -> tuple[str, ...]:
    """The components, the product's default and any other mode the search offers."""
    offered = getattr(search, "MODES", MODES)
    return tuple(dict.fromkeys([*COMPONENT_MODES, *offered]))


def run_retrieval_suite(search: GuidelineSearch, paths: list[Path] | None = None, k: int = 5,
                        scopes: tuple[str, ...] = SCOPES, modes: tuple[str, ...] | None = None) -> dict:
    """Every set x mode x scope, ranked once per query; groups (set, guideline, split) are summarised from the rows.

    Queries whose gold guideline is not indexed are skipped and counted, never scored as misses.
    """
    indexed = {g.id for g in search.manifest.guidelines}
    modes = modes or modes_of(search)
    rows: list[dict] = []
    skipped: dict[str, int] = {}
    for path in paths or dataset_paths():
        queries = load_dataset(path)
        usable = [q for q in queries if q.guideline_id in indexed]
        if len(usable) < len(queries):
            skipped[path.name] = len(queries) - len(usable)
        for mode in modes:
            for scope in scopes:
                for q in usable:
                    r = rank_query(search, q, mode, scope, k)
                    rows.append({"set": path.stem, "guideline": q.guideline_id, "split": split_of(q), "mode": mode,
                                 "scope": scope, "ranked": r})
    return {"k": k, "modes": list(modes), "scopes": list(scopes), "rows": rows, "skipped": skipped,
            "default_mode": getattr(search, "DEFAULT_MODE", "hybrid")}


def group(result: dict, keys: tuple[str, ...], **where: str) -> dict[tuple, dict]:
    """Summaries of the suite's rows grouped by `keys`, restricted to rows matching `where`."""
    buckets: dict[tuple, list[Ranked]] = {}
    for row in result["rows"]:
        if all(row[f] == v for f, v in where.items()):
            buckets.setdefault(tuple(row[f] for f in keys), []).append(row["ranked"])
    return {key: summarise(rows, result["k"]) for key, rows in sorted(buckets.items())}


def _cells(summaries: dict[tuple, dict], key: tuple, scope_keys: list[str], k: int) -> list[str]:
    cells = []
    for scope in scope_keys:
        s = summaries.get((*key, scope))
        cells += [f"{s[f'hit@{k}']:.3f}", f"{s['mrr']:.3f}"] if s else ["–", "–"]
    return cells


def format_suite(result: dict) -> str:
    k, scopes, modes = result["k"], result["scopes"], result["modes"]
    names = {"all": "all guidelines", "filtered": "filtered"}
    head = " | ".join(f"{names[s]} hit@{k} | {names[s]} MRR" for s in scopes)
    lines = [f"Retrieval eval, printed pages, k={k}. Headline: all guidelines (no filter; a hit must be the gold "
             f"guideline's gold page). Default mode: {result['default_mode']}.", "",
             f"| set | split | n | mode | {head} |", "|---|---|---|---|" + "---|" * (2 * len(scopes))]
    by_set = group(result, ("set", "split", "mode", "scope"))
    for (set_name, split) in sorted({key[:2] for key in by_set}):
        for mode in modes:
            n = by_set.get((set_name, split, mode, scopes[0]), {}).get("queries", 0)
            cells = _cells(by_set, (set_name, split, mode), scopes, k)
            lines.append(f"| {set_name} | {split} | {n} | {mode} | " + " | ".join(cells) + " |")
    lines += ["", f"Per guideline (all sets pooled), default mode {result['default_mode']}:", "",
              f"| guideline | split | n | {head} |", "|---|---|---|" + "---|" * (2 * len(scopes))]
    by_guideline = group(result, ("guideline", "split", "scope"), mode=result["default_mode"])
    for (guideline, split) in sorted({key[:2] for key in by_guideline}):
        n = by_guideline[(guideline, split, scopes[0])]["queries"]
        lines.append(f"| {guideline} | {split} | {n} | " + " | ".join(_cells(by_guideline, (guideline, split), scopes, k)) + " |")
    if result["skipped"]:
        lines += ["", "Skipped (gold guideline not indexed): " + ", ".join(f"{n} {c}" for n, c in result["skipped"].items())]
    misses = group(result, ("scope",), mode=result["default_mode"], split="heldout")
    for (scope,), summary in misses.items():
        lines += ["", f"Held-out misses at k={k}, {result['default_mode']}, {names[scope]}: {len(summary['misses'])}"]
        lines += [f"- {m['id']}: {m['query']!r} gold {m['gold']} got {m['got']}" for m in summary["misses"]]
    return "\n".join(lines)


def suite_json(result: dict) -> dict:
    by_set = group(result, ("set", "split", "mode", "scope"))
    by_guideline = group(result, ("guideline", "split", "mode", "scope"))
    return {"k": result["k"], "default_mode": result["default_mode"], "skipped": result["skipped"],
            "sets": [{"set": s, "split": sp, "mode": m, "scope": sc, **v} for (s, sp, m, sc), v in by_set.items()],
            "guidelines": [{"guideline": g, "split": sp, "mode": m, "scope": sc, **v}
                           for (g, sp, m, sc), v in by_guideline.items()]}


def format_retrieval(result: dict) -> str:
    k = result["k"]
    lines = [
        f"Retrieval eval on {result['dataset']} ({result['modes']['hybrid']['queries']} queries), printed pages, "
        f"{result.get('scope', 'filtered')}",
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
