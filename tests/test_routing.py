"""Routing across guidelines: an item may cite only a guideline about its own body region and treatment.

Fast tests apply routing.toml to item wordings; the slow ones draft real dev letters' lumbar and cervical MRI
items against one shared CDC + low back pain index.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache

import pytest

from assistant.config import BUNDLED_CATALOG, Settings
from assistant.corpus.catalog import load_catalog
from assistant.contracts import CaseFile, DisputedItem
from assistant.drafting.evidence import abstention_for
from assistant.drafting.routing import case_regions, item_regions, load_routing, route_item
from assistant.vocabulary.categories import CATEGORIES, classify_item
from conftest import LETTERS_DIR, SHARED, make_settings, require_shared

LBP = "vadod-lbp-2022"
CDC = "cdc-opioids-2022"
LUMBAR_MRI_ITEMS = [("CM16-0240518", 0), ("CM17-0003917", 0), ("CM17-0008519", 0), ("CM17-0016311", 0), ("CM17-0017104", 0)]
CERVICAL_MRI_ITEMS = [("CM16-0213037", 1), ("CM16-0224814", 0), ("CM16-0235991", 0), ("CM17-0008479", 0)]
LBP_IMAGING_RECOMMENDATIONS = {"Recommendation 2", "Recommendation 3"}  # VA/DoD LBP 2022, printed pp. 28-30


def routed(item: str, case: str = "") -> list[str]:
    return route_item(item, classify_item(item), case).guidelines


def test_routing_table_names_only_catalog_guidelines_and_known_categories():
    catalog_ids = {g["id"] for g in tomllib.loads(BUNDLED_CATALOG.read_text(encoding="utf-8"))["guideline"]}
    category_names = {c.name for c in CATEGORIES}
    table = load_routing()
    assert table.routes
    for route in table.routes:
        assert route.guideline in catalog_ids, route.guideline
        assert route.categories <= category_names, route.categories - category_names
        assert route.why


@pytest.mark.parametrize("item", ["MRI of the lumbar spine", "MRI without contrast for the lumbar spine",
                                  "MRI of the lumbosacral spine without contrast, 1.5 Tesla or higher only",
                                  "Right L4 transforaminal epidural steroid injection under fluoroscopic guidance",
                                  "Six physical therapy visits for the lumbar"])
def test_low_back_items_route_to_the_low_back_pain_guideline(item):
    assert routed(item) == [LBP]


@pytest.mark.parametrize("item", ["MRI of the cervical spine without contrast", "Cervical spine MRI without contrast",
                                  "Eight physical therapy sessions for the neck", "MRI of the thoracic spine",
                                  "Right shoulder arthroscopy with subacromial decompression, acromioplasty",
                                  "Right knee arthroscopy with evaluation of ACL, medical meniscectomy",
                                  "EMG/NCS of the bilateral hand", "continuation for left hand therapy for 6 sessions",
                                  "Physical therapy 2 times a week for 6 weeks bilateral shoulder, elbow and wrist",
                                  "Spine surgery evaluation for the lumbar"])
def test_items_of_other_regions_or_uncovered_treatments_route_nowhere(item):
    decision = route_item(item, classify_item(item), "Chronic low back pain with osteoarthritis of the knee.")
    assert decision.guidelines == []
    assert decision.reason.startswith("read as ")
    note = abstention_for(DisputedItem(text=item), classify_item(item), decision)
    assert note.message.lower().count("no indexed guideline") == 1, note.message


@pytest.mark.parametrize("item", ["Norco 10/325mg #35", "Ultram 50mg #60", "Synapryn (10mg/1ml oral suspension) 500ml",
                                  "Trezix 370.4/16/30mg #60", "Urine drug screen"])
def test_opioid_items_route_to_cdc_whatever_the_region(item):
    assert routed(item) == [CDC]


def test_insomnia_drugs_route_to_the_insomnia_guideline():
    assert routed("Zolpidem 10mg #30 for insomnia") == ["vadod-sleep-2019"]
    assert routed("Ambien 5mg #30") == ["vadod-sleep-2019"]


def test_knee_injection_routes_to_the_oa_guideline_only_when_the_case_is_osteoarthritis():
    item = "Right knee intra-articular corticosteroid injection"
    assert routed(item, "Diagnosis: primary osteoarthritis of the right knee.") == ["vadod-oa-2020"]
    assert routed(item, "Diagnosis: right knee ACL tear after a fall at work.") == []


def test_osteoarthrosis_and_a_question_naming_osteoarthritis_route_to_the_oa_guideline():
    """QA reading of CM17-0015957 ("tricompartmental osteoarthrosis"): "Motrin 600mg #40" abstained, naming the MTUS,
    though the OA guideline's Recommendation 8 addresses oral NSAIDs for knee OA; and the chat question "what does the
    guideline say about NSAIDs for knee osteoarthritis?" said no indexed guideline addresses it, the case aside."""
    assert routed("Motrin 600mg #40", "The current diagnosis is documented as left knee meniscus tear. MRI of the left "
                                      "knee showed tricompartmental osteoarthrosis.") == ["vadod-oa-2020"]
    assert routed("What does the guideline say about NSAIDs for knee osteoarthritis?") == ["vadod-oa-2020"]
    assert routed("Motrin 600mg #40", "The current diagnosis is documented as left knee meniscus tear.") == []


