"""The criteria contracts: a criterion is a question, the guideline's own words with their printed page,
the items it applies to and the record facts that answer it."""

from __future__ import annotations

import re
from enum import Enum

from pydantic import BaseModel, ConfigDict, Field, model_validator


class RecordFact(str, Enum):
    """The closed vocabulary of case-record facts a criterion can depend on (fact extractors produce these)."""

    opioid_duration = "opioid_duration"
    pain_scores = "pain_scores"
    function = "function"
    work_status = "work_status"
    urine_drug_test = "urine_drug_test"
    pdmp_check = "pdmp_check"
    opioid_agreement = "opioid_agreement"
    risk_assessment = "risk_assessment"
    treatment_goals = "treatment_goals"
    naloxone = "naloxone"
    benzodiazepine = "benzodiazepine"
    mme_per_day = "mme_per_day"
    opioid_formulation = "opioid_formulation"
    medications = "medications"
    medication_duration = "medication_duration"
    prior_treatments = "prior_treatments"
    treatment_response = "treatment_response"
    red_flags = "red_flags"
    neuro_findings = "neuro_findings"
    symptom_duration = "symptom_duration"
    prior_imaging = "prior_imaging"
    surgery_candidate = "surgery_candidate"
    side_effects = "side_effects"
    aberrant_behaviour = "aberrant_behaviour"
    substance_use_history = "substance_use_history"
    mental_health = "mental_health"
    comorbidities = "comorbidities"
    age = "age"
    diagnosis = "diagnosis"
    exercise_program = "exercise_program"
    visits_completed = "visits_completed"
    weight_bmi = "weight_bmi"
    sleep_hygiene = "sleep_hygiene"
    cbt_i = "cbt_i"
    sleep_study = "sleep_study"


class ItemCategory(str, Enum):
    """Item categories. The first names are those of assistant/vocabulary/categories.py (a test keeps them in step);
    the last few name items that a category there does not yet cover."""

    opioid = "opioid"
    benzodiazepine = "benzodiazepine"
    naloxone = "naloxone"
    drug_testing = "drug-testing"
    psychological = "psychological"
    imaging = "imaging"
    electrodiagnostic = "electrodiagnostic"
    eeg = "eeg"
    surgery = "surgery"
    physical_therapy = "physical-therapy"
    chiropractic = "chiropractic"
    acupuncture = "acupuncture"
    tens = "tens"
    physical_modality = "physical-modality"
    injection = "injection"
    nsaid = "nsaid"
    muscle_relaxant = "muscle-relaxant"
    topical = "topical"
    anticonvulsant_antidepressant = "anticonvulsant-antidepressant"
    ppi = "ppi"
    sleep_aid = "sleep-aid"
    dme = "dme"
    # Not (yet) a category in vocabulary/categories.py:
    weight_management = "weight-management"
    sleep_study = "sleep-study"
    pap_therapy = "pap-therapy"
    radiofrequency_ablation = "radiofrequency-ablation"


class Requirement(str, Enum):
    required = "required"
    """The guideline makes the item conditional on it: not documented counts against the request."""
    supporting = "supporting"
    """Strengthens or weakens the case but does not decide it alone."""


class Criterion(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{2,80}$")
    question: str = Field(min_length=10, description="Answered from the record, e.g. 'Is improvement in function documented?'")
    guideline_quote: str = Field(min_length=25, description="The guideline's own words, verified on `page` at load.")
    page: str = Field(min_length=1, description="Printed page of the quote (the page a reader would cite).")
    section: str = ""
    applies_to: list[ItemCategory] = Field(default_factory=list, description="Empty: inherit the topic's categories.")
    item_names: list[str] = Field(
        default_factory=list,
        description="The criterion applies only to a request that names one of these (a word or the start of one, "
                    "any case): a knee or hip, hyaluronic acid or a brand of it. Empty: any request of its categories.")
    unless_item_names: list[str] = Field(
        default_factory=list, description="The criterion does not apply to a request that names one of these.")
    requirement: Requirement
    record_facts: list[RecordFact] = Field(min_length=1)
    met_when: str = Field(min_length=5)
    not_met_when: str = Field(min_length=5)
    missing: str | None = Field(
        default=None, min_length=3, max_length=120,
        description="What the record lacks when the criterion is not documented, as the reviewer writes it after "
                    "'There is no documentation of' (e.g. 'a PDMP (CURES) check'). A short phrase keeps the record "
                    "verifier's absence check meaningful; without it the draft repeats the question.")

    def names_in(self, item_text: str) -> str | None:
        """None when the request's wording fits `item_names` / `unless_item_names`; otherwise why it does not."""
        def named(words: list[str]) -> list[str]:
            return [w for w in words if re.search(rf"\b{re.escape(w)}", item_text, re.IGNORECASE)]

        if self.item_names and not named(self.item_names):
            return f"The request names none of: {', '.join(self.item_names)}."
        excluded = named(self.unless_item_names)
        if excluded:
            return f"The request names {excluded[0]}, to which this criterion does not apply."
        return None


class CriteriaTopic(BaseModel):
    """One clinical question of a guideline (e.g. 'continuing long-term opioid therapy') and its criteria."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{2,80}$")
    title: str = Field(min_length=3)
    applies_to: list[ItemCategory] = Field(min_length=1)
    when: str = Field(default="", description="The situation in which this topic applies, for the reviewer.")
    criteria: list[Criterion] = Field(min_length=1, alias="criterion")

    def categories_of(self, criterion: Criterion) -> list[ItemCategory]:
        return list(criterion.applies_to) or list(self.applies_to)


class CriteriaSet(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    guideline_id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{2,62}$")
    title: str = ""
    reviewed_by: str = ""
    topics: list[CriteriaTopic] = Field(min_length=1, alias="topic")

    @model_validator(mode="after")
    def _ids_unique(self) -> "CriteriaSet":
        seen: set[str] = set()
        for topic in self.topics:
            for criterion in topic.criteria:
                if criterion.id in seen:
                    raise ValueError(f"criterion id {criterion.id!r} is used twice")
                seen.add(criterion.id)
        return self

    @property
    def criteria(self) -> list[Criterion]:
        return [c for topic in self.topics for c in topic.criteria]

    def for_category(self, category: ItemCategory | str) -> list[tuple[CriteriaTopic, Criterion]]:
        wanted = ItemCategory(category)
        return [(t, c) for t in self.topics for c in t.criteria if wanted in t.categories_of(c)]
