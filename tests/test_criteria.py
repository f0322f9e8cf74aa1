"""Criteria files: the shipped sets load with every quote on its printed page; broken files are refused by name."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from assistant.contracts import GuidelinePage, PrintedPageSource
from assistant.criteria import (
    CriteriaSet,
    GuidelinePages,
    ItemCategory,
    RecordFact,
    check_criteria_file,
    load_criteria_dir,
    load_criteria_file,
    parse_criteria_file,
)
from assistant.criteria.load import BUNDLED_CRITERIA_DIR
from assistant.errors import CriteriaError
from conftest import SHARED, make_settings, require_shared

SHIPPED = {
    "cdc-opioids-2022": 2,  # printed page = physical page − 2 (PDF page labels i, ii, 1 …)
    "vadod-lbp-2022": 0,  # running header "Page N of M": N = physical page
    "vadod-oa-2020": 0,
    "vadod-sleep-2019": 0,
}


@lru_cache(maxsize=None)
def pypdf_pages(guideline_id: str) -> GuidelinePages:
    """Page text straight from the PDF with pypdf, labelled by the guideline's printed-page convention."""
    from pypdf import PdfReader

    pdf = require_shared(SHARED / "corpus" / f"{guideline_id}.pdf")
    offset = SHIPPED[guideline_id]
    pages = [
        GuidelinePage(guideline_id=guideline_id, physical_page=n, printed_page=str(n - offset),
                      printed_page_source=PrintedPageSource.physical_index, text=page.extract_text() or "")
        for n, page in enumerate(PdfReader(pdf).pages, start=1)
    ]
    return GuidelinePages.from_pages(pages)


def shipped_file(guideline_id: str) -> Path:
    return BUNDLED_CRITERIA_DIR / f"{guideline_id}.toml"


@pytest.mark.parametrize("guideline_id", sorted(SHIPPED))
def test_shipped_set_loads_with_every_quote_on_its_page(guideline_id):
    criteria = load_criteria_file(shipped_file(guideline_id), pypdf_pages(guideline_id))
    assert criteria.guideline_id == guideline_id
    assert len(criteria.topics) >= 4
    for topic in criteria.topics:
        assert 1 <= len(topic.criteria) <= 5, topic.id
    for criterion in criteria.criteria:
        assert 8 <= len(criterion.guideline_quote.split()) <= 40, criterion.id


@pytest.mark.parametrize("guideline_id", sorted(SHIPPED))
def test_shipped_questions_ask_about_the_record_not_restate_the_guideline(guideline_id):
    """A question is printed in the case move next to record quotes; what the guideline says belongs in its
    guideline_quote, cited with its page. A question that says "the guideline recommends …" would be an uncited
    guideline statement in every draft."""
    from assistant.verification.verify import REQUIREMENT

    criteria = parse_criteria_file(shipped_file(guideline_id))
    stating = [c.id for c in criteria.criteria if REQUIREMENT.search(c.question)]
    assert stating == [], f"questions that state a guideline requirement: {stating}"


def test_cdc_set_loads_against_ingested_pages(cdc_ingested):
    """The same file verifies against the ingestion stage's pages (printed labels from the PDF)."""
    pages = GuidelinePages.from_pages(cdc_ingested.pages)
    criteria = load_criteria_file(shipped_file("cdc-opioids-2022"), pages)
    assert len(criteria.criteria) >= 25
    # The set covers each situation the issue asks for.
    topics = {t.id for t in criteria.topics}
    assert {"acute-pain", "initiating-subacute-chronic", "continuing-long-term", "dosage-50-90-mme", "er-la-opioids",
            "benzodiazepine-coprescription", "urine-drug-testing", "pdmp-cures", "risk-and-naloxone", "tapering"} <= topics


@pytest.mark.slow
def test_check_criteria_file_on_the_built_index(cdc_settings):
    report = check_criteria_file(shipped_file("cdc-opioids-2022"), cdc_settings)
    assert report.ok, report.summary()
    assert report.verified_quotes == report.criteria >= 25


