"""Fixtures shared by more than one test module.

Plain helpers (instances, the brute-force solver, plan invariants, plan fixtures) live in
:mod:`tests.helpers`; import them from there.
"""

from __future__ import annotations

import pytest

from planner.network import NetworkModel
from tests.helpers.browser import CHROMIUM, CHROMIUM_ARGS, NO_CHROMIUM
from tests.helpers.cases import two_towns


@pytest.fixture(scope="module")
def two_plans(tmp_path_factory):
    root = tmp_path_factory.mktemp("plans")
    zones, sites, travel, sc = two_towns()
    one = NetworkModel.from_tables(zones, sites, travel, sc).solve()
    zones, sites, travel, sc = two_towns(access={"enforce": True, "minutes": 60, "share": 0.9})
    two = NetworkModel.from_tables(zones, sites, travel, sc).solve()
    one.save(root / "one")
    two.save(root / "two")
    return root / "one", root / "two"


# One Chromium (one Playwright) per test process: the map and report browser tests share it, as
# a second sync Playwright in the same process refuses to start.
@pytest.fixture(scope="session")
def browser():
    if CHROMIUM is None:
        pytest.skip(NO_CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
