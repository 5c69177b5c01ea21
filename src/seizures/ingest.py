"""Importing seizure records from a CSV or .xlsx file: validated in bulk, written all-or-nothing, audited.

The file is read into an in-memory DuckDB workbench (upload.py) and every rule is checked there in SQL over the
whole table at once, so a million rows cost seconds, not a Python loop. Only then is the store touched, in one
transaction: the audit row in `imports`, then the accepted lines, each carrying its `import_id`.
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

from seizures import schema, seed, settings, spreadsheet, store, summary, upload, vocab

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
}
REQUIRED = ("seized_on", "region", "category", "weapon_type", "quantity", "unit", "context", "case_ref")
# A column the rejected-rows file adds: ignored on import, so that file can be corrected and imported again.
ERRORS_COLUMN = "import_errors"
CODED = {"category": vocab.CATEGORIES, "weapon_type": vocab.WEAPON_TYPES, "unit": vocab.UNITS, "context": vocab.CONTEXTS}
EARLIEST_DATE = dt.date(1999, 1, 1)  # Kosovo Police records begin in 1999
CASE_REF_MAX = 64
SOURCE_MAX = 300
EXAMPLE_PREFIX = "EXAMPLE"
ERROR_COLUMNS = ["row", "column", "value", "reason"]
VALUE_SHOWN_MAX = 100
QUANTITY_DECIMALS = 3  # the store keeps quantities to the thousandth (for kg, the gram)
# C0 control characters other than tab, line feed and carriage return (PostgreSQL text cannot hold NUL; none
# belongs in a record), and the symbols that stand for them in the files this module writes (U+2400 + code).
CONTROL_CODES = [c for c in range(32) if chr(c) not in "\t\n\r"]
CONTROL_PATTERN = "[" + "".join(f"\\x{{{c:02x}}}\\x{{{0x2400 + c:04x}}}" for c in CONTROL_CODES) + "]"
CONTROL_REASON = "holds a control character"
WHITESPACE = " \t\r\n\u00a0"
WRITE_BATCH_ROWS = 122_880  # rows per Arrow batch sent to the store (DuckDB's row group size)
# One normal form for names typed by hand: lower case, no accents, đ -> dj, runs of space/_/- -> one space.
FOLD_MACRO = (
    "CREATE MACRO fold(x) AS trim(regexp_replace("
    "strip_accents(replace(lower(x), 'đ', 'dj')), '[\\s_\\-]+', ' ', 'g'))"
)

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
    errors: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ERROR_COLUMNS))
    rejected_rows: pd.DataFrame | None = None  # the invalid rows as read, plus import_errors (skip_invalid)
    notes: list[str] = field(default_factory=list)

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
        if self.status == "rejected":
            return (f"{self.file_name}: nothing imported: {len(self.errors):,} problem(s) in "
                    f"{self.rows_rejected:,} of {self.rows_read:,} rows")
        text = f"{self.file_name}: imported {self.rows_accepted:,} of {self.rows_read:,} rows as import #{self.import_id}"
        if self.rows_rejected:
            text += f"; {self.rows_rejected:,} invalid rows skipped"
        return text


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
                problems.append((1, f"column {index + 1}", name, "values in a column without a name"))
            continue
        column = HEADER_ALIASES.get(key)
        if column is None:
            problems.append((1, name, name, f"unknown column; expected: {', '.join(COLUMNS)}"))
        elif column in positions:
            problems.append((1, name, name, f"a second {column} column (the first is column {positions[column] + 1})"))
        else:
            positions[column] = index
    for column in REQUIRED:
        if column not in positions:
            problems.append((1, column, "", "required column missing"))
    return positions, problems


def _check_known_columns(header: list[str]) -> None:
    if not any(normalise_header(name) in HEADER_ALIASES for name in header):
        raise upload.UploadError(
            f"the first row holds none of the expected column names ({', '.join(COLUMNS)}): "
            "is this a file laid out as the import template?"
        )


# --- reference values ---------------------------------------------------------------------------------------


def reference_frames(engine_or_conn: sa.Engine | sa.Connection) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Regions (code, name_en, name_sq, name_sr) and municipalities (name, region_code): the store's, or data/'s."""
    if isinstance(engine_or_conn, sa.Engine):
        with engine_or_conn.connect() as conn:
            return reference_frames(conn)
    conn = engine_or_conn
    regions = pd.DataFrame(conn.execute(sa.select(
        schema.regions.c.code, schema.regions.c.name_en, schema.regions.c.name_sq, schema.regions.c.name_sr
    )).fetchall(), columns=["code", "name_en", "name_sq", "name_sr"])
    municipalities = pd.DataFrame(conn.execute(sa.select(
        schema.municipalities.c.name, schema.municipalities.c.region_code
    )).fetchall(), columns=["name", "region_code"])
    if regions.empty:
        regions = seed.read_table_csv(settings.data_dir() / "regions.csv", schema.regions)
        regions = regions[["code", "name_en", "name_sq", "name_sr"]]
    if municipalities.empty:
        municipalities = seed.read_table_csv(settings.data_dir() / "municipalities.csv", schema.municipalities)
        municipalities = municipalities[["name", "region_code"]]
    return regions, municipalities


