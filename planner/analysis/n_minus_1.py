"""N-1 analysis of a finished plan: what the loss of each open site would cost.

(Backup coverage, the model's own resilience constraint, is the extension
:mod:`planner.network.extensions.backup`.)

Each open site j of a plan is closed in turn; every other site keeps its capacity and the scans
are re-assigned. The counterfactual, made so that every difference is due to the closure alone:

Baseline
    The plan's demand assigned to the plan's capacities *lexicographically*: first as many scans
    served as the capacities and the travel limit allow, then the least patient travel among
    such assignments. Zone i has ``served_i`` scans served, ``x_ij`` of them at site j; ``T0``
    minutes of travel in all. (It is the plan's own assignment, up to ties, whenever the plan's
    unmet-demand penalty outweighs any travel, as the defaults' does.)
Closure of j
    j has no capacity. Every zone keeps the scans the baseline served it, except that the scans
    j served may go unserved: ``served_i - x_ij <= served'_i <= served_i``. Other patients may
    be moved to make room (knock-on moves), as a network re-planning its lists would do. The
    same lexicographic objective: most scans served, then least ``T_j + sum_i u_i t_ij``
    (``T_j`` the closure's travel, ``u_i`` zone i's scans left unserved, each counted at its
    baseline trip to j): least extra travel as measured below, so that figure is one value
    whichever of j's patients, equal in every other way, are the ones left unserved.

Figures of site j (one row of ``resilience.csv``)
    ``scans_unabsorbed`` = its scans that no other site can take within the travel limit, even
    with knock-on moves (the closure's unserved scans, ``sum_i u_i``); scans the baseline
    already left unmet are not counted (the summary gives them apart). ``scans_moved`` = its
    scans that do find another site. ``extra_minutes_total`` = ``T_j + sum_i u_i t_ij - T0``:
    the extra travel, a year, of every scan still served, the unabsorbed scans taken out of
    the baseline at their trip to j, so that a scan that loses its service never counts as
    travel saved. It is never negative: the closure's assignment plus the unabsorbed scans back
    at j serves each zone as the baseline does, so it cannot travel less than the baseline's
    least travel. ``extra_minutes_per_moved_scan`` = that over ``scans_moved`` (0 when none
    moved). ``people_losing_access`` = residents of zones whose only open static scanner within
    the access time is at j.

Ranking (column ``rank``), most hurt first: scans unabsorbed (whole scans), then people losing
access, then total extra minutes; ties by site id.

One LP serves both stages of each objective: an unmet scan costs more minutes than any chain
of moves can save (:func:`lexicographic_penalty`), so the least-cost assignment serves the most
scans there are and, among those, travels least. The baseline and every closure are solved by
one :class:`~planner.optimise.transport.TransportProblem`, each solve starting from the last
one's basis.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from planner.data.travel import TravelMatrix
from planner.optimise.transport import TransportProblem

#: The columns of ``resilience.csv``, in order.
COLUMNS = (
    "rank",
    "site_id",
    "name",
    "static_scanners",
    "mobile_days",
    "scans_served",
    "scans_moved",
    "scans_unabsorbed",
    "extra_minutes_total",
    "extra_minutes_per_moved_scan",
    "people_losing_access",
    "access_share_after",
    "access_minutes",
)

#: How the table is ranked, in words (the report prints it).
RANKING_RULE = (
    "ranked by the scans a year that could go nowhere else, then the people who would lose "
    "their only static scanner within the access time, then the extra minutes of travel"
)

#: Seconds between progress lines while the closures are solved.
PROGRESS_EVERY = 10.0


def lexicographic_penalty(n_sites: int, max_minutes: float) -> float:
    """Minutes an unmet scan costs so that serving the most scans always comes first.

    Serving one more scan means moving patients along a chain that visits each site at most
    once, adding at most ``max_minutes`` per site: ``(n_sites + 1) * max_minutes`` exceeds any
    travel such a chain adds.
    """
    return (int(n_sites) + 1) * max(float(max_minutes), 1.0)


def _people_losing_access(
    plan, travel: TravelMatrix, access_minutes: float
) -> tuple[np.ndarray, float]:
    """Per site, residents whose only open static scanner within ``access_minutes`` is there;
    and the share of residents with one today (before any closure)."""
    sites, population = plan.sites, plan.demand["population"].to_numpy(float)
    static = sites["open"].to_numpy(bool) & (sites["fixed_scanners"].to_numpy(float) > 0)
    near = static[travel.destination] & (travel.minutes <= access_minutes + 1e-9)
    count = np.bincount(travel.origin[near], minlength=len(population))
    sole = near & (count[travel.origin] == 1)
    losing = np.bincount(
        travel.destination[sole], weights=population[travel.origin[sole]], minlength=len(sites)
    )
    total = max(float(population.sum()), 1e-12)
    return losing, float(population[count > 0].sum()) / total


def n_minus_1(
    plan,
    travel: TravelMatrix,
    *,
    access_minutes: float = 60.0,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Close each open site of ``plan`` in turn and re-assign its scans (module docstring).

    Parameters
    ----------
    plan
        A :class:`~planner.plan.Plan` whose ``sites`` and ``demand`` are in the order of
        ``travel``'s destinations and origins (as a plan from :class:`NetworkModel` is).
    travel
        Zone-site travel times used by the model (pairs within its travel limit).
    access_minutes
        The scenario's access time: who loses a static scanner within it.
    progress
        Called with a line every :data:`PROGRESS_EVERY` seconds while closures are solved.

    Returns
    -------
    pandas.DataFrame
        One row per open site, columns :data:`COLUMNS`, ranked by :data:`RANKING_RULE`.
        No figure is negative or NaN. ``attrs["baseline_unmet"]`` holds the scans a year the
        baseline itself leaves unmet.
    """
    sites, demand = plan.sites, plan.demand
    scans = demand["scans"].to_numpy(float)
    capacity = sites["capacity_scans"].to_numpy(float)
    open_sites = np.flatnonzero(sites["open"].to_numpy(bool) & (capacity > 0))
    usable = capacity[travel.destination] > 0
    o, d, t = travel.origin[usable], travel.destination[usable], travel.minutes[usable]
    penalty = lexicographic_penalty(len(open_sites), float(t.max(initial=1.0)))
    n_zones, n_sites = len(scans), len(capacity)
    problem = TransportProblem(o, d, t, scans, penalty, n_sites)
    baseline = problem.solve(capacity)
    x0 = baseline.flows
    served = np.clip(scans - baseline.unmet, 0.0, None)
    base_minutes = float(x0 @ t)
    losing, covered_share = _people_losing_access(plan, travel, access_minutes)
    population = max(float(demand["population"].sum()), 1e-12)
    problem.change_demand(served)  # the closures start from the baseline's basis
    started = last_said = time.perf_counter()
    rows = []
    for k, j in enumerate(open_sites):
        at_j = d == j
        own = np.bincount(o[at_j], weights=x0[at_j], minlength=n_zones)
        cap = capacity.copy()
        cap[j] = 0.0
        # A scan of j left unserved costs the penalty plus its baseline trip to j (docstring).
        trip = np.zeros(n_zones)
        np.add.at(trip, o[at_j], t[at_j] * _share(x0[at_j], own[o[at_j]]))
        result = problem.solve(cap, unmet_upper=own, unmet_cost=penalty + trip)
        lost = np.clip(result.unmet, 0.0, own)
        lost_minutes = float(lost @ trip)  # the unabsorbed scans' baseline trips to j
        served_j = float(own.sum())
        unabsorbed = min(float(lost.sum()), served_j)
        moved = served_j - unabsorbed
        extra = max(float(result.flows @ t) + lost_minutes - base_minutes, 0.0)
        rows.append(
            {
                "site_id": sites["site_id"].iloc[j],
                "name": sites["name"].iloc[j],
                "static_scanners": int(sites["fixed_scanners"].iloc[j]),
                "mobile_days": int(sites["mobile_days"].iloc[j]),
                "scans_served": served_j,
                "scans_moved": moved,
                "scans_unabsorbed": unabsorbed,
                "extra_minutes_total": extra,
                "extra_minutes_per_moved_scan": extra / moved if moved > 1e-6 else 0.0,
                "people_losing_access": float(losing[j]),
                "access_share_after": max(covered_share - losing[j] / population, 0.0),
                "access_minutes": float(access_minutes),
            }
        )
        if progress is not None and time.perf_counter() - last_said >= PROGRESS_EVERY:
            last_said = time.perf_counter()
            progress(
                f"N-1: {k + 1} of {len(open_sites)} sites closed in turn "
                f"({last_said - started:.0f} s)"
            )
    table = _ranked(pd.DataFrame(rows, columns=[c for c in COLUMNS if c != "rank"]))
    # Readable figures: scans and minutes to a tenth, people whole, shares to 0.01 point.
    table = table.round(
        {
            **dict.fromkeys(("scans_served", "scans_moved", "scans_unabsorbed"), 1),
            **dict.fromkeys(("extra_minutes_total", "extra_minutes_per_moved_scan"), 1),
            "people_losing_access": 0,
            "access_share_after": 4,
        }
    )
    table.attrs["baseline_unmet"] = float(scans.sum() - served.sum())
    return table


