"""Recognising guideline page citations in reviewers' free text, and resolving written names to the catalog."""

from __future__ import annotations


import pytest
from scaling import assert_linear
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.contracts import EvidenceTier, GuidelineEntry
from assistant.verification.recognise import expand_pages, recognise_citations, resolve_guideline_name


def _one(text: str):
    found = recognise_citations(text)
    assert len(found) == 1, found
    return found[0]


# ---------------------------------------------------------------------------------------------- styles


def test_page_n_of_the_named_guideline() -> None:
    text = "As noted on page 23 of the Chronic Pain Medical Treatment Guidelines, an initial trial is endorsed."
    c = _one(text)
    assert c.pages == ["23"]
    assert c.guideline_name == "Chronic Pain Medical Treatment Guidelines"
    assert not c.guideline_inferred
    assert c.raw == "page 23 of the Chronic Pain Medical Treatment Guidelines"
    assert text[c.start : c.end] == c.raw and c.span == (c.start, c.end)
    assert c.sentence == text


def test_page_range_is_expanded() -> None:
    c = _one("Imaging is covered on pages 335-336 of the ACOEM Practice Guidelines.")
    assert c.pages == ["335", "336"]
    assert c.guideline_name == "ACOEM Practice Guidelines"


def test_plural_pages_with_one_number() -> None:
    c = _one("As noted on pages 23 of the Chronic Pain Medical Treatment Guidelines, CBT is endorsed.")
    assert c.pages == ["23"]
    assert c.guideline_name == "Chronic Pain Medical Treatment Guidelines"


def test_name_then_comma_p() -> None:
    c = _one("Nonopioid therapies are preferred (see the CDC 2022 guideline, p. 17).")
    assert c.guideline_name == "CDC 2022 guideline"
    assert c.pages == ["17"]
    assert c.raw == "CDC 2022 guideline, p. 17"


def test_parenthetical_pp_with_en_dash() -> None:
    c = _one("Opioids are not first-line therapy (CDC 2022, pp. 17–18).")
    assert c.guideline_name == "CDC 2022"
    assert c.pages == ["17", "18"]
    assert c.sentence == "Opioids are not first-line therapy (CDC 2022, pp. 17–18)."


def test_older_letter_page_s_style() -> None:
    c = _one("MAXIMUS guideline: Decision based on MTUS Chronic Pain Treatment Guidelines Behavioral Interventions Page(s): 23.")
    assert c.pages == ["23"]
    assert c.guideline_name is not None and c.guideline_name.startswith("MTUS Chronic Pain Treatment Guidelines")


def test_table_and_page() -> None:
    c = _one("The MTUS Guideline in ACOEM Chapter 12, Table 12-8, page 309 notes that facet injections are not recommended.")
    assert c.table == "Table 12-8"
    assert c.pages == ["309"]
    assert c.guideline_name == "MTUS Guideline in ACOEM Chapter 12"


def test_table_and_page_without_a_name_borrows_the_paragraphs_guideline() -> None:
    text = "Per the ACOEM Practice Guidelines, facet injections are not recommended. Table 12-8, page 309 says so."
    c = _one(text)
    assert c.table == "Table 12-8"
    assert c.pages == ["309"]
    assert c.guideline_inferred
    assert c.guideline_name == "ACOEM Practice Guidelines"
    assert c.sentence == "Table 12-8, page 309 says so."


def test_page_only_takes_nearest_earlier_guideline_in_same_paragraph() -> None:
    text = (
        "The CDC Clinical Practice Guideline for Prescribing Opioids for Pain discusses tapering. "
        "The ODG Pain Chapter discusses it too. As stated on page 17, slow tapers are preferred.\n\n"
        "A new paragraph mentions page 5 with no guideline at all."
    )
    first, second = recognise_citations(text)
    assert first.guideline_name == "ODG Pain Chapter"
    assert first.guideline_inferred
    assert second.pages == ["5"]
    assert second.guideline_name is None and not second.guideline_inferred


def test_a_page_after_the_sentence_takes_the_last_guideline_named_not_an_abbreviation_or_a_bare_guideline() -> None:
    """"The MTUS guidelines state that PT is fine (page 98)." read the guideline as "PT"; "The guideline says …" after
    a named one read it as "guideline": neither names a guideline, so the page belongs to the last one named."""
    assert _one("The MTUS guidelines state that PT is fine (page 98).").guideline_name == "MTUS guidelines"
    second = recognise_citations("The CDC guideline covers tapering. The guideline says taper slowly (page 33).")[0]
    assert second.guideline_name == "CDC guideline" and second.guideline_inferred