def _load_lookups(con: duckdb.DuckDBPyConnection, regions: pd.DataFrame, municipalities: pd.DataFrame) -> None:
    """Lookup tables in the workbench: folded spelling -> code, for every coded column."""
    region_aliases = pd.concat(
        [pd.DataFrame({"spelling": regions[name], "code": regions["code"]})
         for name in ("code", "name_en", "name_sq", "name_sr")]
    ).dropna()
    con.register("region_aliases_frame", region_aliases)
    con.execute("CREATE TABLE region_alias AS SELECT DISTINCT fold(spelling) AS key, code FROM region_aliases_frame")
    con.unregister("region_aliases_frame")
    clash = con.execute("SELECT key FROM region_alias GROUP BY key HAVING count(*) > 1").fetchall()
    if clash:
        raise store.StoreError(f"region spellings shared by two directorates: {', '.join(k for (k,) in clash)}")
    con.register("municipality_frame", municipalities)
    con.execute(
        "CREATE TABLE municipality_alias AS SELECT fold(name) AS key, name, region_code FROM municipality_frame"
    )
    con.unregister("municipality_frame")
    for column, vocabulary in CODED.items():
        spellings = pd.DataFrame(
            [(code, code) for code in vocabulary] + [(label, code) for code, label in vocabulary.items()],
            columns=["spelling", "code"],
        )
        con.register("spellings_frame", spellings)
        con.execute(f"CREATE TABLE {column}_alias AS SELECT DISTINCT fold(spelling) AS key, code FROM spellings_frame")
        con.unregister("spellings_frame")
    con.register("category_unit_frame", pd.DataFrame(
        [(category, unit, " or ".join(units)) for category, units in vocab.CATEGORY_UNITS.items() for unit in units],
        columns=["category", "unit", "allowed_units"],
    ))
    con.execute("CREATE TABLE category_unit AS SELECT * FROM category_unit_frame")
    con.register("unit_limit_frame", pd.DataFrame(
        [(unit, float(limit), f"{limit:,}", unit in vocab.WHOLE_UNITS) for unit, limit in vocab.QUANTITY_LIMITS.items()],
        columns=["unit", "max_quantity", "limit_text", "whole"],
    ))
    con.execute("CREATE TABLE unit_limit AS SELECT * FROM unit_limit_frame")


# --- validation in SQL --------------------------------------------------------------------------------------


# trim() with a set of characters is slow: only cells that start or end with one of them go through it.
EDGES = f"'^[{WHITESPACE}]|[{WHITESPACE}]$'"


def _trimmed(cell: str) -> str:
    """A cell's text without the whitespace around it; NULL if nothing is left."""
    return f"CASE WHEN regexp_matches({cell}, {EDGES}) THEN nullif(trim({cell}, $ws), '') ELSE nullif({cell}, '') END"


def _cell(positions: dict[str, int], column: str) -> str:
    """The raw cell of a column in table raw (NULL if the file has no such column)."""
    return f"raw.c{positions[column]}" if column in positions else "NULL::VARCHAR"


