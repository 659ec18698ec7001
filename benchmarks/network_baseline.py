"""Build and solve scenarios/england_baseline.toml; print timings, model size and peak memory.

    python benchmarks/network_baseline.py [--scenario FILE] [--solver highs|cbc] [--time-limit S]

Target (issue 3): optimal within a 0.5% gap in under 60 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import resource
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import planner  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux reports kB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "england_baseline.toml"))
    parser.add_argument("--solver")
    parser.add_argument("--time-limit", type=float)
    args = parser.parse_args()
    overrides = {
        f"solver.{k}": v for k, v in (("name", args.solver), ("time_limit", args.time_limit)) if v
    }
    plan = planner.run(args.scenario, overrides=overrides)
    s, size, seconds = plan.summary, plan.summary["model_size"], plan.provenance.timings
    print(f"scenario          {s['scenario']}")
    print(f"inputs seconds    {seconds['inputs']:.2f} (data, demand, travel times)")
    print(f"build seconds     {seconds['build']:.3f}")
    print(
        f"solve seconds     {s['solve_seconds']:.2f} "
        f"({s['solver']}, status {s['status']}, gap {s['mip_gap']})"
    )
    print(
        f"total seconds     {seconds['inputs'] + seconds['build'] + s['solve_seconds']:.2f} "
        "(target < 60 s, gap <= 0.5%)"
    )
    print(
        f"model size        {size['zones']:,} zones x {size['sites']:,} sites, "
        f"{size['pairs']:,} pairs; {size['variables']:,} variables "
        f"({size['integer_variables']:,} integer), {size['constraints']:,} constraints, "
        f"{size['nonzeros']:,} nonzeros"
    )
    print(f"peak RSS          {peak_rss_mb():,.0f} MB")
    print(plan.summary_text())


if __name__ == "__main__":
    main()
