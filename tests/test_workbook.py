"""Reading a workbook in its own process within budgets (upload.py, workbook.py): issue 15's padded workbook and
each budget, refused with a message and nothing written; and the values read as the server read them before."""

from __future__ import annotations

import datetime as dt
import io
import random
import sys
import time

import pytest

from import_files import (HEADER, MAIN_NS, errors_at, fingerprint, padded_workbook, padding_of_empty_rows,
                          raw_workbook, sheet_rows_xml, valid_rows)
from seizures import ingest, settings, upload

TODAY = dt.date(2024, 6, 30)
ROWS = [HEADER] + [[r[h] for h in HEADER] for r in valid_rows(3, "W")]


def read(data: bytes, **budgets):
    """read_upload with the default budgets changed as given: (header, rows, cell problems, notes)."""
    chosen = settings.xlsx_budgets().__class__(**{**vars(settings.xlsx_budgets()), **budgets})
    with upload.read_upload(data, 200, ingest._check_known_columns, chosen) as raw:
        rows = raw.con.execute("SELECT * FROM raw ORDER BY row").fetchall()
        return raw.header, rows, [(p.row, p.column_index, p.value) for p in raw.cell_problems], raw.notes


def refusal(data: bytes, **budgets) -> upload.UploadError:
    with pytest.raises(upload.UploadError) as caught:
        read(data, **budgets)
    return caught.value


def sheet(body: str) -> bytes:
    return f'<worksheet xmlns="{MAIN_NS}"><sheetData>{body}</sheetData></worksheet>'.encode()


# --- issue 15: the padded workbook --------------------------------------------------------------------------


def test_the_padded_workbook_is_refused_at_excels_row_limit_with_bounded_memory(any_demo_copy_engine):
    """A header, 3 valid rows and 30 MB of empty <row/> elements packed 7 times (issue 15's file was 600 MB): the
    rows are counted as they stream, so the refusal comes after about 1 M rows, with the reader's memory flat."""
    data = padded_workbook(30)
    before = fingerprint(any_demo_copy_engine)
    result = ingest.import_file(any_demo_copy_engine, data, "padded.xlsx", today=TODAY, user="tester")
    assert result.status == "rejected"
    assert result.file_error.startswith('the sheet "records" has more than 1,048,576 rows, the most Excel allows')
    assert settings.XLSX_ROWS_SETTING in result.file_error
    assert fingerprint(any_demo_copy_engine) == before
    with pytest.raises(upload.WorkbookRefused) as caught:
        upload.read_upload(data, 200, ingest._check_known_columns)
    stats = caught.value.stats
    assert stats["rows"] == settings.EXCEL_MAX_ROWS + 1
    assert stats["xml_bytes"] < 12 * upload.MB  # stopped early: the file unpacks to 30 MB
    assert stats["peak_mb"] < 60  # the reader holds one row at a time (about 17 MB measured)


def test_a_row_numbered_beyond_the_limit_is_refused():
    body = sheet_rows_xml(ROWS).decode() + '<row r="1048577"><c t="inlineStr"><is><t>x</t></is></c></row>'
    assert "1,048,576 rows" in str(refusal(raw_workbook(sheet(body))))


def test_the_header_is_checked_as_soon_as_it_is_read(monkeypatch):
    """A workbook that is not a records file is refused at its first row, not after its padding is read."""
    data = raw_workbook(rows=[["Dear colleagues"], ["please find the figures attached"]],
                        pad=padding_of_empty_rows(30))
    error = refusal(data, rows=10_000_000)
    assert "none of the expected column names" in str(error)


# --- each budget --------------------------------------------------------------------------------------------


def test_the_cells_budget_counts_empty_cells():
    body = sheet_rows_xml(ROWS).decode() + "<row>" + "<c/>" * 5000 + "</row>"
    error = refusal(raw_workbook(sheet(body)), cells=4000)
    assert "more than 4,000 cells" in str(error) and settings.XLSX_CELLS_SETTING in str(error)
    assert read(raw_workbook(sheet(body)), cells=6000)[0] == HEADER


def test_the_xml_budget_counts_what_is_unpacked():
    """Whitespace between rows is no row and no cell, but it is XML read: the bytes budget stops it."""
    data = raw_workbook(rows=ROWS, pad=lambda: iter([b" " * upload.MB] * 3))
    error = refusal(data, xml_mb=2)
    assert "more than 2 MB of XML (in xl/worksheets/sheet1.xml)" in str(error)
    assert settings.XLSX_XML_SETTING in str(error)
    assert len(read(data, xml_mb=4)[1]) == 3


