"""Column mappings: how a count table laid out by someone else (a column per weapon type, a district column, a year
and a month column, totals rows) becomes counts by period, saved to be used again.

A mapping is described as a Frictionless Data resource descriptor (https://specs.frictionlessdata.io/): the dialect
(delimiter, header row, encoding) and the schema's fields (types, decimalChar, groupChar, missingValues) are the
standard's own properties, and what each column means here is the custom property "seizures:mapping". The
`frictionless` package checks the standard part; `check()` below checks ours. A mapping is kept in the store (table
`import_mappings`) and as a small `.mapping.json` file that can be exported, sent and imported elsewhere.

    {"name": "district-monthly", "path": "district-monthly.csv", "format": "csv", "encoding": "windows-1250",
     "dialect": {"header": true, "headerRows": [1], "csv": {"delimiter": ";"}},
     "schema": {"fields": [{"name": "Year", "type": "integer"}, ...,
                           {"name": "Pistols", "type": "number", "decimalChar": ",", "groupChar": "."}],
                "missingValues": ["", "-"]},
     "seizures:mapping": {
        "region": {"column": "District", "match": "municipality", "empty": "skip"},
        "period": {"kind": "month", "year": "Year", "month": "Month"},
        "values": [{"column": "Pistols", "category": "firearm", "unit": "pieces", "weapon_type": "pistol"}, ...],
        "columns": {}, "constants": {"context": "other"},
        "skip": [{"column": "District", "values": ["Total", "Ukupno"]}]}}
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from seizures import schema, store

CUSTOM = "seizures:mapping"
SUFFIX = ".mapping.json"
NAME_PATTERN = re.compile(r"^[a-z0-9][-a-z0-9._]{0,99}$")  # Frictionless's resource name, at most 100 characters
PERIOD_KINDS = ("month", "quarter", "year")
# A period written in one column: its format -> the kind of period it gives (None: the mapping says; a date).
PERIOD_FORMATS = {"YYYY-MM": "month", "MM.YYYY": "month", "YYYYQn": "quarter", "YYYY": "year",
                  "YYYY-MM-DD": None, "DD.MM.YYYY": None, "auto": None}
REGION_MATCHES = ("region", "municipality")  # a region by code or name; a municipality (district) of a region
EMPTY_REGION = ("refuse", "skip", "whole")  # a row without a region: a problem, skipped, or the whole jurisdiction
CODED = ("category", "unit", "weapon_type", "context")
TRACING = ("marked", "trace_requested_on", "trace_result", "origin_how", "manufacture_country", "import_country",
           "legal_basis", "criminal_context", "significant")
ATTRIBUTES = CODED + TRACING
DELIMITERS = (",", ";", "\t", "|")
ENCODINGS = ("utf-8", "windows-1250", "windows-1252", "utf-16")
DECIMAL_CHARS = (".", ",")
GROUP_CHARS = ("", ",", ".", " ", "\u00a0", "'")


class MappingError(ValueError):
    """A mapping that cannot be used: the message says what and where."""


@dataclass(frozen=True)
class RegionSpec:
    column: str
    match: str = "region"
    empty: str = "refuse"


@dataclass(frozen=True)
class PeriodSpec:
    kind: str | None  # month | quarter | year; None with format "auto" (each value says)
    year: str | None = None
    month: str | None = None
    quarter: str | None = None
    column: str | None = None
    format: str | None = None

    def columns(self) -> list[str]:
        return [c for c in (self.year, self.month, self.quarter, self.column) if c]


@dataclass(frozen=True)
class ValueColumn:
    """A column of counts, and what each of its numbers counts (attribute -> code or label)."""

    column: str
    attributes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SkipRule:
    """Rows to leave out: the column's value is one of `values` (compared folded), or it is empty."""

    column: str
    values: tuple[str, ...] = ()
    empty: bool = False


