"""Why a network model has no feasible plan: which constraint groups, relaxed one at a time,
make it feasible.

Every relaxable group is declared by the part of the model that imposes it
(:attr:`planner.network.extensions.base.Extension.relaxable`); the diagnosis builds the model
once more without each group the scenario imposes and asks the solver, for at most 30 seconds,
whether a plan then exists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from planner.network.extensions.base import Extension, Relaxable
from planner.optimise.milp import SparseMILP
from planner.optimise.solver import SolverOptions
from planner.scenario import Scenario

#: Longest solve, in seconds, of each relaxed model.
TRIAL_SECONDS = 30.0


def relaxable_groups(extensions: Iterable[Extension], scenario: Scenario) -> list[Relaxable]:
    """The constraint groups the scenario imposes, in the order they are tried."""
    return [r for ext in extensions for r in ext.relaxable if r.present(scenario)]


def diagnose_infeasibility(
    build: Callable[[frozenset[str]], SparseMILP],
    groups: list[Relaxable],
    scenario: Scenario,
    options: SolverOptions,
    relaxed: frozenset[str] = frozenset(),
) -> list[str]:
    """Causes of infeasibility, in a planner's words.

    Parameters
    ----------
    build
        Builds the model with the given constraint groups left out.
    groups
        The groups to try (:func:`relaxable_groups`).
    scenario
        For the groups' descriptions.
    options
        Solver options; the time limit is capped at :data:`TRIAL_SECONDS`.
    relaxed
        Groups already left out of the model being diagnosed.
    """
    quick = SolverOptions(
        name=options.name,
        time_limit=min(options.time_limit or TRIAL_SECONDS, TRIAL_SECONDS),
        threads=options.threads,
    )
    causes = [
        f"{group.describe(scenario)}: the model is feasible without it"
        for group in groups
        if build(relaxed | {group.key}).solve(quick)[0].has_solution
    ]
    if not causes:
        listed = "; ".join(group.describe(scenario) for group in groups)
        causes.append(f"no single constraint is to blame; together they conflict: {listed}")
    return causes
