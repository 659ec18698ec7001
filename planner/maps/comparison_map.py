"""Two plans on one map, e.g. today's named sites in an area (A) and an optimised network (B).

Regions are coloured by B minus A on a diverging scale centred on "little change"; open sites are
told apart by whether they are open in both plans, only in A or only in B, each popup showing
the site's figures in both. Options, escaping and small-number suppression are those of
:func:`planner.maps.plan_map` (see :mod:`planner.maps.plan_map`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd

from planner.maps.layers import Bind, HtmlBox, ReadyMark
from planner.maps.plan_map import base_map, map_bounds, write_map
from planner.maps.regions import (
    DIVERGING,
    Metric,
    check_metric,
    prepare_region_shapes,
    region_layer,
    region_metric,
)
from planner.maps.sites import name_lookups, site_radius
from planner.maps.text import (
    SUPPRESS_BELOW,
    circle_svg,
    css_id,
    escape,
    format_count,
    headline_rows,
    html_table,
    is_missing,
    legend_row,
    number,
    scale_rows,
    suppression_note,
)
from planner.plan import Plan

_BOTH, _ONLY_A, _ONLY_B = "#4d4d4d", "#d95f02", "#1b9e77"


# -- sites ----------------------------------------------------------------------------------------
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


def _site_groups(
    a: pd.DataFrame, b: pd.DataFrame, label_a: str, label_b: str, suppress_below: int
) -> list[folium.FeatureGroup]:
    """Open sites of both plans in three layers: in both, only in A, only in B.

    Parameters
    ----------
    a, b
        Open sites of plans A and B, indexed by ``site_id`` (:func:`_plan_figures`).
    label_a, label_b
        The plans' short names, for layer names and popups.
    suppress_below
        Assigned scans below this (and above 0) are shown as ``"<N"``.
    """
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
            radius=site_radius(site),
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
    return list(groups.values())


# -- regions --------------------------------------------------------------------------------------
def _signed(value: float | None, spec: Metric) -> str:
    # Regions outside one plan's area have no value there (None or NaN): no difference.
    if is_missing(value):
        return "–"
    return ("+" if value > 0 else "−" if value < 0 else "") + spec.fmt(abs(value))


def _difference_edges(diff: pd.Series) -> list[float]:
    """Inner class boundaries of the differences B - A by region."""
    biggest = float(diff.abs().max()) if diff.notna().any() else 0.0
    biggest = biggest if biggest > 0 else 1e-9
    # Symmetric classes around zero: "no change" is the pale middle class.
    return [-0.6 * biggest, -0.2 * biggest, 0.2 * biggest, 0.6 * biggest]


def _difference_labels(edges: list[float], spec: Metric) -> list[str]:
    """Legend labels of the five classes cut by ``edges``."""
    return [
        f"{_signed(edges[0], spec)} or less",
        f"{_signed(edges[0], spec)} to {_signed(edges[1], spec)}",
        f"{_signed(edges[1], spec)} to {_signed(edges[2], spec)} (little change)",
        f"{_signed(edges[2], spec)} to {_signed(edges[3], spec)}",
        f"{_signed(edges[3], spec)} or more",
    ]


def _region_names(plan_a: Plan, plan_b: Plan, shapes: gpd.GeoDataFrame) -> pd.Series:
    """Region display names by region_code, plan A's where both plans name a region."""
    names = pd.Series(name_lookups(plan_b, shapes)["region_code"])
    names.update(pd.Series(name_lookups(plan_a, shapes)["region_code"]))
    return names


def _region_rows(
    spec: Metric,
    va: pd.Series,
    vb: pd.Series,
    diff: pd.Series,
    label_a: str,
    label_b: str,
) -> Callable[[str], list[tuple[str, ...]]]:
    """The tooltip rows of a region (by region_code): the metric in A and B, and B minus A."""

    def region_rows(code: str) -> list[tuple[str, ...]]:
        return [
            (spec.label, spec.fmt(va.get(code)), spec.fmt(vb.get(code))),
            (f"{label_b} minus {label_a}", "", _signed(diff.get(code), spec)),
        ]

    return region_rows


# -- title and legend -----------------------------------------------------------------------------
def _title_box(
    plan_a: Plan, plan_b: Plan, label_a: str, label_b: str, suppress_below: int
) -> HtmlBox:
    """Both plans' titles and their headline figures side by side."""
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
    return HtmlBox(title, "planner-title")


def _legend(spec: Metric, edges: list[float], no_data: bool, label_a: str, label_b: str) -> HtmlBox:
    """The legend: the scale of B minus A by region and the three kinds of site."""
    legend = [f"<h2>{escape(f'{spec.label}: {label_b} minus {label_a}')}</h2>"]
    legend += scale_rows(_difference_labels(edges, spec), DIVERGING, no_data)
    legend.append("<h2>Open scanner sites (size: scanners)</h2>")
    legend += [
        legend_row(circle_svg(_BOTH, "#1a1a1a"), f"in both {label_a} and {label_b}"),
        legend_row(circle_svg(_ONLY_A, "#1a1a1a"), f"only in {label_a}"),
        legend_row(circle_svg(_ONLY_B, "#1a1a1a"), f"only in {label_b}"),
    ]
    return HtmlBox("".join(legend), "planner-legend")


# -- public API -----------------------------------------------------------------------------------
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
    """Draw two plans on one map, e.g. today's named sites (A) and an optimised network (B).

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
    spec = check_metric(metric)
    suppress_below = max(int(suppress_below), 0)
    label_a, label_b = (str(x) for x in labels)
    shapes = prepare_region_shapes(regions, simplify_tolerance)
    a, b = _plan_figures(plan_a), _plan_figures(plan_b)
    fmap, canvas = base_map(offline, map_bounds(a, b, plan_a.demand, plan_b.demand))

    va, vb = region_metric(plan_a, metric, shapes), region_metric(plan_b, metric, shapes)
    diff = vb.sub(va)
    edges = _difference_edges(diff)
    fmap.add_child(
        region_layer(
            shapes,
            _region_names(plan_a, plan_b, shapes),
            diff,
            edges,
            DIVERGING,
            _region_rows(spec, va, vb, diff, label_a, label_b),
            canvas,
            f"Regions: change in {spec.label.lower()}",
            header=("", label_a, label_b),
        )
    )
    for group in _site_groups(a, b, label_a, label_b, suppress_below):
        fmap.add_child(group)
    folium.LayerControl(collapsed=False, position="topright").add_to(fmap)

    fmap.add_child(_title_box(plan_a, plan_b, label_a, label_b, suppress_below))
    no_data = bool(diff.reindex(shapes["region_code"]).isna().any())
    fmap.add_child(_legend(spec, edges, no_data, label_a, label_b))
    fmap.add_child(ReadyMark())
    return fmap


def save_comparison_map(plan_a: Plan, plan_b: Plan, path: str | os.PathLike, **kwargs) -> Path:
    """Draw two plans with :func:`comparison_map` (``kwargs`` are its options) and write them.

    Returns
    -------
    pathlib.Path
        The HTML file written.
    """
    return write_map(comparison_map(plan_a, plan_b, **kwargs), path)
