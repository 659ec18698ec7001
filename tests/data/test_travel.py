"""Travel times: the speed model by hand, sparse search against a dense computation, imports."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from planner.data.travel import RoadSpeedModel, estimate_travel_times, great_circle_km
from planner.data.travel_files import read_osrm_table, read_travel_matrix
from planner.errors import InputError


def test_speed_model_by_hand():
    m = RoadSpeedModel(
        detour_factor=1.3, band_km=(5.0, 30.0), band_kmh=(30.0, 55.0, 85.0), access_minutes=0.0
    )
    # 10 km straight = 13 km road: 5 km at 30 km/h (10 min) + 8 km at 55 km/h (8.727 min)
    assert m.minutes(10.0) == pytest.approx(10.0 + 8 / 55 * 60)
    # 50 km straight = 65 km road: 10 + 25/55*60 + 35/85*60
    assert m.minutes(50.0) == pytest.approx(10.0 + 25 / 55 * 60 + 35 / 85 * 60)
    assert m.minutes(0.0) == 0.0
    for minutes in (5.0, 10.0, 30.0, 60.0, 120.0):
        assert m.minutes(m.straight_km(minutes)) == pytest.approx(minutes)
    km = np.linspace(0, 300, 301)
    assert np.all(np.diff(m.minutes(km)) > 0)


def test_great_circle_known_distance():
    # London (51.5074, -0.1278) to Manchester (53.4808, -2.2426): about 262 km.
    assert great_circle_km(51.5074, -0.1278, 53.4808, -2.2426) == pytest.approx(262, abs=2)


def _points(rng, id_column: str, prefix: str, n: int, lat, lon) -> pd.DataFrame:
    return pd.DataFrame(
        {
            id_column: [f"{prefix}{i}" for i in range(n)],
            "lat": rng.uniform(*lat, n),
            "lon": rng.uniform(*lon, n),
        }
    )


def test_sparse_pairs_equal_dense_reference():
    rng = np.random.default_rng(5)
    zones = _points(rng, "zone_id", "Z", 300, (50, 55), (-5, 1.5))
    sites = _points(rng, "site_id", "S", 50, (50, 55), (-5, 1.5))
    model = RoadSpeedModel()
    matrix = estimate_travel_times(zones, sites, 60.0, speed_model=model)
    dense = model.minutes(
        great_circle_km(
            zones["lat"].to_numpy()[:, None],
            zones["lon"].to_numpy()[:, None],
            sites["lat"].to_numpy()[None, :],
            sites["lon"].to_numpy()[None, :],
        )
    )
    o, d = np.nonzero(dense <= 60.0)
    assert len(matrix) == len(o)
    got = {
        (a, b): t for a, b, t in zip(matrix.origin, matrix.destination, matrix.minutes, strict=True)
    }
    for a, b in zip(o, d, strict=True):
        assert got[(a, b)] == pytest.approx(dense[a, b], rel=1e-9)


@pytest.mark.parametrize("block", [1, 7, 64])
def test_origins_in_blocks_give_the_same_matrix(monkeypatch, block):
    # Pairs are found a block of origins at a time (memory at postcode scale); with the
    # default road model (access points, bearings) the matrix is the one-block matrix exactly.
    import planner.data.travel as travel

    rng = np.random.default_rng(11)
    zones = _points(rng, "zone_id", "Z", 150, (51, 54), (-3, 0))
    sites = _points(rng, "site_id", "S", 20, (51, 54), (-3, 0))
    whole = estimate_travel_times(zones, sites, 90.0)
    monkeypatch.setattr(travel, "ORIGIN_BLOCK", block)
    blocked = estimate_travel_times(zones, sites, 90.0)
    assert len(whole) > 500
    np.testing.assert_array_equal(blocked.origin, whole.origin)
    np.testing.assert_array_equal(blocked.destination, whole.destination)
    np.testing.assert_array_equal(blocked.minutes, whole.minutes)


def test_zone_at_a_site_is_kept():
    zones = pd.DataFrame({"zone_id": ["Z"], "lat": [52.0], "lon": [-1.0]})
    sites = pd.DataFrame({"site_id": ["S"], "lat": [52.0], "lon": [-1.0]})
    matrix = estimate_travel_times(zones, sites, 30.0)
    # The default estimate's floor: 5 minutes plus the distance at 100 km/h (no routed trip in
    # the reference is faster: geodata/README.md, "Road travel times").
    assert len(matrix) == 1 and matrix.minutes[0] == pytest.approx(5.0)


def test_read_long_matrix(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("origin,destination,minutes\nZ1,S1,10\nZ2,S1,25.5\n")
    m = read_travel_matrix(path, ["Z1", "Z2"], ["S1", "S2"])
    assert m.to_frame().to_dict("list") == {
        "origin_id": ["Z1", "Z2"],
        "destination_id": ["S1", "S1"],
        "minutes": [10.0, 25.5],
    }


@pytest.mark.parametrize(
    ("body", "row", "field", "words"),
    [
        ("origin,destination,minutes\nZ1,S1,10\nZ9,S1,5\n", 2, "origin", "unknown origin"),
        (
            "origin,destination,minutes\nZ1,S1,10\nZ2,S7,5\n",
            2,
            "destination",
            "unknown destination",
        ),
        ("origin,destination,minutes\nZ1,S1,-3\n", 1, "minutes", "negative"),
        ("origin,destination,minutes\nZ1,S1,\n", 1, "minutes", "missing"),
        ("origin,destination,minutes\nZ1,S1,ten\n", 1, "minutes", "non-numeric"),
        ("origin,destination,minutes\nZ1,S1,3\nZ2,S1,inf\n", 2, "minutes", "infinite"),
        ("origin,destination,minutes\nZ1,S1,1\nZ1,S1,2\n", 2, None, "duplicated"),
        ("origin,destination\nZ1,S1\n", None, "minutes", "missing column"),
    ],
)
def test_bad_long_matrix(tmp_path, body, row, field, words):
    path = tmp_path / "bad.csv"
    path.write_text(body)
    with pytest.raises(InputError) as err:
        read_travel_matrix(path, ["Z1", "Z2"], ["S1", "S2"])
    e = err.value
    assert str(path) in str(e) and words in str(e)
    assert e.field == field
    if row is not None:
        assert e.row == [row] and f"row {row}" in str(e)


def test_read_osrm_table(tmp_path):
    path = tmp_path / "osrm.json"
    path.write_text(json.dumps({"code": "Ok", "durations": [[600, None], [1200, 300.5]]}))
    m = read_osrm_table(path, ["Z1", "Z2"], ["S1", "S2"])
    frame = m.to_frame()
    assert frame["minutes"].tolist() == pytest.approx([10.0, 20.0, 300.5 / 60])
    assert frame["destination_id"].tolist() == ["S1", "S1", "S2"]


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ({"code": "NoRoute"}, "'NoRoute'"),
        ({"code": "Ok", "durations": [[1, 2]]}, "expected 2 rows"),
        ({"code": "Ok", "durations": [[1, -2], [3, 4]]}, "found duration -2 s .* seconds >= 0"),
        ({"code": "Ok", "durations": [[1, True], [3, 4]]}, "found True at origin 'Z1'"),
        ({"code": "Ok", "durations": [[1, "2"], [3, 4]]}, "found '2' at origin 'Z1'"),
        ({"code": "Ok", "durations": [[1, 10**400], [3, 4]]}, "expected a finite number"),
        ({"code": "Ok", "durations": [[None, None], [None, None]]}, "every duration is null"),
        ({"code": "Ok"}, "no 'durations'"),
    ],
)
def test_bad_osrm_table(tmp_path, payload, words):
    path = tmp_path / "osrm.json"
    path.write_text(json.dumps(payload))
    with pytest.raises(InputError, match=words):
        read_osrm_table(path, ["Z1", "Z2"], ["S1", "S2"])


def test_osrm_path_that_is_a_folder(tmp_path):
    with pytest.raises(InputError, match="this is a folder, not a file") as err:
        read_osrm_table(tmp_path, ["Z1"], ["S1"])
    assert str(tmp_path) in str(err.value)


def test_areas_travel_from_a_point_inside_them():
    # A concave (U-shaped) area: its centroid lies in the notch, outside the area; the
    # representative point is inside. Travel is measured from a point inside the area.
    gpd = pytest.importorskip("geopandas")
    from shapely.geometry import Point, Polygon

    corners = [(0, 0), (3, 0), (3, 3), (2, 3), (2, 1), (1, 1), (1, 3), (0, 3)]  # 10 km units
    u_shape = Polygon([(400_000 + 10_000 * x, 300_000 + 10_000 * y) for x, y in corners])
    area = gpd.GeoDataFrame({"zone_id": ["Z1"]}, geometry=[u_shape], crs=27700).to_crs(4326)
    site = gpd.GeoDataFrame({"site_id": ["S1"]}, geometry=[Point(415_000, 400_000)], crs=27700)
    site = site.to_crs(4326)
    assert not area.geometry.iloc[0].contains(area.geometry.iloc[0].centroid)

    def minutes_from(geometry):
        frame = gpd.GeoDataFrame({"zone_id": ["Z1"]}, geometry=[geometry], crs=4326)
        return estimate_travel_times(frame, site, 600).minutes[0]

    inside = area.geometry.representative_point().iloc[0]
    assert area.geometry.iloc[0].contains(inside)
    assert estimate_travel_times(area, site, 600).minutes[0] == pytest.approx(minutes_from(inside))
    assert abs(minutes_from(inside) - minutes_from(area.geometry.iloc[0].centroid)) > 0.5
