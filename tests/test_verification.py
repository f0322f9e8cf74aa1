"""The verifier against the real CDC index: each kind of bad citation is caught, good ones pass."""

from __future__ import annotations

import pytest

from assistant.contracts import Citation, DisputedItem, ItemRationale
from assistant.verification.textmatch import match_key, quote_occurs, split_sentences
from assistant.verification.verify import check_citation, check_free_text, decision_check, uncited_requirements, verify_rationale
from conftest import LETTERS_DIR, require_shared

CDC = "cdc-opioids-2022"
TITLE = "CDC Clinical Practice Guideline for Prescribing Opioids for Pain (2022)"
# Box 3, printed p. 11 (physical 13): the statement of Recommendation 1.
REC1 = "Nonopioid therapies are at least as effective as opioids for many common types of acute pain."


def cite(page: str, quote: str, guideline: str = CDC, end: str | None = None) -> Citation:
    return Citation(guideline_id=guideline, title=TITLE, printed_page=page, printed_page_end=end, quote=quote)


def rationale(text: str, citations: list[Citation], decision: str = "Upheld") -> ItemRationale:
    return ItemRationale(item=DisputedItem(text="Oxycodone 10mg #90"), decision=decision, rationale=text, citations=citations)


def statuses(report) -> list[str]:
    return [c.status for c in report.checks]


def test_match_key_ignores_whitespace_hyphenation_ligatures_and_quotes():
    assert match_key("immediate-\nrelease  “opioids”") == match_key("immediaterelease \"opioids\"")
    assert match_key("ﬁrst") == match_key("first")
    assert quote_occurs("clinicians should ... prescribe the lowest effective dosage",
                        "When opioids are initiated, clinicians should carefully prescribe the lowest effective dosage.")
    assert not quote_occurs("prescribe the lowest effective dosage ... clinicians should",
                            "clinicians should prescribe the lowest effective dosage")


def test_exact_quote_on_the_right_page_is_verified(cdc_search):
    check = check_citation(cdc_search.library, cite("11", REC1), "[1]")
    assert check.status == "verified", check.message


def test_wrong_page_is_caught_and_the_real_page_named(cdc_search):
    check = check_citation(cdc_search.library, cite("23", REC1), "[1]")
    assert check.status == "page_wrong"
    assert "11" in check.found_on_pages


def test_altered_quote_is_caught(cdc_search):
    altered = REC1.replace("at least as effective", "more effective")
    assert check_citation(cdc_search.library, cite("11", altered)).status == "quote_not_found"


def test_fabricated_guideline_and_missing_page_are_caught(cdc_search):
    fabricated = Citation(guideline_id="mtus-chronic-pain-2009", title="Chronic Pain Medical Treatment Guidelines",
                          printed_page="23", quote="an initial trial of three to four sessions of psychotherapy")
    assert check_citation(cdc_search.library, fabricated).status == "guideline_not_in_corpus"
    assert check_citation(cdc_search.library, cite("99", REC1)).status == "page_not_in_guideline"


def test_quote_across_a_page_break_needs_a_page_range(cdc_search):
    library = cdc_search.library
    page, following = library.page(CDC, "32"), library.page(CDC, "33")
    tail = " ".join(page.text.split()[-8:])
    head = " ".join(following.text.split()[:8])
    spanning = f"{tail} {head}"
    single = check_citation(library, cite("32", spanning))
    assert single.status == "page_wrong" and "pp. 32–33" in single.message
    assert check_citation(library, cite("32", spanning, end="33")).status == "verified"


def test_orphan_marker_and_uncited_requirement_are_caught(cdc_search):
    text = (f'As noted on page 11 of the {TITLE}, "{REC1}" [1]. The guidelines recommend a trial of opioids only after '
            "nonopioid therapy has failed. This is also stated elsewhere [3]. Therefore, the request is not medically necessary.")
    report = verify_rationale(rationale(text, [cite("11", REC1)]), cdc_search.library, cdc_search.page_ranking)
    found = statuses(report)
    assert "orphan_marker" in found
    assert "uncited_requirement" in found
    assert report.verified == 1


