"""The citation verifier: every citation the product shows is checked against the indexed page text.

Checks, per ItemRationale:
- each citation resolves to an indexed guideline and printed page, and its quote occurs on that page
  (a quote running onto the next page only when cited as pp. N–N+1);
- each [n] marker maps to a citation; each sentence stating a guideline requirement carries one;
- the claim around a marker is supported by the cited page (support = the page's rank among the
  guideline's pages for that claim; calibration in docs/verification.md);
- the conclusion agrees with the decision.
`check_free_text` applies the same checks to a rationale a person wrote, citing in reviewers' own styles.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.contracts import (
    CaseFile,
    Citation,
    CitationCheck,
    Decision,
    GuidelineEntry,
    GuidelinePage,
    ItemRationale,
    VerificationReport,
)
from assistant.retrieval.library import GuidelineLibrary
from assistant.verification.recognise import names_a_guideline, recognise_citations, resolve_guideline_name
from assistant.verification.record import (DRAFTING_NOTE, RECORD_MARKER, check_record_facts, drafting_notes,
                                          states_general_claim, states_general_norm, verify_record_side)
from assistant.verification.direction import opposite_statement
from assistant.verification.quantities import changed_figure
from assistant.verification.strength import misstated_strength
from assistant.verification.guideline_terms import misstated_condition, unsaid_term
from assistant.verification.textmatch import (
    split_sentences,
    content_words,
    quote_is_substantial,
    quote_occurs,
    support_score,
    strip_quotes_and_markers,
)

# Claim support: the cited page must be among the top SUPPORT_TOP_PAGES distinct pages that hybrid search
# ranks for the claim within that guideline. Measured on 74 labelled claim/page pairs (recall 0.946 at a
# false-positive rate of 0.027 against random other pages of the same guideline).
SUPPORT_TOP_PAGES = 3
MIN_CLAIM_WORDS = 4
MIN_WORDS_ON_PAGE = 0.5
"""An unquoted claim next to [n] must share at least this share of its content words with the cited page(s):
removing the quotation marks from a false sentence must not turn it into a verified one."""

POINTER_WORDS = frozenset({"see", "per", "accord", "refer", "also", "cited", "page", "pages"})
"""'See …', 'per …': words that point at a page and say nothing about it."""

PageRanker = Callable[[str, str], list[str]]
"""(claim, guideline_id) -> that guideline's printed pages, best supporting first."""

MARKER = re.compile(r"\[(\d{1,3})\]")
QUOTE_IN_PROSE = re.compile(r"[\"“]([^\"“”]{10,})[\"”]")  # an opening quote ends the scan: linear on a run of “
REQUIREMENT = re.compile(
    r"\b(?:guidelines?|MTUS|ACOEM|ODG|CDC)\b[^.]{0,120}?\b(?:states?|recommends?|endorses?|supports?|indicates?|notes?|"
    r"advises?|requires?|should|suggests?)\b|\b(?:is|are) (?:not )?(?:recommended|endorsed)\b",
    re.IGNORECASE,
)
# "not medically necessary" and the ways reviewers write it: "determined to not be medically necessary", "cannot be
# deemed medically necessary", "is not a medical necessity", "the medical necessity … is not established".
NEGATIVE_CONCLUSION = re.compile(
    r"\b(?:not|cannot|can\s?not)\s+(?:be\s+|been\s+)?(?:(?:deemed|considered|found|shown|established)\s+(?:to\s+be\s+|as\s+)?)?"
    r"(?:medically\s+)?(?:necessary|warranted|indicated|supported|recommended|appropriate)\b|"
    r"\bnot\s+a\s+medical\s+necessity\b|\bmedical\s+necessity\b[^.]{0,80}?\b(?:is|has|was)\s+not\s+(?:been\s+)?established\b|"
    r"\bnon-?certif|\bunnecessary\b|\bnot\s+(?:been\s+)?established\b",
    re.IGNORECASE,
)
CONCLUSION = re.compile(
    r"\bmedically\s+necessary\b|\b(?:is|are)\s+(?:not\s+)?(?:warranted|indicated|supported)\b|\ba\s+medical\s+necessity\b|"
    r"\bmedical\s+necessity\b[^.]{0,80}?\b(?:is|has|was)\s+(?:not\s+)?(?:been\s+)?established\b",
    re.IGNORECASE,
)


