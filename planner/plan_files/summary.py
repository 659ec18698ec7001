"""The checks on a saved plan's ``summary.json``: its types, and its totals against the tables.

``summary.json`` must be a JSON object with at least :data:`REQUIRED`; every key of
:data:`SUMMARY` it has must be of its type (a count a whole number, a share a number, a flag
true or false; ``null`` where a figure can be absent), and the totals it states must be those of
the plan's tables (:func:`check_totals`): a summary saying 18 sites are open over a
``sites.csv`` with 17 open is an error, as are assignments to a site the plan does not open.
Keys not listed are kept as they are (figures added by later versions).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.errors import InputError

# Value kinds; a trailing "?" allows null.
_NUMBER, _COUNT, _TEXT, _FLAG = "number", "count", "text", "flag"


@dataclass(frozen=True)
class OrNull:
    """A dict or list type that also allows null (a kind's own form is ``"kind?"``)."""

    spec: object


_COSTED = ("scanner", "new_static_site", "open_site", "mobile_day_per_week", "mobile_unit",
           "travel_minute", "unmet_scan")  # fmt: skip
_COST_INPUTS = ("scanner_capital", "scanner_operating", "site_installation",
                "mobile_unit_capital", "mobile_day_operating", "weeks_per_year", "discount_rate",
                "hub_annual_cost")  # fmt: skip

#: The keys every saved plan's summary has (the figures the headline always prints).
REQUIRED = (
    "status",
    "sites_open",
    "scanners_fixed",
    "mobile_days_per_week",
    "demand_scans",
    "unmet_scans",
    "mean_travel_minutes",
)

#: Type of each known key: a kind, a dict of sub-keys (each required), a one-element list
#: (a list of such items), or one of those in :class:`OrNull`. Only keys present are
#: checked, except :data:`REQUIRED`.
SUMMARY: dict[str, object] = {
    "scenario": "text?",
    "title": "text?",
    "status": "text",
    "mip_gap": "number?",
    "objective": "number?",
    "best_bound": "number?",
    "solver": "text?",
    "solver_message": "text?",
    "solve_seconds": "number?",
    "build_seconds": "number?",
    "time_limit_reached": "flag?",
    "sites_open": "count",
    "sites_static": "count",
    "sites_mobile_only": "count",
    "new_sites": "count",
    "new_sites_static": "count?",
    "new_sites_mobile_only": "count?",
    "mobile_allowed": "flag?",
    "scanners_fixed": "count",
    "mobile_days_per_week": "number",
    "mobile_units": "count",
    "population": "number",
    "plan_year": "count?",
    "demand_scans": "number",
    "assigned_scans": "number",
    "unmet_scans": "number",
    "capacity_scans": "number",
    "mean_utilisation": "number?",
    "mean_travel_minutes": "number?",
    "median_travel_minutes": "number?",
    "p95_travel_minutes": "number?",
    "share_within_minutes": "shares",
    "access_target_minutes": "number?",
    "access_target_share": "number?",
    "access_target_enforced": "flag?",
    "access_goal_share": "number?",
    "access_share": "number?",
    "access_target_met": "flag?",
    "objective_scope": "text?",
    "costs": "numbers",
    "travel_scan_minutes": "number?",
    # The fields of planner.network.model.ModelSize, which the verbose headline prints.
    "model_size": OrNull(
        {
            k: "count"
            for k in (
                "zones",
                "sites",
                "pairs",
                "variables",
                "integer_variables",
                "constraints",
                "nonzeros",
            )
        }
    ),
    "travel_source": "text?",
    "planner_version": "text?",
    "annual_cost": "number?",
    "total_cost": "number?",
    # The unit costs behind each cost line (planner.network.solution._board_figures).
    "cost_basis": OrNull(
        {
            **{f"{part}_yearly": "number" for part in _COSTED},
            **{k: "number" for k in _COST_INPUTS},
            "capital_years": "count",
        }
    ),
    "new_static_sites": "count?",
    "today": {k: "count" for k in ("sites", "static_sites", "mobile_sites", "static_scanners")},
    "changes": {
        k: "count"
        for k in (
            "scanners_to_buy",
            "scanners_removed",
            "sites_opened",
            "sites_closed",
            "mobile_to_static",
            "static_to_mobile",
            "sites_kept",
        )
    },
    "capital": {
        "scanners_to_buy": "count",
        "new_static_sites": "count",
        "mobile_units_counted_as_bought": "count",
        "scanners": "number",
        "site_installations": "number",
        "mobile_units": "number",
        "total": "number",
    },
    "headroom": {
        "threshold": "number",
        "sites_at_or_above": "count",
        "sites_open": "count",
        "busiest": ["pair"],
    },
    "warm_start": "object?",
    "decomposition": ["object"],
    "hubs_open": "count",
    "hub_trainee_load": "number?",
    "planning_years": ["count"],
    "phasing": [
        {
            "year": "count",
            "sites_open": "count",
            "scanners_fixed": "count",
            "mobile_days_per_week": "number",
            "demand_scans": "number",
        }
    ],
    "backup_minutes": "number?",
    "backup_target_share": "number?",
    "backup_share": "number?",
    "tracer_delivery_minutes": "number?",
    "tracer_min_activity_fraction": "number?",
    "tracer_half_life_minutes": "number?",
    "tracer_longest_delivery_minutes": "number?",
    "n_minus_1_worst_site": "text?",
    "n_minus_1_unabsorbed_scans": "number",
    "n_minus_1_people_losing_access": "number?",
    "n_minus_1_extra_minutes_per_moved_scan": "number?",
    "n_minus_1_sites_leaving_scans": "count?",
    "n_minus_1_baseline_unmet": "number?",
    "n_minus_1_access_minutes": "number?",
}

_EXPECTED = {
    _NUMBER: "a number",
    _COUNT: "a whole number of 0 or more",
    _TEXT: "text",
    _FLAG: "true or false",
    "object": "a JSON object",
    "numbers": "a JSON object of numbers",
    "shares": "a JSON object of shares from 0 to 1 (or null)",
    "pair": "a [name, share] pair",
}


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _fits(value, kind: str) -> bool:
    if kind == _NUMBER:
        return _is_number(value)
    if kind == _COUNT:
        return _is_number(value) and value >= 0 and float(value).is_integer()
    if kind == _TEXT:
        return isinstance(value, str)
    if kind == _FLAG:
        return isinstance(value, bool)
    if kind == "object":
        return isinstance(value, dict)
    if kind == "numbers":
        return isinstance(value, dict) and all(_is_number(v) for v in value.values())
    if kind == "shares":
        return isinstance(value, dict) and all(
            v is None or (_is_number(v) and 0 <= v <= 1 + 1e-6) for v in value.values()
        )
    if kind == "pair":
        return (
            isinstance(value, list)
            and len(value) == 2
            and isinstance(value[0], str)
            and _is_number(value[1])
        )
    raise AssertionError(kind)


def _check(value, spec, key: str, source: str) -> None:
    """Raise an :class:`InputError` naming ``key`` if ``value`` is not of type ``spec``."""
    if isinstance(spec, OrNull):
        if value is None:
            return
        spec = spec.spec
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            raise InputError(f"found {_shown(value)}; expected a JSON object", source=source,
                             field=key)  # fmt: skip
        for sub, sub_spec in spec.items():
            if sub not in value:
                raise InputError(
                    f"missing {sub!r}; expected {', '.join(spec)}", source=source, field=key
                )
            _check(value[sub], sub_spec, f"{key}.{sub}", source)
        return
    if isinstance(spec, list):
        if not isinstance(value, list):
            raise InputError(f"found {_shown(value)}; expected a list", source=source, field=key)
        for i, item in enumerate(value):
            _check(item, spec[0], f"{key}[{i}]", source)
        return
    kind, nullable = spec.rstrip("?"), spec.endswith("?")
    if value is None and nullable:
        return
    if not _fits(value, kind):
        expected = _EXPECTED[kind] + (" or null" if nullable else "")
        raise InputError(f"found {_shown(value)}; expected {expected}", source=source, field=key)


def _shown(value) -> str:
    import json

    text = json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


def check_summary(summary, source: str) -> dict:
    """``summary`` (parsed ``summary.json``) if it is a plan's summary; else an
    :class:`InputError` naming the key."""
    if not isinstance(summary, dict):
        raise InputError(
            f"found {_shown(summary)}; expected a JSON object of the plan's figures "
            "(as 'planner run' writes it)",
            source=source,
        )
    missing = [key for key in REQUIRED if key not in summary]
    if missing:
        raise InputError(
            f"missing {', '.join(missing)} (a saved plan's summary has {', '.join(REQUIRED)})",
            source=source,
            field=missing[0],
        )
    for key, spec in SUMMARY.items():
        if key in summary:
            _check(summary[key], spec, key, source)
    return summary


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-6)


