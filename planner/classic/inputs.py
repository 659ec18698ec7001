"""Checking and normalising the inputs of the classic location models.

Every model takes a demand × facility cost matrix. Internally it is held as a CSR matrix whose
*stored* entries are the reachable pairs (an explicit zero is a reachable pair at cost 0), so
that dense and sparse inputs share one code path and the models can be built from row slices
without touching unreachable pairs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from planner.errors import InputError

#: Mean Earth radius in metres (IUGG), used for great-circle distances.
EARTH_RADIUS_M = 6_371_008.8


def cost_matrix(costs, name: str = "costs") -> sp.csr_matrix:
    """Return ``costs`` as a canonical CSR matrix of reachable pairs.

    Parameters
    ----------
    costs
        Dense array (``np.inf`` marks an unreachable pair) or scipy.sparse matrix (a missing
        entry marks an unreachable pair), demand points in rows, candidate facilities in columns.
    name
        Name used in error messages.

    Returns
    -------
    scipy.sparse.csr_matrix
        Float matrix with sorted column indices and no duplicate entries.

    Raises
    ------
    InputError
        Wrong shape, non-numeric, NaN, negative or (sparse) infinite entries.
    """
    if sp.issparse(costs):
        if costs.ndim != 2:
            raise InputError(f"{name} must be 2-D (demand × facility), got {costs.ndim}-D")
        matrix = sp.csr_matrix(costs, dtype=float, copy=True)
        matrix.sum_duplicates()
        matrix.sort_indices()
        data = matrix.data
        _check_values(data, name, allow_inf=False)
    else:
        try:
            dense = np.asarray(costs, dtype=float)
        except (TypeError, ValueError) as exc:
            raise InputError(f"{name} must be a numeric matrix: {exc}") from exc
        if dense.ndim != 2:
            raise InputError(f"{name} must be 2-D (demand × facility), got shape {dense.shape}")
        _check_values(dense.ravel(), name, allow_inf=True)
        reachable = np.isfinite(dense)
        if reachable.all():
            n, m = dense.shape
            # Building the CSR arrays directly keeps explicit zeros (a site at its own demand
            # point) that scipy's dense constructor would drop as "not stored".
            matrix = sp.csr_matrix(
                (dense.ravel().copy(), np.tile(np.arange(m), n), np.arange(0, n * m + 1, m)),
                shape=(n, m),
            )
        else:
            rows, cols = np.nonzero(reachable)
            matrix = sp.csr_matrix((dense[rows, cols], (rows, cols)), shape=dense.shape)
            matrix.sort_indices()
    n, m = matrix.shape
    if n == 0 or m == 0:
        raise InputError(
            f"{name} must have at least one demand row and one facility column, "
            f"got shape {matrix.shape}"
        )
    return matrix


def _check_values(values: np.ndarray, name: str, *, allow_inf: bool) -> None:
    nan = np.isnan(values)
    if nan.any():
        raise InputError(
            f"{name} contains {int(nan.sum())} NaN value(s); use np.inf (dense) or "
            "leave the entry out (sparse) for an unreachable pair"
        )
    if (values < 0).any():
        raise InputError(
            f"{name} contains negative value(s) (smallest {values.min():g}); "
            "costs and distances must be >= 0"
        )
    if not allow_inf and np.isinf(values).any():
        raise InputError(
            f"{name} is sparse and stores infinite values; leave unreachable "
            "pairs out of the sparse matrix instead"
        )


def vector(
    values,
    length: int,
    name: str,
    *,
    default: float | None = None,
    positive: bool = False,
    allow_inf: bool = False,
) -> np.ndarray:
    """Return a float vector of ``length`` values checked for NaN and negatives.

    ``None`` gives ``default`` repeated (or raises if there is no default).
    """
    if values is None:
        if default is None:
            raise InputError(f"{name} is required", field=name)
        return np.full(length, float(default))
    try:
        array = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name} must be numeric: {exc}", field=name) from exc
    if array.shape != (length,):
        raise InputError(f"{name} must have {length} values, got {array.size}", field=name)
    if np.isnan(array).any():
        raise InputError(f"{name} contains NaN", field=name)
    if not allow_inf and np.isinf(array).any():
        raise InputError(f"{name} contains infinite values", field=name)
    if (array < 0).any() or (positive and (array <= 0).any()):
        bad = "> 0" if positive else ">= 0"
        raise InputError(f"{name} must be {bad}; smallest is {array.min():g}", field=name)
    return array


def facility_indices(required: Iterable[int] | None, m: int, name: str = "required") -> np.ndarray:
    """Sorted unique indices of facilities that must be open, checked against ``m``."""
    if required is None:
        return np.zeros(0, dtype=np.int64)
    array = np.asarray(required)
    if array.dtype == bool:
        if array.shape != (m,):
            raise InputError(f"{name} as a mask must have {m} values", field=name)
        return np.flatnonzero(array)
    if array.size and not np.issubdtype(array.dtype, np.integer):
        raise InputError(f"{name} must be integer facility indices or a boolean mask", field=name)
    array = np.unique(array.astype(np.int64).ravel())
    if array.size and (array[0] < 0 or array[-1] >= m):
        raise InputError(
            f"{name} holds facility indices outside 0..{m - 1}: "
            f"{array[(array < 0) | (array >= m)].tolist()}",
            field=name,
        )
    return array


def facility_count(p, m: int, required: np.ndarray) -> int:
    """Check the number of facilities to open: ``len(required) <= p <= m``."""
    if isinstance(p, bool) or not isinstance(p, int | np.integer):
        raise InputError(f"p must be an integer, got {p!r}", field="p")
    p = int(p)
    if p < 1 or p > m:
        raise InputError(
            f"p must be between 1 and the number of facilities ({m}), got {p}", field="p"
        )
    if required.size > p:
        raise InputError(f"{required.size} required facilities exceed p={p}", field="p")
    return p


def radius(value, name: str = "service_radius") -> float:
    """A finite, non-negative covering radius."""
    try:
        value = float(value)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name} must be a number, got {value!r}", field=name) from exc
    if not np.isfinite(value) or value < 0:
        raise InputError(f"{name} must be finite and >= 0, got {value}", field=name)
    return value


def coverage(matrix: sp.csr_matrix, service_radius: float) -> sp.csr_matrix:
    """0/1 CSR matrix of reachable pairs with cost ``<= service_radius``."""
    covered = matrix.copy()
    covered.data = (covered.data <= service_radius).astype(float)
    covered.eliminate_zeros()
    return covered


def identical_rows(matrix: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """Group the rows of ``matrix`` that store the same columns (values ignored).

    Demand points covered by exactly the same facilities are interchangeable in a covering
    model: one row with their summed weight replaces them all.

    Returns
    -------
    group : numpy.ndarray
        Group number of each row (``0..k-1``, in order of first appearance).
    first : numpy.ndarray
        The first row of each group.
    """
    indices, indptr = matrix.indices, matrix.indptr
    seen: dict[bytes, int] = {}
    group = np.empty(matrix.shape[0], dtype=np.int64)
    for i in range(matrix.shape[0]):
        group[i] = seen.setdefault(indices[indptr[i] : indptr[i + 1]].tobytes(), len(seen))
    first = np.full(len(seen), -1, dtype=np.int64)
    first[group[::-1]] = np.arange(matrix.shape[0])[::-1]
    return group, first


def densify(matrix: sp.csr_matrix, fill: float = np.inf) -> np.ndarray:
    """Dense copy of ``matrix`` with ``fill`` where a pair is unreachable."""
    dense = np.full(matrix.shape, fill)
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    dense[rows, matrix.indices] = matrix.data
    return dense


# --- distances between GeoDataFrames ------------------------------------------------------------


def _points(gdf, name: str) -> tuple[np.ndarray, np.ndarray]:
    if gdf is None or len(gdf) == 0:
        raise InputError(f"{name} has no rows", source=name)
    geometry = gdf.geometry
    if geometry.isna().any() or geometry.is_empty.any():
        raise InputError(f"{name} has missing or empty geometries", source=name)
    if not (geometry.geom_type == "Point").all():
        # A point guaranteed inside each polygon: centroids can fall outside concave areas.
        geometry = geometry.representative_point()
    return geometry.x.to_numpy(), geometry.y.to_numpy()


def geodataframe_distances(demand, facilities, metric: str = "euclidean") -> np.ndarray:
    """Distance matrix (demand rows × facility columns) between two GeoDataFrames.

    Parameters
    ----------
    demand, facilities
        GeoDataFrames of points (other geometries use a representative point).
    metric
        ``"euclidean"`` (needs a projected CRS, distances in CRS units) or ``"haversine"``
        (great-circle metres; any CRS, converted to WGS84 longitude/latitude first).

    Raises
    ------
    InputError
        Missing or different CRS, geographic CRS with Euclidean distances, unknown metric.
    """
    if metric not in ("euclidean", "haversine"):
        raise InputError(
            f"metric must be 'euclidean' or 'haversine', got {metric!r}", field="metric"
        )
    for gdf, label in ((demand, "demand"), (facilities, "facilities")):
        if getattr(gdf, "crs", None) is None:
            raise InputError(
                f"{label} GeoDataFrame has no CRS; set one (e.g. EPSG:27700)", source=label
            )
    if metric == "euclidean":
        if not demand.crs.equals(facilities.crs):
            raise InputError(
                f"demand CRS {demand.crs.to_string()} differs from facilities "
                f"CRS {facilities.crs.to_string()}; reproject one of them"
            )
        if demand.crs.is_geographic:
            raise InputError(
                f"CRS {demand.crs.to_string()} is geographic (degrees): Euclidean "
                "distances would be wrong; reproject to a projected CRS such as "
                "EPSG:27700 or pass metric='haversine'",
                field="metric",
            )
        dx, dy = _points(demand, "demand")
        fx, fy = _points(facilities, "facilities")
        return np.hypot(dx[:, None] - fx[None, :], dy[:, None] - fy[None, :])
    lon_d, lat_d = _points(demand.to_crs(4326), "demand")
    lon_f, lat_f = _points(facilities.to_crs(4326), "facilities")
    lat1, lat2 = np.radians(lat_d)[:, None], np.radians(lat_f)[None, :]
    dlat = lat2 - lat1
    dlon = np.radians(lon_f)[None, :] - np.radians(lon_d)[:, None]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def column(gdf, col: str | None, name: str) -> np.ndarray | None:
    """Numeric values of column ``col`` of ``gdf`` (``None`` when ``col`` is ``None``).

    Raises
    ------
    InputError
        The column is missing, or a value is missing or not a number (the first bad row named).
    """
    if col is None:
        return None
    values = _existing_column(gdf, col, name)
    numbers = pd.to_numeric(values, errors="coerce")
    bad = numbers.isna().to_numpy()
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"{bad.sum()} value(s) missing or not numbers (first: {values.iloc[first]!r}); "
            "expected a number in every row",
            source=name,
            row=values.index[first],
            field=col,
        )
    return numbers.to_numpy(dtype=float)


def flag_column(gdf, col: str | None, name: str) -> np.ndarray | None:
    """Boolean column ``col`` of ``gdf`` (True/False or 1/0; ``None`` when ``col`` is ``None``).

    Raises
    ------
    InputError
        The column is missing or holds anything but booleans and 0/1 (the first bad row named).
    """
    if col is None:
        return None
    values = _existing_column(gdf, col, name)
    allowed = values.map(lambda v: isinstance(v, bool | np.bool_) or v in (0, 1))
    bad = ~allowed.to_numpy(dtype=bool)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"{bad.sum()} value(s) are not True/False or 1/0 (first: {values.iloc[first]!r})",
            source=name,
            row=values.index[first],
            field=col,
        )
    return values.astype(bool).to_numpy()


def _existing_column(gdf, col: str, name: str):
    if col not in gdf.columns:
        raise InputError(
            f"column {col!r} not found; available: {', '.join(map(str, gdf.columns))}",
            source=name,
            field=col,
        )
    return gdf[col]


# --- each demand point's facilities in order of cost ---------------------------------------------


@dataclass(frozen=True)
class SortedPairs:
    """The reachable pairs of a cost matrix, each demand row's facilities sorted by cost.

    Row ``i`` owns entries ``indptr[i]:indptr[i + 1]`` of ``facility`` and ``cost``, in
    ascending cost (ties by facility index). The p-median's radius formulation and its
    Lagrangian bound both walk rows in this order.
    """

    shape: tuple[int, int]
    indptr: np.ndarray
    facility: np.ndarray
    cost: np.ndarray

    @classmethod
    def from_matrix(cls, matrix: sp.csr_matrix) -> SortedPairs:
        n, m = matrix.shape
        lengths = np.diff(matrix.indptr)
        if matrix.nnz == n * m:
            # Dense: a row-wise argsort is much cheaper than a global lexsort.
            order = np.argsort(matrix.data.reshape(n, m), axis=1, kind="stable")
            order = (order + (np.arange(n) * m)[:, None]).ravel()
        else:
            order = np.lexsort((matrix.indices, matrix.data, np.repeat(np.arange(n), lengths)))
        return cls(
            (n, m), matrix.indptr.astype(np.int64), matrix.indices[order], matrix.data[order]
        )

    @property
    def row(self) -> np.ndarray:
        """Demand row of each entry."""
        return np.repeat(np.arange(self.shape[0]), np.diff(self.indptr))

    def columns(self, keep: np.ndarray) -> SortedPairs:
        """The pairs of the facilities in boolean mask ``keep``, renumbered ``0..keep.sum()-1``
        (row order is kept, so no re-sorting)."""
        mask = keep[self.facility]
        new_index = np.cumsum(keep) - 1
        counts = np.bincount(self.row[mask], minlength=self.shape[0])
        indptr = np.r_[0, np.cumsum(counts)].astype(np.int64)
        return SortedPairs(
            (self.shape[0], int(keep.sum())),
            indptr,
            new_index[self.facility[mask]],
            self.cost[mask],
        )
