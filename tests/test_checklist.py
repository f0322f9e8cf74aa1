"""Criteria checklist: MME/day exact on hand-computed cases, record facts with verbatim quotes and negation,
checklist statuses and the suggested decision, and drafts written from the checklist."""

from __future__ import annotations

import json
import re
from functools import lru_cache

import pytest

from assistant.contracts import REQUEST_SOURCE, CaseFile, DisputedItem
from assistant.criteria import load_criteria_dir
from assistant.criteria.checklist import build_checklist, decision_warning, item_category
from assistant.criteria.facts import extract_record_facts
from assistant.criteria.mme import compute_mme
from assistant.criteria.model import RecordFact
from assistant.verification.textmatch import quote_occurs
from conftest import PROJECT_ROOT, SHARED, require_shared

MME_CASES = [json.loads(line) for line in (PROJECT_ROOT / "evals" / "datasets" / "mme_cases.jsonl").read_text().splitlines() if line.strip()]

OPIOID_RECORD = (
    "The injured worker is a 52-year-old male injured on 01/10/2016. Current medications include Norco 10/325 mg one tablet "
    "every 6 hours and Xanax 0.5 mg at bedtime. On 06/01/2016, pain was rated 8/10. On 11/02/2016, pain was rated 7/10. "
    "He denies bowel or bladder dysfunction. Motor strength, sensation, and reflexes were normal. "
    "A urine drug screen on 10/15/2016 was consistent with prescribed medications. CURES was not checked. "
    "He remains off work."
)
OPIOID_CASE = CaseFile(case_id="gen-opioid", summary=OPIOID_RECORD, injury_date="01/10/2016",
                       items=[DisputedItem(text="Norco 10/325mg #120")])


@lru_cache(maxsize=1)
def shipped_sets():
    from evals.criteria import corpus_pages

    require_shared(SHARED / "corpus" / "cdc-opioids-2022.pdf")
    pages = corpus_pages(str(SHARED / "corpus"))
    return load_criteria_dir(pages), pages


@pytest.mark.parametrize("case", MME_CASES, ids=[c["id"] for c in MME_CASES])
def test_mme_per_day_is_exact_on_every_hand_computed_case(case):
    result = compute_mme(case["regimen"])
    got = result.mme_per_day_min if case["id"].endswith("-prn-min") else result.mme_per_day
    assert got == pytest.approx(case["expected_mme_per_day"], abs=0.05), result.arithmetic()
    for component, expected in zip(result.components, case["components"]):
        assert component.conversion_factor == expected["conversion_factor"]


def test_mme_shows_its_arithmetic_and_refuses_a_regimen_without_frequency():
    assert compute_mme("hydrocodone 10 mg four times daily").arithmetic() == "hydrocodone 10 mg × 4/day × 1.0 = 40 MME/day"
    unreadable = compute_mme("Ultram 50mg #60")
    assert unreadable.mme_per_day is None and unreadable.unreadable == ["Ultram"]
    # The dose is there; how often it is taken is not, and that is what the checklist says is missing.
    assert unreadable.missing == "how often the opioid is taken" and unreadable.arithmetic() == "Ultram: frequency not documented"
    assert compute_mme("Norco as needed").missing == "the opioid's dose and frequency"
    # "five times daily" is five a day, not "daily" (the taper fixture: 10 mg × 5 × 1.5 = the record's 75 MME/day).
    assert compute_mme("oxycodone 10mg five times daily (75 MME per day)").mme_per_day == 75


def test_record_facts_quote_the_record_verbatim_with_dates_and_honour_negation():
    facts = extract_record_facts(OPIOID_RECORD, injury_date="01/10/2016", item_text="Norco 10/325mg #120")
    for answer in facts.answers.values():
        for finding in answer.findings:
            assert finding.citation.source == REQUEST_SOURCE or quote_occurs(finding.citation.quote, OPIOID_RECORD)
    assert facts.get(RecordFact.red_flags).status == "documented_absent"
    assert facts.get(RecordFact.neuro_findings).status == "documented_absent"
    assert facts.get(RecordFact.pdmp_check).status == "documented_absent"
    udt = facts.get(RecordFact.urine_drug_test)
    assert udt.status == "documented" and udt.findings[0].citation.date == "10/15/2016"
    scores = [(f.citation.date, f.value) for f in facts.get(RecordFact.pain_scores).present()]
    assert scores == [("06/01/2016", 8.0), ("11/02/2016", 7.0)]
    assert facts.get(RecordFact.naloxone).status == "not_documented"
    assert facts.mme is not None and facts.mme.mme_per_day == 40.0
    assert any("benzodiazepine" in m.classes for m in facts.medications), [m.classes for m in facts.medications]
    assert facts.symptom_days == 297  # 2016-01-10 to 2016-11-02 (a leap year)


def test_the_injury_date_dates_its_own_sentence_not_the_ones_after_it():
    """CM16-0247802: "… a history of an occupational claim from 11/02/2016." then "Relevant medications included
    Norco, Ketaprofen, and cyclobenzaprine." — quoted in drafts as "(11/02/2016)", as if listed on the injury day.
    A visit's date still dates the sentences of that visit."""
    from assistant.criteria.facts import sentences_with_dates

    dated = sentences_with_dates("The injured worker sustained an industrial injury on 10-20-2016. Treatment to date "
                                 "includes medications. On 11/04/2016, he reported pain 8/10. Strength was normal.")
    assert dated == [("The injured worker sustained an industrial injury on 10-20-2016.", "10-20-2016"),
                     ("Treatment to date includes medications.", None),
                     ("On 11/04/2016, he reported pain 8/10.", "11/04/2016"), ("Strength was normal.", "11/04/2016")]


def test_pain_scores_written_out_of_10_are_pain_scores_with_their_value():
    """Half of the dev letters' pain scores read "rated 8 out of 10" (22 of 44); the extractor knew only "8/10"."""
    facts = extract_record_facts("On 11/04/2016 he rated pain an 8 out of 10. On 12/01/2016 low back pain was rated "
                                 "2-3 out of 10 with physical therapy. Pain was 5/10 on 12/15/2016.")
    scores = [(f.citation.date, f.value) for f in facts.get(RecordFact.pain_scores).present()]
    assert scores == [("11/04/2016", 8.0), ("12/01/2016", 3.0), ("12/15/2016", 5.0)]
    assert not extract_record_facts("He was out of work for 10 days.").get(RecordFact.pain_scores).present()


def test_pain_scores_on_a_scale_of_ten_are_pain_scores_with_their_value():
    """Three dev letters write the scale out: "pain in the midback that he rates a 9 on a scale of 0-10"
    (CM17-0007376), "rated 6-8 on a 10-point scale" (CM16-0213037), "rated 1 on a 10-point scale" (CM17-0019907);
    the chat said "Pain scores: not documented" for each."""
    facts = extract_record_facts("On 12/20/2016 he has a crushing type of pain in the midback that he rates a 9 on a "
                                 "scale of 0-10. On 01/05/2017 the pain was rated 6-8 on a 10-point scale. On "
                                 "01/20/2017 lumbar pain was rated 1 on a 10-point scale.")
    scores = [(f.citation.date, f.value) for f in facts.get(RecordFact.pain_scores).present()]
    assert scores == [("12/20/2016", 9.0), ("01/05/2017", 8.0), ("01/20/2017", 1.0)]
    assert not extract_record_facts("Pain is measured on a scale of 1 to 10.").get(RecordFact.pain_scores).present()


def test_work_status_is_read_after_a_glued_sentence_and_in_the_record_s_other_words():
    """CM17-0019011: "… in its determination.The applicant subsequently appealed.On November 2, 2016, work
    restrictions were imposed." was one sentence of the review's account to the extractors (the record verifier
    already split it), and "placed off of work, on total temporary disability" and (CM16-0244053) "is currently
    working with modified duties" were no work status: "is he working?" answered "not documented"."""
    facts = extract_record_facts(
        "In a utilization review report dated January 20, 2017, the claims administrator failed to approve a request "
        "for Naprosyn. The claims administrator referenced a January 6, 2017 date of service in its determination.The "
        "applicant subsequently appealed.On November 2, 2016, work restrictions were imposed. On a subsequent visit "
        "dated November 3, 2016, the applicant was placed off of work, on total temporary disability.")
    work = [(f.citation.quote, f.citation.date) for f in facts.get(RecordFact.work_status).present()]
    assert work == [("On November 2, 2016, work restrictions were imposed.", "November 2, 2016"),
                    ("On a subsequent visit dated November 3, 2016, the applicant was placed off of work, on total "
                     "temporary disability.", "November 3, 2016")], work
    current = extract_record_facts("The injured worker is currently working with modified duties.")
    assert current.get(RecordFact.work_status).present()
    past = extract_record_facts("The mechanism of injury was detailed as the patient was working on his knees.")
    assert not past.get(RecordFact.work_status).present()  # what he was doing when injured is no work status


def test_a_denied_loss_of_function_documents_function_and_a_denied_loss_of_a_red_flag_stays_denied():
    """CM17-0007142: "The patient did not have diminished function." was answered "Function: documented as absent" —
    the negation is of the loss, not of function. Bowel and bladder control lost or not is a red flag either way."""
    for sentence in ("The patient did not have diminished function.", "There was no loss of function.",
                     "He reports no decrease in function with medications."):
        function = extract_record_facts(sentence).get(RecordFact.function)
        assert [f.citation.quote for f in function.present()] == [sentence] and not function.absent(), sentence
    for sentence in ("No functional improvement was documented.", "There was no improvement in function."):
        assert extract_record_facts(sentence).get(RecordFact.function).absent(), sentence
    red_flags = extract_record_facts("She denied loss of bowel and bladder control.").get(RecordFact.red_flags)
    assert red_flags.absent() and not red_flags.present()


def test_a_reflex_of_the_brachioradialis_is_no_brace():
    """CM17-0005177: "Bilateral biceps, brachioradialis, and triceps reflexes were rated as 2 of 4." was listed among
    the prior treatments (a brace, by its first letters)."""
    reflexes = extract_record_facts("Bilateral biceps, brachioradialis, and triceps reflexes were rated as 2 of 4.")
    assert not reflexes.get(RecordFact.prior_treatments).present()
    braced = extract_record_facts("She was given a lumbar brace and used bracing for six weeks.")
    assert braced.get(RecordFact.prior_treatments).present("rest-modalities")


@pytest.mark.parametrize("sentence", [
    "The patient has a posterior labral tear; failing treatment and will likely need surgery if not better.",
    "The surgical history was stated to be none.",
    "The diagnostic studies and surgical history were noncontributory to the request.",
    "Treatment to date has included medication, diagnostic testing, surgical shoe, and crutches.",
])
def test_surgery_needed_a_surgical_history_or_a_surgical_shoe_is_no_surgery_received(sentence):
    """Dev letters CM17-0011517, CM17-0014449, CM16-0245796 and CM17-0009883 each had a prior surgery by these."""
    assert not extract_record_facts(sentence).get(RecordFact.prior_treatments).present("surgery")


@pytest.mark.parametrize("sentence,treatment", [
    ("Physical therapy appointments were scheduled on the last visit but the injured worker did not go to the "
     "appointment.", "physical-therapy"),  # CM16-0224814
    ("Six sessions of physical therapy and occupational therapy were ordered.", "physical-therapy"),  # CM17-0011543
    ("On 11/21/2016 the patient complained of right hip pain and is requesting more physical therapy sessions.",
     "physical-therapy"),  # CM16-0235869
    ("The recommendation was to continue physical therapy for the left shoulder.", "physical-therapy"),  # CM17-0015849
    ("The pain was aggravated by grasping, pinching, fine finger manipulation and driving.", "chiropractic"),  # CM17-0015849
    ("The request was previously modified for chiropractic therapy as an initial set of visits is indicated.",
     "chiropractic"),  # CM16-0239569, a review's account
])
def test_treatment_scheduled_ordered_asked_for_or_only_named_is_no_treatment_received(sentence, treatment):
    assert not extract_record_facts(sentence).get(RecordFact.prior_treatments).present(treatment)


def test_surgery_received_is_prior_surgery():
    for sentence in ("Relevant treatments have included: left hand surgery (10-22-2016), physical therapy.",
                     "Treatment included medications, splinting, physical therapy, and surgery.",
                     "On 11-14-2016 the provider noted there was a closed reduction and percutaneous pinning of the right "
                     "distal radius fracture on 11-9-2016."):
        assert extract_record_facts(sentence).get(RecordFact.prior_treatments).present("surgery"), sentence


def test_a_limb_fracture_that_is_no_red_flag_for_the_spine_still_warrants_acute_opioids_once_set():
    """CM16-0234202: a wrist fracture, reduced and pinned — not a red flag for spinal imaging, but the severe trauma
    and surgery for which the CDC finds opioids have a role (its reviewer: 'after the closed reduction and
    percutaneous pinning of the right distal radius fracture')."""
    summary = ("The injured worker suffered an industrial injury on 10-27-2016. The X-rays revealed a dorsally displaced "
               "fracture of the distal radius. On 11-14-2016 the provider noted there was a closed reduction and "
               "percutaneous pinning of the right distal radius fracture on 11-9-2016.")
    row = _row(summary, "Norco 10/325mg #35", "cdc-acute-severity-warrants", injury_date="10-27-2016")
    assert row.status == "met" and any("pinning" in c.quote for c in row.record_citations)
    # … and no nonopioid therapy: a surgery is not what the CDC asks to be tried before opioids
    first = _row(summary, "Norco 10/325mg #35", "cdc-acute-nonopioid-first", injury_date="10-27-2016")
    assert first.status == "not_documented" and not first.record_citations


