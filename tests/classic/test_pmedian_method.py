"""The p-median's exact method, piece by piece, against enumeration.

Each stage of :mod:`planner.classic.pmedian` claims something exact: the Lagrangian value is a
lower bound, a facility the tests close is in no plan better than the incumbent, a local
search ends where no swap helps, and the whole solve finds the optimum whichever stage proves
it. Medium instances (up to 16 facilities) are enumerated in full.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.sparse as sp

from planner.classic import p_median, pmedian
from planner.classic.inputs import SortedPairs, cost_matrix
from planner.classic.pmedian_heuristic import (
    greedy_add,
    interchange,
    plan_cost,
    weighted_dense,
)
from planner.classic.pmedian_lagrangian import (
    CLOSED,
    FREE,
    OPEN,
    LagrangianDual,
    fix_by_reduced_cost,
    probe,
)
from planner.classic.pmedian_tree import branch_and_bound
from planner.classic.radius import RadiusModel
from planner.optimise.solver import SolverOptions


def clustered(seed: int, n: int = 60, m: int = 14, integer: bool = True):
    """Demand in clusters around some candidate sites, so that p-medians are not all alike."""
    rng = np.random.default_rng(seed)
    sites = rng.uniform(0, 100, size=(m, 2))
    centres = sites[rng.choice(m, 4, replace=False)]
    points = centres[rng.integers(0, 4, n)] + rng.normal(0, 12, size=(n, 2))
    costs = np.hypot(points[:, None, 0] - sites[None, :, 0], points[:, None, 1] - sites[None, :, 1])
    weights = rng.integers(1, 20, n).astype(float)
    if integer:
        costs = np.round(costs)
    return costs, weights


def all_plan_costs(costs: np.ndarray, weights: np.ndarray, p: int) -> dict[tuple, float]:
    m = costs.shape[1]
    return {
        s: float(weights @ costs[:, list(s)].min(axis=1))
        for s in itertools.combinations(range(m), p)
    }


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("p", [2, 4])
def test_lagrangian_value_never_exceeds_the_optimum(seed, p):
    costs, w = clustered(seed)
    optimum = min(all_plan_costs(costs, w, p).values())
    dual = LagrangianDual(SortedPairs.from_matrix(cost_matrix(costs)), w, p)
    state = np.full(costs.shape[1], FREE, dtype=np.int8)
    ascent = dual.ascend(
        state,
        dual.initial_multipliers(),
        target=optimum * 1.05,
        threshold=np.inf,
        max_iterations=2000,
    )
    assert ascent.bound <= optimum + 1e-9
    # The LP bound of the p-median is strong: within a few percent here.
    assert ascent.bound >= 0.9 * optimum
    # Any multipliers give a lower bound, not only the best ones.
    rng = np.random.default_rng(seed)
    for _ in range(5):
        lam = rng.uniform(0, 2, costs.shape[0]) * ascent.multipliers
        assert dual.evaluate(lam, state).bound <= optimum + 1e-9
    # Multipliers below every cost leave no pair to price (long steps reach them): L = sum lambda.
    closed = state.copy()
    closed[0] = CLOSED
    low = np.full(costs.shape[0], -1.0)
    assert dual.evaluate(low, closed).bound == pytest.approx(low.sum())


@pytest.mark.parametrize("seed", range(8))
def test_facility_tests_close_nothing_a_better_plan_needs(seed):
    costs, w = clustered(seed, n=50, m=12)
    p = 3
    plans = all_plan_costs(costs, w, p)
    # A deliberately weak incumbent: the 20th best plan, so some plans are better than it.
    incumbent = sorted(plans.values())[20]
    threshold = incumbent - 0.5
    dual = LagrangianDual(SortedPairs.from_matrix(cost_matrix(costs)), w, p)
    state = np.full(costs.shape[1], FREE, dtype=np.int8)
    ascent = dual.ascend(
        state,
        dual.initial_multipliers(),
        target=incumbent,
        threshold=threshold,
        max_iterations=2000,
    )
    fixed = fix_by_reduced_cost(dual, ascent.evaluation, state, threshold)
    probed = probe(dual, fixed, ascent.multipliers, target=incumbent, threshold=threshold)
    assert (probed == CLOSED).sum() >= (fixed == CLOSED).sum()
    better = [s for s, cost in plans.items() if cost < threshold]
    assert better, "the instance must leave some plans better than the incumbent"
    for s in better:
        assert not (probed[list(s)] == CLOSED).any(), f"plan {s} uses a closed facility"
        forced = np.flatnonzero(probed == OPEN)
        assert set(forced) <= set(s), f"plan {s} lacks a facility fixed open"


def tree_search(costs, w, p, incumbent, *, max_nodes=100_000, required=(), learn=True):
    """Run the branch and bound from a plan of cost ``incumbent``; return the outcome, the best
    cost it ends with and the plans it offered. With ``learn=False`` offered plans do not
    lower the incumbent."""
    dual = LagrangianDual(SortedPairs.from_matrix(cost_matrix(costs)), w, p)
    state = np.full(costs.shape[1], FREE, dtype=np.int8)
    state[list(required)] = OPEN
    best = {"cost": incumbent}
    offered = []

    def offer(plan):
        offered.append(plan.copy())
        if learn:
            best["cost"] = min(best["cost"], float(w @ costs[:, plan].min(axis=1)))

    outcome = branch_and_bound(
        dual,
        state,
        dual.initial_multipliers(),
        incumbent=lambda: (best["cost"], best["cost"] - 0.5),
        offer=offer,
        max_nodes=max_nodes,
    )
    return outcome, best["cost"], offered


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("p", [3, 5])
def test_branch_and_bound_reaches_the_enumerated_optimum(seed, p):
    costs, w = clustered(seed, n=50, m=13)
    required = (seed % 13,) if seed % 2 else ()
    plans = all_plan_costs(costs, w, p)
    if required:
        plans = {s: c for s, c in plans.items() if required[0] in s}
    optimum = min(plans.values())
    # From a plan far from the optimum, the search itself must find the better plans.
    outcome, found, offered = tree_search(costs, w, p, max(plans.values()), required=required)
    assert outcome.proven
    assert found == optimum
    for plan in offered:
        assert plan.sum() == p and plan[list(required)].all()
    # Given the optimum, it proves that nothing beats it; given the second best, it cannot.
    assert tree_search(costs, w, p, optimum, learn=False)[0].proven
    second = min(c for c in plans.values() if c > optimum + 0.5)
    outcome, _, offered = tree_search(costs, w, p, second, learn=False, required=required)
    assert not outcome.proven or any(w @ costs[:, q].min(axis=1) == optimum for q in offered)


@pytest.mark.parametrize("seed", range(4))
def test_branch_and_bound_stopped_early_bounds_every_better_plan(seed):
    costs, w = clustered(seed, n=50, m=13)
    plans = all_plan_costs(costs, w, 4)
    # The 30th best plan, kept as the incumbent, leaves better plans to find or to bound.
    incumbent = sorted(plans.values())[30]
    for max_nodes in (1, 2, 5):
        outcome, _, offered = tree_search(costs, w, 4, incumbent, max_nodes=max_nodes, learn=False)
        # Each better plan is offered or lies in a node left, whose bound is at most its cost.
        best_offered = min((w @ costs[:, q].min(axis=1) for q in offered), default=np.inf)
        assert min(outcome.bound, best_offered) <= min(plans.values()) + 1e-9
        assert outcome.proven == (outcome.bound == np.inf)


@pytest.mark.parametrize("seed", range(6))
def test_interchange_ends_where_no_swap_helps(seed):
    costs, w = clustered(seed, integer=False)
    dense, penalty = weighted_dense(cost_matrix(costs), w)
    m = costs.shape[1]
    must = np.zeros(m, dtype=bool)
    must[seed % m] = True
    may = np.ones(m, dtype=bool)
    start = greedy_add(dense, 4, must, may)
    assert start.sum() == 4 and start[seed % m]
    plan = interchange(dense, start, must, may)
    cost = plan_cost(dense, plan, penalty)
    assert cost <= plan_cost(dense, start, penalty)
    assert plan[seed % m] and plan.sum() == 4
    for r in np.flatnonzero(plan & ~must):
        for j in np.flatnonzero(~plan):
            swapped = plan.copy()
            swapped[r], swapped[j] = False, True
            assert plan_cost(dense, swapped, penalty) >= cost - 1e-9


def test_unreachable_pairs_are_never_preferred():
    # Facility 0 is cheap for points 0-2 but cannot reach point 3; facility 1 reaches all.
    costs = np.array([[1.0, 9.0], [1.0, 9.0], [1.0, 9.0], [np.inf, 9.0]])
    dense, penalty = weighted_dense(cost_matrix(costs), np.ones(4))
    assert plan_cost(dense, np.array([True, False]), penalty) == np.inf
    plan = greedy_add(dense, 1, np.zeros(2, bool), np.ones(2, bool))
    assert plan.tolist() == [False, True]


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("integer", [True, False])
def test_every_stage_reaches_the_enumerated_optimum(seed, integer):
    rng = np.random.default_rng(100 + seed)
    m, p = int(rng.integers(10, 17)), int(rng.integers(2, 6))
    costs, w = clustered(seed, n=int(rng.integers(40, 90)), m=m, integer=integer)
    required = [int(rng.integers(0, m))] if seed % 3 == 0 else None
    plans = all_plan_costs(costs, w, p)
    if required:
        plans = {s: c for s, c in plans.items() if required[0] in s}
    optimum = min(plans.values())
    for lagrangian in (True, False):
        result = p_median(costs, p, w, required=required, lagrangian=lagrangian)
        assert result.status == "optimal"
        assert result.objective == pytest.approx(optimum, rel=1e-6)
        assert plans[tuple(result.facilities)] == pytest.approx(result.objective)
        assert result.best_bound <= result.objective + 1e-9
        assert result.best_bound >= optimum * (1 - 2e-6)


def test_search_cut_short_hands_over_to_the_milp(monkeypatch):
    # A short root ascent leaves a gap and the search gives up at once: probing and the radius
    # MILP must still finish the proof.
    monkeypatch.setattr(pmedian, "ROOT_ITERATIONS", 5)
    monkeypatch.setattr(pmedian, "TREE_NODES", 0)
    milp_runs = []
    solve = RadiusModel.solve

    def counted(self, *args, **kwargs):
        milp_runs.append(1)
        return solve(self, *args, **kwargs)

    monkeypatch.setattr(RadiusModel, "solve", counted)
    for seed in range(6):
        rng = np.random.default_rng(200 + seed)
        m, p = int(rng.integers(10, 15)), int(rng.integers(2, 5))
        costs, w = clustered(seed, n=int(rng.integers(40, 80)), m=m)
        optimum = min(all_plan_costs(costs, w, p).values())
        result = p_median(costs, p, w)
        assert result.status == "optimal"
        assert result.objective == pytest.approx(optimum)
        assert result.best_bound >= optimum - 1e-9
    assert milp_runs, "some instance must reach the MILP"


def test_sparse_instance_where_the_greedy_plan_leaves_a_point_unserved():
    # Facility 1 is the cheapest start, but point 1 reaches only facility 0 and point 4 only
    # facility 2: a 2-median must open 0 and 2, and the greedy plan {1, x} serves no one well.
    rows = [0, 0, 1, 2, 2, 3, 3, 4]
    cols = [0, 1, 0, 1, 2, 1, 2, 2]
    vals = [3.0, 0.5, 1.0, 0.2, 4.0, 0.1, 5.0, 1.0]
    costs = sp.csr_matrix((vals, (rows, cols)), shape=(5, 3))
    dense = costs.toarray()
    dense[costs.toarray() == 0] = np.inf
    best = min(
        (float(dense[:, list(s)].min(axis=1).sum()), s) for s in itertools.combinations(range(3), 2)
    )
    assert best[1] == (0, 2) and np.isfinite(best[0])
    for levels in ("full", "generate"):
        for lagrangian in (True, False):
            result = p_median(costs, 2, levels=levels, lagrangian=lagrangian)
            assert result.status == "optimal"
            assert result.facilities.tolist() == [0, 2]
            assert result.objective == pytest.approx(best[0])


@pytest.mark.parametrize("levels", ["full", "generate"])
def test_no_plan_serves_everyone_is_infeasible(levels):
    # Each point reaches a different single facility, but only one may open.
    costs = sp.csr_matrix(([1.0, 1.0], ([0, 1], [0, 1])), shape=(2, 2))
    result = p_median(costs, 1, levels=levels)
    assert result.status == "infeasible"
    assert result.objective is None


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_cutoff_finds_better_plans_or_proves_there_is_none(solver):
    costs, w = clustered(3, n=70, m=15)
    best = min(all_plan_costs(costs, w, 3).values())
    for lagrangian in (True, False):
        result = p_median(costs, 3, w, solver=SolverOptions(name=solver), lagrangian=lagrangian)
        assert result.status == "optimal" and result.objective == best
