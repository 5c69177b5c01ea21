"""Counts by period (issue 12): a wide monthly file of another, made-up jurisdiction through a saved column mapping,
long count files, every rule at its boundary, grouped problems, and record lines without case references or with
tracing columns. The totals are checked against sums computed with pandas from the file itself."""

from __future__ import annotations

import datetime as dt
import io
import json

import pandas as pd
import pytest
import sqlalchemy as sa

from conftest import load_reference
from count_files import (DISTRICT, MONTH, SECOND_JURISDICTION, TOTAL, VALUE_COLUMNS, YEAR, csv_text, district_mapping,
                         districts, wide_file, wide_rows)
from import_files import errors_at, fingerprint
from seizures import cli, ingest, mappings, queries, schema, store, vocab, workbench
from seizures.filters import SeizureFilter

TODAY = dt.date(2024, 6, 30)


@pytest.fixture()
def second(any_url):
    """A store holding only the second, made-up jurisdiction's reference data (7 regions, 40 districts)."""
    load_reference(any_url, SECOND_JURISDICTION)
    engine = store.make_engine(any_url)
    yield engine
    engine.dispose()


def run(engine, data: bytes, name="counts.csv", mapping=None, **kwargs) -> ingest.ImportResult:
    return ingest.import_file(engine, data, name, today=TODAY, user="tester", mapping=mapping, **kwargs)


def stored(engine) -> pd.DataFrame:
    with engine.connect() as conn:
        frame = pd.read_sql(sa.select(schema.seizures), conn)
    return frame.astype(object).where(frame.notna(), None)


def expected_totals(data: bytes) -> pd.DataFrame:
    """Year x region x (category, unit) sums computed from the file with pandas, independently of the importer."""
    frame = pd.read_csv(io.BytesIO(data), sep=";", decimal=",", thousands=".", dtype={DISTRICT: str})
    frame = frame[~frame[DISTRICT].isin([TOTAL])]
    region = {vocab.fold(d): r for d, r in districts()}
    frame["region"] = frame[DISTRICT].map(lambda d: region[vocab.fold(d)])
    long = frame.melt(id_vars=[YEAR, MONTH, "region"], value_vars=list(VALUE_COLUMNS), var_name="column",
                      value_name="quantity").dropna(subset=["quantity"])
    long["measure"] = long["column"].map(lambda c: f"{VALUE_COLUMNS[c][0]}:{VALUE_COLUMNS[c][1]}")
    out = long.groupby([YEAR, "region", "measure"])["quantity"].sum().round(3)
    return out[out > 0].sort_index()


def measured_totals(engine) -> pd.Series:
    """The same totals as the pages read them (queries.measure_by over the summaries)."""
    parts = []
    for key in ("firearm:pieces", "ammunition:rounds", "explosive:pieces", "explosive:kg"):
        frame = queries.measure_by(engine, SeizureFilter(), key, "year", "region_code").assign(measure=key)
        parts.append(frame)
    frame = pd.concat(parts).rename(columns={"year": YEAR, "region_code": "region"})
    out = frame.set_index([YEAR, "region", "measure"])["value"].round(3)
    return out[out > 0].sort_index()


# --- the wide monthly file of another jurisdiction ----------------------------------------------------------------


