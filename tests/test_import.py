"""Import rules: each problem reported at its row and column, nothing written unless every row passes."""

from __future__ import annotations

import datetime as dt
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest
import sqlalchemy as sa

from import_files import HEADER, csv_bytes, errors_at, fingerprint, row, valid_rows
from seizures import ingest, queries, reference, schema, store, template
from seizures.filters import SeizureFilter

TODAY = dt.date(2024, 6, 30)


def run_import(engine, data: bytes, name: str = "records.csv", **kwargs) -> ingest.ImportResult:
    return ingest.import_file(engine, data, name, today=TODAY, user="tester", **kwargs)


def imported_lines(engine, import_id: int) -> pd.DataFrame:
    s = schema.seizures
    with engine.connect() as conn:
        result = conn.execute(sa.select(s).where(s.c.import_id == import_id).order_by(s.c.id))
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def assert_rejected_unchanged(engine, data: bytes, expected: set[tuple[int, str]], **kwargs) -> ingest.ImportResult:
    """Import must be refused with exactly these (row, column) problems and leave every table as it was."""
    before = fingerprint(engine)
    result = run_import(engine, data, **kwargs)
    assert result.status == "rejected", result.summary()
    assert errors_at(result) == expected, result.errors.to_string()
    assert fingerprint(engine) == before
    return result


# --- a valid file ------------------------------------------------------------------------------------------


def test_a_valid_file_is_imported_with_parsed_values_and_an_audit_row(any_demo_copy_engine):
    rows = [
        row(case_ref="A-1", seized_on="2023-03-05", region="PZ", quantity="2"),
        row(case_ref="A-2", seized_on="05.03.2023", region="Pejë", municipality="Istog", category="ammunition",
            weapon_type="pistol", quantity="50", unit="rounds", context="traffic_control"),
        row(case_ref="A-3", seized_on="6.3.2023.", region="Južna Mitrovica", municipality="vushtrri",
            category="explosive", weapon_type="explosive", quantity="2.5", unit="kg", context="Border crossing"),
    ]
    before = store_lines(any_demo_copy_engine)
    result = run_import(any_demo_copy_engine, csv_bytes(rows))
    assert result.status == "imported", result.errors
    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (3, 3, 0)
    lines = imported_lines(any_demo_copy_engine, result.import_id)
    assert list(lines["case_ref"]) == ["A-1", "A-2", "A-3"]
    assert list(lines["seized_on"]) == [dt.date(2023, 3, 5), dt.date(2023, 3, 5), dt.date(2023, 3, 6)]
    assert list(lines["region_code"]) == ["PZ", "PE", "MS"]
    assert list(lines["municipality"]) == ["Prizren", "Istog", "Vushtrri"]
    assert list(lines["context"]) == ["house_search", "traffic_control", "border_crossing"]
    assert list(lines["quantity"]) == [2.0, 50.0, 2.5]
    assert not lines["illustrative"].any()
    assert set(lines["source"]) == {"Imported from records.csv"}
    assert store_lines(any_demo_copy_engine) == before + 3
    audit = ingest.list_imports(any_demo_copy_engine).set_index("id").loc[result.import_id]
    assert (audit["kind"], audit["file_name"], audit["user_name"]) == ("file", "records.csv", "tester")
    assert (audit["rows_read"], audit["rows_accepted"], audit["rows_rejected"], audit["lines_stored"]) == (3, 3, 0, 3)
    assert len(audit["content_hash"]) == 64


def store_lines(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(schema.seizures)).scalar_one()


@pytest.mark.parametrize("spelling, code", [
    ("PR", "PR"), ("pr", "PR"), ("Prishtina", "PR"), ("Prishtinë", "PR"), ("Priština", "PR"), ("  PRISTINA ", "PR"),
    ("Gjakovë", "GJ"), ("Đakovica", "GJ"), ("Djakovica", "GJ"), ("Mitrovicë Veri", "MN"),
    ("Severna Mitrovica", "MN"), ("mitrovica-south", "MS"), ("Uroševac", "FE"), ("Gnjilane", "GL"),
])
def test_directorates_by_code_or_albanian_english_serbian_name(any_reference_engine, spelling, code):
    result = run_import(any_reference_engine, csv_bytes([row(region=spelling, municipality="")]))
    assert result.status == "imported", result.errors
    assert list(imported_lines(any_reference_engine, result.import_id)["region_code"]) == [code]


