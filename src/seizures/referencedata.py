"""Reference data managed through the product: import, validate, export and roll back each reference table.

A deployment fills its own jurisdiction, vocabulary, regions, municipalities and published totals (and the donor
tables) from CSV or XLSX files, with `seizures reference ...` or on the Data page. Each table is described by a
Frictionless Table Schema shipped in `tables/<name>.json` (types, required, unique and primary keys, allowed values,
minimum and maximum, patterns, foreign keys): the same descriptor validates a file and documents it.

An import replaces the whole table, all or nothing: every problem is listed at once, naming the file, the row (as a
spreadsheet shows it: the header is row 1) and the column, and nothing is written if there is any. Beyond the
descriptor, the checks here keep the store consistent: a reference another table makes must exist (a municipality's
region, a published total's category and unit, a category's units), and a code that stored rows use (seizure lines,
events, other reference tables) cannot disappear. Each import is audited like a seizure import (an `imports` row of
kind "reference"), and the rows it replaced are kept in `reference_snapshots`, so that it can be rolled back.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from seizures import i18n, schema, settings, spreadsheet, store, upload
from seizures.reference import CODE_LENGTHS
from seizures.i18n import N_, _
from seizures.ingest import RollbackError, normalise_header

TABLES_DIR = Path(__file__).with_name("tables")
KIND = "reference"  # imports.kind of a reference import
# The tables managed here, in the order they are loaded (a table refers only to those before it).
NAMES = ("jurisdiction", "vocabulary", "regions", "municipalities", "published_totals", "trainings", "equipment",
         "roadmap_phases", "roadmap_goals", "roadmap_kpis", "kpi_values")
PROBLEM_COLUMNS = ["file", "row", "column", "value", "reason"]
MAX_ROWS = 100_000  # a reference table is small: a larger file is not one
VALUE_SHOWN_MAX = 100
SHOWN_KEYS = 20  # a reason lists at most this many of the values a reference may take
WHITESPACE = " \t\r\n\u00a0"
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
# A number as a person writes it: no "inf", "nan", "1_000" or other digits than 0-9, which Python would accept.
NUMBER_TEXT = re.compile(r"[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?")
INTEGER_TEXT = re.compile(r"[+-]?[0-9]+")
SPAN = re.compile(r"([0-9]{4})\s*[-–—/]\s*([0-9]{4})")
TRUE_VALUES, FALSE_VALUES = ("true", "True", "TRUE", "1"), ("false", "False", "FALSE", "0")
VOCABULARY_KINDS = ("category", "unit", "weapon_type", "context")
EDITED_LABEL = "edited on the Data page"  # the file name of an edit's import
TYPE_NAMES = {"string": N_("text"), "integer": N_("whole number"), "number": N_("number"),
              "boolean": N_("true or false"), "date": N_("date (YYYY-MM-DD)")}


# --- the tables' descriptors --------------------------------------------------------------------------------


@functools.cache
def descriptor(name: str) -> dict:
    """The table's Frictionless Table Schema (tables/<name>.json)."""
    if name not in NAMES:
        raise ValueError(f"unknown reference table {name!r}: one of {', '.join(NAMES)}")
    return json.loads((TABLES_DIR / f"{name}.json").read_text(encoding="utf-8"))


def table_of(name: str) -> sa.Table:
    return schema.metadata.tables[descriptor(name)["name"]]


def columns(name: str) -> list[str]:
    """The file's columns, in the order an export writes them."""
    return [f["name"] for f in descriptor(name)["fields"]]


def _fields(name: str) -> dict[str, dict]:
    return {f["name"]: f for f in descriptor(name)["fields"]}


def _required(name: str) -> set[str]:
    return {f["name"] for f in descriptor(name)["fields"] if f.get("constraints", {}).get("required")}


def foreign_keys(name: str) -> list[tuple[tuple[str, ...], str, tuple[str, ...]]]:
    """(columns, referenced table, referenced columns) of each foreign key (a table referring to itself included);
    a key of several columns (a KPI's phase and goal) is one reference."""
    return [(tuple(fk["fields"]), fk["reference"]["resource"] or name, tuple(fk["reference"]["fields"]))
            for fk in descriptor(name).get("foreignKeys", [])]


def _key_values(frame: pd.DataFrame, columns_: tuple[str, ...]) -> list:
    """Each row's value of the columns: the value itself for one column, a tuple for several; None where one is empty."""
    def value(values):
        if any(v is None or (not isinstance(v, str) and pd.isna(v)) for v in values):
            return None
        return values[0] if len(values) == 1 else tuple(values)
    return [value(values) for values in zip(*(frame[c] for c in columns_))]


def _key_text(value) -> str:
    return " / ".join(map(_text, value)) if isinstance(value, tuple) else _text(value)


# The descriptors' titles and descriptions are in the catalogues (i18n.extract reads tables/*.json).


def _translated(text: str) -> str:
    return _(text)


def title(name: str) -> str:
    """The table's title in the current language."""
    return _translated(descriptor(name)["title"])


def description(name: str) -> str:
    """What the table holds, in the current language."""
    return _translated(descriptor(name)["description"])


def column_titles(name: str) -> dict[str, str]:
    """Column -> its title in the current language."""
    return {f["name"]: _translated(f["title"]) for f in descriptor(name)["fields"]}


def columns_frame(name: str) -> pd.DataFrame:
    """What each column of the table's file holds (in the current language): column, type, required, description."""
    required = _required(name)
    return pd.DataFrame([
        {"column": f["name"], "type": _translated(TYPE_NAMES[f["type"]]),
         "required": _("yes") if f["name"] in required else "", "description": _translated(f["description"])}
        for f in descriptor(name)["fields"]
    ])


QUALIFIERS = tuple(_fields("published_totals")["qualifier"]["constraints"]["enum"])


def descriptor_json(name: str) -> bytes:
    return json.dumps(descriptor(name), indent=2, ensure_ascii=False).encode("utf-8")


