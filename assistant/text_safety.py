"""Case text is data, never markup: helpers that make it inert wherever it is shown or written.

Case files come from outside (pasted, uploaded, imported letters). Shown as Markdown or HTML they could load a
remote image (a tracking pixel), draw a form that posts a typed password away, or carry a script into an
exported file. These functions sit below every stage (no imports from the rest of the package but errors)."""

from __future__ import annotations

import hashlib
import re

from assistant.errors import CaseFormatError

C0_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CASE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
MAX_CASE_ID_CHARS = 64
MAX_FILE_STEM_CHARS = 80

# Every character Markdown or HTML gives a meaning to, plus ':' (so no "javascript:" or autolinked URL survives).
_INERT = {ch: f"&#{ord(ch)};" for ch in "&<>\"'`*_{}[]()#+-!|~:\\=$"}
_DANGEROUS_SCHEME = re.compile(r"(?i)\b(javascript|vbscript|data|file)\s*:")


def strip_control_characters(text: str) -> str:
    """Drop C0 control characters (NUL, ESC, form feed, …) and DEL; keep newline, tab and carriage return."""
    return C0_CONTROLS.sub("", text)


def inert_markdown(text: str) -> str:
    """Case text for a Markdown/HTML view, shown literally: tags, images, links, forms and inputs become plain
    characters (numeric entities the renderer prints as-is); line breaks are kept."""
    text = strip_control_characters(text)
    return "".join(_INERT.get(ch, ch) for ch in text).replace("\n", "  \n")


def escape_markdown_export(text: str) -> str:
    """Reviewer or case text inside an exported .md letter: readable in an editor, inert in any viewer.

    HTML is escaped (no <script>, <img onerror>, <form>), image and link syntax is broken (`![`, `](`), and
    script-capable URL schemes lose their colon. Letters, digits and ordinary punctuation are unchanged."""
    text = strip_control_characters(text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("![", "!\\[").replace("](", "\\](")
    return _DANGEROUS_SCHEME.sub(lambda m: f"{m.group(1)}&#58;", text)


def check_case_id(case_id: str) -> str:
    """A case id is 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit."""
    if not isinstance(case_id, str) or not CASE_ID.fullmatch(case_id):
        shown = case_id[:40] + "…" if isinstance(case_id, str) and len(case_id) > 40 else case_id
        raise CaseFormatError(
            f"Case id {shown!r} is not usable: use 1–{MAX_CASE_ID_CHARS} letters, digits, '.', '_' or '-' "
            "(e.g. CM16-0213037)."
        )
    return case_id


def export_file_stem(case_id: str) -> str:
    """A file-name stem for a case's exports: safe characters only and bounded, so no case id can produce
    "File name too long" or a path; a long id keeps a hash suffix so two long ids do not collide."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", case_id).strip(".-") or "case"
    if len(safe) <= MAX_FILE_STEM_CHARS:
        return safe
    digest = hashlib.sha256(case_id.encode("utf-8")).hexdigest()[:12]
    return f"{safe[: MAX_FILE_STEM_CHARS - 13]}-{digest}"
