"""Benchmark of every page at N seizure lines, side by side: the app, the floor (raw DuckDB) and a pandas baseline.

    .venv/bin/python benchmarks/run.py --rows 10000000 --scaling 100000,1000000 --write   # the full run (~10 min here)
    .venv/bin/python benchmarks/run.py --rows 100000 --runs 1 --import-rows 20000    # a quick look (~1 min)

In one run, on one synthetic store of N lines (benchmarks/generate.py), each contender in a process of its own
(its peak resident memory is the kernel's high-water mark for it, VmHWM, read as it ends):
- app: each page of app.py's navigation rendered by Streamlit's AppTest (server side: app.py, the sidebar filter
  and the page script, charts built), under the default filter and a narrow one (one directorate, the last year).
  Cold: Streamlit's caches cleared (st.cache_data and st.cache_resource, so the engine too) and a new session;
  warm: a new session with the caches filled. Median of --runs each. The first cold render records every SQL
  statement the page sends (a SQLAlchemy before_cursor_execute listener). Components are found and scripts compiled
  once per process, as a server does (see new_session).
- raw DuckDB (the floor): those statements replayed with their parameters on one plain duckdb connection, results
  fetched; and again opening a connection per statement (what a pool-less engine pays). Beside them, the Overview's
  yearly numbers asked of the seizure lines (FROM_LINES): what the pages would cost without the summaries.
- pandas baseline (benchmarks/pandas_baseline.py): the same pages rendered with every seizure read replaced by
  pandas over the whole table loaded once; its results are checked against the app's own for every call.
  Its cold time is the load of the table (median of --runs) plus its warm render.
- import: `seizures import` of a valid CSV of --import-rows rows into the demo store, beside DuckDB's own
  read_csv of the same file into a new table (benchmarks/import_bench.py), median of --import-runs.
The table goes to stdout; --write puts it, with the machine it ran on, into BENCHMARKS.md (between markers).
"""

from __future__ import annotations

import argparse
import datetime as dt
import decimal
import functools
import importlib.metadata
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
BENCHMARKS_MD = ROOT / "BENCHMARKS.md"
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

START_MARK = "<!-- benchmarks/run.py: start -->"
END_MARK = "<!-- benchmarks/run.py: end -->"
NARROW_REGION = "PZ"  # Prizren
SEIZURE_TABLES = re.compile(r"\b(FROM|JOIN)\s+(seizures|seizure_\w+|case_\w+)\b", re.I)


# --- helpers ------------------------------------------------------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def app_pages() -> list[tuple[str, str]]:
    """(page file, title) of every page of app.py's navigation (access.PAGES, an administrator's list), in order."""
    from seizures.dashboard import access

    return [(spec.path, spec.title) for spec in access.PAGES]


def encode(value):
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    return value


def decode(value):
    if isinstance(value, dict) and "$date" in value:
        return dt.date.fromisoformat(value["$date"])
    if isinstance(value, dict) and "$datetime" in value:
        return dt.datetime.fromisoformat(value["$datetime"])
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict):
        return {k: decode(v) for k, v in value.items()}
    return value


def peak_memory_mb() -> float:
    """This process's peak resident memory (VmHWM; getrusage's ru_maxrss would include the parent's, whose memory
    the child shares until exec)."""
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)[1]) / 1024


def worker(kind: str, plan: dict, out_dir: Path) -> tuple[dict, float, float]:
    """Run a worker in a new process: (its result, its peak resident memory in MB, its wall-clock seconds)."""
    plan_path, result_path, log = (out_dir / f"{kind}-{name}" for name in ("plan.json", "result.json", "log.txt"))
    plan_path.write_text(json.dumps(plan))
    result_path.unlink(missing_ok=True)
    command = [sys.executable, __file__, "--worker", kind, "--plan", str(plan_path), "--result", str(result_path)]
    with open(log, "w") as out:
        started = time.perf_counter()
        run = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        seconds = time.perf_counter() - started
    if run.returncode != 0:
        raise SystemExit(f"the {kind} worker failed ({run.returncode}):\n{log.read_text()[-4000:]}")
    result = json.loads(result_path.read_text())
    return result, result.pop("peak_mb"), seconds