# --- results ------------------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What an import of a table did. status: imported | unchanged | rejected."""

    status: str
    table: str
    file_name: str
    rows: int = 0
    rows_before: int = 0
    import_id: int | None = None
    file_error: str | None = None  # the file as a whole was unusable
    problems: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PROBLEM_COLUMNS))
    notes: list[str] = field(default_factory=list)

    @property
    def written(self) -> bool:
        return self.status == "imported"

    def summary(self) -> str:
        if self.file_error:
            return f"{self.file_name}: nothing imported into {self.table}: {self.file_error}"
        if self.status == "rejected":
            return f"{self.file_name}: nothing imported into {self.table}: {len(self.problems):,} problem(s)"
        if self.status == "unchanged":
            return f"{self.file_name}: {self.table} already holds exactly these {self.rows:,} row(s): nothing to do"
        return (f"{self.file_name}: {self.table} replaced by {self.rows:,} row(s) (it held {self.rows_before:,}) as "
                f"import #{self.import_id}; `seizures rollback {self.import_id}` restores the rows before it")


@dataclass
class Restored:
    """A rolled-back reference import: the table and its rows before and after."""

    import_id: int
    table: str
    rows_restored: int
    rows_removed: int

    def summary(self) -> str:
        return (f"rolled back import #{self.import_id}: {self.table} holds its {self.rows_restored:,} rows from "
                f"before it again ({self.rows_removed:,} rows of the import removed)")


class ReferenceFileError(store.StoreError):
    """Reference files that cannot be loaded (seizures init --demo): every problem, with file, row and column."""

    def __init__(self, problems: pd.DataFrame):
        self.problems = problems
        super().__init__("nothing loaded: the reference files have problems:\n" + problem_lines(problems))


def problem_lines(problems: pd.DataFrame) -> str:
    """The problems as lines of text, whole (never cut): file, row N, column C: "value": reason."""
    lines = []
    for p in problems.itertuples():
        where = [p.file] + ([f"row {p.row}"] if not pd.isna(p.row) else []) + ([f"column {p.column}"] if p.column else [])
        value = f'"{p.value}": ' if isinstance(p.value, str) and p.value else ""
        lines.append(f"{', '.join(where)}: {value}{p.reason}")
    return "\n".join(lines)


class Problems:
    """The problems found in one file (or one edit)."""

    def __init__(self, file_name: str, order: list[str] | None = None):
        self.file = file_name
        self.order = {column: i for i, column in enumerate(order or [])}  # the columns' order, for sorting
        self.items: list[tuple] = []

    def add(self, row: int | None, column: str, value, reason: str) -> None:
        text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else _text(value)
        self.items.append((self.file, row, column, CONTROL.sub(lambda m: chr(0x2400 + ord(m[0])), text)[:VALUE_SHOWN_MAX],
                           reason))

    def __bool__(self) -> bool:
        return bool(self.items)

    def frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.items, columns=PROBLEM_COLUMNS).drop_duplicates()
        frame["row"] = frame["row"].astype("Int64")
        position = frame["column"].map(self.order).fillna(len(self.order))
        return (frame.assign(_position=position).sort_values(["row", "_position"], kind="stable", na_position="first")
                .drop(columns="_position").reset_index(drop=True))


# --- reading a file into typed rows -------------------------------------------------------------------------


@dataclass
class Candidate:
    """A table's new rows: `frame` holds the typed values (None where empty or refused) in the descriptor's
    columns, plus `_row`, the spreadsheet row each came from."""

    name: str
    frame: pd.DataFrame
    problems: Problems
    refused: set[tuple[int, str]]  # (row, column) of cells already refused
    content_hash: str = ""
    notes: list[str] = field(default_factory=list)

    def values(self, column: str) -> list[tuple[int, object]]:
        """(row, value) of the column's valid, non-empty cells."""
        return [(r, v) for r, v in zip(self.frame["_row"], self.frame[column])
                if v is not None and (r, column) not in self.refused]


def _text(value) -> str:
    """A stored value as a file writes it (the round trip gives it back): no ".0" on whole numbers."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _header_check(name: str):
    def check(header: list[str]) -> None:
        known = set(columns(name)) | ({"years", "year"} if name == "published_totals" else set())
        if not {normalise_header(h) for h in header} & known:
            raise upload.UploadError(
                f"the first row holds none of the {name} columns ({', '.join(columns(name))}): is this the {name} file?")
    return check


def read_file(name: str, source: bytes | Path, file_name: str | None = None,
              max_mb: float | None = None) -> Candidate:
    """Read and check a file of a table (everything but the comparison with the store). Raises upload.UploadError
    when the file as a whole is unusable (empty, binary, too large, not laid out as the table)."""
    file_name = file_name or (source.name if isinstance(source, Path) else "upload")
    with upload.read_upload(source, max_mb, _header_check(name)) as raw:
        if raw.rows > MAX_ROWS:
            raise upload.UploadError(f"the file has {raw.rows:,} rows, more than {MAX_ROWS:,}: a reference table is "
                                     "smaller; is this the right file?")
        names = ", ".join(f"c{i}" for i in range(len(raw.header)))
        rows = raw.con.execute(f"SELECT row, {names} FROM raw ORDER BY row").fetchall()
        problems = Problems(file_name, columns(name))
        for p in raw.cell_problems:
            problems.add(p.row, raw.header[p.column_index] or f"column {p.column_index + 1}", p.value, p.reason)
        candidate = _candidate(name, raw.header, [(r[0], list(r[1:])) for r in rows], problems, unquote=True)
        candidate.content_hash, candidate.notes = raw.content_hash, list(raw.notes)
        for p in raw.cell_problems:
            candidate.refused.add((p.row, normalise_header(raw.header[p.column_index])))
        return candidate


def frame_candidate(name: str, frame: pd.DataFrame, label: str) -> Candidate:
    """The rows of a frame laid out as the table's file (e.g. an edited table), checked as a file would be: row 2
    is the frame's first row."""
    header = [str(c) for c in frame.columns]
    rows = [(i + 2, [_text(v) for v in values]) for i, values in enumerate(frame.itertuples(index=False, name=None))]
    candidate = _candidate(name, header, rows, Problems(label, columns(name)))
    candidate.content_hash = hashlib.sha256(spreadsheet.csv_bytes(frame.astype(object))).hexdigest()
    return candidate