@dataclass(frozen=True)
class Mapping:
    name: str
    period: PeriodSpec
    values: tuple[ValueColumn, ...]
    region: RegionSpec | None = None  # None: every count is of the whole jurisdiction
    columns: tuple[tuple[str, str], ...] = ()  # attribute -> the file's column giving it on each row
    constants: tuple[tuple[str, str], ...] = ()  # attribute -> the same value on every row
    skip: tuple[SkipRule, ...] = ()
    title: str | None = None
    path: str = "counts.csv"  # the file it was made for (a note: any file of the same layout may use it)
    delimiter: str | None = None  # None: recognised from the header line
    encoding: str | None = None  # None: recognised (UTF-8, UTF-16, Windows-1250/1252)
    header_row: int = 1
    decimal_char: str = "."
    group_char: str = ""
    missing_values: tuple[str, ...] = ("",)

    def used_columns(self) -> list[str]:
        """Every column of the file the mapping reads, once, in a stable order."""
        names = [*(self.region.column for _ in [0] if self.region), *self.period.columns(),
                 *(column for _, column in self.columns), *(v.column for v in self.values),
                 *(rule.column for rule in self.skip)]
        return list(dict.fromkeys(names))


# --- the descriptor ---------------------------------------------------------------------------------------------


def _field(name: str, kind: str, mapping: Mapping) -> dict:
    out = {"name": name, "type": kind}
    if kind == "number":
        out["decimalChar"] = mapping.decimal_char
        if mapping.group_char:
            out["groupChar"] = mapping.group_char
    return out


def to_descriptor(mapping: Mapping) -> dict:
    """The mapping as a Frictionless resource descriptor (a dict ready for JSON)."""
    types = {column: "string" for column in mapping.used_columns()}
    for column in (mapping.period.year, mapping.period.month, mapping.period.quarter):
        if column and column != mapping.period.column:
            types[column] = "integer" if column != mapping.period.quarter else "string"
    for value in mapping.values:
        types[value.column] = "number"
    dialect: dict = {"header": True, "headerRows": [mapping.header_row]}
    if mapping.delimiter:
        dialect["csv"] = {"delimiter": mapping.delimiter}
    custom: dict = {
        "region": None if mapping.region is None else
        {"column": mapping.region.column, "match": mapping.region.match, "empty": mapping.region.empty},
        "period": {k: v for k, v in (("kind", mapping.period.kind), ("year", mapping.period.year),
                                     ("month", mapping.period.month), ("quarter", mapping.period.quarter),
                                     ("column", mapping.period.column), ("format", mapping.period.format)) if v},
        "values": [{"column": v.column, **dict(v.attributes)} for v in mapping.values],
        "columns": dict(mapping.columns),
        "constants": dict(mapping.constants),
        "skip": [{"column": r.column, **({"values": list(r.values)} if r.values else {}),
                  **({"empty": True} if r.empty else {})} for r in mapping.skip],
    }
    descriptor = {"name": mapping.name, "type": "table", "path": mapping.path, "format": "csv",
                  "mediatype": "text/csv"}
    if mapping.title:
        descriptor["title"] = mapping.title
    if mapping.encoding:
        descriptor["encoding"] = mapping.encoding
    descriptor["dialect"] = dialect
    descriptor["schema"] = {"fields": [_field(name, kind, mapping) for name, kind in types.items()],
                            "missingValues": list(mapping.missing_values)}
    descriptor[CUSTOM] = custom
    return descriptor


def to_json(mapping: Mapping) -> str:
    return json.dumps(to_descriptor(mapping), ensure_ascii=False, indent=2) + "\n"


def _text(value, where: str, required: bool = True) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise MappingError(f"{where}: expected a column name or a value (text), found {json.dumps(value)}")
    return value.strip()


def _pairs(value, where: str) -> tuple[tuple[str, str], ...]:
    if value in (None, {}):
        return ()
    if not isinstance(value, dict):
        raise MappingError(f"{where}: expected an object of attribute: value")
    out = []
    for key, item in value.items():
        if key not in ATTRIBUTES:
            raise MappingError(f"{where}: unknown attribute {key!r}; one of {', '.join(ATTRIBUTES)}")
        out.append((key, _text(item, f"{where}.{key}")))
    return tuple(out)


