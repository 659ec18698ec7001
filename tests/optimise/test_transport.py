"""The grouped transportation problems against pandas: the decomposition's first prices
(demand-weighted mean costs) and the master's relaxation (least costs), which is checked to
bound the full LP below at random capacities and to be the full LP when every group is one
zone."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.optimize

from planner.optimise import transport
from planner.optimise.transport import TransportProblem


@pytest.mark.parametrize("dense", [True, False])
def test_grouped_costs_are_the_members_demand_weighted_means(monkeypatch, dense):
    rng = np.random.default_rng(7)
    zones, sites = 400, 12
    key = np.unique(np.repeat(np.arange(zones), 5) * sites + rng.integers(0, sites, 5 * zones))
    origin, destination = key // sites, key % sites
    cost = rng.random(key.size) * 50
    demand = rng.random(zones) * 9
    demand[::17] = 0.0  # zones with no scans still count, by the 1e-12 weight
    unmet = rng.random(zones) * 100 + 100
    problem = TransportProblem(origin, destination, cost, demand, unmet, sites)
    group = rng.integers(0, 60, zones)
    # Small blocks, so that the dense path sums over several of them.
    monkeypatch.setattr(transport, "AGGREGATE_BLOCK", 97)
    monkeypatch.setattr(transport, "AGGREGATE_DENSE_CELLS", 10**9 if dense else 0)
    grouped = problem.aggregated(group)

    pairs = pd.DataFrame(
        {"g": group[origin], "s": destination, "w": demand[origin] + 1e-12, "c": cost}
    )
    pairs["wc"] = pairs["w"] * pairs["c"]
    expected = pairs.groupby(["g", "s"])[["w", "wc"]].sum()
    expected["cost"] = expected["wc"] / expected["w"]
    assert list(zip(grouped.origin, grouped.destination, strict=True)) == list(expected.index)
    np.testing.assert_allclose(grouped.cost, expected["cost"].to_numpy(), rtol=1e-12)
    zone_table = pd.DataFrame({"g": group, "d": demand, "du": demand * unmet})
    by_group = zone_table.groupby("g").sum().reindex(range(group.max() + 1), fill_value=0.0)
    np.testing.assert_allclose(grouped.demand, by_group["d"].to_numpy())
    np.testing.assert_allclose(
        grouped.unmet_cost, by_group["du"].to_numpy() / np.maximum(by_group["d"], 1e-12)
    )


def _problem(seed: int = 7, zones: int = 400, sites: int = 12) -> TransportProblem:
    rng = np.random.default_rng(seed)
    key = np.unique(np.repeat(np.arange(zones), 5) * sites + rng.integers(0, sites, 5 * zones))
    origin, destination = key // sites, key % sites
    cost = rng.random(key.size) * 50
    demand = rng.random(zones) * 9
    unmet = rng.random(zones) * 100 + 100
    return TransportProblem(origin, destination, cost, demand, unmet, sites)


@pytest.mark.parametrize("dense", [True, False])
def test_relaxed_costs_are_the_members_least(monkeypatch, dense):
    problem = _problem()
    group = np.random.default_rng(3).integers(0, 60, problem.n_zones)
    monkeypatch.setattr(transport, "AGGREGATE_BLOCK", 97)
    monkeypatch.setattr(transport, "AGGREGATE_DENSE_CELLS", 10**9 if dense else 0)
    relaxed = problem.relaxed(group)
    pairs = pd.DataFrame({"g": group[problem.origin], "s": problem.destination, "c": problem.cost})
    expected = pairs.groupby(["g", "s"])["c"].min()
    assert list(zip(relaxed.origin, relaxed.destination, strict=True)) == list(expected.index)
    np.testing.assert_allclose(relaxed.cost, expected.to_numpy(), rtol=1e-15)
    zones = pd.DataFrame({"g": group, "d": problem.demand, "p": problem.unmet_cost})
    np.testing.assert_allclose(relaxed.demand, zones.groupby("g")["d"].sum().to_numpy())
    np.testing.assert_allclose(relaxed.unmet_cost, zones.groupby("g")["p"].min().to_numpy())


def _full_lp(problem: TransportProblem, capacity: np.ndarray) -> float:
    """The transportation LP with every pair a column, by scipy's HiGHS."""
    pairs, zones = len(problem.cost), problem.n_zones
    rows = np.concatenate([problem.origin, np.arange(zones)])
    cols = np.arange(pairs + zones)
    a_eq = np.zeros((zones, pairs + zones))
    a_eq[rows, cols] = 1.0
    a_ub = np.zeros((problem.n_sites, pairs + zones))
    a_ub[problem.destination, np.arange(pairs)] = 1.0
    result = scipy.optimize.linprog(
        np.concatenate([problem.cost, problem.unmet_cost]),
        A_ub=a_ub,
        b_ub=capacity,
        A_eq=a_eq,
        b_eq=problem.demand,
        bounds=(0, None),
        method="highs",
    )
    assert result.status == 0
    return float(result.fun)


def test_the_relaxed_problem_bounds_the_full_lp_below():
    problem = _problem(seed=11, zones=120, sites=8)
    group = np.random.default_rng(4).integers(0, 15, problem.n_zones)
    relaxed = problem.relaxed(group)
    one_each = problem.relaxed(np.arange(problem.n_zones))
    rng = np.random.default_rng(5)
    below = 0
    for _ in range(5):
        # Capacity short of demand somewhere, so unmet scans and far trips both count.
        capacity = rng.choice([0.0, 40.0, 80.0, 160.0], problem.n_sites)
        exact = _full_lp(problem, capacity)
        assert relaxed.solve(capacity).cost <= exact * (1 + 1e-9)
        assert _full_lp(relaxed, capacity) <= exact * (1 + 1e-9)
        assert one_each.solve(capacity).cost == pytest.approx(exact, rel=1e-9)
        below += relaxed.solve(capacity).cost < exact * (1 - 1e-6)
    assert below == 5  # a bound, not the same problem
