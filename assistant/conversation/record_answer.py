"""Chat answers about the case itself ("does the patient have red flags?", "what did UR say about item 1?") in the
record's own words, and "which guideline applies to item 2?" from the same evidence the draft uses.

Why: a reviewer asks about the case as often as about the guideline, and a guideline search answered such questions
with unrelated pages. The answer quotes record sentences verbatim with their source and date, says plainly when
no sentence uses the question's words, and never summarises or judges what the record means.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, TypeVar

from assistant.contracts import REQUEST_SOURCE, CaseFile, RecordCitation, readable_date
from assistant.conversation.intents import CASE_OVERVIEW, ITEMS_QUESTION
from assistant.criteria.facts import (FACT_PATTERNS, TREATMENT_CLASSES, Medication, RecordFacts, RecordFinding, called_chronic,
                                      duration_of_pain, extract_record_facts, parse_date)
from assistant.criteria.model import RecordFact
from assistant.drafting.item_facts import procedure_kinds_in
from assistant.verification.record import RecordSentence, record_sentences, tokens
from assistant.vocabulary.drugs import OPIOID_CLASS_WORDS, OPIOID_CLASSES, DrugMention, identify_drugs
from assistant.vocabulary.query import named_drug_classes, with_vocabulary_terms
from assistant.vocabulary.record_cues import UR_SENTENCE, review_account

if TYPE_CHECKING:
    from assistant.drafting.evidence import Evidence

RECORD_ANSWER_LIMIT = 3
QUESTION_WORDS = tokens("does did do has have had is was were are there any the patient injured worker record records "
                        "documented documentation document show shows what say said says about item case chart "
                        "mention mentioned notes note reason reasons why tried done performed completed given "
                        "attempted checked ordered been make makes made").words
COMPARATIVE = re.compile(r"\b(worse|better)\b", re.IGNORECASE)
"""'Does sitting make her pain worse?' against '… pain … that worsened with prolonged sitting' (CM17-0009282): the
record writes the change, the reviewer the comparative."""
REVIEW_WORDS = re.compile(r"\b(?:denied|denial|deny|non-?certif\w*|modified|UR)\b", re.IGNORECASE)
REVIEW_TOKENS = tokens("utilization review UR denied denial deny non-certified modified").words
"""The same words as content stems: in a question about the review they name the review, not what to look for."""


def _line(quote: str, source: str, date: str | None, note: str = "") -> str:
    """One record sentence, verbatim, with where it is and its date."""
    return f"- “{quote}” ({source}{', ' + date if date else ''}{note})"


def _quoted(sentence: RecordSentence, marked_as_review: bool = False) -> str:
    account = "; the review's account, not the treating record" if marked_as_review else ""
    return _line(sentence.text, sentence.source, readable_date(sentence.date), account)


# Facts a question names by the extractors' own words; the broad ones (any medication) are left to the word match
# below. A diagnosis is asked by name: "what is the diagnosis?" met only the word match, which found nothing in a
# record that says "is undergoing treatments for …".
ASKABLE_FACTS = [f for f in FACT_PATTERNS if f not in {RecordFact.medications, RecordFact.age,
                                                       RecordFact.symptom_duration, RecordFact.treatment_goals}]
QUESTION_CUES = {RecordFact.prior_imaging: r"\bimaging\b|\bscans?\b|\bdiagnostic (?:studies|tests?|testing|work-?up)\b|\bradiolog\w*",
                 RecordFact.work_status: r"\b(?:is|was|are|were)\s+(?:he|she|they|the (?:patient|injured worker|claimant|applicant))"
                                         r"\s+(?:still\s+|now\s+|currently\s+)?(?:working|employed|at work|back (?:at|to) work)\b|"
                                         r"\bback to work\b|\bduty status\b|\bcan (?:he|she|they) work\b"}
"""The words a reviewer asks a fact by that the record's own sentences seldom use ("what imaging has been done?")."""
FACT_NAMES = {RecordFact.neuro_findings: "neurological findings", RecordFact.red_flags: "red flags",
              RecordFact.pdmp_check: "CURES (PDMP) check", RecordFact.urine_drug_test: "urine drug testing"}


