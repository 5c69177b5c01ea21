"""Issue 13's pure parts, without Streamlit: the same months of two years and two directorates side by side against
sums computed independently (the `oracle`), the hover texts (value, change, share) at their edges and under the
public mode's protection, events drawn only within a chart's years, the diverging "what changed" bars, the monthly
trends' surge markers, and the donor report's events."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

from seizures import changes, charts, disclosure, i18n, queries, report
from seizures.changes import Periods
from seizures.filters import SeizureFilter


# --- same months of two years ---------------------------------------------------------------------------------


@pytest.mark.parametrize("through", [1, 6, 12])
def test_same_months_against_the_oracle(demo_engine, oracle, through):
    monthly = queries.measure_by(demo_engine, SeizureFilter(year_from=2021, year_to=2022), "firearm:pieces",
                                 "region_code", "year", "month")
    result = changes.same_months(monthly, 2022, through, "region_code")
    firearms = oracle.rows[(oracle.rows["category"] == "firearm") & (oracle.rows["month"] <= through)]
    for row in result.frame.itertuples():
        mine = firearms[firearms["region_code"] == row.region_code]
        assert row.base == mine.loc[mine["year"] == 2021, "quantity"].sum()
        assert row.current == mine.loc[mine["year"] == 2022, "quantity"].sum()
        assert row.change == row.current - row.base
    assert result.without_month == 0 and result.through_month == through


def test_same_months_leave_out_counts_without_a_month_and_say_how_much():
    monthly = pd.DataFrame({"year": [2022, 2022, 2023, 2023, 2023, 2021],
                            "month": [2, 9, 1, 0, 3, 0], "value": [5.0, 100.0, 7.0, 40.0, 1.0, 11.0]})
    result = changes.same_months(monthly, 2023, 3)
    row = result.frame.iloc[0]
    assert (row["base"], row["current"]) == (5.0, 8.0)  # September 2022 is after March; the quarter count has no month
    assert result.without_month == 40.0  # 2023's quarter (2021's is neither year)
    assert changes.last_month(monthly, 2023) == 3 and changes.last_month(monthly, 2020) is None
    with pytest.raises(ValueError):
        changes.same_months(monthly, 2023, 13)


def test_same_months_of_a_year_without_months_compare_nothing():
    result = changes.same_months(pd.DataFrame({"year": [2023], "month": [0], "value": [40.0]}), 2023, 6)
    assert (result.frame.iloc[0]["base"], result.frame.iloc[0]["current"]) == (0.0, 0.0)
    assert result.without_month == 40.0


# --- side by side -----------------------------------------------------------------------------------------------


def test_side_by_side_against_the_oracle(demo_engine, oracle):
    flt = SeizureFilter(year_from=2019, year_to=2022)
    by_region_year = queries.measure_by(demo_engine, flt, "firearm:pieces", "region_code", "year")
    by_year = queries.measure_by(demo_engine, flt, "firearm:pieces", "year")
    regions = queries.region_list(demo_engine)
    periods = Periods((2019, 2020), (2021, 2022))
    side = changes.side_by_side(by_region_year, by_year, periods, ("PZ", "MN", changes.NATIONAL), regions)
    firearms = oracle.rows[oracle.rows["category"] == "firearm"]

    def total(years, region=None):
        rows = firearms[firearms["year"].between(*years)]
        return rows.loc[rows["region_code"] == region, "quantity"].sum() if region else rows["quantity"].sum()

    side = side.set_index("region_code")
    for code in ("PZ", "MN"):
        assert (side.loc[code, "base"], side.loc[code, "current"]) == (total((2019, 2020), code), total((2021, 2022), code))
    national = side.loc[changes.NATIONAL]
    assert national["base"] == pytest.approx(total((2019, 2020)) / 8)
    assert national["current"] == pytest.approx(total((2021, 2022)) / 8)
    assert side.loc["PZ", "rate_current"] == pytest.approx(total((2021, 2022), "PZ") / 2 / 277_007 * 100_000)
    assert np.isnan(side.loc["MN", "rate_current"]) and np.isnan(national["rate_current"])  # no population figure


def test_side_by_side_of_a_directorate_without_seizures_is_zero_not_missing():
    frame = pd.DataFrame({"region_code": ["A"], "year": [2021], "value": [4.0]})
    regions = pd.DataFrame({"code": ["A", "B"], "population": [1000, 3000]})
    side = changes.side_by_side(frame, frame.drop(columns="region_code"), Periods.last_year(2022), ("B", changes.NATIONAL),
                                regions).set_index("region_code")
    assert (side.loc["B", "base"], side.loc["B", "current"]) == (0.0, 0.0)
    assert side.loc[changes.NATIONAL, "base"] == 2.0  # 4 over two directorates
    assert side.loc[changes.NATIONAL, "rate_base"] == pytest.approx(4 / 4000 * 100_000)  # every population known


def test_side_by_side_hides_a_period_holding_a_hidden_cell():
    cells = pd.DataFrame({"region_code": ["A", "A", "B", "B"], "year": [2021, 2022, 2021, 2022],
                          "value": [np.nan, 9.0, 6.0, 7.0], "value_note": ["<5", "", "", ""]})
    regions = pd.DataFrame({"code": ["A", "B"], "population": [np.nan, np.nan]})
    side = changes.side_by_side(cells, pd.DataFrame({"year": [2021, 2022], "value": [9.0, 16.0]}),
                                Periods.last_year(2022), ("A", "B"), regions).set_index("region_code")
    assert side.loc["A", "base_note"] == "<5" and np.isnan(side.loc["A", "change"]) and side.loc["A", "change_note"] == "x"
    assert side.loc["B", "change"] == 1.0 and side.loc["B", "change_note"] == ""


# --- hover texts ------------------------------------------------------------------------------------------------


def test_hover_texts_give_the_change_on_the_year_before_and_the_share_of_the_year():
    frame = pd.DataFrame({"region_code": ["A", "A", "B", "B", "C"], "year": [2021, 2022, 2021, 2022, 2022],
                          "value": [10.0, 15.0, 30.0, 30.0, 5.0]})
    texts = charts.hover_texts(frame, "region_code", "year")
    # 2021 is the frame's first year: nothing before it; C had none in 2021, a year the frame holds.
    assert texts["change"].tolist() == ["–", "+5 (+50.0 %)", "–", "0 (0.0 %)", "+5 (none before)"]
    assert texts["share"].tolist() == ["25.0 %", "30.0 %", "75.0 %", "60.0 %", "10.0 %"]
    assert texts["value"].tolist() == ["10", "15", "30", "30", "5"]
    with i18n.using("sq"):
        assert charts.hover_texts(frame, "region_code", "year")["change"].iloc[1] == "+5 (+50,0%)"


def test_hover_texts_give_nothing_away_next_to_a_hidden_cell():
    protected = disclosure.protect(
        pd.DataFrame({"region_code": ["A", "A", "B", "B", "C", "C"], "year": [2021, 2022] * 3,
                      "value": [3.0, 20.0, 40.0, 41.0, 30.0, 2.0]}),
        ["value"], ["region_code", "year"])
    texts = charts.hover_texts(protected, "region_code", "year").set_index(
        [protected["region_code"], protected["year"]])
    hidden = protected.set_index(["region_code", "year"])["value_note"] != ""
    assert hidden.any()
    for (code, year), is_hidden in hidden.items():
        row = texts.loc[(code, year)]
        if is_hidden:
            assert row["value"] in ("<5", "x") and row["change"] == "–" and row["share"] == "–"
        if hidden.get((code, year - 1), False):
            assert row["change"] == "–", (code, year)  # 20 shown, "+17": 3 would be given away
        if hidden.xs(year, level="year").any():
            assert row["share"] == "–", (code, year)  # a share of a total holding a hidden cell


def test_change_text_at_its_edges():
    assert charts.change_text(5, 0) == "+5 (none before)"
    assert charts.change_text(0, 0) == "no change"
    assert charts.change_text(0, 8) == "-8 (-100.0 %)"
    assert charts.change_text(None, 3) == charts.change_text(3, float("nan")) == "–"
    assert charts.share_text(1, 0) == "–" and charts.share_text(1, 3) == "33.3 %"


# --- events on the timeline -------------------------------------------------------------------------------------


def events(*rows) -> pd.DataFrame:
    return pd.DataFrame([{"starts_on": dt.date.fromisoformat(s), "ends_on": dt.date.fromisoformat(e) if e else None,
                          "title": t, "kind": "Operation"} for s, e, t in rows])


def test_events_are_drawn_at_their_dates_and_cut_to_the_charts_years():
    frame = pd.DataFrame({"region_code": ["A"] * 3, "year": [2021, 2022, 2023], "value": [1.0, 2.0, 3.0]})
    fig = charts.region_trends(frame, {"A": "A"}, "x", None, events(
        ("2022-07-02", None, "A day"),
        ("2020-02-01", "2021-06-30", "Started before the chart"),
        ("2023-01-01", "2023-12-31", "A whole year"),
        ("2019-01-01", "2019-12-31", "Before the chart"),
    ))
    labels = [a.text for a in fig.layout.annotations]
    assert labels == ["A", "▸ Started before the chart", "▸ A day", "▸ A whole year"]  # the line's name at its end first
    day = next(s for s in fig.layout.shapes if s.type == "line")
    assert day.x0 == pytest.approx(2021.5 + 182 / 365)  # the 183rd day of 2022
    spans = sorted((s.x0, s.x1) for s in fig.layout.shapes if s.type == "rect")
    assert spans[0] == (pytest.approx(2020.5), pytest.approx(2021.5 - 184 / 365))  # cut at the chart's first year
    assert spans[1] == (pytest.approx(2022.5), pytest.approx(2023.5))
    assert tuple(fig.layout.xaxis.range) == (2020.5, 2023.5)  # the labels do not widen the axis
    hover = next(a.hovertext for a in fig.layout.annotations if a.text == "▸ A whole year")
    assert "A whole year (Operation)" in hover


def test_events_of_the_same_days_share_one_label_and_list_every_title():
    frame = pd.DataFrame({"year": [2020, 2021], "recorded": [1.0, 2.0], "published": [np.nan, np.nan],
                          "qualifier": [None, None]})
    fig = charts.yearly_trend(frame, "x", "Records", events=events(
        ("2020-02-01", "2021-06-30", "Project"), ("2020-02-01", "2021-06-30", "Course 1"),
        ("2020-02-01", "2021-06-30", "Course 2")))
    assert [a.text for a in fig.layout.annotations] == ["▸ Project (+2)"]
    assert all(t in fig.layout.annotations[0].hovertext for t in ("Project", "Course 1", "Course 2"))
    assert charts.add_events(fig, None) is fig and charts.add_events(fig, events()[0:0]) is fig


# --- what changed, monthly trends ---------------------------------------------------------------------------------


def test_change_bars_rank_rises_first_and_leave_out_what_is_not_compared():
    frame = changes.compare(pd.DataFrame({
        "region_code": ["A", "A", "B", "B", "C", "D", "D"], "year": [2021, 2022, 2021, 2022, 2022, 2021, 2022],
        "value": [10.0, 4.0, 5.0, 9.0, 3.0, np.nan, 6.0], "value_note": ["", "", "", "", "", "<5", ""]}),
        Periods.last_year(2022), "region_code")
    fig = charts.change_bars(frame, "region_code", {"A": "Aa", "B": "Bb", "C": "Cc", "D": "Dd"}, "Guns (pieces)",
                             ("2021", "2022"))
    bar = fig.data[0]
    assert list(bar.y) == ["Bb", "Cc", "Aa"]  # D is hidden: not drawn, not ranked
    assert list(bar.x) == [4, 3, -6]
    assert list(bar.text) == ["+4 (+80.0 %)", "+3 (new)", "-6 (-60.0 %)"]
    assert bar.marker.color[0] == charts.RISE_COLOUR and bar.marker.color[2] == charts.FALL_COLOUR
    assert bar.marker.pattern.shape[2] == "/"  # a fall is told apart without its colour too
    assert charts.select_fields(fig) == {"region": 0} and [c[0] for c in bar.customdata] == ["B", "C", "A"]


def test_monthly_trends_mark_flags_on_their_lines():
    frame = pd.DataFrame({"region_code": ["A"] * 14, "year": [2021] * 12 + [2022] * 2,
                          "month": list(range(1, 13)) + [1, 3], "value": [2.0] * 12 + [9.0, 1.0]})
    flags = pd.DataFrame({"region_code": ["A", "A"], "weapon_type": ["", "pistol"], "year": [2022, 2022],
                          "month": [1, 2], "direction": ["surge", "dip"], "observed": [9.0, 0.0],
                          "expected": [2.0, 2.0], "reason": ["why 1", "why 2"]})
    fig = charts.monthly_trends(frame, "region_code", {"A": "Aa"}, "x", flags, flag_labels={"pistol": "Pistol"})
    line = fig.data[0]
    assert list(line.x)[-3:] == ["2022-01-01", "2022-02-01", "2022-03-01"] and list(line.y)[-3:] == [9, 0, 1]  # Feb: 0
    surge, dip = fig.data[1], fig.data[2]
    assert (surge.name, surge.marker.symbol, list(surge.y)) == ("Surge", "triangle-up", [9])
    assert (dip.name, dip.marker.symbol, list(dip.y)) == ("Dip", "triangle-down", [0])
    assert surge.customdata[0][2] == "Aa" and dip.customdata[0][2] == "Aa, Pistol"  # the finer series named
    assert charts.select_fields(fig) == {"region": 0, "year": 1}


def test_monthly_trends_of_weapon_types_keep_the_flagged_and_sum_the_rest():
    rows = [{"weapon_type": w, "year": 2022, "month": m, "value": v} for w, v in
            (("pistol", 50.0), ("rifle", 20.0), ("shotgun", 5.0), ("revolver", 1.0)) for m in (1, 2)]
    flags = pd.DataFrame({"region_code": ["R"], "weapon_type": ["revolver"], "year": [2022], "month": [2],
                          "direction": ["surge"], "observed": [1.0], "expected": [0.1], "reason": ["why"]})
    fig = charts.monthly_trends(pd.DataFrame(rows), "weapon_type", {"pistol": "Pistol", "rifle": "Rifle",
                                "shotgun": "Shotgun", "revolver": "Revolver"}, "x", flags, top=1)
    assert [t.name for t in fig.data] == ["Pistol", "Revolver", "Other types", "Surge"]
    assert list(fig.data[2].y) == [25.0, 25.0] and fig.data[2].customdata[0][0] == ""  # "Other types" selects nothing


# --- the donor report -------------------------------------------------------------------------------------------


def test_the_report_lists_the_events_of_its_period(demo_engine):
    from seizures.report import content

    got = content.collect(demo_engine, SeizureFilter(year_from=2023, year_to=2024))
    table = content.events_table(got)
    assert table["Event"].tolist() == ["2024 population census", "Roadmap 2030 endorsed in Budva by the region's "
                                       "interior ministers"]
    with i18n.using("sq"):
        sq = content.events_table(content.collect(demo_engine, SeizureFilter(year_from=2023, year_to=2024)))
    assert sq.iloc[0, 4] == "Regjistrimi i popullsisë 2024"
    book = openpyxl.load_workbook(io.BytesIO(report.build_xlsx(demo_engine, SeizureFilter(year_from=2019, year_to=2020))))
    events = [row for row in book["Events"].values]
    assert events[0][4] == "Event" and any("CPIAT project" in str(row[4]) for row in events[1:])
    assert not any("census" in str(row[4]) for row in events[1:])  # 2024: outside 2019–2020
