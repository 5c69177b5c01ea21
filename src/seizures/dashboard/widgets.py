"""What several pages draw: a chart with a download of exactly its data, tables with numbers in the page's language,
the suppression legend, empty states, the provenance note, the period check and the choice of measure."""

from __future__ import annotations

from typing import Callable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from seizures import charts, disclosure, i18n, queries, settings
from seizures.dashboard import data
from seizures.filters import SeizureFilter
from seizures.i18n import N_, _

ILLUSTRATIVE_NOTE = N_(
    "Record-level figures (by directorate, month, weapon type, context) are **illustrative**: generated demo data "
    "that adds up to the published national totals. Only the published totals are real."
)


def empty_state(message: str = N_("No seizure records match the filters.")) -> None:
    st.info(_("{message} Widen the period or clear a filter in the sidebar.").format(message=_(message)),
            icon=":material/search:")


def nothing_loaded(what: str) -> None:
    """Empty state for data that the sidebar filters do not restrict: the store itself holds none."""
    st.info(
        _("No {what} in the store yet. Load the reference data with `seizures init --demo`.").format(what=_(what)),
        icon=":material/database:",
    )


def chart_of(frame: pd.DataFrame, build: Callable[..., go.Figure], name: str, *args) -> None:
    """Draw build(frame, *args) with its CSV download, or the empty state when the filter left no data."""
    if frame.empty:
        empty_state()
    else:
        chart(data.figure(build, frame, *args), frame, name)


def chart(fig: go.Figure | dict, frame: pd.DataFrame, name: str) -> None:
    """Draw a figure with a CSV download of exactly the data behind it (hidden cells as their note, "<5" or "x")."""
    st.plotly_chart(fig, width="stretch", key=f"chart_{name}")
    suppression_legend(frame)
    st.download_button(
        _("Download data (CSV)"), disclosure.shown(frame).to_csv(index=False).encode("utf-8"), file_name=f"{name}.csv",
        mime="text/csv", key=f"csv_{name}",
    )


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
        st.info(_("No seizure records are stored yet: load the demo data (`seizures init --demo`) or import a file."),
                icon=":material/search:")
        st.stop()
    return years


def provenance_note(flt: SeizureFilter) -> None:
    """The one-line note on illustrative rows, shown when the filtered lines include any."""
    if data.any_illustrative(flt):
        st.caption(f"ℹ️ {_(ILLUSTRATIVE_NOTE)}")


def recorded_label(flt: SeizureFilter) -> str:
    """The legend name of record-level sums: marked illustrative when any line behind them is."""
    return charts.recorded_label(data.any_illustrative(flt))


def measure_picker(flt: SeizureFilter, key: str) -> queries.Measure:
    """A choice of measure (firearms, ammunition, …, seizure events), offering only categories the filter lets
    through."""
    options = [
        m.key for m in queries.MEASURES_BY_KEY.values()
        if m.category is None or not flt.categories or m.category in flt.categories
    ]
    choice = st.radio(_("Measure"), options, format_func=lambda k: queries.MEASURES_BY_KEY[k].title, key=key,
                      horizontal=True)
    return queries.MEASURES_BY_KEY[choice or options[0]]
