"""One clock for building and solving a model.

A time limit a user sets is for the whole answer: building a PuLP model of millions of pairs can
take longer than the solve. Within :func:`deadline`, model building calls :func:`check_deadline`
as it goes (it raises :class:`DeadlineError` once the time is up) and
:func:`planner.optimise.solver.solve` gives the solver only the seconds left.
"""

from __future__ import annotations

import contextlib
import contextvars
import time
from collections.abc import Iterator

#: When the model being built and solved must be done (``time.perf_counter()``), if any.
_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "planner_deadline", default=None
)


class DeadlineError(Exception):
    """The shared deadline (:func:`deadline`) passed while a model was still being built."""


@contextlib.contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Within the block, building and solving share one clock of ``seconds`` (``None``: no
    limit). Model building calls :func:`check_deadline` as it goes; :func:`solve` gives the
    solver only the seconds left and reports ``not_solved`` when none are. Nested deadlines
    keep the earlier."""
    if seconds is None:
        yield
        return
    end = time.perf_counter() + float(seconds)
    current = _deadline.get()
    token = _deadline.set(end if current is None else min(current, end))
    try:
        yield
    finally:
        _deadline.reset(token)


def seconds_left() -> float | None:
    """Seconds before the deadline of :func:`deadline` (``None`` outside one)."""
    end = _deadline.get()
    return None if end is None else end - time.perf_counter()


def check_deadline() -> None:
    """Raise :class:`DeadlineError` when the deadline of :func:`deadline` has passed."""
    left = seconds_left()
    if left is not None and left <= 0:
        raise DeadlineError