def test_a_wide_monthly_file_imports_through_a_saved_mapping_with_the_files_own_totals(second, tmp_path, capsys):
    url = second.url.render_as_string(hide_password=False)
    data = wide_file(first_year=2006, years=18)  # 18 years x 12 months x 40 districts, totals rows after each month
    path = tmp_path / "district-monthly-2006-2023.csv"
    path.write_bytes(data)
    # Saved in the store, exported to a file, imported back under another name: the round trip keeps it whole.
    mappings.save(second, district_mapping(), "tester")
    assert cli.main(["--db-url", url, "mappings", "export", "district-monthly", "--out",
                     str(tmp_path / "m.mapping.json")]) == 0
    assert cli.main(["--db-url", url, "mappings", "import", str(tmp_path / "m.mapping.json"), "--name",
                     "portal"]) == 0
    assert mappings.load(second, "portal") == mappings.with_name(district_mapping(), "portal")
    capsys.readouterr()

    assert cli.main(["--db-url", url, "import", str(path), "--mapping", "portal"]) == 0
    out = capsys.readouterr().out
    assert "as import #1 (mapping portal)" in out and "216 rows skipped by the mapping (totals)" in out
    pd.testing.assert_series_equal(measured_totals(second), expected_totals(data), check_names=False,
                                   check_dtype=False)
    lines = stored(second)
    assert set(lines["period"]) == {"month"} and lines["case_ref"].isna().all()
    assert set(lines["region_code"]) == {f"N{i}" for i in range(1, 8)}
    assert (lines["seized_on"].map(lambda d: d.day) == 1).all()
    assert (lines["quantity"] > 0).all()  # zeros read, not stored
    assert not lines["illustrative"].any()
    # Seizure events: no case reference anywhere, so "not recorded" (NaN), never a count of rows.
    events = queries.measure_by(second, SeizureFilter(), "events", "year")
    assert events["value"].isna().all() and len(events) == 18
    counts = queries.record_counts(second, SeizureFilter())
    assert (counts.lines, counts.with_case) == (0, 0) and counts.counts == len(lines)

    # Next month's file of the same layout: one step with the saved mapping; the same file again: nothing to do.
    january = csv_text(wide_rows(2024, 1, [d for d, _ in districts()], seed=99, months=1))
    (tmp_path / "next.csv").write_bytes(january)
    assert cli.main(["--db-url", url, "import", str(tmp_path / "next.csv"), "--mapping", "portal"]) == 0
    assert "as import #2" in capsys.readouterr().out
    assert cli.main(["--db-url", url, "import", str(tmp_path / "next.csv"), "--mapping", "portal"]) == 0
    assert "already imported as import #2" in capsys.readouterr().out
    both = expected_totals(data).add(expected_totals(january), fill_value=0)
    pd.testing.assert_series_equal(measured_totals(second), both, check_names=False, check_dtype=False)


def test_a_count_already_stored_by_another_import_is_refused_naming_it(second):
    data = wide_file(first_year=2020, years=1, months=2)
    assert run(second, data, "first.csv", district_mapping()).status == "imported"
    before = fingerprint(second)
    again = data.replace(b"\r\n", b"\n")  # other bytes, the same counts
    result = run(second, again, "second.csv", district_mapping())
    assert result.status == "rejected" and fingerprint(second) == before
    grouped = result.grouped()
    assert grouped["reason"].str.startswith("already in the store (import #1, first.csv)").all()


def test_the_same_district_and_month_twice_in_a_file(second):
    rows = wide_rows(2020, 1, ["Ashby", "Bramwell"], months=1, totals=False)
    rows.append(rows[1])  # Ashby, January 2020 again
    result = run(second, csv_text(rows), mapping=district_mapping())
    assert result.status == "rejected"
    reasons = set(result.errors["reason"])
    assert reasons == {"the same count as row 2 (region, period, category, unit, weapon type, context and tracing)"}
    assert set(result.errors["row"]) == {4}


# --- each rule at its boundary ------------------------------------------------------------------------------------


def one_row(year="2020", month="3", district="Ashby", **cells) -> bytes:
    values = {c: "" for c in VALUE_COLUMNS} | cells
    return csv_text([[YEAR, MONTH, DISTRICT, *VALUE_COLUMNS], [year, month, district, *values.values()]])