class SqlRecorder:
    """Every statement any SQLAlchemy engine of this process sends, tagged with the part of the run sending it."""

    def __init__(self):
        import sqlalchemy as sa

        self.statements: list[dict] | None = None
        self.section = "page"
        sa.event.listen(sa.engine.Engine, "before_cursor_execute", self._record)

    def _record(self, _conn, _cursor, statement, parameters, _context, executemany):
        if self.statements is not None:
            self.statements.append({"sql": statement, "params": encode(parameters), "section": self.section,
                                    "many": bool(executemany)})

    def start(self) -> None:
        self.statements = []

    def stop(self) -> list[dict]:
        taken, self.statements = self.statements or [], None
        return taken


def tag_sidebar(recorder: SqlRecorder) -> None:
    """Statements sent by the shared sidebar filter (run before every page) are tagged "sidebar"."""
    from seizures.dashboard import sidebar

    original = sidebar.sidebar_filter

    def tagged(*args, **kwargs):
        recorder.section = "sidebar"
        try:
            return original(*args, **kwargs)
        finally:
            recorder.section = "page"

    sidebar.sidebar_filter = tagged


def new_session(script: Path, timeout: float):
    """An AppTest of the script that, like a server, finds Streamlit's components and compiles each script once per
    process. AppTest does both on every instance: it scans every installed package's metadata for components
    and compiles the scripts again, which a server does once at its start (the costs are in BENCHMARKS.md)."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import AppTest, app_test

    if not isinstance(app_test.ScriptCache, _ProcessScriptCache):
        app_test.ScriptCache = _ProcessScriptCache(ScriptCache())
    at = AppTest.from_file(str(script), default_timeout=timeout)
    at._bidi_component_manager = _components()
    return at


class _ProcessScriptCache:
    """Stands for the ScriptCache class in AppTest: every "new" cache is the process's one."""

    def __init__(self, cache):
        self.cache = cache

    def __call__(self):
        return self.cache


@functools.cache
def _components():
    """The components found once, as AppTest finds them on each instance."""
    from streamlit.components.v2.component_manager import BidiComponentManager

    manager = BidiComponentManager()
    manager.discover_and_register_components(start_file_watching=False)
    return manager


def renderer(timeout: float):
    """A function rendering one page in a new AppTest session; returns the server-side seconds."""
    import streamlit as st

    def render(page: str, params: dict, clear: bool) -> float:
        if clear:
            st.cache_data.clear()
            st.cache_resource.clear()
        at = new_session(APP, timeout)
        for key, value in params.items():
            at.query_params[key] = str(value)
        started = time.perf_counter()
        at.switch_page(str(ROOT / page)).run()
        seconds = time.perf_counter() - started
        if at.exception:
            raise RuntimeError(f"{page} {params}: {at.exception[0].message}")
        return seconds

    return render


# --- workers (each in its own process) ----------------------------------------------------------------------------


def pages_worker(plan: dict) -> dict:
    os.environ["SEIZURES_DB_URL"] = plan["url"]
    os.environ.setdefault("SEIZURES_AUTH", "off")  # every page, as an administrator in development
    recorder = SqlRecorder()
    tag_sidebar(recorder)
    render = renderer(plan["timeout"])
    for page, _ in plan["pages"]:  # imports plotly & co, compiles the scripts: not part of any timing
        render(page, {}, clear=True)
    results = []
    for page, title in plan["pages"]:
        for filter_name, params in plan["filters"].items():
            cold, warm, statements = [], [], []
            for run in range(plan["runs"]):
                if run == 0:
                    recorder.start()
                cold.append(render(page, params, clear=True))
                if run == 0:
                    statements = recorder.stop()
            warm_statements = 0
            for run in range(plan["runs"]):
                recorder.start()
                warm.append(render(page, params, clear=False))
                warm_statements = len(recorder.stop())
            results.append({"page": page, "title": title, "filter": filter_name, "cold": cold, "warm": warm,
                            "statements": statements, "warm_statements": warm_statements})
    return {"results": results, "streamlit_floor": streamlit_floor(plan)}


