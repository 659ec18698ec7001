"""p-median on OR-Library pmed instances against the published optima, and time limits."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from planner.classic import PMedian, p_median, read_orlib_pmed
from planner.optimise.solver import SolverOptions

ORLIB = Path(__file__).resolve().parents[2].parent / "shared" / "benchmarks" / "orlib-pmed"

#: Every instance solves in under 10 s on this 2-core machine, most in under 2 s.
FAST = [f"pmed{k}" for k in range(1, 41)]


def optima() -> dict[str, float]:
    if not ORLIB.is_dir():
        pytest.skip(f"OR-Library p-median files not found at {ORLIB} (../shared beside the repo)")
    with (ORLIB / "optimal.csv").open() as handle:
        return {row["instance"]: float(row["optimal_cost"]) for row in csv.DictReader(handle)}


def test_reader_keeps_last_duplicate_edge(tmp_path):
    path = tmp_path / "tiny.txt"
    # Edge 1-2 appears twice: the last cost (5) counts, and 2-1 is the same undirected edge.
    path.write_text("3 3 1\n1 2 9\n2 3 1\n2 1 5\n")
    costs, p = read_orlib_pmed(path)
    assert p == 1
    assert costs.tolist() == [[0, 5, 6], [5, 0, 1], [6, 1, 0]]


@pytest.mark.slow
@pytest.mark.parametrize("name", FAST)
def test_pmed_reaches_published_optimum(name):
    best = optima()[name]
    costs, p = read_orlib_pmed(ORLIB / f"{name}.txt")
    result = p_median(costs, p)
    assert result.status == "optimal"
    assert result.objective == best
    assert result.gap <= 1e-6
    assert len(result.facilities) == p
    assert costs[np.arange(costs.shape[0]), result.assignment].sum() == best


@pytest.mark.slow
# The Lagrangian method proves this instance optimal in about 0.9 s on an idle 2-core machine, so
# it gets 0.2 s (where it stops about 4% from its bound); the MILP alone needs far longer than 1 s.
@pytest.mark.parametrize(
    "solver, lagrangian, seconds",
    [("highs", True, 0.2), ("highs", False, 1.0), ("cbc", False, 1.0)],
)
def test_time_limited_run_reports_feasible_with_true_gap(solver, lagrangian, seconds):
    rng = np.random.default_rng(1)
    demand = rng.uniform(0, 100, size=(2000, 2))
    sites = rng.uniform(0, 100, size=(200, 2))
    costs = np.hypot(demand[:, None, 0] - sites[None, :, 0], demand[:, None, 1] - sites[None, :, 1])
    model = PMedian.from_cost_matrix(
        costs, 10, weights=rng.integers(1, 50, 2000), lagrangian=lagrangian
    )
    result = model.solve(SolverOptions(name=solver, time_limit=seconds))
    # With the Lagrangian stage a heuristic plan exists from the start; the MILP alone may not
    # have found one within its limit on a slow machine.
    assert result.status in (("feasible",) if lagrangian else ("feasible", "not_solved"))
    assert result.status != "optimal"
    assert result.report.status == result.status
    if result.status == "feasible":
        assert result.objective is not None and result.best_bound is not None
        assert result.best_bound <= result.objective
        expected = (result.objective - result.best_bound) / result.objective
        assert result.gap == pytest.approx(expected)
        assert result.gap > 0
        assert result.report.mip_gap == pytest.approx(expected)
