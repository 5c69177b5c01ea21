"""The one-click donor report on the Roadmap KPIs page, and the KPI status it prints."""

from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from seizures import kpis, queries
from seizures.filters import SeizureFilter
from seizures.report import content

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def kpi_page(monkeypatch, url: str) -> AppTest:
    monkeypatch.setenv("SEIZURES_DB_URL", url)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("app_pages/kpis.py").run()
    assert not at.exception
    return at


def download_labels(at: AppTest) -> list[str]:
    return [element.proto.label for element in at.get("download_button")]


def test_the_kpi_page_offers_the_report_as_pdf_and_excel(monkeypatch, demo_url, fresh_caches):
    labels = download_labels(kpi_page(monkeypatch, demo_url))
    assert "Donor report (PDF)" in labels and "Donor report (Excel)" in labels


def test_the_public_view_offers_no_report(monkeypatch, demo_url, fresh_caches):
    monkeypatch.setenv("SEIZURES_PUBLIC", "1")
    labels = download_labels(kpi_page(monkeypatch, demo_url))
    assert not any(label.startswith("Donor report") for label in labels)


def test_an_empty_store_offers_no_report(monkeypatch, empty_url, fresh_caches):
    labels = download_labels(kpi_page(monkeypatch, empty_url))
    assert not any(label.startswith("Donor report") for label in labels)


def test_the_report_kpi_table_is_the_pages(demo_engine):
    flt = SeizureFilter(2019, 2023)
    table = content.collect(demo_engine, flt).kpis
    shown = flt.with_open_edges(queries.year_bounds(demo_engine))  # the sidebar's: 2019 is the data's first year
    assert shown == SeizureFilter(None, 2023)
    rated = kpis.kpi_table(queries.contributing_kpis(demo_engine), queries.kpi_values_in_period(demo_engine, shown))
    pd.testing.assert_frame_equal(table, rated)
    assert set(rated["status"]) >= {"no data"}  # KPI 14 has no values
