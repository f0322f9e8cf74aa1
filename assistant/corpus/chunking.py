"""Paragraph-sized, overlapping chunks that never cross a page or a section boundary."""

from __future__ import annotations

import hashlib
import re

from assistant.contracts import Chunk, GuidelinePage
from assistant.corpus.pages import PageLines

SENTENCE_END = re.compile(r"(?<=[.;:?!])\s+(?=[A-Z(\"“•])")


def _section_runs(page: PageLines) -> list[tuple[tuple[str, ...], int, int]]:
    """(section path, start offset, end offset) runs of consecutive lines within the page text."""
    runs: list[tuple[tuple[str, ...], int, int]] = []
    offset = 0
    for line, section in zip(page.lines, page.sections):
        start, end = offset, offset + len(line)
        if runs and runs[-1][0] == section:
            runs[-1] = (section, runs[-1][1], end)
        else:
            runs.append((section, start, end))
        offset = end + 1
    return runs


def _sentence_spans(text: str, base: int) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in SENTENCE_END.finditer(text):
        spans.append((base + start, base + match.start()))
        start = match.end()
    if start < len(text):
        spans.append((base + start, base + len(text)))
    return [s for s in spans if s[1] > s[0]]


def _pack(spans: list[tuple[int, int]], text: str, words: int, overlap: int) -> list[tuple[int, int]]:
    """Group sentence spans into windows of about `words` words, the next window repeating ~`overlap` words."""
    counts = [len(text[a:b].split()) for a, b in spans]
    windows, first = [], 0
    while first < len(spans):
        last, total = first, counts[first]
        while last + 1 < len(spans) and total + counts[last + 1] <= words:
            last += 1
            total += counts[last]
        windows.append((spans[first][0], spans[last][1]))
        if last + 1 >= len(spans):
            break
        back, carried = last, 0
        while back > first and carried + counts[back] <= overlap:
            carried += counts[back]
            back -= 1
        first = max(first + 1, back + 1)
    return windows


def chunk_page(page: PageLines, guideline_page: GuidelinePage, words: int, overlap: int) -> list[Chunk]:
    text = guideline_page.text
    chunks: list[Chunk] = []
    for section, start, end in _section_runs(page):
        flat = text[start:end].replace("\n", " ")
        for a, b in _pack(_sentence_spans(flat, start), text, words, overlap):
            body = text[a:b].replace("\n", " ").strip()
            if len(body.split()) < 3:
                continue
            digest = hashlib.sha1(f"{guideline_page.guideline_id}:{guideline_page.physical_page}:{a}:{body}".encode()).hexdigest()[:16]
            chunks.append(
                Chunk(
                    chunk_id=f"{guideline_page.guideline_id}:p{guideline_page.physical_page}:{digest}",
                    guideline_id=guideline_page.guideline_id,
                    physical_page=guideline_page.physical_page,
                    printed_page=guideline_page.printed_page,
                    section_path=list(section),
                    char_start=a,
                    char_end=b,
                    text=body,
                    strength=page.strengths.get(section[0]) if section else None,
                )
            )
    return chunks
