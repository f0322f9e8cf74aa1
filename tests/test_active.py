"""Which catalog guidelines are active (ASSISTANT_GUIDELINES, `corpus enable/disable`), and fetching them all."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import CDC_PDF, require_shared

from assistant.config import BUNDLED_CATALOG, Settings
from assistant.corpus.active import active_entries, disable_guideline, enable_guideline
from assistant.errors import CatalogError, ChecksumMismatch, FetchError

CDC_ID = "cdc-opioids-2022"
LBP_ID = "vadod-lbp-2022"


def ids(settings: Settings) -> list[str]:
    return [e.id for e in active_entries(settings)]


def test_every_catalog_guideline_is_active_unless_restricted(tmp_path):
    everything = Settings(home=tmp_path, guidelines=None)
    assert len(ids(everything)) == 13 and ids(everything)[0] == CDC_ID and LBP_ID in ids(everything)
    restricted = Settings(home=tmp_path, guidelines=f" {CDC_ID}, {LBP_ID} ")
    assert ids(restricted) == [CDC_ID, LBP_ID]


def test_enable_and_disable_are_kept_in_home_and_win_over_the_restriction(tmp_path):
    settings = Settings(home=tmp_path, guidelines=CDC_ID)
    enable_guideline(settings, LBP_ID)
    assert ids(settings) == [CDC_ID, LBP_ID]
    disable_guideline(settings, CDC_ID)
    assert ids(settings) == [LBP_ID]
    stored = json.loads(settings.active_guidelines_file.read_text(encoding="utf-8"))
    assert stored == {"enabled": [LBP_ID], "disabled": [CDC_ID]}
    assert not list(tmp_path.glob(".*.part"))  # written atomically, nothing left behind
    enable_guideline(settings, CDC_ID)
    assert ids(settings) == [CDC_ID, LBP_ID]
    with pytest.raises(CatalogError, match="No guideline with id 'nope'"):
        disable_guideline(settings, "nope")


def test_a_damaged_choice_file_is_a_clear_error(tmp_path):
    settings = Settings(home=tmp_path)
    settings.active_guidelines_file.parent.mkdir(parents=True, exist_ok=True)
    settings.active_guidelines_file.write_text("{not json", encoding="utf-8")
    with pytest.raises(CatalogError, match="Delete it"):
        active_entries(settings)


def test_cli_enable_disable_and_list(tmp_path, capsys):
    from assistant.cli import main

    assert main(["--home", str(tmp_path), "corpus", "disable", CDC_ID, "--no-index"]) == 0  # choice only
    assert main(["--home", str(tmp_path), "corpus", "list"]) == 0
    listing = capsys.readouterr().out
    cdc_line = next(line for line in listing.splitlines() if line.startswith(CDC_ID))
    assert "disabled" in cdc_line
    stroke_line = next(line for line in listing.splitlines() if line.startswith("vadod-stroke-2019"))
    assert "Superseded by version 5.0" in stroke_line
    assert main(["--home", str(tmp_path), "corpus", "enable", CDC_ID, "--no-index"]) == 0
    assert CDC_ID not in json.loads((tmp_path / "active-guidelines.json").read_text())["disabled"]


def _fake_build(chunks: int = 7, fail: bool = False):
    from types import SimpleNamespace

    calls = []

    def build(settings, progress=None):
        calls.append([e.id for e in active_entries(settings)])
        if fail:
            raise RuntimeError("disk full")
        return SimpleNamespace(manifest=SimpleNamespace(chunk_count=chunks))

    return build, calls


def test_enabling_fetches_and_rebuilds_and_is_audited(tmp_path):
    """The Corpus tab and `corpus enable` share this: the PDF fetched (SHA-256 checked), the index rebuilt."""
    from assistant.corpus.audit import read_corpus_audit
    from assistant.index.store import choose_guideline_and_index

    require_shared(CDC_PDF)
    settings = Settings(home=tmp_path, guidelines=CDC_ID, corpus_mirror=CDC_PDF.parent)
    build, calls = _fake_build()
    entry, result = choose_guideline_and_index(settings, LBP_ID, True, "dana", build=build)
    assert entry.id == LBP_ID and result.manifest.chunk_count == 7
    assert calls == [[CDC_ID, LBP_ID]] and (settings.documents_dir / entry.filename).exists()
    assert [(r["actor"], r["action"], r["guideline_id"]) for r in read_corpus_audit(settings)] == [("dana", "enable", LBP_ID)]


def test_a_failed_rebuild_puts_the_previous_choice_back_and_the_last_guideline_stays(tmp_path):
    from assistant.corpus.audit import read_corpus_audit
    from assistant.index.store import choose_guideline_and_index

    settings = Settings(home=tmp_path, guidelines=f"{CDC_ID},{LBP_ID}")
    failing, _calls = _fake_build(fail=True)
    with pytest.raises(RuntimeError, match="disk full"):
        choose_guideline_and_index(settings, LBP_ID, False, "dana", build=failing)
    assert ids(settings) == [CDC_ID, LBP_ID]  # the disable was undone
    assert read_corpus_audit(settings)[-1]["action"] == "rollback"
    build, _calls = _fake_build()
    choose_guideline_and_index(settings, LBP_ID, False, "dana", build=build)
    with pytest.raises(CatalogError, match="only active guideline"):
        choose_guideline_and_index(settings, CDC_ID, False, "dana", build=build)
    assert ids(settings) == [CDC_ID]


def two_entry_catalog(tmp_path: Path) -> Path:
    """The CDC entry plus one whose pinned SHA-256 the mirrored file does not match."""
    text = BUNDLED_CATALOG.read_text(encoding="utf-8").split("\n\n# ----")[0]
    text += '''

[[guideline]]
id = "wrong-edition"
title = "A guideline whose file is not the catalogued edition"
short_form = "Wrong"
tier = "evidence-based"
sha256 = "0000000000000000000000000000000000000000000000000000000000000000"
filename = "wrong-edition.pdf"
'''
    catalog = tmp_path / "catalog.toml"
    catalog.write_text(text, encoding="utf-8")
    return catalog


def test_fetch_all_reports_each_file_and_a_mismatch_keeps_nothing_of_that_file(tmp_path):
    from assistant.corpus.fetch import fetch_documents
    from assistant.index.store import build_index, read_current_manifest

    require_shared(CDC_PDF)
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    shutil.copyfile(CDC_PDF, mirror / CDC_PDF.name)
    shutil.copyfile(CDC_PDF, mirror / "wrong-edition.pdf")
    settings = Settings(home=tmp_path / "home", catalog_file=two_entry_catalog(tmp_path), corpus_mirror=mirror,
                        guidelines=None)
    messages: list[str] = []
    with pytest.raises(FetchError, match=r"1 of 2 guideline\(s\) were not fetched") as raised:
        fetch_documents(settings, active_entries(settings), messages.append)
    assert "wrong-edition.pdf" in str(raised.value) and "not the catalogued edition" in str(raised.value)
    assert any("cdc-opioids-2022: 1,418,584 bytes, SHA-256 verified" in m for m in messages)
    assert any("wrong-edition: FAILED" in m for m in messages)
    assert sorted(p.name for p in settings.documents_dir.iterdir()) == [CDC_PDF.name]
    with pytest.raises(ChecksumMismatch):
        build_index(settings)
    assert read_current_manifest(settings) is None


def test_citations_carry_strength_and_the_superseded_note(cdc_search):
    chunk = cdc_search.chunks[0]
    entry = cdc_search.library.entries[CDC_ID]
    original = entry
    try:
        cdc_search.library.entries[CDC_ID] = entry.model_copy(update={"superseded": "Superseded by a test edition."})
        citation = cdc_search.passage_for_chunk(chunk.model_copy(update={"strength": "Weak for"})).citation
    finally:
        cdc_search.library.entries[CDC_ID] = original
    assert citation.superseded == "Superseded by a test edition." and citation.strength == "Weak for"
    assert cdc_search.passage_for_chunk(chunk).citation.superseded is None


def test_corpus_tab_rows_show_each_guidelines_choice(tmp_path):
    from assistant.ui.render import guideline_rows

    settings = Settings(home=tmp_path, guidelines=None)
    disable_guideline(settings, CDC_ID)
    rows = {row[0]: row for row in guideline_rows(settings)}
    assert rows[CDC_ID][3] == "disabled" and rows[LBP_ID][3] == "yes"
    assert rows[CDC_ID][4] == "not indexed"  # nothing indexed under this home
