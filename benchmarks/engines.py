"""DuckDB and PostgreSQL side by side: bulk insert paths and the dashboard's queries, reported as ratios.

    SEIZURES_TEST_PG_URL="$(.ci/postgres start)" .venv/bin/python benchmarks/engines.py [--copies 10]

The demo records are loaded `--copies` times (about 9,800 rows each) into a new DuckDB file and a new PostgreSQL
database (created on the server at SEIZURES_TEST_PG_URL and dropped afterwards). Times are medians of 5 runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from seizures import queries, schema, seed, settings, store, summary
from seizures.filters import SeizureFilter

REPEATS = 5
FILTERS = {
    "all": SeizureFilter(),
    "2021-2023, PR+PZ, firearms": SeizureFilter(2021, 2023, ("PR", "PZ"), ("firearm",)),
}
BREAKDOWNS = [("year",), ("region_code", "year"), ("year", "month"), ("weapon_type",)]


def median_seconds(func, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def records(copies: int) -> pd.DataFrame:
    one = seed.read_table_csv(settings.data_dir() / seed.DEMO_FILE, schema.seizures)
    return pd.concat([one] * copies, ignore_index=True)


def time_insert(engine: sa.Engine, frame: pd.DataFrame, generic: bool) -> float:
    def run():
        with engine.begin() as conn:
            conn.execute(schema.seizures.delete())
            if generic:
                rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
                conn.execute(schema.seizures.insert(), rows)
            else:
                store.insert_frame(conn, schema.seizures, frame)

    return median_seconds(run, repeats=3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=10)
    args = parser.parse_args()
    server_url = os.environ.get("SEIZURES_TEST_PG_URL")
    if not server_url:
        print("set SEIZURES_TEST_PG_URL (e.g. to the output of .ci/postgres start)", file=sys.stderr)
        return 2
    server = sa.create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    name = f"seizures_bench_{uuid.uuid4().hex[:8]}"
    with server.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        with tempfile.TemporaryDirectory() as folder:
            engines = {
                "duckdb": store.make_engine(f"duckdb:///{Path(folder) / 'bench.duckdb'}"),
                "postgresql": store.make_engine(server.url.set(database=name).render_as_string(hide_password=False)),
            }
            run(engines, records(args.copies))
            for engine in engines.values():
                engine.dispose()
    finally:
        with server.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    return 0


def run(engines: dict[str, sa.Engine], frame: pd.DataFrame) -> None:
    for engine in engines.values():
        store.init_db(engine)
        seed.load_demo(engine)  # reference tables (and one copy of the records, replaced below)
    print(f"bulk insert of {len(frame):,} seizure lines (median of 3):")
    pg = engines["postgresql"]
    generic, copy = time_insert(pg, frame, generic=True), time_insert(pg, frame, generic=False)
    duck = time_insert(engines["duckdb"], frame, generic=False)
    print(f"  PostgreSQL executemany INSERT {generic:7.3f} s")
    print(f"  PostgreSQL COPY (insert_frame) {copy:7.3f} s   {generic / copy:5.1f}x faster than executemany")
    print(f"  DuckDB frame scan (insert_frame) {duck:5.3f} s")
    for engine in engines.values():
        with engine.begin() as conn:
            summary.rebuild(conn)  # the lines were written directly; the queries below read the summaries
    with pg.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("ANALYZE"))  # what autovacuum does soon after a bulk load
    print(f"queries over {len(frame):,} lines (median of {REPEATS}), PostgreSQL time / DuckDB time:")
    for label, flt in FILTERS.items():
        for dimensions in BREAKDOWNS:
            times = {kind: median_seconds(lambda e=engine: queries.totals_by(e, flt, *dimensions))
                     for kind, engine in engines.items()}
            print(
                f"  {'totals by ' + ' and '.join(dimensions):<32} {label:<28} duckdb {times['duckdb'] * 1000:7.1f} ms  "
                f"postgresql {times['postgresql'] * 1000:7.1f} ms  ratio {times['postgresql'] / times['duckdb']:5.2f}"
            )


if __name__ == "__main__":
    sys.exit(main())
