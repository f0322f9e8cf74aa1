"""Find guideline page citations in free text written by reviewers, and match written names to the catalog.

The verifier needs to know which guideline and which printed pages a sentence claims to rely on, whatever
house style the reviewer used ("page 23 of the Chronic Pain Medical Treatment Guidelines", "CDC 2022, pp.
17–18", "Table 12-8, page 309", "Page(s): 23"). Everything here works on whitespace tokens and short,
anchored regexes, so arbitrary input is scanned in linear time (no catastrophic backtracking).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from pydantic import BaseModel, Field

from assistant.contracts import GuidelineEntry

__all__ = [
    "RecognisedCitation",
    "expand_pages",
    "recognise_citations",
    "resolve_guideline_name",
]

# The page keyword, then a page list. Each alternative is anchored and bounded, so matching is linear.
_PAGE_ANCHOR = re.compile(
    r"(?<![A-Za-z0-9.])"
    r"(?P<kw>Page\(s\)|[Pp]ages?|PAGES?|pp\.|pg\.?|pgs\.?|p\.|p(?=\s+\d))"
    r"[ \t]*(?::[ \t]*)?(?:\n[ \t]*)?"
    r"(?P<pages>(?:\d{1,4}[a-z]?|[ivx]{1,6}(?![A-Za-z]))"
    r"(?:[ \t]*(?:-|–|—|to|through|and|&|,)[ \t]*(?:\n[ \t]*)?(?:\d{1,4}[a-z]?)(?![\d/]))*)"
    r"(?![\d/.,-]\d)(?![A-Za-z%])"
)
_PAGE_ITEM = re.compile(r"\d{1,4}[a-z]?|[ivx]{1,6}")
_RANGE = re.compile(r"^(\d{1,4})\s*(?:-|–|—|to|through)\s*(\d{1,4})$")
_SPLIT = re.compile(r"\s*(?:,|\band\b|&)\s*")
_SINGLE = re.compile(r"\d{1,4}[a-z]?(?:[ \t]*(?:-|–|—|to|through)[ \t]*\d{1,4})?|[ivx]{1,6}")
_DATE_LIKE = re.compile(r"\d[-–]\d{1,4}[-–]\d")
_ROMAN = re.compile(r"^(?:x{0,3})(?:ix|iv|v?i{0,3})$")
_PLURAL_KW = {"pages", "pp.", "page(s)", "pgs", "pgs."}
_TABLE = re.compile(r"^(Table|TABLE|Figure|FIGURE|Fig\.|Box|BOX)$")
_TABLE_LABEL = re.compile(r"^[A-Z]?\d{1,3}(?:[-–.]\d{1,3})?[A-Za-z]?[,;:]?$")

_CONNECTORS = {"of", "for", "and", "the", "&", "in", "on", "to", "with", "-", "–", "a"}
_LOWER_NAME_WORDS = {
    "guideline", "guidelines", "ed.", "edition", "chapter", "rd", "th", "practice", "medicine", "medical",
    "treatment", "occupational", "clinical", "disability",
}
# Capitalised words that open a sentence or a citation line but are not part of a guideline's name.
_LEADING_DROP = {
    "per", "as", "in", "the", "according", "see", "pursuant", "under", "based", "also", "thus", "therefore",
    "however", "this", "these", "that", "it", "non-mtus", "citation", "decision", "and", "of", "to", "on", "a",
    "for", "with", "from", "by", "further", "noted", "cited", "while", "although", "when", "because", "since",
    "if", "whereas", "here", "there", "both", "again", "similarly", "likewise", "moreover", "furthermore",
    "additionally", "finally", "notably", "specifically", "still", "yet", "but", "so", "now",
}
_PAREN_YEAR = re.compile(r"^\(\d{4}\)[,;:.]?$")
_SIGNAL_WORDS = ("guideline", "chapter", "mtus", "acoem", "odg", "cdc", "cpmtg", "disability", "practice")
_ABBREVIATIONS = {"p", "pp", "pg", "pgs", "ed", "no", "vol", "fig", "e.g", "i.e", "etc", "dr", "mr", "ms", "vs", "al", "approx"}
_MAX_RANGE = 60
_MAX_NAME_TOKENS = 14
_MAX_SENTENCE_REACH = 600
"""Characters a citation's sentence may reach on each side. Real sentences are shorter; a text with no sentence
end (pasted without full stops) would otherwise make every citation copy the whole text: quadratic time."""
_TOKEN = re.compile(r"\S+")


class RecognisedCitation(BaseModel):
    """One page citation found in free text, with the guideline it names (or the one it borrows from context)."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    raw: str
    guideline_name: str | None = None
    guideline_inferred: bool = False
    pages: list[str] = Field(default_factory=list)
    table: str | None = None
    sentence: str = ""

    @property
    def span(self) -> tuple[int, int]:
        return (self.start, self.end)