def _cited(citation: RecordCitation) -> str:
    return _line(citation.quote, citation.source, citation.shown_date)


def _fact_name(fact: RecordFact) -> str:
    name = FACT_NAMES.get(fact, fact.value.replace("_", " "))
    return name[:1].upper() + name[1:]  # str.capitalize() wrote "Cures (pdmp) check"


EXAM_FACTS = frozenset({RecordFact.neuro_findings, RecordFact.red_flags})
"""Facts an examination finds: a sentence negating one is a normal finding ("Motor strength was normal …"), which
"says it was not done" misread."""


def _fact_lines(name: str, present: list[RecordFinding], absent: list[RecordFinding], exam: bool = False) -> list[str]:
    if not present and not absent:
        return [f"{name}: not documented — no record sentence names it in the words the extractors look for."]
    lines = [f"{name}: {'documented' if present else 'documented as absent'}, in the record's words:"]
    seen: set[str] = set()
    for finding in [*present, *absent]:
        if finding.citation.quote not in seen:
            seen.add(finding.citation.quote)
            # Under "documented", a sentence that negates it is marked: "No relevant surgical history was documented
            # …" was listed among CM17-0002892's prior treatments as if it documented one.
            said = "a normal finding, or one the record says is absent" if exam else "says it was not done or not found"
            negated = f" — negated: {said}" if present and finding in absent else ""
            lines.append(_cited(finding.citation) + negated)
    return lines


ELECTRODIAGNOSTIC = re.compile(r"\bEMG\b|\bNCV\b|\bNCS\b|\bnerve conduction\b|\belectrodiagnostic\b|"
                               r"\belectromyogra\w*", re.IGNORECASE)
IMAGING_STUDY = re.compile(r"\bMRI\b|\bmagnetic resonance\b|\bCT\b|\bCAT scan\b|\bcomput(?:ed|eri[sz]ed) tomography\b|"
                           r"\bx-?rays?\b|\bradiographs?\b|\bbone scan\b|\bimaging\b", re.IGNORECASE)


def _named_fact_lines(fact: RecordFact, present: list[RecordFinding], absent: list[RecordFinding],
                      shown: Callable[[list[RecordFinding]], list[RecordFinding]] = list, question: str = "") -> list[str]:
    """One fact's lines; prior imaging apart from the EMG and nerve conduction studies its extractor also finds
    (QA reading: CM17-0011543's shoulder EMG answers stood under "Prior imaging"). A sentence naming both is in both;
    a question naming only EMG/NCV gets only those."""
    if fact is not RecordFact.prior_imaging:
        return _fact_lines(_fact_name(fact), shown(present), shown(absent), exam=fact in EXAM_FACTS)
    def studies(findings: list[RecordFinding], electro: bool) -> list[RecordFinding]:
        return shown([f for f in findings if (ELECTRODIAGNOSTIC.search(f.citation.quote) if electro else
                                              IMAGING_STUDY.search(f.citation.quote)
                                              or not ELECTRODIAGNOSTIC.search(f.citation.quote))])
    asks_electro = bool(ELECTRODIAGNOSTIC.search(question))
    lines = (_fact_lines(_fact_name(fact), studies(present, False), studies(absent, False))
             if IMAGING_STUDY.search(question) or not asks_electro else [])
    electro = studies(present, True), studies(absent, True)
    return lines + (_fact_lines("Prior electrodiagnostic studies (EMG/NCV)", *electro)
                    if any(electro) or asks_electro else [])


RESPONSE_QUESTION = re.compile(r"\b(?:help(?:ed|s|ful)?|improv\w*|benefit\w*|work(?:ed)?|effective|respon\w*|relie\w*|"
                               r"better|fail(?:ed)?)\b", re.IGNORECASE)
