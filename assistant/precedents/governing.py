"""Suggest the governing guideline part and section for a disputed item.

Similar prior determinations vote for the (guideline part, section) their reviewers cited, each vote weighted
by how similar the prior item is. With no usable precedents the suggestion backs off to the treatment
category's hint (`assistant.vocabulary.categories`). A suggestion tells the reviewer where to look; it is never a
citation, and the drafting pipeline must still find and quote the guideline text itself.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Literal

from pydantic import BaseModel

from assistant.vocabulary.categories import classify_item
from assistant.vocabulary.record_cues import diagnosis_sentences
from assistant.precedents.index import PrecedentIndex
from assistant.precedents.records import Precedent, part_label

__all__ = ["GoverningSuggestion", "normalise_part", "normalise_section", "suggest_governing", "vote"]

Level = Literal["section", "part"]

DEFAULT_NEIGHBOURS = 10
DEFAULT_POWER = 4.0

_MTUS_PARTS = {
    "chronic pain medical treatment": "Chronic Pain Medical Treatment",
    "opioid treatment": "Opioid Treatment",
    "acupuncture medical treatment": "Acupuncture Treatment",
    "acupuncture treatment": "Acupuncture Treatment",
    "postsurgical treatment": "Postsurgical Treatment",
    "low back complaints": "Low Back Complaints",
    "neck and upper back complaints": "Neck and Upper Back Complaints",
    "shoulder complaints": "Shoulder Complaints",
    "knee complaints": "Knee Complaints",
    "elbow complaints": "Elbow Complaints",
    "ankle and foot complaints": "Ankle and Foot Complaints",
    "forearm, wrist, & hand complaints": "Forearm, Wrist, & Hand Complaints",
    "general approaches": "General Approaches",
}
_BODY_PART_CHAPTERS = [
    (r"\blow(?:er)? back\b|\blumbar\b|\blumbosacral\b", "Low Back Complaints"),
    (r"\bneck\b|\bcervical\b", "Neck and Upper Back Complaints"),
    (r"\bshoulders?\b|\brotator cuff\b", "Shoulder Complaints"),
    (r"\bknees?\b|\bmenisc\w*", "Knee Complaints"),
    (r"\belbows?\b|\bepicondyl\w*", "Elbow Complaints"),
    (r"\bwrists?\b|\bhands?\b|\bcarpal\b|\bfingers?\b", "Forearm, Wrist, & Hand Complaints"),
    (r"\bankles?\b|\bfoot\b|\bfeet\b", "Ankle and Foot Complaints"),
]


class GoverningSuggestion(BaseModel):
    """Where the governing guidance for an item probably is. A pointer for the reviewer, not a citation."""

    part: str
    section: str | None = None
    score: float
    support: int
    label: str
    kind: str = "mtus"
    year: str | None = None
    source: Literal["precedents", "category-hint"] = "precedents"


def normalise_part(part: str | None) -> str:
    """Compare parts by words only: 'Chronic Pain Medical Treatment' == 'chronic pain medical treatment.'"""
    return " ".join(re.findall(r"[a-z0-9]+", (part or "").lower()))


_SECTION_NOISE = {"section", "sections", "chapter", "topic", "guideline", "guidelines", "the"}


def normalise_section(section: str | None) -> str:
    words = re.findall(r"[a-z0-9]+", (section or "").lower())
    return " ".join(w for w in words if w not in _SECTION_NOISE)


def _weight(similarity: float, power: float) -> float:
    return max(float(similarity), 0.0) ** power


def vote(
    precedents: list[Precedent], level: Level = "section", neighbours: int = DEFAULT_NEIGHBOURS, power: float = DEFAULT_POWER
) -> list[GoverningSuggestion]:
    """Similarity-weighted votes of the `neighbours` most similar precedents that cite a guideline, best first.

    Each precedent's weight (similarity**power) is shared equally among the parts (or part+section pairs) its
    reviewer cited, so a line citing four sections does not outvote one citing a single section.
    """
    usable = sorted((p for p in precedents if p.cited), key=lambda p: -p.similarity)[:neighbours]
    scores: dict[tuple[str, str], float] = defaultdict(float)
    support: Counter[tuple[str, str]] = Counter()
    shown: dict[tuple[str, str], tuple[str, str, str | None]] = {}
    years: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for p in usable:
        keys: dict[tuple[str, str], tuple[str, str, str | None]] = {}
        for cited in p.cited:
            part_key = normalise_part(cited.part)
            if level == "part":
                keys.setdefault((part_key, ""), (cited.kind, cited.part, None))
                years[(part_key, "")][cited.year] += 1
                continue
            for section in cited.sections or [None]:
                key = (part_key, normalise_section(section))
                keys.setdefault(key, (cited.kind, cited.part, section))
                years[key][cited.year] += 1
        if not keys:
            continue
        share = _weight(p.similarity, power) / len(keys)
        for key, (kind, part, section) in keys.items():
            scores[key] += share
            support[key] += 1
            shown.setdefault(key, (kind, part, section))
    total = sum(scores.values())
    ranked = sorted(scores, key=lambda key: (-scores[key], -support[key], key))
    out: list[GoverningSuggestion] = []
    for key in ranked:
        kind, part, section = shown[key]
        year = years[key].most_common(1)[0][0] if years[key] else None
        label = part_label(kind, part, year) + (f", {section}" if section else "")
        out.append(
            GoverningSuggestion(
                part=part, section=section, score=scores[key] / total if total > 0 else 0.0,
                support=support[key], label=label, kind=kind, year=year,
            )
        )
    return out


def _hint_suggestions(item_text: str, case_summary: str, level: Level) -> list[GoverningSuggestion]:
    """The treatment category's governing hint, split into (part, section) suggestions with no support."""
    topic = classify_item(item_text)
    if topic.primary is None or not topic.primary.governing_hint:
        return []
    out: list[GoverningSuggestion] = []
    seen: set[tuple[str, str]] = set()
    for alternative in topic.primary.governing_hint.split(";"):
        guideline, _, section = alternative.partition(" — ")
        section = section.strip() or None
        kind, part = _hint_part(guideline.strip(), item_text, case_summary)
        if not part:
            continue
        if level == "part":
            section = None
        key = (normalise_part(part), normalise_section(section))
        if key in seen:
            continue
        seen.add(key)
        label = part_label(kind, part, None) + (f", {section}" if section else "")
        out.append(GoverningSuggestion(part=part, section=section, score=0.0, support=0, label=label, kind=kind,
                                       source="category-hint"))
    return out


