"""Streamlit helpers shared by the pages: the cached engine, cached queries and the sidebar filter.

This is the only module of the package that imports Streamlit.
"""

from __future__ import annotations

import contextlib
import contextvars
from dataclasses import dataclass
from typing import Callable, Iterator

import pandas as pd
import plotly.graph_objects as go
import sqlalchemy as sa
import streamlit as st

from seizures import export, queries, store, vocab
from seizures.filters import SeizureFilter, from_query_params, to_query_params

ILLUSTRATIVE_NOTE = (
    "Record-level figures (by directorate, month, weapon type, context) are **illustrative**: generated demo data "
    "that adds up to the published national totals. Only the published totals are real."
)


@st.cache_resource(show_spinner=False)
def engine() -> sa.Engine:
    return store.make_engine()


def cached(query_name: str, *args):
    """A query's result, cached per arguments (the filter first, mostly) and data version; query_name is a
    function in seizures.queries.

    Keyed on queries.data_version, so an import or rollback (here or from the CLI) shows without a restart.
    """
    return _cached_query(query_name, data_version(), *args)


_run_data_version: contextvars.ContextVar[tuple[int, int] | None] = contextvars.ContextVar("data_version", default=None)


def data_version() -> tuple[int, int]:
    """Changes with every import and rollback (see queries.data_version); read once per script run (script_run)."""
    return _run_data_version.get() or queries.data_version(engine())


@contextlib.contextmanager
def script_run() -> Iterator[None]:
    """Around each script run (app.py): the store is opened once and its data version read once for the run.

    A DuckDB file stays open for the run (as for one long query), so the connections the run's queries open reuse
    it (about 0.5 ms each instead of 15 ms, see BENCHMARKS.md); between runs it is closed, and a CLI import in
    another process can write. Problems opening the store are left to sidebar_filter to report.
    """
    try:
        db = engine()
        held = db.connect() if store.is_duckdb(db) else contextlib.nullcontext()
    except (store.StoreError, sa.exc.DBAPIError):
        yield
        return
    with held:
        try:
            token = _run_data_version.set(queries.data_version(db))
        except sa.exc.DBAPIError:  # no schema yet
            token = None
        try:
            yield
        finally:
            if token is not None:
                _run_data_version.reset(token)


@st.cache_data(show_spinner=False, ttl=600)
def _cached_query(query_name: str, version: tuple[int, int], *args):
    # `version` is only part of the cache key.
    func: Callable = getattr(queries, query_name)
    return func(engine(), *args)


def empty_state(message: str = "No seizure records match the filters.") -> None:
    st.info(f"{message} Widen the period or clear a filter in the sidebar.", icon="🔍")


def chart_of(data: pd.DataFrame, build: Callable[[pd.DataFrame], go.Figure], name: str) -> None:
    """Draw build(data) with its CSV download, or the empty state when the filter left no data."""
    if data.empty:
        empty_state()
    else:
        chart(build(data), data, name)


def chart(fig, data: pd.DataFrame, name: str) -> None:
    """Draw a figure with a CSV download of exactly the data behind it."""
    st.plotly_chart(fig, width="stretch", key=f"chart_{name}")
    st.download_button(
        "Download data (CSV)", data.to_csv(index=False).encode("utf-8"), file_name=f"{name}.csv",
        mime="text/csv", key=f"csv_{name}",
    )


def regions() -> pd.DataFrame:
    return cached("region_list")


def region_names() -> dict[str, str]:
    frame = regions()
    return dict(zip(frame["code"], frame["name_en"]))


def year_bounds() -> tuple[int, int] | None:
    return cached("year_bounds")


def _store_or_stop() -> None:
    """Stop the page with a readable message when the store cannot be opened or has no schema."""
    try:
        version = store.current_version(engine())
    except store.StoreError as exc:
        st.error(f"The seizure store cannot be opened: {exc}. Set SEIZURES_DB_URL (see README).")
        st.stop()
    if version is None:
        st.error("The seizure store has no tables yet: run `seizures init --demo` (see README).")
        st.stop()


