"""Property-based tests: generated files and scenarios give a result or planner's own error.

Hypothesis writes CSV demand, site, hub and supplier files, long travel matrices, OSRM responses
and scenario TOMLs, well-formed or not (near-miss headers, text in number columns, quotes, stray
commas, Latin-1 bytes, exotic floats), and feeds each to its reader. Whatever it writes, the
reader must return its table or raise :class:`planner.errors.InputError` (naming a file or a
key): never a traceback from pandas, pyproj, numpy or pydantic. Each test is bounded by its
number of examples (the whole module takes some tens of seconds on one core).
"""

from __future__ import annotations

import csv
import io
import json
import math
import tempfile
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.data import readers
from planner.data.travel import TravelMatrix
from planner.data.travel_files import read_osrm_table, read_travel_matrix
from planner.errors import InputError
from planner.scenario import Scenario, load_scenario

BOUNDED = settings(
    max_examples=120,
    deadline=None,  # the first example loads England's outline and LSOA points
    suppress_health_check=[HealthCheck.too_slow],
    database=None,  # no .hypothesis folder written into the repository
)

# Cells: numbers near England's coordinates and populations, exotic numbers, text with the
# characters that break CSV files, and empty cells.
NUMBERS = st.one_of(
    st.floats(49.9, 55.8).map(lambda v: f"{v:.4f}"),
    st.floats(-6.4, 1.8).map(lambda v: f"{v:.4f}"),
    st.integers(-10, 2_000_000).map(str),
    st.integers(0, 1_300_000).map(str),
    st.sampled_from(["1e12", "-0", "nan", "NaN", "inf", "-inf", "1e400", "0x10", "1_000", "٣"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
WORDS = st.sampled_from(
    ["true", "false", "yes", "no", "1", "0", "maybe", "fixed", "mobile", "active", "mothballed"]
)
CELLS = st.one_of(NUMBERS, WORDS, st.text(max_size=8), st.just(""))

#: English towns (lat, lon): generated rows start in England, so that most files get past the
#: location check to the columns after it.
TOWNS = [(53.80, -1.55), (53.47, -2.24), (52.48, -1.90), (51.51, -0.12), (52.63, 1.29)]

#: A good file of each kind: its header and a row maker (row number, town) -> cells.
GOOD = {
    "zones": (
        ["zone_id", "name", "population", "lat", "lon", "imd_decile"],
        lambda i, t: [
            f"Z{i}",
            f"Zone {i}",
            str(100 * i + 1),
            f"{t[0]}",
            f"{t[1]}",
            str(i % 10 + 1),
        ],
    ),
    "sites": (
        ["site_id", "name", "lat", "lon", "scanners", "kind", "existing", "postcode"],
        lambda i, t: [
            f"S{i}",
            f"Site {i}",
            f"{t[0]}",
            f"{t[1]}",
            str(i % 2),
            "fixed",
            "true" if i % 2 else "false",
            "",
        ],
    ),
    "hubs": (
        ["hub_id", "name", "lat", "lon", "is_christie", "trainee_places"],
        lambda i, t: [f"H{i}", f"Hub {i}", f"{t[0]}", f"{t[1]}", "no", str(10 + i)],
    ),
    "suppliers": (
        ["supplier_id", "name", "lat", "lon", "status"],
        lambda i, t: [f"R{i}", f"Supplier {i}", f"{t[0]}", f"{t[1]}", "active"],
    ),
}
#: Headers a planner might write instead: near misses, other spellings, grid columns, extras.
OTHER_HEADERS = ["populaton", "pop", "scaners", "Existing", "easting", "northing", "x", "y"]
OTHER_HEADERS += ["notes", "LSOA21CD", "imd_score", "", "lat", "zone_id", "Population"]


def table_text(headers: list[str], rows: list[list[str]], quoted: bool) -> str:
    """A CSV file's text: quoted by the csv module, or cells joined with bare commas."""
    if not quoted:
        return "\n".join(",".join(r) for r in [headers, *rows]) + "\n"
    buffer = io.StringIO()
    csv.writer(buffer).writerows([headers, *rows])
    return buffer.getvalue()


@st.composite
def csv_files(draw, kind: str) -> bytes:
    """A good file of ``kind`` with up to three things spoilt: a header renamed, a cell
    replaced, a cell added or dropped, a column dropped; in UTF-8, with a BOM, or Latin-1."""
    headers, row = GOOD[kind]
    headers = list(headers)
    rows = [row(i, draw(st.sampled_from(TOWNS))) for i in range(draw(st.integers(0, 5)))]
    for _ in range(draw(st.integers(0, 3))):
        change = draw(st.sampled_from(["header", "cell", "cell", "extra", "short", "drop"]))
        column = draw(st.integers(0, len(headers) - 1))
        if change == "header":
            headers[column] = draw(st.sampled_from(OTHER_HEADERS) | st.text(max_size=6))
        elif change == "cell" and rows:
            cells = draw(st.sampled_from(rows))
            if cells:
                cells[min(column, len(cells) - 1)] = draw(CELLS)
        elif change == "extra" and rows:
            draw(st.sampled_from(rows)).append(draw(CELLS))
        elif change == "short" and rows:
            cells = draw(st.sampled_from(rows))
            cells[-1:] = []
        elif change == "drop" and len(headers) > 1:
            headers.pop(column)
            for cells in rows:
                cells[column : column + 1] = []
    text = table_text(headers, rows, quoted=draw(st.booleans()))
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "latin-1"]))
    return text.encode(encoding, errors="replace")


