"""Lines of progress while a solver runs, so that a long solve is never silent.

A :class:`SolveTicker` says ``solving... 20 s, best plan £46.4 m, gap 1.2%`` every
:data:`EVERY` seconds from a thread of its own (HiGHS and CBC run without holding Python's
lock, so the thread runs while they work), and at once when a better plan is found: HiGHS
reports each one through its MIP callbacks (:meth:`SolveTicker.watch`), the decomposition
after each round (:meth:`SolveTicker.found`).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from planner.optimise.solver import relative_gap

#: Seconds between two lines while nothing new is found (the issue asked for about 10).
EVERY = 10.0
#: Least seconds between two lines, so that a burst of better plans prints one line.
LEAST_GAP = 1.0


def describe(seconds: float, plan: float | None, bound: float | None, note: str = "") -> str:
    """``solving... 20 s, best plan £46.4 m, gap 1.2%`` (plan and bound in pounds)."""
    parts = [f"solving... {seconds:.0f} s"]
    if plan is None or not math.isfinite(plan):
        parts.append("no plan yet")
    else:
        parts.append(f"best plan £{plan / 1e6:,.1f} m")
        gap = relative_gap(plan, bound)
        if gap is not None:
            parts.append(f"gap {gap:.1%}")
    return ", ".join(parts) + (f" ({note})" if note else "")


@dataclass(frozen=True)
class SolveState:
    """The figures of a running solve, as a progress bar shows them
    (:class:`planner.notebook.ProgressBar`)."""

    seconds: float
    plan: float | None
    bound: float | None
    time_limit: float | None
    finished: bool = False  # the solve has ended

    @property
    def gap(self) -> float | None:
        return relative_gap(self.plan, self.bound)


class SolveTicker:
    """Say the state of a solve every :data:`EVERY` seconds and on each better plan.

    Use as a context manager around the solve; ``say`` is called from the ticker's thread and
    from the solver's callbacks, never two at once. When ``say`` has a ``solver_state`` method
    (a progress bar), it is also given each line's figures as a :class:`SolveState`, with
    ``time_limit``.
    """

    def __init__(
        self, say: Callable[[str], None], every: float = EVERY, time_limit: float | None = None
    ) -> None:
        self.say = say
        self.every = float(every)
        self.time_limit = time_limit
        self.plan: float | None = None
        self.bound: float | None = None
        self.note = ""
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._started = time.perf_counter()
        self._last: float | None = None  # when the last line was said

    def __enter__(self) -> SolveTicker:
        self._started, self._last = time.perf_counter(), None
        self._thread = threading.Thread(target=self._run, name="solve-ticker", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        state = getattr(self.say, "solver_state", None)
        if state is not None:
            seconds = time.perf_counter() - self._started
            state(SolveState(seconds, self.plan, self.bound, self.time_limit, finished=True))

    def found(self, plan: float | None, bound: float | None = None, note: str = "") -> None:
        """A better plan (or bound) is known: say so now, unless a line was said just before."""
        with self._lock:
            improved = plan is not None and (self.plan is None or plan < self.plan)
            if improved:
                self.plan = plan
            self.bound = bound if bound is not None else self.bound
            self.note = note
            if improved or note:
                self._say_locked(LEAST_GAP, first=True)

    def update(self, plan: float | None, bound: float | None) -> None:
        """The solver's latest figures, said at the next tick."""
        with self._lock:
            if plan is not None and math.isfinite(plan):
                self.plan = plan
            if bound is not None and math.isfinite(bound):
                self.bound = bound

    def watch(self, highs) -> None:
        """Follow a ``highspy.Highs`` run: each improving solution is said at once, the bound
        and best plan of the branch and bound are read as it goes."""

        def improving(event) -> None:
            out = event.data_out
            self.update(None, out.mip_dual_bound)
            self.found(float(out.objective_function_value))

        def interrupt(event) -> None:
            out = event.data_out
            self.update(out.mip_primal_bound, out.mip_dual_bound)

        highs.cbMipImprovingSolution.subscribe(improving)
        highs.cbMipInterrupt.subscribe(interrupt)

    # -- the thread ---------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.wait(0.5):
            with self._lock:
                self._say_locked(self.every)

    def _say_locked(self, least: float, *, first: bool = False) -> None:
        """Say the state if ``least`` seconds passed since the last line (or since the start,
        before any line; ``first``: the first line may come at once)."""
        now = time.perf_counter()
        if self._last is None and first:
            pass
        elif now - (self._started if self._last is None else self._last) < least:
            return
        self._last = now
        seconds = now - self._started
        self.say(describe(seconds, self.plan, self.bound, self.note))
        state = getattr(self.say, "solver_state", None)
        if state is not None:
            state(SolveState(seconds, self.plan, self.bound, self.time_limit))
