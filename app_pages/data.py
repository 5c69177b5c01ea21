"""Data (administrators): import seizure records from CSV or Excel, see past imports, roll one back, list users."""

import math

import pandas as pd
import streamlit as st

from seizures import auth, i18n, ingest, settings, store, template
from seizures.dashboard import access, data
from seizures.i18n import N_, _

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_COLUMNS = {
    "id": N_("import"), "imported_at": N_("imported at"), "user_name": N_("by"), "kind": N_("kind"),
    "file_name": N_("file"), "rows_read": N_("rows read"), "rows_accepted": N_("accepted"),
    "rows_rejected": N_("rejected"), "lines_stored": N_("lines now stored"), "status": N_("status"),
    "content_hash": N_("SHA-256 (start)"),
}


def user_list() -> None:
    """The accounts of the users file (no password hashes), for administrators."""
    path = settings.users_file()
    try:
        accounts = auth.users(auth.read(path))
    except auth.UsersError as exc:
        st.error(str(exc))
        return
    if not accounts:
        st.info(_("No accounts in {path}.").format(path=path))
        return
    st.dataframe(
        pd.DataFrame([{_("user"): u.username, _("name"): u.name, _("role"): u.role, _("e-mail"): u.email or "",
                       _("login"): _("password") if u.has_password else _("identity provider")} for u in accounts]),
        hide_index=True, width="stretch", key="user_list",
    )
    st.caption(_("From {path}. Add, change or remove accounts with `seizures users add/remove` on the server.").format(
        path=path))


@st.cache_data(show_spinner=False)
def _templates(version: tuple[int, ...]) -> tuple[bytes, bytes, bytes]:
    # version: only the cache key (the allowed values come from the store)
    engine = data.engine()
    return template.template_csv(), template.allowed_values_csv(engine), template.template_xlsx(engine)


def _draw_problems(result: ingest.ImportResult) -> None:
    st.dataframe(result.errors, hide_index=True, width="stretch", key="import_errors")
    st.download_button(
        _("Download the problems (CSV)"), ingest.spreadsheet_safe(result.errors).to_csv(index=False).encode("utf-8"),
        file_name=f"{result.file_name}.problems.csv", mime="text/csv", key="download_problems",
    )


def _draw_result(result: ingest.ImportResult) -> None:
    for note in result.notes:
        st.info(note, icon=":material/info:")
    if result.status == "already_imported":
        st.info(result.summary(), icon=":material/repeat:")
    elif result.file_error:
        st.error(result.summary(), icon=":material/block:")
    elif result.status == "rejected":
        st.error(_("{summary}. Correct the rows below and upload the file again, or tick \"Import valid rows only\".")
                 .format(summary=result.summary()), icon=":material/block:")
        _draw_problems(result)
    else:
        st.success(result.summary(), icon=":material/check_circle:")
        if result.rejected_rows is not None:
            st.warning(_("{rows} rows were not imported: download them, correct them and import that file (its "
                         "import_errors column is ignored).").format(rows=i18n.number(result.rows_rejected)), icon=":material/warning:")
            st.download_button(
                _("Download the rejected rows (CSV)"), result.rejected_rows.to_csv(index=False).encode("utf-8"),
                file_name=f"{result.file_name}.rejected.csv", mime="text/csv", key="download_rejected",
            )
            _draw_problems(result)


# 1. Only for administrators
access.require_role(auth.ADMIN)
st.title(_("Data: import seizure records"))
st.caption(_(
    "For administrators. Imported records are stored as real records, not illustrative; each import can be "
    "rolled back."
))
engine = data.engine()

# 2. The steps of an import, then the users
st.subheader(_("1. Get the template"))
csv_template, allowed_csv, xlsx_template = _templates(data.data_version())
cols = st.columns(3)
cols[0].download_button(_("Template (Excel)"), xlsx_template, "seizures-template.xlsx", XLSX_MIME, key="tpl_xlsx")
cols[1].download_button(_("Template (CSV)"), csv_template, "seizures-template.csv", "text/csv", key="tpl_csv")
cols[2].download_button(_("Allowed values (CSV)"), allowed_csv, "seizures-allowed-values.csv", "text/csv", key="tpl_values")
st.caption(_(
    "Dates as YYYY-MM-DD or DD.MM.YYYY; directorates by code or by name in Albanian, English or Serbian; column "
    "names in any case; categories, weapon types, units and contexts by code or English label. Delete the example "
    "row before importing."
))

