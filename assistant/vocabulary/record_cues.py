"""Record sentences that mention a treatment without documenting it: plans, requests and review decisions.

Why here: the criteria fact extractors skip them (a planned MRI is not a prior MRI), and the record verifier must
agree — "there is no documentation of prior physical therapy" is not contradicted by "the treatment plan included
physical therapy" or by "utilization review determined physical therapy was not medically necessary". One
definition for both keeps the checklist and the verifier from disagreeing about the same sentence.
"""

from __future__ import annotations

import re
from datetime import date

UR_SENTENCE = re.compile(
    r"\b(utilization review|prior review|previous review|peer review|\bUR\b|non-?certif\w*|(?:was|were|been) denied|"
    r"denied (?:due|because|as)|(?:rationale|reason|basis) for (?:the )?(?:denial|non-?certification|modification)|"
    r"reviewed and (?:denied|modified|non-?certified)|(?:was|were) (?:previously )?modified|modified the request|Request for Authorization|IMR|claims administrator|"
    r"(?:was|were|been|being) (?:authori[sz]ed|certified|approved))\b", re.IGNORECASE)
"""A review's decision or account (utilization review, claims administrator, IMR; 'The rationale for denial regarding
Salonpas and AneCream indicated …', CM16-0245796), not the treating record."""
PLAN_SENTENCE = re.compile(
    r"\b(treatment plan|plan (?:of care )?(?:included|includes|was|is)|recommended|recommendations? (?:for|of|to)|"
    r"requested|requesting|request for|(?:was|is|were) the (?:original )?request|recommendation (?:was|is) to|"
    r"(?:is|was|were|been) (?:scheduled|ordered|sought)|"
    r"will (?:be|undergo)|"
    r"would|pending|referr\w+ (?:for|to)|intent on|pursu(?:e|ing|it)|proposed)\b", re.IGNORECASE)
"""What is planned or asked for, not what was done ('The plan of care included … a lumbar spine MRI and a pain
specialist for epidural steroid injection' is neither imaging nor an injection received, CM17-0007151; nor is '… consulting
visit with recommendation for physical therapy sessions, epidural injection …', CM17-0013754; nor 'Acupuncture for 8
sessions was the original request.', CM17-0007857; nor 'Physical therapy appointments were scheduled on the last visit but
the injured worker did not go', CM16-0224814; 'Six sessions of physical therapy … were ordered.', CM17-0011543; '… is
requesting more physical therapy sessions', CM16-0235869)."""
PLAN_REASON = re.compile(r"\b(?:because|due to|secondary to|as (?:he|she|the (?:patient|injured worker)) "
                         r"(?:is|was|has|had|does|did|cannot|can ?not)\b).*", re.IGNORECASE | re.DOTALL)
"""The reason a plan or request gives is documentation, though the plan is not: 'The plan of care included
Ibuprofen suspension … "as he is not able to tolerate oral medications."' (CM16-0243394)."""
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
          "december")
RECORD_DATE = re.compile(r"\b(\d{1,2})[-/] ?(\d{1,2})[-/] ?(\d{2,4})\b|\b(" + "|".join(m.capitalize() for m in MONTHS)
                         + r")\s+(\d{1,2}),\s+(\d{4})\b")
"""A date as letters write it: 11-04-2016, 11/4/16, November 4, 2016 — and "11-4- 16", where the PDF's line break
left a space after a separator (9 such dates in the 63 dev letters; read as no date, they made an interval of
weeks look like zero days)."""


_UNTIL_BEFORE_DATE = re.compile(r"\b(?:through|thru|until|till|up to|return(?:ing)?(?: to (?:work|full duty))? on|"
                                r"follow[- ]?up (?:on|visit on)|scheduled (?:for|on)|next (?:visit|appointment)(?: on| is)?)\s*$",
                                re.IGNORECASE)


def entry_date(sentence: str) -> str | None:
    """The date of the entry a sentence reports: not a date it looks ahead to ('The injured worker was placed off work
    through 12-12-2016' is a visit before that day; CM17-0003917 counted 12 days to it where the visit was on day 9)."""
    for found in RECORD_DATE.finditer(sentence):
        if not _UNTIL_BEFORE_DATE.search(sentence[max(0, found.start() - 40):found.start()]):
            return found.group(0)
    return None


TREATED_FOR = r"\b(?:(?:is|was|are|were|been|being)\s+(?:being\s+)?treated|(?:undergoing|under|receiving) treatments?)\s+for\b"
"""How 24 of the 63 dev letters state the diagnoses ("the injured worker is undergoing treatment for left hip strain
and possible lumbar radiculopathy"; "is undergoing treatments for cervical spine radiculitis") without the word
"diagnosis"."""


