"""The guideline catalog: the committed entries plus the reviewer's own, kept under ASSISTANT_HOME."""

from __future__ import annotations

import tomllib
from pathlib import Path

import tomlkit

from pydantic import ValidationError

from assistant.config import Settings
from assistant.contracts import GuidelineEntry
from assistant.errors import CatalogError
from assistant.files import make_private, write_text_atomically


def read_catalog_file(path: Path) -> list[GuidelineEntry]:
    if not path.exists():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogError(f"The catalog {path} is not valid TOML: {exc}") from exc
    rule_sets = data.get("rule_sets", {})
    entries = []
    for position, raw in enumerate(data.get("guideline", []), start=1):
        try:
            entries.append(GuidelineEntry.model_validate(_with_rule_set(raw, rule_sets, path)))
        except ValidationError as exc:
            raise CatalogError(f"Entry {position} of {path} is invalid:\n{exc}") from exc
    return entries


def _with_rule_set(raw: dict, rule_sets: dict, path: Path) -> dict:
    """Fill an entry from the shared rule set it names (`rule_set = "vadod"`): the entry's own values win, and its
    own section_rules are tried before the shared ones (per-document overrides)."""
    name = raw.get("rule_set")
    if name is None:
        return raw
    if name not in rule_sets:
        raise CatalogError(f"Entry {raw.get('id')!r} in {path} names rule set {name!r}, which the file does not define.")
    shared = rule_sets[name]
    merged = {**shared, **{k: v for k, v in raw.items() if k != "rule_set"}}
    merged["section_rules"] = [*raw.get("section_rules", []), *shared.get("section_rules", [])]
    return merged


def load_catalog(settings: Settings) -> list[GuidelineEntry]:
    """Committed entries first, then the reviewer's; ids must be unique across both."""
    bundled = read_catalog_file(settings.catalog_file)
    reviewer = [e.model_copy(update={"source": "reviewer"}) for e in read_catalog_file(settings.user_catalog_file)]
    seen: dict[str, GuidelineEntry] = {}
    for entry in [*bundled, *reviewer]:
        if entry.id in seen:
            raise CatalogError(
                f"Guideline id {entry.id!r} appears twice (in {settings.catalog_file} and {settings.user_catalog_file}). "
                "Remove one of them."
            )
        seen[entry.id] = entry
    return list(seen.values())


def find_entry(entries: list[GuidelineEntry], guideline_id: str) -> GuidelineEntry:
    for entry in entries:
        if entry.id == guideline_id:
            return entry
    known = ", ".join(e.id for e in entries) or "none"
    raise CatalogError(f"No guideline with id {guideline_id!r} in the catalog (known: {known}).")


def append_reviewer_entry(settings: Settings, entry: GuidelineEntry) -> None:
    """Add one entry to the reviewer's catalog, rewriting the file atomically."""
    existing = read_catalog_file(settings.user_catalog_file)
    entries = [*existing, entry.model_copy(update={"source": "reviewer"})]
    write_catalog_file(settings.user_catalog_file, entries)


def remove_reviewer_entry(settings: Settings, guideline_id: str) -> bool:
    """Drop one entry from the reviewer's catalog (rolling back an add); True when it was there."""
    existing = read_catalog_file(settings.user_catalog_file)
    kept = [e for e in existing if e.id != guideline_id]
    if len(kept) == len(existing):
        return False
    write_catalog_file(settings.user_catalog_file, kept)
    return True


def write_catalog_file(path: Path, entries: list[GuidelineEntry]) -> None:
    """Write entries with a real TOML writer (tomlkit), so any title, CR or quote included, reads back the same."""
    document = tomlkit.document()
    document.add(tomlkit.comment("Guidelines added by the reviewer with `assistant corpus add`."))
    document.add("guideline", [_entry_data(e) for e in entries])
    text = tomlkit.dumps(document)
    if entries and read_entries_from_text(text) != [e.model_copy(update={"source": "catalog"}) for e in entries]:
        raise CatalogError(f"The catalog {path} would not read back as written; nothing was saved.")
    write_text_atomically(path, text)
    make_private(path)


def read_entries_from_text(text: str) -> list[GuidelineEntry]:
    return [GuidelineEntry.model_validate(raw) for raw in tomllib.loads(text).get("guideline", [])]


def _entry_data(entry: GuidelineEntry) -> dict:
    data = entry.model_dump(mode="json", exclude={"section_rules", "source"}, exclude_none=True)
    rules = [rule.model_dump(mode="json", exclude_none=True) for rule in entry.section_rules]
    return {**data, "section_rules": rules} if rules else data
