"""Case intake from text, files, JSON and real IMR letters; bad input gets a clear CaseInputError."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings, strategies as st

from assistant.drafting.intake import case_from_file, case_from_json, case_from_text, find_disputed_items
from assistant.errors import CaseInputError
from conftest import FIXTURES, LETTERS_DIR, require_shared


def test_items_found_under_imr_issues():
    case = case_from_file(FIXTURES / "cases" / "opioid-escalation.txt")
    assert [i.text for i in case.items] == ["Oxycodone 15mg #180"]
    assert case.items[0].quantity == "180"
    assert case.injury_date == "06-21-2013"
    assert case.ur_denial_date == "10-03-2016"
    assert "IMR ISSUES" not in case.summary


def test_request_for_authorization_list():
    items = find_disputed_items("Summary.\n\nRequest for Authorization:\n1. Physical therapy x 12\n2. TENS unit\n\nOther.")
    assert [i.text for i in items] == ["Physical therapy x 12", "TENS unit"]


def test_real_letter_becomes_a_case_without_its_decisions():
    letter = require_shared(LETTERS_DIR / "CM16-0213037.pdf")
    case = case_from_file(letter)
    assert case.case_id == "CM16-0213037"
    assert [i.text for i in case.items] == ["MRI of the right shoulder without contrast", "MRI of the cervical spine without contrast"]
    assert "Decision rationale" not in case.summary and "Upheld" not in case.summary


def test_json_case(tmp_path):
    data = {"case_id": "X1", "summary": "Chronic low back pain.", "items": [{"text": "Norco 10/325 #60"}]}
    path = tmp_path / "case.json"
    path.write_text(json.dumps(data))
    assert case_from_file(path).items[0].text == "Norco 10/325 #60"
    with pytest.raises(CaseInputError, match="not valid JSON"):
        case_from_json("{not json")
    with pytest.raises(CaseInputError, match="CaseFile"):
        case_from_json(json.dumps({"items": [{"text": ""}]}))


@pytest.mark.parametrize("content,message", [
    (b"", "empty"),
    (b"\x00\x01\x02binary" * 100, "binary"),
    (b"x" * 6_000_000, "MB"),
])
def test_bad_case_files_get_clear_errors(tmp_path, content, message):
    path = tmp_path / "case.txt"
    path.write_bytes(content)
    with pytest.raises(CaseInputError, match=message):
        case_from_file(path)


def test_non_utf8_text_is_read_as_windows_1252(tmp_path):
    path = tmp_path / "case.txt"
    path.write_bytes("The injured worker’s pain is 7/10.\n\nIMR ISSUES:\n- Naproxen 550mg #60\n".encode("cp1252"))
    assert case_from_file(path).items[0].text == "Naproxen 550mg #60"


def test_unsupported_and_missing_files(tmp_path):
    with pytest.raises(CaseInputError, match="unsupported"):
        (tmp_path / "case.docx").write_bytes(b"PK..")
        case_from_file(tmp_path / "case.docx")
    with pytest.raises(CaseInputError, match="does not exist"):
        case_from_file(tmp_path / "nope.txt")


@settings(deadline=None, max_examples=150)
@given(st.text(max_size=3000))
def test_intake_never_crashes_on_arbitrary_text(text):
    try:
        case = case_from_text(text)
    except CaseInputError:
        return
    assert isinstance(case.items, list)
