"""A mixed-integer programme held as sparse arrays, solved by HiGHS directly or by any PuLP solver.

Location models have one assignment variable per reachable demand-site pair: millions at LSOA
scale. Creating a Python object per variable and per coefficient (as PuLP does) costs over a
minute and gigabytes there, so planner's models are assembled here as blocks of columns and
rows given by numpy index arrays (built vectorised, never in a loop over pairs). The same
model is then

* passed to HiGHS in one call (``highspy.Highs.passModel``), the default and fastest path, or
* turned into a :class:`pulp.LpProblem` by :meth:`SparseMILP.to_pulp` for CBC or any other PuLP
  solver (and for inspecting or extending the model with PuLP).

Either way :mod:`planner.optimise.solver` rules apply: the status and gap reported are the
solver's own, never PuLP's "Optimal" for a time-limited run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field, replace

import numpy as np
import pulp
import scipy.sparse as sp

from planner.optimise.highs_build import new_highs
from planner.optimise.interrupt import run_highs
from planner.optimise.progress import SolveTicker
from planner.optimise.solver import (
    SolveReport,
    SolverOptions,
    configure_highs,
    default_solver_name,
    report_from_highs,
    solve,
)

INF = float("inf")


@dataclass
class _Block:
    start: int
    stop: int

    @property
    def size(self) -> int:
        return self.stop - self.start

    def index(self, local: np.ndarray | int | None = None) -> np.ndarray:
        if local is None:
            return np.arange(self.start, self.stop)
        return self.start + np.asarray(local)


@dataclass
class SparseMILP:
    """A MILP ``min/max c'x  s.t.  row_lower <= A x <= row_upper,  lower <= x <= upper``.

    Columns and rows are added in named blocks; :meth:`add_columns` returns the global column
    indices of a block, :meth:`add_rows` takes coefficients as (local row, global column,
    value) triplets.
    """

    name: str = "model"
    maximize: bool = False
    _cost: list = field(default_factory=list)
    _lower: list = field(default_factory=list)
    _upper: list = field(default_factory=list)
    _integer: list = field(default_factory=list)
    _row_lower: list = field(default_factory=list)
    _row_upper: list = field(default_factory=list)
    _rows: list = field(default_factory=list)
    _cols: list = field(default_factory=list)
    _vals: list = field(default_factory=list)
    columns: dict[str, _Block] = field(default_factory=dict)
    rows: dict[str, _Block] = field(default_factory=dict)
    num_cols: int = 0
    num_rows: int = 0
    offset: float = 0.0

    # -- building ---------------------------------------------------------------------------
    def add_columns(
        self,
        name: str,
        count: int,
        *,
        cost: float | np.ndarray = 0.0,
        lower: float | np.ndarray = 0.0,
        upper: float | np.ndarray = INF,
        integer: bool = False,
    ) -> np.ndarray:
        """Add ``count`` columns; return their global indices."""
        if name in self.columns:
            raise ValueError(f"column block {name!r} exists")
        self.columns[name] = _Block(self.num_cols, self.num_cols + count)
        self._cost.append(np.broadcast_to(np.asarray(cost, float), (count,)).copy())
        self._lower.append(np.broadcast_to(np.asarray(lower, float), (count,)).copy())
        self._upper.append(np.broadcast_to(np.asarray(upper, float), (count,)).copy())
        self._integer.append(np.full(count, integer, dtype=bool))
        self.num_cols += count
        return self.columns[name].index()

    def add_rows(
        self,
        name: str,
        count: int,
        rows: np.ndarray,
        cols: np.ndarray,
        vals: np.ndarray | float,
        *,
        lower: float | np.ndarray = -INF,
        upper: float | np.ndarray = INF,
    ) -> np.ndarray:
        """Add ``count`` rows with coefficients at (local ``rows``, global ``cols``)."""
        if name in self.rows:
            raise ValueError(f"row block {name!r} exists")
        rows = np.asarray(rows, dtype=np.int64)
        cols = np.asarray(cols, dtype=np.int64)
        vals = np.broadcast_to(np.asarray(vals, float), rows.shape)
        if rows.size and (rows.min() < 0 or rows.max() >= count):
            raise ValueError(f"row block {name!r}: local row index out of range")
        if cols.size and (cols.min() < 0 or cols.max() >= self.num_cols):
            raise ValueError(f"row block {name!r}: column index out of range")
        self.rows[name] = _Block(self.num_rows, self.num_rows + count)
        self._rows.append(rows + self.num_rows)
        self._cols.append(cols)
        self._vals.append(np.array(vals, float))
        self._row_lower.append(np.broadcast_to(np.asarray(lower, float), (count,)).copy())
        self._row_upper.append(np.broadcast_to(np.asarray(upper, float), (count,)).copy())
        self.num_rows += count
        return self.rows[name].index()

    def append(self, other: SparseMILP, suffix: str, cost_scale: float = 1.0) -> tuple[int, int]:
        """Add ``other``'s columns and rows beside this model's, its blocks named with
        ``suffix``, its costs times ``cost_scale`` (a block-diagonal model, e.g. one block per
        future of a robust plan). Returns the offsets of its first column and first row."""
        cols, rows = self.num_cols, self.num_rows
        for name, b in other.columns.items():
            self.columns[f"{name}{suffix}"] = _Block(b.start + cols, b.stop + cols)
        for name, b in other.rows.items():
            self.rows[f"{name}{suffix}"] = _Block(b.start + rows, b.stop + rows)
        self._cost.append(other.cost * cost_scale)
        self._lower.append(other.lower)
        self._upper.append(other.upper)
        self._integer.append(other.integer)
        self._row_lower.append(other.row_lower)
        self._row_upper.append(other.row_upper)
        self._rows.extend(r + rows for r in other._rows)
        self._cols.extend(c + cols for c in other._cols)
        self._vals.extend(v.copy() for v in other._vals)
        self.num_cols += other.num_cols
        self.num_rows += other.num_rows
        self.offset += other.offset * cost_scale
        return cols, rows

    def with_upper(self, upper: np.ndarray) -> SparseMILP:
        """The same model with the column upper bounds ``upper`` (e.g. some columns fixed at 0);
        this model is not changed."""
        return replace(self, _upper=[np.asarray(upper, float)])

    def add_cost(self, cols: np.ndarray, values: np.ndarray | float) -> None:
        """Add ``values`` to the objective coefficients of ``cols`` (duplicates add up)."""
        cost = self.cost
        np.add.at(cost, np.asarray(cols, dtype=np.int64), values)
        self._cost = [cost]

    # -- arrays -------------------------------------------------------------------------------
    @property
    def cost(self) -> np.ndarray:
        return np.concatenate(self._cost) if self._cost else np.zeros(0)

    @property
    def lower(self) -> np.ndarray:
        return np.concatenate(self._lower) if self._lower else np.zeros(0)

    @property
    def upper(self) -> np.ndarray:
        return np.concatenate(self._upper) if self._upper else np.zeros(0)

    @property
    def integer(self) -> np.ndarray:
        return np.concatenate(self._integer) if self._integer else np.zeros(0, bool)

    @property
    def row_lower(self) -> np.ndarray:
        return np.concatenate(self._row_lower) if self._row_lower else np.zeros(0)

    @property
    def row_upper(self) -> np.ndarray:
        return np.concatenate(self._row_upper) if self._row_upper else np.zeros(0)

    def matrix(self) -> sp.csc_matrix:
        """The constraint matrix (duplicate entries summed)."""
        if not self._rows:
            return sp.csc_matrix((self.num_rows, self.num_cols))
        return sp.csc_matrix(
            (np.concatenate(self._vals), (np.concatenate(self._rows), np.concatenate(self._cols))),
            shape=(self.num_rows, self.num_cols),
        )

    @property
    def nonzeros(self) -> int:
        return int(sum(v.size for v in self._vals))

    @property
    def num_integer(self) -> int:
        return int(self.integer.sum())

    def value(self, solution: np.ndarray, block: str) -> np.ndarray:
        """The solution values of a column block."""
        b = self.columns[block]
        return solution[b.start : b.stop]

    def objective_value(self, solution: np.ndarray) -> float:
        return float(self.cost @ solution + self.offset)

    # -- solving ------------------------------------------------------------------------------
    def to_highs(self):
        """A ``highspy.Highs`` object holding this model."""
        import highspy

        a = self.matrix()
        a.sort_indices()
        lp = highspy.HighsLp()
        lp.num_col_ = self.num_cols
        lp.num_row_ = self.num_rows
        lp.col_cost_ = self.cost
        lp.col_lower_ = self.lower
        lp.col_upper_ = self.upper
        lp.row_lower_ = self.row_lower
        lp.row_upper_ = self.row_upper
        lp.offset_ = self.offset
        lp.sense_ = highspy.ObjSense.kMaximize if self.maximize else highspy.ObjSense.kMinimize
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = a.indptr.astype(np.int32)
        lp.a_matrix_.index_ = a.indices.astype(np.int32)
        lp.a_matrix_.value_ = a.data
        if self.integer.any():
            lp.integrality_ = np.where(
                self.integer, highspy.HighsVarType.kInteger, highspy.HighsVarType.kContinuous
            ).tolist()
        h = new_highs()
        h.passModel(lp)
        return h

    def to_pulp(self) -> tuple[pulp.LpProblem, list[pulp.LpVariable]]:
        """The same model as a PuLP problem, and its variables in column order."""
        prob = pulp.LpProblem(self.name, pulp.LpMaximize if self.maximize else pulp.LpMinimize)
        lower, upper, integer, cost = self.lower, self.upper, self.integer, self.cost
        names = np.empty(self.num_cols, dtype=object)
        for block, b in self.columns.items():
            names[b.start : b.stop] = [f"{block}_{k}" for k in range(b.size)]
        variables = [
            prob.add_variable(
                names[k],
                None if lower[k] == -INF else float(lower[k]),
                None if upper[k] == INF else float(upper[k]),
                cat="Integer" if integer[k] else "Continuous",
            )
            for k in range(self.num_cols)
        ]
        nz = np.flatnonzero(cost)
        objective = pulp.LpAffineExpression([(variables[k], float(cost[k])) for k in nz])
        objective.constant = self.offset
        prob.setObjective(objective)
        a = self.matrix().tocsr()
        a.sum_duplicates()
        row_lower, row_upper = self.row_lower, self.row_upper
        row_names = np.empty(self.num_rows, dtype=object)
        for block, b in self.rows.items():
            row_names[b.start : b.stop] = [f"{block}_{k}" for k in range(b.size)]
        for r in range(self.num_rows):
            lo, hi = row_lower[r], row_upper[r]
            cols = a.indices[a.indptr[r] : a.indptr[r + 1]]
            vals = a.data[a.indptr[r] : a.indptr[r + 1]]
            expr = pulp.LpAffineExpression(
                [(variables[c], float(v)) for c, v in zip(cols, vals, strict=True)]
            )
            if lo == hi:
                prob.addConstraint(
                    pulp.LpConstraint(expr, pulp.LpConstraintEQ, row_names[r], float(lo))
                )
                continue
            if lo != -INF:
                prob.addConstraint(
                    pulp.LpConstraint(expr, pulp.LpConstraintGE, f"{row_names[r]}_lo", float(lo))
                )
            if hi != INF:
                prob.addConstraint(
                    pulp.LpConstraint(expr, pulp.LpConstraintLE, f"{row_names[r]}_hi", float(hi))
                )
        return prob, variables

    def solve(
        self,
        options: SolverOptions | None = None,
        start: np.ndarray | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> tuple[SolveReport, np.ndarray | None]:
        """Solve; return the report and the column values (``None`` without a solution).

        ``start`` is a feasible plan's column values for HiGHS to start from (other solvers
        ignore it); the report is the solver's own either way. ``progress``, when given, is
        called with a line every few seconds while the solver runs and, with HiGHS, on each
        better plan (:class:`~planner.optimise.progress.SolveTicker`).
        """
        options = options or SolverOptions()
        name = (options.name or default_solver_name()).lower()
        ticker = (
            SolveTicker(progress, time_limit=options.time_limit)
            if progress is not None
            else nullcontext()
        )
        if name == "highs":
            h = self.to_highs()
            configure_highs(h, options, maximize=self.maximize)
            if start is not None:
                import highspy

                given = highspy.HighsSolution()
                given.col_value = np.asarray(start, float).tolist()
                given.value_valid = True
                h.setSolution(given)
            started = time.perf_counter()
            with ticker:
                if progress is not None and not self.maximize and self.integer.any():
                    ticker.watch(h)
                run_highs(h)
            report = report_from_highs(
                h, is_mip=bool(self.integer.any()), seconds=time.perf_counter() - started
            )
            values = np.asarray(h.getSolution().col_value) if report.has_solution else None
            return report, values
        prob, variables = self.to_pulp()
        with ticker:
            report = solve(prob, options)
        if not report.has_solution:
            return report, None
        return report, np.fromiter((v.varValue or 0.0 for v in variables), float, len(variables))
