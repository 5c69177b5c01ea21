"""Counts by period: a file whose numbers are counts of a month, a quarter or a year (by region, or for the whole
jurisdiction), checked in the import's workbench (workbench.py) as a mapping (mappings.py) describes it.

A wide file (a column per weapon type, ...) is turned long with DuckDB's UNPIVOT: one cell per count, each with the
attributes its column stands for. What is checked once per file row (the region, the period, the attributes read
from columns) is checked in table `count_rows`; what depends on the number, in table `clean_counts`. A count is
stored as a `seizures` row with `period` month | quarter | year and `seized_on` the period's first day; a count of 0
is read and checked but not stored. No record line limit applies to a count (a year of a region is not one
seizure): it is bounded at COUNT_BOUND_FACTOR times the unit's line limit, against typing errors only.
"""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pandas as pd
import sqlalchemy as sa

from seizures import mappings, reference, schema, store, summary, vocab, workbench
from seizures.workbench import (M, WHITESPACE, args_sql, coded_checks, control_parts, only_control_reason, problem,
                                trimmed)

# A period written in one column: format -> (kind, pattern with the year and the month or quarter captured, the
# group of the year, the group of the month or quarter).
FORMATS = {
    "YYYY-MM": ("month", "([0-9]{4})[-/]([0-9]{1,2})", 1, 2),
    "MM.YYYY": ("month", "([0-9]{1,2})[./]([0-9]{4})[.]?", 2, 1),
    "YYYYQn": ("quarter", "([0-9]{4}) ?[-/]? ?[Qq]([1-4])", 1, 2),
    "YYYY": ("year", "([0-9]{4})", 1, None),
}
AUTO_ORDER = ("YYYY-MM", "MM.YYYY", "YYYYQn", "YYYY")
STEP = {"month": "1 month", "quarter": "3 months", "year": "1 year"}
WRITE_BATCH_ROWS = 122_880


def header_positions(header: list[str], mapping: mappings.Mapping, normalise) -> tuple[dict[str, int], list[tuple]]:
    """Mapping column -> position in the file, and the problems of the header (row 1): a column the mapping reads
    that the file lacks, or holds twice."""
    found: dict[str, list[int]] = {}
    for index, name in enumerate(header):
        found.setdefault(normalise(name), []).append(index)
    positions, problems = {}, []
    for column in mapping.used_columns():
        where = found.get(normalise(column), [])
        if not where:
            problems.append(problem(1, column, "", "mapped_column_missing", mapping=mapping.name))
        elif len(where) > 1:
            problems.append(problem(1, column, column, "second_column", column=column, position=where[0] + 1))
        else:
            positions[column] = where[0]
    given = {a for a, _ in (*mapping.columns, *mapping.constants)}
    for attribute in ("category", "unit"):
        if attribute not in given and any(attribute not in dict(v.attributes) for v in mapping.values):
            problems.append(problem(1, attribute, "", "missing_column"))
    return positions, problems


def _key(positions: dict[str, int], column: str | None) -> str:
    return f"c{positions[column]}"


def _resolve(con: duckdb.DuckDBPyConnection, attribute: str, value: str) -> str | bool | dt.date | None:
    """A constant of the mapping (a code or a label in any language) as stored, or None if it means nothing."""
    if attribute in workbench.DATE_COLUMNS:
        sql = workbench.DATE_SQL.replace("\n", " ")
        return con.execute(f"SELECT {sql} FROM (SELECT $v AS v)", {"v": value.strip()}).fetchall()[0][0]
    parsed, join = workbench.attribute_parse(attribute)
    row = con.execute(f"SELECT {parsed} FROM (SELECT $v AS v) d {join}", {"v": value}).fetchall()[0]
    return row[0] if row else None


