"""Drafting eval: replay cases (our JSONL set, or real letters with their decisions stripped) through the chain.

Reports citation precision (verified / shown), hallucinated citations (shown but unverified: must be 0),
gold-page recall, structure completeness, decision–conclusion consistency, and abstention behaviour.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from assistant.contracts import DisputedItem
from assistant.drafting.intake import case_from_file, case_from_text
from assistant.drafting.llm_drafter import suggest_decision
from assistant.vocabulary.categories import classify_item
from assistant.errors import ModelBackendError
from assistant.services import Services
from assistant.verification.verify import decision_check
from evals.metrics import gold_page_recall, ratio, structure_parts

DEFAULT_CASES = Path(__file__).parent / "datasets" / "drafting_cases.jsonl"
MUST_ABSTAIN = {"imaging", "electrodiagnostic", "surgery"}
MUST_CITE = {"opioid"}


class DraftingCase(BaseModel):
    id: str
    kind: str = ""
    case_text: str
    items: list[DisputedItem] = Field(default_factory=list)
    decision: str
    gold_pages: dict[str, list[str]] = Field(default_factory=dict)
    expects_abstention: bool = False
    notes: str = ""


def load_cases(path: Path) -> list[DraftingCase]:
    return [DraftingCase.model_validate_json(l) for l in Path(path).read_text(encoding="utf-8").splitlines() if l.strip()]


def page_sections(services: Services) -> dict[tuple[str, str], set[str]]:
    """(guideline, printed page) → the top-level sections of its passages, e.g. {"Recommendation 5"}."""
    sections: dict[tuple[str, str], set[str]] = {}
    for chunk in services.search.chunks:
        if chunk.section_path:
            sections.setdefault((chunk.guideline_id, chunk.printed_page), set()).add(chunk.section_path[0])
    return sections


def score_draft(result, gold_pages: dict[str, list[str]], expects_abstention: bool | None,
                sections: dict[tuple[str, str], set[str]] | None = None) -> dict:
    rationale, report = result.rationale, result.report
    shown = len(rationale.citations)
    verified = sum(1 for c in report.citation_checks if c.status == "verified" and c.marker)
    cited = {(c.guideline_id, c.printed_page) for c in rationale.citations}
    gold = {(g, p) for g, pages in gold_pages.items() for p in pages}
    parts = structure_parts(rationale.rationale, bool(rationale.citations) or rationale.abstention is not None)
    gold_sections = {sec for key in gold for sec in (sections or {}).get(key, set()) if sec.startswith("Recommendation ")}
    cited_sections = {c.section.split(" > ")[0] for c in rationale.citations}
    return {
        "item": rationale.item.text,
        "decision": rationale.decision,
        "citations_shown": shown,
        "citations_verified": min(verified, shown),
        "hallucinated": shown - min(verified, shown),
        "flagged_and_removed": len(result.repairs),
        "gold_recall": gold_page_recall({f"{g}:{p}" for g, p in cited}, {f"{g}:{p}" for g, p in gold}),
        "cited_pages": sorted(p for _, p in cited),
        "gold_recommendation_hit": (bool(gold_sections & cited_sections) if gold_sections else None),
        "structure": parts,
        "complete": all(parts.values()),
        "consistent": decision_check(rationale.rationale, rationale.decision) is None,
        "abstained": rationale.abstention is not None and not rationale.citations,
        "expects_abstention": expects_abstention,
        "categories": classify_item(rationale.item.text).names,
    }


def run_cases(services: Services, cases: list[DraftingCase]) -> list[dict]:
    rows = []
    sections = page_sections(services)
    for case_spec in cases:
        case = case_from_text(case_spec.case_text, case_spec.id)
        if case_spec.items:
            case.items = case_spec.items
        for index in range(len(case.items)):
            result = services.draft(case, index, case_spec.decision)  # type: ignore[arg-type]
            row = score_draft(result, case_spec.gold_pages, case_spec.expects_abstention, sections)
            rows.append({"id": f"{case_spec.id}#{index + 1}", "source": "cases", **row})
    return rows


def run_letters(services: Services, letters_dir: Path) -> list[dict]:
    """Re-draft every item of real letters, stripped of decisions, with the letter's own decision."""
    from assistant.letters.parse import parse_letter_file

    rows = []
    for path in sorted(Path(letters_dir).glob("*.pdf")):
        letter = parse_letter_file(path)
        case = case_from_file(path)
        for index, item in enumerate(letter.items):
            if index >= len(case.items):
                break
            result = services.draft(case, index, item.decision)
            agreement = None
            if services.model is not None:
                try:
                    suggested = suggest_decision(services.model, case, result.evidence)
                    agreement = suggested.decision == item.decision
                except ModelBackendError:
                    agreement = False
            categories = set(classify_item(item.text).names)
            primary = classify_item(item.text).primary
            expects = True if primary and primary.name in MUST_ABSTAIN else (False if primary and primary.name in MUST_CITE else None)
            row = score_draft(result, {}, expects)
            rows.append({"id": f"{letter.case_number}#{index + 1}", "source": "letters", **row,
                         "categories": sorted(categories), "decision_agrees": agreement})
    return rows


