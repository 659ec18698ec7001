"""Small, realistic :class:`~planner.plan.Plan` objects built directly, for map tests.

``small_plan()`` is a South-East-of-England plan with every kind of object a map draws: existing
and new, static and mobile sites, an existing site the plan closes, a candidate it does not open,
an open and a closed training hub, two FDG suppliers, ten demand zones (one with 7 scans, some
with unmet scans) and three regions. Data strings carry HTML/JS injection attempts, so tests can
check that the maps escape them. ``region_shapes()`` gives matching toy polygons, so these tests
need no embedded dataset. ``national_plan(n_zones)`` is a synthetic England-wide plan of any size
for size and load-time checks.
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

    sites = pd.DataFrame(
        [
            # site_id, name, lat, lon, existing, open, fixed, mobile days, capacity, assigned,
            # region, hub, supplier
            (
                "S1",
                "Royal Marsden PET-CT",
                51.4894,
                -0.1706,
                True,
                True,
                2,
                0,
                9000,
                7450,
                "E12000007",
                "H1",
                "F1",
            ),
            (
                "S2",
                "Guy's & St Thomas'",
                51.4980,
                -0.1181,
                True,
                True,
                1,
                0,
                4500,
                3900,
                "E12000007",
                "H1",
                "F1",
            ),
            (
                "S3",
                XSS_SITE,
                51.2802,
                1.0789,
                False,
                True,
                1,
                0,
                4500,
                3100,
                "E12000008",
                "H1",
                "F2",
            ),
            (
                "S4",
                "Ipswich mobile",
                52.0567,
                1.1482,
                False,
                True,
                0,
                2,
                1600,
                1240,
                "E12000006",
                None,
                "F2",
            ),
            (
                "S5",
                "Basingstoke mobile",
                51.2665,
                -1.0924,
                True,
                True,
                0,
                3,
                2400,
                2010,
                "E12000008",
                None,
                "F1",
            ),
            (
                "S6",
                "Old Watford unit",
                51.6565,
                -0.3903,
                True,
                False,
                0,
                0,
                0,
                0,
                "E12000006",
                None,
                None,
            ),
            (
                "S7",
                "Candidate Reading",
                51.4543,
                -0.9781,
                False,
                False,
                0,
                0,
                0,
                0,
                "E12000008",
                None,
                None,
            ),
        ],  # fmt: skip
        columns=[
            "site_id",
            "name",
            "lat",
            "lon",
            "existing",
            "open",
            "fixed_scanners",
            "mobile_days",
            "capacity_scans",
            "assigned_scans",
            "region_code",
            "hub_id",
            "supplier_id",
        ],  # fmt: skip
    )
    sites["utilisation"] = sites["assigned_scans"] / sites["capacity_scans"].replace(0, np.nan)

    demand = pd.DataFrame(
        [
            ("Z1", "Westminster", "E12000007", 51.4975, -0.1357, 211_000, 1900.0, 0.0, 12.0),
            ("Z2", "Southwark", "E12000007", 51.5035, -0.0804, 307_000, 2650.0, 0.0, 14.0),
            ("Z3", "Kensington", "E12000007", 51.5020, -0.1947, 143_000, 1300.0, 0.0, 10.0),
            ("Z4", "Canterbury", "E12000008", 51.2802, 1.0789, 157_000, 1500.0, 0.0, 8.0),
            ("Z5", "Dover", "E12000008", 51.1279, 1.3134, 116_000, 1100.0, 25.0, 38.0),
            ("Z6", "Isle of Sheppey", "E12000008", 51.4000, 0.8300, 40_000, 330.0, 0.0, 35.0),
            ("Z7", "Tiny hamlet", "E12000008", 51.3500, 0.5000, 800, 7.0, 0.0, 30.0),
            ("Z8", "Ipswich", "E12000006", 52.0567, 1.1482, 140_000, 1240.0, 0.0, 55.0),
            ("Z9", "Basingstoke", "E12000008", 51.2665, -1.0924, 185_000, 1710.0, 0.0, 40.0),
            ("Z10", "Aldershot", "E12000008", 51.2480, -0.7580, 37_000, 304.0, 4.0, 48.0),
        ],
        columns=[
            "demand_id",
            "name",
            "region_code",
            "lat",
            "lon",
            "population",
            "scans",
            "unmet_scans",
            "nearest_static_minutes",
        ],  # fmt: skip
    )
    demand["assigned_scans"] = demand["scans"] - demand["unmet_scans"]

    assignments = pd.DataFrame(
        [
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
        ],
        columns=["demand_id", "site_id", "scans", "minutes"],
    )

    regions = pd.DataFrame(
        [
            ("E12000007", "London", 8_799_800, 5850.0, 0.0, 9.5, 1.0),
            ("E12000008", "South East", 9_278_100, 4951.0, 29.0, 27.1, 0.962),
            ("E12000006", XSS_REGION, 6_335_100, 1240.0, 0.0, 5.0, 0.88),
        ],
        columns=[
            "region_code",
            "region_name",
            "population",
            "demand_scans",
            "unmet_scans",
            "mean_travel_minutes",
            "share_within_60",
        ],  # fmt: skip
    )

    hubs = pd.DataFrame(
        [
            ("H1", "London PET training hub", 51.4894, -0.1706, True, 3, 4, 2.5, 4.0, 14450),
            ("H2", "Kent hub (not opened)", 51.2802, 1.0789, False, 0, 0, 0.0, 2.0, 0),
        ],
        columns=[
            "hub_id",
            "name",
            "lat",
            "lon",
            "open",
            "linked_sites",
            "scanners",
            "trainee_load",
            "trainee_capacity",
            "network_scans",
        ],  # fmt: skip
    )
    suppliers = pd.DataFrame(
        [
            ("F1", "Mount Vernon cyclotron", 51.6167, -0.4431, XSS_OPERATOR, "operational", 3),
            ("F2", "Guildford radiopharmacy", 51.2362, -0.5704, "Alliance", "planned", 2),
        ],
        columns=["supplier_id", "name", "lat", "lon", "operator", "status", "sites_supplied"],
    )

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
    sites.loc[sites["site_id"] == "S3", "open"] = False
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


def national_plan(n_zones: int = 3000, n_sites: int = 120, seed: int = 7) -> Plan:
    """A synthetic England-wide plan: ``n_zones`` zones over the nine ONS regions' extent.

    Zones lie in a box around England (some fall in the sea: the maps do not care); each is
    assigned to its nearest open site, with travel minutes from straight-line distance.
    """

    rng = np.random.default_rng(seed)
    codes = [f"E1200000{i}" for i in range(1, 10)]
    lat = rng.uniform(50.5, 55.0, n_zones)
    lon = rng.uniform(-3.5, 1.5, n_zones)
    scans = np.round(rng.lognormal(3.5, 1.3, n_zones))
    unmet = np.where(rng.uniform(size=n_zones) < 0.03, np.round(scans * 0.3), 0.0)
    demand = pd.DataFrame(
        {
            "demand_id": [f"Z{i}" for i in range(n_zones)],
            "name": [f"Place {i}" for i in range(n_zones)],
            "region_code": rng.choice(codes, n_zones),
            "lat": lat,
            "lon": lon,
            "population": np.round(scans * 400),
            "scans": scans,
            "unmet_scans": unmet,
            "nearest_static_minutes": rng.uniform(5, 120, n_zones).round(1),
        }
    )
    demand["assigned_scans"] = demand["scans"] - demand["unmet_scans"]
    site_lat = rng.uniform(50.6, 54.9, n_sites)
    site_lon = rng.uniform(-3.4, 1.4, n_sites)
    static = rng.uniform(size=n_sites) < 0.8
    sites = pd.DataFrame(
        {
            "site_id": [f"S{j}" for j in range(n_sites)],
            "name": [f"Hospital {j}" for j in range(n_sites)],
            "lat": site_lat,
            "lon": site_lon,
            "existing": rng.uniform(size=n_sites) < 0.6,
            "open": True,
            "fixed_scanners": np.where(static, rng.integers(1, 4, n_sites), 0),
            "mobile_days": np.where(static, 0, rng.integers(1, 6, n_sites)),
            "region_code": rng.choice(codes, n_sites),
            "hub_id": [f"H{j % 10}" for j in range(n_sites)],
            "supplier_id": [f"F{j % 8}" for j in range(n_sites)],
        }
    )
    sites["capacity_scans"] = sites["fixed_scanners"] * 4500 + sites["mobile_days"] * 800
    d2 = (lat[:, None] - site_lat[None, :]) ** 2 + (
        (lon[:, None] - site_lon[None, :]) * np.cos(np.radians(52.5))
    ) ** 2
    nearest = d2.argmin(axis=1)
    minutes = np.sqrt(d2[np.arange(n_zones), nearest]) * 111 / 60 * 60 * 1.3
    assignments = pd.DataFrame(
        {
            "demand_id": demand["demand_id"],
            "site_id": sites["site_id"].to_numpy()[nearest],
            "scans": demand["assigned_scans"],
            "minutes": minutes.round(1),
        }
    )
    assigned = assignments.groupby("site_id")["scans"].sum()
    sites["assigned_scans"] = sites["site_id"].map(assigned).fillna(0.0)
    sites["utilisation"] = sites["assigned_scans"] / sites["capacity_scans"]
    regions = pd.DataFrame(
        {
            "region_code": codes,
            "region_name": [f"Region {c[-1]}" for c in codes],
            "population": demand.groupby("region_code")["population"].sum().reindex(codes).values,
            "demand_scans": demand.groupby("region_code")["scans"].sum().reindex(codes).values,
            "unmet_scans": demand.groupby("region_code")["unmet_scans"].sum().reindex(codes).values,
            "mean_travel_minutes": rng.uniform(15, 45, 9).round(1),
            "share_within_60": rng.uniform(0.85, 1.0, 9).round(3),
        }
    )
    hub_sites = sites.groupby("hub_id").first()
    hubs = pd.DataFrame(
        {
            "hub_id": hub_sites.index,
            "name": [f"Training hub {h}" for h in hub_sites.index],
            "lat": hub_sites["lat"].values,
            "lon": hub_sites["lon"].values,
            "open": True,
            "linked_sites": sites.groupby("hub_id").size().values,
            "scanners": sites.groupby("hub_id")["fixed_scanners"].sum().values,
            "trainee_load": 3.0,
            "trainee_capacity": 4.0,
            "network_scans": sites.groupby("hub_id")["assigned_scans"].sum().values,
        }
    )
    suppliers = pd.DataFrame(
        {
            "supplier_id": [f"F{k}" for k in range(8)],
            "name": [f"Cyclotron {k}" for k in range(8)],
            "lat": rng.uniform(51, 54.5, 8),
            "lon": rng.uniform(-2.8, 0.8, 8),
            "operator": "Alliance Medical",
            "status": "operational",
            "sites_supplied": sites.groupby("supplier_id").size().values,
        }
    )
    summary = {
        "scenario": "national_synthetic",
        "title": f"Synthetic England network, {n_zones:,} zones",
        "status": "optimal",
        "mip_gap": 0.0,
        "sites_open": n_sites,
        "scanners_fixed": int(sites["fixed_scanners"].sum()),
        "mobile_days_per_week": float(sites["mobile_days"].sum()),
        "demand_scans": float(demand["scans"].sum()),
        "unmet_scans": float(demand["unmet_scans"].sum()),
        "mean_travel_minutes": float(assignments["minutes"].mean()),
        "share_within_minutes": {"30": 0.6, "45": 0.8, "60": 0.93, "90": 0.99},
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


def embedded_plan() -> Plan:
    """A realistic national plan on the embedded England dataset, built without solving.

    All 2,963 demand zones, the named PET-CT sites kept open (scanner counts unknown in the data
    count as one), four candidate towns opened as new static sites and two as mobile stops; each
    zone goes to its nearest open site (road minutes approximated as 1.3 times the straight line at
    60 km/h), each site trains at its nearest hub and takes FDG from its nearest active supplier.
    """
    from planner.data import embedded as datasets

    zones = datasets.load_demand_zones()
    existing = datasets.load_sites()
    candidates = datasets.load_candidate_sites().iloc[[0, 10, 20, 30, 40, 50]]
    hubs = datasets.load_hubs()
    suppliers = datasets.load_suppliers()

    scanners = existing["scanners"].fillna(1).astype(int).to_numpy()
    sites = pd.concat([existing, candidates], ignore_index=True)
    n_new = len(candidates)
    sites = pd.DataFrame(
        {
            "site_id": sites["site_id"].astype(str),
            "name": sites["name"].astype(str),
            "lat": sites["lat"],
            "lon": sites["lon"],
            "region_code": sites["region_code"].astype(str),
            "existing": [True] * len(existing) + [False] * n_new,
            "open": True,
            "fixed_scanners": list(scanners) + [1, 1, 1, 1, 0, 0],
            "mobile_days": [0] * len(existing) + [0, 0, 0, 0, 2, 3],
        }
    )
    sites["capacity_scans"] = sites["fixed_scanners"] * 5000 + sites["mobile_days"] * 12 * 50

    def km(lat1, lon1, lat2, lon2):
        dlat = np.radians(np.subtract.outer(np.asarray(lat1), np.asarray(lat2)))
        dlon = np.radians(np.subtract.outer(np.asarray(lon1), np.asarray(lon2)))
        return 6371 * np.hypot(dlat, dlon * np.cos(np.radians(52.5)))

    distance = km(zones["lat"], zones["lon"], sites["lat"], sites["lon"])
    nearest = distance.argmin(axis=1)
    minutes = distance[np.arange(len(zones)), nearest] * 1.3
    static = sites["fixed_scanners"].to_numpy() > 0
    static_minutes = distance[:, static].min(axis=1) * 1.3
    scans = zones["population"].to_numpy() * 3540e-6 * 1.2763  # 5 years of 5% growth
    demand = pd.DataFrame(
        {
            "demand_id": zones["zone_id"].astype(str),
            "name": zones["name"].astype(str),
            "region_code": zones["region_code"].astype(str),
            "lat": zones["lat"],
            "lon": zones["lon"],
            "population": zones["population"],
            "scans": scans,
            "assigned_scans": scans,
            "unmet_scans": 0.0,
            "nearest_static_minutes": static_minutes,
        }
    )
    # Remote zones beyond 90 minutes are left unserved, so the map has some unmet demand.
    remote = static_minutes > 90
    demand.loc[remote, "unmet_scans"] = demand.loc[remote, "scans"]
    demand.loc[remote, "assigned_scans"] = 0.0
    assignments = pd.DataFrame(
        {
            "demand_id": demand["demand_id"],
            "site_id": sites["site_id"].to_numpy()[nearest],
            "scans": demand["assigned_scans"],
            "minutes": minutes,
        }
    )[~remote]
    sites["assigned_scans"] = sites["site_id"].map(assignments.groupby("site_id")["scans"].sum())
    sites["assigned_scans"] = sites["assigned_scans"].fillna(0.0)
    sites["utilisation"] = sites["assigned_scans"] / sites["capacity_scans"]
    sites["hub_id"] = hubs["hub_id"].to_numpy()[
        km(sites["lat"], sites["lon"], hubs["lat"], hubs["lon"]).argmin(axis=1)
    ]
    active = suppliers[suppliers["status"] == "active"]
    sites["supplier_id"] = active["supplier_id"].to_numpy()[
        km(sites["lat"], sites["lon"], active["lat"], active["lon"]).argmin(axis=1)
    ]

    regions_geo = datasets.load_regions()
    within = demand.assign(
        w60=demand["population"] * (demand["nearest_static_minutes"] <= 60),
        wmin=demand["assigned_scans"] * demand["region_code"].map(lambda _: 1.0),
    )
    zone_minutes = demand["demand_id"].map(assignments.set_index("demand_id")["minutes"])
    within["tmin"] = zone_minutes.fillna(0) * demand["assigned_scans"]
    by_region = within.groupby("region_code")
    regions = pd.DataFrame(
        {
            "region_code": regions_geo["region_code"].astype(str),
            "region_name": regions_geo["region_name"].astype(str),
            "population": regions_geo["population"].astype(float),
        }
    )
    codes = regions["region_code"]
    regions["demand_scans"] = codes.map(by_region["scans"].sum()).to_numpy()
    regions["unmet_scans"] = codes.map(by_region["unmet_scans"].sum()).to_numpy()
    regions["mean_travel_minutes"] = codes.map(
        by_region["tmin"].sum() / by_region["assigned_scans"].sum()
    ).to_numpy()
    regions["share_within_60"] = codes.map(
        by_region["w60"].sum() / by_region["population"].sum()
    ).to_numpy()

    hub_sites = sites.groupby("hub_id")
    hubs_table = pd.DataFrame(
        {
            "hub_id": hubs["hub_id"].astype(str),
            "name": hubs["name"].astype(str),
            "lat": hubs["lat"],
            "lon": hubs["lon"],
        }
    )
    hubs_table["open"] = hubs_table["hub_id"].isin(hub_sites.groups)
    hubs_table["linked_sites"] = hubs_table["hub_id"].map(hub_sites.size()).fillna(0)
    hubs_table["scanners"] = hubs_table["hub_id"].map(hub_sites["fixed_scanners"].sum()).fillna(0)
    hubs_table["trainee_load"] = hubs_table["scanners"] * 0.5
    hubs_table["trainee_capacity"] = 4.0
    hubs_table["network_scans"] = hubs_table["hub_id"].map(hub_sites["assigned_scans"].sum())
    supplier_table = pd.DataFrame(
        {
            "supplier_id": suppliers["supplier_id"].astype(str),
            "name": suppliers["name"].astype(str),
            "lat": suppliers["lat"],
            "lon": suppliers["lon"],
            "operator": suppliers["operator"].astype(str),
            "status": suppliers["status"].astype(str),
        }
    )
    supplier_table["sites_supplied"] = (
        supplier_table["supplier_id"].map(sites.groupby("supplier_id").size()).fillna(0)
    )
    population = demand["population"].sum()
    served = demand["assigned_scans"].sum()
    summary = {
        "scenario": "embedded_nearest",
        "title": "England PET-CT network: existing sites plus six new (illustrative)",
        "status": "optimal",
        "mip_gap": 0.0,
        "sites_open": int(len(sites)),
        "scanners_fixed": int(sites["fixed_scanners"].sum()),
        "mobile_days_per_week": float(sites["mobile_days"].sum()),
        "demand_scans": float(demand["scans"].sum()),
        "unmet_scans": float(demand["unmet_scans"].sum()),
        "mean_travel_minutes": float(within["tmin"].sum() / served),
        "share_within_minutes": {
            str(t): float(demand.loc[static_minutes <= t, "population"].sum() / population)
            for t in (30, 45, 60, 90)
        },
        "access_target_minutes": 60,
        "access_target_share": 0.98,
    }
    return Plan(
        summary=summary,
        sites=sites,
        assignments=assignments.reset_index(drop=True),
        demand=demand,
        regions=regions,
        hubs=hubs_table,
        suppliers=supplier_table,
    )
