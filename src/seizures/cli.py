"""The command line: `seizures init [--demo]`, `summary`, `demo-data`, `import FILE [--mapping NAME|FILE]`, `imports`,
`rollback ID`, `template --out PATH`, `report`, `copy`, `users add/remove/list`, `events list/import/export`,
`mappings list/show/export/import/remove`, `reference list/import/export/template`, `iafq`,
`subscriptions list/add/remove`, `send-reports`."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

import pandas as pd

from seizures import (auth, demo, events, i18n, ingest, mappings, queries, reference, referencedata, seed, settings,
                      spreadsheet, store, template, transfer)
from seizures.filters import SeizureFilter, allowed_codes, from_query_params, region_aliases, vocabulary_aliases

EXIT_REJECTED = 1
EXIT_BAD_INPUT = 2
ERRORS_PRINTED = 1000


def _engine(args: argparse.Namespace):
    return store.make_engine(args.db_url)


def cmd_init(args: argparse.Namespace) -> int:
    engine = _engine(args)
    version = store.init_db(engine)
    print(f"schema version {version} ready at {engine.url!r}")
    if args.demo:
        counts = seed.load_demo(engine)
        loaded = counts.pop("seizures")
        print(f"reference tables: {', '.join(f'{k} {v}' for k, v in counts.items())}")
        kept = [name for name in referencedata.NAMES if name not in counts]
        if kept:
            print(f"kept, as imported with `seizures reference import`: {', '.join(kept)}")
        print(f"illustrative seizure lines loaded: {loaded}" if loaded else "demo records already loaded")
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    engine = _engine(args)
    if store.current_version(engine) is None:
        raise store.StoreError("the store is empty: run `seizures init --demo` first")
    totals = queries.totals_by_year(engine, SeizureFilter())
    check = queries.published_vs_recorded(engine)
    if totals.empty:
        print("no seizure records")
        return 0
    table = totals.pivot_table(index="year", columns=["category", "unit"], values="quantity", aggfunc="sum")
    print(table.fillna(0).to_string(float_format=lambda v: f"{v:,.1f}".removesuffix(".0")))
    for row in check.itertuples():
        years = f"{row.year_from}" if row.year_from == row.year_to else f"{row.year_from}-{row.year_to}"
        qualifier = f"{row.qualifier} " if isinstance(row.qualifier, str) else ""
        figure = f"{qualifier}{row.value:,.0f} {row.unit}"
        if not row.covered:
            verdict = f"records do not cover every year (sum {row.recorded:,.0f}): not checked"
        else:
            verdict = f"{'=' if row.consistent else '≠'} records {row.recorded:,.0f}"
        print(f"{years}: published {row.category} {figure} {verdict}")
    return 0


def cmd_demo_data(args: argparse.Namespace) -> int:
    seizures, kpis = demo.write_demo(settings.data_dir())
    print(f"wrote {seizures} illustrative seizure lines and {kpis} illustrative KPI values to {settings.data_dir()}")
    return 0


def report_filter(args: argparse.Namespace, engine) -> SeizureFilter:
    """The report's filter from --year or --from/--to and --region/--category; anything invalid is a StoreError."""
    if args.year is not None and (args.year_from is not None or args.year_to is not None):
        raise store.StoreError("give either --year or --from/--to, not both")
    year_from = args.year if args.year is not None else args.year_from
    year_to = args.year if args.year is not None else args.year_to
    bounds = queries.year_bounds(engine)
    if bounds is None:
        raise store.StoreError("the store has no seizure records: run `seizures init --demo` or import data first")
    params = {"from": year_from, "to": year_to, "region": args.region, "category": args.category}
    regions, vocabulary = queries.region_list(engine), reference.read_vocabulary(engine)
    parsed = from_query_params({k: str(v) for k, v in params.items() if v is not None},
                               allowed_codes(regions["code"], vocabulary), bounds,
                               aliases={**region_aliases(regions.to_dict("records")), **vocabulary_aliases(vocabulary)})
    if parsed.warnings:
        raise store.StoreError(" ".join(w.removeprefix("Ignored ") for w in parsed.warnings))
    return parsed.filter


