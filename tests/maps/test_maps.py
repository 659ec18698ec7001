"""Plan maps, checked in the generated HTML (no browser; see test_maps_browser.py for that)."""

from __future__ import annotations

import html
import json
import re

import pandas as pd
import pytest

from planner.errors import InputError
from planner.maps import (
    METRICS,
    comparison_map,
    plan_map,
    region_metric,
    save_comparison_map,
    save_plan_map,
)
from planner.maps import assets as map_assets
from planner.maps.assets import build_assets
from planner.maps.demand import aggregate_zones, plan_zones
from planner.maps.text import format_count
from tests.helpers.national import embedded_plan, national_plan
from tests.helpers.plans import (
    BASEMAP_LAYERS,
    N_OPEN_HUBS,
    N_OPEN_SITES,
    N_SUPPLIERS,
    XSS_OPERATOR,
    XSS_REGION,
    XSS_SITE,
    XSS_TITLE,
    alternative_plan,
    region_shapes,
    small_plan,
)

FIVE_MB = 5 * 1024 * 1024


def render(fmap) -> str:
    return fmap.get_root().render()


def classes(page: str) -> list[set[str]]:
    """The CSS classes given to each Leaflet path or icon (className / class_name options)."""
    found = re.findall(r'"className": "([^"]*)"', page)
    return [set(c.split()) for c in found]


def count(page: str, css_class: str) -> int:
    return sum(css_class in c for c in classes(page))


def point_rows(page: str) -> list[list[list]]:
    """The rows of each canvas point layer, in the order the layers were added."""
    return [json.loads(m) for m in re.findall(r"var rows = (\[.*?\]);\n", page)]


def overlay_names(page: str) -> list[str]:
    block = re.search(r"overlays :  \{(.*?)\}", page, re.S).group(1)
    return [json.loads(name) for name in re.findall(r'^\s*("(?:[^"\\]|\\.)*") :', block, re.M)]


@pytest.fixture(scope="module")
def small_html() -> str:
    return render(plan_map(small_plan(), regions=region_shapes()))


def test_markers_match_the_plan_tables(small_html):
    plan = small_plan()
    assert count(small_html, "planner-site") == int(plan.sites["open"].sum()) == N_OPEN_SITES
    assert count(small_html, "planner-hub") == int(plan.hubs["open"].sum()) == N_OPEN_HUBS
    assert count(small_html, "planner-supplier") == len(plan.suppliers) == N_SUPPLIERS
    closed = plan.sites[plan.sites["existing"] & ~plan.sites["open"]]
    assert count(small_html, "planner-closed-site") == len(closed) == 1
    # Fixed vs mobile and existing vs new are told apart by class (and colour/fill).
    assert count(small_html, "planner-static") == 3
    assert count(small_html, "planner-mobile") == 2
    assert count(small_html, "planner-new") == 2
    assert "planner-id-S7" not in small_html  # a candidate the plan did not open


