"""Benchmark planner.classic against spopt on the same solver (HiGHS through PuLP).

Runs p-median on OR-Library pmed1–40 and p-median, MCLP and LSCP on random Euclidean instances
(1,000 × 100, 6,800 × 300, 33,755 × 500), timing model building and solving separately for
both libraries in one process. spopt's statuses are read from its HiGHS object with
:func:`planner.optimise.solver.report_from_highs`, so a time-limited spopt run is not counted as
optimal.

Peak memory is the resident set size (psutil RSS) sampled every 20 ms during build + solve,
minus the RSS just before: it includes the solver's memory, and freed memory reused from an
earlier run is not counted again, so read it as an indication.

Usage::

    .venv/bin/python benchmarks/classic_vs_spopt.py --quick
    .venv/bin/python benchmarks/classic_vs_spopt.py --instances pmed1 pmed16 pmedian-6800x300
    .venv/bin/python benchmarks/classic_vs_spopt.py --spopt-time-limit 120 --csv classic.csv
    .venv/bin/python benchmarks/classic_vs_spopt.py --spopt-build-only --instances pmedian-6800x300
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import gc
import sys
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import psutil
import pulp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from planner.classic import LSCP, MCLP, PMedian, read_orlib_pmed  # noqa: E402
from planner.classic.assembly import DEFAULT_MIP_GAP  # noqa: E402
from planner.optimise.solver import SolverOptions, report_from_highs  # noqa: E402

ORLIB = Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks" / "orlib-pmed"
SIZES = [(1000, 100), (6800, 300), (33755, 500)]
P_RANDOM = 10


@dataclass
class Run:
    objective: float | None
    status: str
    gap: float | None
    build: float
    solve: float
    peak_mb: float


class PeakRSS:
    """Sample this process's RSS in a thread; ``peak_mb`` is the rise over the start."""

    def __init__(self) -> None:
        self.process = psutil.Process()

    def __enter__(self) -> PeakRSS:
        gc.collect()
        self.start = self.process.memory_info().rss
        self.peak = self.start
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self) -> None:
        while self.running:
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.02)

    def __exit__(self, *exc) -> None:
        self.running = False
        self.thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)
        self.peak_mb = (self.peak - self.start) / 2**20