def streamlit_floor(plan: dict) -> float:
    """Median seconds AppTest takes to run a one-page app that draws a title: what any page costs at least."""
    script = Path(plan["out_dir"]) / "floor_app.py"
    script.write_text('import streamlit as st\n\nst.navigation([st.Page(lambda: st.title("x"), title="x")]).run()\n')
    times = []
    for _ in range(plan["runs"] + 1):
        at = new_session(script, plan["timeout"])
        started = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - started)
    return median(times[1:])


def raw_worker(plan: dict) -> dict:
    import duckdb

    entries = json.loads(Path(plan["statements_file"]).read_text())
    runs = plan["runs"]

    def replay(con, statements) -> None:
        for s in statements:
            params = decode(s["params"])
            if s["many"]:
                con.executemany(s["sql"], params)
            else:
                con.execute(s["sql"], params or None).fetchall()

    con = duckdb.connect(plan["db"])
    floor = {}
    for entry in entries:
        replay(con, entry["statements"])  # warm the buffer, as the app's warm state
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            replay(con, entry["statements"])
            times.append(time.perf_counter() - started)
        floor[entry["key"]] = times
    con.close()
    per_connection = {}
    for entry in entries:
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            for s in entry["statements"]:
                one = duckdb.connect(plan["db"])
                replay(one, [s])
                one.close()
            times.append(time.perf_counter() - started)
        per_connection[entry["key"]] = times
    return {"floor": floor, "per_connection": per_connection, "from_lines": from_lines(plan)}


# The numbers behind the Overview's yearly trend asked of the lines themselves, as an app without the summaries
# would (summary.py): quantity per year and category, and seizure events per year.
FROM_LINES = (
    "SELECT year(seized_on) AS year, category, unit, sum(quantity), count(*) FROM seizures {where} GROUP BY ALL",
    "SELECT year(seized_on) AS year, count(DISTINCT case_ref) + count(*) FILTER (WHERE case_ref IS NULL) "
    "FROM seizures {where} GROUP BY ALL",
)


def from_lines(plan: dict) -> dict[str, list[float]]:
    """Seconds for the FROM_LINES queries under each filter, on one open connection (median of --runs)."""
    import duckdb

    narrow = plan["filters"]["narrow"]
    wheres = {"default": ("", []), "narrow": (
        "WHERE region_code = ? AND seized_on >= make_date(?, 1, 1) AND seized_on < make_date(?, 1, 1)",
        [narrow["region"], narrow["from"], narrow["to"] + 1])}
    con = duckdb.connect(plan["db"])
    times = {}
    for name, (where, params) in wheres.items():
        runs = []
        for run in range(plan["runs"] + 1):
            started = time.perf_counter()
            for sql in FROM_LINES:
                con.execute(sql.format(where=where), params).fetchall()
            runs.append(time.perf_counter() - started)
        times[name] = runs[1:]  # the first run reads the columns into DuckDB's buffer
    con.close()
    return times


def pandas_worker(plan: dict) -> dict:
    os.environ["SEIZURES_DB_URL"] = plan["url"]
    os.environ.setdefault("SEIZURES_AUTH", "off")  # every page, as an administrator in development
    import pandas_baseline

    recorder = SqlRecorder()
    pandas_baseline.install(check=plan["check"])
    render = renderer(plan["timeout"])
    for page, _ in plan["pages"]:
        render(page, {}, clear=True)
    results = []
    for page, _ in plan["pages"]:
        for filter_name, params in plan["filters"].items():
            render(page, params, clear=False)  # the check against the app's own functions happens here
            warm, seizure_sql = [], 0
            for _ in range(plan["runs"]):
                recorder.start()
                warm.append(render(page, params, clear=False))
                seizure_sql += sum(bool(SEIZURE_TABLES.search(s["sql"])) for s in recorder.stop())
            results.append({"page": page, "filter": filter_name, "warm": warm, "seizure_sql": seizure_sql})
    for _ in range(plan["runs"]):  # the load a cleared cache costs (the first one was during the warm-up)
        pandas_baseline.drop_frame()
        pandas_baseline.frame()
    return {"results": results, "load": pandas_baseline._state["load_seconds"][1:] or
            pandas_baseline._state["load_seconds"], "mismatches": pandas_baseline.mismatches,
            "checked_calls": len(pandas_baseline.checked)}


