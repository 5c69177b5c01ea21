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

from seizures import coverage, i18n, kpis, queries, reference, tracing, vocab
from seizures.filters import SeizureFilter
from seizures.i18n import _
from seizures.report.texts import TEXT

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
    vocabulary: reference.Vocabulary
    jurisdiction: reference.Jurisdiction | None
    last_load: pd.Series | None  # the newest row of queries.data_loads
    records_illustrative: bool  # any seizure line of the period is illustrative
    trend_illustrative: bool  # any seizure line of the trend's years is
    stored: queries.StoredRows  # queries.record_counts of the period: lines, counts by period, ...
    coverage: coverage.Summary  # coverage.overview of the selection, as the Overview's line
    headline: pd.DataFrame  # queries.headline_figures of queries.headline_keys, as on the Overview
    published: pd.DataFrame  # queries.published
    trends: dict[str, pd.DataFrame]  # measure key -> queries.recorded_and_published over the trend's years
    by_year: dict[str, pd.DataFrame]  # measure key -> queries.measure_by(..., "year"), each measure with records
    by_region: dict[str, pd.DataFrame]  # measure key -> queries.measure_by(..., "region_code")
    shares: pd.DataFrame  # queries.region_summary of the first measure, as the Regions page draws it
    phase: kpis.Phase | None  # the Roadmap phase of the KPIs (default: the one the period's last year falls in)
    kpis: pd.DataFrame  # kpis.kpi_table, as the Roadmap KPIs page shows it for that phase
    kpi_values: pd.DataFrame  # queries.kpi_values_in_period
    tracing: pd.DataFrame  # tracing.funnel_by(..., "year"), as the SDG 16.4.2 and tracing page shows it
    trainings: pd.DataFrame  # queries.with_share_of_women(queries.trainings_by_course)
    equipment: pd.DataFrame  # queries.equipment_delivered
    sources: pd.DataFrame  # queries.data_sources
    generated_on: dt.date = field(default_factory=dt.date.today)
    events: pd.DataFrame = field(default_factory=pd.DataFrame)  # queries.events_in_filter, as the trend charts

    @property
    def period(self) -> str:
        return i18n.period(self.first, self.last)

    @property
    def measures(self) -> list[queries.Measure]:
        """The measures with records in the period, in the pages' order."""
        return [self.measure(key) for key in self.by_region]

    def measure(self, key: str) -> queries.Measure:
        """A measure with its labels in the report's language."""
        return next(m for m in queries.measures(self.vocabulary) if m.key == key)

    @property
    def place(self) -> str:
        """The jurisdiction's name (with its "*" when it carries a note), or a neutral word before one is loaded."""
        return self.jurisdiction.name() if self.jurisdiction else TEXT["no_place"]

    @property
    def kpis_illustrative(self) -> bool:
        return bool(self.kpi_values["illustrative"].any()) if not self.kpi_values.empty else False

    @property
    def trend_years(self) -> tuple[int, int]:
        years = pd.concat([frame["year"] for frame in self.trends.values()])
        return (int(years.min()), int(years.max())) if len(years) else (self.first, self.last)


def report_phase(engine: sa.Engine, last_year: int, code: str | None = None) -> kpis.Phase | None:
    """The Roadmap phase a report shows: the one named, else the one the period's last year falls in (as the
    Roadmap KPIs page picks it); None when the store has no phase."""
    phases = kpis.phases_from(queries.phase_list(engine))
    if code is None:
        return kpis.phase_for(phases, last_year)
    for phase in phases:
        if phase.code == code:
            return phase
    raise ReportError(TEXT["err_phase"].format(code=code, known=", ".join(p.code for p in phases) or "–"))


