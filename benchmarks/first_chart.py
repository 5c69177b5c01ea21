"""Where a new visit's time to the first chart goes, the app beside the toy of benchmarks/browser.py.

    .venv/bin/python benchmarks/first_chart.py               # home pages, median of 5 visits each (~1 min)
    .venv/bin/python benchmarks/first_chart.py --write       # and into BENCHMARKS.md

Each visit opens the home page in a new browser context, the app and the toy in turn, and records, in seconds from
the address being opened: the page's HTML parsed (Streamlit's JavaScript loaded), the websocket opened, its first
message, the first message holding a Plotly figure, its last message before the page settled, the first chart drawn
and the page settled; and the browser's main thread: its long tasks (over 50 ms) in all, and the request for the
Plotly chart's code (Streamlit loads it when the first chart arrives). What the server sends is over by the last
message; the rest is the browser's work.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from browser import FIRST_CHART, SETTLED, app_env, new_context, write_toy
from serving import ARGS, CHROMIUM, ROOT, serve, stop, write_section

START_MARK = "<!-- benchmarks/first_chart.py: start -->"
END_MARK = "<!-- benchmarks/first_chart.py: end -->"
SECTION = "## The first chart, step by step (issue 17)"
LONG_TASKS = """window.longTasks = [];
new PerformanceObserver(list => list.getEntries().forEach(e => window.longTasks.push(e.duration)))
  .observe({type: 'longtask', buffered: true});"""
STEPS = [("html", "page's HTML parsed"), ("socket", "websocket opened"), ("first_message", "first message"),
         ("figure_message", "first message with a figure"), ("last_message", "last message"),
         ("chart", "first chart drawn"), ("settled", "page settled"), ("chunk", "chart code requested (from the browser's navigation start)"),
         ("long_tasks", "main thread: long tasks in all"), ("messages", "messages (count)"),
         ("kilobytes", "messages (kB)")]


def visit(browser, url: str) -> dict:
    context = new_context(browser)
    context.add_init_script(LONG_TASKS)
    page = context.new_page()
    frames, opened = [], {}

    def on_socket(socket):
        opened.setdefault("socket", time.perf_counter())
        socket.on("framereceived", lambda payload: frames.append(
            (time.perf_counter(), len(payload), b'"layout"' in (payload if isinstance(payload, bytes) else payload.encode()))))

    page.on("websocket", on_socket)
    started = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_load_state("domcontentloaded")
    html = time.perf_counter()
    page.wait_for_function(FIRST_CHART, polling="raf")
    chart = time.perf_counter()
    page.wait_for_function(SETTLED, polling="raf")
    settled = time.perf_counter()
    browser_side = page.evaluate("""() => ({
        long: window.longTasks.reduce((a, b) => a + b, 0) / 1000,
        chunk: (performance.getEntriesByType('resource').find(e => /PlotlyChart\\.[^/]*\\.js$/.test(e.name))
                || {startTime: NaN}).startTime / 1000,
        origin: performance.timeOrigin})""")
    context.close()
    figure = next((t for t, _size, has_figure in frames if has_figure), float("nan"))
    return {"html": html - started, "socket": opened["socket"] - started, "first_message": frames[0][0] - started,
            "figure_message": figure - started, "last_message": max(t for t, *_ in frames if t <= settled) - started,
            "chart": chart - started, "settled": settled - started, "chunk": browser_side["chunk"],
            "long_tasks": browser_side["long"], "messages": len(frames),
            "kilobytes": sum(size for _t, size, _f in frames) / 1024}


def measure(runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="first-chart-"))
    procs = []
    try:
        store = work / "demo.duckdb"
        shutil.copy(ROOT / "data" / "seizures.duckdb", store)
        proc, app = serve("app.py", ROOT, app_env(f"duckdb:///{store}"))
        procs.append(proc)
        proc, toy = serve("app.py", write_toy(work / "toy"), {**os.environ, "PYTHONPATH": str(ROOT / "src")})
        procs.append(proc)
        visits = {"app": [], "toy": []}
        load_start = os.getloadavg()[0]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for base in (app, toy):  # each server's first visit (cold caches) is not counted
                visit(browser, f"{base}/")
            for _ in range(runs):
                for name, base in (("app", app), ("toy", toy)):
                    visits[name].append(visit(browser, f"{base}/"))
            browser.close()
        return {"visits": visits, "runs": runs, "load": (load_start, os.getloadavg()[0])}
    finally:
        for proc in procs:
            stop(proc)
        shutil.rmtree(work, ignore_errors=True)


def render(report: dict) -> str:
    median = {name: {key: statistics.median(v[key] for v in visits) for key, _label in STEPS}
              for name, visits in report["visits"].items()}
    lines = [f"Generated by `benchmarks/first_chart.py` on {dt.date.today()}, demo store, development mode, headless "
             f"Chromium; median of {report['runs']} new visits to each home page, the app and the toy in turn. Load "
             f"average (1 min) {report['load'][0]:.1f} at the start, {report['load'][1]:.1f} at the end (2 cores).",
             "", "| step (seconds from opening the address, unless said) | app | toy | app − toy |", "|---|---:|---:|---:|"]
    for key, label in STEPS:
        app, toy = median["app"][key], median["toy"][key]
        digits = 0 if key in ("messages", "kilobytes") else 2
        lines.append(f"| {label} | {app:,.{digits}f} | {toy:,.{digits}f} | {app - toy:+,.{digits}f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="put the table into BENCHMARKS.md")
    args = parser.parse_args(argv)
    report = render(measure(args.runs))
    print(report)
    if args.write:
        write_section(report, START_MARK, END_MARK, SECTION)
    return report


if __name__ == "__main__":
    main()
