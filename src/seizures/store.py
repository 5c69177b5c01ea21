"""The store: a SQLAlchemy engine from one URL setting, and the versioned, idempotent schema set-up."""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import duckdb
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from seizures import schema, settings


class StoreError(Exception):
    """The store cannot be reached or is not usable: a one-line message for the user."""


class StoreBusy(StoreError):
    """Another process holds the DuckDB file (one writing process per file) and kept it past the wait."""


LOCK_MESSAGE = re.compile(
    r"Could not set lock on file.*Conflicting lock is held in (?P<program>.*?) \(PID (?P<pid>\d+)\)", re.S
)


def _process_name(pid: str, program: str) -> str:
    """The holder's command line (from /proc where there is one), else the program DuckDB names."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        cmdline = ""
    return " ".join((cmdline or program).split())[:120]


def _wait_when_locked(engine: sa.Engine, path: str, wait_seconds: float) -> None:
    """Retry opening a DuckDB file held by another process, with backoff, then raise StoreBusy naming the PID."""

    @sa.event.listens_for(engine, "do_connect")
    def connect(dialect, _record, cargs, cparams):
        deadline = time.monotonic() + wait_seconds
        delay = 0.05
        while True:
            try:
                return dialect.connect(*cargs, **cparams)
            except duckdb.Error as exc:
                held = LOCK_MESSAGE.search(str(exc))
                if not held:
                    raise
                if time.monotonic() + delay > deadline:
                    who = _process_name(held["pid"], held["program"])
                    raise StoreBusy(
                        f"the database {path} is in use by another process (PID {held['pid']}: {who}) and was "
                        f"still locked after {wait_seconds:g} s; try again when it has finished"
                    ) from exc
                time.sleep(delay)
                delay = min(delay * 2, 1.0)


def is_duckdb(engine_or_url: sa.Engine | str) -> bool:
    url = engine_or_url.url if isinstance(engine_or_url, sa.Engine) else sa.make_url(engine_or_url)
    return url.get_backend_name() == "duckdb"


def make_engine(url: str | None = None, lock_wait_seconds: float | None = None) -> sa.Engine:
    """An engine for the configured store; raises StoreError with a readable message if it cannot connect.

    On a DuckDB file held by another process, each connection waits up to `lock_wait_seconds`
    (default: settings.lock_wait_seconds()) before raising StoreBusy.
    """
    url = settings.db_url(url)
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise StoreError(f"not a database URL: {url!r}") from exc
    duckdb_file = parsed.get_backend_name() == "duckdb" and (parsed.database or ":memory:") != ":memory:"
    kwargs: dict = {}
    if duckdb_file:
        folder = Path(parsed.database).parent
        if not folder.is_dir():
            raise StoreError(f"folder does not exist for the DuckDB file: {folder}")
        # A DuckDB file allows one writing process: open it per use, never hold it between queries.
        kwargs["poolclass"] = NullPool
        if lock_wait_seconds is None:
            try:
                lock_wait_seconds = settings.lock_wait_seconds()
            except ValueError as exc:
                raise StoreError(str(exc)) from exc
    try:
        engine = sa.create_engine(parsed, **kwargs)
        if duckdb_file:
            _wait_when_locked(engine, parsed.database, lock_wait_seconds)
        with engine.connect():
            pass
    except (sa.exc.NoSuchModuleError, ModuleNotFoundError) as exc:
        raise StoreError(f"no database driver for {parsed.drivername!r} (URL {parsed!r})") from exc
    except sa.exc.DBAPIError as exc:
        reason = str(exc.orig).splitlines()[0] if exc.orig else str(exc)
        raise StoreError(f"cannot open {parsed!r}: {reason}") from exc
    return engine


def current_version(engine: sa.Engine) -> int | None:
    if not sa.inspect(engine).has_table(schema.schema_version.name):
        return None
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.max(schema.schema_version.c.version))).scalar()


def init_db(engine: sa.Engine) -> int:
    """Create any missing table and record the schema version; running it again changes nothing."""
    version = current_version(engine)
    if version is not None and version > schema.SCHEMA_VERSION:
        raise StoreError(
            f"the store has schema version {version}, newer than this program ({schema.SCHEMA_VERSION})"
        )
    schema.metadata.create_all(engine, checkfirst=True)
    if version != schema.SCHEMA_VERSION:
        with engine.begin() as conn:
            conn.execute(
                schema.schema_version.insert().values(
                    version=schema.SCHEMA_VERSION, applied_at=dt.datetime.now()
                )
            )
    return schema.SCHEMA_VERSION


def insert_frame(conn: sa.Connection, table: sa.Table, frame) -> int:
    """Insert the rows of a DataFrame or Arrow table inside the caller's transaction, in bulk."""
    names = list(frame.columns) if isinstance(frame, pd.DataFrame) else list(frame.column_names)
    if len(frame) == 0:
        return 0
    columns = [c for c in names if c in table.c]
    if conn.dialect.name == "duckdb":
        raw = conn.connection.dbapi_connection
        view = f"_insert_{table.name}"
        raw.register(view, frame)
        try:
            quoted = ", ".join(f'"{c}"' for c in columns)
            raw.execute(f'INSERT INTO "{table.name}" ({quoted}) SELECT {quoted} FROM {view}')
        finally:
            raw.unregister(view)
    else:
        if not isinstance(frame, pd.DataFrame):
            frame = frame.to_pandas()
        frame = frame[columns]
        records = frame.astype(object).where(frame.notna(), None).to_dict("records")
        conn.execute(table.insert(), records)
    return len(frame)


def fetch_arrow(conn: sa.Connection, query: sa.Select):
    """A query's result as an Arrow table, inside the caller's transaction (DuckDB: without a Python row loop)."""
    if conn.dialect.name == "duckdb":
        sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
        return conn.connection.dbapi_connection.sql(sql).to_arrow_table()
    import pyarrow as pa

    result = conn.execute(query)
    return pa.Table.from_pandas(pd.DataFrame(result.fetchall(), columns=list(result.keys())), preserve_index=False)


def table_counts(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in schema.metadata.sorted_tables
        }
