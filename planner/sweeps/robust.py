"""``planner robust``: one set of sites for several futures, and what it costs in each.

The futures are the points of a sweep (``--vary demand.annual_growth=0.0,0.05,0.12``). Each
future's own optimum is solved first, as a sweep on Dask (``DIR/own/``, resumable like any
sweep); then the two-stage model (:mod:`planner.network.robust`) chooses the sites now and each
future's scanners and mobile days, in this process (one MILP). Written:

``DIR/regret.csv``
    one row per future: the varied keys, ``cost_own_optimum`` (the future's optimum alone),
    ``cost_robust`` (the robust plan's cost in that future), ``regret`` (their difference,
    pounds a year; 0 below a millionth of the cost, the solver's rounding), ``regret_share``
    (of the own optimum), the statuses and the plan folder.
``DIR/robust/``
    the robust plan in the first future, a plan folder (map, reports) that ``planner map``
    and ``planner report`` read; ``DIR/robust_futures/<future>/`` the same plan in each future
    (the same sites, that future's scanners and mobile days).
``DIR/robust.json``
    the objective, the model's size and times.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from planner.errors import InputError
from planner.files import write_file, write_text
from planner.network import NetworkModel
from planner.network.robust import RobustResult, solve_robust
from planner.plan import Provenance
from planner.scenario import Scenario, load_scenario
from planner.sweeps.points import Point, Vary, sweep_points
from planner.sweeps.shared import inputs_for, inputs_key, load_shared
from planner.sweeps.sweep import as_varies, sweep

ROBUST_FILE = "robust.json"


@dataclass
class RobustOutcome:
    """What :func:`robust` wrote: the folder, ``regret.csv`` as a table, the model's result."""

    folder: Path
    regret: pd.DataFrame
    result: RobustResult
    points: list[Point]


def robust(
    scenario: Scenario | str | os.PathLike,
    vary: Mapping[str, Sequence] | Sequence[Vary | str],
    out: str | os.PathLike,
    *,
    objective: str = "regret",
    design: str = "grid",
    overrides: Mapping[str, object] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    client=None,
    progress_bar: bool = True,
    say: Callable[[str], None] = print,
) -> RobustOutcome:
    """Plan one set of sites for every future of ``vary`` (see the module docstring).

    Parameters
    ----------
    objective
        ``"regret"`` (default: the worst regret over the futures) or ``"expected"`` (their
        mean cost); :mod:`planner.network.robust` says why regret is the default.
    Other parameters
        As :func:`planner.sweeps.sweep`.

    Raises
    ------
    InputError
        A future infeasible on its own, futures that do not share their sites, or a folder
        holding other files.
    """
    base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if overrides:
        base = base.updated(overrides, source="--set")
    out = Path(out)
    if out.is_dir() and any(out.iterdir()) and not (out / ROBUST_FILE).is_file():
        raise InputError(
            f"holds files that are not a robust plan's (no {ROBUST_FILE}); choose a new or empty "
            "folder",
            source=str(out),
            field="--out",
        )
    varies = as_varies(vary)
    points = sweep_points(base, varies, design)
    out.mkdir(parents=True, exist_ok=True)
    started_record = {"scenario": base.name, "objective": objective, "status": "running"}
    write_text(out / ROBUST_FILE, json.dumps(started_record, indent=2) + "\n")
    say(f"robust plan of {base.name!r} over {len(points)} futures: each future alone first")
    own = sweep(
        base,
        varies,
        out / "own",
        design=design,
        workers=workers,
        scheduler=scheduler,
        client=client,
        progress_bar=progress_bar,
        charts=False,
        say=say,
    )
    table = own.results
    missing = table[~table["status"].isin(["optimal", "feasible"])]
    if not missing.empty:
        which = points[missing.index[0]].label
        raise InputError(
            f"future {which} has no plan on its own ({missing['status'].iloc[0]}: "
            f"{missing['message'].iloc[0]}); a robust plan needs every future feasible",
            field="--vary",
        )
    own_costs = table["objective"].astype(float).tolist()
    scenarios = [p.scenario(base) for p in points]
    models = _models(scenarios)
    say(f"solving the robust model ({objective.replace('_', ' ')}) ...")
    started = time.perf_counter()
    result = solve_robust(models, objective, own_costs)
    say(
        f"robust model: {result.size.variables:,} variables ({result.size.integer_variables:,} "
        f"integer), {result.size.constraints:,} constraints; {result.status} in "
        f"{time.perf_counter() - started:.1f} s"
    )
    regret = _write(out, base, points, scenarios, table, result)
    return RobustOutcome(out, regret, result, points)


def _models(scenarios: list[Scenario]) -> list[NetworkModel]:
    """The futures' network models, their inputs loaded once per inputs key."""
    loaded: dict[str, tuple] = {}
    models = []
    for scenario in scenarios:
        key = inputs_key(scenario)
        if key not in loaded:
            loaded[key] = (load_shared(scenario), scenario)
        shared, loaded_for = loaded[key]
        models.append(NetworkModel(inputs_for(shared, loaded_for, scenario), scenario))
    return models


def _write(out, base, points, scenarios, own: pd.DataFrame, result: RobustResult) -> pd.DataFrame:
    from planner.reports.run_folder import write_run

    timings = {"build": round(result.build_seconds, 3), "solve": round(result.solve_seconds, 3)}
    folders = []
    for i, (point, scenario, plan) in enumerate(zip(points, scenarios, result.plans, strict=True)):
        plan.provenance = Provenance(scenario=scenario, timings=timings)
        folder = out / "robust_futures" / point.folder
        write_run(plan, folder, draw_map=False, report=False)
        folders.append(str(folder.relative_to(out)))
        if i == 0:
            write_run(plan, out / "robust")
    keys = [k for k, _ in points[0].values]
    regret = own[keys].copy()
    regret["cost_own_optimum"] = own["objective"].astype(float)
    regret["cost_robust"] = result.costs
    difference = regret["cost_robust"] - regret["cost_own_optimum"]
    # A millionth of the cost is the solver's floating-point noise, not a regret.
    noise = difference.abs() <= 1e-6 * regret["cost_own_optimum"]
    regret["regret"] = difference.mask(noise, 0.0)
    regret["regret_share"] = regret["regret"] / regret["cost_own_optimum"]
    regret["own_status"] = own["status"]
    regret["own_mip_gap"] = own["mip_gap"]
    regret["robust_status"] = result.status
    regret["robust_mip_gap"] = result.mip_gap
    regret["plan_folder"] = folders
    write_file(out / "regret.csv", lambda tmp: regret.to_csv(tmp, index=False))
    record = {
        "scenario": base.name,
        "objective": result.objective,
        "futures": [p.label for p in points],
        "status": result.status,
        "mip_gap": result.mip_gap,
        "model_size": result.size.as_dict(),
        "build_seconds": round(result.build_seconds, 3),
        "solve_seconds": round(result.solve_seconds, 3),
        "robust_plan": "robust/ is the robust plan in the first future: " + points[0].label,
    }
    write_text(out / ROBUST_FILE, json.dumps(record, indent=2) + "\n")
    return regret
