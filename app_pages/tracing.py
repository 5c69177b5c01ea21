"""SDG 16.4.2 and tracing (donors, viewers and above): the indicator as the UN defines it, its numerator and
denominator, the tracing funnel, by year and directorate, where the tracing fields are recorded; and the tables of the
UNODC Illicit Arms Flows Questionnaire for a year.

Not part of the public view: tracing is recorded for few firearms, so the indicator and the funnel by directorate
and year are percentages of small counts (1 of 2 traced), and the questionnaire's tables list significant seizures one
by one. Small-count suppression would hide most cells and, in a percentage, not protect the count behind it.
"""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from seizures import auth, charts, i18n, iafq, tracing
from seizures.dashboard import access, data, widgets
from seizures.i18n import N_, _


def share_text(value) -> str:
    """The indicator as shown: a percentage, or "not recorded" (never 0 % for want of data)."""
    return _("not recorded") if value is None or pd.isna(value) else i18n.percent(value)


def funnel_figure(row: pd.Series) -> go.Figure:
    stages = tracing.stages(row)
    fig = go.Figure(go.Funnel(
        y=[_(tracing.STAGES[s]) for s in stages["stage"]], x=stages["value"], textinfo="value+percent initial",
        marker={"color": charts.PALETTE[0]},
    ))
    return charts.themed(fig, _("Tracing funnel: firearms (pieces)"))


def indicator_table(frame: pd.DataFrame, first_column: str, label: str, names=None) -> None:
    """The funnel per year or directorate, with the indicator as text ("not recorded" where it is)."""
    shown = frame.assign(
        share=frame["share_pct"].map(share_text),
        share_of_results=frame["share_of_results_pct"].map(share_text),
    )
    if names is not None:
        shown[first_column] = shown[first_column].map(names)
    number = {"format": "localized"}
    widgets.dataframe(
        shown[[first_column, "seized", "not_recorded", "marked", "trace_requested", "result_recorded", "established",
               "share", "share_of_results"]],
        hide_index=True, width="stretch", height="content",
        column_config={
            first_column: label,
            "seized": st.column_config.NumberColumn(_("Seized (denominator)"), **number),
            "not_recorded": st.column_config.NumberColumn(_("No tracing field at all"), **number),
            "marked": st.column_config.NumberColumn(_("Marking found"), **number),
            "trace_requested": st.column_config.NumberColumn(_("Trace requested"), **number),
            "result_recorded": st.column_config.NumberColumn(_("Trace result recorded"), **number),
            "established": st.column_config.NumberColumn(_("Origin established (numerator)"), **number),
            "share": _("SDG 16.4.2"),
            "share_of_results": _("Established, of those with a result"),
        },
    )


def iafq_download(years: tuple[int, int], regions: tuple[str, ...]) -> None:
    """The questionnaire's tables for one year, built when clicked (analysts and above: they list seizures)."""
    role = access.current_role()
    if role is None or not auth.allows(role, auth.ANALYST):
        st.caption(_("The questionnaire's tables list significant seizures one by one: analysts and administrators "
                     "can download them here."))
        return
    year = st.selectbox(_("Year"), list(range(years[1], years[0] - 1, -1)), key="iafq_year")
    db, lang = data.engine(), i18n.language()

    def build() -> bytes:
        with i18n.using(lang):
            return iafq.workbook(db, year, regions, lang)

    st.download_button(
        _("IAFQ tables for {year} (Excel)").format(year=year), build, file_name=f"iafq-{year}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore",
        key="iafq_xlsx", icon=":material/download:",
    )
    st.caption(_("The exact IAFQ sheet layout is not confirmed here: the workbook follows the questionnaire's topics, "
                 "one sheet each, with a sheet of what is not recorded. Copy its figures into the official form."))


