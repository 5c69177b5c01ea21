"""Streamlit helpers shared by the pages: the cached engine, cached queries and the sidebar filter.

This is the only module of the package that imports Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pandas as pd
import plotly.graph_objects as go
import sqlalchemy as sa
import streamlit as st

from seizures import export, i18n, queries, store, vocab
from seizures.i18n import N_, _, ngettext
from seizures.filters import SeizureFilter, from_query_params, to_query_params

ILLUSTRATIVE_NOTE = N_(
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


def data_version() -> tuple[int, int]:
    """Changes with every import and rollback (see queries.data_version)."""
    return queries.data_version(engine())


@st.cache_data(show_spinner=False, ttl=600)
def _cached_query(query_name: str, version: tuple[int, int], *args):
    # `version` is only part of the cache key.
    func: Callable = getattr(queries, query_name)
    return func(engine(), *args)


def empty_state(message: str = N_("No seizure records match the filters.")) -> None:
    st.info(_("{message} Widen the period or clear a filter in the sidebar.").format(message=_(message)), icon="🔍")


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
        _("Download data (CSV)"), data.to_csv(index=False).encode("utf-8"), file_name=f"{name}.csv",
        mime="text/csv", key=f"csv_{name}",
    )


def regions() -> pd.DataFrame:
    """The directorates, with their name in the current language in a `name` column."""
    frame = cached("region_list")
    return frame.assign(name=i18n.region_names(frame))


def region_names() -> dict[str, str]:
    """Directorate code -> name in the current language."""
    frame = regions()
    return dict(zip(frame["code"], frame["name"]))


def year_bounds() -> tuple[int, int] | None:
    return cached("year_bounds")


def _store_or_stop() -> None:
    """Stop the page with a readable message when the store cannot be opened or has no schema."""
    try:
        version = store.current_version(engine())
    except store.StoreError as exc:
        st.error(_("The seizure store cannot be opened: {error}. Set SEIZURES_DB_URL (see README).").format(error=exc))
        st.stop()
    if version is None:
        st.error(_("The seizure store has no tables yet: run `seizures init --demo` (see README)."))
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


LANGUAGE_KEY = "f_lang"


def language() -> str:
    """The session's language, set for this run: from the URL (`lang=sq`) on a session's first run, then from the
    sidebar selector. An unknown value gives English and a warning (shown by sidebar_filter)."""
    if LANGUAGE_KEY not in st.session_state:
        lang, warning = i18n.parse_language(st.query_params.get("lang"))
        st.session_state[LANGUAGE_KEY] = lang
        st.session_state["lang_warning"] = warning
    i18n.set_language(st.session_state[LANGUAGE_KEY])
    return i18n.language()


def language_params() -> dict[str, str]:
    """The URL parameter of the chosen language (none for the default, English)."""
    lang = i18n.language()
    return {} if lang == i18n.DEFAULT else {"lang": lang}


def sidebar_filter() -> SeizureFilter:
    """Draw the shared sidebar filter, kept in the URL, and return it (the default filter selects everything).

    The URL is read once per session (a bookmark or shared link), then written from the widgets on every run:
    page switches and reruns that drop the query string get it back.
    """
    language()
    with st.sidebar:  # in every language, so that anyone finds it
        st.selectbox("Language · Gjuha · Jezik", list(i18n.LANGUAGES), format_func=i18n.LANGUAGES.get, key=LANGUAGE_KEY)
    _store_or_stop()
    names = region_names()
    bounds = year_bounds()
    if "filter_from_url" not in st.session_state:
        _seed_filter_state(names, bounds)
    _clamp_years(bounds)

    with st.sidebar:
        st.header(_("Filters"))
        if bounds and bounds[0] < bounds[1]:
            st.slider(_("Period"), min_value=bounds[0], max_value=bounds[1], key="f_years")
        everything = _("All")
        st.multiselect(_("Regional directorates"), list(names), format_func=names.get, key="f_regions", placeholder=everything)
        categories, weapons, contexts = (vocab.labels(v) for v in (vocab.CATEGORIES, vocab.WEAPON_TYPES, vocab.CONTEXTS))
        st.multiselect(_("Category"), list(categories), format_func=categories.get, key="f_categories", placeholder=everything)
        st.multiselect(_("Weapon type"), list(weapons), format_func=weapons.get, key="f_weapons", placeholder=everything)
        st.multiselect(_("Seizure context"), list(contexts), format_func=contexts.get, key="f_contexts", placeholder=everything)

    flt = _filter_from_state(bounds)
    url_filter, warnings = st.session_state["filter_from_url"]
    if flt == url_filter:  # the warnings concern the link the user opened: shown until the filter is changed
        for warning in warnings:
            st.warning(_("{warning} Showing the default instead.").format(warning=warning), icon="⚠️")
    if language_warning := st.session_state.get("lang_warning"):
        if i18n.language() == i18n.DEFAULT:  # shown until a language is chosen
            st.warning(language_warning, icon="⚠️")
    params = {**to_query_params(flt), **language_params()}
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
    st.badge(_(status) if status in STATUS_BADGES else status, color=colour, icon=icon)


def nothing_loaded(what: str) -> None:
    """Empty state for data that the sidebar filters do not restrict: the store itself holds none."""
    st.info(
        _("No {what} in the store yet. Load the reference data with `seizures init --demo`.").format(what=_(what)),
        icon=":material/database:",
    )


def number(value, signed: bool = False) -> str:
    """A figure as shown on the pages: thousands separators, no needless decimals, an en dash when missing."""
    return i18n.number(value, signed=signed)


def percent(value) -> str:
    """A percentage with one decimal ("11.9 %"; "11,9%" in Albanian and Serbian), or an en dash when missing."""
    return i18n.percent(value)


def percent_sign() -> str:
    """The percent sign as the chosen language writes it after a number (" %" in English, "%" in sq and sr)."""
    return i18n.PERCENT_SUFFIX[i18n.language()]


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
        st.info(_("No seizure records are stored yet: load the demo data (`seizures init --demo`) or import a file."),
                icon="🔍")
        st.stop()
    return years


def period_label(flt: SeizureFilter) -> str:
    years = period(flt)
    if years is None:
        return _("no data")
    return str(years[0]) if years[0] == years[1] else f"{years[0]}–{years[1]}"


def measure_picker(flt: SeizureFilter, key: str) -> queries.Measure:
    """A choice of measure (firearms, ammunition, …, seizure events), offering only categories the filter lets through."""
    options = [
        m.key for m in queries.MEASURES_BY_KEY.values()
        if m.category is None or not flt.categories or m.category in flt.categories
    ]
    choice = st.radio(_("Measure"), options, format_func=lambda k: queries.MEASURES_BY_KEY[k].title, key=key, horizontal=True)
    return queries.MEASURES_BY_KEY[choice or options[0]]


def headline_metrics(headline: pd.DataFrame, period_text: str) -> None:
    """One metric per headline measure: the last year's value and its change from the year before."""
    for column, row in zip(st.columns(len(headline)), headline.itertuples()):
        if pd.isna(row.previous):
            delta = None
        else:
            change = i18n.number(row.change, signed=True)
            if not pd.isna(row.pct_change):
                change += f" ({i18n.percent(row.pct_change, signed=True)})"
            delta = _("{change} vs {year}").format(change=change, year=row.year - 1)
        column.metric(
            f"{_(row.label)} ({_(row.unit)})", number(row.value), delta=delta, delta_color="off", border=True,
            help=_("{year}. Total for {period}: {total}.").format(year=row.year, period=period_text,
                                                                   total=number(row.period_total)),
        )


