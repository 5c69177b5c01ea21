"""Map: the regional directorates sized (at their seats) or coloured (with boundaries) by the selected measure."""

import pandas as pd
import streamlit as st

from seizures import describe, i18n, maps, queries
from seizures.dashboard import data, widgets
from seizures.i18n import N_

# Every user-visible text of this page, in one place (for translation).
TEXT = i18n.Texts({
    "title": N_("Seizures by regional directorate: map"),
    "what": N_("What to map"),
    "measure": N_("Measure"),
    "title_figure": N_("{what}, {period}: {measure}"),
    "no_seat": N_("Not on the map (no seat coordinates in the regions table): {names}. Their values are in the table "
                  "below."),
    "boundaries_error": N_("The boundaries file is not used: {error} Showing the directorates' seats instead."),
    "boundaries_used": N_("Shapes from the boundaries file {path}."),
    "seats_note": (
        N_("Markers sit at each directorate's seat (the coordinates of the regions table, with their source there); "
        "their area is proportional to the value. No base map is drawn, so the map works offline. Set "
        "`SEIZURES_BOUNDARIES` to a GeoJSON file of the directorates to colour their shapes instead.")
    ),
    "population_note": (
        N_("Per 100,000 inhabitants is shown only where the directorate's population is published ({known}); the "
        "others show \"no population figure\", not zero.")
    ),
    "table": N_("Values on the map"),
    "col_name": N_("Directorate"), "col_seat": N_("Seat"), "col_quantity": N_("Total"), "col_population": N_("Population"),
    "col_value": N_("Value"), "col_status": N_("Note"), "none": N_("none"),
})

# 1. The period's totals by directorate
flt = st.session_state["filter"]
st.title(TEXT["title"])
totals = data.cached(queries.totals_by_region_year, flt)
if totals.empty:
    widgets.empty_state()
    st.stop()
widgets.provenance_note(flt)

# 2. What to map: a category in a unit, as a total or per 100,000 inhabitants
vocabulary = data.vocabulary()
order = {pair: i for i, pair in enumerate(vocabulary.measure_pairs())}
pairs = sorted({(row.category, row.unit) for row in totals.itertuples()}, key=lambda p: (order.get(p, len(order)), p))
left, right = st.columns(2)
category, unit = left.selectbox(
    TEXT["what"], pairs, format_func=lambda p: f"{vocabulary.label('category', p[0])} ({vocabulary.label('unit', p[1])})",
    key="map_what",
)
measure = right.radio(TEXT["measure"], list(maps.MEASURES), format_func=maps.MEASURES.get, horizontal=True, key="map_measure")

regions = data.regions()
values = data.derived(maps.region_values, totals, regions, category, unit, measure, flt.regions)
years = totals["year"]
period = i18n.period(int(years.min()), int(years.max()))
what = f"{vocabulary.label('category', category)} ({vocabulary.label('unit', unit)})"
title = TEXT["title_figure"].format(what=what, period=period, measure=maps.MEASURES[measure].lower())

# 3. The map: shapes from a boundaries file, else markers at the seats
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
widgets.chart(fig, values.drop(columns=["latitude", "longitude"]), "map", table=False,  # the table is below
              summary=describe.ranking(values.set_index("name")["value"]))
unplaced = values[values["latitude"].isna() | values["longitude"].isna()]
if boundaries is None and not unplaced.empty:
    st.info(TEXT["no_seat"].format(names=", ".join(unplaced["name"])), icon=":material/location_off:")
st.caption(TEXT["boundaries_used"].format(path=path) if boundaries is not None else TEXT["seats_note"])
if measure == maps.PER_100K:
    known = regions.dropna(subset=["population"])
    st.caption(TEXT["population_note"].format(
        known=", ".join(f"{r.name} {i18n.number(r.population, 0)} ({r.population_source})" for r in known.itertuples())
        or TEXT["none"]))

# 4. The same values as a table
st.header(TEXT["table"])
no_population = maps.TEXT["status_no_population"]
table = values.assign(
    value_text=[maps.format_value(v, measure) if s == maps.HAS_VALUE else maps.TEXT[f"status_{s}"]
                for v, s in zip(values["value"], values["status"])],
    population_text=values["population"].map(lambda p: no_population if pd.isna(p) else i18n.number(p, 0)),
    seat=values["seat"].fillna(""),
)
columns = ["name", "seat", "quantity", "population_text"] + (["value_text"] if measure == maps.PER_100K else [])
widgets.dataframe(
    table[columns],
    column_config={
        "name": TEXT["col_name"], "seat": TEXT["col_seat"],
        "quantity": st.column_config.NumberColumn(TEXT["col_quantity"], format="localized"),
        "population_text": TEXT["col_population"], "value_text": TEXT["col_value"],
    },
    hide_index=True, width="stretch",
)
