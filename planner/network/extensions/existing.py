"""The existing-site policy: which of today's sites stay open and with how many scanners.

``keep``: existing sites stay open with exactly their scanners; ``may_expand``: they stay open
and may add scanners; ``may_close``: they may close or change freely. Under the first two, an
existing site that some extension rules out (no FDG supplier or training hub in reach) makes the
scenario infeasible before any model is built, and the error names the site.
"""

from __future__ import annotations

import numpy as np

from planner.errors import ModelInfeasibleError
from planner.network.context import ModelContext, SiteBounds
from planner.network.extensions.base import Extension, Relaxable

_KEPT = ("keep", "may_expand")


class ExistingPolicy(Extension):
    """Bounds of existing sites under ``existing.policy``."""

    name = "existing"
    relaxable = (
        Relaxable(
            "existing",
            lambda s: s.existing.policy in _KEPT,
            lambda s: f"existing.policy = {s.existing.policy!r}",
        ),
    )

    @staticmethod
    def _keeps(context: ModelContext) -> bool:
        return not context.relaxed("existing") and context.scenario.existing.policy in _KEPT

    def bound_sites(self, context: ModelContext, bounds: SiteBounds) -> None:
        if not self._keeps(context):
            return
        sites = context.inputs.sites
        existing = sites["existing"].to_numpy(bool)
        scanners = sites["existing_scanners"].to_numpy(int)
        bounds.lower = scanners.copy()
        if context.scenario.existing.policy == "keep":
            bounds.upper = np.where(existing, scanners, bounds.upper)
        bounds.forced_static = bounds.lower > 0
        bounds.keep_open = existing

    def check(self, context: ModelContext) -> None:
        """Every existing site the policy keeps open must be in every extension's reach."""
        if not self._keeps(context):
            return
        sites = context.inputs.sites
        kept = sites["existing"].to_numpy(bool)
        problems = [
            f"{row.name} ({row.site_id}): {reach.reason}"
            for reach in context.reach
            for row in sites[kept & ~reach.allowed].itertuples()
        ]
        if problems:
            policy = context.scenario.existing.policy
            raise ModelInfeasibleError(
                f"existing sites cannot stay open (existing.policy = {policy!r}); "
                "set existing.policy = 'may_close' or relax the limits named",
                problems,
            )

    @classmethod
    def kept(cls, context: ModelContext) -> tuple[int, int] | None:
        """The existing sites the policy keeps open and their static scanners (``None`` when the
        policy keeps none)."""
        if not cls._keeps(context):
            return None
        sites = context.inputs.sites
        existing = sites["existing"].to_numpy(bool)
        return int(existing.sum()), int(sites["existing_scanners"].to_numpy(int)[existing].sum())

    @classmethod
    def note(cls, context: ModelContext) -> str | None:
        """What the policy holds the plan to, for the infeasibility diagnosis."""
        kept = cls.kept(context)
        if kept is None:
            return None
        sites, scanners = kept
        return (
            f"keeps {_count(sites, 'existing site')} open with at least their "
            f"{_count(scanners, 'static scanner')}"
        )

    @classmethod
    def limit_conflicts(cls, context: ModelContext) -> list[str]:
        """The limits the kept sites break on their own, before any plan is sought."""
        kept = cls.kept(context)
        if kept is None:
            return []
        sites, scanners = kept
        limits, policy = context.scenario.limits, f"existing.policy = {cls._policy(context)!r}"
        way_out = "or set existing.policy = 'may_close'"
        out = []
        if limits.max_sites is not None and sites > limits.max_sites:
            out.append(
                f"{policy} keeps {_count(sites, 'existing site')} open, more than "
                f"limits.max_sites = {limits.max_sites}: raise max_sites to {sites} or more, "
                + way_out
            )
        if limits.max_scanners is not None and scanners > limits.max_scanners:
            out.append(
                f"{policy} keeps the existing sites' {_count(scanners, 'static scanner')}, more "
                f"than limits.max_scanners = {limits.max_scanners}: raise max_scanners to "
                f"{scanners} or more, " + way_out
            )
        costs = context.costs
        floor = sites * costs["open_site"] + scanners * costs["scanner"]
        if limits.budget is not None and floor > limits.budget:
            out.append(
                f"{policy} keeps {_count(sites, 'existing site')} open with "
                f"{_count(scanners, 'static scanner')}, which cost at least £{floor:,.0f} a year, "
                f"more than limits.budget = £{limits.budget:,.0f}: raise the budget, " + way_out
            )
        return out

    @staticmethod
    def _policy(context: ModelContext) -> str:
        return context.scenario.existing.policy


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"
