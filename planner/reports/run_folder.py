"""A run folder: a plan's tables, its map, its reports and its manifest, written whole or not at
all.

``planner run SCENARIO --out DIR`` writes this folder; a notebook can write the same with
:func:`write_run`. Everything is staged beside ``DIR`` and swapped in when complete
(:func:`planner.files.staged_folder`), so a reader sees the previous complete run or the
new one, never half of either.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from planner.files import staged_folder
from planner.maps import save_plan_map
from planner.plan import Plan
from planner.reports.manifest import build_manifest, write_manifest
from planner.reports.report import write_report


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
        The run folder; replaced as a whole when everything is written.
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
    """
    folder = Path(folder)
    timings = {}
    with staged_folder(folder) as stage:
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
    return folder