"""'did PT help?': the response to a treatment, not only that it was given."""


def _response_lines(treatment: str, facts: RecordFacts, shown: list[str]) -> list[str]:
    """What the record says of a treatment's effect: benefit (present) or none (absent), each quoted (a sentence
    `shown` already is referred to, not repeated)."""
    response = facts.get(RecordFact.treatment_response)
    name = f"Response to prior {treatment.replace('-', ' ')}"
    helped, not_helped = response.present(treatment), response.absent(treatment)
    if not helped and not not_helped:
        return [f"{name}: not documented — no record sentence says whether it helped."]

    def quoted(findings: list[RecordFinding]) -> list[str]:
        return ["- (the sentence quoted above)" if _cited(f.citation) in shown else _cited(f.citation) for f in findings]

    lines = [f"{name}: benefit documented, in the record's words:", *quoted(helped)] if helped else []
    lines += [f"{name}: documented as not helping, in the record's words:", *quoted(not_helped)] if not_helped else []
    return lines


MEDICATION_QUESTION = re.compile(r"\b(?:medications?|meds|drugs|prescriptions?)\b", re.IGNORECASE)


OPIOID_WORDS = re.compile(rf"\b(?:{OPIOID_CLASS_WORDS})\b", re.IGNORECASE)


def asked_drug_classes(question: str) -> dict[str, str]:
    """The drug classes a question names ("NSAIDs", "muscle relaxants"), opioids included: "how long has he been on
    opioids?" was answered with how long the symptoms had lasted (CM17-0006838)."""
    classes = named_drug_classes(question)
    opioid = OPIOID_WORDS.search(question)
    return {**classes, "opioid": opioid.group()} if opioid else classes


def _drug_use_lines(question: str, facts: RecordFacts) -> list[str]:
    """"Is he on gabapentin?", "has she tried muscle relaxants?": the record's sentences naming that drug, or a
    drug of that class, with the drugs they name (a plan or request is marked); or that none names one."""
    mentions = identify_drugs(question)
    asked = {g for mention in mentions for g in mention.generics}
    classes = asked_drug_classes(question)
    if not asked and not classes:
        return []
    named = ", ".join([*(m.surface for m in mentions), *classes.values()])
    found = [m for m in facts.medications if set(m.generics) & asked or set(m.classes) & set(classes)]
    if not found:
        return [f"{named[:1].upper()}{named[1:]}: not documented — no sentence of the record names "
                f"{'one' if classes else 'it'} (the request and a review's account are not use)."]
    return [f"{named[:1].upper()}{named[1:]} in the record's words (a plan or request is marked):",
            *_sentences_naming(found, lambda m: m.surface)]


def _sentences_naming(medications: list[Medication], shown: Callable[[Medication], str]) -> list[str]:
    """Each record sentence naming one of the medications, once, followed by the drugs it names (as `shown`)."""
    return [_sentence_line(meds, shown) for meds in _by_sentence(medications)]


def _sentence_line(meds: list[Medication], shown: Callable[[Medication], str]) -> str:
    """One record sentence, quoted, followed by the drugs it names (a plan or request marked)."""
    plan = " — planned or requested" if meds[0].planned else ""
    return f"{_cited(meds[0].citation)} — {', '.join(dict.fromkeys(shown(m) for m in meds))}{plan}"


NO_OPIOID = ("This case has no opioid to compute an MME/day for: neither a disputed item nor a medication the record "
             "names is an opioid (read against the drug vocabulary).")


