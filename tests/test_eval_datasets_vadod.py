"""The VA/DoD retrieval query sets: schema, the fixed tune/held-out rule, and every evidence quote on its gold page.

Reads the guideline PDFs with pypdf directly (not through the project's ingestion code), so a change to
ingestion can neither break nor fake these labels.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

import pytest

from conftest import PROJECT_ROOT, SHARED, require_shared

DATASETS = PROJECT_ROOT / "evals" / "datasets"
FILES = {
    "vadod_lbp_retrieval.jsonl": ("vadod-lbp-2022", "lbp"),
    "vadod_oa_retrieval.jsonl": ("vadod-oa-2020", "oa"),
    "vadod_sleep_retrieval.jsonl": ("vadod-sleep-2019", "sleep"),
    "vadod_lbp_more_retrieval.jsonl": ("vadod-lbp-2022", "lbp"),
    "vadod_oa_more_retrieval.jsonl": ("vadod-oa-2020", "oa"),
}
# The "more" sets (2026-12-01) continue their first set's numbering (vadod-oa-039 …) and its fixed split rule, so a
# query's split never depends on which file holds it; each is checked for at least 20 queries.
FIRST_POSITION = {"vadod_lbp_more_retrieval.jsonl": 39, "vadod_oa_more_retrieval.jsonl": 39}
FIELDS = {
    "id", "query", "guideline_id", "primary_pages", "acceptable_pages",
    "section", "strength", "evidence_quote", "split", "style",
}
STYLES = {"plain", "shorthand", "brand", "typo"}
STRENGTHS = {"Strong for", "Weak for", "Neither for nor against", "Weak against", "Strong against"}
SECTION = re.compile(r"^(Recommendation \d{1,2}|Appendix [A-Z])$")
PAGE_HEADER = re.compile(r"Page\s+(\d+)\s+of\s+(\d+)")


def load(name: str) -> list[dict]:
    lines = (DATASETS / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def squash(text: str) -> str:
    """Lower-case, one space for any whitespace run."""
    return re.sub(r"\s+", " ", text).lower().strip()


def page_variants(text: str) -> tuple[str, str]:
    """A page's text with line-break hyphenation kept ("non-\\nsteroidal" -> "non-steroidal") and removed."""
    kept = re.sub(r"(\w)-\s*\n\s*(\w)", r"\1-\2", text)
    joined = re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", text)
    return squash(kept), squash(joined)


@lru_cache(maxsize=None)
def pdf_pages(guideline_id: str) -> tuple[str, ...]:
    from pypdf import PdfReader

    path = require_shared(SHARED / "corpus" / f"{guideline_id}.pdf")
    return tuple(page.extract_text() or "" for page in PdfReader(path).pages)


def printed_page_text(guideline_id: str, printed: str) -> str:
    """Text of printed page N, checking the running header really says "Page N of M" there."""
    pages = pdf_pages(guideline_id)
    index = int(printed) - 1
    assert 0 <= index < len(pages), f"{guideline_id}: page {printed} is beyond the PDF's {len(pages)} pages"
    header = PAGE_HEADER.search(pages[index][:400])
    assert header and header.group(1) == printed, f"{guideline_id}: physical page {printed} does not print 'Page {printed} of'"
    return pages[index]


@pytest.mark.parametrize("name", sorted(FILES))
def test_schema_and_split_rule(name):
    guideline_id, prefix = FILES[name]
    rows = load(name)
    first = FIRST_POSITION.get(name, 1)
    least = 20 if name in FIRST_POSITION else 30
    assert len(rows) >= least, f"{name}: {len(rows)} queries, need at least {least}"
    ids = [row["id"] for row in rows]
    assert len(set(ids)) == len(ids), f"{name}: duplicate ids"
    for position, row in enumerate(rows, start=first):
        where = f"{name} {row.get('id')}"
        assert set(row) == FIELDS, f"{where}: fields {sorted(set(row) ^ FIELDS)} differ"
        assert row["id"] == f"vadod-{prefix}-{position:03d}", f"{where}: id out of sequence"
        assert row["guideline_id"] == guideline_id, where
        assert row["query"].strip(), where
        assert row["primary_pages"], f"{where}: no primary page"
        pages = row["primary_pages"] + row["acceptable_pages"]
        assert all(isinstance(p, str) and p.isdigit() for p in pages), f"{where}: pages must be digit strings"
        assert not set(row["primary_pages"]) & set(row["acceptable_pages"]), f"{where}: primary and acceptable overlap"
        assert SECTION.match(row["section"]), f"{where}: section {row['section']!r}"
        if row["section"].startswith("Recommendation"):
            assert row["strength"] in STRENGTHS, f"{where}: strength {row['strength']!r}"
        else:
            assert row["strength"] is None, f"{where}: an appendix has no strength"
        assert row["style"] in STYLES, f"{where}: style {row['style']!r}"
        expected_split = "tune" if position % 5 in (1, 3) else "heldout"
        assert row["split"] == expected_split, f"{where}: split must follow the fixed rule (position {position})"
        words = len(row["evidence_quote"].split())
        assert 8 <= words <= 30, f"{where}: quote has {words} words"


@pytest.mark.parametrize("name", sorted(FILES))
def test_styles_are_mixed(name):
    rows = load(name)
    counts = {style: sum(row["style"] == style for row in rows) for style in STYLES}
    assert counts["shorthand"] >= len(rows) // 4, counts
    assert counts["brand"] >= len(rows) // 8, counts
    assert counts["typo"] >= len(rows) // 8, counts


@pytest.mark.parametrize("name", sorted(FILES))
def test_evidence_quotes_are_verbatim_on_a_primary_page(name):
    guideline_id, _ = FILES[name]
    missing = []
    for row in load(name):
        quote = squash(row["evidence_quote"])
        texts = [printed_page_text(guideline_id, page) for page in row["primary_pages"]]
        if not any(quote in variant for text in texts for variant in page_variants(text)):
            missing.append(f"{row['id']} (pages {row['primary_pages']}): {row['evidence_quote'][:60]}")
    assert not missing, "quotes not found on their primary pages:\n" + "\n".join(missing)


@pytest.mark.parametrize("name", sorted(FILES))
def test_acceptable_pages_exist(name):
    guideline_id, _ = FILES[name]
    for row in load(name):
        for page in row["acceptable_pages"]:
            printed_page_text(guideline_id, page)


def test_quote_check_can_fail():
    """The matcher rejects a quote that is not on the page (so a green run means something)."""
    text = printed_page_text("vadod-lbp-2022", "49")
    assert any("we suggest duloxetine" in variant for variant in page_variants(text))
    assert not any("we suggest against duloxetine" in variant for variant in page_variants(text))


def test_hyphenation_normalisation():
    kept, joined = page_variants("non-\nsteroidal anti-\n inflammatory\n\n drugs")
    assert kept == "non-steroidal anti-inflammatory drugs"
    assert joined == "nonsteroidal antiinflammatory drugs"
