"""The twelve VA/DoD guidelines: printed pages from 'Page N of M', Recommendation sections with strength.

Fixtures in tests/fixtures/vadod_regions.jsonl were written by reading the PDFs' text (quote, printed page,
section, strength); they are never produced by the code under test.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from functools import lru_cache

import numpy as np
import pytest

from conftest import FIXTURES, PROJECT_ROOT, SHARED, require_shared

REGIONS = [json.loads(line) for line in (FIXTURES / "vadod_regions.jsonl").read_text(encoding="utf-8").splitlines() if line]
VADOD_IDS = ["vadod-lbp-2022", "vadod-oa-2020", "vadod-headache-2020", "vadod-mtbi-2021", "vadod-sleep-2019",
             "vadod-mdd-2022", "vadod-ptsd-2017", "vadod-sud-2021", "vadod-cmi-2021", "vadod-lla-2017",
             "vadod-ula-2022", "vadod-stroke-2019"]


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def catalog():
    from assistant.config import Settings
    from assistant.corpus.catalog import load_catalog

    return {e.id: e for e in load_catalog(Settings(home=PROJECT_ROOT / ".unused-home"))}


@lru_cache(maxsize=None)
def ingested(guideline_id: str):
    from assistant.corpus.ingest import ingest_pdf

    entry = catalog()[guideline_id]
    return ingest_pdf(entry, require_shared(SHARED / "corpus" / entry.filename))


def test_catalog_holds_the_twelve_with_pinned_checksums_and_notes():
    entries = catalog()
    assert set(VADOD_IDS) <= set(entries)
    for gid in VADOD_IDS:
        entry = entries[gid]
        assert entry.filename == f"{gid}.pdf" and entry.tier.value == "evidence-based"
        assert entry.url.startswith("https://www.healthquality.va.gov/guidelines/")
        assert "public domain" in entry.licence and "endorsement" in entry.licence
        assert entry.conditions and entry.running_header and entry.strength_pattern
        assert any(r.label == "Recommendation {1}" for r in entry.section_rules)
    assert {g for g in VADOD_IDS if entries[g].superseded} == {"vadod-sleep-2019", "vadod-ptsd-2017", "vadod-lla-2017",
                                                               "vadod-stroke-2019"}
    assert "2024" in entries["vadod-stroke-2019"].superseded
    sources = (SHARED / "corpus" / "SOURCES.md")
    if sources.exists():
        text = sources.read_text(encoding="utf-8")
        for gid in VADOD_IDS:
            assert entries[gid].sha256 in text, f"{gid}: SHA-256 differs from SOURCES.md"


@pytest.mark.parametrize("guideline_id", sorted({r["guideline_id"] for r in REGIONS}))
def test_fixture_regions_have_their_printed_page_section_and_strength(guideline_id):
    regions = [r for r in REGIONS if r["guideline_id"] == guideline_id]
    assert len(regions) >= 10
    doc = ingested(guideline_id)
    assert {p.printed_page_source.value for p in doc.pages} == {"running-header"}
    page_hits = section_hits = 0
    misses = []
    for region in regions:
        quote = squash(region["quote"])
        labels = [p.printed_page for p in doc.pages if quote in squash(p.text)]
        if region["printed_page"] in labels:
            page_hits += 1
        else:
            misses.append(f"page: {quote[:50]!r} found on {labels}, expected {region['printed_page']}")
            continue
        head = " ".join(quote.split()[:6])
        chunks = [c for c in doc.chunks if c.printed_page == region["printed_page"] and head in squash(c.text)]
        got = {(c.section_path[0] if c.section_path else "", c.strength) for c in chunks}
        if got == {(region["section"], region["strength"])}:
            section_hits += 1
        else:
            misses.append(f"section: {quote[:50]!r} got {got}, expected {(region['section'], region['strength'])}")
    print(f"{guideline_id}: page attribution {page_hits}/{len(regions)}, section+strength {section_hits}/{len(regions)}")
    assert not misses, "\n".join(misses)


def test_the_guidelines_own_abbreviation_lists_are_read_from_their_pages():
    """Read from the PDFs: MDD 2022 Appendix H (p. 125) lists "PGx pharmacogenetic" and "TMS transcranial magnetic
    stimulation"; the insomnia guideline's algorithm notes say "Abbreviations: AHI: apnea-hypopnea index; OSA: …"."""
    from assistant.corpus.abbreviations import abbreviation_lists

    mdd = abbreviation_lists(ingested("vadod-mdd-2022").pages)
    assert mdd["PGx"] == ["pharmacogenetic"] and mdd["TMS"][0] == "transcranial magnetic stimulation"
    assert mdd["TCA"] == ["tricyclic antidepressants"] and "Abbreviation" not in mdd and "Table" not in mdd
    sleep = abbreviation_lists(ingested("vadod-sleep-2019").pages)
    assert sleep["AHI"] == ["apnea-hypopnea index"] and sleep["HSAT"] == ["home sleep apnea testing"]
    assert all(not d.endswith(("of", "and", "for")) for ds in sleep.values() for d in ds)  # wrapped rows kept whole


