"""Bad case uploads get a clear CaseInputError; names with path tricks never escape their folder."""

from __future__ import annotations

import pytest
from pypdf import PdfReader, PdfWriter

from assistant.contracts import CaseFile
from assistant.drafting.intake import case_from_file
from assistant.errors import CaseInputError, CatalogError
from assistant.storage import DraftStore
from conftest import CDC_PDF, require_shared
from test_pdf_pages import minimal_pdf


def test_corrupt_truncated_encrypted_and_image_only_case_pdfs(tmp_path):
    corrupt = tmp_path / "corrupt.pdf"
    corrupt.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 200)
    with pytest.raises(CaseInputError, match="could not be read|no usable text"):
        case_from_file(corrupt)

    source = require_shared(CDC_PDF).read_bytes()
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(source[: len(source) // 3])
    with pytest.raises(CaseInputError):
        case_from_file(truncated)

    plain = tmp_path / "plain.pdf"
    plain.write_bytes(minimal_pdf([["The injured worker reports low back pain.", "IMR ISSUES:", "- Norco 10/325 #60"]]))
    writer = PdfWriter()
    for page in PdfReader(str(plain)).pages:
        writer.add_page(page)
    writer.encrypt(user_password="case-secret", owner_password="owner", algorithm="AES-256")
    locked = tmp_path / "locked.pdf"
    with open(locked, "wb") as handle:
        writer.write(handle)
    with pytest.raises(CaseInputError, match="password"):
        case_from_file(locked)

    scanned = tmp_path / "scanned.pdf"
    scanned.write_bytes(minimal_pdf([None, None], image_pages={0, 1}))
    with pytest.raises(CaseInputError, match="OCR"):
        case_from_file(scanned)


def test_case_ids_with_path_tricks_are_made_safe(tmp_path):
    store = DraftStore(tmp_path / "drafts.sqlite3")
    stored = store.create_case("alice", CaseFile(case_id="../../etc/passwd", summary="x"))
    assert "/" not in stored.case_id and ".." not in stored.case_id and not stored.case_id.startswith(".")
    assert stored.case_id.endswith("etc-passwd")


def test_guideline_ids_with_path_tricks_are_refused(tmp_path):
    from assistant.contracts import EvidenceTier
    from assistant.corpus.add import add_guideline
    from conftest import make_settings

    pdf = tmp_path / "mine.pdf"
    pdf.write_bytes(minimal_pdf([["Behavioral interventions", "Text about cognitive behavioral therapy sessions."] * 3]))
    with pytest.raises(CatalogError, match="--id"):
        add_guideline(make_settings(tmp_path / "home"), pdf, "../../evil", "Evil", EvidenceTier.mtus)
    assert not any((tmp_path / "home").rglob("evil*"))


def test_the_decision_is_read_as_the_letters_write_it():
    """The letters write "Upheld" and "Overturned"; `assistant draft … --decision Upheld` was refused with an
    argparse error listing the lower-case choices. Any case is read; anything else is still refused."""
    import pytest

    from assistant.cli import build_parser

    parser = build_parser()
    assert parser.parse_args(["draft", "case.pdf", "--decision", "Upheld"]).decision == "upheld"
    assert parser.parse_args(["check", "draft.txt", "--decision", "OVERTURNED"]).decision == "overturned"
    with pytest.raises(SystemExit):
        parser.parse_args(["draft", "case.pdf", "--decision", "denied"])
