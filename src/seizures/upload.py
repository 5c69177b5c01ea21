"""Reading an uploaded file safely into a table of text: CSV (any common encoding) or .xlsx, nothing else.

Every way a file can be unusable as a whole (too large, empty, binary, a zip bomb, a broken CSV) raises
UploadError with one message for the user. A readable file becomes a DuckDB in-memory table `raw`: one VARCHAR
column per column of the file (named c0, c1, ...) and `row`, the row number a spreadsheet shows (header = row 1).
"""

from __future__ import annotations

import codecs
import concurrent.futures
import csv
import hashlib
import io
import json
import logging
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import duckdb

from seizures import settings

MB = 1024 * 1024
# An .xlsx is a zip of XML: refuse one that would expand beyond this, or by more than this ratio (a zip bomb).
XLSX_MAX_EXPANDED_MB = 1000
XLSX_MAX_RATIO = 200
XLSX_MAX_MEMBERS = 10_000
MAX_COLUMNS = 100
DELIMITERS = (",", ";", "\t", "|")
# Letters of Albanian and Serbian/Bosnian Latin text, and the typographic marks office software writes: the more
# of them a decoding produces, the likelier it is the right one.
EXPECTED_CHARACTERS = set("ëËçÇčČćĆšŠžŽđĐ“”„‘’–—€…°")
LEGACY_ENCODINGS = {"cp1250": "Windows-1250 (Central European)", "cp1252": "Windows-1252 (Western European)"}


class UploadError(Exception):
    """The file as a whole cannot be imported: one message for the user; nothing was written."""


@dataclass
class CellProblem:
    """One cell that is unusable whatever its column (an XLSX formula); the validation reports it."""

    row: int
    column_index: int
    value: str
    reason: str


@dataclass
class RawTable:
    """A file read as text: the workbench connection holding table `raw`, and what was learnt on the way."""

    con: duckdb.DuckDBPyConnection
    header: list[str]
    file_kind: str  # csv | xlsx
    content_hash: str
    size_bytes: int
    notes: list[str] = field(default_factory=list)
    cell_problems: list[CellProblem] = field(default_factory=list)
    encoding: str | None = None  # a CSV file's text encoding, as it was read
    # True: no cell can hold a control character (none of their bytes is in the file), so the check per cell is
    # not needed; False: not known (a workbook, UTF-16), or the file holds one somewhere.
    control_free: bool = False

    @property
    def rows(self) -> int:
        return self.con.execute("SELECT count(*) FROM raw").fetchone()[0]

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> "RawTable":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def check_size(size_bytes: int, max_mb: float | None = None) -> None:
    limit = settings.max_upload_mb() if max_mb is None else max_mb
    if size_bytes > limit * MB:
        raise UploadError(
            f"the file is {size_bytes / MB:,.1f} MB, more than the limit of {limit:g} MB "
            f"(set {settings.MAX_UPLOAD_SETTING} to change it, or split the file)"
        )


HeaderCheck = Callable[[list[str]], None]


@dataclass(frozen=True)
class Dialect:
    """What a column mapping says of a CSV file; None: recognised from the file."""

    delimiter: str | None = None
    encoding: str | None = None  # utf-8 | utf-16 | windows-1250 | windows-1252
    header_row: int = 1  # the row holding the column names (rows above it are left out)


PYTHON_ENCODINGS = {"utf-8": "utf-8-sig", "utf-16": "utf-16", "windows-1250": "cp1250", "windows-1252": "cp1252"}