def _constants(con: duckdb.DuckDBPyConnection, mapping: mappings.Mapping) -> tuple[dict, dict, list[tuple]]:
    """The mapping's constants and each count column's attributes, resolved to stored values; the problems of those
    that mean nothing (row 1, at the constant)."""
    problems = []

    def resolved(pairs, where: str) -> dict:
        out = {}
        for attribute, value in pairs:
            code = _resolve(con, attribute, value)
            if code is None:
                key = (attribute if attribute in M else "country" if attribute in workbench.COUNTRY_COLUMNS
                       else "boolean" if attribute in workbench.BOOLEAN_COLUMNS else "not_a_date")
                codes = (workbench.codes_text(con, f"{attribute}_alias")
                         if attribute in reference.KINDS or attribute in workbench.TRACING_CODED else "")
                problems.append(problem(1, f"{where} {attribute}", value, key, value=value, codes=codes))
            out[attribute] = code
        return out

    constants = resolved(mapping.constants, "mapping:")
    values = {v.column: resolved(v.attributes, f"mapping: {v.column}:") for v in mapping.values}
    return constants, values, problems


def _period_sql(mapping: mappings.Mapping, positions: dict[str, int]) -> tuple[str, list[str], str]:
    """The SQL of a period from its cells (trimmed as p0, p1, ...): columns kind, year, sub (month or quarter),
    bad (a message key) and bad_at (the cell at fault); the raw cells; the column keys of p0, p1, ..."""
    p = mapping.period
    if p.column:
        cells = [p.column]
        v = "p0"
        if p.format in ("YYYY-MM-DD", "DD.MM.YYYY"):
            date = workbench.DATE_SQL.replace("\n", " ").replace("(v,", f"({v},")
            kind = f"'{p.kind}'"
            sql = (f"{kind} AS kind, year({date}) AS year, "
                   f"CASE {kind} WHEN 'month' THEN month({date}) WHEN 'quarter' THEN quarter({date}) END AS sub, "
                   f"CASE WHEN {v} IS NULL THEN 'required' WHEN {date} IS NULL THEN 'not_a_period' END AS bad, "
                   "'p0' AS bad_at")
            return sql, cells, p.format
        formats = AUTO_ORDER if p.format == "auto" else (p.format,)

        def pick(part: str) -> str:
            whens = []
            for f in formats:
                kind, pattern, year_group, sub_group = FORMATS[f]
                match = f"regexp_full_match({v}, '{pattern}')"
                if part == "kind":
                    value = f"'{kind}'"
                elif part == "year":
                    value = f"regexp_extract({v}, '^{pattern}$', {year_group})::INTEGER"
                else:
                    value = f"regexp_extract({v}, '^{pattern}$', {sub_group})::INTEGER" if sub_group else "NULL"
                whens.append(f"WHEN {match} THEN {value}")
            return f"CASE {' '.join(whens)} END"

        sql = (f"{pick('kind')} AS kind, {pick('year')} AS year, {pick('sub')} AS sub, "
               f"CASE WHEN {v} IS NULL THEN 'required' WHEN {pick('kind')} IS NULL THEN 'not_a_period' "
               f"WHEN {pick('kind')} = 'month' AND NOT {pick('sub')} BETWEEN 1 AND 12 THEN 'not_a_period' END AS bad, "
               "'p0' AS bad_at")
        return sql, cells, " / ".join(formats) if p.format == "auto" else p.format
    cells = [p.year] + ([p.month] if p.month else [p.quarter] if p.quarter else [])
    kind = "month" if p.month else "quarter" if p.quarter else "year"
    year = "regexp_extract(p0, '^([0-9]{4})([.,]0+)?$', 1)"
    sub = ("NULL" if kind == "year" else
           "try_cast(regexp_extract(p1, '^([0-9]{1,2})([.,]0+)?$', 1) AS INTEGER)" if kind == "month" else
           "try_cast(regexp_extract(p1, '^[Qq]? ?([1-4])$', 1) AS INTEGER)")
    sub_bad = ("" if kind == "year" else
               f"WHEN p1 IS NULL THEN 'required' WHEN {sub} IS NULL OR NOT {sub} BETWEEN 1 AND 12 "
               f"THEN '{'not_a_month' if kind == 'month' else 'not_a_quarter'}' ")
    sql = (f"'{kind}' AS kind, nullif({year}, '')::INTEGER AS year, {sub} AS sub, "
           f"CASE WHEN p0 IS NULL THEN 'required' WHEN nullif({year}, '') IS NULL THEN 'not_a_year' {sub_bad}END AS bad, "
           f"CASE WHEN p0 IS NULL OR nullif({year}, '') IS NULL THEN 'p0' ELSE 'p1' END AS bad_at")
    return sql, cells, kind


