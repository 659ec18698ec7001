"""Handing PuLP models to HiGHS: fast, quiet, and on the shared clock.

:class:`FastHiGHS` is PuLP's HiGHS interface with the model passed as whole arrays, the
shared deadline (:mod:`planner.optimise.deadline`) checked while passing it and taken off the
solver's time, and each run stoppable by SIGINT (:mod:`planner.optimise.interrupt`).
:func:`new_highs` makes the ``highspy.Highs`` objects planner fills itself.
"""

from __future__ import annotations

import os
import sys

import numpy as np
import pulp

from planner.optimise import interrupt
from planner.optimise.deadline import check_deadline, seconds_left

_banner_printed = False


def _print_banner(msg: bool) -> None:
    """Have HiGHS print its banner, to stdout only when ``msg``.

    HiGHS prints ``Running HiGHS ... Copyright ...`` to the process's stdout when the first
    ``Highs`` object of a process is made, before any option can turn output off; with ``msg``
    false that first one is made with stdout pointed at ``/dev/null``.
    """
    global _banner_printed
    if _banner_printed:
        return
    import highspy

    _banner_printed = True
    if msg:
        highspy.Highs()
        return
    sys.stdout.flush()
    saved, devnull = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def new_highs(msg: bool = False):
    """A ``highspy.Highs`` with its output off (on with ``msg``), the banner included."""
    import highspy

    _print_banner(msg)
    h = highspy.Highs()
    h.setOptionValue("output_flag", bool(msg))
    return h


class FastHiGHS(pulp.HiGHS):
    """PuLP's HiGHS interface, passing the model to highspy as whole arrays.

    PuLP's own ``buildSolverModel`` calls ``addCol`` and ``addRow`` once per variable and per
    constraint; on a model with a million assignment variables that dominates the run. This
    passes the same columns and rows in two vectorised calls; everything else (options, reading
    the solution back into the PuLP variables) is PuLP's.
    """

    def __init__(self, *, warm_start: bool = False, **options) -> None:
        super().__init__(**options)
        self.warm_start = warm_start

    def createAndConfigureSolver(self, lp):  # noqa: N802 - PuLP's name
        _print_banner(bool(self.msg))
        super().createAndConfigureSolver(lp)

    def callSolver(self, lp):  # noqa: N802 - PuLP's name
        left = seconds_left()
        if left is not None:  # what passing the model took comes off the solver's time
            lp.solverModel.setOptionValue("time_limit", max(left, 0.01))
        interrupt.run_highs(lp.solverModel, None if left is None else max(left, 0.01))

    def buildSolverModel(self, lp):  # noqa: N802 - PuLP's name
        import highspy

        inf = highspy.kHighsInf
        sense = -1.0 if lp.sense == pulp.LpMaximize else 1.0
        variables = lp.variables()
        n = len(variables)
        for i, var in enumerate(variables):
            var.index = i
        objective = lp.objective
        cost = np.fromiter((sense * objective.get(v, 0.0) for v in variables), float, n)
        lower = np.fromiter(
            (-inf if v.lowBound is None else v.lowBound for v in variables), float, n
        )
        upper = np.fromiter((inf if v.upBound is None else v.upBound for v in variables), float, n)
        empty_i = np.zeros(0, dtype=np.int32)
        empty_f = np.zeros(0, dtype=float)
        self_model = lp.solverModel
        self_model.addCols(n, cost, lower, upper, 0, empty_i, empty_i, empty_f)
        if self.mip:
            integer = np.fromiter(
                (i for i, v in enumerate(variables) if v.cat == pulp.LpInteger), np.int32
            )
            if integer.size:
                kinds = np.full(integer.size, highspy.HighsVarType.kInteger)
                self_model.changeColsIntegrality(integer.size, integer, kinds)

        constraints = list(lp._constraints.values())
        m = len(constraints)
        starts = np.zeros(m, dtype=np.int32)
        row_lower = np.empty(m)
        row_upper = np.empty(m)
        indices: list[int] = []
        values: list[float] = []
        for r, constraint in enumerate(constraints):
            if r % 500 == 0:
                check_deadline()  # passing a million terms one by one takes seconds
            constraint.index = r
            starts[r] = len(indices)
            for var, coefficient in constraint.items():
                if coefficient != 0:
                    indices.append(var.index)
                    values.append(coefficient)
            lb = constraint.getLb()
            ub = constraint.getUb()
            row_lower[r] = -inf if lb is None else lb
            row_upper[r] = inf if ub is None else ub
        if m:
            self_model.addRows(
                m,
                row_lower,
                row_upper,
                len(indices),
                starts,
                np.asarray(indices, dtype=np.int32),
                np.asarray(values, dtype=float),
            )
        if objective.constant:
            self_model.changeObjectiveOffset(sense * objective.constant)
        if self.warm_start:
            start = highspy.HighsSolution()
            start.col_value = [v.varValue or 0.0 for v in variables]
            start.value_valid = True
            self_model.setSolution(start)
