"""Reading one sheet of an .xlsx workbook as text, within budgets that a hostile file cannot outrun.

upload.py runs this file in a child process of its own (`python -I workbook.py WORKBOOK FOLDER LIMITS`). The child
lowers its priority, caps its own memory (RLIMIT_AS) and processor time (RLIMIT_CPU), and the parent kills it at
the wall-clock budget: a workbook can neither exhaust the server nor hold the GIL the app's other sessions need.
Only the standard library is imported, so the child starts in a few tens of milliseconds.

While streaming it counts the XML bytes unpacked, the row elements (empty ones too) and the cells, and stops at the
first budget exceeded. It writes FOLDER/rows.csv (the row number a spreadsheet shows, then the text of each column
up to the header's width) and FOLDER/problems.csv (cells holding a formula: row, column index, formula), and reports
on standard output in JSON lines: {"header": [...]} as soon as the header is read, then {"done": {...}} or
{"refused": {"kind": ..., ...}}; upload.py words the messages.

Cells become text as openpyxl's values did in upload.py before: dates (numbers in a date format) as YYYY-MM-DD,
whole numbers without ".0", booleans as true/false; other numbers with Excel's 15 significant digits (what Excel
shows), and the `_xHHHH_` escapes of the file format decoded as Excel decodes them.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import posixpath
import re
import sys
import time
import xml.etree.ElementTree as ET
import zipfile
from xml.parsers import expat

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
PACKAGE_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
ROW, CELL, VALUE, FORMULA, INLINE, TEXT, RUN = (MAIN + t for t in ("row", "c", "v", "f", "is", "t", "r"))
SHEET_DATA, SHARED_ITEM, SHARED_TABLE = MAIN + "sheetData", MAIN + "si", MAIN + "sst"
CHUNK = 1 << 16
MAX_TEXT = 32_767  # Excel's limit on the characters of one cell
ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
DIGITS = "0123456789"
WINDOWS_EPOCH, MAC_EPOCH = dt.datetime(1899, 12, 30), dt.datetime(1904, 1, 1)
# Number formats (openpyxl's rules): literal text and locale/colour brackets are not date parts.
FORMAT_NOISE = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')
TIMEDELTA_FORMAT = re.compile(r"\[hh?\](:mm(:ss(\.0*)?)?)?|\[mm?\](:ss(\.0*)?)?|\[ss?\](\.0*)?", re.I)
BUILTIN_FORMATS = {14: "mm-dd-yy", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM",
                   19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss", 22: "m/d/yy h:mm", 45: "mm:ss",
                   46: "[h]:mm:ss", 47: "mmss.0"}


class Refused(Exception):
    """The workbook cannot be read within the budgets, or at all: kind names why, details say more."""

    def __init__(self, kind: str, **details):
        super().__init__(kind)
        self.kind, self.details = kind, details


class Budget:
    """The limits of one reading and what has been used of them."""

    def __init__(self, limits: dict, started: float):
        self.limits, self.started = limits, started
        self.xml_bytes = self.rows = self.cells = 0

    def read(self, size: int, part: str) -> None:
        self.xml_bytes += size
        if self.xml_bytes > self.limits["xml_bytes"]:
            raise Refused("xml_bytes", part=part)
        if time.monotonic() - self.started > self.limits["seconds"]:
            raise Refused("seconds")

    def stats(self) -> dict:
        """What was used, and the process's peak resident memory in MB (VmHWM: getrusage's maximum would count
        the parent's memory before this program was started)."""
        return {"rows": self.rows, "cells": self.cells, "xml_bytes": self.xml_bytes,
                "seconds": round(time.monotonic() - self.started, 3), "peak_mb": peak_mb()}