def test_a_specific_spine_level_overrides_the_word_spine():
    assert item_regions("MRI of the lumbar spine") == ["lumbar"]
    assert item_regions("Chiropractic spinal manipulation times 6") == ["spine-unspecified"]
    assert item_regions("MRI of the cervical spine") == ["cervical"]


@pytest.fixture(scope="session")
def cdc_lbp_settings(tmp_path_factory):
    """One CDC + low back pain index for the session's drafting and chat tests."""
    from assistant.index.store import build_index

    require_shared(LETTERS_DIR)
    settings = make_settings(tmp_path_factory.mktemp("routing-home"), guidelines=f"{CDC},{LBP}")
    build_index(settings)
    return settings


@pytest.fixture(scope="session")
def cdc_lbp_chain(cdc_lbp_settings):
    from assistant.drafting.chain import DraftingChain
    from assistant.retrieval import GuidelineSearch

    search = GuidelineSearch(cdc_lbp_settings)
    return DraftingChain(search, search.page_ranking)


def _draft(chain, case_number: str, index: int):
    from assistant.drafting.intake import case_from_file

    case = case_from_file(require_shared(LETTERS_DIR / f"{case_number}.pdf"))
    return chain.run(case, index)


@pytest.mark.slow
@pytest.mark.parametrize("case_number,index", LUMBAR_MRI_ITEMS)
def test_lumbar_mri_items_cite_the_lbp_imaging_recommendation_verified(cdc_lbp_chain, case_number, index):
    result = _draft(cdc_lbp_chain, case_number, index)
    citations = result.rationale.citations
    assert citations, f"{case_number}: expected a low back pain guideline citation"
    assert {c.guideline_id for c in citations} == {LBP}
    assert {c.section.split(" > ")[0] for c in citations} & LBP_IMAGING_RECOMMENDATIONS
    lead = citations[0].section.split(" — ")[0].split(" > ")[0]
    assert lead in LBP_IMAGING_RECOMMENDATIONS, f"{case_number}: the draft leads with {citations[0].section}"
    assert result.report.ok, [p.message for p in result.report.problems]
    assert result.report.verified == len(citations)


@pytest.mark.slow
@pytest.mark.parametrize("case_number,index", CERVICAL_MRI_ITEMS)
def test_cervical_mri_items_cite_nothing_and_name_the_governing_mtus_part(cdc_lbp_chain, case_number, index):
    result = _draft(cdc_lbp_chain, case_number, index)
    assert result.rationale.citations == []
    assert result.evidence.candidates == []  # the low back guideline was never searched for a neck MRI
    abstention = result.rationale.abstention
    assert abstention is not None
    assert "MTUS" in (abstention.suggested_guideline or "")


@pytest.mark.slow
def test_a_low_back_and_groin_chiropractic_request_cites_the_manipulation_recommendation_for_the_low_back_only(cdc_lbp_chain):
    result = _draft(cdc_lbp_chain, "CM16-0232182", 0)  # "Referral to chiropractor … low back pain and left groin pain"
    citations = result.rationale.citations
    assert citations and {c.guideline_id for c in citations} == {LBP}
    assert {c.section.split(" — ")[0] for c in citations} <= {"Recommendation 10", "Recommendation 11"}
    assert result.rationale.scope_note == ("The guideline cited addresses the lumbar part of this request only; "
                                           "no indexed guideline addresses its pelvis/abdomen part.")
    assert result.rationale.scope_note in result.rationale.rationale
    assert result.report.ok, [p.message for p in result.report.problems]


