"""A wide monthly count file of the shape police open-data portals publish (issue 12): one row per police district
and month, a column per weapon type, rounds of ammunition and explosive devices, `;`-separated, decimal commas,
thousands separators, a totals row after each month; and the second, made-up jurisdiction it belongs to
(tests/data/district_portal/, flagged illustrative). Used by the tests and benchmarks/import_bench.py."""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

from seizures import mappings

SECOND_JURISDICTION = Path(__file__).resolve().parent / "data" / "district_portal"
YEAR, MONTH, DISTRICT = "Godina", "Mjesec", "Policijska uprava"
TOTAL = "Ukupno"
# column -> (category, unit, weapon type)
VALUE_COLUMNS = {
    "Pištolj": ("firearm", "pieces", "pistol"),
    "Revolver": ("firearm", "pieces", "revolver"),
    "Puška": ("firearm", "pieces", "rifle"),
    "Sačmarica": ("firearm", "pieces", "shotgun"),
    "Automat": ("firearm", "pieces", "submachine_gun"),
    "Lovačko oružje": ("firearm", "pieces", "hunting"),
    "Samodjelno oružje": ("firearm", "pieces", "home_made"),
    "Ostalo oružje": ("firearm", "pieces", "other"),
    "Streljivo (komada)": ("ammunition", "rounds", None),
    "Ručne bombe": ("explosive", "pieces", "hand_grenade"),
    "Eksplozivne naprave": ("explosive", "pieces", "explosive_device"),
    "Eksploziv (kg)": ("explosive", "kg", None),
}
HEADER = [YEAR, MONTH, DISTRICT, *VALUE_COLUMNS]


def districts() -> list[tuple[str, str]]:
    """(district, region code) of the second jurisdiction's municipalities file."""
    with (SECOND_JURISDICTION / "municipalities.csv").open(encoding="utf-8") as f:
        return [(r["name"], r["region_code"]) for r in csv.DictReader(f)]


def number(value: float, column: str) -> str:
    """As the portal writes it: decimal comma, '.' between thousands."""
    if column == "Eksploziv (kg)":
        return f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"{int(value):,}".replace(",", ".")


def wide_rows(first_year: int, years: int, names: list[str], seed: int = 12, months: int = 12,
              totals: bool = True) -> list[list[str]]:
    """The rows (header first) of a wide monthly count file."""
    rng = random.Random(seed)
    rows = [HEADER]
    for year in range(first_year, first_year + years):
        for month in range(1, months + 1):
            sums = dict.fromkeys(VALUE_COLUMNS, 0.0)
            for i, name in enumerate(names):
                cells = []
                for column in VALUE_COLUMNS:
                    if column == "Streljivo (komada)":
                        value = rng.choice([0, 0, 12, 50, 240, 1000, 1250, 3400])
                    elif column == "Eksploziv (kg)":
                        value = rng.choice([0, 0, 0, 0.25, 1.5, 2.75])
                    else:
                        value = rng.choice([0, 0, 0, 0, 1, 1, 2, 3])
                    if rng.random() < 0.05:  # an empty cell: nothing reported
                        cells.append("")
                        continue
                    sums[column] += value
                    cells.append(number(value, column))
                shown = name.upper() if i % 9 == 4 else name  # districts as typed: case does not matter
                rows.append([str(year), f"{month:02d}" if i % 2 else str(month), shown, *cells])
            if totals:
                rows.append([str(year), str(month), TOTAL, *(number(sums[c], c) for c in VALUE_COLUMNS)])
    return rows


def csv_text(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def wide_file(first_year: int = 2006, years: int = 18, seed: int = 12, months: int = 12) -> bytes:
    return csv_text(wide_rows(first_year, years, [d for d, _ in districts()], seed, months))


def district_mapping(name: str = "district-monthly") -> mappings.Mapping:
    """The mapping of the wide file: districts grouped into regions through the municipalities, year + month,
    a count per value column, totals rows skipped."""
    return mappings.Mapping(
        name=name, title="District monthly counts (portal layout)", path="district-monthly.csv",
        delimiter=";", encoding="utf-8", decimal_char=",", group_char=".", missing_values=("", "-"),
        region=mappings.RegionSpec(DISTRICT, "municipality", "refuse"),
        period=mappings.PeriodSpec("month", year=YEAR, month=MONTH),
        values=tuple(
            mappings.ValueColumn(column, tuple((k, v) for k, v in (("category", c), ("unit", u), ("weapon_type", w))
                                               if v))
            for column, (c, u, w) in VALUE_COLUMNS.items()),
        skip=(mappings.SkipRule(DISTRICT, (TOTAL, "Total")),),
    )
