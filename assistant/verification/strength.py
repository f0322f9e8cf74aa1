"""Does a sentence give a recommendation a strength the cited page does not?

Why: "the VA/DoD guideline strongly recommends against routine imaging" and "… weakly suggests against …" share
every word with the page's statement, and both were verified; a reviewer's rationale weighs a strong recommendation
differently from a weak one. The strength is read from the page's own words, never guessed:
- VA/DoD statements carry it in their verb — "We recommend" is a strong recommendation, "We suggest" a weak one, as
  each of these guidelines says of its GRADE wording ("verbiage to signify the strength of the recommendation (e.g.,
  “We recommend,” “We suggest”)").
- CDC statements are followed by their label, "(recommendation category: A; evidence type: 4)".
Only a claim that restates a page statement (most of its words in one sentence) and names a strength or a category
is judged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.verification.direction import DIRECTION_WORDS, MIN_SHARED, closest_sentences
from assistant.verification.textmatch import content_words

CLAIMED_STRENGTH = re.compile(
    r"\b(strong|weak|conditional)(?:ly)?\b(?=(?:\W+(?!evidence\b)\w+){0,2}?\W+(?:recommend|suggest))|"
    r"\b(?:recommend|suggest)\w*\W+(?:\w+\W+)?(strong|weak|conditional)ly\b|"
    r"\b(strong|weak)\s+(?:for|against)\b(?!\s*\|?\s*(?:not\s+)?reviewed)", re.IGNORECASE)
"""A strength the sentence gives: "a weak recommendation", "strongly recommends", "(Strong for)" — not "strong evidence
to recommend", the evidence's quality. A label followed by its review status ("Strong for Reviewed, New-replaced") is
a summary table's cell, copied with the row beside it."""
STATEMENT_VERB = {"strong": re.compile(r"\bwe\s+recommend\b", re.IGNORECASE),
                  "weak": re.compile(r"\bwe\s+suggest\b", re.IGNORECASE)}
CLAIMED_CATEGORY = re.compile(r"\bcategory\s+([AB])\b")
CLAIMED_EVIDENCE_TYPE = re.compile(r"\bevidence\s+type\s+([1-4])\b", re.IGNORECASE)
CDC_LABEL = re.compile(r"\(\s*recommendation\s+category:\s*([AB])\s*;\s*evidence\s+type:\s*([1-4])\s*\)",
                       re.IGNORECASE)
LABEL_REACH = 700
"""How far after a sentence its CDC label may stand: a statement runs to three sentences before its label."""
NEXT_STATEMENT = re.compile(r"\bRecommendation\s+\d{1,2}\b|(?:^|[.)]\s)\d{1,2}\.\s+[A-Z]")
"""A statement's start ("Recommendation 2 …", "2. Nonopioid …"): a label after it is that statement's."""
STRENGTH_WORDS = frozenset(content_words("strong strongly weak weakly conditional conditionally category evidence type"))


@dataclass(frozen=True)
class MisstatedStrength:
    said: str
    page: str
    sentence: str


def _claimed(claim: str) -> dict[str, str]:
    said: dict[str, str] = {}
    strengths = {next(g for g in m.groups() if g).lower() for m in CLAIMED_STRENGTH.finditer(claim)}
    if len(strengths) == 1:
        said["strength"] = "weak" if strengths == {"conditional"} else strengths.pop()
    if found := CLAIMED_CATEGORY.search(claim):
        said["category"] = found.group(1)
    if found := CLAIMED_EVIDENCE_TYPE.search(claim):
        said["evidence type"] = found.group(1)
    return said


def _stated(sentence: str, flat_page: str) -> dict[str, str]:
    """The strength the statement's verb carries, or the CDC label that follows it on the page (whitespace
    collapsed, as its sentences are)."""
    stated: dict[str, str] = {}
    verbs = [strength for strength, verb in STATEMENT_VERB.items() if verb.search(sentence)]
    if len(verbs) == 1:
        stated["strength"] = verbs[0]
    start = flat_page.find(sentence)
    end = start + len(sentence)
    label = CDC_LABEL.search(flat_page, start) if start >= 0 else None
    if label and label.start() - end <= LABEL_REACH and not NEXT_STATEMENT.search(flat_page, end, label.start()):
        stated["category"], stated["evidence type"] = label.group(1).upper(), label.group(2)
    return stated


def misstated_strength(claim: str, page_text: str) -> MisstatedStrength | None:
    """The strength, category or evidence type the claim gives its statement that the page's statement does not."""
    said = _claimed(claim)
    if not said:
        return None
    words = content_words(claim) - DIRECTION_WORDS - STRENGTH_WORDS
    if len(words) < 2:
        return None
    best, closest = closest_sentences(words, page_text)
    if best < MIN_SHARED:
        return None
    flat_page = " ".join(page_text.split())
    stated_by = [(sentence, _stated(sentence, flat_page)) for sentence in closest]
    for _, stated in stated_by:
        shared = [key for key in said if key in stated]
        if shared and all(said[key] == stated[key] for key in shared):
            return None  # a sentence as close as any states it as the claim does
    for sentence, stated in stated_by:
        for key, value in said.items():
            if key in stated and stated[key] != value:
                return MisstatedStrength(_label(key, value), _label(key, stated[key], page=True), sentence)
    return None


def _label(key: str, value: str, page: bool = False) -> str:
    if key != "strength":
        return f"{key} {value}"
    verb = f" (“We {'recommend' if value == 'strong' else 'suggest'}”)" if page else ""
    return f"a {value} recommendation{verb}"
