"""`python -m evals all`: every eval that needs no LLM, one Markdown report, a history line and a chart."""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from pathlib import Path

from assistant.config import PROJECT_ROOT, Settings
from assistant.index.store import build_index
from assistant.services import Services

REPORTS = Path(__file__).parent / "reports"
DEFAULT_LETTERS = PROJECT_ROOT.parent / "shared" / "imr-letters" / "dev"
HEADLINE = [
    ("retrieval_heldout_all_hit@5", "retrieval hit@5, held-out sets, all guidelines (headline)"),
    ("retrieval_heldout_all_mrr", "retrieval MRR, held-out sets, all guidelines (headline)"),
    ("retrieval_hybrid_hit@5", "retrieval hit@5 (hybrid)"),
    ("retrieval_hybrid_mrr", "retrieval MRR (hybrid)"),
    ("drafting_citation_precision", "citation precision"),
    ("drafting_gold_page_hit", "gold-page hit (drafts)"),
    ("drafting_gold_recommendation_hit", "gold-recommendation hit (drafts)"),
    ("abstention_rate", "abstention when CDC is silent"),
    ("opioid_verified_citation_rate", "opioid items with verified CDC citation"),
    ("importer_complete_rate", "letter items parsed completely"),
    ("precedent_part@3", "governing part top-3"),
    ("criteria_per_criterion_agreement_tune", "checklist per-criterion agreement (tune)"),
    ("criteria_per_criterion_agreement_heldout", "checklist per-criterion agreement (held-out)"),
    ("criteria_mme_exact_rate", "MME/day exact (hand-computed cases)"),

    ("coverage_sample_precision", "coverage: cited recommendation addresses the item (sample)"),
]


def _chat_intent_section(sections: list[str]) -> dict[str, float]:
    from evals.chat_intents import intent_accuracy

    intents = {split: intent_accuracy(split)[0] for split in ("tune", "heldout")}
    sections.append("## Chat: reviewer messages read as meant\n\n" + "\n".join(
        f"- {split}: {accuracy:.3f}" for split, accuracy in intents.items()))
    return {f"chat_intent_{split}": accuracy for split, accuracy in intents.items()}


