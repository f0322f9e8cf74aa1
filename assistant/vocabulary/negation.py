"""Is a finding in a record asserted, negated, uncertain or historical? medspaCy's ConText decides.

ConText (Chapman et al.; medspaCy's implementation and rule set) scopes trigger phrases such as "denies",
"no evidence of", "possible" and "history of" over the sentence. A few record phrasings ConText's default rules
miss ("was not tried", "was not provided") are added as rules below. medspaCy is an optional dependency
(`pip install .[negation]`, see pyproject.toml); the record verifier and the criteria fact extractors use it,
each with cue rules as the fallback when it is not installed.
"""

from __future__ import annotations

import functools
import re
from typing import Literal

from pydantic import BaseModel

from assistant.errors import ConfigurationError

Status = Literal["present", "negated", "uncertain", "historical", "hypothetical"]

# (phrase, ConText category, direction): record phrasings the default rule set does not cover.
EXTRA_RULES = [
    ("was not tried", "NEGATED_EXISTENCE", "BACKWARD"),
    ("were not tried", "NEGATED_EXISTENCE", "BACKWARD"),
    ("has not been tried", "NEGATED_EXISTENCE", "BACKWARD"),
    ("was not provided", "NEGATED_EXISTENCE", "BACKWARD"),
    ("were not provided", "NEGATED_EXISTENCE", "BACKWARD"),
    ("not documented", "NEGATED_EXISTENCE", "BACKWARD"),
    ("no documentation of", "NEGATED_EXISTENCE", "FORWARD"),
    ("no trial of", "NEGATED_EXISTENCE", "FORWARD"),
    ("never tried", "NEGATED_EXISTENCE", "FORWARD"),
    ("inability to", "NEGATED_EXISTENCE", "FORWARD"),  # "inability to perform heel to toe walk" (CM17-0016311)
    ("unable to", "NEGATED_EXISTENCE", "FORWARD"),
]


class Assertion(BaseModel):
    start: int
    end: int
    surface: str
    status: Status
    trigger: str = ""
    """The ConText trigger phrase that set the status ("" when present)."""


@functools.cache
def _pipeline():
    """A blank spaCy English pipeline with a sentencizer and medspaCy ConText; no model download."""
    try:
        import medspacy  # noqa: F401  (registers the medspacy_context factory)
        import spacy
        from medspacy.context import ConTextRule
    except ImportError as error:
        raise ConfigurationError(
            f"Negation needs medspaCy ({error}). Install it with `pip install medspacy` then "
            '`pip install "spacy>=3.8,<3.9" "numpy>=2"` (see pyproject.toml, extra "negation").') from error
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    context = nlp.add_pipe("medspacy_context")
    context.add([ConTextRule(phrase, category, direction=direction) for phrase, category, direction in EXTRA_RULES])
    return nlp


def _status(span) -> tuple[Status, str]:
    for flag, status, category in (("is_negated", "negated", "NEGATED_EXISTENCE"),
                                   ("is_uncertain", "uncertain", "POSSIBLE_EXISTENCE"),
                                   ("is_hypothetical", "hypothetical", "HYPOTHETICAL"), ("is_historical", "historical", "HISTORICAL")):
        if getattr(span._, flag):
            modifiers = [m for m in span._.modifiers if m.category == category]
            trigger = span.doc[modifiers[0].modifier_span[0]:modifiers[0].modifier_span[1]].text if modifiers else ""
            return status, trigger
    return "present", ""


def assertions(text: str, targets: list[str]) -> list[Assertion]:
    """The status of every whole-word, case-insensitive occurrence of each target phrase in `text`."""
    nlp = _pipeline()
    doc = nlp.make_doc(text)
    spans, taken = [], set()
    for target in sorted(set(targets), key=len, reverse=True):
        for match in re.finditer(rf"(?<!\w){re.escape(target)}(?!\w)", text, re.IGNORECASE):
            span = doc.char_span(match.start(), match.end(), label="TARGET", alignment_mode="expand")
            if span is not None and not taken & set(range(span.start, span.end)):
                taken |= set(range(span.start, span.end))
                spans.append(span)
    doc.ents = sorted(spans, key=lambda s: s.start)
    for _, component in nlp.pipeline:
        doc = component(doc)
    found = []
    for span in doc.ents:
        status, trigger = _status(span)
        found.append(Assertion(start=span.start_char, end=span.end_char, surface=span.text, status=status, trigger=trigger))
    return found


def assertions_if_available(text: str, targets: list[str]) -> list[Assertion] | None:
    """`assertions`, or None when medSpaCy is not installed (callers then use their fallback cue rules)."""
    try:
        return assertions(text, targets)
    except ConfigurationError:
        return None


def assertion(text: str, target: str) -> Status:
    """The status of the first occurrence of `target` in `text`; raises ValueError when it does not occur."""
    found = assertions(text, [target])
    if not found:
        raise ValueError(f"{target!r} does not occur in the text")
    return found[0].status