@pytest.mark.parametrize("year, month, problem", [
    ("2024", "6", None),  # this month (today is 30 June 2024)
    ("2024", "7", "a period that has not begun yet"),
    ("2005", "1", None),  # the jurisdiction's earliest date is 1 January 2005
    ("2004", "12", "a period that ends before 01.01.2005"),
    ("2024", "13", "not a month"),
    ("2024", "0", "not a month"),
    ("24", "6", "not a year"),
    ("", "6", "required"),
])
def test_the_period_at_its_boundaries(second, year, month, problem):
    result = run(second, one_row(year, month, **{"Pištolj": "2"}), mapping=district_mapping())
    if problem is None:
        assert result.status == "imported", result.grouped()
        assert stored(second)["seized_on"].tolist() == [dt.date(int(year), int(month), 1)]
    else:
        assert result.status == "rejected"
        assert problem in result.errors.loc[0, "reason"]
        assert result.errors.loc[0, "column"] in (YEAR, MONTH)


@pytest.mark.parametrize("column, text, quantity, problem", [
    ("Pištolj", "0", None, None),  # a zero: read, not stored
    ("Pištolj", "2,0", 2.0, None),  # a whole number written with a decimal comma
    ("Pištolj", "1,5", None, "pieces are counted in whole numbers"),
    ("Pištolj", "1,0000001", None, "pieces are counted in whole numbers"),  # judged on the text
    ("Eksploziv (kg)", "1,5", 1.5, None),  # decimal comma
    ("Eksploziv (kg)", "1,2345", None, "more than 3 decimals"),
    ("Streljivo (komada)", "1.250", 1250.0, None),  # thousands separator
    ("Streljivo (komada)", "1.25", None, "not a number as this file writes them"),  # a dot is no decimal mark here
    ("Streljivo (komada)", "1,250", None, "rounds are counted in whole numbers"),
    ("Pištolj", "50.000", 50000.0, None),  # the bound: 1,000 x the 50 pieces one record line may hold
    ("Pištolj", "50.001", None, "more than 50,000 pieces in one count"),
    ("Pištolj", "-1", None, "a negative count"),
    ("Pištolj", "abc", None, "not a number"),
])
def test_a_count_at_its_boundaries(second, column, text, quantity, problem):
    result = run(second, one_row(**{column: text}), mapping=district_mapping())
    if problem is None:
        assert result.status == "imported", result.grouped()
        assert stored(second)["quantity"].tolist() == ([] if quantity is None else [quantity])
        assert (result.zeros, result.counts_read) == (1 if text == "0" else 0, 1)
    else:
        assert result.status == "rejected"
        assert errors_at(result) == {(2, column)}
        assert problem in result.errors.loc[0, "reason"]


def test_missing_values_are_no_counts(second):
    result = run(second, one_row(**{"Pištolj": "-", "Revolver": "", "Puška": "1"}), mapping=district_mapping())
    assert result.status == "imported" and (result.counts_read, result.stored) == (1, 1)
    nothing = run(second, one_row(year="2021", **{"Pištolj": "-"}), mapping=district_mapping())
    assert nothing.status == "rejected" and nothing.file_error.startswith("no counts")


def test_an_empty_store_refuses_and_says_what_to_load(any_engine):
    with pytest.raises(workbench.ReferenceDataMissing, match="load the reference data first: `seizures reference "
                                                            "import ...` or `seizures init --demo`"):
        run(any_engine, one_row(**{"Pištolj": "1"}), mapping=district_mapping())


def test_no_message_names_a_jurisdiction():
    assert not [m for m in workbench.M.values() if "Kosovo" in m or "directorate" in m]


# --- problems grouped ---------------------------------------------------------------------------------------------


