"""Heuristic p-median plans: greedy addition and best-improvement interchange.

They give the exact solver its first incumbent: the better it is, the more facilities the
Lagrangian tests of :mod:`planner.classic.pmedian_lagrangian` can close, and the smaller the
remaining MILP. Both work on a dense matrix of *weighted* costs ``C[i, j] = w_i d_ij`` in which
an unreachable pair holds a penalty larger than any plan that reaches every point (see
:func:`weighted_dense`), so a plan that leaves a point unreachable is never preferred.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp


def weighted_dense(matrix: sp.csr_matrix, weights: np.ndarray) -> tuple[np.ndarray, float]:
    """Dense ``w_i d_ij`` with unreachable pairs set to a penalty; returns it and the penalty.

    The penalty exceeds the cost of every plan that reaches all points (the sum over points of
    their largest reachable weighted cost), so one unreachable point outweighs any such plan.
    """
    n, m = matrix.shape
    rows = np.repeat(np.arange(n), np.diff(matrix.indptr))
    cost = matrix.data * weights[rows]
    largest = np.zeros(n)
    np.maximum.at(largest, rows, cost)
    penalty = float(largest.sum()) + 1.0
    dense = np.full((n, m), penalty)
    dense[rows, matrix.indices] = cost
    return dense, penalty


def plan_cost(dense: np.ndarray, is_open: np.ndarray, penalty: float) -> float:
    """Weighted cost of serving every point from its nearest open facility (inf if any point
    reaches none)."""
    if not is_open.any():
        return np.inf
    nearest = dense[:, is_open].min(axis=1)
    if (nearest >= penalty).any():
        return np.inf
    return float(nearest.sum())


def greedy_add(
    dense: np.ndarray, p: int, must_open: np.ndarray, may_open: np.ndarray
) -> np.ndarray:
    """Open ``must_open``, then repeatedly the facility that lowers the cost most, up to ``p``.

    Parameters
    ----------
    dense
        Weighted costs (:func:`weighted_dense`).
    p
        Facilities to open in all.
    must_open, may_open
        Boolean masks: facilities forced open, and facilities allowed to open at all.
    """
    n, m = dense.shape
    is_open = must_open.copy()
    current = dense[:, is_open].min(axis=1) if is_open.any() else np.full(n, np.inf)
    for _ in range(p - int(is_open.sum())):
        if is_open.any():
            gain = np.maximum(current[:, None] - dense, 0.0).sum(axis=0)
        else:  # the first facility: the best 1-median
            gain = -dense.sum(axis=0)
        gain[is_open | ~may_open] = -np.inf
        best = int(np.argmax(gain))
        is_open[best] = True
        current = np.minimum(current, dense[:, best])
    return is_open


def interchange(
    dense: np.ndarray,
    is_open: np.ndarray,
    must_open: np.ndarray,
    may_open: np.ndarray,
    *,
    deadline: float | None = None,
) -> np.ndarray:
    """Best-improvement swaps (Teitz & Bart) until no swap lowers the cost.

    A sweep prices every swap ``r -> j`` in two vectorised passes over the matrix: the cost of
    adding ``j`` with every point keeping its nearest open facility, corrected for the points
    whose nearest facility is the ``r`` being closed (they fall back to their second nearest).

    Parameters
    ----------
    dense
        Weighted costs (:func:`weighted_dense`).
    is_open
        Starting plan (not modified).
    must_open, may_open
        Facilities that may not close, and facilities allowed to open.
    deadline
        ``time.perf_counter()`` value after which the current plan is returned.
    """
    n = dense.shape[0]
    is_open = is_open.copy()
    rows = np.arange(n)
    while deadline is None or time.perf_counter() < deadline:
        opened = np.flatnonzero(is_open)
        sub = dense[:, opened]
        if opened.size > 1:
            two = np.argpartition(sub, 1, axis=1)[:, :2]
            a, b = sub[rows, two[:, 0]], sub[rows, two[:, 1]]
            first = np.where(a <= b, two[:, 0], two[:, 1])
            d1, d2 = np.minimum(a, b), np.maximum(a, b)
        else:
            first = np.zeros(n, dtype=np.int64)
            d1, d2 = sub[:, 0], np.full(n, np.inf)
        current = float(d1.sum())
        nearest1 = np.minimum(d1[:, None], dense)
        keep_all = nearest1.sum(axis=0)
        # Extra cost, per (closed r, opened j), of the points whose nearest facility is r.
        fallback = np.minimum(d2[:, None], dense) - nearest1
        owner = sp.csr_matrix((np.ones(n), (first, rows)), shape=(opened.size, n))
        cost = keep_all[None, :] + owner @ fallback
        cost[:, is_open | ~may_open] = np.inf
        cost[must_open[opened], :] = np.inf
        r, j = np.unravel_index(int(np.argmin(cost)), cost.shape)
        if not cost[r, j] < current - 1e-12 * max(1.0, abs(current)):
            break
        is_open[opened[r]] = False
        is_open[j] = True
    return is_open
