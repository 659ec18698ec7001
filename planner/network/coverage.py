"""Coverage rows: a share of the population within T minutes of k static scanner sites.

The access target (k = 1: 98% of people within an hour of a static scanner) and backup coverage
(k = 2: a second site in reach when one fails) are the same rows:

    c_i in [0, 1],   k c_i <= sum_{j: t_ij <= T} y_j,   sum_i p_i c_i >= share * sum_i p_i

Only zones with people and at least k sites within T get a column; the others cannot count.
"""

from __future__ import annotations

import numpy as np

from planner.data.travel import TravelMatrix
from planner.optimise.milp import SparseMILP


def add_coverage_rows(
    model: SparseMILP,
    travel: TravelMatrix,
    population: np.ndarray,
    static: np.ndarray,
    *,
    minutes: float,
    share: float,
    sites_needed: int,
    columns: str,
    rows: str,
    tag: str = "",
) -> np.ndarray:
    """Add the coverage columns and rows above; return the columns ``c_i``.

    Parameters
    ----------
    model
        The model to add to.
    travel
        Zone-site travel times (zones and sites in model order).
    population
        People in each zone.
    static
        Column indices of ``y_j`` (a static scanner at site j).
    minutes, share, sites_needed
        T, the share of the population and k.
    columns, rows, tag
        Names of the column block and of the row blocks (``rows`` and ``rows_target``), each
        followed by ``tag`` (the planning year's).
    """
    near = travel.minutes <= minutes + 1e-9
    origin, site = travel.origin[near], travel.destination[near]
    counts = np.bincount(origin, minlength=len(population))
    zone_ids = np.flatnonzero((counts >= sites_needed) & (population > 0))
    covered = model.add_columns(f"{columns}{tag}", zone_ids.size, upper=1.0)
    row_of_zone = np.full(len(population), -1)
    row_of_zone[zone_ids] = np.arange(zone_ids.size)
    keep = row_of_zone[origin] >= 0
    model.add_rows(
        f"{rows}{tag}",
        zone_ids.size,
        np.concatenate([np.arange(zone_ids.size), row_of_zone[origin[keep]]]),
        np.concatenate([covered, static[site[keep]]]),
        np.concatenate([np.full(zone_ids.size, float(sites_needed)), -np.ones(int(keep.sum()))]),
        upper=0.0,
    )
    # Population shares, not head counts: keeps the row's coefficients near 1.
    model.add_rows(
        f"{rows}_target{tag}",
        1,
        np.zeros(zone_ids.size, int),
        covered,
        population[zone_ids] / population.sum(),
        lower=share,
    )
    return covered


def covered_share(
    travel: TravelMatrix,
    population: np.ndarray,
    static_open: np.ndarray,
    *,
    minutes: float,
    sites_needed: int,
) -> float:
    """Share of ``population`` with at least ``sites_needed`` open static sites within ``minutes``
    (what the rows above require, recomputed from a plan's open sites)."""
    keep = (travel.minutes <= minutes + 1e-9) & np.asarray(static_open, bool)[travel.destination]
    counts = np.bincount(travel.origin[keep], minlength=len(population))
    population = np.asarray(population, float)
    return float(population[counts >= sites_needed].sum() / population.sum())