@pytest.mark.slow
def test_criteria_check_command_passes_the_shipped_file_and_names_a_moved_quote(cdc_settings, tmp_path, capsys):
    """`assistant criteria check FILE`: exit 0 and the counts for a good file; exit 1 naming the criterion otherwise."""
    from assistant.cli import main

    home = ["--home", str(cdc_settings.home)]
    assert main([*home, "criteria", "check", str(shipped_file("cdc-opioids-2022"))]) == 0
    assert "✔" in capsys.readouterr().out
    text = shipped_file("cdc-opioids-2022").read_text(encoding="utf-8")
    first_page = text.split('page = "', 1)[1].split('"', 1)[0]
    moved = tmp_path / "cdc-opioids-2022.toml"
    moved.write_text(text.replace(f'page = "{first_page}"', 'page = "3"', 1), encoding="utf-8")
    assert main([*home, "criteria", "check", str(moved), "--json"]) == 1
    reports = __import__("json").loads(capsys.readouterr().out)
    assert reports[0]["ok"] is False and any("p. 3" in p or "page 3" in p for p in reports[0]["problems"])
    # A VA/DoD set cannot be checked against an index that lacks its guideline, and says so.
    indexed = GuidelinePages.from_index(cdc_settings)
    if not indexed.has("vadod-lbp-2022"):
        lbp = check_criteria_file(shipped_file("vadod-lbp-2022"), cdc_settings)
        assert not lbp.ok and "not indexed" in lbp.problems[0]


def test_load_criteria_dir_loads_only_indexed_guidelines():
    sets = load_criteria_dir(pypdf_pages("vadod-oa-2020"))
    assert list(sets) == ["vadod-oa-2020"]


def moved(tmp_path: Path, criterion_id: str, old_page: str, new_page: str) -> Path:
    text = shipped_file("cdc-opioids-2022").read_text(encoding="utf-8")
    anchor = f'id = "{criterion_id}"'
    head, tail = text.split(anchor, 1)
    tail = tail.replace(f'page = "{old_page}"', f'page = "{new_page}"', 1)
    target = tmp_path / "cdc-opioids-2022.toml"
    target.write_text(head + anchor + tail, encoding="utf-8")
    return target


def test_quote_on_the_wrong_page_refuses_to_load_naming_it(tmp_path):
    path = moved(tmp_path, "cdc-pdmp-review", "48", "47")
    with pytest.raises(CriteriaError) as caught:
        load_criteria_file(path, pypdf_pages("cdc-opioids-2022"))
    message = str(caught.value)
    assert "cdc-opioids-2022.toml" in message and "'cdc-pdmp-review'" in message
    assert "not on page 47" in message and '"When prescribing initial opioid therapy for acute' in message
    assert "It is on page 12, 48." in message  # the recommendation statement, and its restatement in the summary
    assert message.count("criterion '") == 1  # only the moved one


def test_quote_found_nowhere_and_page_beyond_the_document(tmp_path):
    path = moved(tmp_path, "cdc-taper-rate", "33", "999")
    text = path.read_text(encoding="utf-8").replace("tapers of 10% per month or slower", "tapers of 25% per week", 1)
    path.write_text(text, encoding="utf-8")
    report = check_criteria_file(path, make_settings(tmp_path / "home"), pages=pypdf_pages("cdc-opioids-2022"))
    assert not report.ok
    assert report.verified_quotes == report.criteria - 1
    assert "'cdc-taper-rate'" in report.problems[0] and "page 999, which cdc-opioids-2022 does not have" in report.problems[0]


def test_check_report_counts_a_good_file(tmp_path):
    report = check_criteria_file(shipped_file("vadod-sleep-2019"), make_settings(tmp_path / "home"),
                                 pages=pypdf_pages("vadod-sleep-2019"))
    assert report.ok, report.summary()
    assert report.criteria == report.verified_quotes == len(parse_criteria_file(shipped_file("vadod-sleep-2019")).criteria)
    assert not report.notes  # every shipped criterion says what the record lacks


