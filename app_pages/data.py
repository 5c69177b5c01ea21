"""Data (administrators): import seizure records (record lines, or counts through a column mapping) from CSV or
Excel, see past imports, roll one back, list users; the reference data (jurisdiction, vocabulary, regions, published
totals, ...): download, replace, edit, roll back; the Roadmap's wording (audited), the report subscriptions and the
events on the timeline."""

import math

import pandas as pd
import streamlit as st

from urllib.parse import urlencode

from seizures import (auth, events, filters, i18n, ingest, kpis, mappings, queries, reference, referencedata, settings,
                      spreadsheet, store, subscriptions, template, upload, wording, workbench)
from seizures.dashboard import access, data, widgets
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
    return template.template_csv(engine), template.allowed_values_csv(engine), template.template_xlsx(engine)


GROUPED_LABELS = {"column": N_("column"), "reason": N_("problem"), "rows": N_("rows"),
                  "first_rows": N_("first rows"), "values": N_("values")}
BY_ROW_LABELS = {"row": N_("row"), "column": N_("column"), "value": N_("value"), "reason": N_("problem")}


def _draw_problems(result: ingest.ImportResult) -> None:
    """One line per distinct problem first (in the page's language, the reason in full), then every row on demand."""
    lang = i18n.language()
    grouped = result.grouped(lang)
    widgets.dataframe(
        grouped.rename(columns={k: _(v) for k, v in GROUPED_LABELS.items()}), hide_index=True, width="stretch",
        key="import_errors_grouped",
        column_config={_("problem"): st.column_config.TextColumn(width="large"),
                       _("rows"): st.column_config.NumberColumn(format="localized", width="small")},
    )
    by_row = result.problems(lang)
    cols = st.columns(2)
    cols[0].download_button(
        _("Download the problems (CSV)"), spreadsheet.csv_bytes(grouped),
        file_name=f"{result.file_name}.problems.csv", mime="text/csv", key="download_problems",
    )
    cols[1].download_button(
        _("Download the problems row by row (CSV)"), spreadsheet.csv_bytes(by_row),
        file_name=f"{result.file_name}.problems-by-row.csv", mime="text/csv", key="download_problems_by_row",
    )
    if st.toggle(_("Show every row ({rows})").format(rows=i18n.number(len(by_row))), key="show_problem_rows"):
        widgets.dataframe(
            by_row.rename(columns={k: _(v) for k, v in BY_ROW_LABELS.items()}), hide_index=True, width="stretch",
            key="import_errors",
            column_config={_("problem"): st.column_config.TextColumn(width="large"),
                           _("row"): st.column_config.NumberColumn(format="%d", width="small")},
        )


def _period_text(kind: str, day) -> str:
    if kind == "month":
        return f"{day:%Y-%m}"
    if kind == "quarter":
        return f"{day.year} Q{(day.month - 1) // 3 + 1}"
    if kind == "year":
        return f"{day.year}"
    return i18n.date(day)


def _draw_preview(frame: pd.DataFrame) -> None:
    """The first rows as they will be stored, with their labels in the page's language."""
    vocabulary, names = data.vocabulary(), data.region_names()
    shown = pd.DataFrame({
        _("region"): [names.get(r, r) if isinstance(r, str) else _(reference.WHOLE_JURISDICTION_LABEL)
                      for r in frame["region_code"]],
        _("district or municipality"): frame["municipality"].fillna(""),
        _("period"): [_period_text(k, d) for k, d in zip(frame["period"], frame["seized_on"])],
        _("category"): [vocabulary.label("category", c) for c in frame["category"]],
        _("weapon type"): [vocabulary.label("weapon_type", w if isinstance(w, str) else None)
                           for w in frame["weapon_type"]],
        _("context"): [vocabulary.label("context", c if isinstance(c, str) else None) for c in frame["context"]],
        _("quantity"): frame["quantity"],
        _("counted in"): [vocabulary.label("unit", u) for u in frame["unit"]],
    })
    widgets.dataframe(shown, hide_index=True, width="stretch", key="import_preview",
                      column_config={_("quantity"): st.column_config.NumberColumn(format="localized")})


