"""`seizures import / imports / rollback / template`, and an import while another process holds the DuckDB file."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

import pandas as pd
import sqlalchemy as sa

from import_files import HEADER, csv_bytes, fingerprint, row, valid_rows
from seizures import store
from seizures.cli import EXIT_BAD_INPUT, EXIT_REJECTED, main


def lines_in(url: str) -> int:
    return store.table_counts(store.make_engine(url))["seizures"]


def test_import_then_list_then_roll_back(any_demo_copy_url, tmp_path, capsys):
    path = tmp_path / "new.csv"
    path.write_bytes(csv_bytes(valid_rows(4)))
    before = lines_in(any_demo_copy_url)
    assert main(["--db-url", any_demo_copy_url, "import", str(path)]) == 0
    out = capsys.readouterr().out
    assert "new.csv: imported 4 of 4 rows as import #2" in out
    assert lines_in(any_demo_copy_url) == before + 4

    assert main(["--db-url", any_demo_copy_url, "import", str(path)]) == 0
    assert "already imported as import #2" in capsys.readouterr().out
    assert lines_in(any_demo_copy_url) == before + 4

    assert main(["--db-url", any_demo_copy_url, "imports"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[0].split()[:3] == ["id", "kind", "file_name"]
    assert listing[1].split()[:7] == ["2", "file", "new.csv", "4", "4", "0", "4"]
    assert listing[2].split()[:3] == ["1", "demo", "demo_seizures.csv"]

    assert main(["--db-url", any_demo_copy_url, "rollback", "2"]) == 0
    assert "rolled back import #2: 4 seizure lines removed" in capsys.readouterr().out
    assert lines_in(any_demo_copy_url) == before
    assert main(["--db-url", any_demo_copy_url, "rollback", "2"]) == EXIT_REJECTED
    assert "already rolled back" in capsys.readouterr().err


def test_a_rejected_file_prints_every_problem_and_exits_1(any_demo_copy_url, tmp_path, capsys):
    rows = valid_rows(3)
    rows[0]["quantity"], rows[2]["region"] = "0", "Atlantis"
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(rows))
    before = fingerprint(store.make_engine(any_demo_copy_url))
    errors_out, by_row = tmp_path / "problems.csv", tmp_path / "rows.csv"
    assert main(["--db-url", any_demo_copy_url, "import", str(path), "--errors-out", str(errors_out),
                 "--errors-by-row-out", str(by_row)]) == EXIT_REJECTED
    captured = capsys.readouterr()
    assert "bad.csv: nothing imported: 2 problem(s) in 2 of 3 rows" in captured.out
    lines = captured.err.splitlines()
    assert lines[0] == "2 distinct problem(s):"
    assert "  quantity: must be greater than 0 — 1 row: 2" in lines
    # The reason in full, never cut (it lists every region code).
    assert ("  region: unknown region 'Atlantis': use a code (FE, GJ, GL, MN, MS, PE, PR, PZ) or a region's name "
            "— 1 row: 4") in lines
    problems = pd.read_csv(errors_out)
    assert list(zip(problems["column"], problems["rows"])) == [("quantity", 1), ("region", 1)]
    rows = pd.read_csv(by_row)
    assert list(zip(rows["row"], rows["column"])) == [(2, "quantity"), (4, "region")]
    assert fingerprint(store.make_engine(any_demo_copy_url)) == before


def test_skip_invalid_writes_the_rejected_rows(any_demo_copy_url, tmp_path, capsys):
    rows = valid_rows(3)
    rows[1]["unit"] = "rounds"
    path = tmp_path / "mixed.csv"
    path.write_bytes(csv_bytes(rows))
    out_path = tmp_path / "fix-me.csv"
    before = lines_in(any_demo_copy_url)
    command = ["--db-url", any_demo_copy_url, "import", str(path), "--skip-invalid", "--rejected-out", str(out_path)]
    assert main(command) == 0
    assert "imported 2 of 3 rows" in capsys.readouterr().out
    assert lines_in(any_demo_copy_url) == before + 2
    rejected = pd.read_csv(out_path, dtype=str)
    assert list(rejected.columns) == [*HEADER, "import_errors"]
    assert list(rejected["case_ref"]) == ["T-2"]
    assert "firearm is not counted in rounds" in rejected.loc[0, "import_errors"]


def test_template_files_and_a_missing_file(demo_copy_url, tmp_path, capsys):
    assert main(["--db-url", demo_copy_url, "template", "--out", str(tmp_path / "t.xlsx")]) == 0
    assert (tmp_path / "t.xlsx").read_bytes()[:2] == b"PK"
    assert main(["--db-url", demo_copy_url, "template", "--out", str(tmp_path / "t.csv")]) == 0
    assert (tmp_path / "t-allowed-values.csv").exists()
    assert main(["--db-url", demo_copy_url, "template", "--out", str(tmp_path / "t.pdf")]) == EXIT_BAD_INPUT
    assert main(["--db-url", demo_copy_url, "import", str(tmp_path / "missing.csv")]) == EXIT_BAD_INPUT
    assert "no such file" in capsys.readouterr().err


HOLDER = textwrap.dedent("""
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1])  # a writing connection: the file is locked for other processes
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
    con.close()
""")


def hold_file(url: str, seconds: float) -> subprocess.Popen:
    """Another process (as the app would be, mid-query) holding the DuckDB file for some seconds."""
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, sa.make_url(url).database, str(seconds)],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "holding"
    return holder


def run_cli(url: str, *args: str, wait: float) -> subprocess.CompletedProcess:
    env = {**os.environ, "SEIZURES_LOCK_WAIT_SECONDS": str(wait)}
    return subprocess.run([sys.executable, "-m", "seizures", "--db-url", url, *args],
                          capture_output=True, text=True, env=env, timeout=120)


def test_an_import_waits_for_a_briefly_held_file(demo_copy_url, tmp_path):
    path = tmp_path / "new.csv"
    path.write_bytes(csv_bytes([row(case_ref="LOCK-1")]))
    holder = hold_file(demo_copy_url, 1.5)
    started = time.monotonic()
    run = run_cli(demo_copy_url, "import", str(path), wait=30)
    holder.wait(timeout=30)
    assert run.returncode == 0, run.stderr
    assert "imported 1 of 1 rows" in run.stdout
    assert time.monotonic() - started >= 1.0  # it did wait for the holder


def test_an_import_says_who_holds_the_file(demo_copy_url, tmp_path):
    path = tmp_path / "new.csv"
    path.write_bytes(csv_bytes([row(case_ref="LOCK-2")]))
    holder = hold_file(demo_copy_url, 30)
    try:
        run = run_cli(demo_copy_url, "import", str(path), wait=0.5)
    finally:
        holder.terminate()
        holder.wait(timeout=30)
    assert run.returncode == EXIT_BAD_INPUT
    assert run.stderr.startswith("seizures: error: the database ")
    assert f"in use by another process (PID {holder.pid}" in run.stderr
    assert "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_importing_into_a_store_without_schema_says_what_to_do(engine_kind, new_store_url, tmp_path, capsys):
    path = tmp_path / "new.csv"
    path.write_bytes(csv_bytes([row()]))
    assert main(["--db-url", new_store_url(engine_kind), "import", str(path)]) == EXIT_BAD_INPUT
    assert "run `seizures init` first" in capsys.readouterr().err
