"""Screenshot of a run's report.html for the README (docs/img/report.png).

    planner run scenarios/england_baseline.toml --out /tmp/eb
    python docs/screenshot_report.py /tmp/eb/report.html [docs/img/report.png]

Opens the report in Debian's headless Chromium (``/usr/bin/chromium``, driven by Playwright)
with every request that is not a ``file:`` or ``data:`` address aborted (the report must draw
with no internet), waits until the page says it is drawn (``window.reportReadyMs``: charts
decoded, map drawn) and saves the top of the page: the headline cards and the start of the map
and charts, as a PNG image (a 1280 x 1100 view; the file is kept under ~400 KB).
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEW = {"width": 1280, "height": 1100}


def _route(route) -> None:
    if route.request.url.startswith(("file:", "data:")):
        route.continue_()
    else:
        route.abort()


def screenshot(report: Path, out: Path) -> None:
    """Save the top of ``report`` (a report.html) as the PNG ``out``."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport=VIEW)
        page.route("**/*", _route)
        page.goto(report.resolve().as_uri())
        page.wait_for_function("window.reportReadyMs !== undefined", timeout=60_000)
        # The map is drawn in its own frame: wait for its regions and sites (vector layers; no
        # tiles, which need the internet).
        frame = page.frame_locator("iframe.planner-map")
        frame.locator("path.leaflet-interactive").first.wait_for(timeout=60_000)
        page.wait_for_timeout(2000)
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out), clip={"x": 0, "y": 0, **VIEW})
        browser.close()
    print(f"{out} ({out.stat().st_size / 1024:.0f} KB)")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    target = (
        Path(sys.argv[2]) if len(sys.argv) == 3 else Path(__file__).parent / "img" / "report.png"
    )
    screenshot(Path(sys.argv[1]), target)
