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
