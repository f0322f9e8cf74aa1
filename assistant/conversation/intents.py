"""What a chat message asks for, by patterns (no model): the intent, the item, the decision."""

from __future__ import annotations

import re

from assistant.contracts import Decision
from assistant.conversation.state import ChatState
from assistant.criteria.facts import FACT_PATTERNS, TREATMENT_CLASSES
from assistant.criteria.model import RecordFact

BROAD_FACTS = frozenset({RecordFact.symptom_duration, RecordFact.treatment_goals})
"""Fact patterns too broad to mark a question as about the case ('since', 'chronic', 'goals')."""

DRAFT = re.compile(r"\b(?:draft|write|redraft|prepare)\b", re.IGNORECASE)
REVISE = re.compile(r"\b(?:shorten|shorter|mention|add that|include|remove|drop|revise|rephrase|make it)\b", re.IGNORECASE)
CHECK = re.compile(r"\b(?:check|verify|validate)\b", re.IGNORECASE)
EXPLAIN = re.compile(r"\bwhy\b|\bexplain\b|\bhow did you (?:choose|pick)\b", re.IGNORECASE)
ITEM = re.compile(r"\bitem\s*#?\s*(\d{1,2})\b|\b(first|second|third|fourth|fifth)\s+item\b", re.IGNORECASE)
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5}
OVERTURN = re.compile(r"\boverturn(?:ed)?\b|\bapprov\w*|\bmedically necessary\b(?<!not medically necessary)|\bcertif(?:y|ied)\b", re.IGNORECASE)
UPHOLD = re.compile(r"\buph(?:o|e)ld\b|\bdeny\b|\bdenied\b|\bnot medically necessary\b|\bnon-?certif\w*", re.IGNORECASE)
CHECKLIST = re.compile(r"\bwhat(?:'s| is| are)? (?:still )?missing\b|\bchecklist\b|\bcriteri(?:a|on)\b.{0,40}\bitem\b|"
                       r"\bwhy is\b.{0,80}\b(?:not documented|not met|met)\b", re.IGNORECASE)
DECISION_QUESTION = re.compile(
    r"\bwhy\b.{0,60}\b(?:uph(?:o|e)ld|overturn(?:ed)?|not medically necessary|medically necessary|deny|approve[sd]?|"
    r"decision|suggest(?:ed|ion|s)?)\b|"
    r"\b(?:basis|reasons?|reasoning|grounds) (?:for|of|behind) (?:the|this|your|its|that) (?:decision|suggestion|"
    r"determination)\b", re.IGNORECASE)
"""'why is it upheld?', 'why not overturn item 2?', 'what is the basis for the suggestion?': the checklist's reasons for
the item's decision (it searched the guidelines for "upheld"). 'why was it denied?' asks what the utilization
review said: RECORD_QUESTION."""
MME_QUESTION = re.compile(r"\bMMEs?\b|\bmorphine (?:milligram )?equivalent", re.IGNORECASE)
RECORD_QUESTION = re.compile(
    r"^\s*(?:does|did|has|had|have|is|was|were|are)\s+(?:the\s+)?(?:patient|injured worker|iw|(?-i:pt|Pt)|claimant|applicant|"
    r"he|she|they)\b|^\s*(?:is|was|were|are)\s+there\b.{0,80}\b(?:documented|in the record|noted)\b|"
    r"^\s*(?:was|were|has|have|had|did)\b.{0,60}\b(?:tried|done|performed|completed|given|prescribed|documented|"
    r"noted|attempted|checked|ordered)\b|"
    r"^\s*(?:does|did|do)\s+(?:the\s+)?(?:record|records|chart|case|summary|notes?|documentation)\b|"
    r"^\s*(?:is|are)\b.{0,60}\b(?:documented|noted|recorded|corroborated|confirmed|substantiated)\b|"
    r"\bin (?:the|this) (?:record|records|case|chart)\b|\bwhat did (?:the\s+)?(?:UR|utilization review|claims administrator|"
    r"(?:prior|previous|earlier|original)\s+review(?:er)?|reviewer)\b|"
    r"\b(?:UR|utilization review)(?:'s)? (?:say|said|reasons?|rationale)\b|\bwhat (?:medications?|meds|drugs)\b|\bwhy was\b.{0,60}\b(?:denied|non-?certified|modified)\b",
    re.IGNORECASE)
