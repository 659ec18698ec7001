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
#: published English figure, 18.7% a year over 2014/15-2018/19 (Richards review 2020, via BNMS,
#: facts, marked uncertain), reflects catch-up growth that is not expected to last a decade.
ANNUAL_GROWTH = 0.05

#: Planning horizon in years. Assumption: 5 years, half the 10-year contract length of the
#: 2015 Christie-Alliance award (North Cumbria University Hospitals news, 25 Nov 2015, facts).
HORIZON_YEARS = 5

# --- Scanner throughput -------------------------------------------------------------------------
#: Scans a year of one static scanner. **Assumption** between an analogue scanner's observed
#: 2,700-2,800 a year (CQC reports, Sheffield and Southampton, 2019-21, facts) and a digital
#: scanner's up to 7,500 a year (Daisy Appeal, Hull, ~2023, facts): 5,000, a mixed fleet of the
#: kind Norwich runs (20-24 scans a day, 6 days a week: Digital Health, Oct 2023, facts).
FIXED_SCANS_PER_YEAR = 5000.0

#: Scans a day on a mobile unit: an older scanner does 12-14 a day (UCLH, 10 Oct 2024, facts).
MOBILE_SCANS_PER_DAY = 12.0

#: Days a week a mobile unit may stay at one site: 1 to 3 observed (Lister 1, Basildon 2-3,
#: Swansea 2-3; local NHS and provider news 2015-24, facts).
MOBILE_MAX_DAYS_PER_SITE = 3

#: Working days a week of a mobile unit. **Assumption**: 5 (sites are served on weekdays).
MOBILE_DAYS_PER_UNIT = 5

#: Operating weeks a year. **Assumption**: 50 (two weeks for maintenance and bank holidays).
WEEKS_PER_YEAR = 50.0

#: Most static scanners at one site. Facts: the most at one named site is 3 (UCLH; St Thomas'),
#: and The Christie runs 5 on 4 sites. **Assumption**: 4.
MAX_SCANNERS_PER_SITE = 4

# --- Costs (pounds) -----------------------------------------------------------------------------
#: Capital cost of a digital PET-CT scanner: about 2.5 million (Daisy Appeal, Hull, ~2023, facts).
SCANNER_CAPITAL = 2_500_000.0

#: Installation of a new static site (building works, shielding): 1.4 million (Royal United
#: Hospital Bath media release, 2015, facts; the scanner itself was 1.2 million there).
SITE_INSTALLATION = 1_400_000.0

#: Years over which capital is annualised: the 10-year contracts of 2015 (facts).
CAPITAL_YEARS = 10

#: Discount rate for annualising capital: HM Treasury Green Book social time preference rate 3.5%.
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
#: **Assumption**: 0.30, i.e. a return trip valued at about 9 pounds an hour, the order of the
#: UK Department for Transport's TAG data book value of non-working time.
TRAVEL_COST_PER_MINUTE = 0.30

#: Penalty for each scan a year that the plan cannot provide. **Assumption**: 10,000 pounds,
#: well above the cost of providing a scan (a scanner's yearly cost over its scans is ~160), so
#: the model leaves demand unmet only where no allowed site can reach or serve it.
UNMET_PENALTY_PER_SCAN = 10_000.0

# --- Access and travel --------------------------------------------------------------------------
#: Access target: 98% of people within a 1-hour drive of a static scanner (Alliance Medical /
#: Christie network target, 2015-16, facts).
ACCESS_MINUTES = 60.0
ACCESS_SHARE = 0.98

#: Longest travel time at which a demand zone may be served by a site. **Assumption**: 120
#: minutes; trips the 2015 network removed (Carlisle to Preston, ~90 minutes) were of this order.
MAX_TRAVEL_MINUTES = 120.0

# --- Travel times estimated from coordinates (planner.data.travel.RoadSpeedModel) ----------------
#: Road distance / straight-line distance. **Assumption**: 1.3. Boscoe, Henry & Zdeb (2012, The
#: Professional Geographer 64(2)) measured 1.417 on average across the United States; England's
#: denser road network is assumed to detour less.
DETOUR_FACTOR = 1.3

#: Upper ends (road km) of the speed bands but the last, and the speed in each band (one more
#: than the limits). **Assumption**: 30 km/h for the first 5 km (urban streets), 55 km/h to
#: 30 km, 85 km/h beyond; of the order of the Department for Transport's average speeds on local
#: A roads (about 40-50 km/h) and on motorways and trunk roads.
SPEED_BAND_KM = (5.0, 30.0)
SPEED_BAND_KMH = (30.0, 55.0, 85.0)

#: Fixed minutes added to every estimated trip (parking, walking to the department).
#: **Assumption**: 0.
TRIP_EXTRA_MINUTES = 0.0


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
#: per scanner: two radiographer/technologist pairs across ~12 opening hours, a reporting
#: radiologist and a nurse, from the opening hours in the fact sheet (12 h a day, 5-6 days).
STAFF_PER_SCANNER = 6.0

#: Staff one training hub can take into its network's programme. **Assumption**: 120 places
#: (20 scanners' worth); The Christie's School of Oncology trained the 2015 network of ~30 sites
#: with help from partner centres.
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
#: injection (CMA radioactive tracer merger decision, 2014, facts), leaving time for dispensing
#: and the ~1 hour uptake before the scan (NHS England tender, facts).
MIN_ACTIVITY_FRACTION = 0.25

# --- Resilience ----------------------------------------------------------------------------------
#: Backup coverage: a second static scanner within this many minutes. **Assumption**: 90.
BACKUP_MINUTES = 90.0

# --- Solving -------------------------------------------------------------------------------------
#: Seconds a network solve may run. **Assumption**: 120 s, twice the 60 s in which the national
#: baseline is expected to solve on a 2-core machine, so a planner gets a plan (with its gap if
#: not proven optimal) within a couple of minutes.
SOLVER_TIME_LIMIT = 120.0

#: Relative MIP gap at which a network plan counts as optimal. **Assumption**: 0.5%; on a budget
#: of hundreds of millions of pounds a year it is a few hundred thousand, well inside the
#: uncertainty of the cost defaults above.
SOLVER_MIP_GAP = 0.005
