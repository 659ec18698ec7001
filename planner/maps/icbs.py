"""Integrated Care Boards on a plan map: a choropleth of the plan's ``areas`` table.

NHS planners read access by ICB, the board that commissions their services; the plan's
``areas.csv`` holds the figures (:func:`planner.analysis.access.area_table`) and
:func:`planner.data.embedded.load_icbs` the outlines. The layer starts hidden beside the region
layer and shares its colours, so the legend serves both.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from planner.maps.layers import AreaCanvas, GeoJsonAreas
from planner.maps.regions import check_metric, metric_classes, prepare_region_shapes, region_layer
from planner.maps.text import format_count, minutes, number, pct
from planner.plan import Plan

#: The metric the ICB layer shows (the one the access target is about).
ICB_METRIC = "share_within_60"


def icb_layer(
    plan: Plan,
    canvas: AreaCanvas,
    suppress_below: int,
    shapes: gpd.GeoDataFrame | None = None,
    simplify_tolerance: float = 0.005,
) -> GeoJsonAreas | None:
    """The ICB choropleth of the share of residents within 60 minutes of a static scanner.

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
    spec = check_metric(ICB_METRIC)
    values = pd.to_numeric(table["share_within_60"], errors="coerce")
    edges, _ = metric_classes(values, spec)

    def rows(code: str) -> list[tuple[str, str]]:
        if code not in table.index:
            return [("No data in this plan", "")]
        r = table.loc[code]
        return [
            (spec.label, spec.fmt(values.get(code))),
            ("Residents", number(r["population"])),
            ("Scans a year", format_count(r["scans"], suppress_below)),
            ("Unmet scans", format_count(r["unmet_scans"], suppress_below)),
            ("Mean travel", minutes(r["mean_minutes"])),
            (f"Within {r['access_minutes']:g} min", pct(r["share_within_access"])),
        ]

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
