"""Coded vocabularies of a seizure record: the allowed values and their English labels."""

CATEGORIES = {
    "firearm": "Firearms",
    "ammunition": "Ammunition",
    "explosive": "Explosives",
    "component": "Parts and components",
}

WEAPON_TYPES = {
    "pistol": "Pistol",
    "revolver": "Revolver",
    "rifle": "Rifle",
    "automatic_rifle": "Automatic rifle",
    "shotgun": "Shotgun",
    "hunting_weapon": "Hunting weapon",
    "submachine_gun": "Submachine gun",
    "machine_gun": "Machine gun",
    "converted_firearm": "Converted firearm",
    "blank_firing_weapon": "Blank-firing weapon",
    "hand_grenade": "Hand grenade",
    "explosive": "Explosive",
    "other": "Other",
}

UNITS = {"pieces": "pieces", "rounds": "rounds", "kg": "kg"}

CONTEXTS = {
    "traffic_control": "Traffic control",
    "house_search": "House search",
    "border_crossing": "Border crossing",
    "special_investigative_measure": "Special investigative measure",
    "voluntary_surrender": "Voluntary surrender",
    "other": "Other",
}

TRAINING_LEVELS = {"basic": "Basic", "advanced": "Advanced", "special_unit": "Special unit"}

# Which units a category may be counted in.
CATEGORY_UNITS = {
    "firearm": ("pieces",),
    "ammunition": ("rounds",),
    "explosive": ("pieces", "kg"),
    "component": ("pieces",),
}


def label(vocabulary: dict[str, str], code: str) -> str:
    """English label of a code, or the code itself when it is unknown."""
    return vocabulary.get(code, code)


# The largest quantity one seizure line may hold, per unit: a sanity bound against typing errors.
QUANTITY_LIMITS = {"pieces": 10_000, "rounds": 1_000_000, "kg": 10_000}
# Units counted in whole numbers.
WHOLE_UNITS = ("pieces", "rounds")
