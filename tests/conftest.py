"""Shared fixtures: stores on DuckDB (a file in a temporary folder) and on PostgreSQL.

`any_engine` (an empty store) and `any_demo_engine` (the demo store) run a test once per engine. The PostgreSQL
half uses the server at SEIZURES_TEST_PG_URL (`.ci/postgres start` starts one and prints its URL); each store there
is a database of its own, created for the tests and dropped after them, so that URL's role needs CREATEDB.
Without a reachable server the PostgreSQL half is skipped, except in CI (CI=true), where it fails.
"""

from __future__ import annotations

import os
import time
import uuid
import shutil
from pathlib import Path
from typing import Iterator

import psycopg
from streamlit.runtime.media_file_manager import MediaFileManager
import pytest
import sqlalchemy as sa

from seizures import i18n, seed, store, transfer

# Every test (app, report, browser servers) fails on a text missing from the message catalogues (see i18n.py).
os.environ.setdefault(i18n.STRICT_SETTING, "1")

PG_URL_SETTING = "SEIZURES_TEST_PG_URL"
ENGINES = ("duckdb", "postgresql")


def build_store(path, demo: bool) -> str:
    """A DuckDB store in a file."""
    return init_store(f"duckdb:///{path}", demo)


def init_store(url: str, demo: bool) -> str:
    engine = store.make_engine(url)
    store.init_db(engine)
    if demo:
        seed.load_demo(engine)
    engine.dispose()
    return url


