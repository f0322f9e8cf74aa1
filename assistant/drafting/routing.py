"""Routing: which bundled guideline may answer a disputed item, by body region and treatment category.

The rules are data (guideline_corpus/routing.toml) so a physician can review them; this module only applies
them. Routing runs before retrieval, so a guideline about another body region or condition is never searched
for the item — similar words (a neck MRI and the low back imaging recommendation) cannot make it a citation.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from assistant.config import BUNDLED_CATALOG, PROJECT_ROOT
from assistant.contracts import Citation, recommendation_numbers
from assistant.errors import CatalogError
from assistant.vocabulary.categories import ItemTopic
from assistant.vocabulary.record_cues import diagnosis_sentences

ROUTING_FILE = PROJECT_ROOT / "guideline_corpus" / "routing.toml"
UNSPECIFIED_SPINE = "spine-unspecified"


@dataclass(frozen=True)
class Region:
    name: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Route:
    guideline: str
    categories: frozenset[str]
    regions: frozenset[str] = frozenset()
    case_requires: re.Pattern[str] | None = None
    sections: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(category, recommendations that answer it), as read from the guideline."""
    why: str = ""


@dataclass(frozen=True)
class RoutingTable:
    regions: tuple[Region, ...]
    routes: tuple[Route, ...]

    @property
    def routed_guidelines(self) -> set[str]:
        return {r.guideline for r in self.routes}


@dataclass
class RoutingDecision:
    """The guidelines an item may cite, or why none may."""

    guidelines: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    reason: str = ""
    preferred_sections: dict[str, set[str]] = field(default_factory=dict)
    """guideline → the recommendations the routing table names for the item's category."""
    uncovered_regions: list[str] = field(default_factory=list)
    """Regions the item names that no routed guideline addresses ('… lumbar spine, left shoulder and left knee'
    routes to the low back guideline for its lumbar part; shoulder and knee stay uncovered)."""

    def scope_note(self) -> str:
        """What the draft must say when its guideline answers only part of the request, else ''."""
        if not self.routed or not self.uncovered_regions:
            return ""
        covered = [r for r in self.regions if r not in self.uncovered_regions]
        return (f"The guideline cited addresses the {_joined(covered)} part of this request only; no indexed guideline "
                f"addresses its {_joined(self.uncovered_regions)} part{'s' if len(self.uncovered_regions) > 1 else ''}.")

    @property
    def routed(self) -> bool:
        return bool(self.guidelines)

    def names(self, citation: Citation) -> bool:
        """Whether the citation comes from a recommendation the routing table names for the item's category
        ("Recommendation 2", "Recommendation 2 > …", a criterion's "Recommendation 2 — Discussion" and a discussion
        several statements share, "Recommendations 2–3", alike)."""
        named = self.preferred_sections.get(citation.guideline_id, set())
        wanted = frozenset().union(*(recommendation_numbers(section) for section in named)) if named else frozenset()
        return citation.top_section in named or bool(wanted & citation.recommendations)