def find_quote_pages(library: GuidelineLibrary, guideline_id: str, quote: str) -> list[str]:
    return [p.printed_page for p in library.pages.get(guideline_id, []) if quote_occurs(quote, p.text)]


def _spans_break(library: GuidelineLibrary, page: GuidelinePage, quote: str) -> GuidelinePage | None:
    following = library.next_page(page)
    if following and quote_occurs(quote, page.text + "\n" + following.text):
        return following
    return None


def check_citation(library: GuidelineLibrary, citation: Citation, marker: str | None = None) -> CitationCheck:
    def result(status: str, message: str, found: list[str] | None = None) -> CitationCheck:
        return CitationCheck(marker=marker, citation=citation, status=status, message=message, found_on_pages=found or [])

    entry = library.entries.get(citation.guideline_id)
    if entry is None or citation.guideline_id not in library.pages:
        return result("guideline_not_in_corpus", f"{citation.title or citation.guideline_id} is not in the indexed corpus.")
    page = library.page(citation.guideline_id, citation.printed_page)
    if page is None:
        return result("page_not_in_guideline", f"{entry.short_form} has no printed page {citation.printed_page}.")
    if not quote_is_substantial(citation.quote):
        return result("unverifiable_reference", "The quote is too short to verify; quote at least a full clause.")
    if citation.printed_page_end and citation.printed_page_end != citation.printed_page:
        following = library.next_page(page)
        if following is None or following.printed_page != citation.printed_page_end:
            return result("page_wrong", f"pp. {citation.printed_page}–{citation.printed_page_end} are not consecutive pages.")
        if quote_occurs(citation.quote, page.text + "\n" + following.text):
            return result("verified", f"Quote found on {citation.pages} of {entry.short_form}.")
    elif quote_occurs(citation.quote, page.text):
        return result("verified", f"Quote found on p. {citation.printed_page} of {entry.short_form}.")
    elif (following := _spans_break(library, page, citation.quote)) is not None:
        return result(
            "page_wrong",
            f"The quote runs from p. {page.printed_page} onto p. {following.printed_page}; cite it as "
            f"pp. {page.printed_page}–{following.printed_page}.",
            [page.printed_page, following.printed_page],
        )
    elsewhere = find_quote_pages(library, citation.guideline_id, citation.quote)
    if elsewhere:
        return result(
            "page_wrong",
            f"The quote is not on p. {citation.printed_page}; it is on p. {', '.join(elsewhere)} of {entry.short_form}.",
            elsewhere,
        )
    return result("quote_not_found", f"The quoted words do not occur in {entry.short_form} (checked every page).")


def claim_of(sentence: str, library: GuidelineLibrary) -> str:
    """What a sentence claims beyond its quotes and its citation phrases (guideline names, pages, markers)."""
    claim = strip_quotes_and_markers(sentence)
    for found in sorted(recognise_citations(claim), key=lambda f: -f.start):
        claim = claim[: found.start] + " " + claim[found.end :]
    for entry in library.entries.values():
        for name in (entry.title, entry.short_form):
            claim = re.sub(re.escape(name), " ", claim, flags=re.IGNORECASE)
    return claim


def _support(ranker: PageRanker | None, claim: str, citation: Citation) -> tuple[float | None, list[str]]:
    if ranker is None or len(content_words(claim)) < MIN_CLAIM_WORDS:
        return None, []
    ranked = ranker(claim, citation.guideline_id)
    cited = {citation.printed_page, citation.printed_page_end} - {None}
    positions = [ranked.index(p) + 1 for p in cited if p in ranked]
    return (1.0 / min(positions) if positions else 0.0), ranked[:3]