def test_column_names_ignore_case_spaces_and_accept_common_aliases(any_reference_engine):
    header = [" Seized On ", "REGION", "Municipality", "Category", "Weapon-Type", "QTY", "Unit", "Context", "Case Reference"]
    data = csv_bytes([row()], HEADER).replace(",".join(HEADER).encode(), ",".join(header).encode(), 1)
    result = run_import(any_reference_engine, data)
    assert result.status == "imported", result.errors
    assert result.rows_accepted == 1


def test_labels_are_accepted_for_coded_values(any_reference_engine):
    result = run_import(any_reference_engine, csv_bytes([
        row(category="Firearms", weapon_type="Automatic rifle", unit="PIECES", context="Special investigative measure")
    ]))
    assert result.status == "imported", result.errors
    line = imported_lines(any_reference_engine, result.import_id).iloc[0]
    assert (line["category"], line["weapon_type"], line["unit"], line["context"]) == (
        "firearm", "automatic_rifle", "pieces", "special_investigative_measure")


# --- each rule, at its row and column -----------------------------------------------------------------------


@pytest.mark.parametrize("column", ingest.REQUIRED)
def test_a_required_cell_left_empty(any_demo_copy_engine, column):
    rows = valid_rows(3)
    rows[1][column] = "  "
    result = assert_rejected_unchanged(any_demo_copy_engine, csv_bytes(rows), {(3, column)})
    assert "required" in result.errors.loc[0, "reason"]


@pytest.mark.parametrize("value, reason", [
    ("2023-02-30", "no such date"), ("05/03/2023", "not a date"), ("05.03.23", "not a date"), ("March 5", "not a date"),
    ("2024-07-01", "future"), ("1998-12-31", "before 01.01.1999"),
])
def test_bad_dates(any_demo_copy_engine, value, reason):
    rows = valid_rows(2)
    rows[1]["seized_on"] = value
    result = assert_rejected_unchanged(any_demo_copy_engine, csv_bytes(rows), {(3, "seized_on")})
    assert result.errors.loc[0, "value"] == value
    assert reason in result.errors.loc[0, "reason"]


@pytest.mark.parametrize("column, value, reason", [
    ("region", "Atlantis", "unknown region 'Atlantis'"),
    ("municipality", "Springfield", "unknown municipality"),
    ("municipality", "Gjilan", "belongs to region GL, not PZ"),  # the row's region is PZ
    ("category", "drugs", "not an allowed category"),
    ("weapon_type", "bazooka", "not an allowed weapon type"),
    ("unit", "litres", "not an allowed unit"),
    ("unit", "rounds", "firearm is not counted in rounds"),
    ("context", "raid", "not an allowed context"),
    ("quantity", "abc", "not a number"),
    ("quantity", "1,5", "not a number"),
    ("quantity", "0", "greater than 0"),
    ("quantity", "-2", "greater than 0"),
    ("quantity", "1.5", "whole numbers"),
    ("quantity", "10001", "more than 10,000 pieces"),
    ("case_ref", "X" * 65, "longer than 64"),
    ("case_ref", "EXAMPLE-2023-0001", "example row"),
])
def test_each_rule_reports_its_row_and_column(any_demo_copy_engine, column, value, reason):
    rows = valid_rows(4)
    rows[2][column] = value
    result = assert_rejected_unchanged(any_demo_copy_engine, csv_bytes(rows), {(4, column)})
    assert result.errors.loc[0, "value"] == value[: ingest.VALUE_SHOWN_MAX]
    assert reason in result.errors.loc[0, "reason"]


