"""FDG tracer supply: which sites a radiopharmacy or cyclotron can reach in time.

FDG decays with a half-life of 109.8 minutes, so after a road journey of T minutes a fraction
2^(-T / 109.8) of the produced activity is left. A scenario sets the least fraction that must
arrive; the longest delivery is then half-life x log2(1 / fraction) minutes (219.6 minutes for a
quarter). A site farther than that from every active supplier cannot host a scanner.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.data.travel import RoadSpeedModel, estimate_travel_times


def activity_fraction(minutes: np.ndarray | float, half_life_minutes: float = 109.8) -> np.ndarray:
    """Fraction of FDG activity left after ``minutes`` of travel."""
    return np.power(2.0, -np.asarray(minutes, float) / half_life_minutes)


def nearest_suppliers(
    sites: pd.DataFrame,
    suppliers: pd.DataFrame,
    delivery_minutes: float,
    speed_model: RoadSpeedModel | None = None,
) -> pd.DataFrame:
    """Each site's nearest supplier within ``delivery_minutes``.

    Returns
    -------
    pandas.DataFrame
        One row per site (same order): ``supplier_id`` (empty when none reaches),
        ``supplier_minutes`` (NaN when none) and ``tracer_ok`` (bool).
    """
    out = pd.DataFrame(
        {"supplier_id": "", "supplier_minutes": np.nan, "tracer_ok": False}, index=sites.index
    )
    if suppliers is None or suppliers.empty or sites.empty:
        return out
    matrix = estimate_travel_times(
        sites.reset_index(drop=True),
        suppliers.reset_index(drop=True),
        delivery_minutes,
        origin_id="site_id",
        destination_id="supplier_id",
        speed_model=speed_model,
    )
    if len(matrix) == 0:
        return out
    frame = pd.DataFrame(
        {"site": matrix.origin, "supplier": matrix.destination, "minutes": matrix.minutes}
    )
    best = frame.loc[frame.groupby("site")["minutes"].idxmin()]
    rows = sites.index[best["site"].to_numpy()]
    out.loc[rows, "supplier_id"] = matrix.destination_ids[best["supplier"].to_numpy()]
    out.loc[rows, "supplier_minutes"] = best["minutes"].to_numpy()
    out.loc[rows, "tracer_ok"] = True
    return out
