"""`planner run` end to end on a planner's own files: outputs, invariants, errors, exit codes."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from planner.cli import main
from planner.plan import Plan
from tests.helpers.invariants import check_invariants

# Four LSOA-style zones in Greater Manchester / Lancashire (British National Grid centroids)
# and three sites; the travel matrix is the planner's own.
ZONES = """LSOA21CD,LSOA21NM,population,easting,northing
E01000001,Zone one,400000,383000,398000
E01000002,Zone two,300000,386000,405000
E01000003,Zone three,250000,354000,429000
E01000004,Zone four,150000,350000,460000
"""
SITES = """site_id,name,lat,lon,scanners,kind,existing
X1,Central,53.47,-2.24,1,fixed,True
X2,North,53.76,-2.70,0,,False
X3,Coast,54.04,-2.80,0,,False
"""
MATRIX_ROWS = [
    ("E01000001", "X1", 10),
    ("E01000001", "X2", 50),
    ("E01000002", "X1", 15),
    ("E01000002", "X2", 45),
    ("E01000003", "X1", 45),
    ("E01000003", "X2", 15),
    ("E01000003", "X3", 40),
    ("E01000004", "X2", 35),
    ("E01000004", "X3", 12),
]


def write_case(tmp_path, extra: str = "") -> str:
    (tmp_path / "zones.csv").write_text(ZONES)
    (tmp_path / "sites.csv").write_text(SITES)
    pd.DataFrame(MATRIX_ROWS, columns=["origin", "destination", "minutes"]).to_csv(
        tmp_path / "matrix.csv", index=False
    )
    scenario = tmp_path / "own.toml"
    scenario.write_text(
        f"""
