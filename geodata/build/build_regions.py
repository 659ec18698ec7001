"""Build the Natural Earth outline of England's nine ONS regions, which ``build_lsoa.py`` uses
only to tell each local authority district its region.

England's 152 Natural Earth admin-1 units are simplified together as one coverage (so that
neighbouring units keep a shared edge, with no gaps or slivers), tiny islets are dropped, and the
units are dissolved by their ONS region. The result goes to the (git-ignored) build cache:
``geodata/regions.geojson`` itself is dissolved from the LSOA polygons by ``build_lsoa.py``. Run:
``.venv/bin/python geodata/build/build_regions.py``.
"""

from __future__ import annotations

import geopandas as gpd
import shapely
from shapely.geometry import shape
from sources import CACHE_DIR, NATURAL_EARTH_SOURCE, REGIONS, england_admin1

#: Where ``build_lsoa.py`` reads the Natural Earth regions.
NATURAL_EARTH_REGIONS = CACHE_DIR / "regions_natural_earth.geojson"

# Degrees; about 300 m north-south. Keeps estuaries and the coastline recognisable at national
# zoom while keeping both files well under 1 MB.
SIMPLIFY_TOLERANCE = 0.003
# Square degrees (about 0.15 km2 at England's latitude): islets smaller than this carry no
# population worth a polygon, and the demand points near them are snapped to the nearest region.
MIN_PART_AREA = 2e-5
COORD_DECIMALS = 5  # about 1 m; more digits only add bytes


def _drop_islets(geom: shapely.Geometry) -> shapely.Geometry:
    parts = [p for p in shapely.get_parts(geom) if p.area >= MIN_PART_AREA]
    if not parts:  # never lose a whole unit: keep its largest part
        parts = [max(shapely.get_parts(geom), key=lambda p: p.area)]
    return shapely.make_valid(shapely.MultiPolygon(parts) if len(parts) > 1 else parts[0])


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Keep only the polygons of a geometry (make_valid can add stray lines or points)."""
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts)


def build_upper_tier() -> gpd.GeoDataFrame:
    """Return the 152 simplified upper-tier units with their ONS region."""
    features = england_admin1()
    region_of = dict(zip(REGIONS["ne_region"], REGIONS["region_code"], strict=True))
    frame = gpd.GeoDataFrame(
        {
            "unit_code": [f["properties"]["iso_3166_2"] for f in features],
            "unit_name": [f["properties"]["name"] for f in features],
            "unit_type": [f["properties"]["type_en"] for f in features],
            "region_code": [region_of[f["properties"]["region"]] for f in features],
        },
        geometry=[shapely.make_valid(shape(f["geometry"])) for f in features],
        crs="EPSG:4326",
    )
    frame["geometry"] = [_polygonal(g) for g in frame.geometry]
    simplified = shapely.coverage_simplify(frame.geometry.values, SIMPLIFY_TOLERANCE)
    frame["geometry"] = [_polygonal(shapely.make_valid(_drop_islets(g))) for g in simplified]
    frame["geometry"] = shapely.set_precision(frame.geometry.values, 10**-COORD_DECIMALS)
    frame["geometry"] = [_polygonal(shapely.make_valid(g)) for g in frame.geometry]
    frame["source"] = NATURAL_EARTH_SOURCE
    return frame.sort_values("unit_code").reset_index(drop=True)


def build_regions(upper_tier: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Dissolve the upper-tier units into the nine ONS regions with Census 2021 populations."""
    dissolved = upper_tier.dissolve(by="region_code").reset_index()[["region_code", "geometry"]]
    dissolved["geometry"] = [_polygonal(shapely.make_valid(g)) for g in dissolved.geometry]
    regions = REGIONS.drop(columns="ne_region").merge(dissolved, on="region_code", how="left")
    regions["source"] = f"{NATURAL_EARTH_SOURCE}; population: ONS Census 2021"
    return gpd.GeoDataFrame(regions, geometry="geometry", crs="EPSG:4326")


def main() -> None:
    """Write the Natural Earth regions into the build cache."""
    regions = build_regions(build_upper_tier())
    assert regions.geometry.is_valid.all(), "regions: invalid geometry"
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    NATURAL_EARTH_REGIONS.unlink(missing_ok=True)
    regions.to_file(NATURAL_EARTH_REGIONS, driver="GeoJSON", COORDINATE_PRECISION=COORD_DECIMALS)
    print(f"{NATURAL_EARTH_REGIONS}: {len(regions)} regions")


if __name__ == "__main__":
    main()
