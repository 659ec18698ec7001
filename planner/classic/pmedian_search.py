"""The search state of one p-median solve: incumbent, bound, facility states, and the four stages
of :class:`planner.classic.pmedian.PMedian` that move them (see that module for the method).
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from planner.classic import assembly
from planner.classic.assembly import LocationResult
from planner.classic.pmedian_heuristic import greedy_add, interchange, plan_cost, weighted_dense
from planner.classic.pmedian_lagrangian import (
    CLOSED,
    OPEN,
    LagrangianDual,
    fix_by_reduced_cost,
    probe,
)
from planner.classic.pmedian_tree import branch_and_bound
from planner.classic.radius import RadiusModel
from planner.optimise.solver import (
    FEASIBLE,
    INFEASIBLE,
    NOT_SOLVED,
    OPTIMAL,
    SolveReport,
    SolverOptions,
    default_solver_name,
)

if TYPE_CHECKING:
    from planner.classic.pmedian import PMedian


@dataclass(frozen=True)
class SearchSettings:
    """The tuning of a search: the constants of :mod:`planner.classic.pmedian`, documented there."""

    root_iterations: int
    ascent_share: float
    probing_share: float
    tree_nodes: int
    tree_min_gap: float
    tree_share: float
    highs_with_incumbent: dict


class Search:
    """State of one :meth:`PMedian.solve`: incumbent, lower bound and facility states."""

    def __init__(
        self,
        model: PMedian,
        state: np.ndarray,
        deadline,
        mip_gap: float,
        settings: SearchSettings,
    ) -> None:
        self.model = model
        self.settings = settings
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
            max_iterations=self.settings.root_iterations,
            deadline=self._share_of_time_left(self.settings.ascent_share),
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
            deadline=self._share_of_time_left(self.settings.probing_share),
        )

    def _branch_and_bound(self, root: LagrangianDual, multipliers: np.ndarray) -> bool:
        """Search the facilities left open to the tests; true when that proved the incumbent."""
        if self.threshold - self.bound < self.settings.tree_min_gap * abs(self.bound):
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
            max_nodes=self.settings.tree_nodes,
            deadline=self._share_of_time_left(self.settings.tree_share),
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
                options,
                highs_options={**self.settings.highs_with_incumbent, **options.highs_options},
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
