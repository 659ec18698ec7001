"""Travel and access statistics of a plan, recomputed from its tables.

Two different questions, kept apart:

* **access**: the share of the *population* whose nearest open static scanner is within T
  minutes, the measure of the partnership's target (98% within a 1-hour drive of a static
  scanner);
* **travel**: how far the *scans* the plan assigns actually travel (mean, median, 95th
  percentile), weighted by scans.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The ``q`` quantile of ``values`` weighted by ``weights`` (inverse of the weighted CDF).

    Returns NaN when the weights sum to zero.
    """
    values = np.asarray(values, float)
    weights = np.asarray(weights, float)
    keep = weights > 0
    if not keep.any():
        return float("nan")
    order = np.argsort(values[keep], kind="stable")
    v, w = values[keep][order], weights[keep][order]
    cdf = np.cumsum(w) / w.sum()
    return float(v[min(np.searchsorted(cdf, q - 1e-12), v.size - 1)])


def share_within(population: np.ndarray, minutes: np.ndarray, limit: float) -> float:
    """Share of ``population`` whose ``minutes`` (to the nearest static scanner) are <= limit."""
    population = np.asarray(population, float)
    total = population.sum()
    if total <= 0:
        return float("nan")
    return float(population[np.asarray(minutes, float) <= limit + 1e-9].sum() / total)


def travel_statistics(assignments: pd.DataFrame) -> dict[str, float]:
    """Scan-weighted mean, median and 95th percentile of travel minutes of assigned scans."""
    scans = assignments["scans"].to_numpy(float)
    minutes = assignments["minutes"].to_numpy(float)
    total = scans.sum()
    if total <= 0:
        nan = float("nan")
        return {"mean_travel_minutes": nan, "median_travel_minutes": nan, "p95_travel_minutes": nan}
    return {
        "mean_travel_minutes": float((scans * minutes).sum() / total),
        "median_travel_minutes": weighted_quantile(minutes, scans, 0.5),
        "p95_travel_minutes": weighted_quantile(minutes, scans, 0.95),
    }


def region_table(
    demand: pd.DataFrame,
    assignments: pd.DataFrame,
    names: dict[str, str],
    access_minutes: float,
) -> pd.DataFrame:
    """Access and travel by region, from a plan's demand zones and assignments.

    Returns
    -------
    pandas.DataFrame
        One row per region: ``region_code, region_name, population, demand_scans,
        assigned_scans, unmet_scans, mean_travel_minutes`` (scan-weighted),
        ``share_within_60`` and ``share_within_access`` (of residents, to the nearest open
        static scanner; ``access_minutes`` is the scenario's access time).
    """
    areas = area_table(demand, assignments, names, access_minutes)
    regions = areas[areas["level"] == "region"]
    return pd.DataFrame(
        {
            "region_code": regions["code"].to_numpy(),
            "region_name": regions["name"].to_numpy(),
            "population": regions["population"].to_numpy(),
            "demand_scans": regions["scans"].to_numpy(),
            "assigned_scans": regions["assigned_scans"].to_numpy(),
            "unmet_scans": regions["unmet_scans"].to_numpy(),
            "mean_travel_minutes": regions["mean_minutes"].to_numpy(),
            "share_within_60": regions["share_within_60"].to_numpy(),
            "share_within_access": regions["share_within_access"].to_numpy(),
        }
    )


#: The levels of :func:`area_table`: the column of the demand table each is read from.
AREA_LEVELS = {"region": "region_code", "icb": "icb_code"}


def area_table(
    demand: pd.DataFrame,
    assignments: pd.DataFrame,
    names: dict[str, str],
    access_minutes: float,
    levels: Mapping[str, str] = AREA_LEVELS,
) -> pd.DataFrame:
    """Access and travel by ONS region and by Integrated Care Board (``areas.csv``).

    Parameters
    ----------
    demand, assignments
        A plan's demand zones (with ``region_code`` and, where known, ``icb_code``) and
        assignments.
    names
        Area code -> name, for both levels.
    access_minutes
        The scenario's access time.
    levels
        Level name -> the demand table's column of area codes (default :data:`AREA_LEVELS`;
        :func:`planner.analysis.equity.deprivation_table` groups by deprivation decile).

    Returns
    -------
    pandas.DataFrame
        One row per area: ``level`` (``region`` or ``icb``; ICBs only when the zones carry
        ``icb_code``), ``code``, ``name``, ``zones``, ``population``, ``scans`` (demand a year),
        ``assigned_scans``, ``unmet_scans``, ``share_within_access`` and ``share_within_60``
        (of residents, to the nearest open static scanner), ``mean_minutes`` (scan-weighted
        travel of the assigned scans), and ``access_minutes``.
    """
    scan_minutes = (
        (assignments["scans"] * assignments["minutes"]).groupby(assignments["demand_id"]).sum()
    )
    d = demand.assign(scan_minutes=demand["demand_id"].map(scan_minutes).fillna(0.0).to_numpy())
    nearest = d["nearest_static_minutes"].to_numpy(float)
    d["within_access"] = np.where(nearest <= access_minutes + 1e-9, d["population"], 0.0)
    d["within_60"] = np.where(nearest <= 60 + 1e-9, d["population"], 0.0)
    frames = []
    for level, column in levels.items():
        if column not in d or d[column].fillna("").eq("").all():
            continue
        # A zone without an area code (a hand-made table) is left out of that level.
        known = d[d[column].fillna("").astype(str) != ""]
        g = known.groupby(known[column].astype(str), sort=True)
        table = pd.DataFrame(
            {
                "zones": g.size(),
                "population": g["population"].sum(),
                "scans": g["scans"].sum(),
                "assigned_scans": g["assigned_scans"].sum(),
                "unmet_scans": g["unmet_scans"].sum(),
                "share_within_access": g["within_access"].sum() / g["population"].sum(),
                "share_within_60": g["within_60"].sum() / g["population"].sum(),
                "mean_minutes": g["scan_minutes"].sum() / g["assigned_scans"].sum(),
            }
        )
        table.index.name = "code"
        table = table.reset_index()
        table.insert(0, "level", level)
        table.insert(2, "name", table["code"].map(names).fillna(table["code"]))
        frames.append(table)
    areas = pd.concat(frames, ignore_index=True)
    if (areas["population"] % 1 == 0).all():  # head counts, not rates: keep them whole
        areas["population"] = areas["population"].astype("int64")
    areas["access_minutes"] = float(access_minutes)
    return areas
