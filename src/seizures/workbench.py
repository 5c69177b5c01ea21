"""The in-memory DuckDB workbench an import checks a file in: the store's reference data as lookup tables (every
spelling a user may write, folded, -> its code), the cell helpers, and the problems table with its messages.

Record lines (ingest.py) and counts by period (counts.py) share it. Nothing here touches the store but
`read_references`, which reads the reference data once, before the file is checked.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import sqlalchemy as sa

from seizures import i18n, reference, schema, store, vocab
from seizures.i18n import N_

WHITESPACE = " \t\r\n\u00a0"
# trim() with a set of characters is slow: only cells that start or end with one of them go through it.
EDGES = f"'^[{WHITESPACE}]|[{WHITESPACE}]$'"
# One normal form for names typed by hand (vocab.fold): lower case, no accents, đ -> dj, runs of space/_/- -> one space.
FOLD_MACRO = (
    "CREATE MACRO fold(x) AS trim(regexp_replace("
    "strip_accents(replace(lower(x), 'đ', 'dj')), '[\\s_\\-]+', ' ', 'g'))"
)
# C0 control characters other than tab, line feed and carriage return (PostgreSQL text cannot hold NUL; none
# belongs in a record), and the symbols that stand for them in the files an import writes (U+2400 + code).
CONTROL_CODES = [c for c in range(32) if chr(c) not in "\t\n\r"]
CONTROL_PATTERN = "[" + "".join(f"\\x{{{c:02x}}}\\x{{{0x2400 + c:04x}}}" for c in CONTROL_CODES) + "]"
QUANTITY_DECIMALS = 3  # the store keeps quantities to the thousandth (for kg, the gram)
COUNT_BOUND_FACTOR = 1000  # a count of a period may hold this many times what one record line may
LOAD_FIRST = "load the reference data first: `seizures reference import ...` or `seizures init --demo`"
# ISO 3166-1 alpha-2 codes and English short names, from Debian's iso-codes 4.15.0 (iso_3166-1.json, the data
# pycountry ships too), plus XK, the user-assigned code the European Commission and others use.
COUNTRIES_FILE = Path(__file__).with_name("countries.csv")

# The tracing columns' coded values (fixed: the UNODC questionnaire's own), by column.
TRACING_CODED = {"trace_result": vocab.TRACE_RESULTS, "origin_how": vocab.ORIGIN_HOW,
                 "legal_basis": vocab.LEGAL_BASES, "criminal_context": vocab.CRIMINAL_CONTEXTS}
TRACE_RESULTS_CODES, ORIGIN_HOW_CODES = list(vocab.TRACE_RESULTS), list(vocab.ORIGIN_HOW)
LEGAL_BASIS_CODES, CRIMINAL_CONTEXT_CODES = list(vocab.LEGAL_BASES), list(vocab.CRIMINAL_CONTEXTS)
COUNTRY_COLUMNS = ("manufacture_country", "import_country")
BOOLEAN_COLUMNS = ("marked", "significant")
DATE_COLUMNS = ("trace_requested_on",)
BOOLEAN_WORDS = {True: (N_("yes"), N_("true")), False: (N_("no"), N_("false"))}


class ReferenceDataMissing(store.StoreError):
    """The store holds no reference data to check a file against."""


@dataclass(frozen=True)
class References:
    jurisdiction: reference.Jurisdiction
    vocabulary: reference.Vocabulary
    regions: pd.DataFrame  # code, name_en, name_sq, name_sr
    municipalities: pd.DataFrame  # name, region_code


def read_references(conn: sa.Connection, need_regions: bool = True) -> References:
    """The store's reference data, or ReferenceDataMissing: an import never checks against files of data/."""
    jurisdiction = reference.read_jurisdiction(conn)
    vocabulary = reference.read_vocabulary(conn)
    regions = pd.DataFrame(conn.execute(sa.select(
        schema.regions.c.code, schema.regions.c.name_en, schema.regions.c.name_sq, schema.regions.c.name_sr
    )).fetchall(), columns=["code", "name_en", "name_sq", "name_sr"])
    municipalities = pd.DataFrame(conn.execute(sa.select(
        schema.municipalities.c.name, schema.municipalities.c.region_code
    )).fetchall(), columns=["name", "region_code"])
    missing = [what for what, empty in (
        ("the jurisdiction", jurisdiction is None),
        ("categories and units", not vocabulary.codes("category") or not vocabulary.codes("unit")),
        ("regions", need_regions and regions.empty),
    ) if empty]
    if missing:
        raise ReferenceDataMissing(f"the store holds no reference data to check the file against "
                                   f"(missing: {', '.join(missing)}): {LOAD_FIRST}")
    return References(jurisdiction, vocabulary, regions, municipalities)


