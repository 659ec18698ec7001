"""``planner sweep`` and ``planner robust``: their arguments, registered on the main parser.

``planner sweep SCENARIO --vary KEY=V1,V2 [--vary ...] --out DIR [--zip | --one-at-a-time]
[--workers N | --scheduler ADDRESS]`` and ``planner robust SCENARIO --vary ... --out DIR
[--objective regret|expected]`` (see :mod:`planner.sweeps.sweep` and
:mod:`planner.sweeps.robust`).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable


def _cluster_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--vary",
        action="append",
        required=True,
        metavar="KEY=V1,V2,...",
        help="a scenario key and its values (repeatable), e.g. "
        "--vary demand.annual_growth=0.0,0.05,0.12",
    )
    parser.add_argument("--out", required=True, help="folder for the runs and their tables")
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=int,
        help="worker processes of the local Dask cluster (default: one per core; HiGHS uses "
        "one thread in each)",
    )
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="a running Dask scheduler, e.g. tcp://10.0.0.5:8786 (workers need this folder on "
        "a shared disk)",
    )
    parser.add_argument(
        "--no-progress", action="store_true", help="no progress bar (for logs and batch jobs)"
    )


def _design(args: argparse.Namespace) -> str:
    if getattr(args, "zip", False):
        return "zip"
    return "one_at_a_time" if getattr(args, "one_at_a_time", False) else "grid"


def register(sub, add_set: Callable, progress_printer: Callable, overrides: Callable) -> None:
    """Add ``sweep`` and ``robust`` to the ``planner`` subcommands ``sub``.

    ``add_set``, ``progress_printer`` and ``overrides`` are the main parser's own ``--set``
    option, progress lines and override reader, so the commands read like ``planner run``.
    """

    def cmd_sweep(args: argparse.Namespace) -> int:
        from planner.sweeps.sweep import sweep

        result = sweep(
            args.scenario,
            args.vary,
            args.out,
            design=_design(args),
            overrides=overrides(args),
            workers=args.workers,
            scheduler=args.scheduler,
            maps=args.maps,
            reports=args.reports,
            warm_start=not args.no_warm_start,
            progress_bar=not args.no_progress,
            say=progress_printer(),
        )
        shown = result.results.drop(columns=["message", "run_folder"])
        print(shown.to_string(index=False))
        for name, path in result.files.items():
            print(f"{name}: {path}")
        return 0

    def cmd_robust(args: argparse.Namespace) -> int:
        from planner.sweeps.robust import robust

        outcome = robust(
            args.scenario,
            args.vary,
            args.out,
            objective=args.objective,
            design=_design(args),
            overrides=overrides(args),
            workers=args.workers,
            scheduler=args.scheduler,
            progress_bar=not args.no_progress,
            say=progress_printer(),
        )
        print(outcome.regret.drop(columns=["plan_folder"]).to_string(index=False))
        print(f"robust plan: {outcome.folder / 'robust'} (planner map / planner report read it)")
        print(f"regret table: {outcome.folder / 'regret.csv'}")
        return 0

    p = sub.add_parser("sweep", help="run a scenario over a grid of key values (on Dask)")
    p.add_argument("scenario", help="scenario TOML file, or the name of one in scenarios/")
    _cluster_options(p)
    design = p.add_mutually_exclusive_group()
    design.add_argument("--zip", action="store_true", help="pair the --vary lists in order")
    design.add_argument(
        "--one-at-a-time",
        action="store_true",
        help="sensitivity: the base scenario, then each key moved alone (tornado chart)",
    )
    p.add_argument("--maps", action="store_true", help="also draw each run's map.html")
    p.add_argument("--reports", action="store_true", help="also write each run's reports")
    p.add_argument(
        "--no-warm-start",
        action="store_true",
        help="start every run cold instead of from its neighbour's sites",
    )
    add_set(p)
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser(
        "robust", help="one set of sites for several futures (two-stage), and its regret"
    )
    p.add_argument("scenario", help="scenario TOML file, or the name of one in scenarios/")
    _cluster_options(p)
    p.add_argument(
        "--objective",
        choices=("regret", "expected"),
        default="regret",
        help="minimise the worst regret over the futures (default: needs no probabilities) "
        "or their mean cost",
    )
    add_set(p)
    p.set_defaults(func=cmd_robust)
