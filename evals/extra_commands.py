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


def cmd_drafting(args) -> int:
    import json

    from assistant.config import load_settings
    from assistant.services import Services
    from evals.drafting import format_summary, load_cases, misses, run_cases, run_letters, summarise

    services = Services.open(load_settings(model=args.model))
    rows = run_cases(services, load_cases(args.cases)) if args.cases else []
    if args.letters:
        rows += run_letters(services, args.letters)
    summary = summarise(rows)
    print(format_summary(f"Drafting eval ({services.backend_status()})", summary))
    for line in misses(rows):
        print(f"- {line}")
    if args.json_out:
        args.json_out.write_text(json.dumps({"summary": summary, "rows": rows}, indent=2), encoding="utf-8")
    return 0 if summary["hallucinated_citations"] == 0 else 1


def register_drafting(commands) -> None:
    from pathlib import Path

    from evals.drafting import DEFAULT_CASES

    parser = commands.add_parser("drafting", help="replay cases through the drafting chain and score the drafts")
    parser.add_argument("--cases", type=Path, default=DEFAULT_CASES)
    parser.add_argument("--letters", type=Path, help="also re-draft real IMR letters (decisions stripped)")
    parser.add_argument("--model", choices=["offline", "openai", "ollama", "anthropic", "llamacpp"])
    parser.add_argument("--json-out", type=Path)
    parser.set_defaults(func=cmd_drafting)


REGISTRARS.append(register_drafting)


def cmd_relevance(args) -> int:
    from assistant.config import load_settings
    from assistant.drafting.evidence import RELEVANCE_THRESHOLD
    from assistant.services import Services
    from evals.relevance import calibration_curve, format_curve, labelled_pairs

    services = Services.open(load_settings())
    pairs = labelled_pairs(services, args.cases, args.letters)
    print(format_curve(calibration_curve(pairs), pairs, RELEVANCE_THRESHOLD))
    return 0


def register_relevance(commands) -> None:
    from pathlib import Path

    from evals.drafting import DEFAULT_CASES

    parser = commands.add_parser("relevance", help="precision/recall of the passage-relevance threshold")
    parser.add_argument("--cases", type=Path, default=DEFAULT_CASES)
    parser.add_argument("--letters", type=Path)
    parser.set_defaults(func=cmd_relevance)


REGISTRARS.append(register_relevance)


def cmd_all(args) -> int:
    from assistant.config import load_settings
    from evals.report import REPORTS, run_all

    run = run_all(load_settings(), args.letters, REPORTS)
    print(f"Wrote {REPORTS / 'latest.md'} and {REPORTS / 'headline.png'} in {run['seconds']} s")
    for key, value in run["figures"].items():
        print(f"  {key}: {value}")
    return 0 if run["figures"]["drafting_hallucinated"] == 0 else 1


def register_all(commands) -> None:
    from pathlib import Path

    from evals.report import DEFAULT_LETTERS

    parser = commands.add_parser("all", help="every eval that needs no LLM; writes evals/reports/latest.md")
    parser.add_argument("--letters", type=Path, default=DEFAULT_LETTERS)
    parser.set_defaults(func=cmd_all)


REGISTRARS.append(register_all)


def cmd_criteria(args) -> int:
    import json

    from evals.criteria import format_criteria_eval, run_criteria_eval

    result = run_criteria_eval(args.letters)
    print(format_criteria_eval(result))
    if args.json_out:
        args.json_out.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    return 0 if result["mme"]["exact"] == result["mme"]["cases"] else 1


def register_criteria(commands) -> None:
    from evals.criteria import DEFAULT_LETTERS

    parser = commands.add_parser("criteria", help="checklist vs the reviewers' criteria labels, MME/day, suggested decisions")
    parser.add_argument("--letters", type=Path, default=DEFAULT_LETTERS)
    parser.add_argument("--json-out", type=Path)
    parser.set_defaults(func=cmd_criteria)


REGISTRARS.append(register_criteria)

def cmd_coverage(args) -> int:
    from assistant.config import load_settings
    from assistant.services import Services
    from evals.coverage import format_coverage, load_sample, run_coverage, sample_precision, summarise_coverage, write_json

    rows = run_coverage(Services.open(load_settings()), args.letters)
    summary, precision = summarise_coverage(rows), sample_precision(load_sample())
    print(format_coverage(rows, summary, precision))
    write_json(rows, summary, precision, args.json_out)
    return 0 if summary["unverified_citations"] == 0 else 1


def register_coverage(commands) -> None:
    from pathlib import Path

    from evals.report import DEFAULT_LETTERS

    parser = commands.add_parser("coverage", help="which guideline and pages each letter item's draft cites, or why it abstains")
    parser.add_argument("--letters", type=Path, default=DEFAULT_LETTERS)
    parser.add_argument("--json-out", type=Path)
    parser.set_defaults(func=cmd_coverage)


REGISTRARS.append(register_coverage)
