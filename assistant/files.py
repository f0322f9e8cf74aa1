"""Atomic file writes: readers see the old file or the new one, never half of one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_atomically(path: Path | str, write: Callable[[Path], None]) -> Path:
    """Call `write` on a temporary file beside `path`, fsync it, then rename it over `path`.

    If `write` raises (a failed download, a checksum mismatch), the temporary file is removed and `path` is
    untouched."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_text_atomically(path: Path | str, text: str) -> Path:
    return write_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700


def restrict_new_files() -> int:
    """umask 077 for this process: every file and folder created from here on is readable by its owner only.

    Case files are PHI; call this first thing at CLI and app entry. Returns the previous umask."""
    return os.umask(0o077)


def make_private(path: Path | str) -> Path:
    """chmod 0600 a file (0700 a folder) that exists; a missing path is left alone."""
    path = Path(path)
    if path.is_dir():
        os.chmod(path, PRIVATE_DIR_MODE)
    elif path.exists():
        os.chmod(path, PRIVATE_FILE_MODE)
    return path


def private_dir(path: Path | str) -> Path:
    """Create a folder (and missing parents) readable by its owner only; tighten it if it already exists."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    os.chmod(path, PRIVATE_DIR_MODE)
    return path


def make_tree_private(root: Path | str) -> Path:
    """Folders 0700 and files 0600 under root (an index folder Chroma wrote, a data folder from an older run)."""
    root = Path(root)
    if not root.exists():
        return root
    make_private(root)
    for folder, dirs, files in os.walk(root):
        for name in dirs:
            os.chmod(Path(folder) / name, PRIVATE_DIR_MODE)
        for name in files:
            file = Path(folder) / name
            if not file.is_symlink():
                os.chmod(file, PRIVATE_FILE_MODE)
    return root


def private_temp_dir(path: Path | str) -> Path:
    """Create `path` (Settings.gradio_temp_dir) 0700 and export it as GRADIO_TEMP_DIR, so Gradio's cached uploads
    and exports never land in the world-readable system temp folder. The UI calls this before building the app."""
    path = private_dir(path)
    os.environ["GRADIO_TEMP_DIR"] = str(path)
    return path


def check_upload_size(path: Path | str, max_bytes: int) -> Path:
    """Refuse an uploaded file over max_bytes, deleting it (it sits in the upload cache); a second line behind
    Gradio's launch(max_file_size=settings.max_upload_bytes)."""
    from assistant.errors import CaseInputError

    path = Path(path)
    size = path.stat().st_size
    if size > max_bytes:
        path.unlink(missing_ok=True)
        raise CaseInputError(
            f"{path.name} is {size / 1e6:.1f} MB; files over {max_bytes / 1e6:.0f} MB are not accepted "
            "(ASSISTANT_MAX_UPLOAD_MB). Upload the case summary or the guideline chapter you need."
        )
    return path


def remove_stale_files(folder: Path | str, older_than_s: float, now: float | None = None) -> int:
    """Delete files under `folder` last modified more than older_than_s ago (cached exports and uploads of
    earlier sessions); returns how many. The UI calls it on start and after each download."""
    import time

    folder = Path(folder)
    if not folder.is_dir():
        return 0
    cutoff = (time.time() if now is None else now) - older_than_s
    removed = 0
    for path in sorted(folder.rglob("*"), reverse=True):
        if path.is_symlink() or path.is_file():
            if path.lstat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                removed += 1
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return removed
