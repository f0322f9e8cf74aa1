"""The record side end to end on the real CDC index and real dev letters: opioid items draft with CDC citations
and verified record quotes; a planted false fact is caught by `assistant check --case`, the workspace badge path
(`Services.verify` with the case) and `Services.check_text`."""

from __future__ import annotations

import pytest

from assistant.contracts import DisputedItem
from assistant.drafting.intake import case_from_file
from assistant.drafting.offline import ABSTENTION_NOTE
from assistant.services import Services
from assistant.ui.render import badge_html
from conftest import LETTERS_DIR, require_shared

NSAID_FACT = "The records also show that she failed NSAIDs."
OPIOID_ITEMS = [
    ("CM17-0014438.pdf", 0, "Synapryn"),  # tramadol oral suspension kit
    ("CM16-0234202.pdf", 0, "Norco"),
    ("CM16-0247802.pdf", 3, "Norco"),
    ("CM17-0010420.pdf", 5, "Norco"),
]


@pytest.fixture(scope="module")
def services(cdc_settings, cdc_search):
    return Services(cdc_settings, cdc_search)


def _record_problems(report):
    return [(c.status, c.message) for c in report.record_checks if c.status != "verified"]


@pytest.mark.parametrize("letter,index,drug", OPIOID_ITEMS)
def test_opioid_items_in_real_letters_draft_with_cdc_citations_and_verified_record_quotes(services, letter, index, drug):
    case = case_from_file(require_shared(LETTERS_DIR) / letter)
    assert drug in case.items[index].text
    result = services.draft(case, index, "Upheld")
    rationale, report = result.rationale, result.report
    assert rationale.citations and all(c.guideline_id == "cdc-opioids-2022" for c in rationale.citations), (
        rationale.abstention)
    assert rationale.record_citations and not _record_problems(report)
    assert report.record_verified >= len(rationale.record_citations)
    assert report.ok, [p.message for p in report.problems]
    assert "From the drug vocabulary:" in rationale.rationale and "opioid" in rationale.rationale


def test_a_trezix_item_drafts_with_cdc_citations(services):
    """No dev letter disputes Trezix; the item is put into a real letter's chronic-pain case (CM16-0219557: chronic
    low back pain, Norco on the medication list)."""
    case = case_from_file(require_shared(LETTERS_DIR) / "CM16-0219557.pdf")
    case = case.model_copy(update={"items": [DisputedItem(text="Trezix capsules #60"), *case.items]})
    result = services.draft(case, 0, "Upheld")
    assert result.rationale.citations and result.rationale.citations[0].guideline_id == "cdc-opioids-2022"
    assert "dihydrocodeine" in result.rationale.rationale
    assert not _record_problems(result.report)


def _planted(services, letter: str, index: int):
    case = case_from_file(require_shared(LETTERS_DIR) / letter)
    rationale = services.draft(case, index, "Upheld").rationale
    text = rationale.rationale.replace(" Therefore,", f" {NSAID_FACT} Therefore,")
    assert NSAID_FACT in text
    return case, rationale.model_copy(update={"rationale": text})


def test_planted_false_fact_in_a_real_draft_is_flagged_by_badge_and_check(services):
    case, planted = _planted(services, "CM16-0213037.pdf", 0)  # a 48-year-old man; no NSAIDs in his record
    badge = services.verify(planted, case)
    flagged = [c for c in badge.problems if c.sentence == NSAID_FACT]
    assert not badge.ok and flagged and flagged[0].status in {"record_contradicts", "record_fact_not_supported"}
    checked = services.check_text(planted.rationale, "Upheld", case)
    assert not checked.ok and any(c.sentence == NSAID_FACT for c in checked.problems)
    clean = services.check_text(planted.rationale.replace(NSAID_FACT, ""), "Upheld", case)
    assert not any(c.status in {"record_contradicts", "record_fact_not_supported"} for c in clean.problems)


def test_check_command_with_case_flags_the_planted_fact(cdc_settings, tmp_path, capsys, services):
    from assistant.cli import main

    case, planted = _planted(services, "CM16-0213037.pdf", 0)
    draft = tmp_path / "draft.txt"
    draft.write_text(planted.rationale)
    letter = str(LETTERS_DIR / "CM16-0213037.pdf")
    code = main(["--home", str(cdc_settings.home), "check", str(draft), "--decision", "upheld", "--case", letter])
    out = capsys.readouterr().out
    assert code == 1 and NSAID_FACT in out and "male patient" in out
    without_case = main(["--home", str(cdc_settings.home), "check", str(draft), "--decision", "upheld"])
    assert NSAID_FACT not in capsys.readouterr().out and without_case in (0, 1)
    # The draft pasted as the argument, longer than a file name may be: checked, not "File name too long".
    pasted = main(["--home", str(cdc_settings.home), "check", planted.rationale, "--decision", "upheld", "--case", letter])
    assert len(planted.rationale) > 255 and pasted == 1 and NSAID_FACT in capsys.readouterr().out