def _draw_result(result: ingest.ImportResult, engine) -> None:
    for note in result.notes:
        st.info(note, icon=":material/info:")
    if result.status == "already_imported":
        st.info(result.summary(), icon=":material/repeat:")
    elif result.file_error:
        st.error(result.summary(), icon=":material/block:")
    elif result.status == "checked":
        st.info(_("Checked, not imported yet: {counts} counts read ({zeros} of them 0, not stored), {skipped} rows "
                  "skipped by the mapping, problems in {rejected} rows. The first rows as they will be stored:")
                .format(counts=i18n.number(result.counts_read), zeros=i18n.number(result.zeros),
                        skipped=i18n.number(result.rows_skipped), rejected=i18n.number(result.rows_rejected)),
                icon=":material/preview:")
        if result.preview is not None and not result.preview.empty:
            _draw_preview(result.preview)
        if not result.errors.empty:
            _draw_problems(result)
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


NEW_MAPPING = ""
PERIOD_LAYOUTS = {"month": N_("a year column and a month column"), "quarter": N_("a year column and a quarter column"),
                  "year": N_("a year column"), "one": N_("one column with the period")}
REGION_MATCHES = {"region": N_("a region, by its code or name"),
                  "municipality": N_("a district or municipality: its region from the municipalities table")}
NUMBER_MARKS = {".": N_("point (2.5)"), ",": N_("comma (2,5)")}
GROUP_MARKS = {"": N_("none"), ".": N_("point (1.250)"), ",": N_("comma (1,250)"), " ": N_("space (1 250)")}


def _file_head(data_bytes: bytes, limit_mb: float) -> tuple[list[str], pd.DataFrame]:
    """The column names and first rows of an uploaded file (as text)."""
    with upload.read_upload(data_bytes, limit_mb) as raw:
        head = raw.con.execute("SELECT * EXCLUDE (row) FROM raw ORDER BY row LIMIT 5").df()
    head.columns = raw.header
    return raw.header, head