# --- lookup tables ------------------------------------------------------------------------------------------


def _spellings(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """table(key, code) from frame(spelling, code, rank): each folded spelling -> one code; where two codes share a
    spelling, the one for which it is the code itself (rank 0) wins, and a label shared by two codes is left out."""
    con.register("spellings_frame", frame)
    con.execute(f"""
        CREATE TABLE {table} AS
        SELECT key, any_value(code) AS code FROM (
            SELECT fold(spelling) AS key, code, rank, min(rank) OVER (PARTITION BY fold(spelling)) AS best
            FROM spellings_frame WHERE spelling IS NOT NULL AND trim(spelling) <> ''
        ) WHERE rank = best GROUP BY key HAVING count(DISTINCT code) = 1
    """)
    con.unregister("spellings_frame")


def _translations(text: str) -> list[str]:
    """A text in every interface language."""
    out = []
    for lang in i18n.LANGUAGES:
        with i18n.using(lang):
            out.append(i18n._(text))
    return out


def load_lookups(con: duckdb.DuckDBPyConnection, refs: References) -> None:
    """Lookup tables in the workbench: folded spelling -> code, for every coded column."""
    con.execute(FOLD_MACRO)
    region_aliases = pd.concat(
        [pd.DataFrame({"spelling": refs.regions[name], "code": refs.regions["code"]})
         for name in ("code", "name_en", "name_sq", "name_sr")]
    ).dropna()
    con.register("region_aliases_frame", region_aliases)
    con.execute("CREATE TABLE region_alias AS SELECT DISTINCT fold(spelling) AS key, code FROM region_aliases_frame")
    con.unregister("region_aliases_frame")
    clash = con.execute("SELECT key FROM region_alias GROUP BY key HAVING count(*) > 1").fetchall()
    if clash:
        raise store.StoreError(f"region spellings shared by two regions: {', '.join(k for (k,) in clash)}")
    con.register("municipality_frame", refs.municipalities)
    con.execute(
        "CREATE TABLE municipality_alias AS SELECT fold(name) AS key, name, region_code FROM municipality_frame"
    )
    con.unregister("municipality_frame")
    vocabulary = refs.vocabulary
    for kind in reference.KINDS:
        rows = [(t.code, t.code, 0) for t in vocabulary.of(kind)]
        rows += [(label, t.code, 1) for t in vocabulary.of(kind) for _lang, label in t.labels if label]
        _spellings(con, f"{kind}_alias", pd.DataFrame(rows, columns=["spelling", "code", "rank"]))
    for column, codes in TRACING_CODED.items():
        rows = [(code, code, 0) for code in codes]
        rows += [(label, code, 1) for code, text in codes.items() for label in _translations(text)]
        _spellings(con, f"{column}_alias", pd.DataFrame(rows, columns=["spelling", "code", "rank"]))
    countries = pd.read_csv(COUNTRIES_FILE, dtype=str, keep_default_na=False)
    rows = [(c, c, 0) for c in countries["alpha_2"]] + [(n, c, 1) for c, n in zip(countries["alpha_2"], countries["name"])]
    _spellings(con, "country_alias", pd.DataFrame(rows, columns=["spelling", "code", "rank"]))
    rows = [(word, value, 1) for value, words in BOOLEAN_WORDS.items() for text in words for word in _translations(text)]
    rows += [("1", True, 0), ("0", False, 0)]
    _spellings(con, "boolean_alias", pd.DataFrame(rows, columns=["spelling", "code", "rank"]))
    con.register("category_unit_frame", pd.DataFrame(
        [(t.code, unit, " or ".join(t.units)) for t in vocabulary.of("category") for unit in t.units],
        columns=["category", "unit", "allowed_units"],
    ))
    con.execute("CREATE TABLE category_unit AS SELECT * FROM category_unit_frame")
    con.unregister("category_unit_frame")
    con.register("unit_limit_frame", pd.DataFrame(
        [(t.code, t.line_limit, f"{t.line_limit:,g}" if t.line_limit else None, bool(t.whole))
         for t in vocabulary.of("unit")],
        columns=["unit", "max_quantity", "limit_text", "whole"],
    ).astype({"max_quantity": "float64"}))
    con.execute("CREATE TABLE unit_limit AS SELECT * FROM unit_limit_frame")
    con.unregister("unit_limit_frame")


def codes_text(con: duckdb.DuckDBPyConnection, table: str) -> str:
    return ", ".join(code for (code,) in con.execute(f"SELECT DISTINCT code FROM {table} ORDER BY 1").fetchall())


# --- cells ----------------------------------------------------------------------------------------------------


def trimmed(cell: str) -> str:
    """A cell's text without the whitespace around it; NULL if nothing is left (SQL; needs the $ws parameter)."""
    return f"CASE WHEN regexp_matches({cell}, {EDGES}) THEN nullif(trim({cell}, $ws), '') ELSE nullif({cell}, '') END"


DATE_SQL = """CASE
    WHEN regexp_full_match(v, '[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}') THEN try_strptime(v, '%Y-%m-%d')
    WHEN regexp_full_match(v, '[0-9]{1,2}[.][0-9]{1,2}[.][0-9]{4}[.]?') THEN try_strptime(rtrim(v, '.'), '%d.%m.%Y')
    END::DATE"""
DATE_SHAPED_SQL = "regexp_full_match(v, '[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}|[0-9]{1,2}[.][0-9]{1,2}[.][0-9]{4}[.]?')"


def attribute_parse(column: str) -> tuple[str, str]:
    """How a tracing or coded attribute's trimmed text `v` is parsed: (SQL of the value, LEFT JOIN of its lookup)."""
    if column in reference.KINDS or column in TRACING_CODED:
        return "a.code", f"LEFT JOIN {column}_alias a ON fold(d.v) = a.key"
    if column in COUNTRY_COLUMNS:
        return "a.code", "LEFT JOIN country_alias a ON fold(d.v) = a.key"
    if column in BOOLEAN_COLUMNS:
        return "a.code::BOOLEAN", "LEFT JOIN boolean_alias a ON fold(d.v) = a.key"
    if column in DATE_COLUMNS:
        return DATE_SQL.replace("\n", " "), ""
    raise KeyError(column)


# --- problems -------------------------------------------------------------------------------------------------

# Every reason an import gives, as a message with named placeholders: the problems table keeps the message and its
# values, so that the Data page shows them in the interface's language and the command line in English.
M = {
    "required": N_("required: the cell is empty"),
    "not_a_date": N_("not a date: write YYYY-MM-DD (2023-03-05) or DD.MM.YYYY (05.03.2023)"),
    "no_such_date": N_("no such date: the month has no such day, or there is no such month"),
    "future": N_("a date in the future"),
    "before_earliest": N_("before {earliest}, the earliest date of this jurisdiction's records"),
    "unknown_region": N_("unknown region '{value}': use a code ({codes}) or a region's name"),
    "unknown_municipality": N_("unknown municipality '{value}': see the allowed values in the template"),
    "unknown_district": N_("unknown district '{value}': not a municipality of the reference data, so its region "
                           "is not known"),
    "other_region": N_("{municipality} belongs to region {region}, not {row_region}"),
    "category": N_("not an allowed category '{value}': one of {codes}"),
    "unit": N_("not an allowed unit '{value}': one of {codes}"),
    "weapon_type": N_("not an allowed weapon type '{value}': one of {codes}"),
    "context": N_("not an allowed context '{value}': one of {codes}"),
    "trace_result": N_("not an allowed trace result '{value}': one of {codes}"),
    "origin_how": N_("not an allowed way the origin was established '{value}': one of {codes}"),
    "legal_basis": N_("not an allowed legal basis '{value}': one of {codes}"),
    "criminal_context": N_("not an allowed criminal context '{value}': one of {codes}"),
    "country": N_("not a country '{value}': an ISO 3166-1 alpha-2 code such as DE, or the country's English name"),
    "boolean": N_("not yes or no '{value}': write yes/no, true/false or 1/0 (in any of the interface languages)"),
    "unit_of_category": N_("{category} is not counted in {unit}: use {units}"),
    "not_a_number": N_("not a number: write digits with a decimal point, e.g. 3 or 2.5 (no thousands separators)"),
    "not_a_count": N_("not a number as this file writes them: decimal mark '{decimal}', thousands separator '{group}'"),
    "not_positive": N_("must be greater than 0"),
    "negative": N_("a negative count"),
    "line_limit": N_("more than {limit} {unit} on one line: check the number (the limit guards against typing "
                     "errors)"),
    "count_limit": N_("more than {limit} {unit} in one count: check the number (the bound is {factor} times what "
                      "one record line may hold)"),
    "whole": N_("{unit} are counted in whole numbers"),
    "decimals": N_("more than {decimals} decimals: quantities are stored to 0.001 {unit}"),
    "too_long": N_("longer than {max} characters"),
    "example_row": N_("the template's example row: replace it with real records or delete it"),
    "duplicate_line": N_("same case reference, category, weapon type and unit as row {row}"),
    "stored_line": N_("already in the store (import #{import_id}) with the same case reference, category, weapon "
                      "type and unit"),
    "duplicate_count": N_("the same count as row {row} (region, period, category, unit, weapon type, context and "
                          "tracing)"),
    "stored_count": N_("already in the store (import #{import_id}, {file}): a count of the same region, period, "
                       "category, unit, weapon type, context and tracing"),
    "control": N_("holds a control character (code {code}, shown as {symbol}), which cannot be stored: remove it"),
    "formula": N_("a formula: paste values only"),
    "blank_header": N_("values in a column without a name"),
    "unknown_column": N_("unknown column; expected: {columns}"),
    "second_column": N_("a second {column} column (the first is column {position})"),
    "missing_column": N_("required column missing"),
    "mapped_column_missing": N_("the mapping {mapping} reads this column, but the file has none of that name"),
    "not_a_year": N_("not a year: four digits, e.g. 2023"),
    "not_a_month": N_("not a month: a number from 1 to 12"),
    "not_a_quarter": N_("not a quarter: 1 to 4, or Q1 to Q4"),
    "not_a_period": N_("not a period written as {format}"),
    "future_period": N_("a period that has not begun yet"),
    "period_before_earliest": N_("a period that ends before {earliest}, the earliest date of this jurisdiction's "
                                 "records"),
}
CONTROL_MESSAGE = M["control"]
CODED = ("category", "weapon_type", "unit", "context")  # coded by the store's vocabulary
ERRORS_TABLE = ("CREATE TABLE errors (row BIGINT, column_key VARCHAR, value VARCHAR, message VARCHAR, "
                "args VARCHAR)")


def args_sql(**values: str) -> str:
    """The SQL of a problem's values (a JSON object), each given as SQL."""
    if not values:
        return "'{}'"
    return "to_json({" + ", ".join(f"'{k}': ({v})::VARCHAR" for k, v in values.items()) + "})::VARCHAR"


def render(message: str, args: str | None, lang: str | None = None) -> str:
    """A problem's reason in a language (English by default: the message as written in the code)."""
    values = json.loads(args) if args else {}
    if lang in (None, i18n.DEFAULT):
        text = message
    else:
        with i18n.using(lang):
            text = i18n._(message)
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError):  # a translation's placeholders do not match: the English one
        return message.format(**values)