def test_a_record_quote_that_mentions_guidelines_is_the_record_speaking_not_an_uncited_requirement():
    """The utilization review's reasons quoted from the record ("due to a lack of ... guideline support") are the
    record's words, checked against the record; the writer's own words outside the quotation marks still count,
    and a quotation not attributed to the record is read as the writer's."""
    quoted = ("Per the case summary (12/07/2016): \u201cThis case was previously noncertified on 12/07/2016, due to a lack "
              "of physical exam findings and guideline support for the requested services.\u201d [R6].")
    own = "The guidelines recommend an initial trial of six visits [R2]."
    unattributed = "The records state \u201cthe guidelines recommend six visits of therapy\u201d."
    flagged = [c.sentence for c in uncited_requirements([quoted, own, unattributed])]
    assert flagged == [own, unattributed]


def test_a_general_norm_is_an_uncited_requirement_not_a_fact_about_the_record():
    """Real IMR rationales (CM17-0002198, CM17-0008753): "Functional improvement should be documented after six
    sessions." was told "The record does not show this"; it states a guideline's norm and cites no page. A norm that
    speaks of this patient, and the reviewer applying one ("would not be supported"), stay the record's."""
    from assistant.verification.record import asserts_record_fact

    norms = ["Functional improvement should be documented after six sessions.",
             "This medication is only recommended for neuropathic pain and depression.",
             "With documentation of objective functional improvement, additional sessions may be indicated."]
    about_the_case = ["He should have also been taught a home exercise program to continue.",
                      "Therefore, the ongoing usage would not be supported."]
    assert [c.sentence for c in uncited_requirements(norms + about_the_case)] == norms
    assert not any(asserts_record_fact(s) for s in norms)
    assert asserts_record_fact(about_the_case[0])


def test_a_general_clinical_claim_without_a_page_is_flagged_not_passed_over_or_read_as_the_record():
    """Real IMR rationales: "Patient-specific hand therapy is very important in reducing swelling … in CRPS."
    (CM17-0011517 and three more) was told "The record does not show this" ("Patient-" read as this patient), and
    "Ultrasound has little evidence of effectiveness over placebo." was a verified absence from the record: beside
    one verified record quote the text showed green. A claim of what a treatment does or what the evidence shows,
    not about this patient, needs a page; what the record lacks stays the record's."""
    from assistant.verification.record import asserts_record_fact

    claims = ["Patient-specific hand therapy is very important in reducing swelling, decreasing pain, and improving "
              "range of motion in CRPS.",
              "Ultrasound has little evidence of effectiveness over placebo.",
              "The available evidence does not support the effectiveness of shockwave for treating back pain.",
              "Opioids double the risk of falls in older adults."]
    about_the_case = ["There is no evidence of functional benefit from prior therapy.",
                      "There is no evidence that the CURES was checked.",
                      "Given the chronicity of pain in this worker, the lack of evidence of failed first-line care matters.",
                      "Is there evidence of effectiveness?"]
    flagged = uncited_requirements(claims + about_the_case)
    assert [c.sentence for c in flagged] == claims
    assert all("cites no guideline page and quotes no record" in c.message for c in flagged)
    assert not any(asserts_record_fact(s) for s in claims)
    assert asserts_record_fact(about_the_case[0]) and asserts_record_fact(about_the_case[1])


