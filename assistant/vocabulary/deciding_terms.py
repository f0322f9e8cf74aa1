"""The words that decide which fact a sentence about the case states: side, body region, test, drug, direction.

Why: the record verifier's support test counts shared content words, so "MRI of the left knee" was supported by
"MRI of the right knee" (every other word is shared) and shown verified. On the 63 dev letters, 327 of 343 record
sentences with one such word swapped (right for left, cervical for lumbar, pregabalin for gabapentin …) passed.
A supporting record sentence must now carry each of these terms of the statement; the groups and their spellings
are a physician-reviewable file (`data/deciding_terms.toml`); drugs are resolved by the drug vocabulary, so a
brand name matches its generic ("Norco" carries hydrocodone).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from assistant.vocabulary.drugs import identify_drugs
from assistant.vocabulary.tables import deciding_term_table

Term = tuple[str, str]
"""(group, term): ("side", "left"), ("test", "mri")."""

NEGATED_BEFORE = re.compile(r"\b(?:not|no|without|never|neither|nor|n't)\W+"
                            r"(?:(?:been|be|yet|significantly|much|fully|clearly|really|very|as|any)\W+)?$", re.IGNORECASE)
"""'pain has not improved', 'has not been effective' do not say 'improved', 'effective': a direction term right
after a negation is not read ('without contrast was certified' still says 'certified')."""


@dataclass(frozen=True)
class DecidingTerms:
    """The deciding terms one text carries, with the words it spells them in (for messages)."""

    required: frozenset[Term] = frozenset()
    opposed: frozenset[Term] = frozenset()
    drugs: tuple[tuple[str, frozenset[str], frozenset[str]], ...] = ()
    """Each drug the text names: (its words, its generic ingredients, its classes)."""
    spelled: dict[Term, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.required or self.opposed or self.drugs)

    @property
    def sites(self) -> frozenset[Term]:
        """The body site terms: side, joint, spine region, and a side with its site."""
        return frozenset(t for t in self.required if is_site(t))

    @property
    def body_sites(self) -> frozenset[Term]:
        """The joints and spine regions alone: "knee", "lumbar" (no side)."""
        return frozenset(t for t in self.required if t[0] in BODY_SITE_GROUPS)

    def without_sites(self) -> DecidingTerms:
        return DecidingTerms(self.required - self.sites, self.opposed, self.drugs, self.spelled)


BODY_SITE_GROUPS = frozenset({"joint", "spine_region"})
SITE_GROUPS = BODY_SITE_GROUPS | {"side"}


def is_site(term: Term) -> bool:
    return term[0] in SITE_GROUPS or term[0].startswith("side of the")


@dataclass(frozen=True)
class _Group:
    name: str
    kind: str
    sided: bool
    pattern: re.Pattern[str]
    owners: dict[str, list[str]]
    """Each spelling (lower case) -> the terms it spells."""


@functools.cache
def _groups() -> list[_Group]:
    groups = []
    for name, entry in deciding_term_table().items():
        owners: dict[str, list[str]] = {}
        for term, spellings in entry["terms"].items():
            for spelling in spellings:
                owners.setdefault(spelling.lower(), []).append(term)
        alternation = "|".join(re.escape(s).replace(r"\ ", r"\s+") for s in sorted(owners, key=len, reverse=True))
        pattern = re.compile(rf"(?<![\w-])(?<!\bnon)(?:{alternation})(?:e?s)?(?![\w-])", re.IGNORECASE)
        groups.append(_Group(name, entry["kind"], entry.get("sided", False), pattern, owners))
    return groups


def _owner_terms(spelled: str, owners: dict[str, list[str]]) -> list[str]:
    key = " ".join(spelled.lower().split())
    return owners.get(key) or owners.get(key.removesuffix("s"), []) or owners.get(key.removesuffix("es"), [])


SIDE_TO_SITE = re.compile(r"^[^,;:.()]{0,25}$")
"""What may stand between a side and the body part it names: 'left lower leg', not 'left, and the knee'."""
SIDE_GROUP = "side"
CARRIER_GENERICS = frozenset({"acetaminophen"})
"""Hydrocodone/acetaminophen is named by its hydrocodone: a record's "hydrocodone" supports "Norco"."""


