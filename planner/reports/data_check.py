"""Whether two plans rest on the same data, before their figures are set side by side.

A North East plan and a West Midlands plan differ in every site; compared as if they were two
answers to one question, they read "18 opened, 2 closed". :func:`data_warnings` says what
differs, from two sources:

- the plans' own tables: the demand zones (ids and population) and the sites each has;
- the run manifests (:mod:`planner.reports.manifest`), when both folders have one: the content
  of each data file by role (demand zones, sites, candidate sites, travel matrix, hubs,
  suppliers, region outlines), the region filter, the zone level, and the demand and travel
  settings that turn those files into scans and minutes.

The scenario's choices (costs, capacity, limits, access target) are what a comparison is for
and are not warned about.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from planner.errors import InputError
from planner.plan import Plan

#: Data files of a manifest's ``data``, in words.
ROLES = {
    "demand_zones": "demand zones file",
    "sites": "sites file",
    "candidate_sites": "candidate sites file",
    "travel_matrix": "travel matrix",
    "hubs": "training hubs file",
    "suppliers": "FDG suppliers file",
    "regions": "region outlines",
}
#: Scenario sections whose every key shapes the data the model sees.
_DATA_SECTIONS = ("demand", "travel")


def read_manifest(folder: str | os.PathLike) -> dict | None:
    """``folder``'s ``manifest.json``, or ``None`` if it has none (a plan saved by
    :meth:`Plan.save` alone)."""
    path = Path(folder) / "manifest.json"
    if not path.is_file():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"not valid JSON: {exc}", source=str(path)) from None
    if not isinstance(manifest, dict):
        raise InputError("expected a JSON object (as 'planner run' writes it)", source=str(path))
    return manifest


def data_warnings(
    a: Plan,
    b: Plan,
    folder_a: str | os.PathLike | None = None,
    folder_b: str | os.PathLike | None = None,
    labels: tuple[str, str] = ("A", "B"),
) -> list[str]:
    """What differs between the data of plans ``a`` and ``b``, one sentence each (empty: the
    same data, as far as the tables and manifests show).

    Parameters
    ----------
    a, b
        The two plans.
    folder_a, folder_b
        Their folders, for their manifests (``None``: tables only).
    labels
        The plans' names, used in the sentences.
    """
    la, lb = labels
    warnings = _table_differences(a, b, la, lb)
    manifests = [read_manifest(f) if f is not None else None for f in (folder_a, folder_b)]
    if folder_a is not None and folder_b is not None:
        missing = [label for label, m in zip(labels, manifests, strict=True) if m is None]
        if missing:
            warnings.append(
                f"{' and '.join(missing)} {'has' if len(missing) == 1 else 'have'} no "
                "manifest.json: whether the input files are the same cannot be checked"
            )
        else:
            warnings += _manifest_differences(*manifests, la, lb)
    return warnings


def _table_differences(a: Plan, b: Plan, la: str, lb: str) -> list[str]:
    out = []
    za = a.demand.set_index(a.demand["demand_id"].astype(str))["population"]
    zb = b.demand.set_index(b.demand["demand_id"].astype(str))["population"]
    common = za.index.intersection(zb.index)
    if len(common) != len(za) or len(common) != len(zb):
        out.append(
            f"different demand zones: {la} has {len(za):,}, {lb} {len(zb):,}, "
            f"{len(common):,} in both"
        )
    changed = int((abs(za[common] - zb[common]) > 0.5).sum())
    if changed:
        out.append(f"population differs in {changed:,} of the {len(common):,} zones in both")
    sa, sb = set(a.sites["site_id"].astype(str)), set(b.sites["site_id"].astype(str))
    if sa != sb:
        out.append(
            f"different sites: {la} has {len(sa):,}, {lb} {len(sb):,}, {len(sa & sb):,} in both"
        )
    return out


def _manifest_differences(ma: dict, mb: dict, la: str, lb: str) -> list[str]:
    out = []
    sa, sb = ma.get("scenario") or {}, mb.get("scenario") or {}
    da, db = ma.get("data"), mb.get("data")
    if isinstance(da, dict) and isinstance(db, dict):
        for key, what in ROLES.items():
            if da.get(key) != db.get(key):
                names = [_data_name(s, key, d) for s, d in ((sa, da), (sb, db))]
                out.append(f"{what} differs: {la} {names[0]}, {lb} {names[1]}")
    data_a, data_b = sa.get("data") or {}, sb.get("data") or {}
    regions_a, regions_b = data_a.get("regions") or [], data_b.get("regions") or []
    if sorted(regions_a) != sorted(regions_b):
        out.append(f"region filter differs: {la} {_regions(regions_a)}, {lb} {_regions(regions_b)}")
    if data_a.get("zone_level", "lsoa") != data_b.get("zone_level", "lsoa"):
        out.append(
            f"zone level differs: {la} {data_a.get('zone_level', 'lsoa')}, "
            f"{lb} {data_b.get('zone_level', 'lsoa')}"
        )
    for section in _DATA_SECTIONS:
        xa, xb = sa.get(section) or {}, sb.get(section) or {}
        for key in sorted(set(xa) | set(xb)):
            if xa.get(key) != xb.get(key):
                out.append(
                    f"{section}.{key} differs: {la} {json.dumps(xa.get(key))}, "
                    f"{lb} {json.dumps(xb.get(key))}"
                )
    return out


def _data_name(scenario: dict, key: str, data: dict) -> str:
    if key not in data:
        return "none"
    named = (scenario.get("data") or {}).get(key, "embedded")
    return f"{named or 'embedded'} (sha256 {str(data[key])[:12]})"


def _regions(codes: list[str]) -> str:
    return ", ".join(codes) if codes else "all regions"