@dataclass(frozen=True)
class _Tok:
    start: int
    end: int
    text: str

    @property
    def word(self) -> str:
        return self.text.strip("()[]\"'“”‘’,;:")


def expand_pages(text: str) -> list[str]:
    """Turn "335-336" into ["335", "336"] and "17, 19 and 21" into three labels, keeping printed labels as strings."""
    pages: list[str] = []
    for part in _SPLIT.split(text.strip()):
        part = part.strip()
        if not part:
            continue
        ranged = _RANGE.match(part)
        if ranged:
            first, last = int(ranged.group(1)), int(ranged.group(2))
            if first <= last <= first + _MAX_RANGE:
                pages.extend(str(n) for n in range(first, last + 1))
            else:
                pages.extend([ranged.group(1), ranged.group(2)])
            continue
        pages.extend(_PAGE_ITEM.findall(part))
    seen: set[str] = set()
    return [p for p in pages if not (p in seen or seen.add(p))]


def _tokens(text: str) -> list[_Tok]:
    return [_Tok(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]


def _is_name_token(tok: _Tok) -> bool:
    word = tok.word
    if not word:
        return False
    lower = word.lower()
    if lower in _CONNECTORS or lower in _LOWER_NAME_WORDS:
        return True
    first = word[0]
    return first.isupper() or first.isdigit()


def _has_signal(words: list[str]) -> bool:
    for word in words:
        lower = word.lower().strip("().,")
        if any(lower.startswith(s) for s in _SIGNAL_WORDS):
            return True
        letters = [c for c in word if c.isalpha()]
        if len(letters) >= 2 and sum(c.isupper() for c in letters) >= 2 and word[0].isupper():
            return True
    return False


def _names_guideline_kind(name: str) -> bool:
    """A mention with a guideline word or a guideline publisher's name in it ("MTUS", "the CDC guideline")."""
    return any(w.lower().startswith(_SIGNAL_WORDS) for w in _WORD.findall(name))


def _trim(run: list[_Tok]) -> list[_Tok]:
    while run and (run[0].word.lower() in _CONNECTORS or run[0].word.lower() in _LEADING_DROP):
        run = run[1:]
    while run and run[-1].word.lower() in _CONNECTORS:
        run = run[:-1]
    return run


def _name_from(run: list[_Tok], text: str) -> tuple[str, int, int] | None:
    run = _trim(run)
    if not run or not _has_signal([t.word for t in run]):
        return None
    start = run[0].start + (len(run[0].text) - len(run[0].text.lstrip("([\"'“‘")))
    end = run[-1].end - (len(run[-1].text) - len(run[-1].text.rstrip(")]\"'”’,;:.")))
    if run[-1].text.rstrip(",;:.\"'”’").endswith(")") and "(" in text[start:end]:
        end = run[-1].end - (len(run[-1].text) - len(run[-1].text.rstrip(",;:.\"'”’")))
    if end <= start:
        return None
    name = " ".join(text[start:end].split())
    return (name, start, end)


def _backward_name(tokens: list[_Tok], index: int, text: str) -> tuple[str, int, int] | None:
    """The guideline name written just before tokens[index] ("CDC 2022 guideline, p. 17").

    A comma or period before the run ends it, except while the run still lacks a guideline word, so that
    "ACOEM … Practice Guidelines, 3rd ed., Low Back Disorders, pg. 607" keeps its whole name.
    """
    run: list[_Tok] = []
    i = index - 1
    while i >= 0 and len(run) < _MAX_NAME_TOKENS:
        tok = tokens[i]
        if not _is_name_token(tok):
            break
        if run and tok.text[-1] in ",;:." and _has_signal([t.word for t in run]):
            break
        if run and tok.text[-1] in ".!?" and tok.word.lower() not in {"ed.", "ed"} and not tok.word[:1].isdigit():
            break
        run.insert(0, tok)
        if tok.text.startswith(("(", "[")) and not _PAREN_YEAR.match(tok.text):
            break
        i -= 1
    return _name_from(run, text)


_PUBLISHER_HEAD = r"\b(?:VA/DoD|VA|DoD|CDC|MTUS|ACOEM|ODG|AHRQ|NICE)\b[^.;:()\n\[\]]{0,80}?\b(?:guidelines?|CPG)\b"
"""A guideline named after its publisher, up to its guideline word: 'VA/DoD low back pain guideline'."""
_PUBLISHER_NAME = re.compile(
    r"(?P<name>" + _PUBLISHER_HEAD +
    r"(?:[ \t]+(?:for|on)[ \t]+[^.;:,()\n\[\]]{1,60}?)?)"
    r"[ \t]*(?:\(\d{4}\))?[ \t]*[,:]?[ \t]*(?:at[ \t]+|on[ \t]+)?\(?$")
_PUBLISHER_REACH = 160
_PUBLISHER_MENTION = re.compile(_PUBLISHER_HEAD)


def _publisher_name(text: str, anchor: int, backward: tuple[str, int, int] | None) -> tuple[str, int, int] | None:
    """A name written in lower case after its publisher, which the capitalised-run rule cuts short: "the VA/DoD
    low back pain guideline (2022), page 28" (read as "guideline (2022)"), "the VA/DoD guideline for low back
    pain, p. 28" (read as "VA/DoD guideline"). Searched in the bounded text just before the page."""
    window_start = max(0, anchor - _PUBLISHER_REACH)
    found = _PUBLISHER_NAME.search(text[window_start:anchor])
    if found is None:
        return backward
    start = window_start + found.start("name")
    if backward is not None and backward[1] <= start:
        return backward  # the capitalised run already holds the whole name ("CDC Clinical Practice Guideline …")
    return (" ".join(found.group("name").split()), start, window_start + found.end("name"))


def _forward_name(tokens: list[_Tok], index: int, text: str) -> tuple[str, int, int] | None:
    """The name after "of the"/"in the" following the page list ("page 82 of the MTUS Chronic Pain …")."""
    if index >= len(tokens) or tokens[index].word.lower() not in {"of", "in", "from"}:
        return None
    if tokens[index].text[-1] in ",;:.":
        return None
    run: list[_Tok] = []
    i = index + 1
    while i < len(tokens) and len(run) < _MAX_NAME_TOKENS:
        tok = tokens[i]
        if not _is_name_token(tok):
            break
        if tok.text.startswith("(") and ")" not in tok.text:
            break  # "(July 28, 2016)" is a date after the name, "(ODG)" is part of it
        run.append(tok)
        if tok.text[-1] in ",;:" or (tok.text.endswith(".") and tok.word.lower() not in {"ed.", "u.s."}):
            break
        if tok.text.endswith(")") and "(" not in tok.text:
            break
        i += 1
    return _name_from(run, text)


_PARA_BREAK = re.compile(r"\n[ \t]*\n|\f")


def _is_sentence_end(text: str, i: int) -> bool:
    """Whether text[i] ('.', '!' or '?') ends a sentence rather than an abbreviation or a decimal."""
    if i + 1 < len(text) and not text[i + 1].isspace():
        return False
    if text[i] != ".":
        return True
    j = i
    while j > 0 and not text[j - 1].isspace() and i - j < 8:
        j -= 1
    word = text[j:i].strip("(\"'“").lower()
    if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
        return False
    return True


def _table_before(tokens: list[_Tok], index: int) -> tuple[str, int] | None:
    """A "Table 12-8," label right before the page keyword at tokens[index]; returns (label, its first token)."""
    if index < 2:
        return None
    label_tok, kind_tok = tokens[index - 1], tokens[index - 2]
    if _TABLE.match(kind_tok.text) and _TABLE_LABEL.match(label_tok.text):
        return (f"{kind_tok.text} {label_tok.text.rstrip(',;:')}", index - 2)
    return None


def _token_index(tokens: list[_Tok], pos: int) -> int:
    """Index of the first token that starts at or after pos (binary search)."""
    lo, hi = 0, len(tokens)
    while lo < hi:
        mid = (lo + hi) // 2
        if tokens[mid].start < pos:
            lo = mid + 1
        else:
            hi = mid
    return lo


class _Context:
    """Paragraph starts, sentence ends and guideline-name mentions of one text, computed once (linear time)."""

    def __init__(self, text: str, tokens: list[_Tok]) -> None:
        self.text = text
        self.para_starts = [0] + [m.end() for m in _PARA_BREAK.finditer(text)]
        self.para_ends = [m.start() for m in _PARA_BREAK.finditer(text)] + [len(text)]
        self.sentence_ends = [i for i, ch in enumerate(text) if ch in ".!?" and _is_sentence_end(text, i)]
        self.mentions: list[tuple[int, int, str]] = []  # (end, start, name)
        run: list[_Tok] = []
        for tok in tokens + [_Tok(len(text), len(text), "")]:
            if tok.text and _is_name_token(tok) and not (run and _PARA_BREAK.search(text, run[-1].end, tok.start)):
                run.append(tok)
                closes = tok.text[-1] in ",;:" or (tok.text.endswith(".") and tok.word.lower() != "ed.")
                if not closes and len(run) < _MAX_NAME_TOKENS:
                    continue
                found = _name_from(run, text)
                run = []
            else:
                found = _name_from(run, text)
                run = [tok] if tok.text and _is_name_token(tok) else []
            if found:
                self.mentions.append((found[2], found[1], found[0]))
        # A name in lower case after its publisher ("The VA/DoD low back pain guideline recommends … (page 29)")
        # is cut to "guideline" by the capitalised-run rule, which resolves to nothing; at one end, the longer wins.
        self.mentions += [(m.end(), m.start(), " ".join(m.group().split())) for m in _PUBLISHER_MENTION.finditer(text)]
        # "The guideline says …" names no guideline, and "PT" or "MRI" (capitals, but no guideline word) is none:
        # the citation they precede belongs to the last guideline named.
        self.mentions = sorted((m for m in self.mentions if names_a_guideline(m[2]) and _names_guideline_kind(m[2])),
                               key=lambda m: (m[0], -m[1]))
        self.mention_ends = [m[0] for m in self.mentions]

    def paragraph_start(self, pos: int) -> int:
        return self.para_starts[bisect.bisect_right(self.para_starts, pos) - 1]

    def paragraph_end(self, pos: int) -> int:
        return self.para_ends[bisect.bisect_left(self.para_ends, pos)]

    def last_mention(self, low: int, high: int) -> str | None:
        """The last guideline-like name that ends in [low, high]."""
        index = bisect.bisect_right(self.mention_ends, high) - 1
        if index >= 0 and self.mentions[index][1] >= low:
            return self.mentions[index][2]
        return None

    def sentence_bounds(self, start: int, end: int) -> tuple[int, int]:
        """From the previous sentence end to the next one, never past the paragraph."""
        para_start, para_end = self.paragraph_start(start), self.paragraph_end(end)
        before = bisect.bisect_left(self.sentence_ends, start) - 1
        left = self.sentence_ends[before] + 1 if before >= 0 else 0
        after = bisect.bisect_left(self.sentence_ends, end)
        right = self.sentence_ends[after] + 1 if after < len(self.sentence_ends) else len(self.text)
        left, right = max(left, para_start), min(right, para_end)
        return max(left, start - _MAX_SENTENCE_REACH), min(right, end + _MAX_SENTENCE_REACH)


def recognise_citations(text: str) -> list[RecognisedCitation]:
    """Every page citation in `text`, in order, each with its guideline name as written when one is given."""
    if not text:
        return []
    tokens = _tokens(text)
    context = _Context(text, tokens)
    found: list[RecognisedCitation] = []
    last_named: tuple[int, str] | None = None
    for match in _PAGE_ANCHOR.finditer(text):
        pages_text = match.group("pages")
        kw = match.group("kw")
        first = _PAGE_ITEM.match(pages_text)
        if first is None:
            continue
        if first.group()[0] in "ivx" and not _ROMAN.match(first.group()):
            continue
        if _DATE_LIKE.search(pages_text):
            continue  # "10-13-16" is a date, not a page range
        plural = kw.lower() in _PLURAL_KW
        if not plural:
            # "page 309, and with …": a singular keyword takes one page or one range, never a list.
            single = _SINGLE.match(pages_text)
            pages_text = single.group() if single else pages_text
        pages = expand_pages(pages_text)
        if not pages:
            continue
        kw_start = match.start("kw")
        pages_end = match.start("pages") + len(pages_text)
        kw_index = _token_index(tokens, kw_start)
        # When the keyword is glued to the previous token ("(p." is one token), step back to that token.
        if kw_index >= len(tokens) or tokens[kw_index].start != kw_start:
            kw_index = max(0, kw_index - 1)
        start, end = kw_start, pages_end
        table: str | None = None
        name_index = kw_index
        table_found = _table_before(tokens, kw_index)
        if table_found:
            table, name_index = table_found
            start = tokens[name_index].start
        name: tuple[str, int, int] | None = None
        after_index = _token_index(tokens, pages_end)
        forward = _forward_name(tokens, after_index, text)
        if forward:
            name = forward
            end = forward[2]
        else:
            backward = _backward_name(tokens, name_index, text) if tokens and name_index < len(tokens) else None
            backward = _publisher_name(text, tokens[name_index].start if tokens and name_index < len(tokens)
                                       else kw_start, backward)
            if backward and tokens[name_index].start >= kw_start - 400:
                name = backward
                start = min(start, backward[1])
        if table is None:
            table = _table_after(text, pages_end)
        inferred = False
        guideline_name = name[0] if name else None
        if guideline_name is None:
            paragraph = context.paragraph_start(start)
            mention = context.last_mention(paragraph, start)
            previous = last_named[1] if last_named and last_named[0] >= paragraph else None
            guideline_name = mention or previous
            inferred = guideline_name is not None
        elif not inferred:
            last_named = (start, guideline_name)
        left, right = context.sentence_bounds(start, end)
        found.append(
            RecognisedCitation(
                start=start,
                end=end,
                raw=text[start:end],
                guideline_name=guideline_name,
                guideline_inferred=inferred,
                pages=pages,
                table=table,
                sentence=" ".join(text[left:right].split()),
            )
        )
    return found


_TABLE_AFTER = re.compile(r"[ \t]*[,(][ \t]*(Table|Figure|Box)[ \t]+([A-Z]?\d{1,3}(?:[-–.]\d{1,3})?)")


def _table_after(text: str, pos: int) -> str | None:
    match = _TABLE_AFTER.match(text, pos)
    return f"{match.group(1)} {match.group(2)}" if match else None


# ---------------------------------------------------------------------------------------------- resolving names

_NAME_STOP = {
    "the", "of", "for", "and", "a", "an", "in", "on", "to", "with", "guideline", "guidelines", "us", "u", "s",
    "based", "per", "as", "noted", "by", "&",
}
_GENERIC = {"pain", "chronic", "clinical", "practice", "treatment", "medical", "care", "management", "new", "updated"}
_WORD = re.compile(r"[A-Za-z0-9]+")


def _stem(word: str) -> str:
    word = word.lower()
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):  # "opioids", never "mtus" or "cdc"
        word = word[:-1]
    return word


