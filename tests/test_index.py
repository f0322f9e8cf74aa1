"""The index: incremental and atomic builds; search through the API, the CLI and LangChain; page-exactness."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import make_settings
from test_pdf_pages import minimal_pdf

from assistant.contracts import EvidenceTier
from assistant.errors import IndexMissing

CDC_ID = "cdc-opioids-2022"
MTUS_ID = "mtus-cbt-test"
QUERIES = [
    "offer naloxone to patients at increased risk for opioid overdose",
    "tapering opioids slowly 10% per month",
    "cognitive behavioral therapy for chronic low back pain",
    "urine toxicology testing before starting opioids",
    "benzodiazepines concurrently with opioids",
    "prescription drug monitoring program PDMP review",
]

MTUS_PAGES = [
    ["Behavioral interventions",
     "Recommended. Cognitive behavioral therapy with a psychologist helps injured workers with chronic pain.",
     "An initial trial of three to four psychotherapy visits over two weeks is reasonable for these patients.",
     "With objective functional improvement, a total of up to six to ten visits over five to six weeks."],
    ["Opioids, criteria for use",
     "Before initiating therapy the injured worker should set goals with the treating physician.",
     "Continue opioids only if the worker has returned to work or has improved functioning and pain.",
     "Discontinue opioids if there is no overall improvement in function, unless extenuating circumstances."],
]


def normalise_ws(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def home_with_cdc_embeddings(cdc_settings, home: Path):
    """A fresh home that reuses the session index's cached CDC embeddings (no re-embedding of the CDC)."""
    shutil.copytree(cdc_settings.index_dir / "embedding-cache", home / "index" / "embedding-cache")
    return make_settings(home)


def add_mtus(settings, folder: Path):
    from assistant.corpus.add import add_guideline

    pdf = folder / "mtus-cbt.pdf"
    pdf.write_bytes(minimal_pdf(MTUS_PAGES))
    return add_guideline(settings, pdf, MTUS_ID, "MTUS Chronic Pain (test extract)", EvidenceTier.mtus,
                         section_pattern=r"^(Behavioral interventions|Opioids, criteria for use)$")


@pytest.fixture(scope="module")
def two_guidelines(cdc_settings, tmp_path_factory):
    """A home indexed with the CDC guideline, then again after a reviewer added an MTUS-like extract."""
    from assistant.index.store import build_index

    root = tmp_path_factory.mktemp("two-guidelines")
    settings = home_with_cdc_embeddings(cdc_settings, root / "home")
    first = build_index(settings)
    add_mtus(settings, root)
    second = build_index(settings)
    return settings, first, second


# --------------------------------------------------------------------------------------------------
# Builds
# --------------------------------------------------------------------------------------------------


def test_second_build_does_no_work(cdc_settings):
    from assistant.index.store import build_index, read_current_manifest

    before = read_current_manifest(cdc_settings)
    result = build_index(cdc_settings)
    assert result.rebuilt is False
    assert result.embedded_chunks == 0
    assert result.manifest.generation == before.generation
    assert result.manifest.chunk_count == before.chunk_count > 500


def test_adding_a_guideline_embeds_only_its_chunks(two_guidelines):
    _, first, second = two_guidelines
    assert first.rebuilt and first.embedded_chunks == 0  # the CDC embeddings came from the per-document cache
    assert second.rebuilt
    chunks = {g.id: g.chunks for g in second.manifest.guidelines}
    assert set(chunks) == {CDC_ID, MTUS_ID}
    assert chunks[MTUS_ID] > 0
    assert second.embedded_chunks == chunks[MTUS_ID]
    assert chunks[CDC_ID] == first.manifest.chunk_count
    assert second.manifest.chunk_count == chunks[CDC_ID] + chunks[MTUS_ID]
    assert second.manifest.generation != first.manifest.generation