def _words_on_page(library: GuidelineLibrary, claim: str, citation: Citation) -> float | None:
    """Share of the claim's content words on the cited page(s); None for a claim too short to judge."""
    if len(content_words(claim)) < MIN_CLAIM_WORDS:
        return None
    page = library.page(citation.guideline_id, citation.printed_page)
    if page is None:
        return None
    following = library.next_page(page) if citation.printed_page_end else None
    return support_score(claim, page.text + ("\n" + following.text if following else ""))


UNINDEXED_BY_DEFAULT = re.compile(r"\b(?:MTUS|ACOEM|ODG|Official Disability Guidelines)\b")
"""Guidelines reviewers cite that the default corpus cannot hold (licensed, or no copy found)."""


def uncited_requirements(sentences: list[str], entries: list[GuidelineEntry] | None = None) -> list[CitationCheck]:
    """Sentences that state what a guideline requires but carry neither a [n] marker nor a page citation. One that
    names the MTUS or ODG, when the reviewer has not indexed it, is told so: no page of it could be checked. A
    drafting note is an instruction to the reviewer, not a statement (it keeps the draft from being ready to sign)."""
    return [
        CitationCheck(status="uncited_requirement", sentence=sentence, message=_uncited_message(sentence, entries or []))
        for sentence in sentences
        if not sentence.lstrip().startswith(DRAFTING_NOTE)
        and (_states_a_requirement(_own_words(sentence)) or states_general_claim(_own_words(sentence)))
        and not MARKER.search(sentence) and not recognise_citations(sentence)
    ]


def _states_a_requirement(words: str) -> bool:
    """What a guideline requires, named ('The guidelines recommend …') or stated as a general norm ('Functional
    improvement should be documented after six sessions.'): a norm that speaks of this patient is the record's."""
    return bool(REQUIREMENT.search(words)) or states_general_norm(words)


def _uncited_message(sentence: str, entries: list[GuidelineEntry]) -> str:
    named = UNINDEXED_BY_DEFAULT.search(sentence)
    if named and resolve_guideline_name(named.group(), entries) is None:
        return (f"This sentence states what a guideline requires, naming the {named.group()}, which is not in the "
                "indexed corpus: it cannot be verified here. Add the guideline's PDF (Corpus tab or `assistant corpus "
                "add`) and cite its page, or cite an indexed guideline.")
    if not _states_a_requirement(_own_words(sentence)):
        return ("This sentence states a clinical claim (what a treatment does, what the evidence shows) that cites no "
                "guideline page and quotes no record: cite the page that says it, quote the record, or remove it.")
    return "This sentence states what a guideline requires but cites no page."


def _own_words(sentence: str) -> str:
    """The words the writer states. In a sentence citing the record ([R2]), quoted words are the record's (the
    utilization review's "guideline support" included), checked against the record by the record side; words
    outside the quotation marks still count ("The guidelines recommend [R2]" stays uncited)."""
    return strip_quotes_and_markers(sentence) if RECORD_MARKER.search(sentence) else sentence


def decision_check(rationale_text: str, decision: Decision | None) -> CitationCheck | None:
    if decision is None:
        return None
    conclusions = [s for s in split_sentences(rationale_text) if CONCLUSION.search(s)]
    if not conclusions:
        return CitationCheck(status="decision_inconsistent",
                             message="No sentence concludes whether the request is medically necessary.")
    negative = bool(NEGATIVE_CONCLUSION.search(conclusions[-1]))
    if negative != (decision == "Upheld"):
        expected = "not medically necessary" if decision == "Upheld" else "medically necessary"
        return CitationCheck(status="decision_inconsistent", sentence=conclusions[-1],
                             message=f"The decision is {decision}, so the conclusion should say the request is {expected}.")
    return None


