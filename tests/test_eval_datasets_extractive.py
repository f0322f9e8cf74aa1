"""The extractive question set: every answer span is really on its page, and only there.

Reads the guideline PDFs with pypdf directly, independent of the project's ingestion code, so a
bug in ingestion cannot hide a labelling error (or the other way round).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import pytest

from conftest import PROJECT_ROOT, SHARED, require_shared

DATASET = PROJECT_ROOT / "evals" / "datasets" / "extractive_questions.jsonl"
PDFS = {
    "cdc-opioids-2022": SHARED / "corpus" / "cdc-opioids-2022.pdf",
    "vadod-lbp-2022": SHARED / "corpus" / "vadod-lbp-2022.pdf",
}
FIELDS = {
    "id", "query", "guideline_id", "answer_span", "primary_pages",
    "acceptable_pages", "section", "split", "style",
}
ID_PATTERN = re.compile(r"^ext-(cdc|lbp)-\d{3}$")
ID_PREFIX = {"cdc-opioids-2022": "ext-cdc-", "vadod-lbp-2022": "ext-lbp-"}
LINE_BREAK_HYPHEN = re.compile(r"-[ \t]*\n\s*")


def load_questions() -> list[dict]:
    with DATASET.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def page_variants(text: str) -> tuple[str, str]:
    """A hyphen at a line break may be a real hyphen ("long-term") or a soft one ("opi-oid"): try both."""
    return (
        collapse(LINE_BREAK_HYPHEN.sub("-", text)),
        collapse(LINE_BREAK_HYPHEN.sub("", text)),
    )


@lru_cache(maxsize=None)
def printed_pages(guideline_id: str) -> dict[str, tuple[str, str]]:
    """Printed page label -> normalised page text. CDC uses /PageLabels; VA/DoD prints 'Page N of M'."""
    from pypdf import PdfReader

    reader = PdfReader(require_shared(PDFS[guideline_id]))
    labels = reader.page_labels
    pages = {}
    for index, page in enumerate(reader.pages):
        label = labels[index] if guideline_id == "cdc-opioids-2022" else str(index + 1)
        pages[label] = page_variants(page.extract_text() or "")
    return pages


def pages_containing(guideline_id: str, span: str) -> set[str]:
    needle = collapse(span)
    return {label for label, variants in printed_pages(guideline_id).items() if any(needle in v for v in variants)}


QUESTIONS = load_questions()


def test_schema_and_counts():
    ids = [q["id"] for q in QUESTIONS]
    assert len(ids) == len(set(ids)), "duplicate ids"
    per_guideline = {g: [q for q in QUESTIONS if q["guideline_id"] == g] for g in PDFS}
    assert len(QUESTIONS) >= 110
    for guideline_id, rows in per_guideline.items():
        assert len(rows) >= 55, f"{guideline_id}: only {len(rows)} questions"
    for q in QUESTIONS:
        assert set(q) == FIELDS, f"{q.get('id')}: fields {sorted(set(q) ^ FIELDS)}"
        assert ID_PATTERN.match(q["id"]) and q["id"].startswith(ID_PREFIX[q["guideline_id"]]), q["id"]
        assert q["style"] == "extractive"
        assert q["split"] in {"tune", "heldout"}
        assert isinstance(q["query"], str) and q["query"].strip()
        assert isinstance(q["section"], str) and q["section"].strip()
        words = q["answer_span"].split()
        assert 5 <= len(words) <= 40, f"{q['id']}: span has {len(words)} words"
        assert isinstance(q["primary_pages"], list) and len(q["primary_pages"]) == 1, q["id"]
        assert isinstance(q["acceptable_pages"], list), q["id"]
        assert all(isinstance(p, str) for p in q["primary_pages"] + q["acceptable_pages"]), q["id"]
        assert not set(q["primary_pages"]) & set(q["acceptable_pages"]), q["id"]
        assert len(set(q["acceptable_pages"])) == len(q["acceptable_pages"]), q["id"]


def test_split_follows_the_fixed_rule():
    """tune when the id's number mod 5 is 1 or 3 (about 40 %), else heldout; assigned before any tuning."""
    for q in QUESTIONS:
        number = int(q["id"].rsplit("-", 1)[1])
        assert q["split"] == ("tune" if number % 5 in (1, 3) else "heldout"), q["id"]
    tune_share = sum(q["split"] == "tune" for q in QUESTIONS) / len(QUESTIONS)
    assert 0.35 <= tune_share <= 0.45


def test_queries_do_not_copy_the_span():
    """A question may share a few words with its answer, never a run of six or more."""
    def tokens(text: str) -> list[str]:
        return re.findall(r"[a-z0-9]+", text.lower())

    for q in QUESTIONS:
        span = " ".join(tokens(q["answer_span"]))
        words = tokens(q["query"])
        copied = [" ".join(words[i : i + 6]) for i in range(len(words) - 5) if " ".join(words[i : i + 6]) in span]
        assert not copied, f"{q['id']}: query copies {copied[0]!r}"


@pytest.mark.parametrize("question", QUESTIONS, ids=[q["id"] for q in QUESTIONS])
def test_span_is_on_its_pages_and_nowhere_else(question):
    guideline_id = question["guideline_id"]
    labels = printed_pages(guideline_id)
    listed = set(question["primary_pages"]) | set(question["acceptable_pages"])
    unknown = listed - set(labels)
    assert not unknown, f"{question['id']}: not printed pages of {guideline_id}: {sorted(unknown)}"
    found = pages_containing(guideline_id, question["answer_span"])
    primary = question["primary_pages"][0]
    assert primary in found, f"{question['id']}: span not on primary page {primary} (found on {sorted(found)})"
    missing = set(question["acceptable_pages"]) - found
    assert not missing, f"{question['id']}: span not on acceptable pages {sorted(missing)}"
    unlisted = found - listed
    assert not unlisted, f"{question['id']}: span also on unlisted pages {sorted(unlisted)}"
