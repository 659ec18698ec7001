"""Classic facility location models built sparsely in PuLP and solved through
:func:`planner.optimise.solver.solve`.

Each model has a class with ``from_cost_matrix`` / ``from_geodataframe`` constructors and a
``solve`` method (spopt's pattern) and a lowercase function as the simple entry point:

>>> from planner.classic import p_median
>>> result = p_median(costs, p=5)                     # doctest: +SKIP
>>> result.status, result.objective, result.facilities  # doctest: +SKIP
"""

from planner.classic.assembly import LocationResult
from planner.classic.cflp import CFLP, cflp
from planner.classic.coverage import LSCP, MCLP, lscp, mclp
from planner.classic.orlib import read_orlib_pmed
from planner.classic.pcenter import PCenter, p_center
from planner.classic.pmedian import PMedian, p_median

__all__ = [
    "CFLP",
    "LSCP",
    "MCLP",
    "LocationResult",
    "PCenter",
    "PMedian",
    "cflp",
    "lscp",
    "mclp",
    "p_center",
    "p_median",
    "read_orlib_pmed",
]