def cmd_report(args: argparse.Namespace) -> int:
    from seizures import report  # fpdf2 and kaleido load only for this command

    if not args.out and not args.xlsx:
        raise store.StoreError("give --out REPORT.pdf and/or --xlsx REPORT.xlsx")
    for path in (args.out, args.xlsx):
        if path is not None and not path.parent.resolve().is_dir():
            raise store.StoreError(f"folder does not exist for {path}")
    engine = _engine(args)
    if store.current_version(engine) is None:
        raise store.StoreError("the store is empty: run `seizures init --demo` first")
    flt = report_filter(args, engine)
    try:
        if args.out:
            args.out.write_bytes(report.build_pdf(engine, flt, args.lang, args.phase))
            print(f"wrote {args.out} ({args.out.stat().st_size / 1024:,.0f} KB)")
        if args.xlsx:
            args.xlsx.write_bytes(report.build_xlsx(engine, flt, args.lang, args.phase))
            print(f"wrote {args.xlsx} ({args.xlsx.stat().st_size / 1024:,.0f} KB)")
    except report.ReportError as exc:
        raise store.StoreError(str(exc)) from exc
    return 0


def cmd_iafq(args: argparse.Namespace) -> int:
    from seizures import iafq

    if not args.out.parent.resolve().is_dir():
        raise store.StoreError(f"folder does not exist for {args.out}")
    engine = _engine(args)
    if store.current_version(engine) is None:
        raise store.StoreError("the store is empty: run `seizures init --demo` first")
    regions = tuple(code.strip() for code in (args.region or "").split(",") if code.strip())
    unknown = set(regions) - set(queries.region_list(engine)["code"])
    if unknown:
        raise store.StoreError(f"unknown directorate code(s): {', '.join(sorted(unknown))}")
    content = iafq.workbook(engine, args.year, regions, args.lang)
    try:
        args.out.write_bytes(content)
    except OSError as exc:
        raise store.StoreError(f"cannot write {args.out}: {exc.strerror or exc}") from exc
    print(f"wrote {args.out}: the IAFQ tables of {args.year} ({len(content) / 1024:,.0f} KB)")
    return 0


def cmd_copy(args: argparse.Namespace) -> int:
    shown: list[transfer.TableCheck] = []

    def show(check: transfer.TableCheck) -> None:
        if not shown:
            print(f"{'table':<18} {'rows':>9}  {'source checksum':<32}  {'target checksum':<32}")
        shown.append(check)
        rows = f"{check.source_rows:,}" if check.source_rows == check.target_rows else f"{check.source_rows:,}≠{check.target_rows:,}"
        mark = "ok" if check.ok else "DIFFERENT"
        print(f"{check.table:<18} {rows:>9}  {check.source_checksum}  {check.target_checksum}  {mark}")

    checks = transfer.copy_store(args.source, args.target, replace=args.replace, on_table=show)
    total = sum(check.target_rows for check in checks)
    print(f"copied {total:,} rows in {len(checks)} tables; row counts and checksums match")
    return 0


def _write_csv(content: bytes, path: Path) -> None:
    try:
        path.write_bytes(content)
    except OSError as exc:
        raise store.StoreError(f"cannot write {path}: {exc.strerror or exc}") from exc


def _mapping(args: argparse.Namespace, engine):
    """The mapping --mapping names: a saved one by name, or a .mapping.json file."""
    if not args.mapping:
        return None
    try:
        path = Path(args.mapping)
        if path.suffix == ".json" or path.is_file():
            return mappings.read_file(path)
        return mappings.load(engine, args.mapping)
    except mappings.MappingError as exc:
        raise store.StoreError(str(exc)) from exc


