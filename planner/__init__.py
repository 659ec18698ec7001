"""planner: design England's PET-CT diagnostic network.

Data flows one way: inputs (embedded geodata or a planner's own files, a scenario file) ->
demand and travel times -> optimisation model -> plan -> analysis -> maps and reports.
:func:`run` is the one door: ``planner.run("england_baseline")`` returns a :class:`Plan`.
"""

from planner import settings
from planner.pipeline import run
from planner.plan import Plan
from planner.scenario import Scenario, load_scenario

__version__ = settings.VERSION

__all__ = ["Plan", "Scenario", "__version__", "load_scenario", "run"]
