"""Queries behind the Training, Roadmap KPIs and About pages, checked against the CSV files and the store."""

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from seizures import queries, schema
from seizures.filters import SeizureFilter

DATA = Path(__file__).resolve().parents[1] / "data"


def test_trainings_by_course_equal_the_published_csv(demo_engine):
    published = pd.read_csv(DATA / "trainings.csv").groupby("course")[["men", "women"]].sum()
    frame = queries.trainings_by_course(demo_engine).set_index("course")
    assert frame[["men", "women"]].to_dict() == published.to_dict()
    assert frame["level"].tolist() == ["basic", "advanced", "special_unit"]  # basic first
    assert frame["source"].notna().all()


def test_share_of_women_per_course_and_in_total():
    frame = pd.DataFrame({"course": ["A", "B", "C"], "level": ["basic", "advanced", "basic"],
                          "men": [9, 3, 0], "women": [1, 1, 0], "source": ["s", "s", "s"]})
    out = queries.with_share_of_women(frame).set_index("course")
    assert out.loc["A", "share_women"] == pytest.approx(10.0)
    assert out.loc["B", "share_women"] == pytest.approx(25.0)
    assert pd.isna(out.loc["C", "share_women"])  # no trainees: no share, not 0 %
    assert out.loc["All courses", ["men", "women", "total"]].tolist() == [12, 2, 14]
    assert out.loc["All courses", "share_women"] == pytest.approx(2 / 14 * 100)
    assert queries.with_share_of_women(frame.iloc[0:0]).empty


def test_equipment_keeps_the_published_list_in_order(demo_engine):
    published = pd.read_csv(DATA / "equipment.csv")
    frame = queries.equipment_delivered(demo_engine)
    assert frame["item"].tolist() == published["item"].tolist()
    assert frame["quantity"].tolist() == published["quantity"].tolist()


FIRST_PHASE = "roadmap-2024"  # every goal, KPI and KPI value of the demo belongs to it


def test_contributing_goals_and_kpis(demo_engine):
    goals = pd.read_csv(DATA / "roadmap_goals.csv")
    kpis = pd.read_csv(DATA / "roadmap_kpis.csv")
    contributing_goals = goals.loc[goals.project_contributes, "number"].tolist()
    assert queries.contributing_goals(demo_engine, FIRST_PHASE)["number"].tolist() == contributing_goals
    frame = queries.contributing_kpis(demo_engine, FIRST_PHASE)
    assert frame["number"].tolist() == kpis.loc[kpis.project_contributes, "number"].tolist()
    assert frame.set_index("number")["goal_number"].to_dict() == {3: 3, 4: 3, 8: 5, 10: 5, 14: None}


def test_kpi_values_follow_the_period_only(demo_engine):
    values = pd.read_csv(DATA / "kpi_values.csv")
    everything = queries.kpi_values_in_period(demo_engine, SeizureFilter(), FIRST_PHASE)
    assert len(everything) == len(values)
    period = queries.kpi_values_in_period(demo_engine, SeizureFilter(year_from=2020, year_to=2022, regions=("PZ",)),
                                          FIRST_PHASE)
    expected = values[values.year.between(2020, 2022)]
    assert len(period) == len(expected)
    assert period["value"].sum() == expected["value"].sum()
    assert set(period["year"]) == {2020, 2021, 2022}


def test_data_loads_leave_out_rolled_back_imports(empty_engine):
    imports = schema.imports
    rows = [
        dict(file_name="old.csv", imported_at=dt.datetime(2024, 1, 5, 9, 0), rolled_back_at=dt.datetime(2024, 1, 6)),
        dict(file_name="kept.csv", imported_at=dt.datetime(2024, 1, 4, 9, 0), rolled_back_at=None),
        dict(file_name="newest.csv", imported_at=dt.datetime(2024, 2, 1, 8, 30), rolled_back_at=None),
    ]
    with empty_engine.begin() as conn:
        for row in rows:
            conn.execute(imports.insert().values(content_hash="x", kind="file", rows_read=1, rows_accepted=1,
                                                 rows_rejected=0, **row))
    loads = queries.data_loads(empty_engine)
    assert loads["file_name"].tolist() == ["newest.csv", "kept.csv"]
    assert loads["imported_at"].iloc[0] == dt.datetime(2024, 2, 1, 8, 30)


def test_data_sources_count_every_row_by_source(demo_engine):
    frame = queries.data_sources(demo_engine)
    with demo_engine.connect() as conn:
        seizure_rows = conn.execute(sa.select(sa.func.count()).select_from(schema.seizures)).scalar_one()
        illustrative_rows = conn.execute(
            sa.select(sa.func.count()).select_from(schema.seizures).where(schema.seizures.c.illustrative)
        ).scalar_one()
    records = frame[frame.dataset == "Seizure records"]
    assert records["rows"].sum() == seizure_rows
    assert records.loc[records.illustrative, "rows"].sum() == illustrative_rows
    published = frame[frame.dataset == "Published national totals"]
    assert published["rows"].sum() == len(pd.read_csv(DATA / "published_totals.csv"))
    assert not published["illustrative"].any()
    assert set(frame.loc[frame.illustrative, "dataset"]) == {"KPI values", "Seizure records"}
    assert frame["dataset"].iloc[0] == "Published national totals"


@pytest.mark.parametrize("query", [
    queries.trainings_by_course, queries.equipment_delivered, queries.phase_list, queries.data_loads,
    queries.data_sources,
], ids=lambda q: q.__name__)
def test_donor_queries_on_an_empty_store(empty_engine, query):
    assert query(empty_engine).empty


def test_kpi_values_on_an_empty_store(empty_engine):
    assert queries.kpi_values_in_period(empty_engine, SeizureFilter(year_from=2020), FIRST_PHASE).empty
    assert queries.contributing_goals(empty_engine, FIRST_PHASE).empty
    assert queries.contributing_kpis(empty_engine, FIRST_PHASE).empty


def test_goals_kpis_and_values_belong_to_their_phase(demo_copy_engine):
    """A second phase's KPI 3 and its values are not the first phase's."""
    with demo_copy_engine.begin() as conn:
        conn.execute(schema.roadmap_kpis.insert().values(phase_code="roadmap-2030", number=3, goal_number=1,
                                                         project_contributes=True, title="Second phase KPI 3"))
        conn.execute(schema.kpi_values.insert().values(phase_code="roadmap-2030", kpi_number=3, year=2026,
                                                       jurisdiction="Kosovo", value=5.0, illustrative=True))
    second = queries.contributing_kpis(demo_copy_engine, "roadmap-2030")
    assert second[["number", "title"]].values.tolist() == [[3, "Second phase KPI 3"]]
    assert queries.contributing_kpis(demo_copy_engine, FIRST_PHASE).set_index("number")["title"].isna().all()
    assert queries.kpi_values_in_period(demo_copy_engine, SeizureFilter(), "roadmap-2030")["year"].tolist() == [2026]
    assert 2026 not in set(queries.kpi_values_in_period(demo_copy_engine, SeizureFilter(), FIRST_PHASE)["year"])