DIAGNOSIS_WORD = re.compile(r"\bdiagnos[ie]s\b|\bdiagnosed\b|" + TREATED_FOR, re.IGNORECASE)


def diagnosis_sentences(case_summary: str) -> list[str]:
    """The summary's sentences (up to each full stop) that state diagnoses. Split by str.split, not a regex scanning
    '[^.]*' from every position: that took 138 s on 16 KB of "the diagnoses " without a full stop."""
    return [piece + "." for piece in case_summary.split(".")[:-1] if DIAGNOSIS_WORD.search(piece)]


def stated_reason(sentence: str) -> str:
    """What a plan, request or review sentence documents: the reason it states, else nothing."""
    found = PLAN_REASON.search(sentence)
    return found.group(0) if found else ""


def mentions_without_documenting(sentence: str) -> bool:
    """A plan, a request or a review's account of it: names a treatment without saying it took place (sessions
    'authorized' by the claims administrator are not sessions received — the checklist reads them the same way)."""
    return bool(PLAN_SENTENCE.search(sentence) or UR_SENTENCE.search(sentence))


REVIEW_CONTINUATION = re.compile(
    r"^(?:additionally|furthermore|moreover|in addition|also)\b|\b(?:lack of|no|nor|not|without)\b[^.]{0,30}\bdocumentation\b|"
    r"\bdocumented evidence\b|"
    r"\bno indication for\b|\bmedically necessary\b|\bguidelines?\b|\brationale\b|\binsufficient evidence\b",
    re.IGNORECASE)
"""A sentence that goes on with the review's reasons after a review's account ("The retrospective request for
cyclobenzaprine … was non-certified …" / "There is no indication for the need to have a second muscle relaxant nor
was there documentation of complaints of muscle spasms."): it opens with a continuation word or speaks the
reviewer's language ("no documentation of", "rationale"), which a treating physician's note does not. "Additional
clinical documentation submitted for review included …" opens new records and does not continue the account."""


def review_account(sentences: list[str]) -> list[bool]:
    """For each sentence, whether it belongs to a review's account: a review sentence itself, or a sentence
    continuing the one before it when that one belongs (CM16-0247802's prior review gives its reasons over two
    sentences; the second named no review and was quoted as what the record shows)."""
    flags: list[bool] = []
    for sentence in sentences:
        continues = bool(flags) and flags[-1] and bool(REVIEW_CONTINUATION.search(sentence.strip()))
        flags.append(bool(UR_SENTENCE.search(sentence)) or continues)
    return flags


_AUTHORIZATION_REQUEST = re.compile(r"\bRequest for Authori[sz]ation\b|\bRFA\b", re.IGNORECASE)


def reports_a_review(sentence: str) -> bool:
    """A sentence giving a review's or the claims administrator's decision or reasons; a Request for Authorization
    alone is the request, not a review."""
    return bool(UR_SENTENCE.search(_AUTHORIZATION_REQUEST.sub(" ", sentence)))


def parse_date(text: str) -> date | None:
    found = RECORD_DATE.search(text)
    if not found:
        return None
    if found.group(4):
        month, day, year = MONTHS.index(found.group(4).lower()) + 1, int(found.group(5)), int(found.group(6))
    else:
        month, day, year = (int(g) for g in found.groups()[:3])
    year += 2000 if year < 100 else 0
    try:
        return date(year, month, day)
    except ValueError:
        return None


def interval_words(days: int) -> str:
    """A number of days as a reviewer reads it: "4 days", "37 days (about 5 weeks)" — never "about 0 weeks". Weeks
    are the nearest whole number, as the interval check counts them: "18 days (about 2 weeks)" was shown beside a
    flag on "two weeks after the injury" (QA reading, CM16-0244053); 18 days is nearer three."""
    count = int(days / 7 + 0.5)
    weeks = f" (about {count} week{'s' if count >= 2 else ''})" if days >= 7 else ""
    return f"{days} day{'' if days == 1 else 's'}{weeks}"


def days_between(first: str | None, second: str | None) -> int | None:
    """Days between two record dates as written ("10-20-2016", "December 2, 2016"); None when either is unreadable."""
    start, end = parse_date(first or ""), parse_date(second or "")
    return abs((end - start).days) if start is not None and end is not None else None


_DIMINISHED = r"(?:decreas\w*|diminish\w*|reduced|absent|weak\w*|impaired|lost|loss of|hypo\w+)"
_NEURO_EXAM = r"(?:reflex(?:es)?|DTRs?|strength|sensation|sensory|motor|dermatom\w*|myotom\w*)"
LOW_REFLEX_GRADE = (r"\breflex(?:es)?\s+(?:(?:is|was|were|are|of|at)\s+)?(?:[01]\s*\+|trace\b)|"
                    r"\b(?:[01]\s*\+|trace)\s+(?:[\w-]+\s+){0,4}?reflex")
