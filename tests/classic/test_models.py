"""Classic location models against brute-force enumeration on small random instances."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import linprog

from planner.classic import cflp, lscp, mclp, p_center, p_median
from planner.errors import InputError, ModelInfeasibleError
from planner.optimise.solver import SolverOptions

SEEDS = range(6)


def instance(seed: int, sparse: bool = False):
    """Random integer costs (ties on purpose), n in 8..12, m in 5..7; optionally sparse."""
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(8, 13)), int(rng.integers(5, 8))
    costs = rng.integers(0, 30, size=(n, m)).astype(float)
    weights = rng.integers(1, 6, size=n).astype(float)
    if sparse:
        mask = rng.random((n, m)) < 0.6
        mask[np.arange(n), rng.integers(0, m, n)] = True  # every point reaches something
        rows, cols = np.nonzero(mask)
        return sp.coo_matrix((costs[rows, cols], (rows, cols)), shape=(n, m)), weights
    return costs, weights


def dense_of(costs) -> np.ndarray:
    if sp.issparse(costs):
        dense = np.full(costs.shape, np.inf)
        coo = costs.tocoo()
        dense[coo.row, coo.col] = coo.data
        return dense
    return np.asarray(costs, float)


def subsets(m: int, size: int | None, required=()):
    sizes = [size] if size is not None else range(1, m + 1)
    for k in sizes:
        for s in itertools.combinations(range(m), k):
            if set(required) <= set(s):
                yield list(s)


def nearest(dense, s):
    return dense[:, s].min(axis=1)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("seed", SEEDS)
def test_p_median_matches_enumeration(seed, sparse):
    costs, w = instance(seed, sparse)
    dense = dense_of(costs)
    m = dense.shape[1]
    required = [seed % m]
    for levels in ("full", "generate"):
        result = p_median(costs, 3, weights=w, required=required, levels=levels)
        best = min(float(w @ nearest(dense, s)) for s in subsets(m, 3, required))
        if not np.isfinite(best):
            assert result.status == "infeasible"
            continue
        assert result.status == "optimal"
        assert result.objective == pytest.approx(best)
        assert len(result.facilities) == 3 and set(required) <= set(result.facilities)
        assert list(result.facilities) == sorted(result.facilities)
        served = dense[np.arange(dense.shape[0]), result.assignment]
        assert float(w @ served) == pytest.approx(best)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("seed", SEEDS)
def test_p_center_matches_enumeration(seed, sparse):
    costs, w = instance(seed, sparse)
    dense = dense_of(costs)
    m = dense.shape[1]
    result = p_center(costs, 2, weights=w, required=[0])
    best = min(float((w * nearest(dense, s)).max()) for s in subsets(m, 2, [0]))
    if not np.isfinite(best):
        assert result.status == "infeasible"
        return
    assert result.status == "optimal"
    assert result.objective == pytest.approx(best)
    assert result.gap == 0
    assert 0 in result.facilities and len(result.facilities) == 2


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("seed", SEEDS)
def test_mclp_matches_enumeration(seed, sparse):
    costs, w = instance(seed, sparse)
    dense = dense_of(costs)
    m = dense.shape[1]
    radius = 8.0
    result = mclp(costs, radius, 2, weights=w, required=[1])
    best = max(float(w[nearest(dense, s) <= radius].sum()) for s in subsets(m, 2, [1]))
    assert result.status == "optimal"
    assert result.objective == pytest.approx(best)
    assert result.assignment.dtype == bool
    assert float(w[result.assignment].sum()) == pytest.approx(best)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("seed", SEEDS)
def test_lscp_matches_enumeration(seed, sparse):
    costs, _ = instance(seed, sparse)
    dense = dense_of(costs)
    n, m = dense.shape
    radius = 20.0
    feasible = [s for s in subsets(m, None, [2]) if (nearest(dense, s) <= radius).all()]
    if not feasible:
        with pytest.raises(ModelInfeasibleError, match="no facility within"):
            lscp(costs, radius, required=[2])
        return
    result = lscp(costs, radius, required=[2])
    assert result.status == "optimal"
    assert result.objective == min(len(s) for s in feasible)
    assert result.assignment.all() and 2 in result.facilities


def transport_cost(dense, w, s, capacities):
    """Least serving cost of open set ``s`` (fractions allowed), or inf if infeasible."""
    n = dense.shape[0]
    cost = w[:, None] * dense[:, s]
    reachable = np.isfinite(cost)
    k = len(s)
    c = np.where(reachable, cost, 0).ravel()
    a_eq = np.kron(np.eye(n), np.ones(k))
    a_ub = np.kron(np.ones(n), np.eye(k)) * np.repeat(w, k)[None, :]
    bounds = [(0, 1 if r else 0) for r in reachable.ravel()]
    res = linprog(
        c, A_ub=a_ub, b_ub=capacities[s], A_eq=a_eq, b_eq=np.ones(n), bounds=bounds, method="highs"
    )
    return res.fun if res.status == 0 else np.inf


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("seed", SEEDS)
def test_cflp_multiple_sourcing_matches_enumeration(seed, sparse):
    costs, w = instance(seed, sparse)
    dense = dense_of(costs)
    n, m = dense.shape
    rng = np.random.default_rng(100 + seed)
    fixed = rng.integers(20, 80, m).astype(float)
    capacities = rng.integers(8, 20, m).astype(float)
    best = min(
        fixed[s].sum() + transport_cost(dense, w, s, capacities) for s in subsets(m, None, [0])
    )
    result = cflp(costs, fixed_costs=fixed, capacities=capacities, weights=w, required=[0])
    if not np.isfinite(best):
        assert result.status == "infeasible"
        return
    assert result.status == "optimal"
    assert result.objective == pytest.approx(best, rel=1e-6)
    served = result.allocation.toarray()
    assert served.sum(axis=1) == pytest.approx(np.ones(n))
    assert (w @ served <= capacities + 1e-6).all()


@pytest.mark.parametrize("seed", range(3))
def test_cflp_single_sourcing_matches_enumeration(seed):
    rng = np.random.default_rng(seed)
    n, m = 6, 4
    dense = rng.integers(1, 30, size=(n, m)).astype(float)
    w = rng.integers(1, 6, n).astype(float)
    fixed = rng.integers(10, 60, m).astype(float)
    capacities = rng.integers(6, 14, m).astype(float)
    best = np.inf
    for choice in itertools.product(range(m), repeat=n):
        choice = np.asarray(choice)
        load = np.bincount(choice, weights=w, minlength=m)
        if (load > capacities).any():
            continue
        opened = np.unique(choice)
        best = min(best, fixed[opened].sum() + float((w * dense[np.arange(n), choice]).sum()))
    result = cflp(dense, fixed_costs=fixed, capacities=capacities, weights=w, single_source=True)
    assert result.status == "optimal"
    assert result.objective == pytest.approx(best)
    assert set(np.unique(result.allocation.data)) == {1.0}


def test_capacitated_lscp_matches_enumeration():
    rng = np.random.default_rng(7)
    dense = rng.integers(0, 30, size=(10, 6)).astype(float)
    q = rng.integers(1, 5, 10).astype(float)
    cap = np.full(6, 9.0)
    radius = 22.0
    cover = np.where(dense <= radius, dense, np.inf)
    best = min(len(s) for s in subsets(6, None) if np.isfinite(transport_cost(cover, q, s, cap)))
    result = lscp(dense, radius, demand=q, capacities=cap)
    assert result.status == "optimal"
    assert result.objective == best
    loads = q @ result.allocation.toarray()
    assert (loads <= cap + 1e-6).all()


def test_lscp_names_uncoverable_points():
    costs = np.array([[1.0, 2.0], [50.0, 60.0], [3.0, 1.0]])
    with pytest.raises(ModelInfeasibleError, match=r"\[1\]"):
        lscp(costs, 10.0)


def test_p_median_infeasible_when_sparse_points_cannot_all_be_served():
    # Points 0 and 1 each reach only their own facility; with p=1 one is left unserved.
    costs = sp.csr_matrix(np.array([[1.0, 0.0], [0.0, 2.0]]))
    assert p_median(costs, 1).status == "infeasible"
    assert p_center(costs, 1).status == "infeasible"


def test_explicit_zero_in_sparse_matrix_is_reachable():
    costs = sp.csr_matrix(
        (np.array([0.0, 5.0]), (np.array([0, 1]), np.array([0, 0]))), shape=(2, 2)
    )
    result = p_median(costs, 1)
    assert result.status == "optimal" and result.objective == 5.0
    assert list(result.facilities) == [0]


@pytest.mark.parametrize("seed", range(3))
def test_highs_and_cbc_agree(seed):
    costs, w = instance(seed)
    fixed = np.full(costs.shape[1], 40.0)
    cap = np.full(costs.shape[1], 20.0)
    for name in ("highs", "cbc"):
        options = SolverOptions(name=name)
        got = (
            p_median(costs, 3, weights=w, solver=options).objective,
            p_center(costs, 2, solver=options).objective,
            mclp(costs, 8.0, 2, weights=w, solver=options).objective,
            lscp(costs, 25.0, solver=options).objective,
            cflp(costs, fixed_costs=fixed, capacities=cap, weights=w, solver=options).objective,
        )
        if name == "highs":
            expected = got
        else:
            assert got == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: p_median(np.array([[1.0, -2.0]]), 1), "negative"),
        (lambda: p_median(np.array([[1.0, np.nan]]), 1), "NaN"),
        (lambda: p_median(np.ones((3, 2)), 3), "p must be between 1"),
        (lambda: p_median(np.ones((3, 2)), 0), "p must be between 1"),
        (lambda: p_median(np.ones(3), 1), "2-D"),
        (lambda: p_median(np.ones((3, 2)), 1, weights=[1, 2]), "3 values"),
        (lambda: p_median(np.ones((3, 2)), 1, required=[0, 1]), "exceed p"),
        (lambda: p_median(np.ones((3, 2)), 1, required=[5]), "outside"),
        (lambda: p_median(np.zeros((0, 2)), 1), "at least one"),
        (lambda: p_median(sp.csr_matrix(np.array([[np.inf, 1.0]])), 1), "infinite"),
        (lambda: mclp(np.ones((3, 2)), -1.0, 1), "service_radius"),
        (lambda: lscp(np.ones((3, 2)), 1.0, demand=[1, 1, 1]), "both"),
        (lambda: cflp(np.ones((3, 2)), fixed_costs=[1.0]), "2 values"),
        (lambda: p_center(np.array([["a", "b"]]), 1), "numeric"),
    ],
)
def test_bad_input_raises_input_error(call, match):
    with pytest.raises(InputError, match=match):
        call()


def test_from_geodataframe_checks_crs_and_matches_cost_matrix():
    gpd = pytest.importorskip("geopandas")
    from shapely.geometry import Point

    from planner.classic import PMedian

    rng = np.random.default_rng(3)
    xy = rng.uniform(0, 10_000, size=(12, 2))
    sites = rng.uniform(0, 10_000, size=(5, 2))
    demand = gpd.GeoDataFrame(
        {"pop": rng.integers(1, 9, 12)}, geometry=[Point(x, y) for x, y in xy], crs=27700
    )
    facilities = gpd.GeoDataFrame(geometry=[Point(x, y) for x, y in sites], crs=27700)
    result = PMedian.from_geodataframe(demand, facilities, 2, weight_col="pop").solve()
    costs = np.hypot(xy[:, None, 0] - sites[None, :, 0], xy[:, None, 1] - sites[None, :, 1])
    assert result.objective == pytest.approx(p_median(costs, 2, weights=demand["pop"]).objective)
    with pytest.raises(InputError, match="geographic"):
        PMedian.from_geodataframe(demand.to_crs(4326), facilities.to_crs(4326), 2)
    haversine = PMedian.from_geodataframe(
        demand.to_crs(4326), facilities.to_crs(4326), 2, weight_col="pop", metric="haversine"
    ).solve()
    # British National Grid's scale factor differs from 1 by up to ~0.5% away from 2°W.
    assert haversine.objective == pytest.approx(result.objective, rel=1e-2)


def geodata_instance():
    gpd = pytest.importorskip("geopandas")
    from shapely.geometry import Point

    rng = np.random.default_rng(5)
    xy = rng.uniform(0, 10_000, size=(15, 2))
    sites = rng.uniform(0, 10_000, size=(6, 2))
    demand = gpd.GeoDataFrame(
        {"pop": rng.integers(1, 9, 15), "need": rng.integers(1, 4, 15)},
        geometry=[Point(x, y) for x, y in xy],
        crs=27700,
    )
    facilities = gpd.GeoDataFrame(
        {
            "existing": [True, False, False, False, False, False],
            "fixed": rng.integers(1_000, 5_000, 6).astype(float),
            "capacity": np.full(6, 20.0),
        },
        geometry=[Point(x, y) for x, y in sites],
        crs=27700,
    )
    costs = np.hypot(xy[:, None, 0] - sites[None, :, 0], xy[:, None, 1] - sites[None, :, 1])
    return demand, facilities, costs


def test_every_model_from_geodataframe_matches_its_cost_matrix_twin():
    from planner.classic import CFLP, LSCP, MCLP, PCenter, PMedian

    demand, facilities, costs = geodata_instance()
    w, need = demand["pop"].to_numpy(float), demand["need"].to_numpy(float)
    radius = float(np.sort(costs.min(axis=1))[-1]) + 1.0
    pairs = [
        (
            PMedian.from_geodataframe(
                demand, facilities, 2, weight_col="pop", required_col="existing"
            ),
            p_median(costs, 2, w, required=[0]),
        ),
        (
            PCenter.from_geodataframe(
                demand, facilities, 2, weight_col="pop", required_col="existing"
            ),
            p_center(costs, 2, weights=w, required=[0]),
        ),
        (
            MCLP.from_geodataframe(
                demand, facilities, 3000.0, 2, weight_col="pop", required_col="existing"
            ),
            mclp(costs, 3000.0, 2, weights=w, required=[0]),
        ),
        (
            LSCP.from_geodataframe(
                demand,
                facilities,
                radius,
                required_col="existing",
                demand_col="need",
                capacity_col="capacity",
            ),
            lscp(costs, radius, required=[0], demand=need, capacities=np.full(6, 20.0)),
        ),
        (
            CFLP.from_geodataframe(
                demand,
                facilities,
                fixed_cost_col="fixed",
                capacity_col="capacity",
                weight_col="need",
                required_col="existing",
            ),
            cflp(
                costs,
                fixed_costs=facilities["fixed"],
                capacities=np.full(6, 20.0),
                weights=need,
                required=[0],
            ),
        ),
    ]
    for model, twin in pairs:
        result = model.solve()
        assert result.status == twin.status == "optimal", model.name
        assert result.objective == pytest.approx(twin.objective), model.name
        assert 0 in result.facilities, model.name


@pytest.mark.parametrize(
    "column, value, match",
    [
        ("pop", "many", "not numbers"),
        ("pop", None, "not numbers"),
        ("existing", "yes", "True/False"),
        ("existing", None, "True/False"),
    ],
)
def test_bad_geodataframe_columns_name_the_column_and_row(column, value, match):
    from planner.classic import PMedian

    demand, facilities, _ = geodata_instance()
    table = demand if column == "pop" else facilities
    table[column] = table[column].astype(object)
    table.loc[3, column] = value
    with pytest.raises(InputError, match=match) as error:
        PMedian.from_geodataframe(demand, facilities, 2, weight_col="pop", required_col="existing")
    assert error.value.field == column and error.value.row == 3
    with pytest.raises(InputError, match="not found"):
        PMedian.from_geodataframe(demand, facilities, 2, weight_col="people")


def test_capacity_shortfalls_are_named_before_solving():
    with pytest.raises(ModelInfeasibleError, match="exceeds the capacity") as error:
        lscp(np.zeros((3, 2)), 1.0, demand=[5, 5, 5], capacities=[4, 4])
    assert "short by 7" in str(error.value)
    with pytest.raises(ModelInfeasibleError, match="exceeds the capacity"):
        cflp(np.zeros((3, 2)), fixed_costs=[1, 1], capacities=[4, 4], weights=[5, 5, 5])
    costs = np.array([[1.0, np.inf], [1.0, 2.0]])
    with pytest.raises(ModelInfeasibleError, match="single sourcing") as error:
        cflp(costs, fixed_costs=[1, 1], capacities=[4, 9], weights=[5, 3], single_source=True)
    assert "demand point 0: demand 5, largest reachable capacity 4" in str(error.value)


@pytest.mark.parametrize("seed", range(5))
def test_mclp_heuristic_ends_where_no_swap_covers_more(seed):
    from planner.classic.inputs import coverage
    from planner.classic.mclp_heuristic import covered_weight, greedy_swap

    rng = np.random.default_rng(seed)
    points, sites = rng.uniform(0, 100, (80, 2)), rng.uniform(0, 100, (12, 2))
    costs = np.hypot(points[:, None, 0] - sites[None, :, 0], points[:, None, 1] - sites[None, :, 1])
    cover = coverage(sp.csr_matrix(costs), 25.0)
    w = rng.integers(1, 10, 80).astype(float)
    must = np.zeros(12, bool)
    must[seed] = True
    plan = greedy_swap(cover, w, 3, must)
    assert plan.sum() == 3 and plan[seed]
    best = covered_weight(cover, w, plan)
    for r in np.flatnonzero(plan & ~must):
        for j in np.flatnonzero(~plan):
            swapped = plan.copy()
            swapped[r], swapped[j] = False, True
            assert covered_weight(cover, w, swapped) <= best + 1e-9
    # The exact MCLP can only do as well or better, and agrees with enumeration.
    exact = mclp(costs, 25.0, 3, weights=w, required=[seed])
    brute = max(covered_weight(cover, w, np.isin(np.arange(12), s)) for s in subsets(12, 3, [seed]))
    assert exact.objective == pytest.approx(brute) and brute >= best
