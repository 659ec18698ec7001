"""Where ``planner`` finds its embedded data and scenarios, the coordinate systems it works in,
and the solver names it accepts.

Constants only (and the one check of a solver name): nothing here changes while ``planner`` runs.
"""

from __future__ import annotations

import os
from pathlib import Path

#: planner's version (pyproject.toml reads it from here), recorded in every plan and manifest.
VERSION = "0.1.0"

_REPOSITORY = Path(__file__).resolve().parent.parent

#: Folder of the embedded England dataset. The package is installed editable, so by default this
#: is the repository's ``geodata/``; set the environment variable ``PLANNER_GEODATA`` to use
#: another copy (read once, at import).
GEODATA_DIR: Path = Path(os.environ.get("PLANNER_GEODATA") or _REPOSITORY / "geodata")

#: Folder of the scenarios shipped with planner: ``planner.run("england_baseline")`` and
#: ``planner run england_baseline`` look here for a name that is not a file.
SCENARIOS_DIR: Path = _REPOSITORY / "scenarios"

#: Longitude/latitude (WGS 84): the CRS of every table ``planner`` returns.
CRS = "EPSG:4326"

#: British National Grid, in metres: for distances and for ONS easting/northing columns.
BNG = "EPSG:27700"

#: planner's short names for PuLP's solvers; any other name PuLP knows is accepted as it is.
SOLVER_ALIASES = {
    "highs": "HiGHS",
    "cbc": "PULP_CBC_CMD",
    "pulp_cbc_cmd": "PULP_CBC_CMD",
    "coin_cmd": "COIN_CMD",
    "glpk": "GLPK_CMD",
    "glpk_cmd": "GLPK_CMD",
    "highs_cmd": "HiGHS_CMD",
    "gurobi": "GUROBI",
    "cplex": "CPLEX_PY",
    "scip": "SCIP_PY",
}


def known_solver_name(name: str) -> str:
    """PuLP's name for solver ``name`` (an alias above or one of PuLP's own names).

    Raises
    ------
    ValueError
        ``name`` is no solver PuLP knows (whether or not it is installed here).
    """
    import pulp

    pulp_name = SOLVER_ALIASES.get(name.lower(), name)
    known = pulp.listSolvers()
    if pulp_name not in known:
        raise ValueError(
            f"unknown solver {name!r}; expected 'highs', 'cbc' or one of PuLP's: {', '.join(known)}"
        )
    return pulp_name
