"""Demand on plan maps: demand zones, unmet demand and catchments.

Zones are drawn on the shared canvas from compact rows (see
:class:`~planner.maps.layers.CanvasPoints`); above ``max_points`` zones they are merged on a grid
(:func:`aggregate_zones`), coarse at the national view and finer from county zoom on
(:func:`zone_levels`), which keeps LSOA-scale plans (about 33,000 zones) light and quick to draw.

Catchments are the convex hull of the zones whose main site (the one taking most of a zone's
scans) is that site: one light polygon per open site however many zones there are, where a line
per zone would be thousands of lines crossing each other. Hulls may overlap where catchments
interleave; that overlap is itself worth seeing.

Displayed counts go through :func:`~planner.maps.text.format_count` (small-number suppression), and
marker sizes through :func:`~planner.maps.text.displayed_count`, so a suppressed count cannot be
read back from its marker either.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import mapping

from planner.maps.layers import AreaCanvas, CanvasPoints, GeoJsonAreas, round_geometry
from planner.maps.text import displayed_count, escape, format_count, html_table, is_missing, minutes
from planner.plan import Plan

ZONE_COLOUR, UNMET_COLOUR = "#4d4d4d", "#d7191c"
CATCHMENT_COLOURS = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
)  # fmt: skip


def main_sites(plan: Plan) -> pd.DataFrame:
    """Per demand zone: the site taking most of its scans and the travel minutes to it."""
    a = plan.assignments
    if a is None or a.empty:
        return pd.DataFrame(columns=["main_site", "minutes"], index=pd.Index([], name="demand_id"))
    a = a.assign(demand_id=a["demand_id"].astype(str), site_id=a["site_id"].astype(str))
    top = a.loc[a.groupby("demand_id")["scans"].idxmax()]
    top = top.rename(columns={"site_id": "main_site"})
    return top.set_index("demand_id")[["main_site", "minutes"]]


def plan_zones(plan: Plan) -> pd.DataFrame:
    """The plan's demand zones with their main site, travel minutes to it and ``n_zones`` = 1."""
    zones = plan.demand.copy()
    zones["demand_id"] = zones["demand_id"].astype(str)
    zones = zones.join(main_sites(plan), on="demand_id")
    for column in ("scans", "unmet_scans"):
        if column not in zones:
            zones[column] = 0.0
        zones[column] = zones[column].fillna(0.0).astype(float)
    if "name" not in zones:
        zones["name"] = zones["demand_id"]
    if "nearest_static_minutes" not in zones:
        zones["nearest_static_minutes"] = np.nan
    zones["n_zones"] = 1
    return zones


def aggregate_zones(zones: pd.DataFrame, max_points: int) -> pd.DataFrame:
    """Merge demand zones on a square grid until there are at most ``max_points`` of them.

    The grid starts at 0.02 degrees (about 2 km) and doubles until the count fits. A merged
    point sits at the scan-weighted centre of its zones, adds up their scans and unmet scans,
    takes the main site that serves most of its scans and the scan-weighted mean travel time.

    Parameters
    ----------
    zones
        Columns name, lat, lon, scans, unmet_scans, main_site, minutes, nearest_static_minutes.
    max_points
        Largest number of points to keep.
    """
    if len(zones) <= max_points:
        return zones
    cell = 0.02
    while True:
        key = (
            np.floor(zones["lat"] / cell).astype(int).astype(str)
            + ":"
            + np.floor(zones["lon"] / cell).astype(int).astype(str)
        )
        if key.nunique() <= max_points:
            break
        cell *= 2
    z = zones.assign(
        _key=key.values,
        _w=zones["scans"].clip(lower=0) + 1e-9,  # zones with no scans still place the point
    )
    z["_wlat"], z["_wlon"] = z["lat"] * z["_w"], z["lon"] * z["_w"]
    z["_wmin"] = z["minutes"].fillna(0) * z["_w"]
    z["_wnear"] = z["nearest_static_minutes"].fillna(0) * z["_w"]
    grouped = z.groupby("_key", sort=False)
    sums = grouped[["_w", "_wlat", "_wlon", "_wmin", "_wnear", "scans", "unmet_scans"]].sum()
    out = pd.DataFrame(
        {
            "lat": sums["_wlat"] / sums["_w"],
            "lon": sums["_wlon"] / sums["_w"],
            "scans": sums["scans"],
            "unmet_scans": sums["unmet_scans"],
            "minutes": sums["_wmin"] / sums["_w"],
            "nearest_static_minutes": sums["_wnear"] / sums["_w"],
            "n_zones": grouped.size(),
        }
    )
    largest = z.loc[z.groupby("_key", sort=False)["_w"].idxmax()].set_index("_key")
    site_scans = z.groupby(["_key", "main_site"])["_w"].sum().reset_index()
    top_site = site_scans.loc[site_scans.groupby("_key")["_w"].idxmax()].set_index("_key")
    out["main_site"] = top_site["main_site"].reindex(out.index)
    largest_name = largest["name"].astype(str).reindex(out.index)
    counts = out["n_zones"]
    out["name"] = largest_name.where(
        counts <= 1, counts.astype(str) + " zones around " + largest_name
    )
    out["demand_id"] = out.index
    return out.reset_index(drop=True)


