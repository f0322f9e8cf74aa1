"""The `assistant` command. Flags map onto the same Settings fields as the ASSISTANT_* variables.

Each module of this package adds its own sub-commands through one `add_*_commands(commands)` function, called
here explicitly; nothing registers itself by being imported.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from assistant.cli.corpus import add_corpus_commands
from assistant.cli.draft import add_draft_commands
from assistant.cli.letters import add_letters_commands
from assistant.cli.store import add_store_commands
from assistant.cli.ui import add_ui_commands
from assistant.cli.users import add_users_commands
from assistant.errors import AssistantError

COMMAND_GROUPS = (add_corpus_commands, add_ui_commands, add_users_commands, add_draft_commands,
                  add_letters_commands, add_store_commands)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assistant", description=__doc__.split("\n")[0])
    parser.add_argument("--home", type=Path, help="data folder (ASSISTANT_HOME)")
    parser.add_argument("--chroma-url", help="Chroma server URL (ASSISTANT_CHROMA_URL); embedded when unset")
    parser.add_argument("-v", "--verbose", action="store_true")
    commands = parser.add_subparsers(dest="command", required=True)
    for add_commands in COMMAND_GROUPS:
        add_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    from assistant.files import restrict_new_files

    restrict_new_files()  # case files are PHI: everything this process creates is owner-only
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