def _number_patterns(mapping: mappings.Mapping) -> tuple[str, str]:
    """Regular expressions of a count as the file writes it: without, and with thousands separators."""
    decimal = f"[{mapping.decimal_char}]"
    plain = f"-?[0-9]+({decimal}[0-9]+)?"
    if not mapping.group_char:
        return plain, plain
    group = f"[{mapping.group_char}]"
    return plain, f"-?[0-9]{{1,3}}({group}[0-9]{{3}})+({decimal}[0-9]+)?"


def validate(con: duckdb.DuckDBPyConnection, positions: dict[str, int], mapping: mappings.Mapping, today: dt.date,
             refs: workbench.References) -> list[tuple]:
    """Build `count_rows` (per file row), `clean_counts` (per count) and `errors`; the mapping's own problems (its
    constants that mean nothing) are returned instead, and then nothing else is checked."""
    constants, value_attributes, problems = _constants(con, mapping)
    if problems:
        return problems
    con.execute(workbench.ERRORS_TABLE)
    params = {"ws": WHITESPACE}

    # 1. Rows to skip: the mapping's rules (totals), and rows without a region where it says so.
    rules = []
    for i, rule in enumerate(mapping.skip):
        cell = trimmed(f"raw.{_key(positions, rule.column)}")
        if rule.values:
            params[f"skip{i}"] = [vocab.fold(v) for v in rule.values]
            rules.append(f"list_contains($skip{i}, fold({cell}))")
        if rule.empty:
            rules.append(f"{cell} IS NULL")
    if mapping.region and mapping.region.empty == "skip":
        rules.append(f"{trimmed('raw.' + _key(positions, mapping.region.column))} IS NULL")
    con.execute(f"CREATE TABLE skipped AS SELECT row FROM raw WHERE {' OR '.join(rules) or 'false'}",
                params if rules else {})
    params = {"ws": WHITESPACE}
    con.execute("CREATE VIEW kept AS SELECT * FROM raw WHERE row NOT IN (SELECT row FROM skipped)")

    # 2. The region, the period and the attributes read from columns: parsed once per distinct cell.
    if mapping.region:
        region_cell = f"kept.{_key(positions, mapping.region.column)}"
        if mapping.region.match == "municipality":
            parse = "a.region_code AS region_code, a.name AS municipality"
            join = "LEFT JOIN municipality_alias a ON fold(d.v) = a.key"
        else:
            parse, join = "a.code AS region_code, NULL::VARCHAR AS municipality", \
                "LEFT JOIN region_alias a ON fold(d.v) = a.key"
        con.execute(f"CREATE TABLE map_region AS SELECT raw_v, v, {parse} FROM (SELECT raw_v, {trimmed('raw_v')} AS v "
                    f"FROM (SELECT DISTINCT {region_cell} AS raw_v FROM kept)) d {join}", params)
    period_sql, period_columns, period_format = _period_sql(mapping, positions)
    period_cells = [f"kept.{_key(positions, c)}" for c in period_columns]
    p_names = [f"p{i}" for i in range(len(period_cells))]
    raw_names = [f"r{i}" for i in range(len(period_cells))]
    con.execute(f"""
        CREATE TABLE map_period AS
        SELECT *, CASE WHEN bad IS NULL THEN make_date(year, CASE kind WHEN 'month' THEN sub
                                                       WHEN 'quarter' THEN (sub - 1) * 3 + 1 ELSE 1 END, 1) END AS start
        FROM (SELECT {', '.join(raw_names)}, {', '.join(p_names)}, {period_sql}
              FROM (SELECT {', '.join(f'{r}, {trimmed(r)} AS {p}' for r, p in zip(raw_names, p_names))}
                    FROM (SELECT DISTINCT {', '.join(f'{c} AS {r}' for c, r in zip(period_cells, raw_names))} FROM kept)))
    """, params)
    con.execute("""ALTER TABLE map_period ADD COLUMN finish DATE""")
    con.execute(f"""UPDATE map_period SET finish = (start + CASE kind WHEN 'month' THEN INTERVAL {STEP['month']}
                    WHEN 'quarter' THEN INTERVAL {STEP['quarter']} ELSE INTERVAL {STEP['year']} END
                    - INTERVAL 1 day)::DATE WHERE start IS NOT NULL""").fetchall()
    columns = dict(mapping.columns)
    for attribute, column in columns.items():
        value, join = workbench.attribute_parse(attribute)
        if attribute in workbench.DATE_COLUMNS:
            value += f" AS parsed, {workbench.DATE_SHAPED_SQL} AS shaped"
        else:
            value += " AS parsed"
        extra = ""
        if attribute == "unit":
            extra = ", l.max_quantity, l.limit_text, l.whole"
            join += " LEFT JOIN unit_limit l ON l.unit = a.code"
        con.execute(f"CREATE TABLE map_{attribute} AS SELECT raw_v, v, {value}{extra} FROM "
                    f"(SELECT raw_v, {trimmed('raw_v')} AS v FROM (SELECT DISTINCT kept.{_key(positions, column)} AS raw_v "
                    f"FROM kept)) d {join}", params)

    region_select = "r.v AS region, r.region_code, r.municipality" if mapping.region else \
        "NULL::VARCHAR AS region, NULL::VARCHAR AS region_code, NULL::VARCHAR AS municipality"
    region_join = f"LEFT JOIN map_region r ON {region_cell} IS NOT DISTINCT FROM r.raw_v" if mapping.region else ""
    period_join = " AND ".join(f"{c} IS NOT DISTINCT FROM p.{r}" for c, r in zip(period_cells, raw_names))
    attribute_select = "".join(
        f", t_{a}.v AS {a}, t_{a}.parsed AS {a}_code"
        + (f", t_{a}.shaped AS {a}_shaped" if a in workbench.DATE_COLUMNS else "")
        + (", t_unit.max_quantity, t_unit.limit_text, t_unit.whole" if a == "unit" else "")
        for a in columns)
    attribute_join = "".join(f" LEFT JOIN map_{a} t_{a} ON kept.{_key(positions, c)} IS NOT DISTINCT FROM t_{a}.raw_v"
                             for a, c in columns.items())
    con.execute(f"""
        CREATE TABLE count_rows AS SELECT kept.row, {region_select},
            p.kind, p.start, p.finish, p.bad AS period_bad, p.bad_at AS period_bad_at,
            {', '.join(f'p.{n} AS period_{n}' for n in p_names)} {attribute_select}
        FROM kept {region_join} LEFT JOIN map_period p ON {period_join} {attribute_join}
    """)

    # 3. The counts: one per non-empty cell of a count column (UNPIVOT), with the attributes their column stands for.
    value_keys = {v.column: _key(positions, v.column) for v in mapping.values}
    con.execute(f"""
        CREATE TABLE cells AS
        SELECT row, value_column, count_raw FROM (
            UNPIVOT (SELECT row, {', '.join(value_keys.values())} FROM kept)
            ON {', '.join(value_keys.values())} INTO NAME value_column VALUE count_raw)
    """)
    plain, grouped = _number_patterns(mapping)
    params.update({"plain": plain, "grouped": grouped, "missing": [m.strip() for m in mapping.missing_values],
                   "group": mapping.group_char or "\u0000", "decimal": mapping.decimal_char})
    con.execute("""
        CREATE TABLE map_count AS SELECT raw_v, v, v IS NULL OR list_contains($missing, v) AS missing,
            CASE WHEN regexp_full_match(v, $plain) OR regexp_full_match(v, $grouped)
                 THEN replace(replace(v, $group, ''), $decimal, '.') END AS normal
        FROM (SELECT raw_v, """ + trimmed("raw_v") + """ AS v FROM (SELECT DISTINCT count_raw AS raw_v FROM cells))
    """, params)
    con.execute("ALTER TABLE map_count ADD COLUMN value DOUBLE")
    con.execute("UPDATE map_count SET value = try_cast(normal AS DOUBLE)").fetchall()
    spec_rows = []
    for v in mapping.values:
        attrs = {**constants, **value_attributes[v.column]}
        spec_rows.append({"value_column": value_keys[v.column], **{a: attrs.get(a) for a in mappings.ATTRIBUTES}})
    spec = pd.DataFrame(spec_rows, columns=["value_column", *mappings.ATTRIBUTES]).astype(
        {a: "object" for a in mappings.ATTRIBUTES})
    spec = spec.astype({a: "boolean" for a in workbench.BOOLEAN_COLUMNS})
    con.register("spec_frame", spec)
    types = {c.name: c.type.compile(dialect=sa.dialects.postgresql.dialect()) for c in schema.seizures.c}
    con.execute("CREATE TABLE value_spec AS SELECT value_column, "
                + ", ".join(f"{a}::{'DOUBLE' if types[a] == 'DOUBLE PRECISION' else types[a]} AS {a}"
                            for a in mappings.ATTRIBUTES) + " FROM spec_frame")
    con.unregister("spec_frame")

    def attribute(a: str) -> str:
        return f"coalesce(s.{a}, cr.{a}_code)" if a in columns else f"s.{a}"

    unit_limits = ("coalesce(l.max_quantity, cr.max_quantity)", "coalesce(l.limit_text, cr.limit_text)",
                   "coalesce(l.whole, cr.whole)") if "unit" in columns else ("l.max_quantity", "l.limit_text",
                                                                             "l.whole")
    con.execute(f"""
        CREATE TABLE clean_counts AS SELECT
            c.row, c.value_column AS column_key, m.v AS count_text, m.normal, m.value AS quantity_value, m.missing,
            cr.region_code, cr.municipality, cr.kind, cr.start, cr.period_bad IS NOT NULL AS period_bad,
            {', '.join(f'{attribute(a)} AS {a}' for a in mappings.ATTRIBUTES)},
            {unit_limits[0]} AS max_quantity, {unit_limits[1]} AS limit_text, {unit_limits[2]} AS whole_unit,
            coalesce(list_contains(g.units, {attribute('unit')}), false) AS unit_fits_category, g.allowed_units
        FROM cells c
        JOIN map_count m ON c.count_raw = m.raw_v
        JOIN count_rows cr ON cr.row = c.row
        JOIN value_spec s ON s.value_column = c.value_column
        LEFT JOIN unit_limit l ON l.unit = s.unit
        LEFT JOIN (SELECT category, allowed_units, list(unit) AS units FROM category_unit
                   GROUP BY category, allowed_units) g ON g.category = {attribute('category')}
        WHERE NOT m.missing
    """)

    # 4. The checks: per row (region, period, attributes from columns), then per count.
    earliest = workbench.earliest_text(refs.jurisdiction.earliest_date)
    checks: list[tuple[str, str, str, str, str]] = []  # column key, value shown, condition, message, args (SQL)
    if mapping.region:
        rkey = f"'{_key(positions, mapping.region.column)}'"
        if mapping.region.empty == "refuse":
            checks.append((rkey, "region", "region IS NULL", M["required"], "'{}'"))
        unknown = "unknown_district" if mapping.region.match == "municipality" else "unknown_region"
        checks.append((rkey, "region", "region IS NOT NULL AND region_code IS NULL", M[unknown],
                       args_sql(value="region", codes="$region_codes")))
    period_keys = [_key(positions, c) for c in period_columns]
    at = "CASE period_bad_at " + " ".join(f"WHEN 'p{i}' THEN '{k}'" for i, k in enumerate(period_keys)) + " END"
    value_at = "CASE period_bad_at " + " ".join(f"WHEN 'p{i}' THEN period_p{i}" for i in range(len(period_keys))) + " END"
    for bad in ("required", "not_a_year", "not_a_month", "not_a_quarter", "not_a_period"):
        checks.append((at, value_at, f"period_bad = '{bad}'", M[bad], args_sql(format=f"'{period_format}'")))
    whole_period = "concat_ws(' ', " + ", ".join(f"period_p{i}" for i in range(len(period_keys))) + ")"
    checks += [
        (f"'{period_keys[0]}'", whole_period, "start > $today", M["future_period"], "'{}'"),
        (f"'{period_keys[0]}'", whole_period, "finish < $earliest", M["period_before_earliest"],
         args_sql(earliest=f"'{earliest}'")),
    ]
    for a, column in columns.items():
        if a in ("category", "unit"):
            checks.append((f"'{_key(positions, column)}'", a, f"{a} IS NULL", M["required"], "'{}'"))
    for attribute, condition, message, args in coded_checks(con, list(columns)):
        checks.append((f"'{_key(positions, columns[attribute])}'", attribute, condition, message, args))
    parts = [
        f"SELECT row, {key} AS column_key, {value} AS value, $m{i} AS message, {args} AS args "
        f"FROM count_rows WHERE {condition}"
        for i, (key, value, condition, _m, args) in enumerate(checks)
    ]
    cell_checks = [
        ("count_text IS NOT NULL AND quantity_value IS NULL", M["not_a_count"],
         args_sql(decimal="$decimal_shown", group="$group_shown")),
        ("quantity_value < 0", M["negative"], "'{}'"),
        ("category IS NOT NULL AND unit IS NOT NULL AND NOT unit_fits_category", M["unit_of_category"],
         args_sql(category="category", unit="unit", units="allowed_units")),
        (f"quantity_value > max_quantity * {workbench.COUNT_BOUND_FACTOR}", M["count_limit"],
         args_sql(limit=f"format('{{:,}}', (max_quantity * {workbench.COUNT_BOUND_FACTOR})::BIGINT)", unit="unit",
                  factor=f"'{workbench.COUNT_BOUND_FACTOR:,}'")),
        # Judged on the text as written (after the thousands separators are taken out).
        ("quantity_value > 0 AND whole_unit AND regexp_matches(normal, '[.][0-9]*[1-9]')", M["whole"],
         args_sql(unit="unit")),
        (f"quantity_value > 0 AND NOT whole_unit AND regexp_matches(normal, "
         f"'[.][0-9]{{{workbench.QUANTITY_DECIMALS}}}[0-9]*[1-9]')", M["decimals"],
         args_sql(decimals=str(workbench.QUANTITY_DECIMALS), unit="unit")),
    ]
    base = len(checks)
    parts += [
        f"SELECT row, column_key, count_text, $m{base + i}, {args} FROM clean_counts WHERE {condition}"
        for i, (condition, _m, args) in enumerate(cell_checks)
    ]
    # The same count twice in the file (its whole key): the later ones are duplicates.
    key_columns = ["region_code", "municipality", "kind", "start", *mappings.ATTRIBUTES]
    same = " AND ".join(f"c.{k} IS NOT DISTINCT FROM d.{k}" for k in key_columns)
    parts.append(f"""
        SELECT c.row, c.column_key, c.count_text, $duplicate, {args_sql(row="d.first_row")}
        FROM clean_counts c JOIN (
            SELECT {', '.join(key_columns)}, min(row) AS first_row FROM clean_counts
            WHERE start IS NOT NULL AND NOT period_bad GROUP BY ALL HAVING count(*) > 1
        ) d ON {same}
        WHERE c.row > d.first_row
    """)
    control_columns = [_key(positions, c) for c in mapping.used_columns()]
    found = con.execute("SELECT count(*) FROM kept WHERE regexp_matches(concat("
                        + ", ".join(f"coalesce({c}, '')" for c in control_columns) + "), $control)",
                        {"control": workbench.CONTROL_PATTERN}).fetchall()[0][0]
    if found:
        con.execute("CREATE VIEW control_cells AS SELECT row, " + ", ".join(control_columns) + " FROM kept")
        parts += control_parts(control_columns, "control_cells")
    region_codes = workbench.codes_text(con, "region_alias")
    con.execute(
        "INSERT INTO errors " + " UNION ALL ".join(parts),
        {"today": today, "earliest": refs.jurisdiction.earliest_date, "region_codes": region_codes,
         "duplicate": M["duplicate_count"], "decimal_shown": mapping.decimal_char,
         "group_shown": mapping.group_char,
         **{f"m{i}": c[3] for i, c in enumerate(checks)},
         **{f"m{base + i}": c[1] for i, c in enumerate(cell_checks)},
         **({"control": workbench.CONTROL_PATTERN, "control_message": workbench.CONTROL_MESSAGE} if found else {})},
    ).fetchall()
    if found:
        only_control_reason(con)
    return []


