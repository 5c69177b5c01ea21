"""The queries and exports behind the dashboard pages, checked against pandas over the stored lines (the oracle)."""

import datetime as dt
import io
import math

import openpyxl
import pandas as pd
import pytest
from sqlalchemy.dialects import postgresql

from seizures import export, queries, schema, settings, store, summary
from seizures.filters import SeizureFilter

FILTERS = [
    (SeizureFilter(), {}),
    (SeizureFilter(year_from=2021, year_to=2022), {"years": (2021, 2022)}),
    (SeizureFilter(regions=("PZ", "MN")), {"regions": ("PZ", "MN")}),
    (SeizureFilter(categories=("firearm", "explosive")), {"categories": ("firearm", "explosive")}),
    (SeizureFilter(weapon_types=("converted_firearm", "blank_firing_weapon")),
     {"weapons": ("converted_firearm", "blank_firing_weapon")}),
    (SeizureFilter(year_from=2023, contexts=("border_crossing",), regions=("PE",)),
     {"years": (2023, 2024), "contexts": ("border_crossing",), "regions": ("PE",)}),
]
FILTER_IDS = ["all", "years", "regions", "categories", "weapons", "mixed"]


@pytest.mark.parametrize("flt,selection", FILTERS, ids=FILTER_IDS)
@pytest.mark.parametrize("key", list(queries.MEASURES_BY_KEY))
def test_measure_by_year_matches_the_stored_lines(demo_engine, oracle, flt, selection, key):
    frame = queries.measure_by(demo_engine, flt, key, "year")
    rows = oracle.select(**selection)
    expected = {year: oracle.measure(group, key) for year, group in rows.groupby("year")}
    expected = {year: value for year, value in expected.items() if value}
    got = dict(zip(frame["year"], frame["value"]))
    assert got.keys() == expected.keys()
    for year, value in expected.items():
        assert got[year] == pytest.approx(value, abs=0.01)


def test_measure_by_two_dimensions(demo_engine, oracle):
    frame = queries.measure_by(demo_engine, SeizureFilter(), "firearms", "region_code", "month")
    rows = oracle.select(categories=("firearm",))
    expected = rows.groupby(["region_code", "month"])["quantity"].sum()
    assert len(frame) == len(expected)
    for row in frame.itertuples():
        assert row.value == expected[(row.region_code, row.month)]


def test_measure_by_only_accepts_known_dimensions(demo_engine):
    with pytest.raises(KeyError):
        queries.measure_by(demo_engine, SeizureFilter(), "firearms", "quantity; DROP TABLE seizures")
    with pytest.raises(ValueError):
        queries.measure_by(demo_engine, SeizureFilter(), "firearms")


def test_an_event_is_one_case_reference_and_lines_without_one_count_alone(empty_engine):
    lines = pd.DataFrame({
        "seized_on": [dt.date(2022, 5, 1)] * 4 + [dt.date(2023, 1, 1)],
        "region_code": ["PR"] * 5,
        "category": ["firearm", "ammunition", "firearm", "firearm", "firearm"],
        "weapon_type": ["pistol"] * 5,
        "quantity": [1.0, 50.0, 2.0, 1.0, 3.0],
        "unit": ["pieces", "rounds", "pieces", "pieces", "pieces"],
        "context": ["house_search"] * 5,
        "case_ref": ["A-1", "A-1", None, None, "B-2"],
        "illustrative": [False] * 5,
    })
    with empty_engine.begin() as conn:
        store.insert_frame(conn, schema.seizures, lines)
        summary.rebuild(conn)  # lines written directly, not by an import
    events = queries.measure_by(empty_engine, SeizureFilter(), "events", "year")
    assert dict(zip(events["year"], events["value"])) == {2022: 3, 2023: 1}  # A-1 (two lines) and two unreferenced
    firearms = queries.measure_by(empty_engine, SeizureFilter(), "firearms", "year")
    assert dict(zip(firearms["year"], firearms["value"])) == {2022: 4, 2023: 3}
    assert queries.record_counts(empty_engine, SeizureFilter()) == (5, 0)


