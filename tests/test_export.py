"""The determination letter: IMR layout in Markdown and Word, with unverified citations flagged."""

from __future__ import annotations

from docx import Document

from assistant.contracts import (
    CaseFile,
    Citation,
    CitationCheck,
    Determination,
    DisputedItem,
    ItemRationale,
    VerificationReport,
)
from assistant.export import determination_docx, determination_markdown

GOOD = Citation(guideline_id="cdc-opioids-2022", title="CDC Clinical Practice Guideline for Prescribing Opioids for Pain (2022)",
                short_form="CDC 2022", printed_page="25", section="Recommendation 5",
                quote="clinicians should avoid increasing opioid dosage")
BAD = Citation(guideline_id="cdc-opioids-2022", title="CDC Clinical Practice Guideline for Prescribing Opioids for Pain (2022)",
               short_form="CDC 2022", printed_page="30", quote="urine drug testing is always required")


def determination() -> Determination:
    item = DisputedItem(text="Oxycodone 15mg #180", quantity="180")
    rationale = ItemRationale(
        item=item, decision="Upheld", claims_administrator_guideline="MTUS Chronic Pain Medical Treatment Guidelines",
        reviewer_guideline_line="CDC Clinical Practice Guideline for Prescribing Opioids for Pain (2022), p. 25",
        rationale="The guideline advises against escalation without functional gains [1] [2]. "
                  "The request is not medically necessary.",
        citations=[GOOD, BAD],
    )
    return Determination(case=CaseFile(case_id="CM16-0042", injury_date="06-21-2013", items=[item]), items=[rationale])


def report() -> VerificationReport:
    return VerificationReport(checks=[
        CitationCheck(citation=GOOD, marker="[1]", status="verified", message="ok"),
        CitationCheck(citation=BAD, marker="[2]", status="quote_not_found",
                      message="The quoted words do not occur in CDC 2022 (checked every page)."),
        CitationCheck(status="uncited_requirement", message="This sentence states what a guideline requires but cites no page."),
    ])


def test_markdown_layout():
    md = determination_markdown(determination())
    assert "CM16-0042" in md.split("\n\n")[1]  # header carries the case id
    lines = md.splitlines()
    heading = next(i for i, line in enumerate(lines) if "Oxycodone 15mg #180: Upheld" in line)
    rest = "\n".join(lines[heading:])
    order = ["Claims Administrator guideline:", "Reviewer guideline:", "Decision rationale:", "Citations"]
    positions = [rest.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert "MTUS Chronic Pain Medical Treatment Guidelines" in rest
    assert "CDC Clinical Practice Guideline for Prescribing Opioids for Pain (2022), p. 25" in rest
    assert f"{GOOD.label()}: “{GOOD.quote}”" in rest
    assert "UNVERIFIED" not in md  # no report given: nothing is flagged


def test_markdown_flags_unverified_citations():
    md = determination_markdown(determination(), [report()])
    assert f"UNVERIFIED: {BAD.label()}" in md
    assert "do not occur in CDC 2022" in md
    assert f"**[1]** {GOOD.label()}" in md  # numbered like its marker, and the verified one is not flagged
    assert f"**[2]** UNVERIFIED: {BAD.label()}" in md
    assert "UNVERIFIED: This sentence states what a guideline requires" in md
    assert determination_markdown(determination(), {0: report()}) == md


def test_a_note_to_the_reviewer_left_in_the_rationale_is_flagged_in_the_letter():
    """The offline draft's "Drafting note: no sentence of the case record names this item; check the records …" went
    into the exported letter unflagged under a green badge; it is an instruction, not a statement of the letter."""
    base = determination()
    noted = base.items[0].model_copy(update={"rationale": "The request under review is “Initial exam”. Drafting note: "
                                             "no sentence of the case record names this item; check the records for "
                                             "its history. Therefore, the request is not medically necessary."})
    md = determination_markdown(base.model_copy(update={"items": [noted]}), [VerificationReport()])
    assert ("UNVERIFIED: the rationale still holds a note to the reviewer (“Drafting note: no sentence of the case "
            "record names this item; check the records for its history.”); act on it and remove it before signing.") in md
    assert "note to the reviewer" not in determination_markdown(base, [report()])


def test_docx_opens_and_holds_rationale_and_citations(tmp_path):
    path = determination_docx(determination(), tmp_path / "out" / "letter.docx", [report()])
    doc = Document(str(path))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "CM16-0042" in text
    assert "Oxycodone 15mg #180: Upheld" in text
    assert "Decision rationale: The guideline advises against escalation" in text
    assert "Reviewer guideline: CDC Clinical Practice Guideline for Prescribing Opioids for Pain (2022), p. 25" in text
    assert GOOD.label() in text and GOOD.quote in text
    assert f"UNVERIFIED: {BAD.label()}" in text
    assert not list((tmp_path / "out").glob("*.part"))


def test_empty_determination_still_renders(tmp_path):
    empty = Determination(case=CaseFile(case_id="CM-EMPTY"))
    assert "No disputed item has a drafted rationale yet" in determination_markdown(empty)
    doc = Document(str(determination_docx(empty, tmp_path / "empty.docx")))
    assert any("CM-EMPTY" in p.text for p in doc.paragraphs)


def test_letter_has_a_case_summary_numbered_citations_record_citations_and_no_tool_text():
    """Issue 16 #8: the letter layout, not the workspace's notes."""
    from assistant.contracts import AbstentionNote, RecordCitation

    base = determination()
    case = base.case.model_copy(update={"summary": "The injured worker is a 51 year old nursing assistant."})
    item = base.items[0].model_copy(update={
        "record_citations": [RecordCitation(quote="walks 30 minutes daily", source="PR-2", date="08-08-2016")],
        "abstention": AbstentionNote(message="No indexed guideline addresses acupuncture.",
                                     suggested_guideline="MTUS Acupuncture Medical Treatment Guidelines"),
    })
    md = determination_markdown(Determination(case=case, items=[item]), [report()])
    summary_at, issues_at = md.index("## Clinical Case Summary"), md.index("## IMR Issues")
    assert summary_at < md.index("51 year old nursing assistant") < issues_at
    assert md.index(f"**[1]** {GOOD.label()}") < md.index(f"**[2]** UNVERIFIED: {BAD.label()}")
    assert "**[R1]** PR-2, 08-08-2016: “walks 30 minutes daily”" in md
    assert "No indexed guideline" not in md and "Note:" not in md and "corpus" not in md
