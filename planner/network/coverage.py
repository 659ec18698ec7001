"""Coverage rows: a share of the population within T minutes of k static scanner sites.

The access target (k = 1: 98% of people within an hour of a static scanner) and backup coverage
(k = 2: a second site in reach when one fails) are the same rows:

    c_i in [0, 1],   k c_i <= sum_{j: t_ij <= T} y_j,   sum_i p_i c_i >= share * sum_i p_i

Only zones with people and at least k sites within T get a column; the others cannot count.
Zones with the same sites within T share one column carrying their summed population: an exact
aggregation (any plan covers all of them or none, and a fractional c is their mean), which
shrinks England's 32,844 LSOA rows to about 3,600 at 60 minutes.
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
    group, members = _site_set_groups(origin, site, len(population))
    eligible = (counts >= sites_needed) & (population > 0)
    people = np.bincount(group[eligible], weights=population[eligible], minlength=len(members))
    groups = np.flatnonzero(people > 0)
    covered = model.add_columns(f"{columns}{tag}", groups.size, upper=1.0)
    row_of_group = np.full(len(members), -1)
    row_of_group[groups] = np.arange(groups.size)
    # One zone per group stands for its site set in the rows.
    first = members[groups]
    keep = np.isin(origin, first)
    model.add_rows(
        f"{rows}{tag}",
        groups.size,
        np.concatenate([np.arange(groups.size), row_of_group[group[origin[keep]]]]),
        np.concatenate([covered, static[site[keep]]]),
        np.concatenate([np.full(groups.size, float(sites_needed)), -np.ones(int(keep.sum()))]),
        upper=0.0,
    )
    # Population shares, not head counts: keeps the row's coefficients near 1.
    model.add_rows(
        f"{rows}_target{tag}",
        1,
        np.zeros(groups.size, int),
        covered,
        people[groups] / population.sum(),
        lower=share,
    )
    return covered


def _site_set_groups(
    origin: np.ndarray, site: np.ndarray, n_zones: int
) -> tuple[np.ndarray, np.ndarray]:
    """Group zones by their set of sites: each zone's group, and one zone of each group."""
    order = np.lexsort((site, origin))
    origin, site = origin[order], site[order]
    starts = np.searchsorted(origin, np.arange(n_zones + 1))
    keys = [site[starts[i] : starts[i + 1]].tobytes() for i in range(n_zones)]
    index: dict[bytes, int] = {}
    group = np.fromiter((index.setdefault(k, len(index)) for k in keys), np.int64, n_zones)
    _, members = np.unique(group, return_index=True)
    return group, members


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
