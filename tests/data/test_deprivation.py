"""IMD deciles in a demand file: read and carried through, or refused naming file, row, field."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from planner.data import readers, zone_levels
from planner.data.deprivation import deciles_from_scores
from planner.errors import InputError
from tests.data.test_readers import BRISTOL, LEEDS, assert_names, write

HEADER = "LSOA21CD,population,lat,lon,{column}\n"


def zones_with(tmp_path: Path, values: list[str], column: str = "imd_decile") -> Path:
    rows = [
        f"E0100000{i + 1},1000,{LEEDS[0] if i % 2 else BRISTOL[0]},"
        f"{LEEDS[1] if i % 2 else BRISTOL[1]},{v}"
        for i, v in enumerate(values)
    ]
    return write(tmp_path, HEADER.format(column=column) + "\n".join(rows) + "\n")


def test_deciles_are_read_as_whole_numbers(tmp_path):
    zones = readers.read_demand_zones(zones_with(tmp_path, ["1", "10", " 4 "]))
    assert zones["imd_decile"].tolist() == [1, 10, 4]
    assert zones["imd_decile"].dtype == "int64"


def test_the_published_heading_is_understood(tmp_path):
    column = "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)"
    zones = readers.read_demand_zones(zones_with(tmp_path, ["3", "7"], column=f'"{column}"'))
    assert zones["imd_decile"].tolist() == [3, 7]


def test_a_file_without_deprivation_has_no_decile(tmp_path):
    path = write(tmp_path, f"LSOA21CD,population,lat,lon\nE01000001,5,{LEEDS[0]},{LEEDS[1]}\n")
    assert "imd_decile" not in readers.read_demand_zones(path)


@pytest.mark.parametrize(
    ("values", "row", "found"),
    [
        (["1", "0", "5"], 2, "'0'"),
        (["11", "2"], 1, "'11'"),
        (["4", "3.5"], 2, "'3.5'"),
        (["4", "2", "low"], 3, "'low'"),
        (["4", ""], 2, "empty"),
    ],
)
def test_bad_deciles_name_file_row_and_field(tmp_path, values, row, found):
    path = zones_with(tmp_path, values)
    with pytest.raises(InputError) as err:
        readers.read_demand_zones(path)
    assert_names(err, path, row, "imd_decile")
    assert found in str(err.value)
    if found not in ("'low'", "empty"):
        assert "whole number from 1 to 10" in str(err.value)


def test_scores_give_deciles_of_the_files_own_zones():
    # Twenty zones: the two highest scores (most deprived) are decile 1, the two lowest 10.
    scores = pd.Series([float(s) for s in range(20)])
    deciles = deciles_from_scores(scores)
    assert deciles.tolist() == [10, 10, 9, 9, 8, 8, 7, 7, 6, 6, 5, 5, 4, 4, 3, 3, 2, 2, 1, 1]


def test_a_negative_score_is_refused(tmp_path):
    path = zones_with(tmp_path, ["12.5", "-3"], column="imd_score")
    with pytest.raises(InputError) as err:
        readers.read_demand_zones(path)
    assert_names(err, path, 2, "imd_score")


def test_an_msoa_takes_the_decile_most_of_its_people_live_in():
    zones = pd.DataFrame(
        {
            "zone_id": ["a", "b", "c", "d"],
            "name": ["Leeds 001A", "Leeds 001B", "Leeds 001C", "Leeds 002A"],
            "region_code": "E12000003",
            "lat": [53.8, 53.8, 53.8, 53.7],
            "lon": [-1.5, -1.5, -1.5, -1.6],
            "population": [1000, 1500, 1200, 900],
            "imd_decile": [2, 7, 2, 9],
        }
    )
    msoas, _ = zone_levels.group_zones(zones)
    # Leeds 001: 2,200 people in decile 2 against 1,500 in decile 7.
    assert dict(zip(msoas["zone_id"], msoas["imd_decile"], strict=True)) == {
        "Leeds 001": 2,
        "Leeds 002": 9,
    }
