"""Scale benchmark (a script, not a test): hybrid query latency with real text and real embeddings at 10k–1M chunks.

    python benchmarks/bench_scale.py [--sizes 10000,100000,1000000] [--stores embedded,server] [--queries 120]
                                     [--work /tmp/bench-scale] [--profile 100000]

Source text is real: the CDC guideline's indexed chunks (ingested by the product's own code) plus 120-word
windows of the 63 dev IMR letters (../shared/imr-letters/dev). Every source chunk is embedded by the real
model (all-MiniLM-L6-v2) once and cached under --work. To reach N chunks the real chunks are REPLICATED with
new ids (`<id>:r<k>`); a replica keeps its text and gets its source's real embedding plus N(0, 0.01²) noise,
re-normalised, so HNSW does not see exact duplicates. The output says so on every run.

Each size is written as a product index generation (chunks.jsonl, BM25, embeddings) and opened with the
product's `GuidelineSearch`, once against embedded Chroma (PersistentClient) and once against a `chroma run`
server on 127.0.0.1, so the latency printed is the product's query path: query embedding + Chroma + BM25 +
fusion, k=5, every timed query a distinct real reviewer query from evals/datasets (not seen in warm-up).

Also printed: build throughput per stage (embedding, Chroma add per store, BM25 + files) and the load average,
since other work on a 2-core machine skews every figure.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import os
import pstats
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))
SHARED = Path(os.environ.get("ASSISTANT_SHARED_DIR", PROJECT_ROOT.parent / "shared"))
CORPUS = SHARED / "corpus"
LETTERS = SHARED / "imr-letters" / "dev"
CDC_ID = "cdc-opioids-2022"
NOISE_SIGMA = 0.01
LETTER_WINDOW, LETTER_STEP = 120, 90
WARMUP = ["warm up the encoder", "opioid taper", "naloxone", "lumbar MRI", "urine drug testing"]
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"


def load_note() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f} on {os.cpu_count()} CPU(s)"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def real_queries() -> list[str]:
    seen: list[str] = []
    for path in sorted((PROJECT_ROOT / "evals" / "datasets").glob("*retrieval.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                query = json.loads(line)["query"]
                if query not in seen and query not in WARMUP:
                    seen.append(query)
    return seen


def source_chunks(settings):
    """The real CDC chunks and 120-word windows of the dev letters, as product Chunks."""
    from assistant.contracts import Chunk
    from assistant.corpus.catalog import find_entry, load_catalog
    from assistant.corpus.ingest import ingest_pdf
    from assistant.corpus.pdf_text import read_pdf_text
    from assistant.index.store import indexed_chunks

    entry = find_entry(load_catalog(settings), CDC_ID)
    cdc = ingest_pdf(entry, CORPUS / entry.filename, settings.chunk_words, settings.chunk_overlap_words)
    chunks = list(indexed_chunks(cdc))
    for letter in sorted(LETTERS.glob("*.pdf")):
        words = read_pdf_text(letter).split()
        for n, start in enumerate(range(0, max(1, len(words) - LETTER_WINDOW + LETTER_STEP), LETTER_STEP)):
            text = " ".join(words[start : start + LETTER_WINDOW])
            chunks.append(Chunk(chunk_id=f"letter-{letter.stem}-{n}", guideline_id=CDC_ID, physical_page=1,
                                printed_page="1", section_path=["IMR letter text (benchmark filler)"],
                                char_start=0, char_end=len(text), text=text))
    return entry, cdc.pages, chunks


def source_embeddings(settings, chunks, work: Path) -> tuple[np.ndarray, float | None]:
    """Real embeddings of every source chunk, cached under --work by text hash; returns (vectors, chunks/s or None)."""
    from assistant.index.embeddings import embed, load_encoder

    key = hashlib.sha256("\n".join(c.text for c in chunks).encode()).hexdigest()[:16]
    cache = work / f"source-{key}.npy"
    if cache.exists():
        return np.load(cache), None
    load_encoder(settings.embedding_model)
    started = time.perf_counter()
    vectors = embed(settings.embedding_model, [c.text for c in chunks], settings.embedding_batch_size)
    rate = len(chunks) / (time.perf_counter() - started)
    np.save(cache, vectors)
    return vectors, rate


def replicate(chunks, vectors: np.ndarray, n: int) -> tuple[list, np.ndarray]:
    rng = np.random.default_rng(n)
    base = len(chunks)
    out = [c if i < base else c.model_copy(update={"chunk_id": f"{c.chunk_id}:r{i // base}"})
           for i, c in ((i, chunks[i % base]) for i in range(n))]
    matrix = np.asarray(vectors[np.arange(n) % base], dtype=np.float32)
    if n > base:
        noisy = matrix[base:] + rng.normal(0, NOISE_SIGMA, matrix[base:].shape).astype(np.float32)
        matrix[base:] = noisy / np.linalg.norm(noisy, axis=1, keepdims=True)
    return out, matrix


def write_generation(settings, entry, pages, chunks, matrix) -> tuple[object, float]:
    from assistant.corpus.ingest import IngestedGuideline
    from assistant.index.store import GuidelineSummary, IndexManifest, _switch_current, _write_generation

    generation = f"scale{len(chunks)}"
    manifest = IndexManifest(
        generation=generation, collection=f"chunks-{generation}", embedding_model=settings.embedding_model,
        created_at=time.time(), chunk_count=len(chunks),
        guidelines=[GuidelineSummary(id=CDC_ID, sha256=entry.sha256, pages=len(pages), chunks=len(chunks),
                                     printed_page_source="page-labels")],
    )
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    _write_generation(settings, manifest, [IngestedGuideline(entry=entry, pages=pages, chunks=chunks)], matrix)
    _switch_current(settings, generation)
    return manifest, time.perf_counter() - started


def fill_chroma(settings, manifest, entry, chunks, matrix) -> float:
    from assistant.index.store import add_batched, chroma_client

    client = chroma_client(settings)
    started = time.perf_counter()
    collection = client.create_collection(manifest.collection, metadata={"complete": False},
                                          configuration={"hnsw": {"space": "cosine"}}, embedding_function=None)
    add_batched(collection, [c.chunk_id for c in chunks], matrix, [c.text for c in chunks],
                [{"guideline_id": c.guideline_id, "printed_page": c.printed_page, "physical_page": c.physical_page,
                  "section": c.section, "tier": entry.tier.value} for c in chunks])
    collection.modify(metadata={"complete": True})
    return time.perf_counter() - started


class ChromaServer:
    """`chroma run` on a free loopback port, stopped on exit."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self) -> str:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        exe = Path(sys.executable).parent / "chroma"
        self.log = open(self.path.parent / f"{self.path.name}.log", "wb")
        self.process = subprocess.Popen([str(exe if exe.exists() else shutil.which("chroma")), "run", "--path",
                                         str(self.path), "--host", "127.0.0.1", "--port", str(port)],
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2):
                    return f"http://127.0.0.1:{port}"
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise SystemExit(f"chroma run did not start (see {self.log.name})")
                time.sleep(0.25)

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def time_search(search, queries: list[str], modes=("vector", "bm25", "hybrid")) -> dict[str, tuple[float, float]]:
    """p50/p95 ms per mode; each mode gets its own distinct queries so no query embedding is ever reused."""
    for query in WARMUP:
        search.search(query, k=5)
    per_mode = {m: queries[i::len(modes)] for i, m in enumerate(modes)}
    out = {}
    for mode, chosen in per_mode.items():
        latencies = []
        for query in chosen:
            started = time.perf_counter()
            search.search(query, k=5, mode=mode)
            latencies.append((time.perf_counter() - started) * 1000)
        out[mode] = (statistics.median(latencies), pct(latencies, 0.95), len(chosen))
    out["chroma only"] = chroma_only(search, queries[:40])
    return out


