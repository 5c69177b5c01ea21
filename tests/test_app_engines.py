"""The same app on PostgreSQL: every page runs and shows what it shows on DuckDB, from the same rows."""

import base64
import json
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "app_pages").glob("*.py"))


def comparable(value):
    """Chart data with Plotly's base64 arrays decoded and floats to 12 digits (engines add up in different orders)."""
    if isinstance(value, dict) and set(value) == {"dtype", "bdata"}:
        return comparable(np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist())
    if isinstance(value, dict):
        return {key: comparable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [comparable(item) for item in value]
    if isinstance(value, float):
        return float(f"{value:.12g}")
    return value


def page_content(monkeypatch, url: str, page: str) -> dict:
    st.cache_data.clear()
    st.cache_resource.clear()  # the cached engine too: each run opens its own store
    monkeypatch.setenv("SEIZURES_DB_URL", url)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page(page).run()
    assert not at.exception, (url, page, at.exception)
    return {
        "metrics": [(m.label, m.value) for m in at.metric],
        "tables": [comparable(json.loads(el.value.to_json(orient="split", date_format="iso"))) for el in at.dataframe],
        "charts": [comparable(json.loads(el.proto.spec)["data"]) for el in at.get("plotly_chart")],
        "texts": [el.value for el in (*at.info, *at.warning, *at.caption)],
    }


@pytest.mark.parametrize("page", PAGES)
def test_every_page_shows_the_same_on_both_engines(monkeypatch, demo_url, pg_demo_engine, page, fresh_caches):
    on_duckdb = page_content(monkeypatch, demo_url, page)
    on_postgresql = page_content(monkeypatch, pg_demo_engine.url.render_as_string(hide_password=False), page)
    assert on_duckdb["metrics"] or on_duckdb["tables"] or on_duckdb["charts"], "the page shows no data"
    assert on_postgresql == on_duckdb
