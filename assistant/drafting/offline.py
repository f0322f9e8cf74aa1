"""The deterministic drafter: no model, no network. It writes the three moves from the governing passage's
own sentences (quoted verbatim, with page) and the case summary's own sentences, and never invents a fact."""

from __future__ import annotations

import re

from assistant.contracts import CaseFact, CaseFile, Citation, Decision, DisputedItem, ItemRationale, RecordCitation
from assistant.corpus.statements import recommendation_statement
from assistant.drafting.evidence import Evidence
from assistant.drafting.item_facts import case_context, drug_note, fact_sentence, item_facts
from assistant.verification.record import DRAFTING_NOTE, record_sentences
from assistant.verification.textmatch import content_words
from assistant.verification.textmatch import split_sentences



REFERENCE_AFTER_STOP = re.compile(r"\.[(\[]\d{1,3}(?:\s?[,–-]\s?\d{1,3}){0,8}[)\]]\s+(?=[A-Z])")
"""'… and attrition.(113) The benefits of NSAIDs …': a reference number after the full stop, where VA/DoD guidelines put
it; the sentence splitter reads the two as one (the LBP NSAID discussion was quoted whole, CM17-0019171)."""


def _split_after_references(sentence: str) -> list[str]:
    """The sentence cut after each reference-number-after-full-stop, the reference kept with the sentence it ends."""
    parts, start = [], 0
    for found in REFERENCE_AFTER_STOP.finditer(sentence):
        parts.append(sentence[start:found.end()].rstrip())
        start = found.end()
    return [*parts, sentence[start:]]


LIST_MARKER_END = re.compile(r"(?:^|[\s:])[a-h]\.$")
"""A sentence 'ending' at a lettered list's marker: "… attributed to mild traumatic brain injury: a." was quoted alone
for an EEG request, its list "a. Neuroimaging b. Serum biomarkers c. Electroencephalogram" cut off (mTBI p. 27)."""


STRENGTH_TAG = re.compile(r"\((?:Strong|Weak) (?:for|against)\b[^)]{0,60}\)|\(Neither for nor against\b[^)]{0,60}\)")
"""A VA/DoD recommendation's strength after its statement, where the statement ends without a full stop
("… c. Electroencephalogram (Weak against | Reviewed, Amended) Discussion Mild TBI continues …")."""


def _lists_kept_whole(sentences: list[str]) -> list[str]:
    """A piece ending at a lettered list's marker runs on into the next, so the list stays in its sentence."""
    joined: list[str] = []
    for sentence in sentences:
        if joined and LIST_MARKER_END.search(joined[-1]):
            joined[-1] = f"{joined[-1]} {sentence}"
        else:
            joined.append(sentence)
    return joined


def _cut_after_strength_tags(sentences: list[str]) -> list[str]:
    """A recommendation's statement ends at its strength tag; what follows is a sentence of its own."""
    cut: list[str] = []
    for sentence in sentences:
        tag = STRENGTH_TAG.search(sentence)
        if tag and sentence[tag.end():].strip():
            cut += [sentence[:tag.end()], sentence[tag.end():].strip()]
        else:
            cut.append(sentence)
    return cut


def passage_sentences(passage_text: str, section_path: list[str] | None = None) -> list[str]:
    """Whole sentences of a passage: bullets split, a leading heading (e.g. 'Supporting Rationale') removed, a
    lettered list kept in its sentence."""
    headings = sorted({h for h in (section_path or []) if h}, key=len, reverse=True)
    sentences = []
    for block in (b.strip() for b in passage_text.split("•")):  # re.split(r"\s*•\s*") was quadratic on blank lines
        pieces = [part for whole in split_sentences(block) for part in _split_after_references(whole)]
        for sentence in _cut_after_strength_tags(_lists_kept_whole(pieces)):
            for heading in headings:
                if sentence.startswith(heading + " "):
                    sentence = sentence[len(heading) + 1 :]
            if sentence[:1].isupper():
                sentences.append(sentence.strip())
    return sentences


REVISION_HISTORY = re.compile(
    r"\bstrength of (?:the|this) recommendation (?:was|has been) (?:modified|changed|amended|downgraded|upgraded)\b|"
    r"\b(?:this|the) updated CPG\b|\b(?:19|20)\d\d [\w/ ]{0,20}CPG\b|"
    r"\bthis is an? (?:Reviewed|Not reviewed)\b", re.IGNORECASE)
"""A sentence about the guideline's own editions ("The strength of the recommendation was modified from Strong for in
the 2017 VA/DoD LBP CPG to Weak for in this updated CPG …", quoted as what the LBP guideline requires of a meloxicam
request, CM17-0019171): true of the page, but not what the guideline asks of the case."""


UNINFORMATIVE_WORDS = content_words("pain time times day days daily week weeks month months session sessions visit visits")
"""A request's schedule ('2 times a week for 4 weeks') and 'pain' say nothing of which sentence is about it: a laser
trial 'at 12 weeks' was quoted for 'Electrical Muscle Stimulation 2 times a week for 4 weeks' (CM17-0005344) over
'… did not identify new data on the effect of TENS for LBP.'"""


