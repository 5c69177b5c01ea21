"""The illustrative record-level demo data: generated with a fixed seed so that it adds up to the published totals.

No breakdown of Kosovo Police seizures by directorate, month, weapon type or context is public. This generator
spreads each year's published national total over those dimensions with plausible, openly stated weights, so the
dashboard has something to show. Every row it writes is flagged illustrative. Years without a published total get
an illustrative total of the same order.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import random
from pathlib import Path

SEED = 20200201  # the CPIAT project's start month
YEARS = range(2019, 2025)
SOURCE = "Illustrative demo data, generated (not real records)"

# Totals for years with no published figure: illustrative, of the order of the published years.
ILLUSTRATIVE_FIREARMS = {2024: 1420}
ILLUSTRATIVE_ROUNDS = {2019: 28400, 2020: 27100, 2024: 33000}

# Share of seizures per directorate, roughly by population (illustrative).
REGION_WEIGHTS = {"PR": 26, "PZ": 17, "PE": 12, "GJ": 11, "MS": 10, "MN": 3, "GL": 11, "FE": 10}
# More seizures around New Year and in summer (illustrative).
MONTH_WEIGHTS = [1.2, 0.8, 0.85, 0.9, 1.0, 1.05, 1.1, 1.1, 0.95, 0.95, 1.0, 1.3]
CONTEXT_WEIGHTS = {
    "house_search": 34,
    "traffic_control": 24,
    "special_investigative_measure": 16,
    "voluntary_surrender": 12,
    "border_crossing": 5,  # SEESAC: fewer firearms found at the border than inland
    "other": 9,
}
FIREARM_QUANTITY_WEIGHTS = {1: 82, 2: 11, 3: 4, 4: 1.5, 5: 1, 8: 0.5}
AMMUNITION_TYPE_WEIGHTS = {
    "pistol": 45, "automatic_rifle": 25, "rifle": 10, "hunting_weapon": 10, "shotgun": 5,
    "machine_gun": 3, "other": 2,
}


def firearm_type_weights(year: int) -> dict[str, float]:
    """Firearm types; converted and blank-firing weapons grow year by year (the trend SEESAC notes)."""
    step = year - YEARS.start
    return {
        "pistol": 44, "revolver": 4, "rifle": 8, "automatic_rifle": 15, "shotgun": 5,
        "hunting_weapon": 8, "submachine_gun": 1.5, "machine_gun": 0.5,
        "converted_firearm": 5 + step, "blank_firing_weapon": 6 + 1.5 * step, "other": 1,
    }


def read_targets(data: Path) -> tuple[dict[int, int], dict[int, int]]:
    """Yearly firearm and ammunition totals: published where published, illustrative elsewhere."""
    firearms, rounds = dict(ILLUSTRATIVE_FIREARMS), dict(ILLUSTRATIVE_ROUNDS)
    rng = random.Random(SEED)
    with (data / "published_totals.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            year, value = int(row["year_from"]), int(float(row["value"]))
            if year != int(row["year_to"]) or year not in YEARS:  # a span of years, or no records that year
                continue
            if row["qualifier"] == "more than":
                value += rng.randint(1, 999)
            if (row["category"], row["unit"]) == ("firearm", "pieces"):
                firearms[year] = value
            elif (row["category"], row["unit"]) == ("ammunition", "rounds"):
                rounds[year] = value
    return firearms, rounds


def read_municipalities(data: Path) -> dict[str, list[str]]:
    by_region: dict[str, list[str]] = {}
    with (data / "municipalities.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            by_region.setdefault(row["region_code"], []).append(row["name"])
    return by_region


class _Generator:
    def __init__(self, data: Path, seed: int = SEED):
        self.rng = random.Random(seed)
        self.municipalities = read_municipalities(data)
        self.rows: list[dict] = []

    def pick(self, weights: dict):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def add(self, year: int, category: str, weapon_type: str, quantity: float, unit: str) -> None:
        month = self.rng.choices(range(1, 13), weights=MONTH_WEIGHTS)[0]
        day = self.rng.randint(1, calendar.monthrange(year, month)[1])
        region = self.pick(REGION_WEIGHTS)
        towns = self.municipalities[region]
        # The directorate's seat (listed first) sees half of its seizures.
        town = towns[0] if self.rng.random() < 0.5 else self.rng.choice(towns)
        self.rows.append({
            "seized_on": dt.date(year, month, day).isoformat(),
            "region_code": region,
            "municipality": town,
            "category": category,
            "weapon_type": weapon_type,
            "quantity": quantity,
            "unit": unit,
            "context": self.pick(CONTEXT_WEIGHTS),
            "source": SOURCE,
            "illustrative": "true",
        })

    def split(self, total: int, draw) -> list[int]:
        """Draw event sizes until they reach the total exactly (the last one is trimmed)."""
        parts: list[int] = []
        remaining = total
        while remaining > 0:
            size = min(max(1, int(draw())), remaining)
            parts.append(size)
            remaining -= size
        return parts

    def year(self, year: int, firearms: int, rounds: int) -> None:
        for size in self.split(firearms, lambda: self.pick(FIREARM_QUANTITY_WEIGHTS)):
            self.add(year, "firearm", self.pick(firearm_type_weights(year)), size, "pieces")
        for size in self.split(rounds, lambda: self.rng.lognormvariate(3.6, 1.1)):
            self.add(year, "ammunition", self.pick(AMMUNITION_TYPE_WEIGHTS), size, "rounds")
        for _ in range(self.rng.randint(55, 85)):
            self.add(year, "explosive", "hand_grenade", self.pick({1: 80, 2: 15, 4: 5}), "pieces")
        for _ in range(self.rng.randint(10, 20)):
            self.add(year, "explosive", "explosive", round(self.rng.uniform(0.1, 8.0), 1), "kg")
        for _ in range(self.rng.randint(30, 50)):
            weapon = self.pick({"pistol": 50, "automatic_rifle": 30, "other": 20})
            self.add(year, "component", weapon, self.rng.randint(1, 5), "pieces")


def generate_seizures(data: Path) -> list[dict]:
    firearms, rounds = read_targets(data)
    rows = []
    for year in YEARS:
        # A generator per year (its own seed): a year's published total added later changes that year's lines only.
        gen = _Generator(data, seed=SEED + year)
        gen.year(year, firearms[year], rounds[year])
        rows += gen.rows
    rows.sort(key=lambda r: (r["seized_on"], r["region_code"], r["category"]))
    counters: dict[str, int] = {}
    for row in rows:
        year = row["seized_on"][:4]
        counters[year] = counters.get(year, 0) + 1
        row["case_ref"] = f"ILL-{year}-{counters[year]:05d}"
    return rows


# Illustrative KPI series: the Roadmap KPIs' wording is not public here, so neither are real values. They belong to
# the Roadmap's first phase (data/roadmap_phases.csv).
KPI_PHASE = "roadmap-2024"
KPI_SERIES = {
    3: {"baseline": 100.0, "target": 140.0, "values": [100, 104, 109, 116, 123, 130, 137]},
    4: {"baseline": 60.0, "target": 90.0, "values": [60, 61, 63, 64, 66, 67, 69]},
    8: {"baseline": 40.0, "target": 25.0, "values": [40, 39, 36, 34, 31, 29, 27]},
    10: {"baseline": 1200.0, "target": 1500.0, "values": [1200, 1215, 1260, 1290, 1330, 1350]},
    14: {"baseline": None, "target": None, "values": []},
}


def generate_kpi_values() -> list[dict]:
    rows = []
    for kpi, series in KPI_SERIES.items():
        for offset, value in enumerate(series["values"]):
            rows.append({
                "phase_code": KPI_PHASE, "kpi_number": kpi, "year": 2018 + offset, "jurisdiction": "Kosovo", "value": value,
                "baseline": series["baseline"], "target": series["target"], "unit": "index",
                "source": SOURCE, "illustrative": "true",
            })
    return rows


SEIZURE_COLUMNS = [
    "seized_on", "region_code", "municipality", "category", "weapon_type", "quantity", "unit", "context",
    "case_ref", "source", "illustrative",
]
KPI_COLUMNS = ["phase_code", "kpi_number", "year", "jurisdiction", "value", "baseline", "target", "unit", "source", "illustrative"]


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def write_demo(data: Path) -> tuple[int, int]:
    """(Re)write data/demo_seizures.csv and data/kpi_values.csv; returns their row counts."""
    seizures = generate_seizures(data)
    kpis = generate_kpi_values()
    write_csv(data / "demo_seizures.csv", SEIZURE_COLUMNS, seizures)
    write_csv(data / "kpi_values.csv", KPI_COLUMNS, kpis)
    return len(seizures), len(kpis)
