"""A chart's text alternative, made from the figure itself: its numbers as a table and one sentence saying what they
show (the largest and smallest, the change over the years), in the interface's language.

Read from the drawn traces, so the table holds exactly what the chart draws, for any builder of charts.py or
maps.py: bars and lines (a row per category or year, a column per series) and heat-maps (a row per row, a column
per column). No Streamlit here: the dashboard shows these under each chart (widgets.chart).
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from seizures import i18n
from seizures.i18n import _


@dataclass
class Drawn:
    """What a figure draws: `table` (index: the categories or years; a column per series, or the heat-map's grid),
    `heatmap` (the table is a grid), `hidden` (how many drawn points have no value), `title`, `references`: the
    columns of reference lines (e.g. "Expected (on schedule)": charts.REFERENCE), in the table, not in the sentence."""

    table: pd.DataFrame
    heatmap: bool
    hidden: int
    title: str
    references: tuple = ()


def _as_dict(fig) -> dict:
    return fig if isinstance(fig, dict) else fig.to_dict()


def _values(array) -> list:
    """A trace's array as a list: a list, a NumPy array, or Plotly's typed array ({"dtype", "bdata"})."""
    if array is None:
        return []
    if isinstance(array, dict) and "bdata" in array:
        values = np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"]))
        shape = array.get("shape")
        if isinstance(shape, str):  # Plotly writes a 2-D array's shape as "rows, columns"
            shape = tuple(int(n) for n in shape.split(","))
        return values.reshape(shape).tolist() if shape else values.tolist()
    if isinstance(array, np.ndarray):
        return array.tolist()
    return list(array)


def _number(value) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.nan
    return number


def _text(title) -> str:
    if isinstance(title, dict):
        title = title.get("text")
    return str(title) if title else ""


def _axis_title(layout: dict, letter: str) -> str:
    """The first title found on the x (or y) axes: small multiples title only some of theirs."""
    for key in sorted(k for k in layout if k.startswith(f"{letter}axis")):
        text = _text((layout[key] or {}).get("title"))
        if text:
            return text
    return ""


def _category(layout: dict) -> str:
    """What the categories are, where the builder said it (charts.category_meta)."""
    meta = layout.get("meta")
    return str(meta.get("category") or "") if isinstance(meta, dict) else ""


def drawn(fig) -> Drawn:
    """What a figure (a Plotly figure or its dict) draws; a Drawn is returned as it is."""
    if isinstance(fig, Drawn):
        return fig
    figure = _as_dict(fig)
    layout = figure.get("layout") or {}
    title = _text(layout.get("title"))
    traces = [t for t in figure.get("data") or [] if t.get("visible", True) is not False]
    heat = next((t for t in traces if t.get("type") == "heatmap"), None)
    if heat is not None:
        z = [[_number(v) for v in row] for row in _values(heat.get("z"))]
        grid = pd.DataFrame(z, index=_values(heat.get("y")) or None, columns=_values(heat.get("x")) or None)
        grid.index.name = _category(layout) or _axis_title(layout, "y")
        return Drawn(grid, True, int(grid.isna().sum().sum()), title)
    columns: dict[str, dict] = {}
    references = []
    order: list = []
    hidden = 0
    series = [t for t in traces if t.get("type", "scatter") in ("bar", "scatter")]
    horizontal_any = False
    for trace in series:
        horizontal = trace.get("orientation") == "h"
        horizontal_any |= horizontal
        categories = _values(trace.get("y") if horizontal else trace.get("x"))
        values = [_number(v) for v in _values(trace.get("x") if horizontal else trace.get("y"))]
        name = str(trace.get("name") or "")
        if len(series) == 1:  # one series: its value axis says what it is (with the unit)
            name = _axis_title(layout, "x" if horizontal else "y") or name
        while name in columns:
            name += " "
        columns[name] = {}
        if isinstance(trace.get("meta"), dict) and trace["meta"].get("reference"):
            references.append(name)
        for category, value in zip(categories, values):
            if category not in columns[name]:
                columns[name][category] = value
                hidden += math.isnan(value)
            if category not in order:
                order.append(category)
    table = pd.DataFrame({name: [cells.get(c, math.nan) for c in order] for name, cells in columns.items()},
                         index=pd.Index(order))
    table.index.name = _category(layout) or _axis_title(layout, "y" if horizontal_any else "x")
    return Drawn(table, False, hidden, title, tuple(references))


def _years(index: pd.Index) -> bool:
    """Whether the categories are ordered numbers (years), so that the chart shows a change over them."""
    return len(index) > 0 and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in index)


def _n(value: float) -> str:
    return i18n.number(value)


def _x(value) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _trend(name: str, column: pd.Series) -> str:
    values = column.dropna()
    if len(values) == 1:
        return _("{series}: {value} in {x}.").format(series=name, value=_n(values.iloc[0]), x=_x(values.index[0]))
    return _("{series}: from {first} in {first_x} to {last} in {last_x}; highest {high} in {high_x}, lowest {low} in "
             "{low_x}.").format(
        series=name, first=_n(values.iloc[0]), first_x=_x(values.index[0]), last=_n(values.iloc[-1]),
        last_x=_x(values.index[-1]), high=_n(values.max()), high_x=_x(values.idxmax()), low=_n(values.min()),
        low_x=_x(values.idxmin()))


def _over_years(table: pd.DataFrame) -> str:
    if table.shape[1] <= 2:
        return " ".join(_trend(name, table[name]) for name in table.columns if table[name].notna().any())
    last_x = table.dropna(how="all").index[-1]
    last = table.loc[last_x].dropna()
    sentence = _("In {x}, the highest is {high_name} ({high}) and the lowest {low_name} ({low}).").format(
        x=_x(last_x), high_name=last.idxmax().strip(), high=_n(last.max()), low_name=last.idxmin().strip(),
        low=_n(last.min()))
    first_x = table.dropna(how="all").index[0]
    change = (table.loc[last_x] - table.loc[first_x]).dropna()
    if first_x != last_x and not change.empty:
        key, word = (change.idxmax(), _("Largest rise")) if change.max() > 0 else (change.idxmin(), _("Largest fall"))
        if change[key] != 0:
            sentence += " " + _("{what} from {first_x} to {last_x}: {name} ({change}).").format(
                what=word, first_x=_x(first_x), last_x=_x(last_x), name=key.strip(),
                change=i18n.number(change[key], signed=True))
    return sentence


def ranking(values: pd.Series, totals: bool = False) -> str:
    """The largest and the smallest of labelled values (index: the labels), and how many there are."""
    values = values.dropna()
    if values.empty:
        return _("No values to draw.")
    text = _("Largest total: {high_name} ({high}); smallest: {low_name} ({low}); {count} in all.") if totals \
        else _("Largest: {high_name} ({high}); smallest: {low_name} ({low}); {count} in all.")
    return text.format(high_name=values.idxmax(), high=_n(values.max()), low_name=values.idxmin(),
                       low=_n(values.min()), count=i18n.number(len(values)))


def _by_category(table: pd.DataFrame) -> str:
    if table.shape[1] == 1:
        return ranking(table.iloc[:, 0])
    return ranking(table.sum(axis=1, min_count=1), totals=True)


def summary(fig) -> str:
    """One sentence (two at most) on what the chart's numbers show, from the numbers themselves (fig: a figure, its
    dict, or what drawn() read from it)."""
    shown = drawn(fig)
    table = shown.table
    if table.empty or table.isna().all().all():
        return _("No values to draw.")
    if shown.heatmap:
        cells = table.stack().dropna()
        (high_row, high_col), (low_row, low_col) = cells.idxmax(), cells.idxmin()
        text = _("Highest: {high_row} in {high_col} ({high}); lowest: {low_row} in {low_col} ({low}).").format(
            high_row=high_row, high_col=_x(high_col), high=_n(cells.max()), low_row=low_row, low_col=_x(low_col),
            low=_n(cells.min()))
    elif _years(table.index):
        text = _over_years(table.drop(columns=list(shown.references)).sort_index())
    else:
        text = _by_category(table.drop(columns=list(shown.references)))
    if shown.hidden:
        text += " " + _("Values not drawn: {count}.").format(count=i18n.number(shown.hidden))
    return text


def display_table(fig) -> pd.DataFrame:
    """The chart's numbers as text in the interface's language, the categories or years in the first column; a point
    drawn without a value (hidden, or no figure) as "–" (fig: as for summary)."""
    shown = drawn(fig)
    table = shown.table
    first = table.index.name or _("Category")
    out = pd.DataFrame({first: [_x(v) for v in table.index]})
    for column in table.columns:
        out[_x(column).strip()] = [i18n.number(v) for v in table[column]]
    return out
