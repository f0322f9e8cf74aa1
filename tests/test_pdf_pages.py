"""Printed page labels, artefact cleanup and unreadable-PDF errors of the corpus stage.

Small PDFs are written byte by byte here (Helvetica text objects, a correct xref), so the tests need no
PDF-authoring dependency.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from pathlib import Path

import pytest

from conftest import CDC_PDF, require_shared

from assistant.contracts import EvidenceTier, GuidelineEntry, PrintedPageSource
from assistant.corpus.ingest import ingest_pdf
from assistant.corpus.pages import join_hyphenated, join_split_across_lines, repair_kerning, repeated_edge_lines
from assistant.corpus.pdf_text import read_pdf_pages
from assistant.errors import DocumentUnreadable


# --------------------------------------------------------------------------------------------------
# A minimal PDF writer
# --------------------------------------------------------------------------------------------------


def _pdf_string(text: str) -> str:
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def minimal_pdf(pages: list[list[str] | None], *, image_pages: set[int] = frozenset()) -> bytes:
    """A PDF with one page per entry: each string is a text line (Helvetica 11 pt, top to bottom).

    A page whose index is in `image_pages` gets only a small image and no text at all.
    """
    objects: dict[int, bytes] = {}
    font_id, image_id, pages_id, catalog_id = 1, 2, 3, 4
    objects[font_id] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    pixels = bytes([0, 255, 128, 64] * 4)
    objects[image_id] = (
        b"<< /Type /XObject /Subtype /Image /Width 4 /Height 4 /ColorSpace /DeviceGray /BitsPerComponent 8 "
        + f"/Length {len(pixels)} >>\nstream\n".encode()
        + pixels
        + b"\nendstream"
    )
    next_id = 5
    page_ids = []
    for index, lines in enumerate(pages):
        if index in image_pages:
            content = b"q 200 0 0 200 100 400 cm /Im1 Do Q"
        else:
            ops = []
            y = 740
            for line in lines or []:
                ops.append(f"BT /F1 11 Tf 72 {y} Td {_pdf_string(line)} Tj ET")
                y -= 16
            content = "\n".join(ops).encode("cp1252")
        content_id, page_id = next_id, next_id + 1
        next_id += 2
        objects[content_id] = f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream"
        objects[page_id] = (
            f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 612 792] /Contents {content_id} 0 R "
            f"/Resources << /Font << /F1 {font_id} 0 R >> /XObject << /Im1 {image_id} 0 R >> >> >>"
        ).encode()
        page_ids.append(page_id)
    kids = " ".join(f"{p} 0 R" for p in page_ids)
    objects[pages_id] = f"<< /Type /Pages /Kids [{kids}] /Count {len(page_ids)} >>".encode()
    objects[catalog_id] = f"<< /Type /Catalog /Pages {pages_id} 0 R >>".encode()

    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = out.tell()
        out.write(f"{number} 0 obj\n".encode() + objects[number] + b"\nendobj\n")
    xref_at = out.tell()
    size = max(objects) + 1
    out.write(f"xref\n0 {size}\n".encode())
    out.write(b"0000000000 65535 f \n")
    for number in range(1, size):
        out.write(f"{offsets[number]:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {size} /Root {catalog_id} 0 R >>\nstartxref\n{xref_at}\n%%EOF\n".encode())
    return out.getvalue()


BODY_SENTENCES = [
    "Cognitive behavioral therapy is recommended for chronic pain when function has not improved.",
    "An initial trial of three to four psychotherapy visits over two weeks is reasonable.",
    "With evidence of objective functional improvement, a total of up to ten visits may be allowed.",
    "Opioids are not recommended as a first-line therapy for chronic non-malignant pain.",
    "Before starting a trial, document the goals of treatment and the baseline pain and function.",
    "Continue opioids only when the patient has returned to work or has improved functioning.",
    "Urine drug screening may be used to assess for the use or presence of illegal drugs.",
    "Discontinue opioids when there is no overall improvement in function, unless extenuating.",
]


NUMBER_WORDS = "zero one two three four five six seven eight nine ten eleven twelve".split()


def body_lines(page_number: int) -> list[str]:
    """Three lines unique to the page (page numbers spelt out, so no line looks like a running header)."""
    word = NUMBER_WORDS[page_number]
    first = BODY_SENTENCES[page_number % len(BODY_SENTENCES)]
    second = BODY_SENTENCES[(page_number + 3) % len(BODY_SENTENCES)]
    return [f"Section text for sheet {word} of the test guideline.", f"On sheet {word}: {first}", f"Also {word}: {second}"]


def make_entry(guideline_id: str = "test-guideline", running_header: str | None = None) -> GuidelineEntry:
    return GuidelineEntry(
        id=guideline_id,
        title="A test guideline",
        short_form="Test",
        tier=EvidenceTier.mtus,
        sha256="0" * 64,
        filename=f"{guideline_id}.pdf",
        running_header=running_header,
    )


# --------------------------------------------------------------------------------------------------
# Printed page labels
# --------------------------------------------------------------------------------------------------


def test_cdc_printed_pages_come_from_page_labels(cdc_ingested):
    pages = {p.physical_page: p for p in cdc_ingested.pages}
    assert len(pages) == 100
    assert pages[3].printed_page == "1"
    assert pages[13].printed_page == "11"
    assert pages[100].printed_page == "98"
    assert pages[1].printed_page == "i"
    assert {p.printed_page_source for p in cdc_ingested.pages} == {PrintedPageSource.page_labels}
    # Every chunk carries the printed page of the physical page it came from.
    for chunk in cdc_ingested.chunks:
        assert chunk.printed_page == pages[chunk.physical_page].printed_page


def test_running_footer_gives_printed_pages_without_page_labels(tmp_path):
    offset = 4  # a chapter extract: physical page 1 is printed page 5
    pdf = tmp_path / "footers.pdf"
    pdf.write_bytes(minimal_pdf([body_lines(n) + [f"Page {n + offset}"] for n in range(1, 7)]))
    raw = read_pdf_pages(pdf)
    assert all(p.label is None for p in raw), "the generated PDF must not carry /PageLabels"

    ingested = ingest_pdf(make_entry(), pdf)
    assert [p.printed_page for p in ingested.pages] == [str(n + offset) for n in range(1, 7)]
    assert {p.printed_page_source for p in ingested.pages} == {PrintedPageSource.running_header}
    for page in ingested.pages:
        assert not re.search(r"^Page \d+$", page.text, flags=re.MULTILINE), page.text
        assert f"sheet {NUMBER_WORDS[page.physical_page]} of the test guideline" in page.text


def test_no_labels_and_no_footer_falls_back_to_flagged_physical_index(tmp_path):
    pdf = tmp_path / "bare.pdf"
    pdf.write_bytes(minimal_pdf([body_lines(n) for n in range(1, 6)]))
    ingested = ingest_pdf(make_entry(), pdf)
    assert [p.printed_page for p in ingested.pages] == ["1", "2", "3", "4", "5"]
    assert {p.printed_page_source for p in ingested.pages} == {PrintedPageSource.physical_index}


# --------------------------------------------------------------------------------------------------
# Artefact cleanup on the real CDC text
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cdc_raw():
    return read_pdf_pages(require_shared(CDC_PDF))


def test_kerning_artefacts_are_repaired(cdc_raw, cdc_ingested):
    raw_text = "\n".join(p.text for p in cdc_raw)
    # The artefacts are really in the text layer, so the cleanup below is doing work.
    assert "No vember" in raw_text and "V ol." in raw_text
    clean = "\n".join(p.text for p in cdc_ingested.pages)
    assert "No vember" not in clean
    assert "V ol." not in clean
    assert "November" in clean


def test_running_headers_are_removed(cdc_raw, cdc_ingested):
    header = re.compile(r"^MMWR\s*/\s*November 4, 2022", re.MULTILINE)
    assert sum(1 for p in cdc_raw if header.search(p.text)) >= 40
    for page in cdc_ingested.pages:
        assert not header.search(page.text), f"running header left on physical page {page.physical_page}"
        assert not re.search(r"^\d+\s+MMWR\s*/", page.text, re.MULTILINE), page.physical_page


def test_line_end_hyphenation_joined_true_hyphens_kept(cdc_raw, cdc_ingested):
    raw = {p.physical_page: p.text for p in cdc_raw}
    clean = {p.physical_page: p.text for p in cdc_ingested.pages}
    # Physical page 63 breaks "pharmaco-/logic" and "manage-/ment" across lines.
    assert "effectiveness of pharmaco-\nlogic and nonpharmacologic" in raw[63]
    assert "effectiveness of pharmacologic and nonpharmacologic" in clean[63]
    assert "pain manage-\nment plan" in raw[63]
    assert "pain management plan" in clean[63]
    assert "pharmaco-" not in clean[63]
    # Physical page 13 breaks the true compound "immediate-/release" at its hyphen: the hyphen stays.
    assert "prescribe immediate-\nrelease opioids" in raw[13]
    assert "prescribe immediate-release opioids" in clean[13]
    assert "immediaterelease" not in "\n".join(clean.values())
    assert "person-centered" in clean[19]


def test_repair_kerning_units():
    assert repair_kerning("MMWR / No vember 4, 2022", Counter()) == "MMWR / November 4, 2022"
    assert repair_kerning("W ashington, DC", Counter()) == "Washington, DC"
    # A lone capital split from a fragment that is no word is joined even when the whole is unknown.
    assert repair_kerning("T ramadol 50 mg", Counter()) == "Tramadol 50 mg"
    # Ordinary short words followed by real words are left alone.
    assert repair_kerning("a patient and I agree to do so", Counter()) == "a patient and I agree to do so"
    assert repair_kerning("as needed for pain", Counter()) == "as needed for pain"
    # The document's own vocabulary decides a word the lexicon lacks.
    vocab = Counter({"oxycodonex": 4})
    assert repair_kerning("take oxy codonex daily", vocab) == "take oxycodonex daily"


def test_repair_kerning_joins_a_fragment_after_a_short_word_and_long_fragments_the_document_knows_whole():
    # 'of fa cet': the first pass pairs 'of fa' and must not hide 'fa cet' from the second.
    assert repair_kerning("the diagnosis of fa cet or sacroiliac joint pain", Counter({"facet": 38, "cet": 1})) == (
        "the diagnosis of facet or sacroiliac joint pain")
    assert repair_kerning("a more rigorous appli cation of the methods", Counter({"application": 6, "cation": 1})) == (
        "a more rigorous application of the methods")
    assert repair_kerning("cogni tive behavioral therapy", Counter({"cognitive": 40, "tive": 1})) == "cognitive behavioral therapy"
    # A capital letter before a word of the document stays apart, however the PDF spaced it.
    vocab = Counter({"supplementation": 4, "dsupplementation": 1, "irritable": 100, "agonists": 6})
    for line in ("vitamin D supplementation", "IBS-C irritable bowel syndrome", "guanylate cyclase-C agonists"):
        assert repair_kerning(line, vocab) == line
    # Two words the lexicon knows are never joined, however common the joined form.
    assert repair_kerning("move in to the clinic", Counter({"into": 50})) == "move in to the clinic"


def test_a_word_split_at_a_line_break_without_a_hyphen_is_joined_on_the_first_line():
    vocab = Counter({"for": 300, "against": 80, "ainst": 2, "intervention": 20})
    assert join_split_across_lines(["24. Fo", "r patients with chronic low back pain"], vocab) == [
        "24. For", "patients with chronic low back pain"]
    assert join_split_across_lines(["Weak ag", "ainst Reviewed, Not changed"], vocab) == ["Weak against", "Reviewed, Not changed"]
    assert join_split_across_lines(["the first i", "ntervention."], vocab) == ["the first intervention."]
    assert join_split_across_lines(["we suggest for", "patients with pain"], vocab) == ["we suggest for", "patients with pain"]


def test_the_low_back_statements_read_whole_words_where_the_pdf_splits_them():
    """LBP 2022 p. 54 prints '24. Fo' / 'r patients …' and p. 32 'fa cet'; the drafter quotes these statements."""
    from assistant.corpus.pages import build_pages
    from assistant.config import Settings
    from assistant.corpus.catalog import load_catalog
    from conftest import SHARED

    path = require_shared(SHARED / "corpus" / "vadod-lbp-2022.pdf")
    raw = read_pdf_pages(path)
    assert "24. Fo\nr patients" in raw[53].text and "fa cet" in raw[31].text
    entry = next(e for e in load_catalog(Settings()) if e.id == "vadod-lbp-2022")
    pages = build_pages(entry, raw)
    assert "24. For patients with chronic low back pain, we suggest against offering" in " ".join(pages[53].lines)
    assert "diagnosis of facet or sacroiliac" in " ".join(pages[31].lines)


def test_join_hyphenated_units():
    vocab = Counter({"nonpharmacologic": 3, "immediate": 5, "release": 7, "management": 2})
    assert join_hyphenated(["use nonpharma-", "cologic therapy first"], vocab) == ["use nonpharmacologic therapy first"]
    assert join_hyphenated(["prescribe immediate-", "release opioids"], vocab) == ["prescribe immediate-release opioids"]
    assert join_hyphenated(["pain manage-", "ment plan", "next line"], vocab) == ["pain management plan", "next line"]
    # A line ending in a dash before a capitalised or numeric line is not joined.
    assert join_hyphenated(["see Table-", "2 below"], vocab) == ["see Table-", "2 below"]
    assert join_hyphenated(["no hyphen here", "second"], vocab) == ["no hyphen here", "second"]


def test_repeated_edge_lines_units():
    words = "alpha bravo charlie delta echo foxtrot golf hotel india".split()
    pages = [
        [f"Journal of Pain / Vol. 3 / {n}", f"body line about {w}", f"second {w} line", "Repeated middle",
         f"fourth {w} line", f"closing {w} words", "tail", f"Page {n} of 9"]
        for n, w in enumerate(words, start=1)
    ]
    keys = repeated_edge_lines(pages)
    assert "journalofpain/vol.#/#" in keys
    assert "page#of#" in keys
    assert "tail" in keys
    assert not any(w in k for k in keys for w in words)
    assert "repeatedmiddle" not in keys  # only page edges are considered
    # Too few pages for anything to count as running text.
    assert repeated_edge_lines(pages[:2]) == set()


# --------------------------------------------------------------------------------------------------
# PDFs that cannot become page text
# --------------------------------------------------------------------------------------------------


def test_corrupt_bytes_are_unreadable(tmp_path):
    bad = tmp_path / "corrupt.pdf"
    bad.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n")
    with pytest.raises(DocumentUnreadable, match=r"corrupt\.pdf.*(corrupt|truncated)"):
        read_pdf_pages(bad)


def test_not_a_pdf_is_unreadable(tmp_path):
    bad = tmp_path / "letter.pdf"
    bad.write_text("This is a text file someone renamed to .pdf\n" * 20)
    with pytest.raises(DocumentUnreadable, match="letter.pdf"):
        read_pdf_pages(bad)


def test_truncated_cdc_copy_is_unreadable(tmp_path):
    data = require_shared(CDC_PDF).read_bytes()
    truncated = tmp_path / "cdc-truncated.pdf"
    truncated.write_bytes(data[: int(len(data) * 0.3)])
    with pytest.raises(DocumentUnreadable) as info:
        read_pdf_pages(truncated)
    message = str(info.value)
    assert "cdc-truncated.pdf" in message
    assert re.search(r"download it again|export a fresh copy|OCR", message)


def test_image_only_pdf_is_unreadable_with_ocr_advice(tmp_path):
    scanned = tmp_path / "scanned.pdf"
    scanned.write_bytes(minimal_pdf([None, None, None], image_pages={0, 1, 2}))
    with pytest.raises(DocumentUnreadable, match=r"(?s)no usable text layer.*OCR"):
        read_pdf_pages(scanned)


def test_encrypted_pdf_with_password_is_unreadable(tmp_path):
    from pypdf import PdfReader, PdfWriter

    plain = tmp_path / "plain.pdf"
    plain.write_bytes(minimal_pdf([body_lines(n) for n in range(1, 4)]))
    assert len(read_pdf_pages(plain)) == 3  # readable before encryption
    writer = PdfWriter(clone_from=str(plain))
    writer.encrypt(user_password="s3cret-pass", owner_password="owner-pass", algorithm="AES-256")
    locked = tmp_path / "locked.pdf"
    with open(locked, "wb") as handle:
        writer.write(handle)
    assert PdfReader(str(locked)).is_encrypted
    with pytest.raises(DocumentUnreadable, match=r"locked\.pdf is password-protected.*unprotected copy"):
        read_pdf_pages(locked)


def test_pdf_encrypted_with_empty_user_password_still_reads(tmp_path):
    from pypdf import PdfWriter

    plain = tmp_path / "plain.pdf"
    plain.write_bytes(minimal_pdf([body_lines(n) for n in range(1, 4)]))
    writer = PdfWriter(clone_from=str(plain))
    writer.encrypt(user_password="", owner_password="owner-only", algorithm="AES-256")
    locked = tmp_path / "owner-locked.pdf"
    with open(locked, "wb") as handle:
        writer.write(handle)
    pages = read_pdf_pages(locked)
    assert "sheet two of the test guideline" in pages[1].text
