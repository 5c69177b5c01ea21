"""Builders of import files for the tests, and a fingerprint of a store (either engine) to prove nothing was written."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa

HEADER = ["seized_on", "region", "municipality", "category", "weapon_type", "quantity", "unit", "context", "case_ref"]
VALID = {
    "seized_on": "2023-03-05", "region": "PZ", "municipality": "Prizren", "category": "firearm",
    "weapon_type": "pistol", "quantity": "1", "unit": "pieces", "context": "house_search", "case_ref": "T-1",
}


def row(**changes: str) -> dict[str, str]:
    """A valid row with some cells changed."""
    return {**VALID, **changes}


def csv_bytes(rows: list[dict[str, str]], header: list[str] | None = None, *, delimiter: str = ",",
              encoding: str = "utf-8", line_end: str = "\n") -> bytes:
    header = header or HEADER
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=line_end)
    writer.writerow(header)
    for r in rows:
        writer.writerow([r.get(h, "") for h in header])
    return out.getvalue().encode(encoding)


def valid_rows(n: int, prefix: str = "T") -> list[dict[str, str]]:
    return [row(case_ref=f"{prefix}-{i}") for i in range(1, n + 1)]


# An order-independent checksum of a table's rows, in SQL: DuckDB's row hash, PostgreSQL's md5 of the row's text.
ROW_CHECKSUM = {
    "duckdb": "coalesce(sum(hash(t)::HUGEINT), 0)",
    "postgresql": "coalesce(sum(('x' || left(md5(CAST(t AS text)), 16))::bit(64)::bigint), 0)",
}


def fingerprint(engine: sa.Engine) -> dict[str, tuple[int, int]]:
    """Row count and checksum of every table of the store."""
    checksum = ROW_CHECKSUM[engine.dialect.name]
    with engine.connect() as conn:
        names = conn.exec_driver_sql(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1"
        ).scalars().all()
        return {
            name: tuple(conn.exec_driver_sql(f'SELECT count(*), {checksum} FROM "{name}" t').one())
            for name in names
        }


def errors_at(result) -> set[tuple[int, str]]:
    """(row, column) of every problem reported."""
    return {(int(r), c) for r, c in zip(result.errors["row"], result.errors["column"])}


# --- hostile workbooks, built with zipfile directly ----------------------------------------------------------

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORKBOOK_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
        'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/></Types>'),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
    "xl/workbook.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>'
        '<sheet name="records" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        f'2006/relationships"><Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
        '</Relationships>'),
}
WHITESPACE = bytes(b" \t\r\n"[i % 4] for i in range(256))


def sheet_rows_xml(rows: list[list[str]]) -> bytes:
    """<row> elements of inline strings (row 1 first)."""
    from xml.sax.saxutils import escape

    return "".join(
        f'<row r="{n}">' + "".join(f'<c t="inlineStr"><is><t>{escape(v)}</t></is></c>' for v in values) + "</row>"
        for n, values in enumerate(rows, start=1)
    ).encode()


def raw_workbook(sheet_xml: bytes | None = None, rows: list[list[str]] | None = None, pad=None,
                 out=None, parts: dict[str, bytes] | None = None) -> bytes | None:
    """A minimal .xlsx written with zipfile: the sheet's XML as given, or a header and rows of inline strings
    followed by pad() chunks of bytes inside sheetData. `parts` adds or replaces parts by name. Written to `out`
    (a path) if given, else returned."""
    import io
    import zipfile

    target = out if out is not None else io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in {**WORKBOOK_PARTS, **(parts or {})}.items():
            archive.writestr(name, content)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            if sheet_xml is not None:
                sheet.write(sheet_xml)
            else:
                sheet.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>'.encode())
                sheet.write(sheet_rows_xml(rows or []))
                for chunk in pad() if pad else ():
                    sheet.write(chunk)
                sheet.write(b"</sheetData></worksheet>")
    return None if out is not None else target.getvalue()


def padding_of_empty_rows(expanded_mb: float, seed: int = 15):
    """Chunks of empty <row/> elements, each followed by 3 random whitespace characters: deflate packs them about
    7 times (600 MB into about 83 MB), under the zip-bomb ratio limit, as in issue 15's attack."""
    import random

    size = 1 << 20
    noise = random.Random(seed).randbytes(size).translate(WHITESPACE)
    chunk = bytearray()
    for i in range(0, size, 3):
        chunk += b"<row/>" + noise[i:i + 3]
        if len(chunk) >= size:
            break
    whole, rest = divmod(int(expanded_mb * (1 << 20)), len(chunk))

    def chunks():
        for _ in range(whole):
            yield bytes(chunk)
        cut = chunk[:rest]
        yield bytes(cut[: cut.rfind(b">") + 1])

    return chunks


def padded_workbook(expanded_mb: float = 600, data_rows: int = 3, out=None) -> bytes | None:
    """Issue 15's padded workbook: a header, a few valid rows, then expanded_mb of empty rows."""
    rows = [HEADER] + [[r[h] for h in HEADER] for r in valid_rows(data_rows, "PAD")]
    return raw_workbook(rows=rows, pad=padding_of_empty_rows(expanded_mb), out=out)


def demo_vocabulary():
    """The demo's vocabulary (data/vocabulary.csv), as reference.read_vocabulary gives it from a demo store."""
    import pandas as pd

    from seizures import reference, settings

    frame = pd.read_csv(settings.data_dir() / "vocabulary.csv", keep_default_na=False)
    return reference.vocabulary_of(frame.to_dict("records"))


def demo_allowed(regions=("PR", "PZ", "PE", "GJ", "MS", "MN", "GL", "FE")) -> dict:
    """What a link on the demo store may name (filters.allowed_codes)."""
    from seizures.filters import allowed_codes

    return allowed_codes(regions, demo_vocabulary())
