"""Tests at the edges where a wrong comparison would otherwise pass unnoticed: the last year, today, equal-to.

Each was checked by making the wrong change in the code (`<` for `<=`, the other tie-break, ...) and seeing it fail.
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa

from import_files import csv_bytes, row
from seizures import auth, disclosure, export, ingest, queries, schema, upload
from seizures.filters import SeizureFilter, from_query_params

BOUNDS = (2019, 2024)


def test_the_first_and_last_year_of_the_data_are_accepted_in_a_link():
    parsed = from_query_params({"from": "2019", "to": "2024"}, ["PR"], BOUNDS)
    assert (parsed.filter.year_from, parsed.filter.year_to, parsed.warnings) == (2019, 2024, [])
    for outside in ("2018", "2025"):
        assert from_query_params({"to": outside}, ["PR"], BOUNDS).warnings


def test_a_one_year_period_in_a_link_is_not_a_period_that_ends_before_it_starts():
    parsed = from_query_params({"from": "2024", "to": "2024"}, ["PR"], BOUNDS)
    assert (parsed.filter.year_from, parsed.filter.year_to, parsed.warnings) == (2024, 2024, [])


@pytest.mark.parametrize("days, accepted", [(0, True), (1, False)])
def test_a_seizure_dated_today_is_accepted_and_tomorrow_refused(empty_engine, days, accepted):
    today = dt.date(2024, 6, 30)
    data = csv_bytes([row(seized_on=(today + dt.timedelta(days=days)).isoformat())])
    result = ingest.import_file(empty_engine, data, "today.csv", today=today, user="tester")
    assert (result.status == "imported") is accepted, result.errors
    if not accepted:
        assert "future" in result.errors.loc[0, "reason"]


def _published_and_recorded(engine, published: list[tuple[int, float, str | None]], recorded: dict[int, int]) -> None:
    with engine.begin() as conn:
        conn.execute(schema.published_totals.insert(), [
            {"year": year, "indicator": "firearms_confiscated", "value": value, "qualifier": qualifier,
             "unit": "pieces", "source": "test"} for year, value, qualifier in published])
    rows = [row(seized_on=f"{year}-03-05", quantity=str(count), case_ref=f"B-{year}") for year, count in recorded.items()]
    assert ingest.import_file(engine, csv_bytes(rows), "b.csv", today=dt.date(2024, 6, 30)).status == "imported"


def test_a_more_than_figure_equal_to_the_records_does_not_match_but_an_exact_one_does(empty_engine):
    _published_and_recorded(empty_engine, [(2021, 7, "more than"), (2022, 7, None), (2023, 6, "more than")],
                            {2021: 7, 2022: 7, 2023: 7})
    check = queries.published_vs_recorded(empty_engine).set_index("year")["consistent"]
    assert check.to_dict() == {2021: False, 2022: True, 2023: True}


def test_a_tie_between_windows_1250_and_1252_is_read_as_1250():
    # "à" (1252) or "ŕ" (1250): neither is an expected letter, so the letters do not decide; Central European wins.
    text, encoding, notes = upload.decode_text("seized_on;region\n2023-03-05;Gjakov\xe0\n".encode("cp1252"))
    assert encoding == "cp1250"
    assert "ŕ" in text and len(notes) == 1


@pytest.mark.parametrize("entry", [{}, {"roles": []}, {"roles": ["superuser"]}, {"roles": "root"},
                                   {"roles": [None, "Admin"]}])
def test_a_users_file_entry_without_a_known_role_gets_the_least_access(entry):
    assert auth.role_of_entry(entry) == auth.VIEWER == min(auth.ROLES, key=auth.RANK.get)


def test_an_export_rounds_to_the_stored_precision():
    # Quantities are kept to the gram: binary noise from a float store never reaches a file.
    assert export._cell(68.80000000001) == 68.8
    assert export._cell(1.39999998) == 1.4
    assert export._cell(2.0004) == 2 and export._cell(2.0006) == 2.001  # below and above half a gram
    assert export._cell(3.0) == 3 and isinstance(export._cell(3.0), int)


def test_the_excel_export_keeps_the_chosen_sort_order(demo_engine):
    flt = SeizureFilter(2022, 2022, ("PE",), ("ammunition",))
    book = openpyxl.load_workbook(io.BytesIO(export.records_xlsx(demo_engine, flt, "quantity", descending=True)))
    sheet = list(book["records"].values)
    quantities = [line[sheet[0].index("quantity")] for line in sheet[1:]]
    assert len(quantities) > 10 and quantities == sorted(quantities, reverse=True)
    expected = pd.read_sql(queries.records_query(flt, "quantity", True), demo_engine.connect())
    assert [line[sheet[0].index("case_ref")] for line in sheet[1:]] == expected["case_ref"].tolist()


def test_the_public_headline_hides_the_change_when_either_year_is_small_and_shows_it_at_the_threshold():
    frame = pd.DataFrame({
        "measure": ["firearms", "ammunition", "explosives"], "label": ["a", "b", "c"], "unit": ["pieces"] * 3,
        "year": [2024] * 3, "value": [120.0, 5.0, 5.0], "previous": [4.0, 5.0, 0.0],
        "change": [116.0, 0.0, 5.0], "pct_change": [2900.0, 0.0, None], "period_total": [900.0, 40.0, 5.0],
    })
    shown = disclosure.shown(disclosure.protect_headline(frame, 5))
    assert shown.loc[0, ["value", "previous", "change", "pct_change"]].tolist() == [120.0, "<5", "x", "x"]
    assert shown.loc[1, ["value", "previous", "change"]].tolist() == [5.0, 5.0, 0.0]  # 5 is not below 5
    assert shown.loc[2, ["value", "previous", "change"]].tolist() == [5.0, 0.0, 5.0]  # a true zero is not hidden
