import datetime as dt
import itertools

import duckdb
import pandas as pd
import pyarrow as pa
import pytest
import sqlalchemy as sa

from seizures import demo, migrations, queries, schema, seed, settings, store, transfer
from seizures.filters import SeizureFilter

PUBLISHED_FIREARMS = {2019: 1439, 2020: 1135, 2021: 1280, 2022: 1473}


def test_init_is_idempotent(engine_kind, new_store_url):
    engine = store.make_engine(new_store_url(engine_kind))
    assert store.current_version(engine) is None
    assert store.init_db(engine) == migrations.head()
    seed.load_demo(engine)
    first = store.table_counts(engine)
    assert store.init_db(engine) == migrations.head()
    seed.load_demo(engine)
    assert store.table_counts(engine) == first
    assert store.current_version(engine) == migrations.head()
    assert first["seizures"] == len(pd.read_csv(settings.data_dir() / seed.DEMO_FILE))
    assert first["regions"] == 8
    engine.dispose()


def test_newer_schema_is_refused(any_engine):
    with any_engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(store.StoreError, match="schema revision 9999, newer than this program"):
        store.init_db(any_engine)


@pytest.mark.parametrize("form", ["pandas", "arrow", "arrow batches"])
def test_insert_frame_round_trips_every_type(any_engine, form):
    """The bulk paths (DuckDB's frame scan, PostgreSQL's COPY) keep values exactly, awkward text included, from a
    DataFrame, an Arrow table or a stream of Arrow batches."""
    awkward = ["tab\there", "new\nline", 'quote " and \'', "back\\slash \\N", "", "Prishtinë / Priština", None]
    frame = pd.DataFrame({
        "seized_on": [dt.date(2020, 2, 29) + dt.timedelta(days=i) for i in range(len(awkward))],
        "region_code": ["PR"] * len(awkward),
        "municipality": awkward,
        "category": ["explosive"] * len(awkward),
        "weapon_type": ["explosive"] * len(awkward),
        "quantity": [2.3, 0.1, 1e-7, 1234567.8, 42000.0, 7.9, 3.0],
        "unit": ["kg"] * len(awkward),
        "context": ["other"] * len(awkward),
        "illustrative": [True, False, True, False, True, False, True],
        "import_id": pd.array([1, None, 3, None, 5, 6, None], dtype="Int64"),
    })
    given = {
        "pandas": lambda: frame,
        "arrow": lambda: pa.Table.from_pandas(frame, preserve_index=False),
        "arrow batches": lambda: pa.Table.from_pandas(frame, preserve_index=False).to_reader(max_chunksize=3),
    }[form]()
    with any_engine.begin() as conn:
        assert store.insert_frame(conn, schema.seizures, given) == len(frame)
    t = schema.seizures
    with any_engine.connect() as conn:
        rows = conn.execute(sa.select(*(t.c[name] for name in frame.columns)).order_by(t.c.seized_on)).all()
    expected = [tuple(None if pd.isna(v) else v for v in row) for row in frame.astype(object).itertuples(index=False)]
    assert [tuple(row) for row in rows] == expected


def test_a_failing_bulk_insert_leaves_nothing(any_engine):
    frame = pd.DataFrame({"year": [2020, 2020], "indicator": ["x", "x"], "value": [1.0, 2.0], "source": ["s", "s"]})
    with pytest.raises(sa.exc.DBAPIError):
        with any_engine.begin() as conn:
            store.insert_frame(conn, schema.published_totals, frame.iloc[:1])
            store.insert_frame(conn, schema.published_totals, frame)  # duplicate key
    assert store.table_counts(any_engine)["published_totals"] == 0


def test_loading_the_demo_gives_the_same_rows_on_both_engines(demo_engine, pg_databases):
    pg_engine = store.make_engine(pg_databases.new_url())
    store.init_db(pg_engine)
    seed.load_demo(pg_engine)
    load_times = {schema.imports: "imported_at", schema.event_changes: "changed_at"}
    for table in schema.metadata.sorted_tables:
        if table in load_times:  # the load time differs; the other columns must not
            table = sa.select(*(c for c in table.c if c.name != load_times[table])).subquery(table.name)
        with demo_engine.connect() as on_duckdb, pg_engine.connect() as on_postgresql:
            assert transfer.table_checksum(on_postgresql, table) == transfer.table_checksum(on_duckdb, table), table
    pg_engine.dispose()


