"""Shared fixtures: the real CDC PDF from ../shared, and one real index built once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ASSISTANT_SHARED_DIR", PROJECT_ROOT.parent / "shared"))
CDC_PDF = SHARED / "corpus" / "cdc-opioids-2022.pdf"
REGIONS_DIR = SHARED / "corpus" / "cdc-opioids-2022-regions"
LETTERS_DIR = SHARED / "imr-letters" / "dev"
SEED_LETTER = SHARED / "imr-letters" / "seed-2014-cbt.txt"
FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
TEST_OUTPUT = PROJECT_ROOT / "test-output"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
# Tests index the CDC guideline only (also in subprocesses), unless a test names other guidelines itself:
# the twelve VA/DoD guidelines add ~1,800 pages that CI need not embed for every test.
CDC_ONLY = "cdc-opioids-2022"
os.environ.setdefault("ASSISTANT_GUIDELINES", CDC_ONLY)


def require_shared(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is not available (../shared is laid out by the workplace, see DEVELOPERS.md)")
    return path


@pytest.fixture(scope="session")
def shared_embedding_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("embedding-cache")


def make_settings(home: Path, **overrides):
    from assistant.config import Settings

    overrides.setdefault("guidelines", CDC_ONLY)
    return Settings(home=home, corpus_mirror=CDC_PDF.parent, **overrides)


@pytest.fixture(scope="session")
def cdc_settings(tmp_path_factory):
    """Settings whose ASSISTANT_HOME holds the fetched CDC PDF and a built index (built once per session)."""
    from assistant.index.store import build_index

    require_shared(CDC_PDF)
    home = tmp_path_factory.mktemp("assistant-home")
    settings = make_settings(home)
    build_index(settings)
    return settings


@pytest.fixture(scope="session")
def cdc_search(cdc_settings):
    from assistant.retrieval import GuidelineSearch

    return GuidelineSearch(cdc_settings)


@pytest.fixture(scope="session")
def cdc_ingested():
    from assistant.config import Settings
    from assistant.corpus.catalog import find_entry, load_catalog
    from assistant.corpus.ingest import ingest_pdf

    require_shared(CDC_PDF)
    entry = find_entry(load_catalog(Settings(home=PROJECT_ROOT / ".unused-home")), "cdc-opioids-2022")
    return ingest_pdf(entry, CDC_PDF)