def summarise(rows: list[dict]) -> dict:
    shown = sum(r["citations_shown"] for r in rows)
    verified = sum(r["citations_verified"] for r in rows)
    recalls = [r["gold_recall"] for r in rows if r["gold_recall"] is not None]
    must_abstain = [r for r in rows if r["expects_abstention"] is True]
    must_cite = [r for r in rows if r["expects_abstention"] is False]
    agreements = [r["decision_agrees"] for r in rows if r.get("decision_agrees") is not None]
    return {
        "drafts": len(rows),
        "decision_agreement_with_letters": ratio(sum(agreements), len(agreements)) if agreements else None,
        "citations_shown": shown,
        "citation_precision": ratio(verified, shown),
        "hallucinated_citations": sum(r["hallucinated"] for r in rows),
        "flagged_and_removed": sum(r["flagged_and_removed"] for r in rows),
        "gold_page_recall": sum(recalls) / len(recalls) if recalls else None,
        "gold_page_hit": ratio(sum(1 for r in recalls if r > 0), len(recalls)),
        "gold_recommendation_hit": _share(r.get("gold_recommendation_hit") for r in rows),
        "structure_complete": ratio(sum(r["complete"] for r in rows), len(rows)),
        "decision_consistent": ratio(sum(r["consistent"] for r in rows), len(rows)),
        "abstention_rate_when_required": ratio(sum(r["abstained"] for r in must_abstain), len(must_abstain)),
        "abstention_required_n": len(must_abstain),
        "verified_citation_rate_when_required": ratio(
            sum(1 for r in must_cite if r["citations_verified"] > 0 and not r["abstained"]), len(must_cite)),
        "citation_required_n": len(must_cite),
    }


def _share(values) -> float | None:
    known = [v for v in values if v is not None]
    return ratio(sum(known), len(known)) if known else None


def misses(rows: list[dict]) -> list[str]:
    out = []
    for r in rows:
        if r["hallucinated"]:
            out.append(f"{r['id']} {r['item']!r}: {r['hallucinated']} unverified citation(s) shown")
        if r["expects_abstention"] is True and not r["abstained"]:
            out.append(f"{r['id']} {r['item']!r}: should abstain, cited pp. {', '.join(r['cited_pages'])}")
        if r["expects_abstention"] is False and r["citations_verified"] == 0:
            out.append(f"{r['id']} {r['item']!r}: expected a verified citation, got none")
        if r["gold_recall"] == 0:
            out.append(f"{r['id']} {r['item']!r}: cited pp. {', '.join(r['cited_pages']) or '—'}, none of them gold")
        if not r["consistent"]:
            out.append(f"{r['id']} {r['item']!r}: conclusion disagrees with the decision")
    return out


def format_summary(title: str, summary: dict) -> str:
    def fmt(v):
        return "—" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))

    lines = [f"### {title}", "", "| metric | value |", "|---|---|"]
    lines += [f"| {k} | {fmt(v)} |" for k, v in summary.items()]
    return "\n".join(lines)