def read_csv_worker(plan: dict) -> dict:
    import import_bench

    return {"seconds": import_bench.time_baseline(Path(plan["csv"]), Path(plan["out_dir"]))}


def import_worker(plan: dict) -> dict:
    """The `seizures import FILE` command, run by its own main() in this new process."""
    import contextlib
    import io

    from seizures import cli

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = cli.main(["--db-url", plan["url"], "import", plan["csv"]])
    return {"exit_code": code, "stdout": printed.getvalue()}


WORKERS = {"pages": pages_worker, "raw": raw_worker, "pandas": pandas_worker, "read_csv": read_csv_worker,
           "import": import_worker}


# --- the parent ---------------------------------------------------------------------------------------------------


def build_store(rows: int, out_dir: Path, reuse: bool) -> Path:
    import duckdb

    import generate
    from seizures import migrations

    path = out_dir / f"bench_{rows}.duckdb"
    if reuse and path.exists():
        con = duckdb.connect(str(path), read_only=True)
        try:
            stored = con.execute("SELECT count(*) FROM seizures").fetchone()[0]
            revision = con.execute("SELECT max(version_num) FROM alembic_version").fetchone()[0]
        finally:
            con.close()
        if stored == rows and revision == migrations.head():
            print(f"reusing {path} ({rows:,} lines)", flush=True)
            return path
    seconds = generate.generate(path, rows)
    print(f"generated {rows:,} lines in {seconds:.1f} s: {path}", flush=True)
    return path


def last_year(db: Path) -> int:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT CAST(max(extract('year' FROM seized_on)) AS INTEGER) FROM seizures").fetchone()[0]
    finally:
        con.close()


def import_benchmark(rows: int, runs: int, out_dir: Path, big_store: Path | None) -> dict:
    """`seizures import` into the demo store (and into a copy of the benchmark's big store) beside DuckDB's read_csv
    of the same file, each in a process of its own."""
    import import_bench
    from seizures import seed, store

    csv_path = out_dir / f"import_{rows}.csv"
    if not csv_path.exists():
        import_bench.generate(csv_path, rows)
    template = out_dir / "demo-template.duckdb"
    template.unlink(missing_ok=True)
    engine = store.make_engine(f"duckdb:///{template}")
    store.init_db(engine)
    seed.load_demo(engine)
    engine.dispose()
    def timed_import(store_file: Path) -> tuple[float, float]:
        url = import_bench.fresh_demo_store(out_dir, store_file)
        result, peak, seconds = worker("import", {"url": url, "csv": str(csv_path)}, out_dir)
        if result["exit_code"] != 0 or f"imported {rows:,} of {rows:,} rows" not in result["stdout"]:
            raise SystemExit(f"the import did not import every row:\n{result['stdout'][-2000:]}")
        return seconds, peak  # the whole process: start-up, reading, every check, writing

    read_csv, read_csv_peak, imports, import_peak, in_process, big = [], 0.0, [], 0.0, [], []
    stages = {}
    try:
        for _ in range(runs):
            result, peak, _ = worker("read_csv", {"csv": str(csv_path), "out_dir": str(out_dir)}, out_dir)
            read_csv.append(result["seconds"])
            read_csv_peak = max(read_csv_peak, peak)
            seconds, peak = timed_import(template)
            imports.append(seconds)
            import_peak = max(import_peak, peak)
            seconds, stages = import_bench.time_in_process(csv_path, import_bench.fresh_demo_store(out_dir, template))
            in_process.append(seconds)
            if big_store is not None:
                big.append(timed_import(big_store))
    finally:
        for suffix in ("", ".wal"):
            Path(f"{out_dir / 'store.duckdb'}{suffix}").unlink(missing_ok=True)
    return {"rows": rows, "file_mb": round(csv_path.stat().st_size / 1e6, 1), "runs": runs,
            "read_csv": read_csv, "import": imports, "read_csv_peak_mb": read_csv_peak,
            "import_peak_mb": import_peak, "in_process": in_process, "stages": stages,
            "big_store_rows": big_store_rows(big_store) if big_store else 0,
            "big": [s for s, _ in big], "big_peak_mb": max((p for _, p in big), default=0.0)}