def test_the_patient_of_a_guideline_sentence_is_any_patient_not_this_one():
    """Real IMR rationales state guideline text in general words that name "the patient": "Preoperative testing should
    be guided by the patient's clinical history, comorbidities, and physical examination findings." (CM17-0010420,
    three items) and "Manual Therapy is widely used … that facilitate progression in the patient's therapeutic
    exercise program …" (CM17-0005344, CM17-0015198) were told "The record does not show this … quote the record",
    when what they lack is a guideline page. "The patient" as the subject of what happened stays this patient."""
    from assistant.verification.record import asserts_record_fact

    general = ["Preoperative testing should be guided by the patient's clinical history, comorbidities, and physical "
               "examination findings.",
               "Manual Therapy is widely used with the intended goal of positive symptomatic or objective measurable "
               "gains in functional improvement that facilitate progression in the patient's therapeutic exercise "
               "program and return to productive activities.",
               "In conclusion, the most reliable medical evidence indicates that having the patient return to work and "
               "normal activities allows for the best treatment outcomes.",
               "The goal expectation of treatment with physical therapy is to transition the patient to an "
               "unsupervised active therapy regimen.",
               "Acupuncture treatments may be extended if functional improvement is documented.",
               "Additional treatment is contingent upon patient response to treatment."]
    about_the_case = ["The patient should have been taught a home exercise program on 12/01/2016.",
                      "The patient had objective evidence of cervical radiculopathy.",
                      "Physical examination findings revealed no evidence to support nerve compromise or red flag "
                      "conditions that would warrant imaging studies at this time.",
                      "The patient reports that the medication is effective."]
    flagged = uncited_requirements(general + about_the_case)
    assert [c.sentence for c in flagged] == general
    assert not any(asserts_record_fact(s) for s in general)
    assert all(asserts_record_fact(s) for s in about_the_case)


def test_a_sentence_does_not_end_at_e_g_or_dr():
    """Split after "e.g.", the words after it read as a statement of their own, which the record side then flags."""
    text = ("The guideline that most likely governs is the MTUS/ACOEM body-part chapter (e.g. Low Back Complaints) "
            "\u2014 Special Studies. She was seen by Dr. Lee on 11/02/2016. Pain was 5/10.")
    assert split_sentences(text) == [
        "The guideline that most likely governs is the MTUS/ACOEM body-part chapter (e.g. Low Back Complaints) \u2014 Special Studies.",
        "She was seen by Dr. Lee on 11/02/2016.", "Pain was 5/10."]


def test_every_real_reviewers_conclusion_reads_as_the_decision_it_states():
    """143 real rationales: "is determined to not be medically necessary", "cannot be deemed medically necessary",
    "is not a medical necessity", "the medical necessity of this request is not established" are all upheld; the
    check once called six of them inconsistent with their own decision. A flipped decision is still caught."""
    from assistant.letters.parse import parse_letter_file

    checked, wrong, caught = 0, [], 0
    for path in sorted(require_shared(LETTERS_DIR).glob("*.pdf")):
        for number, item in enumerate(parse_letter_file(path).items, start=1):
            if item.decision not in ("Upheld", "Overturned") or not item.rationale:
                continue
            checked += 1
            if decision_check(item.rationale, item.decision) is not None:
                wrong.append((path.name, number, item.decision))
            flipped = "Overturned" if item.decision == "Upheld" else "Upheld"
            caught += decision_check(item.rationale, flipped) is not None
    assert checked >= 140 and not wrong, wrong
    assert caught == checked


def test_conclusion_must_match_the_decision(cdc_search):
    text = f'As noted on page 11, "{REC1}" [1]. Therefore, the request is medically necessary.'
    report = verify_rationale(rationale(text, [cite("11", REC1)], decision="Upheld"), cdc_search.library)
    assert "decision_inconsistent" in statuses(report)
    agreeing = verify_rationale(rationale(text, [cite("11", REC1)], decision="Overturned"), cdc_search.library)
    assert "decision_inconsistent" not in statuses(agreeing)


def test_claim_not_supported_by_the_cited_page(cdc_search):
    # A verbatim quote from p. 11, but the sentence claims something about naloxone dosing, which p. 11 does not support.
    text = (f'Naloxone should be co-prescribed with every benzodiazepine and toxicology test, as the guideline says, '
            f'"{REC1}" [1]. Therefore, the request is not medically necessary.')
    report = verify_rationale(rationale(text, [cite("11", REC1)]), cdc_search.library, cdc_search.page_ranking)
    assert report.checks[0].status == "claim_not_supported", report.checks[0].message