Found = tuple[_Group, re.Match[str], str]


def _matches(text: str) -> list[Found]:
    found = []
    for group in _groups():
        for match in group.pattern.finditer(text):
            if group.kind == "opposed" and NEGATED_BEFORE.search(text[max(0, match.start() - 40):match.start()]):
                continue
            found += [(group, match, term) for term in _owner_terms(match.group(), group.owners)]
    return found


def _sided_sites(found: list[Found], text: str) -> list[tuple[Term, str]]:
    """'right knee' as the term ('side of the knee', 'right'): a side with the body part written after it."""
    sites = sorted(((m.start(), m.end(), term, m.group()) for g, m, term in found if g.sided), key=lambda s: s[0])
    pairs = []
    for group, match, side in found:
        if group.name != SIDE_GROUP:
            continue
        site = next((s for s in sites if s[0] >= match.end() and SIDE_TO_SITE.match(text[match.end():s[0]])), None)
        if site is not None:
            pairs.append(((f"side of the {site[2]}", side), f"{match.group()} {site[3]}"))
    return pairs


@functools.lru_cache(maxsize=16384)
def deciding_terms(text: str, with_drugs: bool = True) -> DecidingTerms:
    """Every deciding term `text` states (a direction word right after a negation is not stated)."""
    required, opposed, spelled = set(), set(), {}
    found = _matches(text)
    for group, match, term in found:
        if group.kind != "site":
            (required if group.kind == "required" else opposed).add((group.name, term))
            spelled.setdefault((group.name, term), match.group())
    for term, words in _sided_sites(found, text):
        required.add(term)
        spelled.setdefault(term, words)
    drugs = tuple((m.surface, frozenset(m.generics), frozenset(m.classes))
                  for m in identify_drugs(text) if m.generics) if with_drugs else ()
    return DecidingTerms(frozenset(required), frozenset(opposed), drugs, spelled)


def _named_by(generics: frozenset[str]) -> frozenset[str]:
    return generics - CARRIER_GENERICS or generics


def missing_terms(claim: DecidingTerms, record_text: str) -> list[str]:
    """The claim's required terms and drugs that a record text does not carry, in the claim's own words."""
    record = deciding_terms(record_text, with_drugs=bool(claim.drugs))
    missing = [claim.spelled[t] for t in sorted(claim.required - record.required)]
    record_generics = frozenset().union(*(g for _, g, _ in record.drugs))
    missing += [surface for surface, generics, _ in claim.drugs if not _named_by(generics) <= record_generics]
    return missing


def opposing_term(claim: DecidingTerms, record_text: str) -> tuple[str, str] | None:
    """(the claim's word, the record's word) where the record text says another term of the same group and not
    the claim's: "left" / "right", "improved" / "worsened", "gabapentin" / "pregabalin"."""
    record = deciding_terms(record_text, with_drugs=bool(claim.drugs))
    for mine, theirs in ((claim.required, record.required), (claim.opposed, record.opposed)):
        for group, term in sorted(mine - theirs, key=lambda t: (-len(claim.spelled.get(t, "")), t)):  # "left knee" first
            other = sorted(t for t in theirs if t[0] == group and t not in mine)
            if other:
                return claim.spelled[(group, term)], record.spelled[other[0]]
    record_generics = frozenset().union(*(g for _, g, _ in record.drugs))
    for surface, generics, classes in claim.drugs:
        same_class = [theirs for theirs, _, their_classes in record.drugs if classes & their_classes]
        if not _named_by(generics) <= record_generics and same_class:
            return surface, same_class[0]
    return None
