"""Downloads of the filtered seizure lines, generated from the database query for the filter (CSV and Excel).

Both are safe to open in a spreadsheet (spreadsheet.py): imported text such as `=HYPERLINK(...)` is written so that
it cannot run, as `'=HYPERLINK(...)` in the CSV and as a string cell in the workbook."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Iterable

import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from seizures import queries, spreadsheet
from seizures.filters import SeizureFilter, to_query_params

EXCEL_MAX_ROWS = 1_048_576 - 1  # one sheet, less the header row
ILLUSTRATIVE_SOURCE_NOTE = (
    "Rows with illustrative = true are generated demo data, not real records; only published national totals are real."
)


def _cell(value):
    """Quantities to the gram (the store may keep them as 32-bit floats: 1.4 reads 1.39999998), whole ones as int."""
    if isinstance(value, float):
        value = round(value, 3)
        return int(value) if value.is_integer() else value
    return value


def _rows(engine: sa.Engine, flt: SeizureFilter, sort: str, descending: bool) -> Iterable[tuple]:
    for row in queries.iter_records(engine, flt, sort, descending):
        yield tuple(_cell(v) for v in row)


def records_csv(engine: sa.Engine, flt: SeizureFilter, sort: str = "seized_on", descending: bool = False) -> bytes:
    """Every line that matches the filter, as UTF-8 CSV with a header (the columns of the demo CSV file)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=spreadsheet.LINE_END)
    writer.writerow(queries.RECORD_COLUMNS)
    for row in _rows(engine, flt, sort, descending):
        writer.writerow(spreadsheet.csv_row("true" if v is True else "false" if v is False else v for v in row))
    return buffer.getvalue().encode("utf-8")


def describe_filter(flt: SeizureFilter) -> list[tuple[str, str]]:
    params = to_query_params(flt)
    return [(name, params.get(name, "all")) for name in ("from", "to", "region", "category", "weapon", "context")]


def records_xlsx(engine: sa.Engine, flt: SeizureFilter, sort: str = "seized_on", descending: bool = False) -> bytes:
    """Every line that matches the filter as an Excel workbook: sheet "records", and sheet "about" with the filter.

    Raises ValueError when the lines do not fit on one sheet (check queries.record_counts first).
    """
    book = Workbook(write_only=True)
    sheet = book.create_sheet("records")
    bold = Font(bold=True)
    header = []
    for name in queries.RECORD_COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    date_index = queries.RECORD_COLUMNS.index("seized_on")
    count = 0
    for row in _rows(engine, flt, sort, descending):
        count += 1
        if count > EXCEL_MAX_ROWS:
            raise ValueError(f"more than {EXCEL_MAX_ROWS:,} rows: too many for one Excel sheet, download CSV instead")
        cells = spreadsheet.xlsx_row(sheet, row)
        date = WriteOnlyCell(sheet, value=cells[date_index])
        date.number_format = "yyyy-mm-dd"
        cells[date_index] = date
        sheet.append(cells)
    about = book.create_sheet("about")
    about.append(["Firearms seizure statistics: filtered seizure lines"])
    about.append(["Generated", dt.datetime.now().isoformat(timespec="seconds")])
    about.append(["Rows", count])
    for name, value in describe_filter(flt):
        about.append(spreadsheet.xlsx_row(about, [f"Filter: {name}", value]))
    about.append([ILLUSTRATIVE_SOURCE_NOTE])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