@pytest.mark.parametrize("flt,selection", FILTERS, ids=FILTER_IDS)
def test_headline_figures(demo_engine, oracle, flt, selection):
    first, last = selection.get("years", (2019, 2024))
    headline = queries.headline_figures(demo_engine, flt, first, last).set_index("measure")
    assert list(headline.index) == list(queries.HEADLINE_MEASURES)
    # The year before is read even when it is outside the period (needed for a one-year period).
    wider = oracle.select(**{**selection, "years": (first - 1, last)})
    for key in queries.HEADLINE_MEASURES:
        row = headline.loc[key]
        value = oracle.measure(wider[wider["year"] == last], key)
        previous = oracle.measure(wider[wider["year"] == last - 1], key)
        assert row["year"] == last
        assert row["value"] == pytest.approx(value, abs=0.01)
        if last - 1 < 2019:  # no data before 2019
            assert row["previous"] is None or math.isnan(row["previous"])
        else:
            assert row["previous"] == pytest.approx(previous, abs=0.01)
            assert row["change"] == pytest.approx(value - previous, abs=0.01)
        period = oracle.measure(wider[wider["year"] >= first], key)
        assert row["period_total"] == pytest.approx(period, abs=0.01)


def test_headline_of_a_one_year_period_compares_with_the_year_before(demo_engine, oracle):
    headline = queries.headline_figures(demo_engine, SeizureFilter(year_from=2022, year_to=2022), 2022, 2022)
    firearms = headline.set_index("measure").loc["firearms"]
    assert (firearms["value"], firearms["previous"], firearms["period_total"]) == (1473, 1280, 1473)
    assert firearms["pct_change"] == pytest.approx((1473 - 1280) / 1280 * 100)


def test_recorded_and_published_side_by_side(demo_engine, oracle):
    frame = queries.recorded_and_published(demo_engine, SeizureFilter(regions=("PZ",)), "ammunition")
    published = pd.read_csv(settings.data_dir() / "published_totals.csv")
    published = published[published["indicator"] == "ammunition_rounds"].set_index("year")
    rows = oracle.select(regions=("PZ",), categories=("ammunition",))
    assert frame["year"].tolist() == sorted(rows["year"].unique())
    for row in frame.itertuples():
        assert row.recorded == rows.loc[rows["year"] == row.year, "quantity"].sum()
        if row.year in published.index:
            assert row.published == published.loc[row.year, "value"]  # national, whatever the region filter
        else:
            assert math.isnan(row.published)
    assert frame.set_index("year").loc[2021, "qualifier"] == "more than"


def test_published_figures_follow_the_period(demo_engine):
    frame = queries.recorded_and_published(demo_engine, SeizureFilter(year_from=2022, year_to=2023), "firearms")
    assert frame["year"].tolist() == [2022, 2023]
    assert frame["published"].tolist() == [1473, 1392]
    events = queries.recorded_and_published(demo_engine, SeizureFilter(), "events")
    assert events["published"].isna().all()  # nothing published for seizure events


def test_region_summary_shares_and_rates(demo_engine, oracle):
    by_region = queries.measure_by(demo_engine, SeizureFilter(year_from=2021, year_to=2023), "firearms", "region_code")
    summary = queries.region_summary(by_region, queries.region_list(demo_engine), ("PZ", "MN"), years=3)
    rows = oracle.select(years=(2021, 2023), categories=("firearm",))
    national = rows["quantity"].sum()
    summary = summary.set_index("region_code")
    assert list(summary.index) == ["MN", "PZ"]  # by name: Mitrovica North, Prizren
    prizren = rows.loc[rows["region_code"] == "PZ", "quantity"].sum()
    assert summary.loc["PZ", "value"] == prizren
    assert summary.loc["PZ", "share_pct"] == pytest.approx(prizren / national * 100)
    assert summary.loc["PZ", "rate_per_100k"] == pytest.approx(prizren / 3 / 277_007 * 100_000)
    assert math.isnan(summary.loc["MN", "rate_per_100k"])
    assert "boycott" in summary.loc["MN", "population_remark"]
    everyone = queries.region_summary(by_region, queries.region_list(demo_engine), (), years=3)
    assert len(everyone) == 8 and everyone["share_pct"].sum() == pytest.approx(100)


def test_region_summary_of_nothing_is_empty(demo_engine):
    empty = queries.measure_by(demo_engine, SeizureFilter(regions=("PZ",), contexts=("nowhere",)), "firearms", "region_code")
    assert queries.region_summary(empty, queries.region_list(demo_engine), ("PZ",), 1).empty


@pytest.mark.parametrize("flt,selection", FILTERS, ids=FILTER_IDS)
def test_record_counts(demo_engine, oracle, flt, selection):
    rows = oracle.select(**selection)
    assert queries.record_counts(demo_engine, flt) == (len(rows), int(rows["illustrative"].sum()))


