"""Weigh the national map and time its drawing in headless Chromium with no network.

    python benchmarks/map_weight.py [--plan PLAN_DIR] [--scenario FILE] [--cdn] [--loads N]

Without ``--plan``, solves ``scenarios/england_baseline.toml`` (the LSOA England, 32,844 demand
zones) as ``make run`` does; with it, redraws a saved plan folder. The map is drawn as
``planner run`` writes it (scripts inlined; ``--cdn`` links them instead, and the CDN is then
answered from the vendored copy), opened ``--loads`` times in Debian's headless Chromium with the
network cut off (``tests/helpers/browser.py``), and the figures printed: the file's size, and the
time from navigation until every layer is added and the frame that draws them painted
(``window.plannerReadyMs``, :class:`planner.maps.layers.ReadyMark`). Targets (issue 17): under
5 MB, drawn in under 3 s, no request leaving the machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import planner  # noqa: E402
from planner.maps import save_plan_map  # noqa: E402
from planner.plan import Plan  # noqa: E402
from tests.helpers.browser import CHROMIUM, CHROMIUM_ARGS, NO_CHROMIUM, open_map  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", help="a saved plan folder (default: solve the scenario)")
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "england_baseline.toml"))
    parser.add_argument("--cdn", action="store_true", help="link Leaflet from its CDN")
    parser.add_argument("--loads", type=int, default=5, help="page loads to time")
    args = parser.parse_args()
    if CHROMIUM is None:
        sys.exit(NO_CHROMIUM)
    from playwright.sync_api import sync_playwright

    if args.plan:
        plan = Plan.load(args.plan)
    else:
        started = time.perf_counter()
        plan = planner.run(args.scenario)
        seconds = time.perf_counter() - started
        print(f"solved            {plan.summary['scenario']} in {seconds:.0f} s")
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        path = save_plan_map(plan, Path(folder) / "map.html", cdn=args.cdn)
        written = time.perf_counter() - started
        size_mb = path.stat().st_size / 1024 / 1024
        draws, walls, outside = [], [], set()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for _ in range(args.loads):
                started = time.perf_counter()
                loaded = open_map(browser, path, cdn_answers=args.cdn)
                walls.append(time.perf_counter() - started)
                draws.append(loaded.ready_ms / 1000)
                outside |= set(loaded.outside_requests())
                if loaded.page_errors:
                    sys.exit(f"script errors: {loaded.page_errors}")
                loaded.page.close()
            browser.close()
    zones = len(plan.demand)
    print(f"map               {zones:,} demand zones, {int(plan.sites['open'].sum())} open sites")
    print(f"written in        {written:.2f} s ({'CDN links' if args.cdn else 'scripts inlined'})")
    print(f"file size         {size_mb:.2f} MB (target < 5 MB)")
    print(
        f"draw time         median {statistics.median(draws):.2f} s, min {min(draws):.2f}, "
        f"max {max(draws):.2f} over {len(draws)} loads (target < 3 s; navigation to painted)"
    )
    print(f"page load wall    median {statistics.median(walls):.2f} s (incl. Playwright's setup)")
    print(f"requests out      {len(outside)} {sorted(outside) if outside else ''}".rstrip())


if __name__ == "__main__":
    main()
