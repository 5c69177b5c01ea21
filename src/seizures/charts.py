"""Plotly figure builders: DataFrames in, figures out, one template for the whole app (no Streamlit here)."""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from seizures import i18n, reference
from seizures.i18n import N_, _

# The series colours: each at least 3:1 against the white background (WCAG 2.1, 1.4.11), and every pair at least
# 10 apart (CIEDE2000) in normal vision and with protanopia, deuteranopia and tritanopia simulated
# (tests/test_palette.py). Okabe-Ito's yellow, orange and sky blue fall below 3:1 on white, so this is a palette of
# darker colours found for these two properties. Colour is never the only difference between series: each also has
# its own marker and dash (lines) or fill pattern (stacked bars), and its name on the chart or in its panel.
PALETTE = ["#0072B2", "#D5671A", "#539C58", "#CE55FE", "#000000", "#496100", "#2A2AE0", "#BA3371"]
SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x", "triangle-down", "star", "cross"]
DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "5px,2px,1px,2px", "1px,3px"]
PATTERNS = ["", "/", "\\", "x", "-", "|", "+", "."]
TEXT_COLOUR = "#31333F"  # Streamlit's text colour: 12.6:1 on white
BACKGROUND = "#FFFFFF"
MUTED_COLOUR = "#666666"  # reference lines (baseline, target, expected): 5.7:1
GRID_COLOUR = "#E5E5E5"  # gridlines are a reading aid, not information: no contrast needed
REFERENCE = {"reference": True}  # a trace's meta: a line to compare with (expected, target), not a series of data


@dataclass(frozen=True)
class SeriesStyle:
    """How one series is told apart from the others, with or without colour vision."""

    colour: str
    symbol: str
    dash: str
    pattern: str


def series_styles(keys) -> dict:
    """Each key its style by its place in `keys`: colour, marker, dash and pattern. Past eight the colours start
    again, but the marker, dash and pattern move on one step per round, so no two of 64 series look alike."""
    styles = {}
    for i, key in enumerate(keys):
        shape = (i + i // len(PALETTE)) % len(SYMBOLS)
        styles[key] = SeriesStyle(PALETTE[i % len(PALETTE)], SYMBOLS[shape], DASHES[shape], PATTERNS[shape])
    return styles


def region_colours(codes) -> dict[str, str]:
    """Each region its colour by its place in the regions' order, so that a region has the same colour on every
    chart whatever its code (past eight, the palette starts again: see series_styles)."""
    return {code: style.colour for code, style in series_styles(codes).items()}


PUBLISHED_COLOUR = "#000000"
ILLUSTRATIVE_COLOUR = PALETTE[0]
CONTEXT_COLOUR = "#CFE8F7"  # print only (the report): years drawn around the selected period, lighter on purpose

TEMPLATE_NAME = "seizures"
TITLE_PAD_PX = 8
pio.templates[TEMPLATE_NAME] = go.layout.Template(
    layout=go.Layout(
        colorway=PALETTE,
        font=dict(family="Source Sans, Source Sans Pro, Arial, sans-serif", size=14, color=TEXT_COLOUR),
        # The title at the top, the legend at the bottom (apart, however many rows either takes); the margins grow
        # to fit the axes' labels (automargin: Streamlit's theme did this, and it is not used: widgets.chart). The
        # title starts at the figure's left edge, not the plot area's (which long category labels push right).
        title=dict(font=dict(size=17, color=TEXT_COLOUR), x=0, xanchor="left", xref="container", y=1,
                   yanchor="top", yref="container", pad=dict(t=TITLE_PAD_PX)),
        separators=".,",  # decimal point, thousands comma
        xaxis=dict(showgrid=False, tickformat="d", color=TEXT_COLOUR, linecolor=TEXT_COLOUR, automargin=True),
        yaxis=dict(tickformat=",", rangemode="tozero", gridcolor=GRID_COLOUR, color=TEXT_COLOUR, automargin=True),
        legend=dict(orientation="h", yanchor="bottom", y=0, yref="container", xanchor="left", x=0,
                    font=dict(color=TEXT_COLOUR)),
        margin=dict(l=10, r=10, t=50, b=10),
        hoverlabel=dict(namelength=-1, font=dict(color=TEXT_COLOUR), bgcolor=BACKGROUND),
        plot_bgcolor=BACKGROUND,
        paper_bgcolor=BACKGROUND,
    )
)


# Plotly does not wrap titles, and cuts what runs past the figure's edge. A line of the title (17 px) fits the
# narrowest chart, a phone's (390 px less the page's margins: 358 px), at up to 8 px a character; an x axis's title
# (14 px, centred on the plot area, which tick labels narrow) at 34 characters.
TITLE_CHARS = 42
AXIS_TITLE_CHARS = 34
CATEGORY_CHARS = 24  # a horizontal bar's name: longer ones left a phone's bars no room and were cut at the left
TITLE_LINE_PX = 22
NARROW_PLOT_PX = 300  # the plot area of the narrowest chart (a phone's), less the value axis's labels
# A bar's value label is drawn in a fixed number of pixels, its bar in the value axis's units: the axis's range must
# leave the label room at the narrowest plot area, a phone's (any wider one has more). Estimated, not measured.
PHONE_CHART_PX = 358  # a 390 px phone less Streamlit's margins
LABEL_CHAR_PX = 7  # Source Sans's 14 px digits, the widest characters of a value label (6.0-6.3 px on average)
LABEL_PAD_PX = 6  # plotly.js's gap between a bar's end and its label (3 px), and a little more


def wrapped(text: str, width: int) -> str:
    """`text` in lines of at most `width` characters joined by "<br>", as few lines as that takes and of about even
    length (a word longer than `width` stays whole); a text already in lines is left as it is."""
    if len(text) <= width or "<br>" in text:
        return text
    lines = textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)
    for even in range(math.ceil(len(text) / len(lines)), width):
        shorter = textwrap.wrap(text, even, break_long_words=False, break_on_hyphens=False)
        if len(shorter) <= len(lines):
            return "<br>".join(shorter)
    return "<br>".join(lines)


