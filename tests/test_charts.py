"""Figure builders on known input: trace names, x/y values, colours and axis titles (asserted on the Python figure,
not on its JSON, where Plotly 7 may base64-encode numeric arrays)."""

import math

import pandas as pd
import pytest

from seizures import charts, vocab

NAMES = {"PR": "Prishtina", "PZ": "Prizren", "MN": "Mitrovica North"}


def by_region_year() -> pd.DataFrame:
    return pd.DataFrame({
        "region_code": ["PR", "PR", "PZ", "PZ", "MN"],
        "year": [2021, 2022, 2021, 2022, 2022],
        "value": [10.0, 12.0, 5.0, 7.0, 1.0],
    })


def test_yearly_trend_draws_records_as_bars_and_published_totals_as_a_line():
    frame = pd.DataFrame({
        "year": [2019, 2020, 2021],
        "recorded": [100.0, 120.0, 150.0],
        "published": [math.nan, 118.0, 140.0],
        "qualifier": [None, None, "more than"],
    })
    fig = charts.yearly_trend(frame, "Firearms (pieces)", "Record-level sum (illustrative)", "Firearms")
    bars, line = fig.data
    assert (bars.type, bars.name) == ("bar", "Record-level sum (illustrative)")
    assert list(bars.x) == [2019, 2020, 2021] and list(bars.y) == [100, 120, 150]
    assert (line.type, line.name) == ("scatter", "Published national total")
    # 2019 has no published figure: the authoritative line starts in 2020, it is not drawn at zero.
    assert list(line.x) == [2020, 2021] and list(line.y) == [118, 140]
    assert list(line.customdata) == ["", "more than"]
    assert line.line.color == charts.PUBLISHED_COLOUR
    assert fig.layout.yaxis.title.text == "Firearms (pieces)"
    assert fig.layout.xaxis.title.text == "Year"
    assert fig.layout.xaxis.dtick == 1
    assert bars.marker.color == charts.ILLUSTRATIVE_COLOUR and line.mode == "lines+markers" and line.text is None


def test_yearly_trend_for_print_shades_the_years_around_the_period_and_writes_the_figures():
    frame = pd.DataFrame({
        "year": [2019, 2020, 2021],
        "recorded": [100.0, 120.0, 1500.0],
        "published": [math.nan, 118.0, 1400.0],
        "qualifier": [None, None, "more than"],
    })
    fig = charts.yearly_trend(frame, "Firearms (pieces)", "Record-level sum", period=(2020, 2021), value_labels=True)
    bars, line = fig.data
    assert list(bars.marker.color) == [charts.CONTEXT_COLOUR, charts.ILLUSTRATIVE_COLOUR, charts.ILLUSTRATIVE_COLOUR]
    assert line.mode == "lines+markers+text"
    assert list(line.text) == ["118", "> 1,400"]  # a "more than" figure is a lower bound


def test_recorded_label_says_illustrative_only_when_it_is():
    assert charts.recorded_label(True) == "Record-level sum (illustrative)"
    assert charts.recorded_label(False) == "Record-level sum"


def test_stacked_by_region_has_one_series_per_directorate_in_its_colour():
    fig = charts.stacked_by_region(by_region_year(), NAMES, "Firearms (pieces)")
    assert fig.layout.barmode == "stack"
    series = {t.name: t for t in fig.data}
    assert list(series) == ["Prishtina", "Prizren", "Mitrovica North"]  # largest total first, at the bottom
    assert list(series["Prizren"].x) == [2021, 2022] and list(series["Prizren"].y) == [5, 7]
    assert list(series["Mitrovica North"].x) == [2022] and list(series["Mitrovica North"].y) == [1]
    assert series["Prizren"].marker.color == charts.REGION_COLOURS["PZ"]
    assert fig.layout.yaxis.title.text == "Firearms (pieces)"


def test_a_directorate_has_the_same_colour_on_every_chart():
    frame = by_region_year()
    stacked = {t.name: t.marker.color for t in charts.stacked_by_region(frame, NAMES, "x").data}
    lines = {t.name: t.line.color for t in charts.region_trends(frame, NAMES, "x").data}
    summary = pd.DataFrame({"region_code": ["MN", "PR", "PZ"], "name": ["Mitrovica North", "Prishtina", "Prizren"],
                            "share_pct": [10.0, 60.0, 30.0]})
    shares = charts.region_shares(summary).data[0]
    bars = dict(zip(shares.y, shares.marker.color))
    assert stacked == lines == bars
    assert len(set(stacked.values())) == 3


