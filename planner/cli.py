"""The ``planner`` command line.

``planner run SCENARIO.toml --out DIR``  solve a scenario (:func:`planner.run`); write the plan,
                                        its map, reports and manifest (``--set KEY=VALUE``
                                        changes a key)
``planner validate SCENARIO.toml``      check a scenario file and the data it names
``planner map PLAN_DIR``                redraw the map of a saved plan (or compare two plans)
``planner report PLAN_DIR``             board report: report.md, .xlsx, .html and charts/
``planner compare PLAN_A PLAN_B``       differences between two plans
``planner data``                        summarise the embedded England dataset
``planner sweep SCENARIO --vary K=V1,V2`` a scenario over a grid of values, on Dask
``planner robust SCENARIO --vary K=V1,V2`` one set of sites for several futures

Errors a user can fix are printed as one clear message (exit code 2); an infeasible scenario
lists the constraints responsible (exit code 3); a solver failure exits with 4; Ctrl-C (SIGINT)
stops at once with one line and exit code 130. Every path a command writes is checked before
any work (:mod:`planner.files`): ``--out`` of ``run`` must be a new folder, an empty one or an
earlier plan folder of planner's, and no command overwrites a file it did not write.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tomllib
import warnings
from pathlib import Path

from planner import settings
from planner.errors import InputError, ModelInfeasibleError, PlannerError, SolverError

EXIT_INPUT, EXIT_INFEASIBLE, EXIT_SOLVER = 2, 3, 4
#: What a shell reports for a command ended by SIGINT (128 + 2).
EXIT_INTERRUPTED = 130
#: Files ``planner report`` and ``planner compare`` write into their folder.
_REPORT_NAMES = ("report.md", "report.xlsx", "report.html", "charts")
_COMPARISON_NAMES = ("comparison.md", "comparison_sites.csv")

#: ``planner run`` flags that are shorthands for ``--set solver.KEY=VALUE``.
_SOLVER_FLAGS = {
    "solver.name": "solver",
    "solver.time_limit": "time_limit",
    "solver.mip_gap": "mip_gap",
    "solver.threads": "threads",
}


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
    from planner.network import NetworkInputs

    scenario = _scenario(args)
    inputs = NetworkInputs.from_scenario(scenario)
    print(f"scenario {scenario.name!r} is valid: {scenario.title}")
    print(
        f"  {len(inputs.zones):,} demand zones ({inputs.zones['population'].sum():,.0f} people, "
        f"{inputs.zones['scans'].sum():,.0f} scans a year), {len(inputs.sites):,} sites "
        f"({int(inputs.sites['existing'].sum())} existing), {len(inputs.travel):,} zone-site "
        f"pairs within {scenario.travel.max_minutes:g} min"
    )
    return 0


def _overrides(args: argparse.Namespace) -> dict[str, object]:
    """``--set KEY=VALUE`` pairs (VALUE read as a TOML value, else as text) and solver flags."""
    overrides: dict[str, object] = {}
    for item in getattr(args, "set", None) or []:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise InputError(
                f"found {item!r}; expected KEY=VALUE, e.g. demand.annual_growth=0.1",
                source="command line",
                field="--set",
            )
        try:
            value = tomllib.loads(f"value = {text}")["value"]
        except tomllib.TOMLDecodeError:
            value = text  # a bare word: scenario.name=north, data.sites=my_sites.csv
        overrides[key.strip()] = value
    for key, flag in _SOLVER_FLAGS.items():
        if getattr(args, flag, None) is not None:
            overrides[key] = getattr(args, flag)
    return overrides


def _scenario(args: argparse.Namespace):
    """The scenario the command names, with its command-line overrides (checked by key)."""
    from planner.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    overrides = _overrides(args)
    return scenario.updated(overrides, source="command line") if overrides else scenario


def _map_file(path: str | Path, field: str) -> Path:
    """An HTML map's path, checked: planner overwrites only a map of its own."""
    from planner.files import check_output_file
    from planner.maps.plan_map import is_planner_map

    return check_output_file(path, may_replace=is_planner_map, field=field)


