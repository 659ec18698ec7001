"""Limits a planner sets on the whole network: sites, static scanners, yearly budget.

``limits.min_sites`` (e.g. a contract's number of locations), ``max_sites``, ``max_scanners``
and ``budget`` (pounds a year, every cost but patient travel and the unmet-demand penalty), each
a row in every planning year and each relaxable by the infeasibility diagnosis.
"""

from __future__ import annotations

import numpy as np

from planner.network.context import ModelContext
from planner.network.core import Period
from planner.network.extensions.base import Extension, Relaxable
from planner.optimise.milp import SparseMILP


def _limit(key: str) -> Relaxable:
    return Relaxable(
        key,
        lambda s: getattr(s.limits, key) is not None,
        lambda s: f"limits.{key} = {getattr(s.limits, key)}",
    )


class Limits(Extension):
    """``[limits]``: min and max open sites, max static scanners, yearly budget."""

    name = "limits"
    relaxable = tuple(_limit(k) for k in ("min_sites", "max_sites", "max_scanners", "budget"))

    def add_period(self, model: SparseMILP, context: ModelContext, period: Period) -> None:
        limits, tag, p = context.scenario.limits, period.tag, period
        n_sites = len(context.inputs.sites)
        one_row = np.zeros(n_sites, int)

        def wanted(key: str) -> bool:
            return getattr(limits, key) is not None and not context.relaxed(key)

        if wanted("min_sites"):
            model.add_rows(f"min_sites{tag}", 1, one_row, p.v, 1.0, lower=limits.min_sites)
        if wanted("max_sites"):
            model.add_rows(f"max_sites{tag}", 1, one_row, p.v, 1.0, upper=limits.max_sites)
        if wanted("max_scanners"):
            model.add_rows(f"max_scanners{tag}", 1, one_row, p.n, 1.0, upper=limits.max_scanners)
        if wanted("budget"):
            costs, ones = context.costs, np.ones(n_sites)
            cols = np.concatenate([p.n, p.y, p.v, p.m, p.fleet])
            coefs = np.concatenate(
                [
                    costs["scanner"] * ones,
                    p.install,
                    costs["open_site"] * ones,
                    costs["mobile_day_per_week"] * ones,
                    [costs["mobile_unit"]],
                ]
            )
            model.add_rows(
                f"budget{tag}", 1, np.zeros(cols.size, int), cols, coefs, upper=limits.budget
            )