def test_region_trends_draw_a_line_per_directorate():
    fig = charts.region_trends(by_region_year(), NAMES, "Seizure events (number)")
    series = {t.name: t for t in fig.data}
    assert list(series["Prishtina"].y) == [10, 12]
    assert all(t.mode == "lines+markers" for t in fig.data)
    assert fig.layout.yaxis.title.text == "Seizure events (number)"


def test_region_shares_are_horizontal_bars_in_percent():
    summary = pd.DataFrame({"region_code": ["PZ", "MN"], "name": ["Prizren", "Mitrovica North"],
                            "share_pct": [17.25, 2.5]})
    bar = charts.region_shares(summary).data[0]
    assert bar.orientation == "h"
    assert list(bar.y) == ["Prizren", "Mitrovica North"]
    assert list(bar.x) == [17.25, 2.5]
    assert list(bar.text) == ["17.2 %", "2.5 %"]


def test_heatmap_fills_missing_cells_and_years_with_zero():
    frame = pd.DataFrame({"region_code": ["PZ", "PZ", "PR"], "year": [2019, 2021, 2021], "value": [3.0, 4.0, 9.0]})
    fig = charts.region_year_heatmap(frame, NAMES, "Firearms (pieces)")
    heat = fig.data[0]
    assert list(heat.x) == [2019, 2020, 2021]  # 2020 had no seizure at all: still a column
    assert list(heat.y) == ["Prishtina", "Prizren"]  # by name
    assert [list(row) for row in heat.z] == [[0, 0, 9], [3, 0, 4]]
    assert heat.colorbar.title.text == "Firearms (pieces)"


def test_breakdown_bars_sort_largest_first_with_labels_and_highlight_converted_weapons():
    frame = pd.DataFrame({"weapon_type": ["pistol", "converted_firearm", "rifle"], "value": [50.0, 20.0, 30.0]})
    bar = charts.breakdown_bars(frame, "weapon_type", vocab.WEAPON_TYPES, "Firearms (pieces)").data[0]
    assert list(bar.y) == ["Pistol", "Rifle", "Converted firearm"]
    assert list(bar.x) == [50, 30, 20]
    assert bar.marker.color[2] == charts.HIGHLIGHTED_WEAPONS["converted_firearm"]
    assert bar.marker.color[0] != bar.marker.color[2]


def test_weapon_type_trends_keep_converted_and_blank_firing_and_sum_the_rest():
    rows = []
    totals = {"pistol": 100, "rifle": 80, "shotgun": 60, "revolver": 10, "machine_gun": 5,
              "converted_firearm": 2, "blank_firing_weapon": 1}
    for weapon, value in totals.items():
        rows += [{"weapon_type": weapon, "year": 2021, "value": float(value)},
                 {"weapon_type": weapon, "year": 2022, "value": float(value) + 1}]
    fig = charts.weapon_type_trends(pd.DataFrame(rows), vocab.WEAPON_TYPES, "Firearms (pieces)", top=2)
    series = {t.name: t for t in fig.data}
    # The two largest, the two highlighted types however small, and the rest together.
    assert list(series) == ["Pistol", "Rifle", "Converted firearm", "Blank-firing weapon", "Other types"]
    assert list(series["Converted firearm"].y) == [2, 3]
    assert list(series["Other types"].y) == [60 + 10 + 5, 61 + 11 + 6]
    assert series["Blank-firing weapon"].line.color == charts.HIGHLIGHTED_WEAPONS["blank_firing_weapon"]


def test_monthly_seasonality_has_twelve_months_with_zeros():
    frame = pd.DataFrame({"month": [1, 1, 7], "value": [3.0, 4.0, 5.0]})
    fig = charts.monthly_seasonality(frame, "Ammunition (rounds)")
    bar = fig.data[0]
    assert list(bar.x) == ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    assert list(bar.y) == [7, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0]
    assert fig.layout.yaxis.title.text == "Ammunition (rounds)"
    assert fig.layout.xaxis.title.text == "Month"


@pytest.mark.parametrize("builder", [
    lambda: charts.stacked_by_region(by_region_year(), NAMES, "x"),
    lambda: charts.region_trends(by_region_year(), NAMES, "x"),
    lambda: charts.region_year_heatmap(by_region_year(), NAMES, "x"),
    lambda: charts.monthly_seasonality(pd.DataFrame({"month": [3], "value": [1.0]}), "x"),
])
def test_every_chart_uses_the_app_template(builder):
    fig = builder()
    assert fig.layout.template.layout.separators == ".,"
    assert list(fig.layout.template.layout.colorway) == charts.OKABE_ITO
