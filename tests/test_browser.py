"""The real app in headless Chromium, served by `streamlit run` on a fresh server."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]

pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing: .ci/run must install Debian's chromium")
    pytest.skip(f"{CHROMIUM} not installed", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(db_url: str):
    """A freshly started `streamlit run app.py` on the given store; yields its base URL."""
    port = free_port()
    env = {**os.environ, "SEIZURES_DB_URL": db_url}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        raise RuntimeError(f"streamlit did not start: {proc.stdout.read().decode()[-2000:]}")
    try:
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def server(demo_url):
    """A freshly started server on the demo store; yields its base URL."""
    with streamlit_server(demo_url) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    yield context.new_page()
    context.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def wait_for_app(page) -> None:
    page.get_by_text("Firearms confiscated, as published by Kosovo Police").wait_for(timeout=30_000)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=30_000)
    page.locator('[data-testid="stSidebar"]').get_by_text("Regional directorates").wait_for(timeout=30_000)


def test_first_visit_with_a_filter_in_the_url(server, page):
    # The first request to a fresh server carries a filter: it must get the app's navigation and filters.
    page.goto(f"{server}/?region=PZ")
    wait_for_app(page)
    assert page.title() == "Firearms seizure statistics"
    shot(page, "overview")
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert sidebar.get_by_text("Regional directorates").count() == 1
    body = page.locator("body").inner_text()
    for figure in ("1,135", "1,280", "1,473"):
        assert figure in body
    assert "region=PZ" in page.url


@pytest.fixture(scope="module")
def data_server(demo_url, tmp_path_factory):
    """A fresh server on a private copy of the demo store (the Data page writes to it)."""
    import shutil

    import sqlalchemy as sa

    copy = tmp_path_factory.mktemp("browser-data") / "store.duckdb"
    shutil.copy(sa.make_url(demo_url).database, copy)
    with streamlit_server(f"duckdb:///{copy}") as base:
        yield base


def upload_and_import(page, name: str, content: bytes) -> None:
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": content}]
    )
    page.get_by_text(name).first.wait_for(timeout=30_000)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=30_000)
    page.get_by_role("button", name="Import", exact=True).click()


def test_data_page_uploads_through_the_browser(data_server, page):
    # A deep link to the Data page on a fresh server, then a real upload over HTTP.
    page.goto(f"{data_server}/data")
    page.get_by_text("Data: import seizure records").wait_for(timeout=30_000)
    page.locator('[data-testid="stSidebar"]').get_by_text("Regional directorates").wait_for(timeout=30_000)
    good = (b"seized_on,region,category,weapon_type,quantity,unit,context,case_ref\n"
            b"05.03.2023,Prizren,firearm,pistol,2,pieces,house_search,WEB-1\n"
            b"2023-03-06,GL,ammunition,pistol,40,rounds,traffic_control,WEB-2\n")
    upload_and_import(page, "web.csv", good)
    page.get_by_text("web.csv: imported 2 of 2 rows as import #2").wait_for(timeout=30_000)
    shot(page, "data-imported")

    bad = good.replace(b"WEB-1", b"WEB-3").replace(b"WEB-2", b"WEB-4").replace(b",2,pieces", b",0,pieces")
    upload_and_import(page, "bad.csv", bad)
    page.get_by_text("bad.csv: nothing imported: 1 problem(s) in 1 of 2 rows").wait_for(timeout=30_000)
    page.get_by_role("button", name="Download the problems (CSV)").wait_for(timeout=30_000)
    shot(page, "data-rejected")
