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
from assistant.verification.textmatch import STOPWORDS, singular_of_ies

LIGHT_WORDS = frozenset(
    """noted note notes reported reports report documented documents document indicated indicates indicate revealed
    reveals reveal showed shows show demonstrated demonstrates found finding findings objective dated performed
    completed complete had has have having underwent undergone including included include includes received
    continued continues ongoing current currently previously prior previous recent recently also further still
    treatment treated seen evaluation evaluated examination exam test testing tests summary records record
    documentation per according injured worker patient claimant applicant employee he she his her they their him
    approximately about least total since date done obtained given imaging study studies diagnostic medical
    review reviewed mention made""".split())
"""Words a reviewer adds, drops or swaps without changing what the record says."""
SLOT_WIDTH = 3
"""At most this many words on either side of a slot: a longer difference is a rewording, not one word changed."""
MOST_OF_THE_CLAIM = 0.75
"""The share of the claim's content words a record sentence must hold to be the sentence it restates."""


def _record_parts(record_text: str) -> list[str]:
    """The sentences of a record window (two joined sentences are read one at a time)."""
    return re.split(r"(?<=[.!?])\s+(?=[A-Z])", record_text)


def _words(text: str) -> list[str]:
    """Lower-case words and figures; a possessive is its noun ("patient's" is "patient")."""
    return [w.lower().removesuffix("'s") for w in re.findall(r"[A-Za-z][A-Za-z'-]*|\d+(?:[./-]\d+)*", text)]


def _key(word: str) -> str:
    """Words compare by their first five letters: 'revealed' is 'reveal', 'sessions' is 'session'; 'duties' is
    'duty'."""
    return singular_of_ies(word)[:5]


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
    for part in _record_parts(record_text):
        record = _words(part)
        record_has = {_key(w) for w in record}
        if not _restates(wanted, record_has):
            continue
        found = _slot(said, record, record_has)
        if found is not None:
            return found
    return None


def _restates(wanted: set[str], record_has: set[str]) -> bool:
    """Whether a record sentence holds most of the claim's content words (MOST_OF_THE_CLAIM), or all but one of
    them and two at least: "… documented as lumbar stenosis." holds two of three words of "… documented as lumbar
    sprain, and low back pain." and changes the third (CM17-0005344)."""
    shared = len(wanted & record_has)
    return bool(wanted) and (shared / len(wanted) >= MOST_OF_THE_CLAIM or shared >= 2 and len(wanted) - shared == 1)


def _content_span(words: list[str], start: int, end: int, from_end: bool = False) -> int:
    """The index that bounds SLOT_WIDTH content words of words[start:end], counted from its start (or its end):
    light words do not widen a slot ("were noted to show degenerative changes" is two words in place of one)."""
    order = range(end - 1, start - 1, -1) if from_end else range(start, end)
    seen = 0
    for index in order:
        seen += bool(_content([words[index]]))
        if seen == SLOT_WIDTH:
            return index if from_end else index + 1
    return start if from_end else end


def _slot(said: list[str], record: list[str], record_has: set[str]) -> tuple[str, str] | None:
    said_keys, record_keys = [_key(w) for w in said], [_key(w) for w in record]
    claim_has = set(said_keys)
    blocks = difflib.SequenceMatcher(None, said_keys, record_keys, autojunk=False).get_opcodes()
    for n, (op, i1, i2, j1, j2) in enumerate(blocks):
        # At the claim's end (or start) the record runs on: its words next to the slot are the ones in its place
        # ("… left knee was full." against "… left knee was noted to be decreased with flexion 100° …").
        at_an_end = i2 == len(said) or i1 == 0
        j2 = _content_span(record, j1, j2) if i2 == len(said) else j2
        j1 = _content_span(record, j1, j2, from_end=True) if i1 == 0 else j1
        # Inside the claim a slot is at most SLOT_WIDTH words against SLOT_WIDTH + 1: a longer difference is a
        # rewording ("left knee pain complaints with" against "left knee MRI performed on 4/19/2016 documented").
        if op != "replace" or i2 - i1 > SLOT_WIDTH or not at_an_end and j2 - j1 > SLOT_WIDTH + 1:
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


SIDE_WORDS = {"left": "left", "right": "right", "bilateral": "bilateral", "bilaterally": "bilateral"}
CLAUSE = re.compile(r"[,;]|\band\b|\bwith\b", re.IGNORECASE)


def _sides(words: list[str]) -> set[str]:
    return {SIDE_WORDS[w] for w in words if w in SIDE_WORDS}


def side_of_the_finding(claim: str, record_text: str) -> tuple[str, str] | None:
    """(the claim's side, the record's) where the record clause that states the claim's finding gives another side:
    "Straight leg raise test was positive on the left." against "… sensation in the left L5-S1, …, a positive
    straight leg raise test on the right, …" — the sentence names both sides, so a side anywhere in it is no check
    (QA reading of CM17-0016311). A claim clause naming one side is compared with the record clause holding most of
    its other content words, when one clause holds more of them than any other."""
    record_clauses = [_words(c) for part in _record_parts(record_text) for c in CLAUSE.split(part)]
    for clause in CLAUSE.split(claim):
        said = _words(clause)
        sides = _sides(said)
        wanted = {_key(w) for w in _content(said) if w not in SIDE_WORDS}
        if len(sides) != 1 or len(wanted) < 2:
            continue
        shares = sorted(((len(wanted & {_key(w) for w in c}), n) for n, c in enumerate(record_clauses)), reverse=True)
        if not shares or shares[0][0] < 2 or len(shares) > 1 and shares[1][0] == shares[0][0]:
            continue
        theirs = _sides(record_clauses[shares[0][1]])
        if theirs and not sides & theirs:
            return next(iter(sides)), sorted(theirs)[0]
    return None
