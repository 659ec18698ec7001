"""The robust plan: never below a future's own optimum, equal to it with one future, one set
of sites in every future, and a plan folder planner map and planner report read."""

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


@pytest.mark.parametrize("objective", ["regret", "expected"])
def test_robust_costs_are_never_below_each_futures_own_optimum(tmp_path, objective):
    out = tmp_path / objective
    growths = [0.0, 0.05, 0.12]
    outcome = robust(
        "england_baseline",
        {"demand.annual_growth": growths},
        out,
        objective=objective,
        overrides=SMALL,
        workers=2,
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
    if objective == "regret":
        worst = float(regret["regret"].max())
        assert outcome.result.costs == pytest.approx(list(regret["cost_robust"]))
        assert worst >= -1e-6
    assert main(["map", str(out / "robust")]) == 0
    assert main(["report", str(out / "robust")]) == 0
    assert (out / "robust" / "report.html").is_file() and (out / "robust" / "map.html").is_file()


def test_one_future_gives_its_own_optimum(tmp_path):
    outcome = robust(
        "england_baseline",
        {"demand.annual_growth": [0.12]},
        tmp_path / "one",
        overrides=SMALL,
        workers=1,
        progress_bar=False,
    )
    row = outcome.regret.iloc[0]
    assert row["cost_robust"] == pytest.approx(row["cost_own_optimum"], rel=1e-9)
    assert abs(row["regret"]) <= 1e-6 * row["cost_own_optimum"]
