"""A made-up jurisdiction ("Illustria", flagged illustrative) whose data are counts by period, not seizure lines:
monthly counts of firearms by directorate, weapon type and context from January 2019 to June 2023 (the last year
incomplete), counts of a quarter in one directorate, a yearly count for the whole jurisdiction, a population for
every directorate, one planted surge (North, pistols, May 2022) and two events (one national, one of a directorate).

Nothing Kosovo-specific: the pages, the changes, the flags and the comparisons must work on it as on the demo.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd

from seizures import seed, settings, store

REGIONS = {"N1": ("North", 100_000), "S1": ("South", 50_000), "E1": ("East", 25_000)}
LEVELS = {("N1", "pistol"): 20, ("N1", "rifle"): 10, ("S1", "pistol"): 12, ("S1", "rifle"): 6,
          ("E1", "pistol"): 8, ("E1", "rifle"): 5}
SURGE = ("N1", "pistol", 2022, 5, 80)  # directorate, weapon type, year, month, count (about 4 times its level)
LAST = (2023, 6)  # the last month counted
QUARTERS = [("E1", "2022-07-01", 30.0), ("E1", "2023-01-01", 12.0)]  # East's counts of a quarter (no month)
WHOLE_YEAR = ("2020-01-01", 500.0)  # ammunition counted for the whole jurisdiction, a year at a time
EVENTS = [
    ("2021-03-01", "2021-04-30", "", "amnesty", "Illustrian amnesty campaign"),
    ("2022-05-10", "", "N1", "operation", "Operation Northwind"),
]


def monthly_counts() -> pd.DataFrame:
    rows = []
    for year in range(2019, LAST[0] + 1):
        for month in range(1, 13):
            if (year, month) > LAST:
                break
            for (region, weapon), level in LEVELS.items():
                wobble = (year * 12 + month + len(region + weapon)) * 7 % 5 - 2  # -2 to +2, no season
                value = SURGE[4] if (region, weapon, year, month) == SURGE[:4] else level + wobble
                for context, share in (("border", 0.5), ("search", 0.5)):
                    part = value // 2 if context == "border" else value - value // 2
                    rows.append({"seized_on": f"{year}-{month:02d}-01", "region_code": region, "category": "firearm",
                                 "weapon_type": weapon, "quantity": float(part), "unit": "pieces",
                                 "context": context, "period": "month"})
    for region, day, value in QUARTERS:
        rows.append({"seized_on": day, "region_code": region, "category": "firearm", "weapon_type": "pistol",
                     "quantity": value, "unit": "pieces", "context": "search", "period": "quarter"})
    rows.append({"seized_on": WHOLE_YEAR[0], "region_code": "", "category": "ammunition", "weapon_type": "",
                 "quantity": WHOLE_YEAR[1], "unit": "rounds", "context": "", "period": "year"})
    frame = pd.DataFrame(rows)
    frame["municipality"] = ""
    frame["case_ref"] = ""
    frame["source"] = "Made-up counts for tests (illustrative)"
    frame["illustrative"] = "true"
    return frame


def _write(folder: Path, name: str, rows: list[dict] | pd.DataFrame, columns: list[str] | None = None) -> None:
    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows, columns=columns)
    frame.to_csv(folder / name, index=False)


def data_folder(folder: Path) -> Path:
    """The CSV files of data/ for Illustria (the demo's files of other tables, emptied)."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in settings.data_dir().glob("*.csv"):  # every table's columns, no rows
        pd.read_csv(path, nrows=0).to_csv(folder / path.name, index=False)
    _write(folder, "jurisdiction.csv", [{
        "code": "IL", "name_en": "Illustria", "name_sq": "Ilustria", "name_sr": "Ilustrija", "name_note_en": "",
        "name_note_sq": "", "name_note_sr": "", "earliest_date": "2000-01-01", "languages": "en,sq,sr",
        "illustrative": "true", "source": "A made-up jurisdiction for tests"}])
    source = "Made-up vocabulary for tests"
    _write(folder, "vocabulary.csv", [
        {"kind": "category", "code": "firearm", "position": 1, "label_en": "Guns", "label_sq": "Armë",
         "label_sr": "Oružje", "units": "pieces", "source": source},
        {"kind": "category", "code": "ammunition", "position": 2, "label_en": "Cartridges", "label_sq": "Fishekë",
         "label_sr": "Meci", "units": "rounds", "source": source},
        {"kind": "unit", "code": "pieces", "position": 1, "label_en": "pieces", "label_sq": "copë",
         "label_sr": "komada", "whole": "true", "line_limit": 10000, "source": source},
        {"kind": "unit", "code": "rounds", "position": 2, "label_en": "rounds", "label_sq": "fishekë",
         "label_sr": "metaka", "whole": "true", "line_limit": 1000000, "source": source},
        {"kind": "weapon_type", "code": "pistol", "position": 1, "label_en": "Handgun", "label_sq": "Pistoletë",
         "label_sr": "Pištolj", "highlight": "false", "source": source},
        {"kind": "weapon_type", "code": "rifle", "position": 2, "label_en": "Long gun", "label_sq": "Pushkë",
         "label_sr": "Puška", "highlight": "false", "source": source},
        {"kind": "context", "code": "border", "position": 1, "label_en": "At the border", "label_sq": "Në kufi",
         "label_sr": "Na granici", "source": source},
        {"kind": "context", "code": "search", "position": 2, "label_en": "Search", "label_sq": "Kontroll",
         "label_sr": "Pretres", "source": source},
    ], columns=pd.read_csv(settings.data_dir() / "vocabulary.csv", nrows=0).columns.tolist())
    regions = pd.read_csv(settings.data_dir() / "regions.csv", nrows=0).columns.tolist()
    _write(folder, "regions.csv", [
        {"code": code, "name_en": name, "name_sq": name + "ia", "name_sr": name + "ija", "population": population,
         "population_source": "made up", "status": "confirmed", "position": position}
        for position, (code, (name, population)) in enumerate(REGIONS.items(), start=1)
    ], columns=regions)
    _write(folder, "demo_seizures.csv", monthly_counts())
    _write(folder, "events.csv", [
        {"starts_on": start, "ends_on": end, "region_code": region, "kind": kind, "title_en": title,
         "source": "made up"} for start, end, region, kind, title in EVENTS
    ], columns=pd.read_csv(settings.data_dir() / "events.csv", nrows=0).columns.tolist())
    return folder


def build(folder: Path) -> str:
    """A DuckDB store of Illustria in `folder`; its URL."""
    folder.mkdir(parents=True, exist_ok=True)
    url = f"duckdb:///{folder / 'illustria.duckdb'}"
    engine = store.make_engine(url)
    store.init_db(engine)
    seed.load_demo(engine, data_folder(folder / "data"))
    engine.dispose()
    return url


def total(region: str | None = None, weapon: str | None = None, year: int | None = None,
          months: tuple[int, int] = (1, 12), with_quarters: bool = False) -> float:
    """Firearms counted, summed here independently of the store (an oracle for the made-up data)."""
    frame = monthly_counts()
    frame = frame[frame["category"] == "firearm"]
    day = pd.to_datetime(frame["seized_on"])
    keep = pd.Series(True, index=frame.index)
    if region:
        keep &= frame["region_code"] == region
    if weapon:
        keep &= frame["weapon_type"] == weapon
    if year:
        keep &= day.dt.year == year
    monthly = frame["period"] == "month"
    keep &= (monthly & day.dt.month.between(*months)) | (~monthly & with_quarters)
    return float(frame.loc[keep, "quantity"].sum())


__all__ = ["build", "total", "REGIONS", "SURGE", "LAST", "QUARTERS", "EVENTS", "dt", "shutil"]
