"""Build and solve the network model at LSOA scale: 33,755 zones x 500 sites.

England has 33,755 Lower-layer Super Output Areas (ONS, 2021). The zones here are synthetic: each
is drawn around an embedded demand point with probability proportional to its population, jittered
by a few km, and carries an equal share of England's population; 500 candidate sites are drawn the
same way. The scenario is england_baseline's parameters. Prints the travel pairs and seconds and
the peak memory (resident set size, from the operating system); each solve prints the size and
build seconds of the model its method builds.

With ``--solve SECONDS`` each method solves in its own process, one after the other, with that
time limit: the decomposition (planner/network/decomposition.py) and, as the side-by-side
reference, the plain full model in HiGHS. Each prints its status, objective, bound, gap, seconds
and the peak memory of its process. ``--memory-gb`` caps each process's address space, so that a
run too big for the budget stops with a message instead of taking the machine.

    python benchmarks/network_lsoa_scale.py [--zones 33755] [--sites 500] [--solve SECONDS]
        [--methods decomposition,full] [--memory-gb 16]
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


def solve_in_process(model, method: str, seconds: float, mip_gap: float, memory_gb: float):
    """Solve in a forked process (its own peak memory); print what it reached."""
    import multiprocessing

    def work(queue) -> None:
        limit = int(memory_gb * 1024**3)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        try:
            model.scenario = model.scenario.updated({"solver.method": method})
            options = SolverOptions(name="highs", time_limit=seconds, mip_gap=mip_gap)
            started = time.perf_counter()

            def say(line: str) -> None:
                print(f"  [{method}] {line}")

            plan = model.solve(options, progress=say, detail=say)
            s = plan.summary
            queue.put(
                (
                    s["status"],
                    s["objective"],
                    s["best_bound"],
                    s["mip_gap"],
                    time.perf_counter() - started,
                    peak_rss_mb(),
                )
            )
        except MemoryError:
            queue.put(("out of memory", None, None, None, None, peak_rss_mb()))
        except Exception as exc:  # noqa: BLE001 - the benchmark reports any stop and goes on
            queue.put(
                (f"stopped: {type(exc).__name__}: {exc}", None, None, None, None, peak_rss_mb())
            )

    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=work, args=(queue,))
    process.start()
    process.join()
    if queue.empty():
        return (f"process ended with code {process.exitcode}", None, None, None, None, None)
    return queue.get()


def _money(value) -> str:
    return "-" if value is None else f"{value:,.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zones", type=int, default=33_755)
    parser.add_argument("--sites", type=int, default=500)
    parser.add_argument("--solve", type=float, default=0.0, help="also solve with this time limit")
    parser.add_argument("--methods", default="decomposition,full")
    parser.add_argument("--memory-gb", type=float, default=16.0)
    args = parser.parse_args()
    scenario = load_scenario(ROOT / "scenarios" / "england_baseline.toml")
    zones, sites = synthetic(args.zones, args.sites)
    zones["scans"] = zones["population"] * scenario.demand.scans_per_million / 1e6
    rss0 = peak_rss_mb()
    t0 = time.perf_counter()
    travel = estimate_travel_times(zones, sites, scenario.travel.max_minutes)
    t_travel = time.perf_counter() - t0
    model = NetworkModel.from_tables(zones, sites, travel, scenario)
    # With --solve no model is built here: each solve builds what its method needs in its own
    # process (the full model's size and build seconds are in its "[full]" lines).
    print(f"instance            {args.zones:,} zones x {args.sites:,} sites (synthetic)")
    print(f"travel pairs        {len(travel):,} within {scenario.travel.max_minutes:g} min")
    print(f"travel seconds      {t_travel:.2f}")
    if not args.solve:
        model.build()
        size = model.size
        print(f"build seconds       {model.build_seconds:.2f} (the full model)")
        print(f"variables           {size.variables:,} ({size.integer_variables:,} integer)")
        print(f"constraints         {size.constraints:,}")
        print(f"nonzeros            {size.nonzeros:,}")
    print(f"peak RSS            {peak_rss_mb():,.0f} MB (before travel: {rss0:,.0f} MB)")
    if not args.solve:
        return
    results = {}
    for method in args.methods.split(","):
        print(f"solving: {method}, time limit {args.solve:g} s, {args.memory_gb:g} GB ...")
        results[method] = solve_in_process(
            model, method, args.solve, scenario.solver.mip_gap, args.memory_gb
        )
    print()
    print(
        f"{'method':<15}{'status':<12}{'objective':>16}{'bound':>16}{'gap':>10}"
        f"{'seconds':>10}{'peak MB':>10}"
    )
    stops = []
    for method, (status, objective, bound, gap, seconds, rss) in results.items():
        gap_text = "-" if gap is None else f"{gap:.3%}"
        secs = "-" if seconds is None else f"{seconds:.1f}"
        mb = "-" if rss is None else f"{rss:,.0f}"
        if len(status) > 11:  # a stop's reason goes below the table, whole
            stops.append(f"{method}: {status}")
            status = "stopped"
        print(
            f"{method:<15}{status:<12}{_money(objective):>16}{_money(bound):>16}"
            f"{gap_text:>10}{secs:>10}{mb:>10}"
        )
    for line in stops:
        print(line)


if __name__ == "__main__":
    main()
