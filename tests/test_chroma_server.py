"""The same index served by a real Chroma server (`chroma run`) answers like the embedded one."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import make_settings

pytestmark = [pytest.mark.server, pytest.mark.slow]

QUERIES = [
    "offer naloxone to patients at increased risk for opioid overdose",
    "tapering opioids slowly 10% per month",
    "nonopioid therapies preferred for subacute and chronic pain",
]
HEARTBEAT_TIMEOUT_S = 90


def chroma_executable() -> str:
    beside_python = Path(sys.executable).parent / "chroma"
    found = str(beside_python) if beside_python.exists() else shutil.which("chroma")
    if not found:
        pytest.skip("the `chroma` console script (chromadb) is not installed")
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    data = tmp_path_factory.mktemp("chroma-server-data")
    port = free_port()
    log_path = data.parent / f"chroma-{port}.log"
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False", "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [chroma_executable(), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT, env=env,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + HEARTBEAT_TIMEOUT_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"chroma run exited with {process.returncode}:\n{log_path.read_text(errors='replace')[-3000:]}")
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"no heartbeat from {url} within {HEARTBEAT_TIMEOUT_S} s:\n"
                            f"{log_path.read_text(errors='replace')[-3000:]}")
            time.sleep(0.25)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def test_server_index_matches_embedded_index(chroma_server, cdc_settings, cdc_search, tmp_path, monkeypatch):
    from assistant.index.store import build_index
    from assistant.retrieval import GuidelineSearch

    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    home = tmp_path / "home"
    shutil.copytree(cdc_settings.index_dir / "embedding-cache", home / "index" / "embedding-cache")
    settings = make_settings(home, chroma_url=chroma_server)

    result = build_index(settings)
    assert result.rebuilt and result.embedded_chunks == 0
    assert result.manifest.generation == cdc_search.manifest.generation  # same corpus, same generation id
    assert not (settings.index_dir / "chroma").exists()  # nothing went to an embedded store

    import chromadb

    client = chromadb.HttpClient(host="127.0.0.1", port=int(chroma_server.rsplit(":", 1)[1]))
    collection = client.get_collection(result.manifest.collection)
    assert collection.count() == result.manifest.chunk_count

    served = GuidelineSearch(settings)
    for query in QUERIES:
        expected = [p.chunk_id for p in cdc_search.search(query, k=3)]
        actual = [p.chunk_id for p in served.search(query, k=3)]
        assert actual == expected, query
        vector_expected = [p.chunk_id for p in cdc_search.search(query, k=3, mode="vector")]
        assert [p.chunk_id for p in served.search(query, k=3, mode="vector")] == vector_expected, query

    again = build_index(settings)
    assert again.rebuilt is False and again.embedded_chunks == 0

    # A second app instance with an empty home builds against the same server: it must reuse the complete
    # collection, never delete it under the first instance, which keeps answering throughout.
    collection_id_before = collection.id
    second_home = tmp_path / "second-home"
    shutil.copytree(cdc_settings.index_dir / "embedding-cache", second_home / "index" / "embedding-cache")
    messages: list[str] = []
    second = build_index(make_settings(second_home, chroma_url=chroma_server), messages.append)
    assert any("reusing it" in m for m in messages)
    assert client.get_collection(result.manifest.collection).id == collection_id_before
    assert [p.chunk_id for p in served.search(QUERIES[0], k=3)] == [p.chunk_id for p in cdc_search.search(QUERIES[0], k=3)]
    assert second.manifest.generation == result.manifest.generation
