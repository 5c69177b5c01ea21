"""Data (administrators): import seizure records from CSV or Excel, see past imports, roll one back, list users, edit
the Roadmap's wording (audited) and keep the report subscriptions."""

import math

import pandas as pd
import streamlit as st

from urllib.parse import urlencode

from seizures import (auth, filters, i18n, ingest, kpis, queries, settings, spreadsheet, store, subscriptions, template,
                      wording)
from seizures.dashboard import access, data, widgets
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
        _("Download the problems (CSV)"), spreadsheet.csv_bytes(result.errors),
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
                _("Download the rejected rows (CSV)"), spreadsheet.csv_bytes(result.rejected_rows),
                file_name=f"{result.file_name}.rejected.csv", mime="text/csv", key="download_rejected",
            )
            _draw_problems(result)


WORDING_KINDS = {"roadmap_kpis": N_("KPIs"), "roadmap_goals": N_("Goals")}


def roadmap_wording() -> None:
    """The Roadmap's goal and KPI wording of a phase, edited in a table and saved with an audit row per change.

    The table is edited against the wording as it was read when editing began (kept for the session), so a save
    that would overwrite someone else's change in between is refused (wording.save)."""
    phases = kpis.phases_from(queries.phase_list(engine))
    if not phases:
        widgets.nothing_loaded(N_("Roadmap phases"))
        return
    by_code = {p.code: p for p in phases}
    left, right = st.columns([2, 1])
    years = data.year_bounds()
    default = kpis.phase_for(phases, years[1] if years else None)
    code = left.selectbox(_("Roadmap phase"), list(by_code), index=list(by_code).index(default.code),
                          format_func=lambda c: f"{by_code[c].title or c} ({by_code[c].span})", key="wording_phase")
    kind = right.radio(_("Wording of"), list(WORDING_KINDS), format_func=lambda k: _(WORDING_KINDS[k]),
                       horizontal=True, key="wording_kind")
    snapshot = f"wording_before_{kind}_{code}"
    if snapshot not in st.session_state:
        st.session_state[snapshot] = wording.current(engine, kind, code)
    before = st.session_state[snapshot]
    if before.empty:
        st.info(_("This phase has no {what} in the store.").format(what=_(WORDING_KINDS[kind])))
        return
    statuses = list(wording.STATUSES)
    config = {
        "number": st.column_config.NumberColumn(_("Number"), disabled=True),
        "title": st.column_config.TextColumn(_("Title"), max_chars=wording.MAX_LENGTH, width="large"),
        "definition": st.column_config.TextColumn(_("Definition"), max_chars=wording.MAX_LENGTH, width="large"),
        "wording_status": st.column_config.SelectboxColumn(
            _("Wording"), options=statuses, format_func=lambda s: _(wording.STATUSES.get(s, s)), required=False),
    }
    edited = st.data_editor(before, hide_index=True, num_rows="fixed", width="stretch", column_config=config,
                            key=f"wording_editor_{kind}_{code}")
    st.caption(_("Enter the wording only from the Roadmap's monitoring framework; mark it \"checked against the "
                 "Roadmap\" once it has been compared with the document. Every change is recorded with who made it "
                 "and when."))
    save, reload = st.columns(2)
    if save.button(_("Save the wording"), type="primary", key="wording_save"):
        try:
            saved = wording.save(engine, before, edited, kind, code, access.user_name())
        except (wording.WordingError, store.StoreError) as exc:
            st.error(str(exc), icon=":material/block:")
        else:
            st.cache_data.clear()
            st.session_state.pop(snapshot, None)
            st.session_state.pop(f"wording_editor_{kind}_{code}", None)
            st.session_state["wording_message"] = _("Saved {count} change(s).").format(count=len(saved))
            st.rerun()
    if reload.button(_("Reload from the store (drops unsaved edits)"), key="wording_reload"):
        st.session_state.pop(snapshot, None)
        st.session_state.pop(f"wording_editor_{kind}_{code}", None)
        st.rerun()
    if message := st.session_state.pop("wording_message", None):
        st.success(message, icon=":material/check_circle:")
    history = wording.history(engine)
    with st.expander(_("Changes made to the wording ({count})").format(count=len(history))):
        st.dataframe(history, hide_index=True, width="stretch", key="wording_history", column_config={
            "changed_at": _("changed at"), "user_name": _("by"), "table_name": _("table"), "phase_code": _("phase"),
            "number": st.column_config.NumberColumn(_("Number")), "field": _("field"), "old_value": _("was"),
            "new_value": _("became"),
        })
    downloads = st.columns(2)
    downloads[0].download_button(_("Changes to the wording (CSV)"), wording.history_csv(engine),
                                 "roadmap-wording-changes.csv", "text/csv", key="wording_history_csv")
    downloads[1].download_button(_("The phase's wording (CSV)"), wording.wording_csv(engine, code),
                                 f"roadmap-wording-{code}.csv", "text/csv", key="wording_csv")