def record_mme_lines(facts: RecordFacts) -> list[str]:
    """"What is the MME?" when no disputed item is an opioid: each record sentence naming an opioid, with the MME/day
    the CDC 2022 conversion factors give its regimen, or what it lacks for one ("Current medications include
    Diclofenac, Gabapentin, and Tramadol." names no dose or frequency). When the record names no opioid, that is said
    (CM16-0243394, a Voltaren and Lidoderm case, got only the CDC's MME pages, as if the case had a figure)."""
    from assistant.criteria.mme import compute_mme

    opioids = [m for m in facts.medications if OPIOID_CLASSES & set(m.classes)]
    if not opioids:
        return [NO_OPIOID]
    lines = ["No disputed item gives an opioid regimen. The opioids the record names, with the MME/day the CDC 2022 "
             "conversion factors give their regimen (a plan or request is marked):"]
    for meds in _by_sentence(opioids):
        result = compute_mme(meds[0].citation.quote)
        figure = result.arithmetic() if result.complete else f"MME/day cannot be computed — the sentence does not give {result.missing}"
        lines.append(f"{_sentence_line(meds, lambda m: m.surface)}: {figure}")
    return lines


Cited = TypeVar("Cited", Medication, RecordFinding)


def _by_sentence(cited: Sequence[Cited]) -> list[list[Cited]]:
    """Things cited from the record, grouped by the sentence that says them, in the record's order: a sentence
    naming two drugs or two treatments is one sentence to show."""
    by_quote: dict[str, list[Cited]] = {}
    for thing in cited:
        by_quote.setdefault(thing.citation.quote, []).append(thing)
    return list(by_quote.values())


def _medication_lines(facts: RecordFacts) -> list[str]:
    """Each record sentence that names a drug, once, with the drugs the vocabulary recognised in it."""
    none_used = (["The record also says no medication is used:" if facts.medications else
                  "Medications: the record says none are used:", *(_cited(c) for c in facts.no_medication_quotes)]
                 if facts.no_medication_quotes else [])
    if not facts.medications:
        return none_used or ["Medications: not documented — no record sentence names a drug the vocabulary knows."]
    return ["Medications the record names, in its words (a plan or request is marked):",
            *_sentences_naming(facts.medications, lambda m: f"{m.surface} ({', '.join(m.generics)})"
                               if m.generics and m.surface.lower() not in m.generics else m.surface), *none_used]


DURATION_QUESTION = re.compile(r"^\s*how long\b(?!\s+(?:is|was|are|were|will)\s+(?:the|this)\s+(?:rental|request|"
                               r"prescription|course|supply|authori[sz]ation|brace|splint|loan|program))|\bsince when\b|\bduration\b|\bhow (?:many|much) (?:days|weeks|months|time)\b|"
                               r"\bdate of injury\b|\binjury date\b|^\s*when (?:was|did)\b.{0,30}\binjur", re.IGNORECASE)
TREATMENT_HISTORY_QUESTION = re.compile(
    r"\b(?:conservative (?:care|treatment|therapy|measures)|treatments?|therap(?:y|ies))\b.{0,40}\b(?:tried|done|given|"
    r"received|had|completed|attempted)\b|\b(?:prior|previous|past) (?:treatments?|therap(?:y|ies)|care)\b|"
    r"\btreatment (?:to date|history)\b", re.IGNORECASE)
OVERVIEW_QUESTION = re.compile(
    CASE_OVERVIEW.pattern + r"|\bsummar\w*\b|\boverview\b|\b(?:the|his|her|case) history\b|\bgive me the history\b|"
    + ITEMS_QUESTION.pattern, re.IGNORECASE)
AGE_QUESTION = re.compile(r"^\s*how old\b|\bwhat is (?:the )?(?:patient's |injured worker's )?age\b", re.IGNORECASE)
OVERVIEW_FACTS = (RecordFact.diagnosis, RecordFact.pain_scores, RecordFact.function, RecordFact.work_status,
                  RecordFact.prior_treatments, RecordFact.prior_imaging, RecordFact.neuro_findings, RecordFact.red_flags)
OVERVIEW_QUOTES_PER_FACT = 2
PAIN_READING = {"acute": "acute (under four weeks)", "subacute": "subacute (4 to 12 weeks)",
                "chronic": "chronic (over 12 weeks)"}


