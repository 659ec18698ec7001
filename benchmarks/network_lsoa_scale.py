"""Build (and optionally solve) the network model at LSOA scale: 33,755 zones x 500 sites.

England has 33,755 Lower-layer Super Output Areas (ONS, 2021). The zones here are synthetic: each
is drawn around an embedded demand point with probability proportional to its population, jittered
by a few km, and carries an equal share of England's population; 500 candidate sites are drawn the
same way. The scenario is england_baseline's parameters. Prints build seconds, model size and
peak memory (resident set size, from the operating system).

    python benchmarks/network_lsoa_scale.py [--zones 33755] [--sites 500] [--solve SECONDS]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from planner.data import embedded as datasets  # noqa: E402
from planner.data.travel import estimate_travel_times  # noqa: E402
from planner.network import NetworkModel  # noqa: E402
from planner.optimise.solver import SolverOptions  # noqa: E402
from planner.scenario import load_scenario  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: kB


def synthetic(n_zones: int, n_sites: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    points = datasets.load_demand_zones()
    p = points["population"].to_numpy(float)
    p = p / p.sum()
    total = points["population"].sum()

    def draw(n: int, spread_km: float) -> pd.DataFrame:
        pick = rng.choice(len(points), size=n, p=p)
        lat = points["lat"].to_numpy()[pick] + rng.normal(0, spread_km / 111.0, n)
        lon = points["lon"].to_numpy()[pick] + rng.normal(0, spread_km / 70.0, n)
        return pd.DataFrame(
            {"lat": lat, "lon": lon, "region_code": points["region_code"].to_numpy()[pick]}
        )

    zones = draw(n_zones, 4.0)
    zones.insert(0, "zone_id", [f"L{i:05d}" for i in range(n_zones)])
    zones.insert(1, "name", zones["zone_id"])
    zones["population"] = total / n_zones
    sites = draw(n_sites, 2.0)
    sites.insert(0, "site_id", [f"C{j:03d}" for j in range(n_sites)])
    sites.insert(1, "name", sites["site_id"])
    sites["existing"] = False
    sites["existing_scanners"] = 0
    sites["existing_kind"] = ""
    return zones, sites


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zones", type=int, default=33_755)
    parser.add_argument("--sites", type=int, default=500)
    parser.add_argument("--solve", type=float, default=0.0, help="also solve with this time limit")
    args = parser.parse_args()
    scenario = load_scenario(ROOT / "scenarios" / "england_baseline.toml")
    zones, sites = synthetic(args.zones, args.sites)
    zones["scans"] = zones["population"] * scenario.demand.scans_per_million / 1e6
    rss0 = peak_rss_mb()
    t0 = time.perf_counter()
    travel = estimate_travel_times(zones, sites, scenario.travel.max_minutes)
    t_travel = time.perf_counter() - t0
    model = NetworkModel.from_tables(zones, sites, travel, scenario)
    model.build()
    size = model.size
    print(f"instance            {args.zones:,} zones x {args.sites:,} sites (synthetic LSOA scale)")
    print(f"travel pairs        {size.pairs:,} within {scenario.travel.max_minutes:g} min")
    print(f"travel seconds      {t_travel:.2f}")
    print(f"build seconds       {model.build_seconds:.2f}")
    print(f"travel+build        {t_travel + model.build_seconds:.2f} s (target < 30 s)")
    print(f"variables           {size.variables:,} ({size.integer_variables:,} integer)")
    print(f"constraints         {size.constraints:,}")
    print(f"nonzeros            {size.nonzeros:,}")
    print(
        f"peak RSS            {peak_rss_mb():,.0f} MB "
        f"(before travel: {rss0:,.0f} MB; target < 4096 MB)"
    )
    if args.solve:
        options = SolverOptions(
            name="highs", time_limit=args.solve, mip_gap=scenario.solver.mip_gap
        )
        plan = model.solve(options, progress=print)
        s = plan.summary
        print(f"solve               {s['status']}, gap {s['mip_gap']}, {s['solve_seconds']:.1f} s")
        print(f"peak RSS            {peak_rss_mb():,.0f} MB after solving")


if __name__ == "__main__":
    main()