def recorded_label(flt: SeizureFilter) -> str:
    """The legend name of record-level sums: marked illustrative when any line behind them is."""
    illustrative = cached("record_counts", flt)[1]
    return _("Record-level sum (illustrative)") if illustrative else _("Record-level sum")


def provenance_note(flt: SeizureFilter) -> None:
    """The one-line note on illustrative rows, shown when the filtered lines include any."""
    illustrative = cached("record_counts", flt)[1]
    if illustrative:
        st.caption(f"ℹ️ {_(ILLUSTRATIVE_NOTE)}")


def records_downloads(flt: SeizureFilter, sort: str, descending: bool, rows: int) -> None:
    """CSV and Excel downloads of every line the filter matches, generated from the database when clicked."""
    db = engine()
    left, right = st.columns(2)
    left.download_button(
        _("Download all {rows} rows (CSV)").format(rows=number(rows)), lambda: export.records_csv(db, flt, sort, descending),
        file_name="seizure_records.csv", mime="text/csv", key="records_csv", on_click="ignore",
        disabled=rows == 0, icon=":material/download:",
    )
    too_big = rows > export.EXCEL_MAX_ROWS
    right.download_button(
        _("Download all {rows} rows (Excel)").format(rows=number(rows)), lambda: export.records_xlsx(db, flt, sort, descending),
        file_name="seizure_records.xlsx", key="records_xlsx", on_click="ignore", disabled=rows == 0 or too_big,
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", icon=":material/download:",
        help=_("Too many rows for one Excel sheet: use CSV.") if too_big else None,
    )


def region_rates(summary: pd.DataFrame, measure: queries.Measure, period_text: str) -> None:
    """Each directorate's yearly rate per 100,000 inhabitants, or a clear "no population figure" with the reason."""
    if summary.empty:
        empty_state()
        return
    known = summary["rate_per_100k"].notna()
    no_figure = _("no population figure")
    table = pd.DataFrame({
        _("Directorate"): summary["name"],
        f"{measure.title}, {period_text}": summary["value"].map(number),
        _("Population"): summary["population"].map(lambda p: no_figure if pd.isna(p) else i18n.number(p, 0)),
        _("{measure} per 100,000 inhabitants per year").format(measure=_(measure.label)): [
            i18n.number(r, 1) if ok else no_figure for r, ok in zip(summary["rate_per_100k"], known)
        ],
    })
    st.dataframe(table, hide_index=True, width="stretch", key="region_rates")
    st.caption(_(
        "Rate = the period's total divided by its number of years and by the population, times 100,000. "
        "Populations are shown only where a public figure exists."
    ))
    missing = summary[~known]
    if not missing.empty:
        # The notes are stored reference data (English).
        no_public = _("no public figure.")
        lines = "\n".join(f"- **{row.name}**: {row.population_note or no_public}" for row in missing.itertuples())
        heading = ngettext("**No population figure** for {n} directorate, so no rate:",
                           "**No population figure** for {n} directorates, so no rate:", len(missing))
        st.info(f"{heading.format(n=len(missing))}\n{lines}", icon="ℹ️")


