"""Comparing two plans: what opens and closes, scanners, coverage, travel and cost.

:func:`measures` sets the headline figures of two plans side by side and :func:`site_changes`
lists the sites open in either plan; :mod:`planner.reports.comparison` writes them up as
``comparison.md`` and ``comparison_sites.csv`` (``planner compare PLAN_A PLAN_B``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.plan import Plan

_MEASURES = [
    ("status", "status", None),
    ("sites_open", "sites open", "{:,.0f}"),
    ("new_sites", "new sites", "{:,.0f}"),
    ("scanners_fixed", "static scanners", "{:,.0f}"),
    ("mobile_days_per_week", "mobile days a week", "{:,.0f}"),
    ("demand_scans", "demand (scans a year)", "{:,.0f}"),
    ("unmet_scans", "unmet scans", "{:,.0f}"),
    ("mean_travel_minutes", "mean travel (min)", "{:.1f}"),
    ("p95_travel_minutes", "95th percentile travel (min)", "{:.1f}"),
    ("mean_utilisation", "mean utilisation", "{:.1%}"),
    ("total_cost", "yearly cost, all parts incl. travel and unmet demand (£)", "{:,.0f}"),
    ("annual_cost", "yearly cost of the service (£)", "{:,.0f}"),
    ("hubs_open", "training hubs", "{:,.0f}"),
]


def _show(value, fmt: str, missing: str = "n/a") -> str:
    return missing if value is None else fmt.format(value)


def measures(a: Plan, b: Plan) -> pd.DataFrame:
    """Headline figures of both plans side by side, with the difference B - A."""
    rows = []
    for key, label, fmt in _MEASURES:
        va, vb = a.summary.get(key), b.summary.get(key)
        if va is None and vb is None:
            continue
        if fmt is None:
            rows.append((label, str(va), str(vb), ""))
            continue
        diff = vb - va if isinstance(va, int | float) and isinstance(vb, int | float) else None
        rows.append((label, _show(va, fmt), _show(vb, fmt), _show(diff, fmt, "")))
    for t in ("30", "45", "60", "90"):
        va = (a.summary.get("share_within_minutes") or {}).get(t)
        vb = (b.summary.get("share_within_minutes") or {}).get(t)
        if va is None or vb is None:
            continue
        rows.append((f"population within {t} min", f"{va:.1%}", f"{vb:.1%}", f"{vb - va:+.1%}"))
    return pd.DataFrame(rows, columns=["measure", "A", "B", "B - A"])


def site_changes(a: Plan, b: Plan, labels: tuple[str, str] = ("A", "B")) -> pd.DataFrame:
    """Sites open in either plan: whether each opened, closed or changed scanners.

    Parameters
    ----------
    a, b
        The two plans.
    labels
        The plans' names: ``change`` says ``opened in <B>`` and ``closed in <B>``, ``resized``
        or ``same``.

    Returns
    -------
    pandas.DataFrame
        ``site_id``, ``change``, ``name``, and per plan (suffix ``_a``, ``_b``) ``open``,
        ``scanners`` (static), ``mobile_days``, ``scans``.
    """
    label_b = str(labels[1])
    cols = ["site_id", "name", "open", "fixed_scanners", "mobile_days", "assigned_scans"]
    sa = a.sites[cols].set_index("site_id")
    sb = b.sites[cols].set_index("site_id")
    ids = sa.index[sa["open"]].union(sb.index[sb["open"]])
    table = pd.DataFrame(index=ids)
    table["name"] = sb["name"].reindex(ids).fillna(sa["name"].reindex(ids))
    for tag, s in (("a", sa), ("b", sb)):
        table[f"open_{tag}"] = s["open"].reindex(ids).fillna(False).astype(bool)
        table[f"scanners_{tag}"] = s["fixed_scanners"].reindex(ids).fillna(0).astype(int)
        table[f"mobile_days_{tag}"] = s["mobile_days"].reindex(ids).fillna(0).astype(int)
        table[f"scans_{tag}"] = s["assigned_scans"].reindex(ids).fillna(0.0)
    change = np.select(
        [
            table["open_a"] & ~table["open_b"],
            ~table["open_a"] & table["open_b"],
            (table["scanners_a"] != table["scanners_b"])
            | (table["mobile_days_a"] != table["mobile_days_b"]),
        ],
        [f"closed in {label_b}", f"opened in {label_b}", "resized"],
        default="same",
    )
    table.insert(1, "change", change)
    return table.rename_axis("site_id").reset_index().sort_values(["change", "name"])
