"""Sweeps on Dask against standalone runs: the same plans, a rerun skips, infeasible is a row.

The scenario is england_baseline on the North East's MSOAs (340 zones, 8 sites), proven optimal
(mip_gap 0): a run takes about a second, so the tests are about the sweep, not the solver.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from planner.cli import main
from planner.sweeps import sweep
from planner.sweeps.results import COLUMNS

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("dask")]

ROOT = Path(__file__).resolve().parents[2]
SMALL = {"data.regions": ["E12000001"], "data.zone_level": "msoa", "solver.mip_gap": 0.0}
SETS = ['data.regions=["E12000001"]', "data.zone_level=msoa", "solver.mip_gap=0.0"]
#: growth 0% and 12% x at most 1 or 2 sites: one site cannot reach 98% within 60 minutes.
VARY = {"demand.annual_growth": [0.0, 0.12], "limits.max_sites": [1, 2]}


def _standalone(tmp_path: Path, growth: float, sites: int) -> tuple[int, dict | None]:
    out = tmp_path / f"alone_{growth}_{sites}"
    args = ["run", "england_baseline", "--out", str(out), "--no-map", "--no-report"]
    for item in [*SETS, f"demand.annual_growth={growth}", f"limits.max_sites={sites}"]:
        args += ["--set", item]
    code = main(args)
    summary = out / "summary.json"
    return code, json.loads(summary.read_text()) if summary.is_file() else None


def test_a_grid_on_a_local_cluster_equals_standalone_runs_and_reruns_skip(tmp_path, dask_client):
    out = tmp_path / "sweep"
    result = sweep(
        "england_baseline", VARY, out, overrides=SMALL, client=dask_client, progress_bar=False
    )
    table = pd.read_csv(out / "results.csv")
    assert list(table.columns) == ["demand.annual_growth", "limits.max_sites", *COLUMNS]
    assert len(table) == 4 and result.skipped == 0
    for _, row in table.iterrows():
        code, alone = _standalone(tmp_path, row["demand.annual_growth"], row["limits.max_sites"])
        if row["limits.max_sites"] == 1:
            # Infeasible alone (exit code 3), so a row of the sweep, which went on.
            assert code == 3 and alone is None
            assert row["status"] == "infeasible" and "limits.max_sites" in row["message"]
            assert (out / row["run_folder"] / "failed.json").is_file()
            continue
        assert code == 0 and row["status"] == alone["status"] == "optimal"
        tolerance = 1e-6 * abs(alone["objective"]) + 1e-6
        assert abs(row["objective"] - alone["objective"]) <= tolerance
        saved = json.loads((out / row["run_folder"] / "summary.json").read_text())
        assert saved["objective"] == pytest.approx(row["objective"], rel=1e-12)
        assert row["yearly_cost"] == pytest.approx(saved["total_cost"])
        assert row["sites_open"] == saved["sites_open"] == alone["sites_open"]
    manifests = {f: (out / f / "manifest.json").stat().st_mtime_ns for f in table["run_folder"]
                 if (out / f / "manifest.json").is_file()}  # fmt: skip
    again = sweep("england_baseline", VARY, out, overrides=SMALL, workers=1, progress_bar=False)
    # (its own local cluster of one worker: the run folders are all it needs)
    assert again.skipped == 4
    pd.testing.assert_frame_equal(pd.read_csv(out / "results.csv"), table)
    assert {f: (out / f / "manifest.json").stat().st_mtime_ns for f in manifests} == manifests
    # A changed scenario is not the same run: solved again. Three runs on two workers: the
    # two threads start at the two ends of the sweep, cold, and the middle run is taken by
    # the first to finish, after it has posted its sites, and starts from them.
    changed = sweep(
        "england_baseline",
        {"demand.annual_growth": [0.0, 0.06, 0.12]},
        out,
        overrides={**SMALL, "costs.site_annual": 200_000},
        client=dask_client,
        progress_bar=False,
        charts=False,
    )
    assert changed.skipped == 0 and list(changed.results["status"]) == ["optimal"] * 3
    kinds = [
        (json.loads((out / f / "summary.json").read_text())["warm_start"] or {}).get("kind")
        for f in changed.results["run_folder"]
    ]
    assert kinds == [None, "neighbour", None], kinds


def test_the_sweep_page_is_offline_and_escapes_the_scenario(tmp_path, dask_client):
    out = tmp_path / "sweep"
    name = '<img src=x onerror="alert(1)">'
    result = sweep(
        "england_baseline",
        {"access.share": [0.9, 0.99], "demand.annual_growth": [0.0, 0.12]},
        out,
        design="one_at_a_time",
        overrides={**SMALL, "scenario.name": name},
        client=dask_client,
        progress_bar=False,
    )
    html = (out / "sweep.html").read_text(encoding="utf-8")
    assert name not in html and "&lt;img src=x onerror=" in html
    assert "default-src 'none'" in html and not re.search(r"(src|href)=\"https?:", html)
    for chart in ("frontier", "access_curves", "tornado"):
        assert (out / "charts" / f"{chart}.png").read_bytes()[:4] == b"\x89PNG"
    # The tornado: the base, then each key alone; swings recomputed from results.csv.
    table = result.results
    tornado = pd.read_csv(out / "tornado.csv")
    base_cost = table["yearly_cost"].iloc[0]
    for _, row in tornado.iterrows():
        moved = table[[p.moved == row["key"] for p in result.points]]
        assert row["high_cost"] == pytest.approx(max(moved["yearly_cost"].max(), base_cost))
        assert row["low_cost"] == pytest.approx(min(moved["yearly_cost"].min(), base_cost))
    assert tornado["swing"].is_monotonic_decreasing
    assert html.count("<circle") == int(table["status"].eq("optimal").sum())


def test_a_sweep_on_a_scheduler_and_workers_started_here(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    dask = Path(sys.executable).with_name("dask")
    address_file = tmp_path / "scheduler.json"
    scheduler = subprocess.Popen(
        [str(dask), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
         "--scheduler-file", str(address_file)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    workers = None
    try:
        for _ in range(300):
            if address_file.is_file() and address_file.stat().st_size:
                break
            time.sleep(0.1)
        address = json.loads(address_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        workers = subprocess.Popen(
            [str(dask), "worker", address, "--nworkers", "2", "--nthreads", "1",
             "--no-dashboard", "--host", "127.0.0.1"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        from distributed import Client

        with Client(address) as client:
            client.wait_for_workers(2, timeout=120)
            assert len(client.nthreads()) == 2
            result = sweep(
                "england_baseline",
                {"demand.annual_growth": [0.0, 0.12]},
                tmp_path / "sweep",
                overrides=SMALL,
                client=client,
                progress_bar=False,
                charts=False,
            )
            ran_on = {w for w in client.run(os.getpid).values()}
        assert list(result.results["status"]) == ["optimal", "optimal"]
        manifests = [json.loads((tmp_path / "sweep" / f / "manifest.json").read_text())
                     for f in result.results["run_folder"]]  # fmt: skip
        assert [m["scenario"]["demand"]["annual_growth"] for m in manifests] == [0.0, 0.12]
        assert os.getpid() not in ran_on
        # The same through the command line's --scheduler: everything complete, skipped.
        code = main(["sweep", "england_baseline", "--vary", "demand.annual_growth=0.0,0.12",
                     "--out", str(tmp_path / "sweep"), "--scheduler", address, "--no-progress",
                     *[a for s in SETS for a in ("--set", s)]])  # fmt: skip
        assert code == 0
    finally:
        for process in (workers, scheduler):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)