[scenario]
name = "own-data"
title = "Own data <script>alert(1)</script>"
[data]
demand_zones = "zones.csv"
sites = "sites.csv"
candidate_sites = "none"
travel_matrix = "matrix.csv"
[demand]
scans_per_million = 4000
annual_growth = 0.0
horizon_years = 0
[access]
minutes = 30
share = 0.6
{extra}
"""
    )
    return str(scenario)


def test_run_writes_a_consistent_plan(tmp_path, capsys):
    scenario = write_case(tmp_path)
    out = tmp_path / "plan"
    assert main(["run", scenario, "--out", str(out), "--solver", "cbc"]) == 0
    printed = capsys.readouterr()
    assert "solving with cbc" in printed.err and "status            optimal" in printed.out
    plan = Plan.load(out)
    check_invariants(plan, 120)
    # demand = population x 4,000 per million, no growth
    assert plan.summary["demand_scans"] == pytest.approx(1_100_000 * 4000 / 1e6)
    # the plan only uses pairs of the planner's matrix, with its minutes
    known = {(o, d): t for o, d, t in MATRIX_ROWS}
    for row in plan.assignments.itertuples():
        assert known[(row.demand_id, row.site_id)] == row.minutes
    assert plan.summary["travel_source"] == "matrix.csv"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "optimal" and manifest["solver"] == "cbc"
    assert {p.split("/")[-1] for p in manifest["inputs"]} >= {
        "own.toml",
        "zones.csv",
        "sites.csv",
        "matrix.csv",
    }
    for path, digest in manifest["inputs"].items():
        assert digest == hashlib.sha256(Path(path).read_bytes()).hexdigest(), path
    from importlib import metadata

    assert manifest["packages"]["pulp"] == metadata.version("pulp")
    assert manifest["packages"]["highspy"] == metadata.version("highspy")
    assert set(manifest["timings_seconds"]) == {"inputs", "build", "solve", "map", "report"}
    assert all(t >= 0 for t in manifest["timings_seconds"].values())
    assert manifest["scenario"]["scenario"]["name"] == "own-data"
    html = (out / "map.html").read_text()
    assert "<script>alert(1)</script>" not in html
    # planner run writes the reports too, the title escaped in each
    for name in ("report.html", "report.md"):
        text = (out / name).read_text()
        assert "<script>alert(1)</script>" not in text and "&lt;script&gt;" in text, name
    assert (out / "report.xlsx").is_file() and (out / "charts" / "access_curve.png").is_file()


def test_validate_and_bad_key(tmp_path, capsys):
    scenario = write_case(tmp_path)
    assert main(["validate", scenario]) == 0
    assert "4 demand zones" in capsys.readouterr().out
    bad = write_case(tmp_path, "[costs]\nscanner_capitol = 5\n")
    assert main(["validate", bad]) == 2
    err = capsys.readouterr().err
    assert "costs.scanner_capitol" in err and "unknown key" in err


def test_bad_matrix_names_file_and_row(tmp_path, capsys):
    scenario = write_case(tmp_path)
    rows = MATRIX_ROWS + [("E09999999", "X1", 5)]
    pd.DataFrame(rows, columns=["origin", "destination", "minutes"]).to_csv(
        tmp_path / "matrix.csv", index=False
    )
    assert main(["run", scenario, "--out", str(tmp_path / "p")]) == 2
    err = capsys.readouterr().err
    assert "matrix.csv" in err and "row 10" in err and "E09999999" in err


def test_infeasible_exit_code_and_causes(tmp_path, capsys):
    scenario = write_case(tmp_path, "[limits]\nmax_sites = 1\n")
    # 60% within 30 minutes needs zones one, two (700,000 = 64%) via X1 or more sites; with one
    # site allowed and access at 90% it cannot be met.
    path = Path(scenario)
    path.write_text(path.read_text().replace("share = 0.6", "share = 0.9"))
    assert main(["run", scenario, "--out", str(tmp_path / "p"), "--no-map"]) == 3
    err = capsys.readouterr().err
    assert "infeasible" in err and "max_sites = 1" in err
    assert not (tmp_path / "p" / "summary.json").exists()


def test_time_limited_run_reports_a_status_its_gap_supports(tmp_path):
    # With a 1 ms limit HiGHS may still finish this tiny model in presolve; whatever it reports,
    # the summary must agree with itself (a time-limited model is tested in tests/network).
    scenario = write_case(tmp_path)
    code = main(
        ["run", scenario, "--out", str(tmp_path / "p"), "--time-limit", "0.001", "--no-map"]
    )
    if code == 0:
        summary = json.loads((tmp_path / "p" / "summary.json").read_text())
        gap = summary["mip_gap"]
        if summary["status"] == "optimal":
            assert gap is not None and gap <= 0.005 + 1e-12  # the scenario's mip_gap default
        else:
            assert summary["status"] == "feasible" and summary["time_limit_reached"]
            gap_from_bound = abs(summary["objective"] - summary["best_bound"]) / abs(
                summary["objective"]
            )
            assert gap == pytest.approx(gap_from_bound, rel=1e-6)
    else:
        assert code == 4  # stopped before any plan: a solver error, not a plan


def test_matrix_may_name_zones_the_scenario_leaves_out(tmp_path, capsys):
    # A zone with no population is left out of the plan, but the planner's matrix (made for the
    # whole file) still names it: its pairs are dropped with a warning, not refused.
    scenario = write_case(tmp_path)
    (tmp_path / "zones.csv").write_text(ZONES + "E01000005,Empty zone,0,384000,399000\n")
    rows = MATRIX_ROWS + [("E01000005", "X1", 8)]
    pd.DataFrame(rows, columns=["origin", "destination", "minutes"]).to_csv(
        tmp_path / "matrix.csv", index=False
    )
    with pytest.warns(UserWarning, match="outside this scenario"):
        assert main(["run", scenario, "--out", str(tmp_path / "p"), "--no-map"]) == 0
    plan = Plan.load(tmp_path / "p")
    assert "E01000005" not in set(plan.demand["demand_id"])
    assert len(plan.demand) == 4


def test_a_run_that_fails_leaves_the_previous_plan_whole(tmp_path, monkeypatch):
    scenario = write_case(tmp_path)
    out = tmp_path / "p"
    assert main(["run", scenario, "--out", str(out), "--no-map", "--no-report"]) == 0
    (out / "report.md").write_text("a report of this plan")
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    import planner.reports.run_folder

    def broken_map(*args, **kwargs):
        raise RuntimeError("disk full while drawing the map")

    monkeypatch.setattr(planner.reports.run_folder, "save_plan_map", broken_map)
    with pytest.raises(RuntimeError, match="disk full"):
        main(["run", scenario, "--out", str(out), "--time-limit", "5"])
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".p.")] == []
    monkeypatch.undo()
    # A successful run replaces the folder whole: the old plan's report does not linger.
    assert main(["run", scenario, "--out", str(out), "--no-map", "--no-report"]) == 0
    assert not (out / "report.md").exists()
    assert {"summary.json", "sites.csv", "assignments.csv", "manifest.json"} <= {
        p.name for p in out.iterdir()
    }


def test_set_changes_a_key_for_the_run(tmp_path):
    scenario = write_case(tmp_path)
    out = tmp_path / "p"
    args = ["run", scenario, "--out", str(out), "--no-map"]
    assert main([*args, "--set", "demand.scans_per_million=8000", "--set", "access.share=0.5"]) == 0
    plan = Plan.load(out)
    # 1,100,000 people x 8,000 per million, no growth (the file says 4,000)
    assert plan.summary["demand_scans"] == pytest.approx(1_100_000 * 8000 / 1e6)
    assert plan.summary["access_target_share"] == 0.5
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scenario"]["demand"]["scans_per_million"] == 8000
    assert manifest["scenario"]["access"]["share"] == 0.5
    check_invariants(plan, 120)
    assert "scans_per_million = 4000" in Path(scenario).read_text()


def test_set_reads_toml_values_and_refuses_unknown_keys_by_name(tmp_path, capsys):
    scenario = write_case(tmp_path)
    # A list value: the zones are in the North West, so planning the North East leaves none.
    assert main(["validate", scenario, "--set", 'data.regions=["E12000001"]']) == 2
    err = capsys.readouterr().err
    assert "no demand zone is in data.regions (E12000001)" in err
    assert "the zones of data.demand_zones are in E12000002" in err
    assert main(["validate", scenario, "--set", 'data.regions=["E12000002"]']) == 0
    assert "4 demand zones" in capsys.readouterr().out
    for item, words in (
        ("costs.scanner_capitol=5", ["costs.scanner_capitol", "unknown key"]),
        ("nosuch.key=1", ["nosuch.key", "unknown section 'nosuch'"]),
        ("access.share=lots", ["access.share", "found the text 'lots'", "expected a number"]),
        ("access.share", ["expected KEY=VALUE"]),
    ):
        assert main(["run", scenario, "--out", str(tmp_path / "q"), "--set", item]) == 2, item
        err = capsys.readouterr().err
        assert all(w in err for w in words), (item, err)
    assert not (tmp_path / "q").exists()


def test_verbose_shows_the_model_size_and_its_absence_hides_it(tmp_path, capsys):
    scenario = write_case(tmp_path)
    args = ["run", scenario, "--out", str(tmp_path / "p"), "--no-map", "--solver", "highs"]
    assert main(args) == 0
    quiet = capsys.readouterr()
    assert main([*args, "--verbose"]) == 0
    loud = capsys.readouterr()
    size = Plan.load(tmp_path / "p").summary["model_size"]
    words = f"{size['variables']:,} variables ({size['integer_variables']:,} integer)"
    assert words in loud.err  # the progress line of the built model
    assert f"  model             {words}" in loud.out  # and the summary's line
    assert "solver            highs" in loud.out
    assert "variables" not in quiet.err + quiet.out and "solver   " not in quiet.out
    # Either way the plan's own figures are printed in full.
    for printed in (quiet.out, loud.out):
        assert "status            optimal" in printed and "yearly cost       Total £" in printed
