"""Many users at once: N simultaneous sessions on one app server, in the public mode and the login mode.

    .venv/bin/python benchmarks/load.py --write                       # N = 1, 10, 25, 50, every mode (~11 min)
    .venv/bin/python benchmarks/load.py --sessions 1,10 --modes public    # a quick look
    .venv/bin/python benchmarks/load.py --client browser --sessions 1,10  # N browser contexts instead (below)

One `streamlit run app.py` for the public mode and one for the two others, on a copy of the demo store (or
`--db-url`), with the repository's .streamlit/config.toml and any configuration options given (`--option NAME=VALUE`):
- public: SEIZURES_PUBLIC=1, no login;
- login: SEIZURES_AUTH=password with a users file made here (seizures.auth.add_user, one analyst); each session
  opens the home page, fills the login form and submits it (a bcrypt check on the server), then the Overview runs;
- cookie: the same server, each session a returning user whose browser holds a valid login cookie (signed with the
  users file's key as streamlit-authenticator signs it), sent in the websocket handshake: no form.

The sessions (default `--client protocol`) are streamlit_client.Session: Streamlit's own websocket protocol, as its
frontend speaks it, without drawing. So the times are the server's: from a session's first request to the
ForwardMsg that holds the Overview's first Plotly chart, p50 and p95 over the N sessions, and "all settled" when
every session's runs are over. What the browser adds (Plotly drawing N pages) is in benchmarks/browser.py's
numbers, one session at a time. An error: an exception or error box sent by the app, a page that ends without a
chart, a refused or dropped connection, or no chart within the timeout. For each round, per session: the server
process's CPU time (/proc/PID/stat) and this benchmark's own (the client's share of the 2 cores); and the server's
resident set (VmRSS) before the N sessions open and once all have settled, their websockets still open
(Streamlit still holds their sessions): the growth divided by N. One warm-up session runs first on each server (the caches filled). The
single session is opened 5 times (--single-repeats), one after the other, and its median is the "one session's"
time the ratio divides by: one time alone is too noisy on a shared machine.

`--client browser` opens N browser contexts of one headless Chromium instead: on the same cores, that measures
Chromium drawing N Overviews more than the server (the numbers of the first version of this benchmark).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import math
import os
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from browser import app_env  # noqa: E402
from serving import head_commit, serve, stop, write_section  # noqa: E402
from streamlit_client import Session  # noqa: E402

START_MARK = "<!-- benchmarks/load.py: start -->"
END_MARK = "<!-- benchmarks/load.py: end -->"
SECTION = "## Many users at once (issue 17)"
TITLE = "Firearms seizures in Kosovo*"
USER, PASSWORD = "ana", "analyst pass 1"
TIMEOUT_S = 300
MODES = ("public", "login", "cookie")
CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass
class Round:
    mode: str
    sessions: int
    seconds: list[float]  # time to first chart of each session that got there without an error
    errors: int
    rss_before_mb: float
    rss_after_mb: float
    wall: float
    server_cpu: float = float("nan")  # seconds of CPU the server process used per session
    client_cpu: float = float("nan")  # and this benchmark's process
    runs: float = float("nan")  # script runs per session (median)
    error_texts: tuple[str, ...] = ()
    visits: int = 0  # sessions opened in the round (a single session is repeated)

    @property
    def per_session_mb(self) -> float:
        return (self.rss_after_mb - self.rss_before_mb) / max(self.visits, self.sessions)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (its threads included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime: fields 14 and 15 of stat


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation between the closest ranks."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def login_cookie(users: Path) -> dict[str, str]:
    """A login cookie as streamlit-authenticator sets it after a login (models/cookie_model.py: a JWT, HS256, with
    the username and exp_date), signed with the users file's key."""
    import jwt

    from seizures import auth

    cookie = auth.read(users)["cookie"]
    token = jwt.encode({"username": USER, "exp_date": time.time() + 86_400}, cookie["key"], algorithm="HS256")
    return {cookie.get("name", auth.COOKIE_NAME): token}


def session_for(mode: str, base: str, users: Path) -> Session:
    if mode == "login":
        return Session(base, username=USER, password=PASSWORD)
    if mode == "cookie":
        return Session(base, cookies=login_cookie(users))
    return Session(base)


# --- sessions through Streamlit's protocol ---------------------------------------------------------------------


