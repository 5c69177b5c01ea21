"""Values the store should not take (issue 15), in CSV and XLSX files: control characters anywhere in a file, more
precision than is stored, whole units judged on the text, and dates that do not exist."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import sqlalchemy as sa

from import_files import HEADER, csv_bytes, errors_at, fingerprint, raw_workbook, row, valid_rows
from seizures import ingest, schema, upload

TODAY = dt.date(2024, 6, 30)
COLUMNS = [*HEADER, "source"]
EXPLOSIVE = {"category": "explosive", "weapon_type": "explosive", "unit": "kg"}


def as_file(kind: str, rows: list[dict[str, str]]) -> tuple[bytes, str]:
    """The rows as a CSV file, or as a workbook of text cells (XML cannot hold a control character: a workbook
    writes it as the escape _xHHHH_, which Excel and the reader decode)."""
    if kind == "csv":
        return csv_bytes(rows, COLUMNS), "values.csv"
    escaped = [[("".join(f"_x{ord(ch):04X}_" if ord(ch) < 32 and ch not in "\t\n\r" else ch for ch in r.get(c, "")))
                for c in COLUMNS] for r in rows]
    return raw_workbook(rows=[COLUMNS, *escaped]), "values.xlsx"


def run(engine, kind: str, rows: list[dict[str, str]], **kwargs) -> ingest.ImportResult:
    data, name = as_file(kind, rows)
    return ingest.import_file(engine, data, name, today=TODAY, user="tester", **kwargs)


def stored(engine, column: str, where) -> list:
    s = schema.seizures
    with engine.connect() as conn:
        return conn.execute(sa.select(s.c[column]).where(where).order_by(s.c.id)).scalars().all()


KINDS = ["csv", "xlsx"]


# --- control characters -------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_a_nul_after_2000_good_rows_is_refused_at_its_cell(any_demo_copy_engine, kind):
    """The binary-file check reads a file's first 64 KB; a NUL further on reached the store (and PostgreSQL
    cannot hold one). It is now a problem of its cell, whatever its place."""
    rows = valid_rows(2100, "NUL")
    rows[2050]["case_ref"] = "NUL-2051\x00X"
    before = fingerprint(any_demo_copy_engine)
    result = run(any_demo_copy_engine, kind, rows)
    assert result.status == "rejected", result.file_error
    assert errors_at(result) == {(2052, "case_ref")}
    assert result.errors.loc[0, "reason"].startswith("holds a control character (code 0, shown as ␀)")
    assert result.errors.loc[0, "value"] == "NUL-2051␀X"
    assert fingerprint(any_demo_copy_engine) == before


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("column, value", [
    ("region", "P\x01Z"), ("quantity", "1\x1b"), ("source", "a\x1fb"), ("seized_on", "2023-03-05\x0b"),
    ("municipality", "Prizren\x0c"), ("context", "other\x7f\x02"),
])
def test_other_control_characters_too_with_that_reason_alone(any_demo_copy_engine, kind, column, value):
    rows = valid_rows(3, "C")
    rows[1][column] = value
    result = run(any_demo_copy_engine, kind, rows)
    assert errors_at(result) == {(3, column)}
    assert len(result.errors) == 1 and "control character" in result.errors.loc[0, "reason"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1250", "utf-16"])
@pytest.mark.parametrize("value", ["Prizren\x01 ë", "Prizren \u2401 ë"])
def test_a_control_character_or_its_symbol_is_refused_at_its_cell_in_every_encoding(any_demo_copy_engine, encoding,
                                                                                      value):
    # The reader's one look at the bytes lets a file without any control character skip the check per cell
    # (upload.RawTable.control_free); a file holding one, in whatever encoding, is still checked cell by cell.
    if encoding == "cp1250" and "\u2401" in value:
        value = value.replace("\u2401", "\x02")  # Windows-1250 has no such symbol
    rows = valid_rows(3, "E")
    rows[1]["source"] = value
    data = csv_bytes(rows, COLUMNS, encoding=encoding)
    result = ingest.import_file(any_demo_copy_engine, data, "encoded.csv", today=TODAY, user="tester")
    assert result.status == "rejected" and errors_at(result) == {(3, "source")}
    assert "control character" in result.errors.loc[0, "reason"]


def test_the_reader_says_when_no_cell_can_hold_a_control_character():
    clean = csv_bytes(valid_rows(2, "F"), COLUMNS)
    with upload.read_upload(clean) as raw:
        assert raw.control_free
    with upload.read_upload(csv_bytes(valid_rows(2, "F"), COLUMNS, encoding="cp1250")) as raw:
        assert raw.control_free
    for data in (clean.replace(b"F-2", b"F\x1f2"), clean.replace(b"F-2", "F\u240042".encode()),
                 csv_bytes(valid_rows(2, "F"), COLUMNS, encoding="utf-16"), as_file("xlsx", valid_rows(2, "F"))[0]):
        with upload.read_upload(data) as raw:
            assert not raw.control_free


@pytest.mark.parametrize("kind", KINDS)
def test_tab_line_feed_and_carriage_return_are_kept(any_demo_copy_engine, kind):
    rows = [row(case_ref="TAB-1", source="first\tsecond"), row(case_ref="LF-1", source="line 1\nline 2")]
    result = run(any_demo_copy_engine, kind, rows)
    assert result.status == "imported", result.errors
    s = schema.seizures
    assert stored(any_demo_copy_engine, "source", s.c.import_id == result.import_id) == ["first\tsecond", "line 1\nline 2"]


def test_a_binary_file_is_still_refused_as_a_whole(any_demo_copy_engine):
    result = ingest.import_file(any_demo_copy_engine, b"seized_on,region\x00\x01\x02" * 100, "b.csv")
    assert "not a text file" in result.file_error


def test_the_rejected_row_shows_the_symbol_and_is_refused_again_uncorrected(any_demo_copy_engine):
    rows = valid_rows(2000, "GOOD") + [row(case_ref="BAD\x00-1")]  # past the first 64 KB: not a binary file
    result = run(any_demo_copy_engine, "csv", rows, skip_invalid=True)
    assert result.status == "imported" and result.rejected_rows["case_ref"].tolist() == ["BAD␀-1"]
    again = result.rejected_rows.to_csv(index=False).encode()
    assert b"\x00" not in again
    result = ingest.import_file(any_demo_copy_engine, again, "rejected.csv", today=TODAY, user="t")
    assert result.status == "rejected" and errors_at(result) == {(2, "case_ref")}
    assert "control character (code 0, shown as ␀)" in result.errors.loc[0, "reason"]


# --- quantities: the text, not the double ------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("changes, reason", [
    ({**EXPLOSIVE, "quantity": "0.0000000000000000000001"}, "more than 3 decimals: quantities are stored to 0.001 kg"),
    ({**EXPLOSIVE, "quantity": "0.0005"}, "more than 3 decimals"),
    ({**EXPLOSIVE, "quantity": "2.1234"}, "stored to 0.001 kg"),
    ({"quantity": "1.0000000000000000000001"}, "pieces are counted in whole numbers"),
    ({"category": "ammunition", "unit": "rounds", "quantity": "50.00000000000000000001"}, "rounds are counted in whole"),
])
def test_quantities_beyond_the_stored_precision(any_demo_copy_engine, kind, changes, reason):
    rows = valid_rows(3, "Q")
    rows[1].update(changes)
    result = run(any_demo_copy_engine, kind, rows)
    assert errors_at(result) == {(3, "quantity")}
    assert reason in result.errors.loc[0, "reason"]


@pytest.mark.parametrize("kind", KINDS)
def test_quantities_within_the_stored_precision(any_demo_copy_engine, kind):
    rows = [row(case_ref="K-1", **EXPLOSIVE, quantity="0.001"), row(case_ref="K-2", **EXPLOSIVE, quantity="2.5000"),
            row(case_ref="P-1", quantity="3.000"), row(case_ref="P-2", quantity="7")]
    result = run(any_demo_copy_engine, kind, rows)
    assert result.status == "imported", result.errors
    s = schema.seizures
    assert stored(any_demo_copy_engine, "quantity", s.c.import_id == result.import_id) == [0.001, 2.5, 3, 7]


# --- dates that do not exist ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("value", ["31.02.2024", "2024-02-30", "29.02.2023", "2023-13-01", "00.01.2024", "31.04.2023."])
def test_an_impossible_date_is_no_such_date(any_demo_copy_engine, kind, value):
    rows = valid_rows(3, "D")
    rows[1]["seized_on"] = value
    result = run(any_demo_copy_engine, kind, rows)
    assert errors_at(result) == {(3, "seized_on")}
    assert result.errors.loc[0, "reason"].startswith("no such date")


@pytest.mark.parametrize("kind", KINDS)
def test_a_leap_day_is_a_date(any_demo_copy_engine, kind):
    result = run(any_demo_copy_engine, kind, [row(case_ref="LEAP-1", seized_on="29.02.2024")])
    assert result.status == "imported", result.errors
