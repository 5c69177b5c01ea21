"""Fixed vocabularies: training levels, event kinds, the tracing questionnaire's categories, with English labels
(`label()` shows them in the current language). A seizure line's own coded values (categories, units, weapon types,
contexts) are not here: they are the store's reference data (reference.read_vocabulary).
"""

import re
import unicodedata

from seizures.i18n import N_, _

# Kinds of events on the timeline (events.py).
EVENT_KINDS = {
    "operation": N_("Operation"),
    "amnesty": N_("Amnesty or legalisation campaign"),
    "law": N_("Change of law"),
    "training": N_("Training"),
    "equipment": N_("Equipment delivery"),
    "census": N_("Census"),
    "other": N_("Other"),
}

TRAINING_LEVELS = {"basic": N_("Basic"), "advanced": N_("Advanced"), "special_unit": N_("Special unit")}

def label(vocabulary: dict[str, str], code: str) -> str:
    """The label of a code in the current language, or the code itself when it is unknown."""
    return _(vocabulary[code]) if code in vocabulary else code


def labels(vocabulary: dict[str, str]) -> dict[str, str]:
    """A vocabulary with its labels in the current language."""
    return {code: _(text) for code, text in vocabulary.items()}


# Names in the reference data (data/trainings.csv, equipment.csv), shown translated where they match (i18n.data_text);
# any other stored name shows as stored.
DATA_LABELS = (
    N_("Basic firearms investigations"), N_("Advanced firearms investigations"),
    N_("House-search training for special-unit members"),
    N_("Computers"), N_("Multifunctional printers"), N_("Toners"), N_("Tablets"), N_("Laptops"),
    N_("Explosive detectors"), N_("Endoscopes"), N_("Thermal cameras"), N_("Flying observation cameras"),
    N_("Link-analysis licence (desktop and server)"), N_("Dashboard platform"), N_("Kosovo Police"),
)


def fold(text: str) -> str:
    """One normal form for names typed by hand, as the importer matches them (ingest.FOLD_MACRO): lower case, no
    accents, đ -> dj, runs of space, _ and - as one space."""
    text = str(text).lower().replace("đ", "dj")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"[\s_\-]+", " ", text).strip()


# Tracing of seized firearms (SDG indicator 16.4.2; the UNODC Illicit Arms Flows Questionnaire asks for these). Fixed
# here, not in the store: they are the questionnaire's own categories, the same for every service.
TRACE_RESULTS = {
    "origin_established": N_("Illicit origin or context established"),
    "origin_not_established": N_("Traced: origin not established"),
    "pending": N_("Trace pending"),
}
ORIGIN_HOW = {
    "international_trace": N_("International trace request"),
    "national_records": N_("National records (registry, licences)"),
    "investigation": N_("Criminal investigation"),
    "other": N_("Other"),
}
LEGAL_BASES = {
    "illicit_possession": N_("Illicit possession"),
    "illicit_trafficking": N_("Illicit trafficking"),
    "illicit_manufacturing": N_("Illicit manufacturing"),
    "other": N_("Other"),
}
CRIMINAL_CONTEXTS = {
    "organised_crime": N_("Organised crime"),
    "violent_crime": N_("Violent crime"),
    "drug_trafficking": N_("Drug trafficking"),
    "terrorism": N_("Terrorism"),
    "other": N_("Other"),
}