def tallies(con: duckdb.DuckDBPyConnection) -> tuple[int, int, int]:
    """Rows skipped by the mapping's rules, counts read (cells with a number or text), counts of 0."""
    skipped = con.execute("SELECT count(*) FROM skipped").fetchall()[0][0]
    read, zeros = con.execute("SELECT count(*), count(*) FILTER (quantity_value = 0) FROM clean_counts").fetchall()[0]
    return skipped, read, zeros


KEY_COLUMNS = ("region_code", "municipality", "period", "seized_on", "category", "unit", "weapon_type", "context",
               *mappings.TRACING)
FILE_KEYS = sa.Table(
    "import_count_keys",
    sa.MetaData(),
    sa.Column("file_row", sa.BigInteger),
    sa.Column("column_key", sa.String),
    *(sa.Column(c.name, c.type) for c in schema.seizures.c if c.name in KEY_COLUMNS),
    prefixes=["TEMPORARY"],
)


def _valid_counts(stored_only: bool = True) -> str:
    return ("SELECT * FROM clean_counts WHERE row NOT IN (SELECT row FROM errors)"
            + (" AND quantity_value > 0" if stored_only else ""))


def store_duplicates(con: duckdb.DuckDBPyConnection, conn: sa.Connection) -> None:
    """Add an error for each count whose key (region, period, category, unit, weapon type, context, tracing) is
    already stored by another import, naming it."""
    keys = con.sql(f"""
        SELECT row AS file_row, column_key, region_code, municipality, kind AS period, start AS seized_on,
               {', '.join(mappings.ATTRIBUTES)}
        FROM ({_valid_counts()})
    """).to_arrow_table()
    if keys.num_rows == 0:
        return
    s, k, i = schema.seizures, FILE_KEYS, schema.imports
    FILE_KEYS.create(conn)
    store.insert_frame(conn, FILE_KEYS, keys)
    exact = [s.c[c] == k.c[c] for c in ("period", "seized_on", "category", "unit")]
    loose = [s.c[c].is_not_distinct_from(k.c[c]) for c in KEY_COLUMNS if c not in ("period", "seized_on", "category",
                                                                                     "unit")]
    matches = conn.execute(
        sa.select(k.c.file_row, k.c.column_key, sa.func.min(s.c.import_id).label("import_id"))
        .join_from(k, s, sa.and_(*exact, *loose))
        .group_by(k.c.file_row, k.c.column_key)
    ).all()
    FILE_KEYS.drop(conn)
    if not matches:
        return
    names = dict(conn.execute(sa.select(i.c.id, i.c.file_name).where(
        i.c.id.in_({m.import_id for m in matches if m.import_id is not None}))).all())
    stored = pd.DataFrame({"file_row": [m.file_row for m in matches], "column_key": [m.column_key for m in matches],
                           "args": [json.dumps({"import_id": str(m.import_id), "file": names.get(m.import_id, "?")},
                                               ensure_ascii=False) for m in matches]})
    con.register("stored_matches", stored)
    con.execute("""
        INSERT INTO errors
        SELECT c.row, c.column_key, c.count_text, $message, m.args
        FROM clean_counts c JOIN stored_matches m ON c.row = m.file_row AND c.column_key = m.column_key
    """, {"message": M["stored_count"]}).fetchall()
    con.unregister("stored_matches")


