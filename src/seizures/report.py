"""The donor report for a period: a PDF (fpdf2, charts as static images via kaleido) and an Excel workbook.

Both are built from the same tables (`tables()`), so the workbook holds exactly what the PDF shows. Published
figures are real; the record-level figures and the KPI values are illustrative, and every section, table and
page that shows them says so.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from fpdf import FPDF
from fpdf.fonts import FontFace
import sqlalchemy as sa
from plotly.subplots import make_subplots

from seizures import charts, i18n, queries, schema, settings, vocab
from seizures import kpis as kpi_rule
from seizures.i18n import N_, _
from seizures.filters import SeizureFilter

# Every user-visible text of this module, in one place (for translation).
TEXT = i18n.Texts({
    "doc_title": N_("Firearms seizures in Kosovo"),
    "doc_subtitle": N_("Report for {period}"),
    "doc_audience": N_("Kosovo Police seizure statistics and Western Balkans SALW Control Roadmap indicators"),
    "generated": N_("Generated on {date} from the seizure statistics dashboard."),
    "filter_heading": N_("Selection"),
    "filter_period": N_("Period"),
    "filter_regions": N_("Regional directorates"),
    "filter_categories": N_("Categories"),
    "filter_weapons": N_("Weapon types"),
    "filter_contexts": N_("Seizure contexts"),
    "filter_all": N_("all"),
    "data_note_heading": N_("About the data"),
    "data_note": (
        N_("Published national figures (firearms confiscated, ammunition rounds, training and equipment) are real, "
        "as published by Kosovo Police and the CPIAT project. Everything below the national level (by directorate, "
        "weapon type or context) and the Roadmap KPI values are ILLUSTRATIVE: generated demo data that adds up to "
        "the published totals. They are marked as such wherever they appear and must not be quoted as real figures.")
    ),
    "contents_heading": N_("Contents"),
    "footer": N_("Firearms seizure statistics, {period}"),
    "footer_page": N_("Page {page} of {{nb}}"),
    "footer_illustrative": N_("This page shows illustrative (generated) data: not real records. See Methodology."),
    "badge_illustrative": N_("ILLUSTRATIVE DATA: generated, not real records"),
    "badge_published": N_("Published figures"),
    "sec_headline": N_("Headline figures"),
    "sec_trend": N_("Yearly trend"),
    "sec_regions": N_("By regional directorate"),
    "sec_kpis": N_("Roadmap KPIs"),
    "sec_training": N_("Training by gender"),
    "sec_equipment": N_("Equipment delivered"),
    "sec_method": N_("Methodology and provenance"),
    "headline_intro": N_("{year} compared with {previous}. Published national figures:"),
    "headline_records": N_("Record-level totals, {year} compared with {previous} (illustrative; {scope}):"),
    "scope_all": N_("all records"),
    "scope_filtered": N_("records of the selection above"),
    "not_published": N_("not published for {year}"),
    "change_on": N_("{change} ({pct}) on {previous}"),
    "no_previous": N_("no figure for {previous} to compare with"),
    "trend_intro": (
        N_("Published totals (black line, the authoritative series) beside the sums of the record-level lines "
        "(bars, illustrative). Years {first}–{last}; the report period is {period}.")
    ),
    "trend_filtered": N_("The bars count only the records of the selection, so they may differ from the national totals."),
    "regions_intro": N_("Totals of the record-level lines in {period}, by regional directorate (illustrative)."),
    "kpis_intro": (
        N_("The Roadmap KPIs the project contributes to, with the latest value up to {last} (values illustrative; "
        "the KPIs' wording is not available here and is left to be filled in from the Roadmap's monitoring framework).")
    ),
    "training_intro": N_("Officers trained by the CPIAT project (published; year of training not recorded)."),
    "equipment_intro": N_("Equipment delivered by the CPIAT project (published)."),
    "no_records": N_("No records in the selection for this period."),
    "chart_unavailable": N_("Chart not available: {reason}"),
    "method_points": [
        N_("Published figures are entered as published, with their source; a figure given as \"more than N\" is shown "
        "with \"more than\" and the changes computed from it are bounds (< or >)."),
        N_("Record-level lines (by directorate, month, weapon type, context) are illustrative. They are generated with a "
        "fixed seed and split each year's published national total over the directorates, so their yearly sums equal "
        "the published totals for 2020–2023; 2019 and 2024 have no published total and use an illustrative one."),
        N_("Roadmap KPI values are an illustrative series with a 2018 baseline; the KPIs' wording is not public here."),
        N_("Directorate populations are left empty unless a public figure exists (only Prizren's directorate publishes "
        "one), so per-capita rates are not given for the other directorates."),
        N_("Year-over-year change compares a year with the year before; where the previous year has no figure, no "
        "change is given."),
    ],
    "sources_heading": N_("Sources of the figures in this report"),
    "col_measure": N_("Measure"), "col_basis": N_("Basis"), "col_change": N_("Change"), "col_change_pct": N_("Change %"),
    "col_year": N_("Year"), "col_directorate": N_("Directorate"), "col_events": N_("Seizure events"),
    "col_kpi": N_("KPI"), "col_goal": N_("Goal"), "col_baseline": N_("Baseline"), "col_target": N_("Target"),
    "col_latest_year": N_("Latest year"), "col_latest_value": N_("Latest value"), "col_unit": N_("Unit"), "col_status": N_("Status"),
    "col_course": N_("Course"), "col_level": N_("Level"), "col_men": N_("Men"), "col_women": N_("Women"), "col_total": N_("Total"),
    "col_share_women": N_("Women %"), "col_item": N_("Item"), "col_quantity": N_("Quantity"), "col_recipient": N_("Recipient"),
    "col_dataset": N_("Data"), "col_source": N_("Source"), "col_illustrative": N_("Illustrative"), "col_rows": N_("Rows"),
    "col_value": N_("Value"), "col_qualifier": N_("Qualifier"), "col_previous": N_("Previous year"),
    "basis_published": N_("published"), "basis_illustrative": N_("illustrative"),
    "all_courses": N_("All courses"),
    "published_firearms": N_("Firearms confiscated"),
    "published_rounds": N_("Ammunition (rounds)"),
    "legend_published": N_("Published (Kosovo Police)"),
    "legend_records": N_("Record-level sums (illustrative)"),
    "axis_year": N_("Year"),
    "regions_axis": N_("{what} in {period}"),
    "more_than": N_("more than"),
    "yes": N_("yes"), "no": N_("no"),
    "ds_published": N_("Published national totals"), "ds_records": N_("Seizure records"), "ds_kpis": N_("KPI values"),
    "ds_training": N_("Training"), "ds_equipment": N_("Equipment"), "ds_population": N_("Directorate populations"),
    "sheet_about": N_("About"), "sheet_headline": N_("Headline"), "sheet_published": N_("Published totals"),
    "sheet_by_year": N_("Records by year"), "sheet_by_region": N_("Records by directorate"), "sheet_kpis": N_("KPIs"),
    "sheet_training": N_("Training"), "sheet_equipment": N_("Equipment"), "sheet_sources": N_("Sources"),
    "err_no_period": N_("the store has no seizure records: give the period (--year, or --from and --to)"),
    "err_fonts": N_("font {path} not found: install Debian's fonts-dejavu-core (or set SEIZURES_REPORT_FONT_DIR)"),
})

# Published indicator -> its label in the report (the category and unit it matches are in queries).
PUBLISHED_LABELS = {"firearms_confiscated": "published_firearms", "ammunition_rounds": "published_rounds"}
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}
FONT = "DejaVu"
TREND_YEARS = 6  # the trend chart shows at least this many years up to the period's end
IMAGE_WIDTH_PX, IMAGE_HEIGHT_PX, IMAGE_SCALE = 1000, 460, 2
ILLUSTRATIVE_RGB = (213, 94, 0)  # Okabe-Ito vermillion
HEADING_RGB = (0, 114, 178)


class ReportError(Exception):
    """The report cannot be built: a one-line message for the user."""


# --- Reading the store ---

def _read(engine: sa.Engine, query: sa.Select) -> pd.DataFrame:
    with engine.connect() as conn:
        result = conn.execute(query)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def period_of(engine: sa.Engine, flt: SeizureFilter) -> tuple[int, int]:
    """The report's first and last year: the filter's, else the years of the records in the store."""
    bounds = queries.year_bounds(engine)
    first = flt.year_from if flt.year_from is not None else (bounds[0] if bounds else flt.year_to)
    last = flt.year_to if flt.year_to is not None else (bounds[1] if bounds else flt.year_from)
    if first is None or last is None:
        raise ReportError(TEXT["err_no_period"])
    return first, last


def with_status(table: pd.DataFrame, engine: sa.Engine, flt: SeizureFilter) -> pd.DataFrame:
    """The KPI table with each KPI's status from the rule the Roadmap KPIs page shows (kpis.py), unless it has one."""
    if table.empty or "status" in table:
        return table
    rated = kpi_rule.kpi_table(queries.contributing_kpis(engine), queries.kpi_values_in_period(engine, flt))
    return table.merge(rated[["number", "status"]], on="number", how="left")


