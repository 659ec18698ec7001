"""Demand: PET-CT scans a year in each demand zone.

Scans a year = population x scan rate (scans per million) x regional multiplier x growth over
the planning horizon. Defaults and their sources are in :mod:`planner.defaults`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from planner import defaults
from planner.errors import InputError


def growth_factor(annual_growth: float, years: float) -> float:
    """Compound growth over ``years``: ``(1 + annual_growth) ** years``."""
    if annual_growth <= -1:
        raise InputError(f"must be > -1, found {annual_growth}", field="demand.annual_growth")
    return (1.0 + annual_growth) ** years


def scans_per_year(
    zones: pd.DataFrame,
    *,
    scans_per_million: float = defaults.SCANS_PER_MILLION,
    annual_growth: float = defaults.ANNUAL_GROWTH,
    years: float = defaults.HORIZON_YEARS,
    regional_multipliers: Mapping[str, float] | None = None,
) -> pd.Series:
    """Scans a year per demand zone at the end of the planning horizon.

    Parameters
    ----------
    zones
        Demand zones with ``population`` and, for regional multipliers, ``region_code``.
    scans_per_million
        PET-CT scans a year per million population today.
    annual_growth
        Yearly growth of the scan rate, e.g. 0.05 for 5%.
    years
        Years from today to the planning year.
    regional_multipliers
        Optional ``{region_code: factor}``, e.g. for regions with higher cancer incidence
        (ONS 2012: more than 5% above expected in the North East and North West).

    Returns
    -------
    pandas.Series
        Scans a year, aligned with ``zones``.
    """
    if scans_per_million < 0:
        raise InputError(
            f"must be >= 0, found {scans_per_million}", field="demand.scans_per_million"
        )
    population = zones["population"].to_numpy(float)
    rate = np.full(population.shape, scans_per_million / 1e6)
    if regional_multipliers:
        if "region_code" not in zones:
            raise InputError(
                "regional multipliers need a 'region_code' column in the demand zones",
                field="demand.regional_multipliers",
            )
        known = set(zones["region_code"].astype(str))
        unknown = sorted(set(regional_multipliers) - known)
        if unknown:
            raise InputError(
                f"unknown region code(s) {', '.join(unknown)}; expected codes present in the "
                f"demand zones: {', '.join(sorted(known))}",
                field="demand.regional_multipliers",
            )
        factors = zones["region_code"].astype(str).map(regional_multipliers).fillna(1.0)
        rate = rate * factors.to_numpy(float)
    return pd.Series(
        population * rate * growth_factor(annual_growth, years), index=zones.index, name="scans"
    )
