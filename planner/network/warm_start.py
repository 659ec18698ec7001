"""A first plan for the solver to start from, when the scenario caps the number of sites.

With ``limits.max_sites`` and the access target, HiGHS's own heuristics rarely find a good plan
on a large model: on the Christie-Alliance "same count" scenario at MSOA level (4,008 zones,
93 sites, at most 20 open) it stopped at 45 s with a plan 98% from its bound. A plan built from
the problem's structure does much better: choose the sites that cover the most people within
the access minutes (a maximal covering problem, small and quick), solve the full model with only
those sites allowed (a much smaller MILP), and hand that plan to the full solve as its first
incumbent. The full solve then reports its own status, bound and gap, as always: the warm start
can only make the incumbent better, never the reported figures less honest.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from planner.optimise.milp import SparseMILP
from planner.optimise.solver import SolverOptions

#: Share of the time limit the warm start may use (the rest is the full solve's). Assumption.
TIME_SHARE = 0.3
#: Seconds for the warm start when the scenario sets no time limit. Assumption.
UNLIMITED_SECONDS = 60.0
#: The site blocks the warm start closes for a site outside the chosen set: static scanners,
#: static site open, any site open, mobile days (see planner.network.core).
SITE_BLOCKS = ("n", "y", "v", "m")


@dataclass(frozen=True)
class WarmStart:
    """The plan the full solve starts from, and how it was found."""

    solution: np.ndarray
    sites: int
    covered_share: float
    objective: float
    seconds: float
    #: "covering" (maximal covering sites) or "neighbour" (a neighbouring sweep run's sites)
    kind: str = "covering"

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "sites": self.sites,
            "covered_share": self.covered_share,
            "objective": self.objective,
            "seconds": round(self.seconds, 3),
        }


def covering_sites(
    population: np.ndarray,
    origin: np.ndarray,
    destination: np.ndarray,
    n_sites: int,
    count: int,
    forced: np.ndarray,
    options: SolverOptions,
) -> tuple[np.ndarray, float] | None:
    """The ``count`` sites (``forced`` ones among them) covering the most population.

    ``origin``/``destination`` are the zone-site pairs within the access minutes. Returns the
    chosen sites' mask and the covered share, or ``None`` if the problem has no solution in time.
    """
    model = SparseMILP(name="covering", maximize=True)
    y = model.add_columns("y", n_sites, lower=forced.astype(float), upper=1.0, integer=True)
    c = model.add_columns("c", population.size, upper=1.0, cost=population)
    rows = np.concatenate([np.arange(population.size), origin])
    cols = np.concatenate([c, y[destination]])
    vals = np.concatenate([np.ones(population.size), -np.ones(origin.size)])
    model.add_rows("covered", population.size, rows, cols, vals, upper=0.0)
    model.add_rows("count", 1, np.zeros(n_sites), y, 1.0, lower=count, upper=count)
    report, solution = model.solve(options)
    if solution is None:
        return None
    return solution[y] > 0.5, float(solution[c] @ population / population.sum())


def warm_start(model, options: SolverOptions) -> WarmStart | None:
    """A plan of the network model ``model`` (built, one planning year) to start from.

    Returns ``None`` when the scenario sets no ``limits.max_sites``, plans several years, more
    existing sites must stay open than the limit allows, or no restricted plan is found in time.
    """
    scenario, inputs, problem = model.scenario, model.inputs, model.problem
    count = scenario.limits.max_sites
    if count is None or len(model.periods) != 1 or (options.name or "highs") != "highs":
        return None
    started = time.perf_counter()
    budget = (options.time_limit or UNLIMITED_SECONDS / TIME_SHARE) * TIME_SHARE
    n_sites = len(inputs.sites)
    forced = inputs.sites["existing"].to_numpy(bool)
    if scenario.existing.policy == "may_close":
        forced = np.zeros(n_sites, bool)
    count = min(count, n_sites)
    if forced.sum() > count:
        return None
    near = inputs.travel.within(scenario.access.minutes)
    quick = replace(options, time_limit=budget / 3, mip_gap=1e-4, warm_start=False)
    found = covering_sites(
        inputs.zones["population"].to_numpy(float),
        near.origin,
        near.destination,
        n_sites,
        count,
        forced,
        quick,
    )
    if found is None:
        return None
    chosen, share = found
    upper = problem.upper.copy()
    for name in SITE_BLOCKS:
        block = problem.columns.get(name)
        if block is not None and block.size == n_sites:
            upper[block.start + np.flatnonzero(~chosen)] = 0.0
    restricted = problem.with_upper(upper)
    left = max(budget - (time.perf_counter() - started), 1.0)
    report, solution = restricted.solve(replace(options, time_limit=left))
    if solution is None:
        return None
    return WarmStart(
        solution=solution,
        sites=int(chosen.sum()),
        covered_share=share,
        objective=float(report.objective),
        seconds=time.perf_counter() - started,
    )


def from_neighbour(model, sites: pd.DataFrame, options: SolverOptions) -> WarmStart | None:
    """A plan of ``model`` (built, one planning year) that keeps a neighbouring run's sites.

    A sweep solves scenarios that differ in a key or two; the plan of the run beside this one
    (its ``sites`` table: ``site_id``, ``fixed_scanners``, ``mobile_days``) is usually close to
    this run's optimum. Its scanners and mobile days are fixed at every site and the rest of
    the model (assignment, fleet, hubs) solved, a small problem; when that is feasible here it
    is the incumbent the full solve starts from. Returns ``None`` when it is not (the access
    target or a limit changed so much that the neighbour's sites no longer meet it), when the
    model plans several years, or when the solver is not HiGHS.
    """
    problem = model.problem
    if len(model.periods) != 1 or (options.name or "highs") != "highs":
        return None
    started = time.perf_counter()
    known = sites.set_index(sites["site_id"].astype(str))
    order = model.inputs.sites["site_id"].astype(str)
    scanners = order.map(known["fixed_scanners"]).fillna(0).to_numpy(float)
    days = order.map(known["mobile_days"]).fillna(0).to_numpy(float)
    period = model.periods[0]
    values = {"n": scanners, "y": scanners > 0, "m": days, "v": (scanners > 0) | (days > 0)}
    lower, upper = problem.lower.copy(), problem.upper.copy()
    for name, value in values.items():
        cols = getattr(period, name)
        fixed = np.asarray(value, float)
        if np.any(fixed < lower[cols] - 1e-9) or np.any(fixed > upper[cols] + 1e-9):
            return None  # outside this run's bounds (e.g. a site this run may not use)
        lower[cols] = upper[cols] = fixed
    restricted = replace(problem, _lower=[lower], _upper=[upper])
    budget = (options.time_limit or UNLIMITED_SECONDS / TIME_SHARE) * TIME_SHARE
    report, solution = restricted.solve(replace(options, time_limit=budget))
    if solution is None:
        return None
    near = model.inputs.travel.within(model.scenario.access.minutes)
    covered = np.zeros(len(model.inputs.zones), bool)
    covered[near.origin[values["y"][near.destination]]] = True
    population = model.inputs.zones["population"].to_numpy(float)
    return WarmStart(
        solution=solution,
        sites=int(values["v"].sum()),
        covered_share=float(population[covered].sum() / max(population.sum(), 1.0)),
        objective=float(report.objective),
        seconds=time.perf_counter() - started,
        kind="neighbour",
    )


def first_plan(
    model, options: SolverOptions, neighbour: pd.DataFrame | None, detail
) -> WarmStart | None:
    """The plan the full solve starts from: the neighbouring run's sites when they are
    feasible here, else the maximal covering sites' plan (:func:`warm_start`); ``detail`` is
    told which."""
    start = None if neighbour is None else from_neighbour(model, neighbour, options)
    if start is not None:
        detail(
            f"warm start: the neighbouring run's {start.sites} sites, "
            f"plan {start.objective:,.0f} ({start.seconds:.1f} s)"
        )
        return start
    start = warm_start(model, options)
    if start is not None:
        detail(
            f"warm start: {start.sites} sites covering {start.covered_share:.2%} within "
            f"{model.scenario.access.minutes:g} min; plan {start.objective:,.0f} "
            f"({start.seconds:.1f} s)"
        )
    return start
