"""What a user feels, in headless Chromium: the app against a bare Streamlit app (the "toy"), side by side.

    .venv/bin/python benchmarks/browser.py                 # demo store, median of 5 (~10 min on 2 cores)
    .venv/bin/python benchmarks/browser.py --write         # and puts the table into BENCHMARKS.md
    .venv/bin/python benchmarks/generate.py --rows 10000000 --out benchmarks/out/10m.duckdb
    .venv/bin/python benchmarks/browser.py --db-url duckdb:///benchmarks/out/10m.duckdb --write   # the 10 M store
    .venv/bin/python benchmarks/browser.py --before-ref main --runs 3   # a change: the app at main beside this one

The app runs in the development mode of `make run` (no login, administrator: every page) on the demo store (a
copy of data/seizures.duckdb) or on `--db-url`. The toy is written by this script into a temporary folder: two
pages under st.navigation, a sidebar multiselect of the same directorates, on its home page a metric and three
Plotly bar charts that follow the multiselect (the yearly bars selectable: a click filters the year), on its second
page one bar chart. It is what a minimal Streamlit dashboard costs on this machine; the ratios app/toy are what
count (the machine is shared: each step of a run is taken on every server in turn, seconds apart, so that they see
the same load).

Measured per run, each step on every server in turn (the order turning by one server each run):
- first chart: seconds from opening a page's address in a new browser context to the first Plotly chart drawn
  (and to the page settled: the run over, every chart drawn); the app's default page against the toy's home page,
  the app's other pages against the toy's second page;
- returning visitor: the same address opened again in the same context (browser cache warm, a new session);
- filter change: on the home page, one directorate chosen in the sidebar multiselect until the headline metric
  shows the filtered figure;
- click to filter: a click on a yearly bar (the app's Overview "by directorate" bars, Peja 2022; the toy's
  yearly bars, 2022) until the headline metric changes;
- page switch: a click on the second page in the navigation until that page is settled.
Every wait is on a condition of the page; the times are the script's perf_counter around the action and the wait.

With `--before-ref REF`, the app as it is at the git revision REF (extracted with `git archive`, on its own copy of
the store) is served too and measured in the same runs, in turn with the app and the toy: a change is judged by
the two apps' ratios to the toy in one run, not by numbers taken on a differently loaded machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from serving import ARGS, CHROMIUM, ROOT, head_commit, serve, stop, tree_at, write_section

START_MARK = "<!-- benchmarks/browser.py: start -->"
END_MARK = "<!-- benchmarks/browser.py: end -->"
SECTION = "## In the browser: the app against a bare Streamlit app (issue 17)"
TIMEOUT_MS = 180_000
HEADLINE = "Firearms (pieces)"
# The app's pages with a Plotly chart: (address path, title). The first is the default page ("/").
APP_PAGES = [
    ("", "Firearms seizures in Kosovo*"),
    ("regions", "Regional directorates"),
    ("weapons", "Weapons and seizure context"),
    ("map", "Seizures by regional directorate: map"),
    ("training", "Training & capacity"),
    ("kpis", "Roadmap KPIs"),
    ("tracing", "SDG 16.4.2 and tracing"),
]

TOY_APP = '''
import streamlit as st

st.set_page_config(page_title="Toy", layout="wide")
REGIONS = ["Prishtina", "Prizren", "Peja", "Gjakova", "Mitrovica South", "Mitrovica North", "Gjilan", "Ferizaj"]
st.session_state.setdefault("years", [])
st.sidebar.multiselect("Regional directorates", REGIONS, key="regions")
page = st.navigation([st.Page("home.py", title="Overview", default=True),
                      st.Page("second.py", title="Regions", url_path="regions")])
page.run()
'''
TOY_DATA = '''
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

REGIONS = ["Prishtina", "Prizren", "Peja", "Gjakova", "Mitrovica South", "Mitrovica North", "Gjilan", "Ferizaj"]


@st.cache_data
def lines() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    n = 10_000
    return pd.DataFrame({"region": rng.choice(REGIONS, n), "year": rng.integers(2019, 2025, n),
                         "category": rng.choice(["firearm", "ammunition", "explosive"], n),
                         "quantity": rng.integers(1, 9, n)})


def bars(df: pd.DataFrame, x: str) -> go.Figure:
    """A Plotly bar chart, its values as plain lists (the click finds its bars by x)."""
    return go.Figure(go.Bar(x=df[x].tolist(), y=df["quantity"].tolist()))


def filtered() -> pd.DataFrame:
    df = lines()
    if st.session_state.get("regions"):
        df = df[df["region"].isin(st.session_state["regions"])]
    if st.session_state.get("years"):
        df = df[df["year"].isin(st.session_state["years"])]
    return df
'''
TOY_HOME = '''
import streamlit as st
from toy_data import bars, filtered


def pick_year():
    points = st.session_state["toy_years"]["selection"]["points"]
    if points:
        st.session_state["years"] = [points[0]["x"]]


st.title("Toy overview")
df = filtered()
st.metric("Firearms (pieces)", f"{int(df.loc[df.category == 'firearm', 'quantity'].sum()):,}")
by_year = df.groupby("year", as_index=False)["quantity"].sum()
st.plotly_chart(bars(by_year, "year"), key="toy_years", on_select=pick_year, selection_mode="points")
st.plotly_chart(bars(df.groupby("region", as_index=False)["quantity"].sum(), "region"))
st.plotly_chart(bars(df.groupby("category", as_index=False)["quantity"].sum(), "category"))
'''
TOY_SECOND = '''
import streamlit as st
from toy_data import bars, filtered

st.title("Toy regions")
st.plotly_chart(bars(filtered().groupby("region", as_index=False)["quantity"].sum(), "region"))
'''


@dataclass
class Target:
    """A server and what to do on it: its pages to open (path, title; the home page first), the page to switch to
    (its navigation label, its title), the chart to click (the key of its st.plotly_chart, the trace's name or
    None, the bar's x)."""
    name: str
    base: str
    pages: list
    switch: tuple
    click: tuple
    times: dict = field(default_factory=dict)
    shape: dict = field(default_factory=dict)  # path -> (Plotly charts, Streamlit elements) on the page settled

    def add(self, what: str, seconds: float) -> None:
        self.times.setdefault(what, []).append(seconds)


def app_env(db_url: str, **settings: str) -> dict:
    env = {**os.environ, "SEIZURES_DB_URL": db_url, "SEIZURES_AUTH": "off", "PYTHONPATH": str(ROOT / "src"),
           **settings}
    if "SEIZURES_PUBLIC" not in settings:
        env.pop("SEIZURES_PUBLIC", None)
    return env



def write_toy(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("app.py", TOY_APP), ("toy_data.py", TOY_DATA), ("home.py", TOY_HOME),
                       ("second.py", TOY_SECOND)):
        (folder / name).write_text(text.lstrip())
    return folder


FIRST_CHART = """() => !!document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot .main-svg')"""
SETTLED = """() => document.querySelector('[data-testid="stApp"]')?.dataset.testScriptState === 'notRunning'
    && !document.querySelector('[data-testid="stSkeleton"], [data-testid="stSkeletonElement"]')
    && [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
       .every(chart => chart.querySelector('.js-plotly-plot .main-svg'))"""


def open_page(page, url: str, title: str) -> tuple[float, float]:
    """(seconds to the first chart drawn, seconds to the page settled) from opening url."""
    started = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_function(FIRST_CHART, polling="raf")
    first = time.perf_counter() - started
    page.get_by_role("heading", name=title, level=1).wait_for()
    page.wait_for_function(SETTLED, polling="raf")
    return first, time.perf_counter() - started


def shape(page) -> tuple[int, int]:
    """(Plotly charts, Streamlit elements) on the page: what the browser draws on each run."""
    return page.evaluate("""() => [document.querySelectorAll('[data-testid="stPlotlyChart"]').length,
                                   document.querySelectorAll('[data-testid="stElementContainer"]').length]""")


def headline(page) -> str:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text=HEADLINE).first
    return metric.locator('[data-testid="stMetricValue"]').inner_text()


