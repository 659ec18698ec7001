"""Every notebook runs top to bottom on a fresh checkout (executed with nbclient).

Each notebook asserts nothing itself; this test checks that it ran without error and that it
wrote its map under maps/ (a map with the plan's open sites in it).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
MAPS = {
    "01_national_baseline.ipynb": ["01_national_baseline.html"],
    "02_christie_alliance.ipynb": ["02_christie_alliance_comparison.html"],
    "03_growth_and_phasing.ipynb": ["03_growth_north_west.html"],
    "04_hubs_and_resilience.ipynb": ["04_hubs_north.html"],
    "05_bring_your_own_data.ipynb": ["05_own_data_west_midlands.html"],
}


def test_every_notebook_is_listed():
    assert {p.name for p in NOTEBOOKS} == set(MAPS)


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path):
    book = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") for c in book.cells if c.cell_type == "code"), (
        f"{path.name} is committed with outputs; clear them"
    )
    NotebookClient(
        book, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    errors = [
        o
        for c in book.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert not errors
    for name in MAPS[path.name]:
        html = (ROOT / "maps" / name).read_text(encoding="utf-8")
        assert "planner-site" in html and len(html) > 10_000
