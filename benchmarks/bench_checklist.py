"""Offline checklist + draft latency for one disputed item, after warm-up (a script that prints figures).

Times what runs per item when a reviewer asks for a draft: record facts (drug identification, MME/day), the
checklist rules and the checklist writer. Loading the criteria sets (quote verification) happens once, outside.
Target: under 1 s at the 95th percentile.

Usage: ASSISTANT_CORPUS_MIRROR=../shared/corpus python benchmarks/bench_checklist.py [RUNS]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.criteria import load_criteria_dir  # noqa: E402
from assistant.criteria.checklist import build_checklist, item_category  # noqa: E402
from assistant.drafting.checklist_writer import draft_from_checklist  # noqa: E402
from assistant.drafting.evidence import Evidence  # noqa: E402
from assistant.drafting.intake import case_from_file  # noqa: E402
from assistant.vocabulary.categories import classify_item  # noqa: E402
from evals.criteria import DEFAULT_LETTERS, corpus_dir, corpus_pages  # noqa: E402

# (letter, item number): an opioid with a dose, a lumbar MRI, a muscle relaxant, physical therapy.
ITEMS = [("CM16-0247802.pdf", 4), ("CM17-0016311.pdf", 1), ("CM16-0247802.pdf", 5), ("CM16-0235869.pdf", 1)]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def checklist_and_draft(case, index: int, sets, pages) -> None:
    item = case.items[index]
    checklist = build_checklist(case, index, sets, item_category(item.text), decision="Upheld", pages=pages)
    evidence = Evidence(item=item, topic=classify_item(item.text), queries=[], candidates=[])
    draft_from_checklist(case, evidence, "Upheld", checklist)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    started = time.perf_counter()
    pages = corpus_pages(str(corpus_dir()))
    sets = load_criteria_dir(pages)
    cases = [(case_from_file(DEFAULT_LETTERS / name), number - 1) for name, number in ITEMS]
    print(f"load (pages, criteria sets, {len(cases)} cases): {time.perf_counter() - started:.1f} s")
    for case, index in cases:  # warm-up: the drug-name package and regexes load on first use
        checklist_and_draft(case, index, sets, pages)
    times = []
    for _ in range(runs):
        for case, index in cases:
            began = time.perf_counter()
            checklist_and_draft(case, index, sets, pages)
            times.append(time.perf_counter() - began)
    print(f"checklist + draft, one item ({len(times)} runs): p50 {statistics.median(times) * 1000:.1f} ms, "
          f"p95 {percentile(times, 0.95) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
