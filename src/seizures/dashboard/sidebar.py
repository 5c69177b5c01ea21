"""The shared sidebar: the language, and the analyst's filter (period, directorates, category, weapon type, context),
both kept in the URL so that a view can be bookmarked or sent to a colleague."""

from __future__ import annotations

from typing import Callable

import streamlit as st

from seizures import charts, disclosure, i18n, queries, settings
from seizures.dashboard import data
from seizures.filters import (SeizureFilter, allowed_codes, from_query_params, region_aliases, to_query_params,
                              vocabulary_aliases)
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
    if settings.public_mode():
        return _public_filter()
    names = data.region_names()
    bounds = data.year_bounds()
    if "filter_from_url" not in st.session_state:
        _seed_filter_state(names, bounds)
    _apply_selection(names, bounds)
    _clamp_years(bounds)
    _resend_filter_state()

    with st.sidebar:
        # Not a heading: the sidebar comes before the page's h1 in the document, and headings go h1, h2, ...
        filters = _("Filters")
        st.markdown(f"**{filters}**")
        _undo_button()
        if bounds and bounds[0] < bounds[1]:
            st.slider(_("Period"), min_value=bounds[0], max_value=bounds[1], key="f_years")
        everything = _("All")
        st.multiselect(_("Regional directorates"), list(names), format_func=names.get, key="f_regions", placeholder=everything)
        vocabulary = data.vocabulary()
        categories, weapons, contexts = (vocabulary.labels(kind) for kind in ("category", "weapon_type", "context"))
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
    vocabulary = data.vocabulary()  # region=Peja, category=Firearms: names and labels in any language, or codes
    aliases = {**region_aliases(data.cached(queries.region_list).to_dict("records")), **vocabulary_aliases(vocabulary)}
    parsed = from_query_params(st.query_params.to_dict(), allowed_codes(names, vocabulary), bounds or (0, 9999),
                               aliases=aliases)
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


def _resend_filter_state() -> None:
    """Make this run send the filter's values to the browser, not only the run that set them.

    Streamlit sends a value set through st.session_state (from the URL, a chart, "Clear the selection") with one run
    only, and drops a run's output that has not reached the browser when the next run starts. A new session's first
    run is often followed at once by another (the login cookie's component answering): the browser then drew the
    widgets at their defaults while the filter, the URL and every figure held the link's values.
    """
    for key in STATE_KEYS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


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


# --- Click to filter: a selection on a chart or a table sets the shared filter ------------------------------------
#
# A chart whose points carry filter values (charts.SELECT: a directorate, a weapon type, a context, a year) is drawn
# with on_select: its callback keeps the selection under PENDING_KEY, and the next run's sidebar_filter() sets the
# widgets' state from it before drawing them, so the filter, the URL and every number follow exactly as if the
# sidebar had been used. The filter before it is kept on a stack (UNDO_KEY) for "Clear the selection"; a change made
# by hand in the sidebar ends that stack. Not in the public mode, which has no filter.

PENDING_KEY = "_chart_selection"
UNDO_KEY = "_selection_undo"
STATE_KEYS = ("f_years", "f_regions", "f_categories", "f_weapons", "f_contexts")
FIELD_KEYS = {"region": "f_regions", "category": "f_categories", "weapon": "f_weapons", "context": "f_contexts"}
SELECTION_MODES = ("points", "box")


def selectable() -> bool:
    """Whether a click on a chart may set the filter (not in the public mode: it has none)."""
    return not settings.public_mode()


def chart_selection(fig, key: str) -> dict:
    """st.plotly_chart's selection arguments for a figure whose points carry filter values (charts.SELECT), drawn
    under `key`; none for other figures, and in the public mode."""
    fields = charts.select_fields(fig)
    if not fields or not selectable():
        return {}
    return {"on_select": lambda: _keep_points(key, fields), "selection_mode": SELECTION_MODES}


