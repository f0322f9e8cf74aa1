"""Fetching catalogued PDFs (mirror and real HTTP), SHA-256 verification, and `corpus add`."""

from __future__ import annotations

import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import CDC_PDF, make_settings, require_shared
from test_pdf_pages import minimal_pdf

from assistant.config import BUNDLED_CATALOG, Settings
from assistant.contracts import EvidenceTier
from assistant.corpus.active import active_entries
from assistant.corpus.catalog import find_entry, load_catalog
from assistant.corpus.fetch import fetch_document, sha256_of
from assistant.errors import CatalogError, ChecksumMismatch, FetchError

CDC_ID = "cdc-opioids-2022"
CDC_SHA256 = "f4e5098d13e9b3dc5cc27bb90137df57d3667350b2add885fd367f279402d18d"


@pytest.fixture(autouse=True)
def _no_ambient_configuration(monkeypatch):
    for name in ("ASSISTANT_CORPUS_MIRROR", "ASSISTANT_HOME", "ASSISTANT_CATALOG_FILE", "ASSISTANT_CHROMA_URL"):
        monkeypatch.delenv(name, raising=False)
    # A proxy configured in the environment must not intercept requests to the local test server.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


def all_files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


def cdc_entry(settings: Settings):
    return find_entry(load_catalog(settings), CDC_ID)


# --------------------------------------------------------------------------------------------------
# Mirror
# --------------------------------------------------------------------------------------------------


def test_fetch_from_mirror_verifies_sha256(tmp_path):
    require_shared(CDC_PDF)
    settings = make_settings(tmp_path / "home")
    path = fetch_document(settings, cdc_entry(settings))
    assert path == settings.documents_dir / "cdc-opioids-2022.pdf"
    assert sha256_of(path) == CDC_SHA256
    assert path.read_bytes() == CDC_PDF.read_bytes()
    assert all_files(settings.documents_dir) == ["cdc-opioids-2022.pdf"]  # no temporary left behind
    # Fetching again is a no-op that returns the verified copy.
    assert fetch_document(settings, cdc_entry(settings)) == path


def test_checksum_mismatch_leaves_nothing(tmp_path):
    require_shared(CDC_PDF)
    settings = make_settings(tmp_path / "home")
    wrong = cdc_entry(settings).model_copy(update={"sha256": "ab" * 32})
    with pytest.raises(ChecksumMismatch, match=r"(?s)cdc-opioids-2022\.pdf.*" + CDC_SHA256 + r".*nothing was saved"):
        fetch_document(settings, wrong)
    assert all_files(settings.documents_dir) == []  # neither the file nor a .part


def test_corrupted_local_copy_is_replaced_from_mirror(tmp_path):
    require_shared(CDC_PDF)
    settings = make_settings(tmp_path / "home")
    settings.documents_dir.mkdir(parents=True)
    (settings.documents_dir / "cdc-opioids-2022.pdf").write_bytes(b"%PDF-1.4 damaged")
    path = fetch_document(settings, cdc_entry(settings))
    assert sha256_of(path) == CDC_SHA256


# --------------------------------------------------------------------------------------------------
# HTTP, against a real local server
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def pdf_server():
    """A ThreadingHTTPServer on 127.0.0.1 serving the CDC PDF at /rr7103a1-H.pdf; everything else is 404."""
    data = require_shared(CDC_PDF).read_bytes()
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's naming
            requests.append(self.path)
            if self.path == "/mmwr/rr7103a1-H.pdf":
                self.send_response(200)
                self.send_header("Content-Type", "application/pdf")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            else:
                self.send_error(404, "Not Found")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def catalog_with_url(tmp_path: Path, url: str) -> Path:
    text = BUNDLED_CATALOG.read_text(encoding="utf-8")
    original = 'url = "https://www.cdc.gov/mmwr/volumes/71/rr/pdfs/rr7103a1-H.pdf"'
    assert original in text
    catalog = tmp_path / "catalog.toml"
    catalog.write_text(text.replace(original, f'url = "{url}"'), encoding="utf-8")
    return catalog


def test_fetch_over_http_verifies_sha256(tmp_path, pdf_server):
    base, requests = pdf_server
    settings = Settings(home=tmp_path / "home", catalog_file=catalog_with_url(tmp_path, f"{base}/mmwr/rr7103a1-H.pdf"),
                        corpus_mirror=None)
    entry = cdc_entry(settings)
    assert entry.url.startswith("http://127.0.0.1:")
    path = fetch_document(settings, entry)
    assert requests == ["/mmwr/rr7103a1-H.pdf"]
    assert sha256_of(path) == CDC_SHA256
    assert all_files(settings.documents_dir) == ["cdc-opioids-2022.pdf"]


def test_http_404_raises_fetch_error(tmp_path, pdf_server):
    base, requests = pdf_server
    settings = Settings(home=tmp_path / "home", catalog_file=catalog_with_url(tmp_path, f"{base}/missing.pdf"),
                        corpus_mirror=None)
    with pytest.raises(FetchError, match=r"(?s)Could not download cdc-opioids-2022.*404.*ASSISTANT_CORPUS_MIRROR"):
        fetch_document(settings, cdc_entry(settings))
    assert requests == ["/missing.pdf"]
    assert all_files(settings.documents_dir) == []


