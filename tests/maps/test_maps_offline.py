"""The maps a planner shares, in headless Chromium with no network at all (issue 17).

The map 'make run' writes (``england_baseline`` solved by ``planner run``, session fixture
``national_run``) must draw every layer with Chromium cut off from the network
(:mod:`tests.helpers.browser`), show its place names, ask nothing of the network (counted by
Playwright and by the DevTools protocol), stay under 5 MB and draw in under 3 s; a 45-minute
scenario's map must say 45 minutes; online tiles, turned on where there is no internet, must say
so on the map.
"""

from __future__ import annotations

import re
import statistics
from pathlib import Path

import pandas as pd
import pytest

import planner
from planner.analysis.conversions import conversion, display_names
from planner.data import embedded
from planner.maps import save_comparison_map, save_plan_map
from planner.maps.basemap import town_rows
from planner.maps.text import css_id
from tests.helpers.browser import CHROMIUM, NO_CHROMIUM, open_map
from tests.helpers.plans import BASEMAP_LAYERS, region_shapes, small_plan
from tests.maps.test_map_scenarios import resized_plan

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

if CHROMIUM is None:
    pytest.skip(NO_CHROMIUM, allow_module_level=True)

TILES = BASEMAP_LAYERS[-1]


def _overlays(page) -> list[dict]:
    html = page.content()
    control = re.search(r"var (layer_control_\w+)_layers = \{", html).group(1)
    return page.evaluate(
        """(name) => {
            const count = (layer) => layer.getLayers
                ? layer.getLayers().reduce((n, l) => n + count(l), 0) : 1;
            const overlays = eval(name + "_layers").overlays;
            return Object.entries(overlays).map(([label, layer]) =>
                ({name: label, on: plannerMap.hasLayer(layer), shapes: count(layer)}));
        }""",
        control,
    )


def _painted(page) -> dict[str, int]:
    return page.evaluate(
        """() => {
            const out = {};
            document.querySelectorAll(".leaflet-pane canvas").forEach((c) => {
                const data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
                let painted = 0;
                for (let i = 3; i < data.length; i += 16) { if (data[i] > 0) { painted += 1; } }
                const pane = c.parentElement.className.split(" ").pop();
                out[pane] = (out[pane] || 0) + painted;
            });
            return out;
        }"""
    )


def _tick(page, name: str) -> None:
    page.locator(".leaflet-control-layers-overlays label").filter(has_text=name).locator(
        "input"
    ).click()


@pytest.fixture(scope="module")
def forty_five(tmp_path_factory) -> dict:
    """The North East planned to 98% within 45 minutes, and its map as 'make run' draws it."""
    plan = planner.run(
        "england_baseline", overrides={"access.minutes": 45, "data.regions": ["E12000001"]}
    )
    path = save_plan_map(plan, tmp_path_factory.mktemp("forty_five") / "map.html")
    return {"plan": plan, "path": path}


def test_make_run_map_draws_every_layer_with_no_network(browser, national_run):
    loaded = open_map(browser, national_run["run"])
    page = loaded.page
    assert loaded.page_errors == [] and loaded.console_errors == []
    # Every overlay but the online tiles, the hidden ones ticked on, holds shapes on the map.
    overlays = _overlays(page)
    names = [o["name"] for o in overlays]
    assert names[-3:] == list(BASEMAP_LAYERS)
    assert {"Scanner sites", "Place names", "Region and ICB boundaries"} <= set(names)
    assert any(n.startswith("Integrated Care Boards: Population within 60 min") for n in names)
    for overlay in overlays:
        if not overlay["on"] and overlay["name"] != TILES:
            _tick(page, overlay["name"])
    page.wait_for_timeout(300)
    for overlay in _overlays(page):
        if overlay["name"] == TILES:
            assert not overlay["on"], "online tiles must start off"
            continue
        assert overlay["on"] and overlay["shapes"] > 0, overlay
    # The land, the areas and the borders are painted on their canvases.
    painted = _painted(page)
    assert painted["leaflet-planner-land-pane"] > 10_000
    assert painted["leaflet-planner-areas-pane"] > 10_000
    assert painted["leaflet-planner-boundaries-pane"] > 500
    assert loaded.outside_requests() == []
    page.close()


