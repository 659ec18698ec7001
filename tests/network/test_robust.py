"""The robust model and the neighbour warm start on the two towns of tests/test_pipeline.py,
worked by hand.

Two towns 110 minutes apart; site A (existing, one scanner) beside town A, candidate B beside
town B, 10 minutes from each; a scanner 5,000 scans and 1,000,000 a year, a site 100,000,
travel 0.30 a scan-minute; no mobile units.

Future "low" (2,500 scans a million, 5,000 scans): site A alone, 1,000,000 + 100,000 +
2,500 x (10 + 110) x 0.30 = 1,190,000; both sites would cost 2,215,000.
Future "high" (5,000 a million, 10,000 scans): both sites, one scanner each, 2,200,000 +
10,000 x 10 x 0.30 = 2,230,000; site A with two scanners 2,100,000 + 5,000 x 120 x 0.30 =
2,280,000.
One set of sites for both: site A alone costs 1,190,000 and 2,280,000 (regrets 0 and 50,000);
both sites 2,215,000 and 2,230,000 (regrets 1,025,000 and 0). Minimax regret and the mean cost
(1,735,000 against 2,222,500) both choose site A alone.
"""

from __future__ import annotations

import numpy as np
import pytest

from planner.network import NetworkModel
from planner.network.robust import build_robust, solve_robust
from planner.network.warm_start import from_neighbour
from planner.optimise.solver import SolverOptions
from planner.scenario import load_scenario
from tests.helpers.invariants import check_invariants
from tests.test_pipeline import write_two_towns


@pytest.fixture
def futures(tmp_path):
    base = load_scenario(write_two_towns(tmp_path))
    return [base.updated({"demand.scans_per_million": r}) for r in (2500, 5000)]


def _models(scenarios):
    return [NetworkModel.from_scenario(s) for s in scenarios]


def test_each_future_alone_as_by_hand(futures):
    low, high = (m.solve() for m in _models(futures))
    assert low.summary["objective"] == pytest.approx(1_190_000.0)
    assert high.summary["objective"] == pytest.approx(2_230_000.0)


@pytest.mark.parametrize("objective", ["regret", "expected"])
def test_one_set_of_sites_for_both_futures_as_by_hand(futures, objective):
    result = solve_robust(_models(futures), objective, own_costs=[1_190_000.0, 2_230_000.0])
    assert result.status == "optimal"
    assert result.costs == pytest.approx([1_190_000.0, 2_280_000.0])
    for plan, scanners in zip(result.plans, (1, 2), strict=True):
        assert plan.open_sites["site_id"].tolist() == ["SA"]
        assert int(plan.sites.loc[plan.sites["site_id"] == "SA", "fixed_scanners"].iloc[0]) == (
            scanners
        )
        assert plan.summary["total_cost"] == pytest.approx(plan.summary["objective"])
        check_invariants(plan, 120)


def test_one_future_is_its_own_optimum_and_the_model_is_two_blocks(futures):
    models = _models(futures)
    one = solve_robust(models[:1], "regret", own_costs=[1_190_000.0])
    assert one.costs == pytest.approx([1_190_000.0])
    alone = models[0]
    alone.build()
    both, _, starts = build_robust(_models(futures), "expected")
    # Two copies of a future's model, and 2 rows per site linking what is chosen now.
    assert both.num_cols == 2 * alone.problem.num_cols and starts == [0, alone.problem.num_cols]
    assert both.num_rows == 2 * alone.problem.num_rows + 2 * len(alone.inputs.sites)
    assert both.nonzeros == 2 * alone.problem.nonzeros + 4 * len(alone.inputs.sites)


def test_a_neighbours_sites_start_the_solve_when_they_are_feasible_here(futures):
    low, high = _models(futures)
    low.build()
    options = SolverOptions(name="highs", mip_gap=0.0)
    # The high future's best sites (one scanner at each) are a plan of the low future, dearer
    # than its optimum: 2,215,000.
    sites = high.solve().sites
    start = from_neighbour(low, sites, options)
    assert start is not None and start.kind == "neighbour" and start.sites == 2
    assert start.objective == pytest.approx(2_215_000.0)
    n = start.solution[low.periods[0].n]
    assert np.array_equal(np.rint(n), [1, 1])
    assert low.solve(neighbour=sites).summary["objective"] == pytest.approx(1_190_000.0)
    # Site A alone, 1 scanner, cannot serve the high future's 10,000 scans: still a plan
    # (unmet at its penalty), never refused; a site the run may not use is.
    high.build()
    alone = sites.assign(fixed_scanners=[1, 0])
    assert from_neighbour(high, alone, options) is not None
    bad = sites.assign(fixed_scanners=[9, 9])  # above max_scanners_per_site
    assert from_neighbour(high, bad, options) is None