def until_headline_changes(page, before: str) -> None:
    page.wait_for_function(
        """([label, before]) => [...document.querySelectorAll('[data-testid="stMetric"]')]
            .some(m => m.innerText.includes(label)
                 && m.querySelector('[data-testid="stMetricValue"]')?.innerText !== before)""",
        arg=[HEADLINE, before], polling="raf")


def change_filter(page) -> float:
    """Choose Peja in the sidebar's directorates until the headline shows the filtered figure."""
    before = headline(page)
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(
        has_text="Regional directorates").locator("input")
    box.click()
    box.fill("Peja")
    option = page.get_by_role("option", name="Peja", exact=True)
    option.wait_for()
    started = time.perf_counter()
    option.click()
    until_headline_changes(page, before)
    seconds = time.perf_counter() - started
    page.keyboard.press("Escape")
    page.wait_for_function(SETTLED, polling="raf")  # not timed: the next server's step must not pay for this redraw
    return seconds


def click_to_filter(page, chart_key: str, trace: str | None, x) -> float:
    """Click a bar with the mouse (as tests/test_browser_insights.py does) until the headline changes."""
    before = headline(page)
    chart = page.locator(f".st-key-{chart_key} .js-plotly-plot")
    chart.scroll_into_view_if_needed()
    box = chart.evaluate(
        """(gd, [trace, x]) => {
            const i = trace === null ? 0 : gd.data.findIndex(t => t.name === trace);
            const j = [...gd.data[i].x].indexOf(x);
            const bar = gd.querySelectorAll('.barlayer .trace')[i].querySelectorAll('.point')[j];
            bar.scrollIntoView({block: 'center'});
            const r = bar.getBoundingClientRect();
            return {x: r.x + r.width / 2, y: r.y + r.height / 2};
        }""", [trace, x])
    started = time.perf_counter()
    page.mouse.click(box["x"], box["y"])
    until_headline_changes(page, before)
    seconds = time.perf_counter() - started
    page.wait_for_function(SETTLED, polling="raf")  # not timed, as above
    return seconds


