"""Loading the CSV files in data/ into the store: reference data as published, demo records as illustrative."""

from __future__ import annotations

import datetime as dt
import hashlib
import getpass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from seizures import events, schema, settings, store, summary

DEMO_FILE = "demo_seizures.csv"


def read_table_csv(path: Path, table: sa.Table) -> pd.DataFrame:
    """Read a CSV whose columns are named after a table's, converting each to the column's type."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    for column in frame.columns:
        if column not in table.c:
            raise ValueError(f"{path.name}: unknown column {column!r} for table {table.name}")
        text = frame[column].str.strip()
        kind = table.c[column].type
        if isinstance(kind, sa.Boolean):
            frame[column] = text.str.lower().map({"true": True, "false": False})
        elif isinstance(kind, sa.Integer):
            frame[column] = pd.to_numeric(text.replace("", None)).astype("Int64")
        elif isinstance(kind, sa.Float):
            frame[column] = pd.to_numeric(text.replace("", None)).astype("float64")
        elif isinstance(kind, sa.Date):
            frame[column] = pd.to_datetime(text, format="ISO8601").dt.date
        else:
            frame[column] = text.replace("", None)
    return frame


def load_reference(conn: sa.Connection, data: Path) -> dict[str, int]:
    """Replace every reference table with the rows of its CSV file (one transaction, the caller's)."""
    counts = {}
    for table in (*schema.REFERENCE_TABLES, schema.kpi_values):
        frame = read_table_csv(data / f"{table.name}.csv", table)
        conn.execute(table.delete())
        counts[table.name] = store.insert_frame(conn, table, frame)
    return counts


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def load_demo(engine: sa.Engine, data: Path | None = None) -> dict[str, int]:
    """Load reference data, the demo events and the illustrative demo records; re-running with the same files
    changes nothing (events already stored are not added again)."""
    data = data or settings.data_dir()
    demo_path = data / DEMO_FILE
    digest = file_hash(demo_path)
    records = read_table_csv(demo_path, schema.seizures)
    imports, seizures = schema.imports, schema.seizures
    with store.serial_write(engine) as conn:  # two servers starting at once must not both load the demo
        counts = load_reference(conn, data)
        counts["events"] = events.load_demo(conn, data / events.DEMO_FILE, os_user())
        current = conn.execute(
            sa.select(imports.c.id, imports.c.content_hash)
            .where(imports.c.kind == "demo", imports.c.rolled_back_at.is_(None))
        ).all()
        if [row.content_hash for row in current] == [digest]:
            counts["seizures"] = 0
            return counts
        for old in current:  # the demo file changed: replace the old demo rows
            summary.removing(conn, old.id)
            conn.execute(seizures.delete().where(seizures.c.import_id == old.id))
            conn.execute(imports.update().where(imports.c.id == old.id).values(rolled_back_at=dt.datetime.now()))
        import_id = conn.execute(
            imports.insert()
            .values(
                file_name=DEMO_FILE, content_hash=digest, kind="demo", rows_read=len(records),
                rows_accepted=len(records), rows_rejected=0, user_name=os_user(),
                imported_at=dt.datetime.now(),
            )
            .returning(imports.c.id)
        ).scalar_one()
        records["import_id"] = import_id
        counts["seizures"] = store.insert_frame(conn, seizures, records)
        summary.added(conn, import_id)
    return counts