def test_free_text_check_in_reviewer_styles(cdc_search):
    good = ("As noted on page 50 of the CDC Clinical Practice Guideline for Prescribing Opioids for Pain, clinicians should "
            "consider the benefits and risks of toxicology testing before starting opioids and periodically during opioid "
            "therapy. Therefore, the request is medically necessary.")
    report = check_free_text(good, cdc_search.library, "Overturned", cdc_search.page_ranking)
    assert [c.status for c in report.citation_checks] == ["verified"], report.checks

    wrong_page = good.replace("page 50", "page 5")
    bad = check_free_text(wrong_page, cdc_search.library, "Overturned", cdc_search.page_ranking)
    assert bad.citation_checks[0].status in {"page_wrong", "claim_not_supported"}
    assert "50" in bad.citation_checks[0].found_on_pages

    mtus = ("As noted on pages 23 of the Chronic Pain Medical Treatment Guidelines, an initial trial of three to four "
            "sessions of psychotherapy are endorsed. Therefore, the requests are medically necessary.")
    report = check_free_text(mtus, cdc_search.library, "Overturned", cdc_search.page_ranking)
    assert report.citation_checks[0].status == "guideline_not_in_corpus"
    # A page with no guideline named anywhere before it is not "a guideline not in the corpus": it names none.
    unnamed = check_free_text("The guideline says imaging is not needed (page 29). Therefore, the request is not "
                              "medically necessary.", cdc_search.library, "Upheld", cdc_search.page_ranking)
    assert [c.status for c in unnamed.problems] == ["unverifiable_reference"], unnamed.problems
    assert "names no guideline" in unnamed.problems[0].message and not unnamed.ok


@pytest.mark.parametrize("decision,sentence,ok", [
    ("Upheld", "Therefore, the request is not medically necessary.", True),
    ("Upheld", "Therefore, the request is medically necessary.", False),
    ("Overturned", "Therefore, the requests are medically necessary.", True),
    ("Overturned", "Therefore, the request was non-certified and is not medically necessary.", False),
])
def test_decision_consistency_table(cdc_search, decision, sentence, ok):
    report = check_free_text(sentence, cdc_search.library, decision)
    assert ("decision_inconsistent" not in statuses(report)) is ok


def test_quote_edited_in_the_prose_is_caught_even_when_the_citation_is_intact(cdc_search):
    text = f'As noted on page 11 of the {TITLE}, "{REC1}" [1]. Therefore, the request is not medically necessary.'
    intact = verify_rationale(rationale(text, [cite("11", REC1)]), cdc_search.library)
    assert intact.ok, [p.message for p in intact.problems]
    edited = text.replace("at least as effective", "far more effective")
    report = verify_rationale(rationale(edited, [cite("11", REC1)]), cdc_search.library)
    assert "quote_not_found" in statuses(report)


def test_a_guideline_quote_of_two_sentences_stays_one_sentence_with_its_marker():
    """Split inside the quote, its second half would read as an uncited statement about the case."""
    from assistant.verification.textmatch import split_sentences

    quoted = ('As noted on page 21, "Nonopioid therapies are preferred for subacute and chronic pain. Clinicians should '
              'maximize use of nonpharmacologic and nonopioid pharmacologic therapies as appropriate for the specific '
              'condition and patient" [1].')
    assert split_sentences(quoted + " The patient is 45. Is it met? Yes.") == [quoted, "The patient is 45.", "Is it met?", "Yes."]
    unclosed = 'He said "no. Then he left. ' + "More words here. " * 50 + 'End" Fine.'  # no closing quote within 600
    assert split_sentences(unclosed)[:3] == ['He said "no.', "Then he left.", "More words here."]
    assert split_sentences('One. "Two." Three.') == ["One.", '"Two."', "Three."]