@pytest.mark.parametrize("unit, category, weapon, limit", [
    ("rounds", "ammunition", "pistol", 1_000_000), ("kg", "explosive", "explosive", 10_000),
])
def test_quantity_limit_per_unit(any_reference_engine, unit, category, weapon, limit):
    ok = row(case_ref="OK", unit=unit, category=category, weapon_type=weapon, quantity=str(limit))
    too_many = row(case_ref="BIG", unit=unit, category=category, weapon_type=weapon, quantity=str(limit + 1))
    assert_rejected_unchanged(any_reference_engine, csv_bytes([ok, too_many]), {(3, "quantity")})
    assert run_import(any_reference_engine, csv_bytes([ok])).status == "imported"


def test_duplicates_within_the_file_point_at_the_first_row(any_reference_engine):
    rows = [row(case_ref="D-1"), row(case_ref="D-2"), row(case_ref="d-1 "),
            row(case_ref="D-1", category="ammunition", unit="rounds", quantity="20")]  # other item of the same case
    result = assert_rejected_unchanged(any_reference_engine, csv_bytes(rows), {(4, "case_ref")})
    assert "as row 2" in result.errors.loc[0, "reason"]


def test_duplicates_against_the_store(any_demo_copy_engine):
    s = schema.seizures
    with any_demo_copy_engine.connect() as conn:
        stored = conn.execute(sa.select(s).where(s.c.case_ref.is_not(None)).order_by(s.c.id).limit(1)).one()
    again = row(case_ref=stored.case_ref.lower(), category=stored.category, weapon_type=stored.weapon_type,
                unit=stored.unit, quantity="1" if stored.unit != "kg" else "1.5")
    result = assert_rejected_unchanged(
        any_demo_copy_engine, csv_bytes([row(case_ref="NEW-1"), again]), {(3, "case_ref")}
    )
    assert f"already in the store (import #{stored.import_id})" in result.errors.loc[0, "reason"]


def test_every_problem_is_reported_at_once(any_demo_copy_engine):
    rows = valid_rows(6)
    rows[0]["region"] = "Atlantis"
    rows[0]["quantity"] = "-1"
    rows[2]["seized_on"] = "yesterday"
    rows[5]["unit"] = ""
    result = assert_rejected_unchanged(
        any_demo_copy_engine, csv_bytes(rows), {(2, "region"), (2, "quantity"), (4, "seized_on"), (7, "unit")}
    )
    assert list(result.errors["row"]) == [2, 2, 4, 7]  # sorted by row, then by the column order of the template
    assert result.rows_rejected == 3


def test_header_problems_are_reported_on_row_1(any_demo_copy_engine):
    header = ["seized_on", "Region", "region_code", "category", "weapon_type", "quantity", "case_ref", "context", "colour"]
    result = assert_rejected_unchanged(
        any_demo_copy_engine, csv_bytes([row()], header), {(1, "region_code"), (1, "colour"), (1, "unit")}
    )
    reasons = dict(zip(result.errors["column"], result.errors["reason"]))
    assert "a second region column" in reasons["region_code"]
    assert "unknown column" in reasons["colour"]
    assert reasons["unit"] == "required column missing"


def test_problems_name_the_column_as_written_in_the_file(any_reference_engine):
    header = [h.upper() for h in HEADER]
    data = csv_bytes([row()], HEADER).replace(",".join(HEADER).encode(), ",".join(header).encode(), 1)
    data += b"2023-01-01,PZ,,firearm,pistol,0,pieces,house_search,T-2\n"
    assert_rejected_unchanged(any_reference_engine, data, {(3, "QUANTITY")})


# --- all-or-nothing, skip-invalid, re-import, rollback ------------------------------------------------------------


