"""A robust plan: one set of sites chosen now, good in each of several futures (two-stage).

The futures are scenarios that differ in what is uncertain (demand growth, the scan rate,
costs, a scanner's throughput), over the same demand zones, sites and travel times. Each future
f is the network model of one planning year, built as usual (:meth:`NetworkModel.assemble
<planner.network.NetworkModel.assemble>`: core, access target, limits, hubs, tracer reach ...),
with its own columns. They are placed side by side in one MILP, and linked by the first-stage
decisions, the sites chosen now:

    v_j,f = v_j,0     site j open (all futures alike)
    y_j,f = y_j,0     site j equipped for static scanners (its installation is paid now)

Everything else is the second stage, chosen for each future: the static scanners n_j,f (at
least one where y_j = 1), mobile-unit days m_j,f, the fleet, the assignment of patients and the
demand left unmet. Two objectives:

``"regret"`` (the default)
    minimise R, the worst regret, with  cost_f(x_f) - C*_f <= R  for each future, where C*_f
    is that future's own optimum (solved first, alone). The futures are possibilities without
    agreed probabilities (0%, 5% or 12% growth a year), which an expected cost would need;
    the worst regret needs none, and bounds how much more than hindsight's plan this plan can
    cost in any of them: the protection "if circumstances change" that the 2015 award praised.
    A small weight on the mean cost (:data:`TIE_WEIGHT`) chooses among plans of equal regret.
``"expected"``
    minimise the mean of the futures' costs (equal weights unless given).

With one future both give that future's own optimum. No future's cost can be below its own
optimum, since the robust plan is one of that future's plans.

Why not the phasing extension's structure: phasing links the years of one future in time
(sites stay open, scanners only added); here futures are alternatives at the same time, each
with every decision but the sites free. The stacking is the same block-diagonal model,
built by :meth:`SparseMILP.append <planner.optimise.milp.SparseMILP.append>`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np

from planner.errors import InputError, ModelInfeasibleError, SolverError
from planner.network.model import ModelSize, NetworkModel
from planner.network.solution import plan_from_solution
from planner.optimise.milp import SparseMILP
from planner.optimise.solver import INFEASIBLE, SolverOptions
from planner.plan import Plan

OBJECTIVES = ("regret", "expected")
#: Weight of the mean cost beside the worst regret: breaks ties between plans of equal regret
#: towards the cheaper on average, too small to trade any regret for it. Assumption.
TIE_WEIGHT = 1e-4
#: The first-stage blocks: sites open, sites with a static scanner (planner.network.core).
FIRST_STAGE = ("v", "y")


@dataclass
class RobustResult:
    """The robust plan in each future, and the model's figures."""

    plans: list[Plan]
    costs: list[float]
    objective: str
    size: ModelSize
    build_seconds: float
    solve_seconds: float
    status: str
    mip_gap: float | None


def check_futures(models: list[NetworkModel]) -> None:
    """The futures must share sites and plan one year each.

    Raises
    ------
    InputError
        Naming what differs.
    """
    first = models[0].inputs.sites["site_id"].astype(str).to_numpy()
    for model in models:
        if len(model.context.planning_years()) != 1:
            raise InputError(
                "a robust plan has one planning year in each future: set phasing.enabled = "
                "false (vary demand.horizon_years to look further ahead)",
                field="phasing.enabled",
            )
        sites = model.inputs.sites["site_id"].astype(str).to_numpy()
        if not np.array_equal(sites, first):
            raise InputError(
                "the futures must share their sites (vary demand, costs, capacity or the "
                "access target, not the data or the region filter)",
                field="--vary",
            )


