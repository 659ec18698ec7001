"""FDG tracer supply: which sites a radiopharmacy or cyclotron can reach in time.

FDG decays with a half-life of 109.8 minutes, so after a road journey of T minutes a fraction
2^(-T / 109.8) of the produced activity is left. A scenario sets the least fraction that must
arrive; the longest delivery is then half-life x log2(1 / fraction) minutes (219.6 minutes for a
quarter). A site farther than that from every active supplier cannot host a scanner: the
extension adds no rows, it takes such sites out of the model's reach.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.data.travel import RoadSpeedModel, estimate_travel_times
from planner.network.context import ModelContext
from planner.network.extensions.base import Extension, SiteReach
from planner.plan import Plan
from planner.scenario import Scenario


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


class TracerReach(Extension):
    """Only sites within FDG delivery reach of a supplier may host a scanner."""

    name = "tracer"

    def active(self, scenario: Scenario) -> bool:
        return scenario.tracer.enabled

    def site_reach(self, context: ModelContext) -> SiteReach | None:
        reach = context.inputs.supplier_reach
        if reach is None:  # no supplier list given: supply is not checked
            return None
        t = context.scenario.tracer
        return SiteReach(
            reach["tracer_ok"].to_numpy(bool),
            f"no FDG supplier within {t.delivery_minutes:.0f} min "
            f"(tracer.min_activity_fraction = {t.min_activity_fraction})",
        )

    def to_plan(self, plan: Plan, context: ModelContext, solution, periods, state) -> None:
        reach, suppliers = context.inputs.supplier_reach, context.inputs.suppliers
        if reach is None:
            return
        sites = plan.sites
        sites["supplier_id"] = reach["supplier_id"].to_numpy()
        table = suppliers.copy()
        names = table.set_index(table["supplier_id"].astype(str))["name"]
        sites["supplier_name"] = sites["supplier_id"].map(names).fillna("")
        sites["supplier_minutes"] = reach["supplier_minutes"].to_numpy()
        served = sites[sites["open"]].groupby("supplier_id").size()
        table["sites_supplied"] = table["supplier_id"].astype(str).map(served).fillna(0).astype(int)
        plan.suppliers = table
        t = context.scenario.tracer
        plan.summary["tracer_delivery_minutes"] = t.delivery_minutes
        plan.summary["tracer_min_activity_fraction"] = t.min_activity_fraction
        plan.summary["tracer_half_life_minutes"] = t.half_life_minutes
        longest = sites.loc[sites["open"], "supplier_minutes"].max()
        plan.summary["tracer_longest_delivery_minutes"] = (
            None if pd.isna(longest) else float(longest)
        )
