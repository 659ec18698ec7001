"""Lagrangian lower bound of the p-median and the facility tests built on it.

Relaxing each point's assignment row ``sum_j x_ij = 1`` with a multiplier ``lambda_i`` leaves

    L(lambda) = sum_i lambda_i + min { sum_j rho_j y_j : sum_j y_j = p },
    rho_j     = sum_i min(0, w_i d_ij - lambda_i),

solved by opening the ``p`` facilities of least ``rho_j``. Every ``L(lambda)`` is a lower bound
on the optimum and its maximum equals the LP bound of the textbook and radius formulations
(Beasley 1993, "Lagrangean heuristics for location problems", EJOR 65). Subgradient ascent finds
it in milliseconds where the LP takes seconds to minutes, and it gives two exact tests against an
incumbent plan of cost ``UB`` (Christofides & Beasley 1982; Beasley 1985):

* **reduced cost**: forcing a facility open (or closed) raises the bound by at least the gap
  between its ``rho_j`` and the p-th (or (p+1)-th) smallest; if that lifts the bound over
  ``UB``, no better plan opens (or closes) it, and it is fixed the other way;
* **probing**: the same question answered by re-optimising the multipliers with the facility
  forced open, which closes many more facilities.

Only plans that are better than the incumbent are kept by the tests, so the MILP solved
afterwards (:mod:`planner.classic.radius`) is exact for the whole problem: either it finds a
better plan or the incumbent is optimal.

Each evaluation touches only the pairs with ``w_i d_ij < lambda_i`` (found by binary search in
each point's sorted row, :class:`~planner.classic.inputs.SortedPairs`), not the whole matrix.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from planner.classic.inputs import SortedPairs

#: Facility states used by the tests: fixed closed, free, fixed open.
CLOSED, FREE, OPEN = -1, 0, 1


@dataclass
class Evaluation:
    """``L(lambda)`` for one multiplier vector and facility state."""

    bound: float
    rho: np.ndarray  # per facility; +inf for closed facilities
    chosen: np.ndarray  # boolean mask of the facilities the relaxation opens
    subgradient: np.ndarray  # 1 - (number of chosen facilities serving each point)


@dataclass
class Ascent:
    """Best multipliers found by :meth:`LagrangianDual.ascend`."""

    bound: float
    multipliers: np.ndarray
    evaluation: Evaluation
    iterations: int


class LagrangianDual:
    """The Lagrangian relaxation of a p-median instance.

    Parameters
    ----------
    pairs
        Reachable pairs sorted by cost within each demand row.
    weights
        Demand weights (``>= 0``).
    p
        Facilities to open.
    """

    def __init__(self, pairs: SortedPairs, weights: np.ndarray, p: int) -> None:
        self.n, self.m = pairs.shape
        self.p = p
        self.indptr = pairs.indptr
        self.facility = pairs.facility
        self.row = pairs.row
        # Weights are constant along a row, so weighted costs keep each row's order.
        self.cost = pairs.cost * weights[self.row]
        top = float(self.cost.max()) if self.cost.size else 0.0
        self.scale = top * (1.0 + 1e-9) + 1.0
        # One sorted key array for every row: row index + cost scaled into [0, 1).
        self.keys = self.row + self.cost / self.scale
        self.margin = 1e-9 * self.scale

    def restricted(self, keep: np.ndarray) -> LagrangianDual:
        """The same relaxation over the facilities in boolean mask ``keep`` (renumbered
        ``0..keep.sum()-1``): for states that close every other facility it gives the same
        ``L(lambda)`` while visiting only the kept facilities' pairs."""
        pairs = SortedPairs((self.n, self.m), self.indptr, self.facility, self.cost)
        return LagrangianDual(pairs.columns(keep), np.ones(self.n), self.p)

    def initial_multipliers(self) -> np.ndarray:
        """Each point's second-cheapest weighted cost (its cheapest when it has one facility)."""
        lengths = np.diff(self.indptr)
        at = self.indptr[:-1] + np.minimum(1, np.maximum(lengths - 1, 0))
        return np.where(lengths > 0, self.cost[np.minimum(at, self.cost.size - 1)], 0.0)

    def entries_below(self, lam: np.ndarray) -> np.ndarray:
        """Indices of the pairs with weighted cost below ``lambda_i`` (plus a margin that only
        adds zero terms): the only pairs ``L(lambda)`` depends on."""
        level = np.minimum(np.maximum(lam + self.margin, 0.0) / self.scale, 1.0)
        end = np.searchsorted(self.keys, np.arange(self.n) + level, side="left")
        count = np.clip(end - self.indptr[:-1], 0, np.diff(self.indptr))
        base = np.repeat(self.indptr[:-1] - (np.cumsum(count) - count), count)
        return base + np.arange(int(count.sum()))

    def evaluate(self, lam: np.ndarray, state: np.ndarray) -> Evaluation:
        """``L(lambda)`` with facilities fixed as ``state`` says (CLOSED / FREE / OPEN)."""
        n, m = self.n, self.m
        entries = self.entries_below(lam)
        facility = self.facility[entries]
        row = self.row[entries]
        reduced = np.minimum(self.cost[entries] - lam[row], 0.0)
        # As floats even when no pair lies below the multipliers (bincount then gives integers).
        rho = np.bincount(facility, weights=reduced, minlength=m).astype(float)
        rho[state == CLOSED] = np.inf
        chosen = state == OPEN
        free = np.flatnonzero(state == FREE)
        q = self.p - int(chosen.sum())
        if q > free.size or q < 0:
            return Evaluation(np.inf, rho, chosen, np.zeros(n))
        if 0 < q < free.size:
            chosen[free[np.argpartition(rho[free], q - 1)[:q]]] = True
        elif q == free.size:
            chosen[free] = True
        bound = float(lam.sum() + rho[chosen].sum())
        serving = chosen[facility] & (reduced < 0)
        subgradient = 1.0 - np.bincount(row, weights=serving, minlength=n)
        return Evaluation(bound, rho, chosen, subgradient)

    def ascend(
        self,
        state: np.ndarray,
        lam: np.ndarray,
        *,
        target: float,
        threshold: float,
        max_iterations: int,
        step: float = 2.0,
        patience: int = 30,
        deadline: float | None = None,
        on_choice: Callable[[np.ndarray], float] | None = None,
        every: int = 10,
        window: int = 100,
    ) -> Ascent:
        """Subgradient ascent (Held, Wolfe & Crowder's step rule) from ``lam``.

        Stops when the bound reaches ``threshold`` (nothing better than the incumbent is left),
        when the step has been halved to nothing, when ``window`` iterations closed less than 1%
        of the gap to ``target`` (on large instances the last digits of the bound cost far
        more than the MILP needs), after ``max_iterations`` or at ``deadline``.

        Parameters
        ----------
        target
            The incumbent's cost: the step aims the bound at it.
        on_choice
            Called with a new set of facilities the relaxation opens (a Lagrangian heuristic);
            returns the best known cost, which becomes the target. It is called every
            ``every`` iterations, an interval that doubles after each call that improves
            nothing and returns to ``every`` after one that does.
        """
        best: Evaluation | None = None
        best_lam = lam
        stall = 0
        tried: set[bytes] = set()
        iterations = 0
        checkpoint = -np.inf
        interval, next_call = every, 1
        for iterations in range(1, max_iterations + 1):  # noqa: B007 - read after the loop
            current = self.evaluate(lam, state)
            if best is None or current.bound > best.bound + 1e-12 * abs(current.bound):
                best, best_lam, stall = current, lam, 0
            else:
                stall += 1
                if stall >= patience:
                    step, stall = step / 2.0, 0
            if iterations % window == 0:
                if best.bound - checkpoint < 0.01 * (target - best.bound):
                    break
                checkpoint = best.bound
            if on_choice is not None and iterations >= next_call:
                key = np.packbits(current.chosen).tobytes()
                if key not in tried:
                    tried.add(key)
                    improved = on_choice(current.chosen)
                    # Back off while the heuristic finds nothing: each call is a local search.
                    interval = every if improved < target else 2 * interval
                    target = min(target, improved)
                    next_call = iterations + interval
            if best.bound >= threshold or not np.isfinite(best.bound) or step < 1e-4:
                break
            if deadline is not None and time.perf_counter() > deadline:
                break
            norm = float(current.subgradient @ current.subgradient)
            if norm == 0.0:
                break  # the relaxed plan serves every point once: it is optimal here
            lam = lam + step * max(target - current.bound, 1e-9 * abs(target)) / norm * (
                current.subgradient
            )
        assert best is not None
        return Ascent(best.bound, best_lam, best, iterations)


