import itertools

import pandas as pd
import pytest
import sqlalchemy as sa

from seizures import demo, queries, schema, seed, settings, store
from seizures.filters import SeizureFilter

PUBLISHED_FIREARMS = {2020: 1135, 2021: 1280, 2022: 1473}


def test_init_is_idempotent(tmp_path):
    engine = store.make_engine(f"duckdb:///{tmp_path / 's.duckdb'}")
    assert store.current_version(engine) is None
    store.init_db(engine)
    seed.load_demo(engine)
    first = store.table_counts(engine)
    store.init_db(engine)
    seed.load_demo(engine)
    assert store.table_counts(engine) == first
    assert first["schema_version"] == 1
    assert first["seizures"] > 5000
    assert first["regions"] == 8


def test_newer_schema_is_refused(tmp_path):
    engine = store.make_engine(f"duckdb:///{tmp_path / 's.duckdb'}")
    store.init_db(engine)
    with engine.begin() as conn:
        conn.execute(schema.schema_version.insert().values(version=99, applied_at=sa.func.now()))
    with pytest.raises(store.StoreError, match="newer"):
        store.init_db(engine)


def test_published_totals_are_stored_as_published(demo_engine):
    pub = queries.published(demo_engine)
    fire = pub[pub["indicator"] == "firearms_confiscated"].set_index("year")["value"]
    for year, value in PUBLISHED_FIREARMS.items():
        assert fire[year] == value


def test_demo_firearm_sums_equal_published_totals(demo_engine):
    totals = queries.totals_by_year(demo_engine, SeizureFilter(categories=("firearm",)))
    by_year = totals.set_index("year")["quantity"]
    for year, value in PUBLISHED_FIREARMS.items():
        assert by_year[year] == value
    check = queries.published_vs_recorded(demo_engine)
    assert check["consistent"].all(), check


def test_every_demo_row_is_illustrative(demo_engine):
    with demo_engine.connect() as conn:
        flags = conn.execute(
            sa.select(schema.seizures.c.illustrative, sa.func.count()).group_by(schema.seizures.c.illustrative)
        ).all()
    assert dict(flags) == {True: store.table_counts(demo_engine)["seizures"]}


def test_demo_generator_is_deterministic_and_matches_shipped_csv(tmp_path):
    for name in ("published_totals.csv", "municipalities.csv"):
        (tmp_path / name).write_bytes((settings.data_dir() / name).read_bytes())
    demo.write_demo(tmp_path)
    for name in ("demo_seizures.csv", "kpi_values.csv"):
        assert (tmp_path / name).read_bytes() == (settings.data_dir() / name).read_bytes(), name


def test_demo_spread_is_plausible(demo_engine):
    by_region = queries.totals_by_region_year(demo_engine, SeizureFilter(categories=("firearm",)))
    share = by_region.groupby("region_code")["quantity"].sum() / by_region["quantity"].sum()
    assert set(share.index) == {"PR", "PZ", "PE", "GJ", "MS", "MN", "GL", "FE"}
    assert share.idxmax() == "PR" and share.idxmin() == "MN"
    by_type = queries.totals_by_weapon_type(demo_engine, SeizureFilter(categories=("firearm",)))
    assert {"converted_firearm", "blank_firing_weapon", "pistol"} <= set(by_type["weapon_type"])
    cats = set(queries.totals_by_year(demo_engine, SeizureFilter())["category"])
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
def test_sum_over_regions_equals_unfiltered_total(demo_engine, years, categories, weapon_types, contexts):
    base = SeizureFilter(years[0], years[1], (), categories, weapon_types, contexts)
    total = queries.totals_by_year(demo_engine, base)
    parts = [
        queries.totals_by_year(demo_engine, SeizureFilter(years[0], years[1], (code,), categories, weapon_types, contexts))
        for code in ("PR", "PZ", "PE", "GJ", "MS", "MN", "GL", "FE")
    ]
    summed = pd.concat(parts).groupby(["year", "category", "unit"], as_index=False)[["quantity", "events"]].sum()
    pd.testing.assert_frame_equal(
        summed.sort_values(["year", "category", "unit"]).reset_index(drop=True),
        total[["year", "category", "unit", "quantity", "events"]].reset_index(drop=True),
        check_dtype=False,
    )
    # The other breakdowns add up to the same total.
    grand = total["quantity"].sum()
    for breakdown in (queries.totals_by_weapon_type, queries.totals_by_context, queries.totals_by_month,
                      queries.totals_by_region_year):
        assert breakdown(demo_engine, base)["quantity"].sum() == pytest.approx(grand)


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
