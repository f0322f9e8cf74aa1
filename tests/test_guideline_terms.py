"""A sentence citing a guideline page names the region, test and drug the page's statement names."""

from __future__ import annotations

from assistant.verification.guideline_terms import unsaid_term

PAGE = ("For patients with acute low back pain, without focal neurologic deficits or other red flags, we recommend "
        "against routinely obtaining imaging studies or performing invasive diagnostic tests. For patients with "
        "chronic low back pain, we suggest offering duloxetine.")


def test_another_region_in_place_of_the_pages_is_named_with_both_words():
    found = unsaid_term("for patients with acute neck pain, without focal neurologic deficits or other red flags, we "
                        "recommend against routinely obtaining imaging studies", PAGE)
    assert found is not None and (found.said, found.page) == ("neck", "low back")
    assert found.sentence.startswith("For patients with acute low back pain")


def test_a_drug_the_page_never_names_in_its_statements_words_is_unsaid():
    found = unsaid_term("For patients with chronic low back pain, we suggest offering pregabalin.", PAGE)
    assert found is not None and found.said == "pregabalin" and found.page is None


def test_the_pages_own_terms_and_the_patients_beside_them_are_not_flagged():
    assert unsaid_term("for patients with chronic lumbar pain, we suggest offering duloxetine", PAGE) is None
    assert unsaid_term("The claimant's cervical MRI was requested; for acute low back pain without red flags the "
                       "guideline recommends against routinely obtaining imaging studies.", PAGE) is None
    assert unsaid_term("the claimant takes pregabalin", PAGE) is None  # restates no page sentence


ACUTE_PAGE = ("When opioids are needed for acute pain, clinicians should prescribe no greater quantity than needed for "
              "the expected duration of pain severe enough to require opioids. Chronic pain is managed differently.")


def test_another_duration_of_pain_than_the_restated_sentences_is_misstated_though_the_page_names_it():
    from assistant.verification.guideline_terms import misstated_condition

    found = misstated_condition("When opioids are needed for chronic pain, clinicians should prescribe no greater "
                                "quantity than needed for the expected duration of pain.", ACUTE_PAGE)
    assert found is not None and (found.said, found.page) == ("chronic", "acute")
    assert found.sentence.startswith("When opioids are needed for acute pain")


def test_the_sentences_own_condition_and_the_patients_beside_it_are_not_misstated():
    from assistant.verification.guideline_terms import misstated_condition, statement_terms

    assert misstated_condition("When opioids are needed for acute pain, clinicians should prescribe no greater "
                               "quantity than needed for the expected duration of pain.", ACUTE_PAGE) is None
    assert misstated_condition("When opioids are needed for acute pain, clinicians should prescribe no greater "
                               "quantity than needed; this claimant has chronic pain.", ACUTE_PAGE) is None
    # Abbreviations are read in capitals only: "oa" inside a word or a lower-case "ra" is not a condition.
    assert statement_terms("OA of the knee, RA, koala, ra") == {"condition": {"osteoarthritis": "OA",
                                                                             "rheumatoid_arthritis": "RA"}}
