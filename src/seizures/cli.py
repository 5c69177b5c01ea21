"""The command line: `seizures init [--demo]`, `seizures summary`, `seizures demo-data`, `seizures copy`."""

from __future__ import annotations

import argparse
import sys

from seizures import demo, queries, seed, settings, store, transfer
from seizures.filters import SeizureFilter

EXIT_BAD_INPUT = 2


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="seizures", description=__doc__)
    parser.add_argument("--db-url", help=f"SQLAlchemy URL of the store (default: ${settings.DB_URL_SETTING} or the DuckDB file in data/)")
    sub = parser.add_subparsers(dest="command", required=True)
    init = sub.add_parser("init", help="create the schema (idempotent)")
    init.add_argument("--demo", action="store_true", help="also load reference data and illustrative demo records")
    init.set_defaults(func=cmd_init)
    sub.add_parser("summary", help="print yearly totals").set_defaults(func=cmd_summary)
    sub.add_parser("demo-data", help="regenerate data/demo_seizures.csv and data/kpi_values.csv").set_defaults(func=cmd_demo_data)
    copy = sub.add_parser(
        "copy", help="copy a whole store to another (e.g. a DuckDB file to PostgreSQL), verified by counts and checksums"
    )
    copy.add_argument("--from", dest="source", required=True, metavar="URL", help="the store to read")
    copy.add_argument("--to", dest="target", required=True, metavar="URL", help="the store to write (schema created if missing)")
    copy.add_argument("--replace", action="store_true", help="overwrite a target that already holds rows")
    copy.set_defaults(func=cmd_copy)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except store.StoreError as exc:
        print(f"seizures: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
