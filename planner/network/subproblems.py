"""The assignment subproblems of the decomposition (:mod:`planner.network.decomposition`).

Each planning year's assignment, once the sites' capacities are fixed, is a transportation LP
(:class:`~planner.optimise.transport.TransportProblem`); the capacities a site can take in a plan
are the few values ``F n + D m`` of its integer scanners and mobile days; at LSOA scale the
first cuts are priced on groups of nearby zones; and the master carries a relaxation of each
year's assignment over a few hundred larger groups (:func:`relaxations`).
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
#: Groups of zones in the master's relaxation of the assignment (at most; fewer where there
#: are fewer than ZONES_PER_GROUP zones a group). Measured on 33,755 zones x 500 sites (2
#: cores), 300 groups (cells of 24 km, 45,664 group-site pairs) against none:
#: - the LP rounds reached the same bound (40.84 m) in 4 rounds and 44 s, not 10 and 85 s;
#: - five restricted solves in a row, each plan priced, gave 48.9, 42.8, 42.1, 42.0 and 42.0 m
#:   (without: 48.0, 62.4, 42.3, 47.5, 42.0 and 42.5 m), the master's estimate of each plan's
#:   assignment cost below its price by 71, 34, 8, 6 and 4% (without: 74, 89, 27, 68, 14, 19%);
#: - the full master's bound after 150 s more was 41.08 m.
#: The groups' travel costs are their members' least, so at that size the relaxation mostly
#: carries capacity: demand that no open site within reach can take. With its strong rows
#: (a group's flow to a site <= its demand x the site open) the LP bound rose to 41.07 m, but
#: the restricted MILP found no useful plan in its 36 s. Assumption: 300.
RELAXATION_GROUPS = 300
#: Zones above which the master has no such relaxation. Measured on 1,000,000 zones x 500 sites
#: (2 cores, 16 GB cap): with it, the first LP round's pricing over 200,000 groups of zones
#: had not ended at 1,741 s when the process ran out of memory (likely because the relaxed
#: master's first LP already opens capacity to price; not profiled); without it that round
#: ended at 550 s (bound 24.5 m). The LSOA-scale figures above are of 33,755 zones; where
#: between the two the balance turns is not measured.
RELAXATION_ZONES_UP_TO = 100_000


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


def relaxations(context, subproblems: list[TransportProblem]) -> list[TransportProblem]:
    """Each year's assignment over :data:`RELAXATION_GROUPS` groups of nearby zones, a
    relaxation (:meth:`TransportProblem.relaxed`): the master's bound stays a bound. None
    where ``RELAXATION_GROUPS`` is 0 or there are more than :data:`RELAXATION_ZONES_UP_TO`
    zones."""
    if RELAXATION_GROUPS <= 0 or len(context.inputs.zones) > RELAXATION_ZONES_UP_TO:
        return []
    wanted = min(RELAXATION_GROUPS, max(1, len(context.inputs.zones) // ZONES_PER_GROUP))
    group = zone_cells(context.inputs.zones, wanted)
    return [sub.relaxed(group) for sub in subproblems]


def grouped(context, subproblems: list[TransportProblem]) -> list[TransportProblem]:
    """The subproblems over groups of about :data:`ZONES_PER_GROUP` nearby zones, for prices."""
    group = zone_cells(context.inputs.zones, max(1, len(context.inputs.zones) // ZONES_PER_GROUP))
    return [sub.aggregated(group) for sub in subproblems]


def zone_cells(zones, wanted: int) -> np.ndarray:
    """Each zone's square cell, of one size chosen so that about ``wanted`` cells hold zones."""
    lat, lon = zones["lat"].to_numpy(float), zones["lon"].to_numpy(float)
    x = (lon - lon.min()) * 111.32 * np.cos(np.radians(lat.mean()))
    y = (lat - lat.min()) * 110.57

    def cells(side: float) -> np.ndarray:
        key = np.floor(x / side).astype(np.int64) * 1_000_003 + np.floor(y / side)
        return np.unique(key.astype(np.int64), return_inverse=True)[1]

    # Square cells (km): bisect on the side.
    low, high = 0.01, max(float(np.ptp(x)), float(np.ptp(y)), 1.0)
    for _ in range(30):
        side = math.sqrt(low * high)
        if cells(side).max() + 1 > wanted:
            low = side
        else:
            high = side
    return cells(high)
