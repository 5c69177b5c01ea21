"""The store: a SQLAlchemy engine from one URL setting, the schema set-up (migrations) and bulk inserts."""

from __future__ import annotations

import re
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import duckdb
import pandas as pd
import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from seizures import migrations, schema, settings, summary


class StoreError(Exception):
    """The store cannot be reached or is not usable: a one-line message for the user."""


class StoreBusy(StoreError):
    """Another process holds the DuckDB file (one writing process per file) and kept it past the wait."""


LOCK_MESSAGE = re.compile(
    r"Could not set lock on file.*Conflicting lock is held in (?P<program>.*?) \(PID (?P<pid>\d+)\)", re.S
)
# Opening a file while another thread of this process closes its last connection to it (the app's sessions,
# concurrent imports): transient, like a lock.
REOPEN_MESSAGE = re.compile(r"Unique file handle conflict")


def _process_name(pid: str, program: str) -> str:
    """The holder's command line (from /proc where there is one), else the program DuckDB names."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        cmdline = ""
    return " ".join((cmdline or program).split())[:120]


# A DuckDB file open in this process: one connection that keeps its database open while any other is, opened and
# closed under a lock. Under 50 simultaneous logins, threads opening the file while others closed their last
# connection to it got "Unique file handle conflict" for good (each of them for 10 s, then an error page): the
# database is now made and ended only here, one thread at a time, and every other connection joins it.
_open_files: dict[str, list] = {}  # path -> [the anchoring DuckDB connection, connections of the engines open]
_open_files_lock = threading.Lock()


def _wait_when_locked(engine: sa.Engine, path: str, wait_seconds: float) -> None:
    """Open a DuckDB file through its anchor (above); retry opening it while another process holds it or another
    thread closes it, with backoff; then raise StoreBusy (naming the holder's PID)."""

    @sa.event.listens_for(engine, "do_connect")
    def connect(dialect, _record, cargs, cparams):
        with _open_files_lock:
            if path not in _open_files:
                _open_files[path] = [_retried(dialect, cargs, cparams), 0]
            _open_files[path][1] += 1
        try:
            return _retried(dialect, cargs, cparams)
        except BaseException:
            _release(path)
            raise

    @sa.event.listens_for(engine, "close")
    def close(_dbapi_connection, _record):
        _release(path)

    @sa.event.listens_for(engine, "close_detached")  # one left to the garbage collector
    def close_detached(_dbapi_connection):
        _release(path)

    def _retried(dialect, cargs, cparams):
        deadline = time.monotonic() + wait_seconds
        delay = 0.05
        while True:
            try:
                return dialect.connect(*cargs, **cparams)
            except duckdb.Error as exc:
                held = LOCK_MESSAGE.search(str(exc))
                if not held and not REOPEN_MESSAGE.search(str(exc)):
                    raise
                if time.monotonic() + delay > deadline:
                    if not held:
                        raise StoreBusy(f"the database {path} could not be opened after {wait_seconds:g} s: "
                                        f"{str(exc).splitlines()[0]}") from exc
                    who = _process_name(held["pid"], held["program"])
                    raise StoreBusy(
                        f"the database {path} is in use by another process (PID {held['pid']}: {who}) and was "
                        f"still locked after {wait_seconds:g} s; try again when it has finished"
                    ) from exc
                time.sleep(delay)
                delay = min(delay * 2, 1.0)


def _release(path: str) -> None:
    """One connection to the file closed: the last one closes the anchor, and the file is free for other processes."""
    with _open_files_lock:
        anchor = _open_files.get(path)
        if anchor is None:
            return
        anchor[1] -= 1
        if anchor[1] <= 0:
            del _open_files[path]
            anchor[0].close()


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
    except sa.exc.ArgumentError as exc:  # the text is not echoed: it may hold a password
        raise StoreError(f"{settings.DB_URL_SETTING} (or --db-url) is not a database URL") from exc
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
    else:
        kwargs["pool_pre_ping"] = True  # a server may drop idle connections of a long-running app
    try:
        engine = sa.create_engine(parsed, **kwargs)
        if duckdb_file:
            _wait_when_locked(engine, parsed.database, lock_wait_seconds)
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
    """Run the missing schema migrations (all or none, in one transaction); running it again changes nothing.

    When a migration ran, the summaries of the seizure lines are rebuilt from the lines (summary.py).
    """
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
        if revision != migrations.head():
            summary.rebuild(conn)
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


LINES_WRITE_LOCK = 7_000_008  # key of the PostgreSQL advisory lock held by a transaction changing seizure lines
_process_write_locks: dict[str, threading.Lock] = {}
_process_write_locks_guard = threading.Lock()


def _process_write_lock(engine: sa.Engine, purpose: str = "lines") -> threading.Lock:
    """One lock per DuckDB file and purpose in this process (other processes are kept out by DuckDB's own file
    lock): the threads writing the same rows take turns instead of failing on DuckDB's write conflict."""
    database = engine.url.database or ":memory:"
    key = str(Path(database).resolve()) if database != ":memory:" else engine.url.render_as_string()
    with _process_write_locks_guard:
        return _process_write_locks.setdefault(f"{purpose}:{key}", threading.Lock())


@contextmanager
def serial_write(engine: sa.Engine, on_wait: Callable[[], None] | None = None) -> Iterator[sa.Connection]:
    """A transaction that checks and changes seizure lines while no other such transaction runs on the store.

    Imports check for lines already stored, then write: two at once would both pass the check. PostgreSQL: an
    advisory lock taken first in the transaction and released at its end; at READ COMMITTED (the default) every
    later statement sees what the previous holder committed. DuckDB: a file has one writing process, and the
    threads of that process (the app's sessions) take turns here, before their transaction starts.
    `on_wait` is called once if another writer holds the store.
    """
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            if not conn.execute(sa.select(sa.func.pg_try_advisory_xact_lock(LINES_WRITE_LOCK))).scalar_one():
                if on_wait:
                    on_wait()
                conn.execute(sa.select(sa.func.pg_advisory_xact_lock(LINES_WRITE_LOCK)))
            yield conn
        return
    lock = _process_write_lock(engine)
    if not lock.acquire(blocking=False):
        if on_wait:
            on_wait()
        lock.acquire()
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        lock.release()


def reserve_ids(conn: sa.Connection, table: sa.Table, count: int) -> int:
    """The first of `count` consecutive ids of a DuckDB table's id sequence, drawn in one step (one nextval, then
    setval past the rest): rows given their ids from this range may be inserted in any order.

    Only inside serial_write, where no other writer draws from the sequence in between. A rollback may leave the
    range unused: a gap, as a rolled-back nextval leaves.
    """
    sequence = table.c.id.default
    first = conn.execute(sa.select(sequence.next_value())).scalar_one()
    if count > 1:
        conn.execute(sa.select(sa.func.setval(sequence.name, first + count - 1))).scalar_one()
    return first


def insert_frame(conn: sa.Connection, table: sa.Table, frame) -> int:
    """Insert the rows of a DataFrame or Arrow table into a table inside the caller's transaction, in bulk.

    DuckDB reads the frame in place, PostgreSQL receives it by COPY, other engines get an executemany INSERT;
    a failure raises the same SQLAlchemy exception (IntegrityError, ...) on every path.
    An Arrow RecordBatchReader is streamed into DuckDB batch by batch (the rows are never all in memory at once).
    """
    streamed = isinstance(frame, pa.RecordBatchReader)
    if streamed and conn.dialect.name != "duckdb":
        frame = frame.read_all()
        streamed = False
    if not streamed and len(frame) == 0:
        return 0
    if conn.dialect.name != "duckdb" and not isinstance(frame, pd.DataFrame):
        frame = frame.to_pandas()
    names = list(frame.columns) if isinstance(frame, pd.DataFrame) else list(frame.schema.names)
    columns = [c for c in names if c in table.c]
    if not streamed:
        frame = frame[columns] if isinstance(frame, pd.DataFrame) else frame.select(columns)
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
            inserted = raw.execute(statement).fetchone()[0]
            raw.unregister(view)  # not after a failure: the aborted transaction refuses it
            return inserted
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
    """Rows per table of the store (a store at an older schema revision may lack some tables)."""
    with engine.connect() as conn:
        inspector = sa.inspect(conn)
        return {
            t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in schema.metadata.sorted_tables
            if inspector.has_table(t.name)
        }
