"""Every retrieval query set, searched across all indexed guidelines, against the floors in evals/floors.toml.

Slow: it indexes every guideline the sets name (eight of the thirteen). ASSISTANT_EVAL_HOME may point at a home
that already holds that index (build_index then does no work).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest

from conftest import PROJECT_ROOT, make_settings
from evals.retrieval import dataset_paths, group, load_dataset, run_retrieval_suite

FLOORS = tomllib.loads((PROJECT_ROOT / "evals" / "floors.toml").read_text())["retrieval_suite"]


@pytest.fixture(scope="module")
def suite_search(tmp_path_factory):
    from assistant.index.store import build_index
    from assistant.retrieval import GuidelineSearch

    needed = sorted({q.guideline_id for path in dataset_paths() for q in load_dataset(path)})
    given = os.environ.get("ASSISTANT_EVAL_HOME")
    home = Path(given) if given else tmp_path_factory.mktemp("suite-home")
    settings = make_settings(home, guidelines=",".join(needed))
    build_index(settings)
    return GuidelineSearch(settings)


@pytest.mark.slow
@pytest.mark.timeout(3600)  # indexing eight guidelines embeds ~4,700 passages
def test_held_out_sets_meet_their_all_guidelines_floors(suite_search):
    result = run_retrieval_suite(suite_search, scopes=("all",), modes=(suite_search.DEFAULT_MODE,))
    assert not result["skipped"], f"guidelines missing from the index: {result['skipped']}"
    figures = group(result, ("set",), split="heldout")
    for (name,), summary in figures.items():
        print(f"{name}: hit@5 {summary['hit@5']:.3f} MRR {summary['mrr']:.3f}")
    for name, (hit_floor, mrr_floor) in FLOORS["heldout_all_guidelines"].items():
        summary = figures[(name,)]
        assert summary["hit@5"] >= hit_floor, f"{name} hit@5 {summary['hit@5']:.3f} < {hit_floor}"
        assert summary["mrr"] >= mrr_floor, f"{name} MRR {summary['mrr']:.3f} < {mrr_floor}"
