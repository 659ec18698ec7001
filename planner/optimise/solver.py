"""Running a MILP solver on a PuLP problem and reporting what it really achieved.

PuLP reports a HiGHS or CBC run that stopped on its time limit with a feasible solution as
``"Optimal"``. Planners must never be told a plan is optimal when it is not, so this module reads
the solver's own status and bound: HiGHS through the ``highspy`` object PuLP keeps
(``problem.solverModel``), CBC from its log. Every model in ``planner`` is solved through
:func:`solve`.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import os
import re
import tempfile
import time
from dataclasses import asdict, dataclass, field

import numpy as np
import pulp

from planner import settings
from planner.errors import InputError, SolverError
from planner.optimise import interrupt
from planner.optimise.deadline import DeadlineError, seconds_left
from planner.optimise.highs_build import FastHiGHS

#: Status words used across planner: a plan's ``status`` is always one of these.
OPTIMAL = "optimal"
FEASIBLE = "feasible"  # a solution exists, optimality not proven (time or node limit): see gap
INFEASIBLE = "infeasible"
UNBOUNDED = "unbounded"
NOT_SOLVED = "not_solved"  # stopped before any feasible solution was found
ERROR = "error"


@dataclass(frozen=True)
class SolverOptions:
    """How to solve a model.

    Parameters
    ----------
    name
        ``"highs"`` (default where highspy is installed), ``"cbc"`` (ships with PuLP, the
        fallback), or the name of any solver PuLP knows (``pulp.listSolvers()``).
    time_limit
        Seconds after which the solver stops and reports its best plan and gap.
    mip_gap
        Relative gap at which the solver may stop and call the plan optimal
        (a plan within ``mip_gap`` of the best bound). ``None`` keeps the solver's default
        (1e-4 for HiGHS and CBC).
    threads
        Threads the solver may use; ``None`` lets it choose.
    msg
        Show the solver's log.
    cutoff
        Minimisation only: seek only solutions whose objective is below this value (the cost of
        a plan already known). The solver reports ``infeasible`` when there is none. Passed to
        HiGHS (``objective_bound``) and CBC (``cutoff``); other solvers ignore it.
    highs_options
        Further HiGHS options by name (``highspy`` option names), for models whose structure
        calls for them; other solvers ignore them.
    warm_start
        Start from the values set on the PuLP variables (``LpVariable.setInitialValue``), e.g.
        a heuristic plan. HiGHS and CBC.
    """

    name: str | None = None
    time_limit: float | None = None
    mip_gap: float | None = None
    threads: int | None = None
    msg: bool = False
    cutoff: float | None = None
    highs_options: dict = field(default_factory=dict)
    warm_start: bool = False

    def __post_init__(self) -> None:
        checks = (
            ("time_limit", self.time_limit, lambda v: v > 0, "> 0 seconds"),
            ("mip_gap", self.mip_gap, lambda v: 0 <= v < 1, "between 0 and 1 (a fraction)"),
            (
                "threads",
                self.threads,
                lambda v: v >= 1 and float(v).is_integer(),
                "an integer >= 1",
            ),
        )
        for key, value, ok, expected in checks:
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or not ok(value):
                raise InputError(
                    f"solver option {key} must be {expected}, got {value!r}",
                    field=f"solver.{key}",
                )

    @classmethod
    def from_settings(cls, section) -> SolverOptions:
        """The options of a scenario's ``[solver]`` section.

        ``section`` is a :class:`~planner.scenario.SolverSettings` (read by attribute, so that
        the solver does not depend on the scenario's module).
        """
        return cls(
            name=section.name,
            time_limit=section.time_limit,
            mip_gap=section.mip_gap,
            threads=section.threads,
            msg=section.msg,
        )


@dataclass
class SolveReport:
    """What a solver run achieved, in the solver's own words translated to planner's.

    ``status`` is one of ``optimal``, ``feasible`` (a plan exists but the run stopped before
    proving optimality: read ``mip_gap``), ``infeasible``, ``unbounded``, ``not_solved`` or
    ``error``. ``mip_gap`` is the relative gap between the plan's objective and the best bound
    (0 for a proven optimum, ``None`` when unknown). ``has_solution`` tells whether variable
    values can be read.
    """

    status: str
    solver: str
    seconds: float
    objective: float | None = None
    best_bound: float | None = None
    mip_gap: float | None = None
    message: str = ""
    time_limit_reached: bool = False

    @property
    def has_solution(self) -> bool:
        return self.status in (OPTIMAL, FEASIBLE)

    def to_dict(self) -> dict:
        return asdict(self)


def available_solvers() -> list[str]:
    """Names of the PuLP solvers that can run on this machine."""
    return pulp.listSolvers(onlyAvailable=True)


def default_solver_name() -> str:
    """``"highs"`` when highspy is installed, otherwise ``"cbc"``."""
    return "highs" if "HiGHS" in available_solvers() else "cbc"


def check_solver_installed(name: str | None) -> str:
    """PuLP's name for solver ``name`` (``None``: the default), raising unless it runs here.

    Raises
    ------
    InputError
        Field ``solver.name``: a name PuLP does not know, or a solver not installed here.
    """
    if name is None:
        name = default_solver_name()
    try:
        pulp_name = settings.known_solver_name(name)
    except ValueError as exc:
        raise InputError(str(exc), field="solver.name") from None
    if pulp_name not in available_solvers():
        raise InputError(
            f"solver {name!r} is not installed here; available: {', '.join(available_solvers())}",
            field="solver.name",
        )
    return pulp_name


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """Relative MIP gap ``|objective - bound| / max(|objective|, tiny)``, as HiGHS defines it."""
    if objective is None or bound is None or not math.isfinite(bound):
        return None
    denom = max(abs(objective), 1e-9)
    return abs(objective - bound) / denom


def configure_highs(h, options: SolverOptions, *, maximize: bool = False) -> None:
    """Set ``options`` on a ``highspy.Highs`` object, refusing any option HiGHS rejects.

    ``maximize``: the model is a maximisation, so a cutoff does not apply.
    """
    import highspy

    values = {
        "output_flag": bool(options.msg),
        "time_limit": options.time_limit,
        "mip_rel_gap": options.mip_gap,
        "threads": options.threads,
        "objective_bound": None if maximize else options.cutoff,
        **options.highs_options,
    }
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, np.generic):
            value = value.item()
        if h.setOptionValue(key, value) != highspy.HighsStatus.kOk:
            raise SolverError(f"HiGHS refused option {key} = {value!r}")


def _make_solver(pulp_name: str, options: SolverOptions, log_path: str | None):
    common = {"msg": options.msg, "timeLimit": options.time_limit}
    if pulp_name == "HiGHS":
        kwargs = dict(common, gapRel=options.mip_gap, threads=options.threads)
        kwargs.update(options.highs_options)
        if options.cutoff is not None:
            kwargs["objective_bound"] = float(options.cutoff)
        kwargs = {k: v for k, v in kwargs.items() if v is not None}
        return FastHiGHS(warm_start=options.warm_start, **kwargs)
    if pulp_name == "PULP_CBC_CMD":
        kwargs = dict(common, gapRel=options.mip_gap, threads=options.threads, logPath=log_path)
        if options.cutoff is not None:
            kwargs["options"] = [f"cutoff {float(options.cutoff)!r}"]
        if options.warm_start:
            kwargs["warmStart"] = True
        return pulp.PULP_CBC_CMD(**{k: v for k, v in kwargs.items() if v is not None})
    solver = pulp.getSolver(pulp_name, msg=options.msg)
    if options.time_limit is not None:
        solver.timeLimit = options.time_limit
    return solver


def report_from_highs(h, *, is_mip: bool, seconds: float, negated: bool = False) -> SolveReport:
    """Translate a finished ``highspy.Highs`` run into a :class:`SolveReport`.

    ``negated``: the model was passed with its costs negated (a maximisation given to HiGHS as a
    minimisation), so objective and bound change sign back.
    """
    import highspy

    status = h.getModelStatus()
    info = h.getInfo()
    s = highspy.HighsModelStatus
    has_primal = info.primal_solution_status == 2  # kSolutionStatusFeasible
    objective = float(info.objective_function_value) if has_primal else None
    bound = float(info.mip_dual_bound) if is_mip else objective
    message = h.modelStatusToString(status)
    limit_statuses = {
        s.kTimeLimit,
        s.kIterationLimit,
        s.kInterrupt,
        s.kSolutionLimit,
        s.kObjectiveBound,
        s.kObjectiveTarget,
    }
    gap = None
    if status == s.kOptimal:
        result = OPTIMAL
        gap = float(info.mip_gap) if is_mip and math.isfinite(info.mip_gap) else 0.0
    elif status in limit_statuses:
        result = FEASIBLE if has_primal else NOT_SOLVED
        if is_mip and has_primal and math.isfinite(info.mip_gap):
            gap = float(info.mip_gap)
    elif status == s.kInfeasible:
        result, objective = INFEASIBLE, None
    elif status == s.kUnbounded:
        result, objective = UNBOUNDED, None
    elif status == s.kUnboundedOrInfeasible:
        result, objective = INFEASIBLE, None
        message += " (HiGHS could not tell infeasible from unbounded)"
    else:
        result = ERROR
    if negated:
        objective = -objective if objective is not None else None
        bound = -bound if bound is not None else None
    return SolveReport(
        status=result,
        solver="highs",
        seconds=seconds,
        objective=objective,
        best_bound=bound,
        mip_gap=gap,
        # planner interrupts HiGHS only at its deadline (a SIGINT raises before any report)
        message="time limit reached" if status == s.kInterrupt else message,
        time_limit_reached=status in (s.kTimeLimit, s.kInterrupt),
    )


_CBC_RESULT = re.compile(r"^Result - (.+)$", re.MULTILINE)
_CBC_OBJECTIVE = re.compile(r"^Objective value:\s+(\S+)", re.MULTILINE)
_CBC_BOUND = re.compile(r"^Lower bound:\s+(\S+)", re.MULTILINE)
_CBC_GAP = re.compile(r"^Gap:\s+(\S+)", re.MULTILINE)


def _float_or_none(match: re.Match | None) -> float | None:
    if match is None:
        return None
    try:
        return float(match.group(1))
    except ValueError:
        return None


def _report_cbc(problem: pulp.LpProblem, log_text: str, seconds: float) -> SolveReport:
    result_line = _CBC_RESULT.search(log_text)
    result_text = result_line.group(1).strip() if result_line else ""
    objective = pulp.value(problem.objective)
    bound = _float_or_none(_CBC_BOUND.search(log_text))
    gap = _float_or_none(_CBC_GAP.search(log_text))
    sense = -1.0 if problem.sense == pulp.LpMaximize else 1.0
    if bound is not None:
        bound *= sense  # CBC minimises; its bound on a maximisation is negated
    pulp_status = problem.status
    sol_status = problem.sol_status
    time_limited = "time" in result_text.lower() or "stopped" in result_text.lower()
    if result_text.startswith("Optimal") or (
        not result_text and sol_status == pulp.LpSolutionOptimal
    ):
        status = OPTIMAL
        gap = 0.0 if gap is None else gap
        bound = objective if bound is None else bound
    elif "infeasible" in result_text.lower() or pulp_status == pulp.LpStatusInfeasible:
        status, objective = INFEASIBLE, None
    elif "unbounded" in result_text.lower() or pulp_status == pulp.LpStatusUnbounded:
        status, objective = UNBOUNDED, None
    elif sol_status == pulp.LpSolutionIntegerFeasible or (time_limited and objective is not None):
        status = FEASIBLE
        if gap is None:
            gap = relative_gap(objective, bound)
    elif time_limited:
        status, objective = NOT_SOLVED, None
    else:
        status = ERROR
    return SolveReport(
        status=status,
        solver="cbc",
        seconds=seconds,
        objective=objective,
        best_bound=bound,
        mip_gap=gap,
        message=result_text or pulp.LpStatus.get(pulp_status, "unknown"),
        time_limit_reached=time_limited,
    )


def _report_other(problem: pulp.LpProblem, name: str, seconds: float) -> SolveReport:
    # Other PuLP solvers: PuLP's sol_status is the best information available. A limit-stopped
    # run shows as LpSolutionIntegerFeasible, which must not be reported as optimal.
    sol = problem.sol_status
    objective = pulp.value(problem.objective)
    if sol == pulp.LpSolutionOptimal:
        status = OPTIMAL
    elif sol == pulp.LpSolutionIntegerFeasible:
        status = FEASIBLE
    elif sol == pulp.LpSolutionInfeasible:
        status, objective = INFEASIBLE, None
    elif sol == pulp.LpSolutionUnbounded:
        status, objective = UNBOUNDED, None
    else:
        status, objective = NOT_SOLVED, None
    return SolveReport(
        status=status,
        solver=name,
        seconds=seconds,
        objective=objective,
        mip_gap=0.0 if status == OPTIMAL else None,
        message=pulp.LpStatus.get(problem.status, "unknown"),
    )


def _out_of_time(pulp_name: str, when: str) -> SolveReport:
    """The report of a solve the shared deadline stopped before the solver ran."""
    return SolveReport(
        status=NOT_SOLVED,
        solver="highs" if pulp_name == "HiGHS" else pulp_name.lower(),
        seconds=0.0,
        message=f"time limit reached {when}",
        time_limit_reached=True,
    )


def solve(problem: pulp.LpProblem, options: SolverOptions | None = None) -> SolveReport:
    """Solve ``problem`` and report its true status, objective, bound and gap.

    Variable values are left in the PuLP variables (``var.varValue``) as usual.

    Parameters
    ----------
    problem
        The PuLP problem.
    options
        Solver name, time limit, gap and threads.

    Returns
    -------
    SolveReport
        ``status`` is ``optimal`` only when the solver proved optimality within its gap tolerance.
    """
    options = options or SolverOptions()
    pulp_name = check_solver_installed(options.name)
    left = seconds_left()
    if left is not None:
        if left <= 0.05:
            return _out_of_time(pulp_name, "before the solver started")
        limit = left if options.time_limit is None else min(options.time_limit, left)
        options = dataclasses.replace(options, time_limit=limit)
    log_path = None
    if pulp_name == "PULP_CBC_CMD":
        handle, log_path = tempfile.mkstemp(prefix="planner-cbc-", suffix=".log")
        os.close(handle)
    solver = _make_solver(pulp_name, options, log_path)
    started = time.perf_counter()
    try:
        problem.solve(solver)
    except pulp.PulpSolverError as exc:
        raise SolverError(f"{pulp_name} failed: {exc}") from exc
    except DeadlineError:
        return _out_of_time(pulp_name, "while the model was passed to the solver")
    except KeyboardInterrupt:
        if pulp_name != "HiGHS":
            interrupt.end_children()  # CBC (or another command-line solver) runs on otherwise
        if log_path is not None:
            os.unlink(log_path)
        raise
    finally:
        seconds = time.perf_counter() - started
    if pulp_name == "HiGHS":
        return report_from_highs(
            problem.solverModel,
            is_mip=any(v.cat == pulp.LpInteger for v in problem.variables()),
            seconds=seconds,
            negated=problem.sense == pulp.LpMaximize,
        )
    if pulp_name == "PULP_CBC_CMD":
        try:
            with open(log_path, encoding="utf-8", errors="replace") as fh:
                log_text = fh.read()
        finally:
            os.unlink(log_path)
        return _report_cbc(problem, log_text, seconds)
    return _report_other(problem, pulp_name, seconds)
