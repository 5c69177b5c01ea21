"""Every chart of a page with its text alternative (widgets.chart), driven through AppTest: a sentence under it, its
numbers in a table in an expander, the app's template (not Streamlit's theme), no Plotly toolbar; the page's
language reaches <html lang>."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from seizures import describe

PAGES = ["overview", "regions", "weapons", "map", "training", "kpis"]


def open_page(monkeypatch, url: str, page: str, params: dict | None = None) -> AppTest:
    monkeypatch.setenv("SEIZURES_DB_URL", url)
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=60)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def unescaped(markdown: str) -> str:
    return markdown.replace("\\", "")


@pytest.mark.parametrize("page", PAGES)
def test_every_chart_has_a_title_a_sentence_and_a_table(monkeypatch, demo_url, fresh_caches, page):
    at = open_page(monkeypatch, demo_url, page)
    drawn = list(at.get("plotly_chart"))
    assert drawn
    captions = [unescaped(c.value) for c in at.caption]
    for chart in drawn:
        assert chart.proto.theme == ""  # theme=None: the app's template, its text 12.5:1
        assert json.loads(chart.proto.config)["displayModeBar"] is False
        figure = json.loads(chart.proto.spec)
        assert figure["layout"]["title"]["text"]
        if page != "map":  # the map's sentence is made from its values (its own table follows)
            assert describe.summary(figure) in captions
    tables = [e for e in at.expander if e.label.startswith("Table of the chart")]
    assert len(tables) == len(drawn) - (page == "map")
    assert all(len(e.get("table")) == 1 for e in tables)


def test_the_regions_heatmap_table_holds_its_numbers(monkeypatch, demo_url, fresh_caches, oracle):
    at = open_page(monkeypatch, demo_url, "regions")
    heat = next(t for t in at.table if "2024" in list(t.value.columns) and "Prishtina" in list(t.value.index))
    rows = oracle.select(regions=("PR",), years=(2024, 2024))
    firearms = rows.loc[rows["category"] == "firearm", "quantity"].sum()
    assert heat.value.loc["Prishtina", "2024"] == f"{firearms:,.0f}"


@pytest.mark.parametrize("lang", ["en", "sq", "sr"])
def test_the_page_language_reaches_html_lang(monkeypatch, demo_url, fresh_caches, lang):
    at = open_page(monkeypatch, demo_url, "about", params={"lang": lang})
    scripts = [e.proto.body for e in at.get("html") if "documentElement.lang" in e.proto.body]
    assert len(scripts) == 1 and f'"lang": "{lang}"' in scripts[0]
