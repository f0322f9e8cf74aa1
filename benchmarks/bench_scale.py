"""Scale benchmark (a script, not a test): N precedent-like chunks in a real Chroma server, plus BM25.

    python benchmarks/bench_scale.py [--n 1000000] [--queries 200] [--batch 5000]

Synthetic data, generated with numpy (seeded): each chunk is ~60 words drawn from an IMR-letter vocabulary
(drugs, doses, body parts, guideline phrases, decisions) and has a normalised 384-d embedding drawn around
one of 2,000 topic centres (clustered like real text embeddings, not uniform noise). Chunks go into a fresh
`chroma run` server on 127.0.0.1 in batches; BM25 (bm25s) indexes the same texts in this process.

Reports: build time (Chroma adds, BM25 index), disk (du of the server's --path), server RSS (the chroma process
and its children), BM25 RSS, and query latency p50/p95 for dense (Chroma, top 50), BM25 (top 50) and hybrid
(both, fused by reciprocal rank as assistant.retrieval does). Then a linear extrapolation to 1M and 5M chunks
and what to recommend beyond the measured size.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"
DIM = 384
CENTRES = 2000
RRF_K = 60
VOCAB = (
    "oxycodone hydrocodone morphine tramadol buprenorphine gabapentin pregabalin naproxen cyclobenzaprine tizanidine "
    "duloxetine lidocaine patch topical compound mg daily twice every hours tablets #60 #90 #120 #180 refills "
    "lumbar cervical thoracic knee shoulder wrist hip spine radiculopathy stenosis disc protrusion herniation sprain "
    "strain tear meniscus rotator cuff carpal tunnel fracture fusion laminectomy arthroscopy injection epidural "
    "facet radiofrequency ablation physical therapy chiropractic acupuncture cognitive behavioral therapy sessions "
    "visits functional restoration program MRI CT EMG NCV x-ray urine drug screen toxicology PDMP naloxone taper "
    "morphine milligram equivalents MME pain score function activities daily living work status modified duty "
    "temporary total disability improvement objective documented guideline MTUS ACOEM ODG CDC chronic pain medical "
    "treatment utilization schedule recommended not recommended medically necessary upheld overturned reviewer "
    "determination request denied certified non-certified injured worker industrial injury date progress report "
    "treating physician records submitted evidence based criteria trial weeks months efficacy adverse effects "
    "sedation dependence misuse risk benefit assessment opioid agreement goals reassessment exam tenderness range "
    "motion strength reflexes sensation gait straight leg raise positive negative bilateral left right mild severe"
).split()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def chroma_executable() -> str:
    beside = Path(sys.executable).parent / "chroma"
    return str(beside) if beside.exists() else (shutil.which("chroma") or "chroma")


def tree_rss_mib(pid: int) -> float:
    """RSS of a process and its descendants (Linux /proc)."""
    total, todo, seen = 0, [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
            todo.extend(int(c) for c in children)
        except OSError:
            pass
    return total / 1024


def self_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def du_mib(path: Path) -> float:
    done = subprocess.run(["du", "-sk", str(path)], capture_output=True, text=True)
    return int(done.stdout.split()[0]) / 1024 if done.returncode == 0 else float("nan")


def synthetic_texts(rng: np.random.Generator, n: int, topics: np.ndarray, words: int = 60) -> list[str]:
    vocab = np.array(VOCAB)
    # each topic prefers its own slice of the vocabulary, so BM25 and the dense side agree a little
    offsets = (topics * 7) % len(VOCAB)
    texts = []
    for start in range(0, n, 50_000):
        stop = min(n, start + 50_000)
        local = rng.integers(0, 40, size=(stop - start, words))
        general = rng.integers(0, len(VOCAB), size=(stop - start, words))
        pick = rng.random((stop - start, words)) < 0.5
        idx = np.where(pick, (offsets[start:stop, None] + local) % len(VOCAB), general)
        rows = vocab[idx]
        texts.extend(" ".join(row) for row in rows)
    return texts


def synthetic_vectors(rng: np.random.Generator, centres: np.ndarray, topics: np.ndarray) -> np.ndarray:
    vectors = centres[topics] + rng.normal(0, 0.06, size=(len(topics), DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors.astype(np.float32)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000, help="number of chunks (default 1,000,000)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    import bm25s
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    rng = np.random.default_rng(args.seed)
    centres = rng.normal(size=(CENTRES, DIM)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)

    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        data = Path(tmp) / "chroma"
        port = free_port()
        log = open(Path(tmp) / "chroma.log", "wb")
        server = subprocess.Popen([chroma_executable(), "run", "--path", str(data), "--host", "127.0.0.1",
                                   "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2):
                        break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise SystemExit("chroma run did not start")
                    time.sleep(0.25)
            idle_rss = tree_rss_mib(server.pid)
            client = chromadb.HttpClient(host="127.0.0.1", port=port,
                                         settings=ChromaSettings(anonymized_telemetry=False))
            collection = client.create_collection("scale", configuration={"hnsw": {"space": "cosine"}},
                                                  embedding_function=None)
            batch = min(args.batch, client.get_max_batch_size())

            t0 = time.perf_counter()
            topics = rng.integers(0, CENTRES, size=args.n)
            texts = synthetic_texts(rng, args.n, topics)
            gen_s = time.perf_counter() - t0
            print(f"generated {args.n:,} synthetic chunks in {gen_s:.1f} s (texts ~60 words, 384-d clustered "
                  f"embeddings, batch {batch})", flush=True)

            add_s = 0.0
            t_report = time.monotonic()
            for start in range(0, args.n, batch):
                stop = min(args.n, start + batch)
                vectors = synthetic_vectors(rng, centres, topics[start:stop])
                t1 = time.perf_counter()
                collection.add(ids=[f"c{i}" for i in range(start, stop)], embeddings=vectors,
                               documents=texts[start:stop],
                               metadatas=[{"topic": int(t), "year": 2010 + int(t) % 15} for t in topics[start:stop]])
                add_s += time.perf_counter() - t1
                if time.monotonic() - t_report > 30:
                    print(f"  … {stop:,} added ({stop / add_s:,.0f} chunks/s)", flush=True)
                    t_report = time.monotonic()
            assert collection.count() == args.n
            time.sleep(2)
            server_rss = tree_rss_mib(server.pid)
            disk = du_mib(data)
            print(f"Chroma build: {add_s:.1f} s ({args.n / add_s:,.0f} chunks/s); disk {disk:,.0f} MiB; "
                  f"server RSS {server_rss:,.0f} MiB (idle {idle_rss:,.0f} MiB)", flush=True)

            rss_before = self_rss_mib()
            t1 = time.perf_counter()
            retriever = bm25s.BM25()
            retriever.index(bm25s.tokenize(texts, stopwords="en", show_progress=False), show_progress=False)
            bm25_s = time.perf_counter() - t1
            bm25_rss = self_rss_mib() - rss_before
            print(f"BM25 build (bm25s, in-process): {bm25_s:.1f} s; +{bm25_rss:,.0f} MiB RSS", flush=True)

            q_rng = np.random.default_rng(args.seed + 1)
            dense_t, bm25_t, hybrid_t = [], [], []
            for q in range(args.queries):
                doc = int(q_rng.integers(0, args.n))
                qvec = synthetic_vectors(q_rng, centres, topics[doc : doc + 1])
                qtext = " ".join(texts[doc].split()[:12])
                t1 = time.perf_counter()
                dense = collection.query(query_embeddings=qvec, n_results=50, include=["distances"])["ids"][0]
                t2 = time.perf_counter()
                docs, _scores = retriever.retrieve(bm25s.tokenize([qtext], stopwords="en", show_progress=False),
                                                   k=50, show_progress=False)
                t3 = time.perf_counter()
                fused: dict[str, float] = {}
                for ranked in (dense, [f"c{int(i)}" for i in docs[0]]):
                    for rank, cid in enumerate(ranked, start=1):
                        fused[cid] = fused.get(cid, 0.0) + 1.0 / (RRF_K + rank)
                sorted(fused, key=fused.get, reverse=True)[:5]
                t4 = time.perf_counter()
                dense_t.append(t2 - t1)
                bm25_t.append(t3 - t2)
                hybrid_t.append(t4 - t1)
            print(f"queries ({args.queries}, top 50 each side, RRF):")
            for label, values in (("dense (Chroma)", dense_t), ("BM25 (bm25s)", bm25_t), ("hybrid", hybrid_t)):
                print(f"  {label:<15} p50 {statistics.median(values) * 1000:7.1f} ms   p95 {pct(values, 0.95) * 1000:7.1f} ms")
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()

    scale_1m, scale_5m = 1_000_000 / args.n, 5_000_000 / args.n
    print(f"\nLinear extrapolation from N={args.n:,} (build and memory scale ~linearly; HNSW query time grows "
          f"~logarithmically, BM25 query time ~linearly in posting-list length):")
    for label, f in (("1M", scale_1m), ("5M", scale_5m)):
        print(f"  {label}: Chroma build ≈ {add_s * f / 60:,.0f} min, disk ≈ {disk * f / 1024:,.1f} GiB, "
              f"server RSS ≈ {server_rss * f / 1024:,.1f} GiB, BM25 build ≈ {bm25_s * f / 60:,.1f} min and "
              f"≈ {bm25_rss * f / 1024:,.1f} GiB per app instance, BM25 p95 ≈ {pct(bm25_t, 0.95) * f * 1000:,.0f} ms")
    print("\nREADME recommendation: up to a few hundred thousand chunks, one Chroma server and in-process BM25 per "
          "app instance are fine on a small VM. Beyond ~1M chunks give the Chroma server its own machine sized by "
          "the RSS figure above (the HNSW index must stay in RAM), build the index offline and copy it rather than "
          "rebuilding on each instance, and move keyword search out of the app process (PostgreSQL full-text "
          "search, or filter precedents by guideline/year before BM25) — in-process BM25 memory and latency grow "
          "linearly with every app instance holding its own copy.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