def _report_folder(out: str | None, plan: str, names: tuple[str, ...]) -> Path:
    """The folder reports go to (``--out``, else the plan's own), checked: files of those
    ``names`` in it are overwritten only in a plan folder of planner's."""
    from planner.files import check_output_names
    from planner.reports.manifest import read_manifest

    return check_output_names(
        out if out is not None else plan,
        names,
        may_replace=lambda path: read_manifest(path) is not None,
        field="--out" if out is not None else "PLAN",
    )


def _cmd_run(args: argparse.Namespace) -> int:
    import planner
    from planner.maps import save_plan_map
    from planner.reports.run_folder import claim_run_folder, write_run

    progress = _progress_printer()
    scenario = _scenario(args)
    map_path = _map_file(args.map, "--map") if args.map else None
    # Checked and locked before any data is read or model solved: a refusal costs nothing.
    with claim_run_folder(args.out, scenario) as out:
        plan = planner.run(scenario, progress=progress, verbose=args.verbose)
        write_run(plan, out, draw_map=not args.no_map, cdn=args.cdn, report=not args.no_report)
    if not args.no_map:
        progress(f"map written: {out / 'map.html'}")
    if not args.no_report:
        progress(f"report written: {out / 'report.html'} (and report.md, report.xlsx, charts/)")
    if map_path is not None:
        progress(f"map written: {save_plan_map(plan, map_path, cdn=args.cdn)}")
    progress(f"plan written: {args.out}")
    print(plan.summary_text(verbose=args.verbose))
    return 0


def _cmd_map(args: argparse.Namespace) -> int:
    from planner.maps import save_comparison_map, save_plan_map
    from planner.plan import Plan

    name = "comparison.html" if args.compare else "map.html"
    out = _map_file(args.out if args.out is not None else Path(args.plan) / name, "--out")
    plan = Plan.load(args.plan)
    if args.compare:
        other = Plan.load(args.compare)
        labels = tuple(args.labels) if args.labels else ("A", "B")
        _data_warnings(plan, other, args.plan, args.compare, labels)
        path = save_comparison_map(
            plan, other, out, metric=args.metric, cdn=args.cdn, labels=labels
        )
    else:
        path = save_plan_map(plan, out, metric=args.metric, cdn=args.cdn)
    print(f"map written: {path}")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from planner.plan import Plan
    from planner.reports.report import write_report

    plan = Plan.load(args.plan)  # first: a plan path that is no plan is said as such
    out = _report_folder(args.out, args.plan, _REPORT_NAMES)
    for path in write_report(plan, out):
        print(f"report written: {path}")
    return 0


def _data_warnings(a, b, folder_a: str, folder_b: str, labels: tuple[str, str]) -> list[str]:
    """What differs between two saved plans' data, each said on stderr as a warning."""
    from planner.reports.data_check import data_warnings

    warnings = data_warnings(a, b, folder_a, folder_b, labels)
    for warning in warnings:
        print(f"warning: {labels[0]} and {labels[1]}: {warning}", file=sys.stderr)
    return warnings


def _cmd_compare(args: argparse.Namespace) -> int:
    from planner.plan import Plan
    from planner.reports.comparison import comparison_markdown, write_comparison

    a, b = Plan.load(args.plan_a), Plan.load(args.plan_b)
    out = _report_folder(args.out, args.plan_b, _COMPARISON_NAMES)
    labels = tuple(args.labels) if args.labels else ("A", "B")
    warnings = _data_warnings(a, b, args.plan_a, args.plan_b, labels)
    print(comparison_markdown(a, b, labels, warnings))
    for path in write_comparison(a, b, out, labels, warnings):
        print(f"written: {path}")
    return 0


