"""Fixtures of the map browser tests: the national run 'make run' makes (the one Chromium of
the session is ``browser`` in ``tests/conftest.py``).

Session-scoped: the browser modules share an xdist group, so England's baseline is solved once
per test run however many modules open its map.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def national_run(tmp_path_factory) -> dict[str, Path]:
    """What 'make run' produces: england_baseline solved by 'planner run' and its map.html; the
    same saved plan redrawn by 'planner map --offline' (an old command, now the default) and by
    'planner map --cdn'."""
    from planner.cli import main as planner_main

    folder = tmp_path_factory.mktemp("national_run")
    plan = folder / "plan"
    scenario = ROOT / "scenarios" / "england_baseline.toml"
    assert planner_main(["run", str(scenario), "--out", str(plan)]) == 0
    redrawn = folder / "redrawn_offline.html"
    assert planner_main(["map", str(plan), "--out", str(redrawn), "--offline"]) == 0
    cdn = folder / "cdn.html"
    assert planner_main(["map", str(plan), "--out", str(cdn), "--cdn"]) == 0
    return {"plan": plan, "run": plan / "map.html", "redrawn": redrawn, "cdn": cdn}
