"""Solve the three Christie-Alliance phase-1 scenarios and print the comparison table (issue 5).

    python benchmarks/christie_alliance.py [--out FOLDER]

* ``christie_alliance_published``: the partnership's named sites in the phase-1 area, kept open
  and sized by the optimiser; the access target measured, not imposed;
* ``christie_alliance_same_count``: the optimiser with the same number of sites;
* ``christie_alliance_phase1``: 30 static sites, the award's count, with N-1 analysis.

Each run goes through ``planner run`` (plan, map, manifest written under ``--out``), timed from
the command's start to its end. Target: each finishes, optimal or with its gap, in under 5 min.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from planner.cli import main as planner_main  # noqa: E402

SCENARIOS = [
    ("published network", "christie_alliance_published"),
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
    ("yearly cost, GBP m", lambda s: f"{s['annual_cost'] / 1e6:,.1f}"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="folder for the plans (default: a temp folder)")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="christie-alliance-"))
    summaries = []
    for label, name in SCENARIOS:
        started = time.perf_counter()
        code = planner_main(
            ["run", str(ROOT / "scenarios" / f"{name}.toml"), "--out", str(out / name)]
        )
        wall = time.perf_counter() - started
        if code != 0:
            print(f"{name}: planner run exited with {code}", file=sys.stderr)
            return code
        summary = json.loads((out / name / "summary.json").read_text())
        summary["wall_seconds"] = wall
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