def read_upload(
    source: bytes | Path, max_mb: float | None = None, header_check: HeaderCheck | None = None,
    budgets: settings.XlsxBudgets | None = None, dialect: Dialect | None = None,
) -> RawTable:
    """Read a CSV or .xlsx file (a path or its bytes) into a workbench table, or raise UploadError.

    header_check, given the column names, may raise UploadError before the body of a file is read. budgets bound
    the reading of a workbook (default: settings.xlsx_budgets()). dialect: what a mapping says of a CSV file.
    """
    dialect = dialect or Dialect()
    header_check = header_check or (lambda _header: None)
    on_disk = None  # (path, size, modification time) of a file read from disk
    if isinstance(source, Path):
        try:
            stat = source.stat()
            check_size(stat.st_size, max_mb)
            on_disk = (source, stat.st_size, stat.st_mtime_ns)
            data = source.read_bytes()
        except OSError as exc:
            raise UploadError(f"cannot read {source}: {exc.strerror or exc}") from exc
    else:
        data = bytes(source)
    check_size(len(data), max_mb)
    digest = _in_background(lambda: hashlib.sha256(data).hexdigest())  # hashlib lets go of the GIL: beside the read
    if _blank(data):
        raise UploadError("the file is empty")
    csv_text = not data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0"))
    # Beside DuckDB's read, which lets go of the GIL: one pass over the bytes instead of a regular expression per row.
    controls = _in_background(lambda: _control_free(data)) if csv_text else None
    con = duckdb.connect()
    try:
        if data.startswith(b"PK\x03\x04"):
            if dialect.header_row != 1:
                raise UploadError(f"the column names are on row {dialect.header_row} as the mapping says: that is "
                                  "read from CSV files only; delete the rows above them in the workbook")
            table = _read_xlsx(con, data, header_check, budgets)
        elif data.startswith(b"\xd0\xcf\x11\xe0"):
            raise UploadError(
                "this is an old Excel 97-2003 (.xls) or other Office file: save it as .xlsx or as CSV UTF-8"
            )
        elif dialect.encoding or dialect.delimiter or dialect.header_row != 1:
            table = _read_csv_text(con, data, *_decode_as(data, dialect.encoding), header_check, on_disk, dialect)
        else:
            table = _read_csv(con, data, header_check, on_disk)
        table.content_hash, table.size_bytes = digest.result(), len(data)
        table.control_free = controls is not None and table.encoding in ASCII_COMPATIBLE and controls.result()
        if table.rows == 0:
            raise UploadError("the file has column names but no rows of data")
        return table
    except BaseException:
        con.close()
        raise


BLANK_BYTES = b" \t\r\n\xef\xbb\xbf"  # whitespace and the UTF-8 byte-order mark
# The encodings a CSV file is read in whose text has a control character exactly where its bytes have its code.
ASCII_COMPATIBLE = {"utf-8", "cp1250", "cp1252", "windows-1250", "windows-1252"}
# Every byte but the C0 control codes workbench.CONTROL_PATTERN refuses (tab, line feed, carriage return are text).
NOT_CONTROL = bytes(b for b in range(256) if b >= 32 or chr(b) in "\t\n\r")
# The UTF-8 lead of U+2400-U+243F, among them the symbols that stand for control codes (the pattern refuses them too).
CONTROL_SYMBOLS = b"\xe2\x90"


def _control_free(data: bytes) -> bool:
    """Whether the bytes of a file in an ASCII-compatible encoding hold no control character nor its symbol (a
    stray \\xe2\\x90 of Windows-1250 text only costs the check per cell)."""
    return not data.translate(None, NOT_CONTROL) and CONTROL_SYMBOLS not in data


def _blank(data: bytes) -> bool:
    """Whether the file holds nothing but BLANK_BYTES (its start tells at once, without a copy of the whole file)."""
    return not data[:4096].strip(BLANK_BYTES) and not data.strip(BLANK_BYTES)


def _in_background(function: Callable[[], object]) -> concurrent.futures.Future:
    """function() run in a thread of its own; the future's result() waits for its value or raises its exception."""
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    try:
        return pool.submit(function)
    finally:
        pool.shutdown(wait=False)  # the thread ends when the function returns


# --- CSV ---------------------------------------------------------------------------------------------------


