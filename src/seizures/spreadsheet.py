"""Files safe to open in a spreadsheet: text a spreadsheet would run as a formula is written so that it cannot run.

Imported text is stored as typed (`=HYPERLINK(...)` is a legitimate case reference as far as the store goes); every
file the app or the command line writes passes through here:

- CSV (OWASP, "CSV injection"): a text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
  leading apostrophe, which spreadsheets show and never run; lines end in CR LF, so that a value holding a line
  break is quoted and stays one cell. Numbers stay numbers, and so does text that is only a
  number (`-5`, `+1.5`, `-12%`): a spreadsheet reads it as that number, nothing runs.
- XLSX: such text is written as a string cell, never a formula (openpyxl makes every str starting with "=" a
  formula, and "#N/A" an error); characters XML cannot hold become U+FFFD instead of failing the whole file.
- Files meant to be imported again (the rejected rows) use `quoted`/`unquoted`, which add one apostrophe to such
  text and take exactly one off on re-import, so that the round trip gives back the text as typed.
"""

from __future__ import annotations

import re

import pandas as pd

RISKY_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(\d+([.,]\d+)*|[.,]\d+)([eE][+-]?\d+)?%?")
# A text that gets one apostrophe more in a file meant for re-import: apostrophes, then a risky character.
QUOTABLE = re.compile(r"'*[=+\-@\t\r]")
QUOTED = re.compile(r"'+[=+\-@\t\r]")
# Characters XML 1.0 cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE).
NOT_XML = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def risky(value: object) -> bool:
    """Whether a value is text that a spreadsheet would take for a formula."""
    return isinstance(value, str) and value.startswith(RISKY_START) and not NUMBER.fullmatch(value)


def defuse(value):
    """A CSV cell's value: risky text with a leading apostrophe, anything else as it is."""
    return "'" + value if risky(value) else value


def defused(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of a frame whose text cells (and column names) are defused for CSV; numbers stay numbers."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            out[column] = values.map(defuse, na_action="ignore")
    out.columns = [defuse(c) for c in out.columns]
    return out


# Lines end in CR LF (RFC 4180): the csv module quotes a field holding a character of the line end, and with "\n"
# alone it leaves a carriage return unquoted, which a spreadsheet takes for a new line (where "=..." would run).
LINE_END = "\r\n"


def _whole(value):
    """A float that is a whole number as an int (10 pieces, not 10.0), other values as they are."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A frame as a UTF-8 CSV file (no index), safe to open in a spreadsheet, whole numbers without ".0"."""
    out = defused(frame)
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_float_dtype(values) or values.dtype == object:
            out[column] = pd.Series([_whole(v) for v in values], index=values.index, dtype=object)
    return out.to_csv(index=False, lineterminator=LINE_END).encode("utf-8")


def csv_row(values) -> list:
    """One row for csv.writer (made with lineterminator=LINE_END), defused."""
    return [defuse(v) for v in values]


def xlsx_value(sheet, value):
    """A value to append to an openpyxl sheet (write-only or not): text that openpyxl would turn into a formula
    or an error becomes a string cell; characters XML cannot hold become U+FFFD; anything else as it is."""
    if not isinstance(value, str):
        return value
    if NOT_XML.search(value):
        value = NOT_XML.sub("\ufffd", value)
    if not value.startswith(("=", "#")):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    return cell


def xlsx_row(sheet, values) -> list:
    return [xlsx_value(sheet, v) for v in values]


def no_formulas(book) -> None:
    """Make every formula or error cell of a workbook (openpyxl, not write-only) a string cell holding the same
    text: for workbooks filled by other code, such as pandas' to_excel, before they are saved."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type in ("f", "e") and isinstance(cell.value, str):
                    cell.data_type = "s"


# --- files meant to be imported again -----------------------------------------------------------------------


def quoted(value):
    """For a file to be corrected and imported again: risky text gets one apostrophe more (also text that already
    starts with apostrophes before a risky character), so that `unquoted` gives back exactly the text."""
    if isinstance(value, str) and QUOTABLE.match(value) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


def unquoted(value):
    """The text `quoted` was given."""
    if isinstance(value, str) and QUOTED.match(value):
        return value[1:]
    return value
