"""Issue 13 on the pages, through AppTest: a click on a chart (or a table row) sets the shared filter, the URL and
every number that depends on it, and can be undone; what changed, the comparisons and the year to date against
sums computed independently; surge flags and events only where they belong; the public mode's protection.

A chart selection is sent as the browser sends it: the chart's widget state, a JSON of the selected points (their
curve, index, x, y and customdata, read from the drawn figure), on the next run (`select`).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pandas as pd
import plotly.io as pio
import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest

import made_up_store
from seizures import changes, i18n
from seizures.dashboard import sidebar
from test_changes import SENTENCES
from test_pages import APP, FIRST, LAST, PAGES, expected_overview, figure, number, open_page, overview_metrics

NAMES = dict(zip(["FE", "GJ", "GL", "MN", "MS", "PE", "PR", "PZ"],
                 ["Ferizaj", "Gjakova", "Gjilan", "Mitrovica North", "Mitrovica South", "Peja", "Prishtina", "Prizren"]))


# --- driving a selection --------------------------------------------------------------------------------------


def chart_element(at: AppTest, name: str):
    for element in at.get("plotly_chart"):
        if element.proto.id.endswith(f"chart_{name}"):
            return element
    raise AssertionError(f"no chart {name!r}")


def points(fig, trace: str | None = None, x=None, y=None) -> list[dict]:
    """The selection points of a drawn figure that a click on them gives: a trace (by name) and x (or y)."""
    found = []
    for curve, data in enumerate(fig.data):
        if trace is not None and data.name != trace:
            continue
        xs, ys = list(data.x), list(data.y)
        for index, (px, py) in enumerate(zip(xs, ys)):
            if (x is None or px == x) and (y is None or py == y):
                custom = data.customdata[index] if data.customdata is not None else None
                found.append({"curve_number": curve, "point_number": index, "point_index": index, "x": px, "y": py,
                              "customdata": list(custom) if isinstance(custom, (list, tuple)) else custom})
    assert found, f"no point {trace!r} x={x!r} y={y!r}"
    return found


def send(at: AppTest, element_id: str, value: dict) -> AppTest:
    """Run the app with one more widget state, as the browser sends it after an interaction."""
    states = at._tree.get_widget_states()
    states.widgets.append(WidgetState(id=element_id, string_value=json.dumps(value)))
    at._run(states)
    assert not at.exception, at.exception
    return at


def select(at: AppTest, name: str, chosen: list[dict]) -> AppTest:
    """Select points of a chart (its points as `points` gives them) and run the app."""
    element = chart_element(at, name)
    assert list(element.proto.selection_mode), f"chart {name} is not selectable"
    return send(at, element.proto.id, {"selection": {"points": chosen, "point_indices": [p["point_index"] for p in chosen],
                                                      "box": [], "lasso": []}})


def select_row(at: AppTest, key: str, row: int) -> AppTest:
    table = next(t for t in at.dataframe if t.proto.id.endswith(key))
    return send(at, table.proto.id, {"selection": {"rows": [row], "columns": [], "cells": []}})


def open_tab(at: AppTest, key: str, title: str) -> AppTest:
    """Open a tab of a "What changed" section (its tabs make only the open one's chart)."""
    at.session_state[f"{key}_breakdown"] = title
    at.run()
    assert not at.exception, at.exception
    return at


def clear_button(at: AppTest):
    found = [b for b in at.button if b.key == "clear_selection"]
    return found[0] if found else None


def plain(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown.replace("**", ""))


def sentence(at: AppTest) -> str:
    """The page's "What changed" sentence (the first bold paragraph)."""
    return next(plain(m.value) for m in at.markdown if m.value.startswith("**") and "(" in m.value)


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    for frame in at.dataframe:
        if column in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with a column {column!r}")


# --- click to filter ------------------------------------------------------------------------------------------


def test_a_click_on_a_directorates_bar_sets_the_filter_the_url_and_every_number(monkeypatch, demo_url, fresh_caches,
                                                                                 oracle):
    at = open_page(monkeypatch, demo_url, "overview")
    unfiltered = overview_metrics(at)
    assert clear_button(at) is None
    select(at, "by_directorate", points(figure(at, "by_directorate"), trace="Peja", x=2022))

    # The sidebar's widgets and the URL, exactly as if the sidebar had been used.
    assert at.multiselect(key="f_regions").value == ["PE"]
    assert at.slider(key="f_years").value == (2022, 2022)
    assert {k: at.query_params[k] for k in ("region", "from", "to")} == {"region": "PE", "from": "2022", "to": "2022"}
    assert "Peja" in " ".join(i.value for i in at.sidebar.info)
    # Every number that depends on the filter: the headline, the trend's bars, the split, what changed.
    selection = {"regions": ("PE",), "years": (2022, 2022)}
    shown, expected = overview_metrics(at), expected_overview(oracle, selection)
    assert shown != unfiltered
    for label, (value, change) in expected.items():
        assert shown[label][0] == pytest.approx(value, abs=0.05) and number(shown[label][1]) == pytest.approx(change, abs=0.05)
    peja = oracle.select(regions=("PE",))
    firearms = peja[peja["category"] == "firearm"].groupby("year")["quantity"].sum()
    bars = next(t for t in figure(at, "trend_firearm_pieces").data if t.type == "bar")
    assert dict(zip(bars.x, bars.y)) == {2022: firearms[2022]}
    assert [t.name for t in figure(at, "by_directorate").data] == ["Peja"]
    change = table_with(at, "Rank")
    assert change["Name"].tolist() == ["Peja"]
    assert (change["2021"].iloc[0], change["2022"].iloc[0]) == (firearms[2021], firearms[2022])
    assert sentence(at).startswith(f"Firearms (pieces): {firearms[2022]:,.0f} in 2022")

    # Undo: the filter, the URL and the numbers as they were.
    at.button(key="clear_selection").click().run()
    assert at.multiselect(key="f_regions").value == [] and at.slider(key="f_years").value == (FIRST, LAST)
    assert not at.query_params
    assert overview_metrics(at) == unfiltered
    assert clear_button(at) is None


def test_a_year_bar_of_the_trend_selects_its_year_and_keeps_the_rest(monkeypatch, demo_url, fresh_caches, oracle):
    at = open_page(monkeypatch, demo_url, "overview", {"region": "PZ,GJ"})
    select(at, "trend_firearm_pieces", points(figure(at, "trend_firearm_pieces"), trace="Record-level sum (illustrative)",
                                              x=2021))
    assert at.slider(key="f_years").value == (2021, 2021)
    assert at.multiselect(key="f_regions").value == ["PZ", "GJ"]
    assert at.query_params["to"] == "2021" and at.query_params["region"] == "PZ,GJ"
    expected = expected_overview(oracle, {"regions": ("PZ", "GJ"), "years": (2021, 2021)})
    assert overview_metrics(at)["Firearms (pieces)"][0] == expected["Firearms (pieces)"][0]
    assert at.header[0].value == "Headline figures, 2021"


def test_a_bar_of_what_changed_selects_its_weapon_type_from_inside_its_fragment(monkeypatch, demo_url, fresh_caches,
                                                                                oracle):
    at = open_page(monkeypatch, demo_url, "overview")
    assert not [e for e in at.get("plotly_chart") if e.proto.id.endswith("overview_change_weapon_type")]
    open_tab(at, "overview", "By weapon type")
    fig = figure(at, "overview_change_weapon_type")
    select(at, "overview_change_weapon_type", points(fig, y="Rifle"))
    assert at.multiselect(key="f_weapons").value == ["rifle"]
    assert at.query_params["weapon"] == "rifle"
    rows = oracle.select(weapons=("rifle",))
    firearms = rows[rows["category"] == "firearm"].groupby("year")["quantity"].sum()
    assert overview_metrics(at)["Firearms (pieces)"][0] == firearms[LAST]
    assert table_with(at, "Rank")["Name"].tolist() == ["Rifle"]  # the open tab's table, now of rifles only
    assert list(figure(at, "overview_change_weapon_type").data[0].y) == ["Rifle"]


def test_two_clicks_are_undone_one_at_a_time_and_a_hand_change_ends_the_undo(monkeypatch, demo_url, fresh_caches):
    at = open_page(monkeypatch, demo_url, "overview")
    select(at, "by_directorate", points(figure(at, "by_directorate"), trace="Prizren", x=2023))
    open_tab(at, "overview", "By seizure context")
    select(at, "overview_change_context", points(figure(at, "overview_change_context"), y="House search"))
    assert at.multiselect(key="f_contexts").value == ["house_search"]
    at.button(key="clear_selection").click().run()
    assert at.multiselect(key="f_contexts").value == [] and at.multiselect(key="f_regions").value == ["PZ"]
    assert clear_button(at) is not None  # the first click can still be undone
    at.multiselect(key="f_categories").set_value(["firearm"]).run()  # a change by hand
    assert clear_button(at) is None
    assert at.multiselect(key="f_regions").value == ["PZ"]


def test_weapons_page_bars_select_a_weapon_type_or_a_context(monkeypatch, demo_url, fresh_caches):
    at = open_page(monkeypatch, demo_url, "weapons")
    select(at, "by_context", points(figure(at, "by_context"), y="Border crossing"))
    assert at.multiselect(key="f_contexts").value == ["border_crossing"]
    select(at, "weapon_type_trends", points(figure(at, "weapon_type_trends"), trace="Converted firearm", x=2020))
    assert at.multiselect(key="f_weapons").value == ["converted_firearm"]
    assert at.slider(key="f_years").value == (2020, 2020)
    assert at.query_params["weapon"] == "converted_firearm" and at.query_params["context"] == "border_crossing"


def test_what_selects_nothing_changes_nothing(monkeypatch, demo_url, fresh_caches):
    # "Other types" is no single weapon type; "not recorded" and the whole jurisdiction are no filter value.
    fields = {"weapon": 0, "year": "x"}
    assert sidebar.picked_values([{"x": 2021, "customdata": ["", "3", "–", "–"]}], fields) == {"year": [2021]}
    assert sidebar.picked_values([{"x": None, "customdata": [""]}], {"region": 0}) == {}
    assert sidebar.picked_values([{"customdata": ["PR"]}, {"customdata": ["PZ"]}, {"customdata": ["PR"]}],
                                 {"region": 0}) == {"region": ["PR", "PZ"]}
    at = open_page(monkeypatch, demo_url, "weapons")
    select(at, "weapon_type_trends", points(figure(at, "weapon_type_trends"), trace="Other types", x=2021))
    assert at.multiselect(key="f_weapons").value == []
    assert at.slider(key="f_years").value == (2021, 2021)  # the year is still a value


def test_a_row_of_the_heatmaps_table_selects_its_directorate(monkeypatch, demo_url, fresh_caches, oracle):
    at = open_page(monkeypatch, demo_url, "regions")
    table = next(t for t in at.dataframe if t.proto.id.endswith("region_year_rows")).value
    assert table.shape[0] == 8
    row = table["Directorate"].tolist().index("Gjilan")
    select_row(at, "region_year_rows", row)
    assert at.multiselect(key="f_regions").value == ["GL"]
    assert at.query_params["region"] == "GL"
    heat = figure(at, "region_year_heatmap").data[0]
    rows = oracle.select(regions=("GL",), categories=("firearm",))
    assert list(heat.y) == ["Gjilan"] and sum(map(sum, heat.z)) == rows["quantity"].sum()


# --- what changed, compared, year to date ----------------------------------------------------------------------


@pytest.mark.parametrize("lang", list(SENTENCES))
def test_the_managers_question_read_from_the_overview_in_each_language(monkeypatch, demo_url, fresh_caches, lang):
    at = open_page(monkeypatch, demo_url, "overview", {"lang": lang})
    at.radio(key="overview_periods").set_value("custom").run()
    at.select_slider(key="overview_base").set_value((2021, 2021))
    at.select_slider(key="overview_current").set_value((2022, 2022)).run()
    assert not at.exception
    assert sentence(at) == SENTENCES[lang]


def test_two_periods_of_unequal_length_are_refused_with_a_message(monkeypatch, demo_url, fresh_caches):
    at = open_page(monkeypatch, demo_url, "overview")
    at.radio(key="overview_periods").set_value("custom").run()
    at.select_slider(key="overview_base").set_value((2019, 2020))
    at.select_slider(key="overview_current").set_value((2023, 2023)).run()
    assert any("same number of years" in w.value for w in at.warning)
    assert not [e for e in at.get("plotly_chart") if "change" in e.proto.id]


def test_compare_two_directorates_and_the_national_average_against_the_oracle(monkeypatch, demo_url, fresh_caches,
                                                                            oracle):
    at = open_page(monkeypatch, demo_url, "regions")
    at.selectbox(key="compare_first").set_value("PZ")
    at.selectbox(key="compare_second").set_value(changes.NATIONAL)
    at.select_slider(key="compare_base").set_value((2019, 2020))
    at.select_slider(key="compare_current").set_value((2021, 2022)).run()
    assert not at.exception
    shown = table_with(at, "2019–2020").set_index("")
    firearms = oracle.rows[oracle.rows["category"] == "firearm"]

    def total(years, region=None):
        rows = firearms[firearms["year"].between(*years)]
        return rows.loc[rows["region_code"] == region, "quantity"].sum() if region else rows["quantity"].sum()

    assert number(shown.loc["Prizren", "2019–2020"]) == total((2019, 2020), "PZ")
    assert number(shown.loc["Prizren", "2021–2022"]) == total((2021, 2022), "PZ")
    national = "National average (per directorate)"
    assert number(shown.loc[national, "2019–2020"]) == pytest.approx(total((2019, 2020)) / 8, abs=0.051)
    assert number(shown.loc[national, "2021–2022"]) == pytest.approx(total((2021, 2022)) / 8, abs=0.051)
    rate = shown.loc["Prizren", "2021–2022, per 100,000 inhabitants per year"]
    assert number(rate) == pytest.approx(total((2021, 2022), "PZ") / 2 / 277_007 * 100_000, abs=0.05)
    assert shown.loc[national, "2021–2022, per 100,000 inhabitants per year"] == "no population figure"

    # The same months of two years: January to June of 2022 against 2021.
    at.select_slider(key="compare_through").set_value(6).run()
    months = table_with(at, "Jan–Jun 2022").set_index("")
    half = firearms[firearms["month"] <= 6]
    for year in (2021, 2022):
        expected = half.loc[(half["year"] == year) & (half["region_code"] == "PZ"), "quantity"].sum()
        assert number(months.loc["Prizren", f"Jan–Jun {year}"]) == expected
        assert number(months.loc[national, f"Jan–Jun {year}"]) == pytest.approx(
            half.loc[half["year"] == year, "quantity"].sum() / 8, abs=0.051)


# --- a made-up jurisdiction of counts by period ---------------------------------------------------------------


@pytest.fixture(scope="module")
def illustria(tmp_path_factory) -> str:
    return made_up_store.build(tmp_path_factory.mktemp("illustria"))


def test_counts_by_period_flags_the_planted_surge_and_links_to_its_view(monkeypatch, illustria, fresh_caches):
    at = open_page(monkeypatch, illustria, "overview")
    assert at.title[0].value == "Firearms seizures in Illustria"
    flags = table_with(at, "Flag")
    region, weapon, year, month, count = made_up_store.SURGE
    assert flags["Month"].tolist() == ["May 2022", "May 2022"]
    assert flags["Directorate"].tolist() == ["North", "North"] and flags["Weapon type"].tolist() == ["all", "Handgun"]
    assert flags["Flag"].tolist() == ["Surge", "Surge"]
    assert flags["Counted"].tolist() == [made_up_store.total("N1", None, 2022, (5, 5)), count]
    assert flags["View"].tolist() == ["regions?from=2022&to=2022&region=N1",
                                      "regions?from=2022&to=2022&region=N1&weapon=pistol"]
    # The link's view shows the flag on the monthly chart.
    at = open_page(monkeypatch, illustria, "regions", {"from": "2022", "to": "2022", "region": "N1", "weapon": "pistol"})
    monthly = figure(at, "region_months")
    markers = [t for t in monthly.data if t.name == "Surge"]
    assert len(markers) == 1 and list(markers[0].x) == ["2022-05-01"] and list(markers[0].y) == [count]
    assert "Handgun" in markers[0].customdata[0][2]


def test_a_partial_last_year_is_said_and_compared_on_the_same_months(monkeypatch, illustria, fresh_caches):
    at = open_page(monkeypatch, illustria, "overview")
    warning = next(w.value for w in at.warning if "stop in" in w.value)
    assert warning.startswith("The records of 2023 stop in June: its total is of part of a year.")
    current, base = made_up_store.total(year=2023, months=(1, 6)), made_up_store.total(year=2022, months=(1, 6))
    assert f"(year to date): {current:,.0f}," in warning and f"same months of 2022 ({base:,.0f})" in warning
    quarters = sum(v for _r, _d, v in made_up_store.QUARTERS)
    assert f"Not included: {quarters:,.0f} from counts of a quarter or a year" in warning


def test_compare_per_100000_against_the_national_average_where_every_population_is_known(monkeypatch, illustria,
                                                                                         fresh_caches):
    at = open_page(monkeypatch, illustria, "regions")
    at.selectbox(key="compare_first").set_value("S1")
    at.selectbox(key="compare_second").set_value(changes.NATIONAL).run()
    shown = table_with(at, "2022, per 100,000 inhabitants per year").set_index("")
    national = "National average (per directorate)"
    expected = made_up_store.total(year=2022, with_quarters=True) / 175_000 * 100_000
    assert number(shown.loc[national, "2022, per 100,000 inhabitants per year"]) == pytest.approx(expected, abs=0.05)
    south = made_up_store.total("S1", year=2022, with_quarters=True) / 50_000 * 100_000
    assert number(shown.loc["South", "2022, per 100,000 inhabitants per year"]) == pytest.approx(south, abs=0.05)


# --- events on the timeline ------------------------------------------------------------------------------------


def event_labels(fig) -> list[str]:
    return [a.text for a in fig.layout.annotations if a.name == "event"]


@pytest.mark.parametrize("params,present,absent", [
    ({"from": "2023"}, ["2024 population census", "Roadmap 2030 endorsed"], ["CPIAT", "London"]),
    ({"to": "2021"}, ["CPIAT project"], ["census", "Roadmap 2030"]),
])
def test_events_are_drawn_only_within_the_filters_period(monkeypatch, demo_url, fresh_caches, params, present, absent):
    at = open_page(monkeypatch, demo_url, "overview", params)
    for name in ("trend_firearm_pieces", "by_directorate"):
        labels = " ".join(event_labels(figure(at, name)))
        assert all(p in labels for p in present), (name, labels)
        assert not any(a in labels for a in absent), (name, labels)


@pytest.mark.parametrize("params,shown", [
    ({}, {"Illustrian amnesty campaign", "Operation Northwind"}),
    ({"region": "N1"}, {"Illustrian amnesty campaign", "Operation Northwind"}),
    ({"region": "S1"}, {"Illustrian amnesty campaign"}),  # a directorate's event only where it is selected
    ({"from": "2022"}, {"Operation Northwind"}),
])
def test_a_directorates_event_is_drawn_only_with_that_directorate(monkeypatch, illustria, fresh_caches, params, shown):
    at = open_page(monkeypatch, illustria, "regions", params)
    for name in ("region_trends", "region_months"):
        labels = {label.removeprefix("▸ ") for label in event_labels(figure(at, name))}
        # A label that fits on neither side of its mark is cut ("Illustrian amnesty camp…"): each names one title.
        named = {next((t for t in shown if t.startswith(label.removesuffix("…"))), label) for label in labels}
        assert named == shown and len(labels) == len(shown), (name, labels)


def test_events_are_added_edited_and_removed_on_the_data_page(monkeypatch, demo_copy_url, fresh_caches):
    at = open_page(monkeypatch, demo_copy_url, "overview")
    at.switch_page("app_pages/data.py").run()
    at.date_input(key="event_add_starts_on").set_value(dt.date(2023, 5, 2))
    at.date_input(key="event_add_ends_on").set_value(dt.date(2023, 5, 20))
    at.selectbox(key="event_add_region").set_value("PZ")
    at.selectbox(key="event_add_kind").set_value("operation")
    at.text_input(key="event_add_title_en").set_value("Operation Test")
    at.text_input(key="event_add_title_sq").set_value("Operacioni Test")
    at.text_input(key="event_add_source").set_value("Police press release")
    next(b for b in at.button if b.label == "Add the event").click().run()
    assert not at.exception
    assert any("added" in s.value for s in at.success)
    events = table_with(at, "Title (English)")
    event_id = int(events.loc[events["Title (English)"] == "Operation Test", "event"].iloc[0])

    at.switch_page(PAGES["overview"]).run()
    assert "▸ Operation Test" in event_labels(figure(at, "trend_firearm_pieces"))
    at.switch_page(PAGES["overview"])
    at.query_params["lang"] = "sq"
    at.selectbox(key="f_lang").set_value("sq").run()
    assert "▸ Operacioni Test" in event_labels(figure(at, "trend_firearm_pieces"))
    at.selectbox(key="f_lang").set_value("en").run()
    at.multiselect(key="f_regions").set_value(["GJ"]).run()
    assert "▸ Operation Test" not in event_labels(figure(at, "trend_firearm_pieces"))  # Prizren's, not Gjakova's

    at.switch_page("app_pages/data.py").run()
    at.selectbox(key="event_chosen").set_value(event_id).run()
    at.text_input(key=f"event_edit_{event_id}_title_en").set_value("Operation Renamed")
    next(b for b in at.button if b.label == "Save the event").click().run()
    assert any(f"Event #{event_id} saved" in s.value for s in at.success)
    at.selectbox(key="event_chosen").set_value(event_id).run()
    at.checkbox(key="event_remove_confirm").check().run()
    at.button(key="event_remove").click().run()
    assert any(f"Event #{event_id} removed" in s.value for s in at.success)
    history = table_with(at, "what")
    mine = history[history["event"] == event_id]
    assert mine["what"].tolist() == ["removed", "edited", "added"]
    assert set(mine["by"]) == {"app (no login)"}
    assert "Operation Test" in mine["before"].iloc[1] and "Operation Renamed" in mine["after"].iloc[1]
    assert "Operation" not in " ".join(table_with(at, "Title (English)")["Title (English)"])


def test_an_events_file_is_imported_all_or_nothing_and_exported(monkeypatch, demo_copy_url, fresh_caches, downloads):
    at = open_page(monkeypatch, demo_copy_url, "overview")
    at.switch_page("app_pages/data.py").run()
    exported = pd.read_csv(io.BytesIO(downloads["events.csv"]), dtype=str, keep_default_na=False)
    assert len(exported) == 7 and list(exported.columns)[:3] == ["id", "starts_on", "ends_on"]
    bad = b"starts_on,kind,title_en,source\n2022-01-01,operation,Good,Press\n31.02.2022,operation,Bad,Press\n"
    at.file_uploader(key="events_upload").set_value(("events.csv", bad, "text/csv"))
    at.run()
    at.button(key="events_import").click().run()
    assert any("nothing imported" in e.value for e in at.error)
    assert table_with(at, "reason")["row"].tolist() == [3]
    assert len(table_with(at, "Title (English)")) == 7  # nothing written
    good = bad.replace(b"31.02.2022", b"28.02.2022")
    at.file_uploader(key="events_upload").set_value(("events.csv", good, "text/csv"))
    at.run()
    at.button(key="events_import").click().run()
    assert any("2 event(s) added" in s.value for s in at.success)
    assert len(table_with(at, "Title (English)")) == 9


# --- the public mode -------------------------------------------------------------------------------------------


@pytest.fixture()
def public(monkeypatch):
    monkeypatch.setenv("SEIZURES_PUBLIC", "1")


def test_the_public_view_has_no_click_to_filter_no_flags_and_no_year_to_date(monkeypatch, public, demo_url,
                                                                            fresh_caches):
    for page in ("overview", "regions", "weapons"):
        at = open_page(monkeypatch, demo_url, page)
        assert at.get("plotly_chart")
        assert all(not list(e.proto.selection_mode) for e in at.get("plotly_chart")), page
        assert not [e for e in at.get("plotly_chart") if e.proto.id.endswith(("region_months", "weapon_type_months"))]
        assert clear_button(at) is None
        assert not [t for t in at.dataframe if "Flag" in t.value.columns]
    at = open_page(monkeypatch, demo_url, "overview")
    assert any("Not in the public view: a flag states" in c.value for c in at.caption)
    at = open_page(monkeypatch, demo_url, "regions")
    assert any("Not in the public view: a part of a year" in c.value for c in at.caption)


def test_the_public_view_shows_no_change_that_gives_a_hidden_count_away(monkeypatch, public, demo_url, fresh_caches,
                                                                      oracle):
    at = open_page(monkeypatch, demo_url, "overview")
    at.radio(key="overview_measure").set_value("explosive:kg").run()
    at.radio(key="overview_periods").set_value("custom").run()
    at.select_slider(key="overview_base").set_value((2021, 2021))
    at.select_slider(key="overview_current").set_value((2022, 2022)).run()
    assert not at.exception
    table = next(t.value for t in at.dataframe if "Rank" in t.value.columns and "Peja" in t.value["Name"].tolist())
    explosives = oracle.rows[(oracle.rows["category"] == "explosive") & (oracle.rows["unit"] == "kg")]
    truth = explosives.groupby(["region_code", "year"])["quantity"].sum()
    code = {v: k for k, v in NAMES.items()}
    hidden = 0
    for row in table.itertuples():
        base, current, change = (getattr(row, "_3"), getattr(row, "_4"), row.Change)
        if str(base) in ("<5", "x") or str(current) in ("<5", "x"):
            hidden += 1
            assert str(change) == "x" and row.Status == "hidden" and pd.isna(row.Rank)  # neither shown nor ranked
        else:
            years = truth.loc[code[row.Name]]
            assert number(base) == pytest.approx(years.get(2021, 0.0), abs=0.05)
            assert number(current) == pytest.approx(years.get(2022, 0.0), abs=0.05)
            assert number(change) == pytest.approx(years.get(2022, 0.0) - years.get(2021, 0.0), abs=0.1)
    assert hidden, "the demo's explosives by directorate have small counts: some changes must be hidden"
    # A directorate with one year shown and the other hidden: its change would give the hidden year away.
    assert any(str(b) not in ("<5", "x") and str(c) in ("<5", "x") or str(c) not in ("<5", "x") and str(b) in ("<5", "x")
               for b, c in zip(table.iloc[:, 2], table.iloc[:, 3]))
    # Made from the table the page shows anyway (the split by directorate): the same cells shown, the same hidden.
    split = {(t.name, x): custom[1] for t in figure(at, "by_directorate").data for x, custom in zip(t.x, t.customdata)}
    for row in table.itertuples():
        for year, text in ((2021, row[3]), (2022, row[4])):
            assert str(text) == split.get((row.Name, year), "0"), (row.Name, year)
    hidden_names = set(table.loc[table["Change"].astype(str) == "x", "Name"])
    words = sentence(at)
    assert not any(name in words for name in hidden_names)
    assert "hidden, to protect small counts" in " ".join(plain(m.value) for m in at.markdown)


def test_hover_changes_next_to_a_hidden_cell_are_not_shown_in_the_public_view(monkeypatch, public, demo_url,
                                                                             fresh_caches):
    at = open_page(monkeypatch, demo_url, "overview")
    at.radio(key="overview_measure").set_value("explosive:kg").run()
    fig = figure(at, "by_directorate")
    drawn = {(t.name, x) for t in fig.data for x, y in zip(t.x, t.y) if y is not None and y == y}
    assert len(drawn) < sum(len(t.x) for t in fig.data), "the demo's explosives by directorate have hidden cells"
    for trace in fig.data:
        for x, y, custom in zip(trace.x, trace.y, trace.customdata):
            value, change = custom[1], custom[2]
            if y is None or y != y:  # a hidden cell: no bar, its note in the hover, no change
                assert value in ("<5", "x") and change == "–"
                continue
            if (trace.name, x - 1) not in drawn and x - 1 >= min(min(t.x) for t in fig.data):
                # The year before is hidden or absent (none): never a change computed from a hidden value.
                assert change == "–" or "none before" in change or change == "no change"
