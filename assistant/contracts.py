"""The pydantic contracts passed between stages: corpus → index → retrieval → drafting → verification."""

from __future__ import annotations

import re
from datetime import date
from enum import Enum
from fnmatch import fnmatchcase
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class EvidenceTier(str, Enum):
    """The hierarchy of 8 CCR §9792.21.1: MTUS first, then other evidence-based guidelines, then studies."""

    mtus = "mtus"
    evidence_based = "evidence-based"
    peer_reviewed = "peer-reviewed"

    @property
    def rank(self) -> int:
        return {"mtus": 1, "evidence-based": 2, "peer-reviewed": 3}[self.value]

    @property
    def label(self) -> str:
        return {
            "mtus": "MTUS (governs first)",
            "evidence-based": "Other evidence-based guideline",
            "peer-reviewed": "Peer-reviewed study",
        }[self.value]


class SectionRule(BaseModel):
    """A heading pattern for one document: a line matching `pattern` opens a section at `level`.

    `label` is a format string over the regex groups, e.g. "Recommendation {1}" or "{0}" (the whole line).
    """

    model_config = ConfigDict(frozen=True)

    pattern: str
    level: int = Field(ge=1, le=4)
    label: str = "{0}"
    within: str | None = Field(default=None, description="Apply only inside this top-level section, e.g. 'Box 3'.")
    ends_at_page_break: bool = Field(
        default=False, description="A boxed insert: the section closes at the page end unless the next page continues it."
    )
    continues_pattern: str | None = Field(default=None, description="First line of a page that continues the section.")
    after: str | None = Field(
        default=None, description="Apply only when the previous line matches this regex (e.g. a 'Recommendation' heading)."
    )


class GuidelineEntry(BaseModel):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{2,62}$")
    title: str = Field(min_length=3)
    short_form: str = Field(min_length=2)
    publisher: str = ""
    edition: str = ""
    jurisdiction: str = ""
    tier: EvidenceTier
    url: str | None = None
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    licence: str = ""
    filename: str
    source: Literal["catalog", "reviewer"] = "catalog"
    running_header: str | None = Field(
        default=None, description="Regex for a running header/footer line; group 'page' captures the printed page."
    )
    section_rules: list[SectionRule] = Field(default_factory=list)
    strength_pattern: str | None = Field(
        default=None,
        description="Regex (matched on the section's text with all whitespace removed) whose group 1 is a "
        "recommendation's strength, e.g. the '(Weak for | Reviewed, New-added)' line of VA/DoD guidelines.",
    )
    strength_label: str = Field(
        default="{1}",
        description="How a matched strength is shown, from strength_pattern's groups, e.g. 'Category {1}, evidence "
        "type {2}' for the CDC guideline's '(recommendation category: A; evidence type: 3)'.",
    )
    restating_sections: list[str] = Field(
        default_factory=list,
        description="Top-level sections that restate guidance given in full elsewhere (a summary box); "
        "searchable, but a governing citation prefers the full text.",
    )
    unindexed_sections: list[str] = Field(
        default_factory=list, description="Top-level sections kept for verification but not retrieved (e.g. References)."
    )
    superseded: str | None = Field(
        default=None, description="Set when a newer edition exists: shown wherever this guideline is cited."
    )
    conditions: list[str] = Field(
        default_factory=list, description="Body regions and conditions the guideline addresses (for routing)."
    )

    @model_validator(mode="after")
    def _strength_label_fits_its_pattern(self) -> GuidelineEntry:
        named = [int(n) for n in re.findall(r"\{(\d+)\}", self.strength_label)]
        groups = re.compile(self.strength_pattern).groups if self.strength_pattern else 1
        if named and max(named) > groups:
            raise ValueError(f"strength_label {self.strength_label!r} shows group {max(named)}, but strength_pattern "
                             f"has {groups} group(s); number the groups of the pattern you wrote")
        return self

    def restates(self, section_path: list[str] | tuple[str, ...]) -> bool:
        """Whether a passage's top-level section restates guidance given in full elsewhere.

        restating_sections and unindexed_sections hold exact labels or shell patterns ('Appendix ?: Evidence Table*').
        """
        return bool(section_path) and any(fnmatchcase(section_path[0], p) for p in self.restating_sections)

    def unindexed(self, section_path: list[str] | tuple[str, ...]) -> bool:
        return bool(section_path) and any(fnmatchcase(section_path[0], p) for p in self.unindexed_sections)


