"""The donor report for a period: a PDF and an Excel workbook holding the same tables.

Every figure is read through the functions the pages use (`queries`, `kpis`) and every chart is built by `charts`,
so the report shows what the pages show for the same filter. Modules: `texts` (every text), `content` (what the
report shows, and its tables), `figures` (the charts sized for print, and their images), `pdf` (the layout, fpdf2),
`workbook` (Excel). fpdf2 and kaleido are imported only when a PDF is built.
"""

from __future__ import annotations

import sqlalchemy as sa

from seizures import i18n
from seizures.filters import SeizureFilter
from seizures.report.content import ReportError, collect

__all__ = ["ReportError", "build_pdf", "build_xlsx"]


def build_pdf(engine: sa.Engine, flt: SeizureFilter, lang: str | None = None) -> bytes:
    """The donor report for the filter's period, as PDF bytes, in a language (None: the current one)."""
    from seizures.report import pdf

    with i18n.using(lang):
        return pdf.render(collect(engine, flt))


def build_xlsx(engine: sa.Engine, flt: SeizureFilter, lang: str | None = None) -> bytes:
    """The report's tables as an Excel workbook, one sheet each, after an About sheet, in a language (None: the
    current one)."""
    from seizures.report import workbook

    with i18n.using(lang):
        return workbook.render(collect(engine, flt))
