"""The chat engine. Offline: a deterministic router (patterns, no model). With an LLM configured: a
tool-calling loop over the same tools. Either way, answers carry only citations the verifier accepts."""

from __future__ import annotations

import re
from typing import Any

from assistant.contracts import CaseFile, Checklist, Decision, VerificationReport
from assistant.conversation.intents import ITEM, MME_QUESTION, detect_intent, requested_decision, requested_item
from assistant.conversation.revision import revise_offline
from assistant.conversation.state import ChatReply, ChatState
from assistant.errors import CaseInputError

LOOKUP_K = 4
SCOPED_K = 3  # passages of the guidelines a question is routed to for the open case, shown first
REFERS_BACK = re.compile(r"\b(?:it|this|that|them)\b(?!\s+(?:guidelines?|page|passage|recommendation)\b)|"
                         r"\b(?:the|this|that) (?:request|item|medication|drug|treatment)\b", re.IGNORECASE)
"""'What does the guideline say about it?' after a draft of item 1: 'it' is that item."""


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
        if intent in ("record", "governing") and (case is None or not case.items):
            intent = "lookup"  # no case open: the question can only be answered from the guidelines
        if intent == "lookup" and case is not None and case.items and MME_QUESTION.search(message):
            reply = self._mme(message, state, case)
        elif self.model is not None and intent == "lookup":
            from assistant.conversation.agent import agent_reply

            reply = agent_reply(self, message, state, case)
        else:
            handler = {"lookup": self._lookup, "draft": self._draft, "revise": self._revise,
                       "check": self._check, "explain": self._explain, "checklist": self._checklist,
                       "record": self._record, "governing": self._governing}[intent]
            reply = handler(message, state, case)
        state.history.append((message, reply.text))
        reply.state = state
        return reply

    def _lookup(self, message: str, state: ChatState, case: CaseFile | None) -> ChatReply:
        """The closest passages in every indexed guideline; with a case open, first those of the guidelines the
        question is routed to for this case ("is electrical stimulation recommended?" in a low back case found the
        stroke guideline only). The rest of the corpus is still shown: a question may be about another condition."""
        from assistant.retrieval.search import unmatched_words_note

        unmatched = self.services.words_no_guideline_uses(message)
        message, routed_as, about = self._about_the_item(message, state, case)
        scope = self.services.question_scope(routed_as, case) if case is not None else None
        scoped = (self.services.lookup(message, k=SCOPED_K, guideline_ids=scope.guideline_ids, distinct_pages=True)
                  if scope else [])
        searched = set(scope.guideline_ids) if scoped else set()  # their best passages are listed already
        everywhere = [p for p in self.services.lookup(message, k=LOOKUP_K, distinct_pages=True)
                      if p.citation.guideline_id not in searched]
        passages = scoped + everywhere
        if not passages:
            return ChatReply(text="No indexed guideline passage matches that. The corpus holds only the guidelines "
                                  "listed in the Corpus tab.", intent="lookup")
        gap = None if scoped else self.services.question_gap(routed_as, case)
        if scoped:
            titles = "; ".join(dict.fromkeys(p.citation.title for p in scoped))
            lines = [f"For this case (the question {scope.reading}, which the routing table sends to the {titles}):"]
        elif gap:
            lines = [gap, "The closest passages anywhere, about other conditions (verbatim, with printed page):"]
        elif about:
            lines = ["The routing table sends this item to no indexed guideline; the closest passages anywhere "
                     "(verbatim, with printed page):"]
        else:
            lines = ["The closest guideline passages (verbatim, with printed page):"]
        lines = ([about] if about else []) + ([unmatched_words_note(unmatched)] if unmatched else []) + lines
        lines += [f"[{n}] {p.citation.label()}" for n, p in enumerate(scoped, start=1)]
        if scoped and everywhere:
            lines.append("In the other indexed guidelines:")
        lines += [f"[{n}] {p.citation.label()}" for n, p in enumerate(everywhere, start=len(scoped) + 1)]
        if reading := self.services.query_reading(message):
            lines.append(f"Also searched for: {reading}.")
        return ChatReply(text="\n".join(lines), intent="lookup", passages=passages)

    @staticmethod
    def _about_the_item(message: str, state: ChatState, case: CaseFile | None) -> tuple[str, str, str]:
        """A question naming no treatment that refers back ('is it recommended?') is about the item last discussed
        (or the one it names): the item's words are searched too, it is routed as the item is, and the answer says
        so. Returns (what to search, what to route, the line saying so); unchanged without a case or when the
        question names a treatment."""
        from assistant.drafting.evidence import item_queries
        from assistant.vocabulary.categories import classify_item

        if case is None or not case.items or not REFERS_BACK.search(message) or classify_item(message).names:
            return message, message, ""
        index = min(max(requested_item(message, state), 0), len(case.items) - 1)
        item = case.items[index]
        query = item_queries(case, item, classify_item(item.text))[0]  # the words the item's own draft searches
        return f"{message} {query}", item.text, f"Read as a question about item {index + 1}, {item.text}."

    def _mme(self, message: str, state: ChatState, case: CaseFile) -> ChatReply:
        """"What is the MME?" with a case open: the case's own figure, computed by the checklist from the record
        and the CDC conversion factors, before the guideline passages a plain lookup gives."""
        from assistant.conversation.checklist_answer import mme_answer

        indexes = [requested_item(message, state)] if ITEM.search(message) else list(range(len(case.items)))
        answers = [mme_answer(self._item_checklist(case, i, state), i + 1) for i in indexes if 0 <= i < len(case.items)]
        answers = [a for a in answers if a]
        lookup = self._lookup(message, state, case)
        if not answers:  # no disputed item is an opioid: the record's own opioids, else MME in general
            from assistant.conversation.record_answer import record_mme_lines
            from assistant.criteria.facts import extract_record_facts

            recorded = record_mme_lines(extract_record_facts(case.summary, injury_date=case.injury_date))
            lookup.text = "\n".join([*recorded, "", lookup.text]) if recorded else lookup.text
            return lookup
        lookup.text = "MME/day of this case's opioids (the record's regimen with the CDC 2022 conversion factors):\n" + \
            "\n".join(answers) + "\n\n" + lookup.text
        return lookup

    def _record(self, message: str, state: ChatState, case: CaseFile | None) -> ChatReply:
        from assistant.conversation.record_answer import record_answer

        case = self._require_case(case)
        index = requested_item(message, state) if ITEM.search(message) else None
        item_text = case.items[index].text if index is not None and 0 <= index < len(case.items) else None
        return ChatReply(text=record_answer(message, case, item_text), intent="record", item_index=index)

    def _governing(self, message: str, state: ChatState, case: CaseFile | None) -> ChatReply:
        from assistant.conversation.record_answer import governing_answer

        case = self._require_case(case)
        index = requested_item(message, state)
        if not 0 <= index < len(case.items):
            raise CaseInputError(f"Item {index + 1} does not exist; the case has {len(case.items)} item(s).")
        evidence = self.services.evidence(case, index)
        state.last_item = index
        return ChatReply(text=governing_answer(index + 1, evidence), intent="governing",
                         passages=list(evidence.governing), item_index=index)

    def _item_checklist(self, case: CaseFile, index: int, state: ChatState) -> Checklist | None:
        """The drafted item's checklist (it reflects the reviewer's edits and decision), else a fresh one."""
        drafted = state.drafts.get(index)
        return drafted.checklist if drafted is not None and drafted.checklist else self.services.checklist(case, index)

    def _checklist(self, message: str, state: ChatState, case: CaseFile | None) -> ChatReply:
        """What is missing for an item, or why a criterion has its status: from the drafted item's checklist when
        there is one (it reflects the reviewer's decision), else from a fresh one."""
        from assistant.conversation.checklist_answer import answer_checklist

        case = self._require_case(case)
        index = requested_item(message, state)
        if not 0 <= index < len(case.items):
            raise CaseInputError(f"Item {index + 1} does not exist; the case has {len(case.items)} item(s).")
        checklist = self._item_checklist(case, index, state)
        state.last_item = index
        drafted = state.drafts.get(index)
        return ChatReply(text=answer_checklist(message, checklist, index + 1, drafted.decision if drafted else None),
                         intent="checklist", item_index=index)

    def _require_case(self, case: CaseFile | None) -> CaseFile:
        if case is None or not case.items:
            raise CaseInputError("Open or paste a case with disputed items first.")
        return case

    def _draft(self, message: str, state: ChatState, case: CaseFile | None) -> ChatReply:
        return self.draft_item(case, requested_item(message, state), requested_decision(message), state)

    def draft_item(self, case: CaseFile | None, index: int, decision: Decision | None, state: ChatState) -> ChatReply:
        """Draft item `index` (0-based) through the services; it becomes the conversation's current draft."""
        case = self._require_case(case)
        if not 0 <= index < len(case.items):
            raise CaseInputError(f"The case has {len(case.items)} item(s); there is no item {index + 1}.")
        result = self.services.draft(case, index, decision)
        state.drafts[index], state.reports[index], state.last_item = result.rationale, result.report, index
        state.case = case
        note = " (decision defaulted to Upheld; say “as overturned” to change it)" if result.decision_defaulted else ""
        text = (f"Draft for item {index + 1}, {result.rationale.item.text}: **{result.rationale.decision}**{note}.\n\n"
                f"{result.rationale.rationale}\n\nVerification: {result.report.badge()}")
        if warning := self._checklist_warning(result.rationale):
            text += f"\n\n**Warning:** {warning}"
        if result.rationale.precedent_note:
            text += f"\n\n_{result.rationale.precedent_note}_"
        passages = [p for p in result.evidence.governing]
        return ChatReply(text=text, intent="draft", passages=passages, rationale=result.rationale,
                         report=result.report, item_index=index)

    @staticmethod
    def _checklist_warning(rationale) -> str | None:
        """What the workspace's checklist panel warns, said in the chat too: a reviewer drafting in the chat alone
        saw an upheld draft whose every required criterion is met with nothing telling them so."""
        from assistant.criteria.checklist import decision_warning

        return decision_warning(rationale.checklist, rationale.decision) if rationale.checklist else None

    def _revise(self, message: str, state: ChatState, case: CaseFile | None) -> ChatReply:
        return self.revise_item(requested_item(message, state), message, state)

    def revise_item(self, index: int, instruction: str, state: ChatState) -> ChatReply:
        """Revise the current draft of item `index` by the reviewer's instruction, and verify it again."""
        current = state.drafts.get(index)
        if current is None:
            return ChatReply(text=f"There is no draft of item {index + 1} yet; say “draft item {index + 1}” first.",
                             intent="revise")
        revision = revise_offline(current, instruction, state.case)
        revised = revision.rationale
        report = self.services.verify(revised, state.case)
        state.drafts[index], state.reports[index] = revised, report
        notes = "".join(f"\n\n{note}" for note in revision.notes)
        return ChatReply(text=f"Revised item {index + 1}.{notes}\n\n{revised.rationale}\n\nVerification: {report.badge()}",
                         intent="revise", rationale=revised, report=report, item_index=index)

    def _check(self, message: str, state: ChatState, case: CaseFile | None) -> ChatReply:
        pasted = message.split(":", 1)[1].strip() if ":" in message else ""
        if len(pasted) > 40:
            report = self.services.check_text(pasted, requested_decision(pasted), case)
            return self._check_reply("your text", report)
        return self.check_item(requested_item(message, state), state)

    def verify_item(self, index: int, state: ChatState) -> VerificationReport:
        """Verify the current draft of item `index` (which must exist) and keep the report."""
        report = self.services.verify(state.drafts[index], state.case)
        state.reports[index] = report
        return report

    def check_item(self, index: int, state: ChatState) -> ChatReply:
        """Verify the current draft of item `index` and say what was found."""
        if state.drafts.get(index) is None:
            return ChatReply(text="Paste the text after “check:”, or draft an item first.", intent="check")
        return self._check_reply(f"the draft of item {index + 1}", self.verify_item(index, state))

    def _check_reply(self, subject: str, report: VerificationReport) -> ChatReply:
        lines = [f"Checked {subject}: {report.badge()}."]
        lines += [f"- {c.status.replace('_', ' ')}: {c.message}" for c in report.problems]
        lines += [f"- drafting note to act on, then delete: {note}" for note in report.notes_to_resolve]
        if len(lines) == 1:
            lines.append("- No problems found.")
        return ChatReply(text="\n".join(lines), intent="check", report=report)

    def _explain(self, message: str, state: ChatState, case: CaseFile | None) -> ChatReply:
        index = requested_item(message, state)
        current = state.drafts.get(index)
        if current is None and case is not None and 0 <= index < len(case.items):
            from assistant.conversation.checklist_answer import answer_checklist

            checklist = self._item_checklist(case, index, state)  # not drafted yet: what the record shows against each criterion
            if checklist is not None:
                state.last_item = index
                return ChatReply(text=answer_checklist("checklist", checklist, index + 1) + f"\nDraft item {index + 1} to "
                                 "see which guideline passages were chosen and why.", intent="explain", item_index=index)
        if current is None or case is None:
            return ChatReply(text=f"Draft item {index + 1} first; then I can explain why its passages were chosen.",
                             intent="explain")
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
