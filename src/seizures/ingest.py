"""Importing seizure records from a CSV or .xlsx file: validated in bulk, written all-or-nothing, audited.

Two kinds of rows: record lines (one seizure each, the template's layout) and counts by period (counts.py: a long
count file, or a wide one through a column mapping, mappings.py). The file is read into an in-memory DuckDB
workbench (upload.py) and every rule is checked there in SQL over the whole table at once, against the store's
reference data (workbench.py), so a million rows cost seconds, not a Python loop. Only then is the store touched, in
one transaction: the audit row in `imports`, then the accepted rows, each carrying its `import_id`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import duckdb
import pandas as pd
import sqlalchemy as sa

from seizures import counts, i18n, mappings, schema, seed, settings, spreadsheet, store, summary, upload, workbench
from seizures.workbench import (CONTROL_PATTERN, M, WHITESPACE, args_sql, coded_checks, control_parts,
                                only_control_reason, problem, trimmed)

# Canonical column -> the header spellings accepted for it (after normalise_header).
COLUMNS = {
    "seized_on": ("seized_on", "date", "seizure_date", "date_seized"),
    "region": ("region", "region_code", "directorate", "regional_directorate"),
    "municipality": ("municipality",),
    "category": ("category",),
    "weapon_type": ("weapon_type", "weapon", "type"),
    "quantity": ("quantity", "qty"),
    "unit": ("unit", "units"),
    "context": ("context", "seizure_context"),
    "case_ref": ("case_ref", "case_reference", "case_number", "case_no", "case"),
    "source": ("source",),
    # Tracing (SDG 16.4.2): optional.
    "marked": ("marked",),
    "trace_requested_on": ("trace_requested_on", "trace_requested", "trace_request_date"),
    "trace_result": ("trace_result",),
    "origin_how": ("origin_how", "origin_established_by"),
    "manufacture_country": ("manufacture_country", "country_of_manufacture"),
    "import_country": ("import_country", "country_of_import", "country_of_last_legal_import"),
    "legal_basis": ("legal_basis",),
    "criminal_context": ("criminal_context",),
    "significant": ("significant", "significant_seizure"),
}
REQUIRED = ("seized_on", "region", "category", "quantity", "unit")
CODED = workbench.CODED  # coded by the store's vocabulary
TRACING = mappings.TRACING
# A column the rejected-rows file adds: ignored on import, so that file can be corrected and imported again.
ERRORS_COLUMN = "import_errors"
CASE_REF_MAX = 64
SOURCE_MAX = 300
EXAMPLE_PREFIX = "EXAMPLE"
ERROR_COLUMNS = ["row", "column", "value", "reason"]
GROUPED_COLUMNS = ["column", "reason", "rows", "first_rows", "values"]
FIRST_ROWS = 10  # rows listed with a grouped problem
VALUES_SHOWN = 3  # distinct values shown with a grouped problem
VALUE_SHOWN_MAX = 100
QUANTITY_DECIMALS = workbench.QUANTITY_DECIMALS
WRITE_BATCH_ROWS = 122_880  # rows per Arrow batch sent to the store (DuckDB's row group size)
PREVIEW_ROWS = 20

Progress = Callable[[float, str], None]
WAITING = "Waiting for another import or rollback to finish"  # progress text while another one writes


@dataclass
class ImportResult:
    """What an import did. status: imported | rejected | already_imported."""

    status: str
    file_name: str
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    import_id: int | None = None
    previous: dict | None = None  # the earlier import of the same content, for already_imported
    file_error: str | None = None  # the file as a whole was unusable
    # row, column, value, reason (English), and the reason's message and values (JSON) to show it in a language
    errors: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=[*ERROR_COLUMNS, "message", "args"]))
    rejected_rows: pd.DataFrame | None = None  # the invalid rows as read, plus import_errors (skip_invalid)
    notes: list[str] = field(default_factory=list)
    mapping: str | None = None  # the counts' mapping (None: record lines)
    counts_read: int = 0  # counts: the numbers read (empty cells are no count)
    zeros: int = 0  # counts of 0: read and checked, not stored
    rows_skipped: int = 0  # counts: rows left out by the mapping's rules (totals)
    stored: int = 0  # rows written to the store
    preview: pd.DataFrame | None = None  # dry_run: the first rows as they would be stored

    @property
    def written(self) -> bool:
        return self.status == "imported"

    def summary(self) -> str:
        if self.status == "already_imported":
            p = self.previous or {}
            return (f"{self.file_name}: this exact file was already imported as import #{p.get('id')} "
                    f"on {p.get('imported_at'):%Y-%m-%d %H:%M} by {p.get('user_name')}: nothing to do")
        if self.file_error:
            return f"{self.file_name}: nothing imported: {self.file_error}"
        if self.status == "checked":
            what = f"{self.counts_read:,} counts ({self.zeros:,} of 0)" if self.mapping else f"{self.rows_read:,} rows"
            return (f"{self.file_name}: checked {what}: {len(self.errors):,} problem(s) in {self.rows_rejected:,} "
                    f"rows; not yet compared with the store nor imported")
        if self.status == "rejected":
            return (f"{self.file_name}: nothing imported: {len(self.errors):,} problem(s) in "
                    f"{self.rows_rejected:,} of {self.rows_read:,} rows")
        if self.mapping:
            text = (f"{self.file_name}: imported {self.stored:,} counts from {self.rows_accepted:,} of "
                    f"{self.rows_read:,} rows as import #{self.import_id} (mapping {self.mapping}); "
                    f"{self.zeros:,} counts of 0 read and not stored")
            if self.rows_skipped:
                text += f"; {self.rows_skipped:,} rows skipped by the mapping (totals)"
        else:
            text = f"{self.file_name}: imported {self.rows_accepted:,} of {self.rows_read:,} rows as import #{self.import_id}"
        if self.rows_rejected:
            text += f"; {self.rows_rejected:,} invalid rows skipped"
        return text

    def problems(self, lang: str | None = None) -> pd.DataFrame:
        """Every problem, one per row and column: row, column, value, reason (in a language; English by default)."""
        return problems_by_row(self.errors, lang)

    def grouped(self, lang: str | None = None) -> pd.DataFrame:
        """One line per distinct problem (column and reason): its number of rows, the first rows, a few values."""
        return grouped_problems(self.errors, lang)


class RollbackError(Exception):
    """An import cannot be rolled back (unknown id, or already rolled back)."""


def normalise_header(name: str) -> str:
    return re.sub(r"[\s\-.]+", "_", name.strip().strip("\ufeff").casefold()).strip("_")


HEADER_ALIASES = {alias: column for column, aliases in COLUMNS.items() for alias in aliases}


def _header_problems(header: list[str], blank_columns: set[int]) -> tuple[dict[str, int], list[tuple]]:
    """Canonical column -> position in the file, and the header's problems as error rows (row 1).

    A column without a name is ignored if it holds nothing (spreadsheets often save a trailing empty column).
    """
    positions: dict[str, int] = {}
    problems = []
    for index, name in enumerate(header):
        key = normalise_header(name)
        if key == ERRORS_COLUMN:
            continue
        if not key:
            if index not in blank_columns:
                problems.append(problem(1, f"column {index + 1}", name, "blank_header"))
            continue
        column = HEADER_ALIASES.get(key)
        if column is None:
            problems.append(problem(1, name, name, "unknown_column", columns=", ".join(COLUMNS)))
        elif column in positions:
            problems.append(problem(1, name, name, "second_column", column=column, position=positions[column] + 1))
        else:
            positions[column] = index
    for column in REQUIRED:
        if column not in positions:
            problems.append(problem(1, column, "", "missing_column"))
    return positions, problems


def _check_known_columns(header: list[str]) -> None:
    if not any(normalise_header(name) in HEADER_ALIASES for name in header):
        raise upload.UploadError(
            f"the first row holds none of the expected column names ({', '.join(COLUMNS)}): "
            "is this a file laid out as the import template (or a count file with period and quantity)?"
        )


# --- validation in SQL --------------------------------------------------------------------------------------


def _cell(positions: dict[str, int], column: str) -> str:
    """The raw cell of a column in table raw (NULL if the file has no such column)."""
    return f"raw.c{positions[column]}" if column in positions else "NULL::VARCHAR"


def _mapped(con: duckdb.DuckDBPyConnection, positions: dict[str, int], column: str, sql_value: str,
            join: str = "") -> None:
    """A table from each distinct raw cell of a column (raw_v) to its text trimmed (v) and its parsed value: the
    trimming and the parsing are done once per distinct cell, not once per row."""
    con.execute(
        f"CREATE TABLE map_{column} AS SELECT raw_v, v, {sql_value} FROM ("
        f"SELECT raw_v, {trimmed('raw_v')} AS v FROM (SELECT DISTINCT {_cell(positions, column)} AS raw_v FROM raw) "
        f"WHERE raw_v IS NOT NULL) d {join}",
        {"ws": WHITESPACE},
    )


def _validate(con: duckdb.DuckDBPyConnection, positions: dict[str, int], today: dt.date,
              refs: workbench.References, control_free: bool = False) -> None:
    """Build table `clean` (parsed values per row) and table `errors` (row, column, value, message, args).
    control_free: the reader found no control character in the file (upload.RawTable)."""
    # ISO, or the local DD.MM.YYYY (also with the trailing dot of Serbian usage); always a four-digit year.
    _mapped(con, positions, "seized_on", f"{workbench.DATE_SQL} AS parsed, {workbench.DATE_SHAPED_SQL} AS shaped")
    _mapped(con, positions, "quantity",
            "CASE WHEN regexp_full_match(v, '-?[0-9]+(\\.[0-9]+)?') THEN CAST(v AS DOUBLE) END AS parsed")
    _mapped(con, positions, "region", "a.code AS parsed", "LEFT JOIN region_alias a ON fold(d.v) = a.key")
    _mapped(con, positions, "municipality", "a.name AS parsed, a.region_code AS parsed_region",
            "LEFT JOIN municipality_alias a ON fold(d.v) = a.key")
    # What depends on the category or the unit alone comes with its map: fewer joins over every row below.
    extra = {
        "category": (", g.allowed_units, g.units",
                     " LEFT JOIN (SELECT category, allowed_units, list(unit) AS units FROM category_unit "
                     "GROUP BY category, allowed_units) g ON g.category = a.code"),
        "unit": (", l.max_quantity, l.limit_text, l.whole", " LEFT JOIN unit_limit l ON l.unit = a.code"),
    }
    for column in CODED:
        columns, joins = extra.get(column, ("", ""))
        _mapped(con, positions, column, f"a.code AS parsed{columns}",
                f"LEFT JOIN {column}_alias a ON fold(d.v) = a.key{joins}")
    tracing = [c for c in TRACING if c in positions]
    for column in tracing:
        value, join = workbench.attribute_parse(column)
        shaped = f", {workbench.DATE_SHAPED_SQL} AS shaped" if column in workbench.DATE_COLUMNS else ""
        _mapped(con, positions, column, f"{value} AS parsed{shaped}", join)
    tracing_select = "".join(
        f", t_{c}.v AS {c}, t_{c}.parsed AS {c}_code" + (f", t_{c}.shaped AS {c}_shaped"
                                                         if c in workbench.DATE_COLUMNS else "")
        for c in tracing)
    tracing_join = "".join(f" LEFT JOIN map_{c} t_{c} ON {_cell(positions, c)} = t_{c}.raw_v" for c in tracing)

    # The mapped columns' text comes from their maps; the case reference and source (nearly one value per row)
    # are trimmed here.
    con.execute(f"""
        CREATE TABLE clean AS SELECT
            raw.row, d.v AS seized_on, r.v AS region, m.v AS municipality, c.v AS category, w.v AS weapon_type,
            q.v AS quantity, u.v AS unit, x.v AS context,
            {trimmed(_cell(positions, "case_ref"))} AS case_ref, {trimmed(_cell(positions, "source"))} AS source,
            d.parsed AS seized_on_value, d.shaped AS seized_on_shaped, r.parsed AS region_code, m.parsed AS municipality_name,
            m.parsed_region AS municipality_region, c.parsed AS category_code, w.parsed AS weapon_type_code,
            q.parsed AS quantity_value, u.parsed AS unit_code, x.parsed AS context_code,
            u.max_quantity, u.limit_text, u.whole AS whole_unit,
            coalesce(list_contains(c.units, u.parsed), false) AS unit_fits_category, c.allowed_units
            {tracing_select}
        FROM raw
        LEFT JOIN map_seized_on d ON {_cell(positions, "seized_on")} = d.raw_v
        LEFT JOIN map_region r ON {_cell(positions, "region")} = r.raw_v
        LEFT JOIN map_municipality m ON {_cell(positions, "municipality")} = m.raw_v
        LEFT JOIN map_category c ON {_cell(positions, "category")} = c.raw_v
        LEFT JOIN map_weapon_type w ON {_cell(positions, "weapon_type")} = w.raw_v
        LEFT JOIN map_quantity q ON {_cell(positions, "quantity")} = q.raw_v
        LEFT JOIN map_unit u ON {_cell(positions, "unit")} = u.raw_v
        LEFT JOIN map_context x ON {_cell(positions, "context")} = x.raw_v
        {tracing_join}
    """, {"ws": WHITESPACE})

    region_codes = workbench.codes_text(con, "region_alias")
    earliest = workbench.earliest_text(refs.jurisdiction.earliest_date)
    checks: list[tuple[str, str, str, str]] = [(c, f"{c} IS NULL", M["required"], "'{}'") for c in REQUIRED]
    checks += [
        ("seized_on", "seized_on IS NOT NULL AND seized_on_value IS NULL AND NOT seized_on_shaped", M["not_a_date"],
         "'{}'"),
        ("seized_on", "seized_on_value IS NULL AND seized_on_shaped", M["no_such_date"], "'{}'"),
        ("seized_on", "seized_on_value > $today", M["future"], "'{}'"),
        ("seized_on", "seized_on_value < $earliest", M["before_earliest"], args_sql(earliest=f"'{earliest}'")),
        ("region", "region IS NOT NULL AND region_code IS NULL", M["unknown_region"],
         args_sql(value="region", codes="$region_codes")),
        ("municipality", "municipality IS NOT NULL AND municipality_name IS NULL", M["unknown_municipality"],
         args_sql(value="municipality")),
        ("municipality", "municipality_name IS NOT NULL AND region_code IS NOT NULL "
         "AND municipality_region <> region_code", M["other_region"],
         args_sql(municipality="municipality_name", region="municipality_region", row_region="region_code")),
    ]
    checks += coded_checks(con, list(CODED))
    checks += coded_checks(con, tracing)
    checks += [
        ("unit", "category_code IS NOT NULL AND unit_code IS NOT NULL AND NOT unit_fits_category",
         M["unit_of_category"], args_sql(category="category_code", unit="unit_code", units="allowed_units")),
        ("quantity", "quantity IS NOT NULL AND quantity_value IS NULL", M["not_a_number"], "'{}'"),
        ("quantity", "quantity_value <= 0", M["not_positive"], "'{}'"),
        ("quantity", "quantity_value > max_quantity", M["line_limit"], args_sql(limit="limit_text", unit="unit_code")),
        # Judged on the text: 1.0000000000000000000001 is 1 once read as a double.
        ("quantity", "quantity_value > 0 AND whole_unit AND regexp_matches(quantity, '[.][0-9]*[1-9]')",
         M["whole"], args_sql(unit="unit_code")),
        ("quantity", f"quantity_value > 0 AND NOT whole_unit "
         f"AND regexp_matches(quantity, '[.][0-9]{{{QUANTITY_DECIMALS}}}[0-9]*[1-9]')",
         M["decimals"], args_sql(decimals=str(QUANTITY_DECIMALS), unit="unit_code")),
        ("case_ref", f"length(case_ref) > {CASE_REF_MAX}", M["too_long"], args_sql(max=str(CASE_REF_MAX))),
        ("case_ref", f"upper(case_ref) LIKE '{EXAMPLE_PREFIX}%'", M["example_row"], "'{}'"),
        ("source", f"length(source) > {SOURCE_MAX}", M["too_long"], args_sql(max=str(SOURCE_MAX))),
    ]
    parts = [
        f"SELECT row, '{column}' AS column_key, {column} AS value, $m{i} AS message, {args} AS args "
        f"FROM clean WHERE {condition}"
        for i, (column, condition, _message, args) in enumerate(checks)
    ]
    # The same case reference, category, weapon type and unit twice in the file: the later rows are duplicates
    # (found by a grouping, then only the duplicated keys joined back: cheaper than a window over every row). Lines
    # without a case reference are not seizure events and have no such identity.
    parts.append(f"""
        SELECT c.row, 'case_ref', c.case_ref, $duplicate, {args_sql(row="d.first_row")}
        FROM clean c JOIN (
            SELECT upper(case_ref) AS case_key, category_code, coalesce(weapon_type_code, '') AS weapon_key,
                   unit_code, min(row) AS first_row
            FROM clean
            WHERE case_ref IS NOT NULL AND category_code IS NOT NULL AND unit_code IS NOT NULL
            GROUP BY ALL HAVING count(*) > 1
        ) d ON upper(c.case_ref) = d.case_key AND c.category_code = d.category_code
           AND coalesce(c.weapon_type_code, '') = d.weapon_key AND c.unit_code = d.unit_code
        WHERE c.row > d.first_row
    """)
    controls = [] if control_free else _control_characters(con, positions)
    parts += control_parts(controls)
    con.execute(workbench.ERRORS_TABLE)
    con.execute(
        "INSERT INTO errors " + " UNION ALL ".join(parts),
        {"today": today, "earliest": refs.jurisdiction.earliest_date, "region_codes": region_codes,
         "duplicate": M["duplicate_line"], **{f"m{i}": check[2] for i, check in enumerate(checks)},
         **({"control": CONTROL_PATTERN, "control_message": workbench.CONTROL_MESSAGE} if controls else {})},
    ).fetchall()
    if controls:
        only_control_reason(con)


def _control_characters(con: duckdb.DuckDBPyConnection, positions: dict[str, int]) -> list[str]:
    """The columns to check for control characters: those of the file, when any of its cells holds one (a single
    pass over the rows first, so that a file without any pays one regular expression per row)."""
    columns = [column for column in COLUMNS if column in positions]
    cells = ", ".join(f"coalesce({_cell(positions, column)}, '')" for column in columns)
    found = con.execute(f"SELECT count(*) FROM raw WHERE regexp_matches(concat({cells}), $control)",
                        {"control": CONTROL_PATTERN}).fetchone()[0]
    return columns if found else []


def visible(text: str) -> str:
    """A value as shown in the problems and the rejected rows: control characters as their symbols (␀ ...)."""
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f]", lambda m: chr(0x2400 + ord(m[0])), text)


# The file's lines, sent into the store's transaction so that the comparison runs there: only the matches come back,
# however many lines the store holds, and both sides of the comparison use the store's own upper().
FILE_KEYS = sa.Table(
    "import_file_keys",
    sa.MetaData(),
    sa.Column("file_row", sa.BigInteger),
    sa.Column("case_ref", sa.String),
    sa.Column("category", sa.String),
    sa.Column("weapon_type", sa.String),
    sa.Column("unit", sa.String),
    prefixes=["TEMPORARY"],
)


def _store_duplicates(con: duckdb.DuckDBPyConnection, conn: sa.Connection) -> None:
    """Add an error for each row whose line (case reference, category, weapon type, unit) is already stored."""
    # A case reference holding a control character is refused already, and cannot reach PostgreSQL (NUL).
    keys = con.sql("""
        SELECT row AS file_row, case_ref, category_code AS category, coalesce(weapon_type_code, '') AS weapon_type,
               unit_code AS unit
        FROM clean
        WHERE case_ref IS NOT NULL AND category_code IS NOT NULL AND unit_code IS NOT NULL
          AND row NOT IN (SELECT row FROM errors WHERE column_key = 'case_ref' AND message = $control)
    """, params={"control": workbench.CONTROL_MESSAGE}).to_arrow_table()
    if keys.num_rows == 0:
        return
    s, k = schema.seizures, FILE_KEYS
    FILE_KEYS.create(conn)  # dropped below; if anything fails, the transaction's rollback removes it
    store.insert_frame(conn, FILE_KEYS, keys)
    matches = conn.execute(
        sa.select(k.c.file_row, sa.func.min(s.c.import_id).label("import_id"))
        .join_from(k, s, sa.and_(sa.func.upper(s.c.case_ref) == sa.func.upper(k.c.case_ref),
                                 s.c.category == k.c.category, sa.func.coalesce(s.c.weapon_type, "") == k.c.weapon_type,
                                 s.c.unit == k.c.unit))
        .group_by(k.c.file_row)
    ).all()
    FILE_KEYS.drop(conn)
    if not matches:
        return
    stored = pd.DataFrame({
        "file_row": pd.array([m.file_row for m in matches], dtype="Int64"),
        "import_id": pd.array([m.import_id for m in matches], dtype="Int64"),
    })
    con.register("stored_matches", stored)
    con.execute(f"""
        INSERT INTO errors
        SELECT c.row, 'case_ref', c.case_ref, $message, {args_sql(import_id="coalesce(m.import_id::VARCHAR, '?')")}
        FROM clean c JOIN stored_matches m ON c.row = m.file_row
    """, {"message": M["stored_line"]}).fetchall()
    con.unregister("stored_matches")


def _render_reasons(con: duckdb.DuckDBPyConnection) -> None:
    """Table `problems`: the errors with their reason written out in English (one formatting per distinct
    message and values, not per row)."""
    distinct = con.execute("SELECT DISTINCT message, coalesce(args, '{}') AS args FROM errors").fetchall()
    reasons = pd.DataFrame([(m, a, workbench.render(m, a)) for m, a in distinct],
                           columns=["message", "args", "reason"]).astype(str)
    con.register("reasons_frame", reasons)
    con.execute("""
        CREATE OR REPLACE TABLE problems AS
        SELECT e.row, e.column_key, e.value, r.reason, e.message, coalesce(e.args, '{}') AS args
        FROM errors e JOIN reasons_frame r ON e.message = r.message AND coalesce(e.args, '{}') = r.args
    """)
    con.unregister("reasons_frame")


def _error_frame(con: duckdb.DuckDBPyConnection, shown: dict[str, str], order: dict[str, int]) -> pd.DataFrame:
    """The errors, with each column named as in the file, sorted by row then column order."""
    _render_reasons(con)
    frame = con.execute("SELECT row, column_key, value, reason, message, args FROM problems").df()
    frame["column"] = frame["column_key"].map(shown).fillna(frame["column_key"])
    frame["value"] = frame["value"].fillna("").astype(str).str.slice(0, VALUE_SHOWN_MAX).map(visible)
    frame["order"] = frame["column_key"].map(order)
    frame = frame.sort_values(["row", "order"], kind="stable").reset_index(drop=True)
    return frame[[*ERROR_COLUMNS, "message", "args"]].astype({"row": "int64"})


def _cell_problem_errors(con: duckdb.DuckDBPyConnection, raw: upload.RawTable, keys: dict[int, str]) -> None:
    """The cells the reader found unusable whatever their column (an XLSX formula), in the columns read (`keys`:
    position in the file -> column key)."""
    records = [problem(p.row, keys[p.column_index], p.value, "formula")
               for p in raw.cell_problems if p.column_index in keys]
    if records:
        con.executemany("INSERT INTO errors VALUES (?, ?, ?, ?, ?)", records)


def problems_by_row(errors: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """row, column, value, reason: the reasons in a language (English by default)."""
    frame = errors[ERROR_COLUMNS].copy()
    if lang not in (None, i18n.DEFAULT) and not errors.empty:
        pairs = list(zip(errors["message"], errors["args"]))
        texts = {pair: workbench.render(*pair, lang) for pair in set(pairs)}
        frame["reason"] = [texts[pair] for pair in pairs]
    return frame


def grouped_problems(errors: pd.DataFrame, lang: str | None = None, first: int = FIRST_ROWS) -> pd.DataFrame:
    """One line per distinct problem (column and reason), in the order of their first row: how many rows it is in,
    the first rows, and up to VALUES_SHOWN of its values."""
    frame = problems_by_row(errors, lang)
    if frame.empty:
        return pd.DataFrame(columns=GROUPED_COLUMNS)
    frame = frame.sort_values("row", kind="stable")
    key = ["column", "reason"]
    groups = frame.groupby(key, sort=False)
    out = groups["row"].nunique().rename("rows").reset_index()
    rows = frame.drop_duplicates([*key, "row"]).groupby(key, sort=False).head(first)
    listed = rows.groupby(key, sort=False)["row"].agg(lambda r: ", ".join(str(n) for n in r))
    values = frame[frame["value"] != ""].drop_duplicates([*key, "value"]).groupby(key, sort=False).head(VALUES_SHOWN)
    shown = values.groupby(key, sort=False)["value"].agg(lambda v: ", ".join(f"'{x}'" for x in v))
    out = out.join(listed.rename("first_rows"), on=key).join(shown.rename("values"), on=key)
    more = out["rows"] > first
    out["first_rows"] = out["first_rows"].where(~more, out["first_rows"] + ", …")
    out["values"] = out["values"].fillna("")
    return out[GROUPED_COLUMNS].reset_index(drop=True)


def grouped_text(errors: pd.DataFrame, lang: str | None = None) -> list[str]:
    """The grouped problems as lines of text (the command line's): reasons in full, never cut."""
    lines = []
    for g in grouped_problems(errors, lang).itertuples():
        rows = "row" if g.rows == 1 else "rows"
        values = f" [{g.values}]" if g.values and g.values.strip("'") not in g.reason else ""
        lines.append(f"{g.column}: {g.reason} — {g.rows:,} {rows}: {g.first_rows}{values}")
    return lines


# --- the import ---------------------------------------------------------------------------------------------


def _previous_import(conn: sa.Connection, digest: str) -> dict | None:
    i = schema.imports
    row = conn.execute(
        sa.select(i.c.id, i.c.imported_at, i.c.user_name, i.c.file_name)
        .where(i.c.content_hash == digest, i.c.kind == "file", i.c.rolled_back_at.is_(None))
        .order_by(i.c.id)
        .limit(1)
    ).first()
    return dict(row._mapping) if row else None


QUOTE_NOTE = ("a ' was put before values starting with = + - @ so that a spreadsheet does not run them; "
              "it is taken off when this file is imported")


def _rejected_rows(con: duckdb.DuckDBPyConnection, raw: upload.RawTable, order: dict[str, int]) -> pd.DataFrame:
    """The invalid rows as read (the file's own columns) plus import_errors, ready to be corrected: safe to open in
    a spreadsheet, and imported again as typed (spreadsheet.quoted, undone by _unquote on import)."""
    names = [f"c{i}" for i in range(len(raw.header))]
    positions = ", ".join(f"('{column.replace(chr(39), chr(39) * 2)}', {i})" for column, i in order.items())
    frame = con.execute(f"""
        SELECT {', '.join(f'r.{n}' for n in names)},
               string_agg(e.column_key || ': ' || e.reason, '; ' ORDER BY o.position) AS errors
        FROM raw r JOIN problems e USING (row) LEFT JOIN (VALUES {positions}) o(column_key, position) USING (column_key)
        GROUP BY r.row, {', '.join(f'r.{n}' for n in names)}
        ORDER BY r.row
    """).df()
    keep = [i for i, h in enumerate(raw.header) if normalise_header(h) != ERRORS_COLUMN]
    values = frame[[names[i] for i in keep]].astype(object).map(visible, na_action="ignore")
    quoted = values.map(spreadsheet.quoted, na_action="ignore")
    changed = (quoted != values) & values.notna()
    errors = frame["errors"].where(~changed.any(axis=1), frame["errors"] + "; " + QUOTE_NOTE)
    frame = quoted.assign(errors=errors.map(spreadsheet.defuse, na_action="ignore"))
    frame.columns = [raw.header[i] or f"column {i + 1}" for i in keep] + [ERRORS_COLUMN]
    return frame


def _unquote(raw: upload.RawTable) -> None:
    """A file of rejected rows (it has the import_errors column) holds spreadsheet.quoted values: take the
    apostrophe added before = + - @ off again, so the rows are imported as first typed."""
    quoted = "^'+[=+\\-@\t\r]"  # spreadsheet.QUOTED
    cells = ", ".join(f"CASE WHEN regexp_matches(c{i}, $quoted) THEN substr(c{i}, 2) ELSE c{i} END AS c{i}"
                      for i in range(len(raw.header)))
    con = raw.con
    con.execute(f"CREATE TABLE unquoted AS SELECT row, {cells} FROM raw ORDER BY row", {"quoted": quoted})
    kind = con.execute("SELECT table_type FROM information_schema.tables WHERE table_name = 'raw'").fetchone()[0]
    con.execute("DROP VIEW raw" if kind == "VIEW" else "DROP TABLE raw")
    con.execute("CREATE VIEW raw AS SELECT * FROM unquoted")


def _header_check(mapping: mappings.Mapping | None) -> Callable[[list[str]], None]:
    """What a file's first row must hold before its body is read: the template's columns, a long count file's, or
    the columns a mapping reads."""
    if mapping is None:
        return _check_known_columns

    def check(header: list[str]) -> None:
        names = {normalise_header(h) for h in header}
        if not any(normalise_header(column) in names for column in mapping.used_columns()):
            raise upload.UploadError(
                f"the column names hold none of the columns the mapping {mapping.name} reads "
                f"({', '.join(mapping.used_columns()[:8])}): is this a file of that layout?")

    return check


def _refused_whole(result: ImportResult, problems: list[tuple]) -> ImportResult:
    """The result of a file refused as a whole for problems of its header (or of its mapping)."""
    frame = pd.DataFrame(problems, columns=["row", "column", "value", "message", "args"])
    frame["reason"] = [workbench.render(m, a) for m, a in zip(frame["message"], frame["args"])]
    result.errors = frame[[*ERROR_COLUMNS, "message", "args"]]
    result.rows_rejected = result.rows_read
    return result


def import_file(
    engine: sa.Engine,
    source: bytes | Path,
    file_name: str | None = None,
    *,
    skip_invalid: bool = False,
    user: str | None = None,
    progress: Progress | None = None,
    today: dt.date | None = None,
    max_mb: float | None = None,
    mapping: mappings.Mapping | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Validate a file and, if it passes (or with skip_invalid, its valid rows), import it in one transaction.

    Record lines (the template's layout), a long count file (columns period and quantity), or, with a mapping, any
    count table the mapping describes. Never raises for a bad file: every problem is in the result. Raises
    StoreError if the store is unusable (no schema, no reference data). With dry_run, the file is checked but not
    compared with the store nor written: status "checked", and `preview` holds its first rows as they would be stored.
    """
    report = progress or (lambda _fraction, _text: None)
    name = file_name or (source.name if isinstance(source, Path) else "upload")
    today = today or dt.date.today()
    if max_mb is None:
        try:
            max_mb = settings.max_upload_mb()
        except ValueError as exc:
            raise store.StoreError(str(exc)) from exc
    report(0.05, "Reading the file")
    dialect = None if mapping is None else upload.Dialect(mapping.delimiter, mapping.encoding, mapping.header_row)
    try:
        raw = upload.read_upload(source, max_mb, _header_check(mapping), dialect=dialect)
    except upload.UploadError as exc:
        return ImportResult("rejected", name, file_error=str(exc))
    with raw:
        if mapping is None:
            mapping = mappings.long_counts(raw.header, normalise_header)
        result = ImportResult("rejected", name, rows_read=raw.rows, notes=list(raw.notes),
                              mapping=mapping.name if mapping else None)
        with engine.connect() as conn:  # one short read: the file is not held while the rows are checked
            if not sa.inspect(conn).has_table(schema.imports.name):
                raise store.StoreError("the store has no schema yet: run `seizures init` first")
            result.previous = _previous_import(conn, raw.content_hash)
            references = workbench.read_references(conn, need_regions=mapping is None or mapping.region is not None)
        if result.previous:
            result.status = "already_imported"
            return result
        report(0.25, f"Checking {result.rows_read:,} rows")
        con = raw.con
        if any(normalise_header(name) == ERRORS_COLUMN for name in raw.header):
            _unquote(raw)
        if mapping is None:
            positions, header_problems = _header_problems(raw.header, _blank_columns(raw))
            shown = {column: raw.header[index] for column, index in positions.items()}
            order = {column: i for i, column in enumerate(COLUMNS)}
        else:
            positions, header_problems = counts.header_positions(raw.header, mapping, normalise_header)
            shown = {f"c{i}": raw.header[i] for i in range(len(raw.header))}
            order = {f"c{i}": i for i in range(len(raw.header))}
        if header_problems:
            return _refused_whole(result, header_problems)
        workbench.load_lookups(con, references)
        if mapping is None:
            _validate(con, positions, today, references, raw.control_free)
            _cell_problem_errors(con, raw, {index: column for column, index in positions.items()})
        else:
            header_problems = counts.validate(con, positions, mapping, today, references)
            if header_problems:  # the mapping's constants mean nothing here: no row can be checked
                return _refused_whole(result, header_problems)
            _cell_problem_errors(con, raw, {index: f"c{index}" for index in positions.values()})
            if not con.execute("SELECT count(*) FROM clean_counts").fetchall()[0][0]:
                result.file_error = (f"no counts: the columns the mapping {mapping.name} names as counts are empty "
                                     "in every row kept")
                return result
        if dry_run:
            result.errors = _error_frame(con, shown, order)
            result.rows_rejected = int(result.errors["row"].nunique())
            if mapping is not None:
                result.rows_skipped, result.counts_read, result.zeros = counts.tallies(con)
            result.preview = (counts.preview(con, PREVIEW_ROWS) if mapping is not None
                              else con.execute(_lines_sql(con) + f" LIMIT {PREVIEW_ROWS}",
                                               {"default_source": f"Imported from {name}"[:SOURCE_MAX],
                                                "import_id": None}).df())
            result.status = "checked"
            return result
        report(0.55, "Comparing with the records already stored")
        with store.serial_write(engine, on_wait=lambda: report(0.55, WAITING)) as conn:
            # Checked again with the store to ourselves: nothing can slip in between check and write.
            result.previous = _previous_import(conn, raw.content_hash)
            if result.previous:
                result.status = "already_imported"
                return result
            if mapping is None:
                _store_duplicates(con, conn)
            else:
                counts.store_duplicates(con, conn)
            result.errors = _error_frame(con, shown, order)
            result.rows_rejected = int(result.errors["row"].nunique())
            if skip_invalid and result.rows_rejected:
                result.rejected_rows = _rejected_rows(con, raw, order)
            if mapping is not None:
                result.rows_skipped, result.counts_read, result.zeros = counts.tallies(con)
            usable = result.rows_read - result.rows_skipped
            if result.rows_rejected == usable or (result.rows_rejected and not skip_invalid):
                return result  # leaving the block without a write: the transaction holds nothing
            result.rows_accepted = result.rows_read - result.rows_rejected - result.rows_skipped
            report(0.7, f"Writing {result.rows_accepted:,} rows")
            if mapping is None:
                result.import_id, result.stored = _write(conn, con, result, user or seed.os_user(),
                                                         raw.content_hash)
            else:
                result.import_id, result.stored = counts.write(conn, con, result, user or seed.os_user(),
                                                               raw.content_hash, audit)
        result.status = "imported"
        report(1.0, "Done")
        return result


def _blank_columns(raw: upload.RawTable) -> set[int]:
    """Positions of the columns without a name that hold no value at all."""
    unnamed = [i for i, name in enumerate(raw.header) if not normalise_header(name)]
    if not unnamed:
        return set()
    counts = raw.con.execute(
        "SELECT " + ", ".join(f"count(nullif(trim(c{i}, $ws), ''))" for i in unnamed) + " FROM raw",
        {"ws": WHITESPACE},
    ).fetchone()
    return {i for i, count in zip(unnamed, counts) if count == 0}


def _lines_sql(con: duckdb.DuckDBPyConnection, numbered: bool = False) -> str:
    """The valid record lines as the store's seizures rows (parameters $default_source, $import_id), in the file's
    order; numbered: each with its id, $first_id for row $first_row and on by row number, in no particular order."""
    present = {row[0] for row in con.execute("DESCRIBE clean").fetchall()}
    types = {"marked": "BOOLEAN", "significant": "BOOLEAN", "trace_requested_on": "DATE"}
    tracing = ", ".join(f"{c}_code AS {c}" if c in present else f"NULL::{types.get(c, 'VARCHAR')} AS {c}"
                        for c in TRACING)
    return f"""
        SELECT seized_on_value AS seized_on, region_code, municipality_name AS municipality,
               category_code AS category, weapon_type_code AS weapon_type, quantity_value AS quantity,
               unit_code AS unit, context_code AS context, case_ref,
               coalesce(source, $default_source) AS source, false AS illustrative, $import_id::BIGINT AS import_id,
               'day' AS period, {tracing}{", $first_id + (row - $first_row) AS id" if numbered else ""}
        FROM clean WHERE row NOT IN (SELECT row FROM errors) {"" if numbered else "ORDER BY row"}
    """


def audit(conn: sa.Connection, result: ImportResult, user: str, digest: str) -> int:
    """The import's audit row (in the caller's transaction); returns its id."""
    return conn.execute(
        schema.imports.insert().values(
            file_name=result.file_name[:255], content_hash=digest, kind="file", rows_read=result.rows_read,
            rows_accepted=result.rows_accepted, rows_rejected=result.rows_rejected, user_name=user,
            imported_at=dt.datetime.now(),
        ).returning(schema.imports.c.id)
    ).scalar_one()


def _write(conn: sa.Connection, con: duckdb.DuckDBPyConnection, result: ImportResult, user: str,
           digest: str) -> tuple[int, int]:
    """The audit row, then the valid lines carrying its id, in the caller's transaction; (import id, lines)."""
    import_id = audit(conn, result, user, digest)
    params = {"default_source": f"Imported from {result.file_name}"[:SOURCE_MAX], "import_id": import_id}
    numbered = conn.dialect.name == "duckdb"
    if numbered:
        # Each line's id from its row number, in a range reserved at once: the lines are not sorted first (`clean`
        # is not in the file's order), and the ids still follow it. PostgreSQL's COPY takes the rows in order.
        first_row, last_row = con.execute(
            "SELECT min(row), max(row) FROM clean WHERE row NOT IN (SELECT row FROM errors)").fetchone()
        params |= {"first_row": first_row,
                   "first_id": store.reserve_ids(conn, schema.seizures, last_row - first_row + 1)}
    lines = con.sql(_lines_sql(con, numbered), params=params)
    # Streamed: the accepted lines go from the workbench to the store in batches, not copied whole in between.
    written = store.insert_frame(conn, schema.seizures, lines.to_arrow_reader(WRITE_BATCH_ROWS))
    summary.added(conn, import_id)
    return import_id, written


def rollback(engine: sa.Engine, import_id: int) -> int:
    """Remove an import's seizure lines and mark it rolled back (one transaction); returns the lines removed."""
    i, s = schema.imports, schema.seizures
    with store.serial_write(engine) as conn:
        row = conn.execute(sa.select(i.c.rolled_back_at, i.c.file_name, i.c.kind).where(i.c.id == import_id)).first()
        if row is None:
            raise RollbackError(f"there is no import #{import_id}")
        if row.kind == "reference":  # it replaced a table's rows: referencedata.rollback restores them
            raise RollbackError(f"import #{import_id} ({row.file_name}) replaced reference data: roll it back with "
                                "referencedata.rollback (`seizures rollback`, the Data page)")
        if row.rolled_back_at is not None:
            raise RollbackError(f"import #{import_id} ({row.file_name}) was already rolled back on "
                                f"{row.rolled_back_at:%Y-%m-%d %H:%M}")
        summary.removing(conn, import_id)
        removed = conn.execute(s.delete().where(s.c.import_id == import_id)).rowcount
        conn.execute(i.update().where(i.c.id == import_id).values(rolled_back_at=dt.datetime.now()))
    return removed


def list_imports(engine: sa.Engine) -> pd.DataFrame:
    """Every import, newest first, with the seizure lines it still holds."""
    i, t = schema.imports, schema.seizure_summary
    lines = (
        sa.select(t.c.import_id, sa.cast(sa.func.sum(t.c.lines), sa.BigInteger).label("lines"))
        .group_by(t.c.import_id)
        .subquery()
    )
    query = (
        sa.select(i.c.id, i.c.kind, i.c.file_name, i.c.rows_read, i.c.rows_accepted, i.c.rows_rejected,
                  i.c.user_name, i.c.imported_at, i.c.rolled_back_at,
                  sa.func.coalesce(lines.c.lines, 0).label("lines_stored"), i.c.content_hash)
        .select_from(i.outerjoin(lines, lines.c.import_id == i.c.id))
        .order_by(i.c.id.desc())
    )
    with engine.connect() as conn:
        result = conn.execute(query)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))

