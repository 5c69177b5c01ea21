"""Regions (analysts): trends per regional directorate, share of the national total, rate per 100,000 inhabitants
where a population figure is known, and a directorate × year heat-map."""

import pandas as pd
import streamlit as st

from seizures import charts, disclosure, i18n, queries
from seizures.dashboard import data, widgets
from seizures.i18n import _, ngettext


def region_rates(summary: pd.DataFrame, measure: queries.Measure, period_text: str) -> None:
    """Each directorate's yearly rate per 100,000 inhabitants, or a clear "no population figure" with the reason."""
    if summary.empty:
        widgets.empty_state()
        return
    hidden = [disclosure.note_of(summary, "value", i) for i in summary.index]
    known = summary["population"].fillna(0) > 0
    no_figure = _("no population figure")
    table = pd.DataFrame({
        _("Directorate"): summary["name"],
        f"{measure.title}, {period_text}": [h or i18n.number(v) for h, v in zip(hidden, summary["value"])],
        _("Population"): summary["population"].map(lambda p: no_figure if pd.isna(p) else i18n.number(p, 0)),
        _("{measure} per 100,000 inhabitants per year").format(measure=_(measure.label)): [
            no_figure if not ok else h or i18n.number(r, 1)
            for r, ok, h in zip(summary["rate_per_100k"], known, hidden)
        ],
    })
    st.dataframe(table, hide_index=True, width="stretch", key="region_rates")
    widgets.suppression_legend(summary)
    st.caption(_(
        "Rate = the period's total divided by its number of years and by the population, times 100,000. "
        "Populations are shown only where a public figure exists."
    ))
    missing = summary[~known]
    if not missing.empty:
        # The notes are stored reference data (English).
        no_public = _("no public figure.")
        lines = "\n".join(f"- **{row.name}**: {row.population_remark or no_public}" for row in missing.itertuples())
        heading = ngettext("**No population figure** for {n} directorate, so no rate:",
                           "**No population figure** for {n} directorates, so no rate:", len(missing))
        st.info(f"{heading.format(n=len(missing))}\n{lines}", icon=":material/info:")


# 1. The period, the measure and the directorates
flt = st.session_state["filter"]
st.title(_("Regional directorates"))
first, last = widgets.period_or_stop(flt)
widgets.provenance_note(flt)
st.caption(_("Choose directorates under **Regional directorates** in the sidebar; with none chosen, all are shown."))
measure = widgets.measure_picker(flt, key="regions_measure")
names = data.region_names()
by_region_year = data.cached(queries.measure_by, flt, measure.key, "region_code", "year")

# 2. Each directorate's trend
st.subheader(_("Trend per directorate"))
widgets.chart_of(by_region_year, charts.region_trends, "region_trends", names, measure.title)

# 3. Shares of the national total (all directorates, whatever the directorate filter)
st.subheader(_("Share of the national total, {period}").format(period=data.period_label(flt)))
national = data.cached(queries.measure_by, flt.with_regions(()), measure.key, "region_code")
summary = data.derived(queries.region_summary, national, data.regions(), flt.regions, last - first + 1)
widgets.chart_of(summary, charts.region_shares, "region_shares")

# 4. Rates per 100,000 inhabitants, where a population is published
st.subheader(_("Rate per 100,000 inhabitants"))
region_rates(summary, measure, data.period_label(flt))

# 5. Directorate × year
st.subheader(_("Directorate × year"))
widgets.chart_of(by_region_year, charts.region_year_heatmap, "region_year_heatmap", names, measure.title)
