"""Headings and number formats of the plan's tables, for the workbook and the HTML report.

A plan's tables keep short machine names (``assigned_scans``, ``share_within_60``), which
``summary.json`` and the CSV files keep too; what a board reads says "Scans a year assigned"
and "Population within 60 min", with pounds as pounds and shares as percentages. One table
here gives each known column its heading and its kind; each kind has an Excel number format
and a text format, so ``report.xlsx`` and ``report.html`` agree. A column not listed (a
planner's own, or one added later) gets its name in words and a kind read from its values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Kind:
    """How values of one kind are shown: an Excel number format and a Python format."""

    excel: str
    text: str

    def show(self, value) -> str:
        """``value`` as text; empty for a missing value."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return ""
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, int | float):
            return self.text.format(value)
        return str(value)


KINDS = {
    "text": Kind("General", "{}"),
    "count": Kind("#,##0", "{:,.0f}"),
    "whole": Kind("0", "{:.0f}"),
    "money": Kind('"£"#,##0', "£{:,.0f}"),
    "share": Kind("0.0%", "{:.1%}"),
    "gap": Kind("0.00%", "{:.2%}"),
    "minutes": Kind("0.0", "{:.1f}"),
    "seconds": Kind("0.0", "{:.1f}"),
    "degrees": Kind("0.0000", "{:.4f}"),
    "number": Kind("#,##0.00", "{:,.2f}"),
    "yes_no": Kind("General", "{}"),
}

#: Column -> (heading, kind), for every table of a plan.
COLUMNS: dict[str, tuple[str, str]] = {
    # ids, names, places
    "site_id": ("Site id", "text"),
    "demand_id": ("Demand zone id", "text"),
    "hub_id": ("Training hub id", "text"),
    "supplier_id": ("FDG supplier id", "text"),
    "name": ("Name", "text"),
    "town": ("Town", "text"),
    "operator": ("Operator", "text"),
    "status": ("Status", "text"),
    "precision": ("Location precision", "text"),
    "source": ("Source", "text"),
    "postcode": ("Postcode", "text"),
    "region_code": ("Region code", "text"),
    "region_name": ("Region", "text"),
    "icb_code": ("ICB code", "text"),
    "sicbl_code": ("Sub-ICB location code", "text"),
    "level": ("Level", "text"),
    "code": ("Code", "text"),
    "lat": ("Latitude", "degrees"),
    "lon": ("Longitude", "degrees"),
    # sites
    "existing": ("Existing site", "yes_no"),
    "existing_scanners": ("Static scanners today", "whole"),
    "existing_kind": ("Kind today", "text"),
    "open": ("Open", "yes_no"),
    "new_site": ("New site", "yes_no"),
    "fixed_scanners": ("Static scanners", "whole"),
    "mobile_days": ("Mobile-unit days a week", "whole"),
    "capacity_scans": ("Capacity (scans a year)", "count"),
    "assigned_scans": ("Scans a year assigned", "count"),
    "utilisation": ("Utilisation", "share"),
    "hub_name": ("Training hub", "text"),
    "hub_minutes": ("Minutes to its hub", "minutes"),
    "supplier_name": ("FDG supplier", "text"),
    "supplier_minutes": ("Minutes from its FDG supplier", "minutes"),
    "open_year": ("Opens in planning year", "whole"),
    # demand zones, assignments
    "population": ("Population", "count"),
    "scans": ("Scans a year", "count"),
    "demand_scans": ("Scans a year", "count"),
    "unmet_scans": ("Unmet scans a year", "count"),
    "minutes": ("Travel (min)", "minutes"),
    "nearest_static_minutes": ("Minutes to the nearest static scanner", "minutes"),
    "today_static_minutes": ("Minutes to the nearest static scanner today", "minutes"),
    "imd_decile": ("IMD decile (1 = most deprived)", "whole"),
    # regions, areas, deciles
    "zones": ("Demand zones", "count"),
    "mean_travel_minutes": ("Mean travel (min)", "minutes"),
    "mean_minutes": ("Mean travel (min)", "minutes"),
    "share_within_60": ("Population within 60 min", "share"),
    "share_within_access": ("Population within the access time", "share"),
    "today_share_within_access": ("Population within the access time today", "share"),
    "access_minutes": ("Access time (min)", "minutes"),
    # hubs, suppliers
    "is_christie": ("The Christie", "yes_no"),
    "trainee_places": ("Trainee places given", "count"),
    "trainee_capacity": ("Trainee places", "count"),
    "trainee_load": ("Trainee load", "count"),
    "linked_sites": ("Linked sites", "whole"),
    "scanners": ("Static scanners", "whole"),
    "network_scans": ("Scans a year in its network", "count"),
    "linked_site_ids": ("Linked site ids", "text"),
    "sites_supplied": ("Open sites supplied", "whole"),
    # phasing
    "year": ("Planning year", "whole"),
    "sites_open": ("Sites open", "whole"),
    "scanners_fixed": ("Static scanners", "whole"),
    "mobile_days_per_week": ("Mobile-unit days a week", "whole"),
    # costs
    "item": ("Item", "text"),
    "yearly_cost": ("Yearly cost (£)", "money"),
    # resilience
    "rank": ("Rank", "whole"),
    "static_scanners": ("Static scanners", "whole"),
    "scans_served": ("Scans a year it serves", "count"),
    "scans_moved": ("Scans a year moved to other sites", "count"),
    "scans_unabsorbed": ("Scans a year no other site could take", "count"),
    "extra_minutes_total": ("Extra minutes a year, all patients", "count"),
    "extra_minutes_per_moved_scan": ("Extra minutes per moved scan", "minutes"),
    "people_losing_access": ("People losing access within the target", "count"),
    "access_share_after": ("Share within the access minutes after", "share"),
}


def heading(column: str) -> str:
    """The heading of ``column``: its entry in :data:`COLUMNS`, else its name in words."""
    known = COLUMNS.get(column)
    if known is not None:
        return known[0]
    words = str(column).replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def kind_of(column: str, values: pd.Series | None = None) -> Kind:
    """The kind of ``column``: its entry in :data:`COLUMNS`, else read from its values."""
    known = COLUMNS.get(column)
    if known is not None:
        return KINDS[known[1]]
    if values is None:
        return KINDS["text"]
    if pd.api.types.is_bool_dtype(values):
        return KINDS["yes_no"]
    if pd.api.types.is_integer_dtype(values):
        return KINDS["count"]
    if pd.api.types.is_float_dtype(values):
        return KINDS["number"]
    return KINDS["text"]


def shown(frame: pd.DataFrame, headings: dict[str, str] | None = None) -> pd.DataFrame:
    """``frame`` as text under its headings (``headings`` replaces some, by column), each
    value formatted by its column's kind."""
    headings = headings or {}
    return pd.DataFrame(
        {
            headings.get(c, heading(c)): [kind_of(c, frame[c]).show(v) for v in frame[c].tolist()]
            for c in frame.columns
        }
    )
