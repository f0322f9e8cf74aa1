"""Tier awareness: when an MTUS document is indexed and addresses the item, it governs; CDC passages are shown
as supporting evidence only. The MTUS stand-in is a small synthetic PDF generated here (not MTUS text)."""

from __future__ import annotations

import shutil

import pytest

from assistant.contracts import EvidenceTier
from assistant.corpus.add import add_guideline
from assistant.drafting.intake import case_from_file
from assistant.index.store import build_index
from assistant.services import Services
from conftest import FIXTURES, make_settings
from test_pdf_pages import minimal_pdf

SYNTHETIC_MTUS_PAGES = [
    ["Synthetic MTUS-like test document (not MTUS text)", "Opioids, criteria for use",
     "Ongoing management of opioid therapy for chronic pain should document pain relief,",
     "functional status, appropriate medication use and side effects at each visit.",
     "Continue opioids only when the patient has returned to work or has improved",
     "functioning and pain; otherwise the opioid dosage should be tapered."],
    ["Opioids, dosing", "An opioid dosage increase above 120 mg oral morphine equivalents per day",
     "is not recommended for chronic pain unless a pain management specialist documents",
     "clear functional improvement with each prior increase of the opioid dosage."],
]


@pytest.fixture(scope="module")
def tiered_services(cdc_settings, tmp_path_factory):
    home = tmp_path_factory.mktemp("tiered-home")
    shutil.copytree(cdc_settings.index_dir / "embedding-cache", home / "index" / "embedding-cache")
    settings = make_settings(home)
    pdf = home / "synthetic-mtus.pdf"
    pdf.write_bytes(minimal_pdf(SYNTHETIC_MTUS_PAGES))
    add_guideline(settings, pdf, "synthetic-mtus-opioids", "Synthetic MTUS Opioid Test Chapter", EvidenceTier.mtus,
                  section_pattern=r"^Opioids, [a-z ]+$")
    result = build_index(settings)
    assert result.embedded_chunks < 20  # only the new document was embedded; the CDC embeddings came from the cache
    return Services.open(settings)


def test_mtus_governs_and_cdc_is_supporting_only(tiered_services):
    case = case_from_file(FIXTURES / "cases" / "opioid-escalation.txt")
    result = tiered_services.draft(case, 0, "Upheld")
    rationale = result.rationale
    assert rationale.citations, "expected the MTUS stand-in to govern"
    assert {c.guideline_id for c in rationale.citations} == {"synthetic-mtus-opioids"}
    assert all(c.guideline_id == "cdc-opioids-2022" for c in rationale.supporting_citations)
    assert rationale.supporting_citations, "the CDC guideline should still be shown as supporting evidence"
    assert "MTUS was not available" not in rationale.rationale
    assert result.report.ok, [p.message for p in result.report.problems]
    assert rationale.reviewer_guideline_line.startswith("Decision based on Synthetic MTUS Opioid Test Chapter")


def test_cdc_only_corpus_says_mtus_was_not_available(cdc_settings, cdc_search):
    case = case_from_file(FIXTURES / "cases" / "opioid-escalation.txt")
    rationale = Services(cdc_settings, cdc_search).draft(case, 0, "Upheld").rationale
    assert "The MTUS was not available in the indexed corpus" in rationale.rationale
    assert rationale.supporting_citations == []
