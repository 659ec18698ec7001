"""Fixtures of the map browser tests: one Chromium, and the national run 'make run' makes.

Both are session-scoped: the browser modules share an xdist group, so England's baseline is
solved once per test run however many modules open its map.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.browser import CHROMIUM, CHROMIUM_ARGS, NO_CHROMIUM

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def browser():
    if CHROMIUM is None:
        pytest.skip(NO_CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


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