def kpi_table(engine: sa.Engine, flt: SeizureFilter | None = None) -> pd.DataFrame:
    """The Roadmap KPIs the project contributes to (or that have values), each with its latest value.

    Columns: number, goal_number, title, unit, baseline, target, latest_year, latest_value, illustrative; the
    latest value is the last one up to the filter's last year. A `status` column, when a caller adds one (the KPI
    status rule), is shown by the report as well.
    """
    k, v = schema.roadmap_kpis, schema.kpi_values
    kpis = _read(engine, sa.select(k.c.number, k.c.goal_number, k.c.title, k.c.unit, k.c.project_contributes).order_by(k.c.number))
    query = sa.select(v.c.kpi_number, v.c.year, v.c.value, v.c.baseline, v.c.target, v.c.unit, v.c.illustrative)
    if flt is not None and flt.year_to is not None:
        query = query.where(v.c.year <= flt.year_to)
    values = _read(engine, query.order_by(v.c.kpi_number, v.c.year))
    rows = []
    for kpi in kpis.itertuples():
        series = values[values["kpi_number"] == kpi.number]
        actual = series.dropna(subset=["value"])
        if not kpi.project_contributes and series.empty:
            continue
        last = actual.iloc[-1] if len(actual) else None
        rows.append({
            "number": int(kpi.number),
            "goal_number": kpi.goal_number,
            "title": kpi.title,
            "unit": kpi.unit or (series["unit"].dropna().iloc[-1] if series["unit"].notna().any() else None),
            "baseline": series["baseline"].dropna().iloc[-1] if series["baseline"].notna().any() else None,
            "target": series["target"].dropna().iloc[-1] if series["target"].notna().any() else None,
            "latest_year": int(last["year"]) if last is not None else None,
            "latest_value": float(last["value"]) if last is not None else None,
            "illustrative": bool(series["illustrative"].any()) if len(series) else False,
        })
    columns = ["number", "goal_number", "title", "unit", "baseline", "target", "latest_year", "latest_value", "illustrative"]
    table = pd.DataFrame(rows, columns=columns)
    return table.astype({"goal_number": "Int64", "latest_year": "Int64", "baseline": "float64",
                         "target": "float64", "latest_value": "float64"})


@dataclass
class ReportData:
    """Everything the report shows, read once from the store."""

    flt: SeizureFilter
    first: int
    last: int
    published: pd.DataFrame
    records_by_year: pd.DataFrame  # trend years, filtered by everything but the years
    records_by_region: pd.DataFrame  # the period
    kpis: pd.DataFrame
    trainings: pd.DataFrame
    equipment: pd.DataFrame
    regions: pd.DataFrame
    record_sources: pd.DataFrame
    kpi_sources: pd.DataFrame
    data_first: int | None = None  # the first year with records or a published figure
    generated_on: dt.date = field(default_factory=dt.date.today)

    @property
    def trend_first(self) -> int:
        first = min(self.first, self.last - TREND_YEARS + 1)
        return max(first, min(self.data_first or first, self.first))


