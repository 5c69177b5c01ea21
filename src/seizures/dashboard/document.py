"""The document around every page, for its accessibility (WCAG 2.1 AA): the browser title, the page's language
(`<html lang>`), the charts named as images, and the few styles Streamlit's theme cannot set.

Streamlit serves `<html lang="en">` whatever the app's language, and has no setting for it (its index.html is static
and no command changes the attribute); a small script, run with every page, sets it to the chosen language. It runs
in the app's own page (st.html's `unsafe_allow_javascript`, not an iframe) and writes only fixed values of this
module: no user input reaches it.
"""

from __future__ import annotations

import json

import streamlit as st

from seizures import i18n
from seizures.i18n import N_, _

APP_TITLE = N_("Firearms seizure statistics")

# Streamlit draws captions #828180 on white (3.9:1) and cuts a metric's label and value with an ellipsis when its
# column is narrow (at 200 % zoom "Ammunition (ro…"). WCAG 2.1 AA asks 4.5:1 for text (1.4.3) and text that can be
# zoomed to 200 % without loss (1.4.4, 1.4.10): captions get a darker grey, metrics wrap.
STYLE = """
<style>
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p, [data-testid="stCaptionContainer"] code {
  color: #5C5C66; opacity: 1;
}
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] *, [data-testid="stMetricValue"],
[data-testid="stMetricValue"] * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  overflow-wrap: anywhere;
}
[data-testid="stMetricValue"] { height: auto; }
[data-testid="stMain"] h2 { font-size: 1.75rem; }
[data-testid="stElementContainer"]:has(> [data-testid="stHtml"] > script:only-child) { display: none; }
</style>
"""

# Sets <html lang>, and names each chart as an image by its title: a screen reader then reads "Firearms (pieces)
# by year, image" instead of every tick label of the SVG; the sentence and the table under the chart give its
# numbers. Runs again (observing the page) as charts are drawn.
SCRIPT = """
<script>
(() => {
  const settings = %s;
  document.documentElement.lang = settings.lang;
  window.seizuresChartLabel = settings.chart;
  if (window.seizuresChartObserver) return;
  let pending = false;
  const name = () => {
    pending = false;
    document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot').forEach(plot => {
      // A title wrapped over lines (charts.fit_titles) is a tspan per line: read with a space between them.
      const lines = [...plot.querySelectorAll('.gtitle tspan.line')].map(line => line.textContent);
      const title = (lines.length ? lines.join(' ') : (plot.querySelector('.gtitle') || {}).textContent)
        || window.seizuresChartLabel;
      if (plot.getAttribute('aria-label') !== title) {
        plot.setAttribute('role', 'img');
        plot.setAttribute('aria-label', title);
      }
    });
  };
  window.seizuresChartObserver = new MutationObserver(() => {
    if (!pending) { pending = true; requestAnimationFrame(name); }
  });
  window.seizuresChartObserver.observe(document.body, {childList: true, subtree: true});
  name();
})();
</script>
"""


def setup() -> None:
    """Once per run, before the page: the styles and the page's language."""
    st.html(STYLE)
    settings = {"lang": i18n.language(), "chart": _("Chart")}
    st.html(SCRIPT % script_value(settings), unsafe_allow_javascript=True)


def script_value(value) -> str:
    """A value as a JavaScript literal inside a <script> element: JSON, "<" escaped so that no text can close the
    element early."""
    return json.dumps(value).replace("<", "\\u003c")


def title(page_title: str) -> None:
    """The browser tab's title: the page, then the app ("Regions · Firearms seizure statistics"), so that each page
    has its own (WCAG 2.4.2)."""
    st.set_page_config(page_title=_("{page} · {app}").format(page=page_title, app=_(APP_TITLE)))