def chroma_only(search, queries: list[str]) -> tuple[float, float, int]:
    """Chroma's own query time (top 50, no filter), query vectors precomputed: where the vector time goes."""
    vectors = [search.query_vector(q).tolist() for q in queries]
    latencies = []
    for vector in vectors:
        started = time.perf_counter()
        search.collection.query(query_embeddings=[vector], n_results=50, include=[])
        latencies.append((time.perf_counter() - started) * 1000)
    return statistics.median(latencies), pct(latencies, 0.95), len(vectors)


def profile_hybrid(search, queries: list[str]) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for query in queries:
        search.search(query, k=5)
    profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(22)
    print(text.getvalue())


def run_size(args, settings_cls, entry, pages, chunks, vectors, n: int, queries: list[str]) -> None:
    from assistant.retrieval import GuidelineSearch

    data, matrix = replicate(chunks, vectors, n)
    home = args.work / f"home-{n}"
    shutil.rmtree(home, ignore_errors=True)
    settings = settings_cls(home=home, corpus_mirror=CORPUS)
    manifest, files_s = write_generation(settings, entry, pages, data, matrix)
    print(f"\n{n:,} chunks ({len(chunks):,} real chunks replicated ×{n / len(chunks):.0f} with new ids): "
          f"BM25 + chunk files {files_s:.1f} s ({n / files_s:,.0f} chunks/s)", flush=True)
    for store in args.stores:
        if store == "server":
            server = ChromaServer(args.work / f"server-{n}")
            shutil.rmtree(server.path, ignore_errors=True)
            url = server.__enter__()
            store_settings = settings.with_overrides(chroma_url=url)
        else:
            server, store_settings = None, settings
        try:
            add_s = fill_chroma(store_settings, manifest, entry, data, matrix)
            started = time.perf_counter()
            search = GuidelineSearch(store_settings)
            open_s = time.perf_counter() - started
            before = load_note()
            timings = time_search(search, queries)
            print(f"  {store:<8} Chroma add {add_s:.1f} s ({n / add_s:,.0f} chunks/s), open {open_s:.1f} s; "
                  f"{before} before queries", flush=True)
            for mode, (p50, p95, count) in timings.items():
                note = "precomputed query vectors, n_results=50" if mode == "chroma only" else "distinct queries, k=5"
                print(f"    {mode:<11} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  ({count} {note})", flush=True)
            if args.profile == n and store == args.stores[0]:
                print(f"  cProfile of hybrid search at {n:,} ({store}), cumulative:")
                profile_hybrid(search, queries[:60])
            del search
        finally:
            if server is not None:
                server.__exit__(None, None, None)
                shutil.rmtree(server.path, ignore_errors=True)
    shutil.rmtree(home, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--stores", default="embedded,server")
    parser.add_argument("--queries", type=int, default=180, help="distinct real queries, split across the 3 modes")
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-scale"))
    parser.add_argument("--profile", type=int, default=0, help="print a cProfile of hybrid search at this size")
    args = parser.parse_args(argv)
    args.stores = args.stores.split(",")
    args.work.mkdir(parents=True, exist_ok=True)
    from assistant.config import Settings

    base_settings = Settings(home=args.work / "source-home", corpus_mirror=CORPUS)
    started = time.perf_counter()
    entry, pages, chunks = source_chunks(base_settings)
    read_s = time.perf_counter() - started
    vectors, embed_rate = source_embeddings(base_settings, chunks, args.work)
    queries = real_queries()[: args.queries]
    print(f"Scale benchmark, {load_note()} at start. Python {sys.version.split()[0]}")
    print(f"Source: {len(chunks):,} REAL chunks (CDC guideline chunks + 120-word windows of the 63 dev letters), "
          f"read and chunked in {read_s:.1f} s; real all-MiniLM-L6-v2 embeddings "
          + (f"at {embed_rate:.1f} chunks/s" if embed_rate else "(from the cache under --work)") + ".")
    print(f"Larger sizes REPLICATE these real chunks with new ids; replica embeddings = source embedding + "
          f"N(0, {NOISE_SIGMA}²) noise, re-normalised. {len(queries)} distinct real reviewer queries from evals/datasets.")
    for n in (int(s) for s in args.sizes.split(",")):
        run_size(args, Settings, entry, pages, chunks, vectors, n, queries)
    print(f"\nDone, {load_note()} at end.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
