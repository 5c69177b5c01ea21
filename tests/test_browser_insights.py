"""Click to filter in headless Chromium: a real click on a bar sets the sidebar filter, the address and the page's
numbers, from the page's own charts and from the "What changed" section (a fragment that then reruns the whole
app); "Clear the selection" puts everything back."""

from __future__ import annotations

import re

import pytest

from test_browser import browser, page, server, shot, wait_for_page  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser
TITLE = "Firearms seizures in Kosovo*"


def settled(page) -> None:
    """The run the click started is over and every chart is drawn."""
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                 .every(chart => chart.querySelector('.js-plotly-plot .main-svg'))""")


def click_bar(page, chart_key: str, trace: str | None = None, x=None, y=None) -> None:
    """Click, with the mouse, the bar of a trace (by name) at x (or at y, for horizontal bars) of a keyed chart."""
    chart = page.locator(f".st-key-{chart_key} .js-plotly-plot")
    chart.scroll_into_view_if_needed()
    box = chart.evaluate(
        """(gd, [trace, x, y]) => {
            const i = trace === null ? 0 : gd.data.findIndex(t => t.name === trace);
            const values = y === null ? gd.data[i].x : gd.data[i].y;
            const j = [...values].indexOf(y === null ? x : y);
            const bar = gd.querySelectorAll('.barlayer .trace')[i].querySelectorAll('.point')[j];
            bar.scrollIntoView({block: 'center'});
            const r = bar.getBoundingClientRect();
            return {x: r.x + r.width / 2, y: r.y + r.height / 2};
        }""", [trace, x, y])
    page.mouse.click(box["x"], box["y"])


def headline(page, label: str) -> str:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return metric.locator('[data-testid="stMetricValue"]').inner_text()


def selected_regions(page) -> list[str]:
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(has_text="Regional directorates")
    return [tag.get_attribute("aria-label") for tag in box.locator(".react-aria-ComboBox [data-tag]").all()]


def test_a_click_on_a_bar_filters_the_pages_and_clear_the_selection_undoes_it(server, page, oracle):  # noqa: F811
    page.goto(f"{server}/")
    wait_for_page(page, TITLE)
    before = headline(page, "Firearms (pieces)")
    click_bar(page, "chart_by_directorate", trace="Peja", x=2022)
    page.wait_for_function("() => /region=PE/.test(location.search) && /from=2022&to=2022/.test(location.search)")
    settled(page)
    peja = oracle.select(regions=("PE",), years=(2022, 2022), categories=("firearm",))["quantity"].sum()
    page.get_by_role("heading", name="Headline figures, 2022").wait_for()
    assert headline(page, "Firearms (pieces)") == f"{peja:,.0f}" != before
    assert selected_regions(page) == ["Peja"]
    assert page.get_by_text("Selected on a chart: Peja · 2022").count() == 1
    shot(page, "clicked_peja_2022")

    page.get_by_role("button", name="Clear the selection").click()
    page.wait_for_function("() => !/region=/.test(location.search)")
    settled(page)
    page.get_by_role("heading", name="Headline figures, 2024").wait_for()
    assert headline(page, "Firearms (pieces)") == before
    assert selected_regions(page) == []
    assert page.get_by_role("button", name="Clear the selection").count() == 0


def test_a_click_on_what_changed_reruns_the_whole_page_from_its_fragment(server, page, oracle):  # noqa: F811
    page.goto(f"{server}/?from=2021&to=2022")
    wait_for_page(page, TITLE)
    click_bar(page, "chart_overview_change_region_code", y="Prishtina")
    page.wait_for_function("() => /region=PR/.test(location.search)")
    settled(page)
    assert selected_regions(page) == ["Prishtina"]  # the sidebar, outside the fragment, follows
    rows = oracle.select(regions=("PR",), years=(2022, 2022), categories=("firearm",))
    assert headline(page, "Firearms (pieces)") == f"{rows['quantity'].sum():,.0f}"
    text = page.locator('[data-testid="stMarkdown"]').filter(has_text=re.compile(r"^Firearms \(pieces\): ")).first
    assert "Largest rise: Prishtina" in text.inner_text()
