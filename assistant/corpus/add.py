"""Bring your own guideline: copy a reviewer's licensed PDF into the corpus and catalog it."""

from __future__ import annotations

import shutil
from pathlib import Path

from assistant.config import Settings
from assistant.contracts import EvidenceTier, GuidelineEntry, SectionRule
from assistant.corpus.catalog import append_reviewer_entry, load_catalog
from assistant.corpus.audit import record_corpus_change
from assistant.corpus.fetch import sha256_of
from assistant.corpus.ingest import ingest_pdf
from assistant.corpus.pdf_text import read_pdf_pages
from assistant.errors import CatalogError
from assistant.corpus.validate import check_guideline_id, check_label, check_pattern
from assistant.files import make_private, write_atomically

# Topic headings as MTUS chapters print them ("Behavioral interventions", "Opioids, criteria for use"):
# a short line in sentence case with no final full stop, starting a section at level 1.
DEFAULT_SECTION_RULES = [
    SectionRule(pattern=r"^(?:CHAPTER|Chapter) (\d+)[.:]?\s+(.{3,80})$", level=1, label="Chapter {1}: {2}"),
]


def add_guideline(
    settings: Settings,
    pdf: Path,
    guideline_id: str,
    title: str,
    tier: EvidenceTier = EvidenceTier.mtus,
    short_form: str | None = None,
    publisher: str = "",
    edition: str = "",
    licence: str = "Reviewer's own licensed copy; not redistributed.",
    section_pattern: str | None = None,
    running_header: str | None = None,
    actor: str | None = None,
) -> GuidelineEntry:
    """Validate the PDF, the labels and the patterns, copy the PDF under ASSISTANT_HOME and add a catalog entry.

    Nothing is saved unless every check passes, including that the document yields at least one passage. Callers
    that build the index afterwards use `assistant.index.store.add_guideline_and_index`, which rolls back."""
    pdf = Path(pdf)
    if not pdf.is_file():
        raise CatalogError(f"{pdf} does not exist or is not a file.")
    check_guideline_id(guideline_id)
    for field, value in (("title", title), ("short form", short_form or ""), ("publisher", publisher),
                         ("edition", edition)):
        check_label(field, value)
    raw_pages = read_pdf_pages(pdf)  # raises DocumentUnreadable with advice for corrupt, encrypted or image-only files
    digest = sha256_of(pdf)
    for entry in load_catalog(settings):
        if entry.sha256 == digest:
            raise CatalogError(f"This PDF is already in the corpus as {entry.id!r}; nothing was added.")
        if entry.id == guideline_id:
            raise CatalogError(
                f"A guideline with id {guideline_id!r} already exists with different content. Choose another --id."
            )
    lines = [line for page in raw_pages for line in page.text.splitlines()]
    rules = list(DEFAULT_SECTION_RULES)
    if section_pattern:
        rules.insert(0, SectionRule(pattern=check_pattern(section_pattern, lines), level=1, label="{0}"))
    if running_header:
        check_pattern(running_header, lines, what="running-header pattern")
    entry = GuidelineEntry(
        id=guideline_id,
        title=title,
        short_form=short_form or title,
        publisher=publisher,
        edition=edition,
        tier=tier,
        sha256=digest,
        licence=licence,
        filename=f"{guideline_id}.pdf",
        source="reviewer",
        section_rules=rules,
        running_header=running_header,
    )
    _require_passages(entry, pdf, settings)
    write_atomically(settings.documents_dir / entry.filename, lambda tmp: shutil.copyfile(pdf, tmp))
    make_private(settings.documents_dir / entry.filename)
    append_reviewer_entry(settings, entry)
    record_corpus_change(settings, actor or settings.reviewer, "add", entry.id, title=entry.title,
                         tier=entry.tier.value, sha256=digest, section_pattern=section_pattern)
    return entry


def _require_passages(entry: GuidelineEntry, pdf: Path, settings: Settings) -> None:
    """A document whose text is all running headers (or blank) would index to nothing and break every build."""
    ingested = ingest_pdf(entry, pdf, settings.chunk_words, settings.chunk_overlap_words)
    if not ingested.chunks:
        raise CatalogError(
            f"{pdf.name} yields no passages to index (its text is empty or only running headers/footers); "
            "nothing was added. Check that it is the guideline's text PDF, not a scan or a cover sheet."
        )
