"""Scenario files: defaults, validation messages naming the key, demand by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from planner import defaults
from planner.data.demand import scans_per_year
from planner.errors import InputError
from planner.scenario import load_scenario


def write(tmp_path, text):
    path = tmp_path / "s.toml"
    path.write_text(text)
    return path


def test_minimal_scenario_takes_sourced_defaults(tmp_path):
    sc = load_scenario(write(tmp_path, '[scenario]\nname = "x"\n'))
    assert sc.access.share == defaults.ACCESS_SHARE == 0.98
    assert sc.access.minutes == 60
    assert sc.demand.scans_per_million == defaults.SCANS_PER_MILLION
    assert sc.title == "x"


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        (
            '[scenario]\nname = "x"\n[costs]\nscaner_capital = 1\n',
            "costs.scaner_capital",
            "unknown key",
        ),
        ('[scenario]\nname = "x"\n[access]\nshare = 1.5\n', "access.share", "1.5"),
        (
            '[scenario]\nname = "x"\n[capacity]\nfixed_scans_per_year = "many"\n',
            "capacity.fixed_scans_per_year",
            "many",
        ),
        (
            '[scenario]\nname = "x"\n[existing]\npolicy = "demolish"\n',
            "existing.policy",
            "demolish",
        ),
        ('[scenario]\nname = "x"\n[limits]\nmax_sites = -2\n', "limits.max_sites", "-2"),
        ("[demand]\nannual_growth = 0.1\n", "scenario", "missing"),
        (
            '[scenario]\nname = "x"\n[travel]\nmax_minutes = 30\n',
            "access.minutes",
            "exceeds travel.max_minutes",
        ),
        (
            '[scenario]\nname = "x"\n[demand.regional_multipliers]\nE12000001 = -1.0\n',
            "demand.regional_multipliers.E12000001",
            "greater than or equal to 0",
        ),
        (
            '[scenario]\nname = "x"\n[demand.regional_multipliers]\nNorth = 1.1\n',
            "demand.regional_multipliers.North.[key]",
            "North",
        ),
        (
            '[scenario]\nname = "x"\n[demand]\nscans_per_million = inf\n',
            "demand.scans_per_million",
            "finite",
        ),
        ('[scenario]\nname = "x"\n[access]\nshare = nan\n', "access.share", "finite"),
        (
            '[scenario]\nname = "x"\n[travel]\nband_km = [30.0, 5.0]\n',
            "travel.band_km",
            "strictly increasing",
        ),
        (
            '[scenario]\nname = "x"\n[travel]\nband_km = [5.0]\n',
            "travel.band_kmh",
            "one more speed",
        ),
        ('[scenario]\nname = "x"\n[solver]\nname = "nosuch"\n', "solver.name", "unknown solver"),
        (
            '[scenario]\nname = "x"\n[limits]\nmin_sites = 5\nmax_sites = 3\n',
            "limits.min_sites",
            "exceeds limits.max_sites",
        ),
        ('[scenario]\nname = "x"\n[solver]\nmip_gap = 1.0\n', "solver.mip_gap", "less than 1"),
    ],
)
def test_bad_keys_are_named(tmp_path, text, key, words):
    path = write(tmp_path, text)
    with pytest.raises(InputError) as err:
        load_scenario(path)
    message = str(err.value)
    assert str(path) in message and words in message
    if key:
        assert err.value.field == key


def test_command_line_solver_overrides_are_checked(tmp_path):
    sc = load_scenario(write(tmp_path, '[scenario]\nname = "x"\n'))
    faster = sc.updated({"solver.time_limit": 5}, source="command line")
    assert faster.solver.time_limit == 5
    assert faster.solver.mip_gap == defaults.SOLVER_MIP_GAP
    for change, key in (({"time_limit": -5}, "solver.time_limit"), ({"name": "x"}, "solver.name")):
        with pytest.raises(InputError) as err:
            sc.updated({f"solver.{k}": v for k, v in change.items()}, source="command line")
        assert err.value.field == key and "command line" in str(err.value)


def test_broken_toml_and_missing_file(tmp_path):
    with pytest.raises(InputError, match="not valid TOML"):
        load_scenario(write(tmp_path, "[scenario\nname = 1"))
    with pytest.raises(InputError, match="not found"):
        load_scenario(tmp_path / "nope.toml")


def test_relative_paths_resolve_against_the_file(tmp_path):
    (tmp_path / "sub").mkdir()
    path = tmp_path / "sub" / "s.toml"
    path.write_text('[scenario]\nname = "x"\n[data]\ndemand_zones = "zones.csv"\n')
    sc = load_scenario(path)
    assert sc.resolve(sc.data.demand_zones) == tmp_path / "sub" / "zones.csv"
    assert sc.resolve(sc.data.sites) is None


def test_demand_by_hand():
    zones = pd.DataFrame({"population": [1_000_000.0, 250_000.0], "region_code": ["A", "B"]})
    scans = scans_per_year(
        zones, scans_per_million=2000, annual_growth=0.10, years=2, regional_multipliers={"B": 1.2}
    )
    assert scans.tolist() == pytest.approx([2000 * 1.21, 500 * 1.2 * 1.21])
    with pytest.raises(InputError, match="unknown region code"):
        scans_per_year(zones, regional_multipliers={"Z": 1.1})


def test_annuity_factor_by_hand():
    # 3.5% over 10 years: 0.035 / (1 - 1.035**-10) = 0.120241...
    assert defaults.annuity_factor(10, 0.035) == pytest.approx(0.1202413711)
    assert defaults.annuity_factor(4, 0.0) == 0.25
