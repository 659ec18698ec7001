"""Infeasibility messages say what each relaxed plan gives, and name the existing-site policy
with the sites it keeps open when it is part of the clash (worked by hand on two towns)."""

from __future__ import annotations

import hashlib

import pytest

from planner.cli import main
from planner.errors import ModelInfeasibleError
from planner.network import NetworkModel
from tests.helpers.cases import two_towns
from tests.test_cli import write_case

# two_towns' costs: a static scanner £1,000,000 a year, an open site £100,000; one scanner (5,000
# scans a year) serves both towns' 2 x 2,500 scans.
KEPT = (
    "existing.policy = 'may_expand' (keeps 2 existing sites open with at least their 2 static "
    "scanners)"
)


def existing_towns(**sections):
    """two_towns with both sites existing today, one static scanner each."""
    zones, sites, travel, sc = two_towns(**sections)
    sites = sites.assign(existing=True, existing_scanners=1, existing_kind="fixed")
    return zones, sites, travel, sc


def causes_of(**sections) -> list[str]:
    with pytest.raises(ModelInfeasibleError) as err:
        NetworkModel.from_tables(*existing_towns(**sections)).solve()
    return err.value.causes


def test_policy_against_max_sites_names_the_policy_and_its_sites():
    assert causes_of(limits={"max_sites": 1}) == [
        "existing.policy = 'may_expand' keeps 2 existing sites open, more than "
        "limits.max_sites = 1: raise max_sites to 2 or more, or set existing.policy = 'may_close'",
        # may_close: one site, one scanner for both towns (£1,000,000 + £100,000)
        f"{KEPT}: without it the plan opens 1 site, meets every scan a year, the service "
        "costing £1,100,000 a year",
        "limits.max_sites = 1: without it the plan opens 2 sites, meets every scan a year, the "
        "service costing £2,200,000 a year",
    ]


def test_a_relaxation_that_serves_no_one_is_called_no_plan():
    # A budget of £1,000 with the access target not enforced: dropping the policy lets the
    # model open nothing, leaving all 5,000 scans unmet, which is no plan.
    assert causes_of(limits={"budget": 1000}) == [
        "existing.policy = 'may_expand' keeps 2 existing sites open with 2 static scanners, "
        "which cost at least £2,200,000 a year, more than limits.budget = £1,000: raise the "
        "budget, or set existing.policy = 'may_close'",
        f"{KEPT}: without it the model's only answer opens no site and leaves all 5,000 scans "
        "a year unmet: that is no plan at all, so this is not the constraint to drop",
        "limits.budget = 1000.0: without it the plan opens 2 sites, meets every scan a year, "
        "the service costing £2,200,000 a year",
    ]


def test_a_relaxed_plan_that_leaves_scans_unmet_says_how_many():
    # No existing sites; at most one scanner for 5,000 scans (a scanner does 5,000: all met),
    # so cut capacity to 4,000: dropping max_scanners meets all, the access target alone not.
    zones, sites, travel, sc = two_towns(
        capacity={"fixed_scans_per_year": 4000},
        access={"enforce": True, "minutes": 60, "share": 0.9},
        limits={"max_scanners": 1},
    )
    with pytest.raises(ModelInfeasibleError) as err:
        NetworkModel.from_tables(zones, sites, travel, sc).solve()
    assert err.value.causes == [
        "access target (90% within 60 min): without it the plan opens 1 site, leaves 1,000 of "
        "5,000 scans a year unmet (20%), the service costing "
        "£1,100,000 a year",
        "limits.max_scanners = 1: without it the plan opens 2 sites, meets every scan a year, "
        "the service costing £2,200,000 a year",
    ]


def _fingerprint(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def test_cli_infeasible_names_policy_count_and_outcomes(tmp_path, capsys):
    scenario = write_case(tmp_path)
    sites = "site_id,name,lat,lon,scanners,kind,existing\n" + "".join(
        f"{i},{n},{la},{lo},1,fixed,True\n"
        for i, n, la, lo in (("X1", "Central", 53.47, -2.24), ("X2", "North", 53.76, -2.70),
                             ("X3", "Coast", 54.04, -2.80))
    )  # fmt: skip
    (tmp_path / "sites.csv").write_text(sites)
    before = _fingerprint(tmp_path)
    out = tmp_path / "plan"
    assert main(["run", scenario, "--out", str(out), "--set", "limits.max_sites=2"]) == 3
    err = capsys.readouterr().err
    assert "infeasible: no plan meets every constraint" in err
    assert (
        "existing.policy = 'may_expand' keeps 3 existing sites open, more than "
        "limits.max_sites = 2: raise max_sites to 3 or more" in err
    )
    assert "(keeps 3 existing sites open with at least their 3 static scanners): without it " in err
    assert "limits.max_sites = 2: without it the plan opens 3 sites, meets every scan a year" in err
    assert "Traceback" not in err
    assert not out.exists() and _fingerprint(tmp_path) == before
