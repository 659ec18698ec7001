"""Scanner sites, training hubs and FDG suppliers on a plan map: markers, popups and spokes.

Open sites are circles sized by scanners (:func:`site_radius`), blue for static and orange for
mobile, solid if existing and hollow if new (:func:`site_markers_layer`); a site the plan converts
(mobile visits today, static scanners in the plan, or the reverse) is drawn as what it becomes
and named so (:mod:`planner.analysis.conversions`). Existing sites the plan closes are small
dashed rings (:func:`closed_sites_layer`). Hubs are rings linked to their sites
(:func:`hub_layer`), suppliers diamonds linked to the sites they supply (:func:`supplier_layers`).
"""

from __future__ import annotations

import math

import folium
import geopandas as gpd
import pandas as pd

from planner.analysis.conversions import conversion
from planner.maps.layers import Bind
from planner.maps.text import css_id, escape, format_count, html_table, is_missing, number, pct
from planner.plan import Plan

STATIC, MOBILE, CLOSED = "#1f4e9c", "#e07b00", "#7f7f7f"
HUB = "#7b3294"
_SUPPLY = "#1a9850"


def is_static(site) -> bool:
    """Whether a site (a record of the sites table) has fixed scanners."""
    return float(site.get("fixed_scanners", 0) or 0) > 0


def site_radius(site) -> float:
    """Marker radius in pixels: grows with the square root of the site's scanners."""
    if is_static(site):
        units = float(site.get("fixed_scanners", 0) or 0)
    else:  # a mobile unit five days a week counts as one scanner
        units = float(site.get("mobile_days", 0) or 0) / 5
    return round(5 + 3 * math.sqrt(max(units, 0.2)), 1)


_CONVERSION_TEXT = {
    "to static": "converted: mobile visits today, static in this plan",
    "to mobile": "converted: static today, mobile visits in this plan",
}


def _site_rows(site, lookups: dict[str, dict[str, str]], suppress_below: int) -> list[tuple]:
    change = conversion(site)
    kind = "static" if is_static(site) else "mobile"
    rows = [
        ("Site id", str(site["site_id"])),
        ("Status", "existing" if bool(site.get("existing")) else "new"),
        ("Kind", f"{kind} ({_CONVERSION_TEXT[change]})" if change else kind),
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
    colour = STATIC if kind == "static" else MOBILE
    marker = folium.CircleMarker(
        location=[round(float(site["lat"]), 5), round(float(site["lon"]), 5)],
        radius=site_radius(site),
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


def site_markers_layer(
    open_sites: pd.DataFrame, lookups: dict[str, dict[str, str]], suppress_below: int
) -> folium.FeatureGroup:
    """The open scanner sites, one marker each with a popup of its figures.

    Parameters
    ----------
    open_sites
        Open sites, ``site_id`` as text, ``name`` as shown (converted sites renamed:
        :func:`planner.analysis.conversions.display_names`).
    lookups
        Display names of the ids sites refer to (:func:`name_lookups`).
    suppress_below
        Assigned scans below this (and above 0) are shown as ``"<N"``.
    """
    group = folium.FeatureGroup(name="Scanner sites")
    for site in open_sites.to_dict("records"):
        kind = "static" if is_static(site) else "mobile"
        status = "existing" if bool(site.get("existing")) else "new"
        rows = _site_rows(site, lookups, suppress_below)
        classes = f"planner-{kind} planner-{status}"
        if conversion(site):
            classes += " planner-converted"
        group.add_child(_site_marker(site, kind, rows, classes))
    return group


def closed_sites_layer(sites: pd.DataFrame) -> folium.FeatureGroup | None:
    """Existing sites the plan closes, as dashed rings; None if it closes none.

    Parameters
    ----------
    sites
        All candidate sites of the plan, ``site_id`` as text.
    """
    closed = sites[~sites["open"] & sites.get("existing", False)]
    if not len(closed):
        return None
    group = folium.FeatureGroup(name="Existing sites closed in this plan")
    for site in closed.to_dict("records"):
        marker = folium.CircleMarker(
            location=[round(float(site["lat"]), 5), round(float(site["lon"]), 5)],
            radius=5,
            color=CLOSED,
            weight=2,
            dash_array="2 2",
            fill=True,
            fill_color="#ffffff",
            fill_opacity=0.6,
            class_name=f"planner-closed-site planner-id-{css_id(site['site_id'])}",
        )
        rows = [("Site id", site["site_id"]), ("Status", "existing, closed in this plan")]
        marker.add_child(
            Bind(tooltip=escape(f"Closed: {site['name']}"), popup=html_table(site["name"], rows))
        )
        group.add_child(marker)
    return group


def name_lookups(plan: Plan, shapes: gpd.GeoDataFrame) -> dict[str, dict[str, str]]:
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


def open_hubs(plan: Plan) -> pd.DataFrame | None:
    """The plan's open training hubs; None if it has none."""
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


def hub_layer(plan: Plan, open_sites: pd.DataFrame, suppress_below: int) -> folium.FeatureGroup:
    """Open training hubs as rings, each with lines to the sites it trains for.

    Parameters
    ----------
    plan
        The plan.
    open_sites
        Its open sites (linked to hubs by ``hub_id``).
    suppress_below
        Network scans below this (and above 0) are shown as ``"<N"``.
    """
    hubs = open_hubs(plan)
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
                    HUB,
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
            color=HUB,
            weight=3,
            fill=False,  # a ring: the site inside it stays clickable
            class_name=f"planner-hub planner-id-{css_id(hub['hub_id'])}",
        )
        tooltip = escape(f"Training hub: {hub['name']}")
        marker.add_child(Bind(tooltip=tooltip, popup=html_table(hub["name"], rows)))
        layer.add_child(marker)
    return layer


def supplier_layers(
    plan: Plan, open_sites: pd.DataFrame
) -> tuple[folium.FeatureGroup | None, folium.FeatureGroup | None]:
    """FDG suppliers as diamonds, and the routes to the sites each supplies.

    Returns
    -------
    tuple
        The supplier markers (None if the plan has no suppliers) and the supply routes (None if
        no open site names a supplier of the plan; hidden at first).
    """
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