def _share(flows: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Each pair's share of its zone's scans at the closed site (a zone has one pair to a
    site, so this is 1 wherever it has scans there)."""
    return np.divide(flows, totals, out=np.zeros_like(flows), where=totals > 0)


def _ranked(table: pd.DataFrame) -> pd.DataFrame:
    """The table in the order of :data:`RANKING_RULE`, with its ``rank`` column first."""
    if table.empty:
        return table.reindex(columns=list(COLUMNS))
    key = table.assign(_whole=table["scans_unabsorbed"].round(0))
    order = key.sort_values(
        ["_whole", "people_losing_access", "extra_minutes_total", "site_id"],
        ascending=[False, False, False, True],
        kind="stable",
    ).index
    ranked = table.loc[order].reset_index(drop=True)
    ranked.insert(0, "rank", np.arange(1, len(ranked) + 1))
    return ranked


def add_n_minus_1(
    plan,
    travel: TravelMatrix,
    access_minutes: float,
    progress: Callable[[str], None] | None = None,
) -> None:
    """Run :func:`n_minus_1` on ``plan`` and keep the result in it (changed in place).

    ``plan.resilience`` gets the table; the summary gets the first-ranked site's figures
    (``n_minus_1_worst_site``, ``n_minus_1_unabsorbed_scans``, ``n_minus_1_people_losing_access``,
    ``n_minus_1_extra_minutes_per_moved_scan``), the number of sites whose loss would leave
    scans with nowhere to go (``n_minus_1_sites_leaving_scans``), the scans the baseline
    already leaves unmet (``n_minus_1_baseline_unmet``) and ``n_minus_1_access_minutes``.
    """
    table = n_minus_1(plan, travel, access_minutes=access_minutes, progress=progress)
    plan.resilience = table
    if table.empty:
        return
    worst = table.iloc[0]
    plan.summary.update(
        {
            "n_minus_1_worst_site": worst["name"],
            "n_minus_1_unabsorbed_scans": float(worst["scans_unabsorbed"]),
            "n_minus_1_people_losing_access": float(worst["people_losing_access"]),
            "n_minus_1_extra_minutes_per_moved_scan": float(worst["extra_minutes_per_moved_scan"]),
            "n_minus_1_sites_leaving_scans": int((table["scans_unabsorbed"] >= 0.5).sum()),
            "n_minus_1_baseline_unmet": table.attrs["baseline_unmet"],
            "n_minus_1_access_minutes": float(access_minutes),
        }
    )
