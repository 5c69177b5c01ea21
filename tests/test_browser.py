"""The real app in headless Chromium, served by `streamlit run` on a fresh server."""

from __future__ import annotations

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


@pytest.fixture(scope="module")
def server(demo_url):
    """A freshly started `streamlit run app.py` on the demo store; yields its base URL."""
    port = free_port()
    env = {**os.environ, "SEIZURES_DB_URL": demo_url}
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
    yield base
    proc.terminate()
    proc.wait(timeout=20)


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


def test_map_page_draws_offline(server, page):
    # A deep link to the map: the directorates' seats on a plain lon/lat plot, no tile server or CDN request.
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{server}/map")
    page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=30_000)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=30_000)
    svg = page.locator(".js-plotly-plot").first.text_content()
    for name in ("Prishtina", "Prizren", "Mitrovica North", "Mitrovica South"):
        assert name in svg
    shot(page, "map")
    assert all(url.startswith(server) or url.startswith("data:") for url in requests), [
        u for u in requests if not u.startswith(server)]