def peak_mb() -> float | None:
    """This process's peak resident memory in MB (Linux), else None."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


class _RootReached(Exception):
    pass


def _refuse_doctype(*_args):
    raise Refused("doctype")


def _root_reached(*_args):
    raise _RootReached


def _events(archive: zipfile.ZipFile, part: str, budget: Budget):
    """Batches of (event, element) of a part, parsed as it is unpacked. A document type declaration (the only
    place entities can be declared: entity bombs) is refused before the parser sees it: expat reads the prolog."""
    parser = ET.XMLPullParser(("start", "end"))
    guard = expat.ParserCreate()
    guard.StartDoctypeDeclHandler = _refuse_doctype
    guard.StartElementHandler = _root_reached
    with archive.open(part) as member:
        while chunk := member.read(CHUNK):
            budget.read(len(chunk), part)
            if guard is not None:
                try:
                    guard.Parse(chunk, False)
                except _RootReached:
                    guard = None
                except expat.ExpatError:
                    guard = None  # the parser below says what is wrong
            parser.feed(chunk)
            yield parser.read_events()
    parser.close()
    yield parser.read_events()


def _unescape(text: str) -> str:
    """The file format's escapes of characters XML cannot hold (`_x0000_`), decoded as Excel does."""
    return ESCAPE.sub(lambda m: chr(int(m[1], 16)), text) if "_x" in text else text


def _rich_text(element) -> str:
    """The text of a shared or inline string: its plain text and its runs, not the phonetic guide."""
    if len(element) == 1 and element[0].tag == TEXT:  # plain text, by far the most common
        text = _unescape(element[0].text or "")
        if len(text) > MAX_TEXT:
            raise Refused("text")
        return text
    parts = []
    for child in element:
        if child.tag == TEXT:
            parts.append(child.text or "")
        elif child.tag == RUN:
            run = child.find(TEXT)
            if run is not None:
                parts.append(run.text or "")
    text = _unescape("".join(parts))
    if len(text) > MAX_TEXT:
        raise Refused("text")
    return text


def _relationships(archive: zipfile.ZipFile, part: str, budget: Budget) -> dict[str, tuple[str, str]]:
    """Id -> (type, part name) of the parts a part refers to."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    if rels not in archive.NameToInfo:
        return {}
    found = {}
    for events in _events(archive, rels, budget):
        for event, element in events:
            if event == "end" and element.tag == PACKAGE_RELS:
                target = element.get("Target") or ""
                if element.get("TargetMode") != "External":
                    path = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
                    found[element.get("Id")] = (element.get("Type") or "", path)
                element.clear()
    return found


def _workbook(archive: zipfile.ZipFile, budget: Budget) -> tuple[list[tuple[str, str]], bool, dict]:
    """The worksheets (name, part) in order, whether dates count from 1904, and the workbook's relationships."""
    rels = _relationships(archive, "xl/workbook.xml", budget)
    sheets, date1904 = [], False
    for events in _events(archive, "xl/workbook.xml", budget):
        for event, element in events:
            if event != "end":
                continue
            if element.tag == MAIN + "sheet":
                kind, path = rels.get(element.get(RELATIONSHIP), ("", ""))
                if kind.endswith("/worksheet"):
                    sheets.append((element.get("name") or "", path))
                element.clear()
            elif element.tag == MAIN + "workbookPr":
                date1904 = element.get("date1904", "").lower() in ("1", "true")
    return sheets, date1904, rels


def _date_styles(archive: zipfile.ZipFile, part: str | None, budget: Budget) -> tuple[set[int], set[int]]:
    """The cell styles (indexes of cellXfs) whose number format shows a date or time, and those showing a duration."""
    if part is None or part not in archive.NameToInfo:
        return set(), set()
    custom: dict[int, str] = {}
    formats: list[int] = []
    in_cell_styles = False
    for events in _events(archive, part, budget):
        for event, element in events:
            if element.tag == MAIN + "cellXfs":
                in_cell_styles = event == "start"
            elif event == "end" and element.tag == MAIN + "numFmt":
                custom[int(element.get("numFmtId", "0"))] = element.get("formatCode") or ""
            elif event == "end" and element.tag == MAIN + "xf" and in_cell_styles:
                formats.append(int(element.get("numFmtId", "0")))
    dates, durations = set(), set()
    for index, format_id in enumerate(formats):
        code = custom.get(format_id, BUILTIN_FORMATS.get(format_id, ""))
        first = code.split(";")[0]
        if re.search(r"(?<![_\\])[dmhysDMHYS]", FORMAT_NOISE.sub("", first)):
            dates.add(index)
        if TIMEDELTA_FORMAT.search(first):
            durations.add(index)
    return dates, durations


