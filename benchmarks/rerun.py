"""The server's work for one filter change: a warm page rerun, driven through Streamlit's AppTest, this checkout
beside another revision of the app, side by side in one run.

    .venv/bin/python benchmarks/rerun.py --before-ref main           # this checkout against main, 3 rounds
    .venv/bin/python benchmarks/rerun.py --before-ref main --write   # and into BENCHMARKS.md

Each round starts one process per revision, in turn (the machine's other load falls on both alike). In it, each
page is opened on a copy of the demo store and the sidebar's directorates switched between none and Peja: the first
two reruns fill the caches, the next ones are timed. Measured per rerun: the process's CPU seconds (steadier than
seconds on a shared machine), seconds, and the seconds Streamlit spent making cache keys (hashing the arguments of
every st.cache_data call). No browser: what the browser adds is in benchmarks/browser.py's numbers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from serving import ROOT, write_section

START_MARK = "<!-- benchmarks/rerun.py: start -->"
END_MARK = "<!-- benchmarks/rerun.py: end -->"
SECTION = "## A filter change on the server (issue 17)"
PAGES = {"overview": None, "regions": "app_pages/regions.py", "weapons": "app_pages/weapons.py"}


def worker(tree: Path, store: Path, pages: list[str], reruns: int) -> dict:
    """In a process of its own, with `tree`'s package first on sys.path: {page: {"cpu": [...], "seconds": [...],
    "keys": [...]}} over the timed reruns."""
    sys.path.insert(0, str(tree / "src"))
    os.environ.update(SEIZURES_DB_URL=f"duckdb:///{store}", SEIZURES_AUTH="off")
    os.environ.pop("SEIZURES_PUBLIC", None)
    from streamlit.runtime.caching import cache_utils
    from streamlit.testing.v1 import AppTest

    making_keys = [0.0]
    make_key = cache_utils._make_value_key

    def timed_key(*args, **kwargs):
        started = time.perf_counter()
        try:
            return make_key(*args, **kwargs)
        finally:
            making_keys[0] += time.perf_counter() - started

    cache_utils._make_value_key = timed_key
    results = {}
    for page in pages:
        at = AppTest.from_file(str(tree / "app.py"), default_timeout=120).run()
        if PAGES[page]:
            at.switch_page(PAGES[page]).run()
        times = {"cpu": [], "seconds": [], "keys": []}
        for i in range(reruns + 2):
            at.multiselect(key="f_regions").set_value(["PE"] if i % 2 == 0 else [])
            cpu, started, making_keys[0] = time.process_time(), time.perf_counter(), 0.0
            at.run()
            if at.exception:
                raise RuntimeError(f"{page}: {at.exception}")
            if i >= 2:
                times["cpu"].append(time.process_time() - cpu)
                times["seconds"].append(time.perf_counter() - started)
                times["keys"].append(making_keys[0])
        results[page] = times
    return results


def measure(before_ref: str | None, rounds: int, reruns: int, pages: list[str]) -> dict:
    work = Path(tempfile.mkdtemp(prefix="rerun-bench-"))
    try:
        trees = {"app": ROOT}
        if before_ref:
            tree = work / "before"
            tree.mkdir()
            archive = subprocess.run(["git", "archive", before_ref], cwd=ROOT, check=True, capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
            trees = {"before": tree, "app": ROOT}
        samples = {name: {page: {"cpu": [], "seconds": [], "keys": []} for page in pages} for name in trees}
        load_start = os.getloadavg()[0]
        for _ in range(rounds):
            for name, tree in trees.items():
                store = work / f"{name}.duckdb"  # a copy each: DuckDB files are opened by one process at a time
                shutil.copy(ROOT / "data" / "seizures.duckdb", store)
                env = {**os.environ, "SEIZURES_I18N_STRICT": "0"}
                done = subprocess.run(
                    [sys.executable, __file__, "--worker", str(tree), "--store", str(store), "--pages", ",".join(pages),
                     "--reruns", str(reruns)], cwd=tree, env=env, check=True, capture_output=True, text=True)
                for page, times in json.loads(done.stdout.strip().splitlines()[-1]).items():
                    for what, values in times.items():
                        samples[name][page][what].extend(values)
        return {"samples": samples, "before_ref": before_ref, "rounds": rounds, "reruns": reruns,
                "load": (load_start, os.getloadavg()[0])}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def commit() -> str:
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()


def render(report: dict) -> str:
    samples, ref = report["samples"], report["before_ref"]
    median = {name: {page: {what: statistics.median(v) for what, v in times.items()} for page, times in pages.items()}
              for name, pages in samples.items()}
    head = (f"Generated by `benchmarks/rerun.py` on {dt.date.today()}, commit `{commit()}`"
            + (f" beside `{ref}`" if ref else "") + f", demo store, AppTest (no browser); {report['rounds']} rounds of "
            f"{report['reruns']} timed reruns per page, the revisions in turn. Load average (1 min) "
            f"{report['load'][0]:.1f} at the start, {report['load'][1]:.1f} at the end (2 cores, shared). Medians per rerun.")
    if ref:
        lines = ["| page | before CPU s | after CPU s | after ÷ before | before: making cache keys s | after: making "
                 "cache keys s | before s | after s |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for page in median["app"]:
            b, a = median["before"][page], median["app"][page]
            lines.append(f"| {page} | {b['cpu']:.3f} | {a['cpu']:.3f} | {a['cpu'] / b['cpu']:.2f} | {b['keys']:.3f} | "
                         f"{a['keys']:.3f} | {b['seconds']:.3f} | {a['seconds']:.3f} |")
    else:
        lines = ["| page | CPU s | making cache keys s | seconds |", "|---|---:|---:|---:|"]
        for page, m in median["app"].items():
            lines.append(f"| {page} | {m['cpu']:.3f} | {m['keys']:.3f} | {m['seconds']:.3f} |")
    return "\n".join([head, "", *lines])


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before-ref", help="a git revision of the app to measure beside this checkout")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--reruns", type=int, default=8, help="timed reruns per page and round")
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--write", action="store_true", help="put the table into BENCHMARKS.md")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--store", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    pages = [p for p in args.pages.split(",") if p]
    if args.worker:
        print(json.dumps(worker(args.worker, args.store, pages, args.reruns)))
        return ""
    report = render(measure(args.before_ref, args.rounds, args.reruns, pages))
    print(report)
    if args.write:
        write_section(report, START_MARK, END_MARK, SECTION)
    return report


if __name__ == "__main__":
    main()
