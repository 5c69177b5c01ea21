"""Schema migrations: they build what schema.py declares, keep the rows of existing stores, and run once."""

import datetime as dt
import subprocess
import sys

import pandas as pd
import pytest
import sqlalchemy as sa

from seizures import migrations, queries, schema, seed, settings, store
from seizures.filters import SeizureFilter

COLUMNS = sa.text("""
    SELECT table_name, column_name, ordinal_position, data_type, is_nullable, column_default,
           character_maximum_length
    FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name <> 'alembic_version'
    ORDER BY table_name, ordinal_position
""")
PRIMARY_KEYS = sa.text("""
    SELECT tc.table_name, kcu.column_name, kcu.ordinal_position
    FROM information_schema.table_constraints tc
    JOIN information_schema.key_column_usage kcu
      ON kcu.constraint_name = tc.constraint_name AND kcu.table_name = tc.table_name
    WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = current_schema()
      AND tc.table_name <> 'alembic_version'
    ORDER BY tc.table_name, kcu.ordinal_position
""")


def layout(engine: sa.Engine) -> tuple[list, list]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(COLUMNS)], [tuple(r) for r in conn.execute(PRIMARY_KEYS)]


def demo_kg_quantities() -> list[float]:
    frame = pd.read_csv(settings.data_dir() / seed.DEMO_FILE)
    return sorted(frame.loc[frame["unit"] == "kg", "quantity"].tolist())


def stored_kg_quantities(engine: sa.Engine) -> list[float]:
    t = schema.seizures
    with engine.connect() as conn:
        return sorted(conn.execute(sa.select(t.c.quantity).where(t.c.unit == "kg")).scalars())


def test_migrations_build_exactly_the_tables_schema_py_declares(engine_kind, new_store_url):
    migrated = store.make_engine(new_store_url(engine_kind))
    store.init_db(migrated)
    declared = store.make_engine(new_store_url(engine_kind))
    schema.metadata.create_all(declared)
    columns, keys = layout(migrated)
    assert {row[0] for row in columns} == {t.name for t in schema.metadata.sorted_tables}
    assert (columns, keys) == layout(declared)
    migrated.dispose()
    declared.dispose()


def load_legacy_demo(engine: sa.Engine) -> None:
    """The demo as stores before revision 0004 held it: regions without seats, municipalities' population_2024,
    published totals by year and indicator name, and the lines (illustrative), in the tables of revision 0001."""
    data = settings.data_dir()
    regions = pd.read_csv(data / "regions.csv", dtype=str, keep_default_na=False)
    municipalities = pd.read_csv(data / "municipalities.csv", dtype=str, keep_default_na=False)
    lines = pd.read_csv(data / seed.DEMO_FILE, keep_default_na=False)
    indicators = {("firearm", "pieces"): "firearms_confiscated", ("ammunition", "rounds"): "ammunition_rounds"}
    published = [
        {"year": int(r.year_from), "indicator": indicators[(r.category, r.unit)], "value": float(r.value),
         "qualifier": r.qualifier or None, "unit": r.unit, "source": r.source}
        for r in pd.read_csv(data / "published_totals.csv", dtype=str, keep_default_na=False).itertuples()
        if r.year_from == r.year_to and (r.category, r.unit) in indicators
    ]

    def table(name: str, *columns: str) -> sa.TableClause:
        return sa.table(name, *(sa.column(c) for c in columns))

    with engine.begin() as conn:
        old = ["code", "name_en", "name_sq", "name_sr", "seat", "population", "population_source", "population_note",
               "status"]
        conn.execute(table("regions", *old).insert(), [
            {c: (int(r[c]) if c == "population" and r[c] else r[c] or None) for c in old}
            for r in regions.to_dict("records")])
        conn.execute(table("municipalities", "name", "region_code", "population_2024", "status").insert(), [
            {"name": r["name"], "region_code": r["region_code"], "status": r["status"],
             "population_2024": int(r["population"]) if r["population"] else None}
            for r in municipalities.to_dict("records")])
        conn.execute(table("published_totals", *published[0]).insert(), published)
        import_id = conn.execute(sa.text(
            "INSERT INTO imports (file_name, content_hash, kind, rows_read, rows_accepted, rows_rejected, user_name, "
            "imported_at) VALUES ('demo_seizures.csv', 'x', 'demo', :n, :n, 0, 'test', CURRENT_TIMESTAMP) RETURNING id"
        ), {"n": len(lines)}).scalar_one()
        columns = ["seized_on", "region_code", "municipality", "category", "weapon_type", "quantity", "unit", "context",
                   "case_ref", "source", "illustrative"]
        conn.execute(table("seizures", *columns, "import_id").insert(), [
            {**{c: r[c] for c in columns}, "seized_on": dt.date.fromisoformat(r["seized_on"]),
             "illustrative": r["illustrative"] in (True, "true"), "municipality": r["municipality"] or None,
             "import_id": import_id}
            for r in lines.to_dict("records")])


