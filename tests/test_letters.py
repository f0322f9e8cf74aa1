"""Parsing real IMR determination letters (read from ../shared, never copied into the project)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.errors import CaseInputError
from assistant.letters.parse import (
    completeness_figures,
    parse_guideline_line,
    parse_letter_file,
    parse_letter_text,
    strip_decisions,
)
from assistant.letters.records import ImportedLetter

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "imr-letters"
DEV = SHARED / "dev"
SEED = SHARED / "seed-2014-cbt.txt"

needs_letters = pytest.mark.skipif(
    not DEV.is_dir() or not any(DEV.glob("*.pdf")),
    reason=f"IMR letters not found at {DEV} (they live in the shared folder beside the project, not in it)",
)
needs_seed = pytest.mark.skipif(not SEED.is_file(), reason=f"seed letter not found at {SEED}")


@lru_cache(maxsize=1)
def _all_letters() -> tuple[ImportedLetter, ...]:
    return tuple(parse_letter_file(path) for path in sorted(DEV.glob("*.pdf")))


def _letter(name: str) -> ImportedLetter:
    return next(letter for letter in _all_letters() if letter.source_name == name)


@lru_cache(maxsize=4)
def _text(name: str) -> str:
    from assistant.corpus.pdf_text import read_pdf_text

    return read_pdf_text(DEV / name)


# ---------------------------------------------------------------------------------------------- the dev set


@needs_letters
def test_all_dev_letters_parse_and_items_are_complete() -> None:
    letters = _all_letters()
    figures = completeness_figures(letters)
    summary = {k: figures[k] for k in ("letters", "items", "complete", "complete_rate", "upheld", "overturned")}
    print("\nIMR letter completeness:", json.dumps(summary), "incomplete:", figures["incomplete"])
    assert figures["letters"] == 63
    assert figures["letters_without_items"] == []
    assert figures["complete_rate"] >= 0.95, figures["incomplete"]
    # SOURCES.md: 143 disputed items, 19 overturned. The parser finds exactly these.
    assert figures["items"] == 143, summary
    assert figures["overturned"] == 19, summary
    assert figures["upheld"] == 124, summary
    assert figures["complete"] == 143, figures["incomplete"]


@needs_letters
def test_every_letter_has_header_fields_and_summary() -> None:
    for letter in _all_letters():
        assert letter.case_number and letter.case_number.startswith("CM1"), letter.source_name
        assert letter.case_number == letter.source_name.removesuffix(".pdf")
        for field in ("date_assigned", "date_of_injury", "decision_date", "ur_denial_date", "received"):
            assert getattr(letter, field), (letter.source_name, field)
        assert letter.reviewer_specialty and letter.licensure, letter.source_name
        assert len(letter.case_summary) > 200, letter.source_name
        assert "IMR ISSUES" not in letter.case_summary


@needs_letters
def test_rationales_hold_no_markers_or_next_item_headers() -> None:
    for letter in _all_letters():
        for item in letter.items:
            assert "Claims Administrator guideline:" not in item.rationale, (letter.source_name, item.text)
            assert "MAXIMUS guideline:" not in item.rationale
            assert not item.rationale.rstrip().endswith(("Upheld", "Overturned")), (letter.source_name, item.text)
            assert "\f" not in item.rationale


@needs_letters
def test_spot_check_first_letter() -> None:
    letter = _letter("CM16-0213037.pdf")
    assert letter.case_number == "CM16-0213037"
    assert (letter.date_assigned, letter.date_of_injury) == ("11/09/2016", "10/13/2016")
    assert (letter.decision_date, letter.ur_denial_date, letter.received) == ("12/09/2016", "11/03/2016", "11/03/2016")
    assert letter.reviewer_specialty == "Family Practice"
    assert letter.licensure == "California,North Carolina"
    assert letter.case_summary.startswith("The injured worker is a 48 year old male")
    assert [i.text for i in letter.items] == [
        "MRI of the right shoulder without contrast",
        "MRI of the cervical spine without contrast",
    ]
    first = letter.items[0]
    assert first.decision == "Upheld"
    assert first.claims_administrator_line.kind == "mtus"
    assert first.claims_administrator_line.part == "Shoulder Complaints"
    assert first.claims_administrator_line.sections == []
    assert first.reviewer_line.kind == "mtus"
    assert (first.reviewer_line.part, first.reviewer_line.year) == ("Shoulder Complaints", "2004")
    assert first.reviewer_line.sections == ["Special Studies"]
    assert first.rationale.startswith("CA MTUS/ACOEM Guidelines state that unequivocal objective findings")
    assert letter.items[1].reviewer_line.part == "Neck and Upper Back Complaints"


@needs_letters
def test_spot_check_two_mtus_parts_non_mtus_and_page_references() -> None:
    item = _letter("CM16-0219557.pdf").items[0]
    assert item.text == "Facet joint injections L4-5, L5-S1"
    line = item.reviewer_line
    assert line.kind == "mtus"
    assert [(p.part, p.year, p.sections) for p in line.mtus_parts] == [
        ("Low Back Complaints", "2004", ["Summary"]),
        ("Chronic Pain Medical Treatment", "2016", ["Facet blocks"]),
    ]
    assert line.source_text and line.source_text.endswith("Low Back Disorders, pg. 607")
    refs = {(tuple(r.pages), r.table) for r in item.page_references}
    assert (("82",), None) in refs
    assert (("309",), "Table 12-8") in refs
    assert (("607",), None) in refs
    page_82 = next(r for r in item.page_references if r.pages == ["82"])
    assert page_82.guideline_name == "MTUS Chronic Pain Medical Treatment Guidelines"


@needs_letters
def test_spot_check_not_cited_and_comma_bearing_sections() -> None:
    items = _letter("CM16-0231745.pdf").items
    assert len(items) == 5
    assert all(i.claims_administrator_line.kind == "none" for i in items)
    assert items[2].text == "Electrical stimulation 1 times 8"
    assert items[2].reviewer_line.sections == ["TENS, chronic pain (transcutaneous electrical nerve stimulation)"]
    assert items[3].reviewer_line.sections == ["Ultrasound, therapeutic"]
    pantoprazole = _letter("CM17-0014438.pdf").items[5]
    assert pantoprazole.claims_administrator_line.sections == [
        "NSAIDs, GI symptoms & cardiovascular risk",
        "Proton Pump Inhibitors (PPIs)",
    ]


@needs_letters
def test_spot_check_non_mtus_only_and_overturned() -> None:
    item = _letter("CM16-0236906.pdf").items[0]
    assert item.text == "Electroencephalogram"
    assert item.reviewer_line.kind == "non-mtus"
    assert item.reviewer_line.part == "Official Disability Guidelines (ODG)"
    assert item.reviewer_line.source_text == "Official Disability Guidelines (ODG) Head section, Electroencephalography"
    emg = _letter("CM16-0235991.pdf").items[1]
    assert emg.decision == "Overturned"
    assert emg.text == "EMG (electromyography)/NCV (nerve conduction velocity) of the bilateral upper extremities"
    assert [p.part for p in emg.reviewer_line.mtus_parts] == [
        "Neck and Upper Back Complaints",
        "Chronic Pain Medical Treatment",
    ]
    # The PDF breaks the word at a line end ("Electro-" / "diagnostic"); the section is named as in CM17-0000859.
    assert emg.reviewer_line.mtus_parts[1].sections == ["Electrodiagnostic testing (EMG/NCS)"]
    assert _letter("CM17-0000859.pdf").items[0].claims_administrator_line.mtus_parts[0].sections == [
        "Electrodiagnostic testing (EMG/NCS)"]
    surgery = _letter("CM17-0014449.pdf")
    assert len(surgery.items) == 15
    assert surgery.items[1].text == "Associated surgical service: Ultrasling"
    assert surgery.items[1].reviewer_line.kind == "none"


@needs_letters
def test_spot_check_wrapped_headers_and_partial_requests() -> None:
    bare = _letter("CM16-0238676.pdf").items[0]  # "…right hip and foot:" then "Upheld" on its own line
    assert bare.text == "Additional physical therapy three times a week for two weeks of the right hip and foot"
    assert bare.decision == "Upheld"
    wrapped = _letter("CM16-0232182.pdf").items[0]
    assert wrapped.text == (
        "Referral to chiropractor for evaluation of low back pain and left groin pain, twice a week for 3 weeks"
    )
    partial = _letter("CM17-0016311.pdf").items[1]
    assert partial.text == "Two physical therapy sessions for the lumbar"
    assert partial.original_request and partial.original_request.startswith("Eight physical therapy sessions")
    opioid = _letter("CM16-0234202.pdf").items[0]
    assert opioid.text == "Norco 10/325mg #35"
    assert opioid.reviewer_line.part == "Opioid Treatment"
    assert opioid.reviewer_line.sections == ["1.4 Opioids for Acute Pain: Opioids for Post-operative Pain"]


@needs_letters
def test_page_furniture_does_not_leak_into_rationales() -> None:
    text = _text("CM16-0213037.pdf")
    plain = parse_letter_text(text)
    anchor = "However there is no documentation the claimant's willingness to consider or"
    assert anchor in text
    with_furniture = text.replace(anchor, anchor + "\nPage 1 of 3\n\fCase Number: CM16-0213037\nPage 2\n", 1)
    parsed = parse_letter_text(with_furniture)
    assert parsed.items[0].rationale == plain.items[0].rationale
    assert "Page 1" not in parsed.items[0].rationale and "Case Number" not in parsed.items[0].rationale


@needs_letters
def test_a_word_broken_at_a_line_end_is_joined_and_a_compound_keeps_its_hyphen() -> None:
    """The PDFs break words at line ends with a hyphen ("radicul-" / "opathy", CM17-0013754; "documen-" / "tation",
    CM17-0015198), and the parsed text read "radicul-opathy", so a reviewer's quote of the record's
    "radiculopathy" was not found in it. A compound broken at its hyphen keeps it ("non-" / "certified")."""
    assert "radicul-\nopathy" in _text("CM17-0013754.pdf")
    summary = _letter("CM17-0013754.pdf").case_summary
    assert "radiculopathy secondary to" in summary and "radicul-opathy" not in summary
    rationale = " ".join(item.rationale for item in _letter("CM17-0015198.pdf").items)
    assert "The documentation indicates" in rationale and "documen-tation" not in rationale
    assert "non-\ncertified" in _text("CM17-0014944.pdf") and "self-\ndirected" in _text("CM16-0248233.pdf")
    assert "non-certified" in _letter("CM17-0014944.pdf").case_summary
    assert "self-directed" in " ".join(item.rationale for item in _letter("CM16-0248233.pdf").items)


@needs_letters
def test_strip_decisions_keeps_items_and_drops_decisions() -> None:
    for name in ("CM16-0213037.pdf", "CM16-0219557.pdf", "CM17-0014449.pdf", "CM16-0238676.pdf"):
        text = _text(name)
        letter = parse_letter_text(text)
        stripped = strip_decisions(text)
        for word in ("Upheld", "Overturned", "Decision rationale", "MAXIMUS guideline", "Claims Administrator guideline"):
            assert word not in stripped, (name, word)
        assert "IMR ISSUES:" in stripped
        for item in letter.items:
            assert f"- {item.text}" in stripped
        assert "CLINICAL CASE SUMMARY" in stripped and letter.case_number in stripped


@needs_letters
def test_stripped_letter_still_reads_as_a_case_with_the_same_items() -> None:
    for letter in _all_letters()[:10]:
        stripped = strip_decisions(_text(letter.source_name))
        assert stripped.count("\n- ") == len(letter.items)
        with pytest.raises(CaseInputError):
            parse_letter_text(stripped)  # no decisions, markers or issues heading left: no longer a letter


# ---------------------------------------------------------------------------------------------- the 2014 seed


@needs_seed
def test_seed_letter_older_format() -> None:
    letter = parse_letter_file(SEED)
    assert letter.source_name == "seed-2014-cbt.txt"
    assert letter.reviewer_specialty == "Occupational Medicine"
    assert letter.licensure == "California"
    assert len(letter.items) == 1
    item = letter.items[0]
    assert item.text.startswith("CONGNITIVE BEHAVIORAL X 4 SESSIONS")
    assert item.text == "CONGNITIVE BEHAVIORAL X 4 SESSIONS PER REPORTED DATE 11/27/13"
    assert item.quantity == "4.00"
    assert item.decision == "Overturned"
    assert item.is_complete
    reviewer = item.reviewer_line
    assert reviewer.kind == "mtus"
    assert reviewer.part == "Chronic Pain Medical Treatment"
    assert reviewer.year is None
    assert reviewer.sections == ["Behavioral Interventions"]
    assert reviewer.pages == ["23"]
    claims = item.claims_administrator_line
    assert claims.kind == "non-mtus"
    assert claims.part == "Official Disability Guidelines (ODG)"
    assert claims.source_text == "Official Disability Guidelines (Odg) Psychotherapy Guidelines"
    assert item.rationale.startswith("As noted on pages 23 of the Chronic Pain Medical Treatment Guidelines")
    assert [r.pages for r in item.page_references] == [["23"], ["23"]]
    assert all(r.guideline_name == "Chronic Pain Medical Treatment Guidelines" for r in item.page_references)


@needs_seed
def test_seed_strip_decisions() -> None:
    stripped = strip_decisions(SEED.read_text(encoding="utf-8"))
    assert "Overturned" not in stripped and "Decision rationale" not in stripped
    assert "- CONGNITIVE BEHAVIORAL X 4 SESSIONS PER REPORTED DATE 11/27/13 (QTY: 4.00)" in stripped


# ---------------------------------------------------------------------------------------------- guideline lines


@pytest.mark.parametrize(
    ("raw", "kind", "part", "year", "sections"),
    [
        (
            "Decision based on MTUS Chronic Pain Medical Treatment 2016,\nSection(s): Physical medicine treatment.",
            "mtus",
            "Chronic Pain Medical Treatment",
            "2016",
            ["Physical medicine treatment"],
        ),
        ("Decision based on MTUS Low Back Complaints 2004, Section(s): Special Studies.", "mtus", "Low Back Complaints",
         "2004", ["Special Studies"]),
        ("Decision based on MTUS Acupuncture Treatment 2007.", "mtus", "Acupuncture Treatment", "2007", []),
        ("The Claims Administrator did not cite any medical evidence\nfor its decision.", "none", None, None, []),
        ("The Expert Reviewer based their decision on recommendation(s) outside of the MTUS Guidelines. Decision "
         "based on Non-MTUS Citation Official Disability Guidelines (ODG) Pain Chapter, Topical Analgesics.",
         "non-mtus", "Official Disability Guidelines (ODG)", None, []),
        ("Something else entirely.", "unparsed", None, None, []),
    ],
)
def test_parse_guideline_line(raw: str, kind: str, part: str | None, year: str | None, sections: list[str]) -> None:
    line = parse_guideline_line(raw)
    assert (line.kind, line.part, line.year, line.sections) == (kind, part, year, sections)


def test_guideline_line_with_three_parts() -> None:
    line = parse_guideline_line(
        "Decision based on MTUS General Approaches 2004, Section(s): Initial Care, and Elbow Complaints 2007, "
        "and Forearm, Wrist, and Hand Complaints 2004, Section(s): Special Studies, Summary."
    )
    assert [(p.part, p.year, p.sections) for p in line.mtus_parts] == [
        ("General Approaches", "2004", ["Initial Care"]),
        ("Elbow Complaints", "2007", []),
        ("Forearm, Wrist, and Hand Complaints", "2004", ["Special Studies", "Summary"]),
    ]


# ---------------------------------------------------------------------------------------------- errors


def test_non_letter_text_raises_actionable_error() -> None:
    with pytest.raises(CaseInputError, match="not an IMR determination letter"):
        parse_letter_text("Progress note: the patient reports low back pain 6/10.", source_name="note.txt")
    with pytest.raises(CaseInputError):
        parse_letter_text("")


def test_parse_letter_file_rejects_other_formats(tmp_path: Path) -> None:
    docx = tmp_path / "letter.docx"
    docx.write_bytes(b"PK\x03\x04")
    with pytest.raises(CaseInputError, match=r"\.pdf or \.txt"):
        parse_letter_file(docx)
    latin = tmp_path / "letter.txt"
    latin.write_bytes("Decision rationale: caf\xe9".encode("latin-1"))
    with pytest.raises(CaseInputError, match="UTF-8"):
        parse_letter_file(latin)
    with pytest.raises(CaseInputError, match="could not be read"):
        parse_letter_file(tmp_path / "missing.txt")


def test_minimal_synthetic_letter() -> None:
    text = (
        "IMR ISSUES, DECISIONS AND RATIONALES\n"
        "The Final Determination was based on decisions for the disputed items/services set forth below:\n\n"
        "Tramadol 50mg QTY: 60.00: Overturned\n\n"
        "Claims Administrator guideline: Decision based on MTUS Chronic Pain Medical Treatment 2016.\n\n"
        "MAXIMUS guideline: Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): Opioids,\n"
        "specific drug list.\n\n"
        "Decision rationale: Per page 94 of the Chronic Pain Medical Treatment Guidelines, tramadol is\n"
        "supported. The request is medically necessary.\n"
    )
    letter = parse_letter_text(text)
    (item,) = letter.items
    assert (item.text, item.quantity, item.decision) == ("Tramadol 50mg", "60.00", "Overturned")
    assert item.reviewer_line.sections == ["Opioids, specific drug list"]
    assert item.page_references[0].pages == ["94"]
    assert item.is_complete


# ---------------------------------------------------------------------------------------------- properties

_FRAGMENTS = [
    "IMR ISSUES, DECISIONS AND RATIONALES\n",
    "Claims Administrator guideline: ",
    "MAXIMUS guideline: ",
    "Decision rationale: ",
    "Decision based on MTUS ",
    "Chronic Pain Medical Treatment 2016, ",
    "Section(s): ",
    "Non-MTUS Citation ",
    ": Upheld\n",
    ": Overturned\n",
    "Upheld\n",
    "QTY: 4.00",
    "page 23 of the ",
    "Page(s): ",
    "\f",
    "\n\n",
    " \n",
    "was the original request. ",
    "The remaining IMR eligible portion of the original request, ",
    " is",
    "CLINICAL CASE SUMMARY\n",
    "Case Number: CM16-0000000\n",
    "2004",
    ", and ",
]

_letterish = st.lists(st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=40)), max_size=40).map("".join)


@settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=2000), _letterish))
def test_parse_letter_text_never_crashes(text: str) -> None:
    try:
        letter = parse_letter_text(text)
    except CaseInputError:
        return
    assert isinstance(letter, ImportedLetter)
    for item in letter.items:
        assert item.decision in ("Upheld", "Overturned")


@settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(_letterish)
def test_strip_decisions_never_crashes(text: str) -> None:
    try:
        stripped = strip_decisions(text)
    except CaseInputError:
        return
    assert "IMR ISSUES:" in stripped


def test_pathological_whitespace_is_linear() -> None:
    """Doubling runs of spaces, tabs and colons at most ~doubles the time (a ratio, not a wall-clock limit)."""
    from scaling import assert_linear

    def make(n: int) -> str:
        return "Decision rationale: page" + " " * n + "x\n" + "Upheld" + " \t" * (n // 2) + "\n" + ":" * n

    assert_linear(parse_letter_text, make, 20_000, label="parse_letter_text on whitespace runs")
