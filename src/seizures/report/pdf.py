"""The report as a PDF (fpdf2): title page with the selection and the date of the data, then one section per table.

Every section, table and page that shows illustrative data says so (a badge under the heading, a line in the
footer of each page it runs over), and only those.
"""

from __future__ import annotations

import io
import re

import pandas as pd
from fpdf import FPDF
from fpdf.fonts import FontFace

from seizures import i18n, kpis, settings, tracing
from seizures.report import content as c
from seizures.report import figures
from seizures.report.content import Content, ReportError
from seizures.report.texts import TEXT

FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}
FONT = "DejaVu"
ILLUSTRATIVE_RGB = (213, 94, 0)  # Okabe-Ito vermillion
HEADING_RGB = (0, 114, 178)


# --- Numbers in print ---

def fmt_number(value, decimals: int = 0) -> str:
    """A figure in the report's language (1,473 / 1 473 / 1.473), with a true minus sign."""
    return i18n.number(value, decimals, minus="−")


def fmt_quantity(value) -> str:
    """Whole numbers without decimals, others with one (explosives in kg); "–" when missing."""
    if value is None or pd.isna(value):
        return "–"
    return fmt_number(value, 0 if float(value).is_integer() else 1)


def fmt_signed(value, decimals: int | None = None, suffix: str = "") -> str:
    """+193, −14.5 (decimals None: as fmt_quantity)."""
    if value is None or pd.isna(value):
        return "–"
    return i18n.number(value, decimals, signed=True, minus="−") + suffix


def fmt_percent(value, decimals: int = 1, signed: bool = False) -> str:
    if value is None or pd.isna(value):
        return "–"
    return (fmt_signed(value, decimals) if signed else fmt_number(value, decimals)) + i18n.percent_sign()


def fmt_whole(value) -> str:
    """A year or a number that names something (KPI 3, goal 5)."""
    return "–" if value is None or pd.isna(value) else str(int(value))


def fmt_text(value) -> str:
    return value if isinstance(value, str) and value else "–"


def _bound(text: str, previous_qualifier, qualifier) -> str:
    """A change computed from a "more than N" figure is a bound."""
    if text == "–":
        return text
    if previous_qualifier == "more than":
        return f"< {text}"
    if qualifier == "more than":
        return f"> {text}"
    return text


def plain(markdown: str) -> str:
    """Markdown emphasis left out (the KPI status rule is written for the page)."""
    return re.sub(r"\*\*|\*", "", markdown)


# --- The document ---