def _add_set(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--set",
        action="append",
        metavar="KEY=VALUE",
        help="change a scenario key, checked like the file's own (repeatable), e.g. "
        "--set demand.annual_growth=0.1 --set 'data.regions=[\"E12000002\"]'",
    )


def _add_map_scripts(parser: argparse.ArgumentParser) -> None:
    """``--cdn``, and ``--offline`` kept so that old commands work (it is the default now)."""
    scripts = parser.add_mutually_exclusive_group()
    scripts.add_argument(
        "--cdn",
        action="store_true",
        help="link the map's scripts from a CDN (a smaller file that needs the internet); by "
        "default they are written into the map, which opens with no network",
    )
    scripts.add_argument(
        "--offline", action="store_true", help="the default: map scripts inlined (no internet)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="planner", description="Plan England's PET-CT scanner network."
    )
    parser.add_argument("--version", action="version", version=f"planner {settings.VERSION}")
    sub = parser.add_subparsers(dest="command")

    p = sub.add_parser("run", help="solve a scenario and write the plan, map, reports, manifest")
    p.add_argument("scenario", help="scenario TOML file, or the name of one in scenarios/")
    p.add_argument("--out", required=True, help="folder for the plan")
    p.add_argument("--map", help="also write the plan's map to this HTML file")
    p.add_argument("--no-map", action="store_true", help="do not draw the map")
    p.add_argument(
        "--no-report",
        action="store_true",
        help="do not write report.md, report.xlsx, report.html and charts/",
    )
    _add_map_scripts(p)
    p.add_argument("--solver", help="solver name (highs, cbc or any PuLP solver)")
    p.add_argument("--time-limit", type=float, help="solver time limit in seconds")
    p.add_argument("--mip-gap", type=float, help="relative MIP gap tolerance")
    p.add_argument("--threads", type=int, help="solver threads")
    p.add_argument(
        "--verbose",
        action="store_true",
        help="also print the model's size, the warm start and the solver's own figures",
    )
    _add_set(p)
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("validate", help="check a scenario file and the data it names")
    p.add_argument("scenario", help="scenario TOML file, or the name of one in scenarios/")
    _add_set(p)
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("map", help="draw the map of a saved plan")
    p.add_argument("plan", help="plan folder written by 'planner run'")
    p.add_argument("--out", help="HTML file (default: PLAN/map.html)")
    p.add_argument(
        "--metric",
        default="access",
        help="what colours the regions: access (default: share within the scenario's access "
        "minutes of a static scanner), share_within_30/45/60/90, population, demand (scans a "
        "year per 1,000 residents) or utilisation",
    )
    _add_map_scripts(p)
    p.add_argument("--compare", help="a second plan folder: draw both on one map")
    p.add_argument("--labels", nargs=2, metavar=("A", "B"), help="names of the two plans")
    p.set_defaults(func=_cmd_map)

    p = sub.add_parser(
        "report", help="write a board report (Markdown, Excel, HTML, charts) of a saved plan"
    )
    p.add_argument("plan", help="plan folder written by 'planner run'")
    p.add_argument(
        "--out",
        help="folder for report.md, report.xlsx, report.html, charts/ (default: the plan's)",
    )
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

    from planner.sweeps.cli import register

    register(sub, _add_set, _progress_printer, _overrides)
    return parser


def _one_line_warning(message, category, filename, lineno, line=None) -> str:
    """``warning: MESSAGE``: what a planner needs, without planner's source lines."""
    return f"warning: {message}\n"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["data"])
    formatwarning = warnings.formatwarning
    warnings.formatwarning = _one_line_warning
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print(
            "interrupted: stopped at the user's request (SIGINT); nothing half-written is left",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
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
    finally:
        warnings.formatwarning = formatwarning


def entry() -> None:
    """The ``planner`` command: :func:`main`, and after a SIGINT an exit without freeing a
    national model's memory object by object (over a second), so that Ctrl-C ends it at once."""
    code = main()
    if code == EXIT_INTERRUPTED:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    entry()
