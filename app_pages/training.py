"""Training & capacity (donors): officers trained by course and gender, and the equipment delivered."""

import streamlit as st

from seizures import charts, queries, ui

courses = ui.cached("trainings_by_course")
equipment = ui.cached("equipment_delivered")

st.title("Training & capacity")
if not (courses.empty and equipment.empty):
    st.success(
        "**Published figures**, as reported in the CPIAT project results: not illustrative, not estimated.",
        icon=":material/verified:",
    )
st.caption(
    "The sidebar filters do not apply to this page: the published training and equipment figures have no "
    "breakdown by year, directorate, category, weapon type or context."
)


def course_card(row, note: str) -> None:
    with st.container(border=True):
        st.markdown(f"**{row.course}**")
        trained, men, women, share = st.columns(4)
        trained.metric("Trained", ui.number(row.total))
        men.metric("Men", ui.number(row.men))
        women.metric("Women", ui.number(row.women))
        share.metric("Share of women", ui.percent(row.share_women))
        st.caption(note)


st.header("Officers trained, by course and gender")
if courses.empty:
    ui.nothing_loaded("training figures")
else:
    trainees = queries.with_share_of_women(courses)
    course_rows = trainees.iloc[:-1]
    course_card(trainees.iloc[-1], "Sum of the courses below.")
    for row in course_rows.itertuples():
        course_card(row, f"Source: {row.source}")
    ui.chart(charts.trainees_by_gender(course_rows), trainees, "trainees_by_course_and_gender")

st.header("Equipment delivered")
if equipment.empty:
    ui.nothing_loaded("equipment deliveries")
else:
    ui.chart(charts.equipment_delivered(equipment), equipment, "equipment_delivered")
    st.dataframe(
        equipment.dropna(axis="columns", how="all"), hide_index=True, width="stretch", height="content",
        column_config={"item": "Item", "quantity": st.column_config.NumberColumn("Quantity", format="localized"),
                       "recipient": "Recipient", "year": "Year", "source": "Source"},
    )
