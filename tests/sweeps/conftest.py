"""One local Dask cluster (2 worker processes) for the sweep tests of a test process: they run
in one xdist group, so the cluster starts once, not once a sweep."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def dask_client():
    from planner.sweeps.runner import dask_client as local_cluster

    with local_cluster(workers=2) as client:
        yield client
