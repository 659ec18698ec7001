"""p-median: open ``p`` facilities minimising the weighted distance of demand to its nearest one.

Method
------
An exact solve in four stages, each exact in what it concludes:

1. **Incumbent.** Greedy addition then best-improvement interchange
   (:mod:`~planner.classic.pmedian_heuristic`), improved again from the plans the Lagrangian
   relaxation proposes while it is optimised.
2. **Bound and reduction.** The Lagrangian bound (:mod:`~planner.classic.pmedian_lagrangian`)
   reaches the LP bound in a fraction of the LP's time. When it meets the incumbent's cost the
   incumbent is proven optimal; otherwise reduced-cost tests close every facility that no
   better plan can open.
3. **Branch and bound.** A depth-first search on the Lagrangian
   (:mod:`~planner.classic.pmedian_tree`) over the facilities left closes the LP's integrality
   gap with nodes that cost a few dozen subgradient steps each.
4. **MILP.** Only when the search runs out of nodes (:data:`TREE_NODES`) or of its share of a
   time limit: probing closes more facilities, then the radius formulation
   (:mod:`~planner.classic.radius`) over the facilities left is solved with the incumbent's
   cost as a cutoff: the solver either finds a better plan or proves there is none.

"Better" means cheaper by more than the tolerance: 0.5 when every cost and weight is an integer
(so the optimum is proven exactly) and ``mip_gap`` × the incumbent's cost otherwise, the same
meaning a MILP solver gives its gap. With ``lagrangian=False`` stage 4 runs alone on the whole
instance, and instances with more than :data:`DENSE_LIMIT` pairs skip stages 1–3 likewise
(their heuristics use a dense matrix).
"""

from __future__ import annotations

import dataclasses
import math
import time

import numpy as np
import scipy.sparse as sp

from planner.classic import assembly, inputs
from planner.classic.assembly import LocationResult, Stopwatch
from planner.classic.inputs import SortedPairs
from planner.classic.pmedian_heuristic import greedy_add, interchange, plan_cost, weighted_dense
from planner.classic.pmedian_lagrangian import (
    CLOSED,
    FREE,
    OPEN,
    LagrangianDual,
    fix_by_reduced_cost,
    probe,
)
from planner.classic.pmedian_tree import branch_and_bound
from planner.classic.radius import RadiusModel
from planner.errors import ModelInfeasibleError
from planner.optimise.solver import (
    FEASIBLE,
    INFEASIBLE,
    NOT_SOLVED,
    OPTIMAL,
    SolveReport,
    SolverOptions,
    default_solver_name,
)

#: Largest demand × facility count for which the heuristics and Lagrangian tests run (their
#: dense weighted matrix then takes at most 320 MB).
DENSE_LIMIT = 40_000_000

#: Subgradient iterations at the root; the ascent usually stops far earlier, when the bound
#: meets the incumbent or the step has shrunk to nothing.
ROOT_ITERATIONS = 3000

#: With a time limit, the root ascent may use this share of the time left and the probing this
#: share of what then remains. The ascent only runs that long on large instances whose bound
#: converges slowly; there it narrows the gap more than the MILP could in the same time
#: (random 33,755 × 500, 300 s: gap 5e-6 against 6e-5 with a 0.4 share).
ASCENT_SHARE = 0.8
PROBING_SHARE = 0.5

#: Lagrangian branch-and-bound nodes before the search gives way to probing and the radius
#: MILP (pmed36, the hardest OR-Library instance, needs about 700).
TREE_NODES = 20_000

#: The branch and bound runs only when the gap left exceeds this share of the bound. A smaller
#: gap is as likely the subgradient's imprecision as an integrality gap, and nodes bounded by
#: subgradient steps may never close it: pmed25's gap of 8e-6 outlasts 20,000 nodes, while the
#: radius MILP's root LP closes it in 2.6 s.
TREE_MIN_GAP = 1e-4

#: With a time limit, the branch and bound may use this share of the time left after the ascent.
TREE_SHARE = 0.8

#: HiGHS settings for the radius MILP once a good incumbent and a cutoff are known: its primal
#: heuristics only search for plans the incumbent already beats, and pseudo-cost branching
#: without strong-branching trials proved about 1.6x faster on the hardest OR-Library instances
#: (pmed36, pmed39; benchmarks/classic_vs_spopt.py).
HIGHS_WITH_INCUMBENT = {
    "mip_heuristic_run_rins": False,
    "mip_heuristic_run_rens": False,
    "mip_heuristic_run_root_reduced_cost": False,
    "mip_heuristic_run_feasibility_jump": False,
    "mip_pscost_minreliable": 0,
}