def _keep_points(key: str, fields: dict) -> None:
    event = st.session_state.get(key)
    points = event["selection"]["points"] if event else []
    picked = picked_values(points, fields)
    if picked:
        st.session_state[PENDING_KEY] = picked


def picked_values(points: list[dict], fields: dict) -> dict[str, list]:
    """The filter values selected points carry: field -> values (fields: charts.SELECT's field -> customdata
    position or "x"). Empty codes ("not recorded", the whole jurisdiction, "other types") select nothing."""
    picked: dict[str, list] = {}
    for point in points:
        data = point.get("customdata")
        data = data if isinstance(data, list) else [data]
        for field, where in fields.items():
            value = point.get("x") if where == "x" else (data[where] if isinstance(where, int) and where < len(data) else None)
            if value is not None and value != "":
                picked.setdefault(field, [])
                if value not in picked[field]:
                    picked[field].append(value)
    return picked


def row_selection(key: str, codes: list[str], field: str = "region") -> Callable[[], None]:
    """The on_select callback of a table (st.dataframe, selection_mode="single-row") whose rows are `codes` of a
    filter field: the selected row sets the filter (for charts without selection, such as the heat-map)."""
    def keep() -> None:
        event = st.session_state.get(key)
        rows = event["selection"]["rows"] if event else []
        chosen = [codes[i] for i in rows if 0 <= i < len(codes) and codes[i]]
        if chosen:
            st.session_state[PENDING_KEY] = {field: chosen}
    return keep


def follow_selection() -> None:
    """At the top of a fragment holding selectable charts: a selection made in it reran the fragment only; the
    filter it sets concerns the whole page (and the sidebar), so run the whole app."""
    if PENDING_KEY in st.session_state:
        st.rerun(scope="app")


def _state() -> dict:
    return {key: (tuple(value) if isinstance(value, (list, tuple)) else value)
            for key in STATE_KEYS if (value := st.session_state.get(key)) is not None}


def _apply_selection(names: dict[str, str], bounds: tuple[int, int] | None) -> None:
    """Set the filter widgets' state from a pending chart or table selection (values checked as a link's are)."""
    picked = st.session_state.pop(PENDING_KEY, None)
    if not picked:
        return
    vocabulary = data.vocabulary()
    allowed = {"region": names, "category": vocabulary.labels("category"), "weapon": vocabulary.labels("weapon_type"),
               "context": vocabulary.labels("context")}
    before, described = _state(), []
    for field, values in picked.items():
        if field == "year":
            years = sorted({int(v) for v in values if str(v).lstrip("-").isdigit()})
            years = [y for y in years if bounds and bounds[0] <= y <= bounds[1]]
            if years:
                st.session_state["f_years"] = (years[0], years[-1])
                described.append(i18n.period(years[0], years[-1]))
        elif field in FIELD_KEYS:
            codes = [str(v) for v in values if str(v) in allowed[field]]
            if codes:
                st.session_state[FIELD_KEYS[field]] = codes
                described.append(", ".join(allowed[field][c] for c in codes))
    after = _state()
    if after != before:
        st.session_state.setdefault(UNDO_KEY, []).append((before, after, " · ".join(described)))


def _undo_button() -> None:
    """Say what a chart selection chose, with a button restoring the filter before it; gone once the filter is
    changed by hand."""
    stack = st.session_state.get(UNDO_KEY, [])
    if stack and stack[-1][1] != _state():
        stack.clear()
    if not stack:
        return
    st.info(_("Selected on a chart: {what}").format(what=stack[-1][2]), icon=":material/ads_click:")
    st.button(_("Clear the selection"), on_click=_undo, key="clear_selection", icon=":material/undo:")


def _undo() -> None:
    stack = st.session_state.get(UNDO_KEY, [])
    if not stack:
        return
    before, _after, _what = stack.pop()
    for key in STATE_KEYS:
        if key in before:
            value = before[key]
            st.session_state[key] = value if key == "f_years" else list(value)
