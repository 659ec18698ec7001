"""A heuristic MCLP plan (greedy addition, then best-improvement swaps) to start the MILP from.

The MCLP's LP bound is weak (fractional facilities cover everything a little), so on large
instances the solver may spend its whole time limit before its own heuristics find a good plan;
starting it from this one means a time-limited run still reports a plan worth having.
Everything works on the 0/1 coverage matrix ``G`` (points × facilities) and point weights.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp


def covered_weight(cover: sp.csr_matrix, weights: np.ndarray, is_open: np.ndarray) -> float:
    """Weight of the points that some open facility covers."""
    return float(weights[(cover @ is_open.astype(float)) > 0].sum())


def greedy_swap(
    cover: sp.csr_matrix,
    weights: np.ndarray,
    p: int,
    must_open: np.ndarray,
    *,
    deadline: float | None = None,
) -> np.ndarray:
    """Open ``must_open`` plus the facility adding most covered weight, up to ``p``; then swap
    one open facility for a closed one while that covers more weight.

    A sweep prices every swap ``r -> j`` at once: what ``j`` covers among the points nobody
    covers, plus what it re-covers among the points only ``r`` covers, minus what only ``r``
    covers.
    """
    n, m = cover.shape
    by_facility = cover.tocsc()
    is_open = must_open.copy()
    count = np.asarray(cover @ is_open.astype(float)).ravel()
    for _ in range(p - int(is_open.sum())):
        gain = (weights * (count == 0)) @ cover
        gain[is_open] = -np.inf
        j = int(np.argmax(gain))
        is_open[j] = True
        count += np.asarray(by_facility[:, j].todense()).ravel()
    while deadline is None or time.perf_counter() < deadline:
        opened = np.flatnonzero(is_open)
        by_open = cover[:, opened]
        count = np.asarray(by_open.sum(axis=1)).ravel()
        alone = np.flatnonzero(count == 1)
        # The one open facility covering each point covered once.
        owner = np.asarray(by_open[alone].argmax(axis=1)).ravel()
        only = sp.csr_matrix((weights[alone], (owner, alone)), shape=(opened.size, n))
        loss = np.asarray(only.sum(axis=1)).ravel()
        gain_new = (weights * (count == 0)) @ cover
        delta = gain_new[None, :] + (only @ cover).toarray() - loss[:, None]
        delta[:, is_open] = -np.inf
        delta[must_open[opened], :] = -np.inf
        r, j = np.unravel_index(int(np.argmax(delta)), delta.shape)
        if not delta[r, j] > 1e-9 * max(1.0, float(weights.sum())):
            break
        is_open[opened[r]] = False
        is_open[j] = True
    return is_open