def _seed_filter_state(names: dict[str, str], bounds: tuple[int, int] | None) -> None:
    """Set the widgets' state from the URL, once per session; unusable values are dropped with a warning."""
    parsed = from_query_params(st.query_params.to_dict(), names, bounds or (0, 9999))
    flt = parsed.filter
    low, high = bounds or (0, 0)
    st.session_state["f_years"] = (flt.year_from or low, flt.year_to or high)
    st.session_state["f_regions"] = list(flt.regions)
    st.session_state["f_categories"] = list(flt.categories)
    st.session_state["f_weapons"] = list(flt.weapon_types)
    st.session_state["f_contexts"] = list(flt.contexts)
    st.session_state["filter_from_url"] = (_filter_from_state(bounds), parsed.warnings)


def _filter_from_state(bounds: tuple[int, int] | None) -> SeizureFilter:
    """The filter the sidebar widgets hold; a period edge at the data's first or last year is left open."""
    year_from, year_to = st.session_state["f_years"] if bounds else (None, None)
    return SeizureFilter(
        year_from=None if bounds is None or year_from == bounds[0] else year_from,
        year_to=None if bounds is None or year_to == bounds[1] else year_to,
        regions=tuple(st.session_state["f_regions"]),
        categories=tuple(st.session_state["f_categories"]),
        weapon_types=tuple(st.session_state["f_weapons"]),
        contexts=tuple(st.session_state["f_contexts"]),
    )


def _clamp_years(bounds: tuple[int, int] | None) -> None:
    """Keep the period inside the data's years (they change when data is imported or removed)."""
    if bounds is None:
        return
    low, high = st.session_state["f_years"]
    if not (bounds[0] <= low <= high <= bounds[1]):
        low, high = max(min(low, bounds[1]), bounds[0]), min(max(high, bounds[0]), bounds[1])
        st.session_state["f_years"] = (min(low, high), max(low, high))


def sidebar_filter() -> SeizureFilter:
    """Draw the shared sidebar filter, kept in the URL, and return it (the default filter selects everything).

    The URL is read once per session (a bookmark or shared link), then written from the widgets on every run:
    page switches and reruns that drop the query string get it back.
    """
    _store_or_stop()
    names = region_names()
    bounds = year_bounds()
    if "filter_from_url" not in st.session_state:
        _seed_filter_state(names, bounds)
    _clamp_years(bounds)

    with st.sidebar:
        st.header("Filters")
        if bounds and bounds[0] < bounds[1]:
            st.slider("Period", min_value=bounds[0], max_value=bounds[1], key="f_years")
        st.multiselect("Regional directorates", list(names), format_func=names.get, key="f_regions", placeholder="All")
        st.multiselect("Category", list(vocab.CATEGORIES), format_func=vocab.CATEGORIES.get, key="f_categories", placeholder="All")
        st.multiselect("Weapon type", list(vocab.WEAPON_TYPES), format_func=vocab.WEAPON_TYPES.get, key="f_weapons", placeholder="All")
        st.multiselect("Seizure context", list(vocab.CONTEXTS), format_func=vocab.CONTEXTS.get, key="f_contexts", placeholder="All")

    flt = _filter_from_state(bounds)
    url_filter, warnings = st.session_state["filter_from_url"]
    if flt == url_filter:  # the warnings concern the link the user opened: shown until the filter is changed
        for warning in warnings:
            st.warning(f"{warning} Showing the default instead.", icon="⚠️")
    params = to_query_params(flt)
    if st.query_params.to_dict() != params:
        st.query_params.from_dict(params)
    return flt


# Helpers of the Training, Roadmap KPIs and About pages

STATUS_BADGES = {  # KPI status -> badge colour and icon
    "on track": ("green", ":material/check_circle:"),
    "at risk": ("orange", ":material/warning:"),
    "off track": ("red", ":material/cancel:"),
    "no data": ("gray", ":material/remove:"),
}


def status_badge(status: str) -> None:
    colour, icon = STATUS_BADGES.get(status, ("gray", None))
    st.badge(status, color=colour, icon=icon)


def nothing_loaded(what: str) -> None:
    """Empty state for data that the sidebar filters do not restrict: the store itself holds none."""
    st.info(
        f"No {what} in the store yet. Load the reference data with `seizures init --demo`.", icon=":material/database:"
    )


def number(value, signed: bool = False) -> str:
    """A figure as shown on the pages: thousands separators, no needless decimals, an en dash when missing."""
    if value is None or pd.isna(value):
        return "–"
    sign = "+" if signed else ""
    return f"{value:{sign},.0f}" if float(value).is_integer() else f"{value:{sign},.1f}"


