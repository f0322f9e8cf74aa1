"""Hybrid search: dense vectors (Chroma) and BM25 fused by reciprocal rank fusion."""

from __future__ import annotations

import threading

import numpy as np
from typing import Literal

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.config import Settings
from assistant.contracts import Chunk, Citation, EvidenceTier, RetrievedPassage
from assistant.corpus.catalog import load_catalog
from assistant.errors import IndexMissing
from assistant.index.embeddings import embed
from assistant.index.store import (
    chroma_client,
    generation_dir,
    load_chunk_embeddings,
    load_chunks,
    load_pages,
    require_manifest,
)
from assistant.retrieval.library import GuidelineLibrary

SearchMode = Literal["hybrid", "vector", "bm25"]
RRF_K = 60
CANDIDATES = 50


class GuidelineSearch:
    """Open once, query many times. Thread-safe for concurrent reviewers."""

    def __init__(self, settings: Settings):
        import bm25s

        self.settings = settings
        self.manifest = require_manifest(settings)
        entries = load_catalog(settings)
        self.chunks: list[Chunk] = load_chunks(settings, self.manifest)
        self.library = GuidelineLibrary.from_parts(entries, load_pages(settings, self.manifest))
        self.position = {c.chunk_id: i for i, c in enumerate(self.chunks)}
        self.vectors = load_chunk_embeddings(settings, self.manifest)
        self.bm25 = bm25s.BM25.load(str(generation_dir(settings, self.manifest.generation) / "bm25"), show_progress=False)
        client = chroma_client(settings)
        try:
            self.collection = client.get_collection(self.manifest.collection, embedding_function=None)
        except Exception as exc:  # noqa: BLE001 - chromadb's not-found differs between embedded and server
            raise IndexMissing(
                f"The index files exist but Chroma has no collection {self.manifest.collection}. "
                "Rebuild with `assistant index`."
            ) from exc
        self._lock = threading.Lock()

    def search(
        self,
        query: str,
        k: int = 5,
        guideline_ids: list[str] | None = None,
        tiers: list[EvidenceTier] | None = None,
        mode: SearchMode = "hybrid",
    ) -> list[RetrievedPassage]:
        query = query.strip()
        if not query:
            return []
        allowed = self._allowed(guideline_ids, tiers)
        if not allowed:
            return []
        vector_ranked = self._vector(query, allowed) if mode in ("hybrid", "vector") else []
        bm25_ranked = self._bm25(query, allowed) if mode in ("hybrid", "bm25") else []
        fused: dict[str, float] = {}
        for ranked in (vector_ranked, bm25_ranked):
            for rank, chunk_id in enumerate(ranked, start=1):
                fused[chunk_id] = fused.get(chunk_id, 0.0) + 1.0 / (RRF_K + rank)
        vector_rank = {cid: r for r, cid in enumerate(vector_ranked, start=1)}
        bm25_rank = {cid: r for r, cid in enumerate(bm25_ranked, start=1)}
        best = sorted(fused, key=lambda cid: (-fused[cid], cid))[:k]
        return [self._passage(cid, fused[cid], vector_rank.get(cid), bm25_rank.get(cid)) for cid in best]

    def _allowed(self, guideline_ids: list[str] | None, tiers: list[EvidenceTier] | None) -> set[str]:
        ids = set(self.library.entries)
        if guideline_ids:
            ids &= set(guideline_ids)
        if tiers:
            ids = {i for i in ids if self.library.entries[i].tier in tiers}
        return ids

    def _vector(self, query: str, allowed: set[str]) -> list[str]:
        vector = embed(self.settings.embedding_model, [query])[0].tolist()
        where = None if allowed >= set(self.library.entries) else {"guideline_id": {"$in": sorted(allowed)}}
        with self._lock:
            result = self.collection.query(
                query_embeddings=[vector], n_results=min(CANDIDATES, len(self.chunks)), where=where, include=[]
            )
        return [cid for cid in result["ids"][0] if cid in self.position]

    def _bm25(self, query: str, allowed: set[str]) -> list[str]:
        import bm25s

        tokens = bm25s.tokenize([query], stopwords="en", show_progress=False)
        if not tokens.vocab:
            return []
        with self._lock:
            indices, scores = self.bm25.retrieve(
                tokens, k=min(CANDIDATES * 4, len(self.chunks)), show_progress=False, n_threads=1
            )
        ranked = []
        for index, score in zip(indices[0], scores[0]):
            chunk = self.chunks[int(index)]
            if score > 0 and chunk.guideline_id in allowed:
                ranked.append(chunk.chunk_id)
        return ranked[:CANDIDATES]

    def similarity(self, text: str, chunk_ids: list[str]) -> list[float]:
        """Cosine similarity of `text` to stored chunk embeddings (no re-encoding of passages)."""
        if not chunk_ids:
            return []
        query = embed(self.settings.embedding_model, [text])[0]
        rows = np.asarray(self.vectors[[self.position[c] for c in chunk_ids]])
        return [float(x) for x in rows @ query]

    def page_ranking(self, claim: str, guideline_id: str) -> list[str]:
        """The guideline's printed pages in order of how well they match a claim (for support checks)."""
        pages: list[str] = []
        for passage in self.search(claim, k=40, guideline_ids=[guideline_id]):
            if passage.citation.printed_page not in pages:
                pages.append(passage.citation.printed_page)
        return pages

    def passage_for_chunk(self, chunk: Chunk, score: float = 0.0) -> RetrievedPassage:
        entry = self.library.entries[chunk.guideline_id]
        return RetrievedPassage(
            chunk_id=chunk.chunk_id,
            citation=Citation(
                guideline_id=entry.id,
                title=entry.title,
                short_form=entry.short_form,
                printed_page=chunk.printed_page,
                section=chunk.section,
                quote=chunk.text,
                strength=chunk.strength,
                superseded=entry.superseded,
            ),
            physical_page=chunk.physical_page,
            tier=entry.tier,
            score=score,
        )

    def _passage(self, chunk_id: str, score: float, vector_rank: int | None, bm25_rank: int | None) -> RetrievedPassage:
        passage = self.passage_for_chunk(self.chunks[self.position[chunk_id]], score)
        return passage.model_copy(update={"vector_rank": vector_rank, "bm25_rank": bm25_rank})


class GuidelineRetriever(BaseRetriever):
    """The same search as a LangChain retriever; each Document carries its Citation in metadata."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    search: GuidelineSearch
    k: int = 5
    guideline_ids: list[str] | None = None
    tiers: list[EvidenceTier] | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [
            Document(
                page_content=p.citation.quote,
                metadata={"citation": p.citation.model_dump(), "label": p.citation.label(), "score": p.score,
                          "tier": p.tier.value, "chunk_id": p.chunk_id},
            )
            for p in self.search.search(query, self.k, self.guideline_ids, self.tiers)
        ]