def earliest_text(day: dt.date) -> str:
    return f"{day:%d.%m.%Y}"


def problem(row: int, column: str, value: str, key: str, /, **args) -> tuple:
    """A problem found in Python, as a row of the errors table."""
    return (row, column, value, M[key], json.dumps({k: str(v) for k, v in args.items()}, ensure_ascii=False))


def coded_checks(con: duckdb.DuckDBPyConnection, columns: list[str]) -> list[tuple]:
    """(column, condition, message, args) of the coded and tracing attributes: a value given that means nothing."""
    checks = []
    for column in columns:
        if column in CODED or column in TRACING_CODED:
            codes = codes_text(con, f"{column}_alias").replace("'", "''")
            checks.append((column, f"{column} IS NOT NULL AND {column}_code IS NULL", M[column],
                           args_sql(value=column, codes=f"'{codes}'")))
        elif column in COUNTRY_COLUMNS:
            checks.append((column, f"{column} IS NOT NULL AND {column}_code IS NULL", M["country"],
                           args_sql(value=column)))
        elif column in BOOLEAN_COLUMNS:
            checks.append((column, f"{column} IS NOT NULL AND {column}_code IS NULL", M["boolean"],
                           args_sql(value=column)))
        elif column in DATE_COLUMNS:
            checks += [
                (column, f"{column} IS NOT NULL AND {column}_code IS NULL AND NOT {column}_shaped", M["not_a_date"],
                 "'{}'"),
                (column, f"{column}_code IS NULL AND {column}_shaped", M["no_such_date"], "'{}'"),
                (column, f"{column}_code > $today", M["future"], "'{}'"),
            ]
    return checks


def control_parts(columns: list[str], table: str = "clean") -> list[str]:
    """The problems of cells holding a control character, for the columns of `table` given."""
    code = "(CASE WHEN unicode(c) >= 9216 THEN unicode(c) - 9216 ELSE unicode(c) END)"
    return [
        f"SELECT row, '{column}', {column}, $control_message, "
        f"{args_sql(code=code, symbol=f'chr(9216 + {code})')} "
        f"FROM (SELECT row, {column}, regexp_extract({column}, $control) AS c FROM {table} "
        f"WHERE regexp_matches({column}, $control))"
        for column in columns
    ]


def only_control_reason(con: duckdb.DuckDBPyConnection) -> None:
    """A cell holding a control character gets that reason alone."""
    con.execute(
        "DELETE FROM errors WHERE message <> $m AND row || ':' || column_key IN "
        "(SELECT row || ':' || column_key FROM errors WHERE message = $m)",
        {"m": CONTROL_MESSAGE},
    ).fetchall()