def best_sentences(passage_text: str, queries: list[str], limit: int = 2, section_path: list[str] | None = None) -> list[str]:
    """The passage's own whole sentences that best match the item, preferring recommendation language; a passage
    that opens a recommendation gives its statement first. Sentences about the guideline's editions are left out."""
    statement = recommendation_statement(passage_text)
    if statement is not None and limit == 1:
        return [statement]
    query_words = set().union(*(content_words(q) for q in queries)) - UNINFORMATIVE_WORDS if queries else set()
    scored = []
    for position, sentence in enumerate(passage_sentences(passage_text, section_path)):
        if len(sentence.split()) < 6 or len(sentence) > 600 or REVISION_HISTORY.search(sentence):
            continue
        overlap = len(content_words(sentence) & query_words)
        directive = 1.5 if re.search(r"\bclinicians should\b|\bshould\b|\brecommend", sentence, re.IGNORECASE) else 0.0
        scored.append((overlap + directive, -position, sentence))
    scored.sort(reverse=True)
    chosen = sorted(scored[:limit], key=lambda s: -s[1])
    return [s[2] for s in chosen]


ABSTENTION_NOTE = (f"{DRAFTING_NOTE} no indexed guideline gives the reasons for this decision; before the conclusion, "
                   "state what the governing guideline requires (with its page) and what this record shows against it.")
"""An abstaining draft's conclusion would otherwise follow the record quotes with no reason at all (QA reading of
stop 42): the note keeps the workspace badge from going green and is flagged in an export until the reviewer acts."""


def conclusion(item_text: str, decision: Decision) -> str:
    verdict = "not medically necessary" if decision == "Upheld" else "medically necessary"
    return f"Therefore, the request for {item_text} is {verdict}."


def reviewer_guideline_line(citations: list[Citation]) -> str:
    if not citations:
        return ""
    first = citations[0]
    sections = list(dict.fromkeys(c.section.split(" > ")[0] for c in citations if c.section and c.guideline_id == first.guideline_id))
    pages = list(dict.fromkeys(c.printed_page for c in citations if c.guideline_id == first.guideline_id))
    section_text = f", {', '.join(sections)}" if sections else ""
    return f"Decision based on {first.title}{section_text}, Page(s): {', '.join(pages)}."


def case_move(case: CaseFile, item: DisputedItem) -> tuple[str, list[RecordCitation]]:
    """The case move: the request, the record sentences about this item (the diagnosis and treatment to date first
    when those say nothing clinical: `case_context`), each quoted with [R<n>]."""
    facts = item_facts(case, item)
    citations = [RecordCitation.of_request(item), *case_context(case, facts), *facts]
    parts = [f"The request under review is “{item.text}” [R1]."]
    note = drug_note(item)
    if note:
        parts.append(note)
    if len(citations) > 1:
        parts.append("In this case, the records document the following.")
        reviews = {s.text for s in record_sentences(case) if s.review}
        parts += [fact_sentence(c, n, c.quote in reviews) for n, c in enumerate(citations[1:], start=2)]
    if not facts:
        parts.append(f"{DRAFTING_NOTE} no sentence of the case record names this item; check the records for its "
                     "history, response and the utilization review's reasons.")
    return " ".join(parts), citations


def draft_offline(case: CaseFile, evidence: Evidence, decision: Decision) -> ItemRationale:
    case_text, record_citations = case_move(case, evidence.item)
    facts = [CaseFact(text=c.quote, date=c.date) for c in record_citations[1:]]
    citations: list[Citation] = []
    parts: list[str] = []
    scope: str | None = None
    if evidence.abstention is not None:
        note = evidence.abstention
        # Letter prose only: what to do about the missing guideline is said by the workspace, not the letter.
        suggestion = f" The guideline that most likely governs is {note.suggested_guideline}." if note.suggested_guideline else ""
        parts.append(note.message + suggestion)
    else:
        for passage in evidence.governing:
            sections = passage.citation.section.split(" > ")
            for sentence in best_sentences(passage.citation.quote, [evidence.item.text, *evidence.queries], 1, sections):
                citation = passage.citation.model_copy(update={"quote": sentence})
                citations.append(citation)
                lead = "As noted on page" if len(citations) == 1 else "The guideline also states, on page"
                parts.append(f'{lead} {citation.printed_page} of the {citation.title}, "{sentence}" [{len(citations)}].')
        scope = evidence.scope_note() if citations else None
        if scope:
            parts.append(scope)
        if not evidence.mtus_available and citations:
            parts.append("The MTUS was not available in the indexed corpus; the guideline cited is an other "
                         "evidence-based guideline under 8 CCR §9792.21.1.")
    supporting = []
    for passage in evidence.supporting:
        sentences = best_sentences(passage.citation.quote, [evidence.item.text, *evidence.queries], limit=1)
        if sentences:
            supporting.append(passage.citation.model_copy(update={"quote": sentences[0]}))
    reasons_note = [ABSTENTION_NOTE] if evidence.abstention is not None else []
    rationale = " ".join([*parts, case_text, *reasons_note, conclusion(evidence.item.text, decision)])
    return ItemRationale(
        item=evidence.item,
        decision=decision,
        claims_administrator_guideline=case.claims_administrator_line(evidence.item),
        reviewer_guideline_line=reviewer_guideline_line(citations),
        rationale=rationale,
        citations=citations,
        supporting_citations=supporting,
        case_facts=facts,
        record_citations=record_citations,
        abstention=evidence.abstention,
        scope_note=scope,
    )
