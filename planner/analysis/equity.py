"""Access and travel by deprivation decile: does the plan serve the most deprived as well?

When the demand zones carry an Index of Multiple Deprivation decile (``imd_decile``: 1 = the
most deprived tenth of LSOAs, 10 = the least; :mod:`planner.data.deprivation` reads it), a
plan reports, for each decile, the share of residents within the access time of an open
static scanner, the scans' mean travel and, where the plan knows today's network, the share
within the access time today. The measures are those of :func:`planner.analysis.access.area_table`,
grouped by decile instead of by area, so a decile's figures add up like a region's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.analysis.access import area_table
from planner.analysis.curves import TODAY_COLUMN

#: The demand table's column of deprivation deciles.
DECILE_COLUMN = "imd_decile"


def deprivation_table(
    demand: pd.DataFrame, assignments: pd.DataFrame, access_minutes: float
) -> pd.DataFrame:
    """Access and travel of a plan by deprivation decile (``equity.csv``).

    Parameters
    ----------
    demand
        A plan's demand zones with ``imd_decile`` (whole numbers 1-10), ``population``,
        ``scans``, ``assigned_scans``, ``unmet_scans``, ``nearest_static_minutes`` and,
        where known, ``today_static_minutes``.
    assignments
        The plan's assignments (``demand_id, site_id, scans, minutes``).
    access_minutes
        The scenario's access time.

    Returns
    -------
    pandas.DataFrame
        One row per decile present, most deprived first: ``imd_decile``, ``zones``,
        ``population``, ``scans``, ``assigned_scans``, ``unmet_scans``,
        ``share_within_access`` and ``share_within_60`` (of residents, to the nearest open
        static scanner), ``mean_minutes`` (scan-weighted travel of the assigned scans),
        ``today_share_within_access`` (to the nearest static scanner of today's network; NaN
        when the plan does not know it) and ``access_minutes``.
    """
    zones = demand[demand[DECILE_COLUMN].notna()].copy()
    zones[DECILE_COLUMN] = zones[DECILE_COLUMN].astype(int)
    names = {str(d): str(d) for d in range(1, 11)}
    table = area_table(zones, assignments, names, access_minutes, levels={"decile": DECILE_COLUMN})
    table = table.drop(columns=["level", "name"]).rename(columns={"code": DECILE_COLUMN})
    table[DECILE_COLUMN] = table[DECILE_COLUMN].astype(int)
    table = table.sort_values(DECILE_COLUMN).reset_index(drop=True)
    if TODAY_COLUMN in zones:
        today = zones[TODAY_COLUMN].to_numpy(float)
        within = np.where(today <= access_minutes + 1e-9, zones["population"], 0.0)
        g = pd.Series(within).groupby(zones[DECILE_COLUMN].to_numpy()).sum()
        people = zones.groupby(DECILE_COLUMN)["population"].sum()
        share = (g / people).reindex(table[DECILE_COLUMN])
        table.insert(len(table.columns) - 1, "today_share_within_access", share.to_numpy())
    else:
        table.insert(len(table.columns) - 1, "today_share_within_access", np.nan)
    return table
