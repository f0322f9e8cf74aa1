"""Normalised matching of quotes against page text, and a lexical support score for claims."""

from __future__ import annotations

import re
import unicodedata

from assistant.corpus.pages import normalise_characters

QUOTE_CHARS = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "″": '"'})
DASHES = re.compile(r"[\u2010-\u2015\u2212\-]")
ELLIPSIS = re.compile(r"\.\s?\.\s?\.|…")  # whitespace around it is dropped by match_key anyway
QUOTED_SPAN = re.compile(r"[\"“][^\"“”]{3,}[\"”]")  # an opening quote ends the scan: linear on a run of “
MIN_QUOTE_CHARS = 25
# A break after . ! or ? — not after an abbreviation that a capital often follows ("e.g. Low Back Complaints",
# "Dr. Lee", "Ch. 12"): split there, the words after it read as a statement of their own.
SENTENCE = re.compile(r"(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bvs\.)(?<!\bDr\.)(?<!\bCh\.)(?<!\bcf\.)"
                      r"(?<=[.!?])[\"”)]?\s+(?=[A-Z\"“(])|(?<=\d\.)(?=[A-Z][a-z])")
"""A break after . ! or ? and white space before a capital; or, with no space, after a date or number's full stop
before a capitalised word ('since at least 11-8- 16.On 11-29-16, he complained …', CM17-0007151)."""
QUOTATION = re.compile(r"[\"“][^\"“”]{3,600}[\"”](?![A-Za-z0-9])")
"""Bounded, so an unclosed quote cannot swallow a record; and closed only by a mark no letter follows: in
'treated for "herniated disc … spasm. Subjective complaint … worsened with "new numbness' the second mark opens a
quotation, and pairing it with the first kept two record sentences as one."""

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having he
    her here hers him his how i if in into is it its itself just me more most my no nor not now of off on once only
    or other our out over own same she should so some such than that the their them then there these they this
    those through to too under until up very was we were what when where which while who whom why will with would
    you your may might must shall per page pages noted note notes guideline guidelines state states stated
    according as recommendation recommendations chapter section therefore however case request requested""".split()
)


def match_key(text: str) -> str:
    """Whitespace, hyphens, dashes, ligatures, quote styles and letter case do not count."""
    text = unicodedata.normalize("NFKC", normalise_characters(text)).translate(QUOTE_CHARS)
    text = DASHES.sub("", text)
    return re.sub(r"\s+", "", text).casefold()


def quote_segments(quote: str) -> list[str]:
    """A quote with ellipses is several segments that must appear in order."""
    return [seg for seg in (match_key(s) for s in ELLIPSIS.split(quote.strip().strip('"“”'))) if seg]


def quote_occurs(quote: str, page_text: str) -> bool:
    haystack = match_key(page_text)
    position = 0
    segments = quote_segments(quote)
    if not segments:
        return False
    for segment in segments:
        found = haystack.find(segment, position)
        if found < 0:
            return False
        position = found + len(segment)
    return True


def quote_is_substantial(quote: str) -> bool:
    return sum(len(s) for s in quote_segments(quote)) >= MIN_QUOTE_CHARS


def singular_of_ies(word: str) -> str:
    """A plural in -ies read as its singular ("duties" is "duty", "therapies" "therapy"); other words unchanged. One
    rule for the record verifier's stem and the alignment's word key, so the two compare words alike."""
    return word[:-3] + "y" if word.endswith("ies") and len(word) >= 6 else word


def content_words(text: str) -> set[str]:
    words = re.findall(r"[A-Za-z][A-Za-z]+", normalise_characters(text).lower())
    return {w[:6] for w in words if len(w) > 2 and w not in STOPWORDS}


def support_score(claim: str, evidence: str) -> float:
    """Share of the claim's content words (crudely stemmed) found in the evidence; 1.0 for a claim with none."""
    claim_words = content_words(claim)
    if not claim_words:
        return 1.0
    return len(claim_words & content_words(evidence)) / len(claim_words)


def strip_quotes_and_markers(sentence: str) -> str:
    without_quotes = QUOTED_SPAN.sub(" ", sentence)
    return re.sub(r"\[\d+\]", " ", without_quotes)


def split_sentences(text: str) -> list[str]:
    """Sentences of prose: a break after . ! or ? (and a closing quote) before a capital or an opening quote —
    but never inside a quotation, so a guideline quote of two sentences stays with its lead and its [n] marker
    (split there, its second half would read as an uncited statement about the case)."""
    text = text.strip()
    quotations = [m.span() for m in QUOTATION.finditer(text)]
    pieces, start, q = [], 0, 0
    for match in SENTENCE.finditer(text):
        while q < len(quotations) and quotations[q][1] - 1 <= match.start():
            q += 1
        if q < len(quotations) and quotations[q][0] < match.start():
            continue
        pieces.append(text[start:match.start() + len(match.group(0).rstrip())])
        start = match.end()
    pieces.append(text[start:])
    return [s.strip() for s in pieces if s.strip()]


def mid_sentence(text: str) -> str:
    """A sentence continued after a colon or inside parentheses: its first letter lower-cased, unless its first word
    is an abbreviation ("MME/day cannot be computed" read "mME/day cannot be computed")."""
    first = text.split(maxsplit=1)[0] if text.strip() else ""
    if sum(ch.isupper() for ch in first) > 1:
        return text
    return text[:1].lower() + text[1:]
