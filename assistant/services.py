"""One object that wires the stages together for the CLI, the conversation engine and the UI."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from assistant.config import Settings
from assistant.contracts import CaseFile, Decision, ItemRationale, RetrievedPassage, VerificationReport
from assistant.drafting.chain import DraftingChain, DraftResult
from assistant.drafting.intake import case_from_file, case_from_text
from assistant.drafting.routing import load_routing, route_item
from assistant.errors import AssistantError
from assistant.retrieval.search import GuidelineSearch
from assistant.verification.verify import check_free_text, verify_rationale
from assistant.vocabulary.categories import classify_item


def open_precedents(settings: Settings):
    """The imported prior determinations, or None when none were imported (`assistant letters import DIR`)."""
    from assistant.precedents.index import PrecedentIndex

    try:
        index = PrecedentIndex.open(settings)
    except (AssistantError, OSError, ValueError):
        return None
    return index if len(index) else None


@dataclass(frozen=True)
class QuestionScope:
    """The guidelines a chat question is routed to for the open case, and how the question was read."""

    guideline_ids: list[str]
    reading: str


log = logging.getLogger(__name__)


class Services:
    def __init__(self, settings: Settings, search: GuidelineSearch, model=None, precedents=None):
        self.settings = settings
        self.search = search
        self.model = model
        self.precedents = precedents
        self.chain = DraftingChain(search, search.page_ranking, model, precedents)

    @classmethod
    def open(cls, settings: Settings) -> "Services":
        search = GuidelineSearch(settings)
        model = None
        if settings.model != "offline":
            from assistant.drafting.providers import chat_model_for

            model = chat_model_for(settings)
        return cls(settings, search, model, open_precedents(settings))

    @property
    def library(self):
        return self.search.library

    def backend_status(self) -> str:
        if self.settings.model == "offline":
            return "Model: offline deterministic drafter (no model, no network)."
        where = "REMOTE — case text is sent to " + (self.settings.model_base_url or self.settings.model) if self.settings.model_is_remote else "local"
        return f"Model: {self.settings.model} {self.settings.model_name or ''} ({where})."

    def intake_text(self, text: str, source_name: str | None = None) -> CaseFile:
        return case_from_text(text, source_name)

    def intake_file(self, path: Path) -> CaseFile:
        return case_from_file(Path(path))

    def draft(self, case: CaseFile, item_index: int, decision: Decision | None = None) -> DraftResult:
        if self.settings.debug_log_case_text:  # off by default: case text is PHI and stays out of logs
            log.debug("Drafting item %d of case %s; summary: %s", item_index + 1, case.case_id, case.summary)
        else:
            log.debug("Drafting item %d of case %s", item_index + 1, case.case_id)
        return self.chain.run(case, item_index, decision)

    def checklist(self, case: CaseFile, item_index: int, decision: Decision | None = None):
        """The item's criteria checklist (None when no loaded criteria set covers it)."""
        return self.chain.checklist(case, item_index, decision)

    def evidence(self, case: CaseFile, item_index: int):
        return self.chain.evidence(case, item_index)

    def verify(self, rationale: ItemRationale, case: CaseFile | None = None) -> VerificationReport:
        """Guideline citations; with the case, also the record quotes and the sentences stating record facts."""
        return verify_rationale(rationale, self.library, self.search.page_ranking, case)

    def check_text(self, text: str, decision: Decision | None = None, case: CaseFile | None = None) -> VerificationReport:
        """A person's rationale; with the case, every sentence stating a record fact is checked against it."""
        return check_free_text(text, self.library, decision, self.search.page_ranking, case)

    def lookup(self, question: str, k: int = 5, guideline_ids: list[str] | None = None,
               distinct_pages: bool = False) -> list[RetrievedPassage]:
        """The k closest passages; with distinct_pages at most one per printed page (a reviewer's list of places to
        read: four chunks of one page filled four of a chat answer's five places)."""
        return self.search.search(question, k=k, guideline_ids=guideline_ids, distinct_pages=distinct_pages)

    def question_scope(self, question: str, case: CaseFile) -> QuestionScope | None:
        """The guidelines a question asked with a case open is routed to, read like one of the case's items (its
        treatment from the question, its body region from the question or else the case's diagnoses): "is
        electrical stimulation recommended?" in a lumbar sprain case → the low back pain guideline. None when the
        routing table sends it nowhere."""
        topic = classify_item(question)
        routing = route_item(question, topic, case.summary)
        if not routing.routed or self._names_another_condition(question, routing.guidelines):
            return None
        # A drug-class route (opioids → CDC) holds whatever the body part: the region is said only when it routed.
        regional = any(r.regions for r in load_routing().routes
                       if r.guideline in routing.guidelines and r.categories & set(topic.names))
        regions = f" for the {', '.join(routing.regions)} region" if routing.regions and regional else ""
        return QuestionScope(guideline_ids=routing.guidelines, reading=f"read as {', '.join(topic.names)}{regions}")

    def question_gap(self, question: str, case: CaseFile | None = None) -> str | None:
        """Why no indexed guideline answers a question, read like an item (its treatment, its body region from the
        question or else the open case's diagnoses): "is acupuncture recommended for neck pain?" listed opioid and
        low back passages as "the closest guideline passages" with nothing saying that none is about the neck.
        None when the routing table sends the question somewhere, or it names no treatment ("is there instability?"
        in a knee case is no question a guideline fails to address)."""
        topic = classify_item(question)
        routing = route_item(question, topic, case.summary if case is not None else "")
        if routing.routed or not routing.uncovered_regions or not topic.names:
            return None
        hint = topic.primary.governing_hint if topic.primary else None
        governs = f"; the guideline that most likely governs, the {hint}, is not indexed" if hint else ""
        return f"No indexed guideline addresses this question ({routing.reason}){governs}."

    def _names_another_condition(self, question: str, guideline_ids: list[str]) -> bool:
        """The question names a condition of a guideline outside the scope (the catalog's `conditions`: "electrical
        stimulation after a stroke?"), and none of the scope's own: it is not about this case's condition."""
        def named(ids: list[str]) -> bool:
            return any(re.search(rf"\b{re.escape(c)}\b", question, re.IGNORECASE)
                       for g in ids for c in getattr(self.library.entries.get(g), "conditions", []))

        others = [g for g in self.library.entries if g not in guideline_ids]
        return named(others) and not named(guideline_ids)

    def words_no_guideline_uses(self, question: str) -> list[str]:
        """The question's words that no indexed guideline holds (the passages found cannot be about them)."""
        return self.search.words_no_guideline_uses(question)

    def query_reading(self, question: str) -> str:
        """What the search also looked for (corrected spellings, abbreviations, brand names), said to the reviewer."""
        return self.search.understood(question).reading()
