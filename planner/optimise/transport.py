"""The assignment of demand to open capacity: a transportation LP solved by pricing pairs in.

Once the sites and their capacities are fixed, what is left of the network model is

    min  sum_p c_p x_p + sum_i P_i u_i
    s.t. sum_{p from i} x_p + u_i = d_i      (demand of zone i: served or unmet)
         sum_{p to j}  x_p       <= cap_j    (capacity of site j)
         x, u >= 0,  u_i <= d_i

over the zone-site pairs p within the travel limit. At LSOA scale there are millions of pairs,
but a zone is served by one of its few nearest open sites, so the LP is solved on a pool of
pairs: each zone's nearest open sites first, then every pair whose reduced cost
``c_p - alpha_i - beta_j`` (``alpha`` the zone prices, ``beta >= 0`` the site prices) is negative,
until none is. That final check over every pair to an open site is what proves the pooled LP's
optimum is the full LP's (:attr:`TransportSolution.worst_reduced_cost`).

The pool and the HiGHS model persist between solves, so a second solve with nearby capacities
starts from the last basis. :meth:`TransportProblem.to_milp` gives the full LP for given
capacities as a :class:`~planner.optimise.milp.SparseMILP` (and so as a PuLP problem).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from planner.optimise.highs_build import new_highs
from planner.optimise.interrupt import run_highs
from planner.optimise.milp import SparseMILP

#: Pairs of each zone to its nearest open sites that seed the pool (assumption: 4, enough that
#: the first LP of the national baseline needs a few pricing rounds, not dozens; measured on
#: england_baseline's first plan, 8.8 s with 4 and 12.7 s with 8).
SEED_SITES = 4
#: A new model's first LP is solved by interior point (with crossover, for a basis and its
#: duals) above this many zones, by simplex at or below; later ones start from its basis by
#: simplex. Measured (2 cores), from no basis: on a plan of 26 sites for 33,755 synthetic zones
#: x 500 sites, dual simplex took 30.7 s (57,440 iterations) and interior point 5.2 s; on
#: england_baseline's first plan (32,844 zones, 39 sites open), simplex 10.9 s (48,979
#: iterations, half as long each) and interior point 15.5 s: minutes saved on the one, seconds
#: lost on the other. Over the 6,568 groups of england_baseline's zones the LP rounds' pricing
#: took 7 s by simplex and 15.5 s by interior point; over the 6,751 groups of the synthetic
#: zones the LP rounds as a whole took 106 s and 79 s (not kept: the no-regression target is
#: england's).
INTERIOR_POINT_ABOVE = 10_000
#: ``solve(fresh=None)`` starts afresh when the capacities moved by more than this share of
#: their total since the last solve. Measured: on 33,755 zones x 500 sites, a plan of 25 sites
#: after one of 26 (23 sites differing, capacity moved 115% of its total) took 40.5 s from the
#: last basis, 8.8 s afresh; on england_baseline, whose second plan moves 12% of the first's
#: capacity, its two plans took 15.1 s in all from the last basis and 31.0 s afresh (by
#: simplex, 4 seed sites; the second alone 2.1-2.9 s from the first's basis). Assumption: the
#: threshold between.
FRESH_ABOVE_MOVED = 0.5
#: Negative reduced cost pairs added per zone in one pricing round.
PRICED_PER_ZONE = 3
#: Grouped problems are summed over a dense (group, site) table up to this many cells (three
#: 8-byte values a cell: 2.4 GB at 100 million, postcode scale's 200,000 groups x 500 sites),
#: over pairs a block at a time; larger tables sort the pairs' keys instead (assumption).
AGGREGATE_DENSE_CELLS, AGGREGATE_BLOCK = 150_000_000, 20_000_000


@dataclass
class TransportSolution:
    """An optimal assignment for given capacities, with the prices that prove it.

    Attributes
    ----------
    cost
        Travel and unmet-demand cost (the objective).
    flows
        Scans on each pair (every pair of the problem, zero where unused).
    unmet
        Scans of each zone left unmet.
    zone_prices, site_prices
        The LP's duals: ``alpha_i`` (what one more scan of zone i would cost) and ``beta_j >= 0``
        (what one more scan of capacity at site j would save).
    worst_reduced_cost
        The most negative reduced cost of any pair to an open site (>= minus the tolerance when
        the solution is optimal for the full LP).
    rounds, pool
        Pricing rounds and pairs in the pool.
    """

    cost: float
    flows: np.ndarray
    unmet: np.ndarray
    zone_prices: np.ndarray
    site_prices: np.ndarray
    worst_reduced_cost: float
    rounds: int
    pool: int


class TransportProblem:
    """The transportation LP above for one planning year.

    Parameters
    ----------
    origin, destination
        Zone and site index of each pair.
    cost
        Cost of one scan on each pair (travel).
    demand
        Scans of each zone.
    unmet_cost
        Cost of one unmet scan of each zone.
    n_sites
        Number of sites (capacity rows).
    """

    def __init__(
        self,
        origin: np.ndarray,
        destination: np.ndarray,
        cost: np.ndarray,
        demand: np.ndarray,
        unmet_cost: np.ndarray,
        n_sites: int,
    ) -> None:
        # int32 and not copied: each planning year's problem shares the travel matrix's arrays
        # (at postcode scale, 182 million pairs, a copy of each is 0.7 GB).
        self.origin = np.asarray(origin, dtype=np.int32)
        self.destination = np.asarray(destination, dtype=np.int32)
        self.cost = np.asarray(cost, float)
        self.demand = np.asarray(demand, float)
        self.unmet_cost = np.broadcast_to(np.asarray(unmet_cost, float), self.demand.shape).copy()
        self.n_zones, self.n_sites = len(self.demand), int(n_sites)
        self.tolerance = 1e-7 * max(1.0, float(np.abs(self.cost).max(initial=0.0)))
        self._in_pool = np.zeros(len(self.cost), bool)
        self._last_capacity = np.zeros(self.n_sites)
        self._start_afresh()

    def __len__(self) -> int:
        return len(self.cost)

    # -- solving ------------------------------------------------------------------------------
    def solve(
        self,
        capacity: np.ndarray,
        *,
        threads: int | None = None,
        unmet_upper: np.ndarray | None = None,
        unmet_cost: np.ndarray | None = None,
        fresh: bool | None = False,
    ) -> TransportSolution:
        """The optimal assignment for site capacities ``capacity`` (scans a year).

        ``fresh`` starts from an empty pool and no basis. Measured on the 6,751 groups of
        33,755 zones x 500 sites: after the master's LP moved capacity between sites, the last
        basis over a pool of 100,000+ pairs took 20,000-34,000 simplex iterations at 0.4 ms
        each (8-15 s), a fresh start 1.6-8 s with its pricing rounds. ``None`` starts afresh
        when the capacities moved by more than ``FRESH_ABOVE_MOVED`` of their total since the
        last solve, and from the last basis otherwise.

        ``unmet_upper`` caps each zone's unmet scans (default: its demand, i.e. no cap) and
        ``unmet_cost`` replaces their cost for this solve (default: the problem's); the N-1
        analysis uses them so that only the patients of a closed site may lose their scan.
        """
        capacity = np.maximum(np.asarray(capacity, float), 0.0)
        if fresh is None:
            moved = np.abs(capacity - self._last_capacity).sum()
            fresh = moved > FRESH_ABOVE_MOVED * max(capacity.sum(), 1e-9)
        if fresh:
            self._start_afresh()
        self._last_capacity = capacity
        h = self._model()
        if threads:
            h.setOptionValue("threads", int(threads))
        zones = np.arange(self.n_zones, dtype=np.int32)
        if unmet_upper is not None or self._unmet_changed:
            upper = self.demand if unmet_upper is None else np.minimum(unmet_upper, self.demand)
            h.changeColsBounds(self.n_zones, zones, np.zeros(self.n_zones), upper)
        if unmet_cost is not None or self._unmet_changed:
            h.changeColsCost(
                self.n_zones, zones, self.unmet_cost if unmet_cost is None else unmet_cost
            )
        self._unmet_changed = unmet_upper is not None or unmet_cost is not None
        rows = (self.n_zones + np.arange(self.n_sites)).astype(np.int32)
        h.changeRowsBounds(self.n_sites, rows, np.full(self.n_sites, -np.inf), capacity)
        open_pair = capacity[self.destination] > 1e-9
        self._add(_nearest(np.flatnonzero(open_pair & ~self._in_pool), self, SEED_SITES))
        rounds = 0
        while True:
            if self._pool.size and self._highs_new:
                self._first_lp(h)
            else:
                run_highs(h)
            rounds += 1
            duals = np.asarray(h.getSolution().row_dual)
            alpha, beta = duals[: self.n_zones], np.maximum(-duals[self.n_zones :], 0.0)
            reduced = self.cost - alpha[self.origin] + beta[self.destination]
            negative = np.flatnonzero(open_pair & (reduced < -self.tolerance) & ~self._in_pool)
            if negative.size == 0:
                break
            self._add(_nearest(negative, self, PRICED_PER_ZONE, key=reduced))
        values = np.asarray(h.getSolution().col_value)
        flows = np.zeros(len(self.cost))
        flows[self._pool] = values[self.n_zones :]
        worst = reduced[open_pair].min(initial=0.0)
        return TransportSolution(
            cost=float(h.getInfo().objective_function_value),
            flows=flows,
            unmet=values[: self.n_zones].copy(),
            zone_prices=alpha.copy(),
            site_prices=beta,
            worst_reduced_cost=float(worst),
            rounds=rounds,
            pool=int(self._pool.size),
        )

    def change_demand(self, demand: np.ndarray) -> None:
        """Give the zones new scans a year, keeping the pool and the last basis, so that the
        next :meth:`solve` starts from the last solution (the N-1 analysis's closures start
        from its baseline)."""
        self.demand = np.asarray(demand, float).copy()
        if self._highs is not None:
            zones = np.arange(self.n_zones, dtype=np.int32)
            self._highs.changeRowsBounds(self.n_zones, zones, self.demand, self.demand)
            self._highs.changeColsBounds(self.n_zones, zones, np.zeros(self.n_zones), self.demand)

    def zone_prices(self, site_prices: np.ndarray, capacity: np.ndarray) -> np.ndarray:
        """The zone prices that site prices imply: ``min(P_i, min_j c_ij + beta_j)`` over open
        sites (the best dual for those site prices)."""
        open_pair = np.asarray(capacity, float)[self.destination] > 1e-9
        price = self.unmet_cost.copy()
        through = self.cost + np.asarray(site_prices, float)[self.destination]
        np.minimum.at(price, self.origin[open_pair], through[open_pair])
        return price

    def aggregated(self, group: np.ndarray) -> TransportProblem:
        """The same problem over groups of zones (``group[i]`` is zone i's group): a pair of a
        group and a site costs its members' demand-weighted mean. An approximation, used
        only for prices, never for a plan or a bound."""
        group = np.asarray(group, dtype=np.int64)
        n_groups = int(group.max()) + 1
        demand = np.bincount(group, weights=self.demand, minlength=n_groups)
        cells = n_groups * self.n_sites
        if cells <= AGGREGATE_DENSE_CELLS:
            # Sums over every (group, site) cell, a block of pairs at a time: at postcode scale
            # (182 million pairs) np.unique's sort of all the keys needed about 10 GB.
            weight_sum, cost_sum = np.zeros(cells), np.zeros(cells)
            for first in range(0, len(self.cost), AGGREGATE_BLOCK):
                block = slice(first, first + AGGREGATE_BLOCK)
                origin = self.origin[block]
                key = group[origin] * self.n_sites + self.destination[block]
                weight = self.demand[origin] + 1e-12
                weight_sum += np.bincount(key, weights=weight, minlength=cells)
                cost_sum += np.bincount(key, weights=weight * self.cost[block], minlength=cells)
            unique = np.flatnonzero(weight_sum)
            cost = cost_sum[unique] / weight_sum[unique]
        else:
            key = group[self.origin] * self.n_sites + self.destination
            unique, inverse = np.unique(key, return_inverse=True)
            weight = self.demand[self.origin] + 1e-12
            cost = np.bincount(inverse, weights=weight * self.cost) / np.bincount(
                inverse, weights=weight
            )
        unmet = np.bincount(group, weights=self.demand * self.unmet_cost, minlength=n_groups)
        unmet = unmet / np.maximum(demand, 1e-12)
        return TransportProblem(
            unique // self.n_sites, unique % self.n_sites, cost, demand, unmet, self.n_sites
        )

    def relaxed(self, group: np.ndarray) -> TransportProblem:
        """The same problem over groups of zones, as a relaxation: a group's pair to a site
        costs the least any of its members' pairs to that site costs, and an unmet scan the
        least of its members' penalties. Any assignment of the zones gives one of the groups
        (sum each group's flows) at no more cost, so for every capacity vector the relaxed
        optimum bounds the exact one below."""
        group = np.asarray(group, dtype=np.int64)
        n_groups = int(group.max()) + 1 if group.size else 0
        cells = n_groups * self.n_sites
        if cells <= AGGREGATE_DENSE_CELLS:
            # A block of pairs at a time, as in aggregated (postcode scale's 182 million pairs).
            least = np.full(cells, np.inf)
            for first in range(0, len(self.cost), AGGREGATE_BLOCK):
                block = slice(first, first + AGGREGATE_BLOCK)
                key = group[self.origin[block]] * self.n_sites + self.destination[block]
                np.minimum.at(least, key, self.cost[block])
            unique = np.flatnonzero(np.isfinite(least))
            cost = least[unique]
        else:
            key = group[self.origin] * self.n_sites + self.destination
            order = np.argsort(key, kind="stable")
            first = np.flatnonzero(np.diff(key[order], prepend=-1))
            unique = key[order][first]
            cost = np.minimum.reduceat(self.cost[order], first) if first.size else np.zeros(0)
        unmet = np.full(n_groups, np.inf)
        np.minimum.at(unmet, group, self.unmet_cost)
        demand = np.bincount(group, weights=self.demand, minlength=n_groups)
        return TransportProblem(
            unique // self.n_sites, unique % self.n_sites, cost, demand, unmet, self.n_sites
        )

    # -- the LP as a model a planner can read -------------------------------------------------
    def to_milp(self, capacity: np.ndarray) -> SparseMILP:
        """The full LP for capacities ``capacity``, every pair a column (small instances:
        ``to_milp(cap).to_pulp()`` gives it as a PuLP problem)."""
        lp = SparseMILP(name="assignment")
        x = lp.add_columns("x", len(self.cost), cost=self.cost)
        u = lp.add_columns("u", self.n_zones, cost=self.unmet_cost, upper=self.demand)
        zones = np.arange(self.n_zones)
        lp.add_rows(
            "demand",
            self.n_zones,
            np.concatenate([self.origin, zones]),
            np.concatenate([x, u]),
            1.0,
            lower=self.demand,
            upper=self.demand,
        )
        lp.add_rows("capacity", self.n_sites, self.destination, x, 1.0, upper=capacity)
        return lp

    # -- the pooled HiGHS model -------------------------------------------------------------
    def _start_afresh(self) -> None:
        """No HiGHS model, an empty pool, and the problem's own unmet bounds and costs."""
        self._highs, self._unmet_changed, self._highs_new = None, False, False
        self._pool = np.zeros(0, dtype=np.int64)
        self._in_pool[:] = False

    def _model(self):
        if self._highs is not None:
            return self._highs
        import highspy

        n, s = self.n_zones, self.n_sites
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n, n + s
        lp.col_cost_ = self.unmet_cost
        lp.col_lower_ = np.zeros(n)
        lp.col_upper_ = self.demand
        lp.row_lower_ = np.concatenate([self.demand, np.full(s, -np.inf)])
        lp.row_upper_ = np.concatenate([self.demand, np.zeros(s)])
        a = sp.csc_matrix((np.ones(n), (np.arange(n), np.arange(n))), shape=(n + s, n))
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = a.indptr.astype(np.int32)
        lp.a_matrix_.index_ = a.indices.astype(np.int32)
        lp.a_matrix_.value_ = a.data
        h = new_highs()
        h.passModel(lp)
        self._highs, self._highs_new = h, True
        return h

    def _first_lp(self, h) -> None:
        """A new model's first LP (see INTERIOR_POINT_ABOVE)."""
        self._highs_new = False
        if self.n_zones <= INTERIOR_POINT_ABOVE:
            run_highs(h)
            return
        h.setOptionValue("solver", "ipm")
        h.setOptionValue("run_crossover", "on")  # the duals of a basis, for the pricing
        try:
            run_highs(h)
        finally:
            h.setOptionValue("solver", "choose")

    def _add(self, pairs: np.ndarray) -> None:
        pairs = pairs[~self._in_pool[pairs]]
        if pairs.size == 0:
            return
        self._in_pool[pairs] = True
        self._pool = np.concatenate([self._pool, pairs])
        k = pairs.size
        index = np.empty(2 * k, dtype=np.int32)
        index[0::2] = self.origin[pairs]
        index[1::2] = self.n_zones + self.destination[pairs]
        starts = np.arange(0, 2 * k, 2, dtype=np.int32)
        self._highs.addCols(
            k,
            self.cost[pairs],
            np.zeros(k),
            np.full(k, np.inf),
            2 * k,
            starts,
            index,
            np.ones(2 * k),
        )


def _nearest(
    pairs: np.ndarray, problem: TransportProblem, per_zone: int, key: np.ndarray | None = None
) -> np.ndarray:
    """Of ``pairs``, each zone's ``per_zone`` with the smallest ``key`` (default: cost)."""
    if pairs.size == 0:
        return pairs
    zone = problem.origin[pairs]
    value = (problem.cost if key is None else key)[pairs]
    order = np.lexsort((value, zone))
    pairs, zone = pairs[order], zone[order]
    rank = np.arange(zone.size) - np.searchsorted(zone, zone, side="left")
    return pairs[rank < per_zone]
