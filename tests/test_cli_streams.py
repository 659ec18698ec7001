"""What a planner sees on the terminal: warnings as one line, no solver banner unless asked."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd

from tests.test_cli import MATRIX_ROWS, ZONES, write_case
from tests.test_interrupts import ENV


def planner(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "planner.cli", *args],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_warnings_are_one_line_and_the_highs_banner_follows_msg(tmp_path):
    scenario = write_case(tmp_path)
    # a zone of population 0 and its matrix rows: two warnings (zone left out, rows dropped)
    (tmp_path / "zones.csv").write_text(ZONES + "E01000005,Empty zone,0,384000,399000\n")
    rows = MATRIX_ROWS + [("E01000005", "X1", 8)]
    pd.DataFrame(rows, columns=["origin", "destination", "minutes"]).to_csv(
        tmp_path / "matrix.csv", index=False
    )
    args = ["run", scenario, "--no-map", "--no-report", "--solver", "highs"]
    quiet = planner(*args, "--out", str(tmp_path / "a"))
    assert quiet.returncode == 0, quiet.stderr
    assert "HiGHS" not in quiet.stdout and "Copyright" not in quiet.stdout
    assert quiet.stdout.lstrip().startswith("Own data")  # the summary is all stdout holds
    other = [line for line in quiet.stderr.splitlines() if not line.startswith("[")]
    assert len(other) == 2, quiet.stderr
    assert all(line.startswith("warning: ") for line in other), other
    assert any("left out 1 zone(s) with population 0" in line for line in other)
    assert any("outside this scenario" in line for line in other)
    assert ".py:" not in quiet.stderr and "UserWarning" not in quiet.stderr
    loud = planner(*args, "--out", str(tmp_path / "b"), "--set", "solver.msg=true")
    assert loud.returncode == 0, loud.stderr
    assert "MIP has" in loud.stdout and "Solving report" in loud.stdout  # HiGHS's own log


def test_two_runs_on_one_out_folder_one_wins_the_other_is_told(tmp_path):
    scenario = write_case(tmp_path)
    out = tmp_path / "plan"
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "planner.cli", "run", scenario, "--out", str(out)],
            env=ENV,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [(run.wait(timeout=300), run.communicate()[1]) for run in runs]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 2], results
    loser = next(err for code, err in results if code == 2)
    assert loser.strip() == (
        f"error: {out}, field '--out': another planner process is writing this folder "
        "(it holds .plan.lock); wait for it to finish or choose another folder"
    )
    assert (out / "manifest.json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
