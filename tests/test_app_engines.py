"""The same app on PostgreSQL: every page runs and shows what it shows on DuckDB."""

import json
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "app_pages").glob("*.py"))


def page_content(monkeypatch, url: str, page: str) -> dict:
    monkeypatch.setenv("SEIZURES_DB_URL", url)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page(page).run()
    assert not at.exception, (url, page, at.exception)
    return {
        "metrics": [(m.label, m.value) for m in at.metric],
        "tables": [el.value.to_dict() for el in at.dataframe],
        "charts": [json.loads(el.proto.spec)["data"] for el in at.get("plotly_chart")],
        "infos": [el.value for el in at.info],
    }


@pytest.mark.parametrize("page", PAGES)
def test_every_page_shows_the_same_on_both_engines(monkeypatch, demo_url, pg_demo_engine, page, fresh_caches):
    on_duckdb = page_content(monkeypatch, demo_url, page)
    st.cache_data.clear()
    st.cache_resource.clear()  # the cached engine too: the next run must open PostgreSQL
    on_postgresql = page_content(monkeypatch, pg_demo_engine.url.render_as_string(hide_password=False), page)
    assert on_duckdb["metrics"] or on_duckdb["tables"] or on_duckdb["charts"], "the page shows no data"
    assert on_postgresql == on_duckdb

