"""Whether a sentence says the patient is working or off work, so a claim that reverses the record's is caught.

Why: "The injured worker is currently off work." was verified by "The injured worker is currently working with
modified duties." (second QA reading, CM16-0244053): the two share every content word but the status, and "off" is
no content word. Work status decides a rationale's functional-improvement criterion, so the two readings are
compared as facts.
"""

from __future__ import annotations

import re

OFF_WORK = re.compile(
    r"\b(?:off work|off of work|not (?:currently |presently )?working|(?:is|was|remains?|remained) (?:currently |still )?off\b|"
    r"temporarily totally disabled|TTD|totally disabled|unable to work|not (?:yet )?(?:returned|back) to work)\b",
    re.IGNORECASE)
WORKING = re.compile(
    r"\b(?:(?:is|are|was|were|remains?|remained) (?:currently |now |still |presently )?working|"
    r"working (?:with |on )?(?:modified|full|light|regular|restricted|part|usual)|"
    r"(?:modified|full|light|regular|restricted|usual) (?:work|dut(?:y|ies))|(?:has )?returned to (?:work|full duty))\b",
    re.IGNORECASE)


def work_status(text: str) -> str | None:
    """'off' or 'working' when the text says one and not the other; None otherwise."""
    off, working = bool(OFF_WORK.search(text)), bool(WORKING.search(text))
    if off == working:
        return None
    return "off" if off else "working"


def reversed_work_status(claim: str, record_text: str) -> tuple[str, str] | None:
    """(the claim's status, the record's) when the record sentence states the other one."""
    said, recorded = work_status(claim), work_status(record_text)
    return (said, recorded) if said and recorded and said != recorded else None