#: From this zoom on, a map whose zones were merged shows them merged on a finer grid
#: (:func:`zone_levels`): about county scale, where the national grid's cells look coarse.
DETAIL_ZOOM = 9
#: The finer grid holds up to this many times the points of the national one.
DETAIL_FACTOR = 4


def zone_levels(zones: pd.DataFrame, max_points: int) -> list[tuple[pd.DataFrame, float, float]]:
    """The demand zones as drawn at each zoom: ``(points, from_zoom, below_zoom)``.

    Up to ``max_points`` zones are drawn as they are at every zoom. Above that, they are merged
    on a grid (:func:`aggregate_zones`) to at most ``max_points`` points below
    :data:`DETAIL_ZOOM`, and to at most ``DETAIL_FACTOR * max_points`` from it on (or drawn as
    they are, if that many fit): the national view stays light, and a county view finer.
    """
    coarse = aggregate_zones(zones, max_points)
    if coarse is zones:
        return [(zones, 0.0, math.inf)]
    fine = aggregate_zones(zones, DETAIL_FACTOR * max_points)
    return [(coarse, 0.0, float(DETAIL_ZOOM)), (fine, float(DETAIL_ZOOM), math.inf)]


def _zone_rows(shown: pd.DataFrame, index: dict[str, int], suppress_below: int) -> list[list]:
    """The rows of one level of the demand-zone layer (see ``fields`` in :func:`zone_layers`)."""
    displayed = shown["scans"].map(lambda v: displayed_count(v, suppress_below))
    biggest = max(float(displayed.max()) if len(displayed) else 1.0, 1.0)
    rows = []
    for row, shown_scans in zip(shown.itertuples(), displayed, strict=True):
        site = index.get(str(row.main_site)) if not is_missing(row.main_site) else None
        rows.append(
            [
                round(float(row.lat), 4),
                round(float(row.lon), 4),
                round(1.5 + 6.5 * math.sqrt(shown_scans / biggest), 1),
                escape(row.name),
                format_count(row.scans, suppress_below),
                format_count(row.unmet_scans, suppress_below) if row.unmet_scans >= 0.5 else "",
                site,
                minutes(row.minutes) if site is not None else "",
                minutes(row.nearest_static_minutes),
            ]
        )
    return rows


def _unmet_rows(shown: pd.DataFrame, suppress_below: int) -> list[list]:
    """The rows of one level of the unmet-demand layer: points with half a scan or more unmet
    (solvers leave 1e-9-sized crumbs that are not unmet demand)."""
    unmet = shown[shown["unmet_scans"] >= 0.5]
    shown_unmet = unmet["unmet_scans"].map(lambda v: displayed_count(v, suppress_below))
    top = max(float(shown_unmet.max()) if len(shown_unmet) else 1.0, 1.0)
    return [
        [
            round(float(row.lat), 4),
            round(float(row.lon), 4),
            round(3 + 7 * math.sqrt(u / top), 1),
            escape(row.name),
            format_count(row.unmet_scans, suppress_below),
            format_count(row.scans, suppress_below),
            minutes(row.nearest_static_minutes),
        ]
        for row, u in zip(unmet.itertuples(), shown_unmet, strict=True)
    ]


