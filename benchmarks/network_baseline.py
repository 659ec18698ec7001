"""Build and solve scenarios/england_baseline.toml; print timings, model size and peak memory.

    python benchmarks/network_baseline.py [--scenario FILE] [--solver highs|cbc] [--time-limit S]
        [--method auto|full|decomposition] [--reference]

Targets: issue 3, optimal within a 0.5% gap in under 60 s on a 2-core machine (on the data of
then); issue 16, on the LSOA England a proven gap <= 0.5% in <= 120 s of solving and a peak
memory <= 4 GB. ``--reference`` then solves the same scenario as the plain full model in HiGHS
(``solver.method = "full"``), in a process of its own so that each peak memory is its own.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
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
    parser.add_argument("--method", choices=("auto", "full", "decomposition"))
    parser.add_argument("--reference", action="store_true")
    args = parser.parse_args()
    given = (("name", args.solver), ("time_limit", args.time_limit), ("method", args.method))
    overrides = {f"solver.{k}": v for k, v in given if v}
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
    print(f"method            {size.get('method', 'full')}")
    print(f"peak RSS          {peak_rss_mb():,.0f} MB")
    print(plan.summary_text())
    if args.reference:
        print("\n--- reference: the plain full model in HiGHS (solver.method = full) ---")
        command = [sys.executable, __file__, "--scenario", args.scenario, "--method", "full"]
        if args.time_limit:
            command += ["--time-limit", str(args.time_limit)]
        subprocess.run(command, check=False)


if __name__ == "__main__":
    main()
