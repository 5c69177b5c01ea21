"""The Training, Roadmap KPIs and About pages through AppTest: the numbers shown are the store's."""

import json
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from seizures import kpis, queries, schema, seed, store, summary
from seizures.filters import SeizureFilter

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")


def open_page(monkeypatch, url, page, params=None) -> AppTest:
    monkeypatch.setenv("SEIZURES_DB_URL", url)
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    return at.switch_page(str(ROOT / "app_pages" / page)).run()


def metrics(at) -> list[tuple[str, str]]:
    return [(m.label, m.value) for m in at.metric]


def texts(elements) -> list[str]:
    return [e.value for e in elements]


def plotly_figures(at) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


@pytest.fixture()
def demo_store(demo_url):
    engine = store.make_engine(demo_url)
    yield engine
    engine.dispose()


# --- Training & capacity ---

def test_training_page_shows_the_stores_trainees_by_gender(monkeypatch, demo_url, demo_store, fresh_caches):
    at = open_page(monkeypatch, demo_url, "training.py")
    assert not at.exception
    t = schema.trainings
    with demo_store.connect() as conn:
        rows = conn.execute(sa.select(t.c.course, sa.func.sum(t.c.men), sa.func.sum(t.c.women)).group_by(t.c.course)).all()
    by_course = {course: (int(men), int(women)) for course, men, women in rows}
    men_total = sum(m for m, _ in by_course.values())
    women_total = sum(w for _, w in by_course.values())

    shown = metrics(at)
    cards = [dict(shown[i:i + 4]) for i in range(0, len(shown), 4)]
    assert len(cards) == 1 + len(by_course)
    assert cards[0] == {
        "Trained": f"{men_total + women_total:,}", "Men": f"{men_total:,}", "Women": f"{women_total:,}",
        "Share of women": f"{women_total / (men_total + women_total) * 100:.1f} %",
    }
    shown_courses = {(c["Trained"], c["Men"], c["Women"]) for c in cards[1:]}
    assert shown_courses == {(f"{m + w:,}", f"{m:,}", f"{w:,}") for m, w in by_course.values()}
    # the published basic course: 201 = 177 men + 24 women, 11.9 % women
    basic = next(c for c in cards[1:] if c["Trained"] == "201")
    assert (basic["Men"], basic["Women"], basic["Share of women"]) == ("177", "24", "11.9 %")

    assert any("Published figures" in s.value for s in at.success)
    assert any("do not apply to this page" in c for c in texts(at.caption))
    trainees_fig, equipment_fig = plotly_figures(at)
    men_bars, women_bars = trainees_fig["data"]
    assert sum(men_bars["x"]) == men_total and sum(women_bars["x"]) == women_total

    equipment = at.dataframe[0].value
    with demo_store.connect() as conn:
        stored = dict(conn.execute(sa.select(schema.equipment.c.item, schema.equipment.c.quantity)).all())
    assert dict(zip(equipment["item"], equipment["quantity"])) == stored
    assert equipment["source"].notna().all()


def test_training_page_ignores_the_sidebar_filters(monkeypatch, demo_url, fresh_caches):
    unfiltered = metrics(open_page(monkeypatch, demo_url, "training.py"))
    filtered = open_page(monkeypatch, demo_url, "training.py", {"region": "PZ", "from": "2022", "to": "2022"})
    assert not filtered.exception
    assert filtered.multiselect(key="f_regions").value == ["PZ"]  # the filter is set ...
    assert metrics(filtered) == unfiltered  # ... and does not change the published figures


def test_training_page_on_an_empty_store(monkeypatch, empty_url, fresh_caches):
    at = open_page(monkeypatch, empty_url, "training.py")
    assert not at.exception
    assert not at.metric
    assert not at.success  # nothing shown, so nothing claimed as published
    info = texts(at.info)
    assert any("No training figures" in i for i in info)
    assert any("No equipment deliveries" in i for i in info)


# --- Roadmap KPIs ---