st.subheader(_("2. Upload and import"))
try:
    limit_mb = settings.max_upload_mb()
except ValueError as exc:
    st.error(_("Uploads are off until the setting is corrected: {error}").format(error=exc), icon=":material/block:")
    st.stop()
uploaded = st.file_uploader(
    _("CSV or Excel (.xlsx) file, up to {size} MB").format(size=i18n.number(limit_mb)), type=["csv", "txt", "xlsx"],
    max_upload_size=max(1, math.ceil(limit_mb)), key="upload",
)
skip_invalid = st.checkbox(
    _("Import valid rows only (the invalid rows are skipped and offered as a file to correct)"), key="skip_invalid"
)
if st.button(_("Import"), type="primary", disabled=uploaded is None, key="import"):
    bar = st.progress(0.0, text=_("Starting"))
    try:
        result = ingest.import_file(
            engine, uploaded.getvalue(), uploaded.name, skip_invalid=skip_invalid, user=access.user_name(),
            progress=lambda fraction, text: bar.progress(fraction, text=text),
        )
    except store.StoreError as exc:  # e.g. the database file is held by another process
        st.session_state.pop("import_result", None)
        st.error(_("Nothing imported: {error}").format(error=exc), icon=":material/block:")
    else:
        st.session_state["import_result"] = result
        if result.written:
            st.cache_data.clear()
            st.session_state.pop("rollback_id", None)  # offer the newest import first
    bar.empty()
if "import_result" in st.session_state:
    _draw_result(st.session_state["import_result"])

st.subheader(_("3. Past imports"))
if message := st.session_state.pop("rollback_message", None):
    st.success(message, icon=":material/undo:")
imports = ingest.list_imports(engine)
if imports.empty:
    st.info(_("No imports yet."))
else:
    shown = imports.assign(
        status=imports["rolled_back_at"].map(
            lambda t: _("rolled back {time}").format(time=f"{t:%Y-%m-%d %H:%M}") if pd.notna(t) else _("active")),
        content_hash=imports["content_hash"].str.slice(0, 12),
    )[list(IMPORT_COLUMNS)].rename(columns={column: _(label) for column, label in IMPORT_COLUMNS.items()})
    st.dataframe(shown, hide_index=True, width="stretch", key="imports_table")
    active = imports[imports["rolled_back_at"].isna()]
    if not active.empty:
        labels = {
            int(r.id): _("#{id} {file} ({kind}, {lines} lines, {time})").format(
                id=r.id, file=r.file_name, kind=r.kind, lines=i18n.number(r.lines_stored), time=f"{r.imported_at:%Y-%m-%d %H:%M}")
            for r in active.itertuples()
        }
        chosen = st.selectbox(_("Import to roll back"), list(labels), format_func=labels.get, key="rollback_id")
        lines = int(active.set_index("id").at[chosen, "lines_stored"])
        confirmed = st.checkbox(_("Yes, remove import #{id} and its {lines} lines from the store").format(
                                    id=chosen, lines=i18n.number(lines)),
                                key="rollback_confirm")
        if st.button(_("Roll back"), disabled=not confirmed, key="rollback"):
            try:
                removed = ingest.rollback(engine, chosen)
            except (ingest.RollbackError, store.StoreError) as exc:
                st.error(str(exc), icon=":material/block:")
            else:
                st.cache_data.clear()
                st.session_state.pop("import_result", None)
                st.session_state["rollback_message"] = _("Rolled back import #{id}: {lines} lines removed.").format(
                    id=chosen, lines=i18n.number(removed))
                st.session_state.pop("rollback_confirm", None)
                st.rerun()

st.subheader(_("4. Users"))
user_list()
