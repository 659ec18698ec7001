"""The runs of a sweep: which values of which scenario keys, and how each run is named.

``--vary KEY=V1,V2,...`` gives a key and its values (each read as a TOML value, so
``data.regions=["E12000001"],["E12000002"]`` varies a list). Three designs:

grid
    every combination of the values (the default): 3 values x 4 values = 12 runs;
zip
    the lists paired in order (all of one length): the i-th run takes each list's i-th value;
one at a time
    a sensitivity sweep around the base: the scenario as it is, then each key moved to each
    of its values with every other key left at the scenario's own value (the tornado chart).

Each run is a :class:`Point`: its overrides (dotted key -> value), a folder name made from them
and the hash of the scenario it runs, by which a rerun recognises a run already complete.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from planner.errors import InputError
from planner.scenario import Scenario

DESIGNS = ("grid", "zip", "one_at_a_time")
#: Longest folder name of a run (file systems allow 255 bytes; the rest is for the hash).
_NAME_CHARS = 80


@dataclass(frozen=True)
class Vary:
    """One ``--vary``: a dotted scenario key and the values it takes, in order."""

    key: str
    values: tuple


@dataclass(frozen=True)
class Point:
    """One run of a sweep: the varied keys' values, as overrides of the base scenario.

    Attributes
    ----------
    values
        Every varied key with its value in this run (in a one-at-a-time sweep the keys not
        moved carry the base scenario's value), in the order of the ``--vary`` options.
    overrides
        The keys this run changes (all of ``values`` but, one at a time, the moved key only).
    moved
        One at a time: the key moved from the base (``None`` for the base run and in a grid).
    """

    values: tuple[tuple[str, object], ...]
    overrides: tuple[tuple[str, object], ...]
    moved: str | None = None

    @property
    def label(self) -> str:
        """``key=value`` of each varied key, for tables and charts."""
        return ", ".join(f"{k}={_text(v)}" for k, v in self.values)

    @property
    def folder(self) -> str:
        """A folder name from the values (file-name safe) and a short hash keeping it unique."""
        slug = "_".join(f"{k}-{_text(v)}" for k, v in self.values)
        slug = re.sub(r"[^A-Za-z0-9.\-_]+", "", slug)[:_NAME_CHARS] or "base"
        digest = hashlib.sha256(json.dumps(self.values, default=str).encode()).hexdigest()
        return f"{slug}_{digest[:8]}"

    def scenario(self, base: Scenario) -> Scenario:
        """The base scenario with this run's overrides (checked like ``planner run --set``)."""
        return base.updated(dict(self.overrides), source="--vary") if self.overrides else base


def parse_vary(text: str) -> Vary:
    """``KEY=V1,V2,...`` as a :class:`Vary` (values read as TOML, else as bare words).

    Raises
    ------
    InputError
        Naming ``--vary`` and what was found, when there is no ``=``, no key or no value.
    """
    key, sep, rest = text.partition("=")
    key = key.strip()
    if not sep or not key or "." not in key or not rest.strip():
        raise InputError(
            f"found {text!r}; expected KEY=V1,V2,..., e.g. demand.annual_growth=0.0,0.05,0.12",
            source="command line",
            field="--vary",
        )
    try:
        values = tomllib.loads(f"v = [{rest}]")["v"]
    except tomllib.TOMLDecodeError:
        values = [part.strip() for part in rest.split(",")]  # bare words: policy=keep,may_close
    if not values or any(v == "" for v in values):
        raise InputError(f"found an empty value in {text!r}", source="command line", field=key)
    return Vary(key, tuple(values))


def base_value(scenario: Scenario, key: str) -> object:
    """The value of dotted ``key`` in ``scenario`` (an :class:`InputError` if there is none)."""
    table: object = scenario.model_dump(mode="json", exclude={"base_dir"})
    for part in key.split("."):
        if not isinstance(table, dict) or part not in table:
            raise InputError("unknown scenario key", source="--vary", field=key)
        table = table[part]
    return table


def sweep_points(base: Scenario, varies: Sequence[Vary], design: str = "grid") -> list[Point]:
    """The runs of a sweep, in order (see the module docstring for the designs).

    Raises
    ------
    InputError
        A key varied twice, lists of different lengths in a zip, an unknown design, or (when a
        run's scenario is built) a key or value the scenario does not take.
    """
    if design not in DESIGNS:
        raise InputError(f"unknown design {design!r}; expected one of {', '.join(DESIGNS)}")
    keys = [v.key for v in varies]
    if not varies:
        raise InputError("give at least one --vary KEY=V1,V2,...", field="--vary")
    if len(set(keys)) != len(keys):
        raise InputError("a key is varied twice", field=next(k for k in keys if keys.count(k) > 1))
    if design == "one_at_a_time":
        return _one_at_a_time(base, varies)
    if design == "zip":
        lengths = {len(v.values) for v in varies}
        if len(lengths) > 1:
            raise InputError(
                "--zip pairs the lists in order: give each --vary as many values "
                f"(found {', '.join(f'{v.key}: {len(v.values)}' for v in varies)})",
                field="--zip",
            )
        combos = list(zip(*(v.values for v in varies), strict=True))
    else:
        combos = list(itertools.product(*(v.values for v in varies)))
    points = [tuple(zip(keys, combo, strict=True)) for combo in combos]
    return _unique([Point(values=p, overrides=p) for p in points])


def _one_at_a_time(base: Scenario, varies: Sequence[Vary]) -> list[Point]:
    start = tuple((v.key, base_value(base, v.key)) for v in varies)
    points = [Point(values=start, overrides=())]
    for v in varies:
        for value in v.values:
            if value == dict(start)[v.key]:
                continue  # the base run already has it
            values = tuple((k, value if k == v.key else old) for k, old in start)
            points.append(Point(values=values, overrides=((v.key, value),), moved=v.key))
    return _unique(points)


def _unique(points: list[Point]) -> list[Point]:
    seen, kept = set(), []
    for point in points:
        marker = _marker(point.values)
        if marker not in seen:
            seen.add(marker)
            kept.append(point)
    return kept


def neighbours(
    points: list[Point], among: list[int], most: int | None = None
) -> dict[int, list[int]]:
    """For each run in ``among``, the others of ``among`` nearest first (at most ``most``): by
    the steps between their values of each varied key (numbers in their order, other values in
    the sweep's), then by how far apart they are in the sweep, the earlier first."""
    keys = len(points[0].values) if points else 0
    steps = [_steps([p.values[k][1] for p in points]) for k in range(keys)]
    grid = np.array(
        [[steps[k][_marker(v)] for k, (_, v) in enumerate(p.values)] for p in points], int
    ).reshape(len(points), keys)
    runs = np.asarray(among, int)
    order = {}
    for i in runs:
        others = runs[runs != i]
        apart = np.abs(others - i)
        # lexsort: the last key first; ties of steps and places go to the earlier run.
        ranked = np.lexsort((others > i, apart, np.abs(grid[others] - grid[i]).sum(axis=1)))
        order[int(i)] = [int(j) for j in others[ranked][:most]]
    return order


def next_claim(
    order: Sequence[int],
    claimed: set[int],
    last: int | None,
    nearest: dict[int, list[int]],
) -> int | None:
    """The run a worker thread takes next, of ``order`` (the runs to do, in sweep order), none
    of ``claimed``: after its ``last`` run, the nearest of that run's ``nearest`` still free
    (else the free run closest in the sweep), so that it starts from a plan it made itself;
    for its first run, the free run farthest in the sweep from those claimed (the first run,
    then the last, ...), so that threads work apart and meet at the end. ``None`` when every
    run is claimed."""
    free = [i for i in order if i not in claimed]
    if not free:
        return None
    place = {run: k for k, run in enumerate(order)}
    if last is not None:
        # A neighbour need not be a run to do: one whose inputs failed to load is not.
        for run in nearest.get(last, []):
            if run in place and run not in claimed:
                return run
        return min(free, key=lambda i: (abs(place[i] - place[last]), place[i]))
    taken = [place[i] for i in claimed]
    if not taken:
        return free[0]
    return max(free, key=lambda i: (min(abs(place[i] - k) for k in taken), -place[i]))


def _steps(values: list) -> dict[str, int]:
    """Each distinct value's step along its key."""
    distinct = list({_marker(v): v for v in values}.items())
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for _, v in distinct)
    if numbers:
        distinct.sort(key=lambda item: item[1])
    return {marker: step for step, (marker, _) in enumerate(distinct)}


def _marker(value: object) -> str:
    """A value (or a run's values) as text, the same for equal values."""
    return json.dumps(value, default=str, sort_keys=True)


def scenario_hash(scenario: Scenario | dict) -> str:
    """SHA-256 of the scenario as validated (as ``manifest.json`` holds it), keys sorted."""
    data = (
        scenario.model_dump(mode="json", exclude={"base_dir"})
        if isinstance(scenario, Scenario)
        else scenario
    )
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _text(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return "+".join(_text(v) for v in value)
    return str(value)
