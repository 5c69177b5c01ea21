"""Streamlit helpers shared by the pages: the cached engine, cached queries and the sidebar filter.

This is the only module of the package that imports Streamlit.
"""

from __future__ import annotations

from typing import Callable

import pandas as pd
import sqlalchemy as sa
import streamlit as st

from seizures import queries, store, vocab
from seizures.filters import SeizureFilter, from_query_params, to_query_params

ILLUSTRATIVE_NOTE = (
    "Record-level figures (by directorate, month, weapon type, context) are **illustrative**: generated demo data "
    "that adds up to the published national totals. Only the published totals are real."
)


@st.cache_resource(show_spinner=False)
def engine() -> sa.Engine:
    return store.make_engine()


def cached(query_name: str, flt: SeizureFilter | None = None) -> pd.DataFrame:
    """A query's result, cached per filter and data version; query_name is a function name in seizures.queries.

    Keyed on queries.data_version, so an import or rollback (here or from the CLI) shows without a restart.
    """
    return _cached_query(query_name, flt, data_version())


def data_version() -> tuple[int, int]:
    """Changes with every import and rollback (see queries.data_version)."""
    return queries.data_version(engine())


@st.cache_data(show_spinner=False, ttl=600)
def _cached_query(query_name: str, flt: SeizureFilter | None, version: tuple[int, int]) -> pd.DataFrame:
    # `version` is only part of the cache key.
    func: Callable = getattr(queries, query_name)
    return func(engine(), flt) if flt is not None else func(engine())


def empty_state(message: str = "No seizure records match the filters.") -> None:
    st.info(f"{message} Widen the period or clear a filter in the sidebar.", icon="🔍")


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


def _year_bounds() -> tuple[int, int] | None:
    return queries.year_bounds(engine())


def sidebar_filter() -> SeizureFilter:
    """Draw the shared sidebar filter, kept in the URL, and return it (the default filter selects everything)."""
    names = region_names()
    bounds = _year_bounds()
    if "filter_ready" not in st.session_state:
        parsed = from_query_params(st.query_params.to_dict(), names, bounds or (0, 9999))
        flt = parsed.filter
        st.session_state["filter_warnings"] = parsed.warnings
        st.session_state["f_years"] = (flt.year_from or (bounds or (0, 0))[0], flt.year_to or (bounds or (0, 0))[1])
        st.session_state["f_regions"] = list(flt.regions)
        st.session_state["f_categories"] = list(flt.categories)
        st.session_state["f_weapons"] = list(flt.weapon_types)
        st.session_state["f_contexts"] = list(flt.contexts)
        st.session_state["filter_ready"] = True
    for warning in st.session_state.get("filter_warnings", []):
        st.warning(warning, icon="⚠️")

    with st.sidebar:
        st.header("Filters")
        if bounds and bounds[0] < bounds[1]:
            st.slider("Period", min_value=bounds[0], max_value=bounds[1], key="f_years")
        st.multiselect("Regional directorates", list(names), format_func=names.get, key="f_regions", placeholder="All")
        st.multiselect("Category", list(vocab.CATEGORIES), format_func=vocab.CATEGORIES.get, key="f_categories", placeholder="All")
        st.multiselect("Weapon type", list(vocab.WEAPON_TYPES), format_func=vocab.WEAPON_TYPES.get, key="f_weapons", placeholder="All")
        st.multiselect("Seizure context", list(vocab.CONTEXTS), format_func=vocab.CONTEXTS.get, key="f_contexts", placeholder="All")

    year_from, year_to = st.session_state["f_years"] if bounds else (None, None)
    flt = SeizureFilter(
        year_from=None if bounds is None or year_from == bounds[0] else year_from,
        year_to=None if bounds is None or year_to == bounds[1] else year_to,
        regions=tuple(st.session_state["f_regions"]),
        categories=tuple(st.session_state["f_categories"]),
        weapon_types=tuple(st.session_state["f_weapons"]),
        contexts=tuple(st.session_state["f_contexts"]),
    )
    st.query_params.from_dict(to_query_params(flt))
    return flt