def collect(engine: sa.Engine, flt: SeizureFilter) -> ReportData:
    first, last = period_of(engine, flt)
    period = flt.with_years(first, last)
    published = queries.published(engine)
    bounds = queries.year_bounds(engine)
    known_years = [y for y in (bounds[0] if bounds else None, published["year"].min() if not published.empty else None) if y is not None]
    data = ReportData(
        flt=flt, first=first, last=last,
        published=published, data_first=int(min(known_years)) if known_years else None,
        records_by_year=pd.DataFrame(), records_by_region=queries.totals_by_region_year(engine, period),
        kpis=with_status(kpi_table(engine, period), engine, period),
        trainings=_read(engine, sa.select(schema.trainings).order_by(schema.trainings.c.id)),
        equipment=_read(engine, sa.select(schema.equipment).order_by(schema.equipment.c.id)),
        regions=queries.region_list(engine),
        record_sources=_read(engine, sa.select(
            schema.seizures.c.source, schema.seizures.c.illustrative, sa.func.count().label("rows"),
        ).where(*period.conditions()).group_by(schema.seizures.c.source, schema.seizures.c.illustrative)),
        kpi_sources=_read(engine, sa.select(
            schema.kpi_values.c.source, schema.kpi_values.c.illustrative, sa.func.count().label("rows"),
        ).group_by(schema.kpi_values.c.source, schema.kpi_values.c.illustrative)),
    )
    data.records_by_year = queries.totals_by_year(engine, flt.with_years(data.trend_first, last))
    for frame in (data.records_by_year, data.records_by_region):  # sums of single-precision kg stay readable
        frame["quantity"] = frame["quantity"].round(3)
    return data


# --- Formatting ---

def fmt_number(value, decimals: int = 0) -> str:
    """A figure in the report's language (1,473 / 1 473 / 1.473), with a true minus sign."""
    return i18n.number(value, decimals, minus="−")


def fmt_quantity(value) -> str:
    """Whole numbers without decimals, others with one (explosives in kg)."""
    if value is None or pd.isna(value):
        return "–"
    return fmt_number(value, 0 if float(value).is_integer() else 1)


def fmt_signed(value, decimals: int | None = None, suffix: str = "") -> str:
    """+193, −14.5 (decimals None: as fmt_quantity)."""
    if value is None or pd.isna(value):
        return "–"
    return i18n.number(value, decimals, signed=True, minus="−") + suffix


def period_text(first: int, last: int) -> str:
    return i18n.period(first, last)


def category_label(category: str, unit: str) -> str:
    return f"{vocab.label(vocab.CATEGORIES, category)} ({vocab.label(vocab.UNITS, unit)})"


def _names(regions: pd.DataFrame) -> dict[str, str]:
    """Directorate code -> name in the report's language."""
    return dict(zip(regions["code"], i18n.region_names(regions)))


def _percent_suffix() -> str:
    return i18n.percent_sign()


def _qualifier(value):
    """A published figure's qualifier ("more than") in the report's language."""
    return _(value) if isinstance(value, str) and value else value


def _bound(text: str, previous_qualifier, qualifier) -> str:
    """A change computed from a "more than N" figure is a bound."""
    if text == "–":
        return text
    if previous_qualifier == "more than":
        return f"< {text}"
    if qualifier == "more than":
        return f"> {text}"
    return text


# --- The tables (shared by the PDF and the workbook) ---

def headline_published(data: ReportData) -> pd.DataFrame:
    """Per published indicator: the period's last year, the year before, and the change."""
    pub = data.published.rename(columns={"value": "quantity"})
    pub = pub[pub["indicator"].isin(PUBLISHED_LABELS)]
    yoy = queries.year_over_year(pub, keys=("indicator", "unit")) if not pub.empty else pub
    rows = []
    for indicator, label_key in PUBLISHED_LABELS.items():
        series = yoy[yoy["indicator"] == indicator] if not yoy.empty else yoy
        this = series[series["year"] == data.last] if not series.empty else series
        before = series[series["year"] == data.last - 1] if not series.empty else series
        row = {
            "measure": TEXT[label_key], "indicator": indicator, "year": data.last, "value": None, "qualifier": None,
            "previous_year": data.last - 1, "previous": None, "previous_qualifier": None,
            "change": None, "pct_change": None, "basis": TEXT["basis_published"],
        }
        if not before.empty:
            row["previous"], row["previous_qualifier"] = before["quantity"].iloc[0], before["qualifier"].iloc[0]
        if not this.empty:
            r = this.iloc[0]
            row.update(value=r["quantity"], qualifier=r["qualifier"], change=r["change"], pct_change=r["pct_change"])
        rows.append(row)
    frame = pd.DataFrame(rows)
    for column in ("qualifier", "previous_qualifier"):
        frame[column] = frame[column].where(frame[column].notna() & (frame[column] != ""), None)
    return frame


def headline_records(data: ReportData) -> pd.DataFrame:
    """Per category and unit: the record-level sum of the last year, the year before, and the change (illustrative)."""
    frame = data.records_by_year
    if frame.empty:
        return pd.DataFrame(columns=["category", "unit", "measure", "year", "value", "previous_year", "previous",
                                     "change", "pct_change", "basis"])
    yoy = queries.year_over_year(frame)
    rows = []
    for (category, unit), series in yoy.groupby(["category", "unit"], sort=False):
        this = series[series["year"] == data.last]
        if not this.empty:
            value, previous, change, pct = this.iloc[0][["quantity", "previous", "change", "pct_change"]]
        else:  # records the year before but none in the last year: a true zero in the selection
            before = series[series["year"] == data.last - 1]
            previous = before["quantity"].iloc[0] if not before.empty else None
            value, change, pct = 0.0, (-previous if previous is not None else None), (-100.0 if previous else None)
        rows.append({
            "category": category, "unit": unit, "year": data.last, "value": value, "previous_year": data.last - 1,
            "previous": previous, "change": change, "pct_change": pct, "basis": TEXT["basis_illustrative"],
        })
    return _with_measure(pd.DataFrame(rows)).reset_index(drop=True)


