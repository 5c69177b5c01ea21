"""docs/overview.png, the README's picture of the Overview: the demo store's Overview in headless Chromium, from the
title to the months that stand out (the yearly trend with the events of the period, what changed and where, and
the flagged months).

    .venv/bin/python docs/screenshot.py [--db-url duckdb:///data/seizures.duckdb] [--query ""] [--out docs/overview.png]

The demo's records are generated without surges: a flag shown on it is the rule's own finding on illustrative data
(BENCHMARKS.md counts such flags), not a planted one.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from managers_question import ARGS, CHROMIUM, TITLE, settled, start, stop  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-url", default=f"duckdb:///{ROOT / 'data' / 'seizures.duckdb'}")
    parser.add_argument("--query", default="", help="URL parameters of the view, e.g. from=2021")
    parser.add_argument("--out", default=str(ROOT / "docs" / "overview.png"))
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    proc, base = start(ROOT, args.db_url)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 3200})
            page.set_default_timeout(120_000)
            page.goto(f"{base}/?{args.query}")
            page.get_by_role("heading", name=TITLE, level=1).wait_for()
            settled(page)
            page.wait_for_timeout(1000)  # the last chart's layout
            end = page.get_by_text("Each flag is drawn as a triangle").first
            if end.count() == 0:  # no month stands out: end at that message
                end = page.get_by_text("No month stands out").first
            box = end.bounding_box()
            page.screenshot(path=args.out, clip={"x": 0, "y": 0, "width": 1400, "height": box["y"] + box["height"] + 30})
            browser.close()
    finally:
        stop(proc)
    print(args.out)


if __name__ == "__main__":
    main()