def test_p_dot_of_the_cdc_guideline() -> None:
    c = _one("See p. 11 of the CDC Clinical Practice Guideline for Prescribing Opioids for Pain.")
    assert c.pages == ["11"]
    assert c.guideline_name == "CDC Clinical Practice Guideline for Prescribing Opioids for Pain"


def test_wrapped_lines_and_several_citations() -> None:
    text = (
        "As noted on pages 23 of the Chronic Pain Medical Treatment\nGuidelines, an initial trial is endorsed. "
        "As further noted on page 23 of the Chronic Pain Medical Treatment Guidelines, coping skills help."
    )
    first, second = recognise_citations(text)
    assert first.guideline_name == second.guideline_name == "Chronic Pain Medical Treatment Guidelines"
    assert first.sentence.startswith("As noted on pages 23") and second.sentence.startswith("As further noted")


def test_pg_and_bare_p_styles_from_letters() -> None:
    c = _one("Non-MTUS Citation ACOEM Occupational Medicine Practice Guidelines, 3rd ed., Low Back Disorders, pg. 607.")
    assert c.pages == ["607"]
    assert c.guideline_name == "ACOEM Occupational Medicine Practice Guidelines, 3rd ed., Low Back Disorders"
    c = _one("Harris J. Occupational medicine practice guidelines, 2nd edition (2004) p 301.")
    assert c.pages == ["301"]


def test_singular_page_does_not_swallow_following_numbers() -> None:
    c = _one("ACOEM Chapter 12, Table 12-8, page 309, 12 patients improved.")
    assert c.pages == ["309"]


def test_page_list() -> None:
    c = _one("Refer to pages 17, 19 and 21 of the CDC guideline.")
    assert c.pages == ["17", "19", "21"]


# ---------------------------------------------------------------------------------------------- negatives


@pytest.mark.parametrize(
    "text",
    [
        "The injured worker sustained an industrial injury on 10-13-16.",
        "The pain was rated 6-8 on a 10-point scale.",
        "See the page for details; the next page is blank.",
        "Page",
        "pages of records were reviewed",
        "The p-value was 0.03 and the visit was at 5 p.m. 12 patients",
        "Ibuprofen 600mg #90 was prescribed on 11/14/16.",
        "",
    ],
)
def test_not_citations(text: str) -> None:
    assert recognise_citations(text) == []


def test_date_after_page_keyword_is_not_a_page() -> None:
    assert recognise_citations("The page 10-13-16 note") == []


def test_expand_pages() -> None:
    assert expand_pages("335-336") == ["335", "336"]
    assert expand_pages("17–19") == ["17", "18", "19"]
    assert expand_pages("23") == ["23"]
    assert expand_pages("17, 19 and 21") == ["17", "19", "21"]
    assert expand_pages("900-10") == ["900", "10"]  # not a real range: keep both labels, do not invent pages


# ---------------------------------------------------------------------------------------------- resolve names

_SHA = "0" * 64


def _entry(id_: str, title: str, short_form: str, tier: EvidenceTier = EvidenceTier.evidence_based) -> GuidelineEntry:
    return GuidelineEntry(id=id_, title=title, short_form=short_form, tier=tier, sha256=_SHA, filename=f"{id_}.pdf")


CDC = _entry(
    "cdc-opioids-2022",
    "CDC Clinical Practice Guideline for Prescribing Opioids for Pain (2022)",
    "CDC Opioid Guideline 2022",
)
ODG = _entry("odg-pain", "Official Disability Guidelines: Pain (Chronic)", "ODG Pain", EvidenceTier.evidence_based)
MTUS_CP = _entry(
    "mtus-chronic-pain-2016", "MTUS Chronic Pain Medical Treatment Guidelines", "MTUS CPMTG", EvidenceTier.mtus
)


@pytest.mark.parametrize(
    "name",
    [
        "CDC 2022 guideline",
        "CDC opioid guideline",
        "Clinical Practice Guideline for Prescribing Opioids",
        "CDC Clinical Practice Guideline for Prescribing Opioids for Pain",
        "CDC 2022",
        "the CDC Opioid Guideline 2022",
    ],
)
def test_resolve_cdc_names(name: str) -> None:
    assert resolve_guideline_name(name, [CDC]) == CDC
    assert resolve_guideline_name(name, [ODG, CDC]) == CDC


