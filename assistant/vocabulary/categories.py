"""What a disputed item is about: its treatment category, and phrases that find and recognise guidance on it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.vocabulary.drugs import class_category, identify_drugs
from assistant.vocabulary.fuzzy import corrections


@dataclass(frozen=True)
class TreatmentCategory:
    name: str
    item_pattern: str
    """Recognises the category in an item's text."""
    passage_pattern: str
    """A passage that addresses this category must say one of these."""
    query: str
    """Words a guideline uses for it, added to the retrieval query."""
    governing_hint: str = ""
    """Where California reviewers usually look (shown only as a suggestion, never as a citation): alternatives
    separated by ";", each "guideline part — section" written in full."""


PT_ABBREVIATION = r"\bPT\b(?![/, -]*(?:PTT|INR)\b)"
"""'PT' is physical therapy, but 'PT/PTT' and 'PT/INR' are clotting labs (pre-operative testing). Case-insensitive."""

CATEGORIES: list[TreatmentCategory] = [
    TreatmentCategory(
        "opioid",
        r"\b(?:opioids?|opiates?|oxycodone|oxycontin|percocet|roxicodone|hydrocodone|norco|vicodin|lortab|tramadol|ultram|"
        r"tapentadol|nucynta|morphine|ms ?contin|methadone|fentanyl|duragesic|hydromorphone|dilaudid|oxymorphone|opana|"
        r"codeine|tylenol (?:#|no\.?) ?[34]|buprenorphine|butrans|suboxone|belbuca|levorphanol)\b",
        r"\bopioids?\b|\bMME\b|\bbuprenorphine\b|\bmethadone\b|\bnaloxone\b",
        "opioid therapy prescribing dosage",
        "MTUS Chronic Pain Medical Treatment Guidelines — Opioids; DWC MTUS Opioid Treatment Guidelines",
    ),
    TreatmentCategory(
        "benzodiazepine",
        r"\b(?:benzodiazepines?|alprazolam|xanax|diazepam|valium|clonazepam|klonopin|lorazepam|ativan|temazepam)\b",
        r"\bbenzodiazepines?\b",
        "benzodiazepines concurrent with opioids",
        "MTUS Chronic Pain Medical Treatment Guidelines — Benzodiazepines",
    ),
    TreatmentCategory(
        "naloxone",
        r"\b(?:naloxone|narcan|evzio)\b",
        r"\bnaloxone\b",
        "offering naloxone overdose reversal",
        "CDC Clinical Practice Guideline (2022) Recommendation 8; ODG Pain — Naloxone",
    ),
    TreatmentCategory(
        "drug-testing",
        r"\b(?:urine drug (?:screen|test)(?:ing|s)?|uds|urine toxicology|drug screen(?:ing)?|toxicology (?:screen|test))\b",
        r"\btoxicology\b|\burine drug\b|\bdrug test",
        "urine drug testing toxicology",
        "MTUS Chronic Pain Medical Treatment Guidelines — Drug testing",
    ),
    TreatmentCategory(
        "psychological",
        r"\b(?:cognitive behavio(?:u)?ral|cbt|psychotherapy|psychological (?:treatment|therapy|evaluation)|biofeedback|"
        r"behavio(?:u)?ral interventions?|pain psycholog\w*)\b",
        r"\bcognitive behavio(?:u)?ral\b|\bCBT\b|\bpsychological\b|\bpsychotherapy\b",
        "cognitive behavioral therapy psychological treatment chronic pain",
        "MTUS Chronic Pain Medical Treatment Guidelines — Behavioral interventions",
    ),
    TreatmentCategory("imaging", r"\b(?:mri|magnetic resonance|ct scan|computed tomography|x-?rays?|radiographs?|bone scan|imaging|arthrogram)\b",
                      r"\bMRI\b|\bmagnetic resonance\b|\bimaging\b|\bradiograph", "imaging MRI",
                      "MTUS/ACOEM body-part chapter — Special Studies"),
    TreatmentCategory("electrodiagnostic", r"\b(?:emg|ncv|ncs|electromyograph\w*|nerve conduction|electrodiagnostic\w*)\b",
                      r"\bEMG\b|\belectromyograph|\bnerve conduction", "electrodiagnostic testing EMG NCV",
                      "MTUS/ACOEM body-part chapter — Special Studies; ODG — Electrodiagnostic testing"),
    TreatmentCategory("eeg", r"\b(?:eegs?|electroencephalogra\w*)\b", r"\bEEG\b|\belectroencephalogra",
                      "electroencephalogram EEG tests to establish the diagnosis of mild traumatic brain injury",
                      "ODG Head — Electroencephalography (EEG)"),
    TreatmentCategory("surgery", r"\b(?:arthroscop\w*|fusion|decompression|laminectomy|discectomy|meniscectomy|arthroplasty|"
                      r"repair|release|surgery|surgical|acromioplasty|debridement|replacement)\b",
                      r"\barthroscop|\bfusion\b|\blaminectomy\b|\bdiscectomy\b|\barthroplasty\b|\bacromioplasty\b",
                      "surgical consideration", "MTUS/ACOEM body-part chapter — Surgical Considerations"),
    TreatmentCategory("physical-therapy", rf"\b(?:physical therapy|{PT_ABBREVIATION}|physiotherapy|occupational therapy|hand therapy|aquatic therapy|work hardening|functional restoration)\b",
                      r"\bphysical therapy\b|\bphysical medicine\b", "physical therapy sessions",
                      "MTUS Chronic Pain Medical Treatment Guidelines — Physical medicine; Postsurgical Treatment Guidelines"),
    TreatmentCategory("chiropractic", r"\b(?:chiropractic|chiropractor|chiro|manipulation|manual therapy)\b", r"\bchiropractic\b",
                      "chiropractic manipulation", "MTUS Chronic Pain Medical Treatment Guidelines — Manual therapy & manipulation"),
    TreatmentCategory("acupuncture", r"\bacupuncture\b", r"\bacupuncture\b", "acupuncture",
                      "MTUS Acupuncture Medical Treatment Guidelines"),
    TreatmentCategory("tens", r"\b(?:tens|transcutaneous electrical|interferential|h-wave|muscle stimulator|electrical (?:muscle )?stimulation)\b",
                      r"\bTENS\b|\btranscutaneous electrical\b|\binterferential\b", "TENS unit electrical stimulation",
                      "MTUS Chronic Pain Medical Treatment Guidelines — Transcutaneous electrotherapy"),
    TreatmentCategory("physical-modality", r"\b(?:(?:pulsed|therapeutic) ultrasound|ultrasound therapy|(?:cold |low[- ]level )?laser therapy|cupping)\b",
                      r"\bultrasound\b|\blaser therapy\b|\bcupping\b", "therapeutic ultrasound laser therapy cupping",
                      ("MTUS Chronic Pain Medical Treatment Guidelines — Ultrasound, therapeutic; "
                       "MTUS Chronic Pain Medical Treatment Guidelines — Low-level laser therapy")),
    TreatmentCategory("injection", r"\b(?:injections?|epidural|esi|facet|trigger point|nerve block|medial branch blocks?|radiofrequency|prp|platelet[- ]rich|cortisone|steroid injection)\b",
                      r"\binjections?\b|\bepidural\b|\bnerve blocks?\b", "injection procedures",
                      "MTUS Chronic Pain Medical Treatment Guidelines — Epidural steroid injections; ACOEM body-part chapter"),
    TreatmentCategory("nsaid", r"\b(?:nsaids?|naproxen|anaprox|ibuprofen|motrin|meloxicam|mobic|diclofenac|celecoxib|celebrex|etodolac|nabumetone|ketorolac)\b",
                      r"\bNSAIDs?\b|\bnonsteroidal\b", "NSAIDs nonopioid medication",
                      "MTUS Chronic Pain Medical Treatment Guidelines — NSAIDs"),
    TreatmentCategory("muscle-relaxant", r"\b(?:cyclobenzaprine|flexeril|fexmid|tizanidine|zanaflex|methocarbamol|robaxin|baclofen|carisoprodol|soma|orphenadrine|metaxalone|muscle relaxants?)\b",
                      r"\bmuscle relaxants?\b|\bskeletal muscle relaxant", "muscle relaxants",
                      "MTUS Chronic Pain Medical Treatment Guidelines — Muscle relaxants (for pain)"),
    TreatmentCategory("topical", r"\b(?:topical|lidocaine|lidoderm|patch(?:es)?|cream|gel|ointment|compound(?:ed)?|terocin|lidopro|flurbiprofen|capsaicin|voltaren gel)\b",
                      r"\btopical\b", "topical analgesics",
                      "MTUS Chronic Pain Medical Treatment Guidelines — Topical analgesics"),
    TreatmentCategory("anticonvulsant-antidepressant", r"\b(?:gabapentin|neurontin|pregabalin|lyrica|duloxetine|cymbalta|amitriptyline|nortriptyline|venlafaxine|topiramate)\b",
                      r"\bgabapentin\b|\bpregabalin\b|\bantidepressants?\b|\banticonvulsants?\b|\bSNRIs?\b|\btricyclic",
                      "anticonvulsants antidepressants for neuropathic pain",
                      ("MTUS Chronic Pain Medical Treatment Guidelines — Antiepilepsy drugs; "
                       "MTUS Chronic Pain Medical Treatment Guidelines — Antidepressants for chronic pain")),
    TreatmentCategory("ppi", r"\b(?:omeprazole|prilosec|pantoprazole|protonix|esomeprazole|nexium|lansoprazole|ranitidine|ppi)\b",
                      r"\bproton pump\b", "gastrointestinal protection with NSAIDs",
                      "MTUS Chronic Pain Medical Treatment Guidelines — NSAIDs, GI symptoms & cardiovascular risk"),
    TreatmentCategory("sleep-aid", r"\b(?:zolpidem|ambien|eszopiclone|lunesta|trazodone|insomnia)\b", r"\binsomnia\b|\bsleep aids?\b",
                      "insomnia treatment", "ODG Pain — Insomnia treatment"),
    TreatmentCategory("dme", r"\b(?:brace|orthosis|orthotics?|cane|walker|wheelchair|scooter|cold therapy|hot/cold|bed|mattress|pillow|durable medical|dme|lumbar support|cervical collar|home exercise kit)\b",
                      r"\bbrace\b|\bdurable medical equipment\b|\borthos", "durable medical equipment",
                      "MTUS/ACOEM body-part chapter — Initial Care; ODG — Durable medical equipment"),
]

