"""What several pages draw: a chart with a download of exactly its data, tables with numbers in the page's language,
the suppression legend, empty states, the provenance note, the period check and the choice of measure."""

from __future__ import annotations

import functools
from typing import Callable, NamedTuple

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from seizures import charts, coverage, describe, disclosure, i18n, queries, reference, settings, spreadsheet
from seizures.dashboard import data, sidebar
from seizures.filters import SeizureFilter
from seizures.i18n import N_, _

ILLUSTRATIVE_NOTE = N_(
    "Record-level figures (by directorate, month, weapon type, context) are **illustrative**: generated demo data "
    "that adds up to the published national totals. Only the published totals are real."
)


def setup_needed(stop: bool = True) -> None:
    """On a store without its jurisdiction or vocabulary (a new `seizures init`): say what to load first, in which
    order and how, and (with stop) stop the page: nothing can be shown before them."""
    if data.jurisdiction() is not None and data.vocabulary().of("category"):
        return
    st.info(_(
        "**This store holds no reference data yet.** Load, in this order: 1. the jurisdiction and the vocabulary "
        "(categories with their units, weapon types, seizure contexts); 2. the regions (and municipalities); 3. the "
        "data: seizure records, counts by period or published totals. Administrators do it on the Data page "
        "(\"Reference data\") or with `seizures reference import TABLE FILE`; `seizures reference template TABLE "
        "--out FILE` writes a table's columns. The README's section \"Your own data\" gives the commands; "
        "`seizures init --demo` loads the demo data instead."
    ), icon=":material/database:")
    if stop:
        st.stop()


def empty_state(message: str = N_("No seizure records match the filters.")) -> None:
    setup_needed()
    st.info(_("{message} Widen the period or clear a filter in the sidebar.").format(message=_(message)),
            icon=":material/search:")


def nothing_loaded(what: str) -> None:
    """Empty state for data that the sidebar filters do not restrict: the store itself holds none."""
    setup_needed()
    st.info(
        _("No {what} in the store yet: administrators import them on the Data page (\"Reference data\") or with "
          "`seizures reference import`.").format(what=_(what)),
        icon=":material/database:",
    )


def chart_of(frame: pd.DataFrame, build: Callable[..., go.Figure], name: str, *args, title: str | None = None,
             summary: str | None = None) -> None:
    """Draw build(frame, *args) with its text alternative and CSV download (see chart), or the empty state when the
    filter left no data."""
    if frame.empty:
        empty_state()
    else:
        chart(data.figure(build, frame, *args), frame, name, title=title, summary=summary)


# Plotly's toolbar adds 8 buttons per chart to the keyboard's tab order (24 on the Overview) and offers nothing the
# page lacks: the numbers are in the table and the CSV, Streamlit's own toolbar enlarges the chart, and dragging
# still zooms (a double click resets).
PLOTLY_CONFIG = {"displayModeBar": False, "displaylogo": False}


class _Made(go.Figure):
    """A figure's dict as Plotly made it (Figure.to_dict; data.figure caches it), handed to st.plotly_chart as it
    is. Given a dict, st.plotly_chart validates it again by building a Figure of it, which costs more than the rest
    of the chart's drawing; given a Figure, it takes the figure's to_dict(), which this returns without a copy."""

    def __init__(self, figure: dict):  # noqa: super().__init__ would build and validate the figure again
        self._made = figure

    def to_dict(self) -> dict:
        return self._made


def chart(fig: go.Figure | dict, frame: pd.DataFrame, name: str, *, title: str | None = None,
          summary: str | None = None, table: bool = True) -> None:
    """Draw a figure with its text alternative and a CSV download of exactly the data behind it (hidden cells as
    their note, "<5" or "x").

    The text alternative (WCAG 2.1, 1.1.1): the chart's title (`title`, else the figure's own), a sentence on what
    its numbers show (`summary`, else one made from the drawn numbers: describe.summary) and, with `table`, those
    numbers as an HTML table in an expander: a real <table> with header cells that a screen reader reads and walks
    cell by cell, and that a keyboard opens (st.dataframe draws on a canvas). The chart is drawn in the app's
    template (theme=None: Streamlit's theme would grey its text to 3.7:1), without Plotly's toolbar.

    `table=False` where the page shows the same numbers as a table of its own (the map). A figure without any trace
    is not drawn (Streamlit refuses one): its data is still offered. A figure whose points carry filter values
    (charts.SELECT) is drawn selectable: a click sets the shared filter (sidebar.py)."""
    figure = fig if isinstance(fig, dict) else fig.to_dict()  # a dict: one made by Plotly (data.figure)
    layout = figure.setdefault("layout", {})
    if title:
        layout["title"] = {**(layout.get("title") if isinstance(layout.get("title"), dict) else {}), "text": title}
        margin = layout.setdefault("margin", {})
        margin["t"] = max(margin.get("t", 50), 40)  # room for it
    text = data.derived(_chart_text, figure)
    charts.fit_titles(figure)  # after the text alternative took the titles as one line each
    if len(figure.get("data") or []):
        key = f"chart_{name}"
        st.plotly_chart(_Made(figure), width="stretch", key=key, theme=None, config=PLOTLY_CONFIG,
                        **sidebar.chart_selection(figure, key))
    st.caption(_plain(summary or text.summary))
    if table and len(figure.get("data") or []) and text.numbers is not None:
        with st.expander(_plain(text.label)):
            st.table(text.numbers, hide_index=False, alt=text.label)
    suppression_legend(frame)
    st.download_button(  # the file is made when it is asked for, not on every run
        _("Download data (CSV)"), functools.partial(_csv, frame), file_name=f"{name}.csv", mime="text/csv",
        key=f"csv_{name}", on_click="ignore",
    )


