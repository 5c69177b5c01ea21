"""WCAG 2.1 AA in the browser: axe-core on every page in the development and public modes and on the login's, the
keyboard alone through Records, the browser titles, `<html lang>`, the headings' order, the charts' text and toolbar, the
metrics at 200 % zoom, and screenshots under simulated colour blindness (tests/artifacts/cvd-*.png)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

import axe
from test_browser import (ARTIFACTS, CHROMIUM_ARGS, PAGES, READY_TIMEOUT_MS, shot, start_server, stop_server,  # noqa: F401
                          wait_for_page)
from seizures import auth, colour, i18n
from seizures.colour import CVD_MATRICES

pytestmark = pytest.mark.browser

APP = "Firearms seizure statistics"
HOME_TITLE = "Firearms seizures in Kosovo*"
PUBLIC_PAGES = [p for p in PAGES if p[0] not in ("records", "tracing", "data")]  # as the public menu lists them
# Violations Streamlit itself causes, that the app cannot change: rule id -> why. Empty: none remains on these pages.
STREAMLIT_CAUSES: dict[str, str] = {}


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield b
        b.close()


def new_page(browser, **options):
    context = browser.new_context(**{"viewport": {"width": 1400, "height": 2600}, "accept_downloads": True, **options})
    context.set_default_timeout(READY_TIMEOUT_MS)
    return context.new_page()


def open_a_chart_table(page) -> None:
    """Open the first chart's table, so that axe checks it too (a closed expander's content is not drawn)."""
    summary = page.locator('[data-testid="stExpander"] summary').filter(has_text="Table of the chart's numbers")
    if summary.count():
        summary.first.click()
        page.locator('[data-testid="stExpander"] table').first.wait_for()


def heading_levels(page) -> list[int]:
    return page.evaluate("""() => [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
        .filter(h => h.offsetParent !== null && h.textContent.trim()).map(h => Number(h.tagName[1]))""")


def assert_page_is_accessible(page, label: str, found: dict) -> None:
    """Title, language, headings, the charts' toolbar and names; axe's violations collected into `found`."""
    # The app's script sets the title once the page has loaded: wait for it rather than sample it once.
    page.wait_for_function("title => document.title === title", arg=f"{label} · {APP}")
    assert page.evaluate("document.documentElement.lang") == "en"
    levels = heading_levels(page)
    assert levels[0] == 1 and levels.count(1) == 1, levels
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels  # never h1 -> h3
    charts = page.locator('[data-testid="stPlotlyChart"]')
    assert page.locator(".modebar-btn").count() == 0  # no Plotly toolbar in the tab order
    for i in range(charts.count()):
        plot = charts.nth(i).locator(".js-plotly-plot")
        plot.wait_for()
        page.wait_for_function("p => p.getAttribute('role') === 'img' && p.getAttribute('aria-label')",
                               arg=plot.element_handle())
    open_a_chart_table(page)
    found[label] = axe.violations(page)


def assert_no_violation(found: dict) -> None:
    ours = {page: [v for v in violations if v["id"] not in STREAMLIT_CAUSES] for page, violations in found.items()}
    assert all(not v for v in ours.values()), {p: [(v["id"], v["nodes"][:3]) for v in vs] for p, vs in ours.items() if vs}


def test_every_page_in_development_mode(demo_url, browser):
    proc, base = start_server(demo_url)
    page, found = new_page(browser), {}
    try:
        for path, label, title in PAGES:
            page.goto(f"{base}/{path}")
            wait_for_page(page, title)
            assert_page_is_accessible(page, label, found)
        assert_no_violation(found)
        # Another language: <html lang> follows it, and the title is translated.
        page.goto(f"{base}/regions?lang=sq")
        with i18n.using("sq"):
            wait_for_page(page, i18n._("Regional directorates"))
            expected = i18n._("{page} · {app}").format(page=i18n._("Regions"), app=i18n._(APP))
        page.wait_for_function("() => document.documentElement.lang === 'sq'")
        page.wait_for_function("title => document.title === title", arg=expected)
    finally:
        stop_server(proc)


# Logged in, a page differs from the development mode's only in the sidebar's account line and Log out button, the
# same on every page: the login form, then the home page and an administrator's page are enough.
LOGIN_PAGES = [p for p in PAGES if p[0] in ("", "data")]


def test_the_login_form_and_pages_in_login_mode(demo_url, browser, tmp_path):
    users = tmp_path / "users.yaml"
    auth.add_user(users, "ada", "admin", password="admin pass 1")
    proc, base = start_server(demo_url, SEIZURES_AUTH="password", SEIZURES_USERS_FILE=str(users))
    page, found = new_page(browser), {}
    try:
        page.goto(f"{base}/")
        page.get_by_label("User name").wait_for()
        # Each run sets the app's title, then the page's: wait for the page's rather than sample it once.
        page.wait_for_function("title => document.title === title", arg=f"Log in · {APP}")
        levels = heading_levels(page)
        assert levels[0] == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels
        found["login"] = axe.violations(page)
        page.get_by_label("User name").fill("ada")
        page.get_by_role("textbox", name="Password").fill("admin pass 1")
        page.get_by_role("button", name="Log in").click()
        wait_for_page(page, HOME_TITLE)
        for path, label, title in LOGIN_PAGES:
            page.goto(f"{base}/{path}")
            wait_for_page(page, title)
            assert page.get_by_text("Logged in as").count() == 1  # the account line is checked with the page
            assert_page_is_accessible(page, label, found)
        assert_no_violation(found)
    finally:
        stop_server(proc)


def test_every_page_in_public_mode(demo_url, browser):
    proc, base = start_server(demo_url, SEIZURES_PUBLIC="1")
    page, found = new_page(browser), {}
    try:
        for path, label, title in PUBLIC_PAGES:
            page.goto(f"{base}/{path}")
            wait_for_page(page, title)
            if path == "":  # a measure with hidden cells: the legend and the "–" cells are checked too
                page.locator('[data-testid="stRadio"]').get_by_text("Explosives (kg)").click()
                page.get_by_text("fewer than 5, not shown").first.wait_for()
                wait_for_page(page, title)
            assert_page_is_accessible(page, label, found)
        assert_no_violation(found)
    finally:
        stop_server(proc)


# --- the keyboard alone ---------------------------------------------------------------------------------------


def tab_to(page, condition: str, limit: int = 200) -> None:
    """Press Tab until the focused element meets `condition` (a JavaScript expression on `el`)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const el = document.activeElement; return Boolean({condition}); }}"):
            return
    raise AssertionError(f"no focusable element meets {condition} within {limit} tab stops")


