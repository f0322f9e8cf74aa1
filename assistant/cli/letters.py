"""`assistant letters import DIR` and `assistant precedents "query" [-k N]`.

Importing adds past determination letters to the precedent index; `precedents` lists prior items like a new
request, what was decided and what the reviewer cited, with a note that says these are precedent, not authority.
"""

from __future__ import annotations

import argparse
import sys

from assistant.config import settings_from_args


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def cmd_letters_import(args: argparse.Namespace) -> int:
    from assistant.precedents.importer import import_letters

    summary = import_letters(settings_from_args(args), args.folder, _progress)
    print(summary.describe())
    return 0


def cmd_precedents(args: argparse.Namespace) -> int:
    from assistant.precedents.governing import suggest_governing
    from assistant.precedents.index import PrecedentIndex
    from assistant.precedents.note import precedent_note

    index = PrecedentIndex.open(settings_from_args(args))
    hits = index.similar(args.query, k=args.k, exclude_case=args.exclude_case)
    if not hits:
        print("No imported determination resembles that request.")
        return 0
    for rank, p in enumerate(hits, start=1):
        decision = p.decision or "no decision found"
        print(f"[{rank}] {p.case_number}: {p.item} — {decision} (similarity {p.similarity:.2f})")
        print(f"    cited: {p.guideline_label}")
        if p.rationale_excerpt:
            print(f"    rationale: {p.rationale_excerpt}")
    print()
    suggestions = suggest_governing(args.query, "", hits, k=3)
    if suggestions:
        print("Where to look first (a suggestion from precedent, not a citation):")
        for s in suggestions:
            support = f"{s.support} precedent(s)" if s.support else "category hint"
            print(f"  - {s.label} ({support})")
    print(precedent_note(hits))
    return 0


def add_letters_commands(commands) -> None:
    """`assistant letters import DIR` and `assistant precedents "query"`."""
    letters = commands.add_parser("letters", help="imported IMR determination letters")
    group = letters.add_subparsers(dest="letters_command", required=True)
    imp = group.add_parser("import", help="add a folder of past determination letters (.pdf/.txt) to the precedents")
    imp.add_argument("folder")
    imp.set_defaults(func=cmd_letters_import)

    parser = commands.add_parser("precedents", help="prior determinations on similar requests (precedent, not authority)")
    parser.add_argument("query", help='the requested item, e.g. "TENS unit for chronic low back pain"')
    parser.add_argument("-k", type=int, default=10)
    parser.add_argument("--exclude-case", help="leave out one case number (e.g. the case being drafted)")
    parser.set_defaults(func=cmd_precedents)
