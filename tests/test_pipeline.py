"""planner.run: a scenario file planned end to end, checked against plans solved by hand.

Two towns 100 minutes apart, a million people each, 2,500 scans a year each (2,500 per
million, no growth); site A (existing, one scanner) beside town A, candidate site B beside
town B, each 10 minutes from its own town and 110 from the other. A scanner does 5,000 scans
and costs 1,000,000 a year, a site 100,000 a year, travel 0.30 per scan-minute; no mobile units.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import planner
from planner import settings
from planner.errors import InputError
from planner.scenario import load_scenario
from tests.helpers.invariants import check_invariants

ZONES = "zone_id,name,population,lat,lon\nA,Town A,1000000,52.0,-1.0\nB,Town B,1000000,53.0,-1.0\n"
SITES = "site_id,name,lat,lon,scanners,kind\nSA,Site A,52.0,-1.0,1,fixed\n"
CANDIDATES = "site_id,name,lat,lon\nSB,Site B,53.0,-1.0\n"
MATRIX = "origin,destination,minutes\nA,SA,10\nA,SB,110\nB,SA,110\nB,SB,10\n"
SCENARIO = """
[scenario]
name = "two_towns"
[data]
demand_zones = "zones.csv"
sites = "sites.csv"
candidate_sites = "candidates.csv"
travel_matrix = "matrix.csv"
[demand]
scans_per_million = 2500
annual_growth = 0.0
horizon_years = 0
[capacity]
fixed_scans_per_year = 5000
allow_mobile = false
[costs]
scanner_capital = 0
scanner_operating = 1000000
site_installation = 0
site_annual = 100000
travel_cost_per_minute = 0.30
[access]
enforce = false
[solver]
mip_gap = 0.0
"""
BOTH_TOWNS = {"access.enforce": True, "access.minutes": 60, "access.share": 0.9}


def write_two_towns(folder: Path) -> Path:
    """The two towns' files written into ``folder``; returns the scenario's path."""
    for name, text in (
        ("zones.csv", ZONES),
        ("sites.csv", SITES),
        ("candidates.csv", CANDIDATES),
        ("matrix.csv", MATRIX),
        ("two_towns.toml", SCENARIO),
    ):
        (folder / name).write_text(text)
    return folder / "two_towns.toml"


@pytest.fixture
def two_towns(tmp_path):
    return write_two_towns(tmp_path)


def test_run_plans_a_scenario_file_as_solved_by_hand(two_towns):
    # Site A serves both towns: 1,000,000 + 100,000 + 2,500 x (10 + 110) x 0.30 = 1,190,000;
    # a second site would cost 1,100,000 to save 75,000 of travel.
    plan = planner.run(two_towns)
    assert plan.status == "optimal"
    assert plan.summary["objective"] == pytest.approx(1_190_000.0)
    assert plan.open_sites["site_id"].tolist() == ["SA"]
    assert plan.summary["travel_source"] == "matrix.csv"
    check_invariants(plan, 120)


def test_overrides_change_the_plan_as_by_hand_and_leave_the_file_alone(two_towns):
    # 90% within 60 minutes needs a static scanner in each town: 2 x 1,100,000 + 5,000 x 10 x 0.30.
    plan = planner.run(two_towns, overrides=BOTH_TOWNS)
    assert plan.summary["objective"] == pytest.approx(2_215_000.0)
    assert sorted(plan.open_sites["site_id"]) == ["SA", "SB"]
    assert plan.summary["access_target_share"] == 0.9 and plan.summary["access_target_met"]
    assert plan.provenance.scenario.access.enforce
    assert not load_scenario(two_towns).access.enforce
    check_invariants(plan, 120)


def test_run_honours_the_n_minus_1_the_scenario_asks_for(two_towns):
    # Closing site A sends town A's 2,500 scans to site B (5,000 capacity, 2,500 used), 100 min
    # further each; with 4,000 scans per town site B has room for 1,000 of them only.
    plan = planner.run(two_towns, overrides={**BOTH_TOWNS, "resilience.n_minus_1": True})
    table = plan.resilience.set_index("site_id")
    assert table.loc["SA", "scans_unabsorbed"] == pytest.approx(0.0, abs=1e-6)
    assert table.loc["SA", "extra_minutes_total"] == pytest.approx(2500 * 100)
    assert table.loc["SA", "extra_minutes_per_moved_scan"] == pytest.approx(100.0)
    assert plan.summary["n_minus_1_unabsorbed_scans"] == pytest.approx(0.0, abs=1e-6)
    assert "n_minus_1" in plan.provenance.timings
    busier = planner.run(
        two_towns,
        overrides={**BOTH_TOWNS, "resilience.n_minus_1": True, "demand.scans_per_million": 4000},
    )
    # 2 x 1,100,000 + 8,000 x 10 x 0.30
    assert busier.summary["objective"] == pytest.approx(2_224_000.0)
    table = busier.resilience.set_index("site_id")
    assert table.loc["SA", "scans_unabsorbed"] == pytest.approx(3000.0)
    assert busier.summary["n_minus_1_unabsorbed_scans"] == pytest.approx(3000.0)
    without = planner.run(two_towns, overrides=BOTH_TOWNS)
    assert without.resilience is None and "n_minus_1_worst_site" not in without.summary


def test_provenance_and_summary_text(two_towns):
    plan = planner.run(two_towns)
    assert plan.provenance.scenario.file == two_towns
    assert set(plan.provenance.timings) == {"inputs", "build", "solve"}
    assert all(v >= 0 for v in plan.provenance.timings.values())
    assert plan.provenance.timings["solve"] == pytest.approx(
        plan.summary["solve_seconds"], abs=1e-3
    )
    text = plan.summary_text()
    assert "status            optimal" in text
    assert "sites open        1 site: 1 static (0 new), 0 mobile-only" in text


def test_unknown_override_is_refused_by_name(two_towns):
    with pytest.raises(InputError) as err:
        planner.run(two_towns, overrides={"acess.share": 0.9})
    assert err.value.field == "acess.share" and "unknown section 'acess'" in str(err.value)
    with pytest.raises(InputError) as err:
        planner.run(two_towns, overrides={"access.share": 1.5})
    assert err.value.field == "access.share"


def test_a_shipped_scenario_by_name_unless_a_file_has_that_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shipped = load_scenario("england_baseline")
    assert shipped.file == settings.SCENARIOS_DIR / "england_baseline.toml"
    assert shipped.name == "england_baseline"
    (tmp_path / "england_baseline").write_text('[scenario]\nname = "local"\n')
    assert load_scenario("england_baseline").name == "local"
    with pytest.raises(InputError, match="scenario file not found"):
        load_scenario("no_such_scenario")