def wait_for_run(page) -> None:
    page.locator('[data-testid="stApp"][data-test-script-state="running"]').wait_for(state="detached")
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()


def test_records_with_the_keyboard_alone(server, browser, oracle):
    page = new_page(browser)
    page.goto(f"{server}/records")
    wait_for_page(page, "Seizure records")
    # 1. Filter: the directorates' box, type a name, Enter, Escape.
    tab_to(page, "el.closest('[data-testid=\"stMultiSelect\"]') && "
                 "el.closest('[data-testid=\"stMultiSelect\"]').textContent.includes('Regional directorates')")
    page.keyboard.type("Prizren")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    rows = oracle.select(regions=("PZ",))
    total = f"{len(rows):,}"
    page.get_by_text(f"Lines 1–50 of {total}.").wait_for()
    wait_for_run(page)
    # 2. Download every matching line: Tab to the button, Enter.
    tab_to(page, f"el.tagName === 'BUTTON' && el.textContent.includes('Download all {total} rows (CSV)')")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    lines = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert sorted(line["case_ref"] for line in lines) == sorted(rows["case_ref"])
    # 3. The next page: Shift+Tab back to the page number, type 2, Enter.
    page.keyboard.press("Shift+Tab")
    for _ in range(200):
        if page.evaluate("() => (document.activeElement.getAttribute('aria-label') || '').startsWith('Page (of')"):
            break
        page.keyboard.press("Shift+Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    page.keyboard.press("Enter")
    page.get_by_text(f"Lines 51–100 of {total}.").wait_for()
    shot(page, "keyboard_records_page_2")


# --- what the eye sees ----------------------------------------------------------------------------------------


def test_chart_text_is_in_the_app_template_and_readable(server, browser):
    page = new_page(browser)
    page.goto(f"{server}/regions")
    wait_for_page(page, "Regional directorates")
    fills = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].map(chart =>
        [...chart.querySelectorAll('.main-svg text')].filter(t => t.textContent.trim()).map(t => getComputedStyle(t).fill))""")
    text, black = "rgb(49, 51, 63)", "rgb(0, 0, 0)"  # charts.TEXT_COLOUR; charts.HEATMAP_TEXT
    assert all(fills) and all(set(chart) <= {text, black} for chart in fills), [set(f) for f in fills]
    assert text in fills[0] and black in fills[-1]  # the heat-map's cell labels are black (test_palette: >= 4.5:1)
    assert colour.contrast("#31333F", "#FFFFFF") >= 4.5
    # The trend's small multiples are drawn with their lines: a value axis up to the directorates' hundreds, not
    # the empty 0-4 of a panel without data.
    ticks = page.locator('[data-testid="stPlotlyChart"]').first.locator(".ytick text").all_text_contents()
    assert max(float(t.replace(",", "")) for t in ticks if t.strip()) >= 100, ticks


@pytest.mark.parametrize("window", [1280, 1920])
def test_metrics_are_whole_at_200_percent_zoom(server, browser, window):
    # 200 % zoom of a window: half its width in CSS pixels, at twice the pixel density. At 1280 the columns stack.
    page = new_page(browser, viewport={"width": window // 2, "height": 1400}, device_scale_factor=2)
    page.goto(f"{server}/")
    wait_for_page(page, HOME_TITLE)
    labels = page.locator('[data-testid="stMetricLabel"]')
    assert labels.count() >= 4
    cut = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stMetricLabel"] *, [data-testid="stMetricValue"] *')]
        .filter(e => e.scrollWidth > e.clientWidth + 1 || getComputedStyle(e).textOverflow === 'ellipsis')
        .map(e => e.textContent)""")
    assert cut == []
    # Stacked or side by side, the metrics read in their order (firearms, ammunition, ...), not column by column.
    assert [t.split(" (")[0] for t in labels.all_inner_texts()][:3] == ["Firearms", "Ammunition", "Explosives"]
    shot(page, f"zoom_200_overview_{window}")