def switch_page(page, label: str, title: str) -> float:
    started = time.perf_counter()
    page.locator('[data-testid="stSidebarNav"]').get_by_text(label, exact=True).click()
    page.get_by_role("heading", name=title, level=1).wait_for()
    page.wait_for_function(SETTLED, polling="raf")
    return time.perf_counter() - started


def new_context(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1800})
    context.set_default_timeout(TIMEOUT_MS)
    return context


def one_run(browser, targets: list[Target]) -> None:
    """Every measurement once on each server, step by step: each step is taken on every server before the next
    (seconds apart), so that a change in the machine's load falls on all of them alike. Each target's pages are
    its own (the toy's second page stands for each of the app's other pages)."""
    opened = {}
    for target in targets:  # a new context: the first chart and the page's shape
        (home_path, home_title), *_others = target.pages
        context = new_context(browser)
        page = context.new_page()
        first, settled = open_page(page, f"{target.base}/{home_path}", home_title)
        target.add("first chart: home", first)
        target.add("settled: home", settled)
        target.shape[home_path] = shape(page)
        opened[target.name] = (context, page)
    for target in targets:
        target.add("filter change", change_filter(opened[target.name][1]))
    for target in targets:  # the same context: cache warm, a new session
        (home_path, home_title), *_others = target.pages
        first, _settled = open_page(opened[target.name][1], f"{target.base}/{home_path}", home_title)
        target.add("returning visitor: home", first)
    for target in targets:
        target.add("click to filter", click_to_filter(opened[target.name][1], *target.click))
    for target in targets:  # back to the home page unfiltered (not timed)
        (home_path, home_title), *_others = target.pages
        page = opened[target.name][1]
        page.goto(f"{target.base}/{home_path}", wait_until="commit")
        page.wait_for_function(FIRST_CHART, polling="raf")
        page.get_by_role("heading", name=home_title, level=1).wait_for()
        page.wait_for_function(SETTLED, polling="raf")
    for target in targets:
        target.add("page switch", switch_page(opened[target.name][1], *target.switch))
    for context, _page in opened.values():
        context.close()
    others = max(len(target.pages) for target in targets) - 1
    for i in range(1, others + 1):
        for target in targets:
            path, title = target.pages[min(i, len(target.pages) - 1)]
            context = new_context(browser)
            page = context.new_page()
            first, settled = open_page(page, f"{target.base}/{path}", title)
            target.add(f"first chart: {path}", first)
            target.add(f"settled: {path}", settled)
            target.shape[path] = shape(page)
            first, _settled = open_page(page, f"{target.base}/{path}", title)
            target.add(f"returning visitor: {path}", first)
            context.close()


