"""SIGKILL during an index rebuild: the old generation keeps serving, the next build switches cleanly, and the
CURRENT generation is never a mix (manifest, chunks.jsonl, embeddings, BM25 and Chroma agree).

(SIGKILL during autosave is covered by tests/test_storage.py::test_sigkill_mid_save_loop_keeps_every_committed_draft;
benchmarks/kill_repeat.py repeats both scenarios.)
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import CDC_PDF, make_settings, require_shared
from test_index import CDC_ID, MTUS_ID, add_mtus

pytestmark = pytest.mark.slow

PROJECT_ROOT = Path(__file__).resolve().parents[1]
MARKER = "Embedding "  # build_index's progress line when the new document's embedding starts
CHILD = r"""
import sys
from assistant.config import Settings
from assistant.index.store import build_index

settings = Settings(home=sys.argv[1], corpus_mirror=sys.argv[2])
print("child: imported", flush=True)
build_index(settings, lambda message: print(message, flush=True))
print("child: DONE", flush=True)
"""


def prepare_home(cdc_settings, home: Path, pdf_folder: Path):
    """A home indexed with the CDC guideline (old generation), then a reviewer-added PDF not yet indexed."""
    from assistant.index.store import build_index

    shutil.copytree(cdc_settings.index_dir / "embedding-cache", home / "index" / "embedding-cache")
    settings = make_settings(home)
    old = build_index(settings).manifest
    pdf_folder.mkdir(parents=True, exist_ok=True)
    add_mtus(settings, pdf_folder)
    return settings, old


def start_child(settings) -> tuple[subprocess.Popen, list[str], threading.Event]:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(settings.home), str(settings.corpus_mirror)],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    lines: list[str] = []
    marker_seen = threading.Event()

    def reader():
        for line in child.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith(MARKER):
                marker_seen.set()
        marker_seen.set()  # EOF: wake the waiter

    threading.Thread(target=reader, daemon=True).start()
    return child, lines, marker_seen


def kill_rebuild(settings, delay_after_marker: float, timeout: float = 120.0) -> dict:
    """Run the rebuild in a child, SIGKILL it `delay_after_marker` seconds after embedding starts."""
    child, lines, marker_seen = start_child(settings)
    try:
        assert marker_seen.wait(timeout), f"the child never started embedding: {lines[-5:]}"
        assert any(l.startswith(MARKER) for l in lines), f"the child ended before embedding: {lines[-10:]}"
        if delay_after_marker:
            time.sleep(delay_after_marker)
        finished_before_kill = child.poll() is not None
        if not finished_before_kill:
            os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    return {"returncode": child.returncode, "finished": "child: DONE" in lines, "lines": lines}


def assert_current_generation_consistent(settings):
    """The CURRENT generation's manifest, files and Chroma collection all describe the same chunks."""
    import bm25s
    import numpy as np

    from assistant.index.store import chroma_client, generation_dir, read_current_manifest

    manifest = read_current_manifest(settings)
    assert manifest is not None
    folder = generation_dir(settings, manifest.generation)
    chunk_lines = [l for l in (folder / "chunks.jsonl").read_text(encoding="utf-8").splitlines() if l]
    assert manifest.chunk_count == len(chunk_lines) == sum(g.chunks for g in manifest.guidelines)
    assert len(np.load(folder / "embeddings.npy", mmap_mode="r")) == manifest.chunk_count
    bm25 = bm25s.BM25.load(str(folder / "bm25"), show_progress=False)
    assert bm25.scores["num_docs"] == manifest.chunk_count
    collection = chroma_client(settings).get_collection(manifest.collection)
    assert collection.count() == manifest.chunk_count
    assert (collection.metadata or {}).get("complete") is True
    return manifest


def check_after_kill(settings, old_generation: str) -> str:
    """After a kill: search opens a consistent generation (old or — if the switch happened — new) and works."""
    from assistant.retrieval import GuidelineSearch

    manifest = assert_current_generation_consistent(settings)
    search = GuidelineSearch(settings)
    assert search.manifest.generation == manifest.generation
    hits = search.search("offer naloxone to patients at increased risk for opioid overdose", k=5)
    assert hits and hits[0].citation.guideline_id == CDC_ID
    ids = {g.id for g in manifest.guidelines}
    if manifest.generation == old_generation:
        assert ids == {CDC_ID}
        assert search.search("psychotherapy visits over two weeks", guideline_ids=[MTUS_ID]) == []
        return "old"
    assert ids == {CDC_ID, MTUS_ID}
    return "new"


def check_rebuild_switches(settings, old_generation: str) -> None:
    from assistant.index.store import build_index
    from assistant.retrieval import GuidelineSearch

    result = build_index(settings)
    manifest = assert_current_generation_consistent(settings)
    assert manifest.generation == result.manifest.generation != old_generation
    assert {g.id for g in manifest.guidelines} == {CDC_ID, MTUS_ID}
    hits = GuidelineSearch(settings).search("psychotherapy visits over two weeks", k=3, guideline_ids=[MTUS_ID])
    assert hits and hits[0].citation.guideline_id == MTUS_ID
    generations = [p.name for p in (settings.index_dir / "generations").iterdir() if not p.name.startswith(".")]
    assert generations == [manifest.generation]


def test_sigkill_during_rebuild_keeps_old_generation_then_next_build_switches(cdc_settings, tmp_path):
    require_shared(CDC_PDF)
    settings, old = prepare_home(cdc_settings, tmp_path / "home", tmp_path / "pdfs")
    outcome = kill_rebuild(settings, delay_after_marker=0.0)
    assert outcome["returncode"] == -signal.SIGKILL, outcome["lines"][-10:]
    assert not outcome["finished"]
    assert check_after_kill(settings, old.generation) == "old"  # killed while embedding: before any switch
    check_rebuild_switches(settings, old.generation)
