"""Roadmap KPIs (donors): the Roadmap goals and KPIs the project contributes to, with a status per KPI."""

from typing import Callable

import pandas as pd
import streamlit as st

from seizures import charts, i18n, kpis, queries, settings
from seizures.dashboard import data, widgets
from seizures.filters import SeizureFilter
from seizures.i18n import N_, _

BETTER_WHEN = {"higher": N_("Better when higher."), "lower": N_("Better when lower.")}
STATUS_BADGES = {  # KPI status -> badge colour and icon
    "on track": ("green", ":material/check_circle:"),
    "at risk": ("orange", ":material/warning:"),
    "off track": ("red", ":material/cancel:"),
    "no data": ("gray", ":material/remove:"),
}


def status_badge(status: str) -> None:
    colour, icon = STATUS_BADGES.get(status, ("gray", None))
    st.badge(_(status) if status in STATUS_BADGES else status, color=colour, icon=icon)


def report_downloads(flt: SeizureFilter) -> None:
    """The donor report for the selected period, as PDF and as Excel workbook, built from the database when clicked.

    Not offered in the public mode: the report's tables by directorate are not small-count protected.
    """
    if settings.public_mode() or data.period(flt) is None:
        return
    from seizures import report  # fpdf2 and kaleido load only when the page offers the report

    db, lang = data.engine(), i18n.language()

    def build(kind: str) -> Callable[[], bytes]:
        def make() -> bytes:
            with i18n.using(lang):  # the click is served outside this run's language context
                return report.build_pdf(db, flt) if kind == "pdf" else report.build_xlsx(db, flt)
        return make

    left, right = st.columns(2)
    left.download_button(
        _("Donor report (PDF)"), build("pdf"), file_name="donor_report.pdf", mime="application/pdf",
        key="report_pdf", on_click="ignore", icon=":material/picture_as_pdf:",
    )
    right.download_button(
        _("Donor report (Excel)"), build("xlsx"), file_name="donor_report.xlsx", key="report_xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore",
        icon=":material/download:",
    )


def kpi_card(kpi, values: pd.DataFrame) -> None:
    """One KPI: its status, wording, baseline, target and latest actual, beside its values in the period."""
    series = values[values["kpi_number"] == kpi.number]
    with st.container(border=True):
        about, trend = st.columns([1, 1])
        with about:
            st.markdown(f"#### KPI {kpi.number}")
            status_badge(kpi.status)
            if pd.notna(kpi.title) and kpi.title:
                st.markdown(kpi.title)
            else:
                st.caption(_("Title not available yet: to be filled in from the Roadmap's monitoring framework."))
            better = f"{_(BETTER_WHEN[kpi.direction])} " if pd.notna(kpi.direction) else ""
            st.caption(better + _("Status: {reason}.").format(reason=kpi.reason))
            baseline, target, latest = st.columns([1, 1, 1.4])
            baseline.metric(_("Baseline {year}").format(year=kpis.BASELINE_YEAR), i18n.number(kpi.baseline))
            target.metric(_("Target {year}").format(year=kpis.TARGET_YEAR), i18n.number(kpi.target))
            latest.metric(
                _("Actual {year}").format(year=kpi.latest_year) if pd.notna(kpi.latest_value) else _("Actual"),
                i18n.number(kpi.latest_value),
                delta=i18n.number(kpi.change, signed=True) if pd.notna(kpi.change) else None,
                delta_description=_("since baseline") if pd.notna(kpi.change) else None,
                delta_color="inverse" if kpi.direction == "lower" else "normal",
            )
        with trend:
            if series.empty:
                st.caption(_("No values in the selected period."))
            else:
                fig = data.figure(charts.kpi_sparkline, series, kpi.baseline, kpi.target, kpi.unit)
                widgets.chart(fig, series, f"kpi_{kpi.number}_values")


# 1. What the page shows
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
report_downloads(flt)

# 2. The KPIs, their values in the period and their status
goals = data.cached(queries.contributing_goals)
kpi_list = data.cached(queries.contributing_kpis)
values = data.cached(queries.kpi_values_in_period, flt)
table = data.derived(kpis.kpi_table, kpi_list, values)

# 3. Status at a glance, the table and the progress chart; then the KPIs under their goals
if kpi_list.empty:
    widgets.nothing_loaded(N_("Roadmap KPIs"))
else:
    st.header(_("Status at a glance"))
    for column, (status, count) in zip(st.columns(len(kpis.STATUSES)), kpis.status_counts(table).items()):
        column.metric(_(status).capitalize(), count)
    widgets.dataframe(
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
            "progress": st.column_config.NumberColumn(_("Progress to target"), format="%.0f" + i18n.percent_sign().replace("%", "%%")),
            "trend": st.column_config.LineChartColumn(_("Trend"), color="#0072B2"),
        },
    )
    progress = kpis.progress_series(values)
    if progress.empty:
        widgets.empty_state(N_("No KPI values in the selected period."))
    else:
        widgets.chart(data.figure(charts.kpi_progress, progress), progress, "kpi_progress")
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
            kpi_card(kpi, values)
        if linked.empty:
            st.caption(_("No contributing KPI is linked to this goal (the links are editable in data/roadmap_kpis.csv)."))
        shown.update(linked["number"])
    unlinked = table[~table["number"].isin(shown)]
    if not unlinked.empty:
        st.subheader(_("KPIs not linked to one of these goals"))
        st.caption(_("Cross-cutting, or their goal is not known yet (editable in data/roadmap_kpis.csv)."))
        for kpi in unlinked.itertuples():
            kpi_card(kpi, values)
