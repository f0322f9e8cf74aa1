"""Does a sentence name a body region, test, drug, condition or duration of pain other than its cited page's?

Why: "the VA/DoD LBP guideline, p. 29, recommends against routinely obtaining imaging for acute neck pain" shares
every word but one with the page's low back statement, and one missing word passes the shared-word and page-ranking
tests; so does "we suggest offering pregabalin" cited to a page that suggests duloxetine. These are the words that
decide which recommendation a sentence states. They are the record check's deciding terms (spine region, joint,
test, drug; `assistant/vocabulary/data/deciding_terms.toml`), less the words about one patient (side, course,
status), which a guideline does not give. Only a claim that restates a page sentence (most of its words in one
sentence) is judged: the term must be on the page, and is flagged when that sentence names another term of the same
group instead, or when the claim is nearly the sentence's own words.

The duration of pain and the condition (`data/statement_terms.toml`: acute / subacute / chronic, osteoarthritis,
migraine, insomnia, PTSD, opioid use disorder …) are judged against the restated sentence alone, since the other word
is usually elsewhere on the page ("chronic" on a page whose statement is about acute pain): a claim naming one the
sentence does not, where the sentence names another that the claim does not, restates another recommendation.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from assistant.verification.direction import DIRECTION_WORDS, MIN_SHARED, SAME_STATEMENT, closest_sentences
from assistant.verification.textmatch import content_words
from assistant.vocabulary.deciding_terms import DecidingTerms, deciding_terms, missing_terms, opposing_term
from assistant.vocabulary.tables import statement_term_table

GUIDELINE_GROUPS = frozenset({"spine_region", "joint", "test"})
"""Deciding terms a guideline statement carries; sides, courses and statuses are about one patient."""


@dataclass(frozen=True)
class UnsaidTerm:
    """The claim's term the page never names, the term of the same group the restated sentence names instead (None:
    the claim is that sentence's words with a term added), and that sentence."""

    said: str
    page: str | None
    sentence: str


def _guideline_terms(text: str) -> DecidingTerms:
    terms = deciding_terms(text)
    return DecidingTerms(frozenset(t for t in terms.required if t[0] in GUIDELINE_GROUPS), frozenset(), terms.drugs,
                         terms.spelled)


def unsaid_term(claim: str, page_text: str) -> UnsaidTerm | None:
    """A region, test or drug of the claim that the page never names, where the sentence the claim restates names
    another of the same group or the claim is nearly that sentence's words; None when every term is on the page."""
    said = _guideline_terms(claim)
    if not said:
        return None
    unsaid = missing_terms(said, page_text)
    if not unsaid:
        return None
    best, closest = closest_sentences(content_words(claim) - DIRECTION_WORDS, page_text)
    if best < MIN_SHARED:
        return None
    for sentence in closest:
        rival = opposing_term(said, sentence)
        if rival is not None and rival[0] in unsaid:
            return UnsaidTerm(rival[0], rival[1], sentence)
    return UnsaidTerm(unsaid[0], None, closest[0]) if best >= SAME_STATEMENT else None


@functools.cache
def _statement_patterns() -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    """Each group's terms with one pattern of all their spellings (capitals-only for an abbreviation)."""
    patterns: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for group, terms in statement_term_table().items():
        for term, spellings in terms.items():
            parts = [rf"{re.escape(s)}" if s.isupper() else rf"(?i:{re.escape(s)})" for s in spellings]
            pattern = re.compile(rf"(?<![\w-])(?:{'|'.join(parts)})s?(?![\w-])")
            patterns.setdefault(group, []).append((term, pattern))
    return patterns


def statement_terms(text: str) -> dict[str, dict[str, str]]:
    """{group: {term: the words spelling it}} for each duration and condition the text names."""
    found: dict[str, dict[str, str]] = {}
    for group, terms in _statement_patterns().items():
        for term, pattern in terms:
            if match := pattern.search(text):
                found.setdefault(group, {})[term] = match.group()
    return found


def misstated_condition(claim: str, page_text: str) -> UnsaidTerm | None:
    """A duration or condition of the claim that the sentence it restates does not name, where that sentence names
    another the claim does not ("chronic" for "acute"); None when a sentence as close as any names the claim's."""
    said = statement_terms(claim)
    if not said:
        return None
    best, closest = closest_sentences(content_words(claim) - DIRECTION_WORDS, page_text)
    if best < MIN_SHARED:
        return None
    theirs = [(sentence, statement_terms(sentence)) for sentence in closest]
    for group, terms in said.items():
        if any(set(terms) <= set(named.get(group, {})) for _, named in theirs):
            continue
        for sentence, named in theirs:
            unsaid, other = set(terms) - set(named.get(group, {})), set(named.get(group, {})) - set(terms)
            if unsaid and other:
                return UnsaidTerm(terms[min(unsaid)], named[group][min(other)], sentence)
    return None
