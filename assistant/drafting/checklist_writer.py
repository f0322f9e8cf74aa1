"""The offline rationale written from the criteria checklist, in the reviewer's three moves: what the guideline
requires (its own words, [n]), what this record shows against each requirement (the record's own words, [R<n>],
including what is missing), and the conclusion.

Why: an upheld and an overturned draft of the same item should differ for the right reasons. Upheld drafts lead
with the unmet and undocumented requirements; overturned drafts lead with the requirements the record meets.
Nothing here is invented: every guideline quote is a criterion's verified quote, every record quote a whole
sentence of the case text (checked again before it is used).
"""

from __future__ import annotations

import re

from assistant.contracts import REQUEST_SOURCE, CaseFact, CaseFile, Checklist, ChecklistRow, Citation, Decision, ItemRationale, RecordCitation
from assistant.drafting.evidence import Evidence
from assistant.drafting.item_facts import drug_note
from assistant.drafting.offline import reviewer_guideline_line
from assistant.drafting.routing import RoutingDecision
from assistant.criteria.mme import frequency_from_request, supply_arithmetic
from assistant.verification.record import (DERIVED_FIGURE, DRAFTING_NOTE, NO_DOCUMENTATION, derived_interval_sentence,
                                           derived_supply_sentence, full_record_text)
from assistant.verification.textmatch import mid_sentence, quote_occurs
from assistant.vocabulary.record_cues import days_between, reports_a_review

MAX_REQUIREMENTS = 4  # rows a draft shows, unless more are required
MAX_RECORD_QUOTES_PER_ROW = 2  # two ends of an interval (injury date, latest visit); what was tried and that it failed
STATUS_ORDER = {"Upheld": ("not_met", "not_documented", "met"), "Overturned": ("met", "not_documented", "not_met")}


def rows_for_draft(checklist: Checklist, decision: Decision, routing: RoutingDecision | None = None) -> list[ChecklistRow]:
    """Every applicable required row, and supporting rows up to MAX_REQUIREMENTS rows in all: first those from the
    recommendations that address the request (routing.toml's sections for the item's category, e.g. the imaging
    recommendations for a lumbar MRI), then required before supporting, each group ordered by what the decision
    rests on. A required row is never cut: an overturned opioid draft that stopped at four rows left out "is the
    PDMP reviewed?" while the checklist beside it showed it not documented."""
    order = STATUS_ORDER[decision]
    rows = sorted(checklist.applicable, key=lambda r: (not (routing and routing.names(r.guideline)),
                                                       r.requirement != "required", order.index(r.status)))
    room = max(0, MAX_REQUIREMENTS - sum(r.requirement == "required" for r in rows))
    supporting = [id(r) for r in rows if r.requirement != "required"][:room]
    return [r for r in rows if r.requirement == "required" or id(r) in supporting]


def _guideline_move(rows: list[ChecklistRow], citations: list[Citation]) -> list[str]:
    sentences = []
    for row in rows:
        if any(c.quote == row.guideline.quote for c in citations):
            continue
        same_guideline = bool(citations) and citations[0].guideline_id == row.guideline.guideline_id
        citations.append(row.guideline)
        if len(citations) == 1:
            lead = f"As noted on page {row.guideline.printed_page} of the {row.guideline.title},"
        elif same_guideline:
            lead = f"The guideline also states, on page {row.guideline.printed_page},"
        else:
            lead = f"The {row.guideline.title} states, on page {row.guideline.printed_page},"
        sentences.append(f'{lead} "{row.guideline.quote}" [{len(citations)}].')
    return sentences


