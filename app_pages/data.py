"""Data (administrators): import seizure records from CSV or Excel, see past imports, roll one back, list users."""

import math

import pandas as pd
import streamlit as st

from seizures import auth, ingest, settings, store, template, ui

ui.require_role(auth.ADMIN)

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_COLUMNS = {
    "id": "import", "imported_at": "imported at", "user_name": "by", "kind": "kind", "file_name": "file",
    "rows_read": "rows read", "rows_accepted": "accepted", "rows_rejected": "rejected",
    "lines_stored": "lines now stored", "status": "status", "content_hash": "SHA-256 (start)",
}

st.title("Data: import seizure records")
st.caption("For administrators. Imported records are stored as real records, not illustrative; each import can be "
           "rolled back.")
engine = ui.engine()


@st.cache_data(show_spinner=False)
def _templates(version: tuple[int, int]) -> tuple[bytes, bytes, bytes]:
    return template.template_csv(), template.allowed_values_csv(engine), template.template_xlsx(engine)


def _draw_problems(result: ingest.ImportResult) -> None:
    st.dataframe(result.errors, hide_index=True, width="stretch", key="import_errors")
    st.download_button(
        "Download the problems (CSV)", ingest.spreadsheet_safe(result.errors).to_csv(index=False).encode("utf-8"),
        file_name=f"{result.file_name}.problems.csv", mime="text/csv", key="download_problems",
    )


def _draw_result(result: ingest.ImportResult) -> None:
    for note in result.notes:
        st.info(note, icon="ℹ️")
    if result.status == "already_imported":
        st.info(result.summary(), icon="🔁")
    elif result.file_error:
        st.error(result.summary(), icon="🚫")
    elif result.status == "rejected":
        st.error(f"{result.summary()}. Correct the rows below and upload the file again, or tick "
                 "\"Import valid rows only\".", icon="🚫")
        _draw_problems(result)
    else:
        st.success(result.summary(), icon="✅")
        if result.rejected_rows is not None:
            st.warning(f"{result.rows_rejected:,} rows were not imported: download them, correct them and import "
                       "that file (its import_errors column is ignored).", icon="⚠️")
            st.download_button(
                "Download the rejected rows (CSV)", result.rejected_rows.to_csv(index=False).encode("utf-8"),
                file_name=f"{result.file_name}.rejected.csv", mime="text/csv", key="download_rejected",
            )
            _draw_problems(result)


st.subheader("1. Get the template")
csv_template, allowed_csv, xlsx_template = _templates(ui.data_version())
cols = st.columns(3)
cols[0].download_button("Template (Excel)", xlsx_template, "seizures-template.xlsx", XLSX_MIME, key="tpl_xlsx")
cols[1].download_button("Template (CSV)", csv_template, "seizures-template.csv", "text/csv", key="tpl_csv")
cols[2].download_button("Allowed values (CSV)", allowed_csv, "seizures-allowed-values.csv", "text/csv", key="tpl_values")
st.caption(
    "Dates as YYYY-MM-DD or DD.MM.YYYY; directorates by code or by name in Albanian, English or Serbian; column "
    "names in any case. Delete the example row before importing."
)

st.subheader("2. Upload and import")
try:
    limit_mb = settings.max_upload_mb()
except ValueError as exc:
    st.error(f"Uploads are off until the setting is corrected: {exc}", icon="🚫")
    st.stop()
uploaded = st.file_uploader(
    f"CSV or Excel (.xlsx) file, up to {limit_mb:g} MB", type=["csv", "txt", "xlsx"],
    max_upload_size=max(1, math.ceil(limit_mb)), key="upload",
)
skip_invalid = st.checkbox(
    "Import valid rows only (the invalid rows are skipped and offered as a file to correct)", key="skip_invalid"
)
if st.button("Import", type="primary", disabled=uploaded is None, key="import"):
    bar = st.progress(0.0, text="Starting")
    try:
        result = ingest.import_file(
            engine, uploaded.getvalue(), uploaded.name, skip_invalid=skip_invalid, user=ui.user_name(),
            progress=lambda fraction, text: bar.progress(fraction, text=text),
        )
    except store.StoreError as exc:  # e.g. the database file is held by another process
        st.session_state.pop("import_result", None)
        st.error(f"Nothing imported: {exc}", icon="🚫")
    else:
        st.session_state["import_result"] = result
        if result.written:
            st.cache_data.clear()
            st.session_state.pop("rollback_id", None)  # offer the newest import first
    bar.empty()
if "import_result" in st.session_state:
    _draw_result(st.session_state["import_result"])

st.subheader("3. Past imports")
if message := st.session_state.pop("rollback_message", None):
    st.success(message, icon="↩️")
imports = ingest.list_imports(engine)
if imports.empty:
    st.info("No imports yet.")
else:
    shown = imports.assign(
        status=imports["rolled_back_at"].map(lambda t: f"rolled back {t:%Y-%m-%d %H:%M}" if pd.notna(t) else "active"),
        content_hash=imports["content_hash"].str.slice(0, 12),
    )[list(IMPORT_COLUMNS)].rename(columns=IMPORT_COLUMNS)
    st.dataframe(shown, hide_index=True, width="stretch", key="imports_table")
    active = imports[imports["rolled_back_at"].isna()]
    if not active.empty:
        labels = {
            int(r.id): f"#{r.id} {r.file_name} ({r.kind}, {r.lines_stored:,} lines, {r.imported_at:%Y-%m-%d %H:%M})"
            for r in active.itertuples()
        }
        chosen = st.selectbox("Import to roll back", list(labels), format_func=labels.get, key="rollback_id")
        lines = int(active.set_index("id").at[chosen, "lines_stored"])
        confirmed = st.checkbox(f"Yes, remove import #{chosen} and its {lines:,} lines from the store",
                                key="rollback_confirm")
        if st.button("Roll back", disabled=not confirmed, key="rollback"):
            try:
                removed = ingest.rollback(engine, chosen)
            except (ingest.RollbackError, store.StoreError) as exc:
                st.error(str(exc), icon="🚫")
            else:
                st.cache_data.clear()
                st.session_state.pop("import_result", None)
                st.session_state["rollback_message"] = f"Rolled back import #{chosen}: {removed:,} lines removed."
                st.session_state.pop("rollback_confirm", None)
                st.rerun()

st.subheader("4. Users")
ui.user_list()
