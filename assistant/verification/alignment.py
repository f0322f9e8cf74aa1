"""Where a claim and the record sentence it restates say the same thing around one different word.

Why: a statement about the case is verified when a record sentence holds most of its words (three in four), so a
claim that changes one word of that sentence was verified by it: "The pain started while lifting boxes the day
prior." by "… sharp pain in right shoulder that started while pushing boxes the day prior", "Exam noted limited
range of motion to the neck and shoulders." by "Exam noted good range of motion …" (QA reading of CM17-0008177,
CM17-0002198). Aligning the two word sequences (difflib) finds the slot where they differ: the same words on either
side, another word in between. A reviewer's paraphrase changes light words ("revealed" for "was noted to reveal",
"dated" for "performed on"); those are not substitutions.
"""

from __future__ import annotations

import difflib
import functools
import re

from assistant.verification.quantities import NUMBER_WORDS
from assistant.verification.textmatch import STOPWORDS

LIGHT_WORDS = frozenset(
    """noted note notes reported reports report documented documents document indicated indicates indicate revealed
    reveals reveal showed shows show demonstrated demonstrates found finding findings objective dated performed
    completed complete had has have having underwent undergone including included include includes received
    continued continues ongoing current currently previously prior previous recent recently also further still
    treatment treated seen evaluation evaluated examination exam test testing tests summary records record
    documentation per according injured worker patient claimant applicant employee he she his her they their him
    approximately about least total since date done obtained given imaging study studies diagnostic""".split())
"""Words a reviewer adds, drops or swaps without changing what the record says."""
SLOT_WIDTH = 3
"""At most this many words on either side of a slot: a longer difference is a rewording, not one word changed."""
MOST_OF_THE_CLAIM = 0.75
"""The share of the claim's content words a record sentence must hold to be the sentence it restates."""


def _words(text: str) -> list[str]:
    return [w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'-]*|\d+(?:[./-]\d+)*", text)]


def _key(word: str) -> str:
    """Words compare by their first five letters: 'revealed' is 'reveal', 'sessions' is 'session'."""
    return word[:5]


def _content(words: list[str]) -> list[str]:
    return [w for w in words if w not in STOPWORDS and w not in LIGHT_WORDS and w not in NUMBER_WORDS
            and not w[0].isdigit()]  # figures are the number checks' to judge


def substituted_word(claim: str, record_text: str) -> tuple[str, str] | None:
    """(the claim's word, the record's word in its place) where a record sentence holding most of the claim gives
    another content word in the claim's slot — the same content word on one side of it at least — and gives the
    claim's word nowhere. None when no slot differs that way. A window of two record sentences is read one sentence
    at a time: "limited range of motion to the left wrist" in the next sentence does not make "limited … neck" what
    the first says of the neck."""
    said = _words(claim)
    wanted = {_key(w) for w in _content(said)}
    for part in re.split(r"(?<=[.!?])\s+(?=[A-Z])", record_text):
        record = _words(part)
        record_has = {_key(w) for w in record}
        if not wanted or len(wanted & record_has) / len(wanted) < MOST_OF_THE_CLAIM:
            continue
        found = _slot(said, record, record_has)
        if found is not None:
            return found
    return None


def _slot(said: list[str], record: list[str], record_has: set[str]) -> tuple[str, str] | None:
    said_keys, record_keys = [_key(w) for w in said], [_key(w) for w in record]
    claim_has = set(said_keys)
    blocks = difflib.SequenceMatcher(None, said_keys, record_keys, autojunk=False).get_opcodes()
    for n, (op, i1, i2, j1, j2) in enumerate(blocks):
        # At the claim's end (or start) the record runs on: its words next to the slot are the ones in its place
        # ("… left knee was full." against "… left knee was noted to be decreased with flexion 100° …").
        j2 = min(j2, j1 + SLOT_WIDTH + 1) if i2 == len(said) else j2
        j1 = max(j1, j2 - SLOT_WIDTH - 1) if i1 == 0 else j1
        if op != "replace" or i2 - i1 > SLOT_WIDTH or j2 - j1 > SLOT_WIDTH + 1:
            continue
        theirs = [w for w in _content(record[j1:j2]) if _key(w) not in claim_has]
        spelled = {_key(x) for w in theirs for x in _spelled_out(w)} | {_key(w) for w in theirs}
        ours = [w for w in _content(said[i1:i2]) if _key(w) not in record_has
                and not {_key(x) for x in _spelled_out(w)} & spelled]  # "adl's" is the record's "activities …"
        if ours and theirs and _anchored(blocks, n, said):
            return ours[0], theirs[0]
    return None


def _anchored(blocks: list[tuple[str, int, int, int, int]], n: int, said: list[str]) -> bool:
    """Whether a content word the two share stands right beside the slot: without one, the 'slot' is two
    unrelated stretches of text."""
    neighbours = [blocks[m] for m in (n - 1, n + 1) if 0 <= m < len(blocks)]
    return any(op == "equal" and _content(said[i1:i2]) for op, i1, i2, _j1, _j2 in neighbours)


def _spelled_out(word: str) -> list[str]:
    """The words the clinical vocabulary spells an abbreviation out as ("ADLs": activities of daily living)."""
    table = _abbreviations_by_lower_case()
    entry = table.get(word.lower().removesuffix("'s")) or table.get(word.lower().removesuffix("'s").removesuffix("s"))
    return [w.lower() for phrase in (entry or {}).get("expansions", []) for w in re.findall(r"[A-Za-z]+", phrase)]


@functools.cache
def _abbreviations_by_lower_case() -> dict[str, dict]:
    """The vocabulary's abbreviations keyed in lower case, built once (it was rebuilt for every word of every slot)."""
    from assistant.vocabulary.tables import abbreviation_table

    return {k.lower(): v for k, v in abbreviation_table()["abbr"].items()}
