"""The browser benchmarks at their smallest size: one run of benchmarks/browser.py on the home page, and
benchmarks/load.py with 1 and 2 sessions. Tables produced, every number finite and positive; no time asserted
(times belong in BENCHMARKS.md, from the full runs)."""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

pytestmark = pytest.mark.browser

if not Path("/usr/bin/chromium").exists():
    pytest.skip("/usr/bin/chromium not installed", allow_module_level=True)


def table_rows(report: str) -> list[list[str]]:
    """The cells of a markdown table's body rows."""
    lines = [line for line in report.splitlines() if line.startswith("| ") and not line.startswith("|---")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[1:]]


def numbers(cell: str) -> list[float]:
    return [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", cell)]


def test_browser_benchmark_compares_the_app_with_the_toy(demo_url):
    import browser

    # With --before-ref, the app as committed (HEAD) is measured beside the working tree's, in the same run.
    report = browser.main(["--runs", "1", "--pages", "", "--db-url", demo_url, "--before-ref", "HEAD"])
    rows = table_rows(report)
    assert [row[0] for row in rows] == [
        "first chart: home (Overview)", "settled: home (Overview)", "returning visitor: home (Overview)",
        "filter change", "click to filter", "page switch"]
    for row in rows:
        values = [v for cell in row[1:] for v in numbers(cell)]
        assert len(values) == 9, row  # before's median, app's median and spread (2), toy's too, two ratios
        assert all(math.isfinite(v) and v > 0 for v in values), row
    assert re.search(r"First visit after the server's start .* app \d+\.\d+ s, toy \d+\.\d+ s .*; before \d+\.\d+ s",
                     report)


def test_load_benchmark_measures_sessions_in_both_modes(demo_url):
    import load

    public = load.main(["--sessions", "1,2", "--modes", "public", "--db-url", demo_url])
    login = load.main(["--sessions", "1", "--modes", "login", "--db-url", demo_url])
    rounds = public["rounds"] + login["rounds"]
    assert [(r.mode, r.sessions) for r in rounds] == [("public", 1), ("public", 2), ("login", 1)]
    for r in rounds:
        assert r.errors == 0 and len(r.seconds) == r.sessions, r
        assert all(math.isfinite(s) and s > 0 for s in r.seconds), r
        assert r.rss_before_mb > 0 and r.rss_after_mb > 0 and math.isfinite(r.per_session_mb), r
    for report, n in ((public["report"], 2), (login["report"], 1)):
        rows = table_rows(report)
        assert len(rows) == n
        for row in rows:
            p50, p95 = numbers(row[2])[0], numbers(row[3])[0]
            assert 0 < p50 <= p95 and math.isfinite(p95), row
            assert numbers(row[5]) == [0], row  # errors
