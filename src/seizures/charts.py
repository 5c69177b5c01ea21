"""Plotly figure builders: DataFrames in, figures out, one template for the whole app (no Streamlit here)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from seizures import i18n, vocab
from seizures.i18n import _

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"]
# The same directorate has the same colour on every chart.
REGION_COLOURS = {
    "PR": "#0072B2", "PZ": "#E69F00", "PE": "#009E73", "GJ": "#D55E00",
    "MS": "#56B4E9", "MN": "#CC79A7", "GL": "#F0E442", "FE": "#000000",
}
PUBLISHED_COLOUR = "#000000"
ILLUSTRATIVE_COLOUR = "#56B4E9"
CONTEXT_COLOUR = "#CFE8F7"  # the same blue, lighter: years drawn around the selected period

TEMPLATE_NAME = "seizures"
pio.templates[TEMPLATE_NAME] = go.layout.Template(
    layout=go.Layout(
        colorway=OKABE_ITO,
        font=dict(family="Source Sans Pro, Arial, sans-serif", size=14),
        separators=".,",  # decimal point, thousands comma
        xaxis=dict(showgrid=False, tickformat="d"),
        yaxis=dict(tickformat=",", rangemode="tozero", gridcolor="#e5e5e5"),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
        margin=dict(l=10, r=10, t=50, b=10),
        hoverlabel=dict(namelength=-1),
        plot_bgcolor="white",
    )
)


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

MEN_COLOUR, WOMEN_COLOUR = OKABE_ITO[0], OKABE_ITO[1]


def trainees_by_gender(frame: pd.DataFrame) -> go.Figure:
    """Stacked bars of men and women per course (frame: course, men, women), first course on top."""
    fig = go.Figure()
    for column, label, colour in (("men", _("Men"), MEN_COLOUR), ("women", _("Women"), WOMEN_COLOUR)):
        fig.add_bar(
            y=frame["course"].tolist(), x=frame[column].tolist(), name=label, orientation="h", marker_color=colour,
            text=frame[column].tolist(), textposition="inside", insidetextanchor="middle",
            hovertemplate=f"%{{y}}<br>{label}: %{{x:,}}<extra></extra>",
        )
    fig.update_layout(barmode="stack", height=160 + 60 * len(frame))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(tickformat=",")
    themed(fig, _("Officers trained, by course and gender"), x_title=_("Officers trained (persons)"))
    fig.update_layout(legend=dict(traceorder="normal", x=1, xanchor="right"))  # clear of the title
    return fig


def equipment_delivered(frame: pd.DataFrame) -> go.Figure:
    """Horizontal bars of the items delivered (frame: item, quantity), largest quantity on top."""
    ordered = frame.sort_values("quantity", ascending=False, kind="stable")
    fig = go.Figure(go.Bar(
        y=ordered["item"].tolist(), x=ordered["quantity"].tolist(), orientation="h", marker_color=OKABE_ITO[2],
        text=ordered["quantity"].tolist(), textposition="outside", hovertemplate="%{y}: %{x:,}<extra></extra>",
    ))
    fig.update_layout(height=140 + 32 * len(frame), showlegend=False)
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(tickformat=",")
    return themed(fig, _("Equipment delivered"), x_title=_("Quantity delivered (items)"))


def kpi_sparkline(series: pd.DataFrame, baseline: float | None, target: float | None, unit: str | None) -> go.Figure:
    """A small trend line of one KPI (series: year, value) with its baseline and target as dashed lines.

    Built as one figure from dicts: a page draws one per KPI, and Plotly's add_hline/update_* calls cost about ten
    times as much (BENCHMARKS.md, Roadmap KPIs page).
    """
    shapes, annotations = [], []
    for value, label, dash in ((baseline, _("baseline"), "dot"), (target, _("target"), "dash")):
        if value is not None and not pd.isna(value):
            shapes.append(dict(type="line", xref="x domain", x0=0, x1=1, yref="y", y0=value, y1=value,
                               line=dict(color="#666666", dash=dash, width=1)))
            annotations.append(dict(
                xref="x domain", x=0, xanchor="left", yref="y", y=value, yanchor="bottom", showarrow=False,
                text=f"{label} {i18n.number(value, 0 if float(value).is_integer() else None)}", font=dict(size=11),
            ))
    y_title = unit if isinstance(unit, str) and unit else _("value")
    return go.Figure(
        go.Scatter(
            x=series["year"].tolist(), y=series["value"].tolist(), mode="lines+markers", name=_("Actual (illustrative)"),
            line=dict(color=OKABE_ITO[0], width=2), hovertemplate="%{x}: %{y:,}<extra></extra>",
        ),
        layout=dict(
            **theme(), height=200, showlegend=False,
            margin=dict(l=10, r=10, t=10, b=10), shapes=shapes, annotations=annotations,
            xaxis=dict(dtick=1),
            yaxis=dict(title=dict(text=y_title), rangemode="normal"),  # the movement, not the distance from zero
        ),
    )


def kpi_progress(progress: pd.DataFrame) -> go.Figure:
    """Each KPI's progress from baseline (0 %) to target (100 %) by year, against the straight line to the target.

    progress: kpi_number, year, progress_pct, expected_pct (see kpis.progress_series).
    """
    fig = go.Figure()
    for number, series in progress.groupby("kpi_number", sort=True):
        fig.add_scatter(
            x=series["year"].tolist(), y=series["progress_pct"].tolist(), mode="lines+markers", name=f"KPI {number}",
            hovertemplate=f"KPI {number}, %{{x}}: %{{y:.0f}}{i18n.percent_sign()}<extra></extra>",
        )
    expected = progress.drop_duplicates("year").sort_values("year")
    fig.add_scatter(
        x=expected["year"].tolist(), y=expected["expected_pct"].tolist(), mode="lines", name=_("Expected (on schedule)"),
        line=dict(color="#666666", dash="dash"),
        hovertemplate=_("Expected by {year}: {value}").format(year="%{x}", value="%{y:.0f}" + i18n.percent_sign()) + "<extra></extra>",
    )
    themed(fig, _("Progress towards the targets (illustrative values)"), x_title=_("Year"),
           y_title=_("Progress from baseline (0 %) to target (100 %)"))
    fig.update_layout(height=480, legend=dict(y=-0.22, yanchor="top"))  # below the plot, clear of the title
    fig.update_yaxes(rangemode="normal", ticksuffix=i18n.percent_sign())
    fig.update_xaxes(dtick=1)
    return fig


# --- Overview, Regions, Weapons & context -------------------------------------------------------------------------
# Each builder takes the small frame a query returned and draws it; axis titles carry units.

# Weapon types the SEESAC reports single out: always their own series, in their own colours.
HIGHLIGHTED_WEAPONS = {"converted_firearm": "#D55E00", "blank_firing_weapon": "#CC79A7"}
OTHER_COLOUR = "#999999"


def _region_name(names: dict[str, str], code: str) -> str:
    return names.get(code, code)


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


def stacked_by_region(frame: pd.DataFrame, names: dict[str, str], y_title: str, title: str | None = None) -> go.Figure:
    """One stacked bar per year, a segment per directorate (the largest at the bottom). frame: region_code, year, value."""
    fig = go.Figure()
    largest_first = frame.groupby("region_code")["value"].sum().sort_values(ascending=False).index
    for code in largest_first:
        group = frame[frame["region_code"] == code]
        name = _region_name(names, code)
        fig.add_bar(
            x=group["year"].tolist(), y=group["value"].tolist(), name=name,
            marker_color=REGION_COLOURS.get(code, OTHER_COLOUR), hovertemplate="%{x}: %{y:,}<extra>" + name + "</extra>",
        )
    fig.update_layout(barmode="stack")
    return _yearly(themed(fig, title, _("Year"), y_title))


def region_trends(frame: pd.DataFrame, names: dict[str, str], y_title: str, title: str | None = None) -> go.Figure:
    """One line per directorate over the years. frame: region_code, year, value."""
    fig = go.Figure()
    for code, group in frame.groupby("region_code", sort=False):
        name = _region_name(names, code)
        fig.add_scatter(
            x=group["year"].tolist(), y=group["value"].tolist(), name=name, mode="lines+markers",
            line=dict(color=REGION_COLOURS.get(code, OTHER_COLOUR), width=2.5),
            hovertemplate="%{x}: %{y:,}<extra>" + name + "</extra>",
        )
    return _yearly(themed(fig, title, _("Year"), y_title))


def region_shares(
    summary: pd.DataFrame, x_title: str | None = None, title: str | None = None
) -> go.Figure:
    """Each directorate's share of the national total, one bar each. summary: region_code, name, share_pct."""
    x_title = x_title or _("Share of the national total (%)")
    fig = go.Figure(
        go.Bar(
            x=summary["share_pct"].tolist(), y=summary["name"].tolist(), orientation="h", name=_("Share"),
            marker_color=[REGION_COLOURS.get(c, OTHER_COLOUR) for c in summary["region_code"]],
            text=["" if pd.isna(v) else i18n.percent(v) for v in summary["share_pct"]],  # NaN: hidden (public mode)
            textposition="outside", cliponaxis=False,
            hovertemplate="%{y}: %{x:.1f}" + i18n.percent_sign() + "<extra></extra>",
        )
    )
    themed(fig, title)
    fig.update_layout(showlegend=False)
    return _horizontal(fig, x_title, tickformat=".0f")


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
            z=grid.to_numpy().tolist(), x=[int(y) for y in grid.columns], y=labels, colorscale="Blues",
            colorbar=dict(title=dict(text=z_title, side="right"), tickformat=","),
            texttemplate="%{z:,}", hovertemplate="%{y}, %{x}: %{z:,}<extra></extra>", xgap=2, ygap=2,
        )
    )
    themed(fig, title, _("Year"))
    fig.update_layout(height=_rows_height(len(labels), per_row=44, extra=120))
    fig.update_xaxes(dtick=1)
    fig.update_yaxes(tickformat="", autorange="reversed", showgrid=False)
    return fig


