"""The report's charts: the pages' figures (built by `charts`) sized for print, and their PNG images (kaleido)."""

from __future__ import annotations

import asyncio
import concurrent.futures

import plotly.graph_objects as go

from seizures import charts, queries
from seizures.i18n import _
from seizures.report.content import TREND_MEASURES, Content

IMAGE_SCALE = 2
TREND_SIZE = (620, 460)  # pixels: the two trend charts side by side across the page
REGION_SIZE = (1000, 400)  # pixels: the page's width


def trend_figures(content: Content) -> list[go.Figure]:
    """The Overview's two trends (published line beside the record-level bars), the report period's bars darker."""
    label = charts.recorded_label(content.trend_illustrative)
    figures = []
    for key in TREND_MEASURES:
        if content.trends[key].empty:  # as the page: no chart without a figure
            continue
        measure = queries.MEASURES_BY_KEY[key]
        fig = charts.yearly_trend(content.trends[key], measure.title, label, _(measure.label),
                                  period=(content.first, content.last), value_labels=True)
        # Print has no hover or zoom: room for the axis labels, the legend below the plot.
        figures.append(fig.update_layout(font_size=13, margin=dict(l=80, r=20, t=60, b=40),
                                         legend=dict(y=-0.2, yanchor="top")))
    return figures


def region_figure(content: Content) -> go.Figure | None:
    """The Regions page's share of the national total per directorate, for the first measure with records."""
    if content.shares.empty:
        return None
    fig = charts.region_shares(content.shares, title=content.measures[0].title)
    return fig.update_layout(margin=dict(l=140, r=40, t=50, b=60))  # room for the names and the axis title


def export_png(figures: list[tuple[go.Figure, tuple[int, int]]], scale: float = IMAGE_SCALE) -> list[bytes]:
    """PNG images of (figure, (width, height)) pairs, all rendered by one headless Chromium (kaleido; MathJax off:
    nothing is downloaded)."""
    import kaleido

    async def render():
        async with kaleido.Kaleido(mathjax=False) as k:
            return [await k.calc_fig(fig.to_dict(), opts=dict(format="png", width=w, height=h, scale=scale))
                    for fig, (w, h) in figures]

    if not figures:
        return []
    # In a thread of its own, so this also works where an event loop is already running.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, render()).result()
