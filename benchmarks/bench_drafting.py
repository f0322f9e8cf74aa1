"""Drafting and lookup latency with the offline backend, after warm-up (a script that prints figures).

Usage: ASSISTANT_HOME=… ASSISTANT_CORPUS_MIRROR=../shared/corpus python benchmarks/bench_drafting.py
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.config import load_settings  # noqa: E402
from assistant.index.store import build_index  # noqa: E402
from assistant.services import Services  # noqa: E402

LOOKUPS = ["urine drug testing before starting opioids", "tapering when risks outweigh benefits", "naloxone co-prescribing",
           "benzodiazepines with opioids", "extended-release opioids for acute pain", "reassess benefits within 4 weeks"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    settings = load_settings()
    started = time.perf_counter()
    build_index(settings)
    services = Services.open(settings)
    print(f"open (index + encoder): {time.perf_counter() - started:.1f} s")
    cases = sorted((ROOT / "tests" / "fixtures" / "cases").glob("*.txt"))
    services.lookup("warm-up")
    services.draft(services.intake_file(cases[0]), 0, "Upheld")

    lookup_times = []
    for _ in range(5):
        for query in LOOKUPS:
            t = time.perf_counter()
            services.lookup(query)
            lookup_times.append(time.perf_counter() - t)
    draft_times = []
    for _ in range(3):
        for path in cases:
            case = services.intake_file(path)
            t = time.perf_counter()
            services.draft(case, 0, "Upheld")
            draft_times.append(time.perf_counter() - t)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"lookup: n={len(lookup_times)} p50 {statistics.median(lookup_times) * 1000:.0f} ms, "
          f"p95 {percentile(lookup_times, 0.95) * 1000:.0f} ms (target < 1 s)")
    print(f"draft (offline, verify included): n={len(draft_times)} p50 {statistics.median(draft_times):.2f} s, "
          f"p95 {percentile(draft_times, 0.95):.2f} s (target < 3 s)")
    print(f"peak resident memory: {rss:.0f} MiB")


if __name__ == "__main__":
    main()
