"""SDG indicator 16.4.2, the tracing funnel and the IAFQ tables, against figures worked out by hand from a made-up
jurisdiction's rows (tests/tracing_rows.py: lines and counts, empty fields included), on both engines."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

import tracing_rows as rows
from seizures import iafq, schema, store, tracing
from seizures.cli import main
from seizures.filters import SeizureFilter

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture()
def tracing_url(any_url) -> str:
    engine = store.make_engine(any_url)
    rows.load(engine)
    engine.dispose()
    return any_url


@pytest.fixture()
def engine(tracing_url):
    engine = store.make_engine(tracing_url)
    yield engine
    engine.dispose()


def test_the_indicator_and_the_funnel_by_year(engine):
    by_year = tracing.funnel_by(engine, SeizureFilter(), "year").set_index("year")
    assert list(by_year.index) == [2022, 2023]
    for column, expected in rows.Y2023.items():
        assert by_year.at[2023, column] == pytest.approx(expected), column
    # 2022: firearms and a marking, but no trace result: "not recorded", never 0 %.
    for column, expected in rows.Y2022.items():
        assert by_year.at[2022, column] == pytest.approx(expected), column
    assert pd.isna(by_year.at[2022, "share_pct"]) and pd.isna(by_year.at[2022, "share_of_results_pct"])
    assert by_year["illustrative_rows"].tolist() == [2, 7]


def test_the_indicator_by_directorate(engine):
    by_region = tracing.funnel_by(engine, SeizureFilter(2023, 2023), "region_code").set_index("region_code")
    assert set(by_region.index) == set(rows.BY_REGION_2023)
    for code, (seized, established, share) in rows.BY_REGION_2023.items():
        assert (by_region.at[code, "seized"], by_region.at[code, "established"]) == (seized, established)
        if share is None:  # the whole jurisdiction's count of a year: nothing about its tracing
            assert pd.isna(by_region.at[code, "share_pct"]) and by_region.at[code, "not_recorded"] == seized
        else:
            assert by_region.at[code, "share_pct"] == pytest.approx(share)


def test_the_period_and_the_filter(engine):
    [total] = tracing.funnel_by(engine, SeizureFilter()).to_dict("records")
    assert (total["seized"], total["established"]) == (47, 11)
    assert total["share_pct"] == pytest.approx(11 / 47 * 100)
    pistols = tracing.funnel_by(engine, SeizureFilter(2023, 2023, weapon_types=("pistol",))).iloc[0]
    assert (pistols["seized"], pistols["established"], pistols["result_recorded"]) == (15, 11, 11)
    north = tracing.funnel_by(engine, SeizureFilter(2022, 2022, regions=("NO",))).iloc[0]
    assert north["seized"] == 4 and north["recorded"] == 0 and pd.isna(north["share_pct"])
    assert tracing.funnel_by(engine, SeizureFilter(categories=("ammunition",))).empty  # no firearms: no funnel
    assert tracing.funnel_by(engine, SeizureFilter(categories=("ammunition",)), "year").empty


def test_a_true_zero_is_zero():
    """Results recorded, none established: 0 %, which is not "not recorded"."""
    frame = pd.DataFrame([{**dict.fromkeys(tracing.MEASURES, 0), "seized": 5, "rows": 2, "recorded": 5,
                           "result_recorded": 3, "not_established": 3}])
    out = tracing.with_indicator(frame).iloc[0]
    assert out["share_pct"] == 0 and out["share_of_results_pct"] == 0 and out["not_recorded"] == 0
    nothing = tracing.with_indicator(frame.assign(result_recorded=0, not_established=0)).iloc[0]
    assert pd.isna(nothing["share_pct"])


def test_the_funnels_stages_are_in_order(engine):
    row = tracing.funnel_by(engine, SeizureFilter(2023, 2023)).iloc[0]
    assert tracing.stages(row).values.tolist() == [["seized", 41.0], ["marked", 17.0], ["trace_requested", 7.0],
                                                   ["established", 11.0]]


# --- The IAFQ workbook ---


def sheets_of(content: bytes) -> dict[str, pd.DataFrame]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    out = {}
    for sheet in book.worksheets:
        values = list(sheet.iter_rows(values_only=True))
        out[sheet.title] = pd.DataFrame(values[1:], columns=values[0]) if sheet.title != "About" else pd.DataFrame(values)
    return out


def as_dict(frame: pd.DataFrame, key: str, value: str = "Firearms (pieces)") -> dict:
    return dict(zip(frame[key], frame[value]))


NOT_RECORDED = "not recorded"


def test_the_iafq_tables_of_a_year(engine):
    sheets = sheets_of(iafq.workbook(engine, 2023))
    assert list(sheets) == ["About", "By category", "Firearms by type", "Legal basis", "Criminal context",
                            "Significant seizures", "Marking", "Trace requests", "Trace results",
                            "Origin established how", "Country of manufacture", "Country of last import",
                            "Not recorded"]
    about = "\n".join(str(v) for v in sheets["About"].to_numpy().ravel() if v)
    assert "exact IAFQ sheet layout is not confirmed" in about and "Examplia" in about
    assert f"11 of 41 firearms with their illicit origin or context established: {11 / 41 * 100:.1f} %" in about
    assert "23 of the 41 firearms have no tracing field at all" in about
    assert "ILLUSTRATIVE: 8 of the year's rows" not in about and "ILLUSTRATIVE: 7 of the year's rows" in about

    category = sheets["By category"]
    assert category.values.tolist() == [["Firearms", "pieces", 41, 7], ["Ammunition", "rounds", 500, 1]]
    types = sheets["Firearms by type"].set_index("Weapon type")
    assert types.loc["Pistol"].tolist() == [1, 1, 13, 15]  # house search, surrender, not recorded, total
    assert types.loc["Rifle"].tolist() == [6, 0, 0, 6]
    assert types.loc[NOT_RECORDED].tolist() == [0, 0, 20, 20]
    assert list(types.columns) == ["House search", "Voluntary surrender", NOT_RECORDED, "Total"]
    assert types["Total"].sum() == 41
    assert as_dict(sheets["Legal basis"], "Legal basis") == {
        "Illicit possession": 2, "Illicit trafficking": 6, NOT_RECORDED: 33}
    assert as_dict(sheets["Criminal context"], "Criminal context") == {
        "Organised crime": 1, "Drug trafficking": 4, NOT_RECORDED: 36}
    significant = sheets["Significant seizures"]
    assert [str(d)[:10] for d in significant["Date"]] == ["2023-04-02", "2023-08-09", "2023-09-01"]
    assert significant["Quantity"].tolist() == [2, 500, 4]
    assert significant["Category"].tolist() == ["Firearms", "Ammunition", "Firearms"]
    assert significant["Country of manufacture"].tolist() == ["Serbia", NOT_RECORDED, "Germany"]
    assert significant["Illustrative"].tolist() == [True, True, True]
    assert as_dict(sheets["Marking"], "Marking found") == {"yes": 17, "no": 1, NOT_RECORDED: 23}
    assert as_dict(sheets["Trace requests"], "Trace requested") == {"yes": 7, "no request recorded": 34}
    assert as_dict(sheets["Trace results"], "Trace result") == {
        "Illicit origin or context established": 11, "Traced: origin not established": 2, "Trace pending": 4,
        NOT_RECORDED: 24}
    assert as_dict(sheets["Origin established how"], "How established") == {
        "International trace request": 1, "National records (registry, licences)": 10, NOT_RECORDED: 30}
    manufacture = sheets["Country of manufacture"]
    assert manufacture[["ISO code", "Country", "Firearms (pieces)"]].fillna("").values.tolist() == [
        ["CZ", "Czechia", 10], ["DE", "Germany", 5], ["RS", "Serbia", 2], ["", NOT_RECORDED, 24]]
    assert as_dict(sheets["Country of last import"], "Country") == {"Germany": 4, "Austria": 1, NOT_RECORDED: 36}
    missing = sheets["Not recorded"].set_index("Field")
    assert missing["Firearms without it"].to_dict() == {
        "Marking found": 23, "Trace requested on": 34, "Trace result": 24, "How established": 30,
        "Country of manufacture": 24, "Country of last legal import": 36, "Legal basis": 33, "Criminal context": 36,
        "Significant seizure": 34}
    assert missing.at["Marking found", "Share of the year's firearms (%)"] == round(23 / 41 * 100, 1)
    assert missing.at["Marking found", "Rows without it"] == 2  # the line of 3 and the count of 20


def test_the_iafq_of_a_year_without_trace_results_says_not_recorded(engine):
    sheets = sheets_of(iafq.workbook(engine, 2022))
    about = "\n".join(str(v) for v in sheets["About"].to_numpy().ravel() if v)
    assert "not recorded: no trace result is recorded for the year's 6 firearms" in about
    assert as_dict(sheets["Trace results"], "Trace result") == {NOT_RECORDED: 6}
    assert sheets["Significant seizures"].empty


def test_the_iafq_workbook_is_safe_to_open_in_a_spreadsheet(engine, tracing_url, tmp_path, capsys):
    with engine.begin() as conn:
        s = schema.seizures
        conn.execute(s.update().where(s.c.case_ref == "C2").values(municipality='=HYPERLINK("http://x","y")'))
    out = tmp_path / "iafq.xlsx"
    assert main(["--db-url", tracing_url, "iafq", "--year", "2023", "--region", "NO", "--out", str(out)]) == 0
    assert "the IAFQ tables of 2023" in capsys.readouterr().out
    book = openpyxl.load_workbook(out)
    cell = next(c for row in book["Significant seizures"].iter_rows() for c in row
                if isinstance(c.value, str) and "HYPERLINK" in c.value)
    assert cell.data_type == "s"  # text, not a formula
    assert all(c.data_type != "f" for sheet in book.worksheets for row in sheet.iter_rows() for c in row)
    regional = sheets_of(out.read_bytes())
    assert regional["By category"].values.tolist() == [["Firearms", "pieces", 7, 4]]  # North only
    assert main(["--db-url", tracing_url, "iafq", "--year", "2023", "--region", "XX", "--out", str(out)]) == 2


def test_the_iafq_in_albanian(engine):
    from seizures import i18n

    book = openpyxl.load_workbook(io.BytesIO(iafq.workbook(engine, 2023, lang="sq")))
    with i18n.using("sq"):
        assert i18n._("Trace results") in book.sheetnames and "Trace results" not in book.sheetnames


# --- The page ---


def open_tracing(monkeypatch, url: str, params: dict[str, str] | None = None) -> AppTest:
    monkeypatch.setenv("SEIZURES_DB_URL", url)
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    at.switch_page("app_pages/tracing.py").run()
    assert not at.exception, at.exception
    return at


def test_the_page_shows_the_indicator_not_recorded_and_the_funnel(monkeypatch, tracing_url, engine_kind,
                                                                  fresh_caches, downloads):
    if engine_kind != "duckdb":
        pytest.skip("the page is the same on both engines: its queries are tested on both above")
    at = open_tracing(monkeypatch, tracing_url)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["SDG 16.4.2, 2023"] == f"{11 / 41 * 100:.1f} %"
    assert metrics["SDG 16.4.2, 2022–2023"] == f"{11 / 47 * 100:.1f} %"
    assert metrics["Firearms seized, 2022–2023"] == "47"
    assert any("27 of the 47 firearms seized in 2022–2023 have no tracing field at all" in w.value for w in at.warning)
    by_year = at.dataframe[0].value.set_index("year")
    assert by_year.at["2022", "share"] == "not recorded" and by_year.at["2023", "established"] == 11
    by_region = at.dataframe[1].value.set_index("region_code")
    assert by_region.at["Whole jurisdiction (not by region)", "share"] == "not recorded"
    assert (by_region.at["North", "seized"], by_region.at["North", "share"]) == (11, f"{1 / 11 * 100:.1f} %")
    assert "iafq-2023.xlsx" in downloads  # administrators (development mode) may download the questionnaire

    only_2022 = open_tracing(monkeypatch, tracing_url, {"from": "2022", "to": "2022"})
    assert {m.label: m.value for m in only_2022.metric}["SDG 16.4.2, 2022"] == "not recorded"


def test_viewers_see_the_page_but_not_the_questionnaires_seizure_list(monkeypatch, tracing_url, engine_kind,
                                                                     tmp_path, fresh_caches, downloads):
    if engine_kind != "duckdb":
        pytest.skip("roles do not depend on the engine")
    from seizures import auth

    users = tmp_path / "users.yaml"
    auth.add_user(users, "vic", "viewer", password="viewer pass 1")
    monkeypatch.setenv("SEIZURES_AUTH", "password")
    monkeypatch.setenv("SEIZURES_USERS_FILE", str(users))
    monkeypatch.setenv("SEIZURES_DB_URL", tracing_url)
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = "vic"
    at.run()
    at.switch_page("app_pages/tracing.py").run()
    assert not at.exception, at.exception
    assert at.metric and "iafq-2023.xlsx" not in downloads
    assert any("analysts and administrators can download them" in c.value for c in at.caption)


def test_the_page_is_not_in_the_public_view(monkeypatch, tracing_url, engine_kind, fresh_caches):
    if engine_kind != "duckdb":
        pytest.skip("roles do not depend on the engine")
    monkeypatch.setenv("SEIZURES_PUBLIC", "1")
    at = open_tracing(monkeypatch, tracing_url)
    assert any("not part of the public view" in e.value for e in at.error)
    assert not at.metric


def test_the_report_prints_the_pages_indicator_for_any_jurisdiction(engine, monkeypatch):
    """The donor report of a store without Roadmap phases, published figures or trainings: its KPI section says so
    and prints SDG 16.4.2 by year as the page has it, "not recorded" for 2022."""
    from pypdf import PdfReader

    from seizures import report
    from seizures.report import figures

    monkeypatch.setattr(figures, "export_png", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("no browser")))
    flt = SeizureFilter(2022, 2023)
    text = "\n".join(" ".join(p.extract_text().split()) for p in
                     PdfReader(io.BytesIO(report.build_pdf(engine, flt))).pages)
    assert "No Roadmap phase is in the store." in text
    assert "2022 6 0 not recorded 4" in text
    assert f"2023 41 11 {11 / 41 * 100:.1f} % 23" in text
    book = openpyxl.load_workbook(io.BytesIO(report.build_xlsx(engine, flt)))
    values = list(book["SDG 16.4.2"].iter_rows(values_only=True))
    assert values[0] == ("Year", "Firearms seized", "Origin established", "SDG 16.4.2 (%)", "No tracing field",
                         "Illustrative")
    assert values[1:] == [(2022, 6, 0, "not recorded", 4, True), (2023, 41, 11, round(11 / 41 * 100, 1), 23, True)]
