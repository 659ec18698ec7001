"""Hubs, tracer reach, backup coverage, phasing and N-1: small cases solved by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.analysis.n_minus_1 import n_minus_1
from planner.errors import InputError, ModelInfeasibleError
from planner.network import NetworkModel
from planner.network.extensions.tracer import activity_fraction
from tests.helpers.cases import two_towns
from tests.helpers.invariants import check_invariants

# two_towns(): towns A (52.0, -1.0) and B (53.0, -1.0), 111 km apart; a candidate site in each,
# 10 minutes from its own town and 110 from the other; 2,500 scans a year each; a scanner
# (5,000 scans) costs 1,000,000 a year and a site 100,000; travel 0.30 per minute.
BOTH_TOWNS = {"enforce": True, "minutes": 60, "share": 0.9}


def hubs_table(*rows):
    return pd.DataFrame(
        [{"hub_id": h, "name": f"hub {h}", "lat": lat, "lon": lon} for h, lat, lon in rows]
    )


def test_site_beyond_every_hub_cannot_open():
    # One hub beside site A; hub reach 30 minutes: site B (111 km away) cannot link, so it
    # cannot open although the access target would want it; without the target A serves both.
    zones, sites, travel, sc = two_towns(hubs={"enabled": True, "max_minutes": 30})
    hubs = hubs_table(("H1", 52.0, -1.0))
    plan = NetworkModel.from_tables(zones, sites, travel, sc, hubs=hubs).solve()
    s = plan.sites.set_index("site_id")
    assert s.loc["SA", "open"] and s.loc["SA", "hub_id"] == "H1"
    assert not s.loc["SB", "open"]
    assert plan.hubs.set_index("hub_id").loc["H1", "linked_sites"] == 1
    # 1,000,000 scanner + 100,000 site + 250,000 hub + travel 2,500 x (10 + 110) x 0.30
    assert plan.summary["objective"] == pytest.approx(1_350_000 + 90_000)
    zones, sites, travel, sc = two_towns(
        hubs={"enabled": True, "max_minutes": 30}, access=BOTH_TOWNS
    )
    with pytest.raises(ModelInfeasibleError):
        NetworkModel.from_tables(zones, sites, travel, sc, hubs=hubs).solve()


def test_hub_capacity_binds():
    # Both hubs reach both sites. Each hub trains 6 staff = one scanner (6 staff per scanner):
    # the access target needs two scanners, so two hubs must open despite their cost.
    hubs = hubs_table(("H1", 52.5, -1.0), ("H2", 52.5, -1.1))
    zones, sites, travel, sc = two_towns(
        access=BOTH_TOWNS,
        hubs={"enabled": True, "max_minutes": 120, "trainee_places": 6, "staff_per_scanner": 6},
    )
    plan = NetworkModel.from_tables(zones, sites, travel, sc, hubs=hubs).solve()
    h = plan.hubs.set_index("hub_id")
    assert h["open"].all()
    assert (h["trainee_load"] <= h["trainee_capacity"] + 1e-6).all()
    assert sorted(plan.sites["hub_id"]) == ["H1", "H2"]
    # 2 scanners + 2 sites + 2 hubs + 5,000 scans x 10 minutes x 0.30
    assert plan.summary["objective"] == pytest.approx(2_000_000 + 200_000 + 500_000 + 15_000)
    # One hub only: the two scanners cannot both be trained; either limit is to blame.
    zones, sites, travel, sc = two_towns(
        access=BOTH_TOWNS,
        hubs={
            "enabled": True,
            "max_minutes": 120,
            "trainee_places": 6,
            "staff_per_scanner": 6,
            "max_hubs": 1,
        },
    )
    with pytest.raises(ModelInfeasibleError) as err:
        NetworkModel.from_tables(zones, sites, travel, sc, hubs=hubs).solve()
    causes = " ".join(err.value.causes)
    assert "access target" in causes and "hubs.max_hubs = 1" in causes


def test_required_hub_opens_and_unknown_hub_is_an_error():
    hubs = hubs_table(("H1", 52.5, -1.0), ("H2", 52.0, -1.0))
    zones, sites, travel, sc = two_towns(
        hubs={"enabled": True, "max_minutes": 120, "required": ["H1"]}
    )
    plan = NetworkModel.from_tables(zones, sites, travel, sc, hubs=hubs).solve()
    h = plan.hubs.set_index("hub_id")
    assert h.loc["H1", "open"] and not h.loc["H2", "open"]
    zones, sites, travel, sc = two_towns(hubs={"enabled": True, "required": ["H9"]})
    with pytest.raises(InputError, match="H9"):
        NetworkModel.from_tables(zones, sites, travel, sc, hubs=hubs)


def test_tracer_reach():
    # FDG keeps 2^(-T/109.8) of its activity: half after one half-life.
    assert activity_fraction(109.8) == pytest.approx(0.5)
    # min fraction 0.8 -> delivery limit 109.8 x log2(1.25) = 35.3 minutes: a supplier beside
    # town A reaches site A only, so B cannot host a scanner.
    suppliers = pd.DataFrame(
        [{"supplier_id": "R1", "name": "lab", "lat": 52.0, "lon": -1.0, "status": "active"}]
    )
    zones, sites, travel, sc = two_towns(tracer={"enabled": True, "min_activity_fraction": 0.8})
    assert sc.tracer.delivery_minutes == pytest.approx(109.8 * np.log2(1.25))
    plan = NetworkModel.from_tables(zones, sites, travel, sc, suppliers=suppliers).solve()
    s = plan.sites.set_index("site_id")
    assert s.loc["SA", "open"] and s.loc["SA", "supplier_id"] == "R1"
    assert not s.loc["SB", "open"] and s.loc["SB", "supplier_id"] == ""
    assert plan.suppliers.set_index("supplier_id").loc["R1", "sites_supplied"] == 1
    # With the access target wanting both towns the model is infeasible, and says where.
    zones, sites, travel, sc = two_towns(
        tracer={"enabled": True, "min_activity_fraction": 0.8}, access=BOTH_TOWNS
    )
    with pytest.raises(ModelInfeasibleError, match="700,000 people"):
        NetworkModel.from_tables(zones, sites, travel, sc, suppliers=suppliers).solve()


def test_backup_coverage_opens_a_second_site():
    # Both towns 40 minutes from the far site here: with every person needing two static
    # scanners within 60 minutes, both sites open even though one would do.
    zones, sites, travel, sc = two_towns(resilience={"backup_minutes": 60, "backup_share": 1.0})
    travel.minutes[:] = [10.0, 40.0, 40.0, 10.0]
    plan = NetworkModel.from_tables(zones, sites, travel, sc).solve()
    assert plan.summary["sites_static"] == 2
    assert plan.summary["backup_share"] == pytest.approx(1.0)
    assert plan.summary["objective"] == pytest.approx(2_000_000 + 200_000 + 15_000)
    zones, sites, travel, sc = two_towns()
    travel.minutes[:] = [10.0, 40.0, 40.0, 10.0]
    assert NetworkModel.from_tables(zones, sites, travel, sc).solve().summary["sites_static"] == 1


def test_phasing_only_adds():
    # 3,000 scans a year per town in year 3 with 50% yearly growth: 1,333 in year 1 (2,667 in
    # all: one scanner), 6,000 in year 3 (two scanners).
    zones, sites, travel, sc = two_towns(
        demand={"horizon_years": 3, "annual_growth": 0.5},
        phasing={"enabled": True, "years": [1, 2, 3]},
    )
    zones["scans"] = 3000.0
    plan = NetworkModel.from_tables(zones, sites, travel, sc).solve()
    ph = plan.phasing.pivot(index="site_id", columns="year", values="fixed_scanners")
    assert (ph.diff(axis=1).fillna(0) >= 0).all().all(), "scanners removed in a later year"
    opened = plan.phasing.pivot(index="site_id", columns="year", values="open")
    assert (opened.astype(int).diff(axis=1).fillna(0) >= 0).all().all(), "a site closed"
    assert ph[1].sum() == 1 and ph[3].sum() == 2
    assert plan.summary["scanners_fixed"] == 2
    year_one = plan.phasing[(plan.phasing["year"] == 1) & plan.phasing["open"]]["site_id"]
    assert set(plan.sites.dropna(subset=["open_year"]).query("open_year == 1")["site_id"]) == set(
        year_one
    )


def test_n_minus_1_by_hand(tmp_path):
    # Both sites open (access target); closing site A sends town A's 2,500 scans to site B
    # (capacity 5,000, load 2,500: room for all), 100 minutes further each.
    zones, sites, travel, sc = two_towns(access=BOTH_TOWNS)
    model = NetworkModel.from_tables(zones, sites, travel, sc)
    plan = model.solve()
    table = n_minus_1(plan, model.inputs.travel).set_index("site_id")
    assert table.loc["SA", "scans_unabsorbed"] == pytest.approx(0.0, abs=1e-6)
    assert table.loc["SA", "extra_minutes_total"] == pytest.approx(2500 * 100)
    assert table.loc["SA", "extra_minutes_per_moved_scan"] == pytest.approx(100.0)
    # Demand of 4,000 per town: site B can take only 1,000 of town A's scans.
    zones["scans"] = 4000.0
    model = NetworkModel.from_tables(zones, sites, travel, sc)
    plan = model.solve()
    table = n_minus_1(plan, model.inputs.travel).set_index("site_id")
    assert table.loc["SA", "scans_unabsorbed"] == pytest.approx(3000.0)
    check_invariants(plan, sc.travel.max_minutes)


def test_phased_plan_shows_its_final_year_and_conserves_demand():
    # Horizon 3 years, 50% growth, planning years 1 and 2: the plan is year 2's, whose demand
    # is 3,000 / 1.5 = 2,000 scans per town (not the horizon's 3,000).
    zones, sites, travel, sc = two_towns(
        demand={"horizon_years": 3, "annual_growth": 0.5},
        phasing={"enabled": True, "years": [1, 2]},
    )
    zones["scans"] = 3000.0
    plan = NetworkModel.from_tables(zones, sites, travel, sc).solve()
    assert plan.summary["plan_year"] == 2
    assert plan.summary["objective_scope"] == "discounted total"
    assert plan.demand["scans"].tolist() == pytest.approx([2000.0, 2000.0])
    assert plan.summary["demand_scans"] == pytest.approx(4000.0)
    check_invariants(plan, sc.travel.max_minutes)
    assert plan.summary["assigned_scans"] + plan.summary["unmet_scans"] == pytest.approx(4000.0)


def test_backup_coverage_holds_in_every_planning_year():
    # Two planning years; both towns need two static sites within 60 minutes from year 1 on,
    # so both sites carry a scanner in year 1 although year 1's demand fits on one scanner.
    zones, sites, travel, sc = two_towns(
        resilience={"backup_minutes": 60, "backup_share": 1.0},
        demand={"horizon_years": 2, "annual_growth": 0.5},
        phasing={"enabled": True, "years": [1, 2]},
    )
    travel.minutes[:] = [10.0, 40.0, 40.0, 10.0]
    plan = NetworkModel.from_tables(zones, sites, travel, sc).solve()
    year_one = plan.phasing[plan.phasing["year"] == 1]
    assert (year_one["fixed_scanners"] >= 1).all()


def test_saved_plan_with_hubs_tracer_and_phasing_keeps_its_invariants(tmp_path):
    from planner.network.extensions.hubs import trainee_places
    from planner.plan import Plan

    hubs = hubs_table(("H1", 52.5, -1.0), ("H2", 52.0, -1.1))
    hubs["trainee_places"] = [np.nan, 30.0]  # H1 takes the scenario's default
    suppliers = pd.DataFrame(
        [
            {"supplier_id": "R1", "name": "lab A", "lat": 52.0, "lon": -1.0, "status": "active"},
            {"supplier_id": "R2", "name": "lab B", "lat": 53.0, "lon": -1.0, "status": "active"},
        ]
    )
    zones, sites, travel, sc = two_towns(
        access=BOTH_TOWNS,
        hubs={"enabled": True, "max_minutes": 120, "trainee_places": 12, "staff_per_scanner": 6},
        tracer={"enabled": True, "min_activity_fraction": 0.8},
        demand={"horizon_years": 2, "annual_growth": 0.2},
        phasing={"enabled": True, "years": [1, 2]},
    )
    model = NetworkModel.from_tables(zones, sites, travel, sc, hubs=hubs, suppliers=suppliers)
    model.solve().save(tmp_path / "plan")
    plan = Plan.load(tmp_path / "plan")
    check_invariants(plan, sc.travel.max_minutes)
    s = plan.sites.set_index("site_id")
    h = plan.hubs.set_index("hub_id")
    opened = s[s["open"]]
    # Every open site: exactly one hub, open and within reach, named as in hubs.csv.
    assert (opened["hub_id"].isin(h.index[h["open"]])).all()
    assert (opened["hub_minutes"] <= sc.hubs.max_minutes + 1e-9).all()
    assert (opened["hub_name"] == h.loc[opened["hub_id"], "name"].to_numpy()).all()
    # Each hub's load recomputed from sites.csv: staff x (scanners + mobile days / days per unit).
    days = sc.capacity.mobile_days_per_unit
    for hub_id, row in h.iterrows():
        linked = opened[opened["hub_id"] == hub_id]
        load = 6 * (linked["fixed_scanners"].sum() + linked["mobile_days"].sum() / days)
        assert row["trainee_load"] == pytest.approx(load)
        assert row["linked_sites"] == len(linked)
        assert row["scanners"] == linked["fixed_scanners"].sum()
        assert row["trainee_load"] <= row["trainee_capacity"] + 1e-6
    assert h["trainee_capacity"].tolist() == trainee_places(hubs, sc.hubs).tolist() == [12, 30]
    # Tracer: every open site within the delivery limit of its named supplier.
    assert (opened["supplier_minutes"] <= sc.tracer.delivery_minutes + 1e-9).all()
    names = plan.suppliers.set_index("supplier_id")["name"]
    assert (opened["supplier_name"] == names.loc[opened["supplier_id"]].to_numpy()).all()
    # Phasing: nothing closes and no scanner is removed from year 1 to year 2.
    ph = plan.phasing.pivot(index="site_id", columns="year", values="fixed_scanners")
    assert (ph[2] >= ph[1]).all()