OPIOID_SITUATIONS: list[tuple[str, str]] = [
    (r"\bincreas\w* (?:the |his |her )?(?:dose|dosage|daily dos\w*|to \w+ ?\d)|\bescalat\w*|\bhigher dos\w*|\b(?:9\d|1\d\d|[2-9]\d\d)\s*MME\b",
     "increasing opioid dosage above 50 MME benefits risks"),
    (r"\btaper\w*|\bwean\w*|\bdiscontinu\w*|\bdetox\w*|\breduc\w* (?:the )?(?:dose|dosage)", "tapering long-term opioid therapy when risks outweigh benefits reducing dosage"),
    (r"\bextended[- ]release|\blong[- ]acting|\bER/LA\b|\boxycontin\b|\bms ?contin\b|\bmorphine sulfate ER\b|\bfentanyl patch|\bduragesic",
     "extended-release long-acting opioids instead of immediate-release"),
    (r"\bbenzodiazepin\w*|\balprazolam|\bclonazepam|\bdiazepam|\blorazepam", "concurrent benzodiazepines and opioids overdose risk"),
    (r"\burine drug|\btoxicology|\bUDS\b|\bdrug screen", "toxicology testing before starting and during opioid therapy"),
    (r"\bnaloxone|\bnarcan", "offer naloxone overdose risk"),
    (r"\bCURES\b|\bPDMP\b|\bprescription drug monitoring", "prescription drug monitoring program PDMP data"),
    (r"\bopioid use disorder|\bbuprenorphine|\bsuboxone|\baddiction|\bmisuse|\baberrant", "opioid use disorder treatment buprenorphine methadone"),
    (r"\bno (?:functional|meaningful|objective|documented) (?:improvement|benefit|gain)|\bunchanged|\bwithout (?:functional )?improvement|\bno improvement",
     "continue opioids only with clinically meaningful improvement in pain and function reassess benefits and risks"),
    (r"\bpost-?operative|\bafter surgery|\bfracture|\bacute (?:pain|injury|sprain|strain)", "acute pain opioid duration few days or less immediate-release"),
    (r"\blong-term|\bmaintained on|\bfor (?:\w+ )?(?:years|months)\b|\bsince (?:19|20)\d\d|\bchronic opioid|\bcontinu\w* (?:opioid|the)",
     "continuing long-term opioid therapy reassess benefits and risks pain and function every 3 months"),
    (r"\bchronic kidney|\brenal (?:insufficiency|impairment|disease)|\bhepatic|\bcirrhosis|\bliver disease",
     "patients with renal or hepatic insufficiency opioid dosage caution"),
    (r"\b(?:6[5-9]|[7-9]\d) year old|\bolder adult|\belderly|\bfalls?\b", "patients aged 65 years or older opioid risks falls"),
    (r"\bsleep apnea|\bsleep-disordered", "sleep-disordered breathing sleep apnea opioids naloxone"),
    (r"\bpregnan\w*", "pregnant persons opioid therapy"),
    (r"\binitiat\w*|\bstart\w* (?:on )?opioid|\bopioid[- ]na[iï]ve|\bnever (?:taken|used) opioids|\bnew prescription",
     "initiating opioids for subacute or chronic pain nonopioid therapies preferred"),
]


