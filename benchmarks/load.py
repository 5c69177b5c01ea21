"""Many users at once: N simultaneous browser sessions on one app server, in the login mode and the public mode.

    .venv/bin/python benchmarks/load.py                       # N = 1, 10, 25, 50 on the demo store (~5 min)
    .venv/bin/python benchmarks/load.py --sessions 1,10,25 --write   # and puts the table into BENCHMARKS.md

One `streamlit run app.py` per mode, on a copy of the demo store (or `--db-url`):
- login: SEIZURES_AUTH=password with a users file made here (seizures.auth.add_user, one analyst); each session
  opens the home page, fills the login form and logs in (a bcrypt check on the server), then the Overview draws;
- public: SEIZURES_PUBLIC=1, no login.
For each N, N browser contexts (each its own cookies and cache: N users) in one headless Chromium open the home page
at the same moment (asyncio: every session's steps run as soon as the page allows). Time to first chart: from the
session's start to the first Plotly chart drawn on its Overview; p50 and p95 over the N sessions. An error: a
session that does not reach its chart within the timeout, or shows Streamlit's exception box. Server memory: the
server process's resident set (/proc/PID/status VmRSS) just before the N sessions open and once all of them have
settled (their contexts still open, so Streamlit still holds their sessions): the growth divided by N.

The browser runs on the same 2 cores as the server, so above a few sessions the times include Chromium drawing
N pages at once (on a real deployment each user's browser is on their own machine): the p95 here is an upper bound
of what the server alone would give. One warm-up session runs first on each server (the caches filled).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from browser import (  # noqa: E402
    ARGS, CHROMIUM, FIRST_CHART, SETTLED, app_env, chromium_version, serve, stop, write as write_md,
)

START_MARK = "<!-- benchmarks/load.py: start -->"
END_MARK = "<!-- benchmarks/load.py: end -->"
SECTION = "## Many users at once (issue 17)"
TITLE = "Firearms seizures in Kosovo*"
USER, PASSWORD = "ana", "analyst pass 1"
TIMEOUT_MS = 300_000


@dataclass
class Round:
    mode: str
    sessions: int
    seconds: list[float]  # time to first chart of each session that got there
    errors: int
    rss_before_mb: float
    rss_after_mb: float
    wall: float

    @property
    def per_session_mb(self) -> float:
        return (self.rss_after_mb - self.rss_before_mb) / self.sessions


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation between the closest ranks."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


async def session(browser, base: str, login: bool) -> tuple[object, float | None]:
    """One user: (their context, seconds to the first chart or None on an error). The context is left open."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1800})
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    started = time.perf_counter()
    try:
        await page.goto(f"{base}/", wait_until="commit")
        if login:
            await page.get_by_label("User name").fill(USER)
            await page.get_by_role("textbox", name="Password").fill(PASSWORD)
            await page.get_by_role("button", name="Log in").click()
        await page.wait_for_function(FIRST_CHART, polling="raf")
        seconds = time.perf_counter() - started
        await page.get_by_role("heading", name=TITLE, level=1).wait_for()
        await page.wait_for_function(SETTLED, polling="raf")
        if await page.locator('[data-testid="stException"]').count():
            return context, None
        return context, seconds
    except Exception:  # a timeout or a closed page: counted as an error
        return context, None


async def one_round(browser, base: str, pid: int, mode: str, n: int) -> Round:
    before = rss_mb(pid)
    started = time.perf_counter()
    outcomes = await asyncio.gather(*(session(browser, base, mode == "login") for _ in range(n)))
    wall = time.perf_counter() - started
    after = rss_mb(pid)
    for context, _seconds in outcomes:
        await context.close()
    seconds = [s for _c, s in outcomes if s is not None]
    return Round(mode, n, seconds, n - len(seconds), before, after, wall)


async def run_mode(mode: str, base: str, pid: int, counts: list[int]) -> list[Round]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context, _seconds = await session(browser, base, mode == "login")  # warm-up: the caches filled
        await context.close()
        rounds = []
        for n in counts:
            rounds.append(await one_round(browser, base, pid, mode, n))
            r = rounds[-1]  # as it comes: a long run leaves its finished rounds
            print(f"{mode} {n} sessions: first chart {sorted(round(s, 2) for s in r.seconds)}, errors {r.errors}, "
                  f"RSS {r.rss_before_mb:.0f} -> {r.rss_after_mb:.0f} MB, all settled in {r.wall:.1f} s",
                  file=sys.stderr, flush=True)
            await asyncio.sleep(2)  # let the closed sessions' websockets go
        await browser.close()
    return rounds


def measure(counts: list[int], db_url: str | None, modes: list[str]) -> dict:
    from seizures import auth

    work = Path(tempfile.mkdtemp(prefix="load-bench-"))
    results: list[Round] = []
    load_start = os.getloadavg()[0]
    try:
        if db_url is None:
            store = work / "demo.duckdb"
            shutil.copy(ROOT / "data" / "seizures.duckdb", store)
            db_url = f"duckdb:///{store}"
        users = work / "users.yaml"
        auth.add_user(users, USER, "analyst", password=PASSWORD)
        settings = {"login": {"SEIZURES_AUTH": "password", "SEIZURES_USERS_FILE": str(users)},
                    "public": {"SEIZURES_PUBLIC": "1"}}
        for mode in modes:
            proc, base = serve("app.py", ROOT, app_env(db_url, **settings[mode]))
            try:
                results += asyncio.run(run_mode(mode, base, proc.pid, counts))
            finally:
                stop(proc)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"rounds": results, "load": (load_start, os.getloadavg()[0]),
            "db_url": "the demo store" if "load-bench-" in db_url else db_url}


def render(results: dict) -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    load_start, load_end = results["load"]
    lines = [
        f"Generated by `benchmarks/load.py` on {dt.date.today()}, commit `{commit}`, store: {results['db_url']}; one "
        f"app server per mode, N browser contexts in one headless Chromium {chromium_version()} on the same "
        f"{os.cpu_count()} cores (shared; load average (1 min) {load_start:.1f} at the start, {load_end:.1f} at the "
        f"end).",
        "",
        "| mode | sessions | first chart p50 s | p95 s | p95 ÷ one session's | errors | all settled s | "
        "server RSS before → after MB | growth per session MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    single = {r.mode: percentile(r.seconds, 95) for r in results["rounds"] if r.sessions == 1 and r.seconds}
    for r in results["rounds"]:
        if r.seconds:
            p50, p95 = percentile(r.seconds, 50), percentile(r.seconds, 95)
            ratio = f"{p95 / single[r.mode]:.1f}×" if r.mode in single else "–"
            times = f"{p50:.2f} | {p95:.2f} | {ratio}"
        else:
            times = "– | – | –"
        lines.append(f"| {r.mode} | {r.sessions} | {times} | {r.errors} | {r.wall:.1f} | "
                     f"{r.rss_before_mb:.0f} → {r.rss_after_mb:.0f} | {r.per_session_mb:.1f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", default="1,10,25,50", help="comma-separated numbers of simultaneous sessions")
    parser.add_argument("--modes", default="login,public")
    parser.add_argument("--db-url", help="the app's store (default: a copy of the demo store)")
    parser.add_argument("--write", action="store_true", help="put the table into BENCHMARKS.md")
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.sessions.split(",")]
    results = measure(counts, args.db_url, args.modes.split(","))
    report = render(results)
    print(report)
    if args.write:
        write_md(report, START_MARK, END_MARK, SECTION)
    results["report"] = report
    return results


if __name__ == "__main__":
    main()
