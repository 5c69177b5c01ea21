"""Another police service, end to end (issue 12): a made-up jurisdiction (flagged illustrative) with 7 regions, two
without a seat, and its own weapon-type labels, brought in through the README's commands only; a wide monthly count
file of a police portal imported through its saved mapping; then every page, the public view and the donor report
(PDF and Excel) on it, with totals equal to sums computed from the file itself, no Kosovo text anywhere, no
"illustrative" on its real-flagged counts, and seizure events said to be not recorded. And a store holding only
published national totals (one of them over several years), on the Overview and in the report."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import plotly.io as pio
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from count_files import SECOND_JURISDICTION, wide_file
from seizures import cli, report, store
from seizures.filters import SeizureFilter
from seizures.report import figures
from test_counts import expected_totals

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGES = ["overview", "regions", "map", "weapons", "records", "training", "kpis", "tracing", "data", "about"]
PUBLIC_PAGES = ["overview", "regions", "map", "weapons", "training", "kpis", "about"]
FIRST_YEAR, YEARS = 2020, 4
LAST_YEAR = FIRST_YEAR + YEARS - 1


@pytest.fixture(scope="module")
def northmark(tmp_path_factory) -> tuple[str, bytes]:
    """The store, filled with the commands the README gives (`Your own data`), and the file it was given."""
    folder = tmp_path_factory.mktemp("northmark")
    url = f"duckdb:///{folder / 'northmark.duckdb'}"
    data = wide_file(first_year=FIRST_YEAR, years=YEARS)
    (folder / "district-monthly.csv").write_bytes(data)
    commands = [["init"]]
    commands += [["reference", "import", name, str(SECOND_JURISDICTION / f"{name}.csv")]
                 for name in ("jurisdiction", "vocabulary", "regions", "municipalities")]
    commands += [["mappings", "import", str(SECOND_JURISDICTION / "district-monthly.mapping.json")],
                 ["import", str(folder / "district-monthly.csv"), "--mapping", "district-monthly"]]
    for command in commands:
        assert cli.main(["--db-url", url, *command]) == 0, command
    return url, data


def shown_text(at: AppTest) -> str:
    """What a reader sees of a run: titles, headers, texts, messages, metrics, table cells and chart texts."""
    parts = []
    for kind in ("title", "header", "subheader", "caption", "markdown", "info", "warning", "success", "error"):
        parts += [e.value for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value} {m.proto.delta}" for m in at.metric]
    parts += [frame.value.to_csv() for frame in at.dataframe]
    for chart in at.get("plotly_chart"):
        fig = pio.from_json(chart.proto.spec)
        parts += [fig.layout.title.text or ""] + [t.name or "" for t in fig.data]
        parts += [a.text or "" for a in fig.layout.annotations]
    return "\n".join(parts)


def opened(monkeypatch, url: str, page: str, **settings: str) -> AppTest:
    monkeypatch.setenv("SEIZURES_DB_URL", url)
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["from"] = str(FIRST_YEAR)
    at.run()
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, (page, at.exception)
    return at


def expected(data: bytes, measure: str, year: int | None = None, region: str | None = None) -> float:
    totals = expected_totals(data).reset_index()
    totals.columns = ["year", "region", "measure", "quantity"]
    keep = totals["measure"] == measure
    if year is not None:
        keep &= totals["year"] == year
    if region is not None:
        keep &= totals["region"] == region
    return float(totals.loc[keep, "quantity"].sum())


def test_every_page_shows_the_services_own_figures_and_names(northmark, monkeypatch, fresh_caches):
    url, data = northmark
    for page in PAGES:
        at = opened(monkeypatch, url, page)
        text = shown_text(at)
        assert "Kosovo" not in text and "Prishtina" not in text, page
        if page in ("overview", "regions", "map", "weapons"):
            assert "illustrative" not in text.lower(), page  # the counts are flagged real
    overview = opened(monkeypatch, url, "overview")
    assert overview.title[0].value == "Firearms seizures in Northmark"
    metrics = {m.label: m for m in overview.metric}
    firearms = expected(data, "firearm:pieces", LAST_YEAR)
    assert metrics["Firearms (pieces)"].value == f"{firearms:,.0f}"
    change = firearms - expected(data, "firearm:pieces", LAST_YEAR - 1)
    assert change != 0  # the generated years differ (a change of 0 is written "0", not "+0")
    assert metrics["Firearms (pieces)"].proto.delta.startswith(f"{change:+,.0f}")
    assert "Seizure events (number)" not in metrics  # no case reference: not counted as rows
    assert any("seizure events are not recorded in them" in c.value for c in overview.caption)
    # Regions: the directorate x year table, each cell from the file.
    regions = opened(monkeypatch, url, "regions")
    table = next(f.value for f in regions.dataframe if list(f.value.columns)[:2] == ["Directorate", str(FIRST_YEAR)])
    names = {"N1": "Northern Coast", "N3": "High Moors", "N7": "Capital"}
    for code, name in names.items():
        row = table[table["Directorate"] == name].iloc[0]
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            assert float(row[str(year)]) == expected(data, "firearm:pieces", year, code), (name, year)
    # The map draws the regions with a seat and lists the two without one.
    the_map = opened(monkeypatch, url, "map")
    assert any("High Moors" in c.value and "Lake District" in c.value for c in (*the_map.caption, *the_map.info))


def test_the_public_view_of_another_service(northmark, monkeypatch, fresh_caches):
    url, data = northmark
    for page in PUBLIC_PAGES:
        at = opened(monkeypatch, url, page, SEIZURES_PUBLIC="1")
        assert "Kosovo" not in shown_text(at), page
    overview = opened(monkeypatch, url, "overview", SEIZURES_PUBLIC="1")
    metrics = {m.label: m.value for m in overview.metric}
    assert metrics["Firearms (pieces)"] == f"{expected(data, 'firearm:pieces', LAST_YEAR):,.0f}"  # large: shown


def test_the_donor_report_of_another_service(northmark, monkeypatch):
    def no_browser(*args, **kwargs):
        raise RuntimeError("no browser in this test")

    monkeypatch.setattr(figures, "export_png", no_browser)
    url, data = northmark
    engine = store.make_engine(url)
    try:
        flt = SeizureFilter(FIRST_YEAR, LAST_YEAR)
        text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(report.build_pdf(engine, flt))).pages)
                        .split())
        book = load_workbook(io.BytesIO(report.build_xlsx(engine, flt)), read_only=True)
    finally:
        engine.dispose()
    assert "Northmark" in text and "Kosovo" not in text
    firearms = expected(data, "firearm:pieces", LAST_YEAR)
    assert f"Firearms (pieces) {firearms:,.0f} {expected(data, 'firearm:pieces', LAST_YEAR - 1):,.0f}" in text
    rows = [row for row in book["Headline"].iter_rows(values_only=True) if row and row[0] == "Firearms (pieces)"]
    assert any(firearms in row for row in rows), rows
    assert not any("Kosovo" in str(cell) for sheet in book for row in sheet.iter_rows(values_only=True)
                   for cell in row)


def test_a_store_of_published_totals_only(monkeypatch, tmp_path, fresh_caches):
    """Only the jurisdiction, its vocabulary and regions, and published national totals (one of them over five
    years): the Overview shows them and says the breakdowns need data; the report prints them."""
    url = f"duckdb:///{tmp_path / 'published.duckdb'}"
    published = tmp_path / "published_totals.csv"
    published.write_text("year_from,year_to,category,unit,value,qualifier,source,url\n"
                         "2019,2019,firearm,pieces,812,,Annual report 2019 (made up),\n"
                         "2020,2020,firearm,pieces,790,about,Annual report 2020 (made up),\n"
                         "2015,2019,firearm,pieces,4100,more than,Five-year review (made up),\n", encoding="utf-8")
    assert cli.main(["--db-url", url, "init"]) == 0
    for name in ("jurisdiction", "vocabulary", "regions"):
        assert cli.main(["--db-url", url, "reference", "import", name, str(SECOND_JURISDICTION / f"{name}.csv")]) == 0
    assert cli.main(["--db-url", url, "reference", "import", "published_totals", str(published)]) == 0
    monkeypatch.setenv("SEIZURES_DB_URL", url)
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception
    assert any("published national figures only" in i.value for i in at.info)
    table = next(f.value for f in at.dataframe if "Published figure" in f.value.columns)
    assert sorted(table["Published figure"]) == ["812", "about 790", "more than 4,100"]
    assert "2015–2019" in set(table["Years"])
    chart = next(pio.from_json(c.proto.spec) for c in at.get("plotly_chart"))
    published_line = next(t for t in chart.data if list(t.x) == [2019, 2020])
    assert list(published_line.y) == [812, 790]

    def no_browser(*args, **kwargs):
        raise RuntimeError("no browser in this test")

    monkeypatch.setattr(figures, "export_png", no_browser)
    engine = store.make_engine(url)
    try:
        pdf = report.build_pdf(engine, SeizureFilter(2019, 2020))
    finally:
        engine.dispose()
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Northmark" in text and "Kosovo" not in text
    assert "2019 Firearms (pieces) 812" in text and "2020 Firearms (pieces) about 790" in text
    assert "2015–2019 Firearms (pieces) more than 4,100" in text  # listed with its years, not split
    assert "Coverage no seizure data in 2019–2020" in text
