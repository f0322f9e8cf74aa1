"""The hand-labelled retrieval sets for MDD, headache and reviewer shorthand are checked against the PDFs themselves.

Independent of the project's ingestion code on purpose: pages come straight from pypdf, so a bug in
page attribution cannot make a wrong label look right.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import lru_cache

import pytest

from conftest import PROJECT_ROOT, SHARED, require_shared

DATASETS = PROJECT_ROOT / "evals" / "datasets"
FILES = {
    "vadod_mdd_retrieval.jsonl": {"vadod-mdd-2022"},
    "vadod_headache_retrieval.jsonl": {"vadod-headache-2020"},
    "reviewer_shorthand_retrieval.jsonl": {"cdc-opioids-2022", "vadod-mtbi-2021", "vadod-sud-2021"},
}
MIN_PER_GUIDELINE = {
    ("vadod_mdd_retrieval.jsonl", "vadod-mdd-2022"): 28,
    ("vadod_headache_retrieval.jsonl", "vadod-headache-2020"): 28,
    ("reviewer_shorthand_retrieval.jsonl", "cdc-opioids-2022"): 15,
    ("reviewer_shorthand_retrieval.jsonl", "vadod-mtbi-2021"): 8,
    ("reviewer_shorthand_retrieval.jsonl", "vadod-sud-2021"): 7,
}
FIELDS = {
    "id": str, "query": str, "guideline_id": str, "primary_pages": list, "acceptable_pages": list,
    "section": str, "strength": str, "evidence_quote": str, "split": str, "style": str,
}
STYLES = {"plain", "shorthand", "brand", "typo"}
VADOD_STRENGTHS = {"", "Strong for", "Weak for", "Neither for nor against", "Weak against", "Strong against"}
CDC_STRENGTH = re.compile(r"^(|Category [AB], Type [1-4])$")


def load_rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATASETS / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def all_rows() -> list[tuple[str, dict]]:
    return [(name, row) for name in FILES for row in load_rows(name)]


def printed_to_physical_offset(guideline_id: str) -> int:
    """CDC carries /PageLabels i, ii, 1 …: printed = physical − 2. VA/DoD headers print 'Page N' = physical N."""
    return 2 if guideline_id.startswith("cdc-") else 0


@lru_cache(maxsize=None)
def pdf_reader(guideline_id: str):
    from pypdf import PdfReader

    return PdfReader(str(require_shared(SHARED / "corpus" / f"{guideline_id}.pdf")))


def page_count(guideline_id: str) -> int:
    return len(pdf_reader(guideline_id).pages) - printed_to_physical_offset(guideline_id)


@lru_cache(maxsize=None)
def printed_page_text(guideline_id: str, printed: str) -> str:
    """Text of one printed page, extracted on demand (extracting every page of five PDFs takes minutes)."""
    physical_index = int(printed) - 1 + printed_to_physical_offset(guideline_id)
    return pdf_reader(guideline_id).pages[physical_index].extract_text() or ""


def normalised_variants(text: str) -> tuple[str, str]:
    """Whitespace collapsed, lower-cased; a line-break hyphen either kept ('clinician-guided') or joined ('treatment')."""
    kept = re.sub(r"-\s*\n\s*", "-", text)
    joined = re.sub(r"-\s*\n\s*", "", text)
    return tuple(re.sub(r"\s+", " ", t).strip().lower() for t in (kept, joined))


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


@pytest.mark.parametrize("name", sorted(FILES))
def test_schema_split_and_style(name):
    rows = load_rows(name)
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)), f"{name}: duplicate ids"
    for row in rows:
        assert set(row) == set(FIELDS), f"{row['id']}: fields {sorted(row)}"
        for field, kind in FIELDS.items():
            assert isinstance(row[field], kind), f"{row['id']}: {field} should be {kind.__name__}"
        assert row["guideline_id"] in FILES[name], f"{row['id']}: guideline {row['guideline_id']} not in {name}"
        assert row["primary_pages"], f"{row['id']}: no primary page"
        assert all(isinstance(p, str) and p.isdigit() for p in row["primary_pages"] + row["acceptable_pages"])
        assert not set(row["primary_pages"]) & set(row["acceptable_pages"]), f"{row['id']}: primary and acceptable overlap"
        assert row["style"] in STYLES and row["split"] in {"tune", "heldout"}
        number = int(row["id"].rsplit("-", 1)[1])
        assert row["split"] == ("tune" if number % 5 in (1, 3) else "heldout"), f"{row['id']}: split breaks the fixed rule"
        assert 8 <= len(row["evidence_quote"].split()) <= 30, f"{row['id']}: quote should be 8-30 words"
        if row["guideline_id"].startswith("cdc-"):
            assert CDC_STRENGTH.match(row["strength"]), f"{row['id']}: CDC strength {row['strength']!r}"
        else:
            assert row["strength"] in VADOD_STRENGTHS, f"{row['id']}: strength {row['strength']!r}"
        if row["section"].startswith("Recommendation"):
            assert re.fullmatch(r"Recommendation \d+", row["section"]) and row["strength"], row["id"]


def test_counts_per_guideline_and_style_mix():
    counts = Counter((name, row["guideline_id"]) for name, row in all_rows())
    for key, minimum in MIN_PER_GUIDELINE.items():
        assert counts[key] >= minimum, f"{key}: {counts[key]} queries, need {minimum}"
    for name in FILES:
        rows = load_rows(name)
        styles = Counter(r["style"] for r in rows)
        assert styles["shorthand"] >= len(rows) / 4, f"{name}: too few shorthand queries {styles}"
        assert styles["brand"] >= len(rows) / 8 and styles["typo"] >= len(rows) / 8, f"{name}: {styles}"
        tune = sum(r["split"] == "tune" for r in rows) / len(rows)
        assert 0.3 <= tune <= 0.5, f"{name}: tune share {tune:.2f}"


@pytest.mark.parametrize(("name", "row"), all_rows(), ids=lambda v: v["id"] if isinstance(v, dict) else v)
def test_evidence_quote_is_verbatim_on_a_primary_page(name, row):
    for page in row["primary_pages"] + row["acceptable_pages"]:
        assert 1 <= int(page) <= page_count(row["guideline_id"]), f"{row['id']}: no printed page {page}"
    quote = squash(row["evidence_quote"])
    found = any(
        quote in variant
        for page in row["primary_pages"]
        for variant in normalised_variants(printed_page_text(row["guideline_id"], page))
    )
    assert found, f"{row['id']}: quote not found on primary pages {row['primary_pages']} of {row['guideline_id']}"


def test_quote_check_can_fail():
    """A quote moved to the wrong page must not pass: the MDD ECT statement is on printed page 52, not 26."""
    quote = squash("We recommend offering electroconvulsive therapy (ECT) with or without psychotherapy")
    assert any(quote in v for v in normalised_variants(printed_page_text("vadod-mdd-2022", "52")))
    assert not any(quote in v for v in normalised_variants(printed_page_text("vadod-mdd-2022", "26")))


def test_vadod_header_page_numbers_match_labelled_pages():
    """The VA/DoD convention (printed N = physical N) holds on every page these sets label."""
    labelled = {(r["guideline_id"], p) for _, r in all_rows() for p in r["primary_pages"] + r["acceptable_pages"]}
    for guideline_id, printed in sorted(labelled):
        if guideline_id.startswith("cdc-"):
            continue
        match = re.search(r"Page\s*(\d+)\s*of\s*\d+", printed_page_text(guideline_id, printed))
        assert match, f"{guideline_id} page {printed}: no running header"
        assert match.group(1) == printed, f"{guideline_id}: header says {match.group(1)} on page {printed}"


def test_cdc_printed_pages_follow_page_labels():
    """Printed page = physical − 2 for CDC, and every CDC page these sets label is a real label."""
    reader = pdf_reader("cdc-opioids-2022")
    offset = printed_to_physical_offset("cdc-opioids-2022")
    labelled = {p for _, r in all_rows() if r["guideline_id"] == "cdc-opioids-2022" for p in r["primary_pages"] + r["acceptable_pages"]}
    for printed in labelled:
        assert reader.page_labels[int(printed) - 1 + offset] == printed