def test_check_report_advises_a_missing_phrase_without_refusing_the_file(tmp_path):
    text = shipped_file("vadod-sleep-2019").read_text(encoding="utf-8")
    path = tmp_path / "vadod-sleep-2019.toml"
    path.write_text(text.replace('missing = "cognitive behavioral therapy for insomnia (CBT-I)"\n', "", 1), encoding="utf-8")
    report = check_criteria_file(path, make_settings(tmp_path / "home"), pages=pypdf_pages("vadod-sleep-2019"))
    assert report.ok and len(report.notes) == 1 and "'sleep-cbt-i-offered' has no `missing` phrase" in report.notes[0]
    assert "• criterion 'sleep-cbt-i-offered'" in report.summary()


MINIMAL = '''
guideline_id = "cdc-opioids-2022"

[[topic]]
id = "pdmp"
title = "PDMP"
applies_to = ["{category}"]

[[topic.criterion]]
id = "pdmp-checked"
question = "Was the PDMP checked before prescribing?"
guideline_quote = "At a minimum, during long-term opioid therapy, PDMP data should be reviewed before an initial opioid prescription"
page = "48"
requirement = "required"
record_facts = ["{fact}"]
met_when = "A dated CURES check."
not_met_when = "None documented."
'''


def write_minimal(tmp_path: Path, category: str = "opioid", fact: str = "pdmp_check", extra: str = "") -> Path:
    path = tmp_path / "cdc-opioids-2022.toml"
    path.write_text(MINIMAL.format(category=category, fact=fact) + extra, encoding="utf-8")
    return path


def test_minimal_file_parses_and_verifies(tmp_path):
    criteria = parse_criteria_file(write_minimal(tmp_path))
    assert isinstance(criteria, CriteriaSet)
    (topic, criterion), = criteria.for_category("opioid")
    assert criterion.record_facts == [RecordFact.pdmp_check] and topic.categories_of(criterion) == [ItemCategory.opioid]
    assert criteria.for_category("imaging") == []
    load_criteria_file(write_minimal(tmp_path), pypdf_pages("cdc-opioids-2022"))


def test_malformed_toml_names_the_file_and_line(tmp_path):
    path = write_minimal(tmp_path, extra='\n[[topic.criterion]\nid = "broken"\n')
    with pytest.raises(CriteriaError, match=r"cdc-opioids-2022\.toml: not valid TOML .*line \d+"):
        parse_criteria_file(path)


def test_unknown_record_fact_is_named_with_the_known_ones(tmp_path):
    with pytest.raises(CriteriaError) as caught:
        parse_criteria_file(write_minimal(tmp_path, fact="cures_checked"))
    message = str(caught.value)
    assert "criterion 'pdmp-checked'" in message and "unknown record fact 'cures_checked'" in message
    assert "pdmp_check" in message  # the reviewer sees what to use instead


def test_unknown_category_is_named(tmp_path):
    with pytest.raises(CriteriaError, match=r"topic 'pdmp'.*unknown item category 'opioids'"):
        parse_criteria_file(write_minimal(tmp_path, category="opioids"))


def test_missing_field_and_duplicate_id_are_refused(tmp_path):
    path = write_minimal(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace('requirement = "required"\n', ""), encoding="utf-8")
    with pytest.raises(CriteriaError, match=r"criterion 'pdmp-checked'.*requirement"):
        parse_criteria_file(path)
    duplicate = MINIMAL.format(category="opioid", fact="pdmp_check")
    path.write_text(duplicate + duplicate[duplicate.index("[[topic.criterion]]"):], encoding="utf-8")
    with pytest.raises(CriteriaError, match="used twice"):
        parse_criteria_file(path)


def test_unreadable_file_is_a_criteria_error(tmp_path):
    with pytest.raises(CriteriaError, match="cannot read"):
        parse_criteria_file(tmp_path / "missing.toml")


def test_item_categories_include_every_drafting_category():
    """Criteria name items with the drafting stage's category names, so the two cannot drift apart."""
    from assistant.vocabulary.categories import CATEGORIES

    assert {c.name for c in CATEGORIES} <= {c.value for c in ItemCategory}


