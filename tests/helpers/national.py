"""England-wide :class:`~planner.plan.Plan` objects built directly, for map size and load tests.

``national_plan(n_zones)`` is a synthetic England-wide plan of any size; ``embedded_plan()`` is a
realistic one on the embedded England dataset, built without solving. The small hand-written
plan is in :mod:`tests.helpers.plans`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.plan import Plan


def national_plan(n_zones: int = 3000, n_sites: int = 120, seed: int = 7) -> Plan:
    """A synthetic England-wide plan: ``n_zones`` zones over the nine ONS regions' extent.

    Zones lie in a box around England (some fall in the sea: the maps do not care); each is
    assigned to its nearest open site, with travel minutes from straight-line distance.
    """

    rng = np.random.default_rng(seed)
    codes = [f"E1200000{i}" for i in range(1, 10)]
    demand = _synthetic_demand(rng, n_zones, codes)
    sites = _synthetic_sites(rng, n_sites, codes)
    lat, lon = demand["lat"].to_numpy(), demand["lon"].to_numpy()
    site_lat, site_lon = sites["lat"].to_numpy(), sites["lon"].to_numpy()
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
    regions = _synthetic_regions(rng, demand, codes)
    hubs = _synthetic_hubs(sites)
    suppliers = _synthetic_suppliers(rng, sites)
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


def _synthetic_demand(rng: np.random.Generator, n_zones: int, codes: list[str]) -> pd.DataFrame:
    """``national_plan``'s zones (draws from ``rng`` in a fixed order: keep it)."""
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
    return demand


def _synthetic_sites(rng: np.random.Generator, n_sites: int, codes: list[str]) -> pd.DataFrame:
    """``national_plan``'s sites, all open, before assignment (fixed ``rng`` order)."""
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
    return sites


def _synthetic_regions(
    rng: np.random.Generator, demand: pd.DataFrame, codes: list[str]
) -> pd.DataFrame:
    by_region = demand.groupby("region_code")
    return pd.DataFrame(
        {
            "region_code": codes,
            "region_name": [f"Region {c[-1]}" for c in codes],
            "population": by_region["population"].sum().reindex(codes).values,
            "demand_scans": by_region["scans"].sum().reindex(codes).values,
            "unmet_scans": by_region["unmet_scans"].sum().reindex(codes).values,
            "mean_travel_minutes": rng.uniform(15, 45, 9).round(1),
            "share_within_60": rng.uniform(0.85, 1.0, 9).round(3),
        }
    )


def _synthetic_hubs(sites: pd.DataFrame) -> pd.DataFrame:
    hub_sites = sites.groupby("hub_id").first()
    return pd.DataFrame(
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


def _synthetic_suppliers(rng: np.random.Generator, sites: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
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

    sites = _embedded_sites(existing, candidates)
    demand, assignments, static_minutes = _nearest_site_demand(zones, sites)
    sites["assigned_scans"] = sites["site_id"].map(assignments.groupby("site_id")["scans"].sum())
    sites["assigned_scans"] = sites["assigned_scans"].fillna(0.0)
    sites["utilisation"] = sites["assigned_scans"] / sites["capacity_scans"]
    sites["hub_id"] = hubs["hub_id"].to_numpy()[
        _km(sites["lat"], sites["lon"], hubs["lat"], hubs["lon"]).argmin(axis=1)
    ]
    active = suppliers[suppliers["status"] == "active"]
    sites["supplier_id"] = active["supplier_id"].to_numpy()[
        _km(sites["lat"], sites["lon"], active["lat"], active["lon"]).argmin(axis=1)
    ]

    regions, within = _embedded_regions(datasets.load_regions(), demand, assignments)
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
        hubs=_embedded_hubs(hubs, sites),
        suppliers=_embedded_suppliers(suppliers, sites),
    )


def _km(lat1, lon1, lat2, lon2):
    """Kilometres between every pair of points (equirectangular, at England's mid-latitude)."""
    dlat = np.radians(np.subtract.outer(np.asarray(lat1), np.asarray(lat2)))
    dlon = np.radians(np.subtract.outer(np.asarray(lon1), np.asarray(lon2)))
    return 6371 * np.hypot(dlat, dlon * np.cos(np.radians(52.5)))


def _embedded_sites(existing: pd.DataFrame, candidates: pd.DataFrame) -> pd.DataFrame:
    """The existing sites plus six candidates (four static, two mobile), all open."""
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
    return sites


def _nearest_site_demand(zones: pd.DataFrame, sites: pd.DataFrame):
    """Demand, assignments to the nearest site and minutes to the nearest static site."""
    distance = _km(zones["lat"], zones["lon"], sites["lat"], sites["lon"])
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
    return demand, assignments, static_minutes


def _embedded_regions(regions_geo, demand: pd.DataFrame, assignments: pd.DataFrame):
    """The regions table, and the zones with their weighted sums (``tmin``: scan-minutes)."""
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
    return regions, within


def _embedded_hubs(hubs: pd.DataFrame, sites: pd.DataFrame) -> pd.DataFrame:
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
    return hubs_table


def _embedded_suppliers(suppliers: pd.DataFrame, sites: pd.DataFrame) -> pd.DataFrame:
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
    return supplier_table