def cmd_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise store.StoreError(f"no such file: {path}")
    engine = _engine(args)
    result = ingest.import_file(engine, path, path.name, skip_invalid=args.skip_invalid,
                                mapping=_mapping(args, engine))
    for note in result.notes:
        print(f"note: {note}")
    print(result.summary())
    if not result.errors.empty:
        # One line per distinct problem (column and reason), with its number of rows and the first of them; the
        # reasons in full.
        lines = ingest.grouped_text(result.errors)
        print(f"{len(lines):,} distinct problem(s):", file=sys.stderr)
        for line in lines[:ERRORS_PRINTED]:
            print(f"  {line}", file=sys.stderr)
        if len(lines) > ERRORS_PRINTED:
            print(f"... and {len(lines) - ERRORS_PRINTED:,} more (all of them: --errors-out FILE)", file=sys.stderr)
        if args.errors_out:
            _write_csv(spreadsheet.csv_bytes(result.grouped()), Path(args.errors_out))
            print(f"problems (one line per distinct problem) written to {args.errors_out}")
        if args.errors_by_row_out:
            _write_csv(spreadsheet.csv_bytes(result.problems()), Path(args.errors_by_row_out))
            print(f"problems (one line per row and column) written to {args.errors_by_row_out}")
    if result.rejected_rows is not None:
        out = Path(args.rejected_out) if args.rejected_out else path.with_name(f"{path.stem}.rejected.csv")
        # Quoted for a spreadsheet in a way their import undoes (ingest._rejected_rows); csv_bytes keeps them so.
        _write_csv(spreadsheet.csv_bytes(result.rejected_rows), out)
        print(f"{len(result.rejected_rows):,} rejected rows written to {out} (correct them and import that file)")
    return 0 if result.status in ("imported", "already_imported") else EXIT_REJECTED


def cmd_mappings_list(args: argparse.Namespace) -> int:
    frame = mappings.listing(_engine(args))
    if frame.empty:
        print("no mappings saved (save one on the Data page, or `seizures mappings import FILE.mapping.json`)")
        return 0
    frame["saved_at"] = frame["saved_at"].map(lambda t: f"{t:%Y-%m-%d %H:%M}")
    print(frame.to_string(index=False))
    return 0


def cmd_mappings_show(args: argparse.Namespace) -> int:
    try:
        print(mappings.to_json(mappings.load(_engine(args), args.name)), end="")
    except mappings.MappingError as exc:
        raise store.StoreError(str(exc)) from exc
    return 0


def cmd_mappings_export(args: argparse.Namespace) -> int:
    try:
        mapping = mappings.load(_engine(args), args.name)
    except mappings.MappingError as exc:
        raise store.StoreError(str(exc)) from exc
    out = Path(args.out) if args.out else Path(f"{mapping.name}{mappings.SUFFIX}")
    _write_csv(mappings.to_json(mapping).encode("utf-8"), out)
    print(f"wrote {out}")
    return 0


def cmd_mappings_import(args: argparse.Namespace) -> int:
    try:
        mapping = mappings.read_file(Path(args.file))
        if args.name:
            mapping = mappings.with_name(mapping, args.name)
        mappings.save(_engine(args), mapping, seed.os_user(), replace_existing=args.replace)
    except mappings.MappingError as exc:
        print(f"seizures: error: {exc}", file=sys.stderr)
        return EXIT_REJECTED
    print(f"saved the mapping {mapping.name} (use it: seizures import FILE --mapping {mapping.name})")
    return 0


def cmd_mappings_remove(args: argparse.Namespace) -> int:
    try:
        mappings.remove(_engine(args), args.name)
    except mappings.MappingError as exc:
        print(f"seizures: error: {exc}", file=sys.stderr)
        return EXIT_REJECTED
    print(f"removed the mapping {args.name}")
    return 0


def cmd_imports(args: argparse.Namespace) -> int:
    frame = ingest.list_imports(_engine(args))
    if frame.empty:
        print("no imports yet")
        return 0
    frame["status"] = frame["rolled_back_at"].map(lambda t: f"rolled back {t:%Y-%m-%d %H:%M}" if pd.notna(t) else "active")
    frame["imported_at"] = frame["imported_at"].map(lambda t: f"{t:%Y-%m-%d %H:%M}")
    columns = ["id", "kind", "file_name", "rows_read", "rows_accepted", "rows_rejected", "lines_stored",
               "user_name", "imported_at", "status"]
    print(frame[columns].to_string(index=False))
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    engine = _engine(args)
    try:
        if referencedata.reference_import(engine, args.id):
            print(referencedata.rollback(engine, args.id).summary())
            return 0
        removed = ingest.rollback(engine, args.id)
    except ingest.RollbackError as exc:
        print(f"seizures: error: {exc}", file=sys.stderr)
        return EXIT_REJECTED
    print(f"rolled back import #{args.id}: {removed:,} seizure lines removed")
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    try:
        written = template.write_template(_engine(args), Path(args.out))
    except ValueError as exc:
        raise store.StoreError(str(exc)) from exc
    except OSError as exc:
        raise store.StoreError(f"cannot write {args.out}: {exc.strerror or exc}") from exc
    print("wrote " + " and ".join(str(p) for p in written))
    return 0