def breakdown_bars(
    frame: pd.DataFrame, key: str, labels: dict[str, str], x_title: str, title: str | None = None
) -> go.Figure:
    """A horizontal bar per code of `key` (largest first), labelled in the current language. frame: key, value."""
    ordered = frame.sort_values("value", ascending=False)
    codes = ordered[key].tolist()
    fig = go.Figure(
        go.Bar(
            x=ordered["value"].tolist(), y=[vocab.label(labels, c) for c in codes], orientation="h", name=x_title,
            marker_color=[HIGHLIGHTED_WEAPONS.get(c, OKABE_ITO[0]) for c in codes],
            text=["" if pd.isna(v) else i18n.number(v) for v in ordered["value"]],
            textposition="outside", cliponaxis=False, hovertemplate="%{y}: %{x:,}<extra></extra>",
        )
    )
    themed(fig, title)
    fig.update_layout(showlegend=False)
    return _horizontal(fig, x_title)


def weapon_type_trends(
    frame: pd.DataFrame, labels: dict[str, str], y_title: str, top: int = 5, title: str | None = None
) -> go.Figure:
    """One line per weapon type over the years: the `top` largest types, the highlighted ones (converted,
    blank-firing) always, and the rest summed as "Other types". frame: weapon_type, year, value."""
    totals = frame.groupby("weapon_type")["value"].sum().sort_values(ascending=False)
    shown = [t for t in totals.index if t not in HIGHLIGHTED_WEAPONS][:top]
    shown += [t for t in HIGHLIGHTED_WEAPONS if t in totals.index]
    series = frame.assign(weapon_type=frame["weapon_type"].where(frame["weapon_type"].isin(shown), "_other"))
    series = series.groupby(["weapon_type", "year"], as_index=False)["value"].sum(skipna=False)  # hidden stays hidden
    palette = iter(c for c in OKABE_ITO if c not in HIGHLIGHTED_WEAPONS.values())
    fig = go.Figure()
    for code in [*shown, "_other"]:
        group = series[series["weapon_type"] == code]
        if group.empty:
            continue
        name = _("Other types") if code == "_other" else vocab.label(labels, code)
        colour = HIGHLIGHTED_WEAPONS.get(code) or (OTHER_COLOUR if code == "_other" else next(palette))
        highlighted = code in HIGHLIGHTED_WEAPONS
        fig.add_scatter(
            x=group["year"].tolist(), y=group["value"].tolist(), name=name, mode="lines+markers",
            line=dict(color=colour, width=4 if highlighted else 2, dash="solid" if code != "_other" else "dot"),
            hovertemplate="%{x}: %{y:,}<extra>" + name + "</extra>",
        )
    return _yearly(themed(fig, title, _("Year"), y_title))


def monthly_seasonality(frame: pd.DataFrame, y_title: str, title: str | None = None) -> go.Figure:
    """A bar per calendar month (months without seizures show as zero). frame: month, value."""
    by_month = frame.groupby("month")["value"].sum(min_count=1).reindex(range(1, 13), fill_value=0)
    fig = go.Figure(
        go.Bar(
            x=i18n.month_names(), y=by_month.tolist(), name=y_title, marker_color=OKABE_ITO[0],
            hovertemplate="%{x}: %{y:,}<extra></extra>",
        )
    )
    themed(fig, title, _("Month"), y_title)
    fig.update_layout(showlegend=False)
    return fig
