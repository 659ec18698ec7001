"""Sweeps and robust plans: many runs of one scenario, on Dask distributed.

:func:`sweep` runs a scenario over a grid of key values (``planner sweep``);
:func:`robust` plans one set of sites for several futures (``planner robust``).
"""

from planner.sweeps.points import Point, Vary, parse_vary, sweep_points
from planner.sweeps.robust import RobustOutcome, robust
from planner.sweeps.sweep import SweepResult, sweep

__all__ = [
    "Point",
    "RobustOutcome",
    "robust",
    "SweepResult",
    "Vary",
    "parse_vary",
    "sweep",
    "sweep_points",
]
