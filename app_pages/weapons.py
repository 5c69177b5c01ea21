"""Weapons & context: seizures by category and weapon type (converted and blank-firing weapons as their own
series), by seizure context, and by calendar month."""

import streamlit as st

from seizures import charts, ui, vocab
from seizures.i18n import _

flt = st.session_state["filter"]
st.title(_("Weapons and seizure context"))
ui.period_or_stop(flt)
ui.provenance_note(flt)

st.subheader(_("By category, {period}").format(period=ui.period_label(flt)))
ui.category_table(ui.cached("totals_by_category", flt))

measure = ui.measure_picker(flt, key="weapons_measure")
st.subheader(_("By weapon type"))
by_type, trend = st.columns(2)
with by_type:
    ui.chart_of(
        ui.cached("measure_by", flt, measure.key, "weapon_type"), charts.breakdown_bars, "by_weapon_type",
        "weapon_type", vocab.WEAPON_TYPES, measure.title,
    )
with trend:
    ui.chart_of(
        ui.cached("measure_by", flt, measure.key, "weapon_type", "year"), charts.weapon_type_trends,
        "weapon_type_trends", vocab.WEAPON_TYPES, measure.title,
    )
st.caption(_("Converted and blank-firing weapons, which SEESAC singles out in its regional reports, have their own colours."))

st.subheader(_("By seizure context"))
ui.chart_of(
    ui.cached("measure_by", flt, measure.key, "context"), charts.breakdown_bars, "by_context",
    "context", vocab.CONTEXTS, measure.title,
)

st.subheader(_("Monthly seasonality, {period}").format(period=ui.period_label(flt)))
ui.chart_of(ui.cached("measure_by", flt, measure.key, "month"), charts.monthly_seasonality, "by_month", measure.title)