class PMedian:
    """p-median model (see the module docstring for the method).

    Build with :meth:`from_cost_matrix` or :meth:`from_geodataframe`, then call :meth:`solve`.
    """

    name = "p-median"

    def __init__(
        self,
        costs: sp.csr_matrix,
        p: int,
        weights: np.ndarray,
        required: np.ndarray,
        levels: str = "auto",
        lagrangian: bool = True,
    ) -> None:
        self.costs = costs
        self.p = p
        self.weights = weights
        self.required = required
        self.levels = levels
        self.lagrangian = lagrangian
        self.build = Stopwatch()
        with self.build:
            lengths = np.diff(costs.indptr)
            if (lengths == 0).any():
                lonely = np.flatnonzero(lengths == 0)
                raise ModelInfeasibleError(
                    f"p-median infeasible: {lonely.size} demand point(s) reach no facility",
                    [f"demand point {i} has no reachable facility" for i in lonely[:20]],
                )
            self.pairs = SortedPairs.from_matrix(costs)

    # -- construction ----------------------------------------------------------------------

    @classmethod
    def from_cost_matrix(
        cls,
        costs,
        p: int,
        weights=None,
        *,
        required=None,
        levels: str = "auto",
        lagrangian: bool = True,
    ) -> PMedian:
        """Build the model from a demand × facility cost matrix.

        Parameters
        ----------
        costs
            Dense array (``np.inf`` = unreachable) or scipy.sparse matrix (missing = unreachable).
        p
            Number of facilities to open, including ``required`` ones.
        weights
            Demand weight per row (default 1).
        required
            Indices (or boolean mask) of facilities that must be open, e.g. existing sites.
        levels
            For the MILP stage: ``"full"`` builds every distance level, ``"generate"`` adds
            them as needed, ``"auto"`` picks full when it has at most
            :data:`planner.classic.radius.FULL_MODEL_LEVELS` level variables.
        lagrangian
            Run the heuristic, Lagrangian bound and facility tests before the MILP (default).

        Raises
        ------
        InputError
            Bad costs, weights, ``p``, ``required`` or ``levels``.
        ModelInfeasibleError
            A demand point cannot reach any facility.
        """
        matrix = inputs.cost_matrix(costs)
        n, m = matrix.shape
        required = inputs.facility_indices(required, m)
        p = inputs.facility_count(p, m, required)
        w = inputs.vector(weights, n, "weights", default=1.0)
        if levels not in ("auto", "full", "generate"):
            raise inputs.InputError(
                f"levels must be 'auto', 'full' or 'generate', got {levels!r}", field="levels"
            )
        return cls(matrix, p, w, required, levels, bool(lagrangian))

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
        levels: str = "auto",
        lagrangian: bool = True,
    ) -> PMedian:
        """Build the model from demand and candidate-facility GeoDataFrames.

        Parameters
        ----------
        demand, facilities
            GeoDataFrames; distances between their points (see
            :func:`planner.classic.inputs.geodataframe_distances`).
        p
            Number of facilities to open.
        weight_col
            Demand column holding the weights (default 1 each).
        metric
            ``"euclidean"`` (projected CRS required) or ``"haversine"``.
        required_col
            Boolean facility column marking sites that must be open.
        levels, lagrangian
            See :meth:`from_cost_matrix`.
        """
        costs = inputs.geodataframe_distances(demand, facilities, metric)
        weights = inputs.column(demand, weight_col, "demand")
        required = inputs.flag_column(facilities, required_col, "facilities")
        return cls.from_cost_matrix(
            costs, p, weights, required=required, levels=levels, lagrangian=lagrangian
        )

    # -- solving ---------------------------------------------------------------------------

    @property
    def integral(self) -> bool:
        """Whether every cost and weight is an integer (so is every plan's cost)."""
        return bool(
            np.all(self.weights == np.round(self.weights))
            and np.all(self.costs.data == np.round(self.costs.data))
        )

    def solve(self, solver: SolverOptions | None = None) -> LocationResult:
        """Solve and return the plan.

        Parameters
        ----------
        solver
            Solver options; ``time_limit`` bounds the whole solve (heuristic, bound and MILP).
            The default gap is :data:`planner.classic.assembly.DEFAULT_MIP_GAP`.
        """
        options = assembly.options_or_default(solver)
        started = time.perf_counter()
        built_before = self.build.seconds
        deadline = None if options.time_limit is None else started + options.time_limit
        n, m = self.costs.shape
        state = np.full(m, FREE, dtype=np.int8)
        state[self.required] = OPEN
        search = _Search(self, state, deadline, options.mip_gap)
        if self.lagrangian and n * m <= DENSE_LIMIT:
            search.heuristic()
            search.bound_and_reduce()
        search.finish_with_milp(options)
        solve_seconds = time.perf_counter() - started - (self.build.seconds - built_before)
        return search.result(options, solve_seconds)


