"""Travel and access statistics of a plan, recomputed from its tables.

Two different questions, kept apart:

* **access**: the share of the *population* whose nearest open static scanner is within T
  minutes, the measure of the partnership's target (98% within a 1-hour drive of a static
  scanner);
* **travel**: how far the *scans* the plan assigns actually travel (mean, median, 95th
  percentile), weighted by scans.
"""

from __future__ import annotations

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
    travel_by_zone = (
        assignments.assign(scan_minutes=assignments["scans"] * assignments["minutes"])
        .groupby("demand_id")[["scan_minutes"]]
        .sum()
    )
    d = demand.join(travel_by_zone, on="demand_id")
    d["within"] = np.where(d["nearest_static_minutes"] <= 60 + 1e-9, d["population"], 0.0)
    d["within_access"] = np.where(
        d["nearest_static_minutes"] <= access_minutes + 1e-9, d["population"], 0.0
    )
    g = d.groupby("region_code", sort=True)
    table = pd.DataFrame(
        {
            "population": g["population"].sum(),
            "demand_scans": g["scans"].sum(),
            "assigned_scans": g["assigned_scans"].sum(),
            "unmet_scans": g["unmet_scans"].sum(),
            "mean_travel_minutes": g["scan_minutes"].sum() / g["assigned_scans"].sum(),
            "share_within_60": g["within"].sum() / g["population"].sum(),
            "share_within_access": g["within_access"].sum() / g["population"].sum(),
        }
    ).reset_index()
    table.insert(1, "region_name", table["region_code"].map(names).fillna(table["region_code"]))
    return table