def published_by_year(data: ReportData) -> pd.DataFrame:
    pub = data.published[data.published["year"].between(data.trend_first, data.last)]
    pub = pub.sort_values(["indicator", "year"], key=lambda s: s.map(list(PUBLISHED_LABELS).index) if s.name == "indicator" else s)
    return pub[["year", "indicator", "value", "qualifier", "unit", "source"]].reset_index(drop=True)


def _with_measure(frame: pd.DataFrame) -> pd.DataFrame:
    """Add a `measure` label per category and unit, and sort by the vocabulary's category order."""
    order = {c: i for i, c in enumerate(vocab.CATEGORIES)}
    frame = frame.assign(
        measure=[category_label(c, u) for c, u in zip(frame["category"], frame["unit"])],
        _order=frame["category"].map(order).fillna(len(order)),
    )
    return frame.sort_values(["_order", "unit"], kind="stable").drop(columns="_order")


def records_by_year_table(data: ReportData) -> pd.DataFrame:
    """Year x category (unit) of the record-level sums in the period (illustrative)."""
    frame = data.records_by_year[data.records_by_year["year"].between(data.first, data.last)]
    if frame.empty:
        return pd.DataFrame({TEXT["col_year"]: pd.Series(dtype="int64")})
    frame = _with_measure(frame)
    table = frame.pivot_table(index="year", columns="measure", values="quantity", aggfunc="sum", sort=False)
    table = table[list(dict.fromkeys(frame["measure"]))]
    return table.reset_index().rename(columns={"year": TEXT["col_year"]})


def records_by_region_table(data: ReportData) -> pd.DataFrame:
    """Directorate x category (unit) of the record-level sums in the period (illustrative)."""
    frame = data.records_by_region
    names = _names(data.regions)
    if frame.empty:
        return pd.DataFrame({TEXT["col_directorate"]: pd.Series(dtype="object")})
    frame = _with_measure(frame)
    table = frame.pivot_table(index="region_code", columns="measure", values="quantity", aggfunc="sum", sort=False)
    table = table[list(dict.fromkeys(frame["measure"]))].fillna(0.0)
    first = table.columns[0]
    table = table.sort_values(first, ascending=False)
    table.index = [names.get(code, code) for code in table.index]
    return table.reset_index().rename(columns={"index": TEXT["col_directorate"]})


def kpi_report_table(data: ReportData) -> pd.DataFrame:
    columns = {
        "number": TEXT["col_kpi"], "goal_number": TEXT["col_goal"], "baseline": TEXT["col_baseline"],
        "target": TEXT["col_target"], "latest_year": TEXT["col_latest_year"], "latest_value": TEXT["col_latest_value"],
        "unit": TEXT["col_unit"], "status": TEXT["col_status"], "illustrative": TEXT["col_illustrative"],
    }
    present = [c for c in columns if c in data.kpis.columns]
    table = data.kpis[present]
    if "status" in table:
        table = table.assign(status=table["status"].map(_qualifier))
    return table.rename(columns=columns)


def training_table(data: ReportData) -> pd.DataFrame:
    t = data.trainings
    grouped = t.groupby(["course", "level"], sort=False)[["men", "women"]].sum().reset_index()
    grouped["course"] = grouped["course"].map(i18n.data_text)
    if not grouped.empty:
        total = pd.DataFrame([{"course": TEXT["all_courses"], "level": None,
                               "men": grouped["men"].sum(), "women": grouped["women"].sum()}])
        grouped = pd.concat([grouped, total], ignore_index=True)
    grouped["level"] = [vocab.label(vocab.TRAINING_LEVELS, lv) if lv else "" for lv in grouped["level"]]
    grouped["total"] = grouped["men"] + grouped["women"]
    grouped["share_women"] = (grouped["women"] / grouped["total"].where(grouped["total"] != 0) * 100).round(1)
    return grouped.rename(columns={
        "course": TEXT["col_course"], "level": TEXT["col_level"], "men": TEXT["col_men"], "women": TEXT["col_women"],
        "total": TEXT["col_total"], "share_women": TEXT["col_share_women"],
    })


def equipment_table(data: ReportData) -> pd.DataFrame:
    table = data.equipment[["item", "quantity", "recipient", "source"]]
    table = table.assign(item=table["item"].map(i18n.data_text), recipient=table["recipient"].map(i18n.data_text))
    return table.rename(columns={
        "item": TEXT["col_item"], "quantity": TEXT["col_quantity"], "recipient": TEXT["col_recipient"],
        "source": TEXT["col_source"],
    })


def sources_table(data: ReportData) -> pd.DataFrame:
    rows = []
    pub = published_by_year(data)
    for source, part in pub.groupby("source", sort=False):
        rows.append((TEXT["ds_published"], source, False, len(part)))
    for frame, name in ((data.record_sources, TEXT["ds_records"]), (data.kpi_sources, TEXT["ds_kpis"])):
        for r in frame.itertuples():
            rows.append((name, r.source, bool(r.illustrative), int(r.rows)))
    for frame, name in ((data.trainings, TEXT["ds_training"]), (data.equipment, TEXT["ds_equipment"])):
        for source, part in frame.groupby("source", sort=False):
            rows.append((name, source, False, len(part)))
    known = data.regions.dropna(subset=["population"])
    for source, part in known.groupby("population_source", sort=False):
        rows.append((TEXT["ds_population"], source, False, len(part)))
    return pd.DataFrame(rows, columns=[TEXT["col_dataset"], TEXT["col_source"], TEXT["col_illustrative"], TEXT["col_rows"]])


