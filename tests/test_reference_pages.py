"""The pages on a store without reference data (what to load first, never a crash, never Kosovo), on a second,
made-up jurisdiction, and the Data page's "Reference data" section driven through AppTest: replace a table from a
file, see the problems of a bad one, edit the published totals, save, roll back."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from seizures import queries, referencedata, store
from test_referencedata import load_second_jurisdiction

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGES = ["app_pages/overview.py", "app_pages/regions.py", "app_pages/map.py", "app_pages/weapons.py",
         "app_pages/records.py", "app_pages/training.py", "app_pages/kpis.py", "app_pages/data.py",
         "app_pages/about.py"]
DATA_PAGE = "app_pages/data.py"
SETUP = "This store holds no reference data yet."


def everything_shown(at: AppTest) -> str:
    """The text of every element of the run, main area and sidebar: texts, labels, tables, figures."""
    parts = []
    for node in (*at.main, *at.sidebar):
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        if node.type == "arrow_data_frame":
            parts.append(node.value.to_csv())
    return "\n".join(parts)


def published_shown(at: AppTest) -> dict[str, str]:
    """The Overview's table of published figures: firearms' years -> the figure as shown."""
    frame = next(f.value for f in at.dataframe if "Published figure" in f.value.columns)
    firearms = frame[frame["Measure"] == "Firearms (pieces)"]
    return dict(zip(firearms["Years"], firearms["Published figure"]))


def app_on(monkeypatch, url: str) -> AppTest:
    monkeypatch.setenv("SEIZURES_DB_URL", url)
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    assert not at.exception
    return at


def test_every_page_of_an_empty_store_says_what_to_load_first(monkeypatch, empty_url, fresh_caches):
    at = app_on(monkeypatch, empty_url)
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        assert any(SETUP in info.value for info in at.info), page
        shown = everything_shown(at)
        assert "seizures reference import" in shown and "Kosovo" not in shown, page


def test_every_page_of_a_second_jurisdiction_shows_its_own_names(monkeypatch, tmp_path, fresh_caches):
    url = f"duckdb:///{tmp_path / 'second.duckdb'}"
    load_second_jurisdiction(url)
    at = app_on(monkeypatch, url)
    # With its jurisdiction and vocabulary loaded, the pages no longer ask for them: each says what it lacks.
    lacking = {"app_pages/regions.py": "No seizure records are stored yet", "app_pages/weapons.py":
               "No seizure records are stored yet", "app_pages/records.py": "No seizure records are stored yet",
               "app_pages/training.py": "No training figures in the store yet", "app_pages/kpis.py":
               "No Roadmap phases in the store yet"}
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        shown = everything_shown(at)
        assert "Kosovo" not in shown, page
        assert not any(SETUP in info.value for info in at.info), page
        if page in lacking:
            assert any(lacking[page] in info.value for info in at.info), page
    at.switch_page("app_pages/overview.py").run()
    assert at.title[0].value == "Firearms seizures in Northmark"
    figures = [f.value for f in at.dataframe if "Published figure" in f.value.columns]
    assert figures and sorted(figures[0]["Published figure"]) == ["412", "about 2,010", "more than 15,000"]


@pytest.fixture()
def data_page(monkeypatch, demo_copy_url, fresh_caches) -> AppTest:
    at = app_on(monkeypatch, demo_copy_url)
    at.switch_page(DATA_PAGE).run()
    assert not at.exception
    return at


def choose(at: AppTest, table: str) -> None:
    at.selectbox(key="reference_table").set_value(table).run()
    assert not at.exception


def upload(at: AppTest, table: str, name: str, content: bytes) -> None:
    choose(at, table)
    at.file_uploader(key=f"reference_upload_{table}").set_value((name, content, "text/csv"))
    at.run()
    at.button(key="reference_import").click().run()
    assert not at.exception


def problems_shown(at: AppTest) -> pd.DataFrame | None:
    for frame in at.dataframe:
        if list(frame.value.columns) == ["file", "row", "column", "value", "reason"]:
            return frame.value
    return None


def test_a_replaced_table_shows_on_the_pages_without_a_restart(data_page, demo_copy_url):
    at = data_page
    at.switch_page("app_pages/regions.py").run()
    assert "Prizren Renamed" not in everything_shown(at)
    regions = referencedata.export_frame(store.make_engine(demo_copy_url), "regions")
    regions.loc[regions["code"] == "PZ", "name_en"] = "Prizren Renamed"
    at.switch_page(DATA_PAGE).run()
    upload(at, "regions", "regions.csv", regions.to_csv(index=False).encode())
    assert [s.value for s in at.success] == [
        "Regions replaced by 8 rows (it held 8) as import #2; it can be rolled back below."]
    history = [f.value for f in at.dataframe if "imported at" in f.value.columns and "rows" in f.value.columns]
    assert history and history[0]["import"].tolist() == [2]
    at.switch_page("app_pages/regions.py").run()
    assert "Prizren Renamed" in everything_shown(at)


def test_a_bad_reference_file_shows_its_problems_and_changes_nothing(data_page, demo_copy_url):
    at = data_page
    engine = store.make_engine(demo_copy_url)
    before = referencedata.export_csv(engine, "published_totals")
    content = b"year_from,year_to,category,unit,value,qualifier,source,url\n2017-2021,,firearm,pieces,6538,,s,\n" \
              b"2020,,firearm,kg,1,,s,\n2021,,firearm,pieces,12a,,s,\n"
    upload(at, "published_totals", "totals.csv", content)
    assert any("Nothing imported into Published totals: 2 problem(s)" in e.value for e in at.error)
    problems = problems_shown(at)
    assert list(zip(problems["row"], problems["column"])) == [(3, "unit"), (4, "value")]
    assert referencedata.export_csv(engine, "published_totals") == before
    assert any(b.label == "Download the problems (CSV)" for b in at.get("download_button"))


def test_a_published_total_edited_saved_and_rolled_back(data_page, demo_copy_url):
    at = data_page
    engine = store.make_engine(demo_copy_url)
    choose(at, "published_totals")
    editor = at.data_editor[0].value
    second = editor.iloc[1]
    assert (second["year_from"], second["category"], second["value"]) == (2016, "firearm", 1290)
    at.session_state["published_editor"] = {"edited_rows": {1: {"value": 1300}}, "deleted_rows": [],
                                             "added_rows": [{"year_from": 2015, "category": "firearm", "unit": "pieces",
                                                             "value": 1000, "source": "test"}]}
    at.run()
    at.button(key="published_save").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == [
        "Published totals replaced by 13 rows (it held 12) as import #2; it can be rolled back below."]
    published = queries.published(engine).set_index(["year_from", "year_to", "category", "unit"])
    assert published.at[(2016, 2016, "firearm", "pieces"), "value"] == 1300
    assert published.at[(2015, 2015, "firearm", "pieces"), "value"] == 1000
    shown = at.data_editor[0].value  # the editor starts again from what is stored, without the saved edits
    assert shown.iloc[0]["year_from"] == 2015 and shown.iloc[2]["value"] == 1300
    at.button(key="published_save").click().run()
    assert [i.value for i in at.info if "nothing changed" in i.value] == [
        "Published totals already holds exactly these 13 rows: nothing changed."]
    at.switch_page("app_pages/overview.py").run()
    assert published_shown(at)["2016"].endswith("1,300")

    at.switch_page(DATA_PAGE).run()
    choose(at, "published_totals")
    assert at.button(key="reference_rollback").disabled  # not before the confirmation
    at.checkbox(key="reference_rollback_confirm").check().run()
    at.button(key="reference_rollback").click().run()
    assert not at.exception
    assert any("Rolled back import #2: Published totals holds its 12 rows from before it again." in s.value
               for s in at.success)
    assert len(queries.published(engine)) == 12
    at.switch_page("app_pages/overview.py").run()
    assert published_shown(at)["2016"].endswith("1,290")  # a hover's "-1,300" elsewhere on the page is another figure


def test_an_edit_with_a_problem_is_not_saved(data_page, demo_copy_url):
    at = data_page
    choose(at, "published_totals")
    at.session_state["published_editor"] = {"edited_rows": {2: {"value": -5}}, "deleted_rows": [], "added_rows": []}
    at.run()
    at.button(key="published_save").click().run()
    problems = problems_shown(at)
    assert list(zip(problems["file"], problems["row"], problems["column"])) == [("edited on the Data page", 4, "value")]
    assert len(referencedata.history(store.make_engine(demo_copy_url), "published_totals")) == 0


def test_the_past_imports_rollback_restores_a_reference_import(data_page, demo_copy_url):
    at = data_page
    engine = store.make_engine(demo_copy_url)
    before = referencedata.export_csv(engine, "equipment")
    result = referencedata.save_frame(engine, "equipment", referencedata.rows_frame(engine, "equipment").iloc[:2], "edit")
    assert result.status == "imported"
    at.switch_page(DATA_PAGE).run()
    at.selectbox(key="rollback_id").set_value(result.import_id).run()
    at.checkbox(key="rollback_confirm").check().run()
    at.button(key="rollback").click().run()
    assert not at.exception
    assert any(f"Rolled back import #{result.import_id}: Equipment holds its 11 rows from before it again." in s.value
               for s in at.success)
    assert referencedata.export_csv(engine, "equipment") == before