class PrintedPageSource(str, Enum):
    page_labels = "page-labels"
    running_header = "running-header"
    physical_index = "physical-index"


class GuidelinePage(BaseModel):
    guideline_id: str
    physical_page: int = Field(ge=1)
    printed_page: str
    printed_page_source: PrintedPageSource
    text: str
    section_at_start: list[str] = Field(default_factory=list)


class Chunk(BaseModel):
    chunk_id: str
    guideline_id: str
    physical_page: int
    printed_page: str
    section_path: list[str]
    char_start: int
    char_end: int
    text: str
    strength: str | None = Field(default=None, description="A recommendation's strength and direction, e.g. 'Weak for'.")

    @property
    def section(self) -> str:
        return " > ".join(self.section_path)


class Citation(BaseModel):
    guideline_id: str
    title: str
    short_form: str = ""
    printed_page: str
    printed_page_end: str | None = Field(default=None, description="Set only for a quote that runs onto the next page.")
    section: str = ""
    quote: str
    strength: str | None = Field(default=None, description="The cited recommendation's strength, e.g. 'Strong against'.")
    superseded: str | None = Field(default=None, description="The guideline's superseded note, shown with the citation.")

    @property
    def pages(self) -> str:
        if self.printed_page_end and self.printed_page_end != self.printed_page:
            return f"pp. {self.printed_page}–{self.printed_page_end}"
        return f"p. {self.printed_page}"

    def label(self) -> str:
        section = f" — {self.section}" if self.section else ""
        return f"{self.title}, {self.pages}{section}"

    @property
    def recommendations(self) -> frozenset[int]:
        return recommendation_numbers(self.section)

    @property
    def top_section(self) -> str:
        return top_section(self.section)


def top_section(section: str) -> str:
    """A section's first level without a criterion's " — Discussion": "Recommendation 2 — Discussion > …" →
    "Recommendation 2" (what routing.toml names)."""
    return section.split(" — ")[0].split(" > ")[0]


RECOMMENDATION_SECTION = re.compile(r"^Recommendations? (\d+)(?:\s*[–-]\s*(\d+))?\b")


def recommendation_numbers(section: str) -> frozenset[int]:
    """The numbered recommendations a section label names: "Recommendation 2" and "Recommendation 2 — Discussion"
    → {2}; a discussion several statements share, "Recommendations 10–11" → {10, 11}; anything else → {}."""
    found = RECOMMENDATION_SECTION.match(section.strip())
    if not found:
        return frozenset()
    first = int(found.group(1))
    last = int(found.group(2) or first)
    return frozenset(range(first, last + 1)) if 0 <= last - first <= 20 else frozenset({first})


class RetrievedPassage(BaseModel):
    chunk_id: str
    citation: Citation
    physical_page: int
    tier: EvidenceTier
    score: float
    vector_rank: int | None = None
    bm25_rank: int | None = None
    relevance: float | None = Field(default=None, description="Calibrated 0–1: does it address the item at all?")


class DisputedItem(BaseModel):
    text: str = Field(min_length=1)
    quantity: str | None = None
    request_date: str | None = None
    claims_administrator_guideline: str | None = Field(
        default=None, description="The guideline the claims administrator cited for this item, as the letter/UR states it."
    )


class CaseFile(BaseModel):
    case_id: str = "case"
    summary: str = ""
    injury_date: str | None = None
    ur_denial_date: str | None = None
    ur_decision: str | None = None
    ur_guideline: str | None = None
    items: list[DisputedItem] = Field(default_factory=list)
    source_name: str | None = None
    record_text: str = Field(
        default="", description="Case text intake kept beyond the summary (e.g. the UR text), which record quotes may cite."
    )

    def claims_administrator_line(self, item: DisputedItem) -> str:
        """The item's own Claims Administrator guideline line; the case's first line only when the item has none
        (every drafter uses this, so a checklist draft no longer shows item 1's line for item 4, CM17-0016311)."""
        return item.claims_administrator_guideline or self.ur_guideline or ""


Decision = Literal["Upheld", "Overturned"]


class CaseFact(BaseModel):
    text: str
    date: str | None = None