# ---- the labelled eval sets: well-formed, tied to the shipped criteria, and read from the real documents

DATASETS = Path(__file__).resolve().parents[1] / "evals" / "datasets"
STATUSES = {"met", "not_met", "not_documented", "not_applicable"}


def read_jsonl(name: str) -> list[dict]:
    import json

    return [json.loads(line) for line in (DATASETS / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def shipped_criteria() -> dict[str, tuple[str, list[ItemCategory]]]:
    found = {}
    for path in sorted(BUNDLED_CRITERIA_DIR.glob("*.toml")):
        criteria = parse_criteria_file(path)
        for topic in criteria.topics:
            for criterion in topic.criteria:
                found[criterion.id] = (criteria.guideline_id, topic.categories_of(criterion))
    return found


def test_criteria_labels_name_shipped_criteria_and_follow_the_split_rule():
    import hashlib

    rows, known = read_jsonl("criteria_labels.jsonl"), shipped_criteria()
    assert len(rows) >= 40 and len({(r["letter"], r["item"]) for r in rows}) == len(rows)
    assert sum(r["category"] == "opioid" for r in rows) >= 4
    for row in rows:
        expected = "tune" if hashlib.sha256(row["letter"].encode()).hexdigest()[0] in "012345" else "heldout"
        assert row["split"] == expected, row["letter"]
        assert row["decision"] in {"Upheld", "Overturned"} and row["criteria"] and row["batch"] in (1, 2)
        assert ItemCategory(row["category"])
        for label in row["criteria"]:
            guideline_id, _categories = known[label["criterion"]]
            assert label["guideline_id"] == guideline_id and label["status"] in STATUSES
            assert len(label["evidence"].split()) >= 4
    splits = {r["split"] for r in rows}
    assert splits == {"tune", "heldout"}


def test_criteria_label_snippets_are_verbatim_in_their_letters():
    from pypdf import PdfReader

    from assistant.verification.textmatch import quote_occurs

    letters = require_shared(SHARED / "imr-letters" / "dev")
    texts: dict[str, str] = {}
    for row in read_jsonl("criteria_labels.jsonl"):
        if row["letter"] not in texts:
            texts[row["letter"]] = "\n".join(p.extract_text() or "" for p in PdfReader(letters / row["letter"]).pages)
        assert quote_occurs(row["request"], texts[row["letter"]]), (row["letter"], row["item"])
        for label in row["criteria"]:
            assert quote_occurs(label["evidence"], texts[row["letter"]]), (row["letter"], row["item"], label["criterion"])


def test_mme_cases_use_the_conversion_factors_printed_on_the_cdc_table_page():
    """Each factor is checked against the Table's own text (printed page 31), and each total against its parts."""
    import re

    from assistant.corpus.pages import normalise_characters

    table = pypdf_pages("cdc-opioids-2022").page("cdc-opioids-2022", "31")
    assert table is not None and "Conversion factor" in table.text
    printed = {}
    for line in normalise_characters(table.text).splitlines():
        match = re.match(r"^([A-Z][a-z]+(?: transdermal \(in mcg/hr\))?)\W*\s+(\d+\.\d+)\s*$", line.strip())
        if match:
            printed[match.group(1).split(" (")[0].lower()] = float(match.group(2))
    assert len(printed) == 10, printed
    cases = read_jsonl("mme_cases.jsonl")
    assert len(cases) >= 8
    for case in cases:
        assert case["conversion_table"] == {"guideline_id": "cdc-opioids-2022", "printed_page": "31"}
        total = 0.0
        for part in case["components"]:
            assert part["conversion_factor"] == printed[part["opioid"]], case["id"]
            assert part["mme_per_day"] == pytest.approx(part["dose_per_administration"] * part["administrations_per_day"] * part["conversion_factor"])
            total += part["mme_per_day"]
        assert case["expected_mme_per_day"] == pytest.approx(total), case["id"]
