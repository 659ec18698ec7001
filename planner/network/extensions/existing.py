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
