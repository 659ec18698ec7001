"""Interactive stakeholder maps of plans, as standalone HTML files (folium/Leaflet)."""

from planner.maps.plan_map import (
    METRICS,
    comparison_map,
    plan_map,
    region_metric,
    save_comparison_map,
    save_plan_map,
)

__all__ = [
    "METRICS",
    "comparison_map",
    "plan_map",
    "region_metric",
    "save_comparison_map",
    "save_plan_map",
]