def test_problems_are_grouped_with_their_row_count_and_first_rows(second, tmp_path, capsys):
    rows = wide_rows(2019, 2, ["Ashby", "Grad X", "Bramwell"], totals=False)
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_text(rows))
    url = second.url.render_as_string(hide_password=False)
    mappings.save(second, district_mapping(), "tester")
    before = fingerprint(second)
    command = ["--db-url", url, "import", str(path), "--mapping", "district-monthly",
               "--errors-out", str(tmp_path / "grouped.csv"), "--errors-by-row-out", str(tmp_path / "rows.csv")]
    assert cli.main(command) == cli.EXIT_REJECTED
    assert fingerprint(second) == before
    err = capsys.readouterr().err
    reason = ("unknown district 'Grad X': not a municipality of the reference data, so its region is not known")
    line = f"  {DISTRICT}: {reason} — 24 rows: 3, 6, 9, 12, 15, 18, 21, 24, 27, 30, …"
    assert line in err.splitlines()
    assert err.splitlines()[0] == "1 distinct problem(s):"
    grouped = pd.read_csv(tmp_path / "grouped.csv")
    assert grouped[["column", "reason", "rows"]].values.tolist() == [[DISTRICT, reason, 24]]
    by_row = pd.read_csv(tmp_path / "rows.csv")
    assert list(by_row.columns) == ingest.ERROR_COLUMNS and len(by_row) == 24
    # In the interface's language, for the Data page.
    assert not ingest.grouped_problems(ingest.import_file(second, path.read_bytes(), "b.csv", today=TODAY,
                                                          mapping=district_mapping()).errors, "sq")["reason"].str.startswith(
        "unknown district").any()


# --- long count files ----------------------------------------------------------------------------------------------


def test_a_long_count_file_with_periods_of_every_kind_and_the_whole_jurisdiction(second):
    data = ("region;period;category;unit;weapon_type;context;quantity\n"
            "N1;2023;firearm;pieces;Handgun;;12\n"  # a year; a weapon type by its label
            "Fenland;2023-03;ammunition;rounds;;;1.250\n"  # a month; a region by name
            "N3;03.2023;explosive;kg;;Other circumstances;2,5\n"
            ";2023Q2;firearm;pieces;;;4\n"  # a quarter of the whole jurisdiction
            "N2;2023Q2;firearm;pieces;;;0\n").encode()
    mapping = mappings.long_counts(["region", "period", "quantity", "category", "unit", "weapon_type", "context"],
                                   ingest.normalise_header)
    mapping = mappings.Mapping(**{**mapping.__dict__, "decimal_char": ",", "group_char": "."})
    result = run(second, data, mapping=mapping)
    assert result.status == "imported", result.grouped()
    lines = stored(second).sort_values("seized_on")
    assert lines[["period", "seized_on", "region_code", "weapon_type", "context", "quantity"]].values.tolist() == [
        ["year", dt.date(2023, 1, 1), "N1", "pistol", None, 12.0],
        ["month", dt.date(2023, 3, 1), "N2", None, None, 1250.0],
        ["month", dt.date(2023, 3, 1), "N3", None, "other", 2.5],
        ["quarter", dt.date(2023, 4, 1), None, None, None, 4.0],
    ]


def test_a_long_count_file_is_recognised_by_its_columns(second):
    data = b"region,period,category,unit,quantity\nN1,2022,firearm,pieces,3\nN1,2022-13,firearm,pieces,3\n"
    result = run(second, data)
    assert result.status == "rejected" and result.mapping == "long-counts"
    assert errors_at(result) == {(3, "period")}
    assert "not a period written as YYYY-MM / MM.YYYY / YYYYQn / YYYY" in result.errors.loc[0, "reason"]
    assert run(second, data.rsplit(b"N1,2022-13", 1)[0]).status == "imported"


# --- record lines: case references optional, tracing --------------------------------------------------------------


