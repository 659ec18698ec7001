"""Maps follow the plan: its access minutes and target, the sites it converts and resizes, and
the plans' labels (checked in the generated HTML; the browser tests open such maps too)."""

from __future__ import annotations

import html
import json
import re

import pandas as pd
import pytest

from planner.analysis.compare import site_changes
from planner.analysis.conversions import conversion, converted_name, display_names
from planner.cli import main as planner_main
from planner.maps import comparison_map, plan_map, region_metric
from planner.maps.metrics import METRICS, check_metric
from planner.plan import Plan
from tests.helpers.plans import SE, alternative_plan, region_shapes, small_plan


def render(fmap) -> str:
    return fmap.get_root().render()


def overlay_names(page: str) -> list[str]:
    block = re.search(r"overlays :  \{(.*?)\}", page, re.S).group(1)
    return [json.loads(name) for name in re.findall(r'^\s*("(?:[^"\\]|\\.)*") :', block, re.M)]


def legend(page: str) -> str:
    return re.search(r'<div class="planner-box planner-legend">(.*?)</div>\s*\n', page, re.S)[1]


def title_box(page: str) -> str:
    return re.search(r'<div class="planner-box planner-title">(.*?)</div>\s*\n', page, re.S)[1]


def popups(page: str) -> list[str]:
    """The HTML of every popup bound to a marker (the JSON strings handed to Leaflet)."""
    return [json.loads(m) for m in re.findall(r'bindPopup\(("(?:[^"\\]|\\.)*")', page)]


def forty_five_minute_plan() -> Plan:
    """small_plan as a 45-minute scenario with a 90% target (its saved regions table holds the
    60-minute share only, so the map must work the 45-minute share out of the zones)."""
    plan = small_plan()
    plan.summary = {**plan.summary, "access_target_minutes": 45, "access_target_share": 0.9}
    return plan


# -- access minutes -------------------------------------------------------------------------------
def test_a_45_minute_scenario_maps_45_minutes():
    page = render(plan_map(forty_five_minute_plan(), regions=region_shapes()))
    label = "Population within 45 min of a static scanner"
    assert f"Regions: {label}" in overlay_names(page)
    assert "within 60 min" not in " ".join(overlay_names(page))
    assert label in legend(page) and "within 60" not in legend(page)
    # The title's share is the summary's 45-minute share, with its target.
    assert "Population within 45 min" in title_box(page)
    assert "86.0% (target 90%)" in title_box(page)
    # Classes scaled to the 90% target: 73.5, 82.7, 87.2, 90 (the default 80/90/95/98 x 90/98).
    for text in ("below 73.5%", "82.7% to 87.2%", "90.0% or more (the target)"):
        assert text in legend(page)


def test_region_shares_within_45_minutes_from_the_zones():
    """Worked by hand from small_plan's zones (population, minutes to the nearest static
    scanner): the South East has Canterbury 8, Dover 38, Sheppey 35, the hamlet 30 and
    Basingstoke 40 minutes within 45, and Aldershot (48) beyond."""
    plan = forty_five_minute_plan()
    shares = region_metric(plan, "access")
    within = 157_000 + 116_000 + 40_000 + 800 + 185_000
    assert shares[SE] == pytest.approx(within / (within + 37_000))
    assert shares["E12000007"] == 1.0 and shares["E12000006"] == 0.0  # Ipswich: 55 minutes
    # A fixed time still maps the saved table where it holds it.
    assert region_metric(plan, "share_within_60")[SE] == pytest.approx(0.962)
    assert region_metric(plan, "share_within_30")[SE] == pytest.approx((157_000 + 800) / 535_800)


def test_every_metric_is_offered_and_named_for_its_minutes():
    assert METRICS[0] == "access"
    assert {f"share_within_{t}" for t in (30, 45, 60, 90)} <= set(METRICS)
    assert check_metric("access", 45, 0.9).label == "Population within 45 min of a static scanner"
    assert check_metric("share_within_45", 45, 0.9).target == 0.9  # the scenario's own time
    assert check_metric("share_within_60", 45, 0.9).target is None
    assert check_metric("share_within_60", 45, 0.9).edges == (0.80, 0.90, 0.95, 0.98)


def test_icb_layer_follows_the_access_minutes():
    plan = forty_five_minute_plan()
    plan.areas = pd.DataFrame(
        {
            "level": ["icb", "icb"],
            "code": ["E54000034", "E54000044"],
            "name": ["NHS Frimley Integrated Care Board", "NHS Kent Integrated Care Board"],
            "population": [800_000, 1_900_000],
            "scans": [2_900.0, 6_700.0],
            "assigned_scans": [2_900.0, 6_650.0],
            "unmet_scans": [0.0, 50.0],
            "share_within_access": [0.871, 0.694],
            "share_within_60": [0.991, 0.914],
            "mean_minutes": [18.0, 34.5],
            "access_minutes": [45.0, 45.0],
        }
    )
    page = render(plan_map(plan, regions=region_shapes()))
    assert "Integrated Care Boards: Population within 45 min of a static scanner" in (
        overlay_names(page)
    )
    assert "87.1%" in page and "69.4%" in page  # the 45-minute shares, as saved


