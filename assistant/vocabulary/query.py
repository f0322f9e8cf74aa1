"""Query understanding for retrieval: keep the reviewer's words and append what the guidelines call them."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

from pydantic import BaseModel

from assistant.vocabulary.drugs import identify_drugs
from assistant.vocabulary.fuzzy import corpus_corrections, corrections
from assistant.vocabulary.tables import abbreviation_table, drug_table


class Expansion(BaseModel):
    """One thing recognised in the query and the words added for it."""

    surface: str
    kind: str
    """"abbreviation", "synonym", "drug", "drug class" or "spelling"."""
    added: list[str]
    source: str


class ExpandedQuery(BaseModel):
    original: str
    expansions: list[Expansion]
    respelled: str = ""
    """The original with each misspelt word replaced by its one correction (a word with tied corrections stays)."""

    @property
    def added_terms(self) -> list[str]:
        seen: list[str] = []
        for expansion in self.expansions:
            seen += [t for t in expansion.added if t.lower() not in {s.lower() for s in seen}]
        return seen

    def reading(self) -> str:
        """How the query was read, for the reviewer: "migrane → migraine (spelling); LTOT → long-term opioid
        therapy (abbreviation)"; empty when nothing was recognised."""
        return "; ".join(f"{e.surface} → {', '.join(e.added)} ({e.kind})" for e in self.expansions)

    @property
    def text(self) -> str:
        """The original query followed by the added terms not already in it: what retrieval searches."""
        extra = [t for t in self.added_terms if t.lower() not in self.original.lower()]
        return " ".join([self.original, *extra])


@functools.cache
def _abbreviation_pattern() -> re.Pattern[str]:
    keys = sorted(abbreviation_table()["abbr"], key=len, reverse=True)
    parts = [re.escape(k) if not abbreviation_table()["abbr"][k].get("any_case") else f"(?i:{re.escape(k)})" for k in keys]
    return re.compile(rf"(?<![\w/-])(?:{'|'.join(parts)})(?![\w/-])")


def _abbreviations(text: str) -> list[Expansion]:
    table = abbreviation_table()["abbr"]
    folded = {k.lower(): k for k in table if table[k].get("any_case")}
    found = []
    for match in _abbreviation_pattern().finditer(text):
        key = match.group() if match.group() in table else folded[match.group().lower()]
        found.append(Expansion(surface=match.group(), kind="abbreviation", added=table[key]["expansions"] + table[key].get("broader", []),
                               source=table[key]["source"]))
    return found


GUIDELINE_ABBREVIATION = re.compile(r"(?<![\w/-])[A-Za-z0-9][A-Za-z0-9&/*+\-]*[A-Za-z0-9*](?![\w/-])")
MAX_GUIDELINE_DEFINITIONS = 1  # the first a guideline gives (a second, e.g. TMS "Talent Management System", was noise; same tune MRR)


@functools.cache
def _our_abbreviations() -> frozenset[str]:
    """Our table's abbreviations as written, and lower-cased where any case counts."""
    table = abbreviation_table()["abbr"]
    return frozenset(table) | {k.lower() for k in table if table[k].get("any_case")}


def _guideline_abbreviations(text: str, defined: Mapping[str, list[str]]) -> list[Expansion]:
    """An abbreviation our table lacks but a guideline's own abbreviation list defines ("rTMS", "HSAT"); written in
    the same case. Our table wins where both define it (the sleep guideline's APAP is not acetaminophen)."""
    ours = _our_abbreviations()
    return [Expansion(surface=m.group(), kind="abbreviation", added=defined[m.group()][:MAX_GUIDELINE_DEFINITIONS],
                      source="the indexed guidelines' abbreviation lists")
            for m in GUIDELINE_ABBREVIATION.finditer(text)
            if m.group() in defined and m.group() not in ours and m.group().lower() not in ours]


def _spelled_out(text: str) -> list[Expansion]:
    """A spelled-out term whose abbreviation the guidelines use ("cognitive behavioral therapy" -> CBT)."""
    found = []
    for key, entry in abbreviation_table()["abbr"].items():
        for expansion in entry["expansions"]:
            if " " in expansion and re.search(rf"\b{re.escape(expansion)}\b", text, re.I) and key not in text:
                found.append(Expansion(surface=expansion, kind="abbreviation", added=[key], source=entry["source"]))
    return found


def _synonyms(text: str) -> list[Expansion]:
    return [Expansion(surface=phrase, kind="synonym", added=words, source="abbreviations.toml [synonym]")
            for phrase, words in abbreviation_table()["synonym"].items()
            if re.search(rf"\b{re.escape(phrase)}\b", text, re.I)]


def _drugs(text: str) -> list[Expansion]:
    labels = drug_table()["class"]
    found = []
    for mention in identify_drugs(text):
        added = [g for g in mention.generics if g.lower() != mention.surface.lower()]
        added += [labels[c]["label"] for c in mention.classes if c in labels]
        if added:
            found.append(Expansion(surface=mention.surface, kind="drug", added=added, source=mention.source))
    return found


