"""Read a planner's own demand zones, sites, hubs and suppliers (CSV, GeoPackage, GeoParquet).

Every reader returns the columns of the matching embedded table (:mod:`planner.data.embedded`),
fills optional columns with defaults, and raises :class:`planner.errors.InputError` naming the file,
row and column for anything it cannot use. Nothing is dropped silently: rows left out on purpose
(zero population) are listed in a warning.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyproj

from planner import settings
from planner.data import checks as check
from planner.data import deprivation
from planner.errors import InputError

PathLike = str | os.PathLike

ID_COLUMNS = ("zone_id", "LSOA21CD", "MSOA21CD", "LSOA11CD", "MSOA11CD", "OA21CD", "code", "id")
NAME_COLUMNS = ("name", "LSOA21NM", "MSOA21NM", "LSOA11NM", "MSOA11NM")
POPULATION_COLUMNS = ("population", "Population", "POPULATION", "pop", "POP", "Total", "total")
LAT_COLUMNS = ("lat", "latitude", "LAT", "Latitude", "LATITUDE")
LON_COLUMNS = ("lon", "long", "lng", "longitude", "LON", "LONG", "Longitude", "LONGITUDE")
# ONS population-weighted centroid files give British National Grid metres as x/y or
# easting/northing.
EASTING_COLUMNS = ("easting", "Easting", "EASTING", "x", "X")
NORTHING_COLUMNS = ("northing", "Northing", "NORTHING", "y", "Y")

_SPATIAL = {".gpkg", ".parquet", ".geoparquet"}


def _read_file(path: PathLike) -> tuple[pd.DataFrame, str]:
    """Read a CSV, GeoPackage or (Geo)Parquet file, wrapping every library error."""
    path = Path(path)
    source = str(path)
    if not path.is_file():
        raise InputError(
            "file not found; expected an existing CSV, GeoPackage or GeoParquet file", source=source
        )
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".txt"):
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
        elif suffix == ".gpkg":
            frame = gpd.read_file(path)
        elif suffix in (".parquet", ".geoparquet"):
            try:
                frame = gpd.read_parquet(path)
            except ValueError:
                # A plain Parquet table without geo metadata: lat/lon or easting/northing columns.
                frame = pd.read_parquet(path)
        else:
            raise InputError(
                f"unsupported file type {suffix!r}; expected .csv, .gpkg, .parquet or .geoparquet",
                source=source,
            )
    except InputError:
        raise
    except pd.errors.EmptyDataError:
        raise InputError(
            "the file is empty; expected a header row and data rows", source=source
        ) from None
    except Exception as exc:  # pandas, pyogrio and pyarrow each raise their own types
        raise InputError(
            f"could not be read as {suffix.lstrip('.').upper()} ({type(exc).__name__}: {exc})",
            source=source,
        ) from None
    check.require_rows(frame, source)
    return frame.reset_index(drop=True), source


def _pick(frame: pd.DataFrame, wanted: str | None, names: Sequence[str]) -> str | None:
    if wanted is not None:
        return wanted
    return next((n for n in names if n in frame.columns), None)


def _coordinates(frame: pd.DataFrame, source: str) -> tuple[pd.Series, pd.Series]:
    """Return (lat, lon) in EPSG:4326 from lat/lon, easting/northing or a geometry column."""
    lat_col, lon_col = _pick(frame, None, LAT_COLUMNS), _pick(frame, None, LON_COLUMNS)
    if lat_col and lon_col:
        lat = check.numeric_column(frame, lat_col, source, minimum=None)
        lon = check.numeric_column(frame, lon_col, source, minimum=None)
        return lat, lon
    east, north = _pick(frame, None, EASTING_COLUMNS), _pick(frame, None, NORTHING_COLUMNS)
    if east and north:
        e = check.numeric_column(frame, east, source, minimum=0)
        n = check.numeric_column(frame, north, source, minimum=0)
        far = (e > 700_000) | (n > 1_300_000)
        if far.any():
            rows = [int(i) + 1 for i in far.to_numpy().nonzero()[0]]
            raise InputError(
                f"found {east}={e[far].iloc[0]:g}, {north}={n[far].iloc[0]:g}; expected British "
                "National Grid metres (EPSG:27700), easting 0..700000 and northing 0..1300000",
                source=source,
                row=rows[0] if len(rows) == 1 else rows,
                field=f"{east}/{north}",
            )
        lon, lat = pyproj.Transformer.from_crs(
            settings.BNG, settings.CRS, always_xy=True
        ).transform(e.to_numpy(), n.to_numpy())
        return pd.Series(lat, index=frame.index), pd.Series(lon, index=frame.index)
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns:
        return _geometry_points(frame, source)
    raise InputError(
        "no coordinates found; expected columns lat/lon (EPSG:4326), easting/northing "
        "(EPSG:27700) or a geometry column in a GeoPackage/GeoParquet file; "
        f"found columns {', '.join(map(str, frame.columns))}",
        source=source,
        field="lat/lon",
    )


def _geometry_points(frame: gpd.GeoDataFrame, source: str) -> tuple[pd.Series, pd.Series]:
    field = frame.geometry.name
    if frame.crs is None:
        raise InputError(
            "the geometry has no CRS; expected a file with its coordinate reference system "
            "(e.g. EPSG:27700 or EPSG:4326)",
            source=source,
            field=field,
        )
    missing = frame.geometry.isna() | frame.geometry.is_empty
    if missing.any():
        rows = [int(i) + 1 for i in missing.to_numpy().nonzero()[0]]
        raise InputError(
            "found an empty geometry; expected a point or polygon",
            source=source,
            row=rows[0] if len(rows) == 1 else rows,
            field=field,
        )
    kinds = frame.geometry.geom_type
    bad = ~kinds.isin(["Point", "Polygon", "MultiPolygon"])
    if bad.any():
        rows = [int(i) + 1 for i in bad.to_numpy().nonzero()[0]]
        raise InputError(
            f"found geometry type {kinds[bad].iloc[0]}; expected points or polygons",
            source=source,
            row=rows[0] if len(rows) == 1 else rows,
            field=field,
        )
    # A polygon's representative point is always inside it, unlike its centroid.
    points = frame.geometry.where(kinds == "Point", frame.geometry.representative_point())
    try:
        points = gpd.GeoSeries(points, crs=frame.crs).to_crs(settings.CRS)
    except (pyproj.exceptions.CRSError, ValueError) as exc:
        raise InputError(
            f"the CRS {frame.crs} cannot be converted to EPSG:4326 ({exc})",
            source=source,
            field=field,
        ) from None
    return pd.Series(points.y, index=frame.index), pd.Series(points.x, index=frame.index)


def _text(frame: pd.DataFrame, column: str, default: str = "") -> pd.Series:
    if column not in frame.columns:
        return pd.Series(default, index=frame.index, dtype=str)
    return frame[column].astype("string").fillna(default).str.strip().astype(str)


def _points(table: pd.DataFrame) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        table, geometry=gpd.points_from_xy(table["lon"], table["lat"]), crs=settings.CRS
    )


def _located(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """lat, lon, region, ICB and sub-ICB of every row, raising on any point outside England."""
    lat, lon = _coordinates(frame, source)
    located = pd.DataFrame({"lat": lat, "lon": lon}, index=frame.index)
    lat_name = _pick(frame, None, LAT_COLUMNS) or "lat"
    lon_name = _pick(frame, None, LON_COLUMNS) or "lon"
    from_geometry = not (_pick(frame, None, LAT_COLUMNS) or _pick(frame, None, EASTING_COLUMNS))
    try:
        areas = check.areas_in_england(located, source, lat=lat_name, lon=lon_name)
        located = located.join(areas)
    except InputError as exc:
        if not from_geometry:
            raise
        # The file's geometry, read in the CRS it declares, lands outside England: most often
        # the declared CRS is not the one the coordinates are in.
        raise InputError(
            f"{exc.message}; the file declares its CRS as {frame.crs.to_string()}: check that "
            "the coordinates are in that CRS",
            source=source,
            row=exc.row,
            field=frame.geometry.name,
        ) from None
    return located


def read_demand_zones(
    path: PathLike,
    *,
    id_column: str | None = None,
    population_column: str | None = None,
    name_column: str | None = None,
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
        column, non-numeric or negative population, duplicate id, point outside England,
        geometry without CRS, an IMD decile that is not a whole number from 1 to 10.
    """
    frame, source = _read_file(path)
    id_col = _pick(frame, id_column, ID_COLUMNS)
    pop_col = _pick(frame, population_column, POPULATION_COLUMNS)
    check.require_columns(frame, [id_column or id_col or "zone_id"], source)
    check.require_columns(frame, [population_column or pop_col or "population"], source)
    assert id_col is not None and pop_col is not None  # require_columns raised otherwise
    check.unique_ids(frame, id_col, source)
    population = check.numeric_column(frame, pop_col, source, minimum=0)
    located = _located(frame, source)
    ids = _text(frame, id_col)
    name_col = _pick(frame, name_column, NAME_COLUMNS)
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


