"""Weapons & context: seizures by category and weapon type (converted and blank-firing weapons as their own
series, the events of the period on the trend), each type month by month with the months that stand out, by seizure
context, and by calendar month."""

import pandas as pd
import streamlit as st

from seizures import charts, i18n, queries, reference, settings
from seizures.dashboard import data, insights, widgets
from seizures.i18n import _


def category_table(totals: pd.DataFrame, vocabulary: reference.Vocabulary) -> None:
    """Quantity and number of seizure lines per category and unit."""
    if totals.empty:
        widgets.empty_state()
        return
    quantity, lines = _("Quantity"), _("Seizure lines")
    table = pd.DataFrame({
        _("Category"): totals["category"].map(lambda c: vocabulary.label("category", c)),
        _("Unit"): totals["unit"].map(lambda u: vocabulary.label("unit", u)),
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


# 1. The period, and the coded values' labels
flt = st.session_state["filter"]
st.title(_("Weapons and seizure context"))
widgets.period_or_stop(flt)
widgets.provenance_note(flt)
vocabulary = data.vocabulary()
weapon_types, contexts = vocabulary.labels("weapon_type"), vocabulary.labels("context")
highlighted = tuple(vocabulary.highlighted("weapon_type"))

# 2. Totals by category
st.header(_("By category, {period}").format(period=data.period_label(flt)))
category_table(data.cached(queries.totals_by_category, flt), vocabulary)

def previous_period(flt, first: int, last: int) -> tuple[object, str] | None:
    """The filter moved to the period of as many years just before its own (for the hovers' change), and its label;
    None when the store holds no year of it."""
    bounds = data.year_bounds()
    length = last - first + 1
    if settings.public_mode() or bounds is None or first - length < bounds[0]:  # the public view has no filter
        return None
    return flt.with_years(first - length, first - 1), i18n.period(first - length, first - 1)


# 3. By weapon type, and each type over the years
first, last = data.period(flt)
measure = widgets.measure_picker(flt, key="weapons_measure")
before = previous_period(flt, first, last)
timeline = insights.events_for(flt)
st.header(_("By weapon type"))
by_type, trend = st.columns(2)
with by_type:
    widgets.chart_of(
        data.cached(queries.measure_by, flt, measure.key, "weapon_type"), charts.breakdown_bars, "by_weapon_type",
        "weapon_type", weapon_types, measure.title, None, highlighted,
        data.cached(queries.measure_by, before[0], measure.key, "weapon_type") if before else None,
        before[1] if before else None,
    )
with trend:
    widgets.chart_of(
        data.cached(queries.measure_by, flt, measure.key, "weapon_type", "year"), charts.weapon_type_trends,
        "weapon_type_trends", weapon_types, measure.title, 5, None, highlighted, timeline,
    )
if highlighted:
    st.caption(_("{types}: singled out in the vocabulary (as SEESAC's regional reports single out converted and "
                 "blank-firing weapons), in their own colours.").format(
        types=", ".join(weapon_types[code] for code in highlighted)))
insights.events_list(timeline)

# 4. Each weapon type month by month, with the months that stand out within a directorate (not in the public view)
if not settings.public_mode():
    st.header(_("Weapon types month by month, with the months that stand out"))
    monthly = data.cached(queries.measure_by, flt, measure.key, "weapon_type", "year", "month")
    flags = insights.flags(flt, measure.key, ("region_code", "weapon_type"))
    widgets.chart_of(monthly[monthly["month"] > 0], charts.monthly_trends, "weapon_type_months", "weapon_type",
                     weapon_types, measure.title, flags, timeline, None, data.region_names(), 5, highlighted)
    st.caption(_("A triangle marks a month that stands out for a weapon type within one directorate (its hover names "
                 "the directorate), drawn on that type's line. {rule}").format(rule=_(insights.RULE)))

# 5. By seizure context
st.header(_("By seizure context"))
widgets.chart_of(
    data.cached(queries.measure_by, flt, measure.key, "context"), charts.breakdown_bars, "by_context",
    "context", contexts, measure.title, None, (),
    data.cached(queries.measure_by, before[0], measure.key, "context") if before else None,
    before[1] if before else None,
)

# 6. By calendar month
st.header(_("Monthly seasonality, {period}").format(period=data.period_label(flt)))
by_month = data.cached(queries.measure_by, flt, measure.key, "month")
widgets.chart_of(by_month[by_month["month"] > 0], charts.monthly_seasonality, "by_month", measure.title)
without_month = by_month.loc[by_month["month"] == 0, "value"].sum()
if without_month:
    st.caption(_("Not in this chart: {value} from counts of a quarter or a year, which have no month.").format(
        value=i18n.number(without_month)))
