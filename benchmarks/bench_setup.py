"""First-run setup time: fetch + full index of every catalogued guideline with a cold embedding cache.

    python benchmarks/bench_setup.py [--keep DIR]

Prints pages, chunks, seconds per stage (fetch, parse, embed, store) and chunks/s. Needs ASSISTANT_CORPUS_MIRROR (or
network) for the PDFs. Heavy (~1,900 pages): run it rarely on a shared machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keep", type=Path, help="use this folder as ASSISTANT_HOME and keep it")
    args = parser.parse_args()
    from assistant.config import Settings
    from assistant.corpus.active import active_entries
    from assistant.corpus.fetch import fetch_documents
    from assistant.index.store import build_index

    home = args.keep or Path(tempfile.mkdtemp(prefix="bench-setup-"))
    mirror = os.environ.get("ASSISTANT_CORPUS_MIRROR")
    settings = Settings(home=home, corpus_mirror=mirror, guidelines=None)
    entries = active_entries(settings)
    log = lambda message: print(f"  {time.perf_counter() - started:7.1f}s {message}", file=sys.stderr, flush=True)  # noqa: E731
    started = time.perf_counter()
    fetch_documents(settings, entries, log)
    fetch_s = time.perf_counter() - started
    result = build_index(settings, log)
    total = time.perf_counter() - started
    pages = sum(g.pages for g in result.manifest.guidelines)
    chunks = result.manifest.chunk_count
    stages = {"fetch": fetch_s, **{k: v for k, v in result.stage_seconds.items() if k != "fetch"}}
    print(f"guidelines: {len(result.manifest.guidelines)}  pages: {pages}  chunks: {chunks}  cpus: {os.cpu_count()}")
    print("  ".join(f"{name}: {seconds:.1f} s" for name, seconds in stages.items()))
    print(f"total: {total:.1f} s ({total / 60:.1f} min)  embedded: {result.embedded_chunks}  "
          f"chunks/s overall: {chunks / total:.1f}  embed chunks/s: {result.embedded_chunks / max(stages['embed'], 1e-9):.1f}")


if __name__ == "__main__":
    main()
