"""The Data page driven through AppTest: an upload changes the Overview by exactly what was imported, or nothing.

The figures are read from the record-level bars of the Overview page's yearly trend charts.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import plotly.io as pio
import pytest
from streamlit.testing.v1 import AppTest

from import_files import csv_bytes, row
from seizures import ingest, store

APP = str(Path(__file__).resolve().parents[1] / "app.py")
DATA_PAGE = "app_pages/data.py"
OVERVIEW_PAGE = "app_pages/overview.py"
ERROR_COLUMNS = ["row", "column", "value", "problem"]

# (category, unit) -> year -> quantity the file below adds
NEW_ROWS = [
    row(case_ref="APP-1", seized_on="2023-02-01", quantity="2"),
    row(case_ref="APP-2", seized_on="10.11.2023", region="Gjilan", municipality="Viti", quantity="1"),
    row(case_ref="APP-3", seized_on="2021-05-05", region="PR", municipality="", quantity="2",
        weapon_type="revolver"),
    row(case_ref="APP-4", seized_on="2022-07-07", category="ammunition", unit="rounds", quantity="50"),
]
EXPECTED_CHANGE = {("firearm", "pieces"): {2023: 3.0, 2021: 2.0}, ("ammunition", "rounds"): {2022: 50.0}}


@pytest.fixture()
def app(monkeypatch, demo_copy_url, fresh_caches) -> AppTest:
    monkeypatch.setenv("SEIZURES_DB_URL", demo_copy_url)
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    assert not at.exception
    return at


def overview_totals(at: AppTest) -> pd.DataFrame:
    """The record-level sums on the Overview's yearly trend charts: index year, columns (category, unit)."""
    at.switch_page(OVERVIEW_PAGE).run()
    assert not at.exception
    columns = {}
    for key, column in (("firearm:pieces", ("firearm", "pieces")), ("ammunition:rounds", ("ammunition", "rounds"))):
        charts = [e for e in at.get("plotly_chart") if e.proto.id.endswith(f"chart_trend_{key.replace(':', '_')}")]
        assert charts, f"the Overview shows no trend chart of {key}"
        bars = [t for t in pio.from_json(charts[0].proto.spec).data if t.type == "bar"]
        assert len(bars) == 1, "expected one bar series of record-level sums"
        columns[column] = pd.Series(list(bars[0].y), index=[int(x) for x in bars[0].x], dtype="float64")
    return pd.DataFrame(columns).fillna(0.0)


def upload(at: AppTest, name: str, data: bytes, *, skip_invalid: bool = False) -> AppTest:
    at.switch_page(DATA_PAGE).run()
    at.file_uploader(key="upload").set_value((name, data, "text/csv"))
    at.run()
    if skip_invalid:
        at.checkbox(key="skip_invalid").check().run()
    at.button(key="import").click().run()
    assert not at.exception
    return at


GROUPED_COLUMNS = ["column", "problem", "rows", "first rows", "values"]


def error_table(at: AppTest, columns=ERROR_COLUMNS) -> pd.DataFrame | None:
    for frame in at.dataframe:
        value = frame.value.data if hasattr(frame.value, "data") else frame.value  # a Styler outside English
        if list(value.columns) == columns:
            return value
    return None


def change(before: pd.DataFrame, after: pd.DataFrame) -> dict:
    """Every cell that changed: (category, unit) -> year -> difference."""
    diff = after.sub(before, fill_value=0.0)
    out: dict = {}
    for column in diff.columns:
        changed = diff[column][diff[column] != 0]
        if not changed.empty:
            out[column] = {int(year): float(value) for year, value in changed.items()}
    return out


def test_a_valid_upload_changes_the_overview_by_exactly_the_imported_quantities(app):
    before = overview_totals(app)
    upload(app, "new-records.csv", csv_bytes(NEW_ROWS))
    assert [s.value for s in app.success] == ["new-records.csv: imported 4 of 4 rows as import #2"]
    assert error_table(app) is None
    assert change(before, overview_totals(app)) == EXPECTED_CHANGE


def test_an_invalid_upload_shows_the_problems_and_changes_nothing(app):
    before = overview_totals(app)
    rows = [*NEW_ROWS[:2], row(case_ref="APP-9", quantity="0"), row(case_ref="APP-10", region="Atlantis")]
    upload(app, "bad.csv", csv_bytes(rows))
    assert any("nothing imported: 2 problem(s) in 2 of 4 rows" in e.value for e in app.error)
    grouped = error_table(app, GROUPED_COLUMNS)  # one line per distinct problem first
    assert grouped[["column", "rows", "first rows"]].values.tolist() == [["quantity", 1, "4"], ["region", 1, "5"]]
    assert error_table(app) is None  # the rows on demand
    app.toggle(key="show_problem_rows").set_value(True).run()
    problems = error_table(app)
    assert list(zip(problems["row"], problems["column"])) == [(4, "quantity"), (5, "region")]
    assert {b.label for b in app.get("download_button")} >= {"Download the problems (CSV)",
                                                             "Download the problems row by row (CSV)"}
    assert change(before, overview_totals(app)) == {}


def test_import_valid_rows_only(app):
    before = overview_totals(app)
    upload(app, "mixed.csv", csv_bytes([*NEW_ROWS, row(case_ref="APP-9", quantity="0")]), skip_invalid=True)
    assert [s.value for s in app.success] == ["mixed.csv: imported 4 of 5 rows as import #2; 1 invalid rows skipped"]
    assert any("1 rows were not imported" in w.value for w in app.warning)
    assert any(b.label == "Download the rejected rows (CSV)" for b in app.get("download_button"))
    assert change(before, overview_totals(app)) == EXPECTED_CHANGE


