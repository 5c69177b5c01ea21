"""A chart's text alternative: the table of exactly the numbers drawn, and the sentence made from them."""

import base64
import math

import numpy as np
import pandas as pd

from seizures import charts, describe, i18n

NAMES = {"PR": "Prishtina", "PZ": "Prizren", "MN": "Mitrovica North"}


def region_year(hidden: bool = False) -> pd.DataFrame:
    return pd.DataFrame({
        "region_code": ["PR", "PR", "PZ", "PZ", "MN", "MN"],
        "year": [2021, 2022, 2021, 2022, 2021, 2022],
        "value": [1200.0, 1250.0, 300.0, math.nan if hidden else 420.0, 40.0, 35.0],
    })


def test_the_table_holds_every_drawn_number_by_year_and_series():
    fig = charts.stacked_by_region(region_year(), NAMES, "Firearms (pieces)")
    table = describe.display_table(fig)
    assert list(table.columns) == ["Year", "Prishtina", "Prizren", "Mitrovica North"]
    assert table.values.tolist() == [["2021", "1,200", "300", "40"], ["2022", "1,250", "420", "35"]]


def test_lines_and_small_multiples_give_the_same_table():
    few = charts.region_trends(region_year(), NAMES, "x")
    many_names = {f"R{i}": f"Region {i}" for i in range(6)}
    many = pd.DataFrame({"region_code": [f"R{i}" for i in range(6) for _ in (0, 1)],
                         "year": [2021, 2022] * 6, "value": [float(v) for v in range(12)]})
    assert len(charts.region_trends(many, many_names, "x").layout.annotations) == 6  # a panel title each
    table = describe.drawn(charts.region_trends(many, many_names, "x")).table
    assert table.shape == (2, 6) and table.loc[2022, "Region 5"] == 11
    assert describe.drawn(few).table.loc[2021, "Prizren"] == 300


def test_a_hidden_value_is_a_dash_and_counted_in_the_sentence():
    fig = charts.region_trends(region_year(hidden=True), NAMES, "Firearms (pieces)")
    assert describe.display_table(fig).loc[1, "Prizren"] == "–"
    assert describe.summary(fig).endswith("Values not drawn: 1.")


def test_the_sentence_names_the_highest_the_lowest_and_the_largest_change():
    fig = charts.region_trends(region_year(), NAMES, "Firearms (pieces)")
    assert describe.summary(fig) == (
        "In 2022, the highest is Prishtina (1,250) and the lowest Mitrovica North (35). "
        "Largest rise from 2021 to 2022: Prizren (+120).")


def test_one_series_over_the_years_is_told_as_a_trend():
    frame = pd.DataFrame({"year": [2019, 2020, 2021], "recorded": [100.0, 90.0, 150.0],
                          "published": [math.nan] * 3, "qualifier": [None] * 3})
    fig = charts.yearly_trend(frame, "Firearms (pieces)", "Record-level sum")
    assert describe.summary(fig).startswith(
        "Record-level sum: from 100 in 2019 to 150 in 2021; highest 150 in 2021, lowest 90 in 2020.")


def test_bars_by_category_name_the_largest_and_smallest():
    frame = pd.DataFrame({"weapon_type": ["pistol", "rifle", "shotgun"], "value": [50.0, 30.0, 3.0]})
    fig = charts.breakdown_bars(frame, "weapon_type", {"pistol": "Pistol", "rifle": "Rifle", "shotgun": "Shotgun"},
                                "Firearms (pieces)")
    assert describe.summary(fig) == "Largest: Pistol (50); smallest: Shotgun (3); 3 in all."
    assert list(describe.display_table(fig).columns) == ["Weapon type", "Firearms (pieces)"]
    assert fig.layout.title.text == "Firearms (pieces) by weapon type"


def test_a_heatmap_names_its_highest_and_lowest_cell():
    fig = charts.region_year_heatmap(region_year(), NAMES, "Firearms (pieces)")
    assert describe.summary(fig) == "Highest: Prishtina in 2022 (1,250); lowest: Mitrovica North in 2022 (35)."
    table = describe.display_table(fig)
    assert list(table.columns) == ["Regional directorate", "2021", "2022"]
    assert table.iloc[0].tolist() == ["Mitrovica North", "40", "35"]


def test_reference_lines_are_in_the_table_not_in_the_sentence():
    progress = pd.DataFrame({"kpi_number": [3, 3, 4, 4], "year": [2018, 2024, 2018, 2024],
                             "progress_pct": [0.0, 92.0, 0.0, 30.0], "expected_pct": [0.0, 100.0, 0.0, 100.0]})
    fig = charts.kpi_progress(progress)
    assert "Expected (on schedule)" in describe.display_table(fig).columns
    assert "Expected" not in describe.summary(fig)


def test_plotly_typed_arrays_are_read():
    values = np.array([3.0, 9.0])
    fig = {"data": [{"type": "bar", "x": ["a", "b"], "name": "n",
                     "y": {"dtype": "f8", "bdata": base64.b64encode(values.tobytes()).decode()}}],
           "layout": {"yaxis": {"title": {"text": "Count"}}}}
    assert describe.drawn(fig).table["Count"].tolist() == [3.0, 9.0]


def test_nothing_drawn_says_so():
    assert describe.summary({"data": [], "layout": {}}) == "No values to draw."


def test_the_sentence_is_in_the_interface_language():
    fig = charts.region_trends(region_year(), NAMES, "Firearms (pieces)")
    with i18n.using("sq"):
        text = describe.summary(fig)
    assert text.startswith("Në 2022, më e larta është Prishtina (1\u00a0250)")


def test_a_heatmap_of_a_numpy_grid_is_read_back_cell_by_cell():
    """Plotly stores a 2-D NumPy array as a typed array whose shape is the text "rows, columns"."""
    import plotly.graph_objects as go

    z = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    fig = go.Figure(go.Heatmap(z=z, x=["Jan", "Feb", "Mar"], y=["PR", "PZ"]))
    assert isinstance(fig.to_dict()["data"][0]["z"], dict)  # the typed form this test is about
    grid = describe.drawn(fig).table
    assert grid.shape == (2, 3) and grid.loc["PZ", "Mar"] == 6.0 and grid.loc["PR", "Jan"] == 1.0
