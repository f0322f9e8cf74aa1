"""python -m evals {retrieval,drafting,precedents,all}."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.config import load_settings
from assistant.errors import AssistantError


def cmd_retrieval(args: argparse.Namespace) -> int:
    from assistant.retrieval import GuidelineSearch
    from evals.retrieval import SCOPES, format_suite, run_retrieval_suite, suite_json, write_json

    scopes = ("all",) if args.all_guidelines else ("filtered",) if args.filtered else SCOPES
    paths = [Path(p) for p in args.dataset] if args.dataset else None
    modes = tuple(args.modes.split(",")) if args.modes else None
    result = run_retrieval_suite(GuidelineSearch(load_settings()), paths, args.k, scopes, modes)
    print(format_suite(result))
    write_json(suite_json(result), args.json_out)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m evals")
    commands = parser.add_subparsers(dest="command", required=True)
    retrieval = commands.add_parser(
        "retrieval", help="hit@k and MRR against gold printed pages, per set, guideline, split and mode")
    retrieval.add_argument("--dataset", action="append", help="a query set (repeatable); default: every set")
    retrieval.add_argument("--all-guidelines", action="store_true",
                           help="only the headline scope: no guideline filter, a hit must be the gold guideline's page")
    retrieval.add_argument("--filtered", action="store_true", help="only the scope restricted to the gold guideline")
    retrieval.add_argument("--modes", help="comma-separated search modes (default: every mode the search offers)")
    retrieval.add_argument("--k", type=int, default=5)
    retrieval.add_argument("--json-out", type=Path)
    retrieval.set_defaults(func=cmd_retrieval)
    try:
        from evals import extra_commands
    except ImportError:
        extra_commands = None
    if extra_commands is not None:
        for register in extra_commands.REGISTRARS:
            register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
