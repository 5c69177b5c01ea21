"""Plotly figure builders: DataFrames in, figures out, one template for the whole app (no Streamlit here)."""

from __future__ import annotations

import math
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
GRID_COLOUR = "#E5E5E5"
REFERENCE = {"reference": True}  # a trace's meta: a line to compare with (expected, target), not a series of data  # gridlines are a reading aid, not information: no contrast needed


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
pio.templates[TEMPLATE_NAME] = go.layout.Template(
    layout=go.Layout(
        colorway=PALETTE,
        font=dict(family="Source Sans, Source Sans Pro, Arial, sans-serif", size=14, color=TEXT_COLOUR),
        # The title at the top, the legend at the bottom (apart, however many rows either takes); the margins grow
        # to fit the axes' labels (automargin: Streamlit's theme did this, and it is not used: widgets.chart).
        title=dict(font=dict(size=17, color=TEXT_COLOUR), x=0, xanchor="left", xref="paper", y=1, yanchor="top",
                   yref="container", pad=dict(t=8)),
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
        text=ordered["quantity"].tolist(), textposition="outside", hovertemplate="%{y}: %{x:,}<extra></extra>",
    ))
    fig.update_layout(height=140 + 32 * len(frame), showlegend=False, meta=category_meta(_("Item")))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(tickformat=",")
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


def _horizontal(fig: go.Figure, x_title: str, tickformat: str = ",") -> go.Figure:
    """Horizontal bars: the value axis (x) gets the thousands format, the category axis (y) none."""
    fig.update_layout(height=_rows_height(len(fig.data[0].y)))
    # Room on the right for the value printed beyond the longest bar.
    longest = max((v for v in fig.data[0].x if v == v), default=0)
    fig.update_xaxes(range=[0, longest * 1.15 or 1])
    fig.update_xaxes(tickformat=tickformat, rangemode="tozero", showgrid=True, gridcolor="#e5e5e5", title_text=x_title)
    fig.update_yaxes(tickformat="", autorange="reversed", showgrid=False, title_text=None)
    return fig


def recorded_label(illustrative: bool) -> str:
    """The legend name of record-level sums: marked illustrative when any line behind them is."""
    return _("Record-level sum (illustrative)") if illustrative else _("Record-level sum")