def measure(runs: int, db_url: str | None, page_paths: list[str] | None = None, before_ref: str | None = None) -> dict:
    """Alternate the app and the toy `runs` times (after one warm-up visit each, which is timed apart as the first
    visit after the server's start): {"app": Target, "toy": Target, ...}; with before_ref, the app at that
    revision too ("before")."""
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="browser-bench-"))
    procs = []
    try:
        if db_url is None:
            store = work / "demo.duckdb"  # the server's own copy of the demo store
            shutil.copy(ROOT / "data" / "seizures.duckdb", store)
            db_url = f"duckdb:///{store}"
        app_pages = [p for p in APP_PAGES if page_paths is None or p[0] in page_paths or p[0] == ""]
        proc, app_base = serve("app.py", ROOT, app_env(db_url))
        procs.append(proc)
        before = None
        if before_ref is not None:
            tree = tree_at(before_ref, work / "before")
            before_url = db_url
            if db_url.startswith("duckdb:///"):  # a DuckDB file is written by one process at a time: its own copy
                shutil.copy(db_url.removeprefix("duckdb:///"), work / "before.duckdb")
                before_url = f"duckdb:///{work / 'before.duckdb'}"
            proc, before_base = serve("app.py", tree, {**app_env(before_url), "PYTHONPATH": str(tree / "src")})
            procs.append(proc)
            before = Target("before", before_base, app_pages, ("Regions", "Regional directorates"),
                            ("chart_by_directorate", "Peja", 2022))
        toy_env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        proc, toy_base = serve("app.py", write_toy(work / "toy"), toy_env)
        procs.append(proc)
        app = Target("app", app_base, app_pages, ("Regions", "Regional directorates"),
                     ("chart_by_directorate", "Peja", 2022))
        toy = Target("toy", toy_base, [("", "Toy overview")] + [("regions", "Toy regions")] * min(1, len(app_pages) - 1),
                     ("Regions", "Toy regions"), ("toy_years", None, 2022))
        # The toy's second page stands for each of the app's other pages.
        toy_pages = [toy.pages[0]] + [toy.pages[-1]] * (len(app_pages) - 1)
        load_start = os.getloadavg()[0]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            first_visit = {}
            apps = (app,) if before is None else (before, app)
            for target in (*apps, toy):  # the first visit after the server's start
                context = new_context(browser)
                first_visit[target.name] = open_page(context.new_page(), f"{target.base}/", target.pages[0][1])[0]
                context.close()
            targets = [*apps, toy]
            for run in range(runs):  # each server takes each place in the order in turn: one run with the same
                # code in two places measured the second place's filter change 15 % slower
                one_run(browser, targets[run % len(targets):] + targets[:run % len(targets)])
            browser.close()
        return {"app": app, "toy": toy, "toy_pages": toy_pages, "first_visit": first_visit, "runs": runs,
                "before": before, "before_ref": before_ref,
                "db_url": db_url if "browser-bench-" not in db_url else "the demo store",
                "load": (load_start, os.getloadavg()[0])}
    finally:
        for proc in procs:
            stop(proc)
        shutil.rmtree(work, ignore_errors=True)


def spread(values: list[float]) -> str:
    return f"{min(values):.2f}–{max(values):.2f}"


def rows(results: dict, of: str = "app") -> list[tuple[str, list[float], list[float]]]:
    """(measurement, the app's times, toy's times), the app's pages each against the toy's page that stands for
    them; of="before": the app at --before-ref."""
    app, toy = results[of], results["toy"]
    out = []
    for (path, _title), (toy_path, _toy_title) in zip(app.pages, results["toy_pages"]):
        shown = path or "home (Overview)"
        for kind in ("first chart", "settled", "returning visitor"):
            out.append((f"{kind}: {shown}", app.times[f"{kind}: {path or 'home'}"],
                        toy.times[f"{kind}: {toy_path or 'home'}"]))
    for kind in ("filter change", "click to filter", "page switch"):
        out.append((kind, app.times[kind], toy.times[kind]))
    return out


