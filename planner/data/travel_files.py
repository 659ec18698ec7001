"""Travel times computed elsewhere: a long table (CSV or Parquet) or an OSRM ``/table`` response.

A routing engine or a commercial matrix gives better times than the straight-line estimate of
:mod:`planner.data.travel`; either reader returns the same sparse
:class:`~planner.data.travel.TravelMatrix`, and raises :class:`~planner.errors.InputError` naming
the file, row and field for anything it cannot use.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from planner.data import table_files
from planner.data.travel import TravelMatrix
from planner.errors import InputError


def _shown(value) -> str:
    """A cell value for a message: plain numbers and text, 'empty' for a missing value."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "an empty cell"
    if isinstance(value, str) and not value.strip():
        return "an empty cell"
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value)


def _index_ids(found: pd.Series, known: np.ndarray, what: str, source: str) -> np.ndarray:
    lookup = pd.Index(known)
    idx = lookup.get_indexer(found.astype(str))
    unknown = np.flatnonzero(idx < 0)
    if unknown.size:
        rows = (unknown + 1).tolist()
        examples = ", ".join(repr(v) for v in found.iloc[unknown[:5]].astype(str))
        raise InputError(
            f"{unknown.size} unknown {what} id(s), e.g. {examples}; expected the ids of the "
            f"scenario's {'demand zones' if what == 'origin' else 'sites'}",
            source=source,
            row=rows,
            field=found.name,
        )
    return idx.astype(np.int32)


def read_travel_matrix(
    path: str | os.PathLike,
    origin_ids: np.ndarray | list,
    destination_ids: np.ndarray | list,
    *,
    origin_column: str = "origin",
    destination_column: str = "destination",
    minutes_column: str = "minutes",
) -> TravelMatrix:
    """Read a long travel-time table (CSV or Parquet): one row per origin, destination, minutes.

    Pairs absent from the file are taken as unreachable. Unknown ids, missing or negative
    times and duplicated pairs are errors naming the file and rows.
    """
    path = Path(path)
    source = str(path)
    table_files.require_file(path, source, "a CSV or Parquet travel matrix")
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            table = pd.read_parquet(path)
        else:
            # Every cell as text: a minute written "NaN" or "n/a" is reported as written.
            table = table_files.read_csv_text(path, source, dtype=str, keep_default_na=False)
    except InputError:
        raise
    except Exception as exc:  # pandas/pyarrow raise many types for unreadable files
        raise InputError(f"cannot read travel matrix: {exc}", source=source) from None
    if table.empty:
        raise InputError("the travel matrix has no rows", source=source)
    missing = [c for c in (origin_column, destination_column, minutes_column) if c not in table]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}; found {', '.join(map(str, table.columns))}",
            source=source,
            field=missing[0],
        )
    written = table[minutes_column]
    minutes = pd.to_numeric(written.where(written.astype(str).str.strip() != ""), errors="coerce")
    bad = np.flatnonzero(~np.isfinite(minutes.to_numpy(float, na_value=np.nan)))
    if bad.size:
        raise InputError(
            f"missing, non-numeric or infinite travel time: found {_shown(written.iloc[bad[0]])}; "
            "expected minutes as a finite number (leave out a pair with no route)",
            source=source,
            row=(bad + 1).tolist(),
            field=minutes_column,
        )
    negative = np.flatnonzero((minutes < 0).to_numpy())
    if negative.size:
        raise InputError(
            f"negative travel time {minutes.iloc[negative[0]]}; expected minutes >= 0",
            source=source,
            row=(negative + 1).tolist(),
            field=minutes_column,
        )
    o = _index_ids(table[origin_column], np.asarray(origin_ids, str), "origin", source)
    d = _index_ids(
        table[destination_column], np.asarray(destination_ids, str), "destination", source
    )
    key = o.astype(np.int64) * (len(destination_ids) + 1) + d
    dup = np.flatnonzero(pd.Series(key).duplicated().to_numpy())
    if dup.size:
        raise InputError(
            "duplicated origin-destination pair; expected each pair once",
            source=source,
            row=(dup + 1).tolist(),
        )
    order = np.lexsort((d, o))
    return TravelMatrix(
        np.asarray(origin_ids, str),
        np.asarray(destination_ids, str),
        o[order],
        d[order],
        minutes.to_numpy(float)[order],
        source=path.name,
    )


def read_osrm_table(
    path: str | os.PathLike,
    origin_ids: np.ndarray | list,
    destination_ids: np.ndarray | list,
) -> TravelMatrix:
    """Read an OSRM ``/table`` service response (JSON) saved to a file.

    The response's ``durations`` (seconds) must have one row per origin and one column per
    destination, in the order of ``origin_ids`` and ``destination_ids`` (the order of the
    ``sources`` and ``destinations`` of the request); ``null`` means no route.
    """
    path = Path(path)
    source = str(path)
    table_files.require_file(path, source, "an OSRM /table response (JSON)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the file: {exc}", source=source) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc}", source=source) from exc
    if not isinstance(data, dict) or data.get("code") != "Ok":
        code = data.get("code") if isinstance(data, dict) else type(data).__name__
        raise InputError(
            f"OSRM response code is {code!r}; expected 'Ok'", source=source, field="code"
        )
    durations = data.get("durations")
    if not isinstance(durations, list):
        raise InputError("no 'durations' matrix in the response", source=source, field="durations")
    n_o, n_d = len(origin_ids), len(destination_ids)
    if len(durations) != n_o or any(
        not isinstance(row, list) or len(row) != n_d for row in durations
    ):
        shape = f"{len(durations)} rows" if isinstance(durations, list) else "?"
        raise InputError(
            f"durations has {shape}; expected {n_o} rows (origins) of {n_d} values (destinations)",
            source=source,
            field="durations",
        )
    numeric = (int, float, type(None))  # exact types: JSON's true is no number of seconds
    if any(type(v) not in numeric for row in durations for v in row):
        r, c = next(
            (r, c)
            for r, row in enumerate(durations)
            for c, v in enumerate(row)
            if type(v) not in numeric
        )
        raise InputError(
            f"found {durations[r][c]!r} at origin {origin_ids[r]!r}, destination "
            f"{destination_ids[c]!r}; expected seconds as a number, or null for no route",
            source=source,
            row=r + 1,
            field="durations",
        )
    try:
        seconds = np.array(durations, dtype=float).reshape(n_o, n_d)  # null: NaN, no route
    except OverflowError:
        seconds = np.full((n_o, n_d), np.inf)
    for bad, expected in (
        (np.isinf(seconds), "a finite number of seconds"),
        (seconds < 0, "seconds >= 0"),
    ):
        if bad.any():
            r, c = np.argwhere(bad)[0]
            raise InputError(
                f"found duration {seconds[r, c]:g} s at origin {origin_ids[r]!r}, destination "
                f"{destination_ids[c]!r}; expected {expected}",
                source=source,
                row=int(r) + 1,
                field="durations",
            )
    if np.isnan(seconds).all():
        raise InputError(
            f"every duration is null ({n_o:,} origins x {n_d:,} destinations): OSRM found no "
            "route between any zone and site; expected seconds for the pairs with a route "
            "(check that the OSRM server's map covers the area, and that the request gave "
            "coordinates as longitude,latitude)",
            source=source,
            field="durations",
        )
    o, d = np.nonzero(~np.isnan(seconds))
    return TravelMatrix(
        np.asarray(origin_ids, str),
        np.asarray(destination_ids, str),
        o.astype(np.int32),
        d.astype(np.int32),
        seconds[o, d] / 60.0,
        source=path.name,
    )