def test_restating_parts_are_marked_and_references_not_indexed():
    from assistant.index.store import indexed_chunks

    doc = ingested("vadod-lbp-2022")
    tops = {c.section_path[0] for c in doc.chunks if c.section_path}
    restating = {t for t in tops if doc.entry.restates([t])}
    # The Algorithm chapter restates the recommendations as a flow (its text is an appendix): restating too. The
    # research chapter lists trials needed, topic by topic: never the guidance, so ranked like a restatement.
    # The patient focus group's findings and the work group's roster are no guidance either (a question about
    # physical therapy for the shoulder listed two amputation guidelines' rosters of physical therapists).
    assert restating == {"Recommendations", "Algorithm", "Appendix C: Evidence Table",
                         "Appendix D: 2017 Recommendation Categorization Table", "Research Priorities",
                         "Appendix B: Patient Focus Group Methods and Findings"}
    roster = ingested("vadod-ula-2022")
    assert {t for t in {c.section_path[0] for c in roster.chunks if c.section_path} if roster.entry.restates([t])} >= {
        "Guideline Development Team", "Appendix I: Patient Focus Group Methods and Findings"}
    assert not doc.entry.restates(["Recommendation 3"])
    kept = {c.section_path[0] for c in indexed_chunks(doc) if c.section_path}
    assert "References" in tops and "References" not in kept
    assert not any(t.startswith("Appendix G: Participant") for t in kept)
    # Every chunk of a recommendation (or of a discussion several share) carries its strength; nothing else does.
    from assistant.contracts import recommendation_numbers

    for chunk in doc.chunks:
        is_recommendation = bool(chunk.section_path) and bool(recommendation_numbers(chunk.section_path[0]))
        assert (chunk.strength is not None) == is_recommendation, chunk.chunk_id
    shared = {(c.section_path[0], c.strength) for c in doc.chunks if c.section_path and "–" in c.section_path[0]}
    assert ("Recommendations 10–11", "10: Weak for; 11: Neither for nor against") in shared  # manipulation, p. 40


def test_image_only_algorithm_pages_keep_their_page_and_yield_no_text_chunks():
    """LBP pages 18-21 are algorithm images (their text is Appendix I); only their footnotes are text."""
    doc = ingested("vadod-lbp-2022")
    for physical in (18, 21):
        page = doc.pages[physical - 1]
        assert page.printed_page == str(physical) and len(page.text) < 400
        chunks = [c for c in doc.chunks if c.physical_page == physical]
        assert len(chunks) <= 3 and all(c.section_path[0] == "Algorithm" for c in chunks)
    appendix = [c for c in doc.chunks if c.section_path and c.section_path[0].startswith("Appendix I: Alternative Text")]
    assert appendix and any("Module" in c.text for c in appendix)


def test_mdd_odd_running_headers_are_read_and_removed():
    doc = ingested("vadod-mdd-2022")
    assert [p.printed_page for p in doc.pages] == [str(n) for n in range(1, len(doc.pages) + 1)]
    for physical in (123, 124, 128, 141):  # "Page 1 23 of 159", "Pag e 124 of 159", "Page 128 of 1 59" …
        text = doc.pages[physical - 1].text
        assert not re.search(r"P\s?a\s?g\s?e\s+\d[\d ]*\s+of", text), text[:200]


@pytest.mark.slow
def test_all_twelve_page_maps_have_printed_pages_and_recommendations():
    """Pages, sections and chunks of every VA/DoD guideline, without embeddings."""
    for gid in VADOD_IDS:
        doc = ingested(gid)
        assert [p.printed_page for p in doc.pages] == [str(n) for n in range(1, len(doc.pages) + 1)], gid
        assert {p.printed_page_source.value for p in doc.pages} == {"running-header"}, gid
        recommendations = defaultdict(set)
        for chunk in doc.chunks:
            if chunk.section_path and chunk.section_path[0].startswith("Recommendation "):
                recommendations[chunk.section_path[0]].add(chunk.strength)
        assert len(recommendations) >= 10, f"{gid}: only {sorted(recommendations)}"
        numbers = sorted(int(label.split()[1]) for label in recommendations)
        assert numbers[0] == 1, f"{gid}: recommendations start at {numbers[0]}"
        without = [label for label, strengths in recommendations.items() if None in strengths]
        assert not without, f"{gid}: no strength for {without}"
        assert all(len(c.text.split()) >= 3 for c in doc.chunks), gid
        print(f"{gid}: {len(doc.pages)} pages, {len(doc.chunks)} chunks, {len(recommendations)} recommendations "
              f"(1–{numbers[-1]})")


