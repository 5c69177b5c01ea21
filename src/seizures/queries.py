"""Aggregations computed in the database (GROUP BY), returned as small pandas DataFrames.

Quantities are only added up within one category and unit: firearms in pieces, ammunition in rounds,
explosives in pieces (grenades) or kg. Every function works on an empty store and returns an empty frame.
The totals and measures read the summaries of the lines (summary.py: one row per month, directorate, coded values
and import), not the lines, so they cost the same whatever the number of lines; the records read the lines.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterator

import pandas as pd
import sqlalchemy as sa

from seizures import vocab
from seizures.i18n import N_, _
from seizures.filters import SeizureFilter
from seizures.schema import (
    equipment, event_changes, events, imports, kpi_values, published_totals, regions, roadmap_goals, roadmap_kpis,
    seizure_case_keys, seizure_summary, seizures, trainings,
)

# Published indicator -> the record-level category and unit it is compared with.
PUBLISHED_INDICATORS = {
    "firearms_confiscated": ("firearm", "pieces"),
    "ammunition_rounds": ("ammunition", "rounds"),
}


def _frame(engine: sa.Engine, query: sa.Select) -> pd.DataFrame:
    with engine.connect() as conn:
        result = conn.execute(query)
        frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    if "quantity" in frame:
        frame["quantity"] = frame["quantity"].astype("float64")
    if "lines" in frame:
        frame["lines"] = frame["lines"].astype("int64")
    return frame


def totals_by(engine: sa.Engine, flt: SeizureFilter, *dimensions: str) -> pd.DataFrame:
    """*dimensions, category, unit, quantity and lines (seizure lines, not events) per group."""
    for d in dimensions:
        if d not in DIMENSIONS:
            raise KeyError(d)
    t = seizure_summary
    keys = [t.c[d] for d in (*dimensions, "category", "unit")]
    query = (
        sa.select(*keys, sa.func.sum(t.c.quantity).label("quantity"), sa.func.sum(t.c.lines).label("lines"))
        .where(*flt.conditions(t))
        .group_by(*keys)
        .order_by(*keys)
    )
    return _frame(engine, query)


def totals_by_year(engine: sa.Engine, flt: SeizureFilter) -> pd.DataFrame:
    """year, category, unit, quantity, lines."""
    return totals_by(engine, flt, "year")


def totals_by_region_year(engine: sa.Engine, flt: SeizureFilter) -> pd.DataFrame:
    """region_code, year, category, unit, quantity, lines."""
    return totals_by(engine, flt, "region_code", "year")


def year_over_year(frame: pd.DataFrame, keys: tuple[str, ...] = ("category", "unit")) -> pd.DataFrame:
    """Add previous, change and pct_change (None where there is no previous year) to a by-year frame."""
    out = frame.sort_values([*keys, "year"]).copy()
    previous = out.groupby(list(keys), sort=False)["quantity"].shift(1)
    consecutive = out.groupby(list(keys), sort=False)["year"].shift(1) == out["year"] - 1
    out["previous"] = previous.where(consecutive)
    out["change"] = out["quantity"] - out["previous"]
    out["pct_change"] = out["change"] / out["previous"].where(out["previous"] != 0) * 100
    return out.reset_index(drop=True)


def published(engine: sa.Engine) -> pd.DataFrame:
    """year, indicator, value, qualifier, unit, source."""
    t = published_totals
    return _frame(engine, sa.select(t).order_by(t.c.indicator, t.c.year))


def published_vs_recorded(engine: sa.Engine) -> pd.DataFrame:
    """Each published national figure beside the sum of the record-level lines for that year.

    `consistent` is true when the records equal the figure (exceed it, for "more than" figures).
    """
    pub = published(engine)
    recorded = totals_by_year(engine, SeizureFilter())
    if pub.empty:
        return pub.assign(recorded=pd.Series(dtype="float64"), consistent=pd.Series(dtype="bool"))
    pairs = pd.DataFrame(
        [(k, c, u) for k, (c, u) in PUBLISHED_INDICATORS.items()], columns=["indicator", "category", "unit"]
    )
    merged = pub.merge(pairs, on=["indicator", "unit"], how="left").merge(
        recorded[["year", "category", "unit", "quantity"]], on=["year", "category", "unit"], how="left"
    )
    merged = merged.rename(columns={"quantity": "recorded"}).drop(columns=["category"])
    merged["recorded"] = merged["recorded"].fillna(0.0)
    more_than = merged["qualifier"].fillna("") == "more than"
    # "More than N" is matched only by records above N: N itself would contradict the published figure.
    merged["consistent"] = (merged["recorded"] > merged["value"]).where(more_than, merged["recorded"] == merged["value"])
    return merged


def region_list(engine: sa.Engine) -> pd.DataFrame:
    """The regional directorates, in a stable order."""
    return _frame(engine, sa.select(regions).order_by(regions.c.code))


def year_bounds(engine: sa.Engine) -> tuple[int, int] | None:
    """First and last year with a seizure line, or None for an empty store."""
    t = seizure_summary
    with engine.connect() as conn:
        low, high = conn.execute(sa.select(sa.func.min(t.c.year), sa.func.max(t.c.year))).one()
    return (int(low), int(high)) if low is not None else None


def period(engine: sa.Engine, flt: SeizureFilter) -> tuple[int, int] | None:
    """The first and last year a filter selects: its own years, an open edge at the store's first or last year with
    a seizure line; None when an edge is open and the store has no seizure lines (every page and the report)."""
    if flt.year_from is not None and flt.year_to is not None:
        return flt.year_from, flt.year_to
    bounds = year_bounds(engine)
    if bounds is None:
        return None
    return (bounds[0] if flt.year_from is None else flt.year_from), (bounds[1] if flt.year_to is None else flt.year_to)


def month_bounds(engine: sa.Engine) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """First and last (year, month) with a seizure line, or None for an empty store."""
    t = seizure_summary
    key = t.c.year * 100 + t.c.month
    with engine.connect() as conn:
        low, high = conn.execute(sa.select(sa.func.min(key), sa.func.max(key))).one()
    return ((int(low) // 100, int(low) % 100), (int(high) // 100, int(high) % 100)) if low is not None else None


# --- Training, equipment, Roadmap KPIs and provenance (the donor and About pages) ---

def trainings_by_course(engine: sa.Engine) -> pd.DataFrame:
    """course, level, men, women, source: one row per course, basic first."""
    t = trainings
    level_order = sa.case({level: i for i, level in enumerate(vocab.TRAINING_LEVELS)}, value=t.c.level, else_=99)
    query = (
        sa.select(
            t.c.course, t.c.level,
            sa.func.sum(t.c.men).label("men"), sa.func.sum(t.c.women).label("women"),
            sa.func.min(t.c.source).label("source"),
        )
        .group_by(t.c.course, t.c.level)
        .order_by(sa.func.min(level_order), t.c.course)
    )
    frame = _frame(engine, query)
    return frame.astype({"men": "int64", "women": "int64"})


def with_share_of_women(frame: pd.DataFrame, total_label: str = N_("All courses")) -> pd.DataFrame:
    """Add total and share_women (%) to a trainees frame, and a last row summing all courses."""
    out = frame.copy()
    if not out.empty:
        total = {"course": total_label, "men": out["men"].sum(), "women": out["women"].sum()}
        out = pd.concat([out, pd.DataFrame([total])], ignore_index=True)
    out["total"] = out["men"] + out["women"]
    out["share_women"] = out["women"] / out["total"].where(out["total"] != 0) * 100
    return out


def equipment_delivered(engine: sa.Engine) -> pd.DataFrame:
    """item, quantity, recipient, year, source, in the order they were loaded."""
    t = equipment
    query = sa.select(t.c.item, t.c.quantity, t.c.recipient, t.c.year, t.c.source).order_by(t.c.id)
    return _frame(engine, query).astype({"quantity": "int64"})


def contributing_goals(engine: sa.Engine) -> pd.DataFrame:
    """The Roadmap goals the project contributes to: number, title, wording_status, source."""
    g = roadmap_goals
    query = (
        sa.select(g.c.number, g.c.title, g.c.wording_status, g.c.source)
        .where(g.c.project_contributes.is_(sa.true()))
        .order_by(g.c.number)
    )
    return _frame(engine, query)


def contributing_kpis(engine: sa.Engine) -> pd.DataFrame:
    """The Roadmap KPIs the project contributes to.

    number, goal_number, title, definition, unit, wording_status, source.
    """
    k = roadmap_kpis
    query = (
        sa.select(k.c.number, k.c.goal_number, k.c.title, k.c.definition, k.c.unit, k.c.wording_status, k.c.source)
        .where(k.c.project_contributes.is_(sa.true()))
        .order_by(k.c.number)
    )
    return _frame(engine, query).astype({"goal_number": "Int64"})


def kpi_values_in_period(engine: sa.Engine, flt: SeizureFilter) -> pd.DataFrame:
    """KPI values within the filter's years (only the period applies: KPIs are national figures)."""
    v = kpi_values
    query = sa.select(
        v.c.kpi_number, v.c.year, v.c.jurisdiction, v.c.value, v.c.baseline, v.c.target, v.c.unit, v.c.source,
        v.c.illustrative,
    )
    if flt.year_from is not None:
        query = query.where(v.c.year >= flt.year_from)
    if flt.year_to is not None:
        query = query.where(v.c.year <= flt.year_to)
    frame = _frame(engine, query.order_by(v.c.kpi_number, v.c.year))
    return frame.astype({"value": "float64", "baseline": "float64", "target": "float64"})