def test_record_lines_without_case_references_are_no_seizure_events(second):
    data = ("seized_on,region,category,quantity,unit,weapon_type,context,case_ref\n"
            "2023-03-05,N1,firearm,1,pieces,,,\n"
            "2023-03-06,N1,firearm,2,pieces,Long rifle,Patrol,\n"
            "2023-03-06,N2,firearm,1,pieces,Handgun,,C-1\n"
            "2023-03-07,N1,firearm,1,pieces,,,\n").encode()  # the same as row 2 but for the day: no identity, no duplicate
    result = run(second, data)
    assert result.status == "imported", result.grouped()
    lines = stored(second).sort_values("id")
    assert lines["weapon_type"].tolist() == [None, "rifle", "pistol", None]
    events = queries.measure_by(second, SeizureFilter(), "events", "region_code").set_index("region_code")["value"]
    assert pd.isna(events["N1"]) and events["N2"] == 1.0


@pytest.mark.parametrize("column, value, stored_as", [
    ("marked", "da", True), ("marked", "yes", True), ("marked", "Po", True), ("marked", "0", False),
    ("significant", "false", False), ("manufacture_country", "de", "DE"), ("manufacture_country", "Germany", "DE"),
    ("import_country", "RS", "RS"), ("trace_result", "pending", "pending"),
    ("trace_result", "Praćenje u toku", "pending"), ("legal_basis", "Illicit trafficking", "illicit_trafficking"),
    ("criminal_context", "organised_crime", "organised_crime"), ("origin_how", "investigation", "investigation"),
    ("trace_requested_on", "04.03.2023", dt.date(2023, 3, 4)),
])
def test_tracing_columns_accepted(second, column, value, stored_as):
    data = f"seized_on,region,category,quantity,unit,{column}\n2023-03-05,N1,firearm,1,pieces,{value}\n".encode()
    result = run(second, data)  # "da" is Serbian for yes, "po" Albanian
    assert result.status == "imported", result.grouped()
    assert stored(second)[column].tolist() == [stored_as]


@pytest.mark.parametrize("column, value, reason", [
    ("marked", "maybe", "not yes or no 'maybe'"),
    ("manufacture_country", "XX", "not a country 'XX'"),
    ("manufacture_country", "DEU1", "not a country"),
    ("trace_result", "found", "not an allowed trace result 'found'"),
    ("legal_basis", "theft", "not an allowed legal basis"),
    ("trace_requested_on", "31.02.2023", "no such date"),
    ("trace_requested_on", "2024-07-01", "a date in the future"),
])
def test_tracing_columns_refused_at_their_cell(second, column, value, reason):
    data = f"seized_on,region,category,quantity,unit,{column}\n2023-03-05,N1,firearm,1,pieces,{value}\n".encode()
    before = fingerprint(second)
    result = run(second, data)
    assert result.status == "rejected" and errors_at(result) == {(2, column)}
    assert reason in result.errors.loc[0, "reason"]
    assert fingerprint(second) == before


def test_tracing_attributes_of_counts_from_a_mapping(second):
    base = district_mapping()
    mapping = mappings.Mapping(**{**base.__dict__, "constants": (("marked", "yes"), ("manufacture_country", "AT"))})
    result = run(second, one_row(**{"Pištolj": "3"}), mapping=mapping)
    assert result.status == "imported", result.grouped()
    assert stored(second)[["marked", "manufacture_country"]].values.tolist() == [[True, "AT"]]
    wrong = mappings.Mapping(**{**base.__dict__, "constants": (("manufacture_country", "Atlantis"),)})
    refused = run(second, one_row(year="2021", **{"Pištolj": "3"}), mapping=wrong)
    assert refused.status == "rejected" and "not a country 'Atlantis'" in refused.errors.loc[0, "reason"]


# --- the mapping as a Frictionless descriptor ---------------------------------------------------------------------


def test_the_descriptor_is_a_valid_frictionless_resource_and_round_trips():
    from frictionless import Resource

    descriptor = mappings.to_descriptor(district_mapping())
    assert Resource.validate_descriptor(descriptor).valid
    assert descriptor["dialect"] == {"header": True, "headerRows": [1], "csv": {"delimiter": ";"}}
    pistol = next(f for f in descriptor["schema"]["fields"] if f["name"] == "Pištolj")
    assert pistol == {"name": "Pištolj", "type": "number", "decimalChar": ",", "groupChar": "."}
    assert mappings.read_json(mappings.to_json(district_mapping())) == district_mapping()