@pytest.fixture(scope="module")
def cdc_lbp_home(cdc_settings, tmp_path_factory):
    """A home indexing the CDC and low back pain guidelines (the CDC embeddings reused from the session index)."""
    import shutil

    from assistant.config import Settings
    from assistant.index.store import build_index

    home = tmp_path_factory.mktemp("cdc-lbp") / "home"
    shutil.copytree(cdc_settings.index_dir / "embedding-cache", home / "index" / "embedding-cache")
    settings = Settings(home=home, corpus_mirror=SHARED / "corpus", guidelines="cdc-opioids-2022,vadod-lbp-2022")
    build_index(settings)
    return settings


@pytest.mark.slow
def test_search_for_lumbar_mri_returns_the_imaging_recommendation_first(cdc_lbp_home, capsys):
    """`assistant search "MRI for low back pain without red flags" -k 5 --json` on an index of CDC + LBP."""
    from assistant.cli import main

    capsys.readouterr()
    assert main(["--home", str(cdc_lbp_home.home), "search", "MRI for low back pain without red flags", "-k", "5", "--json"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert len(results) == 5
    top = results[0]["citation"]
    print([(r["citation"]["guideline_id"], r["citation"]["printed_page"], r["citation"]["section"],
            r["citation"]["strength"]) for r in results])
    # Recommendations 2 (imaging when red flags) and 3 (no routine imaging without red flags), pages 28–30.
    assert top["guideline_id"] == "vadod-lbp-2022"
    assert top["section"] in {"Recommendation 2", "Recommendation 3"} and top["printed_page"] in {"28", "29", "30"}
    assert top["strength"] in {"Strong for", "Strong against"}
    assert all(r["citation"]["guideline_id"] == "vadod-lbp-2022" for r in results[:3])


@pytest.mark.slow
def test_a_question_prefers_the_guideline_it_names_without_reordering_within_one(cdc_lbp_home, monkeypatch):
    """The guideline prior is one factor per guideline, 1 for the guideline whose title and conditions the question
    is nearest, below 1 for the other; the passages' order within a guideline is what it was without it."""
    from assistant.retrieval import search as search_module
    from assistant.retrieval.search import GuidelineSearch

    search = GuidelineSearch(cdc_lbp_home)
    allowed = {"cdc-opioids-2022", "vadod-lbp-2022"}
    positions = np.arange(len(search.chunks))
    guideline = np.array([c.guideline_id for c in search.chunks])
    for query, named in [("sciatica and lumbar radiculopathy", "vadod-lbp-2022"),
                         ("opioid prescribing for acute pain", "cdc-opioids-2022")]:
        prior = search.guideline_prior(query, positions, allowed)
        other = ({"cdc-opioids-2022", "vadod-lbp-2022"} - {named}).pop()
        assert set(prior[guideline == named]) == {1.0} and len(set(prior[guideline == other])) == 1
        assert prior[guideline == other][0] < 1.0
    query = "physical therapy and exercise for chronic low back pain"
    with_prior = [r.chunk_id for r in search.search(query, k=40) if r.citation.guideline_id == "vadod-lbp-2022"]
    assert search_module.GUIDELINE_PRIOR > 0
    monkeypatch.setattr(search_module, "GUIDELINE_PRIOR", 0.0)
    without = [r.chunk_id for r in search.search(query, k=40) if r.citation.guideline_id == "vadod-lbp-2022"]
    shared = [c for c in with_prior if c in without]
    assert len(shared) >= 10 and shared == [c for c in without if c in with_prior]


def test_a_lettered_recommendation_is_its_own_recommendation():
    """PTSD 2017 prints prazosin as "Recommendation 28a. … 28b. …" (p. 62); its statement and discussion were
    filed under Recommendation 27 (mirtazapine), so a citation named the wrong recommendation."""
    doc = ingested("vadod-ptsd-2017")
    for quote, page in (("For global symptoms of PTSD, we suggest against the use of prazosin", "62"),
                        ("Four small, published trials of variable quality met the threshold for review", "63")):
        chunks = [c for c in doc.chunks if c.printed_page == page and quote in squash(c.text)]
        assert chunks and {(c.section_path[0], c.strength) for c in chunks} == {("Recommendation 28", "Weak against")}
    mirtazapine = [c for c in doc.chunks if "mirtazapine in combination with sertraline" in squash(c.text) and c.printed_page == "62"]
    assert mirtazapine and {c.section_path[0] for c in mirtazapine} == {"Recommendation 27"}


def test_every_labelled_recommendation_and_strength_of_the_query_sets_is_what_the_chunks_carry():
    """The retrieval query sets were labelled by reading the PDFs (section and strength of each gold page); the
    corpus stage must give every chunk of that recommendation the same strength (209 labels)."""
    rows = []
    for path in sorted((PROJECT_ROOT / "evals" / "datasets").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line) if line.strip() else {}
            if str(row.get("guideline_id") or "").startswith("vadod-") and row.get("strength") and \
                    str(row.get("section", "")).startswith("Recommendation "):
                rows.append(row)
    assert len(rows) >= 200
    disagree = []
    for row in rows:
        got = {c.strength for c in ingested(row["guideline_id"]).chunks if c.section_path and c.section_path[0] == row["section"]}
        if got != {row["strength"]}:
            disagree.append((row["id"], row["section"], row["strength"], got))
    assert not disagree, disagree[:5]


def test_a_discussion_several_statements_share_is_labelled_with_all_of_them():
    """OA 2020 p. 30 prints Recommendations 4 (topical NSAIDs, knee) and 5 (hip) and then one Discussion: its
    diclofenac gel evidence is about 4 as much as 5, so it is cited as "Recommendations 4–5", not "Recommendation 5"
    (the OA and LBP query sets' labels, written by reading, named 4 and 10 where the index said 5 and 11)."""
    doc = ingested("vadod-oa-2020")
    gel = [c for c in doc.chunks if c.printed_page == "30" and "Diclofenac gel also showed statistically significant" in squash(c.text)]
    assert gel and {c.section_path[0] for c in gel} == {"Recommendations 4–5"}
    statement = [c for c in doc.chunks if c.printed_page == "30" and squash(c.text).startswith("4. We recommend offering topical")]
    assert statement and {(c.section_path[0], c.strength) for c in statement} == {("Recommendation 4", "Strong for")}
    lbp = ingested("vadod-lbp-2022")
    own = [c for c in lbp.chunks if c.printed_page == "29" and "evaluated the downstream consequences of lumbar MRI" in squash(c.text)]
    assert own and {c.section_path[0] for c in own} == {"Recommendation 3"}  # a recommendation with its own discussion


@pytest.mark.slow
def test_reversed_recommendations_of_the_cdc_and_lbp_guidelines_are_flagged(cdc_lbp_home):
    """Every recommendation statement cited to its own page, as written and with its direction reversed
    (evals/reversed_recommendations.py): floors in evals/floors.toml."""
    import tomllib

    from assistant.retrieval import GuidelineSearch
    from evals.reversed_recommendations import run_reversals

    floors = tomllib.loads((PROJECT_ROOT / "evals" / "floors.toml").read_text())["guideline_check"]
    result = run_reversals(GuidelineSearch(cdc_lbp_home))
    statements = sum(f.statements for f in result.values())
    flagged = sum(f.reversed_flagged for f in result.values()) / statements
    verified = sum(f.as_written_verified for f in result.values()) / statements
    print(statements, flagged, verified, [m for f in result.values() for m in f.missed])
    assert statements >= 50
    assert flagged >= floors["reversed_flagged"] and verified >= floors["as_written_verified_cdc_lbp"]


@pytest.mark.slow
def test_changed_figures_and_misstated_strengths_of_the_cdc_and_lbp_guidelines_are_flagged(cdc_lbp_home):
    """Every page sentence giving a figure, and every recommendation statement with its strength, cited to its own
    page as the page gives it and changed (evals/changed_numbers.py, evals/misstated_strength.py)."""
    import tomllib

    from assistant.retrieval import GuidelineSearch
    from evals.changed_numbers import run_changes
    from evals.misstated_strength import run_strengths

    floors = tomllib.loads((PROJECT_ROOT / "evals" / "floors.toml").read_text())["guideline_check"]
    search = GuidelineSearch(cdc_lbp_home)
    changes = run_changes(search)
    sentences = sum(f.sentences for f in changes.values())
    changed = sum(f.altered_flagged for f in changes.values()) / sentences
    false_flags = sum(f.as_written_flagged_for_it for f in changes.values()) / sentences
    strengths = run_strengths(search)
    statements = sum(f.sentences for f in strengths.values())
    misstated = sum(f.altered_flagged for f in strengths.values()) / statements
    as_stated = sum(f.as_written_verified for f in strengths.values()) / statements
    print(sentences, changed, false_flags, statements, misstated, as_stated)
    assert sentences >= 150 and statements >= 40
    assert changed >= floors["changed_figure_flagged"] and false_flags <= floors["as_written_flagged_for_figure"]
    assert misstated >= floors["misstated_strength_flagged"] and as_stated >= floors["as_stated_verified_cdc_lbp"]


@pytest.mark.slow
def test_swapped_regions_tests_drugs_and_conditions_of_the_cdc_and_lbp_guidelines_are_flagged(cdc_lbp_home):
    """Every page sentence naming a region, test or drug (a condition, a duration of pain), cited to its own page as
    written and with that word swapped for one the page (the sentence) never names (evals/swapped_guideline_terms.py,
    evals/swapped_conditions.py)."""
    import tomllib

    from assistant.retrieval import GuidelineSearch
    from evals.swapped_conditions import run_condition_swaps
    from evals.swapped_guideline_terms import run_swaps

    floors = tomllib.loads((PROJECT_ROOT / "evals" / "floors.toml").read_text())["guideline_check"]
    search = GuidelineSearch(cdc_lbp_home)
    for run, flagged_floor, ceiling in ((run_swaps, "swapped_term_flagged", "as_written_flagged_for_term"),
                                        (run_condition_swaps, "swapped_condition_flagged",
                                         "as_written_flagged_for_condition")):
        result = run(search)
        sentences = sum(f.sentences for f in result.values())
        flagged = sum(f.altered_flagged for f in result.values()) / sentences
        false_flags = sum(f.as_written_flagged_for_it for f in result.values()) / sentences
        print(run.__name__, sentences, flagged, false_flags, [m for f in result.values() for m in f.missed][:10])
        assert sentences >= 300
        assert flagged >= floors[flagged_floor] and false_flags <= floors[ceiling], run.__name__


def test_a_drafted_quote_is_a_clinical_sentence_not_the_guidelines_edition_history():
    """CM17-0019171 (a meloxicam request): the offline draft quoted LBP p. 51 "The strength of the recommendation
    was modified from Strong for in the 2017 VA/DoD LBP CPG to Weak for in this updated CPG …" as what the guideline
    says, and "… and attrition.(113) The benefits of NSAIDs …" as one sentence (a reference after the full stop)."""
    from assistant.drafting.offline import best_sentences, passage_sentences

    doc = ingested("vadod-lbp-2022")
    chunks = [c for c in doc.chunks if c.printed_page == "51" and "slightly outweighed the potential harm" in c.text]
    assert chunks
    sentences = passage_sentences(chunks[-1].text)
    assert "The benefits of NSAIDs for pain and function slightly outweighed the potential harm of AEs." in sentences
    assert any(s.endswith("attrition.(113)") for s in sentences), sentences
    chosen = [s for c in chunks for s in best_sentences(c.text, ["Meloxicam Mobic NSAIDs nonopioid medication"])]
    assert chosen and not any("CPG" in s or "Reviewed, New-replaced" in s for s in chosen), chosen
    assert any(s in squash(" ".join(p.text for p in doc.pages if p.printed_page == "51")) for s in chosen)


def test_a_reversed_recommendation_written_with_an_abbreviation_is_flagged_by_the_pages_statement():
    """'The VA/DoD low back pain guideline recommends against NSAIDs for chronic low back pain (page 50).' was
    verified: 'NSAIDs' shared too few words with the statement 'we suggest nonsteroidal anti-inflammatory drugs', and
    the page's footnote that NSAIDs 'must be used cautiously or avoided in patients with renal impairment' held the
    claim's words with the claim's direction."""
    from assistant.verification.direction import opposite_statement

    page = next(p for p in ingested("vadod-lbp-2022").pages if p.printed_page == "50").text
    wrong = "The VA/DoD low back pain guideline recommends against NSAIDs for chronic low back pain."
    assert "we suggest nonsteroidal anti-inflammatory drugs" in (opposite_statement(wrong, page) or "")
    assert opposite_statement("The VA/DoD low back pain guideline suggests NSAIDs for low back pain.", page) is None
    assert opposite_statement("NSAIDs should be avoided in patients with renal impairment.", page) is None