def decode_text(data: bytes) -> tuple[str, str, list[str]]:
    """The file's text, the encoding used, and a note when it was not UTF-8; UploadError if it is not text."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16", ["The file is UTF-16 (Excel \"Unicode text\"); it was converted."]
        except UnicodeDecodeError as exc:
            raise UploadError("the file starts like UTF-16 text but is not valid UTF-16") from exc
    if b"\x00" in data[: 64 * 1024]:
        raise UploadError("this is not a text file (it holds binary data): upload a CSV file or an .xlsx workbook")
    try:
        return data.decode("utf-8-sig"), "utf-8", []
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    # Both are one byte per character and agree on ASCII: judge them on the other bytes alone.
    high = re.sub(rb"[\x00-\x7f]+", b"", data)
    candidates = {}
    for encoding in LEGACY_ENCODINGS:
        try:
            candidates[encoding] = high.decode(encoding)
        except UnicodeDecodeError:
            continue
    if not candidates:
        raise UploadError(
            f"the file is not UTF-8 (invalid byte at position {first_bad}) nor Windows-1250/1252 text: "
            "save it as \"CSV UTF-8\""
        )
    scores = {enc: sum(ch in EXPECTED_CHARACTERS for ch in text) for enc, text in candidates.items()}
    best = max(scores, key=lambda enc: (scores[enc], enc == "cp1250"))
    if len(set(candidates.values())) == 1:
        names = " or ".join(LEGACY_ENCODINGS[enc] for enc in candidates)
        note = f"The file is not UTF-8; it was read as {names} (its letters are the same in both)."
    elif len(set(scores.values())) == 1:
        note = (f"The file is not UTF-8; it was read as {LEGACY_ENCODINGS[best]}, but its letters did not tell "
                "Windows-1250 from Windows-1252: check names with č, ć, đ in the result, or save the file as "
                "\"CSV UTF-8\" and import it again.")
    else:
        note = f"The file is not UTF-8; it was read as {LEGACY_ENCODINGS[best]}."
    return data.decode(best), best, [note]


def _decode_as(data: bytes, encoding: str | None) -> tuple[str, str, list[str]]:
    """The file's text in the encoding a mapping names (recognised if it names none)."""
    if encoding is None:
        return decode_text(data)
    if b"\x00" in data[: 64 * 1024] and encoding != "utf-16":
        raise UploadError("this is not a text file (it holds binary data): upload a CSV file or an .xlsx workbook")
    try:
        text = data.decode(PYTHON_ENCODINGS.get(encoding.lower(), encoding))
    except (UnicodeDecodeError, LookupError) as exc:
        raise UploadError(f"the file is not {encoding} text, as its mapping says: save it as {encoding} or change "
                          "the mapping's encoding") from exc
    plain = encoding.lower() == "utf-8"
    return text, "utf-8" if plain else encoding, [] if plain else [f"The file was read as {encoding}, as its mapping says."]


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _csv_problem(exc: duckdb.Error) -> str:
    """DuckDB's CSV error in one line: where and what."""
    text = str(exc)
    line = re.search(r"CSV Error on Line: (\d+)", text)
    found = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
    where = f"line {line[1]}: " if line else ""
    if found:
        values = "1 value" if found[2] == "1" else f"{found[2]} values"
        return f"{where}{values} where the header has {found[1]} columns"
    if "unterminated quote" in text:
        return f"{where}a quoted value is never closed (unterminated quote)"
    if "maximum line size" in text.lower():
        return f"{where}a line is longer than DuckDB's limit of 2 MB"
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), "unreadable")
    return f"{where}{first[:200]}"


HEADER_CHARACTERS = 1024 * 1024  # the column names are read from the first million characters of the text
UTF8_PREFIX_BYTES = 8 * 1024 * 1024
UTF8_CHUNK_BYTES = 1024 * 1024


def _utf8_start(data: bytes) -> tuple[str, Callable[[], bool]] | None:
    """For a large file that starts as UTF-8: the text of its start (as decode_text would give it), and a check
    of the rest run in a thread (True if the whole file is UTF-8), so that DuckDB reads the file meanwhile.

    None when decode_text must decide now: a small file, a start that is not UTF-8 (or is UTF-16 or binary), or a
    start from which the header's characters are not known for sure.
    """
    if len(data) <= UTF8_PREFIX_BYTES or data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[: 64 * 1024]:
        return None
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        start = decoder.decode(data[:UTF8_PREFIX_BYTES]).lstrip("\ufeff")
    except UnicodeDecodeError:
        return None
    # The text decode_text gives has the same start (the decoder holds back a character cut in two) as long as
    # the leading U+FEFF stripped left a header line and a million characters.
    if "\n" not in start or len(start) < HEADER_CHARACTERS:
        return None

    def rest_is_utf8() -> bool:
        view = memoryview(data)
        try:
            for offset in range(UTF8_PREFIX_BYTES, len(data), UTF8_CHUNK_BYTES):
                decoder.decode(view[offset: offset + UTF8_CHUNK_BYTES])
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
        return True

    return start, _in_background(rest_is_utf8).result


