"""The clinical vocabulary on real letter text: drugs, abbreviations, misspellings, negation, classification."""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from assistant.vocabulary.categories import classify_item
from assistant.vocabulary.drugs import identify_drugs
from assistant.vocabulary.fuzzy import corpus_correction, correct_word, corrections
from assistant.vocabulary.query import expand_query, with_vocabulary_terms
from assistant.vocabulary.tables import abbreviation_table, drug_table
from tests.conftest import LETTERS_DIR, SEED_LETTER, require_shared

VOCABULARY = Path(__file__).resolve().parents[1] / "assistant" / "vocabulary"


@functools.cache
def letter(case: str) -> str:
    """A dev letter's text with line breaks as spaces (the sentences below were read in these letters)."""
    path = require_shared(LETTERS_DIR / f"{case}.pdf")
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in PdfReader(path).pages))


def sentence(case: str, start: str, length: int = 160) -> str:
    text = letter(case)
    at = text.index(start)
    return text[at:at + length]


# --- drugs -------------------------------------------------------------------------------------------------

def test_combination_product_from_the_curated_table_with_dose_quantity_and_frequency():
    item = sentence("CM16-0247802", "Norco 5/325mg oral tablet", 70)
    norco = identify_drugs(item)[0]
    assert norco.surface == "Norco"
    assert norco.generics == ["hydrocodone", "acetaminophen"]
    assert norco.classes[0] == "opioid" and norco.is_opioid and not norco.extended_release
    assert (norco.strength, norco.quantity, norco.frequency) == ("5/325mg", "#40", "one tablet twice daily")
    assert norco.source.startswith("curated table: FDA label")


def test_compounded_kit_synapryn_is_tramadol_an_opioid():
    item = sentence("CM17-0014438", "Synapryn (10mg/1ml oral suspension) 500ml", 45)
    (synapryn,) = identify_drugs(item)
    assert synapryn.generics == ["tramadol"] and synapryn.is_opioid
    assert (synapryn.strength, synapryn.quantity) == ("10mg/1ml", "500ml")
    assert classify_item(item).primary.name == "opioid"


def test_trezix_is_an_opioid_combination():
    (trezix,) = identify_drugs("Trezix capsules #60")
    assert set(trezix.generics) == {"acetaminophen", "caffeine", "dihydrocodeine"}
    assert trezix.is_opioid
    assert classify_item("Trezix #60").primary.name == "opioid"


def test_butalbital_combinations_resolve_and_are_not_opioids():
    """The headache guideline names "butalbital containing analgesics"; a reviewer types "Fioricet"."""
    (fioricet,) = identify_drugs("Fioricet 50/325/40 mg #30")
    assert set(fioricet.generics) == {"butalbital", "acetaminophen", "caffeine"} and not fioricet.is_opioid
    assert "butalbital" in expand_query("Fioricet overuse headache").added_terms


def test_ner_package_resolves_brand_and_generic_and_release_form():
    ultram = identify_drugs(sentence("CM17-0016311", "The request for Ultram 50 mg", 40))[0]
    assert (ultram.surface, ultram.generics, ultram.strength) == ("Ultram", ["tramadol"], "50 mg")
    assert ultram.source == "drug-named-entity-recognition package"
    tramadol_er = identify_drugs(sentence("CM17-0005418", "medications include Tramadol ER", 60))[0]
    assert tramadol_er.generics == ["tramadol"] and tramadol_er.extended_release and "opioid-er-la" in tramadol_er.classes


def test_hyphenated_combination_is_one_mention_and_misspelled_drug_is_found():
    combo = identify_drugs(sentence("CM17-0007376", "Hydrocodone-Acetaminophen 5/325", 40))[0]
    assert combo.surface == "Hydrocodone-Acetaminophen" and combo.generics == ["hydrocodone", "acetaminophen"]
    listed = identify_drugs(sentence("CM16-0247802", "Relevant medications included Norco", 80))
    assert [m.generics[0] for m in listed] == ["hydrocodone", "ketoprofen", "cyclobenzaprine"]
    assert listed[1].surface == "Ketaprofen"


