"""Two plans on one map, e.g. today's named sites in an area (A) and an optimised network (B).

Regions are coloured by B minus A on a diverging scale centred on "little change"; open sites are
told apart by whether they are open in both plans with the same scanners, open in both but
resized (static scanners or mobile days changed: the popup says, e.g., "static scanners 3 → 1"),
only in A or only in B (:func:`planner.analysis.compare.site_changes`), each popup showing the
site's figures in both. A site is named as plan B shows it where B opens it (a converted site
for what it becomes). The plans' labels name every layer, legend entry and popup column. Options,
escaping and small-number suppression are those of :func:`planner.maps.plan_map` (see
:mod:`planner.maps.plan_map`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd

from planner.analysis.compare import site_changes
from planner.analysis.conversions import display_names
from planner.maps.layers import Bind, HtmlBox
from planner.maps.metrics import Metric, access_minutes, access_target, check_metric, region_metric
from planner.maps.plan_map import base_map, check_offline, finish_map, map_bounds, write_map
from planner.maps.regions import DIVERGING, prepare_region_shapes, region_layer
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

_BOTH, _ONLY_A, _ONLY_B, _RESIZED = "#4d4d4d", "#d95f02", "#1b9e77", "#7570b3"


# -- sites ----------------------------------------------------------------------------------------
def _plan_figures(plan: Plan) -> pd.DataFrame:
    """A plan's open sites indexed by ``site_id``, named as the plan shows them."""
    sites = plan.sites.copy()
    sites["site_id"] = sites["site_id"].astype(str)
    sites["name"] = display_names(sites)
    return sites[sites["open"]].set_index("site_id")


def _resizing(change: pd.Series) -> str:
    """What changed at a site open in both plans, e.g. "static scanners 3 → 1" (plain text)."""
    parts = []
    for column, what in (("scanners", "static scanners"), ("mobile_days", "mobile days a week")):
        before, after = int(change[f"{column}_a"]), int(change[f"{column}_b"])
        if before != after:
            parts.append(f"{what} {before} → {after}")
    return "; ".join(parts)


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
    changes: pd.DataFrame,
    a: pd.DataFrame,
    b: pd.DataFrame,
    labels: tuple[str, str],
    suppress_below: int,
) -> list[folium.FeatureGroup]:
    """Open sites of both plans in layers: in both, resized (only if any), only in A, only in B.

    Parameters
    ----------
    changes
        :func:`planner.analysis.compare.site_changes` of the two plans, indexed by ``site_id``.
    a, b
        Open sites of plans A and B, indexed by ``site_id`` (:func:`_plan_figures`).
    labels
        The plans' short names, for layer names and popups.
    suppress_below
        Assigned scans below this (and above 0) are shown as ``"<N"``.
    """
    label_a, label_b = labels
    groups = {"both": folium.FeatureGroup(name=f"Sites in both {label_a} and {label_b}")}
    if (changes["change"] == "resized").any():
        groups["resized"] = folium.FeatureGroup(
            name=f"Sites in both, resized in {label_b} (scanners changed)"
        )
    groups["only-a"] = folium.FeatureGroup(name=f"Sites only in {label_a}")
    groups["only-b"] = folium.FeatureGroup(name=f"Sites only in {label_b}")
    colours = {"both": _BOTH, "resized": _RESIZED, "only-a": _ONLY_A, "only-b": _ONLY_B}
    for site_id in list(a.index) + [s for s in b.index if s not in a.index]:
        in_a, in_b = site_id in a.index, site_id in b.index
        change = changes.loc[site_id]
        key = "only-a" if not in_b else "only-b" if not in_a else "both"
        resizing = _resizing(change) if change["change"] == "resized" else ""
        if resizing:
            key = "resized"
        site = (b if in_b else a).loc[site_id].to_dict()
        site["site_id"] = site_id
        rows = _compare_rows(site_id, a, b, suppress_below)
        marker = folium.CircleMarker(
            location=[round(float(site["lat"]), 5), round(float(site["lon"]), 5)],
            radius=site_radius(site),
            color="#1a1a1a",
            weight=3 if resizing else 1.5,
            fill=True,
            fill_color=colours[key],
            fill_opacity=0.9,
            class_name=f"planner-site planner-{key} planner-id-{css_id(site_id)}",
        )
        popup = html_table(site["name"], [("Site id", site_id, "")] + rows, ("", label_a, label_b))
        if resizing:
            popup = f'<div class="planner-change">Resized in {escape(label_b)}: ' + (
                f"{escape(resizing)}</div>{popup}"
            )
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
    plan_a: Plan, plan_b: Plan, label_a: str, label_b: str, suppress_below: int, minutes: float
) -> HtmlBox:
    """Both plans' titles and their headline figures side by side (access within ``minutes``)."""
    ha = headline_rows(plan_a.summary, suppress_below, minutes)
    hb = headline_rows(plan_b.summary, suppress_below, minutes)
    rows = [(label, x, y) for (label, x), (_, y) in zip(ha, hb, strict=True)]
    title = (
        f"<h1>{escape(label_a)} vs {escape(label_b)}</h1>"
        f"<div>{escape(label_a)}: {escape(plan_a.title)}</div>"
        f"<div>{escape(label_b)}: {escape(plan_b.title)}</div>"
        + html_table(None, rows, ("", label_a, label_b))
        + suppression_note(suppress_below)
    )
    return HtmlBox(title, "planner-title")


