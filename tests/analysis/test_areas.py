"""Access and travel by region and ICB (``area_table``) on a table small enough to do by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from planner.analysis.access import area_table

ACCESS_MINUTES = 45.0
NAMES = {"R1": "Region one", "R2": "Region two", "I1": "ICB one", "I2": "ICB two"}  # no I3

# Five zones in two regions and three ICBs (I2 spans both regions: ICBs do not nest in regions).
# Z2's nearest static scanner is exactly 60 minutes away: within 60.
DEMAND = pd.DataFrame(
    {
        "demand_id": ["Z1", "Z2", "Z3", "Z4", "Z5"],
        "region_code": ["R1", "R1", "R1", "R2", "R2"],
        "icb_code": ["I1", "I1", "I2", "I2", "I3"],
        "population": [1000, 3000, 2000, 4000, 500],
        "scans": [10.0, 30.0, 20.0, 40.0, 5.0],
        "assigned_scans": [10.0, 24.0, 20.0, 40.0, 0.0],
        "unmet_scans": [0.0, 6.0, 0.0, 0.0, 5.0],
        "nearest_static_minutes": [20.0, 60.0, 70.0, 90.0, 130.0],
    }
)
# Z2 is split over two sites, Z4 too; Z5 is not served at all.
ASSIGNMENTS = pd.DataFrame(
    {
        "demand_id": ["Z1", "Z2", "Z2", "Z3", "Z4", "Z4"],
        "site_id": ["S1", "S1", "S2", "S2", "S2", "S3"],
        "scans": [10.0, 14.0, 10.0, 20.0, 25.0, 15.0],
        "minutes": [20.0, 50.0, 65.0, 70.0, 90.0, 100.0],
    }
)

# By hand. Scan-minutes: Z1 10*20 = 200; Z2 14*50 + 10*65 = 1350; Z3 20*70 = 1400;
# Z4 25*90 + 15*100 = 3750; Z5 0.
# R1 (Z1-Z3): population 6000, within 45 min Z1 (1000), within 60 Z1 + Z2 (4000);
#   mean (200 + 1350 + 1400) / 54 assigned.
# R2 (Z4, Z5): population 4500, nobody within 60; mean 3750 / 40.
# I1 (Z1, Z2): population 4000, within 45 1000, within 60 4000; mean 1550 / 34.
# I2 (Z3, Z4): population 6000, nobody within 60; mean (1400 + 3750) / 60.
# I3 (Z5): population 500, no scans assigned: no mean.
EXPECTED = [
    # level, code, name, zones, population, scans, assigned, unmet, within access, within 60, mean
    ("region", "R1", "Region one", 3, 6000, 60.0, 54.0, 6.0, 1000 / 6000, 4000 / 6000, 2950 / 54),
    ("region", "R2", "Region two", 2, 4500, 45.0, 40.0, 5.0, 0.0, 0.0, 3750 / 40),
    ("icb", "I1", "ICB one", 2, 4000, 40.0, 34.0, 6.0, 1000 / 4000, 1.0, 1550 / 34),
    ("icb", "I2", "ICB two", 2, 6000, 60.0, 60.0, 0.0, 0.0, 0.0, 5150 / 60),
    ("icb", "I3", "I3", 1, 500, 5.0, 0.0, 5.0, 0.0, 0.0, math.nan),
]
COLUMNS = [
    "level",
    "code",
    "name",
    "zones",
    "population",
    "scans",
    "assigned_scans",
    "unmet_scans",
    "share_within_access",
    "share_within_60",
    "mean_minutes",
]


def check(table: pd.DataFrame, expected: list[tuple]) -> None:
    assert list(table.columns) == [*COLUMNS, "access_minutes"]
    assert len(table) == len(expected)
    for got, want in zip(table.itertuples(index=False), expected, strict=True):
        row = dict(zip(COLUMNS, want, strict=True))
        for column in ("level", "code", "name", "zones", "population"):
            assert getattr(got, column) == row[column], (row["code"], column)
        for column in COLUMNS[5:]:
            value, target = getattr(got, column), row[column]
            if math.isnan(target):
                assert math.isnan(value), (row["code"], column)
            else:
                assert value == pytest.approx(target, rel=1e-12), (row["code"], column)
        assert got.access_minutes == ACCESS_MINUTES


def test_regions_and_icbs_by_hand() -> None:
    check(area_table(DEMAND, ASSIGNMENTS, NAMES, ACCESS_MINUTES), EXPECTED)


def test_row_order_of_the_inputs_does_not_matter() -> None:
    demand = DEMAND.iloc[[4, 2, 0, 3, 1]].reset_index(drop=True)
    assignments = ASSIGNMENTS.iloc[::-1].reset_index(drop=True)
    check(area_table(demand, assignments, NAMES, ACCESS_MINUTES), EXPECTED)


def test_no_icb_rows_without_icb_codes() -> None:
    regions_only = [row for row in EXPECTED if row[0] == "region"]
    table = area_table(DEMAND.drop(columns="icb_code"), ASSIGNMENTS, NAMES, ACCESS_MINUTES)
    check(table, regions_only)
    blank = DEMAND.assign(icb_code="")
    check(area_table(blank, ASSIGNMENTS, NAMES, ACCESS_MINUTES), regions_only)


def test_names_come_from_the_dict_else_the_code() -> None:
    table = area_table(DEMAND, ASSIGNMENTS, {"R2": "Somewhere", "I3": "Third"}, ACCESS_MINUTES)
    assert dict(zip(table["code"], table["name"], strict=True)) == {
        "R1": "R1",
        "R2": "Somewhere",
        "I1": "I1",
        "I2": "I2",
        "I3": "Third",
    }


def test_access_time_moves_only_the_access_share() -> None:
    # At 60 minutes the access share is the within-60 share; at 130 every resident is within.
    at_60 = area_table(DEMAND, ASSIGNMENTS, NAMES, 60.0)
    assert at_60["share_within_access"].tolist() == pytest.approx(at_60["share_within_60"].tolist())
    at_130 = area_table(DEMAND, ASSIGNMENTS, NAMES, 130.0)
    assert at_130["share_within_access"].tolist() == [1.0] * 5
    assert at_130["share_within_60"].tolist() == pytest.approx([4 / 6, 0.0, 1.0, 0.0, 0.0])
    assert (at_130["access_minutes"] == 130.0).all()
