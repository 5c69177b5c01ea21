"""Events on the timeline: kept in the store (both engines), audited, listed for a filter's period and directorates,
imported all-or-nothing with problems at their row and column, exported spreadsheet-safe, loaded as demo data."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa

from seizures import cli, events, i18n, queries, schema, seed, settings, store
from seizures.events import Event
from seizures.filters import SeizureFilter

D = dt.date
OPERATION = Event(starts_on=D(2022, 3, 14), ends_on=D(2022, 3, 18), region_code="PZ", kind="operation",
                  title_en="Operation in the Prizren region", source="Kosovo Police press release")


def counts(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return tuple(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                     for t in (schema.events, schema.event_changes))


def test_add_edit_remove_are_audited_with_who_when_and_the_values(any_demo_copy_engine):
    engine = any_demo_copy_engine
    before = counts(engine)
    version = queries.data_version(engine)
    event_id = events.add(engine, OPERATION, "ada")
    assert events.get(engine, event_id) == OPERATION
    assert queries.data_version(engine) != version  # the app's caches see the change
    changed = events.Event(**{**OPERATION.values(), "title_en": "Operation Prizren", "title_sq": "Operacioni Prizren"})
    assert events.edit(engine, event_id, changed, "ben") is True
    assert events.edit(engine, event_id, changed, "ben") is False  # nothing changed: no audit row
    events.remove(engine, event_id, "cai")
    assert events.get(engine, event_id) is None
    history = queries.event_history(engine).query("event_id == @event_id").reset_index(drop=True)
    assert history["action"].tolist() == ["remove", "edit", "add"]
    assert history["user_name"].tolist() == ["cai", "ben", "ada"]
    assert (history["changed_at"].diff(-1).dropna() >= pd.Timedelta(0)).all()
    edit = history.iloc[1]
    assert json.loads(edit["old_values"])["title_en"] == "Operation in the Prizren region"
    assert json.loads(edit["new_values"])["title_sq"] == "Operacioni Prizren"
    assert json.loads(history.iloc[0]["old_values"])["starts_on"] == "2022-03-14"
    assert pd.isna(history.iloc[0]["new_values"]) and pd.isna(history.iloc[2]["old_values"])
    assert counts(engine) == (before[0], before[1] + 3)
    with pytest.raises(events.EventError, match="no such event"):
        events.remove(engine, event_id, "cai")


@pytest.mark.parametrize("change,column,reason", [
    ({"ends_on": D(2022, 3, 1)}, "ends_on", "before the start"),
    ({"region_code": "XX"}, "region_code", "unknown directorate"),
    ({"kind": "raid"}, "kind", "unknown kind"),
    ({"title_en": "  "}, "title_en", "required"),
    ({"source": ""}, "source", "required"),
    ({"url": "javascript:alert(1)"}, "url", "not a web address"),
    ({"starts_on": D(1850, 1, 1)}, "starts_on", "a date between"),
    ({"title_sq": "x" * 201}, "title_sq", "longer than 200"),
])
def test_an_invalid_event_is_refused_and_nothing_written(demo_copy_engine, change, column, reason):
    before = counts(demo_copy_engine)
    with pytest.raises(events.EventError) as refused:
        events.add(demo_copy_engine, events.Event(**{**OPERATION.values(), **change}), "ada")
    assert [(c, r) for c, _v, r in refused.value.problems if c == column and reason in r]
    assert counts(demo_copy_engine) == before


def test_the_same_event_twice_is_refused(demo_copy_engine):
    first = events.add(demo_copy_engine, OPERATION, "ada")
    with pytest.raises(events.EventError, match=f"already stored as event #{first}"):
        events.add(demo_copy_engine, events.Event(**{**OPERATION.values(), "title_en": OPERATION.title_en.upper()}),
                   "ada")
    other = events.add(demo_copy_engine, events.Event(**{**OPERATION.values(), "region_code": "PR"}), "ada")
    with pytest.raises(events.EventError, match=f"already stored as event #{first}"):
        events.edit(demo_copy_engine, other, OPERATION, "ada")


def ids_in(engine, **filter_args) -> set[str]:
    return set(queries.events_in_filter(engine, SeizureFilter(**filter_args))["title_en"])


def test_events_in_a_filters_period_and_directorates(any_demo_copy_engine):
    engine = any_demo_copy_engine
    with engine.begin() as conn:
        conn.execute(schema.events.delete())
    cases = {
        "ends the day before 2021": (D(2020, 6, 1), D(2020, 12, 31), None),
        "starts on the last day of 2020": (D(2020, 12, 31), None, None),
        "first day of 2021": (D(2021, 1, 1), None, None),
        "spans the whole period": (D(2019, 5, 1), D(2025, 1, 1), None),
        "last day of 2022, Prizren": (D(2022, 12, 31), None, "PZ"),
        "first day of 2023": (D(2023, 1, 1), None, None),
        "Peja, 2021": (D(2021, 6, 1), D(2021, 6, 3), "PE"),
    }
    for title, (start, end, region) in cases.items():
        events.add(engine, Event(start, "other", title, "test", ends_on=end, region_code=region), "t")
    period = {"year_from": 2021, "year_to": 2022}
    inside = {"first day of 2021", "spans the whole period", "last day of 2022, Prizren", "Peja, 2021"}
    assert ids_in(engine, **period) == inside
    assert ids_in(engine, **period, regions=("PZ",)) == inside - {"Peja, 2021"}
    assert ids_in(engine, **period, regions=("PR", "GJ")) == {"first day of 2021", "spans the whole period"}
    assert ids_in(engine, **period, regions=("PE",), categories=("ammunition",)) == inside - {"last day of 2022, Prizren"}
    assert ids_in(engine) == set(cases)
    assert ids_in(engine, year_to=2020) == {"ends the day before 2021", "starts on the last day of 2020",
                                            "spans the whole period"}
    listed = queries.events_in_filter(engine, SeizureFilter())
    assert listed["starts_on"].tolist() == sorted(listed["starts_on"])


def test_titles_in_the_language_with_english_where_missing():
    frame = pd.DataFrame({"title_en": ["Census", "Training"], "title_sq": ["Regjistrimi", None], "title_sr": ["", "Obuka"]})
    assert events.titles(frame, "sq").tolist() == ["Regjistrimi", "Training"]
    assert events.titles(frame, "sr").tolist() == ["Census", "Obuka"]
    with i18n.using("en"):
        assert events.titles(frame).tolist() == ["Census", "Training"]
    with i18n.using("sr"):
        assert events.kind_label("census") != "Census"


# --- files --------------------------------------------------------------------------------------------------------

HEADER = "id,starts_on,ends_on,region,kind,title_en,title_sq,title_sr,source,url\n"


def write(tmp_path, text: str, name="events.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_adds_and_updates_all_or_nothing(any_demo_copy_engine, tmp_path):
    engine = any_demo_copy_engine
    before = counts(engine)
    good = write(tmp_path, HEADER + ",2022-03-14,2022-03-18,Prizren,operation,Operation Prizren,,,Press release,\n"
                 ",01.06.2023,,,amnesty,Weapons amnesty,Amnistia,,Ministry,https://example.org/amnesty\n")
    result = events.import_file(engine, good, good.name, "ada")
    assert (result.status, result.added, result.updated) == ("imported", 2, 0), result.errors
    assert counts(engine) == (before[0] + 2, before[1] + 2)
    stored = queries.events_in_filter(engine, SeizureFilter(year_from=2022)).set_index("title_en")
    assert stored.loc["Operation Prizren", "region_code"] == "PZ"  # a name, folded to its code
    assert stored.loc["Weapons amnesty", "starts_on"] == D(2023, 6, 1)
    notes = queries.event_history(engine)["note"].head(2).tolist()
    assert sorted(notes) == ["imported from events.csv, row 2", "imported from events.csv, row 3"]

    # A file with one good row and problems elsewhere: nothing written, every problem at its row and column.
    amnesty = int(stored.loc["Weapons amnesty", "id"])
    bad = write(tmp_path, HEADER
                + f"{amnesty},2023-06-01,,,amnesty,Weapons amnesty (extended),,,Ministry,\n"
                + ",2023-13-01,,Atlantis,raid,,,,,\n"
                + ",2024-01-10,2024-01-01,,other,Reversed,,,x,ftp://x\n"
                + ",2022-03-14,2022-03-18,PZ,operation,OPERATION PRIZREN,,,Press release,\n"
                + "999999,2024-02-01,,,other,Ghost,,,x,\n"
                + ",2024-05-05,,,other,Twice,,,x,\n,2024-05-05,,,other,twice,,,x,\n", "bad.csv")
    before = counts(engine)
    rejected = events.import_file(engine, bad, bad.name, "ada")
    assert rejected.status == "rejected" and counts(engine) == before
    problems = {(r.row, r.column): r.reason for r in rejected.errors.itertuples()}
    assert problems.keys() == {(3, "starts_on"), (3, "region"), (3, "kind"), (4, "ends_on"), (4, "url"),
                               (5, "title_en"), (6, "id"), (8, "title_en")}
    assert "already stored as event #" in problems[(5, "title_en")]
    assert problems[(8, "title_en")].startswith("the same event as row 7")
    assert problems[(6, "id")].startswith("no such event")
    assert events.get(engine, amnesty).title_en == "Weapons amnesty"  # the valid edit was not written either


def test_export_then_import_is_unchanged_and_an_edited_cell_is_an_audited_edit(any_demo_copy_engine, tmp_path):
    engine = any_demo_copy_engine
    formula = Event(D(2021, 5, 5), "other", "=HYPERLINK(\"http://evil\",\"click\")", "-2 + 3 @source")
    events.add(engine, formula, "ada")
    data = events.export_csv(events.export_frame(engine))
    exported = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    row = exported[exported["title_en"].str.contains("HYPERLINK")].iloc[0]
    assert row["title_en"].startswith("'=") and row["source"].startswith("'-")  # a spreadsheet shows them as text
    assert not any(exported[c].str.match(r"^[=+\-@\t\r]").any() for c in exported.columns)
    path = tmp_path / "export.csv"
    path.write_bytes(data)
    again = events.import_file(engine, path, path.name, "ben")
    assert (again.status, again.added, again.updated, again.unchanged) == ("unchanged", 0, 0, len(exported))
    assert events.get(engine, int(row["id"])) == formula  # the quote is not stored

    edited = exported.copy()
    edited.loc[edited["id"] == row["id"], "title_sr"] = "Naslov"
    path.write_bytes(edited.to_csv(index=False).encode("utf-8"))
    result = events.import_file(engine, path, path.name, "ben")
    assert (result.status, result.updated, result.unchanged) == ("imported", 1, len(exported) - 1)
    last = queries.event_history(engine).query(f"event_id == {int(row['id'])}").iloc[0]
    assert (last["action"], last["user_name"]) == ("edit", "ben")
    assert json.loads(last["old_values"])["title_sr"] is None and json.loads(last["new_values"])["title_sr"] == "Naslov"


@pytest.mark.parametrize("content,message", [
    (b"", "empty"),
    (b"\x00\x01\x02binary", "not a text file"),
    (b"seized_on,case_ref,quantity\n2022-01-01,PR-1,3\n", "none of the expected column names"),
    (b"starts_on,kind,title_en,source\n", "no rows"),
    (b"PK\x03\x04broken", "damaged"),
])
def test_hostile_files_are_refused_whole(demo_copy_engine, tmp_path, content, message):
    before = counts(demo_copy_engine)
    path = tmp_path / "hostile.csv"
    path.write_bytes(content)
    result = events.import_file(demo_copy_engine, path, path.name, "ada")
    assert result.status == "rejected" and message in result.file_error
    assert counts(demo_copy_engine) == before


def test_an_xlsx_formula_is_reported_at_its_cell(demo_copy_engine, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["starts_on", "kind", "title_en", "source"])
    sheet.append(["2022-01-01", "other", "Fine", "x"])
    sheet.append(["2022-01-02", "other", "=1+1", "x"])
    path = tmp_path / "events.xlsx"
    workbook.save(path)
    before = counts(demo_copy_engine)
    result = events.import_file(demo_copy_engine, path, path.name, "ada")
    assert result.status == "rejected" and counts(demo_copy_engine) == before
    assert result.errors[["row", "column"]].values.tolist() == [[3, "title_en"]]
    assert "formula" in result.errors["reason"].iloc[0]


def test_missing_and_unknown_columns(demo_copy_engine, tmp_path):
    path = write(tmp_path, "starts_on,title,colour\n2022-01-01,A,red\n")
    result = events.import_file(demo_copy_engine, path, path.name, "ada")
    problems = {(r.column, r.reason.split(";")[0]) for r in result.errors.itertuples()}
    assert problems == {("colour", "unknown column"), ("kind", "required column missing"),
                        ("source", "required column missing")}


# --- demo and command line ----------------------------------------------------------------------------------------


def test_the_demo_events_are_the_referenced_ones_and_load_once(any_demo_copy_engine):
    engine = any_demo_copy_engine
    frame = queries.events_in_filter(engine, SeizureFilter())
    assert len(frame) == 7 and frame["region_code"].isna().all()  # all national
    by_title = frame.set_index("title_en")
    assert by_title.loc["Western Balkans SALW Control Roadmap adopted at the London Summit", "starts_on"] == D(2018, 7, 10)
    assert by_title.loc["Roadmap 2030 endorsed in Budva by the region's interior ministers", "starts_on"] == D(2024, 10, 28)
    project = by_title.loc["CPIAT project (Kosovo Police)"]
    assert (project["starts_on"], project["ends_on"]) == (D(2020, 2, 1), D(2022, 6, 30))
    trainings = frame[frame["kind"] == "training"]
    assert len(trainings) == 3 and (trainings["starts_on"] == D(2020, 2, 1)).all()
    assert trainings["source"].str.contains("dates are not published").all()
    assert by_title.loc["2024 population census", "source"].startswith("Kosovo Agency of Statistics")
    assert frame["title_sq"].notna().all() and frame["title_sr"].notna().all()
    before = counts(engine)
    assert seed.load_demo(engine)["events"] == 0
    assert counts(engine) == before


def test_the_trainings_in_the_demo_events_match_the_published_courses():
    courses = pd.read_csv(settings.data_dir() / "trainings.csv")
    demo = pd.read_csv(settings.data_dir() / "events.csv")
    for course in courses.itertuples():
        title = demo.loc[demo["title_en"].str.startswith(course.course + ":"), "title_en"]
        assert len(title) == 1 and f"{course.men + course.women}" in title.iloc[0]


def test_cli_events_list_export_import(demo_copy_url, tmp_path, capsys):
    base = ["--db-url", demo_copy_url, "events"]
    assert cli.main([*base, "list", "--from", "2024", "--region", "PZ"]) == 0
    listed = capsys.readouterr().out
    assert "2024 population census" in listed and "CPIAT" not in listed and "national" in listed
    assert cli.main([*base, "list", "--region", "XX"]) == cli.EXIT_BAD_INPUT
    assert "unknown directorate" in capsys.readouterr().err
    out = tmp_path / "events.csv"
    assert cli.main([*base, "export", "--out", str(out)]) == 0
    assert "(7 events)" in capsys.readouterr().out
    assert cli.main([*base, "import", str(out)]) == 0
    assert "0 event(s) added, 0 updated, 7 unchanged" in capsys.readouterr().out
    bad = write(tmp_path, "starts_on,kind,title_en,source\nyesterday,other,A,x\n", "bad.csv")
    assert cli.main([*base, "import", str(bad)]) == cli.EXIT_REJECTED
    assert "not a date" in capsys.readouterr().err


def test_an_empty_store_has_no_events(any_engine):
    assert queries.events_in_filter(any_engine, SeizureFilter()).empty
    assert list(queries.events_in_filter(any_engine, SeizureFilter()).columns) == list(queries.EVENT_COLUMNS)
    assert events.export_frame(any_engine).empty
    assert store.table_counts(any_engine)["events"] == 0
