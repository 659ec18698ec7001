"""Size and draw time of report.html for england_baseline, in headless Chromium, network blocked.

    python benchmarks/report_html.py [--plan RUN_FOLDER] [--runs N]

Without ``--plan`` it first does what ``make run`` does (``planner run
scenarios/england_baseline.toml --out out/england_baseline``: :func:`planner.run` and
:func:`~planner.reports.run_folder.write_run`, about 80 s here); with it, it
measures the ``report.html`` of that folder. The page is opened ``--runs`` times in Debian's
Chromium (``/usr/bin/chromium``, driven by Playwright) with every request that is not a
``file:`` or ``data:`` address aborted, and the script prints the file's size, the page's own
draw time (``window.reportReadyMs``: every chart decoded and the map drawn, in milliseconds
after navigation), the wall time of each load, the charts and map found in the page and any
request that tried to leave the machine. Target (issue 17): under 5 MB, drawn in under 3 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

import planner  # noqa: E402
from planner.reports.run_folder import write_run  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _route(route) -> None:
    if route.request.url.startswith(("file:", "data:")):
        route.continue_()
    else:
        route.abort()


def measure(path: Path, runs: int) -> None:
    size_mb = path.stat().st_size / 1024 / 1024
    print(f"report.html       {path} ({size_mb:.2f} MB; target < 5 MB)")
    ready, walls, offsite = [], [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for _ in range(runs):
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.route("**/*", _route)
            page.on(
                "request",
                lambda r, seen=offsite: (
                    None if r.url.startswith(("file:", "data:", "about:")) else seen.append(r.url)
                ),
            )
            started = time.perf_counter()
            page.goto(path.as_uri())
            # Polled from Python: wait_for_function's string predicate uses eval, which the
            # page's Content-Security-Policy may refuse.
            while page.evaluate("() => window.reportReadyMs === undefined"):
                if time.perf_counter() - started > 60:
                    raise SystemExit(f"{path} did not draw within 60 s")
                page.wait_for_timeout(10)
            walls.append(time.perf_counter() - started)
            ready.append(page.evaluate("window.reportReadyMs"))
            charts = page.evaluate(
                "[...document.images].filter(i => i.complete && i.naturalWidth > 0).length"
            )
            leaflet = page.frame_locator("iframe.planner-map").locator(".leaflet-container").count()
            page.close()
        browser.close()
    print(f"charts drawn      {charts}; map (leaflet container) {'yes' if leaflet else 'NO'}")
    print(f"requests off the machine: {len(offsite)} in {runs} loads")
    print(
        f"drawn after       {statistics.median(ready) / 1000:.2f} s (median of {runs}; "
        f"each {', '.join(f'{r / 1000:.2f}' for r in ready)} s; target < 3 s)"
    )
    print(f"wall per load     {', '.join(f'{w:.2f}' for w in walls)} s (incl. page setup)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", help="a run folder with report.html (default: run make run's)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.plan:
        folder = Path(args.plan)
    else:
        folder = ROOT / "out" / "england_baseline"
        scenario = ROOT / "scenarios" / "england_baseline.toml"
        started = time.perf_counter()
        write_run(planner.run(scenario), folder)
        print(f"planner run       {time.perf_counter() - started:.1f} s")
    measure(folder / "report.html", args.runs)


if __name__ == "__main__":
    main()
