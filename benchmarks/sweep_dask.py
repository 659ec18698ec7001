"""A 16-run sweep serial and on 2 local Dask workers; the robust model against one future's.

Prints the seconds of the same 4 x 4 sweep (demand growth x access share, england_baseline on
the South West's LSOAs) on a local cluster of 1 worker (serial: one run after another, each
warm-started from the one before) and of 2 workers (each thread taking, when free, the nearest
free run to its last: planner/sweeps/runner.py), the speed-up, and for the
robust plan over three growth futures the model's size and solve time against the model of one
future alone. The machine's other load shows in the times: run it on a quiet machine.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from planner.network import NetworkModel
from planner.network.robust import build_robust, solve_robust
from planner.scenario import load_scenario
from planner.sweeps import sweep
from planner.sweeps.shared import inputs_for, load_shared

#: The South West's LSOAs: a run of about 8 s here, long enough that a worker's start-up and
#: the scattering of the inputs are a small part of the sweep.
BASE = {"data.regions": ["E12000009"], "solver.time_limit": 120}
#: The robust model on the South West's MSOAs, proven optimal, sites free to close.
ROBUST = {
    "data.regions": ["E12000009"],
    "data.zone_level": "msoa",
    "solver.mip_gap": 0.0,
    "existing.policy": "may_close",
}
VARY = {
    "demand.annual_growth": [0.0, 0.04, 0.08, 0.12],
    "access.share": [0.9, 0.95, 0.98, 0.99],
}
FUTURES = [0.0, 0.05, 0.12]


def _sweep(workers: int, folder: Path) -> float:
    started = time.perf_counter()
    result = sweep(
        "england_baseline", VARY, folder, overrides=BASE, workers=workers,
        progress_bar=False, charts=False, say=lambda _: None,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    counts = result.results["status"].value_counts().to_dict()
    print(f"  {workers} worker(s): {seconds:6.1f} s for {len(result.results)} runs {counts}")
    return seconds


def main() -> None:
    print("sweep: 4 x 4 (demand.annual_growth x access.share), South West LSOAs")
    with tempfile.TemporaryDirectory() as tmp:
        serial = _sweep(1, Path(tmp) / "serial")
        parallel = _sweep(2, Path(tmp) / "parallel")
    print(f"  speed-up on 2 workers: {serial / parallel:.2f}x (target >= 1.7x on 2 cores)")

    base = load_scenario("england_baseline").updated(ROBUST)
    scenarios = [base.updated({"demand.annual_growth": g}) for g in FUTURES]
    shared = load_shared(scenarios[0])
    models = [NetworkModel(inputs_for(shared, scenarios[0], s), s) for s in scenarios]
    own, alone = [], []
    for scenario in scenarios:
        model = NetworkModel(inputs_for(shared, scenarios[0], scenario), scenario)
        started = time.perf_counter()
        own.append(model.solve().summary["objective"])
        alone.append(time.perf_counter() - started)
    size = model.size
    print(f"robust plan over {len(FUTURES)} growth futures {FUTURES}, South West MSOAs (mip_gap 0)")
    print(
        f"  one future : {size.variables:,} variables ({size.integer_variables:,} integer), "
        f"{size.constraints:,} constraints, {size.nonzeros:,} nonzeros; solved in "
        + ", ".join(f"{t:.1f}" for t in alone)
        + " s"
    )
    robust, _, _ = build_robust(models, "regret", own)
    started = time.perf_counter()
    result = solve_robust(models, "regret", own)
    seconds = time.perf_counter() - started
    worst = max(c - o for c, o in zip(result.costs, own, strict=True))
    print(
        f"  robust     : {robust.num_cols:,} variables ({robust.num_integer:,} integer), "
        f"{robust.num_rows:,} constraints, {robust.nonzeros:,} nonzeros; {result.status} in "
        f"{seconds:.1f} s; worst regret £{worst:,.0f} a year"
    )


if __name__ == "__main__":
    main()
