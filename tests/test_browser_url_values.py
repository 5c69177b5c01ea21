"""Issue 15 in the real browser: a link whose values are Markdown shows them as text, with no link and no image."""

from __future__ import annotations

import urllib.parse

import pytest

from test_browser import browser, page, server, wait_for_page  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser
PHISHING = "[Session expired - log in again](http://evil.example/login) ![t](http://evil.example/p.png)"


def test_url_values_are_shown_as_text_not_markdown(server, page):  # noqa: F811
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    query = urllib.parse.urlencode({name: PHISHING for name in ("from", "region", "weapon", "lang")})
    page.goto(f"{server}/?{query}")
    wait_for_page(page, "Firearms seizures in Kosovo")
    alerts = page.locator('[data-testid="stAlert"]')
    alerts.first.wait_for(timeout=30_000)
    text = " ".join(alerts.all_inner_texts())
    assert "[Session expired - log in again](http://…" in text  # the value, cut, as typed
    assert page.locator('a[href*="evil.example"]').count() == 0
    assert page.locator('img[src*="evil.example"]').count() == 0
    assert not [url for url in requests if urllib.parse.urlparse(url).hostname == "evil.example"]
