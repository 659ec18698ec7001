"""The core of the network model: the columns and rows of one planning year.

Columns (``tag`` tells the planning years apart)
    n_j static scanners at j; N the network's static scanners (carries their cost); y_j a static
    scanner at j; v_j j open; m_j mobile-unit days a week at j; U mobile units; x_ij scans of
    zone i served at j; u_i scans of zone i left unmet.
Rows
    demand     sum_j x_ij + u_i = d_i
    capacity   sum_i x_ij <= F n_j + D m_j
    linking    y_j <= n_j <= upper_j y_j ;  y_j <= v_j ;  m_j <= M v_j ;  v_j <= y_j + m_j
    totals     sum_j n_j <= N ;  sum_j m_j <= days_per_unit x U

Everything else (access target, limits, hubs, backup coverage, phasing) is an extension
(:mod:`planner.network.extensions`) that adds its rows to these columns.

Without the assignment block (``assignment=False``) the year has no x, no u and no demand or
capacity rows: that is the master problem of the decomposition
(:mod:`planner.network.decomposition`), where patients' travel and unmet demand are priced by
cuts instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.network.context import ModelContext
from planner.optimise.milp import INF, SparseMILP


@dataclass
class Period:
    """The column indices of one planning year's decisions, and its demand."""

    year: int
    tag: str
    scans: np.ndarray
    weight: float
    n: np.ndarray
    scanners: np.ndarray
    y: np.ndarray
    v: np.ndarray
    m: np.ndarray
    fleet: np.ndarray
    x: np.ndarray
    unmet: np.ndarray
    install: np.ndarray  # yearly installation cost of a static scanner at each site


def add_period(
    model: SparseMILP,
    context: ModelContext,
    year: int,
    scans: np.ndarray,
    weight: float,
    tag: str,
    *,
    assignment: bool = True,
) -> Period:
    """Add the core columns and rows of planning year ``year`` (scans a year ``scans``);
    without ``assignment``, leave out x, u and the demand and capacity rows."""
    period = _add_columns(model, context, year, scans, weight, tag, assignment)
    if assignment:
        _add_assignment_rows(model, context, period)
    _add_linking_rows(model, context, period)
    return period


def _add_columns(
    model: SparseMILP,
    context: ModelContext,
    year: int,
    scans: np.ndarray,
    weight: float,
    tag: str,
    assignment: bool,
) -> Period:
    travel = context.inputs.travel
    n_zones, n_sites = len(context.inputs.zones), len(context.inputs.sites)
    costs, bounds = context.costs, context.bounds
    ok = bounds.allowed
    upper = bounds.upper.astype(float)
    install = np.where(bounds.existing_static, 0.0, costs["new_static_site"])
    n = model.add_columns(
        f"n{tag}", n_sites, lower=np.minimum(bounds.lower, bounds.upper), upper=upper, integer=True
    )
    # The network's scanner count N carries the scanners' cost. The relaxation spreads
    # fractional scanners over many sites, so branching on single sites closes the gap
    # slowly; N is integer in every plan and one branch on it (N <= k or N >= k + 1)
    # settles most of the gap (england_baseline: 1 node instead of about 70). An
    # inequality, not an equation, so that presolve cannot substitute N away; N equals
    # the sum of n at every optimum, since each scanner costs.
    total = model.add_columns(
        f"scanners{tag}", 1, cost=weight * costs["scanner"], upper=float(upper.sum()), integer=True
    )
    model.add_rows(
        f"scanner_total{tag}",
        1,
        np.zeros(n_sites + 1, dtype=int),
        np.concatenate([n, total]),
        np.concatenate([np.ones(n_sites), [-1.0]]),
        upper=0.0,
    )
    y = model.add_columns(
        f"y{tag}",
        n_sites,
        cost=weight * install,
        lower=bounds.forced_static & ok,
        upper=ok,
        integer=True,
    )
    v = model.add_columns(
        f"v{tag}",
        n_sites,
        cost=weight * costs["open_site"],
        lower=bounds.keep_open & ok,
        upper=ok,
        integer=True,
    )
    max_days = context.max_mobile_days
    m = model.add_columns(
        f"m{tag}",
        n_sites,
        cost=weight * costs["mobile_day_per_week"],
        upper=np.where(ok, max_days, 0),
        integer=True,
    )
    fleet = model.add_columns(
        f"mobile_units{tag}",
        1,
        cost=weight * costs["mobile_unit"],
        upper=INF if max_days > 0 else 0,
        integer=True,
    )
    if not assignment:
        none = np.zeros(0, dtype=np.int64)
        return Period(year, tag, scans, weight, n, total, y, v, m, fleet, none, none, install)
    x = model.add_columns(
        f"x{tag}", len(travel), cost=weight * costs["travel_minute"] * travel.minutes
    )
    unmet = model.add_columns(f"u{tag}", n_zones, cost=weight * costs["unmet_scan"], upper=scans)
    return Period(year, tag, scans, weight, n, total, y, v, m, fleet, x, unmet, install)