def cmd_events_list(args: argparse.Namespace) -> int:
    engine = _engine(args)
    regions = tuple(code.strip() for code in (args.region or "").split(",") if code.strip())
    unknown = set(regions) - set(queries.region_list(engine)["code"])
    if unknown:
        raise store.StoreError(f"unknown directorate code(s): {', '.join(sorted(unknown))}")
    flt = SeizureFilter(year_from=args.year_from, year_to=args.year_to, regions=regions)
    frame = queries.events_in_filter(engine, flt)
    if frame.empty:
        print("no events")
        return 0
    frame = frame.assign(region_code=frame["region_code"].fillna("national"), ends_on=frame["ends_on"].fillna(""))
    print(frame[["id", "starts_on", "ends_on", "region_code", "kind", "title_en", "source"]].to_string(
        index=False, max_colwidth=60))
    return 0


def cmd_events_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise store.StoreError(f"no such file: {path}")
    result = events.import_file(_engine(args), path, path.name, seed.os_user())
    for note in result.notes:
        print(f"note: {note}")
    print(result.summary())
    if not result.errors.empty:
        print(result.errors.head(ERRORS_PRINTED).to_string(index=False, max_colwidth=60), file=sys.stderr)
    return EXIT_REJECTED if result.status == "rejected" else 0


def cmd_events_export(args: argparse.Namespace) -> int:
    frame = events.export_frame(_engine(args))
    try:
        Path(args.out).write_bytes(events.export_csv(frame))
    except OSError as exc:
        raise store.StoreError(f"cannot write {args.out}: {exc.strerror or exc}") from exc
    print(f"wrote {args.out} ({len(frame)} events)")
    return 0


# --- reference data: seizures reference list/import/export/template ---------------------------------------------


def cmd_reference_list(args: argparse.Namespace) -> int:
    frame = referencedata.overview(_engine(args))
    for row in frame.itertuples():
        last = (f"import #{row.import_id} {row.file_name} by {row.user_name} {row.imported_at:%Y-%m-%d %H:%M}"
                if not pd.isna(row.import_id) else "not imported (empty, or as `init --demo` loaded it)")
        print(f"{row.table:<17} {row.rows:>7,} row{'' if row.rows == 1 else 's'}  {last}")
    return 0


def cmd_reference_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise store.StoreError(f"no such file: {path}")
    result = referencedata.import_file(_engine(args), args.table, path, path.name)
    for note in result.notes:
        print(f"note: {note}")
    print(result.summary())
    if not result.problems.empty:
        print(referencedata.problem_lines(result.problems), file=sys.stderr)  # whole: reasons are never cut
    return EXIT_REJECTED if result.status == "rejected" else 0


def cmd_reference_export(args: argparse.Namespace) -> int:
    engine = _engine(args)
    if args.all:
        folder = Path(args.out)
        if args.table:
            raise store.StoreError("give a table or --all, not both")
        try:
            folder.mkdir(exist_ok=True)
        except OSError as exc:
            raise store.StoreError(f"cannot make the folder {folder}: {exc.strerror or exc}") from exc
        for name in referencedata.NAMES:
            _write_csv(referencedata.export_csv(engine, name), folder / f"{name}.csv")
        print(f"wrote {len(referencedata.NAMES)} files to {folder}: " + ", ".join(f"{n}.csv" for n in referencedata.NAMES))
        return 0
    if not args.table:
        raise store.StoreError("give a table (one of " + ", ".join(referencedata.NAMES) + ") or --all")
    _write_csv(referencedata.export_csv(engine, args.table), Path(args.out))
    print(f"wrote {args.out} ({len(referencedata.export_frame(engine, args.table)):,} rows of {args.table})")
    return 0


def cmd_reference_template(args: argparse.Namespace) -> int:
    out = Path(args.out)
    described = out.with_name(f"{out.stem}.columns.csv")
    _write_csv(referencedata.template_csv(args.table), out)
    _write_csv(referencedata.columns_csv(args.table), described)
    print(f"wrote {out} (the header of {args.table}) and {described} (what each column holds):")
    for column in referencedata.columns_frame(args.table).itertuples():
        required = ", required" if column.required else ""
        print(f"  {column.column} ({column.type}{required}): {column.description}")
    return 0