def verify_rationale(
    rationale: ItemRationale, library: GuidelineLibrary, ranker: PageRanker | None = None, case: CaseFile | None = None
) -> VerificationReport:
    """Guideline citations always; record quotes and record-fact sentences when the case is given."""
    report = VerificationReport()
    text = rationale.rationale
    sentences = split_sentences(text)
    for number, citation in enumerate(rationale.citations, start=1):
        marker = f"[{number}]"
        check = check_citation(library, citation, marker)
        if check.status == "verified":
            claims = [claim_of(s, library) for s in sentences if marker in s]
            for claim in claims:
                statement_check = _statement_check(library, claim, citation, marker)
                if statement_check is not None:
                    check = statement_check.model_copy(update={"marker": marker})
                    break
                lexical = _words_on_page(library, claim, citation)
                if lexical is not None and lexical < MIN_WORDS_ON_PAGE:
                    check = check.model_copy(update={
                        "status": "claim_not_supported", "support_score": lexical, "sentence": claim.strip(),
                        "message": f"Most words of the sentence around {marker} are not on p. {citation.printed_page}; "
                                   "quote the guideline's wording or cite the page that says it.",
                    })
                    break
                score, best = _support(ranker, claim, citation)
                if score is not None and score < 1.0 / SUPPORT_TOP_PAGES:
                    check = check.model_copy(update={
                        "status": "claim_not_supported", "support_score": score, "sentence": claim.strip(),
                        "found_on_pages": best,
                        "message": f"The sentence around {marker} is not supported by p. {citation.printed_page}; "
                                   f"the guideline addresses it on p. {', '.join(best) or '—'}.",
                    })
                    break
                check.support_score = score
        report.checks.append(check)
    for sentence in sentences:
        for number in MARKER.findall(sentence):
            if not 1 <= int(number) <= len(rationale.citations):
                report.checks.append(CitationCheck(marker=f"[{number}]", status="orphan_marker", sentence=sentence,
                                                   message=f"[{number}] does not match any citation."))
    report.checks += uncited_requirements(sentences)
    report.checks += _record_side(rationale, case, sentences)
    report.checks += _quotes_in_prose(rationale, library, sentences)
    report.checks += _page_mentions_without_citation(rationale, library)
    consistency = decision_check(text, rationale.decision)
    if consistency:
        report.checks.append(consistency)
    report.notes_to_resolve = drafting_notes(text)
    return report


def _record_side(rationale: ItemRationale, case: CaseFile | None, sentences: list[str]) -> list[CitationCheck]:
    if case is not None:
        return verify_record_side(rationale, case, sentences)
    if rationale.record_citations:
        return [CitationCheck(status="record_quote_not_found", message=(
            "This draft quotes the case record, but no case was given to check the quotes against; "
            "open the case (or pass --case) to verify them."))]
    return []


def _quotes_in_prose(rationale: ItemRationale, library: GuidelineLibrary, sentences: list[str]) -> list[CitationCheck]:
    """Words quoted in the rationale next to [n] must be on citation n's page too (an edit can break them)."""
    problems = []
    for sentence in sentences:
        markers = [int(n) for n in MARKER.findall(sentence) if 1 <= int(n) <= len(rationale.citations)]
        if not markers:
            continue
        for quoted in QUOTE_IN_PROSE.findall(sentence):
            if not quote_is_substantial(quoted):
                continue
            pages = []
            for number in markers:
                citation = rationale.citations[number - 1]
                page = library.page(citation.guideline_id, citation.printed_page)
                if page is not None:
                    following = library.next_page(page) if citation.printed_page_end else None
                    pages.append(page.text + ("\n" + following.text if following else ""))
            if pages and not any(quote_occurs(quoted, text) for text in pages):
                problems.append(CitationCheck(
                    marker=f"[{markers[0]}]", status="quote_not_found", sentence=sentence,
                    message=f"The words quoted in the text next to [{markers[0]}] are not on the cited page; "
                            "restore the guideline's wording or remove the quotation marks."))
    return problems


