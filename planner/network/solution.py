"""From a solved network model to a :class:`~planner.plan.Plan`: tables and headline figures.

The core part (sites, assignments, demand zones, regions, costs, access and travel figures) is
read here from the final planning year's columns; each extension then adds its own part
(:meth:`planner.network.extensions.base.Extension.to_plan`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from planner import settings
from planner.analysis import figures
from planner.analysis.access import area_table, region_table, share_within, travel_statistics
from planner.analysis.equity import DECILE_COLUMN, deprivation_table
from planner.data import embedded
from planner.network.context import ModelContext
from planner.network.core import Period
from planner.optimise.solver import SolveReport
from planner.plan import REPORTED_THRESHOLDS, Plan


def plan_from_solution(
    context: ModelContext,
    periods: list[Period],
    solution: np.ndarray,
    report: SolveReport,
    states: dict[str, Any],
    model_size: dict | None = None,
    build_seconds: float | None = None,
    assignment: tuple[np.ndarray, np.ndarray] | None = None,
) -> Plan:
    """The plan a solution gives: its final planning year, as tables and headline figures.

    Parameters
    ----------
    context
        What the model was built from.
    periods
        The planning years' column indices.
    solution
        Column values.
    report
        The solver's status, objective, bound and gap.
    states
        What each extension's ``add_network`` returned, by extension name.
    model_size, build_seconds
        Recorded in the summary.
    assignment
        The final year's scans on each pair and unmet scans of each zone, when they are not
        columns of ``solution`` (a decomposition's master has none).
    """
    final = periods[-1]
    n = np.rint(solution[final.n]).astype(int)
    m = np.rint(solution[final.m]).astype(int)
    x, unmet = (solution[final.x], solution[final.unmet]) if assignment is None else assignment
    x, unmet = np.clip(x, 0.0, None), np.clip(unmet, 0.0, None)
    fleet = int(round(solution[final.fleet][0]))
    sites = _site_table(context, n, m, x)
    assignments = _assignments(context, x)
    demand = _demand_table(context, final, n > 0, x, unmet)
    summary = {
        **_solver_figures(context, report, build_seconds),
        **_network_figures(context, sites, fleet),
        **_demand_figures(context, final, demand, assignments, x, sites["capacity_scans"]),
        "objective_scope": "one year" if len(periods) == 1 else "discounted total",
    }
    # Yearly figures of the plan year; with phasing, "objective" is instead the discounted
    # total over all planning years. Extensions add their parts (training hubs) to "costs".
    summary["costs"] = _cost_breakdown(context, sites, fleet, x, unmet)
    summary["travel_scan_minutes"] = float(x @ context.inputs.travel.minutes)
    summary["model_size"] = model_size
    summary["travel_source"] = context.inputs.travel.source
    summary["planner_version"] = settings.VERSION
    regions = region_table(
        demand, assignments, context.inputs.region_names, context.scenario.access.minutes
    )
    areas = area_table(demand, assignments, _area_names(context), context.scenario.access.minutes)
    plan = Plan(
        summary=summary,
        sites=sites,
        assignments=assignments,
        demand=demand,
        regions=regions,
        areas=areas,
        equity=(
            deprivation_table(demand, assignments, context.scenario.access.minutes)
            if DECILE_COLUMN in demand
            else None
        ),
    )
    for ext in context.extensions:
        ext.to_plan(plan, context, solution, periods, states.get(ext.name))
    plan.summary.update(_board_figures(context, plan.sites, plan.summary))
    return plan


def _board_figures(context: ModelContext, sites: pd.DataFrame, summary: dict) -> dict[str, Any]:
    """The cost totals and their basis, today against the plan, one-off capital, headroom."""
    c, costs = context.scenario.costs, summary["costs"]
    today, changes = figures.today_and_changes(sites)
    new_static = int(((sites["fixed_scanners"] > 0) & ~(sites["existing_scanners"] > 0)).sum())
    return {
        "annual_cost": figures.service_cost(costs),
        "total_cost": figures.total_cost(costs),
        "cost_basis": {
            **{f"{k}_yearly": v for k, v in context.costs.items()},
            "scanner_capital": c.scanner_capital,
            "scanner_operating": c.scanner_operating,
            "site_installation": c.site_installation,
            "mobile_unit_capital": c.mobile_unit_capital,
            "mobile_day_operating": c.mobile_day_operating,
            "weeks_per_year": context.scenario.capacity.weeks_per_year,
            "capital_years": c.capital_years,
            "discount_rate": c.discount_rate,
            "hub_annual_cost": context.scenario.hubs.annual_cost,
        },
        "new_static_sites": new_static,
        "today": today,
        "changes": changes,
        "capital": figures.one_off_capital(
            changes,
            new_static,
            summary["mobile_units"],
            scanner=c.scanner_capital,
            site_installation=c.site_installation,
            mobile_unit=c.mobile_unit_capital,
        ),
        "headroom": figures.headroom(sites),
    }


def _area_names(context: ModelContext) -> dict[str, str]:
    """Names of regions (the inputs') and of the embedded NHS areas (ICBs, sub-ICBs)."""
    known = embedded.load_areas()
    return {**dict(zip(known["code"], known["name"], strict=True)), **context.inputs.region_names}


def _site_table(context: ModelContext, n: np.ndarray, m: np.ndarray, x: np.ndarray) -> pd.DataFrame:
    sites, travel = context.inputs.sites, context.inputs.travel
    is_open = (n > 0) | (m > 0)
    capacity = n * context.scans_per_scanner + m * context.scans_per_weekly_mobile_day
    assigned = np.bincount(travel.destination, weights=x, minlength=len(sites))
    with np.errstate(divide="ignore", invalid="ignore"):
        utilisation = np.where(capacity > 0, assigned / capacity, np.nan)
    table = sites.copy()
    table["open"] = is_open
    table["new_site"] = is_open & ~sites["existing"].to_numpy(bool)
    table["fixed_scanners"] = n
    table["mobile_days"] = m
    table["capacity_scans"] = capacity
    table["assigned_scans"] = assigned
    table["utilisation"] = utilisation
    return table


def _assignments(context: ModelContext, x: np.ndarray) -> pd.DataFrame:
    travel = context.inputs.travel
    used = x > 1e-6
    return pd.DataFrame(
        {
            "demand_id": travel.origin_ids[travel.origin[used]],
            "site_id": travel.destination_ids[travel.destination[used]],
            "scans": x[used],
            "minutes": travel.minutes[used],
        }
    )


def _demand_table(
    context: ModelContext,
    final: Period,
    static_open: np.ndarray,
    x: np.ndarray,
    unmet: np.ndarray,
) -> pd.DataFrame:
    zones, travel = context.inputs.zones, context.inputs.travel
    nearest_static = travel.nearest_minutes(static_open)
    # Today's network: the existing sites with the static scanners they have today.
    nearest_today = travel.nearest_minutes(context.inputs.sites["existing_scanners"].to_numpy() > 0)
    # The plan shows its final planning year: demand of that year, not of the horizon.
    return pd.DataFrame(
        {
            "demand_id": zones["zone_id"].astype(str),
            "name": zones["name"],
            "region_code": zones["region_code"],
            **{c: zones[c] for c in ("icb_code", "sicbl_code", DECILE_COLUMN) if c in zones},
            "lat": zones["lat"],
            "lon": zones["lon"],
            "population": zones["population"].to_numpy(float),
            "scans": np.asarray(final.scans, float),
            "assigned_scans": np.bincount(travel.origin, weights=x, minlength=len(zones)),
            "unmet_scans": unmet,
            "nearest_static_minutes": np.where(np.isfinite(nearest_static), nearest_static, np.nan),
            "today_static_minutes": np.where(np.isfinite(nearest_today), nearest_today, np.nan),
        }
    )


def _solver_figures(
    context: ModelContext, report: SolveReport, build_seconds: float | None
) -> dict[str, Any]:
    s = context.scenario
    return {
        "scenario": s.name,
        "title": s.title,
        "status": report.status,
        "mip_gap": report.mip_gap,
        "objective": report.objective,
        "best_bound": report.best_bound,
        "solver": report.solver,
        "solver_message": report.message,
        "solve_seconds": report.seconds,
        "build_seconds": build_seconds,
        "time_limit_reached": report.time_limit_reached,
    }


def _network_figures(context: ModelContext, sites: pd.DataFrame, fleet: int) -> dict[str, Any]:
    is_open = sites["open"].to_numpy(bool)
    static_open = sites["fixed_scanners"].to_numpy(int) > 0
    allow_mobile = context.scenario.capacity.allow_mobile
    return {
        "sites_open": int(is_open.sum()),
        "sites_static": int(static_open.sum()),
        "sites_mobile_only": int((is_open & ~static_open).sum()),
        "new_sites": int(sites["new_site"].sum()),
        "new_sites_static": int((sites["new_site"].to_numpy(bool) & static_open).sum()),
        "new_sites_mobile_only": int(
            (sites["new_site"].to_numpy(bool) & is_open & ~static_open).sum()
        ),
        "mobile_allowed": bool(allow_mobile),
        "scanners_fixed": int(sites["fixed_scanners"].sum()),
        "mobile_days_per_week": int(sites["mobile_days"].sum()),
        "mobile_units": fleet if allow_mobile else 0,
    }


def _demand_figures(
    context: ModelContext,
    final: Period,
    demand: pd.DataFrame,
    assignments: pd.DataFrame,
    x: np.ndarray,
    capacity: pd.Series,
) -> dict[str, Any]:
    access = context.scenario.access
    population = demand["population"].to_numpy(float)
    nearest = demand["nearest_static_minutes"].fillna(np.inf).to_numpy(float)
    assigned, capacity_total = float(x.sum()), float(capacity.to_numpy(float).sum())
    access_share = share_within(population, nearest, access.minutes)
    return {
        "population": float(population.sum()),
        "plan_year": int(final.year),
        "demand_scans": float(demand["scans"].sum()),
        "assigned_scans": assigned,
        "unmet_scans": float(demand["unmet_scans"].sum()),
        "capacity_scans": capacity_total,
        "mean_utilisation": float(assigned / capacity_total) if capacity_total > 0 else None,
        **travel_statistics(assignments),
        "share_within_minutes": {
            str(t): share_within(population, nearest, t) for t in REPORTED_THRESHOLDS
        },
        "access_target_minutes": access.minutes,
        # The target the plan had to meet (None when not enforced); the scenario's share is
        # measured and reported either way.
        "access_target_share": access.share if access.enforce else None,
        "access_target_enforced": bool(access.enforce),
        "access_goal_share": access.share,
        "access_share": access_share,
        "access_target_met": bool(access_share + 1e-6 >= access.share),
    }


def _cost_breakdown(
    context: ModelContext, sites: pd.DataFrame, fleet: int, x: np.ndarray, unmet: np.ndarray
) -> dict[str, float]:
    costs = context.costs
    n = sites["fixed_scanners"].to_numpy(int)
    m = sites["mobile_days"].to_numpy(int)
    static_open = n > 0
    new_static = static_open & ~(sites["existing_scanners"].to_numpy(int) > 0)
    allow_mobile = context.scenario.capacity.allow_mobile
    return {
        "scanners": float(n.sum() * costs["scanner"]),
        "new_static_sites": float(new_static.sum() * costs["new_static_site"]),
        "open_sites": float(sites["open"].sum() * costs["open_site"]),
        "mobile_days": float(m.sum() * costs["mobile_day_per_week"]),
        "mobile_units": float(fleet * costs["mobile_unit"]) if allow_mobile else 0.0,
        "training_hubs": 0.0,  # the hubs extension sets it
        "travel": float((x * context.inputs.travel.minutes).sum() * costs["travel_minute"]),
        "unmet_penalty": float(unmet.sum() * costs["unmet_scan"]),
    }