def _statement_move(evidence: Evidence, rows: list[ChecklistRow], citations: list[Citation]) -> list[str]:
    """The statements of the recommendations written for this case's pain that no row quotes (LBP Rec 23 for acute
    pain, where the criteria quote Rec 24 for chronic pain; both when the record dates the pain subacute; Rec 19's
    "we suggest nonsteroidal anti-inflammatory drugs", where the rows quote its discussion): the reviewer reads which
    recommendation governs this patient, and its strength, before the requirements. Rows keep their order."""
    sentences = []
    for statement in evidence.statement_citations():
        if any(row.guideline.guideline_id == statement.guideline_id and row.guideline.top_section == statement.top_section
               and quote_occurs(row.guideline.quote, statement.quote) for row in rows):
            continue
        citations.append(statement)
        lead = (f"As noted on page {statement.printed_page} of the {statement.title}," if len(citations) == 1
                else f"The guideline also states, on page {statement.printed_page},")
        sentences.append(f'{lead} "{statement.quote}" [{len(citations)}].')
    return sentences


def _record_marker(citation: RecordCitation, record: list[RecordCitation]) -> str:
    for number, known in enumerate(record, start=1):
        if known.quote == citation.quote:
            return f"[R{number}]"
    record.append(citation)
    return f"[R{len(record)}]"


STATUS_WORDS = {"met": "Documented", "not_met": "Not met", "not_documented": "Not documented"}
TIMING_REASON = re.compile(r"\b(days?|weeks?|months?)\b.*\b(apart|(after|of|from|since) the injury)\b")
"""A row's reason that rests on the interval from the injury to the latest record (criteria.checklist)."""
STRAIGHT_QUOTE, CURLY_QUOTES = '"', re.compile("[“”]")
"""A record sentence that itself quotes ('was "not helping."', CM17-0017104) is quoted inside the other style of
quotation marks, so its own marks stay the record's and both pairs can be read; one that uses both styles cannot."""
UNQUOTED_STATUS_WORDS = {"met": "Met", "not_met": "Not met", "not_documented": "Not documented"}
"""A row met by what the record lacks (a first course; no overdose risk) is 'met', not 'documented'."""


def _unquoted_row(row: ChecklistRow, question: str) -> str:
    """A requirement no record sentence speaks to: the checklist's absence finding in the form the record verifier
    checks ('there is no documentation of X' is flagged when the record documents X), never a bare 'Documented'."""
    reason = (row.reason or "").strip()
    if NO_DOCUMENTATION.match(reason):
        return f"{question}? {UNQUOTED_STATUS_WORDS[row.status]}: {mid_sentence(reason)}"
    if row.status == "not_documented":
        return f"There is no documentation of the following in the record: {mid_sentence(question)}."
    return (f"{DRAFTING_NOTE} the checklist marks “{question}” as {row.status.replace('_', ' ')} without a record "
            "quote; check this requirement against the record before signing.")


def _record_move(rows: list[ChecklistRow], record: list[RecordCitation], case_text: str) -> list[str]:
    """Per requirement: its question, then the record's own words [R<n>] (or a checkable statement that the record
    does not document it). The checklist's judgement is a label, never a paraphrase the quote does not hold."""
    sentences = []
    for row in rows:
        question = row.question.strip().rstrip(".?")
        quotes = [c for c in row.record_citations
                  if quote_occurs(c.quote, case_text) and _outer_marks(c.quote)][:MAX_RECORD_QUOTES_PER_ROW]
        if not quotes:
            sentences.append(_unquoted_row(row, question))
            continue
        label = STATUS_WORDS[row.status]
        reason = (row.reason or "").strip()
        prefix = f"{question}? {label}: "
        if row.status in ("not_documented", "not_met") and NO_DOCUMENTATION.match(reason):
            # What is missing, checked as an absence; then what the record does say, in its own words.
            sentences.append(prefix + mid_sentence(reason))
            prefix = ""
        if all(any(known.quote == quote.quote for known in record) for quote in quotes):
            markers = " ".join(_record_marker(q, record) for q in quotes)
            # After an absence sentence a bare "As quoted above [R2]." would be a fragment: say what it points to.
            said = f"as quoted above {markers}" if prefix else f"what the record says of it is quoted above {markers}"
        else:
            speaker = ("the request reads" if all(q.source == REQUEST_SOURCE for q in quotes) else
                       "the review's account states" if all(reports_a_review(q.quote) for q in quotes) else "the record states")
            said = f"{speaker} {', and '.join(_quoted(q, record) for q in quotes)}"
        sentences.append(f"{prefix}{said}." if prefix else f"{said[:1].upper()}{said[1:]}.")
        sentences += [s for s in _interval(row, quotes, record) if s not in sentences]  # once, however many rows rest on it
        sentences += _supply(row, record, case_text)
    return sentences