def big_store_rows(db: Path) -> int:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM seizures").fetchone()[0]
    finally:
        con.close()


def machine() -> dict:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor() or "unknown")
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    versions = {name: importlib.metadata.version(name) for name in
                ("streamlit", "duckdb", "duckdb-engine", "SQLAlchemy", "pandas", "pyarrow", "plotly")}
    try:
        commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True,
                                text=True).stdout.strip()
    except OSError:
        commit = "unknown"
    return {"cpu": model, "cores": os.cpu_count(), "ram_gb": round(mem_kb / 1024 / 1024, 1),
            "python": platform.python_version(), "os": platform.platform(), "versions": versions, "commit": commit}


def seconds_text(value: float) -> str:
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def ratio_text(value: float) -> str:
    return f"{value:.1f}×" if value < 100 else f"{value:,.0f}×"


def summarise(report: dict) -> list[dict]:
    """One row per page and filter, with the medians and the ratios."""
    floor, per_connection = report["raw"]["floor"], report["raw"]["per_connection"]
    baseline = {(r["page"], r["filter"]): r for r in report["pandas"]["results"]}
    load = median(report["pandas"]["load"])
    rows = []
    for r in report["pages"]["results"]:
        key = f"{r['page']}|{r['filter']}"
        cold, warm = median(r["cold"]), median(r["warm"])
        raw, raw_connect = median(floor[key]), median(per_connection[key])
        pandas_warm = median(baseline[(r["page"], r["filter"])]["warm"])
        page_sql = [s for s in r["statements"] if s["section"] == "page"]
        rows.append({
            "page": r["title"], "filter": r["filter"],
            "reads_seizures": any(SEIZURE_TABLES.search(s["sql"]) for s in page_sql),
            "statements": len(r["statements"]), "warm_statements": r["warm_statements"],
            "cold": cold, "warm": warm, "raw": raw, "raw_connect": raw_connect,
            "warm_over_raw": warm / raw, "cold_over_raw": cold / raw,
            "pandas_warm": pandas_warm, "pandas_cold": load + pandas_warm,
            "pandas_over_warm": pandas_warm / warm, "pandas_over_cold": (load + pandas_warm) / cold,
        })
    return rows


