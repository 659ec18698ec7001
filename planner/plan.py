"""The plan: what a solved network model says, as tables a planner can read, save and map.

A :class:`Plan` holds plain pandas tables (sites, demand zones, assignments, regions, and when the
model has them, hubs and FDG suppliers) plus a ``summary`` dict of headline figures and the
solver's report. It is written to and read from a folder, so that maps and reports can be redrawn
from a saved plan without solving again:

``summary.json``
    status, mip_gap, objective, sites_open, scanners_fixed, mobile_days_per_week, demand_scans,
    unmet_scans, mean_travel_minutes, share_within_minutes {"30","45","60","90"}, solver,
    solve_seconds, and more (scenario name and title, access target); the board's figures
    (:mod:`planner.analysis.figures`): ``costs`` (pounds a year per part of the objective),
    ``total_cost`` (their sum: the objective of a one-year plan), ``annual_cost`` (the
    service's part), ``cost_basis`` (unit costs), ``capital`` (one-off), ``today`` and
    ``changes`` (today's network against the plan), ``headroom``.
``sites.csv``
    site_id, name, lat, lon, existing, open, fixed_scanners, mobile_days, capacity_scans,
    assigned_scans, utilisation (+ region_code, hub_id, supplier_id when known).
``assignments.csv``
    demand_id, site_id, scans, minutes.
``demand.csv``
    demand_id, name, region_code (+ icb_code, sicbl_code, imd_decile when known), lat, lon,
    population, scans, assigned_scans, unmet_scans, nearest_static_minutes,
    today_static_minutes (to the nearest existing site with a static scanner today).
``regions.csv``
    region_code, region_name, population, demand_scans, unmet_scans, mean_travel_minutes,
    share_within_60 (the access measure per region).
``areas.csv``
    level (``region`` or ``icb``), code, name, zones, population, scans, assigned_scans,
    unmet_scans, share_within_access, share_within_60, mean_minutes, access_minutes: the same
    measures by ONS region and by Integrated Care Board.
``equity.csv``
    the same measures by deprivation decile (imd_decile, ..., today_share_within_access), when
    the demand zones carry one (:func:`planner.analysis.equity.deprivation_table`).
``hubs.csv`` / ``suppliers.csv`` / ``phasing.csv`` / ``resilience.csv``
    only when the model placed training hubs, checked tracer supply, planned several years,
    or an N-1 analysis was run (``resilience.csv``: one ranked row per open site, columns
    :data:`planner.analysis.n_minus_1.COLUMNS`).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from planner.headline import summary_text
from planner.plan_files.cells import write_csv
from planner.plan_files.loader import read_plan_folder
from planner.scenario import Scenario

#: Travel-time thresholds (minutes) reported in every plan; 60 is the partnership's access target
#: (98% of people within a 1-hour drive of a static scanner, Alliance Medical case study, 2015-16);
#: 45 is the National Radiotherapy Advisory Group benchmark (2007); 30 and 90 bracket them.
REPORTED_THRESHOLDS = (30, 45, 60, 90)


@dataclass(frozen=True)
class Provenance:
    """How a plan was made, for its run manifest (not saved with the plan's tables).

    Attributes
    ----------
    scenario
        The scenario as validated, overrides applied (its ``file`` is the TOML it came from).
    timings
        Seconds per step: ``inputs``, ``build``, ``solve`` and each post-solve analysis run.
    """

    scenario: Scenario
    timings: dict[str, float]


#: The tables a saved plan's folder may hold, each as ``NAME.csv``.
PLAN_TABLES = (
    "sites",
    "assignments",
    "demand",
    "regions",
    "areas",
    "equity",
    "hubs",
    "suppliers",
    "phasing",
    "resilience",
)
_OPTIONAL_TABLES = ("areas", "equity", "hubs", "suppliers", "phasing", "resilience")


@dataclass
class Plan:
    """A solved PET-CT network plan.

    Attributes
    ----------
    summary
        Headline figures and the solver's status and gap (see the module docstring).
    sites, assignments, demand, regions
        The plan's tables (see the module docstring for their columns).
    areas
        Access and travel by ONS region and by ICB (:func:`planner.analysis.access.area_table`);
        ``None`` for a plan saved before it existed.
    equity
        Access and travel by deprivation decile
        (:func:`planner.analysis.equity.deprivation_table`), when the demand zones carry one.
    hubs, suppliers
        Training hubs and FDG suppliers, when the model had them, else ``None``.
    phasing
        Per planning year and site: open, fixed_scanners, mobile_days (multi-year plans).
    resilience
        N-1 analysis: per open site, the scans no other site could absorb and the extra travel
        if it closed (see :func:`planner.analysis.n_minus_1.n_minus_1`).
    provenance
        The scenario and timings of the run that made the plan (:func:`planner.run` sets it;
        ``None`` for a plan loaded from a folder or built otherwise).
    """

    summary: dict
    sites: pd.DataFrame
    assignments: pd.DataFrame
    demand: pd.DataFrame
    regions: pd.DataFrame
    areas: pd.DataFrame | None = None
    equity: pd.DataFrame | None = None
    hubs: pd.DataFrame | None = None
    suppliers: pd.DataFrame | None = None
    phasing: pd.DataFrame | None = None
    resilience: pd.DataFrame | None = None
    provenance: Provenance | None = None

    # -- convenience --------------------------------------------------------------------------
    @property
    def status(self) -> str:
        return self.summary["status"]

    @property
    def is_optimal(self) -> bool:
        return self.summary["status"] == "optimal"

    @property
    def title(self) -> str:
        return self.summary.get("title") or self.summary.get("scenario") or "PET-CT network plan"

    @property
    def open_sites(self) -> pd.DataFrame:
        return self.sites[self.sites["open"]]

    def summary_text(self, verbose: bool = False) -> str:
        """The headline figures, as ``planner run`` prints them (:mod:`planner.headline`);
        ``verbose`` adds the solver's figures and the model's size."""
        return summary_text(self.summary, verbose=verbose)

    def sites_gdf(self) -> gpd.GeoDataFrame:
        """Sites as a GeoDataFrame of points in EPSG:4326."""
        return _points(self.sites)

    def demand_gdf(self) -> gpd.GeoDataFrame:
        """Demand zones as a GeoDataFrame of points in EPSG:4326."""
        return _points(self.demand)

    def hubs_gdf(self) -> gpd.GeoDataFrame | None:
        """Training hubs as a GeoDataFrame of points in EPSG:4326, if the plan has hubs."""
        return None if self.hubs is None else _points(self.hubs)

    def suppliers_gdf(self) -> gpd.GeoDataFrame | None:
        """FDG suppliers as a GeoDataFrame of points in EPSG:4326, if the plan has them."""
        return None if self.suppliers is None else _points(self.suppliers)

    # -- persistence --------------------------------------------------------------------------
    def save(self, folder: str | os.PathLike) -> Path:
        """Write the plan's files into ``folder`` atomically and return its path.

        Files are written into a temporary folder beside ``folder`` and moved into place only
        when all are written, so a crash never leaves a half-written plan. Other files already
        in ``folder`` (a map, a manifest) are kept.
        """
        folder = Path(folder)
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".plan-", dir=folder.parent))
        try:
            with open(staging / "summary.json", "w", encoding="utf-8") as fh:
                json.dump(_jsonable(self.summary), fh, indent=2, sort_keys=False)
                fh.write("\n")
            for name in PLAN_TABLES:
                table = getattr(self, name)
                if table is not None:
                    write_csv(table, staging / f"{name}.csv")
            folder.mkdir(exist_ok=True)
            for item in staging.iterdir():
                os.replace(item, folder / item.name)
            for name in _OPTIONAL_TABLES:
                if getattr(self, name) is None and (folder / f"{name}.csv").exists():
                    (folder / f"{name}.csv").unlink()  # left from an earlier plan in this folder
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return folder

    @classmethod
    def load(cls, folder: str | os.PathLike) -> Plan:
        """Read a plan written by :meth:`save`, every file checked
        (:func:`planner.plan_files.loader.read_plan_folder`).

        Raises
        ------
        InputError
            If a file is missing, damaged or disagrees with ``summary.json``; the message names
            the file, row and column.
        """
        summary, tables = read_plan_folder(folder)
        return cls(summary=summary, **tables)


def _points(table: pd.DataFrame) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        table.copy(), geometry=gpd.points_from_xy(table["lon"], table["lat"]), crs="EPSG:4326"
    )


def _jsonable(value):
    """Turn numpy scalars into plain JSON values, NaN and infinities into null."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):  # NaN, or no figure (inf)
        return None
    return value
