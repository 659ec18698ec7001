"""Interactive stakeholder maps of a plan, as one standalone HTML file (folium/Leaflet).

:func:`plan_map` draws one plan: a region choropleth, scanner sites (fixed or mobile, existing or
new), training hubs linked to their sites, FDG suppliers, catchments, demand zones and unmet
demand, with a title box of headline figures, a legend and a layer control.
:func:`comparison_map` draws two plans on one map (say the partnership's published network and
the optimised one). :func:`save_plan_map` and :func:`save_comparison_map` write them to disk.

Choices that keep a national map light (a 3,000-zone plan is well under 1 MB):

* Catchments are the convex hull of the zones whose main site (the one taking most of a zone's
  scans) is that site: one polygon per open site, however many zones there are, where a line per
  zone would be thousands of lines crossing each other.
* Demand zones are drawn on one canvas from compact rows; above ``max_zone_points`` zones
  (default 5,000) they are merged on a grid, which also keeps LSOA-scale plans (about 33,000
  zones) openable (see :mod:`planner.maps.demand`).
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

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import mapping

from planner.errors import InputError
from planner.maps.demand import (
    UNMET_COLOUR,
    ZONE_COLOUR,
    catchment_layer,
    plan_zones,
    zone_layers,
)
from planner.maps.layers import (
    AreaCanvas,
    Bind,
    GeoJsonAreas,
    HtmlBox,
    PlannerMap,
    ReadyMark,
    round_geometry,
)
from planner.maps.text import (
    NO_DATA,
    SUPPRESS_BELOW,
    circle_svg,
    css_id,
    escape,
    format_count,
    headline_rows,
    html_table,
    is_missing,
    legend_row,
    minutes,
    number,
    pct,
    scale_rows,
    suppression_note,
)
from planner.plan import Plan
from planner.reports.files import write_file

METRICS = ("share_within_60", "population", "demand", "utilisation")

_STATIC, _MOBILE, _CLOSED = "#1f4e9c", "#e07b00", "#7f7f7f"
_HUB, _SUPPLY = "#7b3294", "#1a9850"
_BOTH, _ONLY_A, _ONLY_B = "#4d4d4d", "#d95f02", "#1b9e77"
_DIVERGING = ("#ca0020", "#f4a582", "#f7f7f7", "#92c5de", "#0571b0")

_ENGLAND_BOUNDS = [[49.9, -6.4], [55.8, 1.8]]


# -- metrics --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Metric:
    key: str
    label: str
    fmt: Callable[[float], str]
    edges: tuple[float, ...] | None  # fixed class edges; None for equal intervals of the data
    palette: tuple[str, ...]


_METRICS = {
    "share_within_60": _Metric(
        "share_within_60",
        "Population within 60 min of a static scanner",
        lambda v: pct(v),
        (0.80, 0.90, 0.95, 0.98),  # 98% in 60 min is the partnership's access target
        ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"),
    ),
    "population": _Metric(
        "population",
        "Residents",
        lambda v: number(v),
        None,
        ("#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f"),
    ),
    "demand": _Metric(
        "demand",
        # A rate, not a total: regions differ threefold in size, and totals would only map that.
        "PET-CT scans a year per 1,000 residents",
        lambda v: number(v, 1),
        None,
        ("#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c"),
    ),
    "utilisation": _Metric(
        "utilisation",
        "Utilisation of scanner capacity",
        lambda v: pct(v, 0),
        (0.50, 0.70, 0.85, 0.95),
        ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"),
    ),
}


def _check_metric(metric: str) -> _Metric:
    if metric not in _METRICS:
        raise InputError(
            f"unknown map metric {metric!r}; expected one of {', '.join(METRICS)}", field="metric"
        )
    return _METRICS[metric]


def region_metric(plan: Plan, metric: str, shapes: gpd.GeoDataFrame | None = None) -> pd.Series:
    """The value of ``metric`` for each region of a plan, indexed by region_code.

    Parameters
    ----------
    plan
        The plan.
    metric
        One of :data:`METRICS`: ``share_within_60`` (fraction of residents), ``population``,
        ``demand`` (scans a year per 1,000 residents) or ``utilisation`` (assigned scans over
        capacity of the region's open sites).
    shapes
        Region polygons, used for residents missing from the plan's regions table and to place
        sites that have no region_code.
    """
    _check_metric(metric)
    regions = plan.regions.set_index(plan.regions["region_code"].astype(str))

    def column(table: pd.DataFrame, name: str) -> pd.Series:
        # A missing column maps as "no data" rather than failing the whole map.
        values = table[name] if name in table else pd.Series(np.nan, index=table.index)
        return pd.to_numeric(values, errors="coerce").astype(float)

    if metric == "share_within_60":
        return column(regions, "share_within_60")
    population = column(regions, "population")
    if population.isna().all() and shapes is not None and "population" in shapes:
        population = column(shapes.set_index("region_code"), "population").reindex(regions.index)
    if metric == "population":
        return population
    if metric == "demand":
        return 1000 * column(regions, "demand_scans") / population.replace(0, np.nan)
    sites = plan.open_sites.copy()
    if "region_code" not in sites or sites["region_code"].isna().any():
        sites = _sites_with_regions(sites, shapes)
    grouped = sites.groupby(sites["region_code"].astype(str))
    capacity = grouped["capacity_scans"].sum()
    return (grouped["assigned_scans"].sum() / capacity.replace(0, np.nan)).astype(float)


def _sites_with_regions(sites: pd.DataFrame, shapes: gpd.GeoDataFrame | None) -> pd.DataFrame:
    """Fill missing region codes of sites from the polygon each lies in."""
    if shapes is None:
        return sites.assign(region_code=sites.get("region_code"))
    points = gpd.GeoDataFrame(
        sites, geometry=gpd.points_from_xy(sites["lon"], sites["lat"]), crs="EPSG:4326"
    )
    joined = gpd.sjoin(points, shapes[["region_code", "geometry"]], how="left", predicate="within")
    joined = joined[~joined.index.duplicated()]
    found = joined["region_code_right"] if "region_code_right" in joined else joined["region_code"]
    out = sites.copy()
    out["region_code"] = out.get("region_code", pd.Series(None, index=out.index, dtype=object))
    out["region_code"] = out["region_code"].fillna(found)
    return out


def _classes(values: pd.Series, metric: _Metric) -> tuple[list[float], list[str]]:
    """Class edges (inner boundaries) and their legend labels."""
    if metric.edges is not None:
        edges = list(metric.edges)
    else:
        finite = values.dropna()
        low, high = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
        if high <= low:
            high = low + 1
        step = (high - low) / len(metric.palette)
        edges = [low + step * i for i in range(1, len(metric.palette))]
    labels = [f"below {metric.fmt(edges[0])}"]
    labels += [f"{metric.fmt(a)} to {metric.fmt(b)}" for a, b in zip(edges, edges[1:])]  # noqa: B905
    labels.append(f"{metric.fmt(edges[-1])} or more")
    return edges, labels


def _colour(value: float, edges: list[float], palette: Sequence[str]) -> str:
    if is_missing(value):
        return NO_DATA
    return palette[int(np.searchsorted(edges, value, side="right"))]


# -- region shapes --------------------------------------------------------------------------------
def _region_shapes(regions: gpd.GeoDataFrame | None, tolerance: float) -> gpd.GeoDataFrame:
    if regions is None:
        from planner.data.embedded import load_regions

        regions = load_regions()
    if not isinstance(regions, gpd.GeoDataFrame) or "region_code" not in regions:
        raise InputError(
            "region shapes must be a GeoDataFrame with a region_code column", source="regions"
        )
    shapes = regions.to_crs("EPSG:4326") if regions.crs else regions.set_crs("EPSG:4326")
    shapes = shapes.copy()
    shapes["region_code"] = shapes["region_code"].astype(str)
    if tolerance > 0:
        shapes["geometry"] = shapes.geometry.simplify(tolerance, preserve_topology=True)
    shapes["geometry"] = [round_geometry(g) for g in shapes.geometry]
    return shapes


def _region_layer(
    shapes: gpd.GeoDataFrame,
    names: pd.Series,
    values: pd.Series,
    edges: list[float],
    palette: Sequence[str],
    tip_rows: Callable[[str], list[tuple[str, ...]]],
    canvas: AreaCanvas,
    layer_name: str,
    header: Sequence[str] = (),
) -> GeoJsonAreas:
    features = []
    for row in shapes.itertuples():
        code = row.region_code
        name = names.get(code) or getattr(row, "region_name", None) or code
        style = {
            "color": "#555555",
            "weight": 1,
            "fillColor": _colour(values.get(code), edges, palette),
            "fillOpacity": 0.6,
        }
        features.append(
            {
                "type": "Feature",
                "geometry": mapping(row.geometry),
                "properties": {"style": style, "tip": html_table(name, tip_rows(code), header)},
            }
        )
    return GeoJsonAreas(
        {"type": "FeatureCollection", "features": features},
        canvas,
        name=escape(layer_name),
        highlight=True,
    )


# -- sites, hubs, suppliers -----------------------------------------------------------------------
def _is_static(site) -> bool:
    return float(site.get("fixed_scanners", 0) or 0) > 0


def _site_radius(site) -> float:
    if _is_static(site):
        units = float(site.get("fixed_scanners", 0) or 0)
    else:  # a mobile unit five days a week counts as one scanner
        units = float(site.get("mobile_days", 0) or 0) / 5
    return round(5 + 3 * math.sqrt(max(units, 0.2)), 1)


def _site_rows(site, lookups: dict[str, dict[str, str]], suppress_below: int) -> list[tuple]:
    rows = [
        ("Site id", str(site["site_id"])),
        ("Status", "existing" if bool(site.get("existing")) else "new"),
        ("Kind", "static" if _is_static(site) else "mobile"),
        ("Fixed scanners", number(site.get("fixed_scanners"))),
        ("Mobile days a week", number(site.get("mobile_days"), 1)),
        ("Capacity, scans a year", number(site.get("capacity_scans"))),
        ("Assigned scans a year", format_count(site.get("assigned_scans"), suppress_below)),
        ("Utilisation", pct(site.get("utilisation"), 0)),
    ]
    for column, label in (
        ("region_code", "Region"),
        ("hub_id", "Training hub"),
        ("supplier_id", "FDG supplier"),
    ):
        value = site.get(column)
        if not is_missing(value) and str(value):
            rows.append((label, lookups.get(column, {}).get(str(value), str(value))))
    return rows


def _site_marker(site, kind: str, rows: list[tuple], extra_class: str) -> folium.CircleMarker:
    existing = bool(site.get("existing"))
    colour = _STATIC if kind == "static" else _MOBILE
    marker = folium.CircleMarker(
        location=[round(float(site["lat"]), 5), round(float(site["lon"]), 5)],
        radius=_site_radius(site),
        # Existing sites are solid with a dark rim; new ones are hollow rings in the same colour.
        color="#1a1a1a" if existing else colour,
        weight=1.5 if existing else 3,
        fill=True,
        fill_color=colour if existing else "#ffffff",
        fill_opacity=0.9,
        class_name=f"planner-site {extra_class} planner-id-{css_id(site['site_id'])}",
    )
    marker.add_child(Bind(tooltip=escape(site["name"]), popup=html_table(site["name"], rows)))
    return marker


def _lookups(plan: Plan, shapes: gpd.GeoDataFrame) -> dict[str, dict[str, str]]:
    """id -> display name, for the ids that sites refer to."""
    out: dict[str, dict[str, str]] = {}
    names = dict(
        zip(shapes["region_code"], shapes.get("region_name", shapes["region_code"]), strict=True)
    )
    table = plan.regions
    codes = table["region_code"].astype(str)
    names.update(zip(codes, table.get("region_name", codes), strict=True))
    out["region_code"] = {k: str(v) for k, v in names.items()}
    if plan.hubs is not None:
        out["hub_id"] = dict(zip(plan.hubs["hub_id"].astype(str), plan.hubs["name"], strict=True))
    if plan.suppliers is not None:
        out["supplier_id"] = dict(
            zip(plan.suppliers["supplier_id"].astype(str), plan.suppliers["name"], strict=True)
        )
    return out


def _open_hubs(plan: Plan) -> pd.DataFrame | None:
    if plan.hubs is None or plan.hubs.empty:
        return None
    hubs = plan.hubs
    if "open" in hubs:
        hubs = hubs[hubs["open"].astype(str).str.lower().isin(["true", "1", "1.0"])]
    return hubs


def _spokes(
    centre: dict, members: pd.DataFrame, colour: str, css_class: str, title: str, **style
) -> folium.PolyLine:
    """Lines from ``centre`` (a hub or supplier) to each of ``members`` (sites), as one layer."""
    here = [round(float(centre["lat"]), 5), round(float(centre["lon"]), 5)]
    segments = [
        [here, [round(float(lat), 5), round(float(lon), 5)]]
        for lat, lon in zip(members["lat"], members["lon"], strict=True)
    ]
    line = folium.PolyLine(
        segments, color=colour, weight=2, opacity=0.8, class_name=css_class, **style
    )
    names = ", ".join(sorted(members["name"].astype(str)))
    line.add_child(Bind(tooltip=f"<b>{escape(title)}</b><br>{escape(names)}"))
    return line


def _hub_layer(plan: Plan, open_sites: pd.DataFrame, suppress_below: int) -> folium.FeatureGroup:
    hubs = _open_hubs(plan)
    layer = folium.FeatureGroup(name="Training hubs and their sites")
    if hubs is None:
        return layer
    hub_ids = set(hubs["hub_id"].astype(str))
    if "hub_id" in open_sites:
        # One multi-line per hub rather than one line per link; lines first, under the rings.
        linked = open_sites[open_sites["hub_id"].astype(str).isin(hub_ids)]
        for hub in hubs.to_dict("records"):
            members = linked[linked["hub_id"].astype(str) == str(hub["hub_id"])]
            if members.empty:
                continue
            layer.add_child(
                _spokes(
                    hub,
                    members,
                    _HUB,
                    "planner-hub-link",
                    f"Sites training at {hub['name']}",
                    dash_array="5 4",
                )
            )
    for hub in hubs.to_dict("records"):
        rows = [
            ("Hub id", str(hub["hub_id"])),
            ("Linked sites", number(hub.get("linked_sites"))),
            ("Scanners in its network", number(hub.get("scanners"))),
            (
                "Trainees",
                f"{number(hub.get('trainee_load'), 1)} of {number(hub.get('trainee_capacity'), 1)}",
            ),
            ("Network scans a year", format_count(hub.get("network_scans"), suppress_below)),
        ]
        marker = folium.CircleMarker(
            location=[round(float(hub["lat"]), 5), round(float(hub["lon"]), 5)],
            radius=15,
            color=_HUB,
            weight=3,
            fill=False,  # a ring: the site inside it stays clickable
            class_name=f"planner-hub planner-id-{css_id(hub['hub_id'])}",
        )
        tooltip = escape(f"Training hub: {hub['name']}")
        marker.add_child(Bind(tooltip=tooltip, popup=html_table(hub["name"], rows)))
        layer.add_child(marker)
    return layer


def _supplier_layers(
    plan: Plan, open_sites: pd.DataFrame
) -> tuple[folium.FeatureGroup | None, folium.FeatureGroup | None]:
    suppliers = plan.suppliers
    if suppliers is None or suppliers.empty:
        return None, None
    markers = folium.FeatureGroup(name="FDG suppliers")
    for sup in suppliers.to_dict("records"):
        rows = [
            ("Supplier id", str(sup["supplier_id"])),
            ("Operator", str(sup.get("operator", "") or "–")),
            ("Status", str(sup.get("status", "") or "–")),
            ("Sites supplied", number(sup.get("sites_supplied"))),
        ]
        marker = folium.Marker(
            location=[round(float(sup["lat"]), 5), round(float(sup["lon"]), 5)],
            icon=folium.DivIcon(
                html='<div class="planner-supplier-icon"></div>',
                icon_size=(16, 16),
                icon_anchor=(8, 8),
                class_name=f"planner-supplier planner-id-{css_id(sup['supplier_id'])}",
            ),
        )
        tooltip = escape(f"FDG supplier: {sup['name']}")
        marker.add_child(Bind(tooltip=tooltip, popup=html_table(sup["name"], rows)))
        markers.add_child(marker)
    routes = None
    if "supplier_id" in open_sites:
        at = suppliers.set_index(suppliers["supplier_id"].astype(str))
        linked = open_sites[open_sites["supplier_id"].astype(str).isin(at.index)]
        if len(linked):
            routes = folium.FeatureGroup(name="FDG supply routes", show=False)
            for sup in suppliers.to_dict("records"):
                members = linked[linked["supplier_id"].astype(str) == str(sup["supplier_id"])]
                if len(members):
                    routes.add_child(
                        _spokes(
                            sup,
                            members,
                            _SUPPLY,
                            "planner-supply-route",
                            f"Sites supplied by {sup['name']}",
                        )
                    )
    return markers, routes


# -- title and legend -----------------------------------------------------------------------------
def _title_box(plan: Plan, suppress_below: int) -> HtmlBox:
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


# -- public API -----------------------------------------------------------------------------------
def _bounds(*frames: pd.DataFrame | None) -> list[list[float]]:
    points = [f[["lat", "lon"]] for f in frames if f is not None and len(f)]
    if not points:
        return _ENGLAND_BOUNDS
    both = pd.concat(points).astype(float)
    pad = 0.1
    return [
        [float(both["lat"].min()) - pad, float(both["lon"].min()) - pad],
        [float(both["lat"].max()) + pad, float(both["lon"].max()) + pad],
    ]


def _base_map(offline: bool, bounds: list[list[float]]) -> tuple[PlannerMap, AreaCanvas]:
    centre = [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
    fmap = PlannerMap(
        offline=offline,
        location=centre,
        zoom_start=6,
        # Offline there is no tile server: the region polygons are the base map.
        tiles=None if offline else "OpenStreetMap",
        control_scale=True,
        zoom_snap=0.25,  # fit England to the window rather than to the nearest whole zoom
    )
    canvas = AreaCanvas(bounds)
    fmap.add_child(canvas)
    return fmap, canvas


def plan_map(
    plan: Plan,
    *,
    metric: str = "share_within_60",
    offline: bool = False,
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
        What colours the regions: ``"share_within_60"`` (share of residents within 60 minutes of
        a static scanner), ``"population"``, ``"demand"`` (scans a year per 1,000 residents) or
        ``"utilisation"`` (assigned scans over capacity of the region's open sites).
    offline
        Inline Leaflet and draw no tiles, so the file opens with no network.
    suppress_below
        Scan counts above 0 and below this are shown as ``"<N"`` (default 10; see the module
        docstring for the assumption); 0 shows exact counts.
    regions
        Region polygons with ``region_code`` (and ``region_name``, ``population``); default
        :func:`planner.data.embedded.load_regions`.
    max_zone_points
        Above this many demand zones, zones are merged on a grid (:func:`aggregate_zones`).
    simplify_tolerance
        Tolerance, in degrees, for simplifying region outlines (0 keeps them as they are).

    Returns
    -------
    folium.Map
        Layers, in drawing order: region choropleth, catchments (hidden at first), demand zones,
        unmet demand, FDG supply routes (hidden), FDG suppliers, training hubs with links to
        their sites, existing sites the plan closes, scanner sites. Site markers carry the CSS
        classes ``planner-site``, ``planner-static``/``planner-mobile``,
        ``planner-existing``/``planner-new`` and ``planner-id-<site_id>``; hubs ``planner-hub``;
        suppliers ``planner-supplier``.

    Raises
    ------
    InputError
        For an unknown metric or region shapes without ``region_code``.
    """
    spec = _check_metric(metric)
    suppress_below = max(int(suppress_below), 0)
    shapes = _region_shapes(regions, simplify_tolerance)
    lookups = _lookups(plan, shapes)
    sites = plan.sites.copy()
    sites["site_id"] = sites["site_id"].astype(str)
    open_sites = sites[sites["open"]]
    zones = plan_zones(plan)
    fmap, canvas = _base_map(offline, _bounds(open_sites, zones))

    values = region_metric(plan, metric, shapes)
    edges, labels = _classes(values, spec)
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
        if metric != "share_within_60":
            rows.append(("Within 60 min", pct(r.get("share_within_60"))))
        return rows

    names = pd.Series(lookups["region_code"])
    fmap.add_child(
        _region_layer(
            shapes,
            names,
            values,
            edges,
            spec.palette,
            region_rows,
            canvas,
            f"Regions: {spec.label}",
        )
    )
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
    supplier_markers, supply_routes = _supplier_layers(plan, open_sites)
    if supply_routes is not None:
        fmap.add_child(supply_routes)
    if supplier_markers is not None:
        fmap.add_child(supplier_markers)
    hubs = _open_hubs(plan)
    if hubs is not None:
        fmap.add_child(_hub_layer(plan, open_sites, suppress_below))

    closed = sites[~sites["open"] & sites.get("existing", False)]
    if len(closed):
        group = folium.FeatureGroup(name="Existing sites closed in this plan")
        for site in closed.to_dict("records"):
            marker = folium.CircleMarker(
                location=[round(float(site["lat"]), 5), round(float(site["lon"]), 5)],
                radius=5,
                color=_CLOSED,
                weight=2,
                dash_array="2 2",
                fill=True,
                fill_color="#ffffff",
                fill_opacity=0.6,
                class_name=f"planner-closed-site planner-id-{css_id(site['site_id'])}",
            )
            rows = [("Site id", site["site_id"]), ("Status", "existing, closed in this plan")]
            marker.add_child(
                Bind(
                    tooltip=escape(f"Closed: {site['name']}"), popup=html_table(site["name"], rows)
                )
            )
            group.add_child(marker)
        fmap.add_child(group)

    site_group = folium.FeatureGroup(name="Scanner sites")
    for site in open_sites.to_dict("records"):
        kind = "static" if _is_static(site) else "mobile"
        status = "existing" if bool(site.get("existing")) else "new"
        rows = _site_rows(site, lookups, suppress_below)
        site_group.add_child(_site_marker(site, kind, rows, f"planner-{kind} planner-{status}"))
    fmap.add_child(site_group)

    folium.LayerControl(collapsed=False, position="topright").add_to(fmap)
    fmap.add_child(_title_box(plan, suppress_below))

    legend = [f"<h2>{escape(spec.label)}</h2>"]
    legend += scale_rows(labels, spec.palette, values.reindex(shapes["region_code"]).isna().any())
    legend.append("<h2>Scanner sites (size: scanners)</h2>")
    legend += [
        legend_row(circle_svg(_STATIC, "#1a1a1a"), "static, existing"),
        legend_row(circle_svg("#ffffff", _STATIC, 3), "static, new"),
        legend_row(circle_svg(_MOBILE, "#1a1a1a"), "mobile, existing"),
        legend_row(circle_svg("#ffffff", _MOBILE, 3), "mobile, new"),
    ]
    if len(closed):
        legend.append(legend_row(circle_svg("#ffffff", _CLOSED, 2, 5, "2 2"), "existing, closed"))
    legend.append("<h2>Other layers</h2>")
    if hubs is not None:
        legend.append(legend_row(circle_svg("none", _HUB, 3, 7), "training hub (ring)"))
    if supplier_markers is not None:
        diamond = '<span class="planner-supplier-icon" style="margin:3px"></span>'
        legend.append(legend_row(diamond, "FDG supplier"))
    zone_symbol = circle_svg("#8c8c8c", ZONE_COLOUR, 0.5, 4)
    legend.append(legend_row(zone_symbol, "demand zone (size: scans)"))
    if unmet_layer is not None:
        legend.append(legend_row(circle_svg(UNMET_COLOUR, "#7f0000", 1, 5), "unmet demand"))
    fmap.add_child(HtmlBox("".join(legend), "planner-legend"))
    fmap.add_child(ReadyMark())
    return fmap


def _plan_figures(plan: Plan) -> pd.DataFrame:
    sites = plan.open_sites.copy()
    sites["site_id"] = sites["site_id"].astype(str)
    return sites.set_index("site_id")


def _compare_rows(
    site_id: str, a: pd.DataFrame, b: pd.DataFrame, suppress_below: int
) -> list[tuple[str, str, str]]:
    """A site's figures in plans A and B (open sites indexed by site_id)."""

    def figure(table: pd.DataFrame, column: str, digits: int = 0) -> str:
        if site_id not in table.index:
            return "not open"
        return number(table.at[site_id, column], digits) if column in table else "–"

    def assigned(table: pd.DataFrame) -> str:
        if site_id not in table.index:
            return "not open"
        if "assigned_scans" not in table:
            return "–"
        return format_count(table.at[site_id, "assigned_scans"], suppress_below)

    return [
        ("Fixed scanners", figure(a, "fixed_scanners"), figure(b, "fixed_scanners")),
        ("Mobile days a week", figure(a, "mobile_days", 1), figure(b, "mobile_days", 1)),
        ("Assigned scans a year", assigned(a), assigned(b)),
    ]


def comparison_map(
    plan_a: Plan,
    plan_b: Plan,
    *,
    labels: tuple[str, str] = ("A", "B"),
    metric: str = "share_within_60",
    offline: bool = False,
    suppress_below: int = SUPPRESS_BELOW,
    regions: gpd.GeoDataFrame | None = None,
    simplify_tolerance: float = 0.005,
) -> folium.Map:
    """Draw two plans on one map, e.g. the published network (A) and the optimised one (B).

    Parameters
    ----------
    plan_a, plan_b
        The two plans; sites are matched by ``site_id``.
    labels
        Short names for the plans, used in the title box, legend, layer names and popups.
    metric
        Region metric (see :func:`plan_map`); regions are coloured by B minus A.
    offline, suppress_below, regions, simplify_tolerance
        As for :func:`plan_map`.

    Returns
    -------
    folium.Map
        Open sites of both plans, told apart by colour and CSS class: ``planner-both``,
        ``planner-only-a`` and ``planner-only-b`` (all also ``planner-site``).
    """
    spec = _check_metric(metric)
    suppress_below = max(int(suppress_below), 0)
    label_a, label_b = (str(x) for x in labels)
    shapes = _region_shapes(regions, simplify_tolerance)
    a, b = _plan_figures(plan_a), _plan_figures(plan_b)
    fmap, canvas = _base_map(offline, _bounds(a, b, plan_a.demand, plan_b.demand))

    va, vb = region_metric(plan_a, metric, shapes), region_metric(plan_b, metric, shapes)
    diff = vb.sub(va)
    biggest = float(diff.abs().max()) if diff.notna().any() else 0.0
    biggest = biggest if biggest > 0 else 1e-9
    # Symmetric classes around zero: "no change" is the pale middle class.
    edges = [-0.6 * biggest, -0.2 * biggest, 0.2 * biggest, 0.6 * biggest]

    def signed(value: float | None) -> str:
        # Regions outside one plan's area have no value there (None or NaN): no difference.
        if is_missing(value):
            return "–"
        return ("+" if value > 0 else "−" if value < 0 else "") + spec.fmt(abs(value))

    legend_labels = [
        f"{signed(edges[0])} or less",
        f"{signed(edges[0])} to {signed(edges[1])}",
        f"{signed(edges[1])} to {signed(edges[2])} (little change)",
        f"{signed(edges[2])} to {signed(edges[3])}",
        f"{signed(edges[3])} or more",
    ]
    names = pd.Series(_lookups(plan_b, shapes)["region_code"])
    names.update(pd.Series(_lookups(plan_a, shapes)["region_code"]))

    def region_rows(code: str) -> list[tuple[str, ...]]:
        return [
            (spec.label, spec.fmt(va.get(code)), spec.fmt(vb.get(code))),
            (f"{label_b} minus {label_a}", "", signed(diff.get(code))),
        ]

    fmap.add_child(
        _region_layer(
            shapes,
            names,
            diff,
            edges,
            _DIVERGING,
            region_rows,
            canvas,
            f"Regions: change in {spec.label.lower()}",
            header=("", label_a, label_b),
        )
    )

    groups = {
        "both": folium.FeatureGroup(name=f"Sites in both {label_a} and {label_b}"),
        "only-a": folium.FeatureGroup(name=f"Sites only in {label_a}"),
        "only-b": folium.FeatureGroup(name=f"Sites only in {label_b}"),
    }
    colours = {"both": _BOTH, "only-a": _ONLY_A, "only-b": _ONLY_B}
    for site_id in list(a.index) + [s for s in b.index if s not in a.index]:
        in_a, in_b = site_id in a.index, site_id in b.index
        key = "both" if in_a and in_b else "only-a" if in_a else "only-b"
        site = (a if in_a else b).loc[site_id].to_dict()
        site["site_id"] = site_id
        rows = _compare_rows(site_id, a, b, suppress_below)
        marker = folium.CircleMarker(
            location=[round(float(site["lat"]), 5), round(float(site["lon"]), 5)],
            radius=_site_radius(site),
            color="#1a1a1a",
            weight=1.5,
            fill=True,
            fill_color=colours[key],
            fill_opacity=0.9,
            class_name=f"planner-site planner-{key} planner-id-{css_id(site_id)}",
        )
        popup = html_table(site["name"], [("Site id", site_id, "")] + rows, ("", label_a, label_b))
        marker.add_child(Bind(tooltip=escape(site["name"]), popup=popup))
        groups[key].add_child(marker)
    for group in groups.values():
        group.layer_name = escape(group.layer_name)  # the layer control shows names as HTML
        fmap.add_child(group)
    folium.LayerControl(collapsed=False, position="topright").add_to(fmap)

    ha = headline_rows(plan_a.summary, suppress_below)
    hb = headline_rows(plan_b.summary, suppress_below)
    rows = [(label, x, y) for (label, x), (_, y) in zip(ha, hb, strict=True)]
    title = (
        f"<h1>{escape(label_a)} vs {escape(label_b)}</h1>"
        f"<div>{escape(label_a)}: {escape(plan_a.title)}</div>"
        f"<div>{escape(label_b)}: {escape(plan_b.title)}</div>"
        + html_table(None, rows, ("", label_a, label_b))
        + suppression_note(suppress_below)
    )
    fmap.add_child(HtmlBox(title, "planner-title"))
    legend = [f"<h2>{escape(f'{spec.label}: {label_b} minus {label_a}')}</h2>"]
    no_data = diff.reindex(shapes["region_code"]).isna().any()
    legend += scale_rows(legend_labels, _DIVERGING, no_data)
    legend.append("<h2>Open scanner sites (size: scanners)</h2>")
    legend += [
        legend_row(circle_svg(_BOTH, "#1a1a1a"), f"in both {label_a} and {label_b}"),
        legend_row(circle_svg(_ONLY_A, "#1a1a1a"), f"only in {label_a}"),
        legend_row(circle_svg(_ONLY_B, "#1a1a1a"), f"only in {label_b}"),
    ]
    fmap.add_child(HtmlBox("".join(legend), "planner-legend"))
    fmap.add_child(ReadyMark())
    return fmap


def _write(fmap: folium.Map, path: str | os.PathLike) -> Path:
    """Write the map beside its destination and move it into place, so that a reader never
    sees a half-written file."""
    return write_file(path, lambda tmp: fmap.save(str(tmp)))


def save_plan_map(plan: Plan, path: str | os.PathLike, **kwargs) -> Path:
    """Draw a plan with :func:`plan_map` (``kwargs`` are its options) and write it to ``path``.

    Returns
    -------
    pathlib.Path
        The HTML file written: standalone, and with ``offline=True`` needing no network.
    """
    return _write(plan_map(plan, **kwargs), path)


def save_comparison_map(plan_a: Plan, plan_b: Plan, path: str | os.PathLike, **kwargs) -> Path:
    """Draw two plans with :func:`comparison_map` (``kwargs`` are its options) and write them.

    Returns
    -------
    pathlib.Path
        The HTML file written.
    """
    return _write(comparison_map(plan_a, plan_b, **kwargs), path)
