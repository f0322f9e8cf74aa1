"""Build and open the guideline index.

A build writes a new *generation* (Chroma collection + BM25 + page texts) and only then switches the
CURRENT pointer with an atomic rename, so an interrupted build never leaves a half-index that queries use.
An unchanged corpus maps to the same generation id, so re-indexing it does no work.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
from pydantic import BaseModel

from assistant.config import Settings
from assistant.contracts import Chunk, GuidelineEntry, GuidelinePage
from assistant.corpus.catalog import load_catalog, remove_reviewer_entry
from assistant.corpus.active import active_entries
from assistant.corpus.fetch import fetch_document
from assistant.corpus.ingest import IngestedGuideline, ingest_pdf
from assistant.errors import CatalogError, ConfigurationError, IndexMissing
from assistant.files import make_tree_private, private_dir, write_atomically, write_text_atomically
from assistant.index.embeddings import embed

log = logging.getLogger(__name__)

INGEST_VERSION = "9"  # 9: words the PDF splits ("Fo r", "fa cet") are joined; 8: the insomnia guideline's research chapter is its own section; 7: a discussion several statements share is "Recommendations N–M"
ADD_BATCH = 256
Progress = Callable[[str], None]


class GuidelineSummary(BaseModel):
    id: str
    sha256: str
    pages: int
    chunks: int
    printed_page_source: str


class IndexManifest(BaseModel):
    generation: str
    collection: str
    embedding_model: str
    created_at: float
    guidelines: list[GuidelineSummary]
    chunk_count: int


@dataclass
class BuildResult:
    manifest: IndexManifest
    rebuilt: bool
    seconds: float
    embedded_chunks: int
    stage_seconds: dict[str, float] = field(default_factory=dict)


def chroma_client(settings: Settings):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        parsed = urlparse(settings.chroma_url)
        if not parsed.hostname:
            raise ConfigurationError(f"ASSISTANT_CHROMA_URL {settings.chroma_url!r} is not a URL like http://127.0.0.1:8000")
        return chromadb.HttpClient(
            host=parsed.hostname, port=parsed.port or 8000, ssl=parsed.scheme == "https", settings=chroma_settings
        )
    path = settings.index_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def generation_id(settings: Settings, entries: list[GuidelineEntry]) -> str:
    material = {
        "ingest": INGEST_VERSION,
        "model": settings.embedding_model,
        "chunking": [settings.chunk_words, settings.chunk_overlap_words],
        "guidelines": sorted((e.model_dump_json(exclude={"source"}) for e in entries)),
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()[:20]


def current_pointer(settings: Settings) -> Path:
    return settings.index_dir / "CURRENT"


def generation_dir(settings: Settings, generation: str) -> Path:
    return settings.index_dir / "generations" / generation


def read_current_manifest(settings: Settings) -> IndexManifest | None:
    pointer = current_pointer(settings)
    if not pointer.exists():
        return None
    generation = pointer.read_text(encoding="utf-8").strip()
    manifest_file = generation_dir(settings, generation) / "manifest.json"
    if not manifest_file.exists():
        return None
    return IndexManifest.model_validate_json(manifest_file.read_text(encoding="utf-8"))


def catalog_status(settings: Settings) -> list[tuple[GuidelineEntry, GuidelineSummary | None]]:
    """Every catalogued guideline with its summary in the current index (None: not indexed)."""
    manifest = read_current_manifest(settings)
    indexed = {g.id: g for g in manifest.guidelines} if manifest else {}
    return [(entry, indexed.get(entry.id)) for entry in load_catalog(settings)]


def _collection_complete(client, name: str) -> bool:
    try:
        collection = client.get_collection(name)
    except Exception:  # noqa: BLE001 - chromadb raises several types for "not found" across client kinds
        return False
    return bool((collection.metadata or {}).get("complete"))


def _embedding_cache_file(settings: Settings, entry: GuidelineEntry) -> Path:
    key = hashlib.sha256(
        f"{INGEST_VERSION}:{settings.embedding_model}:{settings.chunk_words}:{settings.chunk_overlap_words}:"
        f"{entry.model_dump_json(exclude={'source'})}".encode()
    ).hexdigest()[:24]
    return settings.index_dir / "embedding-cache" / f"{entry.id}-{key}.npy"


def _embeddings_for(settings: Settings, ingested: IngestedGuideline, progress: Progress, position: str = "") -> tuple[np.ndarray, int]:
    """Embeddings of one guideline's indexed chunks; cached per document so an added guideline embeds only itself."""
    cache = _embedding_cache_file(settings, ingested.entry)
    chunks = indexed_chunks(ingested)
    if cache.exists():
        vectors = np.load(cache)
        if len(vectors) == len(chunks):
            return vectors, 0
    progress(f"Embedding {len(chunks)} passages of {ingested.entry.id} {position}…")
    vectors = embed(settings.embedding_model, [c.text for c in chunks], settings.embedding_batch_size)
    def save(tmp: Path) -> None:
        with open(tmp, "wb") as handle:
            np.save(handle, vectors)

    write_atomically(cache, save)
    return vectors, len(chunks)


