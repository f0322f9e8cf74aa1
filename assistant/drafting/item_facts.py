"""Facts chosen for the disputed item, each a verbatim record quote ([R<n>]) with its source and date.

A draft's case move should speak to the item under review: its drug (with the same-class drugs tried before),
its treatment type and body region, the response and function reported for it, work status where the item's
criteria weigh it, and what utilization review said about this item. Sentences about the case's other disputed
items are avoided. Nothing is paraphrased: each fact is one record sentence, quoted."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from assistant.contracts import REQUEST_SOURCE, CaseFile, DisputedItem, RecordCitation
from assistant.criteria.facts import extract_record_facts
from assistant.criteria.model import RecordFact
from assistant.vocabulary.categories import CATEGORIES, classify_item
from assistant.vocabulary.drugs import DrugMention, class_category, identify_drugs
from assistant.vocabulary.record_cues import mentions_without_documenting, reports_a_review
from assistant.verification.record import VOCABULARY_NOTE, RecordSentence, check_fact_sentence, record_sentences, sex_of_record, stem
from assistant.verification.textmatch import STOPWORDS

MAX_ITEM_FACTS = 5
LIST_LINE = re.compile(r"^\s*(?:[-•*]|\d{1,2}[.)])\s|^[A-Z][A-Z ,/&]{3,}:?$")
MIN_FACT_SCORE = 2.0
MAX_OUTCOME_FACTS = 2
REGIONS = {
    "cervical": r"cervical|neck|c\d-\d", "thoracic": r"thoracic|mid[- ]back|t\d{1,2}",
    "lumbar": r"lumbar|lumbosacral|low(?:er)? back|l\d-(?:\d|s1)|sciatic", "shoulder": r"shoulders?|rotator cuff|acromio\w*",
    "elbow": r"elbows?|epicondyl\w*|cubital", "wrist/hand": r"wrists?|hands?|fingers?|thumbs?|carpal|digits?|de quervain",
    "hip": r"hips?|groin|pelvi\w*", "knee": r"knees?|menisc\w*|patell\w*|acl\b", "ankle/foot": r"ankles?|feet|foot|toes?|heel",
    "head": r"head|concussion|skull|brain|facial|face",
}
# Kinds of one procedure category with different indications: an epidural injection is not a facet injection.
PROCEDURE_KINDS = {
    "epidural": r"epidurals?|ESIs?|transforaminal|interlaminar|caudal",
    "facet": r"facets?|medial branch(?:es)?|radiofrequency|rhizotom\w*|RFA",
    "trigger point": r"trigger points?|TPIs?",
    "sacroiliac": r"sacroiliac|SI joints?",
    "intra-articular joint": r"intra-?articular|viscosupplement\w*|hyaluron\w*|synvisc",
    "platelet-rich plasma": r"PRP|platelet[- ]rich",
}
GENERIC_ITEM_WORDS = frozenset(
    """times time week weeks day days daily session sessions visit visits left right bilateral request requested
    retrospective additional continued continuation initial evaluation treatment therapy tabs tab tablet tablets
    oral refill refills apply affected area one two three four five six eight twice without with contrast
    unit units purchase rental dos prn upper lower extremity extremities injection injections pain associated
    surgical service services""".split()
)
# Criteria the guidelines weigh for continuing a medication or a course of therapy (response, function, work).
OUTCOME_CUE = re.compile(
    r"\b(?:improv\w*|relie\w*|benefit\w*|helped|worse\w*|unchanged|no change|function\w*|activities of daily living|"
    r"ADLs?|\d+/10|\d+ out of 10|work(?:ing)?\b|duty|disability|restrictions)\b",
    re.IGNORECASE,
)
# A review's decision on a request; "the injured worker denied alcohol use" and "modified duty" are not one.
UR_CUE = re.compile(r"\b(?:utilization review|UR\b|non-?certif\w*|(?:was|were|been|being|is|are) (?:denied|modified)|"
                    r"denied (?:the|this|a|an|due|because|as)\b|denial|modified the|(?:was|were|been|being|is|are|not) "
                    r"(?:pre-?)?authori[sz]ed|prior review|previously reviewed|original request|claims administrator)\b",
                    re.IGNORECASE)
REVIEW_DECISION = re.compile(r"\b(?:non-?certif\w*|denied|denial|modif\w+|authori[sz]\w+|approv\w+|upheld|overturned|"
                             r"certif\w+|determination)\b", re.IGNORECASE)
"""A review's sentence is about the case's only item when it decides something or dates what it decided on ('The
claims administrator referenced a November 8, 2016 date of service in its determination.', judged about the item in
the hand-checked fact sample): 'The claims administrator's transmission of the file … intermingled the pages of UR
reports …' (CM17-0011543) is about the file."""
TRIAL_CUE = re.compile(r"\b(?:tried|trial|failed|history of|since|previously|prior|treatment to date|has included|"
                       r"medications? (?:include|included|list)|current medications|prescribed|taking|(?:is|was|remains|been) on)\b",
                       re.IGNORECASE)
