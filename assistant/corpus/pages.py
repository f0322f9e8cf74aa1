"""Turn raw PDF pages into clean, page-exact guideline text with printed page labels and section paths.

Artefacts cleaned: running headers/footers, kerning splits ("No vember"), line-end hyphenation.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from assistant.contracts import GuidelineEntry, GuidelinePage, PrintedPageSource, SectionRule, recommendation_numbers
from assistant.corpus.pdf_text import RawPage
from assistant.vocabulary.lexicon import english_lexicon

EDGE_LINES = 3
REPEATED_FRACTION = 0.25
LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\u00ad": ""}
WORD = re.compile(r"[A-Za-z]+")


@dataclass
class PageLines:
    """One page as cleaned lines, each with the section path in force at that line."""

    raw: RawPage
    lines: list[str] = field(default_factory=list)
    sections: list[tuple[str, ...]] = field(default_factory=list)
    strengths: dict[str, str] = field(default_factory=dict)  # top-level section label → recommendation strength


def normalise_characters(text: str) -> str:
    for ligature, plain in LIGATURES.items():
        text = text.replace(ligature, plain)
    return unicodedata.normalize("NFC", text).replace("\u00a0", " ")


def _edge_key(line: str) -> str:
    squashed = re.sub(r"\s+", "", line)
    return re.sub(r"\d+", "#", squashed).lower()


def repeated_edge_lines(pages: list[list[str]]) -> set[str]:
    """Keys of lines that recur at the top or bottom of many pages: running headers and footers."""
    counts: Counter[str] = Counter()
    for lines in pages:
        edges = {_edge_key(l) for l in lines[:EDGE_LINES] + lines[-EDGE_LINES:] if l.strip()}
        counts.update(edges)
    threshold = max(3, int(len(pages) * REPEATED_FRACTION))
    return {key for key, n in counts.items() if n >= threshold and key not in ("", "#")}


def vocabulary(pages: list[list[str]]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for lines in pages:
        for line in lines:
            counts.update(w.lower() for w in WORD.findall(line))
    return counts


def _joins(left: str, right: str, vocab: Counter[str], lexicon: frozenset[str]) -> bool:
    """Whether 'left right' is one word the PDF's character spacing split ('No vember', 'W ashington')."""
    joined = (left + right).lower()
    right_known = right.lower() in lexicon or vocab.get(right.lower(), 0) > 3 and len(right) > 3
    if right_known:
        return False
    if joined in lexicon or vocab.get(joined, 0) >= 1:
        return True
    return len(left) == 1 and left.isupper() and left not in "AI"  # 'T ramadol'


def _joins_strictly(left: str, right: str, vocab: Counter[str], lexicon: frozenset[str]) -> bool:
    """The second pass ('appli cation', 'Fo r', 'fa cet' after 'of'): the whole is a word the lexicon or the
    document knows, more common in the document than the right fragment alone ('vitamin D supplementation' and
    'IBS-C irritable' stay apart), and neither fragment is a word of its own — a lone letter other than a or I
    may follow a fragment ('Fo r')."""
    joined, low_left, low_right = (left + right).lower(), left.lower(), right.lower()
    if not (joined in lexicon or vocab.get(joined, 0) >= 2) or vocab.get(joined, 0) < vocab.get(low_right, 0):
        return False
    if len(right) == 1:
        return low_right not in "ai" and low_left not in lexicon and 20 * vocab.get(low_left, 0) <= vocab.get(joined, 0)
    left_word = len(left) > 3 and (low_left in lexicon or vocab.get(low_left, 0) > 1)
    return low_right not in lexicon and not left_word


KERNED_PAIR = re.compile(r"\b([A-Za-z]{1,3}) ([a-z]{2,})\b")
KERNED_PAIR_AHEAD = re.compile(r"\b([A-Za-z]{1,12}) (?=([a-z]{1,20})\b)")


def repair_kerning(line: str, vocab: Counter[str]) -> str:
    """Join 'No vember' → 'November': the joined word is a word, the right fragment is not. A second pass looks
    ahead at the right fragment instead of consuming it ('of fa cet' → 'of facet') and joins only into a word the
    lexicon or the document knows ('appli cation', 'Fo r'); a lone capital before a word ('vitamin D
    supplementation', 'IBS-C irritable') is left alone there."""
    lexicon = english_lexicon()
    line = KERNED_PAIR.sub(lambda m: m.group(1) + m.group(2) if _joins(m.group(1), m.group(2), vocab, lexicon)
                           else m.group(0), line)
    return KERNED_PAIR_AHEAD.sub(lambda m: m.group(1) if _joins_strictly(m.group(1), m.group(2), vocab, lexicon)
                                 else m.group(0), line)


