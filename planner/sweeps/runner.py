"""Running a sweep on Dask distributed: a local cluster by default, any scheduler if given.

The client process plans the runs (:mod:`planner.sweeps.points`), skips those already
complete in ``DIR/runs/`` (:mod:`planner.sweeps.results`), loads each group's inputs once and
scatters them to the workers (:mod:`planner.sweeps.shared`), and submits one task per run.
Each task calls :func:`planner.run` with the shared inputs and writes its plan folder under
``DIR/runs/`` itself (staged and swapped in whole: :func:`planner.reports.run_folder.write_run`),
so the workers need the same file system as the client: one machine, or an HPC cluster's
shared disk.

Warm starts: the runs are split into as many chains as the cluster has worker threads, each
chain a run of consecutive points (neighbours in the grid: they differ in the last key's value).
A run waits for the one before it in its chain and starts from that run's sites
(:func:`planner.network.warm_start.from_neighbour`); the chains run side by side. A task never
raises: a failure is a row with its status and message, and the next run in the chain starts
cold.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from planner.errors import ModelInfeasibleError, PlannerError
from planner.network import NetworkInputs
from planner.scenario import Scenario
from planner.sweeps.points import Point, scenario_hash
from planner.sweeps.results import (
    ERROR,
    INFEASIBLE,
    completed_row,
    failure_row,
    is_run_folder,
    plan_row,
    write_failure,
)

#: Columns of a plan's sites table a neighbouring run starts from.
_START_COLUMNS = ["site_id", "fixed_scanners", "mobile_days"]


@dataclass(frozen=True)
class RunTask:
    """What a worker needs for one run (small: the inputs travel separately, scattered)."""

    scenario: Scenario
    loaded_for: Scenario  # the scenario the shared inputs were loaded for
    folder: str
    maps: bool
    reports: bool


def run_point(task: RunTask, shared: NetworkInputs | None, previous: dict | None) -> dict:
    """Plan one run on a worker and write its folder; never raises (see the module docstring).

    Returns ``{"row": ..., "sites": ...}``: the run's :func:`~planner.sweeps.results.plan_row`
    (or failure row) and its sites table for the next run's warm start (``None`` on failure).
    """
    import planner
    from planner.reports.run_folder import write_run
    from planner.sweeps.shared import inputs_for

    scenario = task.scenario
    try:
        inputs = inputs_for(shared, task.loaded_for, scenario)
        neighbour = previous.get("sites") if previous else None
        plan = planner.run(scenario, inputs=inputs, neighbour=neighbour)
        write_run(plan, task.folder, draw_map=task.maps, report=task.reports)
        return {"row": plan_row(plan.summary), "sites": plan.sites[_START_COLUMNS].copy()}
    except ModelInfeasibleError as exc:
        write_failure(task.folder, INFEASIBLE, str(exc), scenario)
        return {"row": failure_row(INFEASIBLE, str(exc)), "sites": None}
    except PlannerError as exc:
        return {"row": failure_row(ERROR, str(exc)), "sites": None}
    except Exception as exc:  # a sweep reports every run, whatever stopped one
        return {"row": failure_row(ERROR, f"{type(exc).__name__}: {exc}"), "sites": None}


@contextlib.contextmanager
def dask_client(workers: int | None = None, scheduler: str | None = None) -> Iterator:
    """A Dask client: of the scheduler at ``scheduler``, or of a new local cluster of
    ``workers`` processes (default: one per core), one thread each, closed afterwards."""
    from distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    n = workers or os.cpu_count() or 1
    # One thread a worker: HiGHS is given one thread a run (solver.threads = 1), so the runs,
    # not the solver, share the cores. No dashboard: nothing listens beyond the cluster itself.
    with (
        LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def chains(points: list[int], count: int) -> list[list[int]]:
    """``points`` (in sweep order) split into ``count`` runs of consecutive points."""
    count = max(1, min(count, len(points)))
    return [list(chunk) for chunk in np.array_split(np.asarray(points, int), count) if len(chunk)]


def run_points(
    client,
    base: Scenario,
    points: list[Point],
    runs_dir: Path,
    *,
    maps: bool = False,
    reports: bool = False,
    warm_start: bool = True,
    progress_bar: bool = True,
    say=print,
) -> tuple[list[dict], int]:
    """Run every point not already complete; return each point's row and how many were skipped.

    Each point's scenario is the base with its overrides and, unless the scenario sets it,
    ``solver.threads = 1``.
    """
    from planner.sweeps.shared import inputs_key, load_shared

    scenarios = [_one_thread(p.scenario(base)) for p in points]
    rows: list[dict | None] = [None] * len(points)
    pending = []
    for i, (point, scenario) in enumerate(zip(points, scenarios, strict=True)):
        folder = runs_dir / point.folder
        row = completed_row(folder, scenario_hash(scenario))
        if row is not None:
            rows[i] = {**row, "run_folder": _relative(folder, runs_dir)}
        elif folder.exists() and any(folder.iterdir()) and not is_run_folder(folder):
            raise PlannerError(
                f"{folder} holds files a sweep did not write; move them or choose another --out"
            )
        else:
            pending.append(i)
    skipped = len(points) - len(pending)
    if skipped:
        say(f"{skipped} of {len(points)} runs already complete in {runs_dir}: skipped")
    if not pending:
        return rows, skipped
    shared: dict[str, tuple] = {}
    for i in pending:
        key = inputs_key(scenarios[i])
        if key in shared:
            continue
        try:
            inputs = load_shared(scenarios[i])
            say(
                f"inputs loaded once for {sum(inputs_key(scenarios[j]) == key for j in pending)} "
                f"runs: {len(inputs.zones):,} demand zones, {len(inputs.sites):,} sites, "
                f"{len(inputs.travel):,} zone-site pairs"
            )
            shared[key] = (client.scatter(inputs, broadcast=True), scenarios[i], None)
        except PlannerError as exc:
            shared[key] = (None, scenarios[i], str(exc))
    threads = sum(client.nthreads().values()) or 1
    futures = {}
    for chain in chains(pending, threads):
        previous = None
        for i in chain:
            data, loaded_for, error = shared[inputs_key(scenarios[i])]
            if error is not None:
                rows[i] = {**failure_row(ERROR, error), "run_folder": ""}
                continue
            task = RunTask(
                scenarios[i], loaded_for, str(runs_dir / points[i].folder), maps, reports
            )
            futures[i] = client.submit(
                run_point,
                task,
                data,
                previous if warm_start else None,
                key=f"run-{points[i].folder}",
                pure=False,
            )
            previous = futures[i]
    say(f"{len(pending)} runs on {threads} worker threads ({len(chains(pending, threads))} chains)")
    if progress_bar:
        show_progress(list(futures.values()))
    for i, future in futures.items():
        try:
            row = future.result()["row"]
        except Exception as exc:  # the worker itself died (out of memory, killed)
            row = failure_row(ERROR, f"{type(exc).__name__}: {exc}")
        folder = runs_dir / points[i].folder
        rows[i] = {**row, "run_folder": _relative(folder, runs_dir) if folder.exists() else ""}
    return rows, skipped


def show_progress(futures: list) -> None:
    """Dask's own progress bar: a widget in a notebook with ipywidgets, else a text bar."""
    from distributed import progress

    try:
        import ipywidgets  # noqa: F401
        from IPython import get_ipython

        in_notebook = get_ipython() is not None and "IPKernelApp" in get_ipython().config
    except ImportError:
        in_notebook = False
    # Once a second: a notebook keeps every update of the text bar in its output.
    bar = progress(futures, notebook=in_notebook, multi=False, interval="1s")
    if in_notebook:
        from IPython.display import display

        display(bar)


def _one_thread(scenario: Scenario) -> Scenario:
    if scenario.solver.threads is not None:
        return scenario
    return scenario.updated({"solver.threads": 1}, source="sweep")


def _relative(folder: Path, runs_dir: Path) -> str:
    return str(Path(runs_dir.name) / folder.relative_to(runs_dir))
