"""The manager's question of issue 13, timed in headless Chromium from the home page, before and after; and what
the "What changed" fragment saves on a rerun.

    .venv/bin/python benchmarks/managers_question.py [--runs 5] [--before-ref owndata] [--write]

"How did firearm seizures change nationally from 2021 to 2022, and which regional directorate grew most?"

- before: the pages of `--before-ref` (default `owndata`, the branch this work started from; extracted with `git
  archive`, served with its own `src`): set the period to 2021–2022 (the slider, by keyboard), read the national
  change on the Overview's firearms metric, open the Regions page, read the heat-map's 2021 and 2022 cells of the
  8 directorates and subtract them (the script does the 8 subtractions a manager does by hand; their time is the
  script's, not a person's).
- after: this working tree's pages: the same period, then read the "What changed" sentence, which states the
  national change and the directorate that grew most.
- fragment: on the Overview of this tree, the time from a change of the measure (inside the fragment: only its
  sections rerun) to the page settled, against a full rerun of the same page (Streamlit's "r" key), both with warm
  caches.

Each timing is the median of `--runs` runs on a fresh browser page, after one warm-up visit; the store is the demo
store (data/seizures.duckdb). Every server is started here and stopped by its process id.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from serving import ARGS, CHROMIUM, ROOT, head_commit, serve, stop, tree_at, write_section

START_MARK = "<!-- benchmarks/managers_question.py: start -->"
END_MARK = "<!-- benchmarks/managers_question.py: end -->"
SECTION = "## The manager's question, before and after (issue 13)"
TITLE = "Firearms seizures in Kosovo*"


def start(tree: Path, db_url: str) -> tuple[subprocess.Popen, str]:
    """The app of a source tree (this one, or the baseline's) on a copy of the demo store, in development mode."""
    env = {**os.environ, "SEIZURES_DB_URL": db_url, "SEIZURES_AUTH": "off", "PYTHONPATH": str(tree / "src")}
    env.pop("SEIZURES_PUBLIC", None)
    return serve("app.py", tree, env)


def settled(page) -> None:
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                 .every(chart => chart.querySelector('.js-plotly-plot .main-svg'))""")


def open_home(page, base: str) -> None:
    page.goto(f"{base}/")
    page.get_by_role("heading", name=TITLE, level=1).wait_for()
    settled(page)


def set_period(page, first: int, last: int, bounds=(2019, 2024)) -> None:
    """Drag the sidebar's period slider's two handles with the mouse, as the manager did (a rerun per handle)."""
    slider = page.locator('[data-testid="stSidebar"] [data-testid="stSlider"]').first
    track = slider.locator('[data-testid="stSliderTickBar"]').bounding_box()
    handles = slider.locator('[data-testid="stSliderThumbValue"]')

    def x_of(year: int) -> float:
        return track["x"] + track["width"] * (year - bounds[0]) / (bounds[1] - bounds[0])

    for handle, year, wanted in ((1, last, f"to={last}"), (0, first, f"from={first}")):
        thumb = handles.nth(handle).locator("xpath=..").bounding_box()
        page.mouse.move(thumb["x"] + thumb["width"] / 2, thumb["y"] + thumb["height"] / 2)
        page.mouse.down()
        page.mouse.move(x_of(year), thumb["y"] + thumb["height"] / 2, steps=8)
        page.mouse.up()
        page.wait_for_function(f"() => location.search.includes('{wanted}')")
    settled(page)


def before(page, base: str) -> dict:
    """The old pages: the national change on the Overview, the directorates' from the Regions heat-map."""
    open_home(page, base)
    started = time.perf_counter()
    set_period(page, 2021, 2022)
    page.get_by_role("heading", name="Headline figures, 2022").wait_for()
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="Firearms (pieces)").first
    national = metric.locator('[data-testid="stMetricDelta"]').inner_text()
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Regions", exact=True).click()
    page.get_by_role("heading", name="Regional directorates", level=1).wait_for()
    settled(page)
    grid = page.locator(".js-plotly-plot").last.evaluate(
        "gd => { const h = gd.data.find(t => t.type === 'heatmap'); return {x: [...h.x], y: [...h.y], z: h.z.map(r => [...r])}; }")
    i, j = grid["x"].index(2021), grid["x"].index(2022)
    growth = {name: row[j] - row[i] for name, row in zip(grid["y"], grid["z"])}  # the manager's 8 subtractions
    grew_most = max(growth, key=growth.get)
    elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "answer": f"national {national.strip()}; grew most: {grew_most} {growth[grew_most]:+.0f}"}


def after(page, base: str) -> dict:
    """The new Overview: the same period, then the sentence of "What changed"."""
    open_home(page, base)
    started = time.perf_counter()
    set_period(page, 2021, 2022)
    sentence = page.locator('[data-testid="stMarkdown"]').filter(has_text=re.compile(r"^Firearms \(pieces\): .* in 2022"))
    text = sentence.first.inner_text()
    elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "answer": text}


