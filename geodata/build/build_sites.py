"""Build ``sites.csv``, ``candidate_sites.csv``, ``hubs.csv`` and ``radiopharmacies.csv``.

Every site, hub and supplier is one named in ``shared/facts/pet-ct-england.md`` (hubs may also be
an NHS cancer centre named here as an assumption). No hospital coordinate is sourced, so each gets
the GeoNames coordinate of its town centre, or for a hospital in a city district the district's
centre, and says so in ``precision``. Run after ``build_regions.py``:
``.venv/bin/python geodata/build/build_sites.py``.
"""

# One row per line keeps these source tables readable and diffable.
# ruff: noqa: E501

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from sources import (
    AREA_AGGREGATE_IDS,
    GEODATA_DIR,
    GEONAMES_SOURCE,
    geonames_england,
    geonames_place,
)

FACTS = "shared/facts/pet-ct-england.md"
CQC_NEWS = f"{FACTS}: named PET-CT sites (CQC reports and NHS news)"
LGC_2015 = f"{FACTS}: LGC 2015, phase 1 new scanners; North Cumbria University Hospitals news 2015"
INHEALTH = f"{FACTS}: named PET-CT sites, mobile, InHealth"
MOBILE = f"{FACTS}: named PET-CT sites, mobile visits"
CHRISTIE = f"{FACTS}: The Christie (CQC / Christie); The Christie-Alliance Medical network"
ALLIANCE = "Alliance Medical"

# (name, town, GeoNames id of the town or district centre, precision, scanners, kind, operator,
#  phase1_network, source). Scanner counts only where the fact sheet gives them.
# phase1_network rule: True only where the fact sheet ties the site itself to the Christie-Alliance
# phase-1 network (the new scanners in Bath, Bristol, Carlisle, Lincoln, Truro, and The Christie).
# Sites that merely lie in a phase-1 lot area (e.g. Preston, Cheltenham) stay False.
SITES = [
    ("Leeds St James's University Hospital", "Leeds", 2644688, "town centre", 2, "fixed", "", False, CQC_NEWS),
    ("Sheffield Northern General Hospital", "Sheffield", 2638077, "town centre", None, "fixed", "", False, CQC_NEWS),
    ("Leicester Glenfield Hospital", "Leicester", 2648484, "district centre", None, "fixed", "", False, CQC_NEWS),
    ("Southampton General Hospital", "Southampton", 2637487, "town centre", None, "fixed", "", False, CQC_NEWS),
    ("Portsmouth Queen Alexandra Hospital", "Portsmouth", 2652294, "district centre", None, "fixed", "", False, CQC_NEWS),
    ("Taunton Musgrove Park Hospital", "Taunton", 2636177, "town centre", None, "fixed", "", False, CQC_NEWS),
    ("Maidstone", "Maidstone", 2643179, "town centre", None, "fixed", "", False, CQC_NEWS),
    ("Ashford (Kent)", "Ashford", 2656955, "town centre", None, "fixed", "", False, CQC_NEWS),
    ("Sidcup Queen Mary's Hospital", "Sidcup", 2637861, "district centre", None, "fixed", "", False, CQC_NEWS),
    ("Wigan", "Wigan", 2633948, "town centre", None, "fixed", "", False, CQC_NEWS),
    ("Colchester", "Colchester", 2652618, "town centre", None, "fixed", "", False, CQC_NEWS),
    ("Norfolk and Norwich University Hospital", "Norwich", 2641181, "town centre", None, "fixed", "", False, CQC_NEWS),
    ("Newcastle Freeman Hospital", "Newcastle upon Tyne", 2641673, "town centre", None, "fixed", "", False, CQC_NEWS),
    ("Middlesbrough James Cook University Hospital", "Middlesbrough", 2642607, "town centre", None, "fixed", "", False, CQC_NEWS),
    ("Preston", "Preston", 2639912, "town centre", None, "fixed", "", False, CQC_NEWS),
    ("Cheltenham", "Cheltenham", 2653261, "town centre", None, "fixed", "", False, CQC_NEWS),
    ("Bath Royal United Hospital", "Bath", 2656173, "town centre", None, "fixed", ALLIANCE, True, LGC_2015),
    ("Southend (moved from Basildon)", "Southend-on-Sea", 2637433, "town centre", None, "fixed", "", False, CQC_NEWS),
    ("Oxford Churchill Hospital", "Oxford", 2640729, "town centre", 2, "fixed", "", False, CQC_NEWS),
    ("University College London Hospitals (UCLH)", "London", 3345437, "district centre", 3, "fixed", "", False, CQC_NEWS),
    ("St Thomas' Hospital", "London", 6545250, "district centre", 3, "fixed", "", False, CQC_NEWS),
    ("Guy's Hospital", "London", 2639091, "district centre", 1, "fixed", "", False, CQC_NEWS),
    ("Mount Vernon Hospital", "Northwood", 2641216, "district centre", 2, "fixed", "", False, CQC_NEWS),
    ("Royal Free Hospital", "London", 6690581, "district centre", None, "fixed", "", False, CQC_NEWS),
    ("Hull Castle Hill Hospital", "Cottingham", 2652262, "town centre", None, "fixed", "", False, CQC_NEWS),
    ("The Christie", "Manchester", 6691252, "district centre", None, "fixed", "", True, CHRISTIE),
    ("Bristol", "Bristol", 2654675, "town centre", None, "fixed", ALLIANCE, True, LGC_2015),
    ("Carlisle Cumberland Infirmary", "Carlisle", 2653775, "town centre", None, "fixed", ALLIANCE, True, LGC_2015),
    ("Lincoln County Hospital", "Lincoln", 2644487, "town centre", None, "fixed", ALLIANCE, True, LGC_2015),
    ("Truro Royal Cornwall Hospital", "Truro", 2635412, "town centre", None, "fixed", ALLIANCE, True, LGC_2015),
    ("Milton Keynes (mobile)", "Milton Keynes", 2642465, "town centre", None, "mobile", "InHealth", False, INHEALTH),
    ("Swindon (mobile)", "Swindon", 2636389, "town centre", None, "mobile", "InHealth", False, INHEALTH),
    ("Reading (mobile)", "Reading", 2639577, "town centre", None, "mobile", "InHealth", False, INHEALTH),
    ("Sandwell (mobile visits)", "West Bromwich", 2634491, "town centre", None, "mobile", "", False, MOBILE),
    ("Queen Elizabeth Hospital Birmingham (mobile visits)", "Birmingham", 2655603, "town centre", None, "mobile", "", False, MOBILE),
    ("Lister Hospital (mobile, 1 day a week)", "Stevenage", 2636940, "town centre", None, "mobile", "", False, MOBILE),
]  # fmt: skip

