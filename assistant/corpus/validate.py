"""Checks a new guideline must pass before anything is saved: a bad title, id or heading pattern saved once would
break every later page load, search and index build for every reviewer."""

from __future__ import annotations

import re
import time

import regex

from assistant.errors import CatalogError

CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
GUIDELINE_ID = re.compile(r"[a-z0-9][a-z0-9._-]{2,62}")
MAX_LABEL_CHARS = {"title": 300, "short form": 120, "publisher": 200, "edition": 120}
MAX_PATTERN_CHARS = 300
PATTERN_BUDGET_S = 2.0
"""Seconds a heading pattern may take over all of the document's lines; a sane one needs milliseconds."""


def check_label(field: str, value: str) -> str:
    """A title, short form, publisher or edition: one line of printable text of bounded length."""
    limit = MAX_LABEL_CHARS.get(field, 300)
    bad = CONTROL_CHARACTERS.search(value or "")
    if bad:
        raise CatalogError(
            f"The {field} contains a control character ({bad.group()!r} at position {bad.start() + 1}); "
            "type it on one line without tabs, line breaks or pasted control codes."
        )
    if len(value) > limit:
        raise CatalogError(f"The {field} is {len(value)} characters; keep it under {limit}.")
    return value


def check_guideline_id(guideline_id: str) -> str:
    if not GUIDELINE_ID.fullmatch(guideline_id or ""):
        raise CatalogError(f"--id {guideline_id!r} must be 3–63 lower-case letters, digits, '.', '_' or '-'.")
    return guideline_id


def check_pattern(pattern: str, lines: list[str], what: str = "section pattern",
                  budget_s: float = PATTERN_BUDGET_S) -> str:
    """A heading or running-header regex: it must compile, hold no nested unbounded repeat such as `(a+)+`, and
    run over the document's own lines within a time budget (tried with the `regex` module's timeout)."""
    if len(pattern) > MAX_PATTERN_CHARS:
        raise CatalogError(f"The {what} is {len(pattern)} characters; keep it under {MAX_PATTERN_CHARS}.")
    if CONTROL_CHARACTERS.search(pattern):
        raise CatalogError(f"The {what} contains a control character; write \\t or \\n as escapes instead.")
    try:
        re.compile(pattern)
        compiled = regex.compile(pattern)
    except (re.error, regex.error) as exc:
        raise CatalogError(f"The {what} {pattern!r} is not a valid regular expression: {exc}.") from exc
    if has_nested_repeat(pattern):
        raise CatalogError(
            f"The {what} {pattern!r} repeats a group that itself repeats (like `(a+)+`), which can take hours on "
            "one line. Write the heading literally, e.g. `^Opioids, [a-z ]+$`."
        )
    deadline = time.monotonic() + budget_s
    for line in lines:
        remaining = deadline - time.monotonic()
        try:
            if remaining <= 0:
                raise TimeoutError
            compiled.search(line, timeout=remaining)
        except TimeoutError as exc:
            raise CatalogError(
                f"The {what} {pattern!r} took over {budget_s:.0f} s on this document's lines; "
                "simplify it (anchor it with ^ and $, avoid repeated groups)."
            ) from exc
    return pattern


def has_nested_repeat(pattern: str) -> bool:
    """Whether an unbounded repeat (*, +, {n,}) applies to a group that contains another unbounded repeat.

    Read from the parse tree of Python's own regex parser (`re._parser`, the stdlib's sre_parse), the tree the
    index build's `re` engine executes."""
    import re._parser as sre_parse  # noqa: PLC0415 — stdlib parser; no public API exposes the tree
    from re._constants import MAXREPEAT

    def walk(items, inside_repeat: bool) -> bool:
        for op, arg in items:
            name = str(op)
            if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                low, high, body = arg
                unbounded = high == MAXREPEAT or high > 1000
                if unbounded and inside_repeat:
                    return True
                if walk(body, inside_repeat or unbounded):
                    return True
            elif name == "SUBPATTERN":
                if walk(arg[-1], inside_repeat):
                    return True
            elif name == "BRANCH":
                if any(walk(branch, inside_repeat) for branch in arg[1]):
                    return True
            elif name in ("ASSERT", "ASSERT_NOT"):
                if walk(arg[1], inside_repeat):
                    return True
        return False

    return walk(sre_parse.parse(pattern), False)