@pytest.mark.slow
def test_a_model_written_draft_carries_the_scope_note_the_model_did_not_write(cdc_lbp_chain):
    import json

    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    from assistant.drafting.chain import DraftingChain
    from assistant.drafting.intake import case_from_file
    from assistant.drafting.offline import recommendation_statement

    offline = _draft(cdc_lbp_chain, "CM16-0232182", 0)
    quote = recommendation_statement(offline.evidence.governing[0].citation.quote)
    assert quote and "spinal mobilization/manipulation" in quote
    reply = json.dumps({"guideline_statement": f'The guideline states, "{quote}" [1].', "case_facts": [],
                        "conclusion": "Therefore, the request is not medically necessary.",
                        "citations": [{"evidence": 1, "quote": quote}]})
    chain = DraftingChain(cdc_lbp_chain.search, cdc_lbp_chain.ranker, model=FakeListChatModel(responses=[reply, reply]))
    case = case_from_file(require_shared(LETTERS_DIR / "CM16-0232182.pdf"))
    rationale = chain.run(case, 0, "Upheld").rationale
    assert rationale.scope_note and "pelvis/abdomen" in rationale.scope_note
    assert rationale.scope_note in rationale.rationale


@pytest.mark.slow
def test_which_guideline_applies_says_what_the_cited_guideline_does_not_cover(cdc_lbp_chain):
    from assistant.conversation.record_answer import governing_answer

    answer = governing_answer(1, _draft(cdc_lbp_chain, "CM16-0232182", 0).evidence)
    assert "Recommendation 1" in answer and "VA/DoD" in answer
    assert answer.rstrip().splitlines()[-2] == ("The guideline cited addresses the lumbar part of this request only; "
                                                "no indexed guideline addresses its pelvis/abdomen part.")


@pytest.mark.slow
def test_a_lumbar_lidocaine_patch_quotes_the_topical_preparations_statement(cdc_lbp_chain):
    result = _draft(cdc_lbp_chain, "CM16-0247802", 2)  # "Lidocaine 5% patch #1" in a lumbar case
    first = result.rationale.citations[0]
    assert (first.guideline_id, first.printed_page, first.section) == (LBP, "53", "Recommendation 22")
    assert "insufficient evidence to recommend for or against topical preparations" in first.quote
    assert result.rationale.scope_note is None
    assert result.report.ok and result.report.verified == len(result.rationale.citations)


def test_the_hand_checked_coverage_sample_is_40_judged_items_split_by_case():
    from evals.coverage import load_sample, sample_precision, split_of

    sample = load_sample()
    assert len(sample) == 40 and len({s.id for s in sample}) == 40
    for judged in sample:
        assert judged.split == split_of(judged.id.split("#")[0])
        assert judged.reason.strip()
        assert (judged.guideline_id is None) == (judged.printed_page is None)
    figures = sample_precision(sample)
    assert figures["all"]["n"] == figures["tune"]["n"] + figures["heldout"]["n"]


