"""`assistant corpus fetch|list|add`, `assistant index`, `assistant search` and `assistant criteria check`: the guideline documents,
their index and a plain passage search."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from assistant.config import settings_from_args


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def cmd_corpus_fetch(args: argparse.Namespace) -> int:
    from assistant.corpus.active import active_entries
    from assistant.corpus.fetch import fetch_documents

    settings = settings_from_args(args)
    for path in fetch_documents(settings, active_entries(settings), _progress):
        print(f"{path.stem}: {path} (SHA-256 verified)")
    return 0


def cmd_corpus_choose(args: argparse.Namespace) -> int:
    """`assistant corpus enable ID` / `disable ID`: fetch (when enabling) and re-index at once, audited;
    with --no-index only the choice is saved and the next `assistant index` follows it."""
    from assistant.auth import require_admin
    from assistant.corpus.active import disable_guideline, enable_guideline
    from assistant.index.store import choose_guideline_and_index

    settings = settings_from_args(args)
    enable = args.corpus_command == "enable"
    require_admin(settings.auth_file, settings.reviewer, f"{args.corpus_command} guidelines")
    if args.no_index:
        entry = (enable_guideline if enable else disable_guideline)(settings, args.id)
        print(f"{entry.id} {args.corpus_command}d; run `assistant index` to update the index.")
        return 0
    entry, result = choose_guideline_and_index(settings, args.id, enable, settings.reviewer, _progress)
    print(f"{entry.id} {args.corpus_command}d. Index now holds {result.manifest.chunk_count} passages.")
    return 0


def cmd_corpus_list(args: argparse.Namespace) -> int:
    from assistant.corpus.active import active_entries
    from assistant.index.store import catalog_status

    settings = settings_from_args(args)
    active = {e.id for e in active_entries(settings)}
    for entry, summary in catalog_status(settings):
        state = f"indexed, {summary.pages} pages, {summary.chunks} passages" if summary else "not indexed"
        state += "" if entry.id in active else ", disabled"
        note = f"\t({entry.superseded})" if entry.superseded else ""
        print(f"{entry.id}\t{entry.tier.value}\t{entry.title}\t{state}{note}")
    return 0


def cmd_corpus_add(args: argparse.Namespace) -> int:
    from assistant.contracts import EvidenceTier
    from assistant.corpus.add import add_guideline
    from assistant.index.store import build_index

    from assistant.auth import require_admin
    from assistant.index.store import add_guideline_and_index

    settings = settings_from_args(args)
    require_admin(settings.auth_file, settings.reviewer)

    def add():
        return add_guideline(
            settings, Path(args.pdf), args.id, args.title, EvidenceTier(args.tier), short_form=args.short_form,
            section_pattern=args.section_pattern, actor=settings.reviewer,
        )

    if args.no_index:
        entry = add()
        print(f"Added {entry.id} ({entry.tier.label}).")
        return 0
    entry, result = add_guideline_and_index(settings, add, settings.reviewer, _progress, build=build_index)
    print(f"Added {entry.id} ({entry.tier.label}). Index now holds {result.manifest.chunk_count} passages.")
    return 0


def cmd_index(args: argparse.Namespace) -> int:
    from assistant.index.store import build_index

    result = build_index(settings_from_args(args), _progress)
    verb = "Built" if result.rebuilt else "Up to date:"
    print(f"{verb} {result.manifest.chunk_count} passages, generation {result.manifest.generation} "
          f"({result.seconds:.1f} s, {result.embedded_chunks} embedded).")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from assistant.retrieval import GuidelineSearch
    from assistant.retrieval.search import unmatched_words_note

    search = GuidelineSearch(settings_from_args(args))
    passages = search.search(args.query, k=args.k, guideline_ids=args.guideline or None)
    if args.json:
        print(json.dumps([p.model_dump(mode="json") for p in passages], indent=2))
        return 0
    if not passages:
        print("No indexed passage matches that query.")
    if reading := search.understood(args.query).reading():
        print(f"Also searched for: {reading}.\n")
    if passages and (unmatched := search.words_no_guideline_uses(args.query)):
        print(unmatched_words_note(unmatched) + "\n")
    for rank, passage in enumerate(passages, start=1):
        strength = f" [{passage.citation.strength}]" if passage.citation.strength else ""
        print(f"[{rank}] {passage.citation.label()}{strength}")
        if passage.citation.superseded:
            print(f"    Note: {passage.citation.superseded}")
        print(f"    {passage.citation.quote}\n")
    return 0


def cmd_criteria_check(args: argparse.Namespace) -> int:
    """`assistant criteria check FILE…`: each criteria file's quotes checked on their printed pages of the index."""
    from assistant.criteria import check_criteria_file

    settings = settings_from_args(args)
    reports = [check_criteria_file(Path(path), settings) for path in args.files]
    if args.json:
        print(json.dumps([r.model_dump() | {"ok": r.ok} for r in reports], indent=2))
    else:
        for report in reports:
            print(("✔ " if report.ok else "✗ ") + report.summary())
    return 0 if all(r.ok for r in reports) else 1


def add_corpus_commands(commands) -> None:
    """Add the commands to `commands`, the group returned by `add_subparsers`."""
    corpus = commands.add_parser("corpus", help="the guideline documents").add_subparsers(dest="corpus_command", required=True)
    corpus.add_parser("fetch", help="download or copy the catalogued PDFs, checking SHA-256").set_defaults(func=cmd_corpus_fetch)
    corpus.add_parser("list", help="what the corpus holds").set_defaults(func=cmd_corpus_list)
    for verb in ("enable", "disable"):
        choose = corpus.add_parser(verb, help=f"{verb} a catalog guideline and re-index (admins, when users.toml is set)")
        choose.add_argument("id")
        choose.add_argument("--no-index", action="store_true", help="save the choice only; `assistant index` later")
        choose.set_defaults(func=cmd_corpus_choose)
    add = corpus.add_parser("add", help="add your own guideline PDF (MTUS, ACOEM, ODG …)")
    add.add_argument("pdf")
    add.add_argument("--id", required=True)
    add.add_argument("--title", required=True)
    add.add_argument("--tier", default="mtus", choices=["mtus", "evidence-based", "peer-reviewed"])
    add.add_argument("--short-form")
    add.add_argument("--section-pattern", help="regex for this document's topic headings, e.g. '^[A-Z][a-z]+ interventions$'")
    add.add_argument("--no-index", action="store_true")
    add.set_defaults(func=cmd_corpus_add)

    commands.add_parser("index", help="build or update the index (no work when unchanged)").set_defaults(func=cmd_index)

    criteria = commands.add_parser("criteria", help="the criteria files a checklist is built from")
    check = criteria.add_subparsers(dest="criteria_command", required=True).add_parser(
        "check", help="verify criteria files against the indexed guideline pages (exit 1 on any problem)")
    check.add_argument("files", nargs="+", metavar="FILE")
    check.add_argument("--json", action="store_true")
    check.set_defaults(func=cmd_criteria_check)

    search = commands.add_parser("search", help="find guideline passages with page-exact citations")
    search.add_argument("query")
    search.add_argument("-k", type=int, default=5)
    search.add_argument("--guideline", action="append", help="restrict to a guideline id (repeatable)")
    search.add_argument("--json", action="store_true")
    search.set_defaults(func=cmd_search)
