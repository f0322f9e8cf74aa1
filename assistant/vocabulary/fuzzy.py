"""Tolerant matching of misspelled clinical words ("CONGNITIVE", "fibromialgia") against the vocabulary.

Only words of seven letters or more are corrected, only to a vocabulary term with the same first letter, a
length within two letters and a similarity of at least `MIN_SIMILARITY`: short words and ordinary English words
sit too close to each other for a fuzzy match to be safe (measured on the dev letters, see tests).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import TypeVar

from rapidfuzz import fuzz, process

from assistant.vocabulary.lexicon import english_lexicon
from assistant.vocabulary.tables import abbreviation_table, drug_table

MIN_LENGTH = 7
MIN_SIMILARITY = 88.0


@functools.cache
def vocabulary_terms() -> frozenset[str]:
    """Single clinical words misspellings are corrected to: the listed terms, generics and product names.

    Ordinary words of the expansions ("injection", "function") are left out on purpose: on the dev letters they
    turned "infection" into "injection" and "conducting" into "conduction".
    """
    table = drug_table()
    words = set(abbreviation_table()["terms"]["words"]) | set(table["generic"])
    words |= {name.lower() for product in table["product"].values() for name in product["names"]}
    return frozenset(w for w in words if len(w) >= MIN_LENGTH and w.isalpha())


_INFLECTIONS = {"s", "es", "ed", "d", "ing", "al", "ly", "ally", "ion", "ions", "ive", "ic", "ics"}


def _is_inflection(word: str, term: str) -> bool:
    """ "behavior" vs "behavioral", "opioid" vs "opioids": a different word form, not a misspelling."""
    short, long = sorted((word, term), key=len)
    return long.startswith(short) and long[len(short):] in _INFLECTIONS


def correct_word(word: str, known: frozenset[str] | set[str] = frozenset()) -> str | None:
    """The vocabulary term `word` is a misspelling of, or None (also when the word is spelled right or known)."""
    folded = word.lower()
    terms = vocabulary_terms()
    if len(folded) < MIN_LENGTH or not folded.isalpha() or folded in terms or folded in known:
        return None
    candidates = [t for t in terms if t[0] == folded[0] and abs(len(t) - len(folded)) <= 2]
    best = process.extractOne(folded, candidates, scorer=fuzz.ratio, score_cutoff=MIN_SIMILARITY)
    return best[0] if best and not _is_inflection(folded, best[0]) else None


Fixed = TypeVar("Fixed")


def _each_misspelt(text: str, fix: Callable[[str], Fixed | None]) -> list[tuple[str, Fixed]]:
    """(word as written, lower-cased; what `fix` makes of it) for each distinct word of `text` it corrects."""
    seen: dict[str, Fixed] = {}
    for word in re.findall(r"[A-Za-z]+", text):
        if word.lower() not in seen and (fixed := fix(word)):
            seen[word.lower()] = fixed
    return list(seen.items())


def corrections(text: str, known: frozenset[str] | set[str] = frozenset()) -> list[tuple[str, str]]:
    """(word as written, corrected term) for each distinct misspelled clinical word in `text`."""
    return _each_misspelt(text, lambda word: correct_word(word, known))


@functools.lru_cache(maxsize=4)
def _by_initial(corpus_words: frozenset[str]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for word in corpus_words:
        if len(word) >= MIN_LENGTH - 2 and word.isalpha():
            grouped.setdefault(word[0], []).append(word)
    return grouped


MAX_TIED_CORRECTIONS = 3


def corpus_correction(word: str, corpus_words: frozenset[str]) -> list[str]:
    """The indexed corpus's words that `word` misspells ("migrane" → "migraine"), best first; [] for none.

    Only a word that neither the corpus nor an English word list knows is corrected, under the same length, first
    letter and similarity limits as the clinical vocabulary: a reviewer's ordinary words are left as typed. Words
    equally close are all returned ("concusion": "concussion" and "conclusion"), since nothing says which was meant.
    """
    folded = word.lower()
    if len(folded) < MIN_LENGTH or not folded.isalpha() or folded in corpus_words or folded in english_lexicon():
        return []
    candidates = [w for w in _by_initial(corpus_words).get(folded[0], []) if abs(len(w) - len(folded)) <= 2]
    found = process.extract(folded, candidates, scorer=fuzz.ratio, score_cutoff=MIN_SIMILARITY,
                            limit=MAX_TIED_CORRECTIONS)
    best = max((score for _, score, _ in found), default=None)
    return sorted(w for w, score, _ in found if score == best and not _is_inflection(folded, w))


def corpus_corrections(text: str, corpus_words: frozenset[str]) -> list[tuple[str, list[str]]]:
    """(word as written, corpus words) for each distinct word of `text` that misspells words of the corpus."""
    return _each_misspelt(text, lambda word: corpus_correction(word, corpus_words))