def data_loads(engine: sa.Engine) -> pd.DataFrame:
    """The imports in force (not rolled back), newest first: file_name, kind, rows_accepted, user_name, imported_at."""
    i = imports
    query = (
        sa.select(i.c.id, i.c.file_name, i.c.kind, i.c.rows_accepted, i.c.user_name, i.c.imported_at)
        .where(i.c.rolled_back_at.is_(None))
        .order_by(i.c.imported_at.desc(), i.c.id.desc())
    )
    return _frame(engine, query)


def data_sources(engine: sa.Engine) -> pd.DataFrame:
    """Every distinct `source` in the store: dataset, source, illustrative, rows."""
    datasets = [
        (N_("Published national totals"), published_totals, sa.false()),
        (N_("Training"), trainings, sa.false()),
        (N_("Equipment"), equipment, sa.false()),
        (N_("Roadmap goals"), roadmap_goals, sa.false()),
        (N_("Roadmap KPIs"), roadmap_kpis, sa.false()),
        (N_("KPI values"), kpi_values, kpi_values.c.illustrative),
        (N_("Seizure records"), seizures, seizures.c.illustrative),
    ]
    parts = [
        sa.select(
            sa.literal(name, sa.String).label("dataset"),
            table.c.source.label("source"),
            sa.cast(illustrative, sa.Boolean).label("illustrative"),
            sa.func.count().label("rows"),
        )
        # PostgreSQL refuses a constant in GROUP BY: group by the flag only where it is a column.
        .group_by(table.c.source, *([illustrative] if isinstance(illustrative, sa.Column) else []))
        for name, table, illustrative in datasets
    ]
    parts.append(
        sa.select(
            sa.literal(N_("Directorate populations"), sa.String).label("dataset"),
            regions.c.population_source.label("source"),
            sa.cast(sa.false(), sa.Boolean).label("illustrative"),
            sa.func.count().label("rows"),
        )
        .where(regions.c.population.is_not(None))
        .group_by(regions.c.population_source)
    )
    frame = _frame(engine, sa.union_all(*parts)).astype({"illustrative": bool, "rows": "int64"})
    dataset_order = frame["dataset"].map({name: i for i, (name, _, _) in enumerate(datasets)}).fillna(len(datasets))
    return (
        frame.assign(order=dataset_order).sort_values(["order", "source"]).drop(columns="order").reset_index(drop=True)
    )


