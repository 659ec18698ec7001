"""The network model solved exactly at LSOA scale: sites in a master MILP, patients by cuts.

Every decision of the network model but the assignment (which zone's scans go where, and which
are unmet) is about sites: scanners, mobile days, hubs, tracer reach, limits, budget and the
coverage rows of the access target and backup, which read only ``y_j``. Once the sites' capacities
``cap_j = F n_j + D m_j`` are fixed, the assignment of each planning year is a transportation LP
(:mod:`planner.optimise.transport`). So the model is solved in the space of the site decisions
(Benders decomposition; Fischetti, Ljubic & Sinnl, Management Science 63(7), 2017):

master
    the network model built without its assignment block
    (:meth:`planner.network.NetworkModel.assemble`), plus ``theta_t``, the assignment cost of
    year t, bounded below by cuts (:mod:`planner.optimise.capacity_cuts`) and by the same
    assignment over a few hundred groups of zones, each group's travel at its members' least
    (:func:`planner.network.subproblems.relaxations`). The master is a relaxation of the full
    model, so its bound is a bound of the full model.
subproblem
    the transportation LP at the master's capacities, solved by pricing pairs in: its cost gives
    a plan of the full model (with the master's sites), its zone prices the next cut, exact at
    those capacities.

First, rounds on the master's LP relaxation gather cuts cheaply (at LSOA scale their prices come
from the LP over groups of nearby zones: an approximation that only weakens a cut, never makes it
wrong). Then each master MILP solve gives a bound and a plan to price; the loop stops when the
best plan is within ``solver.mip_gap`` of the best bound (``optimal``), or at the time limit with
the plan, its bound and its gap (``feasible``).

:meth:`Decomposition.master_problem` and :meth:`TransportProblem.to_milp` give both parts as
:class:`~planner.optimise.milp.SparseMILP` models, and so as PuLP problems.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from planner.network import subproblems
from planner.network.master import MasterProblem
from planner.optimise.capacity_cuts import capacity_cut
from planner.optimise.milp import INF, SparseMILP
from planner.optimise.solver import (
    FEASIBLE,
    INFEASIBLE,
    NOT_SOLVED,
    OPTIMAL,
    SolveReport,
    SolverOptions,
    relative_gap,
)
from planner.optimise.transport import TransportSolution

#: Most rounds on the master's LP relaxation, and the share of the time limit they may use.
LP_ROUNDS, LP_TIME_SHARE = 15, 0.35
#: LP rounds stop when the bound improved by less than this (relative) in a round.
LP_STALL = 2e-4
#: Gap to which the first master MILP is solved; later ones go to a quarter of the gap left,
#: down to half the target (assumption: the bound a master proves beyond that is not needed).
MASTER_GAP_START = 0.01
#: Restricted master solves (sites limited to those the LP rounds used) before the full master,
#: each limited to this share of the time limit; only where those sites are at most half of all
#: and there are at least RESTRICTED_MIN_SITES candidates. Measured (2 cores): on 33,755 zones x
#: 500 sites the first plan's gap fell from 17.8% to 3.4%; on england_baseline (150 sites) the
#: full master finds its plans sooner, and the restricted solves only took time. The restricted
#: master finds plans; its bound is not a bound of the model and is never reported as one.
RESTRICTED_SOLVES, RESTRICTED_TIME_SHARE, RESTRICTED_SITE_SHARE = 8, 0.06, 0.5
#: The restricted solves stop after this many plans in a row that were no better, and none
#: starts after RESTRICTED_UNTIL of the time limit (the rest is the full master's, whose
#: bound is the one reported). Measured on 33,755 zones x 500 sites: plans whose master
#: costs were within 0.1% of each other priced at 41.9 m to 48 m, so one plan that is no
#: better says little of the next (assumptions: 2 misses, 60%, and at most 8 solves; in one
#: run from a 48.0 m first plan the fifth solve found 41.97 m, at 357 of 600 s).
RESTRICTED_MISSES, RESTRICTED_UNTIL = 2, 0.6
RESTRICTED_MIN_SITES = 300
#: Whether the full master keeps the relaxed assignment (subproblems.relaxations) once the LP
#: rounds and restricted solves, which use it, are done; freed, it is still a relaxation.
#: Measured (2 cores): england_baseline took 65.9 s with it and 28.5 s without (its master
#: MILPs twice as slow); on 33,755 zones x 500 sites the full master's bound at the time limit
#: was 41.09 m with it and 41.10 m without, the same plan of 42.01 m.
FULL_MASTER_RELAXATION = False
#: A restricted solve stopped by its clock whose incumbent is this far (relative) above the
#: solve's own bound is not priced. Measured on 33,755 zones x 500 sites: a 36 s solve stopped
#: at its root node with an incumbent of 82.7 m against a bound of 40.9 m; pricing that plan
#: took 170 s and gave 83.6 m, a plan no later solve could use (assumption: 25%).
UNPRICED_GAP = 0.25


@dataclass
class Round:
    """One round of the loop, as progress reports it."""

    number: int
    phase: str  # "lp", "restricted" or "mip"
    seconds: float
    bound: float
    plan: float | None
    cuts: int

    @property
    def gap(self) -> float | None:
        return relative_gap(self.plan, self.bound)

    def describe(self) -> str:
        plan = "no plan yet" if self.plan is None else f"plan {self.plan:,.0f}"
        gap = "" if self.gap is None else f", gap {self.gap:.3%}"
        return (
            f"decomposition round {self.number} ({self.phase}): {self.seconds:.1f} s, "
            f"bound {self.bound:,.0f}, {plan}{gap}, {self.cuts} cuts"
        )


@dataclass
class DecompositionResult:
    """The solve's report, the master's column values and each year's assignment."""

    report: SolveReport
    solution: np.ndarray | None
    assignments: list[TransportSolution] = field(default_factory=list)
    rounds: list[Round] = field(default_factory=list)


