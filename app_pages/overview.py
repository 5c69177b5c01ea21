"""Overview (managers): the last selected year's headline figures, the yearly trend against the published totals,
and the split by regional directorate."""

import pandas as pd
import streamlit as st

from seizures import charts, i18n, queries
from seizures.dashboard import data, widgets
from seizures.i18n import _


def headline_metrics(headline: pd.DataFrame, period_text: str) -> None:
    """One metric per headline measure: the last year's value and its change from the year before."""
    for column, (i, row) in zip(st.columns(len(headline)), enumerate(headline.itertuples())):
        if pd.isna(row.previous) or pd.isna(row.change):
            delta = None
        else:
            change = i18n.number(row.change, signed=True)
            if not pd.isna(row.pct_change):
                change += f" ({i18n.percent(row.pct_change, signed=True)})"
            delta = _("{change} vs {year}").format(change=change, year=row.year - 1)
        index = headline.index[i]
        column.metric(
            f"{_(row.label)} ({_(row.unit)})", widgets.shown_number(headline, "value", index), delta=delta,
            delta_color="off", border=True,
            help=_("{year}. Total for {period}: {total}.").format(
                year=row.year, period=period_text, total=widgets.shown_number(headline, "period_total", index)),
        )
    widgets.suppression_legend(headline)


# 1. The period and what the figures are
flt = st.session_state["filter"]
st.title(_("Firearms seizures in Kosovo"))
first, last = widgets.period_or_stop(flt)
widgets.provenance_note(flt)

# 2. The last year's headline figures
st.subheader(_("Headline figures, {year}").format(year=last))
headline_metrics(data.cached(queries.headline_figures, flt, first, last), data.period_label(flt))
st.caption(_(
    "Change from {previous} to {year}, from the seizure records that match the filter; the tooltip gives each "
    "figure's total for {period}. The published national totals are in the chart below."
).format(previous=last - 1, year=last, period=data.period_label(flt)))

# 3. The yearly trend: published national totals beside the record-level sums
st.subheader(_("Yearly trend: published totals and record-level sums"))
for column, key in zip(st.columns(2), ("firearms", "ammunition")):
    measure = queries.MEASURES_BY_KEY[key]
    with column:
        widgets.chart_of(
            data.cached(queries.recorded_and_published, flt, key), charts.yearly_trend, f"trend_{key}",
            measure.title, widgets.recorded_label(flt), _(measure.label),
        )
st.caption(_(
    "The black line is the national figure Kosovo Police published; it does not change with the filter. "
    "The bars add up the seizure records that match the filter."
))

# 4. By regional directorate
st.subheader(_("By regional directorate"))
measure = widgets.measure_picker(flt, key="overview_measure")
widgets.chart_of(
    data.cached(queries.measure_by, flt, measure.key, "region_code", "year"), charts.stacked_by_region,
    "by_directorate", data.region_names(), measure.title,
)