def percent(value) -> str:
    """A percentage with one decimal ("11.9 %"), or an en dash when missing."""
    return "–" if value is None or pd.isna(value) else f"{value:.1f} %"


def period(flt: SeizureFilter) -> tuple[int, int] | None:
    """The first and last year the filter selects, or None when the store has no seizure lines."""
    bounds = year_bounds()
    if bounds is None:
        return None
    return flt.year_from or bounds[0], flt.year_to or bounds[1]


def period_or_stop(flt: SeizureFilter) -> tuple[int, int]:
    """The filter's first and last year; on a store without seizure lines, say so and stop the page."""
    years = period(flt)
    if years is None:
        st.info("No seizure records are stored yet: load the demo data (`seizures init --demo`) or import a file.",
                icon="🔍")
        st.stop()
    return years


def period_label(flt: SeizureFilter) -> str:
    years = period(flt)
    if years is None:
        return "no data"
    return str(years[0]) if years[0] == years[1] else f"{years[0]}–{years[1]}"


def measure_picker(flt: SeizureFilter, key: str) -> queries.Measure:
    """A choice of measure (firearms, ammunition, …, seizure events), offering only categories the filter lets through."""
    options = [
        m.key for m in queries.MEASURES_BY_KEY.values()
        if m.category is None or not flt.categories or m.category in flt.categories
    ]
    choice = st.radio("Measure", options, format_func=lambda k: queries.MEASURES_BY_KEY[k].title, key=key, horizontal=True)
    return queries.MEASURES_BY_KEY[choice or options[0]]


def headline_metrics(headline: pd.DataFrame, period_text: str) -> None:
    """One metric per headline measure: the last year's value and its change from the year before."""
    for column, row in zip(st.columns(len(headline)), headline.itertuples()):
        if pd.isna(row.previous):
            delta = None
        else:
            percent = "" if pd.isna(row.pct_change) else f" ({row.pct_change:+.1f} %)"
            delta = f"{row.change:+,.{0 if float(row.change).is_integer() else 1}f}{percent} vs {row.year - 1}"
        column.metric(
            f"{row.label} ({row.unit})", number(row.value), delta=delta, delta_color="off", border=True,
            help=f"{row.year}. Total for {period_text}: {number(row.period_total)}.",
        )


def recorded_label(flt: SeizureFilter) -> str:
    """The legend name of record-level sums: marked illustrative when any line behind them is."""
    _, illustrative = cached("record_counts", flt)
    return "Record-level sum (illustrative)" if illustrative else "Record-level sum"


def provenance_note(flt: SeizureFilter) -> None:
    """The one-line note on illustrative rows, shown when the filtered lines include any."""
    _, illustrative = cached("record_counts", flt)
    if illustrative:
        st.caption(f"ℹ️ {ILLUSTRATIVE_NOTE}")


def records_downloads(flt: SeizureFilter, sort: str, descending: bool, rows: int) -> None:
    """CSV and Excel downloads of every line the filter matches, generated from the database when clicked."""
    db = engine()
    left, right = st.columns(2)
    left.download_button(
        f"Download all {rows:,} rows (CSV)", lambda: export.records_csv(db, flt, sort, descending),
        file_name="seizure_records.csv", mime="text/csv", key="records_csv", on_click="ignore",
        disabled=rows == 0, icon=":material/download:",
    )
    too_big = rows > export.EXCEL_MAX_ROWS
    right.download_button(
        f"Download all {rows:,} rows (Excel)", lambda: export.records_xlsx(db, flt, sort, descending),
        file_name="seizure_records.xlsx", key="records_xlsx", on_click="ignore", disabled=rows == 0 or too_big,
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", icon=":material/download:",
        help="Too many rows for one Excel sheet: use CSV." if too_big else None,
    )


