"""The decomposition's master problem (:mod:`planner.network.decomposition`), in HiGHS.

The network model built without its assignment block, plus ``theta_t`` (the assignment cost of
year t, in units of one unmet scan) bounded below by capacity cuts
(:mod:`planner.optimise.capacity_cuts`) and by a relaxation of the assignment over groups of
zones (:meth:`MasterProblem.add_relaxation`). One ``highspy.Highs`` object is kept for the whole
solve, and every cut is added to it and to the :class:`~planner.optimise.milp.SparseMILP` (the
PuLP door) at once, so that each solve starts from the last one's basis.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import scipy.sparse as sp

from planner.errors import SolverError
from planner.optimise.capacity_cuts import CapacityCut
from planner.optimise.interrupt import run_highs
from planner.optimise.milp import INF, SparseMILP
from planner.optimise.solver import (
    FEASIBLE,
    INFEASIBLE,
    NOT_SOLVED,
    OPTIMAL,
    SolverOptions,
    configure_highs,
)
from planner.optimise.transport import TransportProblem

#: The row blocks of a year's relaxation (:meth:`MasterProblem.add_relaxation`).
RELAXATION_PARTS = ("demand", "capacity", "cost")


class MasterProblem:
    """The master problem and its solver.

    Parameters
    ----------
    problem
        The network model without its assignment (:meth:`NetworkModel.assemble`).
    periods
        Each planning year's columns in ``problem``.
    scale
        Each year's unit of ``theta_t`` (its largest unmet-scan cost), which keeps the cuts'
        coefficients near those of the rest of the model.
    F, D
        Scans a year of one static scanner and of one weekly mobile day.
    options
        The solve's options (threads, log, gap) for HiGHS.
    """

    def __init__(self, problem: SparseMILP, periods, scale, F: float, D: float, options) -> None:
        self.problem, self.periods, self.scale, self.F, self.D = problem, periods, scale, F, D
        self.options: SolverOptions = options
        self.theta = problem.add_columns("assignment_cost", len(periods), cost=scale)
        self.cuts = 0
        # Each cut's year, eta columns, chord rows (without eta), each chord's eta, constant.
        self._cut_records: list = []
        # Each relaxation's year, problem, and flow and unmet columns.
        self._relaxations: list = []
        self._integer = problem.integer.copy()
        self._highs = None

    def capacities(self, z: np.ndarray) -> list[np.ndarray]:
        """Each year's site capacities (scans a year) in the master solution ``z``."""
        return [self.F * z[p.n] + self.D * z[p.m] for p in self.periods]

    def site_cost(self, z: np.ndarray) -> float:
        """The cost of the site decisions in ``z``: the master's objective without theta."""
        return self.problem.objective_value(z) - float(self.scale @ z[self.theta])

    def same_plan(self, a: np.ndarray, b: np.ndarray) -> bool:
        """Whether two master solutions make the same integer decisions."""
        k = self._integer.size
        return bool(np.allclose(a[:k][self._integer], b[:k][self._integer]))

    def set_gap(self, gap: float) -> None:
        self.highs().setOptionValue("mip_rel_gap", gap)

    def highs(self):
        if self._highs is None:
            self._highs = self.problem.to_highs()
            configure_highs(self._highs, self.options)
        return self._highs

    def solve(
        self, *, mip: bool, time_limit: float, start: np.ndarray | None = None
    ) -> tuple[str, np.ndarray | None, float]:
        """Solve the master (``mip``) or its LP relaxation; ``start`` is a master solution
        HiGHS starts from. Returns the status, the solution and the bound (the LP's value)."""
        import highspy

        h = self.highs()
        n = h.getNumCol()
        integer = np.zeros(n, bool)
        integer[: self._integer.size] = self._integer if mip else False
        kinds = np.where(integer, highspy.HighsVarType.kInteger, highspy.HighsVarType.kContinuous)
        h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), kinds)
        h.setOptionValue("time_limit", float(max(time_limit, 0.1)))
        if mip and start is not None:
            # A whole solution, not only its integer columns: from those alone, HiGHS 1.16
            # (completing the rest by an LP) returned "optimal" at an objective and bound its
            # own solution did not have, once cuts had been added since.
            whole = highspy.HighsSolution()
            whole.col_value = self.completed(start)
            whole.value_valid = True
            h.setSolution(whole)
        started = time.perf_counter()
        run_highs(h)
        if mip and not self._consistent(h):
            h.clearSolver()  # the solve from scratch was right where that was seen
            left = time_limit - (time.perf_counter() - started)
            h.setOptionValue("time_limit", float(max(left, 0.1)))
            run_highs(h)
            if not self._consistent(h):
                raise SolverError("HiGHS gave a master solution whose objective is not its own")
        status = h.getModelStatus()
        if not mip and status != highspy.HighsModelStatus.kOptimal:
            h.clearSolver()  # a stale basis after new cuts; one fresh start
            run_highs(h)
            status = h.getModelStatus()
        s = highspy.HighsModelStatus
        if status in (s.kInfeasible, s.kUnboundedOrInfeasible):
            return INFEASIBLE, None, -INF
        info = h.getInfo()
        if info.primal_solution_status != 2:  # no feasible point (HiGHS: 2 = feasible)
            return NOT_SOLVED, None, -INF
        z = np.array(h.getSolution().col_value)[: self.problem.num_cols]
        if mip:
            z = self._rounded(z)
        bound = float(info.mip_dual_bound if mip else info.objective_function_value)
        if not mip and status != s.kOptimal:
            raise SolverError(f"HiGHS stopped on the master LP: {h.modelStatusToString(status)}")
        return (OPTIMAL if status == s.kOptimal else FEASIBLE), z, bound

    def completed(self, z: np.ndarray) -> np.ndarray:
        """A master solution from before later cuts, made whole: each cut's ``eta_j`` on its
        highest chord and ``theta_t`` on its highest cut (feasible, as the earlier columns'
        rows are as they were)."""
        full = np.zeros(self.problem.num_cols)
        full[: z.size] = z
        theta = self.problem.lower[self.theta].copy()
        for t, eta, chords, owner, constant in self._cut_records:
            if chords is not None:
                # chords: eta_q - (terms in the sites' columns) >= 0, so eta_q >= those terms.
                value = np.full(eta.size, -INF)
                np.maximum.at(value, owner, -(chords @ full[: chords.shape[1]]))
                full[eta] = value  # every active site has a chord (CapacityCut.segments)
            theta[t] = max(theta[t], constant + full[eta].sum())
        for t, relaxed, flows, unmet in self._relaxations:
            # The earlier solution's relaxed flows need not fit this plan (they are free in a
            # solve that dropped the relaxation), so they are solved afresh at its capacities.
            period = self.periods[t]
            capacity = self.F * full[period.n] + self.D * full[period.m]
            solution = relaxed.solve(capacity)
            full[flows], full[unmet] = solution.flows, solution.unmet
            theta[t] = max(theta[t], solution.cost / self.scale[t])
        full[self.theta] = theta
        return full

    def _consistent(self, h) -> bool:
        """Whether the objective HiGHS reports is that of the solution it returns (or it
        returned none)."""
        info = h.getInfo()
        if info.primal_solution_status != 2:
            return True
        z = np.array(h.getSolution().col_value)[: self.problem.num_cols]
        reported = float(info.objective_function_value)
        return abs(self.problem.objective_value(z) - reported) <= 1e-6 * max(1.0, abs(reported))

    def _rounded(self, z: np.ndarray) -> np.ndarray:
        """``z`` with its integer columns rounded: HiGHS gives them to its feasibility
        tolerance, and 2e-9 scanners is a capacity of 1e-5 scans the assignment would use."""
        k = self._integer.size
        z[:k][self._integer] = np.round(z[:k][self._integer])
        return z

    @contextmanager
    def restricted(self, keep: np.ndarray) -> Iterator[None]:
        """Within the block, sites not in ``keep`` (and not kept open by the scenario) are
        closed in HiGHS; the problem itself is left as it is."""
        keep = keep | np.any([self.problem.lower[p.v] > 0 for p in self.periods], axis=0)
        cols = np.concatenate(
            [np.concatenate([p.y, p.v, p.n, p.m])[np.tile(~keep, 4)] for p in self.periods]
        ).astype(np.int32)
        h, zeros = self.highs(), np.zeros(cols.size)
        h.changeColsBounds(cols.size, cols, zeros, zeros)
        try:
            yield
        finally:
            h.changeColsBounds(cols.size, cols, self.problem.lower[cols], self.problem.upper[cols])

    def add_relaxation(self, t: int, relaxed: TransportProblem) -> None:
        """``theta_t`` at least the cost of year t's assignment relaxed over groups of zones
        (:meth:`TransportProblem.relaxed`): its flows, unmet scans, demand and capacity rows
        in the master, so that a plan's demand beyond what the sites within its reach can take
        is priced in every solve, not only once a cut has seen it."""
        period, scale = self.periods[t], self.scale[t]
        pairs, groups, sites = len(relaxed.cost), relaxed.n_zones, relaxed.n_sites
        flows = self._push_columns(f"relaxed{t}_flow", pairs, lower=0.0)
        unmet = self._push_columns(f"relaxed{t}_unmet", groups, lower=0.0, upper=relaxed.demand)
        self._push_rows(
            f"relaxed{t}_demand",
            groups,
            np.concatenate([relaxed.origin, np.arange(groups)]),
            np.concatenate([flows, unmet]),
            np.ones(pairs + groups),
            relaxed.demand,
            upper=relaxed.demand,
        )
        to = np.arange(sites)
        self._push_rows(
            f"relaxed{t}_capacity",
            sites,
            np.concatenate([relaxed.destination, to, to]),
            np.concatenate([flows, period.n, period.m]),
            np.concatenate([np.ones(pairs), np.full(sites, -self.F), np.full(sites, -self.D)]),
            np.full(sites, -INF),
            upper=np.zeros(sites),
        )
        self._push_rows(
            f"relaxed{t}_cost",
            1,
            np.zeros(1 + pairs + groups, dtype=np.int64),
            np.concatenate([self.theta[t : t + 1], flows, unmet]),
            np.concatenate([[1.0], -relaxed.cost / scale, -relaxed.unmet_cost / scale]),
            np.zeros(1),
        )
        self._relaxations.append((t, relaxed, flows, unmet))

    def use_relaxation(self, active: bool) -> None:
        """Keep the relaxation's rows in HiGHS (``active``) or free them (presolve then drops
        them and its columns): the master without them is a relaxation still, its bound a
        bound. The problem itself (the PuLP door) keeps them."""
        if not self._relaxations:
            return
        blocks = [f"relaxed{r[0]}_{part}" for r in self._relaxations for part in RELAXATION_PARTS]
        rows = np.concatenate([self.problem.rows[b].index() for b in blocks]).astype(np.int32)
        if active:
            lower, upper = self.problem.row_lower[rows], self.problem.row_upper[rows]
        else:
            lower, upper = np.full(rows.size, -np.inf), np.full(rows.size, np.inf)
        self.highs().changeRowsBounds(rows.size, rows, lower, upper)

    def add_cut(self, t: int, cut: CapacityCut) -> None:
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
        # Each chord eta_j >= slope cap_j + intercept holds at every capacity level; its
        # intercept (<= 0, the curve being convex through 0) is multiplied by v_j, the site's
        # open decision: the same at v_j = 1, and at v_j = 0 the site has no capacity and no
        # term. In the LP relaxation this "perspective" form stops a site open by a fraction
        # from taking the best zones' scans at full gain (as x_ij <= d_i v_j would).
        rows, cols, vals, owner, count = [], [], [], [], 0
        for q, j in enumerate(sites):
            slope, intercept = cut.segments(j)
            r = count + np.arange(slope.size)
            count += slope.size
            owner.append(np.full(r.size, q))
            rows += [r, r, r, r]
            cols += [
                np.full(r.size, eta[q]),
                np.full(r.size, period.n[j]),
                np.full(r.size, period.m[j]),
                np.full(r.size, period.v[j]),
            ]
            vals += [
                np.ones(r.size),
                -slope * self.F / scale,
                -slope * self.D / scale,
                -intercept / scale,
            ]
        chords = None
        if count:
            rows, cols, vals = (np.concatenate(a) for a in (rows, cols, vals))
            self._push_rows(f"cut{k}_chords", count, rows, cols, vals, np.zeros(count))
            sites_terms = ~np.isin(cols, eta)
            chords = sp.csr_matrix(
                (vals[sites_terms], (rows[sites_terms], cols[sites_terms])),
                shape=(count, self.problem.num_cols),
            )
        owner = np.concatenate(owner) if owner else np.zeros(0, dtype=np.int64)
        self._cut_records.append((t, eta, chords, owner, cut.constant / scale))
        self.cuts += 1

    def _push_columns(self, name: str, count: int, lower=-INF, upper=INF) -> np.ndarray:
        cols = self.problem.add_columns(name, count, lower=lower, upper=upper)
        if self._highs is not None and count:
            self._highs.addVars(count, self.problem.lower[cols], self.problem.upper[cols])
        return cols

    def _push_rows(self, name, count, rows, cols, vals, lower, upper=INF) -> None:
        self.problem.add_rows(name, count, rows, cols, vals, lower=lower, upper=upper)
        if self._highs is None or not count:
            return
        a = sp.csr_matrix((vals, (rows, cols)), shape=(count, self.problem.num_cols))
        a.sum_duplicates()
        self._highs.addRows(
            count,
            np.broadcast_to(np.asarray(lower, float), (count,)).copy(),
            np.broadcast_to(np.asarray(upper, float), (count,)).copy(),
            a.nnz,
            a.indptr[:-1].astype(np.int32),
            a.indices.astype(np.int32),
            a.data,
        )
