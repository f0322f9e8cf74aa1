"""A VA/DoD recommendation's statement read from the passage that opens it.

Why here: the statement is part of the document's structure (like its printed pages and strengths), and several
stages read it — evidence gathering (which population a recommendation is for), the drafter (the words it quotes).
"""

from __future__ import annotations

import re

_STRENGTH_WORD = "|".join(r"\s?".join(word) for word in ("Strong", "Weak", "Neither"))  # the PDF text splits "Ne ither"
RECOMMENDATION_STATEMENT = re.compile(  # "[19.] For patients … drugs.o (Weak for | Reviewed, New-replaced)"
    rf"^\s*(?:\d{{1,3}}\.\s+)?(?P<statement>[A-Z].*?\.)\s*[a-z]{{0,2}}\s*\(\s*(?:{_STRENGTH_WORD})[^()|]{{0,30}}\|",
    re.DOTALL)


def recommendation_statement(passage_text: str) -> str | None:
    """A VA/DoD recommendation's statement, when the passage opens with it ("19. For patients with low back pain, we
    suggest nonsteroidal anti-inflammatory drugs.o (Weak for | …)" → the sentence, without its number, footnote
    letter or strength label, which the citation carries)."""
    match = RECOMMENDATION_STATEMENT.match(passage_text)
    return re.sub(r"\s+", " ", match.group("statement")).strip() if match else None