def read_or_refuse(reader, content: bytes, suffix: str = ".csv", **options):
    """Write ``content`` to a file and read it: a result, or an InputError naming the file."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"generated{suffix}"
        path.write_bytes(content)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # unused columns, zones left out: warnings, fine
            try:
                result = reader(path, **options)
            except InputError as exc:
                assert str(path) in str(exc) or exc.field, str(exc)
                return None
        return result


@BOUNDED
@given(csv_files("zones"))
def test_demand_files_give_zones_or_an_input_error(content):
    zones = read_or_refuse(readers.read_demand_zones, content)
    if zones is not None:
        assert isinstance(zones, gpd.GeoDataFrame) and len(zones) > 0
        assert (zones["population"] > 0).all() and zones["population"].le(56_490_000).all()
        assert zones["zone_id"].is_unique and zones[["lat", "lon"]].notna().all().all()


@BOUNDED
@given(csv_files("sites"))
def test_site_files_give_sites_or_an_input_error(content):
    sites = read_or_refuse(readers.read_sites, content)
    if sites is not None:
        assert sites["existing"].dtype == bool and sites["site_id"].is_unique
        assert set(sites["kind"]) <= {"fixed", "mobile"}
        # A candidate has no scanners: the reader refuses one that does.
        assert not (sites["scanners"].fillna(0)[~sites["existing"]] > 0).any()


@BOUNDED
@given(
    st.sampled_from(["hubs", "suppliers"]).flatmap(lambda k: st.tuples(st.just(k), csv_files(k)))
)
def test_hub_and_supplier_files_give_tables_or_an_input_error(case):
    kind, content = case
    reader = readers.read_hubs if kind == "hubs" else readers.read_suppliers
    table = read_or_refuse(reader, content)
    if table is not None:
        assert len(table) > 0 and table[["lat", "lon"]].notna().all().all()


MATRIX_CELLS = st.one_of(st.sampled_from(["Z1", "Z2", "S1", "S2", "Z3", " Z1", ""]), NUMBERS)


@st.composite
def matrix_files(draw) -> bytes:
    """A good long matrix (every pair once) with up to three cells, or the header, spoilt."""
    headers = ["origin", "destination", "minutes"]
    pairs = draw(
        st.lists(
            st.sampled_from([("Z1", "S1"), ("Z1", "S2"), ("Z2", "S1"), ("Z2", "S2")]), unique=True
        )
    )
    rows = [[o, d, str(draw(st.integers(0, 200)))] for o, d in pairs]
    for _ in range(draw(st.integers(0, 3))):
        if rows and draw(st.booleans()):
            draw(st.sampled_from(rows))[draw(st.integers(0, 2))] = draw(MATRIX_CELLS)
        else:
            headers[draw(st.integers(0, 2))] = draw(st.sampled_from(["mins", "Origin", "minutes"]))
    return table_text(headers, rows, quoted=draw(st.booleans())).encode()


@BOUNDED
@given(matrix_files())
def test_long_matrices_give_travel_times_or_an_input_error(content):
    matrix = read_or_refuse(
        read_travel_matrix, content, origin_ids=["Z1", "Z2"], destination_ids=["S1", "S2"]
    )
    if matrix is not None:
        assert isinstance(matrix, TravelMatrix)
        assert (matrix.minutes >= 0).all() and all(map(math.isfinite, matrix.minutes))


SECONDS = st.one_of(st.none(), st.integers(0, 10**5), st.floats(0, 1e6))
DURATION = st.one_of(
    st.none(),
    st.integers(-5, 10**6),
    st.floats(allow_nan=False),
    st.booleans(),
    st.text(max_size=3),
    st.just(10**400),
)


@BOUNDED
@given(
    st.one_of(
        st.fixed_dictionaries(
            {
                "code": st.sampled_from(["Ok", "NoTable", 1]),
                # Mostly the 2 x 2 shape of the request, to reach the checks on values.
                "durations": st.lists(
                    st.lists(SECONDS, min_size=2, max_size=2), min_size=2, max_size=2
                )
                | st.lists(st.lists(DURATION, max_size=3), max_size=3)
                | DURATION,
            }
        ),
        st.lists(st.integers(), max_size=2),
        st.text(max_size=5),
    )
)
def test_osrm_responses_give_travel_times_or_an_input_error(payload):
    content = json.dumps(payload).encode() if not isinstance(payload, str) else payload.encode()
    matrix = read_or_refuse(
        read_osrm_table, content, ".json", origin_ids=["Z1", "Z2"], destination_ids=["S1", "S2"]
    )
    if matrix is not None:
        assert len(matrix) > 0 and (matrix.minutes >= 0).all()


# --- scenario TOMLs -----------------------------------------------------------------------------


def toml_value(value) -> str:
    """``value`` written as TOML (inline tables for dicts)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return (
            "nan"
            if math.isnan(value)
            else ("inf" if value > 0 else "-inf")
            if math.isinf(value)
            else repr(value)
        )
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