# CDC p. 44: "Clinicians should avoid prescribing opioids to patients with moderate or severe sleep-disordered
# breathing, whenever possible, to minimize risks for respiratory depression."
SLEEP_APNEA_AGAINST = ("The CDC guideline (2022), page 44, recommends against prescribing opioids to patients with "
                       "moderate or severe sleep-disordered breathing.")


def test_a_sentence_reversing_the_pages_recommendation_is_not_verified(cdc_search):
    library, ranker = cdc_search.library, cdc_search.page_ranking
    right = check_free_text(SLEEP_APNEA_AGAINST, library, ranker=ranker)
    assert [c.status for c in right.citation_checks] == ["verified"]
    reversed_text = SLEEP_APNEA_AGAINST.replace("recommends against prescribing", "recommends prescribing")
    wrong = check_free_text(reversed_text, library, ranker=ranker)
    assert [c.status for c in wrong.citation_checks] == ["claim_not_supported"]
    assert "opposite" in wrong.citation_checks[0].message and "should avoid prescribing" in wrong.citation_checks[0].message


def test_a_draft_sentence_reversing_its_cited_quote_is_not_verified(cdc_search):
    quote = "Clinicians should avoid prescribing opioids to patients with moderate or severe sleep-disordered breathing"
    text = ("The guideline recommends prescribing opioids to patients with moderate or severe sleep-disordered "
            "breathing [1]. Therefore, the request is medically necessary.")
    report = verify_rationale(rationale(text, [cite("44", quote)], decision="Overturned"), cdc_search.library,
                              cdc_search.page_ranking)
    assert [c.status for c in report.citation_checks] == ["claim_not_supported"]
    kept = text.replace("recommends prescribing", "recommends against prescribing").replace(
        "is medically necessary", "is not medically necessary")
    report = verify_rationale(rationale(kept, [cite("44", quote)]), cdc_search.library, cdc_search.page_ranking)
    assert [c.status for c in report.citation_checks] == ["verified"]


def test_a_citation_in_a_sentence_that_says_nothing_is_not_shown_as_verified(cdc_search):
    report = check_free_text("See the CDC guideline (2022), page 44.", cdc_search.library, ranker=cdc_search.page_ranking)
    assert [c.status for c in report.citation_checks] == ["unverifiable_reference"]
    assert not report.ok


DOSAGE_PAUSE = ("The CDC guideline (2022), page 32, says before increasing total opioid dosage to ≥50 MME/day, clinicians "
                "should pause and carefully reassess evidence of benefits and risks.")


def test_a_sentence_changing_the_pages_figure_is_not_verified(cdc_search):
    """Numbers are not words: "≥150 MME/day" shared every word with the page's "≥50 MME/day" sentence."""
    library, ranker = cdc_search.library, cdc_search.page_ranking
    right = check_free_text(DOSAGE_PAUSE, library, ranker=ranker)
    assert [c.status for c in right.citation_checks] == ["verified"]
    for figure in ("≥150 MME/day", "≥ 75 morphine milligram equivalents per day"):
        wrong = check_free_text(DOSAGE_PAUSE.replace("≥50 MME/day", figure), library, ranker=ranker)
        assert [c.status for c in wrong.citation_checks] == ["claim_not_supported"], figure
        message = wrong.citation_checks[0].message
        assert "gives “50 MME" in message and "Before increasing total opioid dosage" in message, message


def test_the_patients_own_figure_beside_the_guidelines_is_not_a_changed_figure(cdc_search):
    text = ("The claimant takes 120 MME/day, while the CDC guideline (2022), page 32, says before increasing total "
            "opioid dosage to ≥50 MME/day, clinicians should pause and carefully reassess benefits and risks.")
    report = check_free_text(text, cdc_search.library, ranker=cdc_search.page_ranking)
    assert [c.status for c in report.citation_checks] == ["verified"]


