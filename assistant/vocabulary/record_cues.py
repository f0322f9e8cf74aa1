"""Record sentences that mention a treatment without documenting it: plans, requests and review decisions.

Why here: the criteria fact extractors skip them (a planned MRI is not a prior MRI), and the record verifier must
agree — "there is no documentation of prior physical therapy" is not contradicted by "the treatment plan included
physical therapy" or by "utilization review determined physical therapy was not medically necessary". One
definition for both keeps the checklist and the verifier from disagreeing about the same sentence.
"""

from __future__ import annotations

import re

UR_SENTENCE = re.compile(
    r"\b(utilization review|prior review|previous review|peer review|\bUR\b|non-?certif\w*|was denied|were denied|"
    r"denied (?:due|because|as)|was modified|modified the request|Request for Authorization|IMR|claims administrator|"
    r"(?:was|were|been|being) (?:authori[sz]ed|certified|approved))\b", re.IGNORECASE)
"""A review's decision or account (utilization review, claims administrator, IMR), not the treating record."""
PLAN_SENTENCE = re.compile(
    r"\b(treatment plan|plan (?:included|includes|was|is)|recommended|requested|request for|will (?:be|undergo)|"
    r"would|pending|referr\w+ (?:for|to)|intent on|pursu(?:e|ing|it)|proposed)\b", re.IGNORECASE)
"""What is planned or asked for, not what was done."""
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
          "december")
RECORD_DATE = re.compile(r"\b(\d{1,2})[-/] ?(\d{1,2})[-/] ?(\d{2,4})\b|\b(" + "|".join(m.capitalize() for m in MONTHS)
                         + r")\s+(\d{1,2}),\s+(\d{4})\b")
"""A date as letters write it: 11-04-2016, 11/4/16, November 4, 2016 — and "11-4- 16", where the PDF's line break
left a space after a separator (9 such dates in the 63 dev letters; read as no date, they made an interval of
weeks look like zero days)."""


def mentions_without_documenting(sentence: str) -> bool:
    """A plan, a request or a review's account of it: names a treatment without saying it took place (sessions
    'authorized' by the claims administrator are not sessions received — the checklist reads them the same way)."""
    return bool(PLAN_SENTENCE.search(sentence) or UR_SENTENCE.search(sentence))
