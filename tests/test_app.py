"""The app driven through Streamlit's AppTest, on the demo store and on an empty store."""

from pathlib import Path

import plotly.io as pio
import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def run_app(monkeypatch, url, params=None) -> AppTest:
    monkeypatch.setenv("SEIZURES_DB_URL", url)
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    return at.run()


def test_overview_shows_the_published_totals(monkeypatch, demo_url, fresh_caches):
    at = run_app(monkeypatch, demo_url)
    assert not at.exception
    chart = next(c for c in at.get("plotly_chart") if c.proto.id.endswith("chart_trend_firearm_pieces"))
    published = next(t for t in pio.from_json(chart.proto.spec).data if t.name == "Published national total")
    # Every single-year figure, 2016 ("more than 1,290") before the records begin included; 2017-2021 together is
    # not a point of the line (it is in the table of published figures below it).
    points = {x: y for x, y in zip(published.x, published.y) if y is not None and y == y}
    assert points == {2016: 1290, 2019: 1439, 2020: 1135, 2021: 1280, 2022: 1473, 2023: 1392}
    assert [x for x, y in zip(published.x, published.y) if not (y is not None and y == y)] == [2017, 2018]  # a gap
    table = next(d.value for d in at.dataframe if "Published figure" in d.value)
    assert "6,538" in set(table["Published figure"]) and "2017–2021" in set(table["Years"])


def test_a_rerun_with_a_filter_seen_before_builds_no_figure_again(monkeypatch, demo_url, fresh_caches):
    # Figures and tables derived from query results are cached by their inputs' values (data._pickled); each run
    # gets fresh copies of the query results, whose keys must come out the same, or every run builds them again.
    from seizures.dashboard import data

    at = run_app(monkeypatch, demo_url)
    for regions in (["PE"], []):
        at.multiselect(key="f_regions").set_value(regions).run()
    built = []
    cached = data._derived

    def counted(name, language, _compute, *args):
        return cached(name, language, lambda *a: built.append(name) or _compute(*a), *args)

    monkeypatch.setattr(data, "_derived", counted)
    for regions in (["PE"], []):
        at.multiselect(key="f_regions").set_value(regions).run()
    assert not at.exception and built == []
    at.multiselect(key="f_regions").set_value(["PZ"]).run()  # inputs not seen before: built, not taken for others
    assert "figure of seizures.charts.yearly_trend" in built and "seizures.changes.from_frames" in built


def test_app_runs_on_an_empty_store(monkeypatch, empty_url, fresh_caches):
    at = run_app(monkeypatch, empty_url)
    assert not at.exception
    assert any("This store holds no reference data yet" in i.value for i in at.info)  # what to load first


def test_a_store_initialised_while_the_app_runs_is_found_on_the_next_run(monkeypatch, tmp_path, fresh_caches):
    from seizures import store

    url = f"duckdb:///{tmp_path / 'later.duckdb'}"
    for _ in range(2):  # asked again on each run until the schema is there
        at = run_app(monkeypatch, url)
        assert any("no tables yet" in e.value for e in at.error)
    engine = store.make_engine(url)
    store.init_db(engine)
    engine.dispose()
    at = run_app(monkeypatch, url)  # same process and caches: only a store with its schema is remembered
    assert not at.error and not at.exception
    assert any("This store holds no reference data yet" in i.value for i in at.info)  # what to load first


@pytest.mark.parametrize("mode", ["development", "login"])
def test_a_store_behind_the_program_asks_for_seizures_init(monkeypatch, tmp_path, fresh_caches, mode):
    # The program updated, its store not yet: the login itself reads a table the last migration adds. Every mode
    # says what to run instead of failing on a missing table; `seizures init` (the CLI's upgrade) then opens it.
    import sqlalchemy as sa

    from seizures import migrations, store

    if mode == "login":
        monkeypatch.setenv("SEIZURES_AUTH", "password")
        monkeypatch.setenv("SEIZURES_USERS_FILE", str(tmp_path / "users.yaml"))
    url = f"duckdb:///{tmp_path / 'behind.duckdb'}"
    engine = store.make_engine(url)
    previous = migrations.scripts().get_revision(migrations.head()).down_revision
    with engine.begin() as conn:
        migrations.upgrade(conn, previous)
    at = run_app(monkeypatch, url)
    assert not at.exception
    assert [e.value for e in at.error] == [
        "The seizure store's schema is older than this program's: run `seizures init` to upgrade it (see README)."]
    assert not at.text_input  # no login form before the store can hold it
    store.init_db(engine)
    with engine.begin() as conn:  # a revision this program does not know: a newer program's store
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    at = run_app(monkeypatch, url)
    assert [e.value for e in at.error] == [
        "The seizure store's schema (9999) is newer than this program's: install the newer program."]


def test_url_parameters_restore_the_filter(monkeypatch, demo_url, fresh_caches):
    at = run_app(monkeypatch, demo_url, {"region": "PZ,GJ", "category": "firearm", "from": "2021", "to": "2022"})
    assert not at.exception
    assert at.multiselect(key="f_regions").value == ["PZ", "GJ"]
    assert at.multiselect(key="f_categories").value == ["firearm"]
    assert at.slider(key="f_years").value == (2021, 2022)
    assert at.query_params["region"] == "PZ,GJ"


@pytest.mark.parametrize("params", [{"region": "Atlantis"}, {"from": "1800"}, {"weapon": "<script>"}])
def test_invalid_url_values_warn_and_fall_back(monkeypatch, demo_url, fresh_caches, params):
    at = run_app(monkeypatch, demo_url, params)
    assert not at.exception
    assert at.warning, "expected a visible warning"
    assert at.multiselect(key="f_regions").value == []


def test_every_run_sends_the_filter_values_to_the_browser(monkeypatch, demo_url, fresh_caches):
    # The link's values were sent with the first run only; when Streamlit dropped that run's output (a second run
    # started before it reached the browser, as the login cookie's component makes it do), the browser drew the
    # widgets empty while the figures followed the link. Each run must carry the values itself.
    at = run_app(monkeypatch, demo_url, {"region": "PZ,GJ", "from": "2021"})
    for _ in range(2):
        regions, years = at.multiselect(key="f_regions"), at.slider(key="f_years")
        assert regions.proto.set_value and years.proto.set_value
        assert list(regions.proto.raw_values) == ["Prizren", "Gjakova"] and list(years.proto.value) == [2021, 2024]
        at = at.run()
