"""Run manifests: what is needed to reproduce a plan.

Every ``planner run`` folder gets ``manifest.json``: the scenario as validated, the SHA-256 of
every input file (the scenario file, the embedded geodata or the planner's own files; under
``data`` the same by scenario key: ``demand_zones``, ``sites``, ``travel_matrix``...), the
versions of Python and of the packages that shape the result, the solver, its status and the
timings.

A manifest also marks its folder as a plan folder of planner's (:data:`MARKER`, and the list of
files the run wrote): ``planner run --out`` replaces an existing folder only when its manifest
says so (:func:`is_plan_manifest`).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from planner.data import embedded, table_files
from planner.files import write_text
from planner.plan import Plan
from planner.scenario import Scenario

#: Key and value that mark a manifest (and so its folder) as written by ``planner run``.
MARKER = ("written_by", "planner run")
#: Version of the plan folder's layout, for readers of later planners.
FOLDER_FORMAT = 1
#: Keys every manifest has had, from before :data:`MARKER` was written: such a manifest (with
#: ``planner`` among its packages) marks a plan folder too.
_EARLIER_KEYS = frozenset(
    {"created", "command", "scenario", "inputs", "packages", "solver", "status"}
)

_PACKAGES = (
    "planner",
    "pulp",
    "highspy",
    "numpy",
    "pandas",
    "scipy",
    "geopandas",
    "shapely",
    "pyproj",
    "folium",
    "pydantic",
    "matplotlib",
    "openpyxl",
)


def file_sha256(path: str | os.PathLike) -> str:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def input_roles(scenario: Scenario) -> dict[str, Path]:
    """The data files a run of ``scenario`` reads, by the scenario key that names them
    (``regions`` for the region outlines): embedded tables or the planner's own files, and an
    imported travel matrix. Files that do not exist are left out."""
    data = scenario.data
    keys = ["demand_zones", "sites"]
    if data.candidate_sites.lower() != "none":
        keys.append("candidate_sites")
    if scenario.hubs.enabled:
        keys.append("hubs")
    if scenario.tracer.enabled:
        keys.append("suppliers")
    roles = {"regions": embedded.path("regions")}
    for key in keys:
        own = scenario.resolve(getattr(data, key))
        # A GeoPackage layer is named after its file ("zones.gpkg:lsoa"): hash the file.
        roles[key] = embedded.path(key) if own is None else table_files.split_layer(own)[0]
    matrix = scenario.resolve(data.travel_matrix)
    if matrix is not None:
        roles["travel_matrix"] = matrix
    return {key: path for key, path in roles.items() if path.is_file()}


def input_files(scenario: Scenario) -> list[Path]:
    """The files a run of ``scenario`` reads: the scenario file, the region outlines, each data
    table (embedded or the planner's own) the run uses, and an imported travel matrix."""
    files = [scenario.file] if scenario.file and scenario.file.is_file() else []
    return files + list(input_roles(scenario).values())


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def build_manifest(plan: Plan, timings: dict[str, float] | None = None) -> dict:
    """The manifest of one run, as a dict.

    The scenario, its input files and the step timings come from ``plan.provenance`` (set by
    :func:`planner.run`); ``timings`` adds to them (e.g. the seconds spent drawing the map).
    A plan without provenance gets a manifest with ``scenario`` and ``inputs`` empty.
    """
    provenance = plan.provenance
    scenario = provenance.scenario if provenance else None
    return {
        MARKER[0]: MARKER[1],
        "folder_format": FOLDER_FORMAT,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(sys.argv),
        "scenario": scenario.model_dump(mode="json", exclude={"base_dir"}) if scenario else None,
        "inputs": {str(p): file_sha256(p) for p in input_files(scenario)} if scenario else {},
        # The same data files by role, so that two plans' data can be compared wherever
        # their files lie (planner.reports.data_check).
        "data": (
            {key: file_sha256(p) for key, p in input_roles(scenario).items()} if scenario else {}
        ),
        "packages": package_versions(),
        "platform": platform.platform(),
        "solver": plan.summary.get("solver"),
        "status": plan.summary.get("status"),
        "mip_gap": plan.summary.get("mip_gap"),
        "timings_seconds": {**(provenance.timings if provenance else {}), **(timings or {})},
    }


def write_manifest(folder: str | os.PathLike, manifest: dict) -> Path:
    """Write ``manifest.json`` into ``folder`` atomically, with ``files``: the names in
    ``folder`` (the run's own files), so that a later run knows what it may replace."""
    folder = Path(folder)
    names = sorted({p.name for p in folder.iterdir()} | {"manifest.json"})
    return write_text(
        folder / "manifest.json", json.dumps({**manifest, "files": names}, indent=2) + "\n"
    )


def read_manifest(folder: str | os.PathLike) -> dict | None:
    """The manifest of a plan folder of planner's, or ``None`` when ``folder`` has none (no
    ``manifest.json``, not JSON, or not one planner wrote: :func:`is_plan_manifest`)."""
    try:
        text = (Path(folder) / "manifest.json").read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return data if is_plan_manifest(data) else None


def is_plan_manifest(data: object) -> bool:
    """Whether ``data`` (a parsed ``manifest.json``) was written by ``planner run``: it carries
    :data:`MARKER`, or it is a manifest from before the marker (every key of theirs, and
    ``planner`` among its packages)."""
    if not isinstance(data, dict):
        return False
    if data.get(MARKER[0]) == MARKER[1]:
        return True
    packages = data.get("packages")
    return data.keys() >= _EARLIER_KEYS and isinstance(packages, dict) and "planner" in packages