def join_split_across_lines(lines: list[str], vocab: Counter[str]) -> list[str]:
    """A word split at a line break without a hyphen ('… Weak ag' / 'ainst Reviewed …', '24. Fo' / 'r patients'):
    the fragment moves up to its line, which keeps each line's start for the section rules."""
    lexicon = english_lexicon()
    out = list(lines)
    for index in range(len(out) - 1):
        tail = re.search(r"\b([A-Za-z]{1,12})$", out[index])
        head = re.match(r"([a-z]{1,20})\b\S*", out[index + 1])  # the fragment with what clings to it ('ntervention.')
        if tail and head and _joins_strictly(tail.group(1), head.group(1), vocab, lexicon):
            out[index] += head.group(0)
            out[index + 1] = out[index + 1][head.end():].lstrip()
    return [line for line in out if line]


def join_hyphenated(lines: list[str], vocab: Counter[str]) -> list[str]:
    """Undo line-end hyphenation; keep true hyphens ('immediate-release', 'person-centered')."""
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        while line.endswith("-") and index + 1 < len(lines) and re.search(r"[A-Za-z]-$", line):
            following = lines[index + 1]
            match = re.match(r"([a-z]+)(.*)$", following)
            if not match:
                break
            head = re.search(r"([A-Za-z]+)-$", line).group(1)
            tail = match.group(1)
            joined_known = vocab.get((head + tail).lower(), 0) > 0
            tail_known = vocab.get(tail.lower(), 0) > 0
            keep_hyphen = tail_known and not joined_known
            line = (line if keep_hyphen else line[:-1]) + following
            index += 1
        out.append(line)
        index += 1
    return out


def printed_labels(entry: GuidelineEntry, raw_pages: list[RawPage]) -> tuple[list[str], PrintedPageSource]:
    """Printed page per physical page: /PageLabels, else a running header/footer number, else the index."""
    if all(p.label for p in raw_pages):
        return [p.label or "" for p in raw_pages], PrintedPageSource.page_labels
    from_headers = _labels_from_running_headers(entry, raw_pages)
    if from_headers is not None:
        return from_headers, PrintedPageSource.running_header
    return [str(p.physical_page) for p in raw_pages], PrintedPageSource.physical_index


