"""The access S-curve: the share of residents within m minutes, for every m.

NHS reconfiguration cases show access as the cumulative share of the population against
travel time. A plan gives three curves, all from its own tables:

* ``plan``: residents whose nearest open static scanner in the plan is within m minutes
  (the access measure of the partnership's target, at every m instead of at 60);
* ``today``: the same for today's network, the existing sites with their existing static
  scanners (the demand table's ``today_static_minutes``; absent for plans saved before it);
* ``scans``: scans a year the plan sends to a site (static or mobile) within m minutes, as
  a share of the year's demand, so unmet scans never count as reached.

Minutes beyond the scenario's maximum travel time are not known: a zone with no static
scanner in reach has no nearest time and never counts as within.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from planner.plan import REPORTED_THRESHOLDS

#: The demand table's column of minutes to the nearest site with a static scanner today.
TODAY_COLUMN = "today_static_minutes"


def _cumulative_share(
    minutes: np.ndarray, weights: np.ndarray, grid: np.ndarray, total: float
) -> np.ndarray:
    """Share of ``total`` whose ``minutes`` are <= each grid value (NaN minutes never are)."""
    known = np.isfinite(minutes)
    order = np.argsort(minutes[known], kind="stable")
    sorted_minutes = minutes[known][order]
    running = np.concatenate([[0.0], np.cumsum(weights[known][order])])
    counted = np.searchsorted(sorted_minutes, grid + 1e-9, side="right")
    return running[counted] / total if total > 0 else np.full(grid.shape, np.nan)


def curve_minutes(demand: pd.DataFrame, assignments: pd.DataFrame, step: float = 1.0) -> np.ndarray:
    """The grid of a plan's curve: 0 to the longest known time rounded up to ten minutes, and
    at least to the longest of the plan's reported thresholds (90 minutes)."""
    longest = 0.0
    for values in (
        demand["nearest_static_minutes"],
        demand.get(TODAY_COLUMN, pd.Series(dtype=float)),
        assignments["minutes"],
    ):
        finite = pd.to_numeric(values, errors="coerce").dropna()
        if not finite.empty:
            longest = max(longest, float(finite.max()))
    top = max(float(max(REPORTED_THRESHOLDS)), math.ceil(longest / 10.0) * 10.0)
    return np.arange(0.0, top + step / 2, step)


def access_curve(
    demand: pd.DataFrame, assignments: pd.DataFrame, minutes: np.ndarray | None = None
) -> pd.DataFrame:
    """The access S-curve of a plan (see the module docstring).

    Parameters
    ----------
    demand
        A plan's demand zones: ``population``, ``scans``, ``nearest_static_minutes`` and,
        where known, ``today_static_minutes``.
    assignments
        The plan's assignments: ``scans`` and ``minutes``.
    minutes
        The travel times to evaluate; default :func:`curve_minutes` (every minute).

    Returns
    -------
    pandas.DataFrame
        ``minutes``, ``plan``, ``today`` (only when the demand table has today's times) and
        ``scans``: shares between 0 and 1, non-decreasing in ``minutes``.
    """
    grid = curve_minutes(demand, assignments) if minutes is None else np.asarray(minutes, float)
    population = demand["population"].to_numpy(float)
    people = float(population.sum())
    curve = {
        "minutes": grid,
        "plan": _cumulative_share(
            demand["nearest_static_minutes"].to_numpy(float), population, grid, people
        ),
    }
    if TODAY_COLUMN in demand:
        curve["today"] = _cumulative_share(
            demand[TODAY_COLUMN].to_numpy(float), population, grid, people
        )
    curve["scans"] = _cumulative_share(
        assignments["minutes"].to_numpy(float),
        assignments["scans"].to_numpy(float),
        grid,
        float(demand["scans"].sum()),
    )
    return pd.DataFrame(curve)
