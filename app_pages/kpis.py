"""Roadmap KPIs (donors): the Roadmap goals and KPIs the project contributes to, with a status per KPI."""

import pandas as pd
import streamlit as st

from seizures import charts, kpis, ui
from seizures.i18n import N_, _

flt = st.session_state["filter"]
st.title(_("Roadmap KPIs"))
st.markdown(_(
    "The Western Balkans SALW Control Roadmap (London Summit, 2018) has 7 goals and 14 key performance indicators "
    "(KPIs), with {year} as the baseline year. This page shows the goals and KPIs the project contributes to."
).format(year=kpis.BASELINE_YEAR))
st.warning(
    _("**KPI values are illustrative**: generated demo data, not figures reported to SEESAC. Baselines, targets, "
      "actual values and hence the statuses below show how the page works, not real progress."),
    icon=":material/science:",
)
st.caption(_(
    "Filters: the sidebar **period** selects the KPI years (the latest actual is the latest year in the period). "
    "Directorate, category, weapon type and context do not apply: the KPIs are national figures."
))

st.caption(_("For a steering committee: the selected period's headline figures, charts, KPI table, training and "
             "equipment, with the methodology, in one document."))
ui.report_downloads(flt)

goals = ui.cached("contributing_goals")
kpi_list = ui.cached("contributing_kpis")
values = ui.cached("kpi_values_in_period", flt)
table = ui.derived(kpis.kpi_table, kpi_list, values)


BETTER_WHEN = {"higher": N_("Better when higher."), "lower": N_("Better when lower.")}


def kpi_card(kpi) -> None:
    series = values[values["kpi_number"] == kpi.number]
    with st.container(border=True):
        about, trend = st.columns([1, 1])
        with about:
            st.markdown(f"#### KPI {kpi.number}")
            ui.status_badge(kpi.status)
            if pd.notna(kpi.title) and kpi.title:
                st.markdown(kpi.title)
            else:
                st.caption(_("Title not available yet: to be filled in from the Roadmap's monitoring framework."))
            better = f"{_(BETTER_WHEN[kpi.direction])} " if pd.notna(kpi.direction) else ""
            st.caption(better + _("Status: {reason}.").format(reason=kpi.reason))
            baseline, target, latest = st.columns([1, 1, 1.4])
            baseline.metric(_("Baseline {year}").format(year=kpis.BASELINE_YEAR), ui.number(kpi.baseline))
            target.metric(_("Target {year}").format(year=kpis.TARGET_YEAR), ui.number(kpi.target))
            latest.metric(
                _("Actual {year}").format(year=kpi.latest_year) if pd.notna(kpi.latest_value) else _("Actual"),
                ui.number(kpi.latest_value),
                delta=ui.number(kpi.change, signed=True) if pd.notna(kpi.change) else None,
                delta_description=_("since baseline") if pd.notna(kpi.change) else None,
                delta_color="inverse" if kpi.direction == "lower" else "normal",
            )
        with trend:
            if series.empty:
                st.caption(_("No values in the selected period."))
            else:
                fig = ui.figure(charts.kpi_sparkline, series, kpi.baseline, kpi.target, kpi.unit)
                ui.chart(fig, series, f"kpi_{kpi.number}_values")


if kpi_list.empty:
    ui.nothing_loaded(N_("Roadmap KPIs"))
else:
    st.header(_("Status at a glance"))
    for column, (status, count) in zip(st.columns(len(kpis.STATUSES)), kpis.status_counts(table).items()):
        column.metric(_(status).capitalize(), count)
    ui.dataframe(
        table.assign(
            status=table["status"].map(_),
            direction=table["direction"].map(lambda d: _(d) if isinstance(d, str) else d),
            progress=(table["progress"] * 100).round(0),  # rounded as in the status text
            trend=[values.loc[values["kpi_number"] == n, "value"].tolist() for n in table["number"]],
        ),
        hide_index=True, width="stretch", placeholder="–",
        column_order=["number", "goal_number", "status", "baseline", "target", "direction", "latest_year",
                      "latest_value", "progress", "trend"],
        column_config={
            "number": st.column_config.NumberColumn(_("KPI")),
            "goal_number": st.column_config.NumberColumn(_("Goal")),
            "status": _("Status"),
            "baseline": st.column_config.NumberColumn(_("Baseline"), format="localized"),
            "target": st.column_config.NumberColumn(_("Target"), format="localized"),
            "direction": _("Better when"),
            "latest_year": st.column_config.NumberColumn(_("Latest year"), format="%d"),
            "latest_value": st.column_config.NumberColumn(_("Latest actual"), format="localized"),
            "progress": st.column_config.NumberColumn(_("Progress to target"), format="%.0f" + ui.percent_sign().replace("%", "%%")),
            "trend": st.column_config.LineChartColumn(_("Trend"), color="#0072B2"),
        },
    )
    progress = kpis.progress_series(values)
    if progress.empty:
        ui.empty_state(N_("No KPI values in the selected period."))
    else:
        ui.chart(ui.figure(charts.kpi_progress, progress), progress, "kpi_progress")
    with st.expander(_("How the status is computed"), expanded=True):
        st.markdown(kpis.rule())

    st.header(_("By Roadmap goal"))
    shown = set()
    for goal in goals.itertuples():
        st.subheader(_("Goal {number}").format(number=goal.number))
        st.markdown(f"*{goal.title}*" if pd.notna(goal.title) else "*{}*".format(_("Wording not available.")))
        if goal.wording_status != "confirmed":
            st.caption(":orange[:material/warning: **{check}**] ({source}).".format(
                check=_("Wording to be verified"), source=goal.source))
        linked = table[table["goal_number"].isin([goal.number])]
        for kpi in linked.itertuples():
            kpi_card(kpi)
        if linked.empty:
            st.caption(_("No contributing KPI is linked to this goal (the links are editable in data/roadmap_kpis.csv)."))
        shown.update(linked["number"])
    unlinked = table[~table["number"].isin(shown)]
    if not unlinked.empty:
        st.subheader(_("KPIs not linked to one of these goals"))
        st.caption(_("Cross-cutting, or their goal is not known yet (editable in data/roadmap_kpis.csv)."))
        for kpi in unlinked.itertuples():
            kpi_card(kpi)