def test_a_draft_sentence_changing_its_cited_figure_is_not_verified(cdc_search):
    quote = "Before increasing total opioid dosage to ≥50 MME/day, clinicians should pause"
    text = ("Before increasing total opioid dosage to ≥90 MME/day, clinicians should pause and carefully reassess "
            "evidence of benefits and risks [1]. Therefore, the request is not medically necessary.")
    report = verify_rationale(rationale(text, [cite("32", quote)]), cdc_search.library, cdc_search.page_ranking)
    assert [c.status for c in report.citation_checks] == ["claim_not_supported"]
    kept = text.replace("≥90", "≥50")
    report = verify_rationale(rationale(kept, [cite("32", quote)]), cdc_search.library, cdc_search.page_ranking)
    assert [c.status for c in report.citation_checks] == ["verified"]


def test_a_sentence_giving_the_recommendation_another_category_is_not_verified(cdc_search):
    """CDC Recommendation 1 (p. 11, Box) is category B; "category A" shared every word with it and was verified."""
    text = ("The CDC guideline (2022), page 11, gives a category {} recommendation that nonopioid therapies are at "
            "least as effective as opioids for many common types of acute pain.")
    library, ranker = cdc_search.library, cdc_search.page_ranking
    assert [c.status for c in check_free_text(text.format("B"), library, ranker=ranker).citation_checks] == ["verified"]
    wrong = check_free_text(text.format("A"), library, ranker=ranker).citation_checks
    assert [c.status for c in wrong] == ["claim_not_supported"]
    assert "states this as category B where this sentence says category A" in wrong[0].message


def test_a_sentence_naming_another_body_region_than_its_page_is_not_verified(cdc_search):
    """CDC p. 22 names NSAIDs or duloxetine for chronic low back pain; "neck" shared every other word and was verified."""
    text = ("The CDC guideline (2022), page 22, says when patients with chronic low back pain have had an insufficient "
            "response to nonpharmacologic approaches such as exercise, clinicians can consider NSAIDs or duloxetine.")
    library, ranker = cdc_search.library, cdc_search.page_ranking
    assert [c.status for c in check_free_text(text, library, ranker=ranker).citation_checks] == ["verified"]
    wrong = check_free_text(text.replace("low back", "neck"), library, ranker=ranker).citation_checks
    assert [c.status for c in wrong] == ["claim_not_supported"]
    assert "says “low back” where this sentence says “neck”" in wrong[0].message


def test_a_sentence_giving_the_statement_another_duration_of_pain_is_not_verified(cdc_search):
    """CDC Recommendation 6 (p. 38) is about acute pain; "chronic" is on the page too, so it passed as verified."""
    text = ("The CDC guideline (2022), page 38, says when opioids are needed for acute pain, clinicians should prescribe "
            "no greater quantity than needed for the expected duration of pain severe enough to require opioids.")
    library, ranker = cdc_search.library, cdc_search.page_ranking
    assert [c.status for c in check_free_text(text, library, ranker=ranker).citation_checks] == ["verified"]
    wrong = check_free_text(text.replace("for acute pain", "for chronic pain"), library, ranker=ranker).citation_checks
    assert [c.status for c in wrong] == ["claim_not_supported"]
    assert "says “acute” where this sentence says “chronic”" in wrong[0].message


