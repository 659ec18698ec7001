"""Interactive stakeholder maps of plans, as standalone HTML files (folium/Leaflet)."""

from planner.maps.comparison_map import comparison_map, save_comparison_map
from planner.maps.metrics import METRICS, region_metric
from planner.maps.plan_map import plan_map, save_plan_map

__all__ = [
    "METRICS",
    "comparison_map",
    "plan_map",
    "region_metric",
    "save_comparison_map",
    "save_plan_map",
]
