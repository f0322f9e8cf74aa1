"""One guideline PDF → its pages and chunks (the corpus stage's output)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.contracts import Chunk, GuidelineEntry, GuidelinePage
from assistant.corpus.chunking import chunk_page
from assistant.corpus.pages import build_pages, to_guideline_pages
from assistant.corpus.pdf_text import read_pdf_pages


@dataclass
class IngestedGuideline:
    entry: GuidelineEntry
    pages: list[GuidelinePage]
    chunks: list[Chunk]


def ingest_pdf(entry: GuidelineEntry, pdf: Path, chunk_words: int = 120, overlap_words: int = 30) -> IngestedGuideline:
    raw = read_pdf_pages(pdf)
    built = build_pages(entry, raw)
    pages = to_guideline_pages(entry, raw, built)
    chunks = [c for page, gp in zip(built, pages) for c in chunk_page(page, gp, chunk_words, overlap_words)]
    return IngestedGuideline(entry=entry, pages=pages, chunks=chunks)