def cmd_subscriptions_list(args: argparse.Namespace) -> int:
    from seizures import subscriptions

    frame = subscriptions.listing(_engine(args), include_removed=args.all)
    if frame.empty:
        print("no subscriptions")
        return 0
    frame = frame.assign(
        to=frame["email"].fillna(frame["folder"]),
        last=[f"{c} {s}" if isinstance(c, str) else "-" for c, s in zip(frame["last_cycle"], frame["last_status"])],
        removed=frame["removed_at"].map(lambda t: f"{t:%Y-%m-%d}" if pd.notna(t) else ""),
    )
    columns = ["id", "recipient", "to", "filter", "language", "format", "frequency", "last", "created_by"]
    print(frame[columns + (["removed"] if args.all else [])].to_string(index=False, max_colwidth=50))
    return 0


def cmd_subscriptions_add(args: argparse.Namespace) -> int:
    from seizures import subscriptions

    try:
        new = subscriptions.add(_engine(args), args.recipient, email=args.email, folder=args.folder,
                                filter=args.filter or "", language=args.lang, format=args.format,
                                frequency=args.frequency, user=seed.os_user())
    except subscriptions.SubscriptionError as exc:
        raise store.StoreError(str(exc)) from exc
    print(f"added subscription #{new}: {args.frequency} {args.format} report for {args.recipient}")
    return 0


def cmd_subscriptions_remove(args: argparse.Namespace) -> int:
    from seizures import subscriptions

    try:
        subscriptions.remove(_engine(args), args.id, seed.os_user())
    except subscriptions.SubscriptionError as exc:
        raise store.StoreError(str(exc)) from exc
    print(f"removed subscription #{args.id} (its reports sent stay recorded)")
    return 0


def cmd_send_reports(args: argparse.Namespace) -> int:
    from seizures import subscriptions

    engine = _engine(args)
    if store.current_version(engine) is None:
        raise store.StoreError("the store is empty: run `seizures init --demo` first")
    if args.dry_run:
        pending = subscriptions.due(engine)
        for sub, cycle in pending:
            print(f"due: #{sub.id} {sub.recipient} <{sub.destination}> {sub.format} {cycle}")
        print(f"{len(pending)} report(s) due" if pending else "nothing due")
        return 0
    try:
        outcomes = subscriptions.send_due(engine)
    except (subscriptions.SubscriptionError, ValueError) as exc:
        raise store.StoreError(str(exc)) from exc
    for out in outcomes:
        sub = out.subscription
        if out.status == "sent":
            again = " (again, after an interrupted attempt: same Message-ID)" if out.resent else ""
            how = "sent to" if sub.email else "wrote for"
            print(f"{how} #{sub.id} {sub.recipient} <{sub.destination}> {out.cycle}: {out.detail}{again}")
        else:
            print(f"{out.status}: #{sub.id} {sub.recipient} {out.cycle}: {out.detail}", file=sys.stderr)
    if not outcomes:
        print("nothing due")
    return EXIT_REJECTED if any(out.status == "failed" for out in outcomes) else 0