def _mapped(con: duckdb.DuckDBPyConnection, positions: dict[str, int], column: str, sql_value: str,
            join: str = "") -> None:
    """A table from each distinct raw cell of a column (raw_v) to its text trimmed (v) and its parsed value: the
    trimming and the parsing are done once per distinct cell, not once per row."""
    con.execute(
        f"CREATE TABLE map_{column} AS SELECT raw_v, v, {sql_value} FROM ("
        f"SELECT raw_v, {_trimmed('raw_v')} AS v FROM (SELECT DISTINCT {_cell(positions, column)} AS raw_v FROM raw) "
        f"WHERE raw_v IS NOT NULL) d {join}",
        {"ws": WHITESPACE},
    )


def _validate(con: duckdb.DuckDBPyConnection, positions: dict[str, int], today: dt.date) -> None:
    """Build table `clean` (parsed values per row) and table `errors` (row, column, value, reason)."""
    # ISO, or the local DD.MM.YYYY (also with the trailing dot of Serbian usage); always a four-digit year.
    _mapped(con, positions, "seized_on", """CASE
        WHEN regexp_full_match(v, '[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}') THEN try_strptime(v, '%Y-%m-%d')
        WHEN regexp_full_match(v, '[0-9]{1,2}[.][0-9]{1,2}[.][0-9]{4}[.]?') THEN try_strptime(rtrim(v, '.'), '%d.%m.%Y')
        END::DATE AS parsed,
        regexp_full_match(v, '[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}|[0-9]{1,2}[.][0-9]{1,2}[.][0-9]{4}[.]?') AS shaped""")
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

    # The mapped columns' text comes from their maps; the case reference and source (nearly one value per row)
    # are trimmed here.
    con.execute(f"""
        CREATE TABLE clean AS SELECT
            raw.row, d.v AS seized_on, r.v AS region, m.v AS municipality, c.v AS category, w.v AS weapon_type,
            q.v AS quantity, u.v AS unit, x.v AS context,
            {_trimmed(_cell(positions, "case_ref"))} AS case_ref, {_trimmed(_cell(positions, "source"))} AS source,
            d.parsed AS seized_on_value, d.shaped AS seized_on_shaped, r.parsed AS region_code, m.parsed AS municipality_name,
            m.parsed_region AS municipality_region, c.parsed AS category_code, w.parsed AS weapon_type_code,
            q.parsed AS quantity_value, u.parsed AS unit_code, x.parsed AS context_code,
            u.max_quantity, u.limit_text, u.whole AS whole_unit,
            coalesce(list_contains(c.units, u.parsed), false) AS unit_fits_category, c.allowed_units
        FROM raw
        LEFT JOIN map_seized_on d ON {_cell(positions, "seized_on")} = d.raw_v
        LEFT JOIN map_region r ON {_cell(positions, "region")} = r.raw_v
        LEFT JOIN map_municipality m ON {_cell(positions, "municipality")} = m.raw_v
        LEFT JOIN map_category c ON {_cell(positions, "category")} = c.raw_v
        LEFT JOIN map_weapon_type w ON {_cell(positions, "weapon_type")} = w.raw_v
        LEFT JOIN map_quantity q ON {_cell(positions, "quantity")} = q.raw_v
        LEFT JOIN map_unit u ON {_cell(positions, "unit")} = u.raw_v
        LEFT JOIN map_context x ON {_cell(positions, "context")} = x.raw_v
    """, {"ws": WHITESPACE})

    def allowed(column: str) -> str:
        return ", ".join(CODED[column])

    region_codes = ", ".join(code for (code,) in con.execute("SELECT DISTINCT code FROM region_alias ORDER BY 1").fetchall())
    # Codes come from the store: they reach the SQL as a bound parameter ($region_hint), not as text.
    region_hint = f"unknown regional directorate: use a code ({region_codes}) or its name in Albanian, English or Serbian"
    checks: list[tuple[str, str, str]] = [(c, f"{c} IS NULL", "'required: the cell is empty'") for c in REQUIRED]
    checks += [
        ("seized_on", "seized_on IS NOT NULL AND seized_on_value IS NULL AND NOT seized_on_shaped",
         "'not a date: write YYYY-MM-DD (2023-03-05) or DD.MM.YYYY (05.03.2023)'"),
        ("seized_on", "seized_on_value IS NULL AND seized_on_shaped",
         "'no such date: the month has no such day, or there is no such month'"),
        ("seized_on", "seized_on_value > $today", "'a date in the future'"),
        ("seized_on", "seized_on_value < $earliest",
         f"'before {EARLIEST_DATE:%d.%m.%Y}, when Kosovo Police records begin'"),
        ("region", "region IS NOT NULL AND region_code IS NULL",
         "$region_hint"),
        ("municipality", "municipality IS NOT NULL AND municipality_name IS NULL",
         "'unknown municipality: see the allowed values in the template'"),
        ("municipality", "municipality_name IS NOT NULL AND region_code IS NOT NULL "
         "AND municipality_region <> region_code",
         "municipality_name || ' belongs to directorate ' || municipality_region || "
         "' in data/municipalities.csv, not ' || region_code"),
    ]
    checks += [
        (column, f"{column} IS NOT NULL AND {column}_code IS NULL",
         f"'not an allowed {column.replace('_', ' ')}: one of {allowed(column)}'")
        for column in CODED
    ]
    checks += [
        ("unit", "category_code IS NOT NULL AND unit_code IS NOT NULL AND NOT unit_fits_category",
         "category_code || ' is not counted in ' || unit_code || ': use ' || allowed_units"),
        ("quantity", "quantity IS NOT NULL AND quantity_value IS NULL",
         "'not a number: write digits with a decimal point, e.g. 3 or 2.5 (no thousands separators)'"),
        ("quantity", "quantity_value <= 0", "'must be greater than 0'"),
        ("quantity", "quantity_value > max_quantity",
         "'more than ' || limit_text || ' ' || unit_code || ' on one line: check the number "
         "(the limit guards against typing errors)'"),
        # Judged on the text: 1.0000000000000000000001 is 1 once read as a double.
        ("quantity", "quantity_value > 0 AND whole_unit AND regexp_matches(quantity, '[.][0-9]*[1-9]')",
         "unit_code || ' are counted in whole numbers'"),
        ("quantity", f"quantity_value > 0 AND NOT whole_unit "
         f"AND regexp_matches(quantity, '[.][0-9]{{{QUANTITY_DECIMALS}}}[0-9]*[1-9]')",
         f"'more than {QUANTITY_DECIMALS} decimals: quantities are stored to 0.001 ' || unit_code || "
         "CASE WHEN unit_code = 'kg' THEN ' (a gram)' ELSE '' END"),
        ("case_ref", f"length(case_ref) > {CASE_REF_MAX}", f"'longer than {CASE_REF_MAX} characters'"),
        ("case_ref", f"upper(case_ref) LIKE '{EXAMPLE_PREFIX}%'",
         "'the template''s example row: replace it with real records or delete it'"),
        ("source", f"length(source) > {SOURCE_MAX}", f"'longer than {SOURCE_MAX} characters'"),
    ]
    parts = [
        f"SELECT row, '{column}' AS column_key, {column} AS value, {reason} AS reason FROM clean WHERE {condition}"
        for column, condition, reason in checks
    ]
    # The same case reference, category, weapon type and unit twice in the file: the later rows are duplicates
    # (found by a grouping, then only the duplicated keys joined back: cheaper than a window over every row).
    parts.append("""
        SELECT c.row, 'case_ref', c.case_ref,
               'same case reference, category, weapon type and unit as row ' || d.first_row
        FROM clean c JOIN (
            SELECT upper(case_ref) AS case_key, category_code, weapon_type_code, unit_code, min(row) AS first_row
            FROM clean
            WHERE case_ref IS NOT NULL AND category_code IS NOT NULL
              AND weapon_type_code IS NOT NULL AND unit_code IS NOT NULL
            GROUP BY ALL HAVING count(*) > 1
        ) d ON upper(c.case_ref) = d.case_key AND c.category_code = d.category_code
           AND c.weapon_type_code = d.weapon_type_code AND c.unit_code = d.unit_code
        WHERE c.row > d.first_row
    """)
    controls = _control_characters(con, positions)
    if controls:
        code = "(CASE WHEN unicode(c) >= 9216 THEN unicode(c) - 9216 ELSE unicode(c) END)"
        parts += [
            f"SELECT row, '{column}', {column}, '{CONTROL_REASON} (code ' || {code} || ', shown as ' || "
            f"chr(9216 + {code}) || '), which cannot be stored: remove it' "
            f"FROM (SELECT row, {column}, regexp_extract({column}, $control) AS c FROM clean "
            f"WHERE regexp_matches({column}, $control))"
            for column in controls
        ]
    con.execute(
        "CREATE TABLE errors AS " + " UNION ALL ".join(parts),
        {"today": today, "earliest": EARLIEST_DATE, "region_hint": region_hint,
         **({"control": CONTROL_PATTERN} if controls else {})},
    )
    if controls:  # a cell holding a control character gets that reason alone
        con.execute(
            "DELETE FROM errors WHERE NOT starts_with(reason, $reason) AND row || ':' || column_key IN "
            "(SELECT row || ':' || column_key FROM errors WHERE starts_with(reason, $reason))",
            {"reason": CONTROL_REASON},
        )


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
        SELECT row AS file_row, case_ref, category_code AS category, weapon_type_code AS weapon_type, unit_code AS unit
        FROM clean
        WHERE case_ref IS NOT NULL AND category_code IS NOT NULL AND weapon_type_code IS NOT NULL
          AND unit_code IS NOT NULL
          AND row NOT IN (SELECT row FROM errors WHERE column_key = 'case_ref' AND starts_with(reason, $reason))
    """, params={"reason": CONTROL_REASON}).to_arrow_table()
    if keys.num_rows == 0:
        return
    s, k = schema.seizures, FILE_KEYS
    FILE_KEYS.create(conn)  # dropped below; if anything fails, the transaction's rollback removes it
    store.insert_frame(conn, FILE_KEYS, keys)
    matches = conn.execute(
        sa.select(k.c.file_row, sa.func.min(s.c.import_id).label("import_id"))
        .join_from(k, s, sa.and_(sa.func.upper(s.c.case_ref) == sa.func.upper(k.c.case_ref),
                                 s.c.category == k.c.category, s.c.weapon_type == k.c.weapon_type,
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
    con.execute("""
        INSERT INTO errors
        SELECT c.row, 'case_ref', c.case_ref,
               'already in the store (import #' || coalesce(m.import_id::VARCHAR, '?') ||
               ') with the same case reference, category, weapon type and unit'
        FROM clean c JOIN stored_matches m ON c.row = m.file_row
    """)
    con.unregister("stored_matches")


def _error_frame(con: duckdb.DuckDBPyConnection, header: list[str], positions: dict[str, int]) -> pd.DataFrame:
    """The errors, with each column named as in the file, sorted by row then column order."""
    order = {column: i for i, column in enumerate(COLUMNS)}
    frame = con.execute("SELECT row, column_key, value, reason FROM errors").df()
    shown = {column: header[index] for column, index in positions.items()}
    frame["column"] = frame["column_key"].map(shown).fillna(frame["column_key"])
    frame["value"] = frame["value"].fillna("").astype(str).str.slice(0, VALUE_SHOWN_MAX).map(visible)
    frame["order"] = frame["column_key"].map(order)
    frame = frame.sort_values(["row", "order"], kind="stable").reset_index(drop=True)
    return frame[ERROR_COLUMNS].astype({"row": "int64"})


def _cell_problem_errors(con: duckdb.DuckDBPyConnection, raw: upload.RawTable, positions: dict[str, int]) -> None:
    by_index = {index: column for column, index in positions.items()}
    records = [
        (p.row, by_index.get(p.column_index, raw.header[p.column_index] or f"column {p.column_index + 1}"),
         p.value, p.reason)
        for p in raw.cell_problems
        if p.column_index in by_index
    ]
    if records:
        con.executemany("INSERT INTO errors VALUES (?, ?, ?, ?)", records)


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


def _rejected_rows(con: duckdb.DuckDBPyConnection, raw: upload.RawTable) -> pd.DataFrame:
    """The invalid rows as read (the file's own columns) plus import_errors, ready to be corrected: safe to open in
    a spreadsheet, and imported again as typed (spreadsheet.quoted, undone by _unquote on import)."""
    names = [f"c{i}" for i in range(len(raw.header))]
    order = ", ".join(f"('{column}', {i})" for i, column in enumerate(COLUMNS))
    frame = con.execute(f"""
        SELECT {', '.join(f'r.{n}' for n in names)},
               string_agg(e.column_key || ': ' || e.reason, '; ' ORDER BY o.position) AS errors
        FROM raw r JOIN errors e USING (row) LEFT JOIN (VALUES {order}) o(column_key, position) USING (column_key)
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
) -> ImportResult:
    """Validate a file and, if it passes (or with skip_invalid, its valid rows), import it in one transaction.

    Never raises for a bad file: every problem is in the result. Raises StoreError if the store is unusable.
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
    try:
        raw = upload.read_upload(source, max_mb, _check_known_columns)
    except upload.UploadError as exc:
        return ImportResult("rejected", name, file_error=str(exc))
    with raw:
        result = ImportResult("rejected", name, rows_read=raw.rows, notes=list(raw.notes))
        with engine.connect() as conn:  # one short read: the file is not held while the rows are checked
            if not sa.inspect(conn).has_table(schema.imports.name):
                raise store.StoreError("the store has no schema yet: run `seizures init` first")
            result.previous = _previous_import(conn, raw.content_hash)
            references = reference_frames(conn)
        if result.previous:
            result.status = "already_imported"
            return result
        report(0.25, f"Checking {result.rows_read:,} rows")
        positions, header_problems = _header_problems(raw.header, _blank_columns(raw))
        if header_problems:
            result.errors = pd.DataFrame(header_problems, columns=ERROR_COLUMNS)
            result.rows_rejected = result.rows_read
            return result
        con = raw.con
        if any(normalise_header(name) == ERRORS_COLUMN for name in raw.header):
            _unquote(raw)
        con.execute(FOLD_MACRO)
        _load_lookups(con, *references)
        _validate(con, positions, today)
        _cell_problem_errors(con, raw, positions)
        report(0.55, "Comparing with the records already stored")
        with store.serial_write(engine, on_wait=lambda: report(0.55, WAITING)) as conn:
            # Checked again with the store to ourselves: nothing can slip in between check and write.
            result.previous = _previous_import(conn, raw.content_hash)
            if result.previous:
                result.status = "already_imported"
                return result
            _store_duplicates(con, conn)
            result.errors = _error_frame(con, raw.header, positions)
            result.rows_rejected = int(result.errors["row"].nunique())
            if skip_invalid and result.rows_rejected:
                result.rejected_rows = _rejected_rows(con, raw)
            if result.rows_rejected == result.rows_read or (result.rows_rejected and not skip_invalid):
                return result  # leaving the block without a write: the transaction holds nothing
            result.rows_accepted = result.rows_read - result.rows_rejected
            report(0.7, f"Writing {result.rows_accepted:,} rows")
            result.import_id = _write(conn, con, result, user or seed.os_user(), raw.content_hash)
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


def _write(conn: sa.Connection, con: duckdb.DuckDBPyConnection, result: ImportResult, user: str, digest: str) -> int:
    """The audit row, then the valid lines carrying its id, in the caller's transaction; returns the import id."""
    import_id = conn.execute(
        schema.imports.insert().values(
            file_name=result.file_name[:255], content_hash=digest, kind="file", rows_read=result.rows_read,
            rows_accepted=result.rows_accepted, rows_rejected=result.rows_rejected, user_name=user,
            imported_at=dt.datetime.now(),
        ).returning(schema.imports.c.id)
    ).scalar_one()
    lines = con.sql("""
        SELECT seized_on_value AS seized_on, region_code, municipality_name AS municipality,
               category_code AS category, weapon_type_code AS weapon_type, quantity_value AS quantity,
               unit_code AS unit, context_code AS context, case_ref,
               coalesce(source, $default_source) AS source, false AS illustrative, $import_id AS import_id
        FROM clean WHERE row NOT IN (SELECT row FROM errors) ORDER BY row
    """, params={"default_source": f"Imported from {result.file_name}"[:SOURCE_MAX], "import_id": import_id})
    # Streamed: the accepted lines go from the workbench to the store in batches, not copied whole in between.
    store.insert_frame(conn, schema.seizures, lines.to_arrow_reader(WRITE_BATCH_ROWS))
    summary.added(conn, import_id)
    return import_id


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