def test_an_item_naming_no_region_takes_the_single_region_of_the_case_diagnoses():
    lumbar_case = "The diagnoses are documented as lumbar sprain, and low back pain. Pain is 6/10."
    mixed_case = "The diagnoses are documented as cervical strain and lumbar sprain."
    assert routed("Spinal manipulation therapy 2 times a week for 4 weeks", lumbar_case) == [LBP]
    assert routed("Electrical Muscle Stimulation 2 times a week for 4 weeks", lumbar_case) == [LBP]
    assert routed("Electrical Muscle Stimulation 2 times a week for 4 weeks", mixed_case) == []
    assert routed("MRI of the cervical spine", lumbar_case) == []  # the item's own region wins
    assert routed("Spinal manipulation therapy 2 times a week for 4 weeks", mixed_case) == []  # two spine levels
    # CM16-0231745 (real letter): "lumbar spine sprain/strain and abdominal muscle strain" — spinal manipulation is
    # for the one spine level diagnosed; electrical stimulation, which names no region, stays unrouted.
    abdominal = "The current diagnoses are documented as lumbar spine sprain/strain and abdominal muscle strain."
    assert routed("Spinal manipulation 1 times 8", abdominal) == [LBP]
    assert routed("Electrical stimulation 1 times 8", abdominal) == []
    # CM17-0009282 (real letter): "left buttock and left thigh sciatic pain, right knee contusion" named the knee
    # alone, and "Sit-stand workstation" was read as a request for the knee.
    sciatic = "The patient is being treated for left buttock and left thigh sciatic pain, right knee contusion."
    assert case_regions(sciatic) == [] and case_regions("The diagnoses are sciatic pain.") == ["lumbar"]
    # CM17-0011517 (real letter): "was diagnosed as having … impingement syndrome right shoulder" was no diagnosis
    # sentence for routing (the checklist's fact extractor read it as one), so its PT and Voltaren items were read
    # "for no named body region", and the chat never said that no indexed guideline covers the shoulder.
    diagnosed = ("The injured worker was diagnosed as having shoulder pain right; impingement syndrome right shoulder; "
                 "degenerative tear of glenoid labrum right shoulder.")
    assert case_regions(diagnosed) == ["shoulder"]
    assert "for the shoulder region" in route_item("Eight physical therapy sessions", classify_item(
        "Eight physical therapy sessions"), diagnosed).reason
    # CM17-0014438 (real letter, a headache case): "Pantoprazole … (read as ppi for the head region)" read as if the
    # request named the head. A region only the diagnoses give says so; one the request names does not.
    headache = "The current diagnosis is documented as headache."
    assert route_item("Pantoprazole sod DR 20mg #60", classify_item("Pantoprazole sod DR 20mg #60"), headache).reason == (
        "read as ppi for the head region, which the case's diagnoses name")
    assert route_item("Eight physical therapy sessions for the right shoulder", classify_item(
        "Eight physical therapy sessions for the right shoulder"), diagnosed).reason == (
        "read as physical-therapy for the shoulder region")
    assert routed("Electrical Muscle Stimulation 2 times a week for 4 weeks",
                  "The injured worker was diagnosed with lumbar sprain.") == [LBP]


def test_psychological_therapy_for_chronic_pain_routes_to_cdc():
    assert routed("Cognitive behavioral therapy x4 sessions") == [CDC]
    assert set(routed("Cognitive behavioral therapy for the low back x6")) == {LBP, CDC}


@pytest.mark.parametrize("item,uncovered", [
    ("Six physical therapy sessions for the neck, left trapezius and low back", ["cervical"]),
    ("two physical therapy sessions for the lumbar spine, left shoulder and left knee", ["shoulder", "knee"]),
    ("Referral to chiropractor for evaluation of low back pain and left groin pain", ["pelvis-abdomen"]),
])
def test_an_item_naming_several_regions_routes_for_the_covered_one_and_names_the_rest(item, uncovered):
    decision = route_item(item, classify_item(item), "Chronic low back pain.")
    assert decision.guidelines == [LBP]
    assert decision.uncovered_regions == uncovered
    note = decision.scope_note()
    assert note.startswith("The guideline cited addresses the lumbar part of this request only")
    for region in uncovered:
        assert region.replace("-", "/") in note


def test_a_single_region_item_or_a_drug_class_route_has_no_scope_note():
    assert route_item("MRI of the lumbar spine", classify_item("MRI of the lumbar spine")).scope_note() == ""
    opioid = "Norco 10/325mg #60 for the neck and low back"
    decision = route_item(opioid, classify_item(opioid))
    assert CDC in decision.guidelines and decision.uncovered_regions == []  # the CDC route covers every region


@lru_cache(maxsize=None)
def _ingested(guideline_id: str):
    from assistant.corpus.ingest import ingest_pdf

    entry = next(e for e in load_catalog(Settings()) if e.id == guideline_id)
    return ingest_pdf(entry, require_shared(SHARED / "corpus" / entry.filename))


def _statements(guideline_id: str) -> dict[str, str]:
    """Each numbered recommendation's opening text, read from the real PDF (no index)."""
    first: dict[str, str] = {}
    for chunk in _ingested(guideline_id).chunks:
        if chunk.section_path and chunk.section_path[0].startswith("Recommendation "):
            first.setdefault(chunk.section_path[0], chunk.text)
    return first


