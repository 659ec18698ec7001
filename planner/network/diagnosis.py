"""Why a network model has no feasible plan: which constraint groups, relaxed one at a time,
make it feasible.

Every relaxable group is declared by the part of the model that imposes it
(:attr:`planner.network.extensions.base.Extension.relaxable`); the diagnosis builds the model
once more without each group the scenario imposes and asks the solver, for at most 30 seconds,
whether a plan then exists; for each group without which one does, the whole model is solved
without it (again for at most 30 seconds) to say what that plan gives: its sites, its unmet
scans and its yearly cost, or that it serves no one and so is no plan at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from planner.errors import PlannerError
from planner.network.extensions.base import Extension, Relaxable
from planner.network.extensions.existing import ExistingPolicy
from planner.optimise.milp import SparseMILP
from planner.optimise.solver import SolverOptions
from planner.scenario import Scenario

#: Longest solve, in seconds, of each relaxed model.
TRIAL_SECONDS = 30.0


def relaxable_groups(extensions: Iterable[Extension], scenario: Scenario) -> list[Relaxable]:
    """The constraint groups the scenario imposes, in the order they are tried."""
    return [r for ext in extensions for r in ext.relaxable if r.present(scenario)]


def diagnose_model(model, options: SolverOptions) -> list[str]:
    """Causes of infeasibility of a :class:`~planner.network.model.NetworkModel`.

    Feasibility does not depend on the assignment (unmet demand is a slack), so each relaxed
    model tried is built without it: the decomposition's master, small at any scale. For each
    group without which it is feasible, the whole relaxed model is solved to say what its plan
    gives; the existing-site policy is named with the sites it keeps open.
    """
    new = type(model)

    def build(relax: frozenset[str]) -> SparseMILP:
        return new(model.inputs, model.scenario, relax=relax).assemble(assignment=False)[0]

    def solve_relaxed(relax: frozenset[str], quick: SolverOptions) -> dict | None:
        relaxed = new(model.inputs, model.scenario, relax=relax)
        relaxed.diagnose = False  # what the relaxed plan gives; not a second diagnosis
        try:
            return relaxed.solve(quick).summary
        except PlannerError:
            return None

    context = model.context
    note = ExistingPolicy.note(context)
    return diagnose_infeasibility(
        build,
        relaxable_groups(context.extensions, model.scenario),
        model.scenario,
        options,
        model.relax,
        solve_relaxed=solve_relaxed,
        notes={"existing": note} if note else None,
        conflicts=ExistingPolicy.limit_conflicts(context),
    )


def diagnose_infeasibility(
    build: Callable[[frozenset[str]], SparseMILP],
    groups: list[Relaxable],
    scenario: Scenario,
    options: SolverOptions,
    relaxed: frozenset[str] = frozenset(),
    *,
    solve_relaxed: Callable[[frozenset[str], SolverOptions], dict | None] | None = None,
    notes: Mapping[str, str] | None = None,
    conflicts: Sequence[str] = (),
) -> list[str]:
    """Causes of infeasibility, in a planner's words, each saying what its relaxation gives.

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
    solve_relaxed
        Solves the whole model without the given groups and returns its plan's summary
        (``None`` if no plan was found): what a planner would get by dropping a group. Without
        it a cause says only that the model is feasible without the group.
    notes
        What a group does in this model, by group key (``existing``: "keeps the 20 existing
        sites open ..."), added to its description.
    conflicts
        Clashes found from the data before any solve (the existing sites a policy keeps open
        against ``limits.max_sites``), listed first.

    Returns
    -------
    list of str
        One line per cause: the group, and the sites, unmet scans and yearly cost of the plan
        without it, or that that plan serves no one and so is no plan at all.
    """
    quick = SolverOptions(
        name=options.name,
        time_limit=min(options.time_limit or TRIAL_SECONDS, TRIAL_SECONDS),
        threads=options.threads,
    )
    notes = notes or {}
    causes = list(conflicts)
    for group in groups:
        relax = relaxed | {group.key}
        if not build(relax).solve(quick)[0].has_solution:
            continue
        name = group.describe(scenario)
        if group.key in notes:
            name += f" ({notes[group.key]})"
        if solve_relaxed is None:
            causes.append(f"{name}: the model is feasible without it")
        else:
            causes.append(f"{name}: {relaxed_outcome(solve_relaxed(relax, quick), quick)}")
    if len(causes) == len(conflicts):
        listed = "; ".join(group.describe(scenario) for group in groups)
        causes.append(f"no single constraint is to blame; together they conflict: {listed}")
    return causes


def relaxed_outcome(summary: dict | None, options: SolverOptions) -> str:
    """What the plan without a constraint group gives, from its summary, in words."""
    if summary is None:
        return (
            "the model is feasible without it, but no plan was found within "
            f"{options.time_limit:g} s to say what it would give"
        )
    sites, demand = int(summary["sites_open"]), float(summary["demand_scans"])
    unmet = float(summary["unmet_scans"])
    if sites == 0 or unmet >= demand - 0.5:
        opens = "opens no site" if sites == 0 else f"opens {_sites(sites)}"
        return (
            f"without it the model's only answer {opens} and leaves all {demand:,.0f} scans a "
            "year unmet: that is no plan at all, so this is not the constraint to drop"
        )
    left = (
        "meets every scan a year"
        if unmet < 0.5
        else f"leaves {unmet:,.0f} of {demand:,.0f} scans a year unmet ({unmet / demand:.0%})"
    )
    cost = summary.get("annual_cost")
    spend = "" if cost is None else f", the service costing £{cost:,.0f} a year"
    best = (
        "" if summary.get("status") == "optimal" else f" (best found in {options.time_limit:g} s)"
    )
    return f"without it the plan opens {_sites(sites)}, {left}{spend}{best}"


def _sites(count: int) -> str:
    return f"{count:,} site{'' if count == 1 else 's'}"
