"""`planner compare` says when two plans rest on different data, naming what differs."""

from __future__ import annotations

import json

import pytest

from planner.cli import main
from planner.plan import Plan
from planner.reports.data_check import data_warnings
from tests.helpers.plans import alternative_plan, small_plan
from tests.test_cli import write_case


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Three runs of the planner's own four zones: the base, the same data at another site
    cost (a scenario choice), and a zones file with one population changed."""
    root = tmp_path_factory.mktemp("data_check")
    out = {}
    for name, extra in (("base", ""), ("dearer", "[costs]\nsite_annual = 250000\n")):
        case = root / name
        case.mkdir()
        assert main(["run", write_case(case, extra), "--out", str(root / f"plan_{name}"),
                     "--no-map", "--no-report"]) == 0  # fmt: skip
        out[name] = root / f"plan_{name}"
    case = root / "edited"
    case.mkdir()
    scenario = write_case(case)
    zones = (case / "zones.csv").read_text().replace("Zone two,300000", "Zone two,330000")
    (case / "zones.csv").write_text(zones)
    assert main(["run", scenario, "--out", str(root / "plan_edited"), "--no-map",
                 "--no-report"]) == 0  # fmt: skip
    out["edited"] = root / "plan_edited"
    return out


def test_plans_on_the_same_data_get_no_warning(runs, tmp_path, capsys):
    capsys.readouterr()
    assert main(["compare", str(runs["base"]), str(runs["dearer"]), "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr()
    assert "warning" not in printed.err and "Warning" not in printed.out
    assert "Warning" not in (tmp_path / "comparison.md").read_text()


def test_a_changed_zones_file_is_named(runs, tmp_path, capsys):
    capsys.readouterr()
    args = ["compare", str(runs["base"]), str(runs["edited"]), "--out", str(tmp_path)]
    assert main([*args, "--labels", "Before", "After"]) == 0
    printed = capsys.readouterr()
    manifests = [json.loads((runs[k] / "manifest.json").read_text()) for k in ("base", "edited")]
    assert manifests[0]["data"]["demand_zones"] != manifests[1]["data"]["demand_zones"]
    assert manifests[0]["data"]["travel_matrix"] == manifests[1]["data"]["travel_matrix"]
    expected = [
        "population differs in 1 of the 4 zones in both",
        "demand zones file differs: Before zones.csv (sha256 "
        + manifests[0]["data"]["demand_zones"][:12],
    ]
    written = (tmp_path / "comparison.md").read_text()
    for text in expected:
        assert f"warning: Before and After: {text}" in printed.err
        assert text in written and text in printed.out
    assert "travel matrix differs" not in printed.err and "sites file differs" not in printed.err
    assert "do not rest on the same data" in written


def test_different_regions_and_zone_level_are_named(runs, tmp_path):
    """Two manifests as a North East and a West Midlands run at two zone levels write them."""
    a, b = Plan.load(runs["base"]), Plan.load(runs["base"])
    for name, regions, level in (("ne", ["E12000001"], "lsoa"), ("wm", ["E12000005"], "msoa")):
        folder = tmp_path / name
        a.save(folder)
        manifest = json.loads((runs["base"] / "manifest.json").read_text())
        manifest["scenario"]["data"].update(regions=regions, zone_level=level)
        (folder / "manifest.json").write_text(json.dumps(manifest))
    warnings = data_warnings(a, b, tmp_path / "ne", tmp_path / "wm", ("NE", "WM"))
    assert warnings == [
        "region filter differs: NE E12000001, WM E12000005",
        "zone level differs: NE lsoa, WM msoa",
    ]


def test_plans_without_manifests_are_compared_by_their_tables():
    a, b = small_plan(), alternative_plan()
    b.demand = b.demand[b.demand["demand_id"] != "Z7"]
    b.sites = b.sites[b.sites["site_id"] != "S6"]
    assert data_warnings(a, b, labels=("Today", "Proposed")) == [
        "different demand zones: Today has 10, Proposed 9, 9 in both",
        "different sites: Today has 7, Proposed 6, 6 in both",
    ]
    assert data_warnings(a, alternative_plan()) == []


def test_a_missing_manifest_is_said(tmp_path):
    small_plan().save(tmp_path / "a")
    small_plan().save(tmp_path / "b")
    a, b = Plan.load(tmp_path / "a"), Plan.load(tmp_path / "b")
    assert data_warnings(a, b, tmp_path / "a", tmp_path / "b") == [
        "A and B have no manifest.json: whether the input files are the same cannot be checked"
    ]


def test_map_compare_warns_too(runs, tmp_path, capsys):
    capsys.readouterr()
    out = tmp_path / "cmp.html"
    args = ["map", str(runs["base"]), "--compare", str(runs["edited"]), "--out", str(out)]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "warning: A and B: population differs in 1 of the 4 zones in both" in err
    assert out.is_file()