class ReportPDF(FPDF):
    """The report's fpdf2 document: fonts, headings, badges, tables, footer and illustrative marking."""

    def __init__(self, footer: str, title: str):
        super().__init__(format="A4", unit="mm")
        self.footer_text = footer
        self.section_illustrative = False  # the current section shows illustrative data
        self.page_illustrative = False  # the current page shows illustrative data
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=22)
        for style, name in FONT_FILES.items():
            path = settings.report_font_dir() / name
            if not path.exists():
                raise ReportError(TEXT["err_fonts"].format(path=path))
            self.add_font(FONT, style, str(path))
        self.set_font(FONT, size=10)
        self.set_title(title)
        self.set_creator("seizures")

    def header(self) -> None:
        self.page_illustrative = self.section_illustrative

    @property
    def width(self) -> float:
        return self.epw

    def footer(self) -> None:
        self.set_y(-17)
        if self.page_illustrative:
            self.set_font(FONT, "B", 8)
            self.set_text_color(*ILLUSTRATIVE_RGB)
            self.cell(0, 4, TEXT["footer_illustrative"], align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, "", 8)
        self.set_text_color(100, 100, 100)
        self.cell(self.width / 2, 5, self.footer_text, align="L")
        self.cell(self.width / 2, 5, TEXT["footer_page"].format(page=self.page_no()), align="R")
        self.set_text_color(0, 0, 0)

    def mark_illustrative(self) -> None:
        self.page_illustrative = True

    def ensure_space(self, height: float) -> None:
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()

    def section(self, title: str, illustrative: bool | None, min_space: float = 40) -> None:
        """A numbered heading with its badge: illustrative data, published figures, or (None) no badge."""
        self.section_illustrative = bool(illustrative)
        self.ensure_space(min_space)
        if illustrative:
            self.mark_illustrative()
        self.ln(3)
        self.set_font(FONT, "B", 15)
        self.set_text_color(*HEADING_RGB)
        self.cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)
        if illustrative is not None:
            self.badge(illustrative)

    def badge(self, illustrative: bool) -> None:
        self.set_font(FONT, "B", 8)
        if illustrative:
            self.set_fill_color(*ILLUSTRATIVE_RGB)
            self.set_text_color(255, 255, 255)
            text = TEXT["badge_illustrative"]
        else:
            self.set_fill_color(230, 230, 230)
            self.set_text_color(40, 40, 40)
            text = TEXT["badge_published"]
        self.cell(self.get_string_width(text) + 4, 5, text, fill=True, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)
        self.ln(2)

    def paragraph(self, text: str, size: float = 10, style: str = "", colour=(0, 0, 0)) -> None:
        self.set_font(FONT, style, size)
        self.set_text_color(*colour)
        self.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)
        self.ln(1.5)

    def data_table(self, frame: pd.DataFrame, formats: dict | None = None, col_widths=None, size: float = 9,
                   illustrative: bool = False) -> None:
        """A DataFrame as a table: text left, numbers right; `formats` maps a column to a formatter.

        An illustrative table flags every page it runs over, whatever the section.
        """
        section_illustrative = self.section_illustrative
        if illustrative:
            self.mark_illustrative()
            self.section_illustrative = True

        formats = formats or {}
        self.set_font(FONT, "", size)
        numeric = [pd.api.types.is_numeric_dtype(frame[col]) and not pd.api.types.is_bool_dtype(frame[col])
                   for col in frame.columns]
        aligns = tuple("RIGHT" if n else "LEFT" for n in numeric)
        heading = FontFace(emphasis="BOLD", fill_color=(225, 236, 244))
        self.set_draw_color(190, 190, 190)
        self.set_fill_color(255, 255, 255)
        with self.table(col_widths=col_widths, text_align=aligns, headings_style=heading, line_height=size * 0.55,
                        borders_layout="HORIZONTAL_LINES", padding=(1.2, 1.5), width=self.width,
                        cell_fill_color=(246, 246, 246), cell_fill_mode="ROWS") as table:
            row = table.row()
            for column in frame.columns:
                row.cell(str(column))
            for values in frame.itertuples(index=False):
                row = table.row()
                for column, value, is_number in zip(frame.columns, values, numeric):
                    if column in formats:
                        text = formats[column](value)
                    elif isinstance(value, bool):
                        text = TEXT["yes"] if value else TEXT["no"]
                    elif is_number:
                        text = fmt_quantity(value)
                    else:
                        text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
                    row.cell(text)
        self.set_draw_color(0, 0, 0)
        self.section_illustrative = section_illustrative
        self.ln(3)

    def unavailable(self, failure: str | None) -> None:
        self.paragraph(TEXT["chart_unavailable"].format(reason=failure), style="I", colour=(120, 120, 120))

    def images(self, pngs: list[bytes], size: tuple[int, int], columns: int = 1, gap: float = 4) -> None:
        """PNG images side by side, in `columns` across the page, each of `size` (pixels) scaled to its column."""
        width = (self.width - gap * (columns - 1)) / columns
        height = width * size[1] / size[0]
        self.ensure_space(height + 2)
        y = self.get_y()
        for i, png in enumerate(pngs):
            self.image(io.BytesIO(png), x=self.l_margin + i * (width + gap), y=y, w=width, h=height)
        self.set_y(y + height + 2)


