"""What every part of the network model reads while it is built: inputs, scenario, unit costs,
the limits relaxed for a diagnosis, and the bounds each site's decisions may take.

A :class:`ModelContext` is made once per model and never changed; the core rows
(:mod:`planner.network.core`), the extensions (:mod:`planner.network.extensions`) and the plan
(:mod:`planner.network.solution`) all read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from planner.defaults import annuity_factor
from planner.scenario import Scenario

if TYPE_CHECKING:
    from planner.network.extensions.base import Extension, SiteReach
    from planner.network.inputs import NetworkInputs


def unit_costs(scenario: Scenario) -> dict[str, float]:
    """Yearly cost of each decision of the model, in pounds.

    ``scanner`` (annualised capital + operating), ``new_static_site`` (annualised installation),
    ``open_site``, ``mobile_day_per_week`` (a weekly mobile day for a year), ``mobile_unit``
    (annualised capital), ``travel_minute`` (per scan and minute) and ``unmet_scan``.
    """
    c = scenario.costs
    annuity = annuity_factor(c.capital_years, c.discount_rate)
    return {
        "scanner": c.scanner_capital * annuity + c.scanner_operating,
        "new_static_site": c.site_installation * annuity,
        "open_site": c.site_annual,
        "mobile_day_per_week": c.mobile_day_operating * scenario.capacity.weeks_per_year,
        "mobile_unit": c.mobile_unit_capital * annuity,
        "travel_minute": c.travel_cost_per_minute,
        "unmet_scan": c.unmet_penalty_per_scan,
    }


@dataclass
class SiteBounds:
    """Bounds of each site's decisions, from the existing-site policy and the sites' reach.

    Attributes
    ----------
    lower, upper
        Least and most static scanners (``n_j``).
    forced_static
        Sites that must keep a static scanner (``y_j >= 1``).
    keep_open
        Sites that must stay open (``v_j >= 1``).
    allowed
        Sites that may host a scanner at all (every extension's reach, e.g. FDG supply).
    existing_static
        Sites with a static scanner today (no installation cost).
    """

    lower: np.ndarray
    upper: np.ndarray
    forced_static: np.ndarray
    keep_open: np.ndarray
    allowed: np.ndarray
    existing_static: np.ndarray


@dataclass(frozen=True)
class ModelContext:
    """The fixed facts a network model is built from.

    Parameters
    ----------
    inputs
        Demand zones, sites, travel times and what is derived from them (tracer reach, hub
        links).
    scenario
        The scenario's parameters.
    extensions
        The extensions active in this scenario, in the order they add their rows.
    relax
        Keys of constraint groups left out (to diagnose infeasibility).
    """

    inputs: NetworkInputs
    scenario: Scenario
    extensions: tuple[Extension, ...]
    relax: frozenset[str] = field(default_factory=frozenset)

    def relaxed(self, key: str) -> bool:
        """Whether the constraint group ``key`` is left out of this model."""
        return key in self.relax

    @cached_property
    def costs(self) -> dict[str, float]:
        return unit_costs(self.scenario)

    @property
    def scans_per_scanner(self) -> float:
        return float(self.scenario.capacity.fixed_scans_per_year)

    @property
    def scans_per_weekly_mobile_day(self) -> float:
        c = self.scenario.capacity
        return float(c.mobile_scans_per_day * c.weeks_per_year)

    @property
    def max_mobile_days(self) -> int:
        """Most mobile days a week at one site (0 where the scenario allows no mobile units)."""
        c = self.scenario.capacity
        return c.mobile_max_days_per_site if c.allow_mobile else 0

    @cached_property
    def reach(self) -> list[SiteReach]:
        """What each extension says about the sites that may host a scanner."""
        found = (ext.site_reach(self) for ext in self.extensions)
        return [r for r in found if r is not None]

    @cached_property
    def bounds(self) -> SiteBounds:
        """Each site's bounds: the policy's (set by extensions), then only sites in reach."""
        sites = self.inputs.sites
        existing_n = sites["existing_scanners"].to_numpy(int)
        none = np.zeros(len(sites), bool)
        bounds = SiteBounds(
            lower=np.zeros(len(sites), dtype=int),
            upper=np.maximum(existing_n, self.scenario.capacity.max_scanners_per_site),
            forced_static=none,
            keep_open=none,
            allowed=np.ones(len(sites), bool),
            existing_static=existing_n > 0,
        )
        for ext in self.extensions:
            ext.bound_sites(self, bounds)
        for r in self.reach:
            bounds.allowed = bounds.allowed & r.allowed
        bounds.upper = np.where(bounds.allowed, bounds.upper, 0)
        return bounds

    def planning_years(self) -> list[int]:
        return self.scenario.planning_years()

    def period_weights(self) -> list[float]:
        """Objective weight of each planning year: years it stands for x discount factor.

        A single-year plan has weight 1, so its objective is a yearly cost.
        """
        years = self.planning_years()
        if len(years) == 1:
            return [1.0]
        rate = self.scenario.costs.discount_rate
        spans = [b - a for a, b in zip(years, years[1:], strict=False)] + [1]
        return [span * (1.0 + rate) ** -year for span, year in zip(spans, years, strict=True)]