def _candidate(name: str, header: list[str], rows: list[tuple[int, list]], problems: Problems,
               unquote: bool = False) -> Candidate:
    """The rows checked against the descriptor and the table's own rules. unquote: a file's cells, which may hold
    an apostrophe an export put before text a spreadsheet would run (spreadsheet.quoted); an edit's are as typed."""
    clean = _clean if unquote else (lambda cell: "" if cell is None else str(cell).strip(WHITESPACE))
    wanted = columns(name)
    aliases = {"years": "year_from", "year": "year_from"} if name == "published_totals" else {}
    positions: dict[str, int] = {}
    for index, label in enumerate(header):
        key = normalise_header(label)
        column = key if key in wanted else aliases.get(key)
        if not key:
            if any(clean(cells[index]) for _row, cells in rows if index < len(cells)):
                problems.add(1, f"column {index + 1}", label, "values in a column without a name")
        elif column is None:
            problems.add(1, label, label, f"unknown column; the columns of {name} are: {', '.join(wanted)}")
        elif column in positions:
            problems.add(1, label, label, f"a second {column} column (the first is column {positions[column] + 1})")
        else:
            positions[column] = index
    for column in sorted(_required(name) - set(positions)):
        problems.add(1, column, "", "required column missing")
    texts = []
    for row, cells in rows:
        values = {column: clean(cells[index]) if index < len(cells) else "" for column, index in positions.items()}
        if not any(values.values()) and not any(clean(c) for c in cells):
            continue  # a blank row (spreadsheets leave them): not data
        for column in wanted:
            values.setdefault(column, "")
        texts.append((row, values))
    candidate = Candidate(name, pd.DataFrame(columns=[*wanted, "_row"], dtype=object), problems, set())
    if name == "published_totals":
        _read_spans(texts, candidate)
    for row, values in texts:
        for column, text in values.items():
            if CONTROL.search(text):
                problems.add(row, column, text, "holds a control character")
                candidate.refused.add((row, column))
    _validate_types(name, texts, candidate, absent=set(wanted) - set(positions))
    return candidate


def _clean(cell) -> str:
    """A cell's text: without the whitespace around it, and without the one apostrophe an export put before text
    a spreadsheet would take for a formula (spreadsheet.quoted)."""
    text = "" if cell is None else str(cell).strip(WHITESPACE)
    return spreadsheet.unquoted(text)


def _read_spans(texts: list[tuple[int, dict]], candidate: Candidate) -> None:
    """Published totals: a span of years in the year_from cell ("2017-2021", also with an en dash), and an empty
    year_to meaning the same year as year_from."""
    for row, values in texts:
        start, end = values["year_from"], values["year_to"]
        span = SPAN.fullmatch(start)
        if span:
            values["year_from"] = span[1]
            if end and end != span[2]:
                candidate.problems.add(row, "year_to", end, f"differs from the span {start} in year_from")
                candidate.refused.add((row, "year_to"))
            values["year_to"] = span[2]
        elif INTEGER_TEXT.fullmatch(start) and not end:
            values["year_to"] = start


def _validate_types(name: str, texts: list[tuple[int, dict]], candidate: Candidate, absent: set[str]) -> None:
    """Frictionless checks the descriptor's rules (types, required, enum, minimum and maximum, pattern, length,
    unique and primary keys); the values are then converted to the table's types. A required column absent from
    the file is one problem of the header, not one per row."""
    from frictionless import Resource, Schema  # loads only when a table is checked

    spec = {k: v for k, v in descriptor(name).items() if k != "foreignKeys"}  # checked against the store, below
    wanted = columns(name)
    rows = [row for row, _values in texts]
    data = [wanted, *([values[c] for c in wanted] for _row, values in texts)]
    report = Resource(data=data, schema=Schema.from_descriptor(spec)).validate(limit_errors=100_000)
    fields = _fields(name)
    key = descriptor(name).get("primaryKey", [])

    def spreadsheet_row(position) -> int:
        return rows[int(position) - 2]

    # Numbers are held to plain digits below (_typed): Frictionless's word on other text ("NaN" is "more than 90")
    # would only confuse.
    not_digits = {(row, c) for row, values in texts for c in wanted
                  if fields[c]["type"] in ("integer", "number") and values[c]
                  and not (INTEGER_TEXT if fields[c]["type"] == "integer" else NUMBER_TEXT).fullmatch(values[c])}
    for error in report.tasks[0].errors if report.tasks else report.errors:
        kind = error.type
        position = getattr(error, "row_number", None)
        if position is None:
            candidate.problems.add(None, "", "", getattr(error, "message", str(error)))
            continue
        row = spreadsheet_row(position)
        column = getattr(error, "field_name", "") or ""
        if (row, column) in not_digits or column in absent:
            continue
        cell = getattr(error, "cell", "")
        if kind == "type-error":
            reason = f"not a {TYPE_NAMES[fields[column]['type']]}"
            if fields[column]["type"] == "boolean":
                reason = "not true or false"
        elif kind == "constraint-error":
            reason = _constraint_reason(fields[column], error.note)
        elif kind in ("unique-error", "primary-key"):
            earlier = re.search(r"position (\d+)", error.note)
            same = ", ".join(key) if kind == "primary-key" else column
            reason = f"the same {same} as row {spreadsheet_row(earlier[1]) if earlier else '?'}"
            if kind == "primary-key":
                column, cell = key[0], texts[int(position) - 2][1][key[0]]
        else:
            reason = error.note or kind
        candidate.problems.add(row, column, cell, reason)
        candidate.refused.add((row, column))
    typed = {column: [] for column in wanted}
    for row, values in texts:
        for column in wanted:
            typed[column].append(_typed(fields[column]["type"], values[column], row, column, candidate))
    candidate.frame = pd.DataFrame({**typed, "_row": rows}, columns=[*wanted, "_row"], dtype=object)


def _constraint_reason(spec: dict, note: str) -> str:
    constraints = spec.get("constraints", {})
    which = re.search(r'constraint "(\w+)"', note or "")
    which = which[1] if which else ""
    if which == "required":
        return "required: may not be empty"
    if which == "enum":
        return f"not one of: {', '.join(constraints['enum'])}"
    if which == "minimum":
        return f"less than {_text(float(constraints['minimum']))}"
    if which == "maximum":
        return f"more than {_text(float(constraints['maximum']))}"
    if which == "maxLength":
        return f"longer than {constraints['maxLength']} characters"
    if which == "pattern":
        return f"not of the form {constraints['pattern']} ({spec['description']})"
    return note or "does not meet the column's rule"


