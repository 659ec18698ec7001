"""The one door every entry point uses: :func:`run` a scenario and get its :class:`Plan`.

The command line (``planner run``), the notebooks and the benchmarks all plan through here, so
a scenario gives the same plan, with the same post-solve analyses, whichever way it is run:

    scenario (file, name or object) + overrides
      -> inputs (demand zones, sites, travel times, tracer reach, hub links)
      -> network model -> solve (true status and gap)
      -> plan -> the analyses the scenario asks for (N-1)
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping

import pandas as pd

from planner.analysis.n_minus_1 import add_n_minus_1
from planner.network import NetworkInputs, NetworkModel
from planner.optimise.interrupt import sigint_stops_solves
from planner.plan import Plan, Provenance
from planner.scenario import Scenario, load_scenario

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


def run(
    scenario: Scenario | str | os.PathLike,
    *,
    overrides: Mapping[str, object] | None = None,
    progress: Progress | None = None,
    verbose: bool = False,
    inputs: NetworkInputs | None = None,
    neighbour: pd.DataFrame | None = None,
) -> Plan:
    """Plan a scenario: load its data, build and solve the model, run its analyses.

    Parameters
    ----------
    scenario
        A :class:`~planner.scenario.Scenario`, a TOML file, or the name of a scenario shipped
        with planner (``"england_baseline"``, see :func:`~planner.scenario.load_scenario`).
    overrides
        Dotted keys changed before planning, checked like the file's own keys, e.g.
        ``{"demand.annual_growth": 0.1, "solver.time_limit": 60}``
        (:meth:`Scenario.updated <planner.scenario.Scenario.updated>`).
    progress
        Called with a line of text at each step, and every few seconds while the solver runs
        (the command line prints them); silent when ``None``.
    verbose
        Also pass ``progress`` the model's size, the warm start and the solver's own figures
        (``planner run --verbose``).
    inputs
        The scenario's inputs, already loaded (a sweep loads them once and shares them with
        its workers, :mod:`planner.sweeps.shared`); they must be this scenario's: its demand,
        sites and travel limit. ``None`` loads them as the scenario says.
    neighbour
        The sites table of a plan of a neighbouring scenario, tried as the solver's first plan
        (:meth:`NetworkModel.solve <planner.network.NetworkModel.solve>`).

    Returns
    -------
    Plan
        Its ``summary`` carries the solver's true status and gap; ``resilience`` holds the N-1
        table when the scenario asks for it (``resilience.n_minus_1``); ``provenance`` the
        scenario as run and the seconds of each step.

    Raises
    ------
    InputError
        A bad scenario key, override or data file, naming the file, row or key.
    ModelInfeasibleError
        No plan meets the scenario's constraints; the error says which.
    SolverError
        The solver stopped without any plan.
    KeyboardInterrupt
        On SIGINT (Ctrl-C), within a second even while the solver runs
        (:func:`~planner.optimise.interrupt.sigint_stops_solves`).
    """
    with sigint_stops_solves():
        return _run(scenario, overrides, progress, verbose, inputs, neighbour)


def _run(
    scenario: Scenario | str | os.PathLike,
    overrides: Mapping[str, object] | None,
    progress: Progress | None,
    verbose: bool,
    inputs: NetworkInputs | None,
    neighbour: pd.DataFrame | None,
) -> Plan:
    say = progress or _quiet
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if overrides:
        scenario = scenario.updated(overrides)
    say(f"scenario {scenario.name!r}: {scenario.title}")
    started = time.perf_counter()
    if inputs is None:
        model = NetworkModel.from_scenario(scenario, progress=say)
    else:
        model = NetworkModel(inputs, scenario)
    timings = {"inputs": time.perf_counter() - started}
    plan = model.solve(progress=say, detail=say if verbose else _quiet, neighbour=neighbour)
    timings["build"] = model.build_seconds or 0.0
    timings["solve"] = plan.summary["solve_seconds"]
    if scenario.resilience.n_minus_1:
        say("N-1 analysis: closing each open site in turn ...")
        started = time.perf_counter()
        add_n_minus_1(plan, model.inputs.travel, scenario.access.minutes, progress=say)
        timings["n_minus_1"] = time.perf_counter() - started
    plan.provenance = Provenance(
        scenario=scenario, timings={k: round(v, 3) for k, v in timings.items()}
    )
    return plan
