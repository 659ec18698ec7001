"""Demand zones at a coarser level: LSOAs grouped into their 2011 MSOAs.

England's 32,844 LSOAs (2011) nest in 6,790 MSOAs, and ONS names each LSOA after its MSOA
("Halton 007A" is in "Halton 007"), so the grouping needs no lookup file. An MSOA zone holds its
LSOAs' people and scans; its point is the mean of their points (population-weighted: the
embedded LSOAs hold equal shares of their region, so the plain mean); its travel time to a site
is the mean of its LSOAs' times, i.e. the average resident's trip.

Planning at MSOA level is a stated approximation, for runs the LSOA-level model is too large for
(the exact engine of the LSOA-scale issue removes the need): a site's catchment is then drawn in
MSOAs, and an MSOA's residents count as within T minutes when their *average* time is.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.data.travel import TravelMatrix
from planner.errors import InputError

#: Minutes beyond the travel limit within which every LSOA time is computed before averaging:
#: an MSOA whose mean time is within the limit has all its LSOAs within the limit plus this
#: (assumption; an MSOA spans a few km in towns, up to ~25 km in the most rural).
AVERAGING_MARGIN_MINUTES = 30.0

LEVELS = ("lsoa", "msoa")

_LSOA_NAME = r"^(.* \d{3})[A-Z]$"


def msoa_names(zones: pd.DataFrame, source: str = "demand zones") -> pd.Series:
    """The MSOA of each LSOA zone, from its name ("Halton 007A" -> "Halton 007")."""
    names = zones["name"].astype(str)
    msoa = names.str.extract(_LSOA_NAME, expand=False)
    if msoa.isna().any():
        bad = msoa.isna().to_numpy().nonzero()[0]
        raise InputError(
            f"found zone name {names.iloc[bad[0]]!r}; grouping into MSOAs needs 2011 LSOA names "
            "such as 'Halton 007A' (the embedded demand zones)",
            source=source,
            row=int(bad[0]) + 1,
            field="data.zone_level",
        )
    return msoa


def _majority(values: pd.Series, weights: pd.Series, groups: np.ndarray) -> pd.Series:
    """Per group, the value with the most weight (an MSOA on a sub-ICB boundary takes the side
    most of its people live on)."""
    frame = pd.DataFrame({"g": groups, "v": values.astype(str).to_numpy(), "w": weights})
    totals = frame.groupby(["g", "v"], sort=True)["w"].sum().reset_index()
    best = totals.sort_values(["g", "w"], ascending=[True, False]).drop_duplicates("g")
    return best.set_index("g")["v"]


def group_zones(
    zones: pd.DataFrame, source: str = "demand zones"
) -> tuple[pd.DataFrame, np.ndarray]:
    """MSOA zones from LSOA zones, and the MSOA row of each LSOA.

    Parameters
    ----------
    zones
        LSOA zones with ``zone_id, name, region_code, lat, lon, population`` and, where known,
        ``scans``, ``icb_code``, ``sicbl_code``, ``imd_decile``.

    Returns
    -------
    (pandas.DataFrame, numpy.ndarray)
        One row per MSOA (``zone_id`` and ``name`` are the MSOA name; sums of population and
        scans; mean point; majority region, NHS areas and deprivation decile), and for each LSOA
        the index of its MSOA row.
    """
    msoa = msoa_names(zones, source)
    codes, groups = np.unique(msoa.to_numpy(str), return_inverse=True)
    weights = zones["population"].astype(float)
    counts = np.bincount(groups, minlength=codes.size)
    table = pd.DataFrame(
        {
            "zone_id": codes,
            "name": codes,
            "lat": np.bincount(groups, zones["lat"].astype(float)) / counts,
            "lon": np.bincount(groups, zones["lon"].astype(float)) / counts,
            "population": np.bincount(groups, weights),
        }
    )
    for column in ("region_code", "icb_code", "sicbl_code"):
        if column in zones:
            table[column] = _majority(zones[column], weights, groups).reindex(range(codes.size))
    if "imd_decile" in zones:
        # Deprivation deciles are of LSOAs: an MSOA takes the decile most of its people live
        # in, as it takes the side of an area boundary (an approximation, like its times).
        majority = _majority(zones["imd_decile"], weights, groups).reindex(range(codes.size))
        table["imd_decile"] = majority.astype("int64").to_numpy()
    if "scans" in zones:
        table["scans"] = np.bincount(groups, zones["scans"].astype(float), minlength=codes.size)
    if (table["population"] % 1 == 0).all():
        table["population"] = table["population"].astype("int64")
    table["lsoas"] = counts
    return table, groups


def group_travel(
    matrix: TravelMatrix, groups: np.ndarray, group_ids: np.ndarray, max_minutes: float
) -> TravelMatrix:
    """The mean LSOA time of each MSOA-site pair, kept where every LSOA has a time and the mean
    is within ``max_minutes``.

    ``matrix`` must hold the LSOA pairs up to ``max_minutes`` plus
    :data:`AVERAGING_MARGIN_MINUTES`, so that a member's missing pair means it is out of reach.
    """
    n_sites = matrix.destination_ids.size
    keys = groups[matrix.origin].astype(np.int64) * n_sites + matrix.destination
    unique, inverse = np.unique(keys, return_inverse=True)
    total = np.bincount(inverse, weights=matrix.minutes)
    members = np.bincount(inverse)
    size = np.bincount(groups, minlength=group_ids.size)
    origin = (unique // n_sites).astype(np.int32)
    mean = total / members
    keep = (members == size[origin]) & (mean <= max_minutes + 1e-9)
    return TravelMatrix(
        origin_ids=np.asarray(group_ids, str),
        destination_ids=matrix.destination_ids,
        origin=origin[keep],
        destination=(unique % n_sites).astype(np.int32)[keep],
        minutes=mean[keep],
        source=f"mean over each MSOA's LSOAs of: {matrix.source}",
    )
