"""Drug mentions in free text: which drug, its generic ingredients, its classes, and the dose written next to it.

The `drug-named-entity-recognition` package resolves most brand and generic names offline; the curated table
(`data/drugs.toml`, each entry with its source) adds the combination products and compounded kits it misses
and says which class each generic belongs to.
"""

from __future__ import annotations

import functools
import re

from pydantic import BaseModel

from assistant.vocabulary.fuzzy import correct_word
from assistant.vocabulary.tables import drug_table

OPIOID_CLASSES = {"opioid", "opioid-er-la"}
OPIOID_CLASS_WORDS = r"opioids?|opiates?|narcotics?"
"""How a record or a question names opioids without naming a drug ("narcotic pain medication", "is he on opioids?")."""
_RELEASE_MARK = re.compile(r"\s*(?:\b(?:ER|XR|SR|CR|LA|XL)\b|extended[- ]release|long[- ]acting|controlled[- ]release)", re.I)
_STRENGTH = re.compile(r"\d+(?:\.\d+)?(?:\s*/\s*\d+(?:\.\d+)?)*\s*(?:mg|mcg|%|g\b|grams?|ml|mL)(?:\s*/\s*\d*\s*ml)?", re.I)
_QUANTITY = re.compile(r"#\s*\d+|\b(?:qty|quantity)[:.]?\s*\d+|(?<![\d.])\d+(?:\.\d+)?\s*(?:tablets?|tabs?|capsules?|caps?|patch(?:es)?|pills?|grams?|ml)\b", re.I)
_FREQUENCY = re.compile(
    r"\b(?:(?:\d+|one|two|three)\s*(?:tabs?|tablets?|caps?|capsules?|pills?)\s+)?(?:(?:p\.?o\.?|by mouth|orally)\s+)?"
    r"(?:q\s?\d+(?:\s?-\s?\d+)?\s?(?:h|hrs?|hours?)|b\.?i\.?d\.?|t\.?i\.?d\.?|q\.?i\.?d\.?|q\.?d\.?|qhs|q\.?h\.?s\.?|"
    r"(?:once|twice|three times|four times)\s+(?:a day|per day|daily)|(?:once\s+)?daily|at bedtime|every \d+(?:\s?-\s?\d+)? hours)"
    r"(?:\s+(?:as needed|prn|p\.r\.n\.))?|\bprn\b|\bas needed\b", re.I)


class DrugMention(BaseModel):
    """One drug named in a text, resolved to generic ingredients and classes."""

    start: int
    end: int
    surface: str
    generics: list[str]
    classes: list[str]
    extended_release: bool = False
    topical: bool = False
    strength: str = ""
    quantity: str = ""
    frequency: str = ""
    source: str
    """Where the resolution comes from: the curated table entry's source, or the NER package."""

    @property
    def is_opioid(self) -> bool:
        return bool(OPIOID_CLASSES & set(self.classes))


class _Product(BaseModel):
    key: str
    names: list[str]
    ingredients: list[str]
    classes: list[str] = []
    extended_release: bool = False
    topical: bool = False
    source: str


@functools.cache
def _products() -> list[_Product]:
    return [_Product(key=key, **entry) for key, entry in drug_table()["product"].items()]


@functools.cache
def _product_pattern() -> re.Pattern[str]:
    names = sorted({n for p in _products() for n in p.names}, key=len, reverse=True)
    alternation = "|".join(re.escape(n).replace(r"\ ", r"\s*") for n in names)
    return re.compile(rf"(?<![\w#])(?:{alternation})(?![\w])", re.I)


def classes_of(generic: str) -> list[str]:
    """Classes of a generic ingredient from the curated table; empty when the table does not know it."""
    entry = drug_table()["generic"].get(generic.lower())
    return list(entry["classes"]) if entry else []


def class_category(drug_class: str) -> str:
    """The item category (see `categories.CATEGORIES`) a drug class is decided under; "" when none."""
    entry = drug_table()["class"].get(drug_class)
    return entry["category"] if entry else ""


def _product_for(surface: str) -> _Product:
    folded = re.sub(r"\s+", "", surface).lower()
    return next(p for p in _products() if any(re.sub(r"\s+", "", n).lower() == folded for n in p.names))


def _resolve(generics: list[str], extra_classes: list[str], topical: bool, release: bool) -> tuple[list[str], bool]:
    classes = list(extra_classes)
    for generic in generics:
        classes += [c for c in classes_of(generic) if c not in classes]
    if topical and "topical-analgesic" not in classes:
        classes.insert(0, "topical-analgesic")
    if release and "opioid" in classes and "opioid-er-la" not in classes:
        classes.append("opioid-er-la")
    order = list(drug_table()["class"])
    classes.sort(key=lambda c: order.index(c) if c in order else len(order))
    return classes, release or "opioid-er-la" in classes


def _curated_mentions(text: str) -> list[DrugMention]:
    mentions = []
    for match in _product_pattern().finditer(text):
        product = _product_for(match.group())
        release = product.extended_release or bool(_RELEASE_MARK.match(text, match.end()))
        classes, release = _resolve(product.ingredients, product.classes, product.topical, release)
        mentions.append(DrugMention(start=match.start(), end=match.end(), surface=match.group(), generics=product.ingredients,
                                    classes=classes, extended_release=release, topical=product.topical,
                                    source=f"curated table: {product.source}"))
    return mentions