REQUEST_SOURCE = "disputed items"
"""The source named on a record quote taken from the case file's list of disputed items (the request itself)."""


def readable_date(date: str | None) -> str | None:
    """A record date as a reader expects it: "11-4- 16", where the letter's PDF broke the line after a separator,
    reads "11-4-16" (the quote itself stays verbatim)."""
    return re.sub(r"([-/]) +(?=\d)", r"\1", date) if date else None


class RecordCitation(BaseModel):
    """A verbatim quote from the case record backing a statement about the case, shown as marker [R<n>].

    The record side of a rationale is grounded like the guideline side: the verifier checks `quote` against the
    case text (whitespace and hyphenation normalised, no paraphrase accepted)."""

    quote: str = Field(min_length=1)
    source: str = Field(default="case record", description="Document or section of the case file, e.g. 'UR determination'.")
    date: str | None = Field(default=None, description="The date the record gives for this fact, as written there.")

    def label(self) -> str:
        dated = f", {self.shown_date}" if self.date else ""
        return f"{self.source}{dated}"

    @property
    def shown_date(self) -> str | None:
        return readable_date(self.date)

    @classmethod
    def of_request(cls, item: DisputedItem) -> RecordCitation:
        """The request itself, quoted from the case file's list of disputed items (the evidence for what is asked)."""
        return cls(quote=item.text, source=REQUEST_SOURCE)


class AbstentionNote(BaseModel):
    """Why a draft cites no guideline: nothing indexed addresses the item."""

    message: str
    suggested_guideline: str | None = None
    suggested_section: str | None = None


ChecklistStatus = Literal["met", "not_met", "not_documented", "not_applicable"]


class ChecklistRow(BaseModel):
    """One criterion for one disputed item: its status from the record, the guideline's words, the record's words."""

    criterion_id: str
    question: str
    topic: str = ""
    requirement: Literal["required", "supporting"]
    status: ChecklistStatus
    guideline: Citation = Field(description="The criterion's guideline quote and printed page (verified when loaded).")
    record_citations: list[RecordCitation] = Field(default_factory=list)
    reason: str = Field(description="Why this status, in plain words a reviewer can check against the quotes.")
    edited_by_reviewer: bool = False


class Checklist(BaseModel):
    """The applicable criteria for a disputed item, and a suggested decision that is only ever a suggestion."""

    item: DisputedItem
    category: str | None = None
    guideline_ids: list[str] = Field(default_factory=list)
    rows: list[ChecklistRow] = Field(default_factory=list)
    mme_per_day: float | None = None
    mme_arithmetic: str = ""
    mme_citation: Citation | None = Field(default=None, description="CDC 2022 conversion factors, printed page 31.")
    mme_record: RecordCitation | None = None
    mme_missing: str | None = Field(default=None, description="What the record lacks for MME/day, e.g. 'how often the opioid is taken'.")
    suggested_decision: Decision | None = None
    suggestion_reasons: list[str] = Field(default_factory=list)
    warning: str | None = Field(default=None, description="Set when the reviewer's decision runs against the checklist.")

    @property
    def applicable(self) -> list[ChecklistRow]:
        return [r for r in self.rows if r.status != "not_applicable"]

    def missing(self) -> list[ChecklistRow]:
        """Applicable criteria the record does not document (the reviewer's 'there is no documentation of …')."""
        return [r for r in self.applicable if r.status == "not_documented"]


class ItemRationale(BaseModel):
    item: DisputedItem
    decision: Decision
    claims_administrator_guideline: str = ""
    reviewer_guideline_line: str = ""
    rationale: str
    citations: list[Citation] = Field(default_factory=list)
    supporting_citations: list[Citation] = Field(
        default_factory=list, description="Lower-tier passages shown as support only, never as the governing text."
    )
    case_facts: list[CaseFact] = Field(default_factory=list)
    record_citations: list[RecordCitation] = Field(
        default_factory=list, description="Record quotes; [R1] in the text refers to the first."
    )
    abstention: AbstentionNote | None = None
    scope_note: str | None = Field(default=None, description="Set when the cited guideline answers only some of the "
                                   "body regions the request names; the draft says which it does not.")
    precedent_note: str | None = None
    checklist: Checklist | None = Field(default=None, description="Criteria checklist when a criteria set covers the item.")

    @field_validator("decision", mode="before")
    @classmethod
    def _normalise_decision(cls, value: object) -> object:
        if isinstance(value, str) and value.strip().lower() in {"upheld", "overturned"}:
            return value.strip().capitalize()
        return value


