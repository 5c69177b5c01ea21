"""Overview, Regions, Weapons & context and Records driven through AppTest: every number shown is compared with the
stored lines (the `oracle` fixture: pandas over the seizures table), for each sidebar filter."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pandas as pd
import plotly.io as pio
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGES = {
    "overview": "app_pages/overview.py",
    "regions": "app_pages/regions.py",
    "weapons": "app_pages/weapons.py",
    "records": "app_pages/records.py",
}
FIRST, LAST = 2019, 2024  # the demo store's years
NO_MATCH = {"category": "explosive", "weapon": "pistol"}  # no line is both

# One change per sidebar filter: the widget key, the value set, and the same selection for the oracle.
FILTER_CHANGES = {
    "period": ("f_years", (2021, 2022), {"years": (2021, 2022)}),
    "regions": ("f_regions", ["PZ", "GJ"], {"regions": ("PZ", "GJ")}),
    "category": ("f_categories", ["firearm", "ammunition"], {"categories": ("firearm", "ammunition")}),
    "weapon": ("f_weapons", ["converted_firearm", "blank_firing_weapon"],
               {"weapons": ("converted_firearm", "blank_firing_weapon")}),
    "context": ("f_contexts", ["border_crossing"], {"contexts": ("border_crossing",)}),
}


def open_page(monkeypatch, url: str, page: str, params: dict | None = None) -> AppTest:
    monkeypatch.setenv("SEIZURES_DB_URL", url)
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    if page != "overview":
        at.switch_page(PAGES[page]).run()
    assert not at.exception, at.exception
    return at


def change_filter(at: AppTest, key: str, value) -> AppTest:
    widget = at.slider(key=key) if key == "f_years" else at.multiselect(key=key)
    widget.set_value(value).run()
    assert not at.exception, at.exception
    return at


def open_filtered(monkeypatch, url: str, page: str, change: str, oracle):
    """A page opened without filter, then one sidebar filter changed: (app, the selection, the lines it selects)."""
    at = open_page(monkeypatch, url, page)
    key, value, selection = FILTER_CHANGES[change]
    change_filter(at, key, value)
    return at, selection, oracle.select(**selection)


def number(text: str) -> float:
    """A displayed number ("1,420", "59.4", "+28 (+2.0 %) vs 2023") as a float: its first number."""
    return float(re.search(r"[-+]?[\d,]+(\.\d+)?", text).group().replace(",", ""))


def figure(at: AppTest, name: str):
    """The Plotly figure drawn by ui.chart(..., name)."""
    for element in at.get("plotly_chart"):
        if element.proto.id.endswith(f"chart_{name}"):
            return pio.from_json(element.proto.spec)
    raise AssertionError(f"no chart {name!r}; charts: {[e.proto.id for e in at.get('plotly_chart')]}")


def table(at: AppTest, column: str) -> pd.DataFrame:
    """The table (st.dataframe) that has this column."""
    for frame in at.dataframe:
        if column in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with a column {column!r}")


# --- every page, on the demo store and on an empty store -------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_on_the_demo_store(monkeypatch, demo_url, fresh_caches, page):
    at = open_page(monkeypatch, demo_url, page)
    assert not at.warning
    assert any("illustrative" in c.value for c in at.caption), "the provenance note is missing"
    assert at.multiselect(key="f_regions").label == "Regional directorates"
    if page != "records":
        assert len(at.get("plotly_chart")) >= 3


@pytest.mark.parametrize("page", PAGES)
def test_page_on_an_empty_store_explains_itself(monkeypatch, empty_url, fresh_caches, page):
    at = open_page(monkeypatch, empty_url, page)
    assert not at.get("plotly_chart") and not at.metric
    assert any("No seizure records are stored yet" in i.value for i in at.info)


@pytest.mark.parametrize("page", ["overview", "regions", "weapons"])
def test_a_filter_without_matches_shows_empty_states_not_empty_axes(monkeypatch, demo_url, fresh_caches, page):
    at = open_page(monkeypatch, demo_url, page, NO_MATCH)
    assert not at.get("plotly_chart") or page == "overview"  # the overview still draws the published line
    assert any("No seizure records match" in i.value for i in at.info)


def test_records_page_with_no_matches(monkeypatch, demo_url, fresh_caches):
    at = open_page(monkeypatch, demo_url, "records", NO_MATCH)
    assert not at.dataframe and not at.get("download_button")
    assert any("No seizure records match" in i.value for i in at.info)


# --- each filter changes the numbers as the store says ---------------------------------------------------------


def overview_metrics(at: AppTest) -> dict[str, tuple[float, str]]:
    return {m.label: (number(m.value), m.proto.delta) for m in at.metric}


def expected_overview(oracle, selection: dict) -> dict[str, tuple[float, float]]:
    first, last = selection.get("years", (FIRST, LAST))
    rows = oracle.select(**{**selection, "years": (last - 1, last)})
    this, before = rows[rows["year"] == last], rows[rows["year"] == last - 1]
    labels = {"firearms": "Firearms (pieces)", "ammunition": "Ammunition (rounds)", "explosives": "Explosives (kg)",
              "events": "Seizure events (number)"}
    return {label: (oracle.measure(this, key), oracle.measure(this, key) - oracle.measure(before, key))
            for key, label in labels.items()}


@pytest.mark.parametrize("change", FILTER_CHANGES)
def test_overview_metrics_follow_each_filter(monkeypatch, demo_url, fresh_caches, oracle, change):
    at = open_page(monkeypatch, demo_url, "overview")
    unfiltered = overview_metrics(at)
    key, value, selection = FILTER_CHANGES[change]
    change_filter(at, key, value)
    shown = overview_metrics(at)
    expected = expected_overview(oracle, selection)
    assert shown.keys() == expected.keys()
    for label, (value_expected, change_expected) in expected.items():
        value_shown, delta_shown = shown[label]
        assert value_shown == pytest.approx(value_expected, abs=0.05), label
        assert number(delta_shown) == pytest.approx(change_expected, abs=0.05), label
    assert shown != unfiltered
    year = selection.get("years", (FIRST, LAST))[1]
    assert at.subheader[0].value == f"Headline figures, {year}"


@pytest.mark.parametrize("change", FILTER_CHANGES)
def test_regions_page_follows_each_filter(monkeypatch, demo_url, fresh_caches, oracle, change):
    at, selection, rows = open_filtered(monkeypatch, demo_url, "regions", change, oracle)
    first, last = selection.get("years", (FIRST, LAST))
    firearms = rows[rows["category"] == "firearm"]
    national = oracle.select(**{**selection, "regions": ()})
    national_firearms = national.loc[national["category"] == "firearm", "quantity"].sum()
    by_region = firearms.groupby("region_code")["quantity"].sum()
    names = dict(zip(["FE", "GJ", "GL", "MN", "MS", "PE", "PR", "PZ"],
                     ["Ferizaj", "Gjakova", "Gjilan", "Mitrovica North", "Mitrovica South", "Peja", "Prishtina", "Prizren"]))

    rates = table(at, "Directorate").set_index("Directorate")
    shown_regions = selection.get("regions") or tuple(names)
    assert sorted(rates.index) == sorted(names[c] for c in shown_regions)
    value_column = [c for c in rates.columns if c.startswith("Firearms (pieces)")][0]
    for code in shown_regions:
        assert number(rates.loc[names[code], value_column]) == by_region.get(code, 0)
    rate_column = "Firearms per 100,000 inhabitants per year"
    if "PZ" in shown_regions:
        expected_rate = by_region["PZ"] / (last - first + 1) / 277_007 * 100_000
        assert number(rates.loc["Prizren", rate_column]) == pytest.approx(expected_rate, abs=0.05)
    assert all(rates.loc[names[c], rate_column] == "no population figure" for c in shown_regions if c != "PZ")

    shares = figure(at, "region_shares").data[0]
    for name, share in zip(shares.y, shares.x):
        code = {v: k for k, v in names.items()}[name]
        assert share == pytest.approx(by_region.get(code, 0) / national_firearms * 100)

    heat = figure(at, "region_year_heatmap").data[0]
    assert list(heat.x) == sorted(firearms["year"].unique())
    assert sum(map(sum, heat.z)) == firearms["quantity"].sum()


def test_regions_shares_download_holds_the_populations_and_no_suppression_legend(monkeypatch, demo_url, fresh_caches,
                                                                                 downloads):
    # The population note is stored beside the population: it must not be read as a suppression note ("_note").
    at = open_page(monkeypatch, demo_url, "regions")
    shares = pd.read_csv(io.BytesIO(downloads["region_shares.csv"])).set_index("region_code")
    assert shares.loc["PZ", "population"] == 277_007
    assert shares["population"].drop("PZ").isna().all()
    assert "boycott" in shares.loc["MN", "population_remark"]
    assert not any("fewer than" in c.value for c in at.caption)  # no "<5" legend outside the public mode


def test_regions_measure_choice_changes_every_figure(monkeypatch, demo_url, fresh_caches, oracle):
    at = open_page(monkeypatch, demo_url, "regions", {"region": "PZ,MN"})
    at.radio(key="regions_measure").set_value("events").run()
    rows = oracle.select(regions=("PZ", "MN"))
    trends = {t.name: dict(zip(t.x, t.y)) for t in figure(at, "region_trends").data}
    for code, name in (("PZ", "Prizren"), ("MN", "Mitrovica North")):
        for year, group in rows[rows["region_code"] == code].groupby("year"):
            assert trends[name][year] == oracle.measure(group, "events")
    assert figure(at, "region_trends").layout.yaxis.title.text == "Seizure events (number)"


def test_regions_page_marks_directorates_without_population(monkeypatch, demo_url, fresh_caches):
    at = open_page(monkeypatch, demo_url, "regions", {"region": "PZ,MN"})
    rates = table(at, "Directorate").set_index("Directorate")
    assert rates.loc["Mitrovica North", "Population"] == "no population figure"
    assert rates.loc["Prizren", "Population"] == "277,007"
    notes = " ".join(i.value for i in at.info)
    assert "Mitrovica North" in notes and "boycott" in notes
    assert "Prizren" not in notes


@pytest.mark.parametrize("change", FILTER_CHANGES)
def test_weapons_page_follows_each_filter(monkeypatch, demo_url, fresh_caches, oracle, change):
    at, selection, rows = open_filtered(monkeypatch, demo_url, "weapons", change, oracle)

    categories = table(at, "Seizure lines")
    expected = rows.groupby(["category", "unit"]).agg(quantity=("quantity", "sum"), lines=("id", "count"))
    assert len(categories) == len(expected)
    labels = {"Firearms": "firearm", "Ammunition": "ammunition", "Explosives": "explosive",
              "Parts and components": "component"}
    for row in categories.itertuples():
        assert row.Quantity == pytest.approx(expected.loc[(labels[row.Category], row.Unit), "quantity"], abs=0.01)
        assert row[4] == expected.loc[(labels[row.Category], row.Unit), "lines"]

    firearms = rows[rows["category"] == "firearm"]
    by_type = figure(at, "by_weapon_type").data[0]
    assert sum(by_type.x) == firearms["quantity"].sum()
    by_context = figure(at, "by_context").data[0]
    assert sum(by_context.x) == firearms["quantity"].sum()
    months = figure(at, "by_month").data[0]
    assert list(months.y) == [firearms.loc[firearms["month"] == m, "quantity"].sum() for m in range(1, 13)]


def test_weapon_trends_show_converted_and_blank_firing_weapons(monkeypatch, demo_url, fresh_caches, oracle):
    at = open_page(monkeypatch, demo_url, "weapons")
    series = {t.name: dict(zip(t.x, t.y)) for t in figure(at, "weapon_type_trends").data}
    rows = oracle.select(categories=("firearm",))
    for code, name in (("converted_firearm", "Converted firearm"), ("blank_firing_weapon", "Blank-firing weapon")):
        expected = rows[rows["weapon_type"] == code].groupby("year")["quantity"].sum()
        assert series[name] == expected.to_dict()


@pytest.mark.parametrize("change", FILTER_CHANGES)
def test_records_page_follows_each_filter(monkeypatch, demo_url, fresh_caches, oracle, change):
    at, selection, rows = open_filtered(monkeypatch, demo_url, "records", change, oracle)
    metrics = {m.label: number(m.value) for m in at.metric}
    assert metrics == {"Matching lines": len(rows), "Illustrative lines": rows["illustrative"].sum()}
    shown = table(at, "Case reference")
    first_page = rows.sort_values(["seized_on", "id"]).head(50)
    assert shown["Case reference"].tolist() == first_page["case_ref"].tolist()
    assert shown["Illustrative"].all()


# --- Records: pagination in the database, downloads of exactly the filtered lines -------------------------------


def test_records_pagination_returns_the_right_slice(monkeypatch, demo_url, fresh_caches, oracle):
    at = open_page(monkeypatch, demo_url, "records", {"region": "GL", "category": "ammunition"})
    at.selectbox(key="records_sort").set_value("quantity")
    at.radio(key="records_order").set_value("Descending")
    at.selectbox(key="records_page_size").set_value(25).run()
    at.number_input(key="records_page").set_value(3).run()
    assert not at.exception
    rows = oracle.select(regions=("GL",), categories=("ammunition",))
    expected = rows.sort_values(["quantity", "id"], ascending=False).iloc[50:75]
    shown = table(at, "Case reference")
    assert shown["Case reference"].tolist() == expected["case_ref"].tolist()
    assert shown["Quantity"].tolist() == expected["quantity"].tolist()
    assert any(c.value.startswith("Lines 51–75 of") for c in at.caption)
    # A new filter starts again at page 1.
    change_filter(at, "f_years", (2023, 2024))
    assert at.number_input(key="records_page").value == 1


def test_records_downloads_hold_exactly_the_filtered_lines(monkeypatch, demo_url, fresh_caches, oracle):
    generators = {}
    original = MediaFileManager.add_deferred

    def keep(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        generators[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", keep)
    at = open_page(monkeypatch, demo_url, "records", {"region": "PE,FE", "from": "2022", "weapon": "pistol"})
    at.number_input(key="records_page").set_value(2).run()  # the downloads hold every page, not this one
    rows = oracle.select(regions=("PE", "FE"), years=(2022, 2024), weapons=("pistol",))
    labels = [b.proto.label for b in at.get("download_button")]
    assert f"Download all {len(rows):,} rows (CSV)" in labels

    csv = pd.read_csv(io.BytesIO(generators["seizure_records.csv"]()))
    assert len(csv) == len(rows) > 50
    assert sorted(csv["case_ref"]) == sorted(rows["case_ref"])
    assert csv["illustrative"].all()

    book = openpyxl.load_workbook(io.BytesIO(generators["seizure_records.xlsx"]()))
    case_refs = [r[8] for r in list(book["records"].values)[1:]]
    assert sorted(case_refs) == sorted(rows["case_ref"])


# --- the filter in the URL --------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_url_parameters_restore_the_filter_on_every_page(monkeypatch, demo_url, fresh_caches, oracle, page):
    params = {"region": "PZ,GJ", "category": "firearm", "from": "2021", "to": "2022", "context": "house_search"}
    at = open_page(monkeypatch, demo_url, page, params)
    assert at.multiselect(key="f_regions").value == ["PZ", "GJ"]
    assert at.multiselect(key="f_categories").value == ["firearm"]
    assert at.multiselect(key="f_contexts").value == ["house_search"]
    assert at.slider(key="f_years").value == (2021, 2022)
    assert {k: at.query_params[k] for k in params} == params  # still in the URL after the page switch
    rows = oracle.select(regions=("PZ", "GJ"), categories=("firearm",), years=(2021, 2022), contexts=("house_search",))
    if page == "records":
        assert number(at.metric[0].value) == len(rows)
    elif page == "overview":
        assert number(at.metric[0].value) == rows.loc[rows["year"] == 2022, "quantity"].sum()
    elif page == "regions":
        assert sum(map(sum, figure(at, "region_year_heatmap").data[0].z)) == rows["quantity"].sum()
    else:
        assert sum(figure(at, "by_weapon_type").data[0].x) == rows["quantity"].sum()


def test_the_url_follows_the_filter_across_pages(monkeypatch, demo_url, fresh_caches):
    at = open_page(monkeypatch, demo_url, "overview")
    change_filter(at, "f_regions", ["MN"])
    change_filter(at, "f_weapons", ["converted_firearm"])
    assert at.query_params["region"] == "MN" and at.query_params["weapon"] == "converted_firearm"
    for page in ("regions", "records", "weapons"):
        at.switch_page(PAGES[page]).run()
        assert at.multiselect(key="f_regions").value == ["MN"]
        assert at.query_params["weapon"] == "converted_firearm"
    change_filter(at, "f_regions", [])
    assert "region" not in at.query_params  # defaults stay out of the URL


@pytest.mark.parametrize("page", PAGES)
def test_invalid_url_values_warn_and_fall_back_on_every_page(monkeypatch, demo_url, fresh_caches, oracle, page):
    # One bad value of each kind (the parser's cases are unit-tested in test_queries.py).
    params = {"region": "Atlantis", "from": "1800", "to": "soon", "context": "<script>"}
    at = open_page(monkeypatch, demo_url, page, params)
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 4 and all("Showing the default instead" in w for w in warnings)
    for fragment in ("'Atlantis'", "from=1800", "'soon'", "'<script>'"):
        assert any(fragment in w for w in warnings), fragment
    assert at.multiselect(key="f_regions").value == [] and at.multiselect(key="f_contexts").value == []
    assert at.slider(key="f_years").value == (FIRST, LAST)
    assert not at.query_params  # the URL is put back to the defaults
    if page == "records":  # and the numbers are the unfiltered ones
        assert number(at.metric[0].value) == len(oracle.rows)


def test_the_warning_goes_once_the_filter_is_changed(monkeypatch, demo_url, fresh_caches):
    at = open_page(monkeypatch, demo_url, "overview", {"region": "PZ,Atlantis"})
    assert "Atlantis" in at.warning[0].value
    assert at.multiselect(key="f_regions").value == ["PZ"]  # the valid part of the link is kept
    at.switch_page(PAGES["regions"]).run()
    assert at.warning, "the warning is about the link: it stays while its filter is shown"
    change_filter(at, "f_regions", ["PZ", "GJ"])
    assert not at.warning


def test_a_link_spelling_out_the_whole_period_keeps_its_warning(monkeypatch, demo_url, fresh_caches):
    # from=2019 is the data's first year: the same filter as no "from"; the bad region must still be reported.
    at = open_page(monkeypatch, demo_url, "overview", {"from": str(FIRST), "region": "Atlantis"})
    assert len(at.warning) == 1 and "Atlantis" in at.warning[0].value
    assert not at.query_params  # the default period and no region: nothing left to say in the URL
