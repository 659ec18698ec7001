"""Text cells of the CSV files ``planner`` writes, made safe for spreadsheet programs.

Planners open ``sites.csv`` or ``comparison_sites.csv`` in Excel or LibreOffice, which run a cell
starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return before one) as a formula:
a site named ``=HYPERLINK(...)`` or ``=cmd|' /C calc'!A0`` would act when the file is opened
(CSV injection). OWASP's rule is followed: such a text cell is written with a leading apostrophe,
which spreadsheets show as text. Numbers are never touched (a negative number stays a number),
only text.

:func:`neutralise` and :func:`restore` are inverse: a text that already starts with apostrophes
followed by one of those characters gets one more, so that reading a saved plan back
(:mod:`planner.plan_files.loader`) gives every name exactly as it was.
"""

from __future__ import annotations

import os

import pandas as pd

#: A text cell starting with one of these is run as a formula by spreadsheet programs (or, for
#: "=", stored as one by openpyxl); OWASP, "CSV Injection".
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _looks_like_formula(text: str) -> bool:
    """Whether ``text``, less any leading apostrophes, starts like a formula."""
    return text.lstrip("'").startswith(FORMULA_START)


def neutralise(value):
    """``value`` with a leading apostrophe if it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and _looks_like_formula(value):
        return "'" + value
    return value


def restore(value):
    """The text :func:`neutralise` was given (``value`` itself if it was not neutralised)."""
    if isinstance(value, str) and value.startswith("'") and _looks_like_formula(value):
        return value[1:]
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells are neutralised; numeric and bool columns as they
    are."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            out[column] = series.map(neutralise, na_action="ignore")
    return out


def write_csv(frame: pd.DataFrame, path: str | os.PathLike) -> None:
    """Write ``frame`` (no index) to ``path`` as UTF-8 CSV with its text cells neutralised."""
    safe_frame(frame).to_csv(path, index=False)
