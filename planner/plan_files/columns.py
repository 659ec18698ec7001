"""What each file of a saved plan must hold: its columns, their types and allowed values.

:mod:`planner.plan_files.loader` reads a plan folder against these: a required column that is
missing, a cell of the wrong type (``fixed_scanners = one``, ``open = no``), a value out of range
(a negative scan count, a latitude of 200) or a duplicate id is an
:class:`~planner.errors.InputError` naming the file, the row and the column. Columns not listed
here (an input table's own columns carried into ``sites.csv``) are read as numbers when every
cell is one, else as text.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Column:
    """One column of a saved plan's table.

    Attributes
    ----------
    kind
        ``text``, ``flag`` (True or False), ``count`` (a whole number) or ``number``.
    required
        Whether the file must have the column.
    empty
        Whether a cell may be empty (text: NaN; numbers: NaN).
    low, high
        Bounds on numbers (inclusive), if any.
    unique
        Whether each value may appear once only (the table's key).
    choices
        The allowed values of a text column, if only some are.
    """

    kind: str
    required: bool = True
    empty: bool = False
    low: float | None = None
    high: float | None = None
    unique: bool = False
    choices: tuple[str, ...] | None = None

    def optional(self) -> Column:
        """The same column, which a file may leave out."""
        return replace(self, required=False)


#: Shares are fractions of 1; a little above it is a sum's rounding.
_SHARE_HIGH = 1.0 + 1e-6

KEY = Column("text", unique=True)
ID = Column("text")
NAME = Column("text", empty=True)
TEXT = Column("text", required=False, empty=True)
FLAG = Column("flag")
COUNT = Column("count", low=0)
AMOUNT = Column("number", low=0)
LAT = Column("number", low=-90, high=90)
LON = Column("number", low=-180, high=180)
MINUTES = Column("number", empty=True, low=0)
SHARE = Column("number", empty=True, low=0, high=_SHARE_HIGH)

#: The measures of ``areas.csv`` (per region and ICB) and ``equity.csv`` (per decile).
_AREA_MEASURES = {
    "zones": COUNT,
    "population": AMOUNT,
    "scans": AMOUNT,
    "assigned_scans": AMOUNT,
    "unmet_scans": AMOUNT,
    "share_within_access": SHARE,
    "share_within_60": SHARE,
    "mean_minutes": MINUTES,
    "access_minutes": MINUTES,
}

#: Columns per table (file ``<table>.csv``); see :mod:`planner.plan` for what each holds.
TABLES: dict[str, dict[str, Column]] = {
    "sites": {
        "site_id": KEY,
        "name": NAME,
        "lat": LAT,
        "lon": LON,
        "existing": FLAG,
        "open": FLAG,
        "fixed_scanners": COUNT,
        "mobile_days": COUNT,
        "capacity_scans": AMOUNT,
        "assigned_scans": AMOUNT,
        "utilisation": Column("number", empty=True, low=0),
        "region_code": TEXT,
        "icb_code": TEXT,
        "sicbl_code": TEXT,
        "existing_scanners": COUNT.optional(),
        "existing_kind": TEXT,
        "new_site": FLAG.optional(),
        "hub_id": TEXT,
        "hub_name": TEXT,
        "hub_minutes": MINUTES.optional(),
        "supplier_id": TEXT,
        "supplier_name": TEXT,
        "supplier_minutes": MINUTES.optional(),
        "tracer_ok": FLAG.optional(),
        "open_year": Column("count", required=False, empty=True, low=0),
    },
    "assignments": {
        "demand_id": ID,
        "site_id": ID,
        "scans": AMOUNT,
        "minutes": Column("number", low=0),
    },
    "demand": {
        "demand_id": KEY,
        "name": NAME,
        "region_code": Column("text", empty=True),
        "icb_code": TEXT,
        "sicbl_code": TEXT,
        "imd_decile": Column("count", required=False, empty=True, low=1, high=10),
        "lat": LAT,
        "lon": LON,
        "population": AMOUNT,
        "scans": AMOUNT,
        "assigned_scans": AMOUNT.optional(),
        "unmet_scans": AMOUNT,
        "nearest_static_minutes": MINUTES,
        "today_static_minutes": MINUTES.optional(),
    },
    "regions": {
        "region_code": KEY,
        "region_name": NAME,
        "population": AMOUNT,
        "demand_scans": AMOUNT,
        "assigned_scans": AMOUNT.optional(),
        "unmet_scans": AMOUNT,
        "mean_travel_minutes": MINUTES,
        "share_within_60": SHARE,
        "share_within_access": SHARE.optional(),
    },
    "areas": {
        "level": Column("text", choices=("region", "icb")),
        "code": ID,
        "name": NAME,
        **_AREA_MEASURES,
    },
    "equity": {
        "imd_decile": Column("count", unique=True, low=1, high=10),
        **_AREA_MEASURES,
        "today_share_within_access": SHARE.optional(),
    },
    "hubs": {
        "hub_id": KEY,
        "name": NAME,
        "lat": LAT,
        "lon": LON,
        "open": FLAG,
        "linked_sites": COUNT,
        "scanners": AMOUNT,
        "mobile_days": AMOUNT.optional(),
        "network_scans": AMOUNT,
        "trainee_load": AMOUNT,
        "trainee_capacity": AMOUNT,
        "linked_site_ids": TEXT,
    },
    "suppliers": {
        "supplier_id": KEY,
        "name": NAME,
        "lat": LAT,
        "lon": LON,
        "operator": TEXT,
        "status": TEXT,
        "sites_supplied": COUNT.optional(),
    },
    "phasing": {
        "year": COUNT,
        "site_id": ID,
        "name": NAME,
        "open": FLAG,
        "fixed_scanners": COUNT,
        "mobile_days": COUNT,
        "demand_scans": AMOUNT,
    },
    "resilience": {
        "rank": COUNT,
        "site_id": ID,
        "name": NAME,
        "static_scanners": COUNT,
        "mobile_days": COUNT,
        "scans_served": AMOUNT,
        "scans_moved": AMOUNT,
        "scans_unabsorbed": AMOUNT,
        "extra_minutes_total": Column("number"),
        "extra_minutes_per_moved_scan": Column("number"),
        "people_losing_access": AMOUNT,
        "access_share_after": SHARE,
        "access_minutes": MINUTES,
    },
}
