"""Calibrate the relevance threshold: does a retrieved passage address the disputed item at all?

Labelled pairs (built from our drafting cases and the real dev letters, with only the CDC guideline indexed):
- positive: a candidate passage on a gold page of a drafting case;
- negative: every candidate passage for an item the CDC guideline does not govern (the drafting cases that
  expect abstention, and dev-letter items about imaging, electrodiagnostics, surgery, therapies, devices and
  non-opioid drugs).
The rule scored is the drafter's: the passage names the item's treatment category AND similarity ≥ t.
"""

from __future__ import annotations

from pathlib import Path

from assistant.drafting.evidence import gather_evidence
from assistant.drafting.intake import case_from_file, case_from_text
from assistant.vocabulary.categories import classify_item, passage_addresses_topic
from assistant.services import Services
from evals.drafting import DEFAULT_CASES, load_cases
from evals.metrics import precision_recall

CDC_SILENT = {"imaging", "electrodiagnostic", "surgery", "physical-therapy", "chiropractic", "acupuncture", "tens",
              "injection", "dme", "topical", "muscle-relaxant", "nsaid", "ppi", "sleep-aid", "anticonvulsant-antidepressant"}
THRESHOLDS = [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7]


def _scored(evidence) -> list[tuple[float, str]]:
    return [((p.relevance or 0.0) if passage_addresses_topic(evidence.topic, p.citation.quote) else 0.0,
             p.citation.printed_page) for p in evidence.candidates]


def labelled_pairs(services: Services, cases_file: Path = DEFAULT_CASES, letters_dir: Path | None = None) -> list[tuple[float, bool]]:
    pairs: list[tuple[float, bool]] = []
    for spec in load_cases(cases_file):
        case = case_from_text(spec.case_text, spec.id)
        if spec.items:
            case.items = spec.items
        gold = set(spec.gold_pages.get("cdc-opioids-2022", []))
        for item in case.items:
            evidence = gather_evidence(case, item, services.search)
            for score, page in _scored(evidence):
                if spec.expects_abstention:
                    pairs.append((score, False))
                elif page in gold:
                    pairs.append((score, True))
    if letters_dir:
        for path in sorted(Path(letters_dir).glob("*.pdf")):
            case = case_from_file(path)
            for item in case.items:
                topic = classify_item(item.text)
                if topic.primary is None or topic.primary.name not in CDC_SILENT:
                    continue
                if any(name in {"opioid", "benzodiazepine", "naloxone", "drug-testing"} for name in topic.names):
                    continue
                pairs += [(score, False) for score, _ in _scored(gather_evidence(case, item, services.search))]
    return pairs


def calibration_curve(pairs: list[tuple[float, bool]]) -> list[dict]:
    scores = [s for s, _ in pairs]
    labels = [l for _, l in pairs]
    return [dict(zip(("threshold", "precision", "recall"), (t, *precision_recall(scores, labels, t)))) for t in THRESHOLDS]


def format_curve(curve: list[dict], pairs: list[tuple[float, bool]], chosen: float) -> str:
    positives = sum(1 for _, l in pairs if l)
    lines = [f"Relevance calibration: {len(pairs)} labelled passage pairs ({positives} positive, {len(pairs) - positives} negative)",
             "", "| threshold | precision | recall |", "|---|---|---|"]
    lines += [f"| {c['threshold']:.2f}{' ← chosen' if abs(c['threshold'] - chosen) < 1e-9 else ''} | {c['precision']:.3f} | {c['recall']:.3f} |"
              for c in curve]
    return "\n".join(lines)
