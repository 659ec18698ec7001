"""Assembling PuLP models from numpy / scipy.sparse arrays.

PuLP's usual idiom (``lpSum(x[i, j] for j in ...)`` per row) creates an intermediate expression
per term and dominates the run time of large location models. Here constraint matrices are
built vectorised as scipy CSR matrices and each row becomes one
:class:`pulp.LpAffineExpression` made directly from its ``(variable, coefficient)`` pairs, so the
only Python loops are over variables and rows, never over demand × facility products.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence

import numpy as np
import pulp
import scipy.sparse as sp

from planner.errors import ModelInfeasibleError
from planner.optimise.deadline import DeadlineError, check_deadline, deadline
from planner.optimise.solver import (
    NOT_SOLVED,
    OPTIMAL,
    SolveReport,
    SolverOptions,
    relative_gap,
    solve,
)

#: Relative MIP gap used when the caller gives none: tight enough that integer-cost instances
#: (OR-Library) are solved exactly, unlike the solvers' default of 1e-4.
DEFAULT_MIP_GAP = 1e-6

#: Variables or rows made between two looks at the clock while a model is built.
_CHUNK = 20_000

GE = pulp.LpConstraintGE
LE = pulp.LpConstraintLE
EQ = pulp.LpConstraintEQ


def variables(
    problem: pulp.LpProblem,
    prefix: str,
    count: int,
    *,
    low: float | None = 0.0,
    high: float | None = None,
    cat: str = pulp.LpContinuous,
    start: int = 0,
) -> list[pulp.LpVariable]:
    """Create ``count`` variables of ``problem`` named ``{prefix}_{start}``, … (bulk creation)."""
    add = problem.add_variable
    made: list[pulp.LpVariable] = []
    for first in range(start, start + count, _CHUNK):
        check_deadline()
        last = min(first + _CHUNK, start + count)
        made += [add(f"{prefix}_{k}", low, high, cat) for k in range(first, last)]
    return made


def add_rows(
    problem: pulp.LpProblem,
    matrix: sp.spmatrix,
    columns: Sequence[pulp.LpVariable],
    sense: int,
    rhs,
    prefix: str,
) -> None:
    """Add the constraints ``matrix @ columns (sense) rhs``, one per row of ``matrix``.

    Parameters
    ----------
    problem
        Problem to extend.
    matrix
        Constraint coefficients, rows × ``len(columns)`` (duplicates are summed).
    columns
        The variables the matrix columns refer to.
    sense
        ``pulp.LpConstraintGE``, ``LE`` or ``EQ``.
    rhs
        Scalar or one value per row.
    prefix
        Constraint names are ``{prefix}_{row}``; must be new to ``problem``.
    """
    matrix = sp.csr_matrix(matrix)
    matrix.sum_duplicates()
    rows = matrix.shape[0]
    rhs_values = np.broadcast_to(np.asarray(rhs, dtype=float), (rows,)).tolist()
    terms = [columns[c] for c in matrix.indices.tolist()]
    coefs = matrix.data.tolist()
    ptr = matrix.indptr.tolist()
    add = problem.addConstraint
    for r in range(rows):
        if r % _CHUNK == 0:
            check_deadline()
        lo, hi = ptr[r], ptr[r + 1]
        expression = pulp.LpAffineExpression(zip(terms[lo:hi], coefs[lo:hi], strict=True))
        add(pulp.LpConstraint(expression, sense, f"{prefix}_{r}", rhs_values[r]))


def linear(columns: Sequence[pulp.LpVariable], coefs) -> pulp.LpAffineExpression:
    """``sum(coefs[k] * columns[k])`` without PuLP's per-term arithmetic, zeros dropped."""
    coefs = np.asarray(coefs, dtype=float)
    keep = np.flatnonzero(coefs).tolist()
    values = coefs.tolist()
    return pulp.LpAffineExpression((columns[k], values[k]) for k in keep)


def values(columns: Sequence[pulp.LpVariable]) -> np.ndarray:
    """Solution values of ``columns`` (0 for variables the solver never saw)."""
    return np.fromiter((v.varValue or 0.0 for v in columns), float, len(columns))


def options_or_default(options: SolverOptions | None) -> SolverOptions:
    """Caller's options, with :data:`DEFAULT_MIP_GAP` when no gap is set."""
    options = options or SolverOptions()
    if options.mip_gap is None:
        options = dataclasses.replace(options, mip_gap=DEFAULT_MIP_GAP)
    return options