SUPPLY_REASON = re.compile(r"\bThe request supplies \d+")
"""A row's reason that rests on the days the request's count lasts (criteria.checklist._acute_opioid_supply)."""


def _supply(row: ChecklistRow, record: list[RecordCitation], case_text: str) -> list[str]:
    """The days the request supplies, which the row's status rests on, as a derived figure from the request's count
    and the frequency written (the request's, else the regimen the row quotes); the record verifier recomputes it."""
    if not SUPPLY_REASON.search(row.reason or ""):
        return []
    request = next((c for c in row.record_citations if c.source == REQUEST_SOURCE), None)
    if request is None:
        return []
    written = request if frequency_from_request(request.quote) else next(
        (c for c in row.record_citations if c.source != REQUEST_SOURCE and quote_occurs(c.quote, case_text)
         and supply_arithmetic(request.quote, c.quote)), None)
    arithmetic = supply_arithmetic(request.quote, written.quote) if written is not None else None
    if arithmetic is None:
        return []
    return [derived_supply_sentence(_record_marker(request, record), _record_marker(written, record), arithmetic)]


def _interval(row: ChecklistRow, quotes: list[RecordCitation], record: list[RecordCitation]) -> list[str]:
    """A row judged on how long the symptoms have lasted quotes the injury and the latest visit; the days between
    them (which the row's status rests on) follow as a derived figure the record verifier recomputes."""
    days = days_between(*(q.date for q in quotes)) if len(quotes) == 2 else None
    if not days or not TIMING_REASON.search(row.reason or ""):
        return []
    return [derived_interval_sentence(*(_record_marker(q, record) for q in quotes), days)]


def _quoted(quote: RecordCitation, record: list[RecordCitation]) -> str:
    if any(known.quote == quote.quote for known in record):
        return _record_marker(quote, record)
    dated = f"({quote.shown_date}), " if quote.date else ""
    opening, closing = _outer_marks(quote.quote)
    return f'{dated}{opening}{quote.quote.rstrip(".")}{closing} {_record_marker(quote, record)}'


def _outer_marks(quote: str) -> tuple[str, str] | tuple[()]:
    """The quotation marks a record quote is shown in: straight, as the letters quote, unless it holds straight ones
    itself; none (it is not quoted) when it holds both styles."""
    straight, curly = STRAIGHT_QUOTE in quote, bool(CURLY_QUOTES.search(quote))
    if straight and curly:
        return ()
    return ("“", "”") if straight else ('"', '"')


def _mme_move(checklist: Checklist, citations: list[Citation], record: list[RecordCitation], case_text: str) -> list[str]:
    """The regimen in the record's words [R], then the MME/day as a labelled derived figure that the record verifier
    recomputes from the record (each sentence asserts only what its quotes, or the arithmetic, hold)."""
    if checklist.mme_per_day is None or checklist.mme_citation is None:
        return []
    sentences = []
    source = checklist.mme_record
    if (source is not None and source.source != REQUEST_SOURCE and quote_occurs(source.quote, case_text)
            and _outer_marks(source.quote)):
        known = any(c.quote == source.quote for c in record)
        marker = _record_marker(source, record)
        if not known:
            opening, closing = _outer_marks(source.quote)
            sentences.append(f'The record states, {opening}{source.quote.rstrip(".")}{closing} {marker}.')
    citations.append(checklist.mme_citation)
    sentences.append(f'{DERIVED_FIGURE}, from the CDC conversion factors (page {checklist.mme_citation.printed_page}: '
                     f'"{checklist.mme_citation.quote}" [{len(citations)}]): {checklist.mme_arithmetic}.')
    return sentences


