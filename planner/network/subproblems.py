"""The assignment subproblems of the decomposition (:mod:`planner.network.decomposition`).

Each planning year's assignment, once the sites' capacities are fixed, is a transportation LP
(:class:`~planner.optimise.transport.TransportProblem`); the capacities a site can take in a plan
are the few values ``F n + D m`` of its integer scanners and mobile days; and at LSOA scale the
first cuts are priced on groups of nearby zones.
"""

from __future__ import annotations

import math

import numpy as np

from planner.optimise.milp import SparseMILP
from planner.optimise.transport import TransportProblem

#: Zones above which the first rounds price cuts on groups of zones (assumption: where one
#: transportation LP over every zone takes seconds rather than a fraction of one).
GROUP_ZONES_ABOVE = 5000
#: Zones per group in those rounds (assumption: about an MSOA's five LSOAs).
ZONES_PER_GROUP = 5


def assignment_problems(context, periods) -> list[TransportProblem]:
    """One transportation LP per planning year: travel at its cost a minute, unmet scans at
    their penalty, both weighted by the year's weight in the objective."""
    travel, costs = context.inputs.travel, context.costs
    return [
        TransportProblem(
            travel.origin,
            travel.destination,
            p.weight * costs["travel_minute"] * travel.minutes,
            p.scans,
            p.weight * costs["unmet_scan"],
            len(context.inputs.sites),
        )
        for p in periods
    ]


def capacity_levels(master: SparseMILP, period, F: float, D: float) -> list[np.ndarray]:
    """Every capacity ``F n + D m`` each site can have in a plan (from the integer bounds of its
    scanners and mobile days in ``master``)."""
    lower, upper = master.lower, master.upper
    levels = []
    for n, m in zip(period.n, period.m, strict=True):
        scanners = np.arange(int(lower[n]), int(upper[n]) + 1)
        days = np.arange(int(lower[m]), int(upper[m]) + 1)
        levels.append(np.unique(np.add.outer(F * scanners, D * days)))
    return levels


def grouped(context, subproblems: list[TransportProblem]) -> list[TransportProblem]:
    """The subproblems over groups of about :data:`ZONES_PER_GROUP` nearby zones (square cells
    of one size, chosen so that about one cell in five zones holds zones)."""
    zones = context.inputs.zones
    wanted = max(1, len(zones) // ZONES_PER_GROUP)
    lat, lon = zones["lat"].to_numpy(float), zones["lon"].to_numpy(float)
    x = (lon - lon.min()) * 111.32 * np.cos(np.radians(lat.mean()))
    y = (lat - lat.min()) * 110.57

    def cells(side: float) -> np.ndarray:
        key = np.floor(x / side).astype(np.int64) * 1_000_003 + np.floor(y / side)
        return np.unique(key.astype(np.int64), return_inverse=True)[1]

    # Square cells (km): the side at which about `wanted` of them hold zones.
    low, high = 0.01, max(float(np.ptp(x)), float(np.ptp(y)), 1.0)
    for _ in range(30):
        side = math.sqrt(low * high)
        if cells(side).max() + 1 > wanted:
            low = side
        else:
            high = side
    group = cells(high)
    return [sub.aggregated(group) for sub in subproblems]
