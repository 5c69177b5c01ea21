"""Shared fixtures: a demo store and an empty store, each a DuckDB file in a temporary folder."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from seizures import seed, store


def build_store(path, demo: bool) -> str:
    url = f"duckdb:///{path}"
    engine = store.make_engine(url)
    store.init_db(engine)
    if demo:
        seed.load_demo(engine)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory) -> str:
    return build_store(tmp_path_factory.mktemp("demo") / "demo.duckdb", demo=True)


@pytest.fixture(scope="session")
def demo_engine(demo_url) -> sa.Engine:
    return store.make_engine(demo_url)


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

    UNITS = {"firearms": ("firearm", "pieces"), "ammunition": ("ammunition", "rounds"),
             "explosives": ("explosive", "kg"), "devices": ("explosive", "pieces"),
             "components": ("component", "pieces")}

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
        """A measure over some rows: quantity of a category in its unit, or the number of seizure events."""
        if key == "events":
            return float(rows["case_ref"].nunique() + rows["case_ref"].isna().sum())
        category, unit = self.UNITS[key]
        return float(rows.loc[(rows["category"] == category) & (rows["unit"] == unit), "quantity"].sum())


@pytest.fixture(scope="session")
def oracle(demo_engine) -> Oracle:
    import pandas as pd

    with demo_engine.connect() as conn:
        rows = pd.read_sql(sa.text("SELECT * FROM seizures"), conn)
    return Oracle(rows)
