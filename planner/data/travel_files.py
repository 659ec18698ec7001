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

from planner.data.travel import TravelMatrix
from planner.errors import InputError


def _shown(value) -> str:
    """A cell value for a message: plain numbers and text, 'empty' for a missing value."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "empty"
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
    if not path.is_file():
        raise InputError("file not found", source=source)
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            table = pd.read_parquet(path)
        else:
            table = pd.read_csv(path, dtype={origin_column: str, destination_column: str})
    except Exception as exc:  # pandas/pyarrow raise many types for unreadable files
        raise InputError(f"cannot read travel matrix: {exc}", source=source) from exc
    if table.empty:
        raise InputError("the travel matrix has no rows", source=source)
    missing = [c for c in (origin_column, destination_column, minutes_column) if c not in table]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}; found {', '.join(map(str, table.columns))}",
            source=source,
            field=missing[0],
        )
    minutes = pd.to_numeric(table[minutes_column], errors="coerce")
    bad = np.flatnonzero(~np.isfinite(minutes.to_numpy(float, na_value=np.nan)))
    if bad.size:
        raise InputError(
            f"missing, non-numeric or infinite travel time: "
            f"{_shown(table[minutes_column].iloc[bad[0]])}; expected minutes as a finite number "
            "(leave out a pair with no route)",
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
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError("file not found", source=source) from exc
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the file: {exc}", source=source) from exc
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
    seconds = np.array(
        [[np.nan if v is None else v for v in row] for row in durations], dtype=object
    )
    try:
        seconds = seconds.astype(float)
    except (TypeError, ValueError) as exc:
        raise InputError(f"non-numeric duration: {exc}", source=source, field="durations") from exc
    negative = np.argwhere(seconds < 0)
    if negative.size:
        r, c = negative[0]
        raise InputError(
            f"negative duration {seconds[r, c]} s at origin {origin_ids[r]!r}, destination "
            f"{destination_ids[c]!r}; expected seconds >= 0",
            source=source,
            row=int(r) + 1,
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
