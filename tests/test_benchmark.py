"""The benchmark (benchmarks/run.py) end to end at 20,000 lines: it must produce its whole table. Times are not
asserted (they belong to BENCHMARKS.md, measured side by side); what is asserted is that every measurement exists,
that the pandas baseline computed the same numbers as the app, and that it did not read the lines with SQL."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import run as benchmark  # noqa: E402  (benchmarks/run.py)

NUMBERS = ("cold", "warm", "raw", "raw_connect", "warm_over_raw", "cold_over_raw", "pandas_warm", "pandas_cold",
           "pandas_over_warm", "pandas_over_cold")


def test_the_benchmark_runs_end_to_end_and_fills_every_cell(tmp_path):
    command = [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--rows", "20000", "--runs", "1",
               "--import-rows", "5000", "--import-runs", "1", "--out-dir", str(tmp_path)]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    report = json.loads((tmp_path / "report.json").read_text())

    rows = benchmark.summarise(report)
    expected = {(title, name) for _, title in benchmark.app_pages() for name in ("default", "narrow")}
    assert {(r["page"], r["filter"]) for r in rows} == expected
    for r in rows:
        assert r["statements"] > 0 and r["warm_statements"] > 0, r
        for name in NUMBERS:
            assert math.isfinite(r[name]) and r[name] > 0, (r["page"], r["filter"], name, r[name])
    # The pages that show seizure numbers are recognised as such (their own SQL reads the summaries or the lines).
    reading = {r["page"] for r in rows if r["reads_seizures"]}
    assert {"Overview", "Regions", "Map", "Weapons & context", "Records"} <= reading

    pandas = report["pandas"]
    assert pandas["mismatches"] == [] and pandas["checked_calls"] > 20
    assert all(r["seizure_sql"] == 0 for r in pandas["results"]), "the baseline read seizure lines with SQL"
    assert all(value > 0 for value in report["peak_mb"].values())
    imported = report["import"]
    for name in ("read_csv", "import", "in_process", "big"):
        assert len(imported[name]) == 1 and imported[name][0] > 0, name
    assert imported["big_store_rows"] == 20_000

    # The printed table: one line per page and filter, no empty cell.
    printed = [line for line in run.stdout.splitlines()
               if line.startswith("| ") and (" | default | " in line or " | narrow | " in line)]
    assert len(printed) == len(expected)
    for line in printed:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        assert len(cells) == 13 and all(cells) and not any(c in ("nan", "inf") for c in cells), line
    assert "÷ read_csv throughput" in run.stdout
    assert report["pages"]["streamlit_floor"] > 0
    from_lines = report["raw"]["from_lines"]
    assert set(from_lines) == {"default", "narrow"} and all(t and min(t) > 0 for t in from_lines.values())
    assert "asked of the seizure lines take" in run.stdout


def test_the_rerun_benchmark_compares_two_revisions_page_by_page():
    import rerun

    # HEAD beside the working tree, one rerun of one page: the table's shape, not its times.
    report = rerun.main(["--before-ref", "HEAD", "--rounds", "1", "--reruns", "1", "--pages", "overview"])
    row = next(line for line in report.splitlines() if line.startswith("| overview |"))
    cells = [float(c) for c in row.strip("|").split("|")[1:]]
    assert len(cells) == 7 and all(math.isfinite(c) and c >= 0 for c in cells) and cells[1] > 0
