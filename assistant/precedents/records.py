"""Precedents: prior IMR determinations on similar disputed items, searchable by meaning.

Imported letters become one record per disputed item, embedded as "item text + a compact case excerpt"
(diagnoses, body parts) in their own Chroma collection, separate from the guideline index. A JSON sidecar
under ``settings.home / "precedents"`` keeps the full records so results can show the rationale.

Precedents say what reviewers *did* with similar requests. They are never authority: the governing text is
always the guideline itself, and every note this module writes says so.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, Field

from assistant.vocabulary.categories import classify_item
from assistant.letters.records import GuidelineReference, ImportedLetter, LetterItem

RATIONALE_EXCERPT_CHARS = 400


class CitedPart(BaseModel):
    """One guideline part a reviewer cited for an item, with the sections named under it."""

    kind: str  # "mtus" | "non-mtus"
    part: str
    year: str | None = None
    sections: list[str] = Field(default_factory=list)

    @property
    def label(self) -> str:
        return part_label(self.kind, self.part, self.year)


class PrecedentFields(BaseModel):
    """What a stored record and a search hit both say about a prior item: the one list of shared fields."""

    id: str
    case_number: str
    item: str
    decision: str | None = None
    kind: str  # reviewer line kind: mtus | non-mtus | none | unparsed | missing
    part: str | None = None
    year: str | None = None
    sections: list[str] = Field(default_factory=list)
    cited: list[CitedPart] = Field(default_factory=list)
    source_file: str | None = None


class PrecedentRecord(PrecedentFields):
    """One disputed item of an imported letter, as stored (sidecar) and indexed (Chroma)."""

    item_index: int
    reviewer_line: str = ""
    case_excerpt: str = ""
    rationale: str = ""

    @property
    def document(self) -> str:
        return precedent_document(self.item, self.case_excerpt)


class Precedent(PrecedentFields):
    """A search hit: a prior item, its decision, what the reviewer cited, and how similar it is."""

    similarity: float
    rationale_excerpt: str = ""

    @property
    def guideline_label(self) -> str:
        if self.kind not in ("mtus", "non-mtus") or not self.part:
            return "no guideline cited"
        label = part_label(self.kind, self.part, self.year)
        return f"{label} — {', '.join(self.sections)}" if self.sections else label

    @classmethod
    def from_record(cls, record: PrecedentRecord, similarity: float) -> "Precedent":
        shared = {name: getattr(record, name) for name in PrecedentFields.model_fields}
        return cls(**shared, similarity=float(similarity),
                   rationale_excerpt=_excerpt(record.rationale, RATIONALE_EXCERPT_CHARS))


def part_label(kind: str | None, part: str | None, year: str | None = None) -> str:
    """'MTUS Chronic Pain Medical Treatment 2016' or 'Official Disability Guidelines (ODG)'."""
    if not part:
        return "no guideline"
    if kind == "mtus":
        return f"MTUS {part}" + (f" {year}" if year else "")
    return part


_NON_MTUS_NAME_PREFIX = re.compile(r"^\s*(?:Official\s+Disability\s+Guidelines\s*(?:\(ODG\))?|ODG|ACOEM(?:\s+Practice\s+Guidelines)?)\s*[:,\-–]?\s*", re.IGNORECASE)


def _non_mtus_section(source_text: str | None) -> list[str]:
    """The topic of a non-MTUS citation as written after the guideline's name ('Pain Chapter, Topical Analgesics')."""
    if not source_text:
        return []
    rest = _NON_MTUS_NAME_PREFIX.sub("", source_text, count=1).strip(" .;:,")
    rest = " ".join(rest.split())
    if not rest or len(rest) > 160:
        return [rest[:160].rsplit(" ", 1)[0]] if rest else []
    return [rest]


def cited_parts(line: GuidelineReference | None) -> list[CitedPart]:
    """Every guideline part a reviewer line cites (all MTUS parts, or the one non-MTUS guideline)."""
    if line is None:
        return []
    if line.kind == "mtus":
        if line.mtus_parts:
            return [CitedPart(kind="mtus", part=p.part, year=p.year, sections=list(p.sections)) for p in line.mtus_parts]
        if line.part:
            return [CitedPart(kind="mtus", part=line.part, year=line.year, sections=list(line.sections))]
        return []
    if line.kind == "non-mtus" and line.part:
        return [CitedPart(kind="non-mtus", part=line.part, sections=_non_mtus_section(line.source_text))]
    return []