def _conclusion(rows: list[ChecklistRow], item_text: str, decision: Decision) -> str:
    required = [r for r in rows if r.requirement == "required"]
    verdict = "not medically necessary" if decision == "Upheld" else "medically necessary"
    if decision == "Upheld":
        short = [r for r in required if r.status in {"not_met", "not_documented"}]
        lead = f"Therefore, given that {_short_of_required(short, required)}, " if short else "Therefore, "
    else:
        # Every row shown, supporting ones included, is read to the reviewer as "each requirement".
        lead = ("Therefore, as the record documents each requirement above, "
                if required and all(r.status == "met" for r in rows) else "Therefore, weighing the above, ")
    return f"{lead}the request for {item_text} is {verdict}."


def _short_of_required(short: list[ChecklistRow], required: list[ChecklistRow]) -> str:
    """Which of the rows above decide: the required ones, named by their question when there are one or two (the
    supporting rows shown "Not documented" beside them do not count, and the reader cannot tell them apart)."""
    questions = [re.sub(r"\s*\([^()]*\)", "", r.question).strip().rstrip(".?") for r in short]  # its asides dropped
    named = f" ({'; '.join(mid_sentence(q) for q in questions)})" if len(short) <= 2 else ""
    if len(required) == 1:
        return f"the required criterion above{named} is not met or not documented"
    if len(short) == len(required):
        share = "both" if len(short) == 2 else f"all {len(short)}"
        return f"{share} required criteria above{named} are not met or not documented"
    verb = "is" if len(short) == 1 else "are"
    return f"{len(short)} of the {len(required)} required criteria above{named} {verb} not met or not documented"


def draft_from_checklist(case: CaseFile, evidence: Evidence, decision: Decision, checklist: Checklist) -> ItemRationale:
    """The three moves from the checklist; the checklist itself travels with the rationale."""
    rows = rows_for_draft(checklist, decision, evidence.routing)
    citations: list[Citation] = []
    record: list[RecordCitation] = []
    guideline = _statement_move(evidence, rows, citations) + _guideline_move(rows, citations)
    scope = evidence.scope_note() if citations else None
    if scope:
        guideline.append(scope)
    if not evidence.mtus_available and citations:
        guideline.append("The MTUS was not available in the indexed corpus; the guideline cited is an other "
                         "evidence-based guideline under 8 CCR §9792.21.1.")
    case_move = _record_move(rows, record, full_record_text(case)) + _mme_move(checklist, citations, record, case.summary)
    # Rows that quote nothing: the request itself is the one record quote (from the disputed items), not a case fact.
    request = ([] if record else
               [f"The request under review is “{evidence.item.text}” {_record_marker(RecordCitation.of_request(evidence.item), record)}."])
    facts = [c for c in record if c.source != REQUEST_SOURCE]  # the request is quoted, but it is not a case fact
    note = drug_note(evidence.item)
    text = " ".join([*guideline, *request, *([note] if note else []), "In this case, the records show the following against each requirement.", *case_move, _conclusion(rows, evidence.item.text, decision)])
    return ItemRationale(
        item=evidence.item, decision=decision,
        claims_administrator_guideline=case.claims_administrator_line(evidence.item),
        reviewer_guideline_line=reviewer_guideline_line(citations), rationale=text, citations=citations,
        case_facts=[CaseFact(text=c.quote, date=c.date) for c in facts], record_citations=record,
        abstention=None, scope_note=scope, checklist=checklist,
    )
