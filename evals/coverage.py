"""Corpus coverage over real letters: for each disputed item, which guideline and pages the offline draft cites,
or why it abstains; summary counts per guideline and category; and the precision of a hand-checked sample.

The sample (datasets/coverage_sample.jsonl) was judged by reading each item and the cited recommendation's text
in the guideline PDF, not by this code. Letters are split into a tuning and a held-out part by a hash of the case
number, so routing rules tuned on one half are measured on the other.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path

from pydantic import BaseModel

from assistant.contracts import top_section
from assistant.services import Services
from assistant.vocabulary.categories import classify_item

SAMPLE_FILE = Path(__file__).parent / "datasets" / "coverage_sample.jsonl"


class SampleJudgement(BaseModel):
    id: str
    split: str
    item: str
    guideline_id: str | None = None
    printed_page: str | None = None
    section: str | None = None
    addresses_request: bool
    reason: str


def split_of(case_number: str) -> str:
    """'tune' or 'heldout', fixed by the case number (about half each)."""
    return "tune" if hashlib.sha256(case_number.encode()).digest()[0] % 2 == 0 else "heldout"


def coverage_row(case_number: str, index: int, result) -> dict:
    rationale, evidence = result.rationale, result.evidence
    verified = {c.citation.guideline_id + ":" + c.citation.printed_page
                for c in result.report.citation_checks if c.status == "verified" and c.citation is not None}
    citations = [{"guideline_id": c.guideline_id, "printed_page": c.printed_page, "section": c.section,
                  "strength": c.strength, "quote": c.quote[:400],
                  "verified": f"{c.guideline_id}:{c.printed_page}" in verified}
                 for c in rationale.citations]
    routing = evidence.routing
    abstention = rationale.abstention
    return {
        "id": f"{case_number}#{index + 1}",
        "split": split_of(case_number),
        "item": rationale.item.text,
        "categories": classify_item(rationale.item.text).names,
        "regions": routing.regions if routing else [],
        "routed_to": routing.guidelines if routing else [],
        "citations": citations,
        "abstained": not citations,
        "abstention": abstention.message if abstention else None,
        "suggested_guideline": abstention.suggested_guideline if abstention else None,
    }


def run_coverage(services: Services, letters_dir: Path) -> list[dict]:
    from assistant.drafting.intake import case_from_file
    from assistant.letters.parse import parse_letter_file

    rows = []
    for path in sorted(Path(letters_dir).glob("*.pdf")):
        letter = parse_letter_file(path)
        case = case_from_file(path)
        for index in range(min(len(letter.items), len(case.items))):
            rows.append(coverage_row(letter.case_number, index, services.draft(case, index)))
    return rows


def load_sample(path: Path = SAMPLE_FILE) -> list[SampleJudgement]:
    if not path.exists():
        return []
    return [SampleJudgement.model_validate_json(l) for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]


def sample_precision(sample: list[SampleJudgement]) -> dict:
    """Of the sampled items that cite a guideline, the share whose cited recommendation addresses the request;
    of those that abstain, the share where abstaining was right (no indexed guideline addresses it)."""
    out = {}
    for split in ("tune", "heldout", "all"):
        part = [s for s in sample if split == "all" or s.split == split]
        cited = [s for s in part if s.guideline_id]
        abstained = [s for s in part if not s.guideline_id]
        out[split] = {
            "n": len(part),
            "cited_n": len(cited),
            "cited_precision": round(sum(s.addresses_request for s in cited) / len(cited), 3) if cited else None,
            "abstained_n": len(abstained),
            "abstention_correct": round(sum(s.addresses_request for s in abstained) / len(abstained), 3) if abstained else None,
        }
    return out


def stale_judgements(rows: list[dict], sample: list[SampleJudgement]) -> list[str]:
    """Sampled items whose draft now cites something other than what was judged — another guideline, page or, on the
    same page, another recommendation (LBP Recs 10 and 11 share p. 40) — re-judge them."""
    def changed(judged: SampleJudgement, row: dict) -> bool:
        first = row["citations"][0] if row["citations"] else None
        if first is None:
            return judged.guideline_id is not None
        if (first["guideline_id"], first["printed_page"]) != (judged.guideline_id, judged.printed_page):
            return True
        return judged.section is not None and top_section(first["section"]) != top_section(judged.section)

    by_id = {r["id"]: r for r in rows}
    return [s.id for s in sample if s.id in by_id and changed(s, by_id[s.id])]


def summarise_coverage(rows: list[dict]) -> dict:
    per_guideline: Counter = Counter()
    per_category: dict[str, Counter] = {}
    for row in rows:
        cited = sorted({c["guideline_id"] for c in row["citations"]}) or ["(abstains)"]
        for g in cited:
            per_guideline[g] += 1
        for cat in row["categories"] or ["(uncategorised)"]:
            per_category.setdefault(cat, Counter())["cites" if row["citations"] else "abstains"] += 1
    splits = {s: [r for r in rows if r["split"] == s] for s in ("tune", "heldout")}
    return {
        "items": len(rows),
        "citing": sum(1 for r in rows if r["citations"]),
        "abstaining": sum(1 for r in rows if not r["citations"]),
        "unverified_citations": sum(1 for r in rows for c in r["citations"] if not c["verified"]),
        "per_split": {s: {"items": len(v), "citing": sum(1 for r in v if r["citations"])} for s, v in splits.items()},
        "per_guideline": dict(per_guideline.most_common()),
        "per_category": {k: dict(v) for k, v in sorted(per_category.items())},
    }


def format_coverage(rows: list[dict], summary: dict, precision: dict) -> str:
    lines = [f"Items: {summary['items']} — citing a guideline: {summary['citing']}, abstaining: {summary['abstaining']}, "
             f"unverified citations shown: {summary['unverified_citations']}",
             "", "| split | items | citing |", "|---|---|---|"]
    lines += [f"| {s} | {v['items']} | {v['citing']} |" for s, v in summary["per_split"].items()]
    lines += ["", "| guideline | items citing it |", "|---|---|"]
    lines += [f"| {g} | {n} |" for g, n in summary["per_guideline"].items()]
    lines += ["", "| category | cites | abstains |", "|---|---|---|"]
    lines += [f"| {c} | {v.get('cites', 0)} | {v.get('abstains', 0)} |" for c, v in summary["per_category"].items()]
    lines += ["", "Hand-checked sample (datasets/coverage_sample.jsonl):", "",
              "| split | sampled | citing | cited recommendation addresses the request | abstaining | abstention right |",
              "|---|---|---|---|---|---|"]
    lines += [f"| {s} | {p['n']} | {p['cited_n']} | {_fmt(p['cited_precision'])} | {p['abstained_n']} | "
              f"{_fmt(p['abstention_correct'])} |" for s, p in precision.items()]
    stale = stale_judgements(rows, load_sample())
    lines += ["", f"Sampled items whose citation changed since judged (re-judge): {', '.join(stale) or 'none'}"]
    lines += ["", "Per item:", ""]
    for r in rows:
        if r["citations"]:
            cites = "; ".join(f"{c['guideline_id']} p. {c['printed_page']} {c['section'].split(' > ')[0]}"
                              f"{'' if c['verified'] else ' (UNVERIFIED)'}" for c in r["citations"])
            lines.append(f"- {r['id']} [{r['split']}] {r['item'][:80]!r} → {cites}")
        else:
            why = (r["abstention"] or "abstains").removeprefix("No indexed guideline addresses ")
            reading = re.search(r"read as [^)]*", why)  # the item is listed already; its last 90 characters cut words
            lines.append(f"- {r['id']} [{r['split']}] {r['item'][:80]!r} → abstains; suggests "
                         f"{r['suggested_guideline'] or '—'} ({reading.group() if reading else why[:90]})")
    return "\n".join(lines)


def _fmt(value) -> str:
    return "—" if value is None else f"{value:.3f}"


def write_json(rows: list[dict], summary: dict, precision: dict, path: Path | None) -> None:
    if path is not None:
        path.write_text(json.dumps({"summary": summary, "sample_precision": precision, "rows": rows}, indent=2),
                        encoding="utf-8")