def test_http_checksum_mismatch_leaves_nothing(tmp_path, pdf_server):
    base, _ = pdf_server
    catalog = catalog_with_url(tmp_path, f"{base}/mmwr/rr7103a1-H.pdf")
    catalog.write_text(catalog.read_text(encoding="utf-8").replace(CDC_SHA256, "cd" * 32), encoding="utf-8")
    settings = Settings(home=tmp_path / "home", catalog_file=catalog, corpus_mirror=None)
    with pytest.raises(ChecksumMismatch):
        fetch_document(settings, cdc_entry(settings))
    assert all_files(settings.documents_dir) == []


def test_unreachable_server_raises_fetch_error(tmp_path):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = Settings(home=tmp_path / "home", catalog_file=catalog_with_url(tmp_path, f"http://127.0.0.1:{port}/x.pdf"),
                        corpus_mirror=None)
    with pytest.raises(FetchError, match="offline"):
        fetch_document(settings, cdc_entry(settings))
    assert all_files(settings.documents_dir) == []


# --------------------------------------------------------------------------------------------------
# corpus add
# --------------------------------------------------------------------------------------------------


def reviewer_pdf(path: Path, topic: str) -> Path:
    pages = [
        [f"{topic}", f"Guidance on {topic.lower()} for injured workers with chronic pain conditions.",
         "Recommended as an option when function has not improved with conservative care alone.",
         "Document the baseline, the functional goals and the response at each follow-up visit."],
        [f"{topic} continued. A trial of up to six visits over two weeks is reasonable for most patients.",
         "Further visits need objective functional improvement documented by the treating physician.",
         "Not recommended when the patient has not engaged with an active home exercise programme."],
    ]
    path.write_bytes(minimal_pdf(pages))
    return path


def home_with_cdc_embeddings(cdc_settings, home: Path) -> Settings:
    """A new home that reuses the session index's cached CDC embeddings (so no re-embedding)."""
    shutil.copytree(cdc_settings.index_dir / "embedding-cache", home / "index" / "embedding-cache")
    return make_settings(home)


def test_corpus_add_rejects_duplicates_then_indexes(tmp_path, cdc_settings):
    from assistant.corpus.add import add_guideline
    from assistant.index.store import build_index

    settings = home_with_cdc_embeddings(cdc_settings, tmp_path / "home")
    pdf = reviewer_pdf(tmp_path / "physio.pdf", "Physical medicine")
    entry = add_guideline(settings, pdf, "mtus-physio-test", "MTUS Physical Medicine (test)", EvidenceTier.mtus)
    assert (settings.documents_dir / "mtus-physio-test.pdf").read_bytes() == pdf.read_bytes()
    assert entry.source == "reviewer" and entry.sha256 == sha256_of(pdf)
    assert [e.id for e in active_entries(settings)] == [CDC_ID, "mtus-physio-test"]
    # The reviewer's catalog file round-trips the whole entry, section rules included.
    assert find_entry(load_catalog(settings), "mtus-physio-test") == entry

    # The same PDF again, under another id.
    with pytest.raises(CatalogError, match="already in the corpus as 'mtus-physio-test'"):
        add_guideline(settings, pdf, "mtus-physio-again", "Again", EvidenceTier.mtus)
    # The catalogued CDC PDF itself.
    with pytest.raises(CatalogError, match=f"already in the corpus as '{CDC_ID}'"):
        add_guideline(settings, CDC_PDF, "cdc-copy", "CDC copy", EvidenceTier.evidence_based)
    # The same id with different content.
    other = reviewer_pdf(tmp_path / "acupuncture.pdf", "Acupuncture")
    with pytest.raises(CatalogError, match="already exists with different content"):
        add_guideline(settings, other, "mtus-physio-test", "Different", EvidenceTier.mtus)
    # Nothing of the rejected adds was kept.
    assert [e.id for e in active_entries(settings)] == [CDC_ID, "mtus-physio-test"]
    assert all_files(settings.documents_dir) == ["mtus-physio-test.pdf"]

    result = build_index(settings)
    assert result.rebuilt
    indexed = {g.id: g for g in result.manifest.guidelines}
    assert set(indexed) == {CDC_ID, "mtus-physio-test"}
    assert indexed["mtus-physio-test"].chunks > 0
    assert result.embedded_chunks == indexed["mtus-physio-test"].chunks  # CDC came from the cache

    from assistant.retrieval import GuidelineSearch

    hits = GuidelineSearch(settings).search("home exercise programme physical medicine visits", k=3,
                                           guideline_ids=["mtus-physio-test"])
    assert hits and all(h.citation.guideline_id == "mtus-physio-test" for h in hits)


def test_corpus_add_rejects_missing_and_unreadable_files(tmp_path):
    from assistant.corpus.add import add_guideline
    from assistant.errors import DocumentUnreadable

    settings = make_settings(tmp_path / "home")
    with pytest.raises(CatalogError, match="does not exist"):
        add_guideline(settings, tmp_path / "nope.pdf", "mtus-nope", "Nope", EvidenceTier.mtus)
    scanned = tmp_path / "scan.pdf"
    scanned.write_bytes(minimal_pdf([None, None], image_pages={0, 1}))
    with pytest.raises(DocumentUnreadable, match="OCR"):
        add_guideline(settings, scanned, "mtus-scan", "Scan", EvidenceTier.mtus)
    good = reviewer_pdf(tmp_path / "good.pdf", "Massage")
    with pytest.raises(CatalogError, match="lower-case"):
        add_guideline(settings, good, "Bad Id!", "Bad id", EvidenceTier.mtus)
    assert not settings.user_catalog_file.exists()
    assert all_files(settings.documents_dir) == []
