"""The figures a board asks of a plan beside its yearly cost: today against the plan, the
one-off capital it needs, its headroom, and a cost total that is the model's objective.

All are read from the plan's site table (``existing``, ``existing_kind``, ``existing_scanners``
for today; ``open``, ``fixed_scanners``, ``mobile_days``, ``utilisation`` for the plan) and the
scenario's cost parameters; :func:`planner.network.solution.plan_from_solution` puts them in
the plan's summary and :mod:`planner.headline` says them in words.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.analysis.conversions import conversion
from planner.defaults import HEADROOM_UTILISATION

#: The parts of the model's objective, in the order reports list them; ``costs`` in a plan's
#: summary has one entry per part (pounds a year).
COST_PARTS = (
    "scanners",
    "new_static_sites",
    "open_sites",
    "mobile_days",
    "mobile_units",
    "training_hubs",
    "travel",
    "unmet_penalty",
)
#: The parts that are the service's own cost (what a budget covers): all but patients' travel
#: and the unmet-demand penalty.
SERVICE_PARTS = COST_PARTS[:6]


def total_cost(costs: dict[str, float]) -> float:
    """Every part of the objective added up: the service, patients' travel and unmet demand at
    its penalty (for a one-year plan, the model's objective)."""
    return float(sum(costs.get(part, 0.0) for part in COST_PARTS))


def service_cost(costs: dict[str, float]) -> float:
    """The service's yearly cost: every part but patients' travel and the unmet penalty."""
    return float(sum(costs.get(part, 0.0) for part in SERVICE_PARTS))


def today_and_changes(sites: pd.DataFrame) -> tuple[dict[str, int], dict[str, int]]:
    """Today's network (the existing sites) and what the plan changes.

    Returns
    -------
    today
        ``sites`` (existing sites), ``static_sites`` and ``mobile_sites`` (served by a mobile
        unit today), ``static_scanners``.
    changes
        ``scanners_to_buy`` (static scanners beyond a site's present ones), ``scanners_removed``,
        ``sites_opened`` (candidate sites opened), ``sites_closed`` (existing sites not open),
        ``mobile_to_static`` (mobile-served sites given a static scanner), ``static_to_mobile``
        (static sites left with mobile days only), ``sites_kept`` (existing sites still open).
    """
    existing = sites["existing"].to_numpy(bool)
    kind = sites.get("existing_kind", pd.Series("", index=sites.index)).fillna("").to_numpy(str)
    today_n = sites.get("existing_scanners", pd.Series(0, index=sites.index)).fillna(0)
    today_n = today_n.to_numpy(int)
    plan_n = sites["fixed_scanners"].to_numpy(int)
    is_open = sites["open"].to_numpy(bool)
    mobile_today = existing & (kind == "mobile")
    static_today = existing & (today_n > 0)
    today = {
        "sites": int(existing.sum()),
        "static_sites": int(static_today.sum()),
        "mobile_sites": int(mobile_today.sum()),
        "static_scanners": int(today_n.sum()),
    }
    changes_of = [conversion(row) for row in sites.to_dict("records")]
    changes = {
        "scanners_to_buy": int(np.clip(plan_n - today_n, 0, None).sum()),
        "scanners_removed": int(np.clip(today_n - plan_n, 0, None).sum()),
        "sites_opened": int((is_open & ~existing).sum()),
        "sites_closed": int((existing & ~is_open).sum()),
        # The sites the maps rename as converted, by the same rule.
        "mobile_to_static": sum(change == "to static" for change in changes_of),
        "static_to_mobile": sum(change == "to mobile" for change in changes_of),
        "sites_kept": int((existing & is_open).sum()),
    }
    return today, changes


def one_off_capital(
    changes: dict[str, int],
    new_static_sites: int,
    mobile_units: int,
    *,
    scanner: float,
    site_installation: float,
    mobile_unit: float,
) -> dict[str, float]:
    """The capital the plan needs once, beside its yearly (annualised) cost.

    Scanners to buy at ``scanner`` each, installations at ``new_static_sites`` (sites with no
    static scanner today that get one, mobile-served ones included) at ``site_installation``,
    and the plan's mobile units at ``mobile_unit``: the site data do not say how many mobile
    units run today, so every unit is counted as bought (``mobile_units_counted_as_bought``).
    """
    parts = {
        "scanners": changes["scanners_to_buy"] * scanner,
        "site_installations": new_static_sites * site_installation,
        "mobile_units": mobile_units * mobile_unit,
    }
    return {
        "scanners_to_buy": int(changes["scanners_to_buy"]),
        "new_static_sites": int(new_static_sites),
        "mobile_units_counted_as_bought": int(mobile_units),
        **{k: float(v) for k, v in parts.items()},
        "total": float(sum(parts.values())),
    }


def headroom(sites: pd.DataFrame, threshold: float = HEADROOM_UTILISATION) -> dict:
    """Open sites at or above ``threshold`` utilisation, busiest first.

    Returns ``threshold``, ``sites_at_or_above`` (how many), ``sites_open`` and ``busiest``
    (up to five ``[name, utilisation]`` pairs).
    """
    open_sites = sites[sites["open"].to_numpy(bool)]
    marked = open_sites.assign(_u=open_sites["utilisation"].fillna(0.0))
    full = marked[marked["_u"] >= threshold - 1e-9]
    full = full.sort_values(["_u", "name"], ascending=[False, True])
    return {
        "threshold": float(threshold),
        "sites_at_or_above": int(len(full)),
        "sites_open": int(len(open_sites)),
        "busiest": [[str(n), float(u)] for n, u in zip(full["name"], full["_u"], strict=True)][:5],
    }
