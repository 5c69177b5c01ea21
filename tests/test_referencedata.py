"""Reference data through the product (referencedata.py): each rule refusing at its boundary with file, row and
column; round trips; rollback restoring exactly; codes that stored rows use cannot disappear; hostile files; the
demo's files loaded through the same rules; a second, made-up jurisdiction loaded by the documented commands only."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa
from frictionless import Schema

from import_files import csv_bytes, row
from seizures import cli, ingest, queries, reference, referencedata, schema, seed, settings, store, upload

DATA = settings.data_dir()
SECOND = Path(__file__).parent / "data" / "second_jurisdiction"
TODAY = dt.date.today()


def text(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def stored(engine, name: str) -> pd.DataFrame:
    with engine.connect() as conn:
        return referencedata.current_frame(conn, name)


def imports_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(schema.imports)).scalar_one()


def refused(engine, name: str, content: bytes, file_name: str = "bad.csv") -> pd.DataFrame:
    """Import a file that must be refused; check that nothing was written; return its problems."""
    before, audits = stored(engine, name), imports_count(engine)
    result = referencedata.import_file(engine, name, content, file_name)
    assert result.status == "rejected", result.summary()
    assert stored(engine, name).equals(before) and imports_count(engine) == audits
    assert result.file_error or not result.problems.empty
    return result.problems


def problem(problems: pd.DataFrame, row, column: str, fragment: str, file_name: str = "bad.csv") -> None:
    """One of the problems names the file, the row (None: no row of the file) and the column, with the reason."""
    found = problems[(problems["column"] == column) & (problems["file"] == file_name)
                     & (problems["row"].isna() if row is None else problems["row"] == row)]
    assert any(fragment in reason for reason in found["reason"]), (
        f"no problem at row {row}, column {column} with {fragment!r}:\n{referencedata.problem_lines(problems)}")


# --- the descriptors --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", referencedata.NAMES)
def test_each_descriptor_is_a_valid_table_schema_of_its_table(name):
    spec = referencedata.descriptor(name)
    assert Schema.validate_descriptor(spec).valid
    table = referencedata.table_of(name)
    assert set(referencedata.columns(name)) == {c.name for c in table.c if c.name != "id"}
    for field in spec["fields"]:
        assert field.get("title") and field.get("description"), field["name"]
        column = table.c[field["name"]]
        if not column.nullable and (name, column.name) != ("published_totals", "year_to"):  # empty: year_from's
            assert field.get("constraints", {}).get("required"), f"{name}.{column.name} is NOT NULL in the store"
    for columns, target, target_columns in referencedata.foreign_keys(name):
        assert len(columns) == len(target_columns) and set(columns) <= set(referencedata.columns(name))
        assert set(target_columns) <= set(referencedata.columns(target))


# --- the demo's files: loaded through the rules, exported back, round trip ---------------------------------------


ORDERLESS = ("municipalities", "published_totals", "roadmap_goals", "roadmap_kpis", "kpi_values")


def test_the_demo_files_load_and_export_as_they_were(any_engine):
    with any_engine.begin() as conn:
        counts = referencedata.load_folder(conn, DATA)
    for name in referencedata.NAMES:
        shipped = pd.read_csv(DATA / f"{name}.csv", dtype=str, keep_default_na=False)
        exported = referencedata.export_frame(any_engine, name)
        assert counts[name] == len(shipped) == len(exported)
        assert list(exported.columns) == list(shipped.columns), name
        if name in ORDERLESS:  # no column keeps the file's order: the export is sorted by the primary key
            numeric = {f["name"] for f in referencedata.descriptor(name)["fields"] if f["type"] == "integer"}
            shipped = shipped.sort_values(referencedata.descriptor(name)["primaryKey"],
                                          key=lambda c: c.astype(int) if c.name in numeric else c).reset_index(drop=True)
        # The same values (numbers compared as numbers: 20.740 is written 20.74).
        for column in shipped.columns:
            a, b = shipped[column], exported[column]
            as_numbers = pd.to_numeric(a.replace("", None), errors="coerce")
            if as_numbers.notna().sum() == (a != "").sum() and (a != "").any():
                assert as_numbers.astype(float).equals(pd.to_numeric(b.replace("", None)).astype(float)), (name, column)
            else:
                assert a.tolist() == b.tolist(), (name, column)


@pytest.mark.parametrize("name", referencedata.NAMES)
def test_export_then_import_changes_nothing(any_demo_copy_engine, name):
    exported = referencedata.export_csv(any_demo_copy_engine, name)
    before = stored(any_demo_copy_engine, name)
    result = referencedata.import_file(any_demo_copy_engine, name, exported, f"{name}.csv")
    assert result.status == "unchanged", result.summary() + "\n" + referencedata.problem_lines(result.problems)
    assert stored(any_demo_copy_engine, name).equals(before)
    assert referencedata.export_csv(any_demo_copy_engine, name) == exported


def test_round_trip_into_another_store_keeps_awkward_text(any_demo_copy_engine, empty_engine):
    """Text a spreadsheet would run is exported with an apostrophe (safe to open) and imported as it was."""
    awkward = ["=HYPERLINK(\"http://x\")", "-starts with a minus", "+plus", "@at", "'=already quoted", "-5",
               "Prishtinë / Priština", 'quote " and ;semicolon']
    regions = referencedata.rows_frame(any_demo_copy_engine, "regions")
    regions.loc[: len(awkward) - 1, "population_note"] = awkward[: len(regions)]
    assert referencedata.save_frame(any_demo_copy_engine, "regions", regions, "edit").status == "imported"
    exported = referencedata.export_csv(any_demo_copy_engine, "regions")
    assert b"\r\n=HYPERLINK" not in exported and b",=HYPERLINK" not in exported  # nothing a spreadsheet would run
    assert referencedata.import_file(empty_engine, "regions", exported, "regions.csv").status == "imported"
    assert referencedata.rows_frame(empty_engine, "regions")["population_note"].tolist()[:8] == awkward
    assert referencedata.export_csv(empty_engine, "regions") == exported


def test_an_xlsx_file_imports_like_its_csv(demo_copy_engine):
    frame = referencedata.export_frame(demo_copy_engine, "regions")
    frame.loc[0, "name_en"] = "Prishtina (xlsx)"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(frame.columns))
    for values in frame.itertuples(index=False):
        sheet.append([float(v) if c in ("latitude", "longitude") and v else (int(v) if v.isdigit() else v)
                      for c, v in zip(frame.columns, values)])
    buffer = io.BytesIO()
    book.save(buffer)
    result = referencedata.import_file(demo_copy_engine, "regions", buffer.getvalue(), "regions.xlsx")
    assert result.status == "imported", referencedata.problem_lines(result.problems)
    assert referencedata.export_frame(demo_copy_engine, "regions").equals(frame)


def test_a_semicolon_windows_1250_file_is_read(demo_copy_engine):
    frame = referencedata.export_frame(demo_copy_engine, "regions")
    frame.loc[frame["code"] == "PR", "population_note"] = "Čačak–Đakovica, žšć"
    content = frame.to_csv(index=False, sep=";").encode("cp1250")
    result = referencedata.import_file(demo_copy_engine, "regions", content, "r.csv")
    assert result.status == "imported", referencedata.problem_lines(result.problems)
    assert referencedata.export_frame(demo_copy_engine, "regions").equals(frame)
    assert any("Windows-1250" in note for note in result.notes)


# --- each rule, refused at its boundary (and accepted just inside it) --------------------------------------------

JURISDICTION = "code,name_en,earliest_date,languages,illustrative"
VOCABULARY = "kind,code,position,label_en,units,whole,line_limit,highlight"
REGIONS = "code,name_en,name_sq,latitude,longitude,parent_code,population,population_year"
PUBLISHED = "year_from,year_to,category,unit,value,qualifier,source,url"

# (table, file lines after the header, row, column, reason fragment): each refused with that problem.
CASES = [
    ("jurisdiction", JURISDICTION, ["XK,Kosovo,1999-01-01,en,false", "YY,Other,1999-01-01,en,false"], 3, "code",
     "exactly one row"),
    ("jurisdiction", JURISDICTION, ["XK,Kosovo,1999-01-01,\"en,de\",false"], 2, "languages", "not an interface language: 'de'"),
    ("jurisdiction", JURISDICTION, ["XK,Kosovo,1999-01-01,\"en,sq,en\",false"], 2, "languages", "named twice"),
    ("jurisdiction", JURISDICTION, [f"XK,Kosovo,{TODAY + dt.timedelta(days=1)},en,false"], 2, "earliest_date", "after today"),
    ("jurisdiction", JURISDICTION, ["XK,Kosovo,1999-02-30,en,false"], 2, "earliest_date", "not a date"),
    ("jurisdiction", JURISDICTION, ["XK,Kosovo,2019-01-02,en,false"], 2, "earliest_date",
     "after the earliest stored seizure line (2019-01-01)"),
    ("jurisdiction", JURISDICTION, ["XK,Kosovo,1999-01-01,en,yes"], 2, "illustrative", "not true or false"),
    ("jurisdiction", JURISDICTION, ["ABCDEFGHIJKLMNOPQ,Kosovo,1999-01-01,en,false"], 2, "code", "longer than 16"),
    ("jurisdiction", JURISDICTION, ["XK,,1999-01-01,en,false"], 2, "name_en", "required"),
    ("vocabulary", VOCABULARY, ["category,firearm,1,Firearms,,,,", "unit,pieces,1,pieces,,true,,"], 2, "units",
     "needs its units"),
    ("vocabulary", VOCABULARY, ["category,firearm,1,Firearms,\"pieces,kg\",,,", "unit,pieces,1,pieces,,true,,"], 2,
     "units", "'kg' is not a unit of this file"),
    ("vocabulary", VOCABULARY, ["category,firearm,1,Firearms,pieces,,,", "unit,pieces,1,pieces,,true,,",
                                "weapon_type,pistol,1,Pistol,pieces,,,"], 4, "units", "only for a category"),
    ("vocabulary", VOCABULARY, ["category,firearm,1,Firearms,pieces,,,", "unit,pieces,1,pieces,,,,"], 3, "whole",
     "required for a unit"),
    ("vocabulary", VOCABULARY, ["category,firearm,1,Firearms,pieces,,,", "unit,pieces,1,pieces,,true,0,"], 3,
     "line_limit", "more than 0"),
    ("vocabulary", VOCABULARY, ["category,firearm,1,Firearms,pieces,,,", "unit,pieces,1,pieces,,true,-1,"], 3,
     "line_limit", "less than 0"),
    ("vocabulary", VOCABULARY, ["category,firearm,1,Firearms,pieces,,,", "unit,pieces,1,pieces,,true,,",
                                "context,patrol,1,Patrol,,,,true"], 4, "highlight", "only for a weapon_type"),
    ("vocabulary", VOCABULARY, ["category,firearm,1,Firearms,pieces,,,", "unit,pieces,1,pieces,,true,,",
                                "gun,pistol,1,Pistol,,,,"], 4, "kind", "not one of: category, unit"),
    ("vocabulary", VOCABULARY, ["category,firearm,1,Firearms,pieces,,,", "unit,pieces,1,pieces,,true,,",
                                "weapon_type,Pistol,1,Pistol,,,,"], 4, "code", "not of the form"),
    ("vocabulary", VOCABULARY, ["category,firearm_and_parts,1,Firearms,pieces,,,", "unit,pieces,1,pieces,,true,,"],
     2, "code", "longer than 16 characters (the most for a category)"),
    ("vocabulary", VOCABULARY, ["category,firearm,1,Firearms,pieces,,,", "unit,pieces_xy,1,pieces,,true,,"], 3, "code",
     "longer than 8 characters (the most for a unit)"),
    ("vocabulary", VOCABULARY, ["category,firearm,1,Firearms,pieces,,,", "unit,pieces,1,pieces,,true,,",
                                "weapon_type,pistol,1,Pistol,,,,", "weapon_type,handgun,2,pistól,,,,"], 5, "label_en",
     "the same code or label as code of row 4"),
    ("vocabulary", VOCABULARY, ["category,firearm,1,Firearms,pieces,,,", "unit,pieces,1,pieces,,true,,",
                                "unit,pieces,2,units,,true,,"], 4, "kind", "the same kind, code as row 3"),
    ("vocabulary", VOCABULARY, ["unit,pieces,1,pieces,,true,,"], None, "kind", "no category"),
    ("vocabulary", VOCABULARY, ["category,firearm,-1,Firearms,pieces,,,", "unit,pieces,1,pieces,,true,,"], 2,
     "position", "less than 0"),
    ("regions", REGIONS, ["ABCDEFGHI,Long,,,,,,"], 2, "code", "longer than 8"),
    ("regions", REGIONS, ["PR,Prishtina,,90.0001,21,,,"], 2, "latitude", "more than 90"),
    ("regions", REGIONS, ["PR,Prishtina,,42,-180.5,,,"], 2, "longitude", "less than -180"),
    ("regions", REGIONS, ["PR,Prishtina,,42,,,,"], 2, "longitude", "both latitude and longitude"),
    ("regions", REGIONS, ["PR,Prishtina,,,,ZZ,,"], 2, "parent_code", "no such code in regions"),
    ("regions", REGIONS, ["PR,Prishtina,,,,PR,,"], 2, "parent_code", "its own parent"),
    ("regions", REGIONS, ["PR,Prishtina,,,,PZ,,", "PZ,Prizren,,,,PR,,"], 2, "parent_code", "circle"),
    ("regions", REGIONS, ["PR,Prishtina,,,,,,", "GJ,Gjakova,Gjakovë,,,,,", "GX,gjakove,,,,,,"], 4, "name_en",
     "the same code or name as name_sq of row 3"),
    ("regions", REGIONS, ["PR,Prishtina,,,,,-1,"], 2, "population", "less than 0"),
    ("regions", REGIONS, ["PR,Prishtina,,,,,1,1799"], 2, "population_year", "less than 1800"),
    ("regions", REGIONS, ["PR,Prishtina,,,,,1_000,"], 2, "population", "not a whole number"),
    ("regions", REGIONS, ["PR,Prishtina,,NaN,21,,,"], 2, "latitude", "not a number"),
    ("regions", REGIONS, ["PR,Prishtina,,,,,,", "pr,Other,,,,,,"], 3, "code", "the same code or name as code of row 2"),
    ("municipalities", "name,region_code", ["Prishtinë,ZZ"], 2, "region_code", "no such code in regions"),
    ("municipalities", "name,region_code", ["Prishtinë,PR", "prishtine,PR"], 3, "name", "the same name as name of row 2"),
    ("published_totals", PUBLISHED, ["2018,2017,firearm,pieces,1,,s,"], 2, "year_to", "before year_from (2018)"),
    ("published_totals", PUBLISHED, [f"{TODAY.year + 1},,firearm,pieces,1,,s,"], 2, "year_to", "after this year"),
    ("published_totals", PUBLISHED, ["2017-2021,2020,firearm,pieces,1,,s,"], 2, "year_to", "differs from the span"),
    ("published_totals", PUBLISHED, ["2020,2020,firearm,pieces,12a,,s,"], 2, "value", "not a number"),
    ("published_totals", PUBLISHED, ["2020,2020,firearm,pieces,-1,,s,"], 2, "value", "less than 0"),
    ("published_totals", PUBLISHED, ["2020,2020,firearm,pieces,1290.5,,s,"], 2, "value", "whole numbers"),
    ("published_totals", PUBLISHED, ["2020,2020,firearm,kg,1,,s,"], 2, "unit", "firearm is not counted in kg"),
    ("published_totals", PUBLISHED, ["2020,2020,guns,pieces,1,,s,"], 2, "category", "not a category"),
    ("published_totals", PUBLISHED, ["2020,2020,firearm,pieces,1,roughly,s,"], 2, "qualifier", "not one of"),
    ("published_totals", PUBLISHED, ["2020,2020,firearm,pieces,1,,,"], 2, "source", "required"),
    ("published_totals", PUBLISHED, ["2020,2020,firearm,pieces,1,,s,ftp://x"], 2, "url", "not of the form"),
    ("published_totals", PUBLISHED, ["1899,1899,firearm,pieces,1,,s,"], 2, "year_from", "less than 1900"),
    ("published_totals", PUBLISHED, ["2020,2020,firearm,pieces,1,,s,", "2020,,firearm,pieces,2,,t,"], 3, "year_from",
     "the same year_from, year_to, category, unit as row 2"),
    ("trainings", "course,level,men,women,source,region_code", ["Basic,basic,-1,0,s,"], 2, "men", "less than 0"),
    ("trainings", "course,level,men,women,source,region_code", ["Basic,basic,1,0,s,ZZ"], 2, "region_code",
     "no such code in regions"),
    ("equipment", "item,quantity,source", ["Laptops,1.5,s"], 2, "quantity", "not a whole number"),
    ("roadmap_phases", "code,baseline_year,target_year", ["Roadmap 2030,2025,2030"], 2, "code",
     "not of the form [a-z0-9][a-z0-9-]{0,15}"),
    ("roadmap_phases", "code,baseline_year,target_year", ["roadmap-2030,2025,"], 2, "target_year", "required"),
    ("roadmap_goals", "phase_code,number,project_contributes", ["roadmap-2024,0,true"], 2, "number", "less than 1"),
    ("roadmap_goals", "phase_code,number,project_contributes", ["roadmap-2099,1,true"], 2, "phase_code",
     "no such code in roadmap_phases (roadmap-2024, roadmap-2030)"),
    # a goal of the other phase is no goal of this one: the key is the phase and the number together
    ("roadmap_kpis", "phase_code,number,goal_number,project_contributes", ["roadmap-2030,1,2,true"], 2,
     "goal_number", "no such phase_code and number in roadmap_goals (roadmap-2024 / 1, roadmap-2024 / 2"),
    ("kpi_values", "phase_code,kpi_number,year,jurisdiction,illustrative", ["roadmap-2024,99,2020,X,true"], 2,
     "kpi_number", "no such phase_code and number in roadmap_kpis"),
]


@pytest.mark.parametrize("name", sorted({case[0] for case in CASES}))
def test_each_rule_refuses_at_its_boundary_naming_file_row_and_column(any_demo_copy_engine, name):
    for table, header, lines, row_number, column, fragment in (c for c in CASES if c[0] == name):
        problems = refused(any_demo_copy_engine, table, text(header, *lines))
        problem(problems, row_number, column, fragment)


def test_values_just_inside_the_boundaries_are_accepted(any_demo_copy_engine):
    engine = any_demo_copy_engine
    accepted = {
        "jurisdiction": text(JURISDICTION, "ABCDEFGHIJKLMNOP,Kosovo,2019-01-01,\"sr,en\",TRUE"),  # the first line's day
        "regions": text(REGIONS, *(f"{code},{code} name,,90,-180,,0,1800" for code in
                                   ("PR", "PZ", "PE", "GJ", "MS", "MN", "GL", "FE")), "ABCDEFGH,Eight,,-90,180,PR,,2100"),
        "published_totals": text(PUBLISHED, f"{TODAY.year},,firearm,pieces,0,at least,s,https://x.example",
                                 "1900-1901,,explosive,kg,0.5,,s,", "2017–2021,2021,ammunition,rounds,153335,,s,"),
    }
    for name, content in accepted.items():
        result = referencedata.import_file(engine, name, content, f"{name}.csv")
        assert result.status == "imported", referencedata.problem_lines(result.problems)
    spans = stored(engine, "published_totals")
    assert set(zip(spans["year_from"], spans["year_to"])) == {(TODAY.year, TODAY.year), (1900, 1901), (2017, 2021)}
    assert reference.read_jurisdiction(engine).languages == ("sr", "en")


def test_an_earliest_date_of_today_is_accepted_in_a_store_without_lines(any_engine):
    result = referencedata.import_file(any_engine, "jurisdiction", text(JURISDICTION, f"XK,Kosovo,{TODAY},en,false"))
    assert result.status == "imported", referencedata.problem_lines(result.problems)


def test_a_file_with_unknown_missing_and_twice_named_columns_is_refused_at_row_1(any_demo_copy_engine):
    problems = refused(any_demo_copy_engine, "regions", text("code,nam_en,Code", "PR,Prishtina,PR"))
    problem(problems, 1, "nam_en", "unknown column; the columns of regions are: code, name_en")
    problem(problems, 1, "Code", "a second code column (the first is column 1)")
    problem(problems, 1, "name_en", "required column missing")
    assert problems["row"].dropna().tolist() == [1, 1, 1]  # not also "required" on each row
    other = refused(any_demo_copy_engine, "regions", text("year_from,category", "2020,firearm"))
    assert referencedata.import_file(any_demo_copy_engine, "vocabulary", text("a,b", "1,2"), "x.csv").file_error.startswith(
        "the first row holds none of the vocabulary columns")
    assert other.empty or (other["column"] == "year_from").any()


def test_every_problem_of_a_file_is_listed_at_once(any_demo_copy_engine):
    problems = refused(any_demo_copy_engine, "published_totals", text(
        PUBLISHED, "2016,,firearm,pieces,x,,s,", "2017-2021,,firearm,kg,1,,s,", "2019,2018,gun,pieces,1,about,,"))
    assert list(zip(problems["row"], problems["column"])) == [
        (2, "value"), (3, "unit"), (4, "year_to"), (4, "category"), (4, "source")]


# --- consistency with what is stored ----------------------------------------------------------------------------


def lines_by(engine, column: str) -> dict:
    s = schema.seizures
    with engine.connect() as conn:
        return dict(conn.execute(sa.select(s.c[column], sa.func.count()).group_by(s.c[column])).all())


def test_a_region_that_stored_lines_use_cannot_disappear(any_demo_copy_engine):
    engine = any_demo_copy_engine
    regions = referencedata.export_frame(engine, "regions")
    without = regions[regions["code"] != "PR"]
    problems = refused(engine, "regions", spreadsheet_csv(without), "regions.csv")
    count = lines_by(engine, "region_code")["PR"]
    problem(problems, None, "code", f"used by {count:,} stored seizure lines or counts", "regions.csv")
    problem(problems, None, "code", "used by 7 stored row(s) of municipalities (region_code)", "regions.csv")
    assert set(problems["value"]) == {"PR"}


def test_a_vocabulary_code_or_unit_that_stored_rows_use_cannot_disappear(any_demo_copy_engine):
    engine = any_demo_copy_engine
    vocabulary = referencedata.export_frame(engine, "vocabulary")
    without = vocabulary[vocabulary["code"] != "pistol"].copy()
    without.loc[without["code"] == "explosive", "units"] = without.loc[without["code"] == "explosive", "units"].where(
        without["kind"] != "category", "pieces")
    problems = refused(engine, "vocabulary", spreadsheet_csv(without), "vocabulary.csv")
    problem(problems, None, "code", f"weapon_type used by {lines_by(engine, 'weapon_type')['pistol']:,} stored seizure",
            "vocabulary.csv")
    with engine.connect() as conn:
        kg = conn.execute(sa.select(sa.func.count()).where(schema.seizures.c.unit == "kg")).scalar_one()
    problem(problems, None, "units", f"category explosive no longer lists unit kg, used by {kg:,} stored", "vocabulary.csv")


def test_a_municipality_that_stored_lines_name_cannot_disappear(any_demo_copy_engine):
    engine = any_demo_copy_engine
    municipalities = referencedata.export_frame(engine, "municipalities")
    problems = refused(engine, "municipalities", spreadsheet_csv(municipalities[municipalities["name"] != "Junik"]),
                       "m.csv")
    problem(problems, None, "name", f"used by {lines_by(engine, 'municipality')['Junik']:,} stored seizure lines", "m.csv")


def test_published_totals_keep_their_category_and_unit(any_demo_copy_engine):
    vocabulary = referencedata.export_frame(any_demo_copy_engine, "vocabulary")
    without = vocabulary[~vocabulary["code"].isin(["ammunition"])]
    problems = refused(any_demo_copy_engine, "vocabulary", spreadsheet_csv(without), "v.csv")
    problem(problems, None, "code", "category ammunition is used by 5 published total(s)", "v.csv")


def spreadsheet_csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


# --- audit and rollback -----------------------------------------------------------------------------------------


def renamed(engine, name_en: str) -> bytes:
    regions = referencedata.export_frame(engine, "regions")
    regions.loc[regions["code"] == "PZ", "name_en"] = name_en
    return spreadsheet_csv(regions)


def test_an_import_is_audited_and_rolled_back_exactly(any_demo_copy_engine):
    engine = any_demo_copy_engine
    original = stored(engine, "regions")
    version = queries.data_version(engine)
    first = referencedata.import_file(engine, "regions", renamed(engine, "Prizren One"), "one.csv", user="ana")
    second = referencedata.import_file(engine, "regions", renamed(engine, "Prizren Two"), "two.csv", user="ana")
    assert (first.status, second.status) == ("imported", "imported")
    assert queries.data_version(engine) != version
    listed = ingest.list_imports(engine).set_index("id")
    assert listed.at[first.import_id, "kind"] == "reference" and listed.at[first.import_id, "user_name"] == "ana"
    assert len(listed.at[first.import_id, "content_hash"]) == 64
    assert referencedata.history(engine, "regions")["can_roll_back"].tolist() == [True, False]

    with pytest.raises(ingest.RollbackError, match=f"#{first.import_id} .* is not the latest import of regions in "
                       f"force: import #{second.import_id} \\(two.csv"):
        referencedata.rollback(engine, first.import_id)
    with pytest.raises(ingest.RollbackError, match="replaced reference data"):
        ingest.rollback(engine, second.import_id)  # the seizure lines' rollback would not restore the rows

    before_rollback = queries.data_version(engine)
    restored = referencedata.rollback(engine, second.import_id)
    assert (restored.table, restored.rows_restored) == ("regions", 8)
    assert queries.data_version(engine) != before_rollback
    assert stored(engine, "regions").set_index("code").at["PZ", "name_en"] == "Prizren One"
    referencedata.rollback(engine, first.import_id)
    assert stored(engine, "regions").equals(original)
    with pytest.raises(ingest.RollbackError, match="already rolled back"):
        referencedata.rollback(engine, first.import_id)
    with pytest.raises(ingest.RollbackError, match="there is no import #999"):
        referencedata.rollback(engine, 999)
    with pytest.raises(ingest.RollbackError, match="not a reference-data import"):
        referencedata.rollback(engine, 1)  # the demo's seizure lines


def test_rollback_of_a_table_with_ids_restores_the_same_rows_and_ids(any_demo_copy_engine):
    engine = any_demo_copy_engine
    before = stored(engine, "trainings")
    edited = referencedata.rows_frame(engine, "trainings").iloc[:1]
    result = referencedata.save_frame(engine, "trainings", edited, "edit")
    assert result.status == "imported" and len(stored(engine, "trainings")) == 1
    referencedata.rollback(engine, result.import_id)
    assert stored(engine, "trainings").equals(before)


def test_rollback_is_refused_when_stored_lines_use_what_the_import_added(any_demo_copy_engine):
    engine = any_demo_copy_engine
    regions = referencedata.export_frame(engine, "regions")
    added = pd.concat([regions, pd.DataFrame([{**{c: "" for c in regions.columns}, "code": "XX", "name_en": "Extra"}])])
    result = referencedata.import_file(engine, "regions", spreadsheet_csv(added), "plus.csv")
    assert result.status == "imported"
    lines = ingest.import_file(engine, csv_bytes([row(case_ref="XX-1", region="XX", municipality="")]), "xx.csv")
    assert lines.status == "imported", lines.errors
    with pytest.raises(ingest.RollbackError, match="(?s)cannot be rolled back.*code: \"XX\": used by 1 stored seizure"):
        referencedata.rollback(engine, result.import_id)
    assert "XX" in set(stored(engine, "regions")["code"])
    ingest.rollback(engine, lines.import_id)
    referencedata.rollback(engine, result.import_id)
    assert "XX" not in set(stored(engine, "regions")["code"])


def test_the_same_rows_again_change_nothing_and_are_not_audited(any_demo_copy_engine):
    audits = imports_count(any_demo_copy_engine)
    result = referencedata.import_file(any_demo_copy_engine, "published_totals", (DATA / "published_totals.csv").read_bytes(),
                                       "p.csv")
    assert result.status == "unchanged" and imports_count(any_demo_copy_engine) == audits


def test_an_edit_is_saved_as_an_import_and_rolled_back(any_demo_copy_engine):
    engine = any_demo_copy_engine
    before = stored(engine, "published_totals")
    frame = referencedata.rows_frame(engine, "published_totals")
    frame.loc[frame["year_from"] == 2016, "value"] = frame.loc[frame["year_from"] == 2016, "value"] + 1
    frame = pd.concat([frame, pd.DataFrame([{"year_from": 2015, "year_to": None, "category": "firearm",
                                             "unit": "pieces", "value": 1000.0, "qualifier": "about",
                                             "source": "test"}])], ignore_index=True)
    result = referencedata.save_frame(engine, "published_totals", frame, referencedata.EDITED_LABEL, user="ada")
    assert result.status == "imported", referencedata.problem_lines(result.problems)
    published = queries.published(engine)
    assert ((published["year_from"] == 2015) & (published["year_to"] == 2015)).sum() == 1
    bad = frame.assign(value=frame["value"].where(frame.index != 3, -5.0))
    problems = referencedata.save_frame(engine, "published_totals", bad, "edit").problems
    assert list(zip(problems["file"], problems["row"], problems["column"])) == [("edit", 5, "value")]
    referencedata.rollback(engine, result.import_id)
    assert stored(engine, "published_totals").equals(before)


# --- hostile files ----------------------------------------------------------------------------------------------


def test_hostile_files_are_refused_and_nothing_is_written(any_demo_copy_engine, monkeypatch):
    engine = any_demo_copy_engine
    book = openpyxl.Workbook()
    book.active.append(["code", "name_en"])
    book.active.append(["PR", "=HYPERLINK(\"http://evil.example\")"])
    buffer = io.BytesIO()
    book.save(buffer)
    problems = refused(engine, "regions", buffer.getvalue(), "formula.xlsx")
    problem(problems, 2, "name_en", "a formula", "formula.xlsx")
    assert "not a text file" in referencedata.import_file(
        engine, "regions", b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)), "x.csv").file_error
    assert "more than the limit" in referencedata.import_file(
        engine, "regions", b"code,name_en\n" + b"PR,x\n" * 300_000, "big.csv", max_mb=1).file_error
    monkeypatch.setattr(referencedata, "MAX_ROWS", 10)
    assert "more than 10: a reference table is smaller" in referencedata.import_file(
        engine, "regions", b"code,name_en\n" + b"".join(f"R{i},n{i}\n".encode() for i in range(11)), "many.csv").file_error
    problems = refused(engine, "regions", "code,name_en\nPR,Pri\x00shtina\n".encode().replace(b"\x00", b"\x07"))
    problem(problems, 2, "name_en", "control character")
    assert referencedata.import_file(engine, "regions", b"", "empty.csv").file_error == "the file is empty"
    assert "no rows of data" in referencedata.import_file(engine, "regions", b"code,name_en\n", "h.csv").file_error


# --- seizures init --demo: the demo's files through the same rules -----------------------------------------------


def copied_data(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    shutil.copytree(DATA, home / "data", ignore=shutil.ignore_patterns("*.duckdb*"))
    return home


def test_init_demo_refuses_a_bad_file_naming_file_row_and_column(tmp_path, monkeypatch, capsys):
    home = copied_data(tmp_path)
    path = home / "data" / "published_totals.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("2017,2021,", "2017-2021,,")  # a span in one cell: read as the span
    lines[6] = lines[6].replace("1135", "1135x")  # row 7: not a number
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setenv("SEIZURES_HOME", str(home))
    url = f"duckdb:///{tmp_path / 'x.duckdb'}"
    assert cli.main(["--db-url", url, "init", "--demo"]) == cli.EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert 'data/published_totals.csv, row 7, column value: "1135x": not a number' in err
    assert "Traceback" not in err and err.count("\n") == 2  # the one problem, whole
    engine = store.make_engine(url)
    assert store.table_counts(engine)["regions"] == 0  # nothing loaded
    lines[6] = lines[6].replace("1135x", "1135")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert cli.main(["--db-url", url, "init", "--demo"]) == 0
    assert len(queries.published(engine)) == 12
    engine.dispose()


def test_init_demo_keeps_tables_a_reference_import_replaced(demo_copy_engine, demo_copy_url, capsys):
    result = referencedata.import_file(demo_copy_engine, "regions", renamed(demo_copy_engine, "Prizren Own"), "own.csv")
    assert result.status == "imported"
    demo_copy_engine.dispose()
    assert cli.main(["--db-url", demo_copy_url, "init", "--demo"]) == 0
    assert "kept, as imported with `seizures reference import`: regions" in capsys.readouterr().out
    assert stored(demo_copy_engine, "regions").set_index("code").at["PZ", "name_en"] == "Prizren Own"


# --- the command line -------------------------------------------------------------------------------------------


def test_reference_commands(tmp_path, capsys):
    url = f"duckdb:///{tmp_path / 'r.duckdb'}"
    assert cli.main(["--db-url", url, "init"]) == 0
    assert cli.main(["--db-url", url, "reference", "template", "regions", "--out", str(tmp_path / "r.csv")]) == 0
    assert (tmp_path / "r.csv").read_text().strip() == ",".join(referencedata.columns("regions"))
    described = pd.read_csv(tmp_path / "r.columns.csv")
    assert described["column"].tolist() == referencedata.columns("regions") and described["description"].notna().all()
    capsys.readouterr()
    bad = tmp_path / "bad.csv"
    long_name = "x" * 200
    bad.write_text(f"code,name_en,latitude\nPR,{long_name},95\n")
    assert cli.main(["--db-url", url, "reference", "import", "regions", str(bad)]) == cli.EXIT_REJECTED
    out = capsys.readouterr()
    assert "bad.csv: nothing imported into regions: 1 problem(s)" in out.out
    assert 'bad.csv, row 2, column latitude: "95": more than 90' in out.err
    bad.write_text(f"code,name_en,latitude\nPR,Prishtina,95\nPZ,Prizren,{'1' * 200}\n")
    cli.main(["--db-url", url, "reference", "import", "regions", str(bad)])
    assert "1" * 100 in capsys.readouterr().err  # a value is shown up to 100 characters; reasons whole
    for name in ("jurisdiction", "vocabulary", "regions"):
        assert cli.main(["--db-url", url, "reference", "import", name, str(SECOND / f"{name}.csv")]) == 0
    assert cli.main(["--db-url", url, "reference", "import", "regions", str(SECOND / "regions.csv")]) == 0
    assert "already holds exactly these 7 row(s)" in capsys.readouterr().out
    assert cli.main(["--db-url", url, "reference", "list"]) == 0
    listing = capsys.readouterr().out
    assert "regions                 7 rows  import #3 regions.csv" in listing
    assert cli.main(["--db-url", url, "reference", "export", "regions", "--out", str(tmp_path / "e.csv")]) == 0
    folder = tmp_path / "all"
    folder.mkdir()
    assert cli.main(["--db-url", url, "reference", "export", "--all", "--out", str(folder)]) == 0
    assert sorted(p.stem for p in folder.glob("*.csv")) == sorted(referencedata.NAMES)
    assert (folder / "regions.csv").read_bytes() == (tmp_path / "e.csv").read_bytes()
    assert cli.main(["--db-url", url, "rollback", "3"]) == 0
    assert "rolled back import #3: regions holds its 0 rows from before it again" in capsys.readouterr().out
    assert cli.main(["--db-url", url, "rollback", "3"]) == cli.EXIT_REJECTED
    assert cli.main(["--db-url", url, "reference", "import", "regions", str(tmp_path / "none.csv")]) == cli.EXIT_BAD_INPUT


# --- a second, made-up jurisdiction, through the documented commands only ----------------------------------------


def load_second_jurisdiction(url: str) -> None:
    assert cli.main(["--db-url", url, "init"]) == 0
    for name in ("jurisdiction", "vocabulary", "regions", "municipalities", "published_totals"):
        assert cli.main(["--db-url", url, "reference", "import", name, str(SECOND / f"{name}.csv")]) == 0, name


def test_a_second_jurisdiction_loads_through_the_commands(engine_kind, new_store_url):
    url = new_store_url(engine_kind)
    load_second_jurisdiction(url)
    engine = store.make_engine(url)
    place = reference.read_jurisdiction(engine)
    assert (place.name(), place.illustrative, place.languages) == ("Northmark", True, ("en", "sr"))
    vocabulary = reference.read_vocabulary(engine)
    assert vocabulary.labels("weapon_type") == {"handgun": "Handgun", "long_gun": "Long gun", "smg": "Sub-machine gun",
                                                "home_made": "Home-made weapon", "other": "Other weapon"}
    regions = queries.region_list(engine)
    assert len(regions) == 7 and regions["latitude"].isna().sum() == 2
    published = queries.published(engine)
    assert sorted(zip(published["year_from"], published["year_to"], published["value"])) == [
        (2016, 2020, 2010.0), (2021, 2021, 412.0), (2021, 2021, 15000.0)]
    engine.dispose()


def test_a_folder_whose_optional_files_hold_only_their_header_loads_them_empty(any_engine, tmp_path):
    """A service's own data/ folder without published totals, trainings, ... (init from it): those tables are left
    empty; the jurisdiction, vocabulary and regions cannot be (a store needs them before its data)."""
    for name in referencedata.NAMES:
        shipped = (DATA / f"{name}.csv").read_text(encoding="utf-8")
        keep = name in referencedata.SETUP_TABLES or name == "municipalities"
        (tmp_path / f"{name}.csv").write_text(shipped if keep else shipped.splitlines()[0] + "\n", encoding="utf-8")
    with any_engine.begin() as conn:
        counts = referencedata.load_folder(conn, tmp_path)
    assert counts["published_totals"] == counts["roadmap_kpis"] == 0 and counts["regions"] == 8
    assert referencedata.export_frame(any_engine, "published_totals").empty
    (tmp_path / "regions.csv").write_text((DATA / "regions.csv").read_text(encoding="utf-8").splitlines()[0] + "\n")
    with pytest.raises(referencedata.ReferenceFileError, match="regions.csv: the file has column names but no rows"):
        with any_engine.begin() as conn:
            referencedata.load_folder(conn, tmp_path)