def test_a_sentence_that_leaves_the_work_status_open_documents_none():
    """CM16-0240259: "It was not clearly stated whether the applicant was or was not working with said limitations in
    place." was listed as the work status."""
    open_question = extract_record_facts("It was not clearly stated whether the applicant was or was not working with "
                                         "said limitations in place.")
    assert not open_question.get(RecordFact.work_status).findings
    assert extract_record_facts("The injured worker is not working.").get(RecordFact.work_status).findings


def test_a_work_status_the_patient_wishes_for_is_none():
    """CM16-0244053: "… his left leg feels like it is in a bucket of fire and that he needs to be taken off work
    because he needs to lie down." and CM17-0011543: "The applicant reportedly importuned his primary treating
    provider to place him off of work." were read as work statuses; the second letter's status is the sentence after
    it, "The applicant was apparently working on a part-time basis, at a rate of 8 hours a day.", which was missed."""
    for wish in ("The injured worker reports that his left leg feels like it is in a bucket of fire and that he needs "
                 "to be taken off work because he needs to lie down.",
                 "The applicant reportedly importuned his primary treating provider to place him off of work."):
        assert not extract_record_facts(wish).get(RecordFact.work_status).findings, wish
    status = "The applicant was apparently working on a part-time basis, at a rate of 8 hours a day."
    assert [f.citation.quote for f in extract_record_facts(status).get(RecordFact.work_status).present()] == [status]
    assert extract_record_facts("He was placed off work until the next visit.").get(RecordFact.work_status).present()
    assert extract_record_facts("The patient was asked to remain off work.").get(RecordFact.work_status).present()


def test_a_symptom_in_a_diagnosis_list_is_no_side_effect():
    """CM16-0243394: "Diagnoses include right hand contusion, dizziness and giddiness, cervical sprain, concussion, …"
    was a side effect, which would count as the risks of an opioid reassessed (CDC Recommendation 7)."""
    listed = ("Diagnoses include right hand contusion, dizziness and giddiness, cervical sprain, concussion, lumbar "
              "sprain, and history of autism spectrum.")
    assert not extract_record_facts(listed).get(RecordFact.side_effects).findings
    for effect in ("He reports constipation and drowsiness with Norco.",
                   "Diagnosed with lumbar strain, he reports nausea from tramadol.",
                   "Diagnoses: lumbar radiculopathy, constipation secondary to opioids."):
        assert extract_record_facts(effect).get(RecordFact.side_effects).present(), effect
    assert extract_record_facts("He denies side effects.").get(RecordFact.side_effects).absent()


def test_a_nonopioid_pain_drug_the_record_names_as_used_is_a_medication_tried():
    """CM16-0238352: "Naprosyn was prescribed." was the record's only treatment, and "what prior treatment has been
    tried?" answered "not documented": the medication class needed the word "medication"."""
    tried = extract_record_facts("Naprosyn was prescribed.").get(RecordFact.prior_treatments).present("medication")
    assert [f.citation.quote for f in tried] == ["Naprosyn was prescribed."]
    for not_tried in ("Norco was prescribed.", "He denies taking ibuprofen.", "The plan is to start Naprosyn.",
                      "Omeprazole was prescribed.",
                      # CM16-0243394: what he cannot take is no medication tried
                      "The record documented a history of a diagnosis of autism spectrum disorder and large tongue "
                      "resulting in difficulty swallowing oral medications.", "She is allergic to pain medications."):
        assert not extract_record_facts(not_tried).get(RecordFact.prior_treatments).present("medication"), not_tried


def test_imaging_named_without_its_modality_is_prior_imaging():
    """CM17-0019907: "Treatment to date included activity modifications, diagnostic imaging, and medications." —
    "what imaging has been done?" answered "not documented"."""
    facts = extract_record_facts("Treatment to date included activity modifications, diagnostic imaging, and medications.")
    assert facts.get(RecordFact.prior_imaging).present()
    assert not extract_record_facts("No imaging studies were submitted.").get(RecordFact.prior_imaging).present()


def test_checklist_marks_each_criterion_with_its_guideline_page_and_record_quote():
    sets, pages = shipped_sets()
    checklist = build_checklist(OPIOID_CASE, 0, sets, item_category("Norco 10/325mg #120"), pages=pages)
    assert checklist is not None and checklist.category == "opioid"
    rows = {r.criterion_id: r for r in checklist.rows}
    assert rows["cdc-udt-periodic"].status == "met"
    assert rows["cdc-pdmp-review"].status == "not_met"
    assert rows["cdc-benzo-caution"].status == "not_met"
    assert rows["cdc-naloxone-offered"].status == "not_documented"
    assert rows["cdc-acute-short-duration"].status == "not_applicable"
    for row in checklist.rows:
        assert quote_occurs(row.guideline.quote, pages.page(row.guideline.guideline_id, row.guideline.printed_page).text)
        for citation in row.record_citations:
            assert quote_occurs(citation.quote, OPIOID_RECORD)
    assert checklist.mme_per_day == 40.0 and checklist.mme_citation.printed_page == "31"
    assert checklist.suggested_decision == "Upheld" and checklist.suggestion_reasons


def test_warning_when_the_decision_runs_against_the_checklist_and_the_decision_is_untouched():
    sets, pages = shipped_sets()
    checklist = build_checklist(OPIOID_CASE, 0, sets, "opioid", decision="Overturned", pages=pages)
    assert checklist.warning and "overturning" in checklist.warning
    assert decision_warning(checklist, "Upheld") is None
    all_met = checklist.model_copy(update={"rows": [r.model_copy(update={"status": "met"}) for r in checklist.rows]})
    assert "upholding" in decision_warning(all_met, "Upheld")


def test_no_checklist_for_an_item_no_criteria_set_covers():
    sets, pages = shipped_sets()
    case = OPIOID_CASE.model_copy(update={"items": [DisputedItem(text="Hearing aids")]})
    assert build_checklist(case, 0, sets, item_category("Hearing aids"), pages=pages) is None


def test_upheld_and_overturned_drafts_differ_for_the_right_reasons():
    from assistant.drafting.checklist_writer import draft_from_checklist
    from assistant.drafting.evidence import Evidence
    from assistant.vocabulary.categories import classify_item

    sets, pages = shipped_sets()
    item = OPIOID_CASE.items[0]
    evidence = Evidence(item=item, topic=classify_item(item.text), queries=[], candidates=[])
    checklist = build_checklist(OPIOID_CASE, 0, sets, "opioid", pages=pages)
    upheld = draft_from_checklist(OPIOID_CASE, evidence, "Upheld", checklist)
    overturned = draft_from_checklist(OPIOID_CASE, evidence, "Overturned", checklist)
    assert upheld.rationale.split(" In this case")[1] != overturned.rationale.split(" In this case")[1]
    assert "not met or not documented" in upheld.rationale and upheld.rationale.endswith("is not medically necessary.")
    assert overturned.rationale.endswith(" is medically necessary.")
    for draft in (upheld, overturned):
        assert draft.checklist is checklist or draft.checklist == checklist
        for number, citation in enumerate(draft.citations, start=1):
            assert f"[{number}]" in draft.rationale
            assert quote_occurs(citation.quote, pages.page(citation.guideline_id, citation.printed_page).text)
        for number, citation in enumerate(draft.record_citations, start=1):
            assert f"[R{number}]" in draft.rationale and quote_occurs(citation.quote, OPIOID_RECORD)


