"""A sweep: one scenario run over a grid of key values, on Dask, into one folder.

``DIR/results.csv``
    one row per run: the varied keys (columns named by their dotted key), then
    :data:`planner.sweeps.results.COLUMNS`.
``DIR/runs/<run>/``
    each run's plan folder (tables, ``manifest.json``; map and reports when asked), or
    ``failed.json`` for an infeasible run.
``DIR/sweep.json``
    the design, the varied keys and values, the base scenario: what a rerun checks.
``DIR/sweep.html``, ``DIR/charts/*.png``
    the trade-offs drawn (:mod:`planner.reports.sweep_charts`, :mod:`planner.reports.sweep_page`).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from planner.errors import InputError, PlannerError
from planner.files import write_file, write_text
from planner.scenario import Scenario, load_scenario
from planner.sweeps.points import Point, Vary, parse_vary, scenario_hash, sweep_points
from planner.sweeps.results import results_table
from planner.sweeps.runner import dask_client, run_points

SWEEP_FILE = "sweep.json"


@dataclass
class SweepResult:
    """What :func:`sweep` wrote: the folder, its table and how the runs went."""

    folder: Path
    design: str
    varies: list[Vary]
    points: list[Point]
    results: pd.DataFrame
    skipped: int
    seconds: float
    files: dict[str, Path] = field(default_factory=dict)
    scenario_name: str = ""

    @property
    def results_csv(self) -> Path:
        return self.folder / "results.csv"


def as_varies(vary: Mapping[str, Sequence] | Sequence[Vary | str]) -> list[Vary]:
    """``{"key": [values]}``, ``Vary`` objects or ``"KEY=V1,V2"`` strings as a list of Vary."""
    if isinstance(vary, Mapping):
        return [Vary(str(k), tuple(v)) for k, v in vary.items()]
    return [v if isinstance(v, Vary) else parse_vary(str(v)) for v in vary]


def check_out_folder(out: Path) -> None:
    """``out`` must be new, empty, or a sweep folder planner wrote (it holds ``sweep.json``)."""
    if out.exists() and not out.is_dir():
        raise InputError("is a file, not a folder", source=str(out), field="--out")
    if out.is_dir() and any(out.iterdir()) and not (out / SWEEP_FILE).is_file():
        raise InputError(
            f"holds files that are not a sweep's (no {SWEEP_FILE}); choose a new or empty folder",
            source=str(out),
            field="--out",
        )


def sweep(
    scenario: Scenario | str | os.PathLike,
    vary: Mapping[str, Sequence] | Sequence[Vary | str],
    out: str | os.PathLike,
    *,
    design: str = "grid",
    overrides: Mapping[str, object] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    client=None,
    maps: bool = False,
    reports: bool = False,
    warm_start: bool = True,
    progress_bar: bool = True,
    charts: bool = True,
    say: Callable[[str], None] = print,
) -> SweepResult:
    """Run ``scenario`` at every point of a sweep on Dask and write ``out`` (module docstring).

    Parameters
    ----------
    scenario
        A scenario, its TOML file or the name of a shipped one.
    vary
        The keys and their values: ``{"demand.annual_growth": [0.0, 0.05]}`` or
        ``["demand.annual_growth=0.0,0.05"]``.
    out
        The sweep's folder: new, empty, or an earlier sweep's (complete runs are skipped).
    design
        ``"grid"`` (every combination), ``"zip"`` (lists paired) or ``"one_at_a_time"``.
    overrides
        Keys changed in the base scenario before sweeping (``planner sweep --set``).
    workers, scheduler, client
        Where the runs go: a Dask ``client`` given, else the scheduler at ``scheduler``
        (``"tcp://host:8786"``), else a local cluster of ``workers`` processes (default one
        per core), one thread each.
    maps, reports
        Also draw each run's ``map.html`` / write its reports (off: the plan tables and
        manifest are what ``planner map`` and ``planner report`` need to draw them later).
    warm_start
        Start each run from its neighbour's sites (see :mod:`planner.sweeps.runner`).
    progress_bar
        Show Dask's progress bar while the runs go.
    charts
        Draw the trade-off charts and ``sweep.html``.
    say
        Called with a line at each step.
    """
    started = time.perf_counter()
    base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if overrides:
        base = base.updated(overrides, source="--set")
    varies = as_varies(vary)
    points = sweep_points(base, varies, design)
    for point in points:
        point.scenario(base)  # every key and value checked before anything runs
    out = Path(out)
    check_out_folder(out)
    runs_dir = out / "runs"
    runs_dir.mkdir(parents=True, exist_ok=True)
    record = {
        "design": design,
        "vary": {v.key: list(v.values) for v in varies},
        "scenario": base.name,
        "scenario_hash": scenario_hash(base),
        "runs": len(points),
    }
    write_text(out / SWEEP_FILE, json.dumps(record, indent=2) + "\n")
    say(f"sweep of {base.name!r}: {len(points)} runs ({design.replace('_', ' ')})")
    if client is not None:
        rows, skipped = run_points(client, base, points, runs_dir, **_options(locals()))
    else:
        with dask_client(workers, scheduler) as own:
            rows, skipped = run_points(own, base, points, runs_dir, **_options(locals()))
    table = results_table(points, rows)
    write_file(out / "results.csv", lambda tmp: table.to_csv(tmp, index=False))
    seconds = time.perf_counter() - started
    result = SweepResult(
        out, design, varies, points, table, skipped, seconds, scenario_name=base.name
    )
    result.files["results"] = result.results_csv
    if charts:
        from planner.reports.sweep_page import write_sweep_outputs

        result.files.update(write_sweep_outputs(result))
    failed = int((~table["status"].isin(["optimal", "feasible"])).sum())
    say(
        f"sweep done: {len(points)} runs ({skipped} already complete, {failed} without a plan) "
        f"in {result.seconds:.1f} s; {result.results_csv}"
    )
    return result


def _options(scope: dict) -> dict:
    return {k: scope[k] for k in ("maps", "reports", "warm_start", "progress_bar", "say")}


def load_sweep(out: str | os.PathLike) -> pd.DataFrame:
    """A sweep folder's ``results.csv``."""
    path = Path(out) / "results.csv"
    if not path.is_file():
        raise PlannerError(f"{path} not found: not a finished sweep folder")
    return pd.read_csv(path)