def _read_csv(
    con: duckdb.DuckDBPyConnection, data: bytes, header_check: HeaderCheck, on_disk: tuple | None = None
) -> RawTable:
    """A UTF-8 file is read by DuckDB while the rest of its text is checked in Python (decoding it there first
    costs more than the check); if the check fails, the file is read again as decode_text tells."""
    start = _utf8_start(data)
    if start is None:
        return _read_csv_text(con, data, *decode_text(data), header_check, on_disk)
    text, rest_is_utf8 = start
    try:
        table = _read_csv_text(con, data, text, "utf-8", [], header_check, on_disk)
    except UploadError:
        if rest_is_utf8():
            raise
        table = None
    if table is not None and rest_is_utf8():
        return table
    con.execute("DROP VIEW IF EXISTS raw")
    con.execute("DROP TABLE IF EXISTS loaded")
    return _read_csv_text(con, data, *decode_text(data), header_check, on_disk)


def _read_csv_text(
    con: duckdb.DuckDBPyConnection, data: bytes, text: str, encoding: str, notes: list[str],
    header_check: HeaderCheck, on_disk: tuple | None = None, dialect: Dialect | None = None,
) -> RawTable:
    """Read the file as CSV, given its text (or the start of it, for UTF-8) as decode_text gives it."""
    dialect = dialect or Dialect()
    text = whole = text.lstrip("\ufeff")
    skip = dialect.header_row - 1
    if skip:  # a title above the column names: the lines above them are left out (DuckDB's skip, below)
        lines = text.split("\n", skip)
        if len(lines) <= skip:
            raise UploadError(f"the file has fewer than {dialect.header_row} lines: no column names on row "
                              f"{dialect.header_row}, where its mapping says they are")
        text = lines[-1]
    first_line = text[: text.find("\n")] if "\n" in text else text
    delimiter = dialect.delimiter or _delimiter(first_line)
    try:
        header = next(csv.reader(io.StringIO(text[:HEADER_CHARACTERS], newline=""), delimiter=delimiter), [])
    except csv.Error as exc:
        raise UploadError(f"cannot read the first line as CSV column names: {exc}") from exc
    if not any(name.strip() for name in header):
        raise UploadError("the first line is empty: it must hold the column names")
    if len(header) > MAX_COLUMNS:
        raise UploadError(f"the header has {len(header)} columns, more than {MAX_COLUMNS}: is this the right file?")
    header_check([h.strip() for h in header])
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header)))
    options = (
        f"header = true, auto_detect = false, delim = '{delimiter}', quote = '\"', escape = '\"', "
        f"columns = {{{columns}}}, strict_mode = true, skip = {skip}"
    )
    with tempfile.TemporaryDirectory(prefix="seizures-import-") as folder:
        if encoding == "utf-8" and on_disk is not None:
            path = on_disk[0]  # DuckDB reads the file itself: no copy
        else:
            path = Path(folder) / "upload.csv"
            path.write_bytes(data if encoding == "utf-8" else whole.encode("utf-8"))
        try:
            con.execute(f"CREATE TABLE loaded AS SELECT * FROM read_csv(?, {options})", [str(path)])
        except duckdb.Error as exc:
            raise UploadError(f"cannot read the file as CSV: {_csv_problem(exc)}") from exc
    if path == (on_disk or (None,))[0]:
        try:
            stat = path.stat()
        except OSError as exc:
            raise UploadError(f"cannot read {path}: {exc.strerror or exc}") from exc
        if (stat.st_size, stat.st_mtime_ns) != on_disk[1:]:
            raise UploadError("the file changed while it was being read: import it again when it is complete")
    # rowid follows insertion order (the file's); the header is row 1. A view: no copy of the table.
    con.execute(f"CREATE VIEW raw AS SELECT rowid + {2 + skip} AS row, * FROM loaded")
    return RawTable(con, [h.strip() for h in header], "csv", "", 0, notes, encoding=encoding)


