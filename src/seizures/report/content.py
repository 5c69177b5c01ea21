"""What the donor report shows, and the tables the PDF and the workbook print from it.

Every figure is read through the functions the pages use (`queries`, `kpis`), with the filter as the pages hold it:
no SQL here. The tables are DataFrames with their headings in the report's language, so the workbook holds exactly
what the PDF prints.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa

from seizures import i18n, kpis, queries, vocab
from seizures.filters import SeizureFilter
from seizures.i18n import _
from seizures.report.texts import TEXT

# Published indicator -> its label in the report (the category and unit it matches are in queries).
PUBLISHED_LABELS = {"firearms_confiscated": "published_firearms", "ammunition_rounds": "published_rounds"}
TREND_MEASURES = ("firearms", "ammunition")  # the Overview's two trend charts
TREND_YEARS = 6  # a shorter period's trend shows the years before it too, for context


class ReportError(Exception):
    """The report cannot be built: a one-line message for the user."""


@dataclass
class Content:
    """Everything the report shows, read once from the store."""

    flt: SeizureFilter  # as the sidebar holds it: a period edge at the data's first or last year is open
    first: int
    last: int
    regions: pd.DataFrame  # queries.region_list, with `name` in the report's language
    last_load: pd.Series | None  # the newest row of queries.data_loads
    records_illustrative: bool  # any seizure line of the period is illustrative
    trend_illustrative: bool  # any seizure line of the trend's years is
    headline: pd.DataFrame  # queries.headline_figures
    published: pd.DataFrame  # queries.published
    trends: dict[str, pd.DataFrame]  # measure key -> queries.recorded_and_published over the trend's years
    by_year: dict[str, pd.DataFrame]  # measure key -> queries.measure_by(..., "year"), each measure with records
    by_region: dict[str, pd.DataFrame]  # measure key -> queries.measure_by(..., "region_code")
    shares: pd.DataFrame  # queries.region_summary of the first measure, as the Regions page draws it
    kpis: pd.DataFrame  # kpis.kpi_table, as the Roadmap KPIs page shows it
    kpi_values: pd.DataFrame  # queries.kpi_values_in_period
    trainings: pd.DataFrame  # queries.with_share_of_women(queries.trainings_by_course)
    equipment: pd.DataFrame  # queries.equipment_delivered
    sources: pd.DataFrame  # queries.data_sources
    generated_on: dt.date = field(default_factory=dt.date.today)

    @property
    def period(self) -> str:
        return i18n.period(self.first, self.last)

    @property
    def measures(self) -> list[queries.Measure]:
        """The measures with records in the period, in the pages' order."""
        return [queries.MEASURES_BY_KEY[key] for key in self.by_region]

    @property
    def kpis_illustrative(self) -> bool:
        return bool(self.kpi_values["illustrative"].any()) if not self.kpi_values.empty else False

    @property
    def trend_years(self) -> tuple[int, int]:
        years = pd.concat([frame["year"] for frame in self.trends.values()])
        return (int(years.min()), int(years.max())) if len(years) else (self.first, self.last)


def collect(engine: sa.Engine, flt: SeizureFilter) -> Content:
    """Read what the report shows for a filter, in the current language (the names of directorates and courses)."""
    flt = flt.with_open_edges(queries.year_bounds(engine))
    years = queries.period(engine, flt)
    if years is None:
        raise ReportError(TEXT["err_no_period"])
    first, last = years
    regions = queries.region_list(engine)
    regions = regions.assign(name=i18n.region_names(regions))
    trend_flt = flt if last - first + 1 >= TREND_YEARS else flt.with_years(last - TREND_YEARS + 1, flt.year_to)
    by_region = {m.key: queries.measure_by(engine, flt, m.key, "region_code") for m in queries.measures_for(flt)}
    by_region = {key: frame for key, frame in by_region.items() if not frame.empty}
    shares = pd.DataFrame()
    if by_region:
        key = next(iter(by_region))
        national = queries.measure_by(engine, flt.with_regions(()), key, "region_code")
        shares = queries.region_summary(national, regions, flt.regions, last - first + 1)
    loads = queries.data_loads(engine)
    courses = queries.trainings_by_course(engine)
    courses = courses.assign(course=courses["course"].map(i18n.data_text))  # stored names, translated where known
    kpi_values = queries.kpi_values_in_period(engine, flt)
    return Content(
        flt=flt, first=first, last=last, regions=regions,
        last_load=loads.iloc[0] if not loads.empty else None,
        records_illustrative=queries.record_counts(engine, flt)[1] > 0,
        trend_illustrative=queries.record_counts(engine, trend_flt)[1] > 0,
        headline=queries.headline_figures(engine, flt, first, last),
        published=queries.published(engine),
        trends={key: queries.recorded_and_published(engine, trend_flt, key) for key in TREND_MEASURES},
        by_year={key: queries.measure_by(engine, flt, key, "year") for key in by_region},
        by_region=by_region,
        shares=shares,
        kpis=kpis.kpi_table(queries.contributing_kpis(engine), kpi_values),
        kpi_values=kpi_values,
        trainings=queries.with_share_of_women(courses, TEXT["all_courses"]),
        equipment=queries.equipment_delivered(engine),
        sources=queries.data_sources(engine),
    )