def cvd_filter(deficiency: str) -> str:
    """An SVG filter applying the dichromacy's matrix in linear RGB (feColorMatrix works there by default)."""
    rows = " ".join(" ".join(str(v) for v in row) + " 0 0" for row in CVD_MATRICES[deficiency])
    return (f'<svg id="cvd-filter" xmlns="http://www.w3.org/2000/svg" style="position:absolute;width:0;height:0">'
            f'<filter id="cvd"><feColorMatrix type="matrix" values="{rows} 0 0 0 1 0"/></filter></svg>')


def test_screenshots_under_simulated_colour_blindness(server, browser):
    # tests/artifacts/cvd-<deficiency>-<page>.png: looked at for series that merge (the directorates' lines are in
    # panels of their own, the stacked segments have patterns). Each page is drawn once and seen through each filter.
    page = new_page(browser, viewport={"width": 1400, "height": 4200})  # the Regions page's heat-map included
    for path, title in (("", HOME_TITLE), ("regions", "Regional directorates"), ("weapons", "Weapons and seizure context")):
        page.goto(f"{server}/{path}")
        wait_for_page(page, title)
        for deficiency in sorted(CVD_MATRICES):
            page.evaluate("""svg => { document.getElementById('cvd-filter')?.remove();
                                      document.documentElement.style.filter = 'none';
                                      document.body.insertAdjacentHTML('beforeend', svg);
                                      document.documentElement.style.filter = 'url(#cvd)'; }""", cvd_filter(deficiency))
            assert page.evaluate("document.querySelectorAll('#cvd').length") == 1
            assert page.evaluate("getComputedStyle(document.documentElement).filter") != "none"
            shot(page, f"cvd-{deficiency}-{path or 'overview'}")


@pytest.fixture(scope="module")
def server(demo_url):
    proc, base = start_server(demo_url)
    yield base
    stop_server(proc)


def test_the_axe_file_is_the_pinned_one():
    # Installed by .ci/run from tests/package-lock.json, read from disk: nothing is fetched at test time.
    lock = (Path(__file__).parent / "package-lock.json").read_text()
    version = re.search(r'"node_modules/axe-core": \{\s*"version": "([^"]+)"', lock).group(1)
    assert f"axe v{version}" in axe.AXE_JS.read_text()[:200]
