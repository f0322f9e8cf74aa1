"""The record side of verification: record quotes and the sentences that state facts about the case.

A rationale's statements about the case are grounded like its guideline citations:
- each `RecordCitation` quote must occur verbatim in the case text (same normalisation as guideline quotes:
  whitespace, hyphenation, quote styles; no paraphrase accepted), and so must the date it gives;
- each [R<n>] marker must name a record citation, and the sentence around it must not say more than its quote;
- a sentence that asserts a record fact ("the records show…", "the patient failed…", "there is no documentation
  of…") must be backed by the record: a draft must cite it with [R<n>]; a person's text is checked against the
  case text directly. "There is no documentation of X" is flagged when the record does document X. Negation is
  honoured on both sides ("denies", "no evidence of", "not tried", "was not provided", "… was negative").
- a reviewer's own statement, offered by a chat revision, is always reported as unverified.
The support test is lexical (content words, all numbers, negation scope, the patient's sex); its precision and
recall on planted facts are measured by tests/test_record_verification.py.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from assistant.contracts import REQUEST_SOURCE, CaseFile, CitationCheck, ItemRationale, RecordCitation
from assistant.verification.alignment import side_of_the_finding, substituted_word
from assistant.verification.quantities import NUMBER_WORDS, figures
from assistant.verification.spine_levels import levels_not_named
from assistant.verification.textmatch import STOPWORDS, match_key, normalise_characters, quote_occurs, singular_of_ies
from assistant.verification.work_status import reversed_work_status
from assistant.vocabulary.deciding_terms import DecidingTerms, deciding_terms, missing_terms, opposing_term
from assistant.vocabulary.query import with_vocabulary_terms
from assistant.vocabulary.record_cues import (MONTHS, RECORD_DATE, UR_SENTENCE, days_between, documents_neuro_deficit,
                                              entry_date, entry_dates, interval_words, mentions_without_documenting,
                                              parse_date, reports_a_review, review_account, stated_reason)

if TYPE_CHECKING:
    from assistant.criteria.mme import MmeResult  # criteria imports this module: only for the annotation

RECORD_MARKER = re.compile(r"\[R(\d{1,3})\]")
GUIDELINE_MARKER = re.compile(r"\[\d{1,3}\]")
REVIEWER_STATEMENT = "Reviewer's statement (not verified against the record):"
DRAFTING_NOTE = "Drafting note:"
"""A sentence the drafter addresses to the reviewer; it states nothing about the case."""
VOCABULARY_NOTE = "From the drug vocabulary:"
"""What a named drug is (generic, class), from the curated vocabulary with its source; not a record fact."""
DERIVED_FIGURE = "Derived figure"
"""A number computed from the record (MME/day), not quoted from it: checked by recomputing it from the record."""


def drafting_notes(rationale: str) -> list[str]:
    """The offline draft's notes to the reviewer ("Drafting note: no sentence of the case record names this item;
    check the records …"): instructions, not statements of the letter, so an export that still holds one says so
    rather than letting it slip into a signed letter, and the workspace badge is not green while one is left."""
    start = rationale.find(DRAFTING_NOTE)
    notes = []
    while start >= 0:
        end = rationale.find(". ", start)
        notes.append(rationale[start:end + 1 if end >= 0 else len(rationale)].strip())
        start = rationale.find(DRAFTING_NOTE, start + len(DRAFTING_NOTE))
    return notes


def derived_interval_sentence(first_marker: str, second_marker: str, days: int) -> str:
    """The days between two dated record quotes, written so that DERIVED_INTERVAL reads it back."""
    return f"{DERIVED_FIGURE}, from the dates of {first_marker} and {second_marker}: {interval_words(days)}."


DERIVED_INTERVAL = re.compile(r"^Derived figure, from the dates of \[R(?P<a>\d+)\] and \[R(?P<b>\d+)\]: (?P<days>\d+) days?\b")
"""The days between two dated record quotes (injury to latest visit): checked by recomputing them from the dates."""


def derived_supply_sentence(request_marker: str, frequency_marker: str, arithmetic: str) -> str:
    """The days a request's count lasts, written so that DERIVED_SUPPLY reads it back."""
    return (f"{DERIVED_FIGURE}, from the count requested {request_marker} and the frequency written "
            f"{frequency_marker}: {arithmetic}.")


DERIVED_SUPPLY = re.compile(r"^Derived figure, from the count requested \[R(?P<a>\d+)\] and the frequency written "
                            r"\[R(?P<b>\d+)\]: (?P<arithmetic>.+?)\.?$")
DERIVED_ARITHMETIC = re.compile(r"^Derived figure\b.*\)\s*:\s*(?P<arithmetic>.+?)\.?\s*$")
MIN_RECORD_QUOTE_CHARS = 8
# Share of a claim's content words that one record sentence must contain (tuned on the tune split only).
SUPPORT_COVERAGE = 0.75
# For "there is no documentation of X": share of X's content words that make a record sentence about X.
DOCUMENTED_COVERAGE = 0.7
# A claim about the same record sentence, but saying more than it: the share of its words a [R] quote must hold.
QUOTE_SUPPORT_COVERAGE = 0.6

SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”)]))\s+(?=[A-Z\"“(])")
"""A sentence ends after its full stop and the closing quotation mark or parenthesis that follows it: 'was "not
helping." The CT …' kept 'was "not helping.' and lost the quotation's end (CM17-0017104)."""
NOT_A_FACT = re.compile(
    r"\b(?:guidelines?|MTUS|ACOEM|ODG|CDC|corpus|criteria)\b|\b(?:is|are|be|not)\s+(?:recommended|endorsed)\b|"
    r"^\s*Therefore\b|\bmedically necessary\b|"
    r"^\s*This\s+(?:medical\s+necessity\s+)?(?:decision|determination)\b",  # the letter speaking of itself
    re.IGNORECASE,
)
GENERAL_NORM = re.compile(
    r"\bshould\b|\b(?:may|might) (?:not )?be (?:indicated|appropriate|warranted|considered|reasonable|"
    r"necessary|supported|extended|continued|repeated)\b|\b(?:is|are|be|not)\s+\w+ly\s+(?:recommended|endorsed)\b|"
    r"\bis widely used\b|\b(?:is|are) (?:only |not )?(?:appropriate|indicated) (?:in situations|for long[- ]term)\b|"
    r"\b(?:is|are) contingent (?:up)?on\b|\brequires? (?:the \w+'s )?documentation of\b", re.IGNORECASE)
"""What care should be, in general ('Functional improvement should be documented after six sessions.', 'With
documentation of objective functional improvement …, additional sessions may be indicated.'): a guideline's or the
reviewer's norm, not a statement about this record — unless it names this patient (THIS_PATIENT). "Would" is the
reviewer applying a norm to this request ("Therefore, the ongoing usage would not be supported."), not the norm."""
THIS_PATIENT = re.compile(r"\b(?:(?:the|this) (?:injured worker|applicant|claimant|employee)|this patient|he|she|his|her|"
                          r"him)\b", re.IGNORECASE)
THE_PATIENT = re.compile(r"\bthe patient(?:'s|’s)?\b", re.IGNORECASE)
TELLS_WHAT_HAPPENED = re.compile(
    r"\b(?:was|were|had|underwent|reported|complained|noted|revealed|received|completed|documented|indicated|"
    r"demonstrated|showed|currently|already|previously)\b", re.IGNORECASE)
THE_PATIENT_IN_THE_RECORD = re.compile(
    r"\bthe patient (?:\w+ly |also |still |now |not )?(?:was|were|is|has|had|did|does|\w+ed|\w+s)\b|"
    + TELLS_WHAT_HAPPENED.pattern, re.IGNORECASE)
"""'The patient' in a guideline's general sentence ('Preoperative testing should be guided by the patient's clinical
history', '… facilitate progression in the patient's therapeutic exercise program') is any patient; the writer's
'the patient' is this one when it is the subject of what happened or is ('The patient had …', 'the patient reports
…') or the sentence tells what happened (a past-tense record verb)."""


def speaks_of_this_patient(text: str) -> bool:
    """Whether a sentence speaks of this patient: he, she, the injured worker, or 'the patient' as the record's."""
    if THIS_PATIENT.search(text) or RECORD_DATE.search(text):
        return True
    return bool(THE_PATIENT.search(text)) and bool(THE_PATIENT_IN_THE_RECORD.search(text))


def states_general_norm(text: str) -> bool:
    """A norm of care (GENERAL_NORM) that does not speak of this patient: a guideline statement, not a record fact."""
    return bool(GENERAL_NORM.search(text)) and not speaks_of_this_patient(text)
FACT_CUE = re.compile(
    r"\b(?:records?|documentation|documented|patient(?!-)|injured worker|applicant|claimant|employee|IW|he|she|his|her|"
    r"reports?|reported|complain\w*|denie[sd]|rated|underwent|failed|tried|trial of|prescribed|taking|takes|"
    r"revealed|demonstrated|showed|shows|noted|treatment to date|medications?|work status|working|duty|disability|"
    r"utilization review|UR|authori[sz]ed|non-?certified|modified|(?:was|were|been) (?:positive|negative|ordered|requested|approved|certified)|"
    r"(?:prior|previous|past) (?:relevant )?treatments?|treatments? (?:to date|has included|included|rendered)|"
    r"(?:prior|previous|past) (?:x-?rays?|radiographs?|MRIs?|CT|imaging|EMG|NCV|NCS|electrodiagnostic|studies|surger\w+|"
    r"injections?|physical therapy|therapy|chiropractic|acupuncture)|"
    r"(?:testing|studies|imaging) (?:to date|has included|included)|"
    r"(?:was|were|been) (?:done|performed|completed|obtained|normal|abnormal|unremarkable)|"
    r"(?:was|were|has been|had been) (?:not )?(?:helping|helpful|beneficial)|helped)\b|"  # "Physical therapy was helping."
    + RECORD_DATE.pattern,
    re.IGNORECASE,
)
EXAM_FINDING = re.compile(
    r"\b(?:straight leg rais\w*|SLR|tender(?:ness)?|spasms?|range of motion|ROM|\d+ degrees|"
    r"(?:flexion|extension|abduction|adduction|rotation|motor|sensory|sensation|strength|reflex(?:es)?|pulses|gait) "
    r"(?:was|were|is|are)|(?:is|are) (?:positive|negative)|mechanism of injury|(?:pain|symptoms) (?:started|began)|"
    r"(?:injured|hurt) (?:\w+ )?(?:while|when)|(?:exam|examination) (?:noted|showed|revealed|demonstrated|was|is)|"
    r"diagnos[ie]s (?:(?:is|are|was|were|include[sd]?) (?!based|made|established|confirmed|usually|often|typically|"
    r"clinical|difficult|uncertain|not\b)|(?:is|are|were|was) documented)|"
    r"treatment plan (?:is|was|include[sd]?|consist\w*)|(?:provider|physician|doctor|surgeon) plan(?:s|ned)?)\b",
    re.IGNORECASE)
"""An examination or history finding with no subject: "Straight leg raise is positive on the right.", "Forward flexion
was with pain 120 degrees.", "The mechanism of injury was a motor vehicle accident." were passed over, so a text of
false findings beside one true sentence showed green (QA reading of CM17-0009996, -0008177). So were a diagnosis and a
treatment plan: "The diagnoses are lumbar disc herniation and radiculopathy.", "The treatment plan included pulse
ultrasound for 12 sessions." (second QA reading, CM17-0005344)."""
GENERAL_WORDING = re.compile(r"\b(?:may|can|could|should|would|might|must|philosophy|risk|beneficial|recommend\w*)\b",
                             re.IGNORECASE)
"""Guideline wording that names the same findings: "… beneficial for restoring flexibility, strength, endurance,
function, range of motion …", "… present before symptoms began"."""
LITERATURE_ABSENCE = re.compile(
    r"\bevidence\s+(?:that\b.*\b(?:effective|efficacious|superior|better|improves?|reduces?|prevents?|benefits?)\b|"
    r"(?:to|for)\s+(?:recommend|utilize|use|support\s+the\s+(?:routine\s+)?use)\b|"
    r"(?:of|for)\s+(?:\w+\s+){0,3}?(?:effective\w*|efficac\w*|superiority)\b)|"
    r"\b(?:studies|trials|literature|placebo|sham)\b",
    re.IGNORECASE)
"""An absence of evidence in the literature ("little evidence that ultrasound is more effective than placebo", "no
evidence to recommend a NSAID dosage form", "little evidence of effectiveness over placebo"), not in the record:
not a statement about the case. "No evidence of functional benefit" stays the record's."""
NO_DOCUMENTATION = re.compile(
    r"^(?:(?P<lead_x>.*?)\b)?(?:there (?:is|was|are|were) (?:also )?)?(?:no|little|insufficient|limited|not any) (?:clear |objective |"
    r"further |specific |recent |current |additional )?(?:documentation|documented evidence|evidence|record|mention|"
    r"indication|report)s? (?:in the records? )?(?:(?:of|that|to support|regarding|showing|indicating|specifying|as to)\s+)?"
    r"(?P<x>.+)$|"
    r"^(?:(?P<lead_y>.*?)\b)?(?:the )?(?:medical )?records? (?:do|does|did) not (?:show|document|indicate|mention|reflect)"
    r"(?: that| any)?\s+(?P<y>.+)$|"
    # How reviewers write it: "there was a lack of documentation regarding X", "lack of a clear rationale for X" …
    r"^(?:(?P<lead_z>.*?)\b)?(?:a |an )?lack of (?:a |any )?(?:clear |objective |sufficient |adequate |specific )?"
    r"(?:(?:documentation|documented evidence|evidence|indication|information|rationale|mention)\s+)?"
    r"(?:(?:of|regarding|indicating|specifying|showing|with|to support|that|for|as to)\s+)?(?P<z>.+)$|"
    # … "the duration of use was not noted", "X is not specified in the records provided" …
    r"^(?P<w>.+?)\s+(?:(?:is|was|were|are)\s+not|(?:has|have)\s+not\s+been)\s+(?:clearly\s+|specifically\s+|"
    r"adequately\s+|otherwise\s+)?(?:noted|documented|specified|provided|mentioned|reported|stated|described|"
    r"apparent|evident)\b.*$|"
    # … "the request as submitted failed to specify a body part" …
    r"^(?:(?P<lead_v>.*?)\b)?failed to (?:specify|document|provide|indicate|identify|include|state|mention)\s+(?P<v>.+)$|"
    # … and of the patient: "He has not tried physical therapy", "the patient did not undergo x-rays".
    r"^(?:(?P<lead_u>.*?)\b)?(?:he|she|they|the (?:patient|injured worker|claimant|applicant|employee)|IW)\s+"
    r"(?:(?:has|have|had)\s+(?:not|never)(?:\s+yet)?\s+(?:tried|had|received|undergone|completed|attempted|started|"
    r"participated in)|did not (?:try|have|receive|undergo|complete|attempt|start|participate in)|never (?:tried|had|"
    r"received|underwent|completed|attempted|started)|(?:has|have|had)\s+no)\s+(?:any\s+)?(?P<u>.+)$|"
    # … and plainly: "There are no red flags.", "No red flags were documented." (a finding, not a norm of care).
    r"^(?:(?P<lead_t>.*?)\b)?there (?:is|are|was|were) no (?:documented |objective |clinical |reported |current |"
    r"prior |signs? of |evidence of )?(?P<t>(?!(?:role|advantage|difference|consensus|substitute|cure|standard|need|"
    r"single|one|reason to)\b)\w.+)$|"
    r"^no (?P<s>.+?) (?:was|were|is|are|has been|have been) (?:documented|noted|reported|found|identified|described|"
    r"mentioned|performed|done|provided|present|seen|observed)\b.*$",
    re.IGNORECASE,
)


CLAUSE_BREAK = re.compile(r",\s+(?:due to|because|as|since|given|but|and|which|so|while|although)\b|;\s*", re.IGNORECASE)
PURPOSE_CLAUSE = re.compile(r"\s+(?:in order )?to (?:support|warrant|justify|substantiate)\b.*$", re.IGNORECASE)
"""'… to warrant continuation' says why the missing thing matters; it is not what the record lacks."""


def absent_subject(match: re.Match) -> str:
    """What an absence statement says the record lacks, whichever of its forms it takes."""
    subject = next(match.group(name) for name in "xyzwvuts" if match.group(name))
    if match.group("u") or match.group("t"):  # "had not undergone conservative care …, due to the severity …": its own clause
        subject = CLAUSE_BREAK.split(subject, maxsplit=1)[0]
    stripped = PURPOSE_CLAUSE.sub("", subject)
    # "a lack of evidence provided to support medication efficacy": the purpose is all the subject there is.
    return stripped if tokens(stripped).words else subject


LEAD_LINK = re.compile(r"(?:,|\b(?:due to|because(?: of)?|as|since|given|and|but|while|although|though|however|"
                       r"with|for|in that|noting|stating|indicating))\s*$", re.IGNORECASE)


def absent_lead(match: re.Match) -> str:
    """What an absence statement says before its absence: "The request for MRI was denied due to" (there is no
    documentation of …) — a statement about the case of its own."""
    lead = next((match.group(name) for name in ("lead_x", "lead_y", "lead_z", "lead_v", "lead_u", "lead_t")
                 if match.group(name)), "")
    while (trimmed := LEAD_LINK.sub("", lead.strip())) != lead.strip():
        lead = trimmed
    return lead.strip()


LEAD_PHRASE = re.compile(
    r"^\s*(?:in this case,?\s*)?(?:the\s+)?(?:medical\s+)?(?:records?|documentation|progress notes?|review's account)\s+"
    r"(?:(?:submitted|provided|available) (?:for (?:this )?review\s+)?)?(?:also\s+)?"  # CM17-0008479
    r"(?:show|shows|showed|document|documents|documented|indicate|indicates|indicated|reflect|reflects|note|notes|"
    r"state|states|reveal|reveals|demonstrate|demonstrates|confirm|confirms)\s+(?:that\s+)?|"
    r"^\s*(?:per|according to) the (?:medical )?records?,?\s*|"
    r"^\s*(?:per|according to) the [A-Za-z ]{1,40}?(?:\s*\([^)]{0,40}\))?[:,]\s*|"
    r"^\s*(?:the request under review is|the request reads|(?:what the record says of it is )?(?:as )?quoted above)\b\s*",  # the offline draft's own leads to a quote
    re.IGNORECASE,
)
STATUS_LABEL = re.compile(r"^\s*(?:Met|Not met|Documented|Not documented|Not applicable):\s*", re.IGNORECASE)  # a checklist row's status
FILLER = frozenset(
    """record records show shows showed document documents documented documentation indicate indicates indicated
    reflect reflects note notes noted reveal reveals demonstrate confirm patient injured worker applicant claimant
    employee also currently reported report reports states stated following subsequently previously prior submitted
    provided provider attending treating physician doctor appear appears appeared question undergoing undergo
    presented presentation described describes evaluation visit visits dated date seen given following requirement
    requirements sustained underwent regarding""".split()
)
NEGATION_BEFORE = frozenset("no not denies denied deny without never none cannot unable inability neither nor absence "
                            "lack".split())
NEGATION_AFTER = frozenset("negative absent unremarkable".split())
SCOPE_END = frozenset("but however although though which while except whereas".split())
NEGATION_WINDOW = 6
TOKEN = re.compile(r"[A-Za-z][A-Za-z']*|\d+(?:[./]\d+)*|[;:]")
FEMALE = re.compile(r"\b(?:she|her|hers|female|woman|Mrs|Ms)\b", re.IGNORECASE)
MALE = re.compile(r"\b(?:he|him|his|male|man|Mr)\b", re.IGNORECASE)


@dataclass(frozen=True)
class RecordSentence:
    text: str
    source: str
    date: str | None
    """The date the sentence writes itself (what a draft may show beside its quote)."""
    entry: str | None = None
    """The date of the visit it belongs to when it writes none (`entry_dates`; never a review's account's): a claim
    may give that date, a draft does not show it."""
    review: bool = False
    """Part of a review's account, though it may not name the review ("Furthermore, there was no objective
    examination warranting the need of an MRI and CT scan." after a denial, CM16-0238676)."""


@dataclass(frozen=True)
class Tokens:
    """A sentence's content stems and numbers, with the stems that fall inside a negation's scope."""

    words: frozenset[str]
    numbers: frozenset[str]
    negated: frozenset[str]
    affirmed: frozenset[str]


# ---------------------------------------------------------------------------------------------- the case text


def record_sources(case: CaseFile) -> list[tuple[str, str]]:
    """The parts of the case file a record quote may come from, named as a reviewer would cite them."""
    sources = [("case summary", case.summary)]
    if case.record_text.strip():
        sources.append(("case record", case.record_text))
    if case.ur_decision and not quote_occurs(case.ur_decision, case.summary + "\n" + case.record_text):
        sources.append(("UR determination", case.ur_decision))
    items = "\n".join(item.text.rstrip(".") + "." for item in case.items)
    if items:
        sources.append((REQUEST_SOURCE, items))
    return [(name, text) for name, text in sources if text and text.strip()]


def full_record_text(case: CaseFile) -> str:
    return "\n".join(text for _, text in record_sources(case))


GLUED_SENTENCE = re.compile(r"(?<=[a-z0-9]{2}[.!?])(?=[A-Z][a-z]+\s)")
"""'…2016.In a utilization review…': letters' PDF text sometimes loses the space between sentences."""


def split_record_sentences(text: str) -> list[str]:
    blocks = re.split(r"\n\s*\n|\n(?=[A-Z•\-])", text)
    return [s.strip() for block in blocks for part in SENTENCE_END.split(block) for s in GLUED_SENTENCE.split(part)
            if s.strip()]


def record_sentences(case: CaseFile) -> list[RecordSentence]:
    """Every sentence of the case text with its source, the date it gives for its entry (not a date it looks ahead
    to: "off work through 12-12-2016") and, when it gives none, its visit's (`entry_dates`). A line of a pasted case's
    "IMR ISSUES:" list is the request, not a treatment the record documents: it counts as the disputed items."""
    out, seen = [], set()
    for source, text in record_sources(case):
        sentences = split_record_sentences(text)
        reviews = review_account(sentences)
        for sentence, entry, review in zip(sentences, entry_dates(sentences, reviews), reviews):
            key = match_key(sentence)
            if key in seen:
                continue
            seen.add(key)
            named = REQUEST_SOURCE if source != REQUEST_SOURCE and _only_requests(sentence, case) else source
            # A Request for Authorization alone is the request, not a review (`reports_a_review`).
            reasons = review and (reports_a_review(sentence) or not UR_SENTENCE.search(sentence))
            out.append(RecordSentence(" ".join(sentence.split()), named, entry_date(sentence),
                                      None if review else entry, reasons))
    return out


_LIST_LEFTOVER = re.compile(r"(?i)\bIMR ISSUES\b|\b\d{1,3}\s*[.):]|[\W_]+")


def _only_requests(sentence: str, case: CaseFile) -> bool:
    """True when the sentence is nothing but disputed items, list numbers and the list's heading."""
    rest = sentence.casefold()
    for item in sorted(case.items, key=lambda i: -len(i.text)):
        rest = rest.replace(item.text.strip().rstrip(".").casefold(), " ")
    return rest != sentence.casefold() and not _LIST_LEFTOVER.sub("", rest)


# ---------------------------------------------------------------------------------------------- tokens and negation


def stem(word: str) -> str:
    """A crude stem: 'treated' and 'treatment' are one word ('previously treated with acupuncture' against 'The
    prior treatment included … acupuncture', CM17-0008479); 'document' keeps its 'ment' (a stem of five letters)."""
    word = word.lower().removesuffix("'s").strip("'")
    if (singular := singular_of_ies(word)) != word:  # "duties" is "duty" (CM16-0244053)
        return singular[:6]
    for suffix in ("ations", "ation", "ments", "ment", "ings", "ing", "edly", "ied", "ed", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= (5 if suffix.startswith("ment") else 4):
            word = word[: -len(suffix)] + ("y" if suffix == "ied" else "")
            break
    return word[:6]


def _number(digits: str) -> str:
    """Numbers compare by value, part by part: 11/18/2016 has the parts of 11-18-16, 04 is 4."""
    if len(digits) == 4 and digits.startswith(("19", "20")):
        return digits[-2:]
    return digits.lstrip("0") or "0"


MONTH_NAME_DATE = re.compile(
    r"\b(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|"
    r"nov(?:ember)?|dec(?:ember)?)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b", re.IGNORECASE)
"""'November 16, 2016' is the 11-16-2016 of the record: read as numbers, so the month name is not a missing word."""


def _numeric_dates(text: str) -> str:
    return MONTH_NAME_DATE.sub(lambda m: f"{_month_number(m.group(1))}/{m.group(2)}/{m.group(3)}", text)


SAME_THING = (
    (re.compile(r"\b(?:work[- ]related|occupational|work|industrial)\s+injur(?:y|ies)\b|\bdate of injury\b|\bDOI\b",
                re.IGNORECASE), "injury"),
    (re.compile(r"\bpost[- ]?(concuss|operat|traumat|surgic)", re.IGNORECASE), r"post\1"),
    (re.compile(r"\b([A-Z][A-Za-z']+)\s+(?:sign|maneuver|manoeuvre)\b"), r"\1 test"),  # an eponym's sign is its test
    (re.compile(r"\b(?:inability|(?:was|were|is|are)\s+unable)\s+to\b", re.IGNORECASE), "unable to"),
    (re.compile(r"\bexam\b", re.IGNORECASE), "examination"),  # "Physical exam noted …" (CM16-0236906)
)
"""Ways the record and a reviewer write the same thing: "a work related injury on 11-21-2016" is the record's "date
of injury on 11-21-2016", "post concussion" its "postconcussion", "a positive O'Brien test" its "positive O'Brien
sign" (real rationales of CM16-0249320, CM16-0236906, CM17-0014449, told "not supported"), "was unable to" its
"inability to" (CM17-0016311)."""


TEST_RESULT_NEGATIVE = re.compile(r"\bnegative\b(\s+for\b)?", re.IGNORECASE)
"""'Straight leg raise was negative' and 'a negative seated straight leg raise' say the same: a test's negative result
is a word both must carry (the deciding terms oppose it to 'positive'), not a negation of the test — read as one, the
first denied the straight leg raise the second affirmed, and the check said the record 'says the opposite'
(CM17-0003917). 'Negative for fracture' carries the result and still negates the fracture."""


def _same_words(text: str) -> str:
    for pattern, replacement in SAME_THING:
        text = pattern.sub(replacement, text)
    return TEST_RESULT_NEGATIVE.sub(lambda m: "negresult negative for" if m.group(1) else "negresult", text)


@functools.lru_cache(maxsize=8192)
def dates_in(text: str) -> frozenset[date]:
    """Every date the text writes (11-30-2016, 12/1/16, November 30, 2016), as dates: a claim's date must be one of
    its supporting sentence's, not three numbers found anywhere in it ("The date of injury was 12/1/16" was verified
    by "… on 12-05-2016 … ankle deep tendon reflex 1+ …", CM17-0003917, whose injury was on 11-30-2016)."""
    return frozenset(d for m in RECORD_DATE.finditer(_numeric_dates(normalise_characters(text)))
                     if (d := parse_date(m.group(0))) is not None)


def _month_number(name: str) -> int:
    return next(i for i, month in enumerate(MONTHS, start=1) if month.startswith(name.lower()[:3]))


@functools.lru_cache(maxsize=8192)
def tokens(text: str) -> Tokens:
    """Content stems and numbers; negated stems from medSpaCy's ConText when it is installed, else from the
    cue-and-window rules below."""
    text = _same_words(_numeric_dates(normalise_characters(text))).replace("n't", " not").replace("failed to", "did not")
    words, numbers, negated, affirmed = _scan(text)
    by_context = _context_negations(text)
    if by_context is not None:
        negated_occurrences, present_occurrences = by_context
        negated = frozenset(negated_occurrences & words)
        affirmed = frozenset((present_occurrences & words) | (words - negated))
    return Tokens(frozenset(words), frozenset(numbers), frozenset(negated), frozenset(affirmed))


YEAR_OR_MONTH = re.compile(r"\b(?:\d{1,2}/)?(?:19|20)\d\d\b")


@functools.lru_cache(maxsize=8192)
def _undated(text: str) -> str:
    return YEAR_OR_MONTH.sub(" ", RECORD_DATE.sub(" ", _numeric_dates(normalise_characters(text))))


@functools.lru_cache(maxsize=8192)
def counted_numbers(text: str) -> frozenset[str]:
    """The numbers a text states outside its dates, months and years: a count, a dose, a score. "Utilization Review
    authorized 8 sessions" was verified by "… on December 08, 2016 … accommodating … 10 sessions physical therapy …",
    and "12 sessions of physical therapy" by a sentence of the 12-19-16 visit (CM17-0013754, CM17-0017104)."""
    return tokens(_undated(text)).numbers


def _other_figures(claim: str, text: str) -> frozenset[str]:
    """The claim's figures with a unit ("5 sessions", "100 mg") where the sentence gives that unit only with other
    figures: "5 sessions of physical therapy" is not "… 10 sessions physical therapy with 2 remaining sessions"."""
    given = figures(_undated(text))
    out = set()
    for said in figures(_undated(claim)):
        same_unit = {f.value for f in given if f.unit == said.unit}
        if said.unit is not None and same_unit and said.value not in same_unit:
            out.add(_number(f"{said.value:g}"))
    return frozenset(out)


def _context_negations(text: str) -> tuple[set[str], set[str]] | None:
    """(stems with a negated occurrence, stems with an asserted one) by ConText; None without medSpaCy."""
    from assistant.vocabulary.negation import assertions_if_available

    targets = sorted({w for w in re.findall(r"[A-Za-z][A-Za-z']{2,}", text) if w.lower() not in STOPWORDS})
    if not targets:
        return set(), set()
    found = assertions_if_available(text, targets)
    if found is None:
        return None
    negated = {stem(a.surface.lower()) for a in found if a.status == "negated"}
    present = {stem(a.surface.lower()) for a in found if a.status != "negated"}
    return negated, present


def _scan(text: str) -> tuple[set[str], set[str], set[str], set[str]]:
    """Words, numbers, and the words inside a negation cue's scope (the fallback negation rules)."""
    words, numbers, negated, affirmed = set(), set(), set(), set()
    scope = 0
    recent: list[str] = []
    for token in TOKEN.findall(text):
        lower = token.lower().removesuffix("'s")  # "the injured worker's working diagnoses" are the worker's
        if token in ";:" or lower in SCOPE_END:
            scope, recent = 0, []
            continue
        if lower in NEGATION_BEFORE:
            scope = NEGATION_WINDOW
            continue
        if lower in NEGATION_AFTER:
            negated.update(recent[-NEGATION_WINDOW:])
            affirmed.difference_update(recent[-NEGATION_WINDOW:])
            continue
        if token[0].isdigit():
            numbers.update(_number(part) for part in re.findall(r"\d+", token))
            continue
        if lower in NUMBER_WORDS:  # 'six sessions' in the record is the claim's '6 sessions'
            numbers.add(str(NUMBER_WORDS[lower]))
            scope = max(scope - 1, 0)
            continue
        if lower in STOPWORDS or lower in FILLER or len(lower) < 3:
            scope = max(scope - 1, 0)
            continue
        word = stem(lower)
        words.add(word)
        (negated if scope else affirmed).add(word)
        recent.append(word)
        scope = max(scope - 1, 0)
    return words, numbers, negated, affirmed


def _conflict(claim: Tokens, record: Tokens, shared: set[str]) -> str | None:
    """A shared word that the claim affirms and the record only negates, or the reverse."""
    for word in sorted(shared):
        if word in claim.negated and word not in claim.affirmed and word in record.affirmed and word not in record.negated:
            return word
        if word in claim.affirmed and word not in claim.negated and word in record.negated and word not in record.affirmed:
            return word
    return None


# ---------------------------------------------------------------------------------------------- support


@dataclass(frozen=True)
class Support:
    """How the record bears on a claim: the best matching sentence, its coverage, missing words, a conflict."""

    sentence: RecordSentence | None
    coverage: float
    missing: tuple[str, ...]
    conflict: str | None
    unsaid: tuple[str, ...] = ()
    """The claim's deciding terms (side, region, test, drug) that the best sentence does not carry."""
    opposite: tuple[str, str] | None = None
    """(the claim's term, the record's): the best sentence says "right" where the claim says "left"."""


DONE_WORDS = ("done", "performed", "obtained", "conducted", "completed", "underwent", "undergone")
"""'Prior x-rays were done', 'An MRI was performed': said of a test, the record shows it in other words — testing to
date 'has included x-rays', 'An MRI … dated 03-04-2016 showed …' — so these words are not looked for in a record
sentence that names the test and is neither a plan nor a review's account (CM16-0240518)."""


DONE_STEMS = frozenset(stem(w) for w in DONE_WORDS)


def _status_words_excused(wanted: Tokens, deciding: DecidingTerms) -> frozenset[str]:
    """The claim's DONE_WORDS stems when it states a test (MRI, x-ray, EMG …) as done and says more than that."""
    if not any(group == "test" for group, _ in deciding.required):
        return frozenset()
    excused = wanted.words & DONE_STEMS
    return excused if wanted.words - excused else frozenset()


TEST_DONE_CUE = re.compile(r"\b(?:to date|(?:has|have|had) (?:included|had)|showed|shows|revealed|reveals|demonstrated|"
                           r"demonstrates|indicated|dated|prior|previous|status post|s/p|results?|findings?|impression|"
                           r"positive|negative|unremarkable|abnormal|normal)\b", re.IGNORECASE)
"""How a record says a test took place without 'done': among testing to date, with its date or its result."""


def _states_test_done(sentence: RecordSentence) -> bool:
    """Neither the request nor a plan or a review's account, and a sign the test took place."""
    return (sentence.source != REQUEST_SOURCE and not mentions_without_documenting(sentence.text)
            and bool(TEST_DONE_CUE.search(sentence.text) or RECORD_DATE.search(sentence.text)))


def best_support(claim: str, sentences: list[RecordSentence]) -> Support:
    """The record sentence (or two adjacent ones) holding most of the claim's words and numbers. A sentence that
    lacks one of the claim's deciding terms (`vocabulary.deciding_terms`) cannot reach SUPPORT_COVERAGE."""
    wanted = tokens(claim)
    if not wanted.words and not wanted.numbers:
        return Support(None, 1.0, (), None)
    deciding = deciding_terms(claim)
    term_words = frozenset(tokens(" ".join([*deciding.spelled.values(), *(d[0] for d in deciding.drugs)])).words)
    best: tuple[tuple[float, float], RecordSentence | None, Tokens | None, tuple[str, ...], tuple[str, str] | None,
                frozenset[str]] = ((-1.0, -1.0), None, None, (), None, wanted.words)
    windows: list[tuple[RecordSentence, tuple[str, str] | None]] = [
        *((s, None) for s in sentences),
        *((_joined(a, b), (a.text, b.text)) for a, b in zip(sentences, sentences[1:])
          if a.source == b.source and not _dated_apart(a, b))]
    excused = _status_words_excused(wanted, deciding)
    claim_dates, claim_counts = dates_in(claim), counted_numbers(claim)
    other_day: tuple[float, RecordSentence | None] = (0.0, None)  # the best sentence whose only lack is the claim's date
    for sentence, parts in windows:
        found = tokens(sentence.text)
        counted = wanted.words - excused if excused and _states_test_done(sentence) else wanted.words
        words = len(counted & found.words)
        entry, entry_numbers = _entry_of(sentence)
        numbers_missing = (len(_numbers_missing(claim, wanted, sentence.text, found, entry_numbers))
                           + bool(claim_dates - dates_in(sentence.text) - entry))
        coverage = (words + len(wanted.numbers) - numbers_missing) / (len(counted) + len(wanted.numbers))
        if numbers_missing:
            coverage = min(coverage, SUPPORT_COVERAGE - 0.01)
        unsaid, opposite = (), None
        # A sentence that holds all the rest of the claim is read for its terms even when the claim's own deciding
        # word is most of what it lacks: "were approved" against "were denied" in an otherwise identical sentence.
        rest_missing = len(counted - found.words - term_words) + numbers_missing
        raw = coverage
        if deciding and (coverage >= SUPPORT_COVERAGE or words and not rest_missing):
            part = _part_holding(parts, counted)
            unsaid = tuple(missing_terms(deciding, sentence.text))
            opposite = opposing_term(deciding, part) if part else None
            opposite = opposite or opposing_term(deciding, sentence.text)
            if unsaid or opposite:
                coverage = SUPPORT_COVERAGE - 0.01
        if (coverage, raw) > best[0]:
            best = ((coverage, raw), sentence, found, unsaid, opposite, counted)
        if counted and claim_dates - dates_in(sentence.text) - entry and not claim_counts - counted_numbers(sentence.text):
            other_day = max(other_day, (_word_share(counted, found), sentence), key=lambda pair: pair[0])
    if other_day[1] is not None and best[1] is not None and other_day[0] >= SUPPORT_COVERAGE and (
            other_day[0] > _word_share(best[5], best[2])):
        # Another sentence says it in more of the claim's words on another day: the date is what is wrong (and that
        # sentence is the one to show), however well a sentence of that day matches the rest ("On 11-4-16, she
        # complained of ongoing pain in the low back." was verified by the injury sentence of 11-4-2016, "… low back
        # pain"; the complaint is the 12-19-16 visit's, CM17-0017104).
        best = ((SUPPORT_COVERAGE - 0.01, best[0][1]), other_day[1], tokens(other_day[1].text), (), None, best[5])
    (coverage, _), sentence, found, unsaid, opposite, counted = best
    entry, entry_numbers = _entry_of(sentence) if sentence is not None else (frozenset(), frozenset())
    missing = tuple(sorted((counted - found.words) | _numbers_missing(claim, wanted, sentence.text, found,
                                                                      entry_numbers))) if found else ()
    unmatched = claim_dates - dates_in(sentence.text) - entry if sentence is not None else frozenset()
    if unmatched:  # the date's parts may all be there, apart
        missing = tuple(sorted(set(missing) | {_number(str(part)) for d in unmatched
                                                for part in (d.month, d.day, d.year % 100)}))
    conflict = _conflict(wanted, found, set(wanted.words & found.words)) if found else None
    return Support(sentence, max(coverage, 0.0), missing, conflict, unsaid, opposite)


def _word_share(counted: frozenset[str], found: Tokens) -> float:
    """The share of the claim's words a sentence holds."""
    return len(counted & found.words) / max(len(counted), 1)


def _numbers_missing(claim: str, wanted: Tokens, text: str, found: Tokens, entry_numbers: frozenset[str]) -> frozenset[str]:
    """The claim's numbers the sentence does not give: a count must be one the sentence states, not a part of its
    dates; the parts of the claim's dates may come from the date of the visit the sentence belongs to."""
    claim_counts = counted_numbers(claim)
    return ((claim_counts - counted_numbers(text)) | (wanted.numbers - claim_counts - found.numbers - entry_numbers)
            | (_other_figures(claim, _sentence_holding(text, wanted.words)) if claim_counts else frozenset())
            | frozenset(levels_not_named(claim, text)))


def _sentence_holding(text: str, words: frozenset[str]) -> str:
    """Of a window of record sentences, the one holding most of the claim's words: its figures are the claim's to
    match. "Treatment has included at least 6 sessions of physical therapy." is not "… at least 3 sessions …" because
    the next sentence, a review's, names "six physical therapy sessions" (CM17-0019120)."""
    parts = SENTENCE_END.split(text)
    return text if len(parts) == 1 else max(parts, key=lambda part: len(words & tokens(part).words))


def _dated_apart(first: RecordSentence, second: RecordSentence) -> bool:
    """Whether the first sentence's date is an earlier event it reports, not the date of the second's visit: joined,
    '… reported seeing his personal physician on 12-05-2016 …' + 'Physical exam noted … reflex 1+ …' verified an
    exam "on 12/05/2016" that took place on 12-09-2016 (CM17-0003917)."""
    own = dates_in(first.text)
    return bool(own and second.entry and not dates_in(second.text) and not own & dates_in(second.entry))


def _entry_of(sentence: RecordSentence) -> tuple[frozenset[date], frozenset[str]]:
    """The date of the entry a sentence that writes no date of its own belongs to, as a date and as numbers: "On
    12/09/2016 the injured worker had a right ankle reflex of 1+" is what the 12-09-2016 visit's "Physical exam noted
    … right ankle deep tendon reflex 1+ …" says (CM17-0003917; it was 'not in the record')."""
    if not sentence.entry or dates_in(sentence.text):
        return frozenset(), frozenset()
    return dates_in(sentence.entry), tokens(sentence.entry).numbers


def _part_holding(pair: tuple[str, str] | None, words: frozenset[str]) -> str | None:
    """Of two joined sentences, the one holding more of the claim's words: the opposite term it says counts, though
    the other says the claim's ("The Jobe's sign was positive … The Yergason's test was negative" does not make
    Yergason's positive). Terms the claim needs may come from either."""
    if pair is None:
        return None
    return max(pair, key=lambda text: len(words & tokens(text).words))


def _joined(first: RecordSentence, second: RecordSentence) -> RecordSentence:
    """Two adjacent record sentences, for a claim that joins what the record says in two."""
    return RecordSentence(f"{first.text} {second.text}", first.source, first.date or second.date,
                          first.entry or second.entry)


def claim_of_sentence(sentence: str) -> str:
    """What a sentence says about the case beyond its markers, its quotes and a lead such as 'the records show'."""
    claim = RECORD_MARKER.sub(" ", GUIDELINE_MARKER.sub(" ", sentence))
    claim = re.sub(r"[\"“][^\"”]{3,}[\"”]", " ", claim)
    return LEAD_PHRASE.sub("", STATUS_LABEL.sub("", claim)).strip()


def asserts_record_fact(sentence: str) -> bool:
    """A question asserts nothing; a labelled note, a derived figure or a guideline statement is not a record fact."""
    if sentence.rstrip().endswith("?"):
        return False
    if sentence.startswith((REVIEWER_STATEMENT, DRAFTING_NOTE, VOCABULARY_NOTE, DERIVED_FIGURE)) or NOT_A_FACT.search(sentence):
        return False
    if states_general_norm(sentence):
        return False
    claim = claim_of_sentence(sentence)
    said = tokens(claim)
    absent = NO_DOCUMENTATION.match(claim)
    # "There is no evidence that the CURES was checked" says what the record lacks without a word of FACT_CUE; it
    # is checked like "there is no documentation of …". An absence of evidence in the literature is not.
    if absent and said.words and not LITERATURE_ABSENCE.search(claim):
        return True
    if (GENERAL_CLAIM.search(sentence) and not speaks_of_this_patient(sentence) and not THIS_CASE.search(sentence)
            and not TELLS_WHAT_HAPPENED.search(sentence)):
        return False  # "the most reliable medical evidence indicates that having the patient return to work …"
    # One content word or one number is enough: "The patient has diabetes." and a date beside a record quote
    # are statements about the case; only the draft's own labels and leads say nothing.
    cued = FACT_CUE.search(sentence) or EXAM_FINDING.search(sentence) and not GENERAL_WORDING.search(sentence)
    if not cued or not absent and not (said.words or said.numbers):
        return False
    return True


GENERAL_CLAIM = re.compile(
    r"\b(?:evidence(?!-based)|effective(?:ness)?|efficac(?:y|ious)|placebo|sham|randomi[sz]ed|meta-analys[ie]s|"
    r"systematic reviews?|(?:studies|trials|literature) (?:show|shows|showed|have shown|found|suggest\w*|indicate\w*)|"
    r"widely used|(?:is|are) (?:very |particularly |especially )?important (?:in|for)|"
    r"(?:intended )?goal(?: or effect| expectation)? of (?:treatment|\w+ (?:therapy|medicine|treatment))|"
    r"(?:increases?|increased|doubles?|doubled|reduces?|reduced|decreases?|lowers?|raises?) (?:the )?"
    r"(?:risks?|rates?|odds|likelihood|incidence|mortality))\b", re.IGNORECASE)
"""What a treatment does or what the evidence shows ('Ultrasound has little evidence of effectiveness over placebo.',
'Patient-specific hand therapy is very important in reducing swelling … in CRPS.'): a claim that needs a page."""


THIS_CASE = re.compile(r"\bthis (?:worker|case|request|individual|person)\b", re.IGNORECASE)


def states_general_claim(sentence: str) -> bool:
    """A clinical claim in general, asserted as fact, that no check read: not about this patient, not a statement of
    the record, not a question. It was passed over, so a text of such claims beside one verified quote showed green."""
    return (bool(GENERAL_CLAIM.search(sentence)) and not speaks_of_this_patient(sentence)
            and not THIS_CASE.search(sentence) and not sentence.rstrip().endswith("?")
            and not asserts_record_fact(sentence))


def sex_of_record(sentences: list[RecordSentence]) -> str | None:
    text = " ".join(s.text for s in sentences)
    female, male = len(FEMALE.findall(text)), len(MALE.findall(text))
    if female and not male:
        return "female"
    if male and not female:
        return "male"
    return None


def _fact_check(sentence: str, status: str, message: str, quote: RecordSentence | None = None,
                absence: bool = False) -> CitationCheck:
    cited = RecordCitation(quote=quote.text, source=quote.source, date=quote.date) if quote else None
    return CitationCheck(status=status, sentence=sentence, message=message, record_citation=cited, absence=absence)


QUOTATION = re.compile(r"[\"“]([^\"”]{10,})[\"”]")


def _quotation_not_in_record(sentence: str, sentences: list[RecordSentence]) -> CitationCheck | None:
    """Words a statement puts in quotation marks are the record's words, or it misquotes: 'worsened with "new numbness
    to below left knee."' (the record: right knee) was verified, its quotation being left out of the claim."""
    quotations = QUOTATION.findall(sentence)
    if not quotations or NOT_A_FACT.search(sentence):  # none, or a guideline's words quoted beside the case
        return None
    record_text = " ".join(s.text for s in sentences)  # joined only for a sentence that quotes
    for quoted in quotations:
        if not quote_occurs(quoted, record_text):
            return _fact_check(sentence, "record_quote_not_found", f"“{quoted[:100]}” is not in the case record; "
                               "restore the record's wording or remove the quotation marks.")
    return None


AGE_CLAIM = re.compile(
    r"(?:the\s+)?(?:patient|injured worker|claimant|applicant|employee|worker|he|she)\s+(?:is|was)\s+"
    r"(?P<op>over|older than|above|more than|greater than|at least|under|younger than|below|less than)\s+"
    r"(?:(?:the\s+)?age\s+of\s+)?(?P<years>\d{1,3})(?:\s*(?:years?|yrs?)(?:\s+(?:of age|old))?)?", re.IGNORECASE)
"""'The patient is over 50 years of age.', 'The documentation indicated the patient is over the age of 50.'
(CM17-0007142's own rationale): a comparison the record's stated age settles, not words to find in it."""
RECORD_AGE = re.compile(r"\b(\d{1,3})[- ]years?[- ]old\b", re.IGNORECASE)
_AGE_ABOVE = {"over", "older than", "above", "more than", "greater than"}


def _age_holds(age: int, op: str, years: int) -> bool:
    op = op.lower()
    if op in _AGE_ABOVE:
        return age > years
    return age >= years if op == "at least" else age < years


def check_age_claim(sentence: str, compared: re.Match[str], sentences: list[RecordSentence]) -> CitationCheck:
    """A stated age comparison holds when every age the record states satisfies it ('58-year-old' is over 50):
    recomputed here, like an interval or an MME/day; an age the record gives that does not satisfy it contradicts."""
    op, years = compared.group("op"), int(compared.group("years"))
    stated = [(int(m.group(1)), s) for s in sentences for m in RECORD_AGE.finditer(s.text)]
    if not stated:
        return _fact_check(sentence, "record_fact_not_supported",
                           "The record states no age (“… year old”); quote the record's age or remove the statement.")
    failing = [(age, s) for age, s in stated if not _age_holds(age, op, years)]
    if not failing:
        age, source = stated[0]
        return _fact_check(sentence, "verified", f"Recomputed from the record: “{source.text}” gives {age}, "
                                                 f"{op} {years}.", source)
    age, source = failing[0]
    return _fact_check(sentence, "record_contradicts",
                       f"The record gives the age as {age}, not {op} {years}: “{source.text.rstrip('.')}”. Correct the statement.")


TOOK_PLACE = re.compile(
    r"\b(?:underwent|undergone|received|completed|attended|had\s+(?:an?|the|\d+|several|prior|previous)|"
    r"(?:was|were)\s+(?:performed|done|obtained|administered|given)|has\s+(?:had|undergone|received|completed|tried|"
    r"failed))\b", re.IGNORECASE)
"""A claim that something took place ('The injured worker underwent an MRI of the left knee on 11-30-2016.'): a plan
or a request for it ('The treatment plan was for magnetic resonance imaging of the left knee.', that visit's) does
not show it."""


def check_fact_sentence(sentence: str, sentences: list[RecordSentence], sex: str | None) -> CitationCheck:
    """Is this sentence's statement about the case what the record says? 'verified' carries the record sentence."""
    claim = claim_of_sentence(sentence)
    if sex == "male" and FEMALE.search(claim) or sex == "female" and MALE.search(claim):
        return _fact_check(sentence, "record_contradicts",
                           f"The record describes a {sex} patient; this sentence refers to someone else. "
                           "Check that it belongs to this case.")
    misquoted = _quotation_not_in_record(sentence, sentences)
    if misquoted:
        return misquoted
    if (compared := AGE_CLAIM.fullmatch(claim.rstrip(". "))) is not None:
        return check_age_claim(sentence, compared, sentences)
    absent = NO_DOCUMENTATION.match(claim)
    if absent:
        lead = absent_lead(absent)
        support = best_support(lead, sentences) if deciding_terms(lead) else None
        if support and support.opposite and support.sentence is not None:
            return _opposite_term_check(sentence, support)
        return _dated_lead_check(sentence, lead, sentences, sex) or _check_absence(sentence, absent_subject(absent),
                                                                                   sentences)
    support = best_support(claim, sentences)
    if support.opposite and support.sentence is not None:
        return _opposite_term_check(sentence, support)
    if support.sentence is not None and mentions_without_documenting(support.sentence.text) and (
            support.conflict or TOOK_PLACE.search(claim) and not mentions_without_documenting(claim)):
        # A review's account of a request ("non-certified due to a lack of documentation … physical therapy
        # program") neither documents nor denies what took place: no support, but no contradiction either.
        return _fact_check(sentence, "record_fact_not_supported",
                           f"Only a plan, a request or a review's account of one speaks to this: “{support.sentence.text}”. "
                           "It does not show what took place; quote the record where it does, or remove the statement.")
    if support.unsaid and support.sentence is not None:
        return _fact_check(sentence, "record_fact_not_supported",
                           f"The record does not show this: the record sentence closest to it, “{support.sentence.text}”, "
                           f"does not say {', '.join(f'“{w}”' for w in support.unsaid)}. Quote the record where it "
                           "does, or correct the statement.")
    if support.coverage < SUPPORT_COVERAGE or support.sentence is None:
        closest = (f" The closest record sentence is “{support.sentence.text}”."
                   if support.sentence and support.coverage >= 0.5 else "")
        return _fact_check(sentence, "record_fact_not_supported",
                           f"The record does not show this: no sentence of the case record contains "
                           f"{_words(support.missing, claim)} together with the rest of it.{closest} "
                           "Quote the record or remove the statement.")
    if support.conflict:
        return _fact_check(sentence, "record_contradicts",
                           f"The record says the opposite about {_words((support.conflict,), claim)}: “{support.sentence.text}”.",
                           support.sentence)
    restated = _restatement_check(sentence, claim, support.sentence)
    if restated is not None:
        return restated
    account = " (a prior review's account, not the treating record)" if reports_a_review(support.sentence.text) else ""
    return _fact_check(sentence, "verified", f"The record says{account}: “{support.sentence.text}”.", support.sentence)


def _restatement_check(sentence: str, claim: str, quote: RecordSentence) -> CitationCheck | None:
    """A claim that restates its record sentence but reverses the work status, gives the finding another side, or
    changes one word of it; None when it says what the sentence says. The side before the word: "Sensation was
    decreased in the right L5-S1 distribution." is wrong about the side, not about "distribution" (CM17-0016311)."""
    if (status := reversed_work_status(claim, quote.text)) is not None:
        words = {"off": "off work", "working": "working"}
        return _fact_check(sentence, "record_contradicts", f"The record says the patient is {words[status[1]]}, where "
                           f"this sentence says {words[status[0]]}: “{quote.text}”.", quote)
    if (sides := side_of_the_finding(_same_words(claim), _same_words(quote.text))) is not None:
        return _fact_check(sentence, "record_contradicts", f"The record gives this finding on the {sides[1]} side, not "
                           f"the {sides[0]}: “{quote.text}”. Correct the side to what the record says.", quote)
    if (swapped := substituted_word(_same_words(claim), _same_words(quote.text))) is not None:
        return _fact_check(sentence, "record_fact_not_supported",
                           f"The record sentence that says the rest of this says “{swapped[1]}” where this sentence says "
                           f"“{swapped[0]}”: “{quote.text}”. Correct the sentence to what the record says, or quote the "
                           "record where it says this.")
    return None


def _dated_lead_check(sentence: str, lead: str, sentences: list[RecordSentence], sex: str | None) -> CitationCheck | None:
    """What an absence statement says before its absence, when it gives a date or a count, is checked as a statement
    of its own: "This case was previously noncertified on 12/09/2016, due to a lack of documentation of meniscal
    pathology" was verified as an absence while the record's non-certification is dated 12/07/2016 (CM17-0002892).
    None when the lead holds or gives no date or count."""
    if not (dates_in(lead) or counted_numbers(lead)):
        return None
    if "MME" in lead:  # the checklist's own arithmetic ("hydrocodone 5 mg × 4–12/day × 1.0 = 20–60 MME/day: …")
        flat, regimens = " ".join(lead.split()), [s.text for s in sentences]
        if any(result.arithmetic() in flat for _regimen, result in _computed_regimens(regimens)):
            return None
        checked = check_derived_figure(lead, regimens)
    else:
        checked = check_fact_sentence(lead.rstrip(" ,;:") + ".", sentences, sex)
    if checked.status == "verified":
        return None
    return checked.model_copy(update={"sentence": sentence, "message": (
        f"Before what it says is missing, this sentence states “{lead.rstrip(' ,;:')}”. {checked.message}")})


def _opposite_term_check(sentence: str, support: Support) -> CitationCheck:
    said, record_says = support.opposite or ("", "")
    return _fact_check(sentence, "record_contradicts",
                       f"The record says “{record_says}” where this sentence says “{said}”: “{support.sentence.text}”. "
                       "Correct the sentence to what the record says, or quote the record where it says this.",
                       support.sentence)


NEURO_DEFICIT_SUBJECT = re.compile(r"\b(?:neurolog\w*|focal|motor|sensory)\s+(?:(?:or|and)\s+\w+\s+)?"
                                   r"(?:deficits?|findings?|abnormalit\w+)\b", re.IGNORECASE)
QUALIFIED_DEFICIT = re.compile(r"\b(?:progressive|progressing|serious|severe|significant|new)\b", re.IGNORECASE)
"""'There is no documentation of neurologic deficits' is contradicted by 'right ankle deep tendon reflex 1+', whose
words share none of it (a reviewer's check of CM17-0003917 verified it); '… of a progressive or otherwise serious
neurologic deficit' asks more than a diminished reflex shows."""


MEASURED = re.compile(r"\b(?:physical\s+)?(?:exam(?:ination)?s?|testing|tests?|status|evaluations?|assessments?|"
                      r"measurements?)\b", re.IGNORECASE)
"""An absence of a measurement rather than of a finding: what is missing is that it was measured."""
NOT_DONE = re.compile(r"\b(?:not|never)\s+(?:been\s+)?(?:tested|examined|performed|done|assessed|evaluated|measured|"
                      r"checked|obtained)\b|\bunable to (?:test|assess|examine|evaluate)\b|"
                      r"\bno (?:\w+ )?(?:exam(?:ination)?|testing|tests?|evaluation|assessment)\b|"
                      r"\bno\b(?:\s+[\w/-]+){1,4}\s+(?:was|were|has been|have been|had been)\s+(?:done|performed|"
                      r"obtained|completed|conducted)\b", re.IGNORECASE)


def _check_absence(sentence: str, subject: str, sentences: list[RecordSentence]) -> CitationCheck:
    """'There is no documentation of X' holds unless a record sentence documents X (not negated). The request, a
    plan or a review's decision on it names X without documenting it (`vocabulary.record_cues`)."""
    wanted = tokens(subject)
    if not wanted.words and not wanted.numbers:
        # "Here, it was not clearly stated … why the testing was ordered" (CM17-0011543): an absence of "Here, it"
        # holds for every record, so it was shown verified; what the sentence says is missing is not named.
        return CitationCheck(status="reviewer_statement_unverified", sentence=sentence, message=(
            f"This sentence does not name what the record lacks (it reads as “{subject.strip(' .')}”), so it cannot be "
            "checked. Name it (“there is no documentation of …”) or confirm it against the medical records before "
            "signing."))
    # "Work status", "grip strength testing", "a physical examination of the abdomen": what was measured, whatever
    # it showed — "is not working", "grip strength was 0kg", "no tenderness or guarding in the abdomen" document them
    # (QA reading of CM17-0007886, -0009996, -0014944) unless the record says the test itself was not done.
    measured = tokens(MEASURED.sub(" ", subject)).words if MEASURED.search(subject) else frozenset()
    deciding = deciding_terms(subject)
    site_words = tokens(" ".join([*(deciding.spelled[t] for t in deciding.sites), "spine"] if deciding.sites else [])).words
    asks_for_neuro_deficit = bool(NEURO_DEFICIT_SUBJECT.search(subject)) and not QUALIFIED_DEFICIT.search(subject)
    for candidate in sentences:
        if candidate.source == REQUEST_SOURCE:
            continue
        if mentions_without_documenting(candidate.text):  # a plan documents the reason it gives; a review, nothing
            reason = "" if reports_a_review(candidate.text) else stated_reason(candidate.text)
            if not reason:
                continue
            candidate = RecordSentence(reason, candidate.source, candidate.date)
        # A right knee MRI does not document a left knee MRI; "six chiropractic visits", naming no body part, may
        # document prior chiropractic of the lumbar spine.
        sited = bool(deciding_terms(candidate.text, with_drugs=False).sites)
        terms = deciding if sited else deciding.without_sites()
        if terms and (missing_terms(terms, candidate.text) or opposing_term(terms, candidate.text)):
            continue
        if asks_for_neuro_deficit and documents_neuro_deficit(candidate.text):
            return _fact_check(sentence, "record_documents_it",
                               f"The record documents a finding that reads as a neurologic deficit: “{candidate.text}” "
                               f"({candidate.source}{', ' + candidate.date if candidate.date else ''}). Check it; correct "
                               "or remove the sentence.",
                               candidate, absence=True)
        found = tokens(with_vocabulary_terms(candidate.text))  # the record's "UDS" documents "urine drug testing"
        asked = measured or wanted.words
        words = asked if sited else asked - site_words
        shared = words & found.words
        if not words or len(shared) / len(words) < DOCUMENTED_COVERAGE or wanted.numbers - found.numbers:
            continue
        if measured and NOT_DONE.search(candidate.text):
            continue
        if measured or _conflict(wanted, found, set(shared)) is None:
            return _fact_check(sentence, "record_documents_it",
                               f"The record does document this: “{candidate.text}” ({candidate.source}"
                               f"{', ' + candidate.date if candidate.date else ''}). Correct or remove the sentence.",
                               candidate, absence=True)
    return _fact_check(sentence, "verified", f"No sentence of the case record documents “{subject.strip(' .')}”.",
                       absence=True)


def _words(missing: tuple[str, ...], claim: str = "") -> str:
    """The claim's own words for the missing stems, so the reviewer sees “NSAIDs”, not a stem."""
    surface = []
    for word in re.findall(r"[A-Za-z][A-Za-z'-]*|\d+(?:[./-]\d+)*", claim):
        key = (_number(word) if word[0].isdigit() else str(NUMBER_WORDS[word.lower()]) if word.lower() in NUMBER_WORDS
               else stem(word.lower()))
        if (key in missing or any(_number(p) in missing for p in re.findall(r"\d+", word))) and word not in surface:
            surface.append(word)
    return ", ".join(f"“{w}”" for w in (surface or list(missing))[:4]) or "its words"


# ---------------------------------------------------------------------------------------------- record citations


def check_record_citation(citation: RecordCitation, record_text: str, marker: str | None = None) -> CitationCheck:
    def result(status: str, message: str) -> CitationCheck:
        return CitationCheck(marker=marker, record_citation=citation, status=status, message=message)

    if len(match_key(citation.quote)) < MIN_RECORD_QUOTE_CHARS:
        return result("record_quote_not_found", f"{marker or 'The record quote'} is too short to verify; quote a full phrase.")
    if not quote_occurs(citation.quote, record_text):
        return result("record_quote_not_found",
                      f"{marker or 'The record quote'} “{citation.quote[:120]}” does not occur in the case record "
                      "(checked the summary, the UR text and the items; paraphrase is not accepted).")
    if citation.date and match_key(citation.date) not in match_key(record_text):
        return result("record_quote_not_found", f"{marker or 'The record quote'} gives the date {citation.date}, "
                                                "which the case record does not contain.")
    return result("verified", f"Quote found in the {citation.source}.")


def verify_record_side(rationale: ItemRationale, case: CaseFile, sentences: list[str]) -> list[CitationCheck]:
    """Record quotes, [R] markers and the sentences of a draft that state facts about the case. A rationale with
    no record quote at all is a person's own text: its fact sentences are checked against the case directly."""
    if not rationale.record_citations:
        return check_record_facts(rationale.rationale, case, sentences)
    record_text = full_record_text(case)
    corpus = record_sentences(case)
    checks = [check_record_citation(c, record_text, f"[R{n}]") for n, c in enumerate(rationale.record_citations, 1)]
    sex = sex_of_record(corpus)
    guideline_quotes = [c.quote for c in rationale.citations]
    regimens = [c.quote for c in rationale.record_citations] + [s.text for s in corpus]
    for sentence in sentences:
        if sentence.startswith(DERIVED_FIGURE):
            checks.append(_derived_check(sentence, rationale.record_citations, regimens))
            continue
        if (injury := check_injury_date_claim(sentence, case, corpus)) is not None:
            checks.append(injury)
            continue
        rest, elapsed = check_elapsed_since_injury(sentence, case, corpus)
        if elapsed is not None and elapsed.status != "verified":
            checks.append(elapsed)
            continue
        found = _sentence_record_checks(rest, rationale.record_citations, corpus, sex, record_text, guideline_quotes)
        # A reviewer's interval from the injury is recomputed, then the rest is held to its quotes without it.
        checks += [c.model_copy(update={"sentence": sentence}) for c in found] or ([elapsed] if elapsed else [])
    return checks


def _derived_check(sentence: str, cited: list[RecordCitation], regimens: list[str]) -> CitationCheck:
    flat = " ".join(sentence.split())
    if interval := DERIVED_INTERVAL.match(flat):
        return check_derived_interval(sentence, interval, cited)
    if supply := DERIVED_SUPPLY.match(flat):
        return check_derived_supply(sentence, supply, cited)
    return check_derived_figure(sentence, regimens)


def check_derived_supply(sentence: str, supply: re.Match[str], cited: list[RecordCitation]) -> CitationCheck:
    """'Derived figure, from the count requested [R1] and the frequency written [R2]: 60 ÷ 4–6 a day = 10–15 days'
    holds when those two quotes (each checked against the record) give exactly that arithmetic: recomputed here."""
    from assistant.criteria.mme import supply_arithmetic

    numbers = (int(supply.group("a")), int(supply.group("b")))
    if not all(1 <= n <= len(cited) for n in numbers):
        return _fact_check(sentence, "record_fact_not_supported", "This figure names a record quote the draft does not have.")
    request, written = (cited[n - 1].quote for n in numbers)
    recomputed = supply_arithmetic(request, None if numbers[0] == numbers[1] else written)
    shown = supply.group("arithmetic").strip()
    if recomputed != shown:
        found = f"they give {recomputed}" if recomputed else "no figure can be computed from them"
        return _fact_check(sentence, "record_fact_not_supported",
                           f"Recomputed from [R{numbers[0]}] and [R{numbers[1]}], {found}, not {shown}; correct the "
                           "figure or remove it.")
    quote = cited[numbers[1] - 1]
    return _fact_check(sentence, "verified", f"Recomputed from [R{numbers[0]}] and [R{numbers[1]}]: {shown}.",
                       RecordSentence(quote.quote, quote.source, quote.date))


def check_derived_interval(sentence: str, interval: re.Match[str], cited: list[RecordCitation]) -> CitationCheck:
    """'Derived figure, from the dates of [R1] and [R2]: 37 days …' holds when the two record quotes carry dates
    (each found in the record when the quote is checked) that are that many days apart: recomputed here."""
    numbers = (int(interval.group("a")), int(interval.group("b")))
    dates = [cited[n - 1].date if 1 <= n <= len(cited) else None for n in numbers]
    days = days_between(*dates)
    if days is None:
        return _fact_check(sentence, "record_fact_not_supported",
                           "This interval names record quotes that carry no date; quote the dated record sentences.")
    if days != int(interval.group("days")):
        return _fact_check(sentence, "record_fact_not_supported",
                           f"The dates of [R{numbers[0]}] and [R{numbers[1]}] are {days} days apart, not "
                           f"{interval.group('days')}; correct the figure or remove it.")
    latest = cited[numbers[1] - 1]
    return _fact_check(sentence, "verified", f"Recomputed from the dates of [R{numbers[0]}] and [R{numbers[1]}]: "
                                             f"{days} days.", RecordSentence(latest.quote, latest.source, latest.date))


STATED_MME = re.compile(
    r"\b(?:MMEs?|morphine (?:milligram )?equivalents?)(?:/day| per day| daily)?\s*(?:is|was|are|of|=|:|at|totals?|totaling|"
    r"equals?)\s*(?:approximately |about |roughly )?(?P<a>\d+(?:\.\d+)?)\b|"
    r"\b(?P<b>\d+(?:\.\d+)?)\s*(?:mg\s*)?(?:MMEs?|morphine (?:milligram )?equivalents?)\b", re.IGNORECASE)
"""'The MME is 10 per day.', 'a total of 45 MME/day': a figure of this case a reviewer derived, checked by recomputing."""
MME_THRESHOLD_WORDS = re.compile(r"[≥>]|\b(?:or (?:more|greater|higher)|above|below|exceed\w*|threshold|recommend\w*|"
                                 r"guidelines?|should|avoid\w*|at least)\b", re.IGNORECASE)


def stated_mme(sentence: str) -> float | None:
    """The MME/day figure a sentence gives for this case; None for none, or for a guideline's threshold
    ("avoid increasing dosage to ≥90 MME/day")."""
    found = STATED_MME.search(sentence)
    if found is None or MME_THRESHOLD_WORDS.search(sentence) or states_general_norm(sentence):
        return None
    return float(found.group("a") or found.group("b"))


def _computed_regimens(regimens: list[str]) -> list[tuple[str, MmeResult]]:
    """Each regimen the text states with the MME/day the CDC conversion factors give it, when they give one."""
    from assistant.criteria.mme import compute_mme

    return [(regimen, result) for regimen in regimens if (result := compute_mme(regimen)).complete]


def check_stated_mme(sentence: str, figure: float, regimens: list[str]) -> CitationCheck:
    """A reviewer's MME/day holds when the CDC conversion factors give exactly it for a regimen the record states."""
    complete = _computed_regimens(regimens)
    for regimen, result in complete:
        if figure in {result.mme_per_day, result.mme_per_day_min}:
            return _fact_check(sentence, "verified", f"Recomputed from the record: “{regimen}” gives "
                                                     f"{result.arithmetic()}.", RecordSentence(regimen, "case record", None))
    given = "; ".join(dict.fromkeys(r.arithmetic() for _, r in complete))
    return _fact_check(sentence, "record_fact_not_supported", (
        f"The CDC conversion factors give {given} for the record's regimens, not {figure:g} MME/day; correct the figure."
        if given else f"No regimen in the record gives the dose and frequency to compute {figure:g} MME/day; quote the "
                      "regimen or remove the figure."))


def check_derived_figure(sentence: str, regimens: list[str]) -> CitationCheck:
    """A 'Derived figure' sentence holds when its arithmetic is exactly what the CDC conversion factors give for a
    regimen the record (or one of the draft's record quotes) states: recomputed here, never taken on trust."""
    found = DERIVED_ARITHMETIC.match(" ".join(sentence.split()))
    shown = found.group("arithmetic").strip() if found else ""
    for regimen, result in _computed_regimens(regimens) if shown else []:
        if result.arithmetic() == shown:
            return _fact_check(sentence, "verified", f"Recomputed from the record: “{regimen}” gives {shown}.",
                               RecordSentence(regimen, "case record", None))
    return _fact_check(sentence, "record_fact_not_supported",
                       "This derived figure is not what the CDC conversion factors give for any regimen the record "
                       "states; recompute it from the record's dose and frequency or remove it.")


def _guideline_quoted(quoted: str, sentence: str, guideline_quotes: list[str]) -> bool:
    """Words quoted from a guideline (followed by its [n] marker, or part of a cited guideline quote): the guideline
    verifier checks them against the indexed page; they are not a claim about the record."""
    followed = re.search(re.escape(quoted) + r"[\"”]\s*" + GUIDELINE_MARKER.pattern, sentence)
    return bool(followed) or any(quote_occurs(quoted, g) for g in guideline_quotes)


def _sentence_record_checks(sentence: str, cited: list[RecordCitation], corpus: list[RecordSentence],
                            sex: str | None, record_text: str, guideline_quotes: list[str]) -> list[CitationCheck]:
    if sentence.startswith(REVIEWER_STATEMENT):
        return [_reviewer_statement(sentence)]
    numbers = [int(n) for n in RECORD_MARKER.findall(sentence)]
    problems = [CitationCheck(marker=f"[R{n}]", status="orphan_marker", sentence=sentence,
                              message=f"[R{n}] does not match any record quote of this draft.")
                for n in numbers if not 1 <= n <= len(cited)]
    quotes = [cited[n - 1] for n in numbers if 1 <= n <= len(cited)]
    for quoted in QUOTATION.findall(sentence) if quotes else []:
        if _guideline_quoted(quoted, sentence, guideline_quotes):
            continue
        if not quote_occurs(quoted, record_text):
            problems.append(_fact_check(sentence, "record_quote_not_found",
                                        "The words quoted in this sentence are not in the case record; restore the "
                                        "record's wording or remove the quotation marks."))
    if not asserts_record_fact(sentence):
        return problems
    if quotes:
        claim = tokens(claim_of_sentence(sentence))
        cited_guideline = [guideline_quotes[int(n) - 1] for n in re.findall(r"\[(\d{1,3})\]", sentence)
                           if 1 <= int(n) <= len(guideline_quotes)]
        held_text = " ".join([*(q.quote for q in quotes), *(q.date or "" for q in quotes), *cited_guideline])
        held = tokens(held_text)
        total = len(claim.words) + len(claim.numbers)
        covered = len(claim.words & held.words) + len(claim.numbers & held.numbers)
        if total and covered / total < QUOTE_SUPPORT_COVERAGE:
            problems.append(_fact_check(sentence, "record_fact_not_supported",
                                        f"The sentence says more than its record quote "
                                        f"{', '.join(f'[R{n}]' for n in numbers)}; keep to what the quote says."))
        else:
            problems += _deciding_terms_against_quotes(sentence, numbers, held_text)
        return problems
    check = check_fact_sentence(sentence, corpus, sex)
    if check.status == "verified" and not NO_DOCUMENTATION.match(claim_of_sentence(sentence)):
        # An absence was checked against every record sentence and has no quote to cite; any other fact needs [R].
        check = check.model_copy(update={"status": "record_fact_uncited", "message": (
            "This sentence states a fact about the case without a record quote. " + check.message
            + " Cite it as a record quote [R].")})
    return problems + [check]


def _deciding_terms_against_quotes(sentence: str, numbers: list[int], held_text: str) -> list[CitationCheck]:
    """A sentence citing [R n] must not change the quote's side, region, test, drug or direction."""
    deciding = deciding_terms(claim_of_sentence(sentence))
    if not deciding:
        return []
    markers = ", ".join(f"[R{n}]" for n in numbers)
    opposite = opposing_term(deciding, held_text)
    if opposite:
        return [_fact_check(sentence, "record_contradicts",
                            f"The sentence says “{opposite[0]}” where its record quote {markers} says “{opposite[1]}”; "
                            "keep to what the quote says.")]
    unsaid = missing_terms(deciding, held_text)
    if unsaid:
        return [_fact_check(sentence, "record_fact_not_supported",
                            f"The sentence says {', '.join(f'“{w}”' for w in unsaid)}, which its record quote {markers} "
                            "does not; keep to what the quote says.")]
    return []


def _reviewer_statement(sentence: str) -> CitationCheck:
    return CitationCheck(status="reviewer_statement_unverified", sentence=sentence, message=(
        "This is the reviewer's own statement; the case record does not show it. Confirm it against the medical "
        "records (and quote them) or remove it before signing."))


ELAPSED_COUNTS = {**NUMBER_WORDS, "a": 1, "an": 1}  # "a week after the injury"
UNIT_DAYS = {"day": 1.0, "week": 7.0, "month": 30.44, "year": 365.25}
ELAPSED_SINCE_INJURY = re.compile(
    r"\b(?P<n>\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)[- ](?P<unit>day|week|month|year)s?"
    r"\s+(?:status[- ]post|s/p|after|since|following|post|from)\s+(?:the\s+|his\s+|her\s+|an?\s+)?"
    r"(?:industrial\s+|work(?:-related)?\s+|occupational\s+|initial\s+|original\s+)?(?:injury|accident|date of injury|DOI)\b", re.IGNORECASE)
"""A reviewer's own interval from the injury ("two months status post injury", "two weeks after the injury on
11/16/16"): recomputed from the case's date of injury, never taken on trust."""


def _elapsed_days(stated: re.Match[str]) -> float:
    count = stated.group("n").lower()
    return (int(count) if count.isdigit() else ELAPSED_COUNTS[count]) * UNIT_DAYS[stated.group("unit").lower()]


def check_elapsed_since_injury(sentence: str, case: CaseFile, corpus: list[RecordSentence]) -> tuple[str, CitationCheck | None]:
    """(what is left of the sentence to check as a record fact, a check of its own or None). The interval runs
    from the case's date of injury to the date the sentence gives, else to the latest date of the treating record
    or of the case file (a reviewer counts to the review); it agrees within half a unit or a quarter of its length
    ("two weeks" is 10 to 17 days, "three weeks" 16 to 26, "two months" 45 to 75): the nearest whole unit, with
    room for "about"; 15 days is not "about three weeks" (CM16-0240518). A
    reviewer may count to a date the case file does not hold, so a mismatch is "not supported", not "contradicts"."""
    stated = ELAPSED_SINCE_INJURY.search(sentence)
    injury = parse_date(case.injury_date or "")
    if stated is None or injury is None:
        return sentence, None
    own = RECORD_DATE.search(sentence)
    treating = [d for r in corpus if r.date and not reports_a_review(r.text) and (d := parse_date(r.date))]
    every = [d for r in corpus if r.date and (d := parse_date(r.date))]
    ends = [parse_date(own.group())] if own else [max(treating, default=None), max(every, default=None)]
    ends = [e for e in dict.fromkeys(ends) if e is not None and e >= injury]
    if not ends:
        return sentence, None
    wanted = _elapsed_days(stated)
    slack = max(UNIT_DAYS[stated.group("unit").lower()] / 2, wanted / 4)
    fits = [e for e in ends if abs((e - injury).days - wanted) <= slack]
    shown = fits[0] if fits else ends[0]
    span = f"from the injury on {injury:%m/%d/%Y} to {shown:%m/%d/%Y}: {interval_words((shown - injury).days)}"
    if not fits:
        return sentence, _fact_check(sentence, "record_fact_not_supported",
                                     f"The record's dates do not give “{stated.group()}”: {span}. Correct the interval, "
                                     "or name the date it counts to.")
    rest = sentence[:stated.start()] + sentence[stated.end():]
    rest = rest.replace(own.group(), "") if own else rest
    return rest, _fact_check(sentence, "verified", f"The interval agrees with the record's dates ({span}).")


_CLAIMED_DATE = r"(?P<date>" + RECORD_DATE.pattern.replace("(?P<", "(?P<_") + ")"
INJURY_DATE_CLAIM = re.compile(
    r"(?:(?:the|his|her|their)\s+)?(?:date\s+of\s+(?:the\s+)?(?:industrial\s+)?injury|DOI)\s*(?:was|is|of|:)?\s*(?:on\s+)?"
    + _CLAIMED_DATE + "|"
    r"(?:the\s+)?(?:patient|injured worker|claimant|applicant|employee|worker|he|she)\s+(?:was\s+injured|sustained\s+"
    r"(?:an?\s+)?(?:industrial\s+|work[- ]related\s+|occupational\s+)?injury|(?:has|had)\s+a\s+date\s+of\s+injury"
    r"(?:\s+of)?)\s+(?:on\s+)?" + _CLAIMED_DATE.replace("?P<date>", "?P<date2>") + "|"
    r"(?:the\s+|his\s+|her\s+)?(?:industrial\s+|work[- ]related\s+|occupational\s+)?injury\s+(?:occurred|happened|"
    r"took\s+place|was)\s+(?:on\s+)?" + _CLAIMED_DATE.replace("?P<date>", "?P<date3>"), re.IGNORECASE)
"""'The date of injury was 12/1/16.' (CM17-0003917's own rationale; the record: 11-30-2016), 'The injury occurred on
12/01/2016.': a sentence that only states the date of injury is compared with the record's, not searched for as
words."""
INJURY_STATED = re.compile(r"\b(?:injury|injured|DOI)\b\D{0,20}?(?:on\s+)?(?P<date>" + RECORD_DATE.pattern + ")",
                           re.IGNORECASE)
"""A record's own statement of an injury date ('sustained an industrial injury on 11-30-2016'); a date elsewhere in
a sentence naming an injury ('On 12-09-2016 (Doctor's First Report of Occupational Injury …)') is not one."""


def check_injury_date_claim(sentence: str, case: CaseFile, corpus: list[RecordSentence]) -> CitationCheck | None:
    """Verified when the stated date is the case's date of injury or one the record states as an injury date;
    contradicted otherwise. None for any other sentence, or a case whose date of injury is unknown."""
    claimed = INJURY_DATE_CLAIM.fullmatch(" ".join(sentence.split()).rstrip(". "))
    recorded = parse_date(case.injury_date or "")
    if claimed is None or recorded is None:
        return None
    written = claimed.group("date") or claimed.group("date2") or claimed.group("date3")
    stated = parse_date(written)
    injuries = [(parse_date(m.group("date")), r) for r in corpus for m in INJURY_STATED.finditer(r.text)]
    source = next((r for when, r in injuries if when == stated), None)
    if source is not None or stated == recorded:
        said = f"The record says: “{source.text}”." if source else f"The case's date of injury is {case.injury_date}."
        return _fact_check(sentence, "verified", said, source)
    source = next((r for when, r in injuries if when == recorded), None)
    where = f": “{source.text}”" if source else ""
    return _fact_check(sentence, "record_contradicts", f"The record gives the date of injury as {case.injury_date}, not "
                       f"{written}{where}. Correct the date.", source)


def _with_interval(interval: CitationCheck, rest: CitationCheck | None) -> CitationCheck:
    """A sentence whose interval agrees: verified when the rest of it is (or states nothing), else the rest's
    finding with the interval's agreement said first."""
    if rest is None or rest.status == "verified":
        message = interval.message + (f" {rest.message}" if rest else "")
        return rest.model_copy(update={"sentence": interval.sentence, "message": message}) if rest else interval
    return rest.model_copy(update={"sentence": interval.sentence, "message": f"{interval.message} The rest: {rest.message}"})


def _checked_with_interval(sentence: str, case: CaseFile, corpus: list[RecordSentence], sex: str | None) -> CitationCheck:
    if (injury := check_injury_date_claim(sentence, case, corpus)) is not None:
        return injury
    rest, interval = check_elapsed_since_injury(sentence, case, corpus)
    if interval is None or interval.status != "verified":
        return interval or check_fact_sentence(sentence, corpus, sex)
    # The rest is checked whatever its form ("A clinic note on did not outline abnormal findings"): the sentence
    # asserted a fact, and a verified interval must not make the rest of it look verified.
    content = [w for w in TOKEN.findall(rest) if len(w) > 2 and w.lower() not in FILLER | STOPWORDS]
    remainder = check_fact_sentence(rest, corpus, sex) if len(content) >= 2 else None
    return _with_interval(interval, remainder)


def check_record_facts(text: str, case: CaseFile, sentences: list[str]) -> list[CitationCheck]:
    """A person's text: each sentence stating a record fact is checked against the case text directly."""
    corpus = record_sentences(case)
    sex = sex_of_record(corpus)
    checks = []
    regimens = [s.text for s in corpus]
    for sentence in sentences:
        if sentence.startswith(REVIEWER_STATEMENT):
            checks.append(_reviewer_statement(sentence))
        elif (figure := stated_mme(sentence)) is not None:
            checks.append(check_stated_mme(sentence, figure, regimens))
        elif RECORD_MARKER.search(sentence):
            checks.append(_fact_check(sentence, "orphan_marker", "A [R] marker in pasted text refers to no record "
                                                                 "quote; quote the record in the sentence instead."))
        elif asserts_record_fact(sentence):
            checks.append(_checked_with_interval(sentence, case, corpus, sex))
    return checks
