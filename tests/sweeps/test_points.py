"""Sweep designs: which runs a --vary gives, counted and listed by hand."""

from __future__ import annotations

import pytest

from planner.errors import InputError
from planner.scenario import load_scenario
from planner.sweeps.points import (
    Vary,
    neighbours,
    next_claim,
    parse_vary,
    scenario_hash,
    sweep_points,
)


@pytest.fixture(scope="module")
def base():
    return load_scenario("england_baseline")


def test_parse_vary_reads_toml_values_and_bare_words():
    assert parse_vary("demand.annual_growth=0.0,0.05,0.12") == Vary(
        "demand.annual_growth", (0.0, 0.05, 0.12)
    )
    regions = parse_vary('data.regions=["E12000001"],["E12000001","E12000002"]')
    assert regions.values == (["E12000001"], ["E12000001", "E12000002"])
    assert parse_vary("existing.policy=keep,may_close").values == ("keep", "may_close")
    for bad in ("demand.annual_growth", "=1,2", "growth=1,2", "demand.annual_growth="):
        with pytest.raises(InputError, match="--vary"):
            parse_vary(bad)


def test_grid_zip_and_one_at_a_time(base):
    g = Vary("demand.annual_growth", (0.0, 0.05, 0.12))
    s = Vary("limits.max_sites", (20, 30))
    grid = sweep_points(base, [g, s])
    assert [dict(p.values) for p in grid] == [
        {"demand.annual_growth": a, "limits.max_sites": b}
        for a in (0.0, 0.05, 0.12)
        for b in (20, 30)
    ]
    with pytest.raises(InputError, match="as many values"):
        sweep_points(base, [g, s], "zip")
    zipped = sweep_points(base, [g, Vary("limits.max_sites", (20, 30, 40))], "zip")
    assert [tuple(v for _, v in p.values) for p in zipped] == [(0.0, 20), (0.05, 30), (0.12, 40)]
    # One at a time: the base (growth 0.05, no site limit), then each key moved alone; the
    # growth the base already has is not run twice.
    oat = sweep_points(base, [g, s], "one_at_a_time")
    assert [(p.moved, dict(p.overrides)) for p in oat] == [
        (None, {}),
        ("demand.annual_growth", {"demand.annual_growth": 0.0}),
        ("demand.annual_growth", {"demand.annual_growth": 0.12}),
        ("limits.max_sites", {"limits.max_sites": 20}),
        ("limits.max_sites", {"limits.max_sites": 30}),
    ]
    assert dict(oat[3].values) == {"demand.annual_growth": 0.05, "limits.max_sites": 20}
    # A run's folder is named by its values: distinct within a sweep, the same for the same run.
    assert len({p.folder for p in grid}) == len(grid) and len({p.folder for p in oat}) == len(oat)
    assert oat[3].folder == grid[2].folder


def test_a_run_is_known_by_its_scenario(base):
    point = sweep_points(base, [Vary("demand.annual_growth", (0.1,))])[0]
    changed = point.scenario(base)
    assert changed.demand.annual_growth == 0.1
    assert scenario_hash(changed) != scenario_hash(base)
    assert scenario_hash(changed) == scenario_hash(
        changed.model_dump(mode="json", exclude={"base_dir"})
    )
    with pytest.raises(InputError, match="demand.annual_grwth"):
        sweep_points(base, [Vary("demand.annual_grwth", (0.1,))])[0].scenario(base)


def test_each_run_starts_from_its_nearest_neighbours_first(base):
    grid = sweep_points(
        base, [Vary("demand.annual_growth", (0.0, 0.04, 0.08)), Vary("access.share", (0.9, 0.98))]
    )
    # Runs 0..5: (growth 0, 0.9), (0, 0.98), (0.04, 0.9), (0.04, 0.98), (0.08, 0.9), (0.08, 0.98).
    # From run 2: one step away are 3 (next in the sweep), then 0 and 4 (two places away, the
    # earlier first); two steps away is 1; run 5 is not among those still to run.
    assert neighbours(grid, [0, 1, 2, 3, 4])[2] == [3, 0, 4, 1]
    # Numbers are stepped in their order, not the sweep's: 0.12 is beside 0.05, not beside 0.
    oat = sweep_points(base, [Vary("demand.annual_growth", (0.0, 0.12))], "one_at_a_time")
    assert [p.label for p in oat] == [
        "demand.annual_growth=0.05",
        "demand.annual_growth=0",
        "demand.annual_growth=0.12",
    ]
    assert neighbours(oat, [0, 1, 2]) == {0: [1, 2], 1: [0, 2], 2: [0, 1]}


def test_threads_claim_runs_from_the_two_ends_then_their_own_nearest(base):
    grid = sweep_points(
        base, [Vary("demand.annual_growth", (0.0, 0.04, 0.08)), Vary("access.share", (0.9, 0.98))]
    )
    # Runs 0..5 as above. The first thread takes run 0; the second, the run farthest in the
    # sweep from it, 5. Then a thread that did 0 takes 0's nearest free neighbour, 1 (one
    # step, the next in the sweep), and one that did 5 takes 4; from 1, whose nearest are
    # 0 (taken) and 3 (one step each), it takes 3, not 2 (two steps); from 4, it takes 2.
    order = list(range(6))
    nearest = neighbours(grid, order)
    assert next_claim(order, set(), None, nearest) == 0
    assert next_claim(order, {0}, None, nearest) == 5
    assert next_claim(order, {0, 5}, 0, nearest) == 1
    assert next_claim(order, {0, 5, 1}, 5, nearest) == 4
    assert next_claim(order, {0, 5, 1, 4}, 1, nearest) == 3
    assert next_claim(order, {0, 5, 1, 4, 3}, 4, nearest) == 2
    assert next_claim(order, set(order), 2, nearest) is None
    # A third thread's first run is the free one farthest from every run claimed: between
    # 0 and 5, run 2 or 3 (each 2 places from the nearer), the earlier.
    assert next_claim(order, {0, 5}, None, nearest) == 2
    # Past the neighbours it was given, a thread takes the free run nearest in the sweep.
    assert next_claim(order, {0, 1, 2}, 2, {2: [1]}) == 3
    # A neighbour that is not a run to do (its inputs failed to load) is passed over.
    assert next_claim([0, 1, 3], {0}, 0, {0: [2, 3, 1]}) == 3
