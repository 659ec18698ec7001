"""Small, realistic :class:`~planner.plan.Plan` objects built directly, for map tests.

``small_plan()`` is a South-East-of-England plan with every kind of object a map draws: existing
and new, static and mobile sites, an existing site the plan closes, a candidate it does not open,
an open and a closed training hub, two FDG suppliers, ten demand zones (one with 7 scans, some
with unmet scans) and three regions. Data strings carry HTML/JS injection attempts, so tests can
check that the maps escape them. ``region_shapes()`` gives matching toy polygons, so these tests
need no embedded dataset. England-wide plans (synthetic and on the embedded dataset) are in
:mod:`tests.helpers.national`.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import box

from planner.plan import Plan

XSS_SITE = "<img src=x onerror=alert(1)>"
XSS_TITLE = "South East PET-CT <script>alert(2)</script> plan"
XSS_REGION = "East of England <b onmouseover=alert(3)>"
XSS_OPERATOR = "Radiopharma ${alert(4)} `Ltd`"

#: Open sites drawn as site markers, open hubs, suppliers: what the maps should show.
N_OPEN_SITES = 5
N_OPEN_HUBS = 1
N_SUPPLIERS = 2

#: The layers every map ends with, in the layer control: the basemap's and the online tiles.
BASEMAP_LAYERS = (
    "Region and ICB boundaries",
    "Place names",
    "Online map tiles (OpenStreetMap, needs internet)",
)

#: ONS codes of the three regions: London, the South East and the East of England.
LDN, SE, EOE = "E12000007", "E12000008", "E12000006"

# The tables of small_plan(), one row per line.
# fmt: off
SITE_COLUMNS = [
    "site_id", "name", "lat", "lon", "existing", "open", "fixed_scanners", "mobile_days",
    "capacity_scans", "assigned_scans", "region_code", "hub_id", "supplier_id",
]
SITE_ROWS = [
    # site_id, name, lat, lon, existing, open, fixed, mobile days, capacity, assigned,
    # region, hub, supplier
    ("S1", "Royal Marsden PET-CT", 51.4894, -0.1706, True, True, 2, 0, 9000, 7450, LDN, "H1", "F1"),
    ("S2", "Guy's & St Thomas'", 51.4980, -0.1181, True, True, 1, 0, 4500, 3900, LDN, "H1", "F1"),
    ("S3", XSS_SITE, 51.2802, 1.0789, False, True, 1, 0, 4500, 3100, SE, "H1", "F2"),
    ("S4", "Ipswich mobile", 52.0567, 1.1482, False, True, 0, 2, 1600, 1240, EOE, None, "F2"),
    ("S5", "Basingstoke mobile", 51.2665, -1.0924, True, True, 0, 3, 2400, 2010, SE, None, "F1"),
    ("S6", "Old Watford unit", 51.6565, -0.3903, True, False, 0, 0, 0, 0, EOE, None, None),
    ("S7", "Candidate Reading", 51.4543, -0.9781, False, False, 0, 0, 0, 0, SE, None, None),
]
DEMAND_COLUMNS = [
    "demand_id", "name", "region_code", "lat", "lon", "population", "scans", "unmet_scans",
    "nearest_static_minutes",
]
DEMAND_ROWS = [
    ("Z1", "Westminster", LDN, 51.4975, -0.1357, 211_000, 1900.0, 0.0, 12.0),
    ("Z2", "Southwark", LDN, 51.5035, -0.0804, 307_000, 2650.0, 0.0, 14.0),
    ("Z3", "Kensington", LDN, 51.5020, -0.1947, 143_000, 1300.0, 0.0, 10.0),
    ("Z4", "Canterbury", SE, 51.2802, 1.0789, 157_000, 1500.0, 0.0, 8.0),
    ("Z5", "Dover", SE, 51.1279, 1.3134, 116_000, 1100.0, 25.0, 38.0),
    ("Z6", "Isle of Sheppey", SE, 51.4000, 0.8300, 40_000, 330.0, 0.0, 35.0),
    ("Z7", "Tiny hamlet", SE, 51.3500, 0.5000, 800, 7.0, 0.0, 30.0),
    ("Z8", "Ipswich", EOE, 52.0567, 1.1482, 140_000, 1240.0, 0.0, 55.0),
    ("Z9", "Basingstoke", SE, 51.2665, -1.0924, 185_000, 1710.0, 0.0, 40.0),
    ("Z10", "Aldershot", SE, 51.2480, -0.7580, 37_000, 304.0, 4.0, 48.0),
]
ASSIGNMENT_COLUMNS = ["demand_id", "site_id", "scans", "minutes"]
ASSIGNMENT_ROWS = [
    ("Z1", "S1", 1900.0, 9.0),
    ("Z2", "S2", 2000.0, 8.0),
    ("Z2", "S1", 650.0, 15.0),  # a zone split across two sites: S2 is its main site
    ("Z3", "S1", 1300.0, 7.0),
    ("Z4", "S3", 1500.0, 6.0),
    ("Z5", "S3", 1075.0, 31.0),
    ("Z6", "S3", 330.0, 42.0),
    ("Z7", "S3", 7.0, 44.0),
    ("Z8", "S4", 1240.0, 5.0),
    ("Z9", "S5", 1710.0, 6.0),
    ("Z10", "S5", 300.0, 27.0),
]
REGION_COLUMNS = [
    "region_code", "region_name", "population", "demand_scans", "unmet_scans",
    "mean_travel_minutes", "share_within_60",
]
REGION_ROWS = [
    (LDN, "London", 8_799_800, 5850.0, 0.0, 9.5, 1.0),
    (SE, "South East", 9_278_100, 4951.0, 29.0, 27.1, 0.962),
    (EOE, XSS_REGION, 6_335_100, 1240.0, 0.0, 5.0, 0.88),
]
HUB_COLUMNS = [
    "hub_id", "name", "lat", "lon", "open", "linked_sites", "scanners", "trainee_load",
    "trainee_capacity", "network_scans",
]
HUB_ROWS = [
    ("H1", "London PET training hub", 51.4894, -0.1706, True, 3, 4, 2.5, 4.0, 14450),
    ("H2", "Kent hub (not opened)", 51.2802, 1.0789, False, 0, 0, 0.0, 2.0, 0),
]
SUPPLIER_COLUMNS = ["supplier_id", "name", "lat", "lon", "operator", "status", "sites_supplied"]
SUPPLIER_ROWS = [
    ("F1", "Mount Vernon cyclotron", 51.6167, -0.4431, XSS_OPERATOR, "operational", 3),
    ("F2", "Guildford radiopharmacy", 51.2362, -0.5704, "Alliance", "planned", 2),
]
# fmt: on


def region_shapes() -> gpd.GeoDataFrame:
    """Three toy rectangles standing in for London, the South East and the East of England."""
    return gpd.GeoDataFrame(
        {
            "region_code": ["E12000007", "E12000008", "E12000006"],
            "region_name": ["London", "South East", XSS_REGION],
            "population": [8_799_800, 9_278_100, 6_335_100],
        },
        geometry=[
            box(-0.51, 51.29, 0.33, 51.69),
            box(-1.9, 50.7, 1.45, 51.29),
            box(-0.51, 51.69, 1.8, 52.9),
        ],
        crs="EPSG:4326",
    )


def small_plan(*, status: str = "optimal", title: str = XSS_TITLE) -> Plan:
    """A plan of five open sites, one hub, two suppliers and ten demand zones."""

    sites = pd.DataFrame(SITE_ROWS, columns=SITE_COLUMNS)
    sites["utilisation"] = sites["assigned_scans"] / sites["capacity_scans"].replace(0, np.nan)
    demand = pd.DataFrame(DEMAND_ROWS, columns=DEMAND_COLUMNS)
    demand["assigned_scans"] = demand["scans"] - demand["unmet_scans"]
    assignments = pd.DataFrame(ASSIGNMENT_ROWS, columns=ASSIGNMENT_COLUMNS)
    regions = pd.DataFrame(REGION_ROWS, columns=REGION_COLUMNS)
    hubs = pd.DataFrame(HUB_ROWS, columns=HUB_COLUMNS)
    suppliers = pd.DataFrame(SUPPLIER_ROWS, columns=SUPPLIER_COLUMNS)

    open_sites = sites[sites["open"]]
    summary = {
        "scenario": "south_east_fixture",
        "title": title,
        "status": status,
        "mip_gap": 0.0 if status == "optimal" else 0.0132,
        "sites_open": int(len(open_sites)),
        "scanners_fixed": int(open_sites["fixed_scanners"].sum()),
        "mobile_days_per_week": float(open_sites["mobile_days"].sum()),
        "demand_scans": float(demand["scans"].sum()),
        "unmet_scans": float(demand["unmet_scans"].sum()),
        "mean_travel_minutes": 17.4,
        "share_within_minutes": {"30": 0.71, "45": 0.86, "60": 0.955, "90": 0.999},
        "access_target_minutes": 60,
        "access_target_share": 0.98,
    }
    return Plan(
        summary=summary,
        sites=sites,
        assignments=assignments,
        demand=demand,
        regions=regions,
        hubs=hubs,
        suppliers=suppliers,
    )


def alternative_plan() -> Plan:
    """``small_plan`` as the optimiser might redraw it: S3 closed, Reading (S7) opened."""
    plan = small_plan(title="Optimised South East network")
    sites = plan.sites.copy()
    sites.loc[sites["site_id"] == "S3", ["open", "fixed_scanners", "capacity_scans"]] = [
        False, 0, 0,
    ]  # fmt: skip
    sites.loc[sites["site_id"] == "S3", ["assigned_scans", "utilisation"]] = [0, np.nan]
    sites.loc[sites["site_id"] == "S7", ["open", "fixed_scanners", "capacity_scans"]] = [
        True, 1, 4500,
    ]  # fmt: skip
    sites.loc[sites["site_id"] == "S7", "assigned_scans"] = 3050
    plan.sites = sites
    plan.assignments = plan.assignments.replace({"site_id": {"S3": "S7"}})
    regions = plan.regions.copy()
    regions.loc[regions["region_code"] == "E12000008", "share_within_60"] = 0.975
    plan.regions = regions
    plan.summary = {**plan.summary, "share_within_minutes": {"30": 0.7, "45": 0.85, "60": 0.97,
                                                             "90": 1.0}}  # fmt: skip
    return plan