def filter_lines(data: ReportData) -> list[tuple[str, str]]:
    flt = data.flt
    names = _names(data.regions)

    def listed(codes, labels):
        return ", ".join(labels.get(c, c) for c in codes) if codes else TEXT["filter_all"]

    return [
        (TEXT["filter_period"], period_text(data.first, data.last)),
        (TEXT["filter_regions"], listed(flt.regions, names)),
        (TEXT["filter_categories"], listed(flt.categories, vocab.labels(vocab.CATEGORIES))),
        (TEXT["filter_weapons"], listed(flt.weapon_types, vocab.labels(vocab.WEAPON_TYPES))),
        (TEXT["filter_contexts"], listed(flt.contexts, vocab.labels(vocab.CONTEXTS))),
    ]


def is_filtered(flt: SeizureFilter) -> bool:
    return bool(flt.regions or flt.categories or flt.weapon_types or flt.contexts)


# --- Charts (print-sized) ---

def trend_figure(data: ReportData) -> go.Figure:
    """Published totals (line) beside the record-level sums (bars) for firearms and ammunition, by year."""
    panels = [(ind, *queries.PUBLISHED_INDICATORS[ind]) for ind in PUBLISHED_LABELS]
    fig = make_subplots(rows=1, cols=len(panels), subplot_titles=[TEXT[PUBLISHED_LABELS[p[0]]] for p in panels],
                        horizontal_spacing=0.1)
    years = list(range(data.trend_first, data.last + 1))
    for col, (indicator, category, unit) in enumerate(panels, start=1):
        rec = data.records_by_year[(data.records_by_year["category"] == category) & (data.records_by_year["unit"] == unit)]
        rec = rec.set_index("year")["quantity"].reindex(years)
        in_period = [data.first <= y <= data.last for y in years]
        fig.add_trace(go.Bar(
            x=years, y=rec.fillna(0).tolist(), name=TEXT["legend_records"], showlegend=col == 1,
            marker=dict(color=[charts.ILLUSTRATIVE_COLOUR if p else "#CFE8F7" for p in in_period]),
            legendgroup="records",
        ), row=1, col=col)
        pub = data.published[(data.published["indicator"] == indicator) & data.published["year"].between(years[0], years[-1])]
        fig.add_trace(go.Scatter(
            x=pub["year"], y=pub["value"], mode="lines+markers",
            name=TEXT["legend_published"], showlegend=col == 1, legendgroup="published",
            line=dict(color=charts.PUBLISHED_COLOUR, width=2.5), marker=dict(size=9, color=charts.PUBLISHED_COLOUR),
        ), row=1, col=col)
        for year, value, qualifier in zip(pub["year"], pub["value"], pub["qualifier"]):
            fig.add_annotation(x=year, y=value, text=("> " if qualifier == "more than" else "") + fmt_number(value),
                               showarrow=False, yshift=16, bgcolor="rgba(255,255,255,0.85)", font=dict(size=12),
                               row=1, col=col)
        fig.update_xaxes(tickmode="array", tickvals=years, row=1, col=col)
    fig = charts.themed(fig)
    fig.update_layout(bargap=0.35, margin=dict(l=70, r=20, t=90, b=40), legend=dict(y=1.14))
    return fig


def region_figure(data: ReportData) -> go.Figure | None:
    """The period's record-level sums by directorate, for firearms (or the selection's first category)."""
    frame = data.records_by_region
    if frame.empty:
        return None
    firearms = frame[(frame["category"] == "firearm") & (frame["unit"] == "pieces")]
    part = firearms if not firearms.empty else frame[(frame["category"] == frame["category"].iloc[0]) & (frame["unit"] == frame["unit"].iloc[0])]
    category, unit = part["category"].iloc[0], part["unit"].iloc[0]
    sums = part.groupby("region_code")["quantity"].sum().sort_values()
    names = _names(data.regions)
    fig = go.Figure(go.Bar(
        x=sums.values, y=[names.get(c, c) for c in sums.index], orientation="h",
        marker=dict(color=[charts.REGION_COLOURS.get(c, charts.OKABE_ITO[0]) for c in sums.index]),
        text=[fmt_quantity(v) for v in sums.values], textposition="outside", cliponaxis=False,
    ))
    fig = charts.themed(fig, x_title=TEXT["regions_axis"].format(
        what=category_label(category, unit), period=period_text(data.first, data.last)))
    fig.update_layout(margin=dict(l=140, r=60, t=20, b=60), showlegend=False)
    fig.update_xaxes(tickformat=",")
    return fig


def export_png(figures: list[go.Figure], width: int = IMAGE_WIDTH_PX, height: int = IMAGE_HEIGHT_PX,
               scale: float = IMAGE_SCALE) -> list[bytes]:
    """PNG images of the figures, rendered by one headless Chromium (kaleido; MathJax off: nothing is downloaded)."""
    import kaleido

    async def render():
        async with kaleido.Kaleido(mathjax=False) as k:
            return [await k.calc_fig(fig.to_dict(), opts=dict(format="png", width=width, height=height, scale=scale))
                    for fig in figures]

    if not figures:
        return []
    # In a thread of its own, so this also works where an event loop is already running.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, render()).result()


# --- The PDF ---

def _font_dir() -> Path:
    return settings.report_font_dir()