@pytest.mark.parametrize("guideline_id,count", [(LBP, 39), ("vadod-oa-2020", 15)])
def test_the_drafter_quotes_each_recommendation_statement_whole_and_verifiable(guideline_id, count):
    """What the offline draft quotes from a recommendation's opening passage: the statement itself, without its
    number, footnote letter or strength label, found word for word on its page."""
    from assistant.drafting.offline import recommendation_statement
    from assistant.verification.textmatch import quote_occurs

    pages = {p.printed_page: p.text for p in _ingested(guideline_id).pages}
    opening = {c.section_path[0]: c for c in reversed(_ingested(guideline_id).chunks)
               if c.section_path and re.fullmatch(r"Recommendation \d+", c.section_path[0])}
    assert len(opening) >= count  # LBP 2022 has 39 recommendations
    for section, chunk in opening.items():
        statement = recommendation_statement(chunk.text)
        if statement is None:  # a statement ending in a bulleted list ("… of the hip or knee: • Acupuncture • …")
            assert re.search(r":\s*(?:•|$)", chunk.text), f"{section}: {chunk.text[:200]}"
            continue
        assert re.search(r"\b(?:we (?:suggest|recommend)|insufficient evidence)\b", statement, re.IGNORECASE), statement
        assert statement.endswith(".") and "(" not in statement.split(")")[-1], statement
        assert quote_occurs(statement, pages[chunk.printed_page]), f"{section}: {statement}"


# What a guideline calls a category's treatment where the vocabulary's words differ (LBP Rec 9: "a structured
# clinician-directed exercise program" is what physical therapy sessions deliver).
ALSO_CALLED = {"physical-therapy": (r"\bclinician-directed exercise\b",)}


@pytest.mark.parametrize("route_index,category,section", [
    (i, category, section) for i, route in enumerate(load_routing().routes)
    for category, sections in route.sections for section in sections])
def test_every_recommendation_routing_names_exists_and_its_statement_addresses_the_category(route_index, category, section):
    """The table vouches for these recommendations (their passages skip the relevance gate), so each must exist in
    its guideline and its statement must name the category's treatment."""
    route = load_routing().routes[route_index]
    statements = _statements(route.guideline)
    assert section in statements, f"{route.guideline} has no {section}"
    opening = statements[section].split("Discussion")[0]
    topic = next(c for c in CATEGORIES if c.name == category)
    patterns = (topic.passage_pattern, topic.item_pattern, *ALSO_CALLED.get(category, ()))
    names_it = any(re.search(pattern, opening, re.IGNORECASE) for pattern in patterns)
    assert names_it, f"{route.guideline} {section} does not name {category}: {opening[:200]}"


def test_therapeutic_ultrasound_laser_and_cupping_route_to_the_low_back_modalities_recommendation():
    lumbar_case = "The current diagnoses are documented as lumbar sprain, and low back pain."
    for item in ("Pulsed Ultrasound 2 times a week for 4 weeks", "Cold laser therapy to the low back x6"):
        decision = route_item(item, classify_item(item), lumbar_case)
        assert decision.guidelines == [LBP], item
        assert decision.preferred_sections[LBP] == {"Recommendation 17"}  # "cupping, laser therapy, TENS, and ultrasound"
    assert "physical-modality" not in classify_item("Ultrasound of the right shoulder").names  # diagnostic, not therapy
    assert routed("Pulsed ultrasound for the right shoulder", lumbar_case) == []


def _generated_lumbar_case(injured: str, visit: str, item: str):
    """A small generated case: a lifting injury to the low back, one visit, one request."""
    from assistant.drafting.intake import case_from_text

    return case_from_text(
        f"Date of injury: {injured}\nThe injured worker is a 38 year old man who injured his low back lifting boxes at "
        f"work on {injured}.\nOn {visit}, he reported low back pain 7/10 with spasm. Examination showed paraspinal "
        f"tenderness; strength and reflexes were normal.\nThe diagnosis was lumbar strain.\n\nIMR ISSUES:\n1. {item}\n")


@pytest.mark.slow
@pytest.mark.parametrize("item,acute,chronic", [
    ("Cyclobenzaprine 10mg #30", "Recommendation 23", "Recommendation 24"),
    ("Chiropractic manipulation 6 sessions for the lumbar spine", "Recommendation 11", "Recommendation 10"),
    ("Acupuncture 6 sessions for the low back", "Recommendation 35", "Recommendation 34"),
])
def test_the_draft_leads_with_the_recommendation_written_for_the_case_s_duration_of_pain(cdc_lbp_chain, item, acute, chronic):
    """LBP Recs 23/24, 11/10 and 35/34 say one thing for acute and another for chronic low back pain: eleven days
    after the injury the draft quotes the acute statement, four years after it the chronic one."""
    for visit, expected, other in (("10/12/2016", acute, chronic), ("10/12/2020", chronic, acute)):
        result = cdc_lbp_chain.run(_generated_lumbar_case("10/01/2016", visit, item), 0)
        citations = result.rationale.citations
        assert citations and citations[0].top_section == expected, (visit, [c.section for c in citations])
        duration = "acute" if expected == acute else "chronic"
        statement = next(c for c in citations if c.section == expected)
        assert f"For patients with {duration} low back pain" in statement.quote
        assert other not in {p.citation.top_section for p in result.evidence.governing}, visit
        assert result.report.verified == len(citations) and not [
            c for c in result.report.checks if c.citation is not None and c.status != "verified"]