def _duration_lines(case: CaseFile, facts: RecordFacts) -> list[str]:
    """How long the symptoms have lasted, from the injury date to the latest record date (the dated sentences
    quoted), or the record's own word 'chronic' when it gives no dates."""
    if facts.symptom_days is None:
        if case.injury_date:
            return [f"Date of injury: {case.injury_date} (the case file); the record gives no later dated visit to count "
                    "the duration of symptoms to."]
        chronic = called_chronic(case.summary, facts.source)
        if chronic:
            return ["Duration of symptoms: the record gives no injury date and later visit to count from; it calls the "
                    "pain chronic:", *(_cited(c) for c in chronic)]
        return ["Duration of symptoms: not documented — the record gives no injury date and later visit to count from."]
    pain = duration_of_pain(facts.symptom_days, case.summary)
    reading = f" — {PAIN_READING[pain]}" if pain else ""
    quoted = {parse_date(c.date or "") for c in facts.timing_quotes}
    injury = ([f"- Date of injury: {case.injury_date} (the case file)"]
              if case.injury_date and parse_date(case.injury_date) not in quoted else [])
    return [f"Duration of symptoms: {facts.symptom_days} days from the injury to the latest record date{reading}, "
            "in the record's words:", *injury, *(_cited(c) for c in facts.timing_quotes)]


def _use_duration_lines(asked: list[DrugMention], facts: RecordFacts, classes: dict[str, str] | None = None) -> list[str]:
    """"How long has she been on Norco?" (or "… on opioids?"): the record's sentences naming the drug or a drug of
    the class (current use before plans), earliest date first, and its words on long-term use; no start date is
    inferred from them."""
    generics = {g for mention in asked for g in mention.generics}
    classes = classes or {}
    named = ", ".join(dict.fromkeys([*(mention.surface for mention in asked), *classes.values()]))
    uses = [m for m in facts.medications if set(m.generics) & generics or set(m.classes) & set(classes)]
    if not uses:
        return [f"Use of {named}: not documented — no sentence of the treating record names it (the request and a "
                "review's account of it are not use)."]
    order = sorted(uses, key=lambda m: (m.planned, parse_date(m.citation.date or "") or date.max))
    quotes = list({m.citation.quote: m.citation for m in order}.values())
    shown = ", ".join(dict.fromkeys(m.surface for m in order))
    lines = [f"Use of {shown}, in the record's words (earliest dated first; no start date is inferred from them):",
             *(_cited(c) for c in quotes)]
    opioid = any("opioid" in m.classes for m in uses)
    long_term = [f.citation for f in facts.get(RecordFact.opioid_duration).present()] if opioid else []
    if long_term:
        lines += ["The record's words on how long opioids have been taken:", *(_cited(c) for c in long_term)]
    return lines


def _distinct_quotes(findings: list[RecordFinding], limit: int = OVERVIEW_QUOTES_PER_FACT) -> list[RecordFinding]:
    """The first findings of `limit` different sentences: a sentence naming two treatments is two findings, and
    the overview showed it alone where the record has a second (CM17-0013754)."""
    return [same_sentence[0] for same_sentence in _by_sentence(findings)][:limit]


def case_overview(case: CaseFile, facts: RecordFacts | None = None) -> list[str]:
    """'Summarize the case': not a summary (nothing in words the record does not use) but the disputed items, the
    duration of symptoms and what the fact extractors found for the facts reviewers weigh, each quoted verbatim."""
    facts = facts or extract_record_facts(case.summary, injury_date=case.injury_date)
    items = "; ".join(f"{n}. {item.text}" for n, item in enumerate(case.items, start=1)) or "none found"
    lines = [f"Disputed items: {items}", *_duration_lines(case, facts)]
    for fact in OVERVIEW_FACTS:
        answer = facts.get(fact)
        lines += _named_fact_lines(fact, answer.present(), answer.absent(), _distinct_quotes)
    return lines


