"""Each eval metric on a tiny hand-made fixture, showing it can fail."""

from __future__ import annotations

from types import SimpleNamespace

from assistant.contracts import Citation, CitationCheck, DisputedItem, ItemRationale, VerificationReport
from evals.drafting import score_draft, summarise
from evals.metrics import first_hit_rank, gold_page_recall, hit_at, mean_reciprocal_rank, precision_recall, structure_parts


def test_hit_at_and_mrr():
    ranks = [first_hit_rank(["3", "17", "5"], {"17"}), first_hit_rank(["9", "8"], {"17"})]
    assert ranks == [2, None]
    assert hit_at(ranks, 1) == 0.0 and hit_at(ranks, 3) == 0.5
    assert mean_reciprocal_rank(ranks) == 0.25


def test_structure_and_recall():
    good = structure_parts("As noted on page 11 … [1]. In this case, the records show X. Therefore, the request is not medically necessary.", True)
    assert all(good.values())
    bad = structure_parts("The request was reviewed.", False)
    assert not any(bad.values())
    assert gold_page_recall({"11"}, {"11", "12"}) == 0.5
    assert gold_page_recall({"40"}, {"11"}) == 0.0
    assert gold_page_recall({"40"}, set()) is None


def test_precision_recall_threshold():
    scores, labels = [0.9, 0.8, 0.4, 0.2], [True, False, True, False]
    assert precision_recall(scores, labels, 0.5) == (0.5, 0.5)
    assert precision_recall(scores, labels, 0.3) == (2 / 3, 1.0)


def _result(citations, checks, text, decision="Upheld", repairs=()):
    rationale = ItemRationale(item=DisputedItem(text="Oxycodone"), decision=decision, rationale=text, citations=citations)
    return SimpleNamespace(rationale=rationale, report=VerificationReport(checks=checks), repairs=list(repairs))


def test_hallucinated_citation_is_counted_and_precision_drops():
    cite = Citation(guideline_id="cdc-opioids-2022", title="CDC", printed_page="11", quote="x" * 40)
    ok = _result([cite], [CitationCheck(marker="[1]", citation=cite, status="verified", message="")],
                 "Quote [1]. In this case, X. Therefore, the request is not medically necessary.")
    bad = _result([cite], [CitationCheck(marker="[1]", citation=cite, status="quote_not_found", message="")],
                  "Quote [1]. In this case, X. Therefore, the request is medically necessary.")
    rows = [score_draft(ok, {"cdc-opioids-2022": ["11"]}, False), score_draft(bad, {"cdc-opioids-2022": ["30"]}, False)]
    summary = summarise(rows)
    assert summary["hallucinated_citations"] == 1
    assert summary["citation_precision"] == 0.5
    assert summary["decision_consistent"] == 0.5
    assert summary["gold_page_hit"] == 0.5


def test_abstention_rate_fails_when_a_cdc_page_is_cited_for_an_mri():
    cite = Citation(guideline_id="cdc-opioids-2022", title="CDC", printed_page="18", quote="x" * 40)
    cited = _result([cite], [CitationCheck(marker="[1]", citation=cite, status="verified", message="")],
                    "Quote [1]. In this case, X. Therefore, the request is not medically necessary.")
    summary = summarise([score_draft(cited, {}, True)])
    assert summary["abstention_rate_when_required"] == 0.0


def test_conclusion_found_when_the_item_name_contains_a_decimal_point():
    text = "In this case, X. Therefore, the request for Meloxicam (Mobic) 7.5mg #30 is not medically necessary."
    assert structure_parts(text, True)["conclusion"]
    assert not structure_parts("In this case, X. The request is pending.", True)["conclusion"]


def test_decision_agreement_is_reported_only_with_a_model():
    rows = [{"citations_shown": 0, "citations_verified": 0, "hallucinated": 0, "flagged_and_removed": 0,
             "gold_recall": None, "complete": True, "consistent": True, "abstained": True,
             "expects_abstention": None, "decision_agrees": value} for value in (True, False, False)]
    assert summarise(rows)["decision_agreement_with_letters"] == 1 / 3
    for row in rows:
        row["decision_agrees"] = None
    assert summarise(rows)["decision_agreement_with_letters"] is None


def test_suggested_decision_from_a_fake_model(cdc_search):
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    from assistant.drafting.chain import DraftingChain
    from assistant.drafting.intake import case_from_file
    from assistant.drafting.llm_drafter import suggest_decision
    from conftest import FIXTURES

    case = case_from_file(FIXTURES / "cases" / "opioid-escalation.txt")
    evidence = DraftingChain(cdc_search, None).evidence(case, 0)
    reply = '{"decision": "Upheld", "reason": "No functional improvement."}'
    assert suggest_decision(FakeListChatModel(responses=[reply]), case, evidence).decision == "Upheld"


def test_gold_recommendation_hit_compares_sections_of_gold_pages():
    cite = Citation(guideline_id="cdc-opioids-2022", title="CDC", printed_page="36", quote="x" * 40,
                    section="Recommendation 5 > Determining Whether, When, and How to Taper")
    result = _result([cite], [CitationCheck(marker="[1]", citation=cite, status="verified", message="")],
                     "Quote [1]. In this case, X. Therefore, the request is not medically necessary.")
    sections = {("cdc-opioids-2022", "33"): {"Recommendation 5"}, ("cdc-opioids-2022", "40"): {"Recommendation 7"}}
    assert score_draft(result, {"cdc-opioids-2022": ["33"]}, False, sections)["gold_recommendation_hit"] is True
    assert score_draft(result, {"cdc-opioids-2022": ["40"]}, False, sections)["gold_recommendation_hit"] is False
