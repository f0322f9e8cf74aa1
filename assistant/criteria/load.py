"""Read criteria files and refuse any criterion whose guideline quote is not on its printed page."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from assistant.config import Settings
from assistant.contracts import GuidelinePage
from assistant.criteria.model import CriteriaSet, Criterion, ItemCategory, RecordFact
from assistant.errors import CriteriaError
from assistant.retrieval.library import GuidelineLibrary
from assistant.verification.textmatch import quote_occurs

BUNDLED_CRITERIA_DIR = Path(__file__).resolve().parents[2] / "guideline_corpus" / "criteria"
QUOTE_START_CHARS = 60


@dataclass
class GuidelinePages:
    """Page text by guideline and printed page: from a built index, from `ingest_pdf`, or from any page list."""

    by_guideline: dict[str, list[GuidelinePage]] = field(default_factory=dict)

    @classmethod
    def from_pages(cls, pages: Iterable[GuidelinePage]) -> "GuidelinePages":
        lookup = cls()
        for page in pages:
            lookup.by_guideline.setdefault(page.guideline_id, []).append(page)
        return lookup

    @classmethod
    def from_library(cls, library: GuidelineLibrary) -> "GuidelinePages":
        return cls.from_pages(p for pages in library.pages.values() for p in pages)

    @classmethod
    def from_index(cls, settings: Settings) -> "GuidelinePages":
        return cls.from_library(GuidelineLibrary.from_index(settings))

    def has(self, guideline_id: str) -> bool:
        return bool(self.by_guideline.get(guideline_id))

    def page(self, guideline_id: str, printed_page: str) -> GuidelinePage | None:
        return next((p for p in self.by_guideline.get(guideline_id, []) if p.printed_page == printed_page), None)

    def pages_with(self, guideline_id: str, quote: str) -> list[str]:
        return [p.printed_page for p in self.by_guideline.get(guideline_id, []) if quote_occurs(quote, p.text)]


class CriteriaCheckReport(BaseModel):
    """What `assistant criteria check FILE` prints: counts, and every problem found (empty when it loads)."""

    path: str
    guideline_id: str | None = None
    topics: int = 0
    criteria: int = 0
    verified_quotes: int = 0
    problems: list[str] = []
    notes: list[str] = []
    """Advice that does not stop the file loading (e.g. a criterion without a `missing` phrase)."""

    @property
    def ok(self) -> bool:
        return not self.problems and self.criteria > 0

    def summary(self) -> str:
        head = f"{self.path}: {self.guideline_id or '?'} — {self.topics} topics, {self.criteria} criteria, "
        head += f"{self.verified_quotes} quotes verified on their pages"
        head += "" if self.ok else "\n" + "\n".join(f"  ✗ {p}" for p in self.problems)
        return head + "".join(f"\n  • {n}" for n in self.notes)


def parse_criteria_file(path: Path) -> CriteriaSet:
    """The file's criteria, checked for form (TOML, required fields, known facts and categories), not yet quotes."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CriteriaError(f"{path}: cannot read the criteria file ({exc.strerror or exc}).") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CriteriaError(f"{path.name}: not valid TOML — {exc}. Fix the syntax at that line.") from exc
    try:
        return CriteriaSet.model_validate(raw)
    except ValidationError as exc:
        problems = [_describe_error(raw, error) for error in exc.errors()]
        raise CriteriaError(f"{path.name}: " + "; ".join(problems)) from exc


def _describe_error(raw: dict[str, Any], error: dict[str, Any]) -> str:
    """Name the criterion (or topic) by its id, and list the allowed values for a closed vocabulary."""
    loc = list(error["loc"])
    where, node = [], raw
    for step in loc:
        node = node[step] if isinstance(node, (dict, list)) and _has(node, step) else None
        if isinstance(node, dict) and "id" in node:
            kind = "criterion" if "question" in node or "guideline_quote" in node else "topic"
            where.append(f"{kind} {node['id']!r}")
    field_path = ".".join(str(s) for s in loc if not isinstance(s, int) and s not in ("topic", "criterion"))
    message = error["msg"]
    if "record_facts" in loc and error["type"] == "enum":
        message = f"unknown record fact {error['input']!r}; known facts: {', '.join(f.value for f in RecordFact)}"
    elif "applies_to" in loc and error["type"] == "enum":
        message = f"unknown item category {error['input']!r}; known categories: {', '.join(c.value for c in ItemCategory)}"
    prefix = " > ".join(where) or "file"
    return f"{prefix}: {field_path or 'value'}: {message}"