def indexed_chunks(ingested: IngestedGuideline) -> list[Chunk]:
    return [c for c in ingested.chunks if not ingested.entry.unindexed(c.section_path)]


def build_index(settings: Settings, progress: Progress = lambda _msg: None) -> BuildResult:
    started = time.perf_counter()
    private_dir(settings.home)
    stages: dict[str, float] = {}
    entries = active_entries(settings)
    generation = generation_id(settings, entries)
    collection_name = f"chunks-{generation}"
    client = chroma_client(settings)
    manifest = read_current_manifest(settings)
    if manifest and manifest.generation == generation and _collection_complete(client, collection_name):
        progress("Index is up to date; nothing to do.")
        return BuildResult(manifest, rebuilt=False, seconds=time.perf_counter() - started, embedded_chunks=0)

    mark = time.perf_counter()
    pdfs = [fetch_document(settings, entry) for entry in entries]
    stages["fetch"], mark = time.perf_counter() - mark, time.perf_counter()
    ingested = _ingest_all(settings, entries, pdfs, progress)
    stages["parse"], mark = time.perf_counter() - mark, time.perf_counter()

    embedded = 0
    vectors_by_guideline = []
    for position, item in enumerate(ingested, start=1):
        vectors, count = _embeddings_for(settings, item, progress, f"[{position}/{len(ingested)}] ")
        vectors_by_guideline.append(vectors)
        embedded += count
    stages["embed"], mark = time.perf_counter() - mark, time.perf_counter()

    if _collection_complete(client, collection_name):
        # Same corpus, same generation: another instance (or an earlier run) already filled it. Never delete a
        # complete collection that other app instances on a shared Chroma server may be serving.
        progress(f"Chroma already holds generation {generation}; reusing it.")
    else:
        progress(f"Storing {sum(len(v) for v in vectors_by_guideline)} passages in the vector store …")
        _fill_collection(client, collection_name, generation, ingested, vectors_by_guideline)

    new_manifest = IndexManifest(
        generation=generation,
        collection=collection_name,
        embedding_model=settings.embedding_model,
        created_at=time.time(),
        guidelines=[
            GuidelineSummary(id=i.entry.id, sha256=i.entry.sha256, pages=len(i.pages), chunks=len(indexed_chunks(i)),
                             printed_page_source=i.pages[0].printed_page_source.value if i.pages else "physical-index")
            for i in ingested
        ],
        chunk_count=sum(len(indexed_chunks(i)) for i in ingested),
    )
    _write_generation(settings, new_manifest, ingested, np.concatenate(vectors_by_guideline) if vectors_by_guideline else None)
    _switch_current(settings, generation)
    _remove_old_generations(settings, client, keep=generation)
    make_tree_private(settings.index_dir)  # Chroma and numpy files hold no PHI today, but the folder sits beside it
    stages["store"] = time.perf_counter() - mark
    progress(f"Indexed {new_manifest.chunk_count} passages from {len(ingested)} guideline(s).")
    return BuildResult(new_manifest, rebuilt=True, seconds=time.perf_counter() - started, embedded_chunks=embedded,
                       stage_seconds=stages)


def _ingest_all(settings: Settings, entries: list[GuidelineEntry], pdfs: list[Path], progress: Progress) -> list[IngestedGuideline]:
    """Parse every PDF (the slow part of a first build: pypdf text extraction), reusing per-document results
    cached by content and parsing the rest in parallel processes."""
    results: dict[str, IngestedGuideline] = {}
    todo: list[tuple[GuidelineEntry, Path]] = []
    for entry, pdf in zip(entries, pdfs):
        cached = _read_ingest_cache(settings, entry)
        if cached is not None:
            results[entry.id] = cached
        else:
            todo.append((entry, pdf))
    if results:
        progress(f"Reusing parsed text of {len(results)} unchanged guideline(s).")
    workers = min(len(todo), settings.index_workers or os.cpu_count() or 1)
    jobs = [(entry, pdf, settings.chunk_words, settings.chunk_overlap_words) for entry, pdf in todo]
    for done, item in enumerate(_run_ingest_jobs(jobs, workers), start=1):
        results[item.entry.id] = item
        _write_ingest_cache(settings, item)
        progress(f"[{done}/{len(todo)}] Read {item.entry.id}: {len(item.pages)} pages, {len(item.chunks)} passages")
    return [results[entry.id] for entry in entries]


