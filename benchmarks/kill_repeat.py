"""Repeat both SIGKILL scenarios and print pass counts (a script, not a test; ≈ 10 minutes on 2 cores).

    python benchmarks/kill_repeat.py [--runs 20] [--seed 1]

1. Index rebuild: a home indexed with the CDC guideline plus a reviewer-added PDF; a child process rebuilds and
   is SIGKILLed a random delay after embedding starts (uniform over 0 … 1.2 × the measured time from the
   embedding marker to the end of an uninterrupted rebuild, so kills land in embedding, the Chroma adds, the
   generation write, the switch — or after it). Pass: the CURRENT generation is consistent (manifest chunk_count
   = chunks.jsonl lines = embeddings rows = BM25 docs = Chroma count), search works on it (old generation, or new
   if the switch had happened), and a following build_index switches to the new generation.
2. Autosave: a child saves draft revisions in a loop and is SIGKILLed after a random number of reported saves.
   Pass: SQLite integrity_check ok, every reported save present in order, revisions contiguous, store writable.

Needs ../shared/corpus/cdc-opioids-2022.pdf (or ASSISTANT_SHARED_DIR).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from conftest import CDC_PDF, make_settings  # noqa: E402
from test_kill import MARKER, check_after_kill, check_rebuild_switches, kill_rebuild, start_child  # noqa: E402
from test_index import add_mtus  # noqa: E402
from test_storage import CHILD as SAVE_CHILD  # noqa: E402


def build_template(root: Path):
    from assistant.index.store import build_index

    home = root / "template"
    settings = make_settings(home)
    old = build_index(settings).manifest  # embeds the CDC once; every run copies this home
    (root / "pdfs").mkdir(parents=True, exist_ok=True)
    add_mtus(settings, root / "pdfs")
    return home, old


def fresh_copy(template: Path, dest: Path):
    shutil.copytree(template, dest)
    return make_settings(dest)


def measure_rebuild_window(template: Path, root: Path) -> float:
    settings = fresh_copy(template, root / "measure")
    child, lines, marker_seen = start_child(settings)
    marker_seen.wait(180)
    t0 = time.monotonic()
    child.wait(timeout=300)
    window = time.monotonic() - t0
    assert "child: DONE" in lines, lines[-10:]
    shutil.rmtree(root / "measure", ignore_errors=True)
    return window


def index_runs(runs: int, rng: random.Random, root: Path) -> None:
    template, old = build_template(root)
    window = measure_rebuild_window(template, root)
    print(f"[index] uninterrupted rebuild: {window:.2f} s from the embedding marker to the end", flush=True)
    passes, outcomes = 0, {"old": 0, "new": 0}
    for n in range(1, runs + 1):
        home = root / f"run-{n}"
        delay = rng.uniform(0, 1.2 * window)
        try:
            settings = fresh_copy(template, home)
            outcome = kill_rebuild(settings, delay)
            state = check_after_kill(settings, old.generation)
            check_rebuild_switches(settings, old.generation)
            outcomes[state] += 1
            passes += 1
            how = "finished before the kill" if outcome["finished"] else f"rc={outcome['returncode']}"
            print(f"[index] run {n:2d}: delay {delay:5.2f} s, {how}, served {state} generation → PASS", flush=True)
        except Exception:  # noqa: BLE001 - report and go on
            print(f"[index] run {n:2d}: delay {delay:5.2f} s → FAIL\n{traceback.format_exc()}", flush=True)
        shutil.rmtree(home, ignore_errors=True)
    print(f"[index] {passes}/{runs} passed (served old generation after kill: {outcomes['old']}, "
          f"new: {outcomes['new']})", flush=True)


def save_runs(runs: int, rng: random.Random, root: Path) -> None:
    from test_storage import make_rationale

    from assistant.storage import DraftStore

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    passes = 0
    for n in range(1, runs + 1):
        db = root / f"save-{n}" / "drafts.sqlite3"
        db.parent.mkdir(parents=True)
        target = rng.randint(1, 80)
        try:
            child = subprocess.Popen([sys.executable, "-c", SAVE_CHILD, str(db)], stdout=subprocess.PIPE, text=True,
                                     env=env)
            committed = []
            try:
                while len(committed) < target:
                    line = child.stdout.readline()
                    if not line:
                        break
                    committed.append(int(line))
                os.kill(child.pid, signal.SIGKILL)
            finally:
                child.wait(timeout=30)
            assert len(committed) == target and child.returncode == -signal.SIGKILL
            raw = sqlite3.connect(db)
            assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            raw.close()
            store = DraftStore(db)
            revisions = [d.revision for d in store.item_history("alice", "CM-KILL", 0)]
            assert revisions[: len(committed)] == committed
            assert revisions == list(range(1, len(revisions) + 1))
            store.save_item("alice", "CM-KILL", 0, make_rationale("after the crash"))
            store.close()
            passes += 1
            print(f"[save]  run {n:2d}: killed after {target} reported saves, {len(revisions)} on disk → PASS", flush=True)
        except Exception:  # noqa: BLE001
            print(f"[save]  run {n:2d} → FAIL\n{traceback.format_exc()}", flush=True)
    print(f"[save]  {passes}/{runs} passed", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", choices=["index", "save"])
    args = parser.parse_args()
    if not CDC_PDF.exists() and args.only != "save":
        print(f"{CDC_PDF} is missing", file=sys.stderr)
        return 2
    rng = random.Random(args.seed)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kill-repeat-") as tmp:
        root = Path(tmp)
        if args.only in (None, "save"):
            save_runs(args.runs, rng, root)
        if args.only in (None, "index"):
            index_runs(args.runs, rng, root)
    print(f"total {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