def test_a_file_that_is_not_a_spreadsheet_is_refused_and_the_app_keeps_running(app):
    before = overview_totals(app)
    upload(app, "photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert any("not a text file" in e.value for e in app.error)
    assert change(before, overview_totals(app)) == {}


def test_rolling_back_from_the_page_restores_the_overview(app):
    before = overview_totals(app)
    upload(app, "new-records.csv", csv_bytes(NEW_ROWS))
    assert change(before, overview_totals(app)) == EXPECTED_CHANGE
    app.switch_page(DATA_PAGE).run()
    app.selectbox(key="rollback_id").set_value(2).run()
    assert app.button(key="rollback").disabled  # not before the confirmation
    app.checkbox(key="rollback_confirm").check().run()
    app.button(key="rollback").click().run()
    assert not app.exception
    assert any("Rolled back import #2: 4 lines removed" in s.value for s in app.success)
    assert change(before, overview_totals(app)) == {}


def test_an_import_from_outside_the_app_shows_without_a_restart(app, demo_copy_url):
    before = overview_totals(app)  # the app has cached its query results
    result = ingest.import_file(store.make_engine(demo_copy_url), csv_bytes(NEW_ROWS), "cli.csv")
    assert result.status == "imported"
    assert change(before, overview_totals(app)) == EXPECTED_CHANGE  # no cache clear, no restart


def test_after_a_rollback_the_list_offers_the_newest_import_in_force_never_the_demo(app):
    upload(app, "first.csv", csv_bytes(NEW_ROWS[:2]))
    upload(app, "second.csv", csv_bytes(NEW_ROWS[2:]))
    app.switch_page(DATA_PAGE).run()
    assert app.selectbox(key="rollback_id").value == 3  # the newest
    app.checkbox(key="rollback_confirm").check().run()
    app.button(key="rollback").click().run()
    assert app.selectbox(key="rollback_id").value == 2  # the newest still in force
    app.checkbox(key="rollback_confirm").check().run()
    app.button(key="rollback").click().run()
    box = app.selectbox(key="rollback_id")
    assert box.value is None and box.options[1].startswith("#1 demo_seizures.csv")  # the demo only when chosen
    assert not [b for b in app.button if b.key == "rollback"]


def test_counts_in_the_imports_table_have_thousands_separators(app):
    app.switch_page(DATA_PAGE).run()
    table = next(f for f in app.dataframe if "rows read" in str(f.proto.columns))
    config = json.loads(table.proto.columns)
    assert config["rows read"]["type_config"]["format"] == "localized"
    # Only the demo is in force: nothing is chosen until it is chosen explicitly; its label has the separators.
    box = app.selectbox(key="rollback_id")
    assert box.value is None and box.options[1].startswith("#1 demo_seizures.csv (demo, 9,885 lines")


def test_a_wide_count_file_through_a_saved_mapping_preview_then_import(monkeypatch, any_url, fresh_caches, tmp_path):
    """The Data page's counts step on the second, made-up jurisdiction: a saved mapping, the preview of the first
    rows as they will be stored (with their labels), then the import; then problems grouped."""
    from conftest import load_reference
    from count_files import SECOND_JURISDICTION, district_mapping, wide_file
    from seizures import mappings, store as store_module

    if not any_url.startswith("duckdb"):
        pytest.skip("the page test runs on DuckDB (the import itself is tested on both engines)")
    load_reference(any_url, SECOND_JURISDICTION)
    engine = store_module.make_engine(any_url)
    mappings.save(engine, district_mapping(), "tester")
    engine.dispose()
    monkeypatch.setenv("SEIZURES_DB_URL", any_url)
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.switch_page(DATA_PAGE).run()
    at.radio(key="upload_kind").set_value("counts").run()
    data = wide_file(first_year=2020, years=1, months=2)
    at.file_uploader(key="upload").set_value(("portal.csv", data, "text/csv")).run()
    at.selectbox(key="mapping_choice").set_value("district-monthly").run()
    at.button(key="preview").click().run()
    assert not at.exception
    preview = error_table(at, ["region", "district or municipality", "period", "category", "weapon type", "context",
                               "quantity", "counted in"])
    assert preview is not None, ([e.value for e in at.error], [i.value for i in at.info], [list(f.value.columns) for f in at.dataframe])
    assert len(preview) == 20
    assert set(preview["period"]) <= {"2020-01", "2020-02"} and "Handgun" in set(preview["weapon type"])
    assert set(preview["region"]) <= {"Northern Coast", "Fenland", "High Moors", "River Valley", "Eastern Plains",
                                      "Lake District", "Capital"}
    at.button(key="import").click().run()
    assert not at.exception
    assert any("as import #1 (mapping district-monthly)" in s.value for s in at.success)
    # Another file with an unknown district: one grouped problem, its rows, its reason in full (the reasons in
    # the page's language: tests/test_counts.py).
    bad = wide_file(first_year=2021, years=1, months=2).replace(b";Ashby;", b";Grad X;")
    at.file_uploader(key="upload").set_value(("bad.csv", bad, "text/csv")).run()
    at.button(key="import").click().run()
    grouped = error_table(at, GROUPED_COLUMNS)
    assert grouped is not None and len(grouped) == 1
    assert grouped.iloc[0]["problem"].startswith("unknown district 'Grad X'") and grouped.iloc[0]["rows"] == 2