# --- XLSX --------------------------------------------------------------------------------------------------


def _start_of(archive: zipfile.ZipFile, name: str, size: int = 100) -> bytes:
    """The first bytes of a member (not the whole member: it may be a bomb)."""
    with archive.open(name) as member:
        return member.read(size)


def _check_workbook_zip(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise UploadError("the file looks like a ZIP/.xlsx file but is damaged or truncated") from exc
    with archive:
        members = archive.infolist()
        names = {m.filename for m in members}
        if "mimetype" in names and b"opendocument" in _start_of(archive, "mimetype"):
            raise UploadError("this is an OpenDocument (.ods) file: save it as .xlsx or as CSV UTF-8")
        if "xl/workbook.xml" not in names:
            raise UploadError("this is a ZIP file but not an Excel workbook (.xlsx)")
        if len(members) > XLSX_MAX_MEMBERS:
            raise UploadError(f"the workbook holds {len(members):,} parts: refused as a possible zip bomb")
        expanded = sum(m.file_size for m in members)
        worst = max(members, key=lambda m: m.file_size / max(m.compress_size, 1))
        ratio = worst.file_size / max(worst.compress_size, 1)
        if expanded > XLSX_MAX_EXPANDED_MB * MB or (ratio > XLSX_MAX_RATIO and worst.file_size > 10 * MB):
            raise UploadError(
                f"the workbook would expand from {len(data) / MB:,.1f} MB to {expanded / MB:,.0f} MB "
                f"({worst.filename} by {ratio:,.0f}×): refused as a possible zip bomb"
            )


def _read_xlsx(
    con: duckdb.DuckDBPyConnection, data: bytes, header_check: HeaderCheck, budgets: settings.XlsxBudgets | None = None
) -> RawTable:
    """Read the workbook in a child process (workbook.py) within the budgets, then load the text it wrote."""
    _check_workbook_zip(data)
    budgets = budgets or settings.xlsx_budgets()
    with tempfile.TemporaryDirectory(prefix="seizures-xlsx-") as name:
        folder = Path(name)
        (folder / "upload.xlsx").write_bytes(data)
        done = _run_reader(folder, budgets, header_check)
        header = done["header"]
        if not header:
            raise UploadError(f"the sheet \"{done['sheet']}\" is empty")
        columns = ", ".join(["'row': 'BIGINT'", *(f"'c{i}': 'VARCHAR'" for i in range(len(header)))])
        con.execute(
            "CREATE TABLE raw AS SELECT * FROM read_csv(?, header = false, auto_detect = false, delim = ',', "
            f"quote = '\"', escape = '\"', new_line = '\\n', columns = {{{columns}}}, strict_mode = true)",
            [str(folder / "rows.csv")],
        )
        with (folder / "problems.csv").open(newline="", encoding="utf-8") as f:
            problems = [CellProblem(int(r), int(c), v, "a formula: paste values only") for r, c, v in csv.reader(f)]
    notes = [f"Read the sheet \"{done['sheet']}\"."] if done["sheets"] > 1 else []
    return RawTable(con, header, "xlsx", "", 0, notes, problems)


# The reader: this Python, isolated (-I: no user site, no environment variables, not the current folder), running
# workbook.py as a script (it imports only the standard library).
READER = [sys.executable, "-I", str(Path(__file__).with_name("workbook.py"))]
GRACE_SECONDS = 5.0  # the reader stops itself at the time budget; past this much more, it is killed
log = logging.getLogger(__name__)


class WorkbookRefused(UploadError):
    """A workbook the reader refused; stats says what it had used of its budgets (rows, cells, xml_bytes, seconds,
    peak_mb), for the log and the tests."""

    def __init__(self, message: str, stats: dict | None = None):
        super().__init__(message)
        self.stats = stats or {}


def _refusal_text(refusal: dict, budgets: settings.XlsxBudgets) -> str:
    kind = refusal.get("kind")
    if kind == "rows":
        excel = (", the most Excel allows" if budgets.rows == settings.EXCEL_MAX_ROWS
                 else f" (Excel allows {settings.EXCEL_MAX_ROWS:,})")
        return (f"the sheet \"{refusal.get('sheet')}\" has more than {budgets.rows:,} rows{excel}, empty rows "
                f"counted: refused (the limit is set by {settings.XLSX_ROWS_SETTING})")
    if kind == "cells":
        return (f"the workbook has more than {budgets.cells:,} cells (empty cells count too): refused "
                f"(the limit is set by {settings.XLSX_CELLS_SETTING})")
    if kind == "xml_bytes":
        return (f"the workbook unpacks to more than {budgets.xml_mb:,g} MB of XML (in {refusal.get('part')}): "
                f"refused as a possible zip bomb (the limit is set by {settings.XLSX_XML_SETTING})")
    if kind == "seconds":
        return (f"reading the workbook took more than {budgets.seconds:,g} seconds: refused (the limit is set by "
                f"{settings.XLSX_SECONDS_SETTING}); a CSV file of the same rows is read much faster")
    if kind == "memory":
        return (f"reading the workbook needed more than {budgets.memory_mb:,g} MB of memory: refused (the limit "
                f"is set by {settings.XLSX_MEMORY_SETTING})")
    if kind == "text":
        return "a cell of the workbook holds more than 32,767 characters, which Excel does not allow: refused"
    if kind == "doctype":
        return ("cannot read the workbook: its XML declares a document type (DTD), which no workbook needs: "
                "refused as a possible XML entity bomb")
    return f"cannot read the workbook: {refusal.get('detail') or kind}"


def _run_reader(folder: Path, budgets: settings.XlsxBudgets, header_check: HeaderCheck) -> dict:
    """Run workbook.py on folder/upload.xlsx; check the header as soon as it reports it; its result, or
    UploadError. The reader is killed when it overruns the time budget, or when this ends for any reason."""
    limits = {"rows": budgets.rows, "cells": budgets.cells, "xml_bytes": int(budgets.xml_mb * MB),
              "seconds": budgets.seconds, "memory_mb": budgets.memory_mb, "columns": MAX_COLUMNS}
    with (folder / "reader.log").open("wb") as errors:
        process = subprocess.Popen(
            [*READER, str(folder / "upload.xlsx"), str(folder), json.dumps(limits)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors,
        )
    deadline = time.monotonic() + budgets.seconds + GRACE_SECONDS
    try:
        for message in _messages(process, deadline, budgets):
            if "header" in message:
                header_check(message["header"])
            elif "done" in message:
                log.info("workbook read: %s", message.get("stats"))
                return message["done"]
            elif "refused" in message:
                log.info("workbook refused (%s): %s", message["refused"].get("kind"), message.get("stats"))
                raise WorkbookRefused(_refusal_text(message["refused"], budgets), message.get("stats"))
        status = process.wait()
        if status == -signal.SIGXCPU:  # the kernel's limit on processor time (RLIMIT_CPU)
            raise WorkbookRefused(_refusal_text({"kind": "seconds"}, budgets))
        detail = (folder / "reader.log").read_bytes()[-2000:].decode("utf-8", "replace").strip().splitlines()
        log.warning("workbook reader ended with status %s: %s", status, detail[-1:] or "")
        raise WorkbookRefused(f"cannot read the workbook: the reader stopped unexpectedly (status {status})")
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        process.stdout.close()


def _messages(process: subprocess.Popen, deadline: float, budgets: settings.XlsxBudgets) -> Iterator[dict]:
    """The reader's JSON lines as they come, until it closes its output; past the deadline, a time refusal."""
    pending = b""
    stream = process.stdout.fileno()
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise WorkbookRefused(_refusal_text({"kind": "seconds"}, budgets))
        ready, _, _ = select.select([stream], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(stream, 1 << 16)
        if not chunk:
            return
        pending += chunk
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            yield json.loads(line)
