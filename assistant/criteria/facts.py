"""Record facts: what the case record says about each fact a criterion depends on, with the verbatim quote.

Why: a checklist row is only as honest as its record evidence. Each finding carries a `RecordCitation` whose
quote is a whole sentence of the case text (so it verifies verbatim), the date the record gives for it, and
whether the record states the fact (present) or states its absence ("denies", "no evidence of", "was not
provided": absent). A fact with no finding is "not documented" — a first-class answer, never a guess.
Sentences that report the utilization review's reasons are not read as facts about the patient.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from assistant.contracts import REQUEST_SOURCE, RecordCitation
from assistant.criteria.mme import MmeResult, OPIOID_NAMES, compute_mme
from assistant.criteria.model import RecordFact
from assistant.vocabulary.categories import PT_ABBREVIATION
from assistant.vocabulary.drugs import OPIOID_CLASS_WORDS
from assistant.vocabulary.record_cues import (PLAN_SENTENCE, TREATED_FOR, entry_dates, gives_injury_date, parse_date,
                                              review_account)
from assistant.verification.record import split_record_sentences

Polarity = Literal["present", "absent"]
PainDuration = Literal["acute", "subacute", "chronic"]
ACUTE_PAIN_DAYS = 28  # VA/DoD LBP 2022 p. 5: acute is less than four weeks
CHRONIC_PAIN_DAYS = 84  # VA/DoD LBP 2022 p. 5: chronic is more than 12 weeks
_CALLED_CHRONIC = re.compile(r"\bchronic\b[^.]{0,40}?\b(?:pain|LBP)\b", re.IGNORECASE)
FactStatus = Literal["documented", "documented_absent", "not_documented"]

_NEGATION_BEFORE = re.compile(
    r"\b(no|not|denie[sd]|deny|denying|without|negative for|lack of|lacks|absence of|absent|never|none|free of|"
    r"ruled out|did not|does not|has not|have not|had not|failed to)\b[^.;]*$", re.IGNORECASE)
_NEGATION_AFTER = re.compile(
    r"^[^.;]{0,60}?\b(were|was|is|are|remained?)\s+(?:all\s+)?(?:stated to be\s+|noted to be\s+)?"
    r"(normal|intact|negative|unremarkable|absent|within normal limits|none|non-?contributory|"
    r"not (?:been )?(?:done|present|available|\w+ed))\b", re.IGNORECASE)

_SCORE = re.compile(r"(?<![/\d])(\d{1,2})(?:\s*(?:-|to)\s*(\d{1,2}))?(?:\s*(?:/|out of|on an?\s+(?:pain\s+)?scale\s+"
                    r"(?:of|from)\s+[01]\s*(?:-|to)\s*)\s*10\b(?![/\d])|\s+on an?\s+10[- ]point\s+(?:pain\s+)?scale\b)")
"""A score out of ten ("7/10", "6 to 8 out of 10", "a 9 on a scale of 0-10", "6-8 on a 10-point scale"; the last two
were no pain score, CM17-0007376, CM16-0213037): its value(s) are groups 1 and 2."""

# RecordFact -> the words that bring it up. Order matters only for reading; each fact is searched separately.
FACT_PATTERNS: dict[RecordFact, str] = {
    RecordFact.pain_scores: _SCORE.pattern + r"|\bVAS\b|\bpain (?:level|score|rating)s?\b",
    RecordFact.function: r"\bfunction(?:al|ing)?\b|\bactivities of daily living\b|\bADLs?\b|\bable to (?:walk|sit|stand|perform|work|lift|sleep)\b|"
                         r"\b(?:walking|sitting|standing) tolerance\b",
    RecordFact.work_status: r"\bwork status\b|\bmodified (?:work|dut(?:y|ies))\b|\bfull duty\b|\btemporarily (?:totally|partially) disabled\b|"
                            r"\bTTD\b|\boff (?:of )?work\b|\breturn(?:ed)? to (?:work|full duty)\b|"
                            r"\b(?:is|are) (?:currently |now |still )?working\b|\bnot working\b|\blight duty\b|"
                            r"\bpermanent and stationary\b|\bwork restrictions?\b|\btemporary (?:total|partial) disability\b|"
                            r"\btotal temporary disability\b|"
                            r"\b(?:has|have|had) not (?:been )?work(?:ed|ing)\b|"
                            r"\bworking (?:on a )?(?:part|full)[- ]time\b",  # 'apparently working on a part-time basis' (CM17-0011543)
    RecordFact.urine_drug_test: r"\burine (?:drug|toxicology|tox)\b|\bUDS\b|\bUDT\b|\bdrug screen\w*\b|\btoxicology\b",
    RecordFact.pdmp_check: r"\bCURES\b|\bPDMP\b|\bprescription drug monitoring\b",
    RecordFact.opioid_agreement: r"\b(?:opioid|pain|narcotic|medication|treatment) (?:agreement|contract)\b",
    RecordFact.risk_assessment: r"\bORT\b|\bSOAPP\b|\bopioid risk tool\b|\brisk (?:assessment|screen\w*)\b|\bCOMM\b",
    RecordFact.treatment_goals: r"\bgoals?\b",
    RecordFact.naloxone: r"\bnaloxone\b|\bnarcan\b",
    RecordFact.benzodiazepine: r"\bbenzodiazepines?\b|\balprazolam\b|\bxanax\b|\blorazepam\b|\bativan\b|\bclonazepam\b|\bklonopin\b|"
                               r"\bdiazepam\b|\bvalium\b|\btemazepam\b|\brestoril\b",
    RecordFact.side_effects: r"\bside effects?\b|\badverse (?:effects?|events?|reactions?)\b|\bconstipat\w+\b|\bnausea\b|\bsedat\w+\b|"
                             r"\bdrows\w+\b|\bdizz\w+\b|\bstomach upset\b|\bdyspepsia\b|\bGI upset\b",
    RecordFact.aberrant_behaviour: r"\baberrant\b|\bdrug[- ]seeking\b|\bearly refills?\b|\bmisuse\b|\bdiversion\b|\binconsistent (?:urine|UDS|results?)\b",
    RecordFact.substance_use_history: r"\bsubstance (?:use|abuse)\b|\balcohol\b|\bdrug abuse\b|\baddiction\b|\billicit\b",
    RecordFact.mental_health: r"\bdepress\w+\b|\banxiety\b|\bPTSD\b|\bpsychiatric\b|\bpsycholog\w+\b",
    RecordFact.red_flags: r"\bred flags?\b|\bcauda equina\b|\bbowel (?:or|and) bladder\b|\bbladder (?:dysfunction|incontinence)\b|"
                          r"\bsaddle an\w+\b|\bfevers?\b|\bweight loss\b|\bhistory of cancer\b|\bmalignan\w+\b|\binfection\b|"
                          r"\bfractures?\b|\bprogressive (?:neurologic\w*|weakness|deficits?)\b|\bserious pathology\b|\bfoot drop\b",
    RecordFact.neuro_findings: r"\bstrength\b|\bsensation\b|\bsensory\b|\breflex\w*\b|\bnumbness\b|\btingling\b|\bweakness\b|"
                               r"\bradicul\w+\b|\bstraight leg rais\w*\b|\bSLR\b|\bdermatom\w+\b|\bparesthesi\w+\b|\bneurologic\w*\b|"
                               r"\bfoot drop\b|\bradiat\w+ (?:to|into|down)\b|\bsciatica\b",
    RecordFact.symptom_duration: r"\b(?:\d+|several|few|many) (?:days?|weeks?|months?|years?)\b|\bsince\b|\bchronic\b|\bacute\b",
    RecordFact.prior_imaging: r"\bMRI\b|\bmagnetic resonance\b|\bCT (?:scan)?\b|\bCAT scan\b|\bcomput(?:ed|eri[sz]ed) tomography\b|\bx-?rays?\b|\bradiographs?\b|"
                              r"\bEMG\b|\bNCV\b|\bnerve conduction\b|\belectrodiagnostic\b|\bbone scan\b|\bdiagnostic imaging\b|\bimaging studies\b",
    RecordFact.surgery_candidate: r"\bsurg\w+ (?:candidate|consult\w*|evaluation|referral|planned|intervention)\b|\bcandidate for surgery\b",
    RecordFact.exercise_program: r"\bhome exercise\w*\b|\bHEP\b|\bexercise program\b|\bexercises?\b",
    RecordFact.comorbidities: r"\bhypertension\b|\bdiabet\w+\b|\bgastritis\b|\bGERD\b|\breflux\b|\bulcers?\b|\bGI bleed\w*\b|\bkidney\b|\brenal\b|"
                              r"\b(?:GI|stomach|gastric) (?:issues?|problems?|complaints?|symptoms?|distress|pain)\b|"
                              r"\bcardiac\b|\bheart\b|\bdyspepsia\b|\bstomach upset\b|\bgastrointestinal\b|\bsleep apnea\b|\bCOPD\b",
    RecordFact.age: r"\b\d{2}[- ]year[- ]old\b",
    RecordFact.diagnosis: r"\bdiagnos[ie]s\b|\bdiagnosed\b|" + TREATED_FOR,
    RecordFact.weight_bmi: r"\bBMI\b|\bbody mass index\b|\bobes\w+\b|\boverweight\b|\b\d{2,3} (?:lbs|pounds)\b",
    RecordFact.sleep_hygiene: r"\bsleep hygiene\b",
    RecordFact.cbt_i: r"\bCBT-?I\b|\bcognitive behavioral therapy for insomnia\b|\bstimulus control\b|\bsleep restriction\b",
    RecordFact.sleep_study: r"\bsleep study\b|\bpolysomnogra\w+\b|\bapnea\b|\bsnor\w+\b|\bCPAP\b|\bSTOP-?BANG\b",
    RecordFact.medications: r"\bmedications?\b|\bprescribed\b|\b\d+(?:\.\d+)?\s*mg\b",
}
_PLAN_FACTS = {RecordFact.treatment_goals, RecordFact.surgery_candidate, RecordFact.sleep_hygiene, RecordFact.cbt_i}
"""'7/10', '2-3/10' and 'rated 8 out of 10' (half of the dev letters' pain scores are written that way)."""

# Prior treatment classes: item categories (assistant/criteria/model.py ItemCategory values) and the words for them.
TREATMENT_CLASSES: dict[str, str] = {
    "physical-therapy": rf"\bphysical therapy\b|\bphysiotherapy\b|{PT_ABBREVIATION}|\btherapy sessions\b",
    # not 'aggravated by … fine finger manipulation' (CM17-0015849); 'approved for 6 sessions of manipulative therapy'
    # is chiropractic care (CM17-0005344)
    "chiropractic": r"\bchiropract\w+\b|\bchiro\b|(?<!finger )(?<!fine )\bmanipulation\b|\bmanipulative (?:therapy|treatment)",
    "acupuncture": r"\bacupuncture\b",
    "injection": r"\binjections?\b|\bepidural\b|\bESIs?\b|\bnerve blocks?\b|\b(?:facet|medial branch)(?: joint)? blocks?\b|"
                 r"\bradiofrequency\b",  # not "a lumbar facet loading maneuver was negative" (an examination, CM17-0005418)
    # surgery done, not 'will likely need surgery if not better' (CM17-0011517) or a 'surgical shoe' (CM17-0009883); a
    # surgical history is one, read with its negation ('The surgical history was stated to be none.', CM17-0014449)
    "surgery": r"(?<!need )(?<!needs )(?<!require )(?<!requires )(?<!for )(?<!consider )\bsurgery\b|"
               r"\bsurgical\b(?!\s+(?:shoe|candidate|consult\w*|evaluation|referral|opinion|intervention|options?)\b)|"
               r"\bfusion\b|\bdiscectomy\b|\blaminectomy\b|\barthroscop\w+\b|"
               r"\b(?:closed|open) reduction\b|\bORIF\b|\bpercutaneous pinning\b|\binternal fixation\b",  # CM16-0234202
    "tens": r"\bTENS\b|\btranscutaneous (?:electrical )?nerve stimulat\w+",
    "psychological": r"\bCBT\b|\bcognitive behavioral\b|\bpsychotherapy\b|\bcounsel\w+\b",
    # "opening a locked medication room door" (CM17-0007142's mechanism of injury) names a place, not a treatment
    "medication": r"\bmedications?\b(?!\s+(?:room|cart|cabinet|closet|door|station|area)s?\b)|\bNSAIDs?\b|"
                  r"\banti-inflammator\w+\b|\bmuscle relaxants?\b|\banalgesics?\b",
    "exercise": r"\bhome exercise\w*\b|\bexercise program\b|\bHEP\b",
    "rest-modalities": r"\brest\b|\bice\b|\bheat\b|\bbrac(?:e|es|ed|ing)\b|\bactivity modification\b|\bmodified (?:work|duty)\b",
    # a brace, not 'brachioradialis' ('… brachioradialis, and triceps reflexes were rated as 2 of 4' was treatment, CM17-0005177)
}
_PRIOR_CUE = re.compile(r"\b(treatment to date|prior (?:relevant )?treatment|previous treatment|has (?:had|tried|undergone|completed)|"
                        r"have (?:included|been)|has included|included|includes|completed|underwent|attended|tried|failed|"
                        r"history of|previously|prior)\b", re.IGNORECASE)
_RESPONSE_GOOD = re.compile(r"\b(improv\w+|relief|benefit\w*|helped|help(?:ful)?|effective|better|decreas\w+ (?:pain|medication))\b", re.IGNORECASE)
_RESPONSE_BAD = re.compile(r"\b(no (?:significant |lasting |noted |documented )?(?:improvement|relief|benefit|help)|failed|unchanged|"
                           r"wors\w+|persist\w+|without (?:relief|improvement|benefit)|did not (?:help|improve)|not (?:helpful|effective)|"
                           r"(?:not|isn't|wasn't|weren't) (?:helping|working|improving)|"
                           r"minimal (?:relief|improvement|benefit)|continue[sd]? to (?:report|complain|have)|"
                           # relief that did not last: 'better for several days after the injection and has now
                           # returned' (CM17-0011517) is no lasting benefit; 'returned to work' is not this
                           r"(?:has|have|had) (?:now )?returned(?! to\b)|wore off|short[- ]lived|"
                           r"temporar\w+ (?:relief|benefit|improvement))\b", re.IGNORECASE)
_VISITS = re.compile(r"\b(\d+|several|multiple|numerous) (?:sessions|visits|treatments)\b|\bcompleted\b|\bprior (?:sessions|visits)\b", re.IGNORECASE)
_ER_LA = re.compile(r"\b(ER|XR|SR|CR|LA|extended[- ]release|long[- ]acting|contin|oxycontin|patch|transdermal|methadone|nucynta er)\b", re.IGNORECASE)
_OPIOID = re.compile(r"(?<![A-Za-z])(" + "|".join(re.escape(n) for n in sorted(OPIOID_NAMES, key=len, reverse=True))
                     + "|" + OPIOID_CLASS_WORDS + r")(?![A-Za-z])", re.IGNORECASE)


class RecordFinding(BaseModel):
    """One thing the record says about a fact, with the sentence that says it."""

    fact: RecordFact
    polarity: Polarity
    citation: RecordCitation
    treatment_class: str | None = Field(default=None, description="For prior treatments and responses: the class named.")
    value: float | None = Field(default=None, description="A number the fact carries: a pain score, MME/day, days.")
    detail: str = ""


class Medication(BaseModel):
    """A drug the record names (vocabulary's `identify_drugs`), with the sentence naming it."""

    surface: str
    generics: list[str]
    classes: list[str]
    categories: list[str] = Field(description="Item categories its classes are decided under (e.g. 'muscle-relaxant').")
    strength: str = ""
    quantity: str = ""
    frequency: str = ""
    planned: bool = Field(default=False, description="Named in a plan or request sentence rather than as current use.")
    citation: RecordCitation


class FactAnswer(BaseModel):
    fact: RecordFact
    findings: list[RecordFinding] = Field(default_factory=list)

    @property
    def status(self) -> FactStatus:
        if any(f.polarity == "present" for f in self.findings):
            return "documented"
        return "documented_absent" if self.findings else "not_documented"

    def present(self, treatment_class: str | None = None) -> list[RecordFinding]:
        return [f for f in self.findings if f.polarity == "present" and (treatment_class is None or f.treatment_class == treatment_class)]

    def absent(self, treatment_class: str | None = None) -> list[RecordFinding]:
        return [f for f in self.findings if f.polarity == "absent" and (treatment_class is None or f.treatment_class == treatment_class)]


class RecordFacts(BaseModel):
    """Every fact the extractors looked for, found or not, plus the opioid regimen's MME/day."""

    source: str = "case summary"
    answers: dict[RecordFact, FactAnswer] = Field(default_factory=dict)
    medications: list[Medication] = Field(default_factory=list)
    mme: MmeResult | None = None
    mme_citation: RecordCitation | None = None
    mme_missing: str | None = Field(default=None, description="Without a complete regimen: what the request (else the "
                                    "record) lacks for MME/day, e.g. 'how often the opioid is taken'.")
    symptom_days: int | None = Field(default=None, description="Days from the injury to the latest dated record entry.")
    latest_date: date | None = Field(default=None, description="The latest date the record gives (usually the visit at issue).")
    timing_quotes: list[RecordCitation] = Field(
        default_factory=list, description="The record's sentences behind symptom_days: the injury date's, the latest date's.")
    no_medication_quotes: list[RecordCitation] = Field(
        default_factory=list, description="Record sentences saying the patient uses no medication ('the applicant was "
                                          "not using any medications'), beside the drugs other sentences name.")

    def get(self, fact: RecordFact) -> FactAnswer:
        return self.answers.get(fact) or FactAnswer(fact=fact)

    def documented(self) -> list[RecordFact]:
        return [f for f, a in self.answers.items() if a.findings]


NEGATION_WINDOW = 400  # characters either side of a finding; longer than almost any record sentence


def _negation_window(sentence: str, start: int, end: int) -> tuple[str, int, int]:
    """The finding's NEGATION_WINDOW characters either side, with its offsets in them."""
    low, high = max(0, start - NEGATION_WINDOW), min(len(sentence), end + NEGATION_WINDOW)
    return sentence[low:high], start - low, end - low


def is_negated(sentence: str, start: int, end: int) -> bool:
    """A finding is negated when medSpaCy's ConText scopes a negation over it (the cue-before-it rules when
    medSpaCy is not installed), or when its clause says it was normal/absent ("reflexes were intact"), a
    phrasing ConText's rules do not cover.

    Read within NEGATION_WINDOW characters either side of the finding: a record with no full stop is one "sentence",
    and reading all of it for each of its findings took minutes on 8 KB (one finding per few words)."""
    sentence, start, end = _negation_window(sentence, start, end)
    clause_start = max(sentence.rfind(";", 0, start), sentence.rfind(" but ", 0, start), sentence.rfind(" however", 0, start))
    before = sentence[clause_start + 1 if clause_start >= 0 else 0:start]
    after_end = min(len(sentence), *(i for i in (sentence.find(";", end), sentence.find(" but ", end),
                                                  _new_subject_clause(sentence, end)) if i >= 0), len(sentence))
    if _NEGATION_AFTER.search(sentence[end:after_end]):
        return True
    by_context = _context_negated(sentence, start, end)
    if by_context is not None:
        return by_context
    return bool(_NEGATION_BEFORE.search(before[-70:]))


_NEW_SUBJECT_CLAUSE = re.compile(r",?\s+however,?\s+(?!(?:it|this|that|they|these|those|was|were|is|are|has|have|had|not|"
                                 r"never|no)\b)", re.IGNORECASE)


def _new_subject_clause(sentence: str, end: int) -> int:
    """Where a "however" clause with its own subject starts after the finding, or -1: in "shoulder x-ray (right)
    however the report is not indicated in the records" (CM17-0008177) the report is missing, not the x-ray; "an
    x-ray was requested, however was not done" still negates it."""
    match = _NEW_SUBJECT_CLAUSE.search(sentence, end)
    return match.start() if match else -1


def _context_negated(sentence: str, start: int, end: int) -> bool | None:
    """ConText's verdict on the finding at sentence[start:end]; None without medSpaCy."""
    status = _context_status(sentence, start, end)
    return None if status is None else status == "negated"


@functools.lru_cache(maxsize=4096)
def _context_status(sentence: str, start: int, end: int) -> str | None:
    """ConText's status of the finding at sentence[start:end] (a finding of a hedged fact is asked twice: negated?
    hedged?); None without medSpaCy."""
    from assistant.vocabulary.negation import assertions_if_available

    found = assertions_if_available(sentence, [sentence[start:end]])
    if found is None:
        return None
    spans = [a for a in found if a.start <= start < a.end or start <= a.start < end]
    return spans[0].status if spans else "present"


HEDGED_FACTS = frozenset({RecordFact.neuro_findings, RecordFact.red_flags})
"""Findings a 'possible' does not document: "undergoing treatment for … possible lumbar radiculopathy" (CM16-0244053)
is no neurological deficit, so neither present nor documented as absent."""
_HEDGE_BEFORE = re.compile(r"\b(?:possible|possibly|probable|suspected|questionable|rule out|r/o)\s+(?:[\w-]+\s+){0,3}$",
                           re.IGNORECASE)


def is_hedged(sentence: str, start: int, end: int) -> bool:
    """ConText reads the finding as uncertain or hypothetical ("possible", "rule out", "return if"); without
    medSpaCy, a hedge word up to three words before it."""
    status = _context_status(*_negation_window(sentence, start, end))
    if status is not None:
        return status in ("uncertain", "hypothetical")
    return bool(_HEDGE_BEFORE.search(sentence[max(0, start - 60):start]))


def sentences_with_dates(text: str) -> list[tuple[str, str | None]]:
    """Each sentence with the date the record gives for it: its own, or the last 'On <date>' before it."""
    return [(sentence, when) for sentence, when, _ in _dated_sentences(text)]


def patient_sentences_with_dates(text: str) -> list[tuple[str, str | None]]:
    """The sentences about the patient with their dates: a review's account (its decision and the reasons it goes
    on to give) is not read as a fact about the patient."""
    return [(sentence, when) for sentence, when, review in _dated_sentences(text) if not review]


@functools.lru_cache(maxsize=16)
def _dated_sentences(text: str) -> tuple[tuple[str, str | None, bool], ...]:
    """The record's sentences as the record verifier splits them: '…in its determination.The applicant subsequently
    appealed.On November 2, 2016, work restrictions were imposed.' read as one sentence of the review's account, so
    the work restrictions were never seen (CM17-0019011). Split once per case text: every extractor and checklist
    rule reads the same sentences."""
    sentences = split_record_sentences(text)
    reviews = review_account(sentences)
    return tuple(zip(sentences, entry_dates(sentences, reviews), reviews))



def _finding(fact: RecordFact, sentence: str, when: str | None, polarity: Polarity, source: str, **extra) -> RecordFinding:
    return RecordFinding(fact=fact, polarity=polarity, citation=RecordCitation(quote=sentence, source=source, date=when), **extra)


_LIMB = re.compile(r"\b(?:foot|feet|toes?|digits?|phalan\w*|metatars\w*|ankle|tibia\w*|fibula\w*|knee|patella\w*|femur|"
                   r"hip|hand|fingers?|thumb|metacarp\w*|wrist|radius|radial|ulna\w*|elbow|humer\w*|shoulder|clavicle|"
                   r"scapula\w*|rib|ribs|legs?|arms?|forearms?|"
                   r"carp\w*|scaphoid|lunate|triquetr\w*|pisiform|trapezium|trapezoid|capitate|hamate|"  # CM17-0006912
                   r"calcane\w*|talus|talar|navicular|cuboid|cuneiform)\b", re.IGNORECASE)
"""A skull fracture stays a red flag: it is one for head imaging (CM16-0236906). The wrist's and the foot's bones are
named too: '… comminuted not too much displaced fracture of the capitate and hamate …' (CM17-0006912) was read as a
red flag, denied ('not')."""


def _limb_fracture(sentence: str, match: re.Match) -> bool:
    """A fracture of a limb or a rib is the injury, not a red flag for spinal imaging ('right foot 2nd digit
    displaced fracture', CM17-0009883, was the case's red flag); a vertebral or unnamed fracture stays one."""
    if not match.group(0).lower().startswith("fracture"):
        return False
    start = max(sentence.rfind(";", 0, match.start()), sentence.rfind(",", 0, match.start()), match.start() - 40)
    ends = [i for i in (sentence.find(";", match.end()), sentence.find(",", match.end())) if i >= 0]
    near = sentence[max(0, start):min([*ends, match.end() + 60])]  # the fracture's own clause of a diagnosis list
    return bool(_LIMB.search(near)) and not re.search(r"\b(?:vertebra\w*|spin\w*|compression|lumbar|thoracic|cervical|"
                                                       r"sacr\w*|L[1-5]|T\d{1,2}|C[1-7])\b", near, re.IGNORECASE)


_NEGATED_LOSS = re.compile(r"\b(?:no|not|without|denie[sd])\b[^.;]{0,30}?\b(?:diminish\w*|decreas\w*|reduc\w*|impair\w*|"
                           r"limit\w*|loss|declin\w*|deficits?)\s+(?:(?:in|of)\s+)?$", re.IGNORECASE)
"""A loss of function denied documents function: 'The patient did not have diminished function.' (CM17-0007142) was
'Function: documented as absent'. Only for function: 'no loss of bowel and bladder control' denies a red flag."""


_LEFT_OPEN = re.compile(r"\b(?:not (?:clearly )?(?:stated|documented|specified|indicated|reported|noted|clear) "
                        r"(?:as to )?whether|unclear (?:as to )?whether|unknown whether)\b", re.IGNORECASE)
"""'It was not clearly stated whether the applicant was or was not working …' (CM16-0240259) was a work status: a
sentence that says the record leaves the fact open documents it neither way."""


_WISHED_STATUS = re.compile(r"\b(?:needs?|wants?|wishe[sd]|would like|hopes?|hoped|importuned|begged|pleaded|pressed)\b"
                            r"[^.;]{0,60}?\bto\s+(?:be\s+)?(?:[\w-]+\s+){0,2}$", re.IGNORECASE)
"""A work status the patient wishes for is none: '… he needs to be taken off work because he needs to lie down'
(CM16-0244053, beside 'is currently working with modified duties') and 'The applicant reportedly importuned his
primary treating provider to place him off of work.' (CM17-0011543) were read as his work status."""


def _wished_status(sentence: str, match: re.Match) -> bool:
    return bool(_WISHED_STATUS.search(sentence[max(0, match.start() - 100):match.start()]))


_DIAGNOSIS_LIST = re.compile(r"\b(?:diagnos[ie]s|diagnosed)\b(?P<list>[^;]*)$", re.IGNORECASE)
_OWN_CLAUSE = re.compile(r"\b(?:reports?|reported|reporting|complains?|complained|notes?|noted|states?|stated|from|"
                         r"side|effects?|after|since|induced|secondary|due|related|caused|opioids?|medications?|"
                         r"with (?:the|his|her) )", re.IGNORECASE)
"""A symptom named in a diagnosis list is a diagnosis, not a drug's side effect: 'Diagnoses include … dizziness and
giddiness, … concussion' (CM16-0243394) counted as side effects reviewed. 'Diagnosed with lumbar strain, he reports
nausea from tramadol' and 'Diagnoses: … constipation secondary to opioids' still are: a reporting verb or a cause
stands between the list and the symptom, or a cause follows it."""


def _in_diagnosis_list(sentence: str, match: re.Match) -> bool:
    listed = _DIAGNOSIS_LIST.search(sentence[:match.start()])
    return bool(listed) and not _OWN_CLAUSE.search(listed.group("list") + sentence[match.start():match.end() + 40])


TEST_FACTS = frozenset({RecordFact.prior_imaging, RecordFact.urine_drug_test, RecordFact.pdmp_check,
                        RecordFact.sleep_study})
"""Facts that a test or check was done: its result is no negation of it. "The MRI was normal.", "A urine drug screen
on 10/15/2016 was negative." and "The x-rays were unremarkable, showing no … rib fractures" (CM17-0007376) were read
as no MRI, no drug screen, no x-rays; "no MRI" and "an MRI was not done" still are."""
_RESULT_WORDS = re.compile(r"\b(?:normal|negative|unremarkable|within normal limits|non-?contributory)\b", re.IGNORECASE)


def _pattern_findings(sentence: str, when: str | None, source: str, planned: bool) -> list[RecordFinding]:
    if _LEFT_OPEN.search(sentence):
        return []
    found: list[RecordFinding] = []
    for fact, pattern in FACT_PATTERNS.items():
        if planned and fact not in _PLAN_FACTS and fact not in {RecordFact.medications, RecordFact.diagnosis, RecordFact.age}:
            continue
        matches = list(re.finditer(pattern, sentence, re.IGNORECASE))
        if not matches:
            continue
        if fact == RecordFact.red_flags:
            matches = [m for m in matches if not _limb_fracture(sentence, m)]
        if fact == RecordFact.work_status:
            matches = [m for m in matches if not _wished_status(sentence, m)]
        if fact == RecordFact.side_effects:
            matches = [m for m in matches if not _in_diagnosis_list(sentence, m)]
        if not matches:
            continue
        read = _RESULT_WORDS.sub(lambda r: " " * len(r.group()), sentence) if fact in TEST_FACTS else sentence
        present = [m for m in matches if not is_negated(read, m.start(), m.end())
                   or (fact == RecordFact.function and _NEGATED_LOSS.search(sentence, 0, m.start()))]
        if fact in HEDGED_FACTS and present:
            asserted = [m for m in present if not is_hedged(sentence, m.start(), m.end())]
            if not asserted:
                continue  # only a possible finding: not documented either way
            present = asserted
        polarity: Polarity = "present" if present else "absent"
        value = None
        if fact == RecordFact.pain_scores and present:
            score = _SCORE.search(sentence)
            value = float(score.group(2) or score.group(1)) if score else None
        found.append(_finding(fact, sentence, when, polarity, source, value=value))
    return found


_NOT_IN_FILE = re.compile(r"[\w\s]{0,20}?\b(?:was|were|is|are) not (?:adequately |clearly |fully |specifically )?"
                         r"(?:provided|available|included|submitted|listed|specified|indicated|documented|noted|mentioned|"
                         r"in the (?:records?|file))\b", re.IGNORECASE)
"""'The patient current medication regimen was not provided', 'Current medications are not indicated in the treatment
note', 'Medications were not adequately documented on the most recent clinical note' (CM17-0002892): what the file lacks, neither a treatment received nor one denied (CM17-0014438's and CM17-0006838's overviews
listed them among the prior treatments, the second as documented absent)."""


_CANNOT_TAKE = re.compile(r"\b(?:swallow\w*|allerg\w+ to)\s+(?:[\w-]+\s+){0,2}$", re.IGNORECASE)
"""What the patient cannot take is no treatment received: '… large tongue resulting in difficulty swallowing oral
medications' (CM16-0243394) was a prior medication treatment."""


def _treatment_findings(sentence: str, when: str | None, source: str) -> list[RecordFinding]:
    """Prior treatments by class, and the response the same sentence reports for them."""
    found: list[RecordFinding] = []
    for treatment_class, pattern in TREATMENT_CLASSES.items():
        match = re.search(pattern, sentence, re.IGNORECASE)
        if not match or _NOT_IN_FILE.match(sentence, match.end()) or _CANNOT_TAKE.search(sentence, 0, match.start()):
            continue
        negated = is_negated(sentence, match.start(), match.end())
        found.append(_finding(RecordFact.prior_treatments, sentence, when, "absent" if negated else "present", source,
                              treatment_class=treatment_class))
        if _VISITS.search(sentence) and not negated:
            found.append(_finding(RecordFact.visits_completed, sentence, when, "present", source, treatment_class=treatment_class))
        if _RESPONSE_BAD.search(sentence):
            found.append(_finding(RecordFact.treatment_response, sentence, when, "absent", source, treatment_class=treatment_class))
        elif (good := _RESPONSE_GOOD.search(sentence)) and not is_negated(sentence, good.start(), good.end()):
            found.append(_finding(RecordFact.treatment_response, sentence, when, "present", source, treatment_class=treatment_class))
    return found


def _opioid_findings(sentence: str, when: str | None, source: str) -> list[RecordFinding]:
    match = _OPIOID.search(sentence)
    if not match or is_negated(sentence, match.start(), match.end()):
        return []
    found = [_finding(RecordFact.opioid_duration, sentence, when, "present", source)] if re.search(
        r"\b(since|for (?:the past |over )?(?:\d+|several|many) (?:weeks?|months?|years?)|long[- ]term|chronic|continued|ongoing)\b",
        sentence, re.IGNORECASE) else []
    if _ER_LA.search(sentence):
        found.append(_finding(RecordFact.opioid_formulation, sentence, when, "present", source, detail="extended-release/long-acting"))
    return found


def extract_record_facts(case_text: str, source: str = "case summary", injury_date: str | None = None,
                         item_text: str = "") -> RecordFacts:
    """All record facts in the case text; the MME/day of the item's opioid regimen when it names one."""
    answers: dict[RecordFact, FactAnswer] = {}
    latest: date | None = None
    dated: list[tuple[date, RecordCitation]] = []
    for sentence, when in patient_sentences_with_dates(case_text):
        planned = bool(PLAN_SENTENCE.search(sentence))
        found = _pattern_findings(sentence, when, source, planned)
        if not planned:
            found += _treatment_findings(sentence, when, source) + _opioid_findings(sentence, when, source)
        for finding in found:
            answers.setdefault(finding.fact, FactAnswer(fact=finding.fact)).findings.append(finding)
        parsed = parse_date(when or "")
        latest = max(latest, parsed) if latest and parsed else (parsed or latest)
        if parsed:
            dated.append((parsed, RecordCitation(quote=sentence, source=source, date=when)))
    facts = RecordFacts(source=source, answers=answers, latest_date=latest, medications=record_medications(case_text, source),
                        no_medication_quotes=no_medication_statements(case_text, source))
    _add_named_drug_treatments(facts)
    facts.symptom_days, facts.timing_quotes = _timing(parse_date(injury_date or ""), dated)
    _add_regimen(facts, case_text, item_text, source)
    return facts


NONOPIOID_PAIN_CLASSES = frozenset({"nsaid", "muscle-relaxant", "gabapentinoid", "anticonvulsant", "snri", "tca",
                                    "topical-analgesic", "non-opioid-analgesic"})


def _add_named_drug_treatments(facts: RecordFacts) -> None:
    """A nonopioid pain drug the record names as used is a medication tried, without the word 'medication': 'Naprosyn
    was prescribed.' (CM16-0238352) left 'what prior treatment has been tried?' at 'not documented'. Not a plan, not
    an opioid (it is no nonopioid therapy), not a drug the sentence denies."""
    answer = facts.answers.setdefault(RecordFact.prior_treatments, FactAnswer(fact=RecordFact.prior_treatments))
    seen = {f.citation.quote for f in answer.findings if f.treatment_class == "medication"}
    for medication in facts.medications:
        quote = medication.citation.quote
        if medication.planned or quote in seen or "opioid" in medication.classes:
            continue
        start = quote.find(medication.surface)
        if not NONOPIOID_PAIN_CLASSES & set(medication.classes) or start < 0 or is_negated(
                quote, start, start + len(medication.surface)):
            continue
        seen.add(quote)
        answer.findings.append(RecordFinding(fact=RecordFact.prior_treatments, polarity="present",
                                             citation=medication.citation, treatment_class="medication"))
    if not answer.findings:
        del facts.answers[RecordFact.prior_treatments]


def _timing(injured: date | None, dated: list[tuple[date, RecordCitation]]) -> tuple[int | None, list[RecordCitation]]:
    """Days from the injury to the latest dated entry, and the record's sentences giving those two dates. The
    sentence stating the injury date is not an entry of that day: with no other dated entry, the record gives no
    duration (CM17-0009282 said '0 days from the injury to the latest record date' on its injury sentence alone)."""
    entries = [(d, c) for d, c in dated if not (d == injured and gives_injury_date(c.quote))]
    latest = max((d for d, _ in entries), default=None)
    if not (injured and latest and latest >= injured):
        return None, []
    quotes = [next((c for d, c in dated if d == injured), None), next((c for d, c in entries if d == latest), None)]
    return (latest - injured).days, list({c.quote: c for c in quotes if c is not None}.values())


def symptom_timing(case_text: str, injury_date: str | None,
                   source: str = "case summary") -> tuple[int | None, list[RecordCitation]]:
    """`extract_record_facts`' symptom_days and timing_quotes alone (dates only, no fact extraction), for the stages
    that need the pain's duration without the whole checklist."""
    dated = [(parsed, RecordCitation(quote=sentence, source=source, date=when))
             for sentence, when in patient_sentences_with_dates(case_text)
             if (parsed := parse_date(when or ""))]
    return _timing(parse_date(injury_date or ""), dated)


def pain_duration(case_text: str, injury_date: str | None) -> PainDuration | None:
    """Acute, subacute or chronic as the VA/DoD low back pain guideline delineates them (p. 5: "acute (less than four
    weeks), subacute (4 – 12 weeks), or chronic (more than 12 weeks)"), from the injury date to the latest record
    date; without those dates, chronic when the record calls the pain chronic. None when the record does not tell."""
    return duration_of_pain(symptom_timing(case_text, injury_date)[0], case_text)


def called_chronic(case_text: str, source: str = "case summary") -> list[RecordCitation]:
    """The record's sentences that call the pain chronic (what `duration_of_pain` reads when there are no dates)."""
    return [RecordCitation(quote=sentence, source=source, date=when)
            for sentence, when in sentences_with_dates(case_text) if _CALLED_CHRONIC.search(sentence)][:1]


def duration_of_pain(symptom_days: int | None, case_text: str) -> PainDuration | None:
    """`pain_duration` from days already counted (`symptom_timing`)."""
    if symptom_days is not None:
        return "acute" if symptom_days < ACUTE_PAIN_DAYS else "chronic" if symptom_days > CHRONIC_PAIN_DAYS else "subacute"
    return "chronic" if _CALLED_CHRONIC.search(case_text) else None


STRENGTH_MG = re.compile(r"(\d+(?:\.\d+)?)\s*mg\b", re.IGNORECASE)


def _add_regimen(facts: RecordFacts, case_text: str, item_text: str, source: str) -> None:
    """MME/day of the requested regimen (the item text), else of the record's opioid sentence that gives a dose."""
    candidates = [(item_text, REQUEST_SOURCE)] if item_text and _OPIOID.search(item_text) else []
    record = [(s, source) for s, _ in patient_sentences_with_dates(case_text) if _OPIOID.search(s)]
    # An item that gives a strength but no frequency ("Oxycodone 15mg #180"): the record sentence that gives the
    # same strength describes the requested regimen; the current one ("10mg every 6 hours") comes after it.
    strengths = set(STRENGTH_MG.findall(item_text or ""))
    candidates += sorted(record, key=lambda c: not strengths & set(STRENGTH_MG.findall(c[0])))
    for text, where in candidates:
        result = compute_mme(text)
        if result.complete:
            facts.mme, facts.mme_citation = result, RecordCitation(quote=text, source=where)
            finding = RecordFinding(fact=RecordFact.mme_per_day, polarity="present", citation=facts.mme_citation,
                                    value=result.mme_per_day, detail=result.arithmetic())
            facts.answers.setdefault(RecordFact.mme_per_day, FactAnswer(fact=RecordFact.mme_per_day)).findings.append(finding)
            return
    if candidates:
        facts.mme_missing = compute_mme(candidates[0][0]).missing


def record_medications(case_text: str, source: str = "case summary") -> list[Medication]:
    """Every drug named outside the utilization review's reasons, with generic, class, strength, quantity, frequency."""
    from assistant.vocabulary.drugs import class_category, identify_drugs

    found: list[Medication] = []
    for sentence, when in patient_sentences_with_dates(case_text):
        planned = bool(PLAN_SENTENCE.search(sentence))
        for mention in identify_drugs(sentence):
            categories = sorted({class_category(c) for c in mention.classes} - {""})
            found.append(Medication(surface=mention.surface, generics=mention.generics, classes=mention.classes,
                                    categories=categories, strength=mention.strength, quantity=mention.quantity,
                                    frequency=mention.frequency, planned=planned,
                                    citation=RecordCitation(quote=sentence, source=source, date=when)))
    return found


NO_MEDICATION = re.compile(
    r"\b(?:not (?:currently )?(?:using|taking|on) any (?:\w+ )?medications?|(?:takes|taking|uses|using|on) no (?:\w+ )?"
    r"medications?|den(?:ies|ied) (?:taking |using )?any (?:\w+ )?medications?|no current medications?|"
    r"(?:was|is|were) off (?:all )?(?:\w+ )?medications?|medications?: none)\b", re.IGNORECASE)


def no_medication_statements(case_text: str, source: str = "case summary") -> list[RecordCitation]:
    """Sentences saying the patient uses no medication. CM17-0019011's "… the attending provider stating in one section
    of the note that the applicant was not using any medications" names no drug, so "what medications is the
    applicant taking?" listed the Norflex and Naprosyn sentences alone, as if the record were consistent."""
    return [RecordCitation(quote=sentence, source=source, date=when)
            for sentence, when in patient_sentences_with_dates(case_text) if NO_MEDICATION.search(sentence)]
