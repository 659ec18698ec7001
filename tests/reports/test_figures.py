"""The plain figures of a plan: cost parts adding up to the objective, one-off capital, today
against the plan, mobile-only sites, plurals, headroom and the access target, in the terminal
summary and report.md alike. Small networks solved for real, figures recomputed from the plan's
tables or worked by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.data.travel import TravelMatrix
from planner.defaults import annuity_factor
from planner.network import NetworkModel
from planner.reports.report import markdown_report
from tests.helpers.cases import scenario, two_towns


def three_site_network():
    """Towns A and B (700,000 people, 2,500 scans each), village D (10,000 people, 300 scans)
    and hamlet C (10,000 people, 100 scans, no site within reach).

    SA beside A has one static scanner today; SB beside B is served by a mobile unit today;
    SC is a candidate 20 minutes from D, the only site D reaches. The access target (90%
    within 60 minutes of a static scanner) needs a static scanner in each town, so SB is
    converted to static; D's 300 scans are cheaper on one mobile day a week at SC than unmet
    (585,000 against 3,000,000 a year). One training hub within reach of all three sites.
    """
    zones = pd.DataFrame(
        {
            "zone_id": ["A", "B", "C", "D"],
            "name": ["Town A", "Town B", "Hamlet C", "Village D"],
            "region_code": "R1",
            "lat": [52.0, 53.0, 51.0, 52.5],
            "lon": [-1.0, -1.0, -3.0, -1.3],
            "population": [700_000.0, 700_000.0, 10_000.0, 10_000.0],
            "scans": [2500.0, 2500.0, 100.0, 300.0],
        }
    )
    sites = pd.DataFrame(
        {
            "site_id": ["SA", "SB", "SC"],
            "name": ["Site A", "Site B", "Site C"],
            "region_code": "R1",
            "lat": [52.0, 53.0, 52.5],
            "lon": [-1.0, -1.0, -1.3],
            "existing": [True, True, False],
            "existing_scanners": [1, 0, 0],
            "existing_kind": ["fixed", "mobile", ""],
        }
    )
    pairs = [("A", "SA", 10), ("A", "SB", 110), ("B", "SB", 10), ("B", "SA", 110), ("D", "SC", 20)]
    travel = TravelMatrix(
        zones["zone_id"].to_numpy(str),
        sites["site_id"].to_numpy(str),
        np.array(["ABCD".index(z) for z, _, _ in pairs], dtype=np.int32),
        np.array([["SA", "SB", "SC"].index(s) for _, s, _ in pairs], dtype=np.int32),
        np.array([float(m) for _, _, m in pairs]),
    )
    sc = scenario(
        capacity={
            "fixed_scans_per_year": 5000,
            "mobile_max_days_per_site": 3,
            "max_scanners_per_site": 2,
        },
        access={"enforce": True, "minutes": 60, "share": 0.9},
        existing={"policy": "may_close"},
        hubs={"enabled": True, "max_minutes": 180},
    )
    hubs = pd.DataFrame([{"hub_id": "H1", "name": "hub 1", "lat": 52.5, "lon": -1.0}])
    return NetworkModel.from_tables(zones, sites, travel, sc, hubs=hubs).solve(), sc


def test_cost_parts_add_up_to_the_objective_recomputed_from_the_tables():
    plan, sc = three_site_network()
    s, c, cap = plan.summary, sc.costs, sc.capacity
    assert plan.status == "optimal"
    sites = plan.sites
    annuity = annuity_factor(c.capital_years, c.discount_rate)
    static = sites["fixed_scanners"] > 0
    units = int(np.ceil(sites["mobile_days"].sum() / cap.mobile_days_per_unit))
    expected = {
        "scanners": sites["fixed_scanners"].sum()
        * (c.scanner_capital * annuity + c.scanner_operating),
        "new_static_sites": (static & (sites["existing_scanners"] == 0)).sum()
        * c.site_installation
        * annuity,
        "open_sites": sites["open"].sum() * c.site_annual,
        "mobile_days": sites["mobile_days"].sum() * c.mobile_day_operating * cap.weeks_per_year,
        "mobile_units": units * c.mobile_unit_capital * annuity,
        "training_hubs": plan.hubs["open"].sum() * sc.hubs.annual_cost,
        "travel": (plan.assignments["scans"] * plan.assignments["minutes"]).sum()
        * c.travel_cost_per_minute,
        "unmet_penalty": plan.demand["unmet_scans"].sum() * c.unmet_penalty_per_scan,
    }
    # Every part is there, and none is zero by accident of the case.
    assert all(v > 0 for v in expected.values()), expected
    for part, pounds in expected.items():
        assert s["costs"][part] == pytest.approx(pounds), part
    assert s["total_cost"] == pytest.approx(sum(expected.values()))
    assert s["total_cost"] == pytest.approx(s["objective"], rel=1e-9)
    service = sum(v for k, v in expected.items() if k not in ("travel", "unmet_penalty"))
    assert s["annual_cost"] == pytest.approx(service)
    # The terminal and report.md show each part and the same total.
    text, report = plan.summary_text(), markdown_report(plan)
    total = f"£{s['total_cost']:,.0f}"
    assert f"Total {total} a year: the model's objective" in text
    assert f"| total |  | {total} |" in report
    for pounds in expected.values():
        assert f"£{pounds:,.0f}" in text and f"£{pounds:,.0f}" in report
    assert "100 scans a year left unmet x £10,000" in text


def test_today_vs_plan_capital_and_mobile_only_sites_by_hand():
    # Today: SA (1 static scanner) and SB (mobile-served). The plan: a scanner at SA and one at
    # SB (1 to buy, SB converted from mobile to static, so 1 installation) and a mobile day at
    # the new site SC. One-off capital: 2,500,000 + 1,400,000 + one mobile unit 3,000,000.
    plan, _ = three_site_network()
    s = plan.summary
    assert s["today"] == {"sites": 2, "static_sites": 1, "mobile_sites": 1, "static_scanners": 1}
    assert s["changes"]["scanners_to_buy"] == 1 and s["changes"]["mobile_to_static"] == 1
    assert s["changes"]["sites_opened"] == 1 and s["changes"]["sites_closed"] == 0
    assert s["capital"]["total"] == pytest.approx(2_500_000 + 1_400_000 + 3_000_000)
    text = plan.summary_text()
    assert "sites open        3 sites: 2 static (0 new), 1 mobile-only (1 new)" in text
    assert "mobile units      1 mobile unit, 1 day a week" in text
    assert (
        "today 2 sites (1 static, 1 mobile-served), 1 static scanner; the plan: 1 scanner to "
        "buy, 1 site to open, 1 converted from mobile to static, 0 closed"
    ) in text
    assert (
        "£6,900,000 once: 1 scanner to buy x £2.5 m, 1 new static site x £1.4 m installation, "
        "1 mobile unit x £3.0 m"
    ) in text
    assert "1 mobile-only (1 new)" in markdown_report(plan)
    assert "WARNING: demand left unmet" in text  # hamlet C's 100 scans


@pytest.mark.parametrize(("scans", "warned"), [(2500.0, True), (2000.0, False)])
def test_headroom_warning_at_100_percent_not_at_80(scans, warned):
    # One site serves both towns (a second would cost 1,100,000 to save at most 75,000 of
    # travel): 2 x 2,500 scans on one 5,000-scan scanner is 100%; 2 x 2,000 is 80%.
    zones, sites, travel, sc = two_towns()
    zones["scans"] = scans
    plan = NetworkModel.from_tables(zones, sites, travel, sc).solve()
    assert plan.summary["sites_open"] == 1
    assert plan.summary["mean_utilisation"] == pytest.approx(2 * scans / 5000)
    text, report = plan.summary_text(), markdown_report(plan)
    assert ("WARNING no headroom" in text) is warned
    assert ("WARNING no headroom" in report) is warned
    if warned:
        assert "network at 100.0% of its capacity; 1 of 1 open sites at 95% or more" in text


def test_access_target_reported_when_not_enforced():
    # Not enforced, one site: only town A's 700,000 of 1,400,000 people are within 60 minutes.
    zones, sites, travel, sc = two_towns(access={"enforce": False, "minutes": 60, "share": 0.9})
    plan = NetworkModel.from_tables(zones, sites, travel, sc).solve()
    line = "access target     90% within 60 min (not enforced): NOT met (50.00%)"
    assert line in plan.summary_text()
    assert "90% within 60 min (not enforced): NOT met (50.00%)" in markdown_report(plan)


def test_verbose_summary_shows_model_size_only_when_asked():
    zones, sites, travel, sc = two_towns()
    plan = NetworkModel.from_tables(zones, sites, travel, sc).solve()
    size = plan.summary["model_size"]
    assert f"{size['variables']:,} variables" in plan.summary_text(verbose=True)
    assert "variables" not in plan.summary_text()
    assert "solver            highs" in plan.summary_text(verbose=True)


def test_fdg_reach_line_gives_its_reason():
    # 80% of FDG's activity left on arrival: 109.8 x log2(1 / 0.8) = 35.3 minutes by road.
    suppliers = pd.DataFrame(
        [{"supplier_id": "R1", "name": "lab A", "lat": 52.0, "lon": -1.0, "status": "active"}]
    )
    zones, sites, travel, sc = two_towns(tracer={"enabled": True, "min_activity_fraction": 0.8})
    plan = NetworkModel.from_tables(zones, sites, travel, sc, suppliers=suppliers).solve()
    text = plan.summary_text()
    assert (
        "FDG supply        every open site within 35 min of an FDG supplier: FDG loses half its "
        "activity every 109.8 min, and the scenario accepts 80% left on arrival "
        "(tracer.min_activity_fraction); 35 min by road leaves that much (the scenario's own "
        "choice; the default is 25%"
    ) in text
    longest = plan.sites.loc[plan.sites["open"], "supplier_minutes"].max()
    assert f"the longest delivery in this plan is {longest:.0f} min" in text
