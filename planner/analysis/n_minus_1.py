"""N-1 analysis of a finished plan: what the loss of each open site would cost.

(Backup coverage, the model's own resilience constraint, is the extension
:mod:`planner.network.extensions.backup`.)

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


def add_n_minus_1(plan, travel: TravelMatrix, costs: dict[str, float]) -> None:
    """Run :func:`n_minus_1` on ``plan`` and keep the result in it (changed in place).

    ``plan.resilience`` gets the table; the summary gets ``n_minus_1_worst_site`` and
    ``n_minus_1_unabsorbed_scans`` (the site whose loss leaves most scans with nowhere to go,
    then most extra travel). ``costs`` are the model's unit costs
    (:func:`planner.network.context.unit_costs`).
    """
    plan.resilience = n_minus_1(
        plan, travel, cost_per_minute=costs["travel_minute"], penalty=costs["unmet_scan"]
    )
    if not plan.resilience.empty:
        worst = plan.resilience.iloc[0]  # sorted by unabsorbed scans, then extra travel
        plan.summary["n_minus_1_worst_site"] = worst["name"]
        plan.summary["n_minus_1_unabsorbed_scans"] = float(worst["unabsorbed_scans"])
