"""Sub-commands of `python -m evals` added by later stages (evals/__main__.py imports REGISTRARS)."""

from __future__ import annotations

import argparse
from pathlib import Path


def cmd_precedents(args: argparse.Namespace) -> int:
    from evals.precedents import format_precedent_eval, run_precedent_eval, write_json

    result = run_precedent_eval(Path(args.letters), Path(args.against) if args.against else None)
    print(format_precedent_eval(result))
    write_json(result, args.json_out)
    return 0


def register_precedents(commands) -> None:
    parser = commands.add_parser(
        "precedents", help="governing part/section suggested by similar prior determinations vs the reviewer's own"
    )
    parser.add_argument("--letters", required=True, help="folder of IMR letters to evaluate (.pdf/.txt)")
    parser.add_argument("--against", help="folder of letters used as precedents (default: leave one case out)")
    parser.add_argument("--json-out", type=Path)
    parser.set_defaults(func=cmd_precedents)


REGISTRARS = [register_precedents]
