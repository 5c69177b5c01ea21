"""Records (analysts): the seizure lines that match the filter, sorted and paginated in the database, with CSV and
Excel downloads of every matching line."""

import streamlit as st

from seizures import auth, ui

ui.require_role(auth.ANALYST)
flt = st.session_state["filter"]
st.title("Seizure records")
ui.period_or_stop(flt)
rows, illustrative = ui.cached("record_counts", flt)
if rows == 0:
    ui.empty_state()
    st.stop()
ui.provenance_note(flt)

matching, flagged = st.columns(2)
matching.metric("Matching lines", f"{rows:,}")
flagged.metric("Illustrative lines", f"{illustrative:,}")

view = ui.records_controls(flt, rows)
ui.records_table(ui.cached("records_page", flt, view.sort, view.descending, view.page_size, view.offset))
st.caption(
    f"Lines {view.offset + 1:,}–{min(view.offset + view.page_size, rows):,} of {rows:,}. Use **Sort by** to sort "
    "every matching line; clicking a column header only reorders this page."
)
ui.records_downloads(flt, view.sort, view.descending, rows)
