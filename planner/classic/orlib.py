"""Reader for J.E. Beasley's OR-Library p-median instances (``pmed1.txt`` … ``pmed40.txt``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import shortest_path

from planner.errors import InputError


def read_orlib_pmed(path: str | Path) -> tuple[np.ndarray, int]:
    """Read an OR-Library p-median file and return its all-pairs distances and ``p``.

    The file holds ``n edges p`` on its first line, then one undirected edge ``u v cost`` per
    line with 1-based vertices. When an edge appears more than once the last one counts
    (Beasley's convention, which changes the published optima if ignored).

    Parameters
    ----------
    path
        The ``pmedN.txt`` file.

    Returns
    -------
    costs : numpy.ndarray
        ``n × n`` shortest-path distances (every vertex is a client and a candidate site).
    p : int
        Number of medians.

    Raises
    ------
    InputError
        Malformed header or edge lines, vertices out of range, or a disconnected graph.
    """
    path = Path(path)
    tokens = path.read_text().split()
    try:
        n, n_edges, p = (int(t) for t in tokens[:3])
        edges = np.asarray(tokens[3 : 3 + 3 * n_edges], dtype=float).reshape(n_edges, 3)
    except ValueError as exc:
        raise InputError(f"not an OR-Library p-median file: {exc}", source=str(path)) from exc
    u = edges[:, 0].astype(np.int64) - 1
    v = edges[:, 1].astype(np.int64) - 1
    if u.min() < 0 or v.min() < 0 or u.max() >= n or v.max() >= n:
        raise InputError(f"edge vertices must be within 1..{n}", source=str(path))
    # Keep the last occurrence of each undirected edge: reverse, then unique keeps the first.
    a, b = np.minimum(u, v)[::-1], np.maximum(u, v)[::-1]
    _, last = np.unique(a * n + b, return_index=True)
    a, b, w = a[last], b[last], edges[::-1, 2][last]
    graph = sp.csr_matrix((w, (a, b)), shape=(n, n))
    costs = shortest_path(graph, method="D", directed=False)
    if not np.isfinite(costs).all():
        raise InputError(
            "graph is disconnected: some vertices cannot reach others", source=str(path)
        )
    return costs, p
