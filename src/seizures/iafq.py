"""Tables for the UNODC Illicit Arms Flows Questionnaire (IAFQ) of a year, from the store, as an Excel workbook.

The questionnaire asks, per year: arms seized, found or surrendered by type; the legal basis of the seizure and its
criminal context; significant seizures on a sheet of their own; marking; trace requests and their results; countries
of manufacture and of last legal import. The exact sheet layout of the IAFQ is not confirmed here, so the workbook
follows those topics, one sheet each, and says so: its figures are copied into the official form. Firearms are
counted in pieces (lines and counts by period added up); an empty field is a row "not recorded" of its own, never a
zero, and a sheet lists how many of the year's firearms lack each field. Case references are not exported.
"""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import sqlalchemy as sa
from babel import Locale

from seizures import i18n, queries, reference, spreadsheet, tracing, vocab
from seizures.filters import SeizureFilter
from seizures.i18n import N_, _
from seizures.schema import seizures

# The columns a table may be broken down by (names come from this module, never from the user).
COLUMNS = ("weapon_type", "context", "legal_basis", "criminal_context", "marked", "trace_result", "origin_how",
           "manufacture_country", "import_country")

TEXT = i18n.Texts({
    "title": N_("Tables for the UNODC Illicit Arms Flows Questionnaire (IAFQ), {year}"),
    "jurisdiction": N_("Jurisdiction"),
    "directorates": N_("Regional directorates"),
    "all": N_("all"),
    "as_of": N_("Data as of"),
    "generated": N_("Generated on"),
    "layout": N_("The exact IAFQ sheet layout is not confirmed here: these tables follow the questionnaire's topics "
                 "(arms seized, found or surrendered by type; legal basis; criminal context; significant seizures; "
                 "marking; trace requests and results; countries of manufacture and of last legal import), one sheet "
                 "each. Copy each figure into the official form."),
    "units": N_("Firearms are counted in pieces: record-level lines and counts by period added up. Wherever a field "
                "is empty its firearms are a row \"not recorded\" of their own, never counted as zero; the sheet "
                "\"Not recorded\" says how many of the year's firearms lack each field."),
    "illustrative": N_("ILLUSTRATIVE: {rows} of the year's rows are generated demo data, not real records. Do not "
                       "submit them."),
    "cases": N_("Case references are not exported."),
    "indicator": N_("SDG indicator 16.4.2"),
    "indicator_value": N_("{established} of {seized} firearms with their illicit origin or context established: "
                          "{share}"),
    "indicator_missing": N_("not recorded: no trace result is recorded for the year's {seized} firearms"),
    "coverage": N_("{missing} of the {seized} firearms have no tracing field at all"),
    "no_load": N_("no recorded data load"),
    "yes": N_("yes"), "no": N_("no"), "no_request": N_("no request recorded"),
    "sheet_about": N_("About"), "sheet_categories": N_("By category"), "sheet_types": N_("Firearms by type"),
    "sheet_legal": N_("Legal basis"), "sheet_criminal": N_("Criminal context"),
    "sheet_significant": N_("Significant seizures"), "sheet_marking": N_("Marking"),
    "sheet_requests": N_("Trace requests"), "sheet_results": N_("Trace results"),
    "sheet_how": N_("Origin established how"), "sheet_manufacture": N_("Country of manufacture"),
    "sheet_import": N_("Country of last import"), "sheet_missing": N_("Not recorded"),
    "col_category": N_("Category"), "col_unit": N_("Unit"), "col_quantity": N_("Quantity"), "col_rows": N_("Rows"),
    "col_weapon_type": N_("Weapon type"), "col_total": N_("Total"), "col_firearms": N_("Firearms (pieces)"),
    "col_legal_basis": N_("Legal basis"), "col_criminal_context": N_("Criminal context"), "col_marked": N_("Marking found"),
    "col_request": N_("Trace requested"), "col_result": N_("Trace result"), "col_how": N_("How established"),
    "col_code": N_("ISO code"), "col_country": N_("Country"), "col_field": N_("Field"),
    "col_missing": N_("Firearms without it"), "col_missing_share": N_("Share of the year's firearms (%)"),
    "col_missing_rows": N_("Rows without it"), "col_date": N_("Date"), "col_period": N_("Period of the row"),
    "col_directorate": N_("Directorate"), "col_municipality": N_("Municipality"), "col_context": N_("Seizure context"),
    "col_manufacture": N_("Country of manufacture"), "col_import": N_("Country of last legal import"),
    "col_requested_on": N_("Trace requested on"), "col_illustrative": N_("Illustrative"),
})
FIELD_LABELS = {
    "marked": N_("Marking found"), "trace_requested_on": N_("Trace requested on"),
    "trace_result": N_("Trace result"), "origin_how": N_("How established"),
    "manufacture_country": N_("Country of manufacture"), "import_country": N_("Country of last legal import"),
    "legal_basis": N_("Legal basis"), "criminal_context": N_("Criminal context"),
    "significant": N_("Significant seizure"),
}


