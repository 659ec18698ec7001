"""Travel times between demand zones and sites, kept sparse.

A national model needs only the pairs a patient could reasonably travel: every pair within the
scenario's maximum travel time. :func:`estimate_travel_times` finds them with a k-d tree on the
unit sphere and converts great-circle distance to driving minutes with :class:`RoadSpeedModel`;
:mod:`planner.data.travel_files` imports times computed elsewhere (a routing engine, a commercial
matrix). Either way the result is a :class:`TravelMatrix`: three
aligned arrays (origin index, destination index, minutes), never a dense zone x site table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from planner import defaults
from planner.errors import InputError

#: Mean Earth radius in km (IUGG).
EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class RoadSpeedModel:
    """Driving minutes from straight-line distance.

    Road distance is the great-circle distance times ``detour_factor``; driving time is piecewise
    linear in road distance, slow for the first kilometres (urban streets), faster on A roads,
    fastest on motorways, so longer trips have higher average speeds. The defaults, with their
    sources and stated assumptions, are in :mod:`planner.defaults`.

    Parameters
    ----------
    detour_factor
        Road distance / straight-line distance (:data:`planner.defaults.DETOUR_FACTOR`).
    band_km
        Upper ends (road km) of the speed bands but the last
        (:data:`planner.defaults.SPEED_BAND_KM`).
    band_kmh
        Speed in each band, one more than ``band_km`` (:data:`planner.defaults.SPEED_BAND_KMH`).
    access_minutes
        Fixed minutes added to every trip (:data:`planner.defaults.TRIP_EXTRA_MINUTES`).
    """

    detour_factor: float = defaults.DETOUR_FACTOR
    band_km: tuple[float, ...] = defaults.SPEED_BAND_KM
    band_kmh: tuple[float, ...] = defaults.SPEED_BAND_KMH
    access_minutes: float = defaults.TRIP_EXTRA_MINUTES

    def __post_init__(self) -> None:
        if self.detour_factor < 1.0:
            raise InputError(f"must be >= 1, found {self.detour_factor}", field="detour_factor")
        if len(self.band_kmh) != len(self.band_km) + 1:
            raise InputError(
                f"needs one more speed than band limits, found {len(self.band_kmh)} speeds "
                f"for {len(self.band_km)} limits",
                field="band_kmh",
            )
        if any(s <= 0 for s in self.band_kmh) or list(self.band_km) != sorted(self.band_km):
            raise InputError("speeds must be positive and band limits increasing", field="band_kmh")

    def _breakpoints(self) -> tuple[np.ndarray, np.ndarray]:
        """Road km and cumulative minutes at each band limit, starting at 0."""
        km = np.concatenate([[0.0], np.asarray(self.band_km, float)])
        minutes = np.zeros_like(km)
        for k in range(1, len(km)):
            minutes[k] = minutes[k - 1] + (km[k] - km[k - 1]) / self.band_kmh[k - 1] * 60.0
        return km, minutes

    def minutes(self, straight_km: np.ndarray | float) -> np.ndarray:
        """Driving minutes for straight-line distances in km."""
        road = np.asarray(straight_km, float) * self.detour_factor
        km, cum = self._breakpoints()
        band = np.searchsorted(km, road, side="right") - 1
        speeds = np.asarray(self.band_kmh, float)
        return self.access_minutes + cum[band] + (road - km[band]) / speeds[band] * 60.0

    def straight_km(self, minutes: float) -> float:
        """Longest straight-line distance reachable in ``minutes`` (inverse of :meth:`minutes`)."""
        driving = max(minutes - self.access_minutes, 0.0)
        km, cum = self._breakpoints()
        band = int(np.searchsorted(cum, driving, side="right") - 1)
        road = km[band] + (driving - cum[band]) / 60.0 * self.band_kmh[band]
        return road / self.detour_factor


@dataclass
class TravelMatrix:
    """Sparse travel times: the pairs (origin, destination) with a known time.

    Attributes
    ----------
    origin_ids, destination_ids
        Ids of all origins (demand zones) and destinations (sites), in model order.
    origin, destination
        For each pair, the index into ``origin_ids`` and ``destination_ids``.
    minutes
        For each pair, the travel time in minutes.
    source
        Where the times come from (``"estimated"``, a file name).
    """

    origin_ids: np.ndarray
    destination_ids: np.ndarray
    origin: np.ndarray
    destination: np.ndarray
    minutes: np.ndarray
    source: str = "estimated"

    def __len__(self) -> int:
        return int(self.minutes.size)

    def within(self, limit: float) -> TravelMatrix:
        """The pairs with ``minutes <= limit``."""
        keep = self.minutes <= limit
        return TravelMatrix(
            self.origin_ids,
            self.destination_ids,
            self.origin[keep],
            self.destination[keep],
            self.minutes[keep],
            self.source,
        )

    def subset(self, origin_ids: np.ndarray, destination_ids: np.ndarray) -> TravelMatrix:
        """The pairs between the given origins and destinations, indexed in their order.

        Every id must be one of this matrix's; pairs of other origins or destinations are
        dropped (e.g. zones outside the regions a scenario plans).
        """
        o_map = pd.Index(self.origin_ids).get_indexer(np.asarray(origin_ids, str))
        d_map = pd.Index(self.destination_ids).get_indexer(np.asarray(destination_ids, str))
        if (o_map < 0).any() or (d_map < 0).any():
            raise ValueError("subset ids must be ids of the matrix")
        new_o = np.full(self.origin_ids.size, -1, dtype=np.int32)
        new_o[o_map] = np.arange(o_map.size)
        new_d = np.full(self.destination_ids.size, -1, dtype=np.int32)
        new_d[d_map] = np.arange(d_map.size)
        o, d = new_o[self.origin], new_d[self.destination]
        keep = (o >= 0) & (d >= 0)
        order = np.lexsort((d[keep], o[keep]))
        return TravelMatrix(
            np.asarray(origin_ids, str),
            np.asarray(destination_ids, str),
            o[keep][order],
            d[keep][order],
            self.minutes[keep][order],
            self.source,
        )

    def to_frame(self) -> pd.DataFrame:
        """Long table: origin_id, destination_id, minutes."""
        return pd.DataFrame(
            {
                "origin_id": self.origin_ids[self.origin],
                "destination_id": self.destination_ids[self.destination],
                "minutes": self.minutes,
            }
        )

    def nearest_minutes(self, destinations: np.ndarray | None = None) -> np.ndarray:
        """For each origin, the time to its nearest destination (``inf`` if none is known).

        ``destinations`` optionally restricts to a boolean mask over ``destination_ids``.
        """
        best = np.full(self.origin_ids.size, np.inf)
        if destinations is None:
            np.minimum.at(best, self.origin, self.minutes)
        else:
            keep = np.asarray(destinations, bool)[self.destination]
            np.minimum.at(best, self.origin[keep], self.minutes[keep])
        return best


def _unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    phi = np.radians(np.asarray(lat, float))
    lam = np.radians(np.asarray(lon, float))
    return np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])


def great_circle_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle (haversine) distance in km between arrays of points."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _coordinates(table: pd.DataFrame, what: str) -> tuple[np.ndarray, np.ndarray]:
    if "geometry" in table and getattr(table, "crs", None) is not None:
        if not table.crs.equals("EPSG:4326"):
            table = table.to_crs("EPSG:4326")
        geometry = table.geometry
        if not (geometry.geom_type == "Point").all():
            # Areas (e.g. LSOA polygons) travel from a point inside them; a centroid can fall
            # outside a concave area.
            geometry = geometry.representative_point()
        return geometry.y.to_numpy(), geometry.x.to_numpy()
    if {"lat", "lon"} <= set(table.columns):
        return table["lat"].to_numpy(float), table["lon"].to_numpy(float)
    raise InputError(f"{what} need point geometries with a CRS or 'lat' and 'lon' columns")


def estimate_travel_times(
    origins: pd.DataFrame,
    destinations: pd.DataFrame,
    max_minutes: float,
    *,
    origin_id: str = "zone_id",
    destination_id: str = "site_id",
    speed_model: RoadSpeedModel | None = None,
) -> TravelMatrix:
    """Estimated driving times for every origin-destination pair within ``max_minutes``.

    Pairs are found with a k-d tree over 3-D unit vectors (chord distance is monotone in
    great-circle distance), so the work grows with the number of pairs kept, not with
    origins x destinations.

    Parameters
    ----------
    origins, destinations
        GeoDataFrames of points (any CRS) or DataFrames with ``lat``/``lon`` columns.
    max_minutes
        Longest travel time kept.
    origin_id, destination_id
        Id columns.
    speed_model
        Distance-to-time conversion; :class:`RoadSpeedModel` defaults if omitted.
    """
    model = speed_model or RoadSpeedModel()
    o_lat, o_lon = _coordinates(origins, "origins")
    d_lat, d_lon = _coordinates(destinations, "destinations")
    radius_km = model.straight_km(max_minutes)
    chord = 2.0 * np.sin(min(radius_km / EARTH_RADIUS_KM, np.pi) / 2.0)
    tree_o = cKDTree(_unit_vectors(o_lat, o_lon))
    tree_d = cKDTree(_unit_vectors(d_lat, d_lon))
    # 'ndarray' output keeps zero-distance pairs (a zone at a site), which sparse formats drop.
    pairs = tree_o.sparse_distance_matrix(tree_d, chord * (1 + 1e-12), output_type="ndarray")
    o_idx = pairs["i"].astype(np.int32)
    d_idx = pairs["j"].astype(np.int32)
    km = 2.0 * EARTH_RADIUS_KM * np.arcsin(np.clip(pairs["v"] / 2.0, 0.0, 1.0))
    minutes = model.minutes(km)
    keep = minutes <= max_minutes + 1e-9
    order = np.lexsort((d_idx[keep], o_idx[keep]))
    return TravelMatrix(
        origin_ids=origins[origin_id].astype(str).to_numpy(),
        destination_ids=destinations[destination_id].astype(str).to_numpy(),
        origin=o_idx[keep][order],
        destination=d_idx[keep][order],
        minutes=minutes[keep][order],
        source="estimated",
    )
