"""A recommendation's strength as a sentence gives it and as its page states it."""

from __future__ import annotations

from assistant.verification.strength import misstated_strength

VADOD_PAGE = ("Recommendation 3. For patients with acute low back pain, without focal neurologic deficits or other red "
              "flags, we recommend against routinely obtaining imaging studies or performing invasive diagnostic tests. "
              "(Strong against | Reviewed, New-replaced) Discussion For patients with chronic low back pain, we "
              "suggest offering yoga.")
CDC_PAGE = ("Recommendation 1 Nonopioid therapies are at least as effective as opioids for many common types of acute "
            "pain. Clinicians should maximize use of nonpharmacologic and nonopioid pharmacologic therapies. Before "
            "prescribing opioid therapy for acute pain, clinicians should discuss with patients the realistic benefits "
            "and known risks of opioid therapy (recommendation category: B; evidence type: 3). Implementation "
            "Considerations Recommendation 3 When starting opioid therapy, clinicians should prescribe immediate-release "
            "opioids (recommendation category: A; evidence type: 4).")


def test_a_weak_strength_for_a_we_recommend_statement_is_misstated():
    found = misstated_strength("the guideline makes a weak recommendation against routinely obtaining imaging studies "
                               "for acute low back pain without red flags", VADOD_PAGE)
    assert found is not None and "strong" in found.page and "We recommend" in found.page and "weak" in found.said
    assert found.sentence.startswith("For patients with acute low back pain")


def test_the_pages_own_strength_and_no_strength_are_not_flagged():
    assert misstated_strength("the guideline strongly recommends against routinely obtaining imaging studies for "
                              "acute low back pain without red flags", VADOD_PAGE) is None
    assert misstated_strength("the guideline recommends against routinely obtaining imaging studies for acute low "
                              "back pain without red flags", VADOD_PAGE) is None
    assert misstated_strength("a weak recommendation for offering yoga for chronic low back pain", VADOD_PAGE) is None
    # "strong evidence" is the evidence's quality, not the recommendation's strength
    assert misstated_strength("there is strong evidence against routinely obtaining imaging studies for acute low "
                              "back pain without red flags", VADOD_PAGE) is None
    assert misstated_strength("there is weak evidence to recommend against routinely obtaining imaging studies for "
                              "acute low back pain without red flags", VADOD_PAGE) is None


def test_a_cdc_category_is_read_from_the_label_closing_its_statement():
    claim = "in a category {} recommendation, nonopioid therapies are at least as effective as opioids for acute pain"
    found = misstated_strength(claim.format("A"), CDC_PAGE)
    assert found is not None and (found.said, found.page) == ("category A", "category B")
    assert misstated_strength(claim.format("B"), CDC_PAGE) is None
    # Recommendation 3's label is not Recommendation 1's, nor the reverse
    assert misstated_strength("a category A recommendation: clinicians should prescribe immediate-release opioids "
                              "when starting opioid therapy", CDC_PAGE) is None
    found = misstated_strength("a category B recommendation: clinicians should prescribe immediate-release opioids "
                               "when starting opioid therapy", CDC_PAGE)
    assert found is not None and found.page == "category A"


def test_a_summary_tables_label_for_the_row_before_is_not_the_sentences_strength():
    page = ("Strong for Reviewed, New-replaced 8 9 For patients with chronic low back pain, we suggest mindfulness-based "
            "stress reduction. Weak for Reviewed, New-replaced")
    claim = ("Strong for Reviewed, New-replaced 8 9 For patients with chronic low back pain, we suggest "
             "mindfulness-based stress reduction.")
    assert misstated_strength(claim, page) is None
    found = misstated_strength("in a strong recommendation, for patients with chronic low back pain, we suggest "
                               "mindfulness-based stress reduction", page)
    assert found is not None and "weak" in found.page
