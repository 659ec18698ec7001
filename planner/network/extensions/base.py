"""What a network extension is: the hooks through which the model core asks it for its part.

An extension (hubs, tracer reach, backup coverage, phasing, the access target, the limits, the
existing-site policy) is one class in one module. It says

* when it applies (:meth:`Extension.active`);
* which sites it lets host a scanner (:meth:`Extension.site_reach`), and how it bounds the
  sites' decisions (:meth:`Extension.bound_sites`);
* what must hold before a model is worth building (:meth:`Extension.check`);
* its columns and rows, in each planning year (:meth:`Extension.add_period`) or once for the
  whole network (:meth:`Extension.add_network`);
* its part of the plan (:meth:`Extension.to_plan`);
* and which of its constraint groups the infeasibility diagnosis may relax (:attr:`relaxable`).

Every hook has a default that does nothing, so an extension implements only what it adds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from planner.scenario import Scenario

if TYPE_CHECKING:
    from planner.network.context import ModelContext, SiteBounds
    from planner.network.core import Period
    from planner.optimise.milp import SparseMILP
    from planner.plan import Plan


@dataclass(frozen=True)
class Relaxable:
    """A constraint group the infeasibility diagnosis may leave out.

    Attributes
    ----------
    key
        Its name in a model's ``relax`` set (``"access"``, ``"max_sites"`` ...).
    present
        Whether the scenario imposes it at all.
    describe
        The group as a planner reads it, e.g. ``"limits.max_sites = 30"``.
    """

    key: str
    present: Callable[[Scenario], bool]
    describe: Callable[[Scenario], str]


@dataclass(frozen=True)
class SiteReach:
    """The sites an extension lets host a scanner, and why the others may not."""

    allowed: np.ndarray
    reason: str


class Extension:
    """A part of the network model beyond its core (see the module docstring)."""

    #: Short name, also the key of the state :meth:`add_network` returns.
    name: str = ""
    #: Constraint groups the infeasibility diagnosis may relax, in the order it tries them.
    relaxable: tuple[Relaxable, ...] = ()

    def active(self, scenario: Scenario) -> bool:
        """Whether the scenario uses this extension."""
        return True

    def site_reach(self, context: ModelContext) -> SiteReach | None:
        """The sites this extension lets host a scanner (``None``: every site)."""
        return None

    def bound_sites(self, context: ModelContext, bounds: SiteBounds) -> None:
        """Tighten the sites' bounds in place."""

    def check(self, context: ModelContext) -> None:
        """Raise :class:`~planner.errors.ModelInfeasibleError` for what no plan can meet."""

    def add_period(self, model: SparseMILP, context: ModelContext, period: Period) -> None:
        """Add columns and rows for one planning year."""

    def add_network(self, model: SparseMILP, context: ModelContext, periods: list[Period]) -> Any:
        """Add columns and rows once for the network; return what :meth:`to_plan` needs."""
        return None

    def to_plan(
        self,
        plan: Plan,
        context: ModelContext,
        solution: np.ndarray,
        periods: list[Period],
        state: Any,
    ) -> None:
        """Add this extension's columns, tables and figures to ``plan`` (changed in place)."""