def test_cli_metric_choices_and_errors(tmp_path, capsys):
    plan = forty_five_minute_plan()
    plan.save(tmp_path / "plan")
    out = tmp_path / "map.html"
    assert planner_main(["map", str(tmp_path / "plan"), "--out", str(out)]) == 0
    assert "Regions: Population within 45 min" in out.read_text()
    args = ["map", str(tmp_path / "plan"), "--out", str(out), "--metric", "share_within_60"]
    assert planner_main(args) == 0
    assert "Regions: Population within 60 min" in out.read_text()
    assert planner_main([*args[:-1], "cost"]) == 2
    assert "expected one of access, share_within_30" in capsys.readouterr().err


# -- converted sites ------------------------------------------------------------------------------
def test_converted_names():
    qe = "Queen Elizabeth Hospital Birmingham (mobile visits)"
    assert converted_name(qe, "to static") == (
        "Queen Elizabeth Hospital Birmingham (static, converted from mobile visits)"
    )
    assert converted_name("Lister Hospital (mobile, 1 day a week)", "to static") == (
        "Lister Hospital (static, converted from mobile, 1 day a week)"
    )
    assert converted_name("Basingstoke unit", "to static") == (
        "Basingstoke unit (static, converted from mobile)"
    )
    assert converted_name("Oxford", "to mobile") == "Oxford (mobile, converted from static)"
    assert converted_name(qe, None) == qe


def converting_plan() -> Plan:
    """small_plan where Basingstoke (existing, mobile today) gets a static scanner and Guy's
    (existing, static today) keeps mobile days only."""
    plan = small_plan()
    sites = plan.sites.copy()
    sites["existing_kind"] = ["fixed", "fixed", "", "", "mobile", "mobile", ""]
    sites.loc[sites["site_id"] == "S5", ["name", "fixed_scanners", "mobile_days"]] = [
        "Basingstoke (mobile visits)",
        1,
        0,
    ]
    sites.loc[sites["site_id"] == "S2", ["fixed_scanners", "mobile_days"]] = [0, 2]
    plan.sites = sites
    return plan


def test_converted_sites_are_named_for_what_they_become():
    plan = converting_plan()
    assert [conversion(s) for s in plan.sites.to_dict("records")] == [
        None, "to mobile", None, None, "to static", None, None,
    ]  # fmt: skip
    names = display_names(plan.sites)
    assert names[4] == "Basingstoke (static, converted from mobile visits)"
    assert names[1] == "Guy's & St Thomas' (mobile, converted from static)"
    page = render(plan_map(plan, regions=region_shapes()))
    popup = next(p for p in popups(page) if "Basingstoke" in p)
    assert html.escape("Basingstoke (static, converted from mobile visits)") in popup
    assert "converted: mobile visits today, static in this plan" in popup
    assert "Basingstoke (mobile visits)" not in page
    markers = re.findall(r'"className": "([^"]*planner-converted[^"]*)"', page)
    assert sorted(m.split()[-1] for m in markers) == ["planner-id-S2", "planner-id-S5"]
    assert "planner-static" in next(m for m in markers if "S5" in m)


# -- comparisons ----------------------------------------------------------------------------------
def resized_plan() -> Plan:
    """alternative_plan with the Royal Marsden (S1) cut from 2 static scanners to 1."""
    plan = alternative_plan()
    plan.sites.loc[plan.sites["site_id"] == "S1", ["fixed_scanners", "capacity_scans"]] = [1, 4500]
    plan.summary = {**plan.summary, "scanners_fixed": int(plan.sites["fixed_scanners"].sum())}
    return plan


def test_resized_sites_are_marked_on_comparison_maps():
    page = render(
        comparison_map(
            small_plan(), resized_plan(), labels=("Today", "Proposed"), regions=region_shapes()
        )
    )
    classes = [set(c.split()) for c in re.findall(r'"className": "([^"]*)"', page)]
    resized = [c for c in classes if "planner-resized" in c]
    assert len(resized) == 1 and "planner-id-S1" in resized[0]
    assert sum("planner-both" in c for c in classes) == 3  # S2, S4, S5 unchanged
    resized_popup = [p for p in popups(page) if "Resized" in p]
    assert len(resized_popup) == 1 and "Royal Marsden PET-CT" in resized_popup[0]
    assert "Resized in Proposed: static scanners 2 → 1" in resized_popup[0]
    assert "Sites in both, resized in Proposed (scanners changed)" in overlay_names(page)
    assert "in both, resized in Proposed" in legend(page)
    # Without a resized site there is no such layer or legend entry.
    plain = render(comparison_map(small_plan(), alternative_plan(), regions=region_shapes()))
    assert "resized" not in " ".join(overlay_names(plain)) and "resized" not in legend(plain)


def test_compare_uses_the_labels(tmp_path, capsys):
    """'planner compare --labels' names plan B everywhere it used to say "B"."""
    a, b = small_plan(), resized_plan()
    changes = site_changes(a, b, ("Today", "Proposed")).set_index("site_id")
    assert changes.loc["S3", "change"] == "closed in Proposed"
    assert changes.loc["S7", "change"] == "opened in Proposed"
    assert changes.loc["S1", "change"] == "resized"
    a.save(tmp_path / "a")
    b.save(tmp_path / "b")
    args = ["compare", str(tmp_path / "a"), str(tmp_path / "b"), "--labels", "Today", "Proposed"]
    assert planner_main(args) == 0
    printed = capsys.readouterr().out
    written = (tmp_path / "b" / "comparison.md").read_text()
    table = (tmp_path / "b" / "comparison_sites.csv").read_text()
    for text in (printed, written, table):
        assert "in B" not in text
        assert "closed in Proposed" in text and "opened in Proposed" in text
    assert "1 opened, 1 closed, 1 resized" in printed
