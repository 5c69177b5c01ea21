"""Overview: yearly totals of firearms, ammunition and explosives, with the published figures."""

import streamlit as st

from seizures import ui

flt = st.session_state["filter"]
st.title("Firearms seizures in Kosovo")

published = ui.cached("published")
firearms = published[published["indicator"] == "firearms_confiscated"]
st.subheader("Firearms confiscated, as published by Kosovo Police")
cols = st.columns(max(len(firearms), 1))
for col, row in zip(cols, firearms.itertuples()):
    col.metric(str(row.year), f"{row.value:,.0f}")

st.subheader("Record-level totals by year (illustrative)")
st.caption(ui.ILLUSTRATIVE_NOTE)
totals = ui.cached("totals_by_year", flt)
if totals.empty:
    st.info("No seizure records match the filters.")
else:
    table = totals.pivot_table(index="year", columns=["category", "unit"], values="quantity", aggfunc="sum")
    st.dataframe(table, width="stretch")