def _compile(pattern: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise CatalogError(f"{ROUTING_FILE.name}: the pattern of {where} is not a valid regular expression ({exc}).") from exc


@lru_cache(maxsize=4)
def load_routing(path: Path = ROUTING_FILE) -> RoutingTable:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogError(f"Cannot read the routing table {path}: {exc}") from exc
    regions = tuple(Region(r["name"], _compile(r["pattern"], f"region {r['name']}")) for r in data.get("region", []))
    routes = tuple(
        Route(
            guideline=r["guideline"],
            categories=frozenset(r.get("categories", [])),
            regions=frozenset(r.get("regions", [])),
            case_requires=_compile(r["case_requires"], f"route {r['guideline']}") if r.get("case_requires") else None,
            sections=tuple((cat, tuple(secs)) for cat, secs in r.get("sections", {}).items()),
            why=r.get("why", ""),
        )
        for r in data.get("route", [])
    )
    known = {r.name for r in regions}
    for route in routes:
        if route.regions - known:
            raise CatalogError(f"{Path(path).name}: route {route.guideline} names unknown region(s) "
                              f"{sorted(route.regions - known)}; define them under [[region]].")
    return RoutingTable(regions=regions, routes=routes)


@lru_cache(maxsize=1)
def bundled_guideline_ids() -> frozenset[str]:
    """Ids of the guidelines the project ships (routing governs these; a user's own additions it does not know)."""
    try:
        data = tomllib.loads(BUNDLED_CATALOG.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogError(f"Cannot read the bundled catalog {BUNDLED_CATALOG}: {exc}") from exc
    return frozenset(g["id"] for g in data.get("guideline", []))


def item_regions(item_text: str, table: RoutingTable | None = None) -> list[str]:
    """Body regions the item's own words name ('Lumbar epidural' → lumbar; 'spine' alone stays unspecified)."""
    table = table or load_routing()
    found = [r.name for r in table.regions if r.pattern.search(item_text)]
    if UNSPECIFIED_SPINE in found and any(n in found for n in ("lumbar", "cervical", "thoracic")):
        found.remove(UNSPECIFIED_SPINE)
    return found


def diagnosis_regions(case_summary: str, table: RoutingTable | None = None) -> list[str]:
    """Every region the case's documented diagnoses name ('diagnoses are documented as lumbar sprain …')."""
    sentences = " ".join(diagnosis_sentences(case_summary))
    return item_regions(sentences, table) if sentences else []


def case_regions(case_summary: str, table: RoutingTable | None = None) -> list[str]:
    """The region of the case's documented diagnoses, used only for an item that names no region itself, and only
    when the diagnoses name exactly one."""
    regions = diagnosis_regions(case_summary, table)
    return regions if len(regions) == 1 else []


SPINE_LEVELS = {"lumbar", "cervical", "thoracic"}


def _regions_with_case(item: list[str], diagnosed: list[str]) -> list[str]:
    """The item's own regions; the case's single diagnosed region when the item names none; for an item naming only
    'spine', the single spine level the diagnoses name, whatever else they name ('Spinal manipulation' in a case of
    "lumbar spine sprain/strain and abdominal muscle strain" is lumbar, CM16-0231745)."""
    if not item:
        return diagnosed if len(diagnosed) == 1 else []
    levels = [r for r in diagnosed if r in SPINE_LEVELS]
    if item == [UNSPECIFIED_SPINE] and len(levels) == 1:
        return levels
    return item


def _route_applies(route: Route, categories: set[str], regions: list[str], case_summary: str) -> bool:
    """The item's category is the route's, and the route covers at least one region the item names (the others
    are reported as uncovered), and the case is what the route requires."""
    if not route.categories & categories:
        return False
    if route.regions and not set(regions) & route.regions:
        return False
    return route.case_requires is None or bool(route.case_requires.search(case_summary))


def _uncovered(regions: list[str], applying: list[Route]) -> list[str]:
    """The item's regions none of the applying routes covers (a route with no regions covers every region)."""
    if any(not route.regions for route in applying):
        return []
    covered = set().union(*(route.regions for route in applying)) if applying else set()
    return [r for r in regions if r not in covered]


def _joined(regions: list[str]) -> str:
    """Region names as prose: 'lumbar', 'shoulder, wrist/hand and knee'."""
    names = ["spine" if r == UNSPECIFIED_SPINE else r.replace("-", "/") for r in regions]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def route_item(item_text: str, topic: ItemTopic, case_summary: str = "",
               table: RoutingTable | None = None) -> RoutingDecision:
    """The bundled guidelines that address this item's body region and treatment, most specific route first."""
    table = table or load_routing()
    named = item_regions(item_text, table)
    regions = _regions_with_case(named, diagnosis_regions(case_summary, table))
    categories = set(topic.names)
    # The item's (or a chat question's) own words count as the case's: "NSAIDs for knee osteoarthritis" asks about OA.
    applying = [r for r in table.routes if _route_applies(r, categories, regions, f"{item_text}\n{case_summary}")]
    decision = RoutingDecision(guidelines=list(dict.fromkeys(r.guideline for r in applying)), regions=regions,
                               uncovered_regions=_uncovered(regions, applying))
    for route in applying:
        for category, sections in route.sections:
            if category in categories:
                decision.preferred_sections.setdefault(route.guideline, set()).update(sections)
    if not decision.routed:
        decision.reason = _no_route_reason(categories, regions, from_diagnoses=not named)
    return decision


def _no_route_reason(categories: set[str], regions: list[str], from_diagnoses: bool = False) -> str:
    """How the request was read, so the reviewer can see why nothing was routed (or correct the item's wording). A
    region the item does not name came from the case's diagnoses, and says so: "Pantoprazole … (read as ppi for the
    head region)" (CM17-0014438, a headache case) read as if the request named the head."""
    what = ", ".join(sorted(categories)) or "an uncategorised request"
    where = f"the {', '.join(regions)} region" if regions else "no named body region"
    if regions and from_diagnoses:
        where += ", which the case's diagnoses name"
    return f"read as {what} for {where}"