def fact_answer(question: str, case: CaseFile, facts: RecordFacts | None = None) -> list[str]:
    """What the criteria's fact extractors found for the facts the question names (red flags, work status, a
    urine drug test, prior physical therapy, how long the symptoms have lasted …): documented, documented as
    absent, or not documented."""
    if OVERVIEW_QUESTION.search(question):
        return case_overview(case, facts)
    named = [f for f in ASKABLE_FACTS if re.search(FACT_PATTERNS[f], question, re.IGNORECASE)
             or re.search(QUESTION_CUES.get(f, r"(?!)"), question, re.IGNORECASE)]
    named += [RecordFact.age] if AGE_QUESTION.search(question) else []
    classes = [c for c, pattern in TREATMENT_CLASSES.items() if re.search(pattern, question, re.IGNORECASE)]
    medications = bool(MEDICATION_QUESTION.search(question))
    duration = bool(DURATION_QUESTION.search(question))
    history = not classes and bool(TREATMENT_HISTORY_QUESTION.search(question))
    drug_named = bool(identify_drugs(question) or asked_drug_classes(question))
    classes = [c for c in classes if not ((medications or drug_named) and c == "medication")]
    if not named and not classes and not medications and not duration and not history and not drug_named:
        return []
    facts = facts or extract_record_facts(case.summary, injury_date=case.injury_date)
    drugs = identify_drugs(question) if duration else []
    classes_asked = asked_drug_classes(question) if duration else {}
    lines: list[str] = ((_use_duration_lines(drugs, facts, classes_asked) if drugs or classes_asked
                         else _duration_lines(case, facts)) if duration else [])
    lines += _drug_use_lines(question, facts) if drug_named and not (drugs or classes_asked) else []
    lines += _medication_lines(facts) if medications and not drug_named else []
    for fact in named:
        answer = facts.get(fact)
        lines += _named_fact_lines(fact, answer.present(), answer.absent(), question=question)
    for treatment in classes:
        tried = facts.get(RecordFact.prior_treatments)
        kinds = procedure_kinds_in(question) if treatment == "injection" else set()
        name = f"Prior {treatment.replace('-', ' ')}"
        mentioned = ([] if kinds or tried.present(treatment) or tried.absent(treatment)
                     else _named_but_not_received(case, TREATMENT_CLASSES[treatment]))
        lines += ([f"{name}: not documented as care received.", *mentioned] if mentioned else
                  _kind_lines(kinds, tried.present(treatment), tried.absent(treatment)) if kinds else
                  _fact_lines(name, tried.present(treatment), tried.absent(treatment)))
        lines += _response_lines(treatment, facts, lines) if RESPONSE_QUESTION.search(question) else []
    if history:  # "what conservative treatment has been tried?": every treatment class the record documents
        tried = facts.get(RecordFact.prior_treatments)
        lines += _fact_lines("Prior treatment", tried.present(), tried.absent())
    return lines


def _named_but_not_received(case: CaseFile, pattern: str) -> list[str]:
    """The record sentences that name a treatment only in a plan, a request or a review's account: not counted as
    care received, but a reviewer must see them. "How many chiropractic sessions were previously approved?" was
    answered "not documented — no record sentence names it" beside "The patient has had previously been approved for 6
    sessions of manipulative therapy." (QA reading, CM17-0005344)."""
    named = [s for s in record_sentences(case) if s.source != REQUEST_SOURCE and re.search(pattern, s.text, re.IGNORECASE)]
    if not named:
        return []
    return ["Named only in a plan, a request or a review's account (not counted as care received), in the record's "
            "words:", *(_quoted(s, marked_as_review=bool(UR_SENTENCE.search(s.text))) for s in named[:4])]


