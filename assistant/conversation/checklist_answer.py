"""Chat answers from the criteria checklist: "what is missing for item 2?" and "why is function not documented?".

Why: the reviewer asks about the checklist in words; the answer quotes the guideline (with page) and the record
(with date) that the checklist already holds, and invents nothing.
"""

from __future__ import annotations

import re

from assistant.contracts import REQUEST_SOURCE, Checklist, ChecklistRow
from assistant.conversation.intents import DECISION_QUESTION
from assistant.criteria.mme import MME_INPUTS
from assistant.verification.textmatch import content_words
from assistant.vocabulary.query import with_vocabulary_terms

WHY = re.compile(r"\bwhy\b", re.IGNORECASE)
ASKS_WHAT_IS_MISSING = re.compile(r"\bmissing\b|\bnot\s+(?:met|documented)\b|\black(?:s|ing)?\b|\bgaps?\b|\bunmet\b",
                                  re.IGNORECASE)
""""What is missing for item 2?" lists the rows not met or not documented; "show the checklist for item 1" lists
every applicable row, the met ones with their record quotes too (CM17-0020728's, all met, showed no row at all)."""
STATUS_WORDS = {"met": "met", "not_met": "not met", "not_documented": "not documented", "not_applicable": "not applicable"}


def _row_lines(row: ChecklistRow) -> list[str]:
    lines = [f"- {row.question} — {STATUS_WORDS[row.status]} ({row.requirement}). {row.reason}",
             f"  Guideline ({row.guideline.title}, p. {row.guideline.printed_page}): “{row.guideline.quote}”"]
    lines += [f"  Record{', ' + c.shown_date if c.date else ''}: “{c.quote}”" for c in row.record_citations]
    return lines


def best_row(message: str, checklist: Checklist) -> ChecklistRow | None:
    """The applicable criterion whose question and reason share the most words with the message; the reviewer's
    own words count twice, what the vocabulary reads them as once ("why is UDS not documented?" listed every
    missing criterion: no row says "UDS", the urine drug testing row says "urine drug testing")."""
    asked = content_words("why is not documented met item criterion")
    words = content_words(message) - asked
    expanded = content_words(with_vocabulary_terms(message)) - asked - words
    statuses = asked_statuses(message)
    scored = []
    for row in checklist.applicable:
        said = content_words(f"{row.question} {row.reason} {row.criterion_id.replace('-', ' ')}")
        scored.append((2 * len(words & said) + len(expanded & said), row.status in statuses, row))
    scored = [s for s in scored if s[0] > 0]
    return max(scored, key=lambda s: s[:2])[2] if scored else None


def asked_statuses(message: str) -> set[str]:
    """The statuses a question names ("why is red flags not documented?" → not documented): between two rows
    that share its words, the one with that status is the one asked about (CM17-0017104's red-flag evaluation,
    met, was shown for its red-flag indication, not documented)."""
    if re.search(r"\bnot\s+(?:documented|recorded|shown)\b|\bmissing\b|\bundocumented\b|\b(?:not|un)\s*met\b|\bfail",
                 message, re.IGNORECASE):
        return {"not_documented", "not_met"}
    return {"met"} if re.search(r"\bmet\b|\bdocumented\b", message, re.IGNORECASE) else set()


def answer_checklist(message: str, checklist: Checklist | None, item_number: int, decision: str | None = None) -> str:
    if checklist is None:
        return f"No criteria set covers item {item_number}, so there is no checklist for it."
    if DECISION_QUESTION.search(message):
        return decision_answer(checklist, item_number, decision)
    if WHY.search(message):
        row = best_row(message, checklist)
        if row is not None:
            return "\n".join([f"Item {item_number}:"] + _row_lines(row))
    missing = [r for r in checklist.applicable if r.status in {"not_documented", "not_met"}]
    lines = [f"Item {item_number} ({checklist.item.text}): "
             + (f"{len(missing)} criterion(s) not documented or not met." if missing else "every applicable criterion is met.")]
    for row in sorted(missing, key=lambda r: r.requirement != "required"):
        lines += _row_lines(row)
    if not ASKS_WHAT_IS_MISSING.search(message):
        for row in sorted((r for r in checklist.applicable if r not in missing), key=lambda r: r.requirement != "required"):
            lines += _row_lines(row)
    if checklist.suggested_decision:
        lines.append(f"Suggestion only (you decide): {checklist.suggested_decision}.")
    if checklist.warning:
        lines.append(f"Warning: {checklist.warning}")
    return "\n".join(lines)


def decision_answer(checklist: Checklist, item_number: int, decision: str | None) -> str:
    """The reasons the checklist gives for a decision: the decision is the reviewer's, the suggestion is labelled as
    one, and each required row it rests on is shown with its guideline and record quotes."""
    lines = [f"Item {item_number} ({checklist.item.text}): "
             + (f"the draft's decision, {decision}, is yours; the checklist does not make it."
                if decision else "no draft yet, so no decision; the decision is yours.")]
    required = [r for r in checklist.applicable if r.requirement == "required"]
    if checklist.suggested_decision:
        lines.append(f"Suggestion only (you decide): {checklist.suggested_decision}, from the required criteria:")
    if not required:
        lines += checklist.suggestion_reasons
    for row in sorted(required, key=lambda r: r.status == "met"):
        lines += _row_lines(row)
    if checklist.warning:
        lines.append(f"Warning: {checklist.warning}")
    return "\n".join(lines)


def mme_answer(checklist: Checklist | None, item_number: int) -> str | None:
    """The item's MME/day with its arithmetic, the record's regimen (dated) and the CDC page of the conversion
    factors, as the checklist computed them; for an opioid without a dose and frequency, that it cannot be computed;
    None for an item that is not an opioid."""
    if checklist is None:
        return None
    if checklist.mme_per_day is None:
        if checklist.category != "opioid":
            return None
        lacking = checklist.mme_missing or MME_INPUTS
        return (f"Item {item_number} ({checklist.item.text}): MME/day cannot be computed — neither the request nor the "
                f"record gives {lacking} (e.g. “1 tablet every 6 hours”).")
    lines = [f"Item {item_number} ({checklist.item.text}): {checklist.mme_arithmetic}."]
    if checklist.mme_record is not None:
        record = checklist.mme_record
        # The request's own regimen is the request, not the record (CM16-0247802's Norco "one tablet twice daily").
        where = "as requested" if record.source == REQUEST_SOURCE else "in the record"
        lines.append(f"  Regimen {where}{', ' + record.shown_date if record.date else ''}: “{record.quote}”")
    if checklist.mme_citation is not None:
        factors = checklist.mme_citation
        lines.append(f"  Conversion factors ({factors.title}, p. {factors.printed_page}): “{factors.quote}”")
    return "\n".join(lines)
