"""The browser benchmarks at their smallest size: one run of benchmarks/browser.py on the home page, and
benchmarks/load.py's browser client with one session. Tables produced, every number finite and positive; no time
asserted (times belong in BENCHMARKS.md, from the full runs)."""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

pytestmark = pytest.mark.browser

from test_benchmark_load import numbers, table_rows  # noqa: E402

if not Path("/usr/bin/chromium").exists():
    pytest.skip("/usr/bin/chromium not installed", allow_module_level=True)


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


def test_load_benchmark_drives_browser_contexts_too(demo_url):
    """The browser client of benchmarks/load.py (the protocol client, its default, is tested in
    test_benchmark_load.py): one public session."""
    import load

    results = load.main(["--client", "browser", "--sessions", "1", "--modes", "public", "--db-url", demo_url])
    [r] = results["rounds"]
    assert (r.mode, r.sessions, r.errors, len(r.seconds)) == ("public", 1, 0, 1), r
    assert math.isfinite(r.seconds[0]) and r.seconds[0] > 0 and r.server_cpu > 0, r
    rows = table_rows(results["report"])
    assert len(rows) == 1 and numbers(rows[0][5]) == [0], rows
    assert "browser contexts in one headless Chromium" in results["report"]


def test_first_chart_benchmark_times_every_step_for_both_apps():
    import first_chart

    report = first_chart.main(["--runs", "1"])
    rows = {row[0]: row[1:] for row in table_rows(report)}
    assert set(rows) == {label for _key, label in first_chart.STEPS}
    for label, (app, toy, _difference) in rows.items():
        assert all(math.isfinite(v) and v > 0 for v in numbers(app) + numbers(toy)), (label, app, toy)
    # The steps in their order: the socket after the HTML, the first chart drawn after the figure's message.
    order = [numbers(rows[label][0])[0] for label in ("page's HTML parsed", "websocket opened", "first message",
                                                      "first message with a figure", "first chart drawn",
                                                      "page settled")]
    assert order == sorted(order)
