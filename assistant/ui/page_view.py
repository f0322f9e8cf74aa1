"""The cited page in front of the reviewer: the guideline PDF's page as an image, the quoted words highlighted.

pypdfium2 renders the page and gives each character's box; the quote is located in the page's characters with
whitespace, hyphenation, dashes, quote marks and case ignored. A quote that cannot be located highlights
nothing and says so: a wrong highlight would be worse than none."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import DocumentUnreadable

RENDER_SCALE = 1.5
"""Pixels per PDF point in the page image (1.5: a letter page is 918 × 1188 pixels)."""
ELLIPSIS = re.compile(r"\.\s*\.\s*\.|…")
HIGHLIGHT = (255, 214, 0, 110)
Box = tuple[float, float, float, float]  # left, top, right, bottom in image pixels


@dataclass
class PageView:
    image: object  # PIL.Image.Image, the page with the highlight drawn on it
    text: str  # the page's extracted text
    boxes: list[Box] = field(default_factory=list)  # the highlight, one box per line of the quote
    char_range: tuple[int, int] | None = None  # the quote's first and last+1 character index on the page

    @property
    def located(self) -> bool:
        return self.char_range is not None

    def note(self) -> str:
        if self.located:
            return "The quoted words are highlighted."
        return "The quoted words could not be located on this page, so nothing is highlighted."


def _key(text: str) -> tuple[str, list[int]]:
    """Letters and digits only, case-folded, with each kept character's index in `text`."""
    kept, where = [], []
    for index, char in enumerate(text):
        folded = unicodedata.normalize("NFKC", char).casefold()
        for part in folded:
            if part.isalnum():
                kept.append(part)
                where.append(index)
    return "".join(kept), where


def locate_quote(page_text: str, quote: str) -> tuple[int, int] | None:
    """Character range of the quote on the page (ellipses: every segment, in order), or None."""
    page_key, where = _key(page_text)
    segments = [k for k in (_key(s)[0] for s in ELLIPSIS.split(quote)) if k]
    if not segments or not page_key:
        return None
    start = position = page_key.find(segments[0])
    if start < 0:
        return None
    end = start
    for segment in segments:
        position = page_key.find(segment, end)
        if position < 0:
            return None
        end = position + len(segment)
    return where[start], where[end - 1] + 1


def split_quote(first_text: str, second_text: str, quote: str) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """For a quote that runs from one page onto the next: its character range on each page, or None.

    The split is the longest start of the quote found on the first page whose rest is found on the second (running
    headers and footers sit between them, so the two parts are matched apart). Quotes with ellipses are not split."""
    if ELLIPSIS.search(quote):
        return None
    first_key, first_where = _key(first_text)
    second_key, second_where = _key(second_text)
    quote_key = _key(quote)[0]
    for cut in range(len(quote_key) - 1, 0, -1):
        head, tail = quote_key[:cut], quote_key[cut:]
        start, rest = first_key.rfind(head), second_key.find(tail)
        if start >= 0 and rest >= 0:
            return ((first_where[start], first_where[start + cut - 1] + 1),
                    (second_where[rest], second_where[rest + len(tail) - 1] + 1))
    return None


def line_boxes(char_boxes: list[tuple[float, float, float, float]], page_height: float,
               scale: float = RENDER_SCALE) -> list[Box]:
    """pdfium character boxes (left, bottom, right, top in points) merged into one image box per text line."""
    lines: list[list[float]] = []
    for left, bottom, right, top in char_boxes:
        if right <= left or top <= bottom:
            continue  # spaces and generated characters have no extent
        middle = (top + bottom) / 2
        if lines and lines[-1][1] <= middle <= lines[-1][3] and left >= lines[-1][0] - 1:
            line = lines[-1]
            line[0], line[1] = min(line[0], left), min(line[1], bottom)
            line[2], line[3] = max(line[2], right), max(line[3], top)
        else:
            lines.append([left, bottom, right, top])
    return [(l * scale, (page_height - t) * scale, r * scale, (page_height - b) * scale) for l, b, r, t in lines]


def render_cited_page(pdf: Path, page_number: int, quote: str, scale: float = RENDER_SCALE,
                      continues_on_next: bool = False) -> PageView:
    """Page `page_number` (1-based, physical) of `pdf` as an image with `quote` highlighted where it is; with
    continues_on_next (a "pp. 32–33" citation) the next page is drawn below it and each holds its part of the quote."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(pdf))
    except pdfium.PdfiumError as exc:
        raise DocumentUnreadable(f"{Path(pdf).name} cannot be opened to show page {page_number}: {exc}") from exc
    try:
        last = page_number + 1 if continues_on_next else page_number
        if not 1 <= page_number <= last <= len(document):
            raise DocumentUnreadable(f"{Path(pdf).name} has no page {last} (it has {len(document)}).")
        pages = [document[n - 1] for n in range(page_number, last + 1)]
        textpages = [page.get_textpage() for page in pages]
        texts = [textpage.get_text_range() for textpage in textpages]
        ranges = _quote_ranges(texts, quote)
        drawn = [_highlighted(page, textpage, text_range, scale)
                 for page, textpage, text_range in zip(pages, textpages, ranges)]
    finally:
        document.close()
    return _stacked(drawn, texts, ranges)


def _quote_ranges(texts: list[str], quote: str) -> list[tuple[int, int] | None]:
    if not quote.strip():
        return [None] * len(texts)
    if len(texts) == 1:
        return [locate_quote(texts[0], quote)]
    whole = locate_quote(texts[0], quote)
    if whole is not None:
        return [whole, None]
    split = split_quote(texts[0], texts[1], quote)
    return list(split) if split else [None, None]


def _highlighted(page, textpage, char_range: tuple[int, int] | None, scale: float):
    """(image with the highlight drawn, its boxes) for one page."""
    from PIL import ImageDraw

    boxes: list[Box] = []
    if char_range is not None:
        boxes = line_boxes([textpage.get_charbox(i) for i in range(*char_range)], page.get_height(), scale)
    image = page.render(scale=scale).to_pil().convert("RGBA")
    if boxes:
        overlay = image.copy()
        overlay.putalpha(0)
        draw = ImageDraw.Draw(overlay)
        for box in boxes:
            draw.rectangle(box, fill=HIGHLIGHT, outline=(230, 150, 0, 255), width=2)
        image.alpha_composite(overlay)
    return image.convert("RGB"), boxes


def _stacked(drawn: list, texts: list[str], ranges: list[tuple[int, int] | None]) -> PageView:
    """One image of the pages one below the other; boxes moved to where their page sits in it."""
    from PIL import Image

    if len(drawn) == 1:
        image, boxes = drawn[0]
        return PageView(image=image, text=texts[0].replace("\r\n", "\n"), boxes=boxes, char_range=ranges[0])
    width, height = max(i.width for i, _ in drawn), sum(i.height for i, _ in drawn)
    image, boxes, top = Image.new("RGB", (width, height), "white"), [], 0
    for page_image, page_boxes in drawn:
        image.paste(page_image, (0, top))
        boxes += [(left, up + top, right, down + top) for left, up, right, down in page_boxes]
        top += page_image.height
    located = ranges[0] is not None
    text = "\n\n".join(t.replace("\r\n", "\n") for t in texts)
    return PageView(image=image, text=text, boxes=boxes if located else [], char_range=ranges[0] if located else None)
