"""The Roadmap's wording edited by an administrator: saved with an audit row per change (who, when, old and new value),
refused whole when it cannot be stored, exported, kept across a reload of the demo, and shown on the KPI cards."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from seizures import queries, schema, seed, store, wording

PHASE = "roadmap-2024"
APP = str(Path(__file__).resolve().parents[1] / "app.py")


def edit(frame: pd.DataFrame, number: int, **values) -> pd.DataFrame:
    out = frame.copy()
    for field, value in values.items():
        out.loc[out["number"] == number, field] = value
    return out


def stored(engine, table, number: int) -> dict:
    with engine.connect() as conn:
        row = conn.execute(sa.select(table).where(table.c.phase_code == PHASE, table.c.number == number)).one()
    return dict(row._mapping)


def test_a_saved_edit_changes_the_wording_and_audits_each_field(any_demo_copy_engine):
    engine = any_demo_copy_engine
    before = wording.current(engine, "roadmap_kpis", PHASE)
    assert before["number"].tolist() == list(range(1, 15)) and before["title"].isna().all()
    after = edit(before, 4, title="  A KPI title typed in  ", definition="How it is counted.",
                 wording_status="unconfirmed")
    saved = wording.save(engine, before, after, "roadmap_kpis", PHASE, "admin.one")
    assert [(c.number, c.field, c.old, c.new) for c in saved] == [
        (4, "title", None, "A KPI title typed in"), (4, "definition", None, "How it is counted."),
        (4, "wording_status", "not available", "unconfirmed")]
    row = stored(engine, schema.roadmap_kpis, 4)
    assert (row["title"], row["definition"], row["wording_status"]) == (
        "A KPI title typed in", "How it is counted.", "unconfirmed")
    assert row["goal_number"] == 3 and row["project_contributes"]  # the rest of the row is untouched
    history = wording.history(engine)
    assert history[["user_name", "table_name", "phase_code", "number"]].drop_duplicates().values.tolist() == [
        ["admin.one", "roadmap_kpis", PHASE, 4]]
    assert set(zip(history["field"], history["old_value"].fillna("∅"), history["new_value"])) == {
        ("title", "∅", "A KPI title typed in"), ("definition", "∅", "How it is counted."),
        ("wording_status", "not available", "unconfirmed")}
    assert history["changed_at"].nunique() == 1
    # The card's data: the page reads the title through contributing_kpis.
    assert queries.contributing_kpis(engine, PHASE).set_index("number").at[4, "title"] == "A KPI title typed in"

    # A second edit: the audit says what it was and what it became, newest first.
    again = wording.current(engine, "roadmap_kpis", PHASE)
    wording.save(engine, again, edit(again, 4, title="Corrected title", wording_status="confirmed"), "roadmap_kpis",
                 PHASE, "admin.two")
    newest = wording.history(engine).iloc[:2]
    assert set(zip(newest["field"], newest["old_value"], newest["new_value"], newest["user_name"])) == {
        ("title", "A KPI title typed in", "Corrected title", "admin.two"),
        ("wording_status", "unconfirmed", "confirmed", "admin.two")}


def test_goal_wording_and_its_status(demo_copy_engine):
    before = wording.current(demo_copy_engine, "roadmap_goals", PHASE)
    assert "definition" not in before
    after = edit(before, 3, wording_status="confirmed")
    [change] = wording.save(demo_copy_engine, before, after, "roadmap_goals", PHASE, "admin")
    assert (change.field, change.old, change.new) == ("wording_status", "unconfirmed", "confirmed")
    assert stored(demo_copy_engine, schema.roadmap_goals, 3)["wording_status"] == "confirmed"


def test_nothing_changed_writes_nothing(demo_copy_engine):
    before = wording.current(demo_copy_engine, "roadmap_kpis", PHASE)
    blanks = edit(before, 5, title="   ")  # blank is empty
    assert wording.save(demo_copy_engine, before, blanks, "roadmap_kpis", PHASE, "admin") == []
    assert wording.history(demo_copy_engine).empty


@pytest.mark.parametrize("values,message", [
    ({"title": "A title"}, "KPI 4: a title needs its status"),
    ({"wording_status": "confirmed"}, "KPI 4: wording checked against the Roadmap needs the wording"),
    ({"wording_status": "approved"}, "'approved' is not one of"),
    ({"title": "bad\x00title", "wording_status": "unconfirmed"}, "KPI 4, title: control characters"),
    ({"definition": "x" * 2001}, "KPI 4, definition: longer than 2,000"),
])
def test_what_cannot_be_stored_is_refused_whole(demo_copy_engine, values, message):
    before = wording.current(demo_copy_engine, "roadmap_kpis", PHASE)
    good = edit(before, 3, title="Fine", wording_status="unconfirmed")
    with pytest.raises(wording.WordingError, match=message):
        wording.save(demo_copy_engine, before, edit(good, 4, **values), "roadmap_kpis", PHASE, "admin")
    assert stored(demo_copy_engine, schema.roadmap_kpis, 3)["title"] is None  # KPI 3's good edit was not saved
    assert wording.history(demo_copy_engine).empty


def test_rows_cannot_be_added_or_removed(demo_copy_engine):
    before = wording.current(demo_copy_engine, "roadmap_kpis", PHASE)
    with pytest.raises(wording.WordingError, match="cannot be added, removed or renumbered"):
        wording.save(demo_copy_engine, before, before.iloc[1:], "roadmap_kpis", PHASE, "admin")
    with pytest.raises(wording.WordingError, match="who makes the change"):
        wording.save(demo_copy_engine, before, before, "roadmap_kpis", PHASE, "")


def test_a_change_made_meanwhile_by_someone_else_is_not_overwritten(demo_copy_engine):
    mine = wording.current(demo_copy_engine, "roadmap_kpis", PHASE)
    theirs = wording.current(demo_copy_engine, "roadmap_kpis", PHASE)
    wording.save(demo_copy_engine, theirs, edit(theirs, 8, title="Theirs", wording_status="unconfirmed"),
                 "roadmap_kpis", PHASE, "them")
    with pytest.raises(wording.WordingError, match="KPI 8 .*changed by someone else"):
        wording.save(demo_copy_engine, mine, edit(mine, 8, title="Mine", wording_status="unconfirmed"),
                     "roadmap_kpis", PHASE, "me")
    assert stored(demo_copy_engine, schema.roadmap_kpis, 8)["title"] == "Theirs"
    assert set(wording.history(demo_copy_engine)["user_name"]) == {"them"}


def test_the_audit_and_the_wording_export_as_csv_safe_for_spreadsheets(demo_copy_engine):
    before = wording.current(demo_copy_engine, "roadmap_kpis", PHASE)
    wording.save(demo_copy_engine, before, edit(before, 10, title="=HYPERLINK(\"x\")", wording_status="unconfirmed"),
                 "roadmap_kpis", PHASE, "admin")
    audit = pd.read_csv(io.BytesIO(wording.history_csv(demo_copy_engine)))
    assert audit.columns.tolist() == wording.HISTORY_COLUMNS
    assert audit.loc[audit["field"] == "title", "new_value"].item() == "'=HYPERLINK(\"x\")"
    current = pd.read_csv(io.BytesIO(wording.wording_csv(demo_copy_engine, PHASE)))
    assert len(current) == 7 + 14 and set(current["kind"]) == {"goal", "KPI"}
    assert current.loc[(current["kind"] == "KPI") & (current["number"] == 10), "title"].item().startswith("'=")


def test_an_edit_outlives_a_reload_of_the_demo(demo_copy_engine):
    before = wording.current(demo_copy_engine, "roadmap_kpis", PHASE)
    wording.save(demo_copy_engine, before, edit(before, 3, title="Kept", wording_status="unconfirmed"),
                 "roadmap_kpis", PHASE, "admin")
    seed.load_demo(demo_copy_engine)  # `seizures init --demo` again: the CSV files are loaded again
    row = stored(demo_copy_engine, schema.roadmap_kpis, 3)
    assert (row["title"], row["wording_status"]) == ("Kept", "unconfirmed")
    assert stored(demo_copy_engine, schema.roadmap_kpis, 4)["title"] is None


def test_the_data_page_saves_an_edit_and_the_kpi_card_shows_it(monkeypatch, demo_copy_url, fresh_caches):
    monkeypatch.setenv("SEIZURES_DB_URL", demo_copy_url)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("app_pages/data.py").run()
    assert not at.exception, at.exception
    editor = at.get("arrow_data_frame")  # the data editor's element
    assert any("Roadmap wording" in s.value for s in at.header)
    # Edit the table as the browser would: the editor's state holds the edited cells by row and column.
    key = "wording_editor_roadmap_kpis_roadmap-2024"
    at.session_state[key] = {"edited_rows": {3: {"title": "Entered title", "wording_status": "unconfirmed"}},
                             "added_rows": [], "deleted_rows": []}
    at.run()
    next(b for b in at.button if b.key == "wording_save").click().run()
    assert not at.exception, at.exception
    assert any("Saved 2 change(s)." in s.value for s in at.success)
    engine = store.make_engine(demo_copy_url)
    assert stored(engine, schema.roadmap_kpis, 4)["title"] == "Entered title"
    assert set(wording.history(engine)["user_name"]) == {"app (no login)"}
    engine.dispose()
    at.switch_page("app_pages/kpis.py").run()
    assert any(m.value == "**Entered title**" for m in at.markdown)
    assert editor is not None
