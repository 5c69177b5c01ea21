"""Coded vocabularies of a seizure record: the allowed values and their English labels.

The labels stay English here (imports match them); `label()` shows them in the current language.
"""

from seizures.i18n import N_, _

CATEGORIES = {
    "firearm": N_("Firearms"),
    "ammunition": N_("Ammunition"),
    "explosive": N_("Explosives"),
    "component": N_("Parts and components"),
}

WEAPON_TYPES = {
    "pistol": N_("Pistol"),
    "revolver": N_("Revolver"),
    "rifle": N_("Rifle"),
    "automatic_rifle": N_("Automatic rifle"),
    "shotgun": N_("Shotgun"),
    "hunting_weapon": N_("Hunting weapon"),
    "submachine_gun": N_("Submachine gun"),
    "machine_gun": N_("Machine gun"),
    "converted_firearm": N_("Converted firearm"),
    "blank_firing_weapon": N_("Blank-firing weapon"),
    "hand_grenade": N_("Hand grenade"),
    "explosive": N_("Explosive"),
    "other": N_("Other"),
}

UNITS = {"pieces": N_("pieces"), "rounds": N_("rounds"), "kg": N_("kg")}

CONTEXTS = {
    "traffic_control": N_("Traffic control"),
    "house_search": N_("House search"),
    "border_crossing": N_("Border crossing"),
    "special_investigative_measure": N_("Special investigative measure"),
    "voluntary_surrender": N_("Voluntary surrender"),
    "other": N_("Other"),
}

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

# Which units a category may be counted in.
CATEGORY_UNITS = {
    "firearm": ("pieces",),
    "ammunition": ("rounds",),
    "explosive": ("pieces", "kg"),
    "component": ("pieces",),
}


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


# The largest quantity one seizure line may hold, per unit: a sanity bound against typing errors.
QUANTITY_LIMITS = {"pieces": 10_000, "rounds": 1_000_000, "kg": 10_000}
# Units counted in whole numbers.
WHOLE_UNITS = ("pieces", "rounds")
