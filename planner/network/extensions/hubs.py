"""Training hubs, placed in the same MILP as the scanners (the extension :class:`Hubs`).

Every open scanner site is linked to exactly one open hub within ``hubs.max_minutes``; a hub
trains the staff of the scanners linked to it, up to its trainee places (staff needed per
scanner is a stated assumption, :data:`planner.defaults.STAFF_PER_SCANNER`). Hubs may be forced
open (The Christie's School of Oncology in the partnership scenario), capped in number and
charged a yearly cost.

Rows added to the network model (j site, h hub, k a site-hub pair within reach):

    z_h binary (hub open), l_k binary (site linked to hub), w_k >= 0 (scanners counted at hub)
    sum_{k in j} l_k = v_j               every open site has exactly one hub
    sum_{k in j} w_k = n_j + m_j / days  its scanners (mobile days as a share of a unit)
    w_k <= cap_j l_k ;  l_k <= z_h       only through its link, only to an open hub
    staff * sum_{k in h} w_k <= places_h z_h
    sum_h z_h <= max_hubs
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.data.travel import RoadSpeedModel, TravelMatrix, estimate_travel_times
from planner.errors import InputError
from planner.network.context import ModelContext
from planner.network.extensions.base import Extension, Relaxable, SiteReach
from planner.optimise.milp import SparseMILP
from planner.plan import Plan
from planner.scenario import HubSettings, Scenario


@dataclass
class HubColumns:
    """Column indices of the hub decisions in a built model."""

    links: TravelMatrix  # site (origin) -> hub (destination) pairs within reach
    open: np.ndarray
    link: np.ndarray
    load: np.ndarray


def check_hub_ids(hubs: pd.DataFrame, settings: HubSettings) -> pd.DataFrame:
    """Hubs restricted to ``settings.candidates``; unknown ids in the settings are errors."""
    known = set(hubs["hub_id"].astype(str))
    for key in ("required", "candidates"):
        unknown = sorted(set(getattr(settings, key)) - known)
        if unknown:
            raise InputError(
                f"unknown hub id(s) {', '.join(unknown)}; expected ids from the hub list "
                f"({', '.join(sorted(known))})",
                field=f"hubs.{key}",
            )
    if settings.candidates:
        wanted = set(settings.candidates) | set(settings.required)
        hubs = hubs[hubs["hub_id"].astype(str).isin(wanted)]
    return hubs.reset_index(drop=True)


def hub_links(
    sites: pd.DataFrame, hubs: pd.DataFrame, settings: HubSettings, speed_model: RoadSpeedModel
) -> TravelMatrix:
    """Site-to-hub travel times within ``hubs.max_minutes`` (sites origins, hubs destinations)."""
    return estimate_travel_times(
        sites,
        hubs,
        settings.max_minutes,
        origin_id="site_id",
        destination_id="hub_id",
        speed_model=speed_model,
    )


def add_hub_rows(
    model: SparseMILP,
    hubs: pd.DataFrame,
    links: TravelMatrix,
    settings: HubSettings,
    *,
    site_open: np.ndarray,
    scanners: np.ndarray,
    mobile_days: np.ndarray,
    days_per_unit: float,
    scanner_cap: np.ndarray,
    cost_weight: float = 1.0,
    limit_hubs: bool = True,
) -> HubColumns:
    """Add the hub columns and rows (see the module docstring) to ``model``."""
    n_hubs, n_sites, n_links = len(hubs), len(site_open), len(links)
    required = np.isin(hubs["hub_id"].astype(str).to_numpy(), list(settings.required))
    z = model.add_columns(
        "hub_open",
        n_hubs,
        cost=cost_weight * settings.annual_cost,
        lower=required,
        upper=1.0,
        integer=True,
    )
    link = model.add_columns("hub_link", n_links, upper=1.0, integer=True)
    load = model.add_columns("hub_load", n_links)
    site_of, hub_of = links.origin, links.destination
    sites = np.arange(n_sites)
    ones_l, ones_s = np.ones(n_links), np.ones(n_sites)
    model.add_rows(
        "hub_one",
        n_sites,
        np.concatenate([site_of, sites]),
        np.concatenate([link, site_open]),
        np.concatenate([ones_l, -ones_s]),
        lower=0.0,
        upper=0.0,
    )
    model.add_rows(
        "hub_staff",
        n_sites,
        np.concatenate([site_of, sites, sites]),
        np.concatenate([load, scanners, mobile_days]),
        np.concatenate([ones_l, -ones_s, -ones_s / days_per_unit]),
        lower=0.0,
        upper=0.0,
    )
    pairs = np.arange(n_links)
    model.add_rows(
        "hub_load_link",
        n_links,
        np.concatenate([pairs, pairs]),
        np.concatenate([load, link]),
        np.concatenate([ones_l, -np.asarray(scanner_cap, float)[site_of]]),
        upper=0.0,
    )
    model.add_rows(
        "hub_link_open",
        n_links,
        np.concatenate([pairs, pairs]),
        np.concatenate([link, z[hub_of]]),
        np.concatenate([ones_l, -ones_l]),
        upper=0.0,
    )
    places = trainee_places(hubs, settings)
    model.add_rows(
        "hub_places",
        n_hubs,
        np.concatenate([hub_of, np.arange(n_hubs)]),
        np.concatenate([load, z]),
        np.concatenate([settings.staff_per_scanner * ones_l, -places]),
        upper=0.0,
    )
    if settings.max_hubs is not None and limit_hubs:
        model.add_rows("max_hubs", 1, np.zeros(n_hubs, int), z, 1.0, upper=settings.max_hubs)
    return HubColumns(links=links, open=z, link=link, load=load)


def trainee_places(hubs: pd.DataFrame, settings: HubSettings) -> np.ndarray:
    """Trainee places per hub: the hub list's ``trainee_places`` where given, else the
    scenario's ``hubs.trainee_places``."""
    if "trainee_places" not in hubs:
        return np.full(len(hubs), float(settings.trainee_places))
    given = pd.to_numeric(hubs["trainee_places"], errors="coerce")
    return given.fillna(settings.trainee_places).to_numpy(float)


