"""Training hubs, placed in the same MILP as the scanners.

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
import pulp

from planner.errors import InputError
from planner.scenario import HubSettings
from planner.travel import TravelMatrix


@dataclass
class HubVariables:
    """The hub decisions of a built model."""

    links: TravelMatrix  # site (origin) -> hub (destination) pairs within reach
    open: list[pulp.LpVariable]
    link: list[pulp.LpVariable]
    load: list[pulp.LpVariable]


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


def add_hub_rows(
    prob: pulp.LpProblem,
    hubs: pd.DataFrame,
    links: TravelMatrix,
    settings: HubSettings,
    *,
    site_open: list[pulp.LpVariable],
    scanners: list[pulp.LpVariable],
    mobile_days: list[pulp.LpVariable] | None,
    days_per_unit: float,
    scanner_cap: np.ndarray,
) -> tuple[HubVariables, list[tuple[pulp.LpVariable, float]]]:
    """Add the hub rows; return the variables and the hub cost terms for the objective."""
    n_hubs = len(hubs)
    required = set(settings.required)
    ids = hubs["hub_id"].astype(str).tolist()
    z = [
        prob.add_variable(f"hub_{h}", lowBound=int(ids[h] in required), upBound=1, cat="Integer")
        for h in range(n_hubs)
    ]
    n_links = len(links)
    link = [
        prob.add_variable(f"link_{k}", lowBound=0, upBound=1, cat="Integer") for k in range(n_links)
    ]
    load = [prob.add_variable(f"hubload_{k}", lowBound=0) for k in range(n_links)]
    site_of, hub_of = links.origin, links.destination
    order = np.argsort(site_of, kind="stable")
    bounds = np.searchsorted(site_of[order], np.arange(len(site_open) + 1))
    add = prob.addConstraint
    for j in range(len(site_open)):
        ks = order[bounds[j] : bounds[j + 1]]
        add(
            pulp.LpConstraint(
                pulp.LpAffineExpression([(link[k], 1.0) for k in ks] + [(site_open[j], -1.0)]),
                pulp.LpConstraintEQ,
                f"hub_one_{j}",
                0.0,
            )
        )
        staffed = [(load[k], 1.0) for k in ks] + [(scanners[j], -1.0)]
        if mobile_days is not None:
            staffed.append((mobile_days[j], -1.0 / days_per_unit))
        add(
            pulp.LpConstraint(
                pulp.LpAffineExpression(staffed), pulp.LpConstraintEQ, f"hub_staff_{j}", 0.0
            )
        )
    for k in range(n_links):
        j, h = int(site_of[k]), int(hub_of[k])
        add(
            pulp.LpConstraint(
                pulp.LpAffineExpression([(load[k], 1.0), (link[k], -float(scanner_cap[j]))]),
                pulp.LpConstraintLE,
                f"hub_load_link_{k}",
                0.0,
            )
        )
        add(
            pulp.LpConstraint(
                pulp.LpAffineExpression([(link[k], 1.0), (z[h], -1.0)]),
                pulp.LpConstraintLE,
                f"hub_link_open_{k}",
                0.0,
            )
        )
    by_hub = np.argsort(hub_of, kind="stable")
    hb = np.searchsorted(hub_of[by_hub], np.arange(n_hubs + 1))
    places = hubs["trainee_places"].to_numpy(float) if "trainee_places" in hubs else None
    for h in range(n_hubs):
        ks = by_hub[hb[h] : hb[h + 1]]
        cap = (
            float(places[h])
            if places is not None and np.isfinite(places[h])
            else settings.trainee_places
        )
        add(
            pulp.LpConstraint(
                pulp.LpAffineExpression(
                    [(load[k], settings.staff_per_scanner) for k in ks] + [(z[h], -cap)]
                ),
                pulp.LpConstraintLE,
                f"hub_places_{h}",
                0.0,
            )
        )
    if settings.max_hubs is not None:
        add(
            pulp.LpConstraint(
                pulp.LpAffineExpression([(zh, 1.0) for zh in z]),
                pulp.LpConstraintLE,
                "max_hubs",
                float(settings.max_hubs),
            )
        )
    cost_terms = [(zh, settings.annual_cost) for zh in z]
    return HubVariables(links=links, open=z, link=link, load=load), cost_terms


def hub_tables(
    hubs: pd.DataFrame,
    variables: HubVariables,
    sites: pd.DataFrame,
    settings: HubSettings,
) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """The plan's hub table and each site's hub id and minutes to it.

    ``sites`` is the plan's site table (with ``open``, ``fixed_scanners``, ``mobile_days``,
    ``assigned_scans``), in model order.
    """
    links = variables.links
    linked = np.array([(v.varValue or 0.0) > 0.5 for v in variables.link], dtype=bool)
    site_hub = pd.Series("", index=sites.index, dtype=object)
    site_minutes = pd.Series(np.nan, index=sites.index)
    rows = sites.index[links.origin[linked]]
    site_hub.loc[rows] = links.destination_ids[links.destination[linked]]
    site_minutes.loc[rows] = links.minutes[linked]
    site_hub = site_hub.where(sites["open"].to_numpy(bool), "")
    table = hubs.copy()
    table["open"] = [(z.varValue or 0.0) > 0.5 for z in variables.open]
    table["trainee_capacity"] = table.get("trainee_places", settings.trainee_places)
    frame = sites.assign(hub_id=site_hub.to_numpy())
    frame = frame[frame["hub_id"] != ""]
    g = frame.groupby("hub_id")
    table = table.set_index(table["hub_id"].astype(str))
    table["linked_sites"] = g.size().reindex(table.index, fill_value=0)
    table["scanners"] = g["fixed_scanners"].sum().reindex(table.index, fill_value=0)
    table["mobile_days"] = g["mobile_days"].sum().reindex(table.index, fill_value=0)
    table["network_scans"] = g["assigned_scans"].sum().reindex(table.index, fill_value=0.0)
    load = np.zeros(len(table))
    np.add.at(load, links.destination, [v.varValue or 0.0 for v in variables.load])
    table["trainee_load"] = load * settings.staff_per_scanner
    table["linked_site_ids"] = (
        g["site_id"].apply(lambda s: ";".join(s)).reindex(table.index, fill_value="")
    )
    return table.reset_index(drop=True), site_hub, site_minutes