def read_sites(path: PathLike) -> gpd.GeoDataFrame:
    """Read existing or candidate scanner sites.

    Parameters
    ----------
    path
        CSV, GeoPackage or GeoParquet with ``site_id``, ``name`` and coordinates (as for
        :func:`read_demand_zones`). Optional columns and their defaults: ``town`` (empty),
        ``scanners`` (unknown), ``kind`` (``fixed``; or ``mobile``), ``operator`` (empty),
        ``precision`` (empty), ``phase1_network`` (False), ``source`` (the file name).
        ``region_code``, ``icb_code`` and ``sicbl_code`` are always recomputed from the
        coordinates.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns of :func:`planner.data.embedded.load_sites`, EPSG:4326.
    """
    frame, source = _read_file(path)
    check.require_columns(frame, ["site_id", "name"], source)
    check.unique_ids(frame, "site_id", source)
    located = _located(frame, source)
    scanners = (
        check.numeric_column(frame, "scanners", source, minimum=0, allow_missing=True)
        if "scanners" in frame.columns
        else pd.Series(float("nan"), index=frame.index)
    )
    if ((scanners.dropna() % 1) != 0).any():
        bad = scanners.notna() & (scanners % 1 != 0)
        rows = [int(i) + 1 for i in bad.to_numpy().nonzero()[0]]
        raise InputError(
            f"found {scanners[bad].iloc[0]:g}; expected a whole number of scanners",
            source=source,
            row=rows[0] if len(rows) == 1 else rows,
            field="scanners",
        )
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
            "phase1_network": phase1.astype(bool),
            "source": _text(frame, "source", source).replace("", source),
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
    frame, source = _read_file(path)
    check.require_columns(frame, ["hub_id", "name"], source)
    check.unique_ids(frame, "hub_id", source)
    located = _located(frame, source)
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
    frame, source = _read_file(path)
    check.require_columns(frame, ["supplier_id", "name"], source)
    check.unique_ids(frame, "supplier_id", source)
    located = _located(frame, source)
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
