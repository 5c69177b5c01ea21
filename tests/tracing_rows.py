"""A made-up jurisdiction (flagged illustrative) whose rows carry the tracing fields, written into a store directly
(store.insert_frame + summary.rebuild, as an import would leave them), with the figures they give worked out by hand.

Two directorates, NO (North) and SO (South); 2023 has record-level lines, a count of a month (10 pistols whose origin
was established) and a count of a year for the whole jurisdiction (20 firearms, nothing about their tracing);
2022 has firearms but no trace result at all (its indicator is "not recorded", not 0 %).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa

from seizures import schema, store, summary

SOURCE = "Illustrative test data, generated (not real records)"
JURISDICTION = {"code": "EX", "name_en": "Examplia", "earliest_date": dt.date(2000, 1, 1), "languages": "en,sq,sr",
                "illustrative": True, "source": "Made up for the tests"}
VOCABULARY = [
    ("category", "firearm", 1, "Firearms", "pieces", None, None, None),
    ("category", "ammunition", 2, "Ammunition", "rounds", None, None, None),
    ("unit", "pieces", 1, "pieces", None, True, 10_000.0, None),
    ("unit", "rounds", 2, "rounds", None, True, 1_000_000.0, None),
    ("weapon_type", "pistol", 1, "Pistol", None, None, None, False),
    ("weapon_type", "rifle", 2, "Rifle", None, None, None, False),
    ("context", "house_search", 1, "House search", None, None, None, None),
    ("context", "voluntary_surrender", 2, "Voluntary surrender", None, None, None, None),
]
REGIONS = [{"code": "NO", "name_en": "North", "position": 1}, {"code": "SO", "name_en": "South", "position": 2}]

FIELDS = ["seized_on", "period", "region_code", "category", "weapon_type", "quantity", "unit", "context", "case_ref",
          "marked", "trace_requested_on", "trace_result", "origin_how", "manufacture_country", "import_country",
          "legal_basis", "criminal_context", "significant"]
D = dt.date
ROWS = [
    # 2023
    (D(2023, 3, 10), "day", "NO", "firearm", "pistol", 1, "pieces", "house_search", "C1",
     True, D(2023, 3, 20), "origin_established", "international_trace", "DE", "AT", "illicit_possession",
     "organised_crime", False),
    (D(2023, 4, 2), "day", "NO", "firearm", "rifle", 2, "pieces", "house_search", "C2",
     True, D(2023, 4, 10), "origin_not_established", None, "RS", None, "illicit_trafficking", None, True),
    (D(2023, 6, 15), "day", "NO", "firearm", "pistol", 1, "pieces", "voluntary_surrender", "C3",
     False, None, None, None, None, None, "illicit_possession", None, None),
    (D(2023, 7, 1), "day", "NO", "firearm", "pistol", 3, "pieces", None, "C4",
     None, None, None, None, None, None, None, None, None),
    (D(2023, 5, 1), "month", "SO", "firearm", "pistol", 10, "pieces", None, None,
     True, None, "origin_established", "national_records", "CZ", None, None, None, None),
    (D(2023, 1, 1), "year", None, "firearm", None, 20, "pieces", None, None,
     None, None, None, None, None, None, None, None, None),
    (D(2023, 8, 9), "day", "SO", "ammunition", None, 500, "rounds", None, "C5",
     None, None, None, None, None, None, "illicit_trafficking", None, True),
    (D(2023, 9, 1), "day", "SO", "firearm", "rifle", 4, "pieces", "house_search", "C6",
     True, D(2023, 9, 5), "pending", None, "DE", "DE", "illicit_trafficking", "drug_trafficking", True),
    # 2022: firearms, a marking, no trace result
    (D(2022, 2, 1), "day", "NO", "firearm", "pistol", 4, "pieces", None, "C7",
     None, None, None, None, None, None, None, None, None),
    (D(2022, 5, 1), "day", "SO", "firearm", "rifle", 2, "pieces", None, "C8",
     True, None, None, None, None, None, None, None, None),
]

# Worked out by hand from ROWS (firearms in pieces).
Y2023 = {"seized": 41, "rows": 7, "recorded": 18, "not_recorded": 23, "marked": 17, "unmarked": 1,
         "marking_not_recorded": 23, "trace_requested": 7, "result_recorded": 17, "established": 11,
         "not_established": 2, "pending": 4, "share_pct": 11 / 41 * 100, "share_of_results_pct": 11 / 17 * 100}
Y2022 = {"seized": 6, "rows": 2, "recorded": 2, "not_recorded": 4, "marked": 2, "unmarked": 0,
         "marking_not_recorded": 4, "trace_requested": 0, "result_recorded": 0, "established": 0}
BY_REGION_2023 = {"NO": (7, 1, 1 / 7 * 100), "SO": (14, 10, 10 / 14 * 100), "": (20, 0, None)}  # seized, established, %


def frame() -> pd.DataFrame:
    rows = pd.DataFrame(ROWS, columns=FIELDS)
    return rows.assign(source=SOURCE, illustrative=True)


def load(engine: sa.Engine) -> None:
    """The made-up jurisdiction's reference data and rows, as one import of a generated file."""
    columns = ["kind", "code", "position", "label_en", "units", "whole", "line_limit", "highlight"]
    with engine.begin() as conn:
        conn.execute(schema.jurisdiction.insert().values(**JURISDICTION))
        conn.execute(schema.vocabulary.insert(), [dict(zip(columns, row), source="test") for row in VOCABULARY])
        conn.execute(schema.regions.insert(), REGIONS)
        import_id = conn.execute(schema.imports.insert().values(
            file_name="tracing-illustrative.csv", content_hash="t" * 64, kind="file", rows_read=len(ROWS) + 2,
            rows_accepted=len(ROWS), rows_rejected=2, user_name="test", imported_at=dt.datetime(2024, 1, 15, 9, 30),
        ).returning(schema.imports.c.id)).scalar_one()
        store.insert_frame(conn, schema.seizures, frame().assign(import_id=import_id))
        summary.rebuild(conn)