CONTINUING = {"opioid", "benzodiazepine", "physical-therapy", "chiropractic", "acupuncture", "psychological", "tens"}


@dataclass(frozen=True)
class ItemProfile:
    """What identifies the item in the record: its own words, its class (a category pattern), its body regions."""

    words: frozenset[str]
    category: str | None
    class_pattern: re.Pattern[str] | None
    regions: frozenset[str]
    other_words: frozenset[str] = field(default_factory=frozenset)
    generics: frozenset[str] = field(default_factory=frozenset)
    """The item's drugs' generic ingredients (Norco → hydrocodone, acetaminophen)."""
    drug_categories: frozenset[str] = field(default_factory=frozenset)
    """The categories the item's drugs are decided under (Synapryn → opioid)."""
    only_item: bool = False
    """The case disputes this item alone, so 'the request' in a UR sentence is this item."""
    kinds: frozenset[str] = field(default_factory=frozenset)
    """The procedure kinds the item names (facet, epidural …)."""


CLIPPED_WORDS = {"exam": "examination", "exams": "examinations", "eval": "evaluation", "evals": "evaluations",
                 "consult": "consultation", "rehab": "rehabilitation", "meds": "medications"}
"""A request's clipped word and the word the record writes ("Initial exam" / "initial examination were
non-certified", CM16-0231745): the stems differ, so the item matched no record sentence."""


def _specific_words(text: str) -> set[str]:
    words = re.findall(r"[A-Za-z][A-Za-z-]+", text)
    return {stem(CLIPPED_WORDS.get(w.lower(), w.lower())) for w in words
            if len(w) > 2 and w.lower() not in STOPWORDS and w.lower() not in GENERIC_ITEM_WORDS}


def procedure_kinds_in(text: str) -> set[str]:
    return {name for name, pattern in PROCEDURE_KINDS.items() if re.search(rf"\b(?:{pattern})\b", text, re.IGNORECASE)}


LIMBS = {
    r"upper extremit\w*|upper limbs?|[RLB]UE": {"shoulder", "elbow", "wrist/hand"},
    r"lower extremit\w*|lower limbs?|[RLB]LE": {"hip", "knee", "ankle/foot"},
}
"""A limb is the regions along it: 'NCS/EMG RUE' (CM17-0011543) named no region, so the record's 'electrodiagnostic
testing of the right upper extremity' and 'intact strength and sensation about the hands and upper extremities'
counted no more than a note on how the file's pages were sent."""


def regions_in(text: str) -> set[str]:
    found = {name for name, pattern in REGIONS.items() if re.search(rf"\b(?:{pattern})\b", text, re.IGNORECASE)}
    for pattern, parts in LIMBS.items():
        if re.search(rf"\b(?:{pattern})\b", text, re.IGNORECASE):
            found |= parts
    return found


@functools.lru_cache(maxsize=4096)
def drugs_in(text: str) -> tuple[DrugMention, ...]:
    return tuple(identify_drugs(text))


def _drug_categories(mentions: tuple[DrugMention, ...]) -> set[str]:
    return {class_category(c) for m in mentions for c in m.classes} - {""}


def item_profile(item: DisputedItem, case: CaseFile) -> ItemProfile:
    topic = classify_item(item.text)
    category = topic.names[0] if topic.names else None
    pattern = next((re.compile(c.item_pattern, re.IGNORECASE) for c in CATEGORIES if c.name == category), None)
    own = _specific_words(item.text)
    others = set().union(*(_specific_words(i.text) for i in case.items if i.text != item.text)) - own
    drugs = drugs_in(item.text)
    return ItemProfile(frozenset(own), category, pattern, frozenset(regions_in(item.text)), frozenset(others),
                       only_item=len(case.items) == 1, generics=frozenset(g for m in drugs for g in m.generics),
                       drug_categories=frozenset(_drug_categories(drugs)),
                       kinds=frozenset(procedure_kinds_in(item.text)))


