"""Bring your own guideline: copy a reviewer's licensed PDF into the corpus and catalog it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from assistant.config import Settings
from assistant.contracts import EvidenceTier, GuidelineEntry, SectionRule
from assistant.corpus.catalog import append_reviewer_entry, load_catalog
from assistant.corpus.fetch import sha256_of
from assistant.corpus.pdf_text import read_pdf_pages
from assistant.errors import CatalogError
from assistant.files import write_atomically

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
) -> GuidelineEntry:
    """Validate the PDF (it must have a text layer), copy it under ASSISTANT_HOME and add a catalog entry."""
    pdf = Path(pdf)
    if not pdf.is_file():
        raise CatalogError(f"{pdf} does not exist or is not a file.")
    read_pdf_pages(pdf)  # raises DocumentUnreadable with advice for corrupt, encrypted or image-only files
    digest = sha256_of(pdf)
    for entry in load_catalog(settings):
        if entry.sha256 == digest:
            raise CatalogError(f"This PDF is already in the corpus as {entry.id!r}; nothing was added.")
        if entry.id == guideline_id:
            raise CatalogError(
                f"A guideline with id {guideline_id!r} already exists with different content. Choose another --id."
            )
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]{2,62}", guideline_id):
        raise CatalogError(f"--id {guideline_id!r} must be 3–63 lower-case letters, digits, '.', '_' or '-'.")
    rules = list(DEFAULT_SECTION_RULES)
    if section_pattern:
        rules.insert(0, SectionRule(pattern=section_pattern, level=1, label="{0}"))
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
    )
    write_atomically(settings.documents_dir / entry.filename, lambda tmp: shutil.copyfile(pdf, tmp))
    append_reviewer_entry(settings, entry)
    return entry