def store_at_first_revision_with_demo_rows(url: str) -> sa.Engine:
    engine = store.make_engine(url)
    with engine.begin() as conn:
        migrations.upgrade(conn, "0001")
    load_legacy_demo(engine)
    return engine


def test_upgrading_a_store_keeps_its_rows_and_repairs_measures(engine_kind, new_store_url):
    engine = store_at_first_revision_with_demo_rows(new_store_url(engine_kind))
    assert store.current_version(engine) == "0001"
    before = store.table_counts(engine)
    assert before["seizures"] > 5000
    assert store.init_db(engine) == migrations.head() == store.current_version(engine)
    after = store.table_counts(engine)
    assert {name: after[name] for name in before} == before
    # The summaries the pages read (added by 0003) were built from the lines.
    counted = queries.record_counts(engine, SeizureFilter())
    assert (counted.lines, counted.illustrative) == (before["seizures"], before["seizures"])
    # On DuckDB, 0001's FLOAT held 2.3 as 2.2999999523; after 0002 the numbers are the ones that were loaded.
    assert stored_kg_quantities(engine) == demo_kg_quantities()
    engine.dispose()


PRECISE = 1234567.8  # more digits than a 4-byte FLOAT holds (it keeps 1234567.75)


@pytest.mark.parametrize("measure_type", ["FLOAT", "DOUBLE PRECISION"])
def test_a_store_made_before_migrations_is_adopted(engine_kind, new_store_url, measure_type):
    """Before migrations, init made the tables with FLOAT measures, and later (schema.py said so) DOUBLE ones."""
    engine = store.make_engine(new_store_url(engine_kind))
    with engine.begin() as conn:  # what init wrote: the tables, a schema_version table, no alembic_version
        migrations.upgrade(conn, "0001")
        conn.execute(sa.text(f"ALTER TABLE seizures ALTER COLUMN quantity TYPE {measure_type}"))
        conn.execute(sa.text("DROP TABLE alembic_version"))
        conn.execute(sa.text("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL)"))
        conn.execute(sa.text("INSERT INTO schema_version VALUES (1, CURRENT_TIMESTAMP)"))
    load_legacy_demo(engine)
    with engine.begin() as conn:
        conn.execute(schema.seizures.insert().values(
            seized_on=dt.date(2024, 1, 1), region_code="PR", category="explosive", weapon_type="explosive",
            quantity=PRECISE, unit="t", context="other", illustrative=True,
        ))
    before = store.table_counts(engine)
    assert store.current_version(engine) is None
    store.init_db(engine)
    assert store.current_version(engine) == migrations.head()
    after = store.table_counts(engine)
    assert {name: after[name] for name in before} == before
    assert not sa.inspect(engine).has_table("schema_version")
    assert stored_kg_quantities(engine) == demo_kg_quantities()
    with engine.connect() as conn:
        kept = conn.execute(sa.select(schema.seizures.c.quantity).where(schema.seizures.c.unit == "t")).scalar_one()
    # A 4-byte column could only hold the FLOAT value; an 8-byte one must not be rounded to it.
    assert kept == (PRECISE if measure_type == "DOUBLE PRECISION" else pytest.approx(PRECISE, rel=1e-7))
    engine.dispose()


