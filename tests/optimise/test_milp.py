"""The sparse MILP layer: HiGHS directly and through PuLP (CBC) agree with brute force."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from planner.optimise.milp import SparseMILP
from planner.optimise.solver import SolverOptions


def knapsack_model(values, weights, capacity, maximize=True):
    m = SparseMILP(name="knapsack", maximize=maximize)
    x = m.add_columns("x", len(values), cost=np.asarray(values, float), upper=1.0, integer=True)
    m.add_rows(
        "capacity", 1, np.zeros(len(values), int), x, np.asarray(weights, float), upper=capacity
    )
    return m


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_knapsack_matches_enumeration(seed, solver):
    rng = np.random.default_rng(seed)
    values, weights = rng.integers(1, 50, 10), rng.integers(1, 30, 10)
    capacity = int(weights.sum() // 2)
    best = max(
        sum(values[list(c)])
        for r in range(11)
        for c in itertools.combinations(range(10), r)
        if sum(weights[list(c)]) <= capacity
    )
    report, x = knapsack_model(values, weights, capacity).solve(
        SolverOptions(name=solver, mip_gap=0)
    )
    assert report.status == "optimal"
    assert report.objective == pytest.approx(best)
    assert float(values @ np.rint(x)) == pytest.approx(best)
    assert float(weights @ np.rint(x)) <= capacity


def test_equality_ranges_offset_and_duplicates():
    # min 2a + 3b + 1  s.t.  a + b = 4 (given as two entries for a), 1 <= b - a <= 2, a,b >= 0
    m = SparseMILP()
    a, b = m.add_columns("a", 1, cost=2.0), m.add_columns("b", 1, cost=3.0)
    m.offset = 1.0
    m.add_rows("sum", 1, [0, 0, 0], [a[0], a[0], b[0]], [0.5, 0.5, 1.0], lower=4, upper=4)
    m.add_rows("range", 1, [0, 0], [b[0], a[0]], [1.0, -1.0], lower=1, upper=2)
    for solver in ("highs", "cbc"):
        report, x = m.solve(SolverOptions(name=solver))
        # b - a >= 1 and a + b = 4: cheapest is a = 1.5, b = 2.5: 3 + 7.5 + 1 = 11.5
        assert report.objective == pytest.approx(11.5)
        assert x == pytest.approx([1.5, 2.5])
        assert m.objective_value(x) == pytest.approx(11.5)


def test_infeasible_and_unbounded_are_reported():
    m = SparseMILP()
    x = m.add_columns("x", 1, cost=1.0, integer=True)
    m.add_rows("r", 1, [0], x, 1.0, lower=0.2, upper=0.8)
    assert m.solve(SolverOptions(name="highs"))[0].status == "infeasible"
    assert m.solve(SolverOptions(name="cbc"))[0].status == "infeasible"
    u = SparseMILP()
    u.add_columns("x", 1, cost=-1.0, lower=0.0)
    report, values = u.solve(SolverOptions(name="highs"))
    assert report.status in ("unbounded", "infeasible") and values is None


def test_bad_indices_are_refused():
    m = SparseMILP()
    x = m.add_columns("x", 2)
    with pytest.raises(ValueError, match="column index"):
        m.add_rows("r", 1, [0], [x[1] + 5], 1.0)
    with pytest.raises(ValueError, match="local row"):
        m.add_rows("s", 1, [3], [x[0]], 1.0)
