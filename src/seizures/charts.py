"""Plotly figure builders: DataFrames in, figures out, one template for the whole app (no Streamlit here)."""

from __future__ import annotations

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
