"""Retrieval benchmark (a script, not a test): index build throughput, hybrid query latency at scale, memory.

    python benchmarks/bench_retrieval.py [--scales 1000,10000,100000] [--queries 40]

1. Cold build of the CDC corpus into a fresh temporary ASSISTANT_HOME (empty embedding cache), embedding
   included: chunks/s.
2. Synthetic scale-up: the CDC chunks are replicated with perturbed text (about 10% of words swapped per
   copy) into a separate temporary ASSISTANT_HOME per scale, and hybrid search (dense + BM25, RRF) is
   timed there. To keep it fast the replicas' embeddings are NOT computed by the model: they are the real
   CDC embeddings plus small Gaussian noise, re-normalised. Query embeddings are real.
3. Resident memory after each stage: ru_maxrss (peak so far in this process) and the current VmRSS.

Needs ../shared/corpus/cdc-opioids-2022.pdf (or ASSISTANT_SHARED_DIR). Finishes in a few minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import inspect
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ASSISTANT_SHARED_DIR", PROJECT_ROOT.parent / "shared"))
CDC_PDF = SHARED / "corpus" / "cdc-opioids-2022.pdf"
CDC_ID = "cdc-opioids-2022"
NOISE_SIGMA = 0.02
SWAP_FRACTION = 0.10

QUERIES = [
    "offer naloxone to patients at increased risk for opioid overdose",
    "tapering opioids slowly 10% per month",
    "cognitive behavioral therapy for chronic low back pain",
    "urine toxicology testing before starting opioids",
    "benzodiazepines concurrently with opioids",
    "prescription drug monitoring program review",
    "immediate-release opioids instead of extended-release long-acting",
    "lowest effective dosage for opioid-naive patients",
    "acute pain duration three days or less",
    "buprenorphine treatment for opioid use disorder",
    "nonopioid therapies preferred for subacute and chronic pain",
    "evaluate benefits and risks within 1 to 4 weeks",
    "NSAIDs for musculoskeletal injuries",
    "patients with sleep apnea and opioids",
    "pregnant persons opioid therapy",
    "morphine milligram equivalents 50 MME per day",
    "exercise therapy and physical therapy for chronic pain",
    "abrupt discontinuation of opioids harms",
    "shared decision-making treatment goals for pain and function",
    "older adults renal insufficiency opioid dosing",
]


def rss_report(stage: str) -> str:
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    current_mib = float("nan")
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                current_mib = int(line.split()[1]) / 1024
    except OSError:
        pass
    return f"  memory after {stage}: ru_maxrss {peak_mib:,.0f} MiB (peak so far), VmRSS {current_mib:,.0f} MiB"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def cold_build(workdir: Path):
    from assistant.config import Settings
    from assistant.index.embeddings import load_encoder
    from assistant.index.store import build_index

    started = time.perf_counter()
    load_encoder("all-MiniLM-L6-v2")
    load_s = time.perf_counter() - started
    settings = Settings(home=workdir / "cold-home", corpus_mirror=CDC_PDF.parent)
    result = build_index(settings)
    chunks = result.manifest.chunk_count
    print("1. Index build, CDC corpus, cold embedding cache (fresh ASSISTANT_HOME), embedding included")
    print(f"  encoder import + load (excluded below): {load_s:.1f} s")
    print(f"  build: {chunks} chunks in {result.seconds:.1f} s = {chunks / result.seconds:.1f} chunks/s "
          f"({result.embedded_chunks} embedded; PDF read, chunking, Chroma, BM25 included)")
    print(rss_report("cold build"))
    return settings, result


def synthetic_index(base_settings, base_manifest, scale: int, workdir: Path, rng: random.Random):
    """A separate ASSISTANT_HOME holding `scale` chunks: perturbed CDC replicas with noisy real embeddings."""
    from assistant.config import Settings
    from assistant.corpus.catalog import find_entry, load_catalog
    from assistant.corpus.ingest import IngestedGuideline
    from assistant.index.store import (
        IndexManifest, GuidelineSummary, _embedding_cache_file, _switch_current, _write_generation,
        chroma_client, load_chunks, load_pages,
    )

    base_chunks = load_chunks(base_settings, base_manifest)
    pages = load_pages(base_settings, base_manifest)
    entry = find_entry(load_catalog(base_settings), CDC_ID)
    base_vectors = np.load(_embedding_cache_file(base_settings, entry))
    assert len(base_vectors) == len(base_chunks)
    vocabulary = sorted({w for c in base_chunks for w in c.text.split() if w.isalpha() and len(w) > 3})
    np_rng = np.random.default_rng(scale)

    chunks, vectors = [], []
    for index in range(scale):
        replica, source = divmod(index, len(base_chunks))
        base = base_chunks[source]
        if replica == 0:
            text = base.text
        else:
            words = base.text.split()
            for _ in range(max(1, int(len(words) * SWAP_FRACTION))):
                words[rng.randrange(len(words))] = rng.choice(vocabulary)
            text = " ".join(words)
        chunks.append(base.model_copy(update={"chunk_id": f"{base.chunk_id}:r{replica}", "text": text}))
        vectors.append(base_vectors[source])
    matrix = np.asarray(vectors, dtype=np.float32)
    if scale > len(base_chunks):
        noisy = matrix[len(base_chunks):] + np_rng.normal(0, NOISE_SIGMA, matrix[len(base_chunks):].shape).astype(np.float32)
        matrix[len(base_chunks):] = noisy / np.linalg.norm(noisy, axis=1, keepdims=True)

    settings = Settings(home=workdir / f"home-{scale}", corpus_mirror=CDC_PDF.parent)
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    generation = f"bench{scale}"
    manifest = IndexManifest(
        generation=generation, collection=f"chunks-{generation}", embedding_model=settings.embedding_model,
        created_at=time.time(),
        guidelines=[GuidelineSummary(id=CDC_ID, sha256=entry.sha256, pages=len(pages), chunks=scale,
                                     printed_page_source="page-labels")],
        chunk_count=scale,
    )
    started = time.perf_counter()
    client = chroma_client(settings)
    collection = client.create_collection(manifest.collection, metadata={"complete": False},
                                          configuration={"hnsw": {"space": "cosine"}}, embedding_function=None)
    batch = min(5000, client.get_max_batch_size())
    for start in range(0, scale, batch):
        part = chunks[start : start + batch]
        collection.add(
            ids=[c.chunk_id for c in part], embeddings=matrix[start : start + batch], documents=[c.text for c in part],
            metadatas=[{"guideline_id": c.guideline_id, "printed_page": c.printed_page, "physical_page": c.physical_page,
                        "section": c.section, "tier": entry.tier.value} for c in part],
        )
    collection.modify(metadata={"complete": True})
    chroma_s = time.perf_counter() - started
    started = time.perf_counter()
    ingested = [IngestedGuideline(entry=entry, pages=pages, chunks=chunks)]
    if "vectors" in inspect.signature(_write_generation).parameters:  # generations also store the embeddings
        _write_generation(settings, manifest, ingested, matrix)
    else:
        _write_generation(settings, manifest, ingested)
    _switch_current(settings, generation)
    return settings, chroma_s, time.perf_counter() - started


def time_queries(settings, queries: list[str]) -> tuple[float, float, float]:
    from assistant.retrieval import GuidelineSearch

    started = time.perf_counter()
    search = GuidelineSearch(settings)
    open_s = time.perf_counter() - started
    for query in QUERIES:  # warm-up: every distinct query once (caches, lazy init)
        search.search(query, k=5)
    latencies = []
    for query in queries:
        started = time.perf_counter()
        hits = search.search(query, k=5)
        latencies.append((time.perf_counter() - started) * 1000)
        assert hits, query
    return open_s, percentile(latencies, 50), percentile(latencies, 95)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1000,10000,100000")
    parser.add_argument("--queries", type=int, default=40, help="timed queries per scale")
    args = parser.parse_args(argv)
    if not CDC_PDF.exists():
        print(f"{CDC_PDF} is missing; set ASSISTANT_SHARED_DIR.", file=sys.stderr)
        return 2
    scales = [int(s) for s in args.scales.split(",")]
    queries = [QUERIES[i % len(QUERIES)] for i in range(args.queries)]
    rng = random.Random(7)
    total_started = time.perf_counter()
    print(f"Retrieval benchmark: {os.cpu_count()} CPU(s), Python {sys.version.split()[0]}, "
          f"load average {os.getloadavg()[0]:.1f} at start (other work on the machine skews timings)")
    with tempfile.TemporaryDirectory(prefix="bench-retrieval-") as tmp:
        workdir = Path(tmp)
        base_settings, base = cold_build(workdir)
        print()
        print("2. Hybrid query latency (dense + BM25, RRF, k=5; query embedding included), synthetic scale-up")
        print(f"  replicas of the {base.manifest.chunk_count} CDC chunks with ~{SWAP_FRACTION:.0%} of words swapped; their "
              f"embeddings are real CDC embeddings + N(0, {NOISE_SIGMA}^2) noise, re-normalised (not model output)")
        for scale in scales:
            settings, chroma_s, bm25_s = synthetic_index(base_settings, base.manifest, scale, workdir, rng)
            open_s, p50, p95 = time_queries(settings, queries)
            print(f"  {scale:>7,} chunks: p50 {p50:7.1f} ms, p95 {p95:7.1f} ms over {len(queries)} queries "
                  f"(setup: Chroma add {chroma_s:.1f} s, BM25+files {bm25_s:.1f} s, open {open_s:.1f} s)")
            print(rss_report(f"{scale:,} chunks"))
    print(f"\nTotal wall time {time.perf_counter() - total_started:.0f} s; load average {os.getloadavg()[0]:.1f} at end")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