def test_a_sampled_judgement_goes_stale_when_the_first_citation_moves_to_another_recommendation_on_the_same_page():
    from evals.coverage import SampleJudgement, stale_judgements

    judged = SampleJudgement(id="X#1", split="tune", item="chiropractic", guideline_id=LBP, printed_page="40",
                             section="Recommendation 10", addresses_request=True, reason="read")

    def row(section: str | None) -> dict:
        citations = [{"guideline_id": LBP, "printed_page": "40", "section": section}] if section else []
        return {"id": "X#1", "citations": citations}

    assert stale_judgements([row("Recommendation 10 — Discussion")], [judged]) == []
    assert stale_judgements([row("Recommendation 11")], [judged]) == ["X#1"]
    assert stale_judgements([row(None)], [judged]) == ["X#1"]


@pytest.mark.slow
def test_an_overturned_draft_does_not_say_the_record_documents_each_requirement_when_one_shown_is_not_met(cdc_lbp_chain):
    """Chiropractic eleven days after the injury: 'Is the low back pain chronic?' is shown as not met (a supporting
    criterion), so the conclusion cannot claim every requirement above is documented."""
    case = _generated_lumbar_case("10/01/2016", "10/12/2016", "Chiropractic manipulation 6 sessions for the lumbar spine")
    result = cdc_lbp_chain.run(case, 0, "Overturned")
    text = result.rationale.rationale
    assert "Not met" in text
    assert "documents each requirement above" not in text
    assert text.endswith("is medically necessary.")
    chronic = cdc_lbp_chain.run(_generated_lumbar_case("10/01/2012", "10/12/2016",
                                                       "Chiropractic manipulation 6 sessions for the lumbar spine"), 0, "Overturned")
    assert "Not met" not in chronic.rationale.rationale
    assert "as the record documents each requirement above" in chronic.rationale.rationale


@pytest.mark.slow
def test_an_upheld_checklist_draft_names_the_required_criterion_its_conclusion_counts(cdc_lbp_chain):
    """Cyclobenzaprine four years after the injury: three rows read "Not met" or "Not documented", one of them
    required. The conclusion said "given that 1 of the requirements above is not met or not documented", which the
    reader could not square with three negative rows; it names the one it counts."""
    case = _generated_lumbar_case("10/01/2012", "10/12/2016", "Cyclobenzaprine 10mg #30")
    text = cdc_lbp_chain.run(case, 0, "Upheld").rationale.rationale
    conclusion = text[text.rindex("Therefore"):]
    assert text.count("Not met") + text.count("Not documented") >= 2
    assert conclusion.startswith("Therefore, given that the required criterion above (is this other than ongoing use "
                                 "for chronic low back pain) is not met or not documented, the request for "), conclusion


@pytest.mark.slow
@pytest.mark.parametrize("item,acute,chronic", [
    ("Cyclobenzaprine 10mg #30", "Recommendation 23", "Recommendation 24"),
    ("Acupuncture 6 sessions for the low back", "Recommendation 35", "Recommendation 34"),
])
def test_pain_the_record_dates_subacute_gets_both_the_acute_and_the_chronic_statement(cdc_lbp_chain, item, acute, chronic):
    """Seven and a half weeks after the injury neither the acute (< 4 weeks) nor the chronic (> 12 weeks) statement
    is written for this patient: the draft quotes both, each verified, rather than one chosen by word overlap."""
    result = cdc_lbp_chain.run(_generated_lumbar_case("08/20/2016", "10/12/2016", item), 0)
    sections = [c.section for c in result.rationale.citations]
    assert acute in sections and chronic in sections, sections
    assert {acute, chronic} <= {p.citation.top_section for p in result.evidence.governing}
    assert result.report.verified == len(sections) and result.report.ok, [p.message for p in result.report.problems]


