"""Deprivation in a planner's demand file: the Index of Multiple Deprivation decile of each zone.

MHCLG's English Indices of Deprivation give every LSOA a score, a rank and a decile (1 = the
most deprived 10% of England's LSOAs, 10 = the least). A demand file may carry the decile
(``imd_decile``, or the published heading "Index of Multiple Deprivation (IMD) Decile ...") or
the score (``imd_score``, "Index of Multiple Deprivation (IMD) Score"); the plan then reports
access and travel by decile (:mod:`planner.analysis.equity`).

A decile must be a whole number from 1 to 10. A file with scores only gets deciles of its own
zones (the highest-scoring tenth is decile 1), which equal the national deciles only for a file
of all England's LSOAs: say so when reporting them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from planner.data import checks as check

#: Column names (compared without case) read as the IMD decile, then as the IMD score.
DECILE_NAMES = ("imd_decile", "imd decile", "imddecile", "imd19_decile", "imd2019_decile")
SCORE_NAMES = ("imd_score", "imd score", "imdscore", "imd19_score", "imd2019_score")
#: The English Indices of Deprivation's own headings start so (the decile's carries a note).
DECILE_PREFIX = "index of multiple deprivation (imd) decile"
SCORE_PREFIX = "index of multiple deprivation (imd) score"


def _find(frame: pd.DataFrame, names: Sequence[str], prefix: str) -> str | None:
    for column in frame.columns:
        text = " ".join(str(column).split()).lower()
        if text in names or text.startswith(prefix):
            return column
    return None


def deprivation_column(frame: pd.DataFrame) -> str | None:
    """The column :func:`read_deciles` reads (the decile, else the score), or ``None``."""
    return _find(frame, DECILE_NAMES, DECILE_PREFIX) or _find(frame, SCORE_NAMES, SCORE_PREFIX)


def deciles_from_scores(scores: pd.Series) -> pd.Series:
    """Deciles of the zones' own scores: the highest-scoring tenth (most deprived) is 1.

    Zones are ranked by score, highest first (ties in file order), and the ranks cut into ten
    equal groups, as the Indices cut England's LSOAs.
    """
    n = len(scores)
    order = np.argsort(-scores.to_numpy(float), kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    return pd.Series(rank * 10 // n + 1, index=scores.index, dtype="int64")


def read_deciles(frame: pd.DataFrame, source: str) -> pd.Series | None:
    """The IMD decile of each row of a demand file, or ``None`` when it has no such column.

    Raises
    ------
    planner.errors.InputError
        Naming the file, the rows and the column: a decile that is empty, not a number, not
        whole or outside 1-10; a score that is empty, not a number or negative.
    """
    column = _find(frame, DECILE_NAMES, DECILE_PREFIX)
    if column is not None:
        return check.whole_number_column(
            frame, column, source, 1, 10, "the IMD decile: 1 = most deprived, 10 = least"
        )
    column = _find(frame, SCORE_NAMES, SCORE_PREFIX)
    if column is not None:
        return deciles_from_scores(check.numeric_column(frame, column, source, minimum=0))
    return None