def fix_by_reduced_cost(
    dual: LagrangianDual, evaluation: Evaluation, state: np.ndarray, threshold: float
) -> np.ndarray:
    """Fix free facilities whose forced opening (closing) lifts the bound to ``threshold``."""
    state = state.copy()
    free = np.flatnonzero(state == FREE)
    q = dual.p - int((state == OPEN).sum())
    if q <= 0:
        state[free] = CLOSED
        return state
    if free.size <= q:
        state[free] = OPEN
        return state
    order = free[np.argsort(evaluation.rho[free], kind="stable")]
    rho_q, rho_next = evaluation.rho[order[q - 1]], evaluation.rho[order[q]]
    out, chosen = order[q:], order[:q]
    bound = evaluation.bound
    state[out[bound + evaluation.rho[out] - rho_q >= threshold]] = CLOSED
    state[chosen[bound + rho_next - evaluation.rho[chosen] >= threshold]] = OPEN
    return state


def probe(
    dual: LagrangianDual,
    state: np.ndarray,
    lam: np.ndarray,
    *,
    target: float,
    threshold: float,
    iterations: int = 200,
    deadline: float | None = None,
) -> np.ndarray:
    """Close each free facility whose forced opening, with re-optimised multipliers, lifts the
    bound to ``threshold`` (the strongest facilities to close are tried first).

    Parameters
    ----------
    state
        Facility states after reduced-cost fixing (not modified).
    lam
        Multipliers to start each probe from (the root's best).
    iterations
        Subgradient iterations per probe; a probe stops early once the bound reaches
        ``threshold``.
    deadline
        ``time.perf_counter()`` value after which the remaining facilities stay free.
    """
    state = state.copy()
    if dual.p - int((state == OPEN).sum()) <= 1:
        return state  # one facility left to choose: the root bound already priced each one
    root = dual.evaluate(lam, state)
    free = np.flatnonzero((state == FREE) & ~root.chosen)
    for j in free[np.argsort(-root.rho[free], kind="stable")]:
        if deadline is not None and time.perf_counter() > deadline:
            break
        trial = state.copy()
        trial[j] = OPEN
        ascent = dual.ascend(
            trial,
            lam,
            target=target,
            threshold=threshold,
            max_iterations=iterations,
            step=0.5,
            patience=20,
        )
        if ascent.bound >= threshold:
            state[j] = CLOSED
    return state