# --- Measures for the dashboard pages ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """A quantity that may be added up: one category in one unit, or seizure events (category None)."""

    key: str
    label: str
    unit: str
    category: str | None = None

    @property
    def title(self) -> str:
        """The axis title, with the unit, in the current language: "Firearms (pieces)"."""
        return f"{_(self.label)} ({_(self.unit)})"


MEASURES_BY_KEY = {
    m.key: m
    for m in (
        Measure("firearms", N_("Firearms"), "pieces", "firearm"),
        Measure("ammunition", N_("Ammunition"), "rounds", "ammunition"),
        Measure("explosives", N_("Explosives"), "kg", "explosive"),
        Measure("devices", N_("Hand grenades and explosive devices"), "pieces", "explosive"),
        Measure("components", N_("Parts and components"), "pieces", "component"),
        Measure("events", N_("Seizure events"), N_("number")),
    )
}
HEADLINE_MEASURES = ("firearms", "ammunition", "explosives", "events")


def measures_for(flt: SeizureFilter) -> list[Measure]:
    """The measures a filter leaves something to count in: seizure events, and each category it lets through."""
    return [m for m in MEASURES_BY_KEY.values() if m.category is None or not flt.categories or m.category in flt.categories]
# Dimensions a measure may be broken down by (whitelist: names come from page code, never from the user).
DIMENSIONS = ("year", "month", "region_code", "category", "weapon_type", "context")


