"""Figures in a sentence: the number, the unit written after it, and which ones name things rather than give one."""

from __future__ import annotations

from assistant.verification.quantities import changed_figure, figures

PAGE = ("For many common causes of acute pain, three days or less are often sufficient. Before increasing total "
        "opioid dosage to ≥50 MME/day, clinicians should pause and carefully reassess benefits and risks (see "
        "Recommendation 8). A daily dosage of 20–30 MME/day is a usual start.")


def pairs(text: str) -> list[tuple[float, str | None]]:
    return [(f.value, f.unit) for f in figures(text)]


def test_figures_read_numbers_words_ranges_and_units():
    assert pairs("≥50 MME/day") == [(50, "MME")]
    assert pairs("three days or less; more than seven days") == [(3, "day"), (7, "day")]
    assert pairs("20–30 MME/day") == [(20, "MME"), (30, "MME")]
    assert pairs("90 morphine milligram equivalents") == [(90, "MME")]
    assert pairs("8 sessions over 4 weeks, 50mg, 30%") == [(8, "session"), (4, "week"), (50, "mg"), (30, "%")]


def test_page_numbers_recommendation_numbers_references_years_and_pronouns_are_not_figures():
    assert pairs("page 32, Recommendation 7, Table 2, [41], in 2019, no one, the tendon") == []


def test_a_changed_figure_names_the_pages_figure_and_sentence():
    changed = changed_figure("before increasing total opioid dosage to ≥90 MME/day, clinicians should pause and "
                             "carefully reassess benefits and risks", PAGE)
    assert changed is not None and (changed.said.value, changed.page.value) == (90, 50)
    assert changed.sentence.startswith("Before increasing")


def test_the_same_figure_in_words_or_digits_checks():
    assert changed_figure("for many common causes of acute pain, 3 days or less are often sufficient", PAGE) is None
    assert changed_figure("before increasing total opioid dosage to ≥50 MME/day, clinicians should pause", PAGE) is None


def test_a_figure_of_another_unit_or_a_loose_restatement_is_not_judged():
    # The patient's own figure beside the page's: the claim also gives the page's 50 MME.
    assert changed_figure("the claimant takes 120 MME/day; before increasing total opioid dosage to ≥50 MME/day, "
                          "clinicians should pause", PAGE) is None
    # No page sentence holds most of its words.
    assert changed_figure("the claimant has taken hydrocodone for 90 days", PAGE) is None


def test_a_near_verbatim_restatement_with_a_figure_the_page_gives_nowhere_is_changed():
    changed = changed_figure("For many common causes of acute pain, ten days or less are often sufficient.", PAGE)
    assert changed is not None and changed.said.value == 10 and changed.page.value == 3


def test_a_near_verbatim_restatement_adding_a_figure_the_page_does_not_give_is_changed():
    page = "For many common causes of acute pain, a few days or less are often sufficient."
    changed = changed_figure("For many common causes of acute pain, three days or less are often sufficient.", page)
    assert changed is not None and changed.said.value == 3 and changed.page is None
    assert changed_figure("For many common causes of acute pain, a few days or less are often sufficient.", page) is None
