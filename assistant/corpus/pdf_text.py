"""Read a PDF's text layer page by page, with clear errors for files that have none."""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PdfReadError, PyPdfError

from assistant.errors import DocumentUnreadable

logging.getLogger("pypdf").setLevel(logging.ERROR)

MIN_TEXT_CHARS_PER_PAGE = 20


@dataclass(frozen=True)
class RawPage:
    physical_page: int
    label: str | None
    text: str


def read_pdf_pages(path: Path) -> list[RawPage]:
    """Every page's raw text with its /PageLabels label (None when the PDF has no labels)."""
    name = Path(path).name
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            # Many public PDFs are encrypted with an empty user password; those read fine.
            if not reader.decrypt(""):
                raise DocumentUnreadable(
                    f"{name} is password-protected. Save an unprotected copy (print to PDF) and try again."
                )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            labels = _page_labels(reader)
            pages = [
                RawPage(physical_page=i + 1, label=labels[i] if labels else None, text=page.extract_text() or "")
                for i, page in enumerate(reader.pages)
            ]
    except DocumentUnreadable:
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError) as exc:
        raise DocumentUnreadable(
            f"{name} could not be read as a PDF ({type(exc).__name__}: {exc}). It may be corrupt or truncated; "
            "download it again or export a fresh copy."
        ) from exc
    if not pages:
        raise DocumentUnreadable(f"{name} has no pages.")
    if sum(len(p.text.strip()) for p in pages) < MIN_TEXT_CHARS_PER_PAGE * max(1, len(pages) // 4):
        raise DocumentUnreadable(
            f"{name} has no usable text layer (it looks scanned or image-only). Run OCR on it "
            "(e.g. `ocrmypdf in.pdf out.pdf`) and add the OCR'd copy."
        )
    return pages


def _page_labels(reader: PdfReader) -> list[str] | None:
    try:
        root = reader.trailer["/Root"]
        if "/PageLabels" not in root:
            return None
        return list(reader.page_labels)
    except (KeyError, ValueError, TypeError, PyPdfError):
        return None


def read_pdf_text(path: Path) -> str:
    """The whole text layer, pages separated by form feeds (for case files and letters)."""
    return "\f".join(p.text for p in read_pdf_pages(path))
