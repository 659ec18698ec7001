"""Reading a saved plan's folder as strictly as the inputs: every file checked, every error named.

:meth:`planner.plan.Plan.load` reads through :func:`read_plan_folder`, so ``planner map``,
``planner report`` and ``planner compare`` all see a plan that is whole and consistent, or stop
with one :class:`~planner.errors.InputError` naming the file, the row and the column:

- ``summary.json`` is a JSON object of the plan's figures, each of its type
  (:mod:`planner.plan_files.summary`);
- each table has its required columns, each cell of its column's type and range, ids unique
  (:mod:`planner.plan_files.columns`);
- the totals the summary states are the tables' (sites open, scanners, mobile days, scans,
  population), every assignment names a known zone and an open site, a site is open exactly when
  it has scanners or mobile days.

Text cells written neutralised against spreadsheet formulas (:mod:`planner.plan_files.cells`)
are read back to their original text.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from planner.errors import InputError
from planner.plan_files.cells import restore
from planner.plan_files.columns import TABLES, Column
from planner.plan_files.summary import check_links, check_summary, check_totals

#: Tables a saved plan must have; the others are written only when the model made them.
REQUIRED_TABLES = ("sites", "assignments", "demand", "regions")
#: How far past a bound a figure may lie and still be read as on it: solver rounding
#: (HiGHS's feasibility tolerance is 1e-7; assumption: 1e-6 covers its sums).
SOLVER_NOISE = 1e-6
_TRUE, _FALSE = "true", "false"


def read_plan_folder(folder: str | Path) -> tuple[dict, dict[str, pd.DataFrame | None]]:
    """The summary and tables of the plan saved in ``folder``, checked.

    Returns
    -------
    summary
        ``summary.json`` as a dict.
    tables
        One entry per table of :data:`planner.plan_files.columns.TABLES`: a DataFrame, or ``None``
        for an optional table the folder does not have.

    Raises
    ------
    InputError
        Naming the file (and row and column) of the first problem found.
    """
    folder = Path(folder)
    if not folder.is_dir():
        what = "does not exist" if not folder.exists() else "is a file, not a folder"
        raise InputError(
            f"{what}: expected a plan folder written by 'planner run ... --out FOLDER'",
            source=str(folder),
        )
    summary = check_summary(_read_json(folder / "summary.json", folder), f"{folder}/summary.json")
    tables: dict[str, pd.DataFrame | None] = {}
    for name, columns in TABLES.items():
        path = folder / f"{name}.csv"
        if not path.exists():
            if name in REQUIRED_TABLES:
                raise InputError(f"{name}.csv is missing from the saved plan", source=str(folder))
            tables[name] = None
            continue
        tables[name] = read_table(path, columns)
    check_links(tables, str(folder))
    check_totals(summary, tables, str(folder))
    return summary, tables


def _read_json(path: Path, folder: Path):
    if not path.is_file():
        raise InputError(
            "not a saved plan: summary.json is missing (expected the folder written by "
            "'planner run ... --out FOLDER')",
            source=str(folder),
        )
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", source=str(path)) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc}", source=str(path)) from None
    except RecursionError:
        raise InputError("not valid JSON: nested too deeply", source=str(path)) from None


def read_table(path: Path, columns: dict[str, Column]) -> pd.DataFrame:
    """One CSV file of a saved plan, each known column parsed and checked (see
    :mod:`planner.plan_files.columns`), other columns read as numbers if all are, else as text."""
    header, rows = _read_cells(path)
    source = str(path)
    missing = [c for c, spec in columns.items() if spec.required and c not in header]
    if missing:
        raise InputError(
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
            source=source,
            field=missing[0],
        )
    cells = list(zip(*rows, strict=True)) if rows else [() for _ in header]
    data = {}
    for name, values in zip(header, cells, strict=True):
        raw = np.array(values, dtype=object)
        spec = columns.get(name)
        data[name] = _parse(raw, spec, source, name) if spec else _inferred(raw)
    return pd.DataFrame(data, columns=header, index=pd.RangeIndex(len(rows)))


def _read_cells(path: Path) -> tuple[list[str], list[list[str]]]:
    """The header and rows of a CSV file as text, every row as long as the header."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except IsADirectoryError:
        raise InputError("is a folder, expected a CSV file", source=str(path)) from None
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise InputError(f"line {line} is not UTF-8 text", source=str(path)) from None
    try:
        lines = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        raise InputError(f"not a valid CSV file: {exc}", source=str(path)) from None
    if not lines or not any(lines[0]):
        raise InputError("empty file: expected a header row and the plan's rows", source=str(path))
    header = lines[0]
    seen = set()
    for name in header:
        if not name.strip() or name in seen:
            what = "an empty column name" if not name.strip() else f"column {name!r} twice"
            raise InputError(f"the header has {what}", source=str(path), row=0)
        seen.add(name)
    rows = [row for row in lines[1:] if row]  # a blank line ends nothing
    for i, row in enumerate(rows, start=1):
        if len(row) != len(header):
            raise InputError(
                f"{len(row)} fields; the header has {len(header)}", source=str(path), row=i
            )
    return header, rows