TEACHING = "NHS cancer centre / university teaching hospital; assumption"
# (name, town, GeoNames id, precision, source). The Christie first: its School of Oncology trains
# the network's staff (fact sheet, Reform 2016).
HUBS = [
    ("The Christie, School of Oncology", "Manchester", 6691252, "district centre", f"{FACTS}: training (Reform 2016); The Christie"),
    ("Leeds Cancer Centre, St James's", "Leeds", 2644688, "town centre", f"{CQC_NEWS}; {TEACHING}"),
    ("Newcastle Freeman Hospital", "Newcastle upon Tyne", 2641673, "town centre", f"{CQC_NEWS}; {TEACHING}"),
    ("Queen Elizabeth Hospital Birmingham", "Birmingham", 2655603, "town centre", f"{MOBILE}; {TEACHING}"),
    ("Oxford Churchill Hospital", "Oxford", 2640729, "town centre", f"{CQC_NEWS}; {TEACHING}"),
    ("Cambridge Addenbrooke's Hospital", "Cambridge", 2653941, "town centre", TEACHING),
    ("Bristol cancer centre", "Bristol", 2654675, "town centre", f"{LGC_2015}; {TEACHING}"),
    ("Southampton General Hospital", "Southampton", 2637487, "town centre", f"{CQC_NEWS}; {TEACHING}"),
    ("Nottingham City Hospital", "Nottingham", 2641170, "town centre", TEACHING),
    ("Sheffield Weston Park / Northern General", "Sheffield", 2638077, "town centre", f"{CQC_NEWS}; {TEACHING}"),
    ("Clatterbridge Cancer Centre Liverpool", "Liverpool", 2644210, "town centre", TEACHING),
    ("University College London Hospitals (UCLH)", "London", 3345437, "district centre", f"{CQC_NEWS}; {TEACHING}"),
    ("Guy's and St Thomas'", "London", 6545250, "district centre", f"{CQC_NEWS}; {TEACHING}"),
    ("The Royal Marsden", "London", 2653265, "district centre", TEACHING),
    ("Leicester Royal Infirmary / Glenfield", "Leicester", 2644668, "town centre", f"{CQC_NEWS}; {TEACHING}"),
    ("Royal Devon and Exeter", "Exeter", 2649808, "town centre", TEACHING),
]  # fmt: skip