def measure_query(flt: SeizureFilter, measure_key: str, dimensions: tuple[str, ...]) -> sa.Select:
    """SELECT *dimensions, value ... GROUP BY dimensions, for a measure and a filter.

    A seizure event is one case reference (lines without one count as one event each): the summary's events of
    the cases with a single key, plus the count distinct of the other cases (summary.py).
    """
    if not dimensions:
        raise ValueError("a measure needs at least one dimension to group by")
    for d in dimensions:
        if d not in DIMENSIONS:
            raise KeyError(d)
    measure = MEASURES_BY_KEY[measure_key]
    t, c = seizure_summary, seizure_case_keys
    if measure.category is not None:
        keys = [t.c[d] for d in dimensions]
        return (
            sa.select(*keys, sa.func.sum(t.c.quantity).label("value"))
            .where(*flt.conditions(t), t.c.category == measure.category, t.c.unit == measure.unit)
            .group_by(*keys)
            .order_by(*keys)
        )
    parts = sa.union_all(
        sa.select(*(t.c[d] for d in dimensions), sa.func.sum(t.c.events).label("value"))
        .where(*flt.conditions(t)).group_by(*(t.c[d] for d in dimensions)),
        sa.select(*(c.c[d] for d in dimensions), sa.func.count(sa.distinct(c.c.case_ref)).label("value"))
        .where(*flt.conditions(c)).group_by(*(c.c[d] for d in dimensions)),
    ).subquery("events")
    keys = [parts.c[d] for d in dimensions]
    return sa.select(*keys, sa.func.sum(parts.c.value).label("value")).group_by(*keys).order_by(*keys)


def measure_by(engine: sa.Engine, flt: SeizureFilter, measure_key: str, *dimensions: str) -> pd.DataFrame:
    """The measure per group of the dimensions: columns *dimensions, value (float)."""
    frame = _frame(engine, measure_query(flt, measure_key, dimensions))
    # Sums of float columns carry binary noise (68.799999 kg): grams are precise enough.
    frame["value"] = frame["value"].astype("float64").round(3)
    return frame


def headline_figures(engine: sa.Engine, flt: SeizureFilter, first_year: int, last_year: int) -> pd.DataFrame:
    """Per headline measure: the last year's value, the year before's, their change and the period's total.

    Columns: measure, label, unit, year, value, previous, change, pct_change, period_total. The year before is read
    even when it lies outside the selected period, so a one-year period still has a year-over-year change; it is
    None only before the store's first year (a year without matching seizures counts as zero).
    """
    bounds = year_bounds(engine)
    has_previous = bounds is not None and bounds[0] <= last_year - 1
    rows = []
    for key in HEADLINE_MEASURES:
        measure = MEASURES_BY_KEY[key]
        by_year = measure_by(engine, flt.with_years(min(first_year, last_year - 1), last_year), key, "year")
        values = dict(zip(by_year["year"], by_year["value"]))
        value = values.get(last_year, 0.0)
        previous = values.get(last_year - 1, 0.0) if has_previous else None
        rows.append({
            "measure": key, "label": measure.label, "unit": measure.unit, "year": last_year,
            "value": value, "previous": previous,
            "change": None if previous is None else value - previous,
            "pct_change": None if not previous else (value - previous) / previous * 100,
            "period_total": sum(v for y, v in values.items() if y >= first_year),
        })
    return pd.DataFrame(rows)