def year_filter(year: int, regions: tuple[str, ...] = ()) -> SeizureFilter:
    return SeizureFilter(year_from=year, year_to=year, regions=tuple(regions))


def by_columns(engine: sa.Engine, flt: SeizureFilter, *columns: str, firearms: bool = True) -> pd.DataFrame:
    """*columns (None: not recorded), quantity and rows, per group of the filter's firearms (or of all its rows,
    with category and unit, when firearms is False)."""
    for column in columns:
        if column not in COLUMNS:
            raise KeyError(column)
    s = seizures
    keys = [s.c[c] for c in columns] if firearms else [s.c.category, s.c.unit]
    where = tracing.firearm_conditions(flt) if firearms else flt.conditions(s)
    query = (sa.select(*keys, sa.func.sum(s.c.quantity).label("quantity"), sa.func.count().label("rows"))
             .where(*where).group_by(*keys))
    with engine.connect() as conn:
        result = conn.execute(query)
        frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    frame["quantity"] = frame["quantity"].astype("float64").round(3)
    frame["rows"] = frame["rows"].astype("int64")
    return frame


def missing_fields(engine: sa.Engine, flt: SeizureFilter) -> pd.DataFrame:
    """Per tracing field: the filter's firearms without it (pieces) and the rows without it."""
    s = seizures
    parts = []
    for field in tracing.FIELDS:
        empty = s.c[field].is_(None)
        parts.append(sa.func.coalesce(sa.func.sum(sa.case((empty, s.c.quantity), else_=0.0)), 0.0).label(f"q_{field}"))
        parts.append(sa.func.coalesce(sa.func.sum(sa.case((empty, 1), else_=0)), 0).label(f"r_{field}"))
    with engine.connect() as conn:
        row = conn.execute(sa.select(*parts).where(*tracing.firearm_conditions(flt))).one()._mapping
    return pd.DataFrame({"field": list(tracing.FIELDS),
                         "quantity": [float(row[f"q_{f}"]) for f in tracing.FIELDS],
                         "rows": [int(row[f"r_{f}"]) for f in tracing.FIELDS]})


def significant_rows(engine: sa.Engine, flt: SeizureFilter) -> pd.DataFrame:
    """The filter's rows marked as significant seizures (every category), by date."""
    s = seizures
    columns = ["seized_on", "period", "region_code", "municipality", "category", "weapon_type", "quantity", "unit",
               "context", "legal_basis", "criminal_context", "marked", "trace_requested_on", "trace_result",
               "origin_how", "manufacture_country", "import_country", "illustrative"]
    query = (sa.select(*(s.c[c] for c in columns)).where(*flt.conditions(s), s.c.significant.is_(True))
             .order_by(s.c.seized_on, s.c.id))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).fetchall(), columns=columns)


# --- The workbook's tables, with their headings in the current language ---


def _not_recorded() -> str:
    return _(reference.NOT_RECORDED_LABEL)