"""A question about the case itself, answered from the record's own sentences when a case is open."""
CASE_FACT_OPENING = re.compile(r"^\s*(?:(?:are|is|were|was)\s+there\s+(?:any\s+)?|any\s+)", re.IGNORECASE)
EXAM_FINDING = re.compile(r"\b(?:instability|unstable|locking|catching|giving way|buckling|effusion|swelling|crepitus|tenderness|"
                          r"spasms?|atrophy|antalgic|limp|McMurray\w*|Lachman\w*|drawer sign|impingement sign\w*)\b",
                          re.IGNORECASE)
"""Findings of an examination: 'any instability or locking of the knee?' asks what this case's exam found (it searched
the osteoarthritis guideline, CM17-0019120)."""
CASE_HISTORY = re.compile(
    r"^\s*what\b.{0,60}\b(?:has|have|had|was|were)\s+(?:been\s+)?(?:tried|done|given|prescribed|performed|completed|"
    r"attempted|documented|noted|ordered)\b|^\s*how long\s+(?:has|have|had|did|was|is)\b|"
    r"^\s*what\b.{0,60}\b(?:has|have)\b.{0,20}\b(?:had|received|undergone)\b|"
    r"^\s*(?:has|have|had|did|was|were)\b.{0,60}\b(?:improv\w*|worsen\w*|chang\w*|respond\w*|help\w*)\b|"
    r"\b(?:so far|to date|thus far|until now)\s*[?.!]*\s*$", re.IGNORECASE)  # 'how many PT visits so far?'
ITEMS_QUESTION = re.compile(
    r"\bwhat (?:is|are|was|were) (?:being )?(?:requested|the requests?|the disputed items?|in dispute)\b|\bdisputed items?\b|"
    r"^\s*(?:what|which) (?:is|are|was|were) (?:the )?(?:items?|requests?)\s*[?.!]*\s*$|"
    r"^\s*(?:please\s+)?(?:list|show)(?: me)? (?:the |all )?(?:items?|requests?)\b|^\s*how many (?:items?|requests?)\b",
    re.IGNORECASE)
"""'what is being requested?', 'what are the items?' (it searched the guidelines, CM17-0016311), 'list the items':
the disputed items, which the case overview lists."""
CASE_ATTRIBUTE = re.compile(
    r"^\s*what(?:'s|\s+is|\s+are|\s+was|\s+were)\s+(?:the\s+)?(?:(?:patient|injured worker|claimant|applicant)'s\s+)?"
    r"(?:diagnos[ie]s|work status|pain (?:scores?|levels?|ratings?)|date of injury|injury date|current medications?|"
    r"prior imaging|imaging results?|exam(?:ination)? findings?|mechanism of injury)\b|"
    r"^\s*what did (?:the\s+)?(?:MRI|CT|x-?rays?|EMG|NCS|NCV|imaging|exam(?:ination)?|UDS|urine drug (?:screen|test))\s+show\b|"
    r"^\s*(?:does|did|do)\s+(?:the|his|her|their|this|that|(?:the\s+)?(?:prior|previous|last|latest|most recent))\s+"
    r"(?:lumbar\s+|cervical\s+|thoracic\s+|knee\s+|shoulder\s+)?(?:MRI|CT|x-?rays?|EMG|NCS|NCV|EMG/NCS|imaging|"
    r"exam(?:ination)?|UDS|urine drug (?:screen|test))\s+(?:show|reveal|demonstrate|find|indicate|confirm)\w*\b|"
    r"^\s*when (?:was|did) (?:the\s+)?(?:injury|patient|injured worker|claimant|applicant|he|she)\b|"
    r"^\s*how old\b|\bsummar\w*\b.{0,20}\b(?:case|record|patient|history)\b|\b(?:case|record) (?:summary|overview)\b|"
    r"^\s*give me the (?:history|case)\b|" + ITEMS_QUESTION.pattern, re.IGNORECASE)