def hub_tables(
    hubs: pd.DataFrame,
    columns: HubColumns,
    solution: np.ndarray,
    sites: pd.DataFrame,
    settings: HubSettings,
) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """The plan's hub table and each site's hub id and minutes to it.

    ``sites`` is the plan's site table (with ``open``, ``fixed_scanners``, ``mobile_days``,
    ``assigned_scans``), in model order.
    """
    links = columns.links
    linked = solution[columns.link] > 0.5
    site_hub = pd.Series("", index=sites.index, dtype=object)
    site_minutes = pd.Series(np.nan, index=sites.index)
    rows = sites.index[links.origin[linked]]
    site_hub.loc[rows] = links.destination_ids[links.destination[linked]]
    site_minutes.loc[rows] = links.minutes[linked]
    site_hub = site_hub.where(sites["open"].to_numpy(bool), "")
    table = hubs.copy()
    table["open"] = solution[columns.open] > 0.5
    table["trainee_capacity"] = trainee_places(hubs, settings)
    frame = sites.assign(hub_id=site_hub.to_numpy())
    frame = frame[frame["hub_id"] != ""]
    g = frame.groupby("hub_id")
    table = table.set_index(table["hub_id"].astype(str))
    table["linked_sites"] = g.size().reindex(table.index, fill_value=0)
    table["scanners"] = g["fixed_scanners"].sum().reindex(table.index, fill_value=0)
    table["mobile_days"] = g["mobile_days"].sum().reindex(table.index, fill_value=0)
    table["network_scans"] = g["assigned_scans"].sum().reindex(table.index, fill_value=0.0)
    load = np.zeros(len(table))
    np.add.at(load, links.destination, solution[columns.load])
    # max(0): a load of no trainee comes back from the solver as -3e-11 at times.
    table["trainee_load"] = np.maximum(load, 0.0) * settings.staff_per_scanner
    table["linked_site_ids"] = (
        g["site_id"].apply(lambda s: ";".join(s)).reindex(table.index, fill_value="")
    )
    return table.reset_index(drop=True), site_hub, site_minutes


class Hubs(Extension):
    """Every open site linked to one open training hub in reach, within its trainee places."""

    name = "hubs"
    relaxable = (
        Relaxable(
            "max_hubs",
            lambda s: s.hubs.enabled and s.hubs.max_hubs is not None,
            lambda s: f"hubs.max_hubs = {s.hubs.max_hubs}",
        ),
    )

    def active(self, scenario: Scenario) -> bool:
        return scenario.hubs.enabled

    def site_reach(self, context: ModelContext) -> SiteReach | None:
        links = context.inputs.hub_links
        if links is None:  # no hub list given
            return None
        reach = np.zeros(len(context.inputs.sites), bool)
        reach[links.origin] = True
        return SiteReach(reach, f"no training hub within {context.scenario.hubs.max_minutes:g} min")

    def add_network(self, model: SparseMILP, context: ModelContext, periods) -> HubColumns | None:
        links = context.inputs.hub_links
        if links is None:
            return None
        capacity = context.scenario.capacity
        final = periods[-1]
        # Most scanners a link can carry: static ones plus a mobile unit's share of its days.
        cap = (
            context.bounds.upper + capacity.mobile_max_days_per_site / capacity.mobile_days_per_unit
        )
        return add_hub_rows(
            model,
            context.inputs.hubs,
            links,
            context.scenario.hubs,
            site_open=final.v,
            scanners=final.n,
            mobile_days=final.m,
            days_per_unit=capacity.mobile_days_per_unit,
            scanner_cap=cap,
            cost_weight=sum(p.weight for p in periods),
            limit_hubs=not context.relaxed("max_hubs"),
        )

    def to_plan(
        self, plan: Plan, context: ModelContext, solution, periods, state: HubColumns | None
    ) -> None:
        if state is None:
            return
        table, site_hub, hub_minutes = hub_tables(
            context.inputs.hubs, state, solution, plan.sites, context.scenario.hubs
        )
        plan.sites["hub_id"] = site_hub.to_numpy()
        names = table.set_index(table["hub_id"].astype(str))["name"]
        plan.sites["hub_name"] = plan.sites["hub_id"].map(names).fillna("")
        plan.sites["hub_minutes"] = hub_minutes.to_numpy()
        plan.hubs = table
        plan.summary["hubs_open"] = int(table["open"].sum())
        plan.summary["costs"]["training_hubs"] = float(
            plan.summary["hubs_open"] * context.scenario.hubs.annual_cost
        )
        plan.summary["hub_trainee_load"] = float(table["trainee_load"].sum())