@dataclasses.dataclass
class LocationResult:
    """Solution of a classic location model.

    Attributes
    ----------
    model
        ``"p-median"``, ``"p-center"``, ``"lscp"``, ``"mclp"`` or ``"cflp"``.
    status
        ``optimal``, ``feasible`` (stopped early: read ``gap``), ``infeasible``, ``unbounded``,
        ``not_solved`` or ``error`` (see :mod:`planner.optimise.solver`).
    objective
        Objective of the plan, recomputed from the chosen facilities (``None`` without a plan).
    best_bound
        Proven bound on the optimum (lower for minimisation, upper for MCLP).
    gap
        ``|objective - best_bound| / |objective|``; 0 for a proven optimum within tolerance.
    facilities
        Sorted indices of the open facilities.
    assignment
        p-median / p-center / CFLP: facility index serving each demand point (-1 if none).
        LSCP / MCLP: boolean "covered" flag per demand point.
    report
        The :class:`~planner.optimise.solver.SolveReport` of the (last) solver run, with objective,
        bound and gap restated for the whole model.
    build_seconds, solve_seconds
        Time spent assembling the PuLP model(s) and inside the solver.
    iterations
        Number of solver runs (>1 for the p-median's level generation and p-center's search).
    allocation
        Sparse demand × facility matrix of served fractions (capacitated models), else ``None``.
    """

    model: str
    status: str
    objective: float | None
    best_bound: float | None
    gap: float | None
    facilities: np.ndarray
    assignment: np.ndarray
    report: SolveReport
    build_seconds: float
    solve_seconds: float
    iterations: int = 1
    allocation: sp.csr_matrix | None = None

    @property
    def has_solution(self) -> bool:
        """Whether a plan (facilities and assignment) is available."""
        return self.objective is not None


def finish(
    model: str,
    report: SolveReport,
    *,
    objective: float | None,
    bound: float | None,
    facilities: np.ndarray,
    assignment: np.ndarray,
    build_seconds: float,
    solve_seconds: float,
    status: str | None = None,
    iterations: int = 1,
    allocation: sp.csr_matrix | None = None,
) -> LocationResult:
    """Build a :class:`LocationResult` whose status, objective, bound and gap agree."""
    status = status or report.status
    if objective is None:
        gap = None
    else:
        gap = relative_gap(objective, bound)
        if status == OPTIMAL and gap is None:
            gap = 0.0
    restated = dataclasses.replace(
        report,
        status=status,
        objective=objective,
        best_bound=bound,
        mip_gap=gap,
        seconds=solve_seconds,
    )
    return LocationResult(
        model=model,
        status=status,
        objective=objective,
        best_bound=bound,
        gap=gap,
        facilities=np.asarray(facilities, dtype=np.int64),
        assignment=assignment,
        report=restated,
        build_seconds=build_seconds,
        solve_seconds=solve_seconds,
        iterations=iterations,
        allocation=allocation,
    )


def no_plan(
    model: str,
    report: SolveReport,
    *,
    points: int,
    coverage: bool,
    build_seconds: float,
    solve_seconds: float,
    status: str | None = None,
    iterations: int = 1,
) -> LocationResult:
    """The result of a run that ended without a plan (infeasible, or stopped before one).

    ``coverage``: the model's assignment is a covered flag per point (LSCP, MCLP) rather than a
    facility index.
    """
    return finish(
        model,
        report,
        objective=None,
        bound=None,
        facilities=np.zeros(0, dtype=np.int64),
        assignment=np.zeros(points, bool) if coverage else np.full(points, -1),
        build_seconds=build_seconds,
        solve_seconds=solve_seconds,
        status=status,
        iterations=iterations,
    )


class SingleSolveModel:
    """Base of the models solved by one MILP run (LSCP, MCLP, CFLP).

    Subclasses hold ``problem`` (the PuLP model), ``y`` (facility variables), ``costs`` and
    ``build``, and turn the open facilities into a result in :meth:`_plan`.
    """

    name: str
    #: Whether the assignment is a covered flag per point rather than a facility index.
    coverage: bool = False

    def solve(self, solver: SolverOptions | None = None) -> LocationResult:
        """Solve and return the plan (see :meth:`_plan` of each model for its assignment)."""
        options = options_or_default(solver)
        with deadline(options.time_limit):
            report = solve(self.problem, options)
        if not report.has_solution:
            return no_plan(
                self.name,
                report,
                points=self.costs.shape[0],
                coverage=self.coverage,
                build_seconds=self.build.seconds,
                solve_seconds=report.seconds,
            )
        return self._plan(report, values(self.y) > 0.5)

    def _plan(self, report: SolveReport, is_open: np.ndarray) -> LocationResult:
        raise NotImplementedError


def within_time(
    name: str,
    costs,
    solver: SolverOptions | None,
    build: Callable[[], object],
    *,
    coverage: bool = False,
) -> LocationResult:
    """Build a model with ``build()`` and solve it, building and solving on one clock: the
    solver's ``time_limit`` (building a PuLP model of millions of pairs takes longer than many
    a solve). A build the limit stops gives a ``not_solved`` result that says so."""
    options = options_or_default(solver)
    started = time.perf_counter()
    with deadline(options.time_limit):
        try:
            model = build()
        except DeadlineError:
            report = SolveReport(
                status=NOT_SOLVED,
                solver=options.name or "highs",
                seconds=0.0,
                message="time limit reached while building the model",
                time_limit_reached=True,
            )
            return no_plan(
                name,
                report,
                points=costs.shape[0],
                coverage=coverage,
                build_seconds=time.perf_counter() - started,
                solve_seconds=0.0,
            )
        return model.solve(options)


