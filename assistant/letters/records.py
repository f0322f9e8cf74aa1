"""Typed records for an imported IMR determination letter, so evals and precedent search read fields, not text."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from assistant.contracts import Decision

GuidelineKind = Literal["mtus", "non-mtus", "none", "unparsed"]


class MtusPart(BaseModel):
    """One MTUS part named on a guideline line: "Low Back Complaints 2004, Section(s): Special Studies"."""

    part: str
    year: str | None = None
    sections: list[str] = Field(default_factory=list)
    pages: list[str] = Field(default_factory=list)


class GuidelineReference(BaseModel):
    """A "Claims Administrator guideline:" or "MAXIMUS guideline:" line, split into what it cites.

    `part`, `year`, `sections` and `pages` describe the first MTUS part cited (or, for a line citing only
    non-MTUS evidence, the non-MTUS guideline's name in `part`); `mtus_parts` keeps every MTUS part when a line
    cites several. `source_text` is the non-MTUS citation as written.
    """

    raw: str
    kind: GuidelineKind
    part: str | None = None
    year: str | None = None
    sections: list[str] = Field(default_factory=list)
    pages: list[str] = Field(default_factory=list)
    source_text: str | None = None
    mtus_parts: list[MtusPart] = Field(default_factory=list)


class PageReference(BaseModel):
    """A page cited inside a rationale ("page 82 of the MTUS Chronic Pain Medical Treatment Guidelines")."""

    raw: str
    guideline_name: str | None = None
    guideline_inferred: bool = False
    pages: list[str] = Field(default_factory=list)
    table: str | None = None


class LetterItem(BaseModel):
    """One disputed item with the decision, both guideline lines and the reviewer's rationale."""

    text: str
    quantity: str | None = None
    decision: Decision | None = None
    original_request: str | None = Field(
        default=None, description="For a partly authorised request, the sentence naming the original request."
    )
    claims_administrator_line: GuidelineReference | None = None
    reviewer_line: GuidelineReference | None = None
    rationale: str = ""
    page_references: list[PageReference] = Field(default_factory=list)

    @property
    def is_complete(self) -> bool:
        """Every part a replay or an eval needs was found and understood."""
        lines = (self.claims_administrator_line, self.reviewer_line)
        return (
            bool(self.text.strip())
            and self.decision in ("Upheld", "Overturned")
            and all(line is not None and line.kind != "unparsed" for line in lines)
            and bool(self.rationale.strip())
        )


class ImportedLetter(BaseModel):
    """A whole letter: header dates as printed, reviewer credentials, case summary and the items."""

    case_number: str | None = None
    date_assigned: str | None = None
    date_of_injury: str | None = None
    decision_date: str | None = None
    ur_denial_date: str | None = None
    received: str | None = None
    reviewer_specialty: str | None = None
    licensure: str | None = None
    case_summary: str = ""
    items: list[LetterItem] = Field(default_factory=list)
    source_name: str | None = None

    @property
    def complete_items(self) -> list[LetterItem]:
        return [item for item in self.items if item.is_complete]