@pytest.mark.parametrize("statement,message", [
    ("CREATE TABLE seizures (id INTEGER)", "not made by `seizures init`"),
    ("CREATE TABLE schema_version (version INTEGER, applied_at TIMESTAMP)", "schema version None, unknown"),
])
def test_foreign_databases_are_refused_and_left_alone(engine_kind, new_store_url, statement, message):
    engine = store.make_engine(new_store_url(engine_kind))
    with engine.begin() as conn:
        conn.execute(sa.text(statement))
    with pytest.raises(store.StoreError, match=message):
        store.init_db(engine)
    assert not sa.inspect(engine).has_table("alembic_version")
    assert not sa.inspect(engine).has_table("regions")
    engine.dispose()


def test_servers_starting_together_migrate_once(pg_databases):
    """Several processes run `seizures init` on a new PostgreSQL store at once: one migrates, none fails."""
    url = pg_databases.new_url()
    command = [sys.executable, "-m", "seizures", "--db-url", url, "init"]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0] * 3, outputs
    assert all(f"schema version {migrations.head()} ready" in out for out, _ in outputs)
    engine = store.make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all() == [migrations.head()]
    assert store.table_counts(engine)["regions"] == 0
    engine.dispose()


def test_migration_scripts_ship_inside_the_package():
    assert migrations.config().get_main_option("script_location") == "seizures:migrations"
    assert [s.revision for s in reversed(list(migrations.scripts().walk_revisions()))][:3] == ["0001", "0002", "0003"]


def test_upgrading_to_phases_keeps_the_roadmap_rows_in_the_first_phase(engine_kind, new_store_url):
    """A store at revision 0007 with goals, KPIs and KPI values: after 0008 they belong to the 2018-2024 phase, which
    the upgrade adds with the years the code held before (so the statuses do not change)."""
    engine = store.make_engine(new_store_url(engine_kind))
    with engine.begin() as conn:
        migrations.upgrade(conn, "0007")
        conn.execute(sa.text("INSERT INTO roadmap_goals (number, title, wording_status, project_contributes, source) "
                             "VALUES (3, 'Goal three', 'unconfirmed', true, 's')"))
        conn.execute(sa.text("INSERT INTO roadmap_kpis (number, goal_number, project_contributes) VALUES (4, 3, true)"))
        conn.execute(sa.text("INSERT INTO kpi_values (kpi_number, year, jurisdiction, value, baseline, target, "
                             "illustrative) VALUES (4, 2021, 'X', 66, 60, 90, true)"))
    store.init_db(engine)
    with engine.connect() as conn:
        phases = conn.execute(sa.text("SELECT code, baseline_year, target_year FROM roadmap_phases")).all()
        goals = conn.execute(sa.text("SELECT phase_code, number, title FROM roadmap_goals")).all()
        values = conn.execute(sa.text("SELECT phase_code, kpi_number, year, value FROM kpi_values")).all()
    assert [tuple(p) for p in phases] == [("roadmap-2024", 2018, 2024)]
    assert [tuple(g) for g in goals] == [("roadmap-2024", 3, "Goal three")]
    assert [tuple(v) for v in values] == [("roadmap-2024", 4, 2021, 66.0)]
    assert queries.contributing_kpis(engine, "roadmap-2024")["number"].tolist() == [4]
    engine.dispose()


def test_upgrading_an_empty_store_adds_no_phase(engine_kind, new_store_url):
    engine = store.make_engine(new_store_url(engine_kind))
    store.init_db(engine)
    assert queries.phase_list(engine).empty
    engine.dispose()
