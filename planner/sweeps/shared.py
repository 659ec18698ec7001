"""Inputs loaded once for a whole sweep, and each run's inputs made from them.

Loading the embedded England data and computing travel times is most of a small run's time,
and a sweep's runs mostly share them: what they vary is usually demand, costs, capacity,
limits or the access target, none of which changes the demand zones, the sites or the travel
times. Runs are therefore grouped by :func:`inputs_key` (the scenario without the sections the
inputs do not depend on); each group's inputs are loaded once, shared with the workers (Dask
``scatter``), and :func:`inputs_for` makes a run's own from them.

Demand is the one exception handled without reloading: scans a year are population x rate x
regional multiplier x growth, linear in the rate and the growth factor, so a run that changes
``demand.scans_per_million``, ``demand.annual_growth`` or ``demand.horizon_years`` gets the
shared zones' scans rescaled by one factor (the same whether the zones are LSOAs or grouped
MSOAs, whose scans are sums). Regional multipliers change scans region by region and are part
of the key.
"""

from __future__ import annotations

import json
from dataclasses import replace

from planner.data.demand import growth_factor
from planner.network import NetworkInputs
from planner.scenario import Scenario

#: Sections of a scenario the inputs do not depend on (demand apart: see the module docstring).
_MODEL_ONLY = (
    "scenario",
    "capacity",
    "costs",
    "access",
    "limits",
    "solver",
    "resilience",
    "phasing",
)


def inputs_key(scenario: Scenario) -> str:
    """What a run's inputs depend on: runs with the same key share their inputs."""
    data = scenario.model_dump(mode="json", exclude={"base_dir", *_MODEL_ONLY})
    demand = data.pop("demand")
    data["regional_multipliers"] = demand["regional_multipliers"]
    data["no_demand"] = _demand_factor(scenario) == 0.0  # nothing to rescale from
    data["existing"] = {"unknown_scanners": scenario.existing.unknown_scanners}
    data["base_dir"] = scenario.base_dir  # relative data paths
    return json.dumps(data, sort_keys=True)


def _demand_factor(scenario: Scenario) -> float:
    d = scenario.demand
    return d.scans_per_million * growth_factor(d.annual_growth, d.horizon_years)


def load_shared(scenario: Scenario) -> NetworkInputs:
    """The inputs of ``scenario``, to be shared with every run of the same :func:`inputs_key`."""
    return NetworkInputs.from_scenario(scenario)


def inputs_for(shared: NetworkInputs, loaded_for: Scenario, scenario: Scenario) -> NetworkInputs:
    """``scenario``'s inputs from ``shared``, loaded for ``loaded_for`` (same inputs key).

    Only the zones' scans can differ (demand rate, growth, horizon): rescaled by the ratio of
    the two scenarios' factors. The tables are otherwise the shared ones, not copies.
    """
    old, new = _demand_factor(loaded_for), _demand_factor(scenario)
    if old == new:
        return shared
    zones = shared.zones.copy()
    zones["scans"] = zones["scans"].to_numpy(float) * (new / old)
    return replace(shared, zones=zones)
