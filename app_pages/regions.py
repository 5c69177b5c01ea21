"""Regions (analysts): trends per regional directorate, share of the national total, rate per 100,000 inhabitants
where a population figure is known, and a directorate × year heat-map."""

import streamlit as st

from seizures import charts, queries, ui
from seizures.i18n import _

flt = st.session_state["filter"]
st.title(_("Regional directorates"))
first, last = ui.period_or_stop(flt)
ui.provenance_note(flt)
st.caption(_("Choose directorates under **Regional directorates** in the sidebar; with none chosen, all are shown."))
measure = ui.measure_picker(flt, key="regions_measure")
names = ui.region_names()
by_region_year = ui.cached("measure_by", flt, measure.key, "region_code", "year")

st.subheader(_("Trend per directorate"))
ui.chart_of(by_region_year, charts.region_trends, "region_trends", names, measure.title)

st.subheader(_("Share of the national total, {period}").format(period=ui.period_label(flt)))
national = ui.cached("measure_by", flt.with_regions(()), measure.key, "region_code")
summary = ui.derived(queries.region_summary, national, ui.regions(), flt.regions, last - first + 1)
ui.chart_of(summary, charts.region_shares, "region_shares")

st.subheader(_("Rate per 100,000 inhabitants"))
ui.region_rates(summary, measure, ui.period_label(flt))

st.subheader(_("Directorate × year"))
ui.chart_of(by_region_year, charts.region_year_heatmap, "region_year_heatmap", names, measure.title)