def test_layers_are_listed_in_the_layer_control(small_html):
    assert overlay_names(small_html) == [
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


def test_demand_zones_unmet_and_catchments(small_html):
    zones, unmet = point_rows(small_html)
    assert len(zones) == len(small_plan().demand)
    assert sorted(r[3] for r in unmet) == ["Aldershot", "Dover"]
    # One hull per site that is the main site of at least one zone: S1, S2, S3, S4, S5.
    area_layers = [json.loads(x) for x in re.findall(r"L\.geoJson\((\{.*?\}), \{\n", small_html)]
    regions, hulls = (a for a in area_layers if a["type"] == "FeatureCollection")
    assert len(regions["features"]) == 3
    assert len(hulls["features"]) == 5


def test_data_text_is_escaped_everywhere(small_html):
    dangerous = ("<b onmouseover", "<script>alert", "<img src=x onerror")
    for raw in (XSS_SITE, XSS_TITLE, XSS_REGION, *dangerous):
        assert raw not in small_html
    # The title box is plain HTML: the title appears once, escaped, as text.
    assert html.escape(XSS_TITLE) in small_html
    # Popups and tooltips are JSON strings of escaped HTML ("<" written as \u003c by tojson).
    assert json.dumps(html.escape(XSS_SITE))[1:-1].replace("&", "\\u0026") in small_html
    # folium's Popup/Tooltip use JS template literals, where ${...} would run: none here.
    assert not re.search(r"`[^`]*\$\{alert\(4\)\}[^`]*`", small_html)
    assert "${alert(4)}" in small_html  # shown, inside a JSON string


def test_comparison_labels_are_escaped():
    page = render(
        comparison_map(
            small_plan(),
            alternative_plan(),
            labels=("Published <i>", "Optimised"),
            regions=region_shapes(),
        )
    )
    assert "Published <i>" not in page
    assert "Published &lt;i&gt;" in page
    # Layer-control names are inserted as HTML by Leaflet, so they are escaped too.
    assert "Sites only in Published &lt;i&gt;" in overlay_names(page)


def test_small_counts_are_suppressed(small_html):
    zones, unmet = point_rows(small_html)
    hamlet = next(r for r in zones if r[3] == "Tiny hamlet")
    assert hamlet[4] == "<10"  # 7 scans a year
    aldershot = next(r for r in unmet if r[3] == "Aldershot")
    assert aldershot[4] == "<10"  # 4 unmet scans
    # A suppressed zone is drawn the same size as one with exactly 10 scans.
    biggest = max(float(r[4].replace(",", "")) for r in zones if r[4] != "<10")
    assert hamlet[2] == round(1.5 + 6.5 * (10 / biggest) ** 0.5, 1)
    assert "Counts of scans from 1 to 9 are shown as" in small_html


def test_suppression_can_be_turned_off():
    page = render(plan_map(small_plan(), regions=region_shapes(), suppress_below=0))
    zones, unmet = point_rows(page)
    assert next(r for r in zones if r[3] == "Tiny hamlet")[4] == "7"
    assert next(r for r in unmet if r[3] == "Aldershot")[4] == "4"
    assert "no small-number suppression" in page


def test_format_count():
    assert format_count(0) == "0"
    assert format_count(0.4) == "0"  # rounds to 0: nothing to suppress
    assert format_count(1e-9) == "0"  # solver noise
    assert format_count(0.6) == "<10"
    assert format_count(9.4) == "<10"
    assert format_count(9.6) == "10"
    assert format_count(10) == "10"
    assert format_count(12345.4) == "12,345"
    assert format_count(None) == "–"
    assert format_count(3, suppress_below=5) == "<5"
    assert format_count(3, suppress_below=0) == "3"


def test_title_box_has_headline_figures(small_html):
    box = re.search(r'<div class="planner-box planner-title">(.*?)</div>\s*\n', small_html, re.S)
    text = box.group(1)
    for expected in ("95.5% (target 98%)", "17 min", ">5<", ">4<", "optimal"):
        assert expected in text
    assert "Not proven optimal" not in text


def test_title_box_shows_status_and_gap_when_not_optimal():
    page = render(plan_map(small_plan(status="time_limit"), regions=region_shapes()))
    assert "Not proven optimal: time_limit, gap 1.32%" in page


def test_cdn_map_links_only_leaflet():
    page = render(plan_map(small_plan(), regions=region_shapes(), cdn=True))
    scripts = re.findall(r'<script src="([^"]+)"', page)
    sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert scripts == [map_assets.LEAFLET_JS_URL]
    assert sheets == [map_assets.LEAFLET_CSS_URL]
    assert "(vendored)" not in page
    # When the CDN does not answer, the page says so in words (checked in the browser tests).
    assert 'typeof L === "undefined"' in page


def _tiles_layer(page: str) -> str:
    """The JavaScript name of the online tiles overlay (from the layer control)."""
    return re.search(r'"Online map tiles \(OpenStreetMap, needs internet\)" : (\w+)', page).group(1)


@pytest.mark.parametrize("offline", [None, True, False])
def test_map_references_no_network_by_default(small_html, offline):
    """Inlined is the default; ``offline`` is accepted, True or False, as a no-op."""
    page = (
        small_html
        if offline is None
        else render(plan_map(small_plan(), regions=region_shapes(), offline=offline))
    )
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+href=", page)
    assert not re.search(r"url\((['\"]?)(https?:|images/)", page)
    assert f"{map_assets.LEAFLET_JS_URL} (vendored)" in page
    assert "data:image/png;base64," in page  # Leaflet's layer-control icon, inlined
    # The one network address is the tile server of the online tiles overlay, which is off.
    assert page.count("L.tileLayer(") == 1
    assert f"{_tiles_layer(page)}.addTo(" not in page
    with pytest.raises(InputError, match="contradict"):
        plan_map(small_plan(), regions=region_shapes(), offline=True, cdn=True)


def test_vendored_assets_match_their_manifest():
    assert build_assets.check() == []
    licence = (map_assets.ASSETS_DIR / "leaflet" / "LICENSE").read_text()
    assert "Vladimir Agafonkin" in licence


@pytest.mark.parametrize("metric", METRICS)
def test_every_metric_draws(metric):
    page = render(plan_map(small_plan(), metric=metric, regions=region_shapes()))
    assert count(page, "planner-site") == N_OPEN_SITES


def test_region_metrics():
    plan = small_plan()
    shapes = region_shapes()
    assert region_metric(plan, "share_within_60")["E12000008"] == pytest.approx(0.962)
    demand = region_metric(plan, "demand", shapes)
    assert demand["E12000007"] == pytest.approx(1000 * 5850 / 8_799_800)
    utilisation = region_metric(plan, "utilisation", shapes)
    assert utilisation["E12000007"] == pytest.approx((7450 + 3900) / (9000 + 4500))
    with pytest.raises(InputError, match="unknown map metric"):
        plan_map(plan, metric="cost", regions=shapes)


def test_comparison_map_tells_sites_apart():
    a, b = small_plan(), alternative_plan()
    page = render(comparison_map(a, b, labels=("Published", "Optimised"), regions=region_shapes()))
    assert count(page, "planner-site") == 6
    assert count(page, "planner-both") == 4
    assert [c for c in classes(page) if "planner-only-a" in c][0] >= {"planner-id-S3"}
    assert [c for c in classes(page) if "planner-only-b" in c][0] >= {"planner-id-S7"}
    # Both plans' headline figures, side by side.
    assert "95.5% (target 98%)" in page and "97.0% (target 98%)" in page
    # South East improves from 96.2% to 97.5% within 60 minutes.
    assert "+1.3%" in page


def test_comparison_map_with_a_region_in_one_plan_only():
    # A plan of a smaller area (the partnership's lots) against a national one: regions outside
    # plan A have no difference to show, which must not break the map.
    a, b = small_plan(), alternative_plan()
    a.regions, b.regions = a.regions.iloc[:1], b.regions.iloc[:1]
    page = render(comparison_map(a, b, regions=region_shapes()))
    assert count(page, "planner-site") == 6


def test_saved_files(tmp_path):
    path = save_plan_map(
        small_plan(),
        tmp_path / "sub" / "map.html",
        regions=region_shapes(),
        metric="utilisation",
        offline=True,
    )
    assert path == tmp_path / "sub" / "map.html" and path.stat().st_size > 100_000
    other = save_comparison_map(
        small_plan(), alternative_plan(), tmp_path / "cmp.html", regions=region_shapes()
    )
    assert other.read_text().startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["cmp.html", "map.html", "sub"]


def test_national_map_is_light():
    """The embedded England dataset (32,844 LSOA zones, 42 sites, 15 hubs) on real region
    outlines: the zones are merged on a grid to at most 5,000 points, the map stays light."""
    plan = embedded_plan()
    inlined = render(plan_map(plan))
    cdn = render(plan_map(plan, cdn=True))
    assert len(inlined.encode()) < FIVE_MB and len(cdn.encode()) < FIVE_MB
    national, county = point_rows(inlined)[:2]  # the zones' two levels; then unmet demand
    assert len(plan.demand) == 32844
    assert 0 < len(national) <= 5000 < len(county) <= 20000
    assert "Demand zones (merged on a grid; finer from zoom 9)" in overlay_names(inlined)
    assert count(inlined, "planner-site") == len(plan.sites)


def test_dense_zones_are_merged_on_a_grid():
    plan = national_plan(n_zones=8000, n_sites=60)
    page = render(plan_map(plan, max_zone_points=2000, regions=region_shapes()))
    zones = point_rows(page)[0]
    assert 0 < len(zones) <= 2000
    assert "Demand zones (merged on a grid; finer from zoom 9)" in overlay_names(page)
    assert len(page.encode()) < FIVE_MB


def test_aggregate_zones_keeps_totals():
    zones = plan_zones(national_plan(n_zones=3000, n_sites=40))
    merged = aggregate_zones(zones, 500)
    assert len(merged) <= 500
    assert merged["scans"].sum() == pytest.approx(zones["scans"].sum())
    assert merged["unmet_scans"].sum() == pytest.approx(zones["unmet_scans"].sum())
    assert merged["n_zones"].sum() == len(zones)
    assert set(merged["main_site"].dropna()) <= set(zones["main_site"].dropna())
    assert aggregate_zones(zones, 5000) is zones


def test_operator_and_region_names_in_popups_are_escaped(small_html):
    assert XSS_OPERATOR in small_html  # no HTML in it; the JS-injection test covers ${...}
    # Region names reach the tooltip escaped; the raw tag never appears.
    assert "<b onmouseover" not in small_html
    assert "\\u0026lt;b onmouseover=alert(3)\\u0026gt;" in small_html


def test_icb_layer_draws_the_plans_icb_figures_escaped():
    """The ICB choropleth: one polygon per ICB of the plan's areas table, hidden at first, its
    tooltip giving the table's figures, its names escaped."""
    plan = small_plan()
    plan.areas = pd.DataFrame(
        {
            "level": ["region", "icb", "icb"],
            "code": ["E12000008", "E54000034", "E54000044"],
            "name": ["South East", "NHS Frimley Integrated Care Board", XSS_REGION],
            "population": [9_278_400, 800_000, 1_900_000],
            "scans": [33_000.0, 2_900.0, 6_700.0],
            "assigned_scans": [33_000.0, 2_900.0, 6_650.0],
            "unmet_scans": [0.0, 0.0, 50.0],
            "share_within_access": [0.97, 0.991, 0.914],
            "share_within_60": [0.97, 0.991, 0.914],
            "mean_minutes": [21.0, 18.0, 34.5],
            "access_minutes": [60.0, 60.0, 60.0],
        }
    )
    page = render(plan_map(plan, regions=region_shapes()))
    name = "Integrated Care Boards: Population within 60 min of a static scanner"
    assert name in overlay_names(page)
    layer = re.search(r'"' + re.escape(name) + r'" : (\w+)', page).group(1)
    assert f"{layer}.addTo(" not in page  # hidden until the planner ticks it
    assert "91.4%" in page and "99.1%" in page and "NHS Frimley ICB" in page
    assert "<b onmouseover" not in page
    without = small_plan()
    assert name not in overlay_names(render(plan_map(without, regions=region_shapes())))
