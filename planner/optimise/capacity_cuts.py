"""Lower bounds on the assignment cost as a function of site capacities (Benders-type cuts).

For the transportation LP of :mod:`planner.optimise.transport`, write ``Phi(cap)`` for its optimal
cost. Pricing each zone's demand row at ``alpha_i <= P_i`` (Lagrangian relaxation) leaves one
continuous knapsack per site, so for every capacity vector

    Phi(cap) >= sum_i d_i alpha_i - sum_j K_j(cap_j),
    K_j(c) = max { sum_i (alpha_i - c_ij) x_ij : sum_i x_ij <= c, 0 <= x_ij <= d_i }

(weak duality: it holds for any prices). ``K_j`` is concave and piecewise linear: the zones
that gain most by site j fill its capacity first. With ``alpha`` the LP's optimal zone prices at
``cap*`` the bound is exact there (strong duality). Away from ``cap*`` it is much stronger than
the classic Benders cut ``sum d alpha - sum beta_j cap_j``, which is one tangent of the same curve
per site: each site's own diminishing returns are kept.

A site's capacity takes only a few values in any plan (``F n_j + D m_j`` with integer scanners
and mobile days), so the curve is stored at those values; in the master problem its chords
bound the site's term (:meth:`CapacityCut.segments`), exact at every value a plan can take.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.optimise.transport import TransportProblem


@dataclass
class CapacityCut:
    """``Phi(cap) >= constant + sum_j value_j(cap_j)``, ``value_j`` given at each site's
    capacity levels (``levels[j]``, sorted, starting at 0) and linear between them."""

    constant: float
    levels: list[np.ndarray]
    values: list[np.ndarray]

    def evaluate(self, capacity: np.ndarray) -> float:
        """The bound at ``capacity`` (exact where each capacity is one of its levels)."""
        return self.constant + float(
            sum(
                np.interp(c, x, v)
                for c, x, v in zip(capacity, self.levels, self.values, strict=True)
            )
        )

    def segments(self, site: int, tol: float = 1e-9) -> tuple[np.ndarray, np.ndarray]:
        """Slopes and intercepts of the chords of ``value_site`` (collinear chords merged, the
        flat tail beyond the last gain dropped): ``value >= slope * cap + intercept``."""
        x, v = self.levels[site], self.values[site]
        if x.size < 2:
            return np.zeros(0), np.zeros(0)
        slope = np.diff(v) / np.diff(x)
        intercept = v[:-1] - slope * x[:-1]
        keep = np.ones(slope.size, bool)
        keep[1:] = np.abs(np.diff(slope)) > tol * np.maximum(1.0, np.abs(slope[1:]))
        # Beyond the capacity at which the curve is flat, one chord (slope 0) is enough.
        flat = np.flatnonzero(np.abs(slope) <= tol)
        if flat.size:
            keep[flat[0] + 1 :] = False
        return slope[keep], intercept[keep]

    def active_sites(self) -> np.ndarray:
        """Sites whose term is not identically zero."""
        return np.array([j for j, v in enumerate(self.values) if np.any(v < 0)], dtype=np.int64)


def capacity_cut(
    problem: TransportProblem, zone_prices: np.ndarray, levels: list[np.ndarray]
) -> CapacityCut:
    """The cut of the module docstring for zone prices ``zone_prices`` (any prices give a valid
    cut; the LP's optimal ones give the exact cost at the capacities they were solved for)."""
    alpha = np.minimum(np.asarray(zone_prices, float), problem.unmet_cost)
    constant = float(problem.demand @ alpha)
    gain = alpha[problem.origin] - problem.cost
    useful = gain > 0
    site, zone, gain = problem.destination[useful], problem.origin[useful], gain[useful]
    order = np.lexsort((-gain, site))
    site, zone, gain = site[order], zone[order], gain[order]
    amount = problem.demand[zone]
    starts = np.searchsorted(site, np.arange(problem.n_sites + 1))
    values = []
    for j in range(problem.n_sites):
        a, b = starts[j], starts[j + 1]
        filled = np.concatenate([[0.0], np.cumsum(amount[a:b])])
        earned = np.concatenate([[0.0], np.cumsum(amount[a:b] * gain[a:b])])
        values.append(-np.interp(levels[j], filled, earned, right=earned[-1]))
    return CapacityCut(constant, list(levels), values)