# ---------------------------------------------------------------------------------------------- documents

_BODY_PARTS = [
    ("low back", r"\blow(?:er)? back\b|\blumbar\b|\blumbosacral\b|\bL[1-5]\b"),
    ("neck", r"\bneck\b|\bcervical\b|\bC[2-7]\b"),
    ("thoracic spine", r"\bthoracic\b|\bmid back\b|\bupper back\b"),
    ("shoulder", r"\bshoulders?\b|\brotator cuff\b"),
    ("elbow", r"\belbows?\b|\bepicondyl\w*"),
    ("wrist/hand", r"\bwrists?\b|\bhands?\b|\bfingers?\b|\bthumbs?\b|\bcarpal\b"),
    ("hip", r"\bhips?\b|\bgroin\b"),
    ("knee", r"\bknees?\b|\bmenisc\w*|\bpatell\w*"),
    ("ankle/foot", r"\bankles?\b|\bfoot\b|\bfeet\b|\bheel\b|\btoes?\b"),
    ("head", r"\bhead\b|\bconcussion\b|\bheadaches?\b|\bbrain\b"),
    ("psychological", r"\bdepress\w*|\banxiety\b|\binsomnia\b|\bpsych\w*"),
]
_DIAGNOSIS_SENTENCE = re.compile(r"diagnos|treatment for|treated for", re.IGNORECASE)


def case_excerpt(case_summary: str, max_words: int = 45) -> str:
    """A compact excerpt of a case summary: the body parts it mentions and its diagnosis sentence."""
    text = " ".join((case_summary or "").split())
    if not text:
        return ""
    parts = [name for name, pattern in _BODY_PARTS if re.search(pattern, text, re.IGNORECASE)]
    sentences = re.split(r"(?<=[.;])\s+", text)
    diagnosis = next((s for s in sentences if _DIAGNOSIS_SENTENCE.search(s)), "")
    words = diagnosis.split()
    if len(words) > max_words:
        diagnosis = " ".join(words[:max_words]) + " …"
    pieces = []
    if parts:
        pieces.append("Body parts: " + ", ".join(parts) + ".")
    if diagnosis:
        pieces.append("Diagnoses: " + diagnosis)
    return " ".join(pieces)


def precedent_document(item_text: str, excerpt: str = "") -> str:
    """The text embedded for an item, and for a query: the item, its treatment category's words, the excerpt.

    The category words ("TENS unit electrical stimulation") let "TENS unit" find "Electrical stimulation x 8",
    which a small embedding model alone does not; the excerpt adds the case's body parts and diagnoses.
    """
    item_text = " ".join((item_text or "").split())
    primary = classify_item(item_text).primary
    head = f"{item_text} ({primary.query})" if primary is not None else item_text
    return f"{head}\n{excerpt}" if excerpt else head


def _excerpt(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + " …"


def _case_key(letter: ImportedLetter) -> str:
    if letter.case_number:
        return letter.case_number
    return Path(letter.source_name or "letter").stem


def record_from_item(letter: ImportedLetter, index: int, item: LetterItem, excerpt: str | None = None) -> PrecedentRecord:
    case = _case_key(letter)
    line = item.reviewer_line
    cited = cited_parts(line)
    first = cited[0] if cited else None
    return PrecedentRecord(
        id=f"{case}#{index}",
        case_number=case,
        item_index=index,
        item=item.text,
        decision=item.decision,
        kind=line.kind if line is not None else "missing",
        part=first.part if first else None,
        year=first.year if first else None,
        sections=list(first.sections) if first else [],
        cited=cited,
        reviewer_line=line.raw if line is not None else "",
        case_excerpt=case_excerpt(letter.case_summary) if excerpt is None else excerpt,
        rationale=item.rationale,
        source_file=letter.source_name,
    )


def records_from_letter(letter: ImportedLetter) -> list[PrecedentRecord]:
    excerpt = case_excerpt(letter.case_summary)
    return [record_from_item(letter, i, item, excerpt) for i, item in enumerate(letter.items)]


