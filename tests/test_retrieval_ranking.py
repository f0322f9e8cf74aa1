"""Ranking behaviour of hybrid search: score fusion, distinct pages, vocabulary expansion, never below its parts."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.retrieval.search import ScoredCandidates, fuse
from assistant.vocabulary.tables import drug_table
from evals.retrieval import run_retrieval_eval


def _candidates(vector: list[float], bm25: list[float], expanded: bool = False) -> ScoredCandidates:
    n = len(vector)
    return ScoredCandidates(np.arange(n), np.array(vector), np.array(bm25), np.ones(n, bool), np.ones(n, bool), expanded)


def test_fusion_weight_moves_the_ranking_between_components():
    scored = _candidates(vector=[0.9, 0.5, 0.1], bm25=[0.0, 4.0, 9.0])
    assert list(np.argsort(-fuse(scored, "hybrid", vector_weight=1.0))) == [0, 1, 2]
    assert list(np.argsort(-fuse(scored, "hybrid", vector_weight=0.0))) == [2, 1, 0]
    assert list(np.argsort(-fuse(scored, "vector"))) == [0, 1, 2]
    assert list(np.argsort(-fuse(scored, "bm25"))) == [2, 1, 0]


def test_fusion_keeps_score_gaps_that_rank_fusion_loses():
    # a clear BM25 winner (9 vs 1) and a near tie in the embedding (0.61 vs 0.60): the BM25 winner must lead
    scored = _candidates(vector=[0.60, 0.61, 0.2], bm25=[9.0, 1.0, 0.5])
    assert int(np.argmax(fuse(scored, "hybrid", vector_weight=0.5))) == 0


def test_expanded_queries_lean_on_bm25():
    from assistant.retrieval import search as search_module

    # candidate 0 is the embedding's pick, candidate 1 BM25's: an expanded query must favour candidate 1 more
    plain, expanded = _candidates([1.0, 0.0], [0.0, 1.0]), _candidates([1.0, 0.0], [0.0, 1.0], expanded=True)
    lead_plain, lead_expanded = (float(np.subtract(*fuse(c, "hybrid"))) for c in (plain, expanded))
    assert lead_expanded < lead_plain
    assert search_module.VECTOR_WEIGHT_EXPANDED < search_module.VECTOR_WEIGHT


def test_a_named_class_counts_its_best_matching_member_once(cdc_search, monkeypatch):
    """"NSAIDs" lifts a passage naming diclofenac (the CDC guideline names few NSAIDs) by CLASS_WEIGHT x its best
    member's score: a passage listing three NSAIDs is not three times as much about NSAIDs."""
    from assistant.retrieval import search as search_module

    allowed, weight = set(cdc_search.library.entries), search_module.CLASS_WEIGHT
    assert weight > 0
    with_class = cdc_search.scored_candidates("NSAIDs", allowed, "bm25")
    monkeypatch.setattr(search_module, "CLASS_WEIGHT", 0.0)
    without = cdc_search.scored_candidates("NSAIDs", allowed, "bm25")
    lift = dict(zip(with_class.positions.tolist(), with_class.bm25))
    gained = {p: lift[p] - s for p, s in zip(without.positions.tolist(), without.bm25) if p in lift}
    naming = [p for p in lift if "diclofenac" in cdc_search.chunks[p].text.lower()]
    assert naming and all(gained.get(p, lift[p]) > 0 for p in naming)
    nsaids = [g for g, entry in drug_table()["generic"].items() if "nsaid" in entry["classes"]]
    members = [cdc_search.bm25.get_scores_from_ids(ids) for m in nsaids if (ids := cdc_search.bm25.get_tokens_ids([m]))]
    for position, gain in gained.items():
        best, total = max(m[position] for m in members), sum(m[position] for m in members)
        assert gain == pytest.approx(weight * best, rel=1e-4, abs=1e-6)
        assert gain < weight * total or best == total


def test_only_numbered_recommendations_get_the_recommendation_factor(cdc_search):
    """The CDC's "Recommendation Development" methods chapter and the "Recommendations" summary are not a numbered
    recommendation's statement or discussion (they took its factor until 2026-11-29)."""
    from assistant.retrieval import search as search_module

    factor = cdc_search.section_factor(np.arange(len(cdc_search.chunks)))
    top = [c.section_path[0] if c.section_path else "" for c in cdc_search.chunks]
    methods = [i for i, name in enumerate(top) if name == "Recommendation Development"]
    numbered = [i for i, name in enumerate(top) if name.startswith("Recommendation ") and name[15:16].isdigit()]
    assert methods and numbered
    assert all(factor[i] < 1.0 for i in methods)  # restating, and nothing else
    assert all(factor[i] >= search_module.RECOMMENDATION_FACTOR for i in numbered)


