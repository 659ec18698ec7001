"""Build ``geodata/demand_zones.csv``: population-weighted points covering all of England.

An approximation from GeoNames populated places, scaled so that each ONS region's total equals its
Census 2021 population. Steps (each rule is restated in ``geodata/README.md``):

1. GeoNames places in England with a population of at least ``MIN_PLACE_POPULATION``.
2. Drop GeoNames entries that stand for whole areas whose towns are listed too
   (``AREA_AGGREGATE_IDS`` in ``sources.py``: Greater London, and the districts Mendip,
   Rossendale, High Peak, Fylde and Thanet), so nobody is counted twice.
3. Give each place its upper-tier unit by point-in-polygon; a place just off the simplified coast
   takes the nearest unit within ``COAST_SNAP_M``; places farther out are listed and left out.
4. Remove places whose population is already inside a larger one: going from the largest place
   down, a smaller place in the same upper-tier unit within the radius of a disc holding the larger
   place's population at ``URBAN_DENSITY_PER_KM2`` is counted as part of it and dropped.
5. Every upper-tier unit gets at least one point: a unit with no GeoNames place left gets its
   representative point (see ``fill_empty_units``).
6. Scale populations so each region's total equals its Census 2021 figure (integers, largest
   remainder rounding so totals are exact).

Run: ``.venv/bin/python geodata/build/build_demand_zones.py`` (after ``build_regions.py``).
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
from sources import (
    AREA_AGGREGATE_IDS,
    CENSUS_SOURCE,
    GEODATA_DIR,
    GEONAMES_SOURCE,
    REGIONS,
    geonames_england,
)

MIN_PLACE_POPULATION = 1000
COAST_SNAP_M = 5_000
# Assumption: average density of an English built-up area, used only to decide how far a town's
# GeoNames population reaches; of the order of ONS built-up-area densities.
URBAN_DENSITY_PER_KM2 = 4_000
BNG = "EPSG:27700"


def _places_in_units(places: pd.DataFrame, units: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    points = gpd.GeoDataFrame(
        places, geometry=gpd.points_from_xy(places["lon"], places["lat"]), crs="EPSG:4326"
    ).to_crs(BNG)
    units_bng = units[["unit_code", "region_code", "geometry"]].to_crs(BNG)
    inside = gpd.sjoin(points, units_bng, how="left", predicate="within").drop(
        columns="index_right"
    )
    inside = inside[~inside.index.duplicated()]
    outside = inside["unit_code"].isna()
    if outside.any():
        snapped = gpd.sjoin_nearest(
            inside.loc[outside, places.columns.tolist() + ["geometry"]],
            units_bng,
            how="left",
            max_distance=COAST_SNAP_M,
            distance_col="snap_m",
        ).drop(columns="index_right")
        snapped = snapped[~snapped.index.duplicated()]
        inside.loc[outside, ["unit_code", "region_code"]] = snapped[["unit_code", "region_code"]]
        inside["snap_m"] = snapped["snap_m"]
    far = inside["unit_code"].isna()
    if far.any():
        print(f"left out, more than {COAST_SNAP_M} m from England's polygons:")
        print(inside.loc[far, ["geonameid", "name", "lat", "lon", "population"]].to_string())
    return inside[~far]


def drop_contained(points: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Drop places whose population is counted in a larger place of the same unit (rule 4)."""
    points = points.sort_values(["population", "geonameid"], ascending=[False, True])
    kept: list[int] = []
    dropped: set[int] = set()
    xy = np.column_stack([points.geometry.x, points.geometry.y])
    index = list(points.index)
    pos = {idx: i for i, idx in enumerate(index)}
    for idx in index:
        if idx in dropped:
            continue
        kept.append(idx)
        row = points.loc[idx]
        radius_m = math.sqrt(row["population"] / (math.pi * URBAN_DENSITY_PER_KM2)) * 1000
        dist = np.hypot(*(xy - xy[pos[idx]]).T)
        same_unit = (points["unit_code"] == row["unit_code"]).to_numpy()
        smaller = (points["population"] <= row["population"]).to_numpy()
        for j in np.flatnonzero((dist <= radius_m) & same_unit & smaller):
            if index[j] != idx:
                dropped.add(index[j])
    return points.loc[kept]


