"""The precedent note: what reviewers cited for similar requests, always labelled precedent, never authority."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from assistant.precedents.records import Precedent


def precedent_note(precedents: Iterable[Precedent], top: int = 2) -> str:
    """One line saying what reviewers cited for similar requests, labelled as precedent, never as authority.

    e.g. "Prior determinations for similar requests cited: MTUS Chronic Pain Medical Treatment 2016 — Physical
    medicine treatment (7 of 9). Precedent only, not authority."
    """
    precedents = list(precedents)
    if not precedents:
        return "No prior determinations for similar requests have been imported. Precedent only, not authority."
    citing = [p for p in precedents if p.cited]
    counts: Counter[str] = Counter()
    for p in citing:
        seen: set[str] = set()
        for cited in p.cited:
            label = cited.label + (f" — {cited.sections[0]}" if cited.sections else "")
            if label not in seen:
                counts[label] += 1
                seen.add(label)
    total = len(precedents)
    decisions = Counter(p.decision for p in precedents if p.decision)
    decided = ", ".join(f"{n} {d.lower()}" for d, n in decisions.most_common())
    if not counts:
        return (
            f"Prior determinations for {total} similar request(s) cited no guideline"
            + (f" ({decided})" if decided else "")
            + ". Precedent only, not authority."
        )
    cited_text = "; ".join(f"{label} ({n} of {total})" for label, n in counts.most_common(top))
    tail = f" Decisions: {decided}." if decided else ""
    return f"Prior determinations for similar requests cited: {cited_text}.{tail} Precedent only, not authority."