def run_all(settings: Settings, letters_dir: Path = DEFAULT_LETTERS, out_dir: Path = REPORTS) -> dict:
    from assistant.letters.parse import completeness_figures, parse_letter_file
    from evals.drafting import load_cases, misses, run_cases, run_letters, summarise, format_summary
    from evals.precedents import format_precedent_eval, run_precedent_eval
    from evals.relevance import calibration_curve, format_curve, labelled_pairs
    from evals.retrieval import format_suite, group, run_retrieval_eval, run_retrieval_suite
    from assistant.drafting.evidence import RELEVANCE_THRESHOLD

    started = time.perf_counter()
    build_index(settings)
    services = Services.open(settings)
    sections: list[str] = []

    retrieval = run_retrieval_eval(services.search)
    suite = run_retrieval_suite(services.search)
    sections.append("## Retrieval\n\n" + format_suite(suite))
    headline = group(suite, ("split",), mode=suite["default_mode"], scope="all").get(("heldout",), {})

    letters = [parse_letter_file(p) for p in sorted(letters_dir.glob("*.pdf"))] if letters_dir.is_dir() else []
    importer = completeness_figures(letters) if letters else {}
    sections.append("## IMR letter importer\n\n" + ("\n".join(f"- {k}: {v}" for k, v in importer.items())
                                                   or f"(no letters under {letters_dir})"))

    case_rows = run_cases(services, load_cases(Path(__file__).parent / "datasets" / "drafting_cases.jsonl"))
    letter_rows = run_letters(services, letters_dir) if letters else []
    cases_summary, letters_summary = summarise(case_rows), summarise(letter_rows) if letter_rows else {}
    sections.append("## Drafting (offline drafter)\n\n" + format_summary("Our drafting cases", cases_summary))
    if letters_summary:
        sections.append(format_summary("Real dev letters re-drafted with decisions stripped (CDC-only corpus)", letters_summary))
    sections.append("### Per-item misses\n\n" + ("\n".join(f"- {m}" for m in misses(case_rows + letter_rows)) or "None."))

    precedent = run_precedent_eval(letters_dir, settings=settings) if letters else None
    if precedent:
        sections.append("## Governing-guideline suggestion (precedents)\n\n" + format_precedent_eval(precedent))

    from evals.criteria import criteria_headline, format_criteria_eval, run_criteria_eval

    criteria = run_criteria_eval(letters_dir)
    sections.append("## Criteria checklist\n\n" + format_criteria_eval(criteria))

    coverage_summary, coverage_precision = _coverage_section(services, letters_dir, sections) if letters else ({}, {})
    swaps = _record_check_section(letters_dir, sections) if letters else {}
    guideline_check = _guideline_check_section(services.search, sections)

    intents = _chat_intent_section(sections)
    pairs = labelled_pairs(services, letters_dir=letters_dir if letters else None)
    sections.append("## Relevance threshold\n\n" + format_curve(calibration_curve(pairs), pairs, RELEVANCE_THRESHOLD))

    combined = summarise(case_rows + letter_rows)
    figures = {
        "retrieval_heldout_all_hit@5": headline.get("hit@5"),
        "retrieval_heldout_all_mrr": headline.get("mrr"),
        "retrieval_hybrid_hit@5": retrieval["modes"]["hybrid"]["hit@5"],
        "retrieval_hybrid_mrr": retrieval["modes"]["hybrid"]["mrr"],
        "retrieval_bm25_hit@5": retrieval["modes"]["bm25"]["hit@5"],
        "retrieval_vector_hit@5": retrieval["modes"]["vector"]["hit@5"],
        "drafting_citation_precision": combined["citation_precision"],
        "drafting_hallucinated": combined["hallucinated_citations"],
        "drafting_gold_page_hit": cases_summary["gold_page_hit"],
        "drafting_gold_recommendation_hit": cases_summary["gold_recommendation_hit"],
        "drafting_structure_complete": combined["structure_complete"],
        "drafting_decision_consistent": combined["decision_consistent"],
        "abstention_rate": combined["abstention_rate_when_required"],
        "opioid_verified_citation_rate": combined["verified_citation_rate_when_required"],
        "importer_complete_rate": importer.get("complete_rate"),
        "coverage_items_citing": coverage_summary.get("citing"),
        "coverage_items_abstaining": coverage_summary.get("abstaining"),
        "coverage_sample_precision": coverage_precision.get("all", {}).get("cited_precision"),
        "precedent_part@3": precedent["methods"]["precedents"]["part@3"] if precedent and "precedents" in precedent["methods"] else None,
        **criteria_headline(criteria),
        **intents,
        **swaps,
        **guideline_check,
    }
    run = {"at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "figures": figures,
           "seconds": round(time.perf_counter() - started, 1)}
    write_report(out_dir, sections, run)
    return run


def _guideline_check_section(search, sections: list[str]) -> dict:
    """Statements of the indexed guidelines cited to their own page with the direction reversed, a figure changed,
    the strength misstated, or a region, test, drug, condition or duration swapped: the share flagged, by split."""
    from evals.changed_numbers import format_changes, run_changes
    from evals.misstated_strength import format_strengths, run_strengths
    from evals.reversed_recommendations import format_reversals, run_reversals
    from evals.swapped_conditions import format_condition_swaps, run_condition_swaps
    from evals.swapped_guideline_terms import format_swaps, run_swaps

    reversals, changes, strengths = run_reversals(search), run_changes(search), run_strengths(search)
    swaps, conditions = run_swaps(search), run_condition_swaps(search)
    sections.append("## Guideline check: recommendations reversed\n\n" + format_reversals(reversals))
    sections.append("## Guideline check: figures changed\n\n" + format_changes(changes))
    sections.append("## Guideline check: strengths misstated\n\n" + format_strengths(strengths))
    sections.append("## Guideline check: regions, tests and drugs swapped\n\n" + format_swaps(swaps))
    sections.append("## Guideline check: conditions and durations swapped\n\n" + format_condition_swaps(conditions))
    heldout = changes["heldout"], strengths["heldout"], swaps["heldout"], conditions["heldout"]
    return {"guideline_reversed_heldout_flagged": round(reversals["heldout"].flagged_share, 3),
            "guideline_changed_figure_heldout_flagged": round(heldout[0].share(heldout[0].altered_flagged), 3),
            "guideline_misstated_strength_heldout_flagged": round(heldout[1].share(heldout[1].altered_flagged), 3),
            "guideline_swapped_term_heldout_flagged": round(heldout[2].share(heldout[2].altered_flagged), 3),
            "guideline_swapped_condition_heldout_flagged": round(heldout[3].share(heldout[3].altered_flagged), 3)}


