"""Evidence gathering, kept apart from writing: queries → hybrid retrieval → relevance → governing passages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from assistant.corpus.statements import recommendation_statement
from assistant.criteria.facts import PainDuration, called_chronic, duration_of_pain, symptom_timing
from assistant.contracts import (AbstentionNote, CaseFile, Citation, DisputedItem, EvidenceTier, RecordCitation,
                                 RetrievedPassage)
from assistant.vocabulary.categories import ItemTopic, classify_item, passage_addresses_topic, situation_queries
from assistant.drafting.routing import RoutingDecision, bundled_guideline_ids, route_item
from assistant.retrieval.search import RRF_K, GuidelineSearch
from assistant.verification.guideline_terms import statement_terms

# A passage addresses an item when it names the item's treatment category AND its embedding similarity to
# the item query reaches this threshold (items with no known category need UNCATEGORISED_THRESHOLD).
# Chosen on labelled item/passage pairs; the curve and the chosen point are in docs/relevance.md.
RELEVANCE_THRESHOLD = 0.6
UNCATEGORISED_THRESHOLD = 0.6
PER_QUERY_K = 12
GOVERNING_MAX = 2
PAIN_STAGES = {"acute", "chronic"}  # the durations a split recommendation (LBP Recs 23/24) is written for


@dataclass
class Evidence:
    item: DisputedItem
    topic: ItemTopic
    queries: list[str]
    candidates: list[RetrievedPassage]
    governing: list[RetrievedPassage] = field(default_factory=list)
    supporting: list[RetrievedPassage] = field(default_factory=list)
    abstention: AbstentionNote | None = None
    mtus_available: bool = False
    routing: RoutingDecision | None = None
    statements: list[RetrievedPassage] = field(default_factory=list)
    pain: PainDuration | None = None
    pain_timing: tuple[int | None, list[RecordCitation]] = (None, [])
    """Set when the named recommendations differ by duration of pain: the class, the days and the dated sentences."""

    def duration_note(self) -> str | None:
        """For the chat: why the acute or the chronic statement (or both) was chosen, with the record's own dated
        sentences; None when the recommendations do not differ by duration."""
        if not any(_durations(p) for p in self.statements):
            return None
        days, quotes = self.pain_timing
        said = [(" ".join(q.quote.split()), q.shown_date) for q in quotes]  # a quote spanning lines stays on one line
        dated = "; ".join(f"“{words}” ({when})" if when else f"“{words}”" for words, when in said)
        if self.pain is None:
            return ("The record does not date the pain (no injury date and later visit), so both the acute and the "
                    "chronic statement are shown.")
        if days is None:
            return f"The record calls the pain chronic, so the statement for chronic pain is shown: {dated}."
        reading = {"acute": "acute (under four weeks), so the statement for acute pain is shown",
                   "chronic": "chronic (over 12 weeks), so the statement for chronic pain is shown",
                   "subacute": "subacute (4 to 12 weeks), which neither the acute nor the chronic statement is "
                               "written for, so both are shown"}[self.pain]
        return f"The record dates the pain {days} days from the injury — {reading}: {dated}."

    def statement_citations(self) -> list[Citation]:
        """The governing recommendations' statements as citations of their own words ("For patients with acute low
        back pain, there is insufficient evidence …"), when routing named the recommendation and the passage opens
        with it: one, or the acute and the chronic one when the record does not place the pain in either."""
        cited = []
        for passage in self.statements:
            words = recommendation_statement(passage.citation.quote)
            if words:
                cited.append(passage.citation.model_copy(update={"quote": words}))
        return cited

    def scope_note(self) -> str | None:
        """The sentence saying which regions of the request the cited guideline does not address, when it cites one."""
        if self.abstention is not None or self.routing is None:
            return None
        return self.routing.scope_note() or None


def item_queries(case: CaseFile, item: DisputedItem, topic: ItemTopic) -> list[str]:
    base = re.sub(r"#\s?\d+|\bQTY:?\s*[\d.]+|\b[\d./]+\s?(?:mg|mcg|ml)?\b|[()/]", " ", item.text, flags=re.IGNORECASE)
    base = re.sub(r"\s+", " ", base).strip()
    hint = topic.primary.query if topic.primary else ""
    pain = "chronic pain" if re.search(r"\bchronic\b", case.summary, re.IGNORECASE) else ""
    queries = [f"{base} {hint} {pain}".strip()]
    queries += [f"{q} {pain}".strip() for q in situation_queries(topic, case.summary, item.text)]
    return list(dict.fromkeys(queries))




def is_relevant(topic: ItemTopic, passage: RetrievedPassage) -> bool:
    score = passage.relevance or 0.0
    if topic.categories:
        return passage_addresses_topic(topic, passage.citation.quote) and score >= RELEVANCE_THRESHOLD
    return score >= UNCATEGORISED_THRESHOLD


def gather_evidence(case: CaseFile, item: DisputedItem, search: GuidelineSearch) -> Evidence:
    """Retrieve per query; the governing passages are the best relevant passage of each query in turn, most
    specific situation first (e.g. 'increasing dosage' before the item's generic query)."""
    topic = classify_item(item.text)
    queries = item_queries(case, item, topic)
    routing = route_item(item.text, topic, case.summary)
    searchable = searchable_guidelines(routing, list(search.library.entries))
    if not searchable:
        evidence = Evidence(item=item, topic=topic, queries=queries, candidates=[], routing=routing)
        evidence.abstention = abstention_for(item, topic, routing)
        return evidence
    fused: dict[str, float] = {}
    by_id: dict[str, RetrievedPassage] = {}
    per_query: list[list[str]] = []
    for query in queries:
        results = search.search(query, k=PER_QUERY_K, guideline_ids=searchable)
        per_query.append([p.chunk_id for p in results])
        for rank, passage in enumerate(results, start=1):
            fused[passage.chunk_id] = fused.get(passage.chunk_id, 0.0) + 1.0 / (RRF_K + rank)
            by_id.setdefault(passage.chunk_id, passage)
    ids = sorted(fused, key=lambda c: -fused[c])
    similarity = {c: 0.0 for c in ids}
    for query in queries:
        for chunk_id, score in zip(ids, search.similarity(query, ids)):
            similarity[chunk_id] = max(similarity[chunk_id], score)
    candidates = [by_id[c].model_copy(update={"score": fused[c], "relevance": similarity[c]}) for c in ids]
    evidence = Evidence(item=item, topic=topic, queries=queries, candidates=candidates, routing=routing)
    evidence.mtus_available = any(e.tier == EvidenceTier.mtus for e in search.library.entries.values())
    evidence.pain_timing = symptom_timing(case.summary, case.injury_date)
    duration = evidence.pain = duration_of_pain(evidence.pain_timing[0], case.summary)
    if evidence.pain_timing[0] is None and duration == "chronic":
        evidence.pain_timing = (None, called_chronic(case.summary))
    named = _for_the_pain_duration(search, _named_sections(routing, topic, candidates), duration)
    relevant = named or {p.chunk_id: p for p in candidates if is_relevant(topic, p)}
    if not relevant:
        evidence.abstention = abstention_for(item, topic, routing)
        return evidence
    statements = _named_statements(search, list(named.values()), both_durations=duration not in PAIN_STAGES)
    best_tier = min(p.tier.rank for p in relevant.values())
    order = list(dict.fromkeys([*range(1, len(queries)), 0]))
    restating = {e.id: set(e.restating_sections) for e in search.library.entries.values()}
    picks: list[RetrievedPassage] = []
    for query_index in order:
        ranked = [relevant[c] for c in per_query[query_index] if c in relevant and relevant[c].tier.rank == best_tier]
        if ranked:
            picks.append(_prefer_statements(ranked[:3], restating)[0])
    picks += _prefer_statements([p for p in relevant.values() if p.tier.rank == best_tier], restating)
    evidence.statements = statements
    lead_pages = {(p.citation.guideline_id, p.citation.printed_page) for p in statements}
    rest = [p for p in _distinct_pages(picks) if (p.citation.guideline_id, p.citation.printed_page) not in lead_pages]
    evidence.governing = [*statements, *rest][:max(GOVERNING_MAX, len(statements))]
    evidence.supporting = _distinct_pages([p for p in relevant.values() if p.tier.rank > best_tier])[:GOVERNING_MAX]
    return evidence


def _named_sections(routing: RoutingDecision, topic: ItemTopic,
                    candidates: list[RetrievedPassage]) -> dict[str, RetrievedPassage]:
    """Candidates from the recommendations routing.toml names for this item's category (e.g. the low back
    imaging recommendations for a lumbar MRI): these govern when retrieval found them. The physician-reviewed table
    vouches that the recommendation addresses the category, so its wording need not repeat the item's words."""
    return {p.chunk_id: p for p in candidates if routing.names(p.citation)}


def _for_the_pain_duration(search: GuidelineSearch, named: dict[str, RetrievedPassage],
                           duration: PainDuration | None) -> dict[str, RetrievedPassage]:
    """The named recommendations written for this case's duration of pain: several guidelines say one thing for
    acute and another for chronic pain (LBP Rec 23 "For patients with acute low back pain, there is insufficient
    evidence …" beside Rec 24 "For patients with chronic low back pain, we suggest against …"). When the record
    dates the pain (pain_duration), the recommendations whose statement names only the other duration are set
    aside; when it does not (or dates it subacute, which neither addresses), or nothing would be left, all stay."""
    if not named or duration not in PAIN_STAGES:
        return named
    other = "chronic" if duration == "acute" else "acute"
    kept = {chunk_id: p for chunk_id, p in named.items()
            if _durations(search.statement_passage(p.citation.guideline_id, p.citation.top_section)) != {other}}
    return kept or named


def _durations(statement: RetrievedPassage | None) -> set[str]:
    """The durations of pain ('acute', 'subacute', 'chronic') a recommendation's own statement names, in the
    physician-reviewable spellings of data/statement_terms.toml (the guideline check reads the same table)."""
    words = recommendation_statement(statement.citation.quote) if statement is not None else None
    return set(statement_terms(words).get("duration", {})) if words else set()


def _named_statements(search: GuidelineSearch, named: list[RetrievedPassage], both_durations: bool) -> list[RetrievedPassage]:
    """The statement of the named recommendation retrieval ranked best (candidates come in fused order), so the
    draft quotes "For patients with low back pain, we suggest nonsteroidal anti-inflammatory drugs." rather than
    a discussion sentence about one trial. With `both_durations` (the record dates the pain subacute, or not at
    all) and a statement written for acute or chronic pain, the other duration's statement too: the reviewer sees
    both populations rather than one chosen by word overlap. Empty when routing names no recommendation."""
    statements: dict[str, RetrievedPassage] = {}
    for passage in named:
        section = passage.citation.top_section
        found = None if section in statements else search.statement_passage(passage.citation.guideline_id, section)
        if found is not None:
            statements[section] = found.model_copy(update={"score": passage.score, "relevance": passage.relevance})
    ranked = list(statements.values())
    if not ranked:
        return []
    lead = _durations(ranked[0]) & PAIN_STAGES
    if not both_durations or not lead:
        return ranked[:1]
    partner = next((s for s in ranked[1:] if (_durations(s) - lead) & PAIN_STAGES), None)
    return [ranked[0], partner] if partner else ranked[:1]


def _prefer_statements(passages: list[RetrievedPassage], restating: dict[str, set[str]] | None = None) -> list[RetrievedPassage]:
    """Among relevant passages, lean toward recommendation text over background and over summaries that
    restate it (the catalog's restating_sections), keeping retrieval order otherwise."""
    restating = restating or {}

    def weight(p: RetrievedPassage) -> float:
        top = p.citation.section.split(" > ")[0]
        patterns = restating.get(p.citation.guideline_id, set())
        penalty = 0.3 if any(fnmatchcase(top, pattern) for pattern in patterns) else 0.0
        bonus = 0.15 if re.search(r"\bclinicians should\b|\bshould\b|\brecommend", p.citation.quote, re.IGNORECASE) else 0.0
        bonus += 0.2 if re.search(r"\bRecommendation \d", p.citation.section) else 0.0
        return (p.relevance or 0.0) + bonus - penalty + 20 * p.score
    return sorted(passages, key=weight, reverse=True)


def _distinct_pages(passages: list[RetrievedPassage]) -> list[RetrievedPassage]:
    seen, out = set(), []
    for passage in passages:
        key = (passage.citation.guideline_id, passage.citation.printed_page)
        if key not in seen:
            seen.add(key)
            out.append(passage)
    return out


def routed_guidelines(case: CaseFile, item: DisputedItem, indexed: list[str]) -> list[str]:
    """The guidelines among `indexed` that may answer this item: the same routing the evidence search uses."""
    routing = route_item(item.text, classify_item(item.text), case.summary)
    return searchable_guidelines(routing, indexed)


def searchable_guidelines(routing: RoutingDecision, indexed: list[str]) -> list[str]:
    """The routed bundled guidelines that are indexed, plus any guideline a user added (routing.toml does not
    know those, so they are searched as before)."""
    bundled = bundled_guideline_ids()
    return [g for g in indexed if g in routing.guidelines or g not in bundled]


def abstention_for(item: DisputedItem, topic: ItemTopic, routing: RoutingDecision | None = None) -> AbstentionNote:
    hint = topic.primary.governing_hint if topic.primary else None
    why = f" ({routing.reason})" if routing is not None and routing.reason else ""
    return AbstentionNote(
        message=f"No indexed guideline addresses {item.text}{why}.",
        suggested_guideline=hint,
    )