def _shared_strings(archive: zipfile.ZipFile, part: str | None, budget: Budget) -> list[str]:
    if part is None or part not in archive.NameToInfo:
        return []
    strings: list[str] = []
    table = None
    for events in _events(archive, part, budget):
        for event, element in events:
            if event == "start":
                if element.tag == SHARED_TABLE:
                    table = element
                continue
            if element.tag == SHARED_ITEM:
                strings.append(_rich_text(element))
                if len(strings) > budget.limits["cells"]:
                    raise Refused("cells")
                if table is not None:
                    table.remove(element)
    return strings


def _column(reference: str, previous: int, known: dict[str, int] = {}) -> int:  # noqa: B006 (a cache)
    """The 0-based column of a cell reference such as "AB12" (the next column when there is none)."""
    letters = reference.rstrip(DIGITS)
    if not letters:
        return previous + 1
    index = known.get(letters)
    if index is None:
        index = 0
        for letter in letters[:4]:  # Excel's last column is XFD
            index = index * 26 + (ord(letter) & 0x1F)  # A/a -> 1
        index -= 1
        if len(known) < 1000:
            known[letters] = index
    return index


def _number_text(raw: str, style: int, dates: set[int], durations: set[int], epoch: dt.datetime) -> str:
    if raw.lstrip("-").isdigit() and style not in dates:
        return raw
    value = float(raw)
    if style in dates and style not in durations:
        try:
            day, fraction = divmod(value, 1)
            moment = epoch + dt.timedelta(days=day) + dt.timedelta(milliseconds=round(fraction * 86_400_000))
            if 0 <= value < 1 and day == 0 and moment.date() == epoch.date():
                return str(moment.time())
            if 0 < value < 60 and epoch is WINDOWS_EPOCH:
                moment += dt.timedelta(days=1)  # Excel's 29 February 1900
            return moment.date().isoformat()
        except (OverflowError, ValueError):
            return "#VALUE!"
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return format(value, ".15g")


