"""What colours a map's areas: the metrics, their classes, and their values by region or ICB.

The access metrics follow the plan's scenario: ``"access"`` (the default) is the share of
residents within the scenario's access minutes of a static scanner (``access.minutes``, e.g. 45),
coloured in classes whose top class starts at the scenario's target share (``access.share``).
``share_within_30`` ... ``share_within_90`` ask for a fixed time. Shares are read from the plan's
own tables where they hold that time (``share_within_access``, ``share_within_60``), and
otherwise recomputed from its demand zones (:func:`planner.analysis.access.area_table`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from planner import defaults
from planner.analysis.access import area_table
from planner.errors import InputError
from planner.maps.text import number, pct
from planner.plan import REPORTED_THRESHOLDS, Plan

#: The metric names a map accepts (``planner map --metric``).
METRICS = (
    "access",
    *(f"share_within_{t}" for t in REPORTED_THRESHOLDS),
    "population",
    "demand",
    "utilisation",
)

#: Class edges of an access share with no target (the partnership's 98% on top).
_SHARE_EDGES = (0.80, 0.90, 0.95, 0.98)
_SHARE_PALETTE = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")


@dataclass(frozen=True)
class Metric:
    """How one area metric is labelled, formatted and coloured.

    Attributes
    ----------
    key
        Its name in :data:`METRICS` (``"access"`` resolved: ``share_within_<minutes>``).
    label
        Legend and tooltip heading.
    fmt
        Formats a value for display.
    edges
        Fixed inner class boundaries, or None for equal intervals of the data.
    palette
        One colour per class, lowest first.
    minutes
        For an access share, its travel time; else None.
    target
        For the share within the scenario's access minutes, its target share (the top class
        starts there); else None.
    """

    key: str
    label: str
    fmt: Callable[[float], str]
    edges: tuple[float, ...] | None
    palette: tuple[str, ...]
    minutes: float | None = None
    target: float | None = None


_OTHER_METRICS = {
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


def access_minutes(plan: Plan) -> float:
    """The plan's access time in minutes (its scenario's ``access.minutes``)."""
    value = plan.summary.get("access_target_minutes")
    return float(value) if value is not None else float(defaults.ACCESS_MINUTES)


def access_target(plan: Plan) -> float | None:
    """The plan's target share within its access minutes, None when no target was enforced."""
    value = plan.summary.get("access_target_share")
    return None if value is None else float(value)


def minutes_text(minutes: float) -> str:
    """``45`` for 45.0, ``42.5`` for 42.5."""
    return f"{minutes:g}"


def share_metric(minutes: float, target: float | None = None) -> Metric:
    """The share of residents within ``minutes`` of a static scanner.

    With a ``target``, the classes are the default ones scaled so that the top class starts at
    the target (98% gives 80, 90, 95, 98%).
    """
    edges = _SHARE_EDGES
    if target is not None and target > 0:
        edges = tuple(round(e / _SHARE_EDGES[-1] * target, 4) for e in _SHARE_EDGES)
    return Metric(
        f"share_within_{minutes_text(minutes)}",
        f"Population within {minutes_text(minutes)} min of a static scanner",
        lambda v: pct(v),
        edges,
        _SHARE_PALETTE,
        minutes=float(minutes),
        target=target,
    )


def check_metric(
    metric: str, access_minutes: float = defaults.ACCESS_MINUTES, target: float | None = None
) -> Metric:
    """The specification of ``metric`` for a plan with these access minutes and target.

    Raises
    ------
    InputError
        If ``metric`` is not one of :data:`METRICS`.
    """
    if metric not in METRICS:
        raise InputError(
            f"unknown map metric {metric!r}; expected one of {', '.join(METRICS)}", field="metric"
        )
    if metric in _OTHER_METRICS:
        return _OTHER_METRICS[metric]
    minutes = access_minutes if metric == "access" else float(metric.rsplit("_", 1)[1])
    return share_metric(minutes, target if minutes == access_minutes else None)


def plan_metric(plan: Plan, metric: str) -> Metric:
    """:func:`check_metric` for ``plan``'s access minutes and target."""
    return check_metric(metric, access_minutes(plan), access_target(plan))


def share_by_area(plan: Plan, minutes: float, level: str = "region") -> pd.Series:
    """Share of residents within ``minutes`` of an open static scanner, by area code.

    Parameters
    ----------
    plan
        The plan.
    minutes
        The travel time.
    level
        ``"region"`` (ONS regions) or ``"icb"`` (Integrated Care Boards).

    Returns
    -------
    pandas.Series
        Indexed by area code; empty when the plan has no figures at that level.
    """
    if level == "region":
        table = plan.regions.set_index(plan.regions["region_code"].astype(str))
        stored_minutes = access_minutes(plan)
    else:
        areas = plan.areas if plan.areas is not None else pd.DataFrame(columns=["level"])
        table = areas[areas["level"] == level]
        table = table.set_index(table["code"].astype(str))
        known = table.get("access_minutes", pd.Series(dtype=float)).dropna()
        stored_minutes = float(known.iloc[0]) if len(known) else access_minutes(plan)
    # The plan's own figures where they hold this time: a saved plan is redrawn as it was.
    for column, held in (("share_within_access", stored_minutes), ("share_within_60", 60.0)):
        if column in table and held == minutes:
            return pd.to_numeric(table[column], errors="coerce").astype(float)
    needed = {"demand_id", "population", "scans", "assigned_scans", "unmet_scans"}
    if not needed | {"nearest_static_minutes"} <= set(plan.demand.columns):
        return pd.Series(np.nan, index=table.index, dtype=float)
    codes = pd.concat([plan.demand[c] for c in ("region_code", "icb_code") if c in plan.demand])
    names = {str(c): str(c) for c in codes.dropna().unique()}  # the shares need no names
    areas = area_table(plan.demand, plan.assignments, names, minutes)
    areas = areas[areas["level"] == level]
    return pd.Series(areas["share_within_access"].to_numpy(float), index=areas["code"].astype(str))


def region_metric(
    plan: Plan, metric: str | Metric, shapes: gpd.GeoDataFrame | None = None
) -> pd.Series:
    """The value of ``metric`` for each region of a plan, indexed by region_code.

    Parameters
    ----------
    plan
        The plan.
    metric
        One of :data:`METRICS` (``access`` is the plan's access minutes), or a resolved
        :class:`Metric`: an access share (fraction of residents), ``population``, ``demand``
        (scans a year per 1,000 residents) or ``utilisation`` (assigned scans over capacity of
        the region's open sites).
    shapes
        Region polygons, used for residents missing from the plan's regions table and to place
        sites that have no region_code.
    """
    spec = plan_metric(plan, metric) if isinstance(metric, str) else metric
    regions = plan.regions.set_index(plan.regions["region_code"].astype(str))

    def column(table: pd.DataFrame, name: str) -> pd.Series:
        # A missing column maps as "no data" rather than failing the whole map.
        values = table[name] if name in table else pd.Series(np.nan, index=table.index)
        return pd.to_numeric(values, errors="coerce").astype(float)

    if spec.minutes is not None:
        return share_by_area(plan, spec.minutes).reindex(regions.index)
    population = column(regions, "population")
    if population.isna().all() and shapes is not None and "population" in shapes:
        population = column(shapes.set_index("region_code"), "population").reindex(regions.index)
    if spec.key == "population":
        return population
    if spec.key == "demand":
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
    """Class edges (inner boundaries) and their legend labels (the target's class says so)."""
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
    top = f"{metric.fmt(edges[-1])} or more"
    labels.append(f"{top} (the target)" if metric.target is not None else top)
    return edges, labels