def check_totals(summary: dict, tables: dict[str, pd.DataFrame | None], folder: str) -> None:
    """Raise an :class:`InputError` if a total ``summary.json`` states is not its tables'.

    Each figure is checked only when the summary has it and the table it comes from was saved.
    """
    sites, demand, hubs = tables["sites"], tables["demand"], tables.get("hubs")
    assignments = tables["assignments"]
    is_open = sites["open"].to_numpy(bool)
    fixed = sites["fixed_scanners"].to_numpy(float)
    mobile, capacity = sites["mobile_days"], sites["capacity_scans"]
    figures: list[tuple[str, str, Callable[[], float]]] = [
        ("sites_open", "sites.csv: open", lambda: float(is_open.sum())),
        ("sites_static", "sites.csv: fixed_scanners > 0", lambda: float((fixed > 0).sum())),
        ("scanners_fixed", "sites.csv: fixed_scanners", lambda: float(fixed.sum())),
        ("mobile_days_per_week", "sites.csv: mobile_days", lambda: float(mobile.sum())),
        ("capacity_scans", "sites.csv: capacity_scans", lambda: float(capacity.sum())),
        ("demand_scans", "demand.csv: scans", lambda: float(demand["scans"].sum())),
        ("unmet_scans", "demand.csv: unmet_scans", lambda: float(demand["unmet_scans"].sum())),
        ("population", "demand.csv: population", lambda: float(demand["population"].sum())),
        ("assigned_scans", "assignments.csv: scans", lambda: float(assignments["scans"].sum())),
    ]  # fmt: skip
    if "new_site" in sites:
        figures.append(("new_sites", "sites.csv: new_site", lambda: float(sites["new_site"].sum())))
    if hubs is not None:
        figures.append(("hubs_open", "hubs.csv: open", lambda: float(hubs["open"].sum())))
    for key, where, total in figures:
        if key in summary and not _close(float(summary[key]), total()):
            raise InputError(
                f"summary.json says {key} = {summary[key]:,}, but {where} add up to "
                f"{total():,.6g}: the plan's files do not belong together (edited, or copied "
                "from different runs)",
                source=f"{folder}/summary.json",
                field=key,
            )
    costs = summary.get("costs")
    if costs and "total_cost" in summary and summary["total_cost"] is not None:
        parts = float(sum(costs.values()))  # each part of the objective, pounds a year
        if not _close(float(summary["total_cost"]), parts):
            raise InputError(
                f"total_cost = {summary['total_cost']:,.0f} is not the sum of costs ({parts:,.0f})",
                source=f"{folder}/summary.json",
                field="total_cost",
            )


