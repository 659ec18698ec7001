"""Every notebook is committed executed, and runs top to bottom on a fresh checkout.

The committed copy is what a reader on a code host sees (README, Notebooks): the test checks
that it was executed top to bottom in one kernel with no error, that each plan it printed is
proven optimal, that it drew its map and that it stays small enough to open. Then it clears the
outputs, removes the maps the notebook should write, executes it afresh with nbclient, and
checks that it raised nothing, that it drew a map (and its charts) inline and wrote its maps
under maps/ afresh (Leaflet written into each, so that they draw with no internet), and, through
a cell appended for the test only, that every plan it made keeps the invariants recomputed from
its tables (capacity, travel limit, demand conserved, access share).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
MAPS = {
    "01_national_baseline.ipynb": ["01_national_baseline.html"],
    "02_christie_alliance.ipynb": [
        "02_christie_alliance_comparison.html",
        "02_christie_alliance_30_static.html",
    ],
    "03_growth_and_phasing.ipynb": ["03_growth_north_west.html"],
    "04_hubs_and_resilience.ipynb": ["04_hubs_north.html"],
    "05_bring_your_own_data.ipynb": ["05_own_data_west_midlands.html"],
    "06_sensitivity_and_robustness.ipynb": ["06_robust_south_west.html"],
}
#: Notebooks whose solve shows planner.notebook.ProgressBar.
PROGRESS_BARS = {"01_national_baseline.ipynb"}
#: Charts each notebook draws inline (matplotlib figures, shown as PNG images).
CHARTS = {
    "01_national_baseline.ipynb": 3,
    "03_growth_and_phasing.ipynb": 1,
    "06_sensitivity_and_robustness.ipynb": 2,
}
#: The plans each notebook leaves in its kernel, as an expression giving a list of plans.
PLANS = {
    "01_national_baseline.ipynb": "[plan]",
    "02_christie_alliance.ipynb": "list(runs.values())",
    "03_growth_and_phasing.ipynb": "list(plans.values())",
    "04_hubs_and_resilience.ipynb": "[plan]",
    "05_bring_your_own_data.ipynb": "[plan]",
    "06_sensitivity_and_robustness.ipynb": "robust_plans",
}
CHECK_CELL = """
import sys
sys.path.insert(0, {root!r})
from tests.helpers.invariants import check_invariants
for _plan in {plans}:
    check_invariants(_plan, 120)
    assert _plan.summary["status"] in ("optimal", "feasible"), _plan.summary["status"]
print("invariants hold for", len({plans}), "plan(s)")
"""
#: A committed notebook above this size would be slow to open on a code host.
MAX_BYTES = 5_000_000


def _outputs(book) -> list[dict]:
    return [o for c in book.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def _check_committed(path: Path) -> None:
    """The committed copy: executed top to bottom, without error, its plans proven optimal."""
    assert path.stat().st_size < MAX_BYTES, f"{path.name}: {path.stat().st_size:,} bytes"
    book = nbformat.read(path, as_version=4)
    code = [c for c in book.cells if c.cell_type == "code"]
    counts = [c.get("execution_count") for c in code]
    assert counts == list(range(1, len(code) + 1)), (
        f"{path.name} is not committed executed top to bottom in one kernel ({counts}): "
        "run 'make notebooks'"
    )
    outputs = _outputs(book)
    assert not [o for o in outputs if o.get("output_type") == "error"], f"{path.name}: an error"
    text = "".join(o.get("text", "") for o in outputs)
    statuses = re.findall(r"^  status +(\w+)", text, flags=re.MULTILINE)
    assert statuses and set(statuses) == {"optimal"}, f"{path.name}: statuses {statuses}"
    assert any("planner-site" in o.get("data", {}).get("text/html", "") for o in outputs)


def test_every_notebook_is_listed():
    assert {p.name for p in NOTEBOOKS} == set(MAPS) == set(PLANS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_executed(path):
    _check_committed(path)


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path):
    book = nbformat.read(path, as_version=4)
    for cell in book.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    for name in MAPS[path.name]:
        (ROOT / "maps" / name).unlink(missing_ok=True)
    book.cells.append(
        nbformat.v4.new_code_cell(CHECK_CELL.format(root=str(ROOT), plans=PLANS[path.name]))
    )
    NotebookClient(
        book, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    outputs = _outputs(book)
    errors = [o for o in outputs if o.get("output_type") == "error"]
    assert not errors, errors[0].get("evalue") if errors else ""
    assert "invariants hold" in "".join(o.get("text", "") for o in outputs)
    inline = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert any("<iframe" in html and "planner-site" in html for html in inline), (
        f"{path.name} drew no map inline"
    )
    if path.name in PROGRESS_BARS:
        # The bar is one display updated in place: at the end it is full, with the solve's
        # figures, and its text escaped (no markup from a progress line).
        bars = [html for html in inline if "planner-progress" in html]
        assert len(bars) == 1, f"{path.name}: {len(bars)} progress bars"
        assert 'value="1.000"' in bars[0] and "best plan £" in bars[0], bars[0]
    charts = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(charts) == CHARTS.get(path.name, 0), f"{path.name} drew {len(charts)} charts"
    # Inline and on disk, the maps carry Leaflet themselves: they draw with no internet.
    assert all("(vendored)" in html for html in inline if "planner-site" in html)
    for name in MAPS[path.name]:
        html = (ROOT / "maps" / name).read_text(encoding="utf-8")
        assert "planner-site" in html and len(html) > 10_000
        assert "(vendored)" in html and "<script src=" not in html, name