def _ingest_job(job: tuple[GuidelineEntry, Path, int, int]) -> IngestedGuideline:
    entry, pdf, words, overlap = job
    return ingest_pdf(entry, pdf, words, overlap)


def _run_ingest_jobs(jobs: list[tuple[GuidelineEntry, Path, int, int]], workers: int):
    """Yield ingested guidelines as they finish; separate processes (spawned, never forked from a process that
    may hold Chroma or model threads) when there is more than one document and more than one core."""
    if workers <= 1:
        yield from (_ingest_job(job) for job in jobs)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # Largest files first so the pool's tail is short.
    ordered = sorted(jobs, key=lambda job: job[1].stat().st_size, reverse=True)
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(_ingest_job, job) for job in ordered]
        for future in as_completed(futures):
            yield future.result()


def _ingest_cache_file(settings: Settings, entry: GuidelineEntry) -> Path:
    """Keyed like the embedding cache: ingest version, chunking and the whole entry (its SHA-256 included)."""
    return settings.index_dir / "ingest-cache" / f"{_embedding_cache_file(settings, entry).stem}.json"


class _IngestRecord(BaseModel):
    pages: list[GuidelinePage]
    chunks: list[Chunk]


def _read_ingest_cache(settings: Settings, entry: GuidelineEntry) -> IngestedGuideline | None:
    path = _ingest_cache_file(settings, entry)
    if not path.exists():
        return None
    try:
        record = _IngestRecord.model_validate_json(path.read_text(encoding="utf-8"))
    except (ValueError, OSError):
        return None  # a damaged cache entry is simply parsed again
    return IngestedGuideline(entry=entry, pages=record.pages, chunks=record.chunks)


def _write_ingest_cache(settings: Settings, item: IngestedGuideline) -> None:
    record = _IngestRecord(pages=item.pages, chunks=item.chunks)
    write_text_atomically(_ingest_cache_file(settings, item.entry), record.model_dump_json())


def add_batched(collection, ids: list[str], vectors: np.ndarray, documents: list[str], metadatas: list[dict]) -> None:
    """Add records with precomputed embeddings in batches Chroma accepts (shared by guidelines and precedents)."""
    for start in range(0, len(ids), ADD_BATCH):
        end = start + ADD_BATCH
        collection.add(ids=ids[start:end], embeddings=np.asarray(vectors[start:end]).tolist(),
                       documents=documents[start:end], metadatas=metadatas[start:end])


def _fill_collection(client, collection_name: str, generation: str, ingested: list[IngestedGuideline],
                     vectors_by_guideline: list[np.ndarray]) -> None:
    """Create the generation's collection from scratch; it is marked complete only after the last add."""
    try:
        client.delete_collection(collection_name)  # a leftover from an interrupted build
    except Exception:  # noqa: BLE001 - absent collection
        pass
    collection = client.create_collection(
        collection_name,
        metadata={"complete": False, "generation": generation},
        configuration={"hnsw": {"space": "cosine"}},
        embedding_function=None,
    )
    for item, vectors in zip(ingested, vectors_by_guideline):
        chunks = indexed_chunks(item)
        add_batched(
            collection,
            ids=[c.chunk_id for c in chunks],
            vectors=vectors,
            documents=[c.text for c in chunks],
            metadatas=[
                {"guideline_id": c.guideline_id, "printed_page": c.printed_page, "physical_page": c.physical_page,
                 "section": c.section, "tier": item.entry.tier.value, "strength": c.strength or ""}
                for c in chunks
            ],
        )
    collection.modify(metadata={"complete": True, "generation": generation})


def quiet_bm25s():
    """bm25s, imported with its logger quieted: importing it sets that logger to DEBUG, so every index build printed
    "DEBUG bm25s: Building index from IDs objects" in the reviewer's terminal."""
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


def _write_generation(
    settings: Settings, manifest: IndexManifest, ingested: list[IngestedGuideline], vectors: np.ndarray | None
) -> None:
    bm25s = quiet_bm25s()
    final = generation_dir(settings, manifest.generation)
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{manifest.generation}-"))
    chunks = [c for i in ingested for c in indexed_chunks(i)]
    pages = [p for i in ingested for p in i.pages]
    with open(staging / "chunks.jsonl", "w", encoding="utf-8") as handle:
        for chunk in chunks:
            handle.write(chunk.model_dump_json() + "\n")
    with open(staging / "pages.jsonl", "w", encoding="utf-8") as handle:
        for page in pages:
            handle.write(page.model_dump_json() + "\n")
    np.save(staging / "embeddings.npy", vectors if vectors is not None else np.zeros((0, 0), dtype=np.float32))
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize([c.text for c in chunks], stopwords="en", show_progress=False), show_progress=False)
    retriever.save(str(staging / "bm25"), show_progress=False)
    (staging / "manifest.json").write_text(manifest.model_dump_json(indent=2), encoding="utf-8")
    if final.exists():
        shutil.rmtree(final)
    os.replace(staging, final)