@pytest.mark.parametrize("sort,descending", [("seized_on", False), ("quantity", True), ("municipality", True),
                                             ("case_ref", False)])
def test_records_pages_are_slices_of_the_sorted_filtered_lines(demo_engine, oracle, sort, descending):
    flt = SeizureFilter(regions=("GJ",), year_from=2022)
    rows = oracle.select(regions=("GJ",), years=(2022, 2024))
    expected = rows.sort_values([sort, "id"], ascending=not descending, na_position="last")["case_ref"].tolist()
    page_size = 37
    pages = [
        queries.records_page(demo_engine, flt, sort, descending, page_size, offset)["case_ref"].tolist()
        for offset in range(0, len(rows) + page_size, page_size)
    ]
    assert pages[2] == expected[2 * page_size:3 * page_size]
    assert sum(pages, []) == expected  # every line once, in order; the page past the end is empty
    assert pages[-1] == []


def test_records_page_columns(demo_engine):
    page = queries.records_page(demo_engine, SeizureFilter(), limit=3)
    assert list(page.columns) == list(queries.RECORD_COLUMNS)
    assert len(page) == 3
    nothing = queries.records_page(demo_engine, SeizureFilter(contexts=("none",)))
    assert nothing.empty and list(nothing.columns) == list(queries.RECORD_COLUMNS)


@pytest.mark.parametrize("sort", ["id; DROP TABLE seizures", "source", "illustrative", ""])
def test_records_sort_column_is_whitelisted(demo_engine, sort):
    with pytest.raises(ValueError, match="cannot sort by"):
        queries.records_page(demo_engine, SeizureFilter(), sort=sort)


def test_queries_compile_for_postgresql():
    dialect = postgresql.dialect()
    flt = SeizureFilter(2020, 2022, ("PR",), ("firearm",), ("pistol",), ("house_search",))
    sql = str(queries.records_query(flt, "quantity", True).limit(10).offset(20).compile(dialect=dialect))
    assert "NULLS LAST" in sql and "LIMIT" in sql and "OFFSET" in sql
    sql = str(queries.measure_query(flt, "events", ("region_code", "month")).compile(dialect=dialect))
    assert "count(DISTINCT seizure_case_keys.case_ref)" in sql and "GROUP BY seizure_summary.region_code" in sql


@pytest.mark.parametrize("flt,selection", FILTERS[1:], ids=FILTER_IDS[1:])
def test_csv_export_holds_exactly_the_filtered_lines(demo_engine, oracle, flt, selection):
    exported = pd.read_csv(io.BytesIO(export.records_csv(demo_engine, flt, "quantity", True)))
    rows = oracle.select(**selection)
    assert list(exported.columns) == list(queries.RECORD_COLUMNS)
    assert sorted(exported["case_ref"]) == sorted(rows["case_ref"])
    assert exported["quantity"].sum() == pytest.approx(rows["quantity"].sum(), abs=0.01)
    assert exported["quantity"].is_monotonic_decreasing


def test_csv_export_of_everything_reads_like_the_demo_file(demo_engine):
    exported = pd.read_csv(io.BytesIO(export.records_csv(demo_engine, SeizureFilter())))
    shipped = pd.read_csv(settings.data_dir() / "demo_seizures.csv")
    pd.testing.assert_frame_equal(exported, shipped)


def test_excel_export_holds_exactly_the_filtered_lines(demo_engine, oracle):
    flt = SeizureFilter(regions=("MN",), categories=("explosive",))
    book = openpyxl.load_workbook(io.BytesIO(export.records_xlsx(demo_engine, flt)))
    records = list(book["records"].values)
    rows = oracle.select(regions=("MN",), categories=("explosive",))
    assert records[0] == queries.RECORD_COLUMNS
    assert len(records) - 1 == len(rows)
    case_refs = [r[queries.RECORD_COLUMNS.index("case_ref")] for r in records[1:]]
    assert sorted(case_refs) == sorted(rows["case_ref"])
    about = dict(r[:2] for r in book["about"].values)
    assert about["Rows"] == len(rows)
    assert about["Filter: region"] == "MN"
    assert about["Filter: category"] == "explosive"


def test_exports_of_an_empty_filter_have_only_the_header(demo_engine):
    flt = SeizureFilter(contexts=("nowhere",))
    assert export.records_csv(demo_engine, flt).decode().strip() == ",".join(queries.RECORD_COLUMNS)
    book = openpyxl.load_workbook(io.BytesIO(export.records_xlsx(demo_engine, flt)))
    assert book["records"].max_row == 1