def yearly_trend(
    frame: pd.DataFrame, y_title: str, recorded_label: str, title: str | None = None,
    period: tuple[int, int] | None = None, value_labels: bool = False,
) -> go.Figure:
    """Record-level sums per year (bars) beside the published national totals (line, the authoritative series).

    frame: year, recorded, published, qualifier (e.g. "more than"); NaN where a side has no figure.
    For print: `period` (first, last) draws the bars of the years around it lighter; `value_labels` writes each
    published figure at its point (">" before a "more than" figure), as paper has no hover.
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
    fig.add_bar(
        x=recorded["year"].tolist(), y=recorded["recorded"].tolist(), name=recorded_label,
        marker_color=colours, hovertemplate="%{x}: %{y:,}<extra>" + recorded_label + "</extra>",
    )
    published_name = _("Published national total")
    qualifiers = published["qualifier"].fillna("").astype(str)
    fig.add_scatter(
        x=published["year"].tolist(), y=published["published"].tolist(), name=published_name,
        mode="lines+markers+text" if value_labels else "lines+markers",
        line=dict(color=PUBLISHED_COLOUR, width=3), marker=dict(size=9),
        customdata=[_(q) if q else "" for q in qualifiers],
        hovertemplate="%{x}: %{customdata} %{y:,}<extra>" + published_name + "</extra>",
        **(dict(text=[("> " if q == "more than" else "") + i18n.number(v) for q, v in zip(qualifiers, published["published"])],
                textposition="top center") if value_labels else {}),
    )
    return _yearly(themed(fig, title, _("Year"), y_title))


# More lines than this on one chart crowd (their labels collide, and eight colours are too many to tell apart): one
# small panel per series instead (small multiples).
MAX_LINES = 4
LABEL_GAP_PX = 17  # the least vertical distance between two lines' end labels


def _line_trace(name: str, x: list, y: list, style: SeriesStyle, width: float, hover: str) -> go.Scatter:
    return go.Scatter(
        x=x, y=y, name=name, mode="lines+markers", hovertemplate=hover,
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
    """One line per (name, x, y, style, width, hover), with its own marker and dash, labelled at its end."""
    fig = go.Figure([_line_trace(*line) for line in lines])
    longest = max((len(str(line[0])) for line in lines), default=0)
    fig.update_layout(annotations=_end_labels(lines, height), height=height, margin=dict(r=20 + 7 * longest))
    return fig


def _small_multiples(lines: list, columns: int, title: str | None, x_title: str, y_title: str) -> go.Figure:
    """A panel per line, each titled with its name, on a shared value axis (the lines stay comparable)."""
    from plotly.subplots import make_subplots

    columns = min(columns, len(lines))
    rows = math.ceil(len(lines) / columns)
    fig = make_subplots(rows=rows, cols=columns, shared_xaxes="all", shared_yaxes="all",
                        subplot_titles=[str(line[0]) for line in lines], horizontal_spacing=0.03,
                        vertical_spacing=0.5 / (rows + 2))
    for i, line in enumerate(lines):
        fig.add_trace(_line_trace(*line), row=i // columns + 1, col=i % columns + 1)
    themed(fig, title)
    fig.update_layout(height=110 + 190 * rows, showlegend=False)
    fig.update_annotations(font=dict(color=TEXT_COLOUR, size=14))
    fig.update_xaxes(dtick=1, tickformat="d", showgrid=False)
    fig.update_yaxes(rangemode="tozero", tickformat=",", gridcolor=GRID_COLOUR)
    for row in range(1, rows + 1):
        fig.update_yaxes(title_text=y_title if row == math.ceil(rows / 2) else None, row=row, col=1)
    for col in range(1, columns + 1):
        fig.update_xaxes(title_text=x_title, row=rows, col=col)
    return fig


def _lines(lines: list, title: str | None, x_title: str, y_title: str, columns: int = 4) -> go.Figure:
    if len(lines) > MAX_LINES:
        return _small_multiples(lines, columns, title, x_title, y_title)
    return _yearly(themed(_line_figure(lines), title, x_title, y_title))


def stacked_by_region(frame: pd.DataFrame, names: dict[str, str], y_title: str, title: str | None = None) -> go.Figure:
    """One stacked bar per year, a segment per directorate (the largest at the bottom), each directorate in its colour
    and fill pattern. frame: region_code, year, value."""
    fig = go.Figure()
    styles = series_styles(names)
    largest_first = frame.groupby("region_code")["value"].sum().sort_values(ascending=False).index
    for code in largest_first:
        group = frame[frame["region_code"] == code]
        name = _region_name(names, code)
        style = styles.get(code, SeriesStyle(OTHER_COLOUR, "circle", "solid", ""))
        fig.add_bar(
            x=group["year"].tolist(), y=group["value"].tolist(), name=name,
            marker=dict(color=style.colour, line=dict(color=BACKGROUND, width=0.5),
                        pattern=dict(shape=style.pattern, fillmode="overlay", fgcolor=BACKGROUND, solidity=0.25)),
            hovertemplate="%{x}: %{y:,}<extra>" + name + "</extra>",
        )
    fig.update_layout(barmode="stack", legend=dict(traceorder="normal"))
    title = title or _("{measure} by regional directorate and year").format(measure=y_title)
    return _yearly(themed(fig, title, _("Year"), y_title))


def region_trends(frame: pd.DataFrame, names: dict[str, str], y_title: str, title: str | None = None) -> go.Figure:
    """One line per directorate over the years, each with its colour, marker and dash and its name at its end; more
    than MAX_LINES directorates: a small panel each. frame: region_code, year, value."""
    styles = series_styles(names)
    lines = []
    for code, group in frame.groupby("region_code", sort=False):
        name = _region_name(names, code)
        style = styles.get(code, SeriesStyle(OTHER_COLOUR, "circle", "solid", ""))
        lines.append((name, group["year"].tolist(), group["value"].tolist(), style, 2.5,
                      "%{x}: %{y:,}<extra>" + name + "</extra>"))
    title = title or _("{measure} per regional directorate, by year").format(measure=y_title)
    return _lines(lines, title, _("Year"), y_title)


def region_shares(
    summary: pd.DataFrame, names: dict[str, str], x_title: str | None = None, title: str | None = None
) -> go.Figure:
    """Each directorate's share of the national total, one bar each. summary: region_code, name, share_pct; names:
    every region's name, in the regions' order (their colours)."""
    x_title = x_title or _("Share of the national total (%)")
    colours = region_colours(names)
    fig = go.Figure(
        go.Bar(
            x=summary["share_pct"].tolist(), y=summary["name"].tolist(), orientation="h", name=_("Share"),
            marker_color=[colours.get(c, OTHER_COLOUR) for c in summary["region_code"]],
            text=["" if pd.isna(v) else i18n.percent(v) for v in summary["share_pct"]],  # NaN: hidden (public mode)
            textposition="outside", cliponaxis=False,
            hovertemplate="%{y}: %{x:.1f}" + i18n.percent_sign() + "<extra></extra>",
        )
    )
    themed(fig, title or _("Share of the national total by regional directorate"))
    fig.update_layout(showlegend=False, meta=category_meta(_("Regional directorate")))
    return _horizontal(fig, x_title, tickformat=".0f")


# Light to mid blue, so that the black cell labels keep at least 4.5:1 on every cell (tests/test_palette.py).
HEATMAP_SCALE = [[0.0, "#F7FBFF"], [0.35, "#C6DBEF"], [0.7, "#6BAED6"], [1.0, "#3182BD"]]
HEATMAP_TEXT = "#000000"


def region_year_heatmap(frame: pd.DataFrame, names: dict[str, str], z_title: str, title: str | None = None) -> go.Figure:
    """Directorate × year grid of a measure (empty cells are zero). frame: region_code, year, value."""
    cells = frame.groupby(["region_code", "year"])["value"]
    # Absent cells are zero; a cell hidden by the public mode's suppression (NaN) stays empty.
    grid = cells.sum(skipna=False).unstack().where(cells.size().unstack().notna(), 0.0)
    grid = grid.reindex(columns=range(int(grid.columns.min()), int(grid.columns.max()) + 1), fill_value=0)
    labels = [_region_name(names, c) for c in grid.index]
    order = sorted(range(len(labels)), key=labels.__getitem__)
    grid, labels = grid.iloc[order], [labels[i] for i in order]
    fig = go.Figure(
        go.Heatmap(
            z=grid.to_numpy().tolist(), x=[int(y) for y in grid.columns], y=labels, colorscale=HEATMAP_SCALE,
            colorbar=dict(title=dict(text=z_title, side="right"), tickformat=","),
            texttemplate="%{z:,}", textfont=dict(color=HEATMAP_TEXT), hovertemplate="%{y}, %{x}: %{z:,}<extra></extra>",
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
    highlighted: tuple[str, ...] = (),
) -> go.Figure:
    """A horizontal bar per code of `key` (largest first), labelled with `labels` (code -> label; "" is "not
    recorded"); `highlighted` codes in their own colours and with a fill pattern. frame: key, value."""
    ordered = frame.sort_values("value", ascending=False)
    codes = ordered[key].tolist()
    colours = highlight_colours(highlighted)
    fig = go.Figure(
        go.Bar(
            x=ordered["value"].tolist(), y=[_label(labels, c) for c in codes], orientation="h", name=x_title,
            marker=dict(
                color=[colours.get(c, OTHER_COLOUR if c == "" else PALETTE[0]) for c in codes],
                pattern=dict(shape=[HIGHLIGHT_PATTERN if c in colours else "" for c in codes], fillmode="overlay",
                             fgcolor=BACKGROUND, solidity=0.3),
            ),
            text=["" if pd.isna(v) else i18n.number(v) for v in ordered["value"]],
            textposition="outside", cliponaxis=False, hovertemplate="%{y}: %{x:,}<extra></extra>",
        )
    )
    themed(fig, title or _(BREAKDOWN_TITLES.get(key, N_("{measure} by {key}"))).format(measure=x_title, key=key))
    fig.update_layout(showlegend=False, meta=category_meta(_(BREAKDOWN_CATEGORIES.get(key, N_("Category")))))
    return _horizontal(fig, x_title)


def weapon_type_trends(
    frame: pd.DataFrame, labels: dict[str, str], y_title: str, top: int = 5, title: str | None = None,
    highlighted: tuple[str, ...] = (),
) -> go.Figure:
    """One line per weapon type over the years: the `top` largest types, the `highlighted` ones (e.g. converted,
    blank-firing) always, and the rest summed as "Other types". frame: weapon_type, year, value."""
    colours = highlight_colours(highlighted)
    totals = frame.groupby("weapon_type")["value"].sum().sort_values(ascending=False)
    shown = [t for t in totals.index if t not in colours][:top]
    shown += [t for t in colours if t in totals.index]
    series = frame.assign(weapon_type=frame["weapon_type"].where(frame["weapon_type"].isin(shown), "_other"))
    series = series.groupby(["weapon_type", "year"], as_index=False)["value"].sum(skipna=False)  # hidden stays hidden
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
        lines.append((name, group["year"].tolist(), group["value"].tolist(), style, 4 if code in colours else 2,
                      "%{x}: %{y:,}<extra>" + name + "</extra>"))
    title = title or _("{measure} by weapon type and year").format(measure=y_title)
    return _lines(lines, title, _("Year"), y_title, columns=2)


def monthly_seasonality(frame: pd.DataFrame, y_title: str, title: str | None = None) -> go.Figure:
    """A bar per calendar month (months without seizures show as zero). frame: month, value."""
    by_month = frame.groupby("month")["value"].sum(min_count=1).reindex(range(1, 13), fill_value=0)
    fig = go.Figure(
        go.Bar(
            x=i18n.month_names(), y=by_month.tolist(), name=y_title, marker_color=PALETTE[0],
            hovertemplate="%{x}: %{y:,}<extra></extra>",
        )
    )
    themed(fig, title or _("{measure} by calendar month").format(measure=y_title), _("Month"), y_title)
    fig.update_layout(showlegend=False)
    return fig