def expected_kpi_table(engine, flt=SeizureFilter()) -> pd.DataFrame:
    return kpis.kpi_table(queries.contributing_kpis(engine), queries.kpi_values_in_period(engine, flt))


def shown_badges(at) -> list[str]:
    return [m.value.split("]")[0].split(": ")[-1] for m in at.markdown if "-badge[" in m.value]


def test_kpi_page_statuses_are_the_rules_on_the_store(monkeypatch, demo_url, demo_store, fresh_caches):
    at = open_page(monkeypatch, demo_url, "kpis.py")
    assert not at.exception
    expected = expected_kpi_table(demo_store)
    counts = kpis.status_counts(expected)
    assert sum(counts.values()) == len(expected) == 5
    shown = dict(metrics(at))
    assert {s: int(shown[s.capitalize()]) for s in kpis.STATUSES} == counts
    table = at.dataframe[0].value
    assert table["number"].tolist() == expected["number"].tolist()
    assert table["status"].tolist() == expected["status"].tolist()
    assert table["latest_value"].tolist() == pytest.approx(expected["latest_value"].tolist(), nan_ok=True)
    # one card per KPI, each with its badge (cards are grouped by goal, so compare as multisets)
    assert sorted(shown_badges(at)) == sorted(expected["status"])
    shown_latest = sorted((label, value) for label, value in metrics(at) if label.startswith("Actual"))
    assert shown_latest == sorted(
        (f"Actual {k.latest_year}", f"{k.latest_value:,.0f}") if pd.notna(k.latest_value) else ("Actual", "–")
        for k in expected.itertuples()
    )


def test_kpi_page_labels_illustrative_values_and_unverified_wording(monkeypatch, demo_url, demo_store, fresh_caches):
    at = open_page(monkeypatch, demo_url, "kpis.py")
    assert any("KPI values are illustrative" in w.value for w in at.warning)
    goals = queries.contributing_goals(demo_store)
    unconfirmed = (goals["wording_status"] != "confirmed").sum()
    captions = texts(at.caption)
    assert sum("Wording to be verified" in c for c in captions) == unconfirmed > 0
    untitled = queries.contributing_kpis(demo_store)["title"].isna().sum()
    assert sum("Title not available" in c for c in captions) == untitled
    assert [s.value for s in at.subheader if s.value.startswith("Goal ")] == [f"Goal {n}" for n in goals["number"]]
    assert any("How the status is computed" in m.value for m in at.markdown)
    assert any("selects the KPI years" in c for c in captions)


def test_kpi_page_follows_the_period(monkeypatch, demo_url, demo_store, fresh_caches):
    at = open_page(monkeypatch, demo_url, "kpis.py", {"from": "2019", "to": "2021"})
    assert not at.exception
    expected = expected_kpi_table(demo_store, SeizureFilter(year_from=2019, year_to=2021))
    table = at.dataframe[0].value
    assert set(table["latest_year"].dropna()) == {2021}
    assert table["status"].tolist() == expected["status"].tolist()
    assert table["latest_value"].tolist() == pytest.approx(expected["latest_value"].tolist(), nan_ok=True)
    # moving the period in the sidebar changes the latest actual again
    at.slider(key="f_years").set_value((2019, 2020)).run()
    expected = expected_kpi_table(demo_store, SeizureFilter(year_from=2019, year_to=2020))
    table = at.dataframe[0].value
    assert set(table["latest_year"].dropna()) == {2020}
    assert table["latest_value"].tolist() == pytest.approx(expected["latest_value"].tolist(), nan_ok=True)


def test_kpi_page_on_an_empty_store(monkeypatch, empty_url, fresh_caches):
    at = open_page(monkeypatch, empty_url, "kpis.py")
    assert not at.exception
    assert any("No Roadmap KPIs" in i for i in texts(at.info))
    assert any("KPI values are illustrative" in w.value for w in at.warning)


# --- About & methodology ---