def _kind_lines(kinds: set[str], present: list[RecordFinding], absent: list[RecordFinding]) -> list[str]:
    """An injection of the kind asked ("has she had an ESI before?"): the record's intramuscular injection is no
    epidural (CM17-0013754 answered 'Prior injection: documented' with it). Injections of another kind follow,
    labelled as such."""
    def of_kind(findings: list[RecordFinding]) -> list[RecordFinding]:
        return [f for f in findings if procedure_kinds_in(f.citation.quote) & kinds]

    asked = of_kind(present)
    lines = _fact_lines(f"Prior {' or '.join(sorted(kinds))} injection", asked, of_kind(absent))
    if present and not asked:  # every injection documented is of another kind
        lines += ["Injections of another kind the record documents:",
                  *dict.fromkeys(_cited(f.citation) for f in present)]
    return lines


MECHANISM_QUESTION = re.compile(r"\bhow did (?:the |his |her |this )?(?:injury|accident|fall)\b|\bmechanism of (?:the )?"
                                r"injury\b|^\s*how (?:was|did) (?:he|she|they|the \w+(?: \w+)?) (?:get )?(?:injured|"
                                r"hurt|injure)\b", re.IGNORECASE)
MECHANISM = re.compile(r"\b(?:mechanism of (?:the )?injury|(?:while|when)\s+(?:\w+\s+){0,3}?(?:lifting|pushing|pulling|"
                       r"carrying|bending|twisting|reaching|climbing|walking|moving|loading|unloading|driving|stepping|"
                       r"kneeling|squatting|getting)|fell|slipped|tripped|motor vehicle|MVA|struck by|hit by)\b",
                       re.IGNORECASE)
"""How an injury happened, as records tell it: "… started while pushing boxes the day prior" (CM17-0008177), "… slip
and fall" — none uses the words of "how did the injury happen?"."""


def _mechanism_answer(sentences: list[RecordSentence]) -> str:
    told = [s for s in sentences if s.source != REQUEST_SOURCE and MECHANISM.search(s.text)]
    if not told:
        return ("How the injury happened: not documented — no record sentence tells it in the words looked for "
                "(lifting, pushing, a fall, a slip, a motor vehicle accident …); read the case summary.")
    return "\n".join(["How the injury happened, in the record's words (verbatim):",
                      *(_quoted(s) for s in told[:RECORD_ANSWER_LIMIT])])


def record_answer(question: str, case: CaseFile, item_text: str | None = None) -> str:
    """The record sentences that share the most words with the question (the item's words too, for a question
    about the utilization review of an item), best first and verbatim."""
    sentences = record_sentences(case)
    if MECHANISM_QUESTION.search(question):
        return _mechanism_answer(sentences)
    # A review's account runs on past the sentence that names the review ("… was non-certified …" / "There is no
    # indication for … nor was there documentation of …"): both are the review's, not the treating record's.
    review = {s.text for s, flagged in zip(sentences, review_account([s.text for s in sentences])) if flagged}
    about_review = bool(UR_SENTENCE.search(question) or REVIEW_WORDS.search(question))
    if about_review:
        sentences = [s for s in sentences if s.text in review]
    ignored = QUESTION_WORDS | (REVIEW_TOKENS if about_review else frozenset())
    question = COMPARATIVE.sub(lambda m: "worsened" if m.group(1).lower() == "worse" else "improved", question)
    core = tokens(question).words - ignored
    asked = tokens(with_vocabulary_terms(question)).words - ignored
    if about_review and item_text:
        core |= tokens(item_text).words
        asked |= tokens(with_vocabulary_terms(item_text)).words - REVIEW_TOKENS
    # Two thirds of the question's own words must be in the sentence (the vocabulary's spellings count): one
    # shared word ("physical" of "physical therapy" in "physical examination") is not an answer. The review's
    # sentences are already the review's: any word of the item ranks them.
    needed = 1 if about_review else max(1, math.ceil(len(core) * 2 / 3))
    # A sentence must hold one of the question's own words (its own expansion counts: "PDMP" reads as CURES): an
    # expansion word alone ("drug" of "prescription drug monitoring program") matched any "anti-inflammatory drug".
    worded = [(tokens(with_vocabulary_terms(s.text)).words, n, s) for n, s in enumerate(sentences)]
    scored = [(len(asked & words), n, s) for words, n, s in worded if about_review or core & words]
    # The treating record first: "does the record document muscle spasms?" asks what the notes found, and the
    # review's "lack of documented evidence of muscle spasms" shares more of the question's words.
    best = [s for score, _n, s in sorted((x for x in scored if x[0] >= needed),
                                          key=lambda x: (x[2].text in review, -x[0], x[1]))]
    best = best[:RECORD_ANSWER_LIMIT] or (sentences[:RECORD_ANSWER_LIMIT] if about_review else [])
    extracted = [] if about_review else fact_answer(question, case)
    if extracted:
        shown = "\n".join(extracted)
        best = [b for b in best if b.text not in shown]
        more = ["Other record sentences with the question's words:",
                *(_quoted(b, b.text in review) for b in best)] if best else []
        return "\n".join(["From the case record (the checklist's fact extractors; verbatim):", *extracted, *more])
    if not best:
        return _partial_answer(core, worded, review)
    lead = "What the utilization review said, from the case record (verbatim):" if about_review else \
        "From the case record (verbatim, best match first; read them — a sentence may say the opposite):"
    return "\n".join([lead, *(_quoted(s, not about_review and s.text in review) for s in best)])


