"""Extensions of the network model, each defined in one module (see :mod:`.base`).

:data:`EXTENSIONS` is the registry the model core asks. Its order is the order in which they
add rows (per planning year: access target, then limits; once per network: phasing, hubs,
backup coverage), report their part of the plan and are tried by the infeasibility diagnosis.
"""

from __future__ import annotations

from planner.network.extensions.access import AccessTarget
from planner.network.extensions.backup import BackupCoverage
from planner.network.extensions.base import Extension, Relaxable, SiteReach
from planner.network.extensions.existing import ExistingPolicy
from planner.network.extensions.hubs import Hubs
from planner.network.extensions.limits import Limits
from planner.network.extensions.phasing import Phasing
from planner.network.extensions.tracer import TracerReach
from planner.scenario import Scenario

EXTENSIONS: tuple[Extension, ...] = (
    ExistingPolicy(),
    AccessTarget(),
    Limits(),
    TracerReach(),
    Phasing(),
    Hubs(),
    BackupCoverage(),
)


def active_extensions(scenario: Scenario) -> tuple[Extension, ...]:
    """The registered extensions the scenario uses, in registry order."""
    return tuple(ext for ext in EXTENSIONS if ext.active(scenario))


__all__ = ["EXTENSIONS", "Extension", "Relaxable", "SiteReach", "active_extensions"]
