"""Shared fixtures: a demo store and an empty store, each a DuckDB file in a temporary folder."""

from __future__ import annotations

import shutil
from pathlib import Path

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