class _Search:
    """State of one :meth:`PMedian.solve`: incumbent, lower bound and facility states."""

    def __init__(self, model: PMedian, state: np.ndarray, deadline, mip_gap: float) -> None:
        self.model = model
        self.state = state
        self.deadline = deadline
        self.mip_gap = mip_gap
        self.incumbent: np.ndarray | None = None
        self.cost = np.inf
        self.bound = -np.inf
        self.proven = False
        self.infeasible = False
        self.report: SolveReport | None = None
        self.iterations = 0
        self.how = ""
        self.nodes = 0
        self.integral = model.integral

    # -- incumbent --------------------------------------------------------------------------
    def offer(self, is_open: np.ndarray, cost: float) -> None:
        if cost < self.cost:
            self.incumbent, self.cost = is_open.copy(), cost

    @property
    def threshold(self) -> float:
        """Cost below which a plan counts as better than the incumbent."""
        tolerance = 0.5 if self.integral else self.mip_gap * abs(self.cost)
        return self.cost - tolerance

    def heuristic(self) -> None:
        model = self.model
        self.dense, self.penalty = weighted_dense(model.costs, model.weights)
        self.must = self.state == OPEN
        self.may = np.ones_like(self.must)
        plan = greedy_add(self.dense, model.p, self.must, self.may)
        plan = interchange(self.dense, plan, self.must, self.may, deadline=self.deadline)
        self.offer(plan, plan_cost(self.dense, plan, self.penalty))

    def _improve(self, chosen: np.ndarray) -> float:
        """Lagrangian heuristic: local search from the relaxation's plan."""
        plan = interchange(
            self.dense, chosen | self.must, self.must, self.may, deadline=self.deadline
        )
        self.offer(plan, plan_cost(self.dense, plan, self.penalty))
        return self.cost

    def _offer_relaxed(self, chosen: np.ndarray) -> None:
        """A plan from the branch and bound; local search only from those that improve (a
        search per node would cost more than the node)."""
        if plan_cost(self.dense, chosen, self.penalty) < self.cost:
            self._improve(chosen)

    # -- bound and facility tests -----------------------------------------------------------
    def bound_and_reduce(self) -> None:
        if not np.isfinite(self.cost):
            return  # no plan reaches every point: leave infeasibility to the MILP
        model = self.model
        dual = LagrangianDual(model.pairs, model.weights, model.p)
        ascent = dual.ascend(
            self.state,
            dual.initial_multipliers(),
            target=self.cost,
            threshold=self.threshold,
            max_iterations=ROOT_ITERATIONS,
            deadline=self._share_of_time_left(ASCENT_SHARE),
            on_choice=self._improve,
        )
        self.bound = max(self.bound, ascent.bound)
        if self.bound >= self.threshold:
            self.proven, self.how = True, "Lagrangian bound meets the incumbent"
            return
        self.state = fix_by_reduced_cost(dual, ascent.evaluation, self.state, self.threshold)
        if self._branch_and_bound(dual, ascent.multipliers):
            return
        self.state = probe(
            dual,
            self.state,
            ascent.multipliers,
            target=self.cost,
            threshold=self.threshold,
            deadline=self._share_of_time_left(PROBING_SHARE),
        )

    def _branch_and_bound(self, root: LagrangianDual, multipliers: np.ndarray) -> bool:
        """Search the facilities left open to the tests; true when that proved the incumbent."""
        if self.threshold - self.bound < TREE_MIN_GAP * abs(self.bound):
            return False  # mostly the subgradient's imprecision: the MILP's LP closes it at once
        keep = self.state != CLOSED
        # The dual over the facilities left is the same relaxation with far fewer pairs below
        # the multipliers to visit at each evaluation.
        dual = root.restricted(keep)
        if (np.diff(dual.indptr) == 0).any():
            return False  # a point no better plan serves: the MILP stage says so at once
        kept = np.flatnonzero(keep)

        def offer(chosen: np.ndarray) -> None:
            plan = np.zeros(keep.size, dtype=bool)
            plan[kept[chosen]] = True
            self._offer_relaxed(plan)

        tree = branch_and_bound(
            dual,
            self.state[keep],
            multipliers,
            incumbent=lambda: (self.cost, self.threshold),
            offer=offer,
            max_nodes=TREE_NODES,
            deadline=self._share_of_time_left(TREE_SHARE),
        )
        self.nodes = tree.nodes
        if tree.proven:
            self.proven, self.how = True, "Lagrangian branch and bound"
            return True
        # Every plan better than the incumbent lies in a node left unexplored.
        self.bound = max(self.bound, min(tree.bound, self.threshold))
        return False

    def _share_of_time_left(self, share: float) -> float | None:
        """A deadline ``share`` of the way to the solve's own, so the MILP keeps the rest."""
        if self.deadline is None:
            return None
        now = time.perf_counter()
        return now + share * max(self.deadline - now, 0.0)

    # -- the MILP on what is left ----------------------------------------------------------
    def finish_with_milp(self, options: SolverOptions) -> None:
        if self.proven:
            return
        model = self.model
        keep = self.state != CLOSED
        if int(keep.sum()) < model.p:
            self.proven, self.how = True, "facility tests leave no better plan"
            return
        pairs = model.pairs.columns(keep)
        if (np.diff(pairs.indptr) == 0).any():
            self.proven, self.how = True, "facility tests leave a point unserved by better plans"
            return
        kept = np.flatnonzero(keep)
        start = None
        if self.incumbent is not None and not self.incumbent[~keep].any():
            start = self.incumbent[keep]
        radius = RadiusModel(
            pairs,
            model.p,
            model.weights,
            np.flatnonzero(self.state[keep] == OPEN),
            levels=model.levels,
            start=start,
            stopwatch=model.build,
        )
        cutoff = None
        if np.isfinite(self.cost):
            cutoff = self.threshold
            options = dataclasses.replace(
                options, highs_options={**HIGHS_WITH_INCUMBENT, **options.highs_options}
            )
        outcome = radius.solve(options, cutoff=cutoff, deadline=self.deadline)
        self.report = outcome.report
        self.iterations = outcome.iterations
        if outcome.best_open is not None and np.isfinite(outcome.best_cost):
            plan = np.zeros(keep.size, dtype=bool)
            plan[kept[outcome.best_open]] = True
            self.offer(plan, outcome.best_cost)
        if cutoff is None:
            self.bound = max(self.bound, outcome.bound)
        else:
            # Every plan cheaper than the cutoff lies in the reduced model: the optimum is the
            # incumbent or one of those plans.
            self.bound = max(self.bound, min(self.cost, outcome.bound))
        if outcome.proven:
            self.proven, self.how = True, "MILP over the facilities left"
            self.infeasible = cutoff is None and outcome.status == INFEASIBLE

    # -- the result ------------------------------------------------------------------------
    def result(self, options: SolverOptions, solve_seconds: float) -> LocationResult:
        model = self.model
        if self.infeasible or self.incumbent is None:
            status = INFEASIBLE if self.infeasible else NOT_SOLVED
            report = self._report(status, None, None, solve_seconds, options)
            return assembly.no_plan(
                model.name,
                report,
                points=model.costs.shape[0],
                coverage=False,
                build_seconds=model.build.seconds,
                solve_seconds=solve_seconds,
                status=status,
                iterations=self.iterations,
            )
        bound = self.bound
        if self.proven:
            bound = max(bound, self.threshold)
        if self.integral:
            bound = math.ceil(bound - 1e-9)  # integer data: the optimum is an integer
        bound = min(bound, self.cost)
        status = OPTIMAL if self.proven else FEASIBLE
        report = self._report(status, self.cost, bound, solve_seconds, options)
        _, assignment = assembly.nearest_open(model.costs, self.incumbent)
        return assembly.finish(
            model.name,
            report,
            objective=self.cost,
            bound=bound if np.isfinite(bound) else None,
            facilities=np.flatnonzero(self.incumbent),
            assignment=assignment,
            build_seconds=model.build.seconds,
            solve_seconds=solve_seconds,
            status=status,
            iterations=self.iterations,
        )

    def _report(self, status, objective, bound, seconds, options) -> SolveReport:
        if self.report is not None:
            return dataclasses.replace(self.report, message=self.how or self.report.message)
        return SolveReport(
            status=status,
            solver=(options.name or default_solver_name()).lower(),
            seconds=seconds,
            objective=objective,
            best_bound=bound,
            message=self.how or "time limit reached before the MILP",
            time_limit_reached=self.deadline is not None and time.perf_counter() > self.deadline,
        )


def p_median(
    costs,
    p: int,
    weights=None,
    *,
    required=None,
    solver: SolverOptions | None = None,
    levels: str = "auto",
    lagrangian: bool = True,
) -> LocationResult:
    """Solve a p-median problem on a cost matrix.

    Parameters
    ----------
    costs
        Demand × facility costs: dense array (``np.inf`` = unreachable) or scipy.sparse
        (missing = unreachable).
    p
        Number of facilities to open (required ones included).
    weights
        Demand weights (default 1).
    required
        Facilities forced open (existing sites), as indices or a boolean mask.
    solver
        :class:`~planner.optimise.solver.SolverOptions`.
    levels, lagrangian
        See :meth:`PMedian.from_cost_matrix`.

    Returns
    -------
    LocationResult
        ``assignment`` gives each demand point's nearest open facility.
    """
    return PMedian.from_cost_matrix(
        costs, p, weights, required=required, levels=levels, lagrangian=lagrangian
    ).solve(solver)