def zone_layers(
    zones: pd.DataFrame,
    site_names: dict[str, str],
    canvas: AreaCanvas,
    suppress_below: int,
    max_points: int,
) -> tuple[CanvasPoints, CanvasPoints | None, int]:
    """The demand-zone layer, the unmet-demand layer (if any zone has unmet scans) and how many
    points the zones are drawn as at the national view (:func:`zone_levels`)."""
    levels = zone_levels(zones, max_points)
    site_ids = list(site_names)
    index = {s: i for i, s in enumerate(site_ids)}
    lookup = [escape(site_names[s]) for s in site_ids]
    fields = [
        ["Scans a year", 4],
        ["Unmet scans", 5],
        ["Main site", 6, True],
        ["Travel to it", 7],
        ["Nearest static scanner", 8],
    ]
    label = "Demand zones"
    if len(levels) > 1:
        label += f" (merged on a grid; finer from zoom {DETAIL_ZOOM})"
    zone_layer = CanvasPoints(
        [(_zone_rows(shown, index, suppress_below), low, high) for shown, low, high in levels],
        fields,
        lookup,
        {"color": ZONE_COLOUR, "weight": 0.5, "fillColor": "#8c8c8c", "fillOpacity": 0.55},
        canvas,
        name=label,
    )
    unmet_levels = [(_unmet_rows(shown, suppress_below), low, high) for shown, low, high in levels]
    unmet_layer = None
    if any(rows for rows, _, _ in unmet_levels):
        unmet_layer = CanvasPoints(
            unmet_levels,
            [["Unmet scans", 4], ["Scans a year", 5], ["Nearest static scanner", 6]],
            [],
            {"color": "#7f0000", "weight": 1, "fillColor": UNMET_COLOUR, "fillOpacity": 0.75},
            canvas,
            name="Unmet demand",
        )
    return zone_layer, unmet_layer, len(levels[0][0])


def catchment_layer(
    zones: pd.DataFrame,
    sites: pd.DataFrame,
    canvas: AreaCanvas,
    suppress_below: int,
) -> GeoJsonAreas | None:
    served = zones.dropna(subset=["main_site"])
    if served.empty:
        return None
    site_index = sites.set_index(sites["site_id"].astype(str))
    features = []
    for i, (site_id, group) in enumerate(served.groupby("main_site", sort=True)):
        if site_id not in site_index.index:
            continue
        site = site_index.loc[site_id]
        points = np.vstack(
            [group[["lon", "lat"]].to_numpy(float), [[float(site["lon"]), float(site["lat"])]]]
        )
        hull = shapely.multipoints(points).convex_hull
        if hull.geom_type != "Polygon":  # one or two zones: give the point or line some body
            hull = hull.buffer(0.03, quad_segs=4).convex_hull
        scans = group["scans"].sum()
        weights = group["scans"].where(group["scans"] > 0, 1e-9)
        mean_minutes = float(np.average(group["minutes"].fillna(0), weights=weights))
        colour = CATCHMENT_COLOURS[i % len(CATCHMENT_COLOURS)]
        features.append(
            {
                "type": "Feature",
                "geometry": mapping(round_geometry(hull)),
                "properties": {
                    "style": {
                        "color": colour,
                        "weight": 1.5,
                        "fillColor": colour,
                        "fillOpacity": 0.15,
                    },
                    "tip": html_table(
                        f"Catchment of {site['name']}",
                        [
                            ("Zones mainly served", f"{len(group):,}"),
                            ("Their scans a year", format_count(scans, suppress_below)),
                            ("Mean travel", minutes(mean_minutes)),
                        ],
                    ),
                },
            }
        )
    return GeoJsonAreas(
        {"type": "FeatureCollection", "features": features},
        canvas,
        name="Catchments (hull of the zones each site mainly serves)",
        show=False,
    )