def _headline_box(doc: ReportPDF, row, x: float, y: float, w: float) -> None:
    doc.set_xy(x, y)
    doc.set_fill_color(245, 247, 250)
    doc.rect(x, y, w, 30, style="F")
    doc.set_xy(x + 3, y + 2)
    doc.set_font(FONT, "", 9)
    doc.cell(w - 6, 5, f"{row.measure}, {row.year}")
    doc.set_xy(x + 3, y + 8)
    qualifier = f"{TEXT['more_than']} " if row.qualifier == "more than" else ""
    doc.set_font(FONT, "B", 20)
    doc.cell(w - 6, 10, qualifier + fmt_number(row.value))
    doc.set_xy(x + 3, y + 20)
    doc.set_font(FONT, "", 9)
    if row.change is None or pd.isna(row.change):
        text = TEXT["no_previous"].format(previous=row.previous_year)
    else:
        text = TEXT["change_on"].format(
            change=_bound(fmt_signed(row.change), row.previous_qualifier, row.qualifier),
            pct=_bound(fmt_signed(row.pct_change, 1, i18n.percent_sign()), row.previous_qualifier, row.qualifier),
            previous=f"{row.previous_year} ({TEXT['more_than'] + ' ' if row.previous_qualifier == 'more than' else ''}"
                     f"{fmt_number(row.previous)})",
        )
    size = 9
    while size > 6.5 and doc.get_string_width(text) > w - 6:  # longer in some languages: shrink to fit the box
        size -= 0.5
        doc.set_font(FONT, "", size)
    doc.cell(w - 6, 5, text)


def _title_page(doc: ReportPDF, content: Content, contents: list[str]) -> None:
    doc.add_page()
    doc.ln(30)
    doc.set_font(FONT, "B", 26)
    doc.set_text_color(*HEADING_RGB)
    doc.multi_cell(0, 12, c.title(content), new_x="LMARGIN", new_y="NEXT")
    doc.set_text_color(0, 0, 0)
    if note := c.name_note(content):
        doc.paragraph(note, size=8, colour=(80, 80, 80))
    doc.set_font(FONT, "", 16)
    doc.multi_cell(0, 9, TEXT["doc_subtitle"].format(period=content.period), new_x="LMARGIN", new_y="NEXT")
    doc.ln(2)
    doc.paragraph(TEXT["doc_audience"], size=11, colour=(80, 80, 80))
    doc.paragraph(TEXT["generated"].format(date=i18n.date(content.generated_on, "long")), size=9, colour=(80, 80, 80))
    doc.ln(6)
    doc.set_font(FONT, "B", 12)
    doc.cell(0, 7, TEXT["filter_heading"], new_x="LMARGIN", new_y="NEXT")
    for label, value in c.filter_lines(content):
        doc.set_font(FONT, "B", 10)
        doc.cell(55, 6, label)
        doc.set_font(FONT, "", 10)
        doc.multi_cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")
    doc.paragraph(TEXT["as_of_note"], size=8, colour=(80, 80, 80))
    if content.records_illustrative or content.kpis_illustrative:
        doc.ln(6)
        doc.set_fill_color(253, 236, 224)
        doc.set_font(FONT, "B", 11)
        doc.set_text_color(*ILLUSTRATIVE_RGB)
        doc.cell(0, 7, TEXT["data_note_heading"], fill=True, new_x="LMARGIN", new_y="NEXT")
        doc.set_text_color(0, 0, 0)
        doc.set_font(FONT, "", 10)
        doc.multi_cell(0, 5.2, TEXT["data_note"], fill=True, padding=(1, 2, 2, 2), new_x="LMARGIN", new_y="NEXT")
    doc.ln(8)
    doc.set_font(FONT, "B", 12)
    doc.cell(0, 7, TEXT["contents_heading"], new_x="LMARGIN", new_y="NEXT")
    doc.set_font(FONT, "", 10)
    for number, title in enumerate(contents, start=1):
        doc.cell(0, 6, f"{number}. {title}", new_x="LMARGIN", new_y="NEXT")


