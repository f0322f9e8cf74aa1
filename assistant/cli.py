"""The `assistant` command. Flags map onto the same Settings fields as the ASSISTANT_* variables."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from assistant.config import Settings, load_settings
from assistant.errors import AssistantError


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(
        home=getattr(args, "home", None),
        chroma_url=getattr(args, "chroma_url", None),
        model=getattr(args, "model", None),
        model_name=getattr(args, "model_name", None),
        model_base_url=getattr(args, "model_base_url", None),
        host=getattr(args, "host", None),
        port=getattr(args, "port", None),
        auth_file=getattr(args, "auth", None),
        database_url=getattr(args, "database_url", None),
    )


def cmd_corpus_fetch(args: argparse.Namespace) -> int:
    from assistant.corpus.active import active_entries
    from assistant.corpus.fetch import fetch_documents

    settings = _settings(args)
    for path in fetch_documents(settings, active_entries(settings), _progress):
        print(f"{path.stem}: {path} (SHA-256 verified)")
    return 0


def cmd_corpus_choose(args: argparse.Namespace) -> int:
    """`assistant corpus enable ID` / `disable ID`: the next `assistant index` follows the choice."""
    from assistant.corpus.active import disable_guideline, enable_guideline

    choose = enable_guideline if args.corpus_command == "enable" else disable_guideline
    entry = choose(_settings(args), args.id)
    print(f"{entry.id} {args.corpus_command}d; run `assistant index` to update the index.")
    return 0


def cmd_corpus_list(args: argparse.Namespace) -> int:
    from assistant.corpus.active import active_entries
    from assistant.corpus.catalog import load_catalog
    from assistant.index.store import read_current_manifest

    settings = _settings(args)
    manifest = read_current_manifest(settings)
    indexed = {g.id: g for g in manifest.guidelines} if manifest else {}
    active = {e.id for e in active_entries(settings)}
    for entry in load_catalog(settings):
        summary = indexed.get(entry.id)
        state = f"indexed, {summary.pages} pages, {summary.chunks} passages" if summary else "not indexed"
        state += "" if entry.id in active else ", disabled"
        note = f"\t({entry.superseded})" if entry.superseded else ""
        print(f"{entry.id}\t{entry.tier.value}\t{entry.title}\t{state}{note}")
    return 0


def cmd_corpus_add(args: argparse.Namespace) -> int:
    from assistant.contracts import EvidenceTier
    from assistant.corpus.add import add_guideline
    from assistant.index.store import build_index

    settings = _settings(args)
    entry = add_guideline(
        settings, Path(args.pdf), args.id, args.title, EvidenceTier(args.tier), short_form=args.short_form,
        section_pattern=args.section_pattern,
    )
    print(f"Added {entry.id} ({entry.tier.label}).")
    if not args.no_index:
        result = build_index(settings, _progress)
        print(f"Index now holds {result.manifest.chunk_count} passages.")
    return 0


def cmd_index(args: argparse.Namespace) -> int:
    from assistant.index.store import build_index

    result = build_index(_settings(args), _progress)
    verb = "Built" if result.rebuilt else "Up to date:"
    print(f"{verb} {result.manifest.chunk_count} passages, generation {result.manifest.generation} "
          f"({result.seconds:.1f} s, {result.embedded_chunks} embedded).")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from assistant.retrieval import GuidelineSearch

    search = GuidelineSearch(_settings(args))
    passages = search.search(args.query, k=args.k, guideline_ids=args.guideline or None)
    if args.json:
        print(json.dumps([p.model_dump(mode="json") for p in passages], indent=2))
        return 0
    if not passages:
        print("No indexed passage matches that query.")
    for rank, passage in enumerate(passages, start=1):
        strength = f" [{passage.citation.strength}]" if passage.citation.strength else ""
        print(f"[{rank}] {passage.citation.label()}{strength}")
        if passage.citation.superseded:
            print(f"    Note: {passage.citation.superseded}")
        print(f"    {passage.citation.quote}\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assistant", description=__doc__)
    parser.add_argument("--home", type=Path, help="data folder (ASSISTANT_HOME)")
    parser.add_argument("--chroma-url", help="Chroma server URL (ASSISTANT_CHROMA_URL); embedded when unset")
    parser.add_argument("-v", "--verbose", action="store_true")
    commands = parser.add_subparsers(dest="command", required=True)

    corpus = commands.add_parser("corpus", help="the guideline documents").add_subparsers(dest="corpus_command", required=True)
    corpus.add_parser("fetch", help="download or copy the catalogued PDFs, checking SHA-256").set_defaults(func=cmd_corpus_fetch)
    corpus.add_parser("list", help="what the corpus holds").set_defaults(func=cmd_corpus_list)
    for verb in ("enable", "disable"):
        choose = corpus.add_parser(verb, help=f"{verb} a catalog guideline for fetch and index")
        choose.add_argument("id")
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

    search = commands.add_parser("search", help="find guideline passages with page-exact citations")
    search.add_argument("query")
    search.add_argument("-k", type=int, default=5)
    search.add_argument("--guideline", action="append", help="restrict to a guideline id (repeatable)")
    search.add_argument("--json", action="store_true")
    search.set_defaults(func=cmd_search)

    for register in _extra_commands():
        register(commands)
    return parser


def _extra_commands():
    """Later stages register their own sub-commands (drafting, letters, UI) without touching this file's core."""
    from assistant import cli_commands

    return cli_commands.REGISTRARS


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args) or 0)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; nothing half-written is used.", file=sys.stderr)
        return 130
