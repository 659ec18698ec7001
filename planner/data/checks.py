"""Checks on a planner's own tables, raising :class:`planner.errors.InputError`.

Each check takes a DataFrame and the name of the file it came from, so the error names the file,
the 1-based data row (header excluded, i.e. position in the table + 1) and the column, what was
found and what was expected. They work on any DataFrame, not only on files.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from planner.data import geography
from planner.errors import InputError

#: England's extent in degrees, with a margin; beyond it a point cannot be in England at all.
ENGLAND_BOUNDS = {"lat": (49.8, 55.9), "lon": (-6.5, 1.9)}

_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f", ""}
#: The only spellings a strict flag takes (a site's ``existing``): no empty cell, no single letter.
_STRICT_TRUE = {"true", "1", "yes"}
_STRICT_FALSE = {"false", "0", "no"}


def _rows(mask: Iterable[bool]) -> list[int]:
    return [int(i) + 1 for i in np.flatnonzero(np.asarray(list(mask), dtype=bool))]


def _show(values: Sequence[object], limit: int = 5) -> str:
    shown = ", ".join(repr(v) for v in list(values)[:limit])
    return shown + (" ..." if len(values) > limit else "")


def _one_or_many(rows: list[int]) -> int | list[int]:
    return rows[0] if len(rows) == 1 else rows


def require_rows(frame: pd.DataFrame, source: str) -> None:
    """Raise if ``frame`` has no data rows."""
    if len(frame) == 0:
        raise InputError("the file has no data rows; expected at least one", source=source)


def require_columns(frame: pd.DataFrame, columns: Sequence[str], source: str) -> None:
    """Raise naming the first required column that ``frame`` lacks, and the columns it has."""
    for column in columns:
        if column not in frame.columns:
            from planner.data.known_columns import near_miss

            close = near_miss(column, map(str, frame.columns))
            hint = f" (is {close!r} meant to be {column!r}?)" if close else ""
            raise InputError(
                f"required column is missing; found columns {_show(list(frame.columns), 20)}{hint}",
                source=source,
                field=column,
            )


def numeric_column(
    frame: pd.DataFrame,
    column: str,
    source: str,
    *,
    minimum: float | None = 0.0,
    allow_missing: bool = False,
) -> pd.Series:
    """Return ``frame[column]`` as numbers, raising on text, missing or too-small values.

    Parameters
    ----------
    frame, column, source
        The table, the column to check and the file it came from (for the message).
    minimum
        Smallest value allowed (``None``: no lower bound).
    allow_missing
        Whether empty cells are allowed (they stay NaN).

    Returns
    -------
    pandas.Series
        Float values, same index as ``frame``.
    """
    raw = frame[column]
    values = pd.to_numeric(raw, errors="coerce")
    blank = raw.isna() | raw.astype(str).str.strip().eq("")
    bad = values.isna() & ~blank
    if bad.any():
        rows = _rows(bad)
        raise InputError(
            f"found non-numeric value(s) {_show(raw[bad].tolist())}; expected a number",
            source=source,
            row=_one_or_many(rows),
            field=column,
        )
    if blank.any() and not allow_missing:
        raise InputError(
            "found an empty value; expected a number",
            source=source,
            row=_one_or_many(_rows(blank)),
            field=column,
        )
    infinite = np.isinf(values.to_numpy(float, na_value=np.nan))
    if infinite.any():
        raise InputError(
            f"found {_show(raw[infinite].tolist())}; expected a finite number",
            source=source,
            row=_one_or_many(_rows(infinite)),
            field=column,
        )
    if minimum is not None:
        low = values < minimum
        if low.any():
            raise InputError(
                f"found {_show(values[low].tolist())}; expected a number of at least {minimum:g}",
                source=source,
                row=_one_or_many(_rows(low)),
                field=column,
            )
    return values.astype(float)


def unique_ids(frame: pd.DataFrame, column: str, source: str) -> None:
    """Raise if ``column`` has an empty or repeated id, naming every row involved."""
    ids = frame[column].astype("string").str.strip()
    empty = ids.isna() | ids.eq("")
    if empty.any():
        raise InputError(
            "found an empty id; expected a unique, non-empty id on every row",
            source=source,
            row=_one_or_many(_rows(empty)),
            field=column,
        )
    repeated = ids.duplicated(keep=False)
    if repeated.any():
        raise InputError(
            f"found duplicate id(s) {_show(sorted(set(ids[repeated])))}; expected unique ids",
            source=source,
            row=_rows(repeated),
            field=column,
        )


def bool_column(
    frame: pd.DataFrame, column: str, source: str, *, strict: bool = False
) -> pd.Series:
    """Return ``column`` as booleans (true/false, 1/0, yes/no; empty is False), else raise.

    ``strict`` takes only true/false, 1/0 and yes/no (any case), and refuses an empty cell: for
    a flag whose default would silently change the plan.
    """
    text = frame[column].astype("string").fillna("").str.strip().str.lower()
    true, false = (_STRICT_TRUE, _STRICT_FALSE) if strict else (_TRUE, _FALSE)
    bad = ~text.isin(true | false)
    if bad.any():
        cells = frame[column].astype("string").fillna("")[bad]
        found = ["(empty)" if v == "" else v for v in cells]
        raise InputError(
            f"found {_show(found)}; expected true/false (or 1/0, yes/no)",
            source=source,
            row=_one_or_many(_rows(bad)),
            field=column,
        )
    return text.isin(true)


def choice_column(
    frame: pd.DataFrame, column: str, source: str, allowed: Sequence[str]
) -> pd.Series:
    """Return ``column`` as lower-case text, raising on a value not in ``allowed``."""
    text = frame[column].astype("string").fillna("").str.strip().str.lower()
    bad = ~text.isin(list(allowed))
    if bad.any():
        raise InputError(
            f"found {_show(frame[column][bad].tolist())}; expected one of {_show(allowed)}",
            source=source,
            row=_one_or_many(_rows(bad)),
            field=column,
        )
    return text.astype(str)


def areas_in_england(
    frame: pd.DataFrame, source: str, *, lat: str = "lat", lon: str = "lon"
) -> pd.DataFrame:
    """Return the region, ICB and sub-ICB location of every point, raising if one is not in
    England.

    A point counts as English inside England's outline or up to
    :data:`planner.data.geography.BORDER_TOLERANCE_M` beyond it (a shore the simplification
    cut); it takes the areas of its nearest LSOA.

    Parameters
    ----------
    frame
        Table with numeric ``lat`` and ``lon`` columns (degrees, EPSG:4326).
    source
        File name, for the error message.
    lat, lon
        Column names used in the message (the caller's own names).

    Returns
    -------
    pandas.DataFrame
        Columns ``region_code``, ``icb_code``, ``sicbl_code``; same index as ``frame``.
    """
    y = frame["lat"].to_numpy(float)
    x = frame["lon"].to_numpy(float)
    (lat0, lat1), (lon0, lon1) = ENGLAND_BOUNDS["lat"], ENGLAND_BOUNDS["lon"]
    in_box = (y >= lat0) & (y <= lat1) & (x >= lon0) & (x <= lon1)
    if not in_box.all():
        rows = _rows(~in_box)
        i = rows[0] - 1
        swapped = (lat0 <= x[i] <= lat1) and (lon0 <= y[i] <= lon1)
        metres = all(0 <= v <= 1_300_000 for v in (x[i], y[i])) and max(x[i], y[i]) > 1_000
        hint = (
            f"; the values look swapped: is {lat!r} the longitude and {lon!r} the latitude?"
            if swapped
            else "; these look like British National Grid metres (eastings/northings, "
            "EPSG:27700), not degrees: name the columns easting/northing (or x/y)"
            if metres
            else ""
        )
        raise InputError(
            f"found {lat}={y[i]:g}, {lon}={x[i]:g}, outside England; expected latitude "
            f"{lat0}..{lat1} and longitude {lon0}..{lon1} (EPSG:4326){hint}",
            source=source,
            row=_one_or_many(rows),
            field=f"{lat}/{lon}",
        )
    inside = geography.in_england(y, x)
    if not inside.all():
        rows = _rows(~inside)
        i = rows[0] - 1
        metres = float(geography.metres_outside(y[i : i + 1], x[i : i + 1])[0])
        raise InputError(
            f"found {lat}={y[i]:g}, {lon}={x[i]:g}, about {metres / 1000:.1f} km outside "
            "England's border (Wales, Scotland or the sea); expected a point in England",
            source=source,
            row=_one_or_many(rows),
            field=f"{lat}/{lon}",
        )
    found = geography.areas_of(y, x)[list(geography.AREA_COLUMNS)]
    found.index = frame.index
    return found.astype(str)


def whole_number_column(
    frame: pd.DataFrame, column: str, source: str, low: int, high: int, meaning: str = ""
) -> pd.Series:
    """Return ``column`` as whole numbers from ``low`` to ``high``, raising on anything else.

    Empty cells, text, fractions and numbers out of range are errors naming the rows;
    ``meaning`` is added to the expectation (e.g. "1 = most deprived").
    """
    values = numeric_column(frame, column, source, minimum=None)
    bad = (values % 1 != 0) | (values < low) | (values > high)
    if bad.any():
        note = f" ({meaning})" if meaning else ""
        raise InputError(
            f"found {_show(frame[column][bad].tolist())}; expected a whole number from {low} "
            f"to {high}{note}",
            source=source,
            row=_one_or_many(_rows(bad)),
            field=column,
        )
    return values.astype("int64")
