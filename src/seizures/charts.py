"""Plotly figure builders: DataFrames in, figures out, one template for the whole app (no Streamlit here)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"]
# The same directorate has the same colour on every chart.
REGION_COLOURS = {
    "PR": "#0072B2", "PZ": "#E69F00", "PE": "#009E73", "GJ": "#D55E00",
    "MS": "#56B4E9", "MN": "#CC79A7", "GL": "#F0E442", "FE": "#000000",
}
PUBLISHED_COLOUR = "#000000"
ILLUSTRATIVE_COLOUR = "#56B4E9"

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


def themed(fig: go.Figure, title: str | None = None, x_title: str | None = None, y_title: str | None = None) -> go.Figure:
    """Apply the app's template and readable titles (with units) to a figure."""
    fig.update_layout(template=TEMPLATE_NAME, title=title)
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
    for column, label, colour in (("men", "Men", MEN_COLOUR), ("women", "Women", WOMEN_COLOUR)):
        fig.add_bar(
            y=frame["course"].tolist(), x=frame[column].tolist(), name=label, orientation="h", marker_color=colour,
            text=frame[column].tolist(), textposition="inside", insidetextanchor="middle",
            hovertemplate=f"%{{y}}<br>{label}: %{{x:,}}<extra></extra>",
        )
    fig.update_layout(barmode="stack", height=160 + 60 * len(frame))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(tickformat=",")
    themed(fig, "Officers trained, by course and gender", x_title="Officers trained (persons)")
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
    return themed(fig, "Equipment delivered", x_title="Quantity delivered (items)")


def kpi_sparkline(series: pd.DataFrame, baseline: float | None, target: float | None, unit: str | None) -> go.Figure:
    """A small trend line of one KPI (series: year, value) with its baseline and target as dashed lines."""
    fig = go.Figure(go.Scatter(
        x=series["year"].tolist(), y=series["value"].tolist(), mode="lines+markers", name="Actual (illustrative)",
        line=dict(color=OKABE_ITO[0], width=2), hovertemplate="%{x}: %{y:,}<extra></extra>",
    ))
    for value, label, dash in ((baseline, "baseline", "dot"), (target, "target", "dash")):
        if value is not None and not pd.isna(value):
            fig.add_hline(
                y=value, line=dict(color="#666666", dash=dash, width=1), annotation_text=f"{label} {value:,.10g}",
                annotation_position="top left", annotation_font_size=11,
            )
    themed(fig, None, x_title=None, y_title=unit if isinstance(unit, str) and unit else "value")
    fig.update_layout(height=200, showlegend=False, margin=dict(l=10, r=10, t=10, b=10))
    fig.update_yaxes(rangemode="normal")  # a sparkline shows the movement, not the distance from zero
    fig.update_xaxes(dtick=1)
    return fig


def kpi_progress(progress: pd.DataFrame) -> go.Figure:
    """Each KPI's progress from baseline (0 %) to target (100 %) by year, against the straight line to the target.

    progress: kpi_number, year, progress_pct, expected_pct (see kpis.progress_series).
    """
    fig = go.Figure()
    for number, series in progress.groupby("kpi_number", sort=True):
        fig.add_scatter(
            x=series["year"].tolist(), y=series["progress_pct"].tolist(), mode="lines+markers", name=f"KPI {number}",
            hovertemplate=f"KPI {number}, %{{x}}: %{{y:.0f}} %<extra></extra>",
        )
    expected = progress.drop_duplicates("year").sort_values("year")
    fig.add_scatter(
        x=expected["year"].tolist(), y=expected["expected_pct"].tolist(), mode="lines", name="Expected (on schedule)",
        line=dict(color="#666666", dash="dash"), hovertemplate="Expected by %{x}: %{y:.0f} %<extra></extra>",
    )
    themed(fig, "Progress towards the targets (illustrative values)", x_title="Year",
           y_title="Progress from baseline (0 %) to target (100 %)")
    fig.update_layout(height=480, legend=dict(y=-0.22, yanchor="top"))  # below the plot, clear of the title
    fig.update_yaxes(rangemode="normal", ticksuffix=" %")
    fig.update_xaxes(dtick=1)
    return fig