"""A reflex graded 1+ or 0 or trace (2+ is normal): 'right ankle deep tendon reflex 1+' (CM17-0003917). A pattern
fragment: the checklist's objective deficits and the verifier's NEURO_DEFICIT both read it."""
NEURO_DEFICIT = re.compile(
    rf"\b{_DIMINISHED}\s+(?:[\w-]+\s+){{0,4}}?{_NEURO_EXAM}\b|"
    rf"\b{_NEURO_EXAM}\s+(?:[\w-]+\s+){{0,3}}?(?:(?:is|was|were|are)\s+)?{_DIMINISHED}|"
    + LOW_REFLEX_GRADE + "|"
    r"\b[0-4](?:\+|-)?\s*/\s*5\b|\b[0-4] out of 5 (?:strength|motor)|\bfoot drop\b|\bhypoesthesia\b|\bhyporeflexi\w*",
    re.IGNORECASE)
"""An objective neurologic deficit on examination, as records write it: "decreased right ankle reflex", "right ankle
deep tendon reflex 1+" (2+ is normal), "4/5 strength", "diminished sensation in the L5 dermatome", "foot drop"."""
_DEFICIT_DENIED = re.compile(r"\b(?:no|not|without|denie[sd]|negative for)\b[^.;]{0,40}$", re.IGNORECASE)


def documents_neuro_deficit(sentence: str) -> re.Match[str] | None:
    """The first objective neurologic deficit a record sentence documents, not denied ("no decreased sensation")."""
    for found in NEURO_DEFICIT.finditer(sentence):
        if not _DEFICIT_DENIED.search(sentence[max(0, found.start() - 40):found.start()]):
            return found
    return None


_INJURY_BEFORE_DATE = re.compile(r"\b(?:injur(?!ed\s+worker)\w*|claim|accident|incident|DOI)\b[^.]*$", re.IGNORECASE)
"""A date the sentence gives as the injury's ('an industrial injury on 10-20-2016', 'an occupational claim from
11/02/2016') dates that sentence only: the sentences after it are not entries of the injury day. 'The injured worker
presented on 12-03-2016' is a visit."""


def gives_injury_date(sentence: str) -> bool:
    """Whether the sentence's first date is the injury's ('sustained an industrial injury on 10-20-2016')."""
    found = RECORD_DATE.search(sentence)
    return bool(found and _INJURY_BEFORE_DATE.search(sentence[:found.start()]))


_OPENS_WITH_DATE = re.compile(r"^\W*(?:\S+\s+){0,6}?" + RECORD_DATE.pattern, re.IGNORECASE)


def _looks_back(sentence: str, found: str, current: str | None) -> bool:
    """A date earlier than the entry being read, given inside the sentence, is an event the entry reports ('The
    injured worker reported seeing his personal physician on 12-05-2016 …' in the 12-09-2016 visit, CM17-0003917):
    the sentences after it stay the visit's ('Physical exam noted … right ankle deep tendon reflex 1+' was dated
    12-05-2016). A sentence that opens with its date ('On 11-15-2016, …', 'Progress notes dated 11-4-16 …') starts
    an entry of its own, earlier or not."""
    earlier = current is not None and (parse_date(found) or date.max) < (parse_date(current) or date.min)
    return earlier and not _OPENS_WITH_DATE.match(sentence)


SPANS_THE_RECORD = re.compile(r"\b(?:to date|thus far|(?:a )?review of (?:the )?(?:submitted |available )?(?:medical )?"
                              r"(?:records|documentation))\b", re.IGNORECASE)
"""A sentence about the whole record, not one visit: "Treatment to date has included chiropractic treatment …" was
quoted as of 11-9-16, the visit before it (CM16-0232182), and "A review of the medical records shows the injured worker
has had diagnoses of multiple trauma." as of 11-29-16 (CM16-0249735)."""


def entry_dates(sentences: list[str], reviews: list[bool] | None = None) -> list[str | None]:
    """Each sentence's date as the record gives it: its own, else the date of the entry it belongs to (the last
    'On <date>' before it that is not the injury's, a review's, or an earlier event an entry reports). The
    checklist's facts and the record verifier read the same dates."""
    reviews = reviews if reviews is not None else review_account(sentences)
    dated: list[str | None] = []
    current: str | None = None
    for sentence, review in zip(sentences, reviews):
        found = entry_date(sentence)
        if found and not review and not gives_injury_date(sentence) and not _looks_back(sentence, found, current):
            current = found
        dated.append(found or (None if SPANS_THE_RECORD.search(sentence) else current))
    return dated