def _parse(raw: np.ndarray, spec: Column, source: str, field: str) -> np.ndarray:
    """The cells of one known column as its type; an error names the first bad row."""
    empty = raw == ""
    if empty.any() and not spec.empty:
        _fail(empty, source, field, raw, "is empty; expected " + _expected(spec))
    if spec.kind == "text":
        values = _text(raw, empty)
        if spec.choices is not None:
            bad = ~empty & ~np.isin(raw, spec.choices)
            _fail(bad, source, field, raw, f"expected one of {', '.join(spec.choices)}")
        _unique(values, spec, source, field, raw)
        return values
    if spec.kind == "flag":
        lower = np.char.lower(raw.astype(str))
        bad = ~np.isin(lower, (_TRUE, _FALSE))
        _fail(bad, source, field, raw, "expected True or False")
        return lower == _TRUE
    numbers = pd.to_numeric(pd.Series(raw).where(~empty), errors="coerce").to_numpy(float)
    bad = ~empty & ~np.isfinite(numbers)
    _fail(bad, source, field, raw, "expected " + _expected(spec))
    if spec.kind == "count":
        # Past 2**53 a float holds no exact whole number, and past 2**63 the cast below
        # would wrap: no count in a plan comes near either.
        bad = ~empty & ((numbers != np.round(numbers)) | (np.abs(numbers) > 2.0**53))
        _fail(bad, source, field, raw, "expected " + _expected(spec))
    # A solver's figures carry rounding noise (a hub's trainee load of -3.1e-11): within
    # SOLVER_NOISE of a bound is on it, and is read as the bound.
    if spec.low is not None:
        low = spec.low - SOLVER_NOISE
        _fail(~empty & (numbers < low), source, field, raw, "expected " + _expected(spec))
        numbers = np.where(~empty & (numbers < spec.low), spec.low, numbers)
    if spec.high is not None:
        high = spec.high + SOLVER_NOISE
        _fail(~empty & (numbers > high), source, field, raw, "expected " + _expected(spec))
        numbers = np.where(~empty & (numbers > spec.high), spec.high, numbers)
    _unique(numbers, spec, source, field, raw)
    if spec.kind == "count" and not empty.any():
        return numbers.astype(np.int64)
    return numbers


def _expected(spec: Column) -> str:
    what = {"count": "a whole number", "number": "a number", "text": "text", "flag": "True or "
            "False"}[spec.kind]  # fmt: skip
    if spec.low is not None and spec.high is not None:
        what += f" from {spec.low:g} to {spec.high:g}"
    elif spec.low is not None:
        what += f" of {spec.low:g} or more"
    return what


def _unique(values: np.ndarray, spec: Column, source: str, field: str, raw: np.ndarray) -> None:
    if spec.unique:
        duplicated = pd.Series(values).duplicated().to_numpy()
        _fail(duplicated, source, field, raw, "appears more than once; each must be unique")


def _fail(bad: np.ndarray, source: str, field: str, raw: np.ndarray, message: str) -> None:
    if bad.any():
        rows = np.flatnonzero(bad)
        found = raw[rows[0]]
        shown = found if len(found) <= 40 else found[:37] + "..."
        raise InputError(
            f"found {shown!r}: {message}" if found != "" else message,
            source=source,
            row=(rows + 1).tolist(),
            field=field,
        )


def _inferred(raw: np.ndarray) -> np.ndarray:
    """A column the schema does not know: numbers if every cell is one, flags if every cell is
    True or False, else text (empty cells NaN), as pandas would read it."""
    empty = raw == ""
    numbers = pd.to_numeric(pd.Series(raw).where(~empty), errors="coerce").to_numpy(float)
    if (empty | np.isfinite(numbers)).all() and not empty.all():
        whole = not empty.any() and (numbers == np.round(numbers)).all()
        return numbers.astype(np.int64) if whole and np.abs(numbers).max() < 2**62 else numbers
    lower = np.char.lower(raw.astype(str))
    if len(raw) and np.isin(lower, (_TRUE, _FALSE)).all():
        return lower == _TRUE
    return _text(raw, empty)


def _text(raw: np.ndarray, empty: np.ndarray) -> np.ndarray:
    """Text cells as written before neutralising (:func:`planner.plan_files.cells.restore`); empty
    ones NaN, as pandas reads them."""
    return np.array(
        [math.nan if e else restore(v) for v, e in zip(raw, empty, strict=True)], object
    )
