"""The ``planner`` command line.

``planner run SCENARIO.toml --out DIR``  solve a scenario; write the plan, its map and manifest
``planner validate SCENARIO.toml``      check a scenario file and the data it names
``planner map PLAN_DIR``                redraw the map of a saved plan (or compare two plans)
``planner report PLAN_DIR``             board report: report.md and report.xlsx
``planner compare PLAN_A PLAN_B``       differences between two plans
``planner data``                        summarise the embedded England dataset

Errors a user can fix are printed as one clear message (exit code 2); an infeasible scenario
lists the constraints responsible (exit code 3); a solver failure exits with 4.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from planner import __version__
from planner.errors import InputError, ModelInfeasibleError, PlannerError, SolverError

EXIT_INPUT, EXIT_INFEASIBLE, EXIT_SOLVER = 2, 3, 4


def _progress_printer():
    started = time.perf_counter()

    def progress(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f} s] {message}", file=sys.stderr, flush=True)

    return progress


def _cmd_data(args: argparse.Namespace) -> int:
    from planner.data import embedded as datasets

    print(datasets.summary_text())
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from planner.network.inputs import NetworkInputs
    from planner.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    inputs = NetworkInputs.from_scenario(scenario)
    print(f"scenario {scenario.name!r} is valid: {scenario.title}")
    print(
        f"  {len(inputs.zones):,} demand zones ({inputs.zones['population'].sum():,.0f} people, "
        f"{inputs.zones['scans'].sum():,.0f} scans a year), {len(inputs.sites):,} sites "
        f"({int(inputs.sites['existing'].sum())} existing), {len(inputs.travel):,} zone-site "
        f"pairs within {scenario.travel.max_minutes:g} min"
    )
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from planner.files import staged_folder
    from planner.maps import save_plan_map
    from planner.network import NetworkModel
    from planner.reports.manifest import build_manifest, write_manifest
    from planner.scenario import load_scenario

    progress = _progress_printer()
    scenario = load_scenario(args.scenario)
    overrides = {
        k: v
        for k, v in {
            "name": args.solver,
            "time_limit": args.time_limit,
            "mip_gap": args.mip_gap,
            "threads": args.threads,
        }.items()
        if v is not None
    }
    if overrides:
        # Validated like the file's own keys: a bad --time-limit is named, never passed on.
        scenario = scenario.with_solver(**overrides)
    progress(f"scenario {scenario.name!r}: {scenario.title}")
    t0 = time.perf_counter()
    model = NetworkModel.from_scenario(scenario, progress=progress)
    t_inputs = time.perf_counter() - t0
    plan = model.solve(scenario.solver.options(), progress=progress)
    if scenario.resilience.n_minus_1:
        from planner.analysis.n_minus_1 import n_minus_1

        progress("N-1 analysis: closing each open site in turn ...")
        costs = model.unit_costs()
        plan.resilience = n_minus_1(
            plan,
            model.inputs.travel,
            cost_per_minute=costs["travel_minute"],
            penalty=costs["unmet_scan"],
        )
        if not plan.resilience.empty:
            worst = plan.resilience.iloc[0]  # sorted by unabsorbed scans, then extra travel
            plan.summary["n_minus_1_worst_site"] = worst["name"]
            plan.summary["n_minus_1_unabsorbed_scans"] = float(worst["unabsorbed_scans"])
    out = Path(args.out)
    timings = {
        "inputs": round(t_inputs, 3),
        "build": round(model.build_seconds or 0.0, 3),
        "solve": round(plan.summary["solve_seconds"], 3),
    }
    # The run folder is complete or untouched: plan, map and manifest are staged together.
    with staged_folder(out) as stage:
        plan.save(stage)
        if not args.no_map:
            t1 = time.perf_counter()
            save_plan_map(plan, stage / "map.html", offline=args.offline)
            timings["map"] = round(time.perf_counter() - t1, 3)
        write_manifest(stage, build_manifest(plan, scenario, args.scenario, timings))
    if not args.no_map:
        progress(f"map written: {out / 'map.html'}")
        if args.map:
            progress(f"map written: {save_plan_map(plan, Path(args.map), offline=args.offline)}")
    progress(f"plan written: {out}")
    print(format_summary(plan.summary))
    return 0


def _cmd_map(args: argparse.Namespace) -> int:
    from planner.maps import save_comparison_map, save_plan_map
    from planner.plan import Plan

    plan = Plan.load(args.plan)
    if args.compare:
        other = Plan.load(args.compare)
        out = Path(args.out) if args.out else Path(args.plan) / "comparison.html"
        labels = tuple(args.labels) if args.labels else ("A", "B")
        path = save_comparison_map(plan, other, out, offline=args.offline, labels=labels)
    else:
        out = Path(args.out) if args.out else Path(args.plan) / "map.html"
        path = save_plan_map(plan, out, metric=args.metric, offline=args.offline)
    print(f"map written: {path}")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from planner.plan import Plan
    from planner.reports.report import write_report

    plan = Plan.load(args.plan)
    for path in write_report(plan, Path(args.out) if args.out else Path(args.plan)):
        print(f"report written: {path}")
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    from planner.plan import Plan
    from planner.reports.comparison import comparison_markdown, write_comparison

    a, b = Plan.load(args.plan_a), Plan.load(args.plan_b)
    labels = tuple(args.labels) if args.labels else ("A", "B")
    print(comparison_markdown(a, b, labels))
    out = Path(args.out) if args.out else Path(args.plan_b)
    for path in write_comparison(a, b, out, labels):
        print(f"written: {path}")
    return 0


def format_summary(summary: dict) -> str:
    """The headline figures of a plan, for the terminal."""
    gap = summary.get("mip_gap")
    status = summary["status"]
    if gap is not None:
        status += f" (gap {gap:.3%})"
    shares = summary.get("share_within_minutes", {})
    share_text = ", ".join(f"{k} min {v:.1%}" for k, v in shares.items() if v is not None)
    lines = [
        f"{summary.get('title') or summary.get('scenario')}",
        f"  status            {status}, solver {summary.get('solver')}, "
        f"{summary.get('solve_seconds', 0):.1f} s",
        f"  sites open        {summary['sites_open']} ({summary.get('sites_static', '?')} static, "
        f"{summary.get('new_sites', '?')} new)",
        f"  static scanners   {summary['scanners_fixed']}",
        f"  mobile days/week  {summary['mobile_days_per_week']} "
        f"({summary.get('mobile_units', 0)} mobile units)",
        f"  demand            {summary['demand_scans']:,.0f} scans a year, "
        f"unmet {summary['unmet_scans']:,.0f}",
        f"  travel            mean {summary['mean_travel_minutes']:.1f} min, "
        f"95th percentile {summary.get('p95_travel_minutes', float('nan')):.1f} min",
        f"  population within {share_text}",
        f"  yearly cost       {summary.get('annual_cost', float('nan')):,.0f} pounds",
    ]
    target = summary.get("access_target_share")
    if target is not None:
        met = "met" if summary.get("access_target_met") else "NOT met"
        lines.append(
            f"  access target     {target:.0%} within {summary['access_target_minutes']:g} min: "
            f"{met} ({summary['access_share']:.2%})"
        )
    if "hubs_open" in summary:
        lines.append(
            f"  training hubs     {summary['hubs_open']} open, "
            f"{summary.get('hub_trainee_load', 0):,.0f} trainee places used"
        )
    if "tracer_delivery_minutes" in summary:
        lines.append(
            f"  FDG supply        every open site within "
            f"{summary['tracer_delivery_minutes']:.0f} min of a supplier"
        )
    if "n_minus_1_worst_site" in summary:
        lines.append(
            f"  N-1               closing {summary['n_minus_1_worst_site']} hurts most: "
            f"{summary['n_minus_1_unabsorbed_scans']:,.0f} scans a year could go nowhere else"
        )
    if summary.get("phasing"):
        steps = "; ".join(
            f"year {p['year']}: {p['sites_open']} sites, {p['scanners_fixed']} scanners"
            for p in summary["phasing"]
        )
        lines.append(f"  phasing           {steps}")
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="planner", description="Plan England's PET-CT scanner network."
    )
    parser.add_argument("--version", action="version", version=f"planner {__version__}")
    sub = parser.add_subparsers(dest="command")

    p = sub.add_parser("run", help="solve a scenario and write the plan, map and manifest")
    p.add_argument("scenario", help="scenario TOML file")
    p.add_argument("--out", required=True, help="folder for the plan")
    p.add_argument("--map", help="also write the plan's map to this HTML file")
    p.add_argument("--no-map", action="store_true", help="do not draw the map")
    p.add_argument("--offline", action="store_true", help="inline map scripts (no internet)")
    p.add_argument("--solver", help="solver name (highs, cbc or any PuLP solver)")
    p.add_argument("--time-limit", type=float, help="solver time limit in seconds")
    p.add_argument("--mip-gap", type=float, help="relative MIP gap tolerance")
    p.add_argument("--threads", type=int, help="solver threads")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("validate", help="check a scenario file and the data it names")
    p.add_argument("scenario")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("map", help="draw the map of a saved plan")
    p.add_argument("plan", help="plan folder written by 'planner run'")
    p.add_argument("--out", help="HTML file (default: PLAN/map.html)")
    p.add_argument(
        "--metric",
        default="share_within_60",
        choices=["share_within_60", "population", "demand", "utilisation"],
    )
    p.add_argument("--offline", action="store_true")
    p.add_argument("--compare", help="a second plan folder: draw both on one map")
    p.add_argument("--labels", nargs=2, metavar=("A", "B"), help="names of the two plans")
    p.set_defaults(func=_cmd_map)

    p = sub.add_parser("report", help="write a board report (Markdown and Excel) of a saved plan")
    p.add_argument("plan", help="plan folder written by 'planner run'")
    p.add_argument("--out", help="folder for report.md and report.xlsx (default: the plan's)")
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser("compare", help="compare two saved plans")
    p.add_argument("plan_a")
    p.add_argument("plan_b")
    p.add_argument(
        "--out", help="folder for comparison.md and comparison_sites.csv (default: PLAN_B)"
    )
    p.add_argument("--labels", nargs=2, metavar=("A", "B"), help="names of the two plans")
    p.set_defaults(func=_cmd_compare)

    p = sub.add_parser("data", help="summarise the embedded England dataset")
    p.set_defaults(func=_cmd_data)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["data"])
    try:
        return args.func(args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except ModelInfeasibleError as exc:
        print(f"infeasible: {exc}", file=sys.stderr)
        return EXIT_INFEASIBLE
    except SolverError as exc:
        print(f"solver error: {exc}", file=sys.stderr)
        return EXIT_SOLVER
    except PlannerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT


if __name__ == "__main__":
    sys.exit(main())
