import subprocess
import sys

from seizures.cli import main


def test_init_demo_then_summary(tmp_path, capsys):
    url = f"duckdb:///{tmp_path / 'cli.duckdb'}"
    assert main(["--db-url", url, "init"]) == 0
    assert main(["--db-url", url, "init", "--demo"]) == 0
    out = capsys.readouterr().out
    assert "illustrative seizure lines loaded" in out
    assert main(["--db-url", url, "init", "--demo"]) == 0
    assert "already loaded" in capsys.readouterr().out
    assert main(["--db-url", url, "summary"]) == 0
    out = capsys.readouterr().out
    for line in ("2019: published firearm 1,439 pieces = records 1,439",
                 "2020: published firearm 1,135 pieces = records 1,135",
                 "2022: published firearm 1,473 pieces = records 1,473",
                 "2021: published ammunition more than 42,000 rounds = records 42,433",
                 "2017-2021: published firearm 6,538 pieces records do not cover every year"):
        assert line in out


def test_summary_of_an_empty_schema(tmp_path, capsys):
    url = f"duckdb:///{tmp_path / 'e.duckdb'}"
    assert main(["--db-url", url, "init"]) == 0
    assert main(["--db-url", url, "summary"]) == 0
    assert "no seizure records" in capsys.readouterr().out


def test_summary_before_init_says_what_to_do(tmp_path, capsys):
    assert main(["--db-url", f"duckdb:///{tmp_path / 'n.duckdb'}", "summary"]) == 2
    assert "seizures init --demo" in capsys.readouterr().err


def test_bad_db_url_exits_2_with_one_line(tmp_path):
    for url in ("not-a-url", f"duckdb:///{tmp_path}/no/such/folder/x.duckdb", "postgresql+psycopg://u@127.0.0.1:1/x"):
        run = subprocess.run(
            [sys.executable, "-m", "seizures", "--db-url", url, "summary"], capture_output=True, text=True
        )
        assert run.returncode == 2, run.stderr
        assert run.stderr.startswith("seizures: error: ")
        assert len(run.stderr.strip().splitlines()) == 1
        assert "Traceback" not in run.stderr
