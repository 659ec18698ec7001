"""The grouped transportation problem (the decomposition's first prices) against pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.optimise import transport
from planner.optimise.transport import TransportProblem


@pytest.mark.parametrize("dense", [True, False])
def test_grouped_costs_are_the_members_demand_weighted_means(monkeypatch, dense):
    rng = np.random.default_rng(7)
    zones, sites = 400, 12
    key = np.unique(np.repeat(np.arange(zones), 5) * sites + rng.integers(0, sites, 5 * zones))
    origin, destination = key // sites, key % sites
    cost = rng.random(key.size) * 50
    demand = rng.random(zones) * 9
    demand[::17] = 0.0  # zones with no scans still count, by the 1e-12 weight
    unmet = rng.random(zones) * 100 + 100
    problem = TransportProblem(origin, destination, cost, demand, unmet, sites)
    group = rng.integers(0, 60, zones)
    # Small blocks, so that the dense path sums over several of them.
    monkeypatch.setattr(transport, "AGGREGATE_BLOCK", 97)
    monkeypatch.setattr(transport, "AGGREGATE_DENSE_CELLS", 10**9 if dense else 0)
    grouped = problem.aggregated(group)

    pairs = pd.DataFrame(
        {"g": group[origin], "s": destination, "w": demand[origin] + 1e-12, "c": cost}
    )
    pairs["wc"] = pairs["w"] * pairs["c"]
    expected = pairs.groupby(["g", "s"])[["w", "wc"]].sum()
    expected["cost"] = expected["wc"] / expected["w"]
    assert list(zip(grouped.origin, grouped.destination, strict=True)) == list(expected.index)
    np.testing.assert_allclose(grouped.cost, expected["cost"].to_numpy(), rtol=1e-12)
    zone_table = pd.DataFrame({"g": group, "d": demand, "du": demand * unmet})
    by_group = zone_table.groupby("g").sum().reindex(range(group.max() + 1), fill_value=0.0)
    np.testing.assert_allclose(grouped.demand, by_group["d"].to_numpy())
    np.testing.assert_allclose(
        grouped.unmet_cost, by_group["du"].to_numpy() / np.maximum(by_group["d"], 1e-12)
    )
