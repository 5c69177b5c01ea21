"""The donor report: the PDF's text and images, the Excel workbook, and the `seizures report` command.

The PDF is built once (one headless Chromium for its charts) by the command line and inspected by several tests.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from seizures import kpis, queries, report, schema
from seizures.cli import main
from seizures.filters import SeizureFilter
from seizures.report import figures, pdf

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
YEAR = 2022


def needs(tool: str, path: str | None) -> None:
    if path is None or not Path(path).exists():
        if os.environ.get("CI"):
            raise RuntimeError(f"{tool} is missing: .ci/run must install it")
        pytest.skip(f"{tool} not installed")


def scalar(engine, query):
    with engine.connect() as conn:
        return conn.execute(query).scalar_one()


def published(engine, indicator: str, year: int) -> float:
    t = schema.published_totals
    return scalar(engine, sa.select(t.c.value).where(t.c.indicator == indicator, t.c.year == year))


def record_sum(engine, year: int, category: str = "firearm", region: str | None = None) -> float:
    s = schema.seizures
    where = [s.c.category == category, sa.extract("year", s.c.seized_on) == year]
    if region:
        where.append(s.c.region_code == region)
    return scalar(engine, sa.select(sa.func.sum(s.c.quantity)).where(*where))


def latest_kpi_values(engine, first: int | None, last: int | None) -> dict[int, tuple]:
    """KPI number -> (baseline, target, latest year, latest value) in a period (None: open), read straight from the
    store."""
    v = schema.kpi_values
    query = sa.select(v.c.kpi_number, v.c.year, v.c.value, v.c.baseline, v.c.target).order_by(v.c.kpi_number, v.c.year)
    if first is not None:
        query = query.where(v.c.year >= first)
    if last is not None:
        query = query.where(v.c.year <= last)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return {row.kpi_number: (row.baseline, row.target, row.year, row.value) for row in rows}


def kpi_goals(engine) -> dict[int, int | None]:
    k = schema.roadmap_kpis
    with engine.connect() as conn:
        return dict(conn.execute(sa.select(k.c.number, k.c.goal_number)).all())


def no_browser(monkeypatch, message: str = "Kaleido v1 and later requires Chrome to be installed.") -> None:
    """Charts fail as without Chromium: the PDF says so where they would be (and is built in a second)."""
    def fail(*args, **kwargs):
        raise RuntimeError(message)

    monkeypatch.setattr(figures, "export_png", fail)


def pdf_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


@pytest.fixture(scope="module")
def built(demo_url, tmp_path_factory):
    """`seizures report --year 2022 --out … --xlsx …` run once; yields (pdf path, xlsx path)."""
    needs("chromium", CHROMIUM)
    folder = tmp_path_factory.mktemp("report")
    pdf, xlsx = folder / "report.pdf", folder / "report.xlsx"
    assert main(["--db-url", demo_url, "report", "--year", str(YEAR), "--out", str(pdf), "--xlsx", str(xlsx)]) == 0
    return pdf, xlsx


@pytest.fixture(scope="module")
def pages(built) -> list[str]:
    return [page.extract_text() for page in PdfReader(built[0]).pages]


def test_pdf_headline_figures_and_year_over_year_change(pages, demo_engine):
    text = "\n".join(pages)
    this, before = published(demo_engine, "firearms_confiscated", YEAR), published(demo_engine, "firearms_confiscated", YEAR - 1)
    assert f"{this:,.0f}" in text  # 1,473 for 2022
    change = this - before
    assert f"+{change:,.0f} (+{change / before * 100:.1f} %) on {YEAR - 1} ({before:,.0f})" in text
    rounds = published(demo_engine, "ammunition_rounds", YEAR)
    assert f"{rounds:,.0f}" in text
    assert "Report for 2022" in pages[0]


def test_pdf_kpi_table_has_each_contributing_kpi(pages, demo_engine):
    start = next(i for i, p in enumerate(pages) if "Roadmap KPIs" in p and "Baseline" in p)
    kpi_page = "\n".join(pages[start:start + 2])  # the table may run over to the next page
    expected = latest_kpi_values(demo_engine, YEAR, YEAR)
    goals = kpi_goals(demo_engine)
    period = SeizureFilter(year_from=YEAR, year_to=YEAR)  # the status the Roadmap KPIs page shows for it
    status = kpis.kpi_table(queries.contributing_kpis(demo_engine), queries.kpi_values_in_period(demo_engine, period))
    status = status.set_index("number")["status"]
    for number in (3, 4, 8, 10):
        baseline, target, year, value = expected[number]
        better = "higher" if target > baseline else "lower"
        progress = (value - baseline) / (target - baseline) * 100
        row = (rf"^{number} {goals[number]} {status[number]} {baseline:,.0f} {target:,.0f} {better} {year} "
               rf"{value:,.0f} {progress:.0f} %$")
        assert re.search(row, kpi_page, re.MULTILINE), f"KPI {number} row missing: {row}\n{kpi_page}"
    assert status[14] == "no data"
    assert re.search(r"^14 – no data( –){6}$", kpi_page, re.MULTILINE), "KPI 14 (no values) must be listed as such"


def test_pdf_flags_illustrative_data_on_every_page_that_shows_it(pages):
    flag = "This page shows illustrative (generated) data"
    assert "illustrative" in pages[0].lower()
    for number, text in enumerate(pages, start=1):
        shows = "ILLUSTRATIVE DATA" in text or "Illustrative demo data" in text
        assert flag in text or not shows, f"page {number} shows illustrative data without the footer flag"
    assert sum(flag in text for text in pages) >= 2


def test_pdf_has_the_charts_and_training_by_gender(built, pages, demo_engine):
    reader = PdfReader(built[0])
    assert sum(len(page.images) for page in reader.pages) == 3  # the two trends and the directorates' shares
    text = "\n".join(pages)
    t = schema.trainings
    men, women = (scalar(demo_engine, sa.select(sa.func.sum(c))) for c in (t.c.men, t.c.women))
    assert re.search(rf"All courses {men} {women} {men + women} {women / (men + women) * 100:.1f} %", text)
    assert "Computers 80 Kosovo Police" in text


def test_pdf_first_pages_render_to_png_for_review(built):
    needs("pdftoppm", shutil.which("pdftoppm"))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    prefix = ARTIFACTS / "report-page"
    for old in ARTIFACTS.glob("report-page*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "80", "-png", "-f", "1", "-l", "3", str(built[0]), str(prefix)], check=True)
    rendered = sorted(ARTIFACTS.glob("report-page*.png"))
    assert len(rendered) == 3
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in rendered)


SHEETS = ["About", "Headline", "Published totals", "Records by year", "Records by directorate", "KPIs", "Training",
          "Equipment", "Sources"]


def sheet_frame(workbook, name: str) -> pd.DataFrame:
    rows = list(workbook[name].iter_rows(values_only=True))
    return pd.DataFrame(rows[1:], columns=rows[0])


def test_workbook_has_one_sheet_per_table_with_the_stores_values(built, demo_engine):
    wb = openpyxl.load_workbook(built[1])
    assert wb.sheetnames == SHEETS
    about = {row[0]: row[1] for row in wb["About"].iter_rows(values_only=True)}
    assert about["Period"] == str(YEAR)
    headline = sheet_frame(wb, "Headline").set_index(["Measure", "Basis"])
    assert headline.loc[("Firearms confiscated", "published"), "Value"] == published(demo_engine, "firearms_confiscated", YEAR)
    assert headline.loc[("Firearms (pieces)", "illustrative"), "Value"] == record_sum(demo_engine, YEAR)
    pub = sheet_frame(wb, "Published totals")
    assert pub[(pub["Year"] == YEAR) & (pub["Measure"] == "Ammunition (rounds)")]["Value"].item() == published(
        demo_engine, "ammunition_rounds", YEAR)
    by_year = sheet_frame(wb, "Records by year").set_index("Year")
    assert by_year.loc[YEAR, "Ammunition (rounds)"] == record_sum(demo_engine, YEAR, "ammunition")
    assert by_year["Illustrative"].all()
    by_region = sheet_frame(wb, "Records by directorate").set_index("Directorate")
    assert by_region.loc["Prizren", "Firearms (pieces)"] == record_sum(demo_engine, YEAR, region="PZ")
    assert len(by_region) == 8 and by_region["Illustrative"].all()
    kpi_sheet = sheet_frame(wb, "KPIs").set_index("KPI")
    assert list(kpi_sheet.index) == [3, 4, 8, 10, 14]
    assert kpi_sheet.loc[3, "Latest actual"] == latest_kpi_values(demo_engine, YEAR, YEAR)[3][3]
    rated = kpis.kpi_table(queries.contributing_kpis(demo_engine),
                           queries.kpi_values_in_period(demo_engine, SeizureFilter(YEAR, YEAR))).set_index("number")
    assert kpi_sheet["Status"].tolist() == rated["status"].tolist()  # the Roadmap KPIs page's rule
    baseline, target, _, value = latest_kpi_values(demo_engine, YEAR, YEAR)[4]
    assert kpi_sheet.loc[4, "Progress to target"] == round((value - baseline) / (target - baseline) * 100)
    assert kpi_sheet["Illustrative"].tolist() == [True, True, True, True, False]  # KPI 14 has no values
    training = sheet_frame(wb, "Training").set_index("Course")
    assert training.loc["All courses", "Women"] == scalar(demo_engine, sa.select(sa.func.sum(schema.trainings.c.women)))
    equipment = sheet_frame(wb, "Equipment").set_index("Item")
    e = schema.equipment
    assert equipment.loc["Thermal cameras", "Quantity"] == scalar(demo_engine, sa.select(e.c.quantity).where(e.c.item == "Thermal cameras"))
    sources = sheet_frame(wb, "Sources")
    records = sources[sources["Data"] == "Seizure records"]  # the About page's table: every line in the store
    assert records["Rows"].sum() == scalar(demo_engine, sa.select(sa.func.count()).select_from(schema.seizures))
    assert records["Illustrative"].all()


# --- Without Chromium: the workbook, the status column, the font, errors ---

def test_workbook_for_a_filtered_period(demo_engine):
    flt = SeizureFilter(year_from=2020, year_to=2021, regions=("PZ", "GJ"), categories=("firearm",))
    wb = openpyxl.load_workbook(io.BytesIO(report.build_xlsx(demo_engine, flt)))
    by_region = sheet_frame(wb, "Records by directorate").set_index("Directorate")
    assert set(by_region.index) == {"Prizren", "Gjakova"}
    assert list(by_region.columns) == ["Firearms (pieces)", "Seizure events (number)", "Illustrative"]
    expected = sum(record_sum(demo_engine, y, region="PZ") for y in (2020, 2021))
    assert by_region.loc["Prizren", "Firearms (pieces)"] == expected
    # a seizure event is one case reference (a line without one is an event of its own)
    s = schema.seizures
    where = [s.c.region_code == "PZ", s.c.category == "firearm", s.c.seized_on.between(dt.date(2020, 1, 1), dt.date(2021, 12, 31))]
    events = scalar(demo_engine, sa.select(sa.func.count(sa.distinct(s.c.case_ref))).where(*where)) + scalar(
        demo_engine, sa.select(sa.func.count()).where(*where, s.c.case_ref.is_(None)))
    assert by_region.loc["Prizren", "Seizure events (number)"] == events
    assert list(sheet_frame(wb, "Records by year")["Year"]) == [2020, 2021]
    about = {row[0]: row[1] for row in wb["About"].iter_rows(values_only=True)}
    assert about["Regional directorates"] == "Prizren, Gjakova"


def test_kpi_sheet_takes_the_latest_value_up_to_the_period(demo_engine):
    for year in (2020, 2024):
        wb = openpyxl.load_workbook(io.BytesIO(report.build_xlsx(demo_engine, SeizureFilter(year_to=year))))
        table = sheet_frame(wb, "KPIs").set_index("KPI")
        for number, (baseline, target, latest_year, value) in latest_kpi_values(demo_engine, None, year).items():
            assert (table.loc[number, "Latest year"], table.loc[number, "Latest actual"]) == (latest_year, value)
            assert (table.loc[number, "Baseline"], table.loc[number, "Target"]) == (baseline, target)


def test_the_pdf_font_prints_albanian_and_serbian_latin_letters():
    doc = pdf.ReportPDF("footer")
    doc.add_page()
    sample = "Prishtinë, Gjakovë, Fushë Kosovë, Graçanicë; Đakovica, Uroševac, Južna Mitrovica, Peć"
    doc.paragraph(sample)
    text = PdfReader(io.BytesIO(bytes(doc.output()))).pages[0].extract_text()
    assert sample in text


def test_report_without_records_needs_a_period(empty_engine):
    with pytest.raises(report.ReportError, match="no seizure records"):
        report.build_xlsx(empty_engine, SeizureFilter())


@pytest.mark.parametrize(
    "args,message",
    [
        (["--year", "2022", "--from", "2021", "--out", "r.pdf"], "either --year or --from/--to"),
        (["--year", "2022"], "--out REPORT.pdf and/or --xlsx"),
        (["--from", "2023", "--to", "2021", "--xlsx", "r.xlsx"], "ends before it starts"),
        (["--year", "1990", "--xlsx", "r.xlsx"], "outside the data's years 2019–2024"),
        (["--year", "2022", "--region", "PZ,XX", "--xlsx", "r.xlsx"], "unknown region"),
        (["--year", "2022", "--xlsx", "no/such/folder/r.xlsx"], "folder does not exist"),
    ],
)
def test_report_command_refuses_bad_arguments_with_one_line(demo_url, tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.chdir(tmp_path)
    assert main(["--db-url", demo_url, "report", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("seizures: error: ") and message in err and len(err.strip().splitlines()) == 1
    assert not list(tmp_path.iterdir()), "nothing is written on bad arguments"


def test_report_command_writes_the_workbook(demo_url, tmp_path, capsys):
    out = tmp_path / "r.xlsx"
    assert main(["--db-url", demo_url, "report", "--from", "2021", "--to", "2023", "--xlsx", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    about = {row[0]: row[1] for row in openpyxl.load_workbook(out)["About"].iter_rows(values_only=True)}
    assert about["Period"] == "2021–2023"


def test_pdf_without_a_browser_says_where_the_charts_are_missing(demo_engine, monkeypatch):
    no_browser(monkeypatch)
    reader = PdfReader(io.BytesIO(report.build_pdf(demo_engine, SeizureFilter(year_from=2021, year_to=2022))))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert text.count("Chart not available: Kaleido v1 and later requires Chrome") == 2
    assert sum(len(page.images) for page in reader.pages) == 0
    assert "Report for 2021–2022" in text and "1,473" in text


# --- The pages' numbers: the report reads them through the same functions, for the same filter ---

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_page(monkeypatch, url: str, page: str, params: dict[str, str]) -> AppTest:
    monkeypatch.setenv("SEIZURES_DB_URL", url)
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(f"app_pages/{page}").run()
    assert not at.exception, at.exception
    return at


def table_rows(text: str, first_cell: str) -> list[list[str]]:
    """The lines of the PDF's text that start with a table's first cell, split into the cells after it."""
    return [line.removeprefix(first_cell).split() for line in text.splitlines() if line.startswith(first_cell + " ")]


def test_a_multi_year_reports_record_level_headline_is_the_last_years_as_on_the_overview(
        monkeypatch, demo_url, demo_engine, fresh_caches):
    overview = open_page(monkeypatch, demo_url, "overview.py", {"from": "2021", "to": "2022"})
    shown = {m.label: m.value for m in overview.metric}
    assert set(shown) == {"Firearms (pieces)", "Ammunition (rounds)", "Explosives (kg)", "Seizure events (number)"}
    no_browser(monkeypatch)
    flt = SeizureFilter(year_from=2021, year_to=2022)
    text = "\n".join(pdf_text(report.build_pdf(demo_engine, flt)))
    assert "Measure 2022 2021 Change Change % Total 2021–2022" in text
    for measure, value in shown.items():
        assert table_rows(text, measure)[0][0] == value, measure  # the first figure of each row: 2022's
    firearms_2022, firearms_2021 = record_sum(demo_engine, 2022), record_sum(demo_engine, 2021)
    assert firearms_2022 != firearms_2021
    assert table_rows(text, "Firearms (pieces)")[0][:2] == [f"{firearms_2022:,.0f}", f"{firearms_2021:,.0f}"]
    assert shown["Firearms (pieces)"] == f"{firearms_2022:,.0f}"
    headline = sheet_frame(openpyxl.load_workbook(io.BytesIO(report.build_xlsx(demo_engine, flt))), "Headline")
    firearms = headline[headline["Measure"] == "Firearms (pieces)"].iloc[0]
    assert (firearms["Year"], firearms["Value"], firearms["Total 2021–2022"]) == (
        2022, firearms_2022, firearms_2022 + firearms_2021)


def test_a_kpi_whose_latest_value_predates_the_period_reads_the_same_on_the_page_in_the_pdf_and_workbook(
        monkeypatch, demo_url, demo_engine, fresh_caches):
    year = 2024
    assert latest_kpi_values(demo_engine, None, year)[10][2] == year - 1  # KPI 10's last value is 2023's
    page = open_page(monkeypatch, demo_url, "kpis.py", {"from": str(year), "to": str(year)})
    table = page.dataframe[0].value.set_index("number")
    assert table.loc[10, "status"] == "no data" and pd.isna(table.loc[10, "latest_value"])

    no_browser(monkeypatch)
    flt = SeizureFilter(year_from=year, year_to=year)  # what `seizures report --year 2024` builds
    text = "\n".join(pdf_text(report.build_pdf(demo_engine, flt)))
    sheet = sheet_frame(openpyxl.load_workbook(io.BytesIO(report.build_xlsx(demo_engine, flt))), "KPIs").set_index("KPI")
    assert list(sheet.index) == list(table.index)

    def printed(value, form="{:,.0f}"):
        return "–" if pd.isna(value) else form.format(value)

    for number, row in table.iterrows():
        cells = [printed(row.goal_number, "{:.0f}"), *row.status.split(), printed(row.baseline), printed(row.target),
                 row.direction if isinstance(row.direction, str) else "–", printed(row.latest_year, "{:.0f}"),
                 printed(row.latest_value), *(["–"] if pd.isna(row.progress) else [f"{row.progress:.0f}", "%"])]
        assert cells in table_rows(text, str(number)), f"KPI {number}: {cells} not in the PDF"
        in_sheet = sheet.loc[number]
        assert in_sheet["Status"] == row.status
        for column, shown in (("Latest year", row.latest_year), ("Latest actual", row.latest_value),
                              ("Baseline", row.baseline), ("Target", row.target), ("Progress to target", row.progress)):
            assert (pd.isna(in_sheet[column]) and pd.isna(shown)) or in_sheet[column] == shown, (number, column)
    assert table_rows(text, "10") == [["5", "no", "data", "–", "–", "–", "–", "–", "–"]]


def test_an_unpublished_year_is_said_once(demo_engine, monkeypatch):
    no_browser(monkeypatch)
    text = "\n".join(pdf_text(report.build_pdf(demo_engine, SeizureFilter(year_from=2024, year_to=2024))))
    assert text.count("not published") == 1
    assert "Firearms confiscated, Ammunition (rounds): not published for 2024." in text


def test_the_first_page_prints_the_selection_and_the_data_as_of(demo_engine, monkeypatch):
    from seizures import i18n

    i = schema.imports
    newest = scalar(demo_engine, sa.select(sa.func.max(i.c.imported_at)).where(i.c.rolled_back_at.is_(None)))
    no_browser(monkeypatch)
    flt = SeizureFilter(year_from=2021, year_to=2022, regions=("PZ", "GJ"), categories=("firearm",))
    first = pdf_text(report.build_pdf(demo_engine, flt))[0]
    for line in ("Period 2021–2022", "Regional directorates Prizren, Gjakova", "Categories Firearms",
                 f"Data as of {i18n.datetime(newest)} (server time)"):
        assert " ".join(line.split()) in " ".join(first.split()), line  # spaces of any width as one
    about = {row[0]: row[1] for row in openpyxl.load_workbook(
        io.BytesIO(report.build_xlsx(demo_engine, flt)))["About"].iter_rows(values_only=True)}
    assert about["Data as of"] == f"{i18n.datetime(newest)} (server time)"


def test_importing_the_report_loads_neither_fpdf_nor_kaleido():
    code = "import sys, seizures.report; print(sorted(m for m in ('fpdf', 'kaleido') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# --- the report in Albanian and Serbian ---


@pytest.fixture(scope="module", params=["sq", "sr"])
def translated(request, demo_url, tmp_path_factory):
    """`seizures report --year 2022 --lang sq|sr --out …`: (language, text of each page, xlsx path)."""
    needs("chromium", CHROMIUM)
    folder = tmp_path_factory.mktemp(f"report-{request.param}")
    pdf, xlsx = folder / "report.pdf", folder / "report.xlsx"
    args = ["--db-url", demo_url, "report", "--year", str(YEAR), "--lang", request.param, "--out", str(pdf), "--xlsx", str(xlsx)]
    assert main(args) == 0
    # Keep the first page of each language for review, beside the English one.
    needs("pdftoppm", shutil.which("pdftoppm"))
    ARTIFACTS.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "2", "-l", "2", str(pdf),
                    str(ARTIFACTS / f"report-{request.param}-page")], check=True)
    text = [page.extract_text().replace("\u00a0", " ").replace("\u202f", " ") for page in PdfReader(pdf).pages]
    return request.param, text, xlsx


def test_translated_pdf_has_translated_headings_and_local_numbers(translated, demo_engine):
    from seizures import i18n

    lang, pages, _ = translated
    text = "\n".join(pages)
    this = published(demo_engine, "firearms_confiscated", YEAR)  # 1473
    rounds = published(demo_engine, "ammunition_rounds", YEAR)  # 29903
    separator = {"sq": " ", "sr": "."}[lang]  # CLDR: 1 473 (no-break space) in Albanian, 1.473 in Serbian
    with i18n.using(lang):
        heading, kpis = i18n._("Headline figures"), i18n._("Roadmap KPIs")
        assert heading != "Headline figures"
        assert f"1. {heading}" in text and kpis in text
        assert i18n._("Report for {period}").format(period=YEAR) in pages[0]
        assert f"{int(this) // 1000}{separator}{int(this) % 1000:03d}" in text
        assert f"{int(rounds) // 1000}{separator}{int(rounds) % 1000:03d}" in text
        assert "1,473" not in text and "29,903" not in text
        assert i18n._("This page shows illustrative (generated) data: not real records. See Methodology.") in text
        assert "Headline figures" not in text and "Yearly trend" not in text


def test_translated_workbook_has_translated_sheets(translated, demo_engine):
    from seizures import i18n

    lang, _, xlsx = translated
    workbook = openpyxl.load_workbook(xlsx)
    with i18n.using(lang):
        assert i18n._("Training") in workbook.sheetnames and "Training" not in workbook.sheetnames
        training = sheet_frame(workbook, i18n._("Training"))
        assert i18n._("Men") in training.columns
        men = scalar(demo_engine, sa.select(sa.func.sum(schema.trainings.c.men)))
        assert training[i18n._("Course")].iloc[-1] == i18n._("All courses")
        assert int(training[i18n._("Men")].iloc[-1]) == men
