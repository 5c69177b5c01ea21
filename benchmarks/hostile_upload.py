"""Benchmark: issue 15's padded workbook, and a valid one, against the workbook reader before and after, side by side.

    .venv/bin/python benchmarks/hostile_upload.py [--padded-mb 600] [--valid-rows 50000] [--repeat 3] [--cap 60]
                                                  [--before REF] [--no-browser]

Builds in benchmarks/out/: the padded workbook (a header, 3 valid rows, then --padded-mb of empty <row/> elements
packed about 7 times: tests/import_files.py) and a valid workbook of --valid-rows rows (shared strings and date
cells, as Excel writes them). "before" is the code at REF (default: the commit before the workbook reader moved
into a process of its own), unpacked from git into a temporary folder and put first on PYTHONPATH; "after" is this
checkout. Each version gets its own demo store (made by its own `seizures init --demo`). For each version:
- the padded workbook imported by the `seizures import` command, and by ingest.import_file in a process of its
  own: seconds to the refusal (or still running at --cap seconds, then killed), and the peak memory of the
  process tree (the reader included), sampled every 0.1 s;
- the valid workbook imported the same two ways (median of --repeat): what the reader costs a normal import;
- unless --no-browser, a Streamlit server started as tests/test_browser.py does: another session's Overview
  time (headless Chromium, until every chart is drawn) alone and while the padded upload runs in a first session,
  the server's memory growth (its process tree) and the time from "Import" to the refusal on the Data page.
Writes benchmarks/out/hostile_upload.json. The machine's load average is printed: other work on it slows all runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from import_files import HEADER, padded_workbook, valid_rows  # noqa: E402
from serving import tree_at  # noqa: E402

PYTHON = sys.executable
TITLE = "Firearms seizures in Kosovo"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
IN_PROCESS = """
import json, sys, time
from pathlib import Path
from seizures import ingest, store
engine = store.make_engine(sys.argv[1])
started = time.perf_counter()
result = ingest.import_file(engine, Path(sys.argv[2]), user="benchmark")
print(json.dumps({"seconds": time.perf_counter() - started, "status": result.status, "summary": result.summary()}))
"""


# --- files and versions ----------------------------------------------------------------------------------------


def valid_workbook(path: Path, rows: int) -> None:
    """As Excel writes one: shared strings, dates as date cells, quantities as numbers."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "records"
    sheet.append(HEADER)
    for i, values in enumerate(valid_rows(rows, "VALID")):
        day = dt.date(2020, 1, 1) + dt.timedelta(days=i % 1400)
        sheet.append([day, *[values[h] for h in HEADER[1:5]], int(values["quantity"]), *[values[h] for h in HEADER[6:]]])
        sheet.cell(row=i + 2, column=1).number_format = "dd.mm.yyyy"
    book.save(path)


def default_before() -> str:
    added = subprocess.run(["git", "-C", str(ROOT), "log", "--diff-filter=A", "--format=%H", "--",
                            "src/seizures/workbook.py"], capture_output=True, text=True, check=True).stdout.split()
    if not added:
        raise SystemExit("src/seizures/workbook.py is not in git's history: give --before REF")
    return f"{added[-1]}^"


def environment(root: Path, **settings: str) -> dict[str, str]:
    """The version's code first on the path (before this checkout's editable install), its data/ folder."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("SEIZURES_")}
    return {**env, "PYTHONPATH": str(root / "src"), "SEIZURES_HOME": str(root), **settings}


def demo_store(root: Path, folder: Path) -> Path:
    path = folder / f"demo-{root.name}.duckdb"
    path.unlink(missing_ok=True)
    subprocess.run([PYTHON, "-m", "seizures", "--db-url", f"duckdb:///{path}", "init", "--demo"],
                   env=environment(root), check=True, capture_output=True)
    return path


def fresh_copy(template: Path, folder: Path) -> str:
    target = folder / "store.duckdb"
    for suffix in ("", ".wal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copy(template, target)
    return f"duckdb:///{target}"


# --- measuring a process tree ------------------------------------------------------------------------------------


def group_rss_mb(group: int) -> float:
    """The resident memory of every process of a process group, in MB."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
            if int(fields[2]) != group:  # pgrp
                continue
            with open(f"/proc/{entry.name}/statm", "rb") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    return total / 2**20