def _headline(doc: ReportPDF, content: Content) -> None:
    """The published national figures of the last year (said once where there are none), then the Overview's."""
    doc.paragraph(TEXT["headline_intro"].format(year=content.last, previous=content.last - 1))
    published = c.published_headline(content)
    shown = published[published["value"].notna()]
    if not shown.empty:
        y, gap = doc.get_y(), 4
        box_w = (doc.width - gap * (len(published) - 1)) / len(published)
        for i, row in enumerate(shown.itertuples()):
            _headline_box(doc, row, doc.l_margin + i * (box_w + gap), y, box_w)
        doc.set_xy(doc.l_margin, y + 34)
    missing = published[published["value"].isna()]
    if not missing.empty:
        doc.paragraph(TEXT["not_published"].format(measures=", ".join(missing["measure"]), year=content.last),
                      style="I")
    doc.ln(2)
    if content.records_illustrative:
        doc.badge(illustrative=True)
        doc.mark_illustrative()
    doc.paragraph(TEXT["headline_records"].format(
        year=content.last, previous=content.last - 1,
        scope=TEXT["scope_filtered"] if c.is_filtered(content.flt) else TEXT["scope_all"]))
    records = c.records_headline(content)
    columns = {"measure": TEXT["col_measure"], "value": str(content.last), "previous": str(content.last - 1),
               "change": TEXT["col_change"], "pct_change": TEXT["col_change_pct"],
               "total": TEXT["col_period_total"].format(period=content.period)}
    doc.data_table(
        records.rename(columns=columns),
        formats={TEXT["col_change"]: fmt_signed, TEXT["col_change_pct"]: lambda v: fmt_percent(v, signed=True)},
        col_widths=(50, 22, 22, 22, 22, 26)[:len(records.columns)], illustrative=content.records_illustrative,
    )


def _published(doc: ReportPDF, content: Content) -> None:
    """The published national figures of the trend's years as a table: a figure of several years with its years
    (a chart of years cannot draw it), as the workbook's sheet lists them."""
    pub = c.published_by_year(content)
    if pub.empty:
        return
    doc.paragraph(TEXT["published_listed"], size=9)
    figure = [f"{c.qualifier(q)} {i18n.number(v)}" if c.qualifier(q) else i18n.number(v)
              for q, v in zip(pub["qualifier"], pub["value"])]
    doc.data_table(pd.DataFrame({
        TEXT["col_year"]: [i18n.period(a, b) for a, b in zip(pub["year_from"], pub["year_to"])],
        TEXT["col_measure"]: pub["measure"], TEXT["col_value"]: figure, TEXT["col_source"]: pub["source"],
    }), size=8, col_widths=(22, 45, 30, 83))


def _sdg(doc: ReportPDF, content: Content) -> None:
    """SDG indicator 16.4.2 by year, in the KPI section (the SDG 16.4.2 and tracing page's figures)."""
    doc.ensure_space(40)
    doc.set_font(FONT, "B", 12)
    doc.cell(0, 8, TEXT["sdg_heading"], new_x="LMARGIN", new_y="NEXT")
    illustrative = c.sdg_illustrative(content)
    if illustrative:
        doc.badge(illustrative=True)
        doc.mark_illustrative()
    doc.paragraph(TEXT["sdg_intro"].format(definition=i18n._(tracing.DEFINITION)), size=9)
    table = c.sdg_table(content)
    if table.empty:
        doc.paragraph(TEXT["sdg_none"], style="I")
        return
    doc.data_table(table, formats={TEXT["col_year"]: fmt_whole,
                                   TEXT["col_sdg"]: lambda v: TEXT["not_recorded"] if pd.isna(v) else fmt_percent(v)},
                   col_widths=(15, 25, 25, 25, 25), illustrative=illustrative)
def _events(doc: ReportPDF, content: Content) -> None:
    """The events of the period and directorates, as the pages' trend charts draw them."""
    doc.paragraph(TEXT["events_intro"].format(period=content.period), size=9)
    table = c.events_table(content)
    if table.empty:
        doc.paragraph(TEXT["no_events"], style="I")
    else:
        doc.data_table(table, size=8, col_widths=(20, 20, 20, 20, 60, 34))