def _mapping_step(engine, uploaded, limit_mb: float) -> mappings.Mapping | None:
    """Choose a saved mapping, or describe the file's columns: which is the region, the period, which columns are
    counts of what, which rows to skip. Returns the mapping, or None while it is incomplete."""
    saved = mappings.listing(engine)
    choice = st.selectbox(_("Column mapping"), [NEW_MAPPING, *saved["name"]], key="mapping_choice",
                          format_func=lambda n: _("(a new mapping: describe the file's columns)") if n == NEW_MAPPING
                          else n)
    if choice != NEW_MAPPING:
        try:
            mapping = mappings.load(engine, choice)
        except mappings.MappingError as exc:
            st.error(str(exc), icon=":material/block:")
            return None
        with st.expander(_("The mapping {name} (Frictionless descriptor)").format(name=choice)):
            st.code(mappings.to_json(mapping), language="json")
        return mapping
    if uploaded is None:
        st.info(_("Upload the file: its columns are listed here to say what each holds."), icon=":material/upload:")
        return None
    try:
        header, head = _file_head(uploaded.getvalue(), limit_mb)
    except upload.UploadError as exc:
        st.error(str(exc), icon=":material/block:")
        return None
    st.caption(_("The first rows of the file:"))
    st.dataframe(head, hide_index=True, width="stretch", key="file_head")
    none = ""
    columns = [none, *header]
    shown = {none: _("(none)")}
    cols = st.columns(2)
    region_column = cols[0].selectbox(_("Region column (none: counts of the whole jurisdiction)"), columns,
                                      format_func=lambda c: shown.get(c, c), key="map_region")
    match = cols[1].radio(_("It names"), list(REGION_MATCHES), format_func=lambda k: _(REGION_MATCHES[k]),
                          key="map_region_match")
    layout = st.radio(_("The period is in"), list(PERIOD_LAYOUTS), format_func=lambda k: _(PERIOD_LAYOUTS[k]),
                      key="map_period_layout", horizontal=True)
    cols = st.columns(2)
    if layout == "one":
        period_column = cols[0].selectbox(_("Period column"), header, key="map_period_column")
        period_format = cols[1].selectbox(_("Written as"), list(mappings.PERIOD_FORMATS), key="map_period_format")
        kind = mappings.PERIOD_FORMATS[period_format] or st.radio(
            _("A date stands for its"), list(mappings.PERIOD_KINDS), key="map_period_kind", horizontal=True)
        period = mappings.PeriodSpec(kind if period_format != "auto" else None, column=period_column,
                                     format=period_format)
    else:
        year = cols[0].selectbox(_("Year column"), header, key="map_year")
        sub = cols[1].selectbox(_("Month column") if layout == "month" else _("Quarter column"), header,
                                key="map_sub") if layout != "year" else None
        period = mappings.PeriodSpec(layout, year=year, month=sub if layout == "month" else None,
                                     quarter=sub if layout == "quarter" else None)
    vocabulary = data.vocabulary()
    keys = {region_column, *period.columns()}
    table = pd.DataFrame({
        "column": [c for c in header if c not in keys],
        "counts": False, "category": None, "unit": None, "weapon_type": None, "context": None,
    })
    edited = st.data_editor(
        table, hide_index=True, width="stretch", key="map_values", disabled=["column"],
        column_config={
            "column": st.column_config.TextColumn(_("column")),
            "counts": st.column_config.CheckboxColumn(_("a count")),
            "category": st.column_config.SelectboxColumn(_("category"), options=vocabulary.codes("category")),
            "unit": st.column_config.SelectboxColumn(_("counted in"), options=vocabulary.codes("unit")),
            "weapon_type": st.column_config.SelectboxColumn(_("weapon type"), options=vocabulary.codes("weapon_type")),
            "context": st.column_config.SelectboxColumn(_("context"), options=vocabulary.codes("context")),
        },
    )
    st.caption(_("Tick each column of counts and say what it counts: its category and unit, and its weapon type and "
                 "context where it has one (empty: not recorded). Codes: {codes}.").format(codes="; ".join(
                     f"{t.code} = {t.label()}" for kind_ in ("category", "weapon_type") for t in vocabulary.of(kind_))))
    cols = st.columns(4)
    skip_column = cols[0].selectbox(_("Skip the rows whose column"), columns, format_func=lambda c: shown.get(c, c),
                                    key="map_skip_column")
    skip_values = cols[1].text_input(_("is one of (comma-separated)"), "Total, Ukupno, Gjithsej", key="map_skip_values")
    decimal = cols[2].selectbox(_("Decimal mark"), list(NUMBER_MARKS), format_func=lambda k: _(NUMBER_MARKS[k]),
                                key="map_decimal")
    group = cols[3].selectbox(_("Thousands separator"), list(GROUP_MARKS), format_func=lambda k: _(GROUP_MARKS[k]),
                              key="map_group")
    skip_empty = st.checkbox(_("Skip the rows without a region (totals)"), value=True, key="map_skip_empty")
    values = []
    for row in edited.itertuples():
        if not row.counts:
            continue
        attributes = tuple((a, getattr(row, a)) for a in ("category", "unit", "weapon_type", "context")
                           if isinstance(getattr(row, a), str) and getattr(row, a))
        values.append(mappings.ValueColumn(row.column, attributes))
    if not values:
        st.info(_("Tick at least one column of counts."), icon=":material/info:")
        return None
    rules = [v.strip() for v in skip_values.split(",") if v.strip()]
    mapping = mappings.Mapping(
        name="new-mapping", path=mappings.slug(uploaded.name) or "counts.csv", period=period, values=tuple(values),
        region=mappings.RegionSpec(region_column, match, "skip" if skip_empty else "refuse") if region_column else None,
        skip=(mappings.SkipRule(skip_column, tuple(rules)),) if skip_column and rules else (),
        decimal_char=decimal, group_char=group, missing_values=("", "-"),
    )
    try:
        mappings.check(mapping)
    except mappings.MappingError as exc:
        st.warning(str(exc), icon=":material/warning:")
        return None
    return mapping