@pytest.mark.parametrize(
    "name",
    [
        "Chronic Pain Medical Treatment Guidelines",
        "MTUS Chronic Pain Medical Treatment Guidelines",
        "MTUS",
        "MTUS Guideline in ACOEM Chapter 12",
        "Official Disability Guidelines (ODG)",
        "ACOEM Practice Guidelines",
        "Pain guideline",
        "2022 guideline",
        "guidelines",
        "",
    ],
)
def test_no_false_matches_to_cdc(name: str) -> None:
    assert resolve_guideline_name(name, [CDC]) is None


def test_resolve_among_several_entries() -> None:
    entries = [CDC, ODG, MTUS_CP]
    assert resolve_guideline_name("MTUS Chronic Pain Medical Treatment Guidelines", entries) == MTUS_CP
    assert resolve_guideline_name("Chronic Pain Medical Treatment Guidelines", entries) == MTUS_CP
    assert resolve_guideline_name("ODG Pain Chapter", entries) == ODG
    assert resolve_guideline_name("CDC opioid guideline", entries) == CDC
    assert resolve_guideline_name("MTUS", [CDC, ODG]) is None


# ---------------------------------------------------------------------------------------------- properties

_PIECES = ["page ", "pages ", "p. ", "pp. ", "Page(s): ", "23", "335-336", "17–18", " of the ", "CDC 2022",
           "Table 12-8, ", "Guidelines", ", ", ". ", "\n\n", "(", ")", "10-13-16", " and ", "MTUS ", "\f"]


@settings(deadline=None, max_examples=200)
@given(st.one_of(st.text(max_size=2000), st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=20)),
                                                   max_size=60).map("".join)))
def test_recognise_never_crashes_and_spans_are_consistent(text: str) -> None:
    found = recognise_citations(text)
    for c in found:
        assert 0 <= c.start <= c.end <= len(text)
        assert text[c.start : c.end] == c.raw
        assert c.pages and all(p for p in c.pages)
        assert c.guideline_inferred is False or c.guideline_name is not None


@settings(deadline=None, max_examples=200)
@given(st.text(max_size=80), st.lists(st.sampled_from([CDC, ODG, MTUS_CP]), max_size=3))
def test_resolve_never_crashes(name: str, entries: list[GuidelineEntry]) -> None:
    result = resolve_guideline_name(name, entries)
    assert result is None or result in entries


def test_pathological_input_is_linear() -> None:
    """Doubling each pathological input at most ~doubles the time (a ratio, not a wall-clock limit)."""
    shapes = {
        "spaces after page": lambda n: "page" + " " * n + "x",
        "page 1 - repeated": lambda n: "page 1 - " * (n // 9 + 1),
        "p. 1, repeated": lambda n: "p. 1, " * (n // 6 + 1),
        "names then a page": lambda n: ("Guidelines " * (n // 60 + 1) + "page 5. ") * 5,
        "a long page list": lambda n: "pages 1" + ", 2" * (n // 3 + 1),
    }
    for label, make in shapes.items():
        assert_linear(recognise_citations, make, 20_000, label=label)


@pytest.mark.parametrize("text", [
    "The VA/DoD low back pain guideline recommends against routine imaging for acute low back pain without red flags "
    "(page 29).",
    "The VA/DoD low back pain guideline (2022), page 29, recommends against routine imaging.",
    "According to the VA/DoD guideline for low back pain, p. 29, routine imaging is not recommended.",
    "The patient has low back pain; per the VA/DoD low back pain guideline, page 29, imaging is not recommended.",
])
def test_a_name_written_in_lower_case_after_its_publisher_resolves(text: str) -> None:
    """Reviewers write 'the VA/DoD low back pain guideline': the capitalised-run rule read 'guideline (2022)'."""
    from assistant.config import Settings
    from assistant.corpus.catalog import load_catalog

    found = _one(text)
    assert found.pages == ["29"]
    entry = resolve_guideline_name(found.guideline_name, load_catalog(Settings()))
    assert entry is not None and entry.id == "vadod-lbp-2022", found.guideline_name
