"""Resilience: backup coverage in the model, and N-1 analysis of a finished plan.

Backup coverage asks that a share of the population be within ``backup_minutes`` of *two* open
static scanner sites, so that a breakdown or a closure leaves a second site in reach:

    b_i in [0, 1],  2 b_i <= sum_{j: t_ij <= T_backup} y_j,  sum_i p_i b_i >= share * sum_i p_i

N-1 analysis closes each open site of a plan in turn, keeps every other site's capacity, and
re-solves the assignment of scans (a linear programme: scans to sites within the maximum travel
time, unmet scans penalised): the scans that could not be absorbed and the extra patient travel
are that site's criticality.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import linprog

from planner.data.travel import TravelMatrix
from planner.errors import SolverError
from planner.optimise.milp import SparseMILP


def add_backup_rows(
    model: SparseMILP,
    travel: TravelMatrix,
    population: np.ndarray,
    static: np.ndarray,
    minutes: float,
    share: float,
    tag: str = "",
) -> None:
    """Add the backup-coverage columns and rows (see the module docstring) to ``model``;
    ``tag`` tells the blocks of different planning years apart."""
    near = travel.minutes <= minutes + 1e-9
    origin, site = travel.origin[near], travel.destination[near]
    counts = np.bincount(origin, minlength=len(population))
    zone_ids = np.flatnonzero((counts >= 2) & (population > 0))
    b = model.add_columns(f"backup{tag}", zone_ids.size, upper=1.0)
    row_of_zone = np.full(len(population), -1)
    row_of_zone[zone_ids] = np.arange(zone_ids.size)
    keep = row_of_zone[origin] >= 0
    model.add_rows(
        f"backup{tag}",
        zone_ids.size,
        np.concatenate([np.arange(zone_ids.size), row_of_zone[origin[keep]]]),
        np.concatenate([b, static[site[keep]]]),
        np.concatenate([np.full(zone_ids.size, 2.0), -np.ones(int(keep.sum()))]),
        upper=0.0,
    )
    model.add_rows(
        f"backup_target{tag}",
        1,
        np.zeros(zone_ids.size, int),
        b,
        population[zone_ids] / population.sum(),
        lower=share,
    )


def backup_share(
    demand: pd.DataFrame, travel: TravelMatrix, static_open: np.ndarray, minutes: float
) -> float:
    """Share of population with at least two open static sites within ``minutes``."""
    keep = (travel.minutes <= minutes + 1e-9) & np.asarray(static_open, bool)[travel.destination]
    counts = np.bincount(travel.origin[keep], minlength=len(demand))
    pop = demand["population"].to_numpy(float)
    return float(pop[counts >= 2].sum() / pop.sum())


def _assignment_lp(
    scans: np.ndarray,
    capacity: np.ndarray,
    travel: TravelMatrix,
    cost_per_minute: float,
    penalty: float,
) -> tuple[float, np.ndarray, np.ndarray]:
    """Cheapest assignment of scans to fixed capacities.

    Returns (travel cost, scans per pair, unmet scans per zone).
    """
    usable = capacity[travel.destination] > 0
    o, d, t = travel.origin[usable], travel.destination[usable], travel.minutes[usable]
    nz, ns, npairs = len(scans), len(capacity), len(t)
    cost = np.concatenate([cost_per_minute * t, np.full(nz, penalty)])
    cols = np.arange(npairs)
    a_eq = sp.hstack(
        [sp.csr_matrix((np.ones(npairs), (o, cols)), shape=(nz, npairs)), sp.identity(nz)]
    ).tocsr()
    a_ub = sp.hstack(
        [sp.csr_matrix((np.ones(npairs), (d, cols)), shape=(ns, npairs)), sp.csr_matrix((ns, nz))]
    ).tocsr()
    res = linprog(
        cost, A_ub=a_ub, b_ub=capacity, A_eq=a_eq, b_eq=scans, bounds=(0, None), method="highs"
    )
    if res.status != 0:
        raise SolverError(f"N-1 assignment LP failed: {res.message}")
    x = np.zeros(len(travel))
    x[np.flatnonzero(usable)] = res.x[:npairs]
    return float(res.fun), x, res.x[npairs:]


def n_minus_1(
    plan, travel: TravelMatrix, *, cost_per_minute: float = 1.0, penalty: float = 1e4
) -> pd.DataFrame:
    """Close each open site of ``plan`` in turn and re-assign its scans.

    Both the baseline and each closure are least-travel assignments of the plan's demand to the
    plan's capacities, so the differences are due to the closure alone; the baseline equals
    the plan's own assignment wherever that is the least-travel one (it is, up to ties, when
    the plan's only assignment cost is travel).

    Parameters
    ----------
    plan
        A :class:`~planner.plan.Plan` whose ``sites`` and ``demand`` are in the order of
        ``travel``'s destinations and origins (as a plan from :class:`NetworkModel` is).
    travel
        Zone-site travel times used by the model.

    Returns
    -------
    pandas.DataFrame
        One row per open site: ``site_id, name, assigned_scans`` (its scans a year in the
        baseline assignment), ``unabsorbed_scans`` (scans a year that no other site could
        take), ``extra_travel_minutes_mean`` (mean extra minutes for the scans it served that
        were moved elsewhere), ``extra_scan_minutes`` (total extra minutes a year, all
        patients).
    """
    sites, demand = plan.sites, plan.demand
    scans = demand["scans"].to_numpy(float)
    capacity = sites["capacity_scans"].to_numpy(float).copy()
    _, x0, unmet0 = _assignment_lp(scans, capacity, travel, cost_per_minute, penalty)
    base_minutes = float((x0 * travel.minutes).sum())
    rows = []
    for j in np.flatnonzero(sites["open"].to_numpy(bool)):
        cap = capacity.copy()
        cap[j] = 0.0
        _, x, unmet = _assignment_lp(scans, cap, travel, cost_per_minute, penalty)
        moved = float(x0[travel.destination == j].sum())
        unabsorbed = float(unmet.sum() - unmet0.sum())
        extra = float((x * travel.minutes).sum() - base_minutes)
        rehoused = moved - unabsorbed
        rows.append(
            {
                "site_id": sites["site_id"].iloc[j],
                "name": sites["name"].iloc[j],
                "assigned_scans": moved,
                "unabsorbed_scans": max(unabsorbed, 0.0),
                "extra_scan_minutes": extra,
                "extra_travel_minutes_mean": extra / rehoused if rehoused > 1e-6 else np.nan,
            }
        )
    table = pd.DataFrame(rows)
    if not table.empty:
        table = table.sort_values(["unabsorbed_scans", "extra_scan_minutes"], ascending=False)
    return table.reset_index(drop=True)
