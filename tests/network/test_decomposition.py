"""The decomposition against independent references.

* the plain full model (one MILP in HiGHS, proven optimal) on instances small enough for it, with
  every feature of the model switched on in turn;
* the brute force of :mod:`tests.helpers.cases` (every combination of scanners and mobile days);
* a time-limited run: its bound is below the true optimum and its gap is what it says;
* the assignment LP's pricing proof, recomputed over every pair, on an instance where the first
  pool of pairs is not optimal; and the cuts, checked against the full LP at other capacities.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.optimize

from planner.network import NetworkModel, subproblems
from planner.network.decomposition import Decomposition
from planner.optimise.capacity_cuts import capacity_cut
from planner.optimise.solver import FEASIBLE, OPTIMAL, SolverOptions
from planner.optimise.transport import SEED_SITES, TransportProblem
from tests.helpers.cases import brute_force, make_instance, scenario

HUBS = pd.DataFrame(
    [
        {"hub_id": "H1", "name": "hub 1", "lat": 52.2, "lon": -0.8},
        {"hub_id": "H2", "name": "hub 2", "lat": 52.8, "lon": -0.2},
    ]
)
SUPPLIERS = pd.DataFrame(
    [{"supplier_id": "R1", "name": "lab", "lat": 52.4, "lon": -0.6, "status": "active"}]
)

#: Gap to which both methods solve (the full model's own default tolerance).
GAP = 1e-4

#: Each feature of the network model, switched on alone (scenario sections).
FEATURES = {
    "core, no access target": {"access": {"enforce": False}},
    "access target": {"access": {"minutes": 60, "share": 0.8}},
    "max_sites": {"access": {"enforce": False}, "limits": {"max_sites": 3}},
    "min_sites and max_scanners": {"limits": {"min_sites": 6, "max_scanners": 9}},
    "budget": {"access": {"enforce": False}, "limits": {"budget": 4_000_000}},
    "existing kept": {"existing": {"policy": "keep"}},
    "existing may close": {"existing": {"policy": "may_close"}},
    "no mobile units": {"capacity": {"allow_mobile": False}},
    "mobile days": {"capacity": {"mobile_max_days_per_site": 3}},
    "hubs": {
        "access": {"share": 0.5},
        "hubs": {"enabled": True, "max_minutes": 120, "trainee_places": 40},
    },
    "tracer reach": {
        "access": {"share": 0.5},
        "tracer": {"enabled": True, "min_activity_fraction": 0.5},
    },
    "backup coverage": {"resilience": {"backup_minutes": 90, "backup_share": 0.8}},
    "phasing": {
        "access": {"share": 0.5},
        "demand": {"horizon_years": 3, "annual_growth": 0.15},
        "phasing": {"enabled": True, "years": [1, 3]},
    },
}


def _instance(seed: int = 3, n_zones: int = 30, n_sites: int = 7):
    zones, sites, travel = make_instance(seed, n_zones, n_sites)
    zones["scans"] = zones["scans"] / 3  # several zones share a scanner
    return zones, sites, travel


def _solve(method: str, sections: dict, instance, **solver):
    zones, sites, travel = instance
    sections = {"access": {"share": 0.5}, **sections}
    sc = scenario(**sections, solver={"method": method, "mip_gap": GAP, **solver})
    model = NetworkModel.from_tables(zones, sites, travel, sc, hubs=HUBS, suppliers=SUPPLIERS)
    return model.solve(), model


@pytest.mark.parametrize("feature", list(FEATURES))
def test_decomposition_equals_the_full_model(feature):
    instance = _instance()
    full, _ = _solve("full", FEATURES[feature], instance, mip_gap=1e-9)
    split, model = _solve("decomposition", FEATURES[feature], instance)
    assert full.summary["status"] == OPTIMAL
    assert split.summary["status"] == OPTIMAL
    assert model.decomposition is not None
    # Both proven within GAP of their bounds: the objectives agree within it, and neither
    # bound is above the other's plan.
    optimum = full.summary["objective"]
    assert split.summary["objective"] == pytest.approx(optimum, rel=GAP)
    assert split.summary["best_bound"] <= optimum * (1 + 1e-9)
    assert full.summary["best_bound"] <= split.summary["objective"] * (1 + 1e-9)
    _check_assignment(split)


def _check_assignment(plan) -> None:
    """Demand is served or unmet, no open site over capacity, no scan at a closed site."""
    sites = plan.sites.set_index("site_id")
    a = plan.assignments
    load = a.groupby("site_id")["scans"].sum().reindex(sites.index, fill_value=0.0)
    assert (load <= sites["capacity_scans"] + 1e-6).all()
    assert a["site_id"].isin(sites.index[sites["open"]]).all()
    d = plan.demand.set_index("demand_id")
    assigned = a.groupby("demand_id")["scans"].sum().reindex(d.index, fill_value=0.0)
    np.testing.assert_allclose(assigned + d["unmet_scans"], d["scans"], rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("seed", [0, 1, 2, 5])
def test_decomposition_equals_brute_force(seed):
    zones, sites, travel = make_instance(seed)
    sc = scenario(
        access={"share": 0.5, "minutes": 60}, solver={"method": "decomposition", "mip_gap": 1e-5}
    )
    plan = NetworkModel.from_tables(zones, sites, travel, sc).solve()
    reference = brute_force(zones, sites, travel, sc)
    assert plan.summary["objective"] == pytest.approx(reference["cost"], rel=1e-5)


def test_a_stopped_run_reports_its_true_bound_and_gap():
    instance = _instance(seed=11, n_zones=150, n_sites=14)
    sections = FEATURES["access target"]
    full, _ = _solve("full", sections, instance)
    optimum = full.summary["objective"]
    zones, sites, travel = instance
    sections = {"access": {"share": 0.5}, **sections}
    sc = scenario(**sections, solver={"method": "decomposition", "mip_gap": 0.0})
    model = NetworkModel.from_tables(zones, sites, travel, sc)
    # One master MILP solve and no LP rounds: the first plan, its bound and the true gap.
    decomposition = Decomposition(model, SolverOptions(name="highs", mip_gap=0.0))
    result = decomposition.solve(lp_rounds=0, master_solves=1)
    report = result.report
    assert report.status == FEASIBLE
    assert not report.time_limit_reached  # stopped by master_solves, not by the clock
    assert report.best_bound <= optimum * (1 + 1e-9)
    assert optimum <= report.objective * (1 + 1e-9)
    assert report.mip_gap == pytest.approx(
        (report.objective - report.best_bound) / report.objective
    )
    assert report.mip_gap > 0


def _far_first_problem(seed: int = 4, n_zones: int = 80) -> TransportProblem:
    """Every zone's SEED_SITES nearest sites are the first SEED_SITES sites, so the first pool
    holds no other; eight sites are far."""
    rng = np.random.default_rng(seed)
    n_sites = SEED_SITES + 8
    o, d = np.meshgrid(np.arange(n_zones), np.arange(n_sites), indexing="ij")
    o, d = o.ravel(), d.ravel()
    cost = np.where(d < SEED_SITES, rng.uniform(1, 10, o.size), rng.uniform(20, 100, o.size))
    demand = rng.uniform(10, 50, n_zones)
    return TransportProblem(o, d, cost, demand, np.full(n_zones, 500.0), n_sites)


def _full_lp(problem: TransportProblem, capacity: np.ndarray) -> float:
    """The same LP, every pair a column, by scipy (shares no code with the pooled solve)."""
    n_pairs, n = len(problem), problem.n_zones
    c = np.concatenate([problem.cost, problem.unmet_cost])
    a_eq = np.zeros((n, n_pairs + n))
    a_eq[problem.origin, np.arange(n_pairs)] = 1.0
    a_eq[np.arange(n), n_pairs + np.arange(n)] = 1.0
    a_ub = np.zeros((problem.n_sites, n_pairs + n))
    a_ub[problem.destination, np.arange(n_pairs)] = 1.0
    result = scipy.optimize.linprog(
        c, A_ub=a_ub, b_ub=capacity, A_eq=a_eq, b_eq=problem.demand, method="highs"
    )
    assert result.status == 0
    return float(result.fun)


def test_pricing_proves_the_pooled_lp_optimal():
    problem = _far_first_problem()
    capacity = np.full(problem.n_sites, problem.demand.sum() / (problem.n_sites - SEED_SITES))
    capacity[:SEED_SITES] = 10.0  # the nearest sites are small
    solution = problem.solve(capacity)
    assert solution.rounds > 1  # the first pool was not enough
    assert solution.pool < len(problem)  # and not every pair was needed
    # The certificate, recomputed: no pair has a negative reduced cost at the final prices.
    alpha, beta = solution.zone_prices, solution.site_prices
    reduced = problem.cost - alpha[problem.origin] + beta[problem.destination]
    assert reduced.min() >= -1e-6
    assert (beta >= 0).all() and (alpha <= problem.unmet_cost + 1e-9).all()
    assert solution.cost == pytest.approx(_full_lp(problem, capacity), rel=1e-9)
    # Flows conserve demand and respect capacity.
    served = np.bincount(problem.origin, weights=solution.flows, minlength=problem.n_zones)
    assert served + solution.unmet == pytest.approx(problem.demand)
    used = np.bincount(problem.destination, weights=solution.flows, minlength=problem.n_sites)
    assert (used <= capacity + 1e-6).all()


def test_a_fresh_solve_forgets_the_last_pool_and_caps():
    problem = _far_first_problem(seed=5)
    first = np.full(problem.n_sites, problem.demand.sum() / 6)
    first[6:] = 0.0  # only sites 0-5 open: their pairs fill the pool
    capped = problem.solve(first, unmet_upper=problem.demand / 2)
    later = np.full(problem.n_sites, problem.demand.sum() / (problem.n_sites - SEED_SITES))
    later[:SEED_SITES] = 10.0
    fresh = problem.solve(later, fresh=True)
    new = _far_first_problem(seed=5).solve(later)
    # As a problem that never solved: the same pool, the full LP's cost with no unmet cap.
    assert capped.pool > 0 and fresh.pool == new.pool
    assert fresh.cost == pytest.approx(_full_lp(problem, later), rel=1e-9)
    assert fresh.cost == pytest.approx(new.cost, rel=1e-12)


def test_capacity_cut_is_a_lower_bound_exact_where_it_was_made():
    problem = _far_first_problem(seed=9)
    levels = [np.array([0.0, 100.0, 200.0, 300.0, 400.0])] * problem.n_sites
    rng = np.random.default_rng(2)
    made_at = rng.choice(levels[0], problem.n_sites)
    cut = capacity_cut(problem, problem.solve(made_at).zone_prices, levels)
    assert cut.evaluate(made_at) == pytest.approx(_full_lp(problem, made_at), rel=1e-7)
    for _ in range(6):
        other = rng.choice(levels[0], problem.n_sites)
        assert cut.evaluate(other) <= _full_lp(problem, other) * (1 + 1e-9) + 1e-6
    # Prices from anywhere give a valid (weaker) cut, here the unmet costs themselves.
    crude = capacity_cut(problem, problem.unmet_cost, levels)
    assert crude.evaluate(made_at) <= _full_lp(problem, made_at) + 1e-6


def test_an_earlier_master_solution_is_completed_to_a_feasible_start():
    # A start for the master MILP is given whole: the eta and theta of cuts added since the
    # solution was found are filled in on their highest chord and cut. Recomputed here from
    # the master's own rows: every row and bound holds, and theta is the cuts' value at the
    # plan (each cut's bound evaluated directly), so the start costs what the plan's cuts say.
    zones, sites, travel = _instance(seed=5, n_zones=40, n_sites=8)
    sc = scenario(access={"share": 0.5}, solver={"method": "decomposition", "mip_gap": 1e-5})
    model = NetworkModel.from_tables(zones, sites, travel, sc)
    decomposition = Decomposition(model, SolverOptions(name="highs", mip_gap=1e-5))
    master = decomposition.master
    seen, cuts = [], []
    price, add_cut = decomposition._price, master.add_cut
    decomposition._price = lambda z: (seen.append((z.copy(), master.cuts)), price(z))[1]
    master.add_cut = lambda t, cut: (cuts.append(cut), add_cut(t, cut))[1]
    decomposition.solve()
    assert len(seen) >= 2 and master.cuts > seen[0][1]  # cuts were added after the first plan
    z = master.completed(seen[0][0])
    problem = master.problem
    activity = problem.matrix() @ z
    assert (activity >= problem.row_lower - 1e-6 * (1 + np.abs(problem.row_lower))).all()
    assert (activity <= problem.row_upper + 1e-6 * (1 + np.abs(problem.row_upper))).all()
    assert (z >= problem.lower - 1e-9).all() and (z <= problem.upper + 1e-9).all()
    capacity = decomposition.capacities(z)[0]
    # One planning year: theta is the highest cut at the plan's capacities, or the relaxed
    # assignment's cost at the plan's relaxed flows where that is higher.
    assert len(decomposition.periods) == 1
    flows = problem.columns["relaxed0_flow"].index()
    unmet = problem.columns["relaxed0_unmet"].index()
    relaxed_cost = problem.cost[flows] @ z[flows] + problem.cost[unmet] @ z[unmet]
    assert relaxed_cost == 0.0  # its cost is carried by theta, through the row below
    _, relaxed, relaxed_flows, relaxed_unmet = master._relaxations[0]
    relaxed_cost = relaxed.cost @ z[relaxed_flows] + relaxed.unmet_cost @ z[relaxed_unmet]
    assert z[master.theta[0]] * master.scale[0] == pytest.approx(
        max(max(c.evaluate(capacity) for c in cuts), relaxed_cost), rel=1e-7
    )


def test_master_and_assignment_are_pulp_problems():
    zones, sites, travel = _instance(n_zones=20, n_sites=4)
    sc = scenario(access={"share": 0.5}, solver={"method": "decomposition", "mip_gap": 1e-5})
    model = NetworkModel.from_tables(zones, sites, travel, sc)
    plan = model.solve()
    master, variables = model.decomposition.master_problem().to_pulp()
    assert len(variables) == model.decomposition.master_problem().num_cols
    assert master.get_constraint_by_name("cut0_0_lo") is not None  # the first cut
    # The assignment LP at the plan's capacities, as PuLP, solved by CBC: the plan's travel
    # and unmet cost.
    capacity = model.decomposition.capacities(model.solution)[-1]
    lp, _ = model.decomposition.subproblems[-1].to_milp(capacity).to_pulp()
    lp.solve(__import__("pulp").PULP_CBC_CMD(msg=False))
    costs = plan.summary["costs"]
    assert lp.objective.value() == pytest.approx(costs["travel"] + costs["unmet_penalty"], rel=1e-6)


def test_auto_keeps_the_full_model_for_small_instances():
    zones, sites, travel = _instance(n_zones=20, n_sites=4)
    model = NetworkModel.from_tables(zones, sites, travel, scenario())
    assert model.method(SolverOptions(name="highs")) == "full"
    assert model.method(SolverOptions(name="cbc")) == "full"


def test_rounds_priced_on_groups_of_zones_reach_the_same_plan(monkeypatch):
    # At LSOA scale the LP rounds take their prices from groups of nearby zones; forced here on
    # a small instance, the plan and its proof are the full model's all the same.

    monkeypatch.setattr(subproblems, "GROUP_ZONES_ABOVE", 10)
    instance = _instance()
    full, _ = _solve("full", FEATURES["access target"], instance, mip_gap=1e-9)
    split, model = _solve("decomposition", FEATURES["access target"], instance)
    assert model.decomposition.grouped is not None
    assert len(model.decomposition.grouped[0].demand) < len(instance[0])
    assert split.summary["status"] == OPTIMAL
    assert split.summary["objective"] == pytest.approx(full.summary["objective"], rel=GAP)


@pytest.mark.parametrize("feature", ["access target", "existing kept", "phasing", "max_sites"])
def test_plans_of_the_restricted_master_leave_the_proof_to_the_full_one(monkeypatch, feature):
    # The restricted master (only the sites the LP rounds used) finds plans at LSOA scale;
    # forced on here, its plans are priced like any other and its own bound is never taken as
    # the model's: the decomposition still proves the full model's optimum.
    import planner.network.decomposition as decomposition

    monkeypatch.setattr(decomposition, "RESTRICTED_MIN_SITES", 0)
    monkeypatch.setattr(decomposition, "RESTRICTED_SITE_SHARE", 1.0)
    monkeypatch.setattr(decomposition, "RESTRICTED_TIME_SHARE", 1.0)
    instance = _instance()
    full, _ = _solve("full", FEATURES[feature], instance, mip_gap=1e-9)
    split, model = _solve("decomposition", FEATURES[feature], instance, time_limit=60)
    phases = [r["phase"] for r in split.summary["decomposition"]]
    assert "restricted" in phases
    assert split.summary["status"] == OPTIMAL
    optimum = full.summary["objective"]
    assert split.summary["objective"] == pytest.approx(optimum, rel=GAP)
    assert split.summary["best_bound"] <= optimum * (1 + 1e-9)
    _check_assignment(split)


def test_the_relaxed_assignment_raises_the_first_bound_and_is_exact_over_single_zones(
    monkeypatch,
):
    # The master's relaxation of the assignment over groups of zones: the master MILP's
    # optimum before any cut is higher with it than without, never above the optimum, and with
    # every group a single zone the master is the full model, so its first solve is optimal;
    # above RELAXATION_ZONES_UP_TO zones the master is as without it.
    instance = _instance(seed=6, n_zones=60, n_sites=8)
    sections = FEATURES["access target"]
    full, _ = _solve("full", sections, instance, mip_gap=1e-9)
    optimum = full.summary["objective"]
    zones, sites, travel = instance

    def first_bound() -> tuple[float, float]:
        sc = scenario(**sections, solver={"method": "decomposition", "mip_gap": 1e-9})
        model = NetworkModel.from_tables(zones, sites, travel, sc)
        master = Decomposition(model, SolverOptions(name="highs", mip_gap=1e-9)).master
        master.set_gap(1e-9)
        status, z, bound = master.solve(mip=True, time_limit=60)
        assert status == OPTIMAL
        return bound, master.problem.objective_value(z)

    monkeypatch.setattr(subproblems, "RELAXATION_GROUPS", 0)
    without, _ = first_bound()
    monkeypatch.setattr(subproblems, "RELAXATION_GROUPS", 300)
    grouped, _ = first_bound()  # 60 zones: 12 groups of about five
    monkeypatch.setattr(subproblems, "RELAXATION_ZONES_UP_TO", 59)
    above, _ = first_bound()  # more zones than the relaxation is kept for: none
    monkeypatch.setattr(subproblems, "RELAXATION_ZONES_UP_TO", 60)
    monkeypatch.setattr(subproblems, "zone_cells", lambda zones, wanted: np.arange(len(zones)))
    single, plan = first_bound()
    assert without < grouped * (1 - 1e-3)
    assert above == pytest.approx(without, rel=1e-12)
    assert grouped <= optimum * (1 + 1e-9)
    assert single == pytest.approx(optimum, rel=1e-6)
    assert plan == pytest.approx(optimum, rel=1e-6)
