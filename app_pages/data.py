"""Data (administrators): import seizure records from CSV or Excel, see past imports, roll one back, list users;
keep the events on the timeline."""

import math

import pandas as pd
import streamlit as st

from seizures import auth, events, i18n, ingest, queries, settings, spreadsheet, store, template
from seizures.dashboard import access, data
from seizures.filters import SeizureFilter
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


# --- Events on the timeline: added, edited, removed (audited), imported and exported -------------------------------


EVENT_HISTORY_COLUMNS = {
    "id": N_("change number"), "event_id": N_("event"), "action": N_("what"), "user_name": N_("by"), "changed_at": N_("when"),
    "old_values": N_("before"), "new_values": N_("after"), "note": N_("note"),
}
EVENT_ACTIONS = {"add": N_("added"), "edit": N_("edited"), "remove": N_("removed")}


def _event_columns() -> dict[str, str]:
    """The events table's headings in the page's language."""
    return {"id": _("event"), "starts_on": _("From"), "ends_on": _("To"), "region_code": _("Where"), "kind": _("Kind"),
            **{f"title_{lang}": _("Title ({language})").format(language=name) for lang, name in i18n.LANGUAGES.items()},
            "source": _("Source"), "url": _("Address")}


def _event_form(engine, regions: dict[str, str], stored: events.Event | None, key: str) -> events.Event | None:
    """The fields of an event (those of `stored` to start with); the event typed when the form is submitted."""
    with st.form(key, clear_on_submit=stored is None, border=True):
        left, right = st.columns(2)
        starts_on = left.date_input(_("Date, or first day"), value=stored.starts_on if stored else None,
                                    min_value=events.EARLIEST, max_value=events.LATEST, key=f"{key}_starts_on")
        ends_on = right.date_input(_("Last day (empty for a single day)"), value=stored.ends_on if stored else None,
                                   min_value=events.EARLIEST, max_value=events.LATEST, key=f"{key}_ends_on")
        places = ["", *regions]
        region = left.selectbox(_("Directorate"), places, format_func=lambda c: regions.get(c) or _("national"),
                                index=places.index(stored.region_code or "") if stored else 0, key=f"{key}_region")
        kinds = list(events.KINDS)
        kind = right.selectbox(_("Kind"), kinds, format_func=events.kind_label,
                               index=kinds.index(stored.kind) if stored else 0, key=f"{key}_kind")
        titles = {lang: st.text_input(_("Title ({language})").format(language=name),
                                      value=(getattr(stored, f"title_{lang}") or "") if stored else "",
                                      max_chars=events.TITLE_MAX, key=f"{key}_title_{lang}")
                  for lang, name in i18n.LANGUAGES.items()}
        source = st.text_input(_("Source"), value=stored.source if stored else "", max_chars=events.SOURCE_MAX,
                               key=f"{key}_source")
        url = st.text_input(_("Link (optional)"), value=(stored.url or "") if stored else "",
                            max_chars=events.URL_MAX, key=f"{key}_url")
        if not st.form_submit_button(_("Save the event") if stored else _("Add the event"), type="primary"):
            return None
    if starts_on is None:
        st.error(_("Give the event's date (or its first day)."), icon=":material/block:")
        return None
    return events.Event(
        starts_on=starts_on, ends_on=ends_on, region_code=region or None, kind=kind,
        title_en=titles["en"].strip(), title_sq=titles["sq"].strip() or None, title_sr=titles["sr"].strip() or None,
        source=source.strip(), url=url.strip() or None,
    )


def _event_problems(exc: events.EventError) -> None:
    st.error(_("The event was not saved:"), icon=":material/block:")
    st.dataframe(pd.DataFrame(exc.problems, columns=[_("field"), _("value"), _("problem")]), hide_index=True,
                 width="stretch", key="event_problems")


def _event_saved(message: str) -> None:
    st.cache_data.clear()  # the pages' events (and the data version) changed
    st.session_state["event_message"] = message
    st.rerun()


