"""A planner's own files: good ones read like the embedded data, bad ones name file, row, field."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point

from planner.data import readers
from planner.errors import InputError

LEEDS = (53.7965, -1.5479)
BRISTOL = (51.4552, -2.5967)
# British National Grid of central Leeds and Bristol (approximate, for the reader's conversion).
LEEDS_BNG = (429_900, 433_600)
BRISTOL_BNG = (358_800, 173_000)


def write(tmp_path: Path, text: str, name: str = "zones.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def assert_names(err: pytest.ExceptionInfo[InputError], path: Path, row, field: str) -> None:
    message = str(err.value)
    assert str(path) in message and err.value.source == str(path)
    assert err.value.row == row and err.value.field == field
    assert f"field '{field}'" in message
    if row is not None:
        assert "row" in message


def test_reads_lat_lon_csv(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"LSOA21CD,Population,lat,lon\nE01000001,1500,{LEEDS[0]},{LEEDS[1]}\n"
        f"E01000002,1200,{BRISTOL[0]},{BRISTOL[1]}\n",
    )
    zones = readers.read_demand_zones(path)
    assert zones["zone_id"].tolist() == ["E01000001", "E01000002"]
    assert zones["region_code"].tolist() == ["E12000003", "E12000009"]
    assert zones["population"].tolist() == [1500, 1200]
    assert zones.crs.to_epsg() == 4326


def test_reads_easting_northing(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"MSOA21CD,pop,easting,northing\nE02000001,9000,{LEEDS_BNG[0]},{LEEDS_BNG[1]}\n"
        f"E02000002,8000,{BRISTOL_BNG[0]},{BRISTOL_BNG[1]}\n",
    )
    zones = readers.read_demand_zones(path)
    assert zones["region_code"].tolist() == ["E12000003", "E12000009"]
    assert abs(zones["lat"].iloc[0] - LEEDS[0]) < 0.02


def test_reads_geopackage_polygons_in_bng(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {"zone_id": ["A", "B"], "population": [10, 20]},
        geometry=[Point(LEEDS_BNG).buffer(500).envelope, Point(BRISTOL_BNG)],
        crs="EPSG:27700",
    )
    path = tmp_path / "zones.gpkg"
    frame.to_file(path)
    zones = readers.read_demand_zones(path)
    assert zones["region_code"].tolist() == ["E12000003", "E12000009"]


def test_reads_geoparquet(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {"site_id": ["X1"], "name": ["Leeds"]}, geometry=[Point(LEEDS[1], LEEDS[0])], crs=4326
    )
    path = tmp_path / "sites.parquet"
    frame.to_parquet(path)
    sites = readers.read_sites(path)
    assert sites.loc[0, "region_code"] == "E12000003"
    assert sites.loc[0, "kind"] == "fixed" and not sites.loc[0, "phase1_network"]
    assert pd.isna(sites.loc[0, "scanners"]) and sites.loc[0, "source"] == str(path)


def test_zero_population_is_listed_in_a_warning(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"zone_id,population,lat,lon\nZ1,0,{LEEDS[0]},{LEEDS[1]}\nZ2,5,{LEEDS[0]},{LEEDS[1]}\n",
    )
    with pytest.warns(UserWarning, match=r"row.*1.*Z1"):
        zones = readers.read_demand_zones(path)
    assert zones["zone_id"].tolist() == ["Z2"]


def test_missing_column(tmp_path: Path) -> None:
    path = write(tmp_path, f"zone_id,lat,lon\nZ1,{LEEDS[0]},{LEEDS[1]}\n")
    with pytest.raises(InputError, match="required column is missing") as err:
        readers.read_demand_zones(path)
    assert_names(err, path, None, "population")


def test_empty_file(tmp_path: Path) -> None:
    path = write(tmp_path, "")
    with pytest.raises(InputError, match="empty") as err:
        readers.read_demand_zones(path)
    assert err.value.source == str(path)
    header_only = write(tmp_path, "zone_id,population,lat,lon\n", "header.csv")
    with pytest.raises(InputError, match="no data rows"):
        readers.read_demand_zones(header_only)


def test_non_numeric_population(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"zone_id,population,lat,lon\nZ1,10,{LEEDS[0]},{LEEDS[1]}\nZ2,many,{LEEDS[0]},{LEEDS[1]}\n",
    )
    with pytest.raises(InputError, match="non-numeric.*'many'") as err:
        readers.read_demand_zones(path)
    assert_names(err, path, 2, "population")


def test_negative_population(tmp_path: Path) -> None:
    path = write(tmp_path, f"zone_id,population,lat,lon\nZ1,-4,{LEEDS[0]},{LEEDS[1]}\n")
    with pytest.raises(InputError, match="at least 0") as err:
        readers.read_demand_zones(path)
    assert_names(err, path, 1, "population")


def test_infinite_population(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"zone_id,population,lat,lon\nZ1,10,{LEEDS[0]},{LEEDS[1]}\nZ2,inf,{LEEDS[0]},{LEEDS[1]}\n",
    )
    with pytest.raises(InputError, match="finite") as err:
        readers.read_demand_zones(path)
    assert_names(err, path, 2, "population")


def test_swapped_coordinates_get_a_hint(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"zone_id,population,lat,lon\nZ1,1,{LEEDS[0]},{LEEDS[1]}\nZ2,1,{LEEDS[1]},{LEEDS[0]}\n",
    )
    with pytest.raises(InputError, match="outside England.*swapped") as err:
        readers.read_demand_zones(path)
    assert_names(err, path, 2, "lat/lon")


def test_point_outside_england(tmp_path: Path) -> None:
    # Cardiff: inside England's bounding box, but in Wales.
    path = write(tmp_path, "site_id,name,lat,lon\nS1,Cardiff,51.4816,-3.1791\n", "sites.csv")
    with pytest.raises(InputError, match="outside England") as err:
        readers.read_sites(path)
    assert_names(err, path, 1, "lat/lon")


def test_duplicate_ids(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"hub_id,name,lat,lon\nH1,a,{LEEDS[0]},{LEEDS[1]}\nH2,b,{LEEDS[0]},{LEEDS[1]}\n"
        f"H1,c,{LEEDS[0]},{LEEDS[1]}\n",
        "hubs.csv",
    )
    with pytest.raises(InputError, match="duplicate id.*'H1'") as err:
        readers.read_hubs(path)
    assert_names(err, path, [1, 3], "hub_id")


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_spatial_file_without_crs(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame({"zone_id": ["A"], "population": [1]}, geometry=[Point(LEEDS_BNG)])
    path = tmp_path / "nocrs.gpkg"
    frame.to_file(path)
    with pytest.raises(InputError, match="no CRS") as err:
        readers.read_demand_zones(path)
    assert_names(err, path, None, "geometry")


def test_line_geometry_rejected(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {"zone_id": ["A"], "population": [1]},
        geometry=[LineString([LEEDS_BNG, BRISTOL_BNG])],
        crs="EPSG:27700",
    )
    path = tmp_path / "lines.gpkg"
    frame.to_file(path)
    with pytest.raises(InputError, match="LineString") as err:
        readers.read_demand_zones(path)
    assert_names(err, path, 1, "geometry")


def test_unparseable_files(tmp_path: Path) -> None:
    path = tmp_path / "broken.gpkg"
    path.write_bytes(b"this is not a GeoPackage")
    with pytest.raises(InputError, match="not a GeoPackage") as err:
        readers.read_demand_zones(path)
    assert err.value.source == str(path) and "Traceback" not in str(err.value)
    bad_csv = write(tmp_path, 'zone_id,population\n"Z1,unclosed\n', "bad.csv")
    with pytest.raises(InputError) as err:
        readers.read_demand_zones(bad_csv)
    assert err.value.source == str(bad_csv)


def test_bad_site_and_supplier_values(tmp_path: Path) -> None:
    path = write(
        tmp_path, f"site_id,name,lat,lon,kind\nS1,a,{LEEDS[0]},{LEEDS[1]},boat\n", "sites.csv"
    )
    with pytest.raises(InputError, match="boat") as err:
        readers.read_sites(path)
    assert_names(err, path, 1, "kind")
    path = write(
        tmp_path,
        f"supplier_id,name,lat,lon,status\nR1,a,{LEEDS[0]},{LEEDS[1]},closed\n",
        "suppliers.csv",
    )
    with pytest.raises(InputError, match="closed") as err:
        readers.read_suppliers(path)
    assert_names(err, path, 1, "status")


def test_geopackage_with_the_wrong_crs_label_names_the_geometry_and_crs(tmp_path: Path) -> None:
    # British National Grid metres labelled as EPSG:4326 degrees.
    frame = gpd.GeoDataFrame(
        {"zone_id": ["A"], "population": [5]}, geometry=[Point(LEEDS_BNG)], crs="EPSG:27700"
    ).set_crs("EPSG:4326", allow_override=True)
    path = tmp_path / "zones.gpkg"
    frame.to_file(path)
    with pytest.raises(InputError, match="declares its CRS as EPSG:4326") as err:
        readers.read_demand_zones(path)
    assert_names(err, path, 1, "geometry")