def check_links(tables: dict[str, pd.DataFrame | None], folder: str) -> None:
    """Raise an :class:`InputError` for a row naming a site, zone or hub the plan lacks, a
    site whose ``open`` disagrees with its scanners, or scans sent to a closed site."""
    sites, demand = tables["sites"], tables["demand"]
    equipped = (sites["fixed_scanners"] > 0) | (sites["mobile_days"] > 0)
    _rows_where(
        sites["open"].to_numpy(bool) != equipped.to_numpy(bool),
        f"{folder}/sites.csv",
        "open",
        "open must be True exactly when the site has static scanners or mobile days",
    )
    site_ids, open_ids = set(sites["site_id"]), set(sites.loc[sites["open"], "site_id"])
    references = [
        ("assignments", "demand_id", set(demand["demand_id"]), "a demand zone not in demand.csv"),
        ("assignments", "site_id", site_ids, "a site not in sites.csv"),
        ("assignments", "site_id", open_ids, "a site the plan does not open"),
        ("phasing", "site_id", site_ids, "a site not in sites.csv"),
        ("resilience", "site_id", site_ids, "a site not in sites.csv"),
    ]
    if tables.get("hubs") is not None and "hub_id" in sites:
        references.append(
            ("sites", "hub_id", set(tables["hubs"]["hub_id"]), "a hub not in hubs.csv")
        )
    if tables.get("suppliers") is not None and "supplier_id" in sites:
        references.append(
            ("sites", "supplier_id", set(tables["suppliers"]["supplier_id"]),
             "a supplier not in suppliers.csv")
        )  # fmt: skip
    for table, column, known, what in references:
        frame = tables.get(table)
        if frame is None:
            continue
        values = frame[column]
        unknown = values.notna() & ~values.isin(known)
        _rows_where(unknown.to_numpy(bool), f"{folder}/{table}.csv", column, f"names {what}",
                    values)  # fmt: skip


def _rows_where(bad: np.ndarray, source: str, field: str, message: str, values=None) -> None:
    if bad.any():
        rows = (np.flatnonzero(bad) + 1).tolist()
        shown = "" if values is None else f"{values.iloc[rows[0] - 1]!r} "
        raise InputError(f"{shown}{message}".strip(), source=source, row=rows, field=field)
