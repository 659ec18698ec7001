"""The access target: a share of the population within T minutes of a static scanner.

The partnership's target, 98% of people within a 1-hour drive, is one coverage row block
(:func:`planner.network.coverage.add_coverage_rows` with one site needed) in every planning
year. Before building, the best share reachable with a static scanner at every allowed site is
computed: a target above it is infeasible, and the error names the regions short of sites.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.errors import ModelInfeasibleError
from planner.network.context import ModelContext
from planner.network.core import Period
from planner.network.coverage import add_coverage_rows
from planner.network.extensions.base import Extension, Relaxable
from planner.network.references import describe_zones_without_travel
from planner.optimise.milp import SparseMILP
from planner.scenario import Scenario


def access_ceiling(context: ModelContext) -> tuple[float, pd.DataFrame]:
    """Best reachable access share if every allowed site had a static scanner, and the
    uncovered population by region (regions with none uncovered are left out)."""
    zones, travel = context.inputs.zones, context.inputs.travel
    nearest = travel.nearest_minutes(context.bounds.allowed)
    covered = nearest <= context.scenario.access.minutes + 1e-9
    population = zones["population"].to_numpy(float)
    ceiling = float(population[covered].sum() / population.sum())
    uncovered = (
        zones.assign(uncovered=np.where(covered, 0.0, population))
        .groupby("region_code", sort=True)["uncovered"]
        .sum()
    )
    uncovered = uncovered[uncovered > 0].sort_values(ascending=False)
    table = uncovered.rename_axis("region_code").reset_index()
    table["region_name"] = table["region_code"].map(context.inputs.region_names)
    return ceiling, table


class AccessTarget(Extension):
    """``access.share`` of the population within ``access.minutes`` of a static scanner."""

    name = "access"
    relaxable = (
        Relaxable(
            "access",
            lambda s: s.access.enforce and s.access.share > 0,
            lambda s: f"access target ({s.access.share:.0%} within {s.access.minutes:g} min)",
        ),
    )

    def active(self, scenario: Scenario) -> bool:
        return scenario.access.enforce

    def check(self, context: ModelContext) -> None:
        access = context.scenario.access
        if context.relaxed("access"):
            return
        ceiling, uncovered = access_ceiling(context)
        if ceiling + 1e-9 < access.share:
            causes = [
                f"{r.region_name or r.region_code} ({r.region_code}): {r.uncovered:,.0f} people "
                f"have no allowed site within {access.minutes:g} min"
                for r in uncovered.head(9).itertuples()
            ]
            travel = context.inputs.travel
            missing = describe_zones_without_travel(travel, context.scenario.travel.max_minutes)
            if missing:
                # Zones with no pair at all are most often rows missing from an imported matrix.
                causes.insert(0, f"{missing}: check the travel times for missing rows")
            raise ModelInfeasibleError(
                f"access target infeasible: even with a static scanner at every allowed site only "
                f"{ceiling:.2%} of the population is within {access.minutes:g} min, below the "
                f"target {access.share:.2%}. Add candidate sites in these areas, lower "
                f"access.share, or set access.enforce = false",
                causes,
            )

    def add_period(self, model: SparseMILP, context: ModelContext, period: Period) -> None:
        access = context.scenario.access
        if context.relaxed("access") or access.share <= 0:
            return
        add_coverage_rows(
            model,
            context.inputs.travel,
            context.inputs.zones["population"].to_numpy(float),
            period.y,
            minutes=access.minutes,
            share=access.share,
            sites_needed=1,
            columns="a",
            rows="access",
            tag=period.tag,
        )
