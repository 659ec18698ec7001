"""Interactive stakeholder maps of a plan, as one standalone HTML file (folium/Leaflet).

:func:`plan_map` draws one plan: a region choropleth (:mod:`planner.maps.regions`), scanner
sites (fixed or mobile, existing or new), training hubs linked to their sites, FDG suppliers
(:mod:`planner.maps.sites`), catchments, demand zones and unmet demand
(:mod:`planner.maps.demand`), with a title box of headline figures, a legend and a layer control.
:func:`planner.maps.comparison_map` draws two plans on one map (say today's named sites in an
area and the optimised network). :func:`save_plan_map` and :func:`planner.maps.save_comparison_map`
write them to disk.

Every map works where the NHS works: Leaflet is written into the page (``cdn=True`` links its CDN
instead, for a smaller file), and the basemap is the map's own (:mod:`planner.maps.basemap`:
England's land, region and ICB boundaries, place names), so a map opens and reads with no
network at all; online tiles are an overlay a viewer may turn on. The access metrics, the title
and the ICB layer follow the scenario's access minutes (:mod:`planner.maps.metrics`).

Choices that keep a national map light (the LSOA England, 32,844 zones, is about 2.1 MB):

* Catchments are the convex hull of the zones whose main site (the one taking most of a zone's
  scans) is that site: one polygon per open site, however many zones there are, where a line per
  zone would be thousands of lines crossing each other.
* Demand zones are drawn on one canvas from compact rows; above ``max_zone_points`` zones
  (default 5,000) they are merged on a grid, and on a finer one from county zoom on, made only
  when a viewer zooms in (see :mod:`planner.maps.demand`).
* Region outlines are simplified (``simplify_tolerance`` degrees) and every coordinate is rounded
  to 4 decimals (about 10 m).

Assumption (statistical disclosure): NHS practice for published activity counts is to suppress
small numbers (e.g. NHS Digital's HES rules suppress counts of 1 to 7; many NHS bodies use 1 to 9).
By default every displayed count of scans that rounds to 1 to 9 (below ``suppress_below``, 10) is
shown as ``"<10"``, and the size of its marker does not give the number away either. Counts are
rounded to whole scans. Pass ``suppress_below=0`` to show exact figures, e.g. for internal use.

All text that comes from data (site, zone, hub, supplier and region names, operators, scenario
titles, comparison labels) is HTML-escaped (:mod:`planner.maps.text`) before it reaches the page.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd

from planner.analysis.conversions import display_names
from planner.errors import InputError
from planner.files import write_file
from planner.maps.basemap import basemap_layers
from planner.maps.demand import (
    UNMET_COLOUR,
    ZONE_COLOUR,
    catchment_layer,
    plan_zones,
    zone_layers,
)
from planner.maps.icbs import icb_layer
from planner.maps.layers import AreaCanvas, HtmlBox, PlannerMap, ReadyMark
from planner.maps.metrics import Metric, metric_classes, plan_metric, region_metric
from planner.maps.regions import prepare_region_shapes, region_layer
from planner.maps.sites import (
    CLOSED,
    HUB,
    MOBILE,
    STATIC,
    closed_sites_layer,
    hub_layer,
    name_lookups,
    open_hubs,
    site_markers_layer,
    supplier_layers,
)
from planner.maps.text import (
    SUPPRESS_BELOW,
    circle_svg,
    escape,
    format_count,
    headline_rows,
    html_table,
    legend_row,
    minutes,
    number,
    pct,
    scale_rows,
    suppression_note,
)
from planner.plan import Plan

_ENGLAND_BOUNDS = [[49.9, -6.4], [55.8, 1.8]]
#: Marks a map (and ``report.html``) as planner's, so that it is the only kind of file an
#: output path may overwrite.
GENERATOR = '<meta name="generator" content="planner">'


# -- the map itself -------------------------------------------------------------------------------
def map_bounds(*frames: pd.DataFrame | None) -> list[list[float]]:
    """South-west and north-east corners around the points (``lat``, ``lon``) of ``frames``.

    Padded by 0.1 degree; England when no frame has a point.
    """
    points = [f[["lat", "lon"]] for f in frames if f is not None and len(f)]
    if not points:
        return _ENGLAND_BOUNDS
    both = pd.concat(points).astype(float)
    pad = 0.1
    return [
        [float(both["lat"].min()) - pad, float(both["lon"].min()) - pad],
        [float(both["lat"].max()) + pad, float(both["lon"].max()) + pad],
    ]


def base_map(bounds: list[list[float]], cdn: bool = False) -> tuple[PlannerMap, AreaCanvas]:
    """An empty map fitted to ``bounds`` on the maps' own basemap land, and the canvas its
    areas are drawn on.

    Parameters
    ----------
    bounds
        South-west and north-east corners (:func:`map_bounds`).
    cdn
        Link Leaflet from its CDN instead of inlining it (see :class:`PlannerMap`).
    """
    centre = [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
    fmap = PlannerMap(
        cdn=cdn,
        location=centre,
        zoom_start=6,
        # No tiles at first: the basemap is the map's own (planner.maps.basemap); online tiles
        # are an overlay a viewer may turn on.
        tiles=None,
        control_scale=True,
        zoom_snap=0.25,  # fit England to the window rather than to the nearest whole zoom
    )
    canvas = AreaCanvas(bounds)
    fmap.add_child(canvas)
    return fmap, canvas


def finish_map(fmap: PlannerMap, title: HtmlBox, legend: HtmlBox) -> PlannerMap:
    """Add the basemap's boundaries, place names and online tiles, the layer control, the title
    and legend boxes and the ready mark: the last steps of every map."""
    land, layers = basemap_layers()
    fmap.add_child(land)
    for layer in layers:
        fmap.add_child(layer)
    folium.LayerControl(collapsed=False, position="topright").add_to(fmap)
    fmap.add_child(title)
    fmap.add_child(legend)
    fmap.add_child(ReadyMark())
    fmap.get_root().header.add_child(folium.Element(GENERATOR), name="generator", index=0)
    return fmap


def is_planner_map(path: str | os.PathLike) -> bool:
    """Whether the file at ``path`` is a map planner wrote (:data:`GENERATOR` in its head, or
    in a map from before it the basemap's pane ``planner-land``): ``planner map --out`` and
    ``planner run --map`` overwrite only such a file."""
    try:
        with open(path, "rb") as fh:
            text = fh.read()
    except OSError:
        return False
    return GENERATOR.encode() in text[: 1 << 16] or b'"planner-land"' in text


def check_offline(offline: bool | None, cdn: bool) -> None:
    """``offline`` is the old name of the default (inlined scripts); with ``cdn`` it contradicts."""
    if offline and cdn:
        raise InputError("offline=True and cdn=True contradict each other", field="cdn")


def write_map(fmap: folium.Map, path: str | os.PathLike) -> Path:
    """Write the map beside its destination and move it into place, so that a reader never
    sees a half-written file."""
    return write_file(path, lambda tmp: fmap.save(str(tmp)))


# -- parts of a plan map --------------------------------------------------------------------------
def _region_rows(
    plan: Plan, spec: Metric, values: pd.Series, suppress_below: int
) -> Callable[[str], list[tuple[str, str]]]:
    """The tooltip rows of a region (by region_code): its metric and headline figures."""
    regions_table = plan.regions.set_index(plan.regions["region_code"].astype(str))

    def region_rows(code: str) -> list[tuple[str, str]]:
        if code not in regions_table.index:
            return [("No data in this plan", "")]
        r = regions_table.loc[code]
        rows = [
            (spec.label, spec.fmt(values.get(code))),
            ("Residents", number(r.get("population"))),
            ("Scans a year", format_count(r.get("demand_scans"), suppress_below)),
            ("Unmet scans", format_count(r.get("unmet_scans"), suppress_below)),
            ("Mean travel", minutes(r.get("mean_travel_minutes"))),
        ]
        if spec.minutes != 60 and "share_within_60" in r:
            rows.append(("Within 60 min", pct(r.get("share_within_60"))))
        return rows

    return region_rows


def _add_demand_layers(
    fmap: folium.Map,
    zones: pd.DataFrame,
    sites: pd.DataFrame,
    canvas: AreaCanvas,
    suppress_below: int,
    max_zone_points: int,
) -> bool:
    """Add catchments, demand zones and unmet demand to ``fmap``; whether any demand is unmet."""
    catchments = catchment_layer(zones, sites, canvas, suppress_below)
    if catchments is not None:
        fmap.add_child(catchments)
    site_names = dict(zip(sites["site_id"], sites["name"].astype(str), strict=True))
    zone_layer, unmet_layer, _ = zone_layers(
        zones, site_names, canvas, suppress_below, max_zone_points
    )
    fmap.add_child(zone_layer)
    if unmet_layer is not None:
        fmap.add_child(unmet_layer)
    return unmet_layer is not None


def _add_network_layers(
    fmap: folium.Map, plan: Plan, open_sites: pd.DataFrame, suppress_below: int
) -> tuple[bool, bool]:
    """Add FDG supply routes, suppliers and training hubs to ``fmap``.

    Returns
    -------
    tuple of bool
        Whether suppliers were drawn, and whether hubs were.
    """
    supplier_markers, supply_routes = supplier_layers(plan, open_sites)
    if supply_routes is not None:
        fmap.add_child(supply_routes)
    if supplier_markers is not None:
        fmap.add_child(supplier_markers)
    hubs = open_hubs(plan) is not None
    if hubs:
        fmap.add_child(hub_layer(plan, open_sites, suppress_below))
    return supplier_markers is not None, hubs


def _title_box(plan: Plan, suppress_below: int) -> HtmlBox:
    """The plan's title, scenario, a warning if not proven optimal, and its headline figures."""
    summary = plan.summary
    rows = headline_rows(summary, suppress_below)
    warning = ""
    if str(summary.get("status")) != "optimal":
        warning = f'<div class="planner-warning">Not proven optimal: {escape(rows[0][1])}</div>'
    scenario = summary.get("scenario")
    sub = f"<div>Scenario: {escape(scenario)}</div>" if scenario and scenario != plan.title else ""
    return HtmlBox(
        f"<h1>{escape(plan.title)}</h1>{sub}{warning}{html_table(None, rows)}"
        + suppression_note(suppress_below),
        "planner-title",
    )


def _legend(
    spec: Metric,
    labels: list[str],
    no_data: bool,
    *,
    closed_sites: bool,
    hubs: bool,
    suppliers: bool,
    unmet: bool,
) -> HtmlBox:
    """The legend: the region colour scale, the site symbols and the optional layers drawn.

    Parameters
    ----------
    spec, labels
        The region metric and its class labels.
    no_data
        Whether some region has no value (adds a "no data" swatch).
    closed_sites, hubs, suppliers, unmet
        Whether the map has those layers; the legend lists only the ones it has.
    """
    legend = [f"<h2>{escape(spec.label)}</h2>"]
    legend += scale_rows(labels, spec.palette, no_data)
    legend.append("<h2>Scanner sites (size: scanners)</h2>")
    legend += [
        legend_row(circle_svg(STATIC, "#1a1a1a"), "static, existing"),
        legend_row(circle_svg("#ffffff", STATIC, 3), "static, new"),
        legend_row(circle_svg(MOBILE, "#1a1a1a"), "mobile, existing"),
        legend_row(circle_svg("#ffffff", MOBILE, 3), "mobile, new"),
    ]
    if closed_sites:
        legend.append(legend_row(circle_svg("#ffffff", CLOSED, 2, 5, "2 2"), "existing, closed"))
    legend.append("<h2>Other layers</h2>")
    if hubs:
        legend.append(legend_row(circle_svg("none", HUB, 3, 7), "training hub (ring)"))
    if suppliers:
        diamond = '<span class="planner-supplier-icon" style="margin:3px"></span>'
        legend.append(legend_row(diamond, "FDG supplier"))
    zone_symbol = circle_svg("#8c8c8c", ZONE_COLOUR, 0.5, 4)
    legend.append(legend_row(zone_symbol, "demand zone (size: scans)"))
    if unmet:
        legend.append(legend_row(circle_svg(UNMET_COLOUR, "#7f0000", 1, 5), "unmet demand"))
    return HtmlBox("".join(legend), "planner-legend")


# -- public API -----------------------------------------------------------------------------------
def plan_map(
    plan: Plan,
    *,
    metric: str = "access",
    cdn: bool = False,
    offline: bool | None = None,
    suppress_below: int = SUPPRESS_BELOW,
    regions: gpd.GeoDataFrame | None = None,
    max_zone_points: int = 5000,
    simplify_tolerance: float = 0.005,
) -> folium.Map:
    """Draw a plan as an interactive map.

    Parameters
    ----------
    plan
        The solved plan.
    metric
        What colours the regions (:data:`planner.maps.metrics.METRICS`): ``"access"`` (share of
        residents within the scenario's access minutes of a static scanner, the default),
        ``"share_within_30"`` ... ``"share_within_90"`` (the same at a fixed time),
        ``"population"``, ``"demand"`` (scans a year per 1,000 residents) or ``"utilisation"``
        (assigned scans over capacity of the region's open sites).
    cdn
        Link Leaflet from its CDN (a smaller file that needs the internet); by default it is
        written into the page, so the file opens with no network.
    offline
        Accepted for old callers: inlining is the default; ``offline=True`` with ``cdn=True``
        is an error.
    suppress_below
        Scan counts above 0 and below this are shown as ``"<N"`` (default 10; see the module
        docstring for the assumption); 0 shows exact counts.
    regions
        Region polygons with ``region_code`` (and ``region_name``, ``population``); default
        :func:`planner.data.embedded.load_regions`.
    max_zone_points
        Above this many demand zones, zones are merged on a grid (:func:`aggregate_zones`), and
        on a finer one from county zoom on (:func:`planner.maps.demand.zone_levels`).
    simplify_tolerance
        Tolerance, in degrees, for simplifying region outlines (0 keeps them as they are).

    Returns
    -------
    folium.Map
        Layers, in drawing order: the basemap's land, region choropleth, ICB choropleth of the
        share within the access minutes (hidden at first; when the plan has ICB figures),
        catchments (hidden at first), demand zones, unmet demand, FDG supply routes (hidden),
        FDG suppliers, training hubs with links to their sites, existing sites the plan closes,
        scanner sites; the basemap's region and ICB boundaries and place names
        (``span.planner-town``), and online tiles (off at first). Site markers carry the CSS
        classes ``planner-site``, ``planner-static``/``planner-mobile``,
        ``planner-existing``/``planner-new``, ``planner-converted`` (a site the plan converts,
        named for what it becomes) and ``planner-id-<site_id>``; hubs ``planner-hub``;
        suppliers ``planner-supplier``.

    Raises
    ------
    InputError
        For an unknown metric, region shapes without ``region_code``, or ``offline`` with
        ``cdn``.
    """
    check_offline(offline, cdn)
    spec = plan_metric(plan, metric)
    suppress_below = max(int(suppress_below), 0)
    shapes = prepare_region_shapes(regions, simplify_tolerance)
    lookups = name_lookups(plan, shapes)
    sites = plan.sites.copy()
    sites["site_id"] = sites["site_id"].astype(str)
    sites["name"] = display_names(sites)
    open_sites = sites[sites["open"]]
    zones = plan_zones(plan)
    fmap, canvas = base_map(map_bounds(open_sites, zones), cdn)

    values = region_metric(plan, spec, shapes)
    edges, labels = metric_classes(values, spec)
    rows = _region_rows(plan, spec, values, suppress_below)
    names = pd.Series(lookups["region_code"])
    label = f"Regions: {spec.label}"
    fmap.add_child(region_layer(shapes, names, values, edges, spec.palette, rows, canvas, label))
    icbs = icb_layer(plan, canvas, suppress_below, simplify_tolerance=simplify_tolerance)
    if icbs is not None:
        fmap.add_child(icbs)
    unmet = _add_demand_layers(fmap, zones, sites, canvas, suppress_below, max_zone_points)
    suppliers, hubs = _add_network_layers(fmap, plan, open_sites, suppress_below)
    closed = closed_sites_layer(sites)
    if closed is not None:
        fmap.add_child(closed)
    fmap.add_child(site_markers_layer(open_sites, lookups, suppress_below))

    no_data = bool(values.reindex(shapes["region_code"]).isna().any())
    layers = {"closed_sites": closed is not None, "hubs": hubs, "suppliers": suppliers}
    legend = _legend(spec, labels, no_data, **layers, unmet=unmet)
    return finish_map(fmap, _title_box(plan, suppress_below), legend)


def save_plan_map(plan: Plan, path: str | os.PathLike, **kwargs) -> Path:
    """Draw a plan with :func:`plan_map` (``kwargs`` are its options) and write it to ``path``.

    Returns
    -------
    pathlib.Path
        The HTML file written: standalone, and unless ``cdn=True`` needing no network.
    """
    return write_map(plan_map(plan, **kwargs), path)