#: Real sections and keys, with a near miss or two, so that most scenarios reach the key checks.
KEYS = {
    "scenario": ["name", "title", "nmae"],
    "data": ["demand_zones", "sites", "candidate_sites", "regions", "zone_level", "travel_matrix"],
    "demand": ["scans_per_million", "annual_growth", "horizon_years", "max_zone_population"],
    "access": ["minutes", "share", "enforce"],
    "limits": ["min_sites", "max_sites", "budget"],
    "solver": ["name", "time_limit", "mip_gap", "threads", "method"],
    "hubs": ["enabled", "required", "max_hubs"],
    "travel": ["max_minutes", "band_km", "band_kmh"],
    "phasing": ["enabled", "years"],
    "acess": ["share"],
}
SCALARS = st.one_of(
    st.booleans(),
    st.integers(-3, 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["embedded", "none", "0.9", "highs", "gurobi", "msoa", "E12000002", ""]),
    st.text(max_size=6),
)
VALUES = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=3),
    st.dictionaries(st.text(max_size=4), SCALARS, max_size=2),
)


@st.composite
def scenarios(draw) -> dict:
    data: dict = {"scenario": {"name": draw(st.sampled_from(["s", ""]) | st.text(max_size=4))}}
    for section in draw(st.lists(st.sampled_from(list(KEYS)), max_size=4, unique=True)):
        keys = draw(st.lists(st.sampled_from(KEYS[section]), max_size=3, unique=True))
        data.setdefault(section, {}).update({k: draw(VALUES) for k in keys})
    return data


@BOUNDED
@given(scenarios())
def test_scenario_files_give_a_scenario_or_an_input_error(data):
    text = "\n".join(
        f"[{section}]\n" + "\n".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in keys.items())
        for section, keys in data.items()
    )
    scenario = read_or_refuse(load_scenario, text.encode("utf-8", errors="replace"), ".toml")
    if scenario is not None:
        assert isinstance(scenario, Scenario)
        # Strict types: what was read is what the file says, never a coerced text or boolean.
        for section, keys in data.items():
            for key, value in keys.items():
                read = getattr(getattr(scenario, section), key)
                if isinstance(value, str | bool):
                    assert read == value and type(read) is type(value), (section, key)


@BOUNDED
@given(st.text(max_size=60))
def test_any_text_as_a_scenario_gives_a_scenario_or_an_input_error(text):
    read_or_refuse(load_scenario, text.encode("utf-8", errors="replace"), ".toml")


def test_a_generated_table_can_be_read_back():
    # The generators reach the readers' success path, not only their errors: a table written
    # from a good example is read back with its values.
    content = table_text(
        ["zone_id", "population", "lat", "lon"], [["Z1", "12", "53.47", "-2.24"]], True
    )
    zones = read_or_refuse(readers.read_demand_zones, content.encode())
    assert zones is not None and zones.loc[0, "population"] == 12
    assert pd.api.types.is_integer_dtype(zones["population"])
