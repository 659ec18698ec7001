"""Integrated Care Boards on a plan map: a choropleth of the share within the access minutes.

NHS planners read access by ICB, the board that commissions their services; the plan's
``areas.csv`` holds the figures (:func:`planner.analysis.access.area_table`) and
:func:`planner.data.embedded.load_icbs` the outlines. The layer shows the share of residents within
the scenario's access minutes of a static scanner (:func:`planner.maps.metrics.share_by_area`),
starts hidden beside the region layer and shares its colours when the regions show the same
metric, so the legend serves both.
"""

from __future__ import annotations

import geopandas as gpd

from planner.maps.layers import AreaCanvas, GeoJsonAreas
from planner.maps.metrics import (
    access_minutes,
    access_target,
    metric_classes,
    share_by_area,
    share_metric,
)
from planner.maps.regions import prepare_region_shapes, region_layer
from planner.maps.text import format_count, minutes, number, pct
from planner.plan import Plan


def icb_layer(
    plan: Plan,
    canvas: AreaCanvas,
    suppress_below: int,
    shapes: gpd.GeoDataFrame | None = None,
    simplify_tolerance: float = 0.005,
) -> GeoJsonAreas | None:
    """The ICB choropleth of the share of residents within the access minutes of a static
    scanner.

    Returns ``None`` when the plan has no ICB figures (a plan on zones without NHS areas, or one
    saved before ``areas.csv`` existed).
    """
    areas = plan.areas
    if areas is None or not (areas["level"] == "icb").any():
        return None
    if shapes is None:
        from planner.data.embedded import load_icbs

        shapes = load_icbs()
    shapes = prepare_region_shapes(
        shapes.rename(columns={"icb_code": "region_code"}), simplify_tolerance
    )
    table = areas[areas["level"] == "icb"].set_index("code")
    spec = share_metric(access_minutes(plan), access_target(plan))
    values = share_by_area(plan, access_minutes(plan), "icb").reindex(table.index)
    edges, _ = metric_classes(values, spec)

    def rows(code: str) -> list[tuple[str, str]]:
        if code not in table.index:
            return [("No data in this plan", "")]
        r = table.loc[code]
        out = [
            (spec.label, spec.fmt(values.get(code))),
            ("Residents", number(r["population"])),
            ("Scans a year", format_count(r["scans"], suppress_below)),
            ("Unmet scans", format_count(r["unmet_scans"], suppress_below)),
            ("Mean travel", minutes(r["mean_minutes"])),
        ]
        if spec.minutes != 60 and "share_within_60" in r:
            out.append(("Within 60 min", pct(r["share_within_60"])))
        return out

    names = table["name"].astype(str).str.replace(" Integrated Care Board", " ICB", regex=False)
    return region_layer(
        shapes,
        names,
        values,
        edges,
        spec.palette,
        rows,
        canvas,
        f"Integrated Care Boards: {spec.label}",
        show=False,
    )
