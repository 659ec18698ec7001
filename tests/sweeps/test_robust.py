"""``planner robust`` end to end: never below a future's own optimum, one set of sites in every
future, and a plan folder planner map and planner report read. (The model itself, worked by
hand, and one future giving its own optimum: tests/network/test_robust.py.)"""

from __future__ import annotations

import pandas as pd
import pytest

from planner.cli import main
from planner.plan import Plan
from planner.sweeps import robust
from tests.helpers.invariants import check_invariants

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("dask")]

#: The North East's MSOAs, proven optimal; sites may close, so that the futures can disagree.
SMALL = {
    "data.regions": ["E12000001"],
    "data.zone_level": "msoa",
    "solver.mip_gap": 0.0,
    "existing.policy": "may_close",
}


def test_robust_costs_are_never_below_each_futures_own_optimum(tmp_path, dask_client):
    objective = "regret"
    out = tmp_path / objective
    growths = [0.0, 0.12]
    outcome = robust(
        "england_baseline",
        {"demand.annual_growth": growths},
        out,
        objective=objective,
        overrides=SMALL,
        client=dask_client,
        progress_bar=False,
    )
    regret = pd.read_csv(out / "regret.csv")
    assert list(regret["demand.annual_growth"]) == growths
    assert (
        regret["cost_robust"] >= regret["cost_own_optimum"] - 1e-6 * regret["cost_own_optimum"]
    ).all()
    # Regret is the difference, to the solver's rounding (a millionth of the cost).
    difference = regret["cost_robust"] - regret["cost_own_optimum"]
    assert ((regret["regret"] - difference).abs() <= 1e-6 * regret["cost_own_optimum"]).all()
    plans = [Plan.load(out / folder) for folder in regret["plan_folder"]]
    for plan, cost in zip(plans, regret["cost_robust"], strict=True):
        check_invariants(plan, 120)
        assert plan.summary["total_cost"] == pytest.approx(cost, rel=1e-9)
    # The sites chosen now are the same in every future; scanners may differ.
    opened = [set(p.sites.loc[p.sites["open"], "site_id"]) for p in plans]
    static = [set(p.sites.loc[p.sites["fixed_scanners"] > 0, "site_id"]) for p in plans]
    assert all(o == opened[0] for o in opened) and all(s == static[0] for s in static)
    # Each future's own optimum is in own/ and equals its row.
    own = pd.read_csv(out / "own" / "results.csv")
    assert own["objective"].to_numpy() == pytest.approx(regret["cost_own_optimum"].to_numpy())
    assert outcome.result.costs == pytest.approx(list(regret["cost_robust"]))
    # The robust plan in the first future is robust/, the same as its robust_futures/ copy.
    first = Plan.load(out / "robust")
    assert first.summary["objective"] == pytest.approx(plans[0].summary["objective"])
    assert main(["map", str(out / "robust")]) == 0
    assert main(["report", str(out / "robust")]) == 0
    assert (out / "robust" / "report.html").is_file() and (out / "robust" / "map.html").is_file()
