"""The scanner network model: which sites, how many static scanners, how many mobile days.

One mixed-integer programme answers the planner's question: given demand and the sites
that could host a scanner, how many static scanners and mobile-unit days at which sites, so that
patients travel little, scanners are well used and the yearly cost is as low as the access
target allows.

Sets and data
    zones i (scans a year d_i, population p_i); sites j (existing or candidate); pairs (i, j)
    with travel time t_ij <= the scenario's maximum (sparse; no other pair exists in the model).
Variables
    n_j   static scanners at j (integer; bounds from the existing-site policy)
    N     static scanners in the network (integer): sum_j n_j <= N; carries their cost
    y_j   1 if j has a static scanner (binary)
    m_j   mobile-unit days a week at j (integer, 0..mobile_max_days_per_site)
    v_j   1 if j is open at all (binary): y_j <= v_j, m_j <= M v_j
    U     mobile units in the fleet (integer): sum_j m_j <= days_per_unit * U
    x_ij  scans a year from zone i served at j (continuous, >= 0)
    u_i   scans a year of zone i left unmet (continuous, >= 0)
    a_i   share of zone i's population within the access time of a static scanner, in [0, 1]
Constraints
    demand     sum_j x_ij + u_i = d_i
    capacity   sum_i x_ij <= F n_j + D m_j   (F scans/year a scanner, D scans/year a weekly day)
    access     a_i <= sum_{j: t_ij <= T_access} y_j ;  sum_i p_i a_i >= share * sum_i p_i
    limits     min_sites <= sum_j v_j <= max_sites, sum_j n_j <= max_scanners,
               yearly cost <= budget
Objective (pounds a year)
    scanners (annualised capital + operating) + new static sites (annualised installation)
    + open sites + mobile days + mobile units + travel (cost per minute x minutes x scans)
    + penalty x unmet scans.

Where each part is built
    core rows of a planning year: :mod:`planner.network.core`; access target, limits, existing
    sites, FDG reach, hubs, backup coverage, phasing: :mod:`planner.network.extensions` (one
    module each); the plan: :mod:`planner.network.solution`; why it is infeasible:
    :mod:`planner.network.diagnosis`.

The model is assembled as sparse arrays (:class:`planner.optimise.milp.SparseMILP`): HiGHS
receives it in one call, and :meth:`SparseMILP.to_pulp` gives the same model as a PuLP problem
for CBC or any other PuLP solver.

Unmet demand is a penalised slack, so demand never makes the model infeasible; the plan shows
where it cannot be met. Only the access target and the limits can; then :meth:`NetworkModel.solve`
tells which by re-solving with each relaxed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import pandas as pd

from planner.data.travel import TravelMatrix
from planner.defaults import DECOMPOSE_PAIRS
from planner.errors import InputError, ModelInfeasibleError, SolverError
from planner.network import diagnosis
from planner.network.context import ModelContext
from planner.network.core import Period, add_period
from planner.network.decomposition import Decomposition
from planner.network.extensions import active_extensions
from planner.network.inputs import NetworkInputs
from planner.network.solution import plan_from_solution
from planner.network.warm_start import first_plan
from planner.optimise.milp import SparseMILP
from planner.optimise.progress import SolveTicker
from planner.optimise.solver import INFEASIBLE, NOT_SOLVED, SolverOptions, default_solver_name
from planner.plan import Plan
from planner.scenario import Scenario

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


@dataclass
class ModelSize:
    """Counts describing a built model."""

    zones: int
    sites: int
    pairs: int
    variables: int
    integer_variables: int
    constraints: int
    nonzeros: int

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


class NetworkModel:
    """The PET-CT network model for one scenario.

    Build one with :meth:`from_scenario` (data as the scenario file says) or
    :meth:`from_tables` (tables already in memory), then call :meth:`solve`.

    Parameters
    ----------
    inputs
        Demand zones, sites and travel times.
    scenario
        Parameters: capacity, costs, access target, limits, existing-site policy, solver.
    relax
        Keys of constraint groups to leave out (used to diagnose infeasibility; see
        :func:`planner.network.diagnosis.relaxable_groups`).

    Attributes
    ----------
    problem
        The built model (after :meth:`build`).
    solution
        Its column values (after a :meth:`solve` that found a plan).
    """

    def __init__(
        self, inputs: NetworkInputs, scenario: Scenario, *, relax: frozenset[str] = frozenset()
    ) -> None:
        self.inputs = inputs.with_reach(scenario)
        self.scenario = scenario
        self.relax = frozenset(relax)
        self.context = ModelContext(self.inputs, scenario, active_extensions(scenario), self.relax)
        self.problem: SparseMILP | None = None
        self.solution = None
        self.size: ModelSize | None = None
        self.build_seconds: float | None = None
        self.decomposition: Decomposition | None = None
        self._periods: list[Period] = []
        self._states: dict[str, object] = {}
        #: Whether an infeasible solve diagnoses its causes (off for the diagnosis's own
        #: relaxed solves, which only report what they give).
        self.diagnose = True

    # -- constructors -----------------------------------------------------------------------
    @classmethod
    def from_scenario(cls, scenario: Scenario, progress: Progress = _quiet) -> NetworkModel:
        """Load the scenario's data, compute demand and travel times."""
        started = time.perf_counter()
        inputs = NetworkInputs.from_scenario(scenario)
        progress(
            f"inputs: {len(inputs.zones):,} demand zones, {len(inputs.sites):,} sites, "
            f"{len(inputs.travel):,} zone-site pairs within {scenario.travel.max_minutes:g} min "
            f"({time.perf_counter() - started:.1f} s)"
        )
        return cls(inputs, scenario)

    @classmethod
    def from_tables(
        cls,
        zones: pd.DataFrame,
        sites: pd.DataFrame,
        travel: TravelMatrix,
        scenario: Scenario,
        region_names: dict[str, str] | None = None,
        *,
        hubs: pd.DataFrame | None = None,
        suppliers: pd.DataFrame | None = None,
    ) -> NetworkModel:
        """Build from tables in memory (see :meth:`NetworkInputs.from_tables`)."""
        inputs = NetworkInputs.from_tables(
            zones, sites, travel, scenario, region_names, hubs=hubs, suppliers=suppliers
        )
        return cls(inputs, scenario)

    def unit_costs(self) -> dict[str, float]:
        """Yearly cost of each decision, in pounds (:func:`planner.network.context.unit_costs`)."""
        return dict(self.context.costs)

    # -- building ---------------------------------------------------------------------------
    def build(self) -> SparseMILP:
        """Build the model as sparse arrays (one assignment column per reachable pair and year).

        The core rows of each planning year come first, each extension's rows of that year
        after them; then the extensions' rows for the whole network. Every block is assembled
        from index arrays; no Python loop runs over pairs.
        """
        started = time.perf_counter()
        model, periods, states = self.assemble()
        self.problem, self._periods, self._states = model, periods, states
        self.size = self._size_of(model)
        self.build_seconds = time.perf_counter() - started
        return model

    def _size_of(self, model: SparseMILP) -> ModelSize:
        return ModelSize(
            zones=len(self.inputs.zones),
            sites=len(self.inputs.sites),
            pairs=len(self.inputs.travel),
            variables=model.num_cols,
            integer_variables=model.num_integer,
            constraints=model.num_rows,
            nonzeros=model.nonzeros,
        )

    def assemble(self, *, assignment: bool = True) -> tuple[SparseMILP, list[Period], dict]:
        """The model, its planning years' columns and the extensions' states, not stored.

        Without ``assignment`` the model leaves out the assignment block (x, u, demand and
        capacity rows): the master problem of :mod:`planner.network.decomposition`.
        """
        context, s = self.context, self.scenario
        model = SparseMILP(name=f"pet_ct_network_{_safe(s.name)}")
        years = context.planning_years()
        horizon_scans = self.inputs.zones["scans"].to_numpy(float)
        growth = 1.0 + s.demand.annual_growth
        periods = []
        for t, (year, weight) in enumerate(zip(years, context.period_weights(), strict=True)):
            scans = horizon_scans * growth ** (year - s.demand.horizon_years)
            tag = "" if len(years) == 1 else f"_t{t}"
            period = add_period(model, context, year, scans, weight, tag, assignment=assignment)
            for ext in context.extensions:
                ext.add_period(model, context, period)
            periods.append(period)
        states = {ext.name: ext.add_network(model, context, periods) for ext in context.extensions}
        return model, periods, states

    # -- solving ------------------------------------------------------------------------------
    def check(self) -> None:
        """What no plan can meet, found before building: each extension's checks.

        Raises
        ------
        ModelInfeasibleError
            Naming the sites or regions concerned.
        """
        for ext in self.context.extensions:
            ext.check(self.context)

    @property
    def periods(self) -> list[Period]:
        """The planning years' column indices of the built model (empty before :meth:`build`)."""
        return self._periods

    def solve(
        self,
        options: SolverOptions | None = None,
        progress: Progress = _quiet,
        detail: Progress = _quiet,
        neighbour: pd.DataFrame | None = None,
    ) -> Plan:
        """Solve and return the plan; its summary carries the solver's true status and gap.

        ``progress`` is called with a line at each step and, while the solver runs, every few
        seconds and on each better plan; ``detail`` with the model's size, the warm start and
        the solver's own figures (``planner run --verbose``). ``neighbour``, the sites table of
        a plan of a similar scenario (a sweep's previous run), is tried first as the warm start
        (:func:`planner.network.warm_start.from_neighbour`); the one MILP only.

        Raises
        ------
        ModelInfeasibleError
            When the access target or a limit cannot be met; the error lists which.
        SolverError
            When the solver stopped without any plan.
        """
        options = options or SolverOptions.from_settings(self.scenario.solver)
        self.check()
        if self.method(options) == "decomposition":
            return self._solve_by_decomposition(options, progress, detail)
        if self.problem is None:
            progress("building the model ...")
            self.build()
            sz = self.size
            detail(
                f"model: {sz.variables:,} variables ({sz.integer_variables:,} integer), "
                f"{sz.constraints:,} constraints, {sz.nonzeros:,} nonzeros "
                f"({self.build_seconds:.1f} s)"
            )
        start = first_plan(self, options, neighbour, detail)
        if start is not None and options.time_limit:
            left = round(max(options.time_limit - start.seconds, 1.0), 1)
            options = replace(options, time_limit=left)
        progress(
            f"solving with {options.name or 'the default solver'}"
            + (f" (time limit {options.time_limit:g} s)" if options.time_limit else "")
            + " ..."
        )
        report, self.solution = self.problem.solve(
            options, start=None if start is None else start.solution, progress=progress
        )
        self._check_report(report, options, progress, detail, "the solver")
        plan = plan_from_solution(
            self.context,
            self._periods,
            self.solution,
            report,
            self._states,
            self.size.as_dict() if self.size else None,
            self.build_seconds,
        )
        plan.summary["warm_start"] = None if start is None else start.as_dict()
        return plan

    def method(self, options: SolverOptions) -> str:
        """``"full"`` (one MILP) or ``"decomposition"``, as ``solver.method`` says.

        Raises
        ------
        InputError
            ``solver.method = "decomposition"`` with a solver other than HiGHS.
        """
        chosen = self.scenario.solver.method
        highs = (options.name or default_solver_name()).lower() == "highs"
        if chosen == "decomposition" and not highs:
            raise InputError(
                f'solver.method = "decomposition" solves with HiGHS, not {options.name!r}: '
                'set solver.name = "highs", or solver.method = "full" to solve the one '
                "MILP with this solver",
                field="solver.method",
            )
        pairs = len(self.inputs.travel) * len(self.context.planning_years())
        if chosen == "auto":
            return "decomposition" if highs and pairs >= DECOMPOSE_PAIRS else "full"
        return chosen

    def _solve_by_decomposition(
        self, options: SolverOptions, progress: Progress, detail: Progress
    ) -> Plan:
        started = time.perf_counter()
        ticker = SolveTicker(progress, time_limit=options.time_limit)
        decomposition = Decomposition(self, options, on_round=_round_reporter(ticker, detail))
        self.decomposition = decomposition
        self.build_seconds = time.perf_counter() - started
        master = decomposition.master_problem()
        self.size = self._size_of(master)
        progress(
            "solving by decomposition"
            + (f" (time limit {options.time_limit:g} s)" if options.time_limit else "")
            + " ..."
        )
        detail(
            f"decomposition: master {master.num_cols:,} variables "
            f"({master.num_integer:,} integer), {master.num_rows:,} constraints; "
            f"{len(self.inputs.travel):,} zone-site pairs priced in by the assignment LPs"
        )
        with ticker:
            result = decomposition.solve()
        report = result.report
        self._check_report(report, options, progress, detail, "the decomposition")
        self._periods, self._states, self.solution = (
            decomposition.periods,
            decomposition.states,
            result.solution,
        )
        final = result.assignments[-1]
        plan = plan_from_solution(
            self.context,
            self._periods,
            result.solution,
            report,
            self._states,
            {**self.size.as_dict(), "method": "decomposition"},
            self.build_seconds,
            assignment=(final.flows, final.unmet),
        )
        plan.summary["warm_start"] = None
        plan.summary["decomposition"] = [r.__dict__ | {"gap": r.gap} for r in result.rounds]
        return plan

    def _check_report(
        self, report, options, progress: Progress, detail: Progress, who: str
    ) -> None:
        """Print the solve's outcome; raise when it has no plan (naming the constraints that
        make the model infeasible, when that is why)."""
        gap = "" if report.mip_gap is None else f", gap {report.mip_gap:.3%}"
        progress(f"solved: {report.status}{gap} ({report.seconds:.1f} s)")
        detail(f"solver: {report.solver}, {report.message}")
        if report.status == INFEASIBLE:
            raise ModelInfeasibleError(
                "no plan meets every constraint",
                self.diagnose_infeasibility(options) if self.diagnose else [],
            )
        if not report.has_solution:
            # A solver error (out of memory, say) is not cured by more time.
            advice = (
                "raise solver.time_limit or check the scenario's limits"
                if report.status == NOT_SOLVED
                else "the solver's message says why"
            )
            raise SolverError(
                f"{who} stopped without a plan: {report.status} ({report.message}); {advice}"
            )

    def diagnose_infeasibility(self, options: SolverOptions) -> list[str]:
        """Which constraint groups, relaxed one at a time, make the model feasible, and what
        the plan without each gives (:func:`planner.network.diagnosis.diagnose_model`)."""
        return diagnosis.diagnose_model(self, options)


def _round_reporter(ticker: SolveTicker, detail: Progress) -> Callable:
    """What a decomposition round says: its figures in detail, the best plan in progress."""

    def on_round(r) -> None:
        detail(r.describe())
        ticker.found(r.plan, r.bound, f"decomposition round {r.number} done")

    return on_round


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in name)[:40]