def governing_answer(item_number: int, evidence: Evidence) -> str:
    """Which indexed guideline passages the draft of this item would rest on, or why it would abstain."""
    head = f"Item {item_number} ({evidence.item.text}) was read as: {', '.join(evidence.topic.names) or 'no known category'}."
    if evidence.abstention is not None:
        hint = evidence.abstention.suggested_guideline
        governs = f" The guideline that most likely governs it is {hint} (not indexed: add its PDF in the Corpus tab)." if hint else ""
        return f"{head}\n{evidence.abstention.message}{governs}"
    lines = [head, "The indexed guideline passages its draft rests on:"]
    for passage in evidence.governing:
        citation = passage.citation
        strength = f" ({citation.strength})" if citation.strength else ""
        superseded = f" Note: {citation.superseded}" if citation.superseded else ""
        lines.append(f"- {citation.label()}{strength} — {passage.tier.label}.{superseded}")
    duration = evidence.duration_note()
    if duration:
        lines.append(duration)
    scope = evidence.scope_note()
    if scope:
        lines.append(scope)
    if not evidence.mtus_available:
        lines.append("The MTUS is not indexed; these are other evidence-based guidelines under 8 CCR §9792.21.1.")
    return "\n".join(lines)


PARTIAL_MATCH_STEM = 5
"""'can he swallow pills?' found nothing: no sentence holds both words, and 'difficulty swallowing oral
medications' (CM16-0243394) holds one. A sentence sharing one of the question's longer words is shown, said to be
a partial match; a short one ('see' of 'did the patient see a podiatrist?') is no answer."""


def _partial_answer(core: set[str], worded: list, review: set[str]) -> str:
    distinctive = {w for w in core if len(w) >= PARTIAL_MATCH_STEM}
    partial = sorted(((len(distinctive & words), n, s) for words, n, s in worded if distinctive & words),
                     key=lambda x: (x[2].text in review, -x[0], x[1]))[:RECORD_ANSWER_LIMIT]
    if not partial:
        return ("No sentence of the case record uses the words of the question; the record may say it in other "
                "words — read the case summary. Ask “what does the guideline say about …” for guideline passages.")
    return "\n".join(["No sentence of the case record holds all the words of the question; these hold some of them "
                      "(verbatim; read them — they may not answer it):",
                      *(_quoted(s, s.text in review) for _score, _n, s in partial)])
