"""The drafting chain as three typed steps over one `DraftState`: gather (evidence and precedents) → write (the
offline drafter or the model) → verify_and_repair (verify, ask the model to repair once, or drop and flag).

Plain function composition: nothing streams or branches, so no runnable framework is needed."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from pydantic import BaseModel, ConfigDict, Field

from assistant.contracts import AbstentionNote, CaseFile, Checklist, CitationCheck, Decision, ItemRationale, VerificationReport
from assistant.drafting.checklist_writer import draft_from_checklist
from assistant.drafting.evidence import Evidence, gather_evidence, routed_guidelines
from assistant.drafting.llm_drafter import StructuredDraft, draft_with_model, revise_with_model
from assistant.drafting.offline import draft_offline
from assistant.errors import CaseInputError, ModelBackendError
from assistant.precedents.governing import suggest_governing
from assistant.precedents.note import precedent_note
from assistant.retrieval.search import GuidelineSearch
from assistant.verification.textmatch import split_sentences, support_score
from assistant.verification.verify import PageRanker, verify_rationale

log = logging.getLogger(__name__)
DEFAULT_DECISION: Decision = "Upheld"
# Share of a model-written case fact's content words that must occur in the case summary.
FACT_SUPPORT_THRESHOLD = 0.6


def with_governing_suggestion(note: AbstentionNote, case: CaseFile, item_text: str, similar: list) -> AbstentionNote:
    """Name the guideline part and section that most likely governs (precedents first, then the category hint)."""
    suggestions = suggest_governing(item_text, case.summary, similar, k=1)
    if not suggestions:
        return note
    best = suggestions[0]
    return note.model_copy(update={"suggested_guideline": best.label, "suggested_section": best.section})


class DraftState(BaseModel):
    """What the drafting steps hand each other: the request, then the evidence, then the written draft."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    case: CaseFile
    item_index: int
    decision: Decision | None = Field(default=None, description="As asked; None means the default decision.")
    evidence: Evidence | None = None
    precedents: list[Any] = Field(default_factory=list)
    decision_used: Decision | None = None
    rationale: ItemRationale | None = None
    structured: StructuredDraft | None = Field(default=None, description="The model's structured draft, if it wrote one.")
    checklist: Checklist | None = Field(default=None, description="Criteria checklist when a loaded criteria set covers the item.")
    notes: list[str] = Field(default_factory=list)


@dataclass
class DraftResult:
    rationale: ItemRationale
    report: VerificationReport
    evidence: Evidence
    repairs: list[str] = field(default_factory=list)
    decision_defaulted: bool = False


def drop_failed_citations(rationale: ItemRationale, report: VerificationReport) -> tuple[ItemRationale, list[str]]:
    """Remove citations that failed and the sentences that lean on them; renumber the rest."""
    failed = {c.marker for c in report.checks if c.citation is not None and c.status != "verified" and c.marker}
    orphan = {c.marker for c in report.checks if c.status == "orphan_marker" and c.marker}
    if not failed and not orphan:
        return rationale, []
    keep = [i for i, _ in enumerate(rationale.citations, start=1) if f"[{i}]" not in failed]
    renumber = {old: new for new, old in enumerate(keep, start=1)}
    sentences = [s for s in split_sentences(rationale.rationale)
                 if not any(m in s for m in failed | orphan)]
    text = re.sub(r"\[(\d{1,3})\]", lambda m: f"[{renumber.get(int(m.group(1)), m.group(1))}]", " ".join(sentences))
    notes = [f"Dropped citation {m} and its sentence: it failed verification." for m in sorted(failed)]
    notes += [f"Dropped a sentence with marker {m}, which matched no citation." for m in sorted(orphan)]
    updated = rationale.model_copy(update={"rationale": text,
                                           "citations": [rationale.citations[i - 1] for i in keep]})
    return updated, notes


