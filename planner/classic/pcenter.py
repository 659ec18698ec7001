"""p-center: open ``p`` facilities minimising the largest (weighted) distance to the nearest one.

Method: binary search on the radius over the sorted distinct values of ``w_i d_ij``, each step a
set-covering feasibility check "can ``p`` facilities (required ones included) cover every point
within ``r``?". The radius formulation with one binary per distance level (Elloumi 2004) needs a
row per point and level: with real-valued distances there are up to ``n·m`` levels, so that
model grows as O(n²m) non-zeros, while each check here has ``m`` binaries and one coverage row
per point, and only ``log2`` of the number of levels checks are needed. The search starts
between the lower bound ``max_i min_j w_i d_ij`` and a greedy plan's radius, which removes most
levels. Every answer is the solver's proof, so the result is optimal when the last feasible
radius is adjacent to a proven-infeasible one; a time-limited run reports the best radius found
and the highest proven lower bound.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pulp
import scipy.sparse as sp

from planner.classic import assembly, inputs
from planner.classic.assembly import LocationResult, Stopwatch
from planner.errors import ModelInfeasibleError
from planner.optimise.deadline import DeadlineError, deadline
from planner.optimise.solver import (
    FEASIBLE,
    INFEASIBLE,
    OPTIMAL,
    SolveReport,
    SolverOptions,
    solve,
)


class PCenter:
    """p-center model solved by radius search with covering checks (see module docstring)."""

    name = "p-center"

    @classmethod
    def from_cost_matrix(cls, costs, p: int, *, weights=None, required=None) -> PCenter:
        """Build the model.

        Parameters
        ----------
        costs
            Demand × facility costs (dense, ``np.inf`` = unreachable; or scipy.sparse).
        p
            Facilities to open (required ones included).
        weights
            Optional weight per point: the objective is ``max_i w_i d_i``.
        required
            Facilities forced open.
        """
        self = cls()
        self.costs = inputs.cost_matrix(costs)
        n, m = self.costs.shape
        self.required = inputs.facility_indices(required, m)
        self.p = inputs.facility_count(p, m, self.required)
        self.weights = inputs.vector(weights, n, "weights", default=1.0)
        self.build = Stopwatch()
        with self.build:
            lengths = np.diff(self.costs.indptr)
            if (lengths == 0).any():
                lonely = np.flatnonzero(lengths == 0)
                raise ModelInfeasibleError(
                    f"p-center infeasible: {lonely.size} demand point(s) reach no facility",
                    [f"demand point {i} has no reachable facility" for i in lonely[:20]],
                )
            # Built on the cost matrix's structure: a zero weight must not make pairs vanish.
            self.scaled = sp.csr_matrix(
                (
                    self.costs.data * np.repeat(self.weights, lengths),
                    self.costs.indices,
                    self.costs.indptr,
                ),
                shape=self.costs.shape,
            )
        return self

    @classmethod
    def from_geodataframe(
        cls,
        demand,
        facilities,
        p: int,
        *,
        weight_col: str | None = None,
        metric: str = "euclidean",
        required_col: str | None = None,
    ) -> PCenter:
        """Build from GeoDataFrames (see :func:`~planner.classic.inputs.geodataframe_distances`);
        ``required_col`` names a boolean facility column of sites forced open."""
        costs = inputs.geodataframe_distances(demand, facilities, metric)
        weights = inputs.column(demand, weight_col, "demand")
        required = inputs.flag_column(facilities, required_col, "facilities")
        return cls.from_cost_matrix(costs, p, weights=weights, required=required)

    def _greedy(self) -> np.ndarray:
        dense = inputs.densify(self.scaled)
        n, m = dense.shape
        is_open = np.zeros(m, dtype=bool)
        is_open[self.required] = True
        current = dense[:, is_open].min(axis=1) if self.required.size else np.full(n, np.inf)
        for _ in range(self.p - self.required.size):
            worst = np.minimum(current[:, None], dense).max(axis=0)
            worst[is_open] = np.inf
            best = int(np.argmin(worst))
            is_open[best] = True
            current = np.minimum(current, dense[:, best])
        return is_open

    def _check(self, r: float, options: SolverOptions) -> tuple[SolveReport, np.ndarray | None]:
        """Can ``p`` facilities cover every point within ``r``? Returns the report and plan."""
        with self.build:
            cover = inputs.coverage(self.scaled, r)
            m = cover.shape[1]
            problem = pulp.LpProblem("p_center_check", pulp.LpMinimize)
            y = assembly.variables(problem, "y", m, high=1, cat=pulp.LpBinary)
            for j in self.required:
                y[j].lowBound = 1
            # Minimising the count lets the solver stop at the first cover of size <= p.
            problem += assembly.linear(y, np.ones(m))
            assembly.add_rows(problem, cover, y, assembly.GE, 1.0, "cover")
            assembly.add_rows(
                problem, sp.csr_matrix(np.ones((1, m))), y, assembly.LE, self.p, "open"
            )
        report = solve(problem, options)
        plan = assembly.values(y) > 0.5 if report.has_solution else None
        return report, plan

    def solve(self, solver: SolverOptions | None = None) -> LocationResult:
        """Search the optimal radius; ``time_limit`` bounds the whole search."""
        options = assembly.options_or_default(solver)
        started = time.perf_counter()
        with self.build:
            best = self._greedy()
            best_radius = self._radius(best)
            lower = float(np.minimum.reduceat(self.scaled.data, self.scaled.indptr[:-1]).max())
            levels = np.unique(self.scaled.data)
            levels = levels[(levels >= lower) & (levels <= best_radius)]
        lo, hi = 0, levels.size - 1  # levels[hi] is feasible; levels[< lo] are infeasible
        solve_seconds, iterations, status = 0.0, 0, OPTIMAL
        report = SolveReport(status=OPTIMAL, solver=options.name or "highs", seconds=0.0)
        if not np.isfinite(best_radius):
            # Sparse costs: the greedy plan leaves points unreached; is any plan complete?
            report, plan = self._check(float(levels[-1]), options)
            iterations, solve_seconds = 1, report.seconds
            if plan is None:
                return assembly.no_plan(
                    self.name,
                    report,
                    points=self.costs.shape[0],
                    coverage=False,
                    build_seconds=self.build.seconds,
                    solve_seconds=solve_seconds,
                )
            best = plan
            best_radius = self._radius(best)
            hi = int(np.searchsorted(levels, best_radius))
        while lo < hi:
            run = options
            if options.time_limit is not None:
                remaining = options.time_limit - (time.perf_counter() - started)
                if remaining <= 0:
                    status = FEASIBLE
                    break
                run = dataclasses.replace(options, time_limit=remaining)
            mid = (lo + hi) // 2
            try:
                with deadline(run.time_limit):
                    report, plan = self._check(float(levels[mid]), run)
            except DeadlineError:  # stopped while building this radius's check
                status = FEASIBLE
                break
            iterations += 1
            solve_seconds += report.seconds
            if plan is not None:
                best = plan
                best_radius = self._radius(best)
                hi = int(np.searchsorted(levels, best_radius))
            elif report.status == INFEASIBLE:
                lo = mid + 1
            else:
                status = FEASIBLE  # the check stopped on its limit without an answer
                break
        bound = float(levels[lo])
        # A plan may use fewer than p facilities; open the cheapest extras to return p.
        if best.sum() < self.p:
            extra = np.flatnonzero(~best)[: self.p - int(best.sum())]
            best = best.copy()
            best[extra] = True
        objective = self._radius(best)
        _, assignment = assembly.nearest_open(self.costs, best)
        return assembly.finish(
            self.name,
            report,
            objective=objective,
            bound=bound,
            facilities=np.flatnonzero(best),
            assignment=assignment,
            build_seconds=self.build.seconds,
            solve_seconds=solve_seconds,
            status=status,
            iterations=iterations,
        )

    def _radius(self, is_open: np.ndarray) -> float:
        """Largest weighted distance to the nearest open facility (inf if some point has none)."""
        dist, _ = assembly.nearest_open(self.scaled, is_open)
        return float(dist.max())


def p_center(
    costs, p: int, *, weights=None, required=None, solver: SolverOptions | None = None
) -> LocationResult:
    """Solve a p-center problem; see :meth:`PCenter.from_cost_matrix`.

    ``assignment`` gives each point's nearest open facility.
    """
    return assembly.within_time(
        PCenter.name,
        costs,
        solver,
        lambda: PCenter.from_cost_matrix(costs, p, weights=weights, required=required),
    )