def test_a_draft_that_still_holds_a_drafting_note_is_not_shown_green(services):
    """No sentence of CM16-0235869's record names its third item (infrared therapy), so the offline draft tells the
    reviewer to check the records ("Drafting note: …"). Everything else verified and the badge was green: an
    instruction to the reviewer left in the text is not a letter ready to sign. It is amber, names the note, and
    turns green once the note is acted on and deleted."""
    case = case_from_file(require_shared(LETTERS_DIR) / "CM16-0235869.pdf")
    assert "infrared" in case.items[2].text
    rationale = services.draft(case, 2, "Upheld").rationale
    report = services.verify(rationale, case)
    note = "Drafting note: no sentence of the case record names this item"
    # No indexed guideline covers infrared therapy either: a second note asks for the decision's reasons.
    reasons = "Drafting note: no indexed guideline gives the reasons for this decision"
    assert report.ok and not report.ready_to_sign and report.notes_to_resolve[0].startswith(note)
    assert report.notes_to_resolve[1].startswith(reasons) and len(report.notes_to_resolve) == 2
    assert report.badge().startswith("Verified, but not ready to sign: 2 drafting note(s)")
    shown = badge_html(report)
    assert "badge-warn" in shown and "✔" not in shown and note in shown
    assert services.check_text(rationale.rationale, "Upheld", case).notes_to_resolve == report.notes_to_resolve
    resolved_text = rationale.rationale
    for left in report.notes_to_resolve:
        resolved_text = resolved_text.replace(left, "")
    resolved = rationale.model_copy(update={"rationale": resolved_text})
    cleared = services.verify(resolved, case)
    assert cleared.ready_to_sign and "badge-ok" in badge_html(cleared) and cleared.badge().startswith("Verified: ")


def test_a_draft_whose_item_facts_say_nothing_clinical_opens_its_case_move_with_the_diagnosis(services):
    """CM16-0249735's only item, a home aide after multiple trauma, names nothing the record repeats except the
    utilization review's modification, so its draft quoted the review alone: nothing about the patient. The case
    move now opens with the diagnosis and the treatment to date, each a verified quote, before the review's account."""
    case = case_from_file(require_shared(LETTERS_DIR) / "CM16-0249735.pdf")
    result = services.draft(case, 0, "Upheld")
    quotes = [c.quote for c in result.rationale.record_citations]
    diagnosis = "A review of the medical records shows the injured worker has had diagnoses of multiple trauma."
    treatment = "Treatment to date has included abdominal surgery and medications."
    assert quotes[1:3] == [diagnosis, treatment] and "utilization review" in quotes[3]
    assert f"“{diagnosis}” [R2]" in result.rationale.rationale
    # Every quote verifies; no indexed guideline covers a home aide, so the one thing left is the reasons to add.
    assert result.report.ok and result.report.notes_to_resolve == [ABSTENTION_NOTE]


@pytest.mark.parametrize("letter,index,quoted", [
    # "Initial exam": the record writes "initial examination" (a clipped word's stem is not the word's).
    ("CM16-0231745.pdf", 4, "the request for spinal manipulation, electrical stimulation, ultrasound, and initial "
                            "examination were non-certified"),
    # "PA assist" is the arthroscopy's assistant: the surgery's facts are its facts.
    ("CM17-0002892.pdf", 1, "The current diagnoses are documented as tear of the medial cartilage and/or meniscus"),
])
def test_a_request_in_clipped_words_finds_the_record_sentences_about_it(services, letter, index, quoted):
    """Two requests whose drafts said "Drafting note: no sentence of the case record names this item" although the
    record does name them, in the words a reviewer clips or the surgery they depend on."""
    case = case_from_file(require_shared(LETTERS_DIR) / letter)
    result = services.draft(case, index, "Upheld")
    assert any(quoted in c.quote for c in result.rationale.record_citations), result.rationale.record_citations
    assert "no sentence of the case record names this item" not in result.rationale.rationale
    # No indexed guideline covers either request: the only note left asks for the decision's reasons.
    assert result.report.ok and result.report.notes_to_resolve == [ABSTENTION_NOTE]