def _read_password() -> str:
    """From the terminal (asked twice, not echoed), or the first line of standard input for scripts."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise auth.UsersError("the two passwords differ")
    return first


def cmd_users_add(args: argparse.Namespace) -> int:
    path = settings.users_file()
    password = None if args.no_password else _read_password()
    user = auth.add_user(path, args.name, args.role, password=password, email=args.email, name=args.full_name,
                         replace=args.replace)
    login = "password" if user.has_password else f"identity provider ({user.email})"
    print(f"{'updated' if args.replace else 'added'} {user.username}: {user.role}, logs in by {login} ({path})")
    return 0


def cmd_users_remove(args: argparse.Namespace) -> int:
    auth.remove_user(settings.users_file(), args.name)
    print(f"removed {args.name} from {settings.users_file()}")
    return 0


def cmd_users_list(args: argparse.Namespace) -> int:
    path = settings.users_file()
    accounts = auth.users(auth.read(path))
    if not accounts:
        print(f"no users in {path}")
    for user in accounts:
        login = "password" if user.has_password else "identity provider"
        print(f"{user.username}\t{user.role}\t{user.email or '-'}\t{login}\t{user.name}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="seizures", description=__doc__)
    parser.add_argument("--db-url", help=f"SQLAlchemy URL of the store (default: ${settings.DB_URL_SETTING} or the DuckDB file in data/)")
    sub = parser.add_subparsers(dest="command", required=True)
    init = sub.add_parser("init", help="create the schema (idempotent)")
    init.add_argument("--demo", action="store_true", help="also load reference data and illustrative demo records")
    init.set_defaults(func=cmd_init)
    sub.add_parser("summary", help="print yearly totals").set_defaults(func=cmd_summary)
    sub.add_parser("demo-data", help="regenerate data/demo_seizures.csv and data/kpi_values.csv").set_defaults(func=cmd_demo_data)
    rep = sub.add_parser("report", help="the donor report for a period: PDF and/or Excel workbook")
    rep.add_argument("--year", type=int, help="one calendar year (default: every year in the store)")
    rep.add_argument("--from", dest="year_from", type=int, help="first year of the period")
    rep.add_argument("--to", dest="year_to", type=int, help="last year of the period")
    rep.add_argument("--region", help="directorates by code or name, comma-separated (default: all)")
    rep.add_argument("--category", help="categories, comma-separated: firearm, ammunition, explosive, component")
    rep.add_argument("--phase", help="the Roadmap phase of the KPIs, by code (default: the one the period's last year "
                     "falls in)")
    rep.add_argument("--out", type=Path, help="where to write the PDF")
    rep.add_argument("--xlsx", type=Path, help="where to write the Excel workbook")
    rep.add_argument("--lang", choices=list(i18n.LANGUAGES), default=i18n.DEFAULT,
                     help="language of the report: en (English), sq (Albanian), sr (Serbian, Latin script)")
    rep.set_defaults(func=cmd_report)
    questionnaire = sub.add_parser(
        "iafq", help="the tables of the UNODC Illicit Arms Flows Questionnaire for a year (Excel)",
        description="Firearms seized by type, legal basis, criminal context, significant seizures, marking, trace "
        "requests and results, countries of manufacture and of last legal import, and what is not recorded. The "
        "questionnaire's exact sheet layout is not confirmed: copy the figures into the official form.",
    )
    questionnaire.add_argument("--year", type=int, required=True, help="the calendar year")
    questionnaire.add_argument("--region", help="directorate codes, comma-separated (default: all)")
    questionnaire.add_argument("--out", type=Path, required=True, help="where to write the .xlsx file")
    questionnaire.add_argument("--lang", choices=list(i18n.LANGUAGES), default=i18n.DEFAULT,
                               help="language of the headings")
    questionnaire.set_defaults(func=cmd_iafq)
    copy = sub.add_parser(
        "copy", help="copy a whole store to another (e.g. a DuckDB file to PostgreSQL), verified by counts and checksums"
    )
    copy.add_argument("--from", dest="source", required=True, metavar="URL", help="the store to read")
    copy.add_argument("--to", dest="target", required=True, metavar="URL", help="the store to write (schema created if missing)")
    copy.add_argument("--replace", action="store_true", help="overwrite a target that already holds rows")
    copy.set_defaults(func=cmd_copy)
    imp = sub.add_parser(
        "import", help="import seizure records from a CSV or .xlsx file (all-or-nothing)",
        description="Validate every row, then import all of them in one transaction, or nothing. "
        f"Exit status: 0 imported (or already imported), {EXIT_REJECTED} rejected, {EXIT_BAD_INPUT} store error.",
    )
    imp.add_argument("file", help="a CSV (UTF-8, or Windows-1250/1252) or .xlsx file laid out as the template, a long "
                     "count file (columns period and quantity), or a count table with --mapping")
    imp.add_argument("--skip-invalid", action="store_true", help="import the valid rows, write the invalid ones to a file")
    imp.add_argument("--rejected-out", metavar="PATH", help="where --skip-invalid writes the rejected rows "
                     "(default: FILE's name + .rejected.csv, beside it)")
    imp.add_argument("--errors-out", metavar="PATH",
                     help="also write the problems to this CSV file, one line per distinct problem (column and reason)")
    imp.add_argument("--errors-by-row-out", metavar="PATH",
                     help="also write every problem to this CSV file, one line per row and column")
    imp.add_argument("--mapping", metavar="NAME|FILE",
                     help="a file of counts laid out as a saved column mapping (its name) or a .mapping.json file says")
    imp.set_defaults(func=cmd_import)
    maps = sub.add_parser("mappings", help="column mappings of count files (wide tables): saved, shown, exported, "
                          "imported").add_subparsers(dest="mappings_command", required=True)
    maps.add_parser("list", help="the saved mappings").set_defaults(func=cmd_mappings_list)
    show = maps.add_parser("show", help="a saved mapping as its Frictionless descriptor (JSON)")
    show.add_argument("name")
    show.set_defaults(func=cmd_mappings_show)
    export = maps.add_parser("export", help="write a saved mapping to a .mapping.json file")
    export.add_argument("name")
    export.add_argument("--out", metavar="PATH", help="default: NAME.mapping.json here")
    export.set_defaults(func=cmd_mappings_export)
    m_import = maps.add_parser("import", help="save a mapping from a .mapping.json file (checked first)")
    m_import.add_argument("file")
    m_import.add_argument("--name", help="save it under another name")
    m_import.add_argument("--replace", action="store_true", help="replace a saved mapping of the same name")
    m_import.set_defaults(func=cmd_mappings_import)
    m_remove = maps.add_parser("remove", help="remove a saved mapping")
    m_remove.add_argument("name")
    m_remove.set_defaults(func=cmd_mappings_remove)
    sub.add_parser("imports", help="list past imports").set_defaults(func=cmd_imports)
    rollback = sub.add_parser("rollback", help="remove the seizure lines of one import")
    rollback.add_argument("id", type=int, help="the import's id (see `seizures imports`)")
    rollback.set_defaults(func=cmd_rollback)
    tpl = sub.add_parser("template", help="write the import template (.csv or .xlsx)")
    tpl.add_argument("--out", required=True, metavar="PATH", help="file to write: .xlsx, or .csv (allowed values beside it)")
    tpl.set_defaults(func=cmd_template)
    users = sub.add_parser("users", help=f"the app's user accounts (file: ${settings.USERS_FILE_SETTING}, "
                           "default .streamlit/users.yaml)").add_subparsers(dest="users_command", required=True)
    add = users.add_parser("add", help="add a user (asks for the password; a script may give it on standard input)")
    add.add_argument("name", help="user name (lower case letters, digits, . _ @ -)")
    add.add_argument("--role", required=True, choices=auth.ROLES, help="viewer, analyst or admin")
    add.add_argument("--email", help="e-mail address: matches the identity provider's login (st.login)")
    add.add_argument("--full-name", help="the name shown in the app (default: the user name)")
    add.add_argument("--no-password", action="store_true", help="no password: logs in through the identity provider only")
    add.add_argument("--replace", action="store_true", help="change an existing user (role, password, e-mail)")
    add.set_defaults(func=cmd_users_add)
    remove = users.add_parser("remove", help="remove a user")
    remove.add_argument("name")
    remove.set_defaults(func=cmd_users_remove)
    users.add_parser("list", help="list users and roles (never passwords)").set_defaults(func=cmd_users_list)
    timeline = sub.add_parser("events", help="the events on the timeline (operations, campaigns, laws, trainings, ...)"
                              ).add_subparsers(dest="events_command", required=True)
    listing = timeline.add_parser("list", help="list the events (of a period and directorates: national ones always)")
    listing.add_argument("--from", dest="year_from", type=int, help="first year")
    listing.add_argument("--to", dest="year_to", type=int, help="last year")
    listing.add_argument("--region", help="directorate codes, comma-separated")
    listing.set_defaults(func=cmd_events_list)
    ev_import = timeline.add_parser(
        "import", help="add or update events from a CSV or .xlsx file (all or nothing)",
        description="Columns: " + ", ".join(events.EXPORT_COLUMNS) + ". A row with an id replaces that event; "
        f"a row without one adds an event. Exit status: 0 imported (or nothing to change), {EXIT_REJECTED} rejected, "
        f"{EXIT_BAD_INPUT} store error.",
    )
    ev_import.add_argument("file")
    ev_import.set_defaults(func=cmd_events_import)
    ev_export = timeline.add_parser("export", help="write every event to a CSV file (the import layout)")
    ev_export.add_argument("--out", required=True, metavar="PATH")
    ev_export.set_defaults(func=cmd_events_export)
    _reference_parser(sub)
    subs = sub.add_parser("subscriptions", help="reports sent on their own, monthly or quarterly (see send-reports)"
                          ).add_subparsers(dest="subscriptions_command", required=True)
    subs_list = subs.add_parser("list", help="list the subscriptions and their latest report")
    subs_list.add_argument("--all", action="store_true", help="also the removed ones")
    subs_list.set_defaults(func=cmd_subscriptions_list)
    subs_add = subs.add_parser("add", help="add a subscription")
    subs_add.add_argument("--recipient", required=True, help="who gets it (a name)")
    to = subs_add.add_mutually_exclusive_group(required=True)
    to.add_argument("--email", help="e-mail address (needs SEIZURES_SMTP_HOST and SEIZURES_SMTP_FROM)")
    to.add_argument("--folder", help="a folder on this server the report is written to (absolute path)")
    subs_add.add_argument("--filter", help='the filter as URL parameters, e.g. "from=2021&region=PZ,GJ" (default: all)')
    subs_add.add_argument("--lang", choices=list(i18n.LANGUAGES), default=i18n.DEFAULT, help="language of the report")
    subs_add.add_argument("--format", choices=["pdf", "xlsx"], default="pdf")
    subs_add.add_argument("--frequency", choices=["monthly", "quarterly"], default="monthly")
    subs_add.set_defaults(func=cmd_subscriptions_add)
    subs_remove = subs.add_parser("remove", help="end a subscription (what was sent stays recorded)")
    subs_remove.add_argument("id", type=int)
    subs_remove.set_defaults(func=cmd_subscriptions_remove)
    send = sub.add_parser(
        "send-reports", help="build and send the reports that are due (safe to run again: nothing is sent twice)",
        description=f"Exit status: 0 done (or nothing due), {EXIT_REJECTED} a report failed (tried again on the next "
        f"run), {EXIT_BAD_INPUT} cannot start.",
    )
    send.add_argument("--dry-run", action="store_true", help="list what is due, send nothing")
    send.set_defaults(func=cmd_send_reports)
    return parser


def _reference_parser(sub) -> None:
    tables = ", ".join(referencedata.NAMES)
    ref = sub.add_parser(
        "reference", help="the reference data: jurisdiction, vocabulary, regions, municipalities, published totals, ...",
        description="Each reference table is replaced as a whole from a CSV or .xlsx file laid out as its export "
        "(validated, all or nothing, audited; `seizures rollback ID` undoes an import). Load the jurisdiction and "
        "the vocabulary first, then the regions, then the rest. Tables: " + tables,
    ).add_subparsers(dest="reference_command", required=True)
    ref.add_parser("list", help="each table: its rows and its last import").set_defaults(func=cmd_reference_list)
    imp = ref.add_parser(
        "import", help="replace a table with the rows of a CSV or .xlsx file (all or nothing)",
        description=f"Exit status: 0 imported (or nothing to change), {EXIT_REJECTED} refused (every problem is "
        f"listed with its file, row and column), {EXIT_BAD_INPUT} store error.",
    )
    imp.add_argument("table", choices=referencedata.NAMES)
    imp.add_argument("file", help="a CSV (UTF-8, or Windows-1250/1252; , ; or tab) or .xlsx file")
    imp.set_defaults(func=cmd_reference_import)
    exp = ref.add_parser("export", help="write a table (or every table) as CSV, laid out as its import takes it")
    exp.add_argument("table", nargs="?", choices=referencedata.NAMES)
    exp.add_argument("--all", action="store_true", help="every table, as TABLE.csv in the folder --out names")
    exp.add_argument("--out", required=True, metavar="PATH", help="the file to write (with --all: a folder)")
    exp.set_defaults(func=cmd_reference_export)
    tpl = ref.add_parser("template", help="write a table's header, and what each column holds beside it")
    tpl.add_argument("table", choices=referencedata.NAMES)
    tpl.add_argument("--out", required=True, metavar="PATH", help="the CSV to write (PATH's name + .columns.csv beside it)")
    tpl.set_defaults(func=cmd_reference_template)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (store.StoreError, auth.UsersError) as exc:
        print(f"seizures: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
