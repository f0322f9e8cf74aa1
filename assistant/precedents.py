"""Precedents: prior IMR determinations on similar disputed items, searchable by meaning.

Imported letters become one record per disputed item, embedded as "item text + a compact case excerpt"
(diagnoses, body parts) in their own Chroma collection, separate from the guideline index. A JSON sidecar
under ``settings.home / "precedents"`` keeps the full records so results can show the rationale.

Precedents say what reviewers *did* with similar requests. They are never authority: the governing text is
always the guideline itself, and every note this module writes says so.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from assistant.config import Settings
from assistant.errors import CaseInputError, IndexMissing
from assistant.index.embeddings import BUNDLED_MODEL_NAMES, embed
from assistant.index.store import add_batched
from assistant.letters.records import GuidelineReference, ImportedLetter, LetterItem
from assistant.files import write_text_atomically

log = logging.getLogger(__name__)

COLLECTION_BASE = "precedents-v1"
SIDECAR_NAME = "records.json"
ADD_BATCH = 256
RATIONALE_EXCERPT_CHARS = 400
SECTION_SEPARATOR = " | "
Progress = Callable[[str], None]

__all__ = [
    "CitedPart",
    "ImportSummary",
    "Precedent",
    "PrecedentIndex",
    "PrecedentRecord",
    "case_excerpt",
    "cited_parts",
    "import_letters",
    "part_label",
    "precedent_note",
    "records_from_letter",
]


# ---------------------------------------------------------------------------------------------- records


class CitedPart(BaseModel):
    """One guideline part a reviewer cited for an item, with the sections named under it."""

    kind: str  # "mtus" | "non-mtus"
    part: str
    year: str | None = None
    sections: list[str] = Field(default_factory=list)

    @property
    def label(self) -> str:
        return part_label(self.kind, self.part, self.year)


class PrecedentRecord(BaseModel):
    """One disputed item of an imported letter, as stored (sidecar) and indexed (Chroma)."""

    id: str
    case_number: str
    item_index: int
    item: str
    decision: str | None = None
    kind: str  # reviewer line kind: mtus | non-mtus | none | unparsed | missing
    part: str | None = None
    year: str | None = None
    sections: list[str] = Field(default_factory=list)
    cited: list[CitedPart] = Field(default_factory=list)
    reviewer_line: str = ""
    case_excerpt: str = ""
    rationale: str = ""
    source_file: str | None = None

    @property
    def document(self) -> str:
        return precedent_document(self.item, self.case_excerpt)


class Precedent(BaseModel):
    """A search hit: a prior item, its decision, what the reviewer cited, and how similar it is."""

    id: str
    case_number: str
    item: str
    decision: str | None = None
    kind: str
    part: str | None = None
    year: str | None = None
    sections: list[str] = Field(default_factory=list)
    cited: list[CitedPart] = Field(default_factory=list)
    similarity: float
    rationale_excerpt: str = ""
    source_file: str | None = None

    @property
    def guideline_label(self) -> str:
        if self.kind not in ("mtus", "non-mtus") or not self.part:
            return "no guideline cited"
        label = part_label(self.kind, self.part, self.year)
        return f"{label} — {', '.join(self.sections)}" if self.sections else label

    @classmethod
    def from_record(cls, record: PrecedentRecord, similarity: float) -> "Precedent":
        return cls(
            id=record.id,
            case_number=record.case_number,
            item=record.item,
            decision=record.decision,
            kind=record.kind,
            part=record.part,
            year=record.year,
            sections=record.sections,
            cited=record.cited,
            similarity=float(similarity),
            rationale_excerpt=_excerpt(record.rationale, RATIONALE_EXCERPT_CHARS),
            source_file=record.source_file,
        )


class ImportSummary(BaseModel):
    folder: str
    letters: int = 0
    items: int = 0
    added: int = 0
    already_present: int = 0
    without_evidence: int = Field(default=0, description="Items whose reviewer line cites no guideline.")
    failed: list[str] = Field(default_factory=list, description="'file: reason' for letters that could not be read.")
    total_in_index: int = 0

    def describe(self) -> str:
        text = (
            f"Imported {self.letters} letter(s), {self.items} item(s) from {self.folder}: {self.added} added, "
            f"{self.already_present} already present ({self.without_evidence} cite no guideline). "
            f"The precedent index now holds {self.total_in_index} item(s)."
        )
        if self.failed:
            text += "\nNot imported:\n" + "\n".join(f"- {f}" for f in self.failed)
        return text


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
    from assistant.vocabulary.categories import classify_item

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


def letter_files(folder: Path) -> list[Path]:
    folder = Path(folder)
    if not folder.is_dir():
        raise CaseInputError(f"{folder} is not a folder. Give the folder that holds the letters (.pdf or .txt).")
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in {".pdf", ".txt", ".text"})


def parse_folder(folder: Path) -> tuple[list[ImportedLetter], list[str]]:
    """Every letter in a folder, and 'file: reason' for those that could not be parsed."""
    from assistant.letters.parse import parse_letter_file

    letters: list[ImportedLetter] = []
    failed: list[str] = []
    for path in letter_files(folder):
        try:
            letters.append(parse_letter_file(path))
        except Exception as exc:  # noqa: BLE001 - one unreadable letter must not stop an import
            failed.append(f"{path.name}: {exc}")
    return letters, failed


# ---------------------------------------------------------------------------------------------- storage


def precedents_dir(settings: Settings) -> Path:
    return settings.home / "precedents"


def sidecar_path(settings: Settings) -> Path:
    return precedents_dir(settings) / SIDECAR_NAME


def collection_name(settings: Settings) -> str:
    if settings.embedding_model in BUNDLED_MODEL_NAMES:
        return COLLECTION_BASE
    digest = hashlib.sha256(settings.embedding_model.encode()).hexdigest()[:8]
    return f"{COLLECTION_BASE}-{digest}"


def load_records(settings: Settings) -> dict[str, PrecedentRecord]:
    path = sidecar_path(settings)
    if not path.exists():
        return {}
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {r["id"]: PrecedentRecord.model_validate(r) for r in raw.get("records", [])}


def _write_records(settings: Settings, records: dict[str, PrecedentRecord]) -> None:
    path = sidecar_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "version": 1,
        "embedding_model": settings.embedding_model,
        "records": [r.model_dump(mode="json") for r in sorted(records.values(), key=lambda r: (r.case_number, r.item_index))],
    }
    write_text_atomically(path, json.dumps(payload, ensure_ascii=False, indent=1))


def _metadata(record: PrecedentRecord) -> dict[str, str | int]:
    return {
        "case_number": record.case_number,
        "item_index": record.item_index,
        "item": record.item,
        "decision": record.decision or "",
        "kind": record.kind,
        "part": record.part or "",
        "year": record.year or "",
        "sections": SECTION_SEPARATOR.join(record.sections),
        "source_file": record.source_file or "",
    }


def _record_from_metadata(rid: str, meta: dict) -> PrecedentRecord:
    """A record rebuilt from Chroma metadata alone (when the sidecar lacks it, e.g. a shared server)."""
    sections = [s for s in str(meta.get("sections") or "").split(SECTION_SEPARATOR) if s]
    kind = str(meta.get("kind") or "none")
    part = str(meta.get("part") or "") or None
    year = str(meta.get("year") or "") or None
    cited = [CitedPart(kind=kind, part=part, year=year, sections=sections)] if part and kind in ("mtus", "non-mtus") else []
    return PrecedentRecord(
        id=rid,
        case_number=str(meta.get("case_number") or rid.split("#")[0]),
        item_index=int(meta.get("item_index") or 0),
        item=str(meta.get("item") or ""),
        decision=str(meta.get("decision") or "") or None,
        kind=kind,
        part=part,
        year=year,
        sections=sections,
        cited=cited,
        source_file=str(meta.get("source_file") or "") or None,
    )


def _get_collection(settings: Settings, create: bool):
    from assistant.index.store import chroma_client

    client = chroma_client(settings)
    name = collection_name(settings)
    if create:
        return client.get_or_create_collection(
            name,
            metadata={"embedding_model": settings.embedding_model, "kind": "precedents"},
            configuration={"hnsw": {"space": "cosine"}},
            embedding_function=None,
        )
    try:
        return client.get_collection(name, embedding_function=None)
    except Exception as exc:  # noqa: BLE001 - chromadb raises several types for "not found"
        raise IndexMissing(
            "No precedents have been imported yet. Import past determination letters with "
            "`assistant letters import FOLDER`."
        ) from exc


def import_letters(settings: Settings, folder: str | Path, progress: Progress = lambda _m: None) -> ImportSummary:
    """Parse every letter in `folder` and add its items to the precedent index; re-importing adds nothing."""
    folder = Path(folder)
    letters, failed = parse_folder(folder)
    summary = ImportSummary(folder=str(folder), letters=len(letters), failed=failed)
    candidates: dict[str, PrecedentRecord] = {}
    for letter in letters:
        for record in records_from_letter(letter):
            candidates.setdefault(record.id, record)
    summary.items = len(candidates)
    summary.without_evidence = sum(1 for r in candidates.values() if not r.cited)

    collection = _get_collection(settings, create=True)
    stored = load_records(settings)
    in_chroma: set[str] = set()
    ids = list(candidates)
    for start in range(0, len(ids), ADD_BATCH):
        in_chroma.update(collection.get(ids=ids[start : start + ADD_BATCH], include=[])["ids"])
    to_embed = [r for rid, r in candidates.items() if rid not in in_chroma]
    summary.already_present = len(candidates) - len(to_embed)
    if to_embed:
        progress(f"Embedding {len(to_embed)} disputed item(s) …")
        vectors = embed(settings.embedding_model, [r.document for r in to_embed], settings.embedding_batch_size)
        add_batched(collection, ids=[r.id for r in to_embed], vectors=vectors,
                    documents=[r.document for r in to_embed], metadatas=[_metadata(r) for r in to_embed])
    summary.added = len(to_embed)
    changed = False
    for rid, record in candidates.items():
        if rid not in stored:
            stored[rid] = record
            changed = True
    if changed:
        _write_records(settings, stored)
    summary.total_in_index = collection.count()
    return summary


# ---------------------------------------------------------------------------------------------- search


class PrecedentIndex:
    """Search imported determinations for items like a new one."""

    def __init__(self, settings: Settings, collection, records: dict[str, PrecedentRecord]):
        self.settings = settings
        self.collection = collection
        self.records = records

    @classmethod
    def open(cls, settings: Settings) -> "PrecedentIndex":
        collection = _get_collection(settings, create=False)
        return cls(settings, collection, load_records(settings))

    def __len__(self) -> int:
        return self.collection.count()

    def similar(
        self, query: str, k: int = 10, exclude_case: str | None = None, case_summary: str = ""
    ) -> list[Precedent]:
        """The k indexed items most similar to `query` (a requested item), best first.

        `case_summary`, when given, adds the same compact excerpt (body parts, diagnoses) the records carry;
        `exclude_case` leaves out every item of that case (the case being drafted, or a held-out letter).
        """
        if not query or not query.strip() or k <= 0:
            return []
        total = self.collection.count()
        if total == 0:
            return []
        text = precedent_document(query, case_excerpt(case_summary))
        vector = embed(self.settings.embedding_model, [text], self.settings.embedding_batch_size)[0]
        where = {"case_number": {"$ne": exclude_case}} if exclude_case else None
        result = self.collection.query(
            query_embeddings=[vector.tolist()],
            n_results=min(k, total),
            where=where,
            include=["metadatas", "distances"],
        )
        hits: list[Precedent] = []
        for rid, meta, distance in zip(result["ids"][0], result["metadatas"][0], result["distances"][0]):
            record = self.records.get(rid) or _record_from_metadata(rid, meta or {})
            if exclude_case and record.case_number == exclude_case:
                continue
            hits.append(Precedent.from_record(record, 1.0 - float(distance)))
        return hits


class InMemoryPrecedents:
    """The same search over records and their vectors held in numpy (evals; no Chroma round-trip)."""

    def __init__(self, records: list[PrecedentRecord], vectors: np.ndarray):
        if len(records) != len(vectors):
            raise ValueError("one vector per record")
        self.records = records
        self.vectors = np.asarray(vectors, dtype=np.float32)
        self.cases = np.array([r.case_number for r in records])

    def similar_to_vector(self, vector: np.ndarray, k: int = 10, exclude_case: str | None = None) -> list[Precedent]:
        if not self.records:
            return []
        scores = self.vectors @ np.asarray(vector, dtype=np.float32)
        if exclude_case is not None:
            scores = np.where(self.cases == exclude_case, -np.inf, scores)
        order = np.argsort(-scores, kind="stable")[:k]
        return [Precedent.from_record(self.records[i], float(scores[i])) for i in order if np.isfinite(scores[i])]


# ---------------------------------------------------------------------------------------------- the note


def precedent_note(precedents: Iterable[Precedent], top: int = 2) -> str:
    """One line saying what reviewers cited for similar requests, labelled as precedent, never as authority.

    e.g. "Prior determinations for similar requests cited: MTUS Chronic Pain Medical Treatment 2016 — Physical
    medicine treatment (7 of 9). Precedent only, not authority."
    """
    precedents = list(precedents)
    if not precedents:
        return "No prior determinations for similar requests have been imported. Precedent only, not authority."
    citing = [p for p in precedents if p.cited]
    counts: Counter[str] = Counter()
    for p in citing:
        seen: set[str] = set()
        for cited in p.cited:
            label = cited.label + (f" — {cited.sections[0]}" if cited.sections else "")
            if label not in seen:
                counts[label] += 1
                seen.add(label)
    total = len(precedents)
    decisions = Counter(p.decision for p in precedents if p.decision)
    decided = ", ".join(f"{n} {d.lower()}" for d, n in decisions.most_common())
    if not counts:
        return (
            f"Prior determinations for {total} similar request(s) cited no guideline"
            + (f" ({decided})" if decided else "")
            + ". Precedent only, not authority."
        )
    cited_text = "; ".join(f"{label} ({n} of {total})" for label, n in counts.most_common(top))
    tail = f" Decisions: {decided}." if decided else ""
    return f"Prior determinations for similar requests cited: {cited_text}.{tail} Precedent only, not authority."