def _has(node: dict | list, step: Any) -> bool:
    if isinstance(node, dict):
        return step in node
    return isinstance(step, int) and 0 <= step < len(node)


def quote_problem(criteria: CriteriaSet, criterion: Criterion, pages: GuidelinePages, source: str) -> str | None:
    """None when the quote is on its printed page; otherwise a message naming file, criterion, page and quote."""
    start = criterion.guideline_quote[:QUOTE_START_CHARS] + ("…" if len(criterion.guideline_quote) > QUOTE_START_CHARS else "")
    page = pages.page(criteria.guideline_id, criterion.page)
    if page is not None and quote_occurs(criterion.guideline_quote, page.text):
        return None
    where = f"{source}: criterion {criterion.id!r}: quote \"{start}\""
    if page is None:
        return f"{where} cites page {criterion.page}, which {criteria.guideline_id} does not have."
    elsewhere = pages.pages_with(criteria.guideline_id, criterion.guideline_quote)
    hint = f" It is on page {', '.join(elsewhere)}." if elsewhere else " It is on no page of the guideline: copy the words exactly."
    return f"{where} is not on page {criterion.page} of {criteria.guideline_id}.{hint}"


def verify_criteria_set(criteria: CriteriaSet, pages: GuidelinePages, source: str) -> list[str]:
    """Every problem with the set's quotes; empty when each quote is found on its own printed page."""
    if not pages.has(criteria.guideline_id):
        return [f"{source}: guideline {criteria.guideline_id!r} is not indexed, so no quote can be checked. "
                "Add it (`assistant corpus add`) and build the index first."]
    found = (quote_problem(criteria, c, pages, source) for c in criteria.criteria)
    return [problem for problem in found if problem]


def load_criteria_file(path: Path, pages: GuidelinePages) -> CriteriaSet:
    """A criteria set whose every quote verifies on its page; raises CriteriaError naming each one that does not."""
    criteria = parse_criteria_file(path)
    problems = verify_criteria_set(criteria, pages, Path(path).name)
    if problems:
        raise CriteriaError("\n".join(problems))
    return criteria


def load_criteria_dir(pages: GuidelinePages, directory: Path = BUNDLED_CRITERIA_DIR) -> dict[str, CriteriaSet]:
    """Every `<guideline-id>.toml` in the folder whose guideline is indexed, by guideline id."""
    sets: dict[str, CriteriaSet] = {}
    for path in sorted(Path(directory).glob("*.toml")):
        criteria = parse_criteria_file(path)
        if pages.has(criteria.guideline_id):
            sets[criteria.guideline_id] = load_criteria_file(path, pages)
    return sets


def load_available_criteria(pages: GuidelinePages, directory: Path = BUNDLED_CRITERIA_DIR) -> tuple[dict[str, CriteriaSet], list[str]]:
    """Like `load_criteria_dir`, but a set that fails to load is left out and its problem returned, so that one
    broken file does not take every checklist away (drafting shows the problems; `assistant criteria check` names them)."""
    sets: dict[str, CriteriaSet] = {}
    problems: list[str] = []
    for path in sorted(Path(directory).glob("*.toml")):
        try:
            criteria = parse_criteria_file(path)
            if pages.has(criteria.guideline_id):
                sets[criteria.guideline_id] = load_criteria_file(path, pages)
        except CriteriaError as exc:
            problems.append(str(exc))
    return sets, problems


def check_criteria_file(path: Path, settings: Settings, pages: GuidelinePages | None = None) -> CriteriaCheckReport:
    """Validate one criteria file against the built index (or the given pages) and report every problem."""
    report = CriteriaCheckReport(path=str(path))
    try:
        criteria = parse_criteria_file(Path(path))
    except CriteriaError as exc:
        report.problems.append(str(exc))
        return report
    report.guideline_id = criteria.guideline_id
    report.topics, report.criteria = len(criteria.topics), len(criteria.criteria)
    if Path(path).stem != criteria.guideline_id:
        report.problems.append(f"{Path(path).name}: the file should be named {criteria.guideline_id}.toml")
    report.notes = [f"criterion '{c.id}' has no `missing` phrase: where the record is silent, a draft will repeat "
                    "its question (\"There is no documentation of the following in the record: …\") instead of "
                    "saying what is missing" for c in criteria.criteria if not c.missing]
    problems = verify_criteria_set(criteria, pages or GuidelinePages.from_index(settings), Path(path).name)
    report.problems.extend(problems)
    report.verified_quotes = 0 if any("not indexed" in p for p in problems) else report.criteria - len(problems)
    return report