class _ChartText(NamedTuple):
    summary: str  # the sentence under the chart
    label: str  # its table's expander
    numbers: pd.DataFrame | None  # the table, None for a chart without numbers


def _chart_text(figure: dict) -> _ChartText:
    """A figure's text alternative, made once per figure and language (data.derived): what describe reads of it."""
    drawn = describe.drawn(figure)
    label = _("Table of the chart's numbers: {title}").format(title=drawn.title) if drawn.title \
        else _("Table of the chart's numbers")
    numbers = None
    if not drawn.table.empty:
        numbers = describe.display_table(drawn).map(_plain).rename(columns=_plain)
        numbers = numbers.set_index(numbers.columns[0])
    return _ChartText(describe.summary(drawn), label, numbers)


def _csv(frame: pd.DataFrame) -> bytes:
    return spreadsheet.csv_bytes(disclosure.shown(frame))


def _plain(text: str) -> str:
    """Text shown as it is, not read as Markdown (names may hold "*" or "_")."""
    return "".join("\\" + c if c in "\\`*_{}[]<>()#+-.!|~$:" else c for c in text)


def suppression_legend(frame: pd.DataFrame) -> None:
    """Say what "<5" and "x" mean, under a table or chart that hides cells."""
    notes = [c for c in frame.columns if str(c).endswith(disclosure.NOTE_SUFFIX)]
    if any((frame[c].astype(str) != "").any() for c in notes):
        left_out = _("Hidden values are left out of the chart.")
        st.caption(f"🔒 {disclosure.legend(settings.suppress_below())} {left_out}")


def shown_number(frame: pd.DataFrame, column: str, index) -> str:
    """A cell as text: its suppression note when hidden, else the number."""
    return disclosure.note_of(frame, column, index) or i18n.number(frame.at[index, column])


def dataframe(frame: pd.DataFrame, column_config: dict | None = None, **kwargs):
    """st.dataframe with numbers in the chosen language: "localized" number columns follow the browser's locale,
    so outside English their shown text is formatted here (the values, and their sorting, stay numbers)."""
    config = dict(column_config or {})
    if i18n.language() == i18n.DEFAULT:
        return st.dataframe(frame, column_config=config, **kwargs)
    formats = {}
    for column, spec in config.items():
        if isinstance(spec, dict) and (spec.get("type_config") or {}).get("format") == "localized" and column in frame:
            formats[column] = lambda v: i18n.number(v, missing=kwargs.get("placeholder") or "")
            config[column] = {**spec, "type_config": {k: v for k, v in spec["type_config"].items() if k != "format"}}
    shown = frame.style.format(formats) if formats else frame
    return st.dataframe(shown, column_config=config, **kwargs)


def period_or_stop(flt: SeizureFilter) -> tuple[int, int]:
    """The filter's first and last year; on a store without seizure lines, say so and stop the page."""
    years = data.period(flt)
    if years is None:
        setup_needed()
        st.info(_("No seizure records are stored yet: import a file on the Data page (or `seizures import FILE`)."),
                icon=":material/search:")
        st.stop()
    return years


def provenance_note(flt: SeizureFilter) -> None:
    """What the figures are made of, for the filter: illustrative rows (said only when the selection holds any),
    and counts by period beside or instead of record-level lines."""
    rows = data.cached(queries.record_counts, flt)
    if rows.illustrative:
        st.caption(f"ℹ️ {_(ILLUSTRATIVE_NOTE)}")
    if rows.counts and rows.lines:
        st.caption(_("ℹ️ The figures add up record-level lines (one seizure each) and counts by period (a month, "
                     "quarter or year). Seizure events come from the lines' case references only."))
    elif rows.counts:
        st.caption(_("ℹ️ The figures are counts by period (a month, quarter or year), not single seizures: seizure "
                     "events are not recorded in them."))


def name_note(place: reference.Jurisdiction | None) -> None:
    """The note a jurisdiction's name carries (e.g. "*This designation is without prejudice ..."), under a title
    that names it."""
    note = place.note() if place else None
    if note:
        st.caption(f"\\* {note}")


def recorded_label(flt: SeizureFilter) -> str:
    """The legend name of record-level sums: marked illustrative when any line behind them is."""
    return charts.recorded_label(data.any_illustrative(flt))


def measure_picker(flt: SeizureFilter, key: str) -> queries.Measure:
    """A choice of measure (each category in each unit the store holds, and seizure events), offering only the
    categories the filter lets through."""
    present = {m.key for m in data.measures()}
    options = {m.key: m for m in data.derived(queries.measures_for, data.vocabulary(), flt) if m.key in present}
    choice = st.radio(_("Measure"), list(options), format_func=lambda k: options[k].title, key=key, horizontal=True)
    return options[choice] if choice in options else next(iter(options.values()))


def coverage_note(flt: SeizureFilter) -> None:
    """One line on how complete the data are for the filter (months missing by directorate, partial years, rows
    rejected at import; whether the last year's change compares unequal coverage), with a link to the coverage grid
    on the About page."""
    years = data.period(flt)
    if years is None:
        return
    found = data.cached(coverage.overview, flt)
    names = {**data.region_names(), "": _(reference.WHOLE_JURISDICTION_LABEL)}
    # The link as wide as its label (a sixth of the page cut it: "Coverage by mont"), beside the sentence where
    # both fit, under it where not.
    row = st.container(horizontal=True, vertical_alignment="center", gap="medium")
    row.caption(f"ℹ️ {coverage.sentence(found, names, years)}", width="stretch")
    row.page_link("app_pages/about.py", label=_("Coverage by month"), icon=":material/calendar_month:", width="content")
