"""Columns a reader does not use: a near miss of a column that changes the plan is an error,
anything else is named in a warning.

A misspelt optional column would otherwise be ignored and its default used in silence: a
``scaners`` column leaves every existing site at the assumed 1 scanner. Such a near miss
(:func:`difflib.get_close_matches`, which also catches a column that differs only in case) of a
column the reader would have used to change the plan is refused, naming the column to rename.
Other columns a reader does not use (an ONS file's ``FID`` and ``GlobalID``, a planner's
``notes``) are common and harmless, so they are allowed, and listed in one warning so that
nothing is dropped unseen.
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Iterable

import pandas as pd

from planner.errors import InputError

#: How alike (``difflib`` ratio, 0-1) an unknown column must be to a known one to count as its
#: near miss. 0.8 takes one letter dropped, added or swapped in names of six or more letters
#: (``scaners``, ``scannners``, ``exisitng``) and leaves ``notes``, ``FID`` or ``x`` alone.
NEAR_MISS = 0.8


def near_miss(name: str, known: Iterable[str]) -> str | None:
    """The known column that ``name`` is most likely a misspelling of, or ``None``."""
    by_lower = {str(k).lower(): str(k) for k in known}
    found = difflib.get_close_matches(str(name).lower(), list(by_lower), n=1, cutoff=NEAR_MISS)
    return by_lower[found[0]] if found else None


def check_columns(
    frame: pd.DataFrame,
    source: str,
    *,
    used: Iterable[str],
    optional: Iterable[str],
    known: Iterable[str] = (),
) -> None:
    """Refuse a near miss of an absent ``optional`` column; warn naming every unused column.

    Parameters
    ----------
    frame, source
        The table read and its file, for the messages.
    used
        Every column the reader reads (or recomputes on purpose, like ``region_code``).
    optional
        The columns whose presence changes what is planned (``scanners``, ``existing``...):
        a near miss of one of them that the file lacks is an error.
    known
        Further names the reader would understand (other spellings of its columns), offered as
        the likely meaning of an unused column in the warning.

    Raises
    ------
    planner.errors.InputError
        Naming the file and the misspelt column, and the column it should be.
    """
    columns = [str(c) for c in frame.columns]
    used = {str(c) for c in used}
    absent = [c for c in optional if c not in columns]
    vocabulary = [c for c in {*used, *optional, *known} if c not in columns]
    unused = [c for c in columns if c not in used]
    for column in unused:
        target = near_miss(column, absent)
        if target is not None:
            raise InputError(
                f"unknown column {column!r}: did you mean {target!r}? Without a {target!r} "
                f"column its default is used for every row; rename the column {target!r} "
                "(names are case-sensitive)",
                source=source,
                field=column,
            )
    if unused:
        hints = []
        for column in unused:
            target = near_miss(column, vocabulary)
            hints.append(f"{column!r}" + (f" (did you mean {target!r}?)" if target else ""))
        warnings.warn(
            f"{source}: column(s) {', '.join(hints)} are not used by planner and are ignored",
            stacklevel=3,
        )