class DraftingChain:
    def __init__(self, search: GuidelineSearch, ranker: PageRanker | None, model: BaseChatModel | None = None,
                 precedents=None):
        self.search = search
        self.ranker = ranker
        self.model = model
        self.precedents = precedents
        self._criteria: tuple[dict, object] | None = None

    def criteria(self) -> tuple[dict, object]:
        """Criteria sets whose guideline is indexed (quotes verified on the indexed pages), loaded once."""
        if self._criteria is None:
            from assistant.criteria import GuidelinePages
            from assistant.criteria.load import load_available_criteria

            pages = GuidelinePages.from_library(self.search.library)
            sets, problems = load_available_criteria(pages)
            for problem in problems:
                log.warning("Criteria set not loaded: %s", problem)
            self._criteria = (sets, pages)
        return self._criteria

    def checklist(self, case: CaseFile, item_index: int, decision: Decision | None = None) -> Checklist | None:
        """The item's criteria checklist, or None when no loaded criteria set covers its category. Only the criteria of
        guidelines routing.toml allows for the item apply (the low back checklist never answers a neck MRI)."""
        from assistant.criteria.checklist import build_checklist, item_category

        sets, pages = self.criteria()
        item = case.items[item_index]
        routed = set(routed_guidelines(case, item, list(sets)))
        sets = {key: s for key, s in sets.items() if s.guideline_id in routed}
        if not sets:
            return None
        checklist = build_checklist(case, item_index, sets, item_category(item.text), decision=decision, pages=pages)
        return self._library_titles(checklist) if checklist is not None else None

    def _library_titles(self, checklist: Checklist) -> Checklist:
        """Guideline titles and short forms as the index's catalog gives them, like every other citation."""
        entries = self.search.library.entries

        def titled(citation):
            entry = entries.get(citation.guideline_id) if citation is not None else None
            return citation.model_copy(update={"title": entry.title, "short_form": entry.short_form}) if entry else citation

        rows = [row.model_copy(update={"guideline": titled(row.guideline)}) for row in checklist.rows]
        return checklist.model_copy(update={"rows": rows, "mme_citation": titled(checklist.mme_citation)})

    def run(self, case: CaseFile, item_index: int, decision: Decision | None = None) -> DraftResult:
        state = DraftState(case=case, item_index=item_index, decision=decision)
        return self.verify_and_repair(self.write(self.gather(state)))

    def evidence(self, case: CaseFile, item_index: int) -> Evidence:
        """Only the evidence-gathering step: what the draft would rest on, without writing or verifying it."""
        return self.gather(DraftState(case=case, item_index=item_index)).evidence

    def gather(self, state: DraftState) -> DraftState:
        case = state.case
        index = state.item_index
        if not case.items:
            raise CaseInputError("The case lists no disputed items. Add them (one per line under 'IMR ISSUES:').")
        if not 0 <= index < len(case.items):
            raise CaseInputError(f"Item {index + 1} does not exist; the case has {len(case.items)} item(s).")
        evidence = gather_evidence(case, case.items[index], self.search)
        similar = self._similar_precedents(case, case.items[index].text)
        if evidence.abstention is not None:
            evidence.abstention = with_governing_suggestion(evidence.abstention, case, case.items[index].text, similar)
        checklist = self.checklist(case, index, state.decision or DEFAULT_DECISION)
        return state.model_copy(update={"evidence": evidence, "precedents": similar, "checklist": checklist})

    def _similar_precedents(self, case: CaseFile, item_text: str) -> list:
        if self.precedents is None:
            return []
        return self.precedents.similar(item_text, k=10, exclude_case=case.case_id, case_summary=case.summary)

    def write_offline(self, state: DraftState, decision: Decision) -> ItemRationale:
        """The one place the offline writer is chosen: from the checklist when a criteria set covers the item and
        its guideline is the governing one (a higher-tier guideline, e.g. the MTUS, keeps governing otherwise)."""
        checklist = state.checklist
        governing = {p.citation.guideline_id for p in state.evidence.governing}
        if checklist is not None and checklist.applicable and governing <= set(checklist.guideline_ids):
            return draft_from_checklist(state.case, state.evidence, decision, checklist)
        return draft_offline(state.case, state.evidence, decision).model_copy(update={"checklist": checklist})

    def write(self, state: DraftState) -> DraftState:
        decision = state.decision or DEFAULT_DECISION
        evidence = state.evidence
        if self.model is None or evidence.abstention is not None:
            return state.model_copy(update={"decision_used": decision, "rationale": self.write_offline(state, decision)})
        try:
            rationale, structured = draft_with_model(self.model, state.case, evidence, decision, state.checklist)
        except ModelBackendError as exc:
            note = f"The model's reply could not be used ({exc}); the offline drafter wrote this draft instead."
            return state.model_copy(update={"decision_used": decision, "notes": [note],
                                            "rationale": self.write_offline(state, decision)})
        rationale = rationale.model_copy(update={"checklist": state.checklist})
        return state.model_copy(update={"decision_used": decision, "rationale": rationale, "structured": structured})

    def _draft_level_checks(self, state: DraftState, rationale: ItemRationale) -> list[CitationCheck]:
        """A draft with no citation where the corpus has governing text, and model-written case facts that the
        record does not contain, are flagged for the reviewer."""
        checks: list[CitationCheck] = []
        evidence = state.evidence
        if evidence.governing and not rationale.citations:
            checks.append(CitationCheck(status="no_citation", message=(
                "The draft cites no guideline passage although the indexed corpus addresses this item; "
                "add a citation or redraft.")))
        structured = state.structured
        if structured is not None:
            summary = state.case.summary
            for fact in structured.case_facts:
                if fact.strip() and support_score(fact, summary) < FACT_SUPPORT_THRESHOLD:
                    checks.append(CitationCheck(status="fact_not_in_record", sentence=fact, message=(
                        f"“{fact.strip()[:120]}” is not found in the case summary; check it against the records.")))
        return checks

    def verify_and_repair(self, state: DraftState) -> DraftResult:
        library = self.search.library
        rationale = state.rationale
        report = verify_rationale(rationale, library, self.ranker, state.case)
        repairs: list[str] = list(state.notes)
        if report.problems and self.model is not None and state.structured is not None:
            repairs.append("Asked the model to repair: " + "; ".join(p.message for p in report.problems))
            try:
                rationale = revise_with_model(self.model, state.case, state.evidence, state.decision_used,
                                              state.structured, [p.message for p in report.problems])
                report = verify_rationale(rationale, library, self.ranker, state.case)
            except ModelBackendError as exc:
                repairs.append(f"The model's repair could not be used ({exc}).")
        if report.problems:
            rationale, dropped = drop_failed_citations(rationale, report)
            if dropped:
                repairs += dropped
                flagged = [p for p in report.problems if p.citation is not None or p.status == "orphan_marker"]
                report = verify_rationale(rationale, library, self.ranker, state.case)
                for problem in flagged:
                    report.checks.append(problem.model_copy(update={
                        "message": "Removed from the draft: " + problem.message, "status": problem.status}))
        report.checks += self._draft_level_checks(state, rationale)
        if state.precedents:
            rationale = rationale.model_copy(update={"precedent_note": precedent_note(state.precedents)})
        return DraftResult(rationale=rationale, report=report, evidence=state.evidence, repairs=repairs,
                           decision_defaulted=state.decision is None)
