"""Map: the regional directorates sized (at their seats) or coloured (with boundaries) by the selected measure."""

import streamlit as st

from seizures import i18n, maps, queries, vocab
from seizures.dashboard import data, widgets
from seizures.i18n import N_

# Every user-visible text of this page, in one place (for translation).
TEXT = i18n.Texts({
    "title": N_("Seizures by regional directorate: map"),
    "what": N_("What to map"),
    "measure": N_("Measure"),
    "title_figure": N_("{what}, {period}: {measure} (illustrative)"),
    "seats_error": N_("The map cannot be drawn: {error}"),
    "boundaries_error": N_("The boundaries file is not used: {error} Showing the directorates' seats instead."),
    "boundaries_used": N_("Shapes from the boundaries file {path}."),
    "seats_note": (
        N_("Markers sit at each directorate's seat (approximate town-centre coordinates, accurate to about 1 km, "
        "from `data/region_seats.csv`); their area is proportional to the value. No base map is drawn, so the map "
        "works offline. Set `SEIZURES_BOUNDARIES` to a GeoJSON file of the directorates to colour their shapes instead.")
    ),
    "population_note": (
        N_("Per 100,000 inhabitants is shown only where the directorate's population is published ({known}); the "
        "others show \"no population figure\", not zero.")
    ),
    "table": N_("Values on the map"),
    "col_name": N_("Directorate"), "col_seat": N_("Seat"), "col_quantity": N_("Total"), "col_population": N_("Population"),
    "col_value": N_("Value"), "col_status": N_("Note"), "none": N_("none"),
})

flt = st.session_state["filter"]
st.title(TEXT["title"])

totals = data.cached(queries.totals_by_region_year, flt)
if totals.empty:
    widgets.empty_state()
    st.stop()

pairs = sorted(
    {(row.category, row.unit) for row in totals.itertuples()},
    key=lambda p: (list(vocab.CATEGORIES).index(p[0]) if p[0] in vocab.CATEGORIES else 99, p[1]),
)
left, right = st.columns(2)
category, unit = left.selectbox(
    TEXT["what"], pairs, format_func=lambda p: f"{vocab.label(vocab.CATEGORIES, p[0])} ({vocab.label(vocab.UNITS, p[1])})",
    key="map_what",
)
measure = right.radio(TEXT["measure"], list(maps.MEASURES), format_func=maps.MEASURES.get, horizontal=True, key="map_measure")

try:
    seats = maps.read_seats()
except maps.MapDataError as exc:
    st.error(TEXT["seats_error"].format(error=exc))
    st.stop()

regions = data.regions()
values = data.derived(maps.region_values, totals, regions, seats, category, unit, measure, flt.regions)
years = totals["year"]
period = i18n.period(int(years.min()), int(years.max()))
what = f"{vocab.label(vocab.CATEGORIES, category)} ({vocab.label(vocab.UNITS, unit)})"
title = TEXT["title_figure"].format(what=what, period=period, measure=maps.MEASURES[measure].lower())

boundaries = None
path, key = maps.boundaries_setting()
if path is not None:
    try:
        boundaries = maps.read_boundaries(path, key, data.region_names())
    except maps.MapDataError as exc:
        st.warning(TEXT["boundaries_error"].format(error=exc), icon=":material/warning:")
if boundaries is not None:
    for warning in boundaries.warnings:
        st.warning(warning, icon=":material/warning:")
    fig = maps.choropleth_map(values, boundaries, maps.MEASURES[measure], title)
else:
    fig = data.figure(maps.marker_map, values, maps.MEASURES[measure], title)

st.caption(i18n._(widgets.ILLUSTRATIVE_NOTE))
widgets.chart(fig, values.drop(columns=["latitude", "longitude"]), "map")
st.caption(TEXT["boundaries_used"].format(path=path) if boundaries is not None else TEXT["seats_note"])
if measure == maps.PER_100K:
    known = regions.dropna(subset=["population"])
    st.caption(TEXT["population_note"].format(
        known=", ".join(f"{r.name} {i18n.number(r.population, 0)} ({r.population_source})" for r in known.itertuples())
        or TEXT["none"]))

st.subheader(TEXT["table"])
widgets.dataframe(
    values.assign(value_text=[maps.format_value(v, measure) if s == maps.HAS_VALUE else
                              maps.TEXT[f"status_{s}"] for v, s in zip(values["value"], values["status"])])
    [["name", "seat", "quantity", "population", "value_text"]],
    column_config={
        "name": TEXT["col_name"], "seat": TEXT["col_seat"],
        "quantity": st.column_config.NumberColumn(TEXT["col_quantity"], format="localized"),
        "population": st.column_config.NumberColumn(TEXT["col_population"], format="localized"),
        "value_text": TEXT["col_value"],
    },
    hide_index=True, width="stretch",
)