def test_about_page_shows_the_last_load_sources_and_the_check(monkeypatch, demo_url, demo_store, fresh_caches):
    at = open_page(monkeypatch, demo_url, "about.py")
    assert not at.exception
    imports = schema.imports
    with demo_store.connect() as conn:
        last = conn.execute(
            sa.select(sa.func.max(imports.c.imported_at)).where(imports.c.rolled_back_at.is_(None))
        ).scalar_one()
        seizure_rows = conn.execute(sa.select(sa.func.count()).select_from(schema.seizures)).scalar_one()
    shown = dict(metrics(at))
    assert shown["Last data load (server time)"] == f"{last:%Y-%m-%d %H:%M}"

    check = queries.published_vs_recorded(demo_store)
    firearms = check[check["indicator"] == "firearms_confiscated"]
    matched = f"{firearms['consistent'].sum()} of {len(firearms)}"
    assert shown["Firearms (pieces): years matching the published total"] == matched
    assert len(firearms) == 4 and firearms["consistent"].all()
    assert not any("do not add up" in w.value for w in at.warning)

    sources = next(d.value for d in at.dataframe if "dataset" in d.value)
    records = sources[sources["dataset"] == "Seizure records"]
    assert records["rows"].sum() == seizure_rows
    assert set(records["illustrative"]) == {"illustrative"}
    assert set(sources.loc[sources["dataset"] == "Published national totals", "illustrative"]) == {"published"}
    assert any("How the status is computed" in m.value for m in at.markdown)
    assert any("do not apply to this page" in c for c in texts(at.caption))


def test_about_page_warns_when_records_miss_a_published_total(monkeypatch, empty_url, fresh_caches):
    engine = store.make_engine(empty_url)
    seed.load_demo(engine)
    s = schema.seizures
    with engine.begin() as conn:
        first_2022 = conn.execute(
            sa.select(sa.func.min(s.c.id)).where(s.c.category == "firearm", sa.extract("year", s.c.seized_on) == 2022)
        ).scalar_one()
        conn.execute(s.delete().where(s.c.id == first_2022))
        summary.rebuild(conn)  # a line deleted directly, not by a rollback
    engine.dispose()
    at = open_page(monkeypatch, empty_url, "about.py")
    assert not at.exception
    assert dict(metrics(at))["Firearms (pieces): years matching the published total"] == "3 of 4"
    assert any("Firearms (pieces) 2022" in w.value for w in at.warning)


def test_about_page_on_an_empty_store(monkeypatch, empty_url, fresh_caches):
    at = open_page(monkeypatch, empty_url, "about.py")
    assert not at.exception
    assert not at.metric
    assert any("No recorded data load" in i for i in texts(at.info))


def test_number_and_percent_formatting():
    from seizures import i18n

    assert i18n.number(1234567) == "1,234,567"
    assert i18n.number(1350.0) == "1,350"
    assert i18n.number(2.25) == "2.2"
    assert i18n.number(150, signed=True) == "+150"
    assert i18n.number(-13.0, signed=True) == "-13"
    assert i18n.number(None) == i18n.number(float("nan")) == "–"
    assert i18n.percent(24 / 201 * 100) == "11.9 %"
    assert i18n.percent(0.0) == "0.0 %"
    assert i18n.percent(float("nan")) == "–"


def test_kpi_page_shows_a_title_once_it_is_filled_in(monkeypatch, empty_url, fresh_caches):
    engine = store.make_engine(empty_url)
    seed.load_demo(engine)
    with engine.begin() as conn:
        kpi_table = schema.roadmap_kpis
        conn.execute(kpi_table.update().where(kpi_table.c.number == 4).values(title="Test title four"))
    untitled = queries.contributing_kpis(engine)["title"].isna().sum()
    engine.dispose()
    at = open_page(monkeypatch, empty_url, "kpis.py")
    assert not at.exception
    assert any(m.value == "Test title four" for m in at.markdown)
    assert not any(m.value in ("nan", "None") for m in at.markdown)
    assert sum("Title not available" in c for c in texts(at.caption)) == untitled == 4
