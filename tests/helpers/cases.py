"""Small network instances and an independent brute-force solver for them.

The brute force enumerates every combination of static scanners and mobile days per site and,
for each, solves the remaining transportation problem (which zone's scans go where) with
``scipy.optimize.linprog``; the cheapest combination that meets the access target is the
reference optimum. It shares no code with :mod:`planner.network`.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from planner.data.travel import TravelMatrix
from planner.defaults import annuity_factor
from planner.scenario import Scenario


def make_instance(seed: int, n_zones: int = 5, n_sites: int = 3):
    """Random zones and sites with a dense-but-capped travel matrix (some pairs unreachable)."""
    rng = np.random.default_rng(seed)
    zones = pd.DataFrame(
        {
            "zone_id": [f"Z{i}" for i in range(n_zones)],
            "name": [f"zone {i}" for i in range(n_zones)],
            "region_code": ["R1" if i % 2 else "R2" for i in range(n_zones)],
            "lat": 52.0 + rng.uniform(0, 1, n_zones),
            "lon": -1.0 + rng.uniform(0, 1, n_zones),
            "population": rng.integers(100_000, 900_000, n_zones).astype(float),
        }
    )
    zones["scans"] = rng.integers(500, 4000, n_zones).astype(float)
    existing = np.arange(n_sites) == 0
    sites = pd.DataFrame(
        {
            "site_id": [f"S{j}" for j in range(n_sites)],
            "name": [f"site {j}" for j in range(n_sites)],
            "region_code": "R1",
            "lat": 52.0 + rng.uniform(0, 1, n_sites),
            "lon": -1.0 + rng.uniform(0, 1, n_sites),
            "existing": existing,
            "existing_scanners": existing.astype(int),
            "existing_kind": np.where(existing, "fixed", ""),
        }
    )
    minutes = rng.uniform(5, 140, (n_zones, n_sites)).round(1)
    o, d = np.nonzero(minutes <= 120)
    travel = TravelMatrix(
        zones["zone_id"].to_numpy(str),
        sites["site_id"].to_numpy(str),
        o.astype(np.int32),
        d.astype(np.int32),
        minutes[o, d],
        source="test",
    )
    return zones, sites, travel


def scenario(**sections) -> Scenario:
    base = {
        "scenario": {"name": "test", "title": "test"},
        "capacity": {
            "fixed_scans_per_year": 3000,
            "mobile_scans_per_day": 12,
            "mobile_max_days_per_site": 1,
            "max_scanners_per_site": 2,
        },
        "solver": {"mip_gap": 0.0, "time_limit": 60},
    }
    for key, value in sections.items():
        base[key] = {**base.get(key, {}), **value}
    return Scenario.from_dict(base)


def two_towns(**sections):
    """Two towns 100 minutes apart, a candidate site in each (10 minutes from its town).

    Each town needs 2,500 scans a year; a scanner does 5,000. One site with one scanner serves
    both towns if the 90 extra minutes for 2,500 scans cost less than a second site.
    """
    zones = pd.DataFrame(
        {
            "zone_id": ["A", "B"],
            "name": ["Town A", "Town B"],
            "region_code": ["R1", "R1"],
            "lat": [52.0, 53.0],
            "lon": [-1.0, -1.0],
            "population": [700_000.0, 700_000.0],
            "scans": [2500.0, 2500.0],
        }
    )
    sites = pd.DataFrame(
        {
            "site_id": ["SA", "SB"],
            "name": ["Site A", "Site B"],
            "region_code": ["R1", "R1"],
            "lat": [52.0, 53.0],
            "lon": [-1.0, -1.0],
            "existing": [False, False],
            "existing_scanners": [0, 0],
            "existing_kind": ["", ""],
        }
    )
    travel = TravelMatrix(
        np.array(["A", "B"]),
        np.array(["SA", "SB"]),
        np.array([0, 0, 1, 1], dtype=np.int32),
        np.array([0, 1, 0, 1], dtype=np.int32),
        np.array([10.0, 110.0, 110.0, 10.0]),
    )
    base = {
        "capacity": {"fixed_scans_per_year": 5000, "allow_mobile": False},
        "costs": {
            "scanner_capital": 0,
            "scanner_operating": 1_000_000,
            "site_installation": 0,
            "site_annual": 100_000,
        },
        "access": {"enforce": False},
    }
    for key, value in sections.items():
        base[key] = {**base[key], **value} if key in base else value
    return zones, sites, travel, scenario(**base)


def brute_force(zones, sites, travel, sc: Scenario) -> dict:
    """Optimal cost and decisions by enumeration (see module docstring)."""
    c, cap = sc.costs, sc.capacity
    ann = annuity_factor(c.capital_years, c.discount_rate)
    scanner_cost = c.scanner_capital * ann + c.scanner_operating
    install = c.site_installation * ann
    day_cost = c.mobile_day_operating * cap.weeks_per_year
    unit_cost = c.mobile_unit_capital * ann
    F = cap.fixed_scans_per_year
    D = cap.mobile_scans_per_day * cap.weeks_per_year
    nz, ns = len(zones), len(sites)
    existing_n = sites["existing_scanners"].to_numpy(int)
    is_existing = sites["existing"].to_numpy(bool)
    policy = sc.existing.policy
    max_days = cap.mobile_max_days_per_site if cap.allow_mobile else 0
    scans = zones["scans"].to_numpy(float)
    pop = zones["population"].to_numpy(float)
    o, d, t = travel.origin, travel.destination, travel.minutes
    keep = t <= sc.travel.max_minutes
    o, d, t = o[keep], d[keep], t[keep]
    best = {"cost": np.inf}
    choices = []
    for j in range(ns):
        lo = existing_n[j] if policy in ("keep", "may_expand") else 0
        hi = (
            existing_n[j]
            if (policy == "keep" and is_existing[j])
            else max(existing_n[j], cap.max_scanners_per_site)
        )
        choices.append([(nn, mm) for nn in range(lo, hi + 1) for mm in range(max_days + 1)])
    for combo in itertools.product(*choices):
        n = np.array([cmb[0] for cmb in combo])
        m = np.array([cmb[1] for cmb in combo])
        is_open = (n > 0) | (m > 0)
        if policy in ("keep", "may_expand") and not is_open[is_existing].all():
            continue
        if sc.limits.max_sites is not None and is_open.sum() > sc.limits.max_sites:
            continue
        if sc.limits.max_scanners is not None and n.sum() > sc.limits.max_scanners:
            continue
        static = n > 0
        if sc.access.enforce:
            near = np.zeros(nz, bool)
            sel = (t <= sc.access.minutes) & static[d]
            near[o[sel]] = True
            if pop[near].sum() / pop.sum() < sc.access.share - 1e-9:
                continue
        units = int(np.ceil(m.sum() / cap.mobile_days_per_unit))
        fixed = (
            n.sum() * scanner_cost
            + (static & (existing_n == 0)).sum() * install
            + is_open.sum() * c.site_annual
            + m.sum() * day_cost
            + units * unit_cost
        )
        if sc.limits.budget is not None and fixed > sc.limits.budget + 1e-6:
            continue
        if fixed >= best["cost"]:
            continue
        # transportation LP: variables x (pairs) then u (zones)
        npairs = len(t)
        cost_vec = np.concatenate(
            [c.travel_cost_per_minute * t, np.full(nz, c.unmet_penalty_per_scan)]
        )
        a_eq = np.zeros((nz, npairs + nz))
        a_eq[o, np.arange(npairs)] = 1.0
        a_eq[np.arange(nz), npairs + np.arange(nz)] = 1.0
        a_ub = np.zeros((ns, npairs + nz))
        a_ub[d, np.arange(npairs)] = 1.0
        res = linprog(
            cost_vec,
            A_ub=a_ub,
            b_ub=n * F + m * D,
            A_eq=a_eq,
            b_eq=scans,
            bounds=(0, None),
            method="highs",
        )
        assert res.status == 0
        total = fixed + res.fun
        if total < best["cost"] - 1e-6:
            best = {"cost": total, "n": n, "m": m, "unmet": res.x[npairs:].sum()}
    return best
