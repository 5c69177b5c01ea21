"""Records (analysts): the seizure lines that match the filter, sorted and paginated in the database, with CSV and
Excel downloads of every matching line."""

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from seizures import auth, export, i18n, queries, vocab
from seizures.dashboard import access, data, widgets
from seizures.filters import SeizureFilter
from seizures.i18n import N_, _

PAGE_SIZES = (25, 50, 100, 250)
SORT_LABELS = {
    "seized_on": N_("Date"), "region_code": N_("Directorate"), "municipality": N_("Municipality"),
    "category": N_("Category"), "weapon_type": N_("Weapon type"), "quantity": N_("Quantity"), "context": N_("Context"),
    "case_ref": N_("Case reference"),
}


@dataclass(frozen=True)
class RecordsView:
    sort: str
    descending: bool
    page_size: int
    page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


def records_controls(flt: SeizureFilter, rows: int) -> RecordsView:
    """Sort column, direction, page size and page number; back to page 1 whenever the filter or the sort changes."""
    sort_col, order_col, size_col, page_col = st.columns([2, 2, 1, 1])
    sort = sort_col.selectbox(_("Sort by"), list(SORT_LABELS), format_func=lambda c: _(SORT_LABELS[c]), key="records_sort")
    order = order_col.radio(_("Order"), [N_("Ascending"), N_("Descending")], format_func=_, key="records_order",
                            horizontal=True)
    page_size = size_col.selectbox(_("Rows per page"), PAGE_SIZES, index=1, key="records_page_size")
    pages = max(1, -(-rows // page_size))
    current = (flt, sort, order, page_size)
    if st.session_state.get("records_view") != current:
        st.session_state["records_view"] = current
        st.session_state["records_page"] = 1
    page = page_col.number_input(_("Page (of {pages})").format(pages=i18n.number(pages)), min_value=1, max_value=pages,
                                 step=1, key="records_page")
    return RecordsView(sort, order == "Descending", page_size, int(page))


def records_table(frame: pd.DataFrame) -> None:
    """One page of seizure lines with readable labels; the illustrative ones are marked."""
    names = data.region_names()
    illustrative, date, quantity, unit = _("Illustrative"), _("Date"), _("Quantity"), _("Unit")
    table = pd.DataFrame({
        illustrative: frame["illustrative"].astype(bool),
        date: frame["seized_on"],
        _("Case reference"): frame["case_ref"],
        _("Directorate"): frame["region_code"].map(lambda c: names.get(c, c)),
        _("Municipality"): frame["municipality"],
        _("Category"): frame["category"].map(lambda c: vocab.label(vocab.CATEGORIES, c)),
        _("Weapon type"): frame["weapon_type"].map(lambda c: vocab.label(vocab.WEAPON_TYPES, c)),
        quantity: frame["quantity"].round(3),
        unit: frame["unit"].map(lambda u: vocab.label(vocab.UNITS, u)),
        _("Context"): frame["context"].map(lambda c: vocab.label(vocab.CONTEXTS, c)),
    })
    widgets.dataframe(
        table, hide_index=True, width="stretch", key="records_table", placeholder="",
        height=min(36 + 35 * len(table), 900),
        column_config={
            illustrative: st.column_config.CheckboxColumn(help=_("Generated demo data, not a real record"), width="small"),
            date: st.column_config.DateColumn(format=i18n.table_date_format(), width="small"),
            quantity: st.column_config.NumberColumn(format="localized", width="small"),
            unit: st.column_config.TextColumn(width="small"),
        },
    )


def records_downloads(flt: SeizureFilter, view: RecordsView, rows: int) -> None:
    """CSV and Excel downloads of every line the filter matches, generated from the database when clicked."""
    db = data.engine()
    left, right = st.columns(2)
    left.download_button(
        _("Download all {rows} rows (CSV)").format(rows=i18n.number(rows)),
        lambda: export.records_csv(db, flt, view.sort, view.descending),
        file_name="seizure_records.csv", mime="text/csv", key="records_csv", on_click="ignore",
        disabled=rows == 0, icon=":material/download:",
    )
    too_big = rows > export.EXCEL_MAX_ROWS
    right.download_button(
        _("Download all {rows} rows (Excel)").format(rows=i18n.number(rows)),
        lambda: export.records_xlsx(db, flt, view.sort, view.descending),
        file_name="seizure_records.xlsx", key="records_xlsx", on_click="ignore", disabled=rows == 0 or too_big,
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", icon=":material/download:",
        help=_("Too many rows for one Excel sheet: use CSV.") if too_big else None,
    )


# 1. Who may see the lines, and how many match
access.require_role(auth.ANALYST)
flt = st.session_state["filter"]
st.title(_("Seizure records"))
widgets.period_or_stop(flt)
rows, illustrative = data.cached(queries.record_counts, flt)
if rows == 0:
    widgets.empty_state()
    st.stop()
widgets.provenance_note(flt)
matching, flagged = st.columns(2)
matching.metric(_("Matching lines"), i18n.number(rows))
flagged.metric(_("Illustrative lines"), i18n.number(illustrative))

# 2. One page of them, sorted in the database
view = records_controls(flt, rows)
records_table(data.cached(queries.records_page, flt, view.sort, view.descending, view.page_size, view.offset))
st.caption(_(
    "Lines {first}–{last} of {rows}. Use **Sort by** to sort every matching line; clicking a column header only "
    "reorders this page."
).format(first=i18n.number(view.offset + 1), last=i18n.number(min(view.offset + view.page_size, rows)),
         rows=i18n.number(rows)))

# 3. Every matching line, as a file
records_downloads(flt, view, rows)
