"""sweep.html in Debian's headless Chromium with the network blocked: it draws its charts, its
interactive frontier and its table, sorts the table on a click, and runs no script from the
data (the scenario's name is hostile markup)."""

from __future__ import annotations

import pytest

from planner.sweeps import sweep
from tests.helpers.browser import CHROMIUM, NO_CHROMIUM, XSS_TRAP, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]

if CHROMIUM is None:
    pytest.skip(NO_CHROMIUM, allow_module_level=True)

HOSTILE = '<img src=x onerror="alert(1)">'
LOCAL = ("file:", "data:", "about:")


def test_sweep_page_draws_offline_and_sorts(browser, tmp_path):
    out = tmp_path / "sweep"
    result = sweep(
        "england_baseline",
        {"access.share": [0.9, 0.95, 0.99]},
        out,
        overrides={
            "data.regions": ["E12000001"],
            "data.zone_level": "msoa",
            "scenario.name": HOSTILE,
        },
        workers=1,
        progress_bar=False,
    )
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests, errors, dialogs = [], [], []
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(LOCAL) else r.abort())
    page.add_init_script(XSS_TRAP)
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto((out / "sweep.html").as_uri())
    wait_until(page, "window.sweepReady === true")
    assert [u for u in requests if not u.startswith(LOCAL)] == []
    assert errors == [] and dialogs == [] and page.evaluate("window.__xss") is False
    assert HOSTILE in page.inner_text("h1")  # shown as text
    widths = page.evaluate("[...document.images].map(i => i.complete ? i.naturalWidth : 0)")
    assert len(widths) == 2 and min(widths) > 0  # frontier and S-curves (no tornado: a grid)
    tips = page.evaluate("[...document.querySelectorAll('svg.frontier circle title')]"
                         ".map(t => t.textContent)")  # fmt: skip
    assert len(tips) == int(result.results["status"].eq("optimal").sum()) >= 2
    assert all("within the access minutes" in t for t in tips)
    column = list(result.results.columns).index("yearly_cost")
    header = page.locator("#results th").nth(column)
    read = (
        f"[...document.querySelectorAll('#results tbody tr')].map(r => "
        f"parseFloat(r.cells[{column}].getAttribute('data-v')))"
    )
    header.click()
    ascending = [v for v in page.evaluate(read) if v == v]
    assert ascending == sorted(ascending) and len(ascending) >= 2
    header.click()
    descending = [v for v in page.evaluate(read) if v == v]
    assert descending == sorted(descending, reverse=True)
    page.close()