class _ReportPDF(FPDF):
    """The report's fpdf2 document: fonts, headings, badges, tables, footer and illustrative marking."""

    def __init__(self, footer: str):
        super().__init__(format="A4", unit="mm")
        self.footer_text = footer
        self.section_illustrative = False  # the current section shows illustrative data
        self.page_illustrative = False  # the current page shows illustrative data
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=22)
        for style, name in FONT_FILES.items():
            path = _font_dir() / name
            if not path.exists():
                raise ReportError(TEXT["err_fonts"].format(path=path))
            self.add_font(FONT, style, str(path))
        self.set_font(FONT, size=10)
        self.set_title(TEXT["doc_title"])
        self.set_creator("seizures")

    def header(self) -> None:
        self.page_illustrative = self.section_illustrative

    @property
    def width(self) -> float:
        return self.epw

    def footer(self) -> None:
        self.set_y(-17)
        if self.page_illustrative:
            self.set_font(FONT, "B", 8)
            self.set_text_color(*ILLUSTRATIVE_RGB)
            self.cell(0, 4, TEXT["footer_illustrative"], align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, "", 8)
        self.set_text_color(100, 100, 100)
        self.cell(self.width / 2, 5, self.footer_text, align="L")
        self.cell(self.width / 2, 5, TEXT["footer_page"].format(page=self.page_no()), align="R")
        self.set_text_color(0, 0, 0)

    def mark_illustrative(self) -> None:
        self.page_illustrative = True

    def ensure_space(self, height: float) -> None:
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()

    def section(self, title: str, illustrative: bool | None, min_space: float = 40) -> None:
        """A numbered heading with its badge: illustrative data, published figures, or (None) no badge."""
        self.section_illustrative = bool(illustrative)
        self.ensure_space(min_space)
        if illustrative:
            self.mark_illustrative()
        self.ln(3)
        self.set_font(FONT, "B", 15)
        self.set_text_color(*HEADING_RGB)
        self.cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)
        if illustrative is not None:
            self.badge(illustrative)

    def badge(self, illustrative: bool) -> None:
        self.set_font(FONT, "B", 8)
        if illustrative:
            self.set_fill_color(*ILLUSTRATIVE_RGB)
            self.set_text_color(255, 255, 255)
            text = TEXT["badge_illustrative"]
        else:
            self.set_fill_color(230, 230, 230)
            self.set_text_color(40, 40, 40)
            text = TEXT["badge_published"]
        self.cell(self.get_string_width(text) + 4, 5, text, fill=True, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)
        self.ln(2)

    def paragraph(self, text: str, size: float = 10, style: str = "", colour=(0, 0, 0)) -> None:
        self.set_font(FONT, style, size)
        self.set_text_color(*colour)
        self.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)
        self.ln(1.5)

    def data_table(self, frame: pd.DataFrame, formats: dict | None = None, col_widths=None, size: float = 9,
                   illustrative: bool = False) -> None:
        """A DataFrame as a table: text left, numbers right; `formats` maps a column to a formatter.

        An illustrative table flags every page it runs over, whatever the section.
        """
        section_illustrative = self.section_illustrative
        if illustrative:
            self.mark_illustrative()
            self.section_illustrative = True

        formats = formats or {}
        self.set_font(FONT, "", size)
        numeric = [pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c]) for c in frame.columns]
        aligns = tuple("RIGHT" if n else "LEFT" for n in numeric)
        heading = FontFace(emphasis="BOLD", fill_color=(225, 236, 244))
        self.set_draw_color(190, 190, 190)
        self.set_fill_color(255, 255, 255)
        with self.table(col_widths=col_widths, text_align=aligns, headings_style=heading, line_height=size * 0.55,
                        borders_layout="HORIZONTAL_LINES", padding=(1.2, 1.5), width=self.width,
                        cell_fill_color=(246, 246, 246), cell_fill_mode="ROWS") as table:
            row = table.row()
            for column in frame.columns:
                row.cell(str(column))
            for values in frame.itertuples(index=False):
                row = table.row()
                for column, value, is_number in zip(frame.columns, values, numeric):
                    if column in formats:
                        text = formats[column](value)
                    elif isinstance(value, (bool,)):
                        text = TEXT["yes"] if value else TEXT["no"]
                    elif is_number:
                        text = fmt_quantity(value)
                    else:
                        text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
                    row.cell(text)
        self.set_draw_color(0, 0, 0)
        self.section_illustrative = section_illustrative
        self.ln(3)

    def chart_image(self, png: bytes | None, failure: str | None = None) -> None:
        if png is None:
            self.paragraph(TEXT["chart_unavailable"].format(reason=failure), style="I", colour=(120, 120, 120))
            return
        height = self.width * IMAGE_HEIGHT_PX / IMAGE_WIDTH_PX
        self.ensure_space(height + 2)
        self.image(io.BytesIO(png), x=self.l_margin, w=self.width, h=height)
        self.ln(2)


def _headline_box(doc: _ReportPDF, row, x: float, y: float, w: float) -> None:
    doc.set_xy(x, y)
    doc.set_fill_color(245, 247, 250)
    doc.rect(x, y, w, 30, style="F")
    doc.set_xy(x + 3, y + 2)
    doc.set_font(FONT, "", 9)
    doc.cell(w - 6, 5, f"{row.measure}, {row.year}")
    doc.set_xy(x + 3, y + 8)
    if row.value is None or pd.isna(row.value):
        doc.set_font(FONT, "I", 11)
        doc.cell(w - 6, 10, TEXT["not_published"].format(year=row.year))
        return
    qualifier = f"{TEXT['more_than']} " if row.qualifier == "more than" else ""
    doc.set_font(FONT, "B", 20)
    doc.cell(w - 6, 10, qualifier + fmt_number(row.value))
    doc.set_xy(x + 3, y + 20)
    doc.set_font(FONT, "", 9)
    if row.change is None or pd.isna(row.change):
        text = TEXT["no_previous"].format(previous=row.previous_year)
    else:
        text = TEXT["change_on"].format(
            change=_bound(fmt_signed(row.change), row.previous_qualifier, row.qualifier),
            pct=_bound(fmt_signed(row.pct_change, 1, _percent_suffix()), row.previous_qualifier, row.qualifier),
            previous=f"{row.previous_year} ({TEXT['more_than'] + ' ' if row.previous_qualifier == 'more than' else ''}"
                     f"{fmt_number(row.previous)})",
        )
    size = 9
    while size > 6.5 and doc.get_string_width(text) > w - 6:  # longer in some languages: shrink to fit the box
        size -= 0.5
        doc.set_font(FONT, "", size)
    doc.cell(w - 6, 5, text)