# Body parts the MTUS (ACOEM 2004) has no complaints chapter for: an item about one gets no chapter hint.
_NO_BODY_PART_CHAPTER = r"\bhips?\b|\bpelvi\w*|\bgroin\b|\bchest\b|\babdom\w*|\bhead\b|\bbrain\b|\bthoracic\b"


def body_part_chapter(item_text: str, case_summary: str = "") -> str | None:
    """The MTUS complaints chapter for the body part the item names; the case's only when the item
    names none (a knee MRI in a case that also mentions the low back is a knee question)."""
    named = _first_chapter(item_text)
    if named or re.search(_NO_BODY_PART_CHAPTER, item_text, re.IGNORECASE):
        return named
    return case_chapter(case_summary)


def _first_chapter(text: str) -> str | None:
    return next((name for pattern, name in _BODY_PART_CHAPTERS if re.search(pattern, text, re.IGNORECASE)), None)


def case_chapter(case_summary: str) -> str | None:
    """The chapter of the one body part the case's diagnoses name, as routing reads the case's region; otherwise the
    first chapter the summary names. The first named anywhere pointed a shoulder case's cold therapy unit to "Low
    Back Complaints" (one sentence mentioned the patient's chronic low back pain, CM17-0007142) while the same draft
    read the item as shoulder. Diagnoses that also name a region without a chapter (a thoracic fracture) name two.
    Over the 50 dev-letter items whose hint is a body-part chapter (the items this rule was written from), the
    chapter their reviewers cited: 28 with this rule, 26 with the first named."""
    diagnoses = " ".join(diagnosis_sentences(case_summary))
    diagnosed = {name for pattern, name in _BODY_PART_CHAPTERS if re.search(pattern, diagnoses, re.IGNORECASE)}
    without_chapter = re.search(_NO_BODY_PART_CHAPTER, diagnoses, re.IGNORECASE)  # a thoracic fracture is a region too
    return diagnosed.pop() if len(diagnosed) == 1 and not without_chapter else _first_chapter(case_summary)


def _hint_part(guideline: str, item_text: str, case_summary: str) -> tuple[str, str | None]:
    if "body-part chapter" in guideline:
        return "mtus", body_part_chapter(item_text, case_summary)
    name = re.sub(r"\b(?:DWC|MTUS|CA)\b", "", guideline)
    name = re.sub(r"\bGuidelines?\b", "", name)
    name = " ".join(name.split()).strip(" /,")
    canonical = _MTUS_PARTS.get(name.lower())
    if canonical:
        return "mtus", canonical
    if re.match(r"ODG\b", guideline):
        return "non-mtus", "Official Disability Guidelines (ODG)"
    return "non-mtus", guideline or None