class Sampler(threading.Thread):
    """The peak (and the first) memory of a process group, sampled every 0.1 s until stopped."""

    def __init__(self, group: int):
        super().__init__(daemon=True)
        self.group, self.first, self.peak, self.done = group, None, 0.0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.1):
            rss = group_rss_mb(self.group)
            self.first = rss if self.first is None else self.first
            self.peak = max(self.peak, rss)

    def stop(self) -> float:
        self.done.set()
        self.join()
        return self.peak


def measure(command: list[str], env: dict[str, str], cap: float) -> dict:
    """Run a command in a process group of its own: seconds, peak memory of the group, its output; killed (the whole
    group, the reader included) at `cap` seconds."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               start_new_session=True)
    sampler = Sampler(process.pid)
    sampler.start()
    try:
        output, _ = process.communicate(timeout=cap)
        finished = True
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        finished = False
    seconds = time.perf_counter() - started
    peak = sampler.stop()
    return {"finished": finished, "seconds": round(seconds, 2), "peak_mb": round(peak), "status": process.returncode,
            "output": output.decode("utf-8", "replace").strip()[-400:]}


def cli(root: Path, store_url: str, path: Path, cap: float) -> dict:
    return measure([PYTHON, "-m", "seizures", "--db-url", store_url, "import", str(path)], environment(root), cap)


def in_process(root: Path, store_url: str, path: Path, cap: float) -> dict:
    result = measure([PYTHON, "-c", IN_PROCESS, store_url, str(path)], environment(root), cap)
    if result["finished"]:
        try:
            inner = json.loads(result["output"].splitlines()[-1])
            result.update(import_seconds=round(inner["seconds"], 2), summary=inner["summary"][:300])
        except (ValueError, IndexError):
            pass
    return result


# --- the browser ----------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(root: Path, store_url: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = environment(root, SEIZURES_DB_URL=store_url, SEIZURES_AUTH="off")
    env.pop("SEIZURES_PUBLIC", None)
    process = subprocess.Popen(
        [PYTHON, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1", "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                return process, base
        except OSError:
            time.sleep(0.3)
    os.killpg(process.pid, signal.SIGKILL)
    raise SystemExit("streamlit did not start")


def wait_for_page(page, title: str) -> None:
    """As tests/test_browser.py: the title, the end of the run, every chart drawn."""
    page.get_by_role("heading", name=title, level=1).wait_for(timeout=180_000)
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=180_000)
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                 .every(chart => chart.querySelector('.js-plotly-plot .main-svg'))""",
        timeout=180_000,
    )


def page_seconds(browser, base: str) -> float:
    context = browser.new_context(viewport={"width": 1400, "height": 1400})
    page = context.new_page()
    started = time.perf_counter()
    page.goto(f"{base}/")
    wait_for_page(page, TITLE)
    seconds = time.perf_counter() - started
    context.close()
    return round(seconds, 2)


def browser_run(root: Path, template: Path, folder: Path, padded: Path, cap: float, repeat: int) -> dict:
    from playwright.sync_api import sync_playwright

    process, base = start_server(root, fresh_copy(template, folder))
    out: dict = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page_seconds(browser, base)  # the first visit compiles the pages
            out["page_alone_s"] = [page_seconds(browser, base) for _ in range(repeat)]
            uploader = browser.new_context(viewport={"width": 1400, "height": 1400}).new_page()
            uploader.goto(f"{base}/data")
            uploader.get_by_text("Data: import seizure records").wait_for(timeout=60_000)
            uploader.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(padded))
            uploader.get_by_text(padded.name).first.wait_for(timeout=180_000)
            uploader.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=180_000)
            refusal = uploader.get_by_text("nothing imported")

            sampler = Sampler(process.pid)
            sampler.start()
            time.sleep(0.5)
            before_mb = sampler.first
            uploader.get_by_role("button", name="Import", exact=True).click()
            started = time.perf_counter()
            try:
                refusal.first.wait_for(timeout=cap * 1000)
                out["refused_after_s"] = round(time.perf_counter() - started, 2)
            except Exception:  # noqa: BLE001 (playwright's timeout)
                out["refused_after_s"] = None
            elapsed = time.perf_counter() - started
            peak = sampler.stop()
            out["server_mb_before"], out["server_mb_peak"] = round(before_mb or 0), round(peak)
            out["server_growth_mb_per_s"] = round((peak - (before_mb or 0)) / elapsed, 1)

            during = []
            for _ in range(repeat):
                if out["refused_after_s"] is not None:  # each page load starts right after a new "Import"
                    uploader.get_by_role("button", name="Import", exact=True).click()
                during.append(page_seconds(browser, base))
                if out["refused_after_s"] is not None:
                    refusal.first.wait_for(timeout=cap * 1000)
            out["page_during_attack_s"] = during
            browser.close()
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    out["page_alone_median_s"] = statistics.median(out["page_alone_s"])
    out["page_during_attack_median_s"] = statistics.median(out["page_during_attack_s"])
    return out