def render(content: Content) -> bytes:
    """The PDF of a report's content."""
    trends, regional = figures.trend_figures(content), figures.region_figure(content)
    charts = [(fig, figures.TREND_SIZE) for fig in trends]
    if regional is not None:
        charts.append((regional, figures.REGION_SIZE))
    try:
        images, failure = figures.export_png(charts), None
    except Exception as exc:  # noqa: BLE001 - a report without charts beats no report; the reason is printed in it
        images, failure = [None] * len(charts), str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    records = True if content.records_illustrative else None  # the badge of sections with record-level figures
    contents = [TEXT[k] for k in ("sec_headline", "sec_trend", "sec_regions", "sec_kpis", "sec_training",
                                  "sec_equipment", "sec_events", "sec_method")]
    doc = ReportPDF(TEXT["footer"].format(period=content.period), c.title(content))
    _title_page(doc, content, contents)

    doc.add_page()
    doc.section(f"1. {TEXT['sec_headline']}", illustrative=False)
    _headline(doc, content)

    doc.section(f"2. {TEXT['sec_trend']}", illustrative=True if content.trend_illustrative else None, min_space=120)
    doc.paragraph(TEXT["trend_intro"].format(years=i18n.period(*content.trend_years), period=content.period), size=9)
    if c.is_filtered(content.flt):
        doc.paragraph(TEXT["trend_filtered"], size=9, style="I")
    if not trends:
        doc.paragraph(TEXT["no_records"], style="I")
    elif failure is None:
        doc.images(images[:len(trends)], figures.TREND_SIZE, columns=2)
    else:
        doc.unavailable(failure)
    _published(doc, content)

    doc.section(f"3. {TEXT['sec_regions']}", illustrative=records, min_space=120)
    doc.paragraph(TEXT["regions_intro"].format(period=content.period), size=9)
    if regional is None:
        doc.paragraph(TEXT["no_records"], style="I")
    else:
        if failure is None:
            doc.images(images[-1:], figures.REGION_SIZE)
        else:
            doc.unavailable(failure)
        table = c.records_by_region_table(content)
        doc.data_table(table, size=8, col_widths=(1.6,) + (1,) * (len(table.columns) - 1),
                       illustrative=content.records_illustrative)

    doc.section(f"4. {TEXT['sec_kpis']}", illustrative=True if content.kpis_illustrative else None)
    if content.phase is None:
        doc.paragraph(TEXT["no_phase"], style="I")
    else:
        doc.paragraph(TEXT["kpis_intro"].format(
            phase=content.phase.title or content.phase.code, span=content.phase.span, period=content.period,
            baseline_year=content.phase.baseline_year, target_year=content.phase.target_year), size=9)
        if not content.phase.confirmed:
            doc.paragraph(TEXT["phase_unverified"].format(source=content.phase.source or "–"), size=8, style="I")
    kpi_formats = {TEXT["col_kpi"]: fmt_whole, TEXT["col_goal"]: fmt_whole, TEXT["col_latest_year"]: fmt_whole,
                   TEXT["col_status"]: fmt_text, TEXT["col_direction"]: fmt_text,
                   TEXT["col_progress"]: lambda v: fmt_percent(v, 0)}
    doc.data_table(c.kpi_table(content), formats=kpi_formats, col_widths=(9, 9, 17, 15, 13, 16, 14, 14, 17),
                   illustrative=content.kpis_illustrative)
    titles = c.kpi_titles(content)
    for line in titles:
        doc.paragraph(line, size=8)
    if not titles and not content.kpis.empty:
        doc.paragraph(TEXT["kpis_untitled"], size=8, style="I")
    _sdg(doc, content)

    doc.section(f"5. {TEXT['sec_training']}", illustrative=False)
    doc.paragraph(TEXT["training_intro"], size=9)
    doc.data_table(c.training_table(content), formats={TEXT["col_share_women"]: fmt_percent},
                   col_widths=(66, 24, 16, 18, 16, 20))

    doc.section(f"6. {TEXT['sec_equipment']}", illustrative=False)
    doc.paragraph(TEXT["equipment_intro"], size=9)
    doc.data_table(c.equipment_table(content).drop(columns=[TEXT["col_source"]]), col_widths=(90, 25, 55))

    doc.section(f"7. {TEXT['sec_events']}", illustrative=None)
    _events(doc, content)

    doc.section(f"8. {TEXT['sec_method']}", illustrative=None)
    for point in c.method_points(content):
        doc.paragraph(f"• {point}", size=9)
    if content.phase is not None:
        doc.paragraph(plain(kpis.rule(content.phase)), size=9)
    doc.paragraph(TEXT["sources_heading"], size=10, style="B")
    sources = c.sources_table(content)
    doc.data_table(sources, size=8, col_widths=(40, 95, 20, 15), illustrative=bool(sources[TEXT["col_illustrative"]].any()))
    return bytes(doc.output())