RADIOPHARMACY = f"{FACTS}: tracer supply, Alliance Medical radiopharmacies (local press 2015)"
CYCLOTRON = f"{FACTS}: tracer supply, other cyclotrons (provider news 2020-25)"
# (name, town, GeoNames id, precision, operator, status, source)
SUPPLIERS = [
    ("Keele radiopharmacy", "Keele", 2645897, "town centre", ALLIANCE, "active", RADIOPHARMACY),
    ("Preston radiopharmacy", "Preston", 2639912, "town centre", ALLIANCE, "active", RADIOPHARMACY),
    ("Sutton radiopharmacy", "Sutton", 2636503, "district centre", ALLIANCE, "active", RADIOPHARMACY),
    ("Guildford radiopharmacy", "Guildford", 2647793, "town centre", ALLIANCE, "active", RADIOPHARMACY),
    ("Dinnington radiopharmacy (mothballed 2010)", "Dinnington", 2651241, "town centre", ALLIANCE, "mothballed", RADIOPHARMACY),
    ("St Thomas' cyclotron", "London", 6545250, "district centre", "", "active", CYCLOTRON),
    ("Mount Vernon cyclotron", "Northwood", 2641216, "district centre", "", "active", CYCLOTRON),
    ("Hull Castle Hill cyclotron (from 2025)", "Cottingham", 2652262, "town centre", "", "active", CYCLOTRON),
    ("Wolfson Molecular Imaging Centre", "Manchester", 6691252, "district centre", "", "active", CYCLOTRON),
]  # fmt: skip

CANDIDATE_MIN_POPULATION = 60_000  # assumption: a town big enough to host a scanner site
CANDIDATE_MIN_GAP_KM = 10.0  # assumption: closer than this, a candidate adds nothing to a site
BNG = "EPSG:27700"


def _locate(geonameid: int) -> tuple[float, float, str]:
    place = geonames_place(geonameid)
    gazetteer = f"{GEONAMES_SOURCE}, id {geonameid} ({place['name']})"
    return round(place["latitude"], 5), round(place["longitude"], 5), gazetteer


def _region_codes(lat: pd.Series, lon: pd.Series) -> np.ndarray:
    """Region of each point by point-in-polygon, or the nearest region within 5 km of the coast."""
    regions = gpd.read_file(GEODATA_DIR / "regions.geojson")[["region_code", "geometry"]]
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    joined = gpd.sjoin_nearest(points.to_crs(BNG), regions.to_crs(BNG), max_distance=5_000)
    joined = joined[~joined.index.duplicated()].reindex(points.index)
    if joined["region_code"].isna().any():
        raise RuntimeError(f"points outside England: {points[joined['region_code'].isna()]}")
    return joined["region_code"].to_numpy()


def build_sites() -> pd.DataFrame:
    """Return the existing-site table."""
    rows = []
    for i, (name, town, gid, precision, scanners, kind, operator, phase1, source) in enumerate(
        SITES, start=1
    ):
        lat, lon, gazetteer = _locate(gid)
        rows.append(
            {
                "site_id": f"S{i:03d}",
                "name": name,
                "town": town,
                "lat": lat,
                "lon": lon,
                "scanners": scanners,
                "kind": kind,
                "operator": operator,
                "precision": precision,
                "phase1_network": phase1,
                "source": f"{source}; coordinate: {gazetteer} {precision}",
            }
        )
    table = pd.DataFrame(rows)
    table["scanners"] = table["scanners"].astype("Int64")
    table.insert(3, "region_code", _region_codes(table["lat"], table["lon"]))
    return table