def test_skip_invalid_imports_the_valid_rows_and_returns_the_others(any_demo_copy_engine):
    rows = valid_rows(5)
    rows[1]["quantity"] = "0"
    rows[3]["region"] = "Atlantis"
    before = store_lines(any_demo_copy_engine)
    result = run_import(any_demo_copy_engine, csv_bytes(rows), skip_invalid=True)
    assert result.status == "imported"
    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (5, 3, 2)
    assert store_lines(any_demo_copy_engine) == before + 3
    assert list(imported_lines(any_demo_copy_engine, result.import_id)["case_ref"]) == ["T-1", "T-3", "T-5"]
    rejected = result.rejected_rows
    assert list(rejected.columns) == [*HEADER, ingest.ERRORS_COLUMN]
    assert list(rejected["case_ref"]) == ["T-2", "T-4"]
    assert "greater than 0" in rejected.loc[0, ingest.ERRORS_COLUMN]
    # Corrected, the rejected-rows file imports as it is (its import_errors column is ignored).
    rejected.loc[0, "quantity"], rejected.loc[1, "region"] = "4", "Prizren"
    fixed = run_import(any_demo_copy_engine, rejected.to_csv(index=False).encode(), "fixed.csv")
    assert fixed.status == "imported", fixed.errors
    assert store_lines(any_demo_copy_engine) == before + 5


def test_skip_invalid_with_no_valid_row_writes_nothing(any_demo_copy_engine):
    before = fingerprint(any_demo_copy_engine)
    result = run_import(any_demo_copy_engine, csv_bytes([row(quantity="0")]), skip_invalid=True)
    assert result.status == "rejected" and result.rows_accepted == 0
    assert list(result.rejected_rows["case_ref"]) == ["T-1"]
    assert fingerprint(any_demo_copy_engine) == before


def test_line_ids_follow_the_file_and_the_next_import_gets_new_ones(any_demo_copy_engine):
    # On DuckDB the lines take their ids by row number from a range reserved at once, written unsorted
    # (ingest._write): the ids still follow the file, a skipped row leaves a gap, and the next writer draws past them.
    rows = valid_rows(200, "ID")
    rows[99]["quantity"] = "0"
    first = run_import(any_demo_copy_engine, csv_bytes(rows), skip_invalid=True)
    lines = imported_lines(any_demo_copy_engine, first.import_id)
    assert list(lines["case_ref"]) == [f"ID-{i}" for i in range(1, 201) if i != 100]
    second = run_import(any_demo_copy_engine, csv_bytes(valid_rows(3, "NEXT")))
    assert second.status == "imported", second.summary()
    later = imported_lines(any_demo_copy_engine, second.import_id)
    assert list(later["case_ref"]) == ["NEXT-1", "NEXT-2", "NEXT-3"] and later["id"].min() > lines["id"].max()


def test_reimporting_the_same_file_is_a_no_op(any_demo_copy_engine):
    data = csv_bytes(valid_rows(3))
    first = run_import(any_demo_copy_engine, data)
    assert first.status == "imported"
    after_first = fingerprint(any_demo_copy_engine)
    again = run_import(any_demo_copy_engine, data, "renamed.csv")
    assert again.status == "already_imported"
    assert again.previous["id"] == first.import_id
    assert f"import #{first.import_id}" in again.summary()
    assert fingerprint(any_demo_copy_engine) == after_first


def test_importers_racing_with_the_same_lines_land_once(any_reference_engine):
    """Four importers reach the store together: the same file twice, and another file with the same lines twice.

    One lands; its twin finds it by content hash, the other two find its lines: no gap between check and write.
    """
    files = [csv_bytes(valid_rows(3, "RACE"))] * 2 + [csv_bytes(valid_rows(3, "RACE")[::-1])] * 2
    arrived = threading.Barrier(len(files), timeout=60)
    passed = []

    def importer(i: int) -> ingest.ImportResult:
        engine = store.make_engine(any_reference_engine.url.render_as_string(hide_password=False))

        def progress(_fraction, text):
            if text.startswith("Comparing with the records already stored"):  # just before the writing transaction
                arrived.wait()
                passed.append(i)

        try:
            return run_import(engine, files[i], f"race-{i}.csv", progress=progress)
        finally:
            engine.dispose()

    with ThreadPoolExecutor(len(files)) as pool:
        results = list(pool.map(importer, range(len(files))))
    assert len(passed) == len(files)  # all four were held at the barrier, then let go at once
    assert sorted(r.status for r in results) == ["already_imported", "imported", "rejected", "rejected"]
    landed = next(r for r in results if r.written)
    for result in results:
        if result.status == "rejected":
            assert errors_at(result) == {(2, "case_ref"), (3, "case_ref"), (4, "case_ref")}
            assert result.errors["reason"].str.startswith(f"already in the store (import #{landed.import_id})").all()
        elif result.status == "already_imported":
            assert result.previous["id"] == landed.import_id
            assert files[results.index(result)] == files[results.index(landed)]
    assert store_lines(any_reference_engine) == 3
    assert list(ingest.list_imports(any_reference_engine)["id"]) == [landed.import_id]


