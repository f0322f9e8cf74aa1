"""`assistant letters import DIR` and `assistant precedents "query" [-k N]`.

Importing adds past determination letters to the precedent index; `precedents` lists prior items like a new
request, what was decided and what the reviewer cited, with a note that says these are precedent, not authority.
"""

from __future__ import annotations

import argparse
import sys


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def cmd_letters_import(args: argparse.Namespace) -> int:
    from assistant.cli import _settings
    from assistant.precedents import import_letters

    summary = import_letters(_settings(args), args.folder, _progress)
    print(summary.describe())
    return 0


def cmd_precedents(args: argparse.Namespace) -> int:
    from assistant.cli import _settings
    from assistant.governing import suggest_governing
    from assistant.precedents import PrecedentIndex, precedent_note

    index = PrecedentIndex.open(_settings(args))
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


def _subcommands_of(parser: argparse.ArgumentParser):
    for action in parser._actions:  # noqa: SLF001 - argparse offers no public accessor
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            return action
    return None


def register_letters_import(commands) -> None:
    """`assistant letters import DIR`, joining a `letters` command another stage may already have added."""
    letters = commands.choices.get("letters")
    group = _subcommands_of(letters) if letters is not None else None
    if group is None:
        letters = commands.add_parser("letters", help="imported IMR determination letters")
        group = letters.add_subparsers(dest="letters_command", required=True)
    if "import" in group.choices:
        return
    imp = group.add_parser("import", help="add a folder of past determination letters (.pdf/.txt) to the precedents")
    imp.add_argument("folder")
    imp.set_defaults(func=cmd_letters_import)


def register_precedents_command(commands) -> None:
    if "precedents" in commands.choices:
        return
    parser = commands.add_parser("precedents", help="prior determinations on similar requests (precedent, not authority)")
    parser.add_argument("query", help='the requested item, e.g. "TENS unit for chronic low back pain"')
    parser.add_argument("-k", type=int, default=10)
    parser.add_argument("--exclude-case", help="leave out one case number (e.g. the case being drafted)")
    parser.set_defaults(func=cmd_precedents)


def _register_once() -> None:
    from assistant.cli_commands import REGISTRARS

    for registrar in (register_letters_import, register_precedents_command):
        if registrar not in REGISTRARS:
            REGISTRARS.append(registrar)


_register_once()
