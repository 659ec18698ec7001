"""The warm start: the covering step by hand, and plans that keep their brute-force optimum."""

from __future__ import annotations

import numpy as np
import pytest

from planner.network import NetworkModel
from planner.network.warm_start import covering_sites
from planner.optimise.solver import SolverOptions
from tests.helpers.cases import brute_force, make_instance, scenario


def test_covering_sites_by_hand():
    # Zones of 10, 20, 30, 40 people; site 0 covers zones 0-1 (30), site 1 zones 1-2 (50),
    # site 2 zone 3 (40). Best pair: sites 1 and 2, 90 of 100. Forcing site 0 in: 0 and 1 (60)
    # or 0 and 2 (70): 0 and 2.
    population = np.array([10.0, 20.0, 30.0, 40.0])
    origin = np.array([0, 1, 1, 2, 3])
    destination = np.array([0, 0, 1, 1, 2])
    options = SolverOptions(name="highs", mip_gap=0.0)
    none = np.zeros(3, bool)
    chosen, share = covering_sites(population, origin, destination, 3, 2, none, options)
    assert chosen.tolist() == [False, True, True] and share == pytest.approx(0.9)
    forced = np.array([True, False, False])
    chosen, share = covering_sites(population, origin, destination, 3, 2, forced, options)
    assert chosen.tolist() == [True, False, True] and share == pytest.approx(0.7)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("policy", ["may_expand", "may_close"])
def test_max_sites_plans_start_warm_and_stay_optimal(seed, policy):
    zones, sites, travel = make_instance(seed, n_zones=7, n_sites=4)
    sc = scenario(
        limits={"max_sites": 2},
        access={"share": 0.3, "minutes": 60},
        existing={"policy": policy},
    )
    reference = brute_force(zones, sites, travel, sc)
    if not np.isfinite(reference["cost"]):
        pytest.skip("no plan meets the limits in this instance")
    plan = NetworkModel.from_tables(zones, sites, travel, sc).solve(
        SolverOptions(name="highs", mip_gap=0.0)
    )
    start = plan.summary["warm_start"]
    assert plan.status == "optimal"
    assert plan.summary["objective"] == pytest.approx(reference["cost"], rel=1e-6)
    assert start is not None and start["sites"] == 2
    # The restricted plan is a plan of the full model: never better than its optimum.
    assert start["objective"] >= plan.summary["objective"] - 1e-6 * abs(start["objective"])


def test_no_warm_start_without_a_site_limit():
    zones, sites, travel = make_instance(3)
    sc = scenario(access={"share": 0.0, "enforce": False})
    plan = NetworkModel.from_tables(zones, sites, travel, sc).solve(
        SolverOptions(name="highs", mip_gap=0.0)
    )
    assert plan.summary["warm_start"] is None