def _title_page(doc: _ReportPDF, data: ReportData, contents: list[str]) -> None:
    doc.add_page()
    doc.ln(30)
    doc.set_font(FONT, "B", 26)
    doc.set_text_color(*HEADING_RGB)
    doc.multi_cell(0, 12, TEXT["doc_title"], new_x="LMARGIN", new_y="NEXT")
    doc.set_text_color(0, 0, 0)
    doc.set_font(FONT, "", 16)
    doc.multi_cell(0, 9, TEXT["doc_subtitle"].format(period=period_text(data.first, data.last)), new_x="LMARGIN", new_y="NEXT")
    doc.ln(2)
    doc.paragraph(TEXT["doc_audience"], size=11, colour=(80, 80, 80))
    doc.paragraph(TEXT["generated"].format(date=i18n.date(data.generated_on, "long")), size=9, colour=(80, 80, 80))
    doc.ln(6)
    doc.set_font(FONT, "B", 12)
    doc.cell(0, 7, TEXT["filter_heading"], new_x="LMARGIN", new_y="NEXT")
    for label, value in filter_lines(data):
        doc.set_font(FONT, "B", 10)
        doc.cell(55, 6, label)
        doc.set_font(FONT, "", 10)
        doc.multi_cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")
    doc.ln(6)
    doc.set_fill_color(253, 236, 224)
    doc.set_font(FONT, "B", 11)
    doc.set_text_color(*ILLUSTRATIVE_RGB)
    doc.cell(0, 7, TEXT["data_note_heading"], fill=True, new_x="LMARGIN", new_y="NEXT")
    doc.set_text_color(0, 0, 0)
    doc.set_font(FONT, "", 10)
    doc.multi_cell(0, 5.2, TEXT["data_note"], fill=True, padding=(1, 2, 2, 2), new_x="LMARGIN", new_y="NEXT")
    doc.ln(8)
    doc.set_font(FONT, "B", 12)
    doc.cell(0, 7, TEXT["contents_heading"], new_x="LMARGIN", new_y="NEXT")
    doc.set_font(FONT, "", 10)
    for number, title in enumerate(contents, start=1):
        doc.cell(0, 6, f"{number}. {title}", new_x="LMARGIN", new_y="NEXT")


def _pct(value) -> str:
    return i18n.percent(value)


def build_pdf(engine: sa.Engine, flt: SeizureFilter, lang: str | None = None) -> bytes:
    """The donor report for the filter's period, as PDF bytes, in a language (None: the current one)."""
    with i18n.using(lang):
        return _build_pdf(engine, flt)


def _build_pdf(engine: sa.Engine, flt: SeizureFilter) -> bytes:
    data = collect(engine, flt)
    period = period_text(data.first, data.last)
    figures = [trend_figure(data)]
    regional = region_figure(data)
    if regional is not None:
        figures.append(regional)
    try:
        images, failure = export_png(figures), None
    except Exception as exc:  # noqa: BLE001 - a report without charts beats no report; the reason is printed in it
        images, failure = [None] * len(figures), str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    contents = [TEXT[k] for k in ("sec_headline", "sec_trend", "sec_regions", "sec_kpis", "sec_training",
                                  "sec_equipment", "sec_method")]
    doc = _ReportPDF(TEXT["footer"].format(period=period))
    _title_page(doc, data, contents)

    # Headline figures: published (real), then record-level (illustrative).
    doc.add_page()
    doc.section(f"1. {TEXT['sec_headline']}", illustrative=False)
    doc.paragraph(TEXT["headline_intro"].format(year=data.last, previous=data.last - 1))
    published = headline_published(data)
    y, gap = doc.get_y(), 4
    box_w = (doc.width - gap * (len(published) - 1)) / max(len(published), 1)
    for i, row in enumerate(published.itertuples()):
        _headline_box(doc, row, doc.l_margin + i * (box_w + gap), y, box_w)
    doc.set_xy(doc.l_margin, y + 34)
    doc.badge(illustrative=True)
    doc.mark_illustrative()
    doc.paragraph(TEXT["headline_records"].format(
        year=data.last, previous=data.last - 1,
        scope=TEXT["scope_filtered"] if is_filtered(flt) else TEXT["scope_all"]))
    records = headline_records(data)
    if records.empty:
        doc.paragraph(TEXT["no_records"], style="I")
    else:
        doc.data_table(
            records[["measure", "value", "previous", "change", "pct_change"]].rename(columns={
                "measure": TEXT["col_measure"], "value": str(data.last), "previous": str(data.last - 1),
                "change": TEXT["col_change"], "pct_change": TEXT["col_change_pct"]}),
            formats={TEXT["col_change"]: fmt_signed, TEXT["col_change_pct"]: lambda v: fmt_signed(v, 1, _percent_suffix())},
            col_widths=(50, 22, 22, 22, 22),
        )

    doc.section(f"2. {TEXT['sec_trend']}", illustrative=True, min_space=120)
    doc.paragraph(TEXT["trend_intro"].format(first=data.trend_first, last=data.last, period=period), size=9)
    if is_filtered(flt):
        doc.paragraph(TEXT["trend_filtered"], size=9, style="I")
    doc.chart_image(images[0], failure)

    doc.section(f"3. {TEXT['sec_regions']}", illustrative=True, min_space=120)
    doc.paragraph(TEXT["regions_intro"].format(period=period), size=9)
    by_region = records_by_region_table(data)
    if regional is None:
        doc.paragraph(TEXT["no_records"], style="I")
    else:
        doc.chart_image(images[1], failure)
        doc.data_table(by_region, size=8)

    doc.section(f"4. {TEXT['sec_kpis']}", illustrative=True)
    doc.paragraph(TEXT["kpis_intro"].format(last=data.last), size=9)
    kpi_formats = {TEXT["col_baseline"]: fmt_quantity, TEXT["col_target"]: fmt_quantity,
                   TEXT["col_latest_value"]: fmt_quantity,
                   TEXT["col_latest_year"]: lambda v: "–" if pd.isna(v) else str(int(v)),
                   TEXT["col_goal"]: lambda v: "–" if pd.isna(v) else str(int(v)),
                   TEXT["col_kpi"]: lambda v: str(int(v))}
    kpi_widths = {TEXT["col_kpi"]: 12, TEXT["col_goal"]: 12, TEXT["col_unit"]: 16, TEXT["col_status"]: 26,
                  TEXT["col_illustrative"]: 24}
    kpis = kpi_report_table(data)
    doc.data_table(kpis, formats=kpi_formats, col_widths=tuple(kpi_widths.get(c, 20) for c in kpis.columns))

    doc.section(f"5. {TEXT['sec_training']}", illustrative=False)
    doc.paragraph(TEXT["training_intro"], size=9)
    doc.data_table(training_table(data), formats={TEXT["col_share_women"]: _pct}, col_widths=(66, 24, 16, 18, 16, 20))

    doc.section(f"6. {TEXT['sec_equipment']}", illustrative=False)
    doc.paragraph(TEXT["equipment_intro"], size=9)
    doc.data_table(equipment_table(data).drop(columns=[TEXT["col_source"]]), col_widths=(90, 25, 55))

    doc.section(f"7. {TEXT['sec_method']}", illustrative=None)
    for point in TEXT["method_points"]:
        doc.paragraph(f"• {point}", size=9)
    doc.paragraph(TEXT["sources_heading"], size=10, style="B")
    sources = sources_table(data)
    doc.data_table(sources, size=8, col_widths=(40, 95, 20, 15), illustrative=bool(sources[TEXT["col_illustrative"]].any()))
    return bytes(doc.output())