def test_interrupted_build_keeps_the_old_generation(cdc_settings, tmp_path, monkeypatch):
    from chromadb.api.models.Collection import Collection

    from assistant.index.store import build_index, current_pointer, read_current_manifest
    from assistant.retrieval import GuidelineSearch

    settings = home_with_cdc_embeddings(cdc_settings, tmp_path / "home")
    old = build_index(settings).manifest
    pointer_before = current_pointer(settings).read_text()
    add_mtus(settings, tmp_path)

    real_add = Collection.add
    calls = {"n": 0}

    def failing_add(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("simulated crash in the middle of a build")
        return real_add(self, *args, **kwargs)

    monkeypatch.setattr(Collection, "add", failing_add)
    with pytest.raises(RuntimeError, match="simulated crash"):
        build_index(settings)
    assert calls["n"] == 2  # it really died midway, after one batch was written
    monkeypatch.setattr(Collection, "add", real_add)

    assert current_pointer(settings).read_text() == pointer_before
    assert read_current_manifest(settings).generation == old.generation
    search = GuidelineSearch(settings)
    assert search.manifest.generation == old.generation
    hits = search.search("offer naloxone to patients at risk of overdose", k=5)
    assert hits and {h.citation.guideline_id for h in hits} == {CDC_ID}
    assert search.search("cognitive behavioral therapy psychotherapy visits", guideline_ids=[MTUS_ID]) == []

    # The next build recovers: it replaces the half-written collection and switches over.
    result = build_index(settings)
    assert result.rebuilt and result.manifest.generation != old.generation
    recovered = GuidelineSearch(settings).search("psychotherapy visits over two weeks", k=3, guideline_ids=[MTUS_ID])
    assert recovered and recovered[0].citation.guideline_id == MTUS_ID


def test_interrupted_embedding_keeps_the_old_generation(cdc_settings, tmp_path, monkeypatch):
    import assistant.index.store as store
    from assistant.retrieval import GuidelineSearch

    settings = home_with_cdc_embeddings(cdc_settings, tmp_path / "home")
    old = store.build_index(settings).manifest
    add_mtus(settings, tmp_path)

    def broken_embed(*args, **kwargs):
        raise MemoryError("simulated out-of-memory while embedding")

    monkeypatch.setattr(store, "embed", broken_embed)
    with pytest.raises(MemoryError):
        store.build_index(settings)
    assert store.read_current_manifest(settings).generation == old.generation
    assert GuidelineSearch(settings).search("naloxone", k=1)[0].citation.guideline_id == CDC_ID


def test_fresh_home_without_index_raises_index_missing(tmp_path):
    from assistant.retrieval import GuidelineSearch

    with pytest.raises(IndexMissing, match="`assistant index`"):
        GuidelineSearch(make_settings(tmp_path / "empty-home"))


def test_cli_search_without_index_explains(tmp_path, capsys):
    from assistant.cli import main

    assert main(["--home", str(tmp_path / "empty-home"), "search", "naloxone"]) == 2
    assert "assistant index" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------------
# Search
# --------------------------------------------------------------------------------------------------


def test_cli_search_prints_page_citations(cdc_settings, capsys):
    from assistant.cli import main

    assert main(["--home", str(cdc_settings.home), "search", QUERIES[0], "-k", "3"]) == 0
    out = capsys.readouterr().out
    labels = re.findall(r"^\[(\d)\] (.+)$", out, flags=re.MULTILINE)
    assert [n for n, _ in labels] == ["1", "2", "3"]
    for _, label in labels:
        assert re.match(r"CDC Clinical Practice Guideline for Prescribing Opioids for Pain \(2022\), pp?\. \d+", label), label
    assert "naloxone" in out.lower()


def test_cli_search_json_and_guideline_filter(cdc_settings, capsys):
    from assistant.cli import main

    assert main(["--home", str(cdc_settings.home), "search", QUERIES[1], "-k", "2", "--json"]) == 0
    passages = json.loads(capsys.readouterr().out)
    assert len(passages) == 2
    assert all(p["citation"]["guideline_id"] == CDC_ID and p["citation"]["printed_page"].isdigit() for p in passages)

    assert main(["--home", str(cdc_settings.home), "search", QUERIES[1], "--guideline", "no-such-guideline"]) == 0
    assert "No indexed passage matches" in capsys.readouterr().out


def test_search_filters_by_guideline_and_tier(two_guidelines):
    from assistant.retrieval import GuidelineSearch

    settings, _, _ = two_guidelines
    search = GuidelineSearch(settings)
    query = "cognitive behavioral therapy psychotherapy visits for chronic pain"
    mixed = search.search(query, k=10)
    assert {p.citation.guideline_id for p in mixed} == {CDC_ID, MTUS_ID}

    only_mtus = search.search(query, k=10, guideline_ids=[MTUS_ID])
    assert only_mtus and {p.citation.guideline_id for p in only_mtus} == {MTUS_ID}
    assert {p.tier for p in only_mtus} == {EvidenceTier.mtus}
    assert only_mtus[0].citation.section in ("Behavioral interventions", "Opioids, criteria for use")

    by_tier = search.search(query, k=10, tiers=[EvidenceTier.mtus])
    assert [p.chunk_id for p in by_tier] == [p.chunk_id for p in only_mtus]
    evidence = search.search(query, k=10, tiers=[EvidenceTier.evidence_based])
    assert evidence and {p.citation.guideline_id for p in evidence} == {CDC_ID}
    assert search.search(query, tiers=[EvidenceTier.peer_reviewed]) == []
    for mode in ("vector", "bm25"):
        hits = search.search(query, k=5, guideline_ids=[CDC_ID], mode=mode)
        assert hits and {p.citation.guideline_id for p in hits} == {CDC_ID}


def test_search_finds_the_right_recommendation(cdc_search):
    top = cdc_search.search(QUERIES[0], k=5)
    assert any(p.citation.section.startswith("Recommendation 8") for p in top), [p.citation.section for p in top]
    top = cdc_search.search(QUERIES[4], k=5)
    assert any(p.citation.section.startswith("Recommendation 11") for p in top), [p.citation.section for p in top]
    assert all(p.vector_rank or p.bm25_rank for p in top)


def test_every_passage_is_page_exact(cdc_search):
    checked = 0
    for query in QUERIES:
        for passage in cdc_search.search(query, k=8):
            citation = passage.citation
            page = cdc_search.library.page(citation.guideline_id, citation.printed_page)
            assert page is not None, citation
            assert page.physical_page == passage.physical_page
            assert normalise_ws(citation.quote) in normalise_ws(page.text), (query, citation.printed_page)
            checked += 1
    assert checked == 8 * len(QUERIES)


def test_page_exactness_check_can_fail(cdc_search):
    passage = cdc_search.search(QUERIES[0], k=1)[0]
    other = cdc_search.library.page(CDC_ID, str(int(passage.citation.printed_page) + 1))
    assert normalise_ws(passage.citation.quote) not in normalise_ws(other.text)


def test_langchain_retriever_returns_cited_documents(cdc_search):
    from langchain_core.documents import Document

    from assistant.retrieval import GuidelineRetriever

    retriever = GuidelineRetriever(search=cdc_search, k=3)
    documents = retriever.invoke(QUERIES[1])
    assert len(documents) == 3
    direct = cdc_search.search(QUERIES[1], k=3)
    assert [d.metadata["chunk_id"] for d in documents] == [p.chunk_id for p in direct]
    for document in documents:
        assert isinstance(document, Document)
        citation = document.metadata["citation"]
        assert citation["guideline_id"] == CDC_ID
        assert citation["quote"] == document.page_content
        assert re.fullmatch(r"\d+", citation["printed_page"])
        assert f"p. {citation['printed_page']}" in document.metadata["label"]
        assert document.metadata["tier"] == "evidence-based"
        page = cdc_search.library.page(CDC_ID, citation["printed_page"])
        assert normalise_ws(document.page_content) in normalise_ws(page.text)


def test_building_bm25_prints_no_debug_lines():
    """Importing bm25s sets its logger to DEBUG; every `assistant index` printed "DEBUG bm25s: Building index …"."""
    import subprocess
    import sys

    code = ("import logging\n"
            "logging.basicConfig(level=logging.WARNING)  # as the CLI does\n"
            "from assistant.index.store import quiet_bm25s\n"
            "bm25s = quiet_bm25s()\n"
            "bm25s.BM25().index(bm25s.tokenize(['opioid taper', 'naloxone'], show_progress=False), show_progress=False)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "DEBUG" not in done.stderr + done.stdout
