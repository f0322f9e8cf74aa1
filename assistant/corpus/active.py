"""Which catalog guidelines are active: the reviewer's enable/disable choices, kept under ASSISTANT_HOME.

Active = the bundled entries (restricted to ASSISTANT_GUIDELINES when set) plus the reviewer's own additions,
plus what the reviewer enabled, minus what the reviewer disabled. Fetch and index use only active entries.
"""

from __future__ import annotations

import json

from pydantic import BaseModel, Field, ValidationError

from assistant.config import Settings
from assistant.contracts import GuidelineEntry
from assistant.corpus.catalog import find_entry, load_catalog
from assistant.errors import CatalogError
from assistant.files import write_text_atomically


class GuidelineChoices(BaseModel):
    enabled: list[str] = Field(default_factory=list)
    disabled: list[str] = Field(default_factory=list)


def read_choices(settings: Settings) -> GuidelineChoices:
    path = settings.active_guidelines_file
    if not path.exists():
        return GuidelineChoices()
    try:
        return GuidelineChoices.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (json.JSONDecodeError, UnicodeDecodeError, ValidationError) as exc:
        raise CatalogError(f"{path} is not a valid guideline choice file ({exc}). Delete it to make every guideline active.") from exc


def write_choices(settings: Settings, choices: GuidelineChoices) -> None:
    write_text_atomically(settings.active_guidelines_file, choices.model_dump_json(indent=2) + "\n")


def is_active(settings: Settings, entry: GuidelineEntry, choices: GuidelineChoices) -> bool:
    if entry.id in choices.disabled:
        return False
    if entry.id in choices.enabled or entry.source == "reviewer":
        return True
    restriction = settings.guideline_restriction
    return restriction is None or entry.id in restriction


def active_entries(settings: Settings) -> list[GuidelineEntry]:
    choices = read_choices(settings)
    return [e for e in load_catalog(settings) if is_active(settings, e, choices)]


def enable_guideline(settings: Settings, guideline_id: str) -> GuidelineEntry:
    entry = find_entry(load_catalog(settings), guideline_id)
    choices = read_choices(settings)
    write_choices(settings, GuidelineChoices(
        enabled=sorted({*choices.enabled, entry.id}), disabled=[i for i in choices.disabled if i != entry.id]))
    return entry


def disable_guideline(settings: Settings, guideline_id: str) -> GuidelineEntry:
    entry = find_entry(load_catalog(settings), guideline_id)
    choices = read_choices(settings)
    write_choices(settings, GuidelineChoices(
        enabled=[i for i in choices.enabled if i != entry.id], disabled=sorted({*choices.disabled, entry.id})))
    return entry
