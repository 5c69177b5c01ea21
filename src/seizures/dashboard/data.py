"""The data a page reads: one store connection per page run, query results cached per data version, their
protection in the public mode, and the reference lookups every page needs (directorates, the data's years).

A page asks for a query by passing the function itself: `data.cached(queries.headline_figures, flt, first, last)`,
so an editor's go-to-definition leads from the page to the SQL.
"""

from __future__ import annotations

import contextlib
import contextvars
import io
import pickle
from typing import Callable, Iterator, TypeVar

import pandas as pd
import plotly.graph_objects as go
import sqlalchemy as sa
import streamlit as st

from seizures import changes, coverage, disclosure, i18n, migrations, queries, reference, settings, store
from seizures.filters import SeizureFilter
from seizures.i18n import _

T = TypeVar("T")


@st.cache_resource(show_spinner=False)
def engine() -> sa.Engine:
    return store.make_engine()


_run_data_version: contextvars.ContextVar[tuple[int, ...] | None] = contextvars.ContextVar("data_version", default=None)
# What a script run has looked up already (see per_run): a run asks for the vocabulary, the directorates' names and
# the measures dozens of times, and each st.cache_data hit hashes its arguments and copies its result.
_run_memo: contextvars.ContextVar[dict | None] = contextvars.ContextVar("run_memo", default=None)


def data_version() -> tuple[int, ...]:
    """Changes with every import, rollback and event change (see queries.data_version); read once per script run (script_run)."""
    return _run_data_version.get() or queries.data_version(engine())


@contextlib.contextmanager
def script_run() -> Iterator[None]:
    """Around each script run (app.py): the store is opened once and its data version read once for the run.

    A DuckDB file stays open for the run (as for one long query), so the connections the run's queries open reuse
    it; between runs it is closed, and a CLI import in another process can write. Problems opening the store are
    left to store_or_stop to report. Inside a run already (a fragment of a page) it does nothing more; a fragment
    rerun on its own opens the store for itself.
    """
    if _run_data_version.get() is not None:
        yield
        return
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
        memo = _run_memo.set({} if token is not None else None)
        try:
            yield
        finally:
            _run_memo.reset(memo)
            if token is not None:
                _run_data_version.reset(token)


def per_run(compute: Callable[[], T]) -> T:
    """compute(), once per script run and language (outside a run, every time): for the reference lookups that do
    not change within a run (the data version is read once for it). Callers must not change what it returns."""
    memo = _run_memo.get()
    if memo is None:
        return compute()
    key = (_name(compute), i18n.language())
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def _name(func: Callable) -> str:
    return f"{func.__module__}.{func.__qualname__}"


def cached(query: Callable[..., T], *args) -> T:
    """query(engine, *args), a function of seizures.queries, cached per arguments and data version.

    Keyed on the data version, so an import or rollback (here or from the CLI) shows without a restart. In the
    public mode the result is protected (disclosure.py), and a query not listed in PUBLIC_QUERIES is refused.
    """
    if per_run(settings.public_mode):
        return _cached_public(_name(query), data_version(), settings.suppress_below(), query, *args)
    return _cached_query(_name(query), data_version(), query, *args)


@st.cache_data(show_spinner=False, ttl=600)
def _cached_query(name: str, version: tuple[int, ...], _query: Callable, *args):
    # Keyed on the query's name, the data version and the arguments (the function itself is not hashed).
    return _query(engine(), *args)


# --- the public mode: which query results it shows, and how each is protected -----------------------------------


def _withhold_names(frame: pd.DataFrame, _threshold: int) -> pd.DataFrame:
    return frame.assign(file_name="(withheld in the public view)", user_name="(withheld in the public view)")


def _only_whether_any(counts: queries.StoredRows, _threshold: int) -> queries.StoredRows:
    return queries.StoredRows(*(int(n > 0) for n in counts))


# Query -> how the public mode protects its result (None: published or reference figures, shown as they are, or
# one of the tables protected in _protect_shared). Any query not listed here (the record-level ones) is refused.
PUBLIC_QUERIES: dict[Callable, Callable | None] = {
    # Tables of one measure hide the national totals they share as disclosure.shared_totals decides over all of
    # them (_shared_totals): their own protection is in _protect_shared, which needs the query's arguments.
    **dict.fromkeys((queries.measure_by, queries.totals_by_category, queries.headline_figures,
                     queries.recorded_and_published, queries.totals_by_region_year, queries.published_vs_recorded)),
    queries.data_sources: disclosure.protect_sources,
    queries.data_loads: _withhold_names,
    queries.record_counts: _only_whether_any,  # the pages only show whether any line is (illustrative)
    # Coverage: which directorate-months hold data, never how many lines (record-level counts).
    coverage.grid: lambda f, _t: f.assign(**{c: float("nan") for c in ("lines", "counts", "period_counts",
                                                                        "illustrative", "rows")}),
    coverage.overview: None,  # which directorate-years have months missing, and the rows rejected at import
    **dict.fromkeys((queries.region_list, queries.year_bounds, queries.period, queries.trainings_by_course, queries.equipment_delivered,
                     queries.phase_list, queries.contributing_goals, queries.contributing_kpis,
                     queries.kpi_values_in_period,
                     queries.measures_with_data, queries.published, reference.read_vocabulary,
                     reference.read_jurisdiction, queries.events_in_filter, queries.month_bounds)),
}
_PUBLIC_BY_NAME = {_name(query): query for query in PUBLIC_QUERIES}


