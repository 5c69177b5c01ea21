"""The store: a SQLAlchemy engine from one URL setting, and the versioned, idempotent schema set-up."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from seizures import schema, settings


class StoreError(Exception):
    """The store cannot be reached or is not usable: a one-line message for the user."""


def is_duckdb(engine_or_url: sa.Engine | str) -> bool:
    url = engine_or_url.url if isinstance(engine_or_url, sa.Engine) else sa.make_url(engine_or_url)
    return url.get_backend_name() == "duckdb"


def make_engine(url: str | None = None) -> sa.Engine:
    """An engine for the configured store; raises StoreError with a readable message if it cannot connect."""
    url = settings.db_url(url)
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise StoreError(f"not a database URL: {url!r}") from exc
    kwargs: dict = {}
    if parsed.get_backend_name() == "duckdb":
        database = parsed.database or ":memory:"
        if database != ":memory:":
            folder = Path(database).parent
            if not folder.is_dir():
                raise StoreError(f"folder does not exist for the DuckDB file: {folder}")
            # A DuckDB file allows one writing process: open it per use, never hold it between queries.
            kwargs["poolclass"] = NullPool
    try:
        engine = sa.create_engine(parsed, **kwargs)
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


def insert_frame(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame) -> int:
    """Insert a DataFrame's rows into a table inside the caller's transaction, in bulk."""
    if frame.empty:
        return 0
    columns = [c for c in frame.columns if c in table.c]
    frame = frame[columns]
    if conn.dialect.name == "duckdb":
        raw = conn.connection.dbapi_connection
        view = f"_insert_{table.name}"
        raw.register(view, frame)
        try:
            names = ", ".join(f'"{c}"' for c in columns)
            raw.execute(f'INSERT INTO "{table.name}" ({names}) SELECT {names} FROM {view}')
        finally:
            raw.unregister(view)
    else:
        records = frame.astype(object).where(frame.notna(), None).to_dict("records")
        conn.execute(table.insert(), records)
    return len(frame)


def table_counts(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in schema.metadata.sorted_tables
        }