@pytest.mark.parametrize("sentence", [
    "Per the CDC guideline (2022), page 38, when opioids are needed for acute pain, a few days or less are often "
    "sufficient.",
    "The CDC guideline (2022), page 32, advises clinicians to pause before increasing total opioid dosage to ≥50 "
    "MME/day; this claimant is at 180 MME/day.",
    "The CDC guideline (2022), page 40, recommends that clinicians evaluate benefits and risks with patients within "
    "1–4 weeks of starting opioid therapy for subacute or chronic pain.",
    "The CDC guideline (2022), page 11, gives a category A recommendation that clinicians should prescribe "
    "immediate-release opioids instead of extended-release and long-acting opioids when starting opioid therapy.",
    "Per the CDC guideline (2022), page 44, clinicians should avoid prescribing opioids to patients with moderate or "
    "severe sleep-disordered breathing whenever possible; this claimant has obstructive sleep apnea on CPAP.",
])
def test_a_true_paraphrase_beside_the_patients_own_figures_and_conditions_stays_verified(cdc_search, sentence):
    """The figure, strength, term and condition checks judge what the sentence says the page says, not the patient's
    facts written beside it."""
    report = check_free_text(sentence, cdc_search.library, ranker=cdc_search.page_ranking)
    assert [c.status for c in report.citation_checks] == ["verified"], report.citation_checks[0].message


# LBP 2022 p. 100 (Appendix D, the 2017 wording beside the 2022 numbers) as the page text reads once the PDF's split
# words are joined: a row's strength and category cells run into the next row's statement.
LBP_2017_TABLE_ROWS = (
    "13 For patients with acute low back pain, there is insufficient evidence to support the use of acupuncture. "
    "Neither for nor against Reviewed, New-replaced Reviewed, Amended 35 "
    "14 For patients with chronic low back pain, we suggest offering acupuncture. Weak for Reviewed, New-replaced "
    "Reviewed, Amended 34")


def test_a_table_rows_strength_cell_does_not_hide_the_next_statements_direction():
    from assistant.verification.direction import direction, opposite_statement

    row = "Neither for nor against Reviewed, New-replaced Reviewed, Amended 35 14 For patients with chronic low back pain, we suggest offering acupuncture."
    assert direction(row) == "for"
    assert direction("there is insufficient evidence to recommend for or against any diagnostic imaging.") is None
    reversed_claim = "For patients with chronic low back pain, we suggest against offering acupuncture."
    assert "we suggest offering acupuncture" in (opposite_statement(reversed_claim, LBP_2017_TABLE_ROWS) or "")
    assert opposite_statement(reversed_claim.replace("against offering", "offering"), LBP_2017_TABLE_ROWS) is None


def test_a_full_stop_after_a_date_with_no_space_still_ends_the_sentence():
    from assistant.verification.textmatch import split_sentences

    text = "Treatments include Robaxin since at least 11-8- 16.On 11-29-16, he complained of pain. The dose was 2.5 mg."
    assert split_sentences(text) == ["Treatments include Robaxin since at least 11-8- 16.",
                                     "On 11-29-16, he complained of pain.", "The dose was 2.5 mg."]


def test_a_requirement_naming_a_guideline_that_is_not_indexed_says_so():
    """CM16-0247405's own rationale ("According to the 2016 MTUS Chronic Pain Guidelines, Manipulation is
    recommended …", "ODG recommends an initial trial of 6 visits …") was told only that it "cites no page": no page
    of the MTUS or ODG could be checked, as neither is indexed, and the reviewer should be told what to do."""
    from assistant.contracts import GuidelineEntry
    from assistant.verification.verify import uncited_requirements

    sentence = "ODG recommends an initial trial of 6 visits over 2-3 weeks."
    cdc = GuidelineEntry(id="cdc-opioids-2022", title="CDC Clinical Practice Guideline for Prescribing Opioids for Pain",
                         short_form="CDC 2022", tier="evidence-based", sha256="0" * 64, filename="cdc.pdf")
    odg = GuidelineEntry(id="odg-low-back", title="Official Disability Guidelines (ODG), Low Back", short_form="ODG",
                         tier="evidence-based", sha256="1" * 64, filename="odg.pdf", source="reviewer")
    [unindexed] = uncited_requirements([sentence], [cdc])
    assert "ODG, which is not in the indexed corpus" in unindexed.message and "assistant corpus add" in unindexed.message
    [indexed] = uncited_requirements([sentence], [cdc, odg])
    assert indexed.message == "This sentence states what a guideline requires but cites no page."