def fit_titles(figure: dict) -> dict:
    """Wrap a figure's title, its x axes' titles and its horizontal bars' names (a figure's dict, changed in place)
    so that each fits the narrowest chart; the top margin grows by the title's added lines. The bars' names are
    wrapped in their tick labels only: the data, and the chart's table made from it, keep them whole."""
    layout = figure.setdefault("layout", {})
    for trace in figure.get("data") or []:
        names = trace.get("y") if trace.get("type") == "bar" and trace.get("orientation") == "h" else None
        axis = layout.setdefault("yaxis" + str(trace.get("yaxis", "y"))[1:], {})
        if isinstance(names, (list, tuple)) and all(isinstance(n, str) for n in names) and "ticktext" not in axis \
                and any(len(n) > CATEGORY_CHARS for n in names):
            names = list(dict.fromkeys(names))
            axis.update(tickmode="array", tickvals=names, ticktext=[wrapped(n, CATEGORY_CHARS) for n in names])
    title = layout.get("title")
    if isinstance(title, dict) and isinstance(title.get("text"), str):
        text = wrapped(title["text"], TITLE_CHARS)
        if text != title["text"]:
            # plotly.js centres a title's lines on where one line would be (its first line went above the figure's
            # top): moved down by half the added lines; the plot area by all of them.
            added = text.count("<br>") * TITLE_LINE_PX
            pad = title.get("pad") if isinstance(title.get("pad"), dict) else {}
            layout["title"] = {**title, "text": text, "pad": {**pad, "t": (pad.get("t") or TITLE_PAD_PX) + added // 2}}
            margin = layout.setdefault("margin", {})
            margin["t"] = (margin.get("t") or 50) + added
    for key, axis in layout.items():
        if key.startswith("xaxis") and isinstance(axis, dict) and isinstance(axis.get("title"), dict) and \
                isinstance(axis["title"].get("text"), str):
            axis["title"] = {**axis["title"], "text": wrapped(axis["title"]["text"], AXIS_TITLE_CHARS)}
    return figure


def _label_px(text) -> float:
    return len(str(text)) * LABEL_CHAR_PX + LABEL_PAD_PX if str(text) else 0.0


def phone_plot_px(names) -> float:
    """The plot area of horizontal bars named `names` on a phone: the chart less its margins (the template's) and its
    widest name's line (as fit_titles wraps them) beside the plot."""
    widest = max((len(line) for n in names for line in wrapped(str(n), CATEGORY_CHARS).split("<br>")), default=0)
    return PHONE_CHART_PX - 20 - widest * LABEL_CHAR_PX - LABEL_PAD_PX


def fitted_range(right, left, plot_px: float) -> list[float]:
    """The value axis's [low, high] at which what stands beside the zero line fits a plot area of `plot_px`, its bars
    as long as that allows: each of `right` (value, px) reaches `value` (>= 0, in the axis's units) and then `px`
    pixels (a label's) right of zero, each of `left` as far left of it."""
    right, left = [(0.0, 0.0), *right], [(0.0, 0.0), *left]
    most_right, most_left = max(v for v, _ in right), max(v for v, _ in left)
    span = most_right + most_left or 1.0
    # Right and left extents are each the largest of theirs: every pair of one right and one left must fit.
    scale = min(((plot_px - rw - lw) / (rv + lv) for rv, rw in right for lv, lw in left if rv + lv > 0),
                default=(plot_px - max(w for _, w in right) - max(w for _, w in left)) / span)
    scale = max(scale, plot_px / span / 10)
    high = max(v + w / scale for v, w in right)
    low = -max(v + w / scale for v, w in left) or 0.0
    labels = high - low - (most_right + most_left)
    if most_right + most_left and labels > 9 * span:  # labels wider than the plot area itself: the bars still show
        high = most_right + (high - most_right) * 9 * span / labels
        low = -most_left + (low + most_left) * 9 * span / labels or 0.0
    return [low, high if high > low else low + 1]


def category_meta(name: str) -> dict:
    """What a chart's categories are, where no axis title says it (e.g. "Regional directorate" for horizontal bars
    labelled with names): the first column of the chart's table (describe.py)."""
    return {"category": name}


def theme(title: str | None = None) -> dict:
    """The layout every figure gets: the app's template, the language's number signs and the title."""
    return dict(template=TEMPLATE_NAME, title=title, separators=i18n.plotly_separators())


def themed(fig: go.Figure, title: str | None = None, x_title: str | None = None, y_title: str | None = None) -> go.Figure:
    """Apply the app's template, the language's number signs and readable titles (with units) to a figure."""
    fig.update_layout(**theme(title))
    if x_title is not None:
        fig.update_xaxes(title_text=x_title)
    if y_title is not None:
        fig.update_yaxes(title_text=y_title)
    return fig


# Training, equipment and KPI charts

MEN_COLOUR, WOMEN_COLOUR = PALETTE[0], PALETTE[1]


def trainees_by_gender(frame: pd.DataFrame) -> go.Figure:
    """Stacked bars of men and women per course (frame: course, men, women), first course on top. Each segment is
    labelled with its group ("Women 12"), not told apart by its colour alone."""
    fig = go.Figure()
    for column, label, colour, ink in (("men", _("Men"), MEN_COLOUR, "#FFFFFF"),
                                       ("women", _("Women"), WOMEN_COLOUR, "#000000")):
        fig.add_bar(
            y=frame["course"].tolist(), x=frame[column].tolist(), name=label, orientation="h", marker_color=colour,
            text=[f"{label} {i18n.number(v)}" for v in frame[column]], textposition="inside",
            insidetextanchor="middle", insidetextfont=dict(color=ink),
            hovertemplate=f"%{{y}}<br>{label}: %{{x:,}}<extra></extra>",
        )
    fig.update_layout(barmode="stack", height=160 + 60 * len(frame), meta=category_meta(_("Course")))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(tickformat=",")
    themed(fig, _("Officers trained, by course and gender"), x_title=_("Officers trained (persons)"))
    fig.update_layout(legend=dict(traceorder="normal"))
    return fig


def equipment_delivered(frame: pd.DataFrame) -> go.Figure:
    """Horizontal bars of the items delivered (frame: item, quantity), largest quantity on top."""
    ordered = frame.sort_values("quantity", ascending=False, kind="stable")
    fig = go.Figure(go.Bar(
        y=ordered["item"].tolist(), x=ordered["quantity"].tolist(), orientation="h", marker_color=PALETTE[2],
        text=[i18n.number(v) for v in ordered["quantity"]], textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: %{x:,}<extra></extra>",
    ))
    fig.update_layout(height=140 + 32 * len(frame), showlegend=False, meta=category_meta(_("Item")))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(tickformat=",", range=_outside_labels_range(fig.data[0]))
    return themed(fig, _("Equipment delivered"), x_title=_("Quantity delivered (items)"))


def kpi_sparkline(series: pd.DataFrame, baseline: float | None, target: float | None, unit: str | None,
                  title: str | None = None) -> go.Figure:
    """A small trend line of one KPI (series: year, value) with its baseline and target as dashed lines.

    Built as one figure from dicts: a page draws one per KPI, and Plotly's add_hline/update_* calls cost about ten
    times as much (BENCHMARKS.md, Roadmap KPIs page).
    """
    shapes, annotations = [], []
    for value, label, dash in ((baseline, _("baseline"), "dot"), (target, _("target"), "dash")):
        if value is not None and not pd.isna(value):
            shapes.append(dict(type="line", xref="x domain", x0=0, x1=1, yref="y", y0=value, y1=value,
                               line=dict(color=MUTED_COLOUR, dash=dash, width=1)))
            annotations.append(dict(
                xref="x domain", x=0, xanchor="left", yref="y", y=value, yanchor="bottom", showarrow=False,
                text=f"{label} {i18n.number(value, 0 if float(value).is_integer() else None)}", font=dict(size=11),
            ))
    y_title = unit if isinstance(unit, str) and unit else _("value")
    return go.Figure(
        go.Scatter(
            x=series["year"].tolist(), y=series["value"].tolist(), mode="lines+markers", name=_("Actual (illustrative)"),
            line=dict(color=PALETTE[0], width=2), hovertemplate="%{x}: %{y:,}<extra></extra>",
        ),
        layout=dict(
            **theme(title), height=200, showlegend=False,
            margin=dict(l=10, r=10, t=40 if title else 10, b=10), shapes=shapes, annotations=annotations,
            xaxis=dict(dtick=1),
            yaxis=dict(title=dict(text=y_title), rangemode="normal"),  # the movement, not the distance from zero
        ),
    )


def kpi_progress(progress: pd.DataFrame) -> go.Figure:
    """Each KPI's progress from baseline (0 %) to target (100 %) by year, against the straight line to the target.

    progress: kpi_number, year, progress_pct, expected_pct (see kpis.progress_series).
    """
    numbers = sorted(progress["kpi_number"].unique())
    styles = series_styles(numbers)
    lines = [
        (f"KPI {number}", group["year"].tolist(), group["progress_pct"].tolist(), styles[number], 2.5,
         f"KPI {number}, %{{x}}: %{{y:.0f}}{i18n.percent_sign()}<extra></extra>")
        for number, group in progress.groupby("kpi_number", sort=True)
    ]
    fig = _line_figure(lines)
    expected = progress.drop_duplicates("year").sort_values("year")
    fig.add_scatter(
        x=expected["year"].tolist(), y=expected["expected_pct"].tolist(), mode="lines", name=_("Expected (on schedule)"),
        line=dict(color=MUTED_COLOUR, dash="dash", width=1.5), meta=REFERENCE,
        hovertemplate=_("Expected by {year}: {value}").format(year="%{x}", value="%{y:.0f}" + i18n.percent_sign()) + "<extra></extra>",
    )
    themed(fig, _("Progress towards the targets (illustrative values)"), x_title=_("Year"),
           y_title=_("Progress from baseline (0 %) to target (100 %)"))
    fig.update_layout(height=480)
    fig.update_yaxes(rangemode="normal", ticksuffix=i18n.percent_sign())
    fig.update_xaxes(dtick=1)
    return fig


# --- Hover texts, click-to-filter fields, events on the timeline -------------------------------------------------

# Which filter values a chart's points carry, for click-to-filter: layout.meta["select"] maps a field of the shared
# filter (the URL's names: region, weapon, context, category, year) to the point's customdata position, or to "x"
# (the point's x, a year). A page draws the chart selectable when the mode has a filter (dashboard/sidebar.py).
SELECT = "select"
FIELDS = {"region_code": "region", "weapon_type": "weapon", "context": "context", "category": "category"}


def _unknown(value) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _selectable(fig: go.Figure, **fields) -> go.Figure:
    meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}  # keeps category_meta's entry
    fig.update_layout(meta={**meta, SELECT: fields})
    return fig


def select_fields(fig: go.Figure | dict) -> dict:
    """The filter fields a figure's points carry (see SELECT); empty when its points select nothing."""
    layout = fig["layout"] if isinstance(fig, dict) else fig.layout.to_plotly_json()
    meta = layout.get("meta") if isinstance(layout, dict) else None
    return dict(meta.get(SELECT) or {}) if isinstance(meta, dict) else {}


def change_text(value, previous) -> str:
    """A change for a hover, as the language writes it: "+12 (+8.1 %)"; from nothing, "+12 (none before)"; "–" when
    either side is unknown (hidden in the public view, not recorded, or before the chart's first period)."""
    if _unknown(value) or _unknown(previous):
        return "–"
    change = float(value) - float(previous)
    if previous == 0:
        return _("no change") if change == 0 else _("{change} (none before)").format(change=i18n.number(change, signed=True))
    return f"{i18n.number(change, signed=True)} ({i18n.percent(change / float(previous) * 100, signed=True)})"


def share_text(value, total) -> str:
    """A share of a total for a hover ("23.4 %"), "–" when either is unknown or the total is 0."""
    if _unknown(value) or _unknown(total) or not total:
        return "–"
    return i18n.percent(float(value) / float(total) * 100)


def hover_texts(frame: pd.DataFrame, group: str | None, period: str, shares: bool = True) -> pd.DataFrame:
    """For each row of a frame of a measure ([group,] period, value[, value_note]): its value, its change on the
    previous period of the same group, and its share of the period's total, as texts in the current language.

    A group absent in a period the frame holds had none (0); the period before the frame's first is unknown ("–").
    A hidden cell (public mode: missing, with a note) has no change and no share, nor has its neighbour's change;
    a period holding a hidden cell has no total, so no share either (it would be a share of an unknown sum).
    """
    values = pd.to_numeric(frame["value"], errors="coerce").astype("float64")
    notes = frame["value_note"].astype(str) if "value_note" in frame else pd.Series("", index=frame.index)
    hidden = notes != ""
    periods = frame[period].astype("int64")
    keys = frame[group].astype(str) if group else pd.Series("", index=frame.index)
    known = dict(zip(zip(keys, periods), values.where(~hidden)))  # a hidden cell is there, unknown (NaN)
    first = periods.min() if len(periods) else 0
    previous = [known.get((k, p - 1), float("nan") if p - 1 < first else 0.0) for k, p in zip(keys, periods)]
    totals = values.where(~hidden).groupby(periods).sum(min_count=1).where(~hidden.groupby(periods).any())
    value_text = [note or i18n.number(v, missing=_("not recorded")) for v, note in zip(values, notes)]
    out = pd.DataFrame({
        "value": value_text,
        "change": [change_text(v if not h else None, b) for v, b, h in zip(values, previous, hidden)],
        "share": [share_text(v if not h else None, totals.get(p)) for v, p, h in zip(values, periods, hidden)]
        if shares else "",
    }, index=frame.index)
    return out


def hover_lines(*labels: str, start: int = 0) -> str:
    """The hover template's lines "label: %{customdata[i]}", from customdata position `start` on."""
    return "".join(f"<br>{label}: %{{customdata[{start + i}]}}" for i, label in enumerate(labels))


EVENT_COLOUR = "#555555"
EVENT_FILL = "rgba(120, 120, 120, 0.10)"
EVENT_LABEL_CHARS = 28
# The events' labels are placed above the plot area, in rows, so that none covers another or the data. Where they
# go is worked out for the narrowest plot area (NARROW_PLOT_PX) at up to 6.5 px a character (11 px text): wider
# charts only spread them further apart.
EVENT_PLOT_PX = NARROW_PLOT_PX
EVENT_CHAR_PX = 6.5
EVENT_ROW_PX = 16


def _event_position(day, yearly: bool):
    """A date as an x position: on a yearly axis the bar of year Y spans Y-0.5 to Y+0.5, so a date falls inside it
    by its day of the year; on a monthly axis, the date itself."""
    day = pd.Timestamp(day)
    if not yearly:
        return day.strftime("%Y-%m-%d")
    days = 366 if day.is_leap_year else 365
    return day.year - 0.5 + (day.day_of_year - 1) / days


def _event_label(titles: list[str], chars: int) -> str:
    """The label of the events of one mark: the first title cut to fit `chars` in all, "(+n)" for the others."""
    more = f" (+{len(titles) - 1})" if len(titles) > 1 else ""
    room = max(chars - len(more), 4)
    first = titles[0] if len(titles[0]) <= room else titles[0][:room - 1].rstrip() + "…"
    return first + more


def add_events(fig: go.Figure, events: pd.DataFrame | None, yearly: bool = True, bounds=None,
               above: int = 0) -> go.Figure:
    """Events on the timeline: a day as a dotted line, a span as a light band, each labelled above the plot area
    (events of the same days share one label: "CPIAT project (+3)"), the full titles in the label's hover.

    events: starts_on, ends_on (empty for a day), title (in the page's language), kind (its label), as
    queries.events_in_filter gives them (only those of the filter's period and directorates). bounds: the axis's
    first and last x (years, or dates on a monthly axis); marks are cut to them so that an event starting before
    the chart does not stretch its axis. above: pixels above the plot area taken already (panel titles).
    """
    if events is None or events.empty:
        return fig
    frame = events.assign(
        start=pd.to_datetime(events["starts_on"]),
        end=pd.to_datetime(events["ends_on"].where(events["ends_on"].notna(), events["starts_on"])),
    )
    if bounds is not None:
        low, high = bounds
        if yearly:
            low_day, high_day = pd.Timestamp(int(low), 1, 1), pd.Timestamp(int(high), 12, 31)
        else:
            low_day, high_day = pd.Timestamp(low), pd.Timestamp(high) + pd.offsets.MonthEnd(0)
        frame = frame[(frame["end"] >= low_day) & (frame["start"] <= high_day)]
        frame = frame.assign(start=frame["start"].clip(lower=low_day), end=frame["end"].clip(upper=high_day))
    shapes, annotations = list(fig.layout.shapes or ()), list(fig.layout.annotations or ())
    axis_range = None
    if bounds is not None:  # Plotly widens an axis to take in its annotations: keep it to the data's
        if yearly:
            axis_range = (float(bounds[0]) - 0.5, float(bounds[1]) + 0.5)
        else:
            axis_range = (pd.Timestamp(bounds[0]) - pd.Timedelta(days=15), pd.Timestamp(bounds[1]) + pd.Timedelta(days=15))
    # Positions as fractions of the plot area's width (small multiples: the first panel's axis is a part of it).
    domain = tuple(fig.layout.xaxis.domain or (0, 1))
    per_char = EVENT_CHAR_PX / EVENT_PLOT_PX
    placed: dict[int, list[tuple[float, float]]] = {}  # row -> the extents of the labels on it
    for (start, end), group in frame.groupby(["start", "end"], sort=True):
        x0 = _event_position(start, yearly)
        x1 = _event_position(end + pd.Timedelta(days=1), yearly)
        if end > start:
            shapes.append(dict(type="rect", xref="x", yref="paper", x0=x0, x1=x1, y0=0, y1=1, layer="below",
                               fillcolor=EVENT_FILL, line=dict(width=0)))
        else:
            shapes.append(dict(type="line", xref="x", yref="paper", x0=x0, x1=x0, y0=0, y1=1, layer="below",
                               line=dict(color=EVENT_COLOUR, width=1.5, dash="dot")))
        titles = group["title"].astype(str).tolist()
        kinds = group["kind"].astype(str).tolist() if "kind" in group else [""] * len(titles)
        when = i18n.date(start.date()) if end == start else f"{i18n.date(start.date())} – {i18n.date(end.date())}"
        hover = "<br>".join([when, *(f"• {t} ({k})" if k else f"• {t}" for t, k in zip(titles, kinds))])
        # The label reads rightwards from the mark's start; where that runs past the plot area, leftwards from its
        # end; where neither fits, it is cut to the wider side.
        if axis_range is not None:
            at_start = domain[0] + (domain[1] - domain[0]) * min(max(_fraction(x0, axis_range, yearly), 0.0), 1.0)
            at_end = domain[0] + (domain[1] - domain[0]) * min(max(_fraction(x1 if end > start else x0, axis_range,
                                                                               yearly), 0.0), 1.0)
        else:
            at_start = at_end = domain[0]
        label = _event_label(titles, EVENT_LABEL_CHARS)
        width = (len(label) + 2) * per_char  # "▸ " before it
        right = at_start + width > 1 and at_end - width >= 0
        if at_start + width > 1 and not right:
            right = at_end > 1 - at_start
            label = _event_label(titles, int((at_end if right else 1 - at_start) / per_char) - 2)
            width = (len(label) + 2) * per_char
        extent = (at_end - width, at_end) if right else (at_start, at_start + width)
        row = next(r for r in range(len(placed) + 1) if all(
            extent[1] < low or extent[0] > high for low, high in placed.get(r, [])))
        placed.setdefault(row, []).append(extent)
        anchor = x1 if right and end > start else x0
        if right and axis_range is not None:  # a span running past the axis is labelled at the axis's end
            anchor = min(anchor, axis_range[1]) if yearly else min(pd.Timestamp(anchor), axis_range[1]).strftime("%Y-%m-%d")
        annotations.append(dict(
            x=anchor, xref="x", xanchor="right" if right else "left",
            y=1, yref="paper", yanchor="bottom", yshift=above + EVENT_ROW_PX * row,
            text=f"▸ {label}", showarrow=False, font=dict(size=11, color=TEXT_COLOUR), hovertext=hover,
            name="event",
        ))
    # The rows of labels are added to the top margin and to the height: the plot area keeps its size.
    added = above + EVENT_ROW_PX * len(placed)
    margin = fig.layout.margin.t if fig.layout.margin.t is not None else 50
    fig.update_layout(shapes=shapes, annotations=annotations, margin=dict(t=margin + added),
                      height=(fig.layout.height or 450) + added)
    if axis_range is not None:
        # Every panel the same range, none matched to another: with both, plotly.js drew small multiples' panels
        # empty (no line, a 0-4 value axis).
        fig.update_xaxes(range=[v if yearly else v.strftime("%Y-%m-%d") for v in axis_range], matches=None)
    return fig


def _fraction(x, axis_range, yearly: bool) -> float:
    """Where x lies along the axis, 0 at its start and 1 at its end."""
    low, high = axis_range
    if yearly:
        return (x - low) / ((high - low) or 1)
    return (pd.Timestamp(x) - low) / ((high - low) or pd.Timedelta(days=1))


SURGE_SYMBOL, DIP_SYMBOL = "triangle-up", "triangle-down"


# --- Overview, Regions, Weapons & context -------------------------------------------------------------------------
# Each builder takes the small frame a query returned and draws it; axis titles carry units.

# Colours of the weapon types a vocabulary singles out (e.g. converted and blank-firing weapons, as SEESAC does); their
# bars also get a fill pattern, so that they stand out without colour too.
HIGHLIGHT_PALETTE = [PALETTE[1], PALETTE[7], PALETTE[2], PALETTE[5]]
HIGHLIGHT_PATTERN = "/"
OTHER_COLOUR = "#767676"  # "not recorded", "other types": grey, 4.5:1 on white


def highlight_colours(codes) -> dict[str, str]:
    return {code: HIGHLIGHT_PALETTE[i % len(HIGHLIGHT_PALETTE)] for i, code in enumerate(codes)}


def _label(labels: dict[str, str], code: str) -> str:
    """A code's label; "" is what a line does not record."""
    return labels.get(code) or (_(reference.NOT_RECORDED_LABEL) if code == "" else code)


def _region_name(names: dict[str, str], code: str) -> str:
    """A region's name; "" is a count of the whole jurisdiction, not broken down by region."""
    return names.get(code) or (_(reference.WHOLE_JURISDICTION_LABEL) if code == "" else code)


def _yearly(fig: go.Figure) -> go.Figure:
    """A tick per year, never a repeated or fractional one."""
    fig.update_xaxes(dtick=1)
    return fig


def _rows_height(rows: int, per_row: int = 34, extra: int = 110) -> int:
    """Height for a chart with one band per category, so few bars stay slim and many stay readable."""
    return extra + per_row * max(rows, 1)


def _outside_labels_range(bar: go.Bar) -> list[float]:
    """The value axis's range of horizontal bars (of values >= 0; NaN: not drawn) with their labels beyond their ends:
    room for every label on a phone."""
    ends = [(v, _label_px(t)) for v, t in zip(bar.x, bar.text or [""] * len(bar.x)) if v == v]
    return fitted_range(ends, [], phone_plot_px(bar.y))


def _horizontal(fig: go.Figure, x_title: str, tickformat: str = ",") -> go.Figure:
    """Horizontal bars: the value axis (x) gets the thousands format, the category axis (y) none."""
    fig.update_layout(height=_rows_height(len(fig.data[0].y)))
    fig.update_xaxes(range=_outside_labels_range(fig.data[0]))  # room for the value printed beyond each bar
    fig.update_xaxes(tickformat=tickformat, rangemode="tozero", showgrid=True, gridcolor="#e5e5e5", title_text=x_title)
    fig.update_yaxes(tickformat="", autorange="reversed", showgrid=False, title_text=None)
    return fig


def recorded_label(illustrative: bool) -> str:
    """The legend name of record-level sums: marked illustrative when any line behind them is."""
    return _("Record-level sum (illustrative)") if illustrative else _("Record-level sum")


def yearly_trend(
    frame: pd.DataFrame, y_title: str, recorded_label: str, title: str | None = None,
    period: tuple[int, int] | None = None, value_labels: bool = False, events: pd.DataFrame | None = None,
) -> go.Figure:
    """Record-level sums per year (bars) beside the published national totals (line, the authoritative series).

    frame: year, recorded, published, qualifier (e.g. "more than"); NaN where a side has no figure.
    For print: `period` (first, last) draws the bars of the years around it lighter; `value_labels` writes each
    published figure at its point (">" before a "more than" figure), as paper has no hover.
    events: drawn on the timeline (add_events). A bar's hover gives its change on the year before and its share of
    the published national total (where that is exact); a click selects its year (SELECT).
    """
    recorded = frame[frame["recorded"].notna()]
    published = frame[frame["published"].notna()]
    if not published.empty:  # a year without a published figure breaks the line rather than bridging it
        years = range(int(published["year"].min()), int(published["year"].max()) + 1)
        published = published.set_index("year").reindex(years).rename_axis("year").reset_index()
    fig = go.Figure()
    colours = ILLUSTRATIVE_COLOUR if period is None else [
        ILLUSTRATIVE_COLOUR if period[0] <= year <= period[1] else CONTEXT_COLOUR for year in recorded["year"]
    ]
    texts = hover_texts(recorded.rename(columns={"recorded": "value"}), None, "year", shares=False)
    exact = frame.set_index("year")["published"].where(frame.set_index("year")["qualifier"].fillna("") == "")
    change_label, share_label = _("Change on the year before"), _("Share of the published national total")
    fig.add_bar(
        x=recorded["year"].tolist(), y=recorded["recorded"].tolist(), name=recorded_label, marker_color=colours,
        customdata=[[v, c, share_text(r, exact.get(y))] for v, c, r, y in
                    zip(texts["value"], texts["change"], recorded["recorded"], recorded["year"])],
        hovertemplate="<b>%{x}</b>: %{customdata[0]}" + hover_lines(change_label, share_label, start=1)
                      + "<extra>" + recorded_label + "</extra>",
    )
    published_name = _("Published national total")
    qualifiers = published["qualifier"].fillna("").astype(str)
    published_values = published["published"].tolist()
    fig.add_scatter(
        x=published["year"].tolist(), y=published_values, name=published_name,
        mode="lines+markers+text" if value_labels else "lines+markers",
        line=dict(color=PUBLISHED_COLOUR, width=3), marker=dict(size=9),
        customdata=[_(q) if q else "" for q in qualifiers],
        hovertext=[change_text(v, b) if not q and not bq else "–" for v, b, q, bq in
                   zip(published_values, [None, *published_values[:-1]], qualifiers, ["", *qualifiers[:-1]])],
        hovertemplate="<b>%{x}</b>: %{customdata} %{y:,}<br>" + change_label + ": %{hovertext}<extra>"
                      + published_name + "</extra>",
        **(dict(text=[("> " if q == "more than" else "") + i18n.number(v) for q, v in zip(qualifiers, published["published"])],
                textposition="top center") if value_labels else {}),
    )
    years = frame["year"]
    add_events(fig, events, yearly=True, bounds=(years.min(), years.max()) if len(years) else None)
    return _selectable(_yearly(themed(fig, title, _("Year"), y_title)), year="x")


# More lines than this on one chart crowd (their labels collide, and eight colours are too many to tell apart): one
# small panel per series instead (small multiples).
MAX_LINES = 4
LABEL_GAP_PX = 17  # the least vertical distance between two lines' end labels


def _line_trace(name: str, x: list, y: list, style: SeriesStyle, width: float, hover: str,
                customdata: list | None = None) -> go.Scatter:
    return go.Scatter(
        x=x, y=y, name=name, mode="lines+markers", hovertemplate=hover, customdata=customdata,
        line=dict(color=style.colour, width=width, dash=style.dash),
        marker=dict(symbol=style.symbol, size=9, color=style.colour),
    )


def _end_labels(lines: list, height: int) -> list[dict]:
    """Each line's name beside its last point (a direct label), pushed apart where two would overlap."""
    ends = []
    for name, x, y, *_rest in lines:
        points = [(a, b) for a, b in zip(x, y) if b is not None and b == b]
        if points:
            ends.append((points[-1][1], points[-1][0], name))
    top = max((v for v, _x, _n in ends), default=0) or 1
    per_px = top * 1.1 / max(height - 110, 100)  # value per pixel of the plot area, roughly
    labels, last = [], None
    for value, x, name in sorted(ends, key=lambda e: e[0]):
        shift = 0.0 if last is None else max(0.0, (last + LABEL_GAP_PX * per_px - value) / per_px)
        last = value + shift * per_px
        labels.append(dict(x=x, y=value, yshift=shift, xanchor="left", xshift=8, text=name, showarrow=False,
                           font=dict(color=TEXT_COLOUR, size=13)))
    return labels


def _line_figure(lines: list, height: int = 450) -> go.Figure:
    """One line per (name, x, y, style, width, hover[, customdata]), with its own marker and dash, labelled at its
    end."""
    fig = go.Figure([_line_trace(*line) for line in lines])
    longest = max((len(str(line[0])) for line in lines), default=0)
    fig.update_layout(annotations=_end_labels(lines, height), height=height, margin=dict(r=20 + 7 * longest))
    return fig


PANEL_TITLE_PX = 18  # a line of a panel's title (14 px)


def panel_titles(lines: list, columns: int) -> list[str]:
    """The panels' titles (the lines' names), wrapped to fit a panel of the narrowest chart (7.5 px a character)."""
    chars = max(int(NARROW_PLOT_PX / columns / 7.5), 8)
    return [wrapped(str(line[0]), chars) for line in lines]


def _small_multiples(lines: list, columns: int, title: str | None, x_title: str, y_title: str) -> go.Figure:
    """A panel per line, each titled with its name, on a shared value axis (the lines stay comparable)."""
    from plotly.subplots import make_subplots

    columns = min(columns, len(lines))
    rows = math.ceil(len(lines) / columns)
    titles = panel_titles(lines, columns)
    extra = max(t.count("<br>") for t in titles) * PANEL_TITLE_PX  # wrapped titles: room between the rows
    plot_px = (190 + extra) * rows
    fig = make_subplots(rows=rows, cols=columns, shared_xaxes="all", shared_yaxes="all",
                        subplot_titles=titles, horizontal_spacing=0.03,
                        vertical_spacing=max(0.5 / (rows + 2), (PANEL_TITLE_PX + extra + 20) / plot_px))
    for i, line in enumerate(lines):
        fig.add_trace(_line_trace(*line), row=i // columns + 1, col=i % columns + 1)
    themed(fig, title)
    fig.update_layout(height=110 + plot_px, showlegend=False)
    fig.update_annotations(font=dict(color=TEXT_COLOUR, size=14))
    fig.update_xaxes(dtick=1, tickformat="d", showgrid=False)
    fig.update_yaxes(rangemode="tozero", tickformat=",", gridcolor=GRID_COLOUR)
    for row in range(1, rows + 1):
        fig.update_yaxes(title_text=y_title if row == math.ceil(rows / 2) else None, row=row, col=1)
    for col in range(1, columns + 1):
        fig.update_xaxes(title_text=x_title, row=rows, col=col)
    return fig


def _lines(lines: list, title: str | None, x_title: str, y_title: str, columns: int = 4,
           events: pd.DataFrame | None = None, years: pd.Series | None = None) -> go.Figure:
    """The lines on one chart, or a panel each past MAX_LINES; the events of their years on every panel."""
    if len(lines) <= MAX_LINES:
        fig = _yearly(themed(_line_figure(lines), title, x_title, y_title))
        _events_on_years(fig, events, years)
        return fig
    fig = _small_multiples(lines, columns, title, x_title, y_title)
    before = len(fig.layout.shapes or ())
    tallest = max(t.count("<br>") + 1 for t in panel_titles(lines[:columns], columns))
    _events_on_years(fig, events, years, above=6 + PANEL_TITLE_PX * tallest)  # above the first row's panel titles
    # The panels of a column share their x axis: each event's line or band is drawn once per column, over its
    # whole height (yref paper); its label stays on the first column.
    marks = list(fig.layout.shapes or ())[before:]
    for col in range(2, min(columns, len(lines)) + 1):
        for mark in marks:
            fig.add_shape(mark.to_plotly_json() | {"xref": f"x{col}"})
    return fig


def stacked_by_region(
    frame: pd.DataFrame, names: dict[str, str], y_title: str, title: str | None = None,
    events: pd.DataFrame | None = None,
) -> go.Figure:
    """One stacked bar per year, a segment per directorate (the largest at the bottom), each directorate in its colour
    and fill pattern. frame: region_code, year, value. A segment's hover gives its change on the year before and its
    share of the year's total; a click selects its directorate and year."""
    fig = go.Figure()
    styles = series_styles(names)
    hover = hover_texts(frame, "region_code", "year")
    largest_first = frame.groupby("region_code")["value"].sum().sort_values(ascending=False).index
    for code in largest_first:
        group = frame[frame["region_code"] == code]
        name = _region_name(names, code)
        style = styles.get(code, SeriesStyle(OTHER_COLOUR, "circle", "solid", ""))
        rows = hover.loc[group.index]
        fig.add_bar(
            x=group["year"].tolist(), y=group["value"].tolist(), name=name,
            marker=dict(color=style.colour, line=dict(color=BACKGROUND, width=0.5),
                        pattern=dict(shape=style.pattern, fillmode="overlay", fgcolor=BACKGROUND, solidity=0.25)),
            customdata=[[code, v, c, sh] for v, c, sh in zip(rows["value"], rows["change"], rows["share"])],
            hovertemplate=_group_template(name),
        )
    fig.update_layout(barmode="stack", legend=dict(traceorder="normal"))
    _events_on_years(fig, events, frame["year"])
    title = title or _("{measure} by regional directorate and year").format(measure=y_title)
    return _selectable(_yearly(themed(fig, title, _("Year"), y_title)), region=0, year="x")


def _group_template(name: str) -> str:
    return ("<b>" + _plain(name) + "</b>, %{x}: %{customdata[1]}"
            + hover_lines(_("Change on the year before"), _("Share of the year's total"), start=2) + "<extra></extra>")


def _plain(text: str) -> str:
    """A name put into a hover template: its braces would read as template fields."""
    return str(text).replace("{", "(").replace("}", ")")


def _events_on_years(fig: go.Figure, events: pd.DataFrame | None, years: pd.Series | None, above: int = 0) -> None:
    years = years if years is not None else pd.Series(dtype="int64")
    add_events(fig, events, yearly=True, bounds=(years.min(), years.max()) if len(years) else None, above=above)


def region_trends(
    frame: pd.DataFrame, names: dict[str, str], y_title: str, title: str | None = None,
    events: pd.DataFrame | None = None,
) -> go.Figure:
    """One line per directorate over the years, each with its colour, marker and dash and its name at its end; more
    than MAX_LINES directorates: a small panel each. frame: region_code, year, value. A point's hover gives its
    change on the year before and its share of the year's total; a click selects its directorate and year."""
    styles = series_styles(names)
    hover = hover_texts(frame, "region_code", "year")
    lines = []
    for code, group in frame.groupby("region_code", sort=False):
        name = _region_name(names, code)
        style = styles.get(code, SeriesStyle(OTHER_COLOUR, "circle", "solid", ""))
        rows = hover.loc[group.index]
        lines.append((name, group["year"].tolist(), group["value"].tolist(), style, 2.5, _group_template(name),
                      [[code, v, c, sh] for v, c, sh in zip(rows["value"], rows["change"], rows["share"])]))
    title = title or _("{measure} per regional directorate, by year").format(measure=y_title)
    return _selectable(_lines(lines, title, _("Year"), y_title, events=events, years=frame["year"]), region=0,
                       year="x")


def region_shares(
    summary: pd.DataFrame, names: dict[str, str], x_title: str | None = None, title: str | None = None
) -> go.Figure:
    """Each directorate's share of the national total, one bar each. summary: region_code, name, share_pct[, value];
    names: every region's name, in the regions' order (their colours). A click selects the directorate."""
    x_title = x_title or _("Share of the national total (%)")
    colours = region_colours(names)
    values = summary["value"] if "value" in summary else pd.Series(float("nan"), index=summary.index)
    notes = summary["value_note"] if "value_note" in summary else pd.Series("", index=summary.index)
    fig = go.Figure(
        go.Bar(
            x=summary["share_pct"].tolist(), y=summary["name"].tolist(), orientation="h", name=_("Share"),
            marker_color=[colours.get(c, OTHER_COLOUR) for c in summary["region_code"]],
            text=["" if pd.isna(v) else i18n.percent(v) for v in summary["share_pct"]],  # NaN: hidden (public mode)
            textposition="outside", cliponaxis=False,
            customdata=[[c, n or i18n.number(v)] for c, v, n in zip(summary["region_code"], values, notes)],
            hovertemplate="<b>%{y}</b>: %{x:.1f}" + i18n.percent_sign() + hover_lines(_("Value"), start=1)
                          + "<extra></extra>",
        )
    )
    themed(fig, title or _("Share of the national total by regional directorate"))
    fig.update_layout(showlegend=False, meta=category_meta(_("Regional directorate")))
    return _selectable(_horizontal(fig, x_title, tickformat=".0f"), region=0)


# Light to mid blue, so that the black cell labels keep at least 4.5:1 on every cell (tests/test_palette.py).
HEATMAP_SCALE = [[0.0, "#F7FBFF"], [0.35, "#C6DBEF"], [0.7, "#6BAED6"], [1.0, "#3182BD"]]
HEATMAP_TEXT = "#000000"


def region_year_heatmap(frame: pd.DataFrame, names: dict[str, str], z_title: str, title: str | None = None) -> go.Figure:
    """Directorate × year grid of a measure (empty cells are zero). frame: region_code, year, value. A cell's hover
    gives its change on the year before and its share of the year's total (a heat-map has no selection: the page
    offers its table's rows instead)."""
    cells = frame.groupby(["region_code", "year"])["value"]
    # Absent cells are zero; a cell hidden by the public mode's suppression (NaN) stays empty.
    grid = cells.sum(skipna=False).unstack().where(cells.size().unstack().notna(), 0.0)
    grid = grid.reindex(columns=range(int(grid.columns.min()), int(grid.columns.max()) + 1), fill_value=0)
    labels = [_region_name(names, c) for c in grid.index]
    order = sorted(range(len(labels)), key=labels.__getitem__)
    grid, labels = grid.iloc[order], [labels[i] for i in order]
    long = grid.reset_index().melt(id_vars="region_code", var_name="year", value_name="value")
    notes = frame.set_index(["region_code", "year"])["value_note"] if "value_note" in frame else None
    if notes is not None:
        long["value_note"] = [notes.get((c, y), "") for c, y in zip(long["region_code"], long["year"])]
    texts = hover_texts(long, "region_code", "year").set_index([long["region_code"], long["year"]])
    customdata = [[[texts.loc[(code, year), "value"], texts.loc[(code, year), "change"], texts.loc[(code, year), "share"]]
                   for year in grid.columns] for code in grid.index]
    fig = go.Figure(
        go.Heatmap(
            z=grid.to_numpy().tolist(), x=[int(y) for y in grid.columns], y=labels, colorscale=HEATMAP_SCALE,
            colorbar=dict(title=dict(text=z_title, side="right"), tickformat=","),
            texttemplate="%{z:,}", textfont=dict(color=HEATMAP_TEXT), customdata=customdata,
            hovertemplate="<b>%{y}</b>, %{x}: %{customdata[0]}"
                          + hover_lines(_("Change on the year before"), _("Share of the year's total"), start=1)
                          + "<extra></extra>",
            xgap=2, ygap=2,
        )
    )
    title = title or _("{measure} by regional directorate and year").format(measure=z_title)
    themed(fig, title, _("Year"))
    fig.update_layout(height=_rows_height(len(labels), per_row=44, extra=120),
                      meta=category_meta(_("Regional directorate")))
    fig.update_xaxes(dtick=1)
    fig.update_yaxes(tickformat="", autorange="reversed", showgrid=False)
    return fig


BREAKDOWN_CATEGORIES = {"weapon_type": N_("Weapon type"), "context": N_("Seizure context")}
BREAKDOWN_TITLES = {"weapon_type": N_("{measure} by weapon type"), "context": N_("{measure} by seizure context")}


def breakdown_bars(
    frame: pd.DataFrame, key: str, labels: dict[str, str], x_title: str, title: str | None = None,
    highlighted: tuple[str, ...] = (), previous: pd.DataFrame | None = None, previous_label: str | None = None,
) -> go.Figure:
    """A horizontal bar per code of `key` (largest first), labelled with `labels` (code -> label; "" is "not
    recorded"); `highlighted` codes in their own colours and with a fill pattern. frame: key, value. A bar's hover
    gives its share of the total and, with `previous` (key, value of the period before, called `previous_label`), its
    change on it; a click selects its code."""
    ordered = frame.sort_values("value", ascending=False)
    codes = ordered[key].tolist()
    colours = highlight_colours(highlighted)
    values = pd.to_numeric(ordered["value"], errors="coerce")
    notes = ordered["value_note"].astype(str) if "value_note" in ordered else pd.Series("", index=ordered.index)
    total = float("nan") if (notes != "").any() else values.sum()
    before = dict(zip(previous[key], previous["value"])) if previous is not None else {}
    hidden_before = set(previous.loc[previous["value_note"].astype(str) != "", key]) if (
        previous is not None and "value_note" in previous) else set()
    lines = [_("Share of the total")]
    customdata = []
    for code, value, note in zip(codes, values, notes):
        row = [code, note or i18n.number(value), share_text(None if note else value, total)]
        if previous is not None:
            base = float("nan") if code in hidden_before else before.get(code, 0.0)
            row.append(change_text(None if note else value, base))
        customdata.append(row)
    if previous is not None:
        lines.append(_("Change on {period}").format(period=previous_label or _("the period before")))
    fig = go.Figure(
        go.Bar(
            x=ordered["value"].tolist(), y=[_label(labels, c) for c in codes], orientation="h", name=x_title,
            marker=dict(
                color=[colours.get(c, OTHER_COLOUR if c == "" else PALETTE[0]) for c in codes],
                pattern=dict(shape=[HIGHLIGHT_PATTERN if c in colours else "" for c in codes], fillmode="overlay",
                             fgcolor=BACKGROUND, solidity=0.3),
            ),
            text=["" if pd.isna(v) else i18n.number(v) for v in ordered["value"]],
            textposition="outside", cliponaxis=False, customdata=customdata,
            hovertemplate="<b>%{y}</b>: %{customdata[1]}" + hover_lines(*lines, start=2) + "<extra></extra>",
        )
    )
    themed(fig, title or _(BREAKDOWN_TITLES.get(key, N_("{measure} by {key}"))).format(measure=x_title, key=key))
    fig.update_layout(showlegend=False, meta=category_meta(_(BREAKDOWN_CATEGORIES.get(key, N_("Category")))))
    return _selectable(_horizontal(fig, x_title), **{FIELDS.get(key, key): 0})


def weapon_type_trends(
    frame: pd.DataFrame, labels: dict[str, str], y_title: str, top: int = 5, title: str | None = None,
    highlighted: tuple[str, ...] = (), events: pd.DataFrame | None = None,
) -> go.Figure:
    """One line per weapon type over the years: the `top` largest types, the `highlighted` ones (e.g. converted,
    blank-firing) always, and the rest summed as "Other types". frame: weapon_type, year, value. A point's hover
    gives its change on the year before and its share of the year's total; a click selects its type and year."""
    colours = highlight_colours(highlighted)
    totals = frame.groupby("weapon_type")["value"].sum().sort_values(ascending=False)
    shown = [t for t in totals.index if t not in colours][:top]
    shown += [t for t in colours if t in totals.index]
    series = frame.assign(weapon_type=frame["weapon_type"].where(frame["weapon_type"].isin(shown), "_other"))
    series = series.groupby(["weapon_type", "year"], as_index=False)["value"].sum(skipna=False)  # hidden stays hidden
    hover = hover_texts(series, "weapon_type", "year")
    palette = iter(c for c in PALETTE if c not in colours.values())
    lines = []
    for code in [*shown, "_other"]:
        group = series[series["weapon_type"] == code]
        if group.empty:
            continue
        name = _("Other types") if code == "_other" else _label(labels, code)
        colour = colours.get(code) or (OTHER_COLOUR if code in ("_other", "") else next(palette, OTHER_COLOUR))
        shape = len(lines) % len(SYMBOLS)
        style = SeriesStyle(colour, SYMBOLS[shape], "dot" if code == "_other" else DASHES[shape], "")
        rows = hover.loc[group.index]
        selectable = "" if code == "_other" else code  # "Other types" is no single type
        lines.append((name, group["year"].tolist(), group["value"].tolist(), style, 4 if code in colours else 2,
                      _group_template(name),
                      [[selectable, v, c, sh] for v, c, sh in zip(rows["value"], rows["change"], rows["share"])]))
    title = title or _("{measure} by weapon type and year").format(measure=y_title)
    return _selectable(_lines(lines, title, _("Year"), y_title, columns=2, events=events, years=frame["year"]),
                       weapon=0, year="x")


def monthly_seasonality(frame: pd.DataFrame, y_title: str, title: str | None = None) -> go.Figure:
    """A bar per calendar month (months without seizures show as zero). frame: month, value. A bar's hover gives its
    share of the total."""
    by_month = frame.groupby("month")["value"].sum(min_count=1).reindex(range(1, 13), fill_value=0)
    total = by_month.sum()
    fig = go.Figure(
        go.Bar(
            x=i18n.month_names(), y=by_month.tolist(), name=y_title, marker_color=PALETTE[0],
            customdata=[[i18n.number(v), share_text(v, total)] for v in by_month],
            hovertemplate="<b>%{x}</b>: %{customdata[0]}" + hover_lines(_("Share of the total"), start=1)
                          + "<extra></extra>",
        )
    )
    themed(fig, title or _("{measure} by calendar month").format(measure=y_title), _("Month"), y_title)
    fig.update_layout(showlegend=False)
    return fig


# --- What changed, monthly trends with surge flags ---------------------------------------------------------------

RISE_COLOUR, FALL_COLOUR = PALETTE[0], PALETTE[1]  # blue up, orange down (told apart without colour too)


CHANGE_CATEGORIES = {"region_code": N_("Regional directorate"), **BREAKDOWN_CATEGORIES}


def change_bars(
    changes: pd.DataFrame, key: str, labels: dict[str, str], x_title: str, periods: tuple[str, str],
    title: str | None = None,
) -> go.Figure:
    """What changed, as diverging bars: one per code of `key` ranked by its change (largest rise on top), rises to
    the right, falls to the left, each labelled "+45 (+14.0 %)" beside the zero line, on the side its bar leaves
    free. changes: a changes.compare() frame (key, base, current, change, pct_change, status); rows not compared
    (hidden in the public view, no data) are left out. periods: the base and current periods' labels. A bar's hover gives both periods' values; a click selects its
    code."""
    compared = changes[changes["status"].isin(("rise", "fall", "same", "new"))]
    codes = compared[key].tolist()
    names = [labels.get(c) or (_label(labels, c) if key != "region_code" else _region_name(labels, c)) for c in codes]
    new = _("new")  # a change from nothing has no percentage
    texts = [
        f"{i18n.number(c, signed=True)} ({new if status == 'new' else i18n.percent(p, signed=True)})"
        for c, p, status in zip(compared["change"], compared["pct_change"], compared["status"])
    ]
    base_label, current_label = periods
    fig = go.Figure(go.Bar(
        x=compared["change"].tolist(), y=names, orientation="h", name=x_title,
        marker_color=[RISE_COLOUR if c >= 0 else FALL_COLOUR for c in compared["change"]],
        marker_pattern_shape=["" if c >= 0 else "/" for c in compared["change"]],
        text=texts, textposition="none",  # drawn beside the zero line instead (below)
        customdata=[[code, i18n.number(b), i18n.number(c), t] for code, b, c, t in
                    zip(codes, compared["base"], compared["current"], texts)],
        hovertemplate="<b>%{y}</b>" + hover_lines(_plain(base_label), _plain(current_label), _("Change"), start=1)
                      + "<extra></extra>",
    ))
    themed(fig, title or _("{measure}: change from {base} to {current}").format(
        measure=x_title, base=base_label, current=current_label))
    # Each label stands beside the zero line, on the side its bar does not take: at a bar's end, the labels of rises
    # and of falls both needed room beyond the longest bars (on a phone, all but a sliver of the plot area).
    values = compared["change"].tolist()
    rises = [v >= 0 for v in values]
    for name, text, rise in zip(names, texts, rises):
        fig.add_annotation(x=0, y=name, xref="x", yref="y", text=text, showarrow=False,
                           xanchor="right" if rise else "left", xshift=-LABEL_PAD_PX if rise else LABEL_PAD_PX)
    # Right of zero the rises' bars and the falls' labels; left of it the falls' bars and the rises' labels.
    right = [(v, 0.0) if rise else (0.0, _label_px(t)) for v, t, rise in zip(values, texts, rises)]
    left = [(0.0, _label_px(t)) if rise else (-v, 0.0) for v, t, rise in zip(values, texts, rises)]
    fig.update_layout(showlegend=False, height=_rows_height(len(codes)),
                      meta=category_meta(_(CHANGE_CATEGORIES.get(key, N_("Category")))))
    fig.update_xaxes(range=fitted_range(right, left, phone_plot_px(names)), zeroline=True, zerolinecolor="#333333",
                     zerolinewidth=1.5, showgrid=True, gridcolor="#e5e5e5", tickformat=",", rangemode="normal",
                     title_text=_("Change, {base} to {current} ({unit})").format(
                         base=base_label, current=current_label, unit=x_title))
    fig.update_yaxes(tickformat="", autorange="reversed", showgrid=False, title_text=None)
    return _selectable(fig, **{FIELDS.get(key, key): 0})


def _month_dates(year, month) -> list[str]:
    return [f"{int(y):04d}-{int(m):02d}-01" for y, m in zip(year, month)]


def monthly_trends(
    frame: pd.DataFrame, key: str, labels: dict[str, str], y_title: str, flags: pd.DataFrame | None = None,
    events: pd.DataFrame | None = None, title: str | None = None, flag_labels: dict[str, str] | None = None,
    top: int | None = None, highlighted: tuple[str, ...] = (),
) -> go.Figure:
    """One line per code of `key` month by month (months without a row are 0), with the surge flags as markers (a
    triangle up for a surge, down for a dip) and the events on the timeline.

    frame: key, year, month, value (month 1-12; counts of a quarter or a year have no month and are left out by
    the caller). flags: surges.flags_in() rows (key[, another key such as weapon_type], year, month, direction,
    observed, expected, reason): a flag of a finer series (a weapon type within a directorate) is drawn on its
    `key` line at that month, its hover naming the finer code (flag_labels: the finer codes' labels). Directorates
    get their colours (region_colours); other codes, with `top`, as weapon_type_trends draws them: the `top`
    largest, the `highlighted` and the flagged ones, the rest summed as "Other types". A point's click selects its
    code and year.
    """
    frame = frame[frame["month"] > 0]
    regional = key == "region_code"
    colours = region_colours(labels) if regional else highlight_colours(highlighted)
    totals = frame.groupby(key)["value"].sum().sort_values(ascending=False)
    if top is not None and not regional:
        flagged = set(flags[key]) if flags is not None and not flags.empty else set()
        kept = [c for c in totals.index if c not in colours][:top]
        kept += [c for c in totals.index if c in colours or (c in flagged and c not in kept)]
        frame = frame.assign(**{key: frame[key].where(frame[key].isin(kept), "_other")})
        frame = frame.groupby([key, "year", "month"], as_index=False)["value"].sum()
        totals = frame.groupby(key)["value"].sum().sort_values(ascending=False)
        totals = totals[[c for c in totals.index if c != "_other"] + [c for c in totals.index if c == "_other"]]
    months = pd.PeriodIndex([f"{y}-{m:02d}" for y, m in zip(frame["year"], frame["month"])], freq="M")
    span = pd.period_range(months.min(), months.max(), freq="M") if len(months) else pd.PeriodIndex([], freq="M")
    palette = iter(c for c in PALETTE if c not in colours.values())
    fig = go.Figure()
    lines = {}
    for code in totals.index:
        group = frame[frame[key] == code]
        series = pd.Series(group["value"].to_numpy(), index=months[(frame[key] == code).to_numpy()]).groupby(level=0).sum()
        series = series.reindex(span, fill_value=0.0)
        lines[code] = series
        other = code == "_other"
        name = _("Other types") if other else (_region_name(labels, code) if regional else _label(labels, code))
        colour = colours.get(code) or (OTHER_COLOUR if other or code == "" else next(palette, OTHER_COLOUR))
        previous = [float("nan"), *series.to_numpy()[:-1]]
        fig.add_scatter(
            x=[p.strftime("%Y-%m-01") for p in series.index], y=series.tolist(), name=name, mode="lines",
            line=dict(color=colour, width=3 if code in colours and not regional else 2, dash="dot" if other else "solid"),
            customdata=[["" if other else code, int(p.year), i18n.number(v), change_text(v, b)] for p, v, b in
                        zip(series.index, series.to_numpy(), previous)],
            hovertemplate="<b>" + _plain(name) + "</b>, %{x|%b %Y}: %{customdata[2]}"
                          + hover_lines(_("Change on the month before"), start=3) + "<extra></extra>",
        )
    if flags is not None and not flags.empty:
        finer = [c for c in flags.columns if c in FIELDS and c != key]
        for direction, symbol, label in (("surge", SURGE_SYMBOL, _("Surge")), ("dip", DIP_SYMBOL, _("Dip"))):
            part = flags[(flags["direction"] == direction) & flags[key].isin(lines)]
            if part.empty:
                continue
            at = [pd.Period(f"{int(y)}-{int(m):02d}", freq="M") for y, m in zip(part["year"], part["month"])]
            heights = [float(lines[code].get(month, 0.0)) for code, month in zip(part[key], at)]
            whose = [
                ", ".join([_region_name(labels, code) if regional else _label(labels, code),
                           *(_label(flag_labels or {}, row[c]) for c in finer if row[c])])
                for code, (_i, row) in zip(part[key], part.iterrows())
            ]
            fig.add_scatter(
                x=_month_dates(part["year"], part["month"]), y=heights, name=label, mode="markers",
                marker=dict(symbol=symbol, size=15, color="#ffffff" if direction == "dip" else "#000000",
                            line=dict(color="#000000", width=2)),
                customdata=[[code, int(y), w, r] for code, y, w, r in
                            zip(part[key], part["year"], whose, part["reason"])],
                hovertemplate="<b>" + label + "</b>: %{customdata[2]}, %{x|%b %Y}<br>%{customdata[3]}<extra></extra>",
            )
    add_events(fig, events, yearly=False,
               bounds=(span[0].strftime("%Y-%m-01"), span[-1].strftime("%Y-%m-01")) if len(span) else None)
    themed(fig, title or _("{measure} by month").format(measure=y_title), _("Month"), y_title)
    fig.update_xaxes(tickformat="%b %Y", dtick="M6" if len(span) > 24 else "M1")
    return _selectable(fig, **{FIELDS.get(key, key): 0, "year": 1})
