"""Plan maps opened in a real headless Chromium (Debian's package, driven by Playwright).

The network is blocked for every page (:mod:`tests.helpers.browser`): Chromium has no proxy
and no name resolution, file:// loads go through, and for a map written with ``cdn=True`` the two
Leaflet CDN addresses are answered from the vendored copies when a test plays a working CDN;
every other request is aborted. A map written as by default must need nothing at all.

Run with ``pytest -m browser``; needs ``make browser`` (apt's chromium) and no browser download.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from planner.analysis.conversions import display_names
from planner.maps import assets as map_assets
from planner.maps import save_comparison_map, save_plan_map
from planner.maps.text import css_id
from tests.helpers.browser import CHROMIUM, NO_CHROMIUM, assert_no_xss, open_map, screen_point
from tests.helpers.national import embedded_plan
from tests.helpers.plans import (
    BASEMAP_LAYERS,
    N_OPEN_HUBS,
    N_OPEN_SITES,
    N_SUPPLIERS,
    XSS_REGION,
    XSS_SITE,
    XSS_TITLE,
    alternative_plan,
    region_shapes,
    small_plan,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

if CHROMIUM is None:
    pytest.skip(NO_CHROMIUM, allow_module_level=True)

import pandas as pd  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
DOCS_IMAGE = ROOT / "docs" / "img" / "map.png"


@pytest.fixture(scope="module")
def maps(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("maps")
    shapes = region_shapes()
    return {
        "cdn": save_plan_map(small_plan(), folder / "cdn.html", regions=shapes, cdn=True),
        "inlined": save_plan_map(small_plan(), folder / "inlined.html", regions=shapes),
        "comparison": save_comparison_map(
            small_plan(),
            alternative_plan(),
            folder / "comparison.html",
            labels=("Published", "Optimised"),
            regions=shapes,
        ),
        "national": save_plan_map(embedded_plan(), folder / "national.html"),
    }


def test_default_map_has_no_errors_and_needs_no_network(browser, maps):
    loaded = open_map(browser, maps["inlined"])
    page = loaded.page
    assert loaded.page_errors == []
    assert loaded.console_errors == []
    assert loaded.outside_requests() == []
    assert page.locator("path.planner-site").count() == N_OPEN_SITES
    assert page.locator("path.planner-hub").count() == N_OPEN_HUBS
    assert page.locator(".planner-supplier").count() == N_SUPPLIERS
    assert page.locator("path.planner-closed-site").count() == 1
    assert_no_xss(loaded)
    print(f"\nsmall map: drawn {loaded.ready_ms:.0f} ms after navigation")
    page.close()


def test_cdn_map_works_when_the_cdn_answers(browser, maps):
    loaded = open_map(browser, maps["cdn"], cdn_answers=True)
    assert loaded.page_errors == [] and loaded.console_errors == []
    # Only the CDN's two files were asked for: the tiles are off until a viewer turns them on.
    assert loaded.outside_requests() == sorted(map_assets._VENDORED)
    assert loaded.page.locator("path.planner-site").count() == N_OPEN_SITES
    assert loaded.page.locator("path.planner-hub").count() == N_OPEN_HUBS
    assert loaded.page.locator(".planner-cdn-note").count() == 0
    assert_no_xss(loaded)
    loaded.page.close()


def test_cdn_map_says_why_when_the_cdn_is_blocked(browser, maps):
    """Behind a firewall that blocks the CDN the page is not left blank without a word."""
    loaded = open_map(browser, maps["cdn"], wait_ready=False)
    note = loaded.page.locator(".planner-cdn-note")
    note.wait_for(state="visible", timeout=10_000)
    assert "could not load its map library" in note.inner_text()
    assert "without --cdn" in note.inner_text()
    assert any("L is not defined" in e for e in loaded.page_errors)
    loaded.page.close()


def test_layer_control_lists_the_layers(browser, maps):
    loaded = open_map(browser, maps["inlined"])
    labels = loaded.page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert [label.strip() for label in labels] == [
        "Regions: Population within 60 min of a static scanner",
        "Catchments (hull of the zones each site mainly serves)",
        "Demand zones",
        "Unmet demand",
        "FDG supply routes",
        "FDG suppliers",
        "Training hubs and their sites",
        "Existing sites closed in this plan",
        "Scanner sites",
        *BASEMAP_LAYERS,
    ]
    # Unticking a layer removes its markers from the page.
    loaded.page.get_by_text("Scanner sites", exact=True).click()
    assert loaded.page.locator("path.planner-site").count() == 0
    loaded.page.close()


def test_site_popup_shows_its_numbers(browser, maps):
    loaded = open_map(browser, maps["inlined"])
    page = loaded.page
    page.locator("path.planner-id-S1").click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    for expected in (
        "Royal Marsden PET-CT",
        "9,000",
        "7,450",
        "83%",
        "existing",
        "static",
        "London PET training hub",
        "Mount Vernon cyclotron",
    ):
        assert expected in text
    page.close()


def test_injected_names_render_as_text_and_run_nothing(browser, maps):
    loaded = open_map(browser, maps["inlined"])
    page = loaded.page
    assert XSS_TITLE in page.locator(".planner-title").inner_text()
    assert page.locator(".planner-title script").count() == 0
    # Centre the marker first: at the initial view the legend box can cover it.
    page.evaluate("plannerMap.setView([51.2802, 1.0789], 9, {animate: false})")
    page.locator("path.planner-id-S3").click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert XSS_SITE in popup.inner_text()
    assert popup.locator("img").count() == 0
    page.locator("path.planner-id-S3").hover()
    assert XSS_SITE in page.locator(".leaflet-tooltip").last.inner_text()
    # Region tooltips: hover an empty part of the toy East of England rectangle.
    page.locator(".leaflet-popup-close-button").click()
    page.evaluate("plannerMap.setView([52.6, 0.3], 8, {animate: false})")
    point = screen_point(page, 52.6, 0.3)
    page.mouse.move(point[0] - 5, point[1] - 5)
    page.mouse.move(*point, steps=3)
    page.wait_for_function(
        "[...document.querySelectorAll('.leaflet-tooltip')]"
        ".some(t => t.innerText.includes('East of England'))",
        timeout=5_000,
    )
    tips = page.locator(".leaflet-tooltip").all_inner_texts()
    assert any(XSS_REGION in t for t in tips)
    assert_no_xss(loaded)
    page.close()


def test_demand_zone_popup_suppresses_small_counts(browser, maps):
    """Zones are drawn on a canvas under the SVG markers; clicks must still reach them."""
    loaded = open_map(browser, maps["inlined"])
    page = loaded.page
    page.evaluate("plannerMap.setView([51.35, 0.5], 11, {animate: false})")
    page.mouse.click(*screen_point(page, 51.35, 0.5))
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert "Tiny hamlet" in text
    assert "Scans a year: <10" in text
    assert "Candidate" not in text
    page.close()


def test_comparison_map_in_the_browser(browser, maps):
    loaded = open_map(browser, maps["comparison"])
    page = loaded.page
    assert loaded.page_errors == [] and loaded.console_errors == []
    assert page.locator("path.planner-both").count() == 4
    assert page.locator("path.planner-only-a").count() == 1
    assert page.locator("path.planner-only-b").count() == 1
    page.locator("path.planner-id-S7").click()
    text = page.locator(".leaflet-popup-content").inner_text()
    assert "not open" in text and "Candidate Reading" in text
    assert_no_xss(loaded)
    page.close()


def test_fixture_national_map_loads_quickly(browser, maps):
    """A national plan built without solving (2,963 demand zones, every named site open)."""
    path = maps["national"]
    size_mb = path.stat().st_size / 1024 / 1024
    started = time.perf_counter()
    loaded = open_map(browser, path)
    wall = time.perf_counter() - started
    page = loaded.page
    assert loaded.page_errors == [] and loaded.console_errors == []
    plan = embedded_plan()
    assert page.locator("path.planner-site").count() == len(plan.sites)
    assert page.locator("path.planner-hub").count() == int(plan.hubs["open"].sum())
    print(
        f"\nnational map ({len(plan.demand):,} zones): {size_mb:.2f} MB, drawn "
        f"{loaded.ready_ms:.0f} ms after navigation ({wall:.2f} s wall, incl. page setup)"
    )
    assert size_mb < 5
    assert loaded.ready_ms < 10_000  # generous: a slow CI machine, not a performance claim
    page.close()


@pytest.mark.parametrize("which", ["run", "redrawn", "cdn"])
def test_planner_run_national_map(browser, national_run, which):
    """The map of a solved national plan, as 'planner run' writes it and as 'planner map'
    redraws it (with the old --offline, and with --cdn against a CDN that answers): light, no
    script errors, nothing asked of the network but the CDN's two files for --cdn, one marker
    per open site and hub as in the saved tables, a site's popup carrying its saved numbers;
    screenshot as a test artefact."""
    plan = national_run["plan"]
    path = national_run[which]
    sites = pd.read_csv(plan / "sites.csv", dtype={"site_id": str})
    sites["name"] = display_names(sites)
    # england_baseline plans no hubs: then there is no hubs.csv and no hub may be drawn.
    hubs_csv = plan / "hubs.csv"
    open_hubs = int(pd.read_csv(hubs_csv)["open"].sum()) if hubs_csv.exists() else 0
    opened = sites[sites["open"]]
    closed_existing = sites[sites["existing"] & ~sites["open"]]
    size_mb = path.stat().st_size / 1024 / 1024
    started = time.perf_counter()
    loaded = open_map(browser, path, cdn_answers=which == "cdn")
    wall = time.perf_counter() - started
    page = loaded.page
    assert loaded.page_errors == [] and loaded.console_errors == []
    expected = sorted(map_assets._VENDORED) if which == "cdn" else []
    assert loaded.outside_requests() == expected
    assert page.locator("path.planner-site").count() == len(opened)
    assert page.locator("path.planner-closed-site").count() == len(closed_existing)
    assert page.locator("path.planner-hub").count() == open_hubs
    print(
        f"\nplanner run national map ({which}): {size_mb:.2f} MB, {len(opened)} sites, "
        f"drawn {loaded.ready_ms:.0f} ms after navigation ({wall:.2f} s wall)"
    )
    assert size_mb < 5
    assert loaded.ready_ms < 10_000  # generous: a slow CI machine, not a performance claim

    busiest = opened.sort_values("capacity_scans").iloc[-1]
    page.wait_for_timeout(300)  # let the canvas finish drawing
    shot = ARTIFACTS / f"map_national_{which}.png"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000
    # The README's picture is refreshed on request only, so test runs leave the tree clean.
    if which == "run" and (
        not DOCS_IMAGE.exists() or os.environ.get("PLANNER_UPDATE_DOCS_IMAGE") == "1"
    ):
        DOCS_IMAGE.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, DOCS_IMAGE)

    page.evaluate(
        f"void plannerMap.setView([{busiest['lat']}, {busiest['lon']}], 12, {{animate: false}})"
    )
    page.locator(f"path.planner-id-{css_id(busiest['site_id'])}").click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert busiest["name"] in text
    assert f"{busiest['capacity_scans']:,.0f}" in text
    assert f"{busiest['utilisation']:.0%}" in text
    page.close()
