"""Backup coverage: a share of the population within reach of two static scanner sites.

A breakdown or a closure then leaves a second site in reach. The rows are the coverage rows of
the access target with two sites needed (:func:`planner.network.coverage.add_coverage_rows`),
in every planning year:

    b_i in [0, 1],  2 b_i <= sum_{j: t_ij <= T_backup} y_j,  sum_i p_i b_i >= share * sum_i p_i
"""

from __future__ import annotations

from planner.network.context import ModelContext
from planner.network.coverage import add_coverage_rows, covered_share
from planner.network.extensions.base import Extension, Relaxable
from planner.optimise.milp import SparseMILP
from planner.plan import Plan
from planner.scenario import Scenario


class BackupCoverage(Extension):
    """``resilience.backup_share`` of people within ``backup_minutes`` of two static sites."""

    name = "backup"
    relaxable = (
        Relaxable(
            "backup",
            lambda s: s.resilience.backup_share > 0,
            lambda s: (
                f"backup coverage ({s.resilience.backup_share:.0%} within "
                f"{s.resilience.backup_minutes:g} min of two sites)"
            ),
        ),
    )

    def active(self, scenario: Scenario) -> bool:
        return scenario.resilience.backup_share > 0

    def add_network(self, model: SparseMILP, context: ModelContext, periods) -> None:
        # Added after the hubs, once every year is built, so that the model's blocks keep the
        # order in which earlier releases built them (same model, same solver path).
        if context.relaxed("backup"):
            return
        r = context.scenario.resilience
        population = context.inputs.zones["population"].to_numpy(float)
        for period in periods:
            add_coverage_rows(
                model,
                context.inputs.travel,
                population,
                period.y,
                minutes=r.backup_minutes,
                share=r.backup_share,
                sites_needed=2,
                columns="backup",
                rows="backup",
                tag=period.tag,
            )

    def to_plan(self, plan: Plan, context: ModelContext, solution, periods, state) -> None:
        r = context.scenario.resilience
        plan.summary["backup_minutes"] = r.backup_minutes
        plan.summary["backup_target_share"] = r.backup_share
        plan.summary["backup_share"] = covered_share(
            context.inputs.travel,
            plan.demand["population"].to_numpy(float),
            plan.sites["fixed_scanners"].to_numpy(int) > 0,
            minutes=r.backup_minutes,
            sites_needed=2,
        )
