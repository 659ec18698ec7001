"""Open a planner's table file (CSV, GeoPackage, GeoParquet) with errors a planner can act on.

pandas, pyogrio and pyarrow each fail in their own words: a byte offset into a decoding buffer,
a tokeniser's line count, GDAL's advice on driver prefixes. Here each failure a planner can cause
is an :class:`~planner.errors.InputError` naming the file, and the row and field where there is
one: a folder given as a file, an empty file, a file that is not what its suffix says, text that
is not UTF-8, a row with too many fields, a GeoPackage with several layers and none named.

A GeoPackage layer is named after the file, ``zones.gpkg:lsoa_2021`` (GDAL's own
``file:layer`` form), so that a scenario's data keys stay one path each.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from pathlib import Path

import pandas as pd

from planner.errors import InputError

PathLike = str | os.PathLike

#: The first bytes of every GeoPackage (an SQLite 3 database) and of every Parquet file.
_SQLITE_MAGIC = b"SQLite format 3\x00"
_PARQUET_MAGIC = b"PAR1"
_LAYER = re.compile(r"(?P<file>.+\.gpkg):(?P<layer>[^:/\\]+)", re.IGNORECASE)
_TOO_MANY = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def split_layer(path: PathLike) -> tuple[Path, str | None]:
    """The file and the layer of ``zones.gpkg:layer`` (the layer is ``None`` without one)."""
    text = os.fspath(path)
    match = _LAYER.fullmatch(text)
    if match is None or Path(text).exists():
        return Path(text), None
    return Path(match["file"]), match["layer"]


def require_file(path: Path, source: str, expected: str) -> None:
    """Raise unless ``path`` is an existing file (a folder and a missing file are told apart)."""
    if path.is_dir():
        inside = sorted(p.name for p in path.iterdir() if p.is_file())[:5]
        found = f"; it holds {', '.join(inside)}" if inside else "; it holds no files"
        raise InputError(
            f"this is a folder, not a file{found}; expected {expected}: name the file itself",
            source=source,
        )
    if not path.exists():
        raise InputError(f"file not found; expected {expected}", source=source)
    if not path.is_file():
        raise InputError(f"not a regular file; expected {expected}", source=source)


def decode_csv(raw: bytes, source: str) -> str:
    """``raw`` as UTF-8 text (a byte-order mark allowed), else an error naming row and byte."""
    body = raw.removeprefix(codecs.BOM_UTF8)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = body[: exc.start]
        line = before.count(b"\n") + 1
        line_start = before.rfind(b"\n") + 1
        column = before[line_start:].count(b",")
        header = body.split(b"\n", 1)[0].decode("utf-8", errors="replace").rstrip("\r")
        names = next(csv.reader([header]), [])
        byte = body[exc.start]
        shown = bytes([byte]).decode("cp1252", errors="replace")
        where = "the header row" if line == 1 else f"line {line}"
        raise InputError(
            f"byte 0x{byte:02X} ({shown!r} in Latin-1/Windows-1252) in {where} is not UTF-8 "
            f"text (byte {exc.start + len(raw) - len(body) + 1} of the file); expected UTF-8: "
            "save the file as UTF-8 (in Excel: 'CSV UTF-8')",
            source=source,
            row=line - 1 if line > 1 else None,
            field=names[column] if line > 1 and column < len(names) else None,
        ) from None


def read_csv_text(path: Path, source: str, **options) -> pd.DataFrame:
    """Read a CSV file as UTF-8, naming the row of a decoding or field-count problem.

    ``options`` go to :func:`pandas.read_csv`.
    """
    raw = path.read_bytes()
    if not raw.strip():
        raise InputError(
            f"the file is empty ({len(raw)} bytes); expected a header row and data rows",
            source=source,
        )
    text = decode_csv(raw, source)
    try:
        return pd.read_csv(io.StringIO(text), **options)
    except pd.errors.EmptyDataError:
        raise InputError(
            "the file is empty; expected a header row and data rows", source=source
        ) from None
    except pd.errors.ParserError as exc:
        match = _TOO_MANY.search(str(exc))
        if match is None:
            raise InputError(f"could not be read as CSV ({exc})", source=source) from None
        expected, line, found = (int(g) for g in match.groups())
        raise InputError(
            f"found {found} fields, expected {expected} (as many as the header has); a value "
            "holding a comma must be in double quotes",
            source=source,
            row=line - 1,
        ) from None


def _check_magic(path: Path, source: str, magic: bytes, kind: str, advice: str) -> None:
    with path.open("rb") as handle:
        start = handle.read(max(len(magic), 32))
    if not start:
        raise InputError(f"the file is empty (0 bytes); expected a {kind}", source=source)
    if not start.startswith(magic):
        text = start.decode("utf-8", errors="replace")
        looks = (
            " (it starts as text: a CSV or other text file renamed?)"
            if "".join(text.split()).isprintable()
            else ""
        )
        raise InputError(f"not a {kind}{looks}; {advice}", source=source)


def _read_geopackage(path: Path, layer: str | None, source: str):
    import geopandas as gpd
    import pyogrio

    _check_magic(
        path,
        source,
        _SQLITE_MAGIC,
        "GeoPackage",
        "a GeoPackage is an SQLite database: save the layer from QGIS or ogr2ogr as GeoPackage, "
        "or give a CSV file the .csv suffix",
    )
    layers = [str(name) for name in pyogrio.list_layers(path)[:, 0]]
    if not layers:
        raise InputError("the GeoPackage has no layers; expected one table", source=source)
    if layer is None and len(layers) > 1:
        raise InputError(
            f"the GeoPackage has {len(layers)} layers ({', '.join(layers)}); name the one to "
            f'read after the file, as "{path.name}:{layers[0]}" (in a scenario\'s [data] '
            "section too)",
            source=source,
        )
    if layer is not None and layer not in layers:
        raise InputError(
            f"no layer {layer!r} in the GeoPackage; expected one of {', '.join(layers)}",
            source=source,
        )
    return gpd.read_file(path, layer=layer or layers[0])


def _read_parquet(path: Path, source: str) -> pd.DataFrame:
    import geopandas as gpd

    _check_magic(
        path, source, _PARQUET_MAGIC, "Parquet file", "save the table as Parquet or as CSV"
    )
    try:
        return gpd.read_parquet(path)
    except ValueError:
        # A plain Parquet table without geo metadata: lat/lon or easting/northing columns.
        return pd.read_parquet(path)


def read_table(path: PathLike) -> tuple[pd.DataFrame, str]:
    """Read a CSV, GeoPackage (``file.gpkg`` or ``file.gpkg:layer``) or (Geo)Parquet file.

    Returns
    -------
    (pandas.DataFrame, str)
        The table (CSV cells as text, empty cells NaN), index 0..n-1, and the file's name for
        messages.

    Raises
    ------
    planner.errors.InputError
        Naming the file, and the row and field where there is one.
    """
    file, layer = split_layer(path)
    source = os.fspath(path)
    require_file(file, source, "a CSV, GeoPackage or GeoParquet file")
    suffix = file.suffix.lower()
    if layer is not None and suffix != ".gpkg":
        raise InputError("only a GeoPackage (.gpkg) has layers to name", source=source)
    try:
        if suffix in (".csv", ".txt"):
            frame = read_csv_text(file, source, dtype=str, keep_default_na=False, na_values=[""])
        elif suffix == ".gpkg":
            frame = _read_geopackage(file, layer, source)
        elif suffix in (".parquet", ".geoparquet"):
            frame = _read_parquet(file, source)
        else:
            raise InputError(
                f"unsupported file type {suffix!r}; expected .csv, .gpkg, .parquet or .geoparquet",
                source=source,
            )
    except InputError:
        raise
    except Exception as exc:  # pandas, pyogrio and pyarrow each raise their own types
        raise InputError(
            f"could not be read as {suffix.lstrip('.').upper()} ({type(exc).__name__}: {exc})",
            source=source,
        ) from None
    if len(frame) == 0:
        raise InputError("the file has no data rows; expected at least one", source=source)
    return frame.reset_index(drop=True), source