def test_class_words_are_not_drug_mentions():
    text = sentence("CM17-0014438", "This decision addresses the medical necessity of opioids", 90)
    assert identify_drugs(text) == []


def test_topical_compounds_classify_as_topicals_not_as_their_ingredient():
    for start in ("Cyclophene 5% cream 111.2 grams", "Ketophene 20% cream, 167 grams"):
        item = sentence("CM17-0014438", start, len(start))
        assert identify_drugs(item)[0].topical
        assert classify_item(item).names == ["topical"]
    quantities = [identify_drugs(sentence("CM17-0014438", start, len(start)))[0].quantity
                  for start in ("Cyclophene 5% cream 111.2 grams", "Ketophene 20% cream, 167 grams")]
    assert quantities == ["111.2 grams", "167 grams"]  # the letter's "111.2 grams", not "2 grams"


def test_every_drug_word_in_the_dev_letters_is_recognised():
    """Drug names found by reading the letters; each occurrence must fall inside a recognised mention."""
    names = {"norco", "tramadol", "ultram", "hydrocodone", "oxycodone", "synapryn", "ketophene", "cyclophene",
             "voltaren", "flexeril", "cyclobenzaprine", "gabapentin", "lyrica", "omeprazole", "prilosec", "naproxen",
             "tizanidine", "lidoderm", "mobic", "meloxicam", "celebrex", "acetaminophen", "ibuprofen", "motrin",
             "diclofenac", "pantoprazole", "ketaprofen", "ketoprofen"}
    occurrences = missed = 0
    for path in sorted(require_shared(LETTERS_DIR).glob("*.pdf")):
        text = letter(path.stem)
        spans = [(m.start, m.end) for m in identify_drugs(text)]
        for word in re.finditer(r"[A-Za-z]+", text):
            if word.group().lower() in names:
                occurrences += 1
                missed += not any(s <= word.start() and word.end() <= e for s, e in spans)
    assert occurrences > 150
    assert missed == 0


# --- abbreviations, synonyms, misspellings -------------------------------------------------------------------

def test_abbreviations_in_letter_items_expand_and_keep_the_original():
    item = sentence("CM17-0006912", "PT/OT 18 sessions left hand", 40)
    expanded = expand_query(item)
    assert expanded.text.startswith(item)
    assert {"physical therapy", "occupational therapy"} <= set(expanded.added_terms)
    tens = expand_query(sentence("CM16-0235869", "a TENS unit is not recommended", 40))
    assert "transcutaneous electrical nerve stimulation" in tens.added_terms


@pytest.mark.parametrize("query, terms", [
    ("LTOT with UDT and CURES; bup for OUD; OSA; narcan prn; MAT",
     ("long-term opioid therapy", "urine drug testing", "prescription drug monitoring program", "buprenorphine",
      "opioid use disorder", "obstructive sleep apnea", "naloxone", "as needed", "medications for opioid use disorder")),
    # Request lines say "TFESI", "MBB", "DJD"; the guidelines spell them out.
    ("TFESI vs MBB for DJD with HNP, +SLR; BZD qhs; RTW with IFC",
     ("transforaminal epidural steroid injection", "medial branch block", "osteoarthritis", "disc herniation",
      "straight leg raise", "benzodiazepine", "at bedtime", "return to work", "interferential current stimulation")),
], ids=["opioid-shorthand", "procedure-and-diagnosis-shorthand"])
def test_reviewer_shorthand_expands(query, terms):
    expanded = expand_query(query)
    for term in terms:
        assert term in expanded.added_terms, term


def test_abbreviations_match_only_in_their_written_case():
    """"pt" is the patient, "it" is a pronoun: lower-case words must not expand as PT or IT."""
    expanded = expand_query("the pt said it was ct negative")
    assert "physical therapy" not in expanded.added_terms and "computed tomography" not in expanded.added_terms


