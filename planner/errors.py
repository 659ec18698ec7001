"""Errors that ``planner`` raises for its users.

Every error a planner can cause with their own input is an :class:`InputError` that names the file,
the row and the field, what was found and what was expected, so that it can be fixed without
reading a traceback from inside pandas or PuLP.
"""

from __future__ import annotations


class PlannerError(Exception):
    """Base class of every error raised on purpose by ``planner``."""


class InputError(PlannerError, ValueError):
    """A user-supplied file, table, scenario key or argument is not what ``planner`` expects.

    Parameters
    ----------
    message
        What is wrong and what was expected.
    source
        The file (or table name) the problem was found in.
    row
        The 1-based data row (header excluded) or a list of them, if the problem is in rows.
    field
        The column or scenario key concerned.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        row: int | list[int] | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.source = source
        self.row = row
        self.field = field
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.source:
            where.append(str(self.source))
        if self.row is not None:
            if isinstance(self.row, list) and len(self.row) == 1:
                where.append(f"row {self.row[0]}")
            elif isinstance(self.row, list):
                shown = ", ".join(str(r) for r in self.row[:10])
                more = f" (+{len(self.row) - 10} more)" if len(self.row) > 10 else ""
                where.append(f"rows {shown}{more}")
            else:
                where.append(f"row {self.row}")
        if self.field:
            where.append(f"field '{self.field}'")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class ModelInfeasibleError(PlannerError):
    """The optimisation model has no feasible plan; ``causes`` says which areas or limits."""

    def __init__(self, message: str, causes: list[str] | None = None) -> None:
        self.causes = list(causes or [])
        detail = "".join(f"\n  - {c}" for c in self.causes)
        super().__init__(message + detail)


class SolverError(PlannerError):
    """The solver could not be run or failed without a usable answer."""