def _switch_current(settings: Settings, generation: str) -> None:
    write_text_atomically(current_pointer(settings), generation + "\n")


def _remove_old_generations(settings: Settings, client, keep: str) -> None:
    root = settings.index_dir / "generations"
    for child in root.iterdir():
        if child.name != keep:
            shutil.rmtree(child, ignore_errors=True)
    if settings.chroma_url:
        return  # a shared server may serve other instances still on an older generation
    for collection in client.list_collections():
        name = collection if isinstance(collection, str) else collection.name
        if name.startswith("chunks-") and name != f"chunks-{keep}":
            client.delete_collection(name)


def require_manifest(settings: Settings) -> IndexManifest:
    manifest = read_current_manifest(settings)
    if manifest is None:
        raise IndexMissing(
            f"No guideline index under {settings.index_dir}. Build it with `assistant index` "
            "(or `assistant corpus fetch` first if the PDFs are missing)."
        )
    return manifest


def load_pages(settings: Settings, manifest: IndexManifest) -> list[GuidelinePage]:
    path = generation_dir(settings, manifest.generation) / "pages.jsonl"
    return [GuidelinePage.model_validate_json(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def load_chunk_embeddings(settings: Settings, manifest: IndexManifest) -> np.ndarray:
    """Chunk embeddings aligned with chunks.jsonl (so relevance needs no re-encoding)."""
    return np.load(generation_dir(settings, manifest.generation) / "embeddings.npy", mmap_mode="r")


def load_chunks(settings: Settings, manifest: IndexManifest) -> list[Chunk]:
    path = generation_dir(settings, manifest.generation) / "chunks.jsonl"
    return [Chunk.model_validate_json(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def add_guideline_and_index(
    settings: Settings, add: Callable[[], GuidelineEntry], actor: str, progress: Progress = lambda _msg: None,
    build: Callable[..., BuildResult] | None = None,
) -> tuple[GuidelineEntry, BuildResult]:
    """Run `add` (a bound `assistant.corpus.add.add_guideline` call), then build the index; if the build fails,
    remove the new catalog entry and its copied PDF and audit the rollback, so nothing stays half-saved.

    `build` defaults to build_index; tests pass one that fails."""
    entry = add()
    try:
        result = (build or build_index)(settings, progress)
    except Exception as exc:  # any failure must undo the add; the original error is re-raised unchanged
        remove_reviewer_entry(settings, entry.id)
        (settings.documents_dir / entry.filename).unlink(missing_ok=True)
        _audit_rollback(settings, actor, entry.id, exc)
        raise
    return entry, result


def _audit_rollback(settings: Settings, actor: str, guideline_id: str, error: Exception) -> None:
    from assistant.corpus.audit import record_corpus_change

    record_corpus_change(settings, actor, "rollback", guideline_id, reason=f"{type(error).__name__}: {error}"[:500])


def choose_guideline_and_index(
    settings: Settings, guideline_id: str, enable: bool, actor: str, progress: Progress = lambda _msg: None,
    build: Callable[..., BuildResult] | None = None,
) -> tuple[GuidelineEntry, BuildResult]:
    """Enable (fetching its PDF, SHA-256 checked) or disable a catalog guideline, then rebuild the index; audited.

    Every reviewer drafts from the index, so a failed fetch or build puts the previous choice back (and says
    so in the audit) rather than leaving a choice the index does not follow. The last active guideline cannot
    be disabled: an empty index drafts nothing."""
    from assistant.corpus.active import disable_guideline, enable_guideline, read_choices, write_choices
    from assistant.corpus.audit import record_corpus_change
    from assistant.corpus.fetch import fetch_documents

    before = read_choices(settings)
    active = [e.id for e in active_entries(settings)]
    if not enable and active == [guideline_id]:
        raise CatalogError(f"{guideline_id} is the only active guideline; enable another before disabling it.")
    entry = (enable_guideline if enable else disable_guideline)(settings, guideline_id)
    try:
        if enable:
            fetch_documents(settings, [entry], progress)
        result = (build or build_index)(settings, progress)
    except Exception as exc:  # any failure puts the previous choice back; the original error is re-raised
        write_choices(settings, before)
        _audit_rollback(settings, actor, entry.id, exc)
        raise
    record_corpus_change(settings, actor, "enable" if enable else "disable", entry.id,
                         passages=result.manifest.chunk_count)
    return entry, result