def events_section(engine) -> None:
    """The events drawn on the trend charts: the list, add, edit or remove one (audited with the user's name), import
    a CSV or Excel file of them (all or nothing) and export them in the import's layout."""
    st.subheader(_("5. Events on the timeline"))
    st.caption(_("Operations, amnesty or legalisation campaigns, changes of law, trainings, equipment deliveries, "
                 "censuses: drawn on the trend charts of the period and directorates they concern, and listed in the "
                 "donor report. Every change is recorded with your user name."))
    if message := st.session_state.pop("event_message", None):
        st.success(message, icon=":material/check_circle:")
    regions = data.region_names()
    stored = queries.events_in_filter(engine, SeizureFilter())
    if stored.empty:
        st.info(_("No events yet."))
    else:
        st.dataframe(stored.assign(
            region_code=stored["region_code"].map(lambda c: regions.get(c, c) if isinstance(c, str) and c else _("national")),
            kind=stored["kind"].map(events.kind_label),
        ).rename(columns=_event_columns()), hide_index=True, width="stretch", key="events_table")
    user = access.user_name()
    add, change, files, history = st.tabs([_("Add"), _("Edit or remove"), _("Import or export"), _("History")])
    with add:
        event = _event_form(engine, regions, None, "event_add")
        if event is not None:
            try:
                event_id = events.add(engine, event, user)
            except events.EventError as exc:
                _event_problems(exc)
            else:
                _event_saved(_("Event #{id} added.").format(id=event_id))
    with change:
        if stored.empty:
            st.info(_("No events yet."))
        else:
            choices = {int(r.id): f"#{r.id} {r.starts_on} {r.title_en}" for r in stored.itertuples()}
            chosen = st.selectbox(_("Event"), list(choices), format_func=choices.get, key="event_chosen")
            event = _event_form(engine, regions, events.get(engine, chosen), f"event_edit_{chosen}")
            if event is not None:
                try:
                    changed = events.edit(engine, chosen, event, user)
                except events.EventError as exc:
                    _event_problems(exc)
                else:
                    if changed:
                        _event_saved(_("Event #{id} saved.").format(id=chosen))
                    st.info(_("Nothing changed."))
            confirmed = st.checkbox(_("Yes, remove event #{id}").format(id=chosen), key="event_remove_confirm")
            if st.button(_("Remove the event"), disabled=not confirmed, key="event_remove"):
                try:
                    events.remove(engine, chosen, user)
                except events.EventError as exc:
                    _event_problems(exc)
                else:
                    st.session_state.pop("event_remove_confirm", None)
                    _event_saved(_("Event #{id} removed.").format(id=chosen))
    with files:
        st.download_button(_("Export the events (CSV)"), events.export_csv(events.export_frame(engine)),
                           file_name="events.csv", mime="text/csv", key="events_export")
        st.caption(_("Columns {columns}: an exported file can be edited and imported again (a row with an id "
                     "replaces that event, a row without one adds an event). Dates as YYYY-MM-DD or DD.MM.YYYY; "
                     "directorates by code or name, empty for a national event; kinds: {kinds}.").format(
            columns=", ".join(events.EXPORT_COLUMNS), kinds=", ".join(events.KINDS)))
        events_file = st.file_uploader(_("Events file (CSV or Excel)"), type=["csv", "txt", "xlsx"],
                                       key="events_upload")
        if st.button(_("Import the events"), disabled=events_file is None, key="events_import"):
            result = events.import_file(engine, events_file.getvalue(), events_file.name, user)
            for note in result.notes:
                st.info(note, icon=":material/info:")
            if result.status == "rejected":
                st.error(result.summary(), icon=":material/block:")
                if not result.errors.empty:
                    st.dataframe(result.errors, hide_index=True, width="stretch", key="events_import_errors")
            elif result.status == "imported":
                _event_saved(result.summary())
            else:
                st.info(result.summary(), icon=":material/repeat:")
    with history:
        changes = queries.event_history(engine)
        st.dataframe(changes.assign(action=changes["action"].map(lambda a: _(EVENT_ACTIONS.get(a, a)))).rename(
            columns={column: _(label) for column, label in EVENT_HISTORY_COLUMNS.items()}),
            hide_index=True, width="stretch", key="events_history")


events_section(engine)
