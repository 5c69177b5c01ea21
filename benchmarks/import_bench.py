"""Benchmark: `seizures import` of a 1 M-row CSV beside DuckDB's own `read_csv` of the same file, in the same run;
with --wide, a wide monthly count file through a column mapping beside DuckDB's read_csv + UNPIVOT of it.

    .venv/bin/python benchmarks/import_bench.py [--rows 1000000] [--repeat 3]
    .venv/bin/python benchmarks/import_bench.py --wide [--wide-rows 30000] [--repeat 3] [--write]

--wide generates the portal layout of issue 12 (tests/count_files.py: a row per district and month, 12 count
columns, `;`, decimal commas, thousands separators, a totals row after each month) for a made-up jurisdiction with
as many districts as make --wide-rows over 18 years, then times, each on a fresh store holding its reference data:
- baseline: DuckDB alone reading the file (read_csv, the same dialect) and turning it long (UNPIVOT), no checks;
- import: `seizures import FILE --mapping FILE.mapping.json` in a new process;
- in-process: `ingest.import_file(..., mapping=...)`, with the time spent in each stage.
--write puts the medians into BENCHMARKS.md (section "Wide count file through a mapping").

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

sys.path.insert(0, str(ROOT / "tests"))

from seizures import ingest, mappings, schema, seed, store  # noqa: E402

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


# --- a wide count file through a mapping ------------------------------------------------------------------------

WIDE_YEARS = 18
SECTION = "## Wide count file through a mapping"


def wide_store(folder: Path, districts: list[tuple[str, str]]) -> str:
    """A new store holding the made-up jurisdiction's reference data, with these districts as municipalities."""
    import pandas as pd
    from count_files import SECOND_JURISDICTION

    target = folder / "wide-store.duckdb"
    for suffix in ("", ".wal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    url = f"duckdb:///{target}"
    engine = store.make_engine(url)
    store.init_db(engine)
    with engine.begin() as conn:
        for table in (schema.jurisdiction, schema.vocabulary, schema.regions):
            store.insert_frame(conn, table, seed.read_table_csv(SECOND_JURISDICTION / f"{table.name}.csv", table))
        store.insert_frame(conn, schema.municipalities,
                           pd.DataFrame(districts, columns=["name", "region_code"]))
    engine.dispose()
    return url


def time_wide_baseline(csv_path: Path, value_columns: list[str]) -> float:
    started = time.perf_counter()
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?, delim = ';', header = true, all_varchar = true)",
                [str(csv_path)])
    quoted = ", ".join('"' + c + '"' for c in value_columns)
    con.execute(f"CREATE TABLE long AS SELECT * FROM (UNPIVOT t ON {quoted} INTO NAME col VALUE v)")
    con.close()
    return time.perf_counter() - started


def run_wide(args: argparse.Namespace) -> None:
    from count_files import VALUE_COLUMNS, csv_text, district_mapping, wide_rows

    per_district = WIDE_YEARS * 12
    count = max(1, round(args.wide_rows / per_district))
    districts = [(f"District {i:03d}", f"N{i % 7 + 1}") for i in range(1, count + 1)]
    csv_path = OUT / f"wide_{count * per_district}.csv"
    csv_path.write_bytes(csv_text(wide_rows(2006, WIDE_YEARS, [d for d, _ in districts])))
    rows = count * per_district + per_district  # the districts' rows and a totals row per month
    mapping_path = OUT / "district-monthly.mapping.json"
    mapping_path.write_text(mappings.to_json(district_mapping()), encoding="utf-8")
    print(f"generated {rows:,} rows x {len(VALUE_COLUMNS)} count columns ({csv_path.stat().st_size / 1e6:,.1f} MB)")
    baseline, commands, inner = [], [], []
    for round_ in range(1, args.repeat + 1):
        baseline.append(time_wide_baseline(csv_path, list(VALUE_COLUMNS)))
        url = wide_store(OUT, districts)
        command = [str(Path(sys.executable).with_name("seizures")), "--db-url", url, "import", str(csv_path),
                   "--mapping", str(mapping_path)]
        started = time.perf_counter()
        run = subprocess.run(command, capture_output=True, text=True)
        commands.append(time.perf_counter() - started)
        if run.returncode != 0:
            raise SystemExit(f"import failed:\n{run.stdout}\n{run.stderr[:3000]}")
        engine = store.make_engine(wide_store(OUT, districts))
        marks: list[tuple[float, str]] = []
        started = time.perf_counter()
        result = ingest.import_file(engine, csv_path, mapping=district_mapping(),
                                    progress=lambda _f, text: marks.append((time.perf_counter(), text)))
        inner.append(time.perf_counter() - started)
        engine.dispose()
        if result.status != "imported":
            raise SystemExit(f"in-process import failed: {result.summary()}")
        stages = {text: round(end - begin, 2) for (begin, text), (end, _) in zip(marks, marks[1:])}
        print(f"round {round_}: DuckDB read_csv + UNPIVOT {baseline[-1]:.2f} s, seizures import {commands[-1]:.2f} s, "
              f"in-process {inner[-1]:.2f} s {stages}; {result.stored:,} counts stored, {result.zeros:,} zeros")
    base, cmd, mid = (statistics.median(v) for v in (baseline, commands, inner))
    text = (f"{SECTION}\n\n`benchmarks/import_bench.py --wide --wide-rows {args.wide_rows} --repeat {args.repeat}`"
            f" (median of {args.repeat}, DuckDB store, this 2-core machine): a wide monthly file of issue 12's shape, "
            f"{rows:,} rows ({count} districts x {WIDE_YEARS} years x 12 months, and a totals row per month) x "
            f"{len(VALUE_COLUMNS)} count columns, {csv_path.stat().st_size / 1e6:,.1f} MB, `;`, decimal commas, "
            f"thousands separators; {result.counts_read:,} counts read, {result.stored:,} stored (the zeros are not).\n\n"
            "| | seconds | × baseline |\n|---|---:|---:|\n"
            f"| DuckDB `read_csv` + `UNPIVOT` of the file (no checks) | {base:.2f} | 1.0 |\n"
            f"| `seizures import FILE --mapping FILE.mapping.json` (a new process) | {cmd:.2f} | {cmd / base:.1f} |\n"
            f"| `ingest.import_file(..., mapping=...)` in-process | {mid:.2f} | {mid / base:.1f} |\n\n"
            f"Stages of the last in-process run: {stages}.\n")
    print(text)
    if args.write:
        path = ROOT / "BENCHMARKS.md"
        current = path.read_text(encoding="utf-8")
        if SECTION in current:
            start = current.index(SECTION)
            end = current.find("\n## ", start + len(SECTION))
            current = current[:start] + text + (current[end:] if end != -1 else "")
        else:
            current = current.rstrip("\n") + "\n\n" + text
        path.write_text(current, encoding="utf-8")
        print(f"wrote {path}")
    for name in ("wide-store.duckdb", "wide-store.duckdb.wal"):
        (OUT / name).unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--wide", action="store_true", help="the wide count file through a mapping instead")
    parser.add_argument("--wide-rows", type=int, default=30_000)
    parser.add_argument("--write", action="store_true", help="(--wide) write the result into BENCHMARKS.md")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.wide:
        run_wide(args)
        return
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
