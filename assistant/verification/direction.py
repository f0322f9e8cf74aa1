"""Does a sentence say the guideline recommends what the cited page recommends against, or the reverse?

Why: a claim is checked against its page by shared words and page ranking, and "the guideline recommends routine
imaging" shares every word with "we suggest against routine imaging". The direction of the page's own sentence
closest to the claim must agree with the claim's. Conditional wording in the claim ("only", "unless", "in the
absence of", "if") makes its direction ambiguous, and such claims are not judged here.
"""

from __future__ import annotations

import functools
import re

from assistant.verification.textmatch import content_words, split_sentences

AGAINST = re.compile(
    r"\b(?:recommends?|recommendations?|recommended|suggests?|suggested|advises?|advised|argues?)\s+against\b|"
    r"\b(?:not|never)\s+(?:be\s+|been\s+)?(?:routinely\s+)?(?:recommended|suggested|indicated|supported|endorsed|"
    r"advised|offered|used|prescribed)\b|"
    r"\b(?:does|do|did)\s+not\s+(?:recommend|suggest|support|endorse|advise)\b|\bshould\s+(?:not|avoid)\b|"
    r"\bavoid(?:s|ed|ing)?\b|\bagainst\s+(?:the\s+)?(?:routine\s+)?use\b|\bnot\s+to\s+(?:use|prescribe|offer)\b",
    re.IGNORECASE)
FOR = re.compile(r"\b(?:recommends?|recommended|suggests?|suggested|supports?|endorses?|endorsed|should|advises?)\b",
                 re.IGNORECASE)
NEUTRAL = re.compile(r"\b(?:for\s+or\s+against|neither\s+for\s+nor\s+against|insufficient\s+evidence|caution)\b",
                     re.IGNORECASE)
"""No direction: "insufficient evidence to recommend for or against", "use particular caution when prescribing"."""
TABLE_STRENGTH_CELL = re.compile(
    r"\b(?:(?:strong|weak)\s+(?:for|against)|neither\s+for\s+nor\s+against)(?=\s*\|?\s*(?:not\s+)?reviewed\b)",
    re.IGNORECASE)
"""A table's strength column before its category column ("Neither for nor against Reviewed, New-replaced"): the
VA/DoD appendix of 2017 and 2022 wording runs a row's cells into the next row's statement, which has a direction of
its own."""
CONDITIONAL = re.compile(
    r"\b(?:only|unless|except|absence|without|if|when|until|rather\s+than|instead|but|however|although|first|"
    r"before|after|prior\s+to|lowest|shortest|caution)\b", re.IGNORECASE)
DIRECTION_WORDS = frozenset(content_words("recommend recommends recommended recommendation suggest suggests suggested "
                                          "against avoid avoided should support supports endorse advise guideline "
                                          "guidelines clinicians"))
BULLET = re.compile(r"\s*[•·▪]\s*")
MIN_SHARED = 0.6
"""Share of the claim's own words (direction words aside) a page sentence must hold to be the one it restates."""
TIE = 0.05
SAME_STATEMENT = 0.85
"""A claim whose words the page sentence holds at least this share of is that statement, conditions included."""


def direction(sentence: str, conditional_is_ambiguous: bool = False) -> str | None:
    """'against', 'for', or None (no recommendation, a neutral one, or — in a claim — conditional wording: "only
    with red flags" may restate "against … without red flags"). A guideline's own "we recommend against …
    without red flags" is still against."""
    sentence = TABLE_STRENGTH_CELL.sub(" ", sentence)
    if NEUTRAL.search(sentence) or conditional_is_ambiguous and CONDITIONAL.search(sentence):
        return None
    against = [m.span() for m in AGAINST.finditer(sentence)]
    for_ = [m for m in FOR.finditer(sentence) if not any(a <= m.start() < b for a, b in against)]
    if against and for_:
        return None  # "should consider … and should not apply …": two recommendations, no one direction
    return "against" if against else "for" if for_ else None


def page_sentences(page_text: str) -> list[str]:
    """The page's sentences, a bulleted list item each on its own."""
    return [part.strip() for sentence in split_sentences(" ".join(page_text.split()))
            for part in BULLET.split(sentence) if part.strip()]


