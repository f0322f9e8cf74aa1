"""Precedents (similar prior determinations) and the governing-guideline suggestion, on the real dev letters."""

from __future__ import annotations

import json
import re

import pytest

from assistant.precedents.governing import GoverningSuggestion, suggest_governing, vote
from assistant.precedents.importer import import_letters
from assistant.precedents.index import PrecedentIndex, load_records
from assistant.precedents.note import precedent_note
from assistant.precedents.records import CitedPart, Precedent, case_excerpt
from evals.precedents import accuracy_at, majority_ranking, pair_targets, part_targets
from tests.conftest import LETTERS_DIR, make_settings, require_shared

TENS_LIKE = re.compile(r"\bTENS\b|electrical (?:muscle )?stimulation|neurostimulation|\bEMS\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    require_shared(LETTERS_DIR)
    settings = make_settings(tmp_path_factory.mktemp("precedents-home"))
    first = import_letters(settings, LETTERS_DIR)
    return settings, first


# ---------------------------------------------------------------------------------------------- import + search


def test_import_is_idempotent(imported) -> None:
    settings, first = imported
    assert first.letters == 63 and first.items == 143 and first.added == 143 and not first.failed
    again = import_letters(settings, LETTERS_DIR)
    assert again.added == 0 and again.already_present == 143
    assert again.total_in_index == first.total_in_index == 143
    assert len(load_records(settings)) == 143
    sidecar = json.loads((settings.home / "precedents" / "records.json").read_text(encoding="utf-8"))
    assert len(sidecar["records"]) == 143
    assert len(PrecedentIndex.open(settings)) == 143


def test_similar_finds_tens_like_items(imported) -> None:
    settings, _ = imported
    hits = PrecedentIndex.open(settings).similar("TENS unit for chronic low back pain", k=5)
    print("\nTENS query:", [(p.case_number, p.item, round(p.similarity, 2)) for p in hits])
    assert len(hits) == 5
    assert TENS_LIKE.search(hits[0].item), hits[0].item
    assert sum(1 for p in hits[:3] if TENS_LIKE.search(p.item)) >= 2
    assert all(hits[i].similarity >= hits[i + 1].similarity for i in range(len(hits) - 1))
    # The hit carries what a reviewer needs: decision, what was cited and the rationale.
    assert hits[0].decision in ("Upheld", "Overturned")
    assert hits[0].rationale_excerpt


def test_note_is_labelled_precedent_not_authority(imported) -> None:
    settings, _ = imported
    hits = PrecedentIndex.open(settings).similar("Physical therapy 8 sessions for the lumbar spine", k=9)
    note = precedent_note(hits)
    print("\n" + note)
    assert "precedent" in note.lower() and "not authority" in note.lower()
    assert note.startswith("Prior determinations for similar requests cited:")
    assert re.search(r"\(\d+ of 9\)", note)
    assert "Physical medicine treatment" in note


def test_leave_one_case_out_never_returns_the_query_case(imported) -> None:
    settings, _ = imported
    index = PrecedentIndex.open(settings)
    records = list(load_records(settings).values())
    checked = 0
    for record in records[::7]:
        hits = index.similar(record.item, k=10, exclude_case=record.case_number)
        assert hits and all(p.case_number != record.case_number for p in hits)
        checked += 1
        # Without the exclusion, the item finds itself: so the exclusion above is what removed it.
        if checked <= 3:
            unfiltered = index.similar(record.item, k=10)
            assert any(p.case_number == record.case_number for p in unfiltered)
    assert checked >= 15


def test_suggest_governing_searches_an_index(imported) -> None:
    settings, _ = imported
    index = PrecedentIndex.open(settings)
    suggestions = suggest_governing(
        "MRI of the lumbar spine", "Chronic low back pain radiating to the left leg; lumbar radiculopathy.", index, k=3,
        level="part",
    )
    print("\n", [s.label for s in suggestions])
    assert suggestions and suggestions[0].part == "Low Back Complaints"


def test_case_excerpt_is_compact() -> None:
    summary = (
        "The injured worker is a 48 year old male who sustained an industrial injury on 10-13-16. The injured "
        "worker was being treated for the diagnoses of right shoulder contusion and neck strain. Pain was 6/10."
    )
    excerpt = case_excerpt(summary)
    assert "shoulder" in excerpt and "neck" in excerpt
    assert "Diagnoses:" in excerpt and "6/10" not in excerpt


# ---------------------------------------------------------------------------------------------- voting


def _p(case: str, similarity: float, part: str, sections: list[str], year: str = "2004", kind: str = "mtus") -> Precedent:
    cited = [CitedPart(kind=kind, part=part, year=year if kind == "mtus" else None, sections=sections)]
    return Precedent(id=f"{case}#0", case_number=case, item="x", decision="Upheld", kind=kind, part=part,
                     year=cited[0].year, sections=sections, cited=cited, similarity=similarity)


def test_vote_picks_the_part_similar_precedents_cite() -> None:
    precedents = [
        _p("A", 0.90, "Low Back Complaints", ["Special Studies"]),
        _p("B", 0.85, "Low Back Complaints", ["Special Studies"]),
        _p("C", 0.60, "Chronic Pain Medical Treatment", ["Physical medicine treatment"], "2016"),
        _p("D", 0.55, "Chronic Pain Medical Treatment", ["Physical medicine treatment"], "2016"),
        _p("E", 0.50, "Chronic Pain Medical Treatment", ["Physical medicine treatment"], "2016"),
    ]
    best = suggest_governing("MRI of the lumbar spine", "", precedents, k=3)
    assert isinstance(best[0], GoverningSuggestion)
    assert (best[0].part, best[0].section) == ("Low Back Complaints", "Special Studies")
    assert best[0].label == "MTUS Low Back Complaints 2004, Special Studies"
    assert best[0].support == 2 and best[0].source == "precedents"
    assert best[0].score > best[1].score
    # Three less-similar votes outweigh two close ones only without similarity weighting.
    flat = vote(precedents, level="part", power=0.0)
    assert flat[0].part == "Chronic Pain Medical Treatment"


def test_vote_follows_the_votes_not_the_category_hint() -> None:
    # The category hint for an MRI is a body-part chapter's Special Studies; precedents citing ODG must win.
    precedents = [
        _p("A", 0.8, "Official Disability Guidelines (ODG)", ["Low Back, MRIs"], kind="non-mtus"),
        _p("B", 0.7, "Official Disability Guidelines (ODG)", ["Low Back, MRIs"], kind="non-mtus"),
        _p("C", 0.3, "Low Back Complaints", ["Special Studies"]),
    ]
    best = suggest_governing("MRI of the lumbar spine", "low back pain", precedents, k=1, level="part")
    assert best[0].part == "Official Disability Guidelines (ODG)"
    assert best[0].part != "Low Back Complaints"
    assert best[0].label == "Official Disability Guidelines (ODG)"


def test_precedents_citing_nothing_do_not_vote_and_hint_backs_off() -> None:
    silent = Precedent(id="Z#0", case_number="Z", item="x", kind="none", similarity=0.99)
    best = suggest_governing("MRI of the lumbar spine", "chronic low back pain", [silent], k=3)
    assert best and all(s.source == "category-hint" and s.support == 0 for s in best)
    assert (best[0].part, best[0].section) == ("Low Back Complaints", "Special Studies")
    assert suggest_governing("Item nobody recognises", "", [], k=3) == []


@pytest.mark.parametrize("item,section", [
    ("Nortriptyline HCL 25mg, #30", "Antidepressants for chronic pain"),  # CM17-0008753: pointed to Antiepilepsy drugs
    ("Cymbalta 60mg #30", "Antidepressants for chronic pain"),
    ("Gabapentin 600mg #90", "Antiepilepsy drugs"),
    ("Lyrica 75mg #60", "Antiepilepsy drugs"),
])
def test_the_hint_for_an_antidepressant_or_anticonvulsant_names_its_own_drug_class(item, section) -> None:
    best = suggest_governing(item, "", [], k=2)
    assert [s.section for s in best][0] == section, [s.label for s in best]
    assert best[0].label == f"MTUS Chronic Pain Medical Treatment, {section}"  # the part, not the section, as a part
    # A precedent vote for the other class sinks below one for the item's own class, however similar.
    precedents = [_p("A", 0.9, "Chronic Pain Medical Treatment", ["Antiepilepsy drugs (AEDs)"], "2016"),
                  _p("B", 0.6, "Chronic Pain Medical Treatment", ["Antidepressants for chronic pain"], "2016")]
    voted = suggest_governing(item, "", precedents, k=2)
    assert voted[0].section.startswith(section.split()[0]), [s.label for s in voted]


def test_exclude_case_removes_a_cases_votes() -> None:
    precedents = [_p("SELF", 0.99, "Knee Complaints", ["Surgical Considerations"]),
                  _p("OTHER", 0.5, "Shoulder Complaints", ["Surgical Considerations"])]
    assert suggest_governing("Arthroscopy", "", precedents, k=1, level="part")[0].part == "Knee Complaints"
    assert suggest_governing("Arthroscopy", "", precedents, k=1, level="part", exclude_case="SELF")[0].part == (
        "Shoulder Complaints"
    )


def test_precedent_note_without_citations_still_says_precedent() -> None:
    assert "not authority" in precedent_note([])
    silent = Precedent(id="Z#0", case_number="Z", item="x", kind="none", decision="Upheld", similarity=0.4)
    note = precedent_note([silent])
    assert "cited no guideline" in note and "not authority" in note


# ---------------------------------------------------------------------------------------------- eval metrics


def test_metric_functions_on_a_tiny_fixture() -> None:
    cited = [CitedPart(kind="mtus", part="Low Back Complaints", year="2004", sections=["Special Studies", "Summary"]),
             CitedPart(kind="mtus", part="Chronic Pain Medical Treatment", year="2016")]
    assert part_targets(cited) == {"low back complaints", "chronic pain medical treatment"}
    assert pair_targets(cited) == {("low back complaints", "special studies"), ("low back complaints", "summary"),
                                   ("chronic pain medical treatment", "")}

    golds = [{"a"}, {"b"}, {"c"}, {"d"}]
    ranked = [["a", "x", "y"], ["x", "b", "y"], ["x", "y", "z"], ["d"]]
    assert accuracy_at(ranked, golds, 1) == 0.5
    assert accuracy_at(ranked, golds, 3) == 0.75
    assert accuracy_at([["x"], ["y"]], [{"a"}, {"b"}], 3) == 0.0  # it can fail
    with pytest.raises(ValueError):
        accuracy_at([["a"]], [{"a"}, {"b"}], 1)

    # Each pool member counts a label once; ties break by label.
    pool = [["p", "p", "q"], ["q"], ["r"], ["q", "r"]]
    assert majority_ranking(pool) == ["q", "r", "p"]
    assert majority_ranking([]) == []


def test_precedent_eval_beats_the_majority_baseline(tmp_path) -> None:
    from evals.precedents import format_precedent_eval, run_precedent_eval

    require_shared(LETTERS_DIR)
    result = run_precedent_eval(LETTERS_DIR, settings=make_settings(tmp_path))
    print("\n" + format_precedent_eval(result))
    assert result["mode"] == "leave-one-case-out"
    assert result["evaluated"] + sum(result["excluded"].values()) == result["items"] == 143
    assert result["excluded"].get("no evidence cited", 0) == 17
    ours, majority = result["methods"]["precedents"], result["methods"]["majority"]
    assert ours["part@3"] > majority["part@3"]
    assert ours["part@1"] > majority["part@1"]
    assert ours["part+section@3"] > result["methods"]["majority (whole pool)"]["part+section@3"]
    for detail in result["details"]:
        assert all(not n.startswith(detail["case"] + ":") for n in detail["nearest"])


LOW_BACK_CASE = "The injured worker has chronic low back pain with lumbar radiculopathy and right knee pain."


@pytest.mark.parametrize("item,chapter", [
    ("MRI of the right knee without contrast", "Knee Complaints"),  # dev letter CM17-0019120, item 2
    ("Right shoulder arthroscopy with subacromial decompression", "Shoulder Complaints"),  # CM17-0007142
    ("MRI of the left hip", None),  # CM16-0244053: the MTUS has no hip chapter
    ("Pre-op chest x-ray", None),  # CM17-0010420
    ("EMG and NCS of the right lower extremity", "Low Back Complaints"),  # no body part named: the case's
])
def test_the_chapter_hint_follows_the_item_body_part_before_the_case_summary(item, chapter):
    """A knee MRI in a case that also mentions the low back was suggested "Low Back Complaints" (coverage eval)."""
    from assistant.precedents.governing import body_part_chapter, suggest_governing

    assert body_part_chapter(item, LOW_BACK_CASE) == chapter
    parts = [s.part for s in suggest_governing(item, LOW_BACK_CASE, [], k=3)]
    if chapter:
        assert parts[0] == chapter
    assert "Low Back Complaints" not in parts or chapter == "Low Back Complaints"


SHOULDER_CASE = ("The patient was currently taking nonsteroidal anti-inflammatory drugs and oxycodone for chronic low back "
                 "pain. The current diagnoses are documented as right shoulder full thickness rotator cuff tear, "
                 "acromioclavicular joint arthrosis, and degenerative labral tears.")  # CM17-0007142's summary, abridged


def test_an_item_naming_no_body_part_takes_the_chapter_of_the_case_diagnoses():
    """CM17-0007142's cold therapy unit (shoulder surgery) was pointed to "Low Back Complaints" — the first chapter
    its summary named — while its draft read the item as shoulder; its reviewer cited the ODG Shoulder chapter."""
    from assistant.precedents.governing import body_part_chapter, suggest_governing

    item = "Associated surgical service: Cold therapy unit"
    assert body_part_chapter(item, SHOULDER_CASE) == "Shoulder Complaints"
    assert suggest_governing(item, SHOULDER_CASE, [], k=1)[0].part == "Shoulder Complaints"
    # Diagnoses that name two body parts leave the first chapter the summary names.
    two = SHOULDER_CASE.replace("right shoulder full", "lumbar sprain and right shoulder full")
    assert body_part_chapter(item, two) == "Low Back Complaints"
