"""Weapons & context: seizures by category and weapon type (converted and blank-firing weapons as their own
series), by seizure context, and by calendar month."""

import pandas as pd
import streamlit as st

from seizures import charts, queries, vocab
from seizures.dashboard import data, widgets
from seizures.i18n import _


def category_table(totals: pd.DataFrame) -> None:
    """Quantity and number of seizure lines per category and unit."""
    if totals.empty:
        widgets.empty_state()
        return
    quantity, lines = _("Quantity"), _("Seizure lines")
    table = pd.DataFrame({
        _("Category"): totals["category"].map(lambda c: vocab.label(vocab.CATEGORIES, c)),
        _("Unit"): totals["unit"].map(lambda u: vocab.label(vocab.UNITS, u)),
        quantity: totals["quantity"].round(3),
        lines: totals["lines"],
    })
    protected = "quantity_note" in totals  # public mode: hidden cells shown as "<5" / "x"
    if protected:
        table[quantity] = [widgets.shown_number(totals, "quantity", i) for i in totals.index]
        table[lines] = [widgets.shown_number(totals, "lines", i) for i in totals.index]
    numbers = {quantity: st.column_config.NumberColumn(format="localized"),
               lines: st.column_config.NumberColumn(format="localized")}
    widgets.dataframe(table, hide_index=True, key="category_table", column_config=None if protected else numbers)
    widgets.suppression_legend(totals)


# 1. The period
flt = st.session_state["filter"]
st.title(_("Weapons and seizure context"))
widgets.period_or_stop(flt)
widgets.provenance_note(flt)

# 2. Totals by category
st.subheader(_("By category, {period}").format(period=data.period_label(flt)))
category_table(data.cached(queries.totals_by_category, flt))

# 3. By weapon type, and each type over the years
measure = widgets.measure_picker(flt, key="weapons_measure")
st.subheader(_("By weapon type"))
by_type, trend = st.columns(2)
with by_type:
    widgets.chart_of(
        data.cached(queries.measure_by, flt, measure.key, "weapon_type"), charts.breakdown_bars, "by_weapon_type",
        "weapon_type", vocab.WEAPON_TYPES, measure.title,
    )
with trend:
    widgets.chart_of(
        data.cached(queries.measure_by, flt, measure.key, "weapon_type", "year"), charts.weapon_type_trends,
        "weapon_type_trends", vocab.WEAPON_TYPES, measure.title,
    )
st.caption(_("Converted and blank-firing weapons, which SEESAC singles out in its regional reports, have their own colours."))

# 4. By seizure context
st.subheader(_("By seizure context"))
widgets.chart_of(
    data.cached(queries.measure_by, flt, measure.key, "context"), charts.breakdown_bars, "by_context",
    "context", vocab.CONTEXTS, measure.title,
)

# 5. By calendar month
st.subheader(_("Monthly seasonality, {period}").format(period=data.period_label(flt)))
widgets.chart_of(data.cached(queries.measure_by, flt, measure.key, "month"), charts.monthly_seasonality, "by_month",
                 measure.title)
