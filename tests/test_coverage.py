"""Data coverage, stated: the grid of directorates and months against the oracle (pandas over every stored line),
months missing and the note a year-on-year change carries, partial years, counts of a quarter or a year, rows
rejected at import; the Overview's line and the About page's grid."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

import tracing_rows
from seizures import coverage, schema, store, summary
from seizures.filters import SeizureFilter

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def years_of(engine, flt: SeizureFilter) -> pd.DataFrame:
    return coverage.by_year(coverage.grid(engine, flt), coverage.year_totals(engine, flt))


@pytest.mark.parametrize("flt,selection", [
    (SeizureFilter(), {}),
    (SeizureFilter(2020, 2021, regions=("PZ", "MN"), categories=("firearm",)),
     {"years": (2020, 2021), "regions": ("PZ", "MN"), "categories": ("firearm",)}),
])
def test_the_grid_is_the_oracles(demo_engine, oracle, flt, selection):
    cells = coverage.grid(demo_engine, flt)
    rows = oracle.select(**selection)
    expected = rows.groupby(["region_code", "year", "month"]).size()
    shown = cells.set_index(["region_code", "year", "month"])
    assert shown["lines"][shown["lines"] > 0].sort_index().to_dict() == expected.sort_index().to_dict()
    assert (shown["counts"] == 0).all() and (shown["period_counts"] == 0).all()  # the demo holds lines only
    assert (shown["illustrative"] == shown["lines"]).all()  # every demo line is illustrative
    assert set(cells.loc[cells["rows"] > 0, "status"]) == {coverage.PRESENT}
    assert set(cells.loc[cells["rows"] == 0, "status"]) <= {coverage.NONE, coverage.MISSING}
    regions = selection.get("regions") or ("PR", "PZ", "PE", "GJ", "MS", "MN", "GL", "FE")
    first, last = selection.get("years") or (2019, 2024)
    assert len(cells) == len(regions) * (last - first + 1) * 12  # every directorate and month, with data or not
    years = years_of(demo_engine, flt).set_index(["region_code", "year"])
    assert years["lines"].to_dict() == {k: v for k, v in rows.groupby(["region_code", "year"]).size().items()}
    assert (years["illustrative_share"] == 100).all()


def test_the_demo_has_no_gap_and_its_quiet_months_are_not_called_missing(demo_engine, oracle):
    cells = coverage.grid(demo_engine, SeizureFilter())
    quiet = cells[cells["rows"] == 0]
    assert len(quiet) > 0 and set(quiet["region_code"]) == {"MN"}  # Mitrovica North: about 3 lines a month
    assert set(quiet["status"]) == {coverage.NONE}
    years = years_of(demo_engine, SeizureFilter())
    assert not years["incomplete"].any() and (years["note"] == "").all()
    found = coverage.overview(demo_engine, SeizureFilter())
    assert found == coverage.Summary([], [], 0)
    assert coverage.sentence(found, {}, (2019, 2024)).startswith("Coverage: no gaps in 2019–2024")


def remove_lines(engine, region: str, months: list[tuple[int, int]]) -> None:
    s = schema.seizures
    with engine.begin() as conn:
        for year, month in months:
            start = dt.date(year, month, 1)
            end = dt.date(year + (month == 12), month % 12 + 1, 1)
            conn.execute(s.delete().where(s.c.region_code == region, s.c.seized_on >= start, s.c.seized_on < end))
        summary.rebuild(conn)


def test_months_missing_make_a_year_incomplete_and_its_changes_carry_a_note(any_demo_copy_engine):
    engine = any_demo_copy_engine
    remove_lines(engine, "PR", [(2023, 3), (2023, 4)])
    cells = coverage.grid(engine, SeizureFilter())
    pr = cells[(cells["region_code"] == "PR") & (cells["year"] == 2023)].set_index("month")["status"]
    assert pr[3] == pr[4] == coverage.MISSING and (pr.drop([3, 4]) == coverage.PRESENT).all()
    years = years_of(engine, SeizureFilter()).set_index(["region_code", "year"])
    assert years.at[("PR", 2023), "missing_months"] == [3, 4] and years.at[("PR", 2023), "incomplete"]
    assert years.at[("PR", 2023), "months_present"] == 10
    assert years.at[("PR", 2023), "note"] == ("Coverage incomplete (2023: months missing: Mar, Apr): the change "
                                             "compares unequal coverage.")
    assert years.at[("PR", 2024), "note"] == "Coverage incomplete (2023 is incomplete): the change compares unequal coverage."
    assert years.at[("PR", 2022), "note"] == "" and years.at[("PZ", 2023), "note"] == ""
    found = coverage.overview(engine, SeizureFilter())
    assert found.missing == [("PR", 2023, [3, 4])] and found.partial_years == []
    line = coverage.sentence(found, {"PR": "Prishtina"}, (2019, 2024))
    assert line == ("Coverage: the change from 2023 to 2024 compares years of unequal coverage; months missing in "
                    "Prishtina 2023: Mar, Apr.")
    assert "unequal" not in coverage.sentence(found, {"PR": "Prishtina"}, (2019, 2022))  # 2021 to 2022: equal


def test_a_year_the_data_reach_only_in_part(demo_copy_engine):
    with demo_copy_engine.begin() as conn:
        conn.execute(schema.seizures.insert().values(
            seized_on=dt.date(2025, 2, 10), region_code="PR", category="firearm", weapon_type="pistol", quantity=1,
            unit="pieces", illustrative=True, period="day"))
        summary.rebuild(conn)
    cells = coverage.grid(demo_copy_engine, SeizureFilter())
    later = cells[(cells["year"] == 2025) & (cells["month"] > 2)]
    assert set(later["status"]) == {coverage.NOT_EXPECTED}
    found = coverage.overview(demo_copy_engine, SeizureFilter())
    assert found.partial_years == [(2025, 2)]
    years = years_of(demo_copy_engine, SeizureFilter()).set_index(["region_code", "year"])
    assert years.at[("PZ", 2025), "note"].startswith("Coverage incomplete (2025: the data cover 2 of its 12 months)")
    assert "the data cover 2 of the 12 months of 2025" in coverage.sentence(found, {}, (2019, 2025))


def test_counts_of_a_month_quarter_or_year_and_rows_rejected_at_import(any_engine):
    tracing_rows.load(any_engine)
    with any_engine.begin() as conn:
        conn.execute(schema.seizures.insert().values(
            seized_on=dt.date(2022, 4, 1), period="quarter", region_code="NO", category="firearm", quantity=3,
            unit="pieces", illustrative=False))
        summary.rebuild(conn)
    cells = coverage.grid(any_engine, SeizureFilter()).set_index(["region_code", "year", "month"])
    whole = cells.loc[""].loc[2023]  # the count of 2023 for the whole jurisdiction covers its 12 months
    assert (whole["period_counts"] == 1).all() and (whole["status"] == coverage.PRESENT).all()
    assert cells.loc[("SO", 2023, 5), "counts"] == 1  # the count of May 2023
    quarter = cells.loc["NO"].loc[2022]
    assert quarter.loc[[4, 5, 6], "period_counts"].tolist() == [1, 1, 1] and quarter.loc[7, "period_counts"] == 0
    assert quarter.loc[4, "illustrative"] == 0  # the quarter's count is a real row
    totals = coverage.year_totals(any_engine, SeizureFilter()).set_index(["region_code", "year"])
    assert totals.loc[("", 2023)].tolist() == [0, 1, 1] and totals.loc[("NO", 2022)].tolist() == [1, 1, 1]
    rejected = coverage.rejections(any_engine, SeizureFilter())
    assert rejected[["file_name", "rows_rejected"]].values.tolist() == [["tracing-illustrative.csv", 2]]
    assert (rejected.at[0, "first_date"], rejected.at[0, "last_date"]) == (dt.date(2022, 2, 1), dt.date(2023, 9, 1))
    assert coverage.rejections(any_engine, SeizureFilter(2024, 2024)).empty  # its rows end in 2023
    assert "2 rows were rejected at import" in coverage.sentence(coverage.overview(any_engine, SeizureFilter()), {},
                                                                  (2022, 2023))


def test_an_empty_store_has_no_coverage(any_engine):
    assert coverage.grid(any_engine, SeizureFilter()).empty
    found = coverage.overview(any_engine, SeizureFilter())
    assert found == coverage.Summary([], [], 0, empty=True)
    # Not "no gaps": a store of published totals only has no seizure data to have gaps in.
    assert coverage.sentence(found, {}, (2019, 2020)) == "Coverage: no seizure data in 2019–2020."


# --- The pages ---


def open_app(monkeypatch, url: str, page: str | None = None) -> AppTest:
    monkeypatch.setenv("SEIZURES_DB_URL", url)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def test_the_overview_says_it_in_one_line_and_links_to_the_grid(monkeypatch, demo_copy_url, fresh_caches):
    engine = store.make_engine(demo_copy_url)
    remove_lines(engine, "GL", [(2024, 6)])
    engine.dispose()
    at = open_app(monkeypatch, demo_copy_url)
    lines = [c.value for c in at.caption if c.value.startswith("ℹ️ Coverage")]
    assert lines == ["ℹ️ Coverage: the change from 2023 to 2024 compares years of unequal coverage; months missing "
                     "in Gjilan 2024: Jun."]
    assert any(link.proto.page.endswith("about") or "about" in link.proto.page for link in at.get("page_link"))


def test_the_about_page_draws_the_grid_and_the_tables(monkeypatch, demo_url, fresh_caches):
    at = open_app(monkeypatch, demo_url, "app_pages/about.py")
    assert "Data coverage" in [h.value for h in at.header]
    [grid] = [c for c in at.get("plotly_chart") if "Rows by directorate and month" in c.proto.spec]
    table = next(d.value for d in at.dataframe if "months_present" in d.value)
    assert len(table) == 8 * 6 and set(table["months_present"]) <= set(range(10, 13))


def test_the_public_view_shows_whether_data_are_there_not_how_many(monkeypatch, demo_url, fresh_caches):
    monkeypatch.setenv("SEIZURES_PUBLIC", "1")
    at = open_app(monkeypatch, demo_url, "app_pages/about.py")
    assert "Data coverage" in [h.value for h in at.header]
    assert "By directorate and year" not in [s.value for s in at.subheader]
    spec = next(c.proto.spec for c in at.get("plotly_chart") if "Rows by directorate and month" in c.proto.spec)
    assert "data present: " not in spec and "data present" in spec  # the status, never the number of rows
    overview = open_app(monkeypatch, demo_url)
    assert any(c.value.startswith("ℹ️ Coverage: no gaps") for c in overview.caption)


def test_the_reports_first_page_states_the_coverage_as_the_overview(demo_copy_engine, monkeypatch):
    import io

    from pypdf import PdfReader

    from seizures import report
    from seizures.report import figures

    def fail(*args, **kwargs):
        raise RuntimeError("no browser in this test")

    monkeypatch.setattr(figures, "export_png", fail)
    remove_lines(demo_copy_engine, "PR", [(2023, 3), (2023, 4)])
    first = PdfReader(io.BytesIO(report.build_pdf(demo_copy_engine, SeizureFilter(2022, 2024)))).pages[0]
    assert ("Coverage the change from 2023 to 2024 compares years of unequal coverage; months missing in Prishtina "
            "2023: Mar, Apr") in " ".join(first.extract_text().split())
    assert coverage.sentence(coverage.overview(demo_copy_engine, SeizureFilter(2022, 2024)), {"PR": "Prishtina"},
                             (2022, 2024)).startswith("Coverage: the change from 2023 to 2024")