def test_published_totals_are_stored_as_published(any_demo_engine):
    pub = queries.published(any_demo_engine)
    single = pub[(pub["category"] == "firearm") & (pub["unit"] == "pieces") & (pub["year_from"] == pub["year_to"])]
    fire = single.set_index("year_from")["value"]
    for year, value in PUBLISHED_FIREARMS.items():
        assert fire[year] == value
    span = pub[(pub["year_from"] == 2017) & (pub["year_to"] == 2021)].set_index("category")["value"]
    assert span.to_dict() == {"ammunition": 153_335, "firearm": 6_538}  # several years together, as published
    assert pub.set_index(["year_from", "category"]).loc[(2016, "firearm"), "qualifier"] == "more than"


def test_demo_firearm_sums_equal_published_totals(any_demo_engine):
    totals = queries.totals_by_year(any_demo_engine, SeizureFilter(categories=("firearm",)))
    by_year = totals.set_index("year")["quantity"]
    for year, value in PUBLISHED_FIREARMS.items():
        assert by_year[year] == value
    check = queries.published_vs_recorded(any_demo_engine)
    assert check["consistent"].all(), check


def test_every_demo_row_is_illustrative(any_demo_engine):
    with any_demo_engine.connect() as conn:
        flags = conn.execute(
            sa.select(schema.seizures.c.illustrative, sa.func.count()).group_by(schema.seizures.c.illustrative)
        ).all()
    assert dict(flags) == {True: store.table_counts(any_demo_engine)["seizures"]}


def test_demo_generator_is_deterministic_and_matches_shipped_csv(tmp_path):
    for name in ("published_totals.csv", "municipalities.csv"):
        (tmp_path / name).write_bytes((settings.data_dir() / name).read_bytes())
    demo.write_demo(tmp_path)
    for name in ("demo_seizures.csv", "kpi_values.csv"):
        assert (tmp_path / name).read_bytes() == (settings.data_dir() / name).read_bytes(), name


def test_demo_spread_is_plausible(any_demo_engine):
    by_region = queries.totals_by_region_year(any_demo_engine, SeizureFilter(categories=("firearm",)))
    share = by_region.groupby("region_code")["quantity"].sum() / by_region["quantity"].sum()
    assert set(share.index) == {"PR", "PZ", "PE", "GJ", "MS", "MN", "GL", "FE"}
    assert share.idxmax() == "PR" and share.idxmin() == "MN"
    by_type = queries.totals_by(any_demo_engine, SeizureFilter(categories=("firearm",)), "weapon_type")
    assert {"converted_firearm", "blank_firing_weapon", "pistol"} <= set(by_type["weapon_type"])
    cats = set(queries.totals_by_year(any_demo_engine, SeizureFilter())["category"])
    assert cats == {"firearm", "ammunition", "explosive", "component"}


FILTER_CHOICES = {
    "years": [(None, None), (2021, 2022), (2020, 2020)],
    "categories": [(), ("firearm",), ("ammunition", "explosive")],
    "weapon_types": [(), ("pistol", "converted_firearm")],
    "contexts": [(), ("house_search",), ("traffic_control", "border_crossing")],
}


@pytest.mark.parametrize(
    "years,categories,weapon_types,contexts", list(itertools.product(*FILTER_CHOICES.values()))
)
def test_sum_over_regions_equals_unfiltered_total(any_demo_engine, years, categories, weapon_types, contexts):
    base = SeizureFilter(years[0], years[1], (), categories, weapon_types, contexts)
    total = queries.totals_by_year(any_demo_engine, base)
    parts = [
        queries.totals_by_year(any_demo_engine, SeizureFilter(years[0], years[1], (code,), categories, weapon_types, contexts))
        for code in ("PR", "PZ", "PE", "GJ", "MS", "MN", "GL", "FE")
    ]
    summed = pd.concat(parts).groupby(["year", "category", "unit"], as_index=False)[["quantity", "lines"]].sum()
    pd.testing.assert_frame_equal(
        summed.sort_values(["year", "category", "unit"]).reset_index(drop=True),
        total[["year", "category", "unit", "quantity", "lines"]].reset_index(drop=True),
        check_dtype=False,
    )
    # The other breakdowns add up to the same total.
    grand = total["quantity"].sum()
    for dimensions in (("weapon_type",), ("context",), ("year", "month"), ("region_code", "year")):
        assert queries.totals_by(any_demo_engine, base, *dimensions)["quantity"].sum() == pytest.approx(grand)