def _add_assignment_rows(model: SparseMILP, context: ModelContext, p: Period) -> None:
    travel, tag = context.inputs.travel, p.tag
    n_zones, n_sites, n_pairs = len(context.inputs.zones), len(context.inputs.sites), len(travel)
    zone_rows, site_rows = np.arange(n_zones), np.arange(n_sites)
    ones_p, ones_s = np.ones(n_pairs), np.ones(n_sites)
    model.add_rows(
        f"demand{tag}",
        n_zones,
        np.concatenate([travel.origin, zone_rows]),
        np.concatenate([p.x, p.unmet]),
        1.0,
        lower=p.scans,
        upper=p.scans,
    )
    F, D = context.scans_per_scanner, context.scans_per_weekly_mobile_day
    model.add_rows(
        f"capacity{tag}",
        n_sites,
        np.concatenate([travel.destination, site_rows, site_rows]),
        np.concatenate([p.x, p.n, p.m]),
        np.concatenate([ones_p, -F * ones_s, -D * ones_s]),
        upper=0.0,
    )


def _add_linking_rows(model: SparseMILP, context: ModelContext, p: Period) -> None:
    tag, n_sites = p.tag, len(context.inputs.sites)
    site_rows, ones_s = np.arange(n_sites), np.ones(n_sites)

    def site_pairs(name: str, a: np.ndarray, ca, b: np.ndarray, cb, **bounds) -> None:
        """One row per site: ca a_j + cb b_j within bounds."""
        model.add_rows(
            name,
            n_sites,
            np.concatenate([site_rows, site_rows]),
            np.concatenate([a, b]),
            np.concatenate([np.broadcast_to(ca, n_sites), np.broadcast_to(cb, n_sites)]),
            **bounds,
        )

    upper = context.bounds.upper.astype(float)
    site_pairs(f"static_lo{tag}", p.n, 1.0, p.y, -1.0, lower=0.0)
    site_pairs(f"static_hi{tag}", p.n, 1.0, p.y, -upper, upper=0.0)
    site_pairs(f"open_static{tag}", p.y, 1.0, p.v, -1.0, upper=0.0)
    site_pairs(f"open_mobile{tag}", p.m, 1.0, p.v, -float(context.max_mobile_days), upper=0.0)
    # An open site hosts something: a site kept open by policy keeps a service.
    model.add_rows(
        f"served{tag}",
        n_sites,
        np.concatenate([site_rows, site_rows, site_rows]),
        np.concatenate([p.y, p.m, p.v]),
        np.concatenate([ones_s, ones_s, -ones_s]),
        lower=0.0,
    )
    model.add_rows(
        f"fleet{tag}",
        1,
        np.zeros(n_sites + 1, dtype=int),
        np.concatenate([p.m, p.fleet]),
        np.concatenate([ones_s, [-float(context.scenario.capacity.mobile_days_per_unit)]]),
        upper=0.0,
    )
