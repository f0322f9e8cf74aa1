"""The criteria checklist for one disputed item: each applicable criterion marked met / not met / not documented /
not applicable from the record facts, with the guideline's words and the record's words side by side.

Why: the reviewer decides criterion by criterion. The checklist offers a suggested decision with its reasons and
warns when the reviewer's own decision runs against it, but it never changes the decision.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from assistant.contracts import REQUEST_SOURCE, CaseFile, Checklist, ChecklistRow, ChecklistStatus, Citation, Decision, DisputedItem, RecordCitation
from assistant.criteria.facts import (ACUTE_PAIN_DAYS, CHRONIC_PAIN_DAYS, FACT_PATTERNS, TREATMENT_CLASSES, RecordFacts, RecordFinding,
                                      extract_record_facts, patient_sentences_with_dates, sentences_with_dates)
from assistant.criteria.load import GuidelinePages
from assistant.criteria.mme import (CDC_GUIDELINE_ID, CONVERSION_PAGE, CONVERSION_QUOTE, MME_INPUTS, MmeResult,
                                   days_supply, frequency_from_request, supply_gaps)
from assistant.criteria.model import CriteriaSet, CriteriaTopic, Criterion, ItemCategory, RecordFact, Requirement
from assistant.vocabulary.categories import PT_ABBREVIATION
from assistant.vocabulary.drugs import OPIOID_CLASS_WORDS, class_category, identify_drugs
from assistant.vocabulary.record_cues import LOW_REFLEX_GRADE, interval_words
from assistant.vocabulary.deciding_terms import deciding_terms

Verdict = tuple[ChecklistStatus, list[RecordFinding | RecordCitation], str]
ACUTE_DAYS = 30
LBP_ACUTE_DAYS = ACUTE_PAIN_DAYS
CHRONIC_DAYS = CHRONIC_PAIN_DAYS
_POST_OP = re.compile(r"\bpost[- ]?op\w*\b|\bpostoperative\b|\bafter (?:the )?surgery\b", re.IGNORECASE)
_DEFICIT = re.compile(r"\b(decreas\w+|diminish\w+|reduced|weak\w*|numb\w*|positive|absent|radicul\w+|tingl\w+|paresthesi\w+|"
                      r"foot drop|atrophy|abnormal|deficits?|sciatica|radiat\w+)\b", re.IGNORECASE)
_ACUTE_CAUSE = re.compile(r"\b(fracture\w*|surgery|surgical|postoperative|post-op\w*|crush|burns?|trauma\w*|laceration)\b", re.IGNORECASE)
_GI_RISK = re.compile(r"\b(gastritis|GERD|reflux|ulcers?|GI bleed\w*|dyspepsia|stomach upset|GI upset|gastrointestinal|heartburn)\b", re.IGNORECASE)
_ER_LA_ITEM = re.compile(r"\b(ER|XR|SR|CR|LA|extended[- ]release|long[- ]acting|oxycontin|ms contin|patch|transdermal|methadone)\b", re.IGNORECASE)
_TAPER = re.compile(r"\b(taper\w*|wean\w*)\b", re.IGNORECASE)
_KNEE_HIP = re.compile(r"\b(knee|hip|osteoarthritis|OA)\b", re.IGNORECASE)
_CLINICIAN_EXERCISE = re.compile(
    r"\b(physical therapy|physiotherapy|therapeutic exercises?|exercise program|aquatic therapy|pool therapy|"
    r"work (?:hardening|conditioning)|functional restoration|McKenzie|Pilates)\b|" + PT_ABBREVIATION, re.IGNORECASE)
_PASSIVE_MODALITY = re.compile(
    r"\b(massage|ultrasound|TENS|heat|ice|cold packs?|hot packs?|traction|electrical stimulation|e-?stim|"
    r"interferential|IFC|diathermy|laser|paraffin)\b", re.IGNORECASE)
_BACK = re.compile(r"\b(lumbar|lumbosacral|low back|back pain|L[1-5]|S1|sacroiliac|spine|spinal)\b", re.IGNORECASE)
_INSOMNIA = re.compile(r"\b(insomnia|sleep\w*)\b", re.IGNORECASE)
# Item category -> the prior-treatment class of the same kind (for "first course, or benefit from the last one").
SAME_CLASS = {"physical-therapy": "physical-therapy", "chiropractic": "chiropractic", "acupuncture": "acupuncture",
              "injection": "injection", "radiofrequency-ablation": "injection"}


# Class words a record uses without naming a drug ("muscle relaxants", "NSAIDs"), by item category.
CLASS_WORDS = {
    "muscle-relaxant": r"muscle relaxants?", "nsaid": r"NSAIDs?|anti-inflammator\w+", "ppi": r"PPIs?|proton pump inhibitors?",
    "opioid": OPIOID_CLASS_WORDS, "sleep-aid": r"sleep aids?|hypnotics?|sleeping pills?",
}
_OBJECTIVE_DEFICIT = re.compile(r"\b(decreas\w+|diminish\w+|reduced|absent|weak\w*|positive|[0-4]\s*/\s*5|[0-4] out of 5|foot drop|"
                                r"atrophy|deficits?|progressive|hypoesthesia|hyperesthesia|hypersensitiv\w+|hyporeflexi\w+|"
                                r"impaired)\b|" + LOW_REFLEX_GRADE, re.IGNORECASE)
"""A reflex graded 1+ or 0 (normal is 2+) is diminished: 'right ankle deep tendon reflex 1+' (CM17-0003917) is a
focal finding, and the draft said there was no documentation of one."""
_SERIOUS_DEFICIT = re.compile(r"\b(?:progressive|progressing|worsening (?:weakness|numbness|neurologic\w*|deficits?)|"
                              r"severe (?:weakness|deficits?)|significant weakness|foot drop|[0-2]\s*/\s*5|[0-2] out of 5|"
                              r"paralysis|saddle|incontinen\w+)\b", re.IGNORECASE)
_ABLATION = re.compile(r"\b(radiofrequency|ablation|rhizotomy|neurotomy|RFA)\b", re.IGNORECASE)
_DIAGNOSTIC_BLOCK = re.compile(r"\b(medial branch blocks?|MBBs?|diagnostic (?:facet |medial branch )?blocks?|facet blocks?)\b",
                               re.IGNORECASE)
_RADICULAR = re.compile(r"\b(radicul\w+|radiat\w+ (?:to|into|down)|sciatica|dermatom\w+)\b", re.IGNORECASE)
_FUNCTION_WORDS = re.compile(r"\b(function\w*|ADLs?|activities|able to|range of motion|strength|walk\w*|work\w*|sit\w*|stand\w*|"
                             r"lift\w*|sleep\w*|mobility)\b", re.IGNORECASE)
_MEDICATION_WORDS = re.compile(r"\b(medications?|meds|with use|analgesi\w+)\b", re.IGNORECASE)
_MARKED_BENEFIT = re.compile(r"\b(?:significant|substantial|marked|considerable|great|excellent)\s+(?:benefit|improvement|relief)\b",
                             re.IGNORECASE)
_MANUAL_THERAPY = re.compile(r"\bmanual therap\w*", re.IGNORECASE)
_CONTINUED_COURSE = re.compile(r"\b(additional|continued|continuation|continuing|re-?exam\w*|re-?evaluat\w*|further|"
                               r"remaining|extension|another|ongoing|\d+\s+more)\b", re.IGNORECASE)
"""A request that speaks of the course it continues ("additional", "re-exam with chiropractor") is no first course."""
_PRESCRIBED = re.compile(r"\b(prescribed|dispensed|ordered|started|initiated|introduced)\b", re.IGNORECASE)
_SYMPTOM_DENIAL = re.compile(r"\bden(?:y|ies|ied|ying)\b", re.IGNORECASE)
_PERSISTS = re.compile(r"\b(persist\w*|remains? symptomatic|continue[sd]? to (?:report|complain|have)|ongoing|no (?:significant )?"
                       r"(?:improvement|relief|benefit)|failed|unchanged|wors\w+|not improv\w+|without (?:relief|improvement))\b",
                       re.IGNORECASE)


class ItemContext:
    """What a status rule may look at: the item, its category and the record facts."""

    def __init__(self, item: DisputedItem, category: str, facts: RecordFacts, case_text: str):
        self.item, self.category, self.facts, self.case_text = item, category, facts, case_text
        self.post_op = bool(_POST_OP.search(item.text))
        self.already_using = self._already_using()

    def sentences_matching(self, pattern: re.Pattern[str],
                           keep: Callable[[str], bool] | None = None) -> list[RecordCitation]:
        """The record's sentences about the patient (a review's account is not one) that match `pattern` and that
        `keep` accepts, each a dated record citation."""
        return [RecordCitation(quote=sentence, source=self.facts.source, date=when)
                for sentence, when in patient_sentences_with_dates(self.case_text)
                if pattern.search(sentence) and (keep is None or keep(sentence))]

    def _already_using(self) -> list[RecordCitation]:
        """Record sentences (not plans, not the UR's reasons) naming a drug of the item's class: continued use.
        A prescription written at the visit under review is the request itself, not earlier use."""
        from assistant.criteria.facts import parse_date
        from assistant.vocabulary.record_cues import mentions_without_documenting

        def earlier_use(sentence: str, when: str | None) -> bool:
            if mentions_without_documenting(sentence):
                return False
            return not (_PRESCRIBED.search(sentence) and when and parse_date(when) == self.facts.latest_date)

        found = {m.citation.quote: m.citation for m in self.facts.medications
                 if self.category in m.categories and earlier_use(m.citation.quote, m.citation.date)}
        words = CLASS_WORDS.get(self.category)
        if words:
            for sentence, when in patient_sentences_with_dates(self.case_text):
                if re.search(rf"\b(?:{words})\b", sentence, re.I) and earlier_use(sentence, when):
                    found.setdefault(sentence, RecordCitation(quote=sentence, source=self.facts.source, date=when))
        return list(found.values())

    @property
    def acute(self) -> bool:
        short = self.facts.symptom_days is not None and self.facts.symptom_days <= ACUTE_DAYS
        return self.post_op or (short and not self.already_using)

    @property
    def chronic(self) -> bool | None:
        """True/False from the injury date; None when the record gives no way to tell."""
        if self.facts.symptom_days is not None:
            return self.facts.symptom_days > CHRONIC_DAYS
        return True if self._called_chronic() else None

    def chronic_evidence(self) -> list[RecordFinding | RecordCitation]:
        """The record's words behind `chronic`: the dated sentences, or those that call the pain chronic."""
        return list(self.facts.timing_quotes) if self.facts.symptom_days is not None else list(self._called_chronic())

    def _called_chronic(self) -> list[RecordFinding]:
        return [f for f in self.facts.get(RecordFact.symptom_duration).present() if re.search(r"\bchronic\b", f.citation.quote, re.I)]

    def present(self, *facts: RecordFact, treatment_class: str | None = None) -> list[RecordFinding]:
        return [f for fact in facts for f in self.facts.get(fact).present(treatment_class)]

    def absent(self, *facts: RecordFact, treatment_class: str | None = None) -> list[RecordFinding]:
        return [f for fact in facts for f in self.facts.get(fact).absent(treatment_class)]

    def deficits(self) -> list[RecordFinding]:
        """Objective neurologic deficits on examination, or a named red flag (a diagnosis list is not a finding)."""
        findings = [f for f in self.present(RecordFact.neuro_findings) if _OBJECTIVE_DEFICIT.search(f.citation.quote)]
        findings += self.present(RecordFact.red_flags)
        return [f for f in findings if not re.search(r"\bdiagnos", f.citation.quote, re.I)]

    def serious_deficits(self) -> list[RecordFinding]:
        """A red flag, or a neurologic deficit the record calls progressive or severe (foot drop, progressive
        weakness): what VA/DoD Recommendation 2 images for. A diminished reflex or sensation alone is a focal finding,
        not one of these (CM17-0003917: 'right ankle deep tendon reflex 1+' at day 9, upheld)."""
        serious = [f for f in self.present(RecordFact.neuro_findings) if _SERIOUS_DEFICIT.search(f.citation.quote)]
        serious += self.present(RecordFact.red_flags)
        return [f for f in serious if not re.search(r"\bdiagnos", f.citation.quote, re.I)]

    def radicular(self) -> list[RecordFinding]:
        return self.deficits() + [f for f in self.present(RecordFact.neuro_findings) if _RADICULAR.search(f.citation.quote)]

    def normal_exam(self) -> list[RecordFinding]:
        """A normal neurologic examination. A patient's denial of symptoms is not an exam, and one normal image
        (no fracture) does not exclude the other red flags."""
        return [f for f in self.absent(RecordFact.neuro_findings) if not _SYMPTOM_DENIAL.search(f.citation.quote)]

    def functional_gain(self, treatment_class: str | None = None, medication: bool = False) -> list[RecordFinding]:
        """Improvement stated together with a function (activity, work, range of motion), for a class or medication."""
        found = self.present(RecordFact.treatment_response, treatment_class=treatment_class) if treatment_class else []
        found += [f for f in self.present(RecordFact.function) if re.search(r"improv\w+|increas\w+|better", f.citation.quote, re.I)]
        if medication:
            found = [f for f in found if _MEDICATION_WORDS.search(f.citation.quote) or
                     f.citation.quote in {c.quote for c in self.already_using}]
        return [f for f in found if _gain_in_function(f.citation.quote)]


_CLAUSE_BREAK = re.compile(r";|\band on\b|\b(?:but|however|while|although|whereas)\b", re.IGNORECASE)
_GAIN = re.compile(r"\b(?:improv\w+|increas\w+|better|benefit\w*|helped|gains?|progress\w*|restored|able to)\b", re.IGNORECASE)


def _gain_in_function(quote: str) -> bool:
    """An improvement and a function named in one clause: '… complained of … limited, painful range of motion … and
    on 11-18-16, reports vast improvement in pain with chiropractic treatment' is a gain in pain beside a limitation
    of motion, not a functional gain (CM16-0232182)."""
    return any(_GAIN.search(clause) and _FUNCTION_WORDS.search(clause) for clause in _CLAUSE_BREAK.split(quote))


def _criterion_findings(ctx: ItemContext, criterion: Criterion) -> list[RecordFinding]:
    """Every finding, either way, of the record facts the criterion names."""
    return [f for fact in criterion.record_facts for f in ctx.facts.get(fact).findings]


def _documented_either_way(ctx: ItemContext, criterion: Criterion) -> Verdict:
    found = _criterion_findings(ctx, criterion)
    if found:
        return "met", found, "The record addresses this (positive or negative findings are recorded)."
    return "not_documented", [], _missing(criterion)


_IMAGING = re.compile(FACT_PATTERNS[RecordFact.prior_imaging], re.IGNORECASE)
_EXAM_OR_HISTORY = re.compile(r"\bexam\w*|\bdenie[sd]\b|\breports?\b|\bcomplain\w*|\bhistory\b|\bstrength\b|"
                              r"\bsensation\b|\breflex\w*|\bstraight leg\b|\bgait\b", re.IGNORECASE)


def _red_flags_evaluated(ctx: ItemContext, criterion: Criterion) -> Verdict:
    """Recommendation 1 asks the history and examination: an image's result ("The CT scan of the lumbar spine …
    revealed no fracture", CM17-0017104, whose only exam was "abnormal posture and lumbar tenderness") is neither."""
    found = [f for f in _criterion_findings(ctx, criterion)
             if not _IMAGING.search(f.citation.quote) or _EXAM_OR_HISTORY.search(f.citation.quote)]
    if found:
        return "met", found, "The history or examination addresses this (positive or negative findings are recorded)."
    return "not_documented", [], _missing(criterion)


GENERIC_FACTS = {RecordFact.diagnosis, RecordFact.medications, RecordFact.age}
# Facts whose presence is a risk, not an answer: they never make a criterion "met" on their own.
RISK_FACTS = {RecordFact.benzodiazepine, RecordFact.mme_per_day, RecordFact.substance_use_history, RecordFact.comorbidities,
              RecordFact.side_effects, RecordFact.aberrant_behaviour}


def _positive(ctx: ItemContext, criterion: Criterion,
              keep: Callable[[RecordFinding], bool] = lambda finding: True) -> Verdict:
    """The criterion's first fact, and any further fact that is neither generic nor a risk, documented as present
    (the findings `keep` accepts)."""
    first, *rest = criterion.record_facts
    decisive = [first, *(f for f in rest if f not in GENERIC_FACTS | RISK_FACTS)]
    present = [f for f in ctx.present(*decisive) if keep(f)]
    if present:  # what was found, not the question restated as if the record said it
        return "met", present, f"Met on what the record documents about {_fact_names(present)} (quoted); read it against the question."
    absent = [f for f in ctx.absent(*decisive) if keep(f)]
    if absent:
        return "not_met", absent, f"The record documents the opposite about {_fact_names(absent)} (quoted)."
    return "not_documented", [], _missing(criterion)


NOT_NONOPIOID_THERAPY = {"surgery"}
"""Treatment classes that are not the nonopioid or nonpharmacologic therapy the CDC asks to be tried first: 'a closed
reduction and percutaneous pinning' answered 'were nonopioid therapies used for this acute pain?' (CM16-0234202)."""


def _nonopioid_tried(ctx: ItemContext, criterion: Criterion) -> Verdict:
    """Nonopioid or nonpharmacologic therapy documented (a surgery is not one), or documented as not tried."""
    return _positive(ctx, criterion, keep=lambda f: f.treatment_class not in NOT_NONOPIOID_THERAPY)


def _fact_names(findings: list[RecordFinding]) -> str:
    return ", ".join(dict.fromkeys(f.fact.value.replace("_", " ") for f in findings))


def _benefit_or_change(ctx: ItemContext, criterion: Criterion) -> Verdict:
    """Met when improvement on the medication is documented, or a taper or change of the regimen is; a pain score
    alone answers neither."""
    gain = ctx.functional_gain(treatment_class="medication", medication=True)
    if gain:
        return "met", gain[:2], "Functional improvement with the medication is documented."
    change = ctx.sentences_matching(_TAPER)  # patient sentences only: a review's weaning is not the plan
    if change:
        return "met", change[:2], "A taper or change of the regimen is documented."
    return "not_documented", [], _missing(criterion)


def _red_flags_present(ctx: ItemContext, criterion: Criterion) -> Verdict:
    serious = ctx.serious_deficits()
    if serious:
        return "met", serious, "The record documents a progressive or serious neurologic deficit or a red flag."
    if ctx.deficits():  # a focal finding the record does not call progressive or serious: it is silent on that
        return "not_documented", ctx.deficits(), ("There is no documentation of a red flag or of a progressive or "
                                                  "otherwise serious neurologic deficit.")
    if ctx.normal_exam():
        return "not_met", ctx.normal_exam(), "The record documents a normal neurologic examination and no red flag."
    return "not_documented", [], "There is no documentation of a red flag or of a progressive or focal neurologic deficit."


def _not_acute_or_flags(ctx: ItemContext, criterion: Criterion) -> Verdict:
    if ctx.deficits():
        return "met", ctx.deficits(), "Focal neurologic findings or a red flag are documented."
    if ctx.facts.symptom_days is not None:
        status: ChecklistStatus = "met" if ctx.facts.symptom_days > LBP_ACUTE_DAYS else "not_met"
        return status, ctx.facts.timing_quotes, (f"The injury date and the latest record entry are "
                                                 f"{interval_words(ctx.facts.symptom_days)} apart.")
    return "not_documented", [], "The record does not show how long the symptoms have lasted."


def _conservative_care_first(ctx: ItemContext, criterion: Criterion) -> Verdict:
    days = ctx.facts.symptom_days
    if days is not None and days <= LBP_ACUTE_DAYS and not ctx.serious_deficits():
        return "not_met", ctx.facts.timing_quotes, (f"The request comes {interval_words(days)} after the injury, within the four weeks in which "
                               "most patients improve with noninvasive management, and no red flag is documented.")
    tried = [f for f in ctx.present(RecordFact.prior_treatments) if f.treatment_class not in {"surgery", "injection"}]
    # A response documented as no help ('Medication and physical therapy was "not helping."', CM17-0017104) is
    # symptoms persisting despite the treatment, whatever its words.
    persisting = [f for f in ctx.facts.get(RecordFact.treatment_response).findings + ctx.present(RecordFact.pain_scores)
                  if (f.fact == RecordFact.treatment_response and f.polarity == "absent") or _PERSISTS.search(f.citation.quote)]
    if tried and persisting:
        return "met", tried[:2] + persisting[:1], "Conservative treatment is documented and symptoms persist despite it."
    if tried:
        return "not_documented", tried, ("Conservative treatment is documented, but not its course or that it failed "
                                         "(there is no documentation of persisting symptoms despite it).")
    return "not_documented", [], "There is no documentation of conservative treatment tried before this request."


def _pretest_concern(ctx: ItemContext, criterion: Criterion) -> Verdict:
    concern = ctx.serious_deficits() + ctx.present(RecordFact.surgery_candidate)
    if concern:
        return "met", concern, "A specific concern (neurologic finding, red flag or surgical planning) is documented."
    if ctx.normal_exam():
        return "not_met", ctx.normal_exam(), "The examination documented is normal; no specific serious condition is suspected."
    return "not_documented", [], "There is no documentation of a specific condition the imaging would confirm or exclude."


def _same_classes(ctx: ItemContext) -> list[str]:
    """The treatment classes whose earlier course this request continues. Manual therapy is given by physical
    therapists as well as chiropractors: a prior physical therapy course counts for it."""
    treatment_class = SAME_CLASS.get(ctx.category)
    if treatment_class == "chiropractic" and _MANUAL_THERAPY.search(ctx.item.text):
        return ["chiropractic", "physical-therapy"]
    return [treatment_class] if treatment_class else []


def _class_words(classes: list[str]) -> str:
    """The record's words for the given treatment classes, as one regex alternation ('' when none has words)."""
    return "|".join(TREATMENT_CLASSES[c] for c in classes if c in TREATMENT_CLASSES)


def _continued_course(ctx: ItemContext, classes: list[str]) -> list[RecordCitation]:
    """The words that make this request a continued course: the request's own ("Re-exam with chiropractor",
    "additional …"), or the plan's for the same kind of treatment ("additional spinal manipulation 2 times a week")."""
    if _CONTINUED_COURSE.search(ctx.item.text):
        return [RecordCitation.of_request(ctx.item)]
    kinds = _class_words(classes)
    if not kinds:
        return []
    plan = re.compile(rf"\b(?:additional|continued|further|more)\s+(?:[\w-]+\s+){{0,2}}(?:{kinds})", re.IGNORECASE)
    return of_item_site(ctx, ctx.sentences_matching(plan))


_APPROVED = re.compile(r"(?<![-\w])(?:modified|partially approved|approved|authori[sz]ed|certified|accommodating)\b",
                       re.IGNORECASE)
_NOT_APPROVED = re.compile(r"\bnot (?:been )?(?:approved|authori[sz]ed|certified)\b|\bdenied\b|\bnon-?certif",
                           re.IGNORECASE)
_SESSIONS = re.compile(r"\b(?:\d+|one|two|three|four|five|six|eight|ten|twelve)\s+(?:\w+\s+)?(?:sessions?|visits?|"
                       r"treatments?)\b|\b(?:sessions?|visits?)\b[^.]{0,40}#\s*\d+|"
                       r"\b(?:initial|first) (?:set|trial|course) of (?:\w+\s+)?(?:sessions?|visits?|treatments?)\b", re.IGNORECASE)
"""'10 sessions physical therapy', and as the review's account lists them: 'Chiropractic therapy sessions for the
cervical spine, #6 was authorized by the Claims Administrator' (CM16-0247405), or 'modified for chiropractic therapy
as an initial set of visits is indicated' (CM16-0239569)."""


def _authorized_sessions(ctx: ItemContext, classes: list[str]) -> list[RecordCitation]:
    """A review's certification of sessions of the same treatment ("modified … accommodating … 10 sessions physical
    therapy with 2 remaining sessions eligible for independent medical review", CM17-0013754; "modified the request
    for physical therapy to initial trial of 6 sessions"): the request is what is left of a course already
    authorized, whose response is what the reviewer asks for. A denial ("non-certified … 12 sessions") is not one."""
    kinds = _class_words(classes)
    if not kinds:
        return []
    kind = re.compile(kinds, re.IGNORECASE)
    return of_item_site(ctx, _approved_by_review(ctx, lambda s: bool(_SESSIONS.search(s) and kind.search(s))))


def _approved_by_review(ctx: ItemContext, naming: Callable[[str], bool]) -> list[RecordCitation]:
    """The sentences in which a review approved, authorized or modified (not denied) what `naming` accepts — the
    review's account included, as that is where approvals are told."""
    return [RecordCitation(quote=sentence, source=ctx.facts.source, date=when)
            for sentence, when in sentences_with_dates(ctx.case_text)
            if _APPROVED.search(sentence) and not _NOT_APPROVED.search(sentence) and naming(sentence)]


def _authorized_supply(ctx: ItemContext) -> list[RecordCitation]:
    """A review's certification of a drug of the item's class ('Ibuprofen 600mg #90 was authorized by the Claims
    Administrator', CM17-0002181): the refills asked for extend a supply already authorized, not a first course."""
    return _approved_by_review(ctx, lambda sentence: any(ctx.category == class_category(c)
                                                         for mention in identify_drugs(sentence) for c in mention.classes))


def _response_to_same_class(ctx: ItemContext, criterion: Criterion) -> Verdict:
    classes = _same_classes(ctx)
    prior = of_item_site(ctx, [f for c in classes for f in ctx.present(RecordFact.prior_treatments, treatment_class=c)])
    authorized = _authorized_sessions(ctx, classes) if classes and not prior else []
    if authorized:
        return "not_documented", authorized[:1], (
            "Sessions of this treatment were already authorized; there is no documentation of objective functional "
            "improvement from them.")
    continued = _continued_course(ctx, classes) if classes and not prior else []
    if continued:
        who = "request" if continued[0].source == REQUEST_SOURCE else "record's plan"
        return "not_documented", continued[:1], (
            "There is no documentation of objective functional improvement from the sessions already given (the "
            f"{who} continues a course).")
    if classes and not prior:
        site = _site_words(ctx.item.text)
        of_site = f" of the {site}" if site else ""  # prior therapy of another body part is not this course's
        return "met", [], f"A first course, as there is no documentation of prior {classes[0].replace('-', ' ')}{of_site}."
    gain = of_item_site(ctx, [f for c in classes or [None] for f in ctx.functional_gain(c)])
    if gain:
        return "met", gain, "Objective functional improvement from the prior course is documented."
    said = ctx.facts.get(RecordFact.treatment_response).findings
    said = of_item_site(ctx, [f for f in said if f.treatment_class in classes] if classes else said)
    marked = [f for f in said if f.polarity == "present" and _MARKED_BENEFIT.search(f.citation.quote)]
    if marked:
        return "met", marked[:1], ("The record states a significant benefit from the prior course; it does not "
                                   "quantify the functional gain.")
    return "not_documented", (prior[:2] + said[:1]), (
        "Prior treatment of this kind is documented, but there is no documentation of objective functional "
        "improvement from it (the number of sessions and measurable gains).")


def _chronic(ctx: ItemContext, criterion: Criterion) -> Verdict:
    chronic = ctx.chronic
    if chronic is None:
        return "not_documented", [], "The record does not show how long the symptoms have lasted."
    return ("met" if chronic else "not_met"), ctx.chronic_evidence(), (
        f"{interval_words(ctx.facts.symptom_days).capitalize()} from the injury date to the latest record entry."
        if ctx.facts.symptom_days is not None else "The record describes the pain as chronic.")


def _exercise_request(ctx: ItemContext, criterion: Criterion) -> Verdict:
    """The form of what is asked is read from the request, not from earlier treatment: physical therapy or an
    exercise program is exercise a clinician directs; passive modalities alone are not."""
    request = [RecordCitation.of_request(ctx.item)]
    if _CLINICIAN_EXERCISE.search(ctx.item.text):
        return "met", request, "The request is for therapy or an exercise program a clinician directs (the request says so)."
    if _PASSIVE_MODALITY.search(ctx.item.text):
        return "not_met", request, "The request is for passive modalities only, not exercise a clinician directs."
    return "not_documented", [], _missing(criterion)


_TOPICAL_FORM = re.compile(r"\b(topical|gel|cream|ointment|patch(?:es)?|solution|lotion|spray)\b", re.IGNORECASE)


def _topical_request(ctx: ItemContext, criterion: Criterion) -> Verdict:
    """"Is a topical NSAID requested …?" is read from the request: an oral NSAID for knee OA (CM17-0015957's "Motrin
    600mg #40") was marked documented by the diagnosis sentence, as if the topical recommendation were met."""
    request = [RecordCitation.of_request(ctx.item)]
    if ctx.category != "topical" and not _TOPICAL_FORM.search(ctx.item.text):
        return "not_met", request, "The request is for an oral NSAID, not a topical one (the request says so)."
    drugs = identify_drugs(ctx.item.text)
    if drugs and not any("nsaid" in d.classes for d in drugs):
        return "not_met", request, "The topical requested is not an NSAID (the request names it)."
    knee = [f for f in ctx.present(RecordFact.diagnosis) if re.search(r"\bknee\b", f.citation.quote, re.IGNORECASE)]
    if knee or re.search(r"\bknee\b", ctx.item.text, re.IGNORECASE):
        return "met", [*request, *knee[:1]], "A topical NSAID for the knee (the request and the diagnoses say so)."
    return "not_documented", request, _missing(criterion)


def _short_course(ctx: ItemContext, criterion: Criterion) -> Verdict:
    """Muscle relaxants, opioids for acute pain, hypnotics: a short course for an acute problem only."""
    if ctx.already_using and not ctx.post_op:
        return "not_met", ctx.already_using[:2], ("The record shows this kind of medication already in use: the request "
                                                  "continues it beyond a short course.")
    if ctx.post_op:
        return "met", [RecordCitation.of_request(ctx.item)], "A new prescription for post-operative pain (the request says so)."
    if ctx.acute:
        return "met", ctx.facts.timing_quotes, "A new prescription within a month of the injury, with no earlier use documented."
    if ctx.chronic:
        return "not_met", ctx.chronic_evidence(), "The symptoms are chronic (more than three months since the injury)."
    if ctx.facts.symptom_days is not None:
        return "not_documented", ctx.facts.timing_quotes, (
            f"The record dates the symptoms {ctx.facts.symptom_days} days from the injury: neither a new problem within a "
            "month nor chronic, and it does not show how long the medication has been used.")
    return "not_documented", [], "The record does not show how long the symptoms or the medication have lasted."


FEW_DAYS = 7
"""CDC 2022 Recommendation 6 (p. 38): for nontraumatic, nonsurgical acute pain 'a few days or less are often
sufficient'; a supply beyond a week is read as more than a few days."""


def _acute_opioid_supply(ctx: ItemContext, criterion: Criterion) -> Verdict:
    """Is the quantity limited to the expected duration of severe acute pain? A new prescription within a month of
    the injury answers only half: the request's count at its frequency says how many days it supplies (Synapryn
    500 ml was 'met' on the injury's date alone)."""
    status, quotes, reason = _short_course(ctx, criterion)
    if status != "met" or ctx.post_op:
        return status, quotes, reason
    regimen = ctx.facts.mme_citation.quote if ctx.facts.mme_citation else None
    supply = days_supply(ctx.item.text, regimen)
    request = [RecordCitation.of_request(ctx.item)]
    if supply is None:
        missing = " or ".join(supply_gaps(ctx.item.text, regimen))
        return "not_documented", request, (f"There is no documentation of {missing}, so the days the request supplies "
                                           "cannot be computed.")
    fewest, most = (round(days) for days in supply)
    span = f"{fewest}" if fewest == most else f"{fewest} to {most}"
    if not frequency_from_request(ctx.item.text) and ctx.facts.mme_citation is not None:
        request.append(ctx.facts.mme_citation)  # the regimen that says how often: the draft's figure is read from it
    if fewest > FEW_DAYS:
        return "not_met", request, (f"The request supplies {span} days at the frequency written: more than the few "
                                    "days the guideline finds often sufficient for acute pain.")
    return "met", request + quotes, f"{reason} The request supplies {span} days at the frequency written."


def _nsaid_course(ctx: ItemContext, criterion: Criterion) -> Verdict:
    """A first or short course, or continued use with documented benefit."""
    authorized = [] if ctx.already_using else _authorized_supply(ctx)
    if not ctx.already_using and not authorized:
        return "met", [], "A first course, as there is no documentation of NSAID use before this request."
    gain = ctx.functional_gain(medication=True) + ctx.present(RecordFact.treatment_response, treatment_class="medication")
    if gain:
        return "met", gain[:2], "Benefit from the medication is documented."
    if authorized:
        return "not_met", authorized[:1], ("The request adds to a supply the review already authorized; there is no "
                                           "documentation of pain relief or functional benefit from the medication.")
    return "not_met", ctx.already_using[:2], ("The medication is continued (earlier use is documented); there is no "
                                              "documentation of pain relief or functional benefit from it.")


def _medication_benefit(ctx: ItemContext, criterion: Criterion) -> Verdict:
    gain = ctx.functional_gain(treatment_class="medication", medication=True)
    if gain:
        return "met", gain[:2], "Functional improvement with the medication is documented."
    return "not_documented", ctx.present(RecordFact.pain_scores)[:1], (
        "There is no documentation of quantified pain relief and functional improvement with the medication.")


def _long_term_benefit(ctx: ItemContext, criterion: Criterion) -> Verdict:
    """Benefit from long-term use is asked of continued use; a first short course for acute pain has none to show."""
    if ctx.acute and not ctx.already_using:
        return "not_applicable", ctx.facts.timing_quotes, "A new short course for acute pain: there is no long-term use to judge."
    return _medication_benefit(ctx, criterion)


def _thirty_percent(ctx: ItemContext, criterion: Criterion) -> Verdict:
    scores = [(f.citation.date, f.value, f) for f in ctx.present(RecordFact.pain_scores) if f.value is not None]
    percent = [f for f in ctx.present(RecordFact.treatment_response, RecordFact.function, RecordFact.pain_scores)
               if any(int(p) >= 30 for p in re.findall(r"(\d{1,3})\s*%", f.citation.quote))]
    if percent:
        return "met", percent[:2], "At least 30% improvement is documented."
    if len(scores) >= 2 and scores[-1][1] <= 0.7 * scores[0][1]:
        return "met", [scores[0][2], scores[-1][2]], f"Pain fell from {scores[0][1]:g}/10 to {scores[-1][1]:g}/10."
    return "not_documented", [s[2] for s in scores[:2]], "There is no documentation of a 30% improvement in pain and function."


def _rfa_chronic(ctx: ItemContext, criterion: Criterion) -> Verdict:
    if ctx.radicular():
        return "not_met", ctx.radicular()[:2], "Radicular findings are documented: the pain is not shown to be facet-mediated."
    facet = [f for f in ctx.present(RecordFact.diagnosis) if re.search(r"facet|sacroiliac", f.citation.quote, re.I)]
    if facet and ctx.chronic:
        return "met", facet, "Chronic facet or sacroiliac pain is documented."
    return "not_documented", facet, "There is no documentation of chronic facet-mediated or sacroiliac pain."


def _diagnostic_block(ctx: ItemContext, criterion: Criterion) -> Verdict:
    """RFA candidacy rests on a diagnostic medial branch block that was done (not one planned or requested); the
    question does not arise for a facet injection or an epidural."""
    from assistant.vocabulary.record_cues import mentions_without_documenting

    if not _ABLATION.search(ctx.item.text):
        return "not_applicable", [], "The request is not radiofrequency ablation."

    done = ctx.sentences_matching(_DIAGNOSTIC_BLOCK, lambda s: not mentions_without_documenting(s))
    if done:
        return "met", done[:2], "A diagnostic block is documented."
    return "not_documented", [], _missing(criterion)


def _acute_severity(ctx: ItemContext, criterion: Criterion) -> Verdict:
    causes = [f for f in ctx.present(RecordFact.diagnosis, RecordFact.prior_treatments, RecordFact.red_flags)
              if _ACUTE_CAUSE.search(f.citation.quote)]
    if ctx.post_op or causes:
        return "met", causes or [RecordCitation.of_request(ctx.item)], "Surgery or a significant injury is documented."
    return "not_documented", [], "There is no documentation of severe trauma or surgery that warrants opioids."


def _no_benzodiazepine(ctx: ItemContext, criterion: Criterion) -> Verdict:
    benzo = ctx.present(RecordFact.benzodiazepine)
    if benzo:
        return "not_met", benzo, "A benzodiazepine is documented alongside the opioid."
    meds = ctx.present(RecordFact.medications)
    if meds:
        return "met", meds[:1], "The medications documented include no benzodiazepine."
    return "not_documented", [], "There is no documentation of the current medications."


def _dose_reassessed(ctx: ItemContext, criterion: Criterion) -> Verdict:
    mme = ctx.facts.mme
    threshold = 90 if "90" in criterion.id else 50
    if mme is None or mme.mme_per_day is None:
        lacking = ctx.facts.mme_missing or MME_INPUTS
        return "not_documented", [], f"MME/day cannot be computed: there is no documentation of {lacking}."
    if mme.mme_per_day < threshold:
        return "met", ctx.present(RecordFact.mme_per_day), f"{mme.arithmetic()}: below {threshold} MME/day."
    benefit = ctx.present(RecordFact.function)
    reaches = _reaches(mme, threshold)
    if benefit:
        return "met", benefit, f"{mme.arithmetic()}: {reaches}, with benefit documented."
    return "not_documented", ctx.present(RecordFact.mme_per_day), (
        f"{mme.arithmetic()}: {reaches}, and there is no documented reassessment of benefit and risk.")


def _reaches(mme: MmeResult, threshold: int) -> str:
    """How the regimen stands to the threshold: "1-2 tabs every 4-6 hours" of hydrocodone 5 mg is 20-60 MME/day, which
    reaches 50 only at its most frequent dosing; "at or above 50 MME/day" said more (CM17-0010420, post-operative)."""
    low = mme.mme_per_day_min
    if low is not None and low < threshold:
        return f"{threshold} MME/day or more only at the most frequent dosing the prescription allows"
    return f"at or above {threshold} MME/day"


BENEFIT_FACTS = (RecordFact.pain_scores, RecordFact.function)
RISK_REVIEW_FACTS = (RecordFact.side_effects, RecordFact.aberrant_behaviour, RecordFact.urine_drug_test,
                     RecordFact.pdmp_check, RecordFact.risk_assessment)


def _benefits_and_risks_reassessed(ctx: ItemContext, criterion: Criterion) -> Verdict:
    """CDC Rec 7 asks that benefits AND risks be reassessed: a pain score answers the first half only. Risks count
    as reassessed when the record speaks of side effects or misuse either way ("denies side effects" is a finding),
    or of a drug test, a PDMP check or a risk screen."""
    benefit = ctx.present(*BENEFIT_FACTS)
    risk = (ctx.present(*RISK_REVIEW_FACTS) + ctx.absent(RecordFact.side_effects, RecordFact.aberrant_behaviour))
    if benefit and risk:
        return "met", [benefit[0], risk[0]], "The record reassesses benefit (pain or function) and risk (quoted)."
    if benefit:
        return "not_documented", benefit[:1], (
            "There is no documentation of a reassessment of risks (side effects, aberrant behavior, drug testing or "
            "the PDMP).")
    if risk:
        return "not_documented", risk[:1], "There is no documentation of a reassessment of pain and function."
    return "not_documented", [], _missing(criterion)


def _naloxone(ctx: ItemContext, criterion: Criterion) -> Verdict:
    offered = ctx.present(RecordFact.naloxone)
    if offered:
        return "met", offered, "Naloxone is documented."
    mme = ctx.facts.mme.mme_per_day if ctx.facts.mme else None
    risks = ctx.present(RecordFact.benzodiazepine, RecordFact.substance_use_history)
    if risks or (mme is not None and mme >= 50):
        return "not_documented", risks[:2], "An overdose risk factor is documented, and there is no documentation that naloxone was offered."
    if ctx.absent(RecordFact.naloxone):
        return "not_met", ctx.absent(RecordFact.naloxone), "The record states naloxone was not offered."
    if mme is None:
        # "Met" by the absence of risk factors needs the dosage: CM17-0016311's Ultram row was met with no frequency
        # documented, so no MME/day, and nothing about naloxone (QA reading).
        return "not_documented", [], ("MME/day cannot be computed, so a dosage of 50 MME/day or more is not excluded, "
                                      "and there is no documentation that naloxone was offered.")
    return "met", [], (f"There is no documentation of an overdose risk factor (a benzodiazepine, substance use, or 50 "
                       f"MME/day or more: the dosage is {mme:g} MME/day).")


def _gi_risk(ctx: ItemContext, criterion: Criterion) -> Verdict:
    risk = [f for f in ctx.present(RecordFact.comorbidities, RecordFact.side_effects) if _GI_RISK.search(f.citation.quote)]
    if risk:
        return "met", risk, "A gastrointestinal risk factor or symptom is documented."
    return "not_documented", [], "There is no documentation of gastrointestinal risk factors or symptoms."


def _sites(text: str) -> frozenset[tuple[str, str]]:
    return deciding_terms(text, with_drugs=False).body_sites


def of_item_site(ctx: ItemContext, findings: list) -> list:
    """Findings (or record citations) about the item's own body site: a sentence naming only another site (a
    cervical MRI for a lumbar request, lumbar x-rays for a hip MRI) is not about this item; one naming no site may be."""
    wanted = _sites(ctx.item.text)
    if not wanted:
        return findings
    def quote(found) -> str:
        return found.quote if isinstance(found, RecordCitation) else found.citation.quote

    return [f for f in findings if not (named := _sites(quote(f))) or named & wanted]


def _radiographs_first(ctx: ItemContext, criterion: Criterion) -> Verdict:
    """Plain radiographs of the joint, not any imaging: an MRI of the shoulder does not answer it for the knee."""
    x_rays = [f for f in of_item_site(ctx, ctx.present(RecordFact.prior_imaging))
              if ("test", "x_ray") in deciding_terms(f.citation.quote, with_drugs=False).required]
    if x_rays:
        return "met", x_rays, "Plain radiographs are documented (quoted)."
    site = _site_words(ctx.item.text)
    return "not_documented", [], (f"There is no documentation of plain radiographs of the {site}." if site
                                  else _missing(criterion))


def _site_words(text: str) -> str:
    """The item's body site as it writes it, side included ("right knee"); "" when it names none."""
    terms = deciding_terms(text, with_drugs=False)
    spelled = [words for term, words in terms.spelled.items() if term in terms.body_sites or term[0].startswith("side of")]
    site = max(spelled, key=len, default="").lower()
    return f"{site} spine" if site.split()[-1:] in (["cervical"], ["thoracic"], ["lumbar"], ["lumbosacral"]) else site


def _radicular(ctx: ItemContext, criterion: Criterion) -> Verdict:
    radicular = ctx.radicular()
    imaging = [f for f in of_item_site(ctx, ctx.present(RecordFact.prior_imaging)) if re.search(r"nerve root|foramin|stenosis|herniat|protrusion|"
                                                                           r"extrusion|impinge|compress|radicul", f.citation.quote, re.I)]
    if ctx.deficits() and imaging:
        return "met", ctx.deficits()[:2] + imaging[:1], "Radicular findings on examination, corroborated by imaging, are documented."
    if ctx.normal_exam() and not radicular:
        return "not_met", ctx.normal_exam(), "The neurologic examination documented is normal."
    if radicular and not imaging:
        # Say which half is missing, with the record's own word on the imaging when it gives one: "No MRI report was
        # available." (CM17-0005418; its reviewer: "no recent MRI or electrodiagnostic studies supporting a diagnosis
        # of radiculopathy").
        no_imaging = ctx.absent(RecordFact.prior_imaging)[:1]  # a draft shows two quotes per row: keep this one
        return "not_documented", radicular[:2 - len(no_imaging)] + no_imaging, (
            "Radicular findings on examination are documented, but there is no documentation of imaging or "
            "electrodiagnostic testing that corroborates them.")
    return "not_documented", radicular[:2] + imaging[:1], ("There is no documentation of radiculopathy on examination "
                                                           "corroborated by imaging or electrodiagnostic testing.")


def _not_steroid_facet(ctx: ItemContext, criterion: Criterion) -> Verdict:
    text = ctx.item.text
    if re.search(r"\bfacet\b", text, re.I) and not re.search(r"medial branch|diagnostic|radiofrequency|ablation|rhizotomy", text, re.I):
        return "not_met", [RecordCitation.of_request(ctx.item)], "The request is a facet joint (therapeutic) injection, not a diagnostic block or ablation."
    if re.search(r"medial branch|radiofrequency|ablation|rhizotomy", text, re.I):
        return "met", [RecordCitation.of_request(ctx.item)], "The request is a diagnostic block or ablation."
    return "not_applicable", [], "The request is not a facet procedure."


RULES: dict[str, Callable[[ItemContext, Criterion], Verdict]] = {
    "cdc-acute-nonopioid-first": _nonopioid_tried,
    "cdc-initiate-nonopioid-preferred": _nonopioid_tried,
    "lbp-red-flags-evaluated": _red_flags_evaluated,
    "cdc-continue-adverse-events": _documented_either_way,
    "sleep-insomnia-diagnosis": _documented_either_way,
    "lbp-imaging-red-flags-present": _red_flags_present,
    "lbp-no-routine-imaging-acute": _not_acute_or_flags,
    "lbp-imaging-conservative-care-first": _conservative_care_first,
    "lbp-imaging-no-pretest-concern": _pretest_concern,
    "oa-no-mri-for-diagnosis": _pretest_concern,
    "oa-radiographs-first": _radiographs_first,
    "lbp-structured-exercise": _exercise_request,
    "lbp-exercise-functional-benefit": _response_to_same_class,
    "lbp-manipulation-pain-disability": _response_to_same_class,
    "lbp-acupuncture-benefit": _response_to_same_class,
    "lbp-esi-function-not-improved": _response_to_same_class,
    "oa-pt-comprehensive-plan": _response_to_same_class,
    "lbp-manipulation-chronic": _chronic,
    "lbp-acupuncture-chronic": _chronic,
    "lbp-rfa-chronic": _rfa_chronic,
    "lbp-muscle-relaxant-not-chronic": _short_course,
    "cdc-acute-short-duration": _acute_opioid_supply,
    "cdc-nsaid-lowest-shortest": _nsaid_course,
    "lbp-nsaid-course": _nsaid_course,
    "sleep-zdrug-short-course": _short_course,
    "cdc-continue-function-improvement": _medication_benefit,
    "lbp-muscle-relaxant-no-chronic-benefit": _long_term_benefit,
    "oa-oral-nsaid": _medication_benefit,
    "oa-topical-nsaid-knee": _topical_request,
    "cdc-continue-meaningful-30pct": _thirty_percent,
    "cdc-continue-risks-outweigh": _benefit_or_change,
    "cdc-continue-reassess-3-months": _benefits_and_risks_reassessed,
    "cdc-acute-severity-warrants": _acute_severity,
    "cdc-benzo-caution": _no_benzodiazepine,
    "cdc-dose-50-reassess": _dose_reassessed,
    "cdc-dose-diminishing-returns": _dose_reassessed,
    "cdc-dose-90-high": _dose_reassessed,
    "cdc-nsaid-gi-risk-ppi": _gi_risk,
    "cdc-naloxone-offered": _naloxone,
    "lbp-esi-radicular": _radicular,
    "lbp-no-steroid-facet": _not_steroid_facet,
    "lbp-rfa-diagnostic-block": _diagnostic_block,
}


def _missing(criterion: Criterion) -> str:
    if criterion.missing:
        return f"There is no documentation of {criterion.missing}."
    return f"Not documented in the record: {criterion.question.rstrip('?')}"


def _continuing_opioid(ctx: ItemContext) -> bool:
    return bool(ctx.present(RecordFact.opioid_duration)) or (ctx.category == "opioid" and bool(ctx.already_using))


def topic_applies(topic: CriteriaTopic, criteria: CriteriaSet, ctx: ItemContext) -> str | None:
    """None when the topic applies to this item; otherwise the reason it does not (shown as 'not applicable')."""
    text = ctx.item.text + " " + " ".join(f.citation.quote for f in ctx.present(RecordFact.diagnosis))
    if criteria.guideline_id.startswith("vadod-oa") and not _KNEE_HIP.search(text):
        return "The item is not for hip or knee osteoarthritis."
    if criteria.guideline_id.startswith("vadod-sleep") and not _INSOMNIA.search(text + ctx.case_text):
        return "No sleep disorder is documented."
    if topic.id == "opioids-lbp" and not _BACK.search(text):
        return "The item is not for low back pain."
    if ctx.category not in {"opioid", "benzodiazepine", "naloxone", "drug-testing"}:
        return None
    continuing = _continuing_opioid(ctx)
    rules = {
        "acute-pain": (ctx.acute, "The pain is not acute (more than a month since the injury, not post-operative)."),
        "initiating-subacute-chronic": (not ctx.acute and not continuing,
                                        "The pain is acute: these criteria are for subacute and chronic pain." if ctx.acute
                                        else "Opioids are already part of the regimen."),
        "continuing-long-term": (continuing, "Opioids are not part of the regimen yet."),
        "dosage-50-90-mme": (ctx.facts.mme is None or (ctx.facts.mme.mme_per_day or 0) >= 50,
                             f"The regimen is {ctx.facts.mme.arithmetic() if ctx.facts.mme else ''}, under 50 MME/day."),
        "er-la-opioids": (bool(_ER_LA_ITEM.search(ctx.item.text)), "The item is not an extended-release or long-acting opioid."),
        "benzodiazepine-coprescription": (ctx.category == "benzodiazepine" or bool(ctx.present(RecordFact.benzodiazepine)),
                                          "No benzodiazepine is documented."),
        "urine-drug-testing": (continuing or not ctx.acute or ctx.category == "drug-testing", "Short-term opioids for acute pain."),
        "pdmp-cures": (True, ""),
        "risk-and-naloxone": (not ctx.acute, "Short-term opioids for acute pain."),
        "tapering": (bool(_TAPER.search(ctx.item.text + " " + ctx.case_text)), "No taper is requested or planned."),
    }
    applies, reason = rules.get(topic.id, (True, ""))
    return None if applies else reason


def guideline_citation(criteria: CriteriaSet, topic: CriteriaTopic, criterion: Criterion) -> Citation:
    return Citation(guideline_id=criteria.guideline_id, title=criteria.title or criteria.guideline_id,
                    printed_page=criterion.page, section=criterion.section or topic.title, quote=criterion.guideline_quote)


def _row(criteria: CriteriaSet, topic: CriteriaTopic, criterion: Criterion, ctx: ItemContext, not_applicable: str | None) -> ChecklistRow:
    not_applicable = not_applicable or criterion.names_in(ctx.item.text)
    if not_applicable is not None:
        status, findings, reason = "not_applicable", [], not_applicable
    else:
        status, findings, reason = RULES.get(criterion.id, _positive)(ctx, criterion)
    quoted = [f if isinstance(f, RecordCitation) else f.citation for f in findings]
    citations = list({c.quote: c for c in quoted}.values())[:3]
    return ChecklistRow(criterion_id=criterion.id, question=criterion.question, topic=topic.title,
                        requirement=criterion.requirement.value, status=status,
                        guideline=guideline_citation(criteria, topic, criterion), record_citations=citations, reason=reason)


def suggest_decision(rows: Iterable[ChecklistRow]) -> tuple[Decision | None, list[str]]:
    """A suggestion only: not medically necessary while a required criterion is unmet or undocumented."""
    required = [r for r in rows if r.requirement == Requirement.required.value and r.status != "not_applicable"]
    if not required:
        return None, ["No required criterion applies to this item; the checklist makes no suggestion."]
    short = [r for r in required if r.status in {"not_met", "not_documented"}]
    if short:
        return "Upheld", [f"{r.question} — {r.status.replace('_', ' ')}" for r in short]
    return "Overturned", [f"{r.question} — met" for r in required]


def decision_warning(checklist: Checklist, decision: Decision | None) -> str | None:
    """A plain warning when the reviewer's decision runs against the checklist; the decision is never changed."""
    required = [r for r in checklist.applicable if r.requirement == "required"]
    if decision is None or not required:
        return None
    short = [r for r in required if r.status in {"not_met", "not_documented"}]
    if decision == "Overturned" and short:
        names = "; ".join(f"{r.question} ({r.status.replace('_', ' ')})" for r in short)
        return f"You are overturning although {len(short)} required criterion(s) are not met or not documented: {names}"
    if decision == "Upheld" and not short:
        return "You are upholding although every required criterion is met in the checklist; state the reason the record does not support the request."
    return None


def mme_citation(pages: GuidelinePages | None) -> Citation | None:
    """The CDC sentence that gives the conversion method, only when it verifies on printed page 31."""
    from assistant.verification.textmatch import quote_occurs

    page = pages.page(CDC_GUIDELINE_ID, CONVERSION_PAGE) if pages else None
    if page is None or not quote_occurs(CONVERSION_QUOTE, page.text):
        return None
    return Citation(guideline_id=CDC_GUIDELINE_ID, title="CDC Clinical Practice Guideline for Prescribing Opioids for Pain (2022)",
                    printed_page=CONVERSION_PAGE, section="Recommendation 4 (Table)", quote=CONVERSION_QUOTE)


def build_checklist(case: CaseFile, item_index: int, criteria_sets: dict[str, CriteriaSet], category: str | None,
                    decision: Decision | None = None, pages: GuidelinePages | None = None,
                    facts: RecordFacts | None = None) -> Checklist | None:
    """The checklist for one item, or None when no loaded criteria set covers its category."""
    item = case.items[item_index]
    if category is None or category not in {c.value for c in ItemCategory}:
        return None
    pairs = [(s, t, c) for s in criteria_sets.values() for t, c in s.for_category(category)]
    if not pairs:
        return None
    facts = facts or extract_record_facts(case.summary, injury_date=case.injury_date, item_text=item.text)
    ctx = ItemContext(item, category, facts, case.summary)
    applies = {(s.guideline_id, t.id): topic_applies(t, s, ctx) for s, t, _ in pairs}
    rows = [_row(s, t, c, ctx, applies[(s.guideline_id, t.id)]) for s, t, c in pairs]
    suggested, reasons = suggest_decision(rows)
    checklist = Checklist(item=item, category=category, guideline_ids=sorted({s.guideline_id for s, _, _ in pairs}), rows=rows,
                          suggested_decision=suggested, suggestion_reasons=reasons)
    if facts.mme is not None:
        checklist.mme_per_day, checklist.mme_arithmetic = facts.mme.mme_per_day, facts.mme.arithmetic()
        checklist.mme_citation, checklist.mme_record = mme_citation(pages), facts.mme_citation
    checklist.mme_missing = facts.mme_missing if facts.mme is None else None
    checklist.warning = decision_warning(checklist, decision)
    return checklist


def record_citations_of(checklist: Checklist) -> list[RecordCitation]:
    seen: dict[str, RecordCitation] = {}
    for row in checklist.applicable:
        for citation in row.record_citations:
            seen.setdefault(citation.quote, citation)
    return list(seen.values())


def item_category(item_text: str) -> str | None:
    """The item's most specific category, as the drafting topics classify it; None when it has none."""
    from assistant.vocabulary.categories import classify_item

    topic = classify_item(item_text)
    known = {c.value for c in ItemCategory}
    return next((c.name for c in topic.categories if c.name in known), None)
