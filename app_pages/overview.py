"""Overview (managers): the last selected year's headline figures, the yearly trend against the published totals,
and the split by regional directorate."""

import streamlit as st

from seizures import charts, queries, ui
from seizures.i18n import _

flt = st.session_state["filter"]
st.title(_("Firearms seizures in Kosovo"))
first, last = ui.period_or_stop(flt)
ui.provenance_note(flt)

st.subheader(_("Headline figures, {year}").format(year=last))
ui.headline_metrics(ui.cached("headline_figures", flt, first, last), ui.period_label(flt))
st.caption(_(
    "Change from {previous} to {year}, from the seizure records that match the filter; the tooltip gives each "
    "figure's total for {period}. The published national totals are in the chart below."
).format(previous=last - 1, year=last, period=ui.period_label(flt)))

st.subheader(_("Yearly trend: published totals and record-level sums"))
for column, key in zip(st.columns(2), ("firearms", "ammunition")):
    measure = queries.MEASURES_BY_KEY[key]
    with column:
        ui.chart_of(
            ui.cached("recorded_and_published", flt, key), charts.yearly_trend, f"trend_{key}",
            measure.title, ui.recorded_label(flt), _(measure.label),
        )
st.caption(_(
    "The black line is the national figure Kosovo Police published; it does not change with the filter. "
    "The bars add up the seizure records that match the filter."
))

st.subheader(_("By regional directorate"))
measure = ui.measure_picker(flt, key="overview_measure")
ui.chart_of(
    ui.cached("measure_by", flt, measure.key, "region_code", "year"), charts.stacked_by_region, "by_directorate",
    ui.region_names(), measure.title,
)