def test_the_memory_budget_is_enforced_by_the_kernel():
    """Distinct shared strings must be held while the sheet is read: RLIMIT_AS stops a table too large."""
    noise = random.Random(15).randbytes(60_000 * 8).hex()
    strings = "".join(f"<si><t>{noise[i * 16:i * 16 + 16]}{'x' * 2000}</t></si>" for i in range(60_000))  # 120 MB
    data = raw_workbook(rows=ROWS, parts={
        "xl/sharedStrings.xml": f'<sst xmlns="{MAIN_NS}">{strings}</sst>'.encode(),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats'
            '.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
        ).encode(),
    })
    error = refusal(data, memory_mb=80)
    assert "needed more than 80 MB of memory" in str(error) and settings.XLSX_MEMORY_SETTING in str(error)
    assert len(read(data, memory_mb=1024)[1]) == 3


def test_a_reader_that_overruns_its_time_is_killed(monkeypatch):
    """The wall-clock budget holds even when the reader never reports: the parent kills it."""
    monkeypatch.setattr(upload, "READER", [sys.executable, "-c", "import time; time.sleep(600)"])
    monkeypatch.setattr(upload, "GRACE_SECONDS", 0.5)
    started = time.monotonic()
    error = refusal(raw_workbook(rows=ROWS), seconds=1)
    assert "took more than 1 seconds" in str(error) and settings.XLSX_SECONDS_SETTING in str(error)
    assert time.monotonic() - started < 30  # killed, not waited for (a generous bound for a loaded machine)


def test_the_reader_stops_itself_at_its_time_budget():
    data = raw_workbook(rows=ROWS, pad=padding_of_empty_rows(30))
    error = refusal(data, seconds=0.2, rows=10_000_000)
    assert "took more than 0.2 seconds" in str(error)


def test_a_cell_longer_than_excel_allows_is_refused():
    rows = [HEADER, [*ROWS[1][:-1], "x" * 32_768]]
    assert "more than 32,767 characters" in str(refusal(raw_workbook(rows=rows)))
    rows[1][-1] = "x" * 32_767
    assert read(raw_workbook(rows=rows))[1][0][-1] == "x" * 32_767


@pytest.mark.parametrize("prolog", [
    '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">]>',
    '<!-- ' + "c" * 100_000 + ' --><!DOCTYPE worksheet SYSTEM "http://evil.example/x.dtd">',
])
def test_a_document_type_is_refused_before_it_is_parsed(prolog):
    data = raw_workbook(f'<?xml version="1.0"?>{prolog}'.encode() + sheet("<row><c><v>1</v></c></row>"))
    assert "declares a document type (DTD)" in str(refusal(data))


@pytest.mark.parametrize("body, message", [
    ("<row><c t=\"s\"><v>7</v></c></row>", "cannot read the workbook: IndexError"),
    ("<row><c><v>1</v></c>", "cannot read the workbook: XML error"),
    ("<row><c>&undefined;</c></row>", "cannot read the workbook: XML error"),
])
def test_a_broken_sheet_is_refused(body, message):
    assert message in str(refusal(raw_workbook(sheet(body))))


