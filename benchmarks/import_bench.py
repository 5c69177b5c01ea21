"""Benchmark: `seizures import` of a 1 M-row CSV beside DuckDB's own `read_csv` of the same file, in the same run;
with --wide, a wide monthly count file through a column mapping beside DuckDB's read_csv + UNPIVOT of it.

    .venv/bin/python benchmarks/import_bench.py [--rows 1000000] [--repeat 3]
    .venv/bin/python benchmarks/import_bench.py --wide [--wide-rows 30000] [--repeat 3] [--write]
    .venv/bin/python benchmarks/import_bench.py --before-ref REF [--rows 1000000] [--repeat 3] [--browser] [--write]

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

--before-ref REF times this checkout side by side with the code at REF (unpacked from git into a temporary folder
and put first on PYTHONPATH, as benchmarks/hostile_upload.py does), rounds alternating: DuckDB's read_csv, then for
each version the command (with its peak memory, the whole process tree) and import_file in a process of its own
(its stages, and the Python start-up and imports apart). --browser adds, for each version, the Data page upload of
the same file in headless Chromium: seconds from choosing the file to the upload's end, from "Import" to the
result shown, and the server's peak memory (its process tree). --write puts the table into BENCHMARKS.md
(between the markers of "Import side by side").
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import signal
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
sys.path.insert(0, str(ROOT / "benchmarks"))

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


# --- this checkout beside an earlier commit, and the Data page upload -------------------------------------------

SIDE_START, SIDE_END = "<!-- import_bench.py --before-ref: start -->", "<!-- import_bench.py --before-ref: end -->"
IN_PROCESS = """
import json, sys, time
started = time.perf_counter()
from pathlib import Path
from seizures import ingest, store
imported = time.perf_counter()
engine = store.make_engine(sys.argv[1])
marks = []
begin, cpu = time.perf_counter(), time.process_time()
result = ingest.import_file(engine, Path(sys.argv[2]), user="benchmark",
                            progress=lambda _f, text: marks.append((time.perf_counter(), time.process_time(), text)))
end, cpu = time.perf_counter(), time.process_time() - cpu
stages = {text.split(" ")[0]: [round(b - a, 3), round(d - c, 3)]
          for (a, c, text), (b, d, _) in zip(marks, marks[1:])}
print(json.dumps({"imports_s": imported - started, "import_s": end - begin, "import_cpu_s": cpu, "stages": stages,
                  "summary": result.summary()}))
"""


def side_in_process(root: Path, url: str, csv_path: Path) -> dict:
    import hostile_upload

    run = subprocess.run([sys.executable, "-c", IN_PROCESS, url, str(csv_path)], env=hostile_upload.environment(root),
                         capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit(f"in-process import failed ({root}):\n{run.stderr[-3000:]}")
    return json.loads(run.stdout.splitlines()[-1])


def browser_upload(root: Path, url: str, csv_path: Path, rows: int) -> dict:
    """The Data page of a new server on the store `url`: the file chosen in the uploader, then "Import", until the
    result is shown; the server's memory (process tree) sampled throughout."""
    import hostile_upload
    from playwright.sync_api import expect, sync_playwright

    process, base = hostile_upload.start_server(root, url)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=hostile_upload.CHROMIUM, args=hostile_upload.CHROMIUM_ARGS)
            page = browser.new_context(viewport={"width": 1400, "height": 1400}).new_page()
            page.goto(f"{base}/data")
            page.get_by_text("Data: import seizure records").wait_for(timeout=120_000)
            page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=120_000)
            sampler = hostile_upload.Sampler(process.pid)
            sampler.start()
            time.sleep(0.3)
            before_mb = sampler.first or hostile_upload.group_rss_mb(process.pid)
            started = time.perf_counter()
            page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(str(csv_path))
            # The button is enabled by the run that follows the upload's end (the file's name shows at once).
            button = page.get_by_role("button", name="Import", exact=True)
            expect(button).to_be_enabled(timeout=300_000)
            uploaded = time.perf_counter()
            button.click()
            page.get_by_text(f"imported {rows:,} of {rows:,} rows").first.wait_for(timeout=600_000)
            shown = time.perf_counter()
            peak = sampler.stop()
            browser.close()
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    return {"upload_s": uploaded - started, "import_s": shown - uploaded, "total_s": shown - started,
            "server_mb_before": before_mb, "server_mb_peak": peak}


