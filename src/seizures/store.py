"""The store: a SQLAlchemy engine from one URL setting, the schema set-up (migrations) and bulk inserts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from seizures import migrations, schema, settings


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
    else:
        kwargs["pool_pre_ping"] = True  # a server may drop idle connections of a long-running app
    try:
        engine = sa.create_engine(parsed, **kwargs)
        with engine.connect():
            pass
    except (sa.exc.NoSuchModuleError, ModuleNotFoundError) as exc:
        hint = " (PostgreSQL: use postgresql+psycopg://)" if parsed.get_backend_name() == "postgresql" else ""
        raise StoreError(f"no database driver for {parsed.drivername!r} (URL {parsed!r}){hint}") from exc
    except sa.exc.DBAPIError as exc:
        reason = str(exc.orig).splitlines()[0] if exc.orig else str(exc)
        raise StoreError(f"cannot open {parsed!r}: {reason}") from exc
    return engine


LEGACY_VERSION_TABLE = "schema_version"  # how stores made before the migrations recorded their version (1)
LEGACY_REVISION = "0001"  # the migration that creates exactly the tables of those stores
MIGRATION_LOCK = 7_000_007  # key of the PostgreSQL advisory lock held while migrating


def current_version(engine: sa.Engine) -> str | None:
    """The store's schema revision, or None if it has never been initialised."""
    with engine.connect() as conn:
        return migrations.current(conn)


def init_db(engine: sa.Engine) -> str:
    """Run the missing schema migrations (all or none, in one transaction); running it again changes nothing."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Several app servers may start at once: one migrates, the others wait, then find nothing to do.
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(MIGRATION_LOCK)))
        revision = migrations.current(conn)
        if revision is None:
            _adopt_legacy_store(conn)
        elif revision not in migrations.known_revisions():
            raise StoreError(
                f"the store has schema revision {revision}, newer than this program ({migrations.head()})"
            )
        migrations.upgrade(conn)
    return migrations.head()


def _adopt_legacy_store(conn: sa.Connection) -> None:
    """A store made before migrations gets the revision its tables match; any other non-empty database is refused."""
    inspector = sa.inspect(conn)
    if inspector.has_table(LEGACY_VERSION_TABLE):
        legacy = conn.execute(sa.text(f"SELECT max(version) FROM {LEGACY_VERSION_TABLE}")).scalar()
        if legacy != 1:
            raise StoreError(f"the store has schema version {legacy}, unknown to this program")
        migrations.stamp(conn, LEGACY_REVISION)
    elif any(inspector.has_table(table.name) for table in schema.metadata.sorted_tables):
        raise StoreError(
            "the database has some of the store's tables but no schema revision: not made by `seizures init`"
        )


def insert_frame(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame) -> int:
    """Insert a DataFrame's rows into a table inside the caller's transaction, in bulk.

    DuckDB reads the frame in place, PostgreSQL receives it by COPY, other engines get an executemany INSERT;
    a failure raises the same SQLAlchemy exception (IntegrityError, ...) on every path.
    """
    if frame.empty:
        return 0
    columns = [c for c in frame.columns if c in table.c]
    frame = frame[columns]
    if conn.dialect.name not in ("duckdb", "postgresql"):
        conn.execute(table.insert(), _python_values(frame).to_dict("records"))
        return len(frame)
    quote = conn.dialect.identifier_preparer
    names = ", ".join(quote.quote(c) for c in columns)
    raw = conn.connection.dbapi_connection
    view = f"_insert_{table.name}"
    if conn.dialect.name == "duckdb":
        statement = f"INSERT INTO {quote.format_table(table)} ({names}) SELECT {names} FROM {view}"
    else:
        statement = f"COPY {quote.format_table(table)} ({names}) FROM STDIN"
    try:
        if conn.dialect.name == "duckdb":
            raw.register(view, frame)
            raw.execute(statement)
            raw.unregister(view)  # not after a failure: the aborted transaction refuses it
        else:
            with raw.cursor() as cursor, cursor.copy(statement) as copy:
                for row in _python_values(frame).itertuples(index=False, name=None):
                    copy.write_row(row)
    except conn.dialect.loaded_dbapi.Error as exc:
        raise sa.exc.DBAPIError.instance(statement, None, exc, conn.dialect.loaded_dbapi.Error) from exc
    return len(frame)


def _python_values(frame: pd.DataFrame) -> pd.DataFrame:
    """Plain Python values with None for missing ones, as DB-API drivers expect."""
    return frame.astype(object).where(frame.notna(), None)


def table_counts(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in schema.metadata.sorted_tables
        }
