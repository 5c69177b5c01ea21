"""The KPI status rule, on hand-computed cases (baseline year 2018, target year 2024, tolerance 10 %)."""

import math

import pandas as pd
import pytest

from seizures import kpis
from seizures.kpis import AT_RISK, NO_DATA, OFF_TRACK, ON_TRACK


def test_direction_follows_target_against_baseline():
    assert kpis.direction(100, 140) == "higher"
    assert kpis.direction(40, 25) == "lower"
    assert kpis.direction(50, 50) is None
    assert kpis.direction(None, 25) is None
    assert kpis.direction(40, math.nan) is None


def test_expected_progress_is_the_elapsed_share_of_2018_to_2024():
    assert kpis.expected_progress(2018) == 0
    assert kpis.expected_progress(2021) == pytest.approx(0.5)
    assert kpis.expected_progress(2024) == 1
    assert kpis.expected_progress(2030) == 1  # after the target year: the whole way is expected
    assert kpis.expected_progress(2015) == 0


@pytest.mark.parametrize(
    "baseline,target,actual,year,status,done",
    [
        # higher is better; 2021 is half-way through 2018-2024
        (100, 140, 120, 2021, ON_TRACK, 0.5),  # 20 of 40 = 50 %, 50 % expected
        (100, 140, 117, 2021, ON_TRACK, 0.425),  # 42.5 % >= 50 % - 10 %
        (100, 140, 115, 2021, AT_RISK, 0.375),  # 37.5 % < 40 %, but above 0
        (100, 140, 100, 2021, OFF_TRACK, 0.0),  # no movement
        (100, 140, 90, 2021, OFF_TRACK, -0.25),  # wrong way
        (100, 140, 150, 2020, ON_TRACK, 1.25),  # beyond the target
        (100, 140, 100, 2018, ON_TRACK, 0.0),  # at the baseline year nothing is expected yet
        # lower is better: 40 -> 25
        (40, 25, 27, 2024, AT_RISK, 13 / 15),  # 86.7 % < 100 % - 10 %
        (40, 25, 26, 2024, ON_TRACK, 14 / 15),  # 93.3 %
        (40, 25, 31, 2021, ON_TRACK, 0.6),  # 60 % against 50 % expected
        (40, 25, 45, 2022, OFF_TRACK, -1 / 3),  # rose: wrong way
    ],
)
def test_status_rule(baseline, target, actual, year, status, done):
    result = kpis.assess(baseline, target, actual, year)
    assert result.status == status
    assert result.progress == pytest.approx(done)


@pytest.mark.parametrize(
    "baseline,target,actual,year,reason",
    [
        (100, 140, None, None, "no actual value"),
        (100, 140, math.nan, 2022, "no actual value"),
        (None, 140, 120, 2022, "no baseline or no target"),
        (100, math.nan, 120, 2022, "no baseline or no target"),
        (100, 100, 120, 2022, "target equals baseline"),
    ],
)
def test_no_data(baseline, target, actual, year, reason):
    result = kpis.assess(baseline, target, actual, year)
    assert result.status == NO_DATA
    assert result.progress is None
    assert reason in result.reason


def test_rule_parameters_can_be_changed():
    # Roadmap 2025-2030: baseline 2024, target 2030; 2027 is half-way.
    assert kpis.assess(10, 20, 14, 2027, baseline_year=2024, target_year=2030).status == ON_TRACK
    assert kpis.assess(10, 20, 13, 2027, baseline_year=2024, target_year=2030).status == AT_RISK
    assert kpis.assess(10, 20, 13, 2027, baseline_year=2024, target_year=2030, tolerance=0.25).status == ON_TRACK


KPIS = pd.DataFrame({
    "number": [3, 8, 10, 14],
    "goal_number": [3, 5, 5, None],
    "title": [None, None, "Weapons seized", None],
    "unit": [None, None, "pieces", None],
})
VALUES = pd.DataFrame({
    "kpi_number": [3, 3, 3, 8, 8, 10, 10],
    "year": [2018, 2021, 2022, 2018, 2020, 2019, 2021],
    "value": [100.0, 120.0, None, 40.0, 45.0, 10.0, 12.0],
    "baseline": [100.0, 100.0, 100.0, 40.0, 40.0, None, None],
    "target": [140.0, 140.0, 140.0, 25.0, 25.0, 20.0, 20.0],
    "unit": ["index"] * 5 + ["pieces"] * 2,
})


def test_kpi_table_takes_the_latest_value_per_kpi():
    table = kpis.kpi_table(KPIS, VALUES).set_index("number")
    # KPI 3: 2022 has no value, so 2021 (120) is the latest actual: 50 % done, 50 % expected.
    assert table.loc[3, "latest_year"] == 2021
    assert table.loc[3, "latest_value"] == 120
    assert table.loc[3, "direction"] == "higher"
    assert table.loc[3, "status"] == ON_TRACK
    assert table.loc[3, "unit"] == "index"  # from the values when the KPI has none
    # KPI 8: lower is better and it rose.
    assert table.loc[8, "direction"] == "lower"
    assert table.loc[8, "status"] == OFF_TRACK
    # KPI 10: no baseline; KPI 14: no values at all.
    assert table.loc[10, "status"] == NO_DATA
    assert table.loc[10, "unit"] == "pieces"
    assert table.loc[14, "status"] == NO_DATA
    assert pd.isna(table.loc[14, "latest_value"])
    assert list(table.index) == [3, 8, 10, 14]


def test_kpi_table_without_values_or_kpis():
    table = kpis.kpi_table(KPIS, VALUES.iloc[0:0])
    assert table["status"].tolist() == [NO_DATA] * 4
    assert kpis.kpi_table(KPIS.iloc[0:0], VALUES).empty


def test_status_counts_include_zeros():
    table = kpis.kpi_table(KPIS, VALUES)
    assert kpis.status_counts(table) == {ON_TRACK: 1, AT_RISK: 0, OFF_TRACK: 1, NO_DATA: 2}
    assert kpis.status_counts(kpis.kpi_table(KPIS.iloc[0:0], VALUES)) == dict.fromkeys(kpis.STATUSES, 0)


def test_progress_series():
    series = kpis.progress_series(VALUES).set_index(["kpi_number", "year"])
    assert series.loc[(3, 2021), "progress_pct"] == pytest.approx(50)
    assert series.loc[(3, 2021), "expected_pct"] == pytest.approx(50)
    assert series.loc[(8, 2020), "progress_pct"] == pytest.approx(-5 / 15 * 100)
    # rows without a value, or without a baseline, have no progress
    assert (3, 2022) not in series.index
    assert 10 not in series.index.get_level_values("kpi_number")
    assert kpis.progress_series(VALUES.iloc[0:0]).empty


def test_rule_text_names_the_parameters():
    rule = kpis.rule()  # English: the tests' default language
    assert "2018" in rule and "2024" in rule and "10 percentage points" in rule
    for status in kpis.STATUSES:
        assert f"**{status}**" in rule