# --- Texts from the content ---

def qualifier(value):
    """A published figure's qualifier ("more than") in the report's language."""
    return _(value) if isinstance(value, str) and value else None


def is_filtered(flt: SeizureFilter) -> bool:
    return bool(flt.regions or flt.categories or flt.weapon_types or flt.contexts)


def region_names(content: Content) -> dict[str, str]:
    return dict(zip(content.regions["code"], content.regions["name"]))


def as_of(content: Content) -> str:
    """What "data as of" means here: the time of the newest data load still in force."""
    if content.last_load is None:
        return TEXT["as_of_none"]
    return TEXT["as_of_value"].format(time=i18n.datetime(content.last_load["imported_at"]))


def filter_lines(content: Content) -> list[tuple[str, str]]:
    """The selection as (label, value) lines, and the date of the data."""
    flt = content.flt

    def listed(codes, labels):
        return ", ".join(labels.get(c, c) for c in codes) if codes else TEXT["filter_all"]

    return [
        (TEXT["filter_period"], content.period),
        (TEXT["filter_regions"], listed(flt.regions, region_names(content))),
        (TEXT["filter_categories"], listed(flt.categories, vocab.labels(vocab.CATEGORIES))),
        (TEXT["filter_weapons"], listed(flt.weapon_types, vocab.labels(vocab.WEAPON_TYPES))),
        (TEXT["filter_contexts"], listed(flt.contexts, vocab.labels(vocab.CONTEXTS))),
        (TEXT["as_of"], as_of(content)),
    ]


# --- The tables (shared by the PDF and the workbook) ---