def collect(engine: sa.Engine, flt: SeizureFilter, phase_code: str | None = None) -> Content:
    """Read what the report shows for a filter and Roadmap phase (None: the one the period's last year falls in), in
    the current language (the names of directorates and courses)."""
    flt = flt.with_open_edges(queries.year_bounds(engine))
    years = queries.period(engine, flt)
    if years is None:
        raise ReportError(TEXT["err_no_period"])
    first, last = years
    regions = queries.region_list(engine)
    regions = regions.assign(name=i18n.region_names(regions))
    vocabulary = reference.read_vocabulary(engine)
    trend_flt = flt if last - first + 1 >= TREND_YEARS else flt.with_years(last - TREND_YEARS + 1, flt.year_to)
    by_region = {m.key: queries.measure_by(engine, flt, m.key, "region_code")
                 for m in queries.measures_for(vocabulary, flt)}
    by_region = {key: frame for key, frame in by_region.items() if not frame.empty}
    shares = pd.DataFrame()
    if by_region:
        key = next(iter(by_region))
        national = queries.measure_by(engine, flt.with_regions(()), key, "region_code")
        shares = queries.region_summary(national, regions, flt.regions, last - first + 1)
    loads = queries.data_loads(engine)
    courses = queries.trainings_by_course(engine)
    courses = courses.assign(course=courses["course"].map(i18n.data_text))  # stored names, translated where known
    phase = report_phase(engine, last, phase_code)
    kpi_list = queries.contributing_kpis(engine, phase.code) if phase else pd.DataFrame(columns=["number"])
    kpi_values = queries.kpi_values_in_period(engine, flt, phase.code if phase else "")
    published = queries.published(engine)
    with_data = queries.measures_with_data(engine, flt.with_years(first - 1, last))
    stored = queries.record_counts(engine, flt)
    return Content(
        flt=flt, first=first, last=last, regions=regions, vocabulary=vocabulary,
        jurisdiction=reference.read_jurisdiction(engine),
        last_load=loads.iloc[0] if not loads.empty else None,
        records_illustrative=stored.illustrative > 0,
        trend_illustrative=queries.record_counts(engine, trend_flt).illustrative > 0,
        stored=stored,
        coverage=coverage.overview(engine, flt),
        headline=queries.headline_figures(engine, flt, first, last, queries.headline_keys(vocabulary, with_data)),
        published=published,
        trends={key: queries.recorded_and_published(engine, trend_flt, key)
                for key in queries.trend_keys(vocabulary, published, with_data)},
        by_year={key: queries.measure_by(engine, flt, key, "year") for key in by_region},
        by_region=by_region,
        shares=shares,
        phase=phase,
        kpis=kpis.kpi_table(kpi_list, kpi_values, phase) if phase else pd.DataFrame(columns=kpis.KPI_TABLE_COLUMNS),
        kpi_values=kpi_values,
        tracing=tracing.funnel_by(engine, flt, "year"),
        trainings=queries.with_share_of_women(courses, TEXT["all_courses"]),
        equipment=queries.equipment_delivered(engine),
        sources=queries.data_sources(engine),
        events=queries.events_in_filter(engine, flt),
    )


# --- Texts from the content ---

def qualifier(value):
    """A published figure's qualifier ("more than") in the report's language."""
    return _(value) if isinstance(value, str) and value else None


def method_points(content: Content) -> list[str]:
    """The methodology's points that apply to what this report holds."""
    keys = ["method_published", "method_records"]
    keys += ["method_counts"] if content.stored.counts else []
    keys += ["method_illustrative"] if content.records_illustrative else []
    keys += ["method_kpis"] if content.kpis_illustrative else []
    return [TEXT[key] for key in (*keys, "method_population", "method_change")]


def title(content: Content) -> str:
    return TEXT["doc_title"].format(place=content.place)


def name_note(content: Content) -> str | None:
    """The note the jurisdiction's name carries ("*This designation is ..."), printed under the title."""
    note = content.jurisdiction.note() if content.jurisdiction else None
    return f"*{note}" if note else None


def coverage_line(content: Content) -> str:
    """The Overview's line on the data's coverage for the selection (coverage.details)."""
    names = {**region_names(content), "": _(reference.WHOLE_JURISDICTION_LABEL)}
    return coverage.details(content.coverage, names, (content.first, content.last))


def phase_name(phase: kpis.Phase | None) -> str:
    """A phase as the report names it: its title and years ("Roadmap ... by 2024 (2018–2024)")."""
    if phase is None:
        return TEXT["no_phase"]
    return f"{phase.title or phase.code} ({phase.span})"


def kpi_titles(content: Content) -> list[str]:
    """"KPI 3: <title>" for each KPI of the table whose title is filled in, marked where its wording is unverified."""
    lines = []
    for row in content.kpis.itertuples():
        if isinstance(row.title, str) and row.title:
            text = TEXT["kpi_title"].format(number=row.number, title=row.title)
            if isinstance(row.definition, str) and row.definition:
                text += f" — {row.definition}"
            lines.append(text if row.wording_status == "confirmed" else f"{text} {TEXT['wording_unverified']}")
    return lines


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
        (TEXT["filter_categories"], listed(flt.categories, content.vocabulary.labels("category"))),
        (TEXT["filter_weapons"], listed(flt.weapon_types, content.vocabulary.labels("weapon_type"))),
        (TEXT["filter_contexts"], listed(flt.contexts, content.vocabulary.labels("context"))),
        (TEXT["filter_phase"], phase_name(content.phase)),
        (TEXT["as_of"], as_of(content)),
        (TEXT["coverage"], coverage_line(content)),
    ]


# --- The tables (shared by the PDF and the workbook) ---

def _single_years(content: Content) -> pd.DataFrame:
    """The published figures of one year each, with their measure key."""
    pub = content.published
    pub = pub[pub["year_from"] == pub["year_to"]]
    return pub.assign(year=pub["year_from"], measure=[queries.measure_key(c, u) for c, u in zip(pub["category"], pub["unit"])])


