"""The chat engine. Offline: a deterministic router (patterns, no model). With an LLM configured: a
tool-calling loop over the same tools. Either way, answers carry only citations the verifier accepts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from assistant.contracts import CaseFile, Decision, ItemRationale, RetrievedPassage, VerificationReport
from assistant.errors import CaseInputError
from assistant.verification.textmatch import split_sentences

DRAFT = re.compile(r"\b(?:draft|write|redraft|prepare)\b", re.IGNORECASE)
REVISE = re.compile(r"\b(?:shorten|shorter|mention|add that|include|remove|drop|revise|rephrase|make it)\b", re.IGNORECASE)
CHECK = re.compile(r"\b(?:check|verify|validate)\b", re.IGNORECASE)
EXPLAIN = re.compile(r"\bwhy\b|\bexplain\b|\bhow did you (?:choose|pick)\b", re.IGNORECASE)
ITEM = re.compile(r"\bitem\s*#?\s*(\d{1,2})\b|\b(first|second|third|fourth|fifth)\s+item\b", re.IGNORECASE)
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5}
OVERTURN = re.compile(r"\boverturn(?:ed)?\b|\bapprov\w*|\bmedically necessary\b(?<!not medically necessary)|\bcertif(?:y|ied)\b", re.IGNORECASE)
UPHOLD = re.compile(r"\buph(?:o|e)ld\b|\bdeny\b|\bdenied\b|\bnot medically necessary\b|\bnon-?certif\w*", re.IGNORECASE)
MENTION = re.compile(r"\b(?:mention|add|include|note)\s+(?:that\s+)?(.+?)\s*\.?$", re.IGNORECASE)
LOOKUP_K = 4


@dataclass
class ChatState:
    drafts: dict[int, ItemRationale] = field(default_factory=dict)
    reports: dict[int, VerificationReport] = field(default_factory=dict)
    last_item: int = 0
    history: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class ChatReply:
    text: str
    intent: str
    passages: list[RetrievedPassage] = field(default_factory=list)
    rationale: ItemRationale | None = None
    report: VerificationReport | None = None
    item_index: int | None = None
    state: ChatState | None = None


def detect_intent(message: str) -> str:
    if EXPLAIN.search(message) and re.search(r"\b(?:passage|cite|cited|citation|page|guideline|source)\b", message, re.I):
        return "explain"
    if re.match(r"\s*(?:check|verify)\b", message, re.I):
        return "check"
    if CHECK.search(message) and re.search(r"\b(?:draft|rationale|citations?|text|this|it|mine|my)\b", message, re.I):
        return "check"
    if DRAFT.search(message) and not message.rstrip().endswith("?"):
        return "draft"
    if REVISE.search(message) and not message.rstrip().endswith("?"):
        return "revise"
    return "lookup"


def requested_item(message: str, state: ChatState) -> int:
    match = ITEM.search(message)
    if not match:
        return state.last_item
    return (int(match.group(1)) if match.group(1) else ORDINALS[match.group(2).lower()]) - 1


def requested_decision(message: str) -> Decision | None:
    if UPHOLD.search(message):
        return "Upheld"
    if OVERTURN.search(message):
        return "Overturned"
    return None


class ConversationEngine:
    def __init__(self, services, model=None):
        self.services = services
        self.model = model if model is not None else getattr(services, "model", None)

    def new_state(self) -> ChatState:
        return ChatState()

    def reply(self, case_id: str | None, message: str, state: Any = None, case: CaseFile | None = None) -> ChatReply:
        state = state if isinstance(state, ChatState) else ChatState()
        message = (message or "").strip()
        if not message:
            return ChatReply(text="Ask a question about the guidelines, or say “draft item 1 as upheld”.", intent="none", state=state)
        intent = detect_intent(message)
        if self.model is not None and intent == "lookup":
            from assistant.conversation.agent import agent_reply

            reply = agent_reply(self, message, state, case)
        else:
            handler = {"lookup": self._lookup, "draft": self._draft, "revise": self._revise,
                       "check": self._check, "explain": self._explain}[intent]
            reply = handler(message, state, case)
        state.history.append((message, reply.text))
        reply.state = state
        return reply

    def _lookup(self, message: str, state: ChatState, case: CaseFile | None) -> ChatReply:
        passages = self.services.lookup(message, k=LOOKUP_K)
        if not passages:
            return ChatReply(text="No indexed guideline passage matches that. The corpus holds only the guidelines "
                                  "listed in the Corpus tab.", intent="lookup")
        lines = ["The closest guideline passages (verbatim, with printed page):"]
        lines += [f"[{n}] {p.citation.label()}" for n, p in enumerate(passages, start=1)]
        return ChatReply(text="\n".join(lines), intent="lookup", passages=passages)

    def _require_case(self, case: CaseFile | None) -> CaseFile:
        if case is None or not case.items:
            raise CaseInputError("Open or paste a case with disputed items first.")
        return case

    def _draft(self, message: str, state: ChatState, case: CaseFile | None) -> ChatReply:
        case = self._require_case(case)
        index = requested_item(message, state)
        if not 0 <= index < len(case.items):
            raise CaseInputError(f"The case has {len(case.items)} item(s); there is no item {index + 1}.")
        result = self.services.draft(case, index, requested_decision(message))
        state.drafts[index], state.reports[index], state.last_item = result.rationale, result.report, index
        note = " (decision defaulted to Upheld; say “as overturned” to change it)" if result.decision_defaulted else ""
        text = (f"Draft for item {index + 1}, {result.rationale.item.text}: **{result.rationale.decision}**{note}.\n\n"
                f"{result.rationale.rationale}\n\nVerification: {result.report.badge()}")
        if result.rationale.precedent_note:
            text += f"\n\n_{result.rationale.precedent_note}_"
        passages = [p for p in result.evidence.governing]
        return ChatReply(text=text, intent="draft", passages=passages, rationale=result.rationale,
                         report=result.report, item_index=index)

    def _revise(self, message: str, state: ChatState, case: CaseFile | None) -> ChatReply:
        index = requested_item(message, state)
        current = state.drafts.get(index)
        if current is None:
            return ChatReply(text=f"There is no draft of item {index + 1} yet; say “draft item {index + 1}” first.",
                             intent="revise")
        revised = revise_offline(current, message)
        report = self.services.verify(revised)
        state.drafts[index], state.reports[index] = revised, report
        return ChatReply(text=f"Revised item {index + 1}.\n\n{revised.rationale}\n\nVerification: {report.badge()}",
                         intent="revise", rationale=revised, report=report, item_index=index)

    def _check(self, message: str, state: ChatState, case: CaseFile | None) -> ChatReply:
        pasted = message.split(":", 1)[1].strip() if ":" in message else ""
        if len(pasted) > 40:
            report = self.services.check_text(pasted, requested_decision(pasted))
            subject = "your text"
        else:
            index = requested_item(message, state)
            current = state.drafts.get(index)
            if current is None:
                return ChatReply(text="Paste the text after “check:”, or draft an item first.", intent="check")
            report = self.services.verify(current)
            state.reports[index] = report
            subject = f"the draft of item {index + 1}"
        lines = [f"Checked {subject}: {report.badge()}."]
        lines += [f"- {c.status.replace('_', ' ')}: {c.message}" for c in report.problems] or ["- No problems found."]
        return ChatReply(text="\n".join(lines), intent="check", report=report)

    def _explain(self, message: str, state: ChatState, case: CaseFile | None) -> ChatReply:
        index = requested_item(message, state)
        current = state.drafts.get(index)
        if current is None or case is None:
            return ChatReply(text="Draft an item first; then I can explain why its passages were chosen.", intent="explain")
        evidence = self.services.evidence(case, index)
        lines = [f"Item {index + 1} ({evidence.item.text}) was classified as: {', '.join(evidence.topic.names) or 'no known category'}.",
                 "Queries used: " + "; ".join(f"“{q}”" for q in evidence.queries) + "."]
        if evidence.abstention:
            lines.append("No passage both names the treatment and reaches the relevance threshold, so the draft abstains.")
        for passage in evidence.governing:
            lines.append(f"- Governing: {passage.citation.label()} — relevance {passage.relevance:.2f}, "
                         f"{passage.tier.label}; vector rank {passage.vector_rank or '—'}, BM25 rank {passage.bm25_rank or '—'}.")
        for passage in evidence.supporting:
            lines.append(f"- Supporting only (lower tier): {passage.citation.label()}.")
        return ChatReply(text="\n".join(lines), intent="explain", passages=evidence.governing, item_index=index)


def revise_offline(rationale: ItemRationale, instruction: str) -> ItemRationale:
    """Deterministic edits: shorten (fewer facts), or add a reviewer-stated fact in the reviewer's own words."""
    sentences = split_sentences(rationale.rationale)
    if re.search(r"\bshort", instruction, re.IGNORECASE):
        cited = [s for s in sentences if re.search(r"\[\d+\]", s)][:1]
        facts = [s for s in sentences if s not in cited and not s.startswith("Therefore")][:2]
        closing = [s for s in sentences if s.startswith("Therefore")][-1:]
        sentences = cited + facts + closing
    mention = MENTION.search(instruction)
    if mention and not re.search(r"\bshort", mention.group(1), re.IGNORECASE):
        fact = mention.group(1).strip().rstrip(".")
        fact = fact[0].upper() + fact[1:] if fact else fact
        position = next((i for i, s in enumerate(sentences) if s.startswith("Therefore")), len(sentences))
        sentences.insert(position, f"The records also show that {fact[0].lower() + fact[1:]}." if fact else "")
    return rationale.model_copy(update={"rationale": " ".join(s for s in sentences if s)})
