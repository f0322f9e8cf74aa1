"""`assistant letters import`: every letter in a folder parsed into records, embedded and added once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, Field

from assistant.config import Settings
from assistant.errors import CaseInputError
from assistant.index.embeddings import embed
from assistant.index.store import add_batched
from assistant.letters.parse import parse_letter_file
from assistant.letters.records import ImportedLetter
from assistant.precedents.index import ADD_BATCH, get_collection, load_records, record_metadata, write_records
from assistant.precedents.records import PrecedentRecord, records_from_letter

Progress = Callable[[str], None]


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


def letter_files(folder: Path) -> list[Path]:
    folder = Path(folder)
    if not folder.is_dir():
        raise CaseInputError(f"{folder} is not a folder. Give the folder that holds the letters (.pdf or .txt).")
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in {".pdf", ".txt", ".text"})


def parse_folder(folder: Path) -> tuple[list[ImportedLetter], list[str]]:
    """Every letter in a folder, and 'file: reason' for those that could not be parsed."""
    letters: list[ImportedLetter] = []
    failed: list[str] = []
    for path in letter_files(folder):
        try:
            letters.append(parse_letter_file(path))
        except Exception as exc:  # noqa: BLE001 - one unreadable letter must not stop an import
            failed.append(f"{path.name}: {exc}")
    return letters, failed


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

    collection = get_collection(settings, create=True)
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
                    documents=[r.document for r in to_embed], metadatas=[record_metadata(r) for r in to_embed])
    summary.added = len(to_embed)
    changed = False
    for rid, record in candidates.items():
        if rid not in stored:
            stored[rid] = record
            changed = True
    if changed:
        write_records(settings, stored)
    summary.total_in_index = collection.count()
    return summary


