"""A run folder: a plan's tables, its map, its reports and its manifest, written whole or not at
all, and only where nothing of a user's is lost.

``planner run SCENARIO --out DIR`` writes this folder; a notebook can write the same with
:func:`write_run`. Everything is staged beside ``DIR`` and swapped in when complete
(:func:`planner.files.staged_folder`), so a reader sees the previous complete run or the
new one, never half of either.

``DIR`` must be new, empty, or an earlier plan folder of planner's (its ``manifest.json`` says
so, :func:`planner.reports.manifest.is_plan_manifest`) holding nothing but what planner wrote
there; it may not hold the scenario or its data. Anything else is refused, naming the path and
why (:func:`claim_run_folder`, before any data is read or any model solved).
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

from planner.files import check_output_folder, folder_lock, some, staged_folder
from planner.maps import save_plan_map
from planner.plan import PLAN_TABLES, Plan
from planner.reports.manifest import (
    build_manifest,
    input_files,
    read_manifest,
    write_manifest,
)
from planner.reports.report import write_report
from planner.scenario import Scenario

#: What planner writes into a plan folder: ``planner run`` (the plan's tables, map, reports,
#: manifest) and the commands that add to a saved plan (``map``, ``report``, ``compare``).
#: A manifest from before the manifest listed its files is checked against these.
PLANNER_FILES = frozenset(
    {
        "summary.json",
        *(f"{table}.csv" for table in PLAN_TABLES),
        "manifest.json",
        "map.html",
        "comparison.html",
        "comparison.md",
        "comparison_sites.csv",
        "report.md",
        "report.xlsx",
        "report.html",
        "charts",
    }
)
#: A file being written by :func:`planner.files.write_file` (``.NAME.RANDOM.tmp``).
_WRITING = re.compile(r"^\..+\.[^.]+\.tmp$")


def plan_folder_refusal(folder: Path) -> str | None:
    """Why the existing ``folder`` may not be replaced by a new plan, or ``None`` when it may:
    it is empty, or an earlier plan folder of planner's holding only what planner wrote."""
    names = sorted(p.name for p in folder.iterdir())
    if not names:
        return None
    manifest = read_manifest(folder)
    if manifest is None:
        return (
            f"is not a plan folder written by planner (no planner manifest.json) and holds "
            f"{some(names)}; planner replaces its output folder as a whole, so name a new folder"
        )
    written = set(manifest.get("files") or ()) | PLANNER_FILES
    foreign = [n for n in names if n not in written and not _WRITING.match(n)]
    if foreign:
        return (
            f"is an earlier plan of planner's but also holds {some(foreign)}, which planner "
            "did not write; move them out or name a new folder"
        )
    return None


def protected_files(scenario: Scenario | None) -> list[Path]:
    """The files a run of ``scenario`` reads: its output folder may not hold any of them."""
    return input_files(scenario) if scenario is not None else []


@contextlib.contextmanager
def claim_run_folder(
    folder: str | os.PathLike, scenario: Scenario | None = None, *, field: str = "--out"
) -> Iterator[Path]:
    """Check ``folder`` and hold its lock for the block: ``planner run`` claims its folder
    before loading data and solving, so a folder that would be refused costs no work and a
    second run on the same folder fails at once.

    Raises
    ------
    InputError
        The folder may not be written (naming it and why), or another process holds it.
    """
    protect = protected_files(scenario)
    path = check_output_folder(folder, refusal=plan_folder_refusal, protect=protect, field=field)
    with folder_lock(path, field=field):
        yield check_output_folder(folder, refusal=plan_folder_refusal, protect=protect, field=field)


def write_run(
    plan: Plan,
    folder: str | os.PathLike,
    *,
    draw_map: bool = True,
    cdn: bool = False,
    report: bool = True,
) -> Path:
    """Write ``plan`` (its tables), ``map.html``, the reports and ``manifest.json`` into
    ``folder``.

    Parameters
    ----------
    plan
        A plan from :func:`planner.run` (its provenance goes into the manifest).
    folder
        The run folder: new, empty or an earlier plan folder of planner's
        (:func:`plan_folder_refusal`); replaced as a whole when everything is written.
    draw_map
        Whether to draw ``map.html``.
    cdn
        Link the map's scripts from a CDN; by default they are inlined, so that it opens with
        no internet.
    report
        Whether to write ``report.md``, ``report.xlsx``, ``report.html`` and ``charts/``
        (:func:`planner.reports.report.write_report`; ``report.html`` always opens offline).

    Returns
    -------
    pathlib.Path
        The folder.

    Raises
    ------
    InputError
        ``folder`` may not be written (:func:`claim_run_folder`), checked before anything is
        written.
    """
    timings = {}
    scenario = plan.provenance.scenario if plan.provenance else None
    with staged_folder(
        folder, refusal=plan_folder_refusal, protect=protected_files(scenario)
    ) as stage:
        plan.save(stage)
        if draw_map:
            started = time.perf_counter()
            save_plan_map(plan, stage / "map.html", cdn=cdn)
            timings["map"] = round(time.perf_counter() - started, 3)
        if report:
            started = time.perf_counter()
            write_report(plan, stage)
            timings["report"] = round(time.perf_counter() - started, 3)
        write_manifest(stage, build_manifest(plan, timings))
    return Path(folder)