@pytest.mark.slow
def test_which_guideline_applies_says_why_the_acute_or_chronic_statement_was_chosen_quoting_the_dates(cdc_lbp_chain):
    from assistant.conversation.record_answer import governing_answer
    from assistant.verification.record import full_record_text
    from assistant.verification.textmatch import quote_occurs

    item = "Cyclobenzaprine 10mg #30"
    acute = _generated_lumbar_case("10/01/2016", "10/12/2016", item)
    answer = governing_answer(1, cdc_lbp_chain.evidence(acute, 0))
    line = next(l for l in answer.splitlines() if l.startswith("The record dates the pain"))
    assert "11 days from the injury — acute (under four weeks), so the statement for acute pain is shown" in line
    quotes = re.findall(r"“([^”]+)”", line)
    assert len(quotes) == 2 and all(quote_occurs(q, full_record_text(acute)) for q in quotes)
    subacute = governing_answer(1, cdc_lbp_chain.evidence(_generated_lumbar_case("08/20/2016", "10/12/2016", item), 0))
    assert "53 days from the injury — subacute (4 to 12 weeks), which neither" in subacute
    physical_therapy = governing_answer(1, cdc_lbp_chain.evidence(
        _generated_lumbar_case("10/01/2016", "10/12/2016", "Physical therapy 6 sessions for the lumbar spine"), 0))
    assert "The record dates the pain" not in physical_therapy  # Rec 9 is for all low back pain
    from assistant.drafting.intake import case_from_text

    undated = case_from_text("The injured worker reports chronic low back pain with spasm after lifting at work. "
                             f"The diagnosis was lumbar strain.\n\nIMR ISSUES:\n1. {item}\n")
    called = governing_answer(1, cdc_lbp_chain.evidence(undated, 0))
    assert ("The record calls the pain chronic, so the statement for chronic pain is shown: “The injured worker reports "
            "chronic low back pain with spasm after lifting at work.”") in called


def test_a_chat_question_with_a_case_open_shows_the_guideline_it_is_routed_to_first(cdc_lbp_settings):
    """"is electrical stimulation recommended?" in a lumbar sprain case listed only the stroke guideline's passages;
    it is routed like an item of the case (TENS, lumbar from the diagnoses) and the low back guideline's passages
    come first, with the rest of the corpus still listed. A question naming another guideline's condition is not
    narrowed to this case's."""
    from assistant.conversation.engine import ConversationEngine
    from assistant.services import Services

    services = Services.open(cdc_lbp_settings)
    engine = ConversationEngine(services)
    case = CaseFile(case_id="gen", summary="The current diagnoses are documented as lumbar sprain and low back pain. "
                                           "On 12/05/2016 he reported low back pain rated 6/10.",
                    items=[DisputedItem(text="Electrical muscle stimulation 2 times a week for 4 weeks")])
    reply = engine.reply(case.case_id, "is electrical stimulation recommended?", None, case)
    assert reply.text.startswith("For this case (the question read as tens for the lumbar region"), reply.text
    assert reply.passages and reply.passages[0].citation.guideline_id == LBP
    assert reply.passages[0].citation.printed_page == "47"  # Recommendation 17: TENS, insufficient evidence
    other = engine.reply(case.case_id, "electrical stimulation after a stroke?", None, case)
    assert not other.text.startswith("For this case"), other.text
    drug = engine.reply(case.case_id, "is naloxone needed here?", None, case)  # a drug-class route: no region said
    assert drug.text.startswith("For this case (the question read as naloxone, which the routing table sends to the CDC"), drug.text
    plain = engine.reply(None, "is electrical stimulation recommended?", None, None)
    assert plain.text.startswith("The closest guideline passages"), plain.text


def test_diagnoses_stated_as_what_the_worker_is_treated_for_give_the_case_its_region_and_diagnosis():
    """24 of the 63 dev letters state the diagnoses only as "is undergoing treatment for …" / "is being treated
    for …": an item naming no region ("2 sessions of physical therapy", CM17-0013754) abstained although the case is
    a lumbar disc herniation, and the case overview said "Diagnosis: not documented"."""
    from assistant.criteria.facts import extract_record_facts
    from assistant.criteria.model import RecordFact

    case = ("The patient is being treated for herniated intervertebral disc of lumbar spine and lumbar paraspinal "
            "muscle spasm. Pain is 6/10.")
    assert routed("2 sessions of physical therapy", case) == [LBP]
    assert routed("2 sessions of physical therapy", "The patient reports pain of 6/10.") == []
    facts = extract_record_facts(case)
    assert [f.citation.quote for f in facts.get(RecordFact.diagnosis).present()] == [case.split(". ")[0] + "."]


