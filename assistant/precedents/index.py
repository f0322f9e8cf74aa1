"""The precedent index: records embedded in their own Chroma collection (separate from the guideline index),
with a JSON sidecar under ``settings.home / "precedents"`` holding the full records; and the same search in
numpy for the evals."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.errors import IndexMissing
from assistant.files import write_text_atomically
from assistant.index.embeddings import BUNDLED_MODEL_NAMES, embed
from assistant.index.store import chroma_client
from assistant.precedents.records import CitedPart, Precedent, PrecedentRecord, case_excerpt, precedent_document

COLLECTION_BASE = "precedents-v1"
SIDECAR_NAME = "records.json"
ADD_BATCH = 256
SECTION_SEPARATOR = " | "

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


def write_records(settings: Settings, records: dict[str, PrecedentRecord]) -> None:
    path = sidecar_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "version": 1,
        "embedding_model": settings.embedding_model,
        "records": [r.model_dump(mode="json") for r in sorted(records.values(), key=lambda r: (r.case_number, r.item_index))],
    }
    write_text_atomically(path, json.dumps(payload, ensure_ascii=False, indent=1))


def record_metadata(record: PrecedentRecord) -> dict[str, str | int]:
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


def get_collection(settings: Settings, create: bool):
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


class PrecedentIndex:
    """Search imported determinations for items like a new one."""

    def __init__(self, settings: Settings, collection, records: dict[str, PrecedentRecord]):
        self.settings = settings
        self.collection = collection
        self.records = records

    @classmethod
    def open(cls, settings: Settings) -> "PrecedentIndex":
        collection = get_collection(settings, create=False)
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


