"""Criteria checklist eval: per-criterion agreement with the real reviewers' findings, item-level agreement on
what is missing, MME/day exactness on hand-computed cases, and the suggested decision's balanced accuracy.

Labels (evals/datasets/criteria_labels.jsonl) were written by reading the letters' rationales; the checklist only
sees the case summary with the decisions stripped. Tune and held-out splits are reported separately; rules were
adjusted on the tune split only.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from functools import lru_cache
from pathlib import Path

from assistant.config import PROJECT_ROOT
from assistant.contracts import Checklist
from assistant.criteria import GuidelinePages, load_criteria_dir
from assistant.criteria.checklist import build_checklist, item_category
from assistant.criteria.mme import compute_mme

DATASETS = Path(__file__).parent / "datasets"
LABELS = DATASETS / "criteria_labels.jsonl"
MME_CASES = DATASETS / "mme_cases.jsonl"
DEFAULT_LETTERS = PROJECT_ROOT.parent / "shared" / "imr-letters" / "dev"


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def corpus_dir() -> Path:
    return Path(os.environ.get("ASSISTANT_CORPUS_MIRROR") or PROJECT_ROOT.parent / "shared" / "corpus")


# Printed page = physical page − offset (CDC: PDF page labels i, ii, 1 …; VA/DoD: "Page N of M" = physical page).
PAGE_OFFSETS = {"cdc-opioids-2022": 2, "vadod-lbp-2022": 0, "vadod-oa-2020": 0, "vadod-sleep-2019": 0}


@lru_cache(maxsize=2)
def corpus_pages(directory: str) -> GuidelinePages:
    """Printed pages of the guidelines the criteria sets quote (pypdf text; the catalog may not list them all)."""
    from pypdf import PdfReader

    from assistant.contracts import GuidelinePage, PrintedPageSource

    pages = []
    for guideline_id, offset in PAGE_OFFSETS.items():
        pdf = Path(directory) / f"{guideline_id}.pdf"
        if not pdf.exists():
            continue
        for number, page in enumerate(PdfReader(pdf).pages, start=1):
            pages.append(GuidelinePage(guideline_id=guideline_id, physical_page=number, printed_page=str(number - offset),
                                       printed_page_source=PrintedPageSource.physical_index, text=page.extract_text() or ""))
    return GuidelinePages.from_pages(pages)


def mme_eval(cases_path: Path = MME_CASES) -> dict:
    """Exact MME/day (to 0.1) on every hand-computed case; `-prn-min` cases are scored on the least as written."""
    rows = []
    for case in read_jsonl(cases_path):
        result = compute_mme(case["regimen"])
        got = result.mme_per_day_min if case["id"].endswith("-prn-min") else result.mme_per_day
        exact = got is not None and abs(got - case["expected_mme_per_day"]) < 0.05
        rows.append({"id": case["id"], "expected": case["expected_mme_per_day"], "got": got, "exact": exact,
                     "arithmetic": result.arithmetic()})
    return {"cases": len(rows), "exact": sum(r["exact"] for r in rows), "rows": rows}


def balanced(pairs: list[tuple[str, str | None]]) -> dict:
    """Recall per real decision and their mean (balanced accuracy); a missing suggestion counts as wrong."""
    recall = {}
    for decision in ("Upheld", "Overturned"):
        relevant = [(real, got) for real, got in pairs if real == decision]
        recall[decision] = round(sum(got == real for real, got in relevant) / len(relevant), 3) if relevant else None
        recall[f"n_{decision}"] = len(relevant)
    present = [v for k, v in recall.items() if not k.startswith("n_") and v is not None]
    recall["balanced_accuracy"] = round(sum(present) / len(present), 3) if present else None
    return recall


def letter_item_checklist(letter_path: Path, item_number: int, sets: dict, pages: GuidelinePages, routed: bool = False):
    """The item's checklist from every loaded set (criteria applied by analogy too), or with `routed` only from the
    sets of the guidelines the product routes the item to, which is the checklist the workspace shows."""
    from assistant.drafting.evidence import routed_guidelines
    from assistant.drafting.intake import case_from_file

    case = case_from_file(letter_path)
    if not 0 < item_number <= len(case.items):
        return None
    item = case.items[item_number - 1]
    if routed:
        allowed = set(routed_guidelines(case, item, sorted({s.guideline_id for s in sets.values()})))
        sets = {key: s for key, s in sets.items() if s.guideline_id in allowed}
        if not sets:
            return None
    return build_checklist(case, item_number - 1, sets, item_category(item.text), pages=pages)


def labelled_checklists(letters_dir: Path, sets: dict, pages: GuidelinePages) -> list[tuple[dict, Checklist | None]]:
    """Each labelled item with its checklist (None when no set covers it), built once for every summary."""
    return [(row, letter_item_checklist(letters_dir / row["letter"], row["item"], sets, pages)) for row in read_jsonl(LABELS)]


def labelled_eval(checked: list[tuple[dict, Checklist | None]], batch: int | None = None) -> dict:
    """Per-criterion and item-level agreement, and suggested decisions, on the labelled items, by split; with
    `batch`, only the items of that labelling batch (1: the first 47, audited; 2: 20 more, labelled 2026-11-29)."""
    per_split: dict[str, dict] = {}
    for row, checklist in checked:
        if batch is not None and row.get("batch") != batch:
            continue
        split = per_split.setdefault(row["split"], {"criteria": [], "for_against": [], "items_missing_agree": [], "decisions": [],
                                                    "uncovered": 0, "confusion": Counter(), "same_region": [], "by_analogy": []})
        statuses = {r.criterion_id: r.status for r in checklist.rows} if checklist else {}
        if checklist is None:
            split["uncovered"] += 1
        for label in row["criteria"]:
            got = statuses.get(label["criterion"], "absent")
            split["criteria"].append(got == label["status"])
            split["by_analogy" if row.get("by_analogy") else "same_region"].append(got == label["status"])
            split["for_against"].append((got == "met") == (label["status"] == "met"))
            split["confusion"][(label["status"], got)] += 1
        want_missing = {c["criterion"] for c in row["criteria"] if c["status"] == "not_documented"}
        got_missing = {c["criterion"] for c in row["criteria"] if statuses.get(c["criterion"]) == "not_documented"}
        split["items_missing_agree"].append(want_missing == got_missing)
        split["decisions"].append((row["decision"], checklist.suggested_decision if checklist else None))
    return {name: _summarise_split(s) for name, s in sorted(per_split.items())}


def _share(values: list[bool]) -> float | None:
    return round(sum(values) / len(values), 3) if values else None


def _summarise_split(split: dict) -> dict:
    return {
        "labelled_criteria": len(split["criteria"]),
        "per_criterion_agreement": round(sum(split["criteria"]) / len(split["criteria"]), 3),
        "same_region": {"n": len(split["same_region"]), "agreement": _share(split["same_region"])},
        "by_analogy": {"n": len(split["by_analogy"]), "agreement": _share(split["by_analogy"])},
        "met_vs_not_agreement": round(sum(split["for_against"]) / len(split["for_against"]), 3),
        "items": len(split["items_missing_agree"]),
        "items_uncovered": split["uncovered"],
        "missing_set_agreement": round(sum(split["items_missing_agree"]) / len(split["items_missing_agree"]), 3),
        "suggested_decision": balanced(split["decisions"]),
        "confusion": {f"{want}->{got}": n for (want, got), n in sorted(split["confusion"].items())},
    }


def letters_decision_eval(letters_dir: Path, sets: dict, pages: GuidelinePages, routed: bool = False) -> dict:
    """Suggested vs real decision on every dev-letter item a criteria set covers, split by the labels' letter rule;
    with `routed`, only the items (and sets) for which the product shows a checklist."""
    import hashlib

    from assistant.letters.parse import parse_letter_file

    pairs: dict[str, list[tuple[str, str | None]]] = {"tune": [], "heldout": []}
    by_category: dict[str, list[tuple[str, str | None]]] = {}
    for path in sorted(letters_dir.glob("*.pdf")):
        split = "tune" if hashlib.sha256(path.name.encode()).hexdigest()[0] in "012345" else "heldout"
        letter = parse_letter_file(path)
        for number, item in enumerate(letter.items, start=1):
            if item.decision not in ("Upheld", "Overturned"):
                continue
            checklist = letter_item_checklist(path, number, sets, pages, routed=routed)
            if checklist is None or checklist.suggested_decision is None:
                continue
            pairs[split].append((item.decision, checklist.suggested_decision))
            by_category.setdefault(checklist.category or "?", []).append((item.decision, checklist.suggested_decision))
    return {"tune": balanced(pairs["tune"]), "heldout": balanced(pairs["heldout"]),
            "by_category": {k: balanced(v) for k, v in sorted(by_category.items())}}


def run_criteria_eval(letters_dir: Path = DEFAULT_LETTERS) -> dict:
    pages = corpus_pages(str(corpus_dir()))
    sets = load_criteria_dir(pages)
    result: dict = {"mme": mme_eval(), "criteria_sets": sorted(sets)}
    if Path(letters_dir).is_dir():
        checked = labelled_checklists(Path(letters_dir), sets, pages)
        result["labelled"] = labelled_eval(checked)
        result["labelled_batch_1"] = labelled_eval(checked, batch=1)
        result["letters_decisions"] = letters_decision_eval(Path(letters_dir), sets, pages)
        result["letters_decisions_routed"] = letters_decision_eval(Path(letters_dir), sets, pages, routed=True)
    return result


def format_criteria_eval(result: dict) -> str:
    mme = result["mme"]
    lines = [f"- MME/day exact on hand-computed cases: {mme['exact']}/{mme['cases']}"]
    for split, figures in result.get("labelled_batch_1", {}).items():
        lines.append(f"- batch 1 only (the first 47 items, audited), {split}: per-criterion agreement "
                     f"{figures['per_criterion_agreement']:.3f} ({figures['labelled_criteria']} labelled criteria)")
    for split, figures in result.get("labelled", {}).items():
        decision = figures["suggested_decision"]
        lines.append(
            f"- {split}: per-criterion agreement {figures['per_criterion_agreement']:.3f} "
            f"({figures['labelled_criteria']} labelled criteria, {figures['items']} items, {figures['items_uncovered']} uncovered; "
            f"met vs not met/not documented {figures['met_vs_not_agreement']:.3f}); "
            f"'what is missing' exact per item {figures['missing_set_agreement']:.3f}; suggested decision: "
            f"recall upheld {decision['Upheld']} (n={decision['n_Upheld']}), overturned {decision['Overturned']} "
            f"(n={decision['n_Overturned']}), balanced accuracy {decision['balanced_accuracy']}")
        lines.append(f"  - {split}, same body region: {figures['same_region']['agreement']} (n={figures['same_region']['n']}); "
                     f"criteria applied by analogy to another region: {figures['by_analogy']['agreement']} "
                     f"(n={figures['by_analogy']['n']})")
    for key, scope in (("letters_decisions", "all covered dev-letter items (every set, by analogy too)"),
                       ("letters_decisions_routed", "dev-letter items the product shows a checklist for (routed sets)")):
        if result.get(key):
            lines += _decision_lines(result[key], scope)
    return "\n".join(lines)


def _decision_lines(letters: dict, scope: str) -> list[str]:
    lines = []
    for split in ("tune", "heldout"):
        d = letters[split]
        lines.append(f"- {scope}, {split}: recall upheld {d['Upheld']} (n={d['n_Upheld']}), "
                     f"overturned {d['Overturned']} (n={d['n_Overturned']}), balanced accuracy {d['balanced_accuracy']}")
    for category, d in letters["by_category"].items():
        lines.append(f"  - {category}: upheld {d['Upheld']} (n={d['n_Upheld']}), overturned {d['Overturned']} "
                     f"(n={d['n_Overturned']}), balanced {d['balanced_accuracy']}")
    return lines


def criteria_headline(result: dict) -> dict:
    """Flat figures for the report headline and the CI floors."""
    figures = {"criteria_mme_exact_rate": result["mme"]["exact"] / result["mme"]["cases"]}
    for split, values in result.get("labelled", {}).items():
        figures[f"criteria_per_criterion_agreement_{split}"] = values["per_criterion_agreement"]
        figures[f"criteria_missing_set_agreement_{split}"] = values["missing_set_agreement"]
    return figures