def _page_mentions_without_citation(rationale: ItemRationale, library: GuidelineLibrary) -> list[CitationCheck]:
    """Pages named in the prose ("page 99 of the CDC guideline") must be pages of a verified citation."""
    cited = {(c.guideline_id, p) for c in rationale.citations for p in (c.printed_page, c.printed_page_end) if p}
    entries = list(library.entries.values())
    problems = []
    for found in recognise_citations(rationale.rationale):
        entry = resolve_guideline_name(found.guideline_name, entries) if found.guideline_name else None
        for page in found.pages:
            if entry is not None and (entry.id, page) in cited:
                continue
            if entry is None and any(p == page for _, p in cited):
                continue
            problems.append(CitationCheck(
                status="unverifiable_reference", sentence=found.sentence,
                message=f"The text names “{found.raw}”, which matches no verified citation of this draft."))
    return problems


def check_free_text(
    text: str, library: GuidelineLibrary, decision: Decision | None = None, ranker: PageRanker | None = None,
    case: CaseFile | None = None,
) -> VerificationReport:
    """Verify a rationale a person wrote: citations in reviewers' styles, quotes, claims, the conclusion, and,
    given the case, every sentence that states a fact about the case."""
    report = VerificationReport()
    entries = list(library.entries.values())
    for found in recognise_citations(text):
        if not names_a_guideline(found.guideline_name):
            report.checks.append(CitationCheck(
                status="unverifiable_reference", sentence=found.sentence,
                message=f"“{found.raw}” names no guideline, so the page cannot be checked: name the guideline in the "
                        "sentence (e.g. “the VA/DoD low back pain guideline, page 29”)."))
            continue
        name = found.guideline_name
        entry = resolve_guideline_name(name, entries)
        if entry is None:
            report.checks.append(CitationCheck(
                status="guideline_not_in_corpus", sentence=found.sentence,
                citation=Citation(guideline_id="", title=name, printed_page=(found.pages or ["?"])[0], quote=""),
                message=f"“{found.raw}”: {name} is not in the indexed corpus, so this citation cannot be verified. "
                        "Add the guideline's PDF (Corpus tab or `assistant corpus add`).",
            ))
            continue
        claim = claim_of(found.sentence.replace(found.raw, " "), library)
        quotes = QUOTE_IN_PROSE.findall(found.sentence)
        for printed in found.pages or ["?"]:
            citation = Citation(guideline_id=entry.id, title=entry.title, short_form=entry.short_form,
                                printed_page=printed, quote=quotes[0] if quotes else "")
            report.checks.append(_check_recognised(library, citation, claim, ranker, found.raw))
    report.checks += uncited_requirements(split_sentences(text), entries)
    if case is not None:
        report.checks += check_record_facts(text, case, split_sentences(text))
    consistency = decision_check(text, decision)
    if consistency:
        report.checks.append(consistency)
    report.notes_to_resolve = drafting_notes(text)
    return report


def _statement_check(library: GuidelineLibrary, claim: str, citation: Citation, named: str) -> CitationCheck | None:
    """What the claim says against the page sentence it restates: the opposite direction, another figure, another
    strength, or another body region, test, drug, condition or duration of pain."""
    page = library.page(citation.guideline_id, citation.printed_page)
    if page is None:
        return None
    where = f"{named}: p. {citation.printed_page}"
    for problem in STATEMENT_PROBLEMS:
        message = problem(claim, page.text, where)
        if message is not None:
            return CitationCheck(citation=citation, status="claim_not_supported", sentence=claim.strip(),
                                 message=message)
    return None


def _reversed(claim: str, page_text: str, where: str) -> str | None:
    opposite = opposite_statement(claim, page_text)
    return None if opposite is None else (
        f"{where} says the opposite — “{opposite[:300]}” — of this sentence's recommendation. Restate the "
        "guideline's direction or quote it.")


def _changed_figure(claim: str, page_text: str, where: str) -> str | None:
    changed = changed_figure(claim, page_text)
    if changed is None:
        return None
    gives = (f"gives “{changed.page}” where this sentence says “{changed.said}”" if changed.page else
             f"gives no “{changed.said}” where this sentence says it")
    return f"{where} {gives}: “{changed.sentence[:300]}”. Restate the guideline's figure or quote it."


def _misstated_strength(claim: str, page_text: str, where: str) -> str | None:
    misstated = misstated_strength(claim, page_text)
    return None if misstated is None else (
        f"{where} states this as {misstated.page} where this sentence says {misstated.said}: "
        f"“{misstated.sentence[:300]}”. Restate the guideline's strength or quote it.")


