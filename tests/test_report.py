"""The donor report: the PDF's text and images, the Excel workbook, and the `seizures report` command.

The PDF is built once (one headless Chromium for its charts) by the command line and inspected by several tests.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from seizures import kpis, queries, report, schema
from seizures.cli import main
from seizures.filters import SeizureFilter

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


def latest_kpi_values(engine, up_to: int) -> dict[int, tuple]:
    """KPI number -> (baseline, target, latest year, latest value) up to a year, read straight from the store."""
    v = schema.kpi_values
    with engine.connect() as conn:
        rows = conn.execute(sa.select(v.c.kpi_number, v.c.year, v.c.value, v.c.baseline, v.c.target)
                            .where(v.c.year <= up_to).order_by(v.c.kpi_number, v.c.year)).all()
    return {row.kpi_number: (row.baseline, row.target, row.year, row.value) for row in rows}


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
    kpi_page = next(p for p in pages if "Roadmap KPIs" in p and "Baseline" in p)
    expected = latest_kpi_values(demo_engine, YEAR)
    period = SeizureFilter(year_from=YEAR, year_to=YEAR)  # the status the Roadmap KPIs page shows for it
    status = kpis.kpi_table(queries.contributing_kpis(demo_engine), queries.kpi_values_in_period(demo_engine, period))
    status = status.set_index("number")["status"]
    for number in (3, 4, 8, 10):
        baseline, target, year, value = expected[number]
        row = rf"^{number} \d+ {baseline:,.0f} {target:,.0f} {year} {value:,.0f} index {status[number]} yes$"
        assert re.search(row, kpi_page, re.MULTILINE), f"KPI {number} row missing: {row}\n{kpi_page}"
    assert status[14] == "no data"
    assert re.search(r"^14 (– )+no data no$", kpi_page, re.MULTILINE), "KPI 14 (no values) must be listed as such"


def test_pdf_flags_illustrative_data_on_every_page_that_shows_it(pages):
    flag = "This page shows illustrative (generated) data"
    assert "illustrative" in pages[0].lower()
    for number, text in enumerate(pages, start=1):
        shows = "ILLUSTRATIVE DATA" in text or "Illustrative demo data" in text
        assert flag in text or not shows, f"page {number} shows illustrative data without the footer flag"
    assert sum(flag in text for text in pages) >= 2


def test_pdf_has_the_charts_and_training_by_gender(built, pages, demo_engine):
    reader = PdfReader(built[0])
    assert sum(len(page.images) for page in reader.pages) == 2  # trend and directorate charts
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
    kpis = sheet_frame(wb, "KPIs").set_index("KPI")
    assert list(kpis.index) == [3, 4, 8, 10, 14]
    assert kpis.loc[3, "Latest value"] == latest_kpi_values(demo_engine, YEAR)[3][3]
    training = sheet_frame(wb, "Training").set_index("Course")
    assert training.loc["All courses", "Women"] == scalar(demo_engine, sa.select(sa.func.sum(schema.trainings.c.women)))
    equipment = sheet_frame(wb, "Equipment").set_index("Item")
    e = schema.equipment
    assert equipment.loc["Thermal cameras", "Quantity"] == scalar(demo_engine, sa.select(e.c.quantity).where(e.c.item == "Thermal cameras"))
    sources = sheet_frame(wb, "Sources")
    records = sources[sources["Data"] == "Seizure records"]
    s = schema.seizures
    assert records["Rows"].sum() == scalar(demo_engine, sa.select(sa.func.count()).where(sa.extract("year", s.c.seized_on) == YEAR))
    assert records["Illustrative"].all()


# --- Without Chromium: the workbook, the status column, the font, errors ---

def test_workbook_for_a_filtered_period(demo_engine):
    flt = SeizureFilter(year_from=2020, year_to=2021, regions=("PZ", "GJ"), categories=("firearm",))
    wb = openpyxl.load_workbook(io.BytesIO(report.build_xlsx(demo_engine, flt)))
    by_region = sheet_frame(wb, "Records by directorate").set_index("Directorate")
    assert set(by_region.index) == {"Prizren", "Gjakova"}
    assert list(by_region.columns) == ["Firearms (pieces)", "Illustrative"]
    expected = sum(record_sum(demo_engine, y, region="PZ") for y in (2020, 2021))
    assert by_region.loc["Prizren", "Firearms (pieces)"] == expected
    assert list(sheet_frame(wb, "Records by year")["Year"]) == [2020, 2021]
    about = {row[0]: row[1] for row in wb["About"].iter_rows(values_only=True)}
    assert about["Regional directorates"] == "Prizren, Gjakova"


def test_a_status_column_is_shown_when_the_kpi_table_has_one(demo_engine, monkeypatch):
    plain = report.kpi_table

    def with_status(engine, flt=None):
        table = plain(engine, flt)
        return table.assign(status=["on track" if pd.notna(v) else "no data" for v in table["latest_value"]])

    monkeypatch.setattr(report, "kpi_table", with_status)
    wb = openpyxl.load_workbook(io.BytesIO(report.build_xlsx(demo_engine, SeizureFilter(year_from=2022, year_to=2022))))
    kpis = sheet_frame(wb, "KPIs").set_index("KPI")
    assert kpis.loc[3, "Status"] == "on track" and kpis.loc[14, "Status"] == "no data"


def test_kpi_table_takes_the_latest_value_up_to_the_period(demo_engine):
    for year in (2020, 2024):
        table = report.kpi_table(demo_engine, SeizureFilter(year_to=year)).set_index("number")
        for number, (baseline, target, latest_year, value) in latest_kpi_values(demo_engine, year).items():
            assert (table.loc[number, "latest_year"], table.loc[number, "latest_value"]) == (latest_year, value)
            assert (table.loc[number, "baseline"], table.loc[number, "target"]) == (baseline, target)


def test_the_pdf_font_prints_albanian_and_serbian_latin_letters():
    doc = report._ReportPDF("footer")
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
    def no_browser(figures, *args, **kwargs):
        raise RuntimeError("Kaleido v1 and later requires Chrome to be installed.")

    monkeypatch.setattr(report, "export_png", no_browser)
    reader = PdfReader(io.BytesIO(report.build_pdf(demo_engine, SeizureFilter(year_from=2021, year_to=2022))))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert text.count("Chart not available: Kaleido v1 and later requires Chrome") == 2
    assert sum(len(page.images) for page in reader.pages) == 0
    assert "Report for 2021–2022" in text and "1,473" in text


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
