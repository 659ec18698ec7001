"""Fixtures shared by more than one test module.

Plain helpers (instances, the brute-force solver, plan invariants, plan fixtures) live in
:mod:`tests.helpers`; import them from there.
"""

from __future__ import annotations

import pytest

from planner.network import NetworkModel
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
