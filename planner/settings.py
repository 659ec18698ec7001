"""Where ``planner`` finds its embedded data, and the coordinate systems it works in.

Constants only: nothing here changes while ``planner`` runs.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Folder of the embedded England dataset. The package is installed editable, so by default this
#: is the repository's ``geodata/``; set the environment variable ``PLANNER_GEODATA`` to use
#: another copy (read once, at import).
GEODATA_DIR: Path = Path(
    os.environ.get("PLANNER_GEODATA") or Path(__file__).resolve().parent.parent / "geodata"
)

#: Longitude/latitude (WGS 84): the CRS of every table ``planner`` returns.
CRS = "EPSG:4326"

#: British National Grid, in metres: for distances and for ONS easting/northing columns.
BNG = "EPSG:27700"
