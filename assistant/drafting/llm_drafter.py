"""Drafting with a chat model: numbered evidence in, structured output back; only evidence numbers may be cited."""

from __future__ import annotations

import json
import re

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field, ValidationError

from assistant.contracts import CaseFact, CaseFile, Checklist, Citation, Decision, ItemRationale
from assistant.drafting.evidence import Evidence
from assistant.drafting.item_facts import ground_facts
from assistant.drafting.offline import conclusion, reviewer_guideline_line
from assistant.errors import ModelBackendError
from assistant.prompts import load_prompt


class EvidenceQuote(BaseModel):
    evidence: int
    quote: str


class StructuredDraft(BaseModel):
    guideline_statement: str = ""
    case_facts: list[str] = Field(default_factory=list)
    conclusion: str = ""
    citations: list[EvidenceQuote] = Field(default_factory=list)


def numbered_evidence(evidence: Evidence) -> str:
    passages = evidence.governing or []
    if not passages:
        return "(none: no indexed guideline passage addresses this item)"
    return "\n\n".join(
        f"[{n}] {p.citation.title}, p. {p.citation.printed_page} — {p.citation.section}\n{p.citation.quote}"
        for n, p in enumerate(passages, start=1)
    )


def _parse_json_reply(text: str) -> StructuredDraft:
    match = re.search(r"\{.*\}", text, re.DOTALL)
    if not match:
        raise ModelBackendError("The model did not return JSON for the draft.")
    try:
        return StructuredDraft.model_validate(json.loads(match.group(0)))
    except (json.JSONDecodeError, ValidationError) as exc:
        raise ModelBackendError(f"The model's draft did not fit the expected fields: {exc}") from exc


def ask_for_draft(model: BaseChatModel, messages: list) -> StructuredDraft:
    """Structured output where the backend supports it; otherwise parse the JSON it was asked for."""
    try:
        structured = model.with_structured_output(StructuredDraft)
    except (NotImplementedError, AttributeError):
        structured = None
    if structured is not None:
        try:
            result = structured.invoke(messages)
            if isinstance(result, StructuredDraft):
                return result
            if isinstance(result, dict):
                return StructuredDraft.model_validate(result)
        except (NotImplementedError, ValidationError, ValueError, TypeError):
            pass
    reply = model.invoke(messages)
    return _parse_json_reply(str(reply.content))


def to_rationale(case: CaseFile, evidence: Evidence, decision: Decision, draft: StructuredDraft) -> ItemRationale:
    """Map the model's evidence numbers to Citations built from the passages themselves (pages come from the index)."""
    citations: list[Citation] = []
    renumber: dict[int, int] = {}
    for quoted in draft.citations:
        if 1 <= quoted.evidence <= len(evidence.governing) and quoted.evidence not in renumber:
            passage = evidence.governing[quoted.evidence - 1]
            citations.append(passage.citation.model_copy(update={"quote": quoted.quote.strip().strip('"')}))
            renumber[quoted.evidence] = len(citations)

    def remap(match: re.Match[str]) -> str:
        """Evidence number → citation number; a marker for evidence the model did not quote becomes [0], which
        matches no citation and is flagged (never silently pointing at another citation)."""
        number = int(match.group(1))
        return f"[{renumber[number]}]" if number in renumber else "[0]"

    statement = re.sub(r"\[(\d{1,3})\]", remap, draft.guideline_statement)
    grounded, record_citations = ground_facts(draft.case_facts, case)
    facts = " ".join(grounded)
    closing = draft.conclusion.strip() or conclusion(evidence.item.text, decision)
    scope = evidence.scope_note() if citations else None  # said by the product, not left to the model
    text = " ".join(p for p in [statement.strip(), scope or "", f"In this case, {facts}" if facts and not facts.lower().startswith("in this case") else facts, closing] if p)
    return ItemRationale(
        item=evidence.item, decision=decision, claims_administrator_guideline=case.claims_administrator_line(evidence.item),
        reviewer_guideline_line=reviewer_guideline_line(citations), rationale=text, citations=citations,
        case_facts=[CaseFact(text=q.quote, date=q.date) for q in record_citations],
        record_citations=record_citations, abstention=evidence.abstention, scope_note=scope,
    )


def checklist_text(checklist: Checklist | None) -> str:
    """The criteria checklist as the model sees it: status, guideline words and page, record words and date."""
    if checklist is None or not checklist.applicable:
        return "(no criteria set covers this item)"
    lines = []
    for row in checklist.applicable:
        record = "; ".join(f'"{c.quote}"' + (f" ({c.shown_date})" if c.date else "") for c in row.record_citations) or "none"
        lines.append(f"- {row.question} [{row.requirement}] status: {row.status.replace('_', ' ')} — {row.reason}\n"
                     f"  guideline ({row.guideline.title}, p. {row.guideline.printed_page}): \"{row.guideline.quote}\"\n"
                     f"  record: {record}")
    if checklist.mme_per_day is not None:
        lines.append(f"- MME/day: {checklist.mme_arithmetic} (CDC 2022 conversion factors, p. 31)")
    return "\n".join(lines)


def draft_with_model(model: BaseChatModel, case: CaseFile, evidence: Evidence, decision: Decision,
                     checklist: Checklist | None = None) -> tuple[ItemRationale, StructuredDraft]:
    messages = [
        SystemMessage(content=load_prompt("system")),
        HumanMessage(content=load_prompt("draft").format(
            item=evidence.item.text, decision=decision, case_summary=case.summary, evidence=numbered_evidence(evidence),
            checklist=checklist_text(checklist))),
    ]
    draft = ask_for_draft(model, messages)
    return to_rationale(case, evidence, decision, draft), draft


def revise_with_model(model: BaseChatModel, case: CaseFile, evidence: Evidence, decision: Decision,
                      previous: StructuredDraft, problems: list[str]) -> ItemRationale:
    messages = [
        SystemMessage(content=load_prompt("system")),
        HumanMessage(content=load_prompt("revise").format(
            problems="\n".join(f"- {p}" for p in problems), previous=previous.model_dump_json(indent=1),
            decision=decision, evidence=numbered_evidence(evidence))),
    ]
    return to_rationale(case, evidence, decision, ask_for_draft(model, messages))


class SuggestedDecision(BaseModel):
    decision: Decision
    reason: str = ""


def suggest_decision(model: BaseChatModel, case: CaseFile, evidence: Evidence) -> SuggestedDecision:
    """The model's own decision, used only by the eval to measure agreement with real letters; the product
    always drafts to the reviewer's decision."""
    messages = [
        SystemMessage(content=load_prompt("system")),
        HumanMessage(content=load_prompt("decide").format(
            item=evidence.item.text, case_summary=case.summary, evidence=numbered_evidence(evidence))),
    ]
    try:
        result = model.with_structured_output(SuggestedDecision).invoke(messages)
        if isinstance(result, SuggestedDecision):
            return result
        return SuggestedDecision.model_validate(result)
    except (NotImplementedError, AttributeError, ValidationError, ValueError, TypeError):
        reply = str(model.invoke(messages).content)
    match = re.search(r"\b(Upheld|Overturned)\b", reply, re.IGNORECASE)
    if not match:
        raise ModelBackendError("The model did not name a decision (Upheld or Overturned).")
    return SuggestedDecision(decision=match.group(1).capitalize(), reason=reply[:300])