def _record_check_section(letters_dir: Path, sections: list[str]) -> dict:
    """Planted facts (precision/recall) and one-word swaps (flagged share) of the record check."""
    from evals.record_facts import evaluate, letter_cases, load_rows
    from evals.swapped_terms import format_swapped_terms, run_swapped_terms

    rows = load_rows()
    cases = letter_cases(letters_dir, {r["letter"] for r in rows})
    planted = {split: evaluate([r for r in rows if r["split"] == split], cases)[0] for split in ("tune", "heldout")}
    swaps = run_swapped_terms(letters_dir)
    sections.append("## Record check\n\nPlanted facts (`evals/datasets/record_facts.jsonl`): "
                    + "; ".join(f"{split} precision {c.precision:.3f}, recall {c.recall:.3f}" for split, c in planted.items())
                    + ".\n\nOne deciding word swapped (`evals/swapped_terms.py`):\n\n" + format_swapped_terms(swaps))
    return {"record_planted_heldout_recall": round(planted["heldout"].recall, 3),
            "record_swapped_heldout_flagged": round(swaps["heldout"].flagged_share, 3)}


def _coverage_section(services: Services, letters_dir: Path, sections: list[str]) -> tuple[dict, dict]:
    from evals.coverage import format_coverage, load_sample, run_coverage, sample_precision, summarise_coverage

    rows = run_coverage(services, letters_dir)
    summary, precision = summarise_coverage(rows), sample_precision(load_sample())
    sections.append("## Corpus coverage of letter items\n\n" + format_coverage(rows, summary, precision))
    return summary, precision


def write_report(out_dir: Path, sections: list[str], run: dict) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    history_file = out_dir / "history.jsonl"
    with open(history_file, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(run) + "\n")
    history = [json.loads(l) for l in history_file.read_text(encoding="utf-8").splitlines() if l.strip()]
    chart = out_dir / "headline.png"
    plot_history(history, chart)
    header = [f"# Evals report — {run['at']}", "",
              "Generated by `python -m evals all` (offline drafter, CDC 2022 guideline only; no LLM).", "",
              "| headline metric | value |", "|---|---|"]
    header += [f"| {label} | {_fmt(run['figures'].get(key))} |" for key, label in HEADLINE]
    header += [f"| hallucinated citations (must be 0) | {run['figures']['drafting_hallucinated']} |", "",
               f"![headline metrics over time]({chart.name})", ""]
    (out_dir / "latest.md").write_text("\n".join(header) + "\n\n" + "\n\n".join(sections) + "\n", encoding="utf-8")


def _fmt(value) -> str:
    return "—" if value is None else (f"{value:.3f}" if isinstance(value, float) else str(value))


def plot_history(history: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 4.5), dpi=110)
    runs = list(range(1, len(history) + 1))
    for key, label in HEADLINE:
        values = [h["figures"].get(key) for h in history]
        if any(v is not None for v in values):
            ax.plot(runs, [v if v is not None else float("nan") for v in values], marker="o", label=label)
    ax.set_ylim(0, 1.05)
    ax.set_xticks(runs)
    ax.set_xlim(0.5, len(runs) + 0.5)
    ax.set_xlabel("eval run")
    ax.set_ylabel("score")
    ax.set_title("Headline metrics over time")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