@functools.lru_cache(maxsize=256)
def _worded_sentences(page_text: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """The page's sentences with their content words, split once per page: the five statement checks and every
    sentence citing the page compare against the same split."""
    return tuple((sentence, frozenset(content_words(sentence))) for sentence in page_sentences(page_text))


GUIDELINE_NAME = re.compile(r"\b(?:the\s+)?(?:VA/DoD|VA|DoD|CDC|ACOEM|ODG|MTUS)\b[\w\s/&'-]{0,60}?\b(?:guidelines?|CPG)\b",
                            re.IGNORECASE)
"""The guideline a claim names ("The VA/DoD low back pain guideline recommends …"): which guideline, not what it says."""


def claim_words(claim: str) -> tuple[set[str], dict[str, frozenset[str]]]:
    """The claim's own words (the guideline's name and direction words aside) and, for an abbreviation or brand name
    among them, the words the vocabulary spells it out in: "recommends against NSAIDs for chronic low back pain"
    restates "we suggest nonsteroidal anti-inflammatory drugs" though it shares only "low back pain" with it."""
    from assistant.vocabulary.query import with_vocabulary_terms

    text = GUIDELINE_NAME.sub(" ", claim)
    words = content_words(text) - DIRECTION_WORDS
    spelled: dict[str, frozenset[str]] = {}
    for surface in set(re.findall(r"[A-Za-z][\w/-]*", text)):
        own = content_words(surface)
        extra = frozenset(content_words(with_vocabulary_terms(surface)) - own)
        for word in own & words if extra else ():
            spelled[word] = extra
    return words, spelled


def sentence_shares(words: set[str], page_text: str,
                    spelled: dict[str, frozenset[str]] | None = None) -> list[tuple[float, str]]:
    """Each page sentence with the share of `words` it holds."""
    spelled = spelled or {}

    def held(sentence_words: frozenset[str]) -> int:
        return sum(1 for w in words if w in sentence_words or (w in spelled and spelled[w] <= sentence_words))

    return [(held(sentence_words) / len(words), sentence) for sentence, sentence_words in _worded_sentences(page_text)]


GUIDELINE_VOICE = re.compile(r"\bwe (?:recommend|suggest)\b|\bthere is insufficient evidence to recommend\b", re.IGNORECASE)
"""A VA/DoD recommendation's own statement ("For patients with low back pain, we suggest nonsteroidal
anti-inflammatory drugs."): what the guideline recommends, over a discussion or footnote sentence in the same words."""


def closest_sentences(words: set[str], page_text: str,
                      spelled: dict[str, frozenset[str]] | None = None) -> tuple[float, list[str]]:
    """The page sentences holding the largest share of `words` (ties within TIE kept), and that share; a word the
    sentence holds spelled out (`spelled`) counts as held."""
    if not words:
        return 0.0, []
    scored = sentence_shares(words, page_text, spelled)
    best = max((share for share, _ in scored), default=0.0)
    return best, [sentence for share, sentence in scored if share >= best - TIE]


def opposite_statement(claim: str, page_text: str) -> str | None:
    """The page's sentence that the claim restates with the opposite direction, or None."""
    words, spelled = claim_words(claim)
    if direction(claim) is None or len(words) < 2:
        return None
    best_share, closest = closest_sentences(words, page_text, spelled)
    if best_share < MIN_SHARED:
        return None
    # "… recommends against NSAIDs for chronic low back pain" (LBP p. 50) is judged by the page's statement "we suggest
    # nonsteroidal anti-inflammatory drugs", not by the footnote that NSAIDs "must be used cautiously or avoided in
    # patients with renal impairment", which holds the claim's words as well.
    voiced = [(share, sentence) for share, sentence in sentence_shares(words, page_text, spelled)
              if share >= MIN_SHARED and GUIDELINE_VOICE.search(sentence)]
    if voiced:
        best_share = max(share for share, _ in voiced)
        closest = [sentence for share, sentence in voiced if share >= best_share - TIE]
    # A claim holding nearly all of the statement's words carries its conditions too ("without red flags"): only
    # its direction differs. A looser restatement with a condition of its own may mean the same in other words.
    said = direction(claim, conditional_is_ambiguous=best_share < SAME_STATEMENT)
    directions = [direction(sentence) for sentence in closest]
    if said is None or said in directions or not any(directions):
        return None  # a page sentence as close as any says what the claim says (a table of 2017 and 2022 wording)
    return next(sentence for sentence, theirs in zip(closest, directions) if theirs is not None)