async def protocol_round(base: str, pid: int, mode: str, n: int, users: Path, single_repeats: int = 1) -> Round:
    """N sessions at once; a single session `single_repeats` times, one after the other (one time alone is too
    noisy a denominator on a shared machine): its wall time is then per repetition."""
    repeats = single_repeats if n == 1 else 1
    before, cpu_before, own_before = rss_mb(pid), cpu_seconds(pid), time.process_time()
    started = time.perf_counter()
    visits, open_sessions = [], []
    for _ in range(repeats):
        sessions = [session_for(mode, base, users) for _ in range(n)]
        visits += await asyncio.gather(*(s.visit(TIMEOUT_S) for s in sessions))
        open_sessions += sessions
    wall = (time.perf_counter() - started) / repeats
    after, cpu_after, own_after = rss_mb(pid), cpu_seconds(pid), time.process_time()
    for s in open_sessions:
        await s.close()
    seconds = [v.first_chart for v in visits if not v.errors and v.first_chart is not None]
    texts = tuple(sorted({re.sub(r"\*\*[0-9A-F]{8}\*\*", "**…**", e) for v in visits for e in v.errors}))
    runs = sorted(v.runs for v in visits)
    return Round(mode, n, seconds, len(visits) - len(seconds), before, after, wall,
                 (cpu_after - cpu_before) / len(visits), (own_after - own_before) / len(visits),
                 runs[len(runs) // 2], texts, len(visits))


async def protocol_mode(mode: str, base: str, pid: int, counts: list[int], users: Path,
                        single_repeats: int = 1) -> list[Round]:
    warm = session_for(mode, base, users)  # warm-up: the caches filled
    visit = await warm.visit(TIMEOUT_S)
    await warm.close()
    if visit.errors:
        raise RuntimeError(f"{mode}: the warm-up session failed: {visit.errors}")
    rounds = []
    for i, n in enumerate(counts):
        if i:
            await asyncio.sleep(2)  # let the closed sessions go
        rounds.append(await protocol_round(base, pid, mode, n, users, single_repeats))
        report_round(rounds[-1])
    return rounds


# --- sessions in browser contexts -------------------------------------------------------------------------------


async def browser_session(browser, base: str, mode: str, users: Path) -> tuple[object, float | None]:
    """One user in a browser context: (the context, seconds to the first chart or None on an error); left open."""
    from browser import FIRST_CHART, SETTLED

    context = await browser.new_context(viewport={"width": 1400, "height": 1800})
    context.set_default_timeout(TIMEOUT_S * 1000)
    if mode == "cookie":
        await context.add_cookies([{"name": k, "value": v, "url": base} for k, v in login_cookie(users).items()])
    page = await context.new_page()
    started = time.perf_counter()
    try:
        await page.goto(f"{base}/", wait_until="commit")
        if mode == "login":
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


async def browser_mode(mode: str, base: str, pid: int, counts: list[int], users: Path,
                       single_repeats: int = 1) -> list[Round]:  # a single session once
    from playwright.async_api import async_playwright

    from serving import ARGS, CHROMIUM

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context, _seconds = await browser_session(browser, base, mode, users)  # warm-up
        await context.close()
        rounds = []
        for n in counts:
            before, cpu_before, own_before = rss_mb(pid), cpu_seconds(pid), time.process_time()
            started = time.perf_counter()
            outcomes = await asyncio.gather(*(browser_session(browser, base, mode, users) for _ in range(n)))
            wall = time.perf_counter() - started
            after, cpu_after, own_after = rss_mb(pid), cpu_seconds(pid), time.process_time()
            for context, _seconds in outcomes:
                await context.close()
            seconds = [s for _c, s in outcomes if s is not None]
            rounds.append(Round(mode, n, seconds, n - len(seconds), before, after, wall, (cpu_after - cpu_before) / n,
                                (own_after - own_before) / n, visits=n))  # the client: playwright's, not Chromium's
            report_round(rounds[-1])
            await asyncio.sleep(2)
        await browser.close()
    return rounds


def report_round(r: Round) -> None:
    """As it comes, on stderr: a long run leaves its finished rounds."""
    print(f"{r.mode} {r.sessions} sessions: first chart {sorted(round(s, 2) for s in r.seconds)}, errors {r.errors} "
          f"{list(r.error_texts)[:3]}, per session: server CPU {r.server_cpu:.2f} s, client CPU "
          f"{r.client_cpu:.2f} s, "
          f"RSS {r.rss_before_mb:.0f} -> {r.rss_after_mb:.0f} MB, all settled in {r.wall:.1f} s, load average "
          f"{os.getloadavg()[0]:.1f}", file=sys.stderr, flush=True)


def measure(counts: list[int], db_url: str | None, modes: list[str], client: str = "protocol",
            options: dict[str, str] | None = None, single_repeats: int = 1) -> dict:
    from seizures import auth

    work = Path(tempfile.mkdtemp(prefix="load-bench-"))
    results: list[Round] = []
    server_errors: list[str] = []
    load_start = os.getloadavg()[0]
    run_mode = protocol_mode if client == "protocol" else browser_mode
    try:
        if db_url is None:
            store = work / "demo.duckdb"
            shutil.copy(ROOT / "data" / "seizures.duckdb", store)
            db_url = f"duckdb:///{store}"
        users = work / "users.yaml"
        auth.add_user(users, USER, "analyst", password=PASSWORD)
        public = {"SEIZURES_PUBLIC": "1"}
        login = {"SEIZURES_AUTH": "password", "SEIZURES_USERS_FILE": str(users)}
        for settings, server_modes in ((public, ["public"]), (login, ["login", "cookie"])):
            server_modes = [m for m in modes if m in server_modes]
            if not server_modes:
                continue
            log = work / f"{server_modes[0]}.log"
            proc, base = serve("app.py", ROOT, app_env(db_url, **settings), log, options)  # login, cookie: one
            try:
                for mode in server_modes:
                    results += asyncio.run(run_mode(mode, base, proc.pid, counts, users, single_repeats))
            finally:
                stop(proc)
                server_errors += logged_errors(log.read_text(errors="replace"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"rounds": results, "load": (load_start, os.getloadavg()[0]), "client": client,
            "server_errors": server_errors, "options": options or {}, "single_repeats": single_repeats,
            "db_url": "the demo store" if "load-bench-" in db_url else db_url}


def logged_errors(log: str) -> list[str]:
    """The last line of each traceback in a server's output (the exception the app logged with a reference)."""
    return [line for line in log.splitlines() if re.match(r"[\w.]+(Error|Exception|Busy|Conflict)\b.*: ", line)]


def render(results: dict) -> str:
    commit = head_commit()
    load_start, load_end = results["load"]
    if results["client"] == "protocol":
        how = ("N sessions through Streamlit's websocket protocol (benchmarks/streamlit_client.py: no drawing), from "
               "one asyncio process")
    else:
        from browser import chromium_version

        how = f"N browser contexts in one headless Chromium {chromium_version()}"
    lines = [
        f"Generated by `benchmarks/load.py` on {dt.date.today()}, commit `{commit}`, store: {results['db_url']}; one "
        f"app server for the public mode, one for login and cookie, {how}, on the same {os.cpu_count()} cores "
        "(shared; load average (1 min) "
        f"{load_start:.1f} at the start, {load_end:.1f} at the end)"
        + ", Streamlit's configuration from .streamlit/config.toml"
        + (" and the options " + ", ".join(f"`{k}={v}`" for k, v in results["options"].items())
           if results.get("options") else "")
        + (f". The single session is opened {results['single_repeats']} times, one after the other: its p50 is "
           "\"one session's\" time" if results.get("single_repeats", 1) > 1 and results["client"] == "protocol"
           else "") + ".",
        "",
        "| mode | sessions | first chart p50 s | p95 s | p95 ÷ one session's | errors | all settled s | runs per "
        "session | server CPU per session s | client CPU per session s | server RSS before → after MB | growth "
        "per session MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    # One session's time: the median of the single session's repetitions.
    single = {r.mode: percentile(r.seconds, 50) for r in results["rounds"] if r.sessions == 1 and r.seconds}
    for r in results["rounds"]:
        if r.seconds:
            p50, p95 = percentile(r.seconds, 50), percentile(r.seconds, 95)
            ratio = f"{p95 / single[r.mode]:.1f}×" if r.mode in single else "–"
            times = f"{p50:.2f} | {p95:.2f} | {ratio}"
        else:
            times = "– | – | –"
        runs = "–" if math.isnan(r.runs) else f"{r.runs:g}"
        lines.append(f"| {r.mode} | {r.sessions} | {times} | {r.errors} | {r.wall:.1f} | {runs} | "
                     f"{r.server_cpu:.2f} | {r.client_cpu:.2f} | {r.rss_before_mb:.0f} → {r.rss_after_mb:.0f} | "
                     f"{r.per_session_mb:.1f} |")
    errors = sorted({e for r in results["rounds"] for e in r.error_texts})
    if errors:
        lines += ["", "Errors the sessions saw: " + "; ".join(f"`{e[:160]}`" for e in errors[:5]) + "."]
    logged = Counter(results.get("server_errors", []))
    if logged:
        lines += ["", "Errors in the servers' log: "
                  + "; ".join(f"{n} × `{e[:200]}`" for e, n in logged.most_common(5)) + "."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", default="1,10,25,50", help="comma-separated numbers of simultaneous sessions")
    parser.add_argument("--modes", default=",".join(MODES), help=f"comma-separated, of {', '.join(MODES)}")
    parser.add_argument("--client", choices=("protocol", "browser"), default="protocol")
    parser.add_argument("--db-url", help="the app's store (default: a copy of the demo store)")
    parser.add_argument("--single-repeats", type=int, default=5,
                        help="times the single session is opened, one after the other (protocol client)")
    parser.add_argument("--option", action="append", default=[], metavar="NAME=VALUE",
                        help="a Streamlit configuration option for the app servers, e.g. "
                             "server.fileWatcherType=none (repeatable)")
    parser.add_argument("--write", action="store_true", help="put the table into BENCHMARKS.md")
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.sessions.split(",")]
    options = dict(option.split("=", 1) for option in args.option)
    modes = args.modes.split(",")
    if unknown := set(modes) - set(MODES):
        parser.error(f"unknown mode(s): {', '.join(sorted(unknown))}")
    results = measure(counts, args.db_url, modes, args.client, options, args.single_repeats)
    report = render(results)
    print(report)
    if args.write:  # a run with options has its own table, beside the defaults
        start, end = ((START_MARK, END_MARK) if not options else
                      (START_MARK.replace(": start", " with options: start"),
                       END_MARK.replace(": end", " with options: end")))
        write_section(report, start, end, SECTION)
    results["report"] = report
    return results


if __name__ == "__main__":
    main()