def _label(labels: dict[str, str], code) -> str:
    if code is None or (not isinstance(code, str) and pd.isna(code)):
        return _not_recorded()
    return _(labels[code]) if code in labels else str(code)


def _ordered(frame: pd.DataFrame, column: str, order: list) -> pd.DataFrame:
    """Rows in the order of `order` (codes), unknown codes after them, "not recorded" (None) last."""
    rank = {code: i for i, code in enumerate(order)}
    key = frame[column].map(lambda c: len(order) + 1 if c is None or (not isinstance(c, str) and pd.isna(c))
                            else rank.get(c, len(order)))
    return frame.assign(_rank=key).sort_values(["_rank", column], na_position="last").drop(columns="_rank")


def _coded_table(frame: pd.DataFrame, column: str, labels: dict[str, str], heading: str) -> pd.DataFrame:
    frame = _ordered(frame, column, list(labels))
    return pd.DataFrame({heading: [_label(labels, c) for c in frame[column]],
                         TEXT["col_firearms"]: frame["quantity"].to_numpy(), TEXT["col_rows"]: frame["rows"].to_numpy()})


def _country(code, territories: dict[str, str]) -> str:
    if code is None or (not isinstance(code, str) and pd.isna(code)):
        return _not_recorded()
    return territories.get(code, code)