def recorded_and_published(engine: sa.Engine, flt: SeizureFilter, measure_key: str) -> pd.DataFrame:
    """Per year of the period: the record-level sum for the filter beside the published national figure.

    Columns: year, recorded, published, qualifier (e.g. "more than"); a side without a figure is empty (NaN).
    """
    measure = MEASURES_BY_KEY[measure_key]
    recorded = measure_by(engine, flt, measure_key, "year").rename(columns={"value": "recorded"})
    indicators = [k for k, pair in PUBLISHED_INDICATORS.items() if pair == (measure.category, measure.unit)]
    t = published_totals
    query = sa.select(t.c.year, t.c.value.label("published"), t.c.qualifier).where(t.c.indicator.in_(indicators))
    if flt.year_from is not None:
        query = query.where(t.c.year >= flt.year_from)
    if flt.year_to is not None:
        query = query.where(t.c.year <= flt.year_to)
    published = _frame(engine, query)
    merged = recorded.merge(published, on="year", how="outer").sort_values("year").reset_index(drop=True)
    merged["year"] = merged["year"].astype("int64")
    return merged.astype({"recorded": "float64", "published": "float64"})


def region_summary(
    by_region: pd.DataFrame, region_table: pd.DataFrame, selected: tuple[str, ...], years: int
) -> pd.DataFrame:
    """Each selected directorate's total, its share of the national total and its yearly rate per 100,000.

    by_region: region_code, value for ALL directorates (the national total is their sum). The rate is the yearly
    average over `years` years per 100,000 inhabitants, left empty where no population figure is known.
    Empty when the national total is zero.
    Columns: region_code, name, value, share_pct, population, rate_per_100k, population_remark (the regions table's
    population_note, renamed: a column ending in "_note" beside "population" would read as its suppression note).
    """
    # A protected frame (public mode) has hidden cells missing: its true total is kept in attrs.
    national = by_region.attrs.get("totals", {}).get("value", by_region["value"].sum())
    notes = ["value_note"] if "value_note" in by_region else []
    columns = ["region_code", "name", "value", "share_pct", "population", "rate_per_100k", "population_remark", *notes]
    if not national:
        return pd.DataFrame(columns=columns)
    name = "name" if "name" in region_table else "name_en"  # "name": the directorates' names in the page's language
    table = region_table[["code", name, "population", "population_note"]].rename(
        columns={"code": "region_code", name: "name", "population_note": "population_remark"}
    )
    if selected:
        table = table[table["region_code"].isin(selected)]
    out = table.merge(by_region[["region_code", "value", *notes]], on="region_code", how="left")
    absent = ~out["region_code"].isin(by_region["region_code"])
    out["value"] = out["value"].astype("float64").mask(absent, 0.0)
    if notes:
        out["value_note"] = out["value_note"].fillna("")
    out["share_pct"] = out["value"] / national * 100
    population = pd.to_numeric(out["population"], errors="coerce").astype("float64")
    out["population"] = population
    out["rate_per_100k"] = out["value"] / max(years, 1) / population.where(population > 0) * 100_000
    return out.sort_values("name")[columns].reset_index(drop=True)


def totals_by_category(engine: sa.Engine, flt: SeizureFilter) -> pd.DataFrame:
    """category, unit, quantity, lines."""
    return totals_by(engine, flt)


# --- Records: the filtered lines, sorted and paginated in the database -------------------------------------------

RECORD_COLUMNS = (
    "seized_on", "region_code", "municipality", "category", "weapon_type", "quantity", "unit", "context",
    "case_ref", "source", "illustrative",
)
SORTABLE_COLUMNS = (
    "seized_on", "region_code", "municipality", "category", "weapon_type", "quantity", "context", "case_ref",
)


def records_query(flt: SeizureFilter, sort: str = "seized_on", descending: bool = False) -> sa.Select:
    """The filtered lines in a stable order (sort column, then id); sort must be one of SORTABLE_COLUMNS."""
    if sort not in SORTABLE_COLUMNS:
        raise ValueError(f"cannot sort by {sort!r}: choose one of {', '.join(SORTABLE_COLUMNS)}")
    column, tie = seizures.c[sort], seizures.c.id
    order = (column.desc(), tie.desc()) if descending else (column.asc(), tie.asc())
    return (
        sa.select(*(seizures.c[c] for c in RECORD_COLUMNS))
        .where(*flt.conditions())
        .order_by(order[0].nulls_last(), order[1])
    )