def _labels_from_running_headers(entry: GuidelineEntry, raw_pages: list[RawPage]) -> list[str] | None:
    """Use page numbers found in edge lines if they run at a constant offset from the physical page."""
    offsets: Counter[int] = Counter()
    for page in raw_pages:
        number = _edge_page_number(entry, page.text)
        if number is not None:
            offsets[number - page.physical_page] += 1
    if not offsets:
        return None
    offset, support = offsets.most_common(1)[0]
    if support < max(2, len(raw_pages) // 2):
        return None
    return [str(p.physical_page + offset) if p.physical_page + offset >= 1 else f"[{p.physical_page}]" for p in raw_pages]


def _edge_page_number(entry: GuidelineEntry, text: str) -> int | None:
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    edges = lines[:EDGE_LINES] + lines[-EDGE_LINES:]
    for line in edges:
        if entry.running_header:
            match = re.search(entry.running_header, line)
            if match:
                value = next((re.sub(r"\s+", "", v) for v in match.groupdict().values() if v), None)
                if value and value.isdigit():
                    return int(value)
        plain = re.fullmatch(r"(?:Page\s+)?(\d{1,4})(?:\s+of\s+\d+)?", line, flags=re.IGNORECASE)
        if plain:
            return int(plain.group(1))
    return None


class SectionTracker:
    """Applies a document's heading rules line by line, carrying the section path across pages.

    A boxed insert (rule.ends_at_page_break) closes at the end of its page unless the next page's first
    line continues it; the main text's section path then resumes.
    """

    def __init__(self, rules: list[SectionRule]):
        self.rules = [(rule, re.compile(rule.pattern)) for rule in rules]
        self.path: list[str] = []
        self.open_box: SectionRule | None = None
        self.path_before_box: list[str] = []
        self.page_start = False
        self.previous_line = ""

    def new_page(self) -> None:
        self.page_start = True

    def feed(self, line: str) -> tuple[str, ...]:
        stripped = line.strip()
        if self.page_start and self.open_box is not None:
            continues = self.open_box.continues_pattern and re.match(self.open_box.continues_pattern, stripped)
            if not continues:
                self.path, self.open_box = list(self.path_before_box), None
        self.page_start = False
        previous, self.previous_line = self.previous_line, stripped
        for rule, pattern in self.rules:
            if rule.within and (not self.path or self.path[0] != rule.within):
                continue
            if rule.after and not re.match(rule.after, previous):
                continue
            match = pattern.match(stripped)
            if match:
                label = rule.label.format(match.group(0), *match.groups())
                if rule.ends_at_page_break and self.open_box is None:
                    self.path_before_box = list(self.path)
                self.open_box = rule if rule.ends_at_page_break else (self.open_box if rule.level > 1 else None)
                self.path = self.path[: rule.level - 1] + [label]
                break
        return tuple(self.path)


def build_pages(entry: GuidelineEntry, raw_pages: list[RawPage]) -> list[PageLines]:
    raw_lines = [[l.rstrip() for l in normalise_characters(p.text).splitlines()] for p in raw_pages]
    repeated = repeated_edge_lines(raw_lines)
    vocab = vocabulary(raw_lines)
    tracker = SectionTracker(entry.section_rules)
    built: list[PageLines] = []
    for raw, lines in zip(raw_pages, raw_lines):
        kept = [l for l in lines if l.strip() and _edge_key(l) not in repeated and not _is_header(entry, l, lines)]
        kept = [re.sub(r"\s{2,}", " ", repair_kerning(l, vocab)).strip() for l in kept]
        kept = join_hyphenated(join_split_across_lines(kept, vocab), vocab)
        page = PageLines(raw=raw)
        tracker.new_page()
        for line in kept:
            page.sections.append(tracker.feed(line))
            page.lines.append(line)
        built.append(page)
    _label_shared_discussions(built)
    _attach_strengths(entry, built)
    return built


SINGLE_RECOMMENDATION = re.compile(r"^Recommendation (\d+)$")
DISCUSSION_LINE = re.compile(r"^Discussion\b")


def _label_shared_discussions(built: list[PageLines]) -> None:
    """Statements printed one after another and followed by one Discussion ("4. … (Strong for) 5. … (N/A)
    Discussion …", VA/DoD): the discussion is about all of them, so it is labelled "Recommendations 4–5" rather
    than filed under the last statement (a citation of it named the wrong recommendation half the time)."""
    runs: list[tuple[str | None, list[tuple[int, int]]]] = []
    for p, page in enumerate(built):
        for i, section in enumerate(page.sections):
            label = section[0] if section else None
            if not runs or runs[-1][0] != label:
                runs.append((label, []))
            runs[-1][1].append((p, i))
    statements_only: list[int] = []
    for label, lines in runs:
        single = SINGLE_RECOMMENDATION.match(label or "")
        if single is None:
            statements_only = []
            continue
        number = int(single.group(1))
        discussion = next((k for k, (p, i) in enumerate(lines) if DISCUSSION_LINE.match(built[p].lines[i])), None)
        if discussion is None:
            statements_only.append(number)
            continue
        numbers, statements_only = [*statements_only, number], []
        if len(numbers) > 1 and numbers == list(range(numbers[0], number + 1)):
            for p, i in lines[discussion:]:
                built[p].sections[i] = (f"Recommendations {numbers[0]}–{number}", *built[p].sections[i][1:])


STRENGTHS = ("Strong for", "Weak for", "Neither for nor against", "Weak against", "Strong against", "N/A", "Not applicable")  # PTSD 2017, LLA 2017
STRENGTH_LOOKAHEAD_LINES = 40
RECOMMENDATION_LABEL = re.compile(r"^Recommendations? \d")


def _attach_strengths(entry: GuidelineEntry, built: list[PageLines]) -> None:
    """Find each top-level section's strength line (possibly split over lines) near its start; tag every page."""
    if not entry.strength_pattern:
        return
    pattern = re.compile(entry.strength_pattern)
    canonical = {re.sub(r"\s+", "", s).lower(): s for s in STRENGTHS}
    opening: dict[str, list[str]] = {}
    for page in built:
        for line, section in zip(page.lines, page.sections):
            if section and len(opening.setdefault(section[0], [])) < STRENGTH_LOOKAHEAD_LINES:
                opening[section[0]].append(line)
    strengths: dict[str, str] = {}
    for label, lines in opening.items():
        if not RECOMMENDATION_LABEL.match(label):
            continue
        match = pattern.search(re.sub(r"\s+", "", "".join(lines)))
        if match:
            groups = [match.group(0), *(g or "" for g in match.groups())]
            groups[1] = canonical.get(groups[1].lower(), groups[1])
            strengths[label] = entry.strength_label.format(*groups)
    for label in opening:  # a discussion several statements share: each one's strength
        shared = recommendation_numbers(label) if label.startswith("Recommendations ") else frozenset()
        if len(shared) > 1 and all(f"Recommendation {n}" in strengths for n in shared):
            strengths[label] = "; ".join(f"{n}: {strengths[f'Recommendation {n}']}" for n in sorted(shared))
    for page in built:
        page.strengths = {s[0]: strengths[s[0]] for s in page.sections if s and s[0] in strengths}


def _is_header(entry: GuidelineEntry, line: str, lines: list[str]) -> bool:
    if not entry.running_header:
        return False
    position = lines.index(line)
    at_edge = position < EDGE_LINES or position >= len(lines) - EDGE_LINES
    return at_edge and re.search(entry.running_header, line.strip()) is not None


def to_guideline_pages(entry: GuidelineEntry, raw_pages: list[RawPage], built: list[PageLines]) -> list[GuidelinePage]:
    labels, source = printed_labels(entry, raw_pages)
    return [
        GuidelinePage(
            guideline_id=entry.id,
            physical_page=page.raw.physical_page,
            printed_page=label,
            printed_page_source=source,
            text="\n".join(page.lines),
            section_at_start=list(page.sections[0]) if page.sections else [],
        )
        for page, label in zip(built, labels)
    ]