class Determination(BaseModel):
    case: CaseFile
    items: list[ItemRationale] = Field(default_factory=list)


CheckStatus = Literal[
    "verified",
    "page_wrong",
    "quote_not_found",
    "guideline_not_in_corpus",
    "page_not_in_guideline",
    "claim_not_supported",
    "orphan_marker",
    "uncited_requirement",
    "decision_inconsistent",
    "unverifiable_reference",
    "fact_not_in_record",
    "no_citation",
    "record_quote_not_found",
    "record_fact_uncited",
    "record_fact_not_supported",
    "record_contradicts",
    "record_documents_it",
    "reviewer_statement_unverified",
]


RECORD_STATUSES = frozenset({
    "record_quote_not_found", "record_fact_uncited", "record_fact_not_supported", "record_contradicts",
    "record_documents_it", "reviewer_statement_unverified", "fact_not_in_record",
})


class CitationCheck(BaseModel):
    marker: str | None = None
    citation: Citation | None = None
    record_citation: RecordCitation | None = None
    status: CheckStatus
    message: str
    found_on_pages: list[str] = Field(default_factory=list)
    support_score: float | None = None
    sentence: str | None = None
    absence: bool = Field(default=False, description="A statement that the record lacks something ('there is no "
                          "documentation of X'), checked against every record sentence: it has no quote to show.")


class VerificationReport(BaseModel):
    checks: list[CitationCheck] = Field(default_factory=list)
    notes_to_resolve: list[str] = Field(default_factory=list, description="Drafting notes the text still holds: "
                                        "instructions to the reviewer, not statements of the letter; the text is not "
                                        "ready to sign while one is left, however well the rest verifies.")

    @property
    def citation_checks(self) -> list[CitationCheck]:
        return [c for c in self.checks if c.citation is not None]

    @property
    def verified(self) -> int:
        return sum(1 for c in self.citation_checks if c.status == "verified")

    @property
    def record_checks(self) -> list[CitationCheck]:
        """Checks of record quotes and of sentences stating record facts."""
        return [c for c in self.checks if c.record_citation is not None or c.status in RECORD_STATUSES or c.absence]

    @property
    def record_verified(self) -> int:
        return sum(1 for c in self.record_checks if c.status == "verified")

    @property
    def problems(self) -> list[CitationCheck]:
        return [c for c in self.checks if c.status != "verified"]

    @property
    def ok(self) -> bool:
        """Green only when something was verified and nothing failed: "no citations" is not "verified"."""
        return not self.problems and (self.verified + self.record_verified) > 0

    @property
    def nothing_verified(self) -> bool:
        return self.verified + self.record_verified == 0

    def badge(self) -> str:
        """One line whose counts say what they count; never a verified count dressed as a pass."""
        total = len(self.citation_checks)
        facts = [c for c in self.record_checks if not c.absence]
        absences = [c for c in self.record_checks if c.absence]
        found = f"{self.verified} of {total} citation(s) found on the cited page" if total else ""
        in_record = (f"{sum(c.status == 'verified' for c in facts)} of {len(facts)} record fact(s) found in the record"
                     if facts else "")
        lacking = (f"{sum(c.status == 'verified' for c in absences)} of {len(absences)} statement(s) of what the record "
                   "lacks confirmed" if absences else "")
        counts = "; ".join(part for part in (found, in_record, lacking) if part)
        if self.problems:
            return f"Not verified: {len(self.problems)} problem(s)" + (f"; {counts}" if counts else "")
        if not counts:
            return "Not verified: nothing verified (no citation or record quote to check)"
        if self.notes_to_resolve:
            return (f"Verified, but not ready to sign: {len(self.notes_to_resolve)} drafting note(s) to act on and "
                    f"remove; {counts}")
        return f"Verified: {counts}"

    @property
    def ready_to_sign(self) -> bool:
        """Green: everything checked verified and no drafting note is left in the text."""
        return self.ok and not self.notes_to_resolve


def today_iso() -> str:
    return date.today().isoformat()
