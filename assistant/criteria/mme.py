"""MME/day from a written opioid regimen, with the CDC 2022 conversion factors (Table, printed page 31).

Why here: the dosage criteria (≥ 50 and ≥ 90 MME/day) need a number a reviewer can check, so every result
carries its arithmetic ("hydrocodone 10 mg × 4/day × 1.0 = 40 MME/day") and the CDC page that gives the factors.
An as-needed range ("1–2 tabs every 4–6 hours") gives the most and the least the prescription allows;
the most is the figure reported. A regimen with no readable frequency gets no number ("not documented").
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

CDC_GUIDELINE_ID = "cdc-opioids-2022"
CONVERSION_PAGE = "31"
CONVERSION_QUOTE = "Multiply the dose for each opioid by the conversion factor to determine the dose in MMEs."
TABLE_TITLE = "Morphine milligram equivalent doses for commonly prescribed opioids for pain management"

# CDC 2022, Table (printed page 31). Fentanyl transdermal is per mcg/hr of the patch.
CONVERSION_FACTORS: dict[str, float] = {
    "codeine": 0.15,
    "fentanyl": 2.4,
    "hydrocodone": 1.0,
    "hydromorphone": 5.0,
    "methadone": 4.7,
    "morphine": 1.0,
    "oxycodone": 1.5,
    "oxymorphone": 3.0,
    "tapentadol": 0.4,
    "tramadol": 0.2,
}

# Product or generic name -> (opioid, fixed strength in mg when the name implies it).
OPIOID_NAMES: dict[str, tuple[str, float | None]] = {
    "norco": ("hydrocodone", None), "vicodin": ("hydrocodone", None), "lortab": ("hydrocodone", None),
    "hysingla": ("hydrocodone", None), "zohydro": ("hydrocodone", None), "hydrocodone": ("hydrocodone", None),
    "percocet": ("oxycodone", None), "oxycontin": ("oxycodone", None), "roxicodone": ("oxycodone", None),
    "endocet": ("oxycodone", None), "xtampza": ("oxycodone", None), "oxycodone": ("oxycodone", None),
    "ultram": ("tramadol", None), "ultracet": ("tramadol", 37.5), "conzip": ("tramadol", None),
    "tramadol": ("tramadol", None), "nucynta": ("tapentadol", None), "tapentadol": ("tapentadol", None),
    "dilaudid": ("hydromorphone", None), "exalgo": ("hydromorphone", None), "hydromorphone": ("hydromorphone", None),
    "opana": ("oxymorphone", None), "oxymorphone": ("oxymorphone", None),
    "ms contin": ("morphine", None), "kadian": ("morphine", None), "morphine": ("morphine", None),
    "duragesic": ("fentanyl", None), "fentanyl": ("fentanyl", None),
    "methadone": ("methadone", None), "dolophine": ("methadone", None),
    "tylenol #3": ("codeine", 30.0), "tylenol #4": ("codeine", 60.0), "tylenol with codeine": ("codeine", None),
    "codeine": ("codeine", None),
}
_NAME = re.compile(r"(?<![A-Za-z])(" + "|".join(sorted((re.escape(n) for n in OPIOID_NAMES), key=len, reverse=True))
                   + r")(?![A-Za-z])", re.IGNORECASE)
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "1": 1, "2": 2, "3": 3, "4": 4}
_COUNT = r"\b(one|two|three|four|1|2|3|4)"
_STRENGTH = re.compile(r"(\d+(?:\.\d+)?)\s*(?:/\s*\d+(?:\.\d+)?\s*)?(mcg\s*/\s*h(?:ou)?r|mcg|mg)?", re.IGNORECASE)
_PER_DAY_WORDS = [
    (r"\bsix times\s+(?:a|per)?\s*day\b|\bsix times daily\b", 6),
    (r"\bfive times\s+(?:a|per)?\s*day\b|\bfive times daily\b", 5),
    (r"\bfour times\s+(?:a|per)?\s*day\b|\bfour times daily\b|\bq\.?i\.?d\.?\b", 4),
    (r"\bthree times\s+(?:a|per)?\s*day\b|\bthree times daily\b|\bt\.?i\.?d\.?\b|\bevery 8 (?:hours|hrs?|h)\b|\bq\s?8\s?h", 3),
    (r"\btwice\s+(?:a|per)\s+day\b|\btwice daily\b|\bb\.?i\.?d\.?\b|\bevery 12 (?:hours|hrs?|h)\b|\bq\s?12\s?h", 2),
    (r"\b(?:once|one time)\s+(?:a|per)\s+day\b|\bonce daily\b|\bq\.?d\.?\b|\bdaily\b|\bat bedtime\b|\bq\.?hs\b", 1),
]
_EVERY_HOURS = re.compile(r"\b(?:every|q)\s*(\d{1,2})(?:\s*(?:-|–|to)\s*(\d{1,2}))?\s*(?:hours|hrs?|h)\b", re.IGNORECASE)
_AT_MOST = re.compile(r"\b(?:at most|max(?:imum)?(?: of)?|up to|not to exceed)\s+(\d{1,2}|one|two|three|four|five|six)\b"
                      r"(?:\s*(?:tablets?|tabs?|pills?|doses?|capsules?))?\s*(?:a|per|/)\s*day", re.IGNORECASE)
_UNITS_PER_DOSE = re.compile(_COUNT + r"(?:\s*(?:-|–|to|or)\s*" + _COUNT + r")?\s*(?:tablets?|tabs?|pills?|capsules?|caps?)\b",
                             re.IGNORECASE)


class MmeComponent(BaseModel):
    """One opioid of a regimen and its share of the daily MME."""

    opioid: str
    written: str = Field(description="The words of the regimen this component was read from.")
    dose_mg: float = Field(description="mg (fentanyl: mcg/hr) per administration, the most as written.")
    per_day_max: float
    per_day_min: float
    conversion_factor: float
    mme_max: float
    mme_min: float

    def arithmetic(self) -> str:
        unit = "mg"
        if self.opioid == "fentanyl":
            return f"fentanyl {_fmt(self.dose_mg)} mcg/hr × {self.conversion_factor} = {_fmt(self.mme_max)} MME/day"
        per_day = _fmt(self.per_day_max) if self.per_day_max == self.per_day_min else (
            f"{_fmt(self.per_day_min)}–{_fmt(self.per_day_max)}")
        total = _fmt(self.mme_max) if self.mme_max == self.mme_min else f"{_fmt(self.mme_min)}–{_fmt(self.mme_max)}"
        return (f"{self.opioid} {_fmt(self.dose_mg)} {unit} × {per_day}/day × {self.conversion_factor} "
                f"= {total} MME/day")


MME_INPUTS = "the opioid's dose and frequency"
"""What MME/day is computed from, in the words of 'there is no documentation of …'."""


class MmeResult(BaseModel):
    """MME/day of a regimen: the most the prescription allows, the least, and how it was computed."""

    regimen: str
    components: list[MmeComponent] = Field(default_factory=list)
    unreadable: list[str] = Field(default_factory=list, description="Opioids named without a readable dose or frequency.")
    without_frequency: list[str] = Field(default_factory=list, description="Of those, the ones whose dose was read.")

    @property
    def complete(self) -> bool:
        return bool(self.components) and not self.unreadable

    @property
    def mme_per_day(self) -> float | None:
        return round(sum(c.mme_max for c in self.components), 1) if self.complete else None

    @property
    def mme_per_day_min(self) -> float | None:
        return round(sum(c.mme_min for c in self.components), 1) if self.complete else None

    def arithmetic(self) -> str:
        parts = [c.arithmetic() for c in self.components]
        if len(parts) > 1 and self.complete:
            parts.append(f"total {_fmt(self.mme_per_day or 0)} MME/day")
        parts += [f"{name}: {'frequency' if name in self.without_frequency else 'dose or frequency'} not documented"
                  for name in self.unreadable]
        return "; ".join(parts)

    @property
    def missing(self) -> str:
        """What the record lacks for MME/day, in the words of 'there is no documentation of …': "Ultram 50mg #60"
        gives the dose, not how often it is taken."""
        if self.unreadable and all(name in self.without_frequency for name in self.unreadable):
            return "how often the opioid is taken"
        return MME_INPUTS


def _fmt(value: float) -> str:
    return f"{value:g}" if value != int(value) else str(int(value))


def _count(word: str | None) -> int | None:
    return _NUMBER_WORDS.get(word.lower()) if word else None


def _per_day(text: str) -> tuple[float, float] | None:
    """(most, least) administrations per day the words allow; None when no frequency is written."""
    at_most = _AT_MOST.search(text)
    hours = _EVERY_HOURS.search(text)
    if hours:
        shortest = int(hours.group(1))
        longest = int(hours.group(2) or hours.group(1))
        most, least = 24 / shortest, 24 / longest
    else:
        found = next((n for pattern, n in _PER_DAY_WORDS if re.search(pattern, text, re.IGNORECASE)), None)
        if found is None:
            return (float(_count(at_most.group(1)) or 0),) * 2 if at_most else None
        most = least = float(found)
    if at_most:
        most = min(most, float(_count(at_most.group(1)) or int(at_most.group(1))))
    return most, least


def _units_per_dose(text: str) -> tuple[int, int]:
    found = _UNITS_PER_DOSE.search(text)
    if not found:
        return 1, 1
    low = _count(found.group(1)) or 1
    high = _count(found.group(2)) or low
    return max(low, high), min(low, high)


def _segments(regimen: str) -> list[tuple[str, str, float | None, str]]:
    """(opioid, name as written, implied strength, text up to the next opioid name) for each opioid named."""
    matches = list(_NAME.finditer(regimen))
    segments: list[tuple[str, str, float | None, str]] = []
    for index, match in enumerate(matches):
        opioid, implied = OPIOID_NAMES[match.group(1).lower()]
        end = matches[index + 1].start() if index + 1 < len(matches) else len(regimen)
        segments.append((opioid, match.group(1), implied, regimen[match.end():end]))
    return _merge_same_opioid(segments)


def _merge_same_opioid(segments: list[tuple[str, str, float | None, str]]) -> list[tuple[str, str, float | None, str]]:
    """'Ultram (tramadol) 50 mg' names one drug twice: the brand's segment holds only the generic's name."""
    merged: list[tuple[str, str, float | None, str]] = []
    for segment in segments:
        if merged and merged[-1][0] == segment[0] and not re.search(r"\d", merged[-1][3]):
            previous = merged[-1]
            merged[-1] = (previous[0], previous[1], previous[2] or segment[2], previous[3] + segment[1] + segment[3])
        else:
            merged.append(segment)
    return merged


def _strength(opioid: str, implied: float | None, text: str) -> float | None:
    if implied is not None and not re.match(r"\s*\(?\s*" + opioid + r"\s+\d", text, re.IGNORECASE):
        return implied
    found = _STRENGTH.search(text)
    if not found or (found.group(2) is None and not re.search(r"/\s*\d", found.group(0))):
        inner = re.search(opioid + r"\s+(\d+(?:\.\d+)?)\s*mg", text, re.IGNORECASE)
        return float(inner.group(1)) if inner else implied
    return float(found.group(1))


def compute_mme(regimen: str) -> MmeResult:
    """MME/day of every opioid the regimen names, with the CDC 2022 factors; unreadable ones are listed."""
    result = MmeResult(regimen=regimen)
    for opioid, written, implied, text in _segments(regimen):
        strength = _strength(opioid, implied, text)
        if opioid == "fentanyl":
            frequency: tuple[float, float] | None = (1.0, 1.0) if strength else None
        else:
            frequency = _per_day(text)
        if strength is None or frequency is None or frequency[0] <= 0:
            result.unreadable.append(written)
            if strength is not None:
                result.without_frequency.append(written)
            continue
        units_most, units_least = (1, 1) if opioid == "fentanyl" else _units_per_dose(text)
        factor = CONVERSION_FACTORS[opioid]
        per_day_max, per_day_min = frequency[0] * units_most, frequency[1] * units_least
        result.components.append(MmeComponent(
            opioid=opioid, written=(written + text).strip(), dose_mg=strength,
            per_day_max=per_day_max, per_day_min=per_day_min, conversion_factor=factor,
            mme_max=round(strength * per_day_max * factor, 2), mme_min=round(strength * per_day_min * factor, 2)))
    return result


_DISPENSED = re.compile(r"#\s*(\d{1,4})\b|\b(?:qty|quantity)[:.]?\s*(\d{1,4})\b", re.IGNORECASE)


def dispensed_count(request: str) -> int | None:
    """The count a request dispenses ('#60', 'Qty: 90'); None when it gives none (a volume is not a count)."""
    found = _DISPENSED.search(request)
    return int(found.group(1) or found.group(2)) if found else None


def supply_gaps(request: str, regimen: str | None = None) -> list[str]:
    """What `days_supply` lacks, in words for a reviewer: the count of doses dispensed, how often they are taken."""
    gaps = [] if dispensed_count(request) is not None else ["the number of doses dispensed"]
    return gaps + ([] if _per_day(request) or _per_day(regimen or "") else ["how often the opioid is to be taken"])


def days_supply(request: str, regimen: str | None = None) -> tuple[float, float] | None:
    """(fewest, most) days the dispensed count ('#60') lasts at the frequency written in the request, else in the
    regimen the record states ('1-2 tabs every 4-6 hours' → 5 to 15 days for #60). None when the request gives no
    count, or nothing gives a frequency: the supply is then not computed, never assumed."""
    count = dispensed_count(request)
    written = next((text for text in (request, regimen or "") if _per_day(text)), None)
    if count is None or written is None:
        return None
    most_per_day, least_per_day = _per_day(written) or (0.0, 0.0)
    units_most, units_least = _units_per_dose(written)
    if most_per_day <= 0 or least_per_day <= 0 or count <= 0:
        return None
    return count / (most_per_day * units_most), count / (least_per_day * units_least)


def frequency_from_request(request: str) -> bool:
    """Whether the request itself writes how often (else `days_supply` takes the record's regimen)."""
    return bool(_per_day(request))


def supply_arithmetic(request: str, regimen: str | None = None) -> str | None:
    """'60 ÷ 4–6 a day = 10–15 days': `days_supply` written out, so a draft shows the figure a status rests on and the
    record verifier can recompute it (verification.record.check_derived_supply). None when it cannot be computed."""
    supply = days_supply(request, regimen)
    count = dispensed_count(request)
    if supply is None or count is None:
        return None
    fewest, most = supply
    return f"{count} ÷ {_span(count / most, count / fewest)} a day = {_span(round(fewest), round(most))} days"


def _span(low: float, high: float) -> str:
    low_text, high_text = f"{round(low, 1):g}", f"{round(high, 1):g}"
    return low_text if low_text == high_text else f"{low_text}–{high_text}"


def names_an_opioid(text: str) -> bool:
    return bool(_NAME.search(text))
