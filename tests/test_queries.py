import inspect

import pandas as pd
import pytest

from seizures import queries
from seizures.filters import SeizureFilter, from_query_params, to_query_params

BREAKDOWNS = [("year",), ("region_code", "year"), ("weapon_type",), ("context",), ("year", "month"), ()]


@pytest.mark.parametrize("dimensions", BREAKDOWNS, ids=lambda d: "+".join(d) or "total")
def test_totals_on_an_empty_store_are_empty_frames(any_engine, dimensions):
    frame = queries.totals_by(any_engine, SeizureFilter(year_from=2020, regions=("PR",)), *dimensions)
    assert frame.empty
    assert [*dimensions, "category", "unit", "quantity", "lines"] == list(frame.columns)


def test_totals_refuse_an_unknown_dimension(any_engine):
    with pytest.raises(KeyError):
        queries.totals_by(any_engine, SeizureFilter(), "case_ref")


def test_reference_queries_on_an_empty_store(any_engine):
    assert queries.published(any_engine).empty
    assert queries.published_vs_recorded(any_engine).empty
    assert queries.region_list(any_engine).empty
    assert queries.year_bounds(any_engine) is None


def test_year_bounds_and_month_range(any_demo_engine):
    assert queries.year_bounds(any_demo_engine) == (2019, 2024)
    months = queries.totals_by(any_demo_engine, SeizureFilter(year_from=2022, year_to=2022), "year", "month")
    assert set(months["year"]) == {2022}
    assert set(months["month"]) == set(range(1, 13))


def test_period_closes_open_edges_with_the_stores_years(any_demo_engine, any_engine):
    assert queries.period(any_demo_engine, SeizureFilter()) == (2019, 2024)
    assert queries.period(any_demo_engine, SeizureFilter(year_from=2021)) == (2021, 2024)
    assert queries.period(any_demo_engine, SeizureFilter(year_to=2019)) == (2019, 2019)
    assert queries.period(any_demo_engine, SeizureFilter(2022, 2022, regions=("MN",))) == (2022, 2022)
    assert queries.period(any_engine, SeizureFilter()) is None  # no seizure lines: no period to show
    assert queries.period(any_engine, SeizureFilter(year_from=2021)) is None


def test_open_edges_as_the_sidebar_keeps_them():
    bounds = (2019, 2024)
    assert SeizureFilter(2019, 2024).with_open_edges(bounds) == SeizureFilter()
    assert SeizureFilter(2019, 2020, regions=("PZ",)).with_open_edges(bounds) == SeizureFilter(None, 2020, regions=("PZ",))
    assert SeizureFilter(2020, 2024).with_open_edges(bounds) == SeizureFilter(2020, None)
    assert SeizureFilter(2020, 2023).with_open_edges(bounds) == SeizureFilter(2020, 2023)
    assert SeizureFilter(2020, 2023).with_open_edges(None) == SeizureFilter(2020, 2023)


def test_measures_for_a_filter_are_the_events_and_the_categories_it_lets_through():
    assert [m.key for m in queries.measures_for(SeizureFilter())] == list(queries.MEASURES_BY_KEY)
    assert [m.key for m in queries.measures_for(SeizureFilter(categories=("explosive",)))] == [
        "explosives", "devices", "events"]
    assert [m.key for m in queries.measures_for(SeizureFilter(categories=("firearm",)))] == ["firearms", "events"]


def test_year_filter_is_inclusive(any_demo_engine):
    frame = queries.totals_by_year(any_demo_engine, SeizureFilter(year_from=2021, year_to=2022, categories=("firearm",)))
    assert frame["year"].tolist() == [2021, 2022]
    assert frame["quantity"].tolist() == [1280, 1473]


def test_year_over_year():
    frame = pd.DataFrame({
        "year": [2020, 2021, 2022, 2020, 2022],
        "category": ["firearm"] * 3 + ["ammunition"] * 2,
        "unit": ["pieces"] * 3 + ["rounds"] * 2,
        "quantity": [100.0, 150.0, 120.0, 10.0, 30.0],
    })
    out = queries.year_over_year(frame).set_index(["category", "year"])
    assert out.loc[("firearm", 2021), "change"] == 50
    assert out.loc[("firearm", 2021), "pct_change"] == pytest.approx(50.0)
    assert out.loc[("firearm", 2022), "pct_change"] == pytest.approx(-20.0)
    assert pd.isna(out.loc[("firearm", 2020), "previous"])
    # 2021 is missing for ammunition: 2022 has no previous year to compare with.
    assert pd.isna(out.loc[("ammunition", 2022), "change"])


REGIONS = ["PR", "PZ", "PE", "GJ", "MS", "MN", "GL", "FE"]


def test_query_params_round_trip():
    flt = SeizureFilter(2020, 2022, ("PR", "GJ"), ("firearm",), ("pistol",), ("house_search",))
    parsed = from_query_params(to_query_params(flt), REGIONS, (2019, 2024))
    assert parsed.filter == flt
    assert parsed.warnings == []
    assert to_query_params(SeizureFilter()) == {}


@pytest.mark.parametrize(
    "params,warning",
    [
        ({"region": "PR,XX"}, "unknown region"),
        ({"from": "abc"}, "not a year"),
        ({"to": "1900"}, "outside the data's years"),
        ({"from": "2023", "to": "2020"}, "ends before it starts"),
        ({"category": "'; DROP TABLE seizures; --"}, "unknown category"),
        ({"weapon": "bazooka"}, "unknown weapon"),
        ({"context": "x" * 500}, "unknown context"),
    ],
)
def test_invalid_query_params_fall_back_with_a_warning(params, warning):
    parsed = from_query_params(params, REGIONS, (2019, 2024))
    assert any(warning in w for w in parsed.warnings), parsed.warnings
    assert parsed.filter.categories == ()
    assert parsed.filter.weapon_types == ()
    assert parsed.filter.contexts == ()
    assert parsed.filter.year_from is None


def store_queries():
    """Every public query of seizures.queries that reads the store: (engine) or (engine, flt)."""
    found = []
    for name, func in vars(queries).items():
        if name.startswith("_") or not inspect.isfunction(func) or func.__module__ != queries.__name__:
            continue
        params = list(inspect.signature(func).parameters)
        if params[:1] == ["engine"] and len(params) <= 2:
            found.append(func)
    return found


CROSS_ENGINE_FILTERS = [
    SeizureFilter(),
    SeizureFilter(2021, 2023, ("PR", "MN"), ("firearm", "explosive")),
    SeizureFilter(weapon_types=("pistol", "hand_grenade"), contexts=("house_search",)),
]


@pytest.mark.parametrize("query", store_queries(), ids=lambda q: q.__name__)
def test_duckdb_and_postgresql_give_identical_results(demo_engine, pg_demo_engine, query):
    """The same demo data on both engines: every query returns the same frame, values, order and dtypes."""
    takes_filter = len(inspect.signature(query).parameters) == 2
    for flt in CROSS_ENGINE_FILTERS if takes_filter else [None]:
        args = (flt,) if takes_filter else ()
        on_duckdb, on_postgresql = query(demo_engine, *args), query(pg_demo_engine, *args)
        if isinstance(on_duckdb, pd.DataFrame):
            assert not on_duckdb.empty
            pd.testing.assert_frame_equal(on_postgresql, on_duckdb)
        else:
            assert on_postgresql == on_duckdb is not None
