"""report.html in a real headless Chromium (Debian's package, driven by Playwright), offline.

Every request that is not a ``file:``, ``data:`` or ``about:`` address is aborted, and the test
also records requests, so a page that tried to fetch anything would show it. The page must draw
its charts (images decoded, natural width > 0) and its map (Leaflet's container and one marker
per open site, inside the sandboxed iframe), run no script from the data and raise no error.

Run with ``pytest -m browser``; needs ``make browser`` (apt's chromium) and no browser download.
The ``browser`` fixture is the one Chromium of the test session (``tests/conftest.py``): a second
Playwright in the same process fails ("Sync API inside the asyncio loop").
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from planner.cli import main
from planner.plan import Plan
from tests.helpers.browser import CHROMIUM, NO_CHROMIUM, wait_until
from tests.helpers.equity_case import HOSTILE_SITE, write_equity_case

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

if CHROMIUM is None:
    pytest.skip(NO_CHROMIUM, allow_module_level=True)

ROOT = Path(__file__).resolve().parents[2]
LOCAL = ("file:", "data:", "about:")
# Set before any script of the page or of its map frame runs.
TRAP = """
window.__xss = false;
window.alert = window.confirm = window.prompt = function () { window.__xss = true; };
"""


@pytest.fixture(scope="module")
def equity_report(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("report_html")
    scenario = write_equity_case(folder / "case")
    assert main(["run", str(scenario), "--out", str(folder / "run")]) == 0
    return folder / "run"


def open_report(browser, path: Path) -> dict:
    """Open ``path`` with the network blocked; wait until it says it has drawn."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    seen = {"page": page, "requests": [], "routed": [], "refused": [], "errors": [], "dialogs": []}

    def route(r) -> None:
        seen["routed"].append(r.request.url)  # what got past the page's own policy
        r.continue_() if r.request.url.startswith(LOCAL) else r.abort()

    page.route("**/*", route)
    page.on("requestfailed", lambda r: seen["refused"].append((r.url, r.failure)))
    page.add_init_script(TRAP)
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    started = time.perf_counter()
    page.goto(path.as_uri())
    wait_until(page, "window.reportReadyMs !== undefined")
    seen["wall"] = time.perf_counter() - started
    seen["ready_ms"] = page.evaluate("window.reportReadyMs")
    return seen


def drawn_charts(page) -> list[dict]:
    return page.evaluate(
        "[...document.querySelectorAll('img.planner-chart')].map(i => ({complete: i.complete,"
        " natural: i.naturalWidth, width: i.width, alt: i.alt}))"
    )


def test_report_draws_offline_with_its_map_and_charts(browser, equity_report):
    seen = open_report(browser, equity_report / "report.html")
    page = seen["page"]
    assert seen["errors"] == [] and seen["dialogs"] == []
    assert [u for u in seen["requests"] if not u.startswith(LOCAL)] == []
    assert seen["refused"] == []
    charts = drawn_charts(page)
    assert [c["alt"] for c in charts] == [
        "Access: population within each travel time",
        "Access by Integrated Care Board",
        "Access and travel by deprivation decile",
        "Utilisation by site",
        "Yearly cost by item",
    ]
    assert all(c["complete"] and c["natural"] > 0 for c in charts)
    frame = page.frame_locator("iframe.planner-map")
    assert frame.locator(".leaflet-container").count() == 1
    opened = Plan.load(equity_report).open_sites
    assert frame.locator("path.planner-site").count() == len(opened) == 3
    print(f"\nequity report.html drawn {seen['ready_ms']:.0f} ms after navigation")
    page.close()


def test_names_from_the_files_show_as_text_and_run_nothing(browser, equity_report):
    seen = open_report(browser, equity_report / "report.html")
    page = seen["page"]
    assert page.evaluate("window.__xss") is False and seen["dialogs"] == []
    map_frame = next(f for f in page.frames if f.url == "about:srcdoc")
    assert map_frame.evaluate("window.__xss") is False
    # One script of the report's own; the site's name is a table cell and a map label.
    assert page.locator("script").count() == 1
    assert page.locator("td", has_text=HOSTILE_SITE).count() >= 1
    assert page.locator("h1").inner_text() == "Deprivation test <b>case</b>"
    # The marker's own mouseover (a real pointer may land on the title box or another marker
    # in a small frame) opens its tooltip, which Leaflet fills with the escaped name.
    page.frame_locator("iframe.planner-map").locator("path.planner-id-C").dispatch_event(
        "mouseover"
    )
    tip = page.frame_locator("iframe.planner-map").locator(".leaflet-tooltip").last
    assert HOSTILE_SITE in tip.inner_text()
    page.close()


def test_the_page_cannot_send_a_request_even_if_asked(browser, equity_report):
    """The Content-Security-Policy stops requests before they are made: a script that tried
    would reach nothing, not even the test's blocked route."""
    seen = open_report(browser, equity_report / "report.html")
    page = seen["page"]
    page.evaluate("new Image().src = 'https://example.org/pixel.png'")
    page.evaluate("fetch('https://example.org/data.json').catch(() => null)")
    page.wait_for_timeout(300)
    assert not any("example.org" in u for u in seen["routed"])
    assert ("https://example.org/pixel.png", "csp") in seen["refused"]
    assert sum("violates the following Content Security Policy" in e for e in seen["errors"]) == 2
    page.close()


@pytest.mark.slow
def test_national_report_is_light_and_quick(browser, tmp_path):
    """england_baseline on MSOAs (a national plan in a test's time): every ICB, every chart."""
    out = tmp_path / "national"
    scenario = ROOT / "scenarios" / "england_baseline.toml"
    args = ["run", str(scenario), "--out", str(out), "--no-map"]
    assert main([*args, "--set", 'data.zone_level="msoa"', "--time-limit", "30"]) == 0
    path = out / "report.html"
    size_mb = path.stat().st_size / 1024 / 1024
    seen = open_report(browser, path)
    page = seen["page"]
    assert seen["errors"] == []
    assert [u for u in seen["requests"] if not u.startswith(LOCAL)] == []
    charts = drawn_charts(page)
    assert len(charts) == 4 and all(c["natural"] > 0 for c in charts)
    frame = page.frame_locator("iframe.planner-map")
    assert frame.locator("path.planner-site").count() == len(Plan.load(out).open_sites)
    assert page.locator("section", has_text="Integrated Care Boards").locator("tr").count() == 43
    print(
        f"\nnational report.html (MSOAs): {size_mb:.2f} MB, drawn {seen['ready_ms']:.0f} ms "
        f"after navigation ({seen['wall']:.2f} s wall)"
    )
    assert size_mb < 5
    assert seen["ready_ms"] < 10_000  # generous: a slow CI machine; benchmarks/ measures it
    page.close()