def test_misspellings_are_corrected_and_synonyms_added():
    assert correct_word("CONGNITIVE") == "cognitive"
    assert correct_word("fibromialgia") == correct_word("fibromyalga") == "fibromyalgia"
    assert "opioids" in expand_query("chronic opiates").added_terms
    assert "CBT" in expand_query("CONGNITIVE behavioral therapy").added_terms


CORPUS_WORDS = frozenset({"migraine", "headache", "hyperalgesia", "concussion", "conclusion", "conduction", "tension"})


def test_words_only_the_indexed_guidelines_know_are_corrected_against_them():
    """"migrane" is in no clinical word list of ours but the headache guideline says "migraine" on every page."""
    assert corpus_correction("migrane", CORPUS_WORDS) == ["migraine"]
    assert corpus_correction("Hyperalgsia", CORPUS_WORDS) == ["hyperalgesia"]
    assert corpus_correction("concusion", CORPUS_WORDS) == ["conclusion", "concussion"]  # a tie: both, no guess
    assert corpus_correction("conducting", CORPUS_WORDS) == []  # an English word, however close to "conduction"
    assert corpus_correction("migraine", CORPUS_WORDS) == [] and corpus_correction("migrane", frozenset()) == []


def test_a_misspelt_word_is_searched_in_its_corrected_spelling():
    expanded = expand_query("acupunture for tension type headach or migrane after concusion", CORPUS_WORDS)
    assert expanded.respelled == "acupuncture for tension type headache or migraine after concusion"
    assert {"conclusion", "concussion"} <= set(expanded.added_terms)  # the tie is searched beside, not chosen
    assert expand_query("headache after concussion", CORPUS_WORDS).respelled == "headache after concussion"


def test_a_guidelines_own_abbreviation_expands_only_where_our_table_is_silent():
    defined = {"rTMS": ["repetitive transcranial magnetic stimulation"], "APAP": ["auto-titrating positive airway pressure"]}
    assert "repetitive transcranial magnetic stimulation" in expand_query("rTMS after 2 failed trials", frozenset(),
                                                                         defined).added_terms
    assert expand_query("rtms after 2 failed trials", frozenset(), defined).added_terms == []  # written in its case
    apap = expand_query("APAP for migraine", frozenset(), defined).added_terms
    assert "acetaminophen" in apap and "auto-titrating positive airway pressure" not in apap


def test_a_named_drug_class_adds_its_generics_but_opioids_do_not():
    """A guideline names the drugs ("ibuprofen, naproxen, aspirin, or acetaminophen"), a reviewer the class."""
    classes = {e.surface: e.added for e in expand_query("NSAIDs or benzos for migraine").expansions if e.kind == "drug class"}
    assert {"ibuprofen", "naproxen"} <= set(classes["NSAIDs"]) and "diazepam" in classes["benzos"]
    assert "oxycodone" not in expand_query("opioids for acute pain").added_terms  # too broad to add
    assert not [e for e in expand_query("a classic study").expansions if e.kind == "drug class"]


def test_sciatica_is_searched_as_radicular_pain_the_low_back_guidelines_word():
    """"gabapentin for sciatica" ranked the headache guideline's gabapentin-for-migraine pages above the low back pain
    guideline's Recommendation 20, which says "with or without radicular symptoms" (and "Radicular back pain (e.g.,
    sciatica)", p. 20). Radicular only: a record's "sciatica" must not document "radiculopathy", a diagnosis."""
    added = expand_query("gabapentin for sciatica").added_terms
    assert "radicular" in added and "radiculopathy" not in added
    assert "radiculopathy" not in with_vocabulary_terms("He complains of sciatica.")


def test_reviewer_synonyms_in_letters_add_the_guideline_word():
    opiates = expand_query(sentence("CM16-0247802", "additional use of opiates", 30))
    narcotics = expand_query(sentence("CM16-0234202", "Any additional narcotics require", 40))
    assert "opioids" in opiates.added_terms and "opioids" in narcotics.added_terms
    assert "opioids" not in expand_query(sentence("CM16-0247802", "The retrospective request for", 40)).added_terms