def country_table(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """ISO code, country name (in the current language), firearms, rows; most firearms first, not recorded last."""
    territories = Locale.parse(i18n.babel_locale()).territories
    known = frame[frame[column].notna()].sort_values(["quantity", column], ascending=[False, True])
    frame = pd.concat([known, frame[frame[column].isna()]])
    return pd.DataFrame({TEXT["col_code"]: frame[column].fillna("").to_numpy(),
                         TEXT["col_country"]: [_country(c, territories) for c in frame[column]],
                         TEXT["col_firearms"]: frame["quantity"].to_numpy(), TEXT["col_rows"]: frame["rows"].to_numpy()})


def types_table(frame: pd.DataFrame, vocabulary: reference.Vocabulary) -> pd.DataFrame:
    """Weapon type x seizure context (firearms, pieces), with totals; "not recorded" as a row and a column."""
    if frame.empty:
        return pd.DataFrame({TEXT["col_weapon_type"]: pd.Series(dtype=object), TEXT["col_total"]: pd.Series(dtype=float)})
    weapons = [c for c in vocabulary.codes("weapon_type")] + [None]
    contexts = [c for c in vocabulary.codes("context")] + [None]
    table = frame.assign(weapon_type=frame["weapon_type"].fillna(""), context=frame["context"].fillna("")).pivot_table(
        index="weapon_type", columns="context", values="quantity", aggfunc="sum", fill_value=0.0)
    rows = [w for w in (w if w is not None else "" for w in weapons) if w in table.index]
    rows += [w for w in table.index if w not in rows]
    columns = [c for c in (c if c is not None else "" for c in contexts) if c in table.columns]
    columns += [c for c in table.columns if c not in columns]
    table = table.loc[rows, columns]
    out = pd.DataFrame({TEXT["col_weapon_type"]: [vocabulary.label("weapon_type", w or None) for w in rows]})
    for c in columns:
        out[vocabulary.label("context", c or None)] = table[c].to_numpy()
    out[TEXT["col_total"]] = table.sum(axis=1).to_numpy()
    return out


def tables(engine: sa.Engine, year: int, regions: tuple[str, ...] = ()) -> dict[str, pd.DataFrame]:
    """The workbook's tables by sheet name (the About sheet first), in the current language."""
    flt = year_filter(year, regions)
    vocabulary = reference.read_vocabulary(engine)
    regions_table = queries.region_list(engine)
    names = dict(zip(regions_table["code"], i18n.region_names(regions_table)))
    funnel = tracing.funnel_by(engine, flt)
    total = funnel.iloc[0] if not funnel.empty else None

    categories = by_columns(engine, flt, firearms=False)
    categories = _ordered(categories, "category", vocabulary.codes("category"))
    by_category = pd.DataFrame({
        TEXT["col_category"]: [vocabulary.label("category", c) for c in categories["category"]],
        TEXT["col_unit"]: [vocabulary.label("unit", u) for u in categories["unit"]],
        TEXT["col_quantity"]: categories["quantity"].to_numpy(), TEXT["col_rows"]: categories["rows"].to_numpy(),
    })
    marking = by_columns(engine, flt, "marked")
    marking = _ordered(marking.assign(marked=marking["marked"].map(
        lambda v: None if v is None or pd.isna(v) else ("yes" if v else "no"))), "marked", ["yes", "no"])
    requests = (total if total is not None else pd.Series({"seized": 0.0, "trace_requested": 0.0}))
    results = by_columns(engine, flt, "trace_result")
    how = by_columns(engine, flt, "origin_how")
    significant = significant_rows(engine, flt)
    missing = missing_fields(engine, flt)
    seized = float(total["seized"]) if total is not None else 0.0
    territories = Locale.parse(i18n.babel_locale()).territories

    return {
        TEXT["sheet_about"]: about_table(engine, year, regions, names, total, int(funnel["illustrative_rows"].sum())
                                         if not funnel.empty else 0),
        TEXT["sheet_categories"]: by_category,
        TEXT["sheet_types"]: types_table(by_columns(engine, flt, "weapon_type", "context"), vocabulary),
        TEXT["sheet_legal"]: _coded_table(by_columns(engine, flt, "legal_basis"), "legal_basis", vocab.LEGAL_BASES,
                                          TEXT["col_legal_basis"]),
        TEXT["sheet_criminal"]: _coded_table(by_columns(engine, flt, "criminal_context"), "criminal_context",
                                             vocab.CRIMINAL_CONTEXTS, TEXT["col_criminal_context"]),
        TEXT["sheet_significant"]: pd.DataFrame({
            TEXT["col_date"]: significant["seized_on"].to_numpy(),
            TEXT["col_period"]: significant["period"].to_numpy(),
            TEXT["col_directorate"]: [names.get(c, c) if c else _(reference.WHOLE_JURISDICTION_LABEL)
                                      for c in significant["region_code"]],
            TEXT["col_municipality"]: significant["municipality"].to_numpy(),
            TEXT["col_category"]: [vocabulary.label("category", c) for c in significant["category"]],
            TEXT["col_weapon_type"]: [vocabulary.label("weapon_type", c) for c in significant["weapon_type"]],
            TEXT["col_quantity"]: significant["quantity"].astype("float64").to_numpy(),
            TEXT["col_unit"]: [vocabulary.label("unit", u) for u in significant["unit"]],
            TEXT["col_context"]: [vocabulary.label("context", c) for c in significant["context"]],
            TEXT["col_legal_basis"]: [_label(vocab.LEGAL_BASES, c) for c in significant["legal_basis"]],
            TEXT["col_criminal_context"]: [_label(vocab.CRIMINAL_CONTEXTS, c) for c in significant["criminal_context"]],
            TEXT["col_marked"]: [_label({"yes": N_("yes"), "no": N_("no")},
                                        None if v is None or pd.isna(v) else ("yes" if v else "no"))
                                 for v in significant["marked"]],
            TEXT["col_requested_on"]: significant["trace_requested_on"].to_numpy(),
            TEXT["col_result"]: [_label(vocab.TRACE_RESULTS, c) for c in significant["trace_result"]],
            TEXT["col_how"]: [_label(vocab.ORIGIN_HOW, c) for c in significant["origin_how"]],
            TEXT["col_manufacture"]: [_country(c, territories) for c in significant["manufacture_country"]],
            TEXT["col_import"]: [_country(c, territories) for c in significant["import_country"]],
            TEXT["col_illustrative"]: significant["illustrative"].astype(bool).to_numpy(),
        }),
        TEXT["sheet_marking"]: _coded_table(marking, "marked", {"yes": N_("yes"), "no": N_("no")}, TEXT["col_marked"]),
        TEXT["sheet_requests"]: pd.DataFrame({
            TEXT["col_request"]: [TEXT["yes"], TEXT["no_request"]],
            TEXT["col_firearms"]: [float(requests["trace_requested"]),
                                   round(float(requests["seized"]) - float(requests["trace_requested"]), 3)],
        }),
        TEXT["sheet_results"]: _coded_table(results, "trace_result", vocab.TRACE_RESULTS, TEXT["col_result"]),
        TEXT["sheet_how"]: _coded_table(how, "origin_how", vocab.ORIGIN_HOW, TEXT["col_how"]),
        TEXT["sheet_manufacture"]: country_table(by_columns(engine, flt, "manufacture_country"), "manufacture_country"),
        TEXT["sheet_import"]: country_table(by_columns(engine, flt, "import_country"), "import_country"),
        TEXT["sheet_missing"]: pd.DataFrame({
            TEXT["col_field"]: [_(FIELD_LABELS[f]) for f in missing["field"]],
            TEXT["col_missing"]: missing["quantity"].to_numpy(),
            TEXT["col_missing_share"]: (missing["quantity"] / seized * 100).round(1).to_numpy() if seized else None,
            TEXT["col_missing_rows"]: missing["rows"].to_numpy(),
        }),
    }


def about_table(engine: sa.Engine, year: int, regions: tuple[str, ...], names: dict[str, str],
                total: pd.Series | None, illustrative_rows: int) -> pd.DataFrame:
    """The About sheet: what the workbook is, its selection, the date of its data and what it cannot say."""
    place = reference.read_jurisdiction(engine)
    loads = queries.data_loads(engine)
    as_of = i18n.datetime(loads["imported_at"].iloc[0]) if not loads.empty else TEXT["no_load"]
    if total is None or total["seized"] == 0:
        indicator, coverage = TEXT["indicator_missing"].format(seized=i18n.number(0)), ""
    else:
        seized = i18n.number(total["seized"])
        indicator = (TEXT["indicator_missing"].format(seized=seized) if pd.isna(total["share_pct"]) else
                     TEXT["indicator_value"].format(established=i18n.number(total["established"]), seized=seized,
                                                    share=i18n.percent(total["share_pct"])))
        coverage = TEXT["coverage"].format(missing=i18n.number(total["not_recorded"]), seized=seized)
    lines = [
        (TEXT["title"].format(year=year), ""),
        (TEXT["jurisdiction"], place.name() if place else "–"),
        (TEXT["directorates"], ", ".join(names.get(r, r) for r in regions) if regions else TEXT["all"]),
        (TEXT["as_of"], as_of),
        (TEXT["generated"], i18n.date(dt.date.today(), "long")),
        (TEXT["indicator"], indicator),
        ("", coverage),
        ("", TEXT["layout"]),
        ("", TEXT["units"]),
        ("", TEXT["cases"]),
    ]
    if illustrative_rows:
        lines.append(("", TEXT["illustrative"].format(rows=i18n.number(illustrative_rows))))
    return pd.DataFrame(lines, columns=["", " "])


def workbook(engine: sa.Engine, year: int, regions: tuple[str, ...] = (), lang: str | None = None) -> bytes:
    """The IAFQ tables of a year (and directorates) as an .xlsx file, safe to open in a spreadsheet."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    with i18n.using(lang):
        sheets = tables(engine, year, tuple(regions))
        about = TEXT["sheet_about"]
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name[:31], index=False, header=name != about)
        spreadsheet.no_formulas(writer.book)  # stored text (municipalities, codes) never runs as a formula
        for sheet in writer.book.worksheets:
            for column in sheet.columns:
                width = max(len(str(cell.value)) if cell.value is not None else 0 for cell in column)
                sheet.column_dimensions[get_column_letter(column[0].column)].width = min(max(10, width + 2), 90)
            if sheet.title == about[:31]:
                sheet["A1"].font = Font(bold=True, size=14)
            else:
                sheet.freeze_panes = "A2"
    return buffer.getvalue()
