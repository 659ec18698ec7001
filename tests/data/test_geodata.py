"""The embedded England dataset against the facts file's figures, typed here independently."""

from __future__ import annotations

import geopandas as gpd
import pytest

from planner import settings
from planner.data import embedded as datasets

# ONS Census 2021 usual residents by region, from shared/facts/pet-ct-england.md (ONSvisual).
CENSUS_2021 = {
    "E12000001": 2_639_000,
    "E12000002": 7_417_400,
    "E12000003": 5_481_000,
    "E12000004": 4_880_300,
    "E12000005": 5_950_900,
    "E12000006": 6_334_600,
    "E12000007": 8_799_800,
    "E12000008": 9_278_400,
    "E12000009": 5_701_400,
}
ENGLAND_2021 = 56_489_800  # facts file: ONS Census 2021 first results, England total
# NHS England regions each ONS region falls in (facts file).
NHS_REGION = {
    "E12000001": "E40000012", "E12000002": "E40000010", "E12000003": "E40000012",
    "E12000004": "E40000011", "E12000005": "E40000011", "E12000006": "E40000007",
    "E12000007": "E40000003", "E12000008": "E40000005", "E12000009": "E40000006",
}  # fmt: skip
# Coastal town centres (and points GeoNames puts on a pier or beach) may fall just outside the
# simplified coastline: allow this much.
COAST_BUFFER_M = 5_000
# Named PET-CT sites of the facts file, by the town the site table must give.
NAMED_SITE_TOWNS = [
    "Leeds", "Sheffield", "Leicester", "Southampton", "Portsmouth", "Taunton", "Maidstone",
    "Ashford", "Sidcup", "Wigan", "Colchester", "Norwich", "Newcastle upon Tyne",
    "Middlesbrough", "Preston", "Cheltenham", "Bath", "Southend-on-Sea", "Oxford", "Northwood",
    "Cottingham", "Manchester", "Bristol", "Carlisle", "Lincoln", "Truro", "Milton Keynes",
    "Swindon", "Reading", "West Bromwich", "Birmingham", "Stevenage",
]  # fmt: skip
NAMED_LONDON_SITES = ["UCLH", "St Thomas'", "Guy's", "Royal Free"]


@pytest.fixture(scope="module")
def regions() -> gpd.GeoDataFrame:
    return datasets.load_regions()


@pytest.fixture(scope="module")
def england_bng(regions: gpd.GeoDataFrame):
    return regions.to_crs(settings.BNG).union_all().buffer(COAST_BUFFER_M)


def test_nine_regions_with_codes_and_nhs_regions(regions: gpd.GeoDataFrame) -> None:
    assert sorted(regions["region_code"]) == sorted(CENSUS_2021)
    assert dict(zip(regions["region_code"], regions["nhs_region_code"], strict=True)) == NHS_REGION
    assert regions.crs.to_epsg() == 4326
    assert regions.geometry.is_valid.all()


def test_demand_totals_match_census(regions: gpd.GeoDataFrame) -> None:
    zones = datasets.load_demand_zones()
    totals = zones.groupby("region_code")["population"].sum()
    for code, census in CENSUS_2021.items():
        assert abs(totals[code] - census) / census <= 0.005, code
    # The regional figures sum 7,000 short of the England total (facts file): within 0.5%.
    assert abs(totals.sum() - ENGLAND_2021) / ENGLAND_2021 <= 0.005
    assert (zones["population"] > 0).all()


def test_every_upper_tier_unit_has_a_demand_point() -> None:
    units = datasets.load_upper_tier()
    zones = datasets.load_demand_zones()
    assert len(units) == 152
    assert set(units["unit_code"]) <= set(zones["unit_code"])


@pytest.mark.parametrize(
    "loader",
    [
        datasets.load_demand_zones,
        datasets.load_sites,
        datasets.load_candidate_sites,
        datasets.load_hubs,
        datasets.load_suppliers,
    ],
)
def test_points_inside_england_unique_and_sourced(loader, england_bng) -> None:
    table = loader()
    id_column = table.columns[0]
    assert table[id_column].is_unique
    assert table["source"].str.strip().ne("").all()
    assert table.crs.to_epsg() == 4326
    assert table.to_crs(settings.BNG).within(england_bng).all()
    assert set(table["region_code"]) <= set(CENSUS_2021)


def test_christie_is_first_hub() -> None:
    hubs = datasets.load_hubs()
    assert hubs.iloc[0]["hub_id"] == "H01"
    assert "Christie" in hubs.iloc[0]["name"] and hubs.iloc[0]["is_christie"]
    assert hubs["is_christie"].sum() == 1


def test_every_named_site_present() -> None:
    sites = datasets.load_sites()
    for town in NAMED_SITE_TOWNS:
        assert (sites["town"] == town).any(), town
    for name in NAMED_LONDON_SITES:
        assert sites["name"].str.contains(name, regex=False).any(), name
    assert sites["name"].str.contains("Christie").any()
    # Scanner counts the facts file gives: Leeds 2, Oxford 2, UCLH 3, St Thomas' 3, Guy's 1,
    # Mount Vernon 2.
    known = dict(zip(sites["name"], sites["scanners"], strict=True))
    assert known["University College London Hospitals (UCLH)"] == 3
    assert known["Guy's Hospital"] == 1
    assert sites["kind"].isin(["fixed", "mobile"]).all()
    assert set(sites.loc[sites["phase1_network"], "town"]) == {
        "Bath",
        "Bristol",
        "Carlisle",
        "Lincoln",
        "Truro",
        "Manchester",
    }


def test_candidates_away_from_existing_sites() -> None:
    sites = datasets.load_sites().to_crs(settings.BNG)
    candidates = datasets.load_candidate_sites().to_crs(settings.BNG)
    nearest = candidates.geometry.apply(lambda p: sites.distance(p).min())
    assert (nearest >= 10_000).all()
    assert (candidates["scanners"] == 0).all()


def test_suppliers_status() -> None:
    suppliers = datasets.load_suppliers()
    assert suppliers["status"].isin(["active", "mothballed"]).all()
    assert suppliers.loc[suppliers["status"] == "mothballed", "town"].tolist() == ["Dinnington"]


def test_summary_counts() -> None:
    s = datasets.summary()
    assert s["regions"] == 9
    assert s["sites"] == len(datasets.load_sites())
    assert "England" in datasets.summary_text()


# GeoNames entries that are whole areas whose towns are listed too (see geodata/README.md rule 2),
# with towns GeoNames lists inside each: keeping the area as well would count those people twice.
AREA_ENTRIES = {
    "GN2643743": ("London", ["Islington", "Croydon"]),
    "GN6947756": ("Mendip", ["Wells", "Frome"]),
    "GN8299614": ("Rossendale", ["Bacup", "Haslingden"]),
    "GN8299617": ("High Peak", ["Buxton", "Glossop"]),
    "GN2648970": ("Fylde", ["Lytham St Annes", "Kirkham"]),
    "GN2638703": ("Saint Peters", ["Ramsgate"]),
}


def test_area_aggregates_are_not_counted_beside_their_towns() -> None:
    zones = datasets.load_demand_zones()
    names = set(zones["name"])
    for zone_id, (name, towns) in AREA_ENTRIES.items():
        assert zone_id not in set(zones["zone_id"]), f"{name} counted beside its towns"
        assert set(towns) <= names, f"towns of {name} missing"
