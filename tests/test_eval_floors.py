"""CI's fast eval subset with hard floors: zero hallucinated citations, retrieval not below the committed floor."""

from __future__ import annotations

import tomllib

import pytest

from assistant.services import Services
from conftest import PROJECT_ROOT
from evals.drafting import DEFAULT_CASES, load_cases, run_cases, summarise
from evals.retrieval import run_retrieval_eval

FLOORS = tomllib.loads((PROJECT_ROOT / "evals" / "floors.toml").read_text())


def test_retrieval_meets_committed_floor(cdc_search):
    result = run_retrieval_eval(cdc_search)
    hybrid = result["modes"]["hybrid"]
    print(f"hybrid hit@5 {hybrid['hit@5']:.3f} MRR {hybrid['mrr']:.3f}")
    assert hybrid["hit@5"] >= FLOORS["retrieval"]["hybrid_hit_at_5"]
    assert hybrid["mrr"] >= FLOORS["retrieval"]["hybrid_mrr"]


def test_drafting_cases_have_zero_hallucinated_citations(cdc_settings, cdc_search):
    summary = summarise(run_cases(Services(cdc_settings, cdc_search), load_cases(DEFAULT_CASES)))
    print(summary)
    floors = FLOORS["drafting"]
    assert summary["hallucinated_citations"] == floors["hallucinated_citations"]
    assert summary["citation_precision"] >= floors["citation_precision"]
    assert summary["abstention_rate_when_required"] >= floors["abstention_rate_when_required"]
    assert summary["verified_citation_rate_when_required"] >= floors["verified_citation_rate_when_required"]


def test_mme_per_day_is_exact_on_every_hand_computed_case():
    from evals.criteria import mme_eval

    result = mme_eval()
    assert result["exact"] / result["cases"] >= FLOORS["criteria"]["mme_exact_rate"], [r for r in result["rows"] if not r["exact"]]


@pytest.mark.slow
def test_checklist_agreement_with_reviewers_meets_floor():
    from conftest import LETTERS_DIR, require_shared
    from evals.criteria import run_criteria_eval

    result = run_criteria_eval(require_shared(LETTERS_DIR))
    first, everything = result["labelled_batch_1"], result["labelled"]
    print({split: figures["per_criterion_agreement"] for split, figures in everything.items()})
    assert first["tune"]["per_criterion_agreement"] >= FLOORS["criteria"]["per_criterion_agreement_tune"]
    assert first["heldout"]["per_criterion_agreement"] >= FLOORS["criteria"]["per_criterion_agreement_heldout"]
    assert everything["tune"]["per_criterion_agreement"] >= FLOORS["criteria"]["all_items_per_criterion_agreement_tune"]
    assert everything["heldout"]["per_criterion_agreement"] >= FLOORS["criteria"]["all_items_per_criterion_agreement_heldout"]


def test_record_check_flags_statements_with_a_swapped_side_region_drug_or_direction():
    from conftest import LETTERS_DIR, require_shared
    from evals.swapped_terms import run_swapped_terms

    result = run_swapped_terms(require_shared(LETTERS_DIR))
    print({split: (f.flagged_share, f.originals_verified_share) for split, f in result.items()})
    for figures in result.values():
        assert figures.swaps >= 100
        assert figures.flagged_share >= FLOORS["record_check"]["swapped_flagged"]
        assert figures.originals_verified_share >= FLOORS["record_check"]["unswapped_verified"]


@pytest.mark.parametrize("split", ["tune", "heldout"])
def test_the_chat_reads_reviewer_messages_as_meant_on_both_splits(split):
    from evals.chat_intents import intent_accuracy

    accuracy, misses = intent_accuracy(split)
    print(f"{split}: {accuracy:.3f}")
    assert accuracy >= FLOORS["chat_intents"][split], [(row["message"], row["intent"], got) for row, got in misses]