def render(results: dict) -> str:
    commit = head_commit()
    load_start, load_end = results["load"]
    lines = [
        f"Generated by `benchmarks/browser.py` on {dt.date.today()}, commit `{commit}`, store: "
        f"{results['db_url']}; headless Chromium {chromium_version()}, median of {results['runs']} runs, each step "
        f"on every server in turn, the order turning by one server each run. Machine: {os.cpu_count()} cores, shared; load average (1 min) {load_start:.1f} at the "
        f"start, {load_end:.1f} at the end.",
        "",
        "| measurement | app median s | app spread s | toy median s | toy spread s | app ÷ toy |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    app, toy = results["app"], results["toy"]
    before = results.get("before")
    if before is not None:
        lines[0] += (f" The app is also served as it is at `{results['before_ref']}` (\"before\"), measured in the "
                     f"same runs.")
        lines[2:4] = ["| measurement | before median s | app median s | app spread s | toy median s | toy spread s "
                      "| before ÷ toy | app ÷ toy |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for (name, app_times, toy_times), (_n, before_times, _t) in zip(rows(results), rows(results, "before")):
            a, b, t = (statistics.median(x) for x in (app_times, before_times, toy_times))
            lines.append(f"| {name} | {b:.2f} | {a:.2f} | {spread(app_times)} | {t:.2f} | {spread(toy_times)} "
                         f"| {b / t:.2f}× | {a / t:.2f}× |")
    else:
        for name, app_times, toy_times in rows(results):
            a, t = statistics.median(app_times), statistics.median(toy_times)
            lines.append(f"| {name} | {a:.2f} | {spread(app_times)} | {t:.2f} | {spread(toy_times)} | {a / t:.2f}× |")
    drawn = "; ".join(f"{path or 'home'} {charts} charts, {elements} elements"
                      for path, (charts, elements) in app.shape.items())
    toy_drawn = "; ".join(f"{path or 'home'} {charts} charts, {elements} elements"
                          for path, (charts, elements) in toy.shape.items())
    lines += ["", f"What the browser draws on each page (Plotly charts, Streamlit elements, sidebar included): the app: "
                  f"{drawn}. The toy: {toy_drawn}."]
    if before is not None:
        lines[-1] += " Before: " + "; ".join(f"{path or 'home'} {charts} charts, {elements} elements"
                                             for path, (charts, elements) in before.shape.items()) + "."
    fv = results["first_visit"]
    lines += ["", f"First visit after the server's start (one each, before the runs), to the first chart: app "
                  f"{fv['app']:.2f} s, toy {fv['toy']:.2f} s ({fv['app'] / fv['toy']:.2f}×)"
                  + (f"; before {fv['before']:.2f} s ({fv['before'] / fv['toy']:.2f}×)." if before else ".")]
    return "\n".join(lines)


def ratios(results: dict, of: str = "app") -> dict[str, float]:
    """measurement -> app median ÷ toy median (the smoke test checks these are finite and positive)."""
    return {name: statistics.median(a) / statistics.median(t) for name, a, t in rows(results, of)}


def chromium_version() -> str:
    try:
        out = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=20).stdout
        found = re.search(r"\d+(\.\d+)+", out)
        return found.group(0) if found else "?"
    except (OSError, subprocess.TimeoutExpired):
        return "?"


def write(report: str, start: str = START_MARK, end: str = END_MARK, section: str = SECTION) -> None:
    write_section(report, start, end, section)


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db-url", help="the app's store (default: a copy of the demo store)")
    parser.add_argument("--pages", help="comma-separated address paths of the app's other pages to open "
                                        "(default: every page with a chart; the home page always)")
    parser.add_argument("--before-ref", help="also serve the app as it is at this git revision, measured in the "
                                             "same runs (e.g. main)")
    parser.add_argument("--write", action="store_true", help="put the table into BENCHMARKS.md")
    args = parser.parse_args(argv)
    paths = None if args.pages is None else [p for p in args.pages.split(",") if p]
    results = measure(args.runs, args.db_url, paths, args.before_ref)
    report = render(results)
    print(report)
    if args.write and args.db_url is None:
        write(report)
    elif args.write:  # a section of its own, beside the demo store's
        write(report, START_MARK.replace("start", "other store: start"), END_MARK.replace("end", "other store: end"),
              SECTION + ", on another store")
    assert all(math.isfinite(r) and r > 0 for r in ratios(results).values())
    if results["before"] is not None:
        assert all(math.isfinite(r) and r > 0 for r in ratios(results, "before").values())
    return report


if __name__ == "__main__":
    main()