def prefer_item_body_part(suggestions: list[GoverningSuggestion], item_text: str) -> list[GoverningSuggestion]:
    """For studies and procedures on a named body part ("MRI of the right shoulder"), chapters about another
    body part sink to the end; everything else keeps its voted order (votes still beat hints)."""
    from assistant.vocabulary.categories import classify_item

    primary = classify_item(item_text).primary
    if primary is None or primary.name not in {"imaging", "electrodiagnostic", "surgery", "injection", "dme"}:
        return suggestions
    chapter = _first_chapter(item_text)
    if chapter is None:
        return suggestions
    other_chapters = {name.lower() for _, name in _BODY_PART_CHAPTERS if name != chapter}
    clashing = [s for s in suggestions if any(c in s.part.lower() for c in other_chapters)]
    return [s for s in suggestions if s not in clashing] + clashing


_DRUG_CLASS_GROUPS = {"gabapentinoid": "anticonvulsant", "anticonvulsant": "anticonvulsant",
                      "tca": "antidepressant", "snri": "antidepressant", "ssri": "antidepressant"}
_GROUP_SECTIONS = {"anticonvulsant": re.compile(r"\bantiepilep\w*|\banticonvuls\w*", re.IGNORECASE),
                   "antidepressant": re.compile(r"\bantidepress\w*|\btricyclics?\b|\bSNRIs?\b|\bSSRIs?\b", re.IGNORECASE)}


def prefer_item_drug_class(suggestions: list[GoverningSuggestion], item_text: str) -> list[GoverningSuggestion]:
    """For a drug the vocabulary places in one class group, sections about another group sink to the end:
    nortriptyline (a tricyclic) was pointed to "Antiepilepsy drugs", the first half of its category's hint
    (CM17-0008753; its reviewer cited "Antidepressants for chronic pain")."""
    from assistant.vocabulary.drugs import identify_drugs

    groups = {_DRUG_CLASS_GROUPS[c] for m in identify_drugs(item_text) for c in m.classes if c in _DRUG_CLASS_GROUPS}
    if not groups:
        return suggestions

    def clashes(s: GoverningSuggestion) -> bool:
        named = {g for g, pattern in _GROUP_SECTIONS.items() if s.section and pattern.search(s.section)}
        return bool(named) and not named & groups

    return [s for s in suggestions if not clashes(s)] + [s for s in suggestions if clashes(s)]


def suggest_governing(
    item_text: str,
    case_summary: str,
    precedents: list[Precedent] | PrecedentIndex,
    k: int = 3,
    *,
    level: Level = "section",
    neighbours: int = DEFAULT_NEIGHBOURS,
    power: float = DEFAULT_POWER,
    exclude_case: str | None = None,
) -> list[GoverningSuggestion]:
    """The k most likely governing (part, section) pairs — or parts, with level="part" — for one item.

    `precedents` is either already-retrieved precedents (with similarities) or a `PrecedentIndex` to search
    with the item text and a compact excerpt of the case summary. Votes come first; the category hint fills
    what is left (and is all there is when no precedent cites a guideline).
    """
    if isinstance(precedents, PrecedentIndex):
        precedents = precedents.similar(
            item_text, k=max(neighbours * 2, k), exclude_case=exclude_case, case_summary=case_summary
        )
    elif exclude_case is not None:
        precedents = [p for p in precedents if p.case_number != exclude_case]
    precedents = list(precedents)
    voted = prefer_item_body_part(vote(precedents, level=level, neighbours=neighbours, power=power), item_text)
    suggestions = prefer_item_drug_class(voted, item_text)[:k]
    taken = {(normalise_part(s.part), normalise_section(s.section)) for s in suggestions}
    # Back-off, in order: the category hint, then what the wider set of precedents given (past the nearest
    # `neighbours`) cited most often.
    fallbacks = prefer_item_drug_class(_hint_suggestions(item_text, case_summary, level), item_text)
    if len(precedents) > neighbours:
        fallbacks += vote(precedents, level=level, neighbours=len(precedents), power=0.0)
    for extra in fallbacks:
        if len(suggestions) >= k:
            break
        key = (normalise_part(extra.part), normalise_section(extra.section))
        if key not in taken:
            suggestions.append(extra)
            taken.add(key)
    return suggestions
