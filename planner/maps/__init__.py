"""Interactive stakeholder maps of plans, as standalone HTML files (folium/Leaflet)."""

from planner.maps.comparison_map import comparison_map, save_comparison_map
from planner.maps.plan_map import plan_map, save_plan_map
from planner.maps.regions import METRICS, region_metric

__all__ = [
    "METRICS",
    "comparison_map",
    "plan_map",
    "region_metric",
    "save_comparison_map",
    "save_plan_map",
]
