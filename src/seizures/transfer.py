"""Moving a whole store between engines (a DuckDB file <-> PostgreSQL), checked by row counts and checksums.

The copy is one transaction on the target: if any table's count or checksum differs from the source, nothing
is kept. The source is read in one transaction too (a consistent snapshot on PostgreSQL while others write).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd
import sqlalchemy as sa

from seizures import migrations, schema, store

CHUNK_ROWS = 50_000
CHECKSUM_MODULUS = 2**128


@dataclass(frozen=True)
class TableCheck:
    table: str
    source_rows: int
    target_rows: int
    source_checksum: str
    target_checksum: str

    @property
    def ok(self) -> bool:
        return self.source_rows == self.target_rows and self.source_checksum == self.target_checksum


class TransferError(store.StoreError):
    """The copy was refused or did not verify: no row of the target was changed."""


def _canonical(value):
    """One text form per value, whichever engine and driver returned it."""
    if isinstance(value, float):
        return value.hex()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value  # None, bool, int, str: JSON keeps them apart


class RowChecksum:
    """An order-independent checksum of a multiset of rows: the sum of the rows' SHA-256 values, mod 2**128."""

    def __init__(self):
        self.rows = 0
        self.total = 0

    def add(self, rows: Iterable[tuple]) -> None:
        for row in rows:
            text = json.dumps([_canonical(v) for v in row], ensure_ascii=False, separators=(",", ":"))
            digest = hashlib.sha256(text.encode("utf-8")).digest()
            self.total = (self.total + int.from_bytes(digest[:16], "big")) % CHECKSUM_MODULUS
            self.rows += 1

    @property
    def hex(self) -> str:
        return f"{self.total:032x}"


def _chunks(conn: sa.Connection, table: sa.FromClause):
    result = conn.execution_options(yield_per=CHUNK_ROWS).execute(sa.select(table))
    for chunk in result.partitions():
        yield [tuple(row) for row in chunk]


def table_checksum(conn: sa.Connection, table: sa.FromClause) -> tuple[int, str]:
    """A table's row count (by SQL) and the checksum of its rows."""
    checksum = RowChecksum()
    for rows in _chunks(conn, table):
        checksum.add(rows)
    count = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
    if count != checksum.rows:
        raise TransferError(f"{table.name}: counted {count} rows but read {checksum.rows}")
    return count, checksum.hex


def _typed_frame(table: sa.Table, rows: list[tuple]) -> pd.DataFrame:
    """Rows as a frame whose column types match the table's (nullable integers stay integers)."""
    data = {}
    for i, column in enumerate(table.c):
        values = [row[i] for row in rows]
        if isinstance(column.type, sa.Integer):
            data[column.name] = pd.array(values, dtype="Int64")
        elif isinstance(column.type, sa.Boolean):
            data[column.name] = pd.array(values, dtype="boolean")
        else:
            data[column.name] = pd.Series(values, dtype=object)
    return pd.DataFrame(data)


def _advance_sequences(conn: sa.Connection) -> None:
    """Make each key sequence continue after the highest copied id."""
    for table in schema.metadata.sorted_tables:
        sequence = table.c.id.default if "id" in table.c else None
        if not isinstance(sequence, sa.Sequence):
            continue
        top = conn.execute(sa.select(sa.func.max(table.c.id))).scalar()
        if top is None:
            continue
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT setval(CAST(:name AS regclass), :top)"), {"name": sequence.name, "top": top})
        else:  # DuckDB has no setval: draw numbers until the sequence has passed the top
            current = conn.execute(sa.select(sequence.next_value())).scalar_one()
            if current < top:
                conn.execute(sa.text("SELECT count(nextval(:name)) FROM range(:n)"), {"name": sequence.name, "n": top - current})


def _store_identity(engine: sa.Engine) -> str:
    url = engine.url
    if url.get_backend_name() == "duckdb" and url.database not in (None, "", ":memory:"):
        url = url.set(database=str(Path(url.database).resolve()))
    return url.render_as_string(hide_password=True)


def _rows_in(conn: sa.Connection) -> int:
    inspector = sa.inspect(conn)
    return sum(
        conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        for table in schema.metadata.sorted_tables
        if inspector.has_table(table.name)
    )


def copy_store(
    source_url: str,
    target_url: str,
    replace: bool = False,
    on_table: Callable[[TableCheck], None] | None = None,
) -> list[TableCheck]:
    """Copy every table of the source store into the target; returns the per-table checks (all ok).

    The target gets the schema if it has none; a target holding rows is refused unless `replace`.
    """
    source, target = store.make_engine(source_url), store.make_engine(target_url)
    try:
        if _store_identity(source) == _store_identity(target):
            raise TransferError("the source and the target are the same store")
        revision = store.current_version(source)
        if revision is None and not sa.inspect(source).has_table(store.LEGACY_VERSION_TABLE):
            raise TransferError(f"no store at {source.url!r}: nothing to copy")
        if revision != migrations.head():
            raise TransferError(
                f"the source store is at schema revision {revision or 'none (made before migrations)'}, "
                f"this program at {migrations.head()}: "
                f"run `seizures --db-url SOURCE init` first"
            )
        if not replace:
            with target.connect() as conn:
                if rows := _rows_in(conn):
                    raise TransferError(f"the target holds {rows:,} rows: add --replace to overwrite them")
        store.init_db(target)
        return _copy_tables(source, target, replace, on_table or (lambda check: None))
    finally:
        source.dispose()
        target.dispose()


def _copy_tables(source: sa.Engine, target: sa.Engine, replace: bool, on_table) -> list[TableCheck]:
    checks = []
    reading = source.connect()
    if source.dialect.name == "postgresql":
        reading = reading.execution_options(isolation_level="REPEATABLE READ")
    with reading as src, src.begin(), target.begin() as dst:
        if replace:
            for table in reversed(schema.metadata.sorted_tables):
                dst.execute(table.delete())
        for table in schema.metadata.sorted_tables:
            checksum = RowChecksum()
            for rows in _chunks(src, table):
                checksum.add(rows)
                store.insert_frame(dst, table, _typed_frame(table, rows))
            source_rows = src.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            target_rows, target_checksum = table_checksum(dst, table)
            check = TableCheck(table.name, source_rows, target_rows, checksum.hex, target_checksum)
            on_table(check)
            checks.append(check)
        bad = [check.table for check in checks if not check.ok]
        if bad:
            raise TransferError(f"counts or checksums differ for {', '.join(bad)}: nothing was copied")
        _advance_sequences(dst)
    return checks
