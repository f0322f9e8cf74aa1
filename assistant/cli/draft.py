"""`assistant draft` and `assistant check`: drafting and verification from the command line."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from assistant.config import settings_from_args
from assistant.contracts import Checklist, ItemRationale, VerificationReport
from assistant.export import item_text


def format_item_section(rationale: ItemRationale, number: int = 1) -> str:
    """The item, numbered as in the case's list of disputed items, in the IMR letter's layout (the one
    `assistant.export` renders), then what only a terminal user needs: the suggested governing guideline and the
    precedent note."""
    lines = [item_text(rationale, number=number).rstrip()]
    if rationale.abstention and rationale.abstention.suggested_guideline:
        lines += ["", f"Suggested governing guideline: {rationale.abstention.suggested_guideline}",
                  "  Add it with: assistant corpus add FILE.pdf --id … --title … --tier mtus"]
    if rationale.precedent_note:
        lines += ["", rationale.precedent_note]
    return "\n".join(lines)


def format_checklist(checklist: Checklist | None) -> str:
    """The criteria checklist for a terminal: status, criterion, guideline page, record quotes; the suggestion last."""
    if checklist is None:
        return "Checklist: no criteria set covers this item."
    lines = [f"Checklist ({', '.join(checklist.guideline_ids)}):"]
    for row in checklist.applicable:
        lines.append(f"  [{row.status.replace('_', ' '):>14}] {row.question} ({row.requirement}; "
                     f"{row.guideline.title}, p. {row.guideline.printed_page})")
        lines += [f"      record{', ' + c.date if c.date else ''}: \"{c.quote[:160]}\"" for c in row.record_citations]
    if checklist.mme_per_day is not None:
        lines.append(f"  MME/day: {checklist.mme_arithmetic} (CDC 2022 conversion factors, p. 31)")
    if checklist.suggested_decision:
        lines.append(f"  Suggestion only (the reviewer decides): {checklist.suggested_decision}")
    if checklist.warning:
        lines.append(f"  WARNING: {checklist.warning}")
    return "\n".join(lines)


def format_report(report: VerificationReport) -> str:
    lines = [f"Verification: {report.badge()}"]
    for check in report.checks:
        mark = "OK  " if check.status == "verified" else "FAIL"
        lines.append(f"  {mark} {check.marker or ''} {check.status}: {check.message}".rstrip())
        if check.status != "verified" and check.sentence and check.sentence not in check.message:
            lines.append(f"       sentence: {check.sentence}")
    lines += [f"  NOTE drafting note left in the text (act on it, then delete it): {note}" for note in report.notes_to_resolve]
    return "\n".join(lines)


def cmd_draft(args: argparse.Namespace) -> int:
    from assistant.services import Services

    settings = settings_from_args(args)
    services = Services.open(settings)
    case = services.intake_file(Path(args.case))
    indices = [args.item - 1] if args.item else list(range(len(case.items))) or [0]
    decision = args.decision.capitalize() if args.decision else None
    results = [services.draft(case, i, decision) for i in indices]
    if args.json:
        print(json.dumps([{"rationale": r.rationale.model_dump(mode="json"),
                           "checklist": r.rationale.checklist.model_dump(mode="json") if r.rationale.checklist else None,
                           "verification": r.report.model_dump(mode="json"), "repairs": r.repairs} for r in results], indent=2))
        return 0
    print(f"Case {case.case_id} — {services.backend_status()}\n")
    for index, result in zip(indices, results):
        print(format_item_section(result.rationale, index + 1))
        if result.decision_defaulted:
            print("\n(Decision defaulted to Upheld: choose it with --decision upheld|overturned.)")
        print("\n" + format_checklist(result.rationale.checklist))
        print("\n" + format_report(result.report))
        for note in result.repairs:
            print(f"  repair: {note}")
        print("\n" + "-" * 72 + "\n")
    return 0


def _names_a_file(path: Path) -> bool:
    """Whether the argument is a file; a draft pasted as the argument is text, however long (a path of more than
    255 characters raised "File name too long" instead of being checked)."""
    try:
        return path.is_file()
    except OSError:
        return False


def cmd_check(args: argparse.Namespace) -> int:
    from assistant.drafting.intake import decode_case_text
    from assistant.services import Services

    services = Services.open(settings_from_args(args))
    path = Path(args.draft)
    text = decode_case_text(path.read_bytes(), path.name) if _names_a_file(path) else args.draft
    decision = args.decision.capitalize() if args.decision else None
    case = None
    if args.case:
        from assistant.drafting.intake import case_from_file

        case = case_from_file(Path(args.case))
    report = services.check_text(text, decision, case)
    if args.json:
        print(report.model_dump_json(indent=2))
    else:
        print(format_report(report))
    return 0 if report.ok else 1


def add_draft_commands(commands) -> None:
    draft = commands.add_parser("draft", help="draft the rationale of a case's disputed item(s)")
    draft.add_argument("case", help="a .txt, .pdf or .json case file (an IMR letter is stripped of its decisions)")
    draft.add_argument("--item", type=int, help="item number (1-based); all items when omitted")
    draft.add_argument("--decision", type=str.lower, choices=["upheld", "overturned"],
                       help="upheld or overturned, in any case (the letters write 'Upheld')")
    draft.add_argument("--model", choices=["offline", "openai", "ollama", "anthropic", "llamacpp"])
    draft.add_argument("--model-name")
    draft.add_argument("--model-base-url")
    draft.add_argument("--json", action="store_true")
    draft.set_defaults(func=cmd_draft)

    check = commands.add_parser("check", help="verify the citations of a rationale written by a person")
    check.add_argument("draft", help="a .txt file, or the text itself")
    check.add_argument("--decision", type=str.lower, choices=["upheld", "overturned"],
                       help="upheld or overturned, in any case")
    check.add_argument("--case", help="the case file (.txt, .pdf, .json): statements about the case are checked "
                                      "against its record")
    check.add_argument("--json", action="store_true")
    check.set_defaults(func=cmd_check)