def _rows_sql() -> str:
    return f"""
        SELECT start AS seized_on, region_code, municipality, category, weapon_type, quantity_value AS quantity, unit,
               context, NULL::VARCHAR AS case_ref, $source AS source, false AS illustrative,
               $import_id::BIGINT AS import_id, kind AS period, {', '.join(mappings.TRACING)}
        FROM ({_valid_counts()}) ORDER BY row, column_key
    """


def preview(con: duckdb.DuckDBPyConnection, rows: int) -> pd.DataFrame:
    """The first counts as they would be stored (the valid ones, not the zeros)."""
    return con.execute(_rows_sql() + f" LIMIT {int(rows)}", {"source": "", "import_id": None}).df()


def write(conn: sa.Connection, con: duckdb.DuckDBPyConnection, result, user: str, digest: str,
          audit) -> tuple[int, int]:
    """The audit row, then the counts (not the zeros) of the valid rows; (import id, rows stored)."""
    import_id = audit(conn, result, user, digest)
    source = f"Imported from {result.file_name} (mapping {result.mapping})"[:300]
    rows = con.sql(_rows_sql(), params={"source": source, "import_id": import_id})
    written = store.insert_frame(conn, schema.seizures, rows.to_arrow_reader(WRITE_BATCH_ROWS))
    summary.added(conn, import_id)
    return import_id, written
