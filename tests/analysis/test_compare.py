"""Plan comparison (measures and site changes), checked against the plans' own tables."""

from __future__ import annotations

from planner.analysis.compare import measures, site_changes
from planner.plan import Plan


def test_comparison_agrees_with_set_arithmetic(two_plans):
    a, b = Plan.load(two_plans[0]), Plan.load(two_plans[1])
    changes = site_changes(a, b).set_index("site_id")
    open_a = set(a.sites.loc[a.sites["open"], "site_id"])
    open_b = set(b.sites.loc[b.sites["open"], "site_id"])
    assert set(changes.index[changes["change"] == "opened in B"]) == open_b - open_a
    assert set(changes.index[changes["change"] == "closed in B"]) == open_a - open_b
    m = measures(a, b).set_index("measure")
    assert (
        m.loc["static scanners", "B - A"]
        == f"{b.summary['scanners_fixed'] - a.summary['scanners_fixed']:,.0f}"
    )
