"""``results.csv``: one row per run of a sweep, and the run folders rows are read back from.

A run is complete when its folder under ``DIR/runs/`` holds either a plan with a
``manifest.json`` whose scenario has the run's hash (:func:`planner.sweeps.points.scenario_hash`)
or a ``failed.json`` saying the scenario is infeasible, again with that hash: an infeasible
scenario stays infeasible, so a rerun does not solve it again. Any other failure (a solver
error, no plan within the time limit, a bad data file) is a row too, but is tried again.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

from planner.files import staged_folder, write_text
from planner.sweeps.points import Point, scenario_hash

#: Columns after the varied keys, in order.
COLUMNS = (
    "status",
    "message",
    "mip_gap",
    "objective",
    "yearly_cost",
    "sites_open",
    "static_scanners",
    "mobile_days",
    "share_within_access",
    "access_minutes",
    "mean_minutes",
    "unmet_scans",
    "solve_seconds",
    "run_folder",
)
INFEASIBLE, ERROR = "infeasible", "error"
#: Statuses of a run with a plan (the solver's own: see planner.optimise.solver).
WITH_PLAN = ("optimal", "feasible")


def plan_row(summary: dict) -> dict:
    """The figures of a plan's ``summary`` (as :class:`~planner.plan.Plan` saves it) for a row."""
    return {
        "status": summary.get("status"),
        "message": summary.get("solver_message", ""),
        "mip_gap": summary.get("mip_gap"),
        "objective": summary.get("objective"),
        "yearly_cost": summary.get("total_cost"),
        "sites_open": summary.get("sites_open"),
        "static_scanners": summary.get("scanners_fixed"),
        "mobile_days": summary.get("mobile_days_per_week"),
        "share_within_access": summary.get("access_share"),
        "access_minutes": summary.get("access_target_minutes"),
        "mean_minutes": summary.get("mean_travel_minutes"),
        "unmet_scans": summary.get("unmet_scans"),
        "solve_seconds": summary.get("solve_seconds"),
    }


def failure_row(status: str, message: str) -> dict:
    return {**dict.fromkeys(COLUMNS), "status": status, "message": message}


def write_failure(folder: str | os.PathLike, status: str, message: str, scenario) -> Path:
    """``failed.json`` in its own run folder (written whole, like a plan's)."""
    with staged_folder(folder) as stage:
        record = {
            "status": status,
            "message": message,
            "scenario_hash": scenario_hash(scenario),
            "scenario": scenario.model_dump(mode="json", exclude={"base_dir"}),
        }
        write_text(stage / "failed.json", json.dumps(record, indent=2) + "\n")
    return Path(folder)


def completed_row(folder: Path, expected_hash: str) -> dict | None:
    """The row of a run already complete in ``folder`` for this scenario, else ``None``."""
    manifest, failed = folder / "manifest.json", folder / "failed.json"
    try:
        if manifest.is_file() and (folder / "summary.json").is_file():
            scenario = json.loads(manifest.read_text(encoding="utf-8")).get("scenario")
            if scenario and scenario_hash(scenario) == expected_hash:
                summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
                if summary.get("status") in WITH_PLAN:
                    return plan_row(summary)
        if failed.is_file():
            record = json.loads(failed.read_text(encoding="utf-8"))
            if record.get("scenario_hash") == expected_hash and record["status"] == INFEASIBLE:
                return failure_row(INFEASIBLE, record.get("message", ""))
    except (OSError, ValueError, KeyError):
        return None  # unreadable: run it again
    return None


def is_run_folder(folder: Path) -> bool:
    """Whether ``folder`` is a run folder a sweep wrote (and so may be replaced by a rerun)."""
    return (folder / "manifest.json").is_file() or (folder / "failed.json").is_file()


def results_table(points: list[Point], rows: list[dict]) -> pd.DataFrame:
    """``results.csv`` as a table: the varied keys, then :data:`COLUMNS`."""
    records = []
    for point, row in zip(points, rows, strict=True):
        values = {k: json.dumps(v) if isinstance(v, list | dict) else v for k, v in point.values}
        records.append({**values, **{c: row.get(c) for c in COLUMNS}})
    keys = [k for k, _ in points[0].values] if points else []
    return pd.DataFrame.from_records(records, columns=[*keys, *COLUMNS])