"""'what are the diagnoses?', 'what did the MRI show?', 'does the MRI show nerve root compression?' (it searched the
guidelines, CM17-0007151), 'when was the injury?', 'what are the items?' (it searched the guidelines, CM17-0016311):
the case's own attributes."""
CASE_OVERVIEW = re.compile(
    r"^\s*(?:please\s+)?(?:give me\s+)?(?:an?\s+|the\s+)?(?:overview|summary|recap|synopsis|background)\s*[.?!]*\s*$|"
    r"^\s*(?:please\s+)?(?:summari[sz]e|recap)(?:\s+please)?\s*[.?!]*\s*$|"
    r"\bwhat(?:'s|\s+is)\s+(?:this|the)\s+case\s+about\b|\bbrief me\b|"
    r"\btell me about\s+(?:this|the)\s+(?:case|patient|injured worker|claimant|applicant|record)\b|"
    r"^\s*what happened(?:\s+to\s+(?:him|her|them|this\s+\w+|the\s+\w+(?:\s+worker)?))?\s*[?.!]*\s*$|"
    r"\b(?:case|clinical)\s+background\b", re.IGNORECASE)
"""'what is this case about?', 'tell me about this patient', 'give me an overview': the whole case, asked without
naming a fact. A chat message matching it is a question about the case, not a guideline search."""
CASE_QUESTION_FORMS = re.compile(
    r"^\s*(?:is|was|were|are)\s+(?:the\s+|his\s+|her\s+)?[\w'’ -]{1,40}?\b(?:test|sign|maneuver)\s+(?:positive|negative)\b|"
    r"\bon (?:the )?(?:physical )?exam(?:ination)?\b|"
    r"^\s*when (?:was|were|did)\b|\bhow long (?:since|ago)\b|"
    r"^\s*how many\b.{0,60}\b(?:requested|authori[sz]ed?|approved?|certif(?:y|ied)|denied|modified|completed|attended|"
    r"received|done|had|so far)\b|"
    r"\b(?:date of service|visit at issue|DOS)\b|\bfirst[- ]time (?:request|prescription)\b|"
    r"^\s*what\b.{0,60}\b(?:has|have|had|was|were)\s+(?:already|previously|ever)\s+(?:been\s+)?(?:tried|done|given|"
    r"prescribed|performed|completed|attempted|ordered)\b|"
    r"^\s*is (?:the|his|her|their) pain (?:acute|subacute|chronic|worse|better|improv\w*|controlled|constant|radiat\w*)\b|\b(?:documented|noted|recorded)\s*[?.!]*\s*$|"
    # An examination's or a test's result, how the injury happened, which side or level: a second QA pass over seven
    # dev cases ('what did the drop arm test show?', 'was McMurray positive?', 'how did the injury happen?', 'which
    # vertebra is fractured?', 'what was the knee flexion on the latest exam?' each searched the guidelines).
    r"^\s*what (?:did|does) (?:the |his |her )?[\w'’ -]{0,40}?\b(?:test|exam|examination|sign|maneuver|MRI|x-?rays?|"
    r"CT|scan|ultrasound|EMG|study|studies)\b[\w'’ -]{0,40}?\s+(?:show|reveal|find|demonstrate)\b|"
    # A third QA reading: 'what did the CT of the brain show?', 'is the back pain acute or chronic?', 'were there any
    # hip exam findings on 11-16-16?', 'why was the EEG requested?', 'was there any witnessed seizure activity?'.
    r"^\s*is (?:the|his|her|their) [\w -]{1,20}?pain (?:acute|subacute|chronic)\b|\bexam(?:ination)? findings?\b|"
    r"^\s*why (?:was|were|did) (?:the |his |her )?[\w'’ -]{0,40}?\b(?:requested|ordered|prescribed|denied|"
    r"modified|non-?certified)\b|"
    r"^\s*(?:was|were) there (?!(?:any |a )?(?:evidence|studies|trials|data|guidelines?|recommendations?)\b)\w|"
    r"\b(?:test|sign|maneuver|raise|exam|examination)\s+results?\b|^\s*(?:is|was|were|are)\s+(?:the\s+)?[\w'’ -]{1,30}?\s+"
    r"(?:positive|negative|normal|abnormal)\s*\??\s*$|"
    r"^\s*what (?:is|was|were|are) (?:the |his |her )?[\w'’ -]{0,30}?\b(?:range of motion|ROM|flexion|extension|"
    r"abduction|rotation|strength|reflex(?:es)?|sensation|gait)\b|"
    r"\bhow did (?:the |his |her |this )?(?:injury|accident|fall)\b|^\s*how was (?:he|she|the \w+) (?:injured|hurt)\b|"
    r"\bmechanism of (?:the )?injury\b|^\s*which (?:side(?!\s+effects?)|vertebra|vertebrae|level|levels|knee|shoulder|hip|hand|wrist|"
    r"elbow|ankle|foot|leg|arm)\b|\bon the (?:latest|last|most recent|initial|first) (?:exam|examination|visit)\b",
    re.IGNORECASE)
