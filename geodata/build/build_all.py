"""Rebuild every file in ``geodata/`` in order: ``.venv/bin/python geodata/build/build_all.py``."""

from __future__ import annotations

import build_demand_zones
import build_regions
import build_sites

if __name__ == "__main__":
    build_regions.main()  # the others place points in these polygons
    build_demand_zones.main()
    build_sites.main()
