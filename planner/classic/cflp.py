"""Capacitated facility location with fixed opening costs (CFLP).

Formulation (the "strong" one)::

    min  sum_j f_j y_j + sum_ij w_i c_ij x_ij
    s.t. sum_j x_ij = 1                     (every point served)
         sum_i w_i x_ij <= Q_j y_j          (capacity)
         x_ij <= y_j                        (strong linking)
         sum_j Q_j y_j >= sum_i w_i         (aggregate capacity, valid)

``x_ij`` is the fraction of point ``i``'s demand served by ``j`` (binary with single sourcing).
The capacity row alone already links ``x`` to ``y``, but its LP relaxation opens facilities
fractionally at ``y_j = load/Q_j``, paying a sliver of the fixed cost; ``x_ij <= y_j`` forces
``y_j`` up to the largest served fraction and gives a much tighter bound (Cornuéjols, Sridharan &
Thizy 1991) for ``n·m`` extra two-term rows. Only reachable pairs get an ``x``.
"""

from __future__ import annotations

import numpy as np
import pulp

from planner.classic import assembly, inputs
from planner.classic.assembly import LocationResult, SingleSolveModel, Stopwatch
from planner.errors import ModelInfeasibleError
from planner.optimise.solver import SolveReport, SolverOptions


class CFLP(SingleSolveModel):
    """Capacitated facility location model (see module docstring)."""

    name = "cflp"

    @classmethod
    def from_cost_matrix(
        cls,
        costs,
        *,
        fixed_costs,
        capacities=None,
        weights=None,
        required=None,
        single_source: bool = False,
    ) -> CFLP:
        """Build the model.

        Parameters
        ----------
        costs
            Cost per unit of demand of serving point ``i`` from facility ``j`` (dense,
            ``np.inf`` = unreachable; or scipy.sparse).
        fixed_costs
            Cost of opening each facility.
        capacities
            Capacity per facility (``np.inf`` or ``None`` = uncapacitated).
        weights
            Demand per point (default 1).
        required
            Facilities forced open.
        single_source
            Serve each point wholly from one facility.
        """
        self = cls()
        self.costs = inputs.cost_matrix(costs)
        n, m = self.costs.shape
        self.fixed = inputs.vector(fixed_costs, m, "fixed_costs")
        self.capacities = inputs.vector(capacities, m, "capacities", default=np.inf, allow_inf=True)
        self.weights = inputs.vector(weights, n, "weights", default=1.0)
        self.required = inputs.facility_indices(required, m)
        self.build = Stopwatch()
        with self.build:
            lonely = np.flatnonzero(np.diff(self.costs.indptr) == 0)
            if lonely.size:
                raise ModelInfeasibleError(
                    f"CFLP infeasible: {lonely.size} demand point(s) reach no facility",
                    [f"demand point {i} has no reachable facility" for i in lonely[:20]],
                )
            self.problem = pulp.LpProblem("cflp", pulp.LpMinimize)
            self.y = assembly.variables(self.problem, "y", m, high=1, cat=pulp.LpBinary)
            for j in self.required:
                self.y[j].lowBound = 1
            self.x = assembly.add_allocation(
                self.problem, self.costs, self.y, self.weights, self.capacities, single_source
            )
            rows = np.repeat(np.arange(n), np.diff(self.costs.indptr))
            unit = self.weights[rows] * self.costs.data
            self.problem += assembly.linear(self.x + self.y, np.r_[unit, self.fixed])
        return self

    @classmethod
    def from_geodataframe(
        cls,
        demand,
        facilities,
        *,
        fixed_cost_col: str,
        capacity_col: str | None = None,
        weight_col: str | None = None,
        metric: str = "euclidean",
        cost_per_unit_distance: float = 1.0,
        required_col: str | None = None,
        single_source: bool = False,
    ) -> CFLP:
        """Build from GeoDataFrames: serving cost = distance × ``cost_per_unit_distance``;
        ``required_col`` names a boolean facility column of sites forced open."""
        costs = inputs.geodataframe_distances(demand, facilities, metric)
        return cls.from_cost_matrix(
            costs * cost_per_unit_distance,
            fixed_costs=inputs.column(facilities, fixed_cost_col, "facilities"),
            capacities=inputs.column(facilities, capacity_col, "facilities"),
            weights=inputs.column(demand, weight_col, "demand"),
            required=inputs.flag_column(facilities, required_col, "facilities"),
            single_source=single_source,
        )

    def _plan(self, report: SolveReport, is_open: np.ndarray) -> LocationResult:
        """``assignment`` is the facility serving the largest share of each point."""
        n = self.costs.shape[0]
        served = assembly.allocation_matrix(self.costs, self.x)
        assignment = np.asarray(served.argmax(axis=1)).ravel()
        rows = np.repeat(np.arange(n), np.diff(served.indptr))
        cost = self.fixed[is_open].sum() + float(
            (self.weights[rows] * served.data * self.costs[rows, served.indices].A1).sum()
        )
        return assembly.finish(
            self.name,
            report,
            objective=float(cost),
            bound=report.best_bound,
            facilities=np.flatnonzero(is_open),
            assignment=assignment,
            build_seconds=self.build.seconds,
            solve_seconds=report.seconds,
            allocation=served,
        )


def cflp(
    costs,
    *,
    fixed_costs,
    capacities=None,
    weights=None,
    required=None,
    single_source: bool = False,
    solver: SolverOptions | None = None,
) -> LocationResult:
    """Solve a capacitated facility location problem; see :meth:`CFLP.from_cost_matrix`.
    ``solver.time_limit`` bounds building and solving together."""
    return assembly.within_time(
        CFLP.name,
        costs,
        solver,
        lambda: CFLP.from_cost_matrix(
            costs,
            fixed_costs=fixed_costs,
            capacities=capacities,
            weights=weights,
            required=required,
            single_source=single_source,
        ),
    )
