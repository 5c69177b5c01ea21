"""The shared sidebar: the language, and the analyst's filter (period, directorates, category, weapon type, context),
both kept in the URL so that a view can be bookmarked or sent to a colleague."""

from __future__ import annotations

import streamlit as st

from seizures import disclosure, i18n, settings, vocab
from seizures.dashboard import data
from seizures.filters import SeizureFilter, from_query_params, to_query_params
from seizures.i18n import _

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


def language_selector() -> None:
    with st.sidebar:  # in every language, so that anyone finds it
        st.selectbox("Language · Gjuha · Jezik", list(i18n.LANGUAGES), format_func=i18n.LANGUAGES.get, key=LANGUAGE_KEY)


def sidebar_filter() -> SeizureFilter:
    """Draw the shared sidebar filter, kept in the URL, and return it (the default filter selects everything).

    The URL is read once per session (a bookmark or shared link), then written from the widgets on every run:
    page switches and reruns that drop the query string get it back. The public mode has no filter (see
    _public_filter).
    """
    language()
    language_selector()
    data.store_or_stop()
    if settings.public_mode():
        return _public_filter()
    names = data.region_names()
    bounds = data.year_bounds()
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
            st.warning(_("{warning} Showing the default instead.").format(warning=warning), icon=":material/warning:")
    if language_warning := st.session_state.get("lang_warning"):
        if i18n.language() == i18n.DEFAULT:  # shown until a language is chosen
            st.warning(language_warning, icon=":material/warning:")
    params = {**to_query_params(flt), **language_params()}
    if st.query_params.to_dict() != params:
        st.query_params.from_dict(params)
    return flt


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
        year_from=year_from, year_to=year_to,
        regions=tuple(st.session_state["f_regions"]),
        categories=tuple(st.session_state["f_categories"]),
        weapon_types=tuple(st.session_state["f_weapons"]),
        contexts=tuple(st.session_state["f_contexts"]),
    ).with_open_edges(bounds)


def _clamp_years(bounds: tuple[int, int] | None) -> None:
    """Keep the period inside the data's years (they change when data is imported or removed)."""
    if bounds is None:
        return
    low, high = st.session_state["f_years"]
    if not (bounds[0] <= low <= high <= bounds[1]):
        low, high = max(min(low, bounds[1]), bounds[0]), min(max(high, bounds[0]), bounds[1])
        st.session_state["f_years"] = (min(low, high), max(low, high))


def _public_filter() -> SeizureFilter:
    """The public view shows fixed tables of all the data: a filter could be narrowed and widened again until the
    difference between two shown totals is a hidden small count (a differencing attack)."""
    if {k: v for k, v in st.query_params.to_dict().items() if k != "lang"}:
        st.warning(_("Filters are not available in the public view: showing all years, directorates and kinds."),
                   icon=":material/warning:")
    params = language_params()
    if st.query_params.to_dict() != params:
        st.query_params.from_dict(params)
    threshold = settings.suppress_below()
    with st.sidebar:
        st.info(
            _("**Public view**: totals for all years and directorates. Figures below {threshold} are shown as "
              "{label}, and a few more are hidden (x) so that they cannot be worked out from the totals.").format(
                threshold=threshold, label=disclosure.primary_label(threshold)),
            icon=":material/lock:",
        )
    return SeizureFilter()