def region_rates(summary: pd.DataFrame, measure: queries.Measure, period_text: str) -> None:
    """Each directorate's yearly rate per 100,000 inhabitants, or a clear "no population figure" with the reason."""
    if summary.empty:
        empty_state()
        return
    known = summary["rate_per_100k"].notna()
    table = pd.DataFrame({
        "Directorate": summary["name"],
        f"{measure.title}, {period_text}": summary["value"].map(number),
        "Population": summary["population"].map(lambda p: "no population figure" if pd.isna(p) else f"{p:,.0f}"),
        f"{measure.label} per 100,000 inhabitants per year": [
            f"{r:,.1f}" if ok else "no population figure" for r, ok in zip(summary["rate_per_100k"], known)
        ],
    })
    st.dataframe(table, hide_index=True, width="stretch", key="region_rates")
    st.caption(
        "Rate = the period's total divided by its number of years and by the population, times 100,000. "
        "Populations are shown only where a public figure exists."
    )
    missing = summary[~known]
    if not missing.empty:
        lines = "\n".join(f"- **{row.name}**: {row.population_note or 'no public figure.'}" for row in missing.itertuples())
        st.info(f"**No population figure** for {len(missing)} directorate(s), so no rate:\n{lines}", icon="ℹ️")


def category_table(totals: pd.DataFrame) -> None:
    """Quantity and number of seizure lines per category and unit."""
    if totals.empty:
        empty_state()
        return
    table = pd.DataFrame({
        "Category": totals["category"].map(lambda c: vocab.label(vocab.CATEGORIES, c)),
        "Unit": totals["unit"],
        "Quantity": totals["quantity"].round(3),
        "Seizure lines": totals["events"],
    })
    st.dataframe(
        table, hide_index=True, key="category_table",
        column_config={"Quantity": st.column_config.NumberColumn(format="localized"),
                       "Seizure lines": st.column_config.NumberColumn(format="localized")},
    )


PAGE_SIZES = (25, 50, 100, 250)
SORT_LABELS = {
    "seized_on": "Date", "region_code": "Directorate", "municipality": "Municipality", "category": "Category",
    "weapon_type": "Weapon type", "quantity": "Quantity", "context": "Context", "case_ref": "Case reference",
}


@dataclass(frozen=True)
class RecordsView:
    sort: str
    descending: bool
    page_size: int
    page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


def records_controls(flt: SeizureFilter, rows: int) -> RecordsView:
    """Sort column, direction, page size and page number; back to page 1 whenever the filter or the sort changes."""
    sort_col, order_col, size_col, page_col = st.columns([2, 2, 1, 1])
    sort = sort_col.selectbox("Sort by", list(SORT_LABELS), format_func=SORT_LABELS.get, key="records_sort")
    order = order_col.radio("Order", ["Ascending", "Descending"], key="records_order", horizontal=True)
    page_size = size_col.selectbox("Rows per page", PAGE_SIZES, index=1, key="records_page_size")
    pages = max(1, -(-rows // page_size))
    current = (flt, sort, order, page_size)
    if st.session_state.get("records_view") != current:
        st.session_state["records_view"] = current
        st.session_state["records_page"] = 1
    page = page_col.number_input(f"Page (of {pages:,})", min_value=1, max_value=pages, step=1, key="records_page")
    return RecordsView(sort, order == "Descending", page_size, int(page))


def records_table(frame: pd.DataFrame) -> None:
    """One page of seizure lines with readable labels; the illustrative ones are marked."""
    names = region_names()
    table = pd.DataFrame({
        "Illustrative": frame["illustrative"].astype(bool),
        "Date": frame["seized_on"],
        "Case reference": frame["case_ref"],
        "Directorate": frame["region_code"].map(lambda c: names.get(c, c)),
        "Municipality": frame["municipality"],
        "Category": frame["category"].map(lambda c: vocab.label(vocab.CATEGORIES, c)),
        "Weapon type": frame["weapon_type"].map(lambda c: vocab.label(vocab.WEAPON_TYPES, c)),
        "Quantity": frame["quantity"].round(3),
        "Unit": frame["unit"],
        "Context": frame["context"].map(lambda c: vocab.label(vocab.CONTEXTS, c)),
    })
    st.dataframe(
        table, hide_index=True, width="stretch", key="records_table", placeholder="",
        height=min(36 + 35 * len(table), 900),
        column_config={
            "Illustrative": st.column_config.CheckboxColumn(help="Generated demo data, not a real record", width="small"),
            "Date": st.column_config.DateColumn(format="YYYY-MM-DD", width="small"),
            "Quantity": st.column_config.NumberColumn(format="localized", width="small"),
            "Unit": st.column_config.TextColumn(width="small"),
        },
    )
