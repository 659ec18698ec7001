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

import time

import numpy as np
import scipy.sparse as sp

from planner.classic import assembly, inputs
from planner.classic.assembly import LocationResult, Stopwatch
from planner.classic.inputs import SortedPairs
from planner.classic.pmedian_lagrangian import FREE, OPEN
from planner.classic.pmedian_search import Search, SearchSettings
from planner.errors import ModelInfeasibleError
from planner.optimise.solver import SolverOptions

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


def _settings() -> SearchSettings:
    # Read at each solve, so that the module's constants can be changed (as the tests do).
    return SearchSettings(
        root_iterations=ROOT_ITERATIONS,
        ascent_share=ASCENT_SHARE,
        probing_share=PROBING_SHARE,
        tree_nodes=TREE_NODES,
        tree_min_gap=TREE_MIN_GAP,
        tree_share=TREE_SHARE,
        highs_with_incumbent=HIGHS_WITH_INCUMBENT,
    )


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
        search = Search(self, state, deadline, options.mip_gap, _settings())
        if self.lagrangian and n * m <= DENSE_LIMIT:
            search.heuristic()
            search.bound_and_reduce()
        search.finish_with_milp(options)
        solve_seconds = time.perf_counter() - started - (self.build.seconds - built_before)
        return search.result(options, solve_seconds)


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
