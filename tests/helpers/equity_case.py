"""A planner's own small case with deprivation deciles, and its figures worked by hand.

Six demand zones in the North West (500,000 people) carry IMD deciles; two existing sites
(Manchester, and one named ``<script>alert(1)</script>`` to test escaping) have a static scanner
each, and one candidate site (Penrith) is the only one within an hour of the Cumbrian zone. The
planner's own travel matrix fixes every time. Scans: 4,000 per million, no growth.

Today's network reaches 360,000 of 500,000 people within 60 minutes (72%); the access target
(85% within 60 minutes) therefore makes the plan open Penrith with a static scanner, after which
every zone but Z2 is within 60 minutes (450,000, 90%). Capacity is ample (a scanner takes 5,000
scans a year, demand is 2,000), so each zone's scans go to its nearest open site.

=====  ========  ======  ====  ====  =======  ==================  ==================
zone   people    decile  A     C     D (new)  nearest in plan     nearest today
=====  ========  ======  ====  ====  =======  ==================  ==================
Z1     100,000   1       15    40    100      15 (A)              15
Z2      50,000   1       70    65    110      65 (C)              65
Z3      80,000   2       30    20    90       20 (C)              20
Z4     120,000   5       45    50    95       45 (A)              45
Z5      60,000   10      25    35    85       25 (A)              25
Z6      90,000   10      80    85    20       20 (D)              80
=====  ========  ======  ====  ====  =======  ==================  ==================

By decile (share of residents within 60 minutes in the plan and today; mean minutes travelled,
scan-weighted, which here is population-weighted since scans are 4 per 1,000 people):

* decile 1: 150,000 people; within 60: 100,000 (2/3) in the plan and today; mean
  (100,000 x 15 + 50,000 x 65) / 150,000 = 31.667 min
* decile 2: 80,000; all within; 20 min
* decile 5: 120,000; all within; 45 min
* decile 10: 150,000; all within in the plan, 60,000 (40%) today; (60,000 x 25 + 90,000 x 20)
  / 150,000 = 22 min
"""

from __future__ import annotations

from pathlib import Path

HOSTILE_SITE = "<script>alert(1)</script>"

ZONES = """zone_id,name,lat,lon,population,imd_decile
Z1,Moss Side,53.4560,-2.2250,100000,1
Z2,Harpurhey,53.5150,-2.2150,50000,1
Z3,Chorley,53.6530,-2.6320,80000,2
Z4,Stockport,53.4080,-2.1490,120000,5
Z5,Altrincham,53.3870,-2.3490,60000,10
Z6,Keswick,54.6010,-3.1340,90000,10
"""
SITES = f"""site_id,name,lat,lon,scanners,kind
A,Manchester PET-CT,53.4631,-2.2274,1,fixed
C,{HOSTILE_SITE},53.7590,-2.7010,1,fixed
"""
CANDIDATES = """site_id,name,lat,lon
D,Penrith,54.6640,-2.7520
"""
#: Minutes from each zone to sites A, C and D.
MINUTES = {
    "Z1": (15, 40, 100),
    "Z2": (70, 65, 110),
    "Z3": (30, 20, 90),
    "Z4": (45, 50, 95),
    "Z5": (25, 35, 85),
    "Z6": (80, 85, 20),
}
POPULATION = {"Z1": 100_000, "Z2": 50_000, "Z3": 80_000, "Z4": 120_000, "Z5": 60_000,
              "Z6": 90_000}  # fmt: skip
#: Nearest static scanner in the plan (A, C and the new D) and today (A and C).
NEAREST_PLAN = {"Z1": 15, "Z2": 65, "Z3": 20, "Z4": 45, "Z5": 25, "Z6": 20}
NEAREST_TODAY = {"Z1": 15, "Z2": 65, "Z3": 20, "Z4": 45, "Z5": 25, "Z6": 80}

#: The equity table worked by hand: decile -> (people, share within 60 in the plan, today,
#: mean minutes travelled).
EQUITY = {
    1: (150_000, 2 / 3, 2 / 3, 4_750_000 / 150_000),
    2: (80_000, 1.0, 1.0, 20.0),
    5: (120_000, 1.0, 1.0, 45.0),
    10: (150_000, 1.0, 0.4, 22.0),
}


def write_equity_case(folder: Path, extra: str = "") -> Path:
    """Write the case's files and scenario into ``folder``; return the scenario file."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "zones.csv").write_text(ZONES)
    (folder / "sites.csv").write_text(SITES)
    (folder / "candidates.csv").write_text(CANDIDATES)
    rows = ["origin,destination,minutes"]
    for zone, times in MINUTES.items():
        rows += [f"{zone},{site},{t}" for site, t in zip("ACD", times, strict=True)]
    (folder / "matrix.csv").write_text("\n".join(rows) + "\n")
    scenario = folder / "equity.toml"
    scenario.write_text(
        f"""
[scenario]
name = "equity-case"
title = "Deprivation test <b>case</b>"
[data]
demand_zones = "zones.csv"
sites = "sites.csv"
candidate_sites = "candidates.csv"
travel_matrix = "matrix.csv"
[demand]
scans_per_million = 4000
annual_growth = 0.0
horizon_years = 0
[access]
minutes = 60
share = 0.85
{extra}
"""
    )
    return scenario
