"""Solve the three Christie-Alliance phase-1 scenarios and print the comparison table (issue 5).

    python benchmarks/christie_alliance.py [--out FOLDER]

* ``christie_alliance_today``: today's named PET-CT sites in the phase-1 area (the facts file's
  list; only 6 of the 20 are tied to the partnership there), kept open and sized by the
  optimiser; the access target measured, not imposed;
* ``christie_alliance_same_count``: the optimiser with the same number of sites;
* ``christie_alliance_phase1``: the award's 30 locations, modelled as 30 static sites (an
  assumption), with N-1 analysis.

Each run goes through :func:`planner.run` and writes its run folder (plan, map, manifest) under
``--out`` as ``planner run`` does, timed from the start of the run to the folder written.
Target: each finishes, optimal or with its gap, in under 5 min.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import planner  # noqa: E402
from planner.errors import PlannerError  # noqa: E402
from planner.reports.run_folder import write_run  # noqa: E402

SCENARIOS = [
    ("today's named sites", "christie_alliance_today"),
    ("optimised, same count", "christie_alliance_same_count"),
    ("optimised, 30 static", "christie_alliance_phase1"),
]

ROWS = [
    ("status", lambda s: s["status"]),
    ("MIP gap", lambda s: "-" if s["mip_gap"] is None else f"{s['mip_gap']:.2%}"),
    ("wall seconds", lambda s: f"{s['wall_seconds']:.1f}"),
    ("sites open", lambda s: f"{s['sites_open']}"),
    ("of which new", lambda s: f"{s['new_sites']}"),
    ("static scanners", lambda s: f"{s['scanners_fixed']}"),
    ("mobile days a week", lambda s: f"{s['mobile_days_per_week']}"),
    ("population within 60 min", lambda s: f"{s['share_within_minutes']['60']:.2%}"),
    ("population within 45 min", lambda s: f"{s['share_within_minutes']['45']:.2%}"),
    ("mean travel, min", lambda s: f"{s['mean_travel_minutes']:.1f}"),
    ("95th percentile travel, min", lambda s: f"{s['p95_travel_minutes']:.1f}"),
    ("mean utilisation", lambda s: f"{s['mean_utilisation']:.1%}"),
    ("unmet scans a year", lambda s: f"{s['unmet_scans']:,.0f}"),
    ("training hubs open", lambda s: f"{s.get('hubs_open', '-')}"),
    ("trainee places used", lambda s: f"{s.get('hub_trainee_load', 0):,.0f}"),
    ("yearly cost, all parts, GBP m", lambda s: f"{s['total_cost'] / 1e6:,.1f}"),
    ("of which the service, GBP m", lambda s: f"{s['annual_cost'] / 1e6:,.1f}"),
    ("one-off capital, GBP m", lambda s: f"{s['capital']['total'] / 1e6:,.1f}"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="folder for the plans (default: a temp folder)")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="christie-alliance-"))
    summaries = []
    for label, name in SCENARIOS:
        started = time.perf_counter()
        try:
            plan = planner.run(name)
        except PlannerError as exc:
            print(f"{name}: {exc}", file=sys.stderr)
            return 1
        write_run(plan, out / name)
        summary = dict(plan.summary, wall_seconds=time.perf_counter() - started)
        summaries.append((label, summary))
    width = max(len(r[0]) for r in ROWS)
    print()
    print(f"{'':<{width}}  " + "  ".join(f"{label:>22}" for label, _ in summaries))
    for row, value in ROWS:
        print(f"{row:<{width}}  " + "  ".join(f"{value(s):>22}" for _, s in summaries))
    print(f"\nplans, maps and manifests under {out}")
    slow = [
        name
        for (_, name), (_, s) in zip(SCENARIOS, summaries, strict=True)
        if s["wall_seconds"] > 300
    ]
    print("over the 5-minute target: " + (", ".join(slow) or "none"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
