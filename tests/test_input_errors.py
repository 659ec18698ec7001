"""Bad inputs through the command line: each a clear error naming file, row or field, exit code 2
(3 for an infeasible scenario), and no file of the planner's changed.

The case is the four-zone North West scenario of ``tests/test_cli.py``; each test spoils one file
or key of it the way a planner might.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from planner.cli import EXIT_INFEASIBLE, EXIT_INPUT, main
from planner.network import NetworkInputs
from planner.scenario import load_scenario
from tests.test_cli import MATRIX_ROWS, SITES, ZONES, write_case


def snapshot(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder``: what a run must leave as it was."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def refused(tmp_path: Path, capsys, args: list[str], code: int = EXIT_INPUT) -> str:
    """Run ``planner ARGS``; assert its exit code and that no file changed; return stderr."""
    before = snapshot(tmp_path)
    assert main(args) == code
    assert snapshot(tmp_path) == before
    return capsys.readouterr().err


def spoil(tmp_path: Path, name: str, text: str | bytes) -> None:
    path = tmp_path / name
    path.write_bytes(text) if isinstance(text, bytes) else path.write_text(text)


def set_key(scenario: str, old: str, new: str) -> None:
    path = Path(scenario)
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new))


# --- columns ------------------------------------------------------------------------------------


def test_a_misspelt_optional_column_is_an_error_naming_the_near_miss(tmp_path, capsys):
    scenario = write_case(tmp_path)
    spoil(tmp_path, "sites.csv", SITES.replace("scanners", "scaners"))
    err = refused(tmp_path, capsys, ["validate", scenario])
    assert "sites.csv" in err and "field 'scaners'" in err and "did you mean 'scanners'" in err
    # A different case is the same near miss: the column would be ignored all the same.
    spoil(tmp_path, "sites.csv", SITES.replace("existing", "Existing"))
    err = refused(tmp_path, capsys, ["run", scenario, "--out", str(tmp_path / "p")])
    assert "field 'Existing'" in err and "did you mean 'existing'" in err
    assert not (tmp_path / "p").exists()


def test_an_extra_column_is_allowed_and_named_in_a_warning(tmp_path, capsys):
    scenario = write_case(tmp_path)
    notes = SITES.replace(",existing\n", ",existing,notes\n").replace("True\n", "True,ok\n")
    spoil(tmp_path, "sites.csv", notes)
    with pytest.warns(UserWarning, match=r"sites.csv: column\(s\) 'notes' are not used"):
        assert main(["validate", scenario]) == 0
    assert "3 sites" in capsys.readouterr().out


# --- existing and candidate sites in one file ---------------------------------------------------


def test_the_existing_column_is_honoured(tmp_path):
    # SITES marks X1 existing (1 scanner), X2 and X3 candidates, in the one data.sites file.
    scenario = load_scenario(write_case(tmp_path))
    sites = NetworkInputs.from_scenario(scenario).sites.set_index("site_id")
    assert sites["existing"].to_dict() == {"X1": True, "X2": False, "X3": False}
    assert sites["existing_scanners"].to_dict() == {"X1": 1, "X2": 0, "X3": 0}
    assert sites.loc["X1", "existing_kind"] == "fixed" and sites.loc["X2", "existing_kind"] == ""
    # Without the column every row of data.sites is an existing site, as before.
    spoil(tmp_path, "sites.csv", "\n".join(r.rsplit(",", 1)[0] for r in SITES.splitlines()))
    sites = NetworkInputs.from_scenario(scenario).sites
    assert sites["existing"].tolist() == [True, True, True]


def test_a_candidate_file_may_hold_existing_sites_too(tmp_path):
    scenario = write_case(tmp_path)
    spoil(tmp_path, "sites.csv", "\n".join(SITES.splitlines()[:2]) + "\n")  # X1 only
    spoil(tmp_path, "candidates.csv", SITES.replace("X1,", "X0,").replace("X0,Central", "X0,Old"))
    set_key(scenario, 'candidate_sites = "none"', 'candidate_sites = "candidates.csv"')
    sites = NetworkInputs.from_scenario(load_scenario(scenario)).sites.set_index("site_id")
    # data.sites' row is existing by its column; the candidate file's rows go by theirs.
    assert sites["existing"].to_dict() == {"X1": True, "X0": True, "X2": False, "X3": False}


@pytest.mark.parametrize(
    ("value", "shown"), [("maybe", "'maybe'"), ("", "'(empty)'"), ("y", "'y'"), ("2", "'2'")]
)
def test_an_existing_value_that_is_not_true_or_false_names_row_and_field(
    tmp_path, capsys, value, shown
):
    scenario = write_case(tmp_path)
    spoil(tmp_path, "sites.csv", SITES.replace("0,,False", f"0,,{value}", 1))
    err = refused(tmp_path, capsys, ["validate", scenario])
    assert "sites.csv, row 2, field 'existing'" in err and f"found {shown}" in err
    assert "expected true/false (or 1/0, yes/no)" in err


def test_a_candidate_with_scanners_is_refused(tmp_path, capsys):
    scenario = write_case(tmp_path)
    spoil(tmp_path, "sites.csv", SITES.replace("X3,Coast,54.04,-2.80,0", "X3,Coast,54.04,-2.80,2"))
    err = refused(tmp_path, capsys, ["validate", scenario])
    assert "sites.csv, row 3, field 'scanners'" in err and "candidate site" in err


# --- population ---------------------------------------------------------------------------------


def test_an_implausible_population_names_file_row_field_and_the_key(tmp_path, capsys):
    scenario = write_case(tmp_path)
    spoil(tmp_path, "zones.csv", ZONES.replace("300000", "1e12"))
    err = refused(tmp_path, capsys, ["validate", scenario])
    assert "zones.csv, row 2, field 'population'" in err
    assert "1,000,000,000,000 people" in err and "at most 56,490,000" in err
    assert "demand.max_zone_population" in err
    # The bound is a scenario key: raised, the same file is accepted.
    assert main(["validate", scenario, "--set", "demand.max_zone_population=2e12"]) == 0
    assert "1,000,000,800,000 people" in capsys.readouterr().out


def test_every_population_zero_says_so_not_the_region_filter(tmp_path, capsys):
    scenario = write_case(tmp_path)
    lines = ZONES.splitlines()
    zero = [lines[0]] + [",".join(r.split(",")[:2] + ["0"] + r.split(",")[3:]) for r in lines[1:]]
    spoil(tmp_path, "zones.csv", "\n".join(zero) + "\n")
    err = refused(tmp_path, capsys, ["validate", scenario])
    assert "zones.csv, field 'population'" in err and "every zone's population is 0 (4 rows)" in err
    assert "region" not in err


# --- scenario types -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "key", "found", "expected"),
    [
        ("share = 0.6", 'share = "0.9"', "access.share", "the text '0.9'", "a number"),
        ("share = 0.6", "share = true", "access.share", "the boolean true", "a number"),
        (
            "[access]",
            "[limits]\nmax_sites = true\n[access]",
            "limits.max_sites",
            "the boolean true",
            "a whole number",
        ),
        (
            "horizon_years = 0",
            "horizon_years = 5.0",
            "demand.horizon_years",
            "the number 5.0",
            "a whole number",
        ),
        ("minutes = 30", 'minutes = "30"', "access.minutes", "the text '30'", "a number"),
        ('name = "own-data"', "name = 7", "scenario.name", "the number 7", "text in quotes"),
    ],
)
def test_strict_toml_types_name_key_found_and_expected(
    tmp_path, capsys, old, new, key, found, expected
):
    scenario = write_case(tmp_path)
    set_key(scenario, old, new)
    err = refused(tmp_path, capsys, ["validate", scenario])
    assert f"own.toml, field '{key}'" in err and found in err and f"expected {expected}" in err


# --- travel times -------------------------------------------------------------------------------


def test_an_osrm_table_without_any_route_is_refused(tmp_path, capsys):
    scenario = write_case(tmp_path)
    set_key(scenario, '"matrix.csv"', '"osrm.json"')
    set_key(scenario, "share = 0.6", "share = 0.6\nenforce = false")
    spoil(tmp_path, "osrm.json", json.dumps({"code": "Ok", "durations": [[None] * 3] * 4}))
    err = refused(tmp_path, capsys, ["run", scenario, "--out", str(tmp_path / "p")])
    assert "osrm.json, field 'durations'" in err and "every duration is null" in err
    assert "4 origins x 3 destinations" in err
    assert not (tmp_path / "p").exists()


def test_a_matrix_missing_most_pairs_names_the_zones_without_travel(tmp_path, capsys):
    scenario = write_case(tmp_path)
    pd.DataFrame(MATRIX_ROWS[:2], columns=["origin", "destination", "minutes"]).to_csv(
        tmp_path / "matrix.csv", index=False
    )
    with pytest.warns(UserWarning, match="3 of 4 demand zones have no travel time"):
        err = refused(
            tmp_path, capsys, ["run", scenario, "--out", str(tmp_path / "p")], EXIT_INFEASIBLE
        )
    assert "3 of 4 demand zones have no travel time to any site within 120 min in matrix.csv" in err
    assert "(E01000002, E01000003, E01000004)" in err and "missing rows" in err


def test_a_nan_minute_names_row_and_field(tmp_path, capsys):
    scenario = write_case(tmp_path)
    rows = [*MATRIX_ROWS[:2], ("E01000002", "X1", "NaN"), *MATRIX_ROWS[3:]]
    pd.DataFrame(rows, columns=["origin", "destination", "minutes"]).to_csv(
        tmp_path / "matrix.csv", index=False
    )
    err = refused(tmp_path, capsys, ["validate", scenario])
    assert "matrix.csv, row 3, field 'minutes'" in err and "found 'NaN'" in err


# --- file formats -------------------------------------------------------------------------------


def zones_geopackage(tmp_path: Path, layers: list[str]) -> Path:
    table = pd.read_csv(tmp_path / "zones.csv")
    frame = gpd.GeoDataFrame(
        table.drop(columns=["easting", "northing"]),
        geometry=gpd.points_from_xy(table["easting"], table["northing"]),
        crs="EPSG:27700",
    )
    path = tmp_path / "zones.gpkg"
    for layer in layers:
        frame.to_file(path, layer=layer)
    return path


def test_a_geopackage_with_several_layers_needs_one_named(tmp_path, capsys):
    scenario = write_case(tmp_path)
    zones_geopackage(tmp_path, ["lsoa", "msoa"])
    set_key(scenario, '"zones.csv"', '"zones.gpkg"')
    err = refused(tmp_path, capsys, ["validate", scenario])
    assert "zones.gpkg: the GeoPackage has 2 layers (lsoa, msoa)" in err
    assert 'name the one to read after the file, as "zones.gpkg:lsoa"' in err
    set_key(scenario, '"zones.gpkg"', '"zones.gpkg:parish"')
    err = refused(tmp_path, capsys, ["validate", scenario])
    assert "zones.gpkg:parish: no layer 'parish'" in err and "lsoa, msoa" in err
    set_key(scenario, '"zones.gpkg:parish"', '"zones.gpkg:msoa"')
    assert main(["validate", scenario]) == 0
    assert "4 demand zones (1,100,000 people" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "the file is empty (0 bytes); expected a GeoPackage"),
        (ZONES.encode(), "not a GeoPackage (it starts as text"),
        (ZONES.encode(), "not a Parquet file (it starts as text"),
    ],
)
def test_an_empty_or_mislabelled_geopackage(tmp_path, capsys, content, words):
    scenario = write_case(tmp_path)
    name = "zones.parquet" if "Parquet" in words else "zones.gpkg"
    spoil(tmp_path, name, content)
    set_key(scenario, '"zones.csv"', f'"{name}"')
    err = refused(tmp_path, capsys, ["validate", scenario])
    assert f"{name}: {words}" in err and "DRIVER" not in err


def test_a_latin1_file_names_row_field_and_byte(tmp_path, capsys):
    scenario = write_case(tmp_path)
    spoil(tmp_path, "zones.csv", ZONES.replace("Zone three", "Zöne three").encode("latin-1"))
    err = refused(tmp_path, capsys, ["validate", scenario])
    assert "zones.csv, row 3, field 'LSOA21NM'" in err and "byte 0xF6 ('ö'" in err
    # The byte's place in the file, counted from 1: all before "Zone three", then "Z", then it.
    offset = len(ZONES.split("Zone three")[0].encode()) + 2
    assert f"byte {offset} of the file" in err and "save the file as UTF-8" in err


def test_a_row_with_too_many_fields_names_row_and_counts(tmp_path, capsys):
    scenario = write_case(tmp_path)
    spoil(tmp_path, "zones.csv", ZONES.replace("Zone two,", "Zone, two,"))
    err = refused(tmp_path, capsys, ["validate", scenario])
    assert "zones.csv, row 2: found 6 fields, expected 5" in err and "ParserError" not in err


def test_a_folder_given_as_a_file_is_said_to_be_a_folder(tmp_path, capsys):
    scenario = write_case(tmp_path)
    (tmp_path / "zones").mkdir()
    set_key(scenario, '"zones.csv"', '"zones"')
    err = refused(tmp_path, capsys, ["validate", scenario])
    assert "zones: this is a folder, not a file" in err and "not found" not in err
    err = refused(tmp_path, capsys, ["validate", str(tmp_path / "zones")])
    assert "zones: this is a folder, not a scenario file" in err


# --- coordinates --------------------------------------------------------------------------------


def test_grid_metres_in_lat_lon_columns_are_named(tmp_path, capsys):
    scenario = write_case(tmp_path)
    spoil(tmp_path, "zones.csv", ZONES.replace("easting,northing", "lon,lat"))
    err = refused(tmp_path, capsys, ["validate", scenario])
    assert "zones.csv, rows 1, 2, 3, 4, field 'lat/lon'" in err
    assert "look like British National Grid metres" in err


def test_swapped_and_degree_grid_columns_are_named(tmp_path, capsys):
    scenario = write_case(tmp_path)
    # A Northumberland zone (390000 E, 600000 N) written northing first lands in the North Sea.
    spoil(tmp_path, "zones.csv", ZONES.replace("350000,460000", "600000,390000"))
    err = refused(tmp_path, capsys, ["validate", scenario])
    assert "zones.csv, row 4, field 'easting/northing'" in err
    assert "is 'easting' the northing?" in err
    degrees = "zone_id,population,x,y\nZ1,100,-2.24,53.47\n"
    spoil(tmp_path, "zones.csv", degrees)
    err = refused(tmp_path, capsys, ["validate", scenario])
    assert "zones.csv, row 1, field 'x/y'" in err and "look like longitude and latitude" in err


# --- names in the scenario ----------------------------------------------------------------------


def test_a_solver_not_installed_fails_before_any_data_is_read(tmp_path, capsys):
    scenario = write_case(tmp_path, '[solver]\nname = "gurobi"\n')
    err = refused(tmp_path, capsys, ["validate", scenario])
    assert "field 'solver.name'" in err and "'gurobi' is not installed here" in err
    err = refused(tmp_path, capsys, ["run", scenario, "--out", str(tmp_path / "p")])
    assert "'gurobi' is not installed here" in err and "inputs:" not in err
    assert not (tmp_path / "p").exists()


def test_decomposition_with_another_solver_fails_validate(tmp_path, capsys):
    scenario = write_case(tmp_path, '[solver]\nname = "cbc"\nmethod = "decomposition"\n')
    err = refused(tmp_path, capsys, ["validate", scenario])
    assert "field 'solver.method'" in err and "solves with HiGHS, not 'cbc'" in err


def test_unknown_hub_ids_fail_validate(tmp_path, capsys):
    scenario = write_case(tmp_path, '[hubs]\nenabled = true\nrequired = ["H99"]\n')
    err = refused(tmp_path, capsys, ["validate", scenario])
    assert "field 'hubs.required'" in err and "unknown hub id(s) H99" in err
    set_key(scenario, "required", "candidates")
    err = refused(tmp_path, capsys, ["run", scenario, "--out", str(tmp_path / "p")])
    assert "field 'hubs.candidates'" in err and "H99" in err and "inputs:" not in err
    # Named hubs with hubs off would be ignored: said so.
    set_key(scenario, 'enabled = true\ncandidates = ["H99"]', 'required = ["H01"]')
    with pytest.warns(UserWarning, match="hubs.required names hubs but hubs.enabled is false"):
        assert main(["validate", scenario]) == 0


def test_the_command_line_exits_2_in_its_own_process(tmp_path):
    scenario = write_case(tmp_path)
    spoil(tmp_path, "sites.csv", SITES.replace("scanners", "scaners"))
    before = snapshot(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "planner.cli", "validate", scenario],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        check=False,
    )
    assert done.returncode == EXIT_INPUT and "Traceback" not in done.stderr
    assert "field 'scaners'" in done.stderr and "did you mean 'scanners'" in done.stderr
    assert snapshot(tmp_path) == before
