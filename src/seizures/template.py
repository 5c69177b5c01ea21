"""The import templates: the expected columns, an example row, and the allowed values of every coded column."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from seizures import ingest, spreadsheet, vocab

EXAMPLE_ROW = {
    "seized_on": "05.03.2023",
    "region": "PZ",
    "municipality": "Prizren",
    "category": "firearm",
    "weapon_type": "pistol",
    "quantity": "1",
    "unit": "pieces",
    "context": "house_search",
    "case_ref": f"{ingest.EXAMPLE_PREFIX}-2023-0001",
    "source": "",
}
COLUMN_HELP = {
    "seized_on": "required; date of the seizure: YYYY-MM-DD or DD.MM.YYYY, not in the future",
    "region": "required; regional directorate: code, or its name in Albanian, English or Serbian",
    "municipality": "optional; a municipality of that directorate",
    "category": "required; " + ", ".join(vocab.CATEGORIES),
    "weapon_type": "required; " + ", ".join(vocab.WEAPON_TYPES),
    "quantity": "required; greater than 0; whole numbers for pieces and rounds; at most "
    + ", ".join(f"{limit:,} {unit}" for unit, limit in vocab.QUANTITY_LIMITS.items()) + " per line",
    "unit": "required; " + "; ".join(f"{c}: {' or '.join(u)}" for c, u in vocab.CATEGORY_UNITS.items()),
    "context": "required; " + ", ".join(vocab.CONTEXTS),
    "case_ref": "required; case reference, at most 64 characters; one line per case, category, weapon type and unit",
    "source": "optional; where the record comes from (default: the file name)",
}
RULES = [
    "One row per seized item line; the first row holds the column names (any case, spaces allowed).",
    "Delete the example row (its case reference starts with EXAMPLE) before importing.",
    "A file with any invalid row imports nothing, unless 'import valid rows only' is chosen.",
    "Importing the same file twice changes nothing; a wrong import can be rolled back on the Data page.",
    "Save CSV files as 'CSV UTF-8'; Windows-1250/1252 files are converted and a note says so.",
]


def allowed_values(regions: pd.DataFrame, municipalities: pd.DataFrame) -> pd.DataFrame:
    """column, value, meaning: every accepted code of every coded column (names are accepted for regions too)."""
    rows = [("region", r.code, f"{r.name_en} / {r.name_sq} / {r.name_sr}") for r in regions.itertuples()]
    rows += [("municipality", m.name, f"directorate {m.region_code}") for m in municipalities.itertuples()]
    for column, vocabulary in ingest.CODED.items():
        rows += [(column, code, label) for code, label in vocabulary.items()]
    return pd.DataFrame(rows, columns=["column", "value", "meaning"])


def template_frame() -> pd.DataFrame:
    return pd.DataFrame([EXAMPLE_ROW], columns=list(ingest.COLUMNS))


def template_csv() -> bytes:
    return spreadsheet.csv_bytes(template_frame())


def allowed_values_csv(engine: sa.Engine) -> bytes:
    return spreadsheet.csv_bytes(allowed_values(*ingest.reference_frames(engine)))


def template_xlsx(engine: sa.Engine) -> bytes:
    """A workbook: sheet "records" (header, example row, drop-down lists), "allowed values", "instructions"."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    allowed = allowed_values(*ingest.reference_frames(engine))
    book = Workbook()
    records = book.active
    records.title = "records"
    columns = list(ingest.COLUMNS)
    records.append(columns)
    records.append([EXAMPLE_ROW[c] for c in columns])
    for cell in records[1]:
        cell.font = Font(bold=True)
    records.freeze_panes = "A2"

    lists = book.create_sheet("allowed values")
    lists.append(["column", "value", "meaning"])
    for row in allowed.itertuples(index=False):
        lists.append(list(row))
    for cell in lists[1]:
        cell.font = Font(bold=True)
    # A drop-down on each coded column, pointing at its block of the "allowed values" sheet.
    for column in ("region", "municipality", *ingest.CODED):
        positions = allowed.index[allowed["column"] == column]
        first, last = positions.min() + 2, positions.max() + 2
        letter = get_column_letter(columns.index(column) + 1)
        check = DataValidation(type="list", formula1=f"='allowed values'!$B${first}:$B${last}", allow_blank=True)
        check.error = f"Not an allowed {column}: see the sheet 'allowed values'"
        check.showErrorMessage = column != "region"  # region names in Albanian, English or Serbian are accepted too
        records.add_data_validation(check)
        check.add(f"{letter}2:{letter}100000")

    notes = book.create_sheet("instructions")
    notes.append(["column", "what to write"])
    for column in columns:
        notes.append([column, COLUMN_HELP[column]])
    notes.append([])
    for rule in RULES:
        notes.append([rule])
    for sheet, widths in ((records, [14] * len(columns)), (lists, [14, 32, 50]), (notes, [14, 110])):
        for i, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = width
    spreadsheet.no_formulas(book)  # names come from the store
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_template(engine: sa.Engine, path: Path) -> list[Path]:
    """Write the template to path (.xlsx or .csv; beside a CSV also its allowed values); returns the files written."""
    if path.suffix.lower() == ".xlsx":
        path.write_bytes(template_xlsx(engine))
        return [path]
    if path.suffix.lower() != ".csv":
        raise ValueError(f"{path.name}: the template is .csv or .xlsx")
    path.write_bytes(template_csv())
    values = path.with_name(f"{path.stem}-allowed-values.csv")
    values.write_bytes(allowed_values_csv(engine))
    return [path, values]
