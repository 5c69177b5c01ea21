"""Benchmark: `seizures import` of a 1 M-row CSV beside DuckDB's own `read_csv` of the same file, in the same run.

    .venv/bin/python benchmarks/import_bench.py [--rows 1000000] [--repeat 3]

Generates a valid file (deterministic: ISO and DD.MM.YYYY dates, directorates by code and by Albanian, English
and Serbian name, every category with its unit) in benchmarks/out/, then times, each on a fresh store:
- baseline: DuckDB reading the file into a table of a new DuckDB file (`CREATE TABLE ... AS SELECT * FROM
  read_csv(...)`, types auto-detected): parsing and storing, no checks;
- import: the `seizures import FILE` command in a new process (start-up, every validation rule, the
  duplicate check against the 9,816 demo lines, the audit row, the write), into a store holding the demo data;
- in-process: `ingest.import_file` called directly, with the time spent in each stage.
Reports the median of the repeats, rows per second and the ratios to the baseline.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
sys.path.insert(0, str(ROOT / "src"))

from seizures import ingest, seed, store  # noqa: E402

# Directorate spellings as users write them, and a municipality of each.
REGIONS = [
    ("PR", "Prishtinë", "Prishtinë"), ("Prizren", "PZ", "Suharekë"), ("Peć", "Peja", "Istog"),
    ("Gjakovë", "Đakovica", "Rahovec"), ("MS", "Mitrovica South", "Vushtrri"), ("Severna Mitrovica", "MN", "Zveçan"),
    ("Gjilan", "Gnjilane", "Viti"), ("Uroševac", "FE", "Kaçanik"),
]
ITEMS = [  # category, weapon type, unit, quantity expression
    ("firearm", "pistol", "pieces", "1 + h % 3"), ("firearm", "automatic_rifle", "pieces", "1"),
    ("firearm", "converted_firearm", "pieces", "1"), ("ammunition", "pistol", "rounds", "10 + h % 200"),
    ("explosive", "hand_grenade", "pieces", "1 + h % 2"), ("explosive", "explosive", "kg", "round(0.1 + (h % 50) / 10, 1)"),
    ("component", "other", "pieces", "1 + h % 4"),
]
CONTEXTS = ["house_search", "traffic_control", "border_crossing", "special_investigative_measure",
            "voluntary_surrender", "other"]


def sql_list(values) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def generate(path: Path, rows: int) -> None:
    """A valid import file of `rows` rows, written by DuckDB (deterministic)."""
    region_spelling = sql_list([r[i % 2] for r in REGIONS for i in range(2)])
    municipality = sql_list([r[2] for r in REGIONS])
    item = len(ITEMS)
    duckdb.sql(f"""
        COPY (
            SELECT
                CASE WHEN i % 2 = 0 THEN strftime(day, '%Y-%m-%d') ELSE strftime(day, '%d.%m.%Y') END AS seized_on,
                {region_spelling}[1 + (r * 2 + (i // 8) % 2)::INT] AS region,
                {municipality}[1 + r::INT] AS municipality,
                {sql_list(c for c, _, _, _ in ITEMS)}[1 + k::INT] AS category,
                {sql_list(w for _, w, _, _ in ITEMS)}[1 + k::INT] AS weapon_type,
                CASE k {' '.join(f'WHEN {n} THEN ({q})::VARCHAR' for n, (_, _, _, q) in enumerate(ITEMS))} END AS quantity,
                {sql_list(u for _, _, u, _ in ITEMS)}[1 + k::INT] AS unit,
                {sql_list(CONTEXTS)}[1 + (h % {len(CONTEXTS)})::INT] AS context,
                'BENCH-' || lpad(i::VARCHAR, 8, '0') AS case_ref
            FROM (
                SELECT i, h, h % 8 AS r, (h // 8) % {item} AS k,
                       DATE '2010-01-01' + ((h // 64) % 5000)::INT AS day
                FROM (SELECT i, hash(i) % 1000003 AS h FROM range({rows}) t(i))
            )
            ORDER BY i
        ) TO '{path}' (HEADER, DELIMITER ',')
    """)


def fresh_demo_store(folder: Path, template_db: Path) -> str:
    target = folder / "store.duckdb"
    for suffix in ("", ".wal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copy(template_db, target)
    return f"duckdb:///{target}"


def time_baseline(csv_path: Path, folder: Path) -> float:
    db = folder / "baseline.duckdb"
    db.unlink(missing_ok=True)
    started = time.perf_counter()
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [str(csv_path)])
    con.close()
    elapsed = time.perf_counter() - started
    db.unlink()
    return elapsed


def time_import(csv_path: Path, url: str, rows: int) -> float:
    command = [str(Path(sys.executable).with_name("seizures")), "--db-url", url, "import", str(csv_path)]
    started = time.perf_counter()
    run = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if run.returncode != 0 or f"imported {rows:,} of {rows:,} rows" not in run.stdout:
        raise SystemExit(f"import failed:\n{run.stdout}\n{run.stderr[:3000]}")
    return elapsed


def time_in_process(csv_path: Path, url: str) -> tuple[float, dict[str, float]]:
    """import_file called directly; seconds spent between its progress reports."""
    engine = store.make_engine(url)
    marks: list[tuple[float, str]] = []
    started = time.perf_counter()
    result = ingest.import_file(engine, csv_path, progress=lambda _f, text: marks.append((time.perf_counter(), text)))
    elapsed = time.perf_counter() - started
    engine.dispose()
    if result.status != "imported":
        raise SystemExit(f"in-process import failed: {result.summary()}")
    stages = {text: round(end - begin, 2) for (begin, text), (end, _) in zip(marks, marks[1:])}
    return elapsed, stages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    csv_path = OUT / f"import_{args.rows}.csv"
    started = time.perf_counter()
    generate(csv_path, args.rows)
    print(f"generated {args.rows:,} rows ({csv_path.stat().st_size / 1e6:,.1f} MB) in "
          f"{time.perf_counter() - started:.1f} s: {csv_path}")

    demo_db = OUT / "demo-template.duckdb"
    demo_db.unlink(missing_ok=True)
    engine = store.make_engine(f"duckdb:///{demo_db}")
    store.init_db(engine)
    seed.load_demo(engine)
    engine.dispose()

    baseline, imports, in_process = [], [], []
    for round_ in range(1, args.repeat + 1):
        baseline.append(time_baseline(csv_path, OUT))
        imports.append(time_import(csv_path, fresh_demo_store(OUT, demo_db), args.rows))
        seconds, stages = time_in_process(csv_path, fresh_demo_store(OUT, demo_db))
        in_process.append(seconds)
        print(f"round {round_}: DuckDB read_csv {baseline[-1]:.2f} s, seizures import {imports[-1]:.2f} s, "
              f"in-process {seconds:.2f} s {stages}")
    base, imp, inner = statistics.median(baseline), statistics.median(imports), statistics.median(in_process)
    report = {
        "rows": args.rows, "file_mb": round(csv_path.stat().st_size / 1e6, 1), "repeat": args.repeat,
        "duckdb_read_csv_s": round(base, 2), "seizures_import_s": round(imp, 2),
        "duckdb_rows_per_s": round(args.rows / base), "import_rows_per_s": round(args.rows / imp),
        "ratio_import_to_read_csv": round(imp / base, 1),
        "in_process_import_s": round(inner, 2), "ratio_in_process_to_read_csv": round(inner / base, 1),
    }
    (OUT / "import_bench.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"median of {args.repeat}: DuckDB read_csv {base:.2f} s ({report['duckdb_rows_per_s']:,} rows/s); "
          f"seizures import {imp:.2f} s ({report['import_rows_per_s']:,} rows/s); "
          f"import / read_csv = {report['ratio_import_to_read_csv']}×; in-process import {inner:.2f} s "
          f"({report['ratio_in_process_to_read_csv']}×)")
    for suffix in ("", ".wal"):
        Path(f"{OUT / 'store.duckdb'}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
