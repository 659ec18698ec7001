"""Checks that a scenario can be planned before any model is built: the solver it names is
installed, every hub id it names is in the hub list, and every demand zone can reach a site.

``planner validate`` and ``planner run`` both make them (through
:meth:`~planner.network.NetworkInputs.from_scenario`), so a scenario that passes validate does
not fail after minutes of building for a reason its file already showed.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from planner.data.travel import TravelMatrix
from planner.errors import InputError
from planner.optimise.solver import check_solver_installed, default_solver_name
from planner.scenario import Scenario

#: Zone ids shown in a message about zones with no travel time (the count gives the rest).
SHOWN_IDS = 5


def check_solver(scenario: Scenario) -> None:
    """Raise unless ``solver.name`` is installed here and suits ``solver.method``."""
    settings = scenario.solver
    check_solver_installed(settings.name)
    name = (settings.name or default_solver_name()).lower()
    if settings.method == "decomposition" and name != "highs":
        raise InputError(
            f'solver.method = "decomposition" solves with HiGHS, not {settings.name!r}: set '
            'solver.name = "highs", or solver.method = "full" to solve the one MILP with this '
            "solver",
            field="solver.method",
        )


def check_hub_references(scenario: Scenario, hubs: pd.DataFrame, source: str) -> None:
    """Raise naming any id in ``hubs.required`` or ``hubs.candidates`` not in the hub list;
    warn when they are set but hubs are not placed (``hubs.enabled = false``)."""
    known = set(hubs["hub_id"].astype(str))
    source = "the embedded hub list" if source in ("", "embedded") else source
    for key in ("required", "candidates"):
        ids = getattr(scenario.hubs, key)
        unknown = [i for i in ids if i not in known]
        if unknown:
            listed = ", ".join(sorted(known)[:20]) + (" ..." if len(known) > 20 else "")
            raise InputError(
                f"unknown hub id(s) {', '.join(unknown)}; expected ids from {source} ({listed})",
                field=f"hubs.{key}",
            )
    named = [k for k in ("required", "candidates") if getattr(scenario.hubs, k)]
    if named and not scenario.hubs.enabled:
        warnings.warn(
            f"hubs.{named[0]} names hubs but hubs.enabled is false: no hubs are placed",
            stacklevel=3,
        )


def zones_without_travel(travel: TravelMatrix) -> np.ndarray:
    """The ids of the demand zones (origins) with no travel time to any site."""
    reached = np.zeros(len(travel.origin_ids), dtype=bool)
    reached[travel.origin] = True
    return np.asarray(travel.origin_ids)[~reached]


def describe_zones_without_travel(travel: TravelMatrix, max_minutes: float) -> str:
    """'N of M demand zones have no travel time ... (ids ...)', or ``""`` when every zone has."""
    missing = zones_without_travel(travel)
    if missing.size == 0:
        return ""
    shown = ", ".join(missing[:SHOWN_IDS]) + (" ..." if missing.size > SHOWN_IDS else "")
    return (
        f"{missing.size:,} of {len(travel.origin_ids):,} demand zones have no travel time to "
        f"any site within {max_minutes:g} min in {travel.source} ({shown})"
    )


def check_travel(travel: TravelMatrix, max_minutes: float, *, imported: bool) -> None:
    """Refuse travel times that reach no zone; warn naming the zones an imported matrix leaves
    without any site (their demand cannot be met)."""
    if len(travel.destination_ids) == 0:
        raise InputError(
            "no site to plan with: data.sites and data.candidate_sites give none (after "
            "data.regions and data.phase1_sites_only); expected at least one site",
            field="data.sites",
        )
    if len(travel.origin_ids) and len(travel) == 0:
        raise InputError(
            f"no demand zone has a travel time to any site within {max_minutes:g} min "
            f"({len(travel.origin_ids):,} zones, {len(travel.destination_ids):,} sites); "
            "expected travel times: check that the matrix's ids are the scenario's zones and "
            "sites and its minutes are minutes, or raise travel.max_minutes",
            source=travel.source,
        )
    message = describe_zones_without_travel(travel, max_minutes)
    if message and imported:
        warnings.warn(
            f"{message}: their demand cannot be met; check the file for missing rows",
            stacklevel=3,
        )