# --- the run -----------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--padded-mb", type=float, default=600)
    parser.add_argument("--valid-rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cap", type=float, default=60, help="seconds after which a run still going is stopped")
    parser.add_argument("--before", help="the git commit of the code before (default: before workbook.py was added)")
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    padded = OUT / f"padded_{args.padded_mb:g}mb.xlsx"
    if not padded.exists():
        started = time.perf_counter()
        padded_workbook(args.padded_mb, out=padded)
        print(f"built {padded.name}: {padded.stat().st_size / 2**20:,.1f} MB in {time.perf_counter() - started:.1f} s")
    valid = OUT / f"valid_{args.valid_rows}.xlsx"
    if not valid.exists():
        valid_workbook(valid, args.valid_rows)
    print(f"{padded.name}: {padded.stat().st_size / 2**20:,.1f} MB; {valid.name}: {valid.stat().st_size / 2**20:,.1f} MB")

    before_ref = args.before or default_before()
    report: dict = {"padded_mb_packed": round(padded.stat().st_size / 2**20, 1), "padded_mb_unpacked": args.padded_mb,
                    "valid_rows": args.valid_rows, "before": before_ref, "cap_s": args.cap,
                    "load_average": round(os.getloadavg()[0], 1), "versions": {}}
    with tempfile.TemporaryDirectory(prefix="hostile-upload-") as name:
        folder = Path(name)
        roots = {"before": tree_at(before_ref, folder / "before"), "after": ROOT}
        for version, root in roots.items():
            template = demo_store(root, folder)
            result: dict = {}
            result["padded_cli"] = cli(root, fresh_copy(template, folder), padded, args.cap)
            result["padded_in_process"] = in_process(root, fresh_copy(template, folder), padded, args.cap)
            for kind, run in (("cli", cli), ("in_process", in_process)):
                runs = [run(root, fresh_copy(template, folder), valid, 600) for _ in range(args.repeat)]
                if not all(r["finished"] and r["status"] == 0 for r in runs):
                    raise SystemExit(f"{version}: the valid workbook did not import: {runs[-1]['output']}")
                result[f"valid_{kind}_s"] = statistics.median(r["seconds"] for r in runs)
                result[f"valid_{kind}_peak_mb"] = max(r["peak_mb"] for r in runs)
                if kind == "in_process":
                    result["valid_in_process_import_s"] = statistics.median(r["import_seconds"] for r in runs)
            if not args.no_browser:
                result["browser"] = browser_run(root, template, folder, padded, args.cap, args.repeat)
            report["versions"][version] = result
            print(f"\n{version} ({before_ref if version == 'before' else 'this checkout'}):")
            print(json.dumps(result, indent=2, ensure_ascii=False))
    before, after = report["versions"]["before"], report["versions"]["after"]
    report["valid_in_process_ratio_after_to_before"] = round(
        after["valid_in_process_import_s"] / before["valid_in_process_import_s"], 2)
    report["valid_cli_ratio_after_to_before"] = round(after["valid_cli_s"] / before["valid_cli_s"], 2)
    (OUT / "hostile_upload.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"\nvalid workbook, after / before: in-process {report['valid_in_process_ratio_after_to_before']}×, "
          f"command {report['valid_cli_ratio_after_to_before']}×; written {OUT / 'hostile_upload.json'}")


if __name__ == "__main__":
    main()
