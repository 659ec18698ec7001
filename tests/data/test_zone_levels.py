"""LSOAs grouped into MSOAs: hand-made cases, and the embedded zones' totals kept."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.data import embedded, zone_levels
from planner.data.travel import TravelMatrix
from planner.errors import InputError


def _lsoas() -> pd.DataFrame:
    # Two MSOAs: Halton 007 (three LSOAs, two in sub-ICB A), Halton 008 (two LSOAs).
    return pd.DataFrame(
        {
            "zone_id": ["E1", "E2", "E3", "E4", "E5"],
            "name": ["Halton 007A", "Halton 007B", "Halton 007C", "Halton 008A", "Halton 008B"],
            "region_code": ["R1"] * 5,
            "icb_code": ["I1", "I1", "I2", "I2", "I2"],
            "sicbl_code": ["A", "A", "B", "B", "B"],
            "lat": [53.0, 53.2, 53.4, 54.0, 54.2],
            "lon": [-2.0, -2.3, -2.6, -3.0, -3.2],
            "population": [1000, 1200, 1500, 1700, 1300],
            "scans": [3.0, 4.0, 5.0, 6.0, 7.0],
        }
    )


def test_group_zones_sums_means_and_majorities_by_hand() -> None:
    msoa, groups = zone_levels.group_zones(_lsoas())
    assert groups.tolist() == [0, 0, 0, 1, 1]
    assert msoa["zone_id"].tolist() == ["Halton 007", "Halton 008"]
    assert msoa["population"].tolist() == [3700, 3000]
    assert msoa["scans"].tolist() == [12.0, 13.0]
    assert msoa["lat"].tolist() == pytest.approx([53.2, 54.1])
    assert msoa["lon"].tolist() == pytest.approx([-2.3, -3.1])
    # Halton 007: sub-ICB A holds 2,200 people, B 1,500, so A; its ICB I1 (2,200 against 1,500).
    assert msoa["sicbl_code"].tolist() == ["A", "B"]
    assert msoa["icb_code"].tolist() == ["I1", "I2"]
    assert msoa["lsoas"].tolist() == [3, 2]


def test_group_travel_means_only_pairs_every_member_has() -> None:
    lsoa_ids = np.array(["E1", "E2", "E3", "E4", "E5"])
    # Site S1: all five LSOAs (007: 10, 20, 30 -> 20; 008: 50, 70 -> 60).
    # Site S2: 007 only two of three LSOAs (dropped); 008 both, 100 and 130 -> 115 > 110 (dropped).
    origin = np.array([0, 1, 2, 3, 4, 0, 1, 3, 4])
    destination = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1])
    minutes = np.array([10.0, 20, 30, 50, 70, 5, 6, 100, 130])
    matrix = TravelMatrix(lsoa_ids, np.array(["S1", "S2"]), origin, destination, minutes)
    groups = np.array([0, 0, 0, 1, 1])
    grouped = zone_levels.group_travel(matrix, groups, np.array(["M7", "M8"]), 110)
    frame = grouped.to_frame().sort_values(["origin_id", "destination_id"])
    assert frame.values.tolist() == [["M7", "S1", 20.0], ["M8", "S1", 60.0]]


def test_names_that_are_not_lsoa_names_are_refused() -> None:
    zones = _lsoas()
    zones.loc[3, "name"] = "Somewhere"
    with pytest.raises(InputError, match="row 4.*'Somewhere'|'Somewhere'.*row 4"):
        zone_levels.group_zones(zones, source="zones.csv")


def test_embedded_msoas_keep_every_regions_people() -> None:
    lsoa = pd.DataFrame(embedded.load_demand_zones().drop(columns="geometry"))
    msoa, groups = zone_levels.group_zones(lsoa)
    assert len(msoa) == 6790
    assert msoa["lsoas"].sum() == len(lsoa) and msoa["lsoas"].min() >= 1
    # LSOAs nest in MSOAs and MSOAs in districts, so no MSOA straddles a region.
    assert (lsoa.groupby(groups)["region_code"].nunique() == 1).all()
    by_region = msoa.groupby("region_code")["population"].sum()
    assert by_region.to_dict() == lsoa.groupby("region_code")["population"].sum().to_dict()


def test_msoa_inputs_average_the_lsoa_inputs_of_a_region() -> None:
    from planner.network.inputs import NetworkInputs
    from planner.scenario import load_scenario

    base = load_scenario("england_baseline").updated(
        {"data.regions": ["E12000001"], "travel.max_minutes": 60}
    )
    msoa = NetworkInputs.from_scenario(base.updated({"data.zone_level": "msoa"}))
    wide = NetworkInputs.from_scenario(base.updated({"travel.max_minutes": 90}))
    lsoa = wide.travel.to_frame()
    lsoa["msoa"] = lsoa["origin_id"].map(
        dict(zip(wide.zones["zone_id"], wide.zones["name"].str[:-1], strict=True))
    )
    size = wide.zones["name"].str[:-1].value_counts()
    mean = lsoa.groupby(["msoa", "destination_id"])["minutes"].agg(["mean", "size"])
    full = mean[mean["size"].to_numpy() == size.reindex(mean.index.get_level_values(0)).to_numpy()]
    expected = full.loc[full["mean"] <= 60 + 1e-9, "mean"]
    got = msoa.travel.to_frame().set_index(["origin_id", "destination_id"])["minutes"]
    assert len(got) == len(expected) > 1000
    assert got.sort_index().to_numpy() == pytest.approx(expected.sort_index().to_numpy())
    assert msoa.zones["scans"].sum() == pytest.approx(wide.zones["scans"].sum())