def record_counts(engine: sa.Engine, flt: SeizureFilter) -> tuple[int, int]:
    """How many lines match the filter, and how many of them are illustrative."""
    t = seizure_summary
    query = sa.select(sa.func.coalesce(sa.func.sum(t.c.lines), 0), sa.func.coalesce(sa.func.sum(t.c.illustrative_lines), 0))
    with engine.connect() as conn:
        rows, flagged = conn.execute(query.where(*flt.conditions(t))).one()
    return int(rows), int(flagged)


def records_page(
    engine: sa.Engine, flt: SeizureFilter, sort: str = "seized_on", descending: bool = False,
    limit: int = 50, offset: int = 0,
) -> pd.DataFrame:
    """One page of the filtered lines (LIMIT/OFFSET in the database)."""
    frame = _frame(engine, records_query(flt, sort, descending).limit(limit).offset(offset))
    return frame if not frame.empty else pd.DataFrame(columns=list(RECORD_COLUMNS))


def iter_records(
    engine: sa.Engine, flt: SeizureFilter, sort: str = "seized_on", descending: bool = False, chunk_rows: int = 5000
) -> Iterator[tuple]:
    """Every filtered line as a tuple in RECORD_COLUMNS order, fetched from the database in chunks."""
    with engine.connect() as conn:
        result = conn.execution_options(yield_per=chunk_rows).execute(records_query(flt, sort, descending))
        for partition in result.partitions():
            yield from (tuple(row) for row in partition)


def data_version(engine: sa.Engine) -> tuple[int, int, int]:
    """A cheap stamp that changes whenever seizure lines are imported or rolled back, or an event changes.

    (highest import id, number of rolled-back imports, highest event change id): every import adds an id, every
    rollback a timestamp, every addition, edit or removal of an event an audit row.
    Caches keyed on it show new numbers without a restart.
    """
    last_event = sa.select(sa.func.coalesce(sa.func.max(event_changes.c.id), 0)).scalar_subquery()
    with engine.connect() as conn:
        last, rolled_back, event = conn.execute(
            sa.select(sa.func.coalesce(sa.func.max(imports.c.id), 0), sa.func.count(imports.c.rolled_back_at),
                      last_event)
        ).one()
    return int(last), int(rolled_back), int(event)


# --- Events on the timeline --------------------------------------------------------------------------------------

EVENT_COLUMNS = ("id", "starts_on", "ends_on", "region_code", "kind", "title_en", "title_sq", "title_sr", "source",
                 "url")


def events_in_filter(engine: sa.Engine, flt: SeizureFilter) -> pd.DataFrame:
    """The events that fall in the filter's period (overlap it, a day or a span) and concern its directorates.

    A national event (no directorate) shows for every selection; a directorate's event only when that directorate
    is selected or no directorate filter is set. The other parts of the filter do not apply. Ordered by start.
    Columns: EVENT_COLUMNS (a title per language: events.titles() picks the current language's).
    """
    t = events
    query = sa.select(*(t.c[c] for c in EVENT_COLUMNS))
    if flt.year_to is not None:
        query = query.where(t.c.starts_on < dt.date(flt.year_to + 1, 1, 1))
    if flt.year_from is not None:
        query = query.where(sa.func.coalesce(t.c.ends_on, t.c.starts_on) >= dt.date(flt.year_from, 1, 1))
    if flt.regions:
        query = query.where(sa.or_(t.c.region_code.is_(None), t.c.region_code.in_(flt.regions)))
    frame = _frame(engine, query.order_by(t.c.starts_on, t.c.id))
    return frame if not frame.empty else pd.DataFrame(columns=list(EVENT_COLUMNS))


def event_history(engine: sa.Engine) -> pd.DataFrame:
    """The audit of the events' changes, newest first: id, event_id, action, user_name, changed_at, old_values,
    new_values (JSON texts), note."""
    c = event_changes
    frame = _frame(engine, sa.select(c).order_by(c.c.id.desc()))
    return frame if not frame.empty else pd.DataFrame(columns=[col.name for col in c.c])