@dataclass
class ItemTopic:
    categories: list[TreatmentCategory] = field(default_factory=list)

    @property
    def primary(self) -> TreatmentCategory | None:
        return self.categories[0] if self.categories else None

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.categories]


def _drug_categories(item_text: str) -> set[str]:
    """Categories of the drugs the item names (Synapryn -> opioid); a topical product is a topical, whatever it holds."""
    names = set()
    for mention in identify_drugs(item_text):
        classes = ["topical-analgesic"] if mention.topical else mention.classes
        names |= {class_category(c) for c in classes} - {""}
    return names


def _spelling_corrected(item_text: str) -> str:
    for word, fixed in corrections(item_text):
        item_text = re.sub(rf"\b{re.escape(word)}\b", fixed, item_text, flags=re.IGNORECASE)
    return item_text


def classify_item(item_text: str) -> ItemTopic:
    """Categories the item's words or drugs belong to, most specific first (medications before procedures).

    Misspelled clinical words are corrected first ("CONGNITIVE BEHAVIORAL" is cognitive behavioral therapy), and
    drugs are resolved through the vocabulary, so a brand or compounded product counts as its class.
    """
    text = _spelling_corrected(item_text)
    from_drugs = _drug_categories(text)
    found = [c for c in CATEGORIES if c.name in from_drugs or re.search(c.item_pattern, text, re.IGNORECASE)]
    if any(c.name == "imaging" for c in found):
        found = [c for c in found if c.name != "dme"]
    return ItemTopic(categories=found)


def situation_queries(topic: ItemTopic, case_text: str, item_text: str = "") -> list[str]:
    """Guideline situations the case describes, the most emphasised first (the item's own words count triple)."""
    if topic.primary is None or topic.primary.name not in {"opioid", "benzodiazepine", "naloxone", "drug-testing"}:
        return []
    # The UR decision's own wording ("recommended weaning") describes the denial, not the clinical situation.
    case_text = " ".join(s for s in re.split(r"(?<=[.!?])\s+", case_text) if not re.search(r"utilization review", s, re.I))
    scored = []
    for position, (pattern, phrase) in enumerate(OPIOID_SITUATIONS):
        hits = len(re.findall(pattern, case_text, re.IGNORECASE)) + 3 * len(re.findall(pattern, item_text, re.IGNORECASE))
        if hits:
            scored.append((-hits, position, phrase))
    return [phrase for _, _, phrase in sorted(scored)]


def passage_addresses_topic(topic: ItemTopic, passage_text: str) -> bool:
    return any(re.search(c.passage_pattern, passage_text, re.IGNORECASE) for c in topic.categories)