class Stopwatch:
    """Accumulates elapsed seconds over ``with`` blocks."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __enter__(self) -> Stopwatch:
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds += time.perf_counter() - self._start


def nearest_open(matrix: sp.csr_matrix, is_open: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distance to, and index of, the nearest open reachable facility per row (inf / -1)."""
    n = matrix.shape[0]
    rows = np.repeat(np.arange(n), np.diff(matrix.indptr))
    keep = is_open[matrix.indices]
    r, c, d = rows[keep], matrix.indices[keep], matrix.data[keep]
    dist = np.full(n, np.inf)
    which = np.full(n, -1, dtype=np.int64)
    if r.size:
        order = np.lexsort((c, d, r))  # per row by distance, ties to the lowest index
        r, c, d = r[order], c[order], d[order]
        first = np.flatnonzero(np.r_[True, r[1:] != r[:-1]])
        dist[r[first]] = d[first]
        which[r[first]] = c[first]
    return dist, which


def add_allocation(
    problem: pulp.LpProblem,
    pairs: sp.csr_matrix,
    y: Sequence[pulp.LpVariable],
    demand: np.ndarray,
    capacities: np.ndarray,
    single_source: bool,
) -> list[pulp.LpVariable]:
    """Add served-fraction variables ``x`` on the stored pairs of ``pairs`` and their rows.

    Rows: each point fully served (``sum_j x_ij = 1``); capacity
    ``sum_i q_i x_ij <= Q_j y_j`` for finite ``Q_j``; the aggregate ``sum_j Q_j y_j >= sum q``
    (valid, and it tightens the LP); and the strong linking ``x_ij <= y_j``, whose LP bound is
    far tighter than the capacity row's implicit ``sum_i x_ij <= n y_j``.

    Returns
    -------
    list of pulp.LpVariable
        ``x[k]`` belongs to the ``k``-th stored entry of ``pairs`` (CSR order).
    """
    n, m = pairs.shape
    nnz = pairs.nnz
    _check_capacity(pairs, demand, capacities, single_source, problem.name)
    cat = pulp.LpBinary if single_source else pulp.LpContinuous
    x = variables(problem, "x", nnz, high=1, cat=cat)
    k = np.arange(nnz)
    rows = np.repeat(np.arange(n), np.diff(pairs.indptr))
    facility = pairs.indices
    columns = x + list(y)
    add_rows(
        problem, sp.csr_matrix((np.ones(nnz), k, pairs.indptr), shape=(n, nnz)), x, EQ, 1.0, "serve"
    )
    finite = np.isfinite(capacities)
    if finite.any():
        cap = np.where(finite, capacities, 0.0)
        capacity = sp.csr_matrix(
            (
                np.r_[demand[rows], -cap],
                (np.r_[facility, np.arange(m)], np.r_[k, nnz + np.arange(m)]),
            ),
            shape=(m, nnz + m),
        )
        add_rows(problem, capacity[np.flatnonzero(finite)], columns, LE, 0.0, "capacity")
        total = np.where(finite, capacities, demand.sum())
        add_rows(
            problem,
            sp.csr_matrix((total, (np.zeros(m, int), nnz + np.arange(m))), shape=(1, nnz + m)),
            columns,
            GE,
            float(demand.sum()),
            "total_capacity",
        )
    link = sp.csr_matrix(
        (np.r_[np.ones(nnz), -np.ones(nnz)], (np.r_[k, k], np.r_[k, nnz + facility])),
        shape=(nnz, nnz + m),
    )
    add_rows(problem, link, columns, LE, 0.0, "link")
    return x


def _check_capacity(
    pairs: sp.csr_matrix,
    demand: np.ndarray,
    capacities: np.ndarray,
    single_source: bool,
    model: str,
) -> None:
    """Name the evident reasons why capacities cannot serve the demand, before solving."""
    n, m = pairs.shape
    reachable = np.zeros(m, dtype=bool)
    reachable[pairs.indices] = True
    total = float(capacities[reachable].sum())
    if total < demand.sum():
        raise ModelInfeasibleError(
            f"{model} infeasible: total demand {demand.sum():g} exceeds the capacity of every "
            f"facility any point can reach ({total:g})",
            [f"capacity short by {demand.sum() - total:g}"],
        )
    if single_source:
        rows = np.repeat(np.arange(n), np.diff(pairs.indptr))
        largest = np.zeros(n)
        np.maximum.at(largest, rows, capacities[pairs.indices])
        too_big = np.flatnonzero(demand > largest)
        if too_big.size:
            raise ModelInfeasibleError(
                f"{model} infeasible: {too_big.size} demand point(s) need more than any single "
                "facility they can reach holds (single sourcing)",
                [
                    f"demand point {i}: demand {demand[i]:g}, largest reachable capacity "
                    f"{largest[i]:g}"
                    for i in too_big[:20]
                ],
            )


def allocation_matrix(pairs: sp.csr_matrix, x: Sequence[pulp.LpVariable]) -> sp.csr_matrix:
    """Served fractions as a sparse matrix shaped like ``pairs``."""
    served = sp.csr_matrix(
        (values(x), pairs.indices.copy(), pairs.indptr.copy()), shape=pairs.shape
    )
    served.eliminate_zeros()
    return served