def from_descriptor(descriptor: dict) -> Mapping:
    """A Mapping from its descriptor, checked by Frictionless (the standard part) and here (the mapping)."""
    from frictionless import Resource  # loaded only where mappings are read

    if not isinstance(descriptor, dict):
        raise MappingError("a mapping is a JSON object (a Frictionless resource descriptor)")
    report = Resource.validate_descriptor(descriptor)
    if not report.valid:
        problems = "; ".join(message for _kind, message in report.flatten(["type", "message"]))
        raise MappingError(f"not a valid Frictionless resource descriptor: {problems}")
    custom = descriptor.get(CUSTOM)
    if not isinstance(custom, dict):
        raise MappingError(f'the descriptor has no "{CUSTOM}" property: it describes a file, not a mapping')
    dialect = descriptor.get("dialect") or {}
    delimiter = (dialect.get("csv") or {}).get("delimiter", dialect.get("delimiter"))
    header_rows = dialect.get("headerRows", [1])
    fields = {f.get("name"): f for f in (descriptor.get("schema") or {}).get("fields", [])}
    numbers = [f for f in fields.values() if f.get("type") in ("number", "integer")]
    decimal = {f.get("decimalChar", ".") for f in numbers if f.get("type") == "number"} or {"."}
    group = {f.get("groupChar", "") for f in numbers if f.get("type") == "number"} or {""}
    if len(decimal) > 1 or len(group) > 1:
        raise MappingError("the count columns must share one decimalChar and one groupChar")
    region = custom.get("region")
    period = custom.get("period")
    if not isinstance(period, dict):
        raise MappingError(f'"{CUSTOM}".period: say which columns give the period')
    values = custom.get("values")
    if not isinstance(values, list) or not values:
        raise MappingError(f'"{CUSTOM}".values: name at least one column of counts')
    mapping = Mapping(
        name=descriptor["name"],
        title=descriptor.get("title"),
        path=descriptor.get("path", "counts.csv"),
        delimiter=delimiter,
        encoding=descriptor.get("encoding"),
        header_row=header_rows[0] if isinstance(header_rows, list) and header_rows else 1,
        decimal_char=decimal.pop(),
        group_char=group.pop(),
        missing_values=tuple((descriptor.get("schema") or {}).get("missingValues", [""])),
        region=None if region is None else RegionSpec(
            column=_text(region.get("column") if isinstance(region, dict) else None, f"{CUSTOM}.region.column"),
            match=region.get("match", "region"), empty=region.get("empty", "refuse")),
        period=PeriodSpec(kind=period.get("kind"), year=period.get("year"), month=period.get("month"),
                          quarter=period.get("quarter"), column=period.get("column"), format=period.get("format")),
        values=tuple(
            ValueColumn(_text(v.get("column") if isinstance(v, dict) else None, f"{CUSTOM}.values[{i}].column"),
                        _pairs({k: x for k, x in v.items() if k != "column"}, f"{CUSTOM}.values[{i}]"))
            for i, v in enumerate(values)),
        columns=_pairs(custom.get("columns"), f"{CUSTOM}.columns"),
        constants=_pairs(custom.get("constants"), f"{CUSTOM}.constants"),
        skip=tuple(
            SkipRule(_text(r.get("column") if isinstance(r, dict) else None, f"{CUSTOM}.skip[{i}].column"),
                     tuple(str(x) for x in r.get("values", [])), bool(r.get("empty", False)))
            for i, r in enumerate(custom.get("skip") or [])),
    )
    check(mapping)
    return mapping