"""How reviewers ask about the case open in front of them, read by a QA pass over 14 dev cases: 'Is Spurling's test
positive?', 'What was the motor strength on exam?', 'When was the request for authorization submitted?', 'How many
chiropractic sessions were requested and how many authorized?', 'How long since the injury?', 'What was the date of
service at issue?', 'Is this a first-time request for Naprosyn?', 'What imaging has already been done of the neck?',
'Is the pain acute or chronic?', 'What objective findings are documented?' — each had searched the guidelines."""
GUIDELINE_WORDS = re.compile(r"\b(?:guidelines?|recommend\w*|suggest\w*|evidence|should|indicated|appropriate|"
                             r"supports?|supported|risks?|harms?|benefits?|role|safe|safety|effective\w*|efficacy|"
                             r"options?|alternatives?)\b", re.IGNORECASE)
"""'are there red flags?', 'any neurological deficits?', 'what conservative treatment has been tried?', 'how long
has the pain lasted?': with a case open, about the case; 'is there evidence for …' stays a guideline question."""
PATIENT_REFERENCE = re.compile(r"\b(?:he|she|his|her|him|this (?:patient|worker|claimant)|(?:the )?(?:patient|injured "
                               r"worker|claimant|applicant)'s)\b", re.IGNORECASE)
"""This case's patient, in a question: 'how bad is her pain?', 'what is the patient's BMI?'."""
GOVERNING_QUESTION = re.compile(r"\b(?:which|what) guidelines?\b.{0,40}\b(?:appl|govern|cover|address|use)\w*|"
                                r"\bgoverning guideline\b", re.IGNORECASE)
MENTION = re.compile(r"\b(?:mention|add|include|note)\s+(?:that\s+)?(.+?)\s*\.?$", re.IGNORECASE)

def detect_intent(message: str) -> str:
    if CHECKLIST.search(message):
        return "checklist"
    if DECISION_QUESTION.search(message) and not RECORD_QUESTION.search(message):
        return "checklist"
    if GOVERNING_QUESTION.search(message):
        return "governing"
    if RECORD_QUESTION.search(message) or _asks_about_the_case(message):
        return "record"
    if EXPLAIN.search(message) and (ITEM.search(message) or
                                    re.search(r"\b(?:passage|cite|cited|citation|page|guideline|source)\b", message, re.I)):
        return "explain"  # "explain item 2" is about the item, not words to look up in the guidelines
    if re.match(r"\s*(?:check|verify)\b", message, re.I):
        return "check"
    if CHECK.search(message) and re.search(r"\b(?:draft|rationale|citations?|text|this|it|mine|my)\b", message, re.I):
        return "check"
    if DRAFT.search(message) and not message.rstrip().endswith("?"):
        return "draft"
    if REVISE.search(message) and not message.rstrip().endswith("?"):
        return "revise"
    return "lookup"


def _asks_about_the_case(message: str) -> bool:
    if CASE_OVERVIEW.search(message):
        return True
    if GUIDELINE_WORDS.search(message):
        return False
    if CASE_HISTORY.search(message) or CASE_ATTRIBUTE.search(message) or CASE_QUESTION_FORMS.search(message):
        return True
    if message.rstrip().endswith("?") and PATIENT_REFERENCE.search(message):
        return True  # "how bad is her pain these days?": a guideline question does not speak of her
    patterns = [p for fact, p in FACT_PATTERNS.items() if fact not in BROAD_FACTS] + list(TREATMENT_CLASSES.values())
    patterns.append(EXAM_FINDING.pattern)
    return bool(CASE_FACT_OPENING.match(message)) and any(re.search(p, message, re.IGNORECASE) for p in patterns)


def requested_item(message: str, state: ChatState) -> int:
    match = ITEM.search(message)
    if not match:
        return state.last_item
    return (int(match.group(1)) if match.group(1) else ORDINALS[match.group(2).lower()]) - 1


def requested_decision(message: str) -> Decision | None:
    if UPHOLD.search(message):
        return "Upheld"
    if OVERTURN.search(message):
        return "Overturned"
    return None
