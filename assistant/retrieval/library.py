"""The indexed guideline text, page by page: what citations are checked against."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.config import Settings
from assistant.contracts import Chunk, GuidelineEntry, GuidelinePage


@dataclass
class GuidelineLibrary:
    entries: dict[str, GuidelineEntry]
    pages: dict[str, list[GuidelinePage]] = field(default_factory=dict)

    @classmethod
    def from_parts(cls, entries: list[GuidelineEntry], pages: list[GuidelinePage]) -> "GuidelineLibrary":
        library = cls(entries={e.id: e for e in entries})
        for page in pages:
            library.pages.setdefault(page.guideline_id, []).append(page)
        for guideline_pages in library.pages.values():
            guideline_pages.sort(key=lambda p: p.physical_page)
        return library

    @classmethod
    def from_index(cls, settings: Settings) -> "GuidelineLibrary":
        """The page texts of the built index, without opening Chroma or the embedding model."""
        from assistant.corpus.catalog import load_catalog
        from assistant.index.store import load_pages, require_manifest

        return cls.from_parts(load_catalog(settings), load_pages(settings, require_manifest(settings)))

    def page(self, guideline_id: str, printed_page: str) -> GuidelinePage | None:
        for page in self.pages.get(guideline_id, []):
            if page.printed_page == printed_page:
                return page
        return None

    def next_page(self, page: GuidelinePage) -> GuidelinePage | None:
        pages = self.pages.get(page.guideline_id, [])
        index = pages.index(page)
        return pages[index + 1] if index + 1 < len(pages) else None

    def page_count(self, guideline_id: str) -> int:
        return len(self.pages.get(guideline_id, []))

    def entry_for_chunk(self, chunk: Chunk) -> GuidelineEntry:
        return self.entries[chunk.guideline_id]
