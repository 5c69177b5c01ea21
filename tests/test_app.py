"""The app driven through Streamlit's AppTest, on the demo store and on an empty store."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def run_app(monkeypatch, url, params=None) -> AppTest:
    monkeypatch.setenv("SEIZURES_DB_URL", url)
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    return at.run()


def test_overview_shows_the_published_totals(monkeypatch, demo_url, fresh_caches):
    at = run_app(monkeypatch, demo_url)
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["2020"] == "1,135"
    assert metrics["2021"] == "1,280"
    assert metrics["2022"] == "1,473"


def test_app_runs_on_an_empty_store(monkeypatch, empty_url, fresh_caches):
    at = run_app(monkeypatch, empty_url)
    assert not at.exception
    assert any("No seizure records" in i.value for i in at.info)


def test_url_parameters_restore_the_filter(monkeypatch, demo_url, fresh_caches):
    at = run_app(monkeypatch, demo_url, {"region": "PZ,GJ", "category": "firearm", "from": "2021", "to": "2022"})
    assert not at.exception
    assert at.multiselect(key="f_regions").value == ["PZ", "GJ"]
    assert at.multiselect(key="f_categories").value == ["firearm"]
    assert at.slider(key="f_years").value == (2021, 2022)
    assert at.query_params["region"] == "PZ,GJ"


@pytest.mark.parametrize("params", [{"region": "Atlantis"}, {"from": "1800"}, {"weapon": "<script>"}])
def test_invalid_url_values_warn_and_fall_back(monkeypatch, demo_url, fresh_caches, params):
    at = run_app(monkeypatch, demo_url, params)
    assert not at.exception
    assert at.warning, "expected a visible warning"
    assert at.multiselect(key="f_regions").value == []