def test_an_import_waits_while_another_writer_holds_the_store_and_says_so(any_reference_engine):
    holding, release = threading.Event(), threading.Event()

    def other_writer():
        with store.serial_write(store.make_engine(any_reference_engine.url.render_as_string(hide_password=False))):
            holding.set()
            release.wait(60)

    texts: list[str] = []
    with ThreadPoolExecutor(2) as pool:
        held = pool.submit(other_writer)
        assert holding.wait(60)
        importing = pool.submit(run_import, any_reference_engine, csv_bytes(valid_rows(2)),
                                progress=lambda _fraction, text: texts.append(text))
        deadline = time.monotonic() + 60
        while ingest.WAITING not in texts and time.monotonic() < deadline:
            time.sleep(0.01)
        assert ingest.WAITING in texts
        time.sleep(0.2)
        assert not importing.done() and store_lines(any_reference_engine) == 0  # still waiting: nothing written
        release.set()
        held.result(timeout=60)
        assert importing.result(timeout=60).status == "imported"
    assert store_lines(any_reference_engine) == 2
    assert texts[texts.index(ingest.WAITING) + 1].startswith("Writing")


def test_rollback_removes_exactly_the_import(any_demo_copy_engine):
    flt = SeizureFilter(categories=("firearm",))
    totals_before = queries.totals_by_year(any_demo_copy_engine, flt)
    version_before = queries.data_version(any_demo_copy_engine)
    result = run_import(any_demo_copy_engine, csv_bytes([row(case_ref="R-1", quantity="7")]))
    version_imported = queries.data_version(any_demo_copy_engine)
    assert version_imported != version_before
    by_year = queries.totals_by_year(any_demo_copy_engine, flt).set_index("year")["quantity"]
    assert by_year[2023] == totals_before.set_index("year")["quantity"][2023] + 7

    assert ingest.rollback(any_demo_copy_engine, result.import_id) == 1
    pd.testing.assert_frame_equal(queries.totals_by_year(any_demo_copy_engine, flt), totals_before)
    assert queries.data_version(any_demo_copy_engine) not in (version_before, version_imported)
    audit = ingest.list_imports(any_demo_copy_engine).set_index("id").loc[result.import_id]
    assert pd.notna(audit["rolled_back_at"]) and audit["lines_stored"] == 0
    with pytest.raises(ingest.RollbackError, match="already rolled back"):
        ingest.rollback(any_demo_copy_engine, result.import_id)
    with pytest.raises(ingest.RollbackError, match="no import #999"):
        ingest.rollback(any_demo_copy_engine, 999)
    # Once rolled back, the same file may be imported again.
    assert run_import(any_demo_copy_engine, csv_bytes([row(case_ref="R-1", quantity="7")])).status == "imported"


def test_a_rejected_import_leaves_the_data_version(any_demo_copy_engine):
    version = queries.data_version(any_demo_copy_engine)
    run_import(any_demo_copy_engine, csv_bytes([row(quantity="0")]))
    assert queries.data_version(any_demo_copy_engine) == version


# --- templates ----------------------------------------------------------------------------------------------


