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
    year t, bounded below by cuts (:mod:`planner.optimise.capacity_cuts`). The master is a
    relaxation of the full model, so its bound is a bound of the full model.
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
import scipy.sparse as sp

from planner.errors import SolverError
from planner.optimise.capacity_cuts import CapacityCut, capacity_cut
from planner.optimise.milp import INF, SparseMILP
from planner.optimise.solver import (
    FEASIBLE,
    INFEASIBLE,
    NOT_SOLVED,
    OPTIMAL,
    SolveReport,
    SolverOptions,
    configure_highs,
    relative_gap,
)
from planner.optimise.transport import TransportProblem, TransportSolution

#: Zones above which the first rounds price cuts on groups of zones (assumption: where one
#: transportation LP over every zone takes seconds rather than a fraction of one).
GROUP_ZONES_ABOVE = 5000
#: Zones per group in those rounds (assumption: about an MSOA's five LSOAs).
ZONES_PER_GROUP = 5
#: Most rounds on the master's LP relaxation, and the share of the time limit they may use.
LP_ROUNDS, LP_TIME_SHARE = 15, 0.35
#: LP rounds stop when the bound improved by less than this (relative) in a round.
LP_STALL = 2e-4
#: Gap to which the first master MILP is solved; later ones go to a quarter of the gap left,
#: down to half the target (assumption: the bound a master proves beyond that is not needed).
MASTER_GAP_START = 0.01


