"""Stopping a solve at once when the user presses Ctrl-C (SIGINT).

Python runs a signal handler only between bytecodes of its main thread; while HiGHS solves, the
main thread is inside one C++ call, so Ctrl-C used to wait for the solver's time limit. Within
:func:`sigint_stops_solves` (which :func:`planner.run` enters), a SIGINT instead

* raises ``KeyboardInterrupt`` at once when no solver is running (reading data, building a
  model, writing files), as Python's own handler does;
* during a HiGHS run, asks it to stop: every ``highspy.Highs`` planner solves with is run by
  :func:`run_highs`, whose interrupt callbacks (simplex, interior point, branch and bound) set
  HiGHS's ``user_interrupt``; the run returns within a fraction of a second, and
  :func:`run_highs` raises ``KeyboardInterrupt`` then. A thread woken by the signal (through
  :func:`signal.set_wakeup_fd`) makes the request even when HiGHS calls back from its worker
  threads only.

CBC runs in a child process: :func:`planner.optimise.solver.solve` ends it when interrupted.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator

_requested = threading.Event()
_running = 0  # HiGHS runs in progress in this process
#: ``time.perf_counter()`` at which the HiGHS run in progress must stop (``inf``: none). HiGHS's
#: own ``time_limit`` is checked too seldom in some phases (a dense covering model's root took
#: 6 s past a 1.5 s limit); its interrupt callbacks come often.
_stop_at = float("inf")


def requested() -> bool:
    """Whether a SIGINT has asked the solve in progress to stop."""
    return _requested.is_set()


def _handler(signum, frame) -> None:
    _requested.set()
    if not _running:
        raise KeyboardInterrupt


def _watch_wakeup(reader: socket.socket) -> None:
    while True:
        try:
            data = reader.recv(64)
        except OSError:
            return
        if not data:
            return
        if signal.SIGINT in data:
            _requested.set()


@contextlib.contextmanager
def sigint_stops_solves() -> Iterator[None]:
    """Within the block, SIGINT stops a HiGHS solve at once (see the module's text).

    Outside the main thread (where Python allows no signal handler) the block does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _requested.clear()
    previous = signal.signal(signal.SIGINT, _handler)
    reader, writer = socket.socketpair()
    writer.setblocking(False)
    try:
        old_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    except ValueError:
        old_fd = None
    if old_fd not in (None, -1):  # someone else's (an event loop's): give it back, go without
        signal.set_wakeup_fd(old_fd)
        old_fd = None
    watcher = threading.Thread(target=_watch_wakeup, args=(reader,), daemon=True)
    if old_fd is not None:
        watcher.start()
    try:
        yield
    finally:
        if old_fd is not None:
            signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGINT, previous)
        writer.close()
        with contextlib.suppress(OSError):
            reader.shutdown(socket.SHUT_RDWR)
        reader.close()
        _requested.clear()


def _stop_if_asked(event) -> None:
    if _requested.is_set() or time.perf_counter() > _stop_at:
        event.interrupt()


def watch(highs) -> None:
    """Subscribe ``highs`` (a ``highspy.Highs``) to the interrupt request (once)."""
    if getattr(highs, "_planner_interruptible", False):
        return
    highs.cbSimplexInterrupt.subscribe(_stop_if_asked)
    highs.cbIpmInterrupt.subscribe(_stop_if_asked)
    highs.cbMipInterrupt.subscribe(_stop_if_asked)
    highs._planner_interruptible = True


def run_highs(highs, seconds: float | None = None):
    """``highs.run()``, stopped by a SIGINT (then raise ``KeyboardInterrupt``) or, when
    ``seconds`` is given, once that many have passed (the run then reports an interrupt, a
    limit status: its plan, bound and gap so far)."""
    global _running, _stop_at
    watch(highs)
    if _requested.is_set():
        raise KeyboardInterrupt
    _running += 1
    outer = _stop_at
    if seconds is not None:
        _stop_at = min(outer, time.perf_counter() + seconds)
    try:
        status = highs.run()
    finally:
        _running -= 1
        _stop_at = outer
    if _requested.is_set():
        raise KeyboardInterrupt
    return status


def end_children() -> None:
    """Kill this process's child processes (a CBC run PuLP started), after an interrupt."""
    import psutil

    children = psutil.Process(os.getpid()).children(recursive=True)
    for child in children:
        with contextlib.suppress(psutil.Error):
            child.kill()
    psutil.wait_procs(children, timeout=2)
