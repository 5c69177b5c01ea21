"""Downloads of the filtered seizure lines, generated from the database query for the filter (CSV and Excel).

Both are safe to open in a spreadsheet (spreadsheet.py): imported text such as `=HYPERLINK(...)` is written so that
it cannot run, as `'=HYPERLINK(...)` in the CSV and as a string cell in the workbook."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Iterable, Mapping

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


# Code column -> the name of the column the exports add beside it, with the code's label (in the page's language).
LABEL_COLUMNS = {"region_code": "region", "category": "category_label", "weapon_type": "weapon_type_label",
                 "unit": "unit_label", "context": "context_label"}
Labels = Mapping[str, Mapping[str, str]]  # code column -> {code: label}


def header(labels: Labels | None = None) -> list[str]:
    """The exports' columns: the stored ones (as the import template and the demo file name them, so that a file can
    be imported again), then the labels of the coded ones, where given."""
    return [*queries.RECORD_COLUMNS, *(LABEL_COLUMNS[c] for c in LABEL_COLUMNS if labels and c in labels)]


def _rows(engine: sa.Engine, flt: SeizureFilter, sort: str, descending: bool, labels: Labels | None = None
          ) -> Iterable[tuple]:
    positions = [(queries.RECORD_COLUMNS.index(c), labels[c]) for c in LABEL_COLUMNS if labels and c in labels]
    for row in queries.iter_records(engine, flt, sort, descending):
        yield (*(_cell(v) for v in row), *(names.get(row[i], row[i]) for i, names in positions))


def records_csv(engine: sa.Engine, flt: SeizureFilter, sort: str = "seized_on", descending: bool = False,
                labels: Labels | None = None) -> bytes:
    """Every line that matches the filter, as UTF-8 CSV with a header: the stored columns (codes, as the demo file
    has them), then their labels where `labels` gives them."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=spreadsheet.LINE_END)
    writer.writerow(header(labels))
    for row in _rows(engine, flt, sort, descending, labels):
        writer.writerow(spreadsheet.csv_row("true" if v is True else "false" if v is False else v for v in row))
    return buffer.getvalue().encode("utf-8")


def describe_filter(flt: SeizureFilter) -> list[tuple[str, str]]:
    params = to_query_params(flt)
    return [(name, params.get(name, "all")) for name in ("from", "to", "region", "category", "weapon", "context")]


def records_xlsx(engine: sa.Engine, flt: SeizureFilter, sort: str = "seized_on", descending: bool = False,
                 labels: Labels | None = None) -> bytes:
    """Every line that matches the filter as an Excel workbook: sheet "records", and sheet "about" with the filter.

    Raises ValueError when the lines do not fit on one sheet (check queries.record_counts first).
    """
    book = Workbook(write_only=True)
    sheet = book.create_sheet("records")
    bold = Font(bold=True)
    heading = []
    for name in header(labels):
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        heading.append(cell)
    sheet.append(heading)
    date_index = queries.RECORD_COLUMNS.index("seized_on")
    count = 0
    for row in _rows(engine, flt, sort, descending, labels):
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