def score_sentence(sentence: RecordSentence, profile: ItemProfile) -> float:
    """How much a record sentence is about this item: names it, its class, its region; UR on it; outcomes."""
    words = {stem(w.lower()) for w in re.findall(r"[A-Za-z][A-Za-z-]+", sentence.text)}
    drugs = drugs_in(sentence.text) if profile.generics or profile.drug_categories else ()
    same_drug = bool(profile.generics & {g for m in drugs for g in m.generics})
    names_item = len(words & profile.words) + same_drug
    in_class = bool(profile.class_pattern and profile.class_pattern.search(sentence.text)) or bool(
        profile.drug_categories & _drug_categories(drugs))
    kinds = procedure_kinds_in(sentence.text) if profile.kinds else set()
    if kinds and not kinds & profile.kinds:
        in_class = False  # the same category, another procedure (an epidural for a facet item)
    about_item = names_item > 0 or in_class
    # A drug of the item's class is a prior trial of it; a procedure category (imaging, injections, surgery) is
    # broad, so a sentence in it alone needs one more sign (region, UR, trial) to count.
    class_weight = 2.0 if profile.generics or profile.drug_categories else 1.5
    score = 2.0 * min(names_item, 3) + (class_weight if in_class else 0.0)
    regions = regions_in(sentence.text)
    if profile.regions and regions & profile.regions:
        score += 1.0
    elif profile.regions and regions and not names_item:
        score -= 2.0  # the same kind of treatment, for another body part
    if (about_item or (profile.only_item and REVIEW_DECISION.search(sentence.text))) and UR_CUE.search(sentence.text):
        score += 1.5 if about_item else 2.0
    if in_class and TRIAL_CUE.search(sentence.text):
        score += 1.0
    if about_item and OUTCOME_CUE.search(sentence.text):
        score += 1.0
    elif profile.category in CONTINUING and OUTCOME_CUE.search(sentence.text):
        score += 1.0
    if not about_item and words & profile.other_words:
        score -= 3.0
    return score


# Items that exist only because of a surgery in the same case: their necessity follows the surgery's.
DEPENDS_ON_SURGERY = re.compile(r"^\s*(?:associated surgical service|pre-?op(?:erative)?\b|post-?op(?:erative)?\b|"
                                r"assistant (?:PA|surgeon)\b|surgical assistant\b|PA[- ]assist(?:ant)?\b)", re.IGNORECASE)
MAX_SURGERY_FACTS = 2


def parent_surgery(case: CaseFile, item: DisputedItem) -> DisputedItem | None:
    """The case's surgery an associated, pre- or post-operative item or an assistant depends on, if one."""
    if not DEPENDS_ON_SURGERY.search(item.text):
        return None
    return next((other for other in case.items if other.text != item.text and not DEPENDS_ON_SURGERY.search(other.text)
                 and "surgery" in classify_item(other.text).names), None)


def item_facts(case: CaseFile, item: DisputedItem, limit: int = MAX_ITEM_FACTS) -> list[RecordCitation]:
    """The record sentences most about this item, in record order, as record citations; for a medication or a
    course of therapy, up to MAX_OUTCOME_FACTS more on response, function and work (what its criteria weigh); for
    an item that depends on a surgery (associated service, pre-operative test, assistant), the surgery's own
    facts fill what is left, up to MAX_SURGERY_FACTS."""
    facts = _own_facts(case, item, limit)
    surgery = parent_surgery(case, item)
    if surgery is not None and len(facts) < limit:
        known = {f.quote for f in facts}
        extra = [f for f in _own_facts(case, surgery, limit) if f.quote not in known]
        facts += extra[: min(MAX_SURGERY_FACTS, limit - len(facts))]
    return facts


