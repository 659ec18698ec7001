"""Where a planner's table puts its points: lat/lon, easting/northing or a geometry column.

Every reader of :mod:`planner.data.readers` locates its rows here, so the hints are the same for
every file: British National Grid metres in lat/lon columns, degrees in easting/northing columns,
the two columns swapped, a geometry whose declared CRS is not the one its coordinates are in.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj

from planner import settings
from planner.data import checks as check
from planner.data import geography
from planner.errors import InputError

LAT_COLUMNS = ("lat", "latitude", "LAT", "Latitude", "LATITUDE")
LON_COLUMNS = ("lon", "long", "lng", "longitude", "LON", "LONG", "Longitude", "LONGITUDE")
# ONS population-weighted centroid files give British National Grid metres as x/y or
# easting/northing.
EASTING_COLUMNS = ("easting", "Easting", "EASTING", "x", "X")
NORTHING_COLUMNS = ("northing", "Northing", "NORTHING", "y", "Y")
DEGREE_COLUMNS = (*LAT_COLUMNS, *LON_COLUMNS)


def pick(frame: pd.DataFrame, wanted: str | None, names: Sequence[str]) -> str | None:
    if wanted is not None:
        return wanted
    return next((n for n in names if n in frame.columns), None)


def coordinate_columns(frame: pd.DataFrame) -> list[str]:
    """The columns a reader takes its points from (what :func:`located` reads)."""
    lat_col, lon_col = pick(frame, None, LAT_COLUMNS), pick(frame, None, LON_COLUMNS)
    if lat_col and lon_col:
        return [lat_col, lon_col]
    east, north = pick(frame, None, EASTING_COLUMNS), pick(frame, None, NORTHING_COLUMNS)
    if east and north:
        return [east, north]
    return [frame.geometry.name] if isinstance(frame, gpd.GeoDataFrame) else []


def _check_grid(e: pd.Series, n: pd.Series, east: str, north: str, source: str) -> None:
    """Raise on easting/northing values that are not British National Grid metres, with a hint
    when they look like degrees or like the two columns swapped."""
    degrees = (e.abs() <= 180) & (n.abs() <= 90)
    if degrees.all():
        raise InputError(
            f"found {east}={e.iloc[0]:g}, {north}={n.iloc[0]:g}: these look like longitude and "
            "latitude in degrees, not British National Grid metres; name the columns lon/lat "
            f"(EPSG:4326), or give {east}/{north} as eastings/northings (EPSG:27700)",
            source=source,
            row=1,
            field=f"{east}/{north}",
        )
    far = (e < 0) | (n < 0) | (e > 700_000) | (n > 1_300_000)
    if far.any():
        rows = [int(i) + 1 for i in far.to_numpy().nonzero()[0]]
        i = rows[0] - 1
        swapped = 0 <= n.iloc[i] <= 700_000 and 0 <= e.iloc[i] <= 1_300_000
        hint = f"; the values look swapped: is {east!r} the northing?" if swapped else ""
        raise InputError(
            f"found {east}={e.iloc[i]:g}, {north}={n.iloc[i]:g}; expected British "
            f"National Grid metres (EPSG:27700), easting 0..700000 and northing 0..1300000{hint}",
            source=source,
            row=rows[0] if len(rows) == 1 else rows,
            field=f"{east}/{north}",
        )


def _coordinates(frame: pd.DataFrame, source: str) -> tuple[pd.Series, pd.Series]:
    """Return (lat, lon) in EPSG:4326 from lat/lon, easting/northing or a geometry column."""
    lat_col, lon_col = pick(frame, None, LAT_COLUMNS), pick(frame, None, LON_COLUMNS)
    if lat_col and lon_col:
        lat = check.numeric_column(frame, lat_col, source, minimum=None)
        lon = check.numeric_column(frame, lon_col, source, minimum=None)
        return lat, lon
    east, north = pick(frame, None, EASTING_COLUMNS), pick(frame, None, NORTHING_COLUMNS)
    if east and north:
        e = check.numeric_column(frame, east, source, minimum=None)
        n = check.numeric_column(frame, north, source, minimum=None)
        _check_grid(e, n, east, north, source)
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


def located(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """lat, lon, region, ICB and sub-ICB of every row, raising on any point outside England."""
    lat, lon = _coordinates(frame, source)
    located = pd.DataFrame({"lat": lat, "lon": lon}, index=frame.index)
    columns = coordinate_columns(frame)
    grid = len(columns) == 2 and columns[0] in EASTING_COLUMNS
    lat_name, lon_name = columns if len(columns) == 2 and not grid else ("lat", "lon")
    try:
        areas = check.areas_in_england(located, source, lat=lat_name, lon=lon_name)
        located = located.join(areas)
    except InputError as exc:
        if grid:
            raise _grid_outside(frame, columns, exc, source) from None
        if len(columns) != 1:
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


def _grid_outside(
    frame: pd.DataFrame, columns: list[str], exc: InputError, source: str
) -> InputError:
    """The error for an easting/northing point outside England, naming the file's own columns,
    with a hint when the point swapped would be in England."""
    east, north = columns
    rows = exc.row if isinstance(exc.row, list) else [exc.row]
    i = int(rows[0]) - 1
    e, n = float(frame[east].iloc[i]), float(frame[north].iloc[i])
    lon, lat = pyproj.Transformer.from_crs(settings.BNG, settings.CRS, always_xy=True).transform(
        n, e
    )
    swapped = bool(geography.in_england(np.array([lat]), np.array([lon]))[0])
    hint = f"; swapped, the point is in England: is {east!r} the northing?" if swapped else ""
    return InputError(
        f"{exc.message} (from {east}={e:g}, {north}={n:g}, British National Grid){hint}",
        source=source,
        row=exc.row,
        field=f"{east}/{north}",
    )