# 1. What the indicator is, and which firearms it counts
access.require_role(auth.VIEWER)
flt = st.session_state["filter"]
st.title(_("SDG 16.4.2 and tracing"))
# The definition in the page's text colour: Streamlit greys a blockquote below 4.5:1 (axe, tests/test_accessibility.py).
source = _("UN SDG indicator 16.4.2 (metadata)")
st.markdown(f"**{_(tracing.DEFINITION)}.** — *{source}*")
st.caption(_(
    "Counted here: the firearms (pieces) of the sidebar's period, directorates, weapon types and contexts, record-level "
    "lines and counts by period alike. Numerator: those whose trace result is \"illicit origin or context "
    "established\"; denominator: all of them. Where no trace result is recorded the indicator is \"not recorded\", "
    "never 0 %."
))
first, last = widgets.period_or_stop(flt)
widgets.provenance_note(flt)

# 2. The indicator: the last year and the period
by_year = data.cached(tracing.funnel_by, flt, "year")
period = data.cached(tracing.funnel_by, flt)
if period.empty or period["seized"].iloc[0] == 0:
    widgets.empty_state(N_("No firearms match the filters."))
    st.stop()
total = period.iloc[0]
year_rows = by_year[by_year["year"] == last]
latest = year_rows.iloc[0] if not year_rows.empty else None
st.header(_("The indicator"))
columns = st.columns(4)
columns[0].metric(_("SDG 16.4.2, {year}").format(year=last), share_text(latest["share_pct"] if latest is not None else None),
                  border=True, help=_("Firearms whose illicit origin or context was established, of all firearms "
                                      "seized, found or surrendered in {year}.").format(year=last))
columns[1].metric(_("SDG 16.4.2, {period}").format(period=data.period_label(flt)), share_text(total["share_pct"]),
                  border=True)
columns[2].metric(_("Origin established, {period}").format(period=data.period_label(flt)),
                  i18n.number(total["established"]), border=True)
columns[3].metric(_("Firearms seized, {period}").format(period=data.period_label(flt)), i18n.number(total["seized"]),
                  border=True)
if total["not_recorded"] > 0:
    st.warning(_("{missing} of the {seized} firearms seized in {period} have no tracing field at all (no marking, "
                 "trace request, result, country, legal basis, criminal context or significance recorded).").format(
        missing=i18n.number(total["not_recorded"]), seized=i18n.number(total["seized"]),
        period=data.period_label(flt)), icon=":material/help:")

# 3. The funnel of the period
st.header(_("Tracing funnel, {period}").format(period=data.period_label(flt)))
funnel = tracing.stages(total)
widgets.chart(data.figure(funnel_figure, total), funnel.assign(stage=funnel["stage"].map(lambda s: _(tracing.STAGES[s]))),
              "tracing_funnel")
st.caption(_(
    "Each stage counts firearms with that field recorded: marking found {marked} (no marking found {unmarked}, not "
    "recorded {unknown}); trace requested {requested}; a trace result recorded for {results}, of which origin "
    "established {established}, not established {not_established}, pending {pending}. An origin can be established "
    "without a trace request (national records, an investigation), so a stage may exceed the one before."
).format(marked=i18n.number(total["marked"]), unmarked=i18n.number(total["unmarked"]),
         unknown=i18n.number(total["marking_not_recorded"]), requested=i18n.number(total["trace_requested"]),
         results=i18n.number(total["result_recorded"]), established=i18n.number(total["established"]),
         not_established=i18n.number(total["not_established"]), pending=i18n.number(total["pending"])))

# 4. By year and by directorate
st.header(_("By year"))
indicator_table(by_year.assign(year=by_year["year"].astype(str)), "year", _("Year"))
st.header(_("By regional directorate, {period}").format(period=data.period_label(flt)))
by_region = data.cached(tracing.funnel_by, flt, "region_code")
names = {**data.region_names(), "": _("Whole jurisdiction (not by region)")}
indicator_table(by_region, "region_code", _("Directorate"), names=lambda code: names.get(code, code))

# 5. The questionnaire
st.header(_("UNODC Illicit Arms Flows Questionnaire"))
iafq_download((first, last), flt.regions)