def test_an_age_comparison_is_recomputed_from_the_age_the_record_states(services):
    """CM17-0007142's reviewer wrote "The patient is over 50 years of age." of a "now 58-year-old female": the words
    "50" and "age" are in no record sentence, so the check said the record does not show it. The comparison is
    recomputed from the record's stated age; one the age does not satisfy contradicts the record."""
    case = case_from_file(require_shared(LETTERS_DIR) / "CM17-0007142.pdf")
    over = services.check_text("The patient is over 50 years of age.", None, case).record_checks
    assert [c.status for c in over] == ["verified"] and "gives 58, over 50" in over[0].message
    younger = services.check_text("The injured worker is younger than 40.", None, case).record_checks
    assert [c.status for c in younger] == ["record_contradicts"] and "age as 58" in younger[0].message
    other = case_from_file(require_shared(LETTERS_DIR) / "CM16-0249735.pdf")  # "a 43 year old male"
    assert [c.status for c in services.check_text("The patient is over 50 years of age.", None, other).record_checks] == [
        "record_contradicts"]
    # The same reviewer's item 4: "The documentation indicated the patient is over the age of 50."
    written = services.check_text("The documentation indicated the patient is over the age of 50.", None, case)
    assert [c.status for c in written.record_checks] == ["verified"] and "gives 58, over 50" in written.record_checks[0].message
    assert [c.status for c in services.check_text("The patient is under the age of 40.", None, case).record_checks] == [
        "record_contradicts"]


@pytest.mark.slow
def test_every_offline_draft_of_every_dev_letter_passes_its_own_verification(services):
    """Every disputed item of the dev letters (decisions stripped), both decisions: the offline drafter never hands
    the reviewer a draft its own verifier flags. It did for 26 of 286 drafts: a quoted utilization-review reason
    ("guideline support") read as an uncited requirement, and an abstention's "(e.g. Low Back Complaints …)" split
    into a sentence of its own that the record side could not find."""
    drafts, problems = 0, []
    for path in sorted(require_shared(LETTERS_DIR).glob("*.pdf")):
        case = case_from_file(path)
        for index in range(len(case.items)):
            for decision in ("Upheld", "Overturned"):
                report = services.draft(case, index, decision).report
                drafts += 1
                problems += [(path.name, index + 1, decision, c.status, c.sentence) for c in report.problems]
    assert drafts >= 280 and not problems, problems[:5]


def test_a_fact_the_reviewer_adds_keeps_the_capitals_of_an_abbreviation_that_opens_it():
    """"mention that CURES was checked" was added as "The records show that cURES was checked"."""
    from assistant.contracts import CaseFile, DisputedItem, ItemRationale
    from assistant.conversation.revision import revise_offline

    case = CaseFile(case_id="gen-cures", summary="On 10/15/2016, CURES was checked and was consistent with the prescriptions.",
                    items=[DisputedItem(text="Norco 10/325mg #120")])
    draft = ItemRationale(item=case.items[0], decision="Overturned",
                          rationale="The guideline recommends review. Therefore, the request is medically necessary.")
    for fact, shown in (("CURES was checked", "The records show that CURES was checked [R1]."),
                        ("The CURES was checked", "The records show that the CURES was checked [R1].")):
        revised = revise_offline(draft, f"mention that {fact}", case).rationale
        assert shown in revised.rationale, revised.rationale


def test_a_draft_whose_item_facts_are_only_a_request_and_a_review_opens_with_the_diagnosis(services):
    """CM17-0002181 (ibuprofen refills): the item's record sentences were the review's modification, "Ibuprofen
    600mg #90 with 2 refills was the original request." and the administrator's authorization — a request is no
    more a clinical fact than a review's account, and the draft said nothing about the patient. The case move now
    opens with the diagnosis and the treatment to date here too."""
    case = case_from_file(require_shared(LETTERS_DIR) / "CM17-0002181.pdf")
    result = services.draft(case, 0, "Upheld")
    quotes = [c.quote for c in result.rationale.record_citations]
    assert "undergoing treatment for strain of muscle and-or tendon of wrist, low back strain" in quotes[1]
    assert quotes[2] == "Treatment has included physical therapy and medication."
    assert "Ibuprofen 600mg #90 with 2 refills was the original request." in quotes[3:]
    assert result.report.ok and result.report.notes_to_resolve == [ABSTENTION_NOTE]


def test_each_item_of_a_checklist_draft_carries_its_own_claims_administrator_guideline(services):
    """QA reading of CM17-0016311: the drafts of items 2–4 (physical therapy, Ultram, Flexeril), written from their
    checklists, all showed item 1's "MTUS Low Back Complaints 2004 … Special Studies … ODG Low Back, MRI" — the
    checklist writer took the case's first line, not the item's own."""
    case = case_from_file(require_shared(LETTERS_DIR) / "CM17-0016311.pdf")
    ultram, flexeril = services.draft(case, 2, "Upheld").rationale, services.draft(case, 3, "Upheld").rationale
    assert ultram.checklist is not None  # the CDC set covers Ultram
    assert "Tramadol (Ultram)" in ultram.claims_administrator_guideline
    assert "Muscle relaxants (for pain)" in flexeril.claims_administrator_guideline
    assert "Special Studies" not in flexeril.claims_administrator_guideline
