"""The radius (cumulative) formulation of the p-median as a PuLP model.

Elloumi (2010), "A tighter formulation of the p-median problem" (J Comb Optim 19), and García,
Labbé & Marín (2011), "Solving large p-median problems with a radius formulation" (INFORMS JOC
23). For demand point ``i`` with sorted distinct reachable distances ``D_i^1 < … < D_i^K``,
continuous ``z_i^k`` is 1 when no open facility lies within ``D_i^k``::

    min  sum_i w_i (D_i^1 + sum_k (D_i^{k+1} - D_i^k) z_i^k)
    s.t. z_i^k + sum_{j: d_ij <= D_i^k} y_j >= 1,   sum_j y_j = p,   y binary.

Its LP bound equals the textbook assignment formulation's, with one variable per distinct
distance instead of per pair. Three refinements keep it small:

* **Sparse chaining.** The cumulative row for level ``k`` repeats all facilities of levels
  ``< k``; it is written as ``z_i^k + sum_{d_ij = D_i^k} y_j >= z_i^{k-1}`` instead, whose sum
  over ``k`` gives the cumulative row. At any optimum ``z`` takes its least value in both forms,
  so the LP bound is unchanged while the non-zeros drop from O(K·m) to O(m) per demand point.
* **Level cut-off** (García et al.). With ``p`` facilities open, some facility is open among any
  ``m - p + 1`` candidates, and required facilities are always open: levels beyond whichever
  comes first are never reached and are dropped. The last kept level becomes the row
  ``sum_{d_ij = D_i^c} y_j >= z_i^{c-1}`` which, for sparse inputs, also forces each demand point
  to reach some open facility.
* **Level generation** (García et al.'s reduced formulation). Large real-valued instances have
  ``K ≈ m`` levels per point. The model starts with only the levels up to the distance each
  point gets in a starting plan; dropping levels relaxes the model, so its bound is a valid lower
  bound. When a solution sends a point beyond its last modelled level, that point's levels are
  extended and the model re-solved; when none does, the solution is optimal for the full model.

A *cutoff* asks the solver only for plans cheaper than a known one (HiGHS's ``objective_bound``,
CBC's ``cutoff``): the model then proves that no cheaper plan exists, or finds one.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np
import pulp
import scipy.sparse as sp

from planner.classic import assembly
from planner.classic.assembly import Stopwatch
from planner.classic.inputs import SortedPairs
from planner.classic.pmedian_heuristic import greedy_add, interchange, weighted_dense
from planner.optimise.solver import FEASIBLE, INFEASIBLE, OPTIMAL, SolveReport, SolverOptions, solve

#: Models with at most this many level variables are built in full at once; above it levels are
#: generated as needed (each re-solve costs a model rebuild, worthwhile only for large models).
FULL_MODEL_LEVELS = 300_000


@dataclass
class RadiusOutcome:
    """What solving the radius model established.

    ``proven`` is true when the solver showed that no plan cheaper than ``cutoff`` exists other
    than ``best_open`` (or, without a cutoff, that ``best_open`` is optimal, or that the model is
    infeasible). ``bound`` is a lower bound on every plan of this model cheaper than the cutoff.
    """

    proven: bool
    status: str
    best_open: np.ndarray | None
    best_cost: float
    bound: float
    report: SolveReport
    iterations: int
    solve_seconds: float


class RadiusModel:
    """The radius formulation for one p-median instance, built sparsely in PuLP.

    Parameters
    ----------
    pairs
        Reachable pairs sorted by cost within each row (every row must reach something).
    p
        Facilities to open.
    weights
        Demand weights.
    required
        Indices of facilities that must be open.
    levels
        ``"full"``, ``"generate"`` or ``"auto"`` (full up to :data:`FULL_MODEL_LEVELS`).
    start
        A plan (boolean mask) whose distances set the first generated levels; a greedy plan
        is computed when it is needed and not given.
    stopwatch
        Accumulates the time spent building (and extending) the PuLP model.
    """

    def __init__(
        self,
        pairs: SortedPairs,
        p: int,
        weights: np.ndarray,
        required: np.ndarray,
        *,
        levels: str = "auto",
        start: np.ndarray | None = None,
        stopwatch: Stopwatch | None = None,
    ) -> None:
        self.pairs = pairs
        self.p = p
        self.weights = weights
        self.required = required
        self.build = stopwatch or Stopwatch()
        with self.build:
            self._prepare(levels, start)

    def _prepare(self, levels: str, start: np.ndarray | None) -> None:
        pairs = self.pairs
        n, m = pairs.shape
        indptr, fac, dist = pairs.indptr, pairs.facility, pairs.cost
        row_of = pairs.row
        starts_level = np.ones(dist.size, dtype=bool)
        starts_level[1:] = (dist[1:] != dist[:-1]) | (row_of[1:] != row_of[:-1])
        cum = np.cumsum(starts_level)
        level = cum - cum[indptr[:-1]][row_of] + 1  # 1-based level within its row
        first = np.flatnonzero(starts_level)
        level_row = row_of[first]
        self.level_dist = dist[first]
        K = np.bincount(level_row, minlength=n)
        self.level_start = np.r_[0, np.cumsum(K)]
        # Facilities within D_i^k = entries up to the end of level k.
        within = np.r_[first[1:], dist.size] - indptr[:-1][level_row]
        cut = K.copy()
        sure = np.flatnonzero(within >= m - self.p + 1)
        rows_sure, at = np.unique(level_row[sure], return_index=True)
        cut[rows_sure] = np.minimum(cut[rows_sure], sure[at] - self.level_start[rows_sure] + 1)
        if self.required.size:
            is_req = np.zeros(m, dtype=bool)
            is_req[self.required] = True
            req = np.flatnonzero(is_req[fac])
            rows_req, at = np.unique(row_of[req], return_index=True)
            cut[rows_req] = np.minimum(cut[rows_req], level[req[at]])
        self.cut = cut
        self.fac, self.level, self.row_of = fac, level, row_of

        self.problem = pulp.LpProblem("p_median", pulp.LpMinimize)
        self.y = assembly.variables(self.problem, "y", m, high=1, cat=pulp.LpBinary)
        for j in self.required:
            self.y[j].lowBound = 1
        self.z: list[pulp.LpVariable] = []
        self.depth = np.zeros(n, dtype=np.int64)  # levels modelled per demand point
        self.last_z = np.full(n, -1, dtype=np.int64)
        self.closed = np.zeros(n, dtype=bool)
        self.chunks = 0
        #: Objective constant (each point's nearest distance), kept out of the PuLP objective.
        self.constant = float(self.weights @ self.level_dist[self.level_start[:-1]])
        self.problem += pulp.LpAffineExpression()
        assembly.add_rows(
            self.problem, sp.csr_matrix(np.ones((1, m))), self.y, assembly.EQ, self.p, "open"
        )
        full_levels = int((cut - 1).sum())
        self.generate = levels == "generate" or (
            levels == "auto" and full_levels > FULL_MODEL_LEVELS
        )
        if self.generate:
            if start is None:
                start = self._start_plan()
            _, reach = self.evaluate(start)
            # Twice the levels the starting plan needs: relaxed solutions tend to push points
            # a little beyond it, and each shortfall costs a re-solve.
            target = np.minimum(cut - 1, 2 * np.minimum(reach, cut))
        else:
            target = cut - 1
        self._extend(target)

    def _start_plan(self) -> np.ndarray:
        dense, _ = weighted_dense(self._matrix(), self.weights)
        must = np.zeros(self.pairs.shape[1], dtype=bool)
        must[self.required] = True
        may = np.ones_like(must)
        is_open = greedy_add(dense, self.p, must, may)
        return interchange(dense, is_open, must, may, deadline=time.perf_counter() + 10.0)

    def _matrix(self) -> sp.csr_matrix:
        pairs = self.pairs
        return sp.csr_matrix((pairs.cost, pairs.facility, pairs.indptr), shape=pairs.shape)

    def evaluate(self, is_open: np.ndarray) -> tuple[float, np.ndarray]:
        """True cost of a plan (inf if a point reaches no open facility), and the level of
        each point's nearest open facility."""
        n = self.pairs.shape[0]
        hits = np.flatnonzero(is_open[self.fac])
        rows, at = np.unique(self.row_of[hits], return_index=True)
        reached = np.full(n, np.iinfo(np.int64).max // 2, dtype=np.int64)
        reached[rows] = self.level[hits[at]]
        if rows.size < n:
            return np.inf, reached
        dist = self.level_dist[self.level_start[:-1] + reached - 1]
        return float(self.weights @ dist), reached

    def _extend(self, target: np.ndarray) -> None:
        """Model levels ``depth+1 .. target`` (plus the closing row at the cut-off)."""
        m = self.pairs.shape[1]
        old = self.depth
        target = np.maximum(target, old)
        add = target - old
        closing = (target == self.cut - 1) & ~self.closed
        nrows = add + closing
        if not nrows.any():
            return
        n_rows = int(nrows.sum())
        clients = np.repeat(np.arange(old.size), nrows)
        row_base = np.r_[0, np.cumsum(nrows)[:-1]]
        offset = np.arange(n_rows) - row_base[clients]  # 0-based within the client's new rows
        k = old[clients] + 1 + offset  # level of each new row
        z_base = len(self.z) + np.r_[0, np.cumsum(add)[:-1]]
        has_z = offset < add[clients]  # the closing row has no z of its own
        z_col = z_base[clients] + offset
        # z_i^{k-1}: from an earlier chunk for the first new row, else from this chunk.
        prev = np.where(offset == 0, self.last_z[clients], z_col - 1)
        has_prev = k >= 2

        upper = old + nrows
        y_mask = (self.level > old[self.row_of]) & (self.level <= upper[self.row_of])
        owner = self.row_of[y_mask]
        y_rows = row_base[owner] + self.level[y_mask] - old[owner] - 1
        y_cols = self.fac[y_mask]
        rows = np.concatenate([y_rows, np.flatnonzero(has_z), np.flatnonzero(has_prev)])
        cols = np.concatenate([y_cols, m + z_col[has_z], m + prev[has_prev]])
        coef = np.concatenate(
            [np.ones(y_rows.size), np.ones(int(has_z.sum())), -np.ones(int(has_prev.sum()))]
        )
        matrix = sp.csr_matrix((coef, (rows, cols)), shape=(n_rows, m + len(self.z) + add.sum()))

        new_z = assembly.variables(self.problem, "z", int(add.sum()), high=1, start=len(self.z))
        self.z.extend(new_z)
        z_level = k[has_z]
        z_client = clients[has_z]
        at = self.level_start[z_client] + z_level - 1
        step = self.weights[z_client] * (self.level_dist[at + 1] - self.level_dist[at])
        objective = self.problem.objective
        for var, coefficient in zip(new_z, step.tolist(), strict=True):
            objective[var] = coefficient
        assembly.add_rows(
            self.problem,
            matrix,
            self.y + self.z,
            assembly.GE,
            (k == 1).astype(float),
            f"level{self.chunks}",
        )
        self.chunks += 1
        grew = add > 0
        self.last_z[grew] = z_base[grew] + add[grew] - 1
        self.depth = target
        self.closed |= closing

    @property
    def level_variables(self) -> int:
        return len(self.z)

    def solve(
        self,
        options: SolverOptions,
        *,
        cutoff: float | None = None,
        deadline: float | None = None,
    ) -> RadiusOutcome:
        """Solve (re-solving while levels are generated).

        Parameters
        ----------
        options
            Solver options; ``options.time_limit`` is ignored in favour of ``deadline``.
        cutoff
            Only plans cheaper than this are sought (the cost of a known plan, less the
            tolerance that counts as an improvement).
        deadline
            ``time.perf_counter()`` value by which every re-solve must stop.
        """
        solve_seconds = 0.0
        bound = -np.inf
        iterations = 0
        best_open: np.ndarray | None = None
        best_cost = np.inf
        proven = False
        status = FEASIBLE
        report: SolveReport | None = None
        limit = np.inf if cutoff is None else cutoff
        while True:
            run = options
            if deadline is not None:
                remaining = deadline - time.perf_counter()
                if remaining <= 0 and report is not None:
                    break
                run = dataclasses.replace(run, time_limit=max(remaining, 0.01))
            if cutoff is not None:
                run = dataclasses.replace(run, cutoff=cutoff - self.constant)
            report = solve(self.problem, run)
            iterations += 1
            solve_seconds += report.seconds
            if report.best_bound is not None and np.isfinite(report.best_bound):
                bound = max(bound, report.best_bound + self.constant)
            if not report.has_solution:
                # Infeasible below the cutoff: no cheaper plan in this (relaxed) model, hence
                # none in the full one either.
                proven = report.status == INFEASIBLE
                status = report.status
                break
            is_open = assembly.values(self.y) > 0.5
            cost, reach = self.evaluate(is_open)
            if cost < best_cost:
                best_open, best_cost = is_open, cost
            if report.status != OPTIMAL:
                status = FEASIBLE
                break
            # The (relaxed) optimum bounds every plan of the full model.
            bound = max(bound, report.objective + self.constant)
            short = (reach > self.depth + 1) & (self.depth < self.cut - 1)
            if not short.any() or bound >= min(best_cost, limit) - 1e-9 * abs(best_cost):
                proven, status = True, OPTIMAL
                break
            with self.build:
                self._extend(np.where(short, np.minimum(self.cut - 1, reach), self.depth))
        if proven:
            bound = max(bound, min(best_cost, limit))
        assert report is not None
        return RadiusOutcome(
            proven=proven,
            status=status,
            best_open=best_open,
            best_cost=best_cost,
            bound=bound,
            report=report,
            iterations=iterations,
            solve_seconds=solve_seconds,
        )