@functools.cache
def _find_drugs():
    """The NER package's matcher, loaded once (its import reads a bundled dictionary: about 2 s)."""
    from drug_named_entity_recognition import find_drugs

    return find_drugs


_TOKEN = re.compile(r"[A-Za-z]+")


def _looks_topical(text: str, start: int, end: int, generic: str) -> bool:
    """A patch, gel or cream, a compounded product, or a strength in percent (oral drugs are dosed in mg)."""
    after = text[end:end + 25]
    return bool(re.search(r"\bpatch|\bgel\b|\bcream\b|\btopical\b|\blotion\b|\bointment\b", generic + " " + after, re.I)
                or re.match(r"\s*\d+(?:\.\d+)?\s*%", after)
                or re.search(r"\bcompound(?:ed)?\s+$", text[max(0, start - 12):start], re.I))


def _ner_mentions(text: str) -> list[DrugMention]:
    tokens = list(_TOKEN.finditer(text))
    hits = _find_drugs()([t.group() for t in tokens], is_ignore_case=True)
    mentions = []
    for info, first, stop in hits:
        generic = str(info.get("name", "")).lower()
        generics = [generic.removesuffix(" patch")] if generic else []
        if not generics or not classes_of(generics[0]) and not (info.get("drugbank_id") or info.get("medline_plus_id")):
            continue  # a class word ("opioids" -> "Analgesics, Opioid") is not a drug mention
        start, end = tokens[first].start(), tokens[stop - 1].end()
        topical = _looks_topical(text, start, end, generic)
        release = bool(_RELEASE_MARK.match(text, end))
        classes, release = _resolve(generics, [], topical, release)
        mentions.append(DrugMention(start=start, end=end, surface=text[start:end], generics=generics, classes=classes,
                                    extended_release=release, topical=topical,
                                    source="drug-named-entity-recognition package"))
    return mentions


def _misspelled_mentions(text: str) -> list[DrugMention]:
    """Drug names misspelled in the record ("Ketaprofen"), resolved through the fuzzy matcher."""
    generics = drug_table()["generic"]
    mentions = []
    for token in _TOKEN.finditer(text):
        fixed = correct_word(token.group())
        if fixed in generics:
            classes, release = _resolve([fixed], [], False, bool(_RELEASE_MARK.match(text, token.end())))
            mentions.append(DrugMention(start=token.start(), end=token.end(), surface=token.group(), generics=[fixed],
                                        classes=classes, extended_release=release,
                                        source=f"fuzzy match of {token.group()!r} to {fixed!r}"))
    return mentions


def _merge_combinations(text: str, mentions: list[DrugMention]) -> list[DrugMention]:
    """"Hydrocodone-Acetaminophen", "APAP/codeine": one combination product, not two drugs."""
    merged: list[DrugMention] = []
    for mention in mentions:
        previous = merged[-1] if merged else None
        if previous and re.fullmatch(r"\s*[-/]\s*", text[previous.end:mention.start]):
            generics = previous.generics + [g for g in mention.generics if g not in previous.generics]
            classes, release = _resolve(generics, [], previous.topical or mention.topical,
                                        previous.extended_release or mention.extended_release)
            merged[-1] = previous.model_copy(update={
                "end": mention.end, "surface": text[previous.start:mention.end], "generics": generics,
                "classes": classes, "extended_release": release, "topical": previous.topical or mention.topical,
                "source": f"{previous.source}; {mention.source}"})
        else:
            merged.append(mention)
    return merged


def _attach_dose(text: str, mention: DrugMention, stop: int) -> DrugMention:
    """Strength, quantity and frequency written right after the name, before the next drug or line end."""
    window_end = min(stop, mention.end + 80)
    newline = text.find("\n", mention.end, window_end)
    window = text[mention.end: newline if newline > 0 else window_end]
    updates, offset = {}, 0
    for field, pattern in (("strength", _STRENGTH), ("quantity", _QUANTITY), ("frequency", _FREQUENCY)):
        found = pattern.search(window, offset if field == "quantity" else 0)
        if found:
            updates[field] = re.sub(r"\s+", " ", found.group()).strip().rstrip(".")
            offset = found.end() if field == "strength" else offset
    return mention.model_copy(update=updates)


def identify_drugs(text: str) -> list[DrugMention]:
    """Every drug named in `text`, in order; curated products win over the package where both match."""
    found = _curated_mentions(text)
    for extra in (_ner_mentions(text), _misspelled_mentions(text)):
        taken = [(m.start, m.end) for m in found]
        found += [m for m in extra if not any(m.start < e and s < m.end for s, e in taken)]
    ordered = _merge_combinations(text, sorted(found, key=lambda m: m.start))
    return [_attach_dose(text, m, ordered[i + 1].start if i + 1 < len(ordered) else len(text))
            for i, m in enumerate(ordered)]