def _drug_classes(text: str) -> list[Expansion]:
    """A drug class named the way a reviewer names it ("NSAIDs", "benzos") with its generics from drugs.toml: a
    guideline often names the drugs ("ibuprofen, naproxen, aspirin, or acetaminophen"), not the class."""
    return [Expansion(surface=match.group(), kind="drug class", added=_class_generics(drug_class),
                      source="drugs.toml [generic] entries of the class")
            for drug_class, pattern in _class_name_patterns().items() if (match := pattern.search(text))]


def named_drug_classes(text: str) -> dict[str, str]:
    """The drug classes a text names the way a reviewer names them ("NSAIDs", "muscle relaxants"): class → words."""
    return {drug_class: match.group() for drug_class, pattern in _class_name_patterns().items()
            if (match := pattern.search(text))}


@functools.cache
def _class_name_patterns() -> dict[str, re.Pattern[str]]:
    """Per drug class with `query_names`, one whole-word, any-case pattern of those names (longest first)."""
    patterns = {}
    for drug_class, entry in drug_table()["class"].items():
        names = sorted(entry.get("query_names", []), key=len, reverse=True)
        if names:
            patterns[drug_class] = re.compile(rf"(?<![\w/-])(?:{'|'.join(map(re.escape, names))})(?![\w/-])", re.I)
    return patterns


@functools.cache
def _class_generics(drug_class: str) -> list[str]:
    return [generic for generic, entry in drug_table()["generic"].items() if drug_class in entry["classes"]]


def expand_query(text: str, known_words: frozenset[str] | set[str] = frozenset(),
                 guideline_abbreviations: Mapping[str, list[str]] | None = None) -> ExpandedQuery:
    """Abbreviations, synonyms, brand names and misspellings in `text`, with what to add for each.

    `known_words` (e.g. the indexed corpus's vocabulary) are never treated as misspellings, and a word that neither
    they nor English know is corrected to the nearest of them. `guideline_abbreviations` (the indexed guidelines'
    own abbreviation lists) expand abbreviations our table does not list.
    """
    spelled = [Expansion(surface=word, kind="spelling", added=[fixed], source="fuzzy match to the clinical vocabulary")
               for word, fixed in corrections(text, known_words)]
    fixed_words = {expansion.surface.lower() for expansion in spelled}
    spelled += [Expansion(surface=word, kind="spelling", added=fixed, source="fuzzy match to the indexed guidelines' words")
                for word, fixed in corpus_corrections(text, frozenset(known_words)) if word not in fixed_words]
    corrected = text
    for expansion in spelled:
        if len(expansion.added) == 1:
            corrected = re.sub(rf"\b{re.escape(expansion.surface)}\b", expansion.added[0], corrected, flags=re.I)
    expansions = (spelled + _abbreviations(corrected) + _guideline_abbreviations(corrected, guideline_abbreviations or {})
                  + _spelled_out(corrected) + _synonyms(corrected) + _drugs(corrected)
                  + _drug_classes(corrected))
    return ExpandedQuery(original=text, expansions=_dedupe(expansions), respelled=corrected)


def _dedupe(expansions: list[Expansion]) -> list[Expansion]:
    seen: set[tuple[str, str]] = set()
    kept = []
    for expansion in expansions:
        key = (expansion.kind, expansion.surface.lower())
        if key not in seen:
            seen.add(key)
            kept.append(expansion)
    return kept


CACHED_TEXT_CHARS = 2_000
"""Record sentences up to this length are cached (a case's sentences are checked again for every absence claim);
a longer run of text is expanded afresh, so no input can make the cache hold more than 4,096 x 2,000 characters."""


def with_vocabulary_terms(text: str) -> str:
    """The text with what the vocabulary calls its abbreviations, spelled-out terms, synonyms and drugs written
    after each one, in place ("a UDS (urine drug screen toxicology testing) on 10/01/2016"), so a negation before
    the word covers its expansion too. Two passes: "CURES" adds "prescription drug monitoring program", which adds
    "PDMP". No spelling correction: a record's words are not a reviewer's typing.

    Why: the record verifier's "there is no documentation of urine drug testing" must see the record's "UDS"."""
    return _cached_terms(text) if len(text) <= CACHED_TEXT_CHARS else _vocabulary_terms(text)


@functools.lru_cache(maxsize=4096)
def _cached_terms(text: str) -> str:
    return _vocabulary_terms(text)


def _vocabulary_terms(text: str) -> str:
    expanded = text
    for _ in range(2):
        found = _abbreviations(expanded) + _spelled_out(expanded) + _synonyms(expanded) + _drugs(expanded)
        for expansion in {e.surface.lower(): e for e in found}.values():  # each term once: linear in the text
            extra = [t for t in expansion.added if t.lower() not in expanded.lower()]
            if extra:
                surface = re.compile(rf"(?<![\w/-]){re.escape(expansion.surface)}(?![\w/-])", re.IGNORECASE)
                expanded = surface.sub(lambda m: f"{m.group(0)} ({' '.join(extra)})", expanded, count=1)
    return expanded
