"""Prompts are files in prompts/, loaded by name."""

from __future__ import annotations

from functools import lru_cache

from assistant.config import PROMPTS_DIR
from assistant.errors import ConfigurationError

PROMPT_NAMES = ("system", "draft", "revise", "lookup", "decide")


@lru_cache(maxsize=None)
def load_prompt(name: str) -> str:
    path = PROMPTS_DIR / f"{name}.md"
    if not path.is_file():
        raise ConfigurationError(f"Prompt file {path} is missing; prompts must live in {PROMPTS_DIR}.")
    return path.read_text(encoding="utf-8")
