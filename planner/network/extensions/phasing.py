"""Phasing: a plan for several planning years in which sites once open stay open and scanners
are only added.

The model core builds each planning year's columns and rows (demand grown to that year, each
year's cost discounted and weighted by the years it stands for); this extension links the
years, ``n_j,t >= n_j,t-1``, ``y_j,t >= y_j,t-1``, ``v_j,t >= v_j,t-1``, and reports the plan
year by year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.network.context import ModelContext
from planner.network.core import Period
from planner.network.extensions.base import Extension
from planner.optimise.milp import SparseMILP
from planner.plan import Plan
from planner.scenario import Scenario


class Phasing(Extension):
    """Several planning years, linked so that the network only grows."""

    name = "phasing"

    def active(self, scenario: Scenario) -> bool:
        return len(scenario.planning_years()) > 1

    def add_network(self, model: SparseMILP, context: ModelContext, periods: list[Period]) -> None:
        n_sites = len(context.inputs.sites)
        local = np.arange(n_sites)
        for t in range(1, len(periods)):
            for key in ("n", "y", "v"):
                model.add_rows(
                    f"grow_{key}_{t}",
                    n_sites,
                    np.concatenate([local, local]),
                    np.concatenate([getattr(periods[t], key), getattr(periods[t - 1], key)]),
                    np.concatenate([np.ones(n_sites), -np.ones(n_sites)]),
                    lower=0.0,
                )

    def to_plan(
        self, plan: Plan, context: ModelContext, solution: np.ndarray, periods, state
    ) -> None:
        phasing = phasing_table(context, solution, periods)
        first_open = phasing[phasing["open"]].groupby("site_id")["year"].min()
        plan.sites["open_year"] = plan.sites["site_id"].map(first_open)
        plan.phasing = phasing
        plan.summary["planning_years"] = [p.year for p in periods]
        plan.summary["phasing"] = (
            phasing.groupby("year")
            .agg(
                sites_open=("open", "sum"),
                scanners_fixed=("fixed_scanners", "sum"),
                mobile_days_per_week=("mobile_days", "sum"),
                demand_scans=("demand_scans", "first"),
            )
            .reset_index()
            .to_dict("records")
        )


def phasing_table(
    context: ModelContext, solution: np.ndarray, periods: list[Period]
) -> pd.DataFrame:
    """Per planning year and site: open, static scanners, mobile days, the year's demand."""
    sites = context.inputs.sites
    frames = []
    for period in periods:
        n = np.rint(solution[period.n]).astype(int)
        m = np.rint(solution[period.m]).astype(int)
        frames.append(
            pd.DataFrame(
                {
                    "year": period.year,
                    "site_id": sites["site_id"],
                    "name": sites["name"],
                    "open": (n > 0) | (m > 0),
                    "fixed_scanners": n,
                    "mobile_days": m,
                    "demand_scans": float(period.scans.sum()),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
