"""Fetch the JavaScript and CSS that offline maps inline, from the npm registry.

Run from the repository root (needs ``npm`` and access to the npm registry)::

    python planner/maps/assets/build_assets.py           # fetch, verify and write the files
    python planner/maps/assets/build_assets.py --check   # verify the committed files, no network

The fetched files are committed under ``planner/maps/assets/<package>/`` with their licence texts,
so that users never need the network to draw an offline map. Every tarball is checked against the
``integrity`` pinned below (the registry's own sha512), and ``MANIFEST.json`` records the sha256 of
each committed file, so ``--check`` (run by the test suite) catches a hand-edited asset.

Only Leaflet is vendored: the maps in :mod:`planner.maps` draw circle markers, lines, polygons and
their own HTML boxes, so they reference no other script or stylesheet (folium's defaults --
jQuery, Bootstrap, Leaflet.awesome-markers, Font Awesome -- are dropped from the page).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ASSETS_DIR = Path(__file__).resolve().parent
MANIFEST = ASSETS_DIR / "MANIFEST.json"

#: npm package -> version, registry integrity (sha512) and the files taken from its tarball
#: (path inside the tarball -> path under ``planner/maps/assets/<package>/``).
PACKAGES: dict[str, dict] = {
    "leaflet": {
        # The Leaflet version folium 0.20 references, so online and offline maps run the same code.
        "version": "1.9.3",
        "integrity": (
            "sha512-iB2cR9vAkDOu5l3HAay2obcUHZ7xwUBBjph8+PGtmW/2lYhbLizWtG7nTeYht36WfOslixQF9D/"
            "uSIzhZgGMfQ=="
        ),
        "licence": "BSD-2-Clause",
        "files": {
            "package/LICENSE": "LICENSE",
            "package/dist/leaflet.js": "leaflet.js",
            "package/dist/leaflet.css": "leaflet.css",
            "package/dist/images/layers.png": "images/layers.png",
            "package/dist/images/layers-2x.png": "images/layers-2x.png",
            "package/dist/images/marker-icon.png": "images/marker-icon.png",
            "package/dist/images/marker-icon-2x.png": "images/marker-icon-2x.png",
            "package/dist/images/marker-shadow.png": "images/marker-shadow.png",
        },
    },
}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _sri(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def fetch(package: str, spec: dict, workdir: Path) -> dict[str, str]:
    """Download one package with ``npm pack``, verify it and copy its files into place.

    Returns
    -------
    dict
        Committed path (relative to ``planner/maps/assets``) -> sha256.
    """
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("npm is needed to fetch the assets (apt-get install npm)")
    subprocess.run(
        [npm, "pack", f"{package}@{spec['version']}", "--pack-destination", str(workdir)]
        + ["--loglevel=error"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    (tarball,) = workdir.glob(f"{package}-{spec['version']}.tgz")
    if _sri(tarball) != spec["integrity"]:
        sys.exit(f"{tarball.name}: integrity mismatch, refusing to vendor it")
    target = ASSETS_DIR / package
    if target.exists():
        shutil.rmtree(target)
    hashes = {}
    with tarfile.open(tarball) as tar:
        for member, relative in spec["files"].items():
            data = tar.extractfile(member)
            if data is None:
                sys.exit(f"{tarball.name}: {member} is not a file")
            out = target / relative
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data.read())
            hashes[f"{package}/{relative}"] = _sha256(out)
    return hashes


def build() -> None:
    """Fetch every package in :data:`PACKAGES` and write ``MANIFEST.json``."""
    manifest = {"packages": {}, "files": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for package, spec in PACKAGES.items():
            manifest["files"].update(fetch(package, spec, Path(tmp)))
            manifest["packages"][package] = {
                k: spec[k] for k in ("version", "integrity", "licence")
            }
    MANIFEST.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    total = sum((ASSETS_DIR / p).stat().st_size for p in manifest["files"])
    print(f"wrote {len(manifest['files'])} files ({total / 1024:.0f} KiB) and {MANIFEST.name}")


def check() -> list[str]:
    """Compare the committed files with ``MANIFEST.json``; return the problems found."""
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    problems = []
    for relative, digest in manifest["files"].items():
        path = ASSETS_DIR / relative
        if not path.is_file():
            problems.append(f"{relative}: missing")
        elif _sha256(path) != digest:
            problems.append(f"{relative}: sha256 differs from MANIFEST.json")
    for package, spec in PACKAGES.items():
        if manifest["packages"].get(package, {}).get("version") != spec["version"]:
            problems.append(f"{package}: MANIFEST.json is not for version {spec['version']}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify, do not fetch")
    args = parser.parse_args(argv)
    if args.check:
        problems = check()
        for problem in problems:
            print(problem, file=sys.stderr)
        print("assets OK" if not problems else f"{len(problems)} problem(s)")
        return 1 if problems else 0
    build()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