# --- The workbook ---

def tables(data: ReportData) -> dict[str, pd.DataFrame]:
    """The report's tables by sheet name, each with an explicit basis (published or illustrative)."""
    headline = pd.concat([
        headline_published(data).drop(columns=["indicator"]),
        headline_records(data).drop(columns=["category", "unit"]),
    ], ignore_index=True)
    headline = headline[["measure", "basis", "year", "value", "qualifier", "previous_year", "previous",
                         "previous_qualifier", "change", "pct_change"]].rename(columns={
        "measure": TEXT["col_measure"], "basis": TEXT["col_basis"], "year": TEXT["col_year"],
        "value": TEXT["col_value"], "qualifier": TEXT["col_qualifier"], "previous_year": TEXT["col_previous"],
        "previous": f"{TEXT['col_value']} ({TEXT['col_previous'].lower()})",
        "previous_qualifier": f"{TEXT['col_qualifier']} ({TEXT['col_previous'].lower()})",
        "change": TEXT["col_change"], "pct_change": TEXT["col_change_pct"],
    })
    published = published_by_year(data).rename(columns={
        "year": TEXT["col_year"], "indicator": TEXT["col_measure"], "value": TEXT["col_value"],
        "qualifier": TEXT["col_qualifier"], "unit": TEXT["col_unit"], "source": TEXT["col_source"]})
    published[TEXT["col_measure"]] = published[TEXT["col_measure"]].map(lambda i: TEXT.get(PUBLISHED_LABELS.get(i, ""), i))
    headline[TEXT["col_change_pct"]] = headline[TEXT["col_change_pct"]].astype("float64").round(1)
    for column in (TEXT["col_qualifier"], f"{TEXT['col_qualifier']} ({TEXT['col_previous'].lower()})"):
        headline[column] = headline[column].map(_qualifier)
    published[TEXT["col_qualifier"]] = published[TEXT["col_qualifier"]].map(_qualifier)
    published[TEXT["col_unit"]] = published[TEXT["col_unit"]].map(lambda u: vocab.label(vocab.UNITS, u))
    flag = {TEXT["col_illustrative"]: True}
    return {
        TEXT["sheet_headline"]: headline,
        TEXT["sheet_published"]: published,
        TEXT["sheet_by_year"]: records_by_year_table(data).assign(**flag),
        TEXT["sheet_by_region"]: records_by_region_table(data).assign(**flag),
        TEXT["sheet_kpis"]: kpi_report_table(data),
        TEXT["sheet_training"]: training_table(data),
        TEXT["sheet_equipment"]: equipment_table(data),
        TEXT["sheet_sources"]: sources_table(data),
    }


def build_xlsx(engine: sa.Engine, flt: SeizureFilter, lang: str | None = None) -> bytes:
    """The report's tables as an Excel workbook, one sheet each, after an About sheet, in a language (None: the
    current one)."""
    with i18n.using(lang):
        return _build_xlsx(engine, flt)


def _build_xlsx(engine: sa.Engine, flt: SeizureFilter) -> bytes:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    data = collect(engine, flt)
    about = pd.DataFrame(
        [(TEXT["doc_title"], TEXT["doc_subtitle"].format(period=period_text(data.first, data.last))),
         (TEXT["generated"].format(date=i18n.date(data.generated_on, "long")), ""),
         *filter_lines(data),
         (TEXT["data_note_heading"], TEXT["data_note"]),
         *((TEXT["sec_method"], point) for point in TEXT["method_points"])],
        columns=["", " "],
    )
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        about.to_excel(writer, sheet_name=TEXT["sheet_about"], index=False, header=False)
        for name, frame in tables(data).items():
            frame.to_excel(writer, sheet_name=name[:31], index=False)
        for sheet in writer.book.worksheets:
            for column in sheet.columns:
                width = max(len(str(c.value)) if c.value is not None else 0 for c in column)
                sheet.column_dimensions[get_column_letter(column[0].column)].width = min(max(10, width + 2), 80)
            if sheet.title == TEXT["sheet_about"]:
                sheet["A1"].font = Font(bold=True, size=14)
            else:
                sheet.freeze_panes = "A2"
    return buffer.getvalue()