def build_candidates(sites: pd.DataFrame) -> pd.DataFrame:
    """Return towns of ``CANDIDATE_MIN_POPULATION`` or more, at least the gap from any site.

    Candidates are taken from the largest town down, and a town within the gap of a candidate
    already taken is skipped too, so that a conurbation yields one candidate, not one per district.
    """
    towns = geonames_england(1000)
    towns = towns[
        (towns["population"] >= CANDIDATE_MIN_POPULATION)
        & ~towns["geonameid"].isin(AREA_AGGREGATE_IDS)
    ].sort_values(["population", "geonameid"], ascending=[False, True])
    to_bng = gpd.GeoSeries(gpd.points_from_xy(towns["lon"], towns["lat"]), crs="EPSG:4326")
    town_xy = np.column_stack([to_bng.to_crs(BNG).x, to_bng.to_crs(BNG).y])
    site_pts = gpd.GeoSeries(gpd.points_from_xy(sites["lon"], sites["lat"]), crs="EPSG:4326")
    taken_xy = [np.column_stack([site_pts.to_crs(BNG).x, site_pts.to_crs(BNG).y])]
    chosen = []
    for k, xy in enumerate(town_xy):
        near = np.concatenate(taken_xy)
        if np.hypot(*(near - xy).T).min() >= CANDIDATE_MIN_GAP_KM * 1000:
            chosen.append(k)
            taken_xy.append(xy[None, :])
    picked = towns.iloc[chosen].sort_values("name", kind="stable").reset_index(drop=True)
    table = pd.DataFrame(
        {
            "site_id": [f"C{i:03d}" for i in range(1, len(picked) + 1)],
            "name": picked["name"],
            "town": picked["name"],
            "lat": picked["lat"].round(5),
            "lon": picked["lon"].round(5),
            "scanners": pd.array([0] * len(picked), dtype="Int64"),
            "kind": "",
            "operator": "",
            "precision": "town centre",
            "phase1_network": False,
            "source": [
                f"{GEONAMES_SOURCE}, id {g}; candidate rule: town of {CANDIDATE_MIN_POPULATION:,}+ "
                f"at least {CANDIDATE_MIN_GAP_KM:g} km from any site or larger candidate "
                "(assumption)"
                for g in picked["geonameid"]
            ],
        }
    )
    table.insert(3, "region_code", _region_codes(table["lat"], table["lon"]))
    return table


# Operator only where the facts file names it: The Christie runs its School of Oncology (Reform
# 2016, facts). The other hubs' operators are left empty (unknown) rather than guessed.
HUB_OPERATORS = {"The Christie, School of Oncology": "The Christie NHS Foundation Trust"}


def build_hubs() -> pd.DataFrame:
    """Return the training-hub candidates, The Christie first."""
    rows = []
    for i, (name, town, gid, precision, source) in enumerate(HUBS, start=1):
        lat, lon, gazetteer = _locate(gid)
        rows.append(
            {
                "hub_id": f"H{i:02d}",
                "name": name,
                "town": town,
                "lat": lat,
                "lon": lon,
                "operator": HUB_OPERATORS.get(name, ""),
                "precision": precision,
                "source": f"{source}; coordinate: {gazetteer} {precision}",
                "is_christie": name.startswith("The Christie"),
            }
        )
    table = pd.DataFrame(rows)
    table.insert(3, "region_code", _region_codes(table["lat"], table["lon"]))
    return table


def build_suppliers() -> pd.DataFrame:
    """Return the FDG radiopharmacies and cyclotrons."""
    rows = []
    for i, (name, town, gid, precision, operator, status, source) in enumerate(SUPPLIERS, start=1):
        lat, lon, gazetteer = _locate(gid)
        rows.append(
            {
                "supplier_id": f"R{i:02d}",
                "name": name,
                "town": town,
                "lat": lat,
                "lon": lon,
                "operator": operator,
                "status": status,
                "precision": precision,
                "source": f"{source}; coordinate: {gazetteer} {precision}",
            }
        )
    table = pd.DataFrame(rows)
    table.insert(3, "region_code", _region_codes(table["lat"], table["lon"]))
    return table


def main() -> None:
    """Write the four point tables."""
    sites = build_sites()
    outputs = {
        "sites.csv": sites,
        "candidate_sites.csv": build_candidates(sites),
        "hubs.csv": build_hubs(),
        "radiopharmacies.csv": build_suppliers(),
    }
    for name, table in outputs.items():
        path = GEODATA_DIR / name
        table.to_csv(path, index=False)
        print(f"{name}: {len(table)} rows, {path.stat().st_size / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