def _typed(kind: str, text: str, row: int, column: str, candidate: Candidate):
    """The value of a cell that Frictionless accepted (None for an empty or refused one), held to plain digits."""
    if not text or (row, column) in candidate.refused:
        return None
    if kind in ("integer", "number"):
        if not (INTEGER_TEXT if kind == "integer" else NUMBER_TEXT).fullmatch(text):
            reason = "not a whole number" if kind == "integer" else "not a number (digits 0-9, . for decimals)"
            candidate.problems.add(row, column, text, reason)
            candidate.refused.add((row, column))
            return None
        return int(text) if kind == "integer" else float(text)
    if kind == "boolean":
        return text in TRUE_VALUES
    if kind == "date":
        return dt.date.fromisoformat("-".join(part.zfill(2) for part in text.split("-")))
    return text


# --- the rules beyond one cell ------------------------------------------------------------------------------


def fold(text: str) -> str:
    """A name as imports match it (ingest.FOLD_MACRO): lower case, no accents, đ as dj, runs of space, _ and - as
    one space."""
    text = unicodedata.normalize("NFKD", text.lower().replace("đ", "dj"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\s_\-]+", " ", text).strip()


def _distinct_spellings(candidate: Candidate, columns_: tuple[str, ...], what: str, group: str | None = None) -> None:
    """No two rows (of one group) may share a spelling (code or name in any language, folded): imports match by
    any of them."""
    frame = candidate.frame
    values = {column: frame[column].tolist() for column in columns_}
    groups = frame[group].tolist() if group else [None] * len(frame)
    first: dict[tuple, tuple[int, str]] = {}
    for index, row in enumerate(frame["_row"].tolist()):
        if values[columns_[0]][index] is None:
            continue
        seen_here = set()
        for column in columns_:
            value = values[column][index]
            if not isinstance(value, str) or (row, column) in candidate.refused:
                continue
            key = (groups[index], fold(value))
            if key in seen_here:
                continue
            seen_here.add(key)
            if key in first:
                other_row, other_column = first[key]
                candidate.problems.add(row, column, value, f"the same {what} as {other_column} of row {other_row} "
                                       "(accents, case and spacing aside): imports could not tell them apart")
            else:
                first[key] = (row, column)


def _check_jurisdiction(candidate: Candidate, today: dt.date) -> None:
    frame = candidate.frame
    if frame.empty:
        candidate.problems.add(None, "code", "", "no jurisdiction: the file must hold exactly one row")
    for row in list(frame["_row"])[1:]:
        candidate.problems.add(row, "code", frame.loc[frame["_row"] == row, "code"].iloc[0],
                               "a second jurisdiction: the file must hold exactly one row")
    for row, text in candidate.values("languages"):
        codes = [code.strip() for code in text.split(",")]
        unknown = [code for code in codes if code not in i18n.LANGUAGES]
        if unknown:
            candidate.problems.add(row, "languages", text, f"not an interface language: {', '.join(map(repr, unknown))}"
                                   f"; the languages are {', '.join(i18n.LANGUAGES)}")
        elif len(set(codes)) < len(codes):
            candidate.problems.add(row, "languages", text, "a language named twice")
    for row, day in candidate.values("earliest_date"):
        if day > today:
            candidate.problems.add(row, "earliest_date", day, f"after today ({today:%Y-%m-%d})")


def _check_vocabulary(candidate: Candidate, _today: dt.date) -> None:
    frame = candidate.frame
    units = {code for kind, code in zip(frame["kind"], frame["code"]) if kind == "unit" and code}
    only = {"units": "category", "whole": "unit", "line_limit": "unit", "highlight": "weapon_type"}
    for index, row in enumerate(frame["_row"]):
        kind, code = frame.at[index, "kind"], frame.at[index, "code"]
        if kind is None:
            continue
        limit = CODE_LENGTHS[kind]
        if code is not None and len(code) > limit:
            candidate.problems.add(row, "code", code, f"longer than {limit} characters (the most for a {kind})")
        for column, owner in only.items():
            value = frame.at[index, column]
            if value is not None and kind != owner:
                candidate.problems.add(row, column, value, f"only for a {owner}: leave it empty for a {kind}")
        if kind == "category" and (row, "units") not in candidate.refused:
            listed = [u.strip() for u in (frame.at[index, "units"] or "").split(",") if u.strip()]
            if not listed:
                candidate.problems.add(row, "units", "", "a category needs its units (codes of units of this file)")
            for unit in listed:
                if unit not in units:
                    candidate.problems.add(row, "units", frame.at[index, "units"],
                                           f"{unit!r} is not a unit of this file (units: {', '.join(sorted(units)) or 'none'})")
            if len(set(listed)) < len(listed):
                candidate.problems.add(row, "units", frame.at[index, "units"], "a unit named twice")
        if kind == "unit" and frame.at[index, "whole"] is None and (row, "whole") not in candidate.refused:
            candidate.problems.add(row, "whole", "", "required for a unit: true (counted in whole numbers) or false")
        limit_value = frame.at[index, "line_limit"]
        if kind == "unit" and limit_value is not None and limit_value <= 0:
            candidate.problems.add(row, "line_limit", limit_value, "must be more than 0 (empty: no limit)")
    if "category" not in set(frame["kind"]):
        candidate.problems.add(None, "kind", "", "no category: the vocabulary needs at least one category and its units")
    _distinct_spellings(candidate, ("code", "label_en", "label_sq", "label_sr"), "code or label", group="kind")


def _check_regions(candidate: Candidate, _today: dt.date) -> None:
    frame = candidate.frame
    parents = dict(zip(frame["code"], frame["parent_code"]))
    for index, row in enumerate(frame["_row"]):
        code, parent = frame.at[index, "code"], frame.at[index, "parent_code"]
        if parent is not None and parent == code:
            candidate.problems.add(row, "parent_code", parent, "a region cannot be its own parent")
        elif parent is not None:
            seen, step = {code}, parent
            while step is not None and step not in seen and step in parents:
                seen.add(step)
                step = parents[step]
            if step in seen and step is not None:
                candidate.problems.add(row, "parent_code", parent, "the parents go round in a circle back to this region")
        lat, lon = frame.at[index, "latitude"], frame.at[index, "longitude"]
        if (lat is None) != (lon is None) and not {(row, "latitude"), (row, "longitude")} & candidate.refused:
            missing = "longitude" if lon is None else "latitude"
            candidate.problems.add(row, missing, "", "the seat needs both latitude and longitude (or neither)")
    _distinct_spellings(candidate, ("code", "name_en", "name_sq", "name_sr"), "code or name")


def _check_municipalities(candidate: Candidate, _today: dt.date) -> None:
    _distinct_spellings(candidate, ("name",), "name")


def _check_published_totals(candidate: Candidate, today: dt.date) -> None:
    frame = candidate.frame
    for index, row in enumerate(frame["_row"]):
        start, end = frame.at[index, "year_from"], frame.at[index, "year_to"]
        if start is not None and end is not None and start > end:
            candidate.problems.add(row, "year_to", end, f"before year_from ({start})")
        if end is not None and end > today.year:
            candidate.problems.add(row, "year_to", end, f"after this year ({today.year}): a published figure covers past years")


TABLE_CHECKS = {
    "jurisdiction": _check_jurisdiction,
    "vocabulary": _check_vocabulary,
    "regions": _check_regions,
    "municipalities": _check_municipalities,
    "published_totals": _check_published_totals,
}


# --- consistency with the store -----------------------------------------------------------------------------


class State:
    """The reference tables as they would be: the new rows of the tables being replaced, the store's for the rest."""

    def __init__(self, conn: sa.Connection, new: dict[str, pd.DataFrame]):
        self.conn, self.new = conn, new
        self._stored: dict[str, pd.DataFrame] = {}

    def rows(self, name: str) -> pd.DataFrame:
        if name in self.new:
            return self.new[name]
        if name not in self._stored:
            self._stored[name] = current_frame(self.conn, name)
        return self._stored[name]


def current_frame(conn: sa.Connection, name: str) -> pd.DataFrame:
    """The table's stored rows, typed, in the descriptor's columns (plus id where the table has one)."""
    table = table_of(name)
    rows = conn.execute(sa.select(table).order_by(*_order(name))).mappings().all()
    wanted = columns(name) + (["id"] if "id" in table.c else [])
    return pd.DataFrame([[row[c] for c in wanted] for row in rows], columns=wanted, dtype=object)


def _order(name: str) -> list:
    table = table_of(name)
    if "id" in table.c:
        return [table.c.id]
    if name == "vocabulary":
        kinds = sa.case({k: i for i, k in enumerate(VOCABULARY_KINDS)}, value=table.c.kind, else_=len(VOCABULARY_KINDS))
        return [kinds, table.c.position, table.c.code]
    if name == "regions":
        return [sa.func.coalesce(table.c.position, 2**31 - 1), table.c.code]
    key = descriptor(name).get("primaryKey") or columns(name)
    return [table.c[c] for c in key]


def _consistency(name: str, frame: pd.DataFrame, state: State, problems: Problems) -> None:
    """The references the new rows make exist, and nothing stored loses what it refers to."""
    row_numbers = list(frame["_row"]) if "_row" in frame else [None] * len(frame)
    # Outgoing: each foreign key's value exists in the referenced table (as it will be).
    for columns_, target, target_columns in foreign_keys(name):
        keys = {k for k in _key_values(state.rows(target), target_columns) if k is not None}
        what = " and ".join(target_columns)
        for row, value in zip(row_numbers, _key_values(frame, columns_)):
            if value is not None and value not in keys:
                listed = sorted(keys, key=_key_text)
                shown = ", ".join(map(_key_text, listed[:SHOWN_KEYS])) or "none yet"
                shown += f" and {len(listed) - SHOWN_KEYS:,} more" if len(listed) > SHOWN_KEYS else ""
                problems.add(row, columns_[-1], _key_text(value), f"no such {what} in {target} ({shown})"
                             + ("" if target == name else f": import {target} first, or correct it"))
    if name == "published_totals":
        _check_measures(frame, row_numbers, state.rows("vocabulary"), problems)
    # Incoming: other reference tables that refer to this one keep what they refer to.
    for other in NAMES:
        if other == name or other in state.new:
            continue
        for columns_, target, target_columns in foreign_keys(other):
            if target != name:
                continue
            used = pd.Series([k for k in _key_values(state.rows(other), columns_) if k is not None], dtype=object)
            kept = {k for k in _key_values(frame, target_columns) if k is not None}
            _refuse_removed(used.value_counts().to_dict(), kept, " and ".join(target_columns),
                            f"row(s) of {other} ({', '.join(columns_)})", f"replace {other} first", problems)
    uses = STORE_USES.get(name)
    if uses:
        uses(state, frame, problems)


def _refuse_removed(used: dict, kept: set, column: str, what: str, advice: str, problems: Problems) -> None:
    for value, count in sorted(used.items(), key=lambda kv: _key_text(kv[0])):
        if value not in kept and value != "":
            problems.add(None, column, _key_text(value), f"used by {int(count):,} stored {what}: the new rows must keep it ({advice})")


def _check_measures(frame: pd.DataFrame, row_numbers: list, vocabulary: pd.DataFrame, problems: Problems) -> None:
    """A published total's category exists and counts in its unit; a whole unit's value is whole."""
    terms = {(k, c): t for k, c, t in zip(vocabulary["kind"], vocabulary["code"], vocabulary.to_dict("records"))}
    for row, category, unit, value in zip(row_numbers, frame["category"], frame["unit"], frame["value"]):
        if category is None or unit is None:
            continue
        term = terms.get(("category", category))
        if term is None:
            known = ", ".join(c for k, c in terms if k == "category") or "none yet: import the vocabulary first"
            problems.add(row, "category", category, f"not a category of the vocabulary ({known})")
            continue
        units = [u.strip() for u in (term.get("units") or "").split(",") if u.strip()]
        if unit not in units:
            problems.add(row, "unit", unit, f"{category} is not counted in {unit}: its units are {', '.join(units)}")
            continue
        whole = (terms.get(("unit", unit)) or {}).get("whole")
        if whole and value is not None and not pd.isna(value) and not float(value).is_integer():
            problems.add(row, "value", value, f"{unit} are counted in whole numbers")


def _summary_uses(conn: sa.Connection, *columns_: str) -> pd.DataFrame:
    """The stored seizure lines and counts per distinct value of the summary's columns: `rows`."""
    t = schema.seizure_summary
    query = (sa.select(*(t.c[c] for c in columns_), sa.func.sum(t.c.lines + t.c.count_rows).label("rows"))
             .group_by(*(t.c[c] for c in columns_)))
    result = conn.execute(query).all()
    return pd.DataFrame(result, columns=[*columns_, "rows"])


def _region_uses(state: State, frame: pd.DataFrame, problems: Problems) -> None:
    kept = set(frame["code"].dropna())
    lines = _summary_uses(state.conn, "region_code")
    _refuse_removed(dict(zip(lines["region_code"], lines["rows"])), kept, "code", "seizure lines or counts",
                    "roll back their imports, or keep the code", problems)
    e = schema.events
    events = state.conn.execute(sa.select(e.c.region_code, sa.func.count()).where(e.c.region_code.is_not(None))
                                .group_by(e.c.region_code)).all()
    _refuse_removed(dict(events), kept, "code", "event(s)", "edit or remove those events first", problems)


def _municipality_uses(state: State, frame: pd.DataFrame, problems: Problems) -> None:
    s = schema.seizures
    used = state.conn.execute(sa.select(s.c.municipality, sa.func.count()).where(s.c.municipality.is_not(None))
                              .group_by(s.c.municipality)).all()
    _refuse_removed(dict(used), set(frame["name"].dropna()), "name", "seizure lines",
                    "roll back their imports, or keep the name", problems)


def _vocabulary_uses(state: State, frame: pd.DataFrame, problems: Problems) -> None:
    lines = _summary_uses(state.conn, "category", "unit", "weapon_type", "context")
    kept = {kind: set(frame.loc[frame["kind"] == kind, "code"].dropna()) for kind in VOCABULARY_KINDS}
    advice = "roll back their imports, or keep the code"
    for kind in VOCABULARY_KINDS:
        used = lines.groupby(kind)["rows"].sum().to_dict() if not lines.empty else {}
        before = len(problems.items)
        _refuse_removed(used, kept[kind], "code", f"seizure lines or counts ({kind})", advice, problems)
        for index in range(before, len(problems.items)):  # say which kind the code was of
            file, row, column, value, reason = problems.items[index]
            problems.items[index] = (file, row, column, value, f"{kind} {reason}")
    units_of = {c: {u.strip() for u in (us or "").split(",") if u.strip()}
                for k, c, us in zip(frame["kind"], frame["code"], frame["units"]) if k == "category"}
    pairs = lines.groupby(["category", "unit"])["rows"].sum().to_dict() if not lines.empty else {}
    if "published_totals" not in state.new:
        published = state.rows("published_totals")
        for (category, unit), count in published.groupby(["category", "unit"]).size().to_dict().items():
            pairs_note = f"{int(count):,} published total(s)"
            if category in units_of and unit not in units_of[category]:
                problems.add(None, "units", category, f"category {category} no longer lists unit {unit}, used by "
                             f"{pairs_note}: keep the unit (or replace the published totals first)")
            elif category not in units_of:
                problems.add(None, "code", category, f"category {category} is used by {pairs_note}: the new rows "
                             "must keep it (replace the published totals first)")
    for (category, unit), count in sorted(pairs.items()):
        if category in units_of and unit not in units_of[category]:
            problems.add(None, "units", category, f"category {category} no longer lists unit {unit}, used by "
                         f"{int(count):,} stored seizure lines or counts: keep the unit ({advice})")


def _jurisdiction_uses(state: State, frame: pd.DataFrame, problems: Problems) -> None:
    first = state.conn.execute(sa.select(sa.func.min(schema.seizures.c.seized_on))).scalar()
    rows = list(frame["_row"]) if "_row" in frame else [None] * len(frame)
    for row, day in zip(rows, frame["earliest_date"]):
        if first is not None and day is not None and day > first:
            problems.add(row, "earliest_date", day, f"after the earliest stored seizure line ({first:%Y-%m-%d}): "
                         "the earliest plausible date cannot exclude what is stored")


STORE_USES = {"jurisdiction": _jurisdiction_uses, "regions": _region_uses, "municipalities": _municipality_uses,
              "vocabulary": _vocabulary_uses}


# --- import, save, rollback ---------------------------------------------------------------------------------


def _has_schema(conn: sa.Connection) -> None:
    if not sa.inspect(conn).has_table(schema.reference_snapshots.name):
        raise store.StoreError("the store has no schema yet (or an old one): run `seizures init` first")


def check(name: str, candidate: Candidate, conn: sa.Connection, today: dt.date | None = None,
          batch: dict[str, pd.DataFrame] | None = None) -> None:
    """Every rule beyond the descriptor's: the table's own, then its consistency with the store (or a batch of
    tables loaded together)."""
    today = today or dt.date.today()
    if name in TABLE_CHECKS:
        TABLE_CHECKS[name](candidate, today)
    new = dict(batch or {})
    new[name] = candidate.frame
    _consistency(name, candidate.frame, State(conn, new), candidate.problems)


def _records(name: str, frame: pd.DataFrame) -> list[dict]:
    wanted = columns(name) + (["id"] if "id" in frame.columns else [])
    return [{c: (None if v is None or (not isinstance(v, str) and pd.isna(v)) else v) for c, v in zip(wanted, values)}
            for values in frame[wanted].itertuples(index=False, name=None)]


def _comparable(name: str, frame: pd.DataFrame) -> list[str]:
    """The rows as sorted text: to tell whether an import changes anything."""
    return sorted(json.dumps([_text(v) for v in row.values()]) for row in _records(name, frame[columns(name)]))


def _write(conn: sa.Connection, name: str, records: list[dict]) -> None:
    """Replace the table's rows (in bulk: store.insert_frame), in the caller's transaction."""
    table = table_of(name)
    conn.execute(table.delete())
    if records:
        frame = pd.DataFrame(records, dtype=object)
        store.insert_frame(conn, table, frame.astype({c: _pandas_type(table.c[c].type) for c in frame.columns}))


def _pandas_type(kind: sa.types.TypeEngine) -> str:
    if isinstance(kind, sa.Boolean):
        return "boolean"
    if isinstance(kind, sa.Integer):
        return "Int64"
    if isinstance(kind, sa.Float):
        return "float64"
    return "object"


def _snapshot(frame: pd.DataFrame, name: str) -> str:
    return json.dumps([{c: _json_value(v) for c, v in row.items()} for row in _records(name, frame)], ensure_ascii=False)


def _json_value(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _from_snapshot(name: str, text: str) -> list[dict]:
    table = table_of(name)
    rows = json.loads(text)
    for row in rows:
        for column, value in row.items():
            if value is not None and isinstance(table.c[column].type, sa.Date):
                row[column] = dt.date.fromisoformat(value)
    return rows


def import_file(engine: sa.Engine, name: str, source: bytes | Path, file_name: str | None = None, *,
                user: str | None = None, max_mb: float | None = None, today: dt.date | None = None) -> ImportResult:
    """Replace a reference table with a file's rows, all or nothing, audited; never raises for a bad file."""
    file_name = file_name or (source.name if isinstance(source, Path) else "upload")
    if max_mb is None:
        try:
            max_mb = settings.max_upload_mb()
        except ValueError as exc:
            raise store.StoreError(str(exc)) from exc
    try:
        candidate = read_file(name, source, file_name, max_mb)
    except upload.UploadError as exc:
        return ImportResult("rejected", name, file_name, file_error=str(exc))
    return replace(engine, name, candidate, file_name, user=user, today=today)


def save_frame(engine: sa.Engine, name: str, frame: pd.DataFrame, label: str, *, user: str | None = None,
               today: dt.date | None = None) -> ImportResult:
    """Replace a table with the rows of a frame laid out as its file (an edit on the Data page): checked and audited
    as a file import, so it can be rolled back too."""
    return replace(engine, name, frame_candidate(name, frame, label), label, user=user, today=today)


def replace(engine: sa.Engine, name: str, candidate: Candidate, file_name: str, *, user: str | None = None,
            today: dt.date | None = None) -> ImportResult:
    """Check a table's new rows against the store and, if nothing is wrong, write them in one transaction with the
    audit row and the snapshot of the rows they replace."""
    from seizures.seed import os_user

    result = ImportResult("rejected", name, file_name, rows=len(candidate.frame), notes=candidate.notes)
    with store.serial_write(engine) as conn:  # no seizure import can slip in between the checks and the write
        _has_schema(conn)
        check(name, candidate, conn, today)
        if candidate.problems:
            result.problems = candidate.problems.frame()
            return result  # leaving the block without a write
        before = current_frame(conn, name)
        result.rows_before = len(before)
        if _comparable(name, before) == _comparable(name, candidate.frame):
            result.status = "unchanged"
            return result
        i = schema.imports
        result.import_id = conn.execute(i.insert().values(
            file_name=file_name[:255], content_hash=candidate.content_hash or hashlib.sha256(b"").hexdigest(),
            kind=KIND, rows_read=len(candidate.frame), rows_accepted=len(candidate.frame), rows_rejected=0,
            user_name=user or os_user(), imported_at=dt.datetime.now(),
        ).returning(i.c.id)).scalar_one()
        conn.execute(schema.reference_snapshots.insert().values(
            import_id=result.import_id, table_name=name, rows_before=_snapshot(before, name)))
        _write(conn, name, _records(name, candidate.frame))
    result.status = "imported"
    return result


def reference_import(engine: sa.Engine, import_id: int) -> str | None:
    """The table that import replaced, if it is a reference import; None otherwise."""
    s = schema.reference_snapshots
    with engine.connect() as conn:
        return conn.execute(sa.select(s.c.table_name).where(s.c.import_id == import_id)).scalar()


def _latest_in_force(conn: sa.Connection, name: str):
    i, s = schema.imports, schema.reference_snapshots
    return conn.execute(
        sa.select(i.c.id, i.c.file_name, i.c.imported_at).join(s, s.c.import_id == i.c.id)
        .where(s.c.table_name == name, i.c.rolled_back_at.is_(None)).order_by(i.c.id.desc()).limit(1)
    ).first()


def rollback(engine: sa.Engine, import_id: int) -> Restored:
    """Restore the rows a reference import replaced, if it is the latest import of its table in force and the
    rows before it still fit the store; raises RollbackError (saying why) otherwise."""
    i, s = schema.imports, schema.reference_snapshots
    with store.serial_write(engine) as conn:
        _has_schema(conn)
        row = conn.execute(sa.select(i.c.kind, i.c.file_name, i.c.rolled_back_at, s.c.table_name, s.c.rows_before)
                           .join_from(i, s, s.c.import_id == i.c.id, isouter=True).where(i.c.id == import_id)).first()
        if row is None:
            raise RollbackError(f"there is no import #{import_id}")
        if row.table_name is None:
            raise RollbackError(f"import #{import_id} ({row.file_name}) is not a reference-data import")
        if row.rolled_back_at is not None:
            raise RollbackError(f"import #{import_id} ({row.file_name}) was already rolled back on "
                                f"{row.rolled_back_at:%Y-%m-%d %H:%M}")
        name = row.table_name
        latest = _latest_in_force(conn, name)
        if latest.id != import_id:
            raise RollbackError(
                f"import #{import_id} ({row.file_name}) is not the latest import of {name} in force: import "
                f"#{latest.id} ({latest.file_name}, {latest.imported_at:%Y-%m-%d %H:%M}) replaced {name} after it. "
                f"Only the latest import of a table can be rolled back: roll back #{latest.id} first")
        rows = _from_snapshot(name, row.rows_before)
        wanted = columns(name) + (["id"] if "id" in table_of(name).c else [])
        restored = pd.DataFrame([[r.get(c) for c in wanted] for r in rows], columns=wanted, dtype=object)
        problems = Problems(f"the {name} rows from before import #{import_id}")
        _consistency(name, restored, State(conn, {name: restored}), problems)
        if problems:
            raise RollbackError(f"import #{import_id} cannot be rolled back: the {name} rows before it no longer fit "
                                f"the store:\n{problem_lines(problems.frame())}")
        removed = conn.execute(sa.select(sa.func.count()).select_from(table_of(name))).scalar_one()
        _write(conn, name, _records(name, restored))
        conn.execute(i.update().where(i.c.id == import_id).values(rolled_back_at=dt.datetime.now()))
    return Restored(import_id, name, len(rows), removed)


# --- export and history -------------------------------------------------------------------------------------


PANDAS_TYPES = {"integer": "Int64", "number": "float64", "boolean": "boolean", "date": "object", "string": "object"}


def rows_frame(engine: sa.Engine, name: str) -> pd.DataFrame:
    """The table's rows in its file's columns, typed for display and editing (whole numbers as Int64, ...)."""
    with engine.connect() as conn:
        frame = current_frame(conn, name)[columns(name)]
    return frame.astype({f["name"]: PANDAS_TYPES[f["type"]] for f in descriptor(name)["fields"]})


def export_frame(engine: sa.Engine, name: str) -> pd.DataFrame:
    """The table's rows as text, laid out exactly as its import takes them."""
    with engine.connect() as conn:
        frame = current_frame(conn, name)[columns(name)]
    return frame.map(_text).astype(object) if not frame.empty else pd.DataFrame(columns=columns(name))


def export_csv(engine: sa.Engine, name: str) -> bytes:
    """The table as a CSV file safe to open in a spreadsheet, which imports back to the same rows (text a
    spreadsheet would run gets one apostrophe, which the import takes off)."""
    return spreadsheet.csv_bytes(export_frame(engine, name).map(spreadsheet.quoted))


def template_csv(name: str) -> bytes:
    """The table's file with its header only."""
    return spreadsheet.csv_bytes(pd.DataFrame(columns=columns(name)))


def columns_csv(name: str) -> bytes:
    return spreadsheet.csv_bytes(columns_frame(name))


def overview(engine: sa.Engine) -> pd.DataFrame:
    """Each table: its rows and the latest import of it in force (id, file, by, at; empty if none)."""
    i, s = schema.imports, schema.reference_snapshots
    with engine.connect() as conn:
        latest = conn.execute(
            sa.select(s.c.table_name, i.c.id, i.c.file_name, i.c.user_name, i.c.imported_at)
            .join(i, i.c.id == s.c.import_id).where(i.c.rolled_back_at.is_(None)).order_by(i.c.id)
        ).all()
        last = {r.table_name: r for r in latest}
        rows = []
        for name in NAMES:
            count = conn.execute(sa.select(sa.func.count()).select_from(table_of(name))).scalar_one()
            r = last.get(name)
            rows.append({"table": name, "rows": count, "import_id": r.id if r else None,
                         "file_name": r.file_name if r else None, "user_name": r.user_name if r else None,
                         "imported_at": r.imported_at if r else None})
    return pd.DataFrame(rows).astype({"import_id": "Int64"})


def history(engine: sa.Engine, name: str) -> pd.DataFrame:
    """The imports of a table, newest first: id, file_name, rows, user_name, imported_at, rolled_back_at and
    can_roll_back (the latest in force only)."""
    i, s = schema.imports, schema.reference_snapshots
    with engine.connect() as conn:
        result = conn.execute(
            sa.select(i.c.id, i.c.file_name, i.c.rows_accepted.label("rows"), i.c.user_name, i.c.imported_at,
                      i.c.rolled_back_at)
            .join(s, s.c.import_id == i.c.id).where(s.c.table_name == name).order_by(i.c.id.desc())
        )
        frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    in_force = frame.loc[frame["rolled_back_at"].isna(), "id"] if not frame.empty else pd.Series(dtype="int64")
    latest = in_force.max() if len(in_force) else None
    return frame.assign(can_roll_back=frame["id"] == latest if latest is not None else False)


SETUP_TABLES = ("jurisdiction", "vocabulary", "regions")  # what a store needs before its data, in load order


def setup_missing(engine: sa.Engine) -> list[str]:
    """The tables a store needs before its data, in the order to load them, that it does not hold yet."""
    with engine.connect() as conn:
        return [name for name in SETUP_TABLES
                if conn.execute(sa.select(sa.func.count()).select_from(table_of(name))).scalar_one() == 0]


# --- the demo's reference files (seizures init --demo) ------------------------------------------------------


def load_folder(conn: sa.Connection, folder: Path, names: tuple[str, ...] = NAMES,
                today: dt.date | None = None) -> dict[str, int]:
    """Replace the named tables with the CSV files of a folder (<table>.csv), checked together with the same rules
    as an import, inside the caller's transaction; raises ReferenceFileError with every problem of every file, and
    writes nothing then. Not audited: the demo's data is the starting point that the imports' snapshots keep."""
    candidates = {}
    problems = []
    empty = []  # files of a header only: the table is left empty (a service without published totals, say)
    for name in names:
        path = folder / f"{name}.csv"
        if name not in SETUP_TABLES and _header_only(path):
            empty.append(name)
            continue
        try:
            candidates[name] = read_file(name, path, f"{folder.name}/{path.name}", max_mb=None)
        except upload.UploadError as exc:
            problems.append((f"{folder.name}/{path.name}", None, "", "", str(exc)))
    batch = {name: c.frame for name, c in candidates.items()}
    for name, candidate in candidates.items():
        check(name, candidate, conn, today, batch)
        problems += candidate.problems.items
    if problems:
        frame = pd.DataFrame(problems, columns=PROBLEM_COLUMNS).drop_duplicates()
        raise ReferenceFileError(frame.astype({"row": "Int64"}))
    for name in reversed(names):  # a table referred to is emptied after those referring to it
        conn.execute(table_of(name).delete())
    for name, candidate in candidates.items():
        _write(conn, name, _records(name, candidate.frame))
    return {name: len(candidates[name].frame) if name in candidates else 0 for name in names}


def _header_only(path: Path) -> bool:
    """A CSV file holding its column names and no row."""
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as f:
            head = f.read(1 << 16)
    except OSError:
        return False
    return len([line for line in head.splitlines() if line.strip()]) == 1


def tables_in_force(conn: sa.Connection) -> list[str]:
    """The tables that a reference import in force replaced (init --demo keeps them)."""
    i, s = schema.imports, schema.reference_snapshots
    return sorted(set(conn.execute(sa.select(s.c.table_name).join(i, i.c.id == s.c.import_id)
                                   .where(i.c.rolled_back_at.is_(None))).scalars()))
