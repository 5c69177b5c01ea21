"""The command line: `seizures init [--demo]`, `summary`, `demo-data`, `import FILE`, `imports`, `rollback ID`,
`template --out PATH`, `report`, `copy`, `users add/remove/list`, `events list/import/export`."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

import pandas as pd

from seizures import auth, demo, events, i18n, ingest, queries, seed, settings, store, template, transfer
from seizures.filters import SeizureFilter, from_query_params

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
    fire = check[check["indicator"] == "firearms_confiscated"]
    for row in fire.itertuples():
        mark = "=" if row.consistent else "≠"
        print(f"{row.year}: published firearms {row.value:,.0f} {mark} records {row.recorded:,.0f}")
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
    parsed = from_query_params({k: str(v) for k, v in params.items() if v is not None}, queries.region_list(engine)["code"], bounds)
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
            args.out.write_bytes(report.build_pdf(engine, flt, args.lang))
            print(f"wrote {args.out} ({args.out.stat().st_size / 1024:,.0f} KB)")
        if args.xlsx:
            args.xlsx.write_bytes(report.build_xlsx(engine, flt, args.lang))
            print(f"wrote {args.xlsx} ({args.xlsx.stat().st_size / 1024:,.0f} KB)")
    except report.ReportError as exc:
        raise store.StoreError(str(exc)) from exc
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


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    try:
        frame.to_csv(path, index=False)
    except OSError as exc:
        raise store.StoreError(f"cannot write {path}: {exc.strerror or exc}") from exc


def cmd_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise store.StoreError(f"no such file: {path}")
    result = ingest.import_file(_engine(args), path, path.name, skip_invalid=args.skip_invalid)
    for note in result.notes:
        print(f"note: {note}")
    print(result.summary())
    if not result.errors.empty:
        shown = result.errors.head(ERRORS_PRINTED)
        print(shown.to_string(index=False, max_colwidth=60), file=sys.stderr)
        if len(result.errors) > len(shown):
            print(f"... and {len(result.errors) - len(shown):,} more problems (all of them: --errors-out FILE)",
                  file=sys.stderr)
        if args.errors_out:
            _write_csv(ingest.spreadsheet_safe(result.errors), Path(args.errors_out))
            print(f"problems written to {args.errors_out}")
    if result.rejected_rows is not None:
        out = Path(args.rejected_out) if args.rejected_out else path.with_name(f"{path.stem}.rejected.csv")
        _write_csv(result.rejected_rows, out)
        print(f"{len(result.rejected_rows):,} rejected rows written to {out} (correct them and import that file)")
    return 0 if result.status in ("imported", "already_imported") else EXIT_REJECTED


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
    try:
        removed = ingest.rollback(_engine(args), args.id)
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
    rep.add_argument("--region", help="directorate codes, comma-separated (default: all)")
    rep.add_argument("--category", help="categories, comma-separated: firearm, ammunition, explosive, component")
    rep.add_argument("--out", type=Path, help="where to write the PDF")
    rep.add_argument("--xlsx", type=Path, help="where to write the Excel workbook")
    rep.add_argument("--lang", choices=list(i18n.LANGUAGES), default=i18n.DEFAULT,
                     help="language of the report: en (English), sq (Albanian), sr (Serbian, Latin script)")
    rep.set_defaults(func=cmd_report)
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
    imp.add_argument("file", help="a CSV (UTF-8, or Windows-1250/1252) or .xlsx file laid out as the template")
    imp.add_argument("--skip-invalid", action="store_true", help="import the valid rows, write the invalid ones to a file")
    imp.add_argument("--rejected-out", metavar="PATH", help="where --skip-invalid writes the rejected rows "
                     "(default: FILE's name + .rejected.csv, beside it)")
    imp.add_argument("--errors-out", metavar="PATH", help="also write every problem found to this CSV file")
    imp.set_defaults(func=cmd_import)
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
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (store.StoreError, auth.UsersError) as exc:
        print(f"seizures: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