def _postgres_unavailable(reason: str):
    message = (
        f"PostgreSQL half not run: {reason}. To run it: "
        f'export {PG_URL_SETTING}="$(.ci/postgres start)" (a throwaway server on 127.0.0.1)'
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    """The URL of a database on the test server, used to create and drop the tests' own databases."""
    url = os.environ.get(PG_URL_SETTING)
    if not url:
        _postgres_unavailable(f"{PG_URL_SETTING} is not set")
    try:
        store.make_engine(url).dispose()
    except store.StoreError as exc:
        _postgres_unavailable(f"no server at {PG_URL_SETTING} ({exc})")
    return url


class PostgresDatabases:
    """Creates databases on the test server and drops them all at the end."""

    def __init__(self, server_url: str):
        self.server = sa.create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
        self.names: list[str] = []

    def new_url(self, template: str | None = None) -> str:
        """A new database, empty or a copy of the template database (which must have no open connection)."""
        name = f"seizures_test_{uuid.uuid4().hex[:12]}"
        self._execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        self.names.append(name)
        return self.server.url.set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        name = sa.make_url(url).database
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.names.remove(name)

    def drop_all(self) -> None:
        for name in self.names:
            self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.server.dispose()

    def _execute(self, statement: str, attempts: int = 20) -> None:
        """Run a statement, retrying while an autovacuum worker is in the database: a role without superuser
        rights cannot end it (WITH (FORCE): "must be a member of the role ..."), and a template in use cannot be
        copied; the worker is done within moments."""
        for attempt in range(attempts):
            try:
                with self.server.connect() as conn:
                    conn.execute(sa.text(statement))
                return
            except sa.exc.DBAPIError as exc:
                busy = isinstance(exc.orig, (psycopg.errors.InsufficientPrivilege, psycopg.errors.ObjectInUse))
                if not busy or attempt == attempts - 1:
                    raise
                time.sleep(0.5)


@pytest.fixture(scope="session")
def pg_databases(pg_server_url):
    databases = PostgresDatabases(pg_server_url)
    yield databases
    databases.drop_all()


@pytest.fixture()
def new_store_url(request, tmp_path):
    """A function giving the URL of a new, uninitialised store on the named engine ("duckdb" or "postgresql")."""

    def new(kind: str) -> str:
        if kind == "duckdb":
            return f"duckdb:///{tmp_path / f'{uuid.uuid4().hex[:8]}.duckdb'}"
        return request.getfixturevalue("pg_databases").new_url()

    return new


@pytest.fixture(params=ENGINES)
def engine_kind(request) -> str:
    return request.param


@pytest.fixture()
def any_url(engine_kind, new_store_url) -> str:
    """An initialised, empty store, once on each engine."""
    return init_store(new_store_url(engine_kind), demo=False)


@pytest.fixture()
def any_engine(any_url):
    engine = store.make_engine(any_url)
    yield engine
    engine.dispose()


def load_reference(url: str, folder=None) -> None:
    """The demo's reference data (or a folder's: jurisdiction, vocabulary, regions, municipalities) into a store,
    as `seed` loads it, without any seizure line."""
    from seizures import schema, settings

    engine = store.make_engine(url)
    folder = folder or settings.data_dir()
    with engine.begin() as conn:
        for table in (schema.jurisdiction, schema.vocabulary, schema.regions, schema.municipalities):
            path = folder / f"{table.name}.csv"
            if path.exists():
                conn.execute(table.delete())
                store.insert_frame(conn, table, seed.read_table_csv(path, table))
    engine.dispose()


@pytest.fixture()
def any_reference_engine(any_url):
    """A store holding the demo's reference data (jurisdiction, vocabulary, regions, municipalities) and no seizure
    line, once on each engine: what an import checks against."""
    load_reference(any_url)
    engine = store.make_engine(any_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory) -> str:
    return build_store(tmp_path_factory.mktemp("demo") / "demo.duckdb", demo=True)


@pytest.fixture(scope="session")
def demo_engine(demo_url) -> sa.Engine:
    return store.make_engine(demo_url)


@pytest.fixture(scope="session")
def pg_demo_engine(demo_url, pg_databases):
    """The DuckDB demo store copied to PostgreSQL: the same rows, load times included, so results can be compared."""
    url = pg_databases.new_url()
    transfer.copy_store(demo_url, url)
    engine = store.make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session", params=ENGINES)
def any_demo_engine(request) -> sa.Engine:
    """The demo store, once on each engine (built once per test session)."""
    return request.getfixturevalue("demo_engine" if request.param == "duckdb" else "pg_demo_engine")


@pytest.fixture(scope="session")
def pg_demo_template(demo_url, pg_databases) -> str:
    """The name of a PostgreSQL copy of the demo store that nobody connects to: the template of private copies."""
    url = pg_databases.new_url()
    transfer.copy_store(demo_url, url)
    return sa.make_url(url).database


@pytest.fixture()
def any_demo_copy_url(engine_kind, request) -> Iterator[str]:
    """A private copy of the demo store, for a test that writes to it, once on each engine."""
    if engine_kind == "duckdb":
        yield request.getfixturevalue("demo_copy_url")
        return
    databases = request.getfixturevalue("pg_databases")
    url = databases.new_url(template=request.getfixturevalue("pg_demo_template"))
    yield url
    databases.drop(url)


@pytest.fixture()
def any_demo_copy_engine(any_demo_copy_url):
    engine = store.make_engine(any_demo_copy_url)
    yield engine
    engine.dispose()


@pytest.fixture()
def demo_copy_url(demo_url, tmp_path) -> str:
    """A private copy of the demo store, for a test that writes to it."""
    target = tmp_path / "demo-copy.duckdb"
    shutil.copy(Path(sa.make_url(demo_url).database), target)
    return f"duckdb:///{target}"


@pytest.fixture()
def demo_copy_engine(demo_copy_url) -> sa.Engine:
    return store.make_engine(demo_copy_url)


@pytest.fixture()
def empty_url(tmp_path) -> str:
    return build_store(tmp_path / "empty.duckdb", demo=False)


@pytest.fixture()
def empty_engine(empty_url) -> sa.Engine:
    return store.make_engine(empty_url)


@pytest.fixture()
def fresh_caches():
    """AppTest runs share this process's Streamlit caches: start each app test from a clean slate."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


class Oracle:
    """Expected values computed in pandas from every stored seizure line, independently of the SQL filter code."""

    # The demo vocabulary's measures, in its order, with their English titles.
    TITLES = {"firearm:pieces": "Firearms (pieces)", "ammunition:rounds": "Ammunition (rounds)",
              "explosive:pieces": "Explosives (pieces)", "explosive:kg": "Explosives (kg)",
              "component:pieces": "Parts and components (pieces)", "events": "Seizure events (number)"}

    def __init__(self, rows):
        rows = rows.copy()
        rows["seized_on"] = rows["seized_on"].astype("datetime64[ns]")
        rows["year"] = rows["seized_on"].dt.year
        rows["month"] = rows["seized_on"].dt.month
        self.rows = rows

    def select(self, years=None, regions=(), categories=(), weapons=(), contexts=()):
        rows = self.rows
        keep = rows["year"].between(*years) if years else rows["year"].notna()
        for column, values in (("region_code", regions), ("category", categories), ("weapon_type", weapons),
                               ("context", contexts)):
            if values:
                keep &= rows[column].isin(values)
        return rows[keep]

    def measure(self, rows, key):
        """A measure over some rows: the quantity of a category in a unit ("firearm:pieces"), or the number of
        seizure events (distinct case references; NaN where no line has one: not recorded)."""
        if key == "events":
            return float(rows["case_ref"].nunique()) if rows["case_ref"].notna().any() else float("nan")
        category, unit = key.split(":")
        return float(rows.loc[(rows["category"] == category) & (rows["unit"] == unit), "quantity"].sum())

    def measures_with_data(self, rows) -> list[str]:
        """The measures the rows have something in, in the vocabulary's order (as queries.measures_with_data)."""
        present = {f"{c}:{u}" for (c, u), q in rows.groupby(["category", "unit"])["quantity"].sum().items() if q > 0}
        present |= {"events"} if rows["case_ref"].notna().any() else set()
        return [key for key in self.TITLES if key in present]


@pytest.fixture(scope="session")
def oracle(demo_engine) -> Oracle:
    import pandas as pd

    with demo_engine.connect() as conn:
        rows = pd.read_sql(sa.text("SELECT * FROM seizures"), conn)
    return Oracle(rows)


_figures: list[str] = []


@pytest.fixture()
def figures() -> list[str]:
    """Lines a test adds to the terminal summary (shown with or without -s), e.g. measured figures."""
    return _figures


def pytest_terminal_summary(terminalreporter):
    if _figures:
        terminalreporter.section("figures")
        for text in _figures:
            terminalreporter.write_line(text)


class _Files(dict):
    """name -> a download's bytes; a deferred download (its data a function, called on the click) is made when read."""

    def __getitem__(self, name):
        data = super().__getitem__(name)
        return data() if callable(data) else data


@pytest.fixture()
def downloads(monkeypatch) -> dict[str, bytes]:
    """Every file a download button of the run offers: name -> bytes (deferred ones generated when read)."""
    files: dict[str, object] = _Files()
    add, add_deferred = MediaFileManager.add, MediaFileManager.add_deferred

    def keep(self, data, mimetype, coordinates, file_name=None, *args, **kwargs):
        files[file_name] = data
        return add(self, data, mimetype, coordinates, file_name, *args, **kwargs)

    def keep_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        files[file_name] = data_callable
        return add_deferred(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add", keep)
    monkeypatch.setattr(MediaFileManager, "add_deferred", keep_deferred)
    return files


@pytest.fixture(autouse=True)
def development_access(monkeypatch):
    """App tests run as in `make run` (SEIZURES_AUTH=off: administrator, every page) unless a test sets otherwise;
    no setting comes from a developer's own .streamlit/ files."""
    monkeypatch.setenv("SEIZURES_AUTH", "off")
    monkeypatch.delenv("SEIZURES_PUBLIC", raising=False)
    monkeypatch.delenv("SEIZURES_COOKIE_KEY", raising=False)
    monkeypatch.setenv("SEIZURES_USERS_FILE", "/nonexistent/users.yaml")