@pytest.mark.slow
def test_draft_json_carries_a_checklist_whose_quotes_all_verify(cdc_settings, capsys):
    """`assistant draft CASE --item 1 --decision overturned --json` on the real CDC index."""
    from assistant.cli import main
    from conftest import FIXTURES

    case_file = FIXTURES / "cases" / "opioid-benzo.txt"
    assert main(["--home", str(cdc_settings.home), "draft", str(case_file), "--item", "1", "--decision", "overturned", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)[0]
    checklist, rationale, verification = result["checklist"], result["rationale"], result["verification"]
    assert checklist and checklist["rows"] and rationale["decision"] == "Overturned"
    assert checklist["warning"] and "overturning" in checklist["warning"]  # warned, never changed
    assert all(check["status"] == "verified" for check in verification["checks"]), verification["checks"]
    summary = case_file.read_text(encoding="utf-8")
    for row in checklist["rows"]:
        assert row["guideline"]["guideline_id"] == "cdc-opioids-2022" and row["guideline"]["printed_page"]
        for citation in row["record_citations"]:
            assert quote_occurs(citation["quote"], summary)
    for number, citation in enumerate(rationale["record_citations"], start=1):
        assert f"[R{number}]" in rationale["rationale"] and quote_occurs(citation["quote"], summary)


@pytest.mark.slow
def test_draft_numbers_each_item_as_the_case_lists_it(cdc_settings, capsys):
    """`assistant draft LETTER --item 4` printed the fourth item as "1.", and drafting every item numbered each "1."."""
    from assistant.cli import main
    from conftest import LETTERS_DIR

    letter = LETTERS_DIR / "CM16-0247802.pdf"
    require_shared(letter)
    assert main(["--home", str(cdc_settings.home), "draft", str(letter), "--item", "4", "--decision", "upheld"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^4\. Norco", out, re.MULTILINE) and not re.search(r"^1\. ", out, re.MULTILINE), out[:400]
    assert main(["--home", str(cdc_settings.home), "draft", str(letter), "--decision", "upheld"]) == 0
    headings = re.findall(r"^(\d+)\. .*: Upheld$", capsys.readouterr().out, re.MULTILINE)
    assert headings == [str(n) for n in range(1, len(headings) + 1)] and len(headings) >= 4, headings


def test_chat_answers_what_is_missing_and_why_from_the_checklist():
    from assistant.conversation.engine import ConversationEngine
    from assistant.conversation.intents import detect_intent

    sets, pages = shipped_sets()

    class ChecklistServices:
        model = None

        def checklist(self, case, index, decision=None):
            return build_checklist(case, index, sets, item_category(case.items[index].text), decision=decision, pages=pages)

    assert detect_intent("what are the criteria for tapering opioids?") == "lookup"
    engine = ConversationEngine(ChecklistServices())
    missing = engine.reply("c", "what is missing for item 1?", case=OPIOID_CASE)
    assert missing.intent == "checklist" and missing.item_index == 0
    assert "not documented" in missing.text and "Suggestion only" in missing.text
    assert "CURES was not checked." in missing.text  # the record's own words for the unmet PDMP criterion
    why = engine.reply("c", "why is the urine drug test met?", case=OPIOID_CASE)
    assert "urine drug" in why.text.lower() and "10/15/2016" in why.text
    # Asked by its abbreviation, a criterion is still found by what the vocabulary reads it as: "why is UDS …"
    # listed every missing criterion (no row says "UDS"); "why is PDMP …" likewise.
    for question, wanted in (("why is UDS met?", "Has urine drug testing been done"),
                             ("why is the PDMP not met?", "Was the PDMP (CURES) checked")):
        rows = [line for line in engine.reply("c", question, case=OPIOID_CASE).text.splitlines() if line.startswith("- ")]
        assert len(rows) == 1 and rows[0].startswith(f"- {wanted}"), (question, rows)


def test_workspace_panel_shows_the_checklist_with_suggestion_and_warning():
    from assistant.contracts import ItemRationale
    from assistant.ui.render import rationale_notes_html

    sets, pages = shipped_sets()
    checklist = build_checklist(OPIOID_CASE, 0, sets, "opioid", pages=pages)
    rationale = ItemRationale(item=OPIOID_CASE.items[0], decision="Overturned", rationale="x", checklist=checklist)
    panel = rationale_notes_html(rationale)
    assert 'id="checklist-panel"' in panel and "Suggestion only" in panel
    assert "CURES was not checked." in panel and "(p. 48)" in panel
    assert 'id="checklist-warning"' in panel  # overturning while required criteria are not documented
    upheld = rationale_notes_html(rationale.model_copy(update={"decision": "Upheld"}))
    assert 'id="checklist-warning"' not in upheld


NEGATION_CASES = [
    ("The patient denies bowel or bladder incontinence.", "incontinence", True),
    ("CURES was not checked before the refill.", "CURES", True),
    ("There was no evidence of fracture on the x-ray.", "fracture", True),
    ("Deep tendon reflexes were intact bilaterally.", "reflexes", True),
    ("Urine drug screen on 01-02-2016 was consistent with the prescribed medications.", "Urine drug screen", False),
    ("There is a history of lumbar fusion in 2012.", "lumbar fusion", False),
    ("She reports numbness in the left foot but denies weakness.", "numbness", False),
    ("She reports numbness in the left foot but denies weakness.", "weakness", True),
    ("The 12-03-2016 reports indicates shoulder x-ray (right) however the report is not indicated in the records for "
     "review.", "x-ray", False),
    ("A lumbar x-ray was requested, however was not done.", "x-ray", True),
]


@pytest.fixture(params=[True, False], ids=["medspacy-context", "fallback-rules"])
def facts_reader(request, monkeypatch):
    """The fact extractors as they read with medSpaCy's ConText, and without it (its cue rules)."""
    from assistant.criteria import facts

    if request.param:
        pytest.importorskip("medspacy")
    else:
        monkeypatch.setattr(facts, "_context_status", lambda *_args: None)
    return facts


@pytest.mark.parametrize("sentence,finding,negated", NEGATION_CASES)
def test_record_fact_negation_by_context_and_by_the_fallback_rules(sentence, finding, negated, facts_reader):
    """Fact extraction uses medSpaCy's ConText like the record verifier; without it, the cue rules give the same answer."""
    facts = facts_reader
    start = sentence.index(finding)
    assert facts.is_negated(sentence, start, start + len(finding)) is negated


HEDGE_CASES = [
    ("The injured worker is undergoing treatment for left hip pain, left hip strain and possible lumbar radiculopathy.",
     "radiculopathy", True),
    ("The plan is to rule out cauda equina syndrome.", "cauda equina", True),
    ("He has lumbar radiculopathy with decreased sensation in the left L5 dermatome.", "radiculopathy", False),
]


@pytest.mark.parametrize("sentence,finding,hedged", HEDGE_CASES)
def test_a_possible_neurological_finding_or_red_flag_is_not_documented_either_way(sentence, finding, hedged, facts_reader):
    """CM16-0244053 "… and possible lumbar radiculopathy" was a documented neurological finding, so a hip MRI's
    red-flag criterion read it as met; a possible finding is neither documented nor documented as absent."""
    facts = facts_reader
    start = sentence.index(finding)
    assert facts.is_hedged(sentence, start, start + len(finding)) is hedged
    extracted = facts.extract_record_facts(sentence)
    found = [f for fact in (RecordFact.neuro_findings, RecordFact.red_flags) for f in extracted.get(fact).findings]
    assert [f.polarity for f in found] == ([] if hedged else ["present"]), found


def test_the_eval_can_score_the_routed_checklist_the_workspace_shows():
    from evals.criteria import letter_item_checklist

    sets, pages = shipped_sets()
    letters = require_shared(SHARED / "imr-letters" / "dev")
    shoulder = letters / "CM17-0008177.pdf"  # item 1: MR arthrogram of the right shoulder
    assert letter_item_checklist(shoulder, 1, sets, pages) is not None  # by analogy: the low back imaging questions
    assert letter_item_checklist(shoulder, 1, sets, pages, routed=True) is None  # the product shows none
    lumbar = letter_item_checklist(letters / "CM16-0240518.pdf", 1, sets, pages, routed=True)  # MRI of the lumbar spine
    assert lumbar is not None and {row.guideline.guideline_id for row in lumbar.rows} == {"vadod-lbp-2022"}


def _statuses(summary: str, item: str, injury_date: str | None = None) -> dict[str, str]:
    sets, pages = shipped_sets()
    case = CaseFile(case_id="gen", summary=summary, injury_date=injury_date, items=[DisputedItem(text=item)])
    checklist = build_checklist(case, 0, sets, item_category(item), pages=pages)
    return {row.criterion_id: row.status for row in checklist.rows}


def _checklist_draft(summary: str, item_text: str, injury_date: str | None, decision: str, category: str):
    """The offline draft written from the checklist of a one-item generated case: (case, checklist, draft)."""
    from assistant.drafting.checklist_writer import draft_from_checklist
    from assistant.drafting.evidence import Evidence
    from assistant.vocabulary.categories import classify_item

    sets, pages = shipped_sets()
    item = DisputedItem(text=item_text)
    case = CaseFile(case_id="gen", summary=summary, injury_date=injury_date, items=[item])
    checklist = build_checklist(case, 0, sets, category, pages=pages)
    evidence = Evidence(item=item, topic=classify_item(item.text), queries=[], candidates=[])
    return case, checklist, draft_from_checklist(case, evidence, decision, checklist)


def test_imaging_asked_for_within_four_weeks_without_red_flags_is_not_met_on_conservative_care():
    early = ("The injured worker injured the low back lifting on 11/02/2016. On 11/16/2016 he reported low back pain. "
             "Motor strength, sensation and reflexes were normal. An MRI of the lumbar spine was requested.")
    assert _statuses(early, "MRI of the lumbar spine", "11/02/2016")["lbp-imaging-conservative-care-first"] == "not_met"
    sets, pages = shipped_sets()
    case = CaseFile(case_id="gen", summary=early, injury_date="11/02/2016", items=[DisputedItem(text="MRI of the lumbar spine")])
    row = next(r for r in build_checklist(case, 0, sets, "imaging", pages=pages).rows
               if r.criterion_id == "lbp-imaging-conservative-care-first")
    assert row.record_citations and all(quote_occurs(c.quote, early) for c in row.record_citations)  # the injury date
    later = early.replace("On 11/16/2016", "On 02/20/2017")  # 16 weeks: the early-imaging rule no longer speaks
    assert _statuses(later, "MRI of the lumbar spine", "11/02/2016")["lbp-imaging-conservative-care-first"] != "not_met"


def test_an_nsaid_continued_without_documented_benefit_is_not_met_and_a_first_course_is_met():
    continued = ("The injured worker has low back pain since 2015. On 10/01/2016 she was taking naproxen 500 mg twice daily. "
                 "On 12/01/2016 pain was rated 7/10.")
    assert _statuses(continued, "Naproxen 500mg #60")["cdc-nsaid-lowest-shortest"] == "not_met"
    first = "The injured worker has low back pain since 10/2016. On 12/01/2016 pain was rated 7/10."
    assert _statuses(first, "Naproxen 500mg #60")["cdc-nsaid-lowest-shortest"] == "met"


def test_a_prior_course_with_a_stated_significant_benefit_is_met_and_some_benefit_is_not_enough():
    """The dev letter CM17-0020728's reviewer read "six sessions of physical therapy with significant benefit" as
    improvement from prior therapy; "some benefit" says too little to count."""
    marked = ("The injured worker has low back pain since 03/2016. Treatment included six sessions of physical therapy "
              "with significant benefit, anti-inflammatory medication and activity modifications.")
    item = "Physical therapy to the lumbar spine 2 times a week for 3 weeks"
    assert _statuses(marked, item)["lbp-exercise-functional-benefit"] == "met"
    assert _statuses(marked.replace("significant", "some"), item)["lbp-exercise-functional-benefit"] == "not_documented"
    denied = marked.replace("with significant benefit", "without significant benefit")
    assert _statuses(denied, item)["lbp-exercise-functional-benefit"] != "met"


def test_manual_therapy_continues_a_physical_therapy_course_but_chiropractic_starts_its_own():
    """Dev letter CM16-0235869: manual therapy asked after a physical therapy course; its reviewer wanted the
    sessions completed and the functional gain from that course."""
    record = ("The injured worker has low back pain since 06/2016. On 11/21/2016 a physical therapy note documented "
              "low back pain rated 3 out of 10 with reported overall improvement with physical therapy.")
    manual = _statuses(record, "Four sessions of manual therapy two times a week for the lumbar spine")
    chiropractic = _statuses(record, "Six chiropractic sessions for the lumbar spine")
    assert manual["lbp-manipulation-pain-disability"] == "not_documented"
    assert chiropractic["lbp-manipulation-pain-disability"] == "met"  # a first chiropractic course


def test_less_pain_beside_a_limited_motion_is_no_functional_gain_from_the_prior_course():
    """CM16-0232182 (a held-out criteria-eval item; its reviewer: "there are no functional objective measures"):
    a limited range of motion on one visit and "vast improvement in pain" on another, in one sentence, made
    "did prior manipulation reduce pain and disability?" met. A gain named with a function in one clause still is."""
    pain_only = ("On 11-9-16, the injured worker complained of low back pain with limited, painful range of motion, the "
                 "level of pain is rated 5 out of 10 and on 11-18-16, reports vast improvement in pain with chiropractic "
                 "treatment.")
    item = "Chiropractic treatment twice a week for 3 weeks for the lumbar spine"
    assert _statuses(pain_only, item)["lbp-manipulation-pain-disability"] == "not_documented"
    gain = "On 11-18-16, he reports improvement in range of motion and pain with chiropractic treatment."
    assert _statuses(gain, item)["lbp-manipulation-pain-disability"] == "met"


def _row(summary: str, item: str, criterion_id: str, injury_date: str | None = None):
    sets, pages = shipped_sets()
    case = CaseFile(case_id="gen", summary=summary, injury_date=injury_date, items=[DisputedItem(text=item)])
    return next(r for r in build_checklist(case, 0, sets, item_category(item), pages=pages).rows
                if r.criterion_id == criterion_id)


def test_the_original_request_is_no_treatment_and_what_the_review_authorized_starts_the_course():
    """'Acupuncture for 8 sessions was the original request.' (CM17-0007857) was a prior acupuncture course, and
    'Ibuprofen 600mg #90 with 2 refills was the original request.' (CM17-0002181) earlier ibuprofen use. The review's
    authorization ('… #6 was authorized by the Claims Administrator', CM16-0247405) is what the request continues."""
    assert not extract_record_facts("Acupuncture for 8 sessions was the original request.").get(
        RecordFact.prior_treatments).present("acupuncture")
    sessions = ("Chiropractic therapy sessions for the lumbar spine, #8 was the original request. Chiropractic therapy "
                "sessions for the lumbar spine, #6 was authorized by the Claims Administrator.")
    row = _row(sessions, "Chiropractic therapy sessions for the lumbar spine, #2", "lbp-manipulation-pain-disability")
    assert row.status == "not_documented" and "already authorized" in row.reason
    assert [c.quote for c in row.record_citations] == [
        "Chiropractic therapy sessions for the lumbar spine, #6 was authorized by the Claims Administrator."]
    supply = "Ibuprofen 600mg #90 with 2 refills was the original request. Ibuprofen 600mg #90 was authorized by the Claims Administrator."
    row = _row(supply, "Two refills of Ibuprofen 600mg #90", "cdc-nsaid-lowest-shortest")
    assert row.status == "not_met" and "already authorized" in row.reason
    assert [c.quote for c in row.record_citations] == ["Ibuprofen 600mg #90 was authorized by the Claims Administrator."]
    refused = supply.replace("was authorized", "was not authorized")
    assert _row(refused, "Two refills of Ibuprofen 600mg #90", "cdc-nsaid-lowest-shortest").status == "met"


def test_an_initial_set_of_visits_the_review_allowed_is_the_course_the_request_continues():
    """CM16-0239569 (tune): 'The request was previously modified for chiropractic therapy as an initial set of visits
    is indicated.' — its reviewer: 'The results of the initial 6 visits was not indicated.'"""
    summary = ("The injured worker has low back pain since 11/05/2016. The treatment plan was for the patient to receive "
               "chiropractic manipulation. The request was previously modified for chiropractic therapy as an initial "
               "set of visits is indicated.")
    row = _row(summary, "Chiropractic spinal manipulation times 6", "lbp-manipulation-pain-disability")
    assert row.status == "not_documented" and "already authorized" in row.reason


def test_a_treatment_the_claims_administrator_authorized_is_not_a_treatment_received():
    facts = extract_record_facts("Two sessions of physical therapy to the lumbar spine was authorized by the Claims "
                                 "Administrator. The injured worker had been authorized for 6 sessions of physical therapy.")
    assert not facts.get(RecordFact.prior_treatments).present("physical-therapy")
    received = extract_record_facts("She completed six sessions of physical therapy with some benefit.")
    assert received.get(RecordFact.prior_treatments).present("physical-therapy")


def test_a_verdict_on_how_long_ago_the_injury_was_quotes_the_dated_record_sentences():
    sets, pages = shipped_sets()
    summary = "The injured worker injured the low back on 01/05/2015. On 12/01/2016 he reported low back pain 6/10."
    case = CaseFile(case_id="gen", summary=summary, injury_date="01/05/2015", items=[DisputedItem(text="Flexeril 10mg #90")])
    row = next(r for r in build_checklist(case, 0, sets, item_category("Flexeril 10mg #90"), pages=pages).rows
               if r.criterion_id == "lbp-muscle-relaxant-not-chronic")
    assert row.status == "not_met"
    assert [c.quote for c in row.record_citations] == [
        "The injured worker injured the low back on 01/05/2015.", "On 12/01/2016 he reported low back pain 6/10."]


def test_a_first_course_is_met_by_what_the_record_lacks_and_the_draft_says_so_in_words_the_verifier_checks():
    """No earlier chiropractic: the row is met by an absence, and the draft writes it as 'there is no documentation
    of prior chiropractic' — which the record verifier checks — never a bare 'Documented'. A plan naming
    chiropractic does not contradict it; a completed course does, and the verifier says so."""
    from assistant.drafting.checklist_writer import draft_from_checklist
    from assistant.drafting.evidence import Evidence
    from assistant.verification.record import check_record_facts
    from assistant.verification.textmatch import split_sentences
    from assistant.vocabulary.categories import classify_item

    sets, pages = shipped_sets()
    summary = ("The injured worker injured the low back on 01/05/2015. On 12/01/2016 he reported low back pain 6/10. "
               "The treatment plan included chiropractic care for the lumbar spine.")
    item = DisputedItem(text="Chiropractic treatment for the lumbar spine x 6")
    case = CaseFile(case_id="gen", summary=summary, injury_date="01/05/2015", items=[item])
    checklist = build_checklist(case, 0, sets, item_category(item.text), pages=pages)
    row = next(r for r in checklist.rows if r.criterion_id == "lbp-manipulation-pain-disability")
    assert row.status == "met" and not row.record_citations
    evidence = Evidence(item=item, topic=classify_item(item.text), queries=[], candidates=[])
    sentences = split_sentences(draft_from_checklist(case, evidence, "Overturned", checklist).rationale)
    assert not [s for s in sentences if s.rstrip(" .").endswith(("Documented", "Met"))], sentences
    first_course = [s for s in sentences if "there is no documentation of prior chiropractic" in s]
    assert len(first_course) == 1
    assert [c.status for c in check_record_facts(first_course[0], case, first_course)] == ["verified"]
    treated = case.model_copy(update={"summary": summary + " He completed six chiropractic visits in 2015 with no benefit."})
    assert [c.status for c in check_record_facts(first_course[0], treated, first_course)] == ["record_documents_it"]


def test_every_met_or_unmet_row_on_the_labelled_letters_rests_on_a_record_quote_or_a_checkable_absence():
    """Real letters: a row the checklist calls met or not met either quotes the record (the request counts) or
    states an absence in the form the record verifier checks — nothing the draft would have to assert unbacked —
    and a row not documented without a quote says what is missing in the same checkable form."""
    from evals.criteria import LABELS, letter_item_checklist, read_jsonl
    from assistant.verification.record import NO_DOCUMENTATION

    sets, pages = shipped_sets()
    letters = require_shared(SHARED / "imr-letters" / "dev")
    decided = 0
    for labelled in read_jsonl(LABELS):
        checklist = letter_item_checklist(letters / labelled["letter"], labelled["item"], sets, pages)
        for row in checklist.applicable if checklist else []:
            decided += row.status in {"met", "not_met"}
            assert row.record_citations or NO_DOCUMENTATION.match(row.reason or ""), (labelled["letter"], row.criterion_id, row.reason)
    assert decided >= 50
    assert all(criterion.missing for s in sets.values() for topic in s.topics for criterion in topic.criteria)


def test_every_checklist_draft_of_the_labelled_letters_verifies_on_the_record_side():
    """Real letters, both decisions: each record quote is in the case, each sentence about the case is a quote or
    an absence the record does not contradict — including record sentences that themselves quote a diagnosis."""
    from assistant.drafting.checklist_writer import draft_from_checklist
    from assistant.drafting.evidence import Evidence
    from assistant.drafting.intake import case_from_file
    from assistant.verification.record import verify_record_side
    from assistant.verification.textmatch import split_sentences
    from assistant.vocabulary.categories import classify_item
    from evals.criteria import LABELS, read_jsonl

    sets, pages = shipped_sets()
    letters = require_shared(SHARED / "imr-letters" / "dev")
    drafted, problems = 0, []
    for labelled in read_jsonl(LABELS):
        case = case_from_file(letters / labelled["letter"])
        item = case.items[labelled["item"] - 1]
        checklist = build_checklist(case, labelled["item"] - 1, sets, item_category(item.text), pages=pages)
        if checklist is None:
            continue
        evidence = Evidence(item=item, topic=classify_item(item.text), queries=[], candidates=[])
        for decision in ("Upheld", "Overturned"):
            draft = draft_from_checklist(case, evidence, decision, checklist)
            drafted += 1
            problems += [(labelled["letter"], decision, c.status, c.sentence) for c in
                         verify_record_side(draft, case, split_sentences(draft.rationale)) if c.status != "verified"]
    assert drafted >= 100 and not problems, problems[:5]


def test_a_date_the_pdf_split_after_its_separator_still_dates_the_interval_and_the_draft_quotes_both_ends():
    """'11-4- 16' (a line break left a space): read as no date, four weeks since the injury looked like none."""
    summary = ("The injured worker sustained an industrial injury to the low back on 10-20-2016. Physician progress "
               "notes dated 11-4- 16, reported low back pain rated 8 out of 10. Motor strength, sensation and reflexes "
               "were normal.")
    facts = extract_record_facts(summary, injury_date="10/20/2016")
    assert facts.symptom_days == 15
    assert [c.date for c in facts.timing_quotes] == ["10-20-2016", "11-4- 16"]
    draft = _checklist_draft(summary, "MRI of the lumbar spine", "10/20/2016", "Upheld", "imaging")[2]
    timing, derived = next(s for s in draft.rationale.split("? ") if "(10-20-2016)" in s).split(" Derived figure")
    assert len(re.findall(r"\[R\d+\]", timing)) == 2
    assert re.match(r", from the dates of \[R\d+\] and \[R\d+\]: 15 days \(about 2 weeks\)\.", derived)  # the interval the status rests on, from both dates
    # The date label reads as a date; the quote keeps the record's words as they are.
    assert "(11-4-16)" in timing and "(11-4- 16)" not in timing and "notes dated 11-4- 16, reported" in timing


def test_radiofrequency_candidacy_needs_a_block_that_was_done_and_is_not_asked_of_a_facet_injection():
    done = ("Chronic low back pain since 2014, facet mediated. On 09/01/2016 a diagnostic medial branch block at L4-5 "
            "gave 80% relief for six hours.")
    planned = "Chronic low back pain since 2014, facet mediated. A diagnostic medial branch block is requested."
    assert _statuses(done, "Radiofrequency ablation L4-5 bilateral")["lbp-rfa-diagnostic-block"] == "met"
    assert _statuses(planned, "Radiofrequency ablation L4-5 bilateral")["lbp-rfa-diagnostic-block"] == "not_documented"
    assert _statuses(done, "Facet joint injections L4-5, L5-S1")["lbp-rfa-diagnostic-block"] == "not_applicable"


def test_a_verdict_on_the_request_quotes_it_but_does_not_list_it_as_a_case_fact():
    from assistant.contracts import REQUEST_SOURCE
    from assistant.drafting.checklist_writer import draft_from_checklist
    from assistant.drafting.evidence import Evidence
    from assistant.vocabulary.categories import classify_item

    sets, pages = shipped_sets()
    item = DisputedItem(text="Facet joint injections L4-5, L5-S1")
    case = CaseFile(case_id="gen", summary="Chronic low back pain since 2014. On 11/08/2016 pain was rated 7/10.",
                    items=[item])
    checklist = build_checklist(case, 0, sets, item_category(item.text), pages=pages)
    row = next(r for r in checklist.rows if r.criterion_id == "lbp-no-steroid-facet")
    assert row.status == "not_met" and [c.source for c in row.record_citations] == [REQUEST_SOURCE]
    draft = draft_from_checklist(case, Evidence(item=item, topic=classify_item(item.text), queries=[], candidates=[]),
                                 "Upheld", checklist)
    assert any(c.source == REQUEST_SOURCE for c in draft.record_citations)
    assert item.text not in {f.text for f in draft.case_facts}
    # The request is quoted as the request, not as what the record states.
    assert f'the request reads "{item.text}"' in draft.rationale and f'the record states "{item.text}"' not in draft.rationale


def test_a_knee_steroid_injection_is_not_judged_by_the_hyaluronic_acid_criteria_nor_the_other_way_round():
    """One topic holds Recommendations 11-14; each criterion names the joint and the substance it is about."""
    knee = ("The injured worker has osteoarthritis of the right knee since 2014. Pain persists despite physical therapy "
            "and naproxen.")
    hip = "The injured worker has osteoarthritis of the left hip since 2014. Pain persists despite physical therapy."
    steroid = _statuses(knee, "Intra-articular corticosteroid injection of the right knee")
    assert steroid["oa-steroid-injection-persistent-pain"] != "not_applicable"
    assert {steroid[c] for c in ("oa-viscosupplement-knee", "oa-no-viscosupplement-hip", "oa-hip-injection-image-guided")} == {
        "not_applicable"}
    synvisc = _statuses(knee, "Synvisc-One injection to the right knee")
    assert synvisc["oa-viscosupplement-knee"] != "not_applicable" and synvisc["oa-no-viscosupplement-hip"] != "not_applicable"
    assert synvisc["oa-steroid-injection-persistent-pain"] == synvisc["oa-hip-injection-image-guided"] == "not_applicable"
    hip_ha = _statuses(hip, "Hyaluronic acid injection, left hip")
    assert hip_ha["oa-no-viscosupplement-hip"] != "not_applicable" and hip_ha["oa-viscosupplement-knee"] == "not_applicable"
    assert _statuses(hip, "Corticosteroid injection, left hip")["oa-hip-injection-image-guided"] != "not_applicable"
    epidural = _statuses(knee + " Low back pain radiates to the leg.", "Lumbar epidural steroid injection L4-5")
    assert all(epidural.get(c, "not_applicable") == "not_applicable" for c in (
        "oa-steroid-injection-persistent-pain", "oa-viscosupplement-knee", "oa-no-viscosupplement-hip"))


def test_an_opioid_refill_is_not_asked_the_questions_of_a_drug_test_or_a_naloxone_request():
    sets, pages = shipped_sets()
    checklist = build_checklist(OPIOID_CASE, 0, sets, item_category("Norco 10/325mg #120"), pages=pages)
    ids = {row.criterion_id for row in checklist.rows}
    assert {"cdc-udt-periodic", "cdc-naloxone-offered"} <= ids
    assert not ids & {"cdc-udt-statement", "cdc-naloxone-risk-factors"}
    naloxone = CaseFile(case_id="gen", summary=OPIOID_RECORD, items=[DisputedItem(text="Narcan 4 mg nasal spray #2")])
    asked = build_checklist(naloxone, 0, sets, item_category("Narcan 4 mg nasal spray #2"), pages=pages)
    assert "cdc-naloxone-risk-factors" in {row.criterion_id for row in asked.rows}


def test_mme_of_an_item_without_a_frequency_is_that_of_the_requested_regimen_not_the_current_one():
    """"Oxycodone 15mg #180" with a record giving the current 10 mg every 6 hours (60 MME) and the requested increase
    to 15 mg every 4 hours (135 MME): the figure for the item was the current regimen's, first in the record."""
    record = ("He has been maintained on oxycodone 10mg every 6 hours (60 MME per day) since 2015. On 09-12-2016, "
              "the treating physician requested an increase to oxycodone 15mg every 4 hours.")
    facts = extract_record_facts(record, item_text="Oxycodone 15mg #180")
    assert facts.mme is not None and facts.mme.mme_per_day == 135.0, facts.mme
    assert "15mg every 4 hours" in facts.mme_citation.quote
    same = extract_record_facts(record, item_text="Oxycodone 10mg #120")
    assert same.mme is not None and same.mme.mme_per_day == 60.0


def test_a_pain_score_alone_does_not_meet_the_taper_or_change_criterion_and_met_rows_say_what_was_found():
    """"If pain and function have not improved, is a taper or change considered?" was 'met' on "pain at a 2/10",
    with the reason "Documented in the record: pain and function have not improved, a taper or change considered
    …" — the question restated as if the record said it."""
    sets, pages = shipped_sets()
    case = CaseFile(case_id="gen", summary=(
        "The injured worker has chronic low back pain since 2014 and has taken Norco 10/325mg twice daily since 2015. "
        "On 11/29/2016 the physical examination revealed severity of pain at a 2/10."),
        items=[DisputedItem(text="Norco 10/325mg #60")])
    rows = {r.criterion_id: r for r in build_checklist(case, 0, sets, item_category("Norco 10/325mg #60"), pages=pages).rows}
    assert rows["cdc-continue-risks-outweigh"].status == "not_documented"
    for row in rows.values():
        assert "Documented in the record:" not in row.reason and row.question.rstrip("?") not in row.reason
    tapering = case.model_copy(update={"summary": case.summary + " On 11/29/2016 the physician began a taper of Norco "
                                                                 "by one tablet per week."})
    rows = {r.criterion_id: r for r in build_checklist(tapering, 0, sets, item_category("Norco 10/325mg #60"), pages=pages).rows}
    assert rows["cdc-continue-risks-outweigh"].status == "met"
    assert "taper of Norco" in rows["cdc-continue-risks-outweigh"].record_citations[0].quote


def test_radiographs_first_needs_radiographs_of_the_joint_not_any_imaging():
    knee = "MRI of the right knee"
    base = ("The injured worker reports right knee pain and swelling since a fall on 10/01/2016. "
            "Examination showed a positive McMurray test. ")
    shoulder_mri = base + "An MRI of the right shoulder on 10/20/2016 showed a rotator cuff tear."
    lumbar_x_rays = base + "X-rays of the lumbar spine on 10/20/2016 showed degenerative changes."
    knee_x_rays = base + "X-rays of the right knee on 10/20/2016 showed degenerative changes."
    assert _statuses(shoulder_mri, knee)["oa-radiographs-first"] == "not_documented"
    assert _statuses(lumbar_x_rays, knee)["oa-radiographs-first"] == "not_documented"
    sets, pages = shipped_sets()
    case = CaseFile(case_id="gen", summary=lumbar_x_rays, items=[DisputedItem(text=knee)])
    row = next(r for r in build_checklist(case, 0, sets, "imaging", pages=pages).rows if r.criterion_id == "oa-radiographs-first")
    assert row.reason == "There is no documentation of plain radiographs of the right knee."  # not of the lumbar spine
    assert _statuses(knee_x_rays, knee)["oa-radiographs-first"] == "met"
    unsited = base + "The x-ray indicates degenerative changes."  # a case's x-ray that names no site may be the knee's
    assert _statuses(unsited, knee)["oa-radiographs-first"] == "met"


def test_therapy_of_another_body_part_is_not_a_prior_course_of_this_one():
    item = "Physical therapy 2x4 for the lumbar spine"
    shoulder = ("The injured worker reports low back pain since 09/01/2016. She completed 12 sessions of physical "
                "therapy for the right shoulder with significant benefit.")
    sets, pages = shipped_sets()
    case = CaseFile(case_id="gen", summary=shoulder, items=[DisputedItem(text=item)])
    row = next(r for r in build_checklist(case, 0, sets, item_category(item), pages=pages).rows
               if r.criterion_id == "lbp-exercise-functional-benefit")
    assert row.status == "met" and "prior physical therapy of the lumbar spine" in row.reason
    unsited = shoulder.replace(" for the right shoulder", "")  # therapy naming no body part may be this course's
    assert _statuses(unsited, item)["lbp-exercise-functional-benefit"] == "met"  # its significant benefit
    sets, pages = shipped_sets()
    row = next(r for r in build_checklist(CaseFile(case_id="gen", summary=unsited, items=[DisputedItem(text=item)]), 0,
                                          sets, item_category(item), pages=pages).rows
               if r.criterion_id == "lbp-exercise-functional-benefit")
    assert "first course" not in row.reason


def test_an_epidural_injection_is_not_judged_by_the_facet_and_ablation_criteria_nor_a_facet_injection_by_the_epidural_ones():
    record = ("The injured worker injured the low back on 01/05/2016. On 09/12/2016 he reported low back pain radiating "
              "to the right leg with numbness in the L5 distribution.")
    esi = _statuses(record, "Right L4 transforaminal epidural steroid injection", "01/05/2016")
    facet = _statuses(record, "Facet joint injections L4-5, L5-S1", "01/05/2016")
    ablation_ids = {"lbp-rfa-chronic", "lbp-rfa-diagnostic-block", "lbp-no-steroid-facet"}
    epidural_ids = {"lbp-esi-radicular", "lbp-esi-function-not-improved"}
    assert {esi[i] for i in ablation_ids} == {"not_applicable"}
    assert all(esi[i] != "not_applicable" for i in epidural_ids)
    assert {facet[i] for i in epidural_ids} == {"not_applicable"}
    assert facet["lbp-rfa-chronic"] != "not_applicable" and facet["lbp-no-steroid-facet"] != "not_applicable"
    assert facet["lbp-rfa-diagnostic-block"] == "not_applicable"  # candidacy for ablation, not for a facet injection


def test_benefit_from_long_term_muscle_relaxant_use_is_not_asked_of_a_first_short_course_for_acute_pain():
    """LBP Rec 24's discussion ("When considering long-term use, there is no evidence to suggest benefit …") judges
    continued use; a first prescription eleven days after the injury has no long-term use to show."""
    acute = ("The injured worker injured the low back lifting on 10/01/2016. On 10/12/2016 he reported low back pain "
             "7/10 with spasm.")
    statuses = _statuses(acute, "Cyclobenzaprine 10mg #30", "10/01/2016")
    assert statuses["lbp-muscle-relaxant-no-chronic-benefit"] == "not_applicable"
    assert statuses["lbp-muscle-relaxant-not-chronic"] == "met"
    chronic = acute.replace("On 10/12/2016", "On 10/12/2018")
    assert _statuses(chronic, "Cyclobenzaprine 10mg #30", "10/01/2016")["lbp-muscle-relaxant-no-chronic-benefit"] == "not_documented"
    continued = acute + " He was taking cyclobenzaprine 10 mg at night since the injury."
    assert _statuses(continued, "Cyclobenzaprine 10mg #30", "10/01/2016")["lbp-muscle-relaxant-no-chronic-benefit"] != "not_applicable"


@pytest.mark.parametrize("visit,expected", [
    ("10/12/2016", "acute"),      # 11 days
    ("10/28/2016", "acute"),      # 27 days: "less than four weeks"
    ("11/26/2016", "subacute"),   # 56 days
    ("12/24/2016", "subacute"),   # 84 days is 12 weeks, not "more than 12 weeks"
    ("12/25/2016", "chronic"),    # 85 days
    ("10/12/2019", "chronic"),
])
def test_pain_duration_follows_the_low_back_guideline_delineation_from_the_record_dates(visit, expected):
    from assistant.criteria.facts import pain_duration

    record = f"The injured worker injured the low back lifting on 10/01/2016. On {visit} he reported low back pain 7/10."
    assert pain_duration(record, "10/01/2016") == expected


def test_pain_duration_without_dates_is_chronic_only_when_the_record_calls_the_pain_chronic():
    from assistant.criteria.facts import pain_duration

    assert pain_duration("She has chronic low back pain with spasm.", None) == "chronic"
    assert pain_duration("She reported low back pain. She was in no acute distress.", None) is None
    assert pain_duration("The diagnoses were chronic kidney disease and low back strain.", None) is None


def test_the_sentence_stating_the_injury_date_is_not_a_visit_to_count_the_duration_of_symptoms_to():
    """CM17-0009282 (real letter) dates only its injury sentence (the request's date is the review's account): the
    chat said "0 days from the injury to the latest record date — acute". A visit on the injury day still counts."""
    from assistant.criteria.facts import symptom_timing
    from assistant.drafting.intake import case_from_file

    case = case_from_file(require_shared(SHARED / "imr-letters" / "dev") / "CM17-0009282.pdf")
    assert symptom_timing(case.summary, case.injury_date) == (None, [])
    same_day = ("The injured worker is a 42 year old male with an industrial injury date of 12-03-2016. The injured "
                "worker presented on 12-03-2016 with complaints of sharp pain in the right shoulder.")
    days, quotes = symptom_timing(same_day, "12-03-2016")
    assert days == 0 and quotes[-1].quote.startswith("The injured worker presented on 12-03-2016")


def test_a_prior_review_s_date_is_not_the_latest_record_date():
    """CM16-0238676 (real letter): 'This case has been previously reviewed and denied on 11/10/2016 …' was the latest
    record date, six days after the visit of 11/04/2016."""
    from assistant.criteria.facts import symptom_timing
    from assistant.drafting.intake import case_from_file

    case = case_from_file(require_shared(SHARED / "imr-letters" / "dev") / "CM16-0238676.pdf")
    days, quotes = symptom_timing(case.summary, case.injury_date)
    assert days == 18 and "11/04/2016" in quotes[-1].quote


def test_symptom_timing_agrees_with_the_record_facts_on_every_dev_letter():
    """The pain-duration reader the evidence stage uses and the checklist's record facts date the pain the same way."""
    from assistant.criteria.facts import symptom_timing
    from assistant.drafting.intake import case_from_file

    letters = sorted(require_shared(SHARED / "imr-letters" / "dev").glob("*.pdf"))
    dated = 0
    for path in letters:
        case = case_from_file(path)
        facts = extract_record_facts(case.summary, injury_date=case.injury_date)
        days, quotes = symptom_timing(case.summary, case.injury_date)
        assert (days, quotes) == (facts.symptom_days, facts.timing_quotes), path.name
        dated += days is not None
    assert dated >= len(letters) // 2, f"only {dated} of {len(letters)} letters dated"


def test_the_reasons_a_prior_review_goes_on_to_give_are_not_quoted_as_what_the_record_shows():
    """CM16-0247802 (real letter): the summary ends with the prior review's account over two sentences — "The
    retrospective request for cyclobenzaprine … was non-certified as the patient was previously using a different
    muscle relaxant medication. There is no indication for the need to have a second muscle relaxant nor was there
    documentation of complaints of muscle spasms." The second names no review, and the orphenadrine row quoted it as
    what the record shows, dated 11/29/2016, although the examination that day found paravertebral spasms."""
    from evals.criteria import letter_item_checklist
    from assistant.vocabulary.record_cues import review_account

    sets, pages = shipped_sets()
    checklist = letter_item_checklist(require_shared(SHARED / "imr-letters" / "dev" / "CM16-0247802.pdf"), 2, sets, pages)
    row = next(r for r in checklist.rows if r.criterion_id == "lbp-muscle-relaxant-not-chronic")
    assert row.status == "not_met"  # earlier cyclobenzaprine is still documented: "Relevant medications included …"
    quotes = [c.quote for c in row.record_citations]
    assert quotes and not any("second muscle relaxant" in q for q in quotes), quotes
    # A treating note's sentence after a review's decision is not swept in, nor one opening new records.
    assert review_account(["The request was non-certified.", "There was no documentation of prior therapy.",
                           "On 12/01/2016 he reported pain 6/10.", "Additionally, he walks daily."]) == [True, True, False, False]
    assert review_account(["UR denied the MRI.", "Additional clinical documentation submitted for review included a "
                           "progress report."]) == [True, False]


def test_whether_the_request_is_clinician_directed_exercise_is_read_from_the_request_not_from_earlier_treatment():
    """LBP Rec 9 suggests a structured clinician-directed exercise program. The row was marked documented on any
    earlier treatment the record names (CM17-0002198: "Treatment has included at least 6 sessions of physical
    therapy"), which says nothing of what is asked now."""
    sets, pages = shipped_sets()
    record = ("The injured worker injured the low back on 10/01/2016. Treatment has included at least 6 sessions of "
              "physical therapy. On 11/02/2016 he reported low back pain 6/10.")

    def row(item: str):
        case = CaseFile(case_id="gen", summary=record, injury_date="10/01/2016", items=[DisputedItem(text=item)])
        return next(r for r in build_checklist(case, 0, sets, "physical-therapy", pages=pages).rows
                    if r.criterion_id == "lbp-structured-exercise")

    therapy = row("Physical therapy 2 times a week for 3 weeks for the lumbar spine")
    assert therapy.status == "met" and [c.source for c in therapy.record_citations] == [REQUEST_SOURCE]
    passive = row("Ultrasound and massage 6 sessions for the lumbar spine")
    assert passive.status == "not_met" and [c.source for c in passive.record_citations] == [REQUEST_SOURCE]
    unsaid = row("Occupational therapy 6 sessions for the lumbar spine")
    assert unsaid.status == "not_documented" and not unsaid.record_citations


def test_whether_a_topical_nsaid_is_requested_is_read_from_the_request():
    """QA reading of CM17-0015957: for "Motrin 600mg #40" (oral) in a knee osteoarthrosis case, "Is a topical NSAID
    requested for knee osteoarthritis pain?" was marked documented by the diagnosis sentence."""
    sets, pages = shipped_sets()
    record = ("The injured worker injured the left knee on 10/01/2016. Diagnoses include left knee osteoarthritis. "
              "On 11/02/2016 she reported left knee pain 6/10.")

    def row(item: str, category: str):
        case = CaseFile(case_id="gen", summary=record, injury_date="10/01/2016", items=[DisputedItem(text=item)])
        return next(r for r in build_checklist(case, 0, sets, category, pages=pages).rows
                    if r.criterion_id == "oa-topical-nsaid-knee")

    oral = row("Motrin 600mg #40", "nsaid")
    assert oral.status == "not_met" and [c.source for c in oral.record_citations] == [REQUEST_SOURCE], oral
    gel = row("Voltaren gel 1% 100g for the left knee", "topical")
    assert gel.status == "met", gel
    lidocaine = row("Lidoderm patch 5% #30 for the left knee", "topical")
    assert lidocaine.status == "not_met", lidocaine


def test_a_draft_addresses_every_required_criterion_whichever_the_decision():
    """An overturned opioid draft stopped at four rows and left out required ones the checklist beside it showed not
    met or not documented (PDMP review, risk evaluation): the reviewer signing it would not see what it must answer."""
    from assistant.drafting.checklist_writer import draft_from_checklist
    from assistant.drafting.evidence import Evidence
    from assistant.vocabulary.categories import classify_item

    sets, pages = shipped_sets()
    item = OPIOID_CASE.items[0]
    evidence = Evidence(item=item, topic=classify_item(item.text), queries=[], candidates=[])
    checklist = build_checklist(OPIOID_CASE, 0, sets, "opioid", pages=pages)
    required = [r for r in checklist.applicable if r.requirement == "required"]
    assert len(required) > 4  # more than a draft showed before
    for decision in ("Upheld", "Overturned"):
        draft = draft_from_checklist(OPIOID_CASE, evidence, decision, checklist)
        for row in required:
            assert row.question.strip().rstrip(".?") in draft.rationale, (decision, row.criterion_id)
            assert any(c.quote == row.guideline.quote for c in draft.citations), (decision, row.criterion_id)


def test_a_row_judged_on_the_duration_of_symptoms_shows_the_days_and_the_verifier_recomputes_them():
    """'Is this other than routine imaging of acute low back pain?' was shown 'Documented' beside two dated quotes,
    leaving the reader to count the weeks the status rests on; the draft now gives the days between the two dates as
    a derived figure, and the record verifier recomputes it from the quotes' dates."""
    from assistant.verification.record import verify_record_side
    from assistant.verification.textmatch import split_sentences

    summary = ("The injured worker sustained an industrial injury to the low back on 10/20/2016. On 12/01/2016 he "
               "reported low back pain rated 8 out of 10. Motor strength, sensation and reflexes were normal.")
    case, _, draft = _checklist_draft(summary, "MRI of the lumbar spine", "10/20/2016", "Overturned", "imaging")
    sentences = split_sentences(draft.rationale)
    derived = [s for s in sentences if s.startswith("Derived figure, from the dates of")]
    assert len(derived) == 1 and re.search(r"\[R\d+\] and \[R\d+\]: 42 days \(about 6 weeks\)\.$", derived[0]), derived
    checks = [c for c in verify_record_side(draft, case, sentences) if c.sentence == derived[0]]
    assert [c.status for c in checks] == ["verified"]
    wrong = derived[0].replace("42 days", "90 days")
    edited = draft.model_copy(update={"rationale": draft.rationale.replace(derived[0], wrong)})
    checks = [c for c in verify_record_side(edited, case, split_sentences(edited.rationale)) if c.sentence == wrong]
    assert [c.status for c in checks] == ["record_fact_not_supported"] and "42 days apart" in checks[0].message


def test_regular_reassessment_asks_for_benefits_and_risks_and_a_pain_score_alone_is_half_of_it():
    """'Are benefits and risks reassessed regularly?' was 'Documented' on "pain at a 2/10" alone (CM16-0247802): the
    CDC asks for both. A pain score with a risk finding either way ("denies side effects") is met; the pain score
    alone is not documented, and the draft says which half is missing in words the record verifier checks, then
    points to the quote without leaving a fragment ("As quoted above [R1].")."""
    from assistant.verification.record import verify_record_side
    from assistant.verification.textmatch import split_sentences

    pain_only = ("The injured worker has chronic low back pain since 2014 and has taken Norco 10/325mg twice daily since "
                 "2015. On 11/29/2016 the physical examination revealed severity of pain at a 2/10.")
    case, checklist, draft = _checklist_draft(pain_only, "Norco 10/325mg #60", None, "Upheld", "opioid")
    row = next(r for r in checklist.rows if r.criterion_id == "cdc-continue-reassess-3-months")
    assert row.status == "not_documented" and "risks" in row.reason
    assert [c.quote for c in row.record_citations] == ["On 11/29/2016 the physical examination revealed severity of pain at a 2/10."]
    sentences = split_sentences(draft.rationale)
    assert not [s for s in sentences if re.fullmatch(r"As quoted above( \[R\d+\])+\.", s)], draft.rationale
    pointers = [s for s in sentences if s.startswith("What the record says of it is quoted above [R")]
    assert pointers, draft.rationale
    checks = verify_record_side(draft, case, sentences)
    assert not [c for c in checks if c.status != "verified"], [(c.sentence, c.message) for c in checks if c.status != "verified"]
    both = pain_only + " He denies side effects from the medication."
    _, checklist, _ = _checklist_draft(both, "Norco 10/325mg #60", None, "Upheld", "opioid")
    row = next(r for r in checklist.rows if r.criterion_id == "cdc-continue-reassess-3-months")
    assert row.status == "met" and any("denies side effects" in c.quote for c in row.record_citations)


def test_a_request_that_continues_a_course_is_not_a_first_course():
    """'Re-exam with chiropractor for the lumbar spine flare-up' (CM17-0005344) was 'Met: a first course, as there is
    no documentation of prior chiropractic', while the request itself speaks of the course it continues."""
    summary = ("The injured worker injured the low back lifting on 06/01/2016. On 12/05/2016 he complained of low back "
               "pain rated 6/10.")
    for item in ("Re-exam with chiropractor for the lumbar spine flare-up", "Additional chiropractic manipulation for the lumbar spine x6"):
        row = next(r for r in _checklist_draft(summary, item, "06/01/2016", "Upheld", "chiropractic")[1].rows
                   if r.criterion_id == "lbp-manipulation-pain-disability")
        assert row.status == "not_documented" and "continues a course" in row.reason, (item, row.status, row.reason)
        assert [c.source for c in row.record_citations] == [REQUEST_SOURCE]
    first = next(r for r in _checklist_draft(summary, "Chiropractic manipulation for the lumbar spine x6", "06/01/2016",
                                             "Upheld", "chiropractic")[1].rows
                 if r.criterion_id == "lbp-manipulation-pain-disability")
    assert first.status == "met" and "first course" in first.reason
    planned = summary + " The treatment plan included additional spinal manipulation 2 times a week for 4 weeks."
    row = next(r for r in _checklist_draft(planned, "Spinal manipulation therapy 2 times a week for 4 weeks", "06/01/2016",
                                           "Upheld", "chiropractic")[1].rows if r.criterion_id == "lbp-manipulation-pain-disability")
    assert row.status == "not_documented" and "record's plan continues a course" in row.reason, row.reason
    assert "additional spinal manipulation" in row.record_citations[0].quote


def test_a_short_interval_is_said_in_days_not_as_about_0_weeks():
    """The chat's 'what is missing?' read "About 0 weeks from the injury date to the latest record entry." for a
    visit four days after the injury (CM17-0005344)."""
    from assistant.vocabulary.record_cues import interval_words

    summary = ("The injured worker injured the low back lifting on 12/01/2016. On 12/05/2016 he complained of acute "
               "low back pain.")
    rows = _checklist_draft(summary, "Chiropractic manipulation for the lumbar spine x6", "12/01/2016", "Upheld", "chiropractic")[1].rows
    reason = next(r for r in rows if r.criterion_id == "lbp-manipulation-chronic").reason
    assert reason.startswith("4 days from the injury date"), reason
    assert [interval_words(n) for n in (1, 4, 9, 37)] == ["1 day", "4 days", "9 days (about 1 week)", "37 days (about 5 weeks)"]
    # The nearest whole week, as the interval check counts: 18 days is not "about 2 weeks" (CM16-0244053).
    assert [interval_words(n) for n in (10, 11, 18)] == ["10 days (about 1 week)", "11 days (about 2 weeks)",
                                                         "18 days (about 3 weeks)"]



def test_an_acute_opioid_request_is_limited_to_a_few_days_only_when_its_count_and_frequency_say_so():
    """CDC 2022 Recommendation 6 (p. 38): 'a few days or less are often sufficient'. "Synapryn (10mg/1ml oral
    suspension) 500ml" in CM17-0014438 (21 days after the injury) was "met" on the injury's date alone."""
    from assistant.criteria.mme import days_supply

    assert days_supply("Norco 10/325mg #60", "Norco 10/325 mg 1 tablet every 6 hours") == (15.0, 15.0)
    assert days_supply("Norco 5/325mg #60, 1-2 tabs orally every 4-6 hrs as needed") == (5.0, 15.0)
    assert days_supply("Synapryn (10mg/1ml oral suspension) 500ml") is None
    assert days_supply("Tramadol 50mg #10") is None
    acute = ("The injured worker sprained the low back lifting on 10/01/2016. On 10/12/2016 he reported low back pain "
             "rated 8/10 with spasm.")
    short = "cdc-acute-short-duration"
    assert _statuses(acute, "Tramadol 50mg #10, 1 tablet twice daily", "10/01/2016")[short] == "met"
    assert _statuses(acute, "Norco 10/325mg #120, 1 tab every 6 hours", "10/01/2016")[short] == "not_met"
    assert _statuses(acute, "Synapryn (10mg/1ml oral suspension) 500ml", "10/01/2016")[short] == "not_documented"
    sets, pages = shipped_sets()
    case = CaseFile(case_id="gen", summary=acute, injury_date="10/01/2016", items=[DisputedItem(text="Norco 10/325mg #35")])
    row = next(r for r in build_checklist(case, 0, sets, item_category(case.items[0].text), pages=pages).rows
               if r.criterion_id == short)
    assert row.status == "not_documented" and row.reason.startswith(
        "There is no documentation of how often the opioid is to be taken"), row.reason


def test_a_sentence_saying_the_file_lacks_a_treatment_s_records_is_not_that_treatment():
    """CM17-0014438: "The patient current medication regimen was not provided." was listed among prior treatments."""
    facts = extract_record_facts("Treatment to date includes medications. The patient current medication regimen was "
                                 "not provided. Physical therapy records were not available for review.")
    quotes = [f.citation.quote for f in facts.get(RecordFact.prior_treatments).findings]
    assert quotes == ["Treatment to date includes medications."]


def test_a_plan_of_care_is_not_treatment_or_imaging_received_and_a_foot_drop_is_a_red_flag():
    """CM17-0007151 (real letter): "The plan of care included … a lumbar spine MRI and a pain specialist for epidural
    steroid injection" was the case's prior imaging and, for its epidural request, a prior injection; "he has a foot
    drop" (a severe motor deficit) was no red flag; and "… since at least 11-8- 16.On 11-29-16, he complained …"
    was one sentence."""
    from assistant.drafting.intake import case_from_file

    case = case_from_file(require_shared(SHARED / "imr-letters" / "dev") / "CM17-0007151.pdf")
    facts = extract_record_facts(case.summary, injury_date=case.injury_date)
    quoted = [f.citation.quote for fact in (RecordFact.prior_imaging, RecordFact.prior_treatments)
              for f in facts.get(fact).present()]
    assert quoted and not any("plan of care" in q for q in quoted), quoted
    assert not any("16.On" in q for q in quoted), quoted
    assert [f.citation.quote for f in facts.get(RecordFact.red_flags).present()] == [
        "On 12-6-16, the progress note states he has a foot drop."]


def test_computerized_tomography_is_prior_imaging():
    """CM16-0236906 (real letter): "Computerized tomography of the brain was documented as showing a right frontal
    skull fracture …" — the case overview said "Prior imaging: not documented"."""
    facts = extract_record_facts("Computerized tomography of the brain was documented as showing a right frontal skull "
                                 "fracture. A CAT scan of the head was repeated the next day.")
    assert len(facts.get(RecordFact.prior_imaging).present()) == 2


def test_a_test_that_has_been_denied_is_not_prior_imaging():
    """CM17-0011517 (real letter): "An EMG has been denied." was listed as the case's prior imaging (a test that
    was never done) in the case overview and in the answer to "has he had an MRI?"."""
    from assistant.drafting.intake import case_from_file

    case = case_from_file(require_shared(SHARED / "imr-letters" / "dev") / "CM17-0011517.pdf")
    facts = extract_record_facts(case.summary, injury_date=case.injury_date)
    quoted = [f.citation.quote for f in facts.get(RecordFact.prior_imaging).present()]
    assert "Diagnostic studies included: MRI right shoulder (11-19-16)." in quoted
    assert not any("denied" in q for q in quoted), quoted


def test_the_days_an_acute_opioid_request_supplies_are_written_out_and_recomputed_by_the_verifier():
    """'Not met: the request reads "Norco 10/325mg #60"' said nothing of the 10 to 15 days the status rests on; the
    figure is now a derived figure the record verifier recomputes from the request and the regimen it quotes."""
    from assistant.verification.record import verify_record_side
    from assistant.verification.textmatch import split_sentences

    summary = ("The injured worker sprained the low back lifting on 10/01/2016. On 10/05/2016 he reported severe low "
               "back pain rated 8/10. The physician prescribed Norco 10/325 mg one tablet every 4 to 6 hours as needed.")
    case, checklist, draft = _checklist_draft(summary, "Norco 10/325mg #60", "10/01/2016", "Upheld", "opioid")
    # Not applicable for the right reason: the pain is acute, not "opioids are already part of the regimen".
    initiating = [r.reason for r in checklist.rows if r.criterion_id.startswith("cdc-initiate-")]
    assert initiating and all(r.startswith("The pain is acute") for r in initiating), initiating
    figure = re.search(r"Derived figure, from the count requested \[R\d+\] and the frequency written \[R\d+\]: "
                       r"60 ÷ 4–6 a day = 10–15 days\.", draft.rationale)
    assert figure, draft.rationale

    def status_of(text: str) -> list[str]:
        checks = verify_record_side(draft.model_copy(update={"rationale": text}), case, split_sentences(text))
        return [c.status for c in checks if c.sentence and c.sentence.startswith("Derived figure, from the count")]

    assert status_of(draft.rationale) == ["verified"]
    assert status_of(draft.rationale.replace("= 10–15 days", "= 2–3 days")) == ["record_fact_not_supported"]
    assert status_of(draft.rationale.replace("60 ÷ 4–6", "60 ÷ 12–18")) == ["record_fact_not_supported"]


def test_treatment_documented_as_not_helping_is_conservative_care_that_failed():
    """CM17-0017104 (real letter, lumbar MRI): 'Medication and physical therapy was "not helping."' — the checklist
    quoted that sentence and still said conservative treatment was documented 'but not … that it failed'."""
    from evals.criteria import letter_item_checklist

    sets, pages = shipped_sets()
    letter = require_shared(SHARED / "imr-letters" / "dev") / "CM17-0017104.pdf"
    checklist = letter_item_checklist(letter, 1, sets, pages, routed=True)
    row = next(r for r in checklist.rows if r.criterion_id == "lbp-imaging-conservative-care-first")
    assert row.status == "met", row.reason
    assert any("not helping" in c.quote for c in row.record_citations)
    facts = extract_record_facts('Medication and physical therapy was "not helping." The pain is not improving.')
    assert {f.polarity for f in facts.get(RecordFact.treatment_response).findings} == {"absent"}


def test_why_not_documented_is_answered_with_the_row_that_is_not_documented():
    """CM17-0017104 (real letter, lumbar MRI): "why is red flags not documented?" shares its words with two rows, the
    red-flag evaluation (met) and the red-flag indication (not documented); the chat showed the met one. The status
    the question names decides between rows its words tie. (The evaluation had been met by a CT result, which is no
    history or exam; here the reviewer has marked it met, as the workspace lets them.)"""
    from assistant.conversation.checklist_answer import answer_checklist
    from evals.criteria import letter_item_checklist

    sets, pages = shipped_sets()
    letter = require_shared(SHARED / "imr-letters" / "dev") / "CM17-0017104.pdf"
    checklist = letter_item_checklist(letter, 1, sets, pages, routed=True)
    checklist = checklist.model_copy(update={"rows": [
        r.model_copy(update={"status": "met", "edited_by_reviewer": True}) if r.criterion_id == "lbp-red-flags-evaluated"
        else r for r in checklist.rows]})
    for question, status in (("why is red flags not documented?", "not documented (required)"),
                             ("why are red flags missing?", "not documented (required)"),
                             ("why is the red flag evaluation met?", "— met (required)")):
        rows = [line for line in answer_checklist(question, checklist, 1).splitlines() if line.startswith("- ")]
        assert len(rows) == 1 and "red flags" in rows[0] and status in rows[0], (question, rows)


def test_the_mme_answer_says_whether_the_regimen_is_the_request_or_the_record():
    """CM16-0247802 (real letter): "what is the MME?" showed "Regimen in the record: “Norco 5/325mg oral tablet, one
    tablet twice daily 14 days #40”" — the disputed request's words, not the record's. The request's regimen is
    labelled as requested; the generated case's record regimen ("Norco 10/325 mg one tablet every 6 hours") as the
    record's."""
    from assistant.conversation.checklist_answer import mme_answer
    from evals.criteria import letter_item_checklist

    sets, pages = shipped_sets()
    letter = require_shared(SHARED / "imr-letters" / "dev") / "CM16-0247802.pdf"
    requested = mme_answer(letter_item_checklist(letter, 4, sets, pages, routed=True), 4)
    assert "hydrocodone 5 mg × 2/day × 1.0 = 10 MME/day" in requested and "Regimen in the record" not in requested
    assert "  Regimen as requested: “Norco 5/325mg oral tablet, one tablet twice daily 14 days #40”" in requested
    recorded = mme_answer(build_checklist(OPIOID_CASE, 0, sets, "opioid", pages=pages), 1)
    assert "  Regimen in the record" in recorded and "every 6 hours" in recorded, recorded


def test_an_injection_of_another_kind_is_not_the_epidural_asked_about():
    """CM17-0013754 (real letter): "has she had an ESI before?" was answered "Prior injection: documented" with the
    record's "intramuscular injection". No epidural is documented as given; the intramuscular injection is shown
    apart, as an injection of another kind. A question about injections in general still lists it as one."""
    from assistant.conversation.record_answer import fact_answer
    from assistant.drafting.intake import case_from_file

    case = case_from_file(require_shared(SHARED / "imr-letters" / "dev") / "CM17-0013754.pdf")
    esi = fact_answer("has she had an ESI before?", case)
    assert esi[0].startswith("Prior epidural injection: not documented"), esi
    assert esi[1] == "Injections of another kind the record documents:" and "intramuscular injection" in esi[2]
    general = fact_answer("any prior injections?", case)
    assert general[0] == "Prior injection: documented, in the record's words:" and "intramuscular injection" in general[1]


def test_a_recommendation_for_therapy_is_not_therapy_received():
    """CM17-0013754 (real letter): '… consulting visit with recommendation for physical therapy sessions, epidural
    injection …' was the case's prior physical therapy and prior injection, and the checklist asked for the benefit of
    therapy the record never shows; the overview showed that sentence alone, though the record's 'Treatment rendered
    included … #3 sessions chiropractic …' names prior treatment too."""
    from assistant.conversation.record_answer import case_overview
    from assistant.drafting.intake import case_from_file

    case = case_from_file(require_shared(SHARED / "imr-letters" / "dev") / "CM17-0013754.pdf")
    facts = extract_record_facts(case.summary, injury_date=case.injury_date)
    quoted = [f.citation.quote for f in facts.get(RecordFact.prior_treatments).present()]
    assert quoted and not any("recommendation for physical therapy" in q for q in quoted), quoted
    overview = "\n".join(case_overview(case, facts))
    treatments = overview.split("Prior treatments:")[1].split("Prior imaging:")[0]
    assert treatments.count("\n- ") == 2 and "#3 sessions chiropractic" in treatments, treatments
    # A sentence naming two treatments is two findings; the overview shows two different sentences.
    two = CaseFile(case_id="gen", items=[DisputedItem(text="Acupuncture x6")], summary=(
        "Treatment to date includes physical therapy and acupuncture. He had chiropractic care in 2015."))
    treatments = "\n".join(case_overview(two)).split("Prior treatments:")[1].split("Prior imaging:")[0]
    assert "He had chiropractic care in 2015." in treatments, treatments


@pytest.mark.parametrize("sentence,red_flag", [
    ("The injured worker was diagnosed as having right foot crush injury and right foot 2nd digit displaced fracture.",
     False),  # CM17-0009883 (real letter): the case's "red flag"
    ("She sustained a fracture of the left wrist and low back pain.", False),
    ("He is being treated for neck muscle strain, right knee contusion, and vertebral unspecified type fracture "
     "nondisplaced.", True),  # CM17-0019120: a vertebral fracture beside a knee contusion
    ("X-rays showed an L1 compression fracture.", True),
    ("The diagnoses include acute bilateral thoracic back pain; closed fracture of multiple ribs of left side with "
     "routine healing; concussion.", False),  # CM17-0007376: the rib fracture beside thoracic back pain
    ("He has a history of fracture.", True),
    ("Computerized tomography of the brain was documented as showing a right frontal skull fracture.", True),
    ("The Ulnar styloid was avulsed and a dorsally displaced fracture involving the posterior cortex of the left distal "
     "ulna.", False),  # CM16-0234202: the bone named after the fracture
    ("The current diagnoses are documented as unspecified fracture of right femur; nondisplaced comminuted fracture of "
     "shaft of right fibula; and other fracture of unspecified lower leg.", False),  # CM17-0006912
])
def test_a_limb_fracture_is_the_injury_not_a_red_flag_for_spinal_imaging(sentence, red_flag):
    assert bool(extract_record_facts(sentence).get(RecordFact.red_flags).present()) is red_flag


def test_a_fracture_of_the_wrist_s_bones_is_no_red_flag_either_way():
    """CM17-0006912: "… the left wrist had a fracture of the fourth metacarpal and comminuted not too much displaced
    fracture of the capitate and hamate …" answered "any red flags?" with "documented as absent": the carpal bones were
    not known as a limb's, and "not too much displaced" read as a denial."""
    sentence = ("It was noted that an x-ray, which was done on the day of the visit, revealed that the left wrist had a "
                "fracture of the fourth metacarpal and comminuted not too much displaced fracture of the capitate and "
                "hamate was in good position, but not healed yet.")
    assert not extract_record_facts(sentence).get(RecordFact.red_flags).findings
    assert not extract_record_facts("X-ray showed a scaphoid fracture.").get(RecordFact.red_flags).findings
    assert extract_record_facts("X-ray showed a sacral fracture.").get(RecordFact.red_flags).present()


def test_an_examination_manoeuvre_is_not_a_prior_treatment():
    """CM17-0005418 (real letter): "A lumbar facet loading maneuver was negative." was listed among the prior
    treatments (as a facet injection); facet and medial branch blocks still are."""
    def classes(text: str) -> list[str]:
        return [f.treatment_class for f in extract_record_facts(text).get(RecordFact.prior_treatments).present()]

    assert classes("A lumbar facet loading maneuver was negative.") == []
    # CM17-0007142 (real letter): the mechanism of injury was listed as a prior medication
    assert classes("The mechanism of injury is detailed as opening a locked medication room door.") == []
    assert classes("Treatment to date has included medications.") == ["medication"]
    assert classes("He had facet blocks in 2015.") == ["injection"]
    assert classes("Prior medial branch block gave relief.") == ["injection"]
    # CM17-0013754: a TENS unit written out; CM16-0238352: imaging sought is not imaging done
    assert "tens" in classes("Treatment rendered included transcutaneous nerve stimulator unit and home exercises.")
    assert not extract_record_facts("MRI imaging of the shoulder was sought.").get(RecordFact.prior_imaging).present()


def test_what_a_note_does_not_list_is_not_a_treatment_documented_absent():
    """CM17-0006838 (real letter): "Current medications are not indicated in the treatment note." was the case's prior
    treatment, "documented as absent" (the note lists none; the patient may take some)."""
    facts = extract_record_facts("Current medications are not indicated in the treatment note. "
                                 "Medications were not listed. He has not had physical therapy. "
                                 "Medications were not adequately documented on the most recent clinical note.")
    assert [(f.treatment_class, f.polarity) for f in facts.get(RecordFact.prior_treatments).findings] == [
        ("physical-therapy", "absent")]


def test_the_overview_marks_a_sentence_that_negates_a_documented_fact():
    """CM17-0002892 (real letter): "No relevant surgical history was documented as contributory …" was listed under
    "Prior treatments: documented" as if it documented surgery."""
    from assistant.conversation.record_answer import case_overview

    case = CaseFile(case_id="gen", items=[DisputedItem(text="Knee arthroscopy")], summary=(
        "Prior relevant treatment has included rest and medications. No relevant surgical history was documented."))
    overview = "\n".join(case_overview(case))
    assert "Prior relevant treatment has included rest and medications.” (case summary)\n" in overview, overview
    assert "No relevant surgical history was documented.” (case summary) — negated" in overview, overview


def test_a_normal_exam_finding_under_documented_findings_is_marked_normal_not_undone():
    """CM17-0005418 (real letter): "Motor strength was normal in the bilateral lower extremities." was listed under
    "Neurological findings: documented" as "negated: says it was not done or not found" — as if no strength exam."""
    from assistant.conversation.record_answer import record_answer

    case = CaseFile(case_id="gen", items=[DisputedItem(text="Lumbar epidural steroid injection")], summary=(
        "A straight leg raise was positive on the right. Motor strength was normal in the bilateral lower extremities. "
        "He has not had physical therapy. Treatment has included chiropractic treatments."))
    findings = record_answer("does he have neurological deficits?", case)
    assert "lower extremities.” (case summary) — negated: a normal finding, or one the record says is absent" in findings
    assert "not done" not in findings, findings
    treatments = record_answer("what treatment has he had?", case)
    assert "— negated: says it was not done or not found" in treatments, treatments


def test_a_date_the_record_looks_ahead_to_is_not_the_latest_entry():
    """CM17-0003917 (real letter): "The injured worker was placed off work through 12-12-2016." made the latest record
    date the end of the off-work period, 12 days after the injury, where the visit was on 12-09-2016 (day 9)."""
    from assistant.drafting.intake import case_from_file
    from assistant.vocabulary.record_cues import entry_date

    case = case_from_file(require_shared(SHARED / "imr-letters" / "dev") / "CM17-0003917.pdf")
    facts = extract_record_facts(case.summary, injury_date=case.injury_date)
    assert facts.symptom_days == 9, [c.quote for c in facts.timing_quotes]
    assert entry_date("He was placed off work through 12-12-2016.") is None
    assert entry_date("Seen on 12-09-2016; off work until 12-20-2016.") == "12-09-2016"
    assert entry_date("He will follow up on 01-05-2017.") is None


def test_a_sentence_about_the_whole_record_takes_no_visit_s_date():
    """QA reading of CM16-0232182 (real letter): "Treatment to date has included chiropractic treatment (… without
    documentation of objective functional improvement) …" was quoted "(11-9-16)", the date of the exam sentence before
    it; it speaks of the whole record, not that visit. The visit's own sentences keep its date."""
    from assistant.vocabulary.record_cues import entry_dates

    dated = entry_dates(["On 11-9-16, the injured worker complained of low back pain.",
                         "A physical exam revealed tenderness.",
                         "Treatment to date has included chiropractic treatment and activity modifications.",
                         "A review of the medical records shows diagnoses of lumbar strain."])
    assert dated == ["11-9-16", "11-9-16", None, None]
    sets, pages = shipped_sets()
    checklist = letter_item_checklist_of("CM16-0232182.pdf", 1, sets, pages)
    for row in checklist.rows:
        for citation in row.record_citations:
            if citation.quote.startswith("Treatment to date"):
                assert citation.shown_date is None, (row.criterion_id, citation)


def letter_item_checklist_of(name: str, item: int, sets, pages):
    from evals.criteria import letter_item_checklist

    return letter_item_checklist(require_shared(SHARED / "imr-letters" / "dev") / name, item, sets, pages)


def test_sessions_a_review_already_authorized_are_a_course_whose_benefit_is_asked_for():
    """CM17-0013754 (real letter): "… modified by Utilization Review … accommodating x1 lumbar epidural L4 L5 and 10
    sessions physical therapy with 2 remaining sessions eligible for independent medical review" — the 2 sessions are
    what is left of an authorized course, and its reviewer asked for the response to the initial sessions; the
    checklist called them a first course. A denial of sessions ('non-certified … 12 sessions') authorizes none."""
    sets, pages = shipped_sets()

    def row(summary: str) -> tuple[str, list[str]]:
        case = CaseFile(case_id="gen", summary=summary, items=[DisputedItem(text="2 sessions of physical therapy")])
        checklist = build_checklist(case, 0, sets, item_category("2 sessions of physical therapy"), pages=pages)
        found = next(r for r in checklist.rows if r.criterion_id == "lbp-exercise-functional-benefit")
        return found.status, [c.quote for c in found.record_citations]

    letter = require_shared(SHARED / "imr-letters" / "dev") / "CM17-0013754.pdf"
    from assistant.drafting.intake import case_from_file

    status, quotes = row(case_from_file(letter).summary)
    assert status == "not_documented" and any("10 sessions physical therapy" in q for q in quotes), (status, quotes)
    denied = ("Chronic low back pain since 2015. The Utilization Review dated 1-5-17 non-certified the request for "
              "physical therapy x 12 sessions for the low back.")
    assert row(denied)[0] == "met"  # a first course: nothing was authorized
    # The draft says whose words the certification is: the review's account, not "the record states".
    modified = ("Chronic low back pain since 2015. The original utilization review dated 01/19/2017 modified the "
                "request for physical therapy to initial trial of 6 sessions as recommended by the guidelines.")
    _, _, draft = _checklist_draft(modified, "Two physical therapy sessions for the lumbar", None, "Upheld",
                                   "physical-therapy")
    assert 'The review\'s account states (01/19/2017), "The original utilization review' in draft.rationale, draft.rationale


def test_a_record_sentence_that_itself_quotes_is_quoted_in_the_other_marks_and_verifies():
    """CM17-0017104: the row about red-flag evaluation rested on 'The CT scan … revealed "no fracture of subluxation
    in the lumbar spine."', which straight quotation marks cannot hold, so the draft said only "Drafting note: the
    checklist marks … as met without a record quote". It is quoted in curly marks, the record's own marks kept. (A CT
    result no longer meets that row — it is no history or exam — so an exam sentence that quotes stands in for it.)"""
    from assistant.verification.record import verify_record_side
    from assistant.verification.textmatch import split_sentences

    ct = 'The physical examination on 11-4-16 revealed "decreased sensation in the left L5 dermatome."'
    summary = ("The injured worker is a 29 year old female, who sustained an industrial injury on 11-4-2016. "
               f"{ct} On 12-19-16, she complained of ongoing pain in the low back.")
    case, _, draft = _checklist_draft(summary, "MRI of the lumbar spine", "11/4/2016", "Upheld", "imaging")
    assert ct in [c.quote for c in draft.record_citations]
    assert f"“{ct.rstrip('.')}”" in draft.rationale and "without a record quote" not in draft.rationale
    checks = verify_record_side(draft, case, split_sentences(draft.rationale))
    assert checks and all(c.status == "verified" for c in checks), [(c.status, c.sentence) for c in checks]


@pytest.mark.parametrize("sentence,fact", [
    ("The MRI was normal.", RecordFact.prior_imaging),
    ("The x-rays were unremarkable, showing no significantly displaced rib fractures, and no pneumothorax.",
     RecordFact.prior_imaging),  # CM17-0007376
    ("CT scan of the brain was negative.", RecordFact.prior_imaging),
    ("A urine drug screen on 10/15/2016 was negative.", RecordFact.urine_drug_test),
    ("A sleep study was within normal limits.", RecordFact.sleep_study),
])
def test_a_test_whose_result_is_normal_or_negative_was_done(sentence, fact):
    """'was normal', 'unremarkable', 'negative' deny a finding ("reflexes were normal": no deficit) but not the
    test that found nothing: the chat listed CM17-0007376's chest x-rays as "negated: says it was not done"."""
    assert [f.polarity for f in extract_record_facts(sentence).get(fact).findings] == ["present"]


@pytest.mark.parametrize("sentence,fact", [
    ("No prior MRI are found.", RecordFact.prior_imaging),
    ("An MRI was not done.", RecordFact.prior_imaging),
    ("No urine drug screen was performed.", RecordFact.urine_drug_test),
    ("CURES was not checked.", RecordFact.pdmp_check),
])
def test_a_test_not_done_stays_not_done(sentence, fact):
    assert [f.polarity for f in extract_record_facts(sentence).get(fact).findings] == ["absent"]


def test_showing_the_checklist_lists_the_met_rows_with_their_quotes_and_what_is_missing_lists_only_the_rest():
    """CM17-0020728 (real letter, lumbar physical therapy after "six sessions … with significant benefit"): "show
    the checklist for item 1" answered "every applicable criterion is met" and no row: the reviewer could not see
    which record sentence met which requirement. "What is missing" still lists only what is not met."""
    from assistant.conversation.checklist_answer import answer_checklist
    from evals.criteria import letter_item_checklist

    sets, pages = shipped_sets()
    letter = require_shared(SHARED / "imr-letters" / "dev") / "CM17-0020728.pdf"
    checklist = letter_item_checklist(letter, 1, sets, pages, routed=True)
    assert checklist is not None and all(r.status == "met" for r in checklist.applicable)
    shown = answer_checklist("show the checklist for item 1", checklist, 1).splitlines()
    rows = [line for line in shown if line.startswith("- ")]
    assert len(rows) == len(checklist.applicable) >= 2 and "— met (required)" in rows[0], rows  # required first
    assert any("six sessions of physical therapy with significant benefit" in line for line in shown)
    missing = answer_checklist("what is missing for item 1?", checklist, 1).splitlines()
    assert not [line for line in missing if line.startswith("- ")], missing


def test_a_date_the_visit_reports_from_earlier_does_not_date_the_visit_s_examination():
    """CM17-0003917: 'On 12-09-2016 (Doctor's First Report …) … The injured worker reported seeing his personal
    physician on 12-05-2016 … Physical exam noted … right ankle deep tendon reflex 1+ …': the exam was dated
    12-05-2016, the earlier visit the 12-09-2016 report mentions. A sentence that opens with an earlier date starts
    an entry of its own."""
    from assistant.criteria.facts import sentences_with_dates

    record = ("On 12-09-2016 (Doctor's First Report of Occupational Injury or Illness), the injured worker complains of "
              "right low back pain. The injured worker reported seeing his personal physician on 12-05-2016 and being "
              "prescribed Ibuprofen and a muscle relaxant. Physical exam noted right ankle deep tendon reflex 1+. "
              "On 11-20-2016, he was seen for a follow-up. Pain was rated 6/10.")
    dated = dict(sentences_with_dates(record))
    assert dated["Physical exam noted right ankle deep tendon reflex 1+."] == "12-09-2016"
    assert dated["The injured worker reported seeing his personal physician on 12-05-2016 and being prescribed "
                 "Ibuprofen and a muscle relaxant."] == "12-05-2016"
    assert dated["Pain was rated 6/10."] == "11-20-2016"


def test_a_diminished_reflex_is_a_focal_finding_and_only_a_progressive_or_serious_deficit_is_the_imaging_indication():
    """CM17-0003917's draft said "there is no documentation of a red flag or of a progressive or focal neurologic
    deficit" beside the record's "right ankle deep tendon reflex 1+" (2+ is normal), and the verifier confirmed it.
    The finding is focal; its reviewer upheld the MRI at day 9 ("No red flag signs were identified"): a focal finding
    the record does not call progressive or serious leaves Recommendation 2's indication undocumented (the finding
    quoted), and does not skip the four weeks of noninvasive care in which most radiculopathy improves. A progressive
    deficit is the indication."""
    item, injury = "MRI of the lumbar spine", "11-30-2016"
    focal = ("The injured worker sustained an industrial injury on 11-30-2016. On 12-09-2016 he complained of low back "
             "pain radiating down the right leg. Physical exam noted left ankle deep tendon reflex 2+, right ankle deep "
             "tendon reflex 1+, intact sensation.")
    indication = _row(focal, item, "lbp-imaging-red-flags-present", injury)
    assert indication.status == "not_documented" and "focal" not in indication.reason  # silent on progression
    assert any("reflex 1+" in c.quote for c in indication.record_citations)
    statuses = _statuses(focal, item, injury)
    assert statuses["lbp-no-routine-imaging-acute"] == "met"  # not "acute low back pain without focal deficits"
    assert statuses["lbp-imaging-conservative-care-first"] == "not_met"
    progressive = focal.replace("right ankle deep tendon reflex 1+", "progressive weakness of the right ankle dorsiflexors")
    assert _statuses(progressive, item, injury)["lbp-imaging-red-flags-present"] == "met"


def test_radicular_findings_without_corroborating_imaging_say_which_half_is_missing():
    """CM17-0005418 (a transforaminal ESI): the exam documents a positive straight leg raise and diminished L4-L5
    sensation, and "No MRI report was available." The row said "there is no documentation of radiculopathy on
    examination corroborated by imaging" beside the exam quotes; its reviewer wrote "no recent MRI or electrodiagnostic
    studies supporting a diagnosis of radiculopathy"."""
    summary = ("On 12-21-16 the injured worker complained of low back pain and right leg pain. A straight leg raise was "
               "positive on the right. Sensation was diminished in the lumbar four and lumbar five dermatomes of the lower "
               "extremities. No MRI report was available.")
    row = _row(summary, "Right L5 transforaminal epidural steroid injection", "lbp-esi-radicular")
    assert row.status == "not_documented"
    assert row.reason.startswith("Radicular findings on examination are documented, but there is no documentation of imaging")
    quotes = [c.quote for c in row.record_citations]
    assert "No MRI report was available." in quotes and any("straight leg raise" in q for q in quotes)
    assert len(quotes) == 2
    # With no radicular finding at all, the row says radiculopathy itself is not documented.
    bare = _row("On 12-21-16 the injured worker complained of low back pain.", "Lumbar epidural steroid injection",
                "lbp-esi-radicular")
    assert bare.reason.startswith("There is no documentation of radiculopathy on examination")


def test_a_dose_range_that_reaches_the_threshold_only_at_its_most_frequent_dosing_says_so():
    """CM17-0010420's post-operative "Norco 5/325mg #60, 1-2 tabs orally every 4-6 hrs as needed" is 20-60 MME/day;
    the ≥ 50 MME/day row said "at or above 50 MME/day" of it. A regimen at or above the threshold at its least still
    says so."""
    ranged = _row("On 12/01/2016 the patient underwent umbilical hernia repair.",
                  "Post-op Norco 5/325mg #60, 1-2 tabs orally every 4-6 hrs as needed", "cdc-dose-50-reassess")
    assert "20–60 MME/day: 50 MME/day or more only at the most frequent dosing" in ranged.reason, ranged.reason
    fixed = _row("Chronic low back pain since 2014; Norco 10/325mg every 4 hours since 2015.",
                 "Norco 10/325mg every 4 hours #180", "cdc-dose-50-reassess")
    assert "60 MME/day: at or above 50 MME/day" in fixed.reason, fixed.reason


def test_an_image_s_result_is_not_the_history_and_examination_recommendation_1_asks_for():
    """CM17-0017104 (real letter, lumbar MRI): "Did the history and examination evaluate for … red flags?" was met by
    "The CT scan of the lumbar spine obtained on 11-4-16, revealed "no fracture of subluxation …"", where the only
    exam was "abnormal posture and lumbar tenderness". An examination that records a neurological finding still meets
    it."""
    from evals.criteria import letter_item_checklist

    sets, pages = shipped_sets()
    letters = require_shared(SHARED / "imr-letters" / "dev")
    rows = {r.criterion_id: r for r in letter_item_checklist(letters / "CM17-0017104.pdf", 1, sets, pages).rows}
    assert rows["lbp-red-flags-evaluated"].status == "not_documented", rows["lbp-red-flags-evaluated"]
    examined = _row("On 12-19-16 the physical examination documented intact sensation and 5/5 strength in the lower "
                    "extremities. An x-ray of the lumbar spine revealed no fracture.", "MRI of the lumbar spine",
                    "lbp-red-flags-evaluated")
    assert examined.status == "met" and "sensation" in examined.record_citations[0].quote


@pytest.mark.parametrize("medications, status", [
    # No frequency: no MME/day, so a dosage of 50 or more is not excluded (CM17-0016311's Ultram 50mg #60 was "met").
    ("Current medications include Ultram 50 mg.", "not_documented"),
    ("Current medications include Ultram 50 mg one tablet twice a day.", "met"),  # 20 MME/day, no risk factor
])
def test_naloxone_is_met_by_no_risk_factor_only_when_the_dosage_is_known(medications, status):
    sets, pages = shipped_sets()
    record = f"The injured worker is a 40-year-old male injured on 01/10/2016. {medications} He is working full duty."
    case = CaseFile(case_id="gen", summary=record, items=[DisputedItem(text="Ultram 50mg #60")])
    checklist = build_checklist(case, 0, sets, item_category("Ultram 50mg #60"), pages=pages)
    row = next(r for r in checklist.rows if r.criterion_id == "cdc-naloxone-offered")
    assert row.status == status, row


def test_relief_that_did_not_last_is_no_benefit_and_a_return_to_work_is_not_relief_lost():
    """QA reading of CM17-0011517: "Did the injection help?" was answered "benefit documented" from "… was better for
    several days after the injection and has now returned." Relief that wore off is no lasting response."""
    wore_off = extract_record_facts("The injured worker reports the right arm numbness to the hand from the shoulder "
                                    "was better for several days after the injection and has now returned.")
    response = wore_off.get(RecordFact.treatment_response)
    assert response.absent("injection") and not response.present("injection")
    back_at_work = extract_record_facts("After physical therapy he felt better and has returned to work.")
    assert back_at_work.get(RecordFact.treatment_response).present("physical-therapy")
