"""The real app in headless Chromium, served by `streamlit run` on a fresh server."""

from __future__ import annotations

import csv
import io
import os
import re
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import serving  # noqa: E402  (benchmarks/serving.py: how the benchmarks serve the app, shared)

CHROMIUM = serving.CHROMIUM
ARTIFACTS = ROOT / "tests" / "artifacts"
# Every wait is on a condition of the app (a heading, the script's state, a drawn chart), never a fixed time; this is
# only how long a condition may take on a loaded 2-core machine before the test fails.
READY_TIMEOUT_MS = 90_000
CHROMIUM_ARGS = serving.ARGS
# Every page: its URL path (the default page is served at "/"), its label in the sidebar navigation and the title it
# shows. Add new pages here.
PAGES = [
    ("", "Overview", "Firearms seizures in Kosovo*"),
    ("regions", "Regions", "Regional directorates"),
    ("weapons", "Weapons & context", "Weapons and seizure context"),
    ("map", "Map", "Seizures by regional directorate: map"),
    ("records", "Records", "Seizure records"),
    ("training", "Training & capacity", "Training & capacity"),
    ("kpis", "Roadmap KPIs", "Roadmap KPIs"),
    ("tracing", "SDG 16.4.2 and tracing", "SDG 16.4.2 and tracing"),
    ("data", "Data", "Data: import seizure records"),
    ("about", "About & methodology", "About & methodology"),
]
FILTER_QUERY = "region=PZ,GJ&from=2021"

pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing: .ci/run must install Debian's chromium")
    pytest.skip(f"{CHROMIUM} not installed", allow_module_level=True)


def start_server(db_url: str, **settings: str):
    """A freshly started `streamlit run app.py` on the given store: (process, base URL).

    By default in the development mode of `make run` (SEIZURES_AUTH=off: administrator, every page); `settings`
    (e.g. SEIZURES_PUBLIC="1") override it. Its output goes to tests/artifacts/server-PORT.log.
    """
    env = {**os.environ, "SEIZURES_DB_URL": db_url, "SEIZURES_AUTH": "off", **settings}
    env.pop("SEIZURES_PUBLIC", None) if "SEIZURES_PUBLIC" not in settings else None
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = ARTIFACTS / f"server-{os.getpid()}-{time.monotonic_ns()}.log"
    return serving.serve("app.py", ROOT, env, log=log)


def stop_server(proc) -> None:
    serving.stop(proc)


@pytest.fixture()
def fresh_server(demo_url):
    """A server that has never answered a page: the first request decides whether app.py runs."""
    proc, base = start_server(demo_url)
    yield base
    stop_server(proc)


@pytest.fixture(scope="module")
def server(demo_url):
    proc, base = start_server(demo_url)
    yield base
    stop_server(proc)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    # Tall enough that a screenshot shows a whole page (Streamlit scrolls inside its own container).
    context = browser.new_context(viewport={"width": 1400, "height": 2600}, accept_downloads=True)
    context.set_default_timeout(READY_TIMEOUT_MS)
    yield context.new_page()
    context.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name or 'overview'}.png"), full_page=True)


