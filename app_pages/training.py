"""Training & capacity (donors): officers trained by course and gender, and the equipment delivered."""

import streamlit as st

from seizures import charts, i18n, queries
from seizures.dashboard import data, widgets
from seizures.i18n import N_, _

courses = data.cached(queries.trainings_by_course)
courses = courses.assign(course=courses["course"].map(i18n.data_text))  # stored names, translated where known
equipment = data.cached(queries.equipment_delivered)
equipment = equipment.assign(item=equipment["item"].map(i18n.data_text), recipient=equipment["recipient"].map(i18n.data_text))

st.title(_("Training & capacity"))
if not (courses.empty and equipment.empty):
    st.success(
        _("**Published figures**, as reported in the CPIAT project results: not illustrative, not estimated."),
        icon=":material/verified:",
    )
st.caption(_(
    "The sidebar filters do not apply to this page: the published training and equipment figures have no "
    "breakdown by year, directorate, category, weapon type or context."
))


def course_card(row, note: str) -> None:
    with st.container(border=True):
        st.markdown(f"**{row.course}**")
        trained, men, women, share = st.columns(4)
        trained.metric(_("Trained"), i18n.number(row.total))
        men.metric(_("Men"), i18n.number(row.men))
        women.metric(_("Women"), i18n.number(row.women))
        share.metric(_("Share of women"), i18n.percent(row.share_women))
        st.caption(note)


st.header(_("Officers trained, by course and gender"))
if courses.empty:
    widgets.nothing_loaded(N_("training figures"))
else:
    trainees = queries.with_share_of_women(courses, _("All courses"))
    course_rows = trainees.iloc[:-1]
    course_card(trainees.iloc[-1], _("Sum of the courses below."))
    for row in course_rows.itertuples():
        course_card(row, _("Source: {source}").format(source=row.source))
    widgets.chart(data.figure(charts.trainees_by_gender, course_rows), trainees, "trainees_by_course_and_gender")

st.header(_("Equipment delivered"))
if equipment.empty:
    widgets.nothing_loaded(N_("equipment deliveries"))
else:
    widgets.chart(data.figure(charts.equipment_delivered, equipment), equipment, "equipment_delivered")
    widgets.dataframe(
        equipment.dropna(axis="columns", how="all"), hide_index=True, width="stretch", height="content",
        column_config={"item": _("Item"), "quantity": st.column_config.NumberColumn(_("Quantity"), format="localized"),
                       "recipient": _("Recipient"), "year": _("Year"), "source": _("Source")},
    )