def fill_empty_units(points: gpd.GeoDataFrame, units: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Give each unit without a place its representative point.

    Assumption: such a unit has no GeoNames place of ``MIN_PLACE_POPULATION`` or more outside the
    reach of a larger town, so its point gets the population of the smallest place kept in its
    region (before scaling), i.e. it counts like that region's smallest settlement.
    """
    points = points.assign(filled=False)
    empty = units[~units["unit_code"].isin(points["unit_code"])]
    if empty.empty:
        return points
    smallest = points.groupby("region_code")["population"].min()
    rep = empty.to_crs(BNG).representative_point()
    extra = gpd.GeoDataFrame(
        {
            "geonameid": pd.NA,
            "name": empty["unit_name"].to_numpy(),
            "population": empty["region_code"].map(smallest).to_numpy(),
            "unit_code": empty["unit_code"].to_numpy(),
            "region_code": empty["region_code"].to_numpy(),
            "filled": True,
        },
        geometry=rep.to_numpy(),
        crs=BNG,
    )
    print(f"units with no GeoNames place, given their representative point: {list(extra.name)}")
    return pd.concat([points, extra], ignore_index=True)


def scale_to_census(points: pd.DataFrame) -> pd.Series:
    """Return integer populations whose regional totals equal Census 2021 exactly."""
    census = REGIONS.set_index("region_code")["population"]
    scaled = pd.Series(0, index=points.index, dtype="int64")
    for code, group in points.groupby("region_code"):
        exact = group["population"] / group["population"].sum() * census[code]
        floor = np.floor(exact).astype("int64")
        short = int(census[code] - floor.sum())
        # Largest remainder: the rounding residue goes to the points that lost most to flooring.
        order = (exact - floor).sort_values(ascending=False).index[:short]
        floor.loc[order] += 1
        scaled.loc[group.index] = floor
    return scaled


def build() -> pd.DataFrame:
    """Return the demand-zone table written to ``demand_zones.csv``."""
    units = gpd.read_file(GEODATA_DIR / "upper_tier.geojson")
    places = geonames_england(MIN_PLACE_POPULATION)
    places = places[~places["geonameid"].isin(AREA_AGGREGATE_IDS)]
    points = _places_in_units(places, units)
    n_in = len(points)
    points = drop_contained(points)
    print(f"{n_in} GeoNames places in England, {len(points)} after removing contained places")
    points = fill_empty_units(points, units)
    points["population"] = scale_to_census(points)
    wgs = points.to_crs("EPSG:4326")
    zone_id = [
        f"GN{int(g)}" if not f else f"UT{u}"
        for g, f, u in zip(points["geonameid"], points["filled"], points["unit_code"], strict=True)
    ]
    source = np.where(
        points["filled"],
        "representative point of Natural Earth unit; population assumed (see README); "
        + "scaled to "
        + CENSUS_SOURCE,
        f"{GEONAMES_SOURCE}; scaled to {CENSUS_SOURCE}",
    )
    table = pd.DataFrame(
        {
            "zone_id": zone_id,
            "name": points["name"].to_numpy(),
            "region_code": points["region_code"].to_numpy(),
            "unit_code": points["unit_code"].to_numpy(),
            "lat": wgs.geometry.y.round(5).to_numpy(),
            "lon": wgs.geometry.x.round(5).to_numpy(),
            "population": points["population"].to_numpy(),
            "source": source,
        }
    )
    return table.sort_values(["region_code", "zone_id"]).reset_index(drop=True)


def main() -> None:
    """Write ``demand_zones.csv`` and print the regional totals against Census 2021."""
    table = build()
    path = GEODATA_DIR / "demand_zones.csv"
    table.to_csv(path, index=False)
    totals = table.groupby("region_code")["population"].agg(["size", "sum"])
    totals["census"] = REGIONS.set_index("region_code")["population"]
    print(totals.to_string())
    print(
        f"{path.name}: {len(table)} zones, total {table['population'].sum():,}, "
        f"{path.stat().st_size / 1e3:.0f} kB"
    )


if __name__ == "__main__":
    main()