def _own_facts(case: CaseFile, item: DisputedItem, limit: int) -> list[RecordCitation]:
    profile = item_profile(item, case)
    candidates = [s for s in record_sentences(case)
                  if s.source != REQUEST_SOURCE and 4 <= len(s.text.split()) <= 90 and not LIST_LINE.match(s.text)]
    scored = sorted(((score_sentence(s, profile), -n, s) for n, s in enumerate(candidates)), key=lambda t: (t[0], t[1]),
                    reverse=True)
    chosen = [(position, s) for score, position, s in scored if score >= MIN_FACT_SCORE][:limit]
    if profile.category in CONTINUING:
        outcomes = [(position, s) for score, position, s in scored
                    if 0 < score < MIN_FACT_SCORE and OUTCOME_CUE.search(s.text)]
        chosen += outcomes[: min(MAX_OUTCOME_FACTS, limit - len(chosen))]
    return [RecordCitation(quote=s.text, source=s.source, date=s.date) for _, s in sorted(chosen, key=lambda t: -t[0])]


CONTEXT_FACTS = (RecordFact.diagnosis, RecordFact.prior_treatments)


def case_context(case: CaseFile, facts: list[RecordCitation]) -> list[RecordCitation]:
    """The diagnosis and the treatment to date, for a draft whose item facts say nothing clinical (none, or only a
    review's account, a plan or a request: 'Ibuprofen 600mg #90 with 2 refills was the original request.',
    CM17-0002181): a home aide or an infrared-therapy request names no region or drug the record repeats, and
    its draft quoted only the utilization review. A reviewer's case move opens with the diagnosis; these are the
    fact extractors' own verified sentences, the first of each, and none already chosen."""
    if any(not reports_a_review(f.quote) and not mentions_without_documenting(f.quote) for f in facts):
        return []
    extracted = extract_record_facts(case.summary, injury_date=case.injury_date)
    chosen = {f.quote for f in facts}
    context: list[RecordCitation] = []
    for fact in CONTEXT_FACTS:
        found = next((f.citation for f in extracted.get(fact).present() if f.citation.quote not in chosen), None)
        if found is not None:
            chosen.add(found.quote)
            context.append(found)
    return context


def fact_sentence(citation: RecordCitation, number: int, in_review: bool = False) -> str:
    """'Per the case summary (11-15-2016): “…” [R2].' — the record's words, never ours. A review's account
    ("… were non-certified due to a lack of documented evidence of muscle spasms", or a sentence going on with its
    reasons: `in_review`) is labelled as one, so the reader does not take the review's reasons for what the treating
    record shows."""
    review = in_review or reports_a_review(citation.quote)
    notes = [note for note in (citation.shown_date, "the review's account" if review else None) if note]
    dated = f" ({'; '.join(notes)})" if notes else ""
    quote = citation.quote.rstrip()
    return f"Per the {citation.source}{dated}: “{quote}” [R{number}]."


def ground_facts(facts: list[str], case: CaseFile) -> tuple[list[str], list[RecordCitation]]:
    """Model-written case facts, each given the record sentence that supports it as an [R<n>] quote; a fact the
    record does not support keeps no marker, so the verifier reports it."""
    corpus = record_sentences(case)
    sex = sex_of_record(corpus)
    grounded: list[str] = []
    quotes: list[RecordCitation] = []
    for fact in (f.strip() for f in facts if f.strip()):
        check = check_fact_sentence(fact, corpus, sex)
        if check.status != "verified" or check.record_citation is None:
            grounded.append(fact)
            continue
        if check.record_citation.quote not in [q.quote for q in quotes]:
            quotes.append(check.record_citation)
        number = [q.quote for q in quotes].index(check.record_citation.quote) + 1
        body = fact.rstrip()
        end = body[-1] if body[-1] in ".!?" else "."
        grounded.append(f"{body.rstrip('.!?')} [R{number}]{end}")
    return grounded, quotes


def drug_note(item: DisputedItem) -> str | None:
    """'From the drug vocabulary: Norco is hydrocodone and acetaminophen (opioid, non-opioid analgesic); as
    requested, 10/325mg, #35.' — None when the item names no drug."""
    parts = []
    for mention in drugs_in(item.text):
        classes = ", ".join(c.replace("-", " ") for c in mention.classes) or "class not in the vocabulary"
        generic = " and ".join(mention.generics)
        same = generic.lower() == mention.surface.lower()
        dose = ", ".join(d for d in (mention.strength, mention.quantity, mention.frequency) if d)
        parts.append(f"{mention.surface}{'' if same else ' is ' + generic} ({classes})"
                     + (f"; as requested, {dose}" if dose else ""))
    return f"{VOCABULARY_NOTE} {'; '.join(parts)}." if parts else None