def test_templates_hold_every_column_and_allowed_value(any_demo_engine, tmp_path):
    written = template.write_template(any_demo_engine, tmp_path / "t.csv")
    assert [p.name for p in written] == ["t.csv", "t-allowed-values.csv"]
    frame = pd.read_csv(written[0], dtype=str)
    assert list(frame.columns) == list(ingest.COLUMNS)
    allowed = pd.read_csv(written[1], dtype=str)
    vocabulary = reference.read_vocabulary(any_demo_engine)
    for column in ingest.CODED:
        assert set(allowed.loc[allowed["column"] == column, "value"]) == set(vocabulary.codes(column))
    assert set(allowed.loc[allowed["column"] == "region", "value"]) == {"PR", "PZ", "PE", "GJ", "MS", "MN", "GL", "FE"}


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_untouched_template_is_refused_and_a_filled_one_imports(any_reference_engine, tmp_path, suffix):
    path = template.write_template(any_reference_engine, tmp_path / f"template{suffix}")[0]
    before = fingerprint(any_reference_engine)
    result = ingest.import_file(any_reference_engine, path, today=TODAY)
    assert errors_at(result) == {(2, "case_ref")}
    assert fingerprint(any_reference_engine) == before
    if suffix == ".csv":
        path.write_text(path.read_text().replace("EXAMPLE-2023-0001", "PZ-2023-0001"))
    else:
        from openpyxl import load_workbook

        book = load_workbook(path)
        book["records"]["I2"] = "PZ-2023-0001"
        book["records"]["A2"] = dt.datetime(2023, 3, 5)  # a real date cell
        book.save(path)
    result = ingest.import_file(any_reference_engine, path, today=TODAY)
    assert result.status == "imported", result.errors
    line = imported_lines(any_reference_engine, result.import_id).iloc[0]
    assert (line["case_ref"], line["seized_on"], line["region_code"]) == ("PZ-2023-0001", dt.date(2023, 3, 5), "PR")  # the example row: the first region


def test_an_empty_column_without_a_name_is_ignored_but_not_one_with_values(any_reference_engine):
    trailing = csv_bytes(valid_rows(2), [*HEADER, ""])  # "a,b,...,case_ref," as spreadsheets often save
    assert trailing.splitlines()[1].endswith(b",")
    assert run_import(any_reference_engine, trailing).status == "imported"
    with_values = csv_bytes([{**r, "": "note"} for r in valid_rows(2, "U")], [*HEADER, ""])
    result = assert_rejected_unchanged(any_reference_engine, with_values, {(1, "column 10")})
    assert result.errors.loc[0, "reason"] == "values in a column without a name"


def test_whitespace_around_cells_is_ignored_and_a_cell_of_whitespace_is_empty(any_demo_copy_engine):
    """Spaces, tabs, no-break spaces and line breaks around a cell are not part of its value, whichever column."""
    header = [*HEADER, "source"]
    ws = ["\u00a0", " \t", "\r\n ", ""]
    rows = [{h: ws[i % 4] + v + ws[(i + 1) % 4] for i, (h, v) in enumerate(row(case_ref=f"W-{n}", source="s").items())}
            for n in range(3)]
    rows[1]["municipality"] = " \u00a0 "  # optional: empty
    rows[2]["source"] = "\t"  # optional: empty, so the default
    result = run_import(any_demo_copy_engine, csv_bytes(rows, header))
    assert result.status == "imported", result.errors
    lines = imported_lines(any_demo_copy_engine, result.import_id)
    assert list(lines["case_ref"]) == ["W-0", "W-1", "W-2"]
    assert lines["municipality"].isna().tolist() == [False, True, False] and set(lines["municipality"].dropna()) == {"Prizren"}
    assert list(lines["source"]) == ["s", "s", "Imported from records.csv"]
    assert set(lines["region_code"]) == {"PZ"} and set(lines["quantity"]) == {1.0}
    blank = run_import(any_demo_copy_engine, csv_bytes([row(case_ref="W-9", region="\u00a0\t")]))
    assert blank.errors[["row", "column", "reason"]].values.tolist() == [[2, "region", "required: the cell is empty"]]