def children_cpu() -> float:
    """User and system time of the ended child processes this process has waited for (every thread of theirs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_side_by_side(args: argparse.Namespace, csv_path: Path) -> None:
    import tempfile

    import hostile_upload
    from serving import tree_at

    load = os.getloadavg()
    versions = {"before": None, "after": ROOT}
    found: dict[str, dict[str, list]] = {v: {"command": [], "command_cpu": [], "peak": [], "in_process": [],
                                             "in_process_cpu": [], "imports": [], "stages": [], "browser": []}
                                         for v in versions}
    baseline, baseline_cpu = [], []
    with tempfile.TemporaryDirectory(prefix="import-bench-") as name:
        folder = Path(name)
        versions["before"] = tree_at(args.before_ref, folder / "before")
        templates = {v: hostile_upload.demo_store(root, folder) if v == "before" else None for v, root in versions.items()}
        templates["after"] = OUT / "demo-template.duckdb"
        templates["after"].unlink(missing_ok=True)
        engine = store.make_engine(f"duckdb:///{templates['after']}")
        store.init_db(engine)
        seed.load_demo(engine)
        engine.dispose()
        for round_ in range(1, args.repeat + 1):
            cpu = time.process_time()
            baseline.append(time_baseline(csv_path, folder))
            baseline_cpu.append(time.process_time() - cpu)
            order = list(versions) if round_ % 2 else list(reversed(versions))  # neither always runs first
            for version in order:
                root, out = versions[version], found[version]
                cpu = children_cpu()
                command = hostile_upload.cli(root, hostile_upload.fresh_copy(templates[version], folder), csv_path, 600)
                out["command_cpu"].append(children_cpu() - cpu)
                if command["status"] != 0 or f"imported {args.rows:,} of {args.rows:,} rows" not in command["output"]:
                    raise SystemExit(f"{version}: the command did not import every row: {command['output']}")
                out["command"].append(command["seconds"])
                out["peak"].append(command["peak_mb"])
                inner = side_in_process(root, hostile_upload.fresh_copy(templates[version], folder), csv_path)
                out["in_process"].append(inner["import_s"])
                out["in_process_cpu"].append(inner["import_cpu_s"])
                out["imports"].append(inner["imports_s"])
                out["stages"].append(inner["stages"])
                if args.browser:
                    out["browser"].append(browser_upload(
                        root, hostile_upload.fresh_copy(templates[version], folder), csv_path, args.rows))
            print(f"round {round_}: read_csv {baseline[-1]:.2f} s; " + "; ".join(
                f"{v}: command {found[v]['command'][-1]:.2f} s (CPU {found[v]['command_cpu'][-1]:.2f} s), in-process "
                f"{found[v]['in_process'][-1]:.2f} s (CPU {found[v]['in_process_cpu'][-1]:.2f} s) "
                f"{found[v]['stages'][-1]}" + (f", browser {found[v]['browser'][-1]}" if args.browser else "")
                for v in versions), flush=True)
    median = statistics.median
    base, base_cpu = median(baseline), median(baseline_cpu)
    mb = csv_path.stat().st_size / 1e6
    commit = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"], capture_output=True,
                            text=True).stdout.strip()
    lines = [
        f"{args.rows:,} rows ({mb:,.1f} MB CSV), median of {args.repeat} rounds, {dt.datetime.now():%Y-%m-%d %H:%M}: "
        f"this checkout (`{commit}`) beside `{args.before_ref}`, rounds alternating. Load average (1 min) at the start "
        f"{load[0]:.1f}, at the end {os.getloadavg()[0]:.1f} (2 cores, shared). CPU: user and system time of "
        "every thread (of the process, or of the command's process tree), less sensitive than seconds to the other "
        "work on the machine; read_csv's throughput ratios are of seconds to seconds and CPU to CPU.",
        "",
        "| | before s | after s | after ÷ before | before CPU s | after CPU s | after ÷ before, CPU "
        "| before ÷ read_csv throughput | after ÷ read_csv throughput | after ÷ read_csv, CPU |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| DuckDB read_csv into a table of a new file (no checks) | {base:.2f} | | | {base_cpu:.2f} | | | 1 | 1 | 1 |",
    ]

    def row(label: str, key: str, pick=lambda v: v, cpu_key: str | None = None) -> None:
        b, a = (median(pick(found[v][key])) for v in ("before", "after"))
        text = f"| {label} | {b:.2f} | {a:.2f} | {a / b:.2f} | "
        if cpu_key:
            bc, ac = (median(found[v][cpu_key]) for v in ("before", "after"))
            text += f"{bc:.2f} | {ac:.2f} | {ac / bc:.2f} | {base / b:.2f} | **{base / a:.2f}** | {base_cpu / ac:.2f} |"
        else:
            text += f" | | | {base / b:.2f} | **{base / a:.2f}** | |"
        lines.append(text)

    row("`seizures import` into the demo store (a new process)", "command", cpu_key="command_cpu")
    row("`ingest.import_file` in a process of its own (no start-up)", "in_process", cpu_key="in_process_cpu")
    row("its Python start-up and imports (`from seizures import ingest, store`)", "imports")
    for stage in ("Reading", "Checking", "Comparing", "Writing"):
        (b, bc), (a, ac) = [[median(s.get(stage, [0.0, 0.0])[i] for s in found[v]["stages"]) for i in (0, 1)]
                            for v in ("before", "after")]
        lines.append(f"| stage: {stage} | {b:.2f} | {a:.2f} | {a / b if b else 0:.2f} | {bc:.2f} | {ac:.2f} | "
                     f"{ac / bc if bc else 0:.2f} | | | |")
    b, a = (max(found[v]["peak"]) for v in ("before", "after"))
    lines.append(f"| the command's peak memory, MB | {b:,.0f} | {a:,.0f} | | | | | | | |")
    if args.browser:
        for label, key in (("Data page: choosing the file to its upload's end", "upload_s"),
                           ("Data page: \"Import\" to the result shown", "import_s"),
                           ("Data page: choosing the file to the result shown", "total_s")):
            row(label, "browser", lambda runs, key=key: [r[key] for r in runs])
        b, a = (max(r["server_mb_peak"] for r in found[v]["browser"]) for v in ("before", "after"))
        b0, a0 = (median(r["server_mb_before"] for r in found[v]["browser"]) for v in ("before", "after"))
        lines.append(f"| the app server's peak memory, MB (before the upload) | {b:,.0f} ({b0:,.0f}) | "
                     f"{a:,.0f} ({a0:,.0f}) | | | | | | | |")
    report = "\n".join(lines)
    print(report)
    (OUT / "import_side_by_side.json").write_text(json.dumps(
        {"rows": args.rows, "mb": mb, "before": args.before_ref, "commit": commit, "read_csv": baseline,
         "read_csv_cpu": baseline_cpu,
         "load": [load[0], os.getloadavg()[0]], "versions": found}, indent=2) + "\n")
    if args.write:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        import serving

        serving.write_section(report, SIDE_START, SIDE_END, "## Import side by side")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--wide", action="store_true", help="the wide count file through a mapping instead")
    parser.add_argument("--wide-rows", type=int, default=30_000)
    parser.add_argument("--write", action="store_true", help="(--wide, --before-ref) write the result into BENCHMARKS.md")
    parser.add_argument("--before-ref", help="a git commit to time side by side with this checkout")
    parser.add_argument("--browser", action="store_true", help="(--before-ref) the Data page upload too")
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
    if args.before_ref:
        run_side_by_side(args, csv_path)
        return

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