@pytest.mark.slow
def test_an_nsaid_for_low_back_pain_is_drafted_from_the_nsaid_checklist_under_its_recommendation(cdc_lbp_chain):
    """Meloxicam for low back pain (CM17-0019171's request) had no checklist: the low back set held no NSAID topic, so
    its draft pasted Recommendation 19 beside record sentences chosen by word overlap. The set now asks whether the
    NSAID is a first or short course or continued with documented benefit, and whether renal, cardiovascular and GI
    risks are considered; the draft opens with the recommendation's own statement (its rows quote only its
    discussion) and every quote verifies."""
    case = _generated_lumbar_case("10/29/2016", "01/12/2017", "Meloxicam 7.5mg #30")
    case = case.model_copy(update={"summary": case.summary.replace(
        "The diagnosis was lumbar strain.", "The diagnosis was lumbar strain. He has taken naproxen since November 2016 "
        "without documented relief.")})
    result = cdc_lbp_chain.run(case, 0, "Upheld")
    rows = {r.criterion_id: r.status for r in result.rationale.checklist.rows}
    assert rows == {"lbp-nsaid-course": "not_met", "lbp-nsaid-caution-comorbidities": "not_documented"}, rows
    text = result.rationale.rationale
    assert text.startswith('As noted on page 50 of the VA/DoD Clinical Practice Guideline for the Diagnosis and Treatment '
                           'of Low Back Pain, "For patients with low back pain, we suggest nonsteroidal anti-inflammatory '
                           'drugs." [1].'), text[:300]
    assert "Is the NSAID a first or short course" in text and result.report.ok and result.report.ready_to_sign
    # CM17-0019171's draft read 'Not met: the record states "… Ketoprofen since at least October 2016"': the quote
    # showed the earlier use, nothing said what was missing. The missing benefit is an absence the verifier confirms.
    assert ("Not met: the medication is continued (earlier use is documented); there is no documentation of pain relief "
            "or functional benefit from it.") in text, text
    assert any(c.absence and c.status == "verified" and "functional benefit from it" in (c.sentence or "")
               for c in result.report.record_checks)


def test_an_eeg_routes_to_the_mild_tbi_guideline_only_in_a_concussion_case():
    """QA reading of CM16-0236906: "Electroencephalogram" in a post-concussion case was "read as an uncategorised
    request" and abstained, while the mild TBI guideline's Recommendation 4 (p. 27) suggests against EEG to establish
    the diagnosis of mild TBI or direct the care of its symptoms. No other case's EEG goes there."""
    concussion = "The injured worker was being treated for postconcussion syndrome, skull vault fracture-initial, and migraine."
    decision = route_item("Electroencephalogram", classify_item("Electroencephalogram"), concussion)
    assert decision.guidelines == ["vadod-mtbi-2021"]
    assert decision.preferred_sections["vadod-mtbi-2021"] == {"Recommendation 4"}
    assert routed("EEG", "The diagnoses are seizure disorder of the head.") == []


def test_a_lettered_list_stays_in_the_recommendation_it_belongs_to():
    """The offline drafter quoted "… attributed to mild traumatic brain injury: a." for the EEG request: the sentence
    splitter cut the list at its first marker, so the quote never named EEG. The list is kept, and the statement ends
    at its strength tag, not in the discussion heading after it."""
    from assistant.drafting.offline import passage_sentences

    text = ("4. We suggest against using the following tests to establish the diagnosis of mild traumatic brain injury "
            "or direct the care of patients with symptoms attributed to mild traumatic brain injury: a. Neuroimaging b. "
            "Serum biomarkers c. Electroencephalogram (Weak against | Reviewed, Amended) Discussion Mild TBI continues "
            "to be a clinical diagnosis based on the VA/DoD criteria outlined above (see Background).")
    sentences = passage_sentences(text)
    assert sentences[0].startswith("We suggest against") and sentences[0].endswith(
        "c. Electroencephalogram (Weak against | Reviewed, Amended)"), sentences
    assert sentences[1].startswith("Discussion Mild TBI continues")