def test_results_are_distinct_pages_when_asked(cdc_search):
    query = "offer naloxone to patients at increased risk of overdose"
    pages = [(p.citation.guideline_id, p.citation.printed_page)
             for p in cdc_search.search(query, k=10, distinct_pages=True)]
    assert len(pages) == 10 and len(set(pages)) == 10
    chunks = [(p.citation.guideline_id, p.citation.printed_page) for p in cdc_search.search(query, k=10)]
    assert len(set(chunks)) < len(chunks)  # by default (chunks, for drafting) the same query repeats a page


@pytest.mark.parametrize(("query", "page"), [
    ("who needs narcan w/ an opioid rx", "48"),  # Rec 8, offering naloxone (issue 15's own example)
    ("opiates for fibromyalga", "fibromyalgia"),  # a misspelling corrected against the corpus vocabulary
])
def test_reviewer_shorthand_finds_the_recommendation(cdc_search, query, page):
    assert cdc_search.added_terms(query)  # the vocabulary recognised something
    found = cdc_search.search(query, k=5)
    assert any(page == p.citation.printed_page or page in p.citation.quote.lower() for p in found)


def test_a_word_misspelt_beyond_the_clinical_word_lists_is_searched_as_the_guideline_spells_it(cdc_search):
    """"hyperalgsia" is in no list of ours; the CDC guideline's word "hyperalgesia" is what gets searched."""
    assert cdc_search.understood("opioid induced hyperalgsia").respelled == "opioid induced hyperalgesia"
    pages = [[p.citation.printed_page for p in cdc_search.search(q, k=5, distinct_pages=True)]
             for q in ("opioid induced hyperalgsia", "opioid induced hyperalgesia")]
    assert pages[0] == pages[1]


def test_hybrid_is_not_below_its_best_component_on_the_cdc_set(cdc_search):
    result = run_retrieval_eval(cdc_search, scope="all")
    modes = result["modes"]
    print({m: round(r["mrr"], 3) for m, r in modes.items()})
    assert modes["hybrid"]["mrr"] >= max(modes["vector"]["mrr"], modes["bm25"]["mrr"])


def test_each_recommendation_statement_is_marked_once_on_its_own_page(cdc_search):
    from assistant.retrieval.search import statement_chunks

    marked = [c for c, is_statement in zip(cdc_search.chunks, statement_chunks(cdc_search.chunks)) if is_statement]
    assert [(c.section_path[0], c.printed_page) for c in marked] == [
        (f"Recommendation {n}", page) for n, page in
        zip(range(1, 13), ["17", "21", "28", "30", "32", "38", "40", "43", "48", "50", "52", "54"])]
    assert all(c.text.startswith(c.section_path[0]) for c in marked)


def test_a_statement_outranks_the_rest_of_its_discussion_when_both_match_alike(cdc_search):
    # the statement's chunk and the next chunk of Recommendation 10: same section, so only the statement factor differs
    rec10 = [i for i, c in enumerate(cdc_search.chunks) if c.section_path[:1] == ["Recommendation 10"]]
    factors = cdc_search.section_factor(np.array(rec10[:2]))
    assert factors[0] > factors[1]


def test_a_statement_close_to_its_discussion_is_shown_first(cdc_search):
    """A recommendation's statement within STATEMENT_LIFT of its best discussion passage moves just above it; a
    statement well below (a question answered by one span of the discussion) stays where it is, and no other
    recommendation's chunk moves."""
    from assistant.retrieval import search as search_module

    keys, statements = cdc_search._recommendation_key, np.flatnonzero(cdc_search._statement)
    statement = int(statements[0])
    same = [i for i in np.flatnonzero(keys == keys[statement]) if i != statement]
    other = int(np.flatnonzero((keys >= 0) & (keys != keys[statement]))[0])
    assert same, "the first recommendation has a discussion"
    positions = np.array([statement, same[0], other])
    close = cdc_search.lift_statements(np.array([0.97, 1.0, 0.5]), positions)
    assert close[0] > close[1] and close[2] == 0.5
    far = np.array([search_module.STATEMENT_LIFT - 0.1, 1.0, 0.5])
    assert list(cdc_search.lift_statements(far, positions)) == list(far)
