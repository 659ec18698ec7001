"""Regions on a plan map: the metrics that colour them, their classes and shapes, and their layer.

:func:`region_metric` gives a metric's value per region; :func:`metric_classes` cuts the values
into the classes of the legend; :func:`prepare_region_shapes` readies the polygons (simplified,
coordinates rounded) and :func:`region_layer` draws them as one choropleth layer with a tooltip
per region.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import mapping

from planner.errors import InputError
from planner.maps.layers import AreaCanvas, GeoJsonAreas, round_geometry
from planner.maps.text import NO_DATA, escape, html_table, is_missing, number, pct
from planner.plan import Plan

METRICS = ("share_within_60", "population", "demand", "utilisation")

#: Palette of a difference between two plans, most negative first; the pale middle is "little
#: change", so the eye goes to the regions that moved.
DIVERGING = ("#ca0020", "#f4a582", "#f7f7f7", "#92c5de", "#0571b0")


@dataclass(frozen=True)
class Metric:
    """How one region metric is labelled, formatted and coloured.

    Attributes
    ----------
    key
        Its name in :data:`METRICS`.
    label
        Legend and tooltip heading.
    fmt
        Formats a value for display.
    edges
        Fixed inner class boundaries, or None for equal intervals of the data.
    palette
        One colour per class, lowest first.
    """

    key: str
    label: str
    fmt: Callable[[float], str]
    edges: tuple[float, ...] | None
    palette: tuple[str, ...]


_METRICS = {
    "share_within_60": Metric(
        "share_within_60",
        "Population within 60 min of a static scanner",
        lambda v: pct(v),
        (0.80, 0.90, 0.95, 0.98),  # 98% in 60 min is the partnership's access target
        ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"),
    ),
    "population": Metric(
        "population",
        "Residents",
        lambda v: number(v),
        None,
        ("#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f"),
    ),
    "demand": Metric(
        "demand",
        # A rate, not a total: regions differ threefold in size, and totals would only map that.
        "PET-CT scans a year per 1,000 residents",
        lambda v: number(v, 1),
        None,
        ("#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c"),
    ),
    "utilisation": Metric(
        "utilisation",
        "Utilisation of scanner capacity",
        lambda v: pct(v, 0),
        (0.50, 0.70, 0.85, 0.95),
        ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"),
    ),
}


def check_metric(metric: str) -> Metric:
    """The specification of ``metric``.

    Raises
    ------
    InputError
        If ``metric`` is not one of :data:`METRICS`.
    """
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
    check_metric(metric)
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


def metric_classes(values: pd.Series, metric: Metric) -> tuple[list[float], list[str]]:
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


def prepare_region_shapes(regions: gpd.GeoDataFrame | None, tolerance: float) -> gpd.GeoDataFrame:
    """Region polygons ready to draw: in EPSG:4326, simplified and rounded.

    Parameters
    ----------
    regions
        Polygons with a ``region_code`` column; None for
        :func:`planner.data.embedded.load_regions`.
    tolerance
        Simplification tolerance in degrees (0 keeps the outlines as they are).

    Raises
    ------
    InputError
        If ``regions`` is not a GeoDataFrame with a ``region_code`` column.
    """
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


def region_layer(
    shapes: gpd.GeoDataFrame,
    names: pd.Series,
    values: pd.Series,
    edges: list[float],
    palette: Sequence[str],
    tip_rows: Callable[[str], list[tuple[str, ...]]],
    canvas: AreaCanvas,
    layer_name: str,
    header: Sequence[str] = (),
    show: bool = True,
) -> GeoJsonAreas:
    """A choropleth of ``values`` by region, with a tooltip table per region.

    Parameters
    ----------
    shapes
        Region polygons from :func:`prepare_region_shapes`.
    names
        Display names by region_code; a region without one shows its ``region_name`` or code.
    values
        The value colouring each region, by region_code (missing: the "no data" colour).
    edges, palette
        Inner class boundaries and one colour per class.
    tip_rows
        The tooltip's table rows for a region_code.
    canvas
        The canvas the polygons are drawn on.
    layer_name
        Name in the layer control (escaped here).
    header
        Column headings of the tooltip table, if any.
    show
        Whether the layer starts visible.
    """
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
        show=show,
        highlight=True,
    )
