"""Hybrid search: dense vectors (Chroma) and BM25, fused by a weighted sum of normalised scores.

Why this fusion and these constants: docs/retrieval.md (chosen on the tune splits of the query sets only).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Literal

import numpy as np

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.config import Settings
from assistant.contracts import Chunk, Citation, EvidenceTier, RetrievedPassage, recommendation_numbers
from assistant.corpus.abbreviations import abbreviation_lists
from assistant.corpus.catalog import load_catalog
from assistant.corpus.pages import SINGLE_RECOMMENDATION
from assistant.errors import IndexMissing
from assistant.index.embeddings import embed
from assistant.index.store import (
    chroma_client,
    generation_dir,
    load_chunk_embeddings,
    load_chunks,
    load_pages,
    quiet_bm25s,
    require_manifest,
)
from assistant.retrieval.library import GuidelineLibrary
from assistant.vocabulary.query import ExpandedQuery, expand_query

SearchMode = Literal["hybrid", "vector", "bm25"]
MODES: tuple[str, ...] = ("vector", "bm25", "hybrid")
DEFAULT_MODE = "hybrid"
RRF_K = 60
SCORE_SCALE = 2 / (RRF_K + 1)  # passage.score keeps the magnitude reciprocal-rank fusion gave (drafting mixes it in)
CANDIDATES = 50
VECTOR_WEIGHT = 0.6  # a query in the guidelines' own words
VECTOR_WEIGHT_EXPANDED = 0.4  # a query the vocabulary had to expand: shorthand, brand names, typos
RESTATING_FACTOR = 0.9
RECOMMENDATION_FACTOR = 1.2  # a chunk of a numbered recommendation's statement or discussion
STATEMENT_FACTOR = 1.05  # the chunk that opens a recommendation: its statement, the words a reviewer cites
NORMALISATION = "minmax"  # "zscore" was tried: better on tune, worse on held-out (docs/retrieval.md)
STATEMENT_LIFT = 0.95  # a statement within 5% of its recommendation's best passage is shown first
GUIDELINE_PRIOR = 0.25  # how strongly a question prefers the guideline whose title and conditions it names
CLASS_WEIGHT = 0.1  # BM25 weight of a named drug class's best-matching member (ibuprofen for "NSAIDs")
EXPANSION_WEIGHT = 0.5  # BM25 weight of words the vocabulary adds, relative to the reviewer's own words
QUERY_VECTOR_CACHE = 512


def _searched_beside(understood: ExpandedQuery) -> str:
    """The vocabulary's additions not already among the words searched at full weight (a drug class's members
    are searched apart: `_class_members`)."""
    own = understood.respelled.lower()
    members = {m.lower() for group in _class_members(understood) for m in group}
    return " ".join(t for t in understood.added_terms if t.lower() not in own and t.lower() not in members)


def _class_members(understood: ExpandedQuery) -> list[list[str]]:
    """The generics of each drug class the query names ("NSAIDs" -> ibuprofen, naproxen, ...)."""
    return [e.added for e in understood.expansions if e.kind == "drug class"]


class GuidelineSearch:
    """Open once, query many times. Thread-safe for concurrent reviewers."""

    MODES = MODES
    DEFAULT_MODE = DEFAULT_MODE

    def __init__(self, settings: Settings):
        bm25s = quiet_bm25s()
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
        self._query_vectors: dict[str, np.ndarray] = {}
        self._masks: dict[frozenset[str], np.ndarray] = {}
        self._known_words: frozenset[str] | None = None
        self._title_vectors: dict[str, np.ndarray] | None = None
        self._abbreviations = abbreviation_lists(p for pages in self.library.pages.values() for p in pages)
        self._all_guidelines = {c.guideline_id for c in self.chunks}
        self._restating = np.array([_restates(self.library.entries.get(c.guideline_id), c) for c in self.chunks], dtype=bool)
        self._recommendation_key = recommendation_keys(self.chunks)
        self._recommendation = self._recommendation_key >= 0  # not the "Recommendations" summary chapter
        self._statement = statement_chunks(self.chunks)
        self._statement_of = {(self.chunks[i].guideline_id, self.chunks[i].section_path[0]): int(i)
                              for i in np.flatnonzero(self._statement)}

    def search(
        self,
        query: str,
        k: int = 5,
        guideline_ids: list[str] | None = None,
        tiers: list[EvidenceTier] | None = None,
        mode: SearchMode = "hybrid",
        distinct_pages: bool = False,
    ) -> list[RetrievedPassage]:
        """The k best passages; with distinct_pages at most one per printed page, so k results are k pages.

        Drafting takes chunks (several of one page may each carry a different quote); the retrieval eval and a
        reviewer's page list take distinct pages.
        """
        query = query.strip()
        if not query:
            return []
        allowed = self._allowed(guideline_ids, tiers)
        if not allowed:
            return []
        scored = self.scored_candidates(query, allowed, mode)
        fused = fuse(scored, mode) * self.section_factor(scored.positions)
        if GUIDELINE_PRIOR and len(allowed) > 1 and mode == "hybrid":
            fused = fused * self.guideline_prior(scored.searched or query, scored.positions, allowed)
        if STATEMENT_LIFT and mode == "hybrid":
            fused = self.lift_statements(fused, scored.positions)
        picked: list[int] = []
        seen_pages: set[tuple[str, str]] = set()
        for i in np.lexsort((scored.positions, -fused)):
            chunk = self.chunks[int(scored.positions[i])]
            page = (chunk.guideline_id, chunk.printed_page)
            if distinct_pages and page in seen_pages:
                continue
            seen_pages.add(page)
            picked.append(int(i))
            if len(picked) == k:
                break
        vector_rank, bm25_rank = _ranks(scored.vector, scored.in_vector), _ranks(scored.bm25, scored.in_bm25)
        return [self._passage(int(scored.positions[i]), float(fused[i]) * SCORE_SCALE,
                              vector_rank[i], bm25_rank[i]) for i in picked]

    def guideline_prior(self, searched: str, positions: np.ndarray, allowed: set[str]) -> np.ndarray:
        """exp(GUIDELINE_PRIOR x (the query's similarity to each guideline's title and conditions - the best one's)).

        Why: a passage from mid-discussion does not say which guideline it is in, so with thirteen searched a
        question about insomnia meets depression and PTSD pages in the same words. The factor is one number per
        guideline: the order of passages within a guideline never changes (putting the guideline's name in each
        passage's embedding did change it, docs/retrieval.md)."""
        query = self.query_vector(searched)
        similarity = {g: float(vector @ query) for g, vector in self._guideline_vectors().items() if g in allowed}
        best = max(similarity.values(), default=0.0)
        factor = {g: float(np.exp(GUIDELINE_PRIOR * (value - best))) for g, value in similarity.items()}
        return np.array([factor.get(self.chunks[int(p)].guideline_id, 1.0) for p in positions])

    def lift_statements(self, fused: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """A recommendation's statement moves up to its recommendation's best passage when it scores within
        STATEMENT_LIFT of it.

        Why: a question about melatonin matches the statement page and the discussion page after it almost equally,
        and the reviewer cites the statement ("Recommendation 32, p. 60"). A question answered by one span of the
        discussion (a trial's size, a definition) scores that span well above the statement, which stays put."""
        keys = self._recommendation_key[positions]
        best: dict[int, float] = {}
        for key, score in zip(keys.tolist(), fused.tolist()):
            if key >= 0:
                best[key] = max(best.get(key, score), score)
        lifted = fused.copy()
        for i in np.flatnonzero(self._statement[positions]):  # a statement is always in a numbered recommendation
            top = best[int(keys[i])]
            if 0 < top - fused[i] <= (1 - STATEMENT_LIFT) * abs(top):
                lifted[i] = np.nextafter(top, np.inf)
        return lifted

    def _guideline_vectors(self) -> dict[str, np.ndarray]:
        """Each indexed guideline's title and catalogued conditions, embedded once."""
        with self._lock:
            if self._title_vectors is None:
                texts = {g: ". ".join([e.title, *e.conditions]) for g, e in self.library.entries.items()
                         if g in self._all_guidelines}
                self._title_vectors = dict(zip(texts, embed(self.settings.embedding_model, list(texts.values()))))
            return self._title_vectors

    def section_factor(self, positions: np.ndarray) -> np.ndarray:
        """Recommendation-aware ranking: a recommendation's own text up, restatements (summary tables, appendices) down."""
        return (np.where(self._restating[positions], RESTATING_FACTOR, 1.0)
                * np.where(self._recommendation[positions], RECOMMENDATION_FACTOR, 1.0)
                * np.where(self._statement[positions], STATEMENT_FACTOR, 1.0))

    def scored_candidates(self, query: str, allowed: set[str], mode: str = "hybrid") -> "ScoredCandidates":
        """Candidates from Chroma (top 50) and BM25 (top 50), each scored exactly by both components."""
        understood = self.understood(query)
        searched, added = understood.respelled or query, _searched_beside(understood)
        bm25_scores = (self._bm25_scores(searched, added, allowed, _class_members(understood))
                       if mode in ("hybrid", "bm25") else None)
        vector_ids = self._vector(searched, allowed) if mode in ("hybrid", "vector") else []
        from_vector = np.array([self.position[c] for c in vector_ids], dtype=np.int64)
        from_bm25 = _top_positive(bm25_scores, CANDIDATES) if bm25_scores is not None else np.zeros(0, np.int64)
        positions = np.unique(np.concatenate([from_vector, from_bm25]))
        if mode in ("hybrid", "vector") and len(positions):
            vector = np.asarray(self.vectors[positions] @ self.query_vector(searched), dtype=np.float64)
        else:
            vector = np.zeros(len(positions))
        bm25 = bm25_scores[positions].astype(np.float64) if bm25_scores is not None else np.zeros(len(positions))
        return ScoredCandidates(positions, vector, bm25, np.isin(positions, from_vector), np.isin(positions, from_bm25),
                                expanded=bool(added), searched=searched)

    def _allowed(self, guideline_ids: list[str] | None, tiers: list[EvidenceTier] | None) -> set[str]:
        ids = set(self.library.entries)
        if guideline_ids:
            ids &= set(guideline_ids)
        if tiers:
            ids = {i for i in ids if self.library.entries[i].tier in tiers}
        return ids

    def understood(self, query: str) -> ExpandedQuery:
        """The query as the vocabulary stage reads it: misspellings, abbreviations and brand names recognised.
        Words the index already knows are never "corrected"."""
        if self._known_words is None:
            self._known_words = frozenset(self.bm25.vocab_dict)
        return expand_query(query, self._known_words, self._abbreviations)

    def words_no_guideline_uses(self, query: str) -> list[str]:
        """The query's own words (of four letters or more) that no indexed passage holds, not explained by the
        vocabulary as a word the guidelines do use: "is shockwave therapy recommended for back pain?" listed low
        back pages as the closest passages, none of which names shockwave, and nothing said so. A misspelling
        corrected, or an abbreviation or brand name one of whose readings the index holds in full (Norco →
        hydrocodone), is explained; ESWT → "extracorporeal shockwave therapy" is not."""
        import bm25s

        understood = self.understood(query)
        known = self._known_words or frozenset()
        explained: set[str] = set()
        for expansion in understood.expansions:
            readings = bm25s.tokenize(expansion.added or ["."], stopwords="en", return_ids=False, show_progress=False)
            if any(reading and all(t in known for t in reading) for reading in readings):
                explained.update(bm25s.tokenize([expansion.surface], stopwords="en", return_ids=False,
                                                show_progress=False)[0])
        asked = understood.respelled or query
        own = bm25s.tokenize([asked], stopwords="en", return_ids=False, show_progress=False)[0]
        unknown = dict.fromkeys(t for t in own if len(t) >= 4 and t.isalpha() and t not in known and t not in explained)
        typed = (re.search(rf"(?<![^\W_]){re.escape(t)}(?![^\W_])", asked, re.IGNORECASE) for t in unknown)
        return [match.group() for match in typed if match]

    def added_terms(self, query: str) -> str:
        """What the guidelines call the query's abbreviations, brand names and misspellings.

        The reviewer's own words are searched at full weight, a misspelt one in its corrected spelling (the typo
        is in no guideline); the rest of what the vocabulary adds is searched beside them at EXPANSION_WEIGHT.
        """
        return _searched_beside(self.understood(query))

    def query_vector(self, text: str) -> np.ndarray:
        """The text's embedding; the last few hundred are kept, since drafting and evals ask for the same text again."""
        with self._lock:
            cached = self._query_vectors.get(text)
        if cached is None:
            cached = embed(self.settings.embedding_model, [text])[0]
            cached.setflags(write=False)
            with self._lock:
                self._query_vectors[text] = cached
                while len(self._query_vectors) > QUERY_VECTOR_CACHE:
                    self._query_vectors.pop(next(iter(self._query_vectors)))
        return cached

    def _vector(self, searched: str, allowed: set[str]) -> list[str]:
        vector = self.query_vector(searched).tolist()
        where = None if allowed >= self._all_guidelines else {"guideline_id": {"$in": sorted(allowed)}}
        with self._lock:
            result = self.collection.query(
                query_embeddings=[vector], n_results=min(CANDIDATES, len(self.chunks)), where=where, include=[]
            )
        return [cid for cid in result["ids"][0] if cid in self.position]

    def _bm25_scores(self, searched: str, beside: str, allowed: set[str],
                     classes: list[list[str]] = ()) -> np.ndarray | None:
        """BM25 score of every chunk (0 outside `allowed`), or None when no query word is in the index: the
        reviewer's words (`searched`, misspellings corrected) at full weight, `beside` at EXPANSION_WEIGHT, and
        for each named drug class its best-matching member at CLASS_WEIGHT."""
        import bm25s

        own, added, *members = bm25s.tokenize([searched, beside or ".", *(" ".join(m) for m in classes)],
                                              stopwords="en", return_ids=False, show_progress=False)
        own_ids = self.bm25.get_tokens_ids(own)
        seen = set(own_ids)
        added_ids = [i for i in dict.fromkeys(self.bm25.get_tokens_ids(added)) if i not in seen]
        if not own_ids and not added_ids:
            return None
        with self._lock:
            scores = self.bm25.get_scores_from_ids(own_ids) if own_ids else 0.0
            if added_ids and EXPANSION_WEIGHT:
                scores = scores + EXPANSION_WEIGHT * self.bm25.get_scores_from_ids(added_ids)
            for tokens in members:
                member_ids = [i for i in dict.fromkeys(self.bm25.get_tokens_ids(tokens)) if i not in seen]
                scores = scores + CLASS_WEIGHT * self._best_member_scores(member_ids)
        return scores if allowed >= self._all_guidelines else scores * self._mask(allowed)

    def _best_member_scores(self, member_ids: list[int]) -> np.ndarray:
        """Per chunk, the BM25 score of the class member it matches best: a page naming two NSAIDs is not twice as
        much about NSAIDs as a page naming one."""
        best = np.zeros(len(self.chunks), dtype=np.float32)
        for token in member_ids:
            best = np.maximum(best, self.bm25.get_scores_from_ids([token]))
        return best

    def _mask(self, allowed: set[str]) -> np.ndarray:
        key = frozenset(allowed)
        mask = self._masks.get(key)
        if mask is None:
            mask = np.array([c.guideline_id in allowed for c in self.chunks], dtype=np.float32)
            self._masks[key] = mask
        return mask

    def similarity(self, text: str, chunk_ids: list[str]) -> list[float]:
        """Cosine similarity of `text` to stored chunk embeddings (no re-encoding of passages)."""
        if not chunk_ids:
            return []
        query = self.query_vector(text)
        rows = np.asarray(self.vectors[[self.position[c] for c in chunk_ids]])
        return [float(x) for x in rows @ query]

    def page_ranking(self, claim: str, guideline_id: str) -> list[str]:
        """The guideline's printed pages in order of how well they match a claim (for support checks)."""
        pages: list[str] = []
        for passage in self.search(claim, k=40, guideline_ids=[guideline_id]):
            if passage.citation.printed_page not in pages:
                pages.append(passage.citation.printed_page)
        return pages

    def statement_passage(self, guideline_id: str, recommendation: str) -> RetrievedPassage | None:
        """The passage that opens a numbered recommendation ("Recommendation 19"): its statement, the words a
        reviewer cites; None when the guideline has no such recommendation indexed."""
        position = self._statement_of.get((guideline_id, recommendation))
        return None if position is None else self.passage_for_chunk(self.chunks[position])

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

    def _passage(self, position: int, score: float, vector_rank: int | None, bm25_rank: int | None) -> RetrievedPassage:
        passage = self.passage_for_chunk(self.chunks[position], score)
        return passage.model_copy(update={"vector_rank": vector_rank, "bm25_rank": bm25_rank})


@dataclass
class ScoredCandidates:
    """Candidate chunk positions with both component scores (raw cosine similarity and raw BM25)."""

    positions: np.ndarray
    vector: np.ndarray
    bm25: np.ndarray
    in_vector: np.ndarray
    in_bm25: np.ndarray
    expanded: bool = False
    searched: str = ""
    """The query as embedded (misspellings corrected)."""


def fuse(scored: ScoredCandidates, mode: str, vector_weight: float | None = None) -> np.ndarray:
    """Each component min-max normalised over the candidates, then weighted; a single mode is its own score.

    The embedding model does not know reviewer shorthand or brand names, so a query the vocabulary expanded leans
    on BM25 (which searches the expansion); a plain query leans on the embedding.
    """
    if vector_weight is None:
        vector_weight = VECTOR_WEIGHT_EXPANDED if scored.expanded else VECTOR_WEIGHT
    normalise = _zscore if NORMALISATION == "zscore" else _minmax
    vector, bm25 = normalise(scored.vector), normalise(scored.bm25)
    if mode == "vector":
        return vector
    if mode == "bm25":
        return bm25
    return vector_weight * vector + (1 - vector_weight) * bm25


def _minmax(values: np.ndarray) -> np.ndarray:
    if not len(values):
        return values
    low, high = float(values.min()), float(values.max())
    return (values - low) / (high - low) if high > low else np.zeros_like(values)


def _zscore(values: np.ndarray) -> np.ndarray:
    if not len(values):
        return values
    spread = float(values.std())
    return (values - float(values.mean())) / spread if spread > 0 else np.zeros_like(values)


def _top_positive(scores: np.ndarray, n: int) -> np.ndarray:
    n = min(n, len(scores))
    if n == 0:
        return np.zeros(0, np.int64)
    top = np.argpartition(-scores, n - 1)[:n]
    return top[scores[top] > 0].astype(np.int64)


def _ranks(scores: np.ndarray, member: np.ndarray) -> list[int | None]:
    """1-based rank of each candidate by one component among that component's own candidates."""
    order = [i for i in np.argsort(-scores, kind="stable") if member[i]]
    rank = {int(i): r for r, i in enumerate(order, start=1)}
    return [rank.get(i) for i in range(len(scores))]


def statement_chunks(chunks: list[Chunk]) -> np.ndarray:
    """Which chunks open a numbered recommendation ("Recommendation 7 …", "7. We suggest …"): the first chunk, in
    reading order, of each guideline's "Recommendation N" section, where the statement itself stands."""
    first: dict[tuple[str, str], int] = {}
    for i, c in enumerate(chunks):
        if c.section_path and SINGLE_RECOMMENDATION.match(c.section_path[0]):
            key = (c.guideline_id, c.section_path[0])
            here = (c.physical_page, c.char_start)
            if key not in first or here < (chunks[first[key]].physical_page, chunks[first[key]].char_start):
                first[key] = i
    marked = np.zeros(len(chunks), dtype=bool)
    marked[list(first.values())] = True
    return marked


def recommendation_keys(chunks: list[Chunk]) -> np.ndarray:
    """One integer per numbered recommendation of each guideline (its statement and discussion share it); -1 for a
    chunk outside any numbered recommendation (front matter, the "Recommendations" summary, appendices)."""
    ids: dict[tuple[str, str], int] = {}
    keys = np.full(len(chunks), -1, dtype=np.int64)
    for i, c in enumerate(chunks):
        if c.section_path and recommendation_numbers(c.section_path[0]):
            keys[i] = ids.setdefault((c.guideline_id, c.section_path[0]), len(ids))
    return keys


def _restates(entry, chunk: Chunk) -> bool:
    """Whether the chunk's section restates guidance given in full elsewhere (summary tables, appendices)."""
    return entry is not None and entry.restates(chunk.section_path)


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


def unmatched_words_note(words: list[str]) -> str:
    """Said before the passages of a search some of whose words no indexed guideline holds: they were found by the
    question's other words, not by these."""
    quoted = ", ".join(f"“{w}”" for w in words)
    noun = "word" if len(words) == 1 else "words"
    return (f"No indexed guideline uses the {noun} {quoted}; the passages below match the question's other words "
            "and may not address it.")
