"""The cited page viewer on the real CDC PDF: the highlight covers pdfium's boxes of the quote and nothing else."""

from __future__ import annotations

import pytest

from assistant.ui.page_view import RENDER_SCALE, locate_quote, render_cited_page
from conftest import CDC_PDF

QUOTE = "Moderate-quality evidence demonstrates small improvements in chronic low back pain with NSAIDs"
PAGE = 27  # physical page of printed page 25


def _pdfium_boxes(quote_start: int, quote_end: int):
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(CDC_PDF))
    page = doc[PAGE - 1]
    textpage = page.get_textpage()
    boxes = [textpage.get_charbox(i) for i in range(quote_start, quote_end)]
    height = page.get_height()
    doc.close()
    return [b for b in boxes if b[2] > b[0] and b[3] > b[1]], height


def test_highlight_covers_exactly_the_quoted_characters():
    if not CDC_PDF.exists():
        pytest.skip("CDC PDF missing")
    view = render_cited_page(CDC_PDF, PAGE, QUOTE)
    assert view.located and len(view.boxes) == 2, "the quote runs over two lines"
    raw = view.text.replace("\n", "\r\n")  # pdfium's own text, whose indices are character indices
    assert raw[view.char_range[0]:view.char_range[0] + 8] == "Moderate"
    assert raw[view.char_range[1] - 6:view.char_range[1]] == "NSAIDs"
    chars, height = _pdfium_boxes(*view.char_range)
    for left, bottom, right, top in chars:  # every quoted character lies inside a highlight box
        x, y = (left + right) / 2 * RENDER_SCALE, (height - (top + bottom) / 2) * RENDER_SCALE
        assert any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in view.boxes)
    union_left = min(c[0] for c in chars) * RENDER_SCALE
    union_right = max(c[2] for c in chars) * RENDER_SCALE
    assert min(b[0] for b in view.boxes) == pytest.approx(union_left)
    assert max(b[2] for b in view.boxes) == pytest.approx(union_right)
    # The highlight is drawn: the image is yellowish inside the first box, not outside it.
    x0, y0, x1, y1 = (int(v) for v in view.boxes[0])
    inside = view.image.getpixel((x0 + 3, (y0 + y1) // 2))
    assert inside[2] < 200 and inside[0] > 200, inside
    assert view.image.getpixel((x0 + 3, y1 + 40)) != inside


def test_a_quote_not_on_the_page_highlights_nothing_and_says_so():
    if not CDC_PDF.exists():
        pytest.skip("CDC PDF missing")
    view = render_cited_page(CDC_PDF, PAGE, "zebras recommend quadrupling the dose of every opioid")
    assert not view.located and view.boxes == []
    assert "could not be located" in view.note()
    assert "Moderate-quality evidence" in view.text


def test_locating_ignores_hyphenation_whitespace_and_case_but_not_words():
    page = "Clinicians should avoid increas-\ning opioid dosage … without benefit."
    assert locate_quote(page, "clinicians should avoid increasing opioid dosage") == (0, page.index("dosage") + 6)
    assert locate_quote(page, "Clinicians should ... opioid dosage") is not None
    assert locate_quote(page, "Clinicians should always increase opioid dosage") is None
    assert locate_quote(page, "") is None


def test_a_quote_over_a_page_break_is_highlighted_on_both_pages():
    """A "pp. 32–33" citation: the printed page 32 drawn above 33, each with its part of the quote highlighted."""
    if not CDC_PDF.exists():
        pytest.skip("CDC PDF missing")
    quote = ("If benefits do not outweigh risks of continued opioid therapy, clinicians should optimize other "
             "therapies and work closely with patients to gradually taper")  # CDC p. 32 (physical 34) onto p. 33
    single = render_cited_page(CDC_PDF, 34, quote)
    assert not single.located and single.boxes == []  # one page alone cannot hold it
    view = render_cited_page(CDC_PDF, 34, quote, continues_on_next=True)
    first_height = 11 * 72 * RENDER_SCALE  # a letter page
    assert view.located and view.image.height >= 2 * first_height - 2
    above = [b for b in view.boxes if b[3] <= first_height]
    below = [b for b in view.boxes if b[1] >= first_height]
    assert above and below and len(above) + len(below) == len(view.boxes)
    assert "gradually taper" in view.text and "If benefits do not outweigh" in view.text
