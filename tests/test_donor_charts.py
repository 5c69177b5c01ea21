"""Figure builders of the Training and Roadmap KPIs pages: trace data for known inputs."""

import pandas as pd
import pytest

from seizures import charts, kpis

TRAINEES = pd.DataFrame({"course": ["Basic", "Advanced", "Special unit"], "men": [177, 26, 40], "women": [24, 4, 0]})


def test_trainees_by_gender_stacks_men_and_women_per_course():
    fig = charts.trainees_by_gender(TRAINEES)
    men, women = fig.data
    assert (men.name, women.name) == ("Men", "Women")
    assert list(men.y) == list(women.y) == ["Basic", "Advanced", "Special unit"]
    assert list(men.x) == [177, 26, 40]
    assert list(women.x) == [24, 4, 0]
    assert men.marker.color != women.marker.color
    assert fig.layout.barmode == "stack"
    assert fig.layout.xaxis.title.text == "Officers trained (persons)"
    assert fig.layout.xaxis.tickformat == ","
    assert fig.layout.template.layout.separators == ".,"


def test_equipment_delivered_puts_the_largest_quantity_first():
    frame = pd.DataFrame({"item": ["Tablets", "Computers", "Endoscopes", "Printers"], "quantity": [5, 80, 3, 40]})
    (bars,) = charts.equipment_delivered(frame).data
    assert list(bars.y) == ["Computers", "Printers", "Tablets", "Endoscopes"]
    assert list(bars.x) == [80, 40, 5, 3]


def test_kpi_sparkline_draws_values_baseline_and_target():
    series = pd.DataFrame({"year": [2018, 2019, 2020], "value": [40.0, 39.0, 36.0]})
    fig = charts.kpi_sparkline(series, baseline=40.0, target=25.0, unit="index")
    (line,) = fig.data
    assert list(line.x) == [2018, 2019, 2020]
    assert list(line.y) == [40.0, 39.0, 36.0]
    assert sorted(shape.y0 for shape in fig.layout.shapes) == [25.0, 40.0]
    assert fig.layout.yaxis.title.text == "index"


def test_kpi_sparkline_without_baseline_or_target_has_no_reference_lines():
    series = pd.DataFrame({"year": [2021], "value": [3.0]})
    fig = charts.kpi_sparkline(series, baseline=None, target=float("nan"), unit=None)
    assert fig.layout.shapes == ()
    assert list(fig.data[0].y) == [3.0]


def test_kpi_progress_has_one_line_per_kpi_and_the_schedule():
    values = pd.DataFrame({
        "kpi_number": [3, 3, 8, 8], "year": [2018, 2021, 2018, 2021], "value": [100.0, 110.0, 40.0, 31.0],
        "baseline": [100.0, 100.0, 40.0, 40.0], "target": [140.0, 140.0, 25.0, 25.0],
    })
    fig = charts.kpi_progress(kpis.progress_series(values, kpis.Phase("roadmap-2024", None, 2018, 2024)))
    by_name = {trace.name: trace for trace in fig.data}
    assert set(by_name) == {"KPI 3", "KPI 8", "Expected (on schedule)"}
    assert list(by_name["KPI 3"].y) == pytest.approx([0, 25])  # 10 of 40
    assert list(by_name["KPI 8"].y) == pytest.approx([0, 60])  # 9 of 15, lower is better
    assert list(by_name["Expected (on schedule)"].x) == [2018, 2021]
    assert list(by_name["Expected (on schedule)"].y) == pytest.approx([0, 50])
    assert fig.layout.yaxis.ticksuffix == " %"