def test_fuzzy_matching_changes_no_ordinary_word_in_the_dev_letters():
    """Over all 63 letters the only corrections are the two real ones read in them."""
    found = set()
    for path in sorted(require_shared(LETTERS_DIR).glob("*.pdf")):
        found |= {(word.lower(), fixed) for word, fixed in corrections(letter(path.stem))}
    assert found == {("ketaprofen", "ketoprofen"), ("tendonitis", "tendinitis")}


def test_seed_letter_cbt_item_is_classified_as_psychological():
    text = require_shared(SEED_LETTER).read_text()
    item = re.search(r"CONGNITIVE BEHAVIORAL X 4 SESSIONS[^\n]*", text).group()
    assert classify_item(item).primary.name == "psychological"


# --- data and structure --------------------------------------------------------------------------------------

def test_every_vocabulary_entry_states_its_source():
    table = drug_table()
    entries = list(table["generic"].values()) + list(table["product"].values())
    entries += list(abbreviation_table()["abbr"].values())
    assert all(entry["source"].strip() for entry in entries)
    assert all(set(p["ingredients"]) <= set(table["generic"]) | {"caffeine"} for p in table["product"].values())


def test_vocabulary_imports_no_other_assistant_stage():
    allowed = {"assistant.errors", "assistant.contracts"}
    for module in VOCABULARY.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
            for name in names:
                if name.startswith("assistant"):
                    assert name.startswith("assistant.vocabulary") or name in allowed, (module.name, name)


# --- negation (medspaCy ConText, optional dependency) ---------------------------------------------------------

def test_negation_uncertainty_and_history_on_letter_sentences():
    pytest.importorskip("medspacy")
    from assistant.vocabulary.negation import assertion

    nerve = sentence("CM16-0213037", "There is no evidence of specific nerve compromise", 60)
    assert assertion(nerve, "nerve compromise") == "negated"
    migraine = sentence("CM16-0236906", "Injured worker has history of migraine headaches", 60)
    assert assertion(migraine, "migraine headaches") == "historical"
    norco = sentence("CM16-0247802", "Relevant medications included Norco", 60)
    assert assertion(norco, "Norco") == "present"
    assert assertion("Gabapentin was not tried.", "Gabapentin") == "negated"
    assert assertion("Possible NSAID intolerance.", "NSAID intolerance") == "uncertain"


@pytest.mark.parametrize("item", ["Pre-operative PT/PTT", "Pre-op labs: PT/PTT", "Associated surgical service: Labs - PT/PTT",
                                  "Labs: PT, INR"])
def test_clotting_labs_are_not_read_as_physical_therapy(item):
    """Three dev-letter items (CM17-0007142, CM17-0010420, CM17-0014449) asked for pre-operative PT/PTT labs and the
    draft said "read as physical-therapy"; the record facts read "PT/INR" as a course of physical therapy too."""
    from assistant.criteria.facts import TREATMENT_CLASSES

    assert "physical-therapy" not in classify_item(item).names
    assert not re.search(TREATMENT_CLASSES["physical-therapy"], item, re.IGNORECASE)
    assert classify_item("PT/OT 18 sessions left hand").names == ["physical-therapy"]
    assert re.search(TREATMENT_CLASSES["physical-therapy"], "He completed 12 PT visits.", re.IGNORECASE)


def test_hand_therapy_is_physical_therapy():
    """CM16-0248233: "continuation for left hand therapy for 6 sessions" was "an uncategorised request" with no
    governing MTUS part suggested (its reviewer cited the MTUS physical medicine section)."""
    assert classify_item("continuation for left hand therapy for 6 sessions").names == ["physical-therapy"]


def test_a_broader_term_is_searched_beside_an_abbreviation_but_never_read_back_as_it():
    """"is electrical stimulation recommended?" was read as "electrical stimulation → H-wave (abbreviation)": a
    wider term is not the spelled-out form of one device."""
    asked = expand_query("is electrical stimulation recommended?")
    assert "H-wave" not in asked.added_terms and "H-wave" not in asked.reading()
    device = expand_query("H-wave unit for home use")
    assert {"H-wave stimulation", "electrical stimulation"} <= set(device.added_terms)