def _legend(
    spec: Metric, edges: list[float], no_data: bool, labels: tuple[str, str], resized: bool
) -> HtmlBox:
    """The legend: the scale of B minus A by region and the kinds of site drawn."""
    label_a, label_b = labels
    legend = [f"<h2>{escape(f'{spec.label}: {label_b} minus {label_a}')}</h2>"]
    legend += scale_rows(_difference_labels(edges, spec), DIVERGING, no_data)
    legend.append("<h2>Open scanner sites (size: scanners)</h2>")
    legend.append(legend_row(circle_svg(_BOTH, "#1a1a1a"), f"in both {label_a} and {label_b}"))
    if resized:
        legend.append(
            legend_row(
                circle_svg(_RESIZED, "#1a1a1a", 3),
                f"in both, resized in {label_b} (popup: scanners {label_a} → {label_b})",
            )
        )
    legend += [
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
    metric: str = "access",
    cdn: bool = False,
    offline: bool | None = None,
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
        Region metric (see :func:`plan_map`); regions are coloured by B minus A. ``"access"``
        is the share within plan B's access minutes, for both plans.
    cdn, offline, suppress_below, regions, simplify_tolerance
        As for :func:`plan_map`.

    Returns
    -------
    folium.Map
        Open sites of both plans, told apart by colour and CSS class: ``planner-both``,
        ``planner-resized`` (open in both, scanners changed), ``planner-only-a`` and
        ``planner-only-b`` (all also ``planner-site``); the basemap as for :func:`plan_map`.
    """
    check_offline(offline, cdn)
    suppress_below = max(int(suppress_below), 0)
    label_a, label_b = (str(x) for x in labels)
    minutes = access_minutes(plan_b)
    spec = check_metric(metric, minutes, access_target(plan_b))
    shapes = prepare_region_shapes(regions, simplify_tolerance)
    a, b = _plan_figures(plan_a), _plan_figures(plan_b)
    fmap, canvas = base_map(map_bounds(a, b, plan_a.demand, plan_b.demand), cdn)

    va, vb = region_metric(plan_a, spec, shapes), region_metric(plan_b, spec, shapes)
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
    changes = site_changes(plan_a, plan_b, (label_a, label_b))
    changes = changes.set_index(changes["site_id"].astype(str))
    groups = _site_groups(changes, a, b, (label_a, label_b), suppress_below)
    for group in groups:
        fmap.add_child(group)
    resized = bool((changes["change"] == "resized").any())

    no_data = bool(diff.reindex(shapes["region_code"]).isna().any())
    return finish_map(
        fmap,
        _title_box(plan_a, plan_b, label_a, label_b, suppress_below, minutes),
        _legend(spec, edges, no_data, (label_a, label_b), resized),
    )


def save_comparison_map(plan_a: Plan, plan_b: Plan, path: str | os.PathLike, **kwargs) -> Path:
    """Draw two plans with :func:`comparison_map` (``kwargs`` are its options) and write them.

    Returns
    -------
    pathlib.Path
        The HTML file written.
    """
    return write_map(comparison_map(plan_a, plan_b, **kwargs), path)