@st.cache_data(show_spinner=False, ttl=600)
def _cached_public(name: str, version: tuple[int, ...], threshold: int, _query: Callable, *args):
    listed = _PUBLIC_BY_NAME.get(name)
    if listed is None:
        raise PermissionError(f"{name} is not available in the public view")
    result = _cached_query(name, version, listed, *args)
    if listed in _SHARED_PROTECTION:
        return _SHARED_PROTECTION[listed](result, version, threshold, *args)
    protect = PUBLIC_QUERIES[listed]
    return result if protect is None else protect(result, threshold)


@st.cache_data(show_spinner=False, ttl=600)
def _shared_totals(version: tuple[int, ...], threshold: int, key: str) -> disclosure.Hidden:
    """What every public table of one measure hides of the national totals they share (its directorate × year,
    weapon type × year, context × year and month tables, over the whole store), decided once per data version."""
    every = SeizureFilter()
    tables = [_cached_query(_name(queries.measure_by), version, queries.measure_by, every, key, *dims)
              for dims in disclosure.SHARED_BY]
    return disclosure.shared_totals(tables, threshold)


def _by_pair(version, threshold: int, pairs) -> dict:
    """(category, unit) -> the measure's shared totals."""
    return {(c, u): _shared_totals(version, threshold, queries.measure_key(c, u)) for c, u in pairs}


# Dimensions whose period totals the pages show beside their dimension × year table (Regions and Map; Weapons).
LINKED_DIMENSIONS = ("region_code", "weapon_type", "context")


def _protect_measure(frame: pd.DataFrame, version, threshold: int, flt, measure_key: str, *dimensions: str):
    decided = _shared_totals(version, threshold, measure_key)
    if len(dimensions) == 2 and dimensions[1] == "year" and dimensions[0] in LINKED_DIMENSIONS:
        return disclosure.protect(frame, ["value"], dimensions, (), threshold, linked=dimensions[:1], shared=decided)
    if len(dimensions) == 1 and dimensions[0] in LINKED_DIMENSIONS:
        finer = _cached_public(_name(queries.measure_by), version, threshold, queries.measure_by, flt, measure_key,
                               dimensions[0], "year")
        return disclosure.linked_totals(frame, finer, dimensions[0], threshold, shared=decided)
    return disclosure.protect(frame, ["value"], dimensions, (), threshold, shared=decided)


def _pairs(frame: pd.DataFrame) -> set:
    return set(zip(frame["category"], frame["unit"])) if not frame.empty else set()


# Query -> its protection with the totals it shares with the other tables of its measure(s): f(result, version,
# threshold, *the query's arguments).
_SHARED_PROTECTION: dict[Callable, Callable] = {
    queries.measure_by: _protect_measure,
    queries.headline_figures: lambda f, v, t, flt, first, last, keys: disclosure.protect_headline(
        f, t, {key: _shared_totals(v, t, key) for key in keys}),
    queries.recorded_and_published: lambda f, v, t, flt, key: disclosure.protect_years(
        f, "recorded", _shared_totals(v, t, key), t),
    queries.published_vs_recorded: lambda f, v, t: disclosure.protect_check(f, t, _by_pair(v, t, _pairs(f))),
    queries.totals_by_region_year: lambda f, v, t, flt: disclosure.protect_region_year_totals(
        f, t, _by_pair(v, t, _pairs(f))),
    queries.totals_by_category: lambda f, v, t, flt: disclosure.protect_categories(f, t, _by_pair(v, t, _pairs(f))),
}


# --- results derived from cached ones: figures and page tables ---------------------------------------------------


def figure(build: Callable[..., go.Figure], *args) -> dict:
    """build(*args), a figure builder of charts.py or maps.py, as the figure's dict, cached (see derived): a warm
    page then validates a dict instead of building the figure."""
    return _derived(f"figure of {_name(build)}", i18n.language(), lambda *a: build(*a).to_dict(), *args)