def check(mapping: Mapping) -> None:
    """Raise MappingError naming the first thing wrong with a mapping (the parts Frictionless does not know)."""
    if not NAME_PATTERN.match(mapping.name):
        raise MappingError(f"name {mapping.name!r}: lower-case letters, digits, '-', '.', '_' (at most 100), "
                           "starting with a letter or digit, e.g. district-monthly")
    if "/" in mapping.path or "\\" in mapping.path or ":" in mapping.path:
        raise MappingError(f"path {mapping.path!r}: only the name of the file the mapping was made for")
    if mapping.delimiter is not None and mapping.delimiter not in DELIMITERS:
        raise MappingError(f"delimiter {mapping.delimiter!r}: one of , ; tab |")
    if mapping.encoding is not None and mapping.encoding.lower() not in ENCODINGS:
        raise MappingError(f"encoding {mapping.encoding!r}: one of {', '.join(ENCODINGS)} (or none: recognised)")
    if not isinstance(mapping.header_row, int) or not 1 <= mapping.header_row <= 50:
        raise MappingError("headerRows: the row of the column names, 1 to 50")
    if mapping.decimal_char not in DECIMAL_CHARS:
        raise MappingError(f"decimalChar {mapping.decimal_char!r}: '.' or ','")
    if mapping.group_char not in GROUP_CHARS or mapping.group_char == mapping.decimal_char:
        raise MappingError(f"groupChar {mapping.group_char!r}: none, ',', '.', a space or ', different from the "
                           "decimalChar")
    if mapping.region is not None:
        if mapping.region.match not in REGION_MATCHES:
            raise MappingError(f"region.match {mapping.region.match!r}: one of {', '.join(REGION_MATCHES)}")
        if mapping.region.empty not in EMPTY_REGION:
            raise MappingError(f"region.empty {mapping.region.empty!r}: one of {', '.join(EMPTY_REGION)}")
    p = mapping.period
    if p.column:
        if p.year or p.month or p.quarter:
            raise MappingError("period: either one column (with its format) or year (+ month or quarter) columns")
        if p.format not in PERIOD_FORMATS:
            raise MappingError(f"period.format {p.format!r}: one of {', '.join(PERIOD_FORMATS)}")
        implied = PERIOD_FORMATS[p.format]
        if implied and p.kind not in (None, implied):
            raise MappingError(f"period: the format {p.format} gives a {implied}, not a {p.kind}")
        if p.format in ("YYYY-MM-DD", "DD.MM.YYYY") and p.kind not in PERIOD_KINDS:
            raise MappingError("period.kind: a date column needs the kind of period it stands for "
                               "(month, quarter or year)")
    else:
        if not p.year:
            raise MappingError("period: name the year column (or one column with a format)")
        if p.month and p.quarter:
            raise MappingError("period: a month or a quarter column, not both")
        kind = "month" if p.month else "quarter" if p.quarter else "year"
        if p.kind not in (None, kind):
            raise MappingError(f"period.kind {p.kind!r}: these columns give a {kind}")
    if p.kind is not None and p.kind not in PERIOD_KINDS:
        raise MappingError(f"period.kind {p.kind!r}: one of {', '.join(PERIOD_KINDS)}")
    seen: dict[str, str] = {}
    for where, pairs in (("columns", mapping.columns), ("constants", mapping.constants)):
        for attribute, _value in pairs:
            if attribute in seen:
                raise MappingError(f"{attribute} is given twice (in {seen[attribute]} and {where})")
            seen[attribute] = where
    names = [v.column for v in mapping.values]
    if len(set(names)) != len(names):
        raise MappingError("a column of counts is named twice in values")
    for value in mapping.values:
        attributes = dict(value.attributes)
        for attribute in attributes:
            if attribute in seen:
                raise MappingError(f"values[{value.column}].{attribute}: already given in {seen[attribute]}")
        for attribute in ("category", "unit"):
            if attribute not in attributes and attribute not in seen:
                raise MappingError(f"values[{value.column}]: say which {attribute} it counts "
                                   "(or give it in constants or columns)")
    used_as_key = {c for c in [*(mapping.region.column for _ in [0] if mapping.region), *p.columns()]}
    clash = used_as_key & set(names)
    if clash:
        raise MappingError(f"{', '.join(sorted(clash))}: a column cannot be both a count and the region or period")


def with_name(mapping: Mapping, name: str) -> Mapping:
    return replace(mapping, name=name)


def slug(text: str) -> str:
    """A mapping name from what a user typed: lower case, runs of other characters as '-'."""
    return re.sub(r"[^a-z0-9._]+", "-", text.strip().lower()).strip("-._")[:100]


# --- files ---------------------------------------------------------------------------------------------------


