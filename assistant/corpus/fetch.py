"""Fetch catalogued guideline PDFs from a mirror folder or their official URL, verified by SHA-256."""

from __future__ import annotations

import hashlib
import shutil
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from assistant.config import Settings
from assistant.contracts import GuidelineEntry
from assistant.errors import ChecksumMismatch, FetchError
from assistant.files import write_atomically

DOWNLOAD_TIMEOUT_S = 60
CHUNK_BYTES = 1 << 16


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(CHUNK_BYTES), b""):
            digest.update(block)
    return digest.hexdigest()


def document_path(settings: Settings, entry: GuidelineEntry) -> Path:
    return settings.documents_dir / entry.filename


def fetch_document(settings: Settings, entry: GuidelineEntry) -> Path:
    """Return the verified local copy, fetching it if absent. Nothing unverified is ever left in place."""
    target = document_path(settings, entry)
    if target.exists() and sha256_of(target) == entry.sha256:
        return target

    def fetch_verified(tmp: Path) -> None:
        origin = _copy_from_mirror(settings, entry, tmp) or _download(entry, tmp)
        actual = sha256_of(tmp)
        if actual != entry.sha256:
            raise ChecksumMismatch(
                f"{entry.filename} from {origin} has SHA-256 {actual}, but the catalog expects {entry.sha256}. "
                "The file is not the catalogued edition; nothing was saved. Check the source or the catalog entry."
            )

    return write_atomically(target, fetch_verified)


def fetch_documents(settings: Settings, entries: list[GuidelineEntry], progress: Callable[[str], None]) -> list[Path]:
    """Fetch every entry, reporting each file as it lands; all failures are collected and raised together."""
    paths: list[Path] = []
    failures: list[str] = []
    for position, entry in enumerate(entries, start=1):
        progress(f"[{position}/{len(entries)}] {entry.id} …")
        try:
            path = fetch_document(settings, entry)
        except (ChecksumMismatch, FetchError) as exc:
            failures.append(str(exc))
            progress(f"[{position}/{len(entries)}] {entry.id}: FAILED")
            continue
        paths.append(path)
        progress(f"[{position}/{len(entries)}] {entry.id}: {path.stat().st_size:,} bytes, SHA-256 verified")
    if failures:
        raise FetchError(f"{len(failures)} of {len(entries)} guideline(s) were not fetched; nothing of them will be "
                         "indexed:\n" + "\n".join(failures))
    return paths


def _copy_from_mirror(settings: Settings, entry: GuidelineEntry, tmp: Path) -> str | None:
    if settings.corpus_mirror is None:
        return None
    source = Path(settings.corpus_mirror) / entry.filename
    if not source.is_file():
        return None
    shutil.copyfile(source, tmp)
    return str(source)


def _download(entry: GuidelineEntry, tmp: Path) -> str:
    if not entry.url:
        raise FetchError(
            f"{entry.id} has no download URL and is not in the mirror folder. Add it again with `assistant corpus add`."
        )
    request = urllib.request.Request(entry.url, headers={"User-Agent": "rationale-assistant/0.1"})
    try:
        with urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT_S) as response, open(tmp, "wb") as out:
            shutil.copyfileobj(response, out, CHUNK_BYTES)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise FetchError(
            f"Could not download {entry.id} from {entry.url}: {exc}. If this machine is offline, set "
            "ASSISTANT_CORPUS_MIRROR to a folder holding the PDF."
        ) from exc
    return entry.url