def _unsaid_term(claim: str, page_text: str, where: str) -> str | None:
    unsaid = unsaid_term(claim, page_text)
    if unsaid is None:
        return None
    instead = (f"says “{unsaid.page}” where this sentence says “{unsaid.said}”, and names “{unsaid.said}” nowhere"
               if unsaid.page else f"never names “{unsaid.said}”")
    return (f"{where} {instead}: “{unsaid.sentence[:300]}”. Cite the page that addresses it, or restate the "
            "guideline's words.")


def _misstated_condition(claim: str, page_text: str, where: str) -> str | None:
    condition = misstated_condition(claim, page_text)
    return None if condition is None else (
        f"{where} says “{condition.page}” where this sentence says “{condition.said}”: "
        f"“{condition.sentence[:300]}”. Restate the guideline's condition or quote it.")


STATEMENT_PROBLEMS = (_reversed, _changed_figure, _misstated_strength, _unsaid_term, _misstated_condition)
"""Checked in this order; the first that finds the claim at odds with its page is reported."""


def _short_claim_check(library: GuidelineLibrary, claim: str, citation: Citation, raw: str) -> CitationCheck:
    """A sentence too short for the page ranking: every one of its words must be on the page, and a sentence that
    says nothing but the citation is not verified (the page exists; nothing was checked against it)."""
    if citation.quote:
        return CitationCheck(citation=citation, status="verified", sentence=claim.strip(),
                             message=f"The quoted words are on p. {citation.printed_page} of {citation.short_form}.")
    page = library.page(citation.guideline_id, citation.printed_page)
    if not content_words(claim) - POINTER_WORDS or page is None:
        return CitationCheck(citation=citation, status="unverifiable_reference", sentence=claim.strip(), message=(
            f"“{raw}”: p. {citation.printed_page} exists, but the sentence states nothing to check against it; "
            "quote the guideline's words or say what the page recommends."))
    share = support_score(claim, page.text)
    if share < 1.0:
        return CitationCheck(citation=citation, status="claim_not_supported", support_score=share,
                             sentence=claim.strip(), message=(
                                 f"“{raw}”: not every word of this short sentence is on p. {citation.printed_page}; "
                                 "quote the guideline's wording or cite the page that says it."))
    return CitationCheck(citation=citation, status="verified", support_score=share, sentence=claim.strip(),
                         message=f"Every word of this short sentence is on p. {citation.printed_page} of "
                                 f"{citation.short_form}, in the direction the page recommends.")


def _check_recognised(
    library: GuidelineLibrary, citation: Citation, claim: str, ranker: PageRanker | None, raw: str
) -> CitationCheck:
    page = library.page(citation.guideline_id, citation.printed_page)
    if page is None:
        return CitationCheck(citation=citation, status="page_not_in_guideline", sentence=claim.strip(),
                             message=f"“{raw}”: {citation.short_form} has no printed page {citation.printed_page}.")
    if citation.quote:
        check = check_citation(library, citation)
        if check.status != "verified":
            return check.model_copy(update={"sentence": claim.strip()})
    statement_check = _statement_check(library, claim, citation, f"“{raw}”")
    if statement_check is not None:
        return statement_check
    score, best = _support(ranker, claim, citation)
    if score is None:
        return _short_claim_check(library, claim, citation, raw)
    if score < 1.0 / SUPPORT_TOP_PAGES:
        status = "page_wrong" if best else "claim_not_supported"
        return CitationCheck(citation=citation, status=status, support_score=score, sentence=claim.strip(),
                             found_on_pages=best,
                             message=f"“{raw}”: p. {citation.printed_page} does not say this; "
                                     f"{citation.short_form} addresses it on p. {', '.join(best) or '—'}.")
    return CitationCheck(citation=citation, status="verified", support_score=score, sentence=claim.strip(),
                         message=f"p. {citation.printed_page} of {citation.short_form} supports this sentence.")