@pytest.mark.parametrize("change, message", [
    (lambda d: d.pop("seizures:mapping"), "describes a file, not a mapping"),
    (lambda d: d.update(name="Has Space"), "not a valid Frictionless resource descriptor"),
    (lambda d: d["schema"]["fields"].append(dict(d["schema"]["fields"][0])), "names of the fields are not unique"),
    (lambda d: d["seizures:mapping"]["values"][0].update(category=None), "expected a column name or a value"),
    (lambda d: d["seizures:mapping"]["values"][0].update(colour="red"), "unknown attribute 'colour'"),
    (lambda d: d["seizures:mapping"]["period"].update(quarter="Q"), "a month or a quarter column, not both"),
    (lambda d: d["seizures:mapping"]["region"].update(match="county"), "region.match 'county'"),
    (lambda d: d.update(encoding="klingon"), "encoding 'klingon'"),
    (lambda d: d["dialect"]["csv"].update(delimiter=";;"), "delimiter ';;'"),
])
def test_a_broken_mapping_file_is_refused_with_its_reason(change, message):
    descriptor = mappings.to_descriptor(district_mapping())
    change(descriptor)
    with pytest.raises(mappings.MappingError, match=message.replace("(", "\\(").replace(")", "\\)")):
        mappings.read_json(json.dumps(descriptor), "m.mapping.json")


def test_mappings_list_show_remove(second, tmp_path, capsys):
    url = second.url.render_as_string(hide_password=False)
    mappings.save(second, district_mapping(), "tester")
    with pytest.raises(mappings.MappingError, match="already saved"):
        mappings.save(second, district_mapping(), "tester")
    assert cli.main(["--db-url", url, "mappings", "list"]) == 0
    assert "district-monthly" in capsys.readouterr().out
    assert cli.main(["--db-url", url, "mappings", "show", "district-monthly"]) == 0
    assert json.loads(capsys.readouterr().out)["seizures:mapping"]["period"]["month"] == MONTH
    assert cli.main(["--db-url", url, "mappings", "remove", "district-monthly"]) == 0
    assert cli.main(["--db-url", url, "mappings", "remove", "district-monthly"]) == cli.EXIT_REJECTED
    assert cli.main(["--db-url", url, "import", str(tmp_path / "x.csv"), "--mapping", "nothing"]) == cli.EXIT_BAD_INPUT


def test_the_example_mapping_file_is_the_tests_mapping():
    """tests/data/district_portal/district-monthly.mapping.json: the example the README quotes, kept current."""
    path = SECOND_JURISDICTION / "district-monthly.mapping.json"
    assert mappings.read_file(path) == district_mapping()
    assert path.read_text(encoding="utf-8") == mappings.to_json(district_mapping())


def test_the_template_speaks_the_stores_own_terms(second, tmp_path):
    from seizures import template

    written = template.write_template(second, tmp_path / "t.csv")
    example = pd.read_csv(written[0], dtype=str, keep_default_na=False).iloc[0]
    assert (example["region"], example["municipality"], example["category"], example["weapon_type"]) == (
        "N1", "Ashby", "firearm", "pistol")
    allowed = pd.read_csv(written[1], dtype=str, keep_default_na=False)
    assert set(allowed.loc[allowed["column"] == "weapon_type", "meaning"]) >= {"Handgun", "Improvised firearm"}
    assert "Kosovo" not in written[1].read_text(encoding="utf-8").replace("XK,Kosovo", "")
    path = written[0]
    path.write_text(path.read_text(encoding="utf-8").replace("EXAMPLE-2023-0001", "N1-1"), encoding="utf-8")
    assert ingest.import_file(second, path, today=TODAY).status == "imported"