@dataclass
class Round:
    """One round of the loop, as progress reports it."""

    number: int
    phase: str  # "lp" or "mip"
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
        self.master, self.periods, self.states = model.assemble(assignment=False)
        travel, costs = context.inputs.travel, context.costs
        self.subproblems = [
            TransportProblem(
                travel.origin,
                travel.destination,
                p.weight * costs["travel_minute"] * travel.minutes,
                p.scans,
                p.weight * costs["unmet_scan"],
                len(context.inputs.sites),
            )
            for p in self.periods
        ]
        # theta_t in units of one unmet scan keeps the cuts' coefficients near those of the rest.
        self.scale = np.array([max(float(s.unmet_cost.max()), 1.0) for s in self.subproblems])
        self.theta = self.master.add_columns("assignment_cost", len(self.periods), cost=self.scale)
        self.F = context.scans_per_scanner
        self.D = context.scans_per_weekly_mobile_day
        self.levels = [capacity_levels(self.master, p, self.F, self.D) for p in self.periods]
        self.grouped = (
            grouped_subproblems(context, self.subproblems)
            if len(context.inputs.zones) > GROUP_ZONES_ABOVE
            else None
        )
        self.cuts = 0
        self._integer = self.master.integer.copy()
        self._highs = None

    # -- the parts as models ----------------------------------------------------------------
    def master_problem(self) -> SparseMILP:
        """The master problem with the cuts found so far."""
        return self.master

    def capacities(self, solution: np.ndarray) -> list[np.ndarray]:
        """Each year's site capacities (scans a year) in a master solution."""
        return [self.F * solution[p.n] + self.D * solution[p.m] for p in self.periods]

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
            rounds.append(Round(len(rounds) + 1, phase, elapsed(), bound, plan, self.cuts))
            self.on_round(rounds[-1])

        # Rounds on the LP relaxation: cuts for the first master MILP.
        for _ in range(lp_rounds):
            if elapsed() > LP_TIME_SHARE * limit:
                break
            status, z, lp_bound = self._solve_master(mip=False, time_limit=limit - elapsed())
            if status == INFEASIBLE:
                return self._result(INFEASIBLE, rounds, elapsed(), None, bound, None, [])
            if z is None:
                break
            self._add_lp_cuts(z)
            improved = lp_bound - bound > LP_STALL * max(abs(lp_bound), 1.0)
            bound = max(bound, lp_bound)
            record("lp", None)
            if not improved:
                break
        best, best_z, best_assignments = None, None, []
        time_up = False
        master_gap = MASTER_GAP_START
        while not time_up and (master_solves is None or master_solves > 0):
            master_solves = None if master_solves is None else master_solves - 1
            # Early master solves need not be proven closer than a quarter of the gap left.
            gap_left = relative_gap(best, bound)
            master_gap = min(master_gap, max(self._master_gap(), (gap_left or 1.0) / 4))
            self._master_highs().setOptionValue("mip_rel_gap", master_gap)
            status, z, mip_bound = self._solve_master(
                mip=True, time_limit=max(limit - elapsed(), 1.0), start=best_z
            )
            if status == INFEASIBLE:
                return self._result(INFEASIBLE, rounds, elapsed(), None, bound, None, [])
            time_up = status != OPTIMAL or elapsed() >= limit
            if z is None:
                break
            bound = max(bound, mip_bound)
            k = self._integer.size
            if best_z is not None and np.allclose(z[:k][self._integer], best_z[:k][self._integer]):
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
            assignments = [
                sub.solve(cap, threads=self.options.threads)
                for sub, cap in zip(self.subproblems, self.capacities(z), strict=True)
            ]
            # The plan's cost: the master's site decisions (its objective without theta)
            # and the assignments priced exactly.
            plan = self.master.objective_value(z) - float(self.scale @ z[self.theta])
            plan += sum(a.cost for a in assignments)
            for t, a in enumerate(assignments):
                self._add_cut(t, capacity_cut(self.subproblems[t], a.zone_prices, self.levels[t]))
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

    def _add_lp_cuts(self, z: np.ndarray) -> None:
        for t, (sub, cap) in enumerate(zip(self.subproblems, self.capacities(z), strict=True)):
            if self.grouped is None:
                prices = sub.solve(cap, threads=self.options.threads).zone_prices
            else:
                grouped = self.grouped[t].solve(cap, threads=self.options.threads)
                prices = sub.zone_prices(grouped.site_prices, cap)
            self._add_cut(t, capacity_cut(sub, prices, self.levels[t]))

    def _result(
        self, status, rounds, seconds, z, bound, best, assignments, *, time_up: bool = False
    ) -> DecompositionResult:
        gap = relative_gap(best, bound) if best is not None else None
        masters = sum(r.phase == "mip" for r in rounds)
        report = SolveReport(
            status=status,
            solver="highs",
            seconds=seconds,
            objective=best,
            best_bound=None if not math.isfinite(bound) else bound,
            mip_gap=gap,
            message=(
                f"decomposition: {len(rounds) - masters} LP rounds, {masters} master MILP "
                f"solves, {self.cuts} cuts"
            ),
            time_limit_reached=time_up,
        )
        return DecompositionResult(report, z, assignments, rounds)

    # -- the master ---------------------------------------------------------------------------
    def _solve_master(
        self, *, mip: bool, time_limit: float, start: np.ndarray | None = None
    ) -> tuple[str, np.ndarray | None, float]:
        import highspy

        h = self._master_highs()
        n = h.getNumCol()
        integer = np.zeros(n, bool)
        integer[: self._integer.size] = self._integer if mip else False
        kinds = np.where(integer, highspy.HighsVarType.kInteger, highspy.HighsVarType.kContinuous)
        h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), kinds)
        h.setOptionValue("time_limit", float(max(time_limit, 0.1)))
        if mip and start is not None:
            keep = np.flatnonzero(self._integer)
            h.setSolution(keep.size, keep.astype(np.int32), np.asarray(start)[keep])
        h.run()
        status = h.getModelStatus()
        if not mip and status != highspy.HighsModelStatus.kOptimal:
            h.clearSolver()  # a stale basis after new cuts; one fresh start
            h.run()
            status = h.getModelStatus()
        s = highspy.HighsModelStatus
        if status in (s.kInfeasible, s.kUnboundedOrInfeasible):
            return INFEASIBLE, None, -INF
        info = h.getInfo()
        if info.primal_solution_status != 2:  # no feasible point (HiGHS: 2 = feasible)
            return NOT_SOLVED, None, -INF
        z = np.asarray(h.getSolution().col_value)[: self.master.num_cols]
        bound = float(info.mip_dual_bound if mip else info.objective_function_value)
        if not mip and status != s.kOptimal:
            raise SolverError(f"HiGHS stopped on the master LP: {h.modelStatusToString(status)}")
        return (OPTIMAL if status == s.kOptimal else FEASIBLE), z, bound

    def _master_highs(self):
        if self._highs is None:
            self._highs = self.master.to_highs()
            configure_highs(self._highs, self.options)
            self._highs.setOptionValue("mip_rel_gap", self._master_gap())
        return self._highs

    def _tolerance(self) -> float:
        """The gap at which a plan counts as optimal: ``solver.mip_gap`` (HiGHS's 1e-4 when
        unset), and never below 1e-5."""
        return max(1e-4 if self.options.mip_gap is None else self.options.mip_gap, 1e-5)

    def _master_gap(self) -> float:
        return max(self._tolerance() / 2, 1e-6)

    def _add_cut(self, t: int, cut: CapacityCut) -> None:
        """``theta_t >= (constant + sum_j eta_j) / S``, ``eta_j`` above each chord of site j."""
        period, scale, k = self.periods[t], self.scale[t], self.cuts
        sites = cut.active_sites()
        eta = self._push_columns(f"cut{k}_sites", sites.size)
        self._push_rows(
            f"cut{k}",
            1,
            np.zeros(sites.size + 1, dtype=np.int64),
            np.concatenate([self.theta[t : t + 1], eta]),
            np.concatenate([[1.0], -np.ones(sites.size)]),
            np.array([cut.constant / scale]),
        )
        rows, cols, vals, lower = [], [], [], []
        for q, j in enumerate(sites):
            slope, intercept = cut.segments(j)
            r = len(lower) + np.arange(slope.size)
            rows += [r, r, r]
            cols += [
                np.full(r.size, eta[q]),
                np.full(r.size, period.n[j]),
                np.full(r.size, period.m[j]),
            ]
            vals += [np.ones(r.size), -slope * self.F / scale, -slope * self.D / scale]
            lower.extend(intercept / scale)
        if lower:
            self._push_rows(
                f"cut{k}_chords",
                len(lower),
                np.concatenate(rows),
                np.concatenate(cols),
                np.concatenate(vals),
                np.asarray(lower),
            )
        self.cuts += 1

    def _push_columns(self, name: str, count: int) -> np.ndarray:
        cols = self.master.add_columns(name, count, lower=-INF)
        if self._highs is not None and count:
            self._highs.addVars(count, np.full(count, -np.inf), np.full(count, np.inf))
        return cols

    def _push_rows(self, name, count, rows, cols, vals, lower) -> None:
        self.master.add_rows(name, count, rows, cols, vals, lower=lower)
        if self._highs is None or not count:
            return
        a = sp.csr_matrix((vals, (rows, cols)), shape=(count, self.master.num_cols))
        a.sum_duplicates()
        self._highs.addRows(
            count,
            np.asarray(lower, float),
            np.full(count, np.inf),
            a.nnz,
            a.indptr[:-1].astype(np.int32),
            a.indices.astype(np.int32),
            a.data,
        )


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


def grouped_subproblems(context, subproblems: list[TransportProblem]) -> list[TransportProblem]:
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
