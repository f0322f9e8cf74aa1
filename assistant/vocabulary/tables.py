"""The vocabulary's data files (physician-reviewable TOML, each entry with its source), parsed once."""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path

DATA = Path(__file__).parent / "data"


@functools.cache
def drug_table() -> dict:
    """`data/drugs.toml`: drug classes, the class of each generic, and products the NER package misses."""
    with (DATA / "drugs.toml").open("rb") as handle:
        return tomllib.load(handle)


@functools.cache
def abbreviation_table() -> dict:
    """`data/abbreviations.toml`: abbreviations, synonyms and the clinical terms misspellings are corrected to."""
    with (DATA / "abbreviations.toml").open("rb") as handle:
        return tomllib.load(handle)


@functools.cache
def deciding_term_table() -> dict:
    """`data/deciding_terms.toml`: side, body region, test, direction — the words that decide which fact a
    sentence states."""
    with (DATA / "deciding_terms.toml").open("rb") as handle:
        return tomllib.load(handle)


@functools.cache
def statement_term_table() -> dict:
    """`data/statement_terms.toml`: the duration of pain and the condition a guideline statement is about."""
    with (DATA / "statement_terms.toml").open("rb") as handle:
        return tomllib.load(handle)
