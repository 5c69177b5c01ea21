"""Write a synthetic store of N seizure lines (same schema, illustrative, deterministic) with DuckDB bulk SQL.

    .venv/bin/python benchmarks/generate.py --rows 10000000 --out benchmarks/out/10m.duckdb

Values come from hashes of the row number, so the same N gives the same store on every run. Rows are written in
date order, which lets DuckDB skip row groups (zone maps) when a page filters on a period. The summaries the pages
read are rebuilt from the lines at the end (included in the time reported).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from seizures import seed, settings, store, summary

REGIONS = ["PR", "PZ", "PE", "GJ", "MS", "MN", "GL", "FE"]
# The demo vocabulary's codes (data/vocabulary.csv): the firearm types and the contexts.
FIREARM_TYPES = ["pistol", "revolver", "rifle", "automatic_rifle", "shotgun", "hunting_weapon", "submachine_gun",
                 "machine_gun", "converted_firearm", "blank_firing_weapon", "other"]
CONTEXTS = ["traffic_control", "house_search", "border_crossing", "special_investigative_measure",
            "voluntary_surrender", "other"]
FIRST_DAY, DAYS = "2019-01-01", 6 * 365


def _sql_list(values: list[str]) -> str:
    return "[" + ", ".join(f"'{v}'" for v in values) + "]"


def generate(path: Path, rows: int) -> float:
    """Create the store at `path` with `rows` seizure lines; returns the seconds spent generating them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in (path, path.with_suffix(path.suffix + ".wal")):
        stale.unlink(missing_ok=True)
    engine = store.make_engine(f"duckdb:///{path}")
    store.init_db(engine)
    with engine.begin() as conn:
        seed.load_reference(conn, settings.data_dir())
    started = time.perf_counter()
    with engine.begin() as conn:
        raw = conn.connection.dbapi_connection
        raw.execute(f"""
            INSERT INTO seizures (seized_on, region_code, municipality, category, weapon_type, quantity, unit,
                                  context, case_ref, source, illustrative)
            WITH base AS (
                SELECT i,
                       DATE '{FIRST_DAY}' + CAST(hash(i, 'day') % {DAYS} AS INTEGER) AS seized_on,
                       hash(i, 'kind') % 100 AS kind
                FROM range({rows}) t(i)
            )
            SELECT seized_on,
                   {_sql_list(REGIONS)}[1 + CAST(hash(i, 'region') % {len(REGIONS)} AS INTEGER)],
                   NULL,
                   CASE WHEN kind < 70 THEN 'firearm' WHEN kind < 92 THEN 'ammunition'
                        WHEN kind < 97 THEN 'explosive' ELSE 'component' END,
                   CASE WHEN kind < 70 OR kind >= 97
                        THEN {_sql_list(FIREARM_TYPES)}[1 + CAST(hash(i, 'type') % {len(FIREARM_TYPES)} AS INTEGER)]
                        WHEN kind < 92 THEN 'pistol'
                        WHEN kind < 95 THEN 'hand_grenade' ELSE 'explosive' END,
                   CASE WHEN kind < 70 OR kind >= 97 THEN 1 + hash(i, 'q') % 3
                        WHEN kind < 92 THEN 1 + hash(i, 'q') % 200
                        WHEN kind < 95 THEN 1 + hash(i, 'q') % 2
                        ELSE round((hash(i, 'q') % 80) / 10.0 + 0.1, 1) END,
                   CASE WHEN kind < 70 OR kind >= 97 THEN 'pieces' WHEN kind < 92 THEN 'rounds'
                        WHEN kind < 95 THEN 'pieces' ELSE 'kg' END,
                   {_sql_list(CONTEXTS)}[1 + CAST(hash(i, 'ctx') % {len(CONTEXTS)} AS INTEGER)],
                   'BENCH-' || i,
                   'Synthetic benchmark data (not real records)',
                   TRUE
            FROM base
            ORDER BY seized_on
        """)
        summary.rebuild(conn)
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out/bench.duckdb"))
    args = parser.parse_args()
    seconds = generate(args.out, args.rows)
    size = args.out.stat().st_size / 1e6
    print(f"{args.rows:,} rows in {seconds:.1f} s -> {args.out} ({size:,.0f} MB)")


if __name__ == "__main__":
    main()