def test_bad_urls_give_one_line_errors(tmp_path):
    for url, expected in (
        ("nonsense", "not a database URL"),
        (f"duckdb:///{tmp_path}/missing/dir/x.duckdb", "folder does not exist"),
        ("nosuchdriver://x", "no database driver"),
    ):
        with pytest.raises(store.StoreError, match=expected):
            store.make_engine(url)


def test_setting_comes_from_env_then_secrets_then_default(tmp_path, monkeypatch):
    monkeypatch.setenv("SEIZURES_HOME", str(tmp_path))
    monkeypatch.delenv("SEIZURES_DB_URL", raising=False)
    assert settings.db_url() == f"duckdb:///{tmp_path / 'data' / 'seizures.duckdb'}"
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text('SEIZURES_DB_URL = "duckdb:///from-secrets.duckdb"\n')
    assert settings.db_url() == "duckdb:///from-secrets.duckdb"
    monkeypatch.setenv("SEIZURES_DB_URL", "duckdb:///from-env.duckdb")
    assert settings.db_url() == "duckdb:///from-env.duckdb"
    assert settings.db_url("duckdb:///explicit.duckdb") == "duckdb:///explicit.duckdb"


def test_opening_a_file_that_another_thread_is_closing_is_retried(empty_url, monkeypatch):
    """DuckDB refuses to open a file while this process's last connection to it is closing: a moment's wait."""
    engine = store.make_engine(empty_url, lock_wait_seconds=1)
    conflict = duckdb.ResourceInUseException(
        'Resource In Use Error: Unique file handle conflict: Cannot attach "empty" - the database file '
        f'"{sa.make_url(empty_url).database}" is already attached by database "empty"'
    )
    attempts = []
    real_connect = engine.dialect.connect

    def connect_while_closing(*args, **kwargs):
        attempts.append(1)
        if len(attempts) <= 2:
            raise conflict
        return real_connect(*args, **kwargs)

    monkeypatch.setattr(engine.dialect, "connect", connect_while_closing)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.seizures)).scalar_one() == 0
    assert len(attempts) == 4  # the file's anchor opened at the third attempt, then the connection joined it
    attempts.clear()
    monkeypatch.setattr(engine.dialect, "connect", lambda *a, **k: (_ for _ in ()).throw(conflict))
    with pytest.raises(store.StoreBusy, match="could not be opened after 1 s: Resource In Use Error"):
        engine.connect()


def test_a_duckdb_file_stays_open_while_any_connection_is_and_is_freed_with_the_last(empty_url):
    # Threads opening the file while others closed their last connection got "Unique file handle conflict" for
    # good under 50 simultaneous logins: the file is opened once per process, and closed with its last connection,
    # whichever engine made them, so that another process (the CLI's import) can write between the app's runs.
    import gc
    import subprocess
    import sys

    path = sa.make_url(empty_url).database
    engine, other = store.make_engine(empty_url), store.make_engine(empty_url)
    first, second = engine.connect(), other.connect()
    assert store._open_files[path][1] == 2
    first.close()
    assert store._open_files[path][1] == 1
    second.close()
    assert path not in store._open_files
    forgotten = engine.connect()
    del forgotten  # closed by the garbage collector, not by the code that opened it
    gc.collect()
    assert path not in store._open_files
    detached = engine.connect()
    detached.detach()  # out of the pool's care
    detached.close()
    assert path not in store._open_files
    write = f"import duckdb; duckdb.connect({path!r}).execute('create table written_by_another_process (x int)')"
    subprocess.run([sys.executable, "-c", write], check=True, timeout=60)