def published_headline(content: Content) -> pd.DataFrame:
    """Per measure with a published figure of one year: the period's last year, the year before, and the change
    (value None: not published for that year).

    Columns: key, measure, year, value, qualifier, previous_year, previous, previous_qualifier, change, pct_change.
    """
    pub = _single_years(content)
    rows = []
    for key in queries.trend_keys(content.vocabulary, content.published, []):
        series = pub[pub["measure"] == key].set_index("year")
        row = {
            "key": key, "measure": content.measure(key).title, "year": content.last, "value": None,
            "qualifier": None, "previous_year": content.last - 1, "previous": None, "previous_qualifier": None,
            "change": None, "pct_change": None,
        }
        if content.last - 1 in series.index:
            row["previous"], row["previous_qualifier"] = series.loc[content.last - 1, ["value", "qualifier"]]
        if content.last in series.index:
            row["value"], row["qualifier"] = series.loc[content.last, ["value", "qualifier"]]
            if row["previous"] is not None:
                row["change"] = row["value"] - row["previous"]
                row["pct_change"] = row["change"] / row["previous"] * 100 if row["previous"] else None
        rows.append(row)
    frame = pd.DataFrame(rows, columns=["key", "measure", "year", "value", "qualifier", "previous_year", "previous",
                                        "previous_qualifier", "change", "pct_change"])
    for column in ("qualifier", "previous_qualifier"):
        frame[column] = frame[column].where(frame[column].notna() & (frame[column] != ""), None)
    return frame


def records_headline(content: Content) -> pd.DataFrame:
    """The Overview's headline figures: per measure, the period's last year, the year before, the change and (for a
    period of several years) the period's total. Columns: measure, value, previous, change, pct_change[, total]."""
    h = content.headline
    frame = pd.DataFrame({
        "measure": [content.measure(key).title for key in h["measure"]],
        "value": h["value"], "previous": h["previous"], "change": h["change"], "pct_change": h["pct_change"],
    })
    if content.first < content.last:
        frame["total"] = h["period_total"]
    return frame.astype({c: "float64" for c in frame.columns if c != "measure"})


def published_by_year(content: Content) -> pd.DataFrame:
    """The published figures that reach into the trend's years (a span of several years included): year_from,
    year_to, measure (its title), value, qualifier, source, url."""
    first, last = content.trend_years
    pub = content.published
    pub = pub[(pub["year_to"] >= first) & (pub["year_from"] <= last)]
    pub = pub.assign(measure=[content.measure(queries.measure_key(c, u)).title
                              for c, u in zip(pub["category"], pub["unit"])])
    return pub[["year_from", "year_to", "measure", "value", "qualifier", "source", "url"]].reset_index(drop=True)


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


def sdg_table(content: Content) -> pd.DataFrame:
    """SDG indicator 16.4.2 per year of the period, as on the SDG 16.4.2 and tracing page: firearms seized (the
    denominator), origin established (the numerator), the indicator (None: not recorded, never 0 %), and the firearms
    without any tracing field."""
    t = content.tracing
    return pd.DataFrame({
        TEXT["col_year"]: t["year"].astype("int64"),
        TEXT["col_seized"]: t["seized"].astype("float64"),
        TEXT["col_established"]: t["established"].astype("float64"),
        TEXT["col_sdg"]: t["share_pct"].astype("float64").round(1),
        TEXT["col_no_tracing"]: t["not_recorded"].astype("float64"),
    })


def sdg_illustrative(content: Content) -> bool:
    return bool(content.tracing["illustrative_rows"].sum()) if not content.tracing.empty else False


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


def events_table(content: Content) -> pd.DataFrame:
    """The events of the period and directorates, as the pages' trend charts draw them (queries.events_in_filter):
    first and last day, directorate (or national), kind, title in the report's language, source."""
    from seizures import events

    frame = content.events
    if frame.empty:
        return pd.DataFrame(columns=[TEXT[k] for k in ("col_from", "col_to", "col_directorate", "col_kind",
                                                       "col_event", "col_source")])
    names = region_names(content)
    return pd.DataFrame({
        TEXT["col_from"]: [i18n.date(d) for d in frame["starts_on"]],
        TEXT["col_to"]: [i18n.date(d) if isinstance(d, dt.date) else "" for d in frame["ends_on"]],
        TEXT["col_directorate"]: [names.get(c, c) if isinstance(c, str) and c else TEXT["national"]
                                  for c in frame["region_code"]],
        TEXT["col_kind"]: frame["kind"].map(events.kind_label),
        TEXT["col_event"]: events.titles(frame).tolist(),
        TEXT["col_source"]: frame["source"],
    })