class Decomposition:
    """The decomposition of a :class:`~planner.network.NetworkModel` (module docstring).

    Parameters
    ----------
    model
        The network model (its inputs, scenario and extensions).
    options
        Time limit, gap, threads and log of the solve; the solver is HiGHS.
    on_round
        Called after every round (progress on the terminal or a notebook bar).
    """

    def __init__(
        self,
        model,
        options: SolverOptions,
        on_round: Callable[[Round], None] | None = None,
    ) -> None:
        self.options = options
        self.on_round = on_round or (lambda r: None)
        context = model.context
        problem, self.periods, self.states = model.assemble(assignment=False)
        self.subproblems = subproblems.assignment_problems(context, self.periods)
        scale = np.array([max(float(s.unmet_cost.max()), 1.0) for s in self.subproblems])
        F, D = context.scans_per_scanner, context.scans_per_weekly_mobile_day
        self.levels = [subproblems.capacity_levels(problem, p, F, D) for p in self.periods]
        self.master = MasterProblem(problem, self.periods, scale, F, D, options)
        for t, relaxed in enumerate(subproblems.relaxations(context, self.subproblems)):
            self.master.add_relaxation(t, relaxed)
        self.master.set_gap(self._master_gap())
        # Seconds the longest assignment pricing took (an LP round's, until a plan is priced):
        # the time a master solve leaves before the time limit, so that pricing its plan ends
        # by then and not after.
        self.pricing_seconds = 0.0
        self.grouped = (
            subproblems.grouped(context, self.subproblems)
            if len(context.inputs.zones) > subproblems.GROUP_ZONES_ABOVE
            else None
        )

    # -- the parts as models ----------------------------------------------------------------
    def master_problem(self) -> SparseMILP:
        """The master problem with the cuts found so far."""
        return self.master.problem

    def capacities(self, solution: np.ndarray) -> list[np.ndarray]:
        """Each year's site capacities (scans a year) in a master solution."""
        return self.master.capacities(solution)

    # -- solving ------------------------------------------------------------------------------
    def solve(
        self, *, lp_rounds: int = LP_ROUNDS, master_solves: int | None = None
    ) -> DecompositionResult:
        """Run the loop of the module docstring: at most ``lp_rounds`` rounds on the LP
        relaxation, then master MILP solves until the gap, the time limit or ``master_solves``
        (none: no limit but time) stops it."""
        started = time.perf_counter()
        limit = self.options.time_limit or INF
        tolerance = self._tolerance()
        rounds: list[Round] = []
        bound = -INF

        def elapsed() -> float:
            return time.perf_counter() - started

        def record(phase: str, plan: float | None) -> None:
            rounds.append(Round(len(rounds) + 1, phase, elapsed(), bound, plan, self.master.cuts))
            self.on_round(rounds[-1])

        # Rounds on the LP relaxation: cuts for the first master MILP, and the sites it uses.
        support = np.zeros(len(self.periods[0].v), bool)
        for _ in range(lp_rounds):
            if elapsed() > LP_TIME_SHARE * limit:
                break
            status, z, lp_bound = self.master.solve(mip=False, time_limit=limit - elapsed())
            if status == INFEASIBLE:
                return self._result(INFEASIBLE, rounds, elapsed(), None, bound, None, [])
            if z is None:
                break
            self._add_lp_cuts(z)
            # The last LP's sites, not all the rounds have used: measured on 33,755 zones x
            # 500 sites, the restricted master over the 68 of the last round, solved apart
            # (44 s), gave a plan at 3.2% of the bound; over the 136 of all rounds the best
            # plan of the restricted solves was at 14.8%. In the loop (solves of 36-72 s) the
            # 68 gave plans at 35%, 14.9% and then 3.2%.
            support = np.any([z[p.v] > 1e-6 for p in self.periods], axis=0)
            improved = lp_bound - bound > LP_STALL * max(abs(lp_bound), 1.0)
            bound = max(bound, lp_bound)
            record("lp", None)
            if not improved:
                break
        best, best_z, best_assignments = None, None, []
        if (
            support.size >= RESTRICTED_MIN_SITES
            and support.any()
            and support.mean() <= RESTRICTED_SITE_SHARE
        ):
            best, best_z, best_assignments = self._restricted_plans(
                support, lambda: limit - elapsed(), limit, lambda plan: record("restricted", plan)
            )
            bound = min(bound, best) if best is not None else bound
        time_up = False
        master_gap = MASTER_GAP_START
        self.master.use_relaxation(FULL_MASTER_RELAXATION)
        while not time_up and (master_solves is None or master_solves > 0):
            master_solves = None if master_solves is None else master_solves - 1
            # Early master solves need not be proven closer than a quarter of the gap left.
            gap_left = relative_gap(best, bound)
            master_gap = min(master_gap, max(self._master_gap(), (gap_left or 1.0) / 4))
            self.master.set_gap(master_gap)
            status, z, mip_bound = self.master.solve(
                mip=True,
                time_limit=max(limit - elapsed() - self.pricing_seconds, 1.0),
                start=best_z,
            )
            if status == INFEASIBLE:
                return self._result(INFEASIBLE, rounds, elapsed(), None, bound, None, [])
            time_up = status != OPTIMAL or elapsed() >= limit
            if z is None:
                break
            bound = max(bound, mip_bound)
            if time_up and best is not None and self.master.problem.objective_value(z) >= best:
                # Stopped by the clock on a plan that cannot beat the best (its master cost
                # bounds its cost below): pricing it would only overrun the time limit.
                record("mip", best)
                break
            if best_z is not None and self.master.same_plan(z, best_z):
                # The master chose the best plan again: its cut is exact there, so the bound is
                # within the master's own gap of that plan; only a tighter master closes more.
                if master_gap > self._master_gap():
                    master_gap = self._master_gap()
                    continue
                record("mip", best)
                status = OPTIMAL if relative_gap(best, bound) <= tolerance else FEASIBLE
                return self._result(
                    status, rounds, elapsed(), best_z, bound, best, best_assignments
                )
            plan, assignments = self._price(z)
            if best is None or plan < best:
                best, best_z, best_assignments = plan, z, assignments
            bound = min(bound, best)
            record("mip", best)
            if relative_gap(best, bound) <= tolerance:
                return self._result(
                    OPTIMAL, rounds, elapsed(), best_z, bound, best, best_assignments
                )
        status = NOT_SOLVED if best is None else FEASIBLE
        return self._result(
            status, rounds, elapsed(), best_z, bound, best, best_assignments, time_up=time_up
        )

    def _price(self, z: np.ndarray) -> tuple[float, list[TransportSolution]]:
        """The cost of the master solution ``z`` as a plan of the full model (the master's site
        decisions, its objective without theta, and each year's assignment priced exactly),
        its assignments, and their cuts added to the master."""
        started = time.perf_counter()
        # From the last plan's basis where this plan is near it, afresh where it is not.
        assignments = [
            sub.solve(cap, threads=self.options.threads, fresh=None)
            for sub, cap in zip(self.subproblems, self.capacities(z), strict=True)
        ]
        plan = self.master.site_cost(z)
        plan += sum(a.cost for a in assignments)
        for t, a in enumerate(assignments):
            self.master.add_cut(t, capacity_cut(self.subproblems[t], a.zone_prices, self.levels[t]))
        self.pricing_seconds = max(self.pricing_seconds, time.perf_counter() - started)
        return plan, assignments

    def _restricted_plans(self, support, remaining, limit, record):
        """Plans from the master restricted to the sites in ``support`` (and those the
        scenario keeps open): small enough to solve in seconds where the full master takes
        minutes, and the cuts of its plans are exact for the full master too. Returns the best
        plan's cost, master solution and assignments (``None, None, []`` when none is found)."""
        best, best_z, best_assignments = None, None, []
        share, misses = RESTRICTED_TIME_SHARE, 0
        with self.master.restricted(support):
            for _ in range(RESTRICTED_SOLVES):
                seconds = min(share * limit, remaining() - self.pricing_seconds)
                if seconds < 1.0 or remaining() < (1 - RESTRICTED_UNTIL) * limit:
                    break
                status, z, bound = self.master.solve(mip=True, time_limit=seconds, start=best_z)
                if z is None:
                    break  # no plan on these sites alone: the full master looks further
                master_cost = self.master.problem.objective_value(z)
                own_gap = relative_gap(master_cost, bound)
                if status != OPTIMAL and (own_gap is None or own_gap > UNPRICED_GAP):
                    # A placeholder incumbent (the root not yet solved): minutes to price
                    # and no use. Once more with twice the time, then the full master.
                    if share == RESTRICTED_TIME_SHARE:
                        share *= 2
                        continue
                    break
                if best_z is not None and (self.master.same_plan(z, best_z) or master_cost >= best):
                    # The same plan, or one that cannot beat it (its master cost is a lower
                    # bound of its cost; a solve stopped by its time limit can return such).
                    # Stopped by its own clock, it may not have looked far: once more, with
                    # twice the time.
                    if status != OPTIMAL and share == RESTRICTED_TIME_SHARE:
                        share *= 2
                        continue
                    break
                plan, assignments = self._price(z)
                improved = best is None or plan < best
                if improved:
                    best, best_z, best_assignments = plan, z, assignments
                record(best)
                misses = 0 if improved else misses + 1
                if misses >= RESTRICTED_MISSES:
                    break
        return best, best_z, best_assignments

    def _add_lp_cuts(self, z: np.ndarray) -> None:
        started = time.perf_counter()
        for t, (sub, cap) in enumerate(zip(self.subproblems, self.capacities(z), strict=True)):
            if self.grouped is None:
                prices = sub.solve(cap, threads=self.options.threads).zone_prices
            else:
                grouped = self.grouped[t].solve(cap, threads=self.options.threads, fresh=True)
                prices = sub.zone_prices(grouped.site_prices, cap)
            self.master.add_cut(t, capacity_cut(sub, prices, self.levels[t]))
        self.pricing_seconds = max(self.pricing_seconds, time.perf_counter() - started)

    def _result(
        self, status, rounds, seconds, z, bound, best, assignments, *, time_up: bool = False
    ) -> DecompositionResult:
        gap = relative_gap(best, bound) if best is not None else None
        lps, restricted = (sum(r.phase == phase for r in rounds) for phase in ("lp", "restricted"))
        report = SolveReport(
            status=status,
            solver="highs",
            seconds=seconds,
            objective=best,
            best_bound=None if not math.isfinite(bound) else bound,
            mip_gap=gap,
            message=(
                f"decomposition: {lps} LP rounds, {restricted} restricted and "
                f"{len(rounds) - lps - restricted} master MILP solves, {self.master.cuts} cuts"
            ),
            time_limit_reached=time_up,
        )
        return DecompositionResult(report, z, assignments, rounds)

    def _tolerance(self) -> float:
        """The gap at which a plan counts as optimal: ``solver.mip_gap`` (HiGHS's 1e-4 when
        unset), and never below 1e-5."""
        return max(1e-4 if self.options.mip_gap is None else self.options.mip_gap, 1e-5)

    def _master_gap(self) -> float:
        return max(self._tolerance() / 2, 1e-6)
