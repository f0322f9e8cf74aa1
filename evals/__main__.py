"""python -m evals {retrieval,drafting,precedents,all}."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.config import load_settings
from assistant.errors import AssistantError


def cmd_retrieval(args: argparse.Namespace) -> int:
    from assistant.retrieval import GuidelineSearch
    from evals.retrieval import format_retrieval, run_retrieval_eval, write_json

    result = run_retrieval_eval(GuidelineSearch(load_settings()), Path(args.dataset), args.k)
    print(format_retrieval(result))
    write_json(result, args.json_out)
    return 0


def build_parser() -> argparse.ArgumentParser:
    from evals.retrieval import DEFAULT_DATASET

    parser = argparse.ArgumentParser(prog="python -m evals")
    commands = parser.add_subparsers(dest="command", required=True)
    retrieval = commands.add_parser("retrieval", help="hit@k and MRR against gold printed pages")
    retrieval.add_argument("--dataset", default=str(DEFAULT_DATASET))
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
