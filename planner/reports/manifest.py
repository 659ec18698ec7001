"""Run manifests: what is needed to reproduce a plan.

Every ``planner run`` folder gets ``manifest.json``: the scenario as validated, the SHA-256 of
every input file (the scenario file, the embedded geodata or the planner's own files), the
versions of Python and of the packages that shape the result, the solver, its status and the
timings.
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

from planner.files import write_text
from planner.plan import Plan
from planner.scenario import Scenario

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
)


def file_sha256(path: str | os.PathLike) -> str:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def input_files(scenario: Scenario, scenario_path: str | os.PathLike | None) -> list[Path]:
    """The files a run of ``scenario`` reads."""
    from planner import settings

    files = [Path(scenario_path)] if scenario_path else []
    data = scenario.data
    embedded_names = {
        "demand_zones": "demand_zones.csv",
        "sites": "sites.csv",
        "candidate_sites": "candidate_sites.csv",
        "hubs": "hubs.csv",
        "suppliers": "radiopharmacies.csv",
    }
    files.append(Path(settings.GEODATA_DIR) / "regions.geojson")
    for key, embedded in embedded_names.items():
        value = getattr(data, key)
        if value.lower() == "none":
            continue
        path = scenario.resolve(value)
        files.append(Path(settings.GEODATA_DIR) / embedded if path is None else path)
    matrix = scenario.resolve(data.travel_matrix)
    if matrix is not None:
        files.append(matrix)
    return [f for f in files if f.is_file()]


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def build_manifest(
    plan: Plan, scenario: Scenario, scenario_path: str | os.PathLike | None, timings: dict
) -> dict:
    """The manifest of one run, as a dict."""
    return {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(sys.argv),
        "scenario": scenario.model_dump(mode="json", exclude={"base_dir"}),
        "inputs": {str(p): file_sha256(p) for p in input_files(scenario, scenario_path)},
        "packages": package_versions(),
        "platform": platform.platform(),
        "solver": plan.summary.get("solver"),
        "status": plan.summary.get("status"),
        "mip_gap": plan.summary.get("mip_gap"),
        "timings_seconds": timings,
    }


def write_manifest(folder: str | os.PathLike, manifest: dict) -> Path:
    """Write ``manifest.json`` into ``folder`` atomically."""
    return write_text(Path(folder) / "manifest.json", json.dumps(manifest, indent=2) + "\n")
