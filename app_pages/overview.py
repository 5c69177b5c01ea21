"""Overview (managers): the last selected year's headline figures, the yearly trend against the published totals
with the events of the period, what changed from the year before (or between two periods) and where, the months
that stand out, the split by regional directorate, and every published national figure."""

import pandas as pd
import streamlit as st

from seizures import charts, disclosure, i18n, queries
from seizures.dashboard import data, insights, sidebar, widgets
from seizures.i18n import _


def headline_metrics(headline: pd.DataFrame, period_text: str) -> None:
    """One metric per measure: the last year's value and its change from the year before."""
    if headline.empty:
        widgets.empty_state()
        return
    per_row = min(len(headline), 4)
    for i, row in enumerate(headline.itertuples()):
        if i % per_row == 0:  # a row of columns at a time: stacked on a narrow screen, they keep their order
            columns = st.columns(per_row)
        column = columns[i % per_row]
        if pd.isna(row.previous) or pd.isna(row.change):
            delta = None
        else:
            change = i18n.number(row.change, signed=True)
            if not pd.isna(row.pct_change):
                change += f" ({i18n.percent(row.pct_change, signed=True)})"
            delta = _("{change} vs {year}").format(change=change, year=row.year - 1)
        index = headline.index[i]
        recorded = not pd.isna(row.value) or disclosure.note_of(headline, "value", index)
        column.metric(
            data.measure(row.measure).title,
            widgets.shown_number(headline, "value", index) if recorded else _("not recorded"),
            delta=delta, delta_color="off", border=True,
            help=_("{year}. Total for {period}: {total}.").format(
                year=row.year, period=period_text, total=widgets.shown_number(headline, "period_total", index)),
        )
    widgets.suppression_legend(headline)


def published_table(published: pd.DataFrame) -> None:
    """Every published national figure: one year or a span of years, with its qualifier, source and address."""
    widgets.dataframe(
        pd.DataFrame({
            _("Years"): [i18n.period(a, b) for a, b in zip(published["year_from"], published["year_to"])],
            _("Measure"): [data.measure(queries.measure_key(c, u)).title
                           for c, u in zip(published["category"], published["unit"])],
            _("Published figure"): [f"{_(q)} " if isinstance(q, str) and q else "" for q in published["qualifier"]]
                                   + published["value"].map(i18n.number),
            _("Source"): published["source"],
            _("Address"): published["url"],
        }),
        hide_index=True, width="stretch", height="content",
        column_config={_("Address"): st.column_config.LinkColumn()},
    )


# 1. Whose figures, for which years, and what the store holds
flt = st.session_state["filter"]
place = data.jurisdiction()
st.title(_("Firearms seizures in {place}").format(place=place.name()) if place else _("Firearms seizure statistics"))
widgets.name_note(place)
widgets.setup_needed()  # a store without its jurisdiction or vocabulary: what to load first
published = data.cached(queries.published)
years = data.period(flt)
if years is None:  # nothing stored but, perhaps, the published figures
    if published.empty:
        widgets.period_or_stop(flt)
    st.info(_("The store holds published national figures only: no seizure lines or counts by period yet. Import "
              "them on the Data page to see the breakdowns."), icon=":material/database:")
    for column, key in zip(st.columns(2), queries.trend_keys(data.vocabulary(), published, [])):
        measure = data.measure(key)
        with column:
            widgets.chart_of(data.cached(queries.recorded_and_published, flt, measure.key), charts.yearly_trend,
                             f"trend_{measure.slug}", measure.title, widgets.recorded_label(flt), measure.label)
    st.header(_("Published national figures"))
    published_table(published)
    st.stop()
first, last = years
widgets.provenance_note(flt)
widgets.coverage_note(flt)

# 2. The last year's headline figures
st.header(_("Headline figures, {year}").format(year=last))
keys = data.cached(queries.measures_with_data, flt.with_years(first - 1, last))
headline = data.cached(queries.headline_figures, flt, first, last, queries.headline_keys(data.vocabulary(), keys))
headline_metrics(headline, data.period_label(flt))
st.caption(_(
    "Change from {previous} to {year}, from the seizure records that match the filter; the tooltip gives each "
    "figure's total for {period}. The published national totals are in the chart below."
).format(previous=last - 1, year=last, period=data.period_label(flt)))

# 3. The yearly trend: published national totals beside the record-level sums, with the events of the period
st.header(_("Yearly trend: published totals and record-level sums"))
timeline = insights.events_for(flt)
for column, key in zip(st.columns(2), queries.trend_keys(data.vocabulary(), published, keys)):
    measure = data.measure(key)
    with column:
        widgets.chart_of(
            data.cached(queries.recorded_and_published, flt, measure.key), charts.yearly_trend, f"trend_{measure.slug}",
            measure.title, widgets.recorded_label(flt), measure.label, None, False, timeline,
            title=_("{measure} by year: published and recorded").format(measure=measure.title),
        )
st.caption(_(
    "The black line is the national figure as published (its source is in the table below); it does not change with "
    "the filter. The bars add up the seizure records that match the filter."
))
if sidebar.selectable():
    st.caption(_("Click a bar to select its year (or a directorate, weapon type or context on the charts below): the "
                 "filter in the sidebar and the address follow, and \"Clear the selection\" undoes it."))
insights.events_list(timeline)


# 4. For one measure: what changed and where, the months that stand out, the directorates' split
@insights.fragment
def measure_sections(flt) -> None:
    """Everything that depends on the chosen measure or compared periods: a change of either reruns only this."""
    measure = widgets.measure_picker(flt, key="overview_measure")
    insights.what_changed(flt, measure, "overview")
    insights.flags_section(flt, measure, data.period_label(flt))

    st.header(_("By regional directorate"))
    widgets.chart_of(
        data.cached(queries.measure_by, flt, measure.key, "region_code", "year"), charts.stacked_by_region,
        "by_directorate", data.region_names(), measure.title, None, timeline,
    )


measure_sections(flt)

# 5. Every published national figure
if not published.empty:
    with st.expander(_("Published national figures ({count}), including those of several years together").format(
            count=len(published))):
        published_table(published)