def random_instance(n: int, m: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    demand = rng.uniform(0, 100, size=(n, 2))
    sites = rng.uniform(0, 100, size=(m, 2))
    costs = np.hypot(demand[:, None, 0] - sites[None, :, 0], demand[:, None, 1] - sites[None, :, 1])
    weights = rng.integers(1, 100, size=n).astype(float)
    return costs, weights


def ours(kind: str, costs, weights, p, radius, time_limit) -> Run:
    options = SolverOptions(name="highs", time_limit=time_limit)
    with PeakRSS() as memory:
        started = time.perf_counter()
        if kind == "pmedian":
            model = PMedian.from_cost_matrix(costs, p, weights=weights)
        elif kind == "mclp":
            model = MCLP.from_cost_matrix(costs, radius, p, weights=weights)
        else:
            model = LSCP.from_cost_matrix(costs, radius)
        build = time.perf_counter() - started
        built_before_solve = model.build.seconds
        result = model.solve(options)
    # Level generation extends the model while solving: that time counts as building too.
    extra = result.build_seconds - built_before_solve
    return Run(
        result.objective,
        result.status,
        result.gap,
        build + extra,
        result.solve_seconds,
        memory.peak_mb,
    )


#: Status of an spopt run that was built and not solved (``--spopt-build-only``).
BUILT_ONLY = "built only"


def spopt_run(kind: str, costs, weights, p, radius, time_limit, build_only=False) -> Run:
    import spopt.locate as splocate

    with PeakRSS() as memory, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        started = time.perf_counter()
        if kind == "pmedian":
            model = splocate.PMedian.from_cost_matrix(costs, weights, p)
        elif kind == "mclp":
            model = splocate.MCLP.from_cost_matrix(costs, weights, radius, p)
        else:
            model = splocate.LSCP.from_cost_matrix(costs, radius)
        build = time.perf_counter() - started
        if not build_only:
            started = time.perf_counter()
            # spopt raises when the solver stopped without a plan (e.g. on the time limit);
            # HiGHS's own status, read below, says which.
            with contextlib.suppress(RuntimeError):
                model.solve(pulp.HiGHS(msg=False, timeLimit=time_limit, gapRel=DEFAULT_MIP_GAP))
            solve = time.perf_counter() - started
    if build_only:
        return Run(None, BUILT_ONLY, None, build, 0.0, memory.peak_mb)
    report = report_from_highs(
        model.problem.solverModel,
        is_mip=True,
        seconds=solve,
        negated=model.problem.sense == pulp.LpMaximize,
    )
    objective = pulp.value(model.problem.objective) if report.has_solution else None
    return Run(objective, report.status, report.mip_gap, build, solve, memory.peak_mb)


def instances(quick: bool) -> list[tuple[str, str, np.ndarray, np.ndarray, int, float | None]]:
    """(name, kind, costs, weights, p, radius) — costs built lazily by the caller."""
    out = []
    if ORLIB.is_dir():
        for k in range(1, 11) if quick else range(1, 41):
            out.append((f"pmed{k}", "pmedian", None, None, None, None))
    else:
        print(f"OR-Library folder {ORLIB} not found: skipping pmed instances")
    sizes = SIZES[:1] if quick else SIZES
    for n, m in sizes:
        for kind in ("pmedian", "mclp", "lscp"):
            out.append((f"{kind}-{n}x{m}", kind, None, None, None, None))
    return out


def is_orlib(name: str) -> bool:
    return name.startswith("pmed") and name[4:].isdigit()


def load(name: str, kind: str):
    if is_orlib(name):
        costs, p = read_orlib_pmed(ORLIB / f"{name}.txt")
        return costs, np.ones(costs.shape[0]), p, None
    n, m = (int(v) for v in name.split("-")[1].split("x"))
    costs, weights = random_instance(n, m)
    nearest = costs.min(axis=1).max()
    # MCLP: a radius covering part of the demand; LSCP: just enough for full coverage.
    radius = 15.0 if kind == "mclp" else float(np.ceil(nearest * 1.05))
    return costs, weights, P_RANDOM, radius


def fmt(value, spec=".2f") -> str:
    return "-" if value is None else format(value, spec)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="pmed1–10 and 1,000 × 100 only")
    parser.add_argument("--instances", nargs="*", help="names such as pmed7 mclp-6800x300")
    parser.add_argument(
        "--spopt-max-assignments",
        type=int,
        default=5_000_000,
        help=(
            "skip spopt's p-median above this many demand × facility pairs: it makes one "
            "PuLP variable per pair (about 1.4 kB each: 2.8 GB at 6,800 × 300), so 33,755 × 500 "
            "would need about 24 GB, more than this machine has"
        ),
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=300.0,
        help="solver time limit per run of ours, seconds (default 300)",
    )
    parser.add_argument(
        "--spopt-time-limit",
        type=float,
        help=(
            "solver time limit per spopt run, seconds (default: --time-limit); where spopt "
            "stops on it, its time and the ratios printed are lower bounds"
        ),
    )
    parser.add_argument(
        "--spopt-build-only",
        action="store_true",
        help=(
            "build spopt's models without solving them, to compare model building alone "
            "(spopt's p-median at 6,800 × 300 stayed inside HiGHS for over 11 minutes, its "
            "time limit not honoured)"
        ),
    )
    parser.add_argument("--csv", type=Path, help="also write the rows to this CSV file")
    args = parser.parse_args(argv)
    spopt_limit = args.time_limit if args.spopt_time_limit is None else args.spopt_time_limit

    todo = instances(args.quick)
    if args.instances:
        wanted = set(args.instances)
        todo = [t for t in instances(False) if t[0] in wanted]
        unknown = wanted - {t[0] for t in todo}
        if unknown:
            parser.error(f"unknown instances: {', '.join(sorted(unknown))}")

    header = (
        f"{'instance':<18} {'obj ours':>12} {'obj spopt':>12} {'build ours':>10} "
        f"{'build sp':>9} {'x':>6} {'solve ours':>10} {'solve sp':>9} {'x':>6} "
        f"{'MB ours':>8} {'MB sp':>8} {'status ours (gap)':<22} {'status sp':<10}"
    )
    print(header)
    print("-" * len(header), flush=True)
    rows = []
    totals = {"ours": 0.0, "spopt": 0.0}
    mismatches = []
    for name, kind, *_ in todo:
        costs, weights, p, radius = load(name, kind)
        mine = ours(kind, costs, weights, p, radius, args.time_limit)
        theirs = None
        if kind != "pmedian" or costs.size <= args.spopt_max_assignments:
            theirs = spopt_run(
                kind, costs, weights, p, radius, spopt_limit, build_only=args.spopt_build_only
            )
        if is_orlib(name):
            totals["ours"] += mine.build + mine.solve
            if theirs:
                totals["spopt"] += theirs.build + theirs.solve
        flag = ""
        if (
            theirs
            and mine.status == "optimal"
            and theirs.status == "optimal"
            and abs(mine.objective - theirs.objective) > 1e-6 * max(1.0, abs(mine.objective))
        ):
            flag = "  <<< OBJECTIVE MISMATCH"
            mismatches.append(name)
        ratio_b = theirs.build / mine.build if theirs and mine.build > 0 else None
        solved = theirs is not None and theirs.status != BUILT_ONLY
        ratio_s = theirs.solve / mine.solve if solved and mine.solve > 0 else None
        status = f"{mine.status} ({fmt(mine.gap, '.1e')})"
        print(
            f"{name:<18} {fmt(mine.objective, '.1f'):>12} "
            f"{fmt(theirs.objective if theirs else None, '.1f'):>12} {mine.build:>10.2f} "
            f"{fmt(theirs.build if theirs else None):>9} {fmt(ratio_b, '.1f'):>6} "
            f"{mine.solve:>10.2f} {fmt(theirs.solve if solved else None):>9} "
            f"{fmt(ratio_s, '.1f'):>6} {mine.peak_mb:>8.0f} "
            f"{fmt(theirs.peak_mb if theirs else None, '.0f'):>8} {status:<22} "
            f"{theirs.status if theirs else 'skipped':<10}{flag}",
            flush=True,
        )
        rows.append({"instance": name, "ours": mine, "spopt": theirs})
        del costs
        gc.collect()
    print()
    pmed_rows = [r for r in rows if is_orlib(r["instance"])]
    if pmed_rows:
        slow = [
            r["instance"]
            for r in pmed_rows
            if r["ours"].status != "optimal" or r["ours"].build + r["ours"].solve > 60
        ]
        capped = [r["instance"] for r in pmed_rows if r["spopt"] and r["spopt"].status != "optimal"]
        bound = " at least" if capped else ""
        print(
            f"pmed total time ours {totals['ours']:.1f} s, spopt{bound} {totals['spopt']:.1f} s "
            f"(ratio{bound} {totals['spopt'] / max(totals['ours'], 1e-9):.1f}x)"
        )
        if capped:
            print(
                f"spopt stopped on its {spopt_limit:.0f} s limit without proving optimality on: "
                + ", ".join(capped)
            )
        print("pmed not proven optimal within 60 s by ours: " + (", ".join(slow) or "none"))
    print("objective mismatches: " + (", ".join(mismatches) or "none"))
    if args.csv:
        with args.csv.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(
                [
                    "instance",
                    "side",
                    "objective",
                    "status",
                    "gap",
                    "build_s",
                    "solve_s",
                    "peak_rss_mb",
                ]
            )
            for r in rows:
                for side in ("ours", "spopt"):
                    run = r[side]
                    if run:
                        writer.writerow(
                            [
                                r["instance"],
                                side,
                                run.objective,
                                run.status,
                                run.gap,
                                run.build,
                                run.solve,
                                run.peak_mb,
                            ]
                        )
    return 1 if mismatches else 0


if __name__ == "__main__":
    raise SystemExit(main())