def test_the_zip_bomb_check_reads_no_member_whole(monkeypatch):
    """The OpenDocument check reads the start of "mimetype", not all of it (it could be a bomb itself)."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("mimetype", b"application/zip" + b" " * (50 * upload.MB))
    read_sizes = []
    real = zipfile.ZipExtFile.read
    monkeypatch.setattr(zipfile.ZipExtFile, "read", lambda self, n=-1: read_sizes.append(n) or real(self, n))
    with pytest.raises(upload.UploadError):
        upload._check_workbook_zip(out.getvalue())
    assert read_sizes and all(0 < n <= 100 for n in read_sizes)


# --- values: as the server read them before ------------------------------------------------------------------


def test_values_read_as_before():
    """Dates in a date format, numbers, booleans, shared strings with runs (not the phonetic guide), cells without
    references, escapes of control characters, and a formula reported at its cell."""
    from openpyxl import Workbook

    book = Workbook()
    records = book.active
    records.title = "records"
    book.create_sheet("notes").append(["not read"])
    records.append([*HEADER, "source"])
    records.append([dt.datetime(2023, 3, 5, 14, 30), "PZ", "Prizren", "firearm", "pistol", 2, "pieces",
                    "house_search", "C-1", True])
    records.append([dt.date(2023, 3, 6), "PZ", None, "explosive", "explosive", 0.1 + 0.2, "kg", "other", 12345,
                    "=1+1"])
    records.append([None] * 10)  # a blank row is skipped
    records.append(["2023-03-07", "PZ", "", "firearm", "pistol", 1.0, "pieces", "other", "C-3", 2.5])
    out = io.BytesIO()
    book.save(out)
    header, rows, problems, notes = read(out.getvalue())
    assert header == [*HEADER, "source"]
    assert rows == [
        (2, "2023-03-05", "PZ", "Prizren", "firearm", "pistol", "2", "pieces", "house_search", "C-1", "true"),
        (3, "2023-03-06", "PZ", None, "explosive", "explosive", "0.3", "kg", "other", "12345", "=1+1"),
        (5, "2023-03-07", "PZ", None, "firearm", "pistol", "1", "pieces", "other", "C-3", "2.5"),
    ]
    assert problems == [(3, 9, "=1+1")]
    assert notes == ['Read the sheet "records".']


def test_shared_strings_references_and_escapes():
    strings = ('<si><t>case</t></si><si><r><t>C-</t></r><r><rPr><b/></rPr><t>7</t></r>'
               '<rPh sb="0" eb="1"><t>PHONETIC</t></rPh></si><si><t>A_x0009_B_x005F_x0000_</t></si>')
    body = ('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
            '<row r="4"><c r="A4" t="s"><v>1</v></c><c t="s"><v>2</v></c><c r="XFD4"><v>1</v></c></row>')
    rels = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'worksheet" Target="/xl/worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
            '</Relationships>')
    data = raw_workbook(sheet(body), parts={"xl/sharedStrings.xml": f'<sst xmlns="{MAIN_NS}">{strings}</sst>'.encode(),
                                            "xl/_rels/workbook.xml.rels": rels.encode()})
    with upload.read_upload(data, 200) as raw:
        assert raw.header == ["case"]
        assert raw.con.execute("SELECT * FROM raw").fetchall() == [(4, "C-7")]
    # a second column in the header shows the escapes: a tab, and "_x0000_" written escaped (not a NUL)
    body = body.replace('<c r="A1" t="s"><v>0</v></c>', '<c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>0</v></c>')
    data = raw_workbook(sheet(body), parts={"xl/sharedStrings.xml": f'<sst xmlns="{MAIN_NS}">{strings}</sst>'.encode(),
                                            "xl/_rels/workbook.xml.rels": rels.encode()})
    with upload.read_upload(data, 200) as raw:
        assert raw.con.execute("SELECT * FROM raw").fetchall() == [(4, "C-7", "A\tB_x0000_")]


def test_line_breaks_and_quotes_inside_cells():
    """A carriage return (written _x000D_, as Excel does), a line feed and quotes, in the first row and later."""
    tricky = ["a_x000D_b", "c\nd", 'say "x", then _x000D_']
    rows = [["h1", "h2", "h3"], tricky, ["plain", "=not a formula", '"']]
    with upload.read_upload(raw_workbook(rows=rows), 200) as raw:
        assert raw.con.execute("SELECT * FROM raw ORDER BY row").fetchall() == [
            (2, "a\rb", "c\nd", 'say "x", then \r'), (3, "plain", "=not a formula", '"')]


def test_dates_of_the_1904_system():
    styles = (f'<styleSheet xmlns="{MAIN_NS}"><numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>'
              '</numFmts><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="14"/></cellXfs>'
              '</styleSheet>')
    rels = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats'
            '.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>')
    body = ('<row><c t="inlineStr"><is><t>a</t></is></c><c t="inlineStr"><is><t>b</t></is></c>'
            '<c t="inlineStr"><is><t>c</t></is></c></row>'
            '<row><c s="1"><v>43529</v></c><c s="2"><v>43529.5</v></c><c s="0"><v>43529</v></c></row>')
    workbook_1904 = (f'<workbook xmlns="{MAIN_NS}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
                     'relationships"><workbookPr date1904="1"/><sheets><sheet name="s" sheetId="1" r:id="rId1"/>'
                     '</sheets></workbook>')
    parts = {"xl/styles.xml": styles.encode(), "xl/_rels/workbook.xml.rels": rels.encode()}
    data = raw_workbook(sheet(body), parts=parts)
    with upload.read_upload(data, 200) as raw:
        assert raw.con.execute("SELECT * FROM raw").fetchall() == [(2, "2019-03-05", "2019-03-05", "43529")]
    data = raw_workbook(sheet(body), parts={**parts, "xl/workbook.xml": workbook_1904.encode()})
    with upload.read_upload(data, 200) as raw:
        assert raw.con.execute("SELECT * FROM raw").fetchall() == [(2, "2023-03-06", "2023-03-06", "43529")]


def test_a_valid_workbook_imports(any_demo_copy_engine):
    result = ingest.import_file(any_demo_copy_engine, raw_workbook(rows=ROWS), "ok.xlsx", today=TODAY, user="t")
    assert result.status == "imported", (result.file_error, result.errors)
    assert result.rows_accepted == 3


def test_a_formula_is_still_refused_at_its_cell(any_demo_copy_engine):
    body = sheet_rows_xml(ROWS).decode().replace("<t>W-2</t></is></c>", "<t>W-2</t></is><f>A1</f></c>")
    result = ingest.import_file(any_demo_copy_engine, raw_workbook(sheet(body)), "f.xlsx", today=TODAY, user="t")
    assert errors_at(result) == {(3, "case_ref")}
    assert "formula" in result.errors.loc[0, "reason"]
