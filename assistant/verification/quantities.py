"""Does a sentence give a figure the cited page does not, where the page's own sentence gives another?

Why: a claim is checked against its page by shared words and page ranking, and numbers are not words: "the CDC
guideline, p. 32, says opioid dosages ≥30 MME/day bring no benefit" shares every word with the page's "≥50
MME/day" sentence and was verified. A figure with its unit (MME, mg, days, weeks, sessions, percent …) is the
statement's substance, so the figure the claim gives must be on the page. Only a claim that restates a page sentence
is judged (most of its words in one sentence), and only when that sentence gives a different figure of the same unit
that the claim does not also give — so a sentence that sets the patient's own figure beside the guideline's ("the
claimant takes 120 MME/day; the guideline cautions at ≥50 MME/day") is not flagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.verification.direction import MIN_SHARED, SAME_STATEMENT, closest_sentences
from assistant.verification.textmatch import content_words

NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
                "eighteen": 18, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "ninety": 90}
UNITS = {"mme": "MME", "mg": "mg", "mcg": "mcg", "%": "%", "percent": "%", "day": "day", "days": "day",
         "week": "week", "weeks": "week", "month": "month", "months": "month", "year": "year", "years": "year",
         "hour": "hour", "hours": "hour", "hr": "hour", "hrs": "hour", "minute": "minute", "minutes": "minute",
         "min": "minute", "session": "session", "sessions": "session", "visit": "visit", "visits": "visit",
         "treatment": "treatment", "treatments": "treatment", "tablet": "tablet", "tablets": "tablet",
         "times": "time", "dose": "dose", "doses": "dose", "point": "point", "points": "point"}
"""Units whose figure is a statement's substance; "morphine milligram equivalents" is read as MME."""
_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_NUMBER = _DIGITS + r"|(?:" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")\b"
_RANGE_TAIL = rf"(?:\s*(?:[-–—]|to|or|and)\s*(?:{_NUMBER}))?"
QUANTITY = re.compile(
    rf"(?<![\w.,/-])({_NUMBER}){_RANGE_TAIL}\s*(?:-\s*)?(%|morphine\s+milligram\s+equivalents?|[A-Za-z]+)?",
    re.IGNORECASE)
NAMING = re.compile(r"\b(?:pages?|pp?|recommendations?|rec|table|figure|appendix|category|type|level|grade|step|"
                    r"phase|section|chapter|part|module|version|edition|schedule|class)\.?\s*$", re.IGNORECASE)
"""A number that names something (page 32, Recommendation 7, Table 2) rather than giving a figure."""
REFERENCE = re.compile(r"[\[(§]\s*$")
"""A bare number in brackets is a reference ([41], (201)); "(7 mg)" still gives a figure."""
NUMBER_WORD_STEMS = frozenset(content_words(" ".join(NUMBER_WORDS)))
SCORE = re.compile(r"(?<![\w./-])(\d{1,2}(?:\.\d)?)\s*[+-]?\s*(?:/|out of)\s*(5|10)\b(?![/\d])", re.IGNORECASE)
"""A grade or score out of five or ten ("4 out of 5", "5/5", "4+/5", "8/10"): its figure is the grade, its unit the
scale, so "Motor strength was 5 out of 5" is not "… 4 out of 5 …" because the sentence holds a 5 (CM16-0235869)."""
COUNTED_NOUN = re.compile(r"^(?:[A-Za-z]+\s+){0,2}?(sessions?|visits?|treatments?)\b", re.IGNORECASE)
"""A count's noun after its modifiers: "8 physical therapy visits" counts visits (CM16-0238676)."""


@dataclass(frozen=True)
class Figure:
    value: float
    unit: str | None
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class ChangedFigure:
    """The claim's figure, the page's figure of the same unit in the sentence the claim restates (None: the page gives
    no figure there), and that sentence."""

    said: Figure
    page: Figure | None
    sentence: str


def _value(number: str) -> float:
    word = NUMBER_WORDS.get(number.lower())
    return float(word) if word is not None else float(number.replace(",", ""))


def figures(text: str) -> list[Figure]:
    """Every figure in the text: a number with the unit written after it (a range gives both ends the unit), or a
    number in digits with no unit. A number word without a unit ("no one", "one of") is not a figure."""
    flat = " ".join(text.split())
    found = [Figure(float(m.group(1)), f"/{m.group(2)}", m.group(0)) for m in SCORE.finditer(flat)]
    flat = SCORE.sub(lambda m: " " * len(m.group(0)), flat)
    for match in QUANTITY.finditer(flat):
        before = flat[max(0, match.start() - 16): match.start()]
        unit_word = (match.group(2) or "").lower()
        unit = "MME" if unit_word.startswith("morphine") else UNITS.get(unit_word)
        if unit is None and match.group(2) and (counted := COUNTED_NOUN.match(flat[match.start(2):])):
            unit = UNITS[counted.group(1).lower()]
        if NAMING.search(before) or unit is None and REFERENCE.search(before):
            continue
        numbers = re.findall(_NUMBER, flat[match.start(): match.start(2) if match.group(2) else match.end()],
                             re.IGNORECASE)
        for number in numbers:
            if unit is None and not number[0].isdigit() or unit is None and re.fullmatch(r"(?:19|20)\d\d", number):
                continue  # a number word with no unit, or a year
            found.append(Figure(_value(number), unit, match.group(0).strip()))
    return found


def _restated(claim: str, page_text: str) -> tuple[float, list[str]]:
    """The page sentences the claim restates (at least MIN_SHARED of its words, figures aside; ties kept), and the
    share of its words the closest one holds."""
    words = content_words(claim) - NUMBER_WORD_STEMS
    if len(words) < 2:
        return 0.0, []
    best, closest = closest_sentences(words, page_text)
    return (best, closest) if best >= MIN_SHARED else (best, [])


def changed_figure(claim: str, page_text: str) -> ChangedFigure | None:
    """The first figure of the claim that the sentence it restates does not give, where that sentence gives another
    of the same unit (and the claim does not give that one too), or — for a claim that is nearly the sentence's own
    words — where the page gives that figure nowhere. None when every figure checks or none can be judged."""
    said = figures(claim)
    if not said:
        return None
    best, restated = _restated(claim, page_text)
    if not restated:
        return None
    in_restated = {(f.value, f.unit): f for sentence in restated for f in figures(sentence)}
    page_pairs = {(f.value, f.unit) for f in figures(page_text)}
    said_pairs = {(f.value, f.unit) for f in said}
    for figure in said:
        if (figure.value, figure.unit) in in_restated or figure.unit is None and figure.value in {
                value for value, _ in in_restated}:
            continue
        verbatim = best >= SAME_STATEMENT
        if not verbatim and ((figure.value, figure.unit) in page_pairs or figure.unit is None):
            continue  # a figure from elsewhere on the page, or a bare number in a looser restatement
        rivals = [f for (value, unit), f in in_restated.items() if unit == figure.unit and value != figure.value]
        unmatched = [r for r in rivals if (r.value, r.unit) not in said_pairs]
        invented = verbatim and (figure.value, figure.unit) not in page_pairs and (figure.unit or unmatched)
        if invented or rivals and unmatched == rivals:
            page_figure = unmatched[0] if unmatched else None
            return ChangedFigure(figure, page_figure, _sentence_with(page_figure, restated))
    return None


def _sentence_with(figure: Figure | None, sentences: list[str]) -> str:
    return next((s for s in sentences if figure is not None and figure in figures(s)), sentences[0])