def derived(compute: Callable[..., T], *args) -> T:
    """compute(*args), cached per arguments and language: for pure functions of the pages' cached query results
    (their results may hold translated text)."""
    return _derived(_name(compute), i18n.language(), compute, *args)


def _pickled(value) -> bytes:
    """A cache key's bytes for a data frame, a figure's dict, the vocabulary or a change between periods: their
    pickle. Streamlit's own hashing of a small data frame (column by column, through pandas) or of a figure (item by
    item) costs more than the pickle (BENCHMARKS.md), and a page run hashes a dozen; two different values never
    pickle alike, and an equal one laid out differently only misses the cache. Without the pickle's memo ("fast"),
    the bytes do not depend on which parts happen to be the same object (a title's text shared or not)."""
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=5)
    pickler.fast = True
    pickler.dump(value)
    return out.getvalue()


@st.cache_data(show_spinner=False, ttl=600, max_entries=2000,
               hash_funcs=dict.fromkeys((pd.DataFrame, dict, reference.Vocabulary, changes.Changes), _pickled))
def _derived(name: str, language: str, _compute: Callable, *args):
    # Keyed on the function's name, the language and the arguments (the function itself, "_compute", is not hashed).
    return _compute(*args)


# --- the store's state and its reference data --------------------------------------------------------------------


def store_or_stop() -> None:
    """Stop the page with a readable message when the store cannot be opened or its schema is not this program's.

    Once a store has shown its schema it is not asked again: an app started before `seizures init` finds the
    tables on the next run after it.
    """
    try:
        db = engine()
        if str(db.url) in _stores_with_schema():
            return
        version = store.current_version(db)
    except store.StoreError as exc:
        st.error(_("The seizure store cannot be opened: {error}. Set SEIZURES_DB_URL (see README).").format(error=exc))
        st.stop()
    if version is None:
        st.error(_("The seizure store has no tables yet: run `seizures init --demo` (see README)."))
        st.stop()
    if version != migrations.head():
        # A program updated before its store: tables it reads may not exist yet (`seizures init` adds them).
        if version in migrations.known_revisions():
            st.error(_("The seizure store's schema is older than this program's: run `seizures init` to upgrade it "
                       "(see README)."))
        else:
            st.error(_("The seizure store's schema ({revision}) is newer than this program's: install the newer "
                       "program.").format(revision=version))
        st.stop()
    _stores_with_schema().add(str(db.url))


@st.cache_resource(show_spinner=False)
def _stores_with_schema() -> set[str]:
    return set()


def regions() -> pd.DataFrame:
    """The directorates, with their name in the current language in a `name` column."""
    frame = cached(queries.region_list)
    return frame.assign(name=i18n.region_names(frame))


def region_names() -> dict[str, str]:
    """Directorate code -> name in the current language."""
    return dict(per_run(_region_names))


def _region_names() -> dict[str, str]:
    frame = regions()
    return dict(zip(frame["code"], frame["name"]))


def year_bounds() -> tuple[int, int] | None:
    return cached(queries.year_bounds)


def period(flt: SeizureFilter) -> tuple[int, int] | None:
    """The first and last year the filter selects, or None when the store has no seizure lines (queries.period, as
    the report has it)."""
    return cached(queries.period, flt)


def period_label(flt: SeizureFilter) -> str:
    """The filter's years as the pages write them ("2021–2022"), or "no data"."""
    years = period(flt)
    return i18n.period(*years) if years else _("no data")


def any_illustrative(flt: SeizureFilter) -> bool:
    """Whether any seizure line the filter selects is illustrative (generated demo data)."""
    return cached(queries.record_counts, flt).illustrative > 0


def vocabulary() -> reference.Vocabulary:
    """The store's coded values (categories, units, weapon types, contexts) with their labels."""
    return per_run(_vocabulary)


def _vocabulary() -> reference.Vocabulary:
    return cached(reference.read_vocabulary)


def jurisdiction() -> reference.Jurisdiction | None:
    """The jurisdiction whose data the store holds, or None before one is loaded."""
    return per_run(_jurisdiction)


def _jurisdiction() -> reference.Jurisdiction | None:
    return cached(reference.read_jurisdiction)


def measures() -> list[queries.Measure]:
    """Every measure of the store's vocabulary that its rows have something in (any year), then seizure events, with
    labels in the current language."""
    present = set(cached(queries.measures_with_data, SeizureFilter()))
    return [m for m in per_run(_every_measure).values() if m.key in present]


def measure(key: str) -> queries.Measure:
    """One measure, labelled in the current language (also one the store holds nothing of)."""
    return per_run(_every_measure)[key]


def _every_measure() -> dict[str, queries.Measure]:
    return {m.key: m for m in derived(queries.measures, vocabulary())}