def build_robust(
    models: list[NetworkModel],
    objective: str = "regret",
    own_costs: list[float] | None = None,
    weights: list[float] | None = None,
) -> tuple[SparseMILP, list[tuple], list[int]]:
    """The two-stage model of ``models`` (one per future; see the module docstring).

    Returns the model, each future's (periods, states, model) and its first column.
    """
    if objective not in OBJECTIVES:
        raise InputError(f"expected one of {', '.join(OBJECTIVES)}", field="objective")
    if objective == "regret" and (own_costs is None or len(own_costs) != len(models)):
        raise ValueError("the worst regret needs each future's own optimum cost")
    check_futures(models)
    count = len(models)
    weights = list(weights) if weights is not None else [1.0 / count] * count
    mean_scale = TIE_WEIGHT if objective == "regret" else 1.0
    robust = SparseMILP(name="robust_pet_ct_network")
    blocks, starts, parts = [], [], []
    for f, model in enumerate(models):
        milp, periods, states = model.assemble()
        start, _ = robust.append(milp, f"_f{f}", cost_scale=mean_scale * weights[f])
        blocks.append((periods, states, milp))
        starts.append(start)
        parts.append(milp)
    n_sites = len(models[0].inputs.sites)
    local = np.arange(n_sites)
    for f in range(1, count):
        for key in FIRST_STAGE:
            base = getattr(blocks[0][0][0], key) + starts[0]
            this = getattr(blocks[f][0][0], key) + starts[f]
            robust.add_rows(
                f"first_stage_{key}_f{f}",
                n_sites,
                np.concatenate([local, local]),
                np.concatenate([this, base]),
                np.concatenate([np.ones(n_sites), -np.ones(n_sites)]),
                lower=0.0,
                upper=0.0,
            )
    if objective == "regret":
        worst = robust.add_columns("worst_regret", 1, cost=1.0, lower=-np.inf)
        for f, milp in enumerate(parts):
            cost = milp.cost
            nz = np.flatnonzero(cost)
            robust.add_rows(
                f"regret_f{f}",
                1,
                np.zeros(nz.size + 1, dtype=int),
                np.concatenate([nz + starts[f], worst]),
                np.concatenate([cost[nz], [-1.0]]),
                upper=own_costs[f] - milp.offset,
            )
    return robust, blocks, starts


def solve_robust(
    models: list[NetworkModel],
    objective: str = "regret",
    own_costs: list[float] | None = None,
    weights: list[float] | None = None,
    options: SolverOptions | None = None,
) -> RobustResult:
    """Build and solve the robust model; each future's plan with the sites chosen now.

    Raises
    ------
    ModelInfeasibleError
        When no one set of sites meets every future's access target and limits.
    SolverError
        When the solver stopped without a plan.
    """
    options = options or SolverOptions.from_settings(models[0].scenario.solver)
    for model in models:
        model.check()
    started = time.perf_counter()
    robust, blocks, starts = build_robust(models, objective, own_costs, weights)
    build_seconds = time.perf_counter() - started
    report, solution = robust.solve(options)
    if report.status == INFEASIBLE:
        raise ModelInfeasibleError(
            "no one set of sites meets every future's constraints",
            ["each future alone may be feasible: check the futures' access targets and limits"],
        )
    if not report.has_solution:
        raise SolverError(f"the robust model stopped without a plan: {report.status}")
    size = ModelSize(
        zones=len(models[0].inputs.zones),
        sites=len(models[0].inputs.sites),
        pairs=len(models[0].inputs.travel),
        variables=robust.num_cols,
        integer_variables=robust.num_integer,
        constraints=robust.num_rows,
        nonzeros=robust.nonzeros,
    )
    plans, costs = [], []
    for model, (periods, states, milp), start in zip(models, blocks, starts, strict=True):
        own = solution[start : start + milp.num_cols]
        cost = milp.objective_value(own)
        future_report = replace(report, objective=cost, best_bound=None)
        plan = plan_from_solution(
            model.context, periods, own, future_report, states, size.as_dict(), build_seconds
        )
        plan.summary["robust"] = {
            "objective": objective,
            "futures": len(models),
            "status": report.status,
            "mip_gap": report.mip_gap,
            "robust_objective": report.objective,
        }
        plans.append(plan)
        costs.append(cost)
    return RobustResult(
        plans, costs, objective, size, build_seconds, report.seconds, report.status, report.mip_gap
    )
