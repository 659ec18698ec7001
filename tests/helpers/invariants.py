"""Invariants of a plan recomputed from its tables, shared by the model, CLI and notebook tests."""

from __future__ import annotations

import numpy as np
import pytest

from planner.plan import Plan


def check_invariants(plan: Plan, max_minutes: float) -> None:
    """Invariants recomputed from a plan's tables (as saved and loaded)."""
    sites = plan.sites.set_index("site_id")
    a = plan.assignments
    load = a.groupby("site_id")["scans"].sum().reindex(sites.index, fill_value=0.0)
    assert (load <= sites["capacity_scans"] + 1e-6).all(), "capacity exceeded"
    assert (a["minutes"] <= max_minutes + 1e-9).all(), "assignment beyond the maximum travel time"
    assert a["site_id"].isin(sites.index[sites["open"]]).all(), "assignment to a closed site"
    d = plan.demand.set_index("demand_id")
    assigned = a.groupby("demand_id")["scans"].sum().reindex(d.index, fill_value=0.0)
    np.testing.assert_allclose(assigned + d["unmet_scans"], d["scans"], rtol=1e-6, atol=1e-6)
    s = plan.summary
    pop = d["population"].to_numpy()
    within = (d["nearest_static_minutes"].fillna(np.inf) <= s["access_target_minutes"]).to_numpy()
    share = pop[within].sum() / pop.sum()
    assert share == pytest.approx(s["access_share"])
    if s["access_target_share"] is not None and s["status"] in ("optimal", "feasible"):
        assert s["access_target_met"] == (share + 1e-6 >= s["access_target_share"])
        assert s["access_target_met"]
    cap = sites["fixed_scanners"] * 5000 + sites["mobile_days"] * 12 * 50
    np.testing.assert_allclose(sites["capacity_scans"], cap)
