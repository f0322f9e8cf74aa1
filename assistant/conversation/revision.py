"""Offline revisions of a draft ("shorten it", "mention that she failed NSAIDs") that keep the record side honest.

A fact the reviewer asks to add is checked against the case record first. When the record shows it, it goes in
with the record sentence as its [R<n>] quote. When it does not, the reply says so, and the reviewer's wording is
added only as an explicitly unverified reviewer statement, which the verifier keeps flagging until it is
confirmed or removed. Never as a record fact."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.contracts import CaseFile, ItemRationale, RecordCitation
from assistant.conversation.intents import MENTION
from assistant.verification.record import (
    RECORD_MARKER,
    REVIEWER_STATEMENT,
    check_fact_sentence,
    record_sentences,
    sex_of_record,
)
from assistant.verification.textmatch import mid_sentence, split_sentences

SHORTEN = re.compile(r"\bshort", re.IGNORECASE)
GUIDELINE_MARKER = re.compile(r"\[\d{1,3}\]")
KEEP_FACTS_WHEN_SHORT = 2


@dataclass
class Revision:
    rationale: ItemRationale
    notes: list[str] = field(default_factory=list)
    """What the reply tells the reviewer, e.g. that the record does not show a fact they asked to add."""


def requested_fact(instruction: str) -> str | None:
    """The fact in "shorten it and mention that she failed NSAIDs" → "she failed NSAIDs"."""
    mention = MENTION.search(instruction)
    if not mention:
        return None
    fact = re.split(r"\s+and\s+(?=short|make|remove|drop)", mention.group(1), maxsplit=1)[0].strip().rstrip(".")
    return None if not fact or SHORTEN.search(fact) else fact


def shorten(rationale: ItemRationale) -> ItemRationale:
    """The first guideline sentence, the request, the first record facts and the conclusion."""
    sentences = split_sentences(rationale.rationale)
    closing = [s for s in sentences if s.startswith("Therefore")][-1:]
    cited = [s for s in sentences if GUIDELINE_MARKER.search(s)][:1]
    facts = [s for s in sentences if RECORD_MARKER.search(s) and s not in cited][: 1 + KEEP_FACTS_WHEN_SHORT]
    kept = [s for s in sentences if s in cited + facts or s in closing]
    return renumber_record_markers(rationale.model_copy(update={"rationale": " ".join(kept)}))


def renumber_record_markers(rationale: ItemRationale) -> ItemRationale:
    """Keep only the record quotes the text still refers to, numbered in order of first use."""
    order: list[int] = []
    for number in (int(n) for n in RECORD_MARKER.findall(rationale.rationale)):
        if 1 <= number <= len(rationale.record_citations) and number not in order:
            order.append(number)
    new = {old: position for position, old in enumerate(order, start=1)}
    text = RECORD_MARKER.sub(lambda m: f"[R{new.get(int(m.group(1)), m.group(1))}]", rationale.rationale)
    quotes = [rationale.record_citations[old - 1] for old in order]
    return rationale.model_copy(update={"rationale": text, "record_citations": quotes})


def add_fact(rationale: ItemRationale, fact: str, case: CaseFile | None) -> Revision:
    """A record fact with its quote when the record shows it; otherwise an unverified reviewer statement."""
    claim = f"The records show that {mid_sentence(fact)}."
    check = None
    if case is not None:
        corpus = record_sentences(case)
        check = check_fact_sentence(claim, corpus, sex_of_record(corpus))
    if check is not None and check.status == "verified" and check.record_citation is not None:
        known = [c.quote for c in rationale.record_citations]
        quotes = list(rationale.record_citations)
        if check.record_citation.quote not in known:
            quotes.append(check.record_citation)
        number = [c.quote for c in quotes].index(check.record_citation.quote) + 1
        sentence = f"{claim[:-1]} [R{number}]."
        return Revision(_insert_before_conclusion(rationale, sentence, quotes),
                        [f"The record shows it: “{check.record_citation.quote}” — added with that quote."])
    why = check.message if check is not None else "No case is open, so it cannot be checked against the record."
    sentence = f"{REVIEWER_STATEMENT} {fact}."
    return Revision(_insert_before_conclusion(rationale, sentence, rationale.record_citations), [
        f"The case record does not show that {fact}. {why}",
        "I added your wording only as your own statement, marked as not verified against the record; "
        "confirm it in the medical records (and quote them) or remove it before signing."])


def _insert_before_conclusion(rationale: ItemRationale, sentence: str, quotes: list[RecordCitation]) -> ItemRationale:
    sentences = split_sentences(rationale.rationale)
    position = next((i for i, s in enumerate(sentences) if s.startswith("Therefore")), len(sentences))
    sentences.insert(position, sentence)
    return rationale.model_copy(update={"rationale": " ".join(sentences), "record_citations": quotes})


def revise_offline(rationale: ItemRationale, instruction: str, case: CaseFile | None = None) -> Revision:
    """Deterministic edits: shorten (fewer facts), and add a fact the reviewer names, checked against the record."""
    revised = shorten(rationale) if SHORTEN.search(instruction) else rationale
    fact = requested_fact(instruction)
    if fact is None:
        return Revision(revised)
    return add_fact(revised, fact, case)