def test_place_names_appear_by_zoom(browser, national_run):
    """The names drawn are exactly the towns shown at the map's zoom within its view."""
    loaded = open_map(browser, national_run["run"])
    page = loaded.page
    rows = town_rows(embedded.load_towns())

    def drawn() -> list[str]:
        return sorted(page.locator("span.planner-town").all_inner_texts())

    def expected() -> list[str]:
        zoom, (south, west, north, east) = page.evaluate(
            """() => { const b = plannerMap.getBounds().pad(0.1);
                return [plannerMap.getZoom(),
                        [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()]]; }"""
        )
        return sorted(
            r[2] for r in rows if r[4] <= zoom and south <= r[0] <= north and west <= r[1] <= east
        )

    national = drawn()
    assert "Manchester" in national and "Birmingham" in national and "London" in national
    assert national == expected()
    assert "Glossop" not in national
    page.evaluate("plannerMap.setView([53.45, -2.1], 10, {animate: false})")
    page.wait_for_timeout(200)
    county = drawn()
    assert "Glossop" in county and "Stockport" in county
    assert county == expected()
    # Names are text: none of them carries markup.
    assert page.locator("span.planner-town *").count() == 0
    page.close()


def test_make_run_map_is_light_and_draws_in_under_3_seconds(browser, national_run):
    path = national_run["run"]
    size_mb = path.stat().st_size / 1024 / 1024
    times = []
    for _ in range(3):
        loaded = open_map(browser, path)
        times.append(loaded.ready_ms)
        assert loaded.outside_requests() == []
        loaded.page.close()
    print(
        f"\nmake run map: {size_mb:.2f} MB, drawn in "
        f"{', '.join(f'{t:.0f}' for t in times)} ms after navigation"
    )
    assert size_mb < 5
    assert statistics.median(times) < 3000


def test_a_45_minute_scenario_map_says_45_minutes(browser, forty_five):
    loaded = open_map(browser, forty_five["path"])
    page = loaded.page
    assert loaded.page_errors == [] and loaded.outside_requests() == []
    title = page.locator(".planner-title").inner_text()
    share = forty_five["plan"].summary["share_within_minutes"]["45"]
    assert re.search(rf"Population within 45 min\s+{100 * share:.1f}% \(target 98%\)", title)
    legend = page.locator(".planner-legend").inner_text()
    assert "Population within 45 min of a static scanner" in legend
    assert "60 min" not in legend
    labels = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert "Regions: Population within 45 min of a static scanner" in [x.strip() for x in labels]
    assert any("Integrated Care Boards: Population within 45 min" in x for x in labels)
    page.close()


def test_online_tiles_say_when_they_cannot_load(browser, national_run):
    loaded = open_map(browser, national_run["run"])
    page = loaded.page
    note = page.locator(".planner-tile-note")
    assert not note.is_visible()
    _tick(page, TILES)
    note.wait_for(state="visible", timeout=10_000)
    assert "could not be loaded" in note.inner_text()
    # The tiles were asked for (and refused by the blocked network): that is what the note says.
    assert any("tile.openstreetmap.org" in u for u in loaded.outside_requests())
    _tick(page, TILES)
    assert not note.is_visible()
    page.close()


def test_converted_sites_read_as_what_they_become(browser, national_run):
    """england_baseline gives static scanners to sites the facts file lists as mobile visits
    (Sandwell, Lister in the plan of today): their markers say so."""
    sites = pd.read_csv(national_run["plan"] / "sites.csv", dtype={"site_id": str})
    converted = sites[[conversion(s) == "to static" for s in sites.to_dict("records")]]
    assert len(converted) >= 1
    loaded = open_map(browser, national_run["run"])
    page = loaded.page
    for site, name in zip(converted.to_dict("records"), display_names(converted), strict=True):
        assert "(static, converted from mobile" in name
        tip = page.evaluate(
            """(cls) => { let text = null; plannerMap.eachLayer((l) => {
                if (l.options && (l.options.className || "").split(" ").includes(cls)
                    && l.getTooltip()) { text = l.getTooltip().getContent(); } });
                return text; }""",
            f"planner-id-{css_id(site['site_id'])}",
        )
        assert tip == name.replace("&", "&amp;").replace("'", "&#x27;")
    page.close()


def test_resized_site_popup_in_the_browser(browser, tmp_path):
    path = save_comparison_map(
        small_plan(),
        resized_plan(),
        Path(tmp_path) / "comparison.html",
        labels=("Today", "Proposed"),
        regions=region_shapes(),
    )
    loaded = open_map(browser, path)
    page = loaded.page
    assert loaded.page_errors == [] and loaded.outside_requests() == []
    page.evaluate("plannerMap.setView([51.4894, -0.1706], 12, {animate: false})")
    page.locator("path.planner-resized.planner-id-S1").click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "Resized in Proposed: static scanners 2 → 1" in popup.inner_text()
    assert "in both, resized in Proposed" in page.locator(".planner-legend").inner_text()
    page.close()