def render_report(report: dict) -> str:
    m, rows, imp = report["machine"], summarise(report), report["import"]
    n = report["rows"]
    lines = [
        f"**{n:,} seizure lines** (benchmarks/generate.py), median of {report['runs']} runs, "
        f"{dt.datetime.fromisoformat(report['finished']):%Y-%m-%d %H:%M}, commit `{m['commit']}`.  ",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM; Python {m['python']}, "
        + ", ".join(f"{k} {v}" for k, v in m["versions"].items()) + ".  ",
        f"Load average (1 min) at start {report['load_before']:.1f}, at end {report['load_after']:.1f} "
        f"(the machine is shared).",
        "",
        "| page | filter | SQL statements cold / warm | cold s | warm s | raw DuckDB s | raw, a connection per "
        "statement s | warm ÷ raw | cold ÷ raw | pandas warm s | pandas cold s | pandas ÷ app, warm | "
        "pandas ÷ app, cold |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        name = r["page"] if r["reads_seizures"] else f"{r['page']} (reference data only)"
        lines.append(
            f"| {name} | {r['filter']} | {r['statements']} / {r['warm_statements']} | {seconds_text(r['cold'])} | "
            f"{seconds_text(r['warm'])} | {seconds_text(r['raw'])} | {seconds_text(r['raw_connect'])} | "
            f"{ratio_text(r['warm_over_raw'])} | {ratio_text(r['cold_over_raw'])} | "
            f"{seconds_text(r['pandas_warm'])} | {seconds_text(r['pandas_cold'])} | "
            f"{ratio_text(r['pandas_over_warm'])} | {ratio_text(r['pandas_over_cold'])} |"
        )
    pandas = report["pandas"]
    lines += [
        "",
        f"Filters: *default* = everything; *narrow* = one directorate ({NARROW_REGION}) and one year "
        f"({report['narrow_year']}). Cold = Streamlit's caches cleared and a new session; warm = a new session with "
        "the caches filled (the OS file cache is warm in both). Raw DuckDB = the statements of the page's cold render "
        "replayed on one open duckdb connection. Streamlit's own floor, a one-page app drawing a title: "
        f"{seconds_text(report['pages']['streamlit_floor'])} s. pandas cold = the table's load "
        f"({seconds_text(median(pandas['load']))} s, median) + its warm render. The pandas baseline's numbers were "
        f"compared with the app's for {pandas['checked_calls']} distinct calls: "
        + ("all equal." if not pandas["mismatches"] else f"{len(pandas['mismatches'])} differ: {pandas['mismatches'][:3]}"),
        "",
        from_lines_text(report),
        "",
        "| peak resident memory | MB |",
        "|---|---:|",
        f"| app (AppTest, every page, both filters) | {report['peak_mb']['pages']:,.0f} |",
        f"| raw DuckDB replay | {report['peak_mb']['raw']:,.0f} |",
        f"| pandas baseline | {report['peak_mb']['pandas']:,.0f} |",
    ]
    if report.get("scaling"):
        lines += ["", "| seizure lines | app peak MB | pandas baseline peak MB |", "|---:|---:|---:|"]
        for s in report["scaling"]:
            lines.append(f"| {s['rows']:,} | {s['pages']:,.0f} | {s['pandas']:,.0f} |")
    lines += ["", *import_table(imp)]
    return "\n".join(lines)


def from_lines_text(report: dict) -> str:
    lines = report["raw"].get("from_lines")
    if not lines:
        return ""
    overview = {r["filter"]: r["raw"] for r in summarise(report) if r["page"] == report["pages"]["results"][0]["title"]}
    return (
        "Without the summaries: the two queries behind the Overview's yearly trend (quantity per year and category, "
        "events per year) asked of the seizure lines take "
        + ", ".join(f"{seconds_text(median(times))} s ({name} filter)" for name, times in lines.items())
        + " in raw DuckDB, where the Overview's whole replay from the summaries takes "
        + ", ".join(f"{seconds_text(overview[name])} s" for name in lines if name in overview) + "."
    )


def import_table(imp: dict) -> list[str]:
    read_csv, imported, inner = median(imp["read_csv"]), median(imp["import"]), median(imp["in_process"])
    lines = [
        f"| import of {imp['rows']:,} rows ({imp['file_mb']} MB CSV), median of {imp['runs']} | s | rows/s | "
        "÷ read_csv throughput | peak MB |",
        "|---|---:|---:|---:|---:|",
        f"| DuckDB read_csv into a table of a new file (no checks) | {seconds_text(read_csv)} | "
        f"{imp['rows'] / read_csv:,.0f} | 1 | {imp['read_csv_peak_mb']:,.0f} |",
        f"| `seizures import` into the demo store (a new process: start-up, every check, write) | "
        f"{seconds_text(imported)} | {imp['rows'] / imported:,.0f} | **{read_csv / imported:.2f}** | "
        f"{imp['import_peak_mb']:,.0f} |",
        f"| the same, `ingest.import_file` called in-process (no start-up) | {seconds_text(inner)} | "
        f"{imp['rows'] / inner:,.0f} | {read_csv / inner:.2f} | |",
    ]
    if imp.get("big"):
        big = median(imp["big"])
        lines.append(
            f"| `seizures import` into the benchmark's store of {imp['big_store_rows']:,} lines | "
            f"{seconds_text(big)} | {imp['rows'] / big:,.0f} | {read_csv / big:.2f} | {imp['big_peak_mb']:,.0f} |")
    lines += ["", "In-process stages of the last run (s): " + ", ".join(f"{k} {v}" for k, v in imp["stages"].items()) + "."]
    return lines


def write_benchmarks_md(text: str) -> None:
    block = f"{START_MARK}\n{text}\n{END_MARK}"
    if BENCHMARKS_MD.exists() and START_MARK in BENCHMARKS_MD.read_text():
        current = BENCHMARKS_MD.read_text()
        before, rest = current.split(START_MARK, 1)
        after = rest.split(END_MARK, 1)[1]
        BENCHMARKS_MD.write_text(before + block + after)
    else:
        BENCHMARKS_MD.write_text(f"# Benchmarks\n\n## Latest run\n\n{block}\n")


def measure(args) -> dict:
    out_dir = args.out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()[0]
    db = build_store(args.rows, out_dir, args.reuse)
    year = last_year(db)
    plan = {
        "db": str(db), "url": f"duckdb:///{db}", "runs": args.runs, "timeout": 600, "check": not args.no_check,
        "out_dir": str(out_dir),
        "pages": app_pages(), "filters": {"default": {}, "narrow": {"region": NARROW_REGION, "from": year, "to": year}},
    }
    print("app pages ...", flush=True)
    pages, pages_peak, _ = worker("pages", plan, out_dir)
    statements_file = out_dir / "statements.json"
    statements_file.write_text(json.dumps([{"key": f"{r['page']}|{r['filter']}", "statements": r["statements"]}
                                           for r in pages["results"]]))
    plan["statements_file"] = str(statements_file)
    print("raw DuckDB ...", flush=True)
    raw, raw_peak, _ = worker("raw", plan, out_dir)
    print("pandas baseline ...", flush=True)
    pandas, pandas_peak, _ = worker("pandas", plan, out_dir)
    scaling = []
    for rows in args.scaling:
        small_db = build_store(rows, out_dir, reuse=True)
        small_plan = {**plan, "db": str(small_db), "url": f"duckdb:///{small_db}", "runs": 1, "check": False}
        small_plan["filters"] = {"default": {}, "narrow": {**plan["filters"]["narrow"], "from": last_year(small_db),
                                                          "to": last_year(small_db)}}
        print(f"memory at {rows:,} lines ...", flush=True)
        _, small_pages_peak, _ = worker("pages", small_plan, out_dir)
        _, small_pandas_peak, _ = worker("pandas", small_plan, out_dir)
        scaling.append({"rows": rows, "pages": small_pages_peak, "pandas": small_pandas_peak})
    scaling.append({"rows": args.rows, "pages": pages_peak, "pandas": pandas_peak})
    print("import ...", flush=True)
    imported = import_benchmark(args.import_rows, args.import_runs, out_dir, db)
    return {
        "rows": args.rows, "runs": args.runs, "narrow_year": year, "machine": machine(),
        "finished": dt.datetime.now().isoformat(timespec="seconds"),
        "load_before": load_before, "load_after": os.getloadavg()[0],
        "pages": pages, "raw": raw, "pandas": pandas, "import": imported,
        "peak_mb": {"pages": pages_peak, "raw": raw_peak, "pandas": pandas_peak},
        "scaling": scaling if args.scaling else [],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000, help="seizure lines in the store (default 10 M)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per measurement (the median is reported)")
    parser.add_argument("--import-rows", type=int, default=1_000_000)
    parser.add_argument("--import-runs", type=int, default=3)
    parser.add_argument("--scaling", type=lambda text: [int(v) for v in text.split(",") if v], default=[],
                        help="also measure peak memory at these sizes, e.g. 100000,1000000")
    parser.add_argument("--reuse", action="store_true", help="reuse a store of the same size in --out-dir")
    parser.add_argument("--no-check", action="store_true", help="do not compare the baseline's numbers with the app's")
    parser.add_argument("--out-dir", type=Path, default=ROOT / "benchmarks" / "out")
    parser.add_argument("--write", action="store_true", help="put the table into BENCHMARKS.md")
    parser.add_argument("--import-only", action="store_true", help="only the import part (into the demo store)")
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--plan", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        result = WORKERS[args.worker](json.loads(args.plan.read_text()))
        args.result.write_text(json.dumps({**result, "peak_mb": peak_memory_mb()}))
        return
    if args.import_only:
        args.out_dir.mkdir(parents=True, exist_ok=True)
        print("\n".join(import_table(import_benchmark(args.import_rows, args.import_runs, args.out_dir, None))))
        return
    report = measure(args)
    (args.out_dir / "report.json").write_text(json.dumps(report, indent=1))
    text = render_report(report)
    print(text)
    if args.write:
        write_benchmarks_md(text)
        print(f"written to {BENCHMARKS_MD}")


if __name__ == "__main__":
    main()