def wait_for_page(page, title: str) -> None:
    """Wait for the page's title, the end of the run and every chart drawn (no grey placeholder left)."""
    page.get_by_role("heading", name=title, level=1).wait_for()  # appears during this page's run
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()
    # After the run, elements whose code loads lazily (metrics, charts) are skeletons for a moment.
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stSkeleton"], [data-testid="stSkeletonElement"]')
                 && [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                    .every(chart => chart.querySelector('.js-plotly-plot .main-svg'))""",
    )
    page.wait_for_timeout(300)  # let the last chart lay out before a screenshot


def assert_app_shell(page, title: str, menu: list[str] | None = None) -> None:
    """The app's own sidebar (navigation and filter, with the URL's selection), the page title, no error box;
    `menu`: the pages the menu lists (default: every page)."""
    sidebar = page.locator('[data-testid="stSidebar"]')
    # Right after a run the frontend may briefly remount a widget: wait for it rather than sample once.
    regions = sidebar.locator('[data-testid="stMultiSelect"]').filter(has_text="Regional directorates")
    regions.wait_for()
    assert sidebar.get_by_text("Regional directorates").count() == 1
    tags = regions.locator(".react-aria-ComboBox [data-tag]")
    expect(tags).to_have_count(2, timeout=READY_TIMEOUT_MS)  # a rerun right after a login may still be drawing them
    selected = [tag.get_attribute("aria-label") for tag in tags.all()]
    assert selected == ["Prizren", "Gjakova"], selected
    nav = page.locator('[data-testid="stSidebarNav"]')
    menu = [label for _, label, _ in PAGES] if menu is None else menu
    assert [nav.get_by_text(label, exact=True).count() for _, label, _ in PAGES] == [
        int(label in menu) for _, label, _ in PAGES]
    assert page.get_by_role("heading", name=title, level=1).count() == 1
    assert page.locator('[data-testid="stException"]').count() == 0
    # Each page its own title (test_accessibility.py), set by the app's script after the load: waited for.
    page.wait_for_function("() => document.title.endsWith(' · Firearms seizure statistics')")


# What a chart's reader may not see: a title or label running past the chart's edge, an event label on the plot area
# (over the bars or lines) or over another label or the title.
CHART_TEXT_PROBLEMS = """() => {
  const problems = [], cross = (a, b) =>
    a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  document.querySelectorAll('[data-testid="stPlotlyChart"]').forEach((chart, i) => {
    const box = chart.getBoundingClientRect();
    for (const text of chart.querySelectorAll('.gtitle, .g-xtitle text, .annotation-text')) {
      const r = text.getBoundingClientRect();
      if (r.width && (r.left < box.left - 1 || r.right > box.right + 1))
        problems.push(`chart ${i}: "${text.textContent}" runs past its edge (${Math.round(r.left - box.left)} to ${Math.round(r.right - box.left)} of ${Math.round(box.width)})`);
    }
    // A bar's value label within the plot area (outside it, it is cut at the chart's edge or the plot area's), and
    // no label on the bars' names.
    const plots = [...chart.querySelectorAll('.nsewdrag')].map(d => d.getBoundingClientRect());
    for (const text of chart.querySelectorAll('.bartext')) {
      const r = text.getBoundingClientRect();
      if (r.width && !plots.some(p => r.left >= p.left - 1 && r.right <= p.right + 1))
        problems.push(`chart ${i}: bar label "${text.textContent}" runs past the plot area`);
    }
    const names = chart.querySelector('.bars') ? [...chart.querySelectorAll('.ytick text')].map(t => t.getBoundingClientRect()) : [];
    for (const text of [...chart.querySelectorAll('.bartext, .annotation-text')].filter(t => !t.textContent.startsWith('\u25b8')))
      if (names.some(n => cross(n, text.getBoundingClientRect())))
        problems.push(`chart ${i}: "${text.textContent}" on a bar's name`);
    const top = Math.min(...plots.map(d => d.top));
    const title = chart.querySelector('.gtitle');
    const labels = [...chart.querySelectorAll('.annotation-text')].filter(t => t.textContent.startsWith('\u25b8'))
      .map(t => [t.textContent, t.getBoundingClientRect()]);
    labels.forEach(([text, r], j) => {
      if (r.bottom > top + 1) problems.push(`chart ${i}: event label "${text}" on the plot area`);
      if (title && cross(r, title.getBoundingClientRect())) problems.push(`chart ${i}: "${text}" on the title`);
      for (const [other, o] of labels.slice(j + 1))
        if (cross(r, o)) problems.push(`chart ${i}: "${text}" on "${other}"`);
    });
  });
  return problems;
}"""


def assert_chart_texts_readable(page) -> None:
    assert page.evaluate(CHART_TEXT_PROBLEMS) == []


def assert_link_whole(page, label: str) -> None:
    """The page link's label shows whole: nothing in it clipped, and the link inside the page's width."""
    link = page.locator('[data-testid="stPageLink"]').filter(has_text=label)
    assert link.count() == 1
    cut = link.evaluate("""l => [...l.querySelectorAll('*')].filter(e => e.scrollWidth > e.clientWidth + 1)
                                 .map(e => e.textContent)""")
    assert cut == [], cut
    main = page.locator('[data-testid="stMain"] [data-testid="stMainBlockContainer"]').bounding_box()
    box = link.bounding_box()
    assert box["x"] >= main["x"] - 1 and box["x"] + box["width"] <= main["x"] + main["width"] + 1, (box, main)


def filter_in_url(url: str) -> bool:
    return ("region=PZ%2CGJ" in url or "region=PZ,GJ" in url) and "from=2021" in url


@pytest.mark.parametrize("path,label,title", PAGES, ids=[label for _, label, _ in PAGES])
def test_deep_link_on_a_fresh_server(fresh_server, page, path, label, title):
    # The first request to a fresh server is a deep link with a filter: it must get app.py's navigation and filter.
    page.goto(f"{fresh_server}/{path}?{FILTER_QUERY}")
    wait_for_page(page, title)
    assert_app_shell(page, title)
    assert filter_in_url(page.url)
    shot(page, f"deep_link_{path or 'overview'}")


def test_moving_between_pages_keeps_the_filter(server, page):
    first_path, _, first_title = PAGES[0]
    page.goto(f"{server}/{first_path}?{FILTER_QUERY}")
    wait_for_page(page, first_title)
    for path, label, title in [*PAGES[1:], PAGES[0]]:
        page.locator('[data-testid="stSidebarNav"]').get_by_text(label, exact=True).click()
        wait_for_page(page, title)
        page.wait_for_url(lambda url: filter_in_url(url))
        assert page.url.split("?")[0].rstrip("/") == f"{server}/{path}".rstrip("/")
        assert_app_shell(page, title)
        shot(page, path)


def test_records_csv_download_holds_every_filtered_row(server, page, oracle):
    page.goto(f"{server}/records?{FILTER_QUERY}")
    wait_for_page(page, "Seizure records")
    rows = oracle.select(regions=("PZ", "GJ"), years=(2021, 2024))
    button = page.get_by_role("button", name=f"Download all {len(rows):,} rows (CSV)")
    with page.expect_download() as download:
        button.click()
    lines = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert len(lines) == len(rows) > 50  # every matching line, not the 50 on the page
    assert sorted(line["case_ref"] for line in lines) == sorted(rows["case_ref"])


def test_a_charts_csv_is_made_on_the_click_and_holds_its_numbers(server, page, oracle):
    # The chart downloads are deferred (made when asked for, not on every run) and do not rerun the page.
    page.goto(f"{server}/?{FILTER_QUERY}")
    wait_for_page(page, "Firearms seizures in Kosovo*")
    button = page.locator(".st-key-csv_by_directorate").get_by_role("button", name="Download data (CSV)")
    with page.expect_download() as download:
        button.click()
    assert download.value.suggested_filename == "by_directorate.csv"
    lines = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    rows = oracle.select(regions=("PZ", "GJ"), years=(2021, 2024), categories=("firearm",))
    expected = rows.groupby(["region_code", "year"])["quantity"].sum()
    assert {(line["region_code"], int(line["year"])): float(line["value"]) for line in lines} == {
        key: float(value) for key, value in expected.items()}


def test_map_page_draws_offline(server, page):
    # A deep link to the map: the directorates' seats on a plain lon/lat plot, no tile server or CDN request.
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{server}/map")
    page.locator(".js-plotly-plot .main-svg").first.wait_for()
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached")
    svg = page.locator(".js-plotly-plot").first.text_content()
    for name in ("Prishtina", "Prizren", "Mitrovica North", "Mitrovica South"):
        assert name in svg
    shot(page, "map")
    assert all(url.startswith(server) or url.startswith("data:") for url in requests), [
        u for u in requests if not u.startswith(server)]


@pytest.fixture(scope="module")
def data_server(demo_url, tmp_path_factory):
    """A fresh server on a private copy of the demo store (the Data page writes to it)."""
    import shutil

    import sqlalchemy as sa

    copy = tmp_path_factory.mktemp("browser-data") / "store.duckdb"
    shutil.copy(sa.make_url(demo_url).database, copy)
    proc, base = start_server(f"duckdb:///{copy}")
    yield base
    stop_server(proc)


def upload_and_import(page, name: str, content: bytes) -> None:
    # The records' uploader is the page's first; the reference data's comes further down.
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": content}]
    )
    page.get_by_text(name).first.wait_for()
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached")
    page.get_by_role("button", name="Import", exact=True).click()


def test_data_page_uploads_through_the_browser(data_server, page):
    # A deep link to the Data page on a fresh server, then a real upload over HTTP.
    page.goto(f"{data_server}/data")
    page.get_by_text("Data: import seizure records").wait_for()
    page.locator('[data-testid="stSidebar"]').get_by_text("Regional directorates").wait_for()
    good = (b"seized_on,region,category,weapon_type,quantity,unit,context,case_ref\n"
            b"05.03.2023,Prizren,firearm,pistol,2,pieces,house_search,WEB-1\n"
            b"2023-03-06,GL,ammunition,pistol,40,rounds,traffic_control,WEB-2\n")
    upload_and_import(page, "web.csv", good)
    page.get_by_text("web.csv: imported 2 of 2 rows as import #2").wait_for()
    shot(page, "data-imported")

    bad = good.replace(b"WEB-1", b"WEB-3").replace(b"WEB-2", b"WEB-4").replace(b",2,pieces", b",0,pieces")
    upload_and_import(page, "bad.csv", bad)
    page.get_by_text("bad.csv: nothing imported: 1 problem(s) in 1 of 2 rows").wait_for()
    page.get_by_role("button", name="Download the problems (CSV)").wait_for()
    shot(page, "data-rejected")


@pytest.mark.parametrize("lang", ["en", "sq", "sr"])
def test_overview_in_each_language(server, page, lang):
    # One screenshot per language (tests/artifacts/overview-<lang>.png): navigation, filter, metrics and charts.
    from seizures import i18n

    with i18n.using(lang):
        place = {"en": "Kosovo*", "sq": "Kosova*", "sr": "Kosovo*"}[lang]  # the store's names; "*": its note
        title, nav = i18n._("Firearms seizures in {place}").format(place=place), [i18n._(label) for _, label, _ in PAGES]
        regions_label = i18n._("Regional directorates")
        coverage_label = i18n._("Coverage by month")
    page.goto(f"{server}/?lang={lang}&{FILTER_QUERY}")
    wait_for_page(page, title)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.locator('[data-testid="stMultiSelect"]').filter(has_text=regions_label).wait_for()
    navigation = page.locator('[data-testid="stSidebarNav"]')
    assert [navigation.get_by_text(label, exact=True).count() for label in nav] == [1] * len(nav)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert f"lang={lang}" in page.url or lang == "en"
    # The firearms trend chart's value axis (ticks up to about 1,500) groups thousands the language's way.
    svg = page.locator('[data-testid="stPlotlyChart"]').first.text_content()
    separator = {"en": ",", "sq": "\u00a0", "sr": "."}[lang]
    assert re.search(rf"1{re.escape(separator)}\d00", svg), svg[:300]
    shot(page, f"overview-{lang}")
    # The events' labels above the plot area, none on another; the link to the coverage grid whole ("Coverage by
    # mont" in a sixth of the page).
    assert_chart_texts_readable(page)
    assert_link_whole(page, coverage_label)


# --- public mode and login ------------------------------------------------------------------------------------


def test_public_mode_has_no_records_or_data_page(demo_url, page):
    proc, base = start_server(demo_url, SEIZURES_PUBLIC="1")
    try:
        page.goto(f"{base}/records")  # a deep link to a page the public may not open, on a fresh server
        page.get_by_text("This page is not part of the public view.").wait_for()
        assert page.get_by_role("heading", name="Seizure records").count() == 0
        shot(page, "public_records_link")
        page.goto(f"{base}/")
        wait_for_page(page, "Firearms seizures in Kosovo*")
        nav = page.locator('[data-testid="stSidebarNav"]')
        labels = [label for _, label, _ in PAGES]
        assert [nav.get_by_text(label, exact=True).count() for label in labels] == [
            0 if label in ("Records", "Data", "SDG 16.4.2 and tracing") else 1 for label in labels]
        assert page.get_by_role("heading", name="Seizure records").count() == 0
        assert page.get_by_text("Public view").count() >= 1
        assert page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').count() == 0  # no filter
        # Explosives by directorate and year: some small cells, drawn as gaps and listed as "<5" in the download.
        page.locator('[data-testid="stRadio"]').get_by_text("Explosives (kg)").click()
        page.get_by_text("fewer than 5, not shown").first.wait_for()
        html = page.content()
        assert "ILL-20" not in html  # no case reference anywhere in the page
        shot(page, "public_overview")
        page.goto(f"{base}/data")
        page.get_by_text("This page is not part of the public view.").wait_for()
        assert page.get_by_role("heading", name="Data: import seizure records").count() == 0
    finally:
        stop_server(proc)


def log_in(page, base: str, user: str, password: str) -> None:
    page.goto(f"{base}/")
    page.get_by_label("User name").wait_for()
    page.get_by_label("User name").fill(user)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    wait_for_page(page, "Firearms seizures in Kosovo*")


def test_links_in_login_mode_land_on_their_page_with_their_filter(demo_url, page, tmp_path):
    # A bookmark, a colleague's link, a typed address or F5: after the login (its cookie), the page the link names,
    # with the link's filter; a page the role may not open says so.
    from seizures import auth

    users = tmp_path / "users.yaml"
    auth.add_user(users, "ana", "analyst", password="analyst pass 1")
    proc, base = start_server(demo_url, SEIZURES_AUTH="password", SEIZURES_USERS_FILE=str(users))
    try:
        log_in(page, base, "ana", "analyst pass 1")
        for path, label, title in PAGES:
            if path == "data":
                continue
            for visit in (lambda: page.goto(f"{base}/{path}?{FILTER_QUERY}"), page.reload):
                visit()
                wait_for_page(page, title)
                assert page.url.split("?")[0].rstrip("/") == f"{base}/{path}".rstrip("/"), page.url
                assert filter_in_url(page.url), page.url
                assert_app_shell(page, title, menu=[lbl for p, lbl, _ in PAGES if p != "data"])
                assert page.get_by_label("User name").count() == 0
        page.goto(f"{base}/data?{FILTER_QUERY}")
        page.get_by_text("This page is for users with the administrator role or higher").wait_for()
        assert page.get_by_role("heading", name="Data: import seizure records").count() == 0
        assert page.url.split("?")[0] == f"{base}/data"
        shot(page, "login_analyst_data_refused")
    finally:
        stop_server(proc)


def test_a_bad_login_cookie_means_logged_out(demo_url, browser, tmp_path):
    # A forged cookie (alg "none") and a signed one without exp_date used to lock the browser out with an error on
    # every page; now each gives the login form, and the good login afterwards works.
    import base64
    import json as jsonlib

    import jwt

    from seizures import auth

    users = tmp_path / "users.yaml"
    auth.add_user(users, "vic", "viewer", password="viewer pass 1")
    key = auth.read(users)["cookie"]["key"]

    def part(data) -> str:
        return base64.urlsafe_b64encode(jsonlib.dumps(data).encode()).rstrip(b"=").decode()

    forged = {
        "alg none": f"{part({'alg': 'none', 'typ': 'JWT'})}.{part({'username': 'vic', 'exp_date': 4e9})}.",
        "no exp_date": jwt.encode({"username": "vic"}, key, algorithm="HS256"),
    }
    proc, base = start_server(demo_url, SEIZURES_AUTH="password", SEIZURES_USERS_FILE=str(users))
    try:
        for name, token in forged.items():
            context = browser.new_context(viewport={"width": 1200, "height": 900})
            context.set_default_timeout(READY_TIMEOUT_MS)
            context.add_cookies([{"name": auth.COOKIE_NAME, "value": token, "url": base}])
            page = context.new_page()
            page.goto(f"{base}/regions")
            page.get_by_label("User name").wait_for()
            assert page.get_by_text("Something went wrong").count() == 0, name
            page.get_by_label("User name").fill("vic")
            page.get_by_role("textbox", name="Password").fill("viewer pass 1")
            page.get_by_role("button", name="Log in").click()
            wait_for_page(page, "Regional directorates")  # the link's page, after the login
            context.close()
    finally:
        stop_server(proc)


def test_login_in_the_browser(demo_url, browser, page, tmp_path):
    # ... and "Log out" ends the login cookie: a reload, or a copy of the cookie in another browser, asks again.
    from seizures import auth

    users = tmp_path / "users.yaml"
    auth.add_user(users, "vic", "viewer", password="viewer pass 1")
    proc, base = start_server(demo_url, SEIZURES_AUTH="password", SEIZURES_USERS_FILE=str(users))
    try:
        page.goto(f"{base}/")
        page.get_by_label("User name").wait_for()
        assert page.locator('[data-testid="stSidebarNav"]').count() == 0
        page.get_by_label("User name").fill("vic")
        page.get_by_role("textbox", name="Password").fill("wrong password")
        page.get_by_role("button", name="Log in").click()
        page.get_by_text("Wrong user name or password.").wait_for()
        page.get_by_role("textbox", name="Password").fill("viewer pass 1")
        page.get_by_role("button", name="Log in").click()
        wait_for_page(page, "Firearms seizures in Kosovo*")
        nav = page.locator('[data-testid="stSidebarNav"]')
        assert nav.get_by_text("Overview", exact=True).count() == 1
        assert nav.get_by_text("Records", exact=True).count() == 0 and nav.get_by_text("Data", exact=True).count() == 0
        assert page.get_by_text("Logged in as").count() == 1
        shot(page, "login_viewer")
        page.wait_for_function(f"() => document.cookie.includes('{auth.COOKIE_NAME}=')")  # the browser has it
        kept = [c for c in page.context.cookies() if c["name"] == auth.COOKIE_NAME]
        page.get_by_role("button", name="Log out").click()
        page.get_by_label("User name").wait_for()
        page.reload()
        page.get_by_label("User name").wait_for()
        other = browser.new_context(viewport={"width": 1200, "height": 900})
        other.set_default_timeout(READY_TIMEOUT_MS)
        other.add_cookies(kept)
        elsewhere = other.new_page()
        elsewhere.goto(f"{base}/")
        elsewhere.get_by_label("User name").wait_for()
        assert elsewhere.get_by_text("Logged in as").count() == 0
        other.close()
    finally:
        stop_server(proc)


# --- a phone's width ---------------------------------------------------------------------------------------------

PHONE = {"width": 390, "height": 844}


def assert_fits_the_width(page, width: int) -> None:
    """Nothing wider than the screen: no sideways scrolling of the page, every chart inside it."""
    overflow = page.evaluate(
        """() => { const main = document.querySelector('[data-testid="stMain"]');
                   return [document.documentElement.scrollWidth, main.scrollWidth, main.clientWidth]; }""")
    assert overflow[0] <= width + 1 and overflow[1] <= overflow[2] + 1, overflow
    charts = page.locator('[data-testid="stPlotlyChart"]')
    assert charts.count() > 0
    for chart in charts.all():
        box = chart.bounding_box()
        assert box["x"] >= -1 and box["x"] + box["width"] <= width + 1, box


@pytest.mark.parametrize("mode", ["development", "login", "public"])
def test_the_overview_on_a_phone_fits_and_its_filter_opens_by_keyboard(demo_url, browser, tmp_path, mode):
    from seizures import auth

    settings, title = {}, "Firearms seizures in Kosovo*"
    if mode == "login":
        users = tmp_path / "users.yaml"
        auth.add_user(users, "vic", "viewer", password="viewer pass 1")
        settings = {"SEIZURES_AUTH": "password", "SEIZURES_USERS_FILE": str(users)}
    elif mode == "public":
        settings = {"SEIZURES_PUBLIC": "1"}
    proc, base = start_server(demo_url, **settings)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    context.set_default_timeout(READY_TIMEOUT_MS)
    page = context.new_page()
    try:
        if mode == "login":
            page.goto(f"{base}/")
            page.get_by_label("User name").wait_for()
            assert_fits_the_width_of_the_login(page, PHONE["width"])
            shot(page, "phone_login_form")
            log_in(page, base, "vic", "viewer pass 1")
        page.goto(f"{base}/" + ("" if mode == "public" else f"?{FILTER_QUERY}"))
        wait_for_page(page, title)
        assert_fits_the_width(page, PHONE["width"])
        assert_chart_texts_readable(page)
        if mode != "public":
            assert_link_whole(page, "Coverage by month")
        # On a phone the sidebar starts closed: the page's content has the whole width.
        sidebar = page.locator('[data-testid="stSidebar"]')
        assert sidebar.get_attribute("data-collapsed") == "true"
        shot(page, f"phone_{mode}_overview")
        # Its button opens it from the keyboard (focus, Enter), with the navigation and, off the public view, the filter.
        page.locator('[data-testid="stExpandSidebarButton"]').focus()
        page.keyboard.press("Enter")
        expect(sidebar).to_have_attribute("data-collapsed", "false")
        nav = page.locator('[data-testid="stSidebarNav"]')
        expect(nav.get_by_text("Regions", exact=True)).to_be_visible()
        if mode != "public":
            regions = sidebar.locator('[data-testid="stMultiSelect"]').filter(has_text="Regional directorates")
            regions.scroll_into_view_if_needed()
            expect(regions).to_be_visible()
            box = regions.bounding_box()
            assert box["x"] + box["width"] <= PHONE["width"] + 1, box
        shot(page, f"phone_{mode}_sidebar")
        if mode == "development":
            # The Regions page in Serbian (its titles are the longest): every chart title and label within its
            # chart (they ran past the phone's edge: "Firearms (pieces) per regional directorate, by").
            from seizures import i18n

            with i18n.using("sr"):
                title = i18n._("Regional directorates")
            page.goto(f"{base}/regions?lang=sr")
            wait_for_page(page, title)
            assert_chart_texts_readable(page)
            shot(page, "phone_regions_sr")
    finally:
        context.close()
        stop_server(proc)


def assert_fits_the_width_of_the_login(page, width: int) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width + 1
    for field in (page.get_by_label("User name"), page.get_by_role("textbox", name="Password")):
        box = field.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, box