def read_json(text: str | bytes, where: str = "the mapping file") -> Mapping:
    try:
        descriptor = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise MappingError(f"{where}: not JSON ({exc})") from exc
    try:
        return from_descriptor(descriptor)
    except MappingError as exc:
        raise MappingError(f"{where}: {exc}") from exc


def read_file(path: Path) -> Mapping:
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise MappingError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if len(text) > 1024 * 1024:
        raise MappingError(f"{path.name}: more than 1 MB; a mapping file is a few KB")
    return read_json(text, path.name)


# --- the store -------------------------------------------------------------------------------------------------


def save(engine: sa.Engine, mapping: Mapping, user: str, replace_existing: bool = False) -> None:
    """Keep a mapping under its name (refused if the name is taken, unless replace_existing)."""
    check(mapping)
    t = schema.import_mappings
    with store.serial_write(engine) as conn:
        exists = conn.execute(sa.select(t.c.name).where(t.c.name == mapping.name)).first()
        if exists and not replace_existing:
            raise MappingError(f"a mapping named {mapping.name!r} is already saved: choose another name, or replace it")
        if exists:
            conn.execute(t.delete().where(t.c.name == mapping.name))
        conn.execute(t.insert().values(name=mapping.name, descriptor=to_json(mapping), saved_by=user,
                                       saved_at=dt.datetime.now()))


def load(engine: sa.Engine | sa.Connection, name: str) -> Mapping:
    t = schema.import_mappings
    if isinstance(engine, sa.Engine):
        with engine.connect() as conn:
            return load(conn, name)
    row = engine.execute(sa.select(t.c.descriptor).where(t.c.name == name)).first()
    if row is None:
        raise MappingError(f"no mapping named {name!r} is saved (see `seizures mappings list`)")
    return read_json(row.descriptor, f"the saved mapping {name!r}")


def listing(engine: sa.Engine) -> pd.DataFrame:
    """name, title, saved_by, saved_at of every saved mapping, by name."""
    t = schema.import_mappings
    with engine.connect() as conn:
        rows = conn.execute(sa.select(t.c.name, t.c.descriptor, t.c.saved_by, t.c.saved_at).order_by(t.c.name)).all()
    titles = []
    for row in rows:
        try:
            titles.append(json.loads(row.descriptor).get("title") or "")
        except json.JSONDecodeError:
            titles.append("")
    return pd.DataFrame({"name": [r.name for r in rows], "title": titles, "saved_by": [r.saved_by for r in rows],
                         "saved_at": [r.saved_at for r in rows]})


def remove(engine: sa.Engine, name: str) -> None:
    t = schema.import_mappings
    with store.serial_write(engine) as conn:
        if conn.execute(t.delete().where(t.c.name == name)).rowcount == 0:
            raise MappingError(f"no mapping named {name!r} is saved")


# --- the built-in layout of a long count file ------------------------------------------------------------------

# A long count file's columns (one row per count): the same names as the record template where they mean the same.
LONG_COLUMNS = {
    "region": ("region", "region_code", "directorate", "regional_directorate"),
    "period": ("period",),
    "quantity": ("quantity", "qty", "count"),
    **{a: (a,) for a in ATTRIBUTES},
    "weapon_type": ("weapon_type", "weapon", "type"),
    "context": ("context", "seizure_context"),
}


def long_counts(header: list[str], normalise) -> Mapping | None:
    """The mapping of a long count file (columns period and quantity, no seized_on), or None if it is not one.
    `normalise` is the importer's header normal form."""
    names = {normalise(h): h for h in header}
    found = {column: next((names[a] for a in aliases if a in names), None) for column, aliases in LONG_COLUMNS.items()}
    if not found["period"] or not found["quantity"] or "seized_on" in names or "date" in names:
        return None
    return Mapping(
        name="long-counts", path="counts.csv",
        region=RegionSpec(found["region"], "region", "whole") if found["region"] else None,
        period=PeriodSpec(kind=None, column=found["period"], format="auto"),
        values=(ValueColumn(found["quantity"]),),
        columns=tuple((a, found[a]) for a in ATTRIBUTES if found[a]),
    )

