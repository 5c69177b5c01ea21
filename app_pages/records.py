"""Records (analysts): the seizure lines that match the filter, sorted and paginated in the database, with CSV and
Excel downloads of every matching line."""

import streamlit as st

from seizures import auth, ui
from seizures.i18n import _

ui.require_role(auth.ANALYST)
flt = st.session_state["filter"]
st.title(_("Seizure records"))
ui.period_or_stop(flt)
rows, illustrative = ui.cached("record_counts", flt)
if rows == 0:
    ui.empty_state()
    st.stop()
ui.provenance_note(flt)

matching, flagged = st.columns(2)
matching.metric(_("Matching lines"), ui.number(rows))
flagged.metric(_("Illustrative lines"), ui.number(illustrative))

view = ui.records_controls(flt, rows)
ui.records_table(ui.cached("records_page", flt, view.sort, view.descending, view.page_size, view.offset))
st.caption(_(
    "Lines {first}–{last} of {rows}. Use **Sort by** to sort every matching line; clicking a column header only "
    "reorders this page."
).format(first=ui.number(view.offset + 1), last=ui.number(min(view.offset + view.page_size, rows)), rows=ui.number(rows)))
ui.records_downloads(flt, view.sort, view.descending, rows)
