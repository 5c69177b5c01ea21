"""The report as an Excel workbook: an About sheet, then the PDF's tables, one sheet each, as numbers."""

from __future__ import annotations

import io

import pandas as pd

from seizures import i18n, vocab
from seizures.report import content as c
from seizures.report.content import Content
from seizures.report.texts import TEXT


def headline_table(content: Content) -> pd.DataFrame:
    """The published figures and the Overview's record-level figures of the last year, each with its basis."""
    published = c.published_headline(content).drop(columns=["indicator"]).assign(basis=TEXT["basis_published"])
    records = c.records_headline(content).assign(
        basis=TEXT["basis_illustrative"] if content.records_illustrative else TEXT["basis_records"],
        year=content.last, previous_year=content.last - 1, qualifier=None, previous_qualifier=None,
    )
    frame = pd.concat([published, records], ignore_index=True)
    previous = TEXT["col_previous"].lower()
    columns = {
        "measure": TEXT["col_measure"], "basis": TEXT["col_basis"], "year": TEXT["col_year"],
        "value": TEXT["col_value"], "qualifier": TEXT["col_qualifier"], "previous_year": TEXT["col_previous"],
        "previous": f"{TEXT['col_value']} ({previous})", "previous_qualifier": f"{TEXT['col_qualifier']} ({previous})",
        "change": TEXT["col_change"], "pct_change": TEXT["col_change_pct"],
        "total": TEXT["col_period_total"].format(period=content.period),
    }
    frame = frame[[k for k in columns if k in frame]].assign(
        qualifier=frame["qualifier"].map(c.qualifier), previous_qualifier=frame["previous_qualifier"].map(c.qualifier),
        pct_change=frame["pct_change"].astype("float64").round(1),
    )
    return frame.rename(columns=columns)


def published_table(content: Content) -> pd.DataFrame:
    pub = c.published_by_year(content)
    return pd.DataFrame({
        TEXT["col_year"]: pub["year"],
        TEXT["col_measure"]: pub["indicator"].map(lambda i: TEXT[c.PUBLISHED_LABELS[i]]),
        TEXT["col_value"]: pub["value"],
        TEXT["col_qualifier"]: pub["qualifier"].map(c.qualifier),
        TEXT["col_unit"]: pub["unit"].map(lambda u: vocab.label(vocab.UNITS, u)),
        TEXT["col_source"]: pub["source"],
    })


def tables(content: Content) -> dict[str, pd.DataFrame]:
    """The report's tables by sheet name, in the PDF's order; record-level and KPI rows say whether illustrative."""
    flag = {TEXT["col_illustrative"]: content.records_illustrative}
    return {
        TEXT["sheet_headline"]: headline_table(content),
        TEXT["sheet_published"]: published_table(content),
        TEXT["sheet_by_year"]: c.records_by_year_table(content).assign(**flag),
        TEXT["sheet_by_region"]: c.records_by_region_table(content).assign(**flag),
        TEXT["sheet_kpis"]: c.kpi_table(content).assign(**{TEXT["col_illustrative"]: c.kpi_illustrative(content)}),
        TEXT["sheet_training"]: c.training_table(content),
        TEXT["sheet_equipment"]: c.equipment_table(content),
        TEXT["sheet_sources"]: c.sources_table(content),
    }


def about_table(content: Content) -> pd.DataFrame:
    """The title page's lines: the title, the selection, the date of the data, the note on illustrative data."""
    illustrative = content.records_illustrative or content.kpis_illustrative
    return pd.DataFrame(
        [(TEXT["doc_title"], TEXT["doc_subtitle"].format(period=content.period)),
         (TEXT["generated"].format(date=i18n.date(content.generated_on, "long")), ""),
         *c.filter_lines(content),
         ("", TEXT["as_of_note"]),
         *([(TEXT["data_note_heading"], TEXT["data_note"])] if illustrative else []),
         *((TEXT["sec_method"], point) for point in TEXT["method_points"])],
        columns=["", " "],
    )


def render(content: Content) -> bytes:
    """The workbook of a report's content."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        about_table(content).to_excel(writer, sheet_name=TEXT["sheet_about"], index=False, header=False)
        for name, frame in tables(content).items():
            frame.to_excel(writer, sheet_name=name[:31], index=False)
        for sheet in writer.book.worksheets:
            for column in sheet.columns:
                width = max(len(str(cell.value)) if cell.value is not None else 0 for cell in column)
                sheet.column_dimensions[get_column_letter(column[0].column)].width = min(max(10, width + 2), 80)
            if sheet.title == TEXT["sheet_about"]:
                sheet["A1"].font = Font(bold=True, size=14)
            else:
                sheet.freeze_panes = "A2"
            for column in sheet.iter_cols(min_row=1, max_row=1):
                if column[0].value == TEXT["col_progress"]:  # whole percent points, shown as on the page
                    for cell in sheet[get_column_letter(column[0].column)][1:]:
                        cell.number_format = f'0"{i18n.percent_sign()}"'
    return buffer.getvalue()