def published_headline(content: Content) -> pd.DataFrame:
    """Per published indicator: the period's last year, the year before, and the change (value None: not published).

    Columns: indicator, measure, year, value, qualifier, previous_year, previous, previous_qualifier, change,
    pct_change.
    """
    pub = content.published.rename(columns={"value": "quantity"})
    pub = pub[pub["indicator"].isin(PUBLISHED_LABELS)]
    yoy = queries.year_over_year(pub, keys=("indicator", "unit")) if not pub.empty else pub
    rows = []
    for indicator, label_key in PUBLISHED_LABELS.items():
        series = yoy[yoy["indicator"] == indicator] if not yoy.empty else yoy
        this = series[series["year"] == content.last] if not series.empty else series
        before = series[series["year"] == content.last - 1] if not series.empty else series
        row = {
            "indicator": indicator, "measure": TEXT[label_key], "year": content.last, "value": None,
            "qualifier": None, "previous_year": content.last - 1, "previous": None, "previous_qualifier": None,
            "change": None, "pct_change": None,
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


def records_headline(content: Content) -> pd.DataFrame:
    """The Overview's headline figures: per measure, the period's last year, the year before, the change and (for a
    period of several years) the period's total. Columns: measure, value, previous, change, pct_change[, total]."""
    h = content.headline
    frame = pd.DataFrame({
        "measure": [f"{_(label)} ({_(unit)})" for label, unit in zip(h["label"], h["unit"])],
        "value": h["value"], "previous": h["previous"], "change": h["change"], "pct_change": h["pct_change"],
    })
    if content.first < content.last:
        frame["total"] = h["period_total"]
    return frame.astype({c: "float64" for c in frame.columns if c != "measure"})


def published_by_year(content: Content) -> pd.DataFrame:
    """The published figures of the trend's years: year, indicator, value, qualifier, unit, source."""
    first, last = content.trend_years
    pub = content.published[content.published["indicator"].isin(PUBLISHED_LABELS)]
    pub = pub[pub["year"].between(first, last)]
    order = pub["indicator"].map(list(PUBLISHED_LABELS).index)
    pub = pub.assign(_order=order).sort_values(["_order", "year"]).drop(columns="_order")
    return pub[["year", "indicator", "value", "qualifier", "unit", "source"]].reset_index(drop=True)


def _by_measure(content: Content, frames: dict[str, pd.DataFrame], key: str) -> pd.DataFrame:
    """One column per measure (its title, with the unit), one row per value of `key`; no record is zero."""
    table = pd.DataFrame(index=pd.Index([], name=key))
    for measure in content.measures:
        table = table.join(frames[measure.key].set_index(key)["value"].rename(measure.title), how="outer")
    return table.fillna(0.0)


def records_by_year_table(content: Content) -> pd.DataFrame:
    """Year x measure of the record-level sums in the period."""
    table = _by_measure(content, content.by_year, "year").sort_index()
    table.index = table.index.astype("int64")
    return table.rename_axis(TEXT["col_year"]).reset_index()


def records_by_region_table(content: Content) -> pd.DataFrame:
    """Directorate x measure of the record-level sums in the period, the largest first (by the first measure)."""
    if not content.by_region:
        return pd.DataFrame({TEXT["col_directorate"]: pd.Series(dtype="object")})
    table = _by_measure(content, content.by_region, "region_code")
    table = table.sort_values(content.measures[0].title, ascending=False, kind="stable")
    names = region_names(content)
    table.index = [names.get(code, code) for code in table.index]
    return table.rename_axis(TEXT["col_directorate"]).reset_index()


def kpi_table(content: Content) -> pd.DataFrame:
    """The Roadmap KPIs page's table: its columns, in its order, with its rounding of the progress (whole percent)."""
    t = content.kpis
    return pd.DataFrame({
        TEXT["col_kpi"]: t["number"].astype("Int64"),
        TEXT["col_goal"]: t["goal_number"].astype("Int64"),
        TEXT["col_status"]: t["status"].map(_),
        TEXT["col_baseline"]: t["baseline"].astype("float64"),
        TEXT["col_target"]: t["target"].astype("float64"),
        TEXT["col_direction"]: t["direction"].map(lambda d: _(d) if isinstance(d, str) else None),
        TEXT["col_latest_year"]: t["latest_year"].astype("Int64"),
        TEXT["col_latest_value"]: t["latest_value"].astype("float64"),
        TEXT["col_progress"]: (pd.to_numeric(t["progress"], errors="coerce") * 100).round(0),
    })


def kpi_illustrative(content: Content) -> list[bool]:
    """Per KPI of the table: whether any of its values in the period is illustrative."""
    values = content.kpi_values
    flagged = set(values.loc[values["illustrative"].astype(bool), "kpi_number"]) if not values.empty else set()
    return [number in flagged for number in content.kpis["number"]]


def training_table(content: Content) -> pd.DataFrame:
    t = content.trainings
    return pd.DataFrame({
        TEXT["col_course"]: t["course"],
        TEXT["col_level"]: [vocab.label(vocab.TRAINING_LEVELS, lv) if isinstance(lv, str) else "" for lv in t["level"]],
        TEXT["col_men"]: t["men"].astype("int64"),
        TEXT["col_women"]: t["women"].astype("int64"),
        TEXT["col_total"]: t["total"].astype("int64"),
        TEXT["col_share_women"]: t["share_women"].astype("float64").round(1),
    })


def equipment_table(content: Content) -> pd.DataFrame:
    t = content.equipment
    return pd.DataFrame({
        TEXT["col_item"]: t["item"].map(i18n.data_text),
        TEXT["col_quantity"]: t["quantity"],
        TEXT["col_recipient"]: t["recipient"].map(i18n.data_text),
        TEXT["col_source"]: t["source"],
    })


def sources_table(content: Content) -> pd.DataFrame:
    t = content.sources
    return pd.DataFrame({
        TEXT["col_dataset"]: t["dataset"].map(_),
        TEXT["col_source"]: t["source"],
        TEXT["col_illustrative"]: t["illustrative"].astype(bool),
        TEXT["col_rows"]: t["rows"].astype("int64"),
    })
