"""Build and solve scenarios/england_baseline.toml; print timings, model size and peak memory.

    python benchmarks/network_baseline.py [--scenario FILE] [--solver highs|cbc] [--time-limit S]

Target (issue 3): optimal within a 0.5% gap in under 60 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from planner.cli import format_summary  # noqa: E402
from planner.network import NetworkModel  # noqa: E402
from planner.scenario import load_scenario  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux reports kB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "england_baseline.toml"))
    parser.add_argument("--solver")
    parser.add_argument("--time-limit", type=float)
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    options = scenario.solver.options()
    updates = {k: v for k, v in (("name", args.solver), ("time_limit", args.time_limit)) if v}
    if updates:
        from dataclasses import replace

        options = replace(options, **updates)
    t0 = time.perf_counter()
    model = NetworkModel.from_scenario(scenario)
    t_inputs = time.perf_counter() - t0
    model.build()
    plan = model.solve(options)
    s, size = plan.summary, model.size
    print(f"scenario          {scenario.name}")
    print(f"inputs seconds    {t_inputs:.2f} (data, demand, travel times)")
    print(f"build seconds     {model.build_seconds:.3f}")
    print(
        f"solve seconds     {s['solve_seconds']:.2f} "
        f"({s['solver']}, status {s['status']}, gap {s['mip_gap']})"
    )
    print(
        f"total seconds     {t_inputs + model.build_seconds + s['solve_seconds']:.2f} "
        "(target < 60 s, gap <= 0.5%)"
    )
    print(
        f"model size        {size.zones:,} zones x {size.sites:,} sites, {size.pairs:,} pairs; "
        f"{size.variables:,} variables ({size.integer_variables:,} integer), "
        f"{size.constraints:,} constraints, {size.nonzeros:,} nonzeros"
    )
    print(f"peak RSS          {peak_rss_mb():,.0f} MB")
    print(format_summary(s))


if __name__ == "__main__":
    main()