def category_table(totals: pd.DataFrame) -> None:
    """Quantity and number of seizure lines per category and unit."""
    if totals.empty:
        empty_state()
        return
    quantity, lines = _("Quantity"), _("Seizure lines")
    table = pd.DataFrame({
        _("Category"): totals["category"].map(lambda c: vocab.label(vocab.CATEGORIES, c)),
        _("Unit"): totals["unit"].map(lambda u: vocab.label(vocab.UNITS, u)),
        quantity: totals["quantity"].round(3),
        lines: totals["events"],
    })
    dataframe(
        table, hide_index=True, key="category_table",
        column_config={quantity: st.column_config.NumberColumn(format="localized"),
                       lines: st.column_config.NumberColumn(format="localized")},
    )


PAGE_SIZES = (25, 50, 100, 250)
SORT_LABELS = {
    "seized_on": N_("Date"), "region_code": N_("Directorate"), "municipality": N_("Municipality"),
    "category": N_("Category"), "weapon_type": N_("Weapon type"), "quantity": N_("Quantity"), "context": N_("Context"),
    "case_ref": N_("Case reference"),
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
    sort = sort_col.selectbox(_("Sort by"), list(SORT_LABELS), format_func=lambda c: _(SORT_LABELS[c]), key="records_sort")
    order = order_col.radio(_("Order"), [N_("Ascending"), N_("Descending")], format_func=_, key="records_order", horizontal=True)
    page_size = size_col.selectbox(_("Rows per page"), PAGE_SIZES, index=1, key="records_page_size")
    pages = max(1, -(-rows // page_size))
    current = (flt, sort, order, page_size)
    if st.session_state.get("records_view") != current:
        st.session_state["records_view"] = current
        st.session_state["records_page"] = 1
    page = page_col.number_input(_("Page (of {pages})").format(pages=number(pages)), min_value=1, max_value=pages, step=1, key="records_page")
    return RecordsView(sort, order == "Descending", page_size, int(page))


def records_table(frame: pd.DataFrame) -> None:
    """One page of seizure lines with readable labels; the illustrative ones are marked."""
    names = region_names()
    illustrative, date, quantity, unit = _("Illustrative"), _("Date"), _("Quantity"), _("Unit")
    table = pd.DataFrame({
        illustrative: frame["illustrative"].astype(bool),
        date: frame["seized_on"],
        _("Case reference"): frame["case_ref"],
        _("Directorate"): frame["region_code"].map(lambda c: names.get(c, c)),
        _("Municipality"): frame["municipality"],
        _("Category"): frame["category"].map(lambda c: vocab.label(vocab.CATEGORIES, c)),
        _("Weapon type"): frame["weapon_type"].map(lambda c: vocab.label(vocab.WEAPON_TYPES, c)),
        quantity: frame["quantity"].round(3),
        unit: frame["unit"].map(lambda u: vocab.label(vocab.UNITS, u)),
        _("Context"): frame["context"].map(lambda c: vocab.label(vocab.CONTEXTS, c)),
    })
    dataframe(
        table, hide_index=True, width="stretch", key="records_table", placeholder="",
        height=min(36 + 35 * len(table), 900),
        column_config={
            illustrative: st.column_config.CheckboxColumn(help=_("Generated demo data, not a real record"), width="small"),
            date: st.column_config.DateColumn(format=i18n.table_date_format(), width="small"),
            quantity: st.column_config.NumberColumn(format="localized", width="small"),
            unit: st.column_config.TextColumn(width="small"),
        },
    )


def dataframe(data: pd.DataFrame, column_config: dict | None = None, **kwargs):
    """st.dataframe with numbers in the chosen language: "localized" number columns follow the browser's locale,
    so outside English their shown text is formatted here (the values, and their sorting, stay numbers)."""
    config = dict(column_config or {})
    if i18n.language() == i18n.DEFAULT:
        return st.dataframe(data, column_config=config, **kwargs)
    formats = {}
    for column, spec in config.items():
        if isinstance(spec, dict) and (spec.get("type_config") or {}).get("format") == "localized" and column in data:
            formats[column] = lambda v: i18n.number(v, missing=kwargs.get("placeholder") or "")
            config[column] = {**spec, "type_config": {k: v for k, v in spec["type_config"].items() if k != "format"}}
    shown = data.style.format(formats) if formats else data
    return st.dataframe(shown, column_config=config, **kwargs)