WATCH = """() => {
    window.__ran = false;
    const app = document.querySelector('[data-testid="stApp"]');
    new MutationObserver(() => { if (app.dataset.testScriptState === 'running') window.__ran = true; })
        .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""
RAN = """() => window.__ran && document.querySelector('[data-testid="stApp"]').dataset.testScriptState === 'notRunning'"""


def timed_rerun(page, action) -> float:
    """Seconds from an action to the end of the run it starts (seen through the app's script state) and the
    charts drawn."""
    page.evaluate(WATCH)
    started = time.perf_counter()
    action()
    page.wait_for_function(RAN)
    settled(page)
    return time.perf_counter() - started


def measure_change(page, runs: int) -> list[float]:
    """Seconds from a change of the Overview's measure to the page settled, warm (both measures seen once)."""
    radio = page.locator('[data-testid="stRadio"]').filter(has_text="Ammunition (rounds)").first
    choices = ["Ammunition (rounds)", "Firearms (pieces)"]
    for label in choices:
        timed_rerun(page, lambda: radio.get_by_text(label, exact=True).click())
    return [timed_rerun(page, lambda n=n: radio.get_by_text(choices[n % 2], exact=True).click()) for n in range(runs)]


def without_fragment(work: Path) -> Path:
    """A copy of this tree whose Overview runs its measure's sections without st.fragment (the whole page reruns)."""
    tree = work / "no-fragment"
    tree.mkdir()
    for part in ("app.py", "app_pages", "src", ".streamlit"):
        source = ROOT / part
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tree / part)
    overview = tree / "app_pages" / "overview.py"
    text = overview.read_text()
    assert "@insights.fragment\n" in text
    overview.write_text(text.replace("@insights.fragment\n", ""))
    return tree


def interleaved(browser, servers: dict, funcs: dict, runs: int) -> dict:
    """funcs[name](page, base) on each server in turn, runs + 1 times (the first a warm-up): the machine's other
    load falls on both alike."""
    timed: dict = {name: [] for name in servers}
    for n in range(runs + 1):
        for name, base in servers.items():
            context = browser.new_context(viewport={"width": 1400, "height": 1800})
            context.set_default_timeout(120_000)
            result = funcs[name](context.new_page(), base)
            context.close()
            if n:
                timed[name].append(result)
    return {name: {"seconds": statistics.median(r["seconds"] for r in rows), "answer": rows[-1]["answer"],
                   "all": [round(r["seconds"], 2) for r in rows]} for name, rows in timed.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before-ref", default="owndata")
    parser.add_argument("--write", action="store_true", help="put the results into BENCHMARKS.md")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    store = ROOT / "data" / "seizures.duckdb"
    work = Path(tempfile.mkdtemp(prefix="managers-question-"))
    old_tree = tree_at(args.before_ref, work / "before")
    trees = {"before": old_tree, "after": ROOT, "no fragment": without_fragment(work)}
    procs, servers = [], {}
    try:
        for name, tree in trees.items():
            copy = work / f"{name}.duckdb"  # each server its own copy of the store
            shutil.copy(store, copy)
            proc, base = start(tree, f"duckdb:///{copy}")
            procs.append(proc)
            servers[name] = base
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            results = interleaved(browser, {k: servers[k] for k in ("before", "after")},
                                  {"before": before, "after": after}, args.runs)
            pages = {}
            for name in ("after", "no fragment"):
                context = browser.new_context(viewport={"width": 1400, "height": 1800})
                context.set_default_timeout(120_000)
                pages[name] = context.new_page()
                open_home(pages[name], servers[name])
            times: dict = {name: [] for name in pages}
            for _ in range(args.runs):  # in turn, two changes each
                for name, page in pages.items():
                    times[name] += measure_change(page, 2)
            results["fragment"] = {name: statistics.median(values) for name, values in times.items()}
            browser.close()
    finally:
        for proc in procs:
            stop(proc)
        shutil.rmtree(work, ignore_errors=True)
    report = render(results, args)
    print(report)
    if args.write:
        write(report)


def render(results: dict, args) -> str:
    commit = head_commit()
    b, a, f = results["before"], results["after"], results["fragment"]
    return "\n".join([
        f"Generated by `benchmarks/managers_question.py` on {dt.date.today()}, commit `{commit}` against "
        f"`{args.before_ref}`, demo store, headless Chromium, median of {args.runs} runs after a warm-up, before and "
        f"after in turn (the machine's other load falls on both alike).",
        "",
        "| | steps from the home page | browser time (median) | runs (s) |",
        "|---|---|---|---|",
        f"| before (`{args.before_ref}`) | period 2021–2022 (the slider's two handles), read the Overview's firearms change, open "
        f"Regions, read 16 heat-map cells, subtract 8 pairs | {b['seconds']:.2f} s + the 8 subtractions by hand | "
        f"{', '.join(map(str, b['all']))} |",
        f"| after | period 2021–2022 (the slider's two handles), read the \"What changed\" sentence | {a['seconds']:.2f} s | "
        f"{', '.join(map(str, a['all']))} |",
        "",
        f"Before, the answer assembled: {b['answer']}. After, read from the page: \"{a['answer']}\"",
        "",
        f"A change of the measure on the Overview, warm, to the page settled (what changed, the directorates' "
        f"split and the months that stand out follow the measure): {f['after']:.2f} s with `st.fragment` (only they "
        f"rerun), {f['no fragment']:.2f} s without (the whole page reruns); ratio {f['no fragment'] / f['after']:.2f}.",
    ])


def write(report: str) -> None:
    write_section(report, START_MARK, END_MARK, SECTION)


if __name__ == "__main__":
    main()
