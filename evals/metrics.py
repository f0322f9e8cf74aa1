"""Metric functions, kept pure so each has a unit test on a tiny fixture."""

from __future__ import annotations

from collections.abc import Sequence


def first_hit_rank(ranked_pages: Sequence[str], gold: set[str]) -> int | None:
    for rank, page in enumerate(ranked_pages, start=1):
        if page in gold:
            return rank
    return None


def hit_at(ranks: Sequence[int | None], k: int) -> float:
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks) if ranks else 0.0


def mean_reciprocal_rank(ranks: Sequence[int | None]) -> float:
    return sum(1.0 / r for r in ranks if r is not None) / len(ranks) if ranks else 0.0


def ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def structure_parts(rationale_text: str, has_guideline_statement: bool) -> dict[str, bool]:
    """The three moves of an IMR rationale: guideline statement, case facts, conclusion."""
    import re

    return {
        "guideline_statement": has_guideline_statement,
        "case_facts": bool(re.search(r"\bIn this case\b", rationale_text)),
        "conclusion": bool(re.search(r"\bTherefore\b.{0,400}?\bmedically necessary\b", rationale_text, re.DOTALL)),
    }


def gold_page_recall(cited_pages: set[str], gold_pages: set[str]) -> float | None:
    """Share of gold pages the draft cites; None when the case has no gold pages."""
    if not gold_pages:
        return None
    return len(cited_pages & gold_pages) / len(gold_pages)


def precision_recall(scores: list[float], labels: list[bool], threshold: float) -> tuple[float, float]:
    predicted = [s >= threshold for s in scores]
    tp = sum(1 for p, l in zip(predicted, labels) if p and l)
    fp = sum(1 for p, l in zip(predicted, labels) if p and not l)
    fn = sum(1 for p, l in zip(predicted, labels) if not p and l)
    return ratio(tp, tp + fp), ratio(tp, tp + fn)