def _name_tokens(text: str) -> set[str]:
    return {_stem(w) for w in _WORD.findall(text) if _stem(w) not in _NAME_STOP}


def _acronyms(text: str) -> set[str]:
    """All-capital words of two or more letters as written ("MTUS", "CDC", "ODG"): each one is decisive."""
    return {w.lower() for w in _WORD.findall(text) if len(w) >= 2 and w.isalpha() and w.isupper()}


def _entry_tokens(entry: GuidelineEntry) -> set[str]:
    return _name_tokens(" ".join([entry.id.replace("-", " ").replace("_", " ").replace(".", " "), entry.title, entry.short_form]))


def names_a_guideline(name: str | None) -> bool:
    """Whether a written name says which guideline ("the CDC guideline"), not only that it is one ("the guideline")."""
    return bool(name and _name_tokens(name))


def resolve_guideline_name(name: str, entries: list[GuidelineEntry]) -> GuidelineEntry | None:
    """The catalog entry a written guideline name refers to, or None when no entry clearly matches.

    A match needs most of the name's content words in the entry's id/title/short form, every acronym in the name
    present in the entry (so "MTUS …" never resolves to the CDC guideline), and either an acronym or two content
    words in common. Ties between different entries resolve to None rather than a guess.
    """
    wanted = _name_tokens(name)
    if not wanted:
        return None
    acronyms = _acronyms(name) - _NAME_STOP
    scored: list[tuple[float, int, GuidelineEntry]] = []
    for entry in entries:
        have = _entry_tokens(entry)
        if acronyms - have:
            continue
        common = wanted & have
        content = {w for w in common if not w.isdigit()}
        distinctive = {w for w in content if w not in _GENERIC}
        if not content:
            continue
        score = len(common) / len(wanted)
        if score < 0.5:
            continue
        if not (acronyms & common):
            # Without a shared acronym, ask for two words in common, one of them distinctive ("prescribing",
            # "opioid"), or three-plus generic ones covering most of the name ("chronic pain medical treatment").
            strong = len(content) >= 2 and bool(distinctive)
            broad = len(content) >= 3 and score >= 0.75
            if not (strong or broad):
                continue
        scored.append((score, len(common), entry))
    if not scored:
        return None
    scored.sort(key=lambda s: (s[0], s[1]), reverse=True)
    if len(scored) > 1 and scored[0][:2] == scored[1][:2] and scored[0][2].id != scored[1][2].id:
        return None
    return scored[0][2]
