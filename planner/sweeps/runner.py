"""Running a sweep on Dask distributed: a local cluster by default, any scheduler if given.

The client process plans the runs (:mod:`planner.sweeps.points`), skips those already
complete in ``DIR/runs/`` (:mod:`planner.sweeps.results`), loads each group's inputs once and
scatters them to the workers (:mod:`planner.sweeps.shared`), and submits one task per run.
Each task calls :func:`planner.run` with the shared inputs and writes its plan folder under
``DIR/runs/`` itself (staged and swapped in whole: :func:`planner.reports.run_folder.write_run`),
so the workers need the same file system as the client: one machine, or an HPC cluster's
shared disk.

Balance and warm starts: one task per run is submitted at once, and each task, when a worker
thread starts it, claims the run that thread should do next (:func:`planner.sweeps.points.
next_claim`, under a lock on the scheduler): the nearest free neighbour of the run it did last.
So a slow run holds up one thread and no other (runs of one sweep took from 0.4 to 15 s: split
into fixed chains ahead of time, one worker waited for the other), and each thread walks its
own path through the sweep, starting every run from a plan it has just made: with one queue in
sweep order, a run's nearest neighbour was often still running on the other thread, and the
2-worker runs took 13-23% more solver time than the serial sweep's. A run starts from the sites
of the nearest run already complete (:func:`planner.sweeps.points.neighbours`,
:func:`planner.network.warm_start.from_neighbour`), which each run posts on the scheduler when
it ends. Claims and posts are in Dask's metadata store, under the sweep's own key, cleared when
the sweep ends; a task rerun after its worker was lost does the run it had claimed. A task
never raises: a failure is a row with its status and message, and posts nothing.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from planner.errors import ModelInfeasibleError, PlannerError
from planner.network import NetworkInputs
from planner.scenario import Scenario
from planner.sweeps.points import Point, neighbours, next_claim, scenario_hash
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
#: Neighbours a run asks for a warm start, nearest first (one message to the scheduler each;
#: beyond these, a run is far enough from the rest to start as a cold run does).
_NEIGHBOURS_ASKED = 8


@dataclass(frozen=True)
class RunTask:
    """What a worker needs for one run (small: the inputs travel separately, scattered)."""

    scenario: Scenario
    loaded_for: Scenario  # the scenario the shared inputs were loaded for
    folder: str
    maps: bool
    reports: bool
    board: tuple[str, ...] = ()  # where runs post their sites on the scheduler: () for none
    name: str = ""  # this run's name there
    neighbours: tuple[str, ...] = ()  # the runs to start from, nearest first


@dataclass(frozen=True)
class SweepRuns:
    """Every task of a sweep and how threads claim them (scattered to the workers once)."""

    tasks: dict[int, RunTask]  # the runs to do, in sweep order
    inputs: dict[int, str]  # each run's key of the shared inputs
    nearest: dict[int, list[int]]
    claims: tuple[str, ...]  # where the claims are kept on the scheduler

    @property
    def order(self) -> tuple[int, ...]:
        return tuple(self.tasks)


def run_claimed(slot: str, runs: SweepRuns, shared: dict) -> dict:
    """Claim the run this worker thread should do next and do it (:func:`run_point`);
    returns ``{"index": the run's index, "row": ...}``."""
    index = _claim(slot, runs)
    if index is None:  # every run taken: only if a slot was rerun after its claim was lost
        return {"index": None, "row": None}
    return {"index": index, **run_point(runs.tasks[index], shared[runs.inputs[index]])}


def _claim(slot: str, runs: SweepRuns) -> int | None:
    from distributed import Lock, get_client, get_worker

    client = get_client()
    mine = client.get_metadata([*runs.claims, "slot", slot], default=None)
    if mine is not None:  # this task ran before, on a worker since lost: the same run
        return int(mine)
    thread = f"{get_worker().address} {threading.get_ident()}"
    with Lock("-".join(runs.claims)):
        claimed = set(client.get_metadata([*runs.claims, "claimed"], default=[]))
        last = client.get_metadata([*runs.claims, "last", thread], default=None)
        index = next_claim(runs.order, claimed, last, runs.nearest)
        if index is not None:
            client.set_metadata([*runs.claims, "claimed"], sorted(claimed | {index}))
            client.set_metadata([*runs.claims, "slot", slot], index)
            client.set_metadata([*runs.claims, "last", thread], index)
    return index


def run_point(task: RunTask, shared: NetworkInputs | None) -> dict:
    """Plan one run on a worker and write its folder; never raises (see the module docstring).

    Returns ``{"row": ...}``: the run's :func:`~planner.sweeps.results.plan_row` (or failure
    row). A run that made a plan posts its sites for the runs that start from it.
    """
    import planner
    from planner.reports.run_folder import write_run
    from planner.sweeps.shared import inputs_for

    scenario = task.scenario
    try:
        inputs = inputs_for(shared, task.loaded_for, scenario)
        neighbour = _nearest_posted(task)
        plan = planner.run(scenario, inputs=inputs, neighbour=neighbour)
        write_run(plan, task.folder, draw_map=task.maps, report=task.reports)
        _post(task, plan.sites[_START_COLUMNS])
        return {"row": plan_row(plan.summary)}
    except ModelInfeasibleError as exc:
        write_failure(task.folder, INFEASIBLE, str(exc), scenario)
        return {"row": failure_row(INFEASIBLE, str(exc))}
    except PlannerError as exc:
        return {"row": failure_row(ERROR, str(exc))}
    except Exception as exc:  # a sweep reports every run, whatever stopped one
        return {"row": failure_row(ERROR, f"{type(exc).__name__}: {exc}")}


def _post(task: RunTask, sites: pd.DataFrame) -> None:
    """Post a run's sites on the scheduler (plain lists: the metadata store takes msgpack)."""
    if not task.board:
        return
    from distributed import get_client

    table = {c: sites[c].tolist() for c in _START_COLUMNS}
    get_client().set_metadata([*task.board, task.name], table)


def _nearest_posted(task: RunTask) -> pd.DataFrame | None:
    """The sites of the nearest neighbour that has posted them (``None`` if none has)."""
    if not task.board or not task.neighbours:
        return None
    from distributed import get_client

    client = get_client()
    for name in task.neighbours:
        posted = client.get_metadata([*task.board, name], default=None)
        if posted is not None:
            return pd.DataFrame(posted)
    return None


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
    sweep_key = ("planner-sweep", uuid.uuid4().hex)
    board = (*sweep_key, "sites") if warm_start else ()
    nearest = neighbours(points, pending, most=_NEIGHBOURS_ASKED)
    tasks, keys = {}, {}
    for i in pending:
        key = inputs_key(scenarios[i])
        _, loaded_for, error = shared[key]
        if error is not None:
            rows[i] = {**failure_row(ERROR, error), "run_folder": ""}
            continue
        tasks[i] = RunTask(
            scenarios[i], loaded_for, str(runs_dir / points[i].folder), maps, reports,
            board=board, name=points[i].folder,
            neighbours=tuple(points[j].folder for j in nearest[i]) if board else (),
        )  # fmt: skip
        keys[i] = key
    runs = SweepRuns(tasks, keys, {i: nearest[i] for i in tasks}, (*sweep_key, "claims"))
    data = {key: future for key, (future, _, error) in shared.items() if error is None}
    runs_future = client.scatter(runs, broadcast=True)
    slots = [f"{sweep_key[1][:12]}-{k}" for k in range(len(tasks))]
    futures = [
        client.submit(run_claimed, slot, runs_future, data, key=f"run-{slot}", pure=False)
        for slot in slots
    ]
    say(
        f"{len(tasks)} runs on {threads} worker threads, each taking the nearest run to its "
        "last when free"
    )
    try:
        if progress_bar:
            show_progress(futures)
        for slot, future in zip(slots, futures, strict=True):
            index, row = _outcome(client, slot, future, runs)
            if index is not None:
                folder = runs_dir / points[index].folder
                written = _relative(folder, runs_dir) if folder.exists() else ""
                rows[index] = {**row, "run_folder": written}
    finally:  # the claims and posted sites are this sweep's alone: nothing left behind
        client.set_metadata(list(sweep_key), None)
    for i in tasks:  # claimed by no task that ended (every task failed before its claim)
        if rows[i] is None:
            rows[i] = {**failure_row(ERROR, "not run: its task ended before it began"),
                       "run_folder": ""}  # fmt: skip
    return rows, skipped


def _outcome(client, slot: str, future, runs: SweepRuns) -> tuple[int | None, dict | None]:
    """The run a task did and its row (a failure row if its worker died)."""
    try:
        result = future.result()
        return result["index"], result["row"]
    except Exception as exc:  # the worker itself died (out of memory, killed)
        index = client.get_metadata([*runs.claims, "slot", slot], default=None)
        return index, failure_row(ERROR, f"{type(exc).__name__}: {exc}")


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