def report_subscriptions() -> None:
    """The reports that arrive: who gets which report, how and how often; add one, end one, see what was sent.

    `seizures send-reports` (cron or a systemd timer, see README) sends them; this page only keeps the list."""
    listed = subscriptions.listing(engine)
    if listed.empty:
        st.info(_("No subscriptions yet."))
    else:
        st.dataframe(
            listed.assign(to=listed["email"].fillna(listed["folder"]),
                          frequency=listed["frequency"].map(lambda f: _(subscriptions.FREQUENCIES.get(f, f))))[
                ["id", "recipient", "to", "filter", "language", "format", "frequency", "last_cycle", "last_status",
                 "last_sent_at", "created_by"]],
            hide_index=True, width="stretch", key="subscriptions_table",
            column_config={"id": st.column_config.NumberColumn(_("Number")), "recipient": _("recipient"),
                           "to": _("e-mail or folder"), "filter": _("filter"), "language": _("language"),
                           "format": _("format"), "frequency": _("how often"), "last_cycle": _("last cycle"),
                           "last_status": _("last status"), "last_sent_at": _("last sent at"),
                           "created_by": _("added by")},
        )
    with st.form("subscription_add", clear_on_submit=False):
        st.markdown(_("**Add a subscription**"))
        recipient = st.text_input(_("Recipient (a name)"), key="subscription_recipient")
        how = st.radio(_("Send by"), ["email", "folder"], horizontal=True, key="subscription_how",
                       format_func=lambda h: _("e-mail") if h == "email" else _("a folder on the server"))
        destination = st.text_input(_("E-mail address, or the folder's absolute path"), key="subscription_to")
        shown = urlencode(filters.to_query_params(st.session_state.get("filter", filters.SeizureFilter())), safe=",")
        flt = st.text_input(_("Filter (URL parameters; the sidebar's by default)"), value=shown,
                            key="subscription_filter")
        left, middle, right = st.columns(3)
        language = left.selectbox(_("Language"), list(i18n.LANGUAGES), format_func=i18n.LANGUAGES.get,
                                  key="subscription_language")
        kind = middle.radio(_("Format"), list(subscriptions.FORMATS), format_func=str.upper, horizontal=True,
                            key="subscription_format")
        frequency = right.radio(_("How often"), list(subscriptions.FREQUENCIES), horizontal=True,
                                format_func=lambda f: _(subscriptions.FREQUENCIES[f]), key="subscription_frequency")
        if st.form_submit_button(_("Add the subscription"), type="primary"):
            try:
                new = subscriptions.add(engine, recipient, email=destination if how == "email" else None,
                                        folder=destination if how == "folder" else None, filter=flt,
                                        language=language, format=kind, frequency=frequency,
                                        user=access.user_name())
            except (subscriptions.SubscriptionError, store.StoreError) as exc:
                st.error(str(exc), icon=":material/block:")
            else:
                st.session_state["subscription_message"] = _("Added subscription #{id}.").format(id=new)
                st.rerun()
    if message := st.session_state.pop("subscription_message", None):
        st.success(message, icon=":material/check_circle:")
    if not listed.empty:
        labels = {int(r.id): f"#{r.id} {r.recipient} ({r.email or r.folder})" for r in listed.itertuples()}
        chosen = st.selectbox(_("Subscription to end"), list(labels), format_func=labels.get, key="subscription_end")
        if st.button(_("End the subscription (what was sent stays recorded)"), key="subscription_remove"):
            subscriptions.remove(engine, chosen, access.user_name())
            st.session_state["subscription_message"] = _("Ended subscription #{id}.").format(id=chosen)
            st.rerun()
    sent = subscriptions.deliveries(engine)
    with st.expander(_("Reports sent or tried ({count})").format(count=len(sent))):
        st.dataframe(sent, hide_index=True, width="stretch", key="deliveries_table", column_config={
            "subscription_id": st.column_config.NumberColumn(_("subscription")), "cycle": _("cycle"),
            "status": _("status"), "attempts": st.column_config.NumberColumn(_("attempts")),
            "claimed_at": _("started at"), "sent_at": _("sent at"), "report_period": _("report period"),
            "data_as_of": _("data as of"), "message_id": _("message id"), "file_path": _("file"),
            "error": _("error"),
        })
    st.caption(_("`seizures send-reports` on the server sends what is due (run it daily from cron or a systemd "
                 "timer: see README); e-mail needs the SEIZURES_SMTP_* settings."))


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

st.subheader(_("5. Roadmap wording"))
roadmap_wording()

st.subheader(_("6. Report subscriptions"))
report_subscriptions()