def read(path: str, folder: str, budget: Budget, say) -> dict:
    """Read the sheet "records" (else the first) into folder/rows.csv and folder/problems.csv; say(message) reports
    the header as soon as it is known. Returns what was read; raises Refused."""
    limits = budget.limits
    max_columns = limits["columns"]
    with zipfile.ZipFile(path) as archive:
        sheets, date1904, rels = _workbook(archive, budget)
        if not sheets:
            raise Refused("unreadable", detail="the workbook has no worksheet")
        title, sheet_part = next(((n, p) for n, p in sheets if n == "records"), sheets[0])
        parts = {kind.rsplit("/", 1)[-1]: path for kind, path in rels.values()}
        dates, durations = _date_styles(archive, parts.get("styles"), budget)
        strings = _shared_strings(archive, parts.get("sharedStrings"), budget)
        epoch = MAC_EPOCH if date1904 else WINDOWS_EPOCH
        header: list[str] = []
        width = max_columns
        written = 0
        sheet_data = None
        with open(os.path.join(folder, "rows.csv"), "w", newline="", encoding="utf-8") as rows_file, \
                open(os.path.join(folder, "problems.csv"), "w", newline="", encoding="utf-8") as problems_file:
            # Every text quoted, lines ending in LF: a carriage return inside a value stays inside its quotes (DuckDB
            # would take a bare one for the end of a line).
            rows_out = csv.writer(rows_file, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
            problems_out = csv.writer(problems_file, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
            number = 0
            for events in _events(archive, sheet_part, budget):
                for event, element in events:
                    if event == "start":
                        if element.tag == SHEET_DATA:
                            sheet_data = element
                        continue
                    if element.tag != ROW:
                        continue
                    budget.rows += 1
                    budget.cells += len(element)
                    declared = element.get("r")
                    number = int(declared) if declared else number + 1
                    if budget.rows > limits["rows"] or number > limits["rows"]:
                        raise Refused("rows", sheet=title)
                    if budget.cells > limits["cells"]:
                        raise Refused("cells", sheet=title)
                    values: list[str | None] = [None] * width
                    formulas: list[tuple[int, str]] = []
                    column = -1
                    for cell in element:
                        if cell.tag != CELL:
                            continue
                        reference = cell.get("r")
                        column = _column(reference, column) if reference else column + 1
                        if column >= width:
                            continue
                        kind = cell.get("t", "n")
                        formula = cell.find(FORMULA)
                        if formula is not None:
                            text = "=" + (formula.text or "")
                            formulas.append((column, text))
                        elif kind == "inlineStr":
                            inline = cell.find(INLINE)
                            text = None if inline is None else _rich_text(inline)
                        else:
                            raw = cell.findtext(VALUE) or None
                            if raw is None:
                                text = None
                            elif kind == "s":
                                text = strings[int(raw)]
                            elif kind == "n":
                                text = _number_text(raw, int(cell.get("s", "0")), dates, durations, epoch)
                            elif kind == "b":
                                text = "true" if int(raw) else "false"
                            elif kind == "d":
                                text = raw[:10] if re.fullmatch(r"\d{4}-\d\d-\d\d.*", raw) else raw
                            else:  # str (a formula's text result), e (an error such as #N/A)
                                text = _unescape(raw)
                                if len(text) > MAX_TEXT:
                                    raise Refused("text")
                        values[column] = text
                    if sheet_data is not None:
                        sheet_data.remove(element)
                    if not header:
                        if any(v is not None and v.strip() for v in values):
                            header = [("" if v is None else v).strip() for v in values]
                            while header and not header[-1]:
                                header.pop()
                            width = len(header)
                            say({"header": header, "sheet": title})
                        continue
                    if not any(v is not None and v.strip() for v in values):
                        continue
                    rows_out.writerow([number, *values])
                    written += 1
                    for index, text in formulas:
                        problems_out.writerow([number, index, text])
    return {"sheet": title, "sheets": len(sheets), "header": header, "rows_written": written}


def limit_resources(limits: dict) -> None:
    """Inside the child: a lower priority, and the memory and processor time the kernel lets it have."""
    import resource

    os.nice(10)
    memory = int(limits["memory_mb"] * 1024 * 1024)
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    seconds = int(limits["seconds"]) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))


def main(argv: list[str]) -> int:
    path, folder, limits = argv[1], argv[2], json.loads(argv[3])
    budget = Budget(limits, time.monotonic())

    def say(message: dict) -> None:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()

    limit_resources(limits)
    refusal = None
    try:
        result = read(path, folder, budget, say)
    except Refused as exc:
        refusal = {"kind": exc.kind, **exc.details}
    except MemoryError:
        refusal = {"kind": "memory"}
    except ET.ParseError as exc:
        if exc.code == expat.errors.codes[expat.errors.XML_ERROR_NO_MEMORY]:
            refusal = {"kind": "memory"}
        else:
            refusal = {"kind": "unreadable", "detail": f"XML error: {str(exc)[:200]}"}
    except (zipfile.BadZipFile, KeyError, IndexError, ValueError, OSError, EOFError) as exc:
        refusal = {"kind": "unreadable", "detail": f"{type(exc).__name__}: {str(exc)[:200]}"}
    if refusal is not None:
        say({"refused": refusal, "stats": budget.stats()})
    else:
        say({"done": result, "stats": budget.stats()})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