def _save_mapping(engine, mapping: mappings.Mapping) -> None:
    """Keep the mapping under a name (next month's file imports in one step), or download it as a file."""
    with st.form("save_mapping", border=False):
        cols = st.columns([3, 1, 1])
        name = cols[0].text_input(_("Save the mapping as (lower-case letters, digits and -)"),
                                  value="" if mapping.name == "new-mapping" else mapping.name, key="mapping_name")
        replace = cols[1].checkbox(_("Replace"), key="mapping_replace")
        saved = cols[2].form_submit_button(_("Save the mapping"))
    if saved:
        named = mappings.with_name(mapping, mappings.slug(name))
        try:
            mappings.save(engine, named, access.user_name(), replace_existing=replace)
        except mappings.MappingError as exc:
            st.error(str(exc), icon=":material/block:")
        else:
            st.success(_("Saved the mapping {name}: choose it for the next file of this layout.").format(
                name=named.name), icon=":material/save:")
    st.download_button(_("Download the mapping (.mapping.json)"), mappings.to_json(mapping).encode("utf-8"),
                       file_name=f"{mapping.name}{mappings.SUFFIX}", mime="application/json", key="download_mapping")


def import_steps(engine, limit_mb: float) -> None:
    """Steps 1 and 2: the template, then upload and import (nothing to import into before the reference data)."""
    st.header(_("1. Get the template"))
    try:
        csv_template, allowed_csv, xlsx_template = _templates(data.data_version())
    except workbench.ReferenceDataMissing as exc:  # the reference data first (section 5); the rest of the page works
        st.warning(_("Nothing can be imported yet: {reason}").format(reason=exc), icon=":material/warning:")
        return
    cols = st.columns(3)
    cols[0].download_button(_("Template (Excel)"), xlsx_template, "seizures-template.xlsx", XLSX_MIME, key="tpl_xlsx")
    cols[1].download_button(_("Template (CSV)"), csv_template, "seizures-template.csv", "text/csv", key="tpl_csv")
    cols[2].download_button(_("Allowed values (CSV)"), allowed_csv, "seizures-allowed-values.csv", "text/csv", key="tpl_values")
    st.caption(_(
        "Dates as YYYY-MM-DD or DD.MM.YYYY; regions by code or by name; column names in any case; categories, weapon "
        "types, units and contexts by code or by their label in any of the interface languages. Case reference, weapon "
        "type and context may be left empty (not recorded). Delete the example row before importing."
    ))

    st.header(_("2. Upload and import"))
    KINDS = {"lines": N_("Record lines (the template)"), "counts": N_("Counts of a month, quarter or year (a mapping)")}
    kind = st.radio(_("The file holds"), list(KINDS), format_func=lambda k: _(KINDS[k]), key="upload_kind",
                    horizontal=True)
    uploaded = st.file_uploader(
        _("CSV or Excel (.xlsx) file, up to {size} MB").format(size=i18n.number(limit_mb)), type=["csv", "txt", "xlsx"],
        max_upload_size=max(1, math.ceil(limit_mb)), key="upload",
    )
    skip_invalid = st.checkbox(
        _("Import valid rows only (the invalid rows are skipped and offered as a file to correct)"), key="skip_invalid"
    )
    mapping = None
    if kind == "counts":
        mapping = _mapping_step(engine, uploaded, limit_mb)
        if mapping is not None and uploaded is not None and st.button(_("Preview"), key="preview"):
            try:
                checked = ingest.import_file(engine, uploaded.getvalue(), uploaded.name, mapping=mapping, dry_run=True)
            except store.StoreError as exc:
                st.error(_("Nothing imported: {error}").format(error=exc), icon=":material/block:")
            else:
                st.session_state["import_result"] = checked
    ready = uploaded is not None and (kind == "lines" or mapping is not None)
    if st.button(_("Import"), type="primary", disabled=not ready, key="import"):
        bar = st.progress(0.0, text=_("Starting"))
        try:
            result = ingest.import_file(
                engine, uploaded.getvalue(), uploaded.name, skip_invalid=skip_invalid, user=access.user_name(),
                progress=lambda fraction, text: bar.progress(fraction, text=text), mapping=mapping,
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
        _draw_result(st.session_state["import_result"], engine)
    if kind == "counts" and mapping is not None:
        _save_mapping(engine, mapping)
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
widgets.setup_needed(stop=False)  # an empty store: what to load first (below, under "Reference data")

# 2. The steps of an import, then the users
try:
    limit_mb = settings.max_upload_mb()
except ValueError as exc:
    st.error(_("Uploads are off until the setting is corrected: {error}").format(error=exc), icon=":material/block:")
    st.stop()
import_steps(engine, limit_mb)

st.header(_("3. Past imports"))
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
    counted = ("rows_read", "rows_accepted", "rows_rejected", "lines_stored")
    widgets.dataframe(shown, hide_index=True, width="stretch", key="imports_table", column_config={
        _(IMPORT_COLUMNS[c]): st.column_config.NumberColumn(format="localized") for c in counted})
    active = imports[imports["rolled_back_at"].isna()]
    if not active.empty:
        labels = {
            int(r.id): _("#{id} {file} ({kind}, {lines} lines, {time})").format(
                id=r.id, file=r.file_name, kind=r.kind, lines=i18n.number(r.lines_stored), time=f"{r.imported_at:%Y-%m-%d %H:%M}")
            for r in active.itertuples()
        }
        # The newest import in force comes first; a demo import only when chosen (never the default: rolling it
        # back removes all the demo data).
        chosen_files = [int(i) for i in active.loc[active["kind"] != "demo", "id"]]
        options = [*chosen_files, *(int(i) for i in active.loc[active["kind"] == "demo", "id"])]
        if not chosen_files:
            options = [None, *options]
        chosen = st.selectbox(_("Import to roll back"), options, index=0,
                              format_func=lambda i: _("(choose an import)") if i is None else labels[i],
                              key="rollback_id")
        if chosen is not None:
            lines = int(active.set_index("id").at[chosen, "lines_stored"])
            replaced = referencedata.reference_import(engine, chosen)  # a reference import: its table's rows come back
            confirmed = st.checkbox(
                _("Yes, roll back import #{id}: {table} gets back its rows from before it").format(
                    id=chosen, table=referencedata.title(replaced)) if replaced else
                _("Yes, remove import #{id} and its {lines} lines from the store").format(
                    id=chosen, lines=i18n.number(lines)),
                key="rollback_confirm")
            if st.button(_("Roll back"), disabled=not confirmed, key="rollback"):
                try:
                    if replaced:
                        restored = referencedata.rollback(engine, chosen)
                    else:
                        removed = ingest.rollback(engine, chosen)
                except (ingest.RollbackError, store.StoreError) as exc:
                    st.error(str(exc), icon=":material/block:")
                else:
                    st.cache_data.clear()
                    st.session_state.pop("import_result", None)
                    st.session_state["rollback_message"] = (
                        _("Rolled back import #{id}: {table} holds its {rows} rows from before it again.").format(
                            id=chosen, table=referencedata.title(replaced), rows=i18n.number(restored.rows_restored))
                        if replaced else
                        _("Rolled back import #{id}: {lines} lines removed.").format(
                            id=chosen, lines=i18n.number(removed)))
                    st.session_state.pop("rollback_confirm", None)
                    st.session_state.pop("rollback_id", None)  # the newest import in force again, never the demo
                    st.rerun()

st.header(_("4. Users"))
user_list()


# --- Reference data: each table downloaded, replaced from a file, edited (published totals), rolled back ---------

HISTORY_COLUMNS = {"id": N_("import"), "imported_at": N_("imported at"), "user_name": N_("by"), "file_name": N_("file"),
                   "rows": N_("rows"), "status": N_("status")}


def reference_result(result: referencedata.ImportResult, key: str) -> None:
    """What an import (or a saved edit) of a table did; its problems in a table, row and column named."""
    for note in result.notes:
        st.info(note, icon=":material/info:")
    table = referencedata.title(result.table)
    if result.file_error:
        st.error(_("Nothing imported into {table}: {error}").format(table=table, error=result.file_error),
                 icon=":material/block:")
    elif result.status == "rejected":
        st.error(_("Nothing imported into {table}: {count} problem(s). Nothing was written; correct them and try "
                   "again.").format(table=table, count=i18n.number(len(result.problems))), icon=":material/block:")
        # Columns and reasons in English, as the seizure import's problems (ingest.py): they name the file's columns.
        st.dataframe(result.problems, hide_index=True, width="stretch", key=f"{key}_problems")
        st.download_button(_("Download the problems (CSV)"), spreadsheet.csv_bytes(result.problems),
                           file_name=f"{result.table}.problems.csv", mime="text/csv", key=f"{key}_problems_csv")
    elif result.status == "unchanged":
        st.info(_("{table} already holds exactly these {rows} rows: nothing changed.").format(
            table=table, rows=i18n.number(result.rows)), icon=":material/repeat:")
    else:
        st.success(_("{table} replaced by {rows} rows (it held {before}) as import #{id}; it can be rolled back "
                     "below.").format(table=table, rows=i18n.number(result.rows), before=i18n.number(result.rows_before),
                                      id=result.import_id), icon=":material/check_circle:")


def reference_written(result: referencedata.ImportResult) -> None:
    """Keep the result for the next run; after a write, every cached page result is stale."""
    st.session_state["reference_result"] = result
    if result.written:
        st.cache_data.clear()


def published_editor(engine) -> None:
    """The published figures edited in place; Save checks them as an import of the table and audits it."""
    vocabulary = data.vocabulary()
    frame = referencedata.rows_frame(engine, "published_totals")
    heading = referencedata.column_titles("published_totals")
    edited = st.data_editor(
        frame, num_rows="dynamic", hide_index=True, width="stretch", key="published_editor",
        column_config={
            "year_from": st.column_config.NumberColumn(heading["year_from"], min_value=1900, max_value=2100, step=1,
                                                       format="%d", required=True),
            "year_to": st.column_config.NumberColumn(heading["year_to"], min_value=1900, max_value=2100, step=1,
                                                     format="%d", help=_("Empty: the same as the first year.")),
            "category": st.column_config.SelectboxColumn(heading["category"], options=vocabulary.codes("category"),
                                                         required=True),
            "unit": st.column_config.SelectboxColumn(heading["unit"], options=vocabulary.codes("unit"), required=True),
            "value": st.column_config.NumberColumn(heading["value"], min_value=0, required=True),
            "qualifier": st.column_config.SelectboxColumn(
                heading["qualifier"], options=list(referencedata.QUALIFIERS), help=_("Empty: exactly.")),
            "source": st.column_config.TextColumn(heading["source"], required=True),
            "url": st.column_config.TextColumn(heading["url"]),
        },
    )
    st.caption(_("Add, change or delete rows, then save: the table is checked as an imported file would be (rows "
                 "numbered as in a file: the first row is row 2) and saved as an import that can be rolled back."))
    if st.button(_("Save the published totals"), key="published_save"):
        result = referencedata.save_frame(engine, "published_totals", edited, referencedata.EDITED_LABEL,
                                          user=access.user_name())
        reference_written(result)
        if result.written:
            st.rerun()  # the editor starts again from the saved rows (new data: a new editor, without the edits)


# 5. Reference data: the jurisdiction, the vocabulary, the regions ... (load them before any seizure data)
st.header(_("5. Reference data"))
st.caption(_(
    "The jurisdiction, its vocabulary (categories and units, weapon types, seizure contexts), its regions and "
    "municipalities, the published totals and the donor tables. Load the jurisdiction and the vocabulary first, then "
    "the regions, then the data. A file replaces a whole table: it is checked first, and any problem leaves the "
    "table as it was. The command line does the same: `seizures reference import TABLE FILE`."
))
tables = referencedata.overview(engine)
st.dataframe(
    pd.DataFrame({
        _("table"): [referencedata.title(name) for name in tables["table"]],
        _("rows"): tables["rows"],
        _("last import"): [
            _("#{id} {file}, {time}, by {user}").format(id=r.import_id, file=r.file_name, user=r.user_name,
                                                        time=f"{r.imported_at:%Y-%m-%d %H:%M}")
            if not pd.isna(r.import_id) else "" for r in tables.itertuples()],
    }),
    hide_index=True, width="stretch", key="reference_tables",
)
name = st.selectbox(_("Table"), referencedata.NAMES, format_func=referencedata.title, key="reference_table")
st.caption(referencedata.description(name))
with st.expander(_("The columns of {table}").format(table=referencedata.title(name))):
    columns_shown = referencedata.columns_frame(name)
    st.dataframe(columns_shown.rename(columns={"column": _("column"), "type": _("type"), "required": _("required"),
                                               "description": _("description")}),
                 hide_index=True, width="stretch", key="reference_columns")
cols = st.columns(4)
cols[0].download_button(_("Current rows (CSV)"), referencedata.export_csv(engine, name), f"{name}.csv", "text/csv",
                        key="reference_current")
cols[1].download_button(_("Template (CSV)"), referencedata.template_csv(name), f"{name}-template.csv", "text/csv",
                        key="reference_template")
cols[2].download_button(_("Columns (CSV)"), referencedata.columns_csv(name), f"{name}-columns.csv", "text/csv",
                        key="reference_columns_csv")
cols[3].download_button(_("Table Schema (JSON)"), referencedata.descriptor_json(name), f"{name}.schema.json",
                        "application/json", key="reference_schema")

if name == "published_totals":
    st.subheader(_("Edit the published totals"))
    published_editor(engine)

st.subheader(_("Replace {table} from a file").format(table=referencedata.title(name)))
replacement = st.file_uploader(
    _("CSV or Excel (.xlsx) file laid out as the current rows or the template"), type=["csv", "txt", "xlsx"],
    max_upload_size=max(1, math.ceil(limit_mb)), key=f"reference_upload_{name}",
)
if st.button(_("Check and replace {table}").format(table=referencedata.title(name)), disabled=replacement is None,
             key="reference_import"):
    try:
        reference_written(referencedata.import_file(engine, name, replacement.getvalue(), replacement.name,
                                                    user=access.user_name(), max_mb=limit_mb))
    except store.StoreError as exc:
        st.session_state.pop("reference_result", None)
        st.error(_("Nothing imported: {error}").format(error=exc), icon=":material/block:")
shown_result = st.session_state.get("reference_result")
if shown_result is not None and shown_result.table == name:
    reference_result(shown_result, "reference_result")

st.subheader(_("Imports of {table}").format(table=referencedata.title(name)))
if message := st.session_state.pop("reference_rollback_message", None):
    st.success(message, icon=":material/undo:")
past = referencedata.history(engine, name)
if past.empty:
    st.info(_("No imports of this table yet: it holds what `seizures init --demo` loaded, or nothing."))
else:
    st.dataframe(
        past.assign(status=past["rolled_back_at"].map(
            lambda t: _("rolled back {time}").format(time=f"{t:%Y-%m-%d %H:%M}") if pd.notna(t) else _("active"))
        )[list(HISTORY_COLUMNS)].rename(columns={c: _(label) for c, label in HISTORY_COLUMNS.items()}),
        hide_index=True, width="stretch", key="reference_history",
    )
    latest = past[past["can_roll_back"]]
    if latest.empty:
        st.caption(_("Every import of this table was rolled back."))
    else:
        latest_id = int(latest["id"].iloc[0])
        st.caption(_("Only the latest import of a table in force can be rolled back: #{id}.").format(id=latest_id))
        undo = st.checkbox(_("Yes, roll back import #{id}: {table} gets back its rows from before it").format(
            id=latest_id, table=referencedata.title(name)), key="reference_rollback_confirm")
        if st.button(_("Roll back import #{id}").format(id=latest_id), disabled=not undo, key="reference_rollback"):
            try:
                restored = referencedata.rollback(engine, latest_id)
            except (ingest.RollbackError, store.StoreError) as exc:
                st.error(str(exc), icon=":material/block:")
            else:
                st.cache_data.clear()
                st.session_state.pop("reference_result", None)
                st.session_state.pop("reference_rollback_confirm", None)
                st.session_state["reference_rollback_message"] = _(
                    "Rolled back import #{id}: {table} holds its {rows} rows from before it again.").format(
                    id=latest_id, table=referencedata.title(name), rows=i18n.number(restored.rows_restored))
                st.rerun()

st.header(_("6. Roadmap wording"))
roadmap_wording()

st.header(_("7. Report subscriptions"))
report_subscriptions()


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
    st.header(_("8. Events on the timeline"))
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
